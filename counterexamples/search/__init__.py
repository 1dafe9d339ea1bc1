"""The counterexample search: parameters that break Adam, certified, and the exact divergence boundary.

``python -m counterexamples.search`` is the command (:mod:`.cli`, a thin layer over :func:`search`).  Per
theorem: :mod:`.thm1`, :mod:`.thm2` (the smallest even C with its minimality argument), :mod:`.thm6`;
:mod:`.report` renders the table.

From Python, keyword arguments with typed values; bad input raises ``numerics.cli.BadInput`` (a
ValueError), never SystemExit:

    >>> from counterexamples.search import search
    >>> r = search(theorem=2, beta1="1/2", beta2="9/10", simulate=False)      # doctest: +SLOW
    >>> r.witnesses[0]["C"], r.ok                                             # doctest: +SLOW
    (204, True)
"""
# loaded on first use (numerics.lazy): ``python -m counterexamples.search --help`` does not wait for Z3 and SymPy
from numerics.lazy import attach as _attach

__getattr__, __dir__ = _attach(__name__, {**dict.fromkeys(["SearchResult", "main", "run_default", "search"], ".cli"),
                                          **dict.fromkeys(["Theorem2Result", "smallest_even_C"], ".thm2")})

# run_default (imported above for old callers) is not listed: it takes the command's internal context;
# the public form of the default job is search() with no theorem
__all__ = ["main", "Theorem2Result", "smallest_even_C", "search", "SearchResult"]
