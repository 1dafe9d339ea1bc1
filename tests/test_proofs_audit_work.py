"""The audit does each piece of work once (issue 20, deliverable 8: the audit's time), checked by counting, never
by timing:

* a statement's formula is found in the kernel's ledger without printing the whole ledger: z3's Python
  pretty-printer took most of the audit's time when every ledger proof (about 2000) was printed once per
  statement; now a proof is printed at most once per process and the certified statement proofs are looked at
  first;
* a step shared by two theorems is decided, cross-checked and witnessed once (one solver call of each kind).
"""
from __future__ import annotations

import importlib

import pytest
import z3

from analysis import z3kit
from proofs import kernel as K
from proofs import registry, vacuity
from proofs import statements as ST
from proofs.obligation import Theorem, exact_step, no_refutation, z3_step

AU = importlib.import_module("proofs.audit")  # the module (proofs.audit is also the name of its function)


class _Prints:
    """Counts z3's pretty-printings (``str`` of a z3 term), whoever asks for them."""

    def __init__(self, monkeypatch):
        self.n = 0
        orig = z3.AstRef.__str__

        def counted(e):
            self.n += 1
            return orig(e)

        monkeypatch.setattr(z3.AstRef, "__str__", counted)


def test_a_certified_statement_is_found_by_printing_it_alone(monkeypatch):
    # a ledger of this test's own: in a worker that ran the kernel tests before, the process's ledger holds
    # thousands of proofs, and looking up an absent formula (below) prints each of them once (~2 min)
    for name in ("_LEDGER", "_CERTIFIED", "_TEXT"):
        monkeypatch.setattr(K, name, {})
    x = z3.Real("x_lookup")
    others = [K.prove(z3.ForAll([x], x * x + k >= k), name=f"filler {k}") for k in range(30)]
    st = K.prove(z3.ForAll([x], z3.Implies(x >= 1, x * x >= x)), name="the statement")
    K.certify(st)
    text, other = str(st.thm), str(others[3].thm)
    prints = _Prints(monkeypatch)
    assert K.formula_of(text).eq(st.thm)
    assert prints.n <= 1, prints.n  # the certified proof only, not the 30 fillers nor the rest of the ledger
    # a formula that only an uncertified proof carries is still found (the rest of the ledger, newest first) ...
    f = K.formula_of(other)
    assert f is not None and f.eq(others[3].thm)
    # ... and each proof is printed at most once: asking again, or for an absent formula twice, prints no proof twice
    ledger = len(K.ledger_proofs())
    assert K.formula_of(other).eq(others[3].thm)
    assert K.formula_of("ForAll(x, x > x)") is None
    assert K.formula_of("ForAll(x, x > x)") is None
    assert prints.n <= ledger, (prints.n, ledger)
    # the audit's lookup (proofs.vacuity, once per statement) goes through the kernel's: nothing printed again
    prints.n = 0
    assert vacuity.kernel_formula(text).eq(st.thm)
    assert vacuity.kernel_formula(text).eq(st.thm)
    assert prints.n <= 1, prints.n


@z3_step("shared", "x > 0 => x + 1 > 1", "derived")
def _shared(N, p):
    x = N.var("x_shared")
    return {"x>0": x > 0}, x + 1 > 1


def test_a_step_shared_by_two_theorems_is_decided_and_witnessed_once(monkeypatch):
    calls = {"prove": 0, "cvc5": 0, "find": 0}

    def count(name, f):
        def g(*a, **k):
            calls[name] += 1
            return f(*a, **k)
        return g

    monkeypatch.setattr(z3kit, "prove", count("prove", z3kit.prove))
    monkeypatch.setattr(z3kit, "confirm_unsat", count("cvc5", z3kit.confirm_unsat))
    monkeypatch.setattr(z3kit, "find", count("find", z3kit.find))
    vacuity.CACHE.clear()
    ths = {tid: Theorem(tid, tid, [_shared], lambda r: "") for tid in ("demo-a", "demo-b")}
    monkeypatch.setattr(registry, "THEOREMS", ths)
    out = AU.run_audit(["demo-a", "demo-b"], 10.0)
    a, b = (th["steps"][0] for th in out)
    assert a["verdict"] == b["verdict"] == "proved" and a["vacuity"]["status"] == "witness"
    assert b.get("reused_from") == "demo-a" and not a.get("reused_from")
    assert calls["prove"] == 1 and calls["find"] == 1, calls  # one decision, one witness search
    assert calls["cvc5"] <= 1, calls


def test_sympy_steps_are_decided_without_simplify_and_as_before(monkeypatch):
    """The audit's SymPy identities are decided by the exact shortcuts (rational normal form; a replayed test
    point), not by sp.simplify (about 1 s a radical identity); a claim they cannot decide still reaches it."""
    import sympy as sp

    from proofs import obligation as O
    from proofs.thm6 import T62, T62_printed

    calls = []
    real = sp.simplify
    monkeypatch.setattr(O.sp, "simplify", lambda e, *a, **k: calls.append(e) or real(e, *a, **k))
    assert T62.check().verdict == "proved" and T62_printed.check().verdict == "refuted" and calls == []
    C = sp.Symbol("C", positive=True)
    x = sp.Symbol("x")

    def step(lhs, rhs, pts):
        return O.Obligation("demo", "demo", "derived", "sympy", build=lambda p: (lhs, rhs, pts))

    # true for C > 0 only: the point C = -3 violates C's assumption and must not refute it
    assert step(sp.sqrt(C ** 2), C, [{C: -3}, {C: 2}]).check().verdict == "proved"
    # false: refuted at the one point where the difference is non-zero, and replayed
    r = step(x ** 2, x, [{x: 0}, {x: 1}, {x: 3}]).check()
    assert r.verdict == "refuted" and r.witness["x"] == "3" and r.replay
    # an identity the normal form misses (a trigonometric one) still gets simplify's word
    calls.clear()
    assert step(sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Integer(1), [{x: 1}]).check().verdict == "proved" and calls
    # no shortcut proves a false claim that has no test point: simplify leaves a difference, UNKNOWN
    assert step(x + 1, x, []).check().verdict == "unknown"


def test_a_z3_step_is_built_once_per_check_and_afresh_outside_it():
    """The decision and the vacuity search of one check read the same Z3 terms (one Z3Num build); the exact
    replay still builds in SymPy; outside a check every build is fresh (a patched definition is never stale)."""
    from proofs.numsys import SymNum, Z3Num

    seen = []

    @z3_step("built", "x > 1 => x * x > x", "derived")
    def built(N, p):
        seen.append(type(N))
        x = N.var("x_built")
        return {"x>1": x > 1}, x * x > x

    vacuity.CACHE.clear()
    r = built.check()
    assert r.verdict == "proved" and r.vacuity["status"] == "witness"
    assert seen.count(Z3Num) == 1 and seen.count(SymNum) == 1, seen
    assert "_z3_in_check" not in built.__dict__  # nothing kept once the check returns
    seen.clear()
    K.closed_formula(built), built.z3_build()
    assert seen == [Z3Num, Z3Num]


@z3_step("alone", "x > 1 => x * x > x", "derived")
def _alone(N, p):
    x = N.var("x_alone")
    return {"x>1": x > 1}, x * x > x


@z3_step("false", "x > 0 => x > 1", "derived", expected="refuted")
def _false(N, p):
    x = N.var("x_false")
    return {"x>0": x > 0}, x > 1


@z3_step("own", "x >= 2 => x * x >= 4", "derived")
def _own(N, p):
    x = N.var("x_own")
    return {"x>=2": x >= 2}, x * x >= 4


def _slow_closed(p):
    import time

    time.sleep(p["sleep"])  # the parent is still busy with this theorem when the worker has sent all of its own
    return "proved", {}, "a closed claim, decided exactly"


def _timeless(theorems):
    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k != "seconds"}
        return [strip(v) for v in x] if isinstance(x, list) else x
    return strip(theorems)


@pytest.mark.slow  # two audits of demo theorems, one step of which sleeps 2 s in each (~5 s of a worker's time)
def test_the_parallel_audit_gives_the_sequential_records(monkeypatch):
    """``python -m proofs`` checks the steps in a forked worker while the parent assembles the kernel statements
    (issue 20, deliverable 8): the records are the sequential audit's, timings aside -- a shared step checked once
    (reused_from), a refutation with its replayed witness, the statement verdicts and kernel verdicts -- and a
    statement-witness list is filled the same way.  demo-c shares no step: the parent checks it itself while the
    worker starts on the others (the parent has nothing to assemble yet)."""
    ths = {"demo-a": Theorem("demo-a", "demo-a", [_shared, _alone], lambda r: "a"),
           "demo-b": Theorem("demo-b", "demo-b", [_false, _shared], lambda r: "b"),
           "demo-c": Theorem("demo-c", "demo-c", [_own, exact_step("slow", "1 = 1", "derived", replay=no_refutation, sleep=2.0)(
               _slow_closed)], lambda r: "c")}
    monkeypatch.setattr(registry, "THEOREMS", ths)

    def builder(steps, premises=None, timeout_s=20.0):
        raise ST.Missing("demo: no kernel chain")

    # demo-b has a kernel statement (a demo builder), so the worker checks it first: the step it shares with demo-a
    # is still counted under demo-a, the first of ids that has it
    monkeypatch.setitem(ST.BUILDERS, "demo-b", builder)
    ids = ["demo-a", "demo-b", "demo-c"]
    assert AU._plan(ids) == (["demo-b", "demo-a", "demo-c"], {"demo-c"})
    seq_problems, par_problems, timing = [], [], {}
    vacuity.CACHE.clear()
    seq = AU.run_audit(ids, 10.0, statements=seq_problems)
    vacuity.CACHE.clear()
    par = AU.run_audit(ids, 10.0, statements=par_problems, parallel=True, timing=timing)
    assert _timeless(par) == _timeless(seq)
    assert [s["verdict"] for th in par for s in th["steps"]] == ["proved", "proved", "refuted", "proved", "proved", "proved"]
    assert par[1]["steps"][1]["reused_from"] == "demo-a" and par[1]["steps"][0]["witness"]
    assert all(th["kernel"]["verdict"] == "not established" for th in par) and par_problems == seq_problems == []
    assert par[1]["kernel"]["reason"] == "demo: no kernel chain"
    assert timing["parallel"] is True and timing["steps_wall"] >= 0 and timing["kernel_cpu"] >= 0
    # the worker's CPU figures come in its last message, after the last theorem: read even when the parent has
    # assembled everything by then (they were missing from meta.timing of full audits)
    assert timing["worker_cpu"] > 0 and timing["worker_cvc5_cpu"] >= 0


def test_the_worker_cpu_figures_reach_the_timing_when_they_come_last(monkeypatch):
    """The worker sends its CPU figures after its last theorem; a parent that has assembled every theorem by
    then still reads them (they were missing from meta.timing of full audits).  The worker is made slow to send
    them (1 s), so the parent is done first."""
    import os
    import time as _time

    ths = {"demo-a": Theorem("demo-a", "demo-a", [_shared], lambda r: "a")}
    monkeypatch.setattr(registry, "THEOREMS", ths)
    parent, real = os.getpid(), AU._children_cpu

    def late():
        if os.getpid() != parent:
            _time.sleep(1.0)
        return real()

    monkeypatch.setattr(AU, "_children_cpu", late)
    vacuity.CACHE.clear()
    timing = {}
    AU.run_audit(["demo-a"], 10.0, parallel=True, timing=timing)
    assert timing["worker_cpu"] > 0 and timing["worker_cvc5_cpu"] >= 0


def test_a_failing_step_worker_raises_in_the_parent(monkeypatch):
    """A crash in the parallel audit's worker is an exception in the caller (never a partial audit)."""
    import pytest

    def boom(results):
        raise ZeroDivisionError("summary crashed")

    # the two theorems share a step, so the worker checks both (the parent takes only a theorem sharing none)
    monkeypatch.setattr(registry, "THEOREMS", {"demo-a": Theorem("demo-a", "demo-a", [_shared], lambda r: "a"),
                                               "demo-b": Theorem("demo-b", "demo-b", [_shared], boom)})
    with pytest.raises(RuntimeError, match="ZeroDivisionError: summary crashed"):
        AU.run_audit(["demo-a", "demo-b"], 10.0, parallel=True)


def test_a_formula_posed_by_two_obligations_is_decided_once_per_audit(monkeypatch):
    """proofs.obligation.decide_once (run_audit's scope): two obligations (two labels) that pose the very same
    formula are decided by one solver call; a refutation is still replayed by each; an UNKNOWN is asked again;
    outside the scope every check asks the solvers (a test that patches them is never served a decision)."""
    from proofs.obligation import decide_once

    def twin(label, bound):
        @z3_step(label, f"x > 1 => x * x > {bound}", "derived")
        def ob(N, p):
            x = N.var("x_twin")
            return {"x>1": x > 1}, x * x > bound
        return ob

    calls = []
    real = z3kit.prove

    def counted(*a, **kw):
        calls.append(kw.get("timeout_s"))
        return real(*a, **kw)

    monkeypatch.setattr(z3kit, "prove", counted)
    a, b, c = twin("twin A", 1), twin("twin B", 1), twin("twin C", 2)  # A, B: one formula; C: another (refuted)
    with decide_once():
        ra, rb, rc = a.check(), b.check(), c.check()
        rc2 = twin("twin D", 2).check()
        rb5 = twin("twin E", 1).check(5.0)  # another time limit: asked again
    assert len(calls) == 3, calls  # A (B reuses it), C (D reuses it), E
    assert (ra.verdict, rb.verdict, rc.verdict, rc2.verdict, rb5.verdict) == (
        "proved", "proved", "refuted", "refuted", "proved")
    assert ra.solvers == rb.solvers and ra.cross_check == rb.cross_check and rb.vacuity["status"] == "witness"
    assert rc2.replay and rc2.witness == rc.witness  # the reused model is replayed by the obligation's own replay
    calls.clear()
    a.check(), b.check()  # outside the scope: each asks
    assert len(calls) == 2

    monkeypatch.setattr(z3kit, "prove", lambda *a, **kw: (calls.append(1), z3kit.Verdict("unknown", reason="x"))[1])
    calls.clear()
    with decide_once():
        assert a.check().verdict == b.check().verdict == "unknown"
    assert len(calls) == 2  # an UNKNOWN is never reused
