"""Number systems of a proof step and the exact replay helpers: the lowest floor of :mod:`proofs`.

A z3 obligation's claim is written once as ``build(N, p)`` over a number system ``N``:

* :class:`Z3Num` builds a Z3 query (square roots as auxiliary variables with their side conditions);
* :class:`SymNum` evaluates the same ``build`` in exact SymPy arithmetic at a point (the replay of a model,
  without Z3);
* :func:`sign` and :func:`truth` decide a SymPy number's sign and a relation's truth exactly (numeric
  refinement only to separate a non-zero algebraic number from 0); :func:`parse_value` reads a model value
  string of :mod:`analysis.z3kit` back as an exact SymPy number.

Both :mod:`proofs.obligation` (the refutation replay) and :mod:`proofs.vacuity` (the witness replay) use
them; they live here, below both, so that neither imports the other for them.

Example::

    >>> import sympy as sp
    >>> N = SymNum({"x": parse_value("3/2")})
    >>> truth(N.var("x") * N.var("x") > N.const(2))
    True
    >>> sign(sp.sqrt(2) - sp.Rational(141, 100))
    1
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp
import z3

from analysis import z3kit

__all__ = ["Z3Num", "SymNum", "sign", "truth", "parse_value"]


class Z3Num:
    """Number system that builds a Z3 query.  ``var`` declares a real; ``sqrt`` adds an auxiliary."""

    def __init__(self):
        self.side: list = []
        self.vars: dict[str, Any] = {}
        self._k = 0
        self._roots: dict[str, Any] = {}

    def var(self, name):
        v = z3.Real(name)
        self.vars[name] = v
        return v

    def const(self, p, q=1):
        return z3kit.Q(p, q)

    def sqrt(self, e):
        # one auxiliary per distinct radicand: sqrt is a function, and a shared name spares both
        # solvers from deducing that two roots of the same expression are equal
        key = e.sexpr() if hasattr(e, "sexpr") else repr(e)
        if key not in self._roots:
            self._k += 1
            s, cons = z3kit.sqrt_of(e, f"_s{self._k}")
            self.side += cons
            self._roots[key] = s
        return self._roots[key]

    def abs(self, e):
        return z3.If(e >= 0, e, -e)

    def max(self, a, b):
        return z3.If(a >= b, a, b)

    def min(self, a, b):
        return z3.If(a <= b, a, b)

    And = staticmethod(lambda *a: z3.And(*a))
    Or = staticmethod(lambda *a: z3.Or(*a))
    Not = staticmethod(lambda a: z3.Not(a))
    Implies = staticmethod(lambda a, b: z3.Implies(a, b))

    def If(self, c, a, b):
        return z3.If(c, a, b)


class SymNum:
    """Exact SymPy evaluation at a point (the replay of a witness, without Z3)."""

    def __init__(self, values: dict):
        self.values = values

    def var(self, name):
        if name not in self.values:
            raise KeyError(f"replay: witness lacks variable {name}")
        return self.values[name]

    def const(self, p, q=1):
        f = Fraction(p) / Fraction(q)
        return sp.Rational(f.numerator, f.denominator)

    def sqrt(self, e):
        if sign(e) < 0:
            raise ValueError("replay: square root of a negative number")
        return sp.sqrt(e)

    def abs(self, e):
        return sp.Abs(e)

    def max(self, a, b):
        return a if sign(a - b) >= 0 else b

    def min(self, a, b):
        return a if sign(a - b) <= 0 else b

    And = staticmethod(lambda *a: all(truth(x) for x in a))
    Or = staticmethod(lambda *a: any(truth(x) for x in a))
    Not = staticmethod(lambda a: not truth(a))
    Implies = staticmethod(lambda a, b: (not truth(a)) or truth(b))

    def If(self, c, a, b):
        return a if truth(c) else b


def sign(e) -> int:
    """Exact sign of a real algebraic SymPy number (numeric refinement only to separate from 0)."""
    e = sp.nsimplify(e) if isinstance(e, float) else sp.sympify(e)
    if e.is_zero:
        return 0
    if e.is_positive:
        return 1
    if e.is_negative:
        return -1
    s = sp.simplify(e)
    if s.is_zero:
        return 0
    # radsimp/minimal polynomial: a non-zero algebraic number is separated from 0 at high precision
    try:
        if sp.minimal_polynomial(s, sp.Symbol("_x")).as_poly().eval(0) == 0:
            return 0
    except Exception:  # noqa: BLE001 -- not algebraic over Q in a form SymPy handles
        pass
    val = sp.N(s, 80)
    if abs(val) > sp.Float("1e-60", 80):
        return 1 if val > 0 else -1
    raise ValueError(f"replay: cannot decide the sign of {s}")


def truth(x) -> bool:
    """Exact truth of a Python bool, a SymPy boolean or a SymPy relation between real algebraic numbers."""
    if isinstance(x, bool):
        return x
    if isinstance(x, sp.logic.boolalg.BooleanAtom):
        return bool(x)
    if isinstance(x, sp.core.relational.Relational):
        d = sign(x.lhs - x.rhs)
        op = x.rel_op
        return {"<": d < 0, "<=": d <= 0, ">": d > 0, ">=": d >= 0, "==": d == 0, "!=": d != 0}[op]
    return bool(x)


def parse_value(s: str):
    """Exact SymPy number from a z3kit value string: "p/q" or "d.ddd (root of poly)"."""
    s = s.strip()
    if "(root of" in s:
        dec, poly = s.split("(root of", 1)
        x = sp.Symbol("x")
        P = sp.Poly(sp.sympify(poly.rstrip(") ").replace("^", "**")), x)
        approx = sp.Float(dec.strip(), 60)
        roots = [r for r in sp.real_roots(P)]
        return min(roots, key=lambda r: abs(sp.N(r, 60) - approx))
    return sp.Rational(s)
