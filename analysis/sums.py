"""The elementary sum lemmas used by the bounds, proved (not assumed).

Each function returns a :class:`~analysis.verdict.Verdict`.  The proofs are by induction, with the
base case checked exactly and the induction step reduced to an inequality that SymPy (calculus
identities) or Z3 (polynomial arithmetic with square roots as auxiliary variables) decides.

* harmonic       sum_{t<=T} 1/t <= 1 + log T                   (L7; induction, step by calculus)
* inv_sqrt       sum_{t<=T} 1/sqrt(t) <= 2 sqrt(T)              (induction, step by Z3)
* lambda_sqrt    sum_{t>=1} lambda^(t-1) sqrt(t) <= 1/(1-lambda)^2   (sqrt(t) <= t, SymPy series)
* auer_gentile   sum_i y_i / sqrt(sum_{j<=i} y_j) <= 2 sqrt(sum_i y_i), y_i >= 0  (Auer & Gentile 2000)
* geometric      sum_{j=0}^{n-1} gamma^j <= 1/(1-gamma), 0 <= gamma < 1

Example:

    >>> from analysis import sums
    >>> v = sums.harmonic()
    >>> v.status, v.claim
    ('proved', 'sum_{t=1}^T 1/t <= 1 + log T')
"""
from __future__ import annotations

import time

import sympy as sp

from .verdict import PROVED, UNKNOWN, Verdict
from .z3bridge import prove_nonneg


def _v(ok: bool, claim, method, hyps, start, why="a SymPy identity or sign check failed") -> Verdict:
    return Verdict(PROVED if ok else UNKNOWN, claim, method, hyps, reason=None if ok else why,
                   seconds=time.perf_counter() - start)


def harmonic() -> Verdict:
    """sum_{t=1}^T 1/t <= 1 + log T.

    Base T = 1: 1 <= 1.  Step: 1/(T+1) <= log(T+1) - log T, i.e. f(x) = log(1 + 1/x) - 1/(x+1) >= 0 for
    x >= 1.  SymPy: f'(x) = -1/(x (x+1)^2) < 0 and f(x) -> 0 as x -> oo, so f decreases to 0: f > 0.
    """
    start = time.perf_counter()
    x = sp.Symbol("x", positive=True)
    f = sp.log(1 + 1 / x) - 1 / (x + 1)
    ok = (sp.simplify(sp.diff(f, x) + 1 / (x * (x + 1) ** 2)) == 0
          and sp.limit(f, x, sp.oo) == 0
          and sp.Integer(1) <= 1 + sp.log(1))
    return _v(ok, "sum_{t=1}^T 1/t <= 1 + log T", "induction; step: f' = -1/(x(x+1)^2) < 0, f(oo) = 0",
              ["T >= 1"], start)


def inv_sqrt() -> Verdict:
    """sum_{t=1}^T 1/sqrt(t) <= 2 sqrt(T).

    Base T = 1: 1 <= 2.  Step: 2 sqrt(T+1) - 2 sqrt(T) - 1/sqrt(T+1) >= 0 for T >= 1 (Z3, with the
    square roots as auxiliary variables; multiplied by sqrt(T+1) > 0: 2(T+1) - 2 sqrt(T(T+1)) - 1 >= 0).
    """
    start = time.perf_counter()
    T = sp.Symbol("T", positive=True)
    step = 2 * sp.sqrt(T + 1) - 2 * sp.sqrt(T) - 1 / sp.sqrt(T + 1)
    v = prove_nonneg(step, [sp.GreaterThan(T, 1, evaluate=False)], "induction step of sum 1/sqrt(t)")
    ok = v.proved and 1 <= 2 * sp.sqrt(1)
    return _v(ok, "sum_{t=1}^T 1/sqrt(t) <= 2 sqrt(T)", "induction; step: " + v.method, ["T >= 1"], start,
              v.reason or "")


def lambda_sqrt() -> Verdict:
    """sum_{t>=1} lambda^(t-1) sqrt(t) <= 1/(1-lambda)^2 for 0 <= lambda < 1.

    sqrt(t) <= t for t >= 1 (Z3) and every term is >= 0, so every partial sum is at most
    sum_{t>=1} t lambda^(t-1), which SymPy sums in closed form to 1/(1-lambda)^2.
    """
    start = time.perf_counter()
    lam = sp.Symbol("lambda_", nonnegative=True)
    tt = sp.Symbol("t", integer=True, positive=True)
    closed = sp.summation(tt * lam ** (tt - 1), (tt, 1, sp.oo))
    closed = closed.args[0][0] if isinstance(closed, sp.Piecewise) else closed
    ok_sum = sp.simplify(closed - 1 / (1 - lam) ** 2) == 0
    T = sp.Symbol("T", positive=True)
    v = prove_nonneg(T - sp.sqrt(T), [sp.GreaterThan(T, 1, evaluate=False)], "sqrt(t) <= t for t >= 1")
    return _v(ok_sum and v.proved, "sum_{t>=1} lambda^(t-1) sqrt(t) <= 1/(1-lambda)^2",
              "sqrt(t) <= t (" + v.method + "); sum t lambda^(t-1) = 1/(1-lambda)^2 (sympy)",
              ["0 <= lambda < 1"], start)


def auer_gentile() -> Verdict:
    """sum_{i<=n} y_i / sqrt(S_i) <= 2 sqrt(S_n), S_i = sum_{j<=i} y_j, y_i >= 0 (terms with S_i = 0 are 0).

    Induction on n; the step is y / sqrt(S + y) <= 2 sqrt(S + y) - 2 sqrt(S) for S >= 0, y >= 0,
    S + y > 0.  Writing a = sqrt(S), b = sqrt(S + y): b^2 - a^2 <= 2 b (b - a), i.e. (b - a)^2 >= 0,
    which Z3 proves (negation unsat) in the form 2 b^2 - 2 a b - (b^2 - a^2) >= 0.
    """
    start = time.perf_counter()
    S, y = sp.symbols("S y", nonnegative=True)
    step = 2 * (S + y) - 2 * sp.sqrt(S) * sp.sqrt(S + y) - y  # the step times sqrt(S + y) > 0
    hyps = [sp.GreaterThan(S, 0, evaluate=False), sp.GreaterThan(y, 0, evaluate=False)]
    v = prove_nonneg(step, hyps, "Auer-Gentile induction step")
    return _v(v.proved, "sum_i y_i/sqrt(sum_{j<=i} y_j) <= 2 sqrt(sum_i y_i)", "induction; step: " + v.method,
              ["y_i >= 0"], start, v.reason or "")


def geometric() -> Verdict:
    """sum_{j=0}^{n-1} gamma^j = (1 - gamma^n)/(1 - gamma) <= 1/(1 - gamma) for 0 <= gamma < 1 (SymPy)."""
    start = time.perf_counter()
    g = sp.Symbol("gamma", nonnegative=True)
    n, j = sp.symbols("n j", integer=True, nonnegative=True)
    partial = sp.summation(g ** j, (j, 0, n - 1))
    partial = partial.args[1][0] if isinstance(partial, sp.Piecewise) else partial  # gamma != 1 branch
    gap = sp.simplify(1 / (1 - g) - partial)  # = gamma^n / (1 - gamma) >= 0
    ok = sp.simplify(gap - g ** n / (1 - g)) == 0
    return _v(ok, "sum_{j>=0} gamma^j <= 1/(1-gamma)", "sympy: 1/(1-gamma) - partial sum = gamma^n/(1-gamma) >= 0",
              ["0 <= gamma < 1"], start)


LEMMAS = {"harmonic": harmonic, "inv-sqrt": inv_sqrt, "lambda-sqrt": lambda_sqrt,
          "auer-gentile": auer_gentile, "geometric": geometric}


def all_lemmas() -> dict[str, Verdict]:
    return {k: f() for k, f in LEMMAS.items()}
