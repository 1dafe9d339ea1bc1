"""Hypothesis builders and domains that several proof modules share: their one public home.

A proof module keeps its own helpers private; what a second module needs lives here, so that no module of
:mod:`proofs` reads another's private names (``tests/test_proofs_structure.py`` checks it by reading the
imports).  This module imports nothing from :mod:`proofs`: it is the floor every proof module may stand on.

* :func:`beta` -- the hypothesis ``0 <= beta_{1t} <= beta1 < 1`` of the repaired Theorem 4 (Reddi et al.,
  arXiv form; Corollary 1, Theorem 5, Phuong & Phong and AdamX reuse it) for named ``beta_{1t}``;
* :data:`DOMAIN` -- the domain of the symbols of Theorem 4's bound (:mod:`analysis.bounds`): the hypotheses
  of Theorem 4 that the comparison of the step bounds with the stated bound uses, as named predicates for
  :func:`proofs.step_bounds.domain_hypotheses`.

Example::

    >>> from proofs.numsys import SymNum, truth
    >>> from fractions import Fraction
    >>> H = {}
    >>> B, (b,) = beta(SymNum({"beta1": Fraction(9, 10), "beta1_t": Fraction(1, 2)}), H, "beta1_t")
    >>> truth(H["0<=beta1_t<=beta1<1"])
    True
    >>> sorted(DOMAIN)[:3]
    ['0<=beta1<1', '0<=gamma<1', '0<beta2<1']
"""
from __future__ import annotations

__all__ = ["beta", "DOMAIN"]


def beta(N, H, *names):
    """0 <= beta_{1t} <= beta1 < 1 for the named beta_{1t}; returns (beta1, [beta_{1t}...]).

    ``N`` is a number system (:class:`proofs.numsys.Z3Num` or :class:`proofs.numsys.SymNum`); the hypothesis
    is added to the dict ``H`` under the one name ``"0<=beta1_t<=beta1<1"`` (a mutation test drops it by name)."""
    B = N.var("beta1")
    bs = [N.var(n) for n in names]
    H["0<=beta1_t<=beta1<1"] = N.And(*[b >= 0 for b in bs], *[b <= B for b in bs], B < 1)
    return B, bs


# domain of the bound's symbols (the hypotheses of Theorem 4 that the comparison uses)
DOMAIN = {
    "T>=1": lambda v: v["T"] >= 1, "alpha>0": lambda v: v["alpha"] > 0,
    "0<=beta1<1": lambda v: (v["beta1"] >= 0, v["beta1"] < 1), "0<beta2<1": lambda v: (v["beta2"] > 0, v["beta2"] < 1),
    "0<=gamma<1": lambda v: (v["gamma"] >= 0, v["gamma"] < 1), "D_inf>=0": lambda v: v["D_inf"] >= 0,
    "data>=0": lambda v: tuple(v[k] >= 0 for k in ("sum_vhat_T_sqrt", "sum_g_norm", "sum_beta1t_vhat") if k in v),
    "log(T)>=0": lambda v: v["log(T)"] >= 0,
}
