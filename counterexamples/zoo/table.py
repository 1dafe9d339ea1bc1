"""The zoo table: per method, the certified drift verdict and the simulation on each problem, and the
smallest diverging C of the Theorem 2 family.

Problems (counterexamples.conformance.suite, with their prescribed hyper-parameters):
  thm1             Theorem 1, C = 3: beta1 = 0, beta2 = 1/10, alpha = 1/2, x1 = 1;
  section5-online  1010 once per 101 rounds, else -10: beta1 = 0.9, beta2 = 0.99, alpha = 1/2, x1 = 0;
  thm2-threshold   Theorem 2's family at (0.9, 0.99) with C = 30, the smallest even C at which the
                   paper's Adam diverges (certified by counterexamples.drift): alpha = 1, x1 = 1.
Each method runs with the problem's (beta1, beta2) in the roles its factory gives them
(counterexamples.zoo.methods).  Verdicts:
  * certified: the sign of the generalised drift D (counterexamples.drift.general), "diverges" meaning
    x_t -> the worst point +1, "converges" x_t -> x* = -1; UNKNOWN with the reason otherwise;
  * simulated: where the certified fast-forward applies (numerics.engine.fastforward), a certified-ball run
    to T = T_FAST = 10^12 (cheap): the late-half regret ratio and x_T as balls, judged with the
    conformance thresholds (:func:`fast_simulate`); where it does not apply, ends UNKNOWN or decides
    nothing, its why_not is recorded and T float64 rounds with alpha_t = alpha/sqrt(t) run as before
    (counterexamples.conformance.verdict on the late half); and whether it agrees with the certified
    verdict.  Either way the simulation is EVIDENCE (a finite run) and never changes the certified
    drift's status: their agreement is its own verdict.
Every verdict is an :class:`analysis.verdict.Verdict` in JSON ({"status", "label", "reason"}): the
certified drift is PROVED (label diverges / converges) or UNKNOWN; a simulation is EVIDENCE (label
converges / stuck at the worst point) or UNKNOWN (undecided); the agreement of the two is EVIDENCE (label
agrees), REFUTED (label disagrees: a regression) or UNKNOWN (label inconclusive / no certified verdict).
"""
from __future__ import annotations

import math
import time

import numpy as np

from analysis.conditions import PAPER_SETTINGS, check_beta
from counterexamples.conformance.suite import build_case
from analysis.verdict import EVIDENCE, PROVED, REFUTED, UNKNOWN, Verdict
from counterexamples.conformance.verdict import CONVERGES, STUCK, verdict
from counterexamples.drift import general
from numerics.run import run

from .methods import ROWS

#: The counterexamples each method meets: Theorem 1, the Section 5 online problem, Theorem 2 at its threshold.
PROBLEMS = ("thm1", "section5-online", "thm2-threshold")
#: The paper's (beta1, beta2) settings as decimal text, for the smallest diverging C column.
PAIRS = tuple((str(float(b1)), str(float(b2))) for b1, b2 in PAPER_SETTINGS)  # ("0.9", "0.99"), ("0.9", "0.999")
T_SIM = 100_000
T_FAST = 10 ** 12  # the certified fast-forward's horizon for the confirmations (well under a second a row)
C_MAX = 512


def cases():
    return {name: build_case(name) for name in PROBLEMS}


def fast_simulate(meth, case, T: int = T_FAST) -> dict:
    """The confirmation by a certified-ball run (:func:`numerics.engine.fastforward.fast_forward`) to T, or
    ``{"why_not": ...}`` when the fast path does not apply or is not certified.

    The conformance verdict's yardsticks on balls: with R the regret and S the summed gradient, the late
    half's regret ratio rho_late = (R_T - R_h) / ((S_T - S_h)(x_w - x*)) (h = T/2 on a period boundary;
    R_T - R_h is the late loss minus S_late x* when x* minimises both S_h x and S_T x over the box) and
    x_T.  "converges": rho_late <= RHO_CONVERGED and |x_T - x*| <= X_TOL for every point of the balls;
    "stuck at the worst point": rho_late >= RHO_STUCK and |x_T - x_w| <= X_TOL_STUCK; otherwise UNKNOWN.
    A decided answer is EVIDENCE (a finite run, however long), method "certified-ball run ... T = ...".
    At T = 10^12 the steps alpha/sqrt(t) are ~1e-6, so x_T stands for the late points played (the float
    path needs the mean of the last 1% instead)."""
    from fractions import Fraction

    from counterexamples.conformance.verdict import RHO_CONVERGED, RHO_STUCK, X_TOL, X_TOL_STUCK
    from numerics.engine.fastforward import fast_forward, fast_forward_applies

    prob, x1 = case.problem, case.hyper.get("x1", 0)
    ok, why = fast_forward_applies(meth, prob, T, x1)
    if not ok:
        return {"why_not": why}
    n = prob.n
    h = max(1, (T // 2 // n) * n)
    r = fast_forward(meth, prob, T, x1=x1, checkpoints=[h])  # default budgets: SGD on Section 5 needs >50k explicit rounds
    if not r.certified:
        return {"why_not": r.why_not}
    pat = [prob.row(t)[0] for t in range(1, n + 1)]
    P = sum(pat, Fraction(0))

    def S(t):  # sum_{s <= t} g_s, exact
        return (t // n) * P + sum(pat[: t % n], Fraction(0))

    lo, hi = Fraction(prob.lo), Fraction(prob.hi)
    method = f"certified-ball run (numerics.engine.fastforward) to T = {T:.0e}"
    base = {"T": T, "method": method, "engine": "fast-forward", "x_T": float(r.x_T.mid()),
            "avg_regret": float(r.avg_regret.mid()), "x_T_ball": r.x_T.str(10),
            "avg_regret_ball": r.avg_regret.str(10), "fast_forward": {"seconds": round(r.seconds, 3)}}
    claim = "where the method is after the rounds played (late half)"
    St, Sh = S(T), S(h)
    if St == 0 or (St > 0) != (Sh > 0) or Sh == 0:
        return {**base, "status": UNKNOWN, "label": "undecided", "claim": claim, "rho_late": None,
                "reason": "sum_t g_t is 0 or changes sign between T/2 and T: no best vertex for the late half"}
    best, worst = (lo, hi) if St > 0 else (hi, lo)
    span = (St - Sh) * (worst - best)
    Rh = next(rc for t, _, rc in r.checkpoints if t == h)
    if span <= 0:
        return {**base, "status": UNKNOWN, "label": "undecided", "claim": claim, "rho_late": None,
                "reason": "over the late half x* is not better than x_w (the gradients there sum to 0 or favour x_w)"}
    rho = (r.regret - Rh) / _arb_exact(span)
    d_best, d_worst = abs(r.x_T - _arb_exact(best)), abs(r.x_T - _arb_exact(worst))
    rho_mid = float(rho.mid())
    if rho.upper() <= RHO_CONVERGED and d_best.upper() <= X_TOL:
        label = CONVERGES
    elif rho.lower() >= RHO_STUCK and d_worst.upper() <= X_TOL_STUCK:
        label = STUCK
    else:
        label = "undecided"
    reason = (f"{method}: late-half regret ratio in {rho.str(6)}, x_T in {r.x_T.str(10)}"
              + ("" if label != "undecided" else
                 f" (converges needs <= {RHO_CONVERGED} and |x_T - x*| <= {X_TOL}, stuck >= {RHO_STUCK} "
                 f"and |x_T - x_w| <= {X_TOL_STUCK})"))
    return {**base, "status": EVIDENCE if label != "undecided" else UNKNOWN, "label": label, "claim": claim,
            "reason": reason, "rho_late": rho_mid}


def _arb_exact(q):
    """An exact rational as an arb ball (its radius is the rounding of p/q at the current precision)."""
    import flint
    from fractions import Fraction

    q = Fraction(q)
    return flint.arb(q.numerator) / flint.arb(q.denominator)


def simulate(meth, case, T: int, fast: bool = True) -> dict:
    """The confirmation: a certified-ball run to T_FAST where the fast path applies and decides
    (:func:`fast_simulate`), else T float64 rounds of the problem from its x1 and the conformance verdict
    from the late half and the tail (with the fast path's why_not).

    >>> from counterexamples.conformance import build_case
    >>> from counterexamples.zoo import ROW_BY_KEY, simulate
    >>> meth = ROW_BY_KEY["adam"].limit("0", "1/10")         # constant step: no certified fast path
    >>> s = simulate(meth, build_case("thm1"), 1000)
    >>> s["status"], s["label"], s["T"]
    ('evidence', 'stuck at the worst point', 1000)
    """
    why_fast = None
    if fast:
        fs = fast_simulate(meth, case)
        if fs.get("status") == EVIDENCE:
            return fs
        why_fast = fs.get("why_not") or fs.get("reason")
    out = _float_simulate(meth, case, T)
    if why_fast is not None:
        out["fast_forward_why_not"] = why_fast
    return out


def _float_simulate(meth, case, T: int) -> dict:
    """T rounds of the problem from its x1; the conformance verdict from the late half and the tail."""
    prob = case.problem
    xs = np.empty(T)
    gs = np.empty(T)
    k = [0]

    def on_step(t, x, g, inv, st):
        xs[k[0]] = float(x)
        gs[k[0]] = float(g)
        k[0] += 1

    res = run(meth, prob, T, prescribed="record", x1=case.hyper.get("x1", 0), checkpoints=[], on_step=on_step)
    late = T - T // 2
    tail = min(T, max(T // 100, 1000))
    v = verdict(np.array([xs[-tail:].mean()]), math.fsum(gs[late:] * xs[late:]),
                np.array([gs[late:].sum()]), np.array([gs.sum()]), -1.0, 1.0)
    return {**v.brief(), "rho_late": v.witness.get("rho_late"), "x_T": float(res.x_T), "T": T,
            "avg_regret": float(res.avg_regret), "method": f"float64 simulation (numerics.run), T = {T}"}


def certified_verdict(sign: int | None, reason: str) -> Verdict:
    """The generalised drift's sign as a verdict: PROVED with label diverges / converges; D = 0 exactly or
    no certificate: UNKNOWN with the reason."""
    if sign == 1:
        return Verdict(PROVED, "x_t -> the worst point +1 (D > 0)", reason=reason, label="diverges")
    if sign == -1:
        return Verdict(PROVED, "x_t -> x* = -1 (D < 0)", reason=reason, label="converges")
    if sign == 0:
        return Verdict(UNKNOWN, "sign of D", reason=reason or "D = 0 exactly: the first-order test decides nothing",
                       label="D = 0")
    return Verdict(UNKNOWN, "sign of D", reason=reason, label="no certified verdict")


def agreement(certified: Verdict, sim: dict) -> Verdict:
    """Does the simulation agree with the certificate?  Only a PROVED certificate and a simulation that
    decided (EVIDENCE) can agree (EVIDENCE, label agrees) or disagree (REFUTED); anything undecided on
    either side is UNKNOWN, never agreement."""
    if not certified.proved:
        return Verdict(UNKNOWN, "simulation agrees with the certificate", reason="no certified verdict",
                       label="no certified verdict")
    want = STUCK if certified.label == "diverges" else CONVERGES
    if sim.get("status") != EVIDENCE:
        return Verdict(UNKNOWN, "simulation agrees with the certificate", reason=sim.get("reason", ""),
                       label="inconclusive")
    if sim.get("label") == want:
        return Verdict(EVIDENCE, "simulation agrees with the certificate", label="agrees",
                       reason=sim.get("method") or f"T = {sim.get('T')}")
    return Verdict(REFUTED, "simulation agrees with the certificate", label="disagrees",
                   reason=f"certified {certified.label}, simulated {sim.get('label')} "
                          f"({sim.get('method') or 'T = %s' % sim.get('T')})")


def evaluate(row, case, T: int = T_SIM) -> dict:
    """One method on one problem: certified drift (when it has a limit form) and the simulation.

    AMSGrad on Theorem 1's problem (C = 3, beta2 = 1/10): the certified drift is AMSGrad's closed form
    -(C - (n-1))/sqrt(v_0) of :func:`counterexamples.drift.amsgrad_drift`, and the certified-ball run agrees.

    >>> from counterexamples.conformance import build_case
    >>> from counterexamples.zoo import ROW_BY_KEY, evaluate
    >>> e = evaluate(ROW_BY_KEY["amsgrad"], build_case("thm1"), T=1000)   # doctest: +SLOW
    >>> e["certified"]["label"], round(e["certified"]["drift"], 9), e["agreement"]["label"]   # doctest: +SLOW
    ('converges', -0.349061782, 'agrees')
    """
    h = case.hyper
    b1, b2, alpha = str(h["beta1"]), str(h["beta2"]), str(h["alpha"])
    out = {"problem": case.name, "beta1": b1, "beta2": b2, "alpha": alpha}
    t0 = time.perf_counter()
    if row.limit is not None:
        pattern = [r[0] for r in case.problem._rows]
        d = general.drift(row.limit(b1, b2), pattern)
        cv = certified_verdict(d.sign, d.reason)
        out["certified"] = {**cv.brief(), "sign": d.sign, "drift": d.drift, "enclosure": d.enclosure}
    else:
        cv = certified_verdict(None, "UNKNOWN: " + row.reason)
        out["certified"] = {**cv.brief(), "sign": None}
    sim = simulate(row.definition(alpha, b1, b2), case, T)
    out["simulated"] = sim
    out["agreement"] = agreement(cv, sim).brief()
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


def threshold(row, beta1, beta2, C_max: int = C_MAX, certify_rounds: int | None = None) -> dict:
    """The smallest C in [2, ``C_max``] whose period-C family makes ``row``'s limit form diverge (D > 0),
    certified by :func:`counterexamples.drift.general.smallest_diverging_C`; a dict with ``C``,
    ``certified``, the verdict's ``status`` / ``label`` / ``claim``, ``note`` and the enclosures of D at C and
    C - 1.  UNKNOWN (``C`` None) for a row without a limit form.  ``beta1`` / ``beta2`` are exact numbers
    (int or Fraction; a string such as "1/2" or "0.9" is read exactly, as on the command line).

    For Adam at (1/2, 9/10) it is 8, the answer of the closed-form test
    :func:`counterexamples.drift.smallest_diverging_C`:

    >>> from fractions import Fraction
    >>> from counterexamples.zoo import ROW_BY_KEY, threshold
    >>> th = threshold(ROW_BY_KEY["adam"], Fraction(1, 2), Fraction(9, 10), C_max=64)
    >>> th["C"], th["status"], th["certified_below"]
    (8, 'proved', 7)
    """
    if row.limit is None:
        return {"C": None, "certified": False, "status": UNKNOWN, "reason": "UNKNOWN: " + row.reason, "C_max": C_max,
                "note": "UNKNOWN: " + row.reason}
    beta1, beta2 = check_beta(beta1, beta2)  # one exact representation; a float() of "1/2" used to raise deep inside
    th = general.smallest_diverging_C(lambda: row.limit(beta1, beta2), beta1, beta2, C_max, certify_rounds)
    return {"C": th.C, "certified": th.certified, **th.verdict.brief(), "note": th.note, "C_max": C_max,
            "certified_below": th.certified_below,
            "drift_at_C": th.at.enclosure if th.at else None,
            "drift_below": th.below.enclosure if th.below else None}


def verdict_cell(ev: dict) -> str:
    c, s, a = ev["certified"], ev["simulated"], ev["agreement"]
    sim = {CONVERGES: "conv", STUCK: "worst"}.get(s.get("label"), "undecided") if s["status"] == EVIDENCE \
        else "undecided"
    if c["status"] != PROVED:
        return f"UNKNOWN; sim {sim}"
    tag = {"agrees": "sim agrees", "inconclusive": "sim inconclusive", "disagrees": "SIM DISAGREES"}[a["label"]]
    return f"{c['label']} (cert.); {tag}"


def c_cell(th: dict) -> str:
    cm = th.get("C_max", C_MAX)
    if th.get("status") == UNKNOWN and th["C"] is None:
        return "UNKNOWN"
    if th["C"] is None:
        if th["status"] == PROVED:
            return f"none <= {cm} (cert.)"
        return f"none <= {cm} (EVIDENCE: cert. to {th.get('certified_below', 0)})"
    if th["status"] == PROVED:
        return f"{th['C']} (cert.)"
    if th["status"] == EVIDENCE:
        return f"{th['C']} (EVIDENCE: below cert. to {th.get('certified_below', 0)})"
    return f"{th['C']} (UNKNOWN)"
