"""numerics: one definition of each optimizer of the paper, run in any number system.

Layer 0 of adam-beyond (imports nothing above it); see docs/architecture.md and docs/numerics.md.
"""
# The names below load on first use (numerics.lazy): ``python -m ...`` imports this package on the way to
# its parser (numerics.cli), and ``--help`` or a bad value should not wait for numpy, SymPy and flint.
from .lazy import attach as _attach

_EXPORTS = {
    **dict.fromkeys(["BACKENDS", "Backend", "BackendUnavailable", "get_backend", "to_fraction"], ".backends"),
    **dict.fromkeys(["METHODS", "VARIANTS", "ZOO_METHODS", "Method", "adabelief", "adabound", "adadelta", "adafactor",
                     "adagrad", "adagrad_lib", "adam", "adamax", "adamnc", "adamw", "adamx", "adopt", "amsgrad", "asgd",
                     "lion", "make", "nadam", "radam", "register", "rmsprop", "rprop", "sgd", "sgdm", "signsgd",
                     "unregister", "yogi"], ".optimizers"),
    **dict.fromkeys(["Bernoulli", "Explicit", "LinearProblem", "Periodic"], ".problems"),
    **dict.fromkeys(["RunResult", "default_checkpoints", "run"], ".run"),
    **dict.fromkeys(["FIRST_ROUND", "alpha_t", "beta1_t", "beta2_adamnc", "phase"], ".schedules"),
}
__getattr__, __dir__ = _attach(__name__, _EXPORTS)

__all__ = [
    "BACKENDS", "Backend", "BackendUnavailable", "get_backend", "to_fraction", "METHODS", "VARIANTS",
    "Method", "adagrad", "adam", "adamnc", "adamx", "amsgrad", "make", "rmsprop", "sgd", "ZOO_METHODS",
    "adabelief", "adabound", "adadelta", "adafactor", "adagrad_lib", "adamax", "adamw", "adopt", "asgd", "lion",
    "nadam", "radam", "rprop", "sgdm", "signsgd", "yogi", "register", "unregister", "Bernoulli",
    "Explicit", "LinearProblem", "Periodic", "RunResult", "default_checkpoints", "run", "FIRST_ROUND",
    "alpha_t", "beta1_t", "beta2_adamnc", "phase",
]
assert set(__all__) <= set(_EXPORTS)
