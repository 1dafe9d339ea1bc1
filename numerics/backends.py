"""Number systems on which the one optimizer definition runs.

A backend is a tiny adapter: ``num`` (exact conversion of a hyper-parameter or a gradient value),
``sqrt``, ``power`` (x ** t for a round index t), ``maximum``, ``minimum``, ``sign``, ``mean_last``
(the mean over the coordinates, kept broadcastable: Adafactor's RMS), ``clip``, ``safe_div``, ``zeros_like``,
``jit`` (identity here; the engine's compiled backend compiles the helper) and read-outs.  The optimizer code in
:mod:`numerics.optimizers` uses only these and ordinary ``+ - * / **``, so the same definition runs on

* ``numpy``  -- float64 arrays, batched over trajectories (shape ``(N, d)``);
* ``mpmath`` -- an independent ``mpmath.MPContext`` at a chosen number of digits (no global state);
* ``arb``    -- python-flint balls; every result encloses the exact real value;
* ``sympy``  -- exact rationals and symbols, used by :mod:`analysis` to derive Gamma_t;
* ``cupy``   -- float64 on a GPU, only when CuPy is importable *and* a device answers (an
  :class:`ArrayAPIBackend`, which also runs on any array-API namespace such as ``array_api_strict``).

Scalar backends (mpmath, arb, sympy) accept Python scalars or numpy object arrays (for d > 1).
"""
from __future__ import annotations

import contextlib
import math
from fractions import Fraction
from typing import Any

import numpy as np


class BackendUnavailable(RuntimeError):
    """Raised when a backend the user asked for cannot run here (e.g. CuPy without a GPU).

    >>> from numerics import BackendUnavailable
    >>> issubclass(BackendUnavailable, RuntimeError)   # catch it to fall back to the CPU backends
    True
    """


def to_fraction(value: Any) -> Fraction:
    """Exact rational of a CLI string ("0.9" -> 9/10), int, Fraction or float (exact binary value).

    >>> from numerics import to_fraction
    >>> to_fraction("0.9"), to_fraction("1/3"), to_fraction(3)      # decimal text is exact: 9/10
    (Fraction(9, 10), Fraction(1, 3), Fraction(3, 1))
    >>> to_fraction(0.1) == to_fraction("0.1")                      # the float 0.1 is 3602879701896397/2^55
    False
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    if isinstance(value, str):
        return Fraction(value.strip())
    if isinstance(value, (float, np.floating)):
        return Fraction(float(value))
    try:  # sympy Rational
        import sympy

        if isinstance(value, sympy.Rational):
            return Fraction(int(value.p), int(value.q))
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"cannot convert {value!r} to an exact rational")


class Backend:
    """A number system for the one optimizer definition: the helpers the update rules use (``num``, ``sqrt``,
    ``power``, ``maximum``, ``minimum``, ``sign``, ``clip``, ``safe_div``, ...) and read-outs (``to_float``,
    ``to_str``, ``describe``).  Get one with :func:`get_backend`; see the module docstring for the list.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")
    >>> B.maximum(B.num("1/3"), B.num("0.3")), B.safe_div(B.num(1), B.num(0)), B.power(B.num("1/2"), 3)
    (1/3, 0, 1/8)
    >>> get_backend("mpmath", dps=30).describe()
    {'backend': 'mpmath', 'dps': 30}
    """
    name = "abstract"
    batched = False  # True when arrays of shape (N, d) are native

    # --- conversions -------------------------------------------------------------------------
    def num(self, value):
        raise NotImplementedError

    def to_float(self, x) -> float:
        return float(x)

    def to_str(self, x, digits: int = 30) -> str:
        return repr(self.to_float(x))

    # --- elementary operations ---------------------------------------------------------------
    def sqrt(self, x):
        raise NotImplementedError

    @staticmethod
    def power(x, k: int):
        """x ** k for an integer round index k (float64: libm pow, as Python computes it)."""
        return x ** k

    def maximum(self, a, b):
        raise NotImplementedError

    def minimum(self, a, b):
        """min(a, b) as -max(-a, -b): negation is exact in every number system, so one helper suffices."""
        return -self.maximum(-a, -b)

    def sign(self, x):
        """-1, 0 or +1 (signSGD, Lion, Rprop, Yogi); a ball that straddles 0 gives the ball [-1, 1]."""
        raise NotImplementedError

    def mean_last(self, x):
        """Mean over the coordinates (last axis), broadcastable against x; identity on scalars."""
        if isinstance(x, np.ndarray):
            if x.ndim == 1:
                return x.sum() / self.num(x.shape[0])
            return x.sum(axis=-1, keepdims=True) / self.num(x.shape[-1])
        return x

    def clip(self, x, lo, hi):
        raise NotImplementedError

    def safe_div(self, a, b):
        """a / b, with 0 where b == 0 (then a == 0 too for every method here: no gradient yet)."""
        raise NotImplementedError

    def is_zero(self, x) -> bool:
        return x == 0

    def sum_last(self, x):
        """Sum over coordinates (last axis); identity on scalars."""
        if isinstance(x, np.ndarray):
            return x.sum(axis=-1)
        return x

    def zeros_like(self, x):
        if isinstance(x, np.ndarray):
            out = np.empty(x.shape, dtype=object)
            out.fill(self.num(0))
            return out
        return self.num(0)

    @staticmethod
    def jit(f):
        """Helpers of a rule pass through here; the engine's numba backend compiles them."""
        return f

    def describe(self) -> dict:
        return {"backend": self.name, "dps": None}


def _lift1(f):
    """Apply a scalar function elementwise to object arrays, directly to scalars."""
    vf = np.frompyfunc(f, 1, 1)

    def g(x):
        return vf(x) if isinstance(x, np.ndarray) else f(x)

    return g


def _lift2(f):
    vf = np.frompyfunc(f, 2, 1)

    def g(a, b):
        return vf(a, b) if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) else f(a, b)

    return g


#: The elementwise lifts under public names: a backend derived from another one (e.g. the invariant-box arb
#: of counterexamples.drift.general) builds its helpers with them.
lift1, lift2 = _lift1, _lift2


# ------------------------------------------------------------------------------------------------
class NumpyBackend(Backend):
    """float64, batched: x has shape (N, d); hyper-parameters may be arrays of shape (N, 1)."""

    name = "numpy"
    batched = True
    xp = np

    def num(self, value):
        if isinstance(value, np.ndarray):
            return value.astype(np.float64)
        if isinstance(value, (list, tuple)):
            return np.asarray([float(to_fraction(v)) for v in value], dtype=np.float64)
        if isinstance(value, str):
            return float(Fraction(value))
        return float(value)

    def sqrt(self, x):
        return np.sqrt(x)

    def maximum(self, a, b):
        return np.maximum(a, b)

    def minimum(self, a, b):
        return np.minimum(a, b)

    def sign(self, x):
        return np.sign(x)

    def mean_last(self, x):
        if isinstance(x, np.ndarray) and x.ndim >= 1:
            return x.mean(axis=-1, keepdims=True)
        return x

    def clip(self, x, lo, hi):
        return np.clip(x, lo, hi)

    def safe_div(self, a, b):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:  # broadcast_arrays costs more than the division on small arrays: only when needed
            a, b = np.broadcast_arrays(a, b)
        out = np.zeros(a.shape)
        np.divide(a, b, out=out, where=(b != 0))
        return out

    def is_zero(self, x):
        return bool(np.all(np.asarray(x) == 0))

    def zeros_like(self, x):
        return np.zeros(np.shape(x))

    def to_float(self, x):
        return float(x)


class ArrayAPIBackend(NumpyBackend):
    """float64 arrays of any array-API namespace on one device: CuPy on a GPU, ``array_api_strict``
    (with its fake devices) in the CPU tests.  The reference definitions run here unchanged, one
    array operation per term, so a GPU needs no kernel of its own.  Every array is created on
    ``device``; Python scalars (step sizes, hyper-parameters given as scalars) stay Python floats."""

    batched = True
    arrays_only = True  # numerics.run never takes the scalar fast path on this backend

    def __init__(self, xp, device=None, name: str | None = None):
        self.xp = xp
        self.device = device
        self.name = name or getattr(xp, "__name__", "array-api")

    def _is_array(self, x) -> bool:
        return not isinstance(x, (int, float))

    def num(self, value):
        v = NumpyBackend.num(self, value)
        if isinstance(v, np.ndarray):
            v = np.ascontiguousarray(v)
            return self.xp.asarray(v) if self.device is None else self.xp.asarray(v, device=self.device)
        return v

    def sqrt(self, x):
        return self.xp.sqrt(x) if self._is_array(x) else math.sqrt(x)

    def maximum(self, a, b):
        if not (self._is_array(a) or self._is_array(b)):
            return a if a >= b else b
        return self.xp.where(a >= b, a, b) if self._is_array(a) and self._is_array(b) else \
            self.xp.maximum(a if self._is_array(a) else self.zeros_like(b) + a,
                            b if self._is_array(b) else self.zeros_like(a) + b)

    def minimum(self, a, b):
        return -self.maximum(-a, -b)

    def sign(self, x):
        if not self._is_array(x):
            return float((x > 0) - (x < 0))
        return self.xp.sign(x)

    def mean_last(self, x):
        return self.xp.mean(x, axis=-1, keepdims=True) if self._is_array(x) else x

    def clip(self, x, lo, hi):
        xp = self.xp
        return xp.where(x < lo, lo, xp.where(x > hi, hi, x))

    def safe_div(self, a, b):
        if not (self._is_array(a) or self._is_array(b)):
            return 0.0 if b == 0 else a / b
        xp = self.xp
        if not self._is_array(b):
            b = self.zeros_like(a) + b
        nz = b != 0.0
        return xp.where(nz, a / xp.where(nz, b, 1.0), 0.0)

    def is_zero(self, x):
        return bool(self.xp.all(x == 0)) if self._is_array(x) else x == 0

    def sum_last(self, x):
        return self.xp.sum(x, axis=-1) if self._is_array(x) else x

    def zeros_like(self, x):
        shape = tuple(x.shape) if self._is_array(x) else ()
        if self.device is None:
            return self.xp.zeros(shape, dtype=self.xp.float64)
        return self.xp.zeros(shape, dtype=self.xp.float64, device=self.device)

    def to_float(self, x):
        return float(x)

    def describe(self):
        return {"backend": self.name, "dps": None, "device": str(self.device)}


class CupyBackend(ArrayAPIBackend):
    """float64 on a GPU.  Constructed only when CuPy imports and a device answers."""

    name = "cupy"

    def __init__(self):
        try:
            import cupy as cp
        except ImportError as exc:
            raise BackendUnavailable(
                "--backend cupy: CuPy is not installed (pip install 'adam-beyond[gpu]')") from exc
        try:
            ok = bool(cp.is_available())
            if ok:
                cp.zeros(1)
        except RuntimeError as exc:  # CUDARuntimeError subclasses RuntimeError
            raise BackendUnavailable(f"--backend cupy: no usable GPU ({exc})") from exc
        if not ok:
            raise BackendUnavailable("--backend cupy: CuPy is installed but no GPU is available")
        super().__init__(cp, None, "cupy")


class FloatBackend(Backend):
    """IEEE float64 on Python scalars: the numpy backend's fast path for one 1-D trajectory.

    Python floats and numpy float64 are the same IEEE double and ``math.sqrt`` is correctly rounded,
    so results are bit-identical to the numpy backend; only the per-step overhead differs.
    """

    name = "numpy"

    def num(self, value):
        if isinstance(value, str):
            return float(Fraction(value))
        return float(value)

    sqrt = staticmethod(math.sqrt)

    @staticmethod
    def maximum(a, b):
        return a if a >= b else b

    @staticmethod
    def minimum(a, b):
        return a if a <= b else b

    @staticmethod
    def sign(x):
        return float((x > 0) - (x < 0))

    @staticmethod
    def mean_last(x):
        return x

    @staticmethod
    def sum_last(x):
        """Identity: one coordinate (run's per-round loss <g, x> calls this; no isinstance test per round)."""
        return x

    @staticmethod
    def clip(x, lo, hi):
        return lo if x < lo else (hi if x > hi else x)

    @staticmethod
    def safe_div(a, b):
        return 0.0 if b == 0 else a / b

    def zeros_like(self, x):
        return 0.0


# ------------------------------------------------------------------------------------------------
def _array_refusing_npconvert(ctx) -> None:
    """Let ``mpf (op) object array`` go to numpy at once, in this private context only.

    ``s * arr`` with an mpf ``s`` on the left (``bt1 * state.m`` in the Adam family) calls ``mpf.__mul__``
    first; mpmath tries ``ctx.convert(arr)``, which hands numpy objects to ``ctx.npconvert``, which raises
    ``TypeError("cannot create mpf from " + repr(arr))`` -- formatting every element of the array at full
    precision -- before the operator returns NotImplemented and numpy's ``arr.__rmul__`` computes the same
    elementwise products.  The formatting was about 6x the cost of the products themselves (200 products of
    50 elements: 0.19 s against 0.03 s).  Refusing arrays with a message that does not format them leaves the
    route (and so every result, bit for bit) unchanged and drops the formatting.  Numpy *scalars* still go to
    mpmath's own converter.  The same happens for ``+ - / ** % ==`` (mpmath's generated binary operators share
    the path); comparisons use another converter that never formats.
    """
    if getattr(ctx, "_ab_array_refusing", False):
        return
    original = ctx.npconvert

    def npconvert(x):
        if isinstance(x, np.ndarray):
            raise TypeError("cannot create mpf from a numpy array")  # no repr(x): see above
        return original(x)

    ctx.npconvert = npconvert
    ctx._ab_array_refusing = True


class MpmathBackend(Backend):
    """mpmath at ``dps`` significant digits, in a private context (the global mp is untouched)."""

    name = "mpmath"

    def __init__(self, dps: int = 50):
        import mpmath

        self.ctx = mpmath.MPContext()
        self.ctx.dps = int(dps)
        self.dps = int(dps)
        ctx = self.ctx
        _array_refusing_npconvert(ctx)
        self.sqrt = _lift1(ctx.sqrt)
        self.maximum = _lift2(lambda a, b: a if a >= b else b)
        self.minimum = _lift2(lambda a, b: a if a <= b else b)
        self.sign = _lift1(lambda a: ctx.mpf((a > 0) - (a < 0)))
        self._clip = lambda x, lo, hi: lo if x < lo else (hi if x > hi else x)
        self.safe_div = _lift2(lambda a, b: ctx.mpf(0) if b == 0 else a / b)

    def num(self, value):
        if isinstance(value, np.ndarray):
            return np.frompyfunc(self.num, 1, 1)(value)
        if isinstance(value, (list, tuple)):
            return np.array([self.num(v) for v in value], dtype=object)
        if isinstance(value, self.ctx.mpf):
            return value
        if type(value) is int:  # a round index t (alpha_t = alpha/sqrt(t)): mpf(n) rounds n once, as mpf(n)/1 did
            return self.ctx.mpf(value)
        q = to_fraction(value)
        return self.ctx.mpf(q.numerator) / q.denominator

    def clip(self, x, lo, hi):
        if isinstance(x, np.ndarray):
            return np.frompyfunc(lambda a: self._clip(a, lo, hi), 1, 1)(x)
        return self._clip(x, lo, hi)

    def to_float(self, x):
        return float(x)

    def to_str(self, x, digits: int = 30) -> str:
        return self.ctx.nstr(x, min(digits, self.dps))

    def describe(self):
        return {"backend": self.name, "dps": self.dps}


class ArbBackend(Backend):
    """python-flint ``arb`` balls at ``prec`` bits: each number encloses the exact real value.

    flint's precision is a global; :meth:`precision` is a context manager that sets and restores it.
    """

    name = "arb"

    def __init__(self, prec: int = 128):
        import flint

        self.flint = flint
        self.prec = int(prec)
        self.sqrt = _lift1(lambda x: x.sqrt())
        self.maximum = _lift2(lambda a, b: a.max(b))
        self.minimum = _lift2(lambda a, b: a.min(b))
        self.sign = _lift1(self._sign)
        self.safe_div = _lift2(lambda a, b: flint.arb(0) if b.is_zero() else a / b)

    def _sign(self, a):
        """Rigorous sign of a ball: +-1 or 0 when decided, else the ball [-1, 1] (the enclosure of every
        possible value), so an undecided sign widens what follows instead of picking a side."""
        arb = self.flint.arb
        if a > 0:
            return arb(1)
        if a < 0:
            return arb(-1)
        if a.is_zero():
            return arb(0)
        return arb(0, 1)

    @contextlib.contextmanager
    def precision(self):
        old, self.flint.ctx.prec = self.flint.ctx.prec, self.prec
        try:
            yield
        finally:
            self.flint.ctx.prec = old

    def num(self, value):
        arb = self.flint.arb
        if isinstance(value, np.ndarray):
            return np.frompyfunc(self.num, 1, 1)(value)
        if isinstance(value, (list, tuple)):
            return np.array([self.num(v) for v in value], dtype=object)
        if isinstance(value, arb):
            return value
        q = to_fraction(value)
        return arb(q.numerator) / q.denominator

    def clip(self, x, lo, hi):
        f = lambda a: a.max(lo).min(hi)  # rigorous min/max of balls
        if isinstance(x, np.ndarray):
            return np.frompyfunc(f, 1, 1)(x)
        return f(x)

    def is_zero(self, x):
        return bool(x.is_zero())

    def to_float(self, x):
        return float(x.mid())

    def to_str(self, x, digits: int = 30) -> str:
        return x.str(digits, radius=False)

    def describe(self):
        return {"backend": self.name, "dps": int(self.prec * math.log10(2)), "prec_bits": self.prec}


class SympyBackend(Backend):
    """Exact rationals, algebraic numbers and symbols.  Max and clip stay symbolic when undecided."""

    name = "sympy"

    def __init__(self):
        import sympy

        self.sp = sympy
        self.sqrt = _lift1(sympy.sqrt)
        self.maximum = _lift2(sympy.Max)
        self.minimum = _lift2(sympy.Min)
        self.sign = _lift1(sympy.sign)
        self.safe_div = _lift2(lambda a, b: sympy.Integer(0) if b == 0 else a / b)

    def num(self, value):
        sp = self.sp
        if isinstance(value, np.ndarray):
            return np.frompyfunc(self.num, 1, 1)(value)
        if isinstance(value, (list, tuple)):
            return np.array([self.num(v) for v in value], dtype=object)
        if isinstance(value, sp.Basic):
            return value
        if isinstance(value, str):
            return sp.Rational(value)
        q = to_fraction(value)
        return sp.Rational(q.numerator, q.denominator)

    def clip(self, x, lo, hi):
        f = lambda a: self.sp.Min(self.sp.Max(a, lo), hi)
        if isinstance(x, np.ndarray):
            return np.frompyfunc(f, 1, 1)(x)
        return f(x)

    def to_float(self, x):
        return float(self.sp.N(x, 20))

    def to_str(self, x, digits: int = 30) -> str:
        return str(self.sp.N(x, digits))


#: The names :func:`get_backend` takes: float64 arrays, mpmath digits, arb balls, exact SymPy, CuPy.
BACKENDS = ("numpy", "mpmath", "arb", "sympy", "cupy")


def get_backend(name: str, dps: int = 50) -> Backend:
    """Backend by name; ``dps`` is decimal digits for mpmath and arb (arb gets ceil(dps*log2 10)+8 bits).

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")
    >>> B.sqrt(B.num("1/4")), B.num("0.99")           # exact
    (1/2, 99/100)
    >>> print(get_backend("mpmath", dps=20).sqrt(2))  # 20 significant digits
    1.4142135623730950488
    >>> A = get_backend("arb", dps=20)
    >>> A.sqrt(A.num(2)).contains(A.num("1.41421356237309504880"))   # a ball that encloses sqrt(2)
    True
    """
    if name == "numpy":
        return NumpyBackend()
    if name == "mpmath":
        return MpmathBackend(dps)
    if name == "arb":
        return ArbBackend(int(math.ceil(dps * math.log2(10))) + 8)
    if name == "sympy":
        return SympyBackend()
    if name == "cupy":
        return CupyBackend()
    raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
