"""The cost of compiling the engine's drivers on an empty cache: the library's decorators against numba's plain
ones, in one process.

Why: a user's first run (and every CI run, which starts from an empty kernel cache) pays numba's compile of
each driver and of the rule's step (issue 25).  The library compiles the functions of a generated step module
without the CPython and C wrappers (``engine.source.STEP_JIT``: they are only ever called from a driver, which
inlines them) and the drivers without the C wrapper (``engine.kernels.DRIVER_JIT``).  The baseline is the
plain decorators they replaced (``@njit``; ``@njit(cache=True)``, ``@njit(nogil=True, cache=True)``).

Workload: for each rule of ``RULES`` (AMSGrad and AdamX over their step-size and beta1 schedules, Adam's
variants: distinct rule keys, so distinct steps), the first batch of a 70-lane periodic problem with a
checkpoint, which compiles the rule's step, its serial driver (the read-out rounds) and its parallel driver.
Each rule runs once with the baseline decorators and once with the library's, alternating which goes first;
each version writes its own generated module texts (the decorators are part of the text, so of its hash),
so each compiles afresh: nothing is shared between the two but numba's own first-use compiles, which
warm-up rules pay before timing.  Process CPU seconds (``time.process_time``), kernel and numba caches in a
fresh temporary folder (removed at the end).  The results of both versions are checked to be the same bits.

Usage: python benchmarks/engine_compile.py [--rules K]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RULES = ([("amsgrad", dict(schedule=s, beta1_schedule=b, lam=0.5)) for s in ("sqrt", "constant")
          for b in ("constant", "geometric", "harmonic")]
         + [("adam", dict(variant=v, eps=1e-8)) for v in ("pytorch", "keras", "optax")]
         + [("adamx", dict(schedule=s, beta1_schedule="harmonic")) for s in ("sqrt", "constant")])

PLAIN_STEP = "@njit"
PLAIN_DRIVER = {False: "@njit(cache=True)", True: "@njit(nogil=True, cache=True)"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", type=int, default=len(RULES), help=f"how many rules (1..{len(RULES)})")
    a = ap.parse_args(argv)
    if not 1 <= a.rules <= len(RULES):
        print(f"--rules: must be in 1..{len(RULES)}", file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="ab-compile-bench-")
    os.environ["AB_KERNEL_CACHE"] = os.path.join(tmp, "k")
    os.environ["NUMBA_CACHE_DIR"] = os.path.join(tmp, "n")  # read by numba at import: set before it
    sys.path.insert(0, ROOT)
    try:
        import numpy as np

        from numerics import Periodic, make
        from numerics.engine import batch, kernels, source

        lib = (source.STEP_JIT, dict(kernels.DRIVER_JIT))

        def use(version):
            step, drv = (PLAIN_STEP, PLAIN_DRIVER) if version == "plain" else lib
            source.STEP_JIT = step
            kernels.DRIVER_JIT = drv  # part of kernels.kernel's memo key: no driver of the other version is reused

        def first_batch(method, kw):
            meth = make(method, **kw)
            x1 = np.linspace(-0.5, 0.5, 70)
            t0 = time.process_time()
            r = batch(meth, Periodic(pattern=[3.0, -1.0, -1.0]), 300, x1, checkpoints=(100,), threads=1)
            return time.process_time() - t0, r

        use("library")
        # numba's first-use compiles (typing tables, the backend's helpers: sqrt, power, maximum, ...), paid by
        # neither version: rules outside RULES that between them call every helper RULES' steps call
        for method, kw in (("sgd", {}), ("adam", {}), ("adamx", dict(beta1_schedule="geometric", lam=0.5))):
            first_batch(method, kw)
        tot = {"plain": 0.0, "library": 0.0}
        print(f"{'rule':<58} {'plain':>7} {'library':>7}  CPU-s")
        for k, (method, kw) in enumerate(RULES[:a.rules]):
            order = ("plain", "library") if k % 2 == 0 else ("library", "plain")
            got = {}
            for version in order:
                use(version)
                got[version] = first_batch(method, kw)
                tot[version] += got[version][0]
            ra, rb = got["plain"][1], got["library"][1]
            for f in ("x_T", "x_played", "regret", "cp_x", "cp_regret"):
                if not np.array_equal(getattr(ra, f), getattr(rb, f)):
                    print(f"{method} {kw}: {f} differs between the two versions", file=sys.stderr)
                    return 1
            print(f"{method + ' ' + str(kw):<58} {got['plain'][0]:7.2f} {got['library'][0]:7.2f}")
        print(f"{'total':<58} {tot['plain']:7.2f} {tot['library']:7.2f}  library/plain = "
              f"{tot['library'] / tot['plain']:.3f}  (same bits)")
        use("library")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
