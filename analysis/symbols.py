"""The public SymPy symbols of the bounds, with their meanings (paper §1, §7, §8; docs/references.md (literature)).

The bound expressions use *plain* symbols (no assumptions), so that ``sympify(srepr(expr))`` in another
program yields symbols that compare equal to ``Symbol(name)``.  Proofs about signs (Gamma_t) use their
own assumption-carrying symbols (see :mod:`analysis.gamma`).

Example:

    >>> from analysis import symbols as S
    >>> S.meanings(S.beta1 * S.G_inf)["G_inf"]
    'gradient bound: ||grad f_t(x)||_inf <= G_inf'
"""
from __future__ import annotations

import sympy as sp

T = sp.Symbol("T")
d = sp.Symbol("d")
alpha = sp.Symbol("alpha")
beta1 = sp.Symbol("beta1")
beta2 = sp.Symbol("beta2")
gamma = sp.Symbol("gamma")
lambda_ = sp.Symbol("lambda_")
D_inf = sp.Symbol("D_inf")
G_inf = sp.Symbol("G_inf")
zeta = sp.Symbol("zeta")
t_0 = sp.Symbol("t_0")
t = sp.Symbol("t")  # summation index inside Sum(...) only; never a free symbol of a bound
# data-dependent terms
sum_vhat_T_sqrt = sp.Symbol("sum_vhat_T_sqrt")
sum_g_norm = sp.Symbol("sum_g_norm")
sum_beta1t_vhat = sp.Symbol("sum_beta1t_vhat")

MEANINGS: dict[str, str] = {
    "T": "horizon (number of rounds), T >= 1",
    "d": "dimension of the decision variable x in R^d",
    "alpha": "step-size constant: alpha_t = alpha / sqrt(t)",
    "beta1": "first-moment parameter beta1 = beta_{11} >= beta_{1t} for all t, 0 <= beta1 < 1",
    "beta2": "second-moment parameter, 0 < beta2 < 1",
    "gamma": "beta1 / sqrt(beta2), assumed < 1 (Reddi et al.; Phuong & Phong)",
    "lambda_": "decay of beta_{1t} = beta1 * lambda^(t-1), 0 < lambda < 1",
    "D_inf": "l_inf diameter of the feasible set: ||x - y||_inf <= D_inf",
    "G_inf": "gradient bound: ||grad f_t(x)||_inf <= G_inf",
    "zeta": "constant of AdamNC's Condition 1 (Theorem 5); zeta = alpha in Corollary 2",
    "t_0": "first round from which n(1-beta_{1,n+1})^2 <= (n+1)(1-beta_{1,n})^2 holds (P&P Lemma 4.3)",
    "sum_vhat_T_sqrt": "sum_i v_hat_{T,i}^(1/2) (AMSGrad's running max; v_{T,i}^(1/2) for AdamNC, "
                       "Kingma & Ba's bias-corrected v_hat for kingma-ba-4.1)",
    "sum_g_norm": "sum_i ||g_{1:T,i}||_2 = sum_i (sum_t g_{t,i}^2)^(1/2)",
    "sum_beta1t_vhat": "sum_{t=1}^T sum_i beta_{1t} v_hat_{t,i}^(1/2) / alpha_t (v_{t,i} for AdamNC)",
}

KB_GAMMA = "beta1^2 / sqrt(beta2), assumed < 1 (Kingma & Ba's gamma, not Reddi's)"

PARAMETERS = (T, d, alpha, beta1, beta2, gamma, lambda_, D_inf, G_inf, zeta, t_0)
DATA = (sum_vhat_T_sqrt, sum_g_norm, sum_beta1t_vhat)
BY_NAME = {s.name: s for s in PARAMETERS + DATA}


def meanings(expr, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """{symbol name: meaning} for the free symbols of ``expr`` (sorted by name)."""
    over = overrides or {}
    return {s.name: over.get(s.name, MEANINGS[s.name]) for s in sorted(expr.free_symbols, key=lambda s: s.name)}
