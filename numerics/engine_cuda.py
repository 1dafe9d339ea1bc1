"""The GPU batch kernel: one CUDA thread per trajectory, the whole time loop in registers.

The kernel source below is plain C that compiles both as CUDA (through ``cupy.RawKernel`` with
``--fmad=false``, so that no multiply-add is contracted: the reference rounds every product) and,
for the tests, as host C with gcc (``-ffp-contract=off``).  Its body is the generic update of
:mod:`numerics.engine_kernels` (all methods, variants and gradient sources), line by line.  On the
host it uses the same libm ``pow`` as Python, so ``tests/test_engine_cuda_source.py`` finds it
bit-identical to the numba engine and to ``numerics.run``; on a GPU, CUDA's ``pow`` may differ in the
last bit (the 1e-12 agreement still holds: the equality tests use that tolerance).

GPU status: UNTESTED ON HARDWARE (no GPU in this task).  Without CuPy or without a usable device,
:func:`run_batch_cuda` raises :class:`numerics.backends.BackendUnavailable` with a one-line reason.

API: ``run_batch_cuda(method, T=..., **engine.run_batch keyword arguments) -> BatchResult``
(engine 'cupy-raw'); ``host_library()`` compiles the same source for the CPU (tests only).
"""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

from . import engine as E
from .backends import BackendUnavailable, CupyBackend

SOURCE = r"""
#include <math.h>
#ifdef __CUDACC__
#define AB_GLOBAL extern "C" __global__
#else
#ifdef __cplusplus
#define AB_GLOBAL extern "C"
#else
#define AB_GLOBAL
#endif
#endif

/* one lane = one trajectory; rows of P, ST, PH and flags F as in numerics/engine_kernels.py */
AB_GLOBAL void ab_batch(long long t_start, long long t_stop, long long T, const long long *F,
                        double two, const double *P, double *ST, long long *PH,
                        const double *gtab, long long L, long long KC, const double *U,
                        const long long *cps, long long ncps, double *cpx, double *cpr,
                        long long N, long long lane0, long long nlanes)
{
#ifdef __CUDACC__
    long long i = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    if (i >= N) return;
    {
#else
    for (long long i = lane0; i < lane0 + nlanes; ++i) {
#endif
    const long long kind = F[0], ams = F[1], adx = F[2], b1s = F[3], b2s = F[4];
    const long long bcm = F[5], bcv = F[6], epsin = F[7], sched = F[8], gmode = F[9];
    double x = ST[0 * N + i], m = ST[1 * N + i], v = ST[2 * N + i], vh = ST[3 * N + i];
    double loss = ST[4 * N + i], s = ST[5 * N + i];
    const double a = P[0 * N + i], b1 = P[1 * N + i], b2 = P[2 * N + i], e = P[3 * N + i];
    const double er = P[4 * N + i], lam = P[5 * N + i], lo = P[6 * N + i], hi = P[7 * N + i];
    const double gb = P[8 * N + i], gl = P[9 * N + i], pr = P[10 * N + i];
    long long ph = PH[0 * N + i];
    const long long nn = PH[1 * N + i], col = PH[2 * N + i];
    long long kc = 0;
    while (kc < ncps && cps[kc] < t_start) ++kc;
    for (long long t = t_start; t < t_stop; ++t) {
        const double ft = (double)t;
        double g;
        if (gmode == 0) {
            g = (ph == 0) ? gb : gl;
            ph = ph + 1;
            if (ph == nn) ph = 0;
        } else if (gmode == 1) {
            g = gtab[((t - 1) % L) * KC + col];
        } else if (gmode == 2) {
            g = (U[(t - t_start) * N + i] < pr) ? gb : gl;
        } else {
            g = U[(t - t_start) * N + i];
        }
        loss = loss + g * x;
        s = s + g;
        if (t == T) ST[6 * N + i] = x;
        const int rec = (kc < ncps && cps[kc] == t);
        if (rec) {
            const double p1 = -lo * s, p2 = -hi * s;
            cpr[kc * N + i] = loss - (-(p1 >= p2 ? p1 : p2));
        }
        const double at = (sched == 0) ? a / sqrt(ft) : a;
        double step;
        if (kind == 0) {
            step = at * g;
        } else if (kind == 1) {
            v = v + g * g;
            const double denom = sqrt(v / ft + e);
            const double q = (denom == 0.0) ? 0.0 : g / denom;
            step = at * q;
        } else {
            double bt1, bt2;
            if (b1s == 0) bt1 = b1;
            else if (b1s == 1) bt1 = b1 * pow(lam, (double)(t - 1));
            else bt1 = b1 / ft;
            bt2 = (b2s == 0) ? b2 : 1.0 - 1.0 / ft;
            m = bt1 * m + (1.0 - bt1) * g;
            v = bt2 * v + (1.0 - bt2) * (g * g);
            const double vfm = (bcv == 1) ? v / (1.0 - pow(b2, ft)) : v;
            if (adx) {
                double ratio = 1.0;
                if (t != 1) {
                    double prev;
                    if (b1s == 0) prev = b1;
                    else if (b1s == 1) prev = b1 * pow(lam, (double)(t - 2));
                    else prev = b1 / (double)(t - 1);
                    ratio = pow((1.0 - bt1) / (1.0 - prev), two);
                }
                const double cand = ratio * vh;
                vh = (cand >= vfm) ? cand : vfm;
            } else if (ams) {
                vh = (vh >= vfm) ? vh : vfm;
            } else {
                vh = vfm;
            }
            const double mu = bcm ? m / (1.0 - pow(b1, ft)) : m;
            const double vu = (bcv == 2) ? vh / (1.0 - pow(b2, ft)) : vh;
            const double lr = (bcv == 3) ? at * sqrt(1.0 - pow(b2, ft)) : at;
            const double denom = epsin ? sqrt(vu + e + er) : sqrt(vu + er) + e;
            const double q = (denom == 0.0) ? 0.0 : mu / denom;
            step = lr * q;
        }
        const double y = x - step;
        x = (y < lo) ? lo : ((y > hi) ? hi : y);
        if (rec) {
            cpx[kc * N + i] = x;
            ++kc;
        }
    }
    ST[0 * N + i] = x; ST[1 * N + i] = m; ST[2 * N + i] = v; ST[3 * N + i] = vh;
    ST[4 * N + i] = loss; ST[5 * N + i] = s;
    PH[0 * N + i] = ph;
    }
}
"""

_HOST = None


def host_library():
    """The kernel source compiled for this CPU (gcc, -O2, no contraction); for tests.

    Raises BackendUnavailable when no C compiler is found."""
    global _HOST
    if _HOST is not None:
        return _HOST
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        raise BackendUnavailable("no C compiler (gcc) to build the kernel source on the host")
    folder = tempfile.mkdtemp(prefix="ab-cuda-src-")
    src, lib = os.path.join(folder, "k.c"), os.path.join(folder, "k.so")
    with open(src, "w") as fh:
        fh.write(SOURCE)
    subprocess.run([cc, "-O2", "-std=c11", "-ffp-contract=off", "-fno-fast-math", "-shared", "-fPIC",
                    "-o", lib, src, "-lm"], check=True, capture_output=True)
    dll = ctypes.CDLL(lib)
    f = dll.ab_batch
    ll, dbl, ptr = ctypes.c_longlong, ctypes.c_double, ctypes.c_void_p
    f.argtypes = [ll, ll, ll, ptr, dbl, ptr, ptr, ptr, ptr, ll, ll, ptr, ptr, ll, ptr, ptr, ll, ll, ll]
    f.restype = None
    _HOST = f
    return f


def _launch_host(f, t0, t1, T, F, two, P, ST, PH, gtab, U, cps, cpx, cpr, N):
    p = lambda a: a.ctypes.data  # noqa: E731 - contiguous numpy arrays, kept alive by the caller
    f(t0, t1, T, p(F), two, p(P), p(ST), p(PH), p(gtab), gtab.shape[0], gtab.shape[1], p(U), p(cps),
      cps.shape[0], p(cpx), p(cpr), N, 0, N)


def run_batch_cuda(method: str, *, T: int, device: str = "cupy", **kw) -> E.BatchResult:
    """engine.run_batch's workload with one GPU thread per trajectory (``device='host'``: the same
    source compiled for the CPU, used by the tests)."""
    cp = None if device == "host" else CupyBackend().xp  # fails first, with the reason, on no GPU
    plan = E.plan_batch(method, T=T, **kw)
    F = np.ascontiguousarray(plan.F, dtype=np.int64)
    P, ST, PH = (np.ascontiguousarray(plan.P), np.ascontiguousarray(plan.ST),
                 np.ascontiguousarray(plan.PH, dtype=np.int64))
    gtab, cps = np.ascontiguousarray(plan.gtab), np.ascontiguousarray(plan.cps, dtype=np.int64)
    N, T = plan.N, int(T)
    cpx, cpr = np.zeros((cps.shape[0], N)), np.zeros((cps.shape[0], N))
    seg = max(1, min(T, E.CHUNK_VALUES // max(N, 1))) if plan.chunk_source else T
    dummy = np.zeros((1, 1))
    if device == "host":
        f = host_library()
        t0 = time.perf_counter()
        t = 1
        while t <= T:
            t1 = min(T + 1, t + seg)
            U = np.ascontiguousarray(plan.chunk_source(t, t1)) if plan.chunk_source else dummy
            _launch_host(f, t, t1, T, F, 2.0, P, ST, PH, gtab, U, cps, cpx, cpr, N)
            t = t1
        secs, engine, hostST, hcpx, hcpr = time.perf_counter() - t0, "c-host", ST, cpx, cpr
    else:
        kern = cp.RawKernel(SOURCE, "ab_batch", options=("--fmad=false",))
        d = {k: cp.asarray(v) for k, v in dict(F=F, P=P, ST=ST, PH=PH, gtab=gtab, cps=cps,
                                                 cpx=cpx, cpr=cpr, dummy=dummy).items()}
        threads = 128
        blocks = (N + threads - 1) // threads
        ll, dbl = np.int64, np.float64
        cp.cuda.Device().synchronize()
        t0 = time.perf_counter()
        t = 1
        while t <= T:
            t1 = min(T + 1, t + seg)
            U = cp.asarray(plan.chunk_source(t, t1)) if plan.chunk_source else d["dummy"]
            kern((blocks,), (threads,), (ll(t), ll(t1), ll(T), d["F"], dbl(2.0), d["P"], d["ST"],
                                         d["PH"], d["gtab"], ll(gtab.shape[0]), ll(gtab.shape[1]),
                                         U, d["cps"], ll(cps.shape[0]), d["cpx"], d["cpr"], ll(N),
                                         ll(0), ll(N)))
            t = t1
        cp.cuda.Device().synchronize()
        secs, engine = time.perf_counter() - t0, "cupy-raw"
        hostST, hcpx, hcpr = d["ST"].get(), d["cpx"].get(), d["cpr"].get()
    K = E.K
    regret = E._final_regret(hostST, P)
    return E.BatchResult(x_T=hostST[K.X].copy(), x_played=hostST[K.XT].copy(), regret=regret,
                         avg_regret=regret / T, checkpoints=cps, cp_x=hcpx, cp_regret=hcpr,
                         engine=engine, path="one-thread-per-trajectory", T=T, seconds=secs,
                         info={"method": method, "N": N})
