"""Theorem 2 (Appendix B), RECONSTRUCTED steps B1-B10 with conditions (c1)-(c3) (docs/paper.md, Theorem 2).

Instance: f_t = Cx when t mod C = 1, else -x, on [-1, 1]; C even; constant beta1 < sqrt(beta2);
alpha_t = alpha/sqrt(t); gamma = beta1/sqrt(beta2).  Powers with a symbolic exponent have no Z3
counterpart, so they are named variables with the facts the proof uses: P1 = beta1^(j-1) in [0, 1],
P2 = beta2^(j-1) in (0, 1], P = beta1^(C-1), Q = beta2^((C-2)/2).  The printed conditions are
unconfirmed (RECONSTRUCTED); every label here carries that tag.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from analysis.conditions import PAPER_DEFAULT, scan_even_C
from numerics import adam, get_backend
from numerics.optimizers import AdamState

from .obligation import ARB_RERUN, Theorem, exact_step, generic_branch, no_refutation, sympy_step, z3_step
from .runs import trace

SRC = "reconstructed"


def _betas(N, H):
    b1, b2 = N.var("beta1"), N.var("beta2")
    H["0<=beta1<1"] = N.And(b1 >= 0, b1 < 1)
    H["0<beta2<1"] = N.And(b2 > 0, b2 < 1)
    H["beta1^2<beta2"] = b1 * b1 < b2
    return b1, b2


@z3_step("B1", "m_{kC} <= 0 and (c1) give m_{kC+C} = -(1-P) + (1-beta1) P C + beta1 P m_{kC} <= 0, "
         "P = beta1^(C-1)", SRC)
def B1(N, p):
    H = {}
    b1, b2 = _betas(N, H)
    C, P, m = N.var("C"), N.var("P"), N.var("m_kC")
    H.update({"C>=2": C >= 2, "0<=P<=1": N.And(P >= 0, P <= 1), "m_kC<=0": m <= 0,
              "(c1)": (1 - b1) * P * C <= 1 - P})
    return H, -(1 - P) + (1 - b1) * P * C + b1 * P * m <= 0


@sympy_step("B1-sum", "(1-beta1) sum_{j=0}^{C-2} beta1^j = 1 - beta1^(C-1) (symbolic C)", SRC)
def B1sum(p):
    b, C = sp.Symbol("beta1", positive=True), sp.Symbol("C", integer=True, positive=True)
    j = sp.Symbol("j", integer=True, nonnegative=True)
    s = generic_branch(sp.summation(b ** j, (j, 0, C - 2)))
    return (1 - b) * s, 1 - b ** (C - 1), [{b: sp.Rational(1, 2), C: 4}]


@sympy_step("B2-closed[j=4]", "closed forms m_{t+j} = beta1^j m_t + (1-beta1) beta1^(j-1) C - (1-beta1^(j-1)) "
            "and v_{t+j} = beta2^j v_t + (1-beta2) beta2^(j-1) C^2 + 1 - beta2^(j-1) (numerics' Adam, j = 4)", SRC)
def B2closed(p):
    b1, b2, C, a, m0, v0 = sp.symbols("beta1 beta2 C alpha m_t v_t", positive=True)
    B = get_backend("sympy")
    _, update = adam(alpha=a, beta1=b1, beta2=b2).build(B)
    st = AdamState(m0, v0, v0)
    for k, g in enumerate([C, -1, -1, -1], start=1):
        _, st, _ = update(g, st, 10 + k)
    j = 4
    cm = b1 ** j * m0 + (1 - b1) * b1 ** (j - 1) * C - (1 - b1 ** (j - 1))
    cv = b2 ** j * v0 + (1 - b2) * b2 ** (j - 1) * C ** 2 + 1 - b2 ** (j - 1)
    X = sp.Symbol("X")  # check both at once: (m - cm) + X (v - cv) == 0 for all X
    return st.m + X * st.v, cm + X * cv, [{b1: sp.Rational(1, 2), b2: sp.Rational(1, 2), C: 2, m0: 0, v0: 0,
                                           X: 1}]


@z3_step("B2", "m_t <= 0, 0 <= v_t <= C^2 give m_{t+j} <= (1-beta1) P1 C - (1-P1) and (1-beta2) P2 C^2 <= "
         "v_{t+j} <= P2 C^2 + 1", SRC)
def B2(N, p):
    H = {}
    b1, b2 = _betas(N, H)
    C, P1, P2, m, v = N.var("C"), N.var("P1"), N.var("P2"), N.var("m_t"), N.var("v_t")
    H.update({"C>=2": C >= 2, "0<=P1<=1": N.And(P1 >= 0, P1 <= 1), "0<P2<=1": N.And(P2 > 0, P2 <= 1),
              "m_t<=0": m <= 0, "0<=v_t<=C^2": N.And(v >= 0, v <= C * C)})
    mj = b1 * P1 * m + (1 - b1) * P1 * C - (1 - P1)
    vj = b2 * P2 * v + (1 - b2) * P2 * C * C + 1 - P2
    return H, N.And(mj <= (1 - b1) * P1 * C - (1 - P1), vj >= (1 - b2) * P2 * C * C, vj <= P2 * C * C + 1)


@z3_step("B3", "delta = -alpha_t m/sqrt(v) >= alpha_t (1-P1)/sqrt(v) - alpha_t (1-beta1) gamma^(j-1)/sqrt(1-beta2), "
         "gamma^(j-1) = P1/sqrt(P2)", SRC)
def B3(N, p):
    H = {}
    b1, b2 = _betas(N, H)
    C, P1, P2, m, v, a = (N.var(n) for n in ("C", "P1", "P2", "m", "v", "alpha_t"))
    H.update({"C>=2": C >= 2, "0<=P1<=1": N.And(P1 >= 0, P1 <= 1), "0<P2<=1": N.And(P2 > 0, P2 <= 1),
              "alpha_t>0": a > 0, "B2 m": m <= (1 - b1) * P1 * C - (1 - P1),
              "B2 v": v >= (1 - b2) * P2 * C * C})
    sv = N.sqrt(v)
    return H, -a * m / sv >= a * (1 - P1) / sv - a * (1 - b1) * (P1 / N.sqrt(P2)) / N.sqrt(1 - b2)


@z3_step("B4[T=4]", "1-D projection property (instance T = 4, deltas <= 0 then > 0): "
         "y_5 >= min(1, y_1 + sum delta) for y_{k+1} = clamp(y_k + delta_k)", "appendix")
def B4(N, p):
    y1 = N.var("y1")
    d = [N.var(f"d{k}") for k in (1, 2, 3, 4)]
    H = {"y1 in F": N.And(y1 >= -1, y1 <= 1), "d1,d2<=0": N.And(d[0] <= 0, d[1] <= 0),
         "d3,d4>0": N.And(d[2] > 0, d[3] > 0)}
    y = y1
    for k in range(4):
        y = N.min(N.max(y + d[k], N.const(-1)), N.const(1))
    return H, y >= N.min(N.const(1), y1 + sum(d))


@z3_step("B4-step-", "projection property for every T, phase delta <= 0: y in F, y >= L = y_1 + partial sum, "
         "L <= 1 give clamp(y + delta) >= L + delta", "appendix")
def B4neg(N, p):
    y, L, d = N.var("y"), N.var("L"), N.var("delta")
    H = {"y in F": N.And(y >= -1, y <= 1), "y>=L": y >= L, "L<=1": L <= 1, "delta<=0": d <= 0}
    return H, N.min(N.max(y + d, N.const(-1)), N.const(1)) >= L + d


@z3_step("B4-step+", "projection property for every T, phase delta > 0: y in F, y >= min(1, L) give "
         "clamp(y + delta) >= min(1, L + delta)", "appendix")
def B4pos(N, p):
    y, L, d = N.var("y"), N.var("L"), N.var("delta")
    H = {"y in F": N.And(y >= -1, y <= 1), "y>=min(1,L)": y >= N.min(N.const(1), L), "delta>0": d > 0}
    return H, N.min(N.max(y + d, N.const(-1)), N.const(1)) >= N.min(N.const(1), L + d)


@z3_step("B5", "t >= C/(tau^2-1), tau = 3/2, 1 <= j <= C give alpha/(tau sqrt t) <= alpha/sqrt(t+j) <= "
         "alpha/sqrt t", SRC, tau=sp.Rational(3, 2))
def B5(N, p):
    t, j, C, a = N.var("t"), N.var("j"), N.var("C"), N.var("alpha")
    tau = N.const(p["tau"].p, p["tau"].q)
    H = {"C>=2": C >= 2, "alpha>0": a > 0, "1<=j<=C": N.And(j >= 1, j <= C),
         "t>=T'": t * (tau * tau - 1) >= C, "t>0": t > 0}
    at = a / N.sqrt(t + j)
    return H, N.And(a / (tau * N.sqrt(t)) <= at, at <= a / N.sqrt(t))


@z3_step("B6-v", "for j-1 >= C/2-1: P2 <= Q = beta2^((C-2)/2) and (c2) Q C^2 <= 1 give v_{t+j} <= P2 C^2 + 1 <= 2",
         SRC)
def B6v(N, p):
    C, P2, Qv = N.var("C"), N.var("P2"), N.var("Q")
    H = {"C>=2": C >= 2, "0<P2<=Q": N.And(P2 > 0, P2 <= Qv), "(c2)": Qv * C * C <= 1}
    return H, P2 * C * C + 1 <= 2


@z3_step("B6-term", "alpha_{t+j} >= alpha/(tau sqrt t), 0 < v <= 2, 0 <= P1 <= 1 give alpha_{t+j}(1-P1)/sqrt(v) "
         ">= alpha (1-P1)/(tau sqrt(2t))", SRC)
def B6t(N, p):
    a, aj, t, v, P1, tau = (N.var(n) for n in ("alpha", "alpha_tj", "t", "v", "P1", "tau"))
    H = {"alpha>0": a > 0, "t>0": t > 0, "tau>=1": tau >= 1, "aj>=alpha/(tau sqrt t)": aj * tau * N.sqrt(t) >= a,
         "0<v<=2": N.And(v > 0, v <= 2), "0<=P1<=1": N.And(P1 >= 0, P1 <= 1)}
    return H, aj * (1 - P1) / N.sqrt(v) >= a * (1 - P1) / (tau * N.sqrt(2 * t))


@sympy_step("B6-sum", "sum_{j=K}^{2K} (1 - beta1^(j-1)) = (K+1) - beta1^(K-1)(1-beta1^(K+1))/(1-beta1), C = 2K "
            "(so >= (C/2+1) - beta1^(C/2-1)/(1-beta1))", SRC)
def B6s(p):
    b, K = sp.Symbol("beta1", positive=True), sp.Symbol("K", integer=True, positive=True)
    j = sp.Symbol("j", integer=True, positive=True)
    s = generic_branch(sp.summation(1 - b ** (j - 1), (j, K, 2 * K)))
    return s, (K + 1) - b ** (K - 1) * (1 - b ** (K + 1)) / (1 - b), [{b: sp.Rational(1, 2), K: 3}]


@sympy_step("B7", "sum_{j=1}^C gamma^(j-1) = 1 + gamma(1-gamma^(C-1))/(1-gamma) (symbolic C)", SRC)
def B7(p):
    g, C = sp.Symbol("gamma", positive=True), sp.Symbol("C", integer=True, positive=True)
    j = sp.Symbol("j", integer=True, positive=True)
    s = generic_branch(sp.summation(g ** (j - 1), (j, 1, C)))
    return s, 1 + g * (1 - g ** (C - 1)) / (1 - g), [{g: sp.Rational(1, 2), C: 4}]


@z3_step("B8", "(c3): (3/2) Y + X < C/3 with X = beta1^(C/2-1)/(1-beta1) >= 0, Y = (1-beta1)/sqrt(1-beta2)"
         "(1 + gamma(1-gamma^(C-1))/(1-gamma)) >= 0 gives lambda = (C/2+1-X)/(tau sqrt 2) - Y > 0, tau = 3/2", SRC)
def B8(N, p):
    C, X, Y = N.var("C"), N.var("X"), N.var("Y")
    H = {"C>=2": C >= 2, "X>=0": X >= 0, "Y>=0": Y >= 0, "(c3)": N.const(3, 2) * Y + X < C / 3}
    return H, (C / 2 + 1 - X) / (N.const(3, 2) * N.sqrt(N.const(2))) - Y > 0


@exact_step("B9", "sum_k lambda/sqrt(kC) diverges (SymPy: sum_{k>=1} 1/sqrt k = oo), so the block start "
            "reaches 1", SRC, replay=no_refutation)
def B9(p):
    k = sp.Symbol("k", integer=True, positive=True)
    conv = sp.Sum(1 / sp.sqrt(k), (k, 1, sp.oo)).is_convergent()
    return ("proved" if conv is sp.false or conv is False else "unknown"), {"convergent": str(conv)}, \
        "SymPy convergence test (positive terms, divergent => sum = oo)"


@z3_step("B10", "a block starting at x = 1 has regret >= 2 against x = -1: (C - S) - (-C + (C-1)) >= 2 "
         "for S = sum of the other C-1 iterates <= C-1", SRC)
def B10(N, p):
    C, S = N.var("C"), N.var("S")
    return {"C>=2": C >= 2, "S<=C-1": S <= C - 1}, (C - S) - (-C + (C - 1)) >= 2


@exact_step("F7[C<=5000]", "smallest even C meeting (c1)-(c3): 20 (0, .5), 20 (.5, .5), 204 (.5, .9), 3218 (.9, .99) "
            "(analysis.conditions: (c1), (c2) exact, (c3) by certified balls)", "numerical", evidence="C<=5000",
            replay=no_refutation)
def F7(p):
    want = {("0", "0.5"): 20, ("0.5", "0.5"): 20, ("0.5", "0.9"): 204, tuple(str(float(b)) for b in PAPER_DEFAULT): 3218}
    got = {k: scan_even_C(*k) for k in want}
    w = {f"({a},{b})": str(got[(a, b)]) for a, b in want}
    ok = got == want
    return ("proved" if ok else "refuted"), w, "finite search, C <= 5000"


@exact_step("F8[C=20,k<10]", "evidence: from x_1 = 1, every block start x_{kC+1} = 1, m_{kC} <= 0 and each block's "
            "regret >= 2 for k < 10 (C = 20, (beta1, beta2) in {(0, 1/2), (1/2, 1/2)}, alpha = 1; numerics "
            "Adam, mpmath 50 digits)", "numerical", evidence="k<10", replay=ARB_RERUN)
def F8(p):
    C = 20
    w = {}
    for b1 in ("0", "1/2"):
        tr = trace(adam(alpha=1, beta1=b1, beta2="1/2"), [C] + [-1] * (C - 1), 10 * C, x1=1, backend=p.get("backend", "mpmath"))
        for k in range(10):
            xs = [tr.x(k * C + j) for j in range(1, C + 1)]
            block = C * xs[0] - sum(xs[1:]) - (-C + (C - 1))
            mk = tr.rounds[k * C - 1].state.m if k > 0 else 0
            if xs[0] != 1 or mk > 0 or block < 2:
                return "refuted", {"beta1": b1, "k": str(k), "x": str(xs[0])}, "finite check failed"
        w[f"beta1={b1}: m_(9C)"] = tr.backend.to_str(tr.rounds[9 * C - 1].state.m, 6)
    return "proved", w, "finite claim"


OBLIGATIONS = [B1, B1sum, B2closed, B2, B3, B4, B4neg, B4pos, B5, B6v, B6t, B6s, B7, B8, B9, B10, F7, F8]


# a finite instance checks the printed display only; the chain uses B4's two induction steps (every T)
INSTANCES = ("B4[T=4]",)


def summarize(r: dict) -> str:
    core = [o.label for o in OBLIGATIONS if not o.evidence and o.label not in INSTANCES
            and r[o.label].verdict != "proved"]
    return (f"Theorem 2 (RECONSTRUCTED steps): statement survives? {'YES' if not core else 'NOT ESTABLISHED'}"
            f" -- B1-B10 {'all proved' if not core else 'not proved: ' + ', '.join(core)} (B4 for every T "
            f"through its two induction steps); smallest C from (c1)-(c3) {r['F7[C<=5000]'].verdict} against the F7 table (docs/paper.md).")


THEOREM = Theorem("thm2", "Theorem 2 (Appendix B, RECONSTRUCTED): Adam for any beta1 < sqrt(beta2)",
                  OBLIGATIONS, summarize)
