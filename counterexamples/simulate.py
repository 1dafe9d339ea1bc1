"""``python -m counterexamples.simulate``: run named problems with named optimizers.

Prints, per optimizer, the iterate x_t after t updates (so x_T is the final iterate, as in the spec's
facts) and the average regret R_t/t (over the points x_1..x_t played) at the checkpoints; ``--json`` prints one machine-readable object; ``--plot FILE`` draws the Figure 1 analogue
(x_t and R_t/t against t, log scale in t).

A run estimated to pass an hour prints its ETA and needs ``--yes``.  From Python, :func:`simulate` takes
the same options as keyword arguments (typed values), returns a :class:`SimulateResult` and raises
``numerics.cli.BadInput`` (a ValueError) on bad input; the command is a thin layer over it.

Examples
  python -m counterexamples.simulate --problem section5-online --optimizer adam,amsgrad --T 1000000
  python -m counterexamples.simulate --problem thm1 --C 3 --optimizer adam --backend mpmath --dps 50

  >>> from counterexamples.simulate import simulate
  >>> r = simulate(problem="thm1", C=3, optimizer="adam", T=1000)
  >>> r.runs[0]["hyper"]["beta2"], r.runs[0]["x_T"] > 0.9      # Theorem 1's beta2 = 1/(1+C^2)
  ('1/10', True)
"""
from __future__ import annotations

if __name__ == "__main__":  # Ctrl-C during the imports below: one line and 130 (main_entry takes over after)
    import os as _os
    import signal as _signal

    _signal.signal(_signal.SIGINT, lambda s, f: (_os.write(2, b"python -m counterexamples.simulate: interrupted\n"),
                                                 _os._exit(130)))

import copy
import math
import sys
import time
import warnings
from fractions import Fraction

import numpy as np

from numerics import BackendUnavailable, METHODS, VARIANTS, get_backend, make
from numerics.cli import (BadInput, Parser, Progress, confirm_eta, dumps, emit, estimate_seconds, main_entry, meta,
                          range_text, value)
from numerics.optimizers import accepted
from numerics.run import PrescriptionWarning, default_checkpoints, prescription
from numerics.schedules import BETA1_SCHEDULES, STEP_SCHEDULES

from analysis.families import FAMILIES, FamilyError, build, resolve

# numerics.engine (numba, and SymPy/flint behind the certified paths) is imported by simulate() once the
# command line has been checked: --help and a bad value do not wait for it.

BACKEND_CHOICES = ("numpy", "mpmath", "arb", "cupy")
PLOT_POINTS = 400  # points of each curve of --plot (log-spaced in t); the table keeps its own rows
HYPER = ("alpha", "beta1", "beta2", "lam", "eps")  # the numeric hyper-parameters of the command


def parser() -> Parser:
    # numbers stay strings here: simulate() checks each once against numerics.cli.RANGES
    p = Parser(prog="python -m counterexamples.simulate", plot=True,
               description="Simulate the paper's optimizers on its counterexample problems and print x_t "
                           "and the average regret R_t/t at checkpoints (t starts at 1; x_t is the iterate "
                           "after t updates, R_t sums the losses of the points played in rounds 1..t).  Hyper-parameters a theorem prescribes (Theorem 1: beta1=0, "
                           "beta2=1/(1+C^2); Theorem 6; Example 3.2) are the problem's defaults; anything "
                           "given on the command line overrides them, and the output records what ran and "
                           "where it departs from the prescription.")
    p.add_argument("--problem", default="section5-online",
                   help=f"one of: {', '.join(FAMILIES)} (default: section5-online)")
    p.add_argument("--C", help=f"large gradient C in {range_text('C')} (periodic, thm1, thm2, thm3, thm6)")
    p.add_argument("--n", help=f"period n, {range_text('n')} (periodic)")
    p.add_argument("--delta", help=f"delta in {range_text('delta')} for thm3 (p = (1+delta)/(C+1))")
    p.add_argument("--p", help=f"probability of the large gradient in {range_text('p')} (thm3, "
                   "section5-stochastic)")
    p.add_argument("--optimizer", default="adam,amsgrad",
                   help=f"comma list from: {', '.join(METHODS)} (default: adam,amsgrad)")
    p.add_argument("--alpha", help=f"step size alpha in {range_text('alpha')} (alpha_t = alpha/sqrt(t) with "
                                   "--schedule sqrt)")
    p.add_argument("--schedule", choices=STEP_SCHEDULES, default=None,
                   help="alpha_t = alpha/sqrt(t) (sqrt, the theory's; default) or alpha (constant)")
    p.add_argument("--beta1", help=f"beta1 in {range_text('beta1')}")
    p.add_argument("--beta2", help=f"beta2 in {range_text('beta2')}")
    p.add_argument("--beta1-schedule", choices=BETA1_SCHEDULES, default=None,
                   help="beta_1t for amsgrad/adamnc/adamx: constant, geometric (beta1*lam^(t-1)), harmonic (beta1/t)")
    p.add_argument("--lam", help=f"lambda in {range_text('lam')} for --beta1-schedule geometric")
    p.add_argument("--eps", help=f"eps in {range_text('eps')} (paper variant: inside the root, eq. 3; others: "
                                 "outside)")
    p.add_argument("--variant", choices=tuple(VARIANTS), default=None,
                   help="Adam/AMSGrad definition: paper (Algorithm 1/2; default), pytorch, optax, keras")
    p.add_argument("--T", default="100000", help=f"number of rounds T, {range_text('T')} (default 100000); "
                                                 "a run estimated over an hour needs --yes")
    p.add_argument("--x1", help=f"start x_1 in {range_text('x1')} (default: the problem's)")
    p.add_argument("--backend", choices=BACKEND_CHOICES, default="numpy",
                   help="numpy float64 (default), mpmath (--dps digits), arb (certified balls), cupy (GPU)")
    p.add_argument("--dps", default="50",
                   help=f"decimal digits for mpmath/arb, {range_text('dps')} (default 50; arb works in bits: "
                        "ceil(dps log2 10) + 8 guard bits, and reports the digits those bits hold)")
    p.add_argument("--seed", default="0", help=f"seed of the stochastic problems, {range_text('seed')} (default 0)")
    p.add_argument("--checkpoints", help="comma list of rounds t to report (default 1, 10, 100, ..., T)")
    p.add_argument("--stochastic-panel", action="store_true",
                   help="with --plot and --problem section5-online: also run section5-stochastic (same "
                        "optimizers, hyper-parameters, T and --seed) and draw its x_t as a third panel")
    p.add_argument("--yes", action="store_true", help="start a run whose ETA passes an hour")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


class SimulateResult(dict):
    """The simulate document (a dict, as ``--json`` prints it), with its parts as attributes.

    ``problem``: the family's sequence (name, d, box, parameters, note).  ``runs``: one record per
    optimizer: optimizer, variant, T, x_T (final iterate), x_played_T, avg_regret (R_T/T), regret, x1,
    checkpoints [{t, x, avg_regret}], backend, dps (and dps_requested, prec_bits, dps_note for arb),
    hyper (exact values that ran), prescription (the family's prescribed values and any departure:
    numerics.run.prescription), not_applied (given keywords the method does not take), engine,
    seconds.  ``meta``: tool, versions, seed, precision.  Floats are float64 values of the results."""

    @property
    def runs(self) -> list:
        return self["runs"]

    @property
    def problem(self) -> dict:
        return self["problem"]


def _checkpoints(cps, T, name="checkpoints"):
    if cps is None:
        return None
    if isinstance(cps, str):
        try:
            cps = [int(s) for s in cps.split(",") if s.strip()]
        except ValueError:
            raise BadInput(f"{name} must be a comma list of integers in [1, T] (got {cps!r})") from None
    try:
        pts = sorted({int(c) for c in cps})
    except (TypeError, ValueError):
        raise BadInput(f"{name} must be integers in [1, {T}] (got {cps!r})") from None
    if not pts or pts[0] < 1 or pts[-1] > T:
        raise BadInput(f"{name} must be integers in [1, {T}] (got {cps!r})")
    return pts


def _plot_checkpoints(T: int) -> list[int]:
    return sorted(set(np.unique(np.geomspace(1, T, num=min(T, PLOT_POINTS)).astype(int)).tolist()) | {T})


def simulate(*, problem: str = "section5-online", optimizer="adam,amsgrad", T=100000, C=None, n=None, delta=None,
             p=None, alpha=None, schedule=None, beta1=None, beta2=None, beta1_schedule=None, lam=None, eps=None,
             variant=None, x1=None, backend: str = "numpy", dps=50, seed=0, checkpoints=None,
             curves: bool = False, progress: bool = False, yes: bool = False, _flag=None) -> SimulateResult:
    """Run named optimizers on a named problem of the paper (the command's options as keywords).

    ``optimizer``: a name or a list/comma list of names from ``numerics.METHODS``.  Numbers may be
    int, Fraction, float (read as its shortest decimal) or decimal / "p/q" strings, each checked against
    the one range of ``numerics.cli.RANGES``.  The family's prescribed hyper-parameters are the defaults;
    a value given here overrides them, and each run records its ``prescription`` (where it departs).
    A keyword that applies to none of the optimizers is an error (``beta1`` for ``sgd``).
    ``checkpoints``: rounds for the table (default 1, 10, ..., T); ``curves=True`` adds each run's
    ``curve`` ({t, x, avg_regret} at about 400 log-spaced rounds, for figures).  ``yes`` starts a run
    estimated to pass an hour.  Raises ``numerics.cli.BadInput`` (never SystemExit).
    """
    fl = _flag or (lambda k: k)
    T = value("T", T, fl("T"))
    hyper = {k: value(k, v, fl(k)) for k, v in dict(alpha=alpha, beta1=beta1, beta2=beta2, lam=lam,
                                                     eps=eps).items() if v is not None}
    if x1 is not None:
        hyper["x1"] = value("x1", x1, fl("x1"))
    fam_kw = {k: value(k, v, fl(k)) for k, v in dict(C=C, n=n, delta=delta, p=p).items() if v is not None}
    dps, seed = value("dps", dps, fl("dps")), value("seed", seed, fl("seed"))
    switches = {k: v for k, v in dict(schedule=schedule, beta1_schedule=beta1_schedule, variant=variant).items()
                if v is not None}
    for k, choices in (("schedule", STEP_SCHEDULES), ("beta1_schedule", BETA1_SCHEDULES), ("variant", tuple(VARIANTS))):
        if k in switches and switches[k] not in choices:
            raise BadInput(f"{fl(k)} must be one of {', '.join(choices)} (got {switches[k]!r})")
    if backend not in BACKEND_CHOICES:
        raise BadInput(f"{fl('backend')} must be one of {', '.join(BACKEND_CHOICES)} (got {backend!r})")
    names = [s.strip() for s in optimizer.split(",")] if isinstance(optimizer, str) else [str(o) for o in optimizer]
    for nm in names:
        if nm not in METHODS:
            raise BadInput(f"{fl('optimizer')}: unknown optimizer {nm!r}; choose from {', '.join(METHODS)}")
    given = {**{k: v for k, v in hyper.items() if k != "x1"}, **switches}
    for key in given:  # a value that no listed optimizer takes would be silently unused
        if not any(key in accepted(nm) for nm in names):
            raise BadInput(f"{fl(key)} does not apply to {', '.join(names)} (they take "
                           f"{', '.join(sorted(set().union(*(accepted(nm) for nm in names))))})")
    try:
        fam = build(problem, **fam_kw, eps=hyper.get("eps"), seed=seed)
    except FamilyError as exc:
        raise BadInput(str(exc)) from None
    try:
        B = get_backend(backend, dps)
    except BackendUnavailable as exc:
        raise BadInput(str(exc)) from None
    cps = _checkpoints(checkpoints, T, fl("checkpoints"))
    table_cps = cps if cps is not None else default_checkpoints(T)
    run_cps = sorted(set(table_cps) | set(_plot_checkpoints(T))) if curves else table_cps
    plans = []
    for nm in names:
        takes = accepted(nm)
        ran = resolve(fam, {**hyper, **switches})
        x1v = ran.pop("x1", 0)
        # prescribed values the method lacks do not apply to it (beta1 for SGD); given ones are recorded
        use = {k: v for k, v in ran.items() if k in takes}
        not_applied = sorted(k for k in given if k not in takes)
        try:
            method = make(nm, **use)
        except (TypeError, ValueError) as exc:
            raise BadInput(f"{fl('optimizer')} {nm}: {exc}") from None
        plans.append((nm, method, x1v, not_applied))
    if T > 10**5:  # the ETA first; past an hour only with --yes (a fast path may answer for itself)
        ests = [estimate_seconds(m, fam.sequence, T, x1=x, backend=B) for _, m, x, _ in plans]
        if all(e is not None for e in ests):
            confirm_eta(sum(ests), yes, f"{fl('T')} {T}")
    from numerics.engine import simulate as run_engine

    runs = []
    for nm, method, x1v, not_applied in plans:
        t0 = time.perf_counter()
        # the compiled engine (numba for float64, a fast ball loop for arb) when it applies, else the
        # reference loop; it reports progress between segments (an ETA when the run is over ~2 s)
        with Progress(f"[simulate] {nm}", T, enabled=progress) as bar, warnings.catch_warnings():
            warnings.simplefilter("ignore", PrescriptionWarning)  # recorded below, in the result
            res = run_engine(method, fam.sequence, T, x1=x1v, backend=B, checkpoints=run_cps, progress=bar)
        engine = res.backend["engine"]
        secs = time.perf_counter() - t0
        rec = _run_record(nm, method, res, B, x1v, engine, secs, set(table_cps), dps)
        rec["prescription"] = prescription(method, fam.sequence, x1v)
        rec["not_applied"] = not_applied
        if curves:
            f = B.to_float
            rec["curve"] = [{"t": c.t, "x": f(c.x), "avg_regret": f(c.avg_regret)} for c in res.checkpoints]
        runs.append(rec)
        if progress:
            print(f"[simulate] {nm}: done in {secs:.2f} s ({engine})", file=sys.stderr)
    precision = "float64" if backend in ("numpy", "cupy") else f"{backend} {runs[0]['dps']} digits"
    return SimulateResult({"meta": meta("counterexamples.simulate", seed=seed, precision=precision),
                           "problem": fam.sequence.describe() | {"note": fam.note}, "runs": runs})


def _fmt(v):
    return {k: (str(x) if isinstance(x, Fraction) else x) for k, x in v.items()}


def _run_record(name, method, res, B, x1, engine, secs, table_ts, dps_requested) -> dict:
    f = B.to_float
    rec = {"optimizer": name, "variant": method.hyper.get("variant", "paper"), "T": res.T,
           "x_T": f(res.x_T), "x_played_T": f(res.x_played), "avg_regret": f(res.avg_regret),
           "regret": f(res.regret), "x1": str(x1),
           "checkpoints": [{"t": c.t, "x": f(c.x), "avg_regret": f(c.avg_regret)} for c in res.checkpoints
                           if c.t in table_ts],
           "backend": res.backend.get("backend"), "dps": res.backend.get("dps"),
           "hyper": _fmt(method.hyper), "engine": engine, "seconds": round(secs, 3)}
    if rec["backend"] in ("mpmath", "arb"):
        rec["dps_requested"] = dps_requested
        if rec["backend"] == "arb":
            bits = res.backend.get("prec_bits") or getattr(B, "prec", None)
            rec["prec_bits"] = bits
            # why --dps 30 reports 32: arb works in bits; the digits asked for, plus 8 guard bits
            rec["dps_note"] = (f"arb works in bits: {dps_requested} digits -> ceil({dps_requested} log2 10) + 8 "
                               f"guard bits = {bits} bits, which hold {rec['dps']} digits")
        rec["x_T_str"] = B.to_str(res.x_T, 40)
        rec["avg_regret_str"] = B.to_str(res.avg_regret, 40)
        if rec["backend"] == "arb":
            digits = res.backend.get("dps") or 40  # show the ball at the run's precision
            rec["x_T_ball"] = res.x_T.str(digits, radius=True)
            rec["avg_regret_ball"] = res.avg_regret.str(digits, radius=True)
    return rec


def table(out: dict) -> str:
    lines = []
    print = lines.append  # noqa: A001 - the table is built line by line
    pr = out["problem"]
    params = ", ".join(f"{k}={v}" for k, v in pr.items() if k not in ("name", "note", "box"))
    print(f"problem {pr['name']} ({params}) on F=[{pr['box'][0]}, {pr['box'][1]}]^{pr['d']}")
    if pr.get("note"):
        print(f"  note: {pr['note']}")
    for r in out["runs"]:
        h = r["hyper"]
        hs = ", ".join(f"{k}={v}" for k, v in h.items() if v is not None and v is not False)
        print(f"\n{r['optimizer']} [{r['variant']}] x1={r['x1']} backend={r['backend']}"
              f"{' dps=' + str(r['dps']) if r['backend'] != 'numpy' else ''} engine={r['engine']}")
        print(f"  {hs}")
        if r.get("dps_note"):
            print(f"  precision: {r['dps_note']}")
        pres = r.get("prescription") or {}
        if pres.get("deviations"):
            dev = ", ".join(f"{k}={v['ran']} (prescribed {v['prescribed']})" for k, v in pres["deviations"].items())
            print(f"  departs from {pres['family']}'s prescription: {dev}")
        if r.get("not_applied"):
            print(f"  not applied to {r['optimizer']}: {', '.join(r['not_applied'])} (it takes no such parameter)")
        print(f"  {'t':>12}  {'x_t':>22}  {'R_t/t':>22}")
        for c in r["checkpoints"]:
            print(f"  {c['t']:>12}  {c['x']:>22.15g}  {c['avg_regret']:>22.15g}")
        if "x_T_str" in r:
            print(f"  x_T   = {r['x_T_str']}\n  R_T/T = {r['avg_regret_str']}")
    return "\n".join(lines)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _main(argv) -> int:
    a = parser().parse_args(argv)  # bad input, bad --output / --plot paths: exit 2 before any work
    if a.plot:
        from .figures import pyplot, figure1

        pyplot()  # matplotlib missing: one line, exit 2, before the run
    if a.stochastic_panel and not (a.plot and a.problem == "section5-online"):
        raise BadInput("--stochastic-panel needs --plot FILE and --problem section5-online")
    kw = dict(problem=a.problem, optimizer=a.optimizer, T=a.T, C=a.C, n=a.n, delta=a.delta, p=a.p, alpha=a.alpha,
              schedule=a.schedule, beta1=a.beta1, beta2=a.beta2, beta1_schedule=a.beta1_schedule, lam=a.lam,
              eps=a.eps, variant=a.variant, x1=a.x1, backend=a.backend, dps=a.dps, seed=a.seed,
              checkpoints=a.checkpoints, curves=bool(a.plot), progress=not a.quiet, yes=a.yes, _flag=_flag)
    out = simulate(**kw)
    sto = None
    if a.stochastic_panel:  # the same optimizers, hyper-parameters, T and seed on the stochastic twin
        sto = simulate(**{**kw, "problem": "section5-stochastic"})
    if a.plot:  # the figure draws the dense curves; the table and --json keep their checkpoints
        figure1(_for_figure(out), a.plot, stochastic=None if sto is None else _for_figure(sto))
        print(f"[simulate] wrote {a.plot}", file=sys.stderr)
        for doc in (out, sto):
            for r in (doc or {}).get("runs", []):
                r["plot_points"] = len(r.pop("curve", []))
    emit(dumps(out) if a.json else table(out), a.output)
    return 0


def _for_figure(doc: dict) -> dict:
    fig = copy.deepcopy(doc)
    for r in fig["runs"]:
        r["checkpoints"] = r.get("curve", r["checkpoints"])
    return fig


def main(argv=None, isolate: bool = False) -> int:
    return main_entry("python -m counterexamples.simulate", _main, argv, isolate)


if __name__ == "__main__":
    sys.exit(main(isolate=True))
