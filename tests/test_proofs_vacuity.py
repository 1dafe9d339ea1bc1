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
    VA.CACHE.clear()  # the cache is per obligation: a test that patches the solver starts clean
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
def test_statement_witness_and_a_vacuous_statement():
    f = z3.Function("f", z3.IntSort(), z3.RealSort())
    c = z3.Real("c")
    T, t = z3.Int("T"), z3.Int("t")
    every = z3.ForAll([t], z3.Implies(t >= 1, z3.And(f(t) >= c, f(t + 1) >= f(t))))
    ok = z3.ForAll([T], z3.Implies(z3.And(T >= 1, c > 2, every), f(T) >= 0))
    rec = VA.statement_witness(ok)
    assert rec["status"] == VA.WITNESS, rec
    cv = Fraction(rec["constants"]["c"])
    fv = Fraction(next(v for k, v in rec["constants"].items() if k.startswith("f@")))
    assert cv > 2 and fv >= cv  # the test's own check of the recorded witness
    assert all(p["how"] for p in rec["all_rounds"]["proofs"]) and rec["replay"]["instances"] > 0
    # f(1) < c contradicts f(t) >= c for t = 1: VACUOUS
    bad = z3.ForAll([T], z3.Implies(z3.And(T >= 1, c > 2, every, f(1) < c), f(T) >= 0))
    assert VA.statement_witness(bad)["status"] == VA.VACUOUS
    # satisfiable (f(t) = t - 1), but no form is read off two unrelated ground values: no witness, not vacuous
    moving = z3.ForAll([T], z3.Implies(z3.And(T >= 1, f(1) == 0, f(2) == 1), f(T) >= 0))
    assert VA.statement_witness(moving)["status"] == VA.NO_WITNESS


def _sequences():
    """A statement shaped like the kernel's: alpha_t sqrt(t) = alpha, alpha_t non-increasing, s_t = sqrt(1 + log t),
    m_t = b m_{t-1} + (1 - b) g_t, and L7 on log as a trusted axiom."""
    F = lambda n: z3.Function(n, z3.IntSort(), z3.RealSort())  # noqa: E731
    rt, al, lg, sL, m, g = F("rt"), F("al"), F("lg"), F("sL"), F("m"), F("g")
    alpha, b = z3.Real("alpha"), z3.Real("b")
    t, s, T = z3.Int("t"), z3.Int("s"), z3.Int("T")
    A = lambda body: z3.ForAll([t], z3.Implies(t >= 1, body))  # noqa: E731
    H = z3.And(T >= 1, alpha > 0, b >= 0, b < 1, m(0) == 0,
               A(z3.And(rt(t) > 0, rt(t) * rt(t) == z3.ToReal(t), al(t) * rt(t) == alpha, al(t + 1) <= al(t))),
               A(z3.And(sL(t) >= 0, sL(t) * sL(t) == 1 + lg(t))),
               A(m(t) == b * m(t - 1) + (1 - b) * g(t)), A(m(t) * m(t) <= g(t) * g(t) + 1))
    L7 = z3.And(lg(1) == 0, z3.ForAll([s], z3.Implies(s >= 1, lg(s + 1) - lg(s) >= 1 / z3.ToReal(s + 1))))
    return z3.ForAll([T], z3.Implies(H, al(T) <= alpha)), L7


def test_closed_forms_sqrt_recursion_explicit_and_the_trusted_axiom():
    from proofs import witness as W

    formula, L7 = _sequences()
    rec = VA.statement_witness(formula, trusted=[("L7", L7)])
    assert rec["status"] == VA.WITNESS, rec
    kinds = {k: v.rsplit("[", 1)[1].rstrip("]") for k, v in rec["witness"].items()}
    assert kinds["rt"] == kinds["sL"] == "sqrt" and kinds["al"] == "explicit" and kinds["m"] == "recursion"
    assert kinds["lg"] == "recursion (inequality taken with equality)"  # the harmonic-type sum sum_{2<=s<=t} 1/s
    assert rec["trusted_axioms_witnessed"] == ["L7"]
    assert any(p["source"] == "trusted axiom: L7" for p in rec["all_rounds"]["proofs"])
    assert rec["replay"]["window"].endswith(f"[-2, {W.WINDOW}]")
    # without the trusted axiom the search still finds a witness; with a contradictory one, none
    assert VA.statement_witness(formula)["status"] == VA.WITNESS
    lg = z3.Function("lg", z3.IntSort(), z3.RealSort())
    assert VA.statement_witness(formula, trusted=[("bad", z3.And(L7, lg(2) < 0))])["status"] != VA.WITNESS


def _monotone():
    f = z3.Function("f", z3.IntSort(), z3.RealSort())
    t, T = z3.Int("t"), z3.Int("T")
    H = z3.And(T >= 1, f(1) >= 1, z3.ForAll([t], z3.Implies(t >= 1, f(t + 1) >= f(t))))
    return f, z3.ForAll([T], z3.Implies(H, f(T) >= 1)), H


def test_a_witness_that_breaks_after_the_replay_window_is_rejected_by_the_all_rounds_check():
    from proofs import witness as W

    f, formula, H = _monotone()
    late = W.WINDOW + 3  # f(t) = t on the window and beyond it up to `late`, then 0: not monotone at t = late
    hint = {"forms": {"f": lambda t: z3.If(t <= late, z3.ToReal(t), z3.RealVal(0))}}
    rec = W.find(formula, hints=hint)
    assert rec["status"] == "unknown" and "not proved for every round" in rec["reason"], rec
    # the exact replay alone would have accepted it: every instance on its window holds
    Hs = z3.substitute(H, (z3.Int("T"), z3.IntVal(1)))
    atoms, forms, unknowns, aux = W.derive([("hypothesis", Hs)], hint)
    assert not unknowns and W.Replay(forms, aux, {}).truth(Hs)
    proofs = W.prove_all_rounds(atoms, forms, aux)
    assert [p["how"] is None for p in proofs] == [False, False, True]  # T >= 1, f(1) >= 1 hold; monotonicity not
    # the honest hint f(t) = t passes both checks
    good = W.find(formula, hints={"forms": {"f": lambda t: z3.ToReal(t)}})
    assert good["status"] == "witness" and good["witness"]["f"].endswith("[hint]")


def test_the_replay_is_exact_and_finite():
    from proofs import witness as W

    f = z3.Function("f", z3.IntSort(), z3.RealSort())
    s = z3.Function("s", z3.IntSort(), z3.RealSort())
    t = z3.Int("t")
    p = z3.FreshConst(z3.IntSort(), prefix="t")
    sq = z3.Function("sqrt[s]", z3.IntSort(), z3.RealSort())
    forms = {s: W.Form(s, [p], sq(p), "sqrt"), f: W.Form(f, [p], z3.ToReal(p) * z3.ToReal(p), "explicit")}
    aux = {sq: W.Form(sq, [p], z3.ToReal(p), "radicand")}
    R = lambda: W.Replay(forms, aux, {})  # noqa: E731
    # s(t)^2 = t exactly (sqrt(2), sqrt(3) are not rationals), and s(2) < 3/2 decided exactly (sqrt 2 = 1.414...)
    assert R().truth(z3.ForAll([t], z3.Implies(t >= 0, s(t) * s(t) == z3.ToReal(t))))
    assert R().truth(s(2) < z3.RealVal("3/2")) and not R().truth(s(2) < z3.RealVal("1414/1000"))
    # a finite window: "f(t) <= 100 for every t" holds on [-2, WINDOW] although false at t = 11
    assert R().truth(z3.ForAll([t], f(t) <= 100))
    with pytest.raises(W.Undecided):  # the square root of a negative radicand is no real witness
        R().truth(s(-1) >= 0)
    # a recursion whose base guard Z3 merged into a disjunction after the recursive call: the guard is decided
    # first, so the replay reaches the base (evaluated in order, f(t - 1) would recurse below every base)
    g = z3.Function("g", z3.IntSort(), z3.RealSort())
    body = z3.If(z3.Or(g(p - 1) >= 5, p <= 1), z3.RealVal(1), g(p - 1) + 1)
    assert W.Replay({g: W.Form(g, [p], body, "recursion")}, {}, {}).truth(g(4) == 4)
    # and the forms keep a recursion's base guard outermost when their constants are simplified in
    rec = z3.If(p <= 1, z3.RealVal(1), z3.If(g(p - 1) >= 0, g(p - 1), z3.RealVal(1)))  # Z3 merges the two 1s
    assert z3.eq(W._simp(rec).arg(0), p <= 1) and not z3.eq(z3.simplify(rec).arg(0), p <= 1)


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
    rec = ths[2]["kernel"]["vacuity"]
    fv = Fraction(rec["witness"]["f"].split(":= ")[1].split()[0])  # f(t) >= x is f's one atom: f := x (a bound)
    assert Fraction(rec["constants"]["x"]) > 1 and fv >= Fraction(rec["constants"]["x"])


def test_unknown_non_vacuity_is_never_success(monkeypatch):
    from proofs import kernel as K

    x = z3.Real("x")
    good = K.prove(z3.ForAll([x], z3.Implies(x > 1, x > 0)), name="fine, unless no witness is found")
    th = [{"id": "demo", "kernel": {"verdict": "proved by the kernel", "reason": "kdrag", "formula": str(good.thm)}}]
    monkeypatch.setattr(VA.W, "find", lambda *a, **k: {"status": "unknown", "reason": "search gave up"})
    problems = VA.statements(th)
    assert problems and th[0]["kernel"]["verdict"] == "not established"
    assert th[0]["kernel"]["vacuity"]["status"] == VA.NO_WITNESS and "UNKNOWN" in th[0]["kernel"]["reason"]


# ------------------------------------------------------------------------------------------------
def _z3_value(s: str):
    return None if "(root of" in s else z3.RealVal(s)


@pytest.mark.slow  # 3.3 s (fast lane under 3 min; runs in the whole suite)
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


@z3_step("positive", "x > 1 => x > 0", "derived")
def POS(N, p):
    x = N.var("x")
    return {"x>1": x > 1}, x > 0


def test_audit_exits_1_on_a_vacuous_statement(monkeypatch, capsys):
    """The statement's vacuity alone fails the audit: the theorem's one step is proved (with a witness), its
    kernel statement is a proof over contradictory hypotheses.  (A one-step theorem: what is checked is the
    statement's record, the counts and the exit code, none of which depends on how many steps are audited.)"""
    import json

    from proofs import kernel as K
    from proofs import registry
    from proofs import statements as ST
    from proofs.__main__ import main

    th = Theorem("kingma-ba", "a theorem whose one step holds and whose statement is vacuous", [_fresh(POS)],
                 summarize=lambda r: "one step")
    monkeypatch.setitem(registry.THEOREMS, "kingma-ba", th)

    x = z3.Real("x")
    pf = K.prove(z3.ForAll([x], z3.Implies(z3.And(x > 1, x < 0), x > 5)), name="vacuous statement demo")
    fake = {"verdict": "proved by the kernel", "reason": "kdrag returned a proof", "formula": str(pf.thm),
            "trusted_base": [], "seconds": 0.0}
    monkeypatch.setattr(ST, "kernel_statement", lambda th, obs, timeout_s=20.0: dict(fake))
    rc = main(["--theorem", "kingma-ba", "--quiet", "--json"])
    doc = json.loads(capsys.readouterr().out)
    k = doc["theorems"][0]["kernel"]
    assert rc == 1 and k["verdict"] == "not established" and k["vacuity"]["status"] == VA.VACUOUS
    assert [s["verdict"] for s in doc["theorems"][0]["steps"]] == [PROVED]  # the statement alone fails it
    assert any("statement" in m for m in doc["meta"]["mismatches"])
    assert doc["meta"]["statements"] == {"proved by the kernel": 0, "not established": 1}
