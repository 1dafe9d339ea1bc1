"""Countermodels of a kernel call with one dependency dropped, re-checked without a solver.

A kernel call ``K.prove(thm, by=deps)`` is refused whenever ``And(deps) and not thm`` has a model.  The tests that
drop a dependency used to show the refusal by waiting for Z3's time limit (twice: default solver, then simple
solver).  A countermodel is stronger -- the dropped dependency is *needed*, whatever solver or budget is used --
and it is checked here by code that shares nothing with Z3's decision path: every formula of the sequent is read
into SymPy (exact rationals, exact square roots) under an interpretation written by hand in the test, and

* a universal quantifier over an integer ``t`` guarded by ``t >= c`` is decided at ``t = c, c+1, c+2`` and for a
  symbolic ``t = c + 3 + s`` (``s`` a non-negative integer symbol): SymPy's assumptions (``is_nonnegative``
  ...), and failing those the empty set of solutions of the negated inequality over the reals ``s >= 0``
  (``sympy.solveset``);
* a quantifier with finite bounds (``1 <= j <= d`` at a given ``d``) is decided by enumerating its values;
* a universal quantifier that does not hold is shown false by an instance.

Three-valued: anything SymPy cannot decide is ``None``, and :func:`assert_countermodel` then fails (a countermodel
that is not decided is not a countermodel).  Z3 is used only to *read* the formulas (their syntax trees).

The interpretation (``model``) maps a symbol's name -- the kernel's fresh names ``T!438`` may be given by their
stem ``T`` -- to a number (int, Fraction, SymPy expression) or a bool, which for a function symbol is its constant
value, or a ``sympy.Lambda`` (cases as a ``Piecewise``; a Python function is refused, since it could branch on
``t == 0``, which is False for a symbolic ``t``).  Example::

    >>> import z3
    >>> t, c = z3.Int("t"), z3.Real("c")
    >>> f = z3.Function("f", z3.IntSort(), z3.RealSort())
    >>> deps = [z3.ForAll([t], z3.Implies(t >= 1, f(t) >= c))]
    >>> s = sympy.Symbol("s")
    >>> assert_countermodel(deps, f(2) >= 1, {"c": 0, "f": sympy.Lambda(s, 1 / sympy.sqrt(s + 1))})
"""
from __future__ import annotations

import itertools
from fractions import Fraction

import sympy
import z3

_FRESH = itertools.count()
_ENUM_MAX = 200  # a finitely bounded quantifier is enumerated up to this many values
_HEAD = 3  # the first rounds of a quantifier over t >= c, decided one by one before the symbolic rest
_INSTANCES = 12  # a universal quantifier that SymPy cannot decide is tried at its first instances (to show False)


class Undecided(Exception):
    """SymPy could not decide a formula of the sequent on the model."""


def _lookup(model, name):
    if name in model:
        return model[name]
    stem = name.split("!")[0]
    if stem in model:
        return model[stem]
    raise Undecided(f"the model gives no value to {name!r}")


def _num(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, (int, str)):
        return sympy.Rational(v)
    return sympy.sympify(v)


def _sign(d, strict):
    """True when d > 0 (strict) / d >= 0 holds for every value of its symbols, False when it fails for every value
    (or, without symbols, when it fails), None when undecided."""
    d = sympy.sympify(d)
    attr = "is_positive" if strict else "is_nonnegative"
    for e in (d, sympy.together(d), sympy.radsimp(sympy.together(d))):
        v = getattr(e, attr)
        if v is not None:
            return bool(v)
    syms = sorted(d.free_symbols, key=str)
    if len(syms) == 1 and syms[0].is_integer and syms[0].is_nonnegative:
        # over the reals r >= 0 (a superset of the integers s >= 0): no solution of the negation -> holds
        r = sympy.Symbol("r_relax", real=True, nonnegative=True)
        neg = d.subs(syms[0], r) <= 0 if strict else d.subs(syms[0], r) < 0
        try:
            sol = sympy.solveset(neg, r, sympy.Interval(0, sympy.oo))
        except (NotImplementedError, ValueError, TypeError):  # pragma: no cover -- SymPy's limits
            return None
        if sol is sympy.S.EmptySet:
            return True
    return None


def _eq(d):
    d = sympy.sympify(d)
    if d == 0 or sympy.simplify(d) == 0:
        return True
    if not d.free_symbols and d.is_zero is False:  # SymPy's own zero test, not simplify's failure to reach 0
        return False
    return None


def _nonzero(d):
    d = sympy.sympify(d)
    return d.is_zero is False or _sign(d, True) is True or _sign(-d, True) is True


def _and(vals):
    if any(v is False for v in vals):
        return False
    return True if all(v is True for v in vals) else None


def _or(vals):
    if any(v is True for v in vals):
        return True
    return False if all(v is False for v in vals) else None


def _bounds(guard, v, ev):
    """(lower, upper) integer bounds on the z3 variable ``v`` read from the conjuncts of ``guard``."""
    lo, hi = None, None
    conj = list(guard.children()) if z3.is_and(guard) else [guard]
    for c in conj:
        if not (z3.is_ge(c) or z3.is_le(c) or z3.is_gt(c) or z3.is_lt(c)):
            continue
        a, b = c.children()
        if z3.is_le(c) or z3.is_lt(c):  # a <= b  ->  b >= a
            a, b, strict = b, a, z3.is_lt(c)
        else:
            strict = z3.is_gt(c)
        # now a >= b (or a > b)
        if a.eq(v):
            try:
                val = ev(b)
            except Undecided:
                continue
            if getattr(val, "is_number", False):
                val = sympy.ceiling(val) + (1 if strict and val == sympy.ceiling(val) else 0)
                lo = val if lo is None else max(lo, val)
        elif b.eq(v):
            try:
                val = ev(a)
            except Undecided:
                continue
            if getattr(val, "is_number", False):
                val = sympy.floor(val) - (1 if strict and val == sympy.floor(val) else 0)
                hi = val if hi is None else min(hi, val)
    return lo, hi


def evaluate(e, model, env=None):
    """The value of the z3 expression ``e`` on ``model``: a SymPy number or expression for a term; True, False or
    None (undecided) for a formula."""
    env = env or {}

    def ev(x):
        return evaluate(x, model, env)

    if z3.is_true(e):
        return True
    if z3.is_false(e):
        return False
    if z3.is_int_value(e):
        return sympy.Integer(e.as_long())
    if z3.is_rational_value(e):
        return sympy.Rational(e.numerator_as_long(), e.denominator_as_long())
    if z3.is_quantifier(e):
        return _quantifier(e, model, env)
    if not z3.is_app(e):
        raise Undecided(f"not read: {e}")
    k = e.decl().kind()
    ch = e.children()
    if k == z3.Z3_OP_UNINTERPRETED:
        name = e.decl().name()
        if not ch:
            if name in env:
                return env[name]
            return _num(_lookup(model, name))
        f = _lookup(model, name)
        if isinstance(f, bool):  # a constant predicate
            return f
        if not isinstance(f, sympy.Lambda):
            if callable(f):  # a Python function could branch on ``t == 0``, which is False for a symbolic t
                raise Undecided(f"give {name!r} as a sympy.Lambda (cases as a Piecewise) or a constant")
            return _num(f)  # a constant function
        out = f(*[ev(c) for c in ch])
        if out in (sympy.true, sympy.false):
            return bool(out)
        return _num(out)
    if k == z3.Z3_OP_AND:
        return _and([ev(c) for c in ch])
    if k == z3.Z3_OP_OR:
        return _or([ev(c) for c in ch])
    if k == z3.Z3_OP_NOT:
        v = ev(ch[0])
        return None if v is None else not v
    if k == z3.Z3_OP_IMPLIES:
        return _or([None if (v := ev(ch[0])) is None else not v, ev(ch[1])])
    if k == z3.Z3_OP_ITE:
        c = ev(ch[0])
        if c is None:
            raise Undecided(f"the condition of an If is undecided: {ch[0]}")
        return ev(ch[1] if c else ch[2])
    if k == z3.Z3_OP_EQ and ch[0].sort() == z3.BoolSort():
        a, b = ev(ch[0]), ev(ch[1])
        return None if a is None or b is None else a == b
    vals = [ev(c) for c in ch]
    if k == z3.Z3_OP_EQ:
        return _eq(vals[0] - vals[1])
    if k == z3.Z3_OP_DISTINCT and len(vals) == 2:
        v = _eq(vals[0] - vals[1])
        return None if v is None else not v
    if k == z3.Z3_OP_GE:
        return _sign(vals[0] - vals[1], False)
    if k == z3.Z3_OP_GT:
        return _sign(vals[0] - vals[1], True)
    if k == z3.Z3_OP_LE:
        return _sign(vals[1] - vals[0], False)
    if k == z3.Z3_OP_LT:
        return _sign(vals[1] - vals[0], True)
    if k == z3.Z3_OP_ADD:
        return sympy.Add(*vals)
    if k == z3.Z3_OP_MUL:
        return sympy.Mul(*vals)
    if k == z3.Z3_OP_SUB:
        return vals[0] - sympy.Add(*vals[1:])
    if k == z3.Z3_OP_UMINUS:
        return -vals[0]
    if k == z3.Z3_OP_DIV:
        if not _nonzero(vals[1]):
            raise Undecided(f"a division by a value not shown non-zero: {e}")  # z3's x/0 is unspecified
        return vals[0] / vals[1]
    if k == z3.Z3_OP_POWER:
        return vals[0] ** vals[1]
    if k in (z3.Z3_OP_TO_REAL,):
        return vals[0]
    raise Undecided(f"operator not read: {e.decl()}")


def _quantifier(q, model, env):
    if q.num_vars() != 1 or q.var_sort(0) != z3.IntSort():
        raise Undecided(f"only quantifiers over one integer are read: {q}")
    v = z3.Const(f"{q.var_name(0)}__q{next(_FRESH)}", z3.IntSort())
    body = z3.substitute_vars(q.body(), v)
    forall = q.is_forall()
    if not forall:  # Exists x. P  ==  not ForAll x. not P
        body = z3.Not(body)
    guard = body.arg(0) if z3.is_implies(body) else z3.BoolVal(True)
    lo, hi = _bounds(guard, v, lambda x: evaluate(x, model, env))

    def at(val):
        return evaluate(body, model, {**env, v.decl().name(): val})

    if lo is not None and hi is not None:
        if hi - lo > _ENUM_MAX:
            raise Undecided(f"a bounded quantifier over {hi - lo + 1} values: {q}")
        out = _and([at(sympy.Integer(i)) for i in range(int(lo), int(hi) + 1)])
    elif lo is not None:
        # t = lo, ..., lo + _HEAD - 1 exactly, then t = lo + _HEAD + s for a symbolic s >= 0 (so that a Piecewise
        # base case such as v_0 = 0, met at t - 1, is decided on both sides)
        s = sympy.Symbol(f"s{next(_FRESH)}", integer=True, nonnegative=True)
        head = [at(sympy.Integer(int(lo) + i)) for i in range(_HEAD)]
        out = _and([*head, at(lo + _HEAD + s)])
        if out is None:
            inst = [at(sympy.Integer(int(lo) + i)) for i in range(_HEAD, _INSTANCES)]
            out = False if any(x is False for x in inst) else None
    else:
        raise Undecided(f"no lower bound on the quantified integer: {q}")
    if forall or out is None:
        return out
    return not out


def lam(f):
    """The ``sympy.Lambda`` of a Python function of SymPy arguments, built once on symbols (so a branch on
    ``t == 0`` is taken once, for every t, and the model checked is exactly the Lambda): write cases as a
    ``sympy.Piecewise``.  ``lam(lambda i, t: 1 / sympy.sqrt(t))``."""
    import inspect

    args = sympy.symbols(f"a0:{len(inspect.signature(f).parameters)}")
    return sympy.Lambda(args, f(*args))


def assert_countermodel(deps, thm, model):
    """``model`` satisfies every formula of ``deps`` and falsifies ``thm`` (each decided by SymPy), so
    ``thm`` does not follow from ``deps``: no solver can prove it from them."""
    for i, d in enumerate(deps):
        try:
            v = evaluate(d, model)
        except Undecided as exc:
            raise AssertionError(f"dependency {i}: undecided on the model: {exc}") from None
        assert v is True, f"dependency {i} is {v} on the model, not True: {str(d)[:300]}"
    try:
        v = evaluate(thm, model)
    except Undecided as exc:
        raise AssertionError(f"the goal: undecided on the model: {exc}") from None
    assert v is False, f"the goal is {v} on the model, not False"
