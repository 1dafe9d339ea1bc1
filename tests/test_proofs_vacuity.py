"""Vacuity: a proof over hypotheses that cannot hold proves nothing.  A contradictory hypothesis set is
reported VACUOUS (the step is not PROVED and the audit exits 1); a model that does not replay is no witness;
every PROVED step of the real audit has a witness, which this file re-checks by a third path (Z3's own
substitution and simplifier on exact values, not the SymPy replay the audit uses)."""
from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
import z3

from proofs import vacuity as VA
from proofs.obligation import PROVED, UNKNOWN, Obligation, Theorem, Z3Num, sympy_step, z3_step


def _fresh(ob: Obligation) -> Obligation:
    VA._CACHE.clear()  # the cache is per obligation: a test that patches the solver starts clean
    return ob


@z3_step("contradictory", "x > 5 under x > 1 and x < 0 (no such x)", "derived")
def CONTRA(N, p):
    x = N.var("x")
    return {"x>1": x > 1, "x<0": x < 0}, x > 5


@z3_step("root", "x^2 < 2, x > 0 => x < 3/2 (the witness may be irrational)", "derived")
def ROOT(N, p):
    x = N.var("x")
    return {"x>0": x > 0, "x^2=2": x * x == 2}, x < N.const(3, 2)


def test_contradictory_hypotheses_are_vacuous_not_proved():
    r = _fresh(CONTRA).check()
    # without the vacuity hook Z3 proves this (the negation is unsat): it must not come out PROVED
    assert r.verdict == UNKNOWN and r.reason.startswith("VACUOUS")
    assert r.vacuity["status"] == VA.VACUOUS
    assert r.as_json()["vacuity"]["status"] == "vacuous"


def test_dropping_the_contradiction_gives_a_replayed_witness():
    r = _fresh(CONTRA.without("x<0")).check()
    # x > 1 alone does not give x > 5: refuted, and no vacuity record (only PROVED steps get one)
    assert r.verdict == "refuted"
    r = _fresh(ROOT).check()
    assert r.verdict == PROVED and r.vacuity["status"] == VA.WITNESS
    w = r.vacuity["witness"]["x"]
    # sqrt 2 is irrational: the witness is an algebraic number, written with its defining polynomial
    assert "(root of x^2 - 2)" in w and abs(Fraction(w.split()[0]) - Fraction(14142135623730950488, 10 ** 19)) < 1e-15


def test_a_model_that_does_not_replay_is_no_witness(monkeypatch):
    @z3_step("positive", "x > 1 => x > 0", "derived")
    def POS(N, p):
        x = N.var("x")
        return {"x>1": x > 1}, x > 0

    real = VA.z3kit.find

    def liar(cons, variables=None, **kw):
        r = real(cons, variables, **kw)
        r.model = {k: "0" for k in r.model}  # x = 0 breaks x > 1: the replay must refuse it
        return r

    monkeypatch.setattr(VA.z3kit, "find", liar)
    r = _fresh(POS).check()
    assert r.verdict == UNKNOWN and "no replayed assignment" in r.reason
    assert r.vacuity["status"] == VA.NO_WITNESS


def test_sympy_step_witness_meets_the_declared_assumptions():
    @sympy_step("sq", "(x+1)^2 = x^2 + 2x + 1, x > 0, n even", "derived")
    def SQ(p):
        x = sp.Symbol("x", positive=True)
        n = sp.Symbol("n", integer=True, even=True, positive=True)
        # the test point sits on the boundary (x = 0 is not positive): a point from the assumptions is used
        return (x + 1) ** 2 * n, (x ** 2 + 2 * x + 1) * n, [{x: 0, n: 2}]

    r = _fresh(SQ).check()
    assert r.verdict == PROVED and r.vacuity["status"] == VA.WITNESS
    w = {k: Fraction(v) for k, v in r.vacuity["witness"].items()}
    assert w["x"] > 0 and w["n"] > 0 and w["n"].denominator == 1 and w["n"].numerator % 2 == 0


def test_audit_exits_1_on_a_vacuous_step(monkeypatch, capsys):
    from proofs import registry
    from proofs.__main__ import main

    th = Theorem("kingma-ba", "a theorem whose only step has contradictory hypotheses", [_fresh(CONTRA)],
                 summarize=lambda r: "one step")
    monkeypatch.setitem(registry.THEOREMS, "kingma-ba", th)
    rc = main(["--theorem", "kingma-ba", "--quiet"])
    out = capsys.readouterr().out
    assert rc == 1 and "VACUOUS" in out and "MISMATCHES" in out


# ------------------------------------------------------------------------------------------------
def test_statement_witness_constant_sequences_and_a_vacuous_statement():
    f = z3.Function("f", z3.IntSort(), z3.RealSort())
    c = z3.Real("c")
    T, t = z3.Int("T"), z3.Int("t")
    every = z3.ForAll([t], z3.Implies(t >= 1, z3.And(f(t) >= c, f(t + 1) >= f(t))))
    ok = z3.ForAll([T], z3.Implies(z3.And(T >= 1, c > 2, every), f(T) >= 0))
    rec = VA.statement_witness(ok)
    assert rec["status"] == VA.WITNESS
    cv, fv = Fraction(rec["witness"]["c"]), Fraction(rec["witness"]["f(...)"].split()[0])
    assert cv > 2 and fv >= cv  # the test's own check of the recorded witness
    # f(1) < c contradicts f(t) >= c for t = 1: VACUOUS
    bad = z3.ForAll([T], z3.Implies(z3.And(T >= 1, c > 2, every, f(1) < c), f(T) >= 0))
    assert VA.statement_witness(bad)["status"] == VA.VACUOUS
    # satisfiable, but by no constant sequence: no witness, and not called vacuous either
    moving = z3.ForAll([T], z3.Implies(z3.And(T >= 1, f(1) == 0, f(2) == 1), f(T) >= 0))
    assert VA.statement_witness(moving)["status"] == VA.NO_WITNESS


def test_a_vacuous_kernel_statement_is_not_established():
    from proofs import kernel as K

    x = z3.Real("x")
    f = z3.Function("f", z3.IntSort(), z3.RealSort())
    t = z3.Int("t")
    # the kernel proves these (their hypotheses are contradictory), so only the vacuity check can stop them
    empty = K.prove(z3.ForAll([x], z3.Implies(z3.And(x > 1, x < 0), x > 5)), name="vacuous demo")
    seqs = K.prove(z3.ForAll([x], z3.Implies(z3.And(z3.ForAll([t], f(t) > x), f(3) < x), x > 5)), name="vacuous seq")
    good = K.prove(z3.ForAll([x], z3.Implies(z3.And(x > 1, z3.ForAll([t], f(t) >= x)), f(7) > 0)), name="fine")
    ths = [{"id": n, "kernel": {"verdict": "proved by the kernel", "reason": "kdrag", "formula": str(pf.thm)}}
           for n, pf in (("empty", empty), ("seqs", seqs), ("good", good))]
    problems = VA.statements(ths)
    assert [p.split(":")[0] for p in problems] == ["empty", "seqs"]
    assert ths[0]["kernel"]["vacuity"]["status"] == VA.VACUOUS and ths[1]["kernel"]["vacuity"]["status"] == VA.VACUOUS
    assert [th["kernel"]["verdict"] for th in ths] == ["not established", "not established", "proved by the kernel"]
    w = ths[2]["kernel"]["vacuity"]["witness"]
    assert Fraction(w["x"]) > 1 and Fraction(w["f(...)"].split()[0]) >= Fraction(w["x"])


def test_eval_decides_an_integer_quantifier_exactly():
    f = z3.Function("f", z3.IntSort(), z3.RealSort())
    t = z3.Int("t")
    # with f constant 1: "for t >= 1000, f(t) > 0" is true; "for t >= 1000, t <= 2000" is false (t = 2001),
    # which a window of only small t would miss
    assert VA.Eval({}, {"f": Fraction(1)}, [1000]).truth(z3.ForAll([t], z3.Implies(t >= 1000, f(t) > 0)))
    assert not VA.Eval({}, {"f": Fraction(1)}, [1000, 2000]).truth(
        z3.ForAll([t], z3.Implies(t >= 1000, t <= 2000)))
    with pytest.raises(VA.Undecided):  # t * t is outside the window argument: undecided, not guessed
        VA.Eval({}, {"f": Fraction(1)}, [4]).truth(z3.ForAll([t], t * t >= 0))


# ------------------------------------------------------------------------------------------------
def _z3_value(s: str):
    return None if "(root of" in s else z3.RealVal(s)


def test_every_proved_step_of_the_audit_has_a_witness():
    """All the registry's steps that the audit expects PROVED: a witness (or a closed claim), re-checked
    here by substituting the exact values into the Z3 hypotheses and simplifying (rational witnesses)."""
    from proofs.registry import THEOREMS

    seen, checked, kinds = set(), 0, set()
    for th in THEOREMS.values():
        for ob in th.obligations:
            if id(ob) in seen or ob.expected_verdict != PROVED:
                continue
            seen.add(id(ob))
            rec = VA.step_witness(ob)
            assert rec["status"] in VA.OK, (th.id, ob.label, rec)
            kinds.add(ob.kind)
            if ob.kind != "z3":
                continue
            N = Z3Num()
            hyps, _ = ob.build(N, ob.params)
            vals = {k: _z3_value(v) for k, v in rec["witness"].items()}
            if any(v is None for v in vals.values()):
                continue
            for name, h in hyps.items():
                if name in ob.drop:
                    continue
                g = z3.simplify(z3.substitute(h, *[(N.vars[k], v) for k, v in vals.items()]))
                if z3.is_true(g):
                    checked += 1
                else:  # only a hypothesis with a square root may stay open (its auxiliary is not in the witness)
                    assert not z3.is_false(g) and any(str(a).startswith("_s") for a in VA.z3kit.free_vars([g])), \
                        (th.id, ob.label, name, rec["witness"], g)
    assert kinds == {"z3", "sympy", "exact"} and checked >= 300


def test_audit_exits_1_on_a_vacuous_statement(monkeypatch, capsys):
    import json

    from proofs import kernel as K
    from proofs import statements as ST
    from proofs.__main__ import main

    x = z3.Real("x")
    pf = K.prove(z3.ForAll([x], z3.Implies(z3.And(x > 1, x < 0), x > 5)), name="vacuous statement demo")
    fake = {"verdict": "proved by the kernel", "reason": "kdrag returned a proof", "formula": str(pf.thm),
            "trusted_base": [], "seconds": 0.0}
    monkeypatch.setattr(ST, "kernel_statement", lambda th, obs, timeout_s=20.0: dict(fake))
    rc = main(["--theorem", "kingma-ba", "--quiet", "--json"])
    doc = json.loads(capsys.readouterr().out)
    k = doc["theorems"][0]["kernel"]
    assert rc == 1 and k["verdict"] == "not established" and k["vacuity"]["status"] == VA.VACUOUS
    assert any("statement" in m for m in doc["meta"]["mismatches"])
    assert doc["meta"]["statements"] == {"proved by the kernel": 0, "not established": 1}
