"""The fast paths of counterexamples.drift.general give the numbers of the straightforward code.

settle_float compares states with plain floats instead of numpy arrays, the numpy scan drops the lanes
that have settled, scan_C_float runs each lane in the rule's numba-compiled step, certify_replay finds the
invariant box while replaying the exact start; all only to save time.  Checked here against the code they replaced (numpy
comparisons, written out below) and against each lane scanned alone (no lane ever dropped beside it)."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from counterexamples.drift import general
from numerics.backends import FloatBackend
from numerics.optimizers import FACTORIES


def _limit(name, b1="0.5", b2="0.9"):
    if name in ("adam", "amsgrad"):
        return lambda: FACTORIES[name](alpha=1, beta1=Fraction(b1), beta2=Fraction(b2), eps=1e-8,
                                       schedule="constant", bias_correction_m=False, bias_correction_v="none")
    extra = {"variant": "optax", "initial": "1e-6"} if name == "yogi" else {}
    return lambda: FACTORIES[name](alpha=1, beta1=Fraction(b1), beta2=Fraction(b2), eps=Fraction(1, 1000),
                                   schedule="constant", bias_correction=False, **extra)


def _settle_numpy(meth, pattern, max_periods, min_periods=3):
    """settle_float as it was written before (numpy comparisons, period_float per period)."""
    init, update = meth.build(FloatBackend())
    state = init(0.0)
    _, state, _ = update(float(pattern[0]), state, 1)
    pat = list(pattern[1:]) + [pattern[0]]
    prev = None
    for k in range(max_periods):
        state, D = general.period_float(meth, pat, state, update)
        vec = np.array([float(v) for v in state], dtype=np.float64)
        if prev is not None and k >= min_periods:
            scale = np.maximum(np.abs(vec), 1e-300)
            if np.all(np.abs(vec - prev) <= general.SETTLE_TOL * scale) or np.all(vec == prev):
                return state, D, k + 1, True
            if not np.all(np.isfinite(vec)):
                return state, D, k + 1, False
        prev = vec
    return state, D, max_periods, False


@pytest.mark.parametrize("name", ["adam", "amsgrad", "yogi", "adabelief"])
def test_settle_float_gives_the_numbers_of_the_numpy_comparisons(name):
    for C in (2, 5, 13):
        pattern = [C] + [-1] * (C - 1)
        meth = _limit(name)()
        got = general.settle_float(meth, pattern, 3000 // C)
        want = _settle_numpy(meth, pattern, 3000 // C)
        assert tuple(got[0]) == tuple(want[0]) and got[1:] == want[1:], (name, C)


@pytest.mark.parametrize("vec, prev, want", [
    ([1.0, 2.0], [1.0, 2.0], True),
    ([1.0, 2.0], [1.0, 2.0 * (1 + 1e-12)], None),
    ([0.0, 1e-310], [0.0, 1e-310], True),
    ([math.nan, 1.0], [math.nan, 1.0], False),  # NaN equals nothing, not even itself: never "settled"
    ([math.inf, 1.0], [1.0, 1.0], True),  # inf <= TOL * inf, as in numpy (drift() then refuses the state)
    ([1.0, math.nan], [1.0, 1.0], False),  # a state that is no longer finite ends the search unsettled
    ([math.nan, 1.0], [1.0, 1.0], False),
])
def test_settle_test_matches_numpy_on_edge_values(vec, prev, want):
    v, p = np.array(vec), np.array(prev)
    with np.errstate(invalid="ignore"):
        ref = True if (np.all(np.abs(v - p) <= general.SETTLE_TOL * np.maximum(np.abs(v), 1e-300))
                       or np.all(v == p)) else (False if not np.all(np.isfinite(v)) else None)
    assert ref is want
    assert general._settle_test(vec, prev) is want


@pytest.mark.parametrize("name", ["adam", "yogi"])
def test_scan_drops_settled_lanes_without_changing_the_others(name):
    # each lane scanned alone (nothing dropped beside it) gives the bits it gets among all the others
    make = _limit(name)
    Cs = np.array([2, 3, 4, 9, 17, 40])
    settle = general.settle_rounds_for("0.5", "0.9")
    together = general._scan_numpy(make, Cs, settle)  # the numpy batch (scan_C_float runs lanes compiled)
    alone = np.array([general._scan_numpy(make, [c], settle)[0] for c in Cs])
    assert np.isfinite(together).all()
    assert np.array_equal(together, alone)


# ------------------------------------------------------------------------------------------------
# certify_replay: the box found while the exact start is replayed in balls (the threshold search's C')

def _adam_limit(name, b1, b2):
    return FACTORIES[name](alpha=1, beta1=Fraction(b1), beta2=Fraction(b2), eps=0, schedule="constant",
                           bias_correction_m=False, bias_correction_v="none")


@pytest.mark.parametrize("b1, b2, C", [("0", "1/10", 3), ("9/10", "99/100", 2), ("9/10", "99/100", 30),
                                       ("9/10", "999/1000", 14), ("1/2", "9/10", 40)])
def test_replay_encloses_the_closed_form_drift(b1, b2, C):
    """The D ball of certify_replay encloses the closed-form steady drift of counterexamples.drift.steady
    (Adam: -sum m_j/sqrt(v_j); AMSGrad: -(C - (n-1))/sqrt(v_0)), computed without the period map, and its
    sign is that drift's sign."""
    from counterexamples.drift import amsgrad_drift, drift

    pattern = [C] + [-1] * (C - 1)
    for name, want in (("adam", drift(Fraction(b1), Fraction(b2), C, C, backend="arb")),
                       ("amsgrad", amsgrad_drift(Fraction(b1), Fraction(b2), C, C, backend="arb"))):
        r = general.certify_replay(_adam_limit(name, b1, b2), pattern, general.ARB_ROUNDS)
        assert r.sign == (1 if want > 0 else -1), (name, r)
        import flint

        mid, rad = r.enclosure.split(" +/- ")
        ball = flint.arb(mid, float(rad) * 1.01 + abs(float(mid)) * 1e-11)  # the printed ball, rounded outwards
        assert ball.overlaps(want) and abs(float(want.mid()) - float(mid)) <= float(rad) * 1.01 + 1e-11, (name, r)


@pytest.mark.parametrize("name", ["adam", "amsgrad", "adabelief"])
def test_replay_agrees_with_the_settle_first_path(name):
    # the same sign, and the two D balls (both enclose D over a box holding every later state) overlap
    import flint

    for b2, C in (("99/100", 29), ("99/100", 30), ("999/1000", 75)):
        meth = _limit(name, "9/10", b2)
        pattern = [C] + [-1] * (C - 1)
        fast = general.certify_replay(meth(), pattern, general.ARB_ROUNDS)
        slow = general.drift(meth(), pattern)
        assert fast.sign == slow.sign and fast.sign in (1, -1), (name, C, fast, slow)
        a, b = (flint.arb(m, float(r)) for m, r in (x.enclosure.split(" +/- ") for x in (fast, slow)))
        assert abs(float(a.mid()) - float(b.mid())) <= float(a.rad()) + float(b.rad()) + 1e-9, (name, C)
        assert fast.rounds < slow.rounds / 2, (name, C, fast.rounds, slow.rounds)  # what it is for


def test_replay_says_unknown_where_no_box_can_be_proved():
    # Yogi's v circulates (no contraction): sign None, and drift() then takes the hull path
    yogi = _limit("yogi", "9/10", "99/100")
    r = general.certify_replay(yogi(), [5, -1, -1, -1, -1], general.ARB_ROUNDS)
    assert r.sign is None and "does not contract" in r.reason
    assert general.drift(yogi(), [5, -1, -1, -1, -1], replay_first=True).sign == -1
    # a budget too small to reach any box: None, not a guess from the float midpoints
    r = general.certify_replay(_adam_limit("adam", "9/10", "999/1000"), [2, -1], 200)
    assert r.sign is None and "budget" in r.reason and r.rounds <= 200


def test_replay_rejects_a_box_that_is_not_invariant(monkeypatch):
    """The estimate only chooses the box: with boxes far too small for the distance still to go (radius
    1e-6 of the estimate), no box is invariant until the state is truly there, and nothing is claimed
    before; the sign, when it comes, is the true one."""
    monkeypatch.setattr(general, "REPLAY_RADIUS_FACTOR", 1e-6)
    monkeypatch.setattr(general, "REPLAY_REL_MIN", 0.0)
    meth = _adam_limit("adam", "9/10", "99/100")
    r = general.certify_replay(meth, [30, *[-1] * 29], 30_000)
    monkeypatch.undo()
    ok = general.certify_replay(meth, [30, *[-1] * 29], 30_000)
    assert ok.sign == 1
    assert r.sign in (None, 1) and (r.sign is None or r.periods > ok.periods), (r, ok)


def test_scalar_invariant_arb_gives_the_balls_of_invariant_arb():
    # the scalar-only helpers apply the same arb functions as the lifted ones: equal balls on random input
    import flint

    rng = np.random.default_rng(20261207)
    S, B = general.ScalarInvariantArb(128), general.InvariantArb(128)
    with B.precision():
        for _ in range(300):
            a = flint.arb(float(rng.normal()) * 10, float(abs(rng.normal())) * 10.0 ** rng.integers(-30, 0))
            b = flint.arb(float(rng.normal()) * 10, float(abs(rng.normal())) * 10.0 ** rng.integers(-30, 0))
            if rng.random() < 0.2:
                b = a if rng.random() < 0.5 else flint.arb(0)
            for op in ("maximum", "minimum", "safe_div", "sign"):
                args = (a,) if op == "sign" else (a, b)
                x, y = getattr(S, op)(*args), getattr(B, op)(*args)
                assert x.mid() == y.mid() and x.rad() == y.rad(), (op, a, b)
            x, y = S.sqrt(abs(a)), B.sqrt(abs(a))
            assert (x.mid() == y.mid() and x.rad() == y.rad()) or (not x.is_finite() and not y.is_finite())


@pytest.mark.parametrize("name", ["adam", "yogi"])  # a max (AMSGrad), AdaBelief: the same operations
def test_compiled_scan_gives_the_bits_of_the_numpy_scan(name):
    # the lane loop in the rule's numba-compiled step against the numpy batch (every lane together)
    make = _limit(name)
    Cs = np.array([2, 3, 5, 9, 17, 40, 41])
    settle = general.settle_rounds_for("0.5", "0.9")
    compiled = general._scan_compiled(make(), Cs, settle, general.SCAN_WINDOW, general.SCAN_MAX_ROUNDS)
    assert compiled is not None  # these rules compile: otherwise the speed-up silently does not apply
    want = general._scan_numpy(make, Cs, settle)
    assert np.isfinite(want).all() and np.array_equal(compiled, want)
    assert np.array_equal(general.scan_C_float(make, Cs, settle), want)


def test_compiled_scan_falls_back_to_numpy_for_a_rule_numba_cannot_type(monkeypatch):
    make = _limit("adam")
    Cs = np.array([2, 7])
    settle = general.settle_rounds_for("0.5", "0.9")

    def broken(rule):
        raise TypeError("numba cannot type this rule")

    import numerics.engine.kernels as K

    monkeypatch.setattr(K, "compiled_step", broken)
    monkeypatch.setattr(K, "cached_module", lambda rule, parallel, driver, values=None: broken(rule))
    monkeypatch.setattr(general, "_LANES", {})
    assert general._scan_compiled(make(), Cs, settle, general.SCAN_WINDOW, general.SCAN_MAX_ROUNDS) is None
    assert np.array_equal(general.scan_C_float(make, Cs, settle), general._scan_numpy(make, Cs, settle))


def test_compiled_scan_without_the_written_module_gives_the_same_bits(monkeypatch):
    # a step that cannot be written out as module source runs the loop with the step as an argument
    make = _limit("adam")
    Cs = np.array([2, 9, 40])
    settle = general.settle_rounds_for("0.5", "0.9")
    monkeypatch.setattr(general, "_lane_for", lambda rule: None)
    got = general._scan_compiled(make(), Cs, settle, general.SCAN_WINDOW, general.SCAN_MAX_ROUNDS)
    assert got is not None and np.array_equal(got, general._scan_numpy(make, Cs, settle))


@pytest.mark.parametrize("name", ["amsgrad", "yogi"])
def test_compiled_settle_and_hull_give_the_bits_of_the_python_loops(name, monkeypatch):
    # settle_float / hull_float in the rule's compiled step against the same loops in Python floats
    meth = _limit(name)()
    assert general._float_module(meth) is not None  # the rule compiles: otherwise nothing is compared
    for C in (2, 13):
        pattern = [C] + [-1] * (C - 1)
        fast = general.settle_float(meth, pattern, 4000 // C)
        fast_hull = general.hull_float(meth, pattern, fast[0], 40)
        monkeypatch.setattr(general, "FLOAT_COMPILED", False)
        slow = general.settle_float(meth, pattern, 4000 // C)
        slow_hull = general.hull_float(meth, pattern, slow[0], 40)
        monkeypatch.setattr(general, "FLOAT_COMPILED", True)
        assert tuple(fast[0]) == tuple(slow[0]) and fast[1:] == slow[1:], (name, C)
        assert tuple(fast_hull[0]) == tuple(slow_hull[0]) and fast_hull[3] == slow_hull[3]
        assert np.array_equal(fast_hull[1], slow_hull[1]) and np.array_equal(fast_hull[2], slow_hull[2])


# ------------------------------------------------------------------------------------------------
# certify_replay_lanes: the C' of the smallest-C search replayed together in float64 intervals
GRID = (2, 3, 4, 5, 7, 9, 12, 16, 23, 31, 32, 40, 57)


@pytest.mark.parametrize("name", ["adam", "amsgrad", "adabelief"])
def test_interval_lanes_decide_as_the_arb_replay_does(name):
    """Every lane the intervals decide has the sign that certify_replay (128-bit balls, one C' at a time)
    certifies, and on this grid the intervals decide every lane the balls do (Adam at (0.9, 0.99): D < 0
    below C = 30, D > 0 from 30 on, so both signs occur)."""
    make = _limit(name, "0.9", "0.99")
    lanes, rounds = general.certify_replay_lanes(make(), GRID, 4096)
    assert rounds > 0
    for c in GRID:
        r = general.certify_replay(make(), [c] + [-1] * (c - 1), 150_000)
        if r.sign in (1, -1):
            assert c in lanes, (name, c, r.reason)
        if c in lanes:
            assert lanes[c].sign == r.sign, (name, c, lanes[c].reason, r.reason)
    if name == "adam":
        assert {lanes[c].sign for c in GRID if c < 30} == {-1} and {lanes[c].sign for c in GRID if c >= 30} == {1}


def test_interval_lanes_leave_a_rule_that_branches_on_a_value_to_the_balls():
    """A rule written with a Python comparison (it runs on arb balls, whose comparisons are certain) cannot
    run on intervals: no lane is decided there, and the search's answer comes from the balls unchanged."""
    from numerics.optimizers import Method, Rule

    base = _limit("amsgrad", "0.9", "0.99")()

    def make(B):
        class Branching:  # B with a max written as a branch on the values
            def __getattr__(self, k):
                return getattr(B, k)

            @staticmethod
            def maximum(a, b):
                return a if a >= b else b

        return base.rule.make(Branching())

    meth = Method("branching", dict(base.hyper), Rule(("branching",), make, base.rule.Hyper, base.rule.State),
                  dict(base.numbers))
    lanes, _ = general.certify_replay_lanes(meth, GRID, 512)
    assert lanes == {}
    r = general.certify_replay(meth, [5, -1, -1, -1, -1], 150_000)
    assert r.sign == -1


def test_the_search_with_interval_lanes_gives_the_same_answer_and_no_narrower_range(monkeypatch):
    """AMSGrad's limit form at (0.9, 0.99), C' up to 120: the balls alone certify a part of [2, 120] within
    the budget; with the intervals first, every C' (PROVED), and the answer (none) is the same."""
    make = _limit("amsgrad", "0.9", "0.99")
    monkeypatch.setattr(general, "INTERVAL_MIN_LANES", 64)
    out = {}
    for on in (False, True):
        monkeypatch.setattr(general, "INTERVAL_LANES", on)
        out[on] = general.smallest_diverging_C(make, "0.9", "0.99", 120, certify_rounds=20 * 120,
                                               replay_first=True)
    assert out[False].C is None and out[True].C is None
    assert out[True].certified_below >= out[False].certified_below
    assert out[False].verdict.status == "evidence" and out[True].verdict.status == "proved"
