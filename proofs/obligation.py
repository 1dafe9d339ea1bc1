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
  the SymPy backend); the function returns the verdict and its witness itself, and a REFUTED finite
  claim must carry a ``replay`` computed in a second number system (mpmath, 50 digits).

Finite evidence for a universal claim ("checked for t <= N") is an ``exact`` obligation whose claim
text states the finite range and whose ``evidence`` flag is set: it is never the proof of the
universal step.  Verdicts are three-valued; UNKNOWN carries the reason.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Callable

import sympy as sp
import z3

from analysis import z3kit

SOURCES = ("main", "appendix", "reconstructed", "follow-up", "derived", "lean-note", "numerical")


@dataclass
class StepResult:
    label: str
    claim: str
    verdict: str  # proved | refuted | unknown
    witness: dict = field(default_factory=dict)
    reason: str = ""
    seconds: float = 0.0
    source: str = ""
    method: str = ""
    replay: str = ""  # how a REFUTED witness was re-checked without Z3
    expected: str | None = None  # the verdict the spec leads us to expect, if any
    evidence: bool = False

    def as_json(self) -> dict:
        return {
            "label": self.label, "claim": self.claim, "verdict": self.verdict,
            "witness": {k: str(v) for k, v in self.witness.items()}, "reason": self.reason,
            "seconds": round(self.seconds, 4), "source": self.source, "method": self.method,
            "replay": self.replay, "expected": self.expected, "evidence": self.evidence,
        }


# ------------------------------------------------------------------------------------------------
class Z3Num:
    """Number system that builds a Z3 query.  ``var`` declares a real; ``sqrt`` adds an auxiliary."""

    def __init__(self):
        self.side: list = []
        self.vars: dict[str, Any] = {}
        self._k = 0

    def var(self, name):
        v = z3.Real(name)
        self.vars[name] = v
        return v

    def const(self, p, q=1):
        return z3kit.Q(p, q)

    def sqrt(self, e):
        self._k += 1
        s, cons = z3kit.sqrt_of(e, f"_s{self._k}")
        self.side += cons
        return s

    def abs(self, e):
        return z3.If(e >= 0, e, -e)

    def max(self, a, b):
        return z3.If(a >= b, a, b)

    def min(self, a, b):
        return z3.If(a <= b, a, b)

    And = staticmethod(lambda *a: z3.And(*a))
    Or = staticmethod(lambda *a: z3.Or(*a))
    Not = staticmethod(lambda a: z3.Not(a))
    Implies = staticmethod(lambda a, b: z3.Implies(a, b))

    def If(self, c, a, b):
        return z3.If(c, a, b)


class SymNum:
    """Exact SymPy evaluation at a point (the replay of a witness, without Z3)."""

    def __init__(self, values: dict):
        self.values = values

    def var(self, name):
        if name not in self.values:
            raise KeyError(f"replay: witness lacks variable {name}")
        return self.values[name]

    def const(self, p, q=1):
        f = Fraction(p) / Fraction(q)
        return sp.Rational(f.numerator, f.denominator)

    def sqrt(self, e):
        if _sign(e) < 0:
            raise ValueError("replay: square root of a negative number")
        return sp.sqrt(e)

    def abs(self, e):
        return sp.Abs(e)

    def max(self, a, b):
        return a if _sign(a - b) >= 0 else b

    def min(self, a, b):
        return a if _sign(a - b) <= 0 else b

    And = staticmethod(lambda *a: all(_truth(x) for x in a))
    Or = staticmethod(lambda *a: any(_truth(x) for x in a))
    Not = staticmethod(lambda a: not _truth(a))
    Implies = staticmethod(lambda a, b: (not _truth(a)) or _truth(b))

    def If(self, c, a, b):
        return a if _truth(c) else b


def _sign(e) -> int:
    """Exact sign of a real algebraic SymPy number (numeric refinement only to separate from 0)."""
    e = sp.nsimplify(e) if isinstance(e, float) else sp.sympify(e)
    if e.is_zero:
        return 0
    if e.is_positive:
        return 1
    if e.is_negative:
        return -1
    s = sp.simplify(e)
    if s.is_zero:
        return 0
    # radsimp/minimal polynomial: a non-zero algebraic number is separated from 0 at high precision
    try:
        if sp.minimal_polynomial(s, sp.Symbol("_x")).as_poly().eval(0) == 0:
            return 0
    except Exception:  # noqa: BLE001 -- not algebraic over Q in a form SymPy handles
        pass
    val = sp.N(s, 80)
    if abs(val) > sp.Float("1e-60", 80):
        return 1 if val > 0 else -1
    raise ValueError(f"replay: cannot decide the sign of {s}")


def _truth(x) -> bool:
    if isinstance(x, bool):
        return x
    if isinstance(x, sp.logic.boolalg.BooleanAtom):
        return bool(x)
    if isinstance(x, sp.core.relational.Relational):
        d = _sign(x.lhs - x.rhs)
        op = x.rel_op
        return {"<": d < 0, "<=": d <= 0, ">": d > 0, ">=": d >= 0, "==": d == 0, "!=": d != 0}[op]
    return bool(x)


def parse_value(s: str):
    """Exact SymPy number from a z3kit value string: "p/q" or "d.ddd (root of poly)"."""
    s = s.strip()
    if "(root of" in s:
        dec, poly = s.split("(root of", 1)
        x = sp.Symbol("x")
        P = sp.Poly(sp.sympify(poly.rstrip(") ").replace("^", "**")), x)
        approx = sp.Float(dec.strip(), 60)
        roots = [r for r in sp.real_roots(P)]
        return min(roots, key=lambda r: abs(sp.N(r, 60) - approx))
    return sp.Rational(s)


# ------------------------------------------------------------------------------------------------
Build = Callable[[Any, dict], tuple[dict, Any]]  # (N, params) -> ({hyp name: constraint}, claim)


@dataclass
class Obligation:
    label: str
    claim: str
    source: str
    kind: str  # z3 | sympy | exact
    build: Callable | None = None  # z3: build(N, p) -> (hyps, claim); sympy: build(p) -> (lhs, rhs, pts)
    fn: Callable | None = None  # exact: fn(p) -> StepResult-like tuple (verdict, witness, reason, replay)
    params: dict = field(default_factory=dict)
    drop: tuple = ()  # hypothesis names removed (mutation)
    expected: str | None = None
    evidence: bool = False
    timeout_s: float | None = None  # per-obligation override
    engines: tuple | None = None  # z3 portfolio override, e.g. (("nlsat", 2.0), "simple", "default")
    note: str = ""

    def __post_init__(self):
        if self.source not in SOURCES:
            raise ValueError(f"{self.label}: unknown source {self.source!r}")
        if self.kind not in ("z3", "sympy", "exact"):
            raise ValueError(f"{self.label}: unknown kind {self.kind!r}")

    def with_params(self, **kw) -> "Obligation":
        return replace(self, params={**self.params, **kw})

    def without(self, *hyps) -> "Obligation":
        return replace(self, drop=tuple(self.drop) + tuple(hyps))

    def hypotheses(self) -> list[str]:
        """Names of the hypotheses (z3 obligations)."""
        if self.kind != "z3":
            return []
        hyps, _ = self.build(Z3Num(), self.params)
        return list(hyps)

    # --------------------------------------------------------------------------------------------
    def check(self, timeout_s: float = 10.0) -> StepResult:
        t0 = time.perf_counter()
        tmo = self.timeout_s if self.timeout_s is not None else timeout_s
        tmo = min(tmo, timeout_s) if self.timeout_s is not None else tmo
        try:
            if self.kind == "z3":
                res = self._check_z3(tmo)
            elif self.kind == "sympy":
                res = self._check_sympy()
            else:
                res = self._check_exact()
        except Exception as exc:  # noqa: BLE001 -- a checker crash is UNKNOWN, never PROVED
            res = StepResult(self.label, self.claim, "unknown", {}, f"checker error: {exc!r}")
        res.seconds = time.perf_counter() - t0
        res.source, res.expected, res.evidence = self.source, self.expected, self.evidence
        if not res.method:
            res.method = self.kind
        return res

    def _check_z3(self, tmo) -> StepResult:
        N = Z3Num()
        hyps, claim = self.build(N, self.params)
        unknown = set(self.drop) - set(hyps)
        if unknown:
            raise KeyError(f"no hypotheses {sorted(unknown)} in {self.label}")
        used = [h for k, h in hyps.items() if k not in self.drop]
        v = z3kit.prove(claim, used + N.side, list(N.vars.values()), timeout_s=tmo, engines=self.engines)
        if v.status != "refuted":
            return StepResult(self.label, self.claim, v.status, {}, v.reason, method=f"z3/{v.engine}")
        ok, why = self.replay(v.witness)
        if not ok:
            return StepResult(self.label, self.claim, "unknown", v.witness,
                              f"Z3 model did not replay exactly: {why}", method=f"z3/{v.engine}")
        return StepResult(self.label, self.claim, "refuted", v.witness, "model of the negation",
                          method=f"z3/{v.engine}", replay=why)

    def replay(self, witness: dict) -> tuple[bool, str]:
        """Re-check a refutation without Z3: hypotheses true and claim false, in exact SymPy."""
        vals = {k: parse_value(s) for k, s in witness.items()}
        N = SymNum(vals)
        try:
            hyps, claim = self.build(N, self.params)
            bad = [k for k, h in hyps.items() if k not in self.drop and not _truth(h)]
            if bad:
                return False, f"hypotheses {bad} false at the witness"
            if _truth(claim):
                return False, "claim holds at the witness"
        except (ValueError, KeyError, TypeError, ZeroDivisionError) as exc:
            return False, f"{type(exc).__name__}: {exc}"
        return True, "exact SymPy: hypotheses hold, claim fails"

    def _check_sympy(self) -> StepResult:
        lhs, rhs, points = self.build(self.params)
        diff = sp.simplify(sp.expand(lhs - rhs))
        if diff == 0:
            return StepResult(self.label, self.claim, "proved", {}, "simplify(lhs - rhs) == 0",
                              method="sympy identity")
        for pt in points:
            d = diff.subs(pt)
            if _sign(d) != 0:
                w = {str(k): str(v) for k, v in pt.items()}
                w["lhs"] = str(sp.N(lhs.subs(pt), 12))
                w["rhs"] = str(sp.N(rhs.subs(pt), 12))
                return StepResult(self.label, self.claim, "refuted", w,
                                  "lhs - rhs != 0 exactly at the point", method="sympy identity",
                                  replay="exact SymPy substitution")
        return StepResult(self.label, self.claim, "unknown", {},
                          f"simplify left {diff}; no separating point", method="sympy identity")

    def _check_exact(self) -> StepResult:
        out = self.fn(self.params)
        verdict, witness, reason = out[:3]
        replay = out[3] if len(out) > 3 else ""
        if verdict == "refuted" and not replay:
            return StepResult(self.label, self.claim, "unknown", witness,
                              "refutation without an independent replay", method="exact")
        return StepResult(self.label, self.claim, verdict, witness, reason, method="exact",
                          replay=replay)


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
               evidence: bool = False, **params):
    """Decorator: ``fn(p) -> (verdict, witness, reason[, replay])`` as a finite :class:`Obligation`."""

    def deco(fn):
        return Obligation(label, claim, source, "exact", fn=fn, params=dict(params),
                          expected=expected, evidence=evidence)

    return deco


@dataclass
class Theorem:
    """A theorem of the audit: an id, a title, its obligations and a summary of their verdicts."""

    id: str
    title: str
    obligations: list
    summarize: Callable[[dict], str]  # {label: StepResult} -> one line


def generic_branch(s):
    """The generic branch of every SymPy Piecewise in ``s`` (SymPy splits off cases like beta1 = 1)."""

    def pick(pw):
        for expr, cond in pw.args:
            if not isinstance(cond, sp.Eq):
                return expr
        return pw

    return s.replace(lambda e: isinstance(e, sp.Piecewise), pick)
