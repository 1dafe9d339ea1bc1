"""The certified fast path: one 1-D trajectory on python-flint ``arb`` balls, with *the same balls* as
:func:`numerics.run.run` on the arb backend.

Ball arithmetic is deterministic: the same operations on the same balls at the same precision give
the same midpoint and radius.  The step is the rule's own ``update`` (made on a scalar view of the
same backend, so the same arb operations run in the same order); this loop only removes the layers
around it (problem iterators, object-array checks, projection and regret helpers).
"""
from __future__ import annotations

from typing import Sequence

from ..backends import ArbBackend
from ..problems import Bernoulli, Explicit, Periodic
from .plan import why_not_rule


class _ScalarArb:
    """ArbBackend's operations on scalar balls only (the same arb calls, no array dispatch)."""

    def __init__(self, B: ArbBackend):
        arb = B.flint.arb
        num = B.num
        # a round index is an exact small integer: arb(t) is the ball num(t) makes (arb(t)/1), cheaper
        self.num = lambda v: arb(v) if type(v) is int else num(v)
        self.zeros_like = B.zeros_like
        self.power = B.power
        self.jit = B.jit
        self.sqrt = arb.sqrt
        self.maximum = arb.max
        zero = arb(0)
        self.safe_div = lambda a, b: zero if b.is_zero() else a / b


def why_not_arb(method, problem, x1) -> str | None:
    reason = why_not_rule(method)
    if reason:
        return reason
    if type(problem) not in (Periodic, Bernoulli, Explicit) or problem.d != 1:
        return "the fused ball loop runs one 1-D Periodic, Bernoulli or Explicit problem"
    if isinstance(problem, Bernoulli) and problem.batch != 1:
        return "the fused ball loop runs one path"
    import numpy as np

    if np.ndim(x1) != 0:
        return "the fused ball loop runs one trajectory (scalar x1)"
    return None


def run_arb(method, problem, T: int, x1, backend: ArbBackend, checkpoints: Sequence[int] | None = None):
    """numerics.run.run(method, problem, T, x1, backend) for one 1-D trajectory on arb, fused."""
    from ..run import Checkpoint, RunResult, default_checkpoints

    B = backend
    with B.precision():
        num = B.num
        h = method.rule.Hyper(**{k: num(v) for k, v in method.numbers.items()})
        init, update = method.rule.make(_ScalarArb(B))
        lo, hi = num(problem.lo), num(problem.hi)
        x = num(x1)
        state = init(x)
        loss, S = num(0), num(0)
        cps = sorted(set(checkpoints if checkpoints is not None else default_checkpoints(T)))
        want = {c for c in cps if 1 <= c <= T}
        out = []
        x_played = x
        grads = problem.gradients(B, T, True)
        for t in range(1, T + 1):
            g = next(grads)
            loss = loss + g * x
            S = S + g
            x_played = x
            step, state, _ = update(h, g, state, t)
            x = (x - step).max(lo).min(hi)  # ArbBackend.clip on a scalar
            if t in want:
                out.append(Checkpoint(t, x, loss - (-((-lo * S).max(-hi * S)))))
        regret = loss - (-((-lo * S).max(-hi * S)))
        desc = dict(B.describe(), engine="arb-fused")
        return RunResult(method.name, method.hyper, problem.describe(), T, x, x_played, regret,
                         regret / T, out, desc)
