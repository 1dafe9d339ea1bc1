"""Theorem 3 (Appendix C), the stochastic counterexample: steps C1-C5 (docs/paper.md).

f_t = Cx w.p. p = (1+delta)/(C+1), else -x, no projection, x_1 = 0.  E_t[Delta_t]/alpha_t =
p T1 + (1-p)(T2 + T3) with T1 = -(beta1 m + (1-beta1) C)/sqrt(beta2 v + (1-beta2) C^2),
T2 = -beta1 m/sqrt(beta2 v + 1-beta2), T3 = (1-beta1)/sqrt(beta2 v + 1-beta2)  (m = m_{t-1}, v = v_{t-1}).
C3's printed display has sqrt(beta2 (1+delta) C^2 + 1-beta2) where the argument needs C: with the printed
display, C4's balance fails (T3's bound is Theta(1/C), like p T1), so the audit refutes C4 built on it.
"""
from __future__ import annotations

from analysis.conditions import thm3_p

from .obligation import NLSAT_FIRST, Theorem, z3_step

SRC_A = "appendix"


def _b(N, H):
    b1, b2 = N.var("beta1"), N.var("beta2")
    H["0<=beta1<1"] = N.And(b1 >= 0, b1 < 1)
    H["0<beta2<1"] = N.And(b2 > 0, b2 < 1)
    return b1, b2


@z3_step("C1", "T1 >= -1/sqrt(1-beta2) since -1 <= m <= C and v >= 0", SRC_A)
def C1(N, p):
    H = {}
    b1, b2 = _b(N, H)
    C, m, v = N.var("C"), N.var("m"), N.var("v")
    H.update({"C>=1": C >= 1, "-1<=m<=C": N.And(m >= -1, m <= C), "v>=0": v >= 0})
    T1 = -(b1 * m + (1 - b1) * C) / N.sqrt(b2 * v + (1 - b2) * C * C)
    return H, T1 >= -1 / N.sqrt(1 - b2)


@z3_step("C2a", "on the event m_{t-1} <= 0: T2 = -beta1 m/sqrt(beta2 v + 1-beta2) >= 0", "reconstructed")
def C2a(N, p):
    H = {}
    b1, b2 = _b(N, H)
    m, v = N.var("m"), N.var("v")
    H.update({"m<=0": m <= 0, "v>=0": v >= 0})
    return H, -b1 * m / N.sqrt(b2 * v + 1 - b2) >= 0


@z3_step("C3-mean", "E[v] <= p C^2 + (1-p) <= (1+delta) C for p = (1+delta)/(C+1)", SRC_A)
def C3mean(N, p):
    C, d = N.var("C"), N.var("delta")
    H = {"C>=1": C >= 1, "delta>0": d > 0}
    pp = thm3_p(C, d)
    return H, pp * C * C + (1 - pp) <= (1 + d) * C


@z3_step("C3-jensen", "two-point Jensen for the convex 1/sqrt: q/sqrt(x) + (1-q)/sqrt(y) >= "
         "1/sqrt(q x + (1-q) y), x, y > 0", SRC_A)
def C3j(N, p):
    q, x, y = N.var("q"), N.var("x"), N.var("y")
    H = {"0<=q<=1": N.And(q >= 0, q <= 1), "x>0": x > 0, "y>0": y > 0}
    return H, q / N.sqrt(x) + (1 - q) / N.sqrt(y) >= 1 / N.sqrt(q * x + (1 - q) * y)


@z3_step("C3", "E[T3] >= (1-beta1)/sqrt(beta2 E[v] + 1-beta2) >= (1-beta1)/sqrt(beta2 (1+delta) C + 1-beta2)",
         "lean-note")
def C3(N, p):
    H = {}
    b1, b2 = _b(N, H)
    C, d, Ev = N.var("C"), N.var("delta"), N.var("Ev")
    H.update({"C>=1": C >= 1, "delta>0": d > 0, "0<=Ev<=(1+delta)C": N.And(Ev >= 0, Ev <= (1 + d) * C)})
    return H, (1 - b1) / N.sqrt(b2 * Ev + 1 - b2) >= (1 - b1) / N.sqrt(b2 * (1 + d) * C + 1 - b2)


def _C4(N, p, power):
    C = N.var("C")
    b2, d = N.const(p["beta2"]), N.const(p["delta"])
    pp = thm3_p(C, d)
    Ck = C * C if power == 2 else C
    T3lb = 1 / N.sqrt(b2 * (1 + d) * Ck + 1 - b2)
    H = {"C>=C0": C >= N.const(p["C0"])}
    return H, pp * (-1 / N.sqrt(1 - b2)) + (1 - pp) * T3lb >= 0


@z3_step("C4", "beta1 = 0 (T2 = 0), beta2 = 1/2, delta = 1/10: p T1 + (1-p) E[T3] >= 0 for every C >= 10, with "
         "C3's bound (argument C)", "lean-note", beta2="1/2", delta="1/10", C0=10)
def C4(N, p):
    return _C4(N, p, 1)


@z3_step("C4[printed C3]", "the same balance with C3 as printed, sqrt(beta2 (1+delta) C^2 + 1-beta2), for every "
         "C >= 10", SRC_A, expected="refuted", beta2="1/2", delta="1/10", C0=10)
def C4p(N, p):
    return _C4(N, p, 2)


@z3_step("C5", "E[x_t] >= 0 gives E[F(x_t)] - F(-1) = delta (E[x_t] + 1) >= delta", SRC_A)
def C5(N, p):
    d, Ex = N.var("delta"), N.var("E_x")
    return {"delta>0": d > 0, "E_x>=0": Ex >= 0}, d * (Ex + 1) >= d


# C2b, RECONSTRUCTED here (the source's constants were not recovered): a bound on E[T2] for beta1 > 0.
# m_{t-1} <= (1-beta1) C sum_{j<t} beta1^(t-1-j) [g_j = C] (only the C-coins push m up), and each C-coin also
# sits in v_{t-1} >= (1-beta2) beta2^(t-1-j) C^2, so the j-th part of beta1 m/sqrt(beta2 v + 1-beta2) is at most
# (1-beta1) gamma^(t-j)/sqrt(1-beta2).  The coins before t are independent of coin t, each is C with
# probability p, and sum_{k>=1} gamma^k = gamma/(1-gamma):
#     E[T2] >= -(1-beta1) gamma p / ((1-gamma) sqrt(1-beta2))   -- O(p), sharper than the paper's -O(p log C).
def c2b_numerator(b1, gam):
    return (1 - b1) * gam


def c2b_constant(N, b1, b2, gam):
    """K2 with E[T2] >= -K2 p: (1-beta1) gamma / ((1-gamma) sqrt(1-beta2)) (one definition)."""
    return c2b_numerator(b1, gam) / ((1 - gam) * N.sqrt(1 - b2))


@z3_step("C2b[m]", "induction step of m_{t-1} <= M_{t-1} = (1-beta1) C sum_j beta1^(t-1-j) [g_j = C]: m <= M, "
         "g in {C, -1} give beta1 m + (1-beta1) g <= beta1 M + (1-beta1) C [g = C]", "reconstructed")
def C2b_m(N, p):
    H = {}
    b1, b2 = _b(N, H)
    C, m, M, g, e = N.var("C"), N.var("m"), N.var("M"), N.var("g"), N.var("[g=C]")
    H.update({"C>=1": C >= 1, "m<=M": m <= M,
              "g in {C,-1}": N.Or(N.And(g == C, e == 1), N.And(g == -1, e == 0))})
    return H, b1 * m + (1 - b1) * g <= b1 * M + (1 - b1) * C * e


@z3_step("C2b[term]", "the j-th part (k = t-j >= 1): beta1 (1-beta1) beta1^(k-1) C/sqrt(beta2 v + 1-beta2) <= "
         "(1-beta1) gamma^k/sqrt(1-beta2) when v >= (1-beta2) beta2^(k-1) C^2 (P = beta1^(k-1), "
         "Q = sqrt(beta2)^k, gamma^k = beta1 P/Q)", "reconstructed")
def C2b_term(N, p):
    H = {}
    b1, b2 = _b(N, H)
    C, v, P, Q = N.var("C"), N.var("v"), N.var("P"), N.var("Q")
    H.update({"C>=1": C >= 1, "P>=0": P >= 0, "Q>0": Q > 0, "Q^2<=beta2": Q * Q <= b2,
              "v>=(1-beta2) beta2^(k-1) C^2": b2 * v >= (1 - b2) * Q * Q * C * C})
    return H, b1 * (1 - b1) * P * C / N.sqrt(b2 * v + 1 - b2) <= (1 - b1) / N.sqrt(1 - b2) * (b1 * P / Q)


@z3_step("C2b[geo]", "E sum_{k=1}^{t-1} gamma^k [coin = C] = p (gamma - gamma^t)/(1-gamma) <= p gamma/(1-gamma) "
         "(gamma^t >= 0); induction step of the partial sum: (gamma - G)/(1-gamma) + G = (gamma - gamma G)/(1-gamma)",
         "reconstructed")
def C2b_geo(N, p):
    gam, G, pp = N.var("gamma"), N.var("gamma^t"), N.var("p")
    H = {"0<=gamma<1": N.And(gam >= 0, gam < 1), "G>=0": G >= 0, "0<=p<=1": N.And(pp >= 0, pp <= 1)}
    step = (gam - G) + G * (1 - gam) == gam - gam * G  # times (1-gamma) > 0
    return H, N.And(step, pp * (gam - G) <= pp * gam)


@z3_step("C2b", "E[T2] >= -c2b_constant * p = -(1-beta1) gamma p/((1-gamma) sqrt(1-beta2)) from C2b[term] summed "
         "over the C-coins (C2b[m]) and C2b[geo]; RECONSTRUCTED constant (O(p), the paper states -O(p log C))",
         "reconstructed")
def C2b(N, p):
    H = {}
    b1, b2 = _b(N, H)
    gam, pp, ET2, ES = N.var("gamma"), N.var("p"), N.var("E[T2]"), N.var("E[sum gamma^k [g=C]]")
    H.update({"gamma = beta1/sqrt(beta2) < 1": N.And(gam >= 0, gam < 1, gam * gam * b2 == b1 * b1),
              "0<=p<=1": N.And(pp >= 0, pp <= 1),
              "C2b[term] summed": ET2 >= -(1 - b1) / N.sqrt(1 - b2) * ES,
              "C2b[geo]": N.And(ES >= 0, ES * (1 - gam) <= pp * gam)})
    return H, ET2 >= -c2b_constant(N, b1, b2, gam) * pp


def c0_conditions(N, b1, d, A, C):
    """C >= C_0 = max(2(1+delta), 4 (1+delta)^2 (2+delta) A^2/(1-beta1)^2), A = 1/sqrt(1-beta2) + c2b_constant
    (A bounds |p T1| + |E T2| by p A), written without the division (1 - beta1 > 0): derived here."""
    return N.And(C >= 2 * (1 + d), C * (1 - b1) ** 2 >= 4 * (1 + d) ** 2 * (2 + d) * A * A)


@z3_step("C4[beta1>0, core]", "for A >= 0, 0 <= beta1 < 1, delta > 0, C >= C_0 and R^2 <= (1+delta) C + 1 (R > 0): "
         "(1-p)(1-beta1) >= p A R, p = (1+delta)/(C+1) (times C+1 > 0: (C-delta)(1-beta1) >= (1+delta) A R)",
         "derived", engines=NLSAT_FIRST)
def C4core(N, p):
    b1, d, C, A, R = (N.var(n) for n in ("beta1", "delta", "C", "A", "R"))
    H = {"0<=beta1<1": N.And(b1 >= 0, b1 < 1), "delta>0": d > 0, "A>=0": A >= 0, "C>=C0": c0_conditions(N, b1, d, A, C),
         "0<R, R^2<=(1+delta)C+1": N.And(R > 0, R * R <= (1 + d) * C + 1)}
    return H, (C - d) * (1 - b1) >= (1 + d) * A * R


@z3_step("C4[beta1>0]", "every 0 <= beta1 < sqrt(beta2) < 1, delta > 0 and C >= C_0: p T1 + (1-p)(E[T2] + E[T3]) >= 0 "
         "with C1's T1 bound -1/s, C2b's E[T2] >= -K2 p and C3's E[T3] >= (1-beta1)/R, for any s, R > 0 and K2 >= 0 "
         "meeting the core (C4[beta1>0, core] with A = 1/s + K2, times s); C4[R] shows s = sqrt(1-beta2), "
         "R = sqrt(beta2 (1+delta) C + 1-beta2) and K2 = c2b_constant qualify.  Both sides times (C+1)^2 s R > 0",
         "derived", engines=NLSAT_FIRST)
def C4b(N, p):
    b1, d, C, K2, s, R = (N.var(n) for n in ("beta1", "delta", "C", "K2", "s", "R"))
    H = {"0<=beta1<1": N.And(b1 >= 0, b1 < 1), "delta>0": d > 0, "C>=2(1+delta)": C >= 2 * (1 + d),
         "K2>=0": K2 >= 0, "s>0": s > 0, "R>0": R > 0,
         "C4[beta1>0, core]": (C - d) * (1 - b1) * s >= (1 + d) * (1 + K2 * s) * R}
    # p T1 + (1-p)(E T2 + E T3) with p = (1+delta)/(C+1), 1-p = (C-delta)/(C+1), times (C+1)^2 s R
    lhs = -(1 + d) * (C + 1) * R + (C - d) * (-K2 * (1 + d) * s * R + (1 - b1) * (C + 1) * s)
    return H, lhs >= 0


@z3_step("C4[R]", "the actual quantities qualify: R = sqrt(beta2 (1+delta) C + 1-beta2) > 0 with R^2 <= (1+delta) C + 1, "
         "s = sqrt(1-beta2) > 0, and K2 = c2b_constant >= 0 (numerator >= 0, 1 - gamma > 0), for 0 < beta2 < 1, "
         "delta > 0, C >= 1, 0 <= gamma < 1", "derived")
def C4R(N, p):
    H = {}
    b1, b2 = _b(N, H)
    d, C, gam = N.var("delta"), N.var("C"), N.var("gamma")
    H.update({"delta>0": d > 0, "C>=1": C >= 1, "0<=gamma<1": N.And(gam >= 0, gam < 1)})
    R = N.sqrt(b2 * (1 + d) * C + 1 - b2)
    return H, N.And(R > 0, R * R <= (1 + d) * C + 1, N.sqrt(1 - b2) > 0, c2b_numerator(b1, gam) >= 0, 1 - gam > 0)


OBLIGATIONS = [C1, C2a, C2b_m, C2b_term, C2b_geo, C2b, C3mean, C3j, C3, C4, C4core, C4R, C4b, C4p, C5]


CORE = ("C1", "C2b[m]", "C2b[term]", "C2b[geo]", "C2b", "C3-mean", "C3-jensen", "C3", "C4[beta1>0, core]", "C4[R]",
        "C4[beta1>0]", "C5")


def summarize(r: dict) -> str:
    ok0 = all(r[k].verdict == "proved" for k in ("C1", "C2a", "C3", "C4", "C5"))
    ok = all(r[k].verdict == "proved" for k in CORE)
    return (f"Theorem 3: beta1 = 0 {'PROVED' if ok0 else 'NOT ESTABLISHED'} (T2 = 0); beta1 > 0 "
            f"{'PROVED' if ok else 'NOT ESTABLISHED'} with C2b's RECONSTRUCTED constant E[T2] >= -(1-beta1) gamma p/"
            f"((1-gamma) sqrt(1-beta2)) and C_0 = max(2(1+delta), 4(1+delta)^2(2+delta)A^2/(1-beta1)^2).  C4 on the "
            f"printed C3 display (C^2): {r['C4[printed C3]'].verdict} -- the C^2 is a typo, C is needed.")


def statement(r: dict):
    bad = [k for k in CORE if r[k].verdict != "proved"]
    if bad:
        return ("unknown", f"steps {', '.join(bad)} not proved")
    return ("proved", "for every 0 <= beta1 < sqrt(beta2) < 1 and delta > 0, with C >= C_0 (C4[beta1>0]) and C3 read "
                      "with C (the printed C^2 is refuted); C2b's constant is RECONSTRUCTED (ours, not the paper's)")


THEOREM = Theorem("thm3", "Theorem 3 (Appendix C): stochastic counterexample", OBLIGATIONS, summarize,
                  statement=statement)
