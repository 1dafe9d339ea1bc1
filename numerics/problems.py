"""Generic linear online problems on a box F = [lo, hi]^d: f_t(x) = <c_t, x>, so g_t = c_t.

Three kinds (the named families of the paper live in :mod:`analysis.families`):

* :class:`Periodic`  -- c_t = pattern[phase(t, n)]  (phase 0 is the round with t mod n = 1);
* :class:`Bernoulli` -- c_t = high with probability p, else low, i.i.d., from an explicit seed;
* :class:`Explicit`  -- c_t given as an array of shape (T, d) (or (T,) when d = 1).

A problem yields its gradients with ``gradients(B, T, scalar)``: a fresh iterator per run, so two runs
of one problem see the same sequence.  Values are converted exactly to the backend's numbers.

One problem whose gradient depends on x, unconstrained: :class:`SmoothTrap1D` (a smooth 1-D function on
which constant-step Adam keeps |f'(x_k)| = 1; RECONSTRUCTED from Toint's 2023 claim), with its own driver
``run`` on the float, mpmath and arb backends.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterator

import numpy as np

from .backends import to_fraction
from .schedules import FIRST_ROUND, phase


def _as_rows(values, d: int | None = None) -> list[tuple[Fraction, ...]]:
    rows = []
    for v in values:
        if isinstance(v, (list, tuple, np.ndarray)):
            rows.append(tuple(to_fraction(u) for u in v))
        else:
            rows.append((to_fraction(v),))
    dim = len(rows[0])
    if any(len(r) != dim for r in rows):
        raise ValueError("all gradient vectors must have the same dimension")
    if d is not None and dim == 1 and d > 1:
        rows = [r * d for r in rows]
    return rows


def _convert(row: tuple[Fraction, ...], B, scalar: bool):
    if scalar:
        return B.num(row[0])
    if B.batched:
        return B.num(np.array([float(q) for q in row]))
    return B.num(list(row))


@dataclass
class LinearProblem:
    """Online linear losses f_t(x) = <c_t, x> on the box F = [lo, hi]^d (the paper's setting, Section 3):
    the base of :class:`Periodic`, :class:`Explicit` and :class:`Bernoulli`.  ``gradients(B, T, scalar)``
    yields c_1, ..., c_T in backend B's numbers; ``describe()`` is the record a result carries.

    >>> from numerics import Periodic
    >>> p = Periodic(pattern=[3, -1, -1])
    >>> p.lo, p.hi, p.d, p.describe()["name"]
    (Fraction(-1, 1), Fraction(1, 1), 1, 'linear')
    """
    lo: Fraction = Fraction(-1)
    hi: Fraction = Fraction(1)
    name: str = "linear"
    params: dict = field(default_factory=dict)

    @property
    def d(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def gradients(self, B, T: int, scalar: bool) -> Iterator[Any]:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> dict:
        return {"name": self.name, "d": self.d, "box": [str(self.lo), str(self.hi)], **self.params}


@dataclass
class Periodic(LinearProblem):
    """c_t = pattern[(t - 1) mod n]; pattern entries are scalars (d = 1 or repeated) or d-vectors.

    >>> from numerics import Periodic, get_backend
    >>> p = Periodic(pattern=[3, -1, -1])         # Theorem 1's sequence with C = 3
    >>> p.n, p.d, p.row(4)                         # round 4 is phase 0 again: c_4 = C
    (3, 1, (Fraction(3, 1),))
    >>> list(p.gradients(get_backend("sympy"), 4, True))
    [3, -1, -1, 3]
    """

    pattern: list = field(default_factory=list)
    dim: int | None = None

    def __post_init__(self):
        self._rows = _as_rows(self.pattern, self.dim)

    @property
    def d(self) -> int:
        return len(self._rows[0])

    @property
    def n(self) -> int:
        return len(self._rows)

    def gradients(self, B, T, scalar):
        conv = [_convert(r, B, scalar) for r in self._rows]
        n = len(conv)
        for t in range(FIRST_ROUND, T + FIRST_ROUND):
            yield conv[phase(t, n)]

    def row(self, t: int) -> tuple[Fraction, ...]:
        return self._rows[phase(t, self.n)]


@dataclass
class Bernoulli(LinearProblem):
    """i.i.d. c_t = high w.p. p, else low, in every coordinate independently; seeded numpy PCG64.

    The coin flips are drawn as float64 uniforms U < p in chunks, in round order, so every backend
    sees the same sequence for the same seed.  ``batch`` > 1 draws independent paths (numpy only).

    >>> from fractions import Fraction
    >>> from numerics import Bernoulli, get_backend
    >>> b = Bernoulli(p=Fraction(1, 2), high=3, low=-1, seed=0)
    >>> c = list(b.gradients(get_backend("sympy"), 1000, True))
    >>> sorted(set(c)), c == list(Bernoulli(p=Fraction(1, 2), high=3, low=-1, seed=0).gradients(
    ...     get_backend("sympy"), 1000, True))      # two values, and the same path for the same seed
    ([-1, 3], True)
    """

    p: Any = Fraction(1, 2)
    high: Any = 1
    low: Any = -1
    seed: int = 0
    dim: int = 1
    batch: int = 1
    chunk: int = 4096

    @property
    def d(self) -> int:
        return self.dim

    def coins(self, T: int) -> Iterator[np.ndarray]:
        """Boolean arrays of shape (batch, d) per round: True where the large value is drawn."""
        rng = np.random.Generator(np.random.PCG64(self.seed))
        p = float(to_fraction(self.p))
        done = 0
        while done < T:
            k = min(self.chunk, T - done)
            block = rng.random((k, self.batch, self.dim)) < p
            for row in block:
                yield row
            done += k

    def gradients(self, B, T, scalar):
        hi, lo = B.num(to_fraction(self.high)), B.num(to_fraction(self.low))
        if scalar:
            for c in self.coins(T):
                yield hi if c[0, 0] else lo
        elif B.batched:
            fh, fl = float(to_fraction(self.high)), float(to_fraction(self.low))
            for c in self.coins(T):
                g = np.where(c, fh, fl)
                yield B.num(g if self.batch > 1 else g[0])
        else:
            if self.batch != 1:
                raise ValueError("batched Bernoulli paths need the numpy backend")
            for c in self.coins(T):
                yield np.array([hi if ci else lo for ci in c[0]], dtype=object)


@dataclass
class Explicit(LinearProblem):
    """c_t given row by row (exact values: ints, Fractions, decimal strings or floats).

    >>> from numerics import Explicit, get_backend
    >>> e = Explicit(values=["1/2", -1, 2])
    >>> e.d, list(e.gradients(get_backend("sympy"), 3, True))
    (1, [1/2, -1, 2])
    """

    values: Any = None

    def __post_init__(self):
        self._rows = _as_rows(list(self.values))

    @property
    def d(self) -> int:
        return len(self._rows[0])

    def gradients(self, B, T, scalar):
        if T > len(self._rows):
            raise ValueError(f"--T {T} exceeds the {len(self._rows)} rounds of the explicit problem")
        for r in self._rows[:T]:
            yield _convert(r, B, scalar)


# ------------------------------------------------------------------------------------------------
@dataclass
class SmoothTrap1D:
    """A smooth 1-D function, unconstrained, whose gradient depends on x: Adam's constant-step trap.

    RECONSTRUCTED from the claim of Toint (2023, arXiv 2308.00720; abstract read, construction not):
    "a very simple unidimensional function with Lipschitz continuous gradient ... such that ADAM with
    constant stepsize, started from the origin, diverges ... irrespective of the choice of the method
    parameters".  The function below is ours, not Toint's printed one.

    Construction.  Feed ``method`` (constant step size; its state must not read x) the gradient -1 at
    every round from x_1 = 0: its iterates are knots 0 = x_1 < x_2 < ... with gaps s_k = x_{k+1} - x_k.
    On [x_k, x_{k+1}] put u = (x - x_k)/s_k and

        f'(x) = -cos(2 pi u),        f(x) = -(s_k / (2 pi)) sin(2 pi u)      (f(x_k) = 0 for every k),

    extended with the gap s_1 left of 0 and the last gap beyond the last knot.  f' is continuous
    (-1 at every knot), |f''| <= 2 pi / min_k s_k (Lipschitz gradient), |f| <= max_k s_k / (2 pi)
    (bounded below).  Since f'(x_k) = -1, the method run on f retraces the knots: x_k -> +infinity
    with |f'(x_k)| = 1 for every k: no convergence to a first-order point.  For the paper's Adam
    (no bias correction) s_k = alpha (1-beta1^k)/sqrt(1-beta2^k) >= alpha (1-beta1).

    ``gradient(x, B)`` runs on the float, mpmath and arb backends (cos in each number system);
    :meth:`run` is the x-dependent driver (the linear problems' :func:`numerics.run` feeds gradients
    that ignore x).  The knots are computed by the method's own update, never a second copy of it.
    """

    method: Any
    K: int = 1000
    name: str = "smooth-trap-1d"

    def __post_init__(self):
        if getattr(self.method.rule, "uses_x", False):
            raise ValueError(f"SmoothTrap1D: method {self.method.name!r} reads x in its step; the knots need a "
                             "method whose state ignores x")
        if int(self.K) < 2:
            raise ValueError(f"SmoothTrap1D: K must be >= 2 (got {self.K})")

    def knots(self, B) -> list:
        """x_1 = 0, ..., x_{K+1}: the method's iterates under g = -1 (in the backend's numbers)."""
        init, update = self.method.build(B)
        x = B.num(0)
        state = init(x)
        g = B.num(-1)
        out = [x]
        for t in range(FIRST_ROUND, self.K + FIRST_ROUND):
            step, state, _ = update(g, state, t)
            x = x - step
            out.append(x)
        return out

    def _cos2pi(self, u, B):
        name = getattr(B, "name", "")
        if name == "arb":
            return (2 * u).cos_pi()
        if name == "mpmath":
            return B.ctx.cospi(2 * u)
        import math

        return math.cos(2 * math.pi * float(u))

    def _piece(self, x, knots):
        """(x_k, s_k) of the piece holding x's midpoint (a ball that straddles a knot: see :meth:`gradient`)."""
        import bisect

        fl = self._float_knots
        xf = float(x.mid()) if hasattr(x, "mid") else float(x)
        k = bisect.bisect_right(fl, xf) - 1
        if k < 0:
            s = knots[1] - knots[0]
            k0 = -(int((fl[0] - xf) / (fl[1] - fl[0])) + 1)
            return knots[0] + k0 * s, s
        if k >= len(knots) - 1:
            s = knots[-1] - knots[-2]
            k0 = int((xf - fl[-1]) / (fl[-1] - fl[-2]))
            return knots[-1] + k0 * s, s
        return knots[k], knots[k + 1] - knots[k]

    def prepare(self, B):
        """Compute the knots once in the backend ``B`` (call before :meth:`gradient`)."""
        self._knots = self.knots(B)
        self._float_knots = [float(k.mid()) if hasattr(k, "mid") else float(k) for k in self._knots]
        gaps = [b - a for a, b in zip(self._knots, self._knots[1:])]
        if getattr(B, "name", "") == "arb":
            lows = [g.lower() for g in gaps]  # exact lower bounds of the gaps: exact comparisons below
            self._s_min = lows[0]
            for g in lows[1:]:
                self._s_min = g if g < self._s_min else self._s_min
        else:
            self._s_min = min(gaps)
        return self._knots

    def gradient(self, x, B):
        """f'(x) in the backend's numbers (the knots must have been prepared in the same backend)."""
        xk, s = self._piece(x, self._knots)
        g = -self._cos2pi((x - xk) / s, B)
        if getattr(B, "name", "") == "arb" and not x.is_exact():
            # a ball of radius r may straddle a knot, where the formula of the other piece holds on part of
            # it: both are -cos(2 pi delta / s) with |delta| <= 2r near the knot, within 4 pi^2 (2r)^2 / s_min^2
            # of each other (1 - cos a <= a^2 / 2), so the enclosure is widened by that much
            arb = B.flint.arb
            err = 16 * arb.pi() ** 2 * x.rad() ** 2 / self._s_min ** 2
            g = g + arb(0, float((err).upper()) * 2 + 1e-300)
        return g

    def value(self, x, B):
        """f(x) = -(s_k / (2 pi)) sin(2 pi u) (0 at every knot)."""
        xk, s = self._piece(x, self._knots)
        u = (x - xk) / s
        name = getattr(B, "name", "")
        if name == "arb":
            return -s * (2 * u).sin_pi() / (2 * B.flint.arb.pi())
        if name == "mpmath":
            return -s * B.ctx.sinpi(2 * u) / (2 * B.ctx.pi)
        import math

        return -float(s) * math.sin(2 * math.pi * float(u)) / (2 * math.pi)

    def lipschitz(self) -> float:
        """2 pi / min gap over the prepared knots: the Lipschitz constant of f' on [x_1 - s_1, infinity)."""
        import math

        gaps = [b - a for a, b in zip(self._float_knots, self._float_knots[1:])]
        return 2 * math.pi / min(gaps)

    def run(self, B, T: int | None = None, x1=0):
        """Run the method on f from x1 (unconstrained): the iterates x_1..x_{T+1} and gradients g_1..g_T."""
        T = self.K if T is None else T
        self.prepare(B)
        init, update = self.method.build(B)
        x = B.num(x1)
        state = init(x)
        xs, gs = [x], []
        for t in range(FIRST_ROUND, T + FIRST_ROUND):
            g = self.gradient(x, B)
            step, state, _ = update(g, state, t)
            x = x - step
            xs.append(x)
            gs.append(g)
        return xs, gs

    def describe(self) -> dict:
        return {"name": self.name, "d": 1, "box": None, "method": self.method.name, "K": self.K,
                "hyper": {k: str(v) for k, v in self.method.hyper.items()}}
