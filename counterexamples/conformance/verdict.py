"""Does the optimizer converge on this problem?  A three-valued verdict from x_T and R_T/T.

For linear losses on F = [lo, hi]^d the fixed points compared are vertices: the best one x* (coordinate i
at lo if S_i > 0, at hi if S_i < 0, with S = sum_t g_t) and the worst one x_w (the opposite vertex).
Always playing x_w costs the average regret

    r_w = (sum_t <g_t, x_w> - sum_t <g_t, x*>) / T = (hi - lo) * sum_i |S_i| / T,

which is what Theorem 1's Adam attains (R_T/T = (2C-4)/3 = r_w) and Section 5's Adam exceeds.  The
verdict looks at where the method is *now*, not at its transient: over the late half of the rounds
(t > T/2), with S_late = sum of those g_t,

    rho_late = (sum_late <g_t, x_t> - <S_late, x*>) / <S_late, x_w - x*>

(0: it plays x* there; 1: it does as badly as always playing x_w), and x-bar, the mean of the points
played over the last 1% of the rounds (at least 1000; a single x_T can sit anywhere inside a period, e.g.
Theorem 1 with a constant step).  The toolkit's yardstick, not the paper's; thresholds chosen here:

  converges                 rho_late <= 0.1 and max_i |x-bar_i - x*_i| <= 0.1
  stuck at the worst point  rho_late >= 0.9 and max_i |x-bar_i - x_w,i| <= 0.5
  undecided                 otherwise, or when no vertex is better than another, with the reason

A finite T never proves convergence; "converges" means "at T, it is where a convergent method is".
So the answer is an :class:`analysis.verdict.Verdict`: EVIDENCE (range "T rounds") labelled converges or
stuck at the worst point, or UNKNOWN labelled undecided, with the reason; ``witness["rho_late"]``.
The three words are labels of that verdict, never a vocabulary of their own.
"""
from __future__ import annotations

import math

import numpy as np

from analysis.verdict import EVIDENCE, UNKNOWN, Verdict

#: The three labels of the conformance :class:`analysis.verdict.Verdict`: EVIDENCE labelled CONVERGES or STUCK
#: (at the worst point), UNKNOWN labelled UNDECIDED (see the module docstring for the thresholds).
CONVERGES, STUCK, UNDECIDED = "converges", "stuck at the worst point", "undecided"  # labels of a Verdict
RHO_CONVERGED, RHO_STUCK, X_TOL, X_TOL_STUCK = 0.1, 0.9, 0.1, 0.5


def vertices(S: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """(x*, x_w): the best and the worst fixed vertex for the summed gradient S (ties: lo / hi)."""
    S = np.asarray(S, dtype=np.float64)
    best = np.where(S > 0, lo, hi)
    worst = np.where(S > 0, hi, lo)
    return best, worst


def verdict(x_bar, late_loss: float, late_S, S, lo: float, hi: float) -> Verdict:
    """The verdict (label, reason, witness rho_late) from the late mean x-bar of the points played and the
    late regret: EVIDENCE for converges / stuck at the worst point, UNKNOWN for undecided.

    One coordinate on F = [-1, 1], S = sum_t g_t > 0 (so x* = -1, x_w = +1): a method that played x_w all
    the late half has rho_late = 1 (stuck), one that played x* has rho_late = 0 (converges):

    >>> import numpy as np
    >>> from counterexamples.conformance import verdict
    >>> S, late_S = np.array([200.0]), np.array([100.0])
    >>> v = verdict(np.array([1.0]), 100.0, late_S, S, -1.0, 1.0)     # late loss sum_late g_t x_t = 100 * (+1)
    >>> v.status, v.label, v.witness
    ('evidence', 'stuck at the worst point', {'rho_late': 1.0})
    >>> verdict(np.array([-1.0]), -100.0, late_S, S, -1.0, 1.0).label
    'converges'
    """
    label, reason, rho = _answer(x_bar, late_loss, late_S, S, lo, hi)
    status = UNKNOWN if label == UNDECIDED else EVIDENCE
    return Verdict(status, "where the method is after the rounds played (late half)", method="simulation",
                   reason=reason, label=label, witness={"rho_late": None if math.isnan(rho) else rho})


def _answer(x_bar, late_loss, late_S, S, lo, hi) -> tuple[str, str, float]:
    S = np.asarray(S, dtype=np.float64)
    late_S = np.asarray(late_S, dtype=np.float64)
    x_bar = np.asarray(x_bar, dtype=np.float64)
    if not np.all(np.isfinite(x_bar)) or not math.isfinite(late_loss):
        return UNDECIDED, "the iterate or the regret is not finite (NaN/inf)", float("nan")
    if not np.any(S != 0):
        return UNDECIDED, "sum_t g_t = 0: every fixed point has the same loss", float("nan")
    best, worst = vertices(S, lo, hi)
    span = float(np.dot(late_S, worst - best))
    if span <= 0:
        return UNDECIDED, ("over the late half of the rounds x* is not better than x_w (the gradients "
                           "there sum to 0 or favour x_w)"), float("nan")
    rho = (late_loss - float(np.dot(late_S, best))) / span
    d_best = float(np.abs(x_bar - best).max())
    d_worst = float(np.abs(x_bar - worst).max())
    if rho <= RHO_CONVERGED and d_best <= X_TOL:
        return CONVERGES, (f"late-half regret is {rho:.3g} of the worst point's and |x-bar - x*| = "
                           f"{d_best:.3g}"), rho
    if rho >= RHO_STUCK and d_worst <= X_TOL_STUCK:
        return STUCK, (f"late-half regret is {rho:.3g} of the worst point's and |x-bar - x_w| = "
                       f"{d_worst:.3g}"), rho
    return UNDECIDED, (f"late-half regret is {rho:.3g} of the worst point's (converges needs <= "
                       f"{RHO_CONVERGED} and |x-bar - x*| <= {X_TOL}, stuck >= {RHO_STUCK} and |x-bar - x_w| "
                       f"<= {X_TOL_STUCK}); |x-bar - x*| = {d_best:.3g}"), rho
