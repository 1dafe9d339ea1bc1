"""engine.simulate is a drop-in for numerics.run: same numbers (1e-12), same shapes and types by
the compiled engine where it applies, and the reference loop itself (never a wrong answer) where it
does not, with why_not saying why."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from numerics import Bernoulli, Explicit, Periodic, engine, get_backend, make, run
from numerics.optimizers import applicable

from _engine_kw import PAIRS, run_batch, switches

TOL = 1e-12


def close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= TOL * np.maximum(1.0, np.abs(b))))


def same_result(res, ref):
    assert res.method == ref.method and res.hyper == ref.hyper and res.problem == ref.problem
    assert res.T == ref.T
    for a in ("x_T", "x_played", "regret", "avg_regret"):
        assert type(getattr(res, a)) is type(getattr(ref, a)) or np.ndim(getattr(ref, a)) > 0, a
        assert close(getattr(res, a), getattr(ref, a)), (a, getattr(res, a), getattr(ref, a))
    assert [c.t for c in res.checkpoints] == [c.t for c in ref.checkpoints]
    for c, d in zip(res.checkpoints, ref.checkpoints):
        assert close(c.x, d.x) and close(c.regret, d.regret)
    assert res.backend["engine"].startswith("numba-")


PROBLEMS = {
    "section5-online": lambda: Periodic(pattern=[1010] + [-10] * 100),
    "thm1": lambda: Periodic(pattern=[3, -1, -1]),
    "periodic-2d": lambda: Periodic(pattern=[[3, -1], [-1, 2], [-1, -1]], lo=Fraction(-2),
                                    hi=Fraction(1, 2)),
    "bernoulli": lambda: Bernoulli(p=Fraction(1, 100), high=1010, low=-10, seed=5),
    "bernoulli-2d": lambda: Bernoulli(p="0.3", high=4, low=-1, seed=9, dim=2),
    "explicit": lambda: Explicit(values=[[0.5, -1], [2, 1], [-1, "1/3"], [3, 0]] * 60),
}
METHODS = [
    ("amsgrad", dict(alpha="0.5", beta1="0.9", beta2="0.99")),
    ("adam", dict(alpha=1, beta1=0.5, beta2=0.9, eps="1e-8", variant="pytorch")),
    ("adamx", dict(alpha="0.001", beta1="0.9", beta2="0.999", beta1_schedule="geometric",
                   lam="0.001")),
    ("adagrad", dict(alpha=1, schedule="constant")),
    ("adamnc", dict(alpha=1, beta1=0.3)),
]


def _simulate_cases():
    """(method, hyper, problem) for every method on every problem.  Each (method, gradient source) is a numba
    driver of its own (1-2 CPU-s on an empty kernel cache): the fast lane keeps AMSGrad on every problem
    (every gradient source and shape) and every method on Theorem 1's problem (7 drivers, not 15); the
    other pairs are slow (still in the suite, same assertions)."""
    return [pytest.param(mname, hyper, pname, id=f"{mname}-{pname}",
                         marks=() if mname == "amsgrad" or pname == "thm1" else pytest.mark.slow)
            for pname in PROBLEMS for mname, hyper in METHODS]


def test_bernoulli_cases_run_the_equality_kernels():
    """Each method's switches are those of test_engine_equality's Bernoulli case of its (method, variant)
    (_engine_kw.switches): the coins driver this file runs is compiled once per run, not twice."""
    for mname, hyper in METHODS:
        v = hyper.get("variant", "paper")
        assert (mname, v) in PAIRS
        want = make(mname, **applicable(mname, dict(variant=v, lam=0.5, **switches(mname, v, "bernoulli"))))
        assert make(mname, **hyper).rule.key == want.rule.key, mname


@pytest.mark.parametrize("mname,hyper,pname", _simulate_cases())
def test_simulate_equals_run(mname, hyper, pname):
    prob = PROBLEMS[pname]()
    meth = make(mname, **hyper)
    T = 240
    x1 = 0 if prob.d == 1 else [0.25, -0.5]
    ref = run(meth, prob, T, x1)
    res = engine.simulate(meth, prob, T, x1)
    same_result(res, ref)


@pytest.mark.slow  # two parallel-driver compiles (N = 80 and 70 lanes), tens of seconds on a cold cache
def test_simulate_batches_of_trajectories():
    """x1 of shape (N, d): N trajectories on a shared problem; batched Bernoulli paths."""
    rng = np.random.default_rng(3)
    meth = make("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99)
    x1 = rng.uniform(-1, 1, (80, 2))
    prob = Periodic(pattern=[[5, -1], [-1, 3], [-1, -1]])
    same_result(engine.simulate(meth, prob, 150, x1, checkpoints=[7, 150]),
                run(meth, prob, 150, x1, checkpoints=[7, 150]))
    bprob = Bernoulli(p="0.25", high=3, low=-1, seed=11, batch=70, dim=1)
    x1b = rng.uniform(-1, 1, (70, 1))
    same_result(engine.simulate(meth, bprob, 200, x1b), run(meth, bprob, 200, x1b))


def _reference_ran(res, ref):
    assert res.backend["engine"] == "reference"
    assert res.x_T == ref.x_T and res.regret == ref.regret


def test_simulate_declines_rather_than_guesses():
    prob = Periodic(pattern=[3, -1, -1])
    meth = make("amsgrad")
    B = get_backend("mpmath", 30)
    _reference_ran(engine.simulate(meth, prob, 10, 0, backend=B), run(meth, prob, 10, 0, backend=B))
    assert "not the float64 CPU backend" in engine.why_not(meth, prob, backend=B)
    custom = make("adamnc", beta2_schedule=lambda t, B: 1 - 1 / B.num(t * t + 1))
    _reference_ran(engine.simulate(custom, prob, 10, 0), run(custom, prob, 10, 0))
    assert "beta2 schedule" in engine.why_not(custom, prob)
    assert "batched Bernoulli" in engine.why_not(meth, Bernoulli(p="0.5", batch=3), 0)
    assert "dimension" in engine.why_not(meth, prob, [0.0, 0.0])  # x1 has 2 coordinates, d = 1
    with pytest.raises(ValueError, match="exceeds"):  # run() raises its own error
        engine.simulate(meth, Explicit(values=[1, 2]), 5, 0)
    assert engine.why_not(meth, prob) is None


def test_progress_and_bad_input():
    seen = []
    r = run_batch("amsgrad", C=1010, low=-10, n=101, T=50, progress=lambda t, T: seen.append(t))
    assert seen[-1] == 50 and r.N == 1 and r.steps_per_s > 0
    with pytest.raises(ValueError, match="T must be >= 1"):
        run_batch("amsgrad", C=3, n=3, T=0)
    with pytest.raises(ValueError, match="unknown optimizer"):
        run_batch("nosuchopt", C=3, n=3, T=5)  # lion, adamw, ... exist now (the zoo)
    with pytest.raises(ValueError, match="different lengths"):
        run_batch("adam", C=3, n=3, T=5, alpha=[1, 2], beta1=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="device"):
        run_batch("adam", C=3, n=3, T=5, device="tpu")
    with pytest.raises(engine.EngineUnavailable, match="no rule"):
        engine.batch(object(), Periodic(pattern=[1]), 5)
