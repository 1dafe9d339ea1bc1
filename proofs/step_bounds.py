"""The repaired Theorem 4's step bounds as expressions, and their comparison with :mod:`analysis.bounds`.

Kept apart from :mod:`proofs.thm4_arxiv` (the obligations) so that :mod:`proofs.thm4` (the ICLR form,
whose statement is compared with the repaired proof's total) and the follow-ups (Corollary 1, Theorem 5,
Phuong & Phong, AdamX) use them without importing the module that imports :mod:`proofs.thm4` back.
"""
from __future__ import annotations

import sympy as sp

from analysis import bounds as AB
from analysis import symbols as S

from .lemmas import DOMAIN


# ------------------------------------------------------------------------------------------------
# The step bounds, one definition each (plain arithmetic: Z3 terms or SymPy expressions).
def abel_rhs(D2, beta1, a_T, S_T):
    """Bound of the summed-by-parts first term: D^2 (a_T + S_T) / (2(1 - beta1))."""
    return D2 * (a_T + S_T) / (2 * (1 - beta1))


def step7_sum_rhs(D2, beta1, S_T):
    """Bound of sum_t beta_{1t} a_t u_t / (2(1 - beta_{1t})): D^2 S_T / (2(1 - beta1))."""
    return D2 * S_T / (2 * (1 - beta1))


def mterm_sum_rhs(beta1, K_T):
    """Bound of the m-terms of step 3 summed over t: K_T / (1 - beta1) (step 5, re-indexed)."""
    return K_T / (1 - beta1)


def step_bounds_rhs(D2, beta1, a_T, S_T, K_T):
    """The step bounds' total: the bound of one coordinate's regret R_{T,i} in the repaired Theorem 4 (arXiv)
    and in Theorem 5 (AdamNC), the sum of the three step bounds above,

        R_{T,i} <= D^2 (a_T + S_T)/(2(1-beta1))   [the first term summed by parts, step 6: abel_rhs]
                 + D^2 S_T/(2(1-beta1))            [step 7 summed over t: step7_sum_rhs]
                 + K_T/(1-beta1)                   [the m-terms summed over t, step 5: mterm_sum_rhs]

    with a_T = sqrt(v_hat_{T,i})/alpha_T, S_T = sum_{t<=T} beta_{1t} a_t and the moment term K_T =
    sum_{t<=T} alpha_t m_{t,i}^2/sqrt(v_hat_{t,i}) or a bound of it (AdamNC: Lemma 3's).  It is
    additive in (a_T, S_T, K_T), so at the sums over the coordinates it bounds sum_i R_{T,i}: with the moment
    lemma's Mom(d, T) for K it is Theorem 4 (arXiv)'s total (:func:`step_bounds_total`), with Lemma 3's
    2 zeta ||g_{1:T}||/(1-beta1)^2 Theorem 5's.  Plain arithmetic: Z3 terms, SymPy expressions or numbers.
    (pp-4.1 and AdamX 5.1 bound the first term apart, by their own constant, so their totals are not this one.)

    >>> from fractions import Fraction
    >>> step_bounds_rhs(4, Fraction(1, 2), 1, 1, 1)  # 8 + 4 + 2
    Fraction(14, 1)
    """
    return abel_rhs(D2, beta1, a_T, S_T) + step7_sum_rhs(D2, beta1, S_T) + mterm_sum_rhs(beta1, K_T)



# ------------------------------------------------------------------------------------------------
def step_bounds_total() -> sp.Expr:
    """The sum over the coordinates of the three step bounds, in the symbols of :mod:`analysis.bounds`.

    sum_i a_{T,i} = sum_i sqrt(v_hat_{T,i}) / alpha_T; sum_i S_{T,i} = sum_beta1t_vhat (its definition);
    sum_i K_{T,i} <= the moment lemma's right-hand side (step 5[close] lets it replace K)."""
    D2 = S.D_inf ** 2
    aT = S.sum_vhat_T_sqrt / AB.alpha_T
    return step_bounds_rhs(D2, S.beta1, aT, S.sum_beta1t_vhat, AB.moment_lemma_rhs())


def to_num(N, e, env: dict):
    """A SymPy expression of :mod:`analysis.symbols` in the number system N (Z3 terms or exact SymPy).

    log(T) becomes one variable "log(T)" (constrained only by log(T) >= 0, which T >= 1 gives): a claim
    proved for every such value holds at log T.  Square roots go through N.sqrt; nothing else is allowed."""
    if e.is_Symbol:
        return env.setdefault(e.name, N.var(e.name))
    if e.is_Rational:
        return N.const(int(e.p), int(e.q))
    if isinstance(e, sp.log):
        if e.args[0] != S.T:
            raise ValueError(f"to_num: only log(T) is supported, not {e}")
        return env.setdefault("log(T)", N.var("log(T)"))
    if e.is_Add:
        out = to_num(N, e.args[0], env)
        for x in e.args[1:]:
            out = out + to_num(N, x, env)
        return out
    if e.is_Mul:
        out = to_num(N, e.args[0], env)
        for x in e.args[1:]:
            out = out * to_num(N, x, env)
        return out
    if e.is_Pow:
        b, x = e.args
        if x == sp.Rational(1, 2):
            return N.sqrt(to_num(N, b, env))
        if x == sp.Rational(-1, 2):
            return 1 / N.sqrt(to_num(N, b, env))
        if x.is_Integer:
            base = to_num(N, b, env)
            out = base
            for _ in range(abs(int(x)) - 1):
                out = out * base
            return 1 / out if x < 0 else out
    raise ValueError(f"to_num: cannot translate {e!r}")


def bound_gap(name: str) -> sp.Expr:
    """BOUNDS[name].expr - step_bounds_total(), put over one denominator by SymPy (exact rational-function
    arithmetic: the common moment-lemma term cancels symbolically), so that the SMT solvers see a short
    polynomial quotient instead of two copies of sqrt(1 + log T)/((1-gamma) sqrt(1-beta2))."""
    return sp.factor(sp.simplify(AB.BOUNDS[name].expr - step_bounds_total()))


def compare(N, p, gap):
    """(hypotheses on the bound's symbols, gap >= 0) in the number system N."""
    env: dict = {}
    g = to_num(N, gap, env)
    for x in AB.BOUNDS[p["bound"]].expr.free_symbols | step_bounds_total().free_symbols:
        to_num(N, x, env)  # every symbol of both sides gets its domain, even where it cancelled
    return domain_hypotheses(N, env, DOMAIN), g >= 0


def domain_hypotheses(N, env: dict, domain: dict) -> dict:
    """The hypotheses of ``domain`` (name -> condition on the translated symbols, or a tuple of them) for
    the symbols that ``env`` holds; a condition on a symbol that is absent, or an empty tuple, is left out."""
    H = {}
    for k, f in domain.items():
        try:
            c = f(env)
        except KeyError:
            continue
        if isinstance(c, tuple) and not c:
            continue
        H[k] = N.And(*c) if isinstance(c, tuple) else c
    return H
