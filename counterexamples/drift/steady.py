"""The exact asymptotic test for Adam on the periodic family: the steady-state drift D.

Family (Theorems 1 and 2; docs/paper.md): F = [-1, 1], g_t = C when t mod n = 1 (phase 0), else -1.  For C > n - 1 the
mean gradient (C - (n-1))/n is positive and the best fixed point is x* = -1.

Steady state.  Adam's m_t, v_t (eq. 1, no bias correction, constant beta1, beta2) do not depend on x;
they converge geometrically to the n-periodic sequence (j = phase, 0..n-1)

    m_j = (1-beta1)/(1-beta1^n) sum_{k<n} beta1^k g_{j-k} = a beta1^j - 1,   a = (C+1)/S1,
    v_j = (1-beta2)/(1-beta2^n) sum_{k<n} beta2^k g_{j-k}^2 = c beta2^j + 1,  c = (C^2-1)/S2,

with S1 = sum_{k<n} beta1^k, S2 = sum_{k<n} beta2^k (the closed forms follow because g_{j-k} = C only
for k = j).  The drift of one period in units of alpha_t is

    D = - sum_{j<n} m_j / sqrt(v_j + eps)          (eps = 0 for the paper's Adam; eq. 3 otherwise).

Why the sign of D decides the limit (checked in this toolkit, not taken from the paper):
m_j + 1 = beta1^j (m_0 + 1) with m_0 + 1 > 0, so inside a period that starts at phase 0 the
unprojected steps delta_j = -alpha_t m_j / sqrt(v_j) are first <= 0 and then > 0 (also in the transient,
since m_t > -1 always).  For such a sign pattern on [a, b] = [-1, 1] the period map is *exactly*

    y_end = min(b, max(a + P, y + N + P)),   N = sum of the negative steps, P = sum of the positive ones,

(negative steps from y can only clip at a, positive ones only at b).  N + P = alpha D / sqrt(t) + o(1/sqrt t)
because alpha_{t+j} = alpha_t (1 + O(j/t)) and the transient decays geometrically.  Hence
  * D > 0: y_end >= min(b, y + N + P), the block starts increase by ~ alpha D / sqrt(t), whose sum
    diverges: x reaches +1 and stays; R_T/T -> 2 (C - (n-1))/n  (:func:`limit_avg_regret`);
  * D < 0: y_end <= max(a + P, y + N + P): x is driven to -1 (within P = O(1/sqrt t)), R_T/T -> 0;
  * D = 0: the first-order argument decides nothing (the remainder is O(t^{-3/2}), summable).
Unprojected, the block-start iterate moves by about 2 alpha D sqrt(T) / n after T rounds
(:func:`predicted_displacement`), so simulations near D = 0 need long horizons.  The argument holds for
any alpha > 0 (the step condition alpha < sqrt(1-beta2) of Theorem 1 is not needed for it).

Where the sketch needs care (found while checking it):
  * the paper's 1-D projection property (Lemma 4 of the appendix; docs/paper.md) gives only y_end >= min(b, y + sum delta), i.e. the
    D > 0 direction; the D < 0 direction needs the mirror bound y_end <= max(a + P, y + N + P), which the
    exact period map above provides (Z3-proved clamp identities: :mod:`counterexamples.drift.period_map`);
  * the transient is not small: v_0 = 0 makes the first steps of size ~ alpha/sqrt((1-beta2) t), and for
    beta2 near 1 it can carry x across the whole box before the drift takes over (at (0.9, 0.999),
    C = n = 73, D < 0: from x1 = -1 Adam is at +0.28 after 2e4 rounds and still at -0.25 after 1e8), so
    a simulation decides only after ~ n + 7/(1-beta1) + 7/(1-beta2) rounds plus one crossing time;
  * R_T/T approaches its limit slowly: within-period dips of size O(alpha/sqrt t) add O(T^-1/2).

AMSGrad on the same family: v_hat tends to max_j v_j, and sum_j m_j = sum_j g_j = C - (n-1) (the EMA
preserves the period sum), so its drift is -(C - (n-1)) / sqrt(max_j v_j) < 0: it always converges here
(:func:`amsgrad_drift`).

The thresholds in C built on D are in :mod:`counterexamples.drift.threshold`.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from analysis.interval import arb_precision
from numerics.backends import to_fraction

#: The number systems :func:`drift` takes: float64 (numpy), mpmath, arb balls, exact SymPy.
BACKENDS = ("float", "mpmath", "arb", "exact")


# exact rational of a number or decimal string ('0.9' -> 9/10); floats are taken as exact binaries
q = to_fraction


# ------------------------------------------------------------------------------------------------
# exact steady state (rationals)
def steady_state(beta1, beta2, C, n: int) -> tuple[list[Fraction], list[Fraction]]:
    """The periodic steady state (m_j, v_j), j = 0..n-1, in exact rationals (closed form above).

    beta1 = 0, beta2 = 1/2, the family (3, -1, -1): m_j = g_j, and v is the fixed point of
    v <- beta2 v + (1-beta2) g^2 over a period (v_0 = v_2/2 + 9/2, v_1 = v_0/2 + 1/2, v_2 = v_1/2 + 1/2):

    >>> from counterexamples.drift import steady_state
    >>> m, v = steady_state(0, "1/2", 3, 3)
    >>> [str(x) for x in m], [str(x) for x in v]
    (['3', '-1', '-1'], ['39/7', '23/7', '15/7'])
    """
    b1, b2, Cq = q(beta1), q(beta2), q(C)
    S1 = sum(b1 ** k for k in range(n))
    S2 = sum(b2 ** k for k in range(n))
    a, c = (Cq + 1) / S1, (Cq * Cq - 1) / S2
    m, v, p1, p2 = [], [], Fraction(1), Fraction(1)
    for _ in range(n):
        m.append(a * p1 - 1)
        v.append(c * p2 + 1)
        p1 *= b1
        p2 *= b2
    return m, v


# ------------------------------------------------------------------------------------------------
def _farr(x):
    """float64 array of a number, an array, or an exact rational / decimal string."""
    if isinstance(x, (str, Fraction)):
        x = float(q(x))
    return np.asarray(x, dtype=np.float64)[..., None]


def drift_float(b1, b2, C, n, eps, lane_budget: int = 1 << 22):
    """D in float64 (no error bound: a screen, never a verdict), broadcast over arrays of beta1, beta2 and C,
    summed over the period in chunks so that memory stays bounded for huge n; :func:`drift` is the certified
    one.  Public because :mod:`counterexamples.drift.threshold` screens with it before certifying."""
    b1, b2, C = _farr(b1), _farr(b2), _farr(C)
    lanes = int(np.prod(np.broadcast_shapes(b1.shape, b2.shape, C.shape)[:-1], dtype=np.int64))
    step = max(1, lane_budget // max(1, lanes))

    def chunks():
        for start in range(0, n, step):
            j = np.arange(start, min(n, start + step), dtype=np.float64)
            yield b1 ** j, b2 ** j

    S1 = S2 = 0.0
    for p1, p2 in chunks():
        S1 = S1 + p1.sum(-1, keepdims=True)
        S2 = S2 + p2.sum(-1, keepdims=True)
    a, c = (C + 1) / S1, (C * C - 1) / S2
    total = 0.0
    for p1, p2 in chunks():
        total = total - ((a * p1 - 1) / np.sqrt(c * p2 + 1 + eps)).sum(-1)
    return total


def _as_arb(x):
    from flint import arb

    if isinstance(x, arb):
        return x
    if isinstance(x, tuple):  # an interval (lo, hi) of rationals: the ball that contains it
        lo, hi = (_as_arb(v) for v in x)
        return lo.union(hi)
    f = q(x)
    return arb(f.numerator) / f.denominator


def _powers(b, n, one):
    """([b^0, ..., b^(n-1)], their sum S): each power one product of the previous one by b, S added up in
    that order."""
    S, p, out = one * 0, one, []
    for _ in range(n):
        out.append(p)
        S = S + p
        p = p * b
    return out, S


def _m_terms(b1, C, n, one):
    """m_j = a beta1^j - 1, a = (C + 1)/S1, for j < n (the numerators of D)."""
    P1, S1 = _powers(b1, n, one)
    a = (C + 1) / S1
    return [a * p1 - one for p1 in P1]


def _root_terms(b2, C, n, eps, one, sqrt):
    """sqrt(v_j + eps), v_j = c beta2^j + 1, c = (C^2 - 1)/S2, for j < n (the denominators of D); ``+ eps``
    is left out only when eps is an exact zero (adding it changes no ball and no number)."""
    P2, S2 = _powers(b2, n, one)
    c = (C * C - 1) / S2
    with_eps = not (eps == 0)
    return [sqrt(c * p2 + one + eps) if with_eps else sqrt(c * p2 + one) for p2 in P2]


def _drift_generic(b1, b2, C, n, eps, one, sqrt, m=None, roots=None):
    """D by the closed form over any field-like number type (arb balls, mpmath, Fractions+sqrt).

    ``m``, ``roots``: :func:`_m_terms` and :func:`_root_terms` when already known (:func:`_arb_drift` keeps
    them); D = - sum_j m_j / sqrt(v_j + eps), added up in the order of j."""
    m = _m_terms(b1, C, n, one) if m is None else m
    roots = _root_terms(b2, C, n, eps, one, sqrt) if roots is None else roots
    total = one * 0
    for mj, rj in zip(m, roots):
        total = total - mj / rj
    return total


# A grid evaluates D on many boxes that share a beta1 interval (a row of cells, the halves of a subdivision)
# or a beta2 interval (a column): the m_j depend on beta1 (and C) only, the roots on beta2 (and C, eps) only,
# so they are kept per input and precision.  arb's operations at a fixed precision are deterministic: a kept
# list holds the same balls as a fresh one, and D is the same ball to the last bit.  Kept only for periods up
# to KEEP_N (a list is n balls) and for inputs given exactly (rationals as str / int / Fraction, or (lo, hi)
# pairs of them); arb balls and floats are evaluated afresh.
KEEP_N = 512


def _keepable(x) -> bool:
    if isinstance(x, tuple):
        return len(x) == 2 and all(_keepable(v) for v in x)
    return isinstance(x, (str, int, Fraction)) and not isinstance(x, bool)


@functools.lru_cache(maxsize=1024)
def _kept_m(beta1, C, n: int, prec: int):
    import flint

    with arb_precision(prec):
        return _m_terms(_as_arb(beta1), _as_arb(C), n, flint.arb(1))


@functools.lru_cache(maxsize=1024)
def _kept_roots(beta2, C, n: int, eps, prec: int):
    import flint

    with arb_precision(prec):
        return _root_terms(_as_arb(beta2), _as_arb(C), n, _as_arb(eps), flint.arb(1), lambda x: x.sqrt())


def _arb_drift(beta1, beta2, C, n, eps, prec):
    """The arb ball of D at ``prec`` bits (the caller sets the precision), with kept terms where allowed."""
    import flint

    keep = n <= KEEP_N and _keepable(C) and _keepable(eps)
    m = _kept_m(beta1, C, n, prec) if keep and _keepable(beta1) else None
    roots = _kept_roots(beta2, C, n, eps, prec) if keep and _keepable(beta2) else None
    if m is not None and roots is not None:
        # both term lists kept: D needs nothing else, so no input is converted to a ball again (those
        # conversions were about a third of a grid box's time)
        return _drift_generic(None, None, None, n, None, flint.arb(1), None, m, roots)
    return _drift_generic(_as_arb(beta1), _as_arb(beta2), _as_arb(C), n, _as_arb(eps), flint.arb(1),
                          lambda x: x.sqrt(), m, roots)


BLOCK_N = 200_000  # above this period the arb evaluation encloses the tail by monotone blocks


def _drift_arb_blocked(b1, b2, C, n, eps, blocks: int = 4000):
    """Enclosure of D for long periods: explicit terms while m_j may be > 0, then blocks.

    For j >= J0 with a beta1^J0 <= 1 (certified), m_j <= 0 and the term t_j = -m_j/sqrt(v_j+eps) =
    (1 - a beta1^j)/sqrt(c beta2^j + 1 + eps) is positive and non-decreasing in j (both factors are), so a
    block of k terms from j0 lies in [k t_j0, k t_(j0+k-1)]; the widths telescope to at most
    k (t_(n-1) - t_J0) <= k.  Cost O(J0 + blocks) instead of O(n)."""
    from flint import arb

    S1 = (1 - b1 ** n) / (1 - b1) if not (b1 == 0) else arb(1)
    S2 = (1 - b2 ** n) / (1 - b2)
    a, c = (C + 1) / S1, (C * C - 1) / S2
    term = lambda j: (1 - a * b1 ** j) / (c * b2 ** j + 1 + eps).sqrt()
    J0 = 0
    while J0 < n and not (a * b1 ** J0 <= 1):
        J0 = J0 + 1 if J0 < 64 else int(J0 * 1.25)
    J0 = min(J0, n)
    total = arb(0)
    for j in range(J0):
        total += term(j)
    k = max(1, (n - J0) // blocks)
    j0 = J0
    while j0 < n:
        j1 = min(n, j0 + k)
        lo, hi = term(j0) * (j1 - j0), term(j1 - 1) * (j1 - j0)
        total += lo.union(hi)
        j0 = j1
    return total


def drift(beta1, beta2, C, n: int, backend: str = "arb", eps=0, prec: int = 128, dps: int = 50):
    """Steady-state drift D(beta1, beta2, C, n) = -sum_j m_j / sqrt(v_j + eps) of Adam on the family.

    backend:
      * ``"float"``  -- numpy float64; beta1, beta2, C may be arrays (broadcast), returns an array/float;
      * ``"mpmath"`` -- mpmath at ``dps`` digits (inputs converted exactly from rationals);
      * ``"arb"``    -- a python-flint ball at ``prec`` bits that *encloses* the exact D.  beta1 / beta2
        may also be ``(lo, hi)`` rational pairs or arb balls: the ball then encloses D over the box.
        For n > BLOCK_N the tail is enclosed by monotone blocks (a wider, still rigorous ball);
      * ``"exact"``  -- a SymPy expression (sum of rationals over square roots of rationals).
    beta1 = 0 is allowed (0^0 = 1).  n >= 1, v_j > 0 always since every g^2 >= 1.

    Theorem 1's setting (C = 3, n = 3, beta1 = 0, beta2 = 1/(1+C^2)): D > 0, Adam drifts to x = +1.

    >>> from counterexamples.drift import drift
    >>> drift(0, "1/10", 3, 3, backend="exact")
    -3*sqrt(101121)/911 + sqrt(21201)/191 + sqrt(13209)/119
    >>> print(round(drift(0, "1/10", 3, 3, backend="float"), 12))
    0.680949601994
    """
    if n < 1:
        raise ValueError(f"n must be >= 1 (got {n})")
    if backend == "float":
        out = drift_float(beta1, beta2, C, n, float(eps))
        return float(out) if np.ndim(out) == 0 else out
    if backend == "arb":
        import flint

        with arb_precision(prec):
            if n > BLOCK_N:
                return _drift_arb_blocked(_as_arb(beta1), _as_arb(beta2), _as_arb(C), n, _as_arb(eps))
            return _arb_drift(beta1, beta2, C, n, eps, prec)
    if backend == "mpmath":
        import mpmath

        ctx = mpmath.MPContext()
        ctx.dps = dps
        cv = lambda x: ctx.mpf(q(x).numerator) / q(x).denominator
        return _drift_generic(cv(beta1), cv(beta2), cv(C), n, cv(eps), ctx.mpf(1), ctx.sqrt)
    if backend == "exact":
        import sympy

        m, v = steady_state(beta1, beta2, C, n)
        e = q(eps)
        return -sum(sympy.Rational(mj.numerator, mj.denominator)
                    / sympy.sqrt(sympy.Rational((vj + e).numerator, (vj + e).denominator))
                    for mj, vj in zip(m, v))
    raise ValueError(f"backend must be one of {BACKENDS} (got {backend!r})")


@dataclass
class Sign:
    """Certified sign of D: +1, -1, or None (undecided, with the reason); :attr:`verdict` is the same answer
    as the project's one verdict type (PROVED labelled diverges / converges, or UNKNOWN).

    >>> from counterexamples.drift import drift_sign
    >>> s = drift_sign(0, "1/10", 3, 3)          # Theorem 1, C = 3
    >>> s.sign, s.verdict.status, s.verdict.label
    (1, 'proved', 'diverges')
    """

    sign: int | None
    enclosure: str  # the arb ball that decided it
    prec: int
    reason: str = ""

    @property
    def label(self) -> str:
        return {1: "diverges", -1: "converges", None: "undecided"}[self.sign]

    @property
    def status(self) -> str:
        """PROVED when the ball decided the sign, UNKNOWN otherwise (analysis.verdict's statuses)."""
        return "proved" if self.sign in (1, -1) else "unknown"

    @property
    def verdict(self):
        from analysis.verdict import Verdict

        return Verdict(self.status, "sign of the steady-state drift D", method=f"arb, {self.prec} bits",
                       reason=self.reason or self.enclosure, label=self.label)


def ball_str(ball) -> str:
    """'mid +/- rad' with the midpoint always shown (arb's own str drops digits it cannot certify).

    >>> from counterexamples.drift import ball_str, drift
    >>> ball_str(drift(0, "1/10", 3, 3))          # an arb ball of 128 bits around D
    '0.680949601994 +/- 3.87e-38'
    """
    return f"{ball.mid().str(12, radius=False)} +/- {ball.rad().str(3, radius=False)}"


def drift_sign(beta1, beta2, C, n: int, eps=0, precs=(64, 256, 1024, 4096)) -> Sign:
    """Sign of D certified by arb at increasing precision; None when 0 stays inside the ball.

    For rational inputs D is a sum of rationals over square roots of rationals, so D != 0 is always
    decided at high enough precision; D = 0 exactly cannot be excluded this way (reported undecided).
    For interval inputs (cells) the answer holds for every point of the box.

    >>> from counterexamples.drift import drift_sign
    >>> drift_sign(0, "1/10", 3, 3).sign, drift_sign(0, "99/100", 3, 3).sign   # Theorem 1's beta2, and beta2 near 1
    (1, -1)
    """
    ball = None
    for p in precs:
        ball = drift(beta1, beta2, C, n, backend="arb", eps=eps, prec=p)
        if ball > 0:
            return Sign(1, ball_str(ball), p)
        if ball < 0:
            return Sign(-1, ball_str(ball), p)
    return Sign(None, ball_str(ball), precs[-1], f"0 lies in the enclosure {ball_str(ball)} at {precs[-1]} bits")


def amsgrad_drift(beta1, beta2, C, n: int, backend: str = "float", prec: int = 128):
    """AMSGrad's steady drift -(C - (n-1)) / sqrt(max_j v_j): negative whenever C > n - 1.

    v_j = c beta2^j + 1 with c = (C^2-1)/S2 > 0 (C > 1) falls with j, so max_j v_j = v_0 = c + 1
    (v_hat tends to it from below: v_t rises to its steady state from v_0 = 0).

    >>> from counterexamples.drift import amsgrad_drift
    >>> D = amsgrad_drift(0, "1/10", 3, 3)        # -(C - (n-1))/sqrt(v_0): negative, AMSGrad converges
    >>> print(round(D, 12))
    -0.349061781541
    """
    if backend == "float":
        b2, Cf = float(q(beta2)), float(q(C))
        S2 = float(n) if b2 == 1 else (1 - b2 ** n) / (1 - b2)
        return -(Cf - (n - 1)) / math.sqrt((Cf * Cf - 1) / S2 + 1)
    with arb_precision(prec):
        b2, Cb = _as_arb(beta2), _as_arb(C)
        S2, p = b2 * 0, b2 * 0 + 1
        for _ in range(n):
            S2, p = S2 + p, p * b2
        return -(Cb - (n - 1)) / ((Cb * Cb - 1) / S2 + 1).sqrt()


def limit_avg_regret(C, n: int) -> Fraction:
    """lim R_T/T when x_t -> +1 on the family: the mean over a period of g (1 - (-1)) = 2(C-(n-1))/n.

    >>> from counterexamples.drift import limit_avg_regret
    >>> limit_avg_regret(3, 3)                     # Theorem 1, C = 3: 2 (C - 2)/3
    Fraction(2, 3)
    """
    return 2 * (q(C) - (n - 1)) / n


def predicted_displacement(D: float, alpha: float, T: int, n: int) -> float:
    """Unprojected block-start displacement after T rounds: sum_k alpha D / sqrt(k n) ~ 2 alpha D sqrt(T)/n.

    >>> from counterexamples.drift import predicted_displacement
    >>> predicted_displacement(1.0, 1.0, 9, 3)     # 2 alpha D sqrt(T)/n = 2 * 3/3
    2.0
    """
    return 2.0 * alpha * D * math.sqrt(T) / n


def rounds_to_cross(D: float, alpha: float, n: int, distance: float = 2.0) -> float:
    """T at which the predicted displacement reaches ``distance`` (2 = the width of the box).

    >>> from counterexamples.drift import rounds_to_cross
    >>> rounds_to_cross(1.0, 1.0, 3)               # 2 sqrt(T)/3 = 2 at T = 9
    9.0
    """
    if D == 0:
        return math.inf
    return (distance * n / (2.0 * alpha * abs(D))) ** 2
