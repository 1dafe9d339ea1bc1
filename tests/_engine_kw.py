"""Helpers of the engine tests.  The old keyword form of a batch (method name, hyper-parameters, problem values) mapped onto
``numerics.engine.batch`` (a method from ``make`` plus a problem and a horizon).  Test code only: it
lets the equality tests state random workloads compactly; it computes nothing itself."""
from __future__ import annotations

import numpy as np

from numerics import Explicit, Periodic, make
from numerics.optimizers import VARIANTS, applicable
from numerics.schedules import BETA1_SCHEDULES, STEP_SCHEDULES
from numerics.engine import BernoulliBatch, ExplicitBatch, PeriodicBatch, batch

#: the problem kinds of the batch tests: a periodic batch with C, n, low per lane (the engine's
#: ``periodic2`` gradient source), Bernoulli coins per lane (``coins``), an explicit table per lane (``values``)
KINDS = ("periodic", "bernoulli", "explicit")
#: (method, variant) of test_engine_equality's batch cases; the other files' cases with these switches reuse them
PAIRS = [(m, v) for m in ("sgd", "adagrad", "rmsprop", "adamnc", "adamx") for v in ("paper",)] + \
        [(m, v) for m in ("adam", "amsgrad") for v in VARIANTS]

# Where each method's switch walk starts (see switches): chosen so that the cases of other engine test files
# with fixed switches land on kernels the equality cases compile anyway (test_engine_simulate's Bernoulli
# problems: AMSGrad sqrt/constant, Adam pytorch sqrt, AdamX sqrt/geometric, AdaGrad constant, AdamNC sqrt).
# RMSProp's offset is Adam's: RMSProp (paper) is Adam (paper) with beta1 = 0 (a number), the same rule key.
_OFFSET = dict(sgd=0, adagrad=0, rmsprop=0, adam=0, adamnc=1, adamx=3, amsgrad=5)
_TAKES_BETA1_SCHEDULE = ("amsgrad", "adamx")


def switches(method: str, variant: str, kind: str) -> dict:
    """The switches (step-size schedule, beta1 schedule) of a batch test case of ``(method, variant, kind)``.

    Switches are part of the compiled kernel's key (numbers are run-time values), so they are enumerated, not
    drawn: every test that runs ``(method, variant, kind)`` -- serial or parallel driver, equality, CUDA source,
    simulate -- then runs the same kernel, compiled once per run.  The walk ``j = variant + kind + offset``
    takes, for each (method, variant) over the three kinds, both step-size schedules and all three beta1
    schedules (three consecutive j), for each kind every value of each switch over the variants, and for
    AMSGrad every (schedule, beta1 schedule) pair (j runs over six consecutive values);
    test_engine_equality.test_the_cases_cover_every_switch checks this on the case list."""
    j = list(VARIANTS).index(variant) + KINDS.index(kind) + _OFFSET[method]
    sw = dict(schedule=STEP_SCHEDULES[j % len(STEP_SCHEDULES)])
    if method in _TAKES_BETA1_SCHEDULE:
        sw["beta1_schedule"] = BETA1_SCHEDULES[j % len(BETA1_SCHEDULES)]
    return sw


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
