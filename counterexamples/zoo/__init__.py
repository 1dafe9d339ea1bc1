"""The optimizer zoo on the paper's counterexamples: ``python -m counterexamples.zoo``.

:func:`zoo` is the Python entry point (keyword arguments, a :class:`ZooResult`, BadInput on bad input);
:mod:`.methods` (the rows: library names, our definition, the limit form), :mod:`.table` (certified
drift, simulation, smallest diverging C), :mod:`.cli` (the command), :mod:`.plot` (phase panels).
"""
from .api import ZooResult, zoo
from .cli import main, run_zoo
from .methods import ROW_BY_KEY, ROWS, Row
from .table import PAIRS, PROBLEMS, evaluate, simulate, threshold

__all__ = ["zoo", "ZooResult", "main", "run_zoo", "ROW_BY_KEY", "ROWS", "Row", "PAIRS", "PROBLEMS", "evaluate", "simulate", "threshold"]
