"""The verdict logic itself: each test fails on a plausible wrong implementation (issue 12's survivors).

Expected values come from the definitions (PROVED only for the whole domain, EVIDENCE never PROVED, a
refutation only with an independent replay that says True) or from independent arithmetic here.
"""
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
import z3

from analysis import smt, z3kit
from analysis.verdict import EVIDENCE, PROVED, REFUTED, UNKNOWN, VERDICTS, Verdict
from proofs import lemma_moment, thm1
from proofs.audit import mismatches, solver_counts
from proofs.obligation import Obligation, StepResult, _sign, _truth, exact_step, no_refutation, sympy_step, z3_step


# ---------------------------------------------------------------------------- one vocabulary
def test_one_verdict_type_and_one_portfolio():
    import analysis.z3bridge as zb
    import proofs.z3kit as pz

    assert z3kit.Verdict is Verdict and pz.Verdict is Verdict
    assert pz.PORTFOLIO is z3kit.PORTFOLIO and not hasattr(zb, "PORTFOLIO")
    assert VERDICTS == ("proved", "refuted", "unknown", "evidence")
    with pytest.raises(ValueError):
        Verdict("maybe")


# ---------------------------------------------------------------------------- EVIDENCE
def _finite(verdict, evidence="T<=3"):
    @exact_step(f"fin[{evidence}]", "finite", "derived", evidence=evidence, replay=lambda p, w: True)
    def fin(p):
        return verdict, {"T": "3"}, "checked"
    return fin


def test_passing_finite_check_is_evidence_never_proved():
    r = _finite("proved").check(1)
    assert r.verdict == EVIDENCE and "T<=3" in r.reason
    assert _finite("proved").expected_verdict == EVIDENCE
    assert r.as_json()["range"] == "T<=3" and r.as_json()["evidence"] is True


def test_failed_finite_check_is_refuted_with_its_witness():
    r = _finite("refuted").check(1)
    assert r.verdict == REFUTED and r.witness == {"T": "3"}


def test_evidence_range_must_be_in_the_label():
    with pytest.raises(ValueError, match="label"):
        Obligation("fin", "c", "derived", "exact", fn=lambda p: ("proved", {}, ""), evidence="T<=3",
                   replayer=no_refutation)


def test_summary_counts_evidence_apart_and_mismatch_on_evidence_reported_as_proved():
    row = StepResult("L[T<=3]", "c", "proved", evidence="T<=3").as_json()
    assert mismatches([{"id": "x", "steps": [row]}])  # a finite check that says PROVED is a regression
    row = StepResult("L[T<=3]", "c", "evidence", evidence="T<=3").as_json()
    assert mismatches([{"id": "x", "steps": [row]}]) == []


# ---------------------------------------------------------------------------- replays
def test_undecided_replay_of_a_z3_model_is_unknown(monkeypatch):
    @z3_step("neg", "x >= 0", "derived")
    def neg(N, p):
        x = N.var("x")
        return {}, x >= 0

    monkeypatch.setattr(Obligation, "replay", lambda self, w: (None, "undecided sign"))
    r = neg.check(5)
    assert r.verdict == UNKNOWN and "did not replay" in r.reason


def test_replay_rechecks_the_hypotheses_at_the_witness():
    @z3_step("hyp", "x > 1 for x > 0", "derived")
    def hyp(N, p):
        x = N.var("x")
        return {"x>0": x > 0}, x > 1

    ok, why = hyp.replay({"x": "-5"})  # the claim fails there, but the hypothesis does too
    assert ok is False and "x>0" in why
    ok, why = hyp.replay({"x": "1/2"})
    assert ok is True
    ok, why = hyp.replay({"x": "1"})  # on the boundary: 1 > 1 is false, so the claim fails there
    assert ok is True
    r = hyp.check(5)
    assert r.verdict == REFUTED and 0 < Fraction(r.witness["x"]) <= 1


def test_sign_is_exact_and_refuses_to_guess():
    assert _sign(sp.sqrt(2) * sp.sqrt(3) - sp.sqrt(6)) == 0
    assert _sign(sp.sqrt(2) - sp.Rational(141421356237, 10**11)) == 1
    tiny = sp.Rational(1, 10**70)
    assert _sign(tiny) == 1 and _sign(-tiny) == -1
    # strict against non-strict at an exact tie (sqrt 2 + sqrt 3 = sqrt(5 + 2 sqrt 6)), unevaluated
    a, b = sp.sqrt(2) + sp.sqrt(3), sp.sqrt(5 + 2 * sp.sqrt(6))
    for rel, want in ((sp.StrictGreaterThan, False), (sp.GreaterThan, True), (sp.StrictLessThan, False),
                      (sp.LessThan, True)):
        assert _truth(rel(a, b, evaluate=False)) == want, rel


def test_undecided_sympy_simplification_is_not_proved():
    @sympy_step("ident", "x == x + 1", "derived")
    def ident(p):
        x = sp.Symbol("x")
        return x, x + 1, []  # no separating point offered

    assert ident.check(1).verdict == UNKNOWN

    @sympy_step("ident2", "x == x + 1", "derived")
    def ident2(p):
        x = sp.Symbol("x")
        return x, x + 1, [{x: sp.Integer(2)}]

    r = ident2.check(1)
    assert r.verdict == REFUTED and r.replay.startswith("evalf")


def test_exact_replayers_of_the_audit_confirm_and_reject():
    # a replayer must say False (not True) where the claim holds: Gamma_2 >= 0 holds for AMSGrad-like
    # inputs, so the "negative in balls" replay of Kingma & Ba must not confirm a made-up setting
    from proofs import kingma_ba

    assert kingma_ba._gamma2_negative_in_balls("1/100", "1/2") is True
    assert lemma_moment._harmonic_fails(2000) is False
    assert lemma_moment._harmonic_fails(1) is False  # H_1 = 1 = 1 + log 1: equality is not a failure
    # Theorem 1's first block (A8) re-run in arb balls at its prescribed beta2: it returns (x_4 = 1, T2 > T1) for
    # certain, so the replay rejects a made-up refutation (it raised before: a ball put into the exact problem)
    assert all(thm1.A8_first.replayer({}, {"C": C}) is False for C in ("201/100", "3", "100"))


# ---------------------------------------------------------------------------- thresholds in evidence
def test_evidence_threshold_is_the_papers():
    # Theorem 1 (A9): R_T >= (2C - 4) T / 3 with C = 3, T = 3000 is 2000, not a weaker number
    r = thm1.A9_evidence.check(10)
    assert r.verdict == EVIDENCE
    assert Fraction(r.witness["(2C-4)T/3"]) == Fraction(2 * 3 - 4) * 3000 / 3 == 2000
    # L7: the slack 1 + log 2000 - H_2000, recomputed independently
    mp = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.mp
    mp.dps = 40
    h = sum(Fraction(1, t) for t in range(1, 2001))
    slack = 1 + mp.log(2000) - mp.mpf(h.numerator) / h.denominator
    r7 = lemma_moment.L7e.check(10)
    assert r7.verdict == EVIDENCE
    assert float(r7.witness["slack at T=2000"]) == pytest.approx(float(slack), rel=1e-7)


# ---------------------------------------------------------------------------- strict vs non-strict
def test_applicable_bounds_at_the_boundary_of_their_conditions():
    from numerics import Periodic
    from analysis.evaluate import RunConfig, applicable

    P = Periodic(pattern=[3, -1, -1])
    # gamma = beta1/sqrt(beta2) < 1 is strict: beta1^2 == beta2 is outside Theorem 4
    on = RunConfig("amsgrad", P, 10, beta1=Fraction(9, 10), beta2=Fraction(81, 100))
    assert applicable(on)["thm4-arxiv"] is False
    inside = RunConfig("amsgrad", P, 10, beta1=Fraction(9, 10), beta2=Fraction(82, 100))
    assert applicable(inside)["thm4-arxiv"] is True
    # beta1 < 1 is strict (AdamNC's Theorem 5 has no gamma condition to hide it)
    assert applicable(RunConfig("adamnc", P, 10, beta1=Fraction(1)))["thm5"] is False
    assert applicable(RunConfig("adamnc", P, 10, beta1=Fraction(99, 100)))["thm5"] is True
    assert applicable(RunConfig("amsgrad", P, 10, beta1=Fraction(0), beta2=Fraction(99, 100)))["thm4-arxiv"] is True
    # Kingma & Ba: beta1^2/sqrt(beta2) < 1 i.e. beta1^4 < beta2, strict; lambda in (0, 1) strict
    kb = dict(beta1_schedule="geometric", lam=Fraction(1, 2))
    assert applicable(RunConfig("adam-kb", P, 10, beta1=Fraction(1, 2), beta2=Fraction(1, 16), **kb))["kingma-ba-4.1"] is False
    assert applicable(RunConfig("adam-kb", P, 10, beta1=Fraction(1, 2), beta2=Fraction(1, 15), **kb))["kingma-ba-4.1"] is True
    assert applicable(RunConfig("amsgrad", P, 10, beta1=Fraction(1, 2), beta2=Fraction(1, 2),
                                beta1_schedule="geometric", lam=Fraction(1)))["cor1-derived"] is False


def test_adam_kb_runs_the_schedule_it_is_counted_with():
    from numerics import Periodic
    from analysis.evaluate import RunConfig

    cfg = RunConfig("adam-kb", Periodic(pattern=[3, -1, -1]), 10, beta1=Fraction(1, 2), beta2=Fraction(1, 10),
                    beta1_schedule="geometric", lam=Fraction(1, 2))
    h = cfg.hyper()
    hy = getattr(h, "hyper", None) or {}
    assert hy.get("beta1_schedule") == "geometric" and hy.get("lam") == Fraction(1, 2)


# ---------------------------------------------------------------------------- the second solver
def test_cvc5_confirms_a_z3_proof_of_the_same_formula():
    a, b = z3.Reals("a b")
    sa, ca = z3kit.sqrt_of(a, "sa")
    sb, cb = z3kit.sqrt_of(b, "sb")
    sab, cab = z3kit.sqrt_of(a + b, "sab")
    v = z3kit.prove(sa + sb >= sab, ca + cb + cab, timeout_s=5)
    assert v.status == PROVED and v.solvers == "z3+cvc5"


def test_cvc5_timeout_is_z3_only_never_a_refutation(monkeypatch):
    x = z3.Real("x")
    monkeypatch.setattr(smt, "_in_children", lambda jobs, t: None)  # the child was killed at the limit
    solvers, cc, disagree = z3kit.confirm_unsat([x * x < 0], timeout_s=0.5)
    assert solvers == "z3 only" and not disagree and "timeout" in cc["reason"]
    v = z3kit.prove(x * x >= 0, [], timeout_s=5)
    assert v.status == PROVED and v.solvers == "z3 only"


def test_disagreement_is_replayed_exactly_and_fails_the_audit(monkeypatch):
    x = z3.Real("x")
    neg = [x > 1, x < 3]  # satisfiable: pretend Z3 said unsat, cvc5 gives x = 2
    monkeypatch.setattr(smt, "cross_check", lambda a, t=1.0: {"status": "sat", "model": {"x": Fraction(2)},
                                                                "reason": "", "seconds": 0.0})
    solvers, cc, disagree = z3kit.confirm_unsat(neg)
    assert disagree and cc["model_replay"] == "real"
    # a spurious model (does not satisfy the formula exactly) is not a disagreement
    monkeypatch.setattr(smt, "cross_check", lambda a, t=1.0: {"status": "sat", "model": {"x": Fraction(5)},
                                                                "reason": "", "seconds": 0.0})
    solvers, cc, disagree = z3kit.confirm_unsat(neg)
    assert not disagree and cc["model_replay"] == "spurious" and solvers == "z3 only"
    row = StepResult("s", "c", "unknown", cross_check={"disagreement": "real"}).as_json()
    row["expected"] = "unknown"
    assert mismatches([{"id": "x", "steps": [row]}])


def _quotients(e) -> int:
    if not z3.is_app(e):
        return 0
    return int(z3.is_app_of(e, z3.Z3_OP_DIV)) + sum(_quotients(c) for c in e.children())


def test_division_elimination_keeps_every_model_where_no_denominator_vanishes():
    # the renamed formula must hold at (point, r := a/b) exactly when the original holds at the point:
    # checked by the exact evaluator on points chosen by hand, not by either solver
    x, y, z = z3.Reals("x y z")
    f = [x / y + (x + 1) / (y * z) >= 2, z / (x / y) < 3]
    g = smt.eliminate_division(f)
    assert sum(_quotients(e) for e in g) == 0
    names = sorted({str(v) for v in smt._free_consts(g)} - {"x", "y", "z"})
    assert len(names) == 3  # x/y is named once, though it occurs twice
    for pt in ({"x": Fraction(3), "y": Fraction(2), "z": Fraction(1, 2)},
               {"x": Fraction(-1), "y": Fraction(5), "z": Fraction(7)},
               {"x": Fraction(1), "y": Fraction(1), "z": Fraction(1)}):
        X, Y, Z = pt["x"], pt["y"], pt["z"]
        vals = [X / Y, (X + 1) / (Y * Z), Z / (X / Y)]
        # every assignment of the quotient values to the names: exactly one is the faithful one
        import itertools
        outs = set()
        for perm in itertools.permutations(vals):
            env = dict(pt, **dict(zip(names, perm)))
            if smt.replay_model(g[len(f):], env):  # the side conditions pin each name to its quotient
                outs.add(smt.replay_model(g[:len(f)], env))
        assert outs == {smt.replay_model(f, pt)}


def test_division_elimination_leaves_a_quotient_by_zero_unconstrained():
    x, y = z3.Reals("x y")
    g = smt.eliminate_division([x / y == 1])
    side = g[1:]
    for r in (Fraction(-4), Fraction(0), Fraction(9)):
        assert smt.replay_model(side, {"x": Fraction(2), "y": Fraction(0), "_q0": r}) is True
    assert smt.replay_model(side, {"x": Fraction(2), "y": Fraction(1), "_q0": Fraction(3)}) is False


def test_cvc5_configurations_race_and_the_first_decisive_answer_counts(monkeypatch):
    x = z3.Real("x")
    seen = []

    def fake(text, timeout_s, options=()):
        seen.append(text.split("\n", 1)[0])
        if text.startswith("(set-logic QF_NRA)"):
            return {"status": "unknown", "model": {}}
        return {"status": "unsat", "model": {}}

    monkeypatch.setattr(smt, "_solve_text", fake)  # forked children inherit the patch
    r = smt.cross_check([x * x < 0], 5.0)
    assert r["status"] == "unsat" and r["config"] == "(set-logic ALL)"
    monkeypatch.setattr(smt, "_solve_text", lambda text, timeout_s, options=(): {"status": "unknown",
                                                                                 "model": {}})
    assert smt.cross_check([x * x < 0], 5.0)["status"] == "unknown"
    # a sat model is reported on the original variables only (the named quotients are dropped)
    monkeypatch.setattr(smt, "_solve_text", lambda text, timeout_s, options=(): {
        "status": "sat", "model": {"x": Fraction(1), "_q0": Fraction(2)}})
    r = smt.cross_check([x / 2 > 3], 5.0)
    assert r["status"] == "sat" and r["model"] == {"x": Fraction(1)}


def test_one_z3_root_per_radicand():
    from proofs.obligation import Z3Num
    N = Z3Num()
    a, b = N.var("a"), N.var("b")
    assert N.sqrt(a + b).eq(N.sqrt(a + b)) and not N.sqrt(a + b).eq(N.sqrt(a * b))
    assert len(N.side) == 4


def test_exact_model_replay():
    x, y = z3.Reals("x y")
    f = [x * y == 2, z3.If(x > y, x, y) >= 2, z3.Not(x / y > 1)]
    assert smt.replay_model(f, {"x": Fraction(1), "y": Fraction(2)}) is True
    assert smt.replay_model(f, {"x": Fraction(2), "y": Fraction(1)}) is False
    assert smt.replay_model([x / y > 0], {"x": Fraction(1), "y": Fraction(0)}) is None


def test_solver_counts():
    rows = [StepResult("a", "", "proved", solvers="z3+cvc5").as_json(),
            StepResult("b", "", "proved", solvers="z3 only").as_json(),
            StepResult("c", "", "evidence", evidence="c").as_json()]
    c = solver_counts([{"steps": rows}])
    assert c == {"z3_proved": 2, "z3+cvc5": 1, "z3 only": 1, "cvc5_rate": 0.5}


# ---------------------------------------------------------------------------- through numerics
def test_cor56_reads_numerics_schedule():
    from proofs import phuong_phong

    r = phuong_phong.cor56.check(1)
    assert r.verdict == REFUTED and r.witness["beta_{1,1}"] == "1" and r.witness["1-beta_{1,1}"] == "0"


def test_kb_gamma2_witness_values():
    # docs/references.md (literature): beta1 = 0, beta2 = 1/100, g = 3, -1: v_1 = (1 - 1/100) 9, v_2 = v_1/100 + 99/100
    from proofs import kingma_ba

    r = kingma_ba.gamma2.check(10)
    v1 = Fraction(99, 100) * 9
    assert r.verdict == REFUTED
    assert Fraction(r.witness["v_1"]) == v1 and Fraction(r.witness["v_2"]) == v1 / 100 + Fraction(99, 100)
