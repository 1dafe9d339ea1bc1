"""Validate a workload and lay it out in the arrays of :mod:`numerics.engine.layout`.

A workload is a method from :func:`numerics.make` (its numbers may be arrays with one value per
trajectory), a problem and a horizon.  Problems shared by every trajectory are the reference ones of
:mod:`numerics.problems` (``Periodic``, ``Bernoulli`` with ``batch`` paths, ``Explicit``); problems with
one set of values per trajectory are the three classes below.  Every number is converted exactly as
``Backend.num`` does (strings and Fractions exactly, then rounded once to float64).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..backends import to_fraction
from ..problems import Bernoulli, Explicit, Periodic
from . import layout as LY

CHUNK_VALUES = 1 << 21  # doubles per chunk of per-lane random numbers / values (16 MB)
#: Below this many trajectories :func:`batch` runs serially (one parallel block would not fill a core).
PARALLEL_MIN_LANES = 64  # below this a batch runs serially (one block would not fill a core anyway)
# rule families whose update compiles (numerics.optimizers); each is checked bit for bit against
# numerics.run in tests/test_engine_equality.py.  Not here: nadam (its mu_t product is a Python float
# conversion numba cannot type) and the rules that read x (decoupled weight decay, adafactor, asgd)
COMPILED_RULES = ("sgd", "adagrad", "adam", "sgdm", "adamax", "adabelief", "yogi", "lion", "signsgd", "adopt",
                  "radam", "adabound", "adadelta", "rprop")


class EngineUnavailable(RuntimeError):
    """The engine cannot run here (numba missing) or was asked for something it does not cover.

    >>> from numerics.engine import EngineUnavailable
    >>> issubclass(EngineUnavailable, RuntimeError)    # simulate() falls back to the reference loop instead
    True
    """


@dataclass(frozen=True)
class PeriodicBatch:
    """g_t = C when (t - 1) mod n == 0, else ``low``, with C, n, low per trajectory (or shared).

    >>> import numpy as np
    >>> from numerics.engine import PeriodicBatch
    >>> PeriodicBatch(C=np.array([3.0, 4.0]), n=3)        # Theorem 1's sequence for C = 3 and C = 4
    PeriodicBatch(C=array([3., 4.]), n=3, low=-1, lo=-1, hi=1)
    """

    C: Any
    n: Any
    low: Any = -1
    lo: Any = -1
    hi: Any = 1


@dataclass(frozen=True)
class BernoulliBatch:
    """g_t = C with probability p, else ``low``, i.i.d.; the coin of trajectory i in round t is
    U[t, i] < p_i, U from ``numpy.random.Generator(PCG64(seed)).random((T, N, 1))`` in round order:
    exactly the stream of ``numerics.Bernoulli(p, C, low, seed, batch=N)``.

    >>> import numpy as np
    >>> from numerics.engine import BernoulliBatch
    >>> b = BernoulliBatch(p=np.array([0.5, 0.25]), C=3, seed=7)    # Theorem 3's coin, two probabilities
    >>> b.low, b.seed, b.p.tolist()
    (-1, 7, [0.5, 0.25])
    """

    p: Any
    C: Any
    low: Any = -1
    seed: int = 0
    lo: Any = -1
    hi: Any = 1


@dataclass(frozen=True)
class ExplicitBatch:
    """g_t given per trajectory: ``values`` of shape (T0, N).

    >>> import numpy as np
    >>> from numerics.engine import ExplicitBatch
    >>> ExplicitBatch(values=np.array([[3.0, 1.0], [-1.0, -1.0]])).values.shape   # (T0, N): 2 rounds, 2 lanes
    (2, 2)
    """

    values: Any
    lo: Any = -1
    hi: Any = 1


def f64(value) -> float:
    """float64 of a number exactly as Backend.num does (strings and Fractions exactly)."""
    if isinstance(value, (float, np.floating)):
        return float(value)
    return float(to_fraction(value))


def lanes_of(value, N: int, name: str) -> np.ndarray:
    """A scalar or N per-trajectory values as a float64 array of length N (ValueError naming it)."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        arr = value.astype(np.float64).ravel()
    elif isinstance(value, (list, tuple, np.ndarray)):
        arr = np.array([f64(v) for v in np.asarray(value, dtype=object).ravel()], dtype=np.float64)
    else:
        arr = np.full(1, f64(value))
    if arr.shape[0] == 1:
        return np.full(N, arr[0])
    if arr.shape[0] != N:
        raise ValueError(f"{name}: expected a scalar or {N} values, got {arr.shape[0]}")
    return arr


def _sizes(values) -> set[int]:
    out = {int(np.size(v)) for v in values if v is not None and np.ndim(v) > 0}
    out.discard(1)
    return out


def why_not_rule(method) -> str | None:
    """Why the engine cannot compile this method's rule, or None."""
    rule = getattr(method, "rule", None)
    if rule is None:
        return f"method {getattr(method, 'name', method)!r} has no rule (not from numerics.optimizers)"
    if getattr(rule, "uses_x", False):
        return f"rule {rule.key[0]!r} reads the iterate x (the compiled step sees only g, state and t)"
    if rule.key[0] not in COMPILED_RULES:
        return f"rule {rule.key[0]!r} is not compiled by the engine"
    if rule.key[0] == "adam" and rule.key[-1] not in (None, "beta2_adamnc"):
        return "a user-defined beta2 schedule is not compiled (it is Python code of the caller)"
    return None


@dataclass
class Plan:
    """Everything a kernel needs for one workload."""

    rule: Any
    gmode: int
    P: np.ndarray
    ST: np.ndarray
    PH: np.ndarray
    gtab: np.ndarray
    cps: np.ndarray
    chunk_source: Callable[[int, int], np.ndarray] | None
    lo: float
    hi: float
    N: int  # lanes
    T: int
    shared: tuple  # per rule number: the same in every lane

    @property
    def layout(self) -> LY.Layout:
        return LY.Layout(self.rule)


def checkpoint_array(checkpoints, T: int) -> np.ndarray:
    cps = sorted({int(c) for c in (checkpoints or ()) if 1 <= int(c) <= T})
    return np.asarray(cps, dtype=np.int64)


def plan(method, problem, T: int, x1=0.0, checkpoints: Sequence[int] = (), ntraj: int | None = None
         ) -> Plan:
    """Lay out ``method`` on ``problem`` for rounds 1..T; one lane per trajectory and coordinate.

    ``x1``: a scalar, one value per trajectory (length ``ntraj``), or for a d-dimensional shared
    problem an (ntraj, d) array flattened trajectory-major (lane = trajectory * d + coordinate)."""
    reason = why_not_rule(method)
    if reason:
        raise EngineUnavailable(reason)
    T = int(T)
    if T < 1:
        raise ValueError(f"T must be >= 1 (got {T})")
    rule = method.rule
    lay = LY.Layout(rule)
    numbers = method.numbers
    d = getattr(problem, "d", 1) if isinstance(problem, (Periodic, Bernoulli, Explicit)) else 1
    x1a = np.asarray(x1, dtype=object)
    batch_vals = []
    if isinstance(problem, PeriodicBatch):
        batch_vals = [problem.C, problem.n, problem.low]
    elif isinstance(problem, BernoulliBatch):
        batch_vals = [problem.p, problem.C, problem.low]
    elif isinstance(problem, ExplicitBatch):
        vals = np.asarray(problem.values, dtype=np.float64 if np.asarray(problem.values).dtype.kind == "f"
                          else object)
        if vals.ndim != 2:
            raise ValueError("values: ExplicitBatch needs an array of shape (T0, N)")
        batch_vals = [np.zeros(vals.shape[1])]
    elif not isinstance(problem, (Periodic, Bernoulli, Explicit)):
        raise EngineUnavailable(f"problem type {type(problem).__name__} is not covered")
    if isinstance(problem, Bernoulli) and problem.batch > 1:
        batch_vals.append(np.zeros(problem.batch))
    sizes = _sizes(list(numbers.values()) + batch_vals + [x1a.ravel() if x1a.ndim else None])
    if ntraj is None:
        if len(sizes) > 1:
            raise ValueError(f"per-trajectory arrays have different lengths {sorted(sizes)}")
        ntraj = sizes.pop() if sizes else 1
        if d > 1 and x1a.ndim == 2:
            ntraj = x1a.shape[0]
    N = ntraj * d
    P = np.zeros((lay.NP, N))
    shared = []
    for f in lay.hyper_fields:
        vals = lanes_of(numbers[f], ntraj, f)
        shared.append(bool(np.all(vals == vals[0])) if N else True)
        P[lay.hyper_row(f)] = np.repeat(vals, d)
    ST = np.zeros((lay.NS, N))
    if x1a.ndim == 2:
        ST[LY.X] = np.array([f64(v) for v in x1a.ravel()])
    elif x1a.ndim == 1 and d > 1 and x1a.shape[0] == d:
        ST[LY.X] = np.tile(np.array([f64(v) for v in x1a]), ntraj)
    else:
        ST[LY.X] = np.repeat(lanes_of(x1, ntraj, "x1"), d)  # not projected: run() starts from x1
    # the rule's initial state, from its own init on float64 (zeros for every method here)
    from ..backends import FloatBackend

    init, _ = rule.make(FloatBackend())
    s0, s1 = init(0.0), init(1.0)
    if tuple(s0) == tuple(s1):
        for f, val in zip(lay.state_fields, s0):
            ST[lay.state_row(f)] = float(val)
    else:
        for k in range(N):
            for f, val in zip(lay.state_fields, init(float(ST[LY.X, k]))):
                ST[lay.state_row(f), k] = float(val)
    PH = np.zeros((LY.NPH, N), dtype=np.int64)
    PH[LY.COLUMN] = np.tile(np.arange(d), ntraj)
    gtab = np.zeros((1, 1))
    chunk_source = None
    lo, hi = f64(problem.lo), f64(problem.hi)
    if lo > hi:
        raise ValueError("lo, hi: need lo <= hi")
    if isinstance(problem, (Periodic, Explicit)):
        rows = problem._rows if isinstance(problem, Periodic) else problem._rows[:T]
        if isinstance(problem, Explicit) and T > len(problem._rows):
            raise ValueError(f"T {T} exceeds the {len(problem._rows)} rounds of the explicit problem")
        gtab = np.array([[float(q) for q in row] for row in rows], dtype=np.float64)
        gmode = LY.G_TABLE1 if d == 1 else LY.G_TABLE
    elif isinstance(problem, Bernoulli):
        gmode = LY.G_COINS
        P[lay.hyper_row("gbig")] = f64(problem.high)
        P[lay.hyper_row("glow")] = f64(problem.low)
        P[lay.hyper_row("prob")] = float(to_fraction(problem.p))
        rng = np.random.Generator(np.random.PCG64(problem.seed))
        if problem.batch not in (1, ntraj):
            raise ValueError(f"Bernoulli batch {problem.batch} for {ntraj} trajectories")
        if problem.batch == 1 and ntraj > 1:
            raise EngineUnavailable("one Bernoulli path shared by many trajectories is not covered")

        def chunk_source(t0, t1, rng=rng, b=problem.batch, d=d):
            return rng.random((t1 - t0, b, d)).reshape(t1 - t0, b * d)
    elif isinstance(problem, PeriodicBatch):
        C = lanes_of(problem.C, N, "C")
        low = lanes_of(problem.low, N, "low")
        nv = np.asarray(problem.n).ravel()
        if np.any(nv != np.round(nv)) or np.any(nv < 1):
            raise ValueError("n: the period must be an integer >= 1")
        nv = np.full(N, int(nv[0]), dtype=np.int64) if nv.size == 1 else nv.astype(np.int64)
        if nv.shape[0] != N:
            raise ValueError(f"n: expected a scalar or {N} values")
        if len(_sizes([problem.C, problem.n, problem.low])) == 0 and N > 1:
            # one period for every trajectory: a shared table (bit-identical values, no phase counters)
            gtab = np.array([[C[0]]] + [[low[0]]] * (int(nv[0]) - 1))
            gmode = LY.G_TABLE1
        else:
            gmode = LY.G_PERIODIC2
            P[lay.hyper_row("gbig")] = C
            P[lay.hyper_row("glow")] = low
            PH[LY.PERIOD] = nv
    elif isinstance(problem, BernoulliBatch):
        gmode = LY.G_COINS
        P[lay.hyper_row("gbig")] = lanes_of(problem.C, N, "C")
        P[lay.hyper_row("glow")] = lanes_of(problem.low, N, "low")
        p = lanes_of(problem.p, N, "p")
        if np.any((p < 0) | (p > 1)):
            raise ValueError("p: a probability in [0, 1]")
        P[lay.hyper_row("prob")] = p
        rng = np.random.Generator(np.random.PCG64(int(problem.seed)))

        def chunk_source(t0, t1, rng=rng, N=N):
            return rng.random((t1 - t0, N, 1)).reshape(t1 - t0, N)
    else:
        vals = np.asarray(problem.values)
        vals = vals.astype(np.float64) if vals.dtype.kind == "f" else \
            np.array([[f64(u) for u in r] for r in vals], dtype=np.float64)
        if vals.shape[0] < T:
            raise ValueError(f"T {T} exceeds the {vals.shape[0]} rounds of the explicit problem")
        if vals.shape[1] != N:
            raise ValueError(f"values: {vals.shape[1]} columns for {N} trajectories")
        gmode = LY.G_VALUES
        vv = np.ascontiguousarray(vals)

        def chunk_source(t0, t1, vv=vv):
            return vv[t0 - 1:t1 - 1]
    return Plan(rule, gmode, P, ST, PH, np.ascontiguousarray(gtab), checkpoint_array(checkpoints, T),
                chunk_source, lo, hi, N, T, tuple(shared))


