"""The batch kernel written once against the Python array API standard: CuPy on a GPU, numpy, and
``array_api_strict`` (with its fake devices) in CPU-only tests.

It runs the same workloads as :func:`numerics.engine.run_batch` (same arguments, same
:class:`numerics.engine.BatchResult`), one array operation per term of the reference update of
:mod:`numerics.optimizers`, vectorised over trajectories (one GPU thread per trajectory per
operation).  Only portable operations are used: arithmetic with Python scalars, ``sqrt``, ``where``,
``take``, ``remainder``-free phase counters, ``asarray(..., device=)`` and ``zeros(..., device=)``;
every array is created on the device of the state, so ``array_api_strict`` with a non-default
device raises if any operation would mix devices (the failure CuPy would hit on a real GPU).

Equality with the reference: on numpy and on array_api_strict the results agree with
``numerics.run`` to 1e-12 (tests/test_engine_xp.py).  They are not always bit-identical: array
``b ** t`` may use a vectorised pow and array ``r ** 2`` is ``r * r``, where Python calls libm pow.

GPU status: UNTESTED ON HARDWARE.  This task had no GPU; the CuPy path is the kernel above with
``xp = cupy`` (``engine.run_batch(..., backend='cupy-xp')``), tested only through array_api_strict.
The faster GPU path is :mod:`numerics.engine_cuda` (``backend='cupy'``: one thread per trajectory,
the time loop in registers; this module launches about 30 small kernels per round).  Without CuPy
or without a usable device both raise :class:`numerics.backends.BackendUnavailable` with a one-line
reason (the check of :class:`numerics.backends.CupyBackend`).

API: ``run_batch_xp(method, xp='numpy' | 'array_api_strict' | 'cupy' | a namespace, device=None,
**same keyword arguments as engine.run_batch) -> BatchResult`` (host numpy arrays; ``engine`` is
'xp:<namespace>', ``info['device']`` the device it ran on); ``namespace(name)`` resolves a name.
"""
from __future__ import annotations

import math
import time

import numpy as np

from . import engine as E
from .backends import BackendUnavailable, CupyBackend

XP_NAMES = ("numpy", "array_api_strict", "cupy")


def namespace(name):
    """The array namespace called ``name``; CuPy only when a GPU answers (else BackendUnavailable)."""
    if not isinstance(name, str):
        return name
    if name == "numpy":
        return np
    if name == "array_api_strict":
        try:
            import array_api_strict
        except ImportError as exc:  # pragma: no cover - a test dependency
            raise BackendUnavailable("--backend array_api_strict: pip install array-api-strict") from exc
        return array_api_strict
    if name == "cupy":
        return CupyBackend().xp  # raises BackendUnavailable with the reason when no GPU answers
    raise ValueError(f"xp: unknown array namespace {name!r}; choose one of {', '.join(XP_NAMES)}")


def _to_host(a) -> np.ndarray:
    if hasattr(a, "get") and type(a).__module__.startswith("cupy"):
        return a.get()
    if isinstance(a, np.ndarray):
        return a
    return np.from_dlpack(a)


def _name(xp) -> str:
    return getattr(xp, "__name__", type(xp).__name__)


def run_batch_xp(method: str, xp="numpy", device=None, *, T: int, **kw) -> E.BatchResult:
    """engine.run_batch's workload on an array namespace (see the module docstring)."""
    ns = namespace(xp)
    plan = E.plan_batch(method, T=T, **kw)
    F, P, ST, PH, gtab, cps = plan.F, plan.P, plan.ST, plan.PH, plan.gtab, plan.cps
    K = E.K
    N = ST.shape[1]

    def dev(a, dtype=None):
        a = np.ascontiguousarray(a)
        return ns.asarray(a, dtype=dtype, device=device) if device is not None else ns.asarray(a, dtype=dtype)

    f64 = ns.float64
    kind, ams, adx, b1s, b2s = (int(F[K.F_KIND]), int(F[K.F_AMSGRAD]), int(F[K.F_ADAMX]),
                                int(F[K.F_B1SCHED]), int(F[K.F_B2SCHED]))
    bcm, bcv, epsin, sched, gmode = (int(F[K.F_BCM]), int(F[K.F_BCV]), int(F[K.F_EPSIN]),
                                     int(F[K.F_SCHED]), int(F[K.F_GMODE]))
    a, b1, b2 = dev(P[K.A], f64), dev(P[K.B1], f64), dev(P[K.B2], f64)
    e, er, lam = dev(P[K.EPS], f64), dev(P[K.EPSR], f64), dev(P[K.LAM], f64)
    lo, hi = dev(P[K.LO], f64), dev(P[K.HI], f64)
    gb, gl, pr = dev(P[K.GBIG], f64), dev(P[K.GLOW], f64), dev(P[K.PROB], f64)
    x = dev(ST[K.X], f64)
    zero = x * 0.0
    one = zero + 1.0
    m, v, vh, loss, s = zero, zero, zero, zero, zero
    ph, nn = dev(PH[0], ns.int64), dev(PH[1], ns.int64)
    izero = ph * 0
    col = dev(PH[2], ns.int64)
    gt = dev(gtab, f64)
    L = gtab.shape[0]
    x_played = x
    cpx = np.zeros((cps.shape[0], N))
    cpr = np.zeros((cps.shape[0], N))
    want = {int(t): k for k, t in enumerate(cps)}

    def safe_div(num, den):
        nz = den != 0.0
        return ns.where(nz, num / ns.where(nz, den, one), zero)

    def maximum(p, q):  # FloatBackend.maximum: p if p >= q else q
        return ns.where(p >= q, p, q)

    def b1t(t):
        if b1s == 0:
            return b1
        if b1s == 1:
            return b1 * lam ** float(t - 1)
        return b1 / float(t)

    chunk = None
    c0 = 1
    t0 = time.perf_counter()
    for t in range(1, T + 1):
        ft = float(t)
        if gmode == K.G_PERIODIC2:
            g = ns.where(ph == 0, gb, gl)
            ph = ph + 1
            ph = ns.where(ph == nn, izero, ph)
        elif gmode == K.G_TABLE:
            g = ns.take(gt[(t - 1) % L, :], col)
        else:
            if chunk is None or t - c0 >= chunk.shape[0]:
                c0 = t
                chunk = dev(plan.chunk_source(t, min(T + 1, t + max(1, E.CHUNK_VALUES // N))), f64)
            u = chunk[t - c0, :]
            g = ns.where(u < pr, gb, gl) if gmode == K.G_COINS else u
        loss = loss + g * x
        s = s + g
        x_played = x
        k = want.get(t)
        if k is not None:
            q1, q2 = -lo * s, -hi * s
            cpr[k] = _to_host(loss - (-maximum(q1, q2)))
        at = a / math.sqrt(ft) if sched == 0 else a  # alpha / sqrt(t), as schedules.alpha_t
        if kind == K.KIND_SGD:
            step = at * g
        elif kind == K.KIND_ADAGRAD:
            v = v + g * g
            denom = ns.sqrt(v / ft + e)
            step = at * safe_div(g, denom)
        else:
            bt1 = b1t(t)
            bt2 = b2 if b2s == 0 else 1.0 - 1.0 / ft
            m = bt1 * m + (1.0 - bt1) * g
            v = bt2 * v + (1.0 - bt2) * (g * g)
            vfm = v / (1.0 - b2 ** ft) if bcv == 1 else v
            if adx:
                ratio = one if t == 1 else ((1.0 - bt1) / (1.0 - b1t(t - 1))) ** 2.0
                vh = maximum(ratio * vh, vfm)
            elif ams:
                vh = maximum(vh, vfm)
            else:
                vh = vfm
            mu = m / (1.0 - b1 ** ft) if bcm else m
            vu = vh / (1.0 - b2 ** ft) if bcv == 2 else vh
            lr = at * ns.sqrt(1.0 - b2 ** ft) if bcv == 3 else at
            denom = ns.sqrt(vu + e + er) if epsin else ns.sqrt(vu + er) + e
            step = lr * safe_div(mu, denom)
        y = x - step
        x = ns.where(y < lo, lo, ns.where(y > hi, hi, y))
        if k is not None:
            cpx[k] = _to_host(x)
    secs = time.perf_counter() - t0
    q1, q2 = -lo * s, -hi * s
    regret = _to_host(loss - (-maximum(q1, q2)))
    devname = str(getattr(x, "device", "cpu"))
    return E.BatchResult(x_T=_to_host(x).copy(), x_played=_to_host(x_played).copy(), regret=regret,
                         avg_regret=regret / T, checkpoints=cps, cp_x=cpx, cp_regret=cpr,
                         engine=f"xp:{_name(ns)}", path="array-api", T=T, seconds=secs,
                         info={"method": method, "device": devname, "N": N})
