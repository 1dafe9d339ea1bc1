"""``python -m counterexamples.zoo``: the optimizer zoo on the paper's counterexamples, method by method.

For each method (counterexamples.zoo.methods): its library names (identified by ``python -m
counterexamples.conformance --zoo``), our definition, the verdict on Theorem 1's problem, Section 5's
online problem and Theorem 2's family at (0.9, 0.99) (certified by the generalised drift, or UNKNOWN
with the reason; and a simulation that agrees or is inconclusive), and the smallest diverging C of the
Theorem 2 family at (0.9, 0.99) and (0.9, 0.999).  ``--plot FILE``: one small phase panel per method, the
float sign of D on the Section 5 problem over (beta1, log10(1 - beta2)) (EVIDENCE, float64).
Verdicts in JSON: {"status": proved|refuted|unknown|evidence, "label": diverges|converges|..., "reason"}
(analysis.verdict).  Exit codes: 0 success; 1 a certified verdict that a simulation contradicts (an
agreement REFUTED: a regression); 2 bad input.
"""
from __future__ import annotations

import sys

from numerics.cli import EXIT_CHECK_FAILED, EXIT_OK, Parser, Progress, dumps, emit, main_entry, range_text

from numerics.sweep import add_sweep_arguments

from counterexamples.drift.general import CERTIFY_ROUNDS_PER_C

from .methods import ROW_BY_KEY, ROWS
from .table import C_MAX, PAIRS, PROBLEMS, T_SIM, c_cell, cases, evaluate, threshold, verdict_cell

PROG = "python -m counterexamples.zoo"


def parser():
    p = Parser(prog=PROG, plot=True,
               description="Every adaptive method of torch.optim / optax defined once (numerics.optimizers), on "
                           "the paper's counterexamples: certified drift verdicts (arb balls), simulations, and "
                           "the smallest diverging C of Theorem 2's family.",
               epilog="Example: python -m counterexamples.zoo --method adabelief --json")
    p.add_argument("--method", help=f"comma list of methods (default: all): {', '.join(ROW_BY_KEY)}")
    # numbers stay strings: zoo() checks each once against numerics.cli.RANGES
    p.add_argument("--T", default=str(T_SIM), help=f"rounds of each simulation, {range_text('T')} and at most "
                   f"1e8 (each keeps its iterates) (default {T_SIM}); a run estimated over an hour needs --yes")
    p.add_argument("--C-max", dest="C_max", default=str(C_MAX), help=f"largest C scanned for the smallest "
                   f"diverging C, {range_text('C_max')} (default {C_MAX})")
    p.add_argument("--yes", action="store_true", help="start a run whose ETA passes an hour")
    p.add_argument("--certify-rounds", dest="certify_rounds", default=None,
                   help=f"ball rounds spent certifying every C below the smallest diverging C (or every C up to "
                        f"--C-max); what the budget does not reach stays EVIDENCE, an integer in [0, 1e9] "
                        f"(default {CERTIFY_ROUNDS_PER_C} x --C-max)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_sweep_arguments(p)  # --workers N, --scheduler ADDRESS|local: one method per item
    return p


def _rows(keys: list, T: int, C_max: int, certify_rounds: int | None = None) -> list[dict]:
    """The rows of ``keys`` (one chunk of the sweep layer: a module-level function, so that it runs in
    other processes and on Dask workers)."""
    cs = cases()
    rows = []
    for key in keys:
        row = ROW_BY_KEY[key]
        out = {"method": key, "libraries": list(row.libraries), "sold_as_convergent": row.sold_as_convergent,
               "note": row.why, "problems": {}, "smallest_diverging_C": {}}
        for name in PROBLEMS:
            out["problems"][name] = evaluate(row, cs[name], T)
        for b1, b2 in PAIRS:
            out["smallest_diverging_C"][f"({b1}, {b2})"] = threshold(row, b1, b2, C_max, certify_rounds)
        rows.append(out)
    return rows


def run_zoo(keys, T: int, C_max: int, progress: bool = True, sweep_opts: dict | None = None,
            certify_rounds: int | None = None) -> list[dict]:
    """One row per method, through :func:`numerics.sweep.sweep` (a method is an item; the rows come back
    in the order of ``keys`` whatever the executor)."""
    import functools

    from numerics.sweep import sweep

    opts = dict(sweep_opts or {})
    opts.setdefault("chunk_size", 1)
    with Progress("zoo: methods", len(keys), enabled=progress) as bar:
        return sweep(functools.partial(_rows, T=T, C_max=C_max, certify_rounds=certify_rounds), list(keys), progress=bar, **opts)


def table(rows) -> str:
    head = ("method", "libraries", *PROBLEMS, *(f"C* {b1},{b2}" for b1, b2 in PAIRS))
    lines = []
    for r in rows:
        lines.append((r["method"], ", ".join(r["libraries"]) or "-",
                      *(verdict_cell(r["problems"][p]) for p in PROBLEMS),
                      *(c_cell(r["smallest_diverging_C"][f"({b1}, {b2})"]) for b1, b2 in PAIRS)))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    fmt = "  ".join("{:<%d}" % w for w in widths)
    return "\n".join([fmt.format(*head), fmt.format(*("-" * w for w in widths))]
                     + [fmt.format(*map(str, line)) for line in lines])


def findings(rows) -> list[str]:
    """The verdicts that surprise, with their witness: a method proposed as a fix that diverges, and a
    library method that converges where Adam does not."""
    out = []
    for r in rows:
        for p in PROBLEMS:
            ev = r["problems"][p]
            c = ev["certified"]
            if r["sold_as_convergent"] and c["status"] == "proved" and c["label"] == "diverges":
                out.append(f"{r['method']} (proposed as convergent) DIVERGES on {p} at beta1={ev['beta1']}, "
                           f"beta2={ev['beta2']}: certified drift D = {c['enclosure']} > 0; simulation: "
                           f"{ev['simulated']['status']} {ev['simulated'].get('label', '')} (x_T = "
                           f"{ev['simulated']['x_T']:+.4f} after "
                           f"{ev['simulated']['T']} rounds)")
            if c["sign"] == 0:
                out.append(f"{r['method']} on {p}: D = 0 exactly (sign steps cancel): the drift decides nothing")
        for pair, th in r["smallest_diverging_C"].items():
            if r["sold_as_convergent"] and th["C"] is not None:
                out.append(f"{r['method']} (proposed as convergent) has a diverging Theorem 2 family at {pair}: "
                           f"C = {th['C']} ({th['status']}" + (f": {th['reason']})" if th.get("reason") else ")"))
    return out


def main(argv=None, isolate: bool = False) -> int:
    return main_entry(PROG, _body, argv, isolate)


def _body(argv) -> int:
    from .api import zoo

    args = parser().parse_args(argv)
    if args.plot:
        from counterexamples.figures import _pyplot

        _pyplot()  # matplotlib missing: one line, exit 2, before the work
    doc = zoo(methods=args.method, T=args.T, C_max=args.C_max, progress=not args.quiet, workers=args.workers,
              scheduler=args.scheduler, yes=args.yes,
              certify_rounds=args.certify_rounds, _flag=lambda k: "--" + k.replace("_", "-"))
    rows, disagree = doc["results"], doc["disagreements"]
    if args.json:
        text = dumps(doc)
    else:
        text = "\n".join([f"# T = {args.T} rounds per simulation (alpha_t = alpha/sqrt(t)); C* = smallest "
                          f"diverging C of Theorem 2's family, scanned up to {args.C_max}", table(rows), ""]
                         + [f"finding: {f}" for f in doc["findings"]]
                         + [f"DISAGREEMENT: {d}" for d in disagree])
    emit(text, args.output)
    if args.plot:
        from .plot import phase_panels

        phase_panels([r["method"] for r in rows], args.plot)  # the methods run, in their order
        print(f"[zoo] wrote {args.plot}", file=sys.stderr)
    return EXIT_CHECK_FAILED if disagree else EXIT_OK
