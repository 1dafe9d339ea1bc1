"""The beta_{1t} schedule sums of the repaired AMSGrad bounds, by induction on T (shared by Corollary 1 and
Phuong & Phong's Theorem 4.1).

S_T = sum_{t<=T} beta_{1t} a_t with a_t = sqrt(t) q_t/alpha and q_t = sqrt(v_hat_{t,i}) <= G (Cor1-vhat):
for beta_{1t} = beta1 lambda^(t-1), S_T <= geo_S_bound (sqrt(t) <= t and a geometric partial-sum induction);
for beta_{1t} = beta1/t, S_T <= harm_S_bound (sum_t 1/sqrt(t) <= 2 sqrt(T): base here, step L-close).
"""
from __future__ import annotations

from .obligation import z3_step


def geo_S_bound(G, alpha, beta1, lam):
    """S_T = sum_t beta1 lambda^(t-1) a_t <= G beta1/(alpha (1-lambda)^2)."""
    return G * beta1 / (alpha * (1 - lam) ** 2)


def harm_S_bound(G, alpha, beta1, sqrt_T):
    """S_T = sum_t (beta1/t) a_t <= 2 G beta1 sqrt(T)/alpha."""
    return 2 * G * beta1 * sqrt_T / alpha



@z3_step("PP-S[geo term]", "beta_{1t} a_t <= (G beta1/alpha) lambda^(t-1) t for beta_{1t} = beta1 lambda^(t-1), "
         "a_t = sqrt(t) q_t/alpha, q_t <= G, sqrt(t) <= t (Cor1-sqrt)", "derived")
def geo_term(N, p):
    B, P, q, G, al, s, t = (N.var(n) for n in ("beta1", "lambda^(t-1)", "q_t", "G", "alpha", "sqrt_t", "t"))
    H = {"0<=beta1<1": N.And(B >= 0, B < 1), "P>=0": P >= 0, "0<=q_t<=G": N.And(q >= 0, q <= G),
         "alpha>0": al > 0, "0<=sqrt_t<=t": N.And(s >= 0, s <= t)}
    return H, B * P * (s * q / al) <= (G * B / al) * P * t


@z3_step("PP-geo[step]", "partial sums sum_{t<=T} lambda^(t-1) t <= (1 - P (T+1-T lambda))/(1-lambda)^2, P = "
         "lambda^T, induction step (P' = lambda P)", "derived")
def geo_step(N, p):
    lam, P, T, Sg = N.var("lambda"), N.var("P"), N.var("T"), N.var("S_T")
    H = {"0<lambda<1": N.And(lam > 0, lam < 1), "P>=0": P >= 0, "T>=1": T >= 1,
         "IH": Sg * (1 - lam) ** 2 <= 1 - P * (T + 1 - T * lam)}
    P1 = lam * P
    return H, (Sg + P * (T + 1)) * (1 - lam) ** 2 <= 1 - P1 * (T + 2 - (T + 1) * lam)


@z3_step("PP-geo[base,close]", "base T = 1: 1 <= (1 - lambda (2 - lambda))/(1-lambda)^2 (equality); close: the "
         "invariant's right side is <= 1/(1-lambda)^2 for P >= 0, T >= 1", "derived")
def geo_base(N, p):
    lam, P, T, Sg = N.var("lambda"), N.var("P"), N.var("T"), N.var("S_T")
    H = {"0<lambda<1": N.And(lam > 0, lam < 1), "P>=0": P >= 0, "T>=1": T >= 1,
         "invariant": Sg * (1 - lam) ** 2 <= 1 - P * (T + 1 - T * lam)}
    return H, N.And((1 - lam) ** 2 <= 1 - lam * (2 - lam), Sg * (1 - lam) ** 2 <= 1)


@z3_step("PP-S[harm term]", "beta_{1t} a_t <= (G beta1/alpha)/sqrt(t) for beta_{1t} = beta1/t, a_t = sqrt(t) q_t/alpha",
         "derived")
def harm_term(N, p):
    B, q, G, al, s = (N.var(n) for n in ("beta1", "q_t", "G", "alpha", "sqrt_t"))
    H = {"0<=beta1<1": N.And(B >= 0, B < 1), "0<=q_t<=G": N.And(q >= 0, q <= G), "alpha>0": al > 0, "sqrt_t>0": s > 0}
    return H, (B / (s * s)) * (s * q / al) <= (G * B / al) / s


@z3_step("PP-sqrt-sum[base]", "base T = 1 of sum_{t<=T} 1/sqrt(t) <= 2 sqrt(T) (L-close is the step)", "derived")
def sqrt_base(N, p):
    return {}, N.const(1) <= 2 * N.sqrt(N.const(1))
