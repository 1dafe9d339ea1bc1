"""Three-valued verdicts: PROVED, REFUTED (with an exact witness) or UNKNOWN (with a reason).

UNKNOWN is never success: :attr:`Verdict.ok` is True only for PROVED (or for REFUTED when a refutation
was the expected outcome, which the caller decides).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PROVED, REFUTED, UNKNOWN = "proved", "refuted", "unknown"


@dataclass
class Verdict:
    status: str  # PROVED | REFUTED | UNKNOWN
    claim: str
    method: str = ""
    hypotheses: list[str] = field(default_factory=list)
    witness: dict[str, Any] | None = None
    reason: str | None = None
    seconds: float = 0.0

    @property
    def proved(self) -> bool:
        return self.status == PROVED

    @property
    def refuted(self) -> bool:
        return self.status == REFUTED

    def as_dict(self) -> dict:
        return asdict(self)
