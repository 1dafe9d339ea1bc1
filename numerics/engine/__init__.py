"""The fused engine: the reference definitions of :mod:`numerics.optimizers`, compiled.

It is an *optimisation* of the reference, never a second definition: the step it runs is each rule's
own ``update`` compiled by numba (:mod:`numerics.engine.kernels`), and the ``test_engine`` files of ``tests/``
check that it returns the bits of :func:`numerics.run.run` on float64.  Conventions are those of
:mod:`numerics.run`: rounds t = 1..T, ``x_T`` the final iterate (after T updates), ``x_played`` the
point that played round T, checkpoints hold the iterate after t updates and R_t, and the regret is
exact for the linear losses.

Entry points
------------
``simulate(method, problem, T, x1=0, *, backend=None, checkpoints=None, progress=None) -> RunResult``
    :func:`numerics.run.run`'s signature and result, by the fastest path that gives the same numbers:
    the numba kernels on float64 (one trajectory, an (N, d) batch, d-dimensional problems as d lanes),
    the fused ball loop for an ``ArbBackend`` (:mod:`numerics.engine.arb`, the same balls), else the
    reference loop itself.  ``result.backend['engine']`` names what ran.
``batch(method, problem, T, x1=0.0, *, checkpoints=(), device='cpu', threads=None, progress=None)
-> BatchResult``
    N trajectories of one method on a 1-D problem.  ``method`` comes from :func:`numerics.make`; any
    of its numbers may be an array with one value per trajectory.  ``problem`` is a shared
    ``Periodic`` / ``Explicit`` / ``Bernoulli(batch=N)`` or one with per-trajectory values:
    :class:`PeriodicBatch`, :class:`BernoulliBatch`, :class:`ExplicitBatch`.  ``device='cuda'`` runs
    the one-thread-per-trajectory CUDA kernel of :mod:`numerics.engine.cuda` (``'host-c'``: the same
    C source on the CPU, for tests); without a GPU it raises ``BackendUnavailable``.
``why_not(method, problem, x1=0, backend=None) -> str | None``
    The reason ``simulate`` would take the reference loop, or None.
``fast_forward(method, problem, T, x1=0) -> FastForwardResult``, ``fast_forward_applies(...) -> (bool, why)``
    The certified fast-forward (:mod:`numerics.engine.fastforward`): x_T, R_T, R_T/T as arb balls at any T
    for a rule whose state ignores x on a 1-D periodic problem; ``simulate`` takes it from T = 10^7 on.

An array-API device (CuPy, ``array_api_strict``) needs no kernel of its own: :func:`numerics.run.run`
with :class:`numerics.backends.ArrayAPIBackend` runs the reference definitions there.

Coverage: the rules of ``plan.COMPILED_RULES`` (SGD, AdaGrad, the Adam family: RMSProp, Adam,
AMSGrad, AdamNC with beta_{2t} = 1 - 1/t, AdamX, all variants and switches, every beta1 and step-size
schedule; and SGD with momentum, Adamax, AdaBelief, Yogi, Lion, signSGD, ADOPT, RAdam, AdaBound,
Adadelta, Rprop).  Not compiled, run on the reference loop: a user-defined beta2 schedule (Python code of
the caller), NAdam, and the rules whose step reads x (AdamW's decoupled decay, Adafactor, ASGD).

Layout: ``layout`` (array rows, also as C macros), ``plan`` (validation and arrays), ``kernels``
(drivers generated around the compiled step), ``specialise`` (the step's source rewritten as a loop
body for the serial driver and the ball loop: same values, fewer operations), ``source`` (module
text for numba's disk cache), ``batch`` (segments, threads, progress), ``single`` (``simulate``),
``arb`` (balls), ``cuda`` (GPU).  No module here imports this package back.
"""
from .batch import BatchResult, batch
from .plan import (PARALLEL_MIN_LANES, BernoulliBatch, EngineUnavailable, ExplicitBatch, PeriodicBatch)
from .fastforward import FastForwardResult, fast_forward, fast_forward_applies
from .single import HAVE_NUMBA, estimate_seconds, simulate, why_not

__all__ = ["simulate", "batch", "why_not", "BatchResult", "PeriodicBatch", "BernoulliBatch",
           "ExplicitBatch", "EngineUnavailable", "HAVE_NUMBA", "PARALLEL_MIN_LANES", "fast_forward",
           "fast_forward_applies", "FastForwardResult", "estimate_seconds"]
