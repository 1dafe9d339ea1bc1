"""The array-API batch kernel (the CuPy path) agrees with the reference definitions to 1e-12,
on numpy and on array_api_strict with a fake device (what a GPU run needs: no array leaves its
device); ``backend='cupy'`` without a GPU fails with BackendUnavailable and a one-line reason."""
from __future__ import annotations

import zlib

import numpy as np
import pytest

from numerics import BackendUnavailable, Explicit, Periodic, engine, make, run
from numerics.xp_kernel import namespace, run_batch_xp

xps = pytest.importorskip("array_api_strict")
TOL = 1e-12


def close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(np.abs(a - b) <= TOL * np.maximum(1.0, np.abs(b))))


CASES = [("sgd", {}), ("adagrad", dict(eps=0.3)), ("rmsprop", dict(eps=1e-8)),
         ("adam", dict(variant="pytorch", eps=1e-8)), ("adam", dict(variant="keras", eps=1e-3)),
         ("amsgrad", {}), ("amsgrad", dict(variant="optax", eps=1e-8)),
         ("amsgrad", dict(beta1_schedule="harmonic")), ("adamnc", {}),
         ("adamx", dict(beta1_schedule="geometric", lam=0.01))]


@pytest.mark.parametrize("xp", ["numpy", "array_api_strict"])
@pytest.mark.parametrize("kind", ["periodic", "bernoulli", "explicit"])
@pytest.mark.parametrize("method,extra", CASES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CASES)])
def test_xp_kernel_equals_reference(xp, kind, method, extra):
    seed = zlib.crc32(f"{xp}-{kind}-{method}-{sorted(extra.items())}".encode())
    rng = np.random.default_rng(seed)
    N, T = 4, int(rng.integers(60, 160))
    b1, b2 = rng.uniform(0, 0.95, N), rng.uniform(0.6, 0.999, N)
    alpha, x1 = rng.uniform(0.05, 1.5, N), rng.uniform(-1, 1, N)
    C, low, n, p = rng.uniform(2, 30, N), -rng.uniform(0.2, 2, N), rng.integers(2, 9, N), 0.3
    vals = rng.normal(size=(T, N)) * 5
    device = xps.Device("device1") if xp == "array_api_strict" else None
    kw = dict(beta1=b1, beta2=b2, alpha=alpha, x1=x1, T=T, checkpoints=[1, T // 2, T], **extra)
    if kind == "periodic":
        res = run_batch_xp(method, xp, device, C=C, low=low, n=n, **kw)
    elif kind == "bernoulli":
        res = run_batch_xp(method, xp, device, C=C, low=low, p=p, seed=seed,
                           problem_kind="bernoulli", **kw)
        u = np.random.Generator(np.random.PCG64(seed)).random((T, N, 1))[:, :, 0]
    else:
        res = run_batch_xp(method, xp, device, values=vals, problem_kind="explicit", **kw)
    if device is not None:
        assert "device1" in res.info["device"]
    for i in range(N):
        h = dict(alpha=alpha[i], beta1=b1[i], beta2=b2[i], **extra)
        if kind == "periodic":
            prob = Periodic(pattern=[C[i]] + [low[i]] * (int(n[i]) - 1))
        elif kind == "bernoulli":
            prob = Explicit(values=list(np.where(u[:, i] < p, C[i], low[i])))
        else:
            prob = Explicit(values=list(vals[:, i]))
        ref = run(make(method, **h), prob, T, float(x1[i]), checkpoints=[1, T // 2, T])
        assert close(res.x_T[i], ref.x_T) and close(res.x_played[i], ref.x_played)
        assert close(res.avg_regret[i], ref.avg_regret)
        for k, c in enumerate(ref.checkpoints):
            assert close(res.cp_x[k, i], c.x) and close(res.cp_regret[k, i], c.regret)


def test_strict_device_mixing_is_caught():
    """The fake device is real enough: an operand on the default device makes strict raise."""
    d1 = xps.Device("device1")
    a = xps.asarray(np.ones(3), device=d1)
    with pytest.raises(ValueError):
        _ = a + xps.asarray(np.ones(3))


def test_xp_kernel_matches_numba_engine_on_section5():
    kw = dict(beta1=np.linspace(0, 0.99, 9), beta2=np.linspace(0.9, 0.999, 9), alpha=0.5,
              C=1010, low=-10, n=101, T=700)
    a = engine.run_batch("amsgrad", **kw)
    b = engine.run_batch("amsgrad", backend="array_api_strict", **kw)
    assert b.engine == "xp:array_api_strict"
    assert np.array_equal(a.x_T, b.x_T) and np.array_equal(a.regret, b.regret)


def test_cupy_without_gpu_fails_cleanly():
    try:
        import cupy

        if cupy.is_available():  # pragma: no cover - only on a GPU machine
            pytest.skip("a GPU is present: the clean-failure path does not apply")
    except ImportError:
        pass
    except Exception:  # pragma: no cover - a broken driver still must fail cleanly below
        pass
    with pytest.raises(BackendUnavailable) as info:
        engine.run_batch("amsgrad", C=3, n=3, T=5, backend="cupy")
    msg = str(info.value)
    assert msg.startswith("--backend cupy:") and "\n" not in msg
    with pytest.raises(ValueError, match="unknown array namespace"):
        namespace("jax")
