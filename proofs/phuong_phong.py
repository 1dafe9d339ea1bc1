"""Phuong & Phong (2019): the gap in the AMSGrad proof, Example 3.2, and their repairs.

Inequality (1)  sqrt(v_hat_{t+1})/alpha_{t+1} >= sqrt(v_hat_t)/alpha_t                  (AMSGrad has it)
Inequality (2)  sqrt(v_hat_{t+1})/(alpha_{t+1}(1-beta_{1,t+1})) >= sqrt(v_hat_t)/(alpha_t(1-beta_{1,t}))
The telescoping step of Reddi et al. (Theorem 4, step 6) needs (2); (1) does not give it.
Example 3.2 (docs/references.md, literature §1.3): the Section 5 sequence (1010 at t mod 101 = 1, else -10), x_1 = 1,
beta1 = 0.9, beta_{1,t} = beta1 lambda^(t-1), lambda = 0.001, beta2 = 0.999, alpha_t = 0.001/sqrt(t);
(2) fails at t = 1 (45209.26 < 319390.04) and the "red" step fails at T = 2 (1998.615 > 1820.703).
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from analysis.conditions import SECTION5
from numerics import amsgrad

from .obligation import Theorem, exact_step, generic_branch, no_refutation, sympy_step, z3_step
from .runs import trace

EX32 = dict(alpha="1/1000", beta1="9/10", beta2="999/1000", lam="1/1000")
PATTERN = SECTION5.pattern


def ex32(T: int, backend: str = "sympy"):
    """Example 3.2 run through numerics' AMSGrad; returns (trace, beta_{1,t} function)."""
    conv = (lambda s: sp.Rational(s)) if backend == "sympy" else (lambda s: s)
    m = amsgrad(alpha=conv(EX32["alpha"]), beta1=conv(EX32["beta1"]), beta2=conv(EX32["beta2"]),
                beta1_schedule="geometric", lam=conv(EX32["lam"]))
    tr = trace(m, PATTERN, T, x1=1, backend=backend)
    B = tr.backend
    b1, lam = B.num(EX32["beta1"]), B.num(EX32["lam"])
    return tr, (lambda t: b1 * lam ** (t - 1))


def ineq2_values(backend="sympy"):
    tr, b = ex32(2, backend)
    r = tr.rounds
    return r[1].inv_lr / (1 - b(2)), r[0].inv_lr / (1 - b(1)), tr


def red_values(backend="sympy"):
    """Exact first term of eq. 3.1 (T = 2, x* = -1) and the same with 1/(1-beta1)."""
    tr, b = ex32(2, backend)
    B = tr.backend
    one, b1 = B.num(1), B.num(EX32["beta1"])
    r = tr.rounds
    diff = [(tr.x(t) + 1) ** 2 - (tr.x(t + 1) + 1) ** 2 for t in (1, 2)]
    exact = sum(r[t - 1].inv_lr / (2 * (one - b(t))) * diff[t - 1] for t in (1, 2))
    swapped = sum(r[t - 1].inv_lr / (2 * (one - b1)) * diff[t - 1] for t in (1, 2))
    return exact, swapped, tr


def _certain(flag_true, flag_false):
    """True / False when a ball comparison is certain, None when the enclosures overlap."""
    return True if flag_true else (False if flag_false else None)


def _ineq2_fails_in_balls(p, w):
    """inequality (2) at t = 1 re-evaluated in arb balls (numerics AMSGrad): LHS < RHS for certain"""
    l, r, _ = ineq2_values("arb")
    return _certain(l < r, l >= r)


def _red_fails_in_balls(p, w):
    """the red step re-evaluated in arb balls (numerics AMSGrad): exact term > swapped term for certain"""
    e, s, _ = red_values("arb")
    return _certain(e > s, e <= s)


def _n(x, k=10):
    return str(sp.N(x, k))


# ------------------------------------------------------------------------------------------------
@z3_step("PP-(1)", "AMSGrad: v_hat_{t+1} >= v_hat_t >= 0, alpha_t = alpha/sqrt(t) give inequality (1)",
         "follow-up")
def ineq1(N, p):
    a, t, v0, v1 = N.var("alpha"), N.var("t"), N.var("v_hat_t"), N.var("v_hat_t1")
    H = {"alpha>0": a > 0, "t>=1": t >= 1, "v_hat_t>=0": v0 >= 0, "v_hat_t1>=v_hat_t": v1 >= v0}
    return H, N.sqrt(v1) * N.sqrt(t + 1) / a >= N.sqrt(v0) * N.sqrt(t) / a


def _ineq2(N, p):
    a0, a1, q0, q1 = N.var("alpha_t"), N.var("alpha_t1"), N.var("sqrt_v_hat_t"), N.var("sqrt_v_hat_t1")
    b0, b1, B1 = N.var("beta1_t"), N.var("beta1_t1"), N.var("beta1")
    H = {"alpha_t1>0": a1 > 0, "alpha_t>=alpha_t1": a0 >= a1, "q>=0": N.And(q0 >= 0, q1 >= 0),
         "(1)": q1 / a1 >= q0 / a0, "0<=beta1_t1<=beta1_t": N.And(b1 >= 0, b1 <= b0),
         "beta1_t<=beta1<1": N.And(b0 <= B1, B1 < 1)}
    if p.get("constant_beta1"):
        H["beta1_t=beta1_t1"] = b0 == b1
    return H, q1 / (a1 * (1 - b1)) >= q0 / (a0 * (1 - b0))


@z3_step("PP-(1)=>(2)", "inequality (1) and 0 <= beta_{1,t+1} <= beta_{1,t} <= beta1 < 1 imply (2)",
         "follow-up", expected="refuted")
def ineq2_general(N, p):
    return _ineq2(N, p)


@z3_step("PP-(1)=>(2)[const beta1]", "with a constant beta_{1,t} = beta1, (1) implies (2)", "follow-up",
         constant_beta1=True)
def ineq2_const(N, p):
    return _ineq2(N, p)


@exact_step("PP-(2)[Ex3.2]", "inequality (2) at t = 1 on Example 3.2 (numerics AMSGrad, SymPy backend)",
            "follow-up", expected="refuted", replay=_ineq2_fails_in_balls)
def ineq2_ex(p):
    lhs, rhs, tr = ineq2_values()
    w = {"LHS": _n(lhs), "RHS": _n(rhs), "v_hat_1": str(tr.rounds[0].state.v_hat),
         "v_hat_2": str(tr.rounds[1].state.v_hat)}
    if lhs >= rhs:
        return "proved", w, "exact"
    return "refuted", w, "LHS < RHS exactly"


@exact_step("PP-red[Ex3.2]", "red step: exact first term <= the term with 1/(1-beta1) (Example 3.2, "
            "T = 2, x* = -1)", "follow-up", expected="refuted", replay=_red_fails_in_balls)
def red_ex(p):
    ex, sw, tr = red_values()
    w = {"exact term": _n(ex), "with 1/(1-beta1)": _n(sw), "x_2": _n(tr.x(2), 15),
         "x_3": _n(tr.x(3), 15)}
    if ex <= sw:
        return "proved", w, "exact"
    return "refuted", w, "exact term > swapped term"


@exact_step("PP-Ex3.2[values]", "Example 3.2 run: m_1 = 101, v_hat_1 = 1020.1, x_2 = 0.99683772234, "
            "x_3 = 0.997056903494; the first squared-distance difference > 0, the second < 0",
            "follow-up", replay=no_refutation)
def ex_values(p):
    tr, _ = ex32(2)
    r = tr.rounds
    d1 = (tr.x(1) + 1) ** 2 - (tr.x(2) + 1) ** 2
    d2 = (tr.x(2) + 1) ** 2 - (tr.x(3) + 1) ** 2
    ok = (r[0].state.m == 101 and r[0].state.v_hat == sp.Rational(10201, 10)
          and abs(sp.N(tr.x(2), 30) - sp.Float("0.99683772234", 30)) < 1e-11
          and abs(sp.N(tr.x(3), 30) - sp.Float("0.997056903494", 30)) < 1e-12 and d1 > 0 and d2 < 0)
    w = {"m_1": str(r[0].state.m), "v_hat_1": str(r[0].state.v_hat), "x_2": _n(tr.x(2), 15),
         "x_3": _n(tr.x(3), 15), "diff_1": _n(d1, 6), "diff_2": _n(d2, 6)}
    return ("proved" if ok else "refuted"), w, "exact run"


def _hyp_fails(p, w):
    """integer re-check: some prefix sum of the gradient pattern is <= 0 for T <= 1010, or gamma^2 >= 1"""
    if 9 * 9 * 1000 >= 999 * 100:
        return True
    s = 0
    for t in range(10 * SECTION5.period):  # T <= 1010: ten periods
        s += int(PATTERN[t % len(PATTERN)])
        if s <= 0:
            return True
    return False


@exact_step("PP-Ex3.2[hyp,T<=1010]", "Example 3.2 meets Theorem 4's hypotheses: gamma = beta1/sqrt(beta2) < 1, "
            "beta_{1,t} <= beta1 (t < 200), 0 < beta2 < 1, x* = -1 (the argmin, from prefix sums > 0) checked "
            "for T <= 1010", "follow-up", evidence="T<=1010", replay=_hyp_fails)
def ex_hyp(p):
    b1, b2, lam = Fraction(9, 10), Fraction(999, 1000), Fraction(1, 1000)
    ok = b1 * b1 < b2 and 0 < b2 < 1 and all(b1 * lam ** (t - 1) <= b1 for t in range(1, 200))
    # every 101-round period sums to 1010 - 100*10 = +10 > 0 and every prefix of a period has
    # sum >= 1010 - 10*100 > 0 after the first round, so argmin_x sum_t c_t x = -1 for every T
    s, ok2 = 0, True
    for t in range(1, 10 * SECTION5.period + 1):
        s += PATTERN[(t - 1) % SECTION5.period]
        ok2 &= s > 0
    w = {"gamma^2": str(b1 * b1 / b2), "prefix sums > 0 (T <= 1010)": str(ok2)}
    return ("proved" if ok and ok2 else "refuted"), w, "exact rationals"


def scalar_glue(a, bt, u, beta, E, T):
    """LHS and RHS of the printed telescoping estimate (docs/references.md, literature §1.4), exact Fractions."""
    lhs = sum(a(t) / (2 * (1 - bt(t))) * (u(t) - u(t + 1)) for t in range(1, T + 1))
    lhs += sum(bt(t) * a(t - 1) / (2 * (1 - beta)) * u(t) for t in range(2, T + 1))
    rhs = E * a(T) / (1 - beta) + E / (2 * (1 - beta)) * sum(bt(t) * a(t) for t in range(1, T + 1))
    return lhs, rhs


def _scalar_mp(a, bt, u, beta, E, T):
    import mpmath

    ctx = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.mp
    ctx.dps = 50
    f = lambda x: ctx.mpf(x.numerator) / x.denominator  # noqa: E731
    lhs = ctx.fsum(f(a(t)) / (2 * (1 - f(bt(t)))) * (f(u(t)) - f(u(t + 1))) for t in range(1, T + 1))
    lhs += ctx.fsum(f(bt(t)) * f(a(t - 1)) / (2 * (1 - f(beta))) * f(u(t)) for t in range(2, T + 1))
    rhs = f(E) * f(a(T)) / (1 - f(beta)) + f(E) / (2 * (1 - f(beta))) * ctx.fsum(
        f(bt(t)) * f(a(t)) for t in range(1, T + 1))
    return lhs, rhs


def _witness(k):
    h = Fraction(1, 2)
    u = lambda t: Fraction(1) if t % 2 == 0 else Fraction(0)  # noqa: E731
    if k == 1:
        return (lambda t: Fraction(1)), (lambda t: h if t % 2 == 0 else Fraction(0)), u, h, Fraction(1), 10
    return (lambda t: Fraction(t)), (lambda t: h if (t == 1 or t % 2 == 0) else Fraction(0)), u, h, \
        Fraction(1), 16


def _scalar_step(k):
    args = _witness(k)
    lhs, rhs = scalar_glue(*args)
    w = {"LHS": str(lhs), "RHS": str(rhs), "T": str(args[-1])}
    if lhs <= rhs:
        return "proved", w, "exact"
    return "refuted", w, "LHS > RHS in exact rationals"


def _scalar_replay(k):
    def replay(p, w):
        """the same sums in mpmath at 50 digits (fsum, not Fractions): LHS > RHS by more than 1e-40"""
        l2, r2 = _scalar_mp(*_witness(k))
        return _certain(l2 - r2 > 1e-40, r2 - l2 > 1e-40)
    return replay


@exact_step("PP-W1", "printed telescoping estimate, witness 1 (a = 1, beta = 1/2, alternating beta_t, "
            "T = 10)", "follow-up", expected="refuted", replay=_scalar_replay(1))
def scalar1(p):
    return _scalar_step(1)


@exact_step("PP-W2", "printed telescoping estimate, witness 2 (a_t = t, T = 16)", "follow-up",
            expected="refuted", replay=_scalar_replay(2))
def scalar2(p):
    return _scalar_step(2)


@z3_step("PP-L4.3-pow", "lambda <= 1/2, k >= 1, P <= lambda/k give lambda P <= lambda/(k+1) "
         "(so lambda^k <= lambda/k by induction from lambda^1 = lambda)", "derived")
def pow_step(N, p):
    lam, k, P = N.var("lambda"), N.var("k"), N.var("P")
    H = {"0<lambda<=1/2": N.And(lam > 0, lam <= N.const(1, 2)), "k>=1": k >= 1,
         "0<=P<=lambda/k": N.And(P >= 0, P * k <= lam)}
    return H, lam * P * (k + 1) <= lam


@z3_step("PP-L4.3-cond[n>=2]", "Lemma 4.3's condition n(1-beta_{1,n+1})^2 <= (n+1)(1-beta_{1,n})^2 for "
         "all n >= 2, beta_{1,n} = beta1 lambda^(n-1), beta1 = 9/10, lambda = 1/1000", "follow-up",
         lam=Fraction(1, 1000), b1=Fraction(9, 10), nmin=2)
def cond_n2(N, p):
    n, P = N.var("n"), N.var("P")  # P = lambda^(n-1) <= lambda/(n-1) by PP-L4.3-pow
    lam, b1 = N.const(p["lam"]), N.const(p["b1"])
    H = {"n>=nmin": n >= N.const(p["nmin"]), "0<P<=lambda/(n-1)": N.And(P > 0, P * (n - 1) <= lam)}
    return H, n * (1 - b1 * lam * P) ** 2 <= (n + 1) * (1 - b1 * P) ** 2


def _cond_n1_fails(p, w):
    """integers: 1 (1 - 9/10000)^2 > 2 (1/10)^2  <=>  9991^2 > 2 * 10^6"""
    return 9991 ** 2 > 2 * 10 ** 6


@exact_step("PP-L4.3-cond[n=1]", "the same condition at n = 1 (beta1 = 9/10, lambda = 1/1000)",
            "follow-up", expected="refuted", replay=_cond_n1_fails)
def cond_n1(p):
    b1, lam = Fraction(9, 10), Fraction(1, 1000)
    lhs, rhs = (1 - b1 * lam) ** 2, 2 * (1 - b1) ** 2
    w = {"n(1-beta_{1,2})^2": str(lhs), "(n+1)(1-beta_{1,1})^2": str(rhs)}
    if lhs <= rhs:
        return "proved", w, "exact"
    return "refuted", w, "fails at n = 1, so t0 = 2: exactly the step Example 3.2 uses"


@z3_step("PP-L4.3", "condition (t-1)(1-beta_{1,t})^2 <= t(1-beta_{1,t-1})^2 and v_hat_t >= v_hat_{t-1} "
         "give sqrt((t-1) v_hat_{t-1})/(1-beta_{1,t-1}) <= sqrt(t v_hat_t)/(1-beta_{1,t})", "follow-up")
def lemma43(N, p):
    t, b0, b1, v0, v1 = N.var("t"), N.var("beta1_tm1"), N.var("beta1_t"), N.var("v_hat_tm1"), N.var("v_hat_t")
    H = {"t>=2": t >= 2, "beta in [0,1)": N.And(b0 >= 0, b0 < 1, b1 >= 0, b1 < 1),
         "cond": (t - 1) * (1 - b1) ** 2 <= t * (1 - b0) ** 2, "v_hat monotone": N.And(v0 >= 0, v1 >= v0)}
    return H, N.sqrt((t - 1) * v0) / (1 - b0) <= N.sqrt(t * v1) / (1 - b1)


def _t0(bt, nmax=300):
    bad = [n for n in range(1, nmax) if not n * (1 - bt(n + 1)) ** 2 <= (n + 1) * (1 - bt(n)) ** 2]
    return (max(bad) + 1 if bad else 1), bad


@exact_step("PP-t0[n<300]", "first valid n of Lemma 4.3 (beta1 = 9/10): t0 = 2 (lambda = 0.001), 3 (lambda = 1/2), "
            "3 (beta1/t); condition checked for t0 <= n < 300 in exact rationals", "follow-up",
            evidence="n<300", replay=no_refutation)
def t0_table(p):
    b1 = Fraction(9, 10)
    got = {"lambda=0.001": _t0(lambda t: b1 * Fraction(1, 1000) ** (t - 1)),
           "lambda=1/2": _t0(lambda t: b1 * Fraction(1, 2) ** (t - 1)),
           "beta1/t": _t0(lambda t: b1 / t)}
    want = {"lambda=0.001": 2, "lambda=1/2": 3, "beta1/t": 3}
    w = {k: f"t0={v[0]} (fails at n={v[1]})" for k, v in got.items()}
    ok = all(got[k][0] == want[k] for k in want)
    return ("proved" if ok else "refuted"), w, "exact rationals, n < 300"


@z3_step("PP-AdamX", "AdamX: v_hat_t = max(r^2 v_hat_{t-1}, v_t), r = (1-beta_{1,t})/(1-beta_{1,t-1}) gives "
         "sqrt(v_hat_t)/(1-beta_{1,t}) >= sqrt(v_hat_{t-1})/(1-beta_{1,t-1})", "follow-up")
def adamx_inv(N, p):
    b0, b1, vh, v = N.var("beta1_tm1"), N.var("beta1_t"), N.var("v_hat_tm1"), N.var("v_t")
    H = {"beta in [0,1)": N.And(b0 >= 0, b0 < 1, b1 >= 0, b1 < 1), "v>=0": N.And(vh >= 0, v >= 0)}
    r = (1 - b1) / (1 - b0)
    vn = N.max(r * r * vh, v)
    return H, N.sqrt(vn) / (1 - b1) >= N.sqrt(vh) / (1 - b0)


@z3_step("PP-L5.2-step", "induction step of Lemma 5.2: r^2 max(A, B) = max(r^2 A, r^2 B), so v_hat_t = "
         "max(r_t^2 v_hat_{t-1}, v_t) unrolls to max_s (1-beta_{1,t})^2/(1-beta_{1,s})^2 v_s", "follow-up")
def l52_step(N, p):
    r, A, Bv = N.var("r"), N.var("A"), N.var("B")
    return {}, r * r * N.max(A, Bv) == N.max(r * r * A, r * r * Bv)


@exact_step("PP-L5.2[t<=40]", "Lemma 5.2 on a run: numerics' AdamX v_hat_t equals max_s (1-beta_{1,t})^2/"
            "(1-beta_{1,s})^2 v_s for t <= 40 (beta_{1,t} = 0.9/t, exact rationals, SymPy backend)", "follow-up",
            evidence="t<=40", replay=no_refutation)
def l52_run(p):
    from numerics import adamx

    pattern = [3, -1, 2, -5, 1, 1, -2, 7]
    tr = trace(adamx(alpha=1, beta1=sp.Rational(9, 10), beta2=sp.Rational(99, 100), beta1_schedule="harmonic"),
               pattern, 40, x1=0)
    b = lambda t: sp.Rational(9, 10) / t  # noqa: E731
    vs = [r.state.v for r in tr.rounds]
    for r in tr.rounds:
        t = r.t
        closed = max((1 - b(t)) ** 2 / (1 - b(s)) ** 2 * vs[s - 1] for s in range(1, t + 1))
        if r.state.v_hat != closed:
            return "refuted", {"t": str(t), "v_hat": str(r.state.v_hat), "closed form": str(closed)}, \
                "differs"
    return "proved", {"v_hat_40": str(sp.N(tr.rounds[-1].state.v_hat, 10))}, "exact rationals, t <= 40"


@sympy_step("PP-Lemma2.3", "Phuong-Phong Lemma 2.3: sum_{t>=1} a^t = 1/(1-a) for 0 < a < 1", "follow-up",
            expected="refuted")
def lemma23(p):
    a = sp.Symbol("a", positive=True)
    k = sp.Symbol("k", integer=True, positive=True)
    s = sp.summation(a ** k, (k, 1, sp.oo))
    s = generic_branch(s)
    return s, 1 / (1 - a), [{a: sp.Rational(1, 2)}]


@exact_step("PP-Cor5.6", "Corollary 5.6's schedule beta_{1,t} = 1/t satisfies beta_{1,1} < 1 (needed: AdamX "
            "divides by 1 - beta_{1,1})", "follow-up", expected="refuted", replay=lambda p, w: _b11_in_balls() >= 1)
def cor56(p):
    from numerics import get_backend, schedules

    B = get_backend("sympy")
    b11 = schedules.beta1_t(sp.Integer(1), "harmonic", None, 1, B)  # numerics' beta_{1,t} = beta1/t, beta1 = 1
    if b11 < 1:
        return "proved", {"beta_{1,1}": str(b11)}, "exact"
    return "refuted", {"beta_{1,1}": str(b11), "1-beta_{1,1}": str(1 - b11)}, "1/t at t = 1 is 1 (read beta1/t)"


def _b11_in_balls():
    """beta_{1,1} of the schedule 1/t through numerics' schedule in arb balls"""
    from numerics import get_backend, schedules

    B = get_backend("arb")
    with B.precision():
        return schedules.beta1_t(B.num(1), "harmonic", None, 1, B)


OBLIGATIONS = [ineq1, ineq2_general, ineq2_const, ex_hyp, ex_values, ineq2_ex, red_ex, scalar1, scalar2,
               pow_step, cond_n2, cond_n1, lemma43, t0_table, adamx_inv, l52_step, l52_run, lemma23, cor56]


def summarize(r: dict) -> str:
    w = r["PP-(2)[Ex3.2]"].witness
    rw = r["PP-red[Ex3.2]"].witness
    return (f"Phuong & Phong: (1) {r['PP-(1)'].verdict} for AMSGrad; (2) {r['PP-(2)[Ex3.2]'].verdict} on "
            f"Example 3.2 ({w.get('LHS', '?')[:8]} < {w.get('RHS', '?')[:9]}); red step "
            f"{r['PP-red[Ex3.2]'].verdict} ({rw.get('exact term', '?')[:8]} > "
            f"{rw.get('with 1/(1-beta1)', '?')[:8]}); repair Lemma 4.3 {r['PP-L4.3'].verdict} "
            f"(t0 = 2 for lambda = 0.001), AdamX invariant {r['PP-AdamX'].verdict}.")


THEOREM = Theorem("phuong-phong", "Phuong & Phong (2019): the AMSGrad proof gap and its repair",
                  OBLIGATIONS, summarize,
                  statement=("unknown", "a collection of Phuong & Phong's findings, not one statement: the gap they "
                             "report is confirmed (PP-(1)=>(2), PP-(2)[Ex3.2], PP-red[Ex3.2] refuted as they say), two of "
                             "their own displays are wrong (PP-Lemma2.3, PP-Cor5.6); their theorems have their own "
                             "rows: pp-4.1 and adamx-5.1 (proved), adamx-5.1-printed"))
