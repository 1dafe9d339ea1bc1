"""Check your optimizer: put it through the paper's counterexamples, certified where its rule is known.

    >>> import torch                                                    # doctest: +SKIP
    >>> from counterexamples import check                               # doctest: +SKIP
    >>> report = check(torch.optim.Adam)                                # doctest: +SKIP
    >>> report.breaks, [row.label for row in report.rows]               # doctest: +SKIP
    (True, ['diverges', 'diverges', 'diverges'])
    >>> check(torch.optim.Adam, amsgrad=True).assert_escapes()          # doctest: +SKIP

What can be checked (``optimizer``):

* a ``torch.optim.Optimizer`` class (also your own subclass, or a ``functools.partial`` of one); keyword
  arguments of :func:`check` beyond its own go to the class (``check(torch.optim.Adam, amsgrad=True)``);
* an optax alias (a factory taking ``learning_rate`` first: ``optax.adam``, ``optax.amsgrad``, ...) or a
  fixed ``optax.GradientTransformation`` (run with its own hyper-parameters, alpha_t = 1/sqrt(t) chained
  after it);
* a step function ``fn(x, g, t, state, hyper) -> (x_hat, state)`` (the signature of
  ``python -m counterexamples.conformance --optimizer module:function``,
  :mod:`counterexamples.conformance.drivers.user`);
* a rule in the numerics style registered with :func:`numerics.optimizers.register` (its name, or its
  factory).

The problems (``problems``; default :data:`DEFAULT_PROBLEMS`) are those of the conformance suite
(:mod:`counterexamples.conformance.suite`), each run with the hyper-parameters the paper prescribes
(alpha, beta1, beta2, x1), alpha_t = alpha/sqrt(t), the projection onto F = [-1, 1] after each step,
float64.  Per problem the report has one :class:`Row`:

1. **simulation** -- T rounds of the optimizer itself (x_T, R_T/T, and the conformance criterion on the
   late half of the rounds, :mod:`counterexamples.conformance.verdict`);
2. **identification** -- its first ``compare`` rounds against our definitions: the library's counterpart
   in :mod:`counterexamples.conformance.registry` when it has one, else the Adam/AMSGrad switch grid of
   :mod:`counterexamples.conformance.variants` and every registered rule; identified when
   max_t |x_t(optimizer) - x_t(rule)| <= 1e-12;
3. **certified drift** -- only for an identified (or registered) rule on a periodic problem: the sign of
   the drift D of the rule's limit form, in arb balls (:mod:`counterexamples.drift.general`).

The row's verdict is one :class:`analysis.verdict.Verdict`, with the domain word as its ``label``:
PROVED "diverges" / "converges" when the drift is certified (and the simulation does not contradict it),
EVIDENCE "stuck at the worst point" / "converges" from the simulation alone (with its horizon and
criterion), UNKNOWN "undecided" otherwise.  Nothing is called certified that rests on the simulation.
For an identified rule the report adds the smallest diverging C of Theorem 2's family at the paper's two
(beta1, beta2) pairs.  That search is the costly part; its answer is a function of the limit form's exact
identity (rule key and exact numbers) and the pair only, so it is computed once per process and served to
any later check of a rule with the same limit form (torch Adam and optax adam share one); a served answer
says so in the table (:func:`clear_threshold_cache` forgets them).

The default suite runs in seconds per optimizer and is deterministic (the problems are periodic; the
stochastic one, when asked for, uses the seed 0 of the suite).
"""
from __future__ import annotations

import functools
import inspect
import math
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from analysis.verdict import EVIDENCE, PROVED, UNKNOWN, Verdict

from .conformance.drive import drive, exact
from .conformance.suite import PROBLEMS, build_case
from .conformance.verdict import CONVERGES, STUCK, verdict as sim_verdict
from .conformance.variants import EXACT_MATCH

DEFAULT_PROBLEMS = ("thm1", "section5-online", "thm2-threshold")
DEFAULT_T = 10_000
COMPARE_ROUNDS = 2_000  # rounds of the identification (at most T)
from .zoo.table import PAIRS  # noqa: E402 - the paper's (beta1, beta2) pairs of the smallest-C answer
C_MAX = 512
# ball budget of the smallest-C search per C of [2, C_MAX] (the zoo's default is 800, drift.general): the C'
# below the answer are certified by drift.general.certify_replay, ~4-7x fewer ball rounds per C' than the
# settle-first path that the budget of 800 was sized for, so 400 certifies at least the range 800 did then
# for every optimizer of the default suite (Yogi at (0.9, 0.999), whose C' still need the hull's ball replay,
# sets the value: 2..17 before and after; benchmarks/check_speed.py compares every range)
CERTIFY_ROUNDS_PER_C = 400
REPLAY_FIRST = True  # the smallest-C search's C' go through drift.general.certify_replay first
T_RANGE = (1_000, 10**7)
EXPECT = ("escapes", "breaks")

DIVERGES, CONVERGES_, STUCK_, UNDECIDED = "diverges", "converges", "stuck at the worst point", "undecided"
BREAKING = (DIVERGES, STUCK_)


class CheckError(ValueError):
    """Bad input to :func:`check` (the message names the argument and what is allowed)."""


# ------------------------------------------------------------------------------------------------
# adapters: one per kind of optimizer.  Each knows how to call the optimizer for one problem's numbers,
# how to step it, and (where it can) which of our definitions it should be.
class _Stepper:
    """Steps numerics' own rule (a registered rule run as itself)."""

    def __init__(self, meth, x1, lo, hi):
        from numerics.backends import FloatBackend, NumpyBackend

        self.scalar = len(x1) == 1
        B = FloatBackend() if self.scalar else NumpyBackend()
        self.init, self.update = meth.build(B)
        self.uses_x = meth.rule.uses_x
        self.x = float(x1[0]) if self.scalar else np.asarray(x1, dtype=np.float64).copy()
        self.state = self.init(self.x)
        self.t, self.lo, self.hi = 0, lo, hi

    def run_chunk(self, G):
        X = np.empty_like(G)
        for i in range(len(G)):
            self.t += 1
            X[i] = self.x
            g = float(G[i, 0]) if self.scalar else G[i]
            if self.uses_x:
                step, self.state, _ = self.update(g, self.state, self.t, self.x)
            else:
                step, self.state, _ = self.update(g, self.state, self.t)
            self.x = min(max(self.x - step, self.lo), self.hi) if self.scalar else np.clip(self.x - step, self.lo,
                                                                                           self.hi)
        return X

    def current(self):
        return np.atleast_1d(np.asarray(self.x, dtype=np.float64)).copy()


def _project(xv, lo, hi, scalar: bool) -> None:
    """The projection onto [lo, hi], in place on a parameter's memory (``xv`` shares it).  numpy's clip on a
    few doubles costs a fraction of torch's clamp_ under no_grad (min/max: the same doubles, NaN kept); one
    coordinate: the same min/max on a Python float (NaN compares False: kept, as by clip)."""
    if scalar:
        x = xv[0]
        if x < lo:
            xv[0] = lo
        elif x > hi:
            xv[0] = hi
    else:
        np.clip(xv, lo, hi, out=xv)


class _TorchStepper:
    def __init__(self, cls, kwargs, x1, lo, hi):
        import torch

        self.torch, self.lo, self.hi = torch, lo, hi
        with self._f64():
            self.p = torch.tensor(np.asarray(x1, dtype=np.float64), dtype=torch.float64, requires_grad=True)
            self.p.grad = torch.zeros_like(self.p)
            self.opt = cls([self.p], **kwargs)
        self.gview = self.p.grad.numpy()  # shares memory with p.grad: writing g_t sets the gradient
        self.xview = self.p.detach().numpy()
        groups = self.opt.param_groups
        self.key = next((k for k in ("lr", "learning_rate") if k in groups[0]), None)
        if self.key is None:
            raise CheckError(f"check: {cls.__name__}'s param_groups hold no 'lr' (or 'learning_rate'): the "
                             "schedule alpha/sqrt(t) is set there, as torch's LR schedulers do")
        self.base = [g[self.key] for g in groups]
        self.t = 0

    def _f64(self):
        from .conformance.identify import float64_default

        return float64_default(self.torch)

    def run_chunk(self, G):
        X = np.empty_like(G)
        opt = self.opt
        groups = opt.param_groups
        xv, lo, hi = self.xview, self.lo, self.hi
        scalar = xv.shape == (1,)
        with self._f64():
            for i in range(len(G)):
                self.t += 1
                # alpha_t = alpha/sqrt(t) as LambdaLR(lambda k: 1/sqrt(k+1)) sets it (the same double)
                f = 1.0 / math.sqrt(self.t)
                for grp, base in zip(groups, self.base):
                    grp[self.key] = base * f
                X[i] = xv
                self.gview[:] = G[i]
                opt.step()
                _project(xv, lo, hi, scalar)
        return X

    def current(self):
        return self.xview.copy()


GROUP_TORCH = True  # a torch check runs its problems as param groups of one optimizer (one step() per round)
GROUP_MAX_VALUES = 3_000_000  # recorded x values (T x d over the problems) above which each runs alone


class _Replay:
    """A stepper that hands back, chunk by chunk, a trajectory run beforehand (:func:`_torch_grouped`)."""

    def __init__(self, X, x_next):
        self.X, self.x_next, self.done = X, x_next, 0

    def run_chunk(self, G):
        out = self.X[self.done:self.done + len(G)]
        self.done += len(G)
        return out

    def current(self):
        return self.x_next.copy()


def _torch_own(cls) -> bool:
    """``cls`` is one of torch.optim's own classes (not a subclass or a user's optimizer)."""
    import torch

    return isinstance(cls, type) and getattr(torch.optim, cls.__name__, None) is cls


def _torch_grouped(cls, runs, T: int):
    """Every problem of ``runs`` ((keyword arguments, x1, lo, hi, problem) each) as one param group of ONE
    optimizer ``cls``: each group holds its problem's own hyper-parameters and the user's options (foreach
    included), one ``step()`` per round serves all problems (torch's per-call cost, about 150-180
    microseconds on a one-element tensor, is paid once instead of once per problem).  Each round is what
    :class:`_TorchStepper` does for one problem: lr_t = lr/sqrt(t) set in the group, x_t recorded, g_t written
    into the gradient, step, projection.  torch's optimizers update group by group and parameter by parameter
    with the group's own numbers, so each trajectory is the one its problem gets alone, bit for bit (checked
    for Adam, Adam(amsgrad=True), AdamW and the #78807 AMSGrad in tests/test_check_api.py; :func:`check` groups
    torch.optim's own classes only, see there).  Returns one
    :class:`_Replay` per run, or None when the class cannot be built so (then each problem runs alone)."""
    import torch

    from .conformance.drive import gradient_chunks
    from .conformance.identify import float64_default

    if T * sum(len(r[1]) for r in runs) > GROUP_MAX_VALUES:
        return None
    with float64_default(torch):
        try:
            for kw, x1, _, _, _ in runs:  # each problem's optimizer alone validates its arguments, as before
                cls([torch.zeros(len(x1), dtype=torch.float64, requires_grad=True)], **kw)
            ps = []
            for _, x1, _, _, _ in runs:
                p = torch.tensor(np.asarray(x1, dtype=np.float64), dtype=torch.float64, requires_grad=True)
                p.grad = torch.zeros_like(p)
                ps.append(p)
            opt = cls([{"params": [p], **kw} for p, (kw, *_) in zip(ps, runs)])
        except Exception:  # noqa: BLE001 - a class that takes no per-group numbers: each problem alone
            return None
        groups = opt.param_groups
        if len(groups) != len(runs) or any(g["params"][0] is not p for g, p in zip(groups, ps)):
            return None
        key = next((k for k in ("lr", "learning_rate") if k in groups[0]), None)
        if key is None:
            return None  # _TorchStepper says why, problem by problem
        base = [g[key] for g in groups]
        xv = [p.detach().numpy() for p in ps]
        gv = [p.grad.numpy() for p in ps]
        bounds = [(lo, hi, x.shape == (1,)) for x, (_, _, lo, hi, _) in zip(xv, runs)]
        Xs = [np.empty((T, len(x))) for x in xv]
        try:
            t = _run_grouped(opt, groups, key, base, xv, gv, bounds, Xs, runs, T, gradient_chunks)
        except Exception:  # noqa: BLE001 - a step that fails grouped: each problem alone (its error, if any, there)
            return None
        if t != T:
            return None
    return [_Replay(X, x.copy()) for X, x in zip(Xs, xv)]


def _run_grouped(opt, groups, key, base, xv, gv, bounds, Xs, runs, T, gradient_chunks) -> int:
    """The rounds of :func:`_torch_grouped` (the loop of _TorchStepper.run_chunk over every group)."""
    t = 0
    for chunks in zip(*(gradient_chunks(r[4], T) for r in runs)):
        for i in range(len(chunks[0])):
            t += 1
            f = 1.0 / math.sqrt(t)  # as _TorchStepper.run_chunk
            for grp, b in zip(groups, base):
                grp[key] = b * f
            for j, x in enumerate(xv):
                Xs[j][t - 1] = x
                gv[j][:] = chunks[j][i]
            opt.step()
            for x, (lo, hi, scalar) in zip(xv, bounds):
                _project(x, lo, hi, scalar)
    return t


@dataclass
class _Call:
    """How the optimizer is called on one problem."""

    text: str  # human-readable call
    shown: dict  # the hyper-parameters as passed (JSON-able)
    numbers: dict  # exact numbers for our definitions: alpha, beta1, beta2, eps, eps_root
    make_stepper: Callable  # (x1, lo, hi) -> stepper
    counterpart: Callable | None = None  # () -> (label, numerics Method) or None: the registry's definition
    own_rule: Any = None  # a registered rule: the Method itself
    note: str = ""
    group: Any = None  # torch: (class, keyword arguments), to run this problem as a param group (_torch_grouped)


def _torch_call(cls, options, hyper) -> _Call:
    params = inspect.signature(cls).parameters
    unknown = [k for k in options if k not in params or k == "params"]
    if unknown and not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        raise CheckError(f"check: {cls.__name__} has no keyword argument {unknown[0]!r}; it takes "
                         f"{', '.join(k for k in params if k != 'params')}")
    # the problem's numbers under the names the class uses (torch's, or the common alternatives)
    lr_name = next((k for k in ("lr", "learning_rate") if k in params), None)
    if lr_name is None:
        raise CheckError(f"check: {cls.__name__} takes no lr (or learning_rate) keyword argument; the problems "
                         "set the step size through it")
    kw = {lr_name: float(hyper["alpha"])}
    note = ""
    b1, b2 = float(hyper["beta1"]), float(hyper["beta2"])
    if "betas" in params:
        kw["betas"] = (b1, b2)
    elif "beta1" in params and "beta2" in params:
        kw["beta1"], kw["beta2"] = b1, b2
    elif "b1" in params and "b2" in params:
        kw["b1"], kw["b2"] = b1, b2
    elif cls.__name__ == "RMSprop" and "alpha" in params:
        kw["alpha"] = b2
    elif cls.__name__ not in ("SGD", "Adagrad"):
        note = (f"{cls.__name__} takes no betas (nor beta1/beta2, b1/b2): it runs with its own, not the "
                "problem's beta1, beta2")
    if hyper.get("eps") is not None and "eps" in params:
        kw["eps"] = float(hyper["eps"])
    kw.update(options)
    eps = kw.get("eps", params["eps"].default if "eps" in params else 0)
    betas = kw.get("betas") or (kw.get("beta1", kw.get("b1", b1)), kw.get("beta2", kw.get("b2", b2)))
    numbers = {"alpha": exact(kw[lr_name]), "beta1": exact(betas[0]), "beta2": exact(betas[1]),
               "eps": exact(eps) if isinstance(eps, (int, float)) else Fraction(0), "eps_root": Fraction(0)}

    def counterpart():
        if not _torch_own(cls):
            return None  # your own class: no registry entry, the grid and registered rules decide
        from .conformance.registry import TORCH

        full = {k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty}
        full.update(kw)
        for entry in TORCH:
            if entry.name == cls.__name__ and entry.ours is not None:
                meth = entry.ours(full, "sqrt")
                return None if meth is None else (f"torch.optim.{cls.__name__} counterpart", meth)
        return None

    shown = {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()}
    text = (f"{_describe('torch', cls)}([x], " + ", ".join(f"{k}={v!r}" for k, v in kw.items())
            + "), lr_t = lr/sqrt(t)")
    return _Call(text, shown, numbers, lambda x1, lo, hi: _TorchStepper(cls, kw, x1, lo, hi), counterpart,
                 note=note, group=(cls, kw))


def _optax_factory_call(fn, options, hyper) -> _Call:
    from .conformance.drivers.optax import ScanStepper, import_optax

    jax, optax = import_optax()
    import jax.numpy as jnp

    params = inspect.signature(fn).parameters
    unknown = [k for k in options if k not in params]
    if unknown:
        raise CheckError(f"check: {fn.__name__} has no keyword argument {unknown[0]!r}; it takes "
                         f"{', '.join(params)}")
    kw = {"learning_rate": float(hyper["alpha"])}
    if "b1" in params and "b2" in params:
        kw["b1"], kw["b2"] = float(hyper["beta1"]), float(hyper["beta2"])
    if hyper.get("eps") is not None and "eps" in params:
        kw["eps"] = float(hyper["eps"])
    kw.update(options)
    full = {k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty}
    full.update(kw)
    eps = full.get("eps", 0)
    numbers = {"alpha": exact(kw["learning_rate"]), "beta1": exact(full.get("b1", hyper["beta1"])),
               "beta2": exact(full.get("b2", hyper["beta2"])),
               "eps": exact(eps) if isinstance(eps, (int, float)) else Fraction(0),
               "eps_root": exact(full.get("eps_root", 0) or 0)}

    def make_stepper(x1, lo, hi):
        k = dict(kw)
        alpha = k.pop("learning_rate")
        lr = lambda count: alpha / jnp.sqrt(count + 1.0)  # noqa: E731 - optax counts from 0: round t
        return ScanStepper(fn(lr, **k), x1, lo, hi)

    def counterpart():
        name = getattr(fn, "__name__", "")
        if getattr(optax, name, None) is not fn:
            return None
        from .conformance.registry import OPTAX

        for entry in OPTAX:
            if entry.name == name and entry.ours is not None:
                meth = entry.ours(full, "sqrt")
                return None if meth is None else (f"optax.{name} counterpart", meth)
        return None

    shown = dict(kw)
    text = (f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', fn)}("
            + ", ".join(f"{k}={v!r}" for k, v in kw.items()) + ") with learning_rate = lr/sqrt(count+1)")
    return _Call(text, shown, numbers, make_stepper, counterpart)


def _optax_transform_call(tx, options, hyper) -> _Call:
    if options:
        raise CheckError(f"check: keyword arguments {sorted(options)} cannot be given to a fixed optax "
                         "GradientTransformation; pass its factory (e.g. optax.adam) instead")
    from .conformance.drivers.optax import ScanStepper, import_optax

    jax, optax = import_optax()
    import jax.numpy as jnp

    def make_stepper(x1, lo, hi):
        sched = optax.scale_by_schedule(lambda count: 1.0 / jnp.sqrt(count + 1.0))
        return ScanStepper(optax.chain(tx, sched), x1, lo, hi)

    numbers = {"alpha": exact(hyper["alpha"]), "beta1": exact(hyper["beta1"]), "beta2": exact(hyper["beta2"]),
               "eps": Fraction(0), "eps_root": Fraction(0)}
    return _Call("optax GradientTransformation (its own hyper-parameters), then scale 1/sqrt(t)", {}, numbers,
                 make_stepper, None,
                 note="a fixed GradientTransformation runs with its own learning rate and betas, not the "
                      "problem's; pass the factory (optax.adam) for the paper's settings and an identification")


def _step_call(fn, options, hyper) -> _Call:
    from .conformance.drive import Setup
    from .conformance.drivers.user import UserStepper

    numbers = {"alpha": exact(hyper["alpha"]), "beta1": exact(hyper["beta1"]), "beta2": exact(hyper["beta2"]),
               "eps": exact(options.get("eps", hyper.get("eps") or 0)), "eps_root": Fraction(0)}
    for key in ("alpha", "beta1", "beta2"):
        if key in options:
            numbers[key] = exact(options[key])
    kw = {"alpha": float(numbers["alpha"]), "beta1": float(numbers["beta1"]), "beta2": float(numbers["beta2"]),
          "eps": float(numbers["eps"]), "schedule": "sqrt", **options}
    st = Setup(call="", kwargs=kw, hyper=numbers, schedule="sqrt")
    name = f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"
    return _Call(f"{name}(x, g, t, state, hyper) with hyper = {kw}; x = clip(x_hat, -1, 1)",
                 {k: v for k, v in kw.items() if k != "schedule"}, numbers,
                 lambda x1, lo, hi: UserStepper(None, st, x1, lo, hi, fn=fn))


def _rule_call(name, options, hyper) -> _Call:
    from numerics.optimizers import REGISTERED

    factory = REGISTERED[name]["factory"]
    params = inspect.signature(factory).parameters
    kw = {"alpha": hyper["alpha"], "beta1": hyper["beta1"], "beta2": hyper["beta2"], "schedule": "sqrt"}
    if hyper.get("eps") is not None:
        kw["eps"] = hyper["eps"]
    kw = {k: v for k, v in kw.items() if k in params or any(p.kind == p.VAR_KEYWORD for p in params.values())}
    kw.update(options)
    meth = factory(**kw)
    numbers = {"alpha": exact(kw.get("alpha", 1)), "beta1": exact(kw.get("beta1", 0)),
               "beta2": exact(kw.get("beta2", 0)), "eps": exact(kw.get("eps", 0)), "eps_root": Fraction(0)}
    shown = {k: (str(v) if isinstance(v, Fraction) else v) for k, v in kw.items()}
    return _Call(f"registered rule {name}(" + ", ".join(f"{k}={v}" for k, v in shown.items()) + ")", shown,
                 numbers, lambda x1, lo, hi: _Stepper(meth, x1, lo, hi), own_rule=meth)


def _kind(optimizer):
    """(kind, target, options from a partial) for what check() was given."""
    from numerics.optimizers import REGISTERED

    opts = {}
    target = optimizer
    while isinstance(target, functools.partial):
        if target.args:
            raise CheckError("check: a functools.partial with positional arguments; bind keyword arguments only")
        opts = {**target.keywords, **opts}
        target = target.func
    if isinstance(target, str):
        if target in REGISTERED:
            return "rule", target, opts
        raise CheckError(f"check: {target!r} is not a registered rule (numerics.optimizers.register); "
                         f"registered: {', '.join(REGISTERED) or 'none'}")
    if isinstance(target, type):
        mro = [f"{c.__module__}.{c.__name__}" for c in target.__mro__]
        if "torch.optim.optimizer.Optimizer" in mro:
            return "torch", target, opts
        raise CheckError(f"check: the class {target.__qualname__} is not a torch.optim.Optimizer")
    for name, entry in REGISTERED.items():
        if entry["factory"] is target:
            return "rule", name, opts
    if type(target).__name__ == "GradientTransformation" or (hasattr(target, "init") and hasattr(target, "update")
                                                            and not callable(target)):
        return "optax-transform", target, opts
    if callable(target):
        try:
            params = list(inspect.signature(target).parameters)
        except (TypeError, ValueError):
            params = []
        if params[:1] == ["learning_rate"]:
            return "optax", target, opts
        if len(params) >= 5 or params[:5] == ["x", "g", "t", "state", "hyper"]:
            return "step", target, opts
        raise CheckError(f"check: {getattr(target, '__name__', target)!r} is neither an optax factory "
                         "(learning_rate first) nor a step function fn(x, g, t, state, hyper)")
    raise CheckError(f"check: cannot check {type(target).__name__!r}: pass a torch.optim.Optimizer class, an optax "
                     "factory or GradientTransformation, a step function fn(x, g, t, state, hyper), or the name "
                     "of a rule registered with numerics.optimizers.register")


_CALLS = {"torch": _torch_call, "optax": _optax_factory_call, "optax-transform": _optax_transform_call,
          "step": _step_call, "rule": _rule_call}


def _describe(kind, target) -> str:
    if kind == "rule":
        return f"registered rule {target!r}"
    if kind == "optax-transform":
        return "an optax GradientTransformation"
    module, name = getattr(target, "__module__", "?"), getattr(target, "__qualname__", repr(target))
    for public in ("torch.optim", "optax"):  # the name users write, where it is that object
        if module.startswith(public + ".") and getattr(sys.modules.get(public), name, None) is target:
            return f"{public}.{name}"
    return f"{module}.{name}"


# ------------------------------------------------------------------------------------------------
# identification and the limit form
class _Beyond(Exception):
    """A candidate's running max deviation passed the bound of :func:`_bounded_deviation`."""


def _bounded_deviation(meth, problem, lib: np.ndarray, x1, bound: float = math.inf) -> float:
    """The max over the rounds t <= len(lib) of max_i |x_{t,i} - lib[t-1, i]| (NaN counts as inf) of ``meth`` run
    from ``x1`` on ``problem``, computed round by round; once the running max exceeds ``bound`` the run stops
    and that running max (> bound, at most the full value) is returned.  The identification needs a candidate's exact deviation only while it can still be
    the answer (<= EXACT_MATCH, or the smallest so far): a candidate of another definition typically leaves
    1e-12 within its first rounds, so most of the grid's 2000-round runs end after a few rounds
    (tests/test_check_api.py compares :func:`identify` with the exhaustive search)."""
    from numerics.run import run

    N, d = lib.shape
    start = float(x1) if d == 1 else np.full(d, float(x1))
    worst = [0.0]
    if d == 1:
        col = lib[:, 0].tolist()  # Python floats: the same IEEE differences as numpy's, less overhead

        def dev_at(t, x):
            return abs(float(x) - col[t - 1])
    else:
        def dev_at(t, x):
            with np.errstate(invalid="ignore"):
                return float(np.abs(np.asarray(x, dtype=np.float64).reshape(-1) - lib[t - 1]).max())

    def on_step(t, x, g, inv, st):
        dev = dev_at(t, x)
        if dev != dev:  # NaN counts as inf (a run that broke down deviates without bound)
            dev = math.inf
        if dev > worst[0]:
            worst[0] = dev
            if dev > bound:
                raise _Beyond
    try:
        run(meth, problem, N, x1=start, checkpoints=[], prescribed="record", on_step=on_step)
    except _Beyond:
        pass
    return worst[0]


def _candidates(call: _Call):
    """(label, Method) of the Adam/AMSGrad switch grid and every registered rule, for these numbers."""
    from numerics.optimizers import REGISTERED

    from .conformance.variants import candidate_method, candidates

    h = call.numbers
    for c in candidates(h["beta1"], h["eps"], h["eps_root"], "sqrt"):
        yield c.label, candidate_method(c, h, "sqrt")
    for name, entry in REGISTERED.items():
        factory = entry["factory"]
        params = inspect.signature(factory).parameters
        kw = {k: v for k, v in dict(alpha=h["alpha"], beta1=h["beta1"], beta2=h["beta2"], eps=h["eps"],
                                    schedule="sqrt").items() if k in params}
        try:
            yield f"registered:{name}", factory(**kw)
        except (TypeError, ValueError):
            continue


def identify(call: _Call, problem, lib_xs: np.ndarray, x1) -> dict:
    """The definition of ours the optimizer's first rounds match: the counterpart, else the closest of the
    grid and the registered rules.  ``identified`` when its max deviation is <= EXACT_MATCH.

    The answer is that of the exhaustive search (every candidate's full trajectory, the first smallest
    deviation wins), computed with bounds (:func:`_bounded_deviation`): first every candidate against
    EXACT_MATCH -- those that stay within it hold the smallest deviations; where none does, a second pass
    keeps the smallest so far as the bound (a candidate beyond it cannot be the first smallest)."""
    N = len(lib_xs)
    if call.own_rule is not None:
        dev = _bounded_deviation(call.own_rule, problem, lib_xs, x1)
        return {"label": f"registered:{call.own_rule.name}", "method": call.own_rule, "max_deviation": dev,
                "rounds": N, "identified": dev <= EXACT_MATCH, "how": "the registered rule itself"}
    tried = []  # (label, Method), in the order of the exhaustive search
    cp = call.counterpart() if call.counterpart is not None else None
    if cp is not None:
        label, meth = cp
        dev = _bounded_deviation(meth, problem, lib_xs, x1, EXACT_MATCH)
        if dev <= EXACT_MATCH:
            return {"label": _rule_label(meth), "method": meth, "max_deviation": dev, "rounds": N,
                    "identified": True, "how": label}
        tried.append((label, meth))
    grid = list(_candidates(call))
    within = [(dev, label, meth) for label, meth in grid
              if (dev := _bounded_deviation(meth, problem, lib_xs, x1, EXACT_MATCH)) <= EXACT_MATCH]
    if within:
        dev, label, meth = min(within, key=lambda r: r[0])  # the counterpart (if any) is beyond EXACT_MATCH
    else:
        best = None
        for label, meth in tried + grid:
            dev = _bounded_deviation(meth, problem, lib_xs, x1, math.inf if best is None else best[0])
            if best is None or dev < best[0]:  # strictly: the first of equal deviations stays, as min() keeps it
                best = (dev, label, meth)
        dev, label, meth = best
    return {"label": label if label.startswith("registered:") else _rule_label(meth, label), "method": meth,
            "max_deviation": dev, "rounds": N, "identified": dev <= EXACT_MATCH,
            "how": "closest of the counterpart, the Adam/AMSGrad switch grid and the registered rules"}


def _rule_label(meth, fallback: str | None = None) -> str:
    skip = {"alpha", "beta1", "beta2", "eps", "eps_root", "schedule", "lam", "beta1_schedule", "eps_inside"}
    parts = [f"{k}={v}" for k, v in meth.hyper.items() if k not in skip and isinstance(v, (bool, str))]
    own = f"{meth.name}(" + ", ".join(parts) + ")"
    return own if fallback is None else f"{fallback} = {own}"


def _filtered(factory, kw):
    params = inspect.signature(factory).parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return kw
    return {k: v for k, v in kw.items() if k in params}


def limit_form(meth, beta1=None, beta2=None):
    """(the limit form of ``meth`` for the drift certificate, reason) or (None, why there is none).

    alpha_t = 1 (a constant schedule), bias corrections replaced by their limit 1; eps and eps_root kept
    (they do not vanish).  Written for the rules this module can identify; a registered rule uses its
    ``limit`` or its factory at alpha = 1 with a constant schedule.  ``beta1``/``beta2`` replace the
    method's own (the smallest-C answer at the paper's pairs)."""
    from numerics.optimizers import FACTORIES, REGISTERED

    h = dict(meth.hyper)
    b1 = h.get("beta1") if beta1 is None else beta1
    b2 = h.get("beta2") if beta2 is None else beta2
    if meth.rule.uses_x:
        return None, f"{meth.name}'s step reads x (weight decay or a relative step): the drift criterion needs a " \
                     "state independent of x, so this row is simulated only"
    name = meth.name
    if name in REGISTERED:
        entry = REGISTERED[name]
        numbers = {k: v for k, v in meth.numbers.items() if k not in ("alpha", "beta1", "beta2")}
        if entry["limit"] is not None:
            return entry["limit"](beta1=b1, beta2=b2, **_filtered(entry["limit"], numbers)), \
                "the registered limit form"
        kw = dict(alpha=1, beta1=b1, beta2=b2, schedule="constant", **numbers)
        return entry["factory"](**_filtered(entry["factory"], kw)), \
            "the registered factory at alpha = 1, constant schedule (no limit= given)"
    if name in ("adam", "amsgrad", "rmsprop"):
        if h.get("beta1_schedule", "constant") != "constant" or h.get("beta2_schedule"):
            return None, "a time-varying beta schedule: no periodic steady state"
        variant = h.get("variant", "paper")
        return FACTORIES["amsgrad" if name == "amsgrad" else "adam"](
            alpha=1, beta1=b1 if name != "rmsprop" or beta1 is not None else 0, beta2=b2, eps=h.get("eps", 0),
            eps_root=h.get("eps_root", 0), schedule="constant", variant=variant, bias_correction_m=False,
            bias_correction_v="none"), "alpha_t = 1 and the bias corrections 1 - beta^t -> 1 removed; eps kept"
    if name in ("adabelief", "yogi", "adamax"):
        kw = {k: v for k, v in h.items() if k not in ("alpha", "schedule", "bias_correction")}
        kw.update(alpha=1, beta1=b1, beta2=b2, schedule="constant", bias_correction=False)
        return FACTORIES[name](**_filtered(FACTORIES[name], kw)), \
            "alpha_t = 1 and the bias corrections removed; eps kept"
    if name == "sgd":
        return FACTORIES["sgdm"](alpha=1, momentum=0, schedule="constant"), "no state"
    return None, f"no limit form of {name} is written in counterexamples.check: simulated only"


def _certify(meth, problem) -> dict:
    from numerics.problems import Periodic

    from .drift import general

    if not isinstance(problem, Periodic) or problem.d != 1:
        return {"sign": None, "reason": "the problem is not periodic: no drift certificate"}
    lim, why = limit_form(meth)
    if lim is None:
        return {"sign": None, "reason": why}
    pattern = [r[0] for r in problem._rows]
    d = general.drift(lim, pattern)
    return {"sign": d.sign, "drift": d.drift, "enclosure": d.enclosure,
            "reason": f"limit form: {why}; {d.reason}"}


def combine(certified: int | None, simulated: str, *, drift: str | None, sim_reason: str, T: int,
            identified: str | None, problem: str, cert_reason: str = "",
            identification: str = "") -> tuple[Verdict, str]:
    """(the row's Verdict, its domain label) from the certified drift sign (+1, -1, or None/0 when not
    certified) and the simulation verdict (CONVERGES / STUCK / anything else = undecided).

    PROVED only on a certified sign that the simulation does not contradict; a contradiction is UNKNOWN;
    the simulation alone is EVIDENCE; an undecided simulation without certificate is UNKNOWN."""
    crit = (f"simulation of T = {T} rounds, criterion of counterexamples.conformance.verdict on the late half "
            f"and the last 1% of the points ({sim_reason})")
    if certified in (1, -1):
        label = DIVERGES if certified == 1 else CONVERGES_
        contra = STUCK if certified == -1 else CONVERGES
        if simulated == contra:
            return Verdict(UNKNOWN, claim=f"{UNDECIDED}: {problem}", method="certified drift vs simulation",
                           reason=f"the certified drift says {label} but the {crit} says {simulated}: the "
                                  "identification or the limit form does not carry to this horizon"), UNDECIDED
        where = "x_t -> the worst point" if certified == 1 else "x_t -> x*"
        return Verdict(PROVED, claim=f"{label}: {identified} on {problem} ({where})",
                       method="certified drift (arb balls, counterexamples.drift.general)",
                       hypotheses=[f"the optimizer is {identified}: identified over its first rounds to <= "
                                   f"{EXACT_MATCH} (a finite check{': ' + identification if identification else ''})",
                                   "the drift of the limit form decides the limit as alpha_t -> 0 "
                                   "(counterexamples.drift.general)"],
                       witness={"drift": drift}, reason=cert_reason), label
    if simulated == STUCK:
        return Verdict(EVIDENCE, claim=f"{STUCK_}: {problem} (T <= {T})", method=crit), STUCK_
    if simulated == CONVERGES:
        return Verdict(EVIDENCE, claim=f"{CONVERGES_}: {problem} (T <= {T})", method=crit), CONVERGES_
    return Verdict(UNKNOWN, claim=f"{UNDECIDED}: {problem}", method=crit,
                   reason=f"no certified drift ({cert_reason or 'not identified'}) and the simulation is "
                          f"undecided at T = {T}; a larger T (check(..., T=...), pytest --counterexamples-T) may "
                          "decide it, and a rule registered with numerics.register gets a certified drift"), UNDECIDED


# ------------------------------------------------------------------------------------------------
@dataclass
class Row:
    """One problem of the suite: the verdict, how it was decided, and the numbers behind it."""

    problem: str
    call: str  # the optimizer call with this problem's hyper-parameters
    hyper: dict  # the problem's prescribed hyper-parameters (alpha, beta1, beta2, x1, ...)
    verdict: Verdict
    label: str  # diverges | converges | stuck at the worst point | undecided
    decided_by: str  # "certified drift" | "simulation (EVIDENCE)" | "undecided"
    identified: str | None  # our rule it was identified with (max deviation <= 1e-12), else None
    closest: str  # the closest of our rules (identified or not)
    max_deviation: float
    compare_rounds: int
    T: int
    x_T: float  # the iterate after T updates
    avg_regret: float  # R_T / T
    worst_avg_regret: float  # R_T / T of always playing the worst point
    drift: str | None  # arb enclosure of the certified drift D (None when not certified)
    simulation: str  # the simulation's own answer
    simulation_reason: str
    note: str = ""
    seconds: float = 0.0

    @property
    def breaks(self) -> bool:
        return self.label in BREAKING

    @property
    def escapes(self) -> bool:
        return self.label == CONVERGES_

    def line(self) -> str:
        """The row as one readable paragraph (the failure messages are made of these)."""
        hp = ", ".join(f"{k}={_fmt(v)}" for k, v in self.hyper.items())
        ident = (f"identified as {self.identified} (max deviation {self.max_deviation:.2g} over "
                 f"{self.compare_rounds} rounds)" if self.identified else
                 f"not identified (closest {self.closest}, max deviation {self.max_deviation:.2g} over "
                 f"{self.compare_rounds} rounds)")
        how = (f"certified drift D = {self.drift} of the rule's limit form (D > 0: x_t -> the worst point; "
               f"D < 0: x_t -> x*)" if self.decided_by == "certified drift"
               else f"{self.verdict.status.upper()}: {self.simulation_reason}")
        return (f"{self.problem}: {self.label} [{self.verdict.status.upper()}, {self.decided_by}]\n"
                f"    hyper-parameters: {hp}\n"
                f"    call: {self.call}\n"
                f"    x_T = {self.x_T:+.6g}, R_T/T = {self.avg_regret:.6g} (worst point: {self.worst_avg_regret:.6g}) "
                f"at T = {self.T}; drift: {self.drift or 'not certified'}\n"
                f"    {ident}\n"
                f"    {how}" + (f"\n    reason: {self.verdict.reason}" if self.verdict.status == UNKNOWN else "")
                + (f"\n    simulation at T = {self.T}: {self.simulation} ({self.simulation_reason})"
                   if self.decided_by == "certified drift" else ""))


def _fmt(v):
    if isinstance(v, Fraction):
        return str(v) if v.denominator != 1 else str(v.numerator)
    return repr(v) if isinstance(v, str) else str(v)


@dataclass
class Report:
    """What :func:`check` returns: one :class:`Row` per problem, the thresholds, versions, timing."""

    optimizer: str
    rows: list[Row]
    thresholds: list[dict] = field(default_factory=list)
    T: int = DEFAULT_T
    versions: dict = field(default_factory=dict)
    seconds: float = 0.0
    note: str = ""

    @property
    def breaks(self) -> bool:
        """Some problem sends it to the worst point (certified, or EVIDENCE from the simulation)."""
        return any(r.breaks for r in self.rows)

    @property
    def escapes(self) -> bool:
        """Every problem is decided 'converges' (an undecided row is not success)."""
        return bool(self.rows) and all(r.escapes for r in self.rows)

    @property
    def certified(self) -> bool:
        """Every row is decided by a certified drift."""
        return bool(self.rows) and all(r.verdict.status == PROVED for r in self.rows)

    def assert_escapes(self) -> None:
        """AssertionError naming every problem that breaks it or stays undecided."""
        bad = [r for r in self.rows if not r.escapes]
        if bad:
            raise AssertionError(self._message("escape the counterexamples", bad))

    def assert_breaks(self) -> None:
        """AssertionError when no problem breaks it (each row named)."""
        if not self.breaks:
            raise AssertionError(self._message("break on some counterexample", self.rows))

    def _message(self, wanted: str, rows) -> str:
        head = (f"counterexamples.check: {self.optimizer} was expected to {wanted}, but "
                + ("; ".join(f"{r.problem}: {r.label} ({r.verdict.status})" for r in rows)))
        return "\n".join([head] + [r.line() for r in rows])

    def table(self) -> str:
        head = ("problem", "verdict", "decided by", "identified as (max dev)", "x_T", "R_T/T", "certified drift")
        lines = [(r.problem, f"{r.label} ({r.verdict.status})", r.decided_by,
                  f"{r.identified or 'none: closest ' + r.closest} ({r.max_deviation:.2g})", f"{r.x_T:+.6f}",
                  f"{r.avg_regret:.6g}", r.drift or "-") for r in self.rows]
        widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
        fmt = "  ".join("{:<%d}" % w for w in widths)
        out = [f"# {self.optimizer}: T = {self.T}, alpha_t = alpha/sqrt(t), float64, projection onto [-1, 1]",
               fmt.format(*head), fmt.format(*("-" * w for w in widths))]
        out += [fmt.format(*line) for line in lines]
        for th in self.thresholds:
            out.append(f"smallest diverging C at (beta1, beta2) = ({th['beta1']}, {th['beta2']}): "
                       f"{th['C'] if th['C'] is not None else 'none <= ' + str(C_MAX)} "
                       f"[{th['verdict'].status.upper()}] {th['verdict'].claim}"
                       + (" (computed earlier in this process for the same limit form and pair)"
                          if th.get("cached") else ""))
        if self.note:
            out.append(self.note)
        out.append(f"breaks: {self.breaks}; escapes: {self.escapes}; {self.seconds:.1f} s")
        return "\n".join(out)

    __str__ = table

    def as_dict(self) -> dict:
        rows = []
        for r in self.rows:
            d = {k: getattr(r, k) for k in r.__dataclass_fields__ if k != "verdict"}
            d["hyper"] = {k: _fmt(v) if isinstance(v, Fraction) else v for k, v in r.hyper.items()}
            d["verdict"] = r.verdict.as_dict()
            rows.append(d)
        ths = [dict(th, verdict=th["verdict"].as_dict()) for th in self.thresholds]
        return {"optimizer": self.optimizer, "T": self.T, "rows": rows, "thresholds": ths,
                "breaks": self.breaks, "escapes": self.escapes, "versions": self.versions,
                "seconds": self.seconds, "note": self.note}


_THRESHOLDS: dict = {}  # per process: the threshold of a limit form at a pair, by the rule's exact identity
_CACHED_RULES = ("adam", "amsgrad", "rmsprop", "adabelief", "yogi", "adamax", "sgdm")  # limit forms written here


def _threshold_key(lim, beta1, beta2):
    """The exact identity of a threshold search, or None when it is not cached.

    The answer of :func:`counterexamples.drift.general.smallest_diverging_C` is a function of the limit form
    (its ``rule.key``, which names the rule and every switch of its code -- the key the engine's ball loops
    are cached by, numerics.engine.arb -- and its numbers, compared as exact rationals), the pair and the
    search's bounds; nothing else enters it (the float scan and the ball replay are deterministic).  So the
    same key gives the same certified answer, and a cache keyed by it is sound.  Only the limit forms this
    module writes itself are cached: a registered rule's key is the user's, and its code may change under it."""
    from numerics.backends import to_fraction

    from .drift import general

    if lim.name not in _CACHED_RULES or lim.rule.uses_x:
        return None
    try:
        numbers = tuple(sorted((k, to_fraction(v)) for k, v in lim.numbers.items() if v is not None))
        hash(lim.rule.key)
    except (TypeError, ValueError):  # a number that is no exact rational (an array, a symbol): not cached
        return None
    return (lim.name, lim.rule.key, numbers, to_fraction(beta1), to_fraction(beta2), C_MAX,
            CERTIFY_ROUNDS_PER_C, general.MAX_ROUNDS, general.ARB_ROUNDS, REPLAY_FIRST,
            general.REPLAY_REL_MAX, general.REPLAY_SHRINK, general.REPLAY_RADIUS_FACTOR, general.REPLAY_REL_MIN,
            general.INTERVAL_LANES, general.INTERVAL_MIN_LANES, general.INTERVAL_MAX_ROUNDS, general.INTERVAL_GIVE_UP,
            general.REPLAY_REL_MAX_LANES, general.INTERVAL_SHRINK)


def clear_threshold_cache() -> None:
    """Forget the thresholds computed in this process (the next :func:`check` recomputes them)."""
    _THRESHOLDS.clear()


def _threshold(meth, beta1, beta2, cache: bool = True) -> dict:
    """Smallest diverging C of Theorem 2's family for the rule's limit form at (beta1, beta2).

    Computed once per process for each exact limit form and pair (:func:`_threshold_key`); an answer taken
    from that cache says so (``"cached": True`` and a line of the report's table)."""
    import copy

    lim, why = limit_form(meth, Fraction(beta1), Fraction(beta2))
    out = {"beta1": beta1, "beta2": beta2, "C": None}
    if lim is None:
        out["verdict"] = Verdict(UNKNOWN, claim="smallest diverging C", reason=why)
        return out
    key = _threshold_key(lim, beta1, beta2) if cache else None
    if key is not None and key in _THRESHOLDS:
        return dict(copy.deepcopy(_THRESHOLDS[key]), beta1=beta1, beta2=beta2, cached=True)
    out = _threshold_search(meth, beta1, beta2, out)
    if key is not None:
        _THRESHOLDS[key] = copy.deepcopy(out)
    return out


def _threshold_search(meth, beta1, beta2, out) -> dict:
    from .drift import general

    th = general.smallest_diverging_C(lambda: limit_form(meth, Fraction(beta1), Fraction(beta2))[0],
                                      beta1, beta2, C_MAX, certify_rounds=CERTIFY_ROUNDS_PER_C * C_MAX,
                                      replay_first=REPLAY_FIRST)
    if isinstance(getattr(th, "verdict", None), Verdict):  # a search that states its own verdict
        out.update(C=th.C, verdict=th.verdict)
        return out
    out["C"] = th.C
    if th.C is None:
        out["verdict"] = Verdict(EVIDENCE, claim=f"no C in [2, {C_MAX}] with D > 0 (C <= {C_MAX})",
                                 method="float scan of the drift", reason=th.note)
    elif th.at is not None and th.at.sign == 1 and (th.below is None or th.below.sign == -1):
        out["verdict"] = Verdict(EVIDENCE, claim=f"smallest diverging C = {th.C}: D(C={th.C}) > 0 and "
                                 f"D(C={th.C - 1}) < 0 certified (arb); no smaller C by a float scan (C >= 2)",
                                 method="float scan, then the drift at C and C - 1 in balls",
                                 witness={"drift_at_C": th.at.enclosure,
                                          "drift_below": th.below.enclosure if th.below else None},
                                 reason=th.note)
    else:
        out["verdict"] = Verdict(UNKNOWN, claim=f"smallest diverging C (the float scan says {th.C})",
                                 reason=th.note)
    return out


def check(optimizer, *, problems=None, T: int | None = None, expect: str | None = None,
          compare: int | None = None, thresholds: bool = True, **options) -> Report:
    """Put ``optimizer`` through the counterexamples; return a :class:`Report` (see the module doc).

    ``problems``: names from :data:`counterexamples.conformance.suite.PROBLEMS` (default
    :data:`DEFAULT_PROBLEMS`); ``T``: rounds of the simulation (default 10000, in [1000, 10^7]);
    ``expect``: "escapes" or "breaks" -- then the report's ``assert_escapes`` / ``assert_breaks`` is called
    (AssertionError with the rows named); ``compare``: rounds of the identification (default 2000, at most
    T); ``thresholds``: the smallest diverging C at the paper's pairs for an identified rule;
    ``**options``: keyword arguments of the optimizer (torch class, optax factory, step function's hyper,
    registered factory).  Bad input raises :class:`CheckError` (a ValueError) naming the argument.

    A step function (the worked one of :mod:`counterexamples.conformance.drivers.user`: the paper's AMSGrad)
    on Theorem 1's problem: identified as AMSGrad, so its verdict is the certified drift (negative:
    -(C - 2)/sqrt(v_0), :func:`counterexamples.drift.amsgrad_drift`), not a simulation's guess:

    >>> from counterexamples import check
    >>> from counterexamples.conformance.drivers.user import paper_amsgrad_step
    >>> r = check(paper_amsgrad_step, problems="thm1", T=1000, thresholds=False)
    >>> r.breaks, [row.label for row in r.rows]
    (False, ['converges'])
    """
    t0 = time.perf_counter()
    if expect is not None and expect not in EXPECT:
        raise CheckError(f"check: expect must be one of {', '.join(EXPECT)} or None (got {expect!r})")
    if T is None:
        T = DEFAULT_T
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or not T_RANGE[0] <= T <= T_RANGE[1]:
        raise CheckError(f"check: T must be an integer in [{T_RANGE[0]}, {T_RANGE[1]}] (got {T!r})")
    T = int(T)
    N = min(COMPARE_ROUNDS, T) if compare is None else compare
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or not 1 <= N <= T:
        raise CheckError(f"check: compare must be an integer in [1, T = {T}] (got {compare!r})")
    N = int(min(N, T))
    names = DEFAULT_PROBLEMS if problems is None else ((problems,) if isinstance(problems, str) else tuple(problems))
    if not names:
        raise CheckError(f"check: problems must name at least one of {', '.join(PROBLEMS)}")
    for name in names:
        if name not in PROBLEMS:
            raise CheckError(f"check: unknown problem {name!r}; choose from {', '.join(PROBLEMS)}")
    kind, target, opts = _kind(optimizer)
    opts = {**opts, **options}
    make_call = _CALLS[kind]
    described = _describe(kind, target) + (f" with {opts}" if opts else "")
    rows, idents, notes = [], [], set()
    prepared = []  # (name, case, call, x1) of each problem, built once for the grouped run and the rows
    for name in names:
        case = build_case(name)
        if case.skipped:
            raise CheckError(f"check: the problem {name!r} cannot run here: {case.skipped}")
        call = make_call(target, opts, case.hyper)
        prepared.append((name, case, call, np.full(case.problem.d, float(Fraction(case.hyper.get("x1", 0))))))
    grouped = {}
    if kind == "torch" and GROUP_TORCH and 1 < len(names) == len(set(names)) and _torch_own(target):
        # all problems as param groups of one optimizer, run first; each problem's drive replays its part.
        # Only torch.optim's own classes, which read every number from the group: a user's class may read
        # self.defaults (then a group's numbers would not be its problem's), so it runs problem by problem
        runs = [(call.group[1], x1, float(case.problem.lo), float(case.problem.hi), case.problem)
                for _, case, call, x1 in prepared]
        out = _torch_grouped(prepared[0][2].group[0], runs, T)
        grouped = dict(zip(names, out)) if out is not None else {}
    for name, case, call, x1 in prepared:
        r0 = time.perf_counter()
        if call.note:
            notes.add(call.note)
        prob = case.problem
        x1v = case.hyper.get("x1", 0)
        stepper = grouped[name] if name in grouped else call.make_stepper(x1, float(prob.lo), float(prob.hi))
        lib = drive(stepper, prob, T, keep=N)
        sv = sim_verdict(lib.x_tail_mean, lib.late_loss, lib.late_grad_sum, lib.grad_sum, lib.lo, lib.hi)
        sim, sim_reason = sv.label, sv.reason  # the simulation's word (a label of its EVIDENCE / UNKNOWN)
        if kind == "optax-transform":
            ident = {"label": "none", "method": None, "max_deviation": float("inf"), "rounds": N,
                     "identified": False}
        else:
            ident = identify(call, prob, lib.xs, x1v)
        cert = {"sign": None, "reason": f"not identified (closest {ident['label']}, max deviation "
                                        f"{ident['max_deviation']:.2g} > {EXACT_MATCH})"}
        if ident["identified"]:
            cert = _certify(ident["method"], prob)
            idents.append((ident["method"], cert["sign"] in (1, -1)))
        sign = cert["sign"] if cert["sign"] in (1, -1) else None
        v, label = combine(sign, sim, drift=cert.get("enclosure"), sim_reason=sim_reason, T=T,
                           identified=ident["label"] if ident["identified"] else None, problem=name,
                           cert_reason=cert["reason"],
                           identification=f"max deviation {ident['max_deviation']:.2g} over {N} rounds")
        decided = ("certified drift" if v.status == PROVED else
                   "simulation (EVIDENCE)" if v.status == EVIDENCE else "undecided")
        r_w = (lib.hi - lib.lo) * float(np.abs(lib.grad_sum).sum()) / T
        scalar = prob.d == 1
        rows.append(Row(problem=name, call=call.text, hyper=dict(case.hyper), verdict=v, label=label,
                        decided_by=decided, identified=ident["label"] if ident["identified"] else None,
                        closest=ident["label"], max_deviation=ident["max_deviation"], compare_rounds=N, T=T,
                        x_T=float(lib.x_next[0]) if scalar else float(np.abs(lib.x_next).max()),
                        avg_regret=lib.regret / T, worst_avg_regret=r_w,
                        drift=cert.get("enclosure") if v.status == PROVED else None, simulation=sim,
                        simulation_reason=sim_reason, note=cert["reason"],
                        seconds=round(time.perf_counter() - r0, 3)))
    ths = []
    if thresholds and len(idents) == len(rows) and any(ok for _, ok in idents):
        # identified on every problem and its drift certified on one: the smallest C of Theorem 2's family,
        # from the rule identified on a problem with beta1 > 0 (with its eps, at the paper's pairs)
        meth = next((m for m, _ in idents if Fraction(str(m.hyper.get("beta1", 0))) != 0), idents[-1][0])
        ths = [_threshold(meth, b1, b2) for b1, b2 in PAIRS]
    elif thresholds:
        notes.add("smallest diverging C: not computed (the rule is not identified on every problem, or its "
                  "drift is certified on none)")
    report = Report(described, rows, ths, T, _versions(kind), round(time.perf_counter() - t0, 3),
                    "; ".join(sorted(notes)))
    if expect == "escapes":
        report.assert_escapes()
    elif expect == "breaks":
        report.assert_breaks()
    return report


def _versions(kind) -> dict:
    import platform

    out = {"python": platform.python_version(), "numpy": np.__version__}
    try:
        from importlib.metadata import version

        out["adam-beyond"] = version("adam-beyond")
    except Exception:  # noqa: BLE001 - not installed (a checkout on PYTHONPATH)
        out["adam-beyond"] = "checkout"
    if kind == "torch":
        import torch

        out["torch"] = torch.__version__
    if kind.startswith("optax"):
        import jax
        import optax

        out.update(jax=jax.__version__, optax=optax.__version__)
    return out


__all__ = ["check", "Report", "Row", "CheckError", "identify", "limit_form", "combine", "clear_threshold_cache",
           "DEFAULT_PROBLEMS", "DEFAULT_T", "PAIRS"]
