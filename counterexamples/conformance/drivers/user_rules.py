"""A rule written in the numerics style by a user, registered from the user's own code: the worked example
beside :func:`counterexamples.conformance.drivers.user.paper_amsgrad_step` (a step function).

``decaying_max`` is an AMSGrad whose running max forgets slowly, v_hat_t = max(999/1000 v_hat_{t-1}, v_t) (not
in the Adam/AMSGrad grid, so only its registration makes it known).  The test suite (tests/test_check_api.py)
and benchmarks/check_speed.py both register this one definition.  Its beta1, beta2 default to the library's,
the paper's (0.9, 0.99), read by name from :mod:`numerics.paper` as a user's rule should: a retyped copy
would drift from the library's default unseen.

    >>> from numerics.optimizers import register, unregister
    >>> from counterexamples.conformance.drivers.user_rules import decaying_max
    >>> _ = register("decaying_max", decaying_max)
    >>> from numerics import get_backend
    >>> B = get_backend("sympy")
    >>> init, update = decaying_max(beta1="9/10", beta2="99/100").build(B)
    >>> step, state, _ = update(B.num(1), init(B.num(0)), 1)   # m_1 = 1/10, v_1 = v_hat_1 = 1/100: step 1
    >>> step, state.v_hat
    (1, 1/100)
    >>> unregister("decaying_max")
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

from numerics.paper import BETA1, BETA2


class DecayingMaxHyper(NamedTuple):
    alpha: Any
    beta1: Any
    beta2: Any


class DecayingMaxState(NamedTuple):
    m: Any
    v: Any
    v_hat: Any


def decaying_max_rule(schedule):
    """The :class:`numerics.optimizers.Rule` of ``decaying_max`` for a step-size schedule ("sqrt", "constant")."""
    from numerics import schedules
    from numerics.optimizers import Rule

    def make(B):
        sqrt, maximum, safe_div, zeros_like = B.sqrt, B.maximum, B.safe_div, B.zeros_like
        alpha_t, one, decay = schedules.step_size(schedule, B), B.num(1), B.num(Fraction(999, 1000))

        def init(x1):
            z = zeros_like(x1)
            return DecayingMaxState(z, z, z)

        def update(h, g, s, t):
            m = h.beta1 * s.m + (one - h.beta1) * g
            v = h.beta2 * s.v + (one - h.beta2) * g * g
            v_hat = maximum(decay * s.v_hat, v)  # a running max that forgets slowly
            at = alpha_t(h.alpha, t)
            return at * safe_div(m, sqrt(v_hat)), DecayingMaxState(m, v, v_hat), sqrt(v_hat) / at

        return init, update

    return Rule(("decaying_max", schedule), make, DecayingMaxHyper, DecayingMaxState)


def decaying_max(alpha=1, beta1=BETA1, beta2=BETA2, schedule="sqrt"):
    """The factory to register: ``register("decaying_max", decaying_max)``."""
    from numerics.optimizers import Method

    return Method("decaying_max", dict(alpha=alpha, beta1=beta1, beta2=beta2, schedule=schedule),
                  decaying_max_rule(schedule), dict(alpha=alpha, beta1=beta1, beta2=beta2))


__all__ = ["DecayingMaxHyper", "DecayingMaxState", "decaying_max", "decaying_max_rule"]
