"""The zoo's and the search's confirmations take the certified fast-forward where it applies (issue 23,
deliverable 2): a row that was inconclusive for lack of rounds at the float horizon is decided by a
certified-ball run at T = 10^12, the certified drift's status is never changed by it, and where the
fast path does not apply (or is not certified) the float simulation runs as before and says why.

Expected outcomes come from the certified drift (theory: D > 0 -> x_t -> +1), not from the fast path."""
from __future__ import annotations

import pytest

from analysis.verdict import EVIDENCE, PROVED, REFUTED, UNKNOWN
from counterexamples.conformance.verdict import CONVERGES, STUCK
from counterexamples.zoo import table as Z
from counterexamples.zoo.methods import ROWS

ROW = {r.key: r for r in ROWS}


@pytest.fixture(scope="module")
def cases():
    return Z.cases()


def _meth(key, case):
    h = case.hyper
    return ROW[key].definition(str(h["alpha"]), str(h["beta1"]), str(h["beta2"]))


def test_adabelief_on_the_threshold_is_decided_by_the_fast_path(cases):
    """Issue 23's example: AdaBelief on Theorem 2's family at (0.9, 0.99), C = 30.  The certified drift says
    diverges; 10^5 float rounds end near -0.6 (inconclusive); the certified-ball run at 10^12 agrees."""
    case = cases["thm2-threshold"]
    meth = _meth("adabelief", case)
    ev = Z.evaluate(ROW["adabelief"], case, Z.T_SIM)
    assert ev["certified"]["status"] == PROVED and ev["certified"]["label"] == "diverges"
    flt = Z._float_simulate(meth, case, Z.T_SIM)  # the old confirmation
    assert flt["status"] == UNKNOWN and flt["x_T"] < 0
    assert Z.agreement(Z.certified_verdict(1, ""), flt).status == UNKNOWN  # inconclusive for lack of rounds
    sim = ev["simulated"]
    assert sim["engine"] == "fast-forward" and sim["T"] == Z.T_FAST and "certified-ball run" in sim["method"]
    assert sim["status"] == EVIDENCE and sim["label"] == STUCK and sim["x_T"] > 0.9 and sim["rho_late"] > 0.9
    assert ev["agreement"]["status"] == EVIDENCE and ev["agreement"]["label"] == "agrees"  # never PROVED
    assert "certified-ball run" in ev["agreement"]["reason"]
    assert ev["certified"]["status"] == PROVED  # unchanged by the simulation, and not upgraded either


@pytest.mark.parametrize("key,problem", [("adam", "thm1"), ("amsgrad", "thm1"), ("adam", "thm2-threshold")])
def test_fast_and_float_confirmations_agree_where_both_decide(cases, key, problem):
    """At the same T, the ball run's decision and x_T match the float run's (an independent path:
    numerics.run round by round)."""
    case = cases[problem]
    meth = _meth(key, case)
    T = 20_000
    fast, flt = Z.fast_simulate(meth, case, T), Z._float_simulate(meth, case, T)
    if flt["status"] == EVIDENCE:
        assert fast["label"] == flt["label"] and fast["status"] == EVIDENCE
    assert abs(fast["x_T"] - flt["x_T"]) < 1e-9 and abs(fast["avg_regret"] - flt["avg_regret"]) < 1e-9


def test_why_not_falls_back_to_the_float_simulation(cases):
    """AdamW reads x (the fast path does not apply); Yogi applies structurally but no invariant box is
    proved (the run ends UNKNOWN): both fall back to float rounds, with the reason."""
    case = cases["thm1"]
    s = Z.simulate(_meth("adamw", case), case, 2000)
    assert s["method"].startswith("float64") and s["T"] == 2000 and "reads x" in s["fast_forward_why_not"]
    s = Z.simulate(_meth("yogi", case), case, 2000)
    assert s["method"].startswith("float64") and s["T"] == 2000 and "invariant" in s["fast_forward_why_not"]
    assert Z.fast_simulate(_meth("yogi", case), case) == {"why_not": s["fast_forward_why_not"]}


def test_an_undecided_ball_run_is_not_agreement(cases, monkeypatch):
    """Thresholds the balls cannot meet: the ball run is UNKNOWN (undecided) and the confirmation falls
    back to the float run (whose own verdict then stands), never EVIDENCE by default."""
    import importlib

    CV = importlib.import_module("counterexamples.conformance.verdict")  # the module, not its function
    case = cases["thm1"]
    meth = _meth("adam", case)
    monkeypatch.setattr(CV, "RHO_STUCK", 2.0)  # no regret ratio reaches it
    fs = Z.fast_simulate(meth, case, 10 ** 6)
    assert fs["status"] == UNKNOWN and fs["label"] == "undecided" and fs["engine"] == "fast-forward"
    assert Z.agreement(Z.certified_verdict(1, ""), fs).status == UNKNOWN
    s = Z.simulate(meth, case, 2000)  # falls back to the float run, with the ball run's reason
    assert s["method"].startswith("float64") and "late-half regret ratio" in s["fast_forward_why_not"]


def test_certify_uses_the_fast_path_and_its_balls():
    """The search's confirmation (counterexamples.certify.simulate) at Theorem 2's threshold: certified-ball
    runs at 10^12, Adam at +1 (D > 0), AMSGrad at -1, agreement EVIDENCE; the drift is not touched."""
    from counterexamples.certify import T_FAST, simulate

    rec = simulate("0.9", "0.99", 30, 30, ball=False)
    assert rec["engine"].startswith("fast-forward") and rec["T"] >= T_FAST - 30 and "balls" in rec
    assert rec["adam_x_T"] > 0.99 and rec["amsgrad_x_T"] < -0.99 and rec["adam_x_T_from_optimum"] > 0.99
    assert rec["agrees"] == EVIDENCE and rec["agreement"]["label"] == "agrees"
    assert "certified-ball" in rec["agreement"]["reason"]


def test_certify_falls_back_with_why_not(monkeypatch):
    """Where the fast path does not apply, the float engine runs at the drift's horizon and says why."""
    import numerics.engine.fastforward as FF
    from counterexamples.certify import T_CAP, simulate

    monkeypatch.setattr(FF, "fast_forward_applies", lambda *a, **k: (False, "injected: does not apply"))
    rec = simulate(0, "0.1", 3, 3, ball=False)
    assert "fast" not in rec["engine"] and rec["T"] <= T_CAP and rec["precision"] == "float64"
    assert "injected" in rec["fast_forward_why_not"] and "balls" not in rec
    assert rec["agrees"] == EVIDENCE  # Theorem 1 at C = 3 is decided in float rounds too


def test_certify_skips_the_fast_path_for_long_periods():
    """Reddi's C = 3218 (period 3218): the fast-forward's certificates cost O(n^2), so the search's default
    run would take minutes; the confirmation says why and leaves it to the float runs."""
    from fractions import Fraction

    from counterexamples.certify import FAST_N_MAX, _fast_runs

    xs, _, _, why = _fast_runs("adam", "0.9", "0.99", 1, Fraction(FAST_N_MAX + 1), FAST_N_MAX + 1, 0, 1, [1], 10 ** 12)
    assert xs is None and f"n = {FAST_N_MAX + 1}" in why


def test_ball_checks_refute_and_stay_undecided_conservatively():
    """agreement_verdict on balls (due, lower, upper): REFUTED only when the whole ball is on the wrong
    half, UNKNOWN when it straddles 0.5 or NEAR, EVIDENCE only when every lower bound is past NEAR."""
    from counterexamples.certify import NEAR, agreement_verdict

    assert agreement_verdict([(True, 0.4, 0.6)], 10, 10).status == UNKNOWN  # straddles 0.5: not refuted
    assert agreement_verdict([(True, 0.3, 0.5)], 10, 10).status == REFUTED
    assert agreement_verdict([(True, NEAR - 1e-12, NEAR + 1e-12)], 10, 10).status == UNKNOWN
    assert agreement_verdict([(True, 0.95, 0.96), (False, 0.2)], 10, 10).status == UNKNOWN  # mixed forms
    assert agreement_verdict([(True, 0.95, 0.96), (True, 0.97, 0.98)], 10, 10).status == EVIDENCE
