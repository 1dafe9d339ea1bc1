"""Theorem 4, arXiv form (AMSGrad regret bound), proved end to end by a repaired step 6.

The printed step 6 telescopes the first term as if every coefficient c_t = a_t / (2(1 - beta_{1t}))
were non-decreasing; Example 3.2 shows it need not be (:mod:`proofs.thm4`).  The repair follows a remark
of the Lean formalisation (spec, paper §7.4, "Lean note"; the Lean project is unreviewed, so we re-prove
every step here): summing by parts, the increments c_t - c_{t-1} are never needed to be >= 0, only bounded
above by (a_t - a_{t-1} + beta_{1t} a_{t-1}) / (2(1 - beta1)), which inequality (1) (a_t non-decreasing,
:data:`proofs.phuong_phong.ineq1`) and 0 <= beta_{1t} <= beta1 < 1 give.  The price is a second term with
beta_{1t} a_t, which the arXiv statement has room for.

Per coordinate i (the box F and diagonal V_hat split the problem), with q_t = sqrt(v_hat_{t,i}),
alpha_t = alpha/sqrt(t), u_t = (x_{t,i} - x*_i)^2 in [0, D^2] and

    a_t = q_t / alpha_t,   c_t = a_t / (2(1 - beta_{1t})),   S_T = sum_{t<=T} beta_{1t} a_t,

step 3 splits g_t d_t into four terms: c_t (u_t - u_{t+1}) (the first term), the two m-terms
y_t = alpha_t m_t^2/(2(1-beta_{1t}) q_t) and X_{t-1} = beta_{1t} alpha_t m_{t-1}^2/(2(1-beta_{1t}) q_t),
and beta_{1t} a_t u_t / (2(1 - beta_{1t})).  Each sum over t is proved by induction on T: a base case
and an induction step whose variables are arbitrary reals meeting the hypotheses, so one Z3 proof covers
every T.  The invariants are

    first term:  Q_T + c_T u_{T+1} <= abel_rhs(D^2, beta1, a_T, S_T)     (Q_T = sum_t c_t (u_t - u_{t+1}))
    step 7 sum:  W_T <= step7_sum_rhs(D^2, beta1, S_T)                   (W_T = sum_t beta_{1t} a_t u_t/(2(1-beta_{1t})))
    m-terms:     P_T + X_T <= mterm_sum_rhs(beta1, K_T)                   (P_T = sum_t y_t + X_{t-1}, K_T = sum_t alpha_t m_t^2/q_t)

and the moment lemma (:mod:`proofs.lemma_moment`) bounds sum_i K_{T,i}.  The three right-hand sides are
written once, below, and used both by the Z3 steps and by the final obligation, which sums them over the
coordinates and compares the total with ``analysis.bounds.BOUNDS["thm4-arxiv"].expr`` itself.
"""
from __future__ import annotations

import sympy as sp


from . import lemma_moment, thm4
from .step_bounds import (abel_rhs, bound_gap, compare, domain_hypotheses,  # noqa: F401 -- used here and read
                          mterm_sum_rhs, step7_sum_rhs, step_bounds_rhs, step_bounds_total, to_num)  # as thm4_arxiv.X
from .obligation import Theorem, sympy_step, z3_step
from .phuong_phong import ineq1
from .lemmas import beta


def _cdef(N, H, key, c, a, b):
    # c = a / (2(1 - b)) written without a division, so that cvc5 can confirm the proof too
    H[key] = 2 * (1 - b) * c == a


# ------------------------------------------------------------------------------------------------
@z3_step("step 6[Abel]", "Lean note's increment bound: c_t - c_{t-1} <= (a_t - a_{t-1} + beta_{1t} a_{t-1}) / "
         "(2(1-beta1)) for c_t = a_t/(2(1-beta_{1t})), 0 <= a_{t-1} <= a_t (inequality (1)), "
         "0 <= beta_{1t}, beta_{1,t-1} <= beta1 < 1", "lean-note")
def abel_term(N, p):
    H = {}
    B, (b0, b1) = beta(N, H, "beta1_tm1", "beta1_t")
    a0, a1, c0, c1 = N.var("a_tm1"), N.var("a_t"), N.var("c_tm1"), N.var("c_t")
    H["0<=a_tm1<=a_t"] = N.And(a0 >= 0, a1 >= a0)
    _cdef(N, H, "c_tm1 def", c0, a0, b0)
    _cdef(N, H, "c_t def", c1, a1, b1)
    return H, 2 * (1 - B) * (c1 - c0) <= a1 - a0 + b1 * a0


@z3_step("step 6[base T=1]", "first term, base case: Q_1 + c_1 u_2 = c_1 u_1 <= abel_rhs(D^2, beta1, a_1, S_1) "
         "with S_1 = beta_{11} a_1, u_1, u_2 in [0, D^2]", "derived")
def abel_base(N, p):
    H = {}
    B, (b1,) = beta(N, H, "beta1_1")
    a1, c1, u1, u2, D2 = N.var("a_1"), N.var("c_1"), N.var("u_1"), N.var("u_2"), N.var("D2")
    H["a_1>=0"] = a1 >= 0
    _cdef(N, H, "c_1 def", c1, a1, b1)
    H["u in [0,D2]"] = N.And(u1 >= 0, u1 <= D2, u2 >= 0, u2 <= D2)
    Q1 = c1 * (u1 - u2)
    return H, Q1 + c1 * u2 <= abel_rhs(D2, B, a1, b1 * a1)


@z3_step("step 6[step T->T+1]", "first term, induction step: Q_T + c_T u_{T+1} <= abel_rhs(a_T, S_T) and the "
         "increment bound (step 6[Abel]) give Q_{T+1} + c_{T+1} u_{T+2} <= abel_rhs(a_{T+1}, S_T + "
         "beta_{1,T+1} a_{T+1}), Q_{T+1} = Q_T + c_{T+1}(u_{T+1} - u_{T+2})", "derived")
def abel_step(N, p):
    H = {}
    B, (b1,) = beta(N, H, "beta1_T1")
    Q, St, a0, a1, c0, c1 = (N.var(n) for n in ("Q_T", "S_T", "a_T", "a_T1", "c_T", "c_T1"))
    u1, u2, D2 = N.var("u_T1"), N.var("u_T2"), N.var("D2")
    H["IH"] = Q + c0 * u1 <= abel_rhs(D2, B, a0, St)
    H["step 6[Abel]"] = 2 * (1 - B) * (c1 - c0) <= a1 - a0 + b1 * a0
    H["0<=a_T<=a_T1"] = N.And(a0 >= 0, a1 >= a0)
    H["u in [0,D2]"] = N.And(u1 >= 0, u1 <= D2, u2 >= 0, u2 <= D2)
    Q1 = Q + c1 * (u1 - u2)
    return H, Q1 + c1 * u2 <= abel_rhs(D2, B, a1, St + b1 * a1)


@z3_step("step 6[close]", "the first term itself: Q_T <= Q_T + c_T u_{T+1} <= abel_rhs, as c_T >= 0, u_{T+1} >= 0",
         "derived")
def abel_close(N, p):
    H = {}
    B, (b,) = beta(N, H, "beta1_T")
    Q, St, a, c, u, D2 = (N.var(n) for n in ("Q_T", "S_T", "a_T", "c_T", "u_T1", "D2"))
    H["invariant"] = Q + c * u <= abel_rhs(D2, B, a, St)
    H["a_T>=0"] = a >= 0
    _cdef(N, H, "c_T def", c, a, b)
    H["u>=0"] = u >= 0
    return H, Q <= abel_rhs(D2, B, a, St)


def _step7_term(b, a, u):
    return b * a * u / (2 * (1 - b))


@z3_step("step 7[base T=1]", "step 7 summed, base case: beta_{11} a_1 u_1/(2(1-beta_{11})) <= step7_sum_rhs(D^2, "
         "beta1, beta_{11} a_1)", "derived")
def s7_base(N, p):
    H = {}
    B, (b,) = beta(N, H, "beta1_1")
    a, u, D2 = N.var("a_1"), N.var("u_1"), N.var("D2")
    H["a_1>=0"] = a >= 0
    H["u in [0,D2]"] = N.And(u >= 0, u <= D2)
    return H, _step7_term(b, a, u) <= step7_sum_rhs(D2, B, b * a)


@z3_step("step 7[step T->T+1]", "step 7 summed, induction step: W_T <= step7_sum_rhs(S_T) and step 7 for the new "
         "term w = beta_{1t} a_t u_t/(2(1-beta_{1t})) <= D^2 beta_{1t} a_t/(2(1-beta1)) give W_T + w <= "
         "step7_sum_rhs(S_T + beta_{1t} a_t)", "derived")
def s7_step(N, p):
    H = {}
    B, (b,) = beta(N, H, "beta1_t")
    W, St, a, w, D2 = (N.var(n) for n in ("W_T", "S_T", "a_t", "w_t", "D2"))
    H["IH"] = W <= step7_sum_rhs(D2, B, St)
    # step 7 (proofs.thm4.step7, with a_t = q_t/alpha_t and u_t = d^2) for the new term
    H["step 7"] = 2 * (1 - B) * w <= D2 * b * a
    return H, W + w <= step7_sum_rhs(D2, B, St + b * a)


def _mpair(N, H, t):
    """y_t and X_t of step 5 (its hypotheses added to H): the m-terms that hold m_t."""
    q0, q1, a0, a1, b0, b1, B, m = (N.var(n) for n in (f"q_{t}", f"q_{t}1", f"alpha_{t}", f"alpha_{t}1",
                                                       f"b_{t}", f"b_{t}1", "beta1", f"m_{t}"))
    H["q_t1>=q_t>0"] = N.And(q0 > 0, q1 >= q0)
    H["0<alpha_t1<=alpha_t"] = N.And(a1 > 0, a1 <= a0)
    H["0<=b<=beta1<1"] = N.And(b0 >= 0, b1 >= 0, b0 <= B, b1 <= B, B < 1)
    y = a0 * m * m / (2 * (1 - b0) * q0)
    X = b1 * a1 * m * m / (2 * (1 - b1) * q1)
    return B, y, X, a0 * m * m / q0


@z3_step("step 5[base T=1]", "m-terms summed, base case (m_0 = 0, so X_0 = 0): P_1 + X_1 = y_1 + X_1 <= "
         "mterm_sum_rhs(beta1, K_1), K_1 = alpha_1 m_1^2/q_1", "derived")
def s5_base(N, p):
    H = {}
    B, y, X, k = _mpair(N, H, "T")
    return H, y + X <= mterm_sum_rhs(B, k)


@z3_step("step 5[step T->T+1]", "m-terms summed, induction step: P_T + X_T <= mterm_sum_rhs(K_T) and step 5 "
         "(y_{T+1} + X_{T+1} <= mterm_sum_rhs(k), k = alpha_{T+1} m_{T+1}^2/q_{T+1}) give P_{T+1} + X_{T+1} <= "
         "mterm_sum_rhs(K_T + k), P_{T+1} = P_T + y_{T+1} + X_T", "derived")
def s5_step(N, p):
    P, X0, K, y, X1, k, B = (N.var(n) for n in ("P_T", "X_T", "K_T", "y_T1", "X_T1", "k_T1", "beta1"))
    H = {"IH": P + X0 <= mterm_sum_rhs(B, K), "step 5": (1 - B) * (y + X1) <= k,
         "0<=beta1<1": N.And(B >= 0, B < 1)}
    return H, (P + y + X0) + X1 <= mterm_sum_rhs(B, K + k)


@z3_step("step 5[close]", "the m-terms themselves: P_T <= P_T + X_T <= mterm_sum_rhs, as X_T >= 0; and "
         "mterm_sum_rhs is non-decreasing in K (so the moment lemma's bound on sum_i K_{T,i} applies)", "derived")
def s5_close(N, p):
    P, X, K, K2, B = (N.var(n) for n in ("P_T", "X_T", "K_T", "K_bound", "beta1"))
    H = {"invariant": P + X <= mterm_sum_rhs(B, K), "X_T>=0": X >= 0, "K_T<=K_bound": K <= K2,
         "0<=beta1<1": N.And(B >= 0, B < 1)}
    return H, P <= mterm_sum_rhs(B, K2)


@z3_step("sum[step T->T+1]", "summing per-round bounds (steps 3-4 over t, then over the coordinates i): "
         "X <= Y and x <= y give X + x <= Y + y", "derived")
def sum_mono(N, p):
    X, Y, x, y = (N.var(n) for n in ("X", "Y", "x", "y"))
    return {"IH": X <= Y, "term": x <= y}, X + x <= Y + y


@sympy_step("sum over i", "the three step bounds are additive in their data (a_T, S_T, K_T), so summing them "
            "over the d coordinates sums the data: f(x + x') = f(x) + f(x')", "derived")
def additive(p):
    D2, B = sp.symbols("D2 beta1")
    a, a2, s, s2, k, k2 = sp.symbols("a a2 s s2 k k2")
    lhs = step_bounds_rhs(D2, B, a + a2, s + s2, k + k2)
    rhs = step_bounds_rhs(D2, B, a, s, k) + step_bounds_rhs(D2, B, a2, s2, k2)
    return lhs, rhs, [{D2: 1, B: sp.Rational(1, 2), a: 1, a2: 1, s: 1, s2: 1, k: 1, k2: 1}]


@z3_step("Thm4-arXiv[sum<=bound]", "final: the step bounds summed over the coordinates (step_bounds_total) are "
         "<= analysis.bounds.BOUNDS['thm4-arxiv'].expr (the same SymPy object; their difference put over one "
         "denominator by SymPy) on the whole domain", "derived", bound="thm4-arxiv")
def final(N, p):
    return compare(N, p, bound_gap(p["bound"]))


# ------------------------------------------------------------------------------------------------
# The repaired proof: steps 1-5 and 7 as in proofs.thm4 (the same obligation objects, checked once per
# audit), inequality (1), the new step 6, the sums, the moment lemma's steps, the final comparison.
# the moment lemma's general steps: no evidence row and no finite instance (L2a at T = 4, L3/L6 at n = 3,
# L5-swap at T = 5) is a link of this chain; the kernel proves the lemma by induction (proofs.statements)
LEMMA = [o for o in lemma_moment.OBLIGATIONS if not o.evidence and o.label not in lemma_moment.FINITE_INSTANCES]
OBLIGATIONS = ([thm4.step1, thm4.step2, thm4.step3, thm4.step4, thm4.step5, thm4.step7, ineq1,
                abel_term, abel_base, abel_step, abel_close, s7_base, s7_step, s5_base, s5_step, s5_close,
                sum_mono, additive] + LEMMA + [final])
REPAIRED = ("step 6[Abel]", "step 6[base T=1]", "step 6[step T->T+1]", "step 6[close]")


def summarize(r: dict) -> str:
    bad = [k for k in r if r[k].verdict != "proved" and not r[k].evidence]
    f = r["Thm4-arXiv[sum<=bound]"].verdict
    return (f"Theorem 4 (arXiv form): statement {'PROVED' if not bad else 'NOT ESTABLISHED'} by the repaired proof "
            f"-- step 6 replaced by the Lean note's Abel summation ({', '.join(r[k].verdict for k in REPAIRED)}); "
            f"sum of the step bounds <= BOUNDS['thm4-arxiv']: {f}; first term D^2/(2 alpha_T (1-beta1)) sum_i "
            f"v_hat_T^(1/2) (half the printed), second D^2/(1-beta1) (the printed has 1/(1-beta1)^2)"
            + ("" if not bad else f"; not proved: {', '.join(bad)}") + ".")


THEOREM = Theorem("thm4-arxiv", "Theorem 4, arXiv form (AMSGrad): the repaired proof (Abel summation for step 6)",
                  OBLIGATIONS, summarize)
