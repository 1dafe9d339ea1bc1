"""The proof kernel: knuckledragger (``kdrag``, an LCF-style kernel over Z3) and a ledger of what it made.

A statement of the audit is PROVED *by the kernel* only when :func:`certify` accepts a ``kdrag.Proof`` of
its formula.  ``kdrag`` makes a ``Proof`` only through its kernel rules (``kd.prove``: Z3 finds the
negation of ``by => thm`` unsat; ``kd.define``; ``kd.axiom``; instantiation, generalisation, induction),
but its ``Proof`` class can still be constructed by hand ("not ironclad", says its docstring).  This
module closes that gap: every ``Proof`` it hands out is entered in a private ledger with its kind, and
:func:`certify` walks a proof's whole dependency tree and refuses any node the ledger does not hold.
The kinds, which are all a kernel proof may rest on:

* ``step``        a Z3-decided obligation of the audit: the closed formula
                  ``ForAll(vars, And(hypotheses, sqrt side conditions) => claim)`` proved by ``kd.prove``
                  on fresh variables and generalised (:func:`obligation_proof`);
* ``solver``      any other ``kd.prove`` call (glue: a lemma from instances of steps and definitions);
* ``rule``        kdrag's instantiation / generalisation / modus ponens of ledger proofs;
* ``definition``  a ``kd.define`` / ``kd.define_fix`` of a sum or a sequence (:func:`define`);
* ``induction``   kdrag's integer induction axiom (``kdrag.notation.induct_int``) via :func:`induct_from`;
* ``trusted``     a named axiom of a statement's trusted base (:func:`axiom`): a SymPy identity or an exact
                  computation that no solver re-proved.  :func:`certify` lists them by name.

Example::

    >>> import z3
    >>> from proofs import kernel as K
    >>> x = z3.Real("x")
    >>> pf = K.prove(z3.ForAll([x], x * x >= 0), name="square")
    >>> K.certify(pf)["trusted"]
    []
"""
from __future__ import annotations

from dataclasses import dataclass, field

import kdrag as kd
import kdrag.kernel as kk
import kdrag.notation as kn
import z3

from analysis.z3kit import free_vars


__all__ = ["KernelError", "KStep", "prove", "axiom", "define", "define_rec", "instantiate", "generalize",
           "induct_from", "obligation_proof", "certify", "is_kernel_proof", "ledger_proofs", "formula_of", "KINDS"]

KINDS = ("step", "solver", "rule", "definition", "induction", "trusted")


class KernelError(Exception):
    """The kernel refused: a solver did not prove the formula, or a dependency was not made here."""


# id(proof) -> (proof, kind, name); the proof object is kept so that an id is never reused
_LEDGER: dict[int, tuple[kd.Proof, str, str]] = {}


def _enter(pf: kd.Proof, kind: str, name: str) -> kd.Proof:
    if kind not in KINDS:  # pragma: no cover -- a programming error
        raise ValueError(kind)
    _LEDGER.setdefault(id(pf), (pf, kind, name))
    return pf


def is_kernel_proof(pf) -> bool:
    """True when ``pf`` is a ``kdrag.Proof`` that this kernel made (not one built by hand)."""
    return isinstance(pf, kd.Proof) and _LEDGER.get(id(pf), (None,))[0] is pf


def ledger_proofs() -> list:
    """Every proof the kernel has made so far, in the order it made them (a copy: the ledger stays private)."""
    return [pf for pf, _kind, _name in list(_LEDGER.values())]


def trusted_proofs(names) -> list:
    """(name, formula) of the trusted axioms called ``names`` that the kernel has admitted (a statement's
    trusted base), each name once, in the order they were admitted."""
    out: dict = {}
    for pf, kind, name in list(_LEDGER.values()):
        if kind == "trusted" and name in names and name not in out:
            out[name] = pf.thm
    return list(out.items())


# id(proof) -> its formula as printed (z3's Python pretty-printer: ~10 ms to 1 s a formula, the audit's statements
# are the long ones), so that a proof is printed at most once however often it is looked up
_TEXT: dict[int, str] = {}
# the proofs handed to certify() (statements, parts of statements), oldest first
_CERTIFIED: dict[int, kd.Proof] = {}


def _text(pf: kd.Proof) -> str:
    if id(pf) not in _TEXT:
        _TEXT[id(pf)] = str(pf.thm)
    return _TEXT[id(pf)]


def formula_of(text: str):
    """The z3 formula of a ledger proof whose printed form is ``text`` (as the audit's JSON records a statement),
    or None.  Looks first among the proofs :func:`certify` was given (a statement's proof is certified before
    its formula is recorded), newest first, then through the rest of the ledger; each proof is printed at most
    once per process.  Why: printing every ledger proof (about 2000 after the audit) for each statement took
    the most of the audit's time after its steps."""
    seen = set()
    for pf in [*reversed(list(_CERTIFIED.values())), *reversed(ledger_proofs())]:
        if id(pf) in seen:
            continue
        seen.add(id(pf))
        if _text(pf) == text:
            return pf.thm
    return None


def _check_by(by) -> list:
    by = list(by)
    for p in by:
        if not is_kernel_proof(p):
            raise KernelError(f"dependency not made by the kernel: {p!r}")
    return by


def _solver(engine: str | None):
    # the audit's engines (analysis.z3kit's portfolio): the kernel re-runs the engine that decided a step
    if engine in (None, "default", "portfolio"):
        return None
    return {"simple": z3.SimpleSolver, "nlsat": lambda: z3.Tactic("qfnra-nlsat").solver(),
            "qe": lambda: z3.Then("qe", "smt").solver()}[engine]


def _countermodel(exc) -> bool:
    # kdrag.kernel.prove raises LemmaError(thm, "Countermodel", model) when the solver answers sat (and
    # LemmaError("prove", thm, unknown) when it has no answer); kdrag.prove turns any refusal that came after the
    # time limit into a TimeoutError, which is never read as a countermodel here
    return (isinstance(exc, kk.LemmaError) and len(exc.args) >= 3 and isinstance(exc.args[1], str)
            and exc.args[1] == "Countermodel")


def prove(formula, by=(), name: str = "", timeout_s: float = 10.0, engine: str | None = None,
          kind: str = "solver") -> kd.Proof:
    """``kd.prove(formula, by)``: Z3 finds ``And(by) and not formula`` unsat, or :class:`KernelError`.

    With no ``engine`` named, a portfolio: Z3's default solver, then its simple solver when the first had no
    answer (unknown, time limit); a countermodel (sat) ends the portfolio at once, since then no solver can prove
    the formula from ``by``."""
    by = _check_by(by)
    # a small portfolio when no engine is named: Z3's default solver, then its simple solver.  Either one's
    # unsat is a proof (kd.prove checks it); the second is there because the default solver's heuristics
    # depend on the process's history (fresh-name counters, earlier queries): one glue lemma that takes
    # 0.3 s alone timed out at 20 s inside a long test worker
    engines = [engine] if engine not in (None, "default", "portfolio") else [None, "simple"]
    why = ""
    for eng in engines:
        try:
            pf = kd.prove(formula, by=by, timeout=max(1, int(timeout_s * 1000)), solver=_solver(eng))
        except (kk.LemmaError, z3.Z3Exception, TimeoutError) as exc:
            why = (why + "; " if why else "") + f"{eng or 'default'}: {str(exc)[:300]}"
            if _countermodel(exc):
                # sat: ``And(by) and not formula`` has a model, so the implication is not valid and no solver
                # can find it unsat; the next solver could only wait for its own time limit.  This only ends a
                # refusal sooner: a proof is still made only from an unsat (nothing enters the trusted base)
                break
            continue
        return _enter(pf, kind, name)
    raise KernelError(f"{name or 'lemma'}: not proved by the kernel ({why})")


def axiom(formula, name: str, why: str) -> kd.Proof:
    """A named axiom of a statement's trusted base (a SymPy identity, an exact computation)."""
    return _enter(kd.axiom(formula, by=[f"trusted base: {name}: {why}"]), "trusted", name)


def define(name: str, args: list, body) -> z3.FuncDeclRef:
    """``kd.define``: a non-recursive definition; its defining axiom enters the ledger."""
    f = kd.define(name, args, body)
    decl = f.decl() if isinstance(f, z3.ExprRef) else f
    _enter(kk.defns[decl].ax, "definition", name)
    return f


def define_rec(name: str, args: list, retsort, body_of) -> z3.FuncDeclRef:
    """``kd.define_fix``: a recursive definition (a sum over the rounds or the coordinates)."""
    f = kk.define_fix(name, args, retsort, body_of)
    _enter(kk.defns[f].ax, "definition", name)
    return f


def defn(f) -> kd.Proof:
    """The ledger's defining axiom of a function made by :func:`define` / :func:`define_rec`."""
    decl = f.decl() if isinstance(f, z3.ExprRef) else f
    return kk.defns[decl].ax


def instantiate(pf: kd.Proof, *terms) -> kd.Proof:
    """Forall elimination (``kdrag.kernel.instan``) of a kernel proof."""
    _check_by([pf])
    return _enter(kk.instan(list(terms), pf), "rule", "instantiate")


def generalize(vs: list, pf: kd.Proof, kind: str = "rule", name: str = "generalize") -> kd.Proof:
    """Forall introduction over fresh variables (``kdrag.kernel.generalize``)."""
    _check_by([pf])
    return _enter(kk.generalize(list(vs), pf), kind, name)


def fresh(name: str, sort=None):
    return kd.FreshVar(name, sort if sort is not None else z3.RealSort())


def induct_from(start: int, P, base: kd.Proof, step: kd.Proof, name: str = "", timeout_s: float = 10.0):
    """``ForAll n >= start: P(n)`` from ``base |= P(start)`` and ``step |= ForAll n >= start: P(n) => P(n+1)``.

    Uses kdrag's integer induction axiom (``kdrag.notation.induct_int``) on ``Q(n) = n >= start => P(n)``."""
    _check_by([base, step])
    n = z3.FreshConst(z3.IntSort(), prefix="n")
    Q = z3.Lambda([n], z3.Implies(n >= start, P(n)))
    x = fresh("T", z3.IntSort())
    ind = _enter(kn.induct_int(x, Q), "induction", f"induction over n >= {start}")
    # the three premises of induct_int for Q: downward (trivial for n <= 0 < start when start >= 1), Q(0), upward
    pf = prove(z3.Implies(x >= start, P(x)), by=[ind, base, step], name=name or "induction", timeout_s=timeout_s)
    k = z3.Int("n")
    out = generalize([x], pf, name=f"induction: {name}")
    return prove(z3.ForAll([k], z3.Implies(k >= start, P(k))), by=[out], name=name or "induction",
                 timeout_s=timeout_s)


# ------------------------------------------------------------------------------------------------
@dataclass
class KStep:
    """A Z3-decided obligation as a kernel proof of its closed formula, with its variables in order."""

    label: str
    proof: kd.Proof
    names: list  # the obligation's variable names, in the order of the proof's ForAll
    hypotheses: list = field(default_factory=list)

    def at(self, **terms) -> kd.Proof:
        """The step instantiated at ``terms`` (every variable named; sqrt auxiliaries included)."""
        missing = [n for n in self.names if n not in terms]
        extra = [n for n in terms if n not in self.names]
        if missing or extra:
            raise KernelError(f"{self.label}: instantiation needs exactly {self.names}; missing {missing}, "
                              f"unknown {extra}")
        return instantiate(self.proof, *[terms[n] for n in self.names])


def closed_formula(ob):
    """``(vars, And(hyps + side) => claim)`` of a z3 obligation (its dropped hypotheses left out)."""
    N, hyps, claim = ob.z3_build()
    used = [h for k, h in hyps.items() if k not in ob.drop]
    body = z3.Implies(z3.And(*used, *N.side), claim)
    return free_vars([body]), body, [k for k in hyps if k not in ob.drop]


def obligation_proof(ob, engine: str | None = None, timeout_s: float = 10.0) -> KStep:
    """The kernel proof of a z3 obligation's closed formula (:class:`KernelError` when Z3 does not prove it)."""
    if ob.kind != "z3":
        raise KernelError(f"{ob.label}: a {ob.kind} step is not decided by Z3; it can enter a kernel proof only "
                          f"as a named axiom of a trusted base")
    vs, body, hyps = closed_formula(ob)
    fr = [fresh(str(v).replace("(", "_").replace(")", "_"), v.sort()) for v in vs]
    inner = prove(z3.substitute(body, *zip(vs, fr)), name=ob.label, timeout_s=timeout_s, engine=engine)
    return KStep(ob.label, generalize(fr, inner, kind="step", name=ob.label), [str(v) for v in vs], hyps)


# ------------------------------------------------------------------------------------------------
def certify(pf) -> dict:
    """Walk ``pf``'s dependency tree; every node must be a ledger proof.  Returns the tree's summary:
    ``steps`` (obligation labels), ``definitions``, ``induction`` (count), ``trusted`` (axiom names),
    ``lemmas`` (named glue lemmas), ``tree`` (nested {name, kind, deps}).  Raises :class:`KernelError`
    naming the first node the kernel did not make."""
    if not is_kernel_proof(pf):
        raise KernelError(f"not a proof made by the kernel: {pf!r}")
    _CERTIFIED.setdefault(id(pf), pf)
    out = {"steps": [], "definitions": [], "induction": 0, "trusted": [], "lemmas": []}
    seen: dict[int, dict] = {}

    def walk(p):
        if id(p) in seen:
            return seen[id(p)]
        if not is_kernel_proof(p):
            raise KernelError(f"a dependency was not made by the kernel: {p!r}")
        _, kind, name = _LEDGER[id(p)]
        node = {"name": name, "kind": kind, "deps": []}
        seen[id(p)] = node
        key = {"step": "steps", "definition": "definitions", "trusted": "trusted"}.get(kind)
        if key and name not in out[key]:
            out[key].append(name)
        if kind == "induction":
            out["induction"] += 1
        if kind == "solver" and name and name not in out["lemmas"]:
            out["lemmas"].append(name)
        if kind in ("definition", "induction", "trusted"):
            return node
        stack = list(p.reason)
        while stack:
            r = stack.pop(0)
            if isinstance(r, kd.Proof):
                child = walk(r)
                if kind == "rule" or child["kind"] in ("step", "trusted", "definition", "induction") or child["name"]:
                    node["deps"].append(child)
            elif isinstance(r, (list, tuple)):
                stack[:0] = list(r)
        return node

    out["tree"] = walk(pf)
    return out
