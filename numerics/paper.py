"""The paper's hyper-parameter constants, written once on the bottom floor.

The paper runs Adam and AMSGrad with beta1 = 0.9 and beta2 = 0.99 (Section 5), and its experiments take
beta2 in {0.99, 0.999} (fixed per run).  These are the values a tool falls back to when it is given none:
the defaults of the optimizer factories in :mod:`numerics.optimizers` (``make("adam")`` runs the paper's
setting), the fields of :class:`analysis.evaluate.RunConfig`, the search's and the figures' settings.
They live here, in ``numerics``, because ``numerics`` is the lowest layer that needs them (its factories'
defaults) and cannot import ``analysis``; :mod:`analysis.conditions` re-exports :data:`PAPER_DEFAULT` and
:data:`PAPER_SETTINGS` next to the rest of the paper's objects (Section 5's sequence, the theorems'
prescribed values), so every layer above keeps importing them from there.

:data:`BETA1` and :data:`BETA2` are the decimal text the paper prints, which every backend reads exactly
(``"0.99"`` is 99/100, never the float nearest to it), and which a factory records as given;
:data:`PAPER_DEFAULT` is the same pair as exact rationals, read from that text.

    >>> from numerics.paper import BETA1, BETA2, PAPER_DEFAULT, PAPER_SETTINGS
    >>> BETA1, BETA2, PAPER_DEFAULT
    ('0.9', '0.99', (Fraction(9, 10), Fraction(99, 100)))
    >>> [tuple(str(b) for b in pair) for pair in PAPER_SETTINGS]
    [('9/10', '99/100'), ('9/10', '999/1000')]
"""
from __future__ import annotations

from fractions import Fraction

#: the paper's beta1 (Section 5: "beta1 = 0.9"), as printed
BETA1 = "0.9"
#: the paper's beta2 (Section 5: "beta2 = 0.99"), as printed
BETA2 = "0.99"
#: the paper's default (beta1, beta2) as exact rationals: the pair wherever a tool needs one
PAPER_DEFAULT: tuple[Fraction, Fraction] = (Fraction(BETA1), Fraction(BETA2))
#: the paper's two experimental settings: beta1 = 0.9 with beta2 = 0.99 and with beta2 = 0.999
PAPER_SETTINGS: tuple[tuple[Fraction, Fraction], ...] = (PAPER_DEFAULT, (PAPER_DEFAULT[0], Fraction(999, 1000)))

__all__ = ["BETA1", "BETA2", "PAPER_DEFAULT", "PAPER_SETTINGS"]
