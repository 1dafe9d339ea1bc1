"""Generic linear online problems on a box F = [lo, hi]^d: f_t(x) = <c_t, x>, so g_t = c_t.

Three kinds (the named families of the paper live in :mod:`analysis.families`):

* :class:`Periodic`  -- c_t = pattern[phase(t, n)]  (phase 0 is the round with t mod n = 1);
* :class:`Bernoulli` -- c_t = high with probability p, else low, i.i.d., from an explicit seed;
* :class:`Explicit`  -- c_t given as an array of shape (T, d) (or (T,) when d = 1).

A problem yields its gradients with ``gradients(B, T, scalar)``: a fresh iterator per run, so two runs
of one problem see the same sequence.  Values are converted exactly to the backend's numbers.
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
    """c_t = pattern[(t - 1) mod n]; pattern entries are scalars (d = 1 or repeated) or d-vectors."""

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
    """c_t given row by row (exact values: ints, Fractions, decimal strings or floats)."""

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
