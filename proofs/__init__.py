"""proofs: every step of the proofs of Reddi, Kale & Kumar (2018) as a machine-checked obligation.

Layer 2 of adam-beyond (imports analysis and numerics; see docs/architecture.md).  Modules, one idea each:

  z3kit        the project's one bridge to Z3 (exact constants, sqrt auxiliaries, portfolio, models)
  obligation   an obligation = label + claim + hypotheses + source + checker + replayer; verdicts
               PROVED / REFUTED / UNKNOWN / EVIDENCE (analysis.verdict); Z3 proofs re-posed to cvc5,
               refutations replayed independently (exact SymPy, arb balls, integers)
  vacuity      every PROVED step and kernel statement: a replayed assignment satisfying its hypotheses
               (none: VACUOUS, the audit fails)
  witness      a kernel statement's witness: closed-form sequences read off its hypotheses, proved by Z3 for
               every round and replayed exactly on a window (vacuity's statement part)
  export       ``--export DIR``: each Z3 obligation as standalone SMT-LIB 2, statement trees as JSON
  html         the audit as one self-contained page (``--html FILE``)
  runs         exact (SymPy) and 50-digit (mpmath) runs of the numerics optimizers
  thm1 ... thm6, lemma_moment, cor1, kingma_ba, phuong_phong   the encoded steps, one module per result
  registry     theorem id -> Theorem;  audit: the audit as a function;  __main__: ``python -m proofs``
"""
# loaded on first use (numerics.lazy): ``python -m proofs --help`` does not wait for Z3 and SymPy
from numerics.lazy import attach as _attach

__getattr__, __dir__ = _attach(__name__, {"audit": ".audit", "mismatches": ".audit", "IDS": ".ids"})

__all__ = ["audit", "mismatches", "IDS"]
