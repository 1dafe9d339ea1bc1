"""Real optimizer libraries (PyTorch, optax, yours) on the paper's counterexamples.

``python -m counterexamples.conformance`` is the command (:mod:`.cli`); the parts:
:mod:`.suite` (the problems), :mod:`.spec` (the ``LIB:NAME?k=v`` grammar), :mod:`.drivers` (one module per
library), :mod:`.drive` (the loop), :mod:`.variants` (which of our definitions it is), :mod:`.verdict`
(does it converge).

Example:

    >>> from counterexamples.conformance import SUITE, build_case, parse
    >>> parse("torch:Adam?amsgrad=true").kwargs, build_case("thm1").hyper["beta2"], SUITE[0]
    ({'amsgrad': True}, Fraction(1, 10), 'thm1')
"""
from .cli import main, run_row
from .spec import OptimizerSpec, SpecError, parse
from .suite import SUITE, Case, build_case
from .verdict import CONVERGES, STUCK, UNDECIDED, verdict

__all__ = ["main", "run_row", "OptimizerSpec", "SpecError", "parse", "SUITE", "Case", "build_case",
           "CONVERGES", "STUCK", "UNDECIDED", "verdict"]
