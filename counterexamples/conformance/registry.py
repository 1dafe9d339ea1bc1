"""Which of our definitions each library optimizer is: the registry behind ``--zoo``.

One entry per optimizer of ``torch.optim`` and of ``optax`` / ``optax.contrib`` (the libraries are
enumerated at run time, so an optimizer a new release adds shows up as "no counterpart registered"
instead of being silently skipped).  An entry either maps the library's *full* keyword arguments (its
defaults, then what the problem sets: lr, betas, ...) onto one of our definitions in
:mod:`numerics.optimizers`, or gives the reason none fits.  Which keyword arguments the problem sets:
the learning rate always (alpha, with the alpha/sqrt(t) schedule through the library's scheduler),
(beta1, beta2) where the library has them; every other argument stays at the library's default, so the
identification covers the configuration people run.

The mapping is read from the library sources (torch 2.13.0 ``torch/optim/*.py``, optax 0.2.8
``optax/_src/{alias,transform}.py`` and ``optax/contrib``), cited in each of our factories' docstrings.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable

from numerics import make

# the library options that do not change the update rule of a float64 CPU run
_INERT = {"params", "foreach", "capturable", "differentiable", "fused", "mu_dtype", "accumulator_dtype",
          "maximize", "mask", "weight_decay_mask", "dtype_momentum", "t0"}


@dataclass(frozen=True)
class Entry:
    library: str  # "torch" or "optax"
    name: str  # torch.optim class, optax function, "contrib.<name>" for optax.contrib
    ours: Callable[[dict, str], object] | None = None  # (full kwargs, schedule) -> numerics Method
    reason: str = ""  # why no definition fits (ours is None)
    kwargs: dict = field(default_factory=dict)  # library arguments this entry sets (beyond lr / betas)
    schedulable: bool = True  # the library accepts a learning-rate schedule (Rprop: lr is only a start)
    x_dependent: bool = False  # the step reads x (then: simulation only in the zoo's verdicts)

    @property
    def label(self) -> str:
        extra = "&".join(f"{k}={v}" for k, v in self.kwargs.items())
        return f"{self.library}:{self.name}" + (f"?{extra}" if extra else "")


def _f(v):
    """The library's number as our exact input (the same double: Fraction(float) is exact)."""
    return float(v)


def _betas(kw, k1="b1", k2="b2"):
    return _f(kw[k1]), _f(kw[k2])


# ------------------------------------------------------------------------------------------------
# torch.optim
def _t_betas(kw):
    return _f(kw["betas"][0]), _f(kw["betas"][1])


def _t_adam(kw, sch):
    if kw.get("weight_decay", 0):
        return None  # coupled L2 weight decay: not modelled
    b1, b2 = _t_betas(kw)
    name = "amsgrad" if kw.get("amsgrad") else "adam"
    return make(name, alpha=_f(kw["lr"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]), schedule=sch, variant="pytorch")


def _t_adamw(kw, sch):
    b1, b2 = _t_betas(kw)
    return make("adamw", alpha=_f(kw["lr"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]), schedule=sch,
                variant="pytorch", weight_decay=_f(kw["weight_decay"]), amsgrad=bool(kw.get("amsgrad")))


def _t_decoupled_only(kw):
    wd = _f(kw.get("weight_decay", 0))
    if wd and not kw.get("decoupled_weight_decay"):
        return None
    return wd


def _t_nadam(kw, sch):
    wd = _t_decoupled_only(kw)
    if wd is None:
        return None
    b1, b2 = _t_betas(kw)
    return make("nadam", alpha=_f(kw["lr"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]), schedule=sch,
                variant="pytorch", momentum_decay=_f(kw["momentum_decay"]), weight_decay=wd)


def _t_radam(kw, sch):
    wd = _t_decoupled_only(kw)
    if wd is None:
        return None
    b1, b2 = _t_betas(kw)
    return make("radam", alpha=_f(kw["lr"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]), schedule=sch,
                variant="pytorch", weight_decay=wd)


def _t_adamax(kw, sch):
    if kw.get("weight_decay", 0):
        return None
    b1, b2 = _t_betas(kw)
    return make("adamax", alpha=_f(kw["lr"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]), schedule=sch,
                variant="pytorch")


def _t_adadelta(kw, sch):
    if kw.get("weight_decay", 0):
        return None
    return make("adadelta", alpha=_f(kw["lr"]), rho=_f(kw["rho"]), eps=_f(kw["eps"]), schedule=sch)


def _t_rprop(kw, sch):
    (em, ep), (lo, hi) = kw["etas"], kw["step_sizes"]
    return make("rprop", alpha=_f(kw["lr"]), eta_minus=_f(em), eta_plus=_f(ep), step_min=_f(lo), step_max=_f(hi))


def _t_adafactor(kw, sch):
    if kw.get("weight_decay", 0):
        return None
    eps1 = kw.get("eps")[0] if isinstance(kw.get("eps"), tuple) else None
    eps2 = kw.get("eps")[1] if isinstance(kw.get("eps"), tuple) else 1e-3
    return make("adafactor", alpha=_f(kw["lr"]), decay=_f(kw["beta2_decay"]), eps1=eps1 if eps1 is None else _f(eps1),
                eps2=_f(eps2), d=_f(kw["d"]), schedule=sch, variant="pytorch", relative_step=True)


def _t_adagrad(kw, sch):
    if kw.get("weight_decay", 0):
        return None
    return make("adagrad_lib", alpha=_f(kw["lr"]), eps=_f(kw["eps"]), lr_decay=_f(kw["lr_decay"]),
                initial_accumulator_value=_f(kw["initial_accumulator_value"]), schedule=sch, variant="pytorch")


def _t_rmsprop(kw, sch):
    if kw.get("weight_decay", 0) or kw.get("momentum", 0) or kw.get("centered"):
        return None
    return make("adam", alpha=_f(kw["lr"]), beta1=0, beta2=_f(kw["alpha"]), eps=_f(kw["eps"]), schedule=sch,
                variant="pytorch", bias_correction_m=False, bias_correction_v="none")


def _t_sgd(kw, sch):
    if kw.get("weight_decay", 0):
        return None
    if not kw.get("momentum", 0):
        return make("sgd", alpha=_f(kw["lr"]), schedule=sch)
    return make("sgdm", alpha=_f(kw["lr"]), momentum=_f(kw["momentum"]), dampening=_f(kw["dampening"]),
                nesterov=bool(kw["nesterov"]), schedule=sch)


def _t_asgd(kw, sch):
    if kw.get("weight_decay", 0):
        return None
    return make("asgd", alpha=_f(kw["lr"]), lambd=_f(kw["lambd"]), power=_f(kw["alpha"]), schedule=sch)


TORCH = [
    Entry("torch", "Adam", _t_adam), Entry("torch", "Adam", _t_adam, kwargs={"amsgrad": True}),
    Entry("torch", "AdamW", _t_adamw, x_dependent=True),
    Entry("torch", "AdamW", _t_adamw, kwargs={"amsgrad": True}, x_dependent=True),
    Entry("torch", "NAdam", _t_nadam),
    Entry("torch", "NAdam", _t_nadam, kwargs={"weight_decay": 0.01, "decoupled_weight_decay": True},
          x_dependent=True),
    Entry("torch", "RAdam", _t_radam),
    Entry("torch", "Adamax", _t_adamax), Entry("torch", "Adadelta", _t_adadelta),
    Entry("torch", "Rprop", _t_rprop, schedulable=False),
    Entry("torch", "Adafactor", _t_adafactor, x_dependent=True),
    Entry("torch", "Adagrad", _t_adagrad), Entry("torch", "RMSprop", _t_rmsprop),
    Entry("torch", "SGD", _t_sgd), Entry("torch", "SGD", _t_sgd, kwargs={"momentum": 0.9}),
    Entry("torch", "SGD", _t_sgd, kwargs={"momentum": 0.9, "nesterov": True}),
    Entry("torch", "ASGD", _t_asgd, x_dependent=True),
    Entry("torch", "RMSprop", None, "centered RMSprop (v - m^2 under the root) is not defined here",
          kwargs={"centered": True}),
    Entry("torch", "LBFGS", None, "needs a closure that re-evaluates the loss (line search, curvature pairs): "
          "not a first-order online update"),
    Entry("torch", "SparseAdam", None, "takes sparse gradients only"),
    Entry("torch", "Muon", None, "orthogonalised updates of 2-D (matrix) parameters only; the paper's "
          "problems are 1-D"),
]


# ------------------------------------------------------------------------------------------------
# optax / optax.contrib
def _o_adam(kw, sch):
    b1, b2 = _betas(kw)
    if kw.get("nesterov"):
        return make("nadam", alpha=_f(kw["learning_rate"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]),
                    eps_root=_f(kw["eps_root"]), schedule=sch, variant="optax")
    return make("adam", alpha=_f(kw["learning_rate"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]),
                eps_root=_f(kw["eps_root"]), schedule=sch, variant="optax")


def _o_adamw(kw, sch):
    b1, b2 = _betas(kw)
    if kw.get("nesterov"):
        return make("nadam", alpha=_f(kw["learning_rate"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]),
                    eps_root=_f(kw["eps_root"]), schedule=sch, variant="optax", weight_decay=_f(kw["weight_decay"]))
    return make("adamw", alpha=_f(kw["learning_rate"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]),
                eps_root=_f(kw["eps_root"]), schedule=sch, variant="optax", weight_decay=_f(kw["weight_decay"]))


def _o_amsgrad(kw, sch):
    b1, b2 = _betas(kw)
    return make("amsgrad", alpha=_f(kw["learning_rate"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]),
                eps_root=_f(kw["eps_root"]), schedule=sch, variant="optax",
                bias_correction_m=bool(kw["bias_correction_mu"]),
                bias_correction_v="before_max" if kw["bias_correction_nu"] else "none")


def _o_adamax(kw, sch):
    b1, b2 = _betas(kw)
    return make("adamax", alpha=_f(kw["learning_rate"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]), schedule=sch,
                variant="optax", weight_decay=_f(kw.get("weight_decay", 0)))


def _o_radam(kw, sch):
    if kw.get("nesterov"):
        return None
    b1, b2 = _betas(kw)
    return make("radam", alpha=_f(kw["learning_rate"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]),
                eps_root=_f(kw["eps_root"]), threshold=_f(kw["threshold"]), schedule=sch, variant="optax")


def _o_adabelief(kw, sch):
    if kw.get("nesterov"):
        return None
    b1, b2 = _betas(kw)
    return make("adabelief", alpha=_f(kw["learning_rate"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]),
                eps_root=_f(kw["eps_root"]), schedule=sch, variant="optax")


def _o_yogi(kw, sch):
    b1, b2 = _betas(kw)
    return make("yogi", alpha=_f(kw["learning_rate"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]), schedule=sch,
                variant="optax", initial=1e-6)


def _o_lion(kw, sch):
    b1, b2 = _betas(kw)
    return make("lion", alpha=_f(kw["learning_rate"]), beta1=b1, beta2=b2, schedule=sch,
                weight_decay=_f(kw["weight_decay"]))


def _o_sign_sgd(kw, sch):
    return make("signsgd", alpha=_f(kw["learning_rate"]), beta1=0, schedule=sch)


def _o_signum(kw, sch):
    return make("signsgd", alpha=_f(kw["learning_rate"]), beta1=_f(kw["beta"]), schedule=sch)


def _o_sgd(kw, sch):
    if kw.get("momentum") is None:
        return make("sgd", alpha=_f(kw["learning_rate"]), schedule=sch)
    return make("sgdm", alpha=_f(kw["learning_rate"]), momentum=_f(kw["momentum"]), dampening=0,
                nesterov=bool(kw["nesterov"]), schedule=sch)


def _o_rmsprop(kw, sch):
    if kw.get("centered") or kw.get("momentum") is not None or kw.get("bias_correction") or kw["initial_scale"]:
        return None
    variant = "paper" if kw["eps_in_sqrt"] else "pytorch"  # paper: eps under the root, eq. (3)
    return make("adam", alpha=_f(kw["learning_rate"]), beta1=0, beta2=_f(kw["decay"]), eps=_f(kw["eps"]),
                schedule=sch, variant=variant, bias_correction_m=False, bias_correction_v="none")


def _o_adagrad(kw, sch):
    return make("adagrad_lib", alpha=_f(kw["learning_rate"]), eps=_f(kw["eps"]),
                initial_accumulator_value=_f(kw["initial_accumulator_value"]), schedule=sch, variant="optax")


def _o_adadelta(kw, sch):
    if kw.get("weight_decay", 0):
        return None
    return make("adadelta", alpha=_f(kw["learning_rate"]), rho=_f(kw["rho"]), eps=_f(kw["eps"]), schedule=sch)


def _o_rprop(kw, sch):
    return make("rprop", alpha=_f(kw["learning_rate"]), eta_minus=_f(kw["eta_minus"]), eta_plus=_f(kw["eta_plus"]),
                step_min=_f(kw["min_step_size"]), step_max=_f(kw["max_step_size"]), variant="optax")


def _o_adopt(kw, sch):
    if kw.get("nesterov"):
        return None
    b1, b2 = _betas(kw)
    return make("adopt", alpha=_f(kw["learning_rate"]), beta1=b1, beta2=b2, eps=_f(kw["eps"]), schedule=sch,
                variant="optax", clipping=bool(kw["use_clipping"]))


_NOT_DEFINED = "x-independent state, but no definition of it here yet"
_X_DEP = "its step reads x (distance to x_1, parameter norms, or an average of iterates): simulation only"

OPTAX = [
    Entry("optax", "adam", _o_adam), Entry("optax", "adamw", _o_adamw, x_dependent=True),
    Entry("optax", "amsgrad", _o_amsgrad), Entry("optax", "nadam", _o_adam),
    Entry("optax", "nadamw", _o_adamw, x_dependent=True), Entry("optax", "adamax", _o_adamax),
    Entry("optax", "adamaxw", _o_adamax, x_dependent=True), Entry("optax", "radam", _o_radam),
    Entry("optax", "adabelief", _o_adabelief), Entry("optax", "yogi", _o_yogi),
    Entry("optax", "lion", _o_lion, x_dependent=True), Entry("optax", "lion", _o_lion, kwargs={"weight_decay": 0.0}),
    Entry("optax", "sign_sgd", _o_sign_sgd), Entry("optax", "signum", _o_signum),
    Entry("optax", "sgd", _o_sgd), Entry("optax", "sgd", _o_sgd, kwargs={"momentum": 0.9}),
    Entry("optax", "sgd", _o_sgd, kwargs={"momentum": 0.9, "nesterov": True}),
    Entry("optax", "rmsprop", _o_rmsprop), Entry("optax", "rmsprop", _o_rmsprop, kwargs={"eps_in_sqrt": False}),
    Entry("optax", "adagrad", _o_adagrad), Entry("optax", "adadelta", _o_adadelta),
    Entry("optax", "rprop", _o_rprop, schedulable=False),
    Entry("optax", "contrib.adopt", _o_adopt),
    Entry("optax", "contrib.adopt", _o_adopt, kwargs={"use_clipping": False}),
    Entry("optax", "adafactor", None, "x-dependent by default (multiply_by_parameter_scale) and a different "
          "decay schedule; not identified with ours (torch's Adafactor is)"),
    Entry("optax", "adan", None, _NOT_DEFINED), Entry("optax", "novograd", None, _NOT_DEFINED),
    Entry("optax", "sm3", None, _NOT_DEFINED), Entry("optax", "optimistic_gradient_descent", None, _NOT_DEFINED),
    Entry("optax", "optimistic_adam", None, _NOT_DEFINED), Entry("optax", "optimistic_adam_v2", None, _NOT_DEFINED),
    Entry("optax", "fromage", None, "trust ratio ||x|| / ||u||: " + _X_DEP, x_dependent=True),
    Entry("optax", "lars", None, "trust ratio ||x|| / ||u||: " + _X_DEP, x_dependent=True),
    Entry("optax", "lamb", None, "trust ratio ||x|| / ||u||: " + _X_DEP, x_dependent=True),
    Entry("optax", "lbfgs", None, "line search on loss values: not a first-order online update"),
    Entry("optax", "polyak_sgd", None, "needs the loss value f(x_t) (Polyak step): not gradient-only"),
    Entry("optax", "noisy_sgd", None, "adds random noise: a stochastic method, not one trajectory"),
    Entry("optax", "contrib.prodigy", None, "D-adaptation from ||x_t - x_1||: " + _X_DEP, x_dependent=True),
    Entry("optax", "contrib.dadapt_adamw", None, "D-adaptation: " + _X_DEP, x_dependent=True),
    Entry("optax", "contrib.dog", None, "distance over gradients max ||x_t - x_1||: " + _X_DEP, x_dependent=True),
    Entry("optax", "contrib.dowg", None, "distance over weighted gradients: " + _X_DEP, x_dependent=True),
    Entry("optax", "contrib.cocob", None, "coin betting on x_t - x_1: " + _X_DEP, x_dependent=True),
    Entry("optax", "contrib.mechanize", None, "learning-rate tuner on x_t - x_1: " + _X_DEP, x_dependent=True),
    Entry("optax", "contrib.madgrad", None, "dual averaging anchored at x_1: " + _X_DEP, x_dependent=True),
    Entry("optax", "contrib.schedule_free_adamw", None, "schedule-free averaging of iterates: " + _X_DEP,
          x_dependent=True),
    Entry("optax", "contrib.schedule_free_sgd", None, "schedule-free averaging of iterates: " + _X_DEP,
          x_dependent=True),
    Entry("optax", "contrib.momo", None, "needs the loss value (model-based momentum)"),
    Entry("optax", "contrib.momo_adam", None, "needs the loss value (model-based momentum)"),
    Entry("optax", "contrib.sam", None, "a second gradient at a perturbed point per step"),
    Entry("optax", "contrib.sophia", None, "needs Hessian-diagonal estimates"),
    Entry("optax", "contrib.muon", None, "orthogonalised updates of matrix parameters"),
    Entry("optax", "contrib.galore", None, "low-rank projection of matrix parameters"),
    Entry("optax", "contrib.dpsgd", None, "per-example clipping plus Gaussian noise: a stochastic method"),
    Entry("optax", "contrib.acprop", None, _NOT_DEFINED),
    Entry("optax", "contrib.ademamix", None, _NOT_DEFINED),
    Entry("optax", "contrib.simplified_ademamix", None, _NOT_DEFINED),
]


def torch_optimizers() -> list[str]:
    """Every optimizer class torch.optim exports (read at run time)."""
    import torch

    return sorted(n for n in dir(torch.optim) if isinstance(getattr(torch.optim, n), type)
                  and issubclass(getattr(torch.optim, n), torch.optim.Optimizer) and n != "Optimizer")


def optax_optimizers() -> list[str]:
    """The optimizer aliases of optax and optax.contrib: the functions taking ``learning_rate`` first that
    return a GradientTransformation, not the ``scale_by_*`` building blocks."""
    import optax
    import optax.contrib as contrib

    out = []
    for prefix, mod in (("", optax), ("contrib.", contrib)):
        for n in dir(mod):
            f = getattr(mod, n)
            if n.startswith("_") or n.startswith("scale_by") or not callable(f) or isinstance(f, type):
                continue
            try:
                params = list(inspect.signature(f).parameters)
            except (TypeError, ValueError):
                continue
            if params[:1] == ["learning_rate"]:
                out.append(prefix + n)
    return sorted(out)


def entries(libraries=("torch", "optax"), available=None) -> list[Entry]:
    """The registry for the given libraries, plus an 'unregistered' entry for each library optimizer the
    registry does not name (``available``: library -> names found at run time)."""
    out = []
    for lib, table in (("torch", TORCH), ("optax", OPTAX)):
        if lib not in libraries:
            continue
        out += table
        names = {e.name for e in table}
        for n in (available or {}).get(lib, []):
            if n not in names:
                out.append(Entry(lib, n, None, "no counterpart registered (new in this release?)"))
    return out


def full_kwargs(entry: Entry, hyper: dict) -> tuple[dict, dict]:
    """(the arguments passed to the library, all its arguments with defaults) for one problem."""
    if entry.library == "torch":
        import torch

        cls = getattr(torch.optim, entry.name)
        params = inspect.signature(cls).parameters
        passed = {"lr": float(hyper["alpha"])}
        if "betas" in params:
            passed["betas"] = (float(hyper["beta1"]), float(hyper["beta2"]))
    else:
        import optax
        import optax.contrib as contrib

        fn = getattr(contrib, entry.name[8:]) if entry.name.startswith("contrib.") else getattr(optax, entry.name)
        params = inspect.signature(fn).parameters
        passed = {"learning_rate": float(hyper["alpha"])}
        if "b1" in params and "b2" in params:
            passed["b1"], passed["b2"] = float(hyper["beta1"]), float(hyper["beta2"])
    passed.update(entry.kwargs)
    full = {k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty}
    full.update(passed)
    return passed, full
