"""python -m counterexamples.search: find the parameters that break Adam, certify them, map the boundary.

With no arguments it runs the default a reader of the paper wants first (10-30 s on two cores):
Theorem 1 (a witness found by Z3, and a Z3 proof that the whole family diverges), Theorem 2 at the
paper's (beta1, beta2) = (0.9, 0.99) and (0.9, 0.999) -- Reddi's sufficient C next to the exact
threshold -- and the exact boundary of the Section 5 problem (period 101); then a table.

Searches (each witness is certified: exact rationals; conditions re-checked without Z3; the sign of the
steady-state drift D certified by python-flint balls; a float64 run of Adam and AMSGrad and a 128-bit
ball run on the same problem):
  --theorem 1          C > 2, beta1 = 0, beta2 = 1/(1+C^2), alpha < sqrt(1-beta2)   (Z3 finds C if not given)
  --theorem 2          smallest even C meeting (c1)-(c3) (RECONSTRUCTED) for --beta1/--beta2
  --theorem 3          stochastic family: a C with E[Delta_t] >= 0 by Monte Carlo (--paths, --seed)
  --theorem 6          the eps variant for --eps (losses scaled when eps > 1)
  --exact              period n = C family: the smallest C with D > 0 (exactly minimal);
                       with --n: the integers C > n-1 with D > 0 and the largest one;
                       with --grid N: the certified (beta1, beta2) phase diagram for fixed --C/--n
                       (--axis log: beta1 against log10(1 - beta2), 1 - beta2 from 1e-6 to 1).
  --threshold-map N    the exact smallest diverging C of the period-C family at N x N points of
                       (beta1, log10(1 - beta2)) (a heat map with --plot FILE).
The maths of the exact test is in counterexamples/drift/steady.py (docstring), with the argument checked.
Exit codes: 0 success, 1 a check failed, 2 bad input.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from fractions import Fraction

from numerics.cli import BadInput, CheckFailed, Parser, emit, main_entry, number, range_text
from numerics.cli import meta as base_meta
from numerics.sweep import add_sweep_arguments, sweep_options

from .. import drift as dr
from .report import render
from .runs import (SECTION5, Ctx, drift_argument, run_default, run_exact_n, run_exact_threshold, run_grid,  # noqa: F401
                   run_threshold_map, run_theorem1, run_theorem2_pair, run_theorem3, run_theorem6, witness)


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m counterexamples.search", description=__doc__, plot=True,
               json_help="print the JSON result instead of the report")
    p.add_argument("--theorem", choices=["1", "2", "3", "6"], help="which theorem's search to run")
    p.add_argument("--exact", action="store_true", help="the exact drift criterion (see above)")
    p.add_argument("--beta1", type=number("beta1"), help="beta1 in [0, 1), exact decimal or p/q (default 0.9)")
    p.add_argument("--beta2", type=number("beta2"), help="beta2 in (0, 1), exact decimal or p/q (default 0.99)")
    p.add_argument("--C", help="the large gradient C (Theorem 1/6: > 2; exact with --n: > n-1)")
    p.add_argument("--n", help="period n >= 2 (exact mode)")
    p.add_argument("--delta", help="Theorem 3: delta in (0, 1] (default 0.1)")
    p.add_argument("--eps", help="Theorem 6: eps > 0 (default 1)")
    p.add_argument("--grid", help="with --exact: N x N certified phase diagram, 2 <= N <= 256")
    p.add_argument("--axis", choices=["linear", "log"],
                   help="with --grid: linear = the (beta1, beta2) square (default); log = beta1 against "
                        "log10(1 - beta2) in [-decades, 0]")
    p.add_argument("--threshold-map", metavar="N",
                   help="the exact smallest diverging C at N x N cell centres of (beta1, log10(1 - beta2)), "
                        "2 <= N <= 64 (24: about 20 s on one core)")
    p.add_argument("--decades", help="the log axis covers 1 - beta2 in [10^-decades, 1], 1 <= decades <= 9 "
                                     "(default 6 for --grid, 5 for --threshold-map: its cost grows like "
                                     "10^decades)")
    p.add_argument("--timeout", type=number("timeout"), default="10",
                   help=f"seconds per Z3 query, in {range_text('timeout')} (default 10)")
    p.add_argument("--T", help="simulation horizon, 1000 <= T <= 1e10 (default: from the drift, capped)")
    p.add_argument("--paths", default="20000", help="Theorem 3: Monte Carlo paths, 100..10^6 (default 20000)")
    p.add_argument("--seed", type=number("seed"), default="0",
                   help=f"Theorem 3: seed, {range_text('seed')} (default 0)")
    p.add_argument("--no-sim", action="store_true", help="skip simulations (exact results only)")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    add_sweep_arguments(p)  # --workers N, --scheduler ADDRESS|local (the grid's cells)
    return p


# ------------------------------------------------------------------------------------------------
def _frac(name, s, lo=None, hi=None, lo_open=True, hi_open=True, rng=""):
    if s is None:
        return None
    try:
        v = Fraction(str(s).strip())
    except (ValueError, ZeroDivisionError):
        raise BadInput(f"--{name}: expected a number (decimal or p/q), got {s!r}") from None
    bad = (lo is not None and (v < lo or (lo_open and v == lo))) or \
          (hi is not None and (v > hi or (hi_open and v == hi)))
    if bad:
        raise BadInput(f"--{name} must be in {rng} (got {s})")
    return v


def _int(name, s, lo, hi, rng):
    if s is None:
        return None
    try:
        v = int(str(s).strip().replace("_", ""))
    except ValueError:
        try:
            f = float(s)
            if not f.is_integer():
                raise ValueError
            v = int(f)
        except ValueError:
            raise BadInput(f"--{name}: expected an integer in {rng}, got {s!r}") from None
    if not lo <= v <= hi:
        raise BadInput(f"--{name} must be in {rng} (got {s})")
    return v


def validate(a) -> dict:
    """Parse and range-check every option; raise BadInput with a one-line reason."""
    o = {}
    o["beta1"] = _frac("beta1", a.beta1, 0, 1, lo_open=False, rng="[0, 1)")
    o["beta2"] = _frac("beta2", a.beta2, 0, 1, rng="(0, 1)")
    o["C"] = _frac("C", a.C, 0, None, rng="(0, oo)")
    o["n"] = _int("n", a.n, 2, 10**6, "[2, 10^6] (integer)")
    o["delta"] = _frac("delta", a.delta, 0, 1, hi_open=False, rng="(0, 1]")
    o["eps"] = _frac("eps", a.eps, 0, None, rng="(0, oo)")
    o["grid"] = _int("grid", a.grid, 2, 256, "[2, 256] (integer)")
    o["threshold_map"] = _int("threshold-map", a.threshold_map, 2, 64, "[2, 64] (integer)")
    o["decades"] = _int("decades", a.decades, 1, 9, "[1, 9] (integer)")
    o["axis"] = a.axis or "linear"
    o["timeout"] = float(a.timeout)
    o["T"] = _int("T", a.T, 1000, 10**10, "[1000, 10^10] (integer)")
    o["paths"] = _int("paths", a.paths, 100, 10**6, "[100, 10^6] (integer)")
    o["seed"] = int(a.seed)
    th = a.theorem
    if th and a.exact:
        raise BadInput("--theorem and --exact: choose one mode")
    if th in ("1", "6") and (o["beta1"] is not None or o["beta2"] is not None):
        raise BadInput(f"--beta1/--beta2 are prescribed by Theorem {th} (beta1 = 0, beta2 from C); omit them")
    if th in ("2", "3"):
        b1 = o["beta1"] if o["beta1"] is not None else Fraction(9, 10)
        b2 = o["beta2"] if o["beta2"] is not None else Fraction(99, 100)
        if b1 * b1 >= b2:
            raise BadInput(f"--beta1 must be < sqrt(beta2) = {math.sqrt(b2):.6g} for Theorem {th} "
                           f"(got beta1={b1}, beta2={b2})")
    if th in ("1", "6") and o["C"] is not None and o["C"] <= 2:
        raise BadInput(f"--C must be > 2 for Theorem {th} (got {a.C})")
    if th == "2" and o["C"] is not None and (o["C"].denominator != 1 or o["C"] < 2 or o["C"] % 2):
        raise BadInput(f"--C must be an even integer >= 2 for Theorem 2 (got {a.C})")
    if th == "3" and o["C"] is not None and o["C"] <= 1:
        raise BadInput(f"--C must be > 1 for Theorem 3 (got {a.C})")
    if a.exact and o["n"] is not None and o["C"] is not None and o["C"] <= o["n"] - 1:
        raise BadInput(f"--C must be > n - 1 = {o['n'] - 1} (mean gradient positive, optimum -1) (got {a.C})")
    if a.exact and o["C"] is not None and o["n"] is None and o["grid"] is None:
        if o["C"].denominator != 1 or o["C"] < 2:
            raise BadInput(f"--C must be an integer >= 2 for the period n = C family (got {a.C}); or give --n")
    if o["grid"] is not None and not a.exact:
        raise BadInput("--grid needs --exact (the phase diagram of the exact criterion)")
    if o["threshold_map"] is not None and (th or o["grid"] is not None):
        raise BadInput("--threshold-map is a mode of its own: drop --theorem / --grid")
    if o["threshold_map"] is not None and any(x is not None for x in (a.beta1, a.beta2, a.C, a.n)):
        raise BadInput("--threshold-map spans beta1 and beta2 for the period n = C family: drop --beta1/--beta2/--C/--n")
    if a.axis is not None and o["grid"] is None and not (a.exact and a.plot):
        raise BadInput("--axis applies to the phase diagram: use it with --exact --grid N")
    if o["decades"] is not None and o["threshold_map"] is None and o["axis"] != "log":
        raise BadInput("--decades applies to the log axis: use it with --axis log or --threshold-map")
    if th and o["n"] is not None:  # every theorem fixes its period (3, C, or none for Theorem 3)
        raise BadInput(f"--n does not apply to --theorem {th} (its period is fixed); use --exact --n")
    if th and th != "3" and a.delta is not None:
        raise BadInput(f"--delta applies to --theorem 3 only (got --theorem {th})")
    if th and th != "6" and a.eps is not None:
        raise BadInput(f"--eps applies to --theorem 6 only (got --theorem {th})")
    return o



def meta(o, seconds) -> dict:
    try:
        from numerics import engine as E

        eng = "numba" if E.HAVE_NUMBA else "numpy-reference"
    except Exception:  # noqa: BLE001
        eng = "numpy-reference"
    return {**base_meta("counterexamples.search", seed=o["seed"]), "precision": {"drift": "python-flint arb, 64-4096 bits (certified signs)",
                          "conditions": "exact rationals ((c1), (c2)); arb >= 128 bits ((c3))",
                          "simulation": "certified fast-forward balls where it applies (each record's engine), "
                                        "else float64 (fused engine); + 128-bit arb ball run"},
            "simulation_engine": eng, "z3_timeout_s": o["timeout"], "seconds": round(seconds, 2),
            "conventions": "t starts at 1; large gradient at t mod n = 1; alpha_t = alpha/sqrt(t); "
                           "no bias correction; F = [-1, 1]"}


# ------------------------------------------------------------------------------------------------
def main(argv=None, isolate: bool = False) -> int:
    return main_entry("python -m counterexamples.search", _main, argv, isolate)


def _main(argv) -> int:
    res, args = _search(argv)
    res["failed_checks"] = failed_checks(res)
    text = dumps_default(res)
    emit(text if args.json else render(res), args.output)
    for line in res["failed_checks"]:
        print(f"check failed: {line}", file=sys.stderr)
    return 1 if res["failed_checks"] else 0


def failed_checks(res: dict) -> list[str]:
    """What makes the run exit 1.  UNKNOWN is never success: a witness that claims to break Adam but
    is not certified (a condition fails or a Z3 lemma it rests on is not PROVED) and carries no finite
    evidence (Theorem 3's Monte Carlo, labelled with its range, is evidence, never certified), a witness
    that the simulation contradicts, a family claim or the drift argument not proved.  A single
    --exact point that converges is an answer, not a failure (it carries "outcome"); an inconclusive
    simulation of a certified witness does not fail the run."""
    bad = []
    for w in res["witnesses"]:
        name = f"theorem {w.get('theorem')} witness (C={w.get('C')})"
        if w.get("outcome") is None and not w["certified"] and not w.get("evidence"):
            bad.append(f"{name}: not certified")
        if w.get("evidence") and w.get("confirmation") == "refuted":
            bad.append(f"{name}: the simulation disagrees with the evidence")
        if w["certified"] and w.get("confirmation") == "refuted":
            bad.append(f"{name}: the simulation disagrees with the certificate")
        fam = (w.get("z3") or {}).get("family_lemmas_D_positive_for_all_C_gt_2")
        if fam is not None and not fam.get("all_C_gt_2_diverge"):
            bad.append(f"{name}: 'D > 0 for every C > 2' not proved")
    da = res.get("drift_argument")
    if da is not None and not da.get("proved"):
        bad.append("drift argument: clamp identities not proved")
    return bad


def run_json(argv=None) -> dict:
    """The search's JSON document for the command-line arguments ``argv`` (a list of strings)."""
    return json.loads(dumps_default(_search(list(argv or []) + ["--quiet"])[0]))


def dumps_default(res) -> str:
    return json.dumps(res, indent=1, default=str)


def _search(argv):
    t0 = time.perf_counter()
    args = build_parser().parse_args(argv)  # bad input / bad --output, --plot paths: exit 2 first
    o = validate(args)
    o["sweep"] = sweep_options(args)  # a missing 'distributed' with --scheduler: one line, exit 2
    if args.plot:
        try:
            import matplotlib  # noqa: F401 -- only needed for --plot
        except ImportError:
            raise BadInput("--plot needs matplotlib (pip install matplotlib, or the [plot] extra)") from None
    ctx = Ctx(o, args)
    b1 = o["beta1"] if o["beta1"] is not None else Fraction(9, 10)
    b2 = o["beta2"] if o["beta2"] is not None else Fraction(99, 100)
    try:  # BadInput propagates (exit 2); an inconclusive certification is a failed check (exit 1)
        if args.theorem == "1":
            res = {"witnesses": run_theorem1(ctx), "grid": None}
        elif args.theorem == "2":
            ws, row = run_theorem2_pair(ctx, b1, b2, with_exact=o["C"] is None)
            res = {"witnesses": ws, "grid": None, "table": [row] if o["C"] is None else []}
        elif args.theorem == "3":
            res = {"witnesses": run_theorem3(ctx), "grid": None}
        elif args.theorem == "6":
            res = {"witnesses": run_theorem6(ctx), "grid": None}
        elif o["threshold_map"] is not None:
            res = {"witnesses": [], "grid": None, "threshold_map": run_threshold_map(ctx, o["threshold_map"]),
                   "drift_argument": drift_argument(ctx)}
        elif args.exact:
            res = {"witnesses": [], "grid": None}
            if o["grid"] is not None or args.plot:
                C = o["C"] if o["C"] is not None else SECTION5["C"]
                n = o["n"] if o["n"] is not None else (int(C) if dr.q(C).denominator == 1 else None)
                if n is None:
                    raise BadInput("--n is needed with a non-integer --C for the grid")
                res["grid"] = run_grid(ctx, C, n, o["grid"] or 24, axis=o["axis"], decades=o["decades"])
            elif o["n"] is not None:
                res["witnesses"] = run_exact_n(ctx, b1, b2, o["n"])
            elif o["C"] is not None:
                C = int(o["C"])
                sign = dr.drift_sign(b1, b2, C, C)
                with ctx.bar(f"exact: simulate C=n={C}"):
                    sim = ctx.simulate(b1, b2, C, C, 1)
                res["witnesses"] = [witness("exact", b1, b2, C, C, {"D>0 (arb)": sign.sign == 1}, sign,
                                            sim, outcome=sign.label, alpha="1")]
            else:
                res["witnesses"] = [run_exact_threshold(ctx, b1, b2)]
            res["drift_argument"] = drift_argument(ctx)
        else:
            if args.plot:
                raise BadInput("--plot needs --exact (optionally with --grid N, --C, --n) or --threshold-map N")
            res = run_default(ctx)
    except RuntimeError as exc:  # a certification step could not conclude: a failed check, not bad input
        raise CheckFailed(f"check failed: {exc}") from None
    res.setdefault("table", [])
    res["meta"] = meta(o, time.perf_counter() - t0)
    return res, args
