"""Theorem 3 (stochastic): Monte Carlo estimate of E[Delta_t] with a confidence interval.

Instance (paper §6 (docs/paper.md)): i.i.d. g_t = C with probability p = (1+delta)/(C+1), else -1; the mean loss is
delta x, so x* = -1.  The paper's lemma: for C large enough, E[Delta_t] >= 0 where
Delta_t = x_{t+1} - x_t = -alpha_t m_t / sqrt(v_t) (no projection, x1 = 0).  Since m_t, v_t do not
depend on x, Delta_t is a function of the coins only.

Estimator (as in the F9 (docs/references.md)): per path i, Y_i = mean over t0 < t <= T of sqrt(t) Delta_t / alpha;
the Y_i are i.i.d., so mean(Y) +- z sd(Y)/sqrt(N) is an asymptotic confidence interval for the mean of
sqrt(t) E[Delta_t]/alpha over the window.  A C is reported as backed when the lower end is > 0.  Also
reported: the mean of x_T over the paths (unprojected), with its interval.

Random numbers and parallel runs.  The paths are cut into blocks of ``BLOCK`` paths (the last one
shorter); block b draws its coins from its own stream, numpy PCG64 seeded by
``SeedSequence(seed, spawn_key=(b,))`` (what ``SeedSequence(seed).spawn(...)[b]`` gives), and the coin of
path i in round t is U < p.  The blocks are the sweep layer's items (:func:`numerics.sweep.sweep`), so
the estimate, bit for bit, does not depend on the executor (in-process, local processes, Dask) nor on
the number of workers: every block is computed alike and the per-path results are reassembled in
block order before any sum.

Example (a small run: 200 paths of 200 rounds), C = 3, delta = 1/10, so p = (1+delta)/(C+1) = 11/40:

    >>> from fractions import Fraction
    >>> from counterexamples.montecarlo import estimate
    >>> e = estimate(0, Fraction(1, 10), 3, Fraction(1, 10), paths=200, T=200, t0=10)
    >>> e["p"], e["window"], e["backed"]                     # E[Delta_t] > 0 with 95% confidence
    ('11/40', [11, 200], True)
"""
from __future__ import annotations

import functools
import math
import time

import numpy as np

from analysis.conditions import thm3_p

from .drift import q

Z95 = 1.959963984540054
# paths per random stream and per unit of parallel work: fixed, because the streams are part of the
# result (changing it changes the coins); 1000 paths x 2000 rounds is ~0.1 s of numpy work
BLOCK = 1000


def block_rng(seed: int, b: int) -> np.random.Generator:
    """The coins of path block ``b`` (see the module docstring)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(b,))))


def _blocks(items: list, *, b1, b2, Cf, p, paths, T, t0, seed, alpha) -> list:
    """Per path block (an item: its index), the per-path Y_i and x_T (module docstring)."""
    from numerics import adam
    from numerics.backends import NumpyBackend

    # the paper's Adam (eq. 1, no bias correction, eps = 0) from numerics, with alpha = 1 and a constant
    # schedule, so that its step is m_t / sqrt(v_t) = Delta_t / alpha_t up to the sign
    init, update = adam(alpha=1, beta1=b1, beta2=b2, eps=0, schedule="constant", variant="paper").build(
        NumpyBackend())
    out = []
    for b in items:
        k = min(BLOCK, paths - b * BLOCK)
        rng = block_rng(seed, b)
        x = np.zeros(k)
        state = init(x)
        acc = np.zeros(k)
        for t in range(1, T + 1):
            g = np.where(rng.random(k) < p, Cf, -1.0)
            mv, state, _ = update(g, state, t)
            step = -mv  # Delta_t / alpha_t = -m_t / sqrt(v_t)
            x += alpha / math.sqrt(t) * step
            if t > t0:
                acc += step  # sqrt(t) Delta_t / alpha = step
        out.append((acc / (T - t0), x))
    return out


def estimate(beta1, beta2, C, delta, paths: int = 20000, T: int = 2000, t0: int = 100, seed: int = 0,
             alpha: float = 1.0, sweep_opts: dict | None = None, progress=None) -> dict:
    """Monte Carlo of sqrt(t) E[Delta_t]/alpha over t0 < t <= T (see module docstring).

    ``sweep_opts``: the executor options of :func:`numerics.sweep.sweep` (default: in-process for small
    runs, local processes when the work is worth it); ``progress(done, total)`` counts path blocks."""
    from numerics.sweep import sweep

    b1, b2, Cf = float(q(beta1)), float(q(beta2)), float(q(C))
    p_exact = thm3_p(C, delta)
    p = float(p_exact)  # the exact p rounded once (the coins: U < p)
    t_start = time.perf_counter()
    nblocks = -(-paths // BLOCK)
    fn = functools.partial(_blocks, b1=b1, b2=b2, Cf=Cf, p=p, paths=paths, T=T, t0=t0, seed=seed, alpha=alpha)
    opts = dict(sweep_opts or {})
    opts.setdefault("chunk_size", 1)
    res = sweep(fn, range(nblocks), progress=progress, **opts)
    Y = np.concatenate([y for y, _ in res])
    xT = np.concatenate([x for _, x in res])
    mean, sd = float(Y.mean()), float(Y.std(ddof=1))
    half = Z95 * sd / math.sqrt(paths)
    xm, xs = float(xT.mean()), float(xT.std(ddof=1))
    return {"C": str(q(C)), "p": str(p_exact), "paths": paths, "T": T, "window": [t0 + 1, T],
            "seed": seed, "rng": f"numpy PCG64, SeedSequence(seed, spawn_key=(block,)), {BLOCK} paths per block",
            "mean_sqrt_t_E_Delta": mean,
            "ci95": [mean - half, mean + half], "E_x_T": xm,
            "E_x_T_ci95": [xm - Z95 * xs / math.sqrt(paths), xm + Z95 * xs / math.sqrt(paths)],
            "backed": bool(mean - half > 0), "seconds": round(time.perf_counter() - t_start, 3)}


def search_C(beta1, beta2, delta, candidates=(10, 30, 100, 300, 1000, 3000, 10000), **kw) -> dict:
    """The first candidate C (increasing) whose 95% interval for sqrt(t) E[Delta_t] is above 0."""
    tried = []
    for C in candidates:
        r = estimate(beta1, beta2, C, delta, **kw)
        tried.append(r)
        if r["backed"]:
            return {"C": C, "result": r, "tried": tried}
    return {"C": None, "result": None, "tried": tried}
