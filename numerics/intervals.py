"""Interval arithmetic on float64 arrays, vectorised over lanes: a backend for the one optimizer definition.

A number of :class:`IntervalBackend` is an :class:`Interval` ``[lo, hi]`` whose ends are float64 numpy arrays
(one lane per element: the smallest-C search runs one lane per candidate C'), or 0-d arrays for the
hyper-parameters.  Every operation encloses the exact real result for every pair of reals in its operands:

* ``+ - * /`` and ``sqrt`` are computed round-to-nearest (IEEE 754 makes each correctly rounded, so the exact
  result lies within one ulp of it) and then moved one ulp outwards with ``np.nextafter`` towards -inf / +inf;
  every end moves, exact or not (sound, and one ufunc call; only ``sqrt`` keeps an exact 0 at 0, so that the
  root of a state that starts at 0 is defined);
* ``*`` and ``/`` take the least and greatest of the four end products (quotients); a divisor that contains
  0 (and is not exactly 0 where :meth:`IntervalBackend.safe_div` returns 0) gives NaN ends: a clear failure,
  since NaN fails every test a certificate makes (``lo > 0``, ``X.lo <= Y.lo``, ...);
* ``sqrt`` of an interval that reaches below 0 is NaN (undefined there), ``max``/``min``/negation/``abs``
  are exact on the ends;
* constants: an exact rational (a hyper-parameter "0.9" is 9/10) is enclosed by the two neighbouring
  doubles, or is the point interval where it is a double.

Comparisons of intervals and their truth value raise TypeError: a rule that branches on a number's value
cannot run here (the caller falls back to arb balls), so no branch can pick a side that only one end of an
interval supports.  This is *not* a replacement for :class:`numerics.backends.ArbBackend`: the intervals are
wider (53 bits and one ulp per operation), they only serve to decide cheaply, many lanes at once, what they
can decide; the rest is left to the balls (:func:`counterexamples.drift.general.certify_replay_lanes`).

    >>> import numpy as np
    >>> from numerics.intervals import IntervalBackend
    >>> B = IntervalBackend()
    >>> x = B.num("1/10")                      # 1/10 is no double: enclosed by its two neighbours
    >>> float(x.lo) < 1 / 10 <= float(x.hi), bool(x.hi == np.nextafter(x.lo, 1))   # 1/10 rounds up to 0.1
    (True, True)
    >>> y = B.sqrt(B.num(2))
    >>> float(y.lo) < 2 ** 0.5 < float(y.hi)   # sqrt(2) is irrational: strictly inside
    True
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .backends import Backend, to_fraction

_NINF, _PINF = -np.inf, np.inf


def _down(a):
    return np.nextafter(a, _NINF)


def _up(a):
    return np.nextafter(a, _PINF)


def enclose(value) -> tuple[float, float]:
    """The two doubles around the exact rational ``value`` (one double twice when it is one).

    >>> from numerics.intervals import enclose
    >>> enclose("1/2"), enclose(3)
    ((0.5, 0.5), (3.0, 3.0))
    >>> lo, hi = enclose("0.9"); lo < 0.9 == hi or lo == 0.9 < hi
    True
    """
    q = to_fraction(value)
    try:
        f = float(q)  # correctly rounded (Python's int/int division)
    except OverflowError:  # beyond the largest double: the interval reaches to infinity
        big = float(np.finfo(np.float64).max)
        return (big, _PINF) if q > 0 else (_NINF, -big)
    e = Fraction(f)
    if e == q:
        return f, f
    return (f, float(np.nextafter(f, _PINF))) if e < q else (float(np.nextafter(f, _NINF)), f)


class Interval:
    """[lo, hi] with float64 ends (numpy arrays, broadcast lane by lane); see the module docstring."""

    __slots__ = ("lo", "hi")
    __array_ufunc__ = None  # numpy scalars and arrays defer to our reflected operators (no object arrays)

    def __init__(self, lo, hi=None):
        self.lo = np.asarray(lo, dtype=np.float64)
        self.hi = self.lo if hi is None else np.asarray(hi, dtype=np.float64)
        if self.lo.ndim == 0:  # 0-d ends as numpy scalars, which numpy's arithmetic returns too
            self.lo = np.float64(self.lo)
        if self.hi.ndim == 0:
            self.hi = np.float64(self.hi)

    # --- coercion ---------------------------------------------------------------------------
    @staticmethod
    def of(x) -> "Interval":
        """An Interval for x: itself, a float / float array (exact), or an exact rational (enclosed)."""
        if isinstance(x, Interval):
            return x
        if isinstance(x, (float, np.floating)):
            return Interval(float(x))
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            return Interval(x)
        if isinstance(x, (int, np.integer)) and abs(int(x)) <= 2 ** 53:
            return Interval(float(x))
        if isinstance(x, np.ndarray) and x.dtype.kind in "iu" and np.all(np.abs(x) <= 2 ** 53):
            return Interval(x.astype(np.float64))
        if isinstance(x, (int, np.integer, Fraction, str)):
            return Interval(*enclose(x))
        raise TypeError(f"cannot use {type(x).__name__} as an interval")

    @property
    def shape(self):
        return np.broadcast_shapes(self.lo.shape, self.hi.shape)

    def __getitem__(self, idx):
        return Interval(np.broadcast_to(self.lo, self.shape)[idx], np.broadcast_to(self.hi, self.shape)[idx])

    def __repr__(self):
        return f"Interval({self.lo!r}, {self.hi!r})"

    # --- no value-dependent branches --------------------------------------------------------
    def __bool__(self):
        raise TypeError("the truth value of an interval is not defined (use the backend's helpers)")

    def _cmp(self, other):
        raise TypeError("intervals are not compared with < <= > >= == != (a rule must not branch on a value)")

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _cmp
    __hash__ = None

    # --- arithmetic -------------------------------------------------------------------------
    def __neg__(self):
        return Interval(-self.hi, -self.lo)

    def __pos__(self):
        return self

    def __abs__(self):
        lo, hi = self.lo, self.hi
        return Interval(np.where(lo >= 0, lo, np.where(hi <= 0, -hi, 0.0)),
                        np.where(lo >= 0, hi, np.where(hi <= 0, -lo, np.maximum(-lo, hi))))

    def __add__(self, other):
        o = other if type(other) is Interval else Interval.of(other)
        return _mk(_down(self.lo + o.lo), _up(self.hi + o.hi))

    __radd__ = __add__

    def __sub__(self, other):
        o = other if type(other) is Interval else Interval.of(other)
        return _mk(_down(self.lo - o.hi), _up(self.hi - o.lo))

    def __rsub__(self, other):
        return Interval.of(other) - self

    def __mul__(self, other):
        o = other if type(other) is Interval else Interval.of(other)
        x, y = self, o
        if x.lo.ndim == 0 and y.lo.ndim != 0:  # the constant second
            x, y = y, x
        a, b, c, d = x.lo, x.hi, y.lo, y.hi
        if c.ndim == 0 and c >= 0:  # times a constant interval [c, d] with 0 <= c <= d: 2 products a side
            if c == d:
                return _mk(_down(a * c), _up(b * c))
            return _mk(_down(np.minimum(a * c, a * d)), _up(np.maximum(b * c, b * d)))
        p1, p2, p3, p4 = a * c, a * d, b * c, b * d
        return _mk(_down(np.minimum(np.minimum(p1, p2), np.minimum(p3, p4))),
                   _up(np.maximum(np.maximum(p1, p2), np.maximum(p3, p4))))

    __rmul__ = __mul__

    def __truediv__(self, other):
        o = other if type(other) is Interval else Interval.of(other)
        a, b, c, d = self.lo, self.hi, o.lo, o.hi
        if c.ndim == 0 and c > 0:  # by a positive constant: 2 quotients a side
            return _mk(_down(np.minimum(a / c, a / d)), _up(np.maximum(b / c, b / d)))
        ok = (c > 0) | (d < 0)  # the divisor excludes 0 (NaN ends: False)
        with np.errstate(divide="ignore", invalid="ignore"):
            q1, q2, q3, q4 = a / c, a / d, b / c, b / d
        lo = _down(np.minimum(np.minimum(q1, q2), np.minimum(q3, q4)))
        hi = _up(np.maximum(np.maximum(q1, q2), np.maximum(q3, q4)))
        return _mk(np.where(ok, lo, np.nan), np.where(ok, hi, np.nan))

    def __rtruediv__(self, other):
        return Interval.of(other) / self

    def __pow__(self, k):
        if not isinstance(k, (int, np.integer)) or k < 0:
            raise TypeError("an interval is raised only to a non-negative integer power")
        if k == 2:  # the square is >= 0 even when the interval straddles 0
            sq = self * self
            return Interval(np.where((self.lo <= 0) & (self.hi >= 0), 0.0, np.maximum(sq.lo, 0.0)), sq.hi)
        out = Interval(1.0)
        for _ in range(int(k)):
            out = out * self
        return out


def _mk(lo, hi) -> Interval:
    """An Interval of two ends that are already float64 (numpy results): no conversion."""
    out = object.__new__(Interval)
    out.lo, out.hi = lo, hi
    return out


def sqrt(x: Interval) -> Interval:
    """Enclosure of sqrt over x; NaN ends where x reaches below 0 (sqrt is undefined there)."""
    x = Interval.of(x)
    lo, hi = x.lo, x.hi
    neg = ~(lo >= 0)  # NaN counts as negative
    with np.errstate(invalid="ignore"):
        slo, shi = np.sqrt(lo), np.sqrt(hi)
    slo = np.where(lo == 0, 0.0, np.maximum(_down(slo), 0.0))
    shi = np.where(hi == 0, 0.0, _up(shi))
    return Interval(np.where(neg, np.nan, slo), np.where(neg, np.nan, shi))


def maximum(a, b) -> Interval:
    a, b = Interval.of(a), Interval.of(b)
    return Interval(np.maximum(a.lo, b.lo), np.maximum(a.hi, b.hi))


def minimum(a, b) -> Interval:
    a, b = Interval.of(a), Interval.of(b)
    return Interval(np.minimum(a.lo, b.lo), np.minimum(a.hi, b.hi))


def positive(x: Interval) -> np.ndarray:
    """Lanes where every value of x is > 0 (NaN: False)."""
    return x.lo > 0


def negative(x: Interval) -> np.ndarray:
    """Lanes where every value of x is < 0 (NaN: False)."""
    return x.hi < 0


def contains(X: Interval, Y: Interval) -> np.ndarray:
    """Lanes where Y lies inside X (NaN anywhere: False)."""
    return (X.lo <= Y.lo) & (Y.hi <= X.hi)


class IntervalBackend(Backend):
    """The one optimizer definition on :class:`Interval` numbers, vectorised over lanes (see the module).

    >>> from numerics import adam
    >>> from numerics.intervals import IntervalBackend, Interval
    >>> import numpy as np
    >>> B = IntervalBackend()
    >>> init, update = adam(beta1="0.9", beta2="0.99", schedule="constant").build(B)
    >>> g = Interval(np.array([1.0, -2.0]))          # two lanes, one gradient each
    >>> step, state, _ = update(g, init(B.zeros(2)), 1)
    >>> bool(np.all(step.lo <= step.hi)), step.shape   # m_1 / sqrt(v_1) = 0.1 g / (0.1 |g|) = +-1, enclosed
    (True, (2,))
    >>> bool(step.lo[0] <= 1 <= step.hi[0] and step.lo[1] <= -1 <= step.hi[1])
    True
    """

    name = "interval"
    batched = True

    def num(self, value):
        if isinstance(value, Interval):
            return value
        if isinstance(value, np.ndarray) and value.dtype == object:
            ends = [enclose(v) for v in value.ravel()]
            return Interval(np.array([e[0] for e in ends]).reshape(value.shape),
                            np.array([e[1] for e in ends]).reshape(value.shape))
        if isinstance(value, np.ndarray):
            return Interval.of(value)
        if isinstance(value, (list, tuple)):
            return self.num(np.array(value, dtype=object))
        if isinstance(value, (float, np.floating)):
            return Interval(float(value))
        return Interval(*enclose(value))

    @staticmethod
    def zeros(n: int) -> Interval:
        return Interval(np.zeros(n))

    def zeros_like(self, x):
        return Interval(np.zeros(x.shape if isinstance(x, Interval) else np.shape(x)))

    sqrt = staticmethod(sqrt)
    maximum = staticmethod(maximum)
    minimum = staticmethod(minimum)

    @staticmethod
    def power(x, k):
        if not isinstance(k, (int, np.integer)):
            raise TypeError("IntervalBackend.power takes one integer exponent (not one per lane)")
        return Interval.of(x) ** int(k)

    @staticmethod
    def sign(x):
        x = Interval.of(x)
        lo = np.where(x.lo > 0, 1.0, np.where(x.hi < 0, -1.0, np.where((x.lo == 0) & (x.hi == 0), 0.0, -1.0)))
        hi = np.where(x.hi < 0, -1.0, np.where(x.lo > 0, 1.0, np.where((x.lo == 0) & (x.hi == 0), 0.0, 1.0)))
        nan = np.isnan(x.lo) | np.isnan(x.hi)
        return Interval(np.where(nan, np.nan, lo), np.where(nan, np.nan, hi))

    def clip(self, x, lo, hi):
        return minimum(maximum(x, lo), hi)

    @staticmethod
    def safe_div(a, b):
        """a / b, and exactly 0 in the lanes where b is exactly 0 (arb's safe_div); NaN where b straddles 0."""
        a, b = Interval.of(a), Interval.of(b)
        zero = (b.lo == 0) & (b.hi == 0)
        q = a / Interval(np.where(zero, 1.0, b.lo), np.where(zero, 1.0, b.hi))
        return Interval(np.where(zero, 0.0, q.lo), np.where(zero, 0.0, q.hi))

    def mean_last(self, x):
        raise TypeError("IntervalBackend: one coordinate per lane (no mean over coordinates)")

    def sum_last(self, x):
        raise TypeError("IntervalBackend: one coordinate per lane (no sum over coordinates)")

    def is_zero(self, x):
        raise TypeError("IntervalBackend: no value-dependent branches")

    def to_float(self, x):
        return float((x.lo + x.hi) / 2)

    def to_str(self, x, digits: int = 17) -> str:
        return f"[{float(x.lo)!r}, {float(x.hi)!r}]"

    def describe(self):
        return {"backend": self.name, "dps": None, "prec_bits": 53}


__all__ = ["Interval", "IntervalBackend", "enclose", "sqrt", "maximum", "minimum", "positive", "negative",
           "contains"]
