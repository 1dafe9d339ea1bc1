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

Certificate (:func:`certify`, :func:`certify_hull`).  Balls of python-flint (arb), the method's own update
run on the :class:`numerics.backends.ArbBackend`:
  1. a box X of states: around the float state once it repeats (a contracting recursion), or, for a
     state that circulates without repeating (Yogi's v moves by +-(1-beta2) g^2 around g^2 for ever), the
     hull of its float orbit plus slack;
  2. P(X) subset X, checked in balls, X cut into pieces (bisection of its widest field) until each
     piece's image lies in X: X is invariant (and contains every later state once the exact start, replayed
     in balls, is inside it);
  3. the enclosure of D over every piece excludes 0 with one sign: then every later period has a drift of
     that sign.
Settling is therefore not a fixed number of rounds: the float iteration runs until the state repeats or
its hull stops growing, the ball replay until the start enters the box, each within a stated budget.
The threshold search's many C' take a shortcut first (:func:`certify_replay`): the exact start is replayed
in balls and the box is tried around the replayed state as soon as its midpoints say the limit is near
(a box of relative radius up to 1/4: entered after a fraction of the rounds that settling to 1e-13
takes); the box test alone decides, and the path above runs when it proves nothing.  With 256 C' or more
(counterexamples.check's search up to C = 512) they are first replayed all together, one lane each, in float64
intervals with outward rounding (:func:`certify_replay_lanes`, :mod:`numerics.intervals`: the same rule's own
update, the same box test); the lanes the intervals leave undecided go through the balls as before.
Any step that fails is UNKNOWN with its reason (no invariant box found, e.g. Adadelta's growing
E[dx^2]; 0 in the enclosure, e.g. Yogi on Theorem 1's problem, whose one-period drift changes sign
over its orbit; a budget spent).
What is *not* certified here: that the actual method (with its bias corrections, finite-t rectifier,
...) has the limit form's limit; that is the convergence of those factors to 1, stated per method.

Example: Adam's limit form on Theorem 1's problem (C = 3, beta1 = 0, beta2 = 1/10) gets, through the
invariant box, the drift that :func:`counterexamples.drift.drift` computes in closed form:

    >>> from numerics import adam
    >>> from counterexamples.drift import general
    >>> r = general.drift(adam(beta1=0, beta2="1/10", schedule="constant"), [3, -1, -1])
    >>> r.sign, round(r.drift, 12)
    (1, 0.680949601994)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from analysis.verdict import EVIDENCE, PROVED, UNKNOWN, Verdict, all_of
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
    rounds: int = 0  # float + ball rounds spent (the budget of the threshold search counts them)

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
        from numerics.backends import lift2

        self.maximum = lift2(self._max)
        self.minimum = lift2(lambda a, b: -self._max(-a, -b))

    @staticmethod
    def _max(a, b):
        if (b.upper() <= a.upper() and b.lower() <= a.lower()) or a.contains(b):
            return a  # max(x, y) lies in [max(lo_a, lo_b), hi_a], inside a
        if (a.upper() <= b.upper() and a.lower() <= b.lower()) or b.contains(a):
            return b
        return a.max(b)


class ScalarInvariantArb(InvariantArb):
    """:class:`InvariantArb` on scalar balls only: the same arb operations without the object-array
    dispatch around each (``lift1``/``lift2`` apply exactly these functions to a scalar), which cost
    about a third of a ball round of a small rule.  Used where every number is one ball
    (:func:`certify_replay`)."""

    def __init__(self, prec: int = 128):
        super().__init__(prec)
        arb = self.flint.arb
        zero = arb(0)
        mx = InvariantArb._max
        self.sqrt = arb.sqrt
        self.maximum = mx
        self.minimum = lambda a, b: -mx(-a, -b)
        self.sign = self._sign
        self.safe_div = lambda a, b: zero if b.is_zero() else a / b


SCALAR_BALLS = True  # the certificates use ScalarInvariantArb (False: InvariantArb; the same balls, slower)


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


FLOAT_COMPILED = True  # settle_float / hull_float run their periods in the rule's numba-compiled step
_FLOAT_SRC = """
def settle(h, state, gs, ts, max_periods, min_periods, tol):
    prev = np.empty(len(state))
    have_prev = False
    D = 0.0
    for k in range(max_periods):
        D = 0.0
        for j in range(len(gs)):
            u, state, _ = update(h, gs[j], state, ts[j])
            D -= u
        if have_prev and k >= min_periods:
            close = True
            equal = True
            finite = True
            i = 0
            for a in state:
                b = prev[i]
                if not (abs(a - b) <= tol * (abs(a) if abs(a) >= 1e-300 else 1e-300)):
                    close = False
                if not (a == b):
                    equal = False
                if not np.isfinite(a):
                    finite = False
                i += 1
            if close or equal:
                return state, D, k + 1, 1
            if not finite:
                return state, D, k + 1, 0
        i = 0
        for a in state:
            prev[i] = a
            i += 1
        have_prev = True
    return state, D, max_periods, 0


@njit(cache=True)
def hull(h, state, gs, ts, periods):
    lo = np.empty(len(state))
    hi = np.empty(len(state))
    i = 0
    for a in state:
        lo[i] = a
        hi[i] = a
        i += 1
    total = 0.0
    for _ in range(periods):
        D = 0.0
        for j in range(len(gs)):
            u, state, _ = update(h, gs[j], state, ts[j])
            D -= u
        i = 0
        for a in state:  # np.minimum / np.maximum: a NaN on either side gives NaN
            if a != a or a < lo[i]:
                lo[i] = a
            if a != a or a > hi[i]:
                hi[i] = a
            i += 1
        total += D
    return state, lo, hi, total / max(1, periods)
"""
_FLOATS: dict = {}  # rule key -> the generated module (settle, hull) or None


def _float_module(meth):
    """settle / hull of the rule's compiled step (numerics.engine's cached kernel modules), or None."""
    if not FLOAT_COMPILED or meth.rule.uses_x:
        return None
    key = meth.rule.key
    if key not in _FLOATS:
        try:
            from numerics.engine import kernels

            _FLOATS[key] = kernels.cached_module(meth.rule, False, _FLOAT_SRC)
        except Exception:  # noqa: BLE001 - numba absent or the step not writable: the Python loops
            _FLOATS[key] = None
    return _FLOATS[key]


def _float_args(meth, pattern):
    F = FloatBackend()
    h = meth.rule.Hyper(**{k: F.num(v) for k, v in meth.numbers.items()})
    if not all(isinstance(v, float) for v in h):
        return None
    pat = list(pattern[1:]) + [pattern[0]]
    return h, np.array([float(g) for g in pat]), np.array([_t(j) for j in range(len(pat))], dtype=np.int64)


def _compiled_call(meth, pattern, state, name, *args):
    """Run the compiled ``settle`` or ``hull`` from ``state`` (Python floats), or None (then Python)."""
    mod = _float_module(meth)
    if mod is None:
        return None
    fa = _float_args(meth, pattern)
    if fa is None or not all(isinstance(v, float) for v in state):
        return None
    try:
        return getattr(mod, name)(fa[0], type(state)(*state), fa[1], fa[2], *args)
    except Exception:  # noqa: BLE001 - numba cannot type this rule's state or step: the Python loops
        _FLOATS[meth.rule.key] = None
        return None


def settle_float(meth, pattern, max_periods: int = 200_000, min_periods: int = 3):
    """Iterate the period map in float64 from the method's start until the state repeats to SETTLE_TOL.

    Returns (state, D, periods, settled).  The first round of the method is run as round 1 (its
    initialisation, e.g. ADOPT's v_0 = g_1^2), the rest in the limit form."""
    init, update = meth.build(FloatBackend())
    state = init(0.0)
    _, state, _ = update(float(pattern[0]), state, 1)
    out = _compiled_call(meth, pattern, state, "settle", int(max_periods), int(min_periods), SETTLE_TOL)
    if out is not None:  # the loop below, compiled (the same operations; tests/test_drift_fastpaths.py)
        st, D, K, flag = out
        return type(state)(*(float(v) for v in st)), float(D), int(K), bool(flag)
    pat = list(pattern[1:]) + [pattern[0]]  # round 1 was phase 0: continue from phase 1
    rounds = [(float(g), _t(j)) for j, g in enumerate(pat)]  # period_float's arguments, converted once
    prev = None
    for k in range(max_periods):
        D = 0.0
        for g, t in rounds:  # period_float, inlined: the same operations in the same order
            step, state, _ = update(g, state, t)
            D -= step
        vec = [float(v) for v in state]
        if prev is not None and k >= min_periods:
            test = _settle_test(vec, prev)
            if test is not None:
                return state, D, k + 1, test
        prev = vec
    return state, D, max_periods, False


def _settle_test(vec, prev):
    """True: the state repeats to SETTLE_TOL (or exactly); False: it is no longer finite; None: go on.

    Plain floats, element by element (the same comparisons as numpy's on arrays, without numpy's per-call
    cost, which dominated a period of a few rounds): NaN compares False everywhere, as there."""
    if all(abs(a - b) <= SETTLE_TOL * max(abs(a), 1e-300) for a, b in zip(vec, prev)) or \
            all(a == b for a, b in zip(vec, prev)):
        return True
    if not all(math.isfinite(a) for a in vec):
        return False
    return None


def _ball_state(B, state, rel):
    import flint

    out = []
    for v in state:
        m = v.mid()
        r = max(abs(float(m)) * rel, 1e-300 if rel > 0 else 0.0) + float(v.rad())
        out.append(flint.arb(m, r))
    return type(state)(*out)


def _contains(X, Y) -> bool:
    """Every field of Y inside the same field of X (a box is contained only when *all* fields are)."""
    return len(X) == len(Y) and all(x.contains(y) for x, y in zip(X, Y))


def _period_arb(update, gs, X, B):
    Y, D = X, B.num(0)
    for j, g in enumerate(gs):
        step, Y, _ = update(g, Y, _t(j))
        D = D - step
    return Y, D


def _split(X):
    """Bisect the box X along its widest field (relative to its magnitude); None when it cannot shrink."""
    import flint

    widths = [float(x.rad()) / max(abs(float(x.mid())), 1e-300) for x in X]
    i = int(np.argmax(widths))
    if widths[i] == 0:
        return None
    x = X[i]
    lo, hi, mid = x.lower(), x.upper(), x.mid()
    halves = []
    for a, b in ((lo, mid), (mid, hi)):
        c = (a + b) / 2
        halves.append(type(X)(*(flint.arb(c.mid(), (b - a).mid() / 2 + (b - a).rad() + c.rad()) if k == i else X[k]
                                for k in range(len(X)))))
    return halves


def box_verdict(update, gs, X, B, max_pieces: int = 512):
    """Is the box X invariant under the period map, and what is the sign of D over it?

    X is cut into pieces (bisection of the widest field) while a piece's image leaves X or its D straddles
    0, up to ``max_pieces`` pieces.  Returns (sign, D ball over X, reason): sign None when X is not shown
    invariant or the pieces' signs differ or straddle 0."""
    todo, pieces, signs, D_all = [X], 0, set(), None
    while todo:
        P = todo.pop()
        pieces += 1
        Y, D = _period_arb(update, gs, P, B)
        inside = _contains(X, Y)
        decided = D > 0 or D < 0 or (D.is_exact() and D.is_zero())
        if not (inside and decided):
            halves = _split(P) if pieces + len(todo) + 2 <= max_pieces else None
            if halves is None:
                if not inside:
                    return None, None, (f"no invariant box: the period map takes a piece of the box out of it "
                                        f"({pieces} pieces tried)")
                return None, D, f"0 lies in the enclosure {_ball(D)} of D over a piece of the invariant box"
            todo += halves
            continue
        signs.add(1 if D > 0 else (-1 if D < 0 else 0))
        D_all = D if D_all is None else D_all.union(D)
    if len(signs) != 1:
        return None, D_all, f"D changes sign over the invariant box ({sorted(signs)})"
    return signs.pop(), D_all, f"invariant box ({pieces} pieces)"


def certify(meth, pattern, periods: int, precs=PRECS, radii=RADII) -> DriftResult:
    """Steps 1-3 of the module doc in arb; ``periods`` = K (from :func:`settle_float`)."""
    D_float = None
    last_reason = ""
    for prec in precs:
        B = (ScalarInvariantArb if SCALAR_BALLS else InvariantArb)(prec)
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
                Y, D = _period_arb(update, gs, X, B)
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


REPLAY_REL_MAX = 0.25  # the first box tried is at most this wide (relative); later ones when the estimate shrinks
REPLAY_SHRINK = 3.0  # a new box is tried when the estimated distance to the limit has shrunk by this factor
REPLAY_RADIUS_FACTOR = 2.0  # the box's radius: this many times the estimated distance to the limit (and floor)
REPLAY_REL_MIN = 1e-13  # the smallest relative radius (of the field's magnitude) a box gets


def certify_replay(meth, pattern, budget_rounds: int, prec: int = 128) -> DriftResult:
    """Steps 1-3 of the module doc with the box found *while* the exact start is replayed in balls.

    The exact start is replayed period by period in balls.  Its midpoints estimate how far the state still
    is from its limit (the change per period over 1 - q, q the ratio of two successive changes); once that
    estimate is below REPLAY_REL_MAX, a box X around the current state, REPLAY_RADIUS_FACTOR times as wide
    as the estimate, is tested (one period on X in balls): the current ball state lies in X, P(X) lies in X
    and the D ball over X excludes 0 -- then every later state is in X and every later period has that
    sign, the certificate of :func:`certify` (which only centres its box elsewhere).  When the test fails,
    the replay goes on and tries again once the estimate has shrunk by REPLAY_SHRINK.  The estimate only
    picks *which* box is tested; the box test alone decides (a wrong estimate costs time, never soundness).

    Why this is faster than settling first: a box of relative radius r is entered after ~log(r)/log(q)
    periods, not the ~log(SETTLE_TOL)/log(q) of :func:`settle_float` (and the float pass is not needed),
    and a box of radius 1e-4 decides D's sign whenever |D| is not tiny.  Returns sign None (with the
    reason) when no box is proved within ``budget_rounds`` rounds, when the state stops contracting (a
    circulating state, Yogi's v: :func:`certify_hull` handles it), or when D is 0 exactly over the box
    (sign methods: :func:`certify` states that); the caller then runs the settle-first path."""
    import flint

    n = len(pattern)
    B = (ScalarInvariantArb if SCALAR_BALLS else InvariantArb)(prec)
    with B.precision():
        init, update = meth.build(B)
        state = init(B.num(0))
        _, state, _ = update(B.num(pattern[0]), state, 1)
        gs = [B.num(g) for g in list(pattern[1:]) + [pattern[0]]]
        fields = type(state)
        prev = [float(v.mid()) for v in state]
        d_prev, tried_at, k, rounds, tries = None, math.inf, 0, n, 0
        reason = "the replay budget was spent before a box was proved"
        while rounds + n <= budget_rounds:
            for j, g in enumerate(gs):
                _, state, _ = update(g, state, _t(j))
            rounds += n
            k += 1
            cur = [float(v.mid()) for v in state]
            if not all(math.isfinite(v) for v in cur):
                return DriftResult(None, None, None, "the replayed state is no longer finite", k, rounds=rounds)
            ds = [abs(a - b) for a, b in zip(cur, prev)]  # absolute change of each field over one period
            d = max(ds)
            prev = cur
            if d == 0:
                tail = 0.0
            elif not d_prev:
                d_prev = d
                continue
            else:
                q, d_prev = d / d_prev, d
                if q >= 1:  # not contracting over this period: a circulating state, or an early transient
                    if k >= 16:
                        return DriftResult(None, None, None, f"the replayed state does not contract (change "
                                           f"ratio {q:.3g} per period after {k} periods)", k, rounds=rounds)
                    continue
                tail = q / (1 - q)  # geometric tail: distance from the limit = change x tail, estimated
            scale = max(max(abs(v) for v in cur), 1e-300)
            mags = [max(abs(v), 1e-12 * scale) for v in cur]
            radii = [max(REPLAY_RADIUS_FACTOR * di * tail, REPLAY_REL_MIN * m) for di, m in zip(ds, mags)]
            rel = max(r / m for r, m in zip(radii, mags))
            if rel > REPLAY_REL_MAX or rel * REPLAY_SHRINK > tried_at:
                continue
            tried_at, tries = rel, tries + 1
            X = fields(*(flint.arb(v.mid(), r) + flint.arb(0, v.rad()) for v, r in zip(state, radii)))
            if not _contains(X, state):
                continue
            Y, D = _period_arb(update, gs, X, B)
            rounds += n
            if not _contains(X, Y):
                reason = f"no box proved invariant (last: relative radius {rel:.2g} after {k} periods)"
                continue
            if D > 0 or D < 0:
                sign = 1 if D > 0 else -1
                st = {f: float(v.mid()) for f, v in zip(state._fields, state)}
                return DriftResult(sign, float(D.mid()), _ball(D), f"invariant box (relative radius {rel:.2g}) "
                                   f"around the exact start's state after {k} periods, D {'>' if sign > 0 else '<'} "
                                   f"0 over it ({prec} bits)", k, rel, st, rounds=rounds)
            reason = f"0 lies in the enclosure {_ball(D)} of D over the box of relative radius {rel:.2g}"
            if D.is_exact() and D.is_zero():
                break  # D = 0 exactly: certify() states it
    return DriftResult(None, None, None, reason, k, rounds=rounds)


INTERVAL_LANES = True  # smallest_diverging_C(replay_first=True): the C' are replayed together first (intervals)
INTERVAL_MIN_LANES = 256  # fewer C' than this: the balls alone (a pass costs >= 3 periods of the largest C')
INTERVAL_MAX_ROUNDS = 2048  # lockstep rounds of that pass at most (its undecided lanes then go to the balls);
# one lockstep round over 2 x 511 tracks costs about 100 ball rounds of certify_replay (numpy's per-call cost)
INTERVAL_GIVE_UP = 2  # the pass stops when this many more lanes have failed than have been decided
REPLAY_REL_MAX_LANES = None  # the widest box the lanes try (None: REPLAY_REL_MAX)
INTERVAL_SHRINK = 1.0  # a lane tries a box at every period end where the estimate has not grown (the probe runs
# beside the replay, so a try costs no lockstep round; certify_replay waits for a shrink by REPLAY_SHRINK)


def certify_replay_lanes(meth, Cs, max_rounds: int) -> tuple[dict, int]:
    """:func:`certify_replay` on the Theorem 2 family (period n = C: C, -1, ..., -1) for every C in ``Cs`` at
    once, in float64 intervals (:class:`numerics.intervals.IntervalBackend`: outward rounding after every
    operation, so each interval encloses the exact value; the rule's own update, one lane per C).

    Each lane has two tracks: the exact start replayed (as in :func:`certify_replay`) and a probe that runs
    one period from a box X.  At the end of a replay period the same estimate as there picks the box (a
    relative radius <= REPLAY_REL_MAX, not wider than the last one tried: INTERVAL_SHRINK; after the first
    period, with no estimate yet, the widest box); the probe then runs the period map on X while the replay
    goes on (both start at phase 0), so a try costs no lockstep round.  At the probe's end the lane
    is decided when the replayed state was inside X, P(X) lies in X and the interval of D over X excludes 0:
    the certificate of :func:`certify_replay`, with intervals for balls.  A lane that the intervals cannot
    decide within ``max_rounds`` lockstep rounds (wider enclosures than 128-bit balls, a rule that does not
    run on intervals, a state that does not contract) is simply absent from the result: the caller decides
    it in balls.  The pass stops early when its smallest C cannot reach a box within ``max_rounds`` (by the
    estimate's rate) or when INTERVAL_GIVE_UP more lanes failed than were decided: the search needs the C' from
    2 upwards, and those lanes are then the balls' anyway.  Returns ({C: DriftResult} for the decided lanes,
    lockstep rounds run)."""
    from numerics import intervals as iv

    Cs = np.asarray(sorted({int(c) for c in Cs}), dtype=np.int64)  # in C order: lane 0 is the smallest C
    if len(Cs) == 0 or meth.rule.uses_x:
        return {}, 0
    B = iv.IntervalBackend()
    try:
        init, update = meth.build(B)
        M = len(Cs)
        big = np.concatenate([Cs, Cs]).astype(np.float64)
        state = init(B.zeros(2 * M))
        _, state, _ = update(iv.Interval(big), state, 1)
    except (TypeError, ValueError, AttributeError, NotImplementedError, ArithmeticError):
        return {}, 0  # the rule does not run on intervals (a branch on a value, a helper missing): balls only
    fields = type(state)
    nf = len(state)

    def full(a):
        return a if a.shape == (2 * M,) else np.broadcast_to(a, (2 * M,))

    def ends(st):  # (lo, hi) arrays of shape (nf, 2M)
        return np.array([full(f.lo) for f in st]), np.array([full(f.hi) for f in st])

    lane_C = Cs.copy()  # the C of each lane still running
    n = np.concatenate([Cs, Cs])
    nfl = n.astype(np.float64)
    phase = np.zeros(2 * M, dtype=np.int64)
    Dlo, Dhi = np.zeros(2 * M), np.zeros(2 * M)
    lo, hi = ends(state)
    prev = (lo[:, :M] + hi[:, :M]) / 2
    d_prev = np.full(M, np.nan)
    tried = np.full(M, np.inf)
    k = np.zeros(M, dtype=np.int64)
    rounds = Cs.copy()  # rounds of each lane, replay and probes (as certify_replay counts them)
    probe = np.zeros(M, dtype=bool)
    probe_rel = np.zeros(M)
    Xlo, Xhi = np.zeros((nf, M)), np.zeros((nf, M))
    out, failed, t = {}, 0, 0
    err = np.seterr(all="ignore")  # NaN / inf in a lane only make its tests fail
    try:
        while t < max_rounds and M:
            t += 1
            g = np.where(phase == n - 1, nfl, -1.0)
            try:
                step, state, _ = update(iv.Interval(g), state, 2 + phase)
            except (TypeError, ValueError, AttributeError, NotImplementedError, ArithmeticError):
                return out, t
            Dlo, Dhi = -step.hi + Dlo, -step.lo + Dhi  # D -= step, rounded outwards below
            Dlo, Dhi = np.nextafter(Dlo, -np.inf), np.nextafter(Dhi, np.inf)
            phase = phase + 1
            phase[phase == n] = 0
            end = phase[:M] == 0
            if not end.any():
                continue
            rounds[end] += n[:M][end]
            lo, hi = ends(state)
            done = np.zeros(M, dtype=bool)
            # 1. probes ending now: P(X) in X and D of one sign over X decide the lane
            pe = end & probe
            if pe.any():
                inside = np.all((Xlo <= lo[:, M:]) & (hi[:, M:] <= Xhi), axis=0)
                pos, neg = Dlo[M:] > 0, Dhi[M:] < 0
                ok = pe & inside & (pos | neg)
                for i in np.nonzero(ok)[0]:
                    sign = 1 if pos[i] else -1
                    st = {f: float((lo[j, i] + hi[j, i]) / 2) for j, f in enumerate(fields._fields)}
                    out[int(lane_C[i])] = DriftResult(
                        sign, float((Dlo[M + i] + Dhi[M + i]) / 2), f"[{Dlo[M + i]!r}, {Dhi[M + i]!r}]",
                        f"invariant box (relative radius {probe_rel[i]:.2g}) around the exact start's state after "
                        f"{int(k[i])} periods, D {'>' if sign > 0 else '<'} 0 over it (float64 intervals, "
                        f"outward rounding)", int(k[i]), float(probe_rel[i]), st, rounds=int(rounds[i]))
                done |= ok
                probe &= ~pe
            # 2. replay periods ending now: the estimate of certify_replay, lane by lane (vectorised)
            re = end & ~done
            k[re] += 1
            cur = (lo[:, :M] + hi[:, :M]) / 2
            fin = np.all(np.isfinite(cur), axis=0)
            bad = re & ~fin
            ds = np.abs(cur - prev)
            d = ds.max(axis=0)
            prev = np.where(re, cur, prev)
            first = re & fin & (d != 0) & np.isnan(d_prev)
            q = np.where(re & fin & (d != 0) & ~first, d / np.where(d_prev > 0, d_prev, 1.0), 0.0)
            d_prev = np.where(re & fin & (d != 0), d, d_prev)
            grow = re & fin & ~first & (d != 0) & (q >= 1)
            bad |= grow & (k >= 16)
            tail = np.where(d == 0, 0.0, q / np.where(q < 1, 1 - q, 1.0))
            cand = re & fin & ~grow & ~probe
            if cand.any():
                rel_max = REPLAY_REL_MAX_LANES or REPLAY_REL_MAX
                scale = np.maximum(np.abs(cur).max(axis=0), 1e-300)
                mags = np.maximum(np.abs(cur), 1e-12 * scale)
                # after the first period there is no ratio yet: the widest box is tried at once (a long period
                # has often settled the state already; the box test decides, the guess only costs a probe)
                radii = np.where(first, rel_max * mags,
                                 np.maximum(REPLAY_RADIUS_FACTOR * ds * tail, REPLAY_REL_MIN * mags))
                rel = (radii / mags).max(axis=0)
                if cand[0] and not first[0] and rel[0] > rel_max:
                    # the smallest C still running (lane 0: the lanes stay in C order) decides the prefix the
                    # search can use; when its estimate cannot reach a box within the cap (it shrinks by q per
                    # period), the pass stops here and leaves every lane to the balls, at almost no cost
                    need = n[0] * (1 + math.log(rel[0] / rel_max) / max(-math.log(q[0]), 1e-300))
                    if t + need > max_rounds:
                        break
                go = cand & (rel <= rel_max) & (rel * INTERVAL_SHRINK <= tried)
                if go.any():
                    tried = np.where(go, rel, tried)
                    xl = np.nextafter(lo[:, :M] - radii, -np.inf)
                    xh = np.nextafter(hi[:, :M] + radii, np.inf)
                    go &= np.all((xl <= lo[:, :M]) & (hi[:, :M] <= xh), axis=0)  # the state lies in X
                    Xlo, Xhi = np.where(go, xl, Xlo), np.where(go, xh, Xhi)
                    probe_rel = np.where(go, rel, probe_rel)
                    probe |= go
                    # the probe track of each such lane starts from X at phase 0 with D = 0
                    idx = np.nonzero(go)[0] + M
                    new = []
                    for j, f in enumerate(state):
                        flo, fhi = np.array(np.broadcast_to(f.lo, (2 * M,))), np.array(np.broadcast_to(f.hi, (2 * M,)))
                        flo[idx], fhi[idx] = Xlo[j, idx - M], Xhi[j, idx - M]
                        new.append(iv.Interval(flo, fhi))
                    state = fields(*new)
                    Dlo[idx], Dhi[idx] = 0.0, 0.0
                    rounds[go] += n[:M][go]
            failed += int(bad.sum())
            done |= bad
            if failed >= len(out) + INTERVAL_GIVE_UP:
                break  # most lanes fail here (a circulating state): leave them all to the balls
            if done.any():  # drop the finished lanes (every operation is lane by lane)
                keep = ~done
                sel = np.concatenate([keep, keep])
                M = int(keep.sum())
                state = fields(*(iv.Interval(np.broadcast_to(f.lo, sel.shape)[sel],
                                             np.broadcast_to(f.hi, sel.shape)[sel]) for f in state))
                lane_C, n, nfl, phase, Dlo, Dhi = lane_C[keep], n[sel], nfl[sel], phase[sel], Dlo[sel], Dhi[sel]
                prev, d_prev, tried, k, rounds = prev[:, keep], d_prev[keep], tried[keep], k[keep], rounds[keep]
                probe, probe_rel, Xlo, Xhi = probe[keep], probe_rel[keep], Xlo[:, keep], Xhi[:, keep]
    finally:
        np.seterr(**err)
    return out, t


def hull_float(meth, pattern, state, periods: int, update=None):
    """Run ``periods`` periods in float64 from ``state``: (state, hull lo, hull hi, mean D) of the phase-0
    states visited (the attractor's hull when the state circulates instead of settling: Yogi's v)."""
    out = _compiled_call(meth, pattern, state, "hull", int(periods)) if update is None else None
    if out is not None:  # the loop below, compiled (the same operations; tests/test_drift_fastpaths.py)
        st, lo, hi, Dm = out
        return type(state)(*(float(v) for v in st)), np.asarray(lo), np.asarray(hi), float(Dm)
    if update is None:
        _, update = meth.build(FloatBackend())
    pat = list(pattern[1:]) + [pattern[0]]
    lo = hi = np.array([float(v) for v in state])
    total = 0.0
    for _ in range(periods):
        state, D = period_float(meth, pat, state, update)
        vec = np.array([float(v) for v in state])
        lo, hi = np.minimum(lo, vec), np.maximum(hi, vec)
        total += D
    return state, lo, hi, total / max(1, periods)


INFLATE = (0.01, 0.05, 0.25, 1.0)  # slack added to the attractor's hull, as a fraction of its width


def certify_hull(meth, pattern, lo, hi, budget_rounds: int = None, prec: int = 128) -> DriftResult:
    """Certificate for a state that circulates without settling (e.g. Yogi's v, which moves by +-(1-beta2) g^2
    around g^2 and never becomes periodic): a box X = the float hull of the visited states plus slack,
    shown invariant piece by piece, with D of one sign over it; then the exact start is replayed in balls
    until its state lies in X (at most ``budget_rounds`` rounds).  UNKNOWN with the reason otherwise."""
    import flint

    budget_rounds = ARB_ROUNDS if budget_rounds is None else budget_rounds
    B = (ScalarInvariantArb if SCALAR_BALLS else InvariantArb)(prec)
    n = len(pattern)
    with B.precision():
        init, update = meth.build(B)
        gs = [B.num(g) for g in list(pattern[1:]) + [pattern[0]]]
        state = init(B.num(0))
        _, state, _ = update(B.num(pattern[0]), state, 1)
        fields = type(state)
        reason = ""
        for frac in INFLATE:
            w = (hi - lo) * frac + np.abs(np.maximum(np.abs(lo), np.abs(hi))) * 1e-9
            X = fields(*(flint.arb((a + b) / 2, (b - a) / 2 + c) for a, b, c in zip(lo, hi, w)))
            sign, D, why = box_verdict(update, gs, X, B)
            if sign is None:
                reason = why
                if D is not None:
                    break  # the box is invariant but D straddles 0: a larger box only widens D
                continue
            rounds, K = 0, 0
            while not _contains(X, state):
                if rounds + n > budget_rounds:
                    return DriftResult(None, float(D.mid()), None, f"UNKNOWN: the exact start did not enter the "
                                       f"invariant box within the ball replay budget of {budget_rounds} rounds", K)
                for j, g in enumerate(gs):
                    _, state, _ = update(g, state, _t(j))
                rounds += n
                K += 1
            label = {1: "D > 0", -1: "D < 0", 0: "D = 0 exactly"}[sign]
            st = {f: float(v.mid()) for f, v in zip(state._fields, state)}
            return DriftResult(sign, float(D.mid()), _ball(D), f"{why}: the hull of the circulating state plus "
                               f"{frac:g} of its width, entered by the exact start after {K} periods; {label} over "
                               f"it ({prec} bits)", K, None, st)
    return DriftResult(None, None, None, "UNKNOWN: " + reason, 0)


def _ball(b) -> str:
    return f"{b.mid().str(12, radius=False)} +/- {b.rad().str(3, radius=False)}"


SHORT_SETTLE = (16, 8, 4)  # drift(replay_first=True) tries a circulating state's hull after 1/16, 1/8, 1/4 of
# the float budget (wasted when all fail: 7/16 of the budget; saved when one proves: 3/4 or more)
MAX_ROUNDS = 400_000  # float rounds to look for a periodic steady state (then UNKNOWN)
ARB_ROUNDS = 150_000  # rounds replayed in balls before the invariant box (the certificate's budget)
HULL_PERIODS = 400  # periods over which the hull of a circulating state is taken


def drift(meth, pattern, max_rounds: int = MAX_ROUNDS, arb_rounds: int = ARB_ROUNDS,
          replay_first: bool = False) -> DriftResult:
    """The generalised drift of a limit-form method on a periodic pattern, certified when possible.

    Settling is not a fixed number of rounds: the float state is iterated until it repeats (then the box
    around it) or, when it circulates without repeating, until its hull stops growing (then the hull box,
    :func:`certify_hull`); both within ``max_rounds`` float rounds and ``arb_rounds`` ball rounds, else
    UNKNOWN with the reason.

    ``replay_first``: try :func:`certify_replay` first (the sign in a fraction of the rounds, with a wider
    enclosure of D: the threshold search's many C' need the sign only); the settle-first path when it
    proves nothing."""
    if not replay_first:
        return _drift_settled_first(meth, pattern, max_rounds, arb_rounds)
    # first the box found while the exact start is replayed in balls (no float pass); the settle-first
    # path below when it proves nothing (a circulating state, D = 0 exactly, a budget spent)
    fast = certify_replay(meth, pattern, arb_rounds)
    if fast.sign in (1, -1):
        return fast
    spent = fast.rounds  # the replay's rounds were spent too (the threshold search's budget counts them)
    if "does not contract" in fast.reason:
        # a circulating state (Yogi's v): its hull forms long before the settle-first path has spent its
        # float budget looking for a repeat; try the same path on 1/16, 1/8, 1/4 of the budget first (the
        # hull box decides, as there), the whole budget when none proves anything
        for div in SHORT_SETTLE:
            short = _drift_settled_first(meth, pattern, max_rounds // div, arb_rounds)
            spent += short.rounds
            if short.sign is not None:
                short.rounds = spent
                return short
    res = _drift_settled_first(meth, pattern, max_rounds, arb_rounds)
    res.rounds += spent
    return res


def _drift_settled_first(meth, pattern, max_rounds: int, arb_rounds: int) -> DriftResult:
    """:func:`drift` by settling in float64 first, then the box around the settled (or circulating) state."""
    n = len(pattern)
    # a quarter of the float budget to find a repeating state (ample for contracting EMAs: ~30/(1-beta) rounds)
    state, D, K, settled = settle_float(meth, pattern, max(10, max_rounds // (4 * n)))
    vec = [float(v) for v in state]
    if not all(math.isfinite(v) for v in vec) or max(map(abs, vec)) > 1e100:
        return DriftResult(None, D, None, "UNKNOWN: no periodic steady state found (the state grows without "
                           "bound)", K, rounds=K * n)
    if settled:
        if K * n > arb_rounds:
            return DriftResult(None, D, None, f"UNKNOWN: the state settles only after {K} periods ({K * n} "
                               f"rounds), beyond the ball replay budget of {arb_rounds} rounds", K, rounds=K * n)
        res = certify(meth, pattern, K)
        if res.drift is None:
            res.drift = D
        res.rounds = 2 * K * n
        return res
    # not periodic within that budget: is it circulating in a bounded set whose hull has stopped growing?
    hp = max(8, min(HULL_PERIODS, max_rounds // (8 * n)))
    state, lo1, hi1, _ = hull_float(meth, pattern, state, hp)
    state, lo2, hi2, Dm = hull_float(meth, pattern, state, hp)
    width = np.maximum(hi1 - lo1, 1e-12 * np.maximum(np.abs(lo1), np.abs(hi1)) + 1e-300)
    if np.any(lo2 < lo1 - 0.1 * width) or np.any(hi2 > hi1 + 0.1 * width):  # heuristic; the box test decides
        return DriftResult(None, Dm, None, f"UNKNOWN: no periodic steady state and no settled hull within "
                           f"{K + 2 * hp} periods (the float iteration keeps moving)", K, rounds=(K + 2 * hp) * n)
    res = certify_hull(meth, pattern, np.minimum(lo1, lo2), np.maximum(hi1, hi2), arb_rounds)
    if res.drift is None:
        res.drift = Dm
    res.rounds = (K + 2 * hp) * n + res.periods * n
    return res


# ------------------------------------------------------------------------------------------------
SCAN_WINDOW = 8  # periods per window of the scan's settling test
SCAN_TOL = 1e-2  # two consecutive window means of D agree to this (relative) and in sign: settled
SCAN_MAX_ROUNDS = 2_000_000  # float rounds of the scan (then the unsettled lanes are NaN: no evidence)


SCAN_COMPILED = True  # scan_C_float runs each lane in the rule's numba-compiled step (numpy when it cannot)
_SCAN_LANE = None


def _scan_lane_kernel():
    """The scan of one lane, compiled: the loop of :func:`_scan_numpy` for one C, the same operations in the
    same order on float64 scalars (the step is the rule's own update compiled by numba,
    numerics.engine.kernels.compiled_step; no fastmath, so no reassociation or fused multiply-add)."""
    global _SCAN_LANE
    if _SCAN_LANE is None:
        from numba import njit

        # the one lane loop (_LANE_SRC), here with the rule's step passed as an argument instead of written in
        ns = {"np": np}
        exec(_LANE_SRC.replace("def lane(h,", "def lane(update, h,", 1), ns)  # noqa: S102 -- our own source
        lane = njit(ns["lane"])
        _SCAN_LANE = lane
    return _SCAN_LANE


_LANE_SRC = """
def lane(h, state, C, settle_rounds, window_periods, max_rounds, tol):
    n = C
    big = float(C)
    win = n * window_periods
    acc = 0.0
    prev = np.nan
    t = 0
    while t < max_rounds:
        t += 1
        g = big if (t - 1) % n == 0 else -1.0
        u, state, _ = update(h, g, state, t if t == 1 else 2 + t)
        if t <= settle_rounds:
            continue
        acc -= u
        if (t - settle_rounds) % win == 0:
            cur = acc / window_periods
            if np.isfinite(cur) and np.sign(cur) == np.sign(prev) and \\
                    abs(cur - prev) <= tol * max(abs(cur), abs(prev)):
                return cur
            prev = cur
            acc = 0.0
    return np.nan
"""
_LANES: dict = {}  # rule key -> the lane scan with the step written in (cached on disk by numba)


def _lane_for(rule):
    """The lane loop of :func:`_scan_lane_kernel` with the rule's step written into one generated module
    (numerics.engine.kernels' cached modules: numba caches it on disk, so a later process does not
    compile it again); None when the step cannot be written out (then the dispatcher-argument loop)."""
    from numerics.engine import kernels

    if rule.key not in _LANES:
        mod = kernels.cached_module(rule, False, _LANE_SRC)
        _LANES[rule.key] = None if mod is None else mod.lane
    return _LANES[rule.key]


def _scan_compiled(meth, Cs, settle_rounds, window_periods, max_rounds):
    """The scan lane by lane in compiled code, or None when the rule does not compile (then numpy)."""
    try:
        from numerics.engine.kernels import CompiledBackend, compiled_step

        if meth.rule.uses_x:
            return None
        F = NumpyBackend()
        h = meth.rule.Hyper(**{k: F.num(v) for k, v in meth.numbers.items()})
        if not all(isinstance(v, float) for v in h):
            return None
        init, _ = meth.rule.make(CompiledBackend)
        state = meth.rule.State(*(float(v) for v in init(0.0)))
        args = (int(settle_rounds), int(window_periods), int(max_rounds), SCAN_TOL)
        written = _lane_for(meth.rule)
        if written is not None:
            return np.array([written(h, state, int(c), *args) for c in Cs], dtype=np.float64)
        step = compiled_step(meth.rule)
        lane = _scan_lane_kernel()
        return np.array([lane(step, h, state, int(c), *args) for c in Cs], dtype=np.float64)
    except Exception:  # noqa: BLE001 - numba cannot type this rule (or is absent): the numpy scan decides
        return None


def scan_C_float(make_limit, Cs, settle_rounds: int, window_periods: int = SCAN_WINDOW,
                 max_rounds: int = SCAN_MAX_ROUNDS, compiled: bool | None = None) -> np.ndarray:
    """:func:`_scan_numpy`, run lane by lane in the rule's compiled step where numba compiles it
    (``compiled``: default SCAN_COMPILED; the same bits, tests/test_drift_fastpaths.py)."""
    if SCAN_COMPILED if compiled is None else compiled:
        out = _scan_compiled(make_limit(), np.asarray(Cs, dtype=np.int64), settle_rounds, window_periods,
                             max_rounds)
        if out is not None:
            return out
    return _scan_numpy(make_limit, Cs, settle_rounds, window_periods, max_rounds)


def _scan_numpy(make_limit, Cs, settle_rounds: int, window_periods: int = SCAN_WINDOW,
                max_rounds: int = SCAN_MAX_ROUNDS) -> np.ndarray:
    """Float estimates of D on the Theorem 2 family (period n = C: C, -1, ..., -1) for many C at once.

    One batch of the limit form on the numpy backend, one lane per C.  Settling is not a fixed number of
    rounds: after ``settle_rounds`` the mean of D over windows of ``window_periods`` periods is taken lane
    by lane until two consecutive windows agree in sign and to SCAN_TOL (Yogi's v climbs to g^2 by
    additive steps: ~1/(1-beta2) periods, far beyond a fixed 24/(1-beta2) rounds); a lane that has not
    settled within ``max_rounds`` rounds is NaN.  EVIDENCE only (float64); :func:`smallest_diverging_C`
    certifies afterwards."""
    Cs = np.asarray(Cs, dtype=np.int64)
    N = len(Cs)
    meth = make_limit()
    init, update = meth.build(NumpyBackend())
    state = init(np.zeros((N, 1)))
    big = Cs.astype(np.float64).reshape(N, 1)
    n = Cs.reshape(N, 1)
    win = n * window_periods
    acc = np.zeros((N, 1))
    prev = np.full((N, 1), np.nan)
    out = np.full((N, 1), np.nan)
    lane = np.arange(N)  # the lane (index into Cs) of each row still running
    t = 0
    while t < max_rounds and len(lane):
        t += 1
        g = np.where((t - 1) % n == 0, big, -1.0)
        step, state, _ = update(g, state, t if t == 1 else _t(t))
        if t <= settle_rounds:
            continue
        acc -= step
        end = (t - settle_rounds) % win == 0
        if end.any():
            cur = acc / window_periods
            ok = end & np.isfinite(cur) & (np.sign(cur) == np.sign(prev)) & (
                np.abs(cur - prev) <= SCAN_TOL * np.maximum(np.abs(cur), np.abs(prev)))
            out[lane[ok[:, 0]]] = cur[ok].reshape(-1, 1)
            prev = np.where(end, cur, prev)
            acc = np.where(end, 0.0, acc)
            if ok.any():
                # a settled lane is dropped (every operation is lane by lane, so the others' numbers are
                # unchanged): the late rounds, when a few large C are still settling, cost a few lanes
                keep = ~ok[:, 0]
                lane, big, n, win, acc, prev = lane[keep], big[keep], n[keep], win[keep], acc[keep], prev[keep]
                state = type(state)(*(f[keep] if np.ndim(f) == 2 else f for f in state))
    return out.ravel()


def settle_rounds_for(beta1, beta2) -> int:
    """Rounds for an EMA with these factors to forget its start to ~4e-11: 24 / (1 - beta) (at least 200).
    Only the scan's first wait: the scan then runs until its windows agree (:func:`scan_C_float`)."""
    worst = max(float(beta1 or 0), float(beta2 or 0))
    return int(max(200, 24 / max(1e-6, 1 - worst)))


CERTIFY_ROUNDS_PER_C = 800  # default ball budget for the C' below the answer: 800 x C_max (then EVIDENCE)
REPLAY_FIRST = False  # smallest_diverging_C's default: the C' below the answer try certify_replay first
# (counterexamples.check passes True; the zoo and the search keep the settle-first path and their outputs)


@dataclass
class CThreshold:
    """The smallest diverging C of a method's Theorem 2 family.  ``verdict`` is PROVED only when D > 0 is
    certified at C *and* every C' in [2, C) is certified D <= 0 (or, with C None, every C in [2, C_max]);
    a part that rests on the float scan makes it EVIDENCE (its range in the reason); an answer C that is
    not certified is UNKNOWN."""

    C: int | None
    verdict: Verdict
    note: str
    at: DriftResult | None = None
    below: DriftResult | None = None
    C_max: int = 0
    certified_below: int = 0  # every C' in [2, certified_below] is certified D <= 0 (0: none)

    @property
    def certified(self) -> bool:
        return self.verdict.proved


def smallest_diverging_C(make_limit, beta1, beta2, C_max: int = 512, certify_rounds: int | None = None,
                         max_rounds: int = MAX_ROUNDS, replay_first: bool | None = None) -> CThreshold:
    """Smallest C in [2, C_max] whose Theorem 2 family has D > 0.

    A float scan (EVIDENCE) proposes C; D > 0 at C is certified in balls (walking up while it is not), and
    then every C' below it, from 2 upwards, is certified D <= 0 within ``certify_rounds`` ball rounds
    (default 800 x C_max; float rounds count 1/8).  A
    certified D > 0 below the proposal restarts the answer there.  The verdict is PROVED only when every
    part is certified; otherwise EVIDENCE for the minimality (or "none up to C_max") with the range that
    rests on the scan, and UNKNOWN when D > 0 at the answer itself is not certified.  ``replay_first``
    (default REPLAY_FIRST): the C' below go through :func:`certify_replay` first (drift(replay_first=True))."""
    if replay_first is None:
        replay_first = REPLAY_FIRST
    if certify_rounds is None:
        certify_rounds = CERTIFY_ROUNDS_PER_C * C_max
    Cs = np.arange(2, C_max + 1)
    settle = settle_rounds_for(beta1, beta2)
    D = np.full(len(Cs), np.nan)
    chunk = 512
    for i in range(0, len(Cs), chunk):  # in order: stop at the first chunk with a positive D
        D[i:i + chunk] = scan_C_float(make_limit, Cs[i:i + chunk], settle)
        if np.any(D[i:i + chunk] > 0):
            break
    pos = np.nonzero(D > 0)[0]
    unsettled = [int(c) for c, d in zip(Cs, D) if np.isnan(d) and (not len(pos) or c < Cs[pos[0]])]
    cand = int(Cs[pos[0]]) if len(pos) else None
    pat = lambda c: [c] + [-1] * (c - 1)
    # D > 0 at the answer, certified (walk up while the ball says otherwise)
    at, C = None, cand
    while C is not None and C <= C_max:
        at = drift(make_limit(), pat(C), max_rounds)  # the answer: the normal ball budget
        if at.sign == 1 or at.sign is None:
            break
        C = next((int(c) for c, d in zip(Cs, D) if c > C and d > 0), None)
    if C is not None and C > C_max:
        C = None
    # every C' below (or every C up to C_max when there is no answer), from 2 upwards, within the budget
    top = (C - 1) if C is not None else C_max
    budget, certified_below, below, first_bad = certify_rounds, 1, None, None
    lanes = {}
    if replay_first and INTERVAL_LANES and top - 1 >= INTERVAL_MIN_LANES:
        # every C' at once in float64 intervals (certify_replay_lanes); a lane they decide is certified, the
        # others go through the balls below as before, with the whole ball budget: the pass has its own
        # bound (INTERVAL_MAX_ROUNDS lockstep rounds) and is not charged to it, so the balls' range is never
        # narrower than without the pass
        lanes, _ = certify_replay_lanes(make_limit(), range(2, top + 1), INTERVAL_MAX_ROUNDS)
    for c in range(2, top + 1):
        if c in lanes:
            r = lanes[c]
        else:
            if budget <= 0:
                break
            arb = min(budget, ARB_ROUNDS * 8)
            r = drift(make_limit(), pat(c), max_rounds, arb_rounds=arb, replay_first=replay_first)
            budget -= max(c, r.rounds // 8 + r.periods * c)  # a ball round costs ~8 float rounds
        if r.sign is None and arb < ARB_ROUNDS * 8 and "budget" in r.reason:
            break  # cut short by what was left of the search's budget: "budget spent", not this C's fault
        if r.sign == 1:  # the scan missed a smaller diverging C: it is the answer
            return smallest_diverging_C(make_limit, beta1, beta2, c, certify_rounds, max_rounds, replay_first) \
                if c < (C or C_max + 1) else None
        if r.sign is None:
            first_bad = (c, r.reason)
            break
        certified_below = c
        if c == top:
            below = r
    scan_range = f"C = {certified_below + 1}..{top}" if certified_below < top else ""
    parts = []
    if C is not None:
        ok_at = at is not None and at.sign == 1
        parts.append(Verdict(PROVED if ok_at else UNKNOWN, f"D > 0 at C = {C}",
                             reason="" if ok_at else (at.reason if at else "not certified")))
        claim, label = f"the smallest C in [2, {C_max}] with D > 0 is {C}", "diverges"
    else:
        claim, label = f"no C in [2, {C_max}] has D > 0", "converges"
    if certified_below >= top:
        parts.append(Verdict(PROVED, f"D <= 0 for every C in [2, {top}] (balls)"))
    else:
        why = (f"D <= 0 certified for C = 2..{certified_below}" if certified_below >= 2 else "none certified")
        why += (f"; C = {first_bad[0]}: {first_bad[1]}" if first_bad else f"; ball budget of {certify_rounds} "
                f"rounds spent")
        why += f"; {scan_range} rests on the float scan"
        if unsettled:
            why += f" (unsettled there: C = {unsettled[:5]}{'...' if len(unsettled) > 5 else ''}: no evidence)"
        parts.append(Verdict(EVIDENCE if not unsettled else UNKNOWN,
                             f"D <= 0 for every C in [2, {top}]", reason=why))
    v = all_of(parts, claim, label)
    note = (f"float scan over C = 2..{C_max}; certified D <= 0 for C = 2..{certified_below}"
            + (f"; D(C={C}) {at.label} ({at.reason})" if C is not None and at is not None else "")
            + (f"; D(C={C - 1}) {below.label} ({below.reason})" if below is not None and C is not None else ""))
    return CThreshold(C, v, note, at, below, C_max, certified_below)
