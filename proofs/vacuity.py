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

Statements (:func:`statement_witness`): a kernel formula ``ForAll(vs, Implies(H, C))`` over sequences
(uninterpreted functions of the rounds and coordinates) and ``kd.define``'d sums.  Z3 is asked for
*constant* sequences and small integer values of ``vs`` (the recursive sums unfolded at those values);
the replay is :class:`Eval`, a ``Fraction`` interpreter of the original ``H`` that unfolds the definitions
by their bodies and decides each integer quantifier exactly on a window outside of which no atom can
change its truth (constant sequences; the bound variable only in affine integer terms).

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

from .numsys import SymNum, parse_value, truth

__all__ = ["step_witness", "statement_witness", "statements", "kernel_formula", "Eval", "WITNESS", "CLOSED", "VACUOUS", "NO_WITNESS", "OK"]

WITNESS, CLOSED, VACUOUS, NO_WITNESS = "witness", "closed", "vacuous", "unknown"
OK = (WITNESS, CLOSED)
# models first (nlsat), then the other engines; a step's hypotheses are a few polynomial constraints
ENGINES = (("nlsat", 2.0), ("simple", 1.0), "default")
TIMEOUT_S = 5.0
# the audit's statements are searched at d = T = 1 only: each try unfolds the sums in Python (4-5 s a try
# for thm4-arxiv), and the audit must stay near a minute; a witness missed here leaves the statement NOT
# ESTABLISHED (the safe side), never PROVED
AUDIT_TRIES = ((1, 1),)

_CACHE: dict = {}


def _key(ob):
    return (id(ob.build or ob.fn), ob.kind, repr(sorted(ob.params.items(), key=str)), tuple(ob.drop))


def step_witness(ob, timeout_s: float = TIMEOUT_S) -> dict:
    """The vacuity record of obligation ``ob`` (cached per obligation, parameters and dropped hypotheses)."""
    k = _key(ob)
    if k not in _CACHE:
        t0 = time.perf_counter()
        try:
            rec = {"z3": _z3_witness, "sympy": _sympy_witness, "exact": _exact_witness}[ob.kind](ob, timeout_s)
        except Exception as exc:  # noqa: BLE001 -- a crash finds no witness; never a success
            rec = {"status": NO_WITNESS, "reason": f"witness search failed: {exc!r}"}
        rec["seconds"] = round(time.perf_counter() - t0, 4)
        _CACHE[k] = (ob, rec)  # the obligation is kept so that its id is not reused
    return dict(_CACHE[k][1])


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
# statements: kernel formulas over sequences
class Undecided(Exception):
    """The exact replay cannot decide a term (an irrational value, an unsupported quantifier)."""


def _defns():
    import kdrag.kernel as kk

    return kk.defns


def _strip_forall(formula):
    """ForAll(vs, body) -> (fresh constants for vs, body with them); nested ForAlls merged."""
    vs = []
    while z3.is_quantifier(formula) and formula.is_forall():
        n = formula.num_vars()
        cs = [z3.FreshConst(formula.var_sort(k), prefix=formula.var_name(k)) for k in range(n)]
        # de Bruijn: Var(0) is the last bound variable
        formula = z3.substitute_vars(formula.body(), *reversed(cs))
        vs += cs
    return vs, formula


def _hypotheses_of(formula):
    vs, body = _strip_forall(formula)
    if z3.is_app_of(body, z3.Z3_OP_IMPLIES):
        return vs, body.arg(0)
    return vs, z3.BoolVal(True)


def _symbols(e):
    """(uninterpreted function decls of arity > 0, uninterpreted constants, int literals, definitions) in
    ``e`` and in the bodies of the definitions it uses (transitively; a body's own arguments left out)."""
    defns = _defns()
    funs, consts, lits, defs = {}, {}, set(), []
    todo, seen = [(e, frozenset())], set()
    while todo:
        x, own = todo.pop()
        key = (x.get_id(), own)
        if key in seen:
            continue
        seen.add(key)
        if z3.is_quantifier(x):
            todo.append((x.body(), own))
            continue
        if z3.is_int_value(x):
            lits.add(x.as_long())
            continue
        if not z3.is_app(x):
            continue
        d = x.decl()
        if d in defns:
            if d not in defs:
                defs.append(d)
                todo.append((defns[d].body, frozenset(str(a) for a in defns[d].args)))
        elif d.kind() == z3.Z3_OP_UNINTERPRETED:
            if d.arity() > 0:
                funs[d.name()] = d
            elif d.name() not in own:
                consts[d.name()] = d
        todo.extend((c, own) for c in x.children())
    return funs, consts, lits, defs


def _ground(e, W: int, memo=None):
    """Every integer quantifier replaced by the conjunction (disjunction) of its instances on [-W, W]
    (the finding side only; the replay decides quantifiers itself)."""
    memo = {} if memo is None else memo
    k = e.get_id()
    if k in memo:
        return memo[k]
    if z3.is_quantifier(e):
        if e.num_vars() != 1 or e.var_sort(0) != z3.IntSort():
            raise Undecided("a quantifier over more than one variable or over the reals")
        # outside in: z3.substitute_vars shifts the variables of the inner binders
        inst = [z3.simplify(_ground(z3.substitute_vars(e.body(), z3.IntVal(t)), W, memo)) for t in range(-W, W + 1)]
        out = z3.And(*inst) if e.is_forall() else z3.Or(*inst)
    elif z3.is_app(e) and e.num_args() > 0:
        out = e.decl()(*[_ground(c, W, memo) for c in e.children()])
    else:
        out = e
    memo[k] = out
    return out


def _unfold_once(e, memo):
    """Each application of a defined function replaced by its body at the (ground) arguments."""
    defns = _defns()
    k = e.get_id()
    if k in memo:
        return memo[k]
    if z3.is_quantifier(e):
        raise Undecided("a quantifier left after grounding")
    out = e
    if z3.is_app(e) and e.num_args() > 0:
        kids = [_unfold_once(c, memo) for c in e.children()]
        d = e.decl()
        if d in defns:
            out = z3.substitute(defns[d].body, *zip(defns[d].args, kids))
        else:
            out = d(*kids)
    memo[k] = out
    return out


def _unfold(e, defs, W: int, rounds: int = 200):
    """Ground the integer quantifiers on [-W, W] and unfold the definitions, until neither is left (the
    recursive sums terminate at concrete arguments, where ``If(T <= 0, 0, ...)`` simplifies)."""
    for _ in range(rounds):
        e = z3.simplify(_ground(e, W))
        if not _has_app(e, set(defs)) and not _has_quant(e):
            return e
        e = z3.simplify(_unfold_once(e, {}))
    raise Undecided("definitions did not unfold at the chosen values")


def _has_quant(e):
    todo = [e]
    while todo:
        x = todo.pop()
        if z3.is_quantifier(x):
            return True
        if z3.is_app(x):
            todo.extend(x.children())
    return False


class Eval:
    """Exact ``Fraction`` evaluation of a z3 formula under an interpretation, without any solver.

    ``consts``: name -> Fraction | int; ``funs``: name -> Fraction (a constant sequence); definitions are
    unfolded by their bodies (memoised at concrete arguments); a ``ForAll`` over one integer variable is
    decided on the window ``[-W, W]`` where ``W`` bounds every integer that can change an atom's truth:
    outside it, with constant sequences and the variable only in sums with integer literals, every atom
    is constant.  Anything else raises :class:`Undecided`."""

    def __init__(self, consts: dict, funs: dict, lits=()):
        self.consts, self.funs = dict(consts), dict(funs)
        ints = [abs(v) for v in self.consts.values() if isinstance(v, int)]
        self.S = max([abs(x) for x in lits] + ints + [1])
        self.defns = _defns()
        self._memo: dict = {}
        self._checked: set = set()

    def truth(self, e) -> bool:
        v = self.ev(e, {}, 0)
        if not isinstance(v, bool):
            raise Undecided(f"not a formula: {e}")
        return v

    def ev(self, e, env: dict, depth: int):
        if z3.is_quantifier(e):
            return self._quant(e, env, depth)
        if z3.is_var(e):
            return env[z3.get_var_index(e)]
        if z3.is_int_value(e):
            return int(e.as_long())
        if z3.is_rational_value(e):
            return Fraction(e.numerator_as_long(), e.denominator_as_long())
        if z3.is_true(e):
            return True
        if z3.is_false(e):
            return False
        if not z3.is_app(e):
            raise Undecided(f"term {e}")
        d, k = e.decl(), e.decl().kind()
        if k == z3.Z3_OP_ITE:
            return self.ev(e.arg(1), env, depth) if self.ev(e.arg(0), env, depth) else self.ev(e.arg(2), env, depth)
        if k == z3.Z3_OP_AND:
            return all(self.ev(a, env, depth) for a in e.children())
        if k == z3.Z3_OP_OR:
            return any(self.ev(a, env, depth) for a in e.children())
        if k == z3.Z3_OP_NOT:
            return not self.ev(e.arg(0), env, depth)
        if k == z3.Z3_OP_IMPLIES:
            return (not self.ev(e.arg(0), env, depth)) or self.ev(e.arg(1), env, depth)
        args = [self.ev(a, env, depth) for a in e.children()]
        if k == z3.Z3_OP_UNINTERPRETED:
            if d in self.defns:
                return self._apply(d, tuple(args), depth)
            name = d.name()
            if d.arity() == 0:
                if name not in self.consts:
                    raise Undecided(f"no value for {name}")
                return self.consts[name]
            if name not in self.funs:
                raise Undecided(f"no interpretation of {name}")
            return self.funs[name]  # a constant sequence
        ops = {
            z3.Z3_OP_ADD: lambda a: sum(a[1:], a[0]), z3.Z3_OP_SUB: lambda a: a[0] - sum(a[1:], 0),
            z3.Z3_OP_UMINUS: lambda a: -a[0], z3.Z3_OP_MUL: _prod,
            z3.Z3_OP_DIV: lambda a: _div(a[0], a[1]), z3.Z3_OP_TO_REAL: lambda a: Fraction(a[0]),
            z3.Z3_OP_LE: lambda a: a[0] <= a[1], z3.Z3_OP_LT: lambda a: a[0] < a[1],
            z3.Z3_OP_GE: lambda a: a[0] >= a[1], z3.Z3_OP_GT: lambda a: a[0] > a[1],
            z3.Z3_OP_EQ: lambda a: a[0] == a[1], z3.Z3_OP_DISTINCT: lambda a: len(set(a)) == len(a),
        }
        if k not in ops:
            raise Undecided(f"operator {d}")
        return ops[k](args)

    def _window_ok(self, q):
        key = q.get_id()
        if key in self._checked:
            return
        body, safe = q.body(), [d for d in self.defns if _safe(d)]
        pairs = [(d, self.defns[d]._subst_fun_body) for d in safe]
        for _ in range(50):  # non-recursive definitions: expansion terminates
            if not _has_app(body, set(safe)):
                break
            body = z3.substitute_funs(body, *pairs)
        _check_affine(body)
        self._checked.add(key)

    def _apply(self, d, args, depth):
        key = (d.get_id(), args)
        if key not in self._memo:
            if len(self._memo) > 200000:
                raise Undecided("definition unfolding too deep")
            body = self.defns[d].body
            vs = self.defns[d].args
            sub = z3.substitute(body, *[(v, _lit(a, v.sort())) for v, a in zip(vs, args)])
            self._memo[key] = self.ev(sub, {}, depth)
        return self._memo[key]

    def _quant(self, e, env, depth):
        if e.num_vars() != 1 or e.var_sort(0) != z3.IntSort():
            raise Undecided("a quantifier over more than one variable or over the reals")
        self._window_ok(e)
        W = 2 * (self.S + 1) * (2 ** depth) + 2
        inner = {i + 1: v for i, v in env.items()}
        vals = (self.ev(e.body(), {**inner, 0: t}, depth + 1) for t in range(-W, W + 1))
        return all(vals) if e.is_forall() else any(vals)


def _lit(a, sort):
    if isinstance(a, bool):
        return z3.BoolVal(a)
    if sort == z3.IntSort():
        return z3.IntVal(a)
    return z3.RealVal(f"{a.numerator}/{a.denominator}" if isinstance(a, Fraction) else a)


def _prod(a):
    out = a[0]
    for x in a[1:]:
        out = out * x
    return out


def _div(a, b):
    if b == 0:
        raise Undecided("division by zero")
    return Fraction(a) / Fraction(b)


_SAFE: dict = {}


def _reach(d):
    """The defined functions reachable from ``d``'s body (transitively)."""
    defns = _defns()
    out, todo = set(), [defns[d].body]
    while todo:
        x = todo.pop()
        if z3.is_quantifier(x):
            todo.append(x.body())
        elif z3.is_app(x):
            c = x.decl()
            if c in defns and c not in out:
                out.add(c)
                todo.append(defns[c].body)
            todo.extend(x.children())
    return out


def _safe(d) -> bool:
    """A definition that reaches no recursion (so expanding it terminates)."""
    if d not in _SAFE:
        r = _reach(d)
        _SAFE[d] = d not in r and all(e not in _reach(e) for e in r)
    return _SAFE[d]


def _has_app(e, decls):
    todo = [e]
    while todo:
        x = todo.pop()
        if z3.is_quantifier(x):
            todo.append(x.body())
        elif z3.is_app(x):
            if x.decl() in decls:
                return True
            todo.extend(x.children())
    return False


def _check_affine(body):
    """The bound variable (de Bruijn 0 at this level) may appear only in sums/differences with integer
    literals, in integer comparisons and as a function argument: then the window argument is exact."""
    todo = [(body, 0)]
    while todo:
        x, lvl = todo.pop()
        if z3.is_quantifier(x):
            todo.append((x.body(), lvl + x.num_vars()))
            continue
        if not z3.is_app(x):
            continue
        k = x.decl().kind()
        if x.decl() in _defns() and any(_mentions(c, lvl) for c in x.children()):
            raise Undecided(f"the bound variable is an argument of the recursive definition {x.decl()}")
        if k in (z3.Z3_OP_MUL, z3.Z3_OP_DIV, z3.Z3_OP_IDIV, z3.Z3_OP_MOD, z3.Z3_OP_TO_REAL, z3.Z3_OP_POWER):
            if any(_mentions(c, lvl) for c in x.children()):
                raise Undecided("a bound round variable inside a product, division or conversion")
        todo.extend((c, lvl) for c in x.children())


def _mentions(e, idx):
    todo = [(e, idx)]
    while todo:
        x, i = todo.pop()
        if z3.is_var(x) and z3.get_var_index(x) == i:
            return True
        if z3.is_quantifier(x):
            todo.append((x.body(), i + x.num_vars()))
        elif z3.is_app(x):
            d = x.decl()
            if d.kind() == z3.Z3_OP_UNINTERPRETED and d.arity() > 0 and d not in _defns():
                continue  # a constant sequence: its arguments do not matter
            todo.extend((c, i) for c in x.children())
    return False


def statement_witness(formula, timeout_s: float = TIMEOUT_S, tries=((1, 1), (1, 2), (2, 2), (2, 1))) -> dict:
    """The vacuity record of a kernel statement ``ForAll(vs, Implies(H, C))``: constant sequences and small
    integers for ``vs`` satisfying ``H``, found by Z3 on ``H`` with the definitions unfolded and replayed by
    :class:`Eval` on the original ``H``."""
    t0 = time.perf_counter()
    try:
        rec = _statement_witness(formula, timeout_s, tries)
    except Undecided as exc:
        rec = {"status": NO_WITNESS, "reason": f"no replayable witness: {exc}"}
    except z3.Z3Exception as exc:
        rec = {"status": NO_WITNESS, "reason": f"witness search failed: {exc}"}
    rec["seconds"] = round(time.perf_counter() - t0, 4)
    return rec


def _statement_witness(formula, timeout_s, tries):
    vs, H = _hypotheses_of(formula)
    funs, consts, lits, defs = _symbols(H)
    ivs = [v for v in vs if v.sort() == z3.IntSort()]
    rvs = [v for v in vs if v.sort() != z3.IntSort()]
    seqs = {n: z3.Real(f"seq!{n}") for n in funs}
    why = []
    for tr in tries:
        ints = {str(v): (tr[k] if k < len(tr) else 1) for k, v in enumerate(ivs)}
        g = z3.substitute(H, *[(v, z3.IntVal(ints[str(v)])) for v in ivs])
        S = max([abs(x) for x in lits] + [abs(x) for x in ints.values()] + [1])
        g = _unfold(g, defs, 2 * (S + 1) + 2)
        g = z3.simplify(z3.substitute_funs(g, *[(f, seqs[n]) for n, f in funs.items()]))
        free = [z3.Const(n, consts[n].range()) for n in consts if n not in ints] + list(seqs.values()) + rvs
        r = z3kit.find([g], free, timeout_s=timeout_s, engines=ENGINES)
        if r.status != "sat":
            why.append(f"{ints}: {r.status} {r.reason}".strip())
            continue
        vals = {}
        for n, s in r.model.items():
            if "(root of" in s:
                raise Undecided(f"an irrational model value ({n} = {s})")
            vals[n] = Fraction(s)
        cvals = {n: vals[n] for n in consts if n in vals}
        cvals.update({str(v): vals[str(v)] for v in rvs})
        cvals.update(ints)
        fvals = {n: vals[str(seqs[n])] for n in funs}
        ok = Eval(cvals, fvals, lits).truth(H)
        if ok is not True:
            why.append(f"{ints}: Z3's model does not replay")
            continue
        plain = lambda k: k.split("!")[0]  # noqa: E731 -- a bound variable's fresh name, as printed
        return {"status": WITNESS,
                "witness": {**{plain(k): str(v) for k, v in cvals.items()},
                            **{f"{n}(...)": f"{v} (constant sequence)" for n, v in fvals.items()}},
                "method": "z3 on the hypotheses, constant sequences, definitions unfolded at the integer values",
                "replay": "Fraction interpreter of the hypotheses as stated (definitions by their bodies; each "
                          "integer quantifier decided on a window outside which no atom changes)"}
    # no witness: are the hypotheses unsatisfiable outright (with the definitions as axioms)?
    slv = z3.Solver()
    slv.set("timeout", int(min(timeout_s, 3.0) * 1000))
    slv.add(H, *[_defns()[d].ax.thm for d in defs])
    if slv.check() == z3.unsat:
        return {"status": VACUOUS, "reason": "the hypotheses are unsatisfiable (Z3, with the definitions): the "
                                             "statement holds over an empty domain and proves nothing"}
    return {"status": NO_WITNESS, "reason": "no constant-sequence witness: " + "; ".join(why[:4])}


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
               if f is None else statement_witness(f, timeout_s, tries=AUDIT_TRIES))
        k["vacuity"] = rec
        if rec["status"] not in OK:
            problems.append(f"{th['id']}: statement: no replayed assignment satisfies its hypotheses "
                            f"({rec.get('reason', '')})")
            if k.get("verdict") == "proved by the kernel":
                k["kernel_proof_found"] = True  # the kernel did build the proof; its domain is what is undecided
                k["verdict"], k["reason"] = "not established", (
                    f"VACUOUS: {rec.get('reason')}" if rec["status"] == VACUOUS else
                    "the kernel built a proof, but no replayed assignment satisfies its hypotheses (the search "
                    f"tries constant sequences only), so non-vacuity is UNKNOWN: {rec.get('reason')}")
    return problems
