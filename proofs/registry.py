"""The audit's table of contents: theorem id -> :class:`proofs.obligation.Theorem`, in paper order."""
from __future__ import annotations

from .ids import IDS
from . import cor1, kingma_ba, lemma_moment, phuong_phong, pp_repairs, thm1, thm2, thm3, thm4, thm4_arxiv, thm5_repaired, thm6

THEOREMS = {
    t.id: t
    for t in (thm1.THEOREM, thm2.THEOREM, thm3.THEOREM, lemma_moment.THEOREM, thm4.THEOREM, thm4_arxiv.THEOREM, cor1.THEOREM,
              thm5_repaired.THEOREM, thm5_repaired.COROLLARY2, thm6.THEOREM, kingma_ba.THEOREM, phuong_phong.THEOREM,
              pp_repairs.PP41, pp_repairs.AX51, pp_repairs.AX51_PRINTED)
}
if tuple(THEOREMS) != IDS:  # pragma: no cover -- a programming error, caught by the tests
    raise RuntimeError("proofs.ids.IDS is out of date with proofs.registry.THEOREMS")
