"""Corollary 1 (beta_{1t} = beta1 lambda^(t-1)): the printed constant against the derived one.

From Theorem 4's (arXiv) second term D^2/(1-beta1)^2 sum_t sum_i beta_{1t} sqrt(v_hat_{t,i})/alpha_t with
sqrt(v_hat) <= G, alpha_t = alpha/sqrt(t) and sum_{t>=1} lambda^(t-1) sqrt(t) <= 1/(1-lambda)^2 one gets
d beta1 D^2 G / (alpha (1-beta1)^2 (1-lambda)^2); the printed middle term lacks the factor d/alpha
(Lean note; docs/references.md, literature §5).  This refutes the printed *derivation*, not the corollary itself.
"""
from __future__ import annotations

from dataclasses import replace

import mpmath
import sympy as sp

from analysis.conditions import SECTION5
from numerics import amsgrad

from analysis import bounds as AB
from analysis import symbols as S

from . import thm4_arxiv as A
from .obligation import ARB_RERUN, PROVED, Theorem, exact_step, generic_branch, sympy_step, z3_step
from .runs import log, trace
from .schedules import geo_base, geo_S_bound, geo_step, geo_term
from .thm5 import middle_step, ratio


@sympy_step("Cor1-geo", "sum_{t>=1} lambda^(t-1) t = 1/(1-lambda)^2, 0 < lambda < 1", "lean-note")
def geo(p):
    lam = sp.Symbol("lambda", positive=True)
    t = sp.Symbol("t", integer=True, positive=True)
    s = generic_branch(sp.summation(lam ** (t - 1) * t, (t, 1, sp.oo)))
    return s, 1 / (1 - lam) ** 2, [{lam: sp.Rational(1, 2)}]


@z3_step("Cor1-sqrt", "sqrt(t) <= t for t >= 1 (so sum lambda^(t-1) sqrt t <= sum lambda^(t-1) t)", "lean-note")
def sqrt_le(N, p):
    t = N.var("t")
    return {"t>=1": t >= 1}, N.sqrt(t) <= t


@z3_step("Cor1-vhat", "sqrt(v_hat) <= G: v' = beta2 v + (1-beta2) g^2 and max(v_hat, v') stay <= G^2 when "
         "v, v_hat <= G^2 and g^2 <= G^2", "lean-note")
def vhat_le(N, p):
    b2, v, vh, g, G = (N.var(x) for x in ("beta2", "v", "v_hat", "g", "G"))
    H = {"0<beta2<1": N.And(b2 > 0, b2 < 1), "0<=v<=G^2": N.And(v >= 0, v <= G * G),
         "v_hat<=G^2": vh <= G * G, "g^2<=G^2": g * g <= G * G}
    vn = b2 * v + (1 - b2) * g * g
    return H, N.max(vh, vn) <= G * G


@sympy_step("Cor1-derive", "Theorem 4's second term with these bounds: D^2/(1-beta1)^2 * d * beta1 G/alpha * "
            "1/(1-lambda)^2 = d beta1 D^2 G/(alpha (1-beta1)^2 (1-lambda)^2)", "lean-note")
def derive(p):
    d, a, b1, lam, D, G = sp.symbols("d alpha beta1 lambda D G", positive=True)
    t = sp.Symbol("t", integer=True, positive=True)
    # sum_t beta1 lambda^(t-1) * G * t / alpha  (sqrt t replaced by t, Cor1-sqrt), times d coordinates
    s = generic_branch(sp.summation(b1 * lam ** (t - 1) * G * t / a, (t, 1, sp.oo)))
    lhs = D ** 2 / (1 - b1) ** 2 * d * s
    return lhs, d * b1 * D ** 2 * G / (a * (1 - b1) ** 2 * (1 - lam) ** 2), [{d: 2, a: 1, b1: sp.Rational(1, 2),
                                                                           lam: sp.Rational(1, 2), D: 1, G: 1}]


def printed_cor1(T, lam="9/10", backend="mpmath"):
    """R_T and the printed arXiv Corollary 1 bound on Example 3.2's sequence with beta_{1t} = 0.9 lam^(t-1)."""
    a, b1, b2 = "1/1000", "9/10", "999/1000"
    tr = trace(amsgrad(alpha=a, beta1=b1, beta2=b2, beta1_schedule="geometric", lam=lam),
               SECTION5.pattern, T, x1=1, backend=backend)
    B = tr.backend
    a, b1, b2, lm, D, G = B.num(a), B.num(b1), B.num(b2), B.num(lam), B.num(2), B.num(SECTION5.big)
    gam = b1 / B.sqrt(b2)
    gn = B.sqrt(sum(r.g * r.g for r in tr.rounds))
    t1 = D * D * B.sqrt(B.num(T)) / (a * (1 - b1)) * B.sqrt(tr.rounds[-1].state.v_hat)
    t2 = b1 * D * D * G / ((1 - b1) ** 2 * (1 - lm) ** 2)
    t3 = a * B.sqrt(1 + log(B, T)) / ((1 - b1) ** 2 * (1 - gam) * B.sqrt(1 - b2)) * gn
    return tr.regret, t1 + t2 + t3, B


@exact_step("Cor1[T<=1000]", "evidence: R_T <= the printed Corollary 1 bound on Example 3.2's sequence, "
            "lambda in {0.001, 0.9}, T in {10, 100, 1000} (mpmath)", "numerical", evidence="T<=1000",
            replay=ARB_RERUN)
def evidence(p):
    w, ok = {}, True
    for lam in ("1/1000", "9/10"):
        for T in (10, 100, 1000):
            R, bnd, B = printed_cor1(T, lam, p.get("backend", "mpmath"))
            ok &= R <= bnd
            w[f"lambda={lam},T={T}"] = f"{B.to_str(R, 5)} <= {B.to_str(bnd, 5)}"
    return ("proved" if ok else "refuted"), w, "finite check: the printed statement is not refuted here"


def cor1_gap(name="cor1-derived") -> sp.Expr:
    """BOUNDS[name].expr - BOUNDS['thm4-arxiv'].expr over one denominator (only the middle terms differ)."""
    return sp.factor(sp.simplify(AB.BOUNDS[name].expr - AB.BOUNDS["thm4-arxiv"].expr))


@z3_step("Cor1[from thm4-arxiv]", "corrected Corollary 1 from the proved arXiv Theorem 4: with sum_beta1t_vhat <= "
         "d geo_S_bound (schedule sums, summed over the coordinates), BOUNDS['thm4-arxiv'].expr <= "
         "BOUNDS['cor1-derived'].expr (the d/alpha-corrected middle term)", "derived", bound="cor1-derived")
def from_thm4(N, p):
    env: dict = {}
    # gap = num/den exactly (SymPy); den > 0 and num >= 0 is polynomial, so cvc5 can confirm it too
    num, den = sp.fraction(sp.together(cor1_gap(p["bound"])))
    claim = N.And(A.to_num(N, den, env) > 0, A.to_num(N, num, env) >= 0)
    sched = sp.cancel(S.d * geo_S_bound(S.G_inf, S.alpha, S.beta1, S.lambda_) * S.alpha * (1 - S.lambda_) ** 2)
    Sb, al, lam = (env.setdefault(x.name, N.var(x.name)) for x in (S.sum_beta1t_vhat, S.alpha, S.lambda_))
    dd, G, b1, D = (env.setdefault(x.name, N.var(x.name)) for x in (S.d, S.G_inf, S.beta1, S.D_inf))
    H = {"schedule sums": Sb * al * (1 - lam) ** 2 <= A.to_num(N, sched, env), "alpha>0": al > 0,
         "0<=beta1<1": N.And(b1 >= 0, b1 < 1), "0<lambda<1": N.And(lam > 0, lam < 1), "d>=1": dd >= 1,
         "G>=0": G >= 0, "D_inf>=0": D >= 0}
    return H, claim


@z3_step("Cor1-printed[alpha>=d]", "the printed middle term is >= the derived one when alpha >= d, so the printed "
         "corollary follows from the proved one there", "derived")
def printed_when(N, p):
    a, dd, b1, lam, D, G = (N.var(x) for x in ("alpha", "d", "beta1", "lambda", "D", "G"))
    H = {"alpha>=d>=1": N.And(dd >= 1, a >= dd), "0<=beta1<1": N.And(b1 >= 0, b1 < 1),
         "0<lambda<1": N.And(lam > 0, lam < 1), "D,G>=0": N.And(D >= 0, G >= 0)}
    # printed >= derived, both over the positive (1-beta1)^2 (1-lambda)^2, and times alpha > 0
    return H, a * b1 * D * D * G >= dd * b1 * D * D * G


REPAIRED = A.OBLIGATIONS + [sqrt_le, geo_term, geo_step, geo_base, from_thm4, printed_when]
OBLIGATIONS = [geo, sqrt_le, vhat_le, derive, middle_step("Cor1-middle", "appendix"),
               replace(ratio, label="Cor1-ratio"), evidence] + REPAIRED


def statement(r: dict):
    bad = [o.label for o in REPAIRED if r[o.label].verdict != PROVED]
    if bad:
        return None
    return (PROVED, "in the corrected form (middle term times d/alpha, BOUNDS['cor1-derived']), from the proved "
                    "arXiv Theorem 4 and the geometric schedule sums; the printed form follows when alpha >= d "
                    "(Cor1-printed[alpha>=d]) and is not decided for alpha < d")


def summarize(r: dict) -> str:
    return (f"Corollary 1: printed middle term beta1 D^2 G/((1-beta1)^2(1-lambda)^2) vs derived "
            f"d beta1 D^2 G/(alpha (1-beta1)^2 (1-lambda)^2): derivation {r['Cor1-middle'].verdict}, factor d/alpha "
            f"({r['Cor1-ratio'].verdict}); corrected statement from the proved arXiv Theorem 4: "
            f"{r['Cor1[from thm4-arxiv]'].verdict}; printed statement: follows for alpha >= d "
            f"({r['Cor1-printed[alpha>=d]'].verdict}), finite runs hold "
            f"({'yes' if r['Cor1[T<=1000]'].verdict == 'evidence' else 'FAILS'}).")


THEOREM = Theorem("cor1", "Corollary 1 (AMSGrad, beta_{1t} = beta1 lambda^(t-1))", OBLIGATIONS, summarize,
                  statement=statement)
