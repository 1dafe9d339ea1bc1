"""Theorem 6 in the search (eps inside the root, eq. 3): the Theorem 1 instance with Theorem 6's beta2.

beta2 = (1-eps+2eps/C^2)/(1+C^2) (T6-3, RECONSTRUCTED; = 2/((1+C^2)C^2) at eps = 1) is positive only
for eps < C^2/(C^2-2).  For larger eps the losses are scaled by an integer s with s^2 >= eps: Adam-eps
on s g equals Adam-(eps/s^2) on g (T6-3, first way), so the construction runs with eps' = eps/s^2 <= 1.
Both live in :mod:`analysis.conditions` (:func:`~analysis.conditions.thm6_params`).
"""
from __future__ import annotations

from fractions import Fraction

from analysis.conditions import RECON_T6, thm6_params  # noqa: F401 (RECON_T6: re-used by search)

from .. import drift as dr


def thm6_conditions(eps, C, alpha) -> tuple[dict, int, Fraction, Fraction, dr.Sign]:
    """Exact / ball re-check of the Theorem 6 witness (with the loss scale), without Z3."""
    Cq, a = dr.q(C), dr.q(alpha)
    s, ep, b2 = thm6_params(eps, Cq)
    sg = dr.drift_sign(0, b2, Cq, 3, eps=ep)
    return {
        "C>2": Cq > 2,
        "eps>0": dr.q(eps) > 0,
        "0<beta2<1": 0 < b2 < 1,
        "T6-2 identity (beta2 C^2+1-beta2+eps')/2 = 1-beta2+eps'/C^2":
            (b2 * Cq * Cq + 1 - b2 + ep) / 2 == 1 - b2 + ep / (Cq * Cq),
        "alpha^2<1-beta2+eps'/C^2 (RECONSTRUCTED)": a > 0 and a * a < 1 - b2 + ep / (Cq * Cq),
        "drift D_eps>0": sg.sign == 1,
    }, s, ep, b2, sg
