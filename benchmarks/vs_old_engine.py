"""The engine against the hand-written engine it replaced (git history), in one process.

Loads the modules ``engine_kernels`` and ``engine_arb`` of ``numerics`` as they were before the
rule compiler (commit 87ced96, "each update rule written once"; the files are gone from the tree),
from ``git show``, into a temporary
directory, and times on the workload of ``benchmarks/run.py`` (AMSGrad, paper variant, the
Section 5 problem): the batch (N = 1e4 (beta1, beta2) pairs, T = 1e4), one trajectory (T = 1e7),
and the certified arb loop (100 bits, T = 3e5).  Each pair runs alternately ``--repeat`` times;
the ratios of the best process-CPU times are printed (robust on a shared machine), and the results
of old and new are checked to be equal (bits; balls: midpoint and radius).

The old code is read from history ON PURPOSE: it is the baseline, never imported by the toolkit.
Usage: python benchmarks/vs_old_engine.py [--repeat K] [--quick]
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OLD = "87ced96^"


def _load_old(tmp):
    mods = {}
    for name in ("engine_kernels", "engine_arb"):
        text = subprocess.run(["git", "show", f"{OLD}:numerics/{name}.py"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        for rel in ("backends", "optimizers", "problems", "run"):
            text = text.replace(f"from .{rel} import", f"from numerics.{rel} import")
        path = os.path.join(tmp, f"old_{name}.py")
        with open(path, "w") as fh:
            fh.write(text)
        spec = importlib.util.spec_from_file_location(f"old_{name}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mods[name] = mod
    return mods["engine_kernels"], mods["engine_arb"]


def _cpu(fn):
    c = time.process_time()
    out = fn()
    return time.process_time() - c, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks/vs_old_engine.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    if not 1 <= a.repeat <= 50:
        ap.error(f"--repeat must be in [1, 50] (got {a.repeat})")
    sys.path.insert(0, ROOT)
    import numpy as np

    from analysis.conditions import PAPER_DEFAULT, SECTION5
    from numerics import Periodic, engine, make
    from numerics.backends import ArbBackend

    with tempfile.TemporaryDirectory() as tmp:
        K, A = _load_old(tmp)
        prob = Periodic(pattern=SECTION5.pattern)
        side, Tb, Ts, Ta = (20, 500, 200_000, 5_000) if a.quick else (100, 10_000, 10_000_000, 300_000)
        b1g, b2g = np.meshgrid(np.linspace(0.0, 0.99, side), np.linspace(0.9, 0.999, side))
        b1g, b2g = b1g.ravel(), b2g.ravel()
        N = b1g.size

        def old(kernel, b1, b2, T):
            n = b1.size
            F = np.zeros(K.NF, dtype=np.int64)
            F[K.F_KIND], F[K.F_AMSGRAD], F[K.F_EPSIN] = 2, 1, 1  # paper AMSGrad, alpha/sqrt(t)
            P = np.zeros((K.NP, n))
            P[K.A], P[K.B1], P[K.B2], P[K.LO], P[K.HI], P[K.GBIG], P[K.GLOW] = (0.5, b1, b2, -1, 1, SECTION5.big,
                                                                           SECTION5.small)
            ST = np.zeros((K.NS, n))
            PH = np.zeros((3, n), dtype=np.int64)
            PH[1] = SECTION5.period
            d, cp, cps = np.zeros((1, 1)), np.zeros((0, n)), np.zeros(0, dtype=np.int64)
            kernel(1, T + 1, T, F, 2.0, P, ST, PH, d, d, cps, cp, cp)
            return ST[K.X].copy()

        mb = make("amsgrad", alpha=0.5, beta1=b1g, beta2=b2g)
        b1p, b2p = PAPER_DEFAULT  # the single trajectory: the paper's (0.9, 0.99)
        m1 = make("amsgrad", alpha="0.5", beta1=b1p, beta2=b2p)
        one1, one2 = np.array([float(b1p)]), np.array([float(b2p)])
        old(K.fast_parallel, b1g[:300], b2g[:300], 3), old(K.fast_serial, one1, one2, 3)  # compile
        engine.batch(mb, prob, 2, np.zeros(N)), engine.batch(m1, prob, 2, 0.0)
        B = ArbBackend(100)
        pairs = {
            "batch N=%d T=%d" % (N, Tb): (lambda: old(K.fast_parallel, b1g, b2g, Tb),
                                        lambda: engine.batch(mb, prob, Tb, np.zeros(N)).x_T,
                                        lambda o, n: np.array_equal(o, n)),
            "single T=%d" % Ts: (lambda: old(K.fast_serial, one1, one2, Ts),
                                 lambda: engine.batch(m1, prob, Ts, 0.0).x_T,
                                 lambda o, n: np.array_equal(o, n)),
            "arb 100 bits T=%d" % Ta: (lambda: A.run_arb(m1, prob, Ta, 0, B, checkpoints=[]).x_T,
                                       lambda: engine.simulate(m1, prob, Ta, 0, backend=B,
                                                               checkpoints=[]).x_T,
                                       lambda o, n: o.mid() == n.mid() and o.rad() == n.rad()),
        }
        with open("/proc/loadavg") as fh:
            print("load average at start:", " ".join(fh.read().split()[:3]))
        for label, (fo, fn, same) in pairs.items():
            to, tn = [], []
            for _ in range(a.repeat):
                c, xo = _cpu(fo)
                to.append(c)
                c, xn = _cpu(fn)
                tn.append(c)
            print(f"{label:<24} CPU-s old {min(to):.3f}  new {min(tn):.3f}  new speed / old speed "
                  f"{min(to) / min(tn):.2f}x  same results: {bool(same(xo, xn))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
