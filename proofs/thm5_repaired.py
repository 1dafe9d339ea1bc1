"""Theorem 5 (AdamNC) and Corollary 2 end to end, by the route of the repaired Theorem 4.

AdamNC has no running max: q_t = sqrt(v_{t,i}).  Condition 2 (Gamma_t >= 0: q_t/alpha_t non-decreasing) plays
the part of inequality (1), so the Abel summation of :mod:`proofs.thm4_arxiv` applies unchanged (its steps
only use a_{t-1} <= a_t), and it also gives step 5's pairing (alpha_{t+1}/q_{t+1} <= alpha_t/q_t).
Condition 1 is used in the form the proof needs, with alpha_t (Lean note; the printed alpha_T form does not
give it: Cond1[alpha_T] is refuted), so the statement proved is Theorem 5 with that reading.

The m-terms (the source's Lemma 3, per coordinate, n_t = ||g_{1:t,i}||):
    alpha_t m_t^2/q_t <= zeta/(1-beta1) W_t,   W_t = sum_{j<=t} beta1^(t-j) g_j^2/n_j      (Lemma3-chain)
    sum_{t<=T} W_t <= H_T/(1-beta1),           H_T = sum_{j<=T} g_j^2/n_j                   (exchange, by induction)
    H_T <= 2 n_T                                                                             (Auer-Gentile, Lemma3-4)
so K_T = sum_t alpha_t m_t^2/q_t <= 2 zeta/(1-beta1)^2 n_T, the source's Lemma 3 (analysis.bounds.lemma3_rhs).
"""
from __future__ import annotations

import sympy as sp

from analysis import bounds as AB
from analysis import symbols as S

from . import lemma_moment as LM
from . import thm4, thm5
from . import thm4_arxiv as A
from .lemmas import DOMAIN, beta
from .obligation import PROVED, Theorem, z3_step
from .cor1 import sqrt_le
from .step_bounds import step_bounds_rhs
from .schedules import geo_base, geo_S_bound, geo_step, geo_term


def lemma3_term_rhs(zeta, beta1, W):
    """Bound of alpha_t m_t^2/q_t: zeta W_t/(1-beta1)."""
    return zeta * W / (1 - beta1)


@z3_step("Thm5-step 5", "AdamNC m-terms: alpha_t m^2/(2(1-b_t) q_t) + b_{t+1} alpha_{t+1} m^2/(2(1-b_{t+1}) q_{t+1}) "
         "<= alpha_t m^2/((1-beta1) q_t) from Condition 2 (q_{t+1}/alpha_{t+1} >= q_t/alpha_t), no monotone q", "appendix")
def step5nc(N, p):
    H = {}
    B, (b0, b1) = beta(N, H, "b_t", "b_t1")
    q0, q1, a0, a1, m = (N.var(n) for n in ("q_t", "q_t1", "alpha_t", "alpha_t1", "m_t"))
    H.update({"q>0": N.And(q0 > 0, q1 > 0), "alpha>0": N.And(a0 > 0, a1 > 0), "Condition 2": q1 * a0 >= q0 * a1})
    y = a0 * m * m / (2 * (1 - b0) * q0)
    X = b1 * a1 * m * m / (2 * (1 - b1) * q1)
    return H, y + X <= a0 * m * m / ((1 - B) * q0)


@z3_step("Lemma3-chain", "per t: |m_t| <= M (L2b), M^2 <= Sg Sq (Cauchy-Schwarz, L3-step), Sg <= 1/(1-beta1) "
         "(L3-geo-bound), alpha_t/q_t <= zeta/n_t (Lemma3-2), Sq/n_t <= W_t (Lemma3-norm, summed) give alpha_t m_t^2/q_t "
         "<= lemma3_term_rhs(zeta, beta1, W_t)", "appendix")
def chain(N, p):
    m, M, Sg, Sq, al, q, z, n, W, B = (N.var(x) for x in ("m_t", "M", "Sg", "Sq", "alpha_t", "q_t", "zeta", "n_t", "W_t",
                                                          "beta1"))
    H = {"0<=beta1<1": N.And(B >= 0, B < 1), "q,alpha,n,zeta>0": N.And(q > 0, al > 0, n > 0, z > 0),
         "L2b": N.And(M >= 0, m * m <= M * M), "CS": M * M <= Sg * Sq, "geo": N.And(Sg >= 0, Sg * (1 - B) <= 1),
         "Sq>=0": Sq >= 0, "Lemma3-2": al * n <= z * q, "norm": Sq <= W * n}
    return H, al * m * m / q <= lemma3_term_rhs(z, B, W)


@z3_step("Lemma3-norm", "beta1^(t-j) g_j^2/n_t <= beta1^(t-j) g_j^2/n_j for j <= t (n_t >= n_j > 0: the norm of a "
         "longer prefix is larger)", "appendix")
def norm_mono(N, p):
    P, g, nt, nj = N.var("beta1^(t-j)"), N.var("g_j"), N.var("n_t"), N.var("n_j")
    return {"P>=0": P >= 0, "n_t>=n_j>0": N.And(nj > 0, nt >= nj)}, P * g * g * nj <= P * g * g * nt


@z3_step("Lemma3-swap[step]", "exchange of sums by induction: E_T + beta W_T/(1-beta) <= H_T/(1-beta) gives the same at "
         "T+1, E_{T+1} = E_T + W_{T+1}, W_{T+1} = beta W_T + h, H_{T+1} = H_T + h (base T = 1: E_1 = W_1 = H_1 = h_1, "
         "equality)", "derived")
def swap_step(N, p):
    E, W, Hs, h, B = (N.var(x) for x in ("E_T", "W_T", "H_T", "h", "beta1"))
    H = {"0<=beta1<1": N.And(B >= 0, B < 1), "IH": (1 - B) * E + B * W <= Hs}
    W1 = B * W + h
    base = (1 - B) * h + B * h == h
    return H, N.And((1 - B) * (E + W1) + B * W1 <= Hs + h, base)


@z3_step("Lemma3-swap[close]", "E_T <= H_T/(1-beta1) as W_T >= 0; then zeta/(1-beta1) E_T <= 2 zeta n_T/(1-beta1)^2 by "
         "Auer-Gentile H_T <= 2 n_T (Lemma3-4, base |g_1| <= 2|g_1|): K_T <= lemma3_rhs", "derived")
def swap_close(N, p):
    E, W, Hs, n, z, B, K = (N.var(x) for x in ("E_T", "W_T", "H_T", "n_T", "zeta", "beta1", "K_T"))
    H = {"0<=beta1<1": N.And(B >= 0, B < 1), "invariant": (1 - B) * E + B * W <= Hs, "W>=0": W >= 0,
         "Auer-Gentile": Hs <= 2 * n, "zeta>0": z > 0, "K_T<=zeta E_T/(1-beta1)": K * (1 - B) <= z * E}
    return H, K * (1 - B) ** 2 <= 2 * z * n


def thm5_total() -> sp.Expr:
    """Theorem 5's step bounds summed over the coordinates (Lemma 3 for the m-terms)."""
    D2 = S.D_inf ** 2
    return step_bounds_rhs(D2, S.beta1, S.sum_vhat_T_sqrt / AB.alpha_T, S.sum_beta1t_vhat, AB.lemma3_rhs())


def thm5_gap(bound: str = "thm5"):
    """(num, den) of BOUNDS[bound].expr - thm5_total() over one denominator (SymPy; the kernel statement
    :mod:`proofs.kernel_thm5` re-proves the identity with the solver)."""
    return sp.fraction(sp.together(sp.factor(sp.simplify(AB.BOUNDS[bound].expr - thm5_total()))))


@z3_step("Thm5[sum<=bound]", "final: the step bounds summed over the coordinates are <= analysis.bounds."
         "BOUNDS['thm5'].expr (Condition 1 with alpha_t)", "derived", bound="thm5")
def final5(N, p):
    env: dict = {}
    num, den = thm5_gap(p["bound"])
    claim = N.And(A.to_num(N, den, env) * A.to_num(N, den, env) > 0,
                  A.to_num(N, num, env) * A.to_num(N, den, env) >= 0)  # num/den >= 0, times den^2
    for x in AB.BOUNDS[p["bound"]].expr.free_symbols | thm5_total().free_symbols:
        A.to_num(N, x, env)
    return A.domain_hypotheses(N, env, {**DOMAIN, "zeta>0": lambda v: v["zeta"] > 0}), claim


@z3_step("Cor2-vbound", "beta_{2t} = 1 - 1/t: v_t = mean of g_j^2 <= G^2 (induction step: (1-1/t) v + g^2/t <= G^2 "
         "for v, g^2 <= G^2, t >= 1), so q_t <= G", "appendix")
def cor2_vbound(N, p):
    v, g, G, t = N.var("v"), N.var("g"), N.var("G"), N.var("t")
    H = {"t>=1": t >= 1, "0<=v<=G^2": N.And(v >= 0, v <= G * G), "g^2<=G^2": g * g <= G * G}
    return H, (t - 1) * v + g * g <= t * G * G


def cor2_thm5_bound():
    """BOUNDS['thm5'].expr with sqrt(T) sum_i v_{T,i}^(1/2) = sum_i ||g_{1:T,i}|| (Cor2-first) and zeta = alpha."""
    return AB.BOUNDS["thm5"].expr.subs({S.sum_vhat_T_sqrt: S.sum_g_norm / sp.sqrt(S.T), S.zeta: S.alpha})


def cor2_gap(bound: str = "cor2"):
    """(num, den) of BOUNDS[bound].expr - cor2_thm5_bound() over one denominator (SymPy)."""
    return sp.fraction(sp.together(sp.factor(sp.simplify(AB.BOUNDS[bound].expr - cor2_thm5_bound()))))


@z3_step("Cor2[from thm5]", "Corollary 2 (d/alpha-corrected) from the proved Theorem 5: with sqrt(T) sum_i v_{T,i}^(1/2) = "
         "sum_i ||g_{1:T,i}|| (Cor2-first), zeta = alpha (Cor2-cond1) and sum_beta1t_vhat <= d geo_S_bound, "
         "BOUNDS['thm5'].expr <= BOUNDS['cor2'].expr", "derived", bound="cor2")
def cor2_final(N, p):
    env: dict = {}
    num, den = cor2_gap(p["bound"])
    claim = N.And(A.to_num(N, den, env) * A.to_num(N, den, env) > 0,
                  A.to_num(N, num, env) * A.to_num(N, den, env) >= 0)
    sched = sp.cancel(S.d * geo_S_bound(S.G_inf, S.alpha, S.beta1, S.lambda_) * S.alpha * (1 - S.lambda_) ** 2)
    Sb, al, lam, dd, G, b1, D = (env.setdefault(x.name, N.var(x.name)) for x in
                                 (S.sum_beta1t_vhat, S.alpha, S.lambda_, S.d, S.G_inf, S.beta1, S.D_inf))
    H = {"schedule sums": Sb * al * (1 - lam) ** 2 <= A.to_num(N, sched, env), "alpha>0": al > 0,
         "0<=beta1<1": N.And(b1 >= 0, b1 < 1), "0<lambda<1": N.And(lam > 0, lam < 1), "d>=1": dd >= 1,
         "G>=0": G >= 0, "D_inf>=0": D >= 0}
    return H, claim


REPAIRED5 = ([thm4.step1, thm4.step2, thm4.step3, thm4.step4, thm4.step7, step5nc, A.abel_term, A.abel_base, A.abel_step,
              A.abel_close, A.s7_base, A.s7_step, A.s5_step, A.s5_close, A.sum_mono, A.additive, LM.L2b,
              thm5.lemma3_cs_step, thm5.lemma3_geo, thm5.lemma3_2, chain, norm_mono, swap_step, thm5.auer_gentile, swap_close, final5])
REPAIRED_C2 = REPAIRED5 + [cor2_vbound, geo_term, geo_step, geo_base, sqrt_le, cor2_final]
USED_C2 = REPAIRED_C2 + [thm5.v_step, thm5.cond1_cor2, thm5.cond2_cor2, thm5.cor2_first]  # the last four are in COR2


def _statement(obs, text):
    def statement(r: dict):
        bad = [o.label for o in obs if r[o.label].verdict != PROVED]
        return ("unknown", f"not proved: {', '.join(bad)}") if bad else (PROVED, text)
    return statement


THEOREM = Theorem("thm5", thm5.THEOREM.title, thm5.THM5 + REPAIRED5, thm5.summarize5,
                  statement=_statement(REPAIRED5, "with Condition 1 read with alpha_t (the form the proof uses; the "
                                       "printed alpha_T form does not give it, Cond1[alpha_T]), by the Abel summation "
                                       "with Condition 2 and the source's Lemma 3 assembled (Lemma3-chain, -swap)"))
COROLLARY2 = Theorem("cor2", thm5.COROLLARY2.title, thm5.COR2 + REPAIRED_C2, thm5.summarize_c2,
                     statement=_statement(USED_C2, "in the d/alpha-corrected form (BOUNDS['cor2']), from the "
                                          "proved Theorem 5: beta_{2t} = 1 - 1/t meets both conditions with zeta = alpha"))
