"""AdamX's Theorem 5.1 (Phuong & Phong, corrected (1-beta1)^2) as a kernel statement (proofs.kernel_adamx)."""
from __future__ import annotations

import re

import kdrag as kd
import pytest
import sympy as sp
import z3

from analysis import bounds as AB
from analysis import symbols as S
from _countermodel import lam
from _kernel_tree import assert_each_dependency_needed, audit_verdict, solver_node
from proofs import kernel as K
from proofs import kernel_adamx as KX
from proofs import kernel_pp as KP
from proofs import pp_repairs as R
from proofs import statements as ST

L7 = "L7: log(1 + 1/T) >= 1/(T+1)"
TITLE = "Theorem 5.1 (AdamX, Phuong & Phong; (1-beta1)^2)"


@pytest.fixture(scope="module")
def steps():
    # the kernel proofs of the steps as the audit makes them (proofs.statements.step_proofs, once per process), so the
    # audit-path test below (kernel_statement) shares them and the statement built from them (ST.BUILDERS: built once
    # per set of step proofs)
    out = ST.step_proofs(R.AX51_OBLIGATIONS)
    assert set(out) == {ob.label for ob in R.AX51_OBLIGATIONS if ob.kind == "z3"}  # every step has its kernel proof
    return out


@pytest.fixture(scope="module")
def ax(steps):
    return ST.BUILDERS["adamx-5.1"](steps)


def _kinds(node, out):
    out.add(node["kind"])
    for d in node["deps"]:
        _kinds(d, out)
    return out


def test_adamx51_is_proved_by_the_kernel_with_l7_as_its_only_trusted_axiom(ax):
    cert = K.certify(ax["statement"])
    assert cert["trusted"] == [L7]
    assert _kinds(cert["tree"], set()) <= {"step", "solver", "rule", "definition", "induction", "trusted"}
    for label in ("step 2", "AX-step 3", "AX-Young", "AX-m pair", "AX-u term", "AX-L5.3[step]", "AX-c[bound]",
                  "PP-AdamX", "PP-c[mono]", "L3-step", "step 5[step T->T+1]", "sum[step T->T+1]"):
        assert label in cert["steps"], label
    # AMSGrad's step 3 (current weight, needs q_{t+1} >= q_t) and step 5 are not in AdamX's chain
    assert "step 3" not in cert["steps"] and "step 5" not in cert["steps"]
    # the moment lemma is the one over AdamX's AXA: AMSGrad's Hyp (with q_{t+1} >= q_t) is nowhere in the proof
    assert {"AXA", "AX", "AXH", "HypMx", "SB"} <= set(cert["definitions"]) and "Hyp" not in cert["definitions"]
    # over T: the invariant, the first term, Lemma 5.3, the moment lemma's three; over d: coordinates, moment lemma,
    # step 4's
    assert cert["induction"] >= 10
    f = str(ax["formula"])
    assert "AX(j)" in f and "Reg(T) <=" in f and "SB(T)" in f


def _evaluate(term, values):
    subs = [(k, z3.RealVal(v) if k.sort() == z3.RealSort() else z3.IntVal(v)) for k, v in values]
    out = z3.simplify(z3.substitute(term, *subs))
    return sp.Rational(out.as_fraction().numerator, out.as_fraction().denominator)


def test_the_statement_bound_is_extras_corrected_adamx_bound(ax):
    """The conclusion's right side at numbers equals analysis.bounds' EXTRA['adamx-5.1-corrected'] evaluated by SymPy
    at the same numbers, its Sum_{t=2}^T beta1 lambda^(t-1) sqrt(t-1) evaluated by SymPy; SB(T) from its kernel
    definition at lambda_pow(t) = lambda^(t-1), sqrt_t(t) = sqrt(t) (T = 4: sqrt 1, sqrt 2, sqrt 3 -- the test puts
    SB's definition checked by the solver below)."""
    V = ST.Thm4Vocabulary.get()
    SB = KX.vocabulary(V)["SB"]
    d, T = z3.Ints("d T")
    rhs = z3.substitute_vars(ax["formula"].body(), T, d).arg(1).arg(1)
    vals = {"alpha": sp.Rational(1, 3), "beta1": sp.Rational(1, 2), "beta2": sp.Rational(3, 4), "gamma": sp.Rational(1, 5),
            "D_inf": sp.Rational(3, 2), "G_inf": sp.Rational(7, 4), "lambda_": sp.Rational(2, 3), "sum_g_norm": 5}
    Tv, dv = 9, 3
    lam, b1 = vals["lambda_"], vals["beta1"]
    sum_sb = sum(b1 * lam ** (t - 1) * sp.sqrt(t - 1) for t in range(2, Tv + 1))  # SymPy's own sum, exact
    # SB(9) from its kernel definition (Z3): with lambda_pow(t) = lambda^(t-1) and sqrt_t(t) = s_t, its defining axiom
    # forces SB(9) = beta1 sum_{t=2}^9 lambda^(t-1) s_{t-1}: SymPy's sum with s_t = sqrt(t)
    sol = z3.Solver()
    s = [z3.Real(f"s{t}") for t in range(Tv + 1)]
    sol.add(K.defn(SB).thm, V.B == z3.RealVal(str(b1)))
    for t in range(1, Tv + 1):
        sol.add(V.lp(t) == z3.RealVal(str(lam ** (t - 1))), V.rt(t) == s[t])
    sol.add(SB(Tv) != z3.Sum([z3.RealVal(str(b1 * lam ** (t - 1))) * s[t - 1] for t in range(2, Tv + 1)]))
    assert sol.check() == z3.unsat
    # the bound with SB(T) := 1000 on both sides (the Sum is that sequence)
    zvals = [(V.alpha, vals["alpha"]), (V.B, vals["beta1"]), (V.b2, vals["beta2"]), (V.gm, vals["gamma"]),
             (V.Dc, vals["D_inf"]), (V.G, vals["G_inf"]), (V.lam, vals["lambda_"]), (V.NN(d, T), vals["sum_g_norm"]),
             (V.s2, sp.Rational(1, 2)), (V.rt(T), 3), (V.sL(T), sp.Rational(4, 3)), (SB(T), 1000), (d, dv), (T, Tv)]
    got = _evaluate(rhs, [(k, str(v)) for k, v in zvals])
    e = AB.EXTRA["adamx-5.1-corrected"].expr
    sums = list(e.atoms(sp.Sum))
    assert len(sums) == 1 and sp.simplify(sums[0].subs({S.T: Tv, **{getattr(S, k): v for k, v in vals.items()}}).doit()
                                          - sum_sb) == 0
    want = e.subs({sums[0]: 1000}).subs({getattr(S, k): v for k, v in vals.items()}).subs(
        {S.d: dv, S.T: Tv, sp.log(S.T): sp.Rational(16, 9) - 1})
    assert sp.nsimplify(want) == got


def _hyp_model(**over):
    """An interpretation meeting HypMx(i)'s body for every round: beta2 = 1/4 (sqrt(1-beta2) = sqrt(3)/2,
    sqrt(beta2) = 1/2), beta1 = gamma = 0, alpha = 1, alpha_t = 1/sqrt(t), g = v = sqrt(v) = q = ||g_{1:t}|| = 0,
    log = 0 (uninterpreted here) so sqrt(1 + log t) = 1; AXH, HypMx and HypM true.  Re-checked by
    tests/_countermodel.py (SymPy, no solver)."""
    model = {"beta2": sp.Rational(1, 4), "sqrt(1-beta2)": sp.sqrt(3) / 2, "sqrt(beta2)": sp.Rational(1, 2),
             "gamma": 0, "beta1": 0, "alpha": 1, "g": 0, "v": 0, "sqrt_v": 0, "q": 0, "norm_g": 0, "Gn": 0,
             "log": 0, "sqrt_1_log": 1, "AXH": True, "HypMx": True, "HypM": True, "i": 1,
             "sqrt_t": lam(lambda t: sp.sqrt(t)), "al": lam(lambda t: 1 / sp.sqrt(t))}
    model.update(over)
    return model


# Countermodels of a kernel call with one dependency dropped, (call, index): the other dependencies hold and the
# formula fails, so the dropped one is needed at any budget; they replace a wait for Z3's limit (default then
# simple solver).  The other drops are refused by the kernel (Z3's countermodel, within a second).
COUNTERMODELS = {
    # v_hat_t >= v_t dropped: g_t = 1 makes v_t = 1 - 4^-t > 0 = q_t^2, so HypM's body fails while HypMx's holds
    ("AdamX: AXH, HypMx => HypM (v_hat_t >= v_t from the max)", 0): _hyp_model(
        g=1, v=lam(lambda i, t: 1 - sp.Rational(1, 4) ** t),
        sqrt_v=lam(lambda i, t: sp.sqrt(1 - sp.Rational(1, 4) ** t)), HypM=False),
    # HypM's definition dropped: HypM(i) false on a run meeting its body
    ("AdamX: AXH, HypMx => HypM (v_hat_t >= v_t from the max)", 2): _hyp_model(HypM=False),
}


@pytest.mark.parametrize("name", [
    f"{TITLE}: R_T <= EXTRA['adamx-5.1-corrected']",
    "AdamX: sum_i R_{T,i} <= the step bounds' total",
    "AdamX: the four-term split at (i, t) (steps 2-3, Young's previous weight)",
    "AdamX: AXH, HypMx => HypM (v_hat_t >= v_t from the max)",
])
def test_dropping_a_dependency_from_a_kernel_call_makes_the_proof_fail(ax, name):
    node, deps = solver_node(ax["statement"], name)
    assert len(deps) >= 2
    assert_each_dependency_needed(node, deps, name, COUNTERMODELS, timeout_s=3)


def test_a_forged_moment_lemma_is_refused(steps):
    V = ST.Thm4Vocabulary.get()
    d, T = z3.Ints("d T")
    forged = kd.Proof(z3.ForAll([d, T], V.KK(d, T) <= 0), [])
    with pytest.raises(K.KernelError, match="not made by the kernel"):
        KX.adamx51(steps, premises={"lemma-moment": forged})


@pytest.mark.parametrize("label", ["AX-Young", "AX-step 3", "AX-m pair", "AX-u term", "AX-L5.3[step]"])
def test_adamx51_without_a_step_is_not_established(steps, label):
    with pytest.raises(ST.Missing, match=re.escape(label)):
        KX.per_coordinate({k: v for k, v in steps.items() if k != label})


def _verdict(change=None):
    return audit_verdict("adamx-5.1", R.AX51_OBLIGATIONS, change)


def test_the_audit_proves_adamx51_by_the_kernel_and_not_with_a_step_unproved():
    k = _verdict()
    assert k["verdict"] == ST.KERNEL_PROVED, k["reason"]
    assert k["trusted_base"] == [L7] and "AX-u term" in k["dependencies"]["steps"]
    assert "adamx-5.1-corrected" in k["outside_the_kernel"]
    for label, verdict in (("AX-Young", "unknown"), ("AX-m pair", "evidence")):
        k = _verdict((label, verdict))
        assert k["verdict"] == ST.NOT_ESTABLISHED and label in k["reason"], k["reason"]


def test_the_statements_hypotheses_have_a_replayed_witness(ax):
    from proofs import vacuity as VA
    from proofs import witness as W

    rec = VA.statement_witness(ax["formula"], trusted=VA.trusted_axioms([L7]), hints=W.HINTS.get("adamx-5.1"))
    assert rec["status"] == "witness", rec.get("reason")
    # the hint's beta_1t = (1/2)(1/2)^(t-1) (not a constant schedule); q_t = 1 - lambda_pow(t)/2 > 0 for every round
    assert rec["witness"]["beta1"].startswith("beta1 := 1/2") and "lambda_pow(t)" in rec["witness"]["q"]


def test_a_bound_without_its_schedule_term_is_caught_by_the_kernel(steps, monkeypatch):
    """A mutant of EXTRA['adamx-5.1-corrected'] (its Sum term left out) has no kernel proof (the SymPy gap is
    recomputed from the mutant, so only the kernel can notice)."""
    from dataclasses import replace

    e = AB.EXTRA["adamx-5.1-corrected"].expr
    mutant = replace(AB.EXTRA["adamx-5.1-corrected"], expr=sum(a for a in e.args if not a.atoms(sp.Sum)))
    assert mutant.expr != e
    monkeypatch.setitem(AB.EXTRA, "adamx-5.1-corrected", mutant)
    with pytest.raises(K.KernelError, match=re.escape("sum_i R_{T,i} <= EXTRA['adamx-5.1-corrected']: not proved")):
        KX.adamx51(steps)


# the audit's kernel_part path (a PARTIAL chain: built and certified, the statement stays NOT ESTABLISHED), which ran
# on AdamX's first term before adamx-5.1 had a statement; kept here with that part standing in for a partial chain
@pytest.mark.parametrize("verdict", ["unknown", "evidence"])
def test_a_partial_chain_in_the_audit_and_a_step_not_proved(monkeypatch, verdict):
    monkeypatch.delitem(ST.BUILDERS, "adamx-5.1")
    monkeypatch.setitem(ST.PARTIAL, "adamx-5.1", KP.ax_first_bound)
    monkeypatch.setitem(ST.WHY_NOT, "adamx-5.1", "stand-in reason")
    obs = {ob.label: ob for ob in R.AX51_OBLIGATIONS}
    th = {"id": "adamx-5.1", "steps": [{"label": lb, "verdict": "proved"} for lb in obs]}
    k = ST.kernel_statement(th, {"adamx-5.1": obs})
    assert k["verdict"] == ST.NOT_ESTABLISHED and sorted(k["kernel_part"]["steps"]) == [
        "AX-L5.3[step]", "AX-c[bound]", "PP-Abel[T>=t0 step]", "PP-Abel[base T=1]", "PP-AdamX", "PP-c[mono]"]
    assert "stand-in reason" in k["reason"]
    th["steps"] = [{"label": lb, "verdict": verdict if lb == "PP-Abel[base T=1]" else "proved"} for lb in obs]
    k = ST.kernel_statement(th, {"adamx-5.1": obs})
    assert k["verdict"] == ST.NOT_ESTABLISHED and "failed" in k["kernel_part"]
    assert "PP-Abel[base T=1]" in k["reason"]
