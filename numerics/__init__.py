"""numerics: one definition of each optimizer of the paper, run in any number system.

Layer 0 of adam-beyond (imports nothing above it); see docs/architecture.md and docs/numerics.md.
"""
from .backends import BACKENDS, Backend, BackendUnavailable, get_backend, to_fraction
from .optimizers import (METHODS, VARIANTS, ZOO_METHODS, Method, adabelief, adabound, adadelta, adafactor, adagrad,
                         adagrad_lib, adam, adamax, adamnc, adamw, adamx, adopt, amsgrad, asgd, lion, make, nadam,
                         radam, register, rmsprop, rprop, sgd, sgdm, signsgd, unregister, yogi)
from .problems import Bernoulli, Explicit, LinearProblem, Periodic
from .run import RunResult, default_checkpoints, run
from .schedules import FIRST_ROUND, alpha_t, beta1_t, beta2_adamnc, phase

__all__ = [
    "BACKENDS", "Backend", "BackendUnavailable", "get_backend", "to_fraction", "METHODS", "VARIANTS",
    "Method", "adagrad", "adam", "adamnc", "adamx", "amsgrad", "make", "rmsprop", "sgd", "ZOO_METHODS",
    "adabelief", "adabound", "adadelta", "adafactor", "adagrad_lib", "adamax", "adamw", "adopt", "asgd", "lion",
    "nadam", "radam", "rprop", "sgdm", "signsgd", "yogi", "register", "unregister", "Bernoulli",
    "Explicit", "LinearProblem", "Periodic", "RunResult", "default_checkpoints", "run", "FIRST_ROUND",
    "alpha_t", "beta1_t", "beta2_adamnc", "phase",
]
