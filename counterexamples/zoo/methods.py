"""The rows of the zoo table: each method, its library names, our definition and its limit form.

A row is built for a problem's (alpha, beta1, beta2): ``definition`` is what the simulation runs (our
Reddi-style form: no bias correction, eps = 0 where the method allows it), ``limit`` the form whose
drift :mod:`counterexamples.drift.general` certifies (alpha_t = 1, every factor that tends to 1 as
t -> infinity removed: bias corrections 1 - beta^t, RAdam's rectifier r_t, NAdam's mu_t -> beta1, ADOPT's
clip (t-1)^(1/4) -> infinity, AdaBound's bounds -> final_lr).  Rows without a limit form say why
(x-dependent step, non-vanishing steps, time-varying state); they get the simulation verdict only.
Library names are those identified by ``python -m counterexamples.conformance --zoo``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from numerics import make


@dataclass(frozen=True)
class Row:
    """One method of the zoo: ``key`` (its name in :func:`numerics.make`), the ``libraries`` that ship it
    (``LIB:NAME`` specs), ``definition(alpha, beta1, beta2)`` (our rule with alpha_t = alpha/sqrt(t)),
    ``limit(beta1, beta2)`` (its limit form for the certified drift: alpha 1, constant schedule, factors that
    tend to 1 removed; None when there is none, ``why`` says so) and whether it was proposed as a fix of
    Adam (``sold_as_convergent``).

    >>> from counterexamples.zoo import ROW_BY_KEY
    >>> row = ROW_BY_KEY["amsgrad"]
    >>> row.libraries, row.sold_as_convergent, row.limit("0", "1/10").hyper["schedule"]
    (('torch:Adam?amsgrad', 'optax:amsgrad'), True, 'constant')
    """
    key: str
    libraries: tuple
    definition: Callable  # (alpha, beta1, beta2) -> Method (schedule alpha/sqrt(t))
    limit: Callable | None  # (beta1, beta2) -> Method (alpha 1, constant schedule), or None
    why: str = ""  # why the limit form is the limit, or why there is none; $...$ spans are mathtext
    sold_as_convergent: bool = False  # proposed as a fix of Adam's non-convergence

    @property
    def reason(self) -> str:
        """``why`` as plain text (:func:`plain_text`): what the JSON records and the terminal prints, while
        the phase panels draw ``why`` itself, its maths set by matplotlib's mathtext.

        >>> from counterexamples.zoo import ROW_BY_KEY
        >>> ROW_BY_KEY["adamnc"].reason
        'no periodic steady state: beta_{2t} = 1 - 1/t changes with t'
        """
        return plain_text(self.why)


# mathtext commands the reasons use, and how plain text writes them (the project's ASCII maths)
_PLAIN = {r"\to": "->", r"\leq": "<=", r"\geq": ">=", r"\dots": "...", r"\,": " "}


def plain_text(text: str) -> str:
    r"""``text`` with its mathtext spans ``$...$`` written as plain ASCII maths: the dollars dropped,
    ``\hat{\beta}`` read as ``hat beta``, ``\to`` as ``->``, ``\leq`` as ``<=``, ``\dots`` as ``...``, a
    Greek letter by its name.

    >>> plain_text(r"$\hat{\beta}_{2t} = 1 - t^{-0.8} \to 1$ changes with $t$")
    'hat beta_{2t} = 1 - t^{-0.8} -> 1 changes with t'
    >>> plain_text(r"the decay $\lambda \eta_t x_t$ reads $x$")
    'the decay lambda eta_t x_t reads x'
    """
    text = re.sub(r"\\hat\{\\?(\w+)\}", r"hat \1", text)
    for tex, plain in _PLAIN.items():
        text = re.sub(re.escape(tex) + r"(?![A-Za-z])", plain, text)
    return re.sub(r" +", " ", re.sub(r"\\([A-Za-z]+)", r"\1", text).replace("$", ""))


def _c(name, **kw):
    return lambda b1, b2: make(name, alpha=1, schedule="constant", **_betas(name, b1, b2), **kw)


def _d(name, **kw):
    return lambda a, b1, b2: make(name, alpha=a, schedule="sqrt", **_betas(name, b1, b2), **kw)


def _betas(name, b1, b2):
    if name in ("adadelta",):
        return {"rho": b2}
    if name in ("sgd", "rprop", "asgd", "adafactor", "adagrad"):
        return {}
    if name == "sgdm":
        return {"momentum": b1}
    if name == "signsgd":
        return {"beta1": b1}
    return {"beta1": b1, "beta2": b2}


def _radam_limit(b1, b2):
    """r_t -> 1 when rho_inf = 2/(1-beta2) - 1 exceeds the threshold (4, the paper's): Adam with eps = 0;
    otherwise every round is the SGD-with-momentum branch, x -= alpha_t m_t."""
    rho_inf = 2 / (1 - Fraction(str(b2))) - 1
    if rho_inf > 4:
        return make("adam", alpha=1, beta1=b1, beta2=b2, eps=0, schedule="constant", variant="paper")
    return make("sgdm", alpha=1, momentum=b1, dampening=b1, schedule="constant")


def _adabound_limit(b1, b2):
    # both bounds tend to final_lr alpha_t / alpha: the step tends to (final_lr / alpha) alpha_t m_t
    return make("sgdm", alpha="0.1", momentum=b1, dampening=b1, schedule="constant")


#: The zoo's methods, one :class:`Row` each, in table order.
ROWS = [
    Row("sgd", ("torch:SGD", "optax:sgd"), _d("sgd"), lambda b1, b2: make("sgdm", alpha=1, momentum=0,
        schedule="constant"), "no state: D = -sum_j g_j"),
    Row("sgdm", ("torch:SGD?momentum", "optax:sgd?momentum"), _d("sgdm"), _c("sgdm"),
        "heavy ball b_t = beta1 b_{t-1} + g_t (momentum = the problem's beta1)"),
    Row("adagrad", ("torch:Adagrad", "optax:adagrad"), _d("adagrad"), None,
        r"no periodic steady state: $v_t = (g_1^2 + \dots + g_t^2)/t$ is a running mean (its weights change "
        r"with $t$)"),
    Row("rmsprop", ("torch:RMSprop", "optax:rmsprop"), lambda a, b1, b2: make("rmsprop", alpha=a, beta2=b2),
        lambda b1, b2: make("rmsprop", alpha=1, beta2=b2, schedule="constant"), "Adam with beta1 = 0"),
    Row("adam", ("torch:Adam", "optax:adam"), _d("adam"), _c("adam"),
        "the paper's Adam; the libraries' bias corrections tend to 1"),
    Row("amsgrad", ("torch:Adam?amsgrad", "optax:amsgrad"), _d("amsgrad"), _c("amsgrad"),
        "v_hat tends to max_j v_j", True),
    Row("adamx", (), _d("adamx"), _c("amsgrad"), "constant beta1: the AdamX factor is 1, so its limit form is "
        "AMSGrad's", True),
    Row("adamnc", (), lambda a, b1, b2: make("adamnc", alpha=a, beta1=b1), None,
        r"no periodic steady state: $\beta_{2t} = 1 - 1/t$ changes with $t$", True),
    Row("adamax", ("torch:Adamax", "optax:adamax"), _d("adamax"), _c("adamax"),
        "u_t = max(beta2 u, |g|): eventually periodic; the m correction tends to 1"),
    Row("nadam", ("torch:NAdam", "optax:nadam"), _d("nadam"), _c("nadam"),
        "mu_t -> beta1 and every correction -> 1 (torch's and optax's forms share this limit)"),
    Row("radam", ("torch:RAdam", "optax:radam"), lambda a, b1, b2: make("radam", alpha=a, beta1=b1, beta2=b2),
        _radam_limit, "r_t -> 1 (Adam) when rho_inf > 4, else SGD with momentum for ever"),
    Row("adamw", ("torch:AdamW", "optax:adamw"), lambda a, b1, b2: make("adamw", alpha=a, beta1=b1, beta2=b2,
        weight_decay="0.01"), None, r"the decoupled weight decay $0.01\,\alpha_t x_t$ reads $x$: simulation only"),
    Row("adabelief", ("optax:adabelief",), _d("adabelief", eps="1e-16", eps_root="1e-16"),
        _c("adabelief", eps="1e-16", eps_root="1e-16"),
        "s_t is an EMA of (g - m)^2 (+ eps_root): contracting; optax's eps = eps_root = 1e-16, since at beta1 = 0 "
        "the belief g - m_t is 0 and eps = 0 would leave 0/0", True),
    Row("yogi", ("optax:yogi",), _d("yogi"), _c("yogi"),
        "v moves by (1-beta2) g^2 towards g^2: additive, not contracting", True),
    Row("lion", ("optax:lion",), _d("lion"), _c("lion"), "sign of an interpolated EMA"),
    Row("signsgd", ("optax:sign_sgd", "optax:signum"), _d("signsgd"), _c("signsgd"),
        "Signum with the problem's beta1 (signSGD when beta1 = 0)"),
    Row("adadelta", ("torch:Adadelta", "optax:adadelta"), _d("adadelta"), _c("adadelta"),
        "rho = the problem's beta2, eps = 1e-6; E[dx^2] is affine in itself with gain that can exceed 1"),
    Row("rprop", ("torch:Rprop", "optax:rprop"), lambda a, b1, b2: make("rprop", alpha=a), None,
        r"its steps do not vanish (the learning rate sets only the first one): the criterion needs "
        r"$\alpha_t \to 0$"),
    Row("adafactor", ("torch:Adafactor",), lambda a, b1, b2: make("adafactor", alpha=a), None,
        r"$\hat{\beta}_{2t} = 1 - t^{-0.8} \to 1$ changes with $t$, and the relative step reads $x$: "
        r"simulation only"),
    Row("adopt", ("optax:contrib.adopt",), _d("adopt"), _c("adopt"),
        "the clip (t-1)^(1/4) eventually never acts", True),
    Row("adabound", (), _d("adabound"), _adabound_limit,
        "both bounds tend to final_lr: SGD with momentum in the limit", True),
    Row("asgd", ("torch:ASGD",), lambda a, b1, b2: make("asgd", alpha=a), None,
        r"the decay $\lambda \eta_t x_t$ (torch's lambd) reads $x$: simulation only"),
]
#: key -> :class:`Row` (the rows of :data:`ROWS` by name).
ROW_BY_KEY = {r.key: r for r in ROWS}
