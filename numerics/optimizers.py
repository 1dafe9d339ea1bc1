"""Every method of the paper's Algorithm 1, written once, runnable in any number system.

Style follows optax: a method is a small pure pair over a named state,

    init(x1)               -> state
    update(g, state, t)    -> (step, state, inv_lr)

built for one backend ``B`` by ``method.build(B)`` (hyper-parameters are converted to B's numbers once).
The caller forms hat x_{t+1} = x_t - step and projects it onto the box F (see :mod:`numerics.projection`).
``inv_lr`` is the per-coordinate inverse learning rate sqrt(V_t)/alpha_t of the paper, so that
Gamma_{t+1} = inv_lr_{t+1} - inv_lr_t (eq. 2) is read off the same code that the simulator runs.

Methods (paper §2 and spec/implementations.md):
  sgd       phi_t = g_t, psi_t = I
  adagrad   phi_t = g_t, psi_t = diag(sum_{i<=t} g_i^2) / t
  adam      eq. (1); eps inside the root as in eq. (3); ``variant`` selects paper/pytorch/optax/keras
  rmsprop   adam with beta1 = 0
  amsgrad   Algorithm 2: v_hat_t = max(v_hat_{t-1}, v_t), beta_{1t} schedules
  adamnc    Algorithm 3: time-varying beta_{2t} (default 1 - 1/t)
  adamx     Phuong & Phong: v_hat_t = max((1-beta_{1t})^2/(1-beta_{1,t-1})^2 v_hat_{t-1}, v_t)
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from . import schedules as S

# ------------------------------------------------------------------------------------------------
# Variants of Adam / AMSGrad (spec/implementations.md §1.5).  Each is a preset of three switches:
#   bias_correction_m : divide m_t by 1 - beta1^t                        (all but the paper)
#   bias_correction_v : 'none' | 'before_max' (optax) | 'after_max' (PyTorch) | 'in_lr' (Keras)
#   eps_inside        : eps under the root, eq. (3)   (paper; optax's eps_root)  else outside it
VARIANTS = {
    "paper": dict(bias_correction_m=False, bias_correction_v="none", eps_inside=True),
    "pytorch": dict(bias_correction_m=True, bias_correction_v="after_max", eps_inside=False),
    "optax": dict(bias_correction_m=True, bias_correction_v="before_max", eps_inside=False),
    "keras": dict(bias_correction_m=True, bias_correction_v="in_lr", eps_inside=False),
}
BIAS_CORRECTION_V = ("none", "before_max", "after_max", "in_lr")

METHODS = ("sgd", "adagrad", "rmsprop", "adam", "amsgrad", "adamnc", "adamx")


class Method(NamedTuple):
    """A method with its hyper-parameters (exact values as given) and a builder per backend."""

    name: str
    hyper: dict
    build: Callable[[Any], tuple[Callable, Callable]]


class SGDState(NamedTuple):
    count: int


class AdaGradState(NamedTuple):
    sum_sq: Any


class AdamState(NamedTuple):
    m: Any
    v: Any
    v_hat: Any  # running max (AMSGrad / AdamX); equals v for plain Adam


# ------------------------------------------------------------------------------------------------
def sgd(alpha=1, schedule: str = "sqrt") -> Method:
    """Online (projected) gradient descent: step = alpha_t g_t; inv_lr = 1/alpha_t."""

    def build(B):
        a = B.num(alpha)

        def init(x1):
            return SGDState(0)

        def update(g, state, t):
            at = S.alpha_t(a, schedule, t, B)
            return at * g, SGDState(t), 1 / at + B.zeros_like(g)

        return init, update

    return Method("sgd", dict(alpha=alpha, schedule=schedule), build)


def adagrad(alpha=1, schedule: str = "sqrt", eps=0) -> Method:
    """AdaGrad as the paper's instance: V_t = diag(sum_{i<=t} g_i^2)/t, step alpha_t g_t / sqrt(V_t + eps).

    With alpha_t = alpha/sqrt(t) the effective rate is alpha / sqrt(sum_i g_i^2) per coordinate.
    """

    def build(B):
        a, e = B.num(alpha), B.num(eps)

        def init(x1):
            return AdaGradState(B.zeros_like(x1))

        def update(g, state, t):
            s = state.sum_sq + g * g
            at = S.alpha_t(a, schedule, t, B)
            denom = B.sqrt(s / B.num(t) + e)
            return at * B.safe_div(g, denom), AdaGradState(s), denom / at

        return init, update

    return Method("adagrad", dict(alpha=alpha, schedule=schedule, eps=eps), build)


def switches(variant: str, bias_correction_m=None, bias_correction_v=None) -> dict:
    """The variant's preset switches, with explicit overrides (None keeps the preset's value)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    sw = dict(VARIANTS[variant])
    if bias_correction_m is not None:
        sw["bias_correction_m"] = bool(bias_correction_m)
    if bias_correction_v is not None:
        if bias_correction_v not in BIAS_CORRECTION_V:
            raise ValueError(f"bias_correction_v must be one of {BIAS_CORRECTION_V}")
        sw["bias_correction_v"] = bias_correction_v
    return sw


def _adam_family(name, *, alpha, beta1, beta2, eps, schedule, variant, amsgrad, beta1_schedule,
                 lam, beta2_schedule, adamx, bias_correction_m, bias_correction_v, eps_root) -> Method:
    """The one Adam-type update.  All of adam / amsgrad / adamnc / adamx / rmsprop are presets of it.

    m_t = beta_{1t} m_{t-1} + (1 - beta_{1t}) g_t,  v_t = beta_{2t} v_{t-1} + (1 - beta_{2t}) g_t^2,
    v_hat_t = max(v_hat_{t-1}, v_t) (AMSGrad) or the AdamX rule, step = alpha_t m_t / sqrt(v_hat_t).
    """
    sw = switches(variant, bias_correction_m, bias_correction_v)
    if beta1_schedule not in S.BETA1_SCHEDULES:
        raise ValueError(f"unknown beta1 schedule {beta1_schedule!r}; choose one of {S.BETA1_SCHEDULES}")
    hyper = dict(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, schedule=schedule, variant=variant,
                 beta1_schedule=beta1_schedule, lam=lam, eps_root=eps_root, **sw)
    if beta2_schedule is not None:
        hyper["beta2_schedule"] = getattr(beta2_schedule, "__name__", "user")

    def build(B):
        a, b1, e, er = B.num(alpha), B.num(beta1), B.num(eps), B.num(eps_root)
        b2 = None if beta2 is None else B.num(beta2)
        lm = None if lam is None else B.num(lam)
        one = B.num(1)

        def b1t(t):
            return S.beta1_t(b1, beta1_schedule, lm, t, B)

        def b2t(t):
            return b2 if beta2_schedule is None else beta2_schedule(t, B)

        def init(x1):
            z = B.zeros_like(x1)
            return AdamState(z, z, z)

        def update(g, state, t):
            bt1, bt2 = b1t(t), b2t(t)
            m = bt1 * state.m + (one - bt1) * g
            v = bt2 * state.v + (one - bt2) * (g * g)
            # what the running max is taken over (optax: the bias-corrected v)
            v_for_max = v / (one - b2 ** t) if sw["bias_correction_v"] == "before_max" else v
            if adamx:
                ratio = one if t == S.FIRST_ROUND else ((one - bt1) / (one - b1t(t - 1))) ** 2
                v_hat = B.maximum(ratio * state.v_hat, v_for_max)
            elif amsgrad:
                v_hat = B.maximum(state.v_hat, v_for_max)
            else:
                v_hat = v_for_max
            at = S.alpha_t(a, schedule, t, B)
            m_used = m / (one - b1 ** t) if sw["bias_correction_m"] else m
            v_used = v_hat / (one - b2 ** t) if sw["bias_correction_v"] == "after_max" else v_hat
            lr = at * B.sqrt(one - b2 ** t) if sw["bias_correction_v"] == "in_lr" else at
            if sw["eps_inside"]:
                denom = B.sqrt(v_used + e + er)
            else:
                denom = B.sqrt(v_used + er) + e
            # With bias correction, m_hat is itself an EMA (beta_{1t} = beta1(1-beta1^{t-1})/(1-beta1^t),
            # implementations §3), so the learning rate is lr/denom with m_hat as the momentum.
            return lr * B.safe_div(m_used, denom), AdamState(m, v, v_hat), denom / lr

        return init, update

    return Method(name, hyper, build)


def adam(alpha=1, beta1="0.9", beta2="0.99", eps=0, schedule="sqrt", variant="paper",
         bias_correction_m=None, bias_correction_v=None, eps_root=0) -> Method:
    """Adam, eq. (1); with eps > 0 the paper's eq. (3) (eps inside the root) in the paper variant."""
    return _adam_family("adam", alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, schedule=schedule,
                        variant=variant, amsgrad=False, beta1_schedule="constant", lam=None,
                        beta2_schedule=None, adamx=False, bias_correction_m=bias_correction_m,
                        bias_correction_v=bias_correction_v, eps_root=eps_root)


def rmsprop(alpha=1, beta2="0.99", eps=0, schedule="sqrt", variant="paper") -> Method:
    """RMSProp = Adam with beta1 = 0 (paper §2)."""
    meth = adam(alpha=alpha, beta1=0, beta2=beta2, eps=eps, schedule=schedule, variant=variant)
    return meth._replace(name="rmsprop")


def amsgrad(alpha=1, beta1="0.9", beta2="0.99", eps=0, schedule="sqrt", variant="paper",
            beta1_schedule="constant", lam=None, bias_correction_m=None, bias_correction_v=None,
            eps_root=0) -> Method:
    """AMSGrad, Algorithm 2: v_hat_t = max(v_hat_{t-1}, v_t); beta_{1t} constant, beta1 lam^(t-1) or beta1/t."""
    return _adam_family("amsgrad", alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, schedule=schedule,
                        variant=variant, amsgrad=True, beta1_schedule=beta1_schedule, lam=lam,
                        beta2_schedule=None, adamx=False, bias_correction_m=bias_correction_m,
                        bias_correction_v=bias_correction_v, eps_root=eps_root)


def adamnc(alpha=1, beta1="0.9", schedule="sqrt", beta1_schedule="constant", lam=None,
           beta2_schedule: S.Beta2Schedule | None = None, eps=0) -> Method:
    """AdamNC, Algorithm 3: Adam with beta_{2t}; default beta_{2t} = 1 - 1/t (Corollary 2)."""
    return _adam_family("adamnc", alpha=alpha, beta1=beta1, beta2=None, eps=eps, schedule=schedule,
                        variant="paper", amsgrad=False, beta1_schedule=beta1_schedule, lam=lam,
                        beta2_schedule=beta2_schedule or S.beta2_adamnc, adamx=False,
                        bias_correction_m=None, bias_correction_v=None, eps_root=0)


def adamx(alpha=1, beta1="0.9", beta2="0.99", schedule="sqrt", beta1_schedule="constant",
          lam=None) -> Method:
    """AdamX (Phuong & Phong 2019): v_hat_t = max((1-b_{1t})^2/(1-b_{1,t-1})^2 v_hat_{t-1}, v_t)."""
    return _adam_family("adamx", alpha=alpha, beta1=beta1, beta2=beta2, eps=0, schedule=schedule,
                        variant="paper", amsgrad=True, beta1_schedule=beta1_schedule, lam=lam,
                        beta2_schedule=None, adamx=True, bias_correction_m=None,
                        bias_correction_v=None, eps_root=0)


FACTORIES = dict(sgd=sgd, adagrad=adagrad, rmsprop=rmsprop, adam=adam, amsgrad=amsgrad,
                 adamnc=adamnc, adamx=adamx)


def make(name: str, **hyper) -> Method:
    """Method by name, passing only the hyper-parameters it accepts (None means 'its default')."""
    import inspect

    if name not in FACTORIES:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(METHODS)}")
    f = FACTORIES[name]
    accepted = inspect.signature(f).parameters
    return f(**{k: v for k, v in hyper.items() if k in accepted and v is not None})
