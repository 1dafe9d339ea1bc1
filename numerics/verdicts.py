"""The four verdict statuses, spelled once, at the lowest layer.

:mod:`analysis.verdict` (the project's one verdict type) imports them from here, so that :mod:`numerics`
(which imports nothing above it) can report in the same vocabulary: the certified fast-forward's
``status`` is PROVED (every ball holds the true value of the stated run) or UNKNOWN with ``why_not``.
"""
PROVED, REFUTED, UNKNOWN, EVIDENCE = "proved", "refuted", "unknown", "evidence"
VERDICTS = (PROVED, REFUTED, UNKNOWN, EVIDENCE)

__all__ = ["PROVED", "REFUTED", "UNKNOWN", "EVIDENCE", "VERDICTS"]
