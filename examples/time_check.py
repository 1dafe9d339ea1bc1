"""CPU and wall seconds of ``counterexamples.check`` per optimizer (the README's "Measured cost" table).

Run from anywhere: ``python examples/time_check.py``.  The first check warms the imports and is not
timed; optax rows are skipped when optax is not installed."""
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
    for name, opt, kw in cases:
        c, w = time.process_time(), time.perf_counter()
        report = check(opt, **kw)
        print(f"{name:26s} CPU {time.process_time() - c:5.1f} s  wall {time.perf_counter() - w:5.1f} s  "
              f"{[(r.problem, r.label, r.verdict.status) for r in report.rows]}", flush=True)


if __name__ == "__main__":
    main()
