"""The counterexample search: parameters that break Adam, certified, and the exact divergence boundary.

``python -m counterexamples.search`` is the command (:mod:`.cli`).  Per theorem: :mod:`.thm1`, :mod:`.thm2`
(the smallest even C with its minimality argument), :mod:`.thm6`; :mod:`.report` renders the table.
"""
from .cli import main, run_default
from .thm2 import Theorem2Result, smallest_even_C

__all__ = ["main", "run_default", "Theorem2Result", "smallest_even_C", "search"]


def search(argv=None) -> dict:
    """Run the search from Python (the same arguments as the command); returns its JSON document."""
    from .cli import run_json

    return run_json(argv)
