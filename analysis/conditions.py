"""The theorems' conditions and the paper's constants, written once (every layer imports them).

* Theorem 1 (3-periodic family, beta1 = 0): the prescribed beta2 = 1/(1+C^2) (:func:`thm1_beta2`) and
  the step condition alpha < sqrt(1-beta2), which is RECONSTRUCTED (not the printed text).
* Theorem 6 (eps inside the root, eq. 3): beta2 = (1-eps+2eps/C^2)/(1+C^2) (:func:`thm6_beta2`,
  RECONSTRUCTED T6-3; it equals the printed 2/((1+C^2)C^2) at eps = 1), and the loss scale used when
  eps >= C^2/(C^2-2) makes that beta2 non-positive (:func:`thm6_params`).
* Theorem 3 (stochastic family): p = (1+delta)/(C+1) (:func:`thm3_p`).
* Theorem 2: the RECONSTRUCTED sufficient conditions (c1)-(c3) on the even constant C,

    (c1)  (1-beta1) beta1^(C-1) C <= 1 - beta1^(C-1)
    (c2)  beta2^((C-2)/2) C^2 <= 1
    (c3)  3(1-beta1)/(2 sqrt(1-beta2)) (1 + gamma (1-gamma^(C-1))/(1-gamma)) + beta1^(C/2-1)/(1-beta1) < C/3,
          gamma = beta1/sqrt(beta2) < 1,

  evaluated without Z3: (c1), (c2) in exact rationals (balls when the powers get huge), (c3) by
  python-flint balls at increasing precision (a certified strict inequality; ``None`` only when 0 stays
  in the ball at 4096 bits).  :func:`scan_even_C` scans even C; the search's certified-minimality
  version (:func:`counterexamples.search.thm2.smallest_even_C`) builds on these same functions.
* Section 5: the online sequence 1010 at t mod 101 = 1, else -10, and the stochastic one (1010 with
  probability 1/100, else -10); beta1 = 0.9, beta2 = 0.99 (:data:`SECTION5`).  The same (0.9, 0.99) is
  the paper's default pair wherever a tool needs one (:data:`PAPER_DEFAULT`), and with (0.9, 0.999) it
  makes the paper's two experimental settings (:data:`PAPER_SETTINGS`).  Both are written once in
  :mod:`numerics.paper` (the optimizers' defaults need them, and numerics cannot import analysis) and
  re-exported here, so Section 5's beta1, beta2 are those same objects.

Every other module imports these (tests/test_analysis_families.py reads every package and benchmarks/
and fails on a re-typed Section 5 pattern, a re-typed (c3) left side or a second definition of a
condition).

Example: Theorem 1's beta2 = 1/(1+C^2) and its (RECONSTRUCTED) step condition alpha < sqrt(1-beta2),
Theorem 3's p = (1+delta)/(C+1), and the Section 5 problem:

    >>> from analysis.conditions import SECTION5, thm1_beta2, thm1_step_ok, thm3_p
    >>> thm1_beta2(3), thm1_step_ok(3, "1/2"), thm3_p(3, "1/10")
    (Fraction(1, 10), True, Fraction(11, 40))
    >>> SECTION5.big, SECTION5.small, SECTION5.period, SECTION5.beta1, SECTION5.beta2
    (1010, -10, 101, Fraction(9, 10), Fraction(99, 100))
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from numerics.backends import to_fraction as q
from numerics.paper import PAPER_DEFAULT, PAPER_SETTINGS  # re-exported: the pair's one home is numerics.paper


def arb_precision(prec):
    """analysis.interval.arb_precision, imported on first use: it brings SymPy and python-flint, which the
    commands that import this module for its constants (``--help``, their parsers) should not wait for."""
    from .interval import arb_precision as ctx

    return ctx(prec)

RECON_T1 = "the step condition alpha < sqrt(1-beta2) of Theorem 1 (A2) is RECONSTRUCTED"
RECON_T6 = ("beta2 = (1-eps+2eps/C^2)/(1+C^2) and the step condition of Theorem 6 are RECONSTRUCTED "
            "(T6-3, T6-4)")


@dataclass(frozen=True)
class Section5:
    """The sequence of the paper's Section 5 experiments (the online and the stochastic setting)."""

    big: int = 1010       # the rare large gradient
    small: int = -10      # every other round
    period: int = 101     # online: big at t mod 101 = 1
    p: Fraction = Fraction(1, 100)  # stochastic: big with probability 1/100
    beta1: Fraction = PAPER_DEFAULT[0]  # the paper's (0.9, 0.99), from numerics.paper
    beta2: Fraction = PAPER_DEFAULT[1]

    @property
    def pattern(self) -> list[int]:
        """One period of the online sequence, starting at t = 1."""
        return [self.big] + [self.small] * (self.period - 1)


SECTION5 = Section5()


def _exact(x):
    """Numbers (int, str, float, Fraction) become exact Fractions; symbols (SymPy) pass through, so
    the same formula serves the simulator and the symbolic proofs."""
    return q(x) if isinstance(x, (int, str, float, Fraction)) else x


def thm1_beta2(C):
    """Theorem 1's prescribed beta2 = 1/(1+C^2) (exact for numbers, symbolic for SymPy input)."""
    Cq = _exact(C)
    return 1 / (1 + Cq * Cq)


def thm1_step_ok(C, alpha) -> bool:
    """The RECONSTRUCTED step condition of Theorem 1: 0 < alpha < sqrt(1-beta2), i.e. alpha^2 < 1-beta2."""
    a = q(alpha)
    return a > 0 and a * a < 1 - thm1_beta2(C)


def thm6_beta2(C, eps):
    """Theorem 6's beta2 = (1-eps+2eps/C^2)/(1+C^2) (RECONSTRUCTED T6-3; positive iff eps < C^2/(C^2-2))."""
    Cq, e = _exact(C), _exact(eps)
    return (1 - e + 2 * e / (Cq * Cq)) / (1 + Cq * Cq)


def thm6_eps_max(C) -> Fraction:
    """The bound C^2/(C^2-2) below which :func:`thm6_beta2` is positive."""
    Cq = q(C)
    return Cq * Cq / (Cq * Cq - 2)


def thm6_params(eps, C):
    """(scale s, eps' = eps/s^2, beta2) of the Theorem 6 construction for this eps and C.

    For eps > 1 the losses are scaled by the smallest integer s with s^2 >= eps: Adam-eps on s g equals
    Adam-(eps/s^2) on g (T6-3, first way), so the construction runs with eps' <= 1."""
    e = q(eps)
    s = 1 if e <= 1 else math.isqrt(math.ceil(e))
    while s * s < e:
        s += 1
    ep = e / (s * s)
    return s, ep, thm6_beta2(C, ep)


def thm3_p(C, delta):
    """Theorem 3's probability of the large gradient: p = (1+delta)/(C+1) (exact for numbers, a term for
    symbols: the proof's Z3 / SymPy variables get the same expression).

    >>> thm3_p(100, "1/10")
    Fraction(11, 1010)
    """
    return (1 + _exact(delta)) / (_exact(C) + 1)


CONDITIONS = ("c1", "c2", "c3")
RECONSTRUCTED = "conditions (c1)-(c3) of Theorem 2 are RECONSTRUCTED (paper §5 (docs/paper.md)); printed form unconfirmed"


def check_beta(beta1, beta2):
    """Raise ValueError naming the argument unless 0 <= beta1 < sqrt(beta2), 0 < beta2 < 1."""
    b1, b2 = q(beta1), q(beta2)
    if not 0 < b2 < 1:
        raise ValueError(f"--beta2 must be in (0, 1) (got {b2})")
    if not 0 <= b1 < 1:
        raise ValueError(f"--beta1 must be in [0, 1) (got {b1})")
    if b1 * b1 >= b2:
        raise ValueError(f"--beta1 must be < sqrt(beta2) = {math.sqrt(float(b2)):.6g} (got {b1})")
    return b1, b2


# ------------------------------------------------------------------------------------------------
# exact / certified evaluation (no Z3)
EXACT_DIGITS = 200_000  # beyond this size of beta^C, exact rationals are too slow: balls instead


def _too_big(b, e: int) -> bool:
    return b != 0 and e * math.log10(max(b.denominator, 2)) > EXACT_DIGITS


def c1(beta1, C: int, exact: bool = True) -> bool:
    """(c1) in exact rationals; ``exact=False`` decides by a 128-bit ball first (search speed-up).

    When beta1^(C-1) would have more than EXACT_DIGITS digits, the ball (at up to 4096 bits) decides
    even with ``exact=True``: still certified, recorded as such by :func:`conditions`."""
    b1 = q(beta1)
    if (not exact or _too_big(b1, C - 1)) and b1 != 0:
        s = _ball_sign(lambda B1, B2, ar: B1 ** (C - 1) * ((1 - B1) * C + 1) - 1, b1, Fraction(1, 2))
        if s is not None:
            return s <= 0
    p = b1 ** (C - 1)
    return (1 - b1) * p * C <= 1 - p


def c2(beta2, C: int, exact: bool = True) -> bool:
    """(c2) in exact rationals (odd C: both sides squared); ``exact=False`` tries a ball on the logs."""
    b2 = q(beta2)
    if not exact or _too_big(b2, C - 2):
        s = _ball_sign(lambda B1, B2, ar: ar(C - 2) / 2 * B2.log() + 2 * ar(C).log(), Fraction(0), b2)
        if s is not None:
            return s <= 0
    if (C - 2) % 2 == 0:
        return b2 ** ((C - 2) // 2) * C * C <= 1
    return b2 ** (C - 2) * C ** 4 <= 1  # both sides squared (non-negative)


def _ball_sign(expr, b1, b2, precs=(128, 1024, 4096)):
    """Sign (+1/-1) of expr(beta1, beta2) certified by a ball, or None when the ball contains 0."""
    from flint import arb

    for prec in precs:
        with arb_precision(prec):
            v = expr(arb(b1.numerator) / b1.denominator, arb(b2.numerator) / b2.denominator, arb)
            if v > 0 or v < 0:
                return 1 if v > 0 else -1
    return None


def c3_terms(B1, B2):
    """(A, gamma) of (c3)'s left side, A = 3(1-beta1)/(2 sqrt(1-beta2)) and gamma = beta1/sqrt(beta2),
    for balls (python-flint ``arb``: pass balls, get balls); the search's step lemma L3 and its
    monotonicity point K3 use the same two numbers (counterexamples.search.thm2)."""
    return 3 * (1 - B1) / (2 * (1 - B2).sqrt()), B1 / B2.sqrt()


def c3_margin(beta1, beta2, C: int, prec: int = 128):
    """Ball enclosing C/3 - LHS(c3); (c3) holds iff the margin is > 0."""
    from flint import arb

    b1, b2 = q(beta1), q(beta2)
    with arb_precision(prec):
        B1 = arb(b1.numerator) / b1.denominator
        B2 = arb(b2.numerator) / b2.denominator
        A, g = c3_terms(B1, B2)
        geo = g * (1 - g ** (C - 1)) / (1 - g) if b1 != 0 else arb(0)
        if (C - 2) % 2 == 0:
            tail = B1 ** ((C - 2) // 2) if not (b1 == 0 and C > 2) else arb(0)
        else:
            tail = B1.sqrt() ** (C - 2)
        lhs = A * (1 + geo) + tail / (1 - B1)
        return arb(C) / 3 - lhs


def c3(beta1, beta2, C: int) -> bool | None:
    for p in (128, 512, 4096):
        m = c3_margin(beta1, beta2, C, p)
        if m > 0:
            return True
        if m < 0:
            return False
    return None  # equality cannot be excluded by balls


def conditions(beta1, beta2, C: int) -> dict:
    """{'c1': bool, 'c2': bool, 'c3': bool|None} at C, evaluated without Z3."""
    return {"c1": c1(beta1, C), "c2": c2(beta2, C), "c3": c3(beta1, beta2, C)}


def how_checked(beta1, beta2, C: int) -> dict:
    """Which arithmetic decided each condition at C (exact rationals or certified balls)."""
    ball = "python-flint ball (certified; exact rationals too large)"
    return {"c1": ball if _too_big(q(beta1), C - 1) else "exact rationals",
            "c2": ball if _too_big(q(beta2), C - 2) else "exact rationals",
            "c3": "python-flint ball, 128-4096 bits (certified strict inequality)"}


def scan_even_C(beta1, beta2, Cmax: int = 5000):
    """Smallest even C <= Cmax meeting (c1)-(c3), by scanning every even C; None if none, or if (c3) is
    undecided (certified balls) at some smaller C.  The scan is the independent re-check of the search's
    :func:`counterexamples.search.thm2.smallest_even_C` (the one function of that name: exponential
    search plus a certified minimality argument); it shares only (c1)-(c3) with it."""
    for C in range(2, Cmax + 1, 2):
        ok3 = c3(beta1, beta2, C)
        if ok3 is None:
            return None
        if ok3 and c1(beta1, C, exact=False) and c2(beta2, C, exact=False):
            return C
    return None
