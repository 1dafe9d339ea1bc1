"""The audit's vocabulary: an obligation is one labelled proof step with a checker and a verdict.

An :class:`Obligation` carries the spec's label (A2, B6, L4, "step 6", ...), a one-line claim, its
hypotheses (named, so that a mutation test can drop one), its source (``main``, ``appendix``,
``reconstructed``, ``follow-up``, ``derived``) and one of three checkers:

* ``z3``     -- the claim is written ONCE as a function ``build(N, p)`` over a number system ``N``
  and parameters ``p``.  With :class:`Z3Num` it becomes a Z3 query (square roots as auxiliary
  variables, constants exact); negation unsat = PROVED, a model = REFUTED.  Every model is then
  replayed with :class:`SymNum` -- the same ``build`` evaluated in exact SymPy arithmetic at the
  witness, with true square roots and no Z3 -- and a model that does not replay is reported UNKNOWN.
* ``sympy``  -- an exact identity ``lhs == rhs``: ``simplify(lhs - rhs) == 0`` is PROVED; a point where
  the difference is provably non-zero is REFUTED with that point.
* ``exact``  -- a finite claim decided by exact computation (e.g. a run of the numerics optimizers on
  the SymPy backend); the function returns the verdict and its witness.  The obligation type requires
  a ``replayer(params, witness) -> True | False | None`` that re-checks a refutation at the witness
  by a path that does not share the decision's (exact ``Fraction`` s, or arb balls through the
  numerics definitions): True = hypotheses hold and the claim fails there, False = it does not,
  None = undecided.  Only True makes the step REFUTED; False and None make it UNKNOWN.

Finite evidence for a universal claim ("checked for t <= N") is an ``exact`` obligation whose
``evidence`` is the checked range (e.g. ``"T<=3000"``, which must appear in the label): when the
finite check passes its verdict is EVIDENCE, never PROVED; when it fails it is REFUTED (replayed).
Z3 proofs are re-posed to cvc5 (:func:`analysis.z3kit.prove`); ``solvers`` says who confirmed.
A PROVED step must also carry a replayed assignment that satisfies its hypotheses (:mod:`proofs.vacuity`,
hooked once in :meth:`Obligation.check`): hypotheses that cannot hold make it UNKNOWN ("VACUOUS").
Verdicts: PROVED, REFUTED, UNKNOWN (with the reason), EVIDENCE (:mod:`analysis.verdict`).
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Callable

import sympy as sp

from analysis import z3kit
from analysis.verdict import EVIDENCE, PROVED, REFUTED, UNKNOWN, VERDICTS

from . import vacuity
# the number systems and exact replay helpers live one floor down (proofs.numsys, shared with proofs.vacuity);
# obligation re-exports the public ones, and keeps its own short names for sign and truth
from .numsys import SymNum, Z3Num, parse_value  # noqa: F401 -- re-exported: the audit's vocabulary
from .numsys import sign as _sign, truth as _truth

SOURCES = ("main", "appendix", "reconstructed", "follow-up", "derived", "lean-note", "numerical")


@dataclass
class StepResult:
    label: str
    claim: str
    verdict: str  # proved | refuted | unknown | evidence
    witness: dict = field(default_factory=dict)
    reason: str = ""
    seconds: float = 0.0
    source: str = ""
    method: str = ""
    replay: str = ""  # how a REFUTED witness was re-checked without Z3
    expected: str | None = None  # the verdict the spec leads us to expect, if any
    evidence: str = ""  # the finite range of an EVIDENCE row ("T<=3000"); "" for a proof step
    solvers: str = ""  # for Z3 proofs: "z3+cvc5" or "z3 only"
    cross_check: dict = field(default_factory=dict)  # cvc5's answer on the same formula
    vacuity: dict = field(default_factory=dict)  # a PROVED step's replayed witness of its hypotheses (proofs.vacuity)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"{self.label}: bad verdict {self.verdict!r}")

    @property
    def disagreement(self) -> bool:
        """Z3 said unsat and cvc5 gave a model that satisfies the negation exactly."""
        return self.cross_check.get("disagreement") == "real"

    def as_json(self) -> dict:
        return {
            "label": self.label, "claim": self.claim, "verdict": self.verdict,
            "witness": {k: str(v) for k, v in self.witness.items()}, "reason": self.reason,
            "seconds": round(self.seconds, 4), "source": self.source, "method": self.method,
            "replay": self.replay, "expected": self.expected, "evidence": bool(self.evidence),
            "range": self.evidence or None, "solvers": self.solvers, "cross_check": self.cross_check,
            "vacuity": self.vacuity or None,
        }


# ------------------------------------------------------------------------------------------------
_BUILDS: list = []  # the open reuse_builds() scopes, outermost first; the outermost's memo serves them all


@contextmanager
def reuse_builds():
    """Within this scope :meth:`Obligation.z3_build` builds each z3 obligation once and serves the same terms
    again (a fresh ``hyps`` dict each time); outside it every call builds afresh, as before.

    Why: the kernel's assembly of the statements (:func:`proofs.audit.kernel_verdicts`) asks for a step's
    closed formula twice -- once to key the step's kernel proof, once to prove it -- and a bound comparison's
    build runs SymPy's simplify (0.2-0.4 s).  The scope is one assembly, so a definition patched between two
    audits (a mutant) is never served stale."""
    _BUILDS.append({})
    try:
        yield
    finally:
        _BUILDS.pop()


_DECIDED: list = []  # the open decide_once() scopes, outermost first; the outermost's memo serves them all


@contextmanager
def decide_once():
    """Within this scope a z3 obligation whose posed formula was already decided (PROVED or REFUTED) in the scope
    takes that decision instead of asking Z3 and cvc5 again; outside it every check asks the solvers, as before.

    The key is the exact formula posed (:func:`analysis.z3kit.formula_digest` of the negation: the same text is the
    same formula), the variables read, the time limit and the engines.  Why: the registry states seven formulas
    twice under two labels (thm5's Lemma3-1[n=3] is lemma-moment's L3[n=3], cor2's Cor2-cond2 is thm5's
    Cond2[beta2t=1-1/t], ...), and the audit asked Z3 and cvc5 each of them twice (seconds of cvc5 apiece).  A
    refutation is still replayed by the obligation's own replay, and every PROVED step still gets its own vacuity
    witness; an UNKNOWN (a limit reached) is asked again.  The scope is one audit (proofs.audit.run_audit), so a
    test that patches the solvers or a definition outside an audit is never served a decision."""
    _DECIDED.append({})
    try:
        yield
    finally:
        _DECIDED.pop()


def forget_builds() -> None:
    """End every :func:`reuse_builds` scope of this process: in a forked process (the parallel audit's step
    worker) a scope inherited from the parent is the parent's, and every build there is fresh again."""
    _BUILDS.clear()


Build = Callable[[Any, dict], tuple[dict, Any]]  # (N, params) -> ({hyp name: constraint}, claim)


Replayer = Callable[[dict, dict], "bool | None"]  # (params, witness) -> True | False | None


@dataclass
class Obligation:
    label: str
    claim: str
    source: str
    kind: str  # z3 | sympy | exact
    build: Callable | None = None  # z3: build(N, p) -> (hyps, claim); sympy: build(p) -> (lhs, rhs, pts)
    fn: Callable | None = None  # exact: fn(p) -> (verdict, witness, reason)
    params: dict = field(default_factory=dict)
    drop: tuple = ()  # hypothesis names removed (mutation)
    expected: str | None = None
    evidence: str = ""  # exact: the finite range checked ("T<=3000"); makes a passing check EVIDENCE
    timeout_s: float | None = None  # per-obligation override
    engines: tuple | None = None  # z3 portfolio override, e.g. (("nlsat", 2.0), "simple", "default")
    note: str = ""
    replayer: Replayer | None = None  # exact: the independent re-check of a refutation (required)

    def __post_init__(self):
        if self.source not in SOURCES:
            raise ValueError(f"{self.label}: unknown source {self.source!r}")
        if self.kind not in ("z3", "sympy", "exact"):
            raise ValueError(f"{self.label}: unknown kind {self.kind!r}")
        if self.kind == "exact" and not callable(self.replayer):
            raise ValueError(f"{self.label}: an exact obligation needs a replayer(params, witness) -> "
                             f"True/False/None that re-checks a refutation independently")
        if self.evidence:
            if not isinstance(self.evidence, str) or self.kind != "exact":
                raise ValueError(f"{self.label}: evidence is the finite range (a str) of an exact step")
            if self.evidence.replace(" ", "") not in self.label.replace(" ", ""):
                raise ValueError(f"{self.label}: an evidence row's range {self.evidence!r} must be in its label")
        if self.expected is not None and self.expected not in VERDICTS:
            raise ValueError(f"{self.label}: bad expected verdict {self.expected!r}")

    @property
    def expected_verdict(self) -> str:
        """What a healthy audit reports: ``expected``, else EVIDENCE for a finite check, else PROVED."""
        return self.expected or (EVIDENCE if self.evidence else PROVED)

    def with_params(self, **kw) -> "Obligation":
        return replace(self, params={**self.params, **kw})

    def without(self, *hyps) -> "Obligation":
        return replace(self, drop=tuple(self.drop) + tuple(hyps))

    def hypotheses(self) -> list[str]:
        """Names of the hypotheses (z3 obligations)."""
        if self.kind != "z3":
            return []
        _, hyps, _ = self.z3_build()
        return list(hyps)

    def z3_build(self):
        """``(N, hyps, claim)``: the z3 obligation's ``build`` in a fresh :class:`Z3Num` -- or, inside
        :meth:`check`, the very terms its decision used, so that the vacuity search (the one hook, called from
        check) does not build the step a second time: a build of a bound comparison runs SymPy's simplify
        (0.2-0.4 s a call).  Outside check every call builds afresh, so a build that reads module state (a
        monkeypatched definition, a mutant) is never served stale.  ``hyps`` is a fresh dict each time."""
        got = self.__dict__.get("_z3_in_check")
        if got is not None and got[0] == (id(self.build), repr(sorted(self.params.items(), key=str))):
            return got[1], dict(got[2]), got[3]
        memo = _BUILDS[0] if _BUILDS else None  # the outermost scope: a nested one shares its builds
        key = (id(self), id(self.build), repr(sorted(self.params.items(), key=str)))
        if memo is not None and key in memo:
            _ob, N, hyps, claim = memo[key]
            return N, dict(hyps), claim
        N = Z3Num()
        hyps, claim = self.build(N, self.params)
        if memo is not None:
            memo[key] = (self, N, dict(hyps), claim)  # the obligation is kept so that its id is not reused
        return N, hyps, claim

    # --------------------------------------------------------------------------------------------
    def check(self, timeout_s: float = 10.0) -> StepResult:
        t0 = time.perf_counter()
        tmo = self.timeout_s if self.timeout_s is not None else timeout_s
        tmo = min(tmo, timeout_s) if self.timeout_s is not None else tmo
        try:
            try:
                if self.kind == "z3":
                    res = self._check_z3(tmo)
                elif self.kind == "sympy":
                    res = self._check_sympy()
                else:
                    res = self._check_exact()
            except Exception as exc:  # noqa: BLE001 -- a checker crash is UNKNOWN, never PROVED
                res = StepResult(self.label, self.claim, UNKNOWN, {}, f"checker error: {exc!r}")
            if res.verdict == PROVED:
                res = self._vacuity(res)
        finally:
            self.__dict__.pop("_z3_in_check", None)
        res.seconds = time.perf_counter() - t0
        res.source, res.expected, res.evidence = self.source, self.expected, self.evidence
        if not res.method:
            res.method = self.kind
        return res

    def _vacuity(self, res: StepResult) -> StepResult:
        """The one vacuity hook: a PROVED step must have a replayed assignment satisfying its hypotheses
        (:func:`proofs.vacuity.step_witness`).  Hypotheses that cannot hold make it UNKNOWN ("VACUOUS": a
        proof over an empty domain proves nothing), and so does a step without a replayed witness."""
        rec = vacuity.step_witness(self)
        res.vacuity = rec
        if rec["status"] == vacuity.VACUOUS:
            res.verdict, res.reason = UNKNOWN, f"VACUOUS: {rec['reason']}"
        elif rec["status"] not in vacuity.OK:
            res.verdict = UNKNOWN
            res.reason = f"proved, but no replayed assignment satisfies its hypotheses ({rec.get('reason', '')})"
        return res

    def z3_query(self):
        """``(N, claim, hypotheses)`` as :meth:`check` poses them to :func:`analysis.z3kit.prove`: the
        hypotheses not dropped, then the number system's side conditions (square roots)."""
        N, hyps, claim = self.z3_build()
        unknown = set(self.drop) - set(hyps)
        if unknown:
            raise KeyError(f"no hypotheses {sorted(unknown)} in {self.label}")
        return N, claim, [h for k, h in hyps.items() if k not in self.drop] + N.side

    def _check_z3(self, tmo) -> StepResult:
        N, hyps, claim = self.z3_build()
        # kept for the rest of this check (the vacuity hook reads it); check() drops it when it returns
        self.__dict__["_z3_in_check"] = ((id(self.build), repr(sorted(self.params.items(), key=str))), N, dict(hyps), claim)
        N, claim, used = self.z3_query()  # the same terms (served by _z3_in_check)
        variables = list(N.vars.values())
        memo, key, v = (_DECIDED[0] if _DECIDED else None), None, None
        if memo is not None:  # decide_once: the same formula decided before in this audit
            key = (z3kit.formula_digest(z3kit.negate(claim, used)), tuple(str(x) for x in variables), float(tmo),
                   repr(self.engines))
            v = memo.get(key)
        if v is None:
            v = z3kit.prove(claim, used, variables, timeout_s=tmo, engines=self.engines)
            if key is not None and v.status in (PROVED, REFUTED):
                memo[key] = v
        if v.status != REFUTED:
            return StepResult(self.label, self.claim, v.status, {} if v.status == PROVED else dict(v.witness or {}),
                              v.reason, method=f"z3/{v.engine}", solvers=v.solvers, cross_check=dict(v.cross_check))
        ok, why = self.replay(v.witness)
        if ok is not True:
            return StepResult(self.label, self.claim, UNKNOWN, v.witness,
                              f"Z3 model did not replay exactly: {why}", method=f"z3/{v.engine}")
        return StepResult(self.label, self.claim, REFUTED, v.witness, "model of the negation",
                          method=f"z3/{v.engine}", replay=why)

    def replay(self, witness: dict) -> "tuple[bool | None, str]":
        """Re-check a refutation without the path that found it: (True/False/None, how).

        z3: the same ``build`` in exact SymPy arithmetic at the model (no Z3), hypotheses true and
        claim false; exact: the obligation's ``replayer``; sympy: lhs and rhs evaluated apart."""
        if self.kind == "exact":
            try:
                ok = (self.replayer(self.params, witness, self.fn) if isinstance(self.replayer, Rerun)
                      else self.replayer(self.params, witness))
            except Exception as exc:  # noqa: BLE001 -- a crashing replay confirms nothing
                return None, f"replay error: {exc!r}"
            if ok not in (True, False, None):
                return None, f"replay returned {ok!r}, not True/False/None"
            return ok, _replay_doc(self.replayer)
        if self.kind == "sympy":
            return _sympy_replay(self, witness)
        try:
            vals = {k: parse_value(s) for k, s in witness.items()}
        except Exception as exc:  # noqa: BLE001
            return None, f"witness not exact: {exc}"
        N = SymNum(vals)
        try:
            hyps, claim = self.build(N, self.params)
            bad = [k for k, h in hyps.items() if k not in self.drop and not _truth(h)]
            if bad:
                return False, f"hypotheses {bad} false at the witness"
            if _truth(claim):
                return False, "claim holds at the witness"
        except ValueError as exc:  # an undecided sign or a negative radicand
            return None, f"ValueError: {exc}"
        except (KeyError, TypeError, ZeroDivisionError) as exc:
            return False, f"{type(exc).__name__}: {exc}"
        return True, "exact SymPy: hypotheses hold, claim fails"

    def _check_sympy(self) -> StepResult:
        lhs, rhs, points = self.build(self.params)
        raw = sp.expand(lhs - rhs)
        # two exact shortcuts before SymPy's simplify (the costliest call of these steps, ~1 s for a radical
        # identity); each decides only what the path below would decide, and otherwise leaves it to that path
        if _normal_zero(raw):
            return StepResult(self.label, self.claim, PROVED, {}, "lhs - rhs == 0 in rational normal form "
                              "(radicands normalised, then cancel)", method="sympy identity")
        early = self._sympy_point_refutation(lhs, rhs, raw, points)
        if early is not None:
            return early
        diff = sp.simplify(raw)
        if diff == 0:
            return StepResult(self.label, self.claim, PROVED, {}, "simplify(lhs - rhs) == 0",
                              method="sympy identity")
        for pt in points:
            d = diff.subs(pt)
            try:
                sgn = _sign(d)
            except ValueError:
                continue
            if sgn != 0:
                w = {str(k): str(v) for k, v in pt.items()}
                ok, why = _sympy_replay(self, w)
                if ok is not True:
                    return StepResult(self.label, self.claim, UNKNOWN, w, f"refutation did not replay: {why}",
                                      method="sympy identity")
                w["lhs"] = str(sp.N(lhs.subs(pt), 12))
                w["rhs"] = str(sp.N(rhs.subs(pt), 12))
                return StepResult(self.label, self.claim, REFUTED, w,
                                  "lhs - rhs != 0 exactly at the point", method="sympy identity", replay=why)
        return StepResult(self.label, self.claim, UNKNOWN, {},
                          f"simplify left {diff}; no separating point", method="sympy identity")

    def _sympy_point_refutation(self, lhs, rhs, raw, points) -> "StepResult | None":
        """REFUTED at the first test point (every value rational and meeting its symbol's SymPy assumptions)
        where the unsimplified difference is provably non-zero and the independent replay confirms it; None
        when no point does (then simplify decides, as before)."""
        for pt in points:
            try:
                vals = {k: sp.Rational(v) for k, v in pt.items()}
                if not all(vacuity.assumptions_hold(k, Fraction(int(v.p), int(v.q))) is True for k, v in vals.items()):
                    continue
                if _sign(raw.subs(vals)) == 0:
                    continue
            except Exception:  # noqa: BLE001 -- undecided here: simplify and the points below decide
                continue
            w = {str(k): str(v) for k, v in pt.items()}
            ok, why = _sympy_replay(self, w)
            if ok is True:
                w["lhs"] = str(sp.N(lhs.subs(pt), 12))
                w["rhs"] = str(sp.N(rhs.subs(pt), 12))
                return StepResult(self.label, self.claim, REFUTED, w, "lhs - rhs != 0 exactly at the point",
                                  method="sympy identity", replay=why)
        return None

    def _check_exact(self) -> StepResult:
        out = self.fn(self.params)
        if len(out) != 3:
            raise TypeError(f"{self.label}: an exact step returns (verdict, witness, reason), got {len(out)} items")
        verdict, witness, reason = out
        if verdict not in (PROVED, REFUTED, UNKNOWN):
            raise ValueError(f"{self.label}: bad verdict {verdict!r} from the decision")
        if verdict == PROVED and self.evidence:
            verdict = EVIDENCE
            reason = f"finite check, {self.evidence} only (not a proof for the whole domain); {reason}"
        if verdict == REFUTED:
            ok, why = self.replay(witness)
            if ok is not True:
                state = "undecided" if ok is None else "did not confirm the witness"
                return StepResult(self.label, self.claim, UNKNOWN, witness,
                                  f"refutation not replayed: the independent replay {state} ({why})",
                                  method="exact")
            return StepResult(self.label, self.claim, REFUTED, witness, reason, method="exact", replay=why)
        return StepResult(self.label, self.claim, verdict, witness, reason, method="exact")


def _normal_zero(e) -> bool:
    """``e`` is 0 as a rational function of its symbols and radicals, each radicand first brought to its
    rational normal form (``cancel``): exact, and true only where simplify would find 0 as well."""
    try:
        e = e.replace(lambda x: x.is_Pow and not x.exp.is_Integer,
                      lambda x: sp.Pow(sp.cancel(sp.together(x.base)), x.exp))
        return sp.cancel(sp.together(sp.expand(e))) == 0
    except Exception:  # noqa: BLE001 -- no decision here; simplify decides
        return False


def _replay_doc(fn) -> str:
    doc = (getattr(fn, "__doc__", None) or getattr(fn, "__name__", "replay")).strip().splitlines()[0]
    return doc


def _sympy_replay(ob: Obligation, witness: dict):
    """lhs and rhs evaluated apart at the point with SymPy's adaptive-precision evalf (not the
    simplified difference that found the point): True if they differ by more than 1e-30 relative."""
    lhs, rhs, _ = ob.build(ob.params)
    syms = sp.sympify(lhs).free_symbols | sp.sympify(rhs).free_symbols
    pt = {sym: sp.Rational(witness[str(sym)]) for sym in syms if str(sym) in witness}
    if len(pt) != len(syms):
        return None, "witness does not fix every symbol"
    lv, rv = sp.N(lhs.subs(pt), 60), sp.N(rhs.subs(pt), 60)
    if not (lv.is_Number and rv.is_Number):
        return None, "lhs or rhs not a number at the point"
    gap = abs(lv - rv)
    return bool(gap > sp.Float("1e-30", 60) * max(1, abs(lv))), f"evalf at 60 digits: lhs = {sp.N(lv, 12)}, rhs = {sp.N(rv, 12)}"


class Rerun:
    """A replayer that re-runs the step's own finite check with ``params["backend"] = "arb"``: python-flint
    balls through the numerics definitions, where a comparison is True only when it holds for every
    point of the enclosures.  The witness is confirmed when that rigorous re-run also fails."""

    def __init__(self, backend: str = "arb"):
        self.backend = backend
        self.__doc__ = (f"re-run of the same finite check in {backend} balls (numerics definitions, "
                        f"rigorous comparisons): it fails too")

    def __call__(self, params, witness, fn=None):
        if fn is None:
            return None
        out = fn({**params, "backend": self.backend})
        return True if out[0] == REFUTED else (False if out[0] == PROVED else None)


ARB_RERUN = Rerun("arb")


def no_refutation(params, witness):
    """none: this step has no refutation path, so a 'refuted' from it is never accepted"""
    return None


# ------------------------------------------------------------------------------------------------
NLSAT_FIRST = (("nlsat", 2.0), ("simple", 2.0), "default")  # for steps where nlsat is measured faster


def z3_step(label: str, claim: str, source: str, expected: str | None = None, timeout_s=None,
            engines=None, **params):
    """Decorator: turn ``build(N, p) -> (hyps, claim)`` into a z3 :class:`Obligation`."""

    def deco(build):
        return Obligation(label, claim, source, "z3", build=build, params=dict(params),
                          expected=expected, timeout_s=timeout_s, engines=engines)

    return deco


def sympy_step(label: str, claim: str, source: str, expected: str | None = None, **params):
    """Decorator: ``build(p) -> (lhs, rhs, points)`` as an exact-identity :class:`Obligation`."""

    def deco(build):
        return Obligation(label, claim, source, "sympy", build=build, params=dict(params),
                          expected=expected)

    return deco


def exact_step(label: str, claim: str, source: str, expected: str | None = None,
               evidence: str = "", replay: Replayer | None = None, **params):
    """Decorator: ``fn(p) -> (verdict, witness, reason)`` as a finite :class:`Obligation`.

    ``replay(params, witness) -> True | False | None`` re-checks a refutation independently (required);
    ``evidence`` is the finite range of a check of a universal claim (it must appear in ``label``)."""

    def deco(fn):
        return Obligation(label, claim, source, "exact", fn=fn, params=dict(params),
                          expected=expected, evidence=evidence, replayer=replay)

    return deco


@dataclass
class Theorem:
    """A theorem of the audit: an id, a title, its obligations and a summary of their verdicts."""

    id: str
    title: str
    obligations: list
    summarize: Callable[[dict], str]  # {label: StepResult} -> one line
    # what is known of the statement when its proof as printed is not established: (verdict, note), or
    # a function of the results returning one (a repaired proof, another layer's refutation); None = unknown
    statement: Callable | tuple | None = None

    def statement_verdict(self, results: dict) -> dict:
        """The proof's verdict and the statement's verdict (one line per theorem, across layers).

        proof: PROVED when every step that is not finite evidence is PROVED, else NOT ESTABLISHED;
        statement: PROVED with its proof, else what another layer established (``statement``), else
        UNKNOWN.  Finite evidence never makes either PROVED."""
        core = [o.label for o in self.obligations if not o.evidence]
        broken = [k for k in core if results[k].verdict != PROVED]
        if not broken:
            return {"proof": PROVED, "statement": PROVED, "note": "every step proved for its whole domain"}
        st = self.statement(results) if callable(self.statement) else self.statement
        verdict, note = st or (UNKNOWN, "not established by this proof; no other layer decides it")
        return {"proof": "not established", "statement": verdict,
                "note": f"steps not proved: {', '.join(broken)}; statement: {note}"}


def generic_branch(s):
    """The generic branch of every SymPy Piecewise in ``s`` (SymPy splits off cases like beta1 = 1)."""

    def pick(pw):
        for expr, cond in pw.args:
            if not isinstance(cond, sp.Eq):
                return expr
        return pw

    return s.replace(lambda e: isinstance(e, sp.Piecewise), pick)
