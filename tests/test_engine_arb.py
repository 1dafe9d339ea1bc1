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


# --- the generated loop (engine.specialise) against the reference, every switch ---------------
from numerics.optimizers import BIAS_CORRECTION_V  # noqa: E402
from numerics.engine import arb as engine_arb  # noqa: E402
from numerics.engine import specialise as SP  # noqa: E402

SWITCHED = ([("amsgrad", dict(bias_correction_m=bcm, bias_correction_v=bcv, eps="1e-3", eps_root="1e-4",
                               schedule=sched, beta1_schedule=b1s, lam="0.9"))
             for bcm in (False, True) for bcv in BIAS_CORRECTION_V
             for sched, b1s in (("sqrt", "constant"), ("constant", "geometric"), ("sqrt", "harmonic"))]
            + [("adam", dict(variant=v, eps="1e-8")) for v in ("paper", "pytorch", "optax", "keras")]
            + [("adamx", dict(beta1_schedule=b, lam="0.5")) for b in ("constant", "geometric", "harmonic")]
            + [("adamnc", dict(beta1_schedule="harmonic")), ("adagrad", dict(schedule="constant")),
               ("sgd", {}), ("rmsprop", dict(variant="optax"))])


@pytest.mark.parametrize("k", range(len(SWITCHED)))
def test_generated_loop_gives_the_reference_balls_for_every_switch(k):
    mname, hyper = SWITCHED[k]
    B = ArbBackend(80)
    meth = make(mname, alpha="0.3", **hyper)
    # a Bernoulli path exercises the per-object memo, the periodic pattern the per-position one
    for prob in (Periodic(pattern=["7/3", -1, "-1/7"]), Bernoulli(p="0.4", high="5/2", low="-0.5", seed=k)):
        ref = run(meth, prob, 60, "-0.125", backend=B, checkpoints=[1, 2, 31, 60])
        for generated in (True, False):
            res = run_arb(meth, prob, 60, "-0.125", B, [1, 2, 31, 60], generated=generated)
            assert res.backend["engine"] == ("arb-fused" if generated else "arb-fused-plain")
            for a in ("x_T", "x_played", "regret"):
                assert same(getattr(res, a), getattr(ref, a)), (a, generated)
            for c, d in zip(res.checkpoints, ref.checkpoints, strict=True):
                assert c.t == d.t and same(c.x, d.x) and same(c.regret, d.regret)


def test_a_wrong_hoist_is_caught(monkeypatch):
    """The comparison above can fail: classifying what depends on the round index as depending on
    the gradient alone memoises alpha_t = alpha/sqrt(t) with the first round that saw each gradient,
    and the balls no longer match the reference."""
    B = ArbBackend(80)
    meth, prob = make("amsgrad", alpha="0.3"), Bernoulli(p="0.5", high=2, low=-1, seed=1)
    ref = run(meth, prob, 30, 0, backend=B, checkpoints=[])
    monkeypatch.setattr(SP, "T", SP.G)
    monkeypatch.setattr(engine_arb, "_LOOPS", {})  # neither reuse a good loop nor keep this one
    res = run_arb(meth, prob, 30, 0, B, [])
    assert res.backend["engine"] == "arb-fused"
    assert not same(res.x_T, ref.x_T)


def test_the_rewrites_hoist_what_they_should():
    """For paper AMSGrad: 1 - beta1 and 1 - beta2 once, (1-beta1) g and (1-beta2) g^2 per gradient
    object, alpha_t and the root every round, inv_lr (denom / lr) never."""
    B = ArbBackend(80)
    meth = make("amsgrad")
    with B.precision():
        _, update = meth.rule.make(engine_arb.ScalarArb(B))
        sp = SP.specialise(update, meth.rule.State)
    memo = " ".join(e for _, e in sp.memo)
    body = "\n".join(sp.body)
    assert "_g * _g" in memo and "_g" not in "".join(sp.prelude)
    assert "_t" in body and "sqrt" in body and "_u_lr" in body
    assert "/ _u_lr" not in body  # the unread inv_lr is gone


def test_outside_the_language_runs_the_plain_loop():
    def update(h, g, state, t):
        for _ in range(2):
            pass
        return g, state, g

    with pytest.raises(SP.NotSpecialisable):
        SP.specialise(update, make("sgd").rule.State)
