"""GPU check of the CuPy paths against float64 numpy on the benchmark batch (run on a GPU machine).

Workload: the batch of ``benchmarks/run.py`` (AMSGrad, paper variant, alpha_t = 0.5/sqrt(t), on the
Section 5 problem; N = 1e4 trajectories over a grid of (beta1, beta2), T = 1e4).  Two GPU paths:

* ``cuda``: the one-thread-per-trajectory CUDA kernel (``numerics.engine.batch(..., device='cuda')``),
  compared with the compiled CPU engine;
* ``array-api``: the reference definitions on CuPy arrays (``numerics.run`` with
  ``ArrayAPIBackend(cupy)``), compared with the numpy reference path on a shorter horizon.

Prints (and with ``--json`` writes) max |dx_T|, max relative d(R_T/T) and steps/s of each path.
Exit codes: 0 when both agree to 1e-12, 1 when one does not, 2 when no GPU answers (one line).
"""
from __future__ import annotations

import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv=None) -> int:
    sys.path.insert(0, ROOT)
    import numpy as np

    from analysis.conditions import SECTION5
    from numerics import Periodic, make, run
    from numerics.backends import ArrayAPIBackend, BackendUnavailable, CupyBackend, NumpyBackend
    from numerics.cli import dumps
    from numerics.engine import batch

    argv = list(sys.argv[1:] if argv is None else argv)
    quick = "--quick" in argv
    try:
        cp = CupyBackend().xp
    except BackendUnavailable as exc:
        print(f"gpu_check: {exc}", file=sys.stderr)
        return 2
    side = 20 if quick else 100
    T, T_ref = (500, 200) if quick else (10_000, 1_000)
    b1, b2 = np.meshgrid(np.linspace(0.0, 0.99, side), np.linspace(0.9, 0.999, side))
    b1, b2 = b1.ravel(), b2.ravel()
    N = b1.shape[0]
    prob = Periodic(pattern=SECTION5.pattern)
    meth = make("amsgrad", alpha=0.5, beta1=b1, beta2=b2)
    out = {"N": N, "T": T, "T_array_api": T_ref}
    cpu = batch(meth, prob, T, np.zeros(N))
    batch(meth, prob, 2, np.zeros(N), device="cuda")  # compile
    gpu = batch(meth, prob, T, np.zeros(N), device="cuda")
    rel = np.abs(gpu.avg_regret - cpu.avg_regret) / np.maximum(1, np.abs(cpu.avg_regret))
    out["cuda"] = dict(max_abs_dx_T=float(np.max(np.abs(gpu.x_T - cpu.x_T))),
                       max_rel_d_avg_regret=float(np.max(rel)), steps_per_s=gpu.steps_per_s,
                       cpu_engine_steps_per_s=cpu.steps_per_s)
    m2 = make("amsgrad", alpha=0.5, beta1=b1[:, None], beta2=b2[:, None])
    ref = run(m2, prob, T_ref, np.zeros((N, 1)), backend=NumpyBackend(), checkpoints=[])
    t0 = time.perf_counter()
    ga = run(m2, prob, T_ref, np.zeros((N, 1)), backend=ArrayAPIBackend(cp, None, "cupy"), checkpoints=[])
    cp.cuda.Device().synchronize()
    secs = time.perf_counter() - t0
    gx, gr = cp.asnumpy(ga.x_T)[:, 0], cp.asnumpy(ga.avg_regret)
    out["array_api"] = dict(max_abs_dx_T=float(np.max(np.abs(gx - ref.x_T[:, 0]))),
                            max_rel_d_avg_regret=float(np.max(np.abs(gr - ref.avg_regret)
                                                              / np.maximum(1, np.abs(ref.avg_regret)))),
                            steps_per_s=N * T_ref / secs)
    ok = all(out[k]["max_abs_dx_T"] <= 1e-12 and out[k]["max_rel_d_avg_regret"] <= 1e-12
             for k in ("cuda", "array_api"))
    out["agree_to_1e-12"] = ok
    text = dumps(out)  # the one JSON writer of every command
    print(text)
    if "--json" in argv:
        path = argv[argv.index("--json") + 1]
        with open(path, "w") as fh:
            fh.write(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
