"""CPU and wall seconds of ``counterexamples.check`` per optimizer, the code before issue 22's speed-up and
after it, in one process (the machine is shared: trust the ratios, and the CPU seconds over the wall).

"Before" switches off, in this one process, what the speed-up added (each switch is the code path that
was there before, kept and still tested): ``counterexamples.check.REPLAY_FIRST`` (the threshold search's
C' go through certify_replay), and in ``drift.general``: ``SCAN_COMPILED`` (the float scan lane by lane in the rule's compiled step),
``FLOAT_COMPILED`` (settle_float and hull_float in the compiled step), ``SCALAR_BALLS`` (ball helpers
without the object-array dispatch), ``INTERVAL_LANES`` (the smallest-C search's C' replayed together in float64
intervals, certify_replay_lanes, the balls deciding the rest), ``counterexamples.check.GROUP_TORCH`` (a torch
check's problems as param groups of one optimizer, one step() per round), and the check's ball budget per C
(``counterexamples.check.CERTIFY_ROUNDS_PER_C``: 400 now, 800 before).  Each check runs with the
smallest-C cache cleared.  Every row prints the verdicts and the smallest-C answers with their certified
ranges, before and after, and the run fails (exit 1) when an answer or a verdict differs or a certified
range ("D <= 0 certified for C = 2..K") is narrower after than before.

Usage: python benchmarks/check_speed.py [--only SUBSTRING] [--order before-first|after-first] [--before all|new]
(``--before new``: "before" is this code with only ``drift.general.INTERVAL_LANES`` and
``counterexamples.check.GROUP_TORCH`` off: the two newest levers alone.)
The first check (not timed) warms the imports, numba included.  torch and optax rows are skipped with
their reason when the library is missing."""
from __future__ import annotations

import argparse
import re
import sys
import time


def cases():
    from counterexamples.conformance.drivers.user import paper_amsgrad_step
    from counterexamples.conformance.drivers.user_rules import decaying_max
    from numerics.optimizers import REGISTERED, register

    out, skipped = [], []
    try:
        import torch

        out += [("torch Adam", torch.optim.Adam, {}), ("torch Adam(amsgrad=True)", torch.optim.Adam, {"amsgrad": True}),
                ("torch AdamW", torch.optim.AdamW, {})]
    except ImportError as e:
        skipped.append(f"torch rows: {e}")
    try:
        import optax

        out += [(f"optax {n}", getattr(optax, n), {}) for n in ("adam", "amsgrad", "adabelief", "yogi")]
    except ImportError as e:
        skipped.append(f"optax rows: {e}")
    out.append(("step function (paper AMSGrad)", paper_amsgrad_step, {}))
    if "decaying_max" not in REGISTERED:
        register("decaying_max", decaying_max)  # the test suite's registered rule, one definition
    out.append(("registered rule (decaying max)", "decaying_max", {}))
    return out, skipped


AFTER_ROUNDS_PER_C = None  # set in main: the module's value as imported (400)


BEFORE = "all"  # --before: "all" switches off every speed-up above, "new" only the interval lanes and torch groups


def configure(before: bool):
    from counterexamples.drift import general

    ck = sys.modules["counterexamples.check"]
    general.INTERVAL_LANES = ck.GROUP_TORCH = not before
    if BEFORE == "all":
        general.SCAN_COMPILED = general.SCALAR_BALLS = general.FLOAT_COMPILED = ck.REPLAY_FIRST = not before
        ck.CERTIFY_ROUNDS_PER_C = 800 if before else AFTER_ROUNDS_PER_C
    ck.clear_threshold_cache()


def summary(report) -> dict:
    rows = [(r.problem, r.label, r.verdict.status) for r in report.rows]
    ths = []
    for th in report.thresholds:
        v = th["verdict"]
        text = f"{v.claim} {v.reason}"
        m = re.search(r"D <= 0 certified for C = 2\.\.(\d+)", text)
        full = re.search(r"D <= 0 for every C in \[2, (\d+)\] \(balls\)", text) or (v.status == "proved")
        rng = int(m.group(1)) if m else (10 ** 9 if full else 0)
        ths.append((th["beta1"], th["beta2"], th["C"], v.status, rng))
    return {"rows": rows, "thresholds": ths}


def timed(opt, kw, before: bool):
    from counterexamples import check

    configure(before)
    c, w = time.process_time(), time.perf_counter()
    report = check(opt, **kw)
    return time.process_time() - c, time.perf_counter() - w, summary(report)


def _rng(r):
    return "all" if r >= 10 ** 9 else (f"2..{r}" if r else "none")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", default=None, help="run the rows whose name contains this text")
    p.add_argument("--order", choices=("before-first", "after-first"), default="before-first")
    p.add_argument("--before", choices=("all", "new"), default="all",
                   help="what 'before' switches off: every speed-up (default) or only the two newest (the "
                        "interval lanes and the torch param groups)")
    a = p.parse_args(argv)
    global BEFORE
    BEFORE = a.before
    import torch  # noqa: F401 - imported before timing (the first check warms the rest)

    from counterexamples import check

    check(torch.optim.Adam, problems=["thm1"], T=1000, thresholds=False)  # imports, not timed
    global AFTER_ROUNDS_PER_C
    from numerics.engine.kernels import compiled_step  # noqa: F401 - numba imported before timing

    AFTER_ROUNDS_PER_C = sys.modules["counterexamples.check"].CERTIFY_ROUNDS_PER_C
    rows, skipped = cases()
    for s in skipped:
        print("skipped:", s)
    bad = 0
    print(f"{'optimizer':32s} {'CPU before':>10s} {'CPU after':>9s} {'ratio':>6s} {'wall before':>11s} "
          f"{'wall after':>10s}  smallest C (status, certified range) before -> after")
    for name, opt, kw in rows:
        if a.only and a.only not in name:
            continue
        order = (True, False) if a.order == "before-first" else (False, True)
        res = {b: timed(opt, kw, b) for b in order}
        (cb, wb, sb), (ca, wa, sa) = res[True], res[False]
        same = sb["rows"] == sa["rows"] and [t[:3] for t in sb["thresholds"]] == [t[:3] for t in sa["thresholds"]]
        wider = all(x[4] <= y[4] for x, y in zip(sb["thresholds"], sa["thresholds"]))
        weaker = any(x[3] == "proved" and y[3] != "proved" for x, y in zip(sb["thresholds"], sa["thresholds"]))
        ok = same and wider and not weaker
        bad += not ok
        ths = "; ".join(f"({x[0]}, {x[1]}): C={x[2]} {x[3]} {_rng(x[4])} -> C={y[2]} {y[3]} {_rng(y[4])}"
                        for x, y in zip(sb["thresholds"], sa["thresholds"])) or "-"
        print(f"{name:32s} {cb:10.1f} {ca:9.1f} {cb / ca:6.2f} {wb:11.1f} {wa:10.1f}  {ths}"
              f"{'' if ok else '  <-- DIFFERS / NARROWER'}", flush=True)
        if not same:
            print("   before:", sb, "\n   after: ", sa)
    configure(False)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
