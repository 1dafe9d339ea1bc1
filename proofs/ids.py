"""Theorem ids of the audit, in paper order (kept import-free so the CLI can validate input fast)."""
#: The theorem ids of the audit in paper order: ``python -m proofs --theorem ID`` and :func:`proofs.audit`.
IDS = ("thm1", "thm2", "thm3", "lemma-moment", "thm4", "thm4-arxiv", "cor1", "thm5", "cor2", "thm6", "kingma-ba", "phuong-phong",
       "pp-4.1", "adamx-5.1", "adamx-5.1-printed")
