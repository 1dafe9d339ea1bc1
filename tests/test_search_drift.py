"""The exact drift criterion: closed form vs the simulator, the projection argument, thresholds, and
agreement of the predictions with long simulations away from the boundary.

Expected values come from an independent computation written here from the *definition*
(m_j = (1-b1)/(1-b1^n) sum_k b1^k g_{j-k}, mpmath at 50 digits, explicit gradient lists), from the
simulator's own state (numerics.run), or from theory (sum_j m_j = C - (n-1))."""
import math
import random
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest

from counterexamples import drift as dr

mp = mpmath.MPContext()
mp.dps = 50


def D_definition(b1, b2, C, n, eps=0):
    """D from the definition with an explicit gradient list (no closed form), mpmath 50 digits."""
    b1, b2, C = mp.mpf(F(b1).numerator) / F(b1).denominator, mp.mpf(F(b2).numerator) / F(b2).denominator, \
        mp.mpf(F(C).numerator) / F(C).denominator
    g = [C] + [mp.mpf(-1)] * (n - 1)
    # each power and square once (the same mpf values as b1 ** k etc. written inside the sums: the sums add the
    # same numbers in the same order, so D is the same to the last bit; O(n) powers instead of O(n^2))
    p1, p2 = [b1 ** k for k in range(n)], [b2 ** k for k in range(n)]
    g2 = [x ** 2 for x in g]
    tot = mp.mpf(0)
    for j in range(n):
        m = (1 - b1) / (1 - b1 ** n) * sum(p1[k] * g[(j - k) % n] for k in range(n))
        v = (1 - b2) / (1 - b2 ** n) * sum(p2[k] * g2[(j - k) % n] for k in range(n))
        tot -= m / mp.sqrt(v + eps)
    return tot


@pytest.mark.parametrize("b1,b2,C,n", [("0.9", "0.99", 30, 30), ("0", "0.5", 3, 3), ("0.5", "0.9", 7, 5),
                                       ("0.3", "0.7", "5/2", 3), ("0.9", "0.999", 120, 101)])
def test_closed_form_matches_definition_on_every_backend(b1, b2, C, n):
    ref = D_definition(b1, b2, C, n)
    assert abs(dr.drift(b1, b2, C, n, backend="float") - float(ref)) <= 1e-12 * max(1, abs(float(ref)))
    assert abs(dr.drift(b1, b2, C, n, backend="mpmath") - ref) < mp.mpf(10) ** -40
    ball = dr.drift(b1, b2, C, n, backend="arb", prec=200)
    assert ball.lower() <= float(ref) + 1e-15 and ball.upper() >= float(ref) - 1e-15 and ball.rad() < 1e-40
    if n <= 5:
        assert abs(float(dr.drift(b1, b2, C, n, backend="exact").evalf(40)) - float(ref)) < 1e-14


def test_steady_state_is_what_the_simulator_reaches():
    """numerics.run's own m_t, v_t after many periods equal the closed-form steady state."""
    from numerics.optimizers import make
    from numerics.run import run

    from analysis.families import periodic_problem

    b1, b2, C, n = F(9, 10), F(1, 2), 5, 7
    seen = {}
    run(make("adam", alpha=1, beta1=b1, beta2=b2), periodic_problem(C, n), 7 * 400, x1=0,
        on_step=lambda t, x, g, il, st: seen.__setitem__(t, (float(st.m), float(st.v))))
    m, v = dr.steady_state(b1, b2, C, n)
    last = 7 * 400
    for j in range(n):  # round t has phase (t-1) mod n
        t = last - n + 1 + j
        assert abs(seen[t][0] - float(m[j])) < 1e-12 and abs(seen[t][1] - float(v[j])) < 1e-12
    # theory: the EMA preserves the period sum, sum_j m_j = C - (n-1)
    assert sum(m) == C - (n - 1)
    assert dr.amsgrad_drift(b1, b2, C, n) == pytest.approx(-(C - (n - 1)) / math.sqrt(float(max(v))), rel=1e-14)


def test_period_map_of_the_projection_argument():
    """Steps first <= 0 then > 0 on [-1, 1]: y_end = min(1, max(-1 + P, y + N + P)) exactly."""
    rng = random.Random(1)
    for _ in range(3000):
        k = rng.randint(0, 6)
        steps = sorted([-rng.random() for _ in range(k)]) + [rng.random() * 0.7 for _ in range(rng.randint(0, 6))]
        steps = [s for s in steps if s <= 0] + [s for s in steps if s > 0]
        y = rng.uniform(-1, 1)
        z = y
        for s in steps:
            z = min(1.0, max(-1.0, z + s))
        N = sum(s for s in steps if s <= 0)
        P = sum(s for s in steps if s > 0)
        assert abs(z - min(1.0, max(-1.0 + P, y + N + P))) < 1e-12
    # and the sign pattern holds on the family: m_j falls inside a period (m_j + 1 = b1^j (m_0 + 1))
    m, _ = dr.steady_state(F(9, 10), F(99, 100), 30, 30)
    assert all(m[j] > m[j + 1] for j in range(29)) and m[0] > 0 > m[-1]


def test_sign_is_certified_and_can_fail():
    s30, s29 = dr.drift_sign("0.9", "0.99", 30, 30), dr.drift_sign("0.9", "0.99", 29, 29)
    assert (s30.sign, s29.sign) == (1, -1)
    assert s30.verdict.proved and (s30.verdict.label, s29.verdict.label) == ("diverges", "converges")
    assert D_definition("0.9", "0.99", 30, 30) > 0 > D_definition("0.9", "0.99", 29, 29)
    # an interval that straddles the boundary is not decided
    und = dr.drift_sign((F(0), F(1)), (F(0), F(1)), 30, 30)
    assert und.sign is None and und.status == "unknown" and not und.verdict.proved


@pytest.mark.parametrize("b1,b2", [("0.9", "0.99"),
                                   # C = 74: 73 definitions at 50 digits (about 3 s); the fast lane keeps the others
                                   pytest.param("0.9", "0.999", marks=pytest.mark.slow),
                                   ("0", "0.5"), ("0.5", "0.9")])
def test_smallest_diverging_C_is_exactly_minimal(b1, b2):
    th = dr.smallest_diverging_C(b1, b2)
    assert th.certified and th.status == "proved" and th.checked == (2, th.C)
    # independent brute force from the definition: every C' < C negative, C positive
    assert D_definition(b1, b2, th.C, th.C) > 0
    for Cp in range(2, th.C):
        assert D_definition(b1, b2, Cp, Cp) < 0, Cp
    assert th.neighbour == th.C - 1


def test_fixed_period_range_and_its_largest_C():
    th = dr.diverging_C_range("0.9", "0.99", 101)
    assert th.C == 124 and th.neighbour == 125  # value checked against the definition below
    assert D_definition("0.9", "0.99", 124, 101) > 0 > D_definition("0.9", "0.99", 125, 101)
    # D falls as C grows for fixed n (float scan) and tends to a negative constant
    Cs = np.arange(101, 5000, dtype=float)
    vals = dr.drift(0.9, 0.99, Cs, 101, backend="float")
    assert np.all(np.diff(vals) < 0)
    S1 = sum(0.9 ** k for k in range(101))
    S2 = sum(0.99 ** k for k in range(101))
    limit = -math.sqrt(S2) / S1 * sum((0.9 / math.sqrt(0.99)) ** j for j in range(101))
    assert dr.drift(0.9, 0.99, 1e9, 101, backend="float") == pytest.approx(limit, rel=1e-6)


@pytest.mark.slow  # 100 lanes x 2e6 rounds (about 13 s); the fast lane keeps the simulated threshold
# neighbours and the Section 5 boundary below
def test_predictions_agree_with_long_simulations_away_from_the_boundary():
    """Exact sign of D vs Adam from x1 = 0 after T = 2e6 rounds (alpha = 1), on a grid of 100 points;
    points where the predicted displacement 2|D| sqrt(T)/n < 4 are excluded (the band)."""
    from _engine_kw import run_batch

    pts = [(b1, b2, C, n) for b1 in ("0", "0.3", "0.6", "0.9") for b2 in ("0.3", "0.6", "0.9", "0.99", "0.999")
           for C, n in ((3, 3), (10, 10), (30, 30), (101, 101), (120, 101))]
    T = 2_000_000
    # two batches of 50 points: each below engine.PARALLEL_MIN_LANES, so the serial driver runs them (the same
    # bits as the parallel one, tests/test_engine_equality.py) and the parallel driver is not compiled for this
    # test alone (3-4 CPU-s on an empty kernel cache); the points, T and the comparison are unchanged
    x_T = np.concatenate([run_batch("adam", beta1=np.array([float(F(p[0])) for p in part]),
                                    beta2=np.array([float(F(p[1])) for p in part]), alpha=1.0,
                                    C=np.array([float(p[2]) for p in part]), n=np.array([p[3] for p in part]),
                                    x1=0.0, T=T).x_T
                          for part in (pts[:50], pts[50:])])
    assert x_T.shape == (len(pts),) == (100,)
    agree = compared = 0
    for k, (b1, b2, C, n) in enumerate(pts):
        D = float(D_definition(b1, b2, C, n))
        if abs(dr.predicted_displacement(D, 1.0, T, n)) < 4:
            continue
        compared += 1
        sim = 1 if x_T[k] > 0.5 else (-1 if x_T[k] < -0.5 else 0)
        agree += sim == dr.drift_sign(b1, b2, C, n).sign
    print(f"agreement {agree}/{compared} (band: 2|D|sqrt(T)/n < 4 excluded, {len(pts) - compared} points)")
    assert compared >= 60 and agree == compared


def test_threshold_neighbours_in_simulation():
    """C = 30 (smallest with D > 0 at (0.9, 0.99)) leaves the optimum; C = 29 returns to it (T = 1e8)."""
    from _engine_kw import run_batch

    r = run_batch("adam", beta1="0.9", beta2="0.99", alpha=1.0, C=np.array([30.0, 29.0]),
                  n=np.array([30, 29]), x1=np.array([-1.0, 1.0]), T=100_000_000)
    assert r.x_T[0] > 0.99 and r.x_T[1] < -0.99


def test_long_period_block_enclosure_contains_the_exact_sum(monkeypatch):
    """For n > BLOCK_N the tail is enclosed by monotone blocks: the ball must contain the full sum."""
    exact = dr.drift("0.9", "0.99", 30000, 30000)  # n below the default BLOCK_N: term by term
    from counterexamples.drift import steady

    monkeypatch.setattr(steady, "BLOCK_N", 1000)  # the constant lives in drift.steady
    blocked = dr.drift("0.9", "0.99", 30000, 30000)
    assert blocked.contains(exact) and blocked.rad() < 1e-3 * abs(float(exact.mid()))
    assert blocked.rad() > exact.rad()  # it really took the block path


def test_period_map_identities_proved_and_mutation_refuted():
    from counterexamples.drift.period_map import mutated, prove_all
    from proofs.z3kit import prove

    assert all(v["status"] == "proved" for v in prove_all().values())
    claim, hyp = mutated()
    v = prove(claim, hyp)
    assert v.status == "refuted"


def test_section5_beta2_boundary():
    """Section 5 problem (C = n = 101, beta1 = 0.9): D changes sign once, near beta2 = 0.99952;
    beta2 = 0.999 diverges (also in simulation) and 0.9999 converges."""
    from _engine_kw import run_batch

    bb = dr.boundary_beta2("0.9", 101, 101)
    assert bb["sign_changes"] == 1 and 0.9995 < float(bb["lo"]) <= float(bb["hi"]) < 0.9996 and bb["lo"] < bb["hi"]
    assert D_definition("0.9", bb["lo"], 101, 101) > 0 > D_definition("0.9", bb["hi"], 101, 101)
    assert D_definition("0.9", "0.999", 101, 101) > 0 > D_definition("0.9", "0.9999", 101, 101)
    r = run_batch("adam", beta1="0.9", beta2=np.array([0.999, 0.9999]), alpha=1.0, C=101.0, n=101,
                  x1=np.array([-1.0, 1.0]), T=10_000_000)
    assert r.x_T[0] > 0.9 and r.x_T[1] < -0.9


def test_kept_drift_terms_give_the_same_balls():
    """The arb path keeps m_j and the roots per exact input and precision (grids share rows and columns):
    a kept evaluation is the same ball to the last bit as a fresh one (an arb ball input is never kept), at
    each precision separately, with eps = 0 and eps > 0."""
    from analysis.interval import arb_precision
    from counterexamples.drift import steady

    def bits(x):
        return x.mid().man_exp(), x.rad().man_exp()

    box1, box2 = (F(28, 32), F(29, 32)), (F(999, 1000), F(9995, 10000))
    for eps in (0, F(1, 100)):
        steady._kept_m.cache_clear()
        steady._kept_roots.cache_clear()
        fresh = {p: dr.drift(box1, box2, 101, 101, eps=eps, prec=p) for p in (64, 256)}
        assert steady._kept_m.cache_info().currsize == 2  # one list per precision
        kept = {p: dr.drift(box1, box2, 101, 101, eps=eps, prec=p) for p in (64, 256)}
        assert steady._kept_m.cache_info().hits == 2
        with arb_precision(64):
            ball = dr.drift(steady._as_arb(box1), steady._as_arb(box2), 101, 101, eps=eps, prec=64)
        assert bits(fresh[64]) == bits(kept[64]) == bits(ball)
        assert bits(fresh[256]) == bits(kept[256]) and fresh[256].rad() < fresh[64].rad()
