"""Rigorous evaluation of closed SymPy expressions in python-flint balls (no Z3, no floats).

Used to replay witnesses: ``sign(expr)`` is -1/+1 only when the ball excludes zero; otherwise the
precision is doubled (up to ``max_prec`` bits) and, failing that, 0 ("undecided") is returned.

Example: the sign of sqrt(2) - 1.41421356 is certified in balls, without a float:

    >>> import sympy as sp
    >>> from analysis.interval import enclose, sign
    >>> sign(sp.sqrt(2) - sp.Rational(141421356, 10**8)), enclose(sp.sqrt(2))
    (1, '[1.4142135623730950488 +/- 1.69e-21]')
"""
from __future__ import annotations

import contextlib
import functools

import flint
import sympy as sp


def to_arb(e):
    """The exact value of a closed expression (rationals, +, *, integer and half-integer powers,
    Max, Min, log) as an ``arb`` ball at the current flint precision."""
    e = sp.sympify(e)
    if e.is_Rational:
        return flint.arb(int(e.p)) / int(e.q)
    if e.is_Add:
        out = flint.arb(0)
        for a in e.args:
            out += to_arb(a)
        return out
    if e.is_Mul:
        out = flint.arb(1)
        for a in e.args:
            out *= to_arb(a)
        return out
    if e.is_Pow:
        b, x = e.args
        if x.is_Integer:
            return to_arb(b) ** int(x)
        if x.is_Rational and x.q == 2:
            return to_arb(b).sqrt() ** int(x.p)
        return to_arb(b) ** to_arb(x)
    if isinstance(e, (sp.Max, sp.Min)):  # rigorous max/min of balls, folded over the arguments
        pick = "max" if isinstance(e, sp.Max) else "min"
        return functools.reduce(lambda a, b: getattr(a, pick)(b), (to_arb(a) for a in e.args))
    if isinstance(e, sp.log):
        return to_arb(e.args[0]).log()
    raise TypeError(f"cannot enclose {e!r} (free symbols: {e.free_symbols})")


@contextlib.contextmanager
def arb_precision(bits: int):
    """python-flint's working precision is ``bits`` inside the block and restored after it (also on an
    error): the one save/restore of the arb precision outside the numerics backends."""
    old = flint.ctx.prec
    flint.ctx.prec = int(bits)
    try:
        yield
    finally:
        flint.ctx.prec = old


def sign(e, prec: int = 128, max_prec: int = 4096) -> int:
    """-1, 0 (undecided) or +1; the sign is certain when non-zero."""
    while prec <= max_prec:
        with arb_precision(prec):
            b = to_arb(e)
            if b < 0:
                return -1
            if b > 0:
                return 1
        prec *= 2
    return 0


def enclose(e, prec: int = 128) -> str:
    """Decimal string of the ball (midpoint +/- radius)."""
    with arb_precision(prec):
        return to_arb(e).str(20)
