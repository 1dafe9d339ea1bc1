"""Speed-up of numerics.sweep: one 400 x 400 grid of cells in-process, on W local processes, on Dask.

Workloads (``--workload``), on the N x N grid of cells of the (beta1, beta2) unit square:

* ``arb`` (default; the certified phase diagram of ``search --grid``): per cell (i, j) the
  python-flint arb enclosure, at 64 bits, of Adam's steady-state drift D over the closed box
  [i/N, (i+1)/N] x [j/N, (j+1)/N] (``counterexamples.drift.drift``, C = n = ``--n``, default 70), and
  its certified sign (+1, -1, or 0 when the ball contains 0; one enclosure per cell, no subdivision).
  No numba, so a worker starts in about a second.
* ``engine``: per cell the centre ((i + 1/2)/N, (j + 1/2)/N); Adam (alpha = 0.5/sqrt(t), x_1 = 0) runs
  T rounds of the Section 5 problem (g_t = 1010 when t mod 101 = 1 else -10, F = [-1, 1]) and returns
  (x_T, R_T/T) (``counterexamples.sweep_examples.adam_grid_chunk``: one ``numerics.engine.batch`` per chunk,
  the chunk's cells are its lanes), numba on ONE thread in every process (the parallelism measured is
  the sweep's, not numba's).  N = 400, T = 120000 is 1.9e10 trajectory-steps, about 20 s in-process
  at 1e9 steps/s; each worker first compiles two numba drivers (seconds of start-up per worker).

Timed, in one run and on the same fixed split (``numerics.sweep.default_chunk_size``):

* ``inline``     sweep(executor="inline") after this process has compiled the kernels;
* ``processes``  sweep(executor="processes", workers=W): includes starting W worker processes (forks of
                 a forkserver where the system has one: numerics.sweep, "Worker start-up") and their
                 numba compilation (the warm-up, once per worker);
* ``dask``       sweep(scheduler="local", workers=W): includes starting and closing a LocalCluster of
                 W one-thread worker processes and their warm-up.

Reported: wall seconds, speed-up over inline, the start-up alone (the same executor on W one-cell
chunks), and the overhead per chunk = (W x wall - inline wall) / chunks, in worker-seconds (start-up
amortised in it).  The results of all executors are compared bit for bit (SHA-256 of their JSON):
a mismatch exits 1.  The 1-minute load average before and after is printed: on a shared machine the
speed-up is bounded by the idle cores, not by the sweep.

Usage: python benchmarks/sweep.py [--workload arb|engine] [--cells N] [--T T] [--workers W] [--executors LIST] [--quick]
                                  [--json FILE|-]
``--json -`` prints only the JSON on stdout (the table goes to stderr).  Bad input: one line, exit 2.
Target: speed-up >= 1.7 with W = 2 for work of >= 20 s in-process (on a quiet 2-core machine).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from counterexamples import sweep_examples as E  # noqa: E402
from numerics.cli import EXIT_BAD_INPUT, BadInput, Parser, check_writable, dumps, versions, write_atomic  # noqa: E402
from numerics.sweep import MAX_WORKERS, default_chunk_size, sweep  # noqa: E402

TARGET_SPEEDUP = 1.7
EXECUTORS = ("inline", "processes", "dask")


def _int_in(flag, lo, hi):
    def conv(text):
        import argparse

        try:
            v = int(float(text)) if text.strip().lower().replace("e", "").isdigit() else int(text)
        except ValueError:
            v = None
        if v is None or not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer in {lo}..{hi}")
        return v
    conv.__name__ = flag
    return conv


def _executors(text):
    import argparse

    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names or any(n not in EXECUTORS for n in names):
        raise argparse.ArgumentTypeError(f"{text!r}: a comma-separated subset of {','.join(EXECUTORS)}")
    return names


def warmup() -> None:
    """The drivers the grid chunks use (serial and parallel Adam), compiled in this process."""
    import numba

    numba.set_num_threads(1)
    E.adam_grid_chunk([(0.5, 0.5)], T=3)  # any cell compiles the driver
    E.adam_grid_chunk([(0.5, 0.5)] * 64, T=3)


def arb_grid_chunk(chunk: list, N: int, C=3, n: int = 3) -> list:
    """Items (i, j): the certified sign of D over cell (i, j) of the N x N grid (see the docstring)."""
    from fractions import Fraction

    from counterexamples.drift import drift

    out = []
    for i, j in chunk:
        d = drift((Fraction(i, N), Fraction(i + 1, N)), (Fraction(j, N), Fraction(j + 1, N)), C, n,
                  backend="arb", eps=0, prec=64)
        out.append(1 if d > 0 else (-1 if d < 0 else 0))
    return out


def _no_warmup() -> None:
    """Nothing to compile for the arb workload (python-flint is C)."""


def _digest(res) -> str:
    return hashlib.sha256(json.dumps(res).encode()).hexdigest()


def _loadavg():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover
        return None


def main(argv=None) -> int:
    p = Parser(prog="benchmarks/sweep.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--workload", choices=("arb", "engine"), default="arb",
                   help="arb: certified drift sign per cell (default); engine: Adam's x_T per cell")
    p.add_argument("--n", type=_int_in("--n", 1, 1000), default=70,
                   help="arb workload: the period n of the family, with C = n, 1..1000 (default 70)")
    p.add_argument("--cells", type=_int_in("--cells", 2, 4000), default=400, metavar="N",
                   help="grid side N, 2..4000 (default 400: 160000 cells)")
    p.add_argument("--T", type=_int_in("--T", 1, 10 ** 8), default=120000,
                   help="engine workload: rounds per cell, 1..1e8 (default 120000)")
    p.add_argument("--workers", type=_int_in("--workers", 1, MAX_WORKERS), default=2, metavar="W",
                   help=f"workers of the parallel executors, 1..{MAX_WORKERS} (default 2)")
    p.add_argument("--executors", type=_executors, default=list(EXECUTORS),
                   help="comma-separated subset of inline,processes,dask (default all)")
    p.add_argument("--quick", action="store_true", help="N = 40, T = 2000 (seconds)")
    p.add_argument("--json", metavar="FILE|-", default=None, help="write the JSON here ('-': stdout only)")
    a = p.parse_args(argv)
    if a.quick:
        a.cells, a.T = 40, 2000
    if a.json not in (None, "-"):
        try:
            check_writable(a.json, "--json")
        except BadInput as exc:
            p.exit(EXIT_BAD_INPUT, f"{p.prog}: error: {exc}\n")
    if "dask" in a.executors:
        try:
            import distributed  # noqa: F401
        except ImportError:
            p.exit(EXIT_BAD_INPUT, f"{p.prog}: error: --executors: dask needs the distributed package: "
                                   f"pip install 'adam-beyond[distributed]'\n")
    table = sys.stderr if a.json == "-" else sys.stdout

    N, T, W = a.cells, a.T, a.workers
    if a.workload == "engine":
        items = [((i + 0.5) / N, (j + 0.5) / N) for i in range(N) for j in range(N)]
        fn, tiny, warm = functools.partial(E.adam_grid_chunk, T=T), functools.partial(E.adam_grid_chunk, T=1), warmup
        what = "engine: Adam x_T, R_T/T per cell centre (one engine batch per chunk, numba 1 thread)"
    else:
        items = [(i, j) for i in range(N) for j in range(N)]
        fn = tiny = functools.partial(arb_grid_chunk, N=N, C=a.n, n=a.n)
        warm = _no_warmup
        what = f"arb: certified sign of the drift D over each cell, C = n = {a.n}, 64 bits"
    cs = default_chunk_size(len(items))
    n_chunks = -(-len(items) // cs)
    out = {"benchmark": "sweep", "workload": what,
           "cells": len(items), "N": N, "T": T if a.workload == "engine" else None, "workers": W,
           "chunk_size": cs, "chunks": n_chunks, "cpu_count": os.cpu_count(),
           "loadavg_1min_before": _loadavg(), "executors": {}, "versions": versions()}
    t0 = time.perf_counter()
    warm()
    out["compile_seconds_here"] = round(time.perf_counter() - t0, 3)
    digests = {}
    for ex in a.executors:
        kw = {"inline": dict(executor="inline"),
              "processes": dict(executor="processes", workers=W),
              "dask": dict(executor="dask", scheduler="local", workers=W)}[ex]
        row = {}
        if ex != "inline":  # start-up alone: W one-cell chunks (pool/cluster start + warm-up)
            t0 = time.perf_counter()
            sweep(tiny, items[:W], chunk_size=1, warmup=warm, **kw)
            row["startup_seconds"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        res = sweep(fn, items, warmup=warm, **kw)
        row["seconds"] = round(time.perf_counter() - t0, 3)
        digests[ex] = row["sha256"] = _digest(res)
        out["executors"][ex] = row
        print(f"  {ex:<10} {row['seconds']:8.2f} s" + (f"   (start-up alone {row['startup_seconds']:.2f} s)"
                                                       if "startup_seconds" in row else ""),
              file=table, flush=True)
    out["loadavg_1min_after"] = _loadavg()
    inline = out["executors"].get("inline")
    if inline:
        for ex, row in out["executors"].items():
            if ex == "inline":
                continue
            row["speedup"] = round(inline["seconds"] / row["seconds"], 3)
            rest = row["seconds"] - row["startup_seconds"]  # start-up measured in a separate run
            row["speedup_without_startup"] = round(inline["seconds"] / rest, 3) if rest > 0 else None
            row["overhead_per_chunk_ms"] = round(1e3 * (W * row["seconds"] - inline["seconds"]) / n_chunks, 3)
            row["meets_target"] = bool(W == 2 and inline["seconds"] >= 20 and row["speedup"] >= TARGET_SPEEDUP)
    out["identical"] = len(set(digests.values())) <= 1
    print(f"benchmarks/sweep.py: {a.workload}, {N} x {N} cells, {n_chunks} chunks of {cs}, W = {W}, "
          f"load average {out['loadavg_1min_before']} -> {out['loadavg_1min_after']} on {os.cpu_count()} cores",
          file=table)
    for ex, row in out["executors"].items():
        nos = row.get("speedup_without_startup")
        extra = "" if ex == "inline" else (f"  speed-up {row.get('speedup', float('nan')):.2f}x "
                                           f"({'n/a' if nos is None else f'{nos:.2f}x'} without "
                                           f"start-up {row['startup_seconds']:.2f} s), overhead "
                                           f"{row.get('overhead_per_chunk_ms', float('nan')):.1f} ms/chunk")
        print(f"  {ex:<10} {row['seconds']:8.2f} s{extra}", file=table)
    print(f"  results identical across executors: {out['identical']}", file=table)
    text = dumps(out) + "\n"  # the one JSON writer of every command
    if a.json == "-":
        sys.stdout.write(text)
    elif a.json:
        write_atomic(a.json, text)
    return 0 if out["identical"] else 1


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        sys.stderr.write("benchmarks/sweep.py: interrupted\n")
        raise SystemExit(130)
