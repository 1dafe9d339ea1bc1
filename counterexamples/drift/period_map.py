"""The projection step of the drift argument, proved by Z3 (paper §10 (docs/paper.md), 1-D projection property).

Claim (used in :mod:`counterexamples.drift`): on [a, b], from y in [a, b], steps that are first <= 0 and
then > 0 give exactly

    y_end = min(b, max(a + P, y + N + P)),   N = sum of the steps <= 0, P = sum of the steps > 0.

By induction on the number of steps it follows from four clamp identities, each proved here for all
reals (clamp(u) = min(b, max(a, u)) with a < b):

  K1  y in [a, b], d <= 0:            clamp(y + d) = max(a, y + d)
  K2  u in [a, b], d >= 0:            clamp(u + d) = min(b, u + d)
  K3  d <= 0, e <= 0:                 max(a, max(a, u + d) + e) = max(a, u + d + e)
  K4  d >= 0, e >= 0:                 min(b, min(b, u + d) + e) = min(b, u + d + e)
  K5  (combination)  min(b, max(a, y + N) + P) = min(b, max(a + P, y + N + P))   for P >= 0.

From K5: if N + P > 0 then y_end >= min(b, y + N + P) (the iterate rises or reaches b); if N + P < 0 then
y_end <= max(a + P, y + N + P) (it falls, down to a + P).  A mutated claim (the sign pattern reversed)
is refuted, so the proofs are not vacuous (see the tests).
"""
from __future__ import annotations


def _mn(x, y):
    import z3

    return z3.If(x <= y, x, y)


def _mx(x, y):
    import z3

    return z3.If(x >= y, x, y)


def identities():
    """name -> (claim, hypotheses) over z3 reals a, b, y, u, d, e, N, P."""
    import z3

    a, b, y, u, d, e, N, P = z3.Reals("a b y u d e N P")
    clamp = lambda v: _mn(b, _mx(a, v))
    box = [a < b]
    return {
        "K1": (clamp(y + d) == _mx(a, y + d), box + [a <= y, y <= b, d <= 0]),
        "K2": (clamp(u + d) == _mn(b, u + d), box + [a <= u, u <= b, d >= 0]),
        "K3": (_mx(a, _mx(a, u + d) + e) == _mx(a, u + d + e), box + [d <= 0, e <= 0]),
        "K4": (_mn(b, _mn(b, u + d) + e) == _mn(b, u + d + e), box + [d >= 0, e >= 0]),
        "K5": (_mn(b, _mx(a, y + N) + P) == _mn(b, _mx(a + P, y + N + P)), box + [P >= 0]),
    }


def mutated():
    """The period map with the sign pattern reversed (positive steps first): false, Z3 must refute."""
    import z3

    a, b, y, N, P = z3.Reals("a b y N P")
    # positive steps first from y, then negative: max(a, min(b, y + P) + N) is NOT min(b, max(a+P, y+N+P))
    return (_mx(a, _mn(b, y + P) + N) == _mn(b, _mx(a + P, y + N + P)),
            [a < b, a <= y, y <= b, P >= 0, N <= 0])


def prove_all(timeout_s: float = 10.0) -> dict:
    """Z3 verdicts of K1-K5: name -> {'status', 'seconds', 'engine'}."""
    from proofs.z3kit import prove

    out = {}
    for name, (claim, hyp) in identities().items():
        v = prove(claim, hyp, timeout_s=timeout_s)
        out[name] = {"status": v.status, "seconds": round(v.seconds, 4), "engine": v.engine}
    return out
