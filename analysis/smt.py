"""A second, independent SMT solver (cvc5) for every step that Z3 proves, and an exact model replay.

``cross_check(assertions, timeout_s)`` re-poses the very formula Z3 answered ``unsat`` (the negation of
a claim together with its hypotheses) to cvc5 through SMT-LIB 2.6 text (``z3.Solver.to_smt2()``, read
by cvc5's own parser): nothing is rebuilt by hand, so both solvers decide the same formula.  It returns
a dict ``{"status": "unsat" | "sat" | "unknown" | "unavailable", "reason", "model", "seconds"}``.

A ``sat`` answer from cvc5 where Z3 said ``unsat`` is a disagreement.  :func:`replay_model` evaluates
the formula at cvc5's model in exact ``Fraction`` arithmetic with a tiny evaluator of Z3 terms that
shares no code with either solver: True means the model really satisfies every assertion (so Z3's
``unsat`` was wrong and the step is not proved), False that it does not (cvc5's model is spurious),
None that it cannot be decided exactly (an irrational model value, a division by zero).
"""
from __future__ import annotations

import time
from fractions import Fraction

import z3

# cvc5's per-query limit inside the audit: short, so that a hard query is reported "z3 only" quickly
CVC5_TIMEOUT_S = 1.5


def available() -> bool:
    try:
        import cvc5  # noqa: F401
    except ImportError:
        return False
    return True


def smt2(assertions) -> str:
    """The SMT-LIB 2.6 text of ``assertions`` as Z3 writes it (declarations, asserts, check-sat)."""
    s = z3.Solver()
    s.add(*assertions)
    return s.to_smt2()


def _solve_text(text: str, timeout_s: float) -> dict:
    """cvc5 on SMT-LIB text, in this process (cvc5 does not always honour its own time limits in
    non-linear arithmetic, so :func:`cross_check` runs this in a child process it can kill)."""
    import cvc5

    slv = cvc5.Solver()
    slv.setOption("produce-models", "true")
    slv.setOption("tlimit-per", str(max(1, int(timeout_s * 1000))))
    slv.setOption("nl-cov", "true")  # cylindrical algebraic coverings: complete for QF_NRA
    parser = cvc5.InputParser(slv)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "query")
    sm = parser.getSymbolManager()
    answer = None
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        out = cmd.invoke(slv, sm)
        if out and out.strip() in ("sat", "unsat", "unknown"):
            answer = out.strip()
    model = {}
    if answer == "sat":
        for term in sm.getDeclaredTerms():
            v = slv.getValue(term)
            model[str(term)] = v.getRealValue() if v.isRealValue() else None
    return {"status": answer or "unknown", "model": model}


def _orphan_proof(parent: int) -> None:
    """The cvc5 child dies with its parent and holds none of its output pipes: an interrupted audit
    (Ctrl-C kills the worker) must not leave cvc5 running, nor keep the caller's pipes open."""
    import os

    from numerics.cli import die_with_parent

    die_with_parent(parent)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)


def _child(conn, text, timeout_s, parent):
    _orphan_proof(parent)
    try:
        conn.send(_solve_text(text, timeout_s))
    except Exception as exc:  # noqa: BLE001 -- reported as "no confirmation"
        conn.send({"status": "error", "reason": f"cvc5 error: {exc}"})
    finally:
        conn.close()


def cross_check(assertions, timeout_s: float = CVC5_TIMEOUT_S) -> dict:
    """cvc5's answer on the conjunction ``assertions`` (Z3 terms), posed as SMT-LIB text, within
    ``timeout_s`` wall-clock seconds (a child process, killed at the limit)."""
    t0 = time.perf_counter()
    if not available():
        return {"status": "unavailable", "reason": "cvc5 is not installed", "model": {}, "seconds": 0.0}
    # QF_NRA turns on cvc5's complete non-linear procedure (measured: 9 of 13 hard audit steps
    # confirmed in < 0.5 s, against 0 of 13 with logic ALL); anything it rejects is retried with ALL
    body = smt2(assertions)
    res = _in_child("(set-logic QF_NRA)\n" + body, timeout_s)
    if res is not None and res["status"] == "error":
        res = _in_child("(set-logic ALL)\n" + body, timeout_s)
    secs = time.perf_counter() - t0
    if res is None:
        return {"status": "unknown", "reason": f"cvc5: timeout ({timeout_s:g} s)", "model": {}, "seconds": secs}
    if res["status"] == "error":
        return {"status": "unknown", "reason": res["reason"], "model": {}, "seconds": secs}
    if res["status"] in ("sat", "unsat"):
        return {"status": res["status"], "reason": "", "model": res["model"], "seconds": secs}
    return {"status": "unknown", "reason": "cvc5: unknown (incomplete)", "model": {}, "seconds": secs}


def _in_child(text: str, timeout_s: float):
    """:func:`_solve_text` in a forked child, killed after ``timeout_s``; None on timeout."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    import os

    proc = ctx.Process(target=_child, args=(send, text, timeout_s, os.getpid()), daemon=True)
    proc.start()
    send.close()
    res = None
    if recv.poll(timeout_s + 0.2):
        try:
            res = recv.recv()
        except EOFError:
            res = None
    if proc.is_alive():
        proc.kill()
    proc.join(1.0)
    recv.close()
    return res


# ------------------------------------------------------------------------------------------------
class Undecided(Exception):
    """The exact evaluator met something it cannot evaluate exactly."""


def _ev(e, env: dict):
    if z3.is_rational_value(e):
        return Fraction(e.numerator_as_long(), e.denominator_as_long())
    if z3.is_int_value(e):
        return Fraction(e.as_long())
    if z3.is_true(e):
        return True
    if z3.is_false(e):
        return False
    if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
        name = str(e)
        if name not in env or env[name] is None:
            raise Undecided(f"no exact value for {name}")
        return Fraction(env[name])
    k = e.decl().kind()
    a = [_ev(c, env) for c in e.children()] if k != z3.Z3_OP_ITE else None
    if k == z3.Z3_OP_ITE:
        c = _ev(e.arg(0), env)
        return _ev(e.arg(1) if c else e.arg(2), env)
    ops = {
        z3.Z3_OP_ADD: lambda xs: sum(xs, Fraction(0)),
        z3.Z3_OP_SUB: lambda xs: xs[0] - sum(xs[1:], Fraction(0)),
        z3.Z3_OP_UMINUS: lambda xs: -xs[0],
        z3.Z3_OP_LE: lambda xs: xs[0] <= xs[1], z3.Z3_OP_LT: lambda xs: xs[0] < xs[1],
        z3.Z3_OP_GE: lambda xs: xs[0] >= xs[1], z3.Z3_OP_GT: lambda xs: xs[0] > xs[1],
        z3.Z3_OP_EQ: lambda xs: xs[0] == xs[1], z3.Z3_OP_DISTINCT: lambda xs: len(set(xs)) == len(xs),
        z3.Z3_OP_AND: all, z3.Z3_OP_OR: any, z3.Z3_OP_NOT: lambda xs: not xs[0],
        z3.Z3_OP_IMPLIES: lambda xs: (not xs[0]) or xs[1],
        z3.Z3_OP_TO_REAL: lambda xs: xs[0],
    }
    if k == z3.Z3_OP_MUL:
        out = Fraction(1)
        for x in a:
            out *= x
        return out
    if k == z3.Z3_OP_DIV:
        if a[1] == 0:
            raise Undecided("division by zero (Z3 and cvc5 leave x/0 unspecified)")
        return a[0] / a[1]
    if k == z3.Z3_OP_POWER:
        if a[1].denominator != 1:
            raise Undecided("fractional power")
        if a[0] == 0 and a[1] < 0:
            raise Undecided("0 to a negative power")
        return a[0] ** int(a[1])
    if k in ops:
        return ops[k](a)
    raise Undecided(f"operator {e.decl().name()} not supported by the exact evaluator")


def replay_model(assertions, model: dict):
    """True if every assertion holds exactly at ``model`` (name -> Fraction), False if one fails,
    None if the evaluation cannot be done exactly."""
    try:
        return all(bool(_ev(a, model)) for a in assertions)
    except Undecided:
        return None
