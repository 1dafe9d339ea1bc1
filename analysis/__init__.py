"""analysis: the paper's objects in SymPy (layer 1 of adam-beyond; imports only :mod:`numerics`).

Public API (small and stable; :mod:`proofs` and :mod:`counterexamples` may import it):

* :mod:`analysis.families` -- the paper's named problems with their prescribed hyper-parameters:
  ``build(name, ...) -> Family`` (``.run(method, T)``, ``.method(name)``, ``.hyper()``, ``.sequence``),
  ``FAMILIES``, ``Spike``.
* :mod:`analysis.conditions` -- the theorems' conditions and the paper's constants, once: ``thm1_beta2``,
  ``thm6_beta2``, ``thm6_params``, ``thm3_p``, Theorem 2's ``c1``/``c2``/``c3``/``conditions``/
  ``scan_even_C``, ``SECTION5``, ``PAPER_DEFAULT``, ``PAPER_SETTINGS`` (these two re-exported from
  :mod:`numerics.paper`, the bottom floor, where the optimizers' defaults read the same pair).

* :mod:`analysis.gamma`   -- ``derive(name, hyper)`` runs a numerics optimizer on SymPy symbols and returns
  inv_lr_t, inv_lr_{t+1} and Gamma_{t+1} (eq. 2); ``verdict(key)`` / ``all_verdicts()`` decide PSD (Z3
  proof) or indefinite (exact witness, sign certified in ball arithmetic); ``CASES``.
* :mod:`analysis.bounds`  -- ``BOUNDS``: name -> ``Bound(name, expr, source, quantity, hypotheses, terms)``
  with ``.symbols`` (name -> meaning); names thm4-arxiv, thm4-iclr, lemma-moment, cor1-printed,
  cor1-derived, thm5, cor2, kingma-ba-4.1, pp-4.1-geometric, pp-4.1-harmonic, adamx-5.1;
  ``COR1_FACTOR`` (= d/alpha); ``derivation_checks()``.
* :mod:`analysis.sums`    -- the elementary sum lemmas, each returning a proved/unknown ``Verdict``.
* :mod:`analysis.evaluate` -- ``RunConfig``, ``measure`` (regret and every data term along a run, mpmath),
  ``applicable`` (hypotheses checked), ``ratios`` / ``worst`` (tightness regret / bound); ``kb_projected_refutation`` (Kingma & Ba 4.1's
  statement verdict for projected Adam, shared with the audit).
* :mod:`analysis.symbols` -- the SymPy symbols and their meanings.
* :mod:`analysis.verdict` -- the project's one ``Verdict`` (PROVED, REFUTED, UNKNOWN, EVIDENCE).
* :mod:`analysis.z3kit`, :mod:`analysis.smt` -- the one Z3 bridge and ``PORTFOLIO``; ``prove(claim, hyps,
  timeout_s=...)`` re-poses every Z3 proof to cvc5 (``Verdict.solvers``: "z3+cvc5" / "z3 only") and
  replays a disagreeing cvc5 model exactly.
* :mod:`analysis.z3bridge`, :mod:`analysis.interval` -- SymPy -> Z3 sign proofs, and ball-arithmetic
  replay of witnesses (no Z3; ``arb_precision``).

Command line: ``python -m analysis [--json | --latex] [--only SECTION] [--output FILE]``.
"""
# Every submodule loads on first use (numerics.lazy), ``symbols`` included: it imports SymPy (about 1.5 s),
# which ``python -m ...`` should not pay before its parser has answered --help or a bad value.
from numerics.lazy import attach as _attach

__getattr__, __dir__ = _attach(__name__, {})

__all__ = ["families", "conditions", "symbols", "gamma", "bounds", "sums", "evaluate", "verdict", "z3bridge", "interval"]
