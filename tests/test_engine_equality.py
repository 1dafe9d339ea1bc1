"""The fused engine equals the reference definitions (numerics.run on float64) to 1e-12.

Random problems and hyper-parameters (seeds fixed and shown in the test ids); every method and
variant the engine covers; serial (N < 64) and parallel (N >= 64) kernels; fast and generic paths.
Expected values come from ``numerics.run`` (the reference definition, an independent code path:
Python floats through ``numerics.optimizers``), and in one test from exact rational arithmetic.
"""
from __future__ import annotations

import zlib
from fractions import Fraction

import numpy as np
import pytest

from numerics import Bernoulli, Explicit, Periodic, engine, make, run

TOL = 1e-12


def close(a, b, tol=TOL):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(np.abs(a - b) <= tol * np.maximum(1.0, np.abs(b))))


def _hyper(rng, method, variant):
    """Random hyper-parameters in the ranges the paper's methods are used with."""
    b1 = float(rng.choice([0.0, rng.uniform(0, 0.99)]))
    b2 = float(rng.uniform(0.5, 0.9999))
    h = dict(alpha=float(rng.uniform(0.01, 2)), beta1=b1, beta2=b2,
             schedule=str(rng.choice(["sqrt", "constant"])))
    if method in ("adam", "amsgrad", "rmsprop", "adagrad"):
        h["eps"] = float(rng.choice([0.0, 1e-8, rng.uniform(0, 2)]))
    if method in ("adam", "amsgrad", "rmsprop"):
        h["variant"] = variant
    if method in ("amsgrad", "adamx"):
        h["beta1_schedule"] = str(rng.choice(["constant", "geometric", "harmonic"]))
        h["lam"] = float(rng.uniform(0.001, 0.999))
    if method == "adam" and variant == "optax":
        h["eps_root"] = float(rng.choice([0.0, 1e-6]))
    return h


def _batch_kwargs(h, method):
    kw = dict(alpha=h["alpha"], beta1=h["beta1"], beta2=h["beta2"], schedule=h["schedule"],
              eps=h.get("eps", 0.0), variant=h.get("variant", "paper"),
              beta1_schedule=h.get("beta1_schedule", "constant"), lam=h.get("lam"),
              eps_root=h.get("eps_root", 0.0))
    return kw


CASES = [(m, v) for m in ("sgd", "adagrad", "rmsprop", "adamnc", "adamx") for v in ("paper",)] + \
        [(m, v) for m in ("adam", "amsgrad") for v in ("paper", "pytorch", "optax", "keras")]


@pytest.mark.parametrize("method,variant", CASES)
@pytest.mark.parametrize("kind", ["periodic", "bernoulli", "explicit"])
@pytest.mark.parametrize("N", [3, 70])
def test_run_batch_equals_reference(method, variant, kind, N):
    """Each lane of a batch equals numerics.run on the same problem, to 1e-12 (x_T, x_played, R_T/T)."""
    seed = zlib.crc32(f"{method}-{variant}-{kind}-{N}".encode())  # stable across processes
    rng = np.random.default_rng(seed)
    T = int(rng.integers(150, 400))
    hs = [_hyper(rng, method, variant) for _ in range(2)]  # two hyper-parameter sets, alternating
    lanes = [hs[i % 2] for i in range(N)]
    x1 = rng.uniform(-1, 1, N)
    lo, hi = -1.0, 1.0
    C = rng.uniform(1.5, 50, N)
    n = rng.integers(2, 12, N)
    low = -rng.uniform(0.1, 2, N)
    p = rng.uniform(0.05, 0.6, N)
    vals = rng.normal(size=(T, N)) * rng.uniform(0.5, 20)
    # schedules and variants are kernel flags (one per batch): the second set takes the first's
    for k in ("schedule", "beta1_schedule"):
        if k in hs[0]:
            hs[1][k] = hs[0][k]
    defaults = dict(eps=0.0, eps_root=0.0, lam=np.nan)
    kw = _batch_kwargs(hs[0], method)
    for k in ("alpha", "beta1", "beta2", "eps", "lam", "eps_root"):
        kw[k] = np.array([lh.get(k, defaults.get(k)) if lh.get(k) is not None else defaults[k]
                          for lh in lanes], dtype=float)
    if np.all(np.isnan(kw["lam"])):
        kw["lam"] = None
    cps = sorted({1, T // 3, T})
    if kind == "periodic":
        res = engine.run_batch(method, C=C, n=n, low=low, x1=x1, T=T, checkpoints=cps, N=N, **kw)
    elif kind == "bernoulli":
        res = engine.run_batch(method, C=C, low=low, p=p, seed=seed, problem_kind="bernoulli",
                               x1=x1, T=T, checkpoints=cps, N=N, **kw)
        u = np.random.Generator(np.random.PCG64(seed)).random((T, N, 1))[:, :, 0]
    else:
        res = engine.run_batch(method, values=vals, problem_kind="explicit", x1=x1, T=T,
                               checkpoints=cps, N=N, **kw)
    assert res.engine == ("numba-parallel" if N >= engine.PARALLEL_MIN_LANES else "numba-serial")
    for i in range(N):
        h = {k: v for k, v in lanes[i].items()}
        meth = make(method, **h)
        if kind == "periodic":
            prob = Periodic(pattern=[C[i]] + [low[i]] * (int(n[i]) - 1))
        elif kind == "bernoulli":
            # the same coins as the batch: column i of the shared PCG64 stream
            prob = Explicit(values=list(np.where(u[:, i] < p[i], C[i], low[i])))
        else:
            prob = Explicit(values=list(vals[:, i]))
        ref = run(meth, prob, T, float(x1[i]), checkpoints=cps)
        assert close(res.x_T[i], ref.x_T), (i, res.x_T[i], ref.x_T)
        assert close(res.x_played[i], ref.x_played), (i, res.x_played[i], ref.x_played)
        assert close(res.avg_regret[i], ref.avg_regret), (i, res.avg_regret[i], ref.avg_regret)
        for k, c in enumerate(ref.checkpoints):
            assert res.checkpoints[k] == c.t
            assert close(res.cp_x[k, i], c.x) and close(res.cp_regret[k, i], c.regret)


def test_bernoulli_stream_is_the_problems_stream():
    """run_batch('bernoulli', seed=s) sees exactly the coins of Bernoulli(seed=s, batch=N)."""
    N, T, s = 5, 300, 1234
    prob = Bernoulli(p="0.2", high=7, low=-1, seed=s, batch=N)
    meth = make("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99)
    ref = run(meth, prob, T, np.zeros((N, 1)))
    res = engine.run_batch("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99, C=7, low=-1, p=0.2, seed=s,
                           problem_kind="bernoulli", T=T, N=N)
    assert close(res.x_T, ref.x_T[:, 0]) and close(res.avg_regret, ref.avg_regret)


@pytest.mark.parametrize("N", [1, 100])
def test_fast_path_equals_generic_and_reference(N):
    """The vectorised fast path returns the same bits as the generic path (paper AMSGrad, Adam)."""
    rng = np.random.default_rng(7)
    for method in ("amsgrad", "adam", "rmsprop"):
        kw = dict(beta1=rng.uniform(0, 0.99, N), beta2=rng.uniform(0.9, 0.999, N),
                  alpha=rng.uniform(0.1, 1, N), eps=rng.choice([0.0, 1e-8], N), C=1010.0,
                  low=-10.0, n=101, x1=rng.uniform(-1, 1, N), T=2000, checkpoints=[1, 500, 2000],
                  N=N)
        fast = engine.run_batch(method, **kw)
        gen = engine.run_batch(method, path="generic", **kw)
        assert fast.path == "fast" and gen.path == "generic"
        for a in ("x_T", "x_played", "regret", "cp_x", "cp_regret"):
            assert np.array_equal(getattr(fast, a), getattr(gen, a)), (method, a)
    # uniform alpha takes another branch of the fast kernel
    kw.update(alpha=0.5)
    fast = engine.run_batch("amsgrad", **kw)
    ref = run(make("amsgrad", alpha=0.5, beta1=float(kw["beta1"][0]), beta2=float(kw["beta2"][0]),
                   eps=float(kw["eps"][0])),
              Periodic(pattern=[1010] + [-10] * 100), 2000, float(kw["x1"][0]))
    assert close(fast.x_T[0], ref.x_T) and close(fast.avg_regret[0], ref.avg_regret)


def test_sgd_against_exact_rationals():
    """Dyadic data and a constant step keep SGD exact in float64: compare with Fraction arithmetic."""
    pattern = [Fraction(3), Fraction(-1), Fraction(-1), Fraction(1, 2)]
    alpha, x, T = Fraction(1, 8), Fraction(1, 4), 37
    loss, S = Fraction(0), Fraction(0)
    for t in range(1, T + 1):
        g = pattern[(t - 1) % 4]
        loss += g * x
        S += g
        x = min(max(x - alpha * g, Fraction(-1)), Fraction(1))
    regret = loss - min(-S, S)
    res = engine.run_batch("sgd", alpha=0.125, schedule="constant", pattern=[3, -1, -1, 0.5],
                           x1=0.25, T=T)
    assert res.x_T[0] == float(x) and res.regret[0] == float(regret)


def test_a_wrong_engine_would_be_caught():
    """Mutation check: the comparison used above detects a one-round phase shift and a variant swap."""
    T = 300
    meth = make("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99)
    ref = run(meth, Periodic(pattern=[1010] + [-10] * 100), T, 0.0)
    shifted = engine.run_batch("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99,
                               pattern=[-10] + [1010] + [-10] * 99, T=T)
    assert not close(shifted.avg_regret[0], ref.avg_regret)
    torch_like = engine.run_batch("amsgrad", variant="pytorch", alpha=0.5, beta1=0.9, beta2=0.99,
                                  C=1010, low=-10, n=101, T=T)
    assert not close(torch_like.x_T[0], ref.x_T)
    same = engine.run_batch("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99, C=1010, low=-10, n=101,
                            T=T)
    assert close(same.x_T[0], ref.x_T) and close(same.avg_regret[0], ref.avg_regret)


def test_pytorch_fast_path_equals_generic_and_reference():
    """The batch fast path of the PyTorch preset (shared betas) returns the generic path's bits."""
    N = 130
    rng = np.random.default_rng(11)
    for method in ("amsgrad", "adam"):
        for alpha in (0.3, rng.uniform(0.1, 1, N)):
            kw = dict(variant="pytorch", beta1=0.8, beta2=0.995, alpha=alpha,
                      eps=rng.choice([0.0, 1e-8, 0.5], N), C=rng.uniform(2, 50, N), low=-1.0,
                      n=rng.integers(2, 9, N), x1=rng.uniform(-1, 1, N), T=900,
                      checkpoints=[1, 450, 900], N=N)
            fast = engine.run_batch(method, **kw)
            gen = engine.run_batch(method, path="generic", **kw)
            assert fast.path == "fast" and gen.path == "generic"
            for a in ("x_T", "x_played", "regret", "cp_x", "cp_regret"):
                assert np.array_equal(getattr(fast, a), getattr(gen, a)), (method, a)
    i = 5
    ref = run(make("adam", variant="pytorch", alpha=float(kw["alpha"][i]), beta1=0.8, beta2=0.995,
                   eps=float(kw["eps"][i])),
              Periodic(pattern=[float(kw["C"][i])] + [-1.0] * (int(kw["n"][i]) - 1)), 900,
              float(kw["x1"][i]))
    assert close(fast.x_T[i], ref.x_T) and close(fast.avg_regret[i], ref.avg_regret)
