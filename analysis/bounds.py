"""The regret bounds of Reddi et al. (2018) and its follow-ups as SymPy expressions, built from their lemmas.

Every bound is assembled from the constants of the proof steps (docs/paper.md, docs/references.md, literature §1-§2),
not typed as a whole; :func:`derivation_checks` re-verifies each assembly step with SymPy, and
:mod:`analysis.sums` proves the elementary sum lemmas the steps rely on.  Symbols: :mod:`analysis.symbols`.

Public API: ``BOUNDS`` (name -> :class:`Bound`), ``COR1_FACTOR`` (derived / printed middle term of
Corollary 1, = d/alpha), ``latex(expr)``.

Provenance (tags of the spec): Theorem 4 arXiv form and Corollary 1 arXiv form are APPX; the ICLR form is
FOLLOW-UP (Phuong & Phong's "Theorem A"); the moment lemma's steps L1-L7 are RECONSTRUCTED displays in
the source's order; Theorem 5 and Corollary 2 are APPX, with Corollary 2 in the form that follows from
Theorem 5 (the printed one lacks d/alpha and "R_T <="); Phuong & Phong 4.1 and 5.1 are FOLLOW-UP (Lean
transcription); Kingma & Ba 4.1 is READ from a text conversion.

Example: Corollary 1 as derived from Theorem 4 (arXiv form), and the symbols it reads:

    >>> from analysis.bounds import BOUNDS
    >>> b = BOUNDS["cor1-derived"]
    >>> b.name, sorted(b.symbols)[:4]
    ('cor1-derived', ['D_inf', 'G_inf', 'T', 'alpha'])
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from . import symbols as S
from .symbols import (D_inf, G_inf, T, alpha, beta1, beta2, d, gamma, lambda_, sum_beta1t_vhat, sum_g_norm,
                      sum_vhat_T_sqrt, t, t_0, zeta)


@dataclass(frozen=True)
class Bound:
    """A bound ``quantity <= expr``; ``quantity`` is the regret R_T unless stated (the moment lemma)."""

    name: str
    expr: sp.Expr
    source: str
    quantity: str = "R_T"
    hypotheses: tuple[str, ...] = ()
    terms: tuple[sp.Expr, ...] = ()  # the summands, in the printed order
    meaning_overrides: dict = field(default_factory=dict)

    @property
    def symbols(self) -> dict[str, str]:
        return S.meanings(self.expr, self.meaning_overrides)


# ------------------------------------------------------------------------------------------------
# Step constants.  Each is one proof step's contribution; the bounds below are sums of them.
alpha_T = alpha / sp.sqrt(T)  # alpha_t = alpha/sqrt(t) at t = T
H_T = 1 + sp.log(T)  # L7: sum_{t<=T} 1/t <= 1 + log T   (sums.harmonic)


def moment_lemma_rhs() -> sp.Expr:
    """L1-L7: sum_t alpha_t sum_i m_{t,i}^2 / sqrt(v_hat_{t,i}) <= the returned expression.

    L2-L3: |m_{t,i}|^2 <= (1/(1-beta1)) sum_j beta1^(t-j) g_{j,i}^2      (geometric sum, sums.geometric)
    L4:    alpha_t m^2/sqrt(v) <= alpha/((1-beta1) sqrt(t (1-beta2))) sum_j gamma^(t-j) |g_{j,i}|
    L5:    exchange the sums: <= 1/(1-gamma) sum_t |g_{t,i}|/sqrt(t)     (geometric sum)
    L6:    Cauchy-Schwarz: sum_t |g_{t,i}|/sqrt(t) <= ||g_{1:T,i}||_2 sqrt(sum_t 1/t)
    L7:    sum_t 1/t <= 1 + log T                                          (sums.harmonic)
    """
    c_L3 = 1 / (1 - beta1)
    c_L4 = alpha / sp.sqrt(1 - beta2)
    c_L5 = 1 / (1 - gamma)
    c_L67 = sp.sqrt(H_T)
    return c_L3 * c_L4 * c_L5 * c_L67 * sum_g_norm


def thm4_terms(form: str) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Theorem 4 (AMSGrad), proof steps 5-7 (docs/paper.md), printed constants of ``form``.

    Step 6 telescopes D^2/(2(1-beta1)) sum_t (v_hat_t^(1/2)/alpha_t - v_hat_{t-1}^(1/2)/alpha_{t-1}) (needs
    Gamma_t PSD) to D^2/(2 alpha_T (1-beta1)) sum_i v_hat_{T,i}^(1/2); both printed forms state it without
    the 1/2 (looser by 2).  Step 7 / the Abel correction gives the second term: D^2/(2(1-beta1)) (ICLR) or
    D^2/(1-beta1)^2 (arXiv).  Step 5: the m-terms are at most 1/(1-beta1) times the moment lemma.
    """
    term1 = D_inf ** 2 * sp.sqrt(T) / (alpha * (1 - beta1)) * sum_vhat_T_sqrt
    if form == "arxiv":
        term2 = D_inf ** 2 / (1 - beta1) ** 2 * sum_beta1t_vhat
    elif form == "iclr":
        term2 = D_inf ** 2 / (2 * (1 - beta1)) * sum_beta1t_vhat
    else:
        raise ValueError(form)
    term3 = moment_lemma_rhs() / (1 - beta1)
    return term1, term2, term3


def step6_telescoped() -> sp.Expr:
    """The exact value of the telescoped first term: D^2/(2 alpha_T (1-beta1)) sum_i v_hat_{T,i}^(1/2)."""
    return D_inf ** 2 / (2 * alpha_T * (1 - beta1)) * sum_vhat_T_sqrt


# sum_t beta_{1t} v_hat_{t,i}^(1/2)/alpha_t with beta_{1t} = beta1 lambda^(t-1), v_hat^(1/2) <= G_inf:
#   <= d G beta1/alpha sum_t lambda^(t-1) sqrt(t) <= d G beta1 / (alpha (1-lambda)^2)  (sums.lambda_sqrt)
GEOMETRIC_BETA1_SUM = d * G_inf * beta1 / (alpha * (1 - lambda_) ** 2)


def cor1_terms(form: str):
    t1, t2, t3 = thm4_terms("arxiv")
    if form == "printed":
        return t1, beta1 * D_inf ** 2 * G_inf / ((1 - beta1) ** 2 * (1 - lambda_) ** 2), t3
    if form == "derived":
        return t1, t2.subs(sum_beta1t_vhat, GEOMETRIC_BETA1_SUM), t3
    raise ValueError(form)


def lemma3_rhs() -> sp.Expr:
    """AdamNC's lemma (the source's Lemma 3): sum_t alpha_t ||V_t^(-1/4) m_t||^2 <= 2 zeta/(1-beta1)^2 sum_g_norm.

    Cauchy-Schwarz (1/(1-beta1)), Condition 1 (alpha_t/sqrt(v_t) <= zeta/||g_{1:t}||), exchange of sums
    (geometric, 1/(1-beta1)), Auer-Gentile (2).
    """
    return (1 / (1 - beta1)) * zeta * (1 / (1 - beta1)) * 2 * sum_g_norm


def thm5_terms():
    """Theorem 5 (AdamNC), arXiv constants: the Theorem 4 argument with v_t in place of v_hat_t, the
    first term with the exact telescoped 1/2, and Lemma 3 for the m-terms."""
    term1 = D_inf ** 2 * sp.sqrt(T) / (2 * alpha * (1 - beta1)) * sum_vhat_T_sqrt
    term2 = D_inf ** 2 / (1 - beta1) ** 2 * sum_beta1t_vhat
    term3 = lemma3_rhs() / (1 - beta1)
    return term1, term2, term3


def cor2_terms():
    """Corollary 2 as it follows from Theorem 5: beta_{2t} = 1 - 1/t makes sqrt(T) v_{T,i}^(1/2) =
    ||g_{1:T,i}||_2, beta_{1t} = beta1 lambda^(t-1) bounds the second sum, and zeta = alpha."""
    t1, t2, t3 = thm5_terms()
    t1 = t1.subs(sum_vhat_T_sqrt, sum_g_norm / sp.sqrt(T))
    t2 = t2.subs(sum_beta1t_vhat, GEOMETRIC_BETA1_SUM)
    t3 = t3.subs(zeta, alpha)
    return t1, t2, t3


def cor2_printed_terms():
    """Corollary 2 as printed (arXiv): middle term without d/alpha."""
    t1, _, t3 = cor2_terms()
    return t1, beta1 * D_inf ** 2 * G_inf / ((1 - beta1) ** 2 * (1 - lambda_) ** 2), t3


def kingma_ba_terms():
    """Kingma & Ba (2015) Theorem 4.1 (gamma = beta1^2/sqrt(beta2) here).  Its proof telescopes with
    Gamma_t PSD assumed (docs/references.md, literature §2), which Adam does not satisfy.  K&B print the l2 diameter D in
    the first term; the per-coordinate step only uses D_inf, so D_inf is used (D_inf <= D)."""
    term1 = D_inf ** 2 / (2 * alpha * (1 - beta1)) * sp.sqrt(T) * sum_vhat_T_sqrt
    term2 = alpha * (1 + beta1) * G_inf / ((1 - beta1) * sp.sqrt(1 - beta2) * (1 - gamma) ** 2) * sum_g_norm
    term3 = d * D_inf ** 2 * G_inf * sp.sqrt(1 - beta2) / (2 * alpha * (1 - beta1) * (1 - lambda_) ** 2)
    return term1, term2, term3


def _pp_third():
    return alpha * sp.sqrt(sp.log(T) + 1) / ((1 - beta1) ** 2 * sp.sqrt(1 - beta2) * (1 - gamma)) * sum_g_norm


def pp41_terms(schedule: str):
    """Phuong & Phong (2019) Theorem 4.1 (corrected AMSGrad theorem); t_0 from their Lemma 4.3."""
    c = d * D_inf ** 2 * G_inf / (2 * alpha * (1 - beta1))
    term1 = c * (sp.Sum(sp.sqrt(t), (t, 1, t_0)) + sp.sqrt(T))
    if schedule == "geometric":
        term2 = c / (1 - lambda_) ** 2
    elif schedule == "harmonic":
        term2 = d * D_inf ** 2 * G_inf * sp.sqrt(T) / (alpha * (1 - beta1))
    else:
        raise ValueError(schedule)
    return term1, term2, _pp_third()


def adamx51_terms(corrected: bool = False):
    """Phuong & Phong (2019) Theorem 5.1 (AdamX) with beta_{1t} = beta1 lambda^(t-1) (their Cor. 5.6).

    Printed second-term constant 1/(2 alpha (1-beta1)); the Lean note says the proof supports only
    1/(2 alpha (1-beta1)^2) (``corrected=True``)."""
    c1 = d * D_inf ** 2 * G_inf / (2 * alpha * (1 - beta1))
    term1 = c1 * sp.sqrt(T)
    schedule_sum = sp.Sum(beta1 * lambda_ ** (t - 1) * sp.sqrt(t - 1), (t, 2, T))
    c2 = c1 / (1 - beta1) if corrected else c1
    return term1, c2 * schedule_sum, _pp_third()


# ------------------------------------------------------------------------------------------------
_THM4_H = ("Algorithm 2 (AMSGrad, paper variant)", "alpha_t = alpha/sqrt(t)",
           "beta_{11} = beta1, 0 <= beta_{1t} <= beta1 < 1", "0 < beta2 < 1", "gamma = beta1/sqrt(beta2) < 1",
           "||x - y||_inf <= D_inf on F, ||g_t||_inf <= G_inf")
_COR1_H = _THM4_H + ("beta_{1t} = beta1 lambda^(t-1), 0 < lambda < 1",)
_THM5_H = ("Algorithm 3 (AdamNC)", "alpha_t = alpha/sqrt(t)", "beta_{11} = beta1, 0 <= beta_{1t} <= beta1 < 1",
           "Condition 1 with alpha_t (the proof's use; printed with alpha_T)", "Condition 2: Gamma_t PSD",
           "||x - y||_inf <= D_inf on F, ||g_t||_inf <= G_inf")
_COR2_H = ("Algorithm 3 (AdamNC)", "alpha_t = alpha/sqrt(t)", "beta_{1t} = beta1 lambda^(t-1), 0 < lambda < 1",
           "beta_{2t} = 1 - 1/t", "zeta = alpha", "||x - y||_inf <= D_inf on F, ||g_t||_inf <= G_inf")
_PP_H = ("Algorithm 2 (AMSGrad, paper variant)", "alpha_t = alpha/sqrt(t)", "0 <= beta1 < 1, 0 < beta2 < 1",
         "gamma = beta1/sqrt(beta2) < 1", "n(1-beta_{1,n+1})^2 <= (n+1)(1-beta_{1,n})^2 for n >= t_0")


def _mk(name, terms, source, **kw) -> Bound:
    terms = tuple(terms)
    return Bound(name, sp.Add(*terms), source, terms=terms, **kw)


def _build() -> dict[str, Bound]:
    b = {}
    b["thm4-arxiv"] = _mk("thm4-arxiv", thm4_terms("arxiv"),
                          "Reddi et al. Theorem 4, arXiv 1904.09237 revised form (APPX; docs/paper.md); assembled from "
                          "steps 5-7 of §7.4 (structure APPX, displays RECONSTRUCTED), second term via the Lean Abel "
                          "summation", hypotheses=_THM4_H)
    b["thm4-iclr"] = _mk("thm4-iclr", thm4_terms("iclr"),
                         "Reddi et al. Theorem 4, ICLR camera-ready form as quoted by Phuong & Phong "
                         "('Theorem A'; FOLLOW-UP; docs/paper.md).  Its proof has a gap (docs/references.md, literature §1.2)",
                         hypotheses=_THM4_H)
    b["lemma-moment"] = _mk("lemma-moment", (moment_lemma_rhs(),),
                            "Reddi et al. moment lemma ('Lemma 2'), steps L1-L7 (APPX order, RECONSTRUCTED "
                            "displays; docs/paper.md)", quantity="sum_t alpha_t sum_i m_{t,i}^2/sqrt(v_hat_{t,i})",
                            hypotheses=_THM4_H[:5])
    b["cor1-printed"] = _mk("cor1-printed", cor1_terms("printed"),
                            "Reddi et al. Corollary 1 as printed in arXiv (APPX; docs/paper.md); its middle "
                            "term lacks the factor d/alpha that Theorem 4 gives", hypotheses=_COR1_H)
    b["cor1-derived"] = _mk("cor1-derived", cor1_terms("derived"),
                            "Corollary 1 derived from thm4-arxiv with sum_t lambda^(t-1) sqrt(t) <= "
                            "1/(1-lambda)^2 and v_hat^(1/2) <= G_inf (Lean note; docs/paper.md)",
                            hypotheses=_COR1_H)
    b["thm5"] = _mk("thm5", thm5_terms(),
                    "Reddi et al. Theorem 5 (AdamNC), arXiv constants (APPX; docs/paper.md); sum_vhat_T_sqrt and "
                    "sum_beta1t_vhat are over v_t (AdamNC has no max)", hypotheses=_THM5_H,
                    meaning_overrides={"sum_vhat_T_sqrt": "sum_i v_{T,i}^(1/2) (AdamNC's v_T)",
                                       "sum_beta1t_vhat": "sum_t sum_i beta_{1t} v_{t,i}^(1/2) / alpha_t"})
    b["cor2"] = _mk("cor2", cor2_terms(),
                    "Reddi et al. Corollary 2 (AdamNC) in the form that follows from Theorem 5 (Lean-corrected: "
                    "the printed arXiv form omits 'R_T <=' and the factor d/alpha of the middle term; "
                    "docs/paper.md)", hypotheses=_COR2_H)
    b["kingma-ba-4.1"] = _mk("kingma-ba-4.1", kingma_ba_terms(),
                             "Kingma & Ba (2015) Theorem 4.1 (READ, docs/references.md, literature §2); D (l2 diameter) of the "
                             "first term replaced by D_inf; the proof assumes Gamma_t PSD",
                             hypotheses=("Adam with bias correction (Kingma & Ba)", "alpha_t = alpha/sqrt(t)",
                                         "beta_{1t} = beta1 lambda^(t-1)", "gamma = beta1^2/sqrt(beta2) < 1",
                                         "||g_t||_inf <= G_inf, ||x - y||_inf <= D_inf"),
                             meaning_overrides={"gamma": S.KB_GAMMA,
                                                "sum_vhat_T_sqrt": "sum_i v_hat_{T,i}^(1/2), Kingma & Ba's "
                                                                   "bias-corrected v_T/(1-beta2^T)"})
    b["pp-4.1-geometric"] = _mk("pp-4.1-geometric", pp41_terms("geometric"),
                                "Phuong & Phong (2019) Theorem 4.1, beta_{1t} = beta1 lambda^(t-1) (FOLLOW-UP, "
                                "Lean transcription; docs/references.md, literature §1.5)",
                                hypotheses=_PP_H + ("beta_{1t} = beta1 lambda^(t-1)",))
    b["pp-4.1-harmonic"] = _mk("pp-4.1-harmonic", pp41_terms("harmonic"),
                               "Phuong & Phong (2019) Theorem 4.1, beta_{1t} = beta1/t (FOLLOW-UP, Lean "
                               "transcription; docs/references.md, literature §1.5)", hypotheses=_PP_H + ("beta_{1t} = beta1/t",))
    b["adamx-5.1"] = _mk("adamx-5.1", adamx51_terms(False),
                         "Phuong & Phong (2019) Theorem 5.1 (AdamX) with printed constants and beta_{1t} = "
                         "beta1 lambda^(t-1) (Cor. 5.6) written out in the Sum (FOLLOW-UP, Lean transcription; "
                         "docs/references.md, literature §1.6).  Lean note: the proof supports only (1-beta1)^2 in the second term",
                         hypotheses=("AdamX (Phuong & Phong Algorithm 2)", "alpha_t = alpha/sqrt(t)",
                                     "beta_{1t} = beta1 lambda^(t-1) <= beta1 = beta_{11} < 1", "0 < beta2 < 1",
                                     "gamma = beta1/sqrt(beta2) < 1"))
    return b


BOUNDS: dict[str, Bound] = _build()
NAMES = tuple(BOUNDS)
# variants that are not part of the --json schema but are used by tests and the notebook
EXTRA: dict[str, Bound] = {
    "cor2-printed": _mk("cor2-printed", cor2_printed_terms(), "Corollary 2 as printed (arXiv; APPX), "
                        "with 'R_T <=' restored", hypotheses=_COR2_H),
    "lemma3-adamnc": _mk("lemma3-adamnc", (lemma3_rhs(),),
                         "Reddi et al. AdamNC lemma ('Lemma 3', APPX; docs/paper.md): Cauchy-Schwarz, Condition 1, "
                         "geometric sum, Auer-Gentile", quantity="sum_t alpha_t sum_i m_{t,i}^2/sqrt(v_{t,i})",
                         hypotheses=("Algorithm 3 (AdamNC)", "Condition 1 with alpha_t", "0 <= beta_{1t} <= beta1 < 1")),
    "adamx-5.1-corrected": _mk("adamx-5.1-corrected", adamx51_terms(True),
                               "AdamX Theorem 5.1 with the (1-beta1)^2 that the proof supports (Lean note)"),
}

#: derived / printed middle term of Corollary 1 (and of Corollary 2): d/alpha
COR1_FACTOR = sp.simplify(cor1_terms("derived")[1] / cor1_terms("printed")[1])


# ------------------------------------------------------------------------------------------------
LATEX_NAMES = {
    D_inf: r"D_\infty", G_inf: r"G_\infty", lambda_: r"\lambda", beta1: r"\beta_1", beta2: r"\beta_2",
    alpha: r"\alpha", gamma: r"\gamma", zeta: r"\zeta", t_0: "t_0",
    sum_vhat_T_sqrt: r"\sum_{i=1}^d \hat v_{T,i}^{1/2}",
    sum_g_norm: r"\sum_{i=1}^d \|g_{1:T,i}\|_2",
    sum_beta1t_vhat: r"\sum_{t=1}^T\sum_{i=1}^d \frac{\beta_{1t}\hat v_{t,i}^{1/2}}{\alpha_t}",
}


def latex(expr) -> str:
    return sp.latex(expr, symbol_names=LATEX_NAMES)


def derivation_checks() -> dict[str, bool]:
    """SymPy re-verification of each assembly step (True = the identity / inequality holds exactly)."""
    a = sp.Function("a")
    k = sp.Symbol("k", integer=True, positive=True)
    Tp = sp.Symbol("T", integer=True, positive=True)
    pos = {s: sp.Symbol(s.name, positive=True) for s in (alpha, beta1, beta2, D_inf, G_inf, lambda_, T, d)}
    g = sp.Symbol("g", positive=True)
    out = {}
    # Step 6: the telescoping sum collapses to its last term (a_0 = 0: v_hat_0 = 0)
    tel = sp.Sum(a(k) - a(k - 1), (k, 1, Tp)).doit()
    out["step6-telescopes"] = sp.simplify(tel - (a(Tp) - a(0))) == 0
    # Step 6: the printed first term is twice the telescoped value (so it is a valid, looser bound)
    out["step6-printed-is-2x"] = sp.simplify(thm4_terms("arxiv")[0] / step6_telescoped() - 2) == 0
    # L4: beta1^k g^2 / sqrt(beta2^k g^2) = gamma^k |g| with gamma = beta1/sqrt(beta2)
    b1, b2 = pos[beta1], pos[beta2]
    lhs = b1 ** k * g ** 2 / sp.sqrt(b2 ** k * g ** 2)
    out["L4-gamma-power"] = sp.simplify(sp.powsimp(lhs / ((b1 / sp.sqrt(b2)) ** k * g), force=True)) == 1
    # Step 5 / L-chain: third term of Theorem 4 = moment lemma / (1 - beta1)
    out["step5-third-term"] = sp.simplify(thm4_terms("arxiv")[2] * (1 - beta1) - moment_lemma_rhs()) == 0
    # ICLR vs arXiv second term: ratio 2/(1-beta1) (the footnote's "missing factor")
    out["iclr-vs-arxiv-factor"] = sp.simplify(thm4_terms("arxiv")[1] / thm4_terms("iclr")[1] - 2 / (1 - beta1)) == 0
    # Corollary 1: derived / printed middle term = d/alpha
    out["cor1-factor-d-over-alpha"] = sp.simplify(COR1_FACTOR - d / alpha) == 0
    # Corollary 2: the same factor
    out["cor2-factor-d-over-alpha"] = sp.simplify(cor2_terms()[1] / cor2_printed_terms()[1] - d / alpha) == 0
    # Corollary 2: with v_{T,i} = ||g_{1:T,i}||^2/T, sqrt(T) v^(1/2) = ||g||
    n2 = sp.Symbol("n2", positive=True)
    out["cor2-adagrad-identity"] = sp.simplify(sp.sqrt(pos[T]) * sp.sqrt(n2 / pos[T]) - sp.sqrt(n2)) == 0
    # the pieces agree with the printed arXiv displays of the spec (typed there, assembled here)
    printed_thm4 = (D_inf ** 2 * sp.sqrt(T) / (alpha * (1 - beta1)) * sum_vhat_T_sqrt
                    + D_inf ** 2 / (1 - beta1) ** 2 * sum_beta1t_vhat
                    + alpha * sp.sqrt(1 + sp.log(T)) / ((1 - beta1) ** 2 * (1 - gamma) * sp.sqrt(1 - beta2))
                    * sum_g_norm)
    out["thm4-arxiv-matches-display"] = sp.simplify(BOUNDS["thm4-arxiv"].expr - printed_thm4) == 0
    # Phuong & Phong 4.1: the third term is Theorem 4's moment-lemma term; the geometric second term is
    # the first term's constant times sum_t lambda^(t-1) <= 1/(1-lambda)^2 ... as printed
    out["pp41-third-is-thm4-third"] = sp.simplify(pp41_terms("geometric")[2] - thm4_terms("arxiv")[2]) == 0
    c_pp = d * D_inf ** 2 * G_inf / (2 * alpha * (1 - beta1))
    out["pp41-geometric-second-term"] = sp.simplify(pp41_terms("geometric")[1] - c_pp / (1 - lambda_) ** 2) == 0
    # AdamX 5.1: the corrected second term is the printed one divided by (1 - beta1) (Lean note), the rest equal
    ax, axc = adamx51_terms(False), adamx51_terms(True)
    out["adamx-corrected-factor"] = (sp.simplify(axc[1] / ax[1] - 1 / (1 - beta1)) == 0
                                     and sp.simplify(axc[0] - ax[0]) == 0 and sp.simplify(axc[2] - ax[2]) == 0)
    out["adamx-third-is-pp41-third"] = sp.simplify(ax[2] - pp41_terms("geometric")[2]) == 0
    # Kingma & Ba 4.1: first term = the telescoped one (1/2, as Theorem 5's); second term = the m-term's
    # coefficient alpha (1+beta1)/(2(1-beta1)) times their Lemma 10.4, 2 G/((1-gamma)^2 sqrt(1-beta2));
    # third term's 1/(1-lambda)^2 from sum_t lambda^(t-1) t = 1/(1-lambda)^2
    kb = kingma_ba_terms()
    out["kb-first-term-telescoped"] = sp.simplify(kb[0] - thm5_terms()[0]) == 0
    lemma104 = 2 * G_inf / ((1 - gamma) ** 2 * sp.sqrt(1 - beta2))
    out["kb-second-term-lemma10.4"] = sp.simplify(
        kb[1] - alpha * (1 + beta1) / (2 * (1 - beta1)) * lemma104 * sum_g_norm) == 0
    lam = sp.Symbol("lam", positive=True)
    geo_t = sp.summation(lam ** (k - 1) * k, (k, 1, sp.oo))
    geo_t = geo_t.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0])  # the lambda < 1 branch
    out["kb-geometric-t-sum"] = (sp.simplify(geo_t - 1 / (1 - lam) ** 2) == 0 and sp.simplify(
        kb[2] * (1 - lambda_) ** 2 - d * D_inf ** 2 * G_inf * sp.sqrt(1 - beta2) / (2 * alpha * (1 - beta1))) == 0)
    return out
