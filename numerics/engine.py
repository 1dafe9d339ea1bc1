"""The fused batch engine: many trajectories (or one long one) of one method, at machine speed.

It is an *optimisation* of the reference definitions (:mod:`numerics.optimizers` run by
:func:`numerics.run.run` on float64), never a second definition: the numba kernels in
:mod:`numerics.engine_kernels` repeat the reference update operation by operation, and
``tests/test_engine_equality.py`` checks on random problems that they agree to 1e-12 (in practice
bit for bit on 1-D problems).  Conventions are those of :mod:`numerics.run`: rounds t = 1..T, phase
(t-1) mod n, ``x_T`` is the final iterate (after T updates; x_{T+1} in the paper's indexing),
``x_played`` the point that played round T, a checkpoint at t holds the iterate after t updates and
R_t, and the regret
R_T = sum_t g_t x_t - min_{x in [lo,hi]} x sum_t g_t is exact for the linear losses.

Public API
----------
``run_batch(method, variant='paper', beta1=0.9, beta2=0.99, alpha=0.5, eps=0.0, schedule='sqrt',
C=None, n=None, x1=0.0, T=..., checkpoints=(), problem_kind='periodic', p=None, seed=None, low=-1,
lo=-1, hi=1, pattern=None, values=None, beta1_schedule='constant', lam=None, eps_root=0,
bias_correction_m=None, bias_correction_v=None, N=None, threads=None, progress=None, path='auto',
backend='numba') -> BatchResult``
    Every numeric argument may be a scalar or an array of length N (one value per trajectory;
    strings such as "0.9" and Fractions are converted exactly, as ``Backend.num`` does).
    Problems (1-D, box [lo, hi]):
      * ``'periodic'``: g_t = C when (t-1) mod n == 0, else ``low`` (C, n, low per trajectory), or a
        shared ``pattern`` (list of values, period len(pattern)) as in :class:`numerics.Periodic`;
      * ``'bernoulli'``: g_t = C with probability p, else ``low``; the coin of trajectory i in round t
        is U[t, i] < p_i where U comes from ``numpy.random.Generator(PCG64(seed)).random((T, N, 1))``
        drawn in round order: exactly the stream of ``Bernoulli(p, C, low, seed, batch=N)``;
      * ``'explicit'``: ``values`` of shape (T0,) (shared) or (T0, N) (one column per trajectory).
    Returns per-trajectory arrays ``x_T`` (final iterate; ``x_next`` is an alias), ``x_played``,
    ``regret`` (R_T), ``avg_regret`` (R_T/T),
    the checkpoint rounds ``checkpoints`` (K,), ``cp_x`` and ``cp_regret`` (K, N), and ``engine``
    ('numba-parallel' or 'numba-serial'), ``path`` ('fast' or 'generic') and the wall time of the
    kernels (compilation excluded).  ``progress(t_done, T)`` is called between segments of about
    2e9 lane-rounds.  ``path`` forces 'fast' (error if not covered) or 'generic'.  ``backend``
    'cupy' runs the one-thread-per-trajectory CUDA kernel of :mod:`numerics.engine_cuda`,
    'numpy' / 'array_api_strict' / 'cupy-xp' the array-API kernel of :mod:`numerics.xp_kernel`;
    without a usable GPU the CuPy ones raise :class:`numerics.backends.BackendUnavailable` (one
    line: the reason).  The GPU paths are UNTESTED ON HARDWARE (their logic is tested on the CPU).
    Errors in the arguments raise ``ValueError`` naming the argument.
``plan_batch(method, **same arguments) -> BatchPlan``
    The validated kernel arrays without running (used by the array-API kernel).
``supports(method, variant='paper', problem='periodic') -> bool``
    Whether the engine covers a method name / variant / problem kind.
``try_run(method, problem, T, x1=0, checkpoints=None, backend=None, progress=None)``
    Drop-in for :func:`numerics.run.run` with a :class:`numerics.Method` and a
    :class:`numerics.Periodic` / ``Bernoulli`` / ``Explicit`` problem on the float64 backend.
    Returns a :class:`numerics.run.RunResult` (same shapes and types as ``run``; ``backend['engine']``
    names the engine) or ``None`` when it does not apply (another backend, a user-defined beta2
    schedule, an ``on_step`` hook is needed, unusual shapes): then call ``run``.
    With ``backend`` an :class:`numerics.backends.ArbBackend` it runs the fused certified loop of
    :mod:`numerics.engine_arb` (one 1-D trajectory; the same balls as ``run``, about 2-4x faster).
``why_not(method, problem, x1=0, backend=None) -> str | None``
    The reason ``try_run`` would decline, or None.

Coverage: SGD, AdaGrad, RMSProp, Adam (eps, eps_root), AMSGrad, AdamNC (beta_{2t} = 1 - 1/t), AdamX;
variants paper / pytorch / optax / keras and every switch of :func:`numerics.optimizers.adam`;
beta1 schedules constant / geometric / harmonic; step sizes alpha/sqrt(t) or constant.  The *fast*
path (vectorised, about 1e9 trajectory-steps/s on 2 cores) covers the paper variant of Adam,
AMSGrad and RMSProp with constant beta1 on periodic and shared-table problems, and (for batches)
the PyTorch preset of Adam and AMSGrad with betas shared by the batch; everything else takes
the *generic* path (same kernels' maths, scalar code).  d-dimensional problems run as d independent
lanes per trajectory (linear losses, diagonal methods, box projection = coordinatewise clip); their
regret is the sum over coordinates, equal to the reference up to float rounding of that sum.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .backends import to_fraction
from .optimizers import BIAS_CORRECTION_V, VARIANTS, switches

try:  # numba is a hard dependency, but the engine must never be the reason an import fails
    from . import engine_kernels as K
    HAVE_NUMBA = True
except Exception:  # pragma: no cover - exercised only without numba
    K = None
    HAVE_NUMBA = False

ENGINE_METHODS = ("sgd", "adagrad", "rmsprop", "adam", "amsgrad", "adamnc", "adamx")
PROBLEM_KINDS = ("periodic", "bernoulli", "explicit")
_PAPER_ONLY = ("adamnc", "adamx")
PARALLEL_MIN_LANES = 64  # below this a batch runs serially (one block would not fill a core anyway)
CHUNK_VALUES = 1 << 21  # doubles per chunk of per-lane random numbers / values (16 MB)


class EngineUnavailable(RuntimeError):
    """The engine cannot run here (numba missing) or was asked for something it does not cover."""


@dataclass
class BatchResult:
    x_T: np.ndarray  # final iterate, after T updates
    x_played: np.ndarray  # the point that played round T (enters R_T)
    regret: np.ndarray
    avg_regret: np.ndarray
    checkpoints: np.ndarray
    cp_x: np.ndarray
    cp_regret: np.ndarray
    engine: str
    path: str
    T: int
    seconds: float
    info: dict = field(default_factory=dict)

    @property
    def x_next(self) -> np.ndarray:
        return self.x_T

    @property
    def N(self) -> int:
        return int(self.x_T.shape[0])

    @property
    def steps_per_s(self) -> float:
        return self.N * self.T / self.seconds if self.seconds > 0 else float("inf")


def supports(method: str, variant: str = "paper", problem: str = "periodic") -> bool:
    """True when :func:`run_batch` covers this method name, variant and problem kind."""
    if not HAVE_NUMBA or method not in ENGINE_METHODS or problem not in PROBLEM_KINDS:
        return False
    if variant not in VARIANTS:
        return False
    return variant == "paper" or method not in _PAPER_ONLY


# ------------------------------------------------------------------------------------------------
def _f(value) -> float:
    """float64 of a hyper-parameter exactly as Backend.num does (strings and Fractions exactly)."""
    if isinstance(value, (float, np.floating)):
        return float(value)
    return float(to_fraction(value))


def _vec(value, N: int, name: str) -> np.ndarray:
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        arr = value.astype(np.float64).ravel()
    elif isinstance(value, (list, tuple, np.ndarray)):
        arr = np.array([_f(v) for v in np.asarray(value, dtype=object).ravel()], dtype=np.float64)
    else:
        arr = np.full(1, _f(value))
    if arr.shape[0] == 1:
        return np.full(N, arr[0])
    if arr.shape[0] != N:
        raise ValueError(f"{name}: expected a scalar or {N} values, got {arr.shape[0]}")
    return arr


def _length(*values) -> int:
    sizes = {int(np.size(v)) for v in values if v is not None and np.ndim(v) > 0}
    sizes.discard(1)
    if len(sizes) > 1:
        raise ValueError(f"per-trajectory arrays have different lengths {sorted(sizes)}")
    return sizes.pop() if sizes else 1


def _flags(method: str, variant: str, schedule: str, beta1_schedule: str, bias_correction_m,
           bias_correction_v) -> np.ndarray:
    """The switches of numerics.optimizers._adam_family as kernel flags (same defaults)."""
    if method not in ENGINE_METHODS:
        raise ValueError(f"method: unknown {method!r}; choose one of {', '.join(ENGINE_METHODS)}")
    if variant not in VARIANTS:
        raise ValueError(f"variant: unknown {variant!r}; choose one of {', '.join(VARIANTS)}")
    if schedule not in ("sqrt", "constant"):
        raise ValueError(f"schedule: unknown {schedule!r}; choose sqrt or constant")
    F = np.zeros(K.NF, dtype=np.int64)
    F[K.F_SCHED] = 0 if schedule == "sqrt" else 1
    if method == "sgd":
        F[K.F_KIND] = K.KIND_SGD
        return F
    if method == "adagrad":
        F[K.F_KIND] = K.KIND_ADAGRAD
        return F
    F[K.F_KIND] = K.KIND_ADAM
    if method in _PAPER_ONLY:
        variant = "paper"
    sw = (switches(variant) if method in _PAPER_ONLY
          else switches(variant, bias_correction_m, bias_correction_v))
    if method in ("adam", "rmsprop", "adamnc"):
        beta1_schedule = "constant" if method != "adamnc" else beta1_schedule
    b1s = {"constant": 0, "geometric": 1, "harmonic": 2}.get(beta1_schedule)
    if b1s is None:
        raise ValueError(f"beta1_schedule: unknown {beta1_schedule!r}")
    F[K.F_AMSGRAD] = int(method in ("amsgrad", "adamx"))
    F[K.F_ADAMX] = int(method == "adamx")
    F[K.F_B1SCHED] = b1s
    F[K.F_B2SCHED] = int(method == "adamnc")
    F[K.F_BCM] = int(sw["bias_correction_m"])
    F[K.F_BCV] = BIAS_CORRECTION_V.index(sw["bias_correction_v"])
    F[K.F_EPSIN] = int(sw["eps_inside"])
    return F


def _fast_ok(F: np.ndarray, P: np.ndarray, gtab: np.ndarray) -> bool:
    return bool(F[K.F_KIND] == K.KIND_ADAM and F[K.F_ADAMX] == 0 and F[K.F_B1SCHED] == 0
                and F[K.F_B2SCHED] == 0 and F[K.F_BCM] == 0 and F[K.F_BCV] == 0
                and F[K.F_EPSIN] == 1 and F[K.F_GMODE] in (K.G_PERIODIC2, K.G_TABLE)
                and gtab.shape[1] == 1 and not np.any(P[K.EPSR] != 0.0))


def _fast_bc_ok(F: np.ndarray, P: np.ndarray, gtab: np.ndarray) -> bool:
    """The PyTorch preset with betas shared by all lanes (then 1 - beta^t is one number a round)."""
    return bool(F[K.F_KIND] == K.KIND_ADAM and F[K.F_ADAMX] == 0 and F[K.F_B1SCHED] == 0
                and F[K.F_B2SCHED] == 0 and F[K.F_BCM] == 1 and F[K.F_BCV] == 2
                and F[K.F_EPSIN] == 0 and F[K.F_GMODE] in (K.G_PERIODIC2, K.G_TABLE)
                and gtab.shape[1] == 1 and np.all(P[K.B1] == P[K.B1, 0])
                and np.all(P[K.B2] == P[K.B2, 0]))


def _execute(F, P, ST, PH, gtab, T, cps, *, chunk_source=None, threads=None, progress=None,
             path="auto"):
    """Run rounds 1..T on prepared arrays; returns (engine, path, seconds, cpx, cpr)."""
    N = ST.shape[1]
    Kc = cps.shape[0]
    cpx = np.zeros((Kc, N))
    cpr = np.zeros((Kc, N))
    parallel = N >= PARALLEL_MIN_LANES
    fast_ok = _fast_ok(F, P, gtab)
    bc_ok = parallel and _fast_bc_ok(F, P, gtab)
    if path not in ("auto", "fast", "generic"):
        raise ValueError(f"path: unknown {path!r}; choose auto, fast or generic")
    if path == "fast" and not (fast_ok or bc_ok):
        raise EngineUnavailable("path='fast' does not cover this method/variant/problem")
    fast = path != "generic" and (fast_ok or bc_ok)
    if fast and bc_ok and not fast_ok:
        kern = K.fast_bc_parallel
    else:
        kern = {(True, True): K.fast_parallel, (True, False): K.fast_serial,
                (False, True): K.generic_parallel,
                (False, False): K.generic_serial}[(fast, parallel)]
    two = 2.0  # a run-time exponent: LLVM would turn a literal pow(r, 2.0) into r*r (Python does not)
    dummy = np.zeros((1, 1))
    if chunk_source is not None:
        seg = max(1, min(T, CHUNK_VALUES // max(N, 1)))
    else:
        # segments of about 2e9 lane-rounds: progress reports every second or so on 2 cores
        seg = max(1, min(T, int(2e9 // max(N, 1))))
    old_threads = None
    if threads is not None and parallel:
        import numba

        old_threads = numba.get_num_threads()
        numba.set_num_threads(int(threads))
    try:
        # compile (or load from cache) outside the timed region: a call that runs no rounds
        kern(1, 1, T, F, two, P, ST, PH, gtab, dummy, cps, cpx, cpr)
        t0 = time.perf_counter()
        t = 1
        while t <= T:
            t_stop = min(T + 1, t + seg)
            U = chunk_source(t, t_stop) if chunk_source is not None else dummy
            kern(t, t_stop, T, F, two, P, ST, PH, gtab, U, cps, cpx, cpr)
            t = t_stop
            if progress is not None:
                progress(t - 1, T)
    finally:
        if old_threads is not None:
            import numba

            numba.set_num_threads(old_threads)
    secs = time.perf_counter() - t0
    return ("numba-parallel" if parallel else "numba-serial"), ("fast" if fast else "generic"), secs, cpx, cpr


def _prepare(N, *, alpha, beta1, beta2, eps, eps_root, lam, lo, hi, big, low, p, x1):
    P = np.zeros((K.NP, N))
    P[K.A] = _vec(alpha, N, "alpha")
    P[K.B1] = _vec(beta1, N, "beta1")
    P[K.B2] = _vec(beta2, N, "beta2") if beta2 is not None else np.nan
    P[K.EPS] = _vec(eps, N, "eps")
    P[K.EPSR] = _vec(eps_root, N, "eps_root")
    P[K.LAM] = _vec(lam, N, "lam") if lam is not None else np.nan
    P[K.LO] = _vec(lo, N, "lo")
    P[K.HI] = _vec(hi, N, "hi")
    P[K.GBIG] = _vec(big, N, "C") if big is not None else 0.0
    P[K.GLOW] = _vec(low, N, "low")
    P[K.PROB] = _vec(p, N, "p") if p is not None else 0.0
    if np.any(P[K.LO] > P[K.HI]):
        raise ValueError("lo, hi: need lo <= hi")
    ST = np.zeros((K.NS, N))
    ST[K.X] = _vec(x1, N, "x1")  # not projected: numerics.run starts from x1 as given
    return P, ST


def _checkpoint_array(checkpoints, T) -> np.ndarray:
    cps = sorted({int(c) for c in (checkpoints or ()) if 1 <= int(c) <= T})
    return np.asarray(cps, dtype=np.int64)


@dataclass
class BatchPlan:
    """The arrays a kernel needs for one batch (shared by the numba engine and the xp kernel)."""

    F: np.ndarray
    P: np.ndarray
    ST: np.ndarray
    PH: np.ndarray
    gtab: np.ndarray
    cps: np.ndarray
    chunk_source: Callable[[int, int], np.ndarray] | None
    N: int


def plan_batch(method: str, variant: str = "paper", beta1=0.9, beta2=0.99, alpha=0.5, eps=0.0,
               schedule: str = "sqrt", C=None, n=None, x1=0.0, T: int = 1000,
               checkpoints: Sequence[int] = (), problem_kind: str = "periodic", p=None,
               seed: int | None = None, low=-1.0, lo=-1.0, hi=1.0, pattern=None, values=None,
               beta1_schedule: str = "constant", lam=None, eps_root=0.0, bias_correction_m=None,
               bias_correction_v=None, N: int | None = None) -> BatchPlan:
    """Validate run_batch's arguments and build the kernel arrays (no simulation)."""
    if not HAVE_NUMBA:
        raise EngineUnavailable("the fused engine needs numba (pip install numba)")
    T = int(T)
    if T < 1:
        raise ValueError(f"T must be >= 1 (got {T})")
    if problem_kind not in PROBLEM_KINDS:
        raise ValueError(f"problem_kind: unknown {problem_kind!r}; choose one of {', '.join(PROBLEM_KINDS)}")
    F = _flags(method, variant, schedule, beta1_schedule, bias_correction_m, bias_correction_v)
    if method == "rmsprop":
        beta1 = 0.0
    if method in ("adamnc",):
        beta2 = None
    if method == "adamx":
        eps = 0.0
    if F[K.F_B1SCHED] == 1 and lam is None:
        raise ValueError("lam: the geometric beta1 schedule needs lam in (0, 1)")
    vals = None
    if problem_kind == "explicit":
        if values is None:
            raise ValueError("values: the explicit problem needs values of shape (T0,) or (T0, N)")
        vals = np.asarray([[_f(u) for u in np.atleast_1d(r)] for r in values], dtype=np.float64) \
            if not (isinstance(values, np.ndarray) and values.dtype.kind == "f") \
            else np.asarray(values, dtype=np.float64)
        if vals.ndim == 1:
            vals = vals[:, None]
        if vals.shape[0] < T:
            raise ValueError(f"T {T} exceeds the {vals.shape[0]} rounds of the explicit problem")
    nn = N or _length(beta1, beta2, alpha, eps, C, n, x1, p, low, lo, hi, lam, eps_root,
                      None if vals is None or vals.shape[1] == 1 else np.zeros(vals.shape[1]))
    P, ST = _prepare(nn, alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eps_root=eps_root,
                     lam=lam, lo=lo, hi=hi, big=C, low=low, p=p, x1=x1)
    PH = np.zeros((3, nn), dtype=np.int64)
    gtab = np.zeros((1, 1))
    chunk_source = None
    if problem_kind == "periodic":
        if pattern is not None:
            F[K.F_GMODE] = K.G_TABLE
            gtab = np.array([[_f(u)] for u in pattern], dtype=np.float64)
        else:
            if C is None or n is None:
                raise ValueError("C, n: the periodic problem needs C and n (or a pattern)")
            F[K.F_GMODE] = K.G_PERIODIC2
            nv = np.asarray(n).ravel()
            if np.any(nv != np.round(nv)):
                raise ValueError("n: the period must be an integer >= 1")
            nv = np.broadcast_to(nv.astype(np.int64), (nn,)) if nv.size > 1 else \
                np.full(nn, int(nv[0]), dtype=np.int64)
            if nv.shape[0] != nn:
                raise ValueError(f"n: expected a scalar or {nn} values")
            if np.any(nv < 1):
                raise ValueError("n: the period must be an integer >= 1")
            PH[1] = nv
            if _length(C, n, low) == 1 and nn > 1:
                # one period for every trajectory: the gradient is shared per round, a table
                # (bit-identical values; saves the per-lane phase counters in the kernels)
                F[K.F_GMODE] = K.G_TABLE
                gtab = np.array([[P[K.GBIG, 0]]] + [[P[K.GLOW, 0]]] * (int(nv[0]) - 1))
    elif problem_kind == "bernoulli":
        if p is None or C is None:
            raise ValueError("p, C: the Bernoulli problem needs p and C (the large value)")
        F[K.F_GMODE] = K.G_COINS
        rng = np.random.Generator(np.random.PCG64(0 if seed is None else int(seed)))

        def chunk_source(t0, t1, rng=rng, nn=nn):
            return rng.random((t1 - t0, nn, 1)).reshape(t1 - t0, nn)
    else:
        if vals.shape[1] == 1:
            F[K.F_GMODE] = K.G_TABLE
            gtab = np.ascontiguousarray(vals[:T])
        else:
            if vals.shape[1] != nn:
                raise ValueError(f"values: {vals.shape[1]} columns for {nn} trajectories")
            F[K.F_GMODE] = K.G_VALUES
            vv = np.ascontiguousarray(vals)

            def chunk_source(t0, t1, vv=vv):
                return vv[t0 - 1:t1 - 1]
    return BatchPlan(F, P, ST, PH, gtab, _checkpoint_array(checkpoints, T), chunk_source, nn)


def run_batch(method: str, variant: str = "paper", beta1=0.9, beta2=0.99, alpha=0.5, eps=0.0,
              schedule: str = "sqrt", C=None, n=None, x1=0.0, T: int = 1000,
              checkpoints: Sequence[int] = (), problem_kind: str = "periodic", p=None,
              seed: int | None = None, low=-1.0, lo=-1.0, hi=1.0, pattern=None, values=None,
              beta1_schedule: str = "constant", lam=None, eps_root=0.0, bias_correction_m=None,
              bias_correction_v=None, N: int | None = None, threads: int | None = None,
              progress: Callable[[int, int], None] | None = None, path: str = "auto",
              backend: str = "numba") -> BatchResult:
    """Run N trajectories of one method for T rounds; see the module docstring for every argument.

    ``backend``: 'numba' (this engine); 'cupy' for the one-thread-per-trajectory CUDA kernel of
    :mod:`numerics.engine_cuda`; 'numpy' / 'array_api_strict' / 'cupy-xp' for the array-API kernel
    of :mod:`numerics.xp_kernel`.  'cupy' and 'cupy-xp' raise BackendUnavailable without a GPU.
    """
    args = dict(variant=variant, beta1=beta1, beta2=beta2, alpha=alpha, eps=eps, schedule=schedule,
                C=C, n=n, x1=x1, T=T, checkpoints=checkpoints, problem_kind=problem_kind, p=p,
                seed=seed, low=low, lo=lo, hi=hi, pattern=pattern, values=values,
                beta1_schedule=beta1_schedule, lam=lam, eps_root=eps_root,
                bias_correction_m=bias_correction_m, bias_correction_v=bias_correction_v, N=N)
    if backend == "cupy":  # one GPU thread per trajectory (numerics.engine_cuda)
        from .engine_cuda import run_batch_cuda

        return run_batch_cuda(method, **args)
    if backend != "numba":
        from .xp_kernel import run_batch_xp

        return run_batch_xp(method, xp="cupy" if backend == "cupy-xp" else backend, **args)
    plan = plan_batch(method, **args)
    T = int(T)
    engine, pth, secs, cpx, cpr = _execute(plan.F, plan.P, plan.ST, plan.PH, plan.gtab, T,
                                           plan.cps, chunk_source=plan.chunk_source,
                                           threads=threads, progress=progress, path=path)
    ST = plan.ST
    regret = _final_regret(ST, plan.P)
    return BatchResult(x_T=ST[K.X].copy(), x_played=ST[K.XT].copy(), regret=regret,
                       avg_regret=regret / T, checkpoints=plan.cps, cp_x=cpx, cp_regret=cpr,
                       engine=engine, path=pth, T=T, seconds=secs,
                       info={"method": method, "variant": variant, "problem": problem_kind,
                             "seed": seed, "N": plan.N})


def _final_regret(ST, P) -> np.ndarray:
    """R_T = loss - min(lo S, hi S), written as numerics.run._best_fixed_loss (same rounding)."""
    s = ST[K.SUMG]
    a, b = -P[K.LO] * s, -P[K.HI] * s
    return ST[K.LOSS] - (-np.where(a >= b, a, b))


# ------------------------------------------------------------------------------------------------
# The drop-in for numerics.run.run
def _plan(method, problem, x1, backend):
    """(kwargs for the kernels, shapes) or a string saying why the engine does not apply."""
    from .problems import Bernoulli, Explicit, Periodic

    if not HAVE_NUMBA:
        return "numba is not installed"
    if backend is not None and getattr(backend, "name", None) != "numpy":
        return f"backend {getattr(backend, 'name', backend)!r} is not float64 numpy"
    if backend is not None and type(backend).__name__ not in ("NumpyBackend", "FloatBackend"):
        return f"backend class {type(backend).__name__} is not the float64 CPU backend"
    name, h = method.name, dict(method.hyper)
    if name not in ENGINE_METHODS:
        return f"method {name!r} is not covered"
    if "beta2_schedule" in h and h["beta2_schedule"] != "beta2_adamnc":
        return "a user-defined beta2 schedule is not covered"
    if type(problem) not in (Periodic, Bernoulli, Explicit):
        return f"problem type {type(problem).__name__} is not covered"
    d = problem.d
    batch = getattr(problem, "batch", 1) if isinstance(problem, Bernoulli) else 1
    x1a = np.asarray(x1, dtype=object)
    if x1a.ndim == 0:
        if batch != 1:
            return "a batched Bernoulli problem needs x1 of shape (batch, d)"
        shape = () if d == 1 else (d,)
    elif x1a.ndim == 1:
        if x1a.shape[0] != d or batch != 1:
            return "x1 does not match the problem's dimension"
        shape = (d,)
    elif x1a.ndim == 2:
        if x1a.shape[1] != d or (batch != 1 and x1a.shape[0] != batch):
            return "x1 does not match (batch, d)"
        if isinstance(problem, Bernoulli) and batch == 1 and x1a.shape[0] != 1:
            return "one Bernoulli path shared by many trajectories is not covered"
        shape = x1a.shape
    else:
        return "x1 must be a scalar, a (d,) vector or an (N, d) array"
    return shape


def why_not(method, problem, x1=0, backend=None) -> str | None:
    """Why :func:`try_run` would return None (a sentence), or None when it applies."""
    plan = _plan(method, problem, x1, backend)
    return plan if isinstance(plan, str) else None


def try_run(method, problem, T: int, x1=0, checkpoints: Sequence[int] | None = None,
            backend=None, progress: Callable[[int, int], None] | None = None):
    """:func:`numerics.run.run` through the fused engine, or None when the engine does not apply."""
    from .problems import Explicit, Periodic
    from .run import Checkpoint, RunResult, default_checkpoints

    from .backends import ArbBackend

    if isinstance(backend, ArbBackend):  # certified: the fused ball loop (same balls as run())
        from .engine_arb import run_arb

        return run_arb(method, problem, T, x1, backend, checkpoints)
    shape = _plan(method, problem, x1, backend)
    if isinstance(shape, str):
        return None
    T = int(T)
    if T < 1:
        return None  # let run() raise its own error
    if isinstance(problem, Explicit) and T > len(problem._rows):
        return None
    d = problem.d
    h = dict(method.hyper)
    x1a = np.asarray(x1, dtype=object)
    ntraj = 1 if len(shape) < 2 else shape[0]
    lanes = ntraj * d
    x1v = np.array([_f(v) for v in np.broadcast_to(x1a, (ntraj, d)).ravel()], dtype=np.float64)
    name = method.name
    F = _flags(name, h.get("variant", "paper"), h.get("schedule", "sqrt"),
               h.get("beta1_schedule", "constant"), h.get("bias_correction_m"),
               h.get("bias_correction_v"))
    lam = h.get("lam")
    if F[K.F_B1SCHED] == 1 and lam is None:
        return None  # the reference raises on lam ** (t-1) with lam None
    big = low = prob = None
    PH = np.zeros((3, lanes), dtype=np.int64)
    PH[2] = np.tile(np.arange(d), ntraj)
    gtab = np.zeros((1, 1))
    chunk_source = None
    if isinstance(problem, Periodic):
        F[K.F_GMODE] = K.G_TABLE
        gtab = np.array([[float(q) for q in row] for row in problem._rows], dtype=np.float64)
    elif isinstance(problem, Explicit):
        F[K.F_GMODE] = K.G_TABLE
        gtab = np.array([[float(q) for q in row] for row in problem._rows[:T]], dtype=np.float64)
    else:
        F[K.F_GMODE] = K.G_COINS
        big, low, prob = _f(problem.high), _f(problem.low), float(to_fraction(problem.p))
        rng = np.random.Generator(np.random.PCG64(problem.seed))
        batch = problem.batch

        def chunk_source(t0, t1, rng=rng, batch=batch):
            return rng.random((t1 - t0, batch, d)).reshape(t1 - t0, batch * d)
    if gtab.shape[1] == 1 and d == 1:
        PH[2] = 0
    P, ST = _prepare(lanes, alpha=h.get("alpha", 1), beta1=h.get("beta1", 0) if name != "rmsprop" else 0,
                     beta2=h.get("beta2") if name != "adamnc" else None, eps=h.get("eps", 0) or 0,
                     eps_root=h.get("eps_root", 0) or 0, lam=lam, lo=problem.lo, hi=problem.hi,
                     big=big, low=low if low is not None else 0.0, p=prob, x1=x1v)
    cps = _checkpoint_array(checkpoints if checkpoints is not None else default_checkpoints(T), T)
    engine, pth, secs, cpx, cpr = _execute(F, P, ST, PH, gtab, T, cps, chunk_source=chunk_source,
                                           progress=progress)
    reg_lane = _final_regret(ST, P)

    def shape_x(row):
        if shape == ():
            return float(row[0])
        return row.reshape(shape).copy()

    def shape_r(row):
        if shape == ():
            return float(row[0])
        r = row.reshape(ntraj, d).sum(axis=1)
        return r[0] if len(shape) == 1 else r

    out = [Checkpoint(int(t), shape_x(cpx[k]), shape_r(cpr[k])) for k, t in enumerate(cps)]
    regret = shape_r(reg_lane)
    desc = {"backend": "numpy", "dps": None, "engine": engine, "engine_path": pth,
            "engine_seconds": secs}
    return RunResult(method.name, method.hyper, problem.describe(), T, shape_x(ST[K.X]),
                     shape_x(ST[K.XT]), regret, regret / T, out, desc)


def run_fast(method, problem, T: int, x1=0, backend=None, checkpoints: Sequence[int] | None = None):
    """:func:`numerics.run.run` through the engine when it applies, else the reference path itself.

    The result's ``backend['engine']`` says which ran ('reference' for the reference loop)."""
    from .run import run

    res = try_run(method, problem, T, x1, checkpoints, backend=backend)
    if res is None:
        res = run(method, problem, T, x1=x1, backend=backend, checkpoints=checkpoints)
        res.backend.setdefault("engine", "reference")
    return res
