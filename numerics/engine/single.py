"""``simulate``: :func:`numerics.run.run` by the fastest path that returns the same numbers."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..backends import ArbBackend
from ..problems import Bernoulli, Explicit, Periodic
from . import layout as LY
from .batch import execute, final_regret
from .plan import EngineUnavailable, f64, plan, why_not_rule

try:  # numba is a hard dependency, but the engine must never be the reason an import fails
    import numba  # noqa: F401

    #: Whether numba imports here: without it the engine's kernels cannot run (simulate() takes the reference loop).
    HAVE_NUMBA = True
except Exception:  # pragma: no cover - exercised only without numba
    HAVE_NUMBA = False


def _shape(method, problem, x1, backend):
    """The shape of x (``()``, ``(d,)`` or ``(N, d)``) or a sentence saying why the engine declines."""
    if not HAVE_NUMBA:
        return "numba is not installed"
    if backend is not None and type(backend).__name__ not in ("NumpyBackend", "FloatBackend"):
        return f"backend {getattr(backend, 'name', backend)!r} is not the float64 CPU backend"
    reason = why_not_rule(method)
    if reason:
        return reason
    if type(problem) not in (Periodic, Bernoulli, Explicit):
        return f"problem type {type(problem).__name__} is not covered"
    d = problem.d
    batch = problem.batch if isinstance(problem, Bernoulli) else 1
    x1a = np.asarray(x1, dtype=object)
    if x1a.ndim == 0:
        if batch != 1:
            return "a batched Bernoulli problem needs x1 of shape (batch, d)"
        return () if d == 1 else (d,)
    if x1a.ndim == 1:
        if x1a.shape[0] != d or batch != 1:
            return "x1 does not match the problem's dimension"
        return (d,)
    if x1a.ndim == 2:
        if x1a.shape[1] != d or (batch != 1 and x1a.shape[0] != batch):
            return "x1 does not match (batch, d)"
        if isinstance(problem, Bernoulli) and batch == 1 and x1a.shape[0] != 1:
            return "one Bernoulli path shared by many trajectories is not covered"
        return x1a.shape
    return "x1 must be a scalar, a (d,) vector or an (N, d) array"


def why_not(method, problem, x1=0, backend=None) -> str | None:
    """Why :func:`simulate` would fall back to the reference loop (a sentence), or None.

    >>> from numerics import Periodic, adam, adamw, get_backend
    >>> from numerics.engine import why_not
    >>> thm1 = Periodic(pattern=[3, -1, -1])
    >>> why_not(adam(beta1=0, beta2="1/10"), thm1) is None             # float64: the compiled kernels
    True
    >>> why_not(adam(beta1=0, beta2="1/10"), thm1, backend=get_backend("sympy"))
    "backend 'sympy' is not the float64 CPU backend"
    """
    if isinstance(backend, ArbBackend):
        from .arb import why_not_arb

        return why_not_arb(method, problem, x1)
    s = _shape(method, problem, x1, backend)
    return s if isinstance(s, str) else None


def estimate_seconds(method, problem, T: int, x1=0, backend=None) -> float | None:
    """The hook of ``numerics.cli.estimate_seconds`` (the CLIs' ETA guard): where :func:`simulate` will take
    the certified fast-forward for this run, its cost (the fast path is run once here, which is what its
    answer costs; seconds, not days); None ("no opinion": the guard times brute force) everywhere else,
    including a fast path that applies but ends UNKNOWN, since simulate then steps every round.

    >>> from analysis.families import build
    >>> from numerics.engine import estimate_seconds
    >>> fam = build("thm1")
    >>> estimate_seconds(fam.method("adam"), fam.sequence, 10**15, x1=fam.x1) < 60   # fast-forward: seconds
    True
    >>> estimate_seconds(fam.method("adam"), fam.sequence, 1000, x1=fam.x1) is None   # brute force: no opinion
    True
    """
    T = int(T)
    if not isinstance(problem, Periodic):
        return None
    res, _ = _fast(method, problem, T, x1, backend, [T], None)
    return None if res is None else float(res.backend.get("engine_seconds") or 0.0)


def _fast(method, problem, T, x1, backend, checkpoints, fast):
    """The certified fast-forward's RunResult, or (None, why not) when it does not apply or ends UNKNOWN."""
    from ..run import Checkpoint, RunResult, default_checkpoints
    from .fastforward import THRESHOLD, fast_forward, fast_forward_applies

    if fast is False:
        return None, "fast_forward=False"
    if backend is not None and not isinstance(backend, ArbBackend) and \
            type(backend).__name__ not in ("NumpyBackend", "FloatBackend"):
        return None, f"backend {getattr(backend, 'name', backend)!r}: the fast path gives float64 or arb results"
    if fast is None and T < THRESHOLD:
        return None, f"T = {T} < {THRESHOLD} (brute force is quick)"
    ok, why = fast_forward_applies(method, problem, T, x1)
    if not ok:
        return None, why
    cps = checkpoints if checkpoints is not None else default_checkpoints(T)
    prec = max(192, backend.prec) if isinstance(backend, ArbBackend) else 192
    r = fast_forward(method, problem, T, x1, prec=prec, checkpoints=cps)
    if not r.certified:
        return None, r.why_not
    ball = isinstance(backend, ArbBackend)
    val = (lambda v: v) if ball else (lambda v: float(v.mid()))
    want = {int(c) for c in cps}
    out = [Checkpoint(t, val(xc), val(rc)) for t, xc, rc in r.checkpoints if t in want]
    desc = dict(backend.describe()) if ball else {"backend": "numpy", "dps": None}
    desc.update(engine="fast-forward", engine_seconds=r.seconds, certified=True, how=r.how,
                regimes=[list(g) for g in r.regimes], prec_bits=r.prec,
                balls={k: getattr(r, k).str(20) for k in ("x_T", "x_played", "regret", "avg_regret")},
                radii=r.radii(), versions=r.versions)
    return RunResult(method.name, method.hyper, problem.describe(), T, val(r.x_T), val(r.x_played),
                     val(r.regret), val(r.avg_regret), out, desc), None


def simulate(method, problem, T: int, x1=0, *, backend=None, checkpoints: Sequence[int] | None = None,
             progress: Callable[[int, int], None] | None = None, fast_forward: bool | None = None):
    """:func:`numerics.run.run`'s result by the fused engine where it applies, else by ``run`` itself.

    From T = ``fastforward.THRESHOLD`` on (or always with ``fast_forward=True``; never with False), a rule
    whose state ignores x on a 1-D periodic problem runs the certified fast-forward
    (:mod:`numerics.engine.fastforward`): ``backend['engine'] == 'fast-forward'``, the balls in
    ``backend['balls']`` (float64 callers get their midpoints, an ``ArbBackend`` caller the balls).  Where
    it does not apply or ends UNKNOWN, ``backend['fast_forward_why_not']`` says why and the run below
    happens.  float64 (``backend`` None or numpy): the numba kernels; ``ArbBackend``: the fused ball loop
    of :mod:`numerics.engine.arb` (the same balls); anything else: the reference loop.  The result's
    ``backend['engine']`` says which ran ('reference' for the reference loop).

    Theorem 1's family (C = 3, beta1 = 0, beta2 = 1/(1+C^2), x_1 = 1): at T = 10^15 the certified
    fast-forward runs (arb balls, no numba), and R_T/T -> 2(C-2)/3 = 2/3 (Adam sits at x = +1: each period
    costs (C - 2) - (2 - C) = 2 over 3 rounds); on mpmath the reference loop runs.

    >>> from analysis.families import build
    >>> from numerics import get_backend
    >>> from numerics.engine import simulate
    >>> fam = build("thm1")
    >>> r = simulate(fam.method("adam"), fam.sequence, 10**15, x1=fam.x1)
    >>> r.backend["engine"], round(r.avg_regret, 6)
    ('fast-forward', 0.666667)
    >>> simulate(fam.method("adam"), fam.sequence, 30, x1=fam.x1, backend=get_backend("mpmath")).backend["engine"]
    'reference'
    """
    from ..run import Checkpoint, RunResult, default_checkpoints, run

    T = int(T)
    fast_why = None
    if T >= 1 and isinstance(problem, Periodic):
        fast_res, fast_why = _fast(method, problem, T, x1, backend, checkpoints, fast_forward)
        if fast_res is not None:
            return fast_res
    res = _simulate(method, problem, T, x1, backend, checkpoints, progress)
    if fast_why is not None:
        res.backend["fast_forward_why_not"] = fast_why
    return res


def _simulate(method, problem, T, x1, backend, checkpoints, progress):
    from ..run import Checkpoint, RunResult, default_checkpoints, run

    if T >= 1 and isinstance(backend, ArbBackend) and why_not(method, problem, x1, backend) is None:
        from .arb import run_arb

        return run_arb(method, problem, T, x1, backend, checkpoints)
    shape = _shape(method, problem, x1, backend) if T >= 1 else "T < 1"
    if isinstance(shape, str) or (isinstance(problem, Explicit) and T > len(problem._rows)):
        res = run(method, problem, T, x1=x1, backend=backend, checkpoints=checkpoints)
        res.backend.setdefault("engine", "reference")
        return res
    d = problem.d
    ntraj = 1 if len(shape) < 2 else shape[0]
    x1a = np.asarray(x1, dtype=object)
    x1v = np.array([f64(v) for v in np.broadcast_to(x1a, (ntraj, d)).ravel()], dtype=np.float64)
    cps_in = checkpoints if checkpoints is not None else default_checkpoints(T)
    try:
        pl = plan(method, problem, T, x1v.reshape(ntraj, d) if d > 1 else x1v, cps_in, ntraj=ntraj)
    except EngineUnavailable:
        res = run(method, problem, T, x1=x1, backend=backend, checkpoints=checkpoints)
        res.backend.setdefault("engine", "reference")
        return res
    engine, secs, cpx, cpr = execute(pl, progress=progress)
    reg_lane = final_regret(pl.ST, pl.lo, pl.hi)

    def shape_x(row):
        if shape == ():
            return float(row[0])
        return row.reshape(shape).copy()

    def shape_r(row):
        if shape == ():
            return float(row[0])
        r = row.reshape(ntraj, d).sum(axis=1)
        return r[0] if len(shape) == 1 else r

    out = [Checkpoint(int(t), shape_x(cpx[k]), shape_r(cpr[k])) for k, t in enumerate(pl.cps)]
    regret = shape_r(reg_lane)
    desc = {"backend": "numpy", "dps": None, "engine": engine, "engine_seconds": secs}
    return RunResult(method.name, method.hyper, problem.describe(), T, shape_x(pl.ST[LY.X]),
                     shape_x(pl.ST[LY.XPLAYED]), regret, regret / T, out, desc)
