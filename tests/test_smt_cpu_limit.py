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


def _recording(tmp_path, behaviour):
    """A stand-in for cvc5 that leaves a file per child it runs in (``behaviour[config]`` then answers)."""
    def fake(text, timeout_s, options=()):
        head = text.split("\n", 1)[0]
        (tmp_path / f"{head.split()[-1].rstrip(')')}-{os.getpid()}").write_text("")
        return behaviour[head]()
    return fake


def _spin(seconds):
    t = time.process_time()
    while time.process_time() - t < seconds:
        pass


JOBS = [("(set-logic QF_NRA)\n(check-sat)", ()), ("(set-logic ALL)\n(check-sat)", ())]


def test_a_quick_first_answer_starts_no_second_child(monkeypatch, tmp_path):
    """The staggered race: the first configuration answers within smt.STAGGER_S of CPU, so the second is never
    forked (the plain race, ``stagger_s=0``, forks both at once)."""
    monkeypatch.setattr(smt, "_solve_text", _recording(tmp_path, {
        "(set-logic QF_NRA)": lambda: (time.sleep(0.3), {"status": "unsat", "model": {}})[1],
        "(set-logic ALL)": lambda: {"status": "unknown", "model": {}}}))
    got = smt._in_children(JOBS, 3.0)
    assert got["status"] == "unsat" and got["config"] == "(set-logic QF_NRA)"
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == ["QF_NRA"]
    for p in tmp_path.iterdir():
        p.unlink()
    got = smt._in_children(JOBS, 3.0, stagger_s=0)
    assert got["status"] == "unsat"
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == ["ALL", "QF_NRA"]


def test_the_second_configuration_joins_once_the_first_has_used_its_stagger(monkeypatch, tmp_path):
    """The first configuration computes past the stagger without answering: the second starts beside it and its
    answer counts, found within its own whole budget (the answer of the plain race)."""
    def second():  # what the first child had used when this one started, read from /proc
        first = next(p for p in tmp_path.iterdir() if p.name.startswith("QF_NRA-"))
        (tmp_path / "first-used").write_text(repr(smt._cpu_seconds(int(first.name.split("-")[1]))))
        return {"status": "unsat", "model": {}}

    monkeypatch.setattr(smt, "_solve_text", _recording(tmp_path, {
        "(set-logic QF_NRA)": lambda: (_spin(60), {"status": "unsat", "model": {}})[1],
        "(set-logic ALL)": second}))
    got = smt._in_children(JOBS, 3.0, stagger_s=0.5)
    assert got is not None and got["status"] == "unsat" and got["config"] == "(set-logic ALL)"
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == ["ALL", "QF_NRA", "first"]
    used = eval((tmp_path / "first-used").read_text())
    assert used is not None and 0.5 <= used < 3.0  # joined after the stagger, while the first still ran


def test_a_first_configuration_that_gives_up_starts_the_next_at_once(monkeypatch, tmp_path):
    """No decisive answer from the first (it says unknown, or it dies): the next starts without waiting, and a
    first that only waits (no CPU) does not hold the second back past its end."""
    for first in (lambda: {"status": "unknown", "model": {}}, lambda: os._exit(3)):
        monkeypatch.setattr(smt, "_solve_text", _recording(tmp_path, {
            "(set-logic QF_NRA)": first,
            "(set-logic ALL)": lambda: {"status": "unsat", "model": {}}}))
        t0 = time.perf_counter()
        got = smt._in_children(JOBS, 3.0, stagger_s=30.0)
        assert got["status"] == "unsat" and got["config"] == "(set-logic ALL)"
        assert time.perf_counter() - t0 < 10.0
        for p in tmp_path.iterdir():
            p.unlink()
