"""Theorem 6 (Appendix F): epsilon does not help -- Adam with update (3), m_t / sqrt(v_t + eps).

Same 3-periodic instance as Theorem 1 (T6-1), beta1 = 0, printed beta2 = 2/((1+C^2)C^2) (which matches
eps = 1), alpha_t = alpha/sqrt(t) with alpha < sqrt(1-beta2+eps/C^2) (T6-4, RECONSTRUCTED).
T1 = alpha C / sqrt((3t+1)(beta2 v + (1-beta2)C^2 + eps)),
T2 = sum over the two -1 rounds of alpha / sqrt((3t+k)(beta2 v_k + 1-beta2 + eps)).
The proof reuses 1/sqrt(3t+3) >= 1/sqrt(2(3t+1)), false at t = 0 -- and here the first block really
fails (x_4 ~ 0.9646 for C = 3, eps = 1), while later blocks hold (F11 (docs/references.md)).

Blocks 0 and 1 together do return for every C > 2 (eps = 1): block 1's surplus T2_1 - T1_1 covers block 0's
shortfall T1_0 - T2_0 (about 0.0131 alpha as C -> infinity, 0.066 alpha at C = 2).  No solver decides that sum of
six roots at once, so the audit splits it into steps PROVED for their whole domain: T6-AMGM[lower] / [upper]
(each root against a fixed rational centre q, AMGM_Q), T6-v[t<=6] (v_1..v_6 bounded by powers of
w = beta2 C^2 in (0, 2/5]) and T6-return[w] (one inequality in w).  With T6-T1<1 and T6-chain[t>=1] they are the
chain of the kernel statement R_{3k} >= (2C-4) k - C for every k >= 2 (:mod:`proofs.kernel_thm6`).  beta2 enters
every step through :func:`beta2_hypothesis`, derived from :func:`analysis.conditions.thm6_beta2` (one definition).
"""
from __future__ import annotations

import sympy as sp

from analysis.conditions import thm6_beta2
from numerics import adam, get_backend
from numerics.optimizers import AdamState

from .obligation import ARB_RERUN, NLSAT_FIRST, Theorem, exact_step, sympy_step, z3_step
from .runs import trace


def _beta2_fraction():
    """(numerator, denominator) of the printed beta2 = thm6_beta2(C, eps = 1) as SymPy polynomials in C.

    Derived from :func:`analysis.conditions.thm6_beta2` (the one definition, issue 25) at each call, so the
    steps' hypothesis ``beta2 * den(C) == num(C)`` follows that definition and is never retyped here."""
    C = sp.Symbol("C", positive=True)
    num, den = sp.fraction(sp.cancel(sp.together(thm6_beta2(C, sp.Integer(1)))))
    return C, sp.expand(num), sp.expand(den)


def _to_N(N, expr, env):
    """A SymPy polynomial with rational coefficients in the number system ``N`` (``env``: symbol -> term)."""
    if expr.is_Symbol:
        return env[expr]
    if expr.is_Rational:
        return N.const(int(expr.p), int(expr.q))
    if expr.is_Add:
        out = None
        for a in expr.args:
            out = _to_N(N, a, env) if out is None else out + _to_N(N, a, env)
        return out
    if expr.is_Mul:
        out = None
        for a in expr.args:
            out = _to_N(N, a, env) if out is None else out * _to_N(N, a, env)
        return out
    if expr.is_Pow and expr.exp.is_Integer and expr.exp > 0:
        b = _to_N(N, expr.base, env)
        out = b
        for _ in range(int(expr.exp) - 1):
            out = out * b
        return out
    raise TypeError(f"not a polynomial: {expr}")


def beta2_hypothesis(N, b2, C, p=None):
    """``beta2 * den(C) == num(C)``: beta2 = thm6_beta2(C, 1) = 2/((1+C^2)C^2) with its denominator cleared
    (polynomial, as the solvers like it).  ``p["b2num"]`` replaces the numerator (a mutation test's knob)."""
    Cs, num, den = _beta2_fraction()
    p = p or {}
    rhs = N.const(p["b2num"]) if p.get("b2num") is not None else _to_N(N, num, {Cs: C})
    return b2 * _to_N(N, den, {Cs: C}) == rhs


def _setting(N, p):
    C, b2, a, t, e = N.var("C"), N.var("beta2"), N.var("alpha"), N.var("t"), N.var("eps")
    one = N.const(1)
    H = {
        "C>2": C > 2,
        "eps=1": e == N.const(p.get("eps", 1)),
        "beta2=2/((1+C^2)C^2)": beta2_hypothesis(N, b2, C, p),
        "alpha>0": a > 0,
        "alpha<sqrt(1-beta2+eps/C^2)": a * a < one - b2 + e / (C * C),
        "t>=tmin": t >= N.const(p.get("tmin", 0)),
    }
    if p.get("tpin") is not None:
        H["t=tpin"] = t == N.const(p["tpin"])
    return C, b2, a, t, e, one, H


def _T1(N, C, b2, a, t, e, v):
    return a * C / N.sqrt((3 * t + 1) * (b2 * v + (1 - b2) * C * C + e))


def _T2(N, b2, a, t, e, v1, v2):
    return (a / N.sqrt((3 * t + 2) * (b2 * v1 + 1 - b2 + e))
            + a / N.sqrt((3 * t + 3) * (b2 * v2 + 1 - b2 + e)))


@sympy_step("T6-2[printed]", "sqrt((beta2 C^2 + 1-beta2)/2) = sqrt(1-beta2+eps/C^2) as printed "
            "(no +eps on the left), eps = 1, beta2 = 2/((1+C^2)C^2)", "appendix", expected="refuted")
def T62_printed(p):
    C, num, den = _beta2_fraction()
    e = sp.Integer(1)
    b2 = num / den
    return sp.sqrt((b2 * C ** 2 + 1 - b2) / 2), sp.sqrt(1 - b2 + e / C ** 2), [{C: 3}]


@sympy_step("T6-2", "sqrt((beta2 C^2 + 1-beta2+eps)/2) = sqrt(1-beta2+eps/C^2) at eps = 1, "
            "beta2 = 2/((1+C^2)C^2), all C", "lean-note")
def T62(p):
    C, num, den = _beta2_fraction()
    e = sp.Integer(1)
    b2 = (sp.Integer(p["b2num"]) if p.get("b2num") is not None else num) / den
    return sp.sqrt((b2 * C ** 2 + 1 - b2 + e) / 2), sp.sqrt(1 - b2 + e / C ** 2), [{C: 3}]


@sympy_step("T6-3b", "with beta2 = (1-eps+2eps/C^2)/(1+C^2) the identity T6-2 holds for every eps",
            "reconstructed")
def T63b(p):
    C, e = sp.symbols("C eps", positive=True)
    b2 = thm6_beta2(C, e)
    return sp.sqrt((b2 * C ** 2 + 1 - b2 + e) / 2), sp.sqrt(1 - b2 + e / C ** 2), [{C: 3, e: 2}]


@z3_step("T6-3c", "that beta2 is positive when eps < C^2/(C^2-2)", "reconstructed")
def T63c(N, p):
    C, e = N.var("C"), N.var("eps")
    H = {"C>2": C > 2, "eps>0": e > 0, "eps<C^2/(C^2-2)": e * (C * C - 2) < C * C}
    return H, thm6_beta2(C, e) > 0


@sympy_step("T6-3a", "scaling: Adam+eps on gradients s g (state s m, s^2 v) takes the same step as "
            "Adam+eps/s^2 on g (numerics' update, symbolic)", "reconstructed")
def T63a(p):
    a, b1, b2, e, s, g, m, v, t = sp.symbols("alpha beta1 beta2 eps s g m v t", positive=True)
    B = get_backend("sympy")
    _, up1 = adam(alpha=a, beta1=b1, beta2=b2, eps=e).build(B)
    _, up2 = adam(alpha=a, beta1=b1, beta2=b2, eps=e / s ** 2).build(B)
    st1, _, _ = up1(s * g, AdamState(s * m, s ** 2 * v, s ** 2 * v), t)
    st2, _, _ = up2(g, AdamState(m, v, v), t)
    return st1, st2, [{a: 1, b1: 0, b2: sp.Rational(1, 2), e: 1, s: 2, g: 1, m: 0, v: 1, t: 1}]


@z3_step("T6-4", "T1 <= alpha/sqrt((3t+1)(1-beta2+eps/C^2)) < 1 for v_{3t} >= 0", "reconstructed", engines=NLSAT_FIRST)
def T64(N, p):
    C, b2, a, t, e, one, H = _setting(N, p)
    v = N.var("v")
    H["0<=v<=C^2"] = N.And(v >= 0, v <= C * C)
    bound = a / N.sqrt((3 * t + 1) * (1 - b2 + e / (C * C)))
    return H, N.And(_T1(N, C, b2, a, t, e, v) <= bound, bound < one)


@z3_step("T6-chain[t>=1]", "T2 >= T1 for all t >= 1 and 0 <= v, v1, v2 <= C^2 (eps = 1)", "appendix",
         tmin=1, engines=NLSAT_FIRST)
def T6chain(N, p):
    C, b2, a, t, e, one, H = _setting(N, p)
    vs = []
    for n in ("v", "v1", "v2"):
        x = N.var(n)
        H[f"0<={n}<=C^2"] = N.And(x >= 0, x <= C * C)
        vs.append(x)
    return H, _T2(N, b2, a, t, e, vs[1], vs[2]) >= _T1(N, C, b2, a, t, e, vs[0])


@z3_step("T6-chain[t=0]", "first block: T2 >= T1 at t = 0 (v_0 = 0, then the actual v_1, v_2), C > 2",
         "appendix", expected="refuted", tpin=0)
def T6first_z3(N, p):
    C, b2, a, t, e, one, H = _setting(N, p)
    v1 = (one - b2) * C * C
    v2 = b2 * v1 + one - b2
    return H, _T2(N, b2, a, t, e, v1, v2) >= _T1(N, C, b2, a, t, e, N.const(0))


# ------------------------------------------------------------------------------------------------
# The first two blocks for every C > 2 (eps = 1): block 0 falls short (T6-chain[t=0] refuted), block 1 more than
# makes up for it, so x_7 = 1 -- the base of the kernel statement (proofs/kernel_thm6.py).  No solver decides
# T2_0 + T2_1 >= T1_0 + T1_1 with its six roots at once (nlsat: timeout at 30 s, also at C = 3 alone), so the
# roots are bounded by AM-GM with fixed rational centres q (T6-AMGM[...]), the v's of rounds 1..6 by powers of
# w = beta2 C^2 = 2/(1+C^2) in (0, 2/5] (T6-v[t<=6]), and what is left is one inequality in w (T6-return[w]).
AMGM_Q = {"T1_0": (1, 1), "T1_1": (1, 2), 2: (2, 1), 3: (49, 20), 5: (16, 5), 6: (7, 2)}  # the centres q


def first_blocks_terms(N, a, w, e):
    """(lower, upper): T6-AMGM's bounds on the four -1 steps of rounds 2, 3, 5, 6 and on the two C steps of rounds
    1, 4, written in w = beta2 C^2 (V_t bounds v_t, Z_t bounds C^2/(t (v_t + eps)); T6-v[t<=6])."""
    Q = N.const
    V = {2: 1 + w, 3: 1 + w * w / 4, 5: 1 + w, 6: 1 + w * w / 4}
    lower = [a * (2 * Q(*AMGM_Q[n]) / (Q(n) * (V[n] + e) + Q(*AMGM_Q[n]) * Q(*AMGM_Q[n]))) for n in (2, 3, 5, 6)]
    Z0 = (2 - w) / (2 - w * w)
    upper = [a * ((Z / Q(*AMGM_Q[k]) + Q(*AMGM_Q[k])) / 2) for k, Z in (("T1_0", Z0), ("T1_1", Z0 / 4))]
    return lower, upper, V, Z0


@z3_step("T6-T1<1", "T1 = alpha C/sqrt((3t+1)(beta2 v + (1-beta2)C^2 + eps)) < 1 for 0 <= v <= C^2, all t >= 0",
         "reconstructed")
def T6T1(N, p):
    C, b2, a, t, e, one, H = _setting(N, p)
    v = N.var("v")
    H["0<=v<=C^2"] = N.And(v >= 0, v <= C * C)
    return H, _T1(N, C, b2, a, t, e, v) < one


@z3_step("T6-AMGM[lower]", "alpha/s >= alpha 2q/(n(V+eps)+q^2) for s = sqrt(n(v+eps)) > 0, v <= V, q > 0 "
         "(s^2 + q^2 >= 2qs)", "derived")
def T6lower(N, p):
    a, q, n, v, V, e = (N.var(k) for k in ("alpha", "q", "n", "v", "V", "eps"))
    H = {"alpha>0": a > 0, "q>0": q > 0, "n>0": n > 0, "v+eps>0": v + e > 0, "v<=V": v <= V}
    return H, a / N.sqrt(n * (v + e)) >= a * (2 * q / (n * (V + e) + q * q))


@z3_step("T6-AMGM[upper]", "alpha C/s <= alpha (Z/q + q)/2 for s = sqrt(n(v+eps)) > 0, C^2 <= Z s^2, q > 0 "
         "(2 q C s <= C^2 + q^2 s^2)", "derived")
def T6upper(N, p):
    a, q, n, v, e, C, Z = (N.var(k) for k in ("alpha", "q", "n", "v", "eps", "C", "Z"))
    s = N.sqrt(n * (v + e))
    # C^2 <= Z s^2 rather than C^2 <= Z n(v+eps): the same fact, and cvc5 confirms this form (0.6 s; the other
    # timed out at 3 s)
    H = {"alpha>0": a > 0, "q>0": q > 0, "n>0": n > 0, "v+eps>0": v + e > 0, "C>0": C > 0,
         "C^2<=Z s^2": C * C <= Z * (s * s)}
    return H, a * C / s <= a * ((Z / q + q) / 2)


def _v_first(N, C, b2, one):
    """v_0 = 0, v_t = beta2 v_{t-1} + (1-beta2) g_t^2 for t = 1..6 (g = C, -1, -1, C, -1, -1): named variables."""
    vs = [N.var(f"v{j}") for j in range(7)]
    H = {"v0=0": vs[0] == 0}
    for j in range(1, 7):
        g2 = C * C if j % 3 == 1 else one
        H[f"v{j}=beta2 v{j - 1}+(1-beta2)g{j}^2"] = vs[j] == b2 * vs[j - 1] + (one - b2) * g2
    return vs, H


@z3_step("T6-v[t<=6]", "rounds 1..6 (eps = 1, v_0 = 0): 0 <= v_t <= C^2, w = beta2 C^2 in (0, 2/5], v_2, v_5 <= 1+w, "
         "v_3, v_6 <= 1+w^2/4, C^2 <= Z0 (v_1+eps), C^2 <= (Z0/4) 4 (v_4+eps) with Z0 = (2-w)/(2-w^2)", "derived")
def T6v(N, p):
    C, b2, e = N.var("C"), N.var("beta2"), N.var("eps")
    one = N.const(1)
    H = {"C>2": C > 2, "eps=1": e == one, "beta2=2/((1+C^2)C^2)": beta2_hypothesis(N, b2, C, p)}
    vs, Hv = _v_first(N, C, b2, one)
    H.update(Hv)
    w = b2 * C * C
    _, _, V, Z0 = first_blocks_terms(N, one, w, e)
    rng = [N.And(vs[j] >= 0, vs[j] <= C * C) for j in range(1, 7)]
    return H, N.And(w > 0, w <= N.const(2, 5), *rng, *[vs[n] <= V[n] for n in (2, 3, 5, 6)],
                    C * C <= Z0 * (N.const(1) * (vs[1] + e)), C * C <= (Z0 / 4) * (N.const(4) * (vs[4] + e)))


@z3_step("T6-return[w]", "the bounds of T6-AMGM at T6-v's w: sum of the four lower bounds >= sum of the two upper "
         "bounds for every w in (0, 2/5] (so T2_0 + T2_1 >= T1_0 + T1_1: blocks 0 and 1 together return)", "derived",
         engines=NLSAT_FIRST)
def T6return(N, p):
    a, w, e = N.var("alpha"), N.var("w"), N.var("eps")
    H = {"alpha>0": a > 0, "0<w<=2/5": N.And(w > 0, w <= N.const(2, 5)), "eps=1": e == N.const(p.get("eps", 1))}
    lower, upper, _, _ = first_blocks_terms(N, a, w, e)
    return H, lower[0] + lower[1] + lower[2] + lower[3] >= upper[0] + upper[1]


def _run6(C, T, backend):
    C = sp.Rational(C)
    b2 = thm6_beta2(C, sp.Integer(1))
    if backend in ("mpmath", "arb"):
        b2 = f"{b2.p}/{b2.q}"
    return trace(adam(alpha="1/2", beta1=0, beta2=b2, eps=1), [C, -1, -1], T, x1=1, backend=backend)


@exact_step("T6-block[t=0]", "the first block returns: x_4 = 1 (C = 3, eps = 1, alpha = 1/2; numerics "
            "Adam with eps, SymPy backend)", "appendix", expected="refuted",
            replay=lambda p, w: _x_below_1_in_balls(int(w["C"]), 3))
def T6first(p):
    tr = _run6(3, 3, "sympy")
    x4 = tr.x_next
    if x4 == 1:
        return "proved", {"x_4": "1"}, "exact run"
    w = {"C": "3", "eps": "1", "alpha": "1/2", "x_4": str(sp.N(x4, 20)), "x_4 (exact)": str(x4)}
    return "refuted", w, "x_4 < 1: the first block does not return"


def _x_below_1_in_balls(C: int, T: int):
    """the run re-done in arb balls (numerics Adam with eps): x_{T+1} < 1 for certain"""
    tr = _run6(C, T, "arb")
    return True if tr.x_next < 1 else (False if tr.x_next >= 1 else None)


@exact_step("T6-block[t=1]", "the second block returns although it starts below 1: x_7 = 1 exactly for C in "
            "{3, 5, 10} (eps = 1, alpha = 1/2; SymPy backend); from there the chain t >= 1 carries the induction",
            "numerical",
            replay=lambda p, w: _x_below_1_in_balls(int(w["C"]), 6))
def T6second(p):
    w = {}
    for C in (3, 5, 10):
        tr = _run6(C, 6, "sympy")
        w[f"C={C}: x_4"] = str(sp.N(tr.x(4), 8))
        if tr.x_next != 1:
            return "refuted", {**w, "C": str(C), f"C={C}: x_7": str(sp.N(tr.x_next, 15))}, "x_7 < 1"
    return "proved", w, "exact runs: x_7 = 1"


@exact_step("T6-blocks[2<=k<1000]", "evidence: later blocks return, x_{3k+1} = 1 for 2 <= k < 1000, and "
            "R_T/T >= (2C-4)/3 at T = 3000 (C = 3; mpmath 50 digits)", "numerical", evidence="2<=k<1000",
            replay=ARB_RERUN)
def T6later(p):
    tr = _run6(3, 3000, p.get("backend", "mpmath"))
    bad = [r.t for r in tr.rounds if r.t % 3 == 1 and r.t >= 7 and r.x != 1]
    B = tr.backend
    w = {"x_4": B.to_str(tr.x(4), 10), "x_7": B.to_str(tr.x(7), 10),
         "R_T/T": B.to_str(tr.regret / 3000, 10), "(2C-4)/3": "2/3"}
    if bad or tr.regret / 3000 < B.num("2/3"):
        return "refuted", {**w, "first bad t": str(bad[:1])}, "finite check failed"
    return "proved", w, "finite claim at 50 digits"


OBLIGATIONS = [T62_printed, T62, T63a, T63b, T63c, T64, T6chain, T6first_z3, T6first, T6second, T6later,
               T6T1, T6lower, T6upper, T6v, T6return]


FIRST_BLOCKS = ("T6-T1<1", "T6-AMGM[lower]", "T6-AMGM[upper]", "T6-v[t<=6]", "T6-return[w]")  # blocks 0-1, every C > 2


def summarize(r: dict) -> str:
    ok = all(r[k].verdict == "proved" for k in ("T6-chain[t>=1]",) + FIRST_BLOCKS)
    x4 = r["T6-block[t=0]"].witness.get("x_4", "?")
    verdict = ("YES for every C > 2 (blocks 0-1 return together, then the chain)" if ok else "NOT ESTABLISHED")
    return (f"Theorem 6: statement survives? {verdict}; the first block fails (x_4 = {x4[:8]} < 1, "
            f"{r['T6-block[t=0]'].verdict}), block 1 makes up for it (T6-return[w] {r['T6-return[w]'].verdict}; "
            f"exact runs x_7 = 1 for C in {{3, 5, 10}}: {r['T6-block[t=1]'].verdict}), later blocks return (chain "
            f"t >= 1 {r['T6-chain[t>=1]'].verdict}); the printed identity T6-2 without +eps is "
            f"{r['T6-2[printed]'].verdict}, with +eps {r['T6-2'].verdict}.")


def statement(r: dict):
    if all(r[k].verdict == "proved" for k in ("T6-chain[t>=1]", "T6-3a") + FIRST_BLOCKS):
        # eps = 1 for every C > 2: blocks 0 and 1 together return (x_7 = 1, T6-return[w] with T6-AMGM and T6-v),
        # every later block by the chain t >= 1; every eps > 0 follows by the scaling T6-3a.  The kernel statement
        # (proofs/kernel_thm6.py) is R_{3k} >= (2C-4) k - C for every k >= 0 at eps = 1.
        return ("proved", "for every C > 2 at eps = 1: blocks 0 and 1 together return to x = 1 (T6-return[w] with "
                "T6-AMGM and T6-v[t<=6]: block 1's surplus covers block 0's shortfall), then the chain t >= 1 for every "
                "later block, so R_{3k} >= (2C-4) k - C; every eps > 0 follows by the scaling T6-3a; the printed first "
                "block fails")
    return None


THEOREM = Theorem("thm6", "Theorem 6 (Appendix F): Adam with epsilon, beta2 = 2/((1+C^2)C^2)",
                  OBLIGATIONS, summarize, statement=statement)
