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

Every factory's beta1 and beta2 default to the paper's (0.9, 0.99) (:data:`numerics.paper.BETA1`, ``BETA2``,
the decimal text the paper prints), so ``make("adam")`` runs the paper's setting.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from . import schedules as S
from .paper import BETA1, BETA2  # the paper's (beta1, beta2) = (0.9, 0.99): every factory's default

# ------------------------------------------------------------------------------------------------
# Variants of Adam / AMSGrad (docs/paper.md, "library variants").  Each is a preset of three switches:
#   bias_correction_m : divide m_t by 1 - beta1^t                        (all but the paper)
#   bias_correction_v : 'none' | 'before_max' (optax) | 'after_max' (PyTorch) | 'in_lr' (Keras)
#   eps_inside        : eps under the root, eq. (3)   (paper; optax's eps_root)  else outside it
#: The library forms of Adam/AMSGrad as presets of three switches (paper, pytorch, optax, keras).
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
    are the named tuples of its numbers and of its state.  ``uses_x``: the step depends on the iterate
    (decoupled weight decay, Adafactor's relative step, ASGD's decay); then ``update`` takes x as a fifth
    argument, and the state recursion is no longer independent of x (the drift criterion of
    :mod:`counterexamples.drift` does not apply; such rules are simulated only)."""

    key: tuple
    make: Callable[[Any], tuple[Callable, Callable]]
    Hyper: type
    State: type
    uses_x: bool = False


class Method(NamedTuple):
    """A method: its hyper-parameters as given (exact values), its rule and its numbers.

    ``numbers`` maps each field of ``rule.Hyper`` to the value given (a scalar, or for the engine's
    batches an array with one value per trajectory).

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> from numerics import make
    >>> meth = make("adam", beta1="1/2", beta2="1/2")
    >>> meth.name, meth.hyper["beta2"], meth.rule.key[0]   # hyper-parameters kept exact, as given
    ('adam', '1/2', 'adam')
    >>> init, update = meth.build(B)                        # numbers converted to B's once
    >>> update(B.num(1), init(B.num(0)), 1)[1].v            # v_1 = (1 - beta2) g_1^2
    1/2
    """

    name: str
    hyper: dict
    rule: Rule
    numbers: dict

    def build(self, B) -> tuple[Callable, Callable]:
        """(init, update(g, state, t)) on backend B, the numbers converted to B's once."""
        h = self.rule.Hyper(**{k: B.num(v) for k, v in self.numbers.items()})
        init, update_h = self.rule.make(B)
        if self.rule.uses_x:
            def update_x(g, state, t, x):
                return update_h(h, g, state, t, x)

            return init, update_x

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
    """Online (projected) gradient descent (Zinkevich 2003; the paper's SGD, Section 2: phi_t = g_t, psi_t = I):
    step = alpha_t g_t; inv_lr = 1/alpha_t.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")
    >>> init, update = sgd(alpha=1).build(B)
    >>> step, state, inv_lr = update(B.num(3), init(B.num(0)), 4)   # round t = 4, g_4 = 3
    >>> step, inv_lr                      # alpha_4 g_4 = 3/sqrt(4), 1/alpha_4
    (3/2, 2)
    """
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
    """AdaGrad (Duchi et al. 2011) as the paper's instance (Section 2): V_t = diag(sum_{i<=t} g_i^2)/t, step
    alpha_t g_t / sqrt(V_t + eps).

    With alpha_t = alpha/sqrt(t) the effective rate is alpha / sqrt(sum_i g_i^2) per coordinate.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")
    >>> init, update = adagrad(alpha=1).build(B)
    >>> _, s1, _ = update(B.num(1), init(B.num(0)), 1)
    >>> step, s2, inv_lr = update(B.num(1), s1, 2)   # V_2 = (1 + 1)/2; alpha_2 g_2/sqrt(V_2) = 1/sqrt(2)
    >>> s2.sum_sq, step
    (2, sqrt(2)/2)
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
    b1_const = beta1_schedule == "constant"

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
                if b1_const:  # (1-b1)^2/(1-b1)^2 = 1 exactly (1 * x = x in IEEE too): the max of AMSGrad; in
                    # balls the product would widen v_hat by outward rounding every round, and no box of
                    # the fast-forward engine could be invariant
                    v_hat = maximum(state.v_hat, v_for_max)
                else:
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


def adam_family(name, *, alpha, beta1, beta2, eps, schedule, variant, amsgrad, beta1_schedule,
                 lam, beta2_schedule, adamx, bias_correction_m, bias_correction_v, eps_root) -> Method:
    """The Adam family's one constructor: every switch named (no default), ``name`` the label it carries.
    :func:`adam`, :func:`amsgrad`, :func:`adamnc`, :func:`adamx` and the library presets are this with
    their switches set; a caller that needs a combination none of them offers (Kingma & Ba's bias-corrected
    Adam under a beta_{1t} schedule, in analysis.evaluate) calls it directly."""
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


def adam(alpha=1, beta1=BETA1, beta2=BETA2, eps=0, schedule="sqrt", variant="paper",
         bias_correction_m=None, bias_correction_v=None, eps_root=0) -> Method:
    """Adam (Kingma & Ba 2015) as the paper writes it, eq. (1): m_t = beta1 m_{t-1} + (1-beta1) g_t,
    v_t = beta2 v_{t-1} + (1-beta2) g_t^2, x_{t+1} = Pi_F(x_t - alpha_t m_t / sqrt(v_t)); with eps > 0 the
    paper's eq. (3) (eps inside the root) in the paper variant; ``variant`` picks a library's form
    (:data:`VARIANTS`: bias corrections, eps outside the root).

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = adam(beta1="9/10", beta2="99/100").build(B)
    >>> step, state, inv_lr = update(B.num(1), init(B.num(0)), 1)    # round 1, g_1 = 1, from m_0 = v_0 = 0
    >>> state.m, state.v, step    # m_1 = (1-beta1) g_1, v_1 = (1-beta2) g_1^2, alpha_1 m_1/sqrt(v_1)
    (1/10, 1/100, 1)
    """
    return adam_family("adam", alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, schedule=schedule,
                        variant=variant, amsgrad=False, beta1_schedule="constant", lam=None,
                        beta2_schedule=None, adamx=False, bias_correction_m=bias_correction_m,
                        bias_correction_v=bias_correction_v, eps_root=eps_root)


def rmsprop(alpha=1, beta2=BETA2, eps=0, schedule="sqrt", variant="paper") -> Method:
    """RMSProp (Tieleman & Hinton 2012) = Adam with beta1 = 0 (paper §2): v_t = beta2 v_{t-1} + (1-beta2) g_t^2,
    step alpha_t g_t / sqrt(v_t).

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = rmsprop(beta2="99/100").build(B)
    >>> step, state, inv_lr = update(B.num(1), init(B.num(0)), 1)
    >>> state.v, step             # v_1 = (1-beta2) g_1^2, step = alpha_1 g_1/sqrt(v_1) = 1/sqrt(1/100)
    (1/100, 10)
    """
    meth = adam(alpha=alpha, beta1=0, beta2=beta2, eps=eps, schedule=schedule, variant=variant)
    return meth._replace(name="rmsprop")


def amsgrad(alpha=1, beta1=BETA1, beta2=BETA2, eps=0, schedule="sqrt", variant="paper",
            beta1_schedule="constant", lam=None, bias_correction_m=None, bias_correction_v=None,
            eps_root=0) -> Method:
    """AMSGrad, Algorithm 2: v_hat_t = max(v_hat_{t-1}, v_t); beta_{1t} constant, beta1 lam^(t-1) or beta1/t.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = amsgrad(beta1=0, beta2="99/100").build(B)
    >>> _, s1, _ = update(B.num(1), init(B.num(0)), 1)
    >>> _, s2, _ = update(B.num(0), s1, 2)                   # g_2 = 0: v falls, v_hat keeps its maximum
    >>> s2.v, s2.v_hat            # v_2 = beta2 v_1, v_hat_2 = max(v_hat_1, v_2)
    (99/10000, 1/100)
    """
    return adam_family("amsgrad", alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, schedule=schedule,
                        variant=variant, amsgrad=True, beta1_schedule=beta1_schedule, lam=lam,
                        beta2_schedule=None, adamx=False, bias_correction_m=bias_correction_m,
                        bias_correction_v=bias_correction_v, eps_root=eps_root)


def adamnc(alpha=1, beta1=BETA1, schedule="sqrt", beta1_schedule="constant", lam=None,
           beta2_schedule: S.Beta2Schedule | None = None, eps=0) -> Method:
    """AdamNC, Algorithm 3: Adam with beta_{2t}; default beta_{2t} = 1 - 1/t (Corollary 2).

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = adamnc(beta1="9/10").build(B)
    >>> _, s1, _ = update(B.num(2), init(B.num(0)), 1)       # beta_{21} = 1 - 1/1 = 0: v_1 = g_1^2
    >>> _, s2, _ = update(B.num(0), s1, 2)                   # beta_{22} = 1/2: v_2 = (g_1^2 + g_2^2)/2
    >>> s1.v, s2.v                # the running mean of g^2 (Corollary 2's beta_{2t} = 1 - 1/t)
    (4, 2)
    """
    return adam_family("adamnc", alpha=alpha, beta1=beta1, beta2=None, eps=eps, schedule=schedule,
                        variant="paper", amsgrad=False, beta1_schedule=beta1_schedule, lam=lam,
                        beta2_schedule=beta2_schedule or S.beta2_adamnc, adamx=False,
                        bias_correction_m=None, bias_correction_v=None, eps_root=0)


def adamx(alpha=1, beta1=BETA1, beta2=BETA2, schedule="sqrt", beta1_schedule="constant",
          lam=None) -> Method:
    """AdamX (Phuong & Phong 2019): v_hat_t = max((1-b_{1t})^2/(1-b_{1,t-1})^2 v_hat_{t-1}, v_t).

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = adamx(beta1="1/2", beta2="1/2", beta1_schedule="harmonic").build(B)
    >>> _, s1, _ = update(B.num(1), init(B.num(0)), 1)       # beta_{11} = 1/2, v_1 = v_hat_1 = 1/2
    >>> _, s2, _ = update(B.num(0), s1, 2)                   # beta_{12} = 1/4, v_2 = 1/4
    >>> s2.v_hat                  # max((1-1/4)^2/(1-1/2)^2 * 1/2, 1/4) = 9/8
    9/8
    """
    return adam_family("adamx", alpha=alpha, beta1=beta1, beta2=beta2, eps=0, schedule=schedule,
                        variant="paper", amsgrad=True, beta1_schedule=beta1_schedule, lam=lam,
                        beta2_schedule=None, adamx=True, bias_correction_m=None,
                        bias_correction_v=None, eps_root=0)


FACTORIES = dict(sgd=sgd, adagrad=adagrad, rmsprop=rmsprop, adam=adam, amsgrad=amsgrad,
                 adamnc=adamnc, adamx=adamx)


def accepted(name: str) -> tuple[str, ...]:
    """The keywords ``make(name, ...)`` takes (its factory's parameters), in signature order.

    >>> accepted("rmsprop")
    ('alpha', 'beta2', 'eps', 'schedule', 'variant')
    """
    import inspect

    if name not in FACTORIES:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(METHODS)}")
    return tuple(inspect.signature(FACTORIES[name]).parameters)


def applicable(name: str, hyper: dict) -> dict:
    """The part of ``hyper`` that ``make(name, ...)`` takes: for sweeps that give one set of keywords to
    several methods on purpose (beta1 means nothing to RMSProp).  An explicit opt-in; make never drops.

    >>> applicable("rmsprop", {"beta1": "0.9", "beta2": "0.99"})
    {'beta2': '0.99'}
    """
    takes = accepted(name)
    return {k: v for k, v in hyper.items() if k in takes}


def make(name: str, **hyper) -> Method:
    """The method ``name`` with the hyper-parameters given; a keyword it does not take is an error.

    As in torch.optim and optax, a misspelt or foreign keyword raises ``TypeError`` naming it and the
    keywords the method takes (``make('adam', beta_2='0.5')`` would otherwise run beta2 = 0.99), and so
    does one that does not apply to the method (``beta1`` for RMSProp, ``beta2`` for AdamNC, whose
    beta_{2t} is a schedule); a variant the method has no form of is a ValueError.  A value None means
    "the method's default".  Values are kept exact (str, int, Fraction).  To pass one set of keywords
    to several methods on purpose, filter it with :func:`applicable`.

    >>> make("adam", beta2="1/2").hyper["beta2"]
    '1/2'
    >>> make("adam", beta_2="0.5")
    Traceback (most recent call last):
    ...
    TypeError: make('adam'): unexpected keyword 'beta_2' (did you mean 'beta2'?); adam takes alpha, beta1, beta2, eps, schedule, variant, bias_correction_m, bias_correction_v, eps_root
    """
    import difflib

    takes = accepted(name)
    for key in hyper:
        if key not in takes:
            close = difflib.get_close_matches(key, takes, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"make({name!r}): unexpected keyword {key!r}{hint}; {name} takes {', '.join(takes)}")
    return FACTORIES[name](**{k: v for k, v in hyper.items() if v is not None})


# ================================================================================================
# The optimizer zoo (issue 14): the adaptive methods that torch.optim, optax and optax.contrib ship,
# each written once in the same style.  Conventions shared by all of them:
#   * rounds t = 1, 2, ... (numerics.schedules); the library's step counter is our t;
#   * ``alpha_t`` is the library's learning rate at round t (its scheduler), ``schedule`` as for Adam;
#   * a method's *own* paper is its 'paper' variant where the printed algorithm differs from the
#     libraries; ``bias_correction=False`` (and eps = 0) gives the Reddi-style form used by the drift
#     criterion (the bias factors tend to 1, so the limit cycle is that of the uncorrected method);
#   * m_t = beta1 m_{t-1} + (1 - beta1) g_t is written as such (torch writes lerp(m, g, 1 - beta1): the
#     same number up to one rounding, far below the 1e-12 of the identification).
# References are to the method's paper and to the library source read (torch 2.13.0 _single_tensor_*,
# optax 0.2.x transform / contrib); the conformance suite re-checks each identification.

ZOO_VARIANTS = {
    # name -> the variants of its factory (the first is the default)
    "adamax": ("paper", "kingma", "pytorch", "optax"),
    "nadam": ("paper", "pytorch", "optax"),
    "radam": ("paper", "pytorch", "optax"),
    "adabelief": ("paper", "optax"),
    "yogi": ("paper", "optax"),
    "adafactor": ("paper", "pytorch"),
    "adopt": ("paper", "optax"),
    "adagrad_lib": ("pytorch", "optax"),
    "rprop": ("pytorch", "optax"),
}


def _check_variant(name, variant):
    if variant not in ZOO_VARIANTS[name]:
        raise ValueError(f"unknown {name} variant {variant!r}; choose one of {', '.join(ZOO_VARIANTS[name])}")


def _check_schedule(schedule):
    if schedule not in S.STEP_SCHEDULES:
        raise ValueError(f"unknown step-size schedule {schedule!r}; choose one of {S.STEP_SCHEDULES}")


class MomentState(NamedTuple):
    m: Any
    v: Any


class AdamaxState(NamedTuple):
    m: Any
    u: Any  # the infinity-norm moment


class NAdamState(NamedTuple):
    m: Any
    v: Any
    mu_product: Any  # prod_{i<=t} mu_i (PyTorch's bias correction of the Nesterov momentum)


class SignState(NamedTuple):
    m: Any


class AdadeltaState(NamedTuple):
    v: Any  # E[g^2]
    u: Any  # E[dx^2]


class RpropState(NamedTuple):
    prev: Any  # previous gradient (0 after a sign change)
    step_size: Any


class VarState(NamedTuple):
    v: Any


class ADOPTState(NamedTuple):
    m: Any
    v: Any


class ASGDState(NamedTuple):
    eta: Any


class MomentumState(NamedTuple):
    buf: Any


class ZooHyper(NamedTuple):
    """The numbers of the zoo's rules (one tuple for all: a rule reads the fields it needs).

    alpha: base learning rate; beta1, beta2; eps (outside the root unless said otherwise); eps_root
    (under the root / added to the second moment); c1..c4: the method's own constants, named in its
    factory's docstring (e.g. RAdam's threshold, Rprop's etas and step bounds)."""

    alpha: Any
    beta1: Any
    beta2: Any
    eps: Any
    eps_root: Any
    c1: Any
    c2: Any
    c3: Any
    c4: Any
    wd: Any  # decoupled weight decay (uses_x rules only)


def _zoo_numbers(alpha=1, beta1=0, beta2=0, eps=0, eps_root=0, c1=0, c2=0, c3=0, c4=0, wd=0):
    return dict(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eps_root=eps_root, c1=c1, c2=c2, c3=c3,
                c4=c4, wd=wd)


def _zoo_method(name, hyper, rule, **numbers) -> Method:
    return Method(name, hyper, rule, _zoo_numbers(**numbers))


def _decoupled(rule: Rule, schedule: str) -> Rule:
    """Decoupled weight decay (Loshchilov & Hutter 2019): x_{t+1} = x_t - alpha_t (u_t + wd x_t).

    torch (AdamW, NAdam/RAdam(decoupled_weight_decay=True)): ``param.mul_(1 - lr wd)`` then the inner
    step; optax (adamw, lion): ``updates + wd params`` then ``-lr``.  The same number up to rounding."""

    def make(B):
        init, inner = rule.make(B)
        alpha_t = S.step_size(schedule, B)

        def update(h, g, state, t, x):
            step, st, inv = inner(h, g, state, t)
            return step + alpha_t(h.alpha, t) * h.wd * x, st, inv

        return init, update

    return Rule(("decoupled",) + rule.key, make, _with_wd(rule.Hyper), rule.State, True)


_WD_HYPER: dict = {}


def _with_wd(Hyper: type) -> type:
    """``Hyper`` with a ``wd`` field (the zoo's ZooHyper has one; Adam's AdamHyper gets one here)."""
    if "wd" in Hyper._fields:
        return Hyper
    if Hyper not in _WD_HYPER:
        _WD_HYPER[Hyper] = NamedTuple(Hyper.__name__ + "WD", [(f, Any) for f in Hyper._fields] + [("wd", Any)])
    return _WD_HYPER[Hyper]


def _maybe_decoupled(meth: Method, weight_decay, schedule) -> Method:
    """The method, with decoupled weight decay when weight_decay != 0 (then x-dependent)."""
    from fractions import Fraction

    from .backends import to_fraction

    if weight_decay is None or to_fraction(weight_decay) == Fraction(0):
        return meth
    numbers = dict(meth.numbers, wd=weight_decay)
    return Method(meth.name, dict(meth.hyper, weight_decay=weight_decay), _decoupled(meth.rule, schedule),
                  numbers)


# ------------------------------------------------------------------------------------------------
def _adamax_rule(schedule, bias_correction) -> Rule:
    bc = bool(bias_correction)

    def make(B):
        maximum, safe_div, power, num, zeros_like = B.maximum, B.safe_div, B.power, B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            z = zeros_like(x1)
            return AdamaxState(z, z)

        def update(h, g, state, t):
            m = h.beta1 * state.m + (one - h.beta1) * g
            u = maximum(h.beta2 * state.u, abs(g) + h.eps)
            lr = alpha_t(h.alpha, t)
            if bc:
                lr = lr / (one - power(h.beta1, t))
            return lr * safe_div(m, u), AdamaxState(m, u), u / lr

        return init, update

    return Rule(("adamax", schedule, bc), make, ZooHyper, AdamaxState)


def adamax(alpha=1, beta1=BETA1, beta2=BETA2, eps=0, schedule="sqrt", variant="paper",
           bias_correction=None, weight_decay=0) -> Method:
    """Adamax (Kingma & Ba 2015, Algorithm 2): the infinity-norm Adam.

        m_t = beta1 m_{t-1} + (1-beta1) g_t,   u_t = max(beta2 u_{t-1}, |g_t| + eps),
        x_{t+1} = x_t - alpha_t / (1 - beta1^t) * m_t / u_t.

    Variants: 'paper' (Reddi-style: no bias correction, eps = 0 by default), 'kingma' (the printed
    Algorithm 2: m corrected), 'pytorch' (torch.optim.Adamax: eps added to |g| inside the max, m
    corrected; torch/optim/adamax.py), 'optax' (optax.adamax: the same, ``update_infinity_moment``).
    ``weight_decay`` != 0: decoupled (optax.adamaxw), x-dependent.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = adamax(beta1="9/10", beta2="99/100").build(B)
    >>> step, state, _ = update(B.num(1), init(B.num(0)), 1)
    >>> state.m, state.u, step    # m_1 = (1-beta1) g_1, u_1 = max(0, |g_1|), step = m_1/u_1
    (1/10, 1, 1/10)
    """
    _check_variant("adamax", variant)
    _check_schedule(schedule)
    bc = (variant != "paper") if bias_correction is None else bool(bias_correction)
    hyper = dict(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, schedule=schedule, variant=variant,
                 bias_correction=bc)
    meth = _zoo_method("adamax", hyper, _adamax_rule(schedule, bc), alpha=alpha, beta1=beta1, beta2=beta2,
                       eps=eps)
    return _maybe_decoupled(meth, weight_decay, schedule)


# ------------------------------------------------------------------------------------------------
def _nadam_rule(schedule, variant, bias_correction) -> Rule:
    bc = bool(bias_correction)
    torch_form = variant == "pytorch"
    optax_form = variant == "optax"

    def make(B):
        sqrt, safe_div, power, num, zeros_like = B.sqrt, B.safe_div, B.power, B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one, half, base = num(1), num("0.5"), num("0.96")

        def init(x1):
            z = zeros_like(x1)
            return NAdamState(z, z, one)

        def update(h, g, state, t):
            m = h.beta1 * state.m + (one - h.beta1) * g
            v = h.beta2 * state.v + (one - h.beta2) * (g * g)
            lr = alpha_t(h.alpha, t)
            v_used = v / (one - power(h.beta2, t)) if bc else v
            if torch_form:
                # Dozat's momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi)), psi = c1
                mu = h.beta1 * (one - half * base ** (num(t) * h.c1))
                mu_next = h.beta1 * (one - half * base ** (num(t + 1) * h.c1))
                mu_prod = state.mu_product * mu
                denom = sqrt(v_used) + h.eps
                if bc:
                    cg, cm = (one - mu) / (one - mu_prod), mu_next / (one - mu_prod * mu_next)
                else:
                    cg, cm = one - mu, mu_next
                step = lr * (cg * safe_div(g, denom) + cm * safe_div(m, denom))
                return step, NAdamState(m, v, mu_prod), denom / lr
            if optax_form or bc:
                # optax scale_by_adam(nesterov=True): b1 m / (1 - b1^(t+1)) + (1 - b1) g / (1 - b1^t)
                mh = (h.beta1 * m / (one - power(h.beta1, t + 1)) + (one - h.beta1) * g
                      / (one - power(h.beta1, t))) if bc else h.beta1 * m + (one - h.beta1) * g
                denom = sqrt(v_used + h.eps_root) + h.eps
            else:  # Dozat (2016) with constant mu = beta1, eps under the root as the paper's eq. (3)
                mh = h.beta1 * m + (one - h.beta1) * g
                denom = sqrt(v_used + h.eps + h.eps_root)
            return lr * safe_div(mh, denom), NAdamState(m, v, state.mu_product), denom / lr

        return init, update

    return Rule(("nadam", schedule, variant, bc), make, ZooHyper, NAdamState)


def nadam(alpha=1, beta1=BETA1, beta2=BETA2, eps=0, schedule="sqrt", variant="paper",
          bias_correction=None, momentum_decay="0.004", eps_root=0, weight_decay=0) -> Method:
    """NAdam: Adam with Nesterov momentum (Dozat 2016, "Incorporating Nesterov momentum into Adam").

      'paper'   (Reddi-style) x_{t+1} = x_t - alpha_t (beta1 m_t + (1-beta1) g_t) / sqrt(v_t + eps);
      'pytorch' torch.optim.NAdam (torch/optim/nadam.py): mu_t = beta1 (1 - 0.5 * 0.96^(t psi)),
                psi = momentum_decay, Pi_t = prod_{i<=t} mu_i, denom = sqrt(v_t / (1-beta2^t)) + eps,
                x_{t+1} = x_t - alpha_t [(1-mu_t)/(1-Pi_t) g_t + mu_{t+1}/(1-Pi_t mu_{t+1}) m_t] / denom;
      'optax'   optax.nadam (scale_by_adam(nesterov=True)): hat m = beta1 m_t / (1-beta1^(t+1)) +
                (1-beta1) g_t / (1-beta1^t), denom = sqrt(v_t/(1-beta2^t) + eps_root) + eps.
    ``bias_correction=False`` drops the corrections (the drift criterion's limit form).  As t -> infinity
    mu_t -> beta1 and every correction -> 1, so all three have the limit cycle of 'paper' with eps.
    ``weight_decay`` != 0: decoupled (torch's decoupled_weight_decay=True), x-dependent.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = nadam(beta1="9/10", beta2="99/100").build(B)
    >>> step, state, _ = update(B.num(1), init(B.num(0)), 1)
    >>> step                      # (beta1 m_1 + (1-beta1) g_1)/sqrt(v_1) = (9/100 + 1/10)/(1/10)
    19/10
    """
    _check_variant("nadam", variant)
    _check_schedule(schedule)
    bc = (variant != "paper") if bias_correction is None else bool(bias_correction)
    hyper = dict(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, schedule=schedule, variant=variant,
                 bias_correction=bc, momentum_decay=momentum_decay, eps_root=eps_root)
    meth = _zoo_method("nadam", hyper, _nadam_rule(schedule, variant, bc), alpha=alpha, beta1=beta1,
                       beta2=beta2, eps=eps, eps_root=eps_root, c1=momentum_decay)
    return _maybe_decoupled(meth, weight_decay, schedule)


# ------------------------------------------------------------------------------------------------
def _radam_rule(schedule, variant, bias_correction) -> Rule:
    bc = bool(bias_correction)
    eps_on_raw = variant == "pytorch"  # torch: sqrt(1-beta2^t) / (sqrt(v) + eps)

    def make(B):
        sqrt, safe_div, power, num, zeros_like = B.sqrt, B.safe_div, B.power, B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one, two, four = num(1), num(2), num(4)

        def init(x1):
            z = zeros_like(x1)
            return MomentState(z, z)

        def update(h, g, state, t):
            m = h.beta1 * state.m + (one - h.beta1) * g
            v = h.beta2 * state.v + (one - h.beta2) * (g * g)
            lr = alpha_t(h.alpha, t)
            b2t = power(h.beta2, t)
            m_used = m / (one - power(h.beta1, t)) if bc else m
            rho_inf = two / (one - h.beta2) - one
            rho_t = rho_inf - two * num(t) * b2t / (one - b2t)
            if rho_t > h.c1:  # the variance of the adaptive rate is tractable (threshold c1)
                rect = sqrt((rho_t - four) * (rho_t - two) * rho_inf / ((rho_inf - four) * (rho_inf - two) * rho_t))
                if eps_on_raw:
                    denom = (sqrt(v) + h.eps) / sqrt(one - b2t) if bc else sqrt(v) + h.eps
                else:
                    v_used = v / (one - b2t) if bc else v
                    denom = sqrt(v_used + h.eps_root) + h.eps
                return lr * rect * safe_div(m_used, denom), MomentState(m, v), denom / (lr * rect)
            return lr * m_used, MomentState(m, v), one / lr + zeros_like(g)

        return init, update

    return Rule(("radam", schedule, variant, bc), make, ZooHyper, MomentState)


def radam(alpha=1, beta1=BETA1, beta2=BETA2, eps=0, schedule="sqrt", variant="paper",
          bias_correction=None, threshold=None, eps_root=0, weight_decay=0) -> Method:
    """RAdam (Liu et al. 2020, "On the variance of the adaptive learning rate and beyond", Algorithm 2).

    rho_inf = 2/(1-beta2) - 1, rho_t = rho_inf - 2 t beta2^t / (1-beta2^t); when rho_t > threshold
    r_t = sqrt((rho_t-4)(rho_t-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho_t)) and
    x_{t+1} = x_t - alpha_t r_t hat m_t / sqrt(hat v_t), else x_{t+1} = x_t - alpha_t hat m_t (SGD with
    momentum).  'paper': threshold 4 (the printed test rho_t > 4), eps = 0 by default; 'pytorch':
    torch.optim.RAdam (radam.py): threshold 5, sqrt(1-beta2^t) / (sqrt(v_t) + eps); 'optax': optax.radam:
    threshold 5, hat m / (sqrt(hat v + eps_root) + eps).  As t -> infinity r_t -> 1: the limit cycle is
    Adam's (with eps).  ``bias_correction=False``: hat m = m, hat v = v (the rectifier stays).

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = radam(beta1="9/10", beta2="99/100").build(B)
    >>> step, state, _ = update(B.num(1), init(B.num(0)), 1)
    >>> step                      # rho_1 = 199 - 2*(99/100)/(1/100) = 1 <= 4: the momentum step hat m_1 = g_1
    1
    """
    _check_variant("radam", variant)
    _check_schedule(schedule)
    bc = True if bias_correction is None else bool(bias_correction)
    thr = threshold if threshold is not None else (4 if variant == "paper" else 5)
    hyper = dict(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, schedule=schedule, variant=variant,
                 bias_correction=bc, threshold=thr, eps_root=eps_root)
    meth = _zoo_method("radam", hyper, _radam_rule(schedule, variant, bc), alpha=alpha, beta1=beta1,
                       beta2=beta2, eps=eps, eps_root=eps_root, c1=thr)
    return _maybe_decoupled(meth, weight_decay, schedule)


# ------------------------------------------------------------------------------------------------
def adamw(alpha=1, beta1=BETA1, beta2=BETA2, eps=0, schedule="sqrt", variant="pytorch", weight_decay="0.01",
          amsgrad=False, eps_root=0) -> Method:
    """AdamW (Loshchilov & Hutter 2019, Algorithm 2): Adam's step plus decoupled weight decay,
    x_{t+1} = x_t - alpha_t (adam_t + wd x_t).  torch.optim.AdamW (default variant 'pytorch', wd 0.01),
    optax.adamw ('optax', its default wd is 1e-4).  Adam's one rule (``adam`` / ``amsgrad``), wrapped by
    :func:`_decoupled`; with weight_decay = 0 it *is* Adam.  The step reads x: simulated only.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> meth = adamw(weight_decay="1/100")
    >>> meth.rule.uses_x          # the decay reads x: update takes x_t as a fifth argument
    True
    >>> init, update = meth.build(B)
    >>> step, _, _ = update(B.num(0), init(B.num(2)), 1, B.num(2))   # g_1 = 0, x_1 = 2: only the decay acts
    >>> step                      # alpha_1 wd x_1
    1/50
    """
    base = (amsgrad_method if amsgrad else adam)(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps,
                                                 schedule=schedule, variant=variant, eps_root=eps_root)
    meth = _maybe_decoupled(base, weight_decay, schedule)
    return meth._replace(name="adamw", hyper=dict(meth.hyper, weight_decay=weight_decay, amsgrad=amsgrad))


amsgrad_method = amsgrad  # the factory, under a name that AdamW's amsgrad flag does not shadow


# ------------------------------------------------------------------------------------------------
def _adabelief_rule(schedule, bias_correction) -> Rule:
    bc = bool(bias_correction)

    def make(B):
        sqrt, safe_div, power, num, zeros_like = B.sqrt, B.safe_div, B.power, B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            z = zeros_like(x1)
            return MomentState(z, z)

        def update(h, g, state, t):
            m = h.beta1 * state.m + (one - h.beta1) * g
            r = g - m
            s = h.beta2 * state.v + (one - h.beta2) * (r * r) + h.eps_root  # eps_root enters the state
            lr = alpha_t(h.alpha, t)
            m_used = m / (one - power(h.beta1, t)) if bc else m
            s_used = s / (one - power(h.beta2, t)) if bc else s
            denom = sqrt(s_used) + h.eps
            return lr * safe_div(m_used, denom), MomentState(m, s), denom / lr

        return init, update

    return Rule(("adabelief", schedule, bc), make, ZooHyper, MomentState)


def adabelief(alpha=1, beta1=BETA1, beta2=BETA2, eps=0, eps_root=None, schedule="sqrt", variant="paper",
              bias_correction=None) -> Method:
    """AdaBelief (Zhuang et al. 2020, Algorithm 2): the second moment of the *belief* g_t - m_t.

        s_t = beta2 s_{t-1} + (1-beta2) (g_t - m_t)^2 + eps_root,
        x_{t+1} = x_t - alpha_t hat m_t / (sqrt(hat s_t) + eps).

    'paper': eps_root = eps (the printed algorithm adds eps in both places, as the official
    adabelief-pytorch does with ``exp_avg_var.add_(eps)``), no bias correction by default (Reddi-style;
    ``bias_correction=True`` is the printed one); 'optax': optax.adabelief (eps and eps_root separate,
    both 1e-16 there), bias-corrected.  Not in torch.optim.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = adabelief(beta1="9/10", beta2="99/100").build(B)
    >>> step, state, _ = update(B.num(1), init(B.num(0)), 1)
    >>> state.v, step             # s_1 = (1-beta2)(g_1 - m_1)^2 = (9/10)^2/100, m_1/sqrt(s_1) = (1/10)/(9/100)
    (81/10000, 10/9)
    """
    _check_variant("adabelief", variant)
    _check_schedule(schedule)
    bc = (variant != "paper") if bias_correction is None else bool(bias_correction)
    er = eps if eps_root is None else eps_root
    hyper = dict(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eps_root=er, schedule=schedule,
                 variant=variant, bias_correction=bc)
    return _zoo_method("adabelief", hyper, _adabelief_rule(schedule, bc), alpha=alpha, beta1=beta1,
                       beta2=beta2, eps=eps, eps_root=er)


# ------------------------------------------------------------------------------------------------
def _yogi_rule(schedule, variant, bias_correction) -> Rule:
    m_starts_at_initial = variant == "optax"
    bc = bool(bias_correction)

    def make(B):
        sqrt, safe_div, sign, power, num, zeros_like = B.sqrt, B.safe_div, B.sign, B.power, B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            # the initial accumulator is a hyper-parameter (c1), read at the first update (init has no h)
            z = zeros_like(x1)
            return MomentState(z, z)

        def update(h, g, state, t):
            if t == S.FIRST_ROUND:
                v0 = state.v + h.c1
                m0 = state.m + h.c1 if m_starts_at_initial else state.m
            else:
                v0, m0 = state.v, state.m
            m = h.beta1 * m0 + (one - h.beta1) * g
            g2 = g * g
            v = v0 - (one - h.beta2) * sign(v0 - g2) * g2  # additive, not an EMA: v moves by (1-beta2) g^2
            lr = alpha_t(h.alpha, t)
            m_used = m / (one - power(h.beta1, t)) if bc else m
            v_used = v / (one - power(h.beta2, t)) if bc else v
            denom = sqrt(v_used + h.eps_root) + h.eps
            return lr * safe_div(m_used, denom), MomentState(m, v), denom / lr

        return init, update

    return Rule(("yogi", schedule, variant, bc), make, ZooHyper, MomentState)


def yogi(alpha=1, beta1=BETA1, beta2=BETA2, eps=0, schedule="sqrt", variant="paper", initial=None,
         bias_correction=None, eps_root=0) -> Method:
    """Yogi (Zaheer et al. 2018, "Adaptive methods for nonconvex optimization", Algorithm 2).

        v_t = v_{t-1} - (1-beta2) sign(v_{t-1} - g_t^2) g_t^2,   x_{t+1} = x_t - alpha_t m_t / (sqrt(v_t) + eps),

    no bias correction.  'paper': m_0 = 0, v_0 = ``initial`` (default 0; UNVERIFIED against the printed
    algorithm's initialisation); 'optax': optax.yogi (scale_by_yogi) starts *both* m and v at
    ``initial_accumulator_value`` (default 1e-6 there; eps = 1e-3) and bias-corrects both moments as
    Adam does, m/(1-beta1^t) / (sqrt(v/(1-beta2^t) + eps_root) + eps) (optax 0.2.8 scale_by_yogi; not in
    the paper's algorithm).  Not in torch.optim.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = yogi(beta1="9/10", beta2="99/100").build(B)
    >>> _, s1, _ = update(B.num(1), init(B.num(0)), 1)      # v_1 = 0 + (1-beta2) g_1^2
    >>> _, s2, _ = update(B.num(0), s1, 2)                  # g_2 = 0: v_2 = v_1 (Adam's would shrink by beta2)
    >>> s1.v, s2.v
    (1/100, 1/100)
    """
    _check_variant("yogi", variant)
    _check_schedule(schedule)
    init_v = initial if initial is not None else ("1e-6" if variant == "optax" else 0)
    bc = (variant == "optax") if bias_correction is None else bool(bias_correction)
    hyper = dict(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, schedule=schedule, variant=variant,
                 initial=init_v, bias_correction=bc, eps_root=eps_root)
    return _zoo_method("yogi", hyper, _yogi_rule(schedule, variant, bc), alpha=alpha, beta1=beta1, beta2=beta2,
                       eps=eps, eps_root=eps_root, c1=init_v)


# ------------------------------------------------------------------------------------------------
def _lion_rule(schedule) -> Rule:
    def make(B):
        sign, num, zeros_like = B.sign, B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            return SignState(zeros_like(x1))

        def update(h, g, state, t):
            c = h.beta1 * state.m + (one - h.beta1) * g  # interpolation with beta1 ...
            m = h.beta2 * state.m + (one - h.beta2) * g  # ... the momentum tracked with beta2
            lr = alpha_t(h.alpha, t)
            return lr * sign(c), SignState(m), one / lr + zeros_like(g)

        return init, update

    return Rule(("lion", schedule), make, ZooHyper, SignState)


def lion(alpha=1, beta1=BETA1, beta2=BETA2, schedule="sqrt", weight_decay=0) -> Method:
    """Lion (Chen et al. 2023, "Symbolic discovery of optimization algorithms", Program 1).

        c_t = beta1 m_{t-1} + (1-beta1) g_t,  x_{t+1} = x_t - alpha_t (sign(c_t) + wd x_t),
        m_t = beta2 m_{t-1} + (1-beta2) g_t.

    optax.lion (its default weight_decay is 1e-3: x-dependent, pass 0 for the x-independent rule).
    With beta1 = beta2 = b it is Signum (:func:`signsgd` with beta1 = b); beta1 = 0 is signSGD.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = lion(beta1="9/10", beta2="99/100").build(B)
    >>> step, state, _ = update(B.num(5), init(B.num(0)), 4)
    >>> step, state.m             # alpha_4 sign(c_4) = 1/2, m = (1-beta2) g = 5/100
    (1/2, 1/20)
    """
    _check_schedule(schedule)
    hyper = dict(alpha=alpha, beta1=beta1, beta2=beta2, schedule=schedule)
    meth = _zoo_method("lion", hyper, _lion_rule(schedule), alpha=alpha, beta1=beta1, beta2=beta2)
    return _maybe_decoupled(meth, weight_decay, schedule)


def _signsgd_rule(schedule) -> Rule:
    def make(B):
        sign, num, zeros_like = B.sign, B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            return SignState(zeros_like(x1))

        def update(h, g, state, t):
            m = h.beta1 * state.m + (one - h.beta1) * g
            lr = alpha_t(h.alpha, t)
            return lr * sign(m), SignState(m), one / lr + zeros_like(g)

        return init, update

    return Rule(("signsgd", schedule), make, ZooHyper, SignState)


def signsgd(alpha=1, beta1=0, schedule="sqrt") -> Method:
    """signSGD / Signum (Bernstein et al. 2018, "signSGD: compressed optimisation for non-convex
    problems", Algorithms 1 and 3): m_t = beta1 m_{t-1} + (1-beta1) g_t, x_{t+1} = x_t - alpha_t sign(m_t);
    beta1 = 0 is signSGD.  optax: ``optax.chain(optax.scale_by_sign(), optax.scale(-lr))`` = signSGD.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = signsgd().build(B)
    >>> update(B.num(-3), init(B.num(0)), 4)[0]     # alpha_4 sign(g_4) = -1/sqrt(4)
    -1/2
    """
    _check_schedule(schedule)
    return _zoo_method("signsgd", dict(alpha=alpha, beta1=beta1, schedule=schedule), _signsgd_rule(schedule),
                       alpha=alpha, beta1=beta1)


# ------------------------------------------------------------------------------------------------
def _adadelta_rule(schedule) -> Rule:
    def make(B):
        sqrt, num, zeros_like = B.sqrt, B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            z = zeros_like(x1)
            return AdadeltaState(z, z)

        def update(h, g, state, t):
            rho = h.beta2
            v = rho * state.v + (one - rho) * (g * g)
            std = sqrt(v + h.eps)
            delta = sqrt(state.u + h.eps) / std * g
            u = rho * state.u + (one - rho) * (delta * delta)
            lr = alpha_t(h.alpha, t)
            return lr * delta, AdadeltaState(v, u), std / (lr * sqrt(state.u + h.eps))

        return init, update

    return Rule(("adadelta", schedule), make, ZooHyper, AdadeltaState)


def adadelta(alpha=1, rho="0.9", eps="1e-6", schedule="sqrt") -> Method:
    """Adadelta (Zeiler 2012, Algorithm 1): RMS[y]_t = sqrt(E[y^2]_t + eps),

        E[g^2]_t = rho E[g^2]_{t-1} + (1-rho) g_t^2,  dx_t = RMS[dx]_{t-1} / RMS[g]_t g_t,
        E[dx^2]_t = rho E[dx^2]_{t-1} + (1-rho) dx_t^2,  x_{t+1} = x_t - alpha_t dx_t

    (torch.optim.Adadelta and optax.adadelta: the same, lr = alpha; the paper has alpha = 1).  eps > 0 is
    required (with eps = 0, E[dx^2] stays 0 and no step is ever taken).  Its state is x-independent but
    the recursion of E[dx^2] is affine with a gain that can exceed 1 (see counterexamples.zoo).

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = adadelta(rho="9/10", eps="1/10", schedule="constant").build(B)
    >>> step, state, _ = update(B.num(1), init(B.num(0)), 1)
    >>> step                      # RMS[dx]_0/RMS[g]_1 g_1 = sqrt(0 + 1/10)/sqrt(1/10 + 1/10)
    sqrt(2)/2
    """
    _check_schedule(schedule)
    return _zoo_method("adadelta", dict(alpha=alpha, rho=rho, eps=eps, schedule=schedule),
                       _adadelta_rule(schedule), alpha=alpha, beta2=rho, eps=eps)


# ------------------------------------------------------------------------------------------------
def _rprop_rule(variant="pytorch") -> Rule:
    delayed = variant == "optax"

    def make(B):
        sign, clip, num, zeros_like = B.sign, B.clip, B.num, B.zeros_like
        one, two = num(1), num(2)

        def init(x1):
            z = zeros_like(x1)
            return RpropState(z, z)

        def update(h, g, state, t):
            size0 = state.step_size + h.alpha if t == S.FIRST_ROUND else state.step_size
            s = sign(g * state.prev)
            a = abs(s)
            pos, neg = (a + s) / two, (a - s) / two  # indicators of s > 0 and s < 0 (s in {-1, 0, 1})
            if delayed:
                # optax 0.2.8 scale_by_rprop: the size is clipped only when s != 0, the memory is the signed
                # step size_t sign(g_t) (0 after a sign change), and the update returned is the *previous*
                # memory (``state.prev_updates``): the step of round t-1, applied one round late
                size = (one - a) * size0 + a * clip(size0 * (pos * h.c2 + neg * h.c1), h.c3, h.c4)
                mem = (one - neg) * size * sign(g)
                return (one - neg) * state.prev, RpropState(mem, size), one / size
            factor = pos * h.c2 + neg * h.c1 + (one - pos - neg)
            size = clip(size0 * factor, h.c3, h.c4)
            g_used = g * (one - neg)  # iRprop-: no step, and no memory, after a sign change
            return size * sign(g_used), RpropState(g_used, size), one / size

        return init, update

    return Rule(("rprop", variant), make, ZooHyper, RpropState)


def rprop(alpha="0.01", eta_minus="0.5", eta_plus="1.2", step_min="1e-6", step_max="50",
          variant="pytorch") -> Method:
    """Rprop (Riedmiller & Braun 1993), the iRprop- form of torch.optim.Rprop (rprop.py):

        s = sign(g_t g_prev);  size_t = clip(size_{t-1} * (eta_plus if s > 0, eta_minus if s < 0, else 1),
        step_min, step_max);  if s < 0: g_t := 0;  x_{t+1} = x_t - size_t sign(g_t);  g_prev := g_t,

    size_0 = alpha (torch reads lr only once, at the first step: a learning-rate schedule does not act).
    'optax': optax.rprop as optax 0.2.8 computes it (transform.py, scale_by_rprop): the update it
    returns is ``state.prev_updates``, i.e. round t applies -size_{t-1} sign(g_{t-1}) (zero at round 1 and
    at a sign change): the same steps one round late, found by the identification (counterexamples.zoo).
    Its steps do not shrink with t, so the drift criterion (which needs alpha_t -> 0) does not apply.
    c1, c2 = eta_minus, eta_plus; c3, c4 = step_min, step_max.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = rprop(alpha="1/100", eta_plus="6/5").build(B)
    >>> step1, s1, _ = update(B.num(1), init(B.num(0)), 1)
    >>> step2, s2, _ = update(B.num(1), s1, 2)              # same sign twice: the size grows by eta_plus
    >>> step1, step2
    (1/100, 3/250)
    """
    _check_variant("rprop", variant)
    hyper = dict(alpha=alpha, eta_minus=eta_minus, eta_plus=eta_plus, step_min=step_min, step_max=step_max,
                 variant=variant)
    return _zoo_method("rprop", hyper, _rprop_rule(variant), alpha=alpha, c1=eta_minus, c2=eta_plus, c3=step_min,
                       c4=step_max)


# ------------------------------------------------------------------------------------------------
def _adafactor_rule(schedule, variant, relative_step) -> Rule:
    paper_eps = variant == "paper"
    rel = bool(relative_step)

    def make(B):
        sqrt, maximum, minimum, mean_last, num, zeros_like = (B.sqrt, B.maximum, B.minimum, B.mean_last,
                                                              B.num, B.zeros_like)
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            return VarState(zeros_like(x1))

        def step_of(h, g, state, t):
            w = num(t) ** h.c1  # 1 - hat beta_{2t} = t^(-0.8) (decay rate c1 = -0.8)
            if paper_eps:  # Shazeer & Stern Algorithm 4: V_t = hat b2 V + (1 - hat b2)(G^2 + eps1)
                v = state.v + w * (g * g + h.eps_root - state.v)
                u = g / sqrt(v)
            else:  # torch: lerp, then clamp at eps1^2 before the rsqrt
                v = state.v + w * (g * g - state.v)
                u = g / sqrt(maximum(v, h.eps_root * h.eps_root))
            clipf = maximum(one, sqrt(mean_last(u * u)) / h.c2)  # update clipping at RMS d = c2
            rho = minimum(alpha_t(h.alpha, t), one / sqrt(num(t)))
            return u / clipf, VarState(v), rho

        if rel:
            def update_rel(h, g, state, t, x):
                u, st, rho = step_of(h, g, state, t)
                a = maximum(h.c3, sqrt(mean_last(x * x))) * rho  # relative step: scale of the parameter
                return a * u, st, one / a + zeros_like(g)

            return init, update_rel

        def update(h, g, state, t):
            u, st, rho = step_of(h, g, state, t)
            return rho * u, st, one / rho + zeros_like(g)

        return init, update

    return Rule(("adafactor", schedule, variant, rel), make, ZooHyper, VarState, rel)


def adafactor(alpha="0.01", decay="-0.8", eps1=None, eps2="1e-3", d=1, schedule="sqrt", variant="pytorch",
              relative_step=True) -> Method:
    """Adafactor (Shazeer & Stern 2018, Algorithm 4: the un-factored form for a vector, which is what a
    1-D parameter gets; no momentum):

        1 - hat beta_{2t} = t^decay,  V_t = hat beta_{2t} V_{t-1} + (1 - hat beta_{2t}) g_t^2,
        U_t = g_t / sqrt(V_t),  hat U_t = U_t / max(1, RMS(U_t)/d),
        rho_t = min(alpha_t, 1/sqrt(t)),  a_t = max(eps2, RMS(x_t)) rho_t,  x_{t+1} = x_t - a_t hat U_t.

    'pytorch': torch.optim.Adafactor (_adafactor.py): eps1 (default float64 machine eps) clamps V at
    eps1^2; 'paper': eps1 (paper: 1e-30) is added to g^2.  ``relative_step=False`` replaces a_t by
    rho_t (the x-independent form: the drift criterion's); True reads x (simulated only).  The second
    moment is AdamNC-like (beta_{2t} -> 1): no periodic steady state.  c1 = decay, c2 = d, c3 = eps2,
    eps_root = eps1.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = adafactor(alpha="1/100", relative_step=False).build(B)
    >>> step, state, _ = update(B.num(1), init(B.num(0)), 1)
    >>> state.v, step             # 1 - hat beta_{21} = 1^decay: V_1 = g_1^2; step rho_1 hat U_1 = min(1/100, 1) * 1
    (1, 1/100)
    """
    _check_variant("adafactor", variant)
    _check_schedule(schedule)
    e1 = eps1 if eps1 is not None else (2.0 ** -52 if variant == "pytorch" else "1e-30")
    hyper = dict(alpha=alpha, decay=decay, eps1=e1, eps2=eps2, d=d, schedule=schedule, variant=variant,
                 relative_step=bool(relative_step))
    return _zoo_method("adafactor", hyper, _adafactor_rule(schedule, variant, relative_step), alpha=alpha,
                       eps_root=e1, c1=decay, c2=d, c3=eps2)


# ------------------------------------------------------------------------------------------------
def _adopt_rule(schedule, clipping) -> Rule:
    clp = bool(clipping)

    def make(B):
        sqrt, maximum, clip, num, zeros_like = B.sqrt, B.maximum, B.clip, B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            z = zeros_like(x1)
            return ADOPTState(z, z)

        def update(h, g, state, t):
            if t == S.FIRST_ROUND:  # v_0 = g_1^2, no step yet
                v = g * g
                return zeros_like(g) + num(0) * g, ADOPTState(state.m, v), one / alpha_t(h.alpha, t) + zeros_like(g)
            denom = maximum(sqrt(state.v), h.eps)  # the *previous* v: g_t and v_{t-1} independent
            r = g / denom
            if clp:
                c = sqrt(sqrt(num(t - 1)))  # clip value (t-1)^(1/4) (optax: count ** 0.25, count = t - 1)
                r = clip(r, -c, c)
            m = h.beta1 * state.m + (one - h.beta1) * r
            v = h.beta2 * state.v + (one - h.beta2) * (g * g)
            lr = alpha_t(h.alpha, t)
            return lr * m, ADOPTState(m, v), denom / lr

        return init, update

    return Rule(("adopt", schedule, clp), make, ZooHyper, ADOPTState)


def adopt(alpha=1, beta1="0.9", beta2="0.9999", eps=0, schedule="sqrt", variant="paper", clipping=None) -> Method:
    """ADOPT (Taniguchi et al. 2024, "ADOPT: modified Adam can converge with any beta2", Algorithm 2):

        v_0 = g_1^2;  m_t = beta1 m_{t-1} + (1-beta1) g_t / max(sqrt(v_{t-1}), eps);
        x_{t+1} = x_t - alpha_t m_t;  v_t = beta2 v_{t-1} + (1-beta2) g_t^2.

    Round 1 only sets v (no step), as optax.contrib.adopt does (b2 = 0, b1 = 1 at count 0).
    'optax': optax.contrib.adopt with use_clipping=True (clip g/max(..) to +-(t-1)^(1/4), the paper's v2
    clipping); 'paper': no clipping.  Not in torch.optim.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = adopt(beta1="9/10").build(B)
    >>> step1, s1, _ = update(B.num(1), init(B.num(0)), 1)  # round 1 only sets v_0 = g_1^2: no step
    >>> step2, s2, _ = update(B.num(1), s1, 2)              # m_2 = (1-beta1) g_2/sqrt(v_1)
    >>> step1, s2.m
    (0, 1/10)
    """
    _check_variant("adopt", variant)
    _check_schedule(schedule)
    clp = (variant == "optax") if clipping is None else bool(clipping)
    hyper = dict(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, schedule=schedule, variant=variant,
                 clipping=clp)
    return _zoo_method("adopt", hyper, _adopt_rule(schedule, clp), alpha=alpha, beta1=beta1, beta2=beta2,
                       eps=eps)


# ------------------------------------------------------------------------------------------------
def _adabound_rule(schedule, bias_correction, amsbound) -> Rule:
    bc, ams = bool(bias_correction), bool(amsbound)

    def make(B):
        sqrt, maximum, minimum, safe_div, power, num, zeros_like = (B.sqrt, B.maximum, B.minimum, B.safe_div,
                                                                    B.power, B.num, B.zeros_like)
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            z = zeros_like(x1)
            return AdamState(z, z, z)

        def update(h, g, state, t):
            m = h.beta1 * state.m + (one - h.beta1) * g
            v = h.beta2 * state.v + (one - h.beta2) * (g * g)
            v_hat = maximum(state.v_hat, v) if ams else v
            lr = alpha_t(h.alpha, t)
            size = lr * sqrt(one - power(h.beta2, t)) / (one - power(h.beta1, t)) if bc else lr
            final = h.c1 * lr / h.alpha  # final_lr follows the schedule (official code: lr / base_lr)
            lower = final * (one - one / (h.c2 * num(t) + one))
            upper = final * (one + one / (h.c2 * num(t)))
            denom = sqrt(v_hat) + h.eps
            eta = minimum(maximum(safe_div(size + zeros_like(g), denom) + zeros_like(g), lower), upper)
            return eta * m, AdamState(m, v, v_hat), one / eta

        return init, update

    return Rule(("adabound", schedule, bc, ams), make, ZooHyper, AdamState)


def adabound(alpha=1, beta1=BETA1, beta2=BETA2, eps=0, final_lr="0.1", gamma="1e-3", schedule="sqrt",
             bias_correction=False, amsbound=False) -> Method:
    """AdaBound / AMSBound (Luo et al. 2019, "Adaptive gradient methods with dynamic bound of learning
    rate", Algorithm 2; official adabound package):

        eta_t = clip(alpha_t / sqrt(v_t), eta_l(t), eta_u(t)),  x_{t+1} = x_t - eta_t m_t,
        eta_l(t) = final (1 - 1/(gamma t + 1)),  eta_u(t) = final (1 + 1/(gamma t)),
        final = final_lr alpha_t / alpha

    (AMSBound: v replaced by its running max; the code's bias correction alpha_t sqrt(1-beta2^t)/(1-beta1^t)
    with ``bias_correction=True``, eps outside the root).  Both bounds tend to final: asymptotically SGD
    with momentum.  c1 = final_lr, c2 = gamma.  Not in torch.optim or optax.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = adabound(beta1="9/10", beta2="99/100", schedule="constant").build(B)
    >>> step, state, _ = update(B.num(1), init(B.num(0)), 1000)
    >>> step                      # clip(1/sqrt(v)=10, 0.1(1-1/2), 0.1(1+1/1)) * m = (1/5) * (1/10), gamma t = 1
    1/50
    """
    _check_schedule(schedule)
    hyper = dict(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, final_lr=final_lr, gamma=gamma,
                 schedule=schedule, bias_correction=bool(bias_correction), amsbound=bool(amsbound))
    return _zoo_method("adabound", hyper, _adabound_rule(schedule, bias_correction, amsbound), alpha=alpha,
                       beta1=beta1, beta2=beta2, eps=eps, c1=final_lr, c2=gamma)


# ------------------------------------------------------------------------------------------------
def _adagrad_lib_rule(schedule, variant) -> Rule:
    eps_inside = variant == "optax"

    def make(B):
        sqrt, safe_div, num, zeros_like = B.sqrt, B.safe_div, B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            return AdaGradState(zeros_like(x1))

        def update(h, g, state, t):
            s0 = state.sum_sq + h.c1 if t == S.FIRST_ROUND else state.sum_sq
            s = s0 + g * g
            lr = alpha_t(h.alpha, t) / (one + num(t - 1) * h.c2)
            denom = sqrt(s + h.eps) if eps_inside else sqrt(s) + h.eps
            return lr * safe_div(g, denom), AdaGradState(s), denom / lr

        return init, update

    return Rule(("adagrad_lib", schedule, variant), make, ZooHyper, AdaGradState)


def adagrad_lib(alpha=1, eps=0, schedule="sqrt", lr_decay=0, initial_accumulator_value=0,
                variant="pytorch") -> Method:
    """AdaGrad as the libraries write it (Duchi et al. 2011; torch.optim.Adagrad, adagrad.py):
    s_t = s_0 + sum_{i<=t} g_i^2, x_{t+1} = x_t - alpha_t / (1 + (t-1) lr_decay) * g_t / (sqrt(s_t) + eps);
    'optax' (optax.adagrad, scale_by_rss): g_t / sqrt(s_t + eps), eps under the root, s_0 = 0.1 there.
    With eps = 0 and a constant alpha_t this is the paper's :func:`adagrad` with alpha/sqrt(t).
    c1 = initial_accumulator_value, c2 = lr_decay.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = adagrad_lib(alpha=1, schedule="constant").build(B)
    >>> _, s1, _ = update(B.num(3), init(B.num(0)), 1)
    >>> step, s2, _ = update(B.num(4), s1, 2)               # s_2 = 3^2 + 4^2 = 25, step g_2/sqrt(s_2)
    >>> s2.sum_sq, step
    (25, 4/5)
    """
    _check_variant("adagrad_lib", variant)
    _check_schedule(schedule)
    hyper = dict(alpha=alpha, eps=eps, schedule=schedule, lr_decay=lr_decay,
                 initial_accumulator_value=initial_accumulator_value)
    return _zoo_method("adagrad_lib", hyper, _adagrad_lib_rule(schedule, variant), alpha=alpha, eps=eps,
                       c1=initial_accumulator_value, c2=lr_decay)


# ------------------------------------------------------------------------------------------------
def _sgdm_rule(schedule, nesterov) -> Rule:
    nes = bool(nesterov)

    def make(B):
        num, zeros_like = B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            return MomentumState(zeros_like(x1))

        def update(h, g, state, t):
            mom, damp = h.beta1, h.c1
            buf = g + zeros_like(g) if t == S.FIRST_ROUND else mom * state.buf + (one - damp) * g
            d = g + mom * buf if nes else buf
            lr = alpha_t(h.alpha, t)
            return lr * d, MomentumState(buf), one / lr + zeros_like(g)

        return init, update

    return Rule(("sgdm", schedule, nes), make, ZooHyper, MomentumState)


def sgdm(alpha=1, momentum="0.9", dampening=0, nesterov=False, schedule="sqrt") -> Method:
    """SGD with heavy-ball or Nesterov momentum as torch.optim.SGD writes it (sgd.py): b_1 = g_1,
    b_t = mu b_{t-1} + (1 - dampening) g_t, d_t = g_t + mu b_t (nesterov) or b_t, x_{t+1} = x_t - alpha_t d_t
    (Polyak 1964; Sutskever et al. 2013).  optax.sgd(momentum=mu) has no dampening and b_0 = 0
    (b_1 = g_1 too).  beta1 = momentum, c1 = dampening.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> init, update = sgdm(momentum="9/10", schedule="constant").build(B)
    >>> _, s1, _ = update(B.num(1), init(B.num(0)), 1)      # b_1 = g_1
    >>> step, s2, _ = update(B.num(1), s1, 2)               # b_2 = 9/10 b_1 + g_2
    >>> step
    19/10
    """
    _check_schedule(schedule)
    hyper = dict(alpha=alpha, momentum=momentum, dampening=dampening, nesterov=bool(nesterov), schedule=schedule)
    return _zoo_method("sgdm", hyper, _sgdm_rule(schedule, nesterov), alpha=alpha, beta1=momentum, c1=dampening)


# ------------------------------------------------------------------------------------------------
def _asgd_rule(schedule) -> Rule:
    def make(B):
        num, zeros_like = B.num, B.zeros_like
        alpha_t = S.step_size(schedule, B)
        one = num(1)

        def init(x1):
            return ASGDState(zeros_like(x1))

        def update(h, g, state, t, x):
            eta = state.eta + h.alpha if t == S.FIRST_ROUND else state.eta  # eta_1 = lr
            step = h.c1 * eta * x + eta * g  # x (1 - lambd eta) - eta g
            lr = alpha_t(h.alpha, t)
            eta_next = lr / (one + h.c1 * lr * num(t)) ** h.c2
            return step, ASGDState(eta_next + zeros_like(g)), one / eta

        return init, update

    return Rule(("asgd", schedule), make, ZooHyper, ASGDState, True)


def asgd(alpha="0.01", lambd="1e-4", power="0.75", schedule="sqrt") -> Method:
    """The parameter update of torch.optim.ASGD (asgd.py; Polyak & Juditsky 1992 averaging, whose
    average ax does not feed back): x_{t+1} = x_t (1 - lambd eta_t) - eta_t g_t, eta_1 = lr,
    eta_{t+1} = alpha_t / (1 + lambd alpha_t t)^power.  The decay reads x: simulated only; lambd = 0 is
    SGD.  c1 = lambd, c2 = power.

    >>> from numerics import get_backend
    >>> B = get_backend("sympy")          # exact numbers: the values below can be checked by hand
    >>> meth = asgd(alpha="1/100", lambd="1/2")
    >>> init, update = meth.build(B)
    >>> update(B.num(0), init(B.num(2)), 1, B.num(2))[0]   # g_1 = 0, x_1 = 2: step lambd eta_1 x_1 = (1/2)(1/100) 2
    1/100
    """
    _check_schedule(schedule)
    return _zoo_method("asgd", dict(alpha=alpha, lambd=lambd, power=power, schedule=schedule),
                       _asgd_rule(schedule), alpha=alpha, c1=lambd, c2=power)


ZOO_FACTORIES = dict(adamax=adamax, nadam=nadam, radam=radam, adamw=adamw, adabelief=adabelief, yogi=yogi,
                     lion=lion, signsgd=signsgd, adadelta=adadelta, rprop=rprop, adafactor=adafactor,
                     adopt=adopt, adabound=adabound, adagrad_lib=adagrad_lib, sgdm=sgdm, asgd=asgd)
FACTORIES.update(ZOO_FACTORIES)
#: The optimizer zoo: the adaptive methods torch.optim, optax and optax.contrib ship, one factory each.
ZOO_METHODS = tuple(ZOO_FACTORIES)
#: Every name :func:`make` takes: the paper's seven methods, then :data:`ZOO_METHODS`.
METHODS = METHODS + ZOO_METHODS


# ------------------------------------------------------------------------------------------------
# Rules registered from user code (issue 22): a new method without editing this file.
REGISTERED: dict = {}  # name -> {"factory": ..., "limit": ...}


def register(name: str, factory: Callable[..., Method], *, limit: Callable[..., Method] | None = None,
             replace: bool = False) -> Callable[..., Method]:
    """Add ``factory`` (keyword hyper-parameters, e.g. alpha, beta1, beta2, eps, schedule -> :class:`Method`)
    under ``name``, so that ``make(name, ...)``, the identification of ``counterexamples.check`` and its
    certified drift know it.  Returns ``factory`` (usable as a decorator through functools.partial).

    ``limit(beta1, beta2, **numbers) -> Method`` is the method's limit form for the drift certificate
    (alpha_t = 1, every factor that tends to 1 removed; see counterexamples.drift.general); without it the
    limit form is ``factory(alpha=1, beta1=..., beta2=..., schedule='constant')``, right for a rule
    without bias corrections or other time-varying factors.  A built-in name is an error (ValueError),
    as is registering a name twice unless ``replace=True``.

    Example::

        >>> from numerics.optimizers import amsgrad, make, register, unregister
        >>> from numerics.paper import BETA1, BETA2      # the paper's (0.9, 0.99), by name
        >>> def my_amsgrad(alpha=1, beta1=BETA1, beta2=BETA2, eps=0, schedule="sqrt"):
        ...     return amsgrad(alpha, beta1, beta2, eps, schedule)._replace(name="my_amsgrad")
        >>> _ = register("my_amsgrad", my_amsgrad)
        >>> make("my_amsgrad", alpha=1, beta2="0.999").hyper["beta2"]
        '0.999'
        >>> unregister("my_amsgrad")
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"register: name must be a Python identifier (got {name!r})")
    if not callable(factory):
        raise TypeError(f"register: factory must be callable (got {type(factory).__name__})")
    if limit is not None and not callable(limit):
        raise TypeError(f"register: limit must be callable or None (got {type(limit).__name__})")
    if name in FACTORIES and name not in REGISTERED:
        raise ValueError(f"register: {name!r} is a built-in method of numerics.optimizers; choose another name")
    if name in REGISTERED and not replace:
        raise ValueError(f"register: {name!r} is already registered (pass replace=True to replace it)")
    FACTORIES[name] = factory
    REGISTERED[name] = {"factory": factory, "limit": limit}
    return factory


def unregister(name: str) -> None:
    """Remove a rule added by :func:`register` (KeyError if it was not registered).

    >>> from numerics import sgd, make, register
    >>> _ = register("my_sgd", lambda alpha=1, schedule="sqrt": sgd(alpha, schedule)._replace(name="my_sgd"))
    >>> make("my_sgd").name
    'my_sgd'
    >>> unregister("my_sgd")
    >>> make("my_sgd")
    Traceback (most recent call last):
    ...
    ValueError: unknown optimizer 'my_sgd'...
    """
    if name not in REGISTERED:
        raise KeyError(f"unregister: {name!r} was not registered")
    del REGISTERED[name]
    del FACTORIES[name]
