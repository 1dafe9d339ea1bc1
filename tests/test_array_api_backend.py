"""The reference definitions run unchanged on an array-API namespace (the CuPy path): on
array_api_strict with a fake device (what a GPU run needs: no array leaves its device) they agree
with the float64 numpy reference to 1e-12; without a GPU, CuPy fails with a one-line reason."""
from __future__ import annotations

import zlib

import numpy as np
import pytest

from numerics import BackendUnavailable, Bernoulli, Periodic, make, run
from numerics.backends import ArrayAPIBackend, NumpyBackend
from numerics.optimizers import applicable

from _engine_kw import skip_if_gpu

xps = pytest.importorskip("array_api_strict")
TOL = 1e-12


def close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= TOL * np.maximum(1.0, np.abs(b))))


def host(a):
    return np.from_dlpack(xps.asarray(a, device=xps.Device("CPU_DEVICE"))) if not isinstance(a, (float, np.ndarray)) else a


CASES = [("sgd", {}), ("adagrad", dict(eps=0.3)), ("rmsprop", dict(eps=1e-8)),
         ("adam", dict(variant="pytorch", eps=1e-8)), ("adam", dict(variant="keras", eps=1e-3)),
         ("amsgrad", {}), ("amsgrad", dict(variant="optax", eps=1e-8)),
         ("amsgrad", dict(beta1_schedule="harmonic")), ("adamnc", {}),
         ("adamx", dict(beta1_schedule="geometric", lam=0.01))]


@pytest.mark.parametrize("kind", ["periodic", "bernoulli"])
@pytest.mark.parametrize("method,extra", CASES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CASES)])
def test_reference_on_array_api_equals_numpy(kind, method, extra):
    seed = zlib.crc32(f"{kind}-{method}-{sorted(extra.items())}".encode())
    rng = np.random.default_rng(seed)
    N, T = 5, int(rng.integers(60, 160))
    hyper = dict(beta1=rng.uniform(0, 0.95, (N, 1)), beta2=rng.uniform(0.6, 0.999, (N, 1)),
                 alpha=rng.uniform(0.05, 1.5, (N, 1)), **extra)
    x1 = rng.uniform(-1, 1, (N, 2))
    if kind == "periodic":
        prob = Periodic(pattern=[[float(rng.uniform(2, 30)), -1.0], [-1.0, 3.0], [-0.5, -1.0]])
    else:
        prob = Bernoulli(p="0.3", high=7, low=-1, seed=seed % 1000, dim=2, batch=N)
    meth = make(method, **applicable(method, hyper))  # beta1/beta2 mean nothing to sgd, adagrad
    dev = xps.Device("device1")
    B = ArrayAPIBackend(xps, dev)
    res = run(meth, prob, T, x1, backend=B, checkpoints=[1, T // 2, T])
    ref = run(meth, prob, T, x1, backend=NumpyBackend(), checkpoints=[1, T // 2, T])
    assert res.x_T.device == dev
    assert close(host(res.x_T), ref.x_T) and close(host(res.x_played), ref.x_played)
    assert close(host(res.avg_regret), ref.avg_regret)
    for c, d in zip(res.checkpoints, ref.checkpoints):
        assert c.t == d.t and close(host(c.x), d.x) and close(host(c.regret), d.regret)


def test_strict_device_mixing_is_caught():
    """The fake device is real enough: an operand on the default device makes strict raise."""
    d1 = xps.Device("device1")
    a = xps.asarray(np.ones(3), device=d1)
    with pytest.raises(ValueError):
        _ = a + xps.asarray(np.ones(3))


def test_a_wrong_backend_would_be_caught():
    """The comparison above can fail: another beta2 on the array backend differs from numpy."""
    prob = Periodic(pattern=[1010] + [-10] * 100)
    x1 = np.zeros((2, 1))
    a = run(make("amsgrad", beta2=0.999), prob, 300, x1, backend=ArrayAPIBackend(xps, xps.Device("device1")))
    b = run(make("amsgrad", beta2=0.99), prob, 300, x1, backend=NumpyBackend())
    assert not close(host(a.x_T), b.x_T)


def test_cupy_without_gpu_fails_cleanly():
    skip_if_gpu()
    from numerics import get_backend

    with pytest.raises(BackendUnavailable) as info:
        get_backend("cupy")
    msg = str(info.value)
    assert msg.startswith("--backend cupy:") and "\n" not in msg
