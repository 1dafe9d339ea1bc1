"""Simulation evidence for a periodic-family witness: float64 (fused engine) plus a ball run.

For a witness (beta1, beta2, C, n, eps, scale) this runs, on g_t = s C at phase 0 and -s otherwise:

* Adam from x1 = +1 (the theorems' start) and from x1 = -1 (the optimum), and AMSGrad from both, in
  float64 with :func:`numerics.engine.batch` (the numba engine; it reproduces numerics.run bit for
  bit) or, without numba, with :func:`numerics.run.run`;
* Adam from x1 = +1 in python-flint balls at 128 bits for min(T, 20000) rounds with the reference
  definition (the fused ball loop of :mod:`numerics.engine.arb`: the balls of :func:`numerics.run.run` on
  the arb backend), compared with the reference loop's float64 at the same horizon.

The horizon is chosen from the drift: unprojected, the block-start iterate moves by 2 alpha D sqrt(T)/n
(:func:`counterexamples.drift.predicted_displacement`), so crossing the box takes
(n / (alpha |D|))^2 rounds.  Before that the transient (m_t, v_t not yet periodic; v_0 = 0 makes the
first steps large) can push x anywhere, so an outcome is *due* only after ``settle_rounds`` plus one
crossing; the horizon is settle + 4 crossings, clamped to [1e5, T_cap].  Outcomes that are not due
and do not (yet) hold make the record's ``agrees`` UNKNOWN; a due outcome on the wrong half of the box
makes it REFUTED; EVIDENCE (a finite run supports the certificate, never PROVED) needs every final iterate
within 0.1 of its predicted end point.  ``agrees`` is a status of :mod:`analysis.verdict`; ``agreement``
the same verdict in JSON with its label (agrees / disagrees / inconclusive) and reason.

Past the float engine's reach: where the certified fast-forward applies (numerics.engine.fastforward:
every witness of this module's families with eps's Adam and AMSGrad), the four runs are certified-ball runs
to T_FAST = 10^12 or to settle + 4 crossings when that is longer (at most 10^15; milliseconds to a second
each), so a small drift does not leave the record inconclusive for lack of rounds: ``engine`` says
"fast-forward (certified balls)", ``method`` the horizon, and the checks use the balls' bounds.  Where it
does not apply, the period is longer than FAST_N_MAX (its certificates cost O(n^2)), or one of the four
runs is not certified within FAST_EXPLICIT_MAX explicit rounds, ``fast_forward_why_not`` says why and the
float runs above take over.  The agreement stays EVIDENCE at best (a finite run), whatever the engine.

Example: Theorem 1 (C = 3, beta2 = 1/10, alpha = 1/2): the float64 run and a 128-bit ball run agree
that Adam sits at x = +1 after 300 rounds:

    >>> from fractions import Fraction
    >>> from counterexamples.certify import ball_check
    >>> r = ball_check(0, Fraction(1, 10), 3, 3, Fraction(1, 2), T=300)
    >>> r["x_T_ball"], r["x_T_float64"], r["float_inside_ball_or_1e-10"]
    ('1.0000000000000000000', 1.0, True)
"""
from __future__ import annotations

import math
import time
from fractions import Fraction

from analysis.verdict import EVIDENCE, REFUTED, UNKNOWN, Verdict

from . import drift as dr

T_MIN = 100_000
T_CAP = 100_000_000
T_FAST = 10 ** 12  # the fast-forward's horizon for the confirmations (the float horizon is T_CAP at most)
T_FAST_MAX = 10 ** 15
FAST_N_MAX = 512  # the fast-forward's certificates cost O(n^2): ~1 s a run at n = 512, minutes at 3218
FAST_EXPLICIT_MAX = 50_000  # late rounds it may step one by one before it gives up (a cheap UNKNOWN)
BALL_T = 20_000
NEAR = 0.9  # "x_T near +1 (or -1)": the final iterate within 0.1 of the end point


def _engine_runs(method, beta1, beta2, alpha, C, n, eps, scale, x1s, T):
    """x_T, R_T/T and (R_T - R_{T/2})/(T - T/2) for each start in x1s (float64); + engine name.

    The second-half average discards the transient's regret, so it approaches lim R_T/T much sooner."""
    import numpy as np

    try:
        from numerics.engine import batch
        from numerics.optimizers import make
        from numerics.problems import Periodic

        r = batch(make(method, alpha=str(alpha), beta1=str(beta1), beta2=str(beta2), eps=str(eps)),
                  Periodic(pattern=[float(scale * C)] + [float(-scale)] * (int(n) - 1)), T,
                  x1=np.array(x1s, dtype=float), checkpoints=(_half(T, n),))
        h = _half(T, n)
        half = [(float(r.regret[i]) - float(r.cp_regret[0, i])) / (T - h) for i in range(len(x1s))]
        return [float(v) for v in r.x_T], [float(v) for v in r.avg_regret], half, r.engine
    except Exception:  # noqa: BLE001 -- engine missing (no numba): the reference path, shorter
        from numerics.optimizers import make
        from numerics.run import run

        from analysis.families import periodic_problem

        m = make(method, alpha=alpha, beta1=beta1, beta2=beta2, eps=eps)
        prob = periodic_problem(scale * C, n, big=scale * C, small=-scale)
        h = _half(T, n)
        out = [run(m, prob, T, x1=x, checkpoints=[h, T]) for x in x1s]
        half = [float(o.regret - o.checkpoints[0].regret) / (T - h) for o in out]
        return [float(o.x_T) for o in out], [float(o.avg_regret) for o in out], half, "numpy-reference"


def _fast_runs(method, beta1, beta2, alpha, C, n, eps, scale, x1s, T):
    """The certified fast-forward for each start: ([x_T balls], [R_T/T balls], [second-half R/T balls],
    None), or (None, None, None, why not) when it does not apply or a run is not certified."""
    from numerics.engine.fastforward import fast_forward, fast_forward_applies
    from numerics.optimizers import make
    from numerics.problems import Periodic

    m = make(method, alpha=str(alpha), beta1=str(beta1), beta2=str(beta2), eps=str(eps))
    s = Fraction(scale)
    prob = Periodic(pattern=[s * Fraction(C)] + [-s] * (int(n) - 1))
    xs, avg, half = [], [], []
    h = _half(T, n)
    if int(n) > FAST_N_MAX:
        return None, None, None, f"period n = {n} > {FAST_N_MAX}: the fast-forward's certificates cost O(n^2)"
    for x1 in x1s:
        ok, why = fast_forward_applies(m, prob, T, x1)
        if not ok:
            return None, None, None, f"{method}: {why}"
        r = fast_forward(m, prob, T, x1=x1, checkpoints=[h], explicit_max=FAST_EXPLICIT_MAX)
        if not r.certified:
            return None, None, None, f"{method} from x1 = {x1}: {r.why_not}"
        Rh = next(rc for t, _, rc in r.checkpoints if t == h)
        xs.append(r.x_T)
        avg.append(r.avg_regret)
        half.append((r.regret - Rh) / (T - h))
    return xs, avg, half, None


def ball_check(beta1, beta2, C, n, alpha, eps=0, scale=1, T: int = BALL_T, x1=1) -> dict:
    """Adam in arb balls (128 bits, reference definition) vs float64 at the same horizon."""
    from numerics.backends import ArbBackend
    from numerics.engine.single import simulate as simulate_ball
    from numerics.optimizers import make
    from numerics.run import run

    from analysis.families import periodic_problem

    if n > T:  # only the first T rounds are played: an explicit sequence avoids building a huge period
        from numerics.problems import Explicit

        prob = Explicit(values=[scale * C] + [-scale] * (T - 1))
    else:
        prob = periodic_problem(scale * C, n, big=scale * C, small=-scale)
    m = make("adam", alpha=alpha, beta1=beta1, beta2=beta2, eps=eps)
    t0 = time.perf_counter()
    # every round stepped in balls (fast_forward=False): numerics.engine's fused ball loop, the same balls as
    # run(..., backend=ArbBackend) (the rule's own update on the same arb operations; tests/test_engine_arb.py)
    # in about a fifth of its time; the reference loop itself where the fused loop does not apply.  The float64
    # side stays the reference loop, so the two runs share the update's definition and nothing else
    rb = simulate_ball(m, prob, T, x1=x1, backend=ArbBackend(128), checkpoints=[], fast_forward=False)
    rf = run(m, prob, T, x1=x1)
    x_ball = rb.x_T
    diff = abs(float(x_ball.mid()) - float(rf.x_T))
    return {"T": T, "prec_bits": 128, "x_T_ball": x_ball.str(20), "x_T_float64": float(rf.x_T),
            "abs_diff": diff, "float_inside_ball_or_1e-10": bool(diff <= float(x_ball.rad()) + 1e-10),
            "ball_engine": rb.backend.get("engine", "reference"), "seconds": round(time.perf_counter() - t0, 3)}


def simulate(beta1, beta2, C, n: int, alpha=Fraction(1), eps=0, scale=1, T: int | None = None,
             ball: bool = True, t_cap: int = T_CAP) -> dict:
    """Run the witness; see the module docstring.  Returns the ``simulation`` record of the JSON."""
    b1, b2, Cq = dr.q(beta1), dr.q(beta2), dr.q(C)
    eps_eff = dr.q(eps) / (dr.q(scale) ** 2)  # Adam-eps on s g  ==  Adam-(eps/s^2) on g
    D = float(dr.drift(b1, b2, Cq, n, backend="float", eps=float(eps_eff)))
    Dams = dr.amsgrad_drift(b1, b2, Cq, n)
    a = float(alpha)
    cross = dr.rounds_to_cross(D, a, n)
    cross_ams = dr.rounds_to_cross(Dams, a, n)
    settle = settle_rounds(b1, b2, n)
    auto = T is None
    need, need_ams = settle + 4 * cross, settle + 4 * cross_ams
    t_min = min(max(T_MIN, 100 * n), t_cap)  # at least 100 periods, so R_T/T can approach its limit
    T_adam = _whole_periods(min(max(need, t_min), t_cap), n) if auto else int(T)
    # AMSGrad: when even the cap cannot reach the crossing, run the short horizon (direction only)
    T_ams = _whole_periods(min(max(need_ams, t_min), t_cap) if need_ams <= t_cap else t_min, n) if auto else int(T)
    t0 = time.perf_counter()
    fast, why_fast = None, None
    if auto or int(T) >= T_FAST:  # an explicit short T is the user's float horizon
        T_f = _whole_periods(min(max(need, T_FAST if auto else int(T)), T_FAST_MAX), n)
        T_fm = _whole_periods(min(max(need_ams, T_FAST if auto else int(T)), T_FAST_MAX), n)
        xa, ra, ha, why_fast = _fast_runs("adam", b1, b2, alpha, Cq, n, eps, scale, [1, -1], T_f)
        if why_fast is None:
            xm, rm, hm, why_fast = _fast_runs("amsgrad", b1, b2, alpha, Cq, n, eps, scale, [1, -1], T_fm)
        if why_fast is None:
            fast = (xa, ra, ha, xm, rm, hm)
            T_adam, T_ams, engine = T_f, T_fm, "fast-forward (certified balls)"
    if fast is None:
        xa, ra, ha, engine = _engine_runs("adam", b1, b2, alpha, Cq, n, eps, scale, [1.0, -1.0], T_adam)
        xm, rm, hm, _ = _engine_runs("amsgrad", b1, b2, alpha, Cq, n, eps, scale, [1.0, -1.0], T_ams)
    secs = time.perf_counter() - t0
    limit = float(dr.limit_avg_regret(Cq, n)) * float(scale)
    # an outcome is due once the transient has settled and the drift had time to cross the box
    due_a, due_m = T_adam >= settle + cross, T_ams >= settle + cross_ams
    # (is the outcome due at this horizon, the final iterate's signed distance towards the predicted end)
    side = 1.0 if D > 0 else -1.0
    if fast is None:
        checks = [(due_a, side * xa[0]), (due_a, side * xa[1]), (due_m, -xm[0]), (due_m, -xm[1])]
        precision, balls = "float64", None
    else:  # balls: (due, lower bound, upper bound) of the signed distance; the record keeps midpoints
        sides = [side, side, -1.0, -1.0]
        bs = [xa[0], xa[1], xm[0], xm[1]]
        checks = [(due, float((sg * b).lower()), float((sg * b).upper()))
                  for due, sg, b in zip([due_a, due_a, due_m, due_m], sides, bs)]
        balls = {"adam_x_T": xa[0].str(12), "adam_x_T_from_optimum": xa[1].str(12),
                 "amsgrad_x_T": xm[0].str(12), "amsgrad_x_T_from_optimum": xm[1].str(12),
                 "adam_avg_regret": ra[0].str(12), "amsgrad_avg_regret": rm[0].str(12)}
        mid = (lambda v: [float(b.mid()) for b in v])
        xa, ra, ha, xm, rm, hm = map(mid, (xa, ra, ha, xm, rm, hm))
        precision = "arb balls (192 bits)"
    agreement = agreement_verdict(checks, T_adam, T_ams,
                                  method=None if fast is None else "certified-ball runs (numerics.engine.fastforward)")
    agrees = agreement.status
    rec = {
        "T": T_adam, "T_amsgrad": T_ams, "alpha": str(alpha), "engine": engine, "precision": precision,
        "adam_x_T": xa[0], "adam_avg_regret": ra[0], "adam_avg_regret_second_half": ha[0],
        "adam_x_T_from_optimum": xa[1],
        "amsgrad_x_T": xm[0], "amsgrad_x_T_from_optimum": xm[1], "amsgrad_avg_regret": rm[0], "amsgrad_avg_regret_second_half": hm[0],
        "limit_avg_regret_if_diverging": limit,
        "predicted_rounds_to_cross_box": {"adam": _num(cross), "amsgrad": _num(cross_ams)},
        "settle_rounds": settle,
        "agrees": agrees,
        "agreement": agreement.brief(),
        "seconds": round(secs, 3),
    }
    if balls is not None:
        rec["balls"] = balls
        rec["method"] = f"certified-ball runs (numerics.engine.fastforward) to T = {T_adam:.3g} (AMSGrad {T_ams:.3g})"
    if why_fast is not None:
        rec["fast_forward_why_not"] = why_fast
    if ball:
        rec["ball"] = ball_check(b1, b2, Cq, n, alpha, eps, scale, min(T_adam, BALL_T))
    return rec


def agreement_verdict(checks, T_adam: int, T_ams: int, method: str | None = None) -> Verdict:
    """checks: (is the outcome due at this horizon, signed distance of x_T towards the predicted end), or
    (due, lower bound, upper bound) of that distance for a ball.  REFUTED when a due outcome is certainly
    not on the predicted half (upper bound <= 0.5); UNKNOWN when some iterate is not certainly within
    1 - NEAR of its end point (lower bound < NEAR); EVIDENCE only when every one is (a finite run, balls
    or not)."""
    claim = "the simulation agrees with the certified drift"
    rng = f"T = {T_adam} (Adam), {T_ams} (AMSGrad)" + (f"; {method}" if method else "")
    checks = [(c[0], c[1], c[1]) if len(c) == 2 else tuple(c) for c in checks]
    if any(due and hi <= 0.5 for due, _, hi in checks):  # due, yet not even on the predicted half
        return Verdict(REFUTED, claim, reason=f"a due outcome ended on the wrong half ({rng})", label="disagrees")
    if any(lo < NEAR for _, lo, _ in checks):  # right half but not yet near the end point
        return Verdict(UNKNOWN, claim, reason=f"an iterate is not yet within {1 - NEAR:g} of its end point ({rng})",
                       label="inconclusive")
    return Verdict(EVIDENCE, claim, reason=rng, label="agrees")


def _half(T: int, n: int) -> int:
    """A checkpoint near T/2 on a period boundary (the second half then holds whole periods)."""
    h = (T // 2 // n) * n
    return h if h >= 1 else max(1, T // 2)


def _whole_periods(T, n: int) -> int:
    """T rounded down to whole periods when it spans at least two (regret limits are per period)."""
    T = int(T)
    return (T // n) * n if T >= 2 * n else T


def settle_rounds(beta1, beta2, n: int) -> int:
    """Rounds until m_t, v_t are within 1e-3 (relative) of the periodic steady state, plus a period:
    n + 7/(1-beta1) + 7/(1-beta2) (beta^t < 1e-3).  The drift argument applies after that."""
    return int(n + math.ceil(7 / (1 - float(beta1))) + math.ceil(7 / (1 - float(beta2))))


def _num(x: float):
    return None if not math.isfinite(x) else float(f"{x:.4g}")
