"""The generalised drift: the sign test of :mod:`.steady` for any method whose state ignores x.

Setting.  A periodic linear problem on F = [-1, 1] (gradient pattern p_0..p_{n-1}, phase 0 first, e.g.
Theorems 1/2: C, -1, ..., -1).  A method of :mod:`numerics.optimizers` in its *limit form* (alpha_t = 1,
the bias corrections and other factors that tend to 1 removed, see counterexamples.zoo) has a state s_t
that does not depend on x, and its step in units of alpha_t is u_t = u(s_{t-1}, g_t).  Let P be the
period map of the state (n updates, phases 0..n-1) and

    D(s) = - sum_{j<n} u_j  along the period that starts in state s

(the displacement of x over the period in units of alpha_t, before projection; D > 0 moves x up).

Why the sign of D decides the limit (the argument of :mod:`.steady`, generalised here; our reading, not
the paper's).  With alpha_t -> 0 and sum alpha_t = infinity, let L_t = sum_j alpha_{t+j} |u_j| = O(alpha_t)
be the length of one period's steps.  If the block start y lies at distance >= L_t from both ends, no
projection acts in the period and y moves by ~ alpha_t D; near -1 only the clip at -1 can act and it only
raises y; near +1 symmetrically.  So if every period after some t0 has D >= delta > 0, the block starts
climb by at least ~alpha_t delta while below 1 - 2 L_t: x_t -> +1 (the worst point when sum_j p_j > 0);
D <= -delta < 0 drives x_t -> -1 = x*.  No sign pattern of the steps within a period is needed (unlike
the exact period map of :mod:`.period_map`), only alpha_t -> 0.

Certificate (:func:`certify`).  Balls of python-flint (arb), the method's own update run on the
:class:`numerics.backends.ArbBackend`:
  1. the limit-form state from its exact start, run for K periods in balls, is s_K;
  2. a box X around s_K (radius r) satisfies P(X) subset X, checked in balls: X is invariant, so every
     state after K periods lies in X (and by Brouwer X holds a periodic steady state);
  3. the enclosure of D over X excludes 0: then every later period has a drift of that sign.
Any step that fails is UNKNOWN with its reason (no invariant box found: e.g. a non-contracting
recursion, Yogi's additive v or Adadelta's growing E[dx^2]; 0 in the enclosure; a sign() undecided).
What is *not* certified here: that the actual method (with its bias corrections, finite-t rectifier,
...) has the limit form's limit; that is the convergence of those factors to 1, stated per method.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from numerics.backends import ArbBackend, FloatBackend, NumpyBackend

PRECS = (128, 512)
RADII = (1e-24, 1e-16, 1e-12, 1e-9, 1e-6, 1e-4)  # relative radii of the invariant box tried, smallest first
SETTLE_TOL = 1e-13


@dataclass
class DriftResult:
    """The generalised drift of one limit-form method on one periodic pattern."""

    sign: int | None  # +1 diverges to the worst point, -1 converges, 0: D = 0 exactly, None: UNKNOWN
    drift: float | None  # float estimate of D
    enclosure: str | None = None  # the arb ball of D over the invariant box
    reason: str = ""  # why UNKNOWN, or how it was certified
    periods: int = 0  # K: periods run before the invariant box
    radius: float | None = None  # relative radius of the invariant box
    state: dict = field(default_factory=dict)  # the steady state at phase 0 (floats)

    @property
    def label(self) -> str:
        return {1: "diverges", -1: "converges", 0: "D = 0 (undecided)", None: "UNKNOWN"}[self.sign]


class InvariantArb(ArbBackend):
    """Arb balls whose max returns a dominating ball unchanged.

    When one ball dominates the other at both ends (or contains it), that ball itself encloses max(x, y)
    for x, y in the two balls; returning it, instead of a new ball rounded outwards, lets a box that a
    running max (AMSGrad's v_hat) maps onto itself be *seen* to be invariant.  Still rigorous; only the
    certificate uses it (the reference ArbBackend keeps python-flint's max, which the fused arb engine
    reproduces ball for ball)."""

    def __init__(self, prec: int = 128):
        super().__init__(prec)
        from numerics.backends import _lift2

        self.maximum = _lift2(self._max)
        self.minimum = _lift2(lambda a, b: -self._max(-a, -b))

    @staticmethod
    def _max(a, b):
        if (b.upper() <= a.upper() and b.lower() <= a.lower()) or a.contains(b):
            return a  # max(x, y) lies in [max(lo_a, lo_b), hi_a], inside a
        if (a.upper() <= b.upper() and a.lower() <= b.lower()) or b.contains(a):
            return b
        return a.max(b)


def _t(k: int) -> int:
    """Round index passed to the limit form's update: >= 2, so no first-round special case fires."""
    return 2 + k


def period_float(meth, pattern, state, update=None):
    """One period in float64 from ``state``: (state after it, D = sum of the steps)."""
    if update is None:
        _, update = meth.build(FloatBackend())
    D = 0.0
    for j, g in enumerate(pattern):
        step, state, _ = update(float(g), state, _t(j))
        D -= step
    return state, D


def settle_float(meth, pattern, max_periods: int = 200_000, min_periods: int = 3):
    """Iterate the period map in float64 from the method's start until the state repeats to SETTLE_TOL.

    Returns (state, D, periods, settled).  The first round of the method is run as round 1 (its
    initialisation, e.g. ADOPT's v_0 = g_1^2), the rest in the limit form."""
    init, update = meth.build(FloatBackend())
    state = init(0.0)
    _, state, _ = update(float(pattern[0]), state, 1)
    pat = list(pattern[1:]) + [pattern[0]]  # round 1 was phase 0: continue from phase 1
    prev = None
    for k in range(max_periods):
        state, D = period_float(meth, pat, state, update)
        vec = np.array([float(v) for v in state], dtype=np.float64)
        if prev is not None and k >= min_periods:
            scale = np.maximum(np.abs(vec), 1e-300)
            if np.all(np.abs(vec - prev) <= SETTLE_TOL * scale) or np.all(vec == prev):
                return state, D, k + 1, True
            if not np.all(np.isfinite(vec)):
                return state, D, k + 1, False
        prev = vec
    return state, D, max_periods, False


def _ball_state(B, state, rel):
    import flint

    out = []
    for v in state:
        m = v.mid()
        r = max(abs(float(m)) * rel, 1e-300 if rel > 0 else 0.0) + float(v.rad())
        out.append(flint.arb(m, r))
    return type(state)(*out)


def _contains(X, Y) -> bool:
    return all(x.contains(y) for x, y in zip(X, Y))


def certify(meth, pattern, periods: int, precs=PRECS, radii=RADII) -> DriftResult:
    """Steps 1-3 of the module doc in arb; ``periods`` = K (from :func:`settle_float`)."""
    D_float = None
    last_reason = ""
    for prec in precs:
        B = InvariantArb(prec)
        with B.precision():
            init, update = meth.build(B)
            state = init(B.num(0))
            _, state, _ = update(B.num(pattern[0]), state, 1)
            gs = [B.num(g) for g in list(pattern[1:]) + [pattern[0]]]
            for _ in range(periods):
                for j, g in enumerate(gs):
                    _, state, _ = update(g, state, _t(j))
            for rel in radii:
                X = _ball_state(B, state, rel)
                Y, D = X, B.num(0)
                for j, g in enumerate(gs):
                    step, Y, _ = update(g, Y, _t(j))
                    D = D - step
                if not _contains(X, Y):
                    last_reason = (f"no invariant box: the period map does not map the box of relative radius "
                                   f"{rel:g} around the state after {periods} periods into itself ({prec} bits)")
                    continue
                D_float = float(D.mid())
                st = {f: float(v.mid()) for f, v in zip(state._fields, state)}
                if D > 0:
                    return DriftResult(1, D_float, _ball(D), f"invariant box (relative radius {rel:g}) after "
                                       f"{periods} periods, D > 0 over it ({prec} bits)", periods, rel, st)
                if D < 0:
                    return DriftResult(-1, D_float, _ball(D), f"invariant box (relative radius {rel:g}) after "
                                       f"{periods} periods, D < 0 over it ({prec} bits)", periods, rel, st)
                if D.is_exact() and D.is_zero():
                    # sign methods: a sum of +-1 that is exactly 0; the first-order test decides nothing
                    return DriftResult(0, 0.0, _ball(D), f"D = 0 exactly over the invariant box (relative "
                                       f"radius {rel:g}) after {periods} periods", periods, rel, st)
                last_reason = f"0 lies in the enclosure {_ball(D)} of D over the invariant box ({prec} bits)"
                break  # a larger box only widens D
    return DriftResult(None, D_float, None, "UNKNOWN: " + last_reason, periods)


def _ball(b) -> str:
    return f"{b.mid().str(12, radius=False)} +/- {b.rad().str(3, radius=False)}"


MAX_ROUNDS = 400_000  # float rounds to look for a periodic steady state (then UNKNOWN)
ARB_ROUNDS = 150_000  # rounds replayed in balls before the invariant box (the certificate's budget)


def drift(meth, pattern, max_rounds: int = MAX_ROUNDS) -> DriftResult:
    """The generalised drift of a limit-form method on a periodic pattern, certified when possible."""
    state, D, K, settled = settle_float(meth, pattern, max(10, max_rounds // len(pattern)))
    if not settled:
        vec = [float(v) for v in state]
        why = ("the state grows without bound" if not all(math.isfinite(v) for v in vec) or max(map(abs, vec)) > 1e100
               else f"the float iteration did not settle within {K} periods")
        return DriftResult(None, D, None, f"UNKNOWN: no periodic steady state found ({why})", K)
    if K * len(pattern) > ARB_ROUNDS:
        return DriftResult(None, D, None, f"UNKNOWN: the state settles only after {K} periods ({K * len(pattern)} "
                           f"rounds), beyond the ball replay budget of {ARB_ROUNDS} rounds", K)
    res = certify(meth, pattern, K)
    if res.drift is None:
        res.drift = D
    return res


# ------------------------------------------------------------------------------------------------
def scan_C_float(make_limit, Cs, settle_rounds: int, window_periods: int = 4) -> np.ndarray:
    """Float estimates of D on the Theorem 2 family (period n = C: C, -1, ..., -1) for many C at once.

    One batch of the limit form on the numpy backend, one lane per C: ``settle_rounds`` rounds to reach the
    steady state, then the steps are summed over ``window_periods`` full periods of each lane.  EVIDENCE
    only (float64); the answer of :func:`smallest_diverging_C` is certified by :func:`drift` afterwards."""
    Cs = np.asarray(Cs, dtype=np.int64)
    N = len(Cs)
    meth = make_limit()
    init, update = meth.build(NumpyBackend())
    state = init(np.zeros((N, 1)))
    big = Cs.astype(np.float64).reshape(N, 1)
    n = Cs.reshape(N, 1)
    total = np.zeros((N, 1))
    T1 = settle_rounds + int(Cs.max()) * window_periods
    stop = settle_rounds + n * window_periods
    for t in range(1, T1 + 1):
        g = np.where((t - 1) % n == 0, big, -1.0)
        step, state, _ = update(g, state, t if t == 1 else _t(t))
        if t > settle_rounds:
            total -= np.where(t <= stop, step, 0.0)
    return (total / window_periods).ravel()


def settle_rounds_for(beta1, beta2) -> int:
    """Rounds for an EMA with these factors to forget its start to ~4e-11: 24 / (1 - beta) (at least 200)."""
    worst = max(float(beta1 or 0), float(beta2 or 0))
    return int(max(200, 24 / max(1e-6, 1 - worst)))


@dataclass
class CThreshold:
    C: int | None
    certified: bool
    note: str
    at: DriftResult | None = None
    below: DriftResult | None = None
    C_max: int = 0


def smallest_diverging_C(make_limit, beta1, beta2, C_max: int = 512) -> CThreshold:
    """Smallest C in [2, C_max] whose Theorem 2 family has D > 0, by a float scan (EVIDENCE), then the
    answer C (D > 0) and C - 1 (D < 0) certified in balls; None when the scan finds no positive D."""
    Cs = np.arange(2, C_max + 1)
    settle = settle_rounds_for(beta1, beta2)
    D = np.empty(len(Cs))
    D[:] = np.nan
    chunk = 512
    for i in range(0, len(Cs), chunk):  # in order: stop at the first chunk with a positive D
        D[i:i + chunk] = scan_C_float(make_limit, Cs[i:i + chunk], settle)
        if np.any(D[i:i + chunk] > 0):
            break
    pos = np.nonzero(D > 0)[0]
    if not len(pos):
        return CThreshold(None, True, f"no C in [2, {C_max}] with D > 0 (float scan, EVIDENCE)", C_max=C_max)
    C = int(Cs[pos[0]])
    at = drift(make_limit(), [C] + [-1] * (C - 1))
    below = drift(make_limit(), [C - 1] + [-1] * (C - 2)) if C > 2 else None
    ok = at.sign == 1 and (below is None or below.sign in (-1, 0))
    note = (f"float scan over C = 2..{C_max} (EVIDENCE); D(C={C}) {at.label} ({at.reason})"
            + (f"; D(C={C - 1}) {below.label} ({below.reason})" if below is not None else ""))
    return CThreshold(C, ok, note, at, below, C_max)
