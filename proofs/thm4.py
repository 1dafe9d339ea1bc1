"""Theorem 4 (AMSGrad regret bound), proof steps 1-7 (Appendix D; docs/paper.md).

Steps are encoded per coordinate (the box F and diagonal V_hat split the problem by coordinate);
q = sqrt(v_hat_{t,i}) > 0, d = x_{t,i} - x*_i, dn = x_{t+1,i} - x*_i, alpha_t = alpha/sqrt(t).
Step 6 as printed needs Phuong & Phong's inequality (2), which (1) does not give: it is REFUTED on
Example 3.2 (the run satisfies every hypothesis of the ICLR Theorem 4).  The statement itself is then
not established by this proof; the Lean project claims it survives by another route (UNVERIFIED).
"""
from __future__ import annotations

from dataclasses import replace

from . import phuong_phong as PP
from .obligation import ARB_RERUN, NLSAT_FIRST, Theorem, exact_step, z3_step
from .runs import log
from .step_bounds import bound_gap, compare, to_num


def _clamp(N, y, lo, hi):
    return N.min(N.max(y, lo), hi)


@z3_step("step 1", "the sqrt(v_hat)-weighted projection onto a box is the clamp: q (clamp(y)-y)^2 <= "
         "q (x-y)^2 for all x in [lo, hi]; clamp(x*) = x*", "appendix")
def step1(N, p):
    q, y, x, lo, hi, xs = (N.var(n) for n in ("q", "y", "x", "lo", "hi", "x_star"))
    H = {"q>0": q > 0, "lo<hi": lo < hi, "x in F": N.And(x >= lo, x <= hi),
         "x* in F": N.And(xs >= lo, xs <= hi)}
    u = _clamp(N, y, lo, hi)
    return H, N.And(q * (u - y) ** 2 <= q * (x - y) ** 2, _clamp(N, xs, lo, hi) == xs)


@z3_step("step 2", "projection lemma + expansion: q dn^2 <= q d^2 + alpha_t^2 m^2/q - 2 alpha_t m d with "
         "x_{t+1} = clamp(x_t - alpha_t m/q)", "appendix")
def step2(N, p):
    q, a, m, x, xs, lo, hi = (N.var(n) for n in ("q", "alpha_t", "m", "x_t", "x_star", "lo", "hi"))
    H = {"q>0": q > 0, "alpha_t>0": a > 0, "lo<hi": lo < hi, "x_t in F": N.And(x >= lo, x <= hi),
         "x* in F": N.And(xs >= lo, xs <= hi)}
    xn = _clamp(N, x - a * m / q, lo, hi)
    d, dn = x - xs, xn - xs
    return H, q * dn * dn <= q * d * d + a * a * m * m / q - 2 * a * m * d


@z3_step("step 3", "rearranged with Cauchy-Schwarz and Young: g d <= (q d^2 - q dn^2)/(2 alpha_t(1-b)) + "
         "alpha_t m^2/(2q(1-b)) + b alpha_t m_prev^2/(2q(1-b)) + b q d^2/(2 alpha_t(1-b)) (times 2 alpha_t q (1-b) > 0)",
         "appendix", engines=NLSAT_FIRST)
def step3(N, p):
    q, a, b, mp, g, d, dn = (N.var(n) for n in ("q", "alpha_t", "beta1_t", "m_prev", "g", "d", "dn"))
    m = b * mp + (1 - b) * g
    # both sides times the positive q (step 2) and 2 alpha_t q (1-b) (the claim): the same inequalities in
    # polynomial form, which Z3 decides in a fraction of a second and cvc5 confirms
    H = {"q>0": q > 0, "alpha_t>0": a > 0, "0<=beta1_t<1": N.And(b >= 0, b < 1),
         "step 2": q * q * dn * dn <= q * q * d * d + a * a * m * m - 2 * a * m * d * q}
    rhs = q * q * (d * d - dn * dn) + a * a * m * m + b * a * a * mp * mp + b * q * q * d * d
    return H, 2 * a * q * (1 - b) * g * d <= rhs


@z3_step("step 4", "convexity: f_t(x_t) - f_t(x*) <= g_t (x_t - x*) for a subgradient g_t", "appendix")
def step4(N, p):
    fx, fs, g, x, xs = (N.var(n) for n in ("f_x", "f_star", "g", "x", "x_star"))
    return {"subgradient": fs >= fx + g * (xs - x)}, fx - fs <= g * (x - xs)


@z3_step("step 5", "m-terms: alpha_t m^2/(2(1-b_t) q_t) + b_{t+1} alpha_{t+1} m^2/(2(1-b_{t+1}) q_{t+1}) "
         "<= alpha_t m^2/((1-beta1) q_t)  (q_{t+1} >= q_t, alpha_{t+1} <= alpha_t, b <= beta1)",
         "appendix")
def step5(N, p):
    q0, q1, a0, a1, b0, b1, B, m = (N.var(n) for n in
                                    ("q_t", "q_t1", "alpha_t", "alpha_t1", "b_t", "b_t1", "beta1", "m_t"))
    H = {"q_t1>=q_t>0": N.And(q0 > 0, q1 >= q0), "0<alpha_t1<=alpha_t": N.And(a1 > 0, a1 <= a0),
         "0<=b<=beta1<1": N.And(b0 >= 0, b1 >= 0, b0 <= B, b1 <= B, B < 1)}
    lhs = a0 * m * m / (2 * (1 - b0) * q0) + b1 * a1 * m * m / (2 * (1 - b1) * q1)
    return H, lhs <= a0 * m * m / ((1 - B) * q0)


step6_printed = replace(PP.ineq2_ex, label="step 6",
                        claim="telescoping as printed: inequality (2) at t = 1 (Example 3.2, numerics "
                              "AMSGrad, SymPy backend)")
step6_general = replace(PP.ineq2_general, label="step 6[(1)=>(2)]")
step6_red = replace(PP.red_ex, label="step 6[red]")
step6_ineq1 = replace(PP.ineq1, label="step 6[(1)]",
                      claim="the Gamma_t >= 0 part, inequality (1), holds for AMSGrad")


@z3_step("step 6[const beta1]", "with beta_{1t} = beta1 the telescoping holds: sum_{t<=3} a_t (u_t - "
         "u_{t+1}) <= D^2 a_3 for a_t non-decreasing, u_t in [0, D^2]", "appendix")
def step6_const(N, p):
    D2 = N.var("D2")
    a = [N.var(f"a{k}") for k in (1, 2, 3)]
    u = [N.var(f"u{k}") for k in (1, 2, 3, 4)]
    H = {"a1>=0": a[0] >= 0, "a nondecreasing": N.And(a[1] >= a[0], a[2] >= a[1])}
    for k, x in enumerate(u, 1):
        H[f"0<=u{k}<=D2"] = N.And(x >= 0, x <= D2)
    lhs = sum(a[k] * (u[k] - u[k + 1]) for k in range(3))
    return H, lhs <= D2 * a[2]


@z3_step("step 7", "b_t q d^2/(2 alpha_t (1-b_t)) <= D^2 b_t q/(2 alpha_t (1-beta1)) for d^2 <= D^2, "
         "0 <= b_t <= beta1 < 1", "appendix")
def step7(N, p):
    q, a, b, B, d, D = (N.var(n) for n in ("q", "alpha_t", "b_t", "beta1", "d", "D"))
    H = {"q>0": q > 0, "alpha_t>0": a > 0, "0<=b_t<=beta1<1": N.And(b >= 0, b <= B, B < 1),
         "d^2<=D^2": d * d <= D * D}
    return H, b * q * d * d / (2 * a * (1 - b)) <= D * D * b * q / (2 * a * (1 - B))


def bound_terms(T: int, backend="mpmath"):
    """Regret and the three terms of Theorem 4 (ICLR and arXiv forms) on Example 3.2 up to T."""
    import mpmath

    tr, b = PP.ex32(T, backend)
    B = tr.backend
    b1, b2, a = B.num(PP.EX32["beta1"]), B.num(PP.EX32["beta2"]), B.num(PP.EX32["alpha"])
    D, one = B.num(2), B.num(1)
    gam = b1 / B.sqrt(b2)
    s2 = sum(b(r.t) * r.inv_lr for r in tr.rounds)
    gnorm = B.sqrt(sum(r.g * r.g for r in tr.rounds))
    vT = tr.rounds[-1].state.v_hat
    t1 = D * D * B.sqrt(B.num(T)) / (a * (one - b1)) * B.sqrt(vT)
    t3 = a * B.sqrt(one + log(B, T)) / ((one - b1) ** 2 * (one - gam) * B.sqrt(one - b2)) * gnorm
    return tr.regret, t1 + D * D / (2 * (one - b1)) * s2 + t3, t1 + D * D / (one - b1) ** 2 * s2 + t3, B


@exact_step("Thm4[Ex3.2, T<=1000]", "evidence: R_T <= the ICLR and the arXiv bound on Example 3.2 for "
            "T in {2, 10, 100, 1000} (mpmath 50 digits; D = 2, G = 1010)", "numerical", evidence="T<=1000",
            replay=ARB_RERUN)
def evidence(p):
    w, ok = {}, True
    for T in (2, 10, 100, 1000):
        R, iclr, arx, B = bound_terms(T, p.get("backend", "mpmath"))
        ok &= R <= iclr and R <= arx
        w[f"T={T}"] = f"R={B.to_str(R, 6)} <= {B.to_str(iclr, 6)}"
    return ("proved" if ok else "refuted"), w, "finite check (not a proof of the bound)"


# ------------------------------------------------------------------------------------------------
# The ICLR statement (second term D^2/(2(1-beta1)) ...): its printed proof fails at step 6; is the statement true?
def iclr_T1_bound(name: str):
    """BOUNDS[name].expr at T = 1 (log 1 = 0) with the run's data, as SymPy's exact (numerator, denominator).

    T = 1: sqrt(v_hat_1) = s |g_1| with s = sqrt(1-beta2), sum_beta1t_vhat = beta_{11} sqrt(v_hat_1)/alpha_1
    (beta_{11} = beta1, alpha_1 = alpha), sum_g_norm = |g_1|; beta2 = 1 - s^2 removes the square roots."""
    import sympy as sp

    from analysis import bounds as AB
    from analysis import symbols as S

    s, G = sp.Symbol("s", positive=True), sp.Symbol("abs_g_1", nonnegative=True)
    e = AB.BOUNDS[name].expr.subs(S.T, 1)
    e = e.subs({S.sum_vhat_T_sqrt: s * G, S.sum_beta1t_vhat: S.beta1 * s * G / S.alpha, S.sum_g_norm: G})
    return sp.fraction(sp.together(sp.simplify(e.subs(S.beta2, 1 - s ** 2))))


def _iclr_T1(N, p):
    num, den = iclr_T1_bound(p["bound"])
    g, x1, xs, D, al, b1, s, gam, G = (N.var(n) for n in ("g_1", "x_1", "x_star", "D_inf", "alpha", "beta1", "s",
                                                           "gamma", "abs_g_1"))
    env = {"D_inf": D, "alpha": al, "beta1": b1, "gamma": gam, "s": s, "abs_g_1": G}
    H = {"|x_1 - x*| <= D_inf": N.And(x1 - xs <= D, xs - x1 <= D), "alpha>0": al > 0,
         "0<=beta1<1": N.And(b1 >= 0, b1 < 1), "s = sqrt(1-beta2) in (0, 1)": N.And(s > 0, s < 1),
         "abs_g_1 = |g_1|": N.And(G >= 0, G * G == g * g),
         "gamma = beta1/sqrt(beta2) < 1": N.And(gam >= 0, gam < 1, gam * gam * (1 - s * s) == b1 * b1)}
    # R_1 = g_1 (x_1 - x*) <= num/den, multiplied by den^2 > 0 (polynomial, so cvc5 can confirm it)
    dd = to_num(N, den, env)
    return H, N.And(dd * dd > 0, g * (x1 - xs) * dd * dd <= to_num(N, num, env) * dd)


iclr_T1 = z3_step("Thm4-ICLR[T=1]", "ICLR statement at T = 1 for every gradient, x_1, x* and parameters: R_1 = "
                  "g_1 (x_1 - x*) <= BOUNDS['thm4-iclr'].expr at T = 1 (AM-GM between its first and third terms; "
                  "the bound over one denominator by SymPy, both sides times its square)",
                  "derived", bound="thm4-iclr", engines=NLSAT_FIRST)(_iclr_T1)


def _iclr_from_repaired(N, p):
    return compare(N, p, bound_gap(p["bound"]))


iclr_from_repaired = z3_step(
    "Thm4-ICLR[from repaired]", "the repaired proof's step bounds (thm4-arxiv) fit under the ICLR constants: they "
    "do not -- its second term D^2/(1-beta1) exceeds the ICLR D^2/(2(1-beta1)) when sum_beta1t_vhat dominates "
    "(a gap of this proof, not a refutation of the statement)", "derived", expected="refuted",
    bound="thm4-iclr")(_iclr_from_repaired)


@exact_step("Thm4-ICLR[search T<=40]", "evidence: R_T <= the ICLR bound at the worst of the adversarial search's "
            "configurations (d = 1, T<=40, gradients, beta_{1t} schedule, x_1, alpha, beta2 searched; replayed in "
            "mpmath at 50 digits)", "numerical", evidence="T<=40", replay=ARB_RERUN, form="iclr")
def iclr_search(p):
    from . import iclr_search as IS

    r = IS.replay(p["form"], p.get("backend", "mpmath"))
    found, cfg, tried = IS.WORST[p["form"]]
    w = {"R_T/bound": str(r)[:12], "T": str(len(cfg[0])), "configurations tried": str(tried),
         "beta1": str(cfg[4]), "beta2": str(cfg[5]), "alpha": str(cfg[3])}
    return ("proved" if r <= 1 else "refuted"), w, "worst ratio of the search, replayed"


def iclr_statement(r: dict):
    s = r["Thm4-ICLR[search T<=40]"]
    if s.verdict == "refuted":
        return ("refuted", f"R_T > the ICLR bound at the searched configuration {s.witness}")
    return ("unknown", f"no proof and no violation: the printed proof fails at step 6; the repaired (Abel) proof gives "
                       f"the second term D^2/(1-beta1), not D^2/(2(1-beta1)) (Thm4-ICLR[from repaired] "
                       f"{r['Thm4-ICLR[from repaired]'].verdict}); T = 1 holds for all sequences (Thm4-ICLR[T=1] "
                       f"{r['Thm4-ICLR[T=1]'].verdict}); adversarial search (proofs.iclr_search, "
                       f"{s.witness.get('configurations tried', '?')} configurations, T <= 40, d = 1): worst ratio "
                       f"R_T/bound = {s.witness.get('R_T/bound', '?')}")


OBLIGATIONS = [step1, step2, step3, step4, step5, step6_ineq1, step6_general, step6_printed, step6_red,
               step6_const, step7, evidence, iclr_T1, iclr_from_repaired, iclr_search]


def summarize(r: dict) -> str:
    w = r["step 6"].witness
    return (f"Theorem 4 (ICLR form): printed proof not established -- step 6 as printed "
            f"is {r['step 6'].verdict} ({w.get('LHS', '?')[:8]} < {w.get('RHS', '?')[:9]} on Example 3.2, "
            f"which meets every hypothesis), the red step {r['step 6[red]'].verdict}; inequality (1) "
            f"{r['step 6[(1)]'].verdict}; steps 1-5, 7 proved: "
            f"{all(r[k].verdict == 'proved' for k in ('step 1', 'step 2', 'step 3', 'step 4', 'step 5', 'step 7'))}; "
            f"finite evidence: R_T <= bound on Example 3.2 for T <= 1000 "
            f"({'holds' if r['Thm4[Ex3.2, T<=1000]'].verdict == 'evidence' else 'FAILS'}); the arXiv form is proved by "
            f"the repaired proof (thm4-arxiv).")


THEOREM = Theorem("thm4", "Theorem 4 (AMSGrad): proof steps 1-7", OBLIGATIONS, summarize, statement=iclr_statement)
