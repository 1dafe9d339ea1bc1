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

from numerics.cli import EXIT_CHECK_FAILED, EXIT_OK, Parser, dumps, emit, main_entry, range_text

from numerics.sweep import add_sweep_arguments

from counterexamples.drift.general import CERTIFY_ROUNDS_PER_C

from .api import findings, run_zoo, zoo  # noqa: F401 -- run_zoo and findings re-exported (their home is api)
from .methods import ROW_BY_KEY, ROWS
from .table import C_MAX, PAIRS, PROBLEMS, T_SIM, c_cell, verdict_cell

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


def main(argv=None, isolate: bool = False) -> int:
    """The command ``python -m counterexamples.zoo``; returns the exit code (0, 1 a certified verdict that a
    simulation contradicts, 2 bad input with one line on stderr).  argparse's own usage errors leave by
    SystemExit in-process; from Python use :func:`counterexamples.zoo.zoo`.

    >>> from counterexamples.zoo import main
    >>> main(["--T", "0"])                 # stderr: --T must be an integer in [1, 1000000000000000]
    2
    """
    return main_entry(PROG, _body, argv, isolate)


def _body(argv) -> int:
    args = parser().parse_args(argv)
    if args.plot:
        from counterexamples.figures import pyplot

        pyplot()  # matplotlib missing: one line, exit 2, before the work
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
