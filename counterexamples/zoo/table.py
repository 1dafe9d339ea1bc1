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
    half), and whether it agrees with the certified verdict ("inconclusive" when it is undecided).
"""
from __future__ import annotations

import math
import time

import numpy as np

from counterexamples.conformance.suite import build_case
from counterexamples.conformance.verdict import CONVERGES, STUCK, verdict
from counterexamples.drift import general
from numerics.run import run

from .methods import ROWS

PROBLEMS = ("thm1", "section5-online", "thm2-threshold")
PAIRS = (("0.9", "0.99"), ("0.9", "0.999"))
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
    v, reason, rho = verdict(np.array([xs[-tail:].mean()]), math.fsum(gs[late:] * xs[late:]),
                             np.array([gs[late:].sum()]), np.array([gs.sum()]), -1.0, 1.0)
    return {"verdict": v, "reason": reason, "rho_late": rho, "x_T": float(res.x_T), "T": T,
            "avg_regret": float(res.avg_regret)}


def agreement(certified: int | None, sim: str) -> str:
    if certified is None:
        return "no certified verdict"
    want = STUCK if certified == 1 else CONVERGES
    if sim == want:
        return "agrees"
    if sim in (STUCK, CONVERGES):
        return "DISAGREES"
    return "inconclusive"


def evaluate(row, case, T: int = T_SIM) -> dict:
    """One method on one problem: certified drift (when it has a limit form) and the simulation."""
    h = case.hyper
    b1, b2, alpha = str(h["beta1"]), str(h["beta2"]), str(h["alpha"])
    out = {"problem": case.name, "beta1": b1, "beta2": b2, "alpha": alpha}
    t0 = time.perf_counter()
    if row.limit is not None:
        pattern = [r[0] for r in case.problem._rows]
        d = general.drift(row.limit(b1, b2), pattern)
        out["certified"] = {"sign": d.sign, "verdict": d.label, "drift": d.drift, "enclosure": d.enclosure,
                            "reason": d.reason}
    else:
        out["certified"] = {"sign": None, "verdict": "UNKNOWN", "reason": "UNKNOWN: " + row.why}
    sim = simulate(row.definition(alpha, b1, b2), case, T)
    out["simulated"] = sim
    out["agreement"] = agreement(out["certified"]["sign"], sim["verdict"])
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


def threshold(row, beta1, beta2, C_max: int = C_MAX) -> dict:
    if row.limit is None:
        return {"C": None, "certified": False, "note": "UNKNOWN: " + row.why}
    th = general.smallest_diverging_C(lambda: row.limit(beta1, beta2), beta1, beta2, C_max)
    return {"C": th.C, "certified": th.certified, "note": th.note, "C_max": C_max,
            "drift_at_C": th.at.enclosure if th.at else None,
            "drift_below": th.below.enclosure if th.below else None}


def verdict_cell(ev: dict) -> str:
    c, s = ev["certified"], ev["simulated"]
    sim = {CONVERGES: "conv", STUCK: "worst"}.get(s["verdict"], "undecided")
    if c["sign"] is None:
        return f"UNKNOWN; sim {sim}"
    head = "diverges" if c["sign"] == 1 else "converges"
    tag = {"agrees": "sim agrees", "inconclusive": "sim inconclusive", "DISAGREES": "SIM DISAGREES"}[ev["agreement"]]
    return f"{head} (cert.); {tag}"


def c_cell(th: dict) -> str:
    if th["C"] is None:
        return (f"none <= {th.get('C_max', C_MAX)} (float scan)" if th.get("note", "").startswith("no C")
                else "UNKNOWN")
    return f"{th['C']}" + ("" if th["certified"] else " (not certified)")
