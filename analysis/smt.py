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
CVC5_TIMEOUT_S = 3.0


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


def _solve_text(text: str, timeout_s: float, options=()) -> dict:
    """cvc5 on SMT-LIB text, in this process (cvc5 does not always honour its own time limits in
    non-linear arithmetic, so :func:`cross_check` runs this in a child process it can kill)."""
    import cvc5

    slv = cvc5.Solver()
    slv.setOption("produce-models", "true")
    slv.setOption("tlimit-per", str(max(1, int(timeout_s * 1000))))
    for key, value in options:
        slv.setOption(key, value)
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


# how much lower a cvc5 child's CPU priority is than its parent's.  Why: its limit is counted in its own CPU
# seconds (:func:`_in_children`), so its answer does not depend on the CPU it is given, while Z3's limits (the
# portfolio's stages, the kernel's) are wall-clock: when the audit's two processes and cvc5 children share two
# cores, Z3 goes first and cvc5 takes the rest, and neither solver's answer moves with the load
NICE = 5


def _child(conn, text, options, timeout_s, parent):
    _orphan_proof(parent)
    try:
        import os

        os.nice(NICE)
    except OSError:  # pragma: no cover -- a lower priority is only a preference
        pass
    try:
        conn.send(_solve_text(text, timeout_s, options))
    except Exception as exc:  # noqa: BLE001 -- reported as "no confirmation"
        conn.send({"status": "error", "reason": f"cvc5 error: {exc}"})
    finally:
        conn.close()


# cvc5 configurations raced on the same text, one child process each.  Measured on the audit's hard
# steps: neither dominates.  QF_NRA + nl-cov (cylindrical algebraic coverings, complete for QF_NRA)
# confirms 9 of 13 hard steps in < 0.5 s where logic ALL confirms none, yet ALL (incremental
# linearisation) confirms some bilinear steps, e.g. Theorem 4's step 6 at constant beta1, that nl-cov
# does not finish in 20 s.  Racing costs a second core for at most ``timeout_s`` (less: staggered).
CONFIGS = (("QF_NRA", (("nl-cov", "true"),)), ("ALL", ()))

# CPU seconds the first configuration runs alone before the next joins the race (:func:`_in_children`).
# Why: measured on the audit (README, proofs: the audit), nl-cov decides 114 of its 118 queries within this,
# and the second child was then pure cost; a query it cannot decide that fast gets both configurations.
STAGGER_S = 0.5


def eliminate_division(assertions) -> list:
    """Each distinct real quotient a/b replaced by a fresh variable r with ``b != 0 => r * b = a``.

    Why: nl-cov handles polynomials only; with the quotients named, cvc5 confirms steps it cannot
    otherwise (measured: Theorem 2's B3, Theorem 4's step 2, Theorem 6's T6-4).  Sound for confirming
    ``unsat``: any model of the original extends to the new formula with r := the value of a/b
    (SMT-LIB leaves a/0 unspecified, and the new formula does not constrain r when b = 0), so the new
    formula is unsat whenever the original is.  The converse fails (a model may put r apart from an
    unspecified a/0), which is why a cvc5 model is replayed on the *original* formula
    (:func:`replay_model`) before it counts against Z3."""
    names = {str(v) for v in _free_consts(assertions)}
    cache: dict = {}
    side: list = []

    def fresh():
        k = len(cache)
        while f"_q{k}" in names:
            k += 1
        names.add(f"_q{k}")
        return z3.Real(f"_q{k}")

    def walk(e):
        if not z3.is_app(e) or e.num_args() == 0:
            return e  # constants, variables, and quantifiers (left as they are)
        kids = [walk(c) for c in e.children()]
        if z3.is_app_of(e, z3.Z3_OP_DIV):
            key = (kids[0].sexpr(), kids[1].sexpr())
            if key not in cache:
                r = cache[key] = fresh()
                side.append(z3.Implies(kids[1] != 0, r * kids[1] == kids[0]))
            return cache[key]
        return e.decl()(*kids)

    return [walk(a) for a in assertions] + side


def _free_consts(assertions) -> set:
    out, seen, todo = set(), set(), list(assertions)
    while todo:
        e = todo.pop()
        if e.get_id() in seen:
            continue
        seen.add(e.get_id())
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out.add(e)
        elif z3.is_app(e):
            todo.extend(e.children())
    return out


def cross_check(assertions, timeout_s: float = CVC5_TIMEOUT_S) -> dict:
    """cvc5's answer on the conjunction ``assertions`` (Z3 terms), posed as SMT-LIB text, within
    ``timeout_s`` CPU seconds of each cvc5 child (wall-clock where /proc is missing; see :func:`_in_children`).
    The quotients are named first (:func:`eliminate_division`), and
    the configurations of ``CONFIGS`` race in child processes (killed at the limit); the first
    ``unsat`` or ``sat`` answers.  A ``sat`` model is restricted to the original variables."""
    t0 = time.perf_counter()
    if not available():
        return {"status": "unavailable", "reason": "cvc5 is not installed", "model": {}, "seconds": 0.0}
    body = smt2(eliminate_division(assertions))
    res = _in_children([(f"(set-logic {logic})\n" + body, opts) for logic, opts in CONFIGS], timeout_s)
    secs = time.perf_counter() - t0
    if res is None:
        return {"status": "unknown", "reason": f"cvc5: timeout ({timeout_s:g} s)", "model": {}, "seconds": secs}
    if res["status"] == "error":
        return {"status": "unknown", "reason": res["reason"], "model": {}, "seconds": secs}
    if res["status"] in ("sat", "unsat"):
        keep = {str(v) for v in _free_consts(assertions)}
        model = {k: v for k, v in res["model"].items() if k in keep}
        return {"status": res["status"], "reason": "", "model": model, "seconds": secs,
                "config": res.get("config", "")}
    return {"status": "unknown", "reason": "cvc5: unknown (incomplete)", "model": {}, "seconds": secs}


def _cpu_seconds(pid: int) -> "float | None":
    """CPU seconds (user + system) process ``pid`` has used so far, from /proc; None where there is no /proc."""
    import os

    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()  # the fields after the command name: state is rest[0]
        return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)
    except (OSError, IndexError, ValueError):
        return None


def wall_backstop(timeout_s: float) -> float:
    """The wall-clock limit of a cvc5 child whose limit is counted in CPU seconds: a child that waits without
    computing (it cannot, but a limit must end everything) is killed after this long."""
    return 20.0 * timeout_s + 5.0


def _in_children(jobs, timeout_s: float, stagger_s: "float | None" = None):
    """:func:`_solve_text` on each (text, options) of ``jobs`` in forked children; the first decisive answer
    (``sat``/``unsat``), else the last other answer, else None when all ran out of time.  Every child is killed
    before returning.

    ``timeout_s`` is counted in each child's CPU seconds (read from /proc every 50 ms), not in wall-clock time:
    on a loaded machine (a test suite on both cores, the audit's step worker beside its kernel assembly) a
    child gets less than a core, and a wall-clock limit then turned a confirmation cvc5 finds in 2 s into a
    timeout -- the record depended on the load.  On a quiet machine the two are the same.  Where /proc is
    missing the limit is wall-clock, as before; :func:`wall_backstop` bounds a child in any case.

    The jobs race staggered (``stagger_s``, default :data:`STAGGER_S`): job k+1 starts once job k has used
    ``stagger_s`` CPU seconds without answering, or has ended without a decisive answer.  Why: most queries are
    decided by the first configuration at once, and a second child started beside it only burnt a core until it
    was killed.  The answer does not change: each child still gets its whole budget of its own CPU seconds, so a
    configuration that answers within ``timeout_s`` in the plain race answers here too; only which of two
    decisive configurations reports first can differ (they agree on sat/unsat unless a solver is wrong, and a
    sat model is replayed on the original formula in any case).  ``stagger_s = 0`` is the plain race."""
    import multiprocessing as mp
    import os
    from multiprocessing.connection import wait

    by_cpu = _cpu_seconds(os.getpid()) is not None
    wall = wall_backstop(timeout_s) if by_cpu else timeout_s + 0.2
    stagger = STAGGER_S if stagger_s is None else float(stagger_s)
    ctx = mp.get_context("fork")
    todo = list(jobs)
    live, procs = {}, []  # recv -> (process, first line of the text, wall-clock deadline, wall start)
    last = None  # the child started last while it is still running: the next waits on its CPU

    def start():
        text, opts = todo.pop(0)
        recv, send = ctx.Pipe(duplex=False)
        # cvc5's own limit (wall-clock) is the backstop when the CPU is what counts
        proc = ctx.Process(target=_child, args=(send, text, opts, wall if by_cpu else timeout_s, os.getpid()),
                           daemon=True)
        proc.start()
        procs.append(proc)
        send.close()
        now = time.monotonic()
        live[recv] = (proc, text.split("\n", 1)[0], now + wall, now)
        return recv

    res = None
    try:
        last = start()
        while live or todo:
            if todo and (last not in live or _used(live[last], by_cpu) >= stagger):
                last = start()
                continue
            now = time.monotonic()
            left = min(d for _p, _h, d, _s in live.values()) - now
            if left <= 0:  # a child past its wall-clock backstop: killed, its configuration gave no answer
                for recv, (proc, _h, d, _s) in list(live.items()):
                    if d <= now:
                        live.pop(recv)
                        recv.close()
                        proc.kill()
                continue
            poll = 0.05 if (by_cpu or todo) else left
            for recv in wait(list(live), min(left, poll)):
                proc, head, _d, _s = live.pop(recv)
                try:
                    got = recv.recv()
                except EOFError:
                    got = None
                recv.close()
                if got is None:
                    continue
                got["config"] = head
                if got["status"] in ("sat", "unsat"):
                    return got
                res = got
            if by_cpu:  # after reading what has come: an answer sent within the budget is never thrown away
                for recv, (proc, _head, _d, _s) in list(live.items()):
                    used = _cpu_seconds(proc.pid)
                    if used is not None and used > timeout_s + 0.2:  # out of its CPU budget
                        live.pop(recv)
                        recv.close()
                        proc.kill()
    finally:
        for recv in live:
            recv.close()
        for proc in procs:
            if proc.is_alive():
                proc.kill()
            proc.join(1.0)
    return res


def _used(entry, by_cpu: bool) -> float:
    """The seconds a live child has had: its CPU seconds (from /proc), else its wall-clock seconds."""
    proc, _head, _deadline, started = entry
    got = _cpu_seconds(proc.pid) if by_cpu else None
    return got if got is not None else time.monotonic() - started


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
