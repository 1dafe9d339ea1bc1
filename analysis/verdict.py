"""The project's one verdict type: PROVED, REFUTED, UNKNOWN or EVIDENCE.

* PROVED   -- for every value of the stated domain (an SMT unsat of the negation, an exact SymPy
  identity, or an exact computation of a claim about finitely many stated values);
* REFUTED  -- a witness in exact rationals (or balls), re-checked by code that does not share the path
  that found it;
* UNKNOWN  -- a timeout, a solver that gave up, an undecided sign: always with the reason;
* EVIDENCE -- a finite check of a universal claim; its range is part of the label ("T <= 3000").
  EVIDENCE is never PROVED and is counted apart; a failed finite check is REFUTED with its witness.

UNKNOWN is never success: :attr:`Verdict.proved` is True only for PROVED.  A domain's words ("diverges",
"converges", "stuck at the worst point", "agrees") are the ``label`` of a verdict, never a second
vocabulary: JSON always spells ``status`` as one of :data:`VERDICTS` and puts the word in ``label``
(:meth:`Verdict.brief`).  :func:`all_of` is the one way claims are combined (the weakest part wins).  ``solvers`` says which
solvers confirmed a PROVED step ("z3+cvc5", "z3 only", ...; empty when no SMT solver was involved).
The audit (:mod:`proofs`), :mod:`analysis` and :mod:`counterexamples` all use this one class.

Example: UNKNOWN is never success, and a conjunction is as weak as its weakest part:

    >>> from analysis.verdict import Verdict, all_of, is_success
    >>> all_of([Verdict(status="proved", claim="a"), Verdict(status="unknown", claim="b")]).status
    'unknown'
    >>> is_success(Verdict(status="unknown", claim="b")), is_success(Verdict(status="proved", claim="a"))
    (False, True)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# spelled once at the lowest layer (numerics imports nothing above it, yet reports in these words)
from numerics.verdicts import EVIDENCE, PROVED, REFUTED, UNKNOWN, VERDICTS  # noqa: E402


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
    label: str = ""  # the domain's word for the outcome ("diverges", "converges", ...): never the status

    def __post_init__(self):
        if self.status not in VERDICTS:
            raise ValueError(f"bad verdict status {self.status!r}; one of {VERDICTS}")

    @property
    def proved(self) -> bool:
        return self.status == PROVED

    @property
    def refuted(self) -> bool:
        return self.status == REFUTED

    @property
    def evidence(self) -> bool:
        return self.status == EVIDENCE

    def as_dict(self) -> dict:
        return asdict(self)

    def brief(self) -> dict:
        """The JSON form used by every command: {"status", "label", "claim", "reason"} (empty ones dropped,
        except status)."""
        out = {"status": self.status}
        for k in ("label", "claim", "reason"):
            v = getattr(self, k)
            if v:
                out[k] = v
        return out


_RANK = {PROVED: 3, EVIDENCE: 2, UNKNOWN: 1}


def all_of(parts, claim: str = "", label: str = "") -> Verdict:
    """The conjunction of verdicts: PROVED only when every part is PROVED; REFUTED when any part is
    REFUTED; otherwise the weakest part (UNKNOWN below EVIDENCE below PROVED), with the reasons of the parts
    that are not PROVED.  No parts: UNKNOWN (nothing was checked)."""
    parts = list(parts)
    if not parts:
        return Verdict(UNKNOWN, claim, reason="no part was checked", label=label)
    bad = [p for p in parts if p.status == REFUTED]
    if bad:
        return Verdict(REFUTED, claim, reason="; ".join(p.reason or p.claim for p in bad), label=label,
                       witness=bad[0].witness)
    worst = min(parts, key=lambda p: _RANK[p.status])
    why = "; ".join(f"{p.claim or 'part'}: {p.status}" + (f" ({p.reason})" if p.reason else "")
                    for p in parts if p.status != PROVED)
    return Verdict(worst.status, claim, reason=why, label=label)


def is_success(v) -> bool:
    """What an exit code may count as success: only PROVED (EVIDENCE and UNKNOWN are not)."""
    return isinstance(v, Verdict) and v.status == PROVED
