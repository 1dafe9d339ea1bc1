"""Every method of the paper's Algorithm 1, written once, runnable in any number system.

Style follows optax: a method is a small pure pair over a named state,

    init(x1)               -> state
    update(g, state, t)    -> (step, state, inv_lr)

built for one backend ``B`` by ``method.build(B)`` (hyper-parameters are converted to B's numbers once).
The caller forms hat x_{t+1} = x_t - step and projects it onto the box F (see :mod:`numerics.projection`).
``inv_lr`` is the per-coordinate inverse learning rate sqrt(V_t)/alpha_t of the paper, so that
Gamma_{t+1} = inv_lr_{t+1} - inv_lr_t (eq. 2) is read off the same code that the simulator runs.

Each update rule is written exactly once, as a *rule*: ``rule.make(B) -> (init, update_h)`` where
``update_h(h, g, state, t)`` reads its numbers from the named tuple ``h`` (``rule.Hyper``) and its
switches (variant, schedules) are fixed when the rule is made.  ``method.build(B)`` binds ``h``; the
fused engine (:mod:`numerics.engine`) compiles the very same ``update_h`` with numba, on a backend
whose helpers are compiled functions, with ``h`` read per trajectory at run time.  So the simulator,
the SymPy derivations, the certified ball runs and the fast kernels all execute this code.
The rule bodies therefore use only ``B``'s helpers (bound once, outside ``update``), arithmetic, and
Python conditionals on the switches (constants for the compiler).

Methods (paper §2; library variants in ``VARIANTS``):
  sgd       phi_t = g_t, psi_t = I
  adagrad   phi_t = g_t, psi_t = diag(sum_{i<=t} g_i^2) / t
  adam      eq. (1); eps inside the root as in eq. (3); ``variant`` selects paper/pytorch/optax/keras
  rmsprop   adam with beta1 = 0
  amsgrad   Algorithm 2: v_hat_t = max(v_hat_{t-1}, v_t), beta_{1t} schedules
  adamnc    Algorithm 3: time-varying beta_{2t} (default 1 - 1/t)
  adamx     Phuong & Phong (2019): v_hat_t = max((1-beta_{1t})^2/(1-beta_{1,t-1})^2 v_hat_{t-1}, v_t)
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from . import schedules as S

# ------------------------------------------------------------------------------------------------
# Variants of Adam / AMSGrad (docs/paper.md, "library variants").  Each is a preset of three switches:
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


class Rule(NamedTuple):
    """One update rule with its switches fixed: what the engine compiles (see the module doc).

    ``key`` identifies the compiled code (name and switches); ``make(B)`` returns
    ``(init(x1) -> state, update(h, g, state, t) -> (step, state, inv_lr))``; ``Hyper`` and ``State``
    are the named tuples of its numbers and of its state."""

    key: tuple
    make: Callable[[Any], tuple[Callable, Callable]]
    Hyper: type
    State: type


class Method(NamedTuple):
    """A method: its hyper-parameters as given (exact values), its rule and its numbers.

    ``numbers`` maps each field of ``rule.Hyper`` to the value given (a scalar, or for the engine's
    batches an array with one value per trajectory)."""

    name: str
    hyper: dict
    rule: Rule
    numbers: dict

    def build(self, B) -> tuple[Callable, Callable]:
        """(init, update(g, state, t)) on backend B, the numbers converted to B's once."""
        h = self.rule.Hyper(**{k: B.num(v) for k, v in self.numbers.items()})
        init, update_h = self.rule.make(B)

        def update(g, state, t):
            return update_h(h, g, state, t)

        return init, update


class SGDState(NamedTuple):
    count: Any  # rounds done (a number of the backend)


class AdaGradState(NamedTuple):
    sum_sq: Any


class AdamState(NamedTuple):
    m: Any
    v: Any
    v_hat: Any  # running max (AMSGrad / AdamX); equals v for plain Adam


class StepHyper(NamedTuple):
    alpha: Any
    eps: Any


class AdamHyper(NamedTuple):
    alpha: Any
    beta1: Any
    beta2: Any  # unused by AdamNC (beta_{2t} is a schedule)
    eps: Any
    eps_root: Any
    lam: Any  # geometric beta_{1t} = beta1 lam^(t-1); unused otherwise


# ------------------------------------------------------------------------------------------------
def _sgd_rule(schedule: str) -> Rule:
    def make(B):
        alpha_t, num = S.step_size(schedule, B), B.num
        zeros_like = B.zeros_like
        one = num(1)

        def init(x1):
            return SGDState(num(0))

        def update(h, g, state, t):
            at = alpha_t(h.alpha, t)
            return at * g, SGDState(state.count + one), one / at + zeros_like(g)

        return init, update

    return Rule(("sgd", schedule), make, StepHyper, SGDState)


def sgd(alpha=1, schedule: str = "sqrt") -> Method:
    """Online (projected) gradient descent: step = alpha_t g_t; inv_lr = 1/alpha_t."""
    return Method("sgd", dict(alpha=alpha, schedule=schedule), _sgd_rule(schedule),
                  dict(alpha=alpha, eps=0))


def _adagrad_rule(schedule: str) -> Rule:
    def make(B):
        alpha_t, sqrt, safe_div, num = S.step_size(schedule, B), B.sqrt, B.safe_div, B.num
        zeros_like = B.zeros_like

        def init(x1):
            return AdaGradState(zeros_like(x1))

        def update(h, g, state, t):
            s = state.sum_sq + g * g
            at = alpha_t(h.alpha, t)
            denom = sqrt(s / num(t) + h.eps)
            return at * safe_div(g, denom), AdaGradState(s), denom / at

        return init, update

    return Rule(("adagrad", schedule), make, StepHyper, AdaGradState)


def adagrad(alpha=1, schedule: str = "sqrt", eps=0) -> Method:
    """AdaGrad as the paper's instance: V_t = diag(sum_{i<=t} g_i^2)/t, step alpha_t g_t / sqrt(V_t + eps).

    With alpha_t = alpha/sqrt(t) the effective rate is alpha / sqrt(sum_i g_i^2) per coordinate.
    """
    return Method("adagrad", dict(alpha=alpha, schedule=schedule, eps=eps), _adagrad_rule(schedule),
                  dict(alpha=alpha, eps=eps))


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


def _adam_rule(*, schedule, bias_correction_m, bias_correction_v, eps_inside, amsgrad, adamx,
               beta1_schedule, beta2_schedule) -> Rule:
    """The one Adam-type update.  All of adam / amsgrad / adamnc / adamx / rmsprop are presets of it.

    m_t = beta_{1t} m_{t-1} + (1 - beta_{1t}) g_t,  v_t = beta_{2t} v_{t-1} + (1 - beta_{2t}) g_t^2,
    v_hat_t = max(v_hat_{t-1}, v_t) (AMSGrad) or the AdamX rule, step = alpha_t m_t / sqrt(v_hat_t),
    with the variant's bias corrections and eps placement (``VARIANTS``).
    """
    before_max = bias_correction_v == "before_max"
    after_max = bias_correction_v == "after_max"
    in_lr = bias_correction_v == "in_lr"
    # the switches as plain constants: the engine's compiler folds the branches below
    bcm, eps_in, ams, adx = bool(bias_correction_m), bool(eps_inside), bool(amsgrad), bool(adamx)
    b2_key = None if beta2_schedule is None else getattr(beta2_schedule, "__name__", "user")

    def make(B):
        sqrt, maximum, safe_div, power, num = B.sqrt, B.maximum, B.safe_div, B.power, B.num
        zeros_like = B.zeros_like
        alpha_t = S.step_size(schedule, B)
        beta1_t = S.beta1_fn(beta1_schedule, B)
        beta2_t = S.beta2_fn(beta2_schedule, B)
        one = num(1)

        def init(x1):
            z = zeros_like(x1)
            return AdamState(z, z, z)

        def update(h, g, state, t):
            bt1 = beta1_t(h.beta1, h.lam, t)
            bt2 = beta2_t(h.beta2, t)
            m = bt1 * state.m + (one - bt1) * g
            v = bt2 * state.v + (one - bt2) * (g * g)
            # what the running max is taken over (optax: the bias-corrected v)
            v_for_max = v / (one - power(h.beta2, t)) if before_max else v
            if adx:
                if t == S.FIRST_ROUND:
                    ratio = one
                else:
                    r = (one - bt1) / (one - beta1_t(h.beta1, h.lam, t - 1))
                    ratio = r * r
                v_hat = maximum(ratio * state.v_hat, v_for_max)
            elif ams:
                v_hat = maximum(state.v_hat, v_for_max)
            else:
                v_hat = v_for_max
            at = alpha_t(h.alpha, t)
            m_used = m / (one - power(h.beta1, t)) if bcm else m
            v_used = v_hat / (one - power(h.beta2, t)) if after_max else v_hat
            lr = at * sqrt(one - power(h.beta2, t)) if in_lr else at
            if eps_in:
                denom = sqrt(v_used + h.eps + h.eps_root)
            else:
                denom = sqrt(v_used + h.eps_root) + h.eps
            # With bias correction, m_hat is itself an EMA (beta_{1t} = beta1(1-beta1^{t-1})/(1-beta1^t)),
            # so the learning rate is lr/denom with m_hat as the momentum.
            return lr * safe_div(m_used, denom), AdamState(m, v, v_hat), denom / lr

        return init, update

    key = ("adam", schedule, bcm, bias_correction_v, eps_in, ams, adx, beta1_schedule, b2_key)
    return Rule(key, make, AdamHyper, AdamState)


def _adam_family(name, *, alpha, beta1, beta2, eps, schedule, variant, amsgrad, beta1_schedule,
                 lam, beta2_schedule, adamx, bias_correction_m, bias_correction_v, eps_root) -> Method:
    sw = switches(variant, bias_correction_m, bias_correction_v)
    if beta1_schedule not in S.BETA1_SCHEDULES:
        raise ValueError(f"unknown beta1 schedule {beta1_schedule!r}; choose one of {S.BETA1_SCHEDULES}")
    if schedule not in S.STEP_SCHEDULES:
        raise ValueError(f"unknown step-size schedule {schedule!r}; choose one of {S.STEP_SCHEDULES}")
    if beta1_schedule == "geometric" and lam is None:
        raise ValueError("lam: the geometric beta1 schedule needs lam in (0, 1)")
    hyper = dict(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, schedule=schedule, variant=variant,
                 beta1_schedule=beta1_schedule, lam=lam, eps_root=eps_root, **sw)
    if beta2_schedule is not None:
        hyper["beta2_schedule"] = getattr(beta2_schedule, "__name__", "user")
    rule = _adam_rule(schedule=schedule, amsgrad=amsgrad, adamx=adamx, beta1_schedule=beta1_schedule,
                      beta2_schedule=beta2_schedule, **sw)
    numbers = dict(alpha=alpha, beta1=beta1, beta2=0 if beta2 is None else beta2, eps=eps,
                   eps_root=eps_root, lam=0 if lam is None else lam)
    return Method(name, hyper, rule, numbers)


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
