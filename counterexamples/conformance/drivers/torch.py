"""Drive ``torch.optim`` optimizers (float64 parameters) through the paper's online problems.

The parameter is a float64 tensor of shape (d,) started at x_1.  Each round: set its ``.grad`` to g_t,
``optimizer.step()``, clamp it onto F in place (``torch.no_grad``), then ``scheduler.step()``.  With
``schedule='sqrt'`` the paper's alpha_t = alpha/sqrt(t) comes from ``torch.optim.lr_scheduler.LambdaLR``
with multiplier 1/sqrt(k+1) (k = 0 for round 1), so round t runs at lr = alpha * (1/sqrt(t)).

Mapping of the problem's (alpha, beta1, beta2, eps) onto each class (SPEC keyword arguments override it):
  Adam, AdamW, NAdam, RAdam   lr = alpha, betas = (beta1, beta2), eps = torch's default unless given
  RMSprop                     lr = alpha, alpha = beta2 (its smoothing constant), eps
  Adagrad                     lr = alpha, eps
  SGD                         lr = alpha
What torch's Adam computes (read in torch/optim/adam.py, ``_single_tensor_adam``, torch 2.13.0; the
path CPU tensors take): m = lerp(m, g, 1-beta1); v = beta2 v + (1-beta2) g^2; v_max = max(v_max, v) on the
*raw* v; denom = sqrt(v_max)/sqrt(1-beta2^t) + eps; x -= lr/(1-beta1^t) * m/denom (paper §1.2 (docs/paper.md)).
"""
from __future__ import annotations

import inspect
from fractions import Fraction

import numpy as np

from ..drive import LibraryMissing, Setup, exact
from ..spec import SpecError

INSTALL = "pip install torch==2.13.0"
# Keyword arguments whose effect our variant definitions model (the rest make the row "unmodelled"
# unless they are given at a value that switches the extra feature off).
_MODELLED = {"lr", "betas", "eps", "amsgrad", "alpha", "foreach", "maximize", "capturable",
             "differentiable", "fused"}
_NEUTRAL = {"weight_decay": 0, "momentum": 0, "centered": False, "dampening": 0, "nesterov": False,
            "lr_decay": 0, "initial_accumulator_value": 0}


def import_torch():
    try:
        import torch
    except ImportError as exc:
        raise LibraryMissing(f"--optimizer: torch is not installed ({exc}); run: {INSTALL}") from None
    return torch


def check(spec) -> None:
    """Fail early (LibraryMissing) when torch is not installed."""
    import_torch()


def version(spec=None) -> dict:
    torch = import_torch()
    return {"torch": torch.__version__}


def setup(spec, hyper: dict, schedule: str) -> Setup:
    """The torch call for one problem, and the same numbers (as exact Fractions) for our variants."""
    torch = import_torch()
    cls = getattr(torch.optim, spec.name)
    params = inspect.signature(cls).parameters
    for key in spec.kwargs:
        if key not in params or key == "params":
            raise SpecError(f"--optimizer: torch.optim.{spec.name} has no keyword argument {key!r}; "
                             f"it takes {', '.join(k for k in params if k != 'params')}")
    kw = {"lr": float(hyper["alpha"])}
    if "betas" in params:
        kw["betas"] = (float(hyper["beta1"]), float(hyper["beta2"]))
    if spec.name == "RMSprop":
        kw["alpha"] = float(hyper["beta2"])
    if "eps" in params:
        eps = hyper.get("eps")
        kw["eps"] = float(eps) if eps is not None else params["eps"].default
    kw.update(spec.kwargs)
    if "betas" in spec.kwargs:
        b = spec.kwargs["betas"]
        if not (isinstance(b, tuple) and len(b) == 2 and all(isinstance(u, (int, float)) for u in b)):
            raise SpecError(f"--optimizer: betas must be two numbers, e.g. betas=0.9,0.999 (got {b!r})")
        kw["betas"] = tuple(float(u) for u in b)
    # the same numbers for our variants: exactly the doubles torch is given
    model = {"alpha": exact(kw["lr"]), "eps": exact(kw.get("eps", 0)), "eps_root": Fraction(0)}
    if "betas" in kw:
        model["beta1"], model["beta2"] = exact(kw["betas"][0]), exact(kw["betas"][1])
    elif spec.name == "RMSprop":
        model["beta1"], model["beta2"] = Fraction(0), exact(kw["alpha"])
    else:
        model["beta1"], model["beta2"] = exact(hyper["beta1"]), exact(hyper["beta2"])
    unmodelled = []
    for key, param in params.items():
        if key == "params" or key in _MODELLED or key == "decoupled_weight_decay":
            continue  # decoupled_weight_decay only matters through weight_decay, checked below
        value = kw.get(key, param.default)
        if value != _NEUTRAL.get(key, param.default):
            unmodelled.append(f"{key}={value!r}")
    if spec.name in ("NAdam", "RAdam"):
        unmodelled.insert(0, f"{spec.name}'s update rule")
    if kw.get("maximize"):
        unmodelled.append("maximize=True")
    expected = None
    if not unmodelled:
        if spec.name in ("Adam", "AdamW"):
            expected = dict(method="amsgrad" if kw.get("amsgrad") else "adam", bias_correction_m=True,
                            bias_correction_v="after_max")
        elif spec.name == "RMSprop":  # beta1 = 0 here, so the m correction is the identity
            expected = dict(method="adam", bias_correction_m=False, bias_correction_v="none")
        elif spec.name == "Adagrad" and schedule == "constant" and kw.get("eps") == 0:
            # torch's sum of g^2 with a constant lr is the paper's V_t = sum/t with alpha/sqrt(t);
            # torch's eps sits outside the root, the paper's AdaGrad has none, so only eps = 0 matches
            expected = dict(method="adagrad", label="adagrad(schedule=sqrt)")
        elif spec.name == "SGD":
            expected = dict(method="sgd", label=f"sgd(schedule={schedule})")
    shown = ", ".join(f"{k}={v!r}" for k, v in kw.items())
    sched = " + LambdaLR(lr_lambda=lambda k: 1/sqrt(k+1))" if schedule == "sqrt" else ""
    return Setup(call=f"torch.optim.{spec.name}([x], {shown}){sched}; x.clamp_(lo, hi) after each step",
                 kwargs=kw, hyper=model, schedule=schedule, expected=expected, unmodelled=unmodelled)


class TorchStepper:
    def __init__(self, spec, st: Setup, x1: np.ndarray, lo: float, hi: float):
        import math

        torch = import_torch()
        self.torch = torch
        self.lo, self.hi = lo, hi
        self.p = torch.tensor(np.asarray(x1, dtype=np.float64), dtype=torch.float64, requires_grad=True)
        self.p.grad = torch.zeros_like(self.p)
        self.gview = self.p.grad.numpy()  # shares memory with p.grad: writing g_t here sets the gradient
        self.xview = self.p.detach().numpy()  # shares memory with p: reading x_t costs no tensor op
        self.opt = getattr(torch.optim, spec.name)([self.p], **st.kwargs)
        self.sched = None
        if st.schedule == "sqrt":
            self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, lambda k: 1.0 / math.sqrt(k + 1))

    def run_chunk(self, G: np.ndarray) -> np.ndarray:
        X = np.empty_like(G)
        p, opt, sched, torch = self.p, self.opt, self.sched, self.torch
        lo, hi = self.lo, self.hi
        for i in range(len(G)):
            X[i] = self.xview
            self.gview[:] = G[i]
            opt.step()
            with torch.no_grad():
                p.clamp_(lo, hi)
            if sched is not None:
                sched.step()
        return X

    def current(self) -> np.ndarray:
        return self.xview.copy()


def stepper(spec, st: Setup, x1, lo, hi) -> TorchStepper:
    return TorchStepper(spec, st, x1, lo, hi)
