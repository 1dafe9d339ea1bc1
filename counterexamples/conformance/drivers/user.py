"""``--optimizer module:function``: put your own step function on the counterexample suite.

The documented signature::

    def my_step(x, g, t, state, hyper):
        '''x, g: float64 numpy arrays of shape (d,), the point played at round t and its gradient;
        t: the round, 1, 2, ...; state: None at t = 1, afterwards whatever you returned;
        hyper: dict with alpha (base rate), alpha_t (alpha/sqrt(t) or alpha, per --schedule),
        beta1, beta2, eps (floats), schedule, and the SPEC's keyword arguments.
        Returns (x_hat, new_state): the next point *before* projection.'''

The driver projects x_hat onto F (coordinatewise clip) to get x_{t+1}, as the paper does.
``paper_amsgrad_step`` below is a worked example (Algorithm 2 with constant beta1, no eps):
``--optimizer counterexamples.conformance.drivers.user:paper_amsgrad_step``.
"""
from __future__ import annotations

import importlib
import inspect
import math
import os
import sys
from fractions import Fraction

import numpy as np

from ..drive import LibraryMissing, Setup, exact
from ..spec import SpecError


_AMSGRAD_UPDATES: dict = {}  # (beta1, beta2) -> the numerics update, built once


def _amsgrad_update(beta1, beta2):
    """numerics' AMSGrad (paper variant) with alpha = 1 and a constant schedule: its step is m/sqrt(v_hat)."""
    key = (float(beta1), float(beta2))
    if key not in _AMSGRAD_UPDATES:
        from numerics import amsgrad
        from numerics.backends import NumpyBackend

        _AMSGRAD_UPDATES[key] = amsgrad(alpha=1, beta1=key[0], beta2=key[1], eps=0, schedule="constant",
                                        variant="paper").build(NumpyBackend())
    return _AMSGRAD_UPDATES[key]


def paper_amsgrad_step(x, g, t, state, hyper):
    """AMSGrad, Algorithm 2 (the numerics definition, not a copy): m = b1 m + (1-b1) g,
    v = b2 v + (1-b2) g^2, v_hat = max(v_hat, v), x_hat = x - alpha_t m / sqrt(v_hat) (0 where v_hat = 0).

    An example of the ``module:function`` interface: ``hyper`` holds beta1, beta2 and the library-side
    alpha_t; ``state`` is None at t = 1."""
    init, update = _amsgrad_update(hyper["beta1"], hyper["beta2"])
    step, state, _ = update(g, init(x) if state is None else state, t)
    return x - hyper["alpha_t"] * step, state


def _import_here(name: str):
    """``importlib.import_module(name)``, and when that fails, once more with the current folder on
    sys.path: ``module:function`` names a file of the folder the command runs in, as a user expects,
    also where the interpreter did not put that folder on sys.path (a console script, ``python -P``)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        here = os.getcwd()
        top = name.partition(".")[0]
        if exc.name not in (name, top) or here in map(os.path.abspath, filter(None, sys.path)):
            raise
        sys.path.append(here)  # appended: the folder never shadows an installed package
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as exc2:
            if exc2.name in (name, top):
                sys.path.remove(here)
            raise


def load(spec):
    """The user's function, or LibraryMissing / ValueError naming the part of the SPEC that fails."""
    try:
        module = _import_here(spec.module)
    except ImportError as exc:
        raise LibraryMissing(f"--optimizer: cannot import module {spec.module!r} of {spec.text!r} "
                             f"({exc.__class__.__name__}: {exc}); looked on sys.path and in the current "
                             f"folder {os.getcwd()}") from None
    fn = getattr(module, spec.name, None)
    if not callable(fn):
        raise SpecError(f"--optimizer: module {spec.module!r} has no function {spec.name!r}")
    try:  # the interface calls fn(x, g, t, state, hyper): a function that cannot take that is bad input
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # no signature to read (some builtins): the first call will tell
        sig = None
    if sig is not None:
        try:
            sig.bind(None, None, None, None, None)
        except TypeError:
            raise SpecError(f"--optimizer: {spec.module}:{spec.name}{sig} cannot be called as "
                            f"f(x, g, t, state, hyper) (the step interface)") from None
    return fn


def check(spec) -> None:
    """Fail early (LibraryMissing / ValueError) when the module or the function cannot be loaded."""
    load(spec)


def version(spec) -> dict:
    module = importlib.import_module(spec.module)
    return {spec.module: getattr(module, "__version__", None)}


def setup(spec, hyper: dict, schedule: str) -> Setup:
    load(spec)
    model = {"alpha": exact(hyper["alpha"]), "beta1": exact(hyper["beta1"]), "beta2": exact(hyper["beta2"]),
             "eps": exact(spec.kwargs.get("eps", hyper.get("eps") or 0)), "eps_root": Fraction(0)}
    kw = {"alpha": float(model["alpha"]), "beta1": float(model["beta1"]), "beta2": float(model["beta2"]),
          "eps": float(model["eps"]), "schedule": schedule, **spec.kwargs}
    for key in ("alpha", "beta1", "beta2", "eps"):
        if key in spec.kwargs:
            model[key] = exact(spec.kwargs[key])
    return Setup(call=f"{spec.module}.{spec.name}(x, g, t, state, hyper); clip(x_hat, lo, hi)",
                 kwargs=kw, hyper=model, schedule=schedule)


class UserStepper:
    def __init__(self, spec, st: Setup, x1, lo, hi, fn=None):
        self.fn = load(spec) if fn is None else fn  # fn: a function given directly (counterexamples.check)
        self.name = (f"{spec.module}:{spec.name}" if spec is not None
                     else getattr(fn, "__qualname__", repr(fn)))  # a function given directly
        self.hyper = dict(st.kwargs)
        self.sqrt = st.schedule == "sqrt"
        self.x = np.asarray(x1, dtype=np.float64).copy()
        self.lo, self.hi = lo, hi
        self.state, self.t = None, 0

    def run_chunk(self, G):
        X = np.empty_like(G)
        alpha = self.hyper["alpha"]
        for i in range(len(G)):
            self.t += 1
            X[i] = self.x
            self.hyper["alpha_t"] = alpha / math.sqrt(self.t) if self.sqrt else alpha
            try:
                x_hat, self.state = self.fn(self.x.copy(), G[i].copy(), self.t, self.state, self.hyper)
            except Exception as exc:  # noqa: BLE001 -- the user's step failed: one line naming it
                raise SpecError(f"--optimizer: {self.name} failed at round t={self.t}: "
                                f"{type(exc).__name__}: {exc}") from None
            self.x = np.clip(np.asarray(x_hat, dtype=np.float64).reshape(self.x.shape), self.lo, self.hi)
        return X

    def current(self):
        return self.x.copy()


def stepper(spec, st, x1, lo, hi):
    return UserStepper(spec, st, x1, lo, hi)
