"""The GPU batch kernel: one CUDA thread per trajectory, the whole time loop in registers.

The kernel body below is plain C that compiles both as CUDA (through ``cupy.RawKernel`` with
``--fmad=false``, so that no multiply-add is contracted: the reference rounds every product) and, for
the tests, as host C with gcc (``-ffp-contract=off``).  It is the one hand-written second encoding of
the update rules (C cannot run the Python definition); ``tests/test_engine_cuda_source.py`` checks it
against the numba engine, bit for bit on the host, on every rule and switch.  Nothing else in it is
typed by hand: the array rows come from :class:`numerics.engine.layout.Layout` and the rule's switches
from its ``key``, both emitted as ``#define`` lines in front of the body (``source(plan)``), so the
preprocessor specialises the kernel exactly as numba specialises its drivers.

GPU status: UNTESTED ON HARDWARE (no GPU was lent to this task).  Without CuPy or without a usable
device, ``batch(..., device='cuda')`` raises :class:`numerics.backends.BackendUnavailable` with a
one-line reason.  On a GPU, CUDA's ``pow`` may differ from libm's in the last bit.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

from ..backends import BackendUnavailable
from ..optimizers import BIAS_CORRECTION_V
from ..schedules import BETA1_SCHEDULES, STEP_SCHEDULES
from . import layout as LY

BODY = r"""
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
#define STV(f) ST[ST_##f * N + i]
#define PV(f) P[P_##f * N + i]

AB_GLOBAL void ab_batch(long long t_start, long long t_stop, long long T, double lo, double hi,
                        const double *P, double *ST, long long *PH, const double *gtab, long long L,
                        long long KC, const double *U, const long long *cps, long long ncps,
                        double *cpx, double *cpr, long long N, long long lane0, long long nlanes)
{
#ifdef __CUDACC__
    long long i = (long long)blockDim.x * blockIdx.x + threadIdx.x;
    if (i >= N) return;
    {
#else
    for (long long i = lane0; i < lane0 + nlanes; ++i) {
#endif
    double x = STV(x), loss = STV(loss), s = STV(sumg);
#if KIND == KIND_SGD
    double count = STV(count);
#elif KIND == KIND_ADAGRAD
    double ss = STV(sum_sq);
#else
    double m = STV(m), v = STV(v), vh = STV(v_hat);
    const double b1 = PV(beta1), b2 = PV(beta2), er = PV(eps_root), lam = PV(lam);
#endif
    const double a = PV(alpha), e = PV(eps);
    const double gb = PV(gbig), gl = PV(glow), pr = PV(prob);
    long long ph = PH[PH_PHASE * N + i];
    const long long nn = PH[PH_PERIOD * N + i], col = PH[PH_COLUMN * N + i];
    long long kc = 0;
    while (kc < ncps && cps[kc] < t_start) ++kc;
    for (long long t = t_start; t < t_stop; ++t) {
        const double ft = (double)t;
        double g;
#if GMODE == G_PERIODIC2
        g = (ph == 0) ? gb : gl;
        ph = ph + 1;
        if (ph == nn) ph = 0;
#elif GMODE == G_TABLE || GMODE == G_TABLE1
        g = gtab[((t - 1) % L) * KC + col];
#elif GMODE == G_COINS
        g = (U[(t - t_start) * N + i] < pr) ? gb : gl;
#else
        g = U[(t - t_start) * N + i];
#endif
        loss = loss + g * x;
        s = s + g;
        if (t == T) STV(x_played) = x;
        const int rec = (kc < ncps && cps[kc] == t);
        if (rec) {
            const double p1 = -lo * s, p2 = -hi * s;
            cpr[kc * N + i] = loss - (-(p1 >= p2 ? p1 : p2));
        }
#if SCHED == SCHED_SQRT
        const double at = a / sqrt(ft);
#else
        const double at = a;
#endif
        double step;
#if KIND == KIND_SGD
        step = at * g;
        count = count + 1.0;
#elif KIND == KIND_ADAGRAD
        ss = ss + g * g;
        {
            const double denom = sqrt(ss / ft + e);
            step = at * ((denom == 0.0) ? 0.0 : g / denom);
        }
#else
        {
#if B1S == B1S_CONSTANT
            const double bt1 = b1;
#elif B1S == B1S_GEOMETRIC
            const double bt1 = b1 * pow(lam, (double)(t - 1));
#else
            const double bt1 = b1 / ft;
#endif
#if B2S
            const double bt2 = 1.0 - 1.0 / ft;
#else
            const double bt2 = b2;
#endif
            m = bt1 * m + (1.0 - bt1) * g;
            v = bt2 * v + (1.0 - bt2) * (g * g);
#if BCV == BCV_BEFORE_MAX
            const double vfm = v / (1.0 - pow(b2, ft));
#else
            const double vfm = v;
#endif
#if ADX
            double ratio = 1.0;
            if (t != 1) {
#if B1S == B1S_CONSTANT
                const double prev = b1;
#elif B1S == B1S_GEOMETRIC
                const double prev = b1 * pow(lam, (double)(t - 2));
#else
                const double prev = b1 / (double)(t - 1);
#endif
                const double r = (1.0 - bt1) / (1.0 - prev);
                ratio = r * r;
            }
            const double cand = ratio * vh;
            vh = (cand >= vfm) ? cand : vfm;
#elif AMS
            vh = (vh >= vfm) ? vh : vfm;
#else
            vh = vfm;
#endif
#if BCM
            const double mu = m / (1.0 - pow(b1, ft));
#else
            const double mu = m;
#endif
#if BCV == BCV_AFTER_MAX
            const double vu = vh / (1.0 - pow(b2, ft));
#else
            const double vu = vh;
#endif
#if BCV == BCV_IN_LR
            const double lr = at * sqrt(1.0 - pow(b2, ft));
#else
            const double lr = at;
#endif
#if EPSIN
            const double denom = sqrt(vu + e + er);
#else
            const double denom = sqrt(vu + er) + e;
#endif
            step = lr * ((denom == 0.0) ? 0.0 : mu / denom);
        }
#endif
        const double y = x - step;
        x = (y < lo) ? lo : ((y > hi) ? hi : y);
        if (rec) {
            cpx[kc * N + i] = x;
            ++kc;
        }
    }
    STV(x) = x; STV(loss) = loss; STV(sumg) = s;
#if KIND == KIND_SGD
    STV(count) = count;
#elif KIND == KIND_ADAGRAD
    STV(sum_sq) = ss;
#else
    STV(m) = m; STV(v) = v; STV(v_hat) = vh;
#endif
    PH[PH_PHASE * N + i] = ph;
    }
}
"""

KINDS = ("sgd", "adagrad", "adam")


def switch_defines(rule, gmode: int) -> str:
    """The rule's switches (from its key) as C macros, with the names of their values."""
    kind, schedule = rule.key[0], rule.key[1]
    d = {"KIND": KINDS.index(kind), "SCHED": STEP_SCHEDULES.index(schedule), "GMODE": gmode}
    names = {f"KIND_{k.upper()}": v for v, k in enumerate(KINDS)}
    names.update({f"SCHED_{k.upper()}": v for v, k in enumerate(STEP_SCHEDULES)})
    names.update({f"B1S_{k.upper()}": v for v, k in enumerate(BETA1_SCHEDULES)})
    names.update({f"BCV_{k.upper()}": v for v, k in enumerate(BIAS_CORRECTION_V)})
    if kind == "adam":
        _, _, bcm, bcv, eps_in, ams, adx, b1s, b2 = rule.key
        d.update(BCM=int(bcm), BCV=BIAS_CORRECTION_V.index(bcv), EPSIN=int(eps_in), AMS=int(ams),
                 ADX=int(adx), B1S=BETA1_SCHEDULES.index(b1s), B2S=int(b2 is not None))
    lines = [f"#define {k} {v}" for k, v in {**names, **d}.items()]
    return "\n".join(lines) + "\n"


def source(pl) -> str:
    """The kernel source for one plan: layout rows and switches as #defines, then the body."""
    return LY.Layout(pl.rule).c_defines() + switch_defines(pl.rule, pl.gmode) + BODY


_HOST: dict = {}


def host_library(src: str):
    """The kernel source compiled for this CPU (gcc, -O2, no contraction); for the tests."""
    return host_libraries([src])[0]


def host_libraries(sources) -> list:
    """Kernel sources compiled for this CPU in ONE gcc call: one translation unit, one library, the kernel
    of source k renamed ``ab_batch_k`` and each source's macros undefined after it, so the sources do not
    see each other's switches.  Same flags as one source alone (-O2, no contraction); the functions, in the
    order of ``sources``, are memoised per source text as :func:`host_library`'s.

    Why: a test module that checks thirty sources paid gcc's start-up and the driver's passes thirty times
    (3.6 CPU-s); one call costs 1.5."""
    import re

    keys = [hashlib.sha256(src.encode()).hexdigest() for src in sources]
    todo = {k: src for k, src in zip(keys, sources) if k not in _HOST}
    if todo:
        cc = shutil.which("gcc") or shutil.which("cc")
        if cc is None:
            raise BackendUnavailable("no C compiler (gcc) to build the kernel source on the host")
        parts = []
        for n, src in enumerate(todo.values()):
            names = sorted(set(re.findall(r"^\s*#\s*define\s+(\w+)", src, re.M)))
            parts.append(f"#define ab_batch ab_batch_{n}\n{src}\n#undef ab_batch\n"
                         + "".join(f"#undef {name}\n" for name in names))
        # the folder goes once the library is loaded: dlopen keeps the mapping, and a test run builds dozens of
        # sources (each left behind in /tmp before, hundreds per day of test runs)
        with tempfile.TemporaryDirectory(prefix="ab-cuda-src-") as folder:
            cpath, lib = os.path.join(folder, "k.c"), os.path.join(folder, "k.so")
            with open(cpath, "w") as fh:
                fh.write("\n".join(parts))
            subprocess.run([cc, "-O2", "-std=c11", "-ffp-contract=off", "-fno-fast-math", "-shared", "-fPIC",
                            "-o", lib, cpath, "-lm"], check=True, capture_output=True)
            dll = ctypes.CDLL(lib)
        ll, dbl, ptr = ctypes.c_longlong, ctypes.c_double, ctypes.c_void_p
        for n, k in enumerate(todo):
            f = getattr(dll, f"ab_batch_{n}")
            f.argtypes = [ll, ll, ll, dbl, dbl, ptr, ptr, ptr, ptr, ll, ll, ptr, ptr, ll, ptr, ptr, ll, ll, ll]
            f.restype = None
            _HOST[k] = f
    return [_HOST[k] for k in keys]


def execute_cuda(pl, on_host: bool = False):
    """Run a plan with one thread per lane: on the GPU, or (``on_host``) the same source on the CPU.

    Returns (engine, seconds, cpx, cpr); the state is written back into ``pl.ST`` / ``pl.PH``."""
    from ..backends import CupyBackend
    from .plan import CHUNK_VALUES

    cp = None if on_host else CupyBackend().xp  # fails first, with the reason, on no GPU
    src = source(pl)
    P, ST = np.ascontiguousarray(pl.P), np.ascontiguousarray(pl.ST)
    PH = np.ascontiguousarray(pl.PH, dtype=np.int64)
    gtab, cps = np.ascontiguousarray(pl.gtab), np.ascontiguousarray(pl.cps, dtype=np.int64)
    N, T = pl.N, pl.T
    cpx, cpr = np.zeros((cps.shape[0], N)), np.zeros((cps.shape[0], N))
    seg = max(1, min(T, CHUNK_VALUES // max(N, 1))) if pl.chunk_source else T
    dummy = np.zeros((1, 1))
    L, KC, ncp = gtab.shape[0], gtab.shape[1], cps.shape[0]
    if on_host:
        f = host_library(src)
        p = lambda a: a.ctypes.data  # noqa: E731 - contiguous arrays, kept alive by this frame
        t0 = time.perf_counter()
        t = 1
        while t <= T:
            t1 = min(T + 1, t + seg)
            U = np.ascontiguousarray(pl.chunk_source(t, t1)) if pl.chunk_source else dummy
            f(t, t1, T, pl.lo, pl.hi, p(P), p(ST), p(PH), p(gtab), L, KC, p(U), p(cps), ncp, p(cpx),
              p(cpr), N, 0, N)
            t = t1
        secs, engine = time.perf_counter() - t0, "c-host"
    else:
        kern = cp.RawKernel(src, "ab_batch", options=("--fmad=false",))
        dv = {k: cp.asarray(v) for k, v in dict(P=P, ST=ST, PH=PH, gtab=gtab, cps=cps, cpx=cpx,
                                                  cpr=cpr, dummy=dummy).items()}
        threads = 128
        blocks = (N + threads - 1) // threads
        ll, dbl = np.int64, np.float64
        cp.cuda.Device().synchronize()
        t0 = time.perf_counter()
        t = 1
        while t <= T:
            t1 = min(T + 1, t + seg)
            U = cp.asarray(pl.chunk_source(t, t1)) if pl.chunk_source else dv["dummy"]
            kern((blocks,), (threads,), (ll(t), ll(t1), ll(T), dbl(pl.lo), dbl(pl.hi), dv["P"], dv["ST"],
                                         dv["PH"], dv["gtab"], ll(L), ll(KC), U, dv["cps"], ll(ncp),
                                         dv["cpx"], dv["cpr"], ll(N), ll(0), ll(N)))
            t = t1
        cp.cuda.Device().synchronize()
        secs, engine = time.perf_counter() - t0, "cupy-raw"
        ST, PH, cpx, cpr = dv["ST"].get(), dv["PH"].get(), dv["cpx"].get(), dv["cpr"].get()
    pl.ST[...] = ST
    pl.PH[...] = PH
    return engine, secs, cpx, cpr
