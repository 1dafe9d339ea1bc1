"""Thresholds of the drift test: the smallest diverging C, the certified diverging range, the boundaries.

Built on the drift D of :mod:`.steady` (see its docstring for why the sign of D decides Adam's limit).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import numpy as np

from .steady import drift_float, drift, drift_sign, q


MAX_WALK = 100_000  # steps of any walk that looks for a certified sign change (then UNKNOWN)


@dataclass
class Threshold:
    """Result of a threshold search; every sign in ``certificates`` was decided by arb.  ``status`` is PROVED
    only when the whole answer is (for the smallest C: D > 0 at C and every C' below certified D < 0).

    >>> from counterexamples.drift import smallest_diverging_C
    >>> th = smallest_diverging_C("1/2", "9/10")
    >>> th.C, th.neighbour, th.status              # D > 0 at C = n = 8, D < 0 certified at 7 and below
    (8, 7, 'proved')
    """

    beta1: Fraction
    beta2: Fraction
    C: int | None  # the answer (smallest / largest integer C), None if none in range
    n: int | None
    drift: str | None  # arb enclosure of D at the answer
    neighbour: int | None  # the integer on the other side of the boundary
    neighbour_drift: str | None
    checked: tuple[int, int] | None = None  # every integer in this range was certified
    C_even: int | None = None
    note: str = ""
    certificates: dict = field(default_factory=dict)
    status: str = "proved"  # analysis.verdict: PROVED (every part certified) or EVIDENCE (a part is a float scan)

    @property
    def certified(self) -> bool:
        return self.status == "proved"


def _float_scan(f: Callable[[np.ndarray], np.ndarray], start: int, stop: int, chunk: int = 256, first: int = 16):
    """First C in [start, stop) with f(C) > 0 (float pre-scan, certified afterwards), else None.

    The chunks grow from ``first`` to ``chunk`` values (doubling): most thresholds are small, and a full chunk
    evaluated f far past the answer.  f gives each C's value on its own, so the answer does not depend on
    the chunks."""
    lo, size = start, max(1, min(first, chunk))
    while lo < stop:
        Cs = np.arange(lo, min(lo + size, stop))
        vals = f(Cs)
        idx = np.nonzero(vals > 0)[0]
        if idx.size:
            return int(Cs[idx[0]])
        lo, size = lo + size, min(2 * size, chunk)
    return None


def smallest_diverging_C(beta1, beta2, C_max: int = 20000, eps=0, progress=None) -> Threshold:
    """Smallest integer C >= 2 for which the Theorem 2 family (period n = C) has D > 0, certified.

    Every integer 2 <= C' < C is certified D < 0 by arb (so the answer is exactly minimal), and D > 0 at
    the answer.  Also reports the smallest even C (Theorem 2 asks for even C).  D(C, n=C) -> +infinity as
    C grows (about C - O(log C) of the n terms tend to +1), so the search terminates for beta2 < 1.
    ``progress(done, total)`` is called during certification.

    >>> from counterexamples.drift import smallest_diverging_C
    >>> th = smallest_diverging_C("1/2", "9/10")   # beta1 = 1/2, beta2 = 9/10
    >>> th.C, th.C_even, th.checked
    (8, 8, (2, 8))
    """
    b1, b2 = q(beta1), q(beta2)
    fb1, fb2 = float(b1), float(b2)

    def f(Cs):
        return np.array([drift_float(fb1, fb2, float(c), int(c), float(eps)) for c in Cs]).ravel()

    cand = _float_scan(f, 2, C_max + 1)
    if cand is None:
        # "none up to C_max" rests on the float scan alone: EVIDENCE, and no range is claimed as checked
        return Threshold(b1, b2, None, None, None, None, None, None,
                         note=f"no C <= {C_max} with D > 0 (float scan: EVIDENCE, C <= {C_max}; not certified)",
                         status="evidence")
    # certify: walk down from the candidate if float was wrong near the boundary, then all below
    C = cand
    s = drift_sign(b1, b2, C, C, eps)
    for _ in range(MAX_WALK):  # bounded: an undecided sign must end UNKNOWN, not loop for ever
        if s.sign == 1:
            break
        C += 1
        s = drift_sign(b1, b2, C, C, eps)
    else:
        raise RuntimeError(f"UNKNOWN: no certified D > 0 within {MAX_WALK} steps above the float "
                           f"candidate C = {cand} (last: {s.label})")
    certs = {C: s.enclosure}
    below = None
    for k, Cp in enumerate(range(C - 1, 1, -1)):
        sp = drift_sign(b1, b2, Cp, Cp, eps)
        if progress:
            progress(k + 1, C - 2)
        if sp.sign == 1:  # float missed a smaller positive C: restart below it
            return smallest_diverging_C(b1, b2, Cp, eps, progress) if Cp >= 2 else None
        if sp.sign is None:
            raise RuntimeError(f"sign of D undecided at C={Cp}: {sp.reason}")
        if Cp == C - 1:
            below = sp.enclosure
    C_even = C if C % 2 == 0 else C + 1
    if C_even != C:
        se = drift_sign(b1, b2, C_even, C_even, eps)
        certs[C_even] = se.enclosure
        if se.sign != 1:
            C_even = None
    return Threshold(b1, b2, C, C, certs[C], C - 1 if C > 2 else None, below, (2, C), C_even,
                     "every integer 2 <= C' < C certified D < 0 by arb", certs)


def certify_positive_range(beta1, beta2, n: int, lo: int, hi: int, eps=0, prec: int = 96) -> int:
    """Certify D > 0 for every integer C in [lo, hi] (fixed n) by balls over C-intervals, bisecting
    where undecided; returns the number of ball evaluations.  Raises if some integer has D <= 0.

    >>> from counterexamples.drift import certify_positive_range
    >>> certify_positive_range(0, "1/10", 3, 3, 5)   # D > 0 for C = 3, 4, 5 (n = 3): ball evaluations used
    3
    """
    count, stack = 0, [(lo, hi)]
    while stack:
        a, b = stack.pop()
        count += 1
        if a == b:
            s = drift_sign(beta1, beta2, a, n, eps)
            if s.sign != 1:
                raise RuntimeError(f"D at C={a}, n={n} is {s.label}, expected positive")
            continue
        if drift(beta1, beta2, (Fraction(a), Fraction(b)), n, backend="arb", eps=eps, prec=prec) > 0:
            continue
        mid = (a + b) // 2
        stack += [(a, mid), (mid + 1, b)]
    return count


def diverging_C_range(beta1, beta2, n: int, C_max: int | None = None, eps=0) -> Threshold:
    """For fixed period n: the integers C > n - 1 with D > 0, and the largest one, certified.

    D(C) for fixed n tends to -sqrt(S2)/S1 sum_j (beta1/sqrt(beta2))^j < 0 as C -> infinity, so the set is
    bounded; numerically it is an interval [n, C_last] (D falls as C grows: checked by a float scan of
    the integers up to ``C_max`` (default 50 n + 1000, grown until D < 0) and reported in ``note``).
    Every integer in [n, C_last] is certified D > 0 (balls over C-intervals) and C_last + 1 certified
    D < 0.

    Theorem 1's period n = 3 and beta2 = 1/10: Adam diverges exactly for C = 3, ..., 9.

    >>> from counterexamples.drift import diverging_C_range
    >>> th = diverging_C_range(0, "1/10", 3)
    >>> th.C, th.neighbour, th.status
    (9, 10, 'proved')
    """
    b1, b2 = q(beta1), q(beta2)
    f = lambda C: drift_float(float(b1), float(b2), np.asarray(C, dtype=np.float64), n, float(eps))
    if C_max is None:
        C_max = 50 * n + 1000
        while float(f(float(C_max))) > 0 and C_max < 10**15:  # bounded: at most ~50 doublings
            C_max *= 4
    top = min(C_max, n + 200_000)
    Cs = np.arange(n, top + 1, dtype=np.float64)
    vals = np.asarray(f(Cs)).ravel()
    monotone = bool(np.all(np.diff(vals) < 0))
    if top < C_max:  # beyond the integer scan: a log-spaced sample for the monotonicity note
        sample = np.unique(np.geomspace(top, C_max, 4000).round())
        sv = np.asarray(f(sample)).ravel()
        monotone = monotone and bool(np.all(np.diff(sv) < 0)) and sv[0] < vals[-1]
    pos = np.nonzero(vals > 0)[0]
    if pos.size == 0:
        s = drift_sign(b1, b2, n, n, eps)
        return Threshold(b1, b2, None, n, None, n, s.enclosure, (n, C_max),
                         note=f"D <= 0 for every integer C in [{n}, {top}] (float); D at C=n certified "
                              f"{s.label}; D decreasing in C (scan to {C_max}): {monotone}")
    contiguous = pos.size == pos[-1] + 1
    if pos[-1] == len(vals) - 1:  # still positive at the end of the integer scan: bisect (float)
        lo, hi = int(top), int(C_max)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if float(f(float(mid))) > 0 else (lo, mid)
        last = lo
    else:
        last = int(Cs[pos[-1]])
    start = last
    for _ in range(MAX_WALK):  # float was wrong at the edge; bounded (UNKNOWN at the bound)
        if drift_sign(b1, b2, last, n, eps).sign == 1:
            break
        last -= 1
    else:
        raise RuntimeError(f"UNKNOWN: no certified D > 0 within {MAX_WALK} steps below C = {start}")
    for _ in range(MAX_WALK):
        if drift_sign(b1, b2, last + 1, n, eps).sign != 1:
            break
        last += 1
    else:
        raise RuntimeError(f"UNKNOWN: D > 0 still certified {MAX_WALK} steps above C = {start}")
    evals = certify_positive_range(b1, b2, n, n, last, eps)
    s_last = drift_sign(b1, b2, last, n, eps)
    s_next = drift_sign(b1, b2, last + 1, n, eps)
    if s_next.sign != -1:
        raise RuntimeError(f"D at C={last + 1}, n={n} is {s_next.label}, expected negative")
    return Threshold(b1, b2, last, n, s_last.enclosure, last + 1, s_next.enclosure, (n, last + 1), None,
                     f"D > 0 for every integer C in [{n}, {last}] ({evals} ball evaluations over "
                     f"C-intervals) and D < 0 at {last + 1} (arb); float scan to C={C_max}: positive set "
                     f"contiguous: {contiguous}, D decreasing in C: {monotone}",
                     {last: s_last.enclosure})


def boundary_C(beta1, beta2, n: int, lo, hi, eps=0, bits: int = 40):
    """Real C* in [lo, hi] with D(C*) = 0, bracketed by bisection on certified signs (lo: D>0, hi: D<0).

    >>> from counterexamples.drift import boundary_C
    >>> lo, hi = boundary_C(0, "1/10", 3, 9, 10)    # D(9) > 0 > D(10): the real root C* between them
    >>> 9 < lo < hi < 10, float(hi - lo) < 2 ** -30
    (True, True)
    """
    lo, hi = q(lo), q(hi)
    for _ in range(bits):
        mid = (lo + hi) / 2
        s = drift_sign(beta1, beta2, mid, n, eps)
        if s.sign == 1:
            lo = mid
        elif s.sign == -1:
            hi = mid
        else:
            break
    return lo, hi


def boundary_beta2(beta1, C, n: int, eps=0, bits: int = 40, scan: int = 4000) -> dict | None:
    """For fixed (beta1, C, n): the beta2 values at which D changes sign, each bracketed by certified
    bisection (D has one certified sign at ``lo`` and the other at ``hi``).

    A float scan of ``scan`` log-spaced points in 1 - beta2 in [1e-9, 1 - 1e-6] locates the changes.
    Returns {'lo', 'hi', 'sign_below', 'D_lo', 'D_hi'} for the *last* change (the one nearest beta2 = 1,
    above which Adam converges), 'sign_changes' (how many the scan saw) and 'all': every bracket as
    (lo, hi, sign_below); None when the scan sees no change.

    >>> from counterexamples.drift import boundary_beta2
    >>> b = boundary_beta2(0, 3, 3)                 # Theorem 1's family, C = 3
    >>> b["sign_changes"], b["sign_below"], 0.47 < float(b["lo"]) < float(b["hi"]) < 0.48
    (1, 1, True)
    """
    b1 = q(beta1)
    grid = 1 - np.geomspace(1e-9, 1 - 1e-6, scan)[::-1]
    v = np.asarray(drift_float(float(b1), grid, float(q(C)), n, float(eps))).ravel()
    changes = np.nonzero(np.diff(np.sign(v)))[0]
    brackets = []
    for i in changes:
        lo, hi = Fraction(grid[i]).limit_denominator(10**12), Fraction(grid[i + 1]).limit_denominator(10**12)
        s_lo, s_hi = drift_sign(b1, lo, C, n, eps), drift_sign(b1, hi, C, n, eps)
        if s_lo.sign is None or s_hi.sign is None or s_lo.sign == s_hi.sign:
            continue
        for _ in range(bits):
            mid = (lo + hi) / 2
            s = drift_sign(b1, mid, C, n, eps)
            if s.sign is None:
                break
            if s.sign == s_lo.sign:
                lo = mid
            else:
                hi = mid
        brackets.append((lo, hi, s_lo.sign))
    if not brackets:
        return None
    lo, hi, sb = brackets[-1]
    return {"lo": lo, "hi": hi, "sign_changes": int(changes.size), "sign_below": sb, "all": brackets,
            "D_lo": drift_sign(b1, lo, C, n, eps).enclosure, "D_hi": drift_sign(b1, hi, C, n, eps).enclosure}
