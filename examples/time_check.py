"""CPU and wall seconds of ``counterexamples.check`` per optimizer (the README's "Measured cost" table).

Run from anywhere: ``python examples/time_check.py``.  The first check warms the imports and is not
timed; optax rows are skipped when optax is not installed.  Each row is timed cold: the per-process cache
of smallest-C answers is cleared before it (optax adam's limit form is torch Adam's, and would otherwise
be served from the cache); the second line times torch Adam again with the cache warm, as a second check of
the same optimizer in one pytest session is."""
import sys
import time

import torch

from counterexamples import check


def main():
    check(torch.optim.Adam, problems=["thm1"], T=1000, thresholds=False)  # imports, not timed
    cases = [("torch Adam", torch.optim.Adam, {}), ("torch Adam(amsgrad=True)", torch.optim.Adam, {"amsgrad": True}),
             ("torch AdamW", torch.optim.AdamW, {})]
    try:
        import optax

        cases += [(f"optax {n}", getattr(optax, n), {}) for n in ("adam", "amsgrad", "adabelief", "yogi")]
    except ImportError:
        print("optax is not installed: its rows are skipped")
    clear = sys.modules["counterexamples.check"].clear_threshold_cache
    warm = ("torch Adam, cache warm", torch.optim.Adam, {})
    for name, opt, kw in cases[:1] + [warm] + cases[1:]:  # the warm row right after torch Adam's own
        if name != warm[0]:
            clear()
        c, w = time.process_time(), time.perf_counter()
        report = check(opt, **kw)
        print(f"{name:26s} CPU {time.process_time() - c:5.1f} s  wall {time.perf_counter() - w:5.1f} s  "
              f"{[(r.problem, r.label, r.verdict.status) for r in report.rows]} "
              f"{[(th['C'], th['verdict'].status) for th in report.thresholds]}", flush=True)


if __name__ == "__main__":
    main()
