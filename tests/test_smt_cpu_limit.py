"""cvc5's limit in the audit is counted in CPU seconds of each cvc5 child (issue 20, deliverable 8): the audit's
step worker runs beside its kernel assembly, and a wall-clock limit made a step's "z3+cvc5" depend on the load.
The children here are stand-ins for cvc5 (``smt._solve_text`` patched before the fork), so that what they do
with the CPU is known."""
import os
import time

import pytest

from analysis import smt

pytestmark = pytest.mark.skipif(smt._cpu_seconds(os.getpid()) is None, reason="no /proc: the limit is wall-clock")


def test_cpu_seconds_of_a_process_grow_with_its_work():
    before = smt._cpu_seconds(os.getpid())
    t = time.process_time()
    while time.process_time() - t < 0.3:
        pass
    assert smt._cpu_seconds(os.getpid()) - before >= 0.2


def test_a_child_that_waits_is_not_out_of_time(monkeypatch):
    """1 s of wall time and no CPU: within a 0.3 s CPU budget, so its answer counts (a wall-clock limit of
    0.3 s would have dropped it: that is what load did to a cvc5 child)."""
    def slow(text, timeout_s, options=()):
        time.sleep(1.0)
        return {"status": "unsat", "model": {}}

    monkeypatch.setattr(smt, "_solve_text", slow)
    got = smt._in_children([("(check-sat)", ())], 0.3)
    assert got is not None and got["status"] == "unsat"


def test_a_child_that_computes_past_its_budget_is_killed(monkeypatch):
    def spin(text, timeout_s, options=()):
        t = time.process_time()
        while time.process_time() - t < 60:
            pass
        return {"status": "unsat", "model": {}}

    monkeypatch.setattr(smt, "_solve_text", spin)
    t0 = time.perf_counter()
    assert smt._in_children([("(check-sat)", ())], 0.3) is None  # no answer: the child ran out of CPU
    assert time.perf_counter() - t0 < smt.wall_backstop(0.3)


def test_a_cvc5_child_runs_at_a_lower_priority(monkeypatch):
    """The children's limit is CPU, Z3's is wall-clock: the children yield the CPU to Z3 (smt.NICE)."""
    def report(text, timeout_s, options=()):
        return {"status": "unsat", "model": {"nice": os.nice(0)}}

    monkeypatch.setattr(smt, "_solve_text", report)
    got = smt._in_children([("(check-sat)", ())], 3.0)
    assert got["model"]["nice"] == min(os.nice(0) + smt.NICE, 19)
