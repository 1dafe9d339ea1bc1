"""numba kernels of the fused engine (see :mod:`numerics.engine` for the public API and the maths).

Every kernel reproduces the reference update of :mod:`numerics.optimizers` operation by operation, in
the same order and in IEEE float64 without ``fastmath``, so that on the same inputs it returns the
*same bits* as ``numerics.run`` with the float64 backend (the equality tests check this to 1e-12).
Three facts make that possible:

* ``math.pow(b, float(t))`` in numba calls the same libm ``pow`` as Python's ``b ** t``; numba's
  ``b ** int`` does not (it multiplies, and differs in the last bit), so it is never used here;
* Python's ``r ** 2`` is ``pow(r, 2.0)``, which is *not* always ``r * r``; LLVM rewrites a literal
  ``pow(r, 2.0)`` into ``r * r``, so the exponent is passed in at run time (argument ``two``);
* adding an exact zero is exact, so ``sqrt(v + eps + eps_root)`` with ``eps_root == 0`` may be
  written ``sqrt(v + eps)``.

Layout.  A batch is a set of independent 1-D *lanes* (a d-dimensional problem with diagonal methods
and linear losses is d lanes: coordinates never interact).  State lives in an array ``ST`` of shape
(NS, N); kernels advance rounds ``t_start .. t_stop - 1`` and write the state back, so a long run can
be cut into segments (progress reports, chunks of random numbers).  Parallel kernels take blocks of
``BLOCK`` lanes, keep their state in small local arrays (L1) and run time outside, lanes inside, so
that LLVM vectorises the lane loop (spec/tooling.md G4: only the ``parallel=True`` build vectorises
reliably).  Serial kernels run one lane at a time with the state in registers (single long runs).

Kernels are distinct top-level functions, so ``cache=True`` cannot mix them up (tooling G3).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

BLOCK = 256

# rows of the state array ST
X, M, V, VH, LOSS, SUMG, XT = range(7)  # XT: the point played at round T
NS = 7
# rows of the parameter array P
A, B1, B2, EPS, EPSR, LAM, LO, HI, GBIG, GLOW, PROB = range(11)
NP = 11
# flags (int64 array F)
(F_KIND, F_AMSGRAD, F_ADAMX, F_B1SCHED, F_B2SCHED, F_BCM, F_BCV, F_EPSIN, F_SCHED, F_GMODE) = range(10)
NF = 10
KIND_SGD, KIND_ADAGRAD, KIND_ADAM = 0, 1, 2
# gradient sources
G_PERIODIC2 = 0  # per lane: GBIG at phase 0, else GLOW; phase counter PH[0], period PH[1]
G_TABLE = 1  # shared table: g = gtab[(t-1) % L, PH[2]]  (periodic pattern or explicit rows)
G_COINS = 2  # per lane uniforms U[t - t_start, i] < PROB -> GBIG else GLOW  (Bernoulli)
G_VALUES = 3  # per lane values chunk U[t - t_start, i]  (explicit, per lane)


@njit(cache=True, inline="always")
def _generic_step(kind, amsgrad, adamx, b1s, b2s, bcm, bcv, epsin, sched, two,
                  t, ft, sqt, g, m, v, vh, a, b1, b2, e, er, pb1, pb2, pl, plp):
    """One update of numerics.optimizers (all methods, all variants). Returns (step, m, v, vh).

    The caller passes the powers pb1 = beta1^t, pb2 = beta2^t, pl = lam^(t-1), plp = lam^(t-2)
    (only those the flags need; each is libm pow, as Python computes them), so that a batch with
    one beta shares them across lanes.  For SGD nothing is carried; for AdaGrad ``v`` carries
    sum_{i<=t} g_i^2.
    """
    if sched == 0:
        at = a / sqt
    else:
        at = a
    if kind == 0:  # sgd
        return at * g, m, v, vh
    if kind == 1:  # adagrad: denom = sqrt(s/t + eps)
        v = v + g * g
        denom = math.sqrt(v / ft + e)
        q = 0.0 if denom == 0.0 else g / denom
        return at * q, m, v, vh
    # beta_{1t} exactly as numerics.schedules.beta1_t
    if b1s == 0:
        bt1 = b1
    elif b1s == 1:
        bt1 = b1 * pl
    else:
        bt1 = b1 / ft
    if b2s == 0:
        bt2 = b2
    else:
        bt2 = 1.0 - 1.0 / ft
    m = bt1 * m + (1.0 - bt1) * g
    v = bt2 * v + (1.0 - bt2) * (g * g)
    if bcv == 1:
        vfm = v / (1.0 - pb2)
    else:
        vfm = v
    if adamx:
        if t == 1:
            ratio = 1.0
        else:
            if b1s == 0:
                prev = b1
            elif b1s == 1:
                prev = b1 * plp
            else:
                prev = b1 / float(t - 1)
            ratio = math.pow((1.0 - bt1) / (1.0 - prev), two)
        cand = ratio * vh
        vh = cand if cand >= vfm else vfm
    elif amsgrad:
        vh = vh if vh >= vfm else vfm
    else:
        vh = vfm
    if bcm:
        mu = m / (1.0 - pb1)
    else:
        mu = m
    if bcv == 2:
        vu = vh / (1.0 - pb2)
    else:
        vu = vh
    if bcv == 3:
        lr = at * math.sqrt(1.0 - pb2)
    else:
        lr = at
    if epsin:
        denom = math.sqrt(vu + e + er)
    else:
        denom = math.sqrt(vu + er) + e
    q = 0.0 if denom == 0.0 else mu / denom
    return lr * q, m, v, vh


@njit(cache=True, inline="always")
def _regret(loss, s, lo, hi):
    """R = loss - min_{x in [lo,hi]} s x, written as numerics.run._best_fixed_loss does."""
    p = -lo * s
    q = -hi * s
    return loss - (-(p if p >= q else q))


SUB = 64  # rounds per block of precomputed powers in the serial kernel


@njit(cache=True)
def _powers(pw, tb, te, b1, b2, lam, bcm, bcv, b1s, adx):
    """beta1^t, beta2^t, lam^(t-1), lam^(t-2) for rounds tb..te-1 into pw[:, t - tb].

    Computed in their own loop, guarded by a flag: inside the main loop LLVM would speculate the
    (side-effect free) pow calls of every branch and pay for them on every round.
    """
    for t in range(tb, te):
        k = t - tb
        ft = float(t)
        if bcm:
            pw[0, k] = math.pow(b1, ft)
        if bcv != 0:
            pw[1, k] = math.pow(b2, ft)
        if b1s == 1:
            pw[2, k] = math.pow(lam, float(t - 1))
            if adx:
                pw[3, k] = math.pow(lam, float(t - 2))


@njit(cache=True)
def _uniform(row):
    """True when every lane has the same value (then per-round powers are computed once)."""
    for i in range(row.shape[0]):
        if row[i] != row[0]:
            return False
    return True


@njit(cache=True)
def generic_serial(t_start, t_stop, T, F, two, P, ST, PH, gtab, U, cps, cpx, cpr):
    """All methods and gradient sources, one lane at a time, state in registers."""
    kind, ams, adx, b1s, b2s = F[F_KIND], F[F_AMSGRAD], F[F_ADAMX], F[F_B1SCHED], F[F_B2SCHED]
    bcm, bcv, epsin, sched, gmode = F[F_BCM], F[F_BCV], F[F_EPSIN], F[F_SCHED], F[F_GMODE]
    N = ST.shape[1]
    L = gtab.shape[0]
    k0 = np.searchsorted(cps, t_start)
    needpow = bcm or bcv != 0 or b1s == 1
    pw = np.zeros((4, SUB))
    for i in range(N):
        x, m, v, vh = ST[X, i], ST[M, i], ST[V, i], ST[VH, i]
        loss, s = ST[LOSS, i], ST[SUMG, i]
        a, b1, b2, e, er, lam = P[A, i], P[B1, i], P[B2, i], P[EPS, i], P[EPSR, i], P[LAM, i]
        lo, hi = P[LO, i], P[HI, i]
        gb, gl, pr = P[GBIG, i], P[GLOW, i], P[PROB, i]
        ph, nn, col = PH[0, i], PH[1, i], PH[2, i]
        kc = k0
        for tb in range(t_start, t_stop, SUB):
            te = min(tb + SUB, t_stop)
            if needpow:
                _powers(pw, tb, te, b1, b2, lam, bcm, bcv, b1s, adx)
            for t in range(tb, te):
                ft = float(t)
                # the gradient, written out here (a helper taking arrays costs refcounts per round)
                if gmode == 0:
                    g = gb if ph == 0 else gl
                    ph = ph + 1
                    if ph == nn:
                        ph = 0
                elif gmode == 1:
                    g = gtab[(t - 1) % L, col]
                elif gmode == 2:
                    g = gb if U[t - t_start, i] < pr else gl
                else:
                    g = U[t - t_start, i]
                loss = loss + g * x
                s = s + g
                if t == T:
                    ST[XT, i] = x
                rec = kc < cps.shape[0] and cps[kc] == t
                if rec:
                    cpr[kc, i] = _regret(loss, s, lo, hi)
                k = t - tb
                step, m, v, vh = _generic_step(kind, ams, adx, b1s, b2s, bcm, bcv, epsin, sched,
                                               two, t, ft, math.sqrt(ft), g, m, v, vh, a, b1, b2,
                                               e, er, pw[0, k], pw[1, k], pw[2, k], pw[3, k])
                y = x - step
                x = lo if y < lo else (hi if y > hi else y)
                if rec:
                    cpx[kc, i] = x  # the iterate after t updates (numerics.run's checkpoint rule)
                    kc += 1
        ST[X, i], ST[M, i], ST[V, i], ST[VH, i] = x, m, v, vh
        ST[LOSS, i], ST[SUMG, i] = loss, s
        PH[0, i] = ph


@njit(parallel=True, cache=True)
def generic_parallel(t_start, t_stop, T, F, two, P, ST, PH, gtab, U, cps, cpx, cpr):
    """All methods and gradient sources; blocks of lanes in parallel, time outside, lanes inside."""
    kind, ams, adx, b1s, b2s = F[F_KIND], F[F_AMSGRAD], F[F_ADAMX], F[F_B1SCHED], F[F_B2SCHED]
    bcm, bcv, epsin, sched, gmode = F[F_BCM], F[F_BCV], F[F_EPSIN], F[F_SCHED], F[F_GMODE]
    N = ST.shape[1]
    L = gtab.shape[0]
    nblk = (N + BLOCK - 1) // BLOCK
    k0 = np.searchsorted(cps, t_start)
    ub1, ub2, ulam = _uniform(P[B1]), _uniform(P[B2]), _uniform(P[LAM])
    needpow = bcm or bcv != 0 or b1s == 1
    for blk in prange(nblk):
        i0 = blk * BLOCK
        nb = min(BLOCK, N - i0)
        x = ST[X, i0:i0 + nb].copy()
        m = ST[M, i0:i0 + nb].copy()
        v = ST[V, i0:i0 + nb].copy()
        vh = ST[VH, i0:i0 + nb].copy()
        loss = ST[LOSS, i0:i0 + nb].copy()
        s = ST[SUMG, i0:i0 + nb].copy()
        ph = PH[0, i0:i0 + nb].copy()
        pb1 = np.zeros(nb)
        pb2 = np.zeros(nb)
        pl = np.zeros(nb)
        plp = np.zeros(nb)
        kc = k0
        for t in range(t_start, t_stop):
            ft = float(t)
            sqt = math.sqrt(ft)
            rec = kc < cps.shape[0] and cps[kc] == t
            if needpow:  # per-round powers, once per round when the betas (lam) are shared
                if bcm:
                    if ub1:
                        pb1[:] = math.pow(P[B1, 0], ft)
                    else:
                        for j in range(nb):
                            pb1[j] = math.pow(P[B1, i0 + j], ft)
                if bcv != 0:
                    if ub2:
                        pb2[:] = math.pow(P[B2, 0], ft)
                    else:
                        for j in range(nb):
                            pb2[j] = math.pow(P[B2, i0 + j], ft)
                if b1s == 1:
                    for j in range(nb):
                        lm = P[LAM, 0] if ulam else P[LAM, i0 + j]
                        pl[j] = math.pow(lm, float(t - 1))
                        if adx:
                            plp[j] = math.pow(lm, float(t - 2))
            for j in range(nb):
                i = i0 + j
                if gmode == 0:
                    g = P[GBIG, i] if ph[j] == 0 else P[GLOW, i]
                    p1 = ph[j] + 1
                    ph[j] = 0 if p1 == PH[1, i] else p1
                elif gmode == 1:
                    g = gtab[(t - 1) % L, PH[2, i]]
                elif gmode == 2:
                    g = P[GBIG, i] if U[t - t_start, i] < P[PROB, i] else P[GLOW, i]
                else:
                    g = U[t - t_start, i]
                xj = x[j]
                loss[j] = loss[j] + g * xj
                s[j] = s[j] + g
                if t == T:
                    ST[XT, i] = xj
                lo, hi = P[LO, i], P[HI, i]
                if rec:
                    cpr[kc, i] = _regret(loss[j], s[j], lo, hi)
                step, m[j], v[j], vh[j] = _generic_step(
                    kind, ams, adx, b1s, b2s, bcm, bcv, epsin, sched, two, t, ft, sqt, g,
                    m[j], v[j], vh[j], P[A, i], P[B1, i], P[B2, i], P[EPS, i], P[EPSR, i],
                    pb1[j], pb2[j], pl[j], plp[j])
                y = xj - step
                x[j] = lo if y < lo else (hi if y > hi else y)
                if rec:
                    cpx[kc, i] = x[j]
            if rec:
                kc += 1
        ST[X, i0:i0 + nb] = x
        ST[M, i0:i0 + nb] = m
        ST[V, i0:i0 + nb] = v
        ST[VH, i0:i0 + nb] = vh
        ST[LOSS, i0:i0 + nb] = loss
        ST[SUMG, i0:i0 + nb] = s
        PH[0, i0:i0 + nb] = ph


# ------------------------------------------------------------------------------------------------
# Fast path: paper-variant Adam / AMSGrad / RMSProp (constant beta1 and beta2, no bias correction,
# eps inside the root, eps_root = 0), on a per-lane two-valued periodic problem or a shared table.
# Adam and AMSGrad share one body: v_hat_t = max(r * v_hat_{t-1}, v_t) with r = 1 (AMSGrad) or
# r = 0 (Adam: 0 * v_hat = +0 <= v_t, so the max returns v_t bit for bit).


@njit(cache=True, inline="always")
def _fast_body(g, at, x, m, v, vh, loss, s, b1, omb1, b2, omb2, r, e, lo, hi):
    loss = loss + g * x
    s = s + g
    m = b1 * m + omb1 * g
    v = b2 * v + omb2 * (g * g)
    c = r * vh
    vh = c if c >= v else v
    den = math.sqrt(vh + e)
    q = 0.0 if den == 0.0 else m / den
    y = x - at * q
    x = lo if y < lo else (hi if y > hi else y)
    return x, m, v, vh, loss, s


@njit(cache=True)
def _fast_special(t, T, g, at, i, x, m, v, vh, loss, s, b1, omb1, b2, omb2, r, e, lo, hi,
                  ST, rec, kc, cpx, cpr):
    """A round with a read-out (t == T or a checkpoint): record x_t played, R_t, x_{t+1}."""
    loss2 = loss + g * x
    s2 = s + g
    if t == T:
        ST[XT, i] = x
    if rec:
        cpr[kc, i] = _regret(loss2, s2, lo, hi)
    out = _fast_body(g, at, x, m, v, vh, loss, s, b1, omb1, b2, omb2, r, e, lo, hi)
    if rec:
        cpx[kc, i] = out[0]
    return out


@njit(parallel=True, cache=True)
def fast_parallel(t_start, t_stop, T, F, two, P, ST, PH, gtab, U, cps, cpx, cpr):
    """Paper Adam/AMSGrad/RMSProp, vectorised over blocks of lanes, 2 cores (see module doc).

    The lane loop is memory-bound on loads and stores of L1 arrays, so parameters shared by all
    lanes (alpha, eps, the box) are kept as scalars in a second version of each loop.
    """
    r = 1.0 if F[F_AMSGRAD] else 0.0
    sched, gmode = F[F_SCHED], F[F_GMODE]
    N = ST.shape[1]
    nblk = (N + BLOCK - 1) // BLOCK
    k0 = np.searchsorted(cps, t_start)
    uni = _uniform(P[A]) and _uniform(P[EPS]) and _uniform(P[LO]) and _uniform(P[HI])
    a0, e0, lo0, hi0 = P[A, 0], P[EPS, 0], P[LO, 0], P[HI, 0]
    L = gtab.shape[0]
    for blk in prange(nblk):
        i0 = blk * BLOCK
        nb = min(BLOCK, N - i0)
        x = ST[X, i0:i0 + nb].copy()
        m = ST[M, i0:i0 + nb].copy()
        v = ST[V, i0:i0 + nb].copy()
        vh = ST[VH, i0:i0 + nb].copy()
        loss = ST[LOSS, i0:i0 + nb].copy()
        s = ST[SUMG, i0:i0 + nb].copy()
        a = P[A, i0:i0 + nb].copy()
        b1 = P[B1, i0:i0 + nb].copy()
        b2 = P[B2, i0:i0 + nb].copy()
        e = P[EPS, i0:i0 + nb].copy()
        lo = P[LO, i0:i0 + nb].copy()
        hi = P[HI, i0:i0 + nb].copy()
        gb = P[GBIG, i0:i0 + nb].copy()
        gl = P[GLOW, i0:i0 + nb].copy()
        ph = PH[0, i0:i0 + nb].copy()
        nn = PH[1, i0:i0 + nb].copy()
        kc = k0
        for t in range(t_start, t_stop):
            sqt = math.sqrt(float(t))
            at0 = a0 / sqt if sched == 0 else a0
            gt = gtab[(t - 1) % L, 0]
            rec = kc < cps.shape[0] and cps[kc] == t
            if rec or t == T:
                for j in range(nb):
                    g = gt
                    if gmode == 0:
                        g = gb[j] if ph[j] == 0 else gl[j]
                        p = ph[j] + 1
                        ph[j] = 0 if p == nn[j] else p
                    at = a[j] / sqt if sched == 0 else a[j]
                    x[j], m[j], v[j], vh[j], loss[j], s[j] = _fast_special(
                        t, T, g, at, i0 + j, x[j], m[j], v[j], vh[j], loss[j], s[j], b1[j],
                        1.0 - b1[j], b2[j], 1.0 - b2[j], r, e[j], lo[j], hi[j], ST, rec, kc,
                        cpx, cpr)
                if rec:
                    kc += 1
            elif gmode == 0 and uni:
                for j in range(nb):
                    g = gb[j] if ph[j] == 0 else gl[j]
                    p = ph[j] + 1
                    ph[j] = 0 if p == nn[j] else p
                    x[j], m[j], v[j], vh[j], loss[j], s[j] = _fast_body(
                        g, at0, x[j], m[j], v[j], vh[j], loss[j], s[j], b1[j], 1.0 - b1[j], b2[j],
                        1.0 - b2[j], r, e0, lo0, hi0)
            elif gmode == 0:
                for j in range(nb):
                    g = gb[j] if ph[j] == 0 else gl[j]
                    p = ph[j] + 1
                    ph[j] = 0 if p == nn[j] else p
                    at = a[j] / sqt if sched == 0 else a[j]
                    x[j], m[j], v[j], vh[j], loss[j], s[j] = _fast_body(
                        g, at, x[j], m[j], v[j], vh[j], loss[j], s[j], b1[j], 1.0 - b1[j], b2[j],
                        1.0 - b2[j], r, e[j], lo[j], hi[j])
            elif uni:
                for j in range(nb):
                    x[j], m[j], v[j], vh[j], loss[j], s[j] = _fast_body(
                        gt, at0, x[j], m[j], v[j], vh[j], loss[j], s[j], b1[j], 1.0 - b1[j], b2[j],
                        1.0 - b2[j], r, e0, lo0, hi0)
            else:
                for j in range(nb):
                    at = a[j] / sqt if sched == 0 else a[j]
                    x[j], m[j], v[j], vh[j], loss[j], s[j] = _fast_body(
                        gt, at, x[j], m[j], v[j], vh[j], loss[j], s[j], b1[j], 1.0 - b1[j], b2[j],
                        1.0 - b2[j], r, e[j], lo[j], hi[j])
        ST[X, i0:i0 + nb] = x
        ST[M, i0:i0 + nb] = m
        ST[V, i0:i0 + nb] = v
        ST[VH, i0:i0 + nb] = vh
        ST[LOSS, i0:i0 + nb] = loss
        ST[SUMG, i0:i0 + nb] = s
        PH[0, i0:i0 + nb] = ph


@njit(cache=True)
def fast_serial(t_start, t_stop, T, F, two, P, ST, PH, gtab, U, cps, cpx, cpr):
    """Paper Adam/AMSGrad/RMSProp, one lane at a time with the state in registers (long runs)."""
    r = 1.0 if F[F_AMSGRAD] else 0.0
    sched, gmode = F[F_SCHED], F[F_GMODE]
    N = ST.shape[1]
    L = gtab.shape[0]
    k0 = np.searchsorted(cps, t_start)
    for i in range(N):
        x, m, v, vh = ST[X, i], ST[M, i], ST[V, i], ST[VH, i]
        loss, s = ST[LOSS, i], ST[SUMG, i]
        a, b1, b2, e, lo, hi = P[A, i], P[B1, i], P[B2, i], P[EPS, i], P[LO, i], P[HI, i]
        omb1, omb2 = 1.0 - b1, 1.0 - b2
        gb, gl, ph, nn = P[GBIG, i], P[GLOW, i], PH[0, i], PH[1, i]
        attab = np.empty(SUB)
        kc = k0
        t = t_start
        while t < t_stop:
            # run plain rounds up to the next read-out, then one special round
            nxt = t_stop
            if kc < cps.shape[0] and cps[kc] < nxt:
                nxt = cps[kc]
            if T >= t and T < nxt:
                nxt = T
            while t < nxt:
                te = min(nxt, t + SUB)
                # alpha_t for a block of rounds in a loop of its own (it vectorises), so the
                # serial chain below keeps one sqrt and one division per round
                for k in range(te - t):
                    attab[k] = a / math.sqrt(float(t + k)) if sched == 0 else a
                den = math.sqrt(vh + e)
                row = (t - 1) % L  # table row, advanced without a division per round
                for tt in range(t, te):
                    if gmode == 0:
                        g = gb if ph == 0 else gl
                        ph = ph + 1
                        if ph == nn:
                            ph = 0
                    else:
                        g = gtab[row, 0]
                        row += 1
                        if row == L:
                            row = 0
                    loss = loss + g * x
                    s = s + g
                    m = b1 * m + omb1 * g
                    v = b2 * v + omb2 * (g * g)
                    c = r * vh
                    vn = c if c >= v else v
                    if vn != vh:  # AMSGrad's v_hat is often unchanged: reuse its root (same bits)
                        vh = vn
                        den = math.sqrt(vh + e)
                    q = 0.0 if den == 0.0 else m / den
                    y = x - attab[tt - t] * q
                    x = lo if y < lo else (hi if y > hi else y)
                t = te
            if t < t_stop:
                if gmode == 0:
                    g = gb if ph == 0 else gl
                    ph = ph + 1
                    if ph == nn:
                        ph = 0
                else:
                    g = gtab[(t - 1) % L, 0]
                at = a / math.sqrt(float(t)) if sched == 0 else a
                rec = kc < cps.shape[0] and cps[kc] == t
                x, m, v, vh, loss, s = _fast_special(t, T, g, at, i, x, m, v, vh, loss, s, b1, omb1,
                                                     b2, omb2, r, e, lo, hi, ST, rec, kc, cpx, cpr)
                if rec:
                    kc += 1
                t += 1
        ST[X, i], ST[M, i], ST[V, i], ST[VH, i] = x, m, v, vh
        ST[LOSS, i], ST[SUMG, i] = loss, s
        PH[0, i] = ph


# ------------------------------------------------------------------------------------------------
# Fast path for the PyTorch preset (bias-corrected m, v corrected after the max, eps outside the
# root; Adam or AMSGrad, constant beta1 and beta2 shared by all lanes, so 1 - beta^t is one number
# per round, computed with libm pow as Python does).


@njit(cache=True, inline="always")
def _bc_body(g, at, x, m, v, vh, loss, s, b1, omb1, b2, omb2, r, c1, c2, ein, eout, lo, hi):
    loss = loss + g * x
    s = s + g
    m = b1 * m + omb1 * g
    v = b2 * v + omb2 * (g * g)
    c = r * vh
    vh = c if c >= v else v
    mu = m / c1
    vu = vh / c2
    den = math.sqrt(vu + ein) + eout
    q = 0.0 if den == 0.0 else mu / den
    y = x - at * q
    x = lo if y < lo else (hi if y > hi else y)
    return x, m, v, vh, loss, s


@njit(parallel=True, cache=True)
def fast_bc_parallel(t_start, t_stop, T, F, two, P, ST, PH, gtab, U, cps, cpx, cpr):
    """PyTorch-preset Adam/AMSGrad with shared betas, vectorised over blocks of lanes."""
    r = 1.0 if F[F_AMSGRAD] else 0.0
    sched, gmode = F[F_SCHED], F[F_GMODE]
    N = ST.shape[1]
    nblk = (N + BLOCK - 1) // BLOCK
    k0 = np.searchsorted(cps, t_start)
    ua = _uniform(P[A])
    a0, b10, b20 = P[A, 0], P[B1, 0], P[B2, 0]
    L = gtab.shape[0]
    for blk in prange(nblk):
        i0 = blk * BLOCK
        nb = min(BLOCK, N - i0)
        x = ST[X, i0:i0 + nb].copy()
        m = ST[M, i0:i0 + nb].copy()
        v = ST[V, i0:i0 + nb].copy()
        vh = ST[VH, i0:i0 + nb].copy()
        loss = ST[LOSS, i0:i0 + nb].copy()
        s = ST[SUMG, i0:i0 + nb].copy()
        a = P[A, i0:i0 + nb].copy()
        e = P[EPS, i0:i0 + nb].copy()
        er = P[EPSR, i0:i0 + nb].copy()
        lo = P[LO, i0:i0 + nb].copy()
        hi = P[HI, i0:i0 + nb].copy()
        gb = P[GBIG, i0:i0 + nb].copy()
        gl = P[GLOW, i0:i0 + nb].copy()
        ph = PH[0, i0:i0 + nb].copy()
        nn = PH[1, i0:i0 + nb].copy()
        at = np.empty(nb)
        kc = k0
        for t in range(t_start, t_stop):
            ft = float(t)
            sqt = math.sqrt(ft)
            c1 = 1.0 - math.pow(b10, ft)
            c2 = 1.0 - math.pow(b20, ft)
            if ua:
                at[:] = a0 / sqt if sched == 0 else a0
            else:
                for j in range(nb):
                    at[j] = a[j] / sqt if sched == 0 else a[j]
            gt = gtab[(t - 1) % L, 0]
            rec = kc < cps.shape[0] and cps[kc] == t
            if rec or t == T:
                for j in range(nb):
                    g = gt
                    if gmode == 0:
                        g = gb[j] if ph[j] == 0 else gl[j]
                        p = ph[j] + 1
                        ph[j] = 0 if p == nn[j] else p
                    i = i0 + j
                    lsum = loss[j] + g * x[j]
                    ssum = s[j] + g
                    if t == T:
                        ST[XT, i] = x[j]
                    if rec:
                        cpr[kc, i] = _regret(lsum, ssum, lo[j], hi[j])
                    x[j], m[j], v[j], vh[j], loss[j], s[j] = _bc_body(
                        g, at[j], x[j], m[j], v[j], vh[j], loss[j], s[j], b10, 1.0 - b10, b20,
                        1.0 - b20, r, c1, c2, er[j], e[j], lo[j], hi[j])
                    if rec:
                        cpx[kc, i] = x[j]
                if rec:
                    kc += 1
            elif gmode == 0:
                for j in range(nb):
                    g = gb[j] if ph[j] == 0 else gl[j]
                    p = ph[j] + 1
                    ph[j] = 0 if p == nn[j] else p
                    x[j], m[j], v[j], vh[j], loss[j], s[j] = _bc_body(
                        g, at[j], x[j], m[j], v[j], vh[j], loss[j], s[j], b10, 1.0 - b10, b20,
                        1.0 - b20, r, c1, c2, er[j], e[j], lo[j], hi[j])
            else:
                for j in range(nb):
                    x[j], m[j], v[j], vh[j], loss[j], s[j] = _bc_body(
                        gt, at[j], x[j], m[j], v[j], vh[j], loss[j], s[j], b10, 1.0 - b10, b20,
                        1.0 - b20, r, c1, c2, er[j], e[j], lo[j], hi[j])
        ST[X, i0:i0 + nb] = x
        ST[M, i0:i0 + nb] = m
        ST[V, i0:i0 + nb] = v
        ST[VH, i0:i0 + nb] = vh
        ST[LOSS, i0:i0 + nb] = loss
        ST[SUMG, i0:i0 + nb] = s
        PH[0, i0:i0 + nb] = ph
