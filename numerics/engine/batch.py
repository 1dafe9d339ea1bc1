"""Run a planned workload through the numba kernels: segments, threads, progress, the result."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from . import layout as LY
from .plan import CHUNK_VALUES, PARALLEL_MIN_LANES, Plan, plan


@dataclass
class BatchResult:
    """Per-trajectory results of :func:`batch` (arrays of length N; checkpoints (K,) and (K, N)).

    >>> import numpy as np
    >>> from numerics import Periodic, adam
    >>> from numerics.engine import batch
    >>> r = batch(adam(beta1=0, beta2=np.array([0.1, 0.5])), Periodic(pattern=[3, -1, -1]), 2,
    ...           checkpoints=(1, 2))                                              # doctest: +NUMBA
    >>> # x_1 = 0 steps past -1 (|step| = 3/sqrt((1-beta2) 9) > 1); R_2 = 3*0 + (-1)(-1) - min_x 2x = 3
    >>> r.x_played.tolist(), r.regret.tolist(), r.cp_x.shape                   # doctest: +NUMBA
    ([-1.0, -1.0], [3.0, 3.0], (2, 2))
    """

    x_T: np.ndarray  # final iterate, after T updates
    x_played: np.ndarray  # the point that played round T (enters R_T)
    regret: np.ndarray
    avg_regret: np.ndarray
    checkpoints: np.ndarray
    cp_x: np.ndarray
    cp_regret: np.ndarray
    engine: str
    T: int
    seconds: float  # wall time of the kernels, compilation excluded
    info: dict = field(default_factory=dict)

    @property
    def N(self) -> int:
        return int(self.x_T.shape[0])

    @property
    def steps_per_s(self) -> float:
        return self.N * self.T / self.seconds if self.seconds > 0 else float("inf")


def final_regret(ST, lo, hi) -> np.ndarray:
    """R_T = loss - min(lo S, hi S), written as numerics.run._best_fixed_loss (same rounding)."""
    s = ST[LY.SUMG]
    a, b = -lo * s, -hi * s
    return ST[LY.LOSS] - (-np.where(a >= b, a, b))


def execute(pl: Plan, threads: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> tuple[str, float, np.ndarray, np.ndarray]:
    """Run rounds 1..T of a plan on the CPU (state in ``pl.ST``); returns (engine, seconds, cpx, cpr)."""
    from . import kernels

    N, T = pl.N, pl.T
    cps = pl.cps
    cpx = np.zeros((cps.shape[0], N))
    cpr = np.zeros((cps.shape[0], N))
    parallel = N >= PARALLEL_MIN_LANES
    nthreads = 1
    if parallel:
        import numba

        nthreads = numba.get_num_threads() if threads is None else int(threads)
        if not 1 <= nthreads <= numba.config.NUMBA_NUM_THREADS:
            raise ValueError(f"threads: must be in [1, {numba.config.NUMBA_NUM_THREADS}] (got {threads})")
    serial = kernels.kernel(pl.rule, False, pl.gmode, ())
    par = kernels.kernel(pl.rule, True, pl.gmode, pl.shared) if parallel else None
    dummy = np.zeros((1, 1))
    if pl.chunk_source is not None:
        seg = max(1, min(T, CHUNK_VALUES // max(N, 1)))
    else:
        seg = max(1, min(T, int(2e8 // max(N, 1))))  # 0.1-1.5 s per progress report on 2 cores
    readouts = sorted(set(int(c) for c in cps) | {T})
    args = (T, pl.lo, pl.hi, pl.P, pl.ST, pl.PH, pl.gtab)
    # compile outside the timed region: calls that run no rounds (one process compiles a driver, another
    # that needs it at the same time waits and loads it from the disk cache)
    with kernels.compile_lock(serial):
        serial(1, 1, *args, dummy, cps, cpx, cpr)
    if par is not None:
        with kernels.compile_lock(par):
            par(1, 1, *args, dummy, cps, cpx, cpr, threads=1)
    t0 = time.perf_counter()
    t = 1
    r = 0  # next read-out round: readouts[r]
    while t <= T:
        t_stop = min(T + 1, t + seg)
        U = pl.chunk_source(t, t_stop) if pl.chunk_source is not None else dummy
        if par is None:
            serial(t, t_stop, *args, U, cps, cpx, cpr)
        else:  # plain rounds in parallel, each read-out round on the serial driver
            a = t
            while a < t_stop:
                while r < len(readouts) and readouts[r] < a:
                    r += 1
                b = min(t_stop, readouts[r]) if r < len(readouts) else t_stop
                if b > a:
                    # the other shares run on the process's kept pool (kernels.worker_pool); every call waits
                    # for its shares
                    par(a, b, *args, U[a - t:] if U is not dummy else dummy, cps, cpx, cpr, threads=nthreads)
                if b < t_stop:
                    serial(b, b + 1, *args, U[b - t:] if U is not dummy else dummy, cps, cpx, cpr)
                    b += 1
                a = b
        t = t_stop
        if progress is not None:
            progress(t - 1, T)
    return ("numba-parallel" if parallel else "numba-serial"), time.perf_counter() - t0, cpx, cpr


def batch(method, problem, T: int, x1=0.0, *, checkpoints: Sequence[int] = (), device: str = "cpu",
          threads: int | None = None, progress: Callable[[int, int], None] | None = None) -> BatchResult:
    """N trajectories of one method for rounds 1..T (see :mod:`numerics.engine`).

    Theorem 1's sequence (C = 3) for two trajectories, beta2 = 1/(1+C^2) = 1/10 (the theorem's: Adam ends at
    the worst point x = +1) and beta2 = 1/2:

    >>> import numpy as np
    >>> from numerics import Periodic, adam
    >>> from numerics.engine import batch
    >>> r = batch(adam(beta1=0, beta2=np.array([0.1, 0.5])), Periodic(pattern=[3, -1, -1]), 999)  # doctest: +NUMBA
    >>> r.engine, (r.x_T > 0.9).tolist()                                                         # doctest: +NUMBA
    ('numba-serial', [True, False])
    """
    if device not in ("cpu", "cuda", "host-c"):
        raise ValueError(f"device: unknown {device!r}; choose cpu, cuda or host-c")
    if getattr(problem, "d", 1) != 1:
        raise ValueError("problem: batch() runs 1-D problems (use simulate() for d > 1)")
    pl = plan(method, problem, T, x1, checkpoints)
    if device != "cpu":
        from .cuda import execute_cuda

        engine, secs, cpx, cpr = execute_cuda(pl, on_host=device == "host-c")
    else:
        engine, secs, cpx, cpr = execute(pl, threads=threads, progress=progress)
    ST = pl.ST
    regret = final_regret(ST, pl.lo, pl.hi)
    return BatchResult(x_T=ST[LY.X].copy(), x_played=ST[LY.XPLAYED].copy(), regret=regret,
                       avg_regret=regret / pl.T, checkpoints=pl.cps, cp_x=cpx, cp_regret=cpr,
                       engine=engine, T=pl.T, seconds=secs,
                       info={"method": method.name, "rule": pl.rule.key, "N": pl.N,
                             "gradients": LY.G_NAMES[pl.gmode]})
