"""A fused certified path: one 1-D trajectory on python-flint ``arb`` balls, about 4x faster than
:func:`numerics.run.run` on the arb backend, with *the same balls*.

Ball arithmetic is deterministic: the same operations on the same balls at the same precision give
the same midpoint and radius.  This loop performs, for every round, exactly the arb operations of
:mod:`numerics.optimizers` (through :func:`numerics.run.run`) in the same order; it only removes the
Python layers around them (backend adapters, schedule helpers, the exact conversion of t through
``Fraction``, state tuples) and computes once the values that do not change between rounds
(1 - beta1, 1 - beta2, g*g for each distinct gradient value).  ``tests/test_engine_arb.py`` checks
that midpoints and radii agree exactly with ``numerics.run`` on the arb backend.

Every reported number is a ball that encloses the exact real value of the paper's recursion.

API: ``run_arb(method, problem, T, x1, backend, checkpoints=None) -> RunResult | None`` (None when
the method, the problem or the shape is not covered; then use ``numerics.run.run``).
"""
from __future__ import annotations

from typing import Sequence

from .backends import ArbBackend
from .optimizers import BIAS_CORRECTION_V, VARIANTS


def _covered(method, problem, x1, backend) -> bool:
    from .problems import Bernoulli, Explicit, Periodic

    if not isinstance(backend, ArbBackend):
        return False
    if method.name not in ("sgd", "adagrad", "rmsprop", "adam", "amsgrad", "adamnc", "adamx"):
        return False
    if method.hyper.get("beta2_schedule", "beta2_adamnc") != "beta2_adamnc":
        return False
    if type(problem) not in (Periodic, Bernoulli, Explicit) or problem.d != 1:
        return False
    if isinstance(problem, Bernoulli) and problem.batch != 1:
        return False
    try:
        import numpy as np

        return np.ndim(x1) == 0
    except Exception:  # pragma: no cover
        return False


def run_arb(method, problem, T: int, x1, backend: ArbBackend,
            checkpoints: Sequence[int] | None = None):
    """numerics.run.run(method, problem, T, x1, backend) for one 1-D trajectory on arb, fused."""
    if not _covered(method, problem, x1, backend):
        return None
    T = int(T)
    if T < 1:
        return None
    from .problems import Explicit
    from .run import Checkpoint, RunResult, default_checkpoints

    if isinstance(problem, Explicit) and T > len(problem._rows):
        return None
    B = backend
    with B.precision():
        return _run(method, problem, T, x1, B, checkpoints, Checkpoint, RunResult,
                    default_checkpoints)


def _run(method, problem, T, x1, B, checkpoints, Checkpoint, RunResult, default_checkpoints):
    arb = B.flint.arb
    h = dict(method.hyper)
    name = method.name
    num = B.num
    lo, hi = num(problem.lo), num(problem.hi)
    x = num(x1)
    zero = num(0)
    one = num(1)
    loss, S = num(0), num(0)
    m = v = vh = zero
    sched = h.get("schedule", "sqrt")
    if sched not in ("sqrt", "constant"):
        return None
    a = num(h.get("alpha", 1))
    cps = sorted(set(checkpoints if checkpoints is not None else default_checkpoints(T)))
    want = {c for c in cps if 1 <= c <= T}
    out = []
    # switches exactly as numerics.optimizers._adam_family resolves them
    kind = {"sgd": 0, "adagrad": 1}.get(name, 2)
    if kind == 2:
        sw = dict(VARIANTS[h.get("variant", "paper")])
        for key in ("bias_correction_m", "bias_correction_v", "eps_inside"):
            if key in h and h[key] is not None:
                sw[key] = h[key]
        if sw["bias_correction_v"] not in BIAS_CORRECTION_V:
            return None
        bcm, bcv, epsin = bool(sw["bias_correction_m"]), sw["bias_correction_v"], bool(sw["eps_inside"])
        b1 = num(h.get("beta1", 0))
        b2 = None if h.get("beta2") is None else num(h["beta2"])
        e, er = num(h.get("eps", 0)), num(h.get("eps_root", 0))
        lam = None if h.get("lam") is None else num(h["lam"])
        b1s = h.get("beta1_schedule", "constant")
        ams = name in ("amsgrad", "adamx")
        adx = name == "adamx"
        adamnc = name == "adamnc"
        if b1s == "geometric" and lam is None:
            return None
        omb1 = one - b1
        omb2 = None if b2 is None else one - b2

        def b1t(t):
            if b1s == "constant":
                return b1
            if b1s == "geometric":
                return b1 * lam ** (t - 1)
            return b1 / arb(t)
    else:
        e = num(h.get("eps", 0))
    grads = problem.gradients(B, T, True)
    gsq: dict = {}  # g*g per distinct gradient ball (same inputs, same ball)
    x_played = x
    for t in range(1, T + 1):
        g = next(grads)
        loss = loss + g * x
        S = S + g
        x_played = x
        at = a / arb(t).sqrt() if sched == "sqrt" else a
        if kind == 0:
            step = at * g
        elif kind == 1:
            v = v + g * g
            denom = (v / arb(t) + e).sqrt()
            step = at * (zero if denom.is_zero() else g / denom)
        else:
            if b1s == "constant":
                bt1, ob1 = b1, omb1
            else:
                bt1 = b1t(t)
                ob1 = one - bt1
            gg = gsq.get(id(g))
            if gg is None or gg[0] is not g:
                gg = (g, g * g)
                gsq[id(g)] = gg
            if adamnc:
                bt2 = 1 - 1 / arb(t)
                m = bt1 * m + ob1 * g
                v = bt2 * v + (one - bt2) * gg[1]
            else:
                m = bt1 * m + ob1 * g
                v = b2 * v + omb2 * gg[1]
            vfm = v / (one - b2 ** t) if bcv == "before_max" else v
            if adx:
                ratio = one if t == 1 else (ob1 / (one - b1t(t - 1))) ** 2
                vh = (ratio * vh).max(vfm)
            elif ams:
                vh = vh.max(vfm)
            else:
                vh = vfm
            mu = m / (one - b1 ** t) if bcm else m
            vu = vh / (one - b2 ** t) if bcv == "after_max" else vh
            lr = at * (one - b2 ** t).sqrt() if bcv == "in_lr" else at
            denom = (vu + e + er).sqrt() if epsin else (vu + er).sqrt() + e
            step = lr * (zero if denom.is_zero() else mu / denom)
        x = (x - step).max(lo).min(hi)
        if t in want:
            out.append(Checkpoint(t, x, loss - (-((-lo * S).max(-hi * S)))))
    regret = loss - (-((-lo * S).max(-hi * S)))
    desc = dict(B.describe(), engine="arb-fused")
    return RunResult(method.name, method.hyper, problem.describe(), T, x, x_played, regret,
                     regret / T, out, desc)
