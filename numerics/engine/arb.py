"""The certified fast path: one 1-D trajectory on python-flint ``arb`` balls, with *the same balls* as
:func:`numerics.run.run` on the arb backend.

Ball arithmetic is deterministic: the same operations on the same balls at the same precision give
the same midpoint and radius.  The step is the rule's own ``update`` (made on a scalar view of the
same backend, so the same arb operations build the same balls).  The loop around it is generated:
:func:`numerics.engine.specialise.specialise` rewrites the update into a loop body that evaluates
what never changes once, what depends on the gradient alone once per gradient object, and never the
unread ``inv_lr`` (see that module for why the balls stay the same).  A rule outside the rewrites'
language runs :func:`_plain_loop`, the update called as is.  Either way this module removes the
layers around the step (problem iterators, object-array checks, projection and regret helpers).
"""
from __future__ import annotations

import itertools
from typing import Sequence

from ..backends import ArbBackend
from ..problems import Bernoulli, Explicit, Periodic
from .plan import why_not_rule
from .specialise import NotSpecialisable, specialise

MEMO_MAX = 64  # gradient objects remembered (an Explicit problem yields new ones: bounded)
_LOOPS: dict = {}  # generated loops by (rule key, precision): generating one takes ~20 ms

__all__ = ["run_arb", "why_not_arb", "ScalarArb", "generated_loop", "loop_source"]


class ScalarArb:
    """ArbBackend's operations on scalar balls only (the same arb calls, no array dispatch).

    A rule's ``make`` takes it in place of the backend (``method.rule.make(ScalarArb(B))``): the update then
    builds, on one scalar ball, the same balls as on ``B`` (ball arithmetic is deterministic: the same arb
    operations at the same precision give the same midpoint and radius), without ``B``'s per-call array
    checks.  Both fused ball loops use it: :func:`run_arb` here and the exact phase of
    :mod:`numerics.engine.fastforward`.  Helpers are plain one-``return`` functions so that the loop
    generator (:mod:`numerics.engine.specialise`) can inline them.  ``safe_div(a, b)`` is a / b, and 0 where
    the ball ``b`` is exactly zero (the backend's 0/0 convention); ``num`` gives a round index's exact
    ``arb(t)`` and anything else ``B.num``.

    >>> from numerics.backends import ArbBackend
    >>> B = ArbBackend(prec=128)
    >>> S = ScalarArb(B)
    >>> with B.precision():
    ...     q, r, m = S.safe_div(S.num(1), S.num(0)), S.sqrt(S.num(4)), S.maximum(S.num(2), S.num(3))
    >>> q.is_zero(), r == 2, m == 3  # exact balls: an arb comparison is True only when it is certain
    (True, True, True)
    """

    def __init__(self, B: ArbBackend):
        arb = B.flint.arb
        bnum = B.num
        zero = arb(0)

        def num(v):
            # a round index is an exact small integer: arb(t) is the ball B.num(t) makes (arb(t)/1)
            return arb(v) if type(v) is int else bnum(v)

        def safe_div(a, b):
            return zero if b.is_zero() else a / b

        self.num = num
        self.safe_div = safe_div
        self.zeros_like = B.zeros_like
        self.power = B.power
        self.jit = B.jit
        self.sqrt = arb.sqrt
        self.maximum = arb.max
        # the zoo's sign / clip / minimum rules (Lion, signSGD, Yogi, ADOPT): the backend's own helpers
        self.minimum = B.minimum
        self.sign = B.sign
        self.clip = B.clip
        self.mean_last = B.mean_last


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


_LOOP = '''
def loop(h, x, state, lo, hi, stops, want, gsource, zero):
    {prelude}

    def gvals(_g):  # what depends on the gradient alone, once per gradient object
        {memo}
        return (_g, {names})

    grads = gsource(gvals)
    {unpack} = state
    loss = zero
    S = zero
    xp = x
    out = []
    t0 = 1
    for stop in stops:  # plain rounds up to the next read-out (a checkpoint or round T)
        for _t in range(t0, stop + 1):
            _g, {names} = next(grads)
            loss = loss + _g * x
            S = S + _g
            xp = x
            {body}
            x = (x - _step).max(lo).min(hi)  # ArbBackend.clip on a scalar
        t0 = stop + 1
        if stop in want:
            out.append((stop, x, loss - (-((-lo * S).max(-hi * S)))))
    return x, xp, loss, S, out
'''


def loop_source(sp) -> str:
    """The generated loop's source for a specialised update (``sp``); ``loop(...)`` returns
    (x_T, x_played, loss, S, [(t, x, regret) at checkpoints])."""
    ind = "\n            "
    body = ind.join(line for s in sp.body for line in s.splitlines())
    return _LOOP.format(prelude="\n    ".join(sp.prelude) or "pass",
                        memo="\n        ".join(f"{n} = {e}" for n, e in sp.memo) or "pass",
                        names="".join(f"{n}, " for n, _ in sp.memo),
                        unpack="(" + ", ".join(f"_s_{f}" for f in sp.state) + ",)", body=body)


def _gradient_source(problem, B, T):
    """gsource(gvals) -> iterator of gvals(g_t): a periodic pattern's values once per position,
    else per gradient object, remembered while the problem yields the same objects again."""
    if isinstance(problem, Periodic):  # the same ball objects, in the same order, without phase()
        period = list(problem.gradients(B, problem.n, True))
        return lambda gvals: itertools.cycle([gvals(g) for g in period])

    def memoised(gvals):
        memo: dict = {}
        for g in problem.gradients(B, T, True):
            e = memo.get(id(g))
            if e is None or e[0] is not g:
                e = gvals(g)
                if len(memo) >= MEMO_MAX:
                    memo.clear()
                memo[id(g)] = e
            yield e

    return memoised


def generated_loop(update, State):
    """The compiled generated loop for ``update`` (raises NotSpecialisable outside its language)."""
    sp = specialise(update, State)
    ns = dict(sp.ns)
    exec(compile(loop_source(sp), f"<numerics.engine.arb loop {State.__name__}>", "exec"), ns)
    return ns["loop"]


def _plain_loop(update, h, x, state, lo, hi, T, grads, want, zero):
    """The rule's update called as is (rules outside the generator's language)."""
    loss = S = zero
    xp = x
    out = []
    for t in range(1, T + 1):
        g = next(grads)
        loss = loss + g * x
        S = S + g
        xp = x
        step, state, _ = update(h, g, state, t)
        x = (x - step).max(lo).min(hi)  # ArbBackend.clip on a scalar
        if t in want:
            out.append((t, x, loss - (-((-lo * S).max(-hi * S)))))
    return x, xp, loss, S, out


def run_arb(method, problem, T: int, x1, backend: ArbBackend, checkpoints: Sequence[int] | None = None,
            *, generated: bool = True):
    """numerics.run.run(method, problem, T, x1, backend) for one 1-D trajectory on arb, fused.

    ``generated=False`` runs the plain loop (the tests compare both with the reference)."""
    from ..run import Checkpoint, RunResult, default_checkpoints

    B = backend
    with B.precision():
        num = B.num
        h = method.rule.Hyper(**{k: num(v) for k, v in method.numbers.items()})
        init, update = method.rule.make(ScalarArb(B))
        lo, hi = num(problem.lo), num(problem.hi)
        x = num(x1)
        state = init(x)
        cps = sorted(set(checkpoints if checkpoints is not None else default_checkpoints(T)))
        want = {c for c in cps if 1 <= c <= T}
        engine = "arb-fused"
        loop = None
        # the rewrites assume the helpers are pure: a user's beta2 schedule runs the plain loop
        if generated and why_not_rule(method) is None:
            key = (method.rule.key, B.prec)  # the key names every switch of the rule
            if key not in _LOOPS:
                try:
                    _LOOPS[key] = generated_loop(update, method.rule.State)
                except NotSpecialisable:
                    _LOOPS[key] = None
            loop = _LOOPS[key]
        if loop is not None:
            stops = sorted(want | {T})
            x, x_played, loss, S, out = loop(h, x, state, lo, hi, stops, want,
                                             _gradient_source(problem, B, T), num(0))
        else:
            engine = "arb-fused-plain"
            x, x_played, loss, S, out = _plain_loop(update, h, x, state, lo, hi, T,
                                                    problem.gradients(B, T, True), want, num(0))
        regret = loss - (-((-lo * S).max(-hi * S)))
        desc = dict(B.describe(), engine=engine)
        return RunResult(method.name, method.hyper, problem.describe(), T, x, x_played, regret,
                         regret / T, [Checkpoint(t, xc, rc) for t, xc, rc in out], desc)
