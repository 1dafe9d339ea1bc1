"""Theorem 3 (Appendix C), the stochastic counterexample: steps C1-C5 (docs/paper.md).

f_t = Cx w.p. p = (1+delta)/(C+1), else -x, no projection, x_1 = 0.  E_t[Delta_t]/alpha_t =
p T1 + (1-p)(T2 + T3) with T1 = -(beta1 m + (1-beta1) C)/sqrt(beta2 v + (1-beta2) C^2),
T2 = -beta1 m/sqrt(beta2 v + 1-beta2), T3 = (1-beta1)/sqrt(beta2 v + 1-beta2)  (m = m_{t-1}, v = v_{t-1}).
C3's printed display has sqrt(beta2 (1+delta) C^2 + 1-beta2) where the argument needs C: with the printed
display, C4's balance fails (T3's bound is Theta(1/C), like p T1), so the audit refutes C4 built on it.
"""
from __future__ import annotations

from .obligation import Theorem, exact_step, no_refutation, z3_step

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
    pp = (1 + d) / (C + 1)
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
    pp = (1 + d) / (C + 1)
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


@exact_step("C2b", "off that event (probability <= k p): E[T2] >= -O(p log C) for beta1 > 0", "reconstructed",
            expected="unknown", replay=no_refutation)
def C2b(p):
    return "unknown", {}, ("the printed constants of this bound were not recovered (RECONSTRUCTED in the "
                           "spec): there is no precise claim to check")


OBLIGATIONS = [C1, C2a, C2b, C3mean, C3j, C3, C4, C4p, C5]


def summarize(r: dict) -> str:
    ok = all(r[k].verdict == "proved" for k in ("C1", "C2a", "C3", "C4", "C5"))
    return (f"Theorem 3: statement survives? {'YES for beta1 = 0 (T2 = 0)' if ok else 'NOT ESTABLISHED'}; for "
            f"beta1 > 0 the E[T2] bound (C2) is RECONSTRUCTED without constants: UNKNOWN.  C4 on the printed "
            f"C3 display (C^2): {r['C4[printed C3]'].verdict} -- the C^2 is a typo, C is needed.")


THEOREM = Theorem("thm3", "Theorem 3 (Appendix C): stochastic counterexample", OBLIGATIONS, summarize)
