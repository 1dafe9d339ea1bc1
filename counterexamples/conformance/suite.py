"""The problems that ``python -m counterexamples.conformance`` puts library optimizers on.

The default suite (issue 7):

  thm1                 Theorem 1, C = 3: g_t = 3 at t mod 3 = 1, else -1; beta1 = 0, beta2 = 1/(1+C^2),
                       alpha = 1/2, x1 = 1 (families.thm1)
  thm2-threshold       Theorem 2's period-C problem at the smallest C for which Adam diverges, as found by
                       the search (:func:`counterexamples.drift.smallest_diverging_C`), beta1 = 0.9,
                       beta2 = 0.99, alpha = 1, x1 = 1
  section5-online      1010x at t mod 101 = 1, else -10x; beta1 = 0.9, beta2 = 0.99, alpha = 1/2, x1 = 0
  section5-stochastic  1010x w.p. 0.01, else -10x (seeded); same hyper-parameters
  spike                g_1 = 1, then g_t = 0 (analysis.families); beta1 = 0.9, beta2 = 0.999,
                       alpha = 1/10, x1 = 0.  It separates the variants: PyTorch's effective denominator
                       sqrt(max v / (1 - beta2^t)) shrinks after the spike, the paper's and optax's do not.

Any other family of :mod:`analysis.families` can be named too (with --C, --n, ...).  The spike's
regret is bounded (R_T = x_1 + 1), so its convergence verdict is always ``undecided``: it is there for the
"which definition is it" answer and the Gamma_t sign check.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from fractions import Fraction

from analysis import families
from analysis.conditions import PAPER_DEFAULT
from numerics.optimizers import adam
from numerics.problems import LinearProblem

#: The suite's problems, in run order: Theorem 1, Theorem 2 at its certified threshold, Section 5's online
#: and stochastic problems, the one-spike problem (families of :mod:`analysis.families`).
SUITE = ("thm1", "thm2-threshold", "section5-online", "section5-stochastic", "spike")
EXTRA = ("thm2-threshold",)  # a case that is not a family of analysis.families
PROBLEMS = tuple(dict.fromkeys(SUITE + families.FAMILIES))
THM2_BETAS = PAPER_DEFAULT  # the paper's (0.9, 0.99), defined once (numerics.paper; analysis.conditions re-exports it)
# Hyper-parameters a family does not prescribe: numerics.optimizers' own defaults (as simulate uses).
_ADAM = inspect.signature(adam).parameters  # read, not retyped
FALLBACK = dict(alpha=Fraction(_ADAM["alpha"].default), beta1=Fraction(_ADAM["beta1"].default),
                beta2=Fraction(_ADAM["beta2"].default), x1=0)


@dataclass
class Case:
    """One problem with the hyper-parameters that the library is run with (before SPEC overrides).

    >>> from counterexamples.conformance import build_case
    >>> c = build_case("thm1")             # Theorem 1 with C = 3: beta1 = 0, beta2 = 1/(1+C^2), from x_1 = 1
    >>> c.name, c.problem.pattern, c.hyper["beta2"], c.hyper["x1"], c.skipped
    ('thm1', [Fraction(3, 1), -1, -1], Fraction(1, 10), 1, None)
    """

    name: str
    problem: LinearProblem | None
    hyper: dict = field(default_factory=dict)  # alpha, beta1, beta2, x1 (and eps when prescribed)
    note: str = ""
    skipped: str | None = None  # reason, when the row cannot run here


def _thm2_threshold(beta1, beta2, overrides) -> Case:
    try:
        from ..drift import smallest_diverging_C
    except ImportError as exc:
        return Case("thm2-threshold", None, skipped=f"counterexamples.drift.smallest_diverging_C is not "
                    f"available ({exc.__class__.__name__}: {exc})")
    found = smallest_diverging_C(beta1, beta2)
    # Theorem 2 asks for an even C: the smallest even C with D > 0 (certified by the search)
    C = getattr(found, "C_even", None) or getattr(found, "C", found)
    if C is None:
        return Case("thm2-threshold", None, skipped=f"the search found no diverging C for "
                    f"beta1={beta1}, beta2={beta2}: {found!r}")
    fam = families.build("thm2", C=int(C))
    hyper = dict(FALLBACK)
    hyper.update(fam.defaults, beta1=beta1, beta2=beta2)
    hyper.update({k: v for k, v in overrides.items() if v is not None and k not in ("beta1", "beta2")})
    return Case("thm2-threshold", fam.sequence, hyper,
                f"C = {C}: the smallest even C with certified drift D > 0 (paper's Adam, eps = 0, no bias "
                f"correction) on Theorem 2's family for beta1={beta1}, beta2={beta2} "
                f"(counterexamples.drift; D = {getattr(found, 'drift', '?')}); at the threshold D is small, so "
                f"divergence is slow")


def build_case(name: str, *, C=None, n=None, delta=None, p=None, seed: int = 0,
               overrides: dict | None = None) -> Case:
    """The case ``name`` with family parameters and hyper-parameter overrides (alpha, beta1, beta2, x1).

    >>> from counterexamples.conformance import build_case
    >>> c = build_case("thm1", C=5)        # beta2 = 1/(1+C^2) follows C
    >>> c.problem.pattern, c.hyper["beta2"]
    ([Fraction(5, 1), -1, -1], Fraction(1, 26))
    """
    overrides = dict(overrides or {})
    if name == "thm2-threshold":
        b1 = overrides.get("beta1") if overrides.get("beta1") is not None else THM2_BETAS[0]
        b2 = overrides.get("beta2") if overrides.get("beta2") is not None else THM2_BETAS[1]
        return _thm2_threshold(Fraction(b1), Fraction(b2), overrides)
    if name == "thm1" and C is None:
        C = 3
    # a suite shares one --C/--n/...: each family takes the ones it has
    given = {k: v for k, v in dict(C=C, n=n, delta=delta, p=p).items()
             if k in families.PARAMETERS.get(name, ("C", "n", "delta", "p"))}
    fam = families.build(name, seed=seed, **given)
    hyper = dict(FALLBACK)
    hyper.update(families.resolve(fam, overrides))
    return Case(name, fam.sequence, hyper, fam.note)
