"""The project's one verdict type: PROVED, REFUTED, UNKNOWN or EVIDENCE.

* PROVED   -- for every value of the stated domain (an SMT unsat of the negation, an exact SymPy
  identity, or an exact computation of a claim about finitely many stated values);
* REFUTED  -- a witness in exact rationals (or balls), re-checked by code that does not share the path
  that found it;
* UNKNOWN  -- a timeout, a solver that gave up, an undecided sign: always with the reason;
* EVIDENCE -- a finite check of a universal claim; its range is part of the label ("T <= 3000").
  EVIDENCE is never PROVED and is counted apart; a failed finite check is REFUTED with its witness.

UNKNOWN is never success: :attr:`Verdict.proved` is True only for PROVED.  ``solvers`` says which
solvers confirmed a PROVED step ("z3+cvc5", "z3 only", ...; empty when no SMT solver was involved).
The audit (:mod:`proofs`), :mod:`analysis` and :mod:`counterexamples` all use this one class.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PROVED, REFUTED, UNKNOWN, EVIDENCE = "proved", "refuted", "unknown", "evidence"
VERDICTS = (PROVED, REFUTED, UNKNOWN, EVIDENCE)


@dataclass
class Verdict:
    status: str  # one of VERDICTS
    claim: str = ""
    method: str = ""
    hypotheses: list[str] = field(default_factory=list)
    witness: dict[str, Any] | None = field(default_factory=dict)
    reason: str | None = ""
    seconds: float = 0.0
    engine: str = ""  # the Z3 engine of the portfolio that answered
    solvers: str = ""  # who confirmed a PROVED step: "z3+cvc5" | "z3 only" | ""
    cross_check: dict = field(default_factory=dict)  # the second solver's answer (status, reason, model)

    def __post_init__(self):
        if self.status not in VERDICTS:
            raise ValueError(f"bad verdict status {self.status!r}; one of {VERDICTS}")

    @property
    def proved(self) -> bool:
        return self.status == PROVED

    @property
    def refuted(self) -> bool:
        return self.status == REFUTED

    def as_dict(self) -> dict:
        return asdict(self)
