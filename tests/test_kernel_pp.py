"""Phuong & Phong's Theorem 4.1 (geometric schedule) as a kernel statement (proofs.kernel_pp)."""
from __future__ import annotations

import math
import random
import re

import kdrag as kd
import pytest
import sympy as sp
import z3

from analysis import bounds as AB
from analysis import symbols as S
from _kernel_tree import Asked, audit_verdict, solver_node
from proofs import kernel as K
from proofs import kernel_pp as KP
from proofs import pp_repairs as R
from proofs import statements as ST


@pytest.fixture(scope="module")
def steps():
    # the kernel proofs of the steps as the audit makes them (proofs.statements.step_proofs, once per process), so the
    # audit-path tests (kernel_statement) share them, the moment lemma and the statement built from them (built_once)
    out = ST.step_proofs(R.PP41_OBLIGATIONS)
    assert set(out) == {ob.label for ob in R.PP41_OBLIGATIONS if ob.kind == "z3"}  # every step has its kernel proof
    return out


@pytest.fixture(scope="module")
def pp41(steps):
    asked = Asked(steps)
    out = ST.BUILDERS["pp-4.1"](asked)  # the audit's build: pp41_geometric with the moment lemma's Proof
    return dict(out, asked=asked.asked)


def test_pp41_asks_for_its_steps_first_and_uses_each_one(steps, pp41):
    """KP.PP41_STEPS (asked for before any proof, so a missing step ends the build at once) is exactly what the
    build then reads, in the order it reads them (so the first missing step is the one named), the moment lemma's
    L3-step apart."""
    asked = pp41["asked"]
    if not asked:  # the statement was already built in this process (an audit in the same worker): build it here
        st = Asked(steps)
        KP.pp41_geometric(st, premises={"lemma-moment": ST.moment_proof(steps, 20.0)})
        asked = st.asked
    want = list(KP.PP41_STEPS["geometric"])
    rest = [x for x in asked if x != "L3-step"]
    assert rest[:len(want)] == want
    assert list(dict.fromkeys(rest[len(want):])) == want


@pytest.mark.slow  # 4.9 s; the audit's pp-4.1 kernel verdict stays in the fast lane (fast lane under 3 min; runs in the whole suite)
def test_pp41_is_proved_by_the_kernel_with_l7_as_its_only_trusted_axiom(pp41):
    cert = K.certify(pp41["statement"])
    assert cert["trusted"] == ["L7: log(1 + 1/T) >= 1/(T+1)"]
    for label in ("step 2", "step 3", "step 5", "step 7", "PP-Abel[T>=t0 step]", "PP-L4.3", "PP-c[mono]",
                  "PP-c[bound]", "PP-geo[step]", "PP-S[geo term]", "L3-step", "step 7[step T->T+1]"):
        assert label in cert["steps"], label
    # over T: the invariant, the two phases of the first term, sum c <= c_max sum sqrt t, the schedule sums, SQ >= 0,
    # the moment lemma's; over d: the coordinates (several sums); step 4's three
    assert cert["induction"] >= 12
    assert "step 6[Abel]" not in cert["steps"]  # pp-4.1's first term replaces thm4's Abel bound
    f = str(pp41["formula"])
    assert "PPL(j, t0)" in f and "HypC(j)" in f and "Reg(T) <=" in f and "T >= t0" in f


def _evaluate(term, values):
    """A z3 term with its sequences/constants replaced by numbers (the test's own substitution)."""
    subs = [(k, z3.RealVal(v) if k.sort() == z3.RealSort() else z3.IntVal(v)) for k, v in values]
    out = z3.simplify(z3.substitute(term, *subs))
    return sp.Rational(out.as_fraction().numerator, out.as_fraction().denominator)


def test_the_statement_bound_is_boundsgeometric(pp41):
    """The conclusion's right side, evaluated at numbers, equals analysis.bounds' pp-4.1-geometric expression
    evaluated by SymPy at the same numbers (the Sum over t <= t0 of sqrt t evaluated by SymPy)."""
    V = ST.Thm4Vocabulary.get()
    SQ = ST.pp_bound_vocabulary(V)[0]
    d, t0, T = z3.Ints("d t0 T")
    rhs = z3.substitute_vars(pp41["formula"].body(), T, t0, d).arg(1).arg(1)
    # numbers with exact square roots: T = 9, t0 = 4, 1 - beta2 = 1/4, 1 + log T := 16/9
    vals = {"alpha": sp.Rational(1, 3), "beta1": sp.Rational(1, 2), "beta2": sp.Rational(3, 4), "gamma": sp.Rational(1, 5),
            "D_inf": sp.Rational(3, 2), "G_inf": sp.Rational(7, 4), "lambda_": sp.Rational(2, 3), "sum_g_norm": 5}
    t0v, Tv, dv = 4, 9, 3
    zvals = [(V.alpha, vals["alpha"]), (V.B, vals["beta1"]), (V.b2, vals["beta2"]), (V.gm, vals["gamma"]),
             (V.Dc, vals["D_inf"]), (V.G, vals["G_inf"]), (V.lam, vals["lambda_"]), (V.NN(d, T), vals["sum_g_norm"]),
             (V.s2, sp.Rational(1, 2)), (V.rt(T), 3), (V.sL(T), sp.Rational(4, 3)), (SQ(t0), 1000), (d, dv), (T, Tv),
             (t0, t0v)]
    got = _evaluate(rhs, [(k, str(v)) for k, v in zvals])
    e = AB.BOUNDS["pp-4.1-geometric"].expr
    want = e.subs({sp.Sum(sp.sqrt(S.t), (S.t, 1, S.t_0)): 1000}).subs(
        {getattr(S, k): v for k, v in vals.items()}).subs({S.d: dv, S.T: Tv, sp.log(S.T): sp.Rational(16, 9) - 1})
    assert sp.nsimplify(want) == got  # (the Sum enters as SQ(t0) = 1000 on both sides; SQ's definition: below)


def test_sq_is_the_sum_of_square_roots():
    # SQ(t0) = sum_{t<=t0} sqrt_t(t): its kernel definition, evaluated by the test at sqrt_t(t) := t
    V = ST.Thm4Vocabulary.get()
    SQ = ST.pp_bound_vocabulary(V)[0]
    ax = K.defn(SQ)
    T = z3.Int("T")
    s = z3.Solver()
    s.add(ax.thm, z3.ForAll([T], V.rt(T) == z3.ToReal(T)), SQ(4) != 10)
    assert s.check() == z3.unsat


# (each of these drops is refused by Z3's own countermodel within a second: the kernel's portfolio stops there)
@pytest.mark.parametrize("name", [
    "pp-4.1: sum_i R_{T,i} <= the step bounds' total",
    "Theorem 4.1 (Phuong & Phong, geometric): R_T <= BOUNDS['pp-4.1-geometric']",
])  # (the bound link's node is left out: a dropped dependency there makes nlsat run far past its time limit)
def test_dropping_a_dependency_from_the_kernel_call_makes_the_proof_fail(pp41, name):
    node, deps = solver_node(pp41["statement"], name)
    assert len(deps) >= 2
    K.prove(node.thm, by=deps, name="all dependencies", timeout_s=20)
    for d in deps:
        with pytest.raises(K.KernelError):
            K.prove(node.thm, by=[x for x in deps if x is not d], name="one dependency dropped", timeout_s=3)


def test_a_forged_moment_lemma_is_refused(steps):
    V = ST.Thm4Vocabulary.get()
    d, T = z3.Ints("d T")
    forged = kd.Proof(z3.ForAll([d, T], V.KK(d, T) <= 0), [])
    with pytest.raises(K.KernelError):
        KP.pp41_geometric(steps, premises={"lemma-moment": forged})


@pytest.mark.parametrize("label", ["PP-c[bound]", "PP-geo[step]", "PP-L4.3", "step 7[step T->T+1]"])
def test_pp41_without_a_step_is_not_established(steps, label):
    with pytest.raises(ST.Missing, match=re.escape(label)):
        KP.pp41_geometric({k: v for k, v in steps.items() if k != label})


def _verdict(change=None):
    return audit_verdict("pp-4.1", R.PP41_OBLIGATIONS, change)


def test_the_audit_proves_pp41_by_the_kernel():
    k = _verdict()
    assert k["verdict"] == ST.KERNEL_PROVED, k["reason"]
    assert k["trusted_base"] == ["L7: log(1 + 1/T) >= 1/(T+1)"]
    assert "PP-L4.3" in k["dependencies"]["steps"] and "pp-4.1" in k["outside_the_kernel"]


@pytest.mark.parametrize("label, verdict", [("PP-c[mono]", "unknown"), ("PP-Abel[T>=t0 step]", "evidence"),
                                            ("L3-step", "unknown"), ("step 3", "evidence")])
def test_a_step_not_proved_makes_pp41_not_established(label, verdict):
    k = _verdict((label, verdict))
    assert k["verdict"] == ST.NOT_ESTABLISHED and label in k["reason"], k["reason"]


# ------------------------------------------------------------------------------------------------
def _amsgrad_run(T, d, seed, alpha, beta1, beta2, b, G):
    """AMSGrad (Reddi et al. Algorithm 2, beta_{1t} = b(t), alpha_t = alpha/sqrt t) projected onto
    F = [-1, 1]^d on linear losses f_t(x) = <g_t, x>, g_{t,i} uniform in [-G, G]; written here from the paper."""
    rng = random.Random(seed)
    x = [0.0] * d
    m, v, vh = [0.0] * d, [0.0] * d, [0.0] * d
    gs, xs, qmax = [], [], 0.0
    for t in range(1, T + 1):
        g = [rng.uniform(-G, G) for _ in range(d)]
        gs.append(g)
        xs.append(list(x))
        b1t = b(t)
        at = alpha / math.sqrt(t)
        for i in range(d):
            m[i] = b1t * m[i] + (1 - b1t) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
            vh[i] = max(vh[i], v[i])
            qmax = max(qmax, math.sqrt(vh[i]))
            x[i] = min(1.0, max(-1.0, x[i] - at * m[i] / math.sqrt(vh[i])))
    # x* = the best point of F in hindsight for linear losses: -sign(sum_t g_{t,i}) per coordinate
    tot = [sum(g[i] for g in gs) for i in range(d)]
    xstar = [-1.0 if s > 0 else 1.0 for s in tot]
    regret = sum(sum(g[i] * (xt[i] - xstar[i]) for i in range(d)) for g, xt in zip(gs, xs))
    norms = [math.sqrt(sum(g[i] ** 2 for g in gs)) for i in range(d)]
    return regret, sum(norms), qmax


@pytest.mark.parametrize("schedule, seed", [("geometric", 0), ("geometric", 1), ("harmonic", 2)])
def test_the_statement_holds_on_an_amsgrad_run(schedule, seed):
    """R_T of an AMSGrad run <= BOUNDS['pp-4.1-<schedule>'] at its constants, with sqrt(v_hat) <= G, D_inf = 2 and
    t0 the first round from which Lemma 4.3's condition holds on the run (1 for the geometric schedule)."""
    T, d, alpha, beta1, beta2, lam, G = 200, 3, 0.1, 0.5, 0.9, 0.9, 1.0
    b = (lambda t: beta1 * lam ** (t - 1)) if schedule == "geometric" else (lambda t: beta1 / t)  # noqa: E731
    regret, sum_norm, qmax = _amsgrad_run(T, d, seed, alpha, beta1, beta2, b, G)
    assert qmax <= G
    cond = [t * (1 - b(t + 1)) ** 2 <= (t + 1) * (1 - b(t)) ** 2 for t in range(1, T + 1)]
    t0 = next(k + 1 for k in range(T) if all(cond[k:]))
    assert t0 == 1 if schedule == "geometric" else t0 > 1  # beta1/t needs t0 > 1 at beta1 = 1/2
    gamma = beta1 / math.sqrt(beta2)
    e = AB.BOUNDS[f"pp-4.1-{schedule}"].expr.subs(S.t_0, t0).doit()
    val = float(e.subs({S.alpha: alpha, S.beta1: beta1, S.beta2: beta2, S.gamma: gamma, S.D_inf: 2, S.G_inf: G,
                        S.lambda_: lam, S.d: d, S.T: T, S.sum_g_norm: sum_norm}))
    assert math.isfinite(val) and regret <= val, (regret, val)


# ------------------------------------------------------------------------------------------------
# AdamX: the first term with its monotone c discharged from AdamX's own v_hat (kernel_pp.ax_monotone_c)
@pytest.fixture(scope="module")
def ax_steps():
    from proofs import phuong_phong as PP

    obs = (R.pa_base, R.pa_step2, R.c_mono, PP.adamx_inv, R.ax_l53, R.ax_cbound)
    out = ST.step_proofs(obs)  # once per process: the first three are pp-4.1's (the fixture above)
    assert set(out) == {ob.label for ob in obs}
    return out


def test_adamx_monotone_c_is_proved_by_the_kernel_from_its_v_hat(ax_steps):
    out = KP.ax_first(ax_steps)
    cert = K.certify(out["statement"])
    assert sorted(cert["steps"]) == ["PP-Abel[T>=t0 step]", "PP-Abel[base T=1]", "PP-AdamX", "PP-c[mono]"]
    assert cert["trusted"] == [] and "AXH" in cert["definitions"]
    f = str(out["formula"])
    assert "AXH(i)" in f and "PPm" not in f and "Q(i, T) <= D_inf*D_inf*(0 + c(i, T))" in f


@pytest.mark.parametrize("label", ["PP-AdamX", "PP-c[mono]"])
def test_adamx_monotone_c_without_its_step_is_not_established(ax_steps, label):
    with pytest.raises(ST.Missing, match=re.escape(label)):
        KP.ax_monotone_c({k: v for k, v in ax_steps.items() if k != label})


def test_adamx_first_term_bounded_is_ax51_totals_first_summand(ax_steps):
    V = ST.Thm4Vocabulary.get()
    out = KP.ax_first_bound(ax_steps)
    cert = K.certify(out["statement"])
    assert {"AX-L5.3[step]", "AX-c[bound]", "PP-AdamX"} <= set(cert["steps"])
    assert cert["trusted"] == [] and cert["induction"] == 2  # the first term over T, Lemma 5.3 over T
    i, T = z3.Ints("i T")
    concl = z3.substitute_vars(out["formula"].body(), T, i).arg(1)
    # ax51_total's first summand (per coordinate) in the kernel's terms, from pp_repairs' own definitions
    assert z3.eq(concl, V.Q(i, T) <= R.pp_first_rhs(V.Dc * V.Dc, 0, R.c_max(V.G, V.alpha, V.B, V.rt(T))))
    first = R.ax51_total().coeff(S.d).as_ordered_terms()  # d * first + d * u-term coefficient * sum + the m-terms
    assert any(sp.simplify(f - R.pp_first_rhs(S.D_inf ** 2, 0, R.c_max(S.G_inf, S.alpha, S.beta1, sp.sqrt(S.T))))
               == 0 for f in first)
    with pytest.raises(ST.Missing, match=re.escape("AX-L5.3[step]")):
        KP.ax_first_bound({k: v for k, v in ax_steps.items() if k != "AX-L5.3[step]"})


def test_the_adamx_invariant_without_its_hypotheses_has_no_kernel_proof():
    from proofs import phuong_phong as PP

    # sqrt(v_hat)/(1 - beta_1t) non-decreasing needs beta_1t in [0, 1): without it, no kernel proof enters the chain
    with pytest.raises(K.KernelError):
        K.obligation_proof(PP.adamx_inv.without("beta in [0,1)"), timeout_s=3)


# ------------------------------------------------------------------------------------------------
# pp-4.1 with the harmonic schedule beta1/t (kernel_pp.pp41_harmonic; not the audit's statement)
@pytest.fixture(scope="module")
def pp41h(steps, pp41):
    return KP.pp41_harmonic(steps)


def test_pp41_harmonic_is_proved_by_the_kernel(pp41h):
    cert = K.certify(pp41h["statement"])
    assert cert["trusted"] == ["L7: log(1 + 1/T) >= 1/(T+1)"]
    for label in ("PP-S[harm term]", "PP-sqrt-sum[base]", "L-close", "PP-L4.3", "step 3"):
        assert label in cert["steps"], label
    assert "PP-geo[step]" not in cert["steps"] and "HypH(j)" in str(pp41h["formula"])
    # the conclusion's right side is BOUNDS['pp-4.1-harmonic'] in the kernel's terms
    V = ST.Thm4Vocabulary.get()
    d, t0, T = z3.Ints("d t0 T")
    rhs = z3.substitute_vars(pp41h["formula"].body(), T, t0, d).arg(1).arg(1)
    assert z3.eq(rhs, KP.bound_expr(V, d, t0, T, "harmonic"))
    assert not z3.eq(rhs, KP.bound_expr(V, d, t0, T, "geometric"))


@pytest.mark.parametrize("label", ["L-close", "PP-S[harm term]"])
def test_pp41_harmonic_without_a_step_is_not_established(steps, label):
    with pytest.raises(ST.Missing, match=re.escape(label)):
        KP.harm_schedule_sums({k: v for k, v in steps.items() if k != label})


@pytest.mark.slow  # builds the statement again with the mutant (3.3 s in the cold run); the same check for adamx-5.1
# (tests/test_kernel_adamx.py, 1.3 s) stays in the fast lane
def test_a_bound_without_its_schedule_term_is_caught_by_the_kernel(steps, pp41, monkeypatch):
    """A mutant of BOUNDS['pp-4.1-geometric'] (its middle, schedule term left out) has no kernel proof (the audit's
    gap is recomputed from the mutant, so only the kernel can notice)."""
    from dataclasses import replace

    t1, _, t3 = AB.pp41_terms("geometric")
    mutant = replace(AB.BOUNDS["pp-4.1-geometric"], expr=t1 + t3)
    monkeypatch.setitem(AB.BOUNDS, "pp-4.1-geometric", mutant)
    # (the identity with the mutant's gap still holds -- its premise gap >= 0 is false then -- so the glue that
    # must discharge gap >= 0 at the sequences is where the kernel refuses)
    with pytest.raises(K.KernelError, match=re.escape("sum_i R_{T,i} <= BOUNDS['pp-4.1-geometric']: not proved")):
        KP.pp41_geometric(steps, premises={"lemma-moment": ST.moment_proof(steps, 20.0)})
