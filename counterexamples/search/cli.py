"""python -m counterexamples.search: find the parameters that break Adam, certify them, map the boundary.

With no arguments it runs the default a reader of the paper wants first (about 19 s of CPU time, so 10-20 s on two idle cores):
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
A simulation estimated to pass an hour (a large --T) prints its ETA and needs --yes.
From Python: ``counterexamples.search.search(theorem=2, beta1="1/2", beta2="9/10", simulate=False)``.
Exit codes: 0 success, 1 a check failed, 2 bad input.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from fractions import Fraction
from types import SimpleNamespace

from numerics.cli import BadInput, CheckFailed, Parser, confirm_eta, dumps, emit, estimate_seconds, main_entry
from numerics.cli import meta as base_meta
from numerics.cli import RANGES, range_text, value
from numerics.paper import BETA1, BETA2  # the defaults the help names: the paper's pair, read where the runs read it
from numerics.sweep import add_sweep_arguments, sweep_options

# The search's machinery (SymPy, Z3, flint, numba behind it) is imported by the functions that run a search,
# after the command line is parsed and checked: --help and a bad value answer in a fraction of a second.
# The names below stay importable from this module as before (``from .cli import run_default``).
_RUNS = ("SECTION5", "Ctx", "drift_argument", "run_default", "run_exact_n", "run_exact_threshold", "run_grid",
         "run_threshold_map", "run_theorem1", "run_theorem2_pair", "run_theorem3", "run_theorem6", "witness")


def __getattr__(name):
    if name in _RUNS:
        from . import runs

        return getattr(runs, name)
    if name == "render":
        from .report import render

        return render
    if name == "PAPER_DEFAULT":
        from analysis.conditions import PAPER_DEFAULT

        return PAPER_DEFAULT
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_parser(raise_errors: bool = False) -> argparse.ArgumentParser:
    # every value stays a string here: the one check of each range is search()'s (numerics.cli.value)
    p = Parser(prog="python -m counterexamples.search", description=__doc__, plot=True,
               json_help="print the JSON result instead of the report", raise_errors=raise_errors)
    p.add_argument("--theorem", choices=["1", "2", "3", "6"], help="which theorem's search to run")
    p.add_argument("--exact", action="store_true", help="the exact drift criterion (see above)")
    p.add_argument("--beta1", help=f"beta1 in {range_text('beta1')}, exact decimal or p/q (default {BETA1})")
    p.add_argument("--beta2", help=f"beta2 in {range_text('beta2')}, exact decimal or p/q (default {BETA2})")
    p.add_argument("--C", help=f"the large gradient C in {range_text('C')} (Theorem 1/6: > 2; exact with "
                               f"--n: > n-1)")
    p.add_argument("--n", help=f"period n, {range_text('n')} (exact mode)")
    p.add_argument("--delta", help=f"Theorem 3: delta in {range_text('delta')} (default 0.1)")
    p.add_argument("--eps", help=f"Theorem 6: eps in {range_text('eps')}, > 0 (default 1)")
    p.add_argument("--grid", help=f"with --exact: N x N certified phase diagram, N {range_text('grid')}")
    p.add_argument("--axis", choices=["linear", "log"],
                   help="with --grid: linear = the (beta1, beta2) square (default); log = beta1 against "
                        "log10(1 - beta2) in [-decades, 0]")
    p.add_argument("--threshold-map", metavar="N",
                   help="the exact smallest diverging C at N x N cell centres of (beta1, log10(1 - beta2)), "
                        f"N {range_text('threshold_map')} (24: about 35 s on one core)")
    p.add_argument("--decades", help=f"the log axis covers 1 - beta2 in [10^-decades, 1], decades "
                                     f"{range_text('decades')} (default 6 for --grid, 5 for --threshold-map: "
                                     "its cost grows like 10^decades)")
    p.add_argument("--timeout", default="10", help=f"seconds per Z3 query, in {range_text('timeout')} (default 10)")
    p.add_argument("--T", help=f"simulation horizon, {range_text('T')} (default: from the drift, capped); "
                               "a run estimated over an hour needs --yes")
    p.add_argument("--paths", default="20000", help=f"Theorem 3: Monte Carlo paths, {range_text('paths')} "
                                                    "(default 20000)")
    p.add_argument("--seed", default="0", help=f"Theorem 3: seed, {range_text('seed')} (default 0)")
    p.add_argument("--no-sim", action="store_true", help="skip simulations (exact results only)")
    p.add_argument("--yes", action="store_true", help="start a run whose ETA passes an hour")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    add_sweep_arguments(p)  # --workers N, --scheduler ADDRESS|local (the grid's cells)
    return p


# ------------------------------------------------------------------------------------------------
class SearchResult(dict):
    """The search's JSON document (a dict, as printed by ``--json``), with its main parts as attributes.

    Keys: ``witnesses`` (list of witness dicts: theorem, beta1, beta2, C, n, conditions, drift,
    certified, confirmation, simulation, ...), ``table`` (the default job's rows), ``grid`` (the
    phase diagram or None), ``threshold_map`` (with --threshold-map), ``drift_argument`` (the Z3 clamp
    identities), ``failed_checks`` (why the command would exit 1; empty when every check passed),
    ``meta`` (tool, versions, seed, precision, seconds).  Values are plain JSON (exact rationals as "p/q").

    The exact test at beta1 = 1/2, beta2 = 9/10: the smallest C whose period-C family (Theorem 2's shape)
    has D > 0 is C = 8, certified minimal (every C' < 8 has D < 0 in balls):

    >>> from counterexamples.search import search
    >>> r = search(exact=True, beta1="1/2", beta2="9/10", simulate=False)
    >>> r.ok, [(w["C"], w["n"], w["certified"]) for w in r.witnesses], r.failed_checks
    (True, [(8, 8, True)], [])
    """

    @property
    def witnesses(self) -> list:
        return self["witnesses"]

    @property
    def table(self) -> list:
        return self.get("table", [])

    @property
    def failed_checks(self) -> list:
        return self.get("failed_checks", [])

    @property
    def ok(self) -> bool:
        """True when no check failed (the command's exit 0)."""
        return not self.failed_checks


def validate(*, theorem=None, exact=False, beta1=None, beta2=None, C=None, n=None, delta=None, eps=None,
             grid=None, axis=None, threshold_map=None, decades=None, timeout=10, T=None, paths=20000, seed=0,
             plot=None, flag=None) -> dict:
    """Check every option once, against numerics.cli.RANGES and the theorems' own conditions; return the
    exact values, or raise BadInput with a one-line reason naming ``flag(name)`` (the CLI's --name)."""
    fl = flag or (lambda k: k)

    def opt(param, v, key=None):
        return None if v is None else value(param, v, fl(key or param))

    th = None if theorem is None else str(theorem)
    if th not in (None, "1", "2", "3", "6"):
        raise BadInput(f"{fl('theorem')} must be one of 1, 2, 3, 6 (got {theorem!r})")
    if axis not in (None, "linear", "log"):
        raise BadInput(f"{fl('axis')} must be 'linear' or 'log' (got {axis!r})")
    o = {"beta1": opt("beta1", beta1), "beta2": opt("beta2", beta2), "C": opt("C", C), "n": opt("n", n),
         "delta": opt("delta", delta), "eps": opt("eps", eps), "grid": opt("grid", grid),
         "threshold_map": opt("threshold_map", threshold_map), "decades": opt("decades", decades),
         "axis": axis or "linear", "timeout": float(value("timeout", timeout, fl("timeout"))),
         "T": opt("T", T), "paths": value("paths", paths, fl("paths")), "seed": value("seed", seed, fl("seed"))}
    if o["eps"] is not None and o["eps"] == 0:
        raise BadInput(f"{fl('eps')} must be > 0 for Theorem 6 (got {eps})")
    cv = C
    if th and exact:
        raise BadInput(f"{fl('theorem')} and {fl('exact')}: choose one mode")
    if th in ("1", "6") and (o["beta1"] is not None or o["beta2"] is not None):
        raise BadInput(f"{fl('beta1')}/{fl('beta2')} are prescribed by Theorem {th} (beta1 = 0, beta2 from C); "
                       "omit them")
    if th in ("2", "3"):
        from analysis.conditions import PAPER_DEFAULT

        b1 = o["beta1"] if o["beta1"] is not None else PAPER_DEFAULT[0]
        b2 = o["beta2"] if o["beta2"] is not None else PAPER_DEFAULT[1]
        if b1 * b1 >= b2:
            raise BadInput(f"{fl('beta1')} must be < sqrt(beta2) = {math.sqrt(b2):.6g} for Theorem {th} "
                           f"(got beta1={b1}, beta2={b2})")
    if th in ("1", "6") and o["C"] is not None and o["C"] <= 2:
        raise BadInput(f"{fl('C')} must be > 2 for Theorem {th} (got {cv})")
    if th == "2" and o["C"] is not None and (o["C"].denominator != 1 or o["C"] < 2 or o["C"] % 2):
        raise BadInput(f"{fl('C')} must be an even integer >= 2 for Theorem 2 (got {cv})")
    if th == "3" and o["C"] is not None and o["C"] <= 1:
        raise BadInput(f"{fl('C')} must be > 1 for Theorem 3 (got {cv})")
    if exact and o["n"] is not None and o["C"] is not None and o["C"] <= o["n"] - 1:
        raise BadInput(f"{fl('C')} must be > n - 1 = {o['n'] - 1} (mean gradient positive, optimum -1) "
                       f"(got {cv})")
    if exact and o["C"] is not None and o["n"] is None and o["grid"] is None:
        if o["C"].denominator != 1 or o["C"] < 2:
            raise BadInput(f"{fl('C')} must be an integer >= 2 for the period n = C family (got {cv}); "
                           f"or give {fl('n')}")
        if o["C"] > RANGES_N_MAX:
            raise BadInput(f"{fl('C')} is also the period n here: at most {RANGES_N_MAX} (got {cv}); "
                           f"or give {fl('n')}")
    if o["grid"] is not None and not exact:
        raise BadInput(f"{fl('grid')} needs {fl('exact')} (the phase diagram of the exact criterion)")
    if o["threshold_map"] is not None and (th or o["grid"] is not None):
        raise BadInput(f"{fl('threshold_map')} is a mode of its own: drop {fl('theorem')} / {fl('grid')}")
    if o["threshold_map"] is not None and any(x is not None for x in (beta1, beta2, C, n)):
        raise BadInput(f"{fl('threshold_map')} spans beta1 and beta2 for the period n = C family: drop "
                       f"{fl('beta1')}/{fl('beta2')}/{fl('C')}/{fl('n')}")
    if axis is not None and o["grid"] is None and not (exact and plot):
        raise BadInput(f"{fl('axis')} applies to the phase diagram: use it with {fl('exact')} {fl('grid')} N")
    if o["decades"] is not None and o["threshold_map"] is None and o["axis"] != "log":
        raise BadInput(f"{fl('decades')} applies to the log axis: use it with {fl('axis')} log or "
                       f"{fl('threshold_map')}")
    if th and o["n"] is not None:  # every theorem fixes its period (3, C, or none for Theorem 3)
        raise BadInput(f"{fl('n')} does not apply to {fl('theorem')} {th} (its period is fixed); use "
                       f"{fl('exact')} {fl('n')}")
    if th and th != "3" and delta is not None:
        raise BadInput(f"{fl('delta')} applies to {fl('theorem')} 3 only (got {fl('theorem')} {th})")
    if th and th != "6" and eps is not None:
        raise BadInput(f"{fl('eps')} applies to {fl('theorem')} 6 only (got {fl('theorem')} {th})")
    if th in ("1", "6") and o["C"] is not None and o["C"] > 10**150:
        raise BadInput(f"{fl('C')} must be <= 1e150 for Theorem {th}: its beta2 = 1/(1+C^2) must be a float64 "
                       f"number for the simulation (got {cv})")
    return o


RANGES_N_MAX = RANGES["n"][1]  # the period n = C family holds n rows: n's one range bounds C here


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
    """The command ``python -m counterexamples.search`` (see the module docstring); ``argv`` a list of
    strings.  Returns the exit code: 0 success, 1 a check failed, 2 bad input (one line on stderr).  Like
    any argparse command, a usage error that argparse itself reports (an unknown flag, --help) leaves by
    SystemExit in-process; from Python use :func:`search`, which raises ``BadInput`` instead.

    >>> from counterexamples.search import main
    >>> main(["--theorem", "2", "--beta1", "1/2", "--beta2", "2"])   # stderr: --beta2 must be a number in (0, 1)
    2
    """
    return main_entry("python -m counterexamples.search", _main, argv, isolate)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _kwargs(args) -> dict:
    """The parsed command line as search()'s keyword arguments (strings: search checks them)."""
    return dict(theorem=args.theorem, exact=args.exact, beta1=args.beta1, beta2=args.beta2, C=args.C, n=args.n,
                delta=args.delta, eps=args.eps, grid=args.grid, axis=args.axis, threshold_map=args.threshold_map,
                decades=args.decades, timeout=args.timeout, T=args.T, paths=args.paths, seed=args.seed,
                simulate=not args.no_sim, plot=args.plot, workers=args.workers, scheduler=args.scheduler,
                progress=not args.quiet, yes=args.yes)


def _main(argv) -> int:
    args = build_parser().parse_args(argv)  # bad input / bad --output, --plot paths: exit 2 first
    res = _search(_kwargs(args), _flag)
    if args.json:
        text = dumps(res)
    else:
        from .report import render

        text = render(res)
    emit(text, args.output)
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


def search(argv=None, /, *, theorem=None, exact: bool = False, beta1=None, beta2=None, C=None, n=None,
           delta=None, eps=None, grid=None, axis=None, threshold_map=None, decades=None, timeout=10, T=None,
           paths=20000, seed=0, simulate: bool = True, plot=None, workers=None, scheduler=None,
           progress: bool = False, yes: bool = False) -> SearchResult:
    """The search from Python: the command's options as keyword arguments, typed values welcome.  It looks
    for parameters that break Adam in Reddi, Kale & Kumar (ICLR 2018), Theorems 1, 2, 3 and 6 (docs/paper.md maps
    each to its code), or, with ``exact``, by the exact sign of the steady drift on the period-n family.

    Numbers may be int, Fraction, float (read as its shortest decimal, 0.9 -> 9/10) or an exact decimal /
    "p/q" string; each is checked against the one range of ``numerics.cli.RANGES``.  ``theorem`` is 1,
    2, 3 or 6; ``exact`` the exact drift mode (with ``n``, ``C``, ``grid``); ``threshold_map`` N the map;
    ``simulate=False`` is ``--no-sim``; ``plot`` a file name (.png/.pdf/.svg); ``workers``/``scheduler``
    as ``--workers``/``--scheduler``; ``progress`` shows progress on stderr; ``yes`` starts a simulation
    estimated to pass an hour.  Bad input raises ``numerics.cli.BadInput`` (a ValueError) naming the
    keyword; a certification that cannot conclude raises ``numerics.cli.CheckFailed``; never SystemExit.
    Returns a :class:`SearchResult` (the ``--json`` document; ``.ok`` is the exit-0 condition).

    ``search(["--theorem", "2", ...])`` (the command-line form, a list of strings) is still accepted.

    >>> r = search(theorem=2, beta1="1/2", beta2="9/10", simulate=False)
    >>> r.witnesses[0]["C"], r.witnesses[0]["certified"]
    (204, True)
    >>> search(theorem=7)
    Traceback (most recent call last):
    numerics.cli.BadInput: theorem must be one of 1, 2, 3, 6 (got 7)
    """
    if argv is not None:
        if isinstance(argv, (str, bytes)) or not all(isinstance(a, str) for a in argv):
            raise TypeError("search(argv): argv is a list of command-line strings; use keyword arguments")
        args = build_parser(raise_errors=True).parse_args(list(argv))
        return _search(_kwargs(args), _flag)
    kw = dict(theorem=theorem, exact=exact, beta1=beta1, beta2=beta2, C=C, n=n, delta=delta, eps=eps, grid=grid,
              axis=axis, threshold_map=threshold_map, decades=decades, timeout=timeout, T=T, paths=paths,
              seed=seed, simulate=simulate, plot=plot, workers=workers, scheduler=scheduler, progress=progress,
              yes=yes)
    if plot is not None:
        from numerics.cli import PLOT_FORMATS, check_output_path

        check_output_path(str(plot), "plot", PLOT_FORMATS)
    return _search(kw, None)


def run_json(argv=None) -> dict:
    """The search's JSON document for the command-line arguments ``argv`` (a list of strings)."""
    return dict(search(list(argv or [])))


def _search(kw: dict, flag) -> SearchResult:
    t0 = time.perf_counter()
    kw = dict(kw)
    simulate, progress, yes = kw.pop("simulate"), kw.pop("progress"), kw.pop("yes")
    workers, scheduler = kw.pop("workers"), kw.pop("scheduler")
    o = validate(**kw, flag=flag)
    exact, plot = bool(kw["exact"]), kw["plot"]
    theorem = None if kw["theorem"] is None else str(kw["theorem"])
    if workers is not None:
        from numerics.sweep import MAX_WORKERS

        if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
            raise BadInput(f"{(flag or str)('workers')} must be an integer in 1..{MAX_WORKERS} (got {workers!r})")
    o["sweep"] = sweep_options(SimpleNamespace(workers=workers, scheduler=scheduler))
    if plot:
        try:
            import matplotlib  # noqa: F401 -- only needed for --plot
        except ImportError:
            raise BadInput("--plot needs matplotlib (pip install matplotlib, or the [plot] extra)") from None
    args = SimpleNamespace(theorem=theorem, exact=exact, plot=plot, no_sim=not simulate, quiet=not progress)
    _guard_eta(o, theorem, simulate, yes)
    from .runs import Ctx

    ctx = Ctx(o, args)
    res = SearchResult(_dispatch(ctx, o, args))
    res.setdefault("table", [])
    res["meta"] = meta(o, time.perf_counter() - t0)
    res = SearchResult(__import__("json").loads(dumps(res)))  # plain JSON values, as --json prints
    res["failed_checks"] = failed_checks(res)
    return res


def _guard_eta(o, theorem, simulate, yes) -> None:
    """A simulation horizon --T whose run is estimated to pass an hour needs --yes (ETA first).

    The search simulates Adam and AMSGrad from two starts each on its witness's problem; the estimate
    is one such run on the period-3 problem (the engine's speed hardly depends on the period) times 4."""
    if not simulate or o["T"] is None or o["T"] <= 10**7:
        return
    from analysis.conditions import PAPER_DEFAULT
    from numerics.optimizers import make
    from numerics.problems import Periodic

    b1 = 0 if theorem in ("1", "6") else (o["beta1"] if o["beta1"] is not None else PAPER_DEFAULT[0])
    b2 = o["beta2"] if o["beta2"] is not None and theorem not in ("1", "6") else PAPER_DEFAULT[1]
    est = estimate_seconds(make("adam", alpha=1, beta1=b1, beta2=b2), Periodic(pattern=[3, -1, -1]), o["T"],
                           lanes=4)
    confirm_eta(est, yes, f"--T {o['T']}")


def _dispatch(ctx, o, args) -> dict:
    from analysis.conditions import PAPER_DEFAULT

    from .. import drift as dr
    from .runs import (SECTION5, drift_argument, run_default, run_exact_n, run_exact_threshold, run_grid,
                       run_threshold_map, run_theorem1, run_theorem2_pair, run_theorem3, run_theorem6, witness)

    b1 = o["beta1"] if o["beta1"] is not None else PAPER_DEFAULT[0]
    b2 = o["beta2"] if o["beta2"] is not None else PAPER_DEFAULT[1]
    try:  # BadInput propagates (exit 2); an inconclusive certification is a failed check (exit 1)
        if args.theorem == "1":
            return {"witnesses": run_theorem1(ctx), "grid": None}
        if args.theorem == "2":
            ws, row = run_theorem2_pair(ctx, b1, b2, with_exact=o["C"] is None)
            return {"witnesses": ws, "grid": None, "table": [row] if o["C"] is None else []}
        if args.theorem == "3":
            return {"witnesses": run_theorem3(ctx), "grid": None}
        if args.theorem == "6":
            return {"witnesses": run_theorem6(ctx), "grid": None}
        if o["threshold_map"] is not None:
            return {"witnesses": [], "grid": None, "threshold_map": run_threshold_map(ctx, o["threshold_map"]),
                    "drift_argument": drift_argument(ctx)}
        if args.exact:
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
            return res
        if args.plot:
            raise BadInput("--plot needs --exact (optionally with --grid N, --C, --n) or --threshold-map N")
        return run_default(ctx)
    except RuntimeError as exc:  # a certification step could not conclude: a failed check, not bad input
        raise CheckFailed(f"check failed: {exc}") from None
