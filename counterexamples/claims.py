"""The literature after Reddi et al., machine-checked: a registry of published claims and their verdicts.

One :class:`Claim` per published claim: its source (authors, year, venue, theorem or figure), the claim
as printed -- or RECONSTRUCTED / UNVERIFIED, saying from what --, the problem and conventions it assumes,
how the toolkit decides it, and one verdict (:class:`analysis.verdict.Verdict`) with its witness, region
or figure data.  ``python -m counterexamples.claims`` runs it (``--quick`` for the short ranges, ``--json``,
``--html FILE``); :func:`run_claims` from Python; ``notebooks/05_literature.ipynb`` draws the figures.

Every decision imports the toolkit's pieces, none is retyped: the drift D and its certified sign
(:mod:`counterexamples.drift`), the exact boundary in beta2 (:func:`counterexamples.drift.boundary_beta2`),
certified drift signs over grids of [0,1)^2, the zoo's limit forms and the
generalised drift (:mod:`counterexamples.zoo.methods`, :mod:`counterexamples.drift.general`), the
families (:mod:`analysis.families`), Theorem 2's conditions (:mod:`analysis.conditions`), the proof audit
(:func:`proofs.audit.run_audit`) and the x-dependent problem :class:`numerics.problems.SmoothTrap1D`.

What "diverges" means here.  On a periodic linear problem over F = [-1, 1] with alpha_t = alpha/sqrt(t),
a certified D > 0 means x_t -> +1 (the worst point), D < 0 means x_t -> -1 = x* (the argument of
:mod:`counterexamples.drift.steady`, this toolkit's, not a paper's).  A cell or interval certified by
balls holds for every point in it; a finite list of cells, of C or of n is EVIDENCE for anything beyond
it, with its range in the label.

Verdict of a universal claim checked on finitely many cases (:func:`combine_universal`): REFUTED as soon
as one case is certified against it (the witness), EVIDENCE when every decided case agrees (the range
and the number of UNKNOWN cases in the label), UNKNOWN when no case was decided.  UNKNOWN is never
success; the CLI's exit status is 1 when a verdict is not the one the registry expects.

Example: Zhang, Chen & Luo's region holds C = 8, beta2 = 1/4 exactly on its edge ((1/4)^3 8^2 = 1 in
condition (c2), and 1/4 <= 1 - (9/16)^2), the point where the registry certifies convergence:

>>> from fractions import Fraction
>>> zcl_member(8, Fraction(1, 4)), zcl_member(8, Fraction(1, 2))
(True, False)
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

from analysis.verdict import EVIDENCE, PROVED, REFUTED, UNKNOWN, Verdict

__all__ = ["Claim", "CLAIMS", "KEYS", "run_claims", "combine_universal", "zcl_beta2_max", "zcl_member",
           "shi_beta2", "shi_guess", "table"]


@dataclass
class Claim:
    """One published claim.  ``decide(quick)`` returns (Verdict, extra) where extra holds the readings,
    the region and the figure data; ``expected`` is the verdict status the registry stands behind."""

    key: str
    source: dict  # authors, year, venue, where (theorem / figure), url
    printed: str  # the claim as printed (or as transcribed, see provenance)
    provenance: str  # READ / RECONSTRUCTED / UNVERIFIED, and from what
    problem: str  # the problem and every convention assumed
    how: str  # how the toolkit decides it
    decide: Callable[[bool], tuple]
    expected: str


def combine_universal(cases: list[tuple[str, Verdict]], range_label: str) -> Verdict:
    """A universal claim checked case by case: REFUTED by the first certified counter-case, EVIDENCE
    when every decided case agrees (never PROVED: a finite range), UNKNOWN when none was decided."""
    for name, v in cases:
        if v.status == REFUTED:
            return Verdict(REFUTED, method="certified counter-case", witness={"case": name, **(v.witness or {})},
                           reason=v.reason)
    decided = [n for n, v in cases if v.status in (PROVED, EVIDENCE)]
    unknown = [n for n, v in cases if v.status == UNKNOWN]
    if not decided:
        return Verdict(UNKNOWN, reason=f"no case decided ({len(unknown)} UNKNOWN) over {range_label}")
    label = f"{len(decided)} of {len(cases)} cases certified over {range_label}"
    if unknown:
        label += f"; {len(unknown)} UNKNOWN: " + ", ".join(unknown[:8]) + (" ..." if len(unknown) > 8 else "")
    return Verdict(EVIDENCE, method="finite check, each case certified", reason=label,
                   witness={"decided": len(decided), "unknown": len(unknown), "range": range_label})


# ------------------------------------------------------------------------------------------------
# (a) Zhang, Chen & Luo (2022), restating Reddi et al.'s counterexample with an explicit condition
def zcl_beta2_max(C, prec: int = 128):
    """The printed bound min{C^(-4/(C-2)), 1 - (9/(2C))^2} as an arb ball (C > 2 exact rational, or a
    (lo, hi) interval of C: then the ball holds the bound at every C in it).

    Transcribed from the blog post; at beta1 = 0 it is conditions (c2), (c3) of Theorem 2
    (:mod:`analysis.conditions`) solved for beta2 (checked against them in the tests)."""
    import flint

    from analysis.interval import arb_precision

    with arb_precision(prec):
        if isinstance(C, tuple):  # an interval (lo, hi) of C: the ball encloses the bound over all of it
            lo, hi = (Fraction(x) for x in C)
            c = (flint.arb(lo.numerator) / lo.denominator).union(flint.arb(hi.numerator) / hi.denominator)
        else:
            Cq = Fraction(C)
            c = flint.arb(Cq.numerator) / Cq.denominator
        a = c ** (flint.arb(-4) / (c - 2))
        b = 1 - (flint.arb(9) / (2 * c)) ** 2
        return a.min(b)


def zcl_member(C, beta2) -> bool:
    """beta2 <= min{C^(-4/(C-2)), 1 - (9/(2C))^2} exactly, for an integer C > 2 and rational beta2: the first
    bound is Theorem 2's condition (c2), beta2^((C-2)/2) C^2 <= 1 (:func:`analysis.conditions.c2`, the one
    definition); the second is the printed 1 - (9/(2C))^2 with its non-strict <= ((c3) at beta1 = 0 is strict)."""
    from analysis.conditions import c2

    b2, Cq = Fraction(beta2), Fraction(C)
    return bool(c2(b2, int(C))) and b2 <= 1 - (Fraction(9) / (2 * Cq)) ** 2


def _upper(ball) -> Fraction:
    """A rational upper bound of a ball."""
    return Fraction(ball.upper().str(30, radius=False)) + Fraction(1, 10 ** 25)


def _lower(ball) -> Fraction:
    return Fraction(ball.lower().str(30, radius=False)) - Fraction(1, 10 ** 25)


def _beta2_interval_sign(beta1, C, n, lo, hi, depth: int = 14, prec: int = 64):
    """+1 / -1 when D has that sign on every beta2 in [lo, hi] (balls, bisection up to ``depth``),
    else None; and the number of ball evaluations."""
    from counterexamples import drift as dr

    stack, evals, signs = [(Fraction(lo), Fraction(hi), 0)], 0, set()
    while stack:
        a, b, d = stack.pop()
        evals += 1
        D = dr.drift(beta1, (a, b), C, n, backend="arb", prec=prec)
        if D > 0 or D < 0:
            signs.add(1 if D > 0 else -1)
            if len(signs) > 1:
                return None, evals
            continue
        if d >= depth:
            return None, evals
        m = (a + b) / 2
        stack += [(a, m, d + 1), (m, b, d + 1)]
    return signs.pop(), evals


def _zcl_period3_sufficient_up_to(C_stop, step=Fraction(1, 20), depth: int = 6):
    """The largest C_ok such that D > 0 (period 3, beta1 = 0) is certified on every box C in [a, b],
    beta2 in [0, upper bound of the printed bound over [a, b]], covering (9/2, C_ok] without a gap.
    For C <= 9/2 the region is empty or beta2 = 0 only (1 - (9/(2C))^2 <= 0).  Returns (C_ok, boxes)."""
    a, boxes = Fraction(9, 2), 0
    while a < C_stop:
        stack, ok_to = [(a, min(a + step, C_stop), 0)], None
        while stack:
            lo, hi, d = stack.pop()
            U = max(Fraction(0), _upper(zcl_beta2_max((lo, hi))))
            sign, _ = _beta2_interval_sign(0, (lo, hi), 3, Fraction(0), U, depth=8)
            boxes += 1
            if sign == 1:
                ok_to = hi
                continue
            if d >= depth:
                return (ok_to if ok_to is not None and ok_to > a else a), boxes
            mid = (lo + hi) / 2
            stack += [(mid, hi, d + 1), (lo, mid, d + 1)]  # left half first: the covered range stays contiguous
        a = ok_to
    return a, boxes


def _boundary(beta1, C, n):
    """The exact beta2 boundary (certified bracket, the last sign change) or None."""
    from counterexamples.drift import boundary_beta2

    b = boundary_beta2(beta1, C, n, bits=30)
    return None if b is None else (b["lo"], b["hi"])


def _decide_zcl(quick: bool):
    from counterexamples import drift as dr

    # reading 1, as printed: the period-3 problem.  Witness: C = 8, where C^(-4/(C-2)) = 8^(-2/3) = 1/4
    C_w, b2_w = 8, Fraction(1, 4)
    member = zcl_member(C_w, b2_w)
    s = dr.drift_sign(0, b2_w, C_w, 3)
    bw = _boundary(0, C_w, 3)
    r1 = Verdict(REFUTED if (member and s.sign == -1) else UNKNOWN,
                 claim="period-3 problem, beta1 = 0: beta2 <= min{C^(-4/(C-2)), 1-(9/(2C))^2} => Adam fails",
                 method="certified drift sign (arb) at a point of the region",
                 witness={"C": C_w, "beta2": str(b2_w), "in_region": member, "D": s.enclosure,
                          "D_sign": s.label, "exact_boundary_beta2": [str(float(x)) for x in bw] if bw else None},
                 reason="D < 0 at a point of the region: Adam converges to x* = -1 there (every alpha > 0)")
    # where the printed reading does hold: every real C in (9/2, C_ok] (boxes in C x beta2, balls)
    C_ok, boxes = _zcl_period3_sufficient_up_to(Fraction(7))
    r1.witness["sufficient_for_real_C_in"] = f"(9/2, {float(C_ok):.4f}]" if C_ok else None
    r1.witness["boxes"] = boxes
    # reading 2: Theorem 2's period-C family (n = C), where the formula is (c2), (c3) at beta1 = 0
    C_max = 100 if quick else 400
    cases, evals = [], 0
    for C in range(5, C_max + 1):
        hi = _upper(zcl_beta2_max(C))
        sign, e = _beta2_interval_sign(0, C, C, Fraction(0), hi)
        evals += e
        if sign == 1:
            cases.append((f"C={C}", Verdict(PROVED, witness={"beta2": f"[0, {float(hi):.6g}]"})))
        elif sign == -1:
            cases.append((f"C={C}", Verdict(REFUTED, witness={"C": C, "beta2_interval": f"[0, {hi}]"})))
        else:
            cases.append((f"C={C}", Verdict(UNKNOWN, reason="undecided interval")))
    r2 = combine_universal(cases, f"integers C in [5, {C_max}], every beta2 in [0, bound(C)] (arb over "
                                  f"beta2-intervals, {evals} ball evaluations)")
    r2.claim = "period-C family (Theorem 2's, n = C), beta1 = 0: beta2 <= bound(C) => D > 0 (Adam fails)"
    # the curve: the printed bound against the exact boundaries
    Cs = list(range(5, 41)) + ([50, 64, 100, 200, 500, 1000] if quick else [50, 64, 100, 200, 500, 1000, 2000, 5000])
    curve = []
    for C in Cs:
        b3, bC = _boundary(0, C, 3), _boundary(0, C, C)
        curve.append({"C": C, "bound": float(zcl_beta2_max(C).mid()),
                      "boundary_n3": None if b3 is None else float(b3[0]),
                      "boundary_nC": None if bC is None else float(bC[0])})
    cross = next((p["C"] for p in curve if p["boundary_n3"] is not None and p["bound"] > p["boundary_n3"]), None)
    # how far the sufficient bound is from the exact period-C boundary: the ratio of the 1 - beta2 values
    gap = {str(p["C"]): round((1 - p["bound"]) / (1 - p["boundary_nC"]), 1) for p in curve
           if p["C"] in (10, 20, 100, 1000) and p["boundary_nC"] is not None}
    r2.witness = {**(r2.witness or {}), "(1-bound)/(1-beta2*) at C": gap}
    extra = {"readings": {"period-3 (as printed)": r1.as_dict(), "period-C (Theorem 2's family)": r2.as_dict()},
             "figure": {"curve": curve, "first_C_bound_above_n3_boundary": cross}}
    v = Verdict(r1.status, claim=r1.claim, method=r1.method, witness=r1.witness,
                reason=(r1.reason + f"; the bound exceeds the exact period-3 boundary from C = {cross} on (it is "
                        f"sufficient for every real C in {r1.witness['sufficient_for_real_C_in']}, certified by balls "
                        f"over {r1.witness['boxes']} boxes in (C, beta2)). "
                        f"On the period-C family the same bound is sufficient: {r2.status.upper()} ({r2.reason}), and far "
                        f"from the exact boundary: (1 - bound)/(1 - beta2*) = {gap} at those C"))
    return v, extra


# ------------------------------------------------------------------------------------------------
# (b) Shi, Li, Hong & Sun (ICLR 2021), Figure 1
SHI_C = tuple(range(2, 33))  # C = 2:(b+2), b = 30
SHI_I = tuple(range(1, 41))  # i = 1:40
SHI_TEMP = 10  # beta2 = 1 - 10^(-i/temp)


def shi_beta2(i, temp: int = SHI_TEMP) -> float:
    """The code's grid value beta2 = 1 - 10^(-i/temp) (reddiexample.m, commit e469949)."""
    return 1 - 10 ** (-i / temp)


def shi_guess(C) -> Fraction:
    """The boundary guessed in the code's comment: beta2 ~ 1 - 1/C^2."""
    Cq = Fraction(C)
    return 1 - 1 / (Cq * Cq)


def _shi_edge(x: float) -> Fraction:
    """1 - 10^(-x) with 10^(-x) rounded to a 4-digit decimal (cells need rational edges)."""
    return 1 - Fraction(f"{10.0 ** (-x):.4g}")


def _decide_shi(quick: bool):
    from counterexamples import drift as dr

    labels, counts = {}, {"diverges": 0, "converges": 0, "undecided": 0}
    for C in SHI_C:
        for i in SHI_I:
            lo, hi = _shi_edge((i - 0.5) / SHI_TEMP), _shi_edge((i + 0.5) / SHI_TEMP)
            s, _ = _beta2_interval_sign(0, C, C, lo, hi, depth=6)
            lab = {1: "diverges", -1: "converges"}.get(s, "undecided")
            labels[f"{C},{i}"] = lab
            counts[lab] += 1
    bounds = []
    for C in SHI_C + ((64, 101, 1000) if not quick else (101,)):
        b = _boundary(0, C, C)
        if b is None:
            bounds.append({"C": C, "boundary": None, "k": None, "sign": dr.drift_sign(0, Fraction(1, 2), C, C).label})
            continue
        k = float((1 - b[0]) * C * C)
        bounds.append({"C": C, "boundary": float(b[0]), "bracket": [str(b[0]), str(b[1])], "k": k,
                       "neg_log10_one_minus": -math.log10(float(1 - b[0]))})
    ks = [(p["C"], p["k"]) for p in bounds if p["k"] is not None]
    # literal reading: the boundary lies at 1 - 1/C^2 -- the guessed points are certified convergent
    lit = []
    for C in range(3, 33):
        s = dr.drift_sign(0, shi_guess(C), C, C)
        lit.append((f"C={C}", Verdict(REFUTED if s.sign == -1 else (EVIDENCE if s.sign == 1 else UNKNOWN),
                                      witness={"C": C, "beta2": str(shi_guess(C)), "D": s.enclosure,
                                               "D_sign": s.label})))
    lit_v = combine_universal(lit, "C in [3, 32]")
    lit_v.claim = "literal: the boundary is at beta2 = 1 - 1/C^2 (diverges just below it)"
    lit_v.reason = ("the guessed point beta2 = 1 - 1/C^2 is certified convergent (D < 0): the exact boundary "
                    "lies below it, at 1 - k/C^2 with k ~ 4")
    lo_k, hi_k = min(k for _, k in ks), max(k for _, k in ks)
    Cs_k = [c for c, _ in ks]
    v = Verdict(EVIDENCE, claim="the divergence boundary scales as beta2 ~ 1 - 1/C^2",
                method="exact boundary per C (certified bisection of the sign of D, 30 bits)",
                witness={"k(C) = (1 - beta2*) C^2": {str(c): round(k, 4) for c, k in ks if c in (3, 10, 32, 101, 1000)},
                         "cells": counts},
                reason=(f"EVIDENCE for C in {{{min(Cs_k)}..{max(Cs_k)}}} (listed C only): 1 - beta2*(C) = k(C)/C^2 with "
                        f"k in [{lo_k:.3f}, {hi_k:.3f}], falling towards ~4: the exponent 2 of the guess holds, its "
                        f"constant is ~4, not 1.  Literal reading: {lit_v.status.upper()} ({lit_v.reason})"))
    extra = {"readings": {"scaling 1 - beta2* ~ 1/C^2": v.as_dict(), "literal 1 - 1/C^2": lit_v.as_dict()},
             "figure": {"C": list(SHI_C), "i": list(SHI_I), "temp": SHI_TEMP, "labels": labels, "counts": counts,
                        "boundary": bounds}}
    return v, extra


# ------------------------------------------------------------------------------------------------
# (c) Zhang, Chen, Shi, Sun & Luo (NeurIPS 2022)
ZHANG_N_QUICK = (3, 5, 11, 21, 51, 101)
ZHANG_N_FULL = (3, 5, 11, 21, 51, 101, 201, 501, 1001)
ZHANG_BETA1 = (Fraction(0), Fraction(1, 2), Fraction(9, 10))


def _decide_zhang(quick: bool):
    from counterexamples import drift as dr
    ns = ZHANG_N_QUICK if quick else ZHANG_N_FULL
    crit = {}
    for b1 in ZHANG_BETA1:
        row = []
        for n in ns:
            from counterexamples.drift import boundary_beta2

            b = boundary_beta2(b1, n, n, bits=30)
            row.append({"n": n, "beta2": None if b is None else float(b["lo"]),
                        "bracket": None if b is None else [str(b["lo"]), str(b["hi"])],
                        # D > 0 below the last sign change and D < 0 above it: diverges, then converges
                        "diverges_below": None if b is None else b["sign_below"] == 1,
                        "sign_at_half": None if b is not None else dr.drift_sign(b1, Fraction(1, 2), n, n).label})
        crit[str(b1)] = row
    cases = []
    for b1, row in crit.items():
        vals = [(p["n"], p["beta2"]) for p in row if p["beta2"] is not None]
        ok = all(b > a for (_, a), (_, b) in zip(vals, vals[1:])) and all(
            p["diverges_below"] for p in row if p["beta2"] is not None)
        cases.append((f"beta1={b1}", Verdict(EVIDENCE if ok else REFUTED,
                                             witness={} if ok else {"critical": vals})))
    trend = combine_universal(cases, f"n in {list(ns)} (Section 5 family: C = n), beta1 in {{0, 1/2, 9/10}}")
    N, grid_ns = (20, ns) if quick else (40, (3, 5, 11, 21, 51, 101, 201, 501))
    cen = [Fraction(2 * k + 1, 2 * N) for k in range(N)]
    grids = {}
    for n in grid_ns:
        labels = [[dr.drift_sign(b1, b2, n, n).label for b2 in cen] for b1 in cen]
        div = sum(lab == "diverges" for row in labels for lab in row)
        und = sum(lab == "undecided" for row in labels for lab in row)
        grids[str(n)] = {"labels": labels, "diverging_share": div / (N * N), "undecided": und}
    fr = [g["diverging_share"] for g in grids.values()]
    grows = all(b >= a for a, b in zip(fr, fr[1:]))
    if trend.status == EVIDENCE and not grows:
        trend = Verdict(UNKNOWN, reason="critical beta2 rises with n but the certified diverging share does not")
    trend.claim = ("the divergence region grows with n (towards [0,1)^2); convergence above a critical beta2 "
                   "that depends on the problem")
    trend.method = ("exact boundary beta2*(n) per beta1 (certified bisection); certified sign of D at the centres "
                    f"of an {N}x{N} grid of [0,1)^2 per n")
    trend.witness = {**(trend.witness or {}), "diverging_share": {n: round(x, 4) for n, x in zip(grids, fr)}}
    if trend.status == EVIDENCE:
        trend.reason += ("; on Reddi's period-n family, not on Zhang et al.'s own construction (UNVERIFIED); "
                         f"share of the {N}x{N} grid centres certified diverging (EVIDENCE between points): " + ", ".join(
                             f"n={n}: {x:.3f}" for n, x in zip(grids, fr)))
    return trend, {"figure": {"critical": crit, "grid_centres": [str(c) for c in cen], "grids": grids,
                              "index": "labels[i][j]: beta1 = centre i, beta2 = centre j"}}


# ------------------------------------------------------------------------------------------------
# (d) ADOPT (Taniguchi et al., NeurIPS 2024)
ADOPT_BETA1 = ("0", "0.5", "0.9")
ADOPT_BETA2_QUICK = ("0.01", "0.1", "0.9", "0.99")
ADOPT_BETA2_FULL = ("0.01", "0.1", "0.5", "0.9", "0.99", "0.999")


def _suite(quick: bool):
    from analysis.conditions import SECTION5
    from analysis.families import periodic_problem

    s = [("thm1 C=3", periodic_problem(3, 3).pattern), ("thm1 C=10", periodic_problem(10, 3).pattern),
         ("thm2 C=10", periodic_problem(10, 10).pattern)]
    if not quick:
        s += [("thm1 C=100", periodic_problem(100, 3).pattern), ("thm2 C=30", periodic_problem(30, 30).pattern),
              ("section5", SECTION5.pattern)]
    return s


def _decide_adopt(quick: bool):
    from counterexamples.drift import general
    from counterexamples.zoo.methods import ROW_BY_KEY

    adopt, adam = ROW_BY_KEY["adopt"], ROW_BY_KEY["adam"]
    b2s = ADOPT_BETA2_QUICK if quick else ADOPT_BETA2_FULL
    cases, cells = [], []
    for pname, pat in _suite(quick):
        for b1 in ADOPT_BETA1:
            for b2 in b2s:
                r = general.drift(adopt.limit(b1, b2), pat)
                a = general.drift(adam.limit(b1, b2), pat)
                name = f"{pname} beta1={b1} beta2={b2}"
                cells.append({"problem": pname, "beta1": b1, "beta2": b2, "adopt": r.label, "adopt_D": r.enclosure,
                              "adam": a.label})
                st = {-1: EVIDENCE, 1: REFUTED}.get(r.sign, UNKNOWN)
                cases.append((name, Verdict(st, witness={"D": r.enclosure, "D_sign": r.label} if r.sign == 1 else {},
                                            reason=r.reason)))
    v = combine_universal(cases, f"the suite {[p for p, _ in _suite(quick)]} x beta1 in {ADOPT_BETA1} x beta2 in {b2s}")
    v.claim = "ADOPT converges for any beta2 in [0, 1)"
    v.method = ("generalised drift of the zoo's ADOPT limit form (Algorithm 2, no clipping; the clip (t-1)^(1/4) "
                "eventually never acts), invariant box in arb; Adam's certified drift at the same cells for contrast")
    return v, {"figure": {"cells": cells}}


# ------------------------------------------------------------------------------------------------
# (e) Toint (2023): constant-step Adam fails on a smooth 1-D function
TOINT_GRID = {"alpha": ("0.001", "0.1", "1"), "beta1": ("0", "0.9"), "beta2": ("0.5", "0.999")}


def _decide_toint(quick: bool):
    from numerics import make
    from numerics.backends import ArbBackend
    from numerics.problems import SmoothTrap1D

    K = 300 if quick else 3000
    cases, rows = [], []
    for a in TOINT_GRID["alpha"]:
        for b1 in TOINT_GRID["beta1"]:
            for b2 in TOINT_GRID["beta2"]:
                m = make("adam", alpha=a, beta1=b1, beta2=b2, schedule="constant", variant="paper")
                prob = SmoothTrap1D(m, K=K)
                B = ArbBackend(128)
                with B.precision():
                    xs, gs = prob.run(B)
                    worst = max(float((g + 1).abs_upper()) for g in gs)
                    ok = all(g < -0.5 for g in gs)
                    x_end = float(xs[-1].mid())
                L = prob.lipschitz()
                name = f"alpha={a} beta1={b1} beta2={b2}"
                rows.append({"case": name, "x_end": x_end, "max|g+1|": worst, "L": L,
                             "f_bound": max(b - a_ for a_, b in zip(prob._float_knots, prob._float_knots[1:])) / (2 * math.pi)})
                cases.append((name, Verdict(EVIDENCE if ok else UNKNOWN, reason=f"|g_k| > 1/2 for k <= {K}")))
    v = combine_universal(cases, f"k <= {K} iterations (arb balls), alpha x beta1 x beta2 in "
                                 f"{TOINT_GRID['alpha']} x {TOINT_GRID['beta1']} x {TOINT_GRID['beta2']}")
    v.claim = ("a 1-D function with Lipschitz gradient, bounded below, on which constant-step Adam from 0 "
               "keeps |f'(x_k)| = 1 (x_k -> infinity) for every parameter choice")
    v.method = "numerics.problems.SmoothTrap1D (RECONSTRUCTED construction), Adam run on it in arb balls"
    return v, {"figure": {"rows": rows, "K": K}}


# ------------------------------------------------------------------------------------------------
# (f) the audit's follow-up theorems
def _audit(ids):
    from proofs.audit import run_audit

    return {th["id"]: th for th in run_audit(list(ids), 10.0)}


def _decide_kingma_ba(quick: bool):
    th = _audit(["kingma-ba"])["kingma-ba"]
    st = th["statement"]
    steps = {s["label"]: s for s in th["steps"]}
    g = steps.get("KB-Gamma2") or next((s for s in th["steps"] if s["verdict"] == REFUTED), {})
    status = st["statement"] if st["statement"] in (PROVED, REFUTED, UNKNOWN, EVIDENCE) else UNKNOWN
    v = Verdict(status, claim="Kingma & Ba Theorem 4.1: R(T) <= the printed bound, for Adam",
                method="proof audit theorem 'kingma-ba' (python -m proofs --theorem kingma-ba)",
                witness={"step": g.get("label"), **(g.get("witness") or {})}, reason=st["note"])
    return v, {"audit": {"id": "kingma-ba", "summary": th["summary"], "statement": st}}


def _decide_pp_gap(quick: bool):
    th = _audit(["phuong-phong"])["phuong-phong"]
    steps = {s["label"]: s for s in th["steps"]}
    want = ("PP-(1)=>(2)", "PP-(2)[Ex3.2]", "PP-red[Ex3.2]")
    found = all(steps.get(k, {}).get("verdict") == REFUTED for k in want)
    v = Verdict(PROVED if found else UNKNOWN,
                claim="Phuong & Phong: the AMSGrad proof's step (2) does not follow from (1); Example 3.2 breaks "
                      "(2) at t = 1 and the 'red' step at T = 2",
                method="exact computation on the stated example (the audit refutes the proof's inequalities with "
                       "exact witnesses, replayed without Z3)",
                witness={k: steps[k].get("witness") for k in want if k in steps}, reason=th["summary"])
    return v, {"audit": {"id": "phuong-phong", "summary": th["summary"], "statement": th["statement"]}}


def _decide_pp_repairs(quick: bool):
    """PROVED only when the kernel proved both statements (``th["kernel"]``); the printed proofs' step-by-step
    verdicts (``th["statement"]``) are recorded beside it but never decide the claim."""
    from proofs.statements import KERNEL_PROVED

    ids = ["pp-4.1", "adamx-5.1"]
    ths = _audit(ids)
    kern = {k: (ths[k].get("kernel") or {}) for k in ids}
    ok = all(kern[k].get("verdict") == KERNEL_PROVED for k in ids)
    v = Verdict(PROVED if ok else UNKNOWN,
                claim="Phuong & Phong Theorem 4.1 (corrected AMSGrad bound) and Theorem 5.1 (AdamX, with the "
                      "second term's (1-beta1)^2 of the proof)",
                method="the proof kernel's statements 'pp-4.1' and 'adamx-5.1' of the audit",
                witness={k: kern[k].get("verdict") for k in ids},
                reason="; ".join(f"{k}: {kern[k].get('verdict')}"
                                 + ("" if kern[k].get("verdict") == KERNEL_PROVED else f" ({kern[k].get('reason')})")
                                 for k in ids))
    return v, {"audit": {k: {"kernel": kern[k].get("verdict"), "printed proof": ths[k]["statement"]} for k in ids}}


# ------------------------------------------------------------------------------------------------
_REDDI = "Reddi, Kale & Kumar 2018"

CLAIMS: list[Claim] = [
    Claim("zcl2022-reddi-condition",
          {"authors": "Y. Zhang, C. Chen, Z.-Q. Luo", "year": 2022, "venue": "ICLR 2022 Blog Track, 'Does Adam "
           "Converge and When?'", "where": f"Introduction, restating {_REDDI}'s counterexample",
           "url": "https://iclr-blog-track.github.io/2022/03/25/does-adam/"},
          "f_k(x) = Cx for k mod 3 = 1, -x otherwise, x in [-1, 1], C > 2: 'they proved that Adam does not "
          "converge to the optimal solution when beta2 <= min{C^(-4/(C-2)), 1 - (9/(2C))^2}'",
          "READ (the blog post's text).  beta1 = 0 is our reading (the sentence names no beta1; Reddi's Theorem 1 "
          "has beta1 = 0).  The formula is Reddi's Theorem 2 conditions (c2), (c3) at beta1 = 0 (RECONSTRUCTED "
          "in this toolkit) on the period-C family, not a condition of Theorem 1",
          "online linear losses on F = [-1, 1], alpha_t = alpha/sqrt(t), the paper's Adam (no bias correction, "
          "eps = 0), beta1 = 0; 'fails' = x_t -> +1 (certified D > 0).  Two problems: the printed period-3 one "
          "and Theorem 2's period-C one (C at t mod C = 1)",
          "certified sign of the drift D at a point of the region (period 3); arb enclosure of D over every "
          "beta2-interval [0, bound(C)] per integer C (period C); exact boundaries for the curve",
          _decide_zcl, REFUTED),
    Claim("shi2021-fig1",
          {"authors": "N. Shi, D. Li, M. Hong, R. Sun", "year": 2021, "venue": "ICLR 2021, 'RMSprop converges "
           "with proper hyper-parameter'", "where": "Figure 1 (reddiexample.m), and the code's comment",
           "url": "https://github.com/soundsinteresting/Optimizervisualize"},
          "Figure 1: RMSprop's convergent / divergent (C, beta2) cells on Reddi's counterexample; the code "
          "comments the boundary as beta2 ~ 1 - 1/C^2",
          "READ: the authors' public MATLAB code reddiexample.m at commit e469949 (2021-01-17, 'fixed an issue "
          "pointed out by Juntang'; the README says Figure 1 is that script's default run).  The earlier "
          "version (4fef75c) had two C's per period (i <= 1), C = 1..31, beta2 = 1 - 10^(-i/24), 20000 steps.  "
          "The printed figure itself was not read: UNVERIFIED which version it shows",
          "beta1 = 0 (RMSprop), eta = 1, step eta g_k / sqrt(v_k) k^(-1/2), clip to [-1, 1], no bias correction, "
          "no eps; g_k = C if k mod C = 1 else -1 (period C: Theorem 2's family, x* = -1); x_1 = 100; v starts "
          "at x_1 C = 100 C (only the transient depends on it); grid C = 2..32, beta2 = 1 - 10^(-i/10), "
          "i = 1..40; their label: mean of log10|x + 1| over the last quarter of 10^6 steps below -2",
          "certified sign of D over each cell (C, beta2 in [1 - 10^(-(i-1/2)/10), 1 - 10^(-(i+1/2)/10)]), "
          "the exact boundary beta2*(C) per C against 1 - 1/C^2",
          _decide_shi, EVIDENCE),
    Claim("zhang2022-phase-transition",
          {"authors": "Y. Zhang, C. Chen, N. Shi, R. Sun, Z.-Q. Luo", "year": 2022, "venue": "NeurIPS 2022, "
           "'Adam Can Converge Without Any Modification On Update Rules'", "where": "abstract; divergence "
           "result and its figure (red region)", "url": "https://arxiv.org/abs/2208.09632"},
          "for any fixed n there is a function on which Adam diverges for (beta1, beta2) in a region of small "
          "beta2; the region grows with n and tends to [0,1)^2; Adam converges for large beta2 and "
          "beta1 < sqrt(beta2): a phase transition at a problem-dependent critical beta2",
          "READ at abstract / summary level; their construction, the thresholds gamma_1(n) and the region's "
          "formula are UNVERIFIED (not read): the claim is checked on Reddi's period-n family, not on theirs",
          "Section 5 family generalised: g = n at t mod n = 1, else -1 (Section 5 is n = 101 scaled by 10), "
          "cyclic order (theirs: random shuffling of a finite sum), F = [-1, 1], alpha_t = alpha/sqrt(t), "
          "Adam without bias correction, eps = 0",
          "exact boundary beta2*(n) per beta1 in {0, 1/2, 9/10}; certified (beta1, log10(1-beta2)) phase "
          "signs at the centres of a grid of [0,1)^2 per n (counterexamples.drift.drift_sign)",
          _decide_zhang, EVIDENCE),
    Claim("adopt2024-any-beta2",
          {"authors": "S. Taniguchi, K. Harada, G. Minegishi, Y. Oshima, S. C. Jeong, G. Nagahara, T. Iiyama, "
           "M. Suzuki, Y. Iwasawa, Y. Matsuo", "year": 2024, "venue": "NeurIPS 2024, 'ADOPT: Modified Adam Can "
           "Converge with Any beta2 with the Optimal Rate'", "where": "abstract, main theorem",
           "url": "https://arxiv.org/abs/2411.02853"},
          "ADOPT converges at the optimal rate for any beta2 in [0, 1)",
          "READ at abstract level (their rate theorem is for smooth stochastic non-convex problems, unconstrained); "
          "here checked on the online problems of Reddi et al.",
          "the zoo's ADOPT: Algorithm 2 without clipping (v_0 = g_1^2, m_t = beta1 m + (1-beta1) g_t / "
          "max(sqrt(v_{t-1}), eps), x -= alpha_t m_t), alpha_t = alpha/sqrt(t), eps = 0, projected on [-1, 1]; "
          "the later clipped version clips at (t-1)^(1/4), which eventually never acts (same limit)",
          "the generalised drift of the limit form on the suite, certified by an invariant box in arb",
          _decide_adopt, EVIDENCE),
    Claim("toint2023-smooth-1d",
          {"authors": "Ph. L. Toint", "year": 2023, "venue": "arXiv 2308.00720, 'Divergence of the ADAM algorithm "
           "with fixed-stepsize: a (very) simple example'", "where": "abstract, Section 2",
           "url": "https://arxiv.org/abs/2308.00720"},
          "'A very simple unidimensional function with Lipschitz continuous gradient is constructed such that "
          "the ADAM algorithm with constant stepsize, started from the origin, diverges ... in the absence of "
          "noise on the gradient.  Divergence occurs irrespective of the choice of the method parameters.'",
          "READ: the abstract.  Toint's function is UNVERIFIED (not read): no verdict on his construction.  "
          "The function checked is RECONSTRUCTED (ours, numerics.problems.SmoothTrap1D): f'(x) = -cos(2 pi u) "
          "between consecutive Adam iterates under g = -1; it depends on the parameters",
          "unconstrained 1-D deterministic minimisation, constant step alpha, x_1 = 0, Adam without bias "
          "correction and eps = 0; 'diverges' = |f'(x_k)| does not tend to 0 (here it is 1 at every k) while "
          "f is bounded below and f' is Lipschitz",
          "Adam run on the function in arb balls for K iterations at each grid point; the Lipschitz constant "
          "2 pi / min gap and |f| <= max gap / (2 pi) from the knots",
          _decide_toint, EVIDENCE),
    Claim("kingma-ba2015-thm4.1",
          {"authors": "D. P. Kingma, J. Ba", "year": 2015, "venue": "ICLR 2015, 'Adam: A Method for Stochastic "
           "Optimization'", "where": "Theorem 4.1 (= Appendix Theorem 10.5)", "url": "https://arxiv.org/abs/1412.6980"},
          "R(T) <= D^2/(2 alpha (1-beta1)) sum_i sqrt(T v_hat_{T,i}) + alpha (1+beta1) G_inf / ((1-beta1) "
          "sqrt(1-beta2) (1-gamma)^2) sum_i ||g_{1:T,i}|| + sum_i D_inf^2 G_inf sqrt(1-beta2) / (2 alpha "
          "(1-beta1) (1-lambda)^2), gamma = beta1^2/sqrt(beta2) < 1",
          "READ (a text conversion with garbled subscripts; see docs/references.md)",
          "online convex optimisation, bias-corrected Adam, alpha_t = alpha/sqrt(t), beta_{1,t} = beta1 lambda^(t-1)",
          "the proof audit's theorem 'kingma-ba' (each proof step an obligation; statement verdict)",
          _decide_kingma_ba, REFUTED),
    Claim("phuong-phong2019-gap",
          {"authors": "T. T. Phuong, L. T. Phong", "year": 2019, "venue": "IEEE Access 7:61706-61716, 'On the "
           "Convergence Proof of AMSGrad and a New Version'", "where": "Section 3, Example 3.2",
           "url": "https://doi.org/10.1109/ACCESS.2019.2916341"},
          "the AMSGrad proof treats beta_{1,t} as beta1: inequality (2) does not follow from (1); Example 3.2 "
          "is a convex counterexample to the step",
          "READ (abstract, IEEE page); Example 3.2's numbers FOLLOW-UP (a Lean transcription) and recomputed",
          "Section 5 sequence (1010 at t mod 101 = 1, else -10), x_1 = 1, beta1 = 0.9, lambda = 0.001, "
          "beta2 = 0.999, alpha_t = 0.001/sqrt(t)",
          "the proof audit's theorem 'phuong-phong' (exact witnesses)",
          _decide_pp_gap, PROVED),
    Claim("phuong-phong2019-repairs",
          {"authors": "T. T. Phuong, L. T. Phong", "year": 2019, "venue": "IEEE Access 7:61706-61716",
           "where": "Theorem 4.1, Theorem 5.1 (AdamX)", "url": "https://doi.org/10.1109/ACCESS.2019.2916341"},
          "corrected regret bounds for AMSGrad under special beta_{1,t} schedules (Thm 4.1) and for AdamX (Thm 5.1)",
          "FOLLOW-UP (Lean transcription); Theorem 5.1's second term with (1-beta1)^2 (the printed (1-beta1) "
          "is audited separately as 'adamx-5.1-printed')",
          "online convex optimisation on a box, alpha_t = alpha/sqrt(t), gamma = beta1/sqrt(beta2) < 1",
          "the proof audit's kernel-checked statements 'pp-4.1' and 'adamx-5.1'",
          _decide_pp_repairs, PROVED),
]
KEYS = tuple(c.key for c in CLAIMS)
QUICK_SKIP = ("phuong-phong2019-repairs",)  # ~8 s of kernel proofs: full mode only


def run_claims(keys=None, quick: bool = True, progress=None) -> list[dict]:
    """Decide the claims ``keys`` (default all; in quick mode the slow audit re-runs are skipped unless
    named) and return one record per claim."""
    keys = list(keys) if keys else [k for k in KEYS if not (quick and k in QUICK_SKIP)]
    by = {c.key: c for c in CLAIMS}
    bad = [k for k in keys if k not in by]
    if bad:
        raise ValueError(f"unknown claim {bad[0]!r}; choose from {', '.join(KEYS)}")
    out = []
    for k in keys:
        c = by[k]
        t0 = time.perf_counter()
        try:
            v, extra = c.decide(quick)
        except Exception as exc:  # noqa: BLE001 -- a failed decision is UNKNOWN with its reason, never success
            v, extra = Verdict(UNKNOWN, reason=f"{type(exc).__name__}: {exc}"), {}
        v.seconds = round(time.perf_counter() - t0, 3)
        rec = {"key": c.key, "source": c.source, "printed": c.printed, "provenance": c.provenance,
               "problem": c.problem, "how": c.how, "verdict": v.status, "expected": c.expected,
               "result": v.as_dict(), "seconds": v.seconds, **extra}
        out.append(rec)
        if progress:
            progress(f"[claims] {k}: {v.status} ({v.seconds:.1f} s)")
    return out


def mismatches(claims: list[dict]) -> list[str]:
    return [f"{c['key']}: {c['verdict']} (expected {c['expected']})" for c in claims if c["verdict"] != c["expected"]]


def table(claims: list[dict]) -> str:
    lines = []
    for c in claims:
        s = c["source"]
        lines.append(f"== {c['key']}  [{c['verdict'].upper()}, {c['seconds']:.1f} s]")
        lines.append(f"   source:     {s['authors']} ({s['year']}), {s['venue']}; {s['where']}")
        lines.append(f"   claim:      {c['printed']}")
        lines.append(f"   provenance: {c['provenance']}")
        lines.append(f"   problem:    {c['problem']}")
        lines.append(f"   decided by: {c['how']}")
        r = c["result"]
        if r.get("witness"):
            w = ", ".join(f"{k}={v}" for k, v in r["witness"].items())
            lines.append(f"   witness:    {w if len(w) < 400 else w[:397] + '...'}")
        if r.get("reason"):
            lines.append(f"   => {r['reason']}")
        for name, rd in (c.get("readings") or {}).items():
            lines.append(f"   reading '{name}': {rd['status'].upper()} -- {rd.get('reason') or ''}")
    return "\n".join(lines)


def _parser():
    """The command line of ``python -m counterexamples.claims`` (the project's CLI conventions)."""
    from numerics.cli import Parser, number, range_text

    from proofs.ids import IDS

    p = Parser(
        prog="python -m counterexamples.claims",
        description="Decide the registry of published claims after Reddi, Kale & Kumar (2018) with the toolkit's "
                    "certified tools (the drift D and its certified sign, the exact boundary in beta2, certified "
                    "grids, the zoo's limit forms, the proof audit).  Each claim gets one verdict: PROVED, "
                    "REFUTED (with its witness), EVIDENCE (a finite check, its range in the label) or UNKNOWN "
                    "(never success).  RECONSTRUCTED / UNVERIFIED claims are not a source's printed text.",
        json_help="print the claims (and the audited theorems) as JSON on stdout instead of the table",
        epilog="Theorem ids for --theorem: " + ", ".join(IDS) + ".  Exit status: 0 every verdict is the "
               "expected one, 1 a verdict differs (an UNKNOWN included), 2 bad arguments.")
    p.add_argument("--quick", action="store_true", help="the short ranges (about 20 s instead of about 70 s)")
    p.add_argument("--theorem", action="append", metavar="ID",
                   help="also audit this theorem of python -m proofs and show it on the same page (repeatable)")
    p.add_argument("--timeout", type=number("timeout"), default="10", metavar="S",
                   help=f"with --theorem: the audit's per-obligation Z3 limit in CPU seconds, in "
                        f"{range_text('timeout')} (default 10)")
    p.add_argument("--html", metavar="FILE", help="also write the claims (and the theorems) as one self-contained "
                   "HTML page to FILE (checked before the run)")
    p._outputs.append(("html", "--html", None))
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p


def _main(argv) -> int:
    """``python -m counterexamples.claims [--quick] [--theorem ID ...] [--json] [--html FILE]``.  Exit status
    1 when a verdict differs from the expected one (an UNKNOWN included), 0 otherwise."""
    import sys

    from numerics.cli import BadInput, dumps, emit, meta, write_atomic

    from proofs.ids import IDS

    args = _parser().parse_args(argv)  # bad input and a bad output path: exit 2 before any work
    for tid in args.theorem or []:
        if tid not in IDS:
            raise BadInput(f"--theorem: unknown id {tid!r}; choose from {', '.join(IDS)}")
    from proofs.audit import PRECISION, mismatches as audit_mismatches, run_audit

    say = None if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    theorems = run_audit(args.theorem, float(args.timeout)) if args.theorem else []
    claims = run_claims(quick=args.quick, progress=say)
    bad = mismatches(claims) + (audit_mismatches(theorems) if theorems else [])
    total = time.perf_counter() - t0
    counts = {v: sum(c["verdict"] == v for c in claims) for v in (PROVED, REFUTED, UNKNOWN, EVIDENCE)}
    doc = {"claims": claims, "theorems": theorems,
           "meta": {**meta("counterexamples.claims", precision=PRECISION), "quick": bool(args.quick),
                    "seconds": round(total, 3), "claim_counts": counts, "mismatches": bad,
                    "note": "verdicts of published claims; RECONSTRUCTED / UNVERIFIED items are not a source's "
                            "printed text (see each claim's provenance)"}}
    if args.json:
        text = dumps(doc)  # the one JSON writer of every command
    else:
        head = (f"Published claims after Reddi et al. ({'quick' if args.quick else 'full'} ranges), "
                f"{len(claims)} claims in {total:.1f} s: " + ", ".join(f"{n} {v}" for v, n in counts.items()))
        text = head + "\n\n" + table(claims) + "\n\n" + (
            "Every verdict is the expected one." if not bad else "MISMATCHES: " + "; ".join(bad))
    if args.html:
        from proofs.html import render

        write_atomic(args.html, render(doc, title="Published claims after Reddi, Kale & Kumar (2018)"))
    emit(text, args.output)
    return 1 if bad else 0


def main(argv=None, isolate: bool = False) -> int:
    """The command's entry point: returns the exit status (bad input: one line and 2; Ctrl-C: 130)."""
    from numerics.cli import main_entry

    return main_entry("python -m counterexamples.claims", _main, argv, isolate)


if __name__ == "__main__":
    import sys as _sys

    _sys.exit(main(isolate=True))
