"""counterexamples: parameters that break Adam, certified, and confirmed by simulation (the top layer).

Packages and modules (see docs/architecture.md):

* :mod:`counterexamples.search` -- ``python -m counterexamples.search``; ``search(theorem=..., ...) -> SearchResult``
  from Python (keyword arguments); per theorem :mod:`~counterexamples.search.thm1`, :mod:`~counterexamples.search.thm2`,
  :mod:`~counterexamples.search.thm6`;
* :mod:`counterexamples.drift` -- the exact drift test ``drift``, ``drift_sign``, ``smallest_diverging_C``,
  ``diverging_C_range``;
* :mod:`counterexamples.conformance` -- real optimizer libraries on the counterexamples;
* :mod:`counterexamples.simulate` -- ``python -m counterexamples.simulate``; :mod:`counterexamples.certify`
  (certify a witness by simulation), :mod:`counterexamples.grid` (certified phase diagrams:
  ``certified_grid`` on the square or the log10(1 - beta2) axis, ``threshold_map``),
  :mod:`counterexamples.montecarlo` (Theorem 3);
* :mod:`counterexamples.figures` -- every figure: ``figure1``, ``phase_diagram``, ``threshold_heatmap``;
* :mod:`counterexamples.claims` -- ``python -m counterexamples.claims``: the registry of published claims after
  Reddi et al., each decided with the drift, the zoo and the proof audit (``run_claims``).

* :func:`check` -- put your optimizer (a torch.optim class, an optax factory, a step function, a registered
  rule) through the counterexamples, certified where its rule is known (:mod:`counterexamples.check`; the
  pytest plugin ``pytest_adam_beyond`` calls it).

The named families themselves live in :mod:`analysis.families` (one home, lower layer).
"""
import sys as _sys
import types as _types


class _Package(_types.ModuleType):
    """The package's module type: its attribute ``check`` is always the *function*.

    ``check`` is imported lazily (its imports -- the conformance suite, numpy, analysis -- cost about a second,
    which ``import counterexamples`` and ``python -m counterexamples.search`` should not pay).  Importing the
    submodule ``counterexamples.check`` makes Python set the package's attribute ``check`` to the module
    once the submodule is loaded; this hook stores the module's function instead, so the function shadows
    its module's name on the package (as it did when it was imported eagerly) whichever import comes first.
    The module itself stays ``sys.modules["counterexamples.check"]``."""

    def __setattr__(self, name, value):
        if name == "check" and isinstance(value, _types.ModuleType):
            value = value.check
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


def __getattr__(name):
    if name == "check":  # first use: import the submodule (the hook above binds the function)
        from .check import check

        return check
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["check", "search", "drift", "conformance", "simulate", "certify", "grid", "montecarlo", "figures", "claims"]
