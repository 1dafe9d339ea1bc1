"""``python -m counterexamples.conformance``: real optimizer libraries on the paper's counterexamples.

For each ``--optimizer SPEC`` and each problem of the suite it answers two questions:

(a) *which definition is it?*  The library's trajectory x_1..x_N (N = --compare-steps, default 10^4) is
    compared with every variant of our one definition (numerics.optimizers: paper / pytorch / optax /
    keras, with and without bias correction, eps inside or outside the root, Adam or AMSGrad, also with
    beta1 = 0, and SGD / AdaGrad), run by numerics.run on the same problem with the same doubles.  The
    closest variant and its max |x_t(library) - x_t(variant)| are reported (when several variants share the
    smallest deviation and none is the expected one, the row names the tie, ``closest_tie``, and no closest
    variant); docs/references.md (implementations) says
    which variant each library optimizer should be, and a library optimizer that is fully modelled but
    misses its expected variant by more than 1e-12 is a failed check (exit code 1).
(b) *does it converge here?*  x_T (the final iterate, after T updates, as in the spec's facts) and R_T/T
    at T = --T (default 10^6), with the verdict (EVIDENCE labelled converges or stuck at the worst point,
    or UNKNOWN labelled undecided)
    (counterexamples.conformance.verdict: from the regret over the late half of the rounds and the mean of
    the last 1% of the points played), and the Gamma_t sign check (paper eq. 2) read off the closest
    variant over the first N rounds (the PyTorch variant's effective step grows after a spike when the
    rate is constant).

SPEC grammar: counterexamples.conformance.spec.  Library drivers: counterexamples.conformance.drivers
(torch, optax, user: ``module:function``).  Exit codes: 0 success, 1 a conformance check failed, 2 bad input
or a missing library (with the install command).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from fractions import Fraction

import numpy as np

from numerics.cli import (EXIT_CHECK_FAILED, EXIT_OK, BadInput, Parser, confirm_eta, dumps, emit, main_entry, meta,
                          number, range_text, value)
from numerics.cli import versions as base_versions

from numerics.sweep import add_sweep_arguments, sweep_options

from .drivers import driver
from .drive import LibraryMissing, Progress, drive, jsonable
from .spec import SpecError, parse
from .suite import EXTRA, PROBLEMS, SUITE, build_case
from .variants import EXACT_MATCH, compare, expected_label, final
from .verdict import verdict
from analysis.families import FamilyError

PROG = "python -m counterexamples.conformance"
DEFAULT_OPTIMIZERS = ("torch:Adam", "torch:Adam?amsgrad=true")
GAMMA_MATCH = 1e-9  # the closest variant stands in for the library's Gamma_t only this close
GAMMA_ROUNDING = 1e-12  # Gamma_t >= -1e-12 max_t sqrt(V_t)/alpha_t counts as >= 0 (float rounding)


def parser() -> argparse.ArgumentParser:
    p = Parser(prog=PROG,
                description="Run real optimizer implementations (PyTorch, optax, or your own step function) "
                            "on the paper's counterexamples: which of our variant definitions each one is "
                            "(trajectory comparison over the first --compare-steps rounds) and whether it "
                            "converges (x_T, R_T/T at --T, verdict).  Float64 parameters; the projection onto "
                            "F = [-1, 1] after each step; alpha_t = alpha/sqrt(t) through the library's "
                            "scheduler unless --schedule constant.",
                epilog="SPEC: torch:Adam, 'torch:Adam?amsgrad=true', torch:AdamW, torch:NAdam, torch:RAdam, "
                       "torch:RMSprop, torch:Adagrad, torch:SGD, optax:adam, optax:amsgrad, "
                       "'optax:amsgrad?bias_correction_nu=false', or module:function (see "
                       "counterexamples/conformance/drivers/user.py for the step-function signature).  Keyword "
                       "arguments after '?', joined by '&' (betas=0.5,0.9 gives a tuple).\n"
                       "Example: python -m counterexamples.conformance --optimizer 'torch:Adam?amsgrad=true' "
                       "--problem thm1 --T 100000 --json")
    p.add_argument("--optimizer", action="append", metavar="SPEC",
                   help=f"optimizer SPEC; repeat for several (default: {' and '.join(DEFAULT_OPTIMIZERS)})")
    p.add_argument("--problem", default=",".join(SUITE),
                   help=f"comma list from: {', '.join(PROBLEMS)} (default: the suite {','.join(SUITE)})")
    p.add_argument("--T", default="1000000", help=f"rounds T, {range_text('T')}, for the convergence answer "
                                                  "(default 10^6); a run estimated over an hour needs --yes")
    p.add_argument("--yes", action="store_true", help="start a run whose ETA passes an hour")
    p.add_argument("--compare-steps", default="10000",
                   help="rounds N >= 1 compared with our variants (default 10^4; at most T)")
    p.add_argument("--schedule", choices=("sqrt", "constant"), default="sqrt",
                   help="alpha_t = alpha/sqrt(t) via the library's scheduler (default) or constant alpha")
    p.add_argument("--alpha", type=number("alpha"), help="base step size alpha > 0 (default: the problem's)")
    p.add_argument("--beta1", type=number("beta1"), help="beta1 in [0, 1) (default: the problem's)")
    p.add_argument("--beta2", type=number("beta2"), help="beta2 in (0, 1) (default: the problem's)")
    p.add_argument("--x1", type=number("x1"), help="start x_1 in [-1, 1] (default: the problem's)")
    p.add_argument("--C", type=number("C"), help="large gradient C of the family (thm1 default 3)")
    p.add_argument("--n", type=number("n"), help=f"period n, {range_text('n')} (periodic)")
    p.add_argument("--delta", type=number("delta"), help="delta in (0, C) (thm3)")
    p.add_argument("--p", type=number("p"), help="probability of the large gradient in (0, 1) (thm3, "
                   "section5-stochastic)")
    p.add_argument("--seed", type=number("seed"), default="0",
                   help=f"seed of the stochastic problems, {range_text('seed')} (default 0; printed)")
    p.add_argument("--zoo", action="store_true",
                   help="identify every optimizer of torch.optim and optax / optax.contrib (those installed) "
                        "with its counterpart in numerics.optimizers over --compare-steps rounds of each "
                        "--problem (<= 1e-12), or say why none fits; --optimizer and --T are not used")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_sweep_arguments(p)  # with --zoo: one (library optimizer, problem) run per item
    return p


def _int(name, text, lo, hi):
    try:
        v = int(str(text).replace("_", ""))
    except ValueError:
        raise BadInput(f"--{name} must be an integer in [{lo}, {hi}] (got {text!r})") from None
    if not lo <= v <= hi:
        raise BadInput(f"--{name} must be an integer in [{lo}, {hi}] (got {v})")
    return v


def _estimate(spec, case, T: int, schedule: str) -> float:
    """Seconds that ``T`` rounds of ``spec`` on ``case`` should take: short runs of a fresh stepper, growing
    until one takes 0.2 s, extrapolated linearly (library stepping costs the same every round)."""
    import time

    if case.skipped:
        return 0.0
    mod = driver(spec)
    st = mod.setup(spec, case.hyper, schedule)
    prob = case.problem
    x1 = np.full(prob.d, float(Fraction(case.hyper.get("x1", 0))))
    k = 256
    while True:
        stepper = mod.stepper(spec, st, x1, float(prob.lo), float(prob.hi))
        t0 = time.perf_counter()
        drive(stepper, prob, k, keep=0)
        el = time.perf_counter() - t0
        if el >= 0.2 or k * 10 > T // 10:
            return T * el / k
        k *= 10


def versions(specs) -> dict:
    out = base_versions()
    for spec in specs:
        try:
            out.update(driver(spec).version(spec))
        except Exception:  # pragma: no cover - reported as missing
            pass
    return out


def run_row(spec, case, T: int, N: int, schedule: str = "sqrt", progress: bool = False) -> dict:
    """One optimizer on one problem: both answers, as a JSON-able dict.

    The worked user step of :mod:`.drivers.user` (the paper's AMSGrad) on Theorem 1's problem for
    T = 1000 rounds: it ends at the optimum x* = -1, yet the verdict is UNKNOWN ("undecided"): the mean of
    the points played over the tail is still 0.15 from x* (a finite T never proves convergence).

    >>> from counterexamples.conformance import build_case, parse, run_row
    >>> spec = parse("counterexamples.conformance.drivers.user:paper_amsgrad_step")
    >>> row = run_row(spec, build_case("thm1"), T=1000, N=1)
    >>> row["problem"], row["hyper"]["beta2"], row["x_T"], row["verdict"], row["label"]
    ('thm1', '1/10', -1.0, 'unknown', 'undecided')

    One compared round cannot tell the variants apart: the row names the tie instead of picking one.

    >>> row["closest_variant"], len(row["closest_tie"]), row["closest_tie"][:2]
    (None, 10, ['adam/paper', 'adam/pytorch'])
    """
    row = {"optimizer": spec.text, "problem": case.name}
    if case.skipped:
        row.update(verdict="unknown", label="skipped", verdict_reason=case.skipped)
        return row
    mod = driver(spec)
    st = mod.setup(spec, case.hyper, schedule)
    prob = case.problem
    x1 = np.full(prob.d, float(Fraction(case.hyper.get("x1", 0))))
    try:
        stepper = mod.stepper(spec, st, x1, float(prob.lo), float(prob.hi))
    except (ValueError, TypeError) as exc:
        raise BadInput(f"--optimizer: {st.call.split(';')[0]} was rejected by the library: {exc}") from None
    bar = Progress(f"{spec.text} on {case.name}", T, enabled=progress)
    lib = drive(stepper, prob, T, keep=min(N, T), progress=bar)
    comps = compare(lib.xs, st.hyper, schedule, prob, case.hyper.get("x1", 0))
    best = comps[0]
    by_label = {c.label: c for c in comps}
    avg = lib.regret / T
    answer = verdict(lib.x_tail_mean, lib.late_loss, lib.late_grad_sum, lib.grad_sum, lib.lo, lib.hi)
    reason, rho_late = answer.reason, answer.witness["rho_late"]
    r_w = (lib.hi - lib.lo) * float(np.abs(lib.grad_sum).sum()) / T
    note = case.note
    if case.hyper.get("beta1_schedule", "constant") != "constant":
        note += (f"; the family's beta_1t schedule ({case.hyper['beta1_schedule']}) has no library "
                 f"counterpart: the library and our variants run with constant beta1")
    if case.name == "spike":
        reason += "; the spike's regret is bounded by construction (it tells the variants apart, no more)"
    scalar = prob.d == 1
    expected = expected_label(st.expected, st.hyper)
    ties = [c for c in comps if c.max_deviation <= EXACT_MATCH]
    closest_tie = []  # the variants that share the smallest deviation when none of them is the expected one
    if expected in [c.label for c in ties]:
        best = by_label[expected]  # equal to 1e-12: name it by the definition the spec predicts
    else:
        closest_tie = [c.label for c in (ties if best.max_deviation <= EXACT_MATCH else
                                         [c for c in comps if c.max_deviation == best.max_deviation])]
        closest_tie = closest_tie if len(closest_tie) > 1 else []
    gamma, src = None, None
    if len(ties) > 1:
        src = by_label.get(expected) if expected in [c.label for c in ties] else None
        gamma_note = (f"{len(ties)} variants match the trajectory; Gamma_t is read off the expected one"
                      if src else f"{len(ties)} variants match the trajectory, so it does not fix Gamma_t")
    elif best.max_deviation <= GAMMA_MATCH:
        src, gamma_note = best, "read off the closest variant"
    else:
        gamma_note = f"no variant within {GAMMA_MATCH} of the library"
    if src is not None:
        gamma = {"variant": src.label, "min": src.gamma_min, "t": src.gamma_min_t,
                 "nonnegative": bool(src.gamma_min >= -GAMMA_ROUNDING * src.gamma_scale),
                 "tolerance": GAMMA_ROUNDING * src.gamma_scale, "rounds": min(N, T), "note": gamma_note}
    exp_dev = by_label[expected].max_deviation if expected in by_label else None
    # the closest variant over the whole horizon too: how far the identification carries to x_T (a tie names
    # no one variant, so there is nothing to carry: the tie is said instead of picking its first member)
    if closest_tie:
        fx, favg = None, None
        note = (note + "; " if note else "") + (
            f"{len(closest_tie)} variants tie for closest over the first {min(N, T)} round(s) (max deviation "
            f"{best.max_deviation:.2g}): {', '.join(closest_tie)}; more --compare-steps can tell them apart")
    else:
        fx, favg = final(best.label, st.hyper, schedule, prob, T, case.hyper.get("x1", 0))
    row.update(
        problem_params=jsonable_dict(prob.describe()),
        hyper={k: jsonable(v) for k, v in st.hyper.items()},
        schedule=schedule, x1=float(x1[0]) if scalar else x1.tolist(),
        library_call=st.call, library_kwargs={k: jsonable(v) for k, v in st.kwargs.items()},
        unmodelled=st.unmodelled,
        compare_steps=min(N, T),
        closest_variant=None if closest_tie else best.label, closest_tie=closest_tie,
        max_deviation=best.max_deviation,
        first_deviation_t=best.first_t,
        ties=[c.label for c in ties],
        expected_variant=expected, expected_deviation=exp_dev,
        matches_expected=None if expected is None else bool(exp_dev is not None and exp_dev <= EXACT_MATCH),
        deviations={c.label: c.max_deviation for c in comps},
        T=T, x_T=_out(lib.x_next, scalar), x_played_T=_out(lib.x_T, scalar),
        x_tail_mean=_out(lib.x_tail_mean, scalar), tail_rounds=lib.tail,
        closest_variant_x_T=None if fx is None else _out(fx, scalar), closest_variant_avg_regret=favg,
        x_T_deviation=None if fx is None else float(np.abs(fx - lib.x_next).max()),
        regret=lib.regret, avg_regret=avg, worst_point_avg_regret=r_w,
        rho=avg / r_w if r_w > 0 else None, rho_late=rho_late, verdict=answer.status, label=answer.label, verdict_reason=reason,
        gamma=gamma, gamma_note=gamma_note, seconds=round(lib.seconds, 3), note=note)
    return row


def jsonable_dict(d: dict) -> dict:
    return {k: jsonable(v) for k, v in d.items()}


def strict_json(obj):
    """NaN and infinities as strings, so the output is strict JSON."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, dict):
        return {k: strict_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict_json(v) for v in obj]
    return obj


def _out(x, scalar):
    x = np.asarray(x, dtype=np.float64)
    return float(x[0]) if scalar else x.tolist()


def table(rows) -> str:
    head = ("optimizer", "problem", "closest variant", "max dev", "expected ok", "x_T", "x_T dev", "R_T/T",
            "verdict", "min Gamma_t")
    lines = []
    for r in rows:
        if r.get("label") == "skipped":
            lines.append((r["optimizer"], r["problem"], "-", "-", "-", "-", "-", "-",
                          "skipped: " + r["verdict_reason"], "-"))
            continue
        ok = "-" if r["matches_expected"] is None else ("yes" if r["matches_expected"] else
                                                         f"NO ({r['expected_deviation']})")
        g = r["gamma"]
        gs = "n/a (see gamma_note)" if g is None else (
            f"{g['min']:.3g} at t={g['t']}" + (" (>= 0 up to rounding)" if g["nonnegative"] and g["min"] < 0
                                               else "" if g["nonnegative"] else " (< 0)"))
        xT = r["x_T"] if isinstance(r["x_T"], float) else max(r["x_T"], key=abs)
        closest = r["closest_variant"] or f"tie of {len(r['closest_tie'])} (note)"
        xdev = "-" if r["x_T_deviation"] is None else f"{r['x_T_deviation']:.2g}"
        lines.append((r["optimizer"], r["problem"], closest, f"{r['max_deviation']:.2g}", ok,
                      f"{xT:+.6f}", xdev, f"{r['avg_regret']:.6g}", f"{r['label']} ({r['verdict']})", gs))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    fmt = "  ".join("{:<%d}" % w for w in widths)
    return "\n".join([fmt.format(*head), fmt.format(*("-" * w for w in widths))] +
                     [fmt.format(*map(str, line)) for line in lines])


def main(argv=None, isolate: bool = False) -> int:
    """The command ``python -m counterexamples.conformance``; returns the exit code (2: bad input, one line on
    stderr).  argparse's own usage errors leave by SystemExit in-process.

    >>> from counterexamples.conformance import main
    >>> main(["--optimizer", "nope"])      # stderr: --optimizer: 'nope' is not LIB:NAME (e.g. torch:Adam, ...)
    2
    """
    return main_entry(PROG, _body, argv, isolate)


def _body(argv) -> int:
    args = parser().parse_args(argv)  # bad input and a bad --output path: exit 2 before any work
    try:
        return _main(args)
    except (SpecError, LibraryMissing, FamilyError) as exc:
        raise BadInput(str(exc)) from None


def _identify_chunk(items, N: int, schedule: str) -> list[dict]:
    from .identify import identify

    return [identify(e, c, N, schedule) for e, c in items]


def _zoo_main(args, sweep_opts: dict) -> int:
    """--zoo: the registry (counterexamples.conformance.registry) against the installed libraries."""
    import sys as _sys

    from .identify import identify, summary
    from .registry import entries, optax_optimizers, torch_optimizers

    N = _int("compare-steps", args.compare_steps, 1, 10**7)
    names = [s.strip() for s in args.problem.split(",")]
    for name in names:
        if name not in PROBLEMS:
            raise BadInput(f"--problem: unknown problem {name!r}; choose from {', '.join(PROBLEMS)}")
    overrides = dict(alpha=args.alpha, beta1=args.beta1, beta2=args.beta2, x1=args.x1)
    cases = [build_case(name, C=args.C, n=args.n, delta=args.delta, p=args.p, seed=int(args.seed),
                        overrides=overrides) for name in names]
    libs, available, missing = [], {}, {}
    for lib, lister, install in (("torch", torch_optimizers, "pip install torch==2.13.0"),
                                 ("optax", optax_optimizers, "pip install optax jax")):
        try:
            available[lib] = lister()
            libs.append(lib)
        except ImportError as exc:
            missing[lib] = f"not installed ({exc}); run: {install}"
    # an entry without a counterpart is the same on every problem: one row for it
    todo = [(e, c) for e in entries(libs, available) for c in (cases if e.ours is not None else cases[:1])]
    import functools

    from numerics.sweep import sweep

    # one (library optimizer, problem) run per item of the sweep layer; rows in the order of ``todo``.  A pool's
    # workers get the libraries from one forkserver (imported once, not once per worker: numerics.sweep);
    # torch._dynamo is what a torch.optim optimizer imports at its first construction
    preload = [m for lib, mods in (("torch", ("torch", "torch._dynamo")), ("optax", ("jax", "optax")))
               if lib in libs for m in mods]
    with Progress("library optimizers x problems", len(todo), enabled=not args.quiet) as bar:
        rows = sweep(functools.partial(_identify_chunk, N=N, schedule=args.schedule), todo, chunk_size=1,
                     progress=bar, preload=preload, **sweep_opts)
    summ = summary(rows)
    doc = {"meta": {**meta(PROG.removeprefix("python -m "), seed=int(args.seed), precision="float64"),
                    "versions": base_versions() | {k: v for k, v in _lib_versions(libs).items()}},
           "compare_steps": N, "schedule": args.schedule, "exact_match_tolerance": EXACT_MATCH,
           "libraries_missing": missing, "summary": summ, "results": rows}
    if args.json:
        text = dumps(doc)
    else:
        head = ("library optimizer", "problem", "status", "our definition", "max dev", "note")
        lines = []
        for r in rows:
            dev = f"{r['max_deviation']:.2g}" if "max_deviation" in r else "-"
            lines.append((r["optimizer"], r["problem"], r["status"], r.get("ours", "-"), dev,
                          r.get("reason", "x-dependent: simulation only in the zoo" if r["x_dependent"] else "")))
        widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
        fmt = "  ".join("{:<%d}" % w for w in widths)
        out = [f"# compare_steps = {N}, schedule = {args.schedule}, float64, identified = max dev <= "
               f"{EXACT_MATCH}", fmt.format(*head), fmt.format(*("-" * w for w in widths))]
        out += [fmt.format(*map(str, line)) for line in lines]
        out.append(f"identified: {len(summ['identified'])} library optimizers, {summ['distinct_rules']} distinct "
                   f"update rules of ours ({summ['distinct_methods']} methods: {', '.join(summ['methods'])}); "
                   f"no counterpart: {len(summ['no_counterpart'])}; mismatched: "
                   f"{', '.join(summ['mismatched']) or 'none'}")
        for lib, why in missing.items():
            out.append(f"{lib}: {why}")
        text = "\n".join(out)
    emit(text, args.output)
    _sys.stderr.flush()
    return EXIT_CHECK_FAILED if summ["mismatched"] else EXIT_OK


def _lib_versions(libs) -> dict:
    out = {}
    if "torch" in libs:
        import torch

        out["torch"] = torch.__version__
    if "optax" in libs:
        import jax
        import optax

        out.update(jax=jax.__version__, optax=optax.__version__)
    return out


def _main(args) -> int:
    if args.zoo:
        return _zoo_main(args, sweep_options(args))
    specs = [parse(s) for s in (args.optimizer or DEFAULT_OPTIMIZERS)]
    T = value("T", args.T, "--T")  # the one range of T (numerics.cli.RANGES), as in every command
    N = min(_int("compare-steps", args.compare_steps, 1, 10**7), T)
    seed = int(args.seed)
    names = [s.strip() for s in args.problem.split(",")]
    for name in names:
        if name not in PROBLEMS:
            raise BadInput(f"--problem: unknown problem {name!r}; choose from {', '.join(PROBLEMS)}")
    if not names:
        raise BadInput(f"--problem: empty list; choose from {', '.join(PROBLEMS)}")
    overrides = dict(alpha=args.alpha, beta1=args.beta1, beta2=args.beta2, x1=args.x1)
    n = args.n
    def case(name):
        return build_case(name, C=args.C, n=n, delta=args.delta, p=args.p, seed=seed, overrides=overrides)

    # bad input is rejected before the heavy work: the families' parameters first (cheap, before any
    # library loads), then each SPEC (its library, its keywords), and only then the cases that run a
    # search (thm2-threshold brings SymPy and python-flint for its certified threshold)
    cases = {name: None if name in EXTRA else case(name) for name in names}
    for spec in specs:  # fail early (exit 2) on a missing library or a bad keyword argument
        driver(spec).check(spec)
    cases = [cases[name] or case(name) for name in names]
    if T > 10**6:  # the ETA first; a run estimated to pass an hour needs --yes
        confirm_eta(sum(_estimate(spec, case, T, args.schedule) for case in cases for spec in specs),
                    args.yes, f"--T {T}")
    rows = []
    for case in cases:
        for spec in specs:
            rows.append(run_row(spec, case, T, N, args.schedule, progress=not args.quiet))
    failed = [r for r in rows if r.get("matches_expected") is False]
    doc = {"meta": {**meta(PROG.removeprefix("python -m "), seed=seed, precision="float64"),
                    "versions": versions(specs)},
           "T": T, "compare_steps": N, "schedule": args.schedule,
           "exact_match_tolerance": EXACT_MATCH, "results": rows,
           "checks_failed": [f"{r['optimizer']} on {r['problem']}: expected {r['expected_variant']}, "
                             f"deviation {r['expected_deviation']}" for r in failed]}
    text = dumps(doc)
    lines = []
    print = lines.append  # noqa: A001 - the report is built line by line, then emitted once
    if args.json:
        print(text)
    else:
        print(f"# seed {seed}, T = {T}, compare_steps = {N}, schedule = {args.schedule}, float64; "
              f"versions: {', '.join(f'{k} {v}' for k, v in doc['meta']['versions'].items())}")
        print(table(rows))
        for prob, note in dict((r["problem"], r.get("note")) for r in rows).items():
            if note:
                print(f"  note [{prob}]: {note}")
        for f in doc["checks_failed"]:
            print(f"CHECK FAILED: {f}")
    emit("\n".join(lines), args.output)
    return EXIT_CHECK_FAILED if failed else EXIT_OK

