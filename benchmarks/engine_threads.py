"""The engine's parallel driver (a nogil loop over blocks run by Python threads) against the numba-parfor
driver it replaced (``prange`` over the blocks), in one process.

The baseline is the former template, kept HERE ON PURPOSE (the library keeps one driver): the same
per-block body, with ``prange(nblk)`` over every block and ``@njit(parallel=True, cache=True)``, built
through the engine's own generated-module path (same step module, same constants), so the two differ
only in how the blocks are spread over threads (and how a block's lanes are copied in and out).  Workload: the batch of ``benchmarks/run.py`` (AMSGrad,
paper variant, alpha = 0.5, a grid of (beta1, beta2), the Section 5 problem) at N = 1e4, 1e5, 1e6 lanes,
T chosen so that a run is about 0.2-2 s; ``engine.batch`` runs both (read-out rounds on the serial
driver, as always) with the parallel driver swapped.  Both are warmed first; the runs alternate
(old, new, old, new, ...) ``--repeat`` times; the medians of the kernels' wall time (``r.seconds``)
and of the process CPU time are printed as steps per second and per CPU-second, with new/old ratios.
Each run's CPU time includes SETTLE_S seconds of idling after it: numba's OpenMP threads (the baseline's
threading layer here) spin about 10 ms of CPU after each parallel region; without the pause that spin
ran on a core the next run needed and was charged to it (to the new driver, half the time).
The results of old and new are checked to be the same bits.

``--compile`` instead times, in fresh child processes with empty kernel caches, the cold compile
(process CPU seconds of the first 70-lane batch: the parallel driver, its serial driver and the step)
of three rules under each driver.

Usage: python benchmarks/engine_threads.py [--repeat K] [--threads K] [--quick] [--compile]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The parallel driver before the nogil runner (numerics/engine/kernels.py, commit 64173df), the baseline: its
# prange over the blocks and slice copies, around the engine's own rounds of a block (kernels.PARALLEL_ROUNDS),
# so that the two drivers differ only in how the blocks reach threads and how a block's lanes are copied.
OLD_PARALLEL_HEAD = '''
def kernel(t_start, t_stop, T, lo, hi, P, ST, PH, gtab, U, cps, cpx, cpr):
    # plain rounds only: the runner gives read-out rounds (checkpoints, T) to the serial driver
    N = ST.shape[1]
    L = gtab.shape[0]
    nblk = (N + BLOCK - 1) // BLOCK
    {shared_loads}
    for blk in prange(nblk):
        i0 = blk * BLOCK
        nb = min(BLOCK, N - i0)
        x = ST[X, i0:i0 + nb].copy()
        loss = ST[LOSS, i0:i0 + nb].copy()
        s = ST[SUMG, i0:i0 + nb].copy()
        {state_arrays}
        {lane_arrays}
        {grad_init}
'''

OLD_PARALLEL_TAIL = '''        ST[X, i0:i0 + nb] = x
        ST[LOSS, i0:i0 + nb] = loss
        ST[SUMG, i0:i0 + nb] = s
        {store_state_par}
        {grad_store}
'''


OLD_GRAD_PAR = {  # the parfor driver's gradient sources (same commit)
    "G_PERIODIC2": ("gb = P[R_GBIG, i0:i0 + nb].copy()\n        gl = P[R_GLOW, i0:i0 + nb].copy()\n"
                    "        ph = PH[PHASE, i0:i0 + nb].copy()\n        nn = PH[PERIOD, i0:i0 + nb].copy()",
                    "",
                    "g = gb[j] if ph[j] == 0 else gl[j]\n{ind}p1 = ph[j] + 1\n{ind}ph[j] = 0 if p1 == nn[j] else p1",
                    "PH[PHASE, i0:i0 + nb] = ph"),
    "G_TABLE": ("col = PH[COLUMN, i0:i0 + nb].copy()", "r = (t - 1) % L", "g = gtab[r, col[j]]", ""),
    "G_TABLE1": ("", "gt = gtab[(t - 1) % L, 0]", "g = gt", ""),
    "G_COINS": ("gb = P[R_GBIG, i0:i0 + nb].copy()\n        gl = P[R_GLOW, i0:i0 + nb].copy()\n"
                "        pr = P[R_PROB, i0:i0 + nb].copy()", "",
                "g = gb[j] if U[t - t_start, i0 + j] < pr[j] else gl[j]", ""),
    "G_VALUES": ("", "", "g = U[t - t_start, i0 + j]", ""),
}


def old_source(rule, gmode, shared) -> str:
    """The parfor driver's source (kernels.kernel_source's parallel branch as it was)."""
    from numerics.engine import layout as LY

    from numerics.engine.kernels import PARALLEL_ROUNDS

    lay = LY.Layout(rule)
    sf, hf = lay.state_fields, lay.hyper_fields
    init, rnd, lane, store = next(v for k, v in OLD_GRAD_PAR.items() if getattr(LY, k) == gmode)
    shared_loads = [f"h_{f} = P[{lay.hyper_row(f)}, 0]" for f, sh in zip(hf, shared) if sh]
    lane_arrays = [f"h_{f} = P[{lay.hyper_row(f)}, i0:i0 + nb].copy()" for f, sh in zip(hf, shared) if not sh]
    return (OLD_PARALLEL_HEAD + PARALLEL_ROUNDS + OLD_PARALLEL_TAIL).format(
        shared_loads="\n    ".join(shared_loads) or "pass",
        state_arrays="\n        ".join(f"s_{f} = ST[{lay.state_row(f)}, i0:i0 + nb].copy()" for f in sf) or "pass",
        lane_arrays="\n        ".join(lane_arrays) or "pass",
        grad_init=init or "pass",
        grad_round=rnd or "pass",
        grad_lane=lane.replace("{ind}", " " * 16),
        hyper_j=", ".join(f"h_{f}" if sh else f"h_{f}[j]" for f, sh in zip(hf, shared)),
        state_j=", ".join(f"s_{f}[j]" for f in sf),
        unpack_j="\n                ".join(f"s_{f}[j] = st[{k}]" for k, f in enumerate(sf)) or "pass",
        store_state_par="\n        ".join(f"ST[{lay.state_row(f)}, i0:i0 + nb] = s_{f}" for f in sf) or "pass",
        grad_store=store or "pass")


class OldParfor:
    """The parfor driver, called as engine.batch calls the parallel driver (threads through numba)."""

    def __init__(self, f):
        self.f = f

    def __getattr__(self, name):
        if name == "f":
            raise AttributeError(name)
        return getattr(self.f, name)

    def __call__(self, *args, threads=None, pool=None):
        import numba

        if threads is None:
            return self.f(*args)
        old = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            return self.f(*args)
        finally:
            numba.set_num_threads(old)


def old_kernel(rule, gmode, shared):
    """The parfor driver of (rule, gradient source, sharing), through the engine's generated-module path."""
    from numerics.engine import kernels, source

    load = source.load_module
    source.load_module = lambda text: load(text.replace("@njit(nogil=True, cache=True)",
                                                        "from numba import prange\n@njit(parallel=True, cache=True)"))
    try:
        mod = kernels.cached_module(rule, True, old_source(rule, gmode, shared))
    finally:
        source.load_module = load
    return OldParfor(mod.kernel)


SETTLE_S = 0.05  # idle seconds after each timed batch (inside its CPU window, outside its wall time)


def _workload(N):
    import numpy as np

    from analysis.conditions import SECTION5
    from numerics import Periodic, make

    side = int(round(N ** 0.5))
    b1, b2 = np.meshgrid(np.linspace(0.0, 0.99, side), np.linspace(0.9, 0.999, N // side + 1))
    b1, b2 = b1.ravel()[:N], b2.ravel()[:N]
    return make("amsgrad", alpha=0.5, beta1=b1, beta2=b2), Periodic(pattern=SECTION5.pattern), np.zeros(N)


def speed(args) -> int:
    import numpy as np

    from numerics.engine import batch, kernels
    from numerics.engine.plan import plan

    cases = [(10_000, 2_000), (100_000, 200), (1_000_000, 20)] if not args.quick else [(2_000, 200)]
    scale = args.scale
    rows, failed = [], False
    for N, T in cases:
        T = max(2, int(T * scale))
        meth, prob, x0 = _workload(N)
        pl = plan(meth, prob, T, x0, ())
        old = old_kernel(pl.rule, pl.gmode, pl.shared)
        real = kernels.kernel

        def run(which):
            if which == "old":
                kernels.kernel = lambda r, par, g, sh: old if par else real(r, par, g, sh)
            try:
                c0 = time.process_time()
                r = batch(meth, prob, T, x0, threads=args.threads)
                # the CPU window includes a short idle time after the batch: numba's OpenMP threads (the
                # baseline's) spin about 10 ms after each parallel region, on a core the next run then lacks;
                # counted to the run that caused it, and the next run (either driver) starts on idle cores
                time.sleep(SETTLE_S)
                return r, time.process_time() - c0
            finally:
                kernels.kernel = real

        res = {"old": run("old"), "new": run("new")}  # warm (compiles both)
        walls = {"old": [], "new": []}
        cpus = {"old": [], "new": []}
        for _ in range(args.repeat):
            for which in ("old", "new"):
                r, c = run(which)
                res[which] = (r, c)
                walls[which].append(r.seconds)
                cpus[which].append(c)
        ro, rn = res["old"][0], res["new"][0]
        same = all(np.array_equal(getattr(ro, a), getattr(rn, a)) for a in ("x_T", "x_played", "regret"))
        failed |= not same or rn.engine != "numba-parallel"
        steps = N * T
        w = {k: statistics.median(v) for k, v in walls.items()}
        c = {k: statistics.median(v) for k, v in cpus.items()}
        rows.append(f"N={N:>8} T={T:>6}  wall: old {steps / w['old']:.3g} new {steps / w['new']:.3g} steps/s "
                    f"(new/old {w['old'] / w['new']:.3f})  per CPU-s: old {steps / c['old']:.3g} "
                    f"new {steps / c['new']:.3g} (new/old {c['old'] / c['new']:.3f})  same bits: {same}")
        print(rows[-1], flush=True)
    import numba

    print(f"threads {args.threads}, repeat {args.repeat} (medians, runs interleaved), baseline's threading layer "
          f"{numba.threading_layer()}, load average "
          f"{' '.join(open('/proc/loadavg').read().split()[:3])}")
    return 1 if failed else 0


_CHILD = """
import sys, time
import numpy as np
sys.path.insert(0, {root!r})
sys.path.insert(0, {tests!r})
mode = sys.argv[1]
from numerics.engine import kernels
if mode == "old":
    sys.path.insert(0, {bench!r})
    import engine_threads as E
    real = kernels.kernel
    kernels.kernel = lambda r, par, g, sh: E.old_kernel(r, g, sh) if par else real(r, par, g, sh)
from _engine_kw import run_batch
for m in sys.argv[2:]:
    N = 70
    t0 = time.process_time()
    r = run_batch(m, C=np.full(N, 3.0), n=np.full(N, 3), low=-1.0, x1=np.zeros(N), T=300, checkpoints=[1, 100, 300],
                  N=N, alpha=0.5, beta1=0.9, beta2=0.99)
    print(mode, m, round(time.process_time() - t0, 3), r.engine, flush=True)
"""


def compile_cost(args) -> int:
    rules = ["adam", "amsgrad", "adamx"]
    out = {}
    for rep in range(args.repeat):
        for mode in ("old", "new"):
            with tempfile.TemporaryDirectory() as tmp:
                env = dict(os.environ, AB_KERNEL_CACHE=os.path.join(tmp, "k"), NUMBA_CACHE_DIR=os.path.join(tmp, "n"),
                           NUMBA_NUM_THREADS=str(args.threads))
                code = _CHILD.format(root=ROOT, tests=os.path.join(ROOT, "tests"), bench=os.path.join(ROOT, "benchmarks"))
                p = subprocess.run([sys.executable, "-c", code, mode] + rules, env=env, capture_output=True, text=True,
                                   cwd=ROOT)
                if p.returncode:
                    print(p.stderr, file=sys.stderr)
                    return 1
                for line in p.stdout.split("\n"):
                    if line.strip():
                        _, m, s, eng = line.split()
                        out.setdefault((mode, m), []).append(float(s))
    for m in rules:
        o, n = statistics.median(out["old", m]), statistics.median(out["new", m])
        print(f"{m:<8} cold first 70-lane batch (compiles step, serial and parallel drivers): old {o:.2f} CPU-s, "
              f"new {n:.2f} CPU-s (saved {o - n:.2f})")
    print(f"(the first rule also pays the engine's one-off helpers: compare the later rules; medians of {args.repeat})")
    return 0


def main(argv=None) -> int:
    sys.path.insert(0, ROOT)
    ap = argparse.ArgumentParser(prog="benchmarks/engine_threads.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every T by this (default 1)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--compile", action="store_true", help="cold compile cost of three rules, old and new")
    args = ap.parse_args(argv)
    if not 1 <= args.repeat <= 100:
        ap.error(f"--repeat must be in [1, 100] (got {args.repeat})")
    if not 1 <= args.threads <= (os.cpu_count() or 1):
        ap.error(f"--threads must be in [1, {os.cpu_count()}] (got {args.threads})")
    if not 0 < args.scale <= 100:
        ap.error(f"--scale must be in (0, 100] (got {args.scale})")
    return compile_cost(args) if args.compile else speed(args)


if __name__ == "__main__":
    sys.exit(main())
