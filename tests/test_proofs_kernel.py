"""The proof kernel (proofs.kernel) and the statements it assembles (proofs.statements)."""
from __future__ import annotations

import re

import kdrag as kd
import pytest
import sympy as sp
import z3

from _countermodel import assert_countermodel, lam
from _kernel_tree import Asked, assert_each_dependency_needed, solver_node
from proofs import kernel as K
from proofs import statements as ST
from proofs import kernel_pp, kernel_thm5, kernel_thm6  # noqa: F401 -- they add their builders to statements.BUILDERS
from proofs import thm4_arxiv as A


def test_a_proof_made_outside_the_kernel_is_refused():
    x = z3.Real("x")
    forged = kd.Proof(z3.ForAll([x], x > x), [])  # the constructor kdrag cannot close
    outside_axiom = kd.axiom(z3.BoolVal(False))
    for pf in (forged, outside_axiom):
        assert not K.is_kernel_proof(pf)
        with pytest.raises(K.KernelError):
            K.certify(pf)
        with pytest.raises(K.KernelError):  # nor can it serve as a dependency
            K.prove(z3.BoolVal(False), by=[pf])
    ok = K.prove(z3.ForAll([x], x * x >= 0), name="square")
    assert K.certify(ok)["trusted"] == []


def test_a_statements_last_step_binds_the_builds_fresh_d_and_t():
    """ST.for_every_d_T (the last step of thm4-arxiv, cor1, thm5, cor2, adamx-5.1, the moment lemma and step 4's link,
    written once): ForAll d, T: H => claim from a proof at the build's fresh d, T; a proof at other fresh variables
    does not close it (the claim is on a defined function the last step cannot unfold: its only way is the
    generalised proof)."""
    Int = z3.IntSort()
    a, b = z3.Ints("a b")
    sq = K.define("sq_for_every_d_T", [a, b], a * a + b * b)
    ds, Ts, other = K.fresh("d", Int), K.fresh("T", Int), K.fresh("d", Int)
    H = z3.And(ds >= 1, Ts >= 1)
    fin = K.prove(z3.Implies(H, sq(ds, Ts) >= 2), by=[K.defn(sq)], name="sq >= 2 at (d, T)")
    st, formula = ST.for_every_d_T(H, sq(ds, Ts) >= 2, ds, Ts, fin, "sq >= 2", 10)
    d, T = z3.Ints("d T")
    assert formula.eq(z3.ForAll([d, T], z3.Implies(z3.And(d >= 1, T >= 1), sq(d, T) >= 2)))
    assert st.thm.eq(formula) and K.certify(st)["lemmas"] == ["sq >= 2", "sq >= 2 at (d, T)"]
    at_other = K.prove(z3.Implies(z3.And(other >= 1, Ts >= 1), sq(other, Ts) >= 2), by=[K.defn(sq)], name="at another d")
    with pytest.raises(K.KernelError):
        ST.for_every_d_T(H, sq(ds, Ts) >= 2, ds, Ts, at_other, "sq >= 2", 10)

def test_the_kernel_refuses_a_false_formula_and_a_missing_dependency():
    x = z3.Real("x")
    with pytest.raises(K.KernelError):
        K.prove(z3.ForAll([x], x * x > 0), name="false")
    a = z3.Function("a_seq", z3.IntSort(), z3.RealSort())
    T = z3.Int("T")
    S = K.define_rec("S_test", [T], z3.RealSort(), lambda f: z3.If(T <= 0, z3.RealVal(0), f(T - 1) + a(T)))
    P = lambda n: z3.Implies(z3.ForAll([T], a(T) >= 0), S(n) >= 0)  # noqa: E731
    base = K.prove(P(1), by=[K.defn(S)], name="base")
    n = z3.Int("n")
    step = K.prove(z3.ForAll([n], z3.Implies(n >= 1, z3.Implies(P(n), P(n + 1)))), by=[K.defn(S)], name="step")
    every = K.induct_from(1, P, base, step, name="S >= 0")
    cert = K.certify(every)
    assert cert["induction"] == 1 and "S_test" in cert["definitions"]
    with pytest.raises(K.KernelError):  # without the definition the step is not provable
        K.prove(z3.ForAll([n], z3.Implies(n >= 1, z3.Implies(P(n), P(n + 1)))), by=[], name="step", timeout_s=2)


def test_obligation_proof_is_the_closed_formula_and_refuses_a_dropped_hypothesis():
    st = K.obligation_proof(A.abel_term)
    assert z3.is_quantifier(st.proof.thm) and st.proof.thm.is_forall()
    assert K.certify(st.proof)["steps"] == ["step 6[Abel]"]
    with pytest.raises(K.KernelError):  # without a_t >= a_{t-1} >= 0 the increment bound is false
        K.obligation_proof(A.abel_term.without("0<=a_tm1<=a_t"), timeout_s=3)


@pytest.fixture(scope="module")
def thm4_steps():
    # the kernel proofs of the steps as the audit makes them (proofs.statements.step_proofs, once per process), so the
    # kernel_statement tests below share them, and the moment lemma and Theorem 4 built from them (built_once)
    out = ST.step_proofs(A.OBLIGATIONS)
    assert set(out) == {ob.label for ob in A.OBLIGATIONS if ob.kind == "z3"}  # every step has its kernel proof
    return out


@pytest.mark.slow  # 3.6 s; the kernel statement from the audit's steps is its fast twin (fast lane under 3 min; runs in the whole suite)
def test_thm4_arxiv_kernel_chain(thm4_steps):
    out = ST.thm4_arxiv(thm4_steps, premises={})
    cert = K.certify(out["implication"])
    for label in ("step 2", "step 3", "step 5", "step 7", "step 6[Abel]", "step 6[base T=1]",
                  "step 6[step T->T+1]", "step 7[step T->T+1]", "step 5[step T->T+1]", "sum[step T->T+1]"):
        assert label in cert["steps"], label
    assert cert["induction"] == 2 and cert["trusted"] == []  # over T, then over the coordinates
    assert "statement" not in out  # no moment lemma passed: only the implication
    # a forged premise is refused
    V = ST.Thm4Vocabulary.get()
    d, T = z3.Int("d"), z3.Int("T")
    forged = kd.Proof(z3.ForAll([d, T], V.KK(d, T) <= V.Mom(d, T)), [])
    with pytest.raises(K.KernelError):
        ST.thm4_arxiv(thm4_steps, premises={"lemma-moment": forged})


@pytest.fixture(scope="module")
def moment(thm4_steps):
    # the audit's build (statements.moment_proof: built once per set of the lemma's step proofs)
    return ST.built_once("lemma-moment", ST.moment_lemma, thm4_steps, [ob.label for ob in A.LEMMA], timeout_s=20.0)


@pytest.fixture(scope="module")
def thm4_full(thm4_steps, moment):
    """Theorem 4 (arXiv) from its steps and the moment lemma's Proof: built once for the tests that read it."""
    steps = Asked(thm4_steps)
    # the audit's build (statements._thm4_chain: built once per set of step proofs and premise)
    out = ST.built_once("thm4-arxiv", ST.thm4_arxiv, steps, [ob.label for ob in A.OBLIGATIONS],
                        premises={"lemma-moment": moment["statement"]}, timeout_s=20.0)
    return dict(out, asked=steps.asked, premise=moment["statement"])


def test_thm4_arxiv_asks_for_its_steps_first_and_uses_each_one(thm4_steps, thm4_full):
    """ST.THM4_STEPS + THM4_FINAL (asked for before any proof, so a missing step ends the build at once) is exactly
    what the build then reads, in the order it reads them (so the first missing step is the one named)."""
    want = list(ST.THM4_STEPS) + [ST.THM4_FINAL]
    asked = thm4_full["asked"]
    if not asked:  # the statement was already built in this process (an audit in the same worker): build it here
        steps = Asked(thm4_steps)
        ST.thm4_arxiv(steps, premises={"lemma-moment": thm4_full["premise"]})
        asked = steps.asked
    assert asked[:len(want)] == want
    assert list(dict.fromkeys(asked[len(want):])) == want


def test_moment_lemma_is_proved_by_the_kernel_with_L7_as_its_only_trusted_axiom(moment):
    cert = K.certify(moment["statement"])
    assert cert["trusted"] == ["L7: log(1 + 1/T) >= 1/(T+1)"]
    assert cert["steps"] == ["L3-step"]  # Cauchy-Schwarz for every n, not the n = 3 instance
    assert cert["induction"] == 4  # I1-I2, I3-I4, I5-I6 over the rounds, then over the coordinates
    for finite in ("L3[n=3]", "L6[n=3]", "L2a", "L5-swap"):
        assert finite not in cert["steps"]
    assert "KK(d, T) <= Mom(d, T)" in str(moment["formula"])


def test_thm4_arxiv_is_proved_by_the_kernel_to_the_bound_expression(thm4_full):
    out = thm4_full
    cert = K.certify(out["statement"])
    assert cert["trusted"] == ["L7: log(1 + 1/T) >= 1/(T+1)"]
    for label in ("Thm4-arXiv[sum<=bound]", "L3-step", "step 7", "step 6[Abel]"):
        assert label in cert["steps"], label
    f = str(out["formula"])
    assert "Reg(T) <=" in f and "fd(t) <= Gd(d, t)" in f and "sqrt_1_log(T)" in f
    # the premise is used: the moment lemma's own lemmas are in the statement's tree
    assert any("moment lemma" in n for n in cert["lemmas"])


def test_thm4_arxiv_without_the_final_bound_step_is_not_established(thm4_steps, moment):
    steps = {k: v for k, v in thm4_steps.items() if k != "Thm4-arXiv[sum<=bound]"}
    with pytest.raises(ST.Missing, match=re.escape("Thm4-arXiv[sum<=bound]")):
        ST.thm4_arxiv(steps, premises={"lemma-moment": moment["statement"]})


def test_the_moment_lemma_without_cauchy_schwarz_is_not_established(thm4_steps):
    steps = {k: v for k, v in thm4_steps.items() if k != "L3-step"}
    with pytest.raises(ST.Missing, match=re.escape("L3-step")):
        ST.moment_lemma(steps)


@pytest.mark.parametrize("label", ["step 3", "step 6[step T->T+1]", "sum[step T->T+1]"])
def test_thm4_arxiv_without_a_step_is_not_established(thm4_steps, label):
    steps = {k: v for k, v in thm4_steps.items() if k != label}
    with pytest.raises(ST.Missing, match=re.escape(label)):
        ST.thm4_arxiv(steps, premises={})


@pytest.mark.parametrize("verdict", ["unknown", "evidence", "refuted"])
def test_a_step_not_proved_makes_the_statement_not_established(verdict):
    obs = {ob.label: ob for ob in A.OBLIGATIONS}
    steps = [{"label": ob.label, "verdict": "proved"} for ob in A.OBLIGATIONS]
    for s in steps:
        if s["label"] == "step 5":
            s["verdict"] = verdict
    k = ST.kernel_statement({"id": "thm4-arxiv", "steps": steps}, {"thm4-arxiv": obs})
    assert k["verdict"] == ST.NOT_ESTABLISHED and "step 5" in k["reason"]


def test_statements_without_mechanised_glue_are_not_established():
    k = ST.kernel_statement({"id": "thm2", "steps": []}, {})
    assert k["verdict"] == ST.NOT_ESTABLISHED and "not mechanised" in k["reason"]


def test_leaving_step_7_out_of_the_total_is_caught_by_the_kernel(monkeypatch):
    """Mutant of the issue: step_bounds_total without step 7's bound.  The audit's final step still holds (the
    bound only gets looser), but the kernel's link uses the chain's own total, so the statement is not
    established."""
    from analysis import bounds as AB
    from analysis import symbols as S
    from proofs import step_bounds as SB

    def without_step7():
        aT = S.sum_vhat_T_sqrt / AB.alpha_T
        return (SB.abel_rhs(S.D_inf ** 2, S.beta1, aT, S.sum_beta1t_vhat)
                + SB.mterm_sum_rhs(S.beta1, AB.moment_lemma_rhs()))

    monkeypatch.setattr(SB, "step_bounds_total", without_step7)
    obs = {ob.label: ob for ob in A.OBLIGATIONS}
    steps = [{"label": ob.label, "verdict": "proved"} for ob in A.OBLIGATIONS]
    assert K.obligation_proof(A.final).label == "Thm4-arXiv[sum<=bound]"  # the mutated final step still holds
    k = ST.kernel_statement({"id": "thm4-arxiv", "steps": steps}, {"thm4-arxiv": obs})
    assert k["verdict"] == ST.NOT_ESTABLISHED and "rational identity" in k["reason"], k["reason"]


def test_kernel_statement_proves_thm4_arxiv_from_the_audit_steps():
    obs = {ob.label: ob for ob in A.OBLIGATIONS}
    steps = [{"label": ob.label, "verdict": "proved"} for ob in A.OBLIGATIONS]
    k = ST.kernel_statement({"id": "thm4-arxiv", "steps": steps}, {"thm4-arxiv": obs})
    assert k["verdict"] == ST.KERNEL_PROVED, k["reason"]
    assert k["trusted_base"] == ["L7: log(1 + 1/T) >= 1/(T+1)"]
    assert "L3-step" in k["dependencies"]["steps"] and "Thm4-arXiv[sum<=bound]" in k["dependencies"]["steps"]
    # the moment lemma's L3-step not proved (e.g. UNKNOWN) => not established, naming it
    steps2 = [dict(s, verdict="unknown") if s["label"] == "L3-step" else s for s in steps]
    k2 = ST.kernel_statement({"id": "thm4-arxiv", "steps": steps2}, {"thm4-arxiv": obs})
    assert k2["verdict"] == ST.NOT_ESTABLISHED and "L3-step" in k2["reason"]


def test_kernel_statement_of_the_moment_lemma():
    from proofs import lemma_moment as L

    obs = {ob.label: ob for ob in L.OBLIGATIONS}
    steps = [{"label": ob.label, "verdict": "proved"} for ob in L.OBLIGATIONS]
    k = ST.kernel_statement({"id": "lemma-moment", "steps": steps}, {"lemma-moment": obs})
    assert k["verdict"] == ST.KERNEL_PROVED and k["trusted_base"] == ["L7: log(1 + 1/T) >= 1/(T+1)"]
    assert k["dependencies"]["steps"] == ["L3-step"]
    for verdict in ("unknown", "evidence"):  # the one step it uses, not proved: not established
        st = [dict(s, verdict=verdict) if s["label"] == "L3-step" else s for s in steps]
        k2 = ST.kernel_statement({"id": "lemma-moment", "steps": st}, {"lemma-moment": obs})
        assert k2["verdict"] == ST.NOT_ESTABLISHED and "L3-step" in k2["reason"]


def test_no_finite_instance_is_a_link_of_a_chain():
    from proofs import cor1
    from proofs import lemma_moment as L
    from proofs import pp_repairs as PP

    for chain in (A.OBLIGATIONS, cor1.REPAIRED, PP.PP41.obligations, PP.AX51.obligations):
        assert not {ob.label for ob in chain} & set(L.FINITE_INSTANCES)


def _kernel_verdict(tid, obligations, change=None):
    steps = [{"label": ob.label, "verdict": "proved"} for ob in obligations]
    if change:
        steps = [dict(s, verdict=change[1]) if s["label"] == change[0] else s for s in steps]
    return ST.kernel_statement({"id": tid, "steps": steps}, {tid: {ob.label: ob for ob in obligations}})


def test_cor1_is_proved_by_the_kernel_from_theorem_4():
    from proofs import cor1

    k = _kernel_verdict("cor1", cor1.REPAIRED)
    assert k["verdict"] == ST.KERNEL_PROVED, k["reason"]
    assert k["trusted_base"] == ["L7: log(1 + 1/T) >= 1/(T+1)"]
    for label in ("PP-geo[step]", "PP-geo[base,close]", "PP-S[geo term]", "Cor1-sqrt", "Thm4-arXiv[sum<=bound]"):
        assert label in k["dependencies"]["steps"], label
    assert "G_inf" in k["formula"] and "lambda_" in k["formula"] and "Reg(T)" in k["formula"]
    for label, verdict in (("PP-geo[step]", "unknown"), ("Cor1-sqrt", "evidence"), ("step 5", "unknown")):
        k2 = _kernel_verdict("cor1", cor1.REPAIRED, (label, verdict))
        assert k2["verdict"] == ST.NOT_ESTABLISHED and label in k2["reason"], (label, k2["reason"])


def test_thm1_non_convergence_is_proved_by_the_kernel():
    from proofs import thm1

    k = _kernel_verdict("thm1", thm1.OBLIGATIONS)
    assert k["verdict"] == ST.KERNEL_PROVED, k["reason"]
    assert k["trusted_base"] == [] and k["dependencies"]["induction"] == 1
    assert set(k["dependencies"]["steps"]) == {"A2", "A4", "A6[t=0]", "A6[t>=1]", "A9"}
    assert "R_thm1(3*k) >= (2*C - 4)*ToReal(k)" in k["formula"]
    for label in ("A6[t>=1]", "A6[t=0]", "A4"):  # a step not proved (UNKNOWN) or dropped: not established
        k2 = _kernel_verdict("thm1", thm1.OBLIGATIONS, (label, "unknown"))
        assert k2["verdict"] == ST.NOT_ESTABLISHED and label in k2["reason"], (label, k2["reason"])


def test_the_kernel_refuses_thm1_when_a_step_is_dropped_from_its_call():
    from proofs import thm1

    steps = {ob.label: K.obligation_proof(ob) for ob in thm1.OBLIGATIONS if ob.kind == "z3" and ob.label in
             ("A2", "A4", "A6[t=0]", "A6[t>=1]", "A9")}
    assert K.certify(ST.thm1(steps)["statement"])["steps"]
    with pytest.raises(ST.Missing, match=re.escape("A9")):
        ST.thm1({k: v for k, v in steps.items() if k != "A9"})


def _moment_model(**over):
    """An interpretation meeting HypM(1)'s body (the moment lemma's hypotheses on coordinate 1) for every round:
    beta2 = 1/4 (sqrt(1-beta2) = sqrt(3)/2, sqrt(beta2) = 1/2), beta1 = gamma = 0, alpha = 1, alpha_t = 1/sqrt(t),
    g = v = sqrt(v) = q = ||g_{1:t}|| = 0, log = 0 (uninterpreted here) so sqrt(1 + log t) = 1; T = d = 1, Hyp and
    HypM true.  Re-checked by tests/_countermodel.py (SymPy, no solver)."""
    model = {"T": 1, "d": 1, "beta2": sp.Rational(1, 4), "sqrt(1-beta2)": sp.sqrt(3) / 2,
             "sqrt(beta2)": sp.Rational(1, 2), "gamma": 0, "beta1": 0, "alpha": 1, "g": 0, "v": 0, "sqrt_v": 0,
             "q": 0, "norm_g": 0, "Gn": 0, "log": 0, "sqrt_1_log": 1, "Hyp": True, "HypM": True, "NN": 0,
             "sqrt_t": lam(lambda t: sp.sqrt(t)), "al": lam(lambda t: 1 / sp.sqrt(t))}
    model.update(over)
    return model


# Countermodels of a kernel call with one dependency dropped, (call, index): the other dependencies hold and the
# formula fails, so the dropped one is needed at any budget; they replace a wait for Z3's limit (default then
# simple solver, 5 s each).  The other drops are refused by the kernel (Z3's countermodel, within a second).
COUNTERMODELS = {
    # the per-coordinate bound dropped: K is unconstrained (K = 1 > Mom = 0)
    ("moment lemma (kernel), at (d, T)", 0): _moment_model(KK=1, Mom=0),
    # Mom's definition dropped: Mom = -1 < K = 0 (the per-coordinate bound holds: 0 <= 0)
    ("moment lemma (kernel), at (d, T)", 1): _moment_model(KK=0, Mom=-1),
}


# (the last link of thm4-arxiv is left out: the solver can re-derive the audit's final comparison from the
# bound's data there, so that one dependency is not strictly needed; dropping the *step* is tested above)
@pytest.mark.parametrize("which, name", [
    ("thm4-arxiv", "Theorem 4 (arXiv): the step bounds"),
    ("cor1", "Corollary 1: R_T <= BOUNDS['cor1-derived']"),
    ("lemma-moment", "moment lemma (kernel), at (d, T)"),
])
def test_dropping_any_dependency_from_the_kernel_call_makes_the_proof_fail(thm4_steps, moment, thm4_full, which,
                                                                          name):
    """The final kernel calls of each PROVED statement: every dependency passed is needed."""
    from proofs import cor1 as C1

    if which == "lemma-moment":
        pf = moment["statement"]
    else:
        pf = thm4_full["statement"]
        if which == "cor1":
            steps = dict(thm4_steps, **{ob.label: K.obligation_proof(ob) for ob in C1.REPAIRED
                                        if ob.kind == "z3" and ob.label not in thm4_steps})
            pf = ST.cor1(steps, premises={"thm4-arxiv": pf})["statement"]
    node, deps = solver_node(pf, name)
    assert len(deps) >= 2
    assert_each_dependency_needed(node, deps, name, COUNTERMODELS, timeout_s=5)


# ------------------------------------------------------------------------------------------------
# Phuong & Phong's first term (pp-4.1, adamx-5.1): the two-phase summation by parts in the kernel
@pytest.fixture(scope="module")
def pp_steps():
    from proofs import pp_repairs as R

    from proofs import phuong_phong as PP

    return {ob.label: K.obligation_proof(ob) for ob in (R.pa_base, R.pa_step1, R.pa_step2, R.pa_join, R.c_bound,
                                                         A.sum_mono, R.c_mono, PP.lemma43)}


def test_pp_first_term_is_proved_by_the_kernel_from_the_pp_abel_steps(pp_steps):
    out = ST.pp_first_term(pp_steps)
    cert = K.certify(out["statement"])
    assert sorted(cert["steps"]) == sorted(ST.PP_FIRST_STEPS)
    assert cert["induction"] == 2 and cert["trusted"] == []  # phase 1 over T, phase 2 over T - t0
    assert {"Q", "Cs", "PPc", "PPm", "PP2"} <= set(cert["definitions"])
    # the bound is Phuong & Phong's D^2 (C_0 + c_T) with C_0 = sum_{t <= t0} c_t (pp_repairs.pp_first_rhs)
    assert "Q(i, T) <= D_inf*D_inf*(Cs(i, t0) + c(i, T))" in str(out["formula"])
    assert "T >= t0" in str(out["formula"])


@pytest.mark.parametrize("label", ST.PP_FIRST_STEPS)
def test_pp_first_term_without_a_step_is_not_established(pp_steps, label):
    # a step the audit does not find PROVED (UNKNOWN, EVIDENCE) never reaches the kernel: it is missing here
    steps = {k: v for k, v in pp_steps.items() if k != label}
    with pytest.raises(ST.Missing, match=re.escape(label)):
        ST.pp_first_term(steps)


def test_pp_first_term_needs_lemma_4_3s_monotone_c():
    from proofs import pp_repairs as R

    # phase 2's step without c_{T+1} >= c_T is false, so it has no kernel proof to enter the chain
    with pytest.raises(K.KernelError):
        K.obligation_proof(R.pa_step2.without("c_T1>=c_T"), timeout_s=3)


def test_pp_first_term_with_c_bounded_is_the_first_summand_of_the_audit_total(pp_steps):
    from proofs import pp_repairs as R

    first = ST.pp_first_term(pp_steps)["statement"]
    out = ST.pp_first_bound(pp_steps, first=first)
    cert = K.certify(out["statement"])
    assert sorted(cert["steps"]) == sorted(ST.PP_FIRST_STEPS + ("PP-c[bound]", "sum[step T->T+1]"))
    assert cert["induction"] == 3 and cert["trusted"] == []  # the two phases, then sum_t c_t <= c_max(1) sum sqrt t
    # the conclusion is pp_repairs.pp41_total's per-coordinate first summand, with sum_{t<=t0} sqrt t = SQ(t0)
    V = ST.Thm4Vocabulary.get()
    SQ = ST.CACHE["SQ"]
    i, t0, T = z3.Ints("i t0 T")
    want = R.pp_first_rhs(V.Dc * V.Dc, R.c_max(V.G, V.alpha, V.B, 1) * SQ(t0), R.c_max(V.G, V.alpha, V.B, V.rt(T)))
    body = out["formula"].body()
    concl = z3.substitute_vars(body, T, t0, i).arg(1)
    assert z3.eq(concl, V.Q(i, T) <= want)


def test_pp_first_bounds_hypotheses_have_a_replayed_witness(pp_steps):
    from proofs import vacuity as VC

    # not vacuous: an assignment of constant sequences meets PPc, PPm and PPb, replayed in Fractions
    rec = VC.statement_witness(ST.pp_first_bound(pp_steps)["formula"], 20)
    assert rec["status"] == "witness", rec


@pytest.mark.parametrize("label", ["PP-c[bound]", "sum[step T->T+1]"])
def test_pp_first_bound_without_a_step_is_not_established(pp_steps, label):
    steps = {k: v for k, v in pp_steps.items() if k != label}
    with pytest.raises(ST.Missing, match=re.escape(label)):
        ST.pp_first_bound(steps)


def test_pp_first_bound_refuses_a_forged_first_term(pp_steps):
    V = ST.Thm4Vocabulary.get()
    i, t0, T = z3.Ints("i t0 T")
    forged = kd.Proof(z3.ForAll([i, t0, T], V.Q(i, T) <= 0), [])
    with pytest.raises(K.KernelError):
        ST.pp_first_bound(pp_steps, first=forged)


def test_lemma_4_3_discharges_the_monotone_c_in_the_kernel(pp_steps):
    out = ST.pp41_first(pp_steps)
    cert = K.certify(out["statement"])
    assert sorted(cert["steps"]) == sorted(ST.PP_FIRST_STEPS + ("PP-c[bound]", "sum[step T->T+1]", "PP-L4.3",
                                                                "PP-c[mono]"))
    assert cert["trusted"] == [] and cert["induction"] == 3
    f = str(out["formula"])
    assert "PPL(i, t0)" in f and "PPm" not in f  # Lemma 4.3's condition replaces the monotone c hypothesis


@pytest.mark.parametrize("label", ["PP-L4.3", "PP-c[mono]"])
def test_pp41_first_without_lemma_4_3_is_not_established(pp_steps, label):
    steps = {k: v for k, v in pp_steps.items() if k != label}
    with pytest.raises(ST.Missing, match=re.escape(label)):
        ST.pp41_first(steps)


def test_lemma_4_3_without_its_condition_has_no_kernel_proof():
    from proofs import phuong_phong as PP

    with pytest.raises(K.KernelError):
        K.obligation_proof(PP.lemma43.without("cond"), timeout_s=3)


# pp-4.1's statement in the audit (PROVED by the kernel; NOT ESTABLISHED with a step not proved): tests/test_kernel_pp.py


def test_adamx_first_term_is_proved_by_the_kernel_with_c0_zero(pp_steps):
    out = ST.ax_first_term(pp_steps)
    cert = K.certify(out["statement"])
    assert sorted(cert["steps"]) == ["PP-Abel[T>=t0 step]", "PP-Abel[base T=1]"]
    assert cert["induction"] == 1 and cert["trusted"] == []
    # AX51's first summand per coordinate: pp_first_rhs(D^2, 0, c_T)
    assert "Q(i, T) <= D_inf*D_inf*(0 + c(i, T))" in str(out["formula"])


# adamx-5.1 has a kernel statement (proofs.kernel_adamx): tests/test_kernel_adamx.py, which also keeps the test of
# the audit's kernel_part path (a PARTIAL chain) that ran here on AdamX's first term


def test_kernel_portfolio_falls_back_to_the_simple_solver_and_still_refuses_a_false_lemma(monkeypatch):
    # the default solver "times out" (stand-in); the simple solver's unsat still yields a kernel proof, and a
    # false formula is refused by every solver of the portfolio, each reason recorded
    import kdrag as kd
    import z3

    from proofs import kernel as K

    real = kd.prove
    calls = []

    def flaky(formula, by=(), timeout=None, solver=None, **kw):
        calls.append(solver)
        if solver is None:
            raise TimeoutError("Timeout (stand-in)")
        return real(formula, by=by, timeout=timeout, solver=solver, **kw)

    monkeypatch.setattr(K.kd, "prove", flaky)
    x = z3.Real("x")
    pf = K.prove(z3.Implies(x > 1, x * x > 1), name="square")
    assert K.is_kernel_proof(pf) and calls == [None, z3.SimpleSolver]
    with pytest.raises(K.KernelError, match=r"default: Timeout \(stand-in\); simple: "):
        K.prove(z3.Implies(x > 1, x * x > 4), name="false")


def test_kernel_portfolio_stops_at_a_countermodel_and_goes_on_after_no_answer(monkeypatch):
    # sat (a model of the dependencies and the negation) means the formula does not follow: the simple solver is
    # not asked.  No answer -- unknown (the LemmaError kdrag.kernel raises for it, stand-in: a real unknown is
    # hard to force in a quick test) or a time limit -- still goes on to the next solver, which may prove it
    import kdrag as kd
    import kdrag.kernel as kk
    import z3

    from proofs import kernel as K

    real = kd.prove
    calls = []

    def spy(formula, by=(), timeout=None, solver=None, **kw):
        calls.append(solver)
        return real(formula, by=by, timeout=timeout, solver=solver, **kw)

    monkeypatch.setattr(K.kd, "prove", spy)
    x = z3.Real("x")
    with pytest.raises(K.KernelError, match="Countermodel") as exc:
        K.prove(z3.Implies(x > 1, x * x > 4), name="false")
    assert calls == [None] and "simple:" not in str(exc.value)

    for no_answer in (kk.LemmaError("prove", x > 0, z3.unknown), TimeoutError("Timeout (stand-in)")):
        calls.clear()

        def unknown_first(formula, by=(), timeout=None, solver=None, _e=no_answer, **kw):
            calls.append(solver)
            if solver is None:
                raise _e
            return real(formula, by=by, timeout=timeout, solver=solver, **kw)

        monkeypatch.setattr(K.kd, "prove", unknown_first)
        with pytest.raises(K.KernelError, match=r"default: .*; simple: .*Countermodel"):
            K.prove(z3.Implies(x > 1, x * x > 4), name="false")
        assert calls == [None, z3.SimpleSolver]
        calls.clear()
        assert K.is_kernel_proof(K.prove(z3.Implies(x > 1, x * x > 1), name="square"))
        assert calls == [None, z3.SimpleSolver]


def test_the_countermodel_check_refuses_a_model_that_is_not_one():
    # tests/_countermodel.py decides each formula in SymPy; a dependency false or undecided, or a goal that holds,
    # is refused (a countermodel replaces a kernel refusal in the tests that drop a dependency)
    import sympy as sp
    import z3

    from _countermodel import assert_countermodel

    t, c = z3.Int("t"), z3.Real("c")
    f = z3.Function("f", z3.IntSort(), z3.RealSort())
    deps = [z3.ForAll([t], z3.Implies(t >= 1, f(t) * f(t) == z3.ToReal(t))), c >= 0]
    n = sp.Symbol("n")
    good = {"c": 0, "f": sp.Lambda(n, sp.sqrt(n))}
    assert_countermodel(deps, f(4) > 2, good)  # sqrt(4) = 2 exactly
    with pytest.raises(AssertionError, match="the goal is True"):
        assert_countermodel(deps, f(4) >= 2, good)
    with pytest.raises(AssertionError, match="dependency 1 is False"):
        assert_countermodel(deps, f(4) > 2, dict(good, c=-1))
    # the quantifier fails only at t = 3 (found among its first rounds) or only from t = 7 on (symbolic rest)
    for bad in (sp.Piecewise((sp.sqrt(n) + 1, sp.Eq(n, 3)), (sp.sqrt(n), True)),
                sp.Piecewise((sp.sqrt(n), n < 7), (n, True))):
        with pytest.raises(AssertionError, match="dependency 0 is (False|None)"):
            assert_countermodel(deps, f(4) > 2, dict(good, f=sp.Lambda(n, bad)))
    # a Python function could branch on t == 0 (False for a symbolic t): refused
    with pytest.raises(AssertionError, match="sympy.Lambda"):
        assert_countermodel(deps, f(4) > 2, dict(good, f=lambda t: sp.sqrt(t)))
    with pytest.raises(AssertionError, match="undecided.*gives no value"):
        assert_countermodel(deps, f(4) > 2, {"f": good["f"]})
    with pytest.raises(AssertionError, match="undecided.*division"):
        assert_countermodel(deps, f(4) / c > 2, good)
    # a bounded quantifier is enumerated: 1 <= j <= 3
    j = z3.Int("j")
    assert_countermodel([z3.ForAll([j], z3.Implies(z3.And(j >= 1, j <= 3), f(j) < 2))], f(4) < 2, good)
