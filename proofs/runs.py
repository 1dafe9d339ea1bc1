"""Exact and high-precision runs of the numerics optimizers, for finite claims and witness replays.

Every finite claim of the audit (x_4 of Theorem 6, Gamma_2 of Kingma & Ba's step, Example 3.2 of
Phuong & Phong) is computed from the one optimizer definition in :mod:`numerics.optimizers` -- never
from retyped update formulas -- on the SymPy backend (exact algebraic numbers), and its refutations
are replayed on the mpmath backend at 50 digits (a second number system, no Z3, no SymPy).

``trace(method, pattern, T, x1, backend)`` returns one :class:`Round` per t = 1..T with the point
played x_t, the gradient g_t, the state after the update and inv_lr_t = sqrt(v_hat_t)/alpha_t, so that
Gamma_{t+1} = inv_lr_{t+1} - inv_lr_t (eq. 2).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from numerics import Periodic, get_backend, run


@dataclass
class Round:
    t: int
    x: Any  # x_t, the point played at round t
    g: Any
    inv_lr: Any  # sqrt(V_t)/alpha_t
    state: Any  # state after the update of round t (m_t, v_t, v_hat_t)


@dataclass
class Trace:
    rounds: list
    x_next: Any  # x_{T+1}
    regret: Any
    backend: Any

    def x(self, t: int):
        """x_t for 1 <= t <= T+1."""
        return self.x_next if t == len(self.rounds) + 1 else self.rounds[t - 1].x


def trace(method, pattern, T: int, x1=1, backend: str = "sympy", dps: int = 50) -> Trace:
    """Run ``method`` on the periodic problem ``pattern`` (on [-1, 1]) for T rounds, recording all."""
    B = get_backend(backend, dps=dps)
    rounds: list[Round] = []
    res = run(method, Periodic(pattern=list(pattern)), T, x1=x1, backend=B,
              on_step=lambda t, x, g, il, st: rounds.append(Round(t, x, g, il, st)))
    return Trace(rounds, res.x_next, res.regret, B)


def mp(x, B) -> str:
    """Short decimal of a backend number (for witness display)."""
    return B.to_str(x, 12)


def log(B, x):
    """Natural log of an integer in the backend's number system (an arb ball for "arb", else mpmath)."""
    import mpmath

    if B.name == "arb":
        with B.precision():
            return B.flint.arb(x).log()
    return mpmath.log(x)
