"""Search for a violation of two printed statements that the repaired proofs do not give.

* Theorem 4 in its ICLR form (second term D^2/(2(1-beta1)) sum beta_{1t} v_hat^(1/2)/alpha_t): the repaired
  (Abel) proof gives D^2/(1-beta1) there, and the Lean project's claim that the ICLR form is true anyway
  is UNVERIFIED (spec, literature §1.7);
* AdamX Theorem 5.1 with its printed (1-beta1) second term (the proof supports (1-beta1)^2).

One coordinate (d = 1, F = [-1, 1], D_inf = 2, G_inf = max |g_t|), linear losses g_t x, x* = -sign(sum g_t).
The search is adversarial over the gradient sequence, the beta_{1t} schedule (any values in [0, beta1],
beta_{11} = beta1), x_1, alpha and beta2: random starts, then coordinate ascent on R_T / bound, in floats.
It is a *search*: a ratio < 1 everywhere it looked decides nothing.  The audit does not run it (seconds
to minutes); it replays the worst configuration found, stored below in exact rationals, in mpmath at 50
digits (``python -m proofs.iclr_search`` re-runs the search and prints a new WORST table).
"""
from __future__ import annotations

import math
import random
from fractions import Fraction


def run(method, g, b1t, x1, alpha, beta2, sqrt=math.sqrt, clamp=None):
    """One coordinate of AMSGrad (Algorithm 2) or AdamX; returns (regret, a_t list, v_hat list)."""
    lo, hi = -1, 1
    x, m, v, vh = x1, 0 * x1, 0 * x1, 0 * x1
    xs, vhs = [], []
    for t in range(1, len(g) + 1):
        gt, b = g[t - 1], b1t[t - 1]
        xs.append(x)
        m = b * m + (1 - b) * gt
        v = beta2 * v + (1 - beta2) * gt * gt
        if method == "amsgrad":
            vh = v if t == 1 else max(vh, v)
        else:
            r = (1 - b) / (1 - b1t[t - 2]) if t > 1 else 1
            vh = v if t == 1 else max(r * r * vh, v)
        x = x - alpha / sqrt(t) * m / sqrt(vh)
        x = lo if x < lo else (hi if x > hi else x)
        vhs.append(vh)
    s = sum(g)
    regret = sum(gt * xt for gt, xt in zip(g, xs)) + abs(s)
    return regret, vhs


def bound(form, g, b1t, alpha, beta1, beta2, vhs, sqrt=math.sqrt, log=math.log):
    """The printed bound (d = 1, D_inf = 2): 'iclr' (Theorem 4, ICLR) or 'adamx' (Theorem 5.1, printed)."""
    T, D, G = len(g), 2, max(abs(x) for x in g)
    gam = beta1 / sqrt(beta2)
    third = alpha * sqrt(1 + log(T)) / ((1 - beta1) ** 2 * (1 - gam) * sqrt(1 - beta2)) * sqrt(sum(x * x for x in g))
    if form == "iclr":
        first = D * D * sqrt(T) / (alpha * (1 - beta1)) * sqrt(vhs[-1])
        second = D * D / (2 * (1 - beta1)) * sum(b1t[t - 1] * sqrt(vhs[t - 1]) * sqrt(t) / alpha
                                                 for t in range(1, T + 1))
    else:
        c = D * D * G / (2 * alpha * (1 - beta1))
        first = c * sqrt(T)
        second = c * sum(b1t[t - 1] * sqrt(t - 1) for t in range(2, T + 1))
    return first + second + third


def ratio(form, cfg, **num):
    g, b1t, x1, alpha, beta1, beta2 = cfg
    method = "amsgrad" if form == "iclr" else "adamx"
    R, vhs = run(method, g, b1t, x1, alpha, beta2, **{k: v for k, v in num.items() if k == "sqrt"})
    return R / bound(form, g, b1t, alpha, beta1, beta2, vhs, **num)


def search(form, starts=200, sweeps=3, Ts=(2, 3, 5, 10, 20, 40), seed=0):
    """Random starts + coordinate ascent; returns (worst ratio, its configuration, configurations tried)."""
    rng = random.Random(seed)
    best, best_cfg, tried = -1.0, None, 0
    for _ in range(starts):
        T = rng.choice(Ts)
        beta1 = rng.choice([0.1, 0.5, 0.9, 0.99])
        beta2 = rng.choice([b for b in (0.5, 0.9, 0.99, 0.999, 0.9999) if beta1 ** 2 < b])
        alpha = 10 ** rng.uniform(-3, 1)
        g = [rng.choice([-1, 1]) * 10 ** rng.uniform(-2, 0) for _ in range(T)]
        b1t = [beta1] + [beta1 * rng.choice([0.0, 1.0, rng.random()]) for _ in range(T - 1)]
        cfg = [g, b1t, rng.uniform(-1, 1), alpha, beta1, beta2]
        cur = ratio(form, cfg)
        tried += 1
        for _ in range(sweeps):
            for k in range(T):
                for cand in (-1.0, 1.0, -0.01, 0.01, -g[k], 2 * g[k], g[k] / 2):
                    old = cfg[0][k]
                    cfg[0][k] = cand
                    r = ratio(form, cfg)
                    tried += 1
                    if r > cur:
                        cur = r
                    else:
                        cfg[0][k] = old
            for k in range(1, T):
                for cand in (0.0, beta1, beta1 / 2):
                    old = cfg[1][k]
                    cfg[1][k] = cand
                    r = ratio(form, cfg)
                    tried += 1
                    if r > cur:
                        cur = r
                    else:
                        cfg[1][k] = old
            for cand in (alpha / 3, alpha * 3):
                old = cfg[3]
                cfg[3] = cand
                r = ratio(form, cfg)
                tried += 1
                if r > cur:
                    cur, alpha = r, cand
                else:
                    cfg[3] = old
        if cur > best:
            best, best_cfg = cur, [list(cfg[0]), list(cfg[1])] + cfg[2:]
    return best, best_cfg, tried


def exact(cfg):
    """A float configuration as exact rationals (what is stored and replayed)."""
    q = lambda x: Fraction(x).limit_denominator(10 ** 6)  # noqa: E731
    g, b1t, x1, alpha, beta1, beta2 = cfg
    return [[q(x) for x in g], [q(x) for x in b1t], q(x1), q(alpha), q(beta1), q(beta2)]


# The worst configurations found by ``search(form, 2000, 3)`` (seed 0; about 1 min), as exact rationals: (ratio found, cfg,
# configurations tried).  Re-generate with ``python -m proofs.iclr_search``.
WORST: dict = {
    'iclr': (0.307935617757749, [[Fraction(16436, 176703), Fraction(32507, 533553)], [Fraction(1, 10), Fraction(0, 1)], Fraction(942278, 944643), Fraction(462932, 674979), Fraction(1, 10), Fraction(1, 2)], 780170),
    'adamx': (0.503828722094217, [[Fraction(-1, 200), Fraction(1, 100), Fraction(-1, 100), Fraction(-1, 100), Fraction(-1, 100), Fraction(-1, 100), Fraction(-1, 100), Fraction(-1, 100), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1)], [Fraction(1, 10), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(0, 1)], Fraction(-877, 569725), Fraction(200881, 470507), Fraction(1, 10), Fraction(1, 2)], 780170),
}


def replay(form: str, backend: str = "mpmath"):
    """R_T / bound at the stored worst configuration, in mpmath at 50 digits (or arb balls)."""
    import mpmath

    _, cfg, _ = WORST[form]
    if backend == "arb":
        import flint

        old = flint.ctx.prec
        flint.ctx.prec = 200
        try:
            n = lambda f: flint.arb(f.numerator) / f.denominator  # noqa: E731
            c = [[n(x) for x in cfg[0]], [n(x) for x in cfg[1]]] + [n(x) for x in cfg[2:]]
            return _ratio_num(form, c, lambda x: flint.arb(x).sqrt(), lambda x: flint.arb(x).log())
        finally:
            flint.ctx.prec = old
    ctx = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.mp
    ctx.dps = 50
    n = lambda f: ctx.mpf(f.numerator) / f.denominator  # noqa: E731
    c = [[n(x) for x in cfg[0]], [n(x) for x in cfg[1]]] + [n(x) for x in cfg[2:]]
    return _ratio_num(form, c, ctx.sqrt, ctx.log)


def _ratio_num(form, cfg, sqrt, log):
    g, b1t, x1, alpha, beta1, beta2 = cfg
    R, vhs = run("amsgrad" if form == "iclr" else "adamx", g, b1t, x1, alpha, beta2, sqrt=sqrt)
    return R / bound(form, g, b1t, alpha, beta1, beta2, vhs, sqrt=sqrt, log=log)


if __name__ == "__main__":  # pragma: no cover -- the offline search behind the stored WORST table
    import sys

    starts = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    for form in ("iclr", "adamx"):
        r, cfg, n = search(form, starts, 3)
        print(f"{form!r}: ({r!r}, {exact(cfg)!r}, {n}),")
