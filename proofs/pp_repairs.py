"""Phuong & Phong (2019): their Theorem 4.1 (AMSGrad, two beta_{1t} schedules) and Theorem 5.1 (AdamX,
with the (1 - beta1)^2 second term that the proof supports), proved end to end.

Notation as in :mod:`proofs.thm4_arxiv` (per coordinate: q_t = sqrt(v_hat_{t,i}), a_t = sqrt(t) q_t/alpha,
c_t = a_t/(2(1 - beta_{1t})), u_t = (x_{t,i} - x*_i)^2 in [0, D^2]).

Theorem 4.1.  Steps 1-5 and 7 as in Reddi et al.'s proof; the first term is summed by parts in two phases:
for T <= t_0 only c_t >= 0 is used (Q_T + c_T u_{T+1} <= D^2 sum_{t<=T} c_t); from t_0 on, Lemma 4.3
(PP-L4.3, under its condition for n >= t_0, a hypothesis of the theorem) makes c_t non-decreasing and the
increments telescope (Q_T + c_T u_{T+1} <= D^2 (C_0 + c_T), C_0 = sum_{t<=t_0} c_t).  sqrt(v_hat) <= G
(Cor1-vhat) bounds c_t <= sqrt(t) G/(2 alpha (1-beta1)); the schedule sums S_T = sum_t beta_{1t} a_t are
bounded by a geometric partial-sum induction (beta1 lambda^(t-1)) or by sum_t 1/sqrt(t) <= 2 sqrt(T)
(beta1/t, L-close).

Theorem 5.1.  AdamX has no monotone q_t, so step 3's Young inequality is taken with the previous round's
weight (Phuong & Phong's Lemma 3.1): -m_{t-1} d <= alpha_{t-1} m_{t-1}^2/(2 q_{t-1}) + q_{t-1} d^2/(2 alpha_{t-1}).
Lemma 5.3's invariant sqrt(v_hat_t)/(1 - beta_{1t}) <= G/(1 - beta1) bounds c_t and q_{t-1} <= G/(1-beta1):
that last factor is why the second term carries (1-beta1)^2 (Lean note, spec literature §1.6); the printed
(1-beta1) is not derived here.

The totals are compared with ``analysis.bounds``' own expressions; the finite sums that the bounds keep
unevaluated (sum_{t<=t_0} sqrt t, AdamX's schedule sum) are replaced by one symbol on both sides.
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from analysis import bounds as AB
from analysis import symbols as S

from . import cor1, lemma_moment, phuong_phong as PP, thm4
from . import thm4_arxiv as A
from .lemmas import DOMAIN, beta
from .obligation import ARB_RERUN, Theorem, exact_step, z3_step
from .schedules import geo_base, geo_S_bound, geo_step, geo_term, harm_S_bound, harm_term, sqrt_base


# ------------------------------------------------------------------------------------------------
# step bounds, one definition each
def pp_first_rhs(D2, C0, c_T):
    """Bound of the first term summed by parts with Lemma 4.3 from t_0 on: D^2 (C_0 + c_T)."""
    return D2 * (C0 + c_T)


def c_max(G, alpha, beta1, sqrt_t):
    """c_t = sqrt(t) q_t/(2 alpha (1-beta_{1t})) <= sqrt(t) G/(2 alpha (1-beta1))."""
    return sqrt_t * G / (2 * alpha * (1 - beta1))


def ax_uterm_coef(D2, G, alpha, beta1):
    """AdamX's third Lemma 3.1 term per unit of beta_{1t} sqrt(t-1): D^2 G/(2 alpha (1-beta1)^2)."""
    return D2 * G / (2 * alpha * (1 - beta1) ** 2)


# ------------------------------------------------------------------------------------------------
def _abel_vars(N, H):
    Q, c0, c1, u1, u2, D2 = (N.var(n) for n in ("Q_T", "c_T", "c_T1", "u_T1", "u_T2", "D2"))
    H["u in [0,D2]"] = N.And(u1 >= 0, u1 <= D2, u2 >= 0, u2 <= D2)
    return Q, c0, c1, u1, u2, D2


@z3_step("PP-Abel[base T=1]", "first term, base case: Q_1 + c_1 u_2 = c_1 u_1 <= D^2 c_1 (u in [0, D^2], c_1 >= 0)",
         "derived")
def pa_base(N, p):
    c, u1, u2, D2 = N.var("c_1"), N.var("u_1"), N.var("u_2"), N.var("D2")
    H = {"c_1>=0": c >= 0, "u in [0,D2]": N.And(u1 >= 0, u1 <= D2, u2 >= 0, u2 <= D2)}
    return H, c * (u1 - u2) + c * u2 <= D2 * c


@z3_step("PP-Abel[T<t0 step]", "first term before t_0 (c_t of any sign change): Q_T + c_T u_{T+1} <= D^2 C_T gives "
         "Q_{T+1} + c_{T+1} u_{T+2} <= D^2 (C_T + c_{T+1}), as c_T, c_{T+1} >= 0", "derived")
def pa_step1(N, p):
    H = {}
    Q, c0, c1, u1, u2, D2 = _abel_vars(N, H)
    C = N.var("C_T")
    H["IH"] = Q + c0 * u1 <= D2 * C
    H["c>=0"] = N.And(c0 >= 0, c1 >= 0)
    return H, Q + c1 * (u1 - u2) + c1 * u2 <= D2 * (C + c1)


@z3_step("PP-Abel[T>=t0 step]", "first term from t_0 on (c_{T+1} >= c_T by Lemma 4.3 / AdamX's invariant): "
         "Q_T + c_T u_{T+1} <= pp_first_rhs(C_0, c_T) gives Q_{T+1} + c_{T+1} u_{T+2} <= pp_first_rhs(C_0, c_{T+1})",
         "derived")
def pa_step2(N, p):
    H = {}
    Q, c0, c1, u1, u2, D2 = _abel_vars(N, H)
    C0 = N.var("C_0")
    H["IH"] = Q + c0 * u1 <= pp_first_rhs(D2, C0, c0)
    H["c_T1>=c_T"] = c1 >= c0
    return H, Q + c1 * (u1 - u2) + c1 * u2 <= pp_first_rhs(D2, C0, c1)


@z3_step("PP-Abel[t0 junction]", "at T = t_0 the phase-1 bound D^2 C_{t0} is <= pp_first_rhs(C_{t0}, c_{t0}); and "
         "Q_T <= Q_T + c_T u_{T+1} (close)", "derived")
def pa_join(N, p):
    Q, c, u, C0, D2 = (N.var(n) for n in ("Q_T", "c_T", "u_T1", "C_0", "D2"))
    H = {"phase 1": Q + c * u <= D2 * C0, "c>=0": c >= 0, "u>=0": u >= 0, "D2>=0": D2 >= 0}
    return H, N.And(Q + c * u <= pp_first_rhs(D2, C0, c), Q <= pp_first_rhs(D2, C0, c))


@z3_step("PP-c[mono]", "Lemma 4.3's conclusion sqrt((t-1) v_hat_{t-1})/(1-beta_{1,t-1}) <= sqrt(t v_hat_t)/(1-beta_{1t}) "
         "is c_{t-1} <= c_t (divide by 2 alpha > 0); AdamX: sqrt(v_hat_t)/(1-beta_{1t}) non-decreasing and "
         "sqrt(t-1) <= sqrt(t) give the same", "derived")
def c_mono(N, p):
    r0, r1, s0, s1, al = (N.var(n) for n in ("w_tm1", "w_t", "sqrt_tm1", "sqrt_t", "alpha"))
    H = {"alpha>0": al > 0, "0<=w_tm1<=w_t": N.And(r0 >= 0, r1 >= r0),
         "0<=sqrt(t-1)<=sqrt(t)": N.And(s0 >= 0, s1 >= s0)}
    # c_t = sqrt(t) w_t/(2 alpha) with w_t = q_t/(1-beta_{1t}); Lemma 4.3 gives sqrt(t-1) w_{t-1} <= sqrt(t) w_t
    return H, s0 * r0 / (2 * al) <= s1 * r1 / (2 * al)


@z3_step("PP-c[bound]", "c_t = sqrt(t) q_t/(2 alpha (1-beta_{1t})) <= c_max(G, alpha, beta1, sqrt t) for "
         "0 <= q_t <= G, 0 <= beta_{1t} <= beta1 < 1", "follow-up")
def c_bound(N, p):
    H = {}
    B, (b,) = beta(N, H, "beta1_t")
    q, G, al, s, c = (N.var(n) for n in ("q_t", "G", "alpha", "sqrt_t", "c_t"))
    H.update({"0<=q_t<=G": N.And(q >= 0, q <= G), "alpha>0": al > 0, "sqrt_t>=0": s >= 0,
              "c_t def": 2 * al * (1 - b) * c == s * q})
    return H, c <= c_max(G, al, B, s)


# ------------------------------------------------------------------------------------------------
SUM_SQRT_T0 = sp.Symbol("sum_sqrt_t_to_t0")  # sum_{t=1}^{t_0} sqrt(t), kept unevaluated by the bound
SCHED_SUM = sp.Symbol("sum_beta1t_sqrt_tm1")  # AdamX: sum_{t=2}^T beta_{1t} sqrt(t-1)


def with_sums(e):
    """Replace each unevaluated Sum of a bound by its symbol (the same Sum object on both sides)."""
    rep = {}
    for s in e.atoms(sp.Sum):
        rep[s] = SUM_SQRT_T0 if s.limits[0][2] == S.t_0 else SCHED_SUM
    return e.xreplace(rep)


def pp41_total(schedule: str) -> sp.Expr:
    """Theorem 4.1's step bounds summed over the d coordinates (each coordinate's bound is the same constant)."""
    D2, G, al, b1 = S.D_inf ** 2, S.G_inf, S.alpha, S.beta1
    first = pp_first_rhs(D2, c_max(G, al, b1, 1) * SUM_SQRT_T0, c_max(G, al, b1, sp.sqrt(S.T)))
    if schedule == "geometric":
        Sb = geo_S_bound(G, al, b1, S.lambda_)
    else:
        Sb = harm_S_bound(G, al, b1, sp.sqrt(S.T))
    return S.d * first + S.d * A.step7_sum_rhs(D2, b1, Sb) + A.mterm_sum_rhs(b1, AB.moment_lemma_rhs())


def ax51_total() -> sp.Expr:
    D2, G, al, b1 = S.D_inf ** 2, S.G_inf, S.alpha, S.beta1
    first = pp_first_rhs(D2, 0, c_max(G, al, b1, sp.sqrt(S.T)))
    return (S.d * first + S.d * ax_uterm_coef(D2, G, al, b1) * SCHED_SUM
            + A.mterm_sum_rhs(b1, AB.moment_lemma_rhs()))


TOTALS = {"pp-4.1-geometric": lambda: pp41_total("geometric"), "pp-4.1-harmonic": lambda: pp41_total("harmonic"),
          "adamx-5.1-corrected": ax51_total, "adamx-5.1": ax51_total}
_PP_DOMAIN = {"G_inf>=0": lambda v: v["G_inf"] >= 0, "d>=1": lambda v: v["d"] >= 1,
              "0<lambda<1": lambda v: (v["lambda_"] > 0, v["lambda_"] < 1),
              "sums>=0": lambda v: tuple(v[k] >= 0 for k in (SUM_SQRT_T0.name, SCHED_SUM.name) if k in v)}


def _bound(name):
    return AB.BOUNDS[name] if name in AB.BOUNDS else AB.EXTRA[name]


def gap(name: str, total: str | None = None) -> sp.Expr:
    """bound - total over one denominator (the total of ``total``, default the bound's own)."""
    return sp.factor(sp.simplify(with_sums(_bound(name).expr) - TOTALS[total or name]()))


def _compare(N, p):
    env: dict = {}
    g = A.to_num(N, gap(p["bound"], p.get("total")), env)
    for x in with_sums(_bound(p["bound"]).expr).free_symbols | TOTALS[p.get("total") or p["bound"]]().free_symbols:
        A.to_num(N, x, env)
    return A.domain_hypotheses(N, env, {**DOMAIN, **_PP_DOMAIN}), g >= 0


@z3_step("PP4.1-geo[sum<=bound]", "final (beta1 lambda^(t-1)): the step bounds summed over the coordinates are <= "
         "analysis.bounds.BOUNDS['pp-4.1-geometric'].expr", "derived", bound="pp-4.1-geometric")
def final_geo(N, p):
    return _compare(N, p)


@z3_step("PP4.1-harm[sum<=bound]", "final (beta1/t): the step bounds summed over the coordinates are <= "
         "analysis.bounds.BOUNDS['pp-4.1-harmonic'].expr", "derived", bound="pp-4.1-harmonic")
def final_harm(N, p):
    return _compare(N, p)


PP41_OBLIGATIONS = ([thm4.step1, thm4.step2, thm4.step3, thm4.step4, thm4.step5, thm4.step7, PP.ineq1, PP.lemma43,
                     cor1.vhat_le, cor1.sqrt_le, pa_base, pa_step1, pa_step2, pa_join, c_mono, c_bound,
                     A.s7_base, A.s7_step, A.s5_base, A.s5_step, A.s5_close, A.sum_mono, A.additive,
                     geo_term, geo_step, geo_base, harm_term, sqrt_base, lemma_moment.Lclose]
                    + A.LEMMA + [final_geo, final_harm])


def _summ(name, finals):
    def summarize(r: dict) -> str:
        bad = [k for k in r if r[k].verdict != "proved" and not r[k].evidence]
        return (f"{name}: statement {'PROVED' if not bad else 'NOT ESTABLISHED'} end to end; final comparisons with "
                f"analysis.bounds: {', '.join(f'{k} {r[k].verdict}' for k in finals)}"
                + ("" if not bad else f"; not proved: {', '.join(bad)}") + ".")
    return summarize


PP41 = Theorem("pp-4.1", "Phuong & Phong Theorem 4.1 (AMSGrad, beta1 lambda^(t-1) and beta1/t, t_0 from Lemma 4.3)",
               PP41_OBLIGATIONS, _summ("Phuong & Phong Theorem 4.1", ("PP4.1-geo[sum<=bound]", "PP4.1-harm[sum<=bound]")))


# ------------------------------------------------------------------------------------------------
@z3_step("AX-Young", "Young with the previous round's weight: -m_p d <= alpha_p m_p^2/(2 q_p) + q_p d^2/(2 alpha_p) "
         "for q_p, alpha_p > 0", "follow-up", k=2)
def ax_young(N, p):
    mp_, d, qp, ap = (N.var(n) for n in ("m_prev", "d", "q_prev", "alpha_prev"))
    H = {"q_prev>0": qp > 0, "alpha_prev>0": ap > 0}
    # times 2 q_p alpha_p > 0: (alpha_p m_p + q_p d)^2 >= 0
    return H, -N.const(p["k"]) * qp * ap * mp_ * d <= ap * ap * mp_ * mp_ + qp * qp * d * d


def ax_young_rhs(N, mp_, d, qp, ap):
    return ap * mp_ * mp_ / (2 * qp) + qp * d * d / (2 * ap)


@z3_step("AX-step 3", "Lemma 3.1's rearrangement of step 2: g d <= (q d^2 - q dn^2)/(2 alpha_t (1-b)) + alpha_t m^2/"
         "(2 q (1-b)) + b/(1-b) Y for any Y >= -m_p d (multiplied by 2 alpha_t q (1-b) > 0; AX-Young gives Y = alpha_p m_p^2/(2 q_p) + q_p d^2/(2 alpha_p))",
         "follow-up")
def ax_step3(N, p):
    q, a, b, mp_, g, d, dn, Y = (N.var(n) for n in ("q", "alpha_t", "beta1_t", "m_prev", "g", "d", "dn", "Y"))
    m = b * mp_ + (1 - b) * g
    # both sides times the positive q and 2 alpha_t q (1-b): polynomial, so cvc5 can confirm it
    H = {"q>0": q > 0, "alpha_t>0": a > 0, "0<=beta1_t<1": N.And(b >= 0, b < 1), "Young": -mp_ * d <= Y,
         "step 2": q * q * dn * dn <= q * q * d * d + a * a * m * m - 2 * a * m * d * q}
    return H, 2 * a * q * (1 - b) * g * d <= q * q * (d * d - dn * dn) + a * a * m * m + 2 * a * q * b * Y


@z3_step("AX-m pair", "AdamX m-terms holding m_t: y_t + beta_{1,t+1}/(2(1-beta_{1,t+1})) alpha_t m_t^2/q_t <= "
         "alpha_t m_t^2/((1-beta1) q_t) (no monotone q needed); with m_0 = 0 this is also the base case", "follow-up")
def ax_mpair(N, p):
    H = {}
    B, (b0, b1) = beta(N, H, "b_t", "b_t1")
    q, al, m = N.var("q_t"), N.var("alpha_t"), N.var("m_t")
    H.update({"q_t>0": q > 0, "alpha_t>0": al > 0})
    k = al * m * m / q
    return H, (1 - B) * (k / (2 * (1 - b0)) + b1 * k / (2 * (1 - b1))) <= k


@z3_step("AX-L5.3[step]", "Lemma 5.3 as an invariant: w_{t-1} = sqrt(v_hat_{t-1})/(1-beta_{1,t-1}) <= G/(1-beta1) and "
         "v_t <= G^2 give sqrt(max(r^2 v_hat_{t-1}, v_t))/(1-beta_{1t}) <= G/(1-beta1), r = (1-beta_{1t})/"
         "(1-beta_{1,t-1}); base t = 1: v_hat_1 = v_1", "follow-up")
def ax_l53(N, p):
    H = {}
    B, (b0, b1) = beta(N, H, "beta1_tm1", "beta1_t")
    vh, v, G = N.var("v_hat_tm1"), N.var("v_t"), N.var("G")
    H.update({"v>=0": N.And(vh >= 0, v >= 0), "G>=0": G >= 0, "v_t<=G^2": v <= G * G,
              "IH": N.sqrt(vh) * (1 - B) <= G * (1 - b0)})
    r = (1 - b1) / (1 - b0)
    vn = N.max(r * r * vh, v)
    return H, N.And(N.sqrt(vn) * (1 - B) <= G * (1 - b1), N.sqrt(v) * (1 - B) <= G * (1 - b1))


@z3_step("AX-u term", "AdamX's third Lemma 3.1 term: b_t/(1-b_t) q_{t-1} u_t/(2 alpha_{t-1}) <= ax_uterm_coef * "
         "b_t sqrt(t-1), alpha_{t-1} = alpha/sqrt(t-1), q_{t-1} <= G/(1-beta1) (AX-L5.3), u_t <= D^2", "follow-up")
def ax_uterm(N, p):
    H = {}
    B, (b,) = beta(N, H, "beta1_t")
    qp, G, al, s, u, D2 = (N.var(n) for n in ("q_prev", "G", "alpha", "sqrt_tm1", "u_t", "D2"))
    H.update({"0<=q_prev, q_prev(1-beta1)<=G": N.And(qp >= 0, qp * (1 - B) <= G), "alpha>0": al > 0,
              "sqrt_tm1>0": s > 0, "u in [0,D2]": N.And(u >= 0, u <= D2)})
    lhs = b / (1 - b) * qp * u * s / (2 * al)
    return H, lhs <= ax_uterm_coef(D2, G, al, B) * b * s


@z3_step("AX-c[bound]", "AdamX: c_t = sqrt(t) q_t/(2 alpha (1-beta_{1t})) <= c_max(G, alpha, beta1, sqrt t) from "
         "q_t/(1-beta_{1t}) <= G/(1-beta1) (AX-L5.3)", "follow-up")
def ax_cbound(N, p):
    H = {}
    B, (b,) = beta(N, H, "beta1_t")
    q, G, al, s, c = (N.var(n) for n in ("q_t", "G", "alpha", "sqrt_t", "c_t"))
    H.update({"q_t>=0": q >= 0, "L5.3": q * (1 - B) <= G * (1 - b), "alpha>0": al > 0, "sqrt_t>=0": s >= 0,
              "c_t def": 2 * al * (1 - b) * c == s * q})
    return H, c <= c_max(G, al, B, s)


@z3_step("AX5.1[sum<=bound]", "final: AdamX's step bounds summed over the coordinates are <= analysis.bounds."
         "EXTRA['adamx-5.1-corrected'].expr (second term with (1-beta1)^2)", "derived", bound="adamx-5.1-corrected")
def final_ax(N, p):
    return _compare(N, p)


AX51_OBLIGATIONS = ([thm4.step1, thm4.step2, ax_young, ax_step3, thm4.step4, PP.adamx_inv, ax_l53, cor1.vhat_le, c_mono,
                     ax_cbound, pa_base, pa_step2, pa_join, ax_mpair, A.s5_step, A.s5_close, ax_uterm, A.sum_mono,
                     A.additive] + A.LEMMA + [final_ax])

AX51 = Theorem("adamx-5.1", "AdamX Theorem 5.1 (Phuong & Phong) with the (1-beta1)^2 second term the proof supports",
               AX51_OBLIGATIONS, _summ("AdamX Theorem 5.1 (corrected (1-beta1)^2)", ("AX5.1[sum<=bound]",)))


# ------------------------------------------------------------------------------------------------
# AdamX Theorem 5.1 as printed (second term with (1-beta1)): not what the proof gives; searched for a violation
ax_from_corrected = replace(final_ax, label="AX5.1-printed[from proof]", expected="refuted",
                            claim="the proof's step bounds fit under the printed (1-beta1) second term: they do not "
                                  "(a gap of this proof, not a refutation of the statement)",
                            params={"bound": "adamx-5.1", "total": "adamx-5.1-corrected"})


@exact_step("AX5.1-printed[search T<=40]", "evidence: R_T <= the printed AdamX 5.1 bound at the worst of the "
            "adversarial search's configurations (d = 1, T<=40, any beta_{1t} <= beta1; mpmath 50 digits)", "numerical",
            evidence="T<=40", replay=ARB_RERUN, form="adamx")
def ax_search(p):
    return thm4.iclr_search.fn(p)


def _ax_printed_statement(r):
    s = r["AX5.1-printed[search T<=40]"]
    if s.verdict == "refuted":
        return ("refuted", f"R_T > the printed bound at {s.witness}")
    return ("unknown", f"no proof and no violation: the proof gives (1-beta1)^2 (AX5.1-printed[from proof] "
                       f"{r['AX5.1-printed[from proof]'].verdict}); the printed (1-beta1) would need sqrt(v_hat_{{t-1}}) <= G, "
                       f"where Lemma 5.3 gives only G/(1-beta1); adversarial search "
                       f"({s.witness.get('configurations tried', '?')} configurations, T <= 40, d = 1): worst ratio "
                       f"R_T/bound = {s.witness.get('R_T/bound', '?')}")


AX51_PRINTED = Theorem("adamx-5.1-printed", "AdamX Theorem 5.1 as printed ((1-beta1) in the second term)",
                       [ax_from_corrected, ax_search],
                       lambda r: (f"AdamX 5.1 printed: the proof's bound exceeds it "
                                  f"({r['AX5.1-printed[from proof]'].verdict}); search worst ratio "
                                  f"{r['AX5.1-printed[search T<=40]'].witness.get('R_T/bound', '?')}."),
                       statement=_ax_printed_statement)
