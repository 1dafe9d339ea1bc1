"""The time index and every schedule of the paper, defined once.

Time convention (the one place it is defined): rounds are numbered t = 1, 2, ..., T.  At round t the
method plays x_t, receives g_t, and produces x_{t+1}.  A periodic problem of period n is in *phase*
(t - 1) mod n, so "t mod n = 1" (the paper's large-gradient rounds) is phase 0.  Public
reproductions that count from 0 shift the large gradient by one round (docs/paper.md, conventions).
"""
from __future__ import annotations

from typing import Callable

#: The index of the first round: rounds are t = 1, 2, ..., T (the paper's convention).
FIRST_ROUND = 1


def phase(t: int, n: int) -> int:
    """Phase of round t in a period of length n: 0 exactly when t mod n == 1 (t starts at 1).

    >>> from numerics import phase
    >>> [phase(t, 3) for t in range(1, 8)]    # the paper's large-gradient rounds t mod 3 = 1 are phase 0
    [0, 1, 2, 0, 1, 2, 0]
    """
    if t < FIRST_ROUND:
        raise ValueError(f"round index t={t} < {FIRST_ROUND}")
    return (t - FIRST_ROUND) % n


STEP_SCHEDULES = ("sqrt", "constant")


def step_size(schedule: str, B):
    """alpha_t as a function (alpha, t): alpha / sqrt(t) (the theory's schedule) or the constant alpha.

    Built for a backend B (its helpers bound once; compiled by the engine's backend)."""
    sqrt, num = B.sqrt, B.num
    if schedule == "sqrt":
        def alpha_sqrt(alpha, t):
            return alpha / sqrt(num(t))

        return B.jit(alpha_sqrt)
    if schedule == "constant":
        def alpha_constant(alpha, t):
            return alpha

        return B.jit(alpha_constant)
    raise ValueError(f"unknown step-size schedule {schedule!r}; choose one of {STEP_SCHEDULES}")


def alpha_t(alpha, schedule: str, t: int, B):
    """Step size alpha_t of round t (see :func:`step_size`).

    >>> from numerics import alpha_t, get_backend
    >>> B = get_backend("sympy")
    >>> alpha_t(1, "sqrt", 4, B), alpha_t(1, "sqrt", 2, B), alpha_t(B.num("1/2"), "constant", 9, B)
    (1/2, sqrt(2)/2, 1/2)
    """
    return step_size(schedule, B)(alpha, t)


BETA1_SCHEDULES = ("constant", "geometric", "harmonic")


def beta1_fn(kind: str, B):
    """beta_{1t} as a function (beta1, lam, t): constant beta1, beta1 * lam^(t-1) (Corollary 1), or
    beta1 / t (its remark)."""
    power, num = B.power, B.num
    if kind == "constant":
        def beta1_constant(beta1, lam, t):
            return beta1

        return B.jit(beta1_constant)
    if kind == "geometric":
        def beta1_geometric(beta1, lam, t):
            return beta1 * power(lam, t - 1)

        return B.jit(beta1_geometric)
    if kind == "harmonic":
        def beta1_harmonic(beta1, lam, t):
            return beta1 / num(t)

        return B.jit(beta1_harmonic)
    raise ValueError(f"unknown beta1 schedule {kind!r}; choose one of {BETA1_SCHEDULES}")


def beta1_t(beta1, kind: str, lam, t: int, B):
    """beta_{1t} of round t (see :func:`beta1_fn`).

    >>> from numerics import beta1_t, get_backend
    >>> B = get_backend("sympy")
    >>> b1, lam = B.num("9/10"), B.num("1/2")
    >>> beta1_t(b1, "constant", 0, 3, B), beta1_t(b1, "geometric", lam, 3, B), beta1_t(b1, "harmonic", 0, 3, B)
    (9/10, 9/40, 3/10)
    """
    return beta1_fn(kind, B)(beta1, lam, t)


def _beta2_mean(B):
    one, num = B.num(1), B.num

    def beta2_one_minus_inv_t(beta2, t):
        return one - one / num(t)

    return B.jit(beta2_one_minus_inv_t)


def beta2_adamnc(t: int, B):
    """AdamNC's beta_{2t} = 1 - 1/t (Corollary 2): v_t is then the running mean of g^2.

    >>> from numerics import beta2_adamnc, get_backend
    >>> B = get_backend("sympy")
    >>> [beta2_adamnc(t, B) for t in (1, 2, 4)]      # 1 - 1/t
    [0, 1/2, 3/4]
    """
    return _beta2_mean(B)(None, t)


Beta2Schedule = Callable[[int, object], object]  # (t, backend) -> beta_{2t}


def beta2_fn(schedule: Beta2Schedule | None, B):
    """beta_{2t} as a function (beta2, t): the constant beta2 (None), AdamNC's 1 - 1/t, or a user's
    schedule(t, B) (reference backends only: the engine does not compile user code)."""
    if schedule is None:
        def beta2_constant(beta2, t):
            return beta2

        return B.jit(beta2_constant)
    if schedule is beta2_adamnc:
        return _beta2_mean(B)

    def beta2_user(beta2, t):
        return schedule(t, B)

    return beta2_user
