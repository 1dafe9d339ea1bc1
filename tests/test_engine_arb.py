"""The fused certified loop returns exactly the balls of numerics.run on the arb backend
(same midpoints, same radii), and is reached through engine.simulate(backend=arb)."""
from __future__ import annotations

import pytest

from numerics import Bernoulli, Explicit, Periodic, engine, make, run
from numerics.backends import ArbBackend
from numerics.engine.arb import run_arb

from _engine_kw import run_batch

pytest.importorskip("flint")


def same(a, b):
    return a.mid() == b.mid() and a.rad() == b.rad()


METHODS = [("amsgrad", dict(alpha="0.5", beta1="0.9", beta2="0.99")),
           ("adam", dict(variant="pytorch", eps="1e-8")),
           ("adam", dict(variant="keras", eps="0.001")),
           ("amsgrad", dict(variant="optax", beta1_schedule="harmonic")),
           ("adamx", dict(beta1_schedule="geometric", lam="0.001")),
           ("adagrad", dict(eps="0.1")), ("sgd", dict(schedule="constant", alpha="0.01")),
           ("adamnc", {}), ("rmsprop", dict(eps="1e-3"))]
PROBLEMS = [lambda: Periodic(pattern=[1010] + [-10] * 100),
            lambda: Bernoulli(p="0.3", high=3, low=-1, seed=4),
            lambda: Explicit(values=["1/3", -2, "0.7"] * 80)]


@pytest.mark.parametrize("mname,hyper", METHODS, ids=[f"{m}-{i}" for i, (m, _) in enumerate(METHODS)])
@pytest.mark.parametrize("pi", range(len(PROBLEMS)))
def test_fused_arb_gives_the_same_balls(mname, hyper, pi):
    B = ArbBackend(100)
    meth, prob = make(mname, **hyper), PROBLEMS[pi]()
    ref = run(meth, prob, 240, "0.25", backend=B, checkpoints=[1, 17, 240])
    res = engine.simulate(meth, prob, 240, "0.25", backend=B, checkpoints=[1, 17, 240])
    assert res.backend["engine"] == "arb-fused"
    for a in ("x_T", "x_played", "regret", "avg_regret"):
        assert same(getattr(res, a), getattr(ref, a)), a
    assert [c.t for c in res.checkpoints] == [c.t for c in ref.checkpoints]
    for c, d in zip(res.checkpoints, ref.checkpoints):
        assert same(c.x, d.x) and same(c.regret, d.regret)


def test_balls_enclose_the_float_engine_and_differ_when_they_should():
    B = ArbBackend(100)
    meth = make("amsgrad", alpha="0.5", beta1="0.9", beta2="0.99")
    prob = Periodic(pattern=[1010] + [-10] * 100)
    res = run_arb(meth, prob, 3000, 0, B)
    f = run_batch("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99, C=1010, low=-10, n=101, T=3000)
    assert abs(float(res.x_T.mid()) - float(f.x_T[0])) < 1e-12
    assert res.x_T.rad() < 1e-20
    other = run_arb(make("amsgrad", alpha="0.5", beta1="0.9", beta2="0.999"), prob, 3000, 0, B)
    assert not same(other.x_T, res.x_T)  # the comparison can fail


def test_declines_outside_its_scope():
    B = ArbBackend(100)
    meth = make("amsgrad")
    for prob, x1, why in [(Periodic(pattern=[[1, 2], [-1, -1]]), 0, "1-D"),
                          (Periodic(pattern=[3, -1]), [0.0], "scalar x1"),
                          (Bernoulli(p="0.5", batch=2), 0, "one path")]:
        assert why in engine.why_not(meth, prob, x1, backend=B)
        res = engine.simulate(meth, prob, 5, x1, backend=B)
        assert res.backend["engine"] == "reference"
