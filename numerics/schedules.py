"""The time index and every schedule of the paper, defined once.

Time convention (the one place it is defined): rounds are numbered t = 1, 2, ..., T.  At round t the
method plays x_t, receives g_t, and produces x_{t+1}.  A periodic problem of period n is in *phase*
(t - 1) mod n, so "t mod n = 1" (the paper's large-gradient rounds) is phase 0.  Public
reproductions that count from 0 shift the large gradient by one round (spec/implementations.md §4).
"""
from __future__ import annotations

from typing import Callable

FIRST_ROUND = 1


def phase(t: int, n: int) -> int:
    """Phase of round t in a period of length n: 0 exactly when t mod n == 1 (t starts at 1)."""
    if t < FIRST_ROUND:
        raise ValueError(f"round index t={t} < {FIRST_ROUND}")
    return (t - FIRST_ROUND) % n


STEP_SCHEDULES = ("sqrt", "constant")


def alpha_t(alpha, schedule: str, t: int, B):
    """Step size alpha_t: alpha / sqrt(t) (the theory's schedule) or the constant alpha."""
    if schedule == "sqrt":
        return alpha / B.sqrt(B.num(t))
    if schedule == "constant":
        return alpha
    raise ValueError(f"unknown step-size schedule {schedule!r}; choose one of {STEP_SCHEDULES}")


BETA1_SCHEDULES = ("constant", "geometric", "harmonic")


def beta1_t(beta1, kind: str, lam, t: int, B):
    """beta_{1t}: constant beta1, beta1 * lambda^(t-1) (Corollary 1), or beta1 / t (its remark)."""
    if kind == "constant":
        return beta1
    if kind == "geometric":
        return beta1 * lam ** (t - 1)
    if kind == "harmonic":
        return beta1 / B.num(t)
    raise ValueError(f"unknown beta1 schedule {kind!r}; choose one of {BETA1_SCHEDULES}")


def beta2_adamnc(t: int, B):
    """AdamNC's beta_{2t} = 1 - 1/t (Corollary 2): v_t is then the running mean of g^2."""
    return 1 - 1 / B.num(t)


Beta2Schedule = Callable[[int, object], object]  # (t, backend) -> beta_{2t}

