"""Helpers of the engine tests.  The old keyword form of a batch (method name, hyper-parameters, problem values) mapped onto
``numerics.engine.batch`` (a method from ``make`` plus a problem and a horizon).  Test code only: it
lets the equality tests state random workloads compactly; it computes nothing itself."""
from __future__ import annotations

import numpy as np

from numerics import Explicit, Periodic, make
from numerics.optimizers import applicable
from numerics.engine import BernoulliBatch, ExplicitBatch, PeriodicBatch, batch


def workload(method, *, variant="paper", beta1=0.9, beta2=0.99, alpha=0.5, eps=0.0, schedule="sqrt",
             C=None, n=None, low=-1.0, p=None, seed=0, problem_kind="periodic", pattern=None,
             values=None, x1=0.0, N=None, beta1_schedule="constant", lam=None, eps_root=0.0, **extra):
    # one keyword form serves every method: pass each the keywords it takes (make rejects the others)
    common = dict(variant=variant, beta1=beta1, beta2=beta2, alpha=alpha, eps=eps, schedule=schedule,
                  beta1_schedule=beta1_schedule, lam=lam, eps_root=eps_root)
    meth = make(method, **applicable(method, common), **extra)
    if problem_kind == "periodic":
        prob = Periodic(pattern=list(pattern)) if pattern is not None else PeriodicBatch(C, n, low)
    elif problem_kind == "bernoulli":
        prob = BernoulliBatch(p, C, low, seed)
    else:
        v = np.asarray(values)
        prob = ExplicitBatch(v) if v.ndim == 2 else Explicit(values=list(v))
    if N is not None and np.ndim(x1) == 0:
        x1 = np.full(N, float(x1))
    return meth, prob, x1


def run_batch(method, *, T, checkpoints=(), device="cpu", threads=None, progress=None, **kw):
    meth, prob, x1 = workload(method, **kw)
    return batch(meth, prob, T, x1, checkpoints=checkpoints, device=device, threads=threads,
                 progress=progress)


def skip_if_gpu() -> None:
    """Skip a test of the no-GPU failure path where a GPU answers (a broken driver still runs it)."""
    import pytest

    try:
        import cupy

        if cupy.is_available():  # pragma: no cover - GPU machines
            pytest.skip("a GPU answers here: the clean-failure path does not apply")
    except ImportError:
        pass
    except Exception:  # pragma: no cover - a broken driver must still fail cleanly
        pass
