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
  * simulated: T rounds with alpha_t = alpha/sqrt(t) (counterexamples.conformance.verdict on the late
    half), and whether it agrees with the certified verdict.
Every verdict is an :class:`analysis.verdict.Verdict` in JSON ({"status", "label", "reason"}): the
certified drift is PROVED (label diverges / converges) or UNKNOWN; a simulation is EVIDENCE (label
converges / stuck at the worst point) or UNKNOWN (undecided); the agreement of the two is EVIDENCE (label
agrees), REFUTED (label disagrees: a regression) or UNKNOWN (label inconclusive / no certified verdict).
"""
from __future__ import annotations

import math
import time

import numpy as np

from analysis.conditions import PAPER_SETTINGS
from counterexamples.conformance.suite import build_case
from analysis.verdict import EVIDENCE, PROVED, REFUTED, UNKNOWN, Verdict
from counterexamples.conformance.verdict import CONVERGES, STUCK, verdict
from counterexamples.drift import general
from numerics.run import run

from .methods import ROWS

PROBLEMS = ("thm1", "section5-online", "thm2-threshold")
PAIRS = tuple((str(float(b1)), str(float(b2))) for b1, b2 in PAPER_SETTINGS)  # ("0.9", "0.99"), ("0.9", "0.999")
T_SIM = 100_000
C_MAX = 512


def cases():
    return {name: build_case(name) for name in PROBLEMS}


def simulate(meth, case, T: int) -> dict:
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
            "avg_regret": float(res.avg_regret)}


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
        return Verdict(EVIDENCE, "simulation agrees with the certificate", reason=f"T = {sim.get('T')}",
                       label="agrees")
    return Verdict(REFUTED, "simulation agrees with the certificate", label="disagrees",
                   reason=f"certified {certified.label}, simulated {sim.get('label')} (T = {sim.get('T')})")


def evaluate(row, case, T: int = T_SIM) -> dict:
    """One method on one problem: certified drift (when it has a limit form) and the simulation."""
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
        cv = certified_verdict(None, "UNKNOWN: " + row.why)
        out["certified"] = {**cv.brief(), "sign": None}
    sim = simulate(row.definition(alpha, b1, b2), case, T)
    out["simulated"] = sim
    out["agreement"] = agreement(cv, sim).brief()
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


def threshold(row, beta1, beta2, C_max: int = C_MAX, certify_rounds: int | None = None) -> dict:
    if row.limit is None:
        return {"C": None, "certified": False, "status": UNKNOWN, "reason": "UNKNOWN: " + row.why, "C_max": C_max,
                "note": "UNKNOWN: " + row.why}
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
