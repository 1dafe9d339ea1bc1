"""Lazy package exports: ``from pkg import name`` imports ``name``'s submodule on first use.

A command's ``--help`` and its bad-input line should not wait for SymPy, Z3, numba or python-flint
(about 2 s of imports): ``python -m counterexamples.search`` imports the packages ``numerics``,
``analysis``, ``counterexamples.search`` on the way to its parser, so their ``__init__`` files must not
import the heavy layers.  Each such ``__init__`` lists its public names and their submodules here
instead of importing them; the names, ``__all__`` and what ``from pkg import name`` returns stay the same.

One subtlety is kept as an eager ``from .run import run`` had it: where a public function has the name of
its own submodule (``numerics.run``, ``proofs.audit``, ``counterexamples.conformance.verdict``), the
package attribute is the *function*, even after the submodule is imported (Python then sets the package's
attribute to the module; the hook below stores the function instead).
"""
from __future__ import annotations

import importlib
import sys
import types


def attach(package: str, exports: dict[str, str]):
    """Make ``package`` (a module in ``sys.modules``) load ``exports`` (public name -> submodule, relative
    as ``".run"``) on first use; returns ``(__getattr__, __dir__)`` for the package to bind.

    >>> import numerics
    >>> numerics.run.__module__, callable(numerics.run)
    ('numerics.run', True)
    """
    mod = sys.modules[package]
    shadow = {name for name, sub in exports.items() if sub.lstrip(".") == name}

    class _Package(type(mod)):
        def __setattr__(self, name, value):
            if name in shadow and isinstance(value, types.ModuleType):
                value = getattr(value, name)  # the function shadows its module, as the eager import did
            super().__setattr__(name, value)

    if type(mod) is types.ModuleType:
        mod.__class__ = _Package

    def __getattr__(name):
        sub = exports.get(name)
        if sub is not None:
            value = getattr(importlib.import_module(sub, package), name)
            setattr(mod, name, value)
            return value
        if not name.startswith("__"):
            try:  # a submodule not imported yet (the eager __init__ had imported it on the way)
                return importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(vars(mod)) | set(exports))

    return __getattr__, __dir__
