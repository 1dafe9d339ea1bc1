"""Vacuity: a proof whose hypotheses cannot hold proves nothing.  Every PROVED step and every kernel
statement carries an assignment that satisfies its hypotheses, found by a solver and replayed exactly by
code that shares nothing with the solver's path.

Steps (:func:`step_witness`, called once per obligation from :meth:`proofs.obligation.Obligation.check`):

* ``z3``    Z3 (nlsat first: best at models) finds a model of the hypotheses *alone* (with the square-root
            side conditions, without the claim); the model is replayed by evaluating the same ``build`` in
            exact SymPy arithmetic (:class:`proofs.numsys.SymNum`: rationals, algebraic numbers as
            SymPy roots of their defining polynomials, true square roots) -- every hypothesis must be true
            there.  Hypotheses that Z3 finds unsat make the step VACUOUS.
* ``sympy`` an identity over SymPy symbols: its hypotheses are the symbols' assumptions (positive, integer,
            ...).  The step's own test points are the candidates; one is replayed in ``Fraction`` arithmetic
            (every assumption holds) and both sides must be finite numbers there.
* ``exact`` a claim about stated values has no free variable, so nothing can make it vacuous
            (status ``closed``; its values are recorded as the witness).

Statements (:func:`statement_witness`, :func:`statements`): a kernel formula ``ForAll(vs, Implies(H, C))`` over
sequences (uninterpreted functions of the rounds and coordinates) and ``kd.define``'d sums.  The witness is a set
of *closed forms* (:mod:`proofs.witness`): each symbol's form is read off the shape of a hypothesis -- a square
root ``f*f == E`` (an auxiliary ``sqrt[f]`` named by its defining property), a recursion (``m_t = beta_1t m_{t-1}
+ ...``, ``x_{t+1} = Pi_F(...)``, ``lambda^t``; L7's increment taken with equality gives a harmonic-type
``log``), an explicit equation (``alpha_t = alpha/sqrt t``), a one-sided bound, else a constant -- and Z3 picks
the constants on a small window.  It counts only when (a) Z3 proves every atom of ``H`` and of the statement's
trusted-base axioms (L7 on ``log``) with the forms substituted, for a symbolic round and coordinate, directly or
by induction over the round, and (b) an exact SymPy replay of ``H`` as stated (definitions by their bodies, square
roots exact) holds on every round and coordinate of the window ``[-2, proofs.witness.WINDOW]``.  Both are recorded
(``all_rounds``, ``replay``).  A statement added later needs no code here when its hypotheses have these shapes;
otherwise :data:`proofs.witness.HINTS` takes a form per symbol name for its statement id::

    HINTS["my-thm"] = {"forms": {"f": lambda t: z3.ToReal(t)}}   # f(t) := t, still proved and replayed

Status of a record: ``witness`` (found and replayed), ``closed`` (no free variable), ``vacuous`` (the
hypotheses are unsatisfiable: the audit fails), ``unknown`` (no replayed witness: the audit fails too --
an UNKNOWN is never success).

Example::

    >>> from proofs.obligation import z3_step
    >>> @z3_step("demo", "x > 0 => x + 1 > 0", "derived")
    ... def demo(N, p):
    ...     x = N.var("x")
    ...     return {"x>0": x > 0}, x + 1 > 0
    >>> step_witness(demo)["status"]
    'witness'
"""
from __future__ import annotations

import time
from fractions import Fraction

import sympy as sp
import z3

from analysis import z3kit

from . import witness as W
from .numsys import SymNum, parse_value, truth
from .witness import Undecided

__all__ = ["step_witness", "statement_witness", "statements", "kernel_formula", "trusted_axioms", "Undecided", "WITNESS",
           "CLOSED", "VACUOUS", "NO_WITNESS", "OK"]

WITNESS, CLOSED, VACUOUS, NO_WITNESS = "witness", "closed", "vacuous", "unknown"
OK = (WITNESS, CLOSED)
# models first (nlsat), then the other engines; a step's hypotheses are a few polynomial constraints
ENGINES = (("nlsat", 2.0), ("simple", 1.0), "default")
TIMEOUT_S = 5.0
# the statements' integer variables (d, T, k, ...) are tried at 1, then at 2 when that finds nothing: each try
# costs seconds (the proofs for every round and the replay), and the audit must stay near a minute; a witness
# missed here leaves the statement NOT ESTABLISHED (the safe side), never PROVED
AUDIT_TRIES = ((1, 1), (2, 2))  # the second only when the first finds nothing

CACHE: dict = {}


def _key(ob):
    return (id(ob.build or ob.fn), ob.kind, repr(sorted(ob.params.items(), key=str)), tuple(ob.drop))


def step_witness(ob, timeout_s: float = TIMEOUT_S) -> dict:
    """The vacuity record of obligation ``ob`` (cached per obligation, parameters and dropped hypotheses)."""
    k = _key(ob)
    if k not in CACHE:
        t0 = time.perf_counter()
        try:
            rec = {"z3": _z3_witness, "sympy": _sympy_witness, "exact": _exact_witness}[ob.kind](ob, timeout_s)
        except Exception as exc:  # noqa: BLE001 -- a crash finds no witness; never a success
            rec = {"status": NO_WITNESS, "reason": f"witness search failed: {exc!r}"}
        rec["seconds"] = round(time.perf_counter() - t0, 4)
        CACHE[k] = (ob, rec)  # the obligation is kept so that its id is not reused
    return dict(CACHE[k][1])


def _z3_witness(ob, timeout_s):
    N, hyps, _claim = ob.z3_build()  # the terms the decision used (built once per obligation)
    used = {k: h for k, h in hyps.items() if k not in ob.drop}
    names = list(N.vars)
    if not used and not N.side:
        return {"status": WITNESS, "witness": {}, "hypotheses": [], "replay": "no hypotheses: every value is a witness"}
    r = z3kit.find(list(used.values()) + N.side, [N.vars[n] for n in names], timeout_s=timeout_s, engines=ENGINES)
    if r.status == "unsat":
        return {"status": VACUOUS, "hypotheses": list(used), "method": f"z3/{r.engine}",
                "reason": "the hypotheses (with the square-root side conditions) are unsatisfiable: "
                          "the proof holds over an empty domain and proves nothing"}
    if r.status != "sat":
        return {"status": NO_WITNESS, "hypotheses": list(used), "reason": f"no model of the hypotheses: {r.reason}"}
    # the replay: exact SymPy values, the same build evaluated without Z3, every hypothesis true
    vals = {n: parse_value(r.model[n]) for n in names}
    try:
        hs, _ = ob.build(SymNum(vals), ob.params)
        false = [k for k in used if not truth(hs[k])]
    except (ValueError, KeyError, TypeError, ZeroDivisionError) as exc:
        return {"status": NO_WITNESS, "witness": dict(r.model), "reason": f"model did not replay: {exc}"}
    if false:
        return {"status": NO_WITNESS, "witness": dict(r.model), "reason": f"model did not replay: {false} false"}
    return {"status": WITNESS, "witness": dict(r.model), "hypotheses": list(used), "method": f"z3/{r.engine}",
            "replay": "exact SymPy (rationals, algebraic numbers, true square roots): every hypothesis holds"}


def _isprime(v: Fraction) -> bool:
    n = v.numerator
    return v.denominator == 1 and n > 1 and all(n % k for k in range(2, int(n ** 0.5) + 1))


# every SymPy assumption (the closure SymPy derives from the declared ones), decided on an exact rational
_ASSUME = {
    "positive": lambda v: v > 0, "negative": lambda v: v < 0, "nonnegative": lambda v: v >= 0,
    "nonpositive": lambda v: v <= 0, "zero": lambda v: v == 0, "nonzero": lambda v: v != 0,
    "integer": lambda v: v.denominator == 1, "noninteger": lambda v: v.denominator != 1,
    "even": lambda v: v.denominator == 1 and v.numerator % 2 == 0,
    "odd": lambda v: v.denominator == 1 and v.numerator % 2 == 1,
    "extended_positive": lambda v: v > 0, "extended_nonnegative": lambda v: v >= 0,
    "extended_negative": lambda v: v < 0, "extended_nonpositive": lambda v: v <= 0,
    "extended_nonzero": lambda v: v != 0, "prime": _isprime,
    "composite": lambda v: v.denominator == 1 and v.numerator > 1 and not _isprime(v),
    "antihermitian": lambda v: v == 0,
    # true of every rational number
    **{k: (lambda v: True) for k in ("real", "extended_real", "finite", "rational", "complex", "algebraic",
                                     "commutative", "hermitian")},
    **{k: (lambda v: False) for k in ("imaginary", "infinite", "irrational", "transcendental")},
}


def assumptions_hold(sym, v: Fraction):
    """True/False/None: does the exact value ``v`` meet every assumption SymPy holds for ``sym``?"""
    for name, val in sym.assumptions0.items():
        if val is None:
            continue
        if name not in _ASSUME:
            return None
        if bool(_ASSUME[name](v)) != bool(val):
            return False
    return True


def _sympy_witness(ob, timeout_s):
    lhs, rhs, points = ob.build(ob.params)
    syms = sorted(sp.sympify(lhs).free_symbols | sp.sympify(rhs).free_symbols, key=str)
    if not syms:
        return {"status": CLOSED, "witness": {}, "replay": "no free symbol"}
    why = []
    # the step's own test points, then points built from the assumptions alone (a test point may sit on the
    # boundary, e.g. m = 0 for a symbol declared positive)
    for cands in ((Fraction(1, 2), 2, 1, 3, 0, -1), (Fraction(3, 7), 3, Fraction(5, 2), 5, -2)):
        gen = {}
        for sym in syms:
            ok = [c for c in cands if assumptions_hold(sym, Fraction(c)) is True]
            if ok:
                gen[sym] = sp.Rational(Fraction(ok[0]).numerator, Fraction(ok[0]).denominator)
        points = list(points) + [gen]
    for pt in points:
        vals = {}
        for s in syms:
            if s not in pt:
                break
            q = sp.Rational(pt[s])
            vals[s] = Fraction(int(q.p), int(q.q))
        else:
            bad = [str(s) for s in syms if assumptions_hold(s, vals[s]) is not True]
            if bad:
                why.append(f"assumptions of {bad} not met")
                continue
            sub = {s: sp.Rational(v.numerator, v.denominator) for s, v in vals.items()}
            lv, rv = sp.sympify(lhs).subs(sub), sp.sympify(rhs).subs(sub)
            if not (lv.is_finite and rv.is_finite and lv.is_number and rv.is_number):
                why.append("a side is not a finite number there")
                continue
            return {"status": WITNESS, "witness": {str(s): str(v) for s, v in vals.items()},
                    "hypotheses": [f"{s}: {', '.join(k for k in ('positive', 'nonnegative', 'integer', 'nonzero', 'real') if s.assumptions0.get(k))}"
                                   for s in syms],
                    "method": "a point meeting the symbols' assumptions (the step's own test points first)",
                    "replay": "Fraction: every declared SymPy assumption holds; both sides are finite numbers"}
        if not why or not why[-1].startswith("assumptions"):
            why.append("a point does not fix every symbol")
    return {"status": NO_WITNESS, "reason": "no test point meets the symbols' assumptions: " + "; ".join(why[:3])}


def _exact_witness(ob, timeout_s):
    return {"status": CLOSED, "witness": {k: str(v) for k, v in ob.params.items()},
            "replay": "a claim about the stated values: no free variable, nothing to be vacuous"}


# ------------------------------------------------------------------------------------------------
# statements: kernel formulas over sequences (the search and both checks are in proofs.witness)
def _defns():
    import kdrag.kernel as kk

    return kk.defns


def _definitions_in(e):
    """The kdrag definitions ``e`` reaches (transitively through their bodies)."""
    defns, out, todo, seen = _defns(), [], [e], set()
    while todo:
        x = todo.pop()
        if x.get_id() in seen:
            continue
        seen.add(x.get_id())
        if z3.is_quantifier(x):
            todo.append(x.body())
        elif z3.is_app(x):
            d = x.decl()
            if d in defns and d not in out:
                out.append(d)
                todo.append(defns[d].body)
            todo.extend(x.children())
    return out


def statement_witness(formula, timeout_s: float = TIMEOUT_S, tries=AUDIT_TRIES, trusted=(), hints=None) -> dict:
    """The vacuity record of a kernel statement ``ForAll(vs, Implies(H, C))``: closed-form sequences satisfying
    ``H`` (and the trusted axioms ``trusted``, (name, formula) pairs, where they constrain the same symbols),
    proved for every round and replayed exactly (:func:`proofs.witness.find`); without one, ``vacuous`` when Z3
    finds ``H`` unsatisfiable with the definitions, else ``unknown``."""
    t0 = time.perf_counter()
    try:
        rec = W.find(formula, trusted=trusted, hints=hints, tries=tries, timeout_s=timeout_s)
    except Exception as exc:  # noqa: BLE001 -- a crash finds no witness; never a success
        rec = {"status": NO_WITNESS, "reason": f"witness search failed: {exc!r}"}
    if rec["status"] != WITNESS:
        vs, H = W.strip_forall(formula)
        slv = z3.Solver()
        slv.set("timeout", int(min(timeout_s, 3.0) * 1000))
        slv.add(H, *[f for _, f in trusted], *[_defns()[d].ax.thm for d in _definitions_in(H)])
        if slv.check() == z3.unsat:
            rec = {"status": VACUOUS, "reason": "the hypotheses are unsatisfiable (Z3, with the definitions): the "
                                                "statement holds over an empty domain and proves nothing"}
    rec["seconds"] = round(time.perf_counter() - t0, 4)
    return rec


def trusted_axioms(names) -> list:
    """(name, formula) of the kernel's trusted axioms called ``names`` (a statement's trusted base)."""
    from . import kernel as K

    return K.trusted_proofs(names)


def kernel_formula(text: str):
    """The z3 formula of a kernel proof whose printed form is ``text`` (as the audit's JSON records it)."""
    from . import kernel as K

    return K.formula_of(text)


def statements(theorems: list[dict], timeout_s: float = TIMEOUT_S) -> list[str]:
    """Add ``th["kernel"]["vacuity"]`` to every statement that has a kernel formula; returns the problems (a
    statement without a replayed witness, or VACUOUS), each of which fails the audit.  A statement the kernel
    proved over hypotheses that cannot hold is NOT ESTABLISHED."""
    problems = []
    for th in theorems:
        k = th.get("kernel") or {}
        if not k.get("formula"):
            continue
        f = kernel_formula(k["formula"])
        rec = ({"status": NO_WITNESS, "reason": "the statement's formula is not in the kernel's ledger"}
               if f is None else statement_witness(f, timeout_s, trusted=trusted_axioms(k.get("trusted_base") or []),
                                                   hints=W.HINTS.get(th.get("id"))))
        k["vacuity"] = rec
        if rec["status"] not in OK:
            problems.append(f"{th['id']}: statement: no replayed assignment satisfies its hypotheses "
                            f"({rec.get('reason', '')})")
            if k.get("verdict") == "proved by the kernel":
                k["kernel_proof_found"] = True  # the kernel did build the proof; its domain is what is undecided
                k["verdict"], k["reason"] = "not established", (
                    f"VACUOUS: {rec.get('reason')}" if rec["status"] == VACUOUS else
                    "the kernel built a proof, but no closed-form witness of its hypotheses was proved for every "
                    f"round and replayed, so non-vacuity is UNKNOWN: {rec.get('reason')}")
    return problems
