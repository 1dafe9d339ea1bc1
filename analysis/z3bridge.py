"""Decide sign claims about SymPy expressions with Z3, and nothing else.

``prove_nonneg(expr, hyps)`` asks whether ``hyps => expr >= 0`` for all real values of the symbols.
The translation is exact:

* rationals become ``Q(p, q)`` (never Python floats: docs/references.md, tooling notes);
* ``sqrt(a)`` (and ``a**(k/2)``) becomes a fresh ``s >= 0`` with ``s*s == a``; before the claim is
  decided, each radicand is itself proved ``>= 0`` under the hypotheses, so adding ``s*s == a`` does not
  shrink the space (otherwise the answer is UNKNOWN);
* ``Max(a, b, ...)`` becomes a fresh ``M`` with ``M >= a, M >= b, ...`` and ``M == a or M == b ...``;
* ``a**(-k)`` becomes a division; each denominator is required to be provably non-zero.

Symbolic exponents (``beta2**t``) have no Z3 counterpart: the caller replaces them by symbols first and
supplies what it knows about them as hypotheses.  The solver portfolio is :data:`analysis.z3kit.PORTFOLIO`
(``SimpleSolver`` 2 s, ``qfnra-nlsat`` 5 s, then the default ``Solver``, here for 20 s), run by
:func:`analysis.z3kit.check` (the project's one Z3 bridge); a proof is re-posed to cvc5
(:func:`analysis.z3kit.confirm_unsat`) and ``Verdict.solvers`` says who confirmed it.  A ``sat``
answer is a *candidate* counterexample only; :mod:`analysis.gamma` replays witnesses without Z3.

Example:

    >>> import sympy as sp
    >>> from analysis.z3bridge import prove_nonneg
    >>> x = sp.Symbol("x", real=True)
    >>> prove_nonneg(x**2 - 2*x + 1, []).status            # (x - 1)^2 >= 0 for every real x
    'proved'
"""
from __future__ import annotations

import time

import sympy as sp
import z3

from . import z3kit
from .verdict import PROVED, REFUTED, UNKNOWN, Verdict

# the last stage of z3kit's one PORTFOLIO gets this many seconds here (times budget_scale)
LAST_STAGE_S = 20.0


class Untranslatable(ValueError):
    """The expression has a construct with no exact Z3 counterpart."""


class _Translator:
    def __init__(self):
        self.vars: dict[str, z3.ArithRef] = {}
        self.side: list = []  # definitions of auxiliary variables
        self.radicands: list = []  # z3 terms that must be >= 0
        self.denominators: list = []  # z3 terms that must be != 0
        self._cache: dict = {}
        self._n = 0

    def fresh(self, stem):
        self._n += 1
        return z3.Real(f"_{stem}{self._n}")

    def __call__(self, e):
        if e in self._cache:
            return self._cache[e]
        out = self._tr(e)
        self._cache[e] = out
        return out

    def _tr(self, e):
        if e.is_Symbol:
            return self.vars.setdefault(e.name, z3.Real(e.name))
        if e.is_Rational:
            return z3.Q(int(e.p), int(e.q)) if e.q != 1 else z3.RealVal(int(e.p))
        if e.is_Add:
            return z3.Sum([self(a) for a in e.args])
        if e.is_Mul:
            out = self(e.args[0])
            for a in e.args[1:]:
                out = out * self(a)
            return out
        if e.is_Pow:
            b, x = e.args
            if not x.is_Rational:
                raise Untranslatable(f"symbolic exponent in {e}; replace it by a symbol first")
            p, q = int(x.p), int(x.q)
            if q == 1:
                base = self(b)
            elif q == 2:
                s = self.fresh("sqrt")
                a = self(b)
                self.side += [s >= 0, s * s == a]
                self.radicands.append(a)
                base = s
            else:
                raise Untranslatable(f"root of order {q} in {e}")
            k = abs(p)
            out = base
            for _ in range(k - 1):
                out = out * base
            if p < 0:
                self.denominators.append(out)
                return 1 / out
            return out
        if isinstance(e, (sp.Max, sp.Min)):
            args = [self(a) for a in e.args]
            m = self.fresh("max" if isinstance(e, sp.Max) else "min")
            if isinstance(e, sp.Max):
                self.side += [m >= a for a in args]
            else:
                self.side += [m <= a for a in args]
            self.side.append(z3.Or([m == a for a in args]))
            return m
        raise Untranslatable(f"cannot translate {type(e).__name__}: {e}")

    def rel(self, r):
        lhs, rhs = self(r.lhs), self(r.rhs)
        ops = {sp.GreaterThan: lambda a, b: a >= b, sp.StrictGreaterThan: lambda a, b: a > b,
               sp.LessThan: lambda a, b: a <= b, sp.StrictLessThan: lambda a, b: a < b,
               sp.Equality: lambda a, b: a == b, sp.Unequality: lambda a, b: a != b}
        return ops[type(r)](lhs, rhs)


def _solve(assertions, budget_scale: float = 1.0):
    """The shared portfolio of :mod:`analysis.z3kit`; returns (status, model, engine, reason)."""
    engines = z3kit.scaled_portfolio(budget_scale, LAST_STAGE_S)
    status, model, reason, _secs, engine = z3kit.check(assertions, sum(s for _, s in engines), engines)
    return status, model, engine, (reason or None)


def _model_dict(model, tr):
    """Rationals exactly ("p/q"); algebraic values as a 30-digit decimal (a candidate to replay)."""
    out = {}
    for name, v in tr.vars.items():
        val = model.eval(v, model_completion=True)
        out[name] = str(val.as_fraction()) if z3.is_rational_value(val) else val.as_decimal(30).rstrip("?")
    return out


def prove_nonneg(expr, hyps, claim: str = "", budget_scale: float = 1.0) -> Verdict:
    """Verdict on ``hyps => expr >= 0`` over the reals (see module docstring)."""
    start = time.perf_counter()
    claim = claim or f"{expr} >= 0"
    hyp_txt = [str(h) for h in hyps]
    tr = _Translator()
    try:
        goal = tr(sp.sympify(expr))
        zh = [tr.rel(h) for h in hyps]
    except Untranslatable as exc:
        return Verdict(UNKNOWN, claim, "z3", hyp_txt, reason=str(exc), seconds=time.perf_counter() - start)
    # side conditions: radicands >= 0 and denominators != 0 must follow from the hypotheses
    base = zh + tr.side
    for a in tr.radicands:
        r, _, eng, why = _solve(base + [a < 0], budget_scale)
        if r != "unsat":
            return Verdict(UNKNOWN, claim, "z3", hyp_txt,
                           reason=f"could not show radicand {a} >= 0 ({r}{': ' + why if why else ''})",
                           seconds=time.perf_counter() - start)
    for q in tr.denominators:
        r, _, eng, why = _solve(base + [q == 0], budget_scale)
        if r != "unsat":
            return Verdict(UNKNOWN, claim, "z3", hyp_txt, reason=f"could not show {q} != 0 ({r})",
                           seconds=time.perf_counter() - start)
    r, model, engine, why = _solve(base + [goal < 0], budget_scale)
    secs = time.perf_counter() - start
    if r == "unsat":
        solvers, cc, disagree = z3kit.confirm_unsat(base + [goal < 0])
        secs = time.perf_counter() - start
        if disagree:
            return Verdict(UNKNOWN, claim, f"z3 {engine}: negation unsat", hyp_txt, seconds=secs,
                           reason="solvers disagree: cvc5's model satisfies the negation exactly",
                           solvers="z3 vs cvc5", cross_check={**cc, "disagreement": "real"})
        return Verdict(PROVED, claim, f"z3 {engine}: negation unsat", hyp_txt, seconds=secs, engine=engine,
                       solvers=solvers, cross_check=cc)
    if r == "sat":
        # a candidate only: the caller must replay it exactly before calling it REFUTED
        return Verdict(UNKNOWN, claim, f"z3 {engine}: negation sat", hyp_txt,
                       witness={"candidate": _model_dict(model, tr)},
                       reason="Z3 model not replayed exactly", seconds=secs)
    return Verdict(UNKNOWN, claim, "z3", hyp_txt, reason=why, seconds=secs)


__all__ = ["prove_nonneg", "Untranslatable", "PROVED", "REFUTED", "UNKNOWN"]
