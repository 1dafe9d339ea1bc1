"""Reference chunk functions for :func:`numerics.sweep.sweep`, on real workloads of the toolkit.

They live in the top layer because the grid workload is the paper's Section 5 problem, whose constants
have one home below (:data:`analysis.conditions.SECTION5`); numerics, the bottom layer, cannot import it.

They are importable module-level functions (so every executor can pickle them: spawn processes and
Dask workers import them by name) and show the two rules of a sweepable workload: a chunk function
maps a list of items to a list of results of the same length, and any randomness is seeded from the
item, never from the worker or the chunk.  The test suite (tests/test_sweep.py) and
benchmarks/sweep.py use them.

* :func:`adam_grid_chunk`  -- items ``(beta1, beta2)``: Adam (alpha = 0.5/sqrt(t), x_1 = 0) on the
  Section 5 online problem g_t = 1010 when t mod 101 = 1 else -10, F = [-1, 1], for ``GRID_T``
  rounds; result ``(x_T, R_T / T)``.  One ``numerics.engine.batch`` per chunk (the cells of a chunk
  are its lanes).
* :func:`mc_chunk`  -- items ``(seed, path)``: a Theorem-3-like stochastic path, g_t = C with
  probability p else -1 (C = 10, p = 0.11: E g = 0.21 > 0, the minimiser is x = -1, yet Adam with
  beta1 = 0, beta2 = 1/(1 + C^2) drifts to +1); the coins of path ``path`` come from
  ``numpy.random.Generator(PCG64(SeedSequence([seed, path])))``; result ``(x_T, R_T / T)``.
* :func:`warmup` / :func:`warmup_all` -- compile the serial drivers (chunks under
  ``numerics.engine.PARALLEL_MIN_LANES`` lanes) / also the parallel ones, once per worker (each
  driver costs seconds of numba compilation per process).
"""
from __future__ import annotations

import numpy as np

GRID_T = 4000
MC_T = 2000
MC_C, MC_P = 10, 0.11


def adam_grid_chunk(chunk: list, T: int | None = None) -> list:
    from analysis.conditions import SECTION5
    from numerics import Periodic, make
    from numerics.engine import batch

    T = GRID_T if T is None else T
    b1 = np.array([float(c[0]) for c in chunk])
    b2 = np.array([float(c[1]) for c in chunk])
    r = batch(make("adam", beta1=b1, beta2=b2, alpha=0.5), Periodic(pattern=SECTION5.pattern), T, 0.0)
    return [(float(x), float(a)) for x, a in zip(r.x_T, r.avg_regret)]


def mc_coins(seed: int, path: int, T: int) -> np.ndarray:
    """The gradients of one path: its own stream, derived from (seed, path) only."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), int(path)])))
    return np.where(rng.random(T) < MC_P, float(MC_C), -1.0)


def mc_chunk(chunk: list, T: int | None = None) -> list:
    from analysis.conditions import thm1_beta2
    from numerics import make
    from numerics.engine import ExplicitBatch, batch

    T = MC_T if T is None else T
    values = np.stack([mc_coins(s, p, T) for s, p in chunk], axis=1)  # (T, N)
    # Theorem 1's beta2 = 1/(1 + C^2), from its one home (as a float: 1/101 correctly rounded, as before)
    method = make("adam", beta1=0.0, beta2=float(thm1_beta2(MC_C)), alpha=0.5)
    r = batch(method, ExplicitBatch(values), T, 0.0)
    return [(float(x), float(a)) for x, a in zip(r.x_T, r.avg_regret)]


def warmup() -> None:
    """Compile the serial drivers of both workloads in this process."""
    adam_grid_chunk([(0.5, 0.5)], T=3)  # any cell compiles the driver
    mc_chunk([(0, 0)], T=3)


def warmup_all() -> None:
    """Compile the serial and the parallel drivers of both workloads in this process."""
    from numerics.engine import PARALLEL_MIN_LANES

    warmup()
    adam_grid_chunk([(0.5, 0.5)] * PARALLEL_MIN_LANES, T=3)
    mc_chunk([(0, i) for i in range(PARALLEL_MIN_LANES)], T=3)
