"""Library drivers of the conformance suite: one module per library, found through :data:`DRIVERS`.

Each driver module has the same functions: ``check(spec)`` (fail early: library missing, bad keyword),
``version(spec)`` (versions for the JSON ``meta``), ``setup(spec, hyper, schedule)`` and
``stepper(spec, setup, x1, lo, hi)``.  A new library is one new module and one line here.
"""
from __future__ import annotations

import importlib

#: OptimizerSpec.library -> driver module (relative to this package)
DRIVERS = {"torch": "torch", "optax": "optax", "user": "user"}


def driver(spec):
    """The driver module of ``spec.library``: the module whose ``check``, ``version``, ``setup`` and
    ``stepper`` run that library's optimizer step by step on a problem (this package's docstring); imported on
    first use, so a library that is not asked for is never imported.

    >>> from counterexamples.conformance import parse
    >>> driver(parse("torch:Adam")).__name__, driver(parse("my.module:my_step")).__name__
    ('counterexamples.conformance.drivers.torch', 'counterexamples.conformance.drivers.user')
    """
    return importlib.import_module(f".{DRIVERS[spec.library]}", __name__)


__all__ = ["DRIVERS", "driver"]
