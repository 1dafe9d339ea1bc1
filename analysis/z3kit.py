"""The project's one bridge to Z3: exact constants, square roots, a solver portfolio, exact models.

Everything in :mod:`proofs` and :mod:`counterexamples.search` that talks to Z3 goes through here, so
the encoding conventions (docs/architecture.md and docs/references.md, tooling notes) are fixed in one place.

API
---
``Q(p, q=1)``
    Exact rational constant p/q as a Z3 real (``Q(9, 10)``, never the float 0.9; ``Q(0)`` works).
    ``p`` may also be a ``Fraction``, an ``int`` or a decimal string ("0.999").
``sqrt_of(expr, name) -> (s, [s >= 0, s*s == expr])``
    Z3 has no square root: a fresh real ``s`` plus its two defining constraints.  Add the
    constraints to the hypotheses (for ``prove``) or to the constraints (for ``find``).
``prove(claim, hypotheses=(), variables=None, timeout_s=10.0) -> Verdict``
    Validity of ``hypotheses => claim`` over the reals: the negation ``hypotheses & not claim`` is
    handed to the portfolio.  unsat -> ``Verdict("proved")``; a model -> ``Verdict("refuted",
    witness)``; anything else -> ``Verdict("unknown", reason=reason_unknown())``.  Unknown is never
    success.
``find(constraints, variables=None, timeout_s=10.0) -> SatResult``
    Satisfiability: ``SatResult("sat", model)``, ``"unsat"`` or ``"unknown"`` (with the reason).
``Verdict``
    the project's one verdict type (:mod:`analysis.verdict`); here ``status`` in {"proved",
    "refuted", "unknown"}, ``witness``: dict name -> exact value string, ``solvers``: "z3+cvc5" when
    cvc5 (:mod:`analysis.smt`) confirmed the unsat of the same SMT-LIB formula, else "z3 only".
``SatResult(status, model, reason, seconds, engine)``
    ``status`` in {"sat", "unsat", "unknown"}; ``model``: dict name -> exact value string.
``value_str(v, digits=40)``
    A model value as a string, never through a float: a rational is written "p/q" (or "p");
    an algebraic number (e.g. sqrt 7) as a decimal with ``digits`` digits followed by its defining
    polynomial, e.g. ``"2.6457513110645905905016157536392604257102 (root of x^2 - 7)"``.
``value_interval(v, digits=40) -> (Fraction lo, Fraction hi)``
    An exact rational interval that contains the model value (a point interval for rationals);
    for re-checking a model in exact or interval arithmetic without Z3.
``value_fraction(v, digits=40) -> Fraction``
    The exact value of a rational, or a rational within 10^-digits of an algebraic value.

Portfolio (docs/references.md, tooling notes; measured on this machine): no single engine wins on the paper's
nonlinear real arithmetic, so a query goes to

1. ``SimpleSolver()`` for up to 2 s  (best at unsat: validity proofs in ms where Solver() pays ~14 s),
2. then ``Tactic('qfnra-nlsat').solver()`` for up to 5 s  (best at finding models),
3. then ``Solver()`` for the rest of the budget,

each stage capped by what remains of ``timeout_s``; the first definite answer wins.  The budgets are CPU
seconds of the calling process (a watcher thread interrupts the stage, :func:`check_cpu`), so a loaded machine
slows a step down without changing its verdict; on a quiet machine a call returns within about ``timeout_s +
0.1 s``.  The reason of the last
stage that gave up is reported ("timeout", "canceled", "unknown", or "incomplete" ...).

Models are read with ``is_rational_value`` / ``is_algebraic_value``: rationals exactly via
``as_fraction``, algebraic numbers through ``approx(k)`` (a rational within 10^-k) and ``poly()``.
Callers are expected to re-check every model without Z3 (the project's soundness rule).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Sequence

import z3

from . import smt
from .verdict import PROVED, REFUTED, UNKNOWN, Verdict

__all__ = [
    "Q",
    "sqrt_of",
    "Verdict",
    "SatResult",
    "prove",
    "find",
    "check",
    "value_str",
    "value_interval",
    "value_fraction",
    "free_vars",
    "check_cpu",
    "PORTFOLIO",
]

# (engine name, seconds) -- the last stage takes whatever budget is left.  The project's one portfolio.
PORTFOLIO = (("simple", 2.0), ("nlsat", 5.0), ("default", None))


def scaled_portfolio(scale: float = 1.0, last_s: float | None = None):
    """:data:`PORTFOLIO` with every stage budget multiplied by ``scale`` (``last_s`` caps the last)."""
    return tuple((name, None if (secs is None and last_s is None) else (last_s if secs is None else secs) * scale)
                 for name, secs in PORTFOLIO)


def Q(p, q=1) -> z3.ArithRef:
    """Exact rational constant p/q as a Z3 real.  ``p`` may be int, Fraction or a decimal string."""
    fr = Fraction(p) / Fraction(q) if not isinstance(p, float) else None
    if fr is None:
        raise TypeError("Q() takes exact numbers (int, Fraction, str), not a float: "
                        "0.1 is not 1/10 in binary")
    return z3.RealVal(f"{fr.numerator}/{fr.denominator}")


_sqrt_counter = [0]


def sqrt_of(expr, name: str | None = None):
    """(s, [s >= 0, s*s == expr]): the non-negative square root of ``expr`` as an auxiliary variable.

    The constraints force ``expr >= 0`` as well; ``name`` should be unique within one query
    (a counter is appended when it is omitted)."""
    if name is None:
        _sqrt_counter[0] += 1
        name = f"sqrt_{_sqrt_counter[0]}"
    s = z3.Real(name)
    return s, [s >= 0, s * s == expr]


# ------------------------------------------------------------------------------------------------
@dataclass
class SatResult:
    """Three-valued result of a satisfiability query."""

    status: str  # "sat" | "unsat" | "unknown"
    model: dict = field(default_factory=dict)  # name -> exact value string
    reason: str = ""
    seconds: float = 0.0
    engine: str = ""
    raw_model: object = None  # the z3.ModelRef, for value_interval / value_fraction

    def __post_init__(self):
        if self.status not in ("sat", "unsat", "unknown"):
            raise ValueError(f"bad sat status {self.status!r}")


# ------------------------------------------------------------------------------------------------
def _poly_str(coeffs) -> str:
    terms = []
    for k in range(len(coeffs) - 1, -1, -1):
        c = coeffs[k]
        if c == 0:
            continue
        mono = "" if k == 0 else ("x" if k == 1 else f"x^{k}")
        if mono and c in (1, -1):
            coef = "-" if c == -1 else ""
        else:
            coef = str(c) + ("*" if mono else "")
        terms.append(coef + mono)
    s = " + ".join(terms).replace("+ -", "- ")
    return s or "0"


def value_fraction(v, digits: int = 40) -> Fraction:
    """Exact Fraction of a rational model value; a rational within 10^-digits of an algebraic one."""
    if z3.is_rational_value(v):
        return Fraction(v.numerator_as_long(), v.denominator_as_long())
    if z3.is_algebraic_value(v):
        a = v.approx(digits)
        return Fraction(a.numerator_as_long(), a.denominator_as_long())
    if z3.is_int_value(v):
        return Fraction(v.as_long())
    raise TypeError(f"not a numeric model value: {v!r}")


def value_interval(v, digits: int = 40) -> tuple[Fraction, Fraction]:
    """Exact rational enclosure [lo, hi] of a model value (a point for rationals)."""
    f = value_fraction(v, digits)
    if z3.is_algebraic_value(v):
        r = Fraction(1, 10**digits)
        return f - r, f + r
    return f, f


def value_str(v, digits: int = 40) -> str:
    """Model value as text, never through a float: "p/q", or "d.ddd... (root of poly)"."""
    if z3.is_rational_value(v) or z3.is_int_value(v):
        f = value_fraction(v)
        return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
    if z3.is_algebraic_value(v):
        dec = v.as_decimal(digits).rstrip("?")
        try:
            poly = _poly_str([int(str(c)) for c in v.poly()]) if hasattr(v, "poly") else ""
        except Exception:  # noqa: BLE001 -- poly() is cosmetic; the decimal is the value
            poly = ""
        return f"{dec} (root of {poly})" if poly else dec
    return str(v)


def free_vars(exprs: Iterable) -> list:
    """The uninterpreted constants (variables) occurring in ``exprs``, in first-seen order."""
    seen, out, stack = set(), [], list(exprs)
    while stack:
        e = stack.pop()
        if not z3.is_expr(e):
            continue
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            if e.get_id() not in seen:
                seen.add(e.get_id())
                out.append(e)
            continue
        if z3.is_quantifier(e):
            stack.append(e.body())
            continue
        stack.extend(e.children())
    return out


def _read_model(model, variables) -> dict:
    out = {}
    for x in variables:
        out[str(x)] = value_str(model.eval(x, model_completion=True))
    return out


# ------------------------------------------------------------------------------------------------
def _make_solver(engine: str):
    if engine == "simple":
        return z3.SimpleSolver()
    if engine == "nlsat":
        return z3.Tactic("qfnra-nlsat").solver()
    if engine == "default":
        return z3.Solver()
    if engine == "qe":  # exists-forall queries (measured: Then('qe','smt') sat in 135 ms)
        return z3.Then("qe", "smt").solver()
    raise ValueError(f"unknown engine {engine!r}")


# how often the CPU watch of a portfolio stage reads the process's CPU time (Z3 stops within ~50 ms of a request)
CPU_POLL_S = 0.02


def wall_backstop(budget_s: float) -> float:
    """The wall-clock limit of a stage whose limit is counted in CPU seconds (:func:`check_cpu`): a stage that
    waits without computing is stopped after this long (the same rule as the cvc5 children's)."""
    return smt.wall_backstop(budget_s)


def check_cpu(s, budget_s: float):
    """``s.check()`` within ``budget_s`` seconds of this process's CPU time: (result, True when the budget ran out).

    Why CPU and not wall-clock: on a loaded machine (the audit's two processes and their cvc5 children on two
    cores, or other work beside it) a stage gets less than a core, and a wall-clock limit then turned a step Z3
    proves in 0.8 s of CPU into UNKNOWN (lemma-moment's L6[n=3] at a load average of 12) -- the verdict depended
    on the load.  On a quiet machine the two are the same.  A watcher thread reads ``time.process_time`` every
    :data:`CPU_POLL_S` (z3's calls release the GIL) and interrupts the solver; Z3's own wall-clock timeout is the
    backstop (:func:`wall_backstop`).  The audit's processes run one solver at a time, so their CPU time is the
    stage's; in a program with other busy threads their CPU counts too (an earlier UNKNOWN, never another verdict)."""
    import threading

    s.set("timeout", max(1, int(wall_backstop(budget_s) * 1000)))
    c0 = time.process_time()
    stop, fired = threading.Event(), []

    def watch():
        while not stop.wait(CPU_POLL_S):
            if time.process_time() - c0 > budget_s:
                fired.append(True)
                s.interrupt()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        r = s.check()
    finally:
        stop.set()
        watcher.join()
    return r, bool(fired)


def check(assertions: Sequence, timeout_s: float = 10.0, engines=None):
    """Run the portfolio on ``assertions``.

    ``engines`` overrides the portfolio: a sequence of engine names ("simple", "nlsat", "default",
    "qe") or (name, seconds) pairs; the last stage always gets the rest of ``timeout_s``.
    Returns (status in {"sat","unsat","unknown"}, z3 model or None, reason, seconds, engine)."""
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be > 0, got {timeout_s}")
    stages = PORTFOLIO if engines is None else tuple(
        (e, None) if isinstance(e, str) else (e[0], e[1]) for e in engines)
    t0, c0 = time.perf_counter(), time.process_time()
    reasons = []
    for i, (engine, cap) in enumerate(stages):
        left = timeout_s - (time.process_time() - c0)
        if left <= 0.01:
            break
        last = i == len(stages) - 1
        budget = left if (cap is None or last) else min(cap, left)
        s = _make_solver(engine)
        try:
            s.add(*assertions)
            r, out_of_time = check_cpu(s, budget)
        except z3.Z3Exception as exc:  # e.g. nlsat refusing a non-polynomial goal
            reasons.append(f"{engine}: {exc}")
            continue
        if r == z3.sat:
            return "sat", s.model(), "", time.perf_counter() - t0, engine
        if r == z3.unsat:
            return "unsat", None, "", time.perf_counter() - t0, engine
        reasons.append(f"{engine}: {'timeout' if out_of_time else s.reason_unknown()}")
    reason = "; ".join(reasons) or "timeout"
    return "unknown", None, reason, time.perf_counter() - t0, "portfolio"


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def formula_digest(assertions) -> str:
    """sha256 of the conjunction's terms as Z3 prints them (``sexpr``: no AST ids, so the same formula built in
    another process or another order has the same digest, and any change to it -- a hypothesis dropped, a
    constant changed -- a different one)."""
    import hashlib

    return hashlib.sha256("\n".join(a.sexpr() for a in assertions).encode()).hexdigest()


# cvc5 on formulas where the audit's default (smt.CVC5_TIMEOUT_S of CPU per configuration) is known not to be
# what decides the answer, each keyed by :func:`formula_digest` of the exact negation the audit poses and valid
# only for the cvc5 version it was measured with (another version, or a formula changed in any way, is asked as
# usual).  "cpu_s": the CPU limit to give it (a confirmation cvc5 finds just past the default limit);
# "no_answer_s": cvc5 was measured to give no answer within that many CPU seconds in every configuration tried
# (those of smt.CONFIGS and the ones named in "tried"), so the audit does not re-run a race it cannot win and
# records the measured fact instead: the step stays "z3 only" with the reason, exactly as when it timed out.
# Re-measure after a cvc5 upgrade with :func:`proofs.audit.recheck_cvc5_known` (README, proofs: the audit).
CVC5_MEASURED_VERSION = "1.4.2"
_TRIED = ("the audit's two (QF_NRA with nl-cov; ALL) for 15 s each, and for 5 s each QF_NRA with nl-cov-force, "
          "nl-ext=none, nl-cov-linear-model=initial, nl-cov-lift=nl-cov-proj=lazard, nl-cov-var-elim=false, "
          "QF_NRA without nl-cov, ALL with decision=justification, nl-ext-tplanes-interleave, nl-icp")
_MEASURED = "2026-12-07, cvc5 1.4.2 on the audit's SMT-LIB text, CPU seconds per configuration"


def _no_answer(step, at_default, tried=_TRIED):
    return {"step": step, "no_answer_s": 15.0, "tried": tried, "at_default": at_default, "measured": _MEASURED}


CVC5_KNOWN: dict = {
    "5b81f86216b52e4deab33dea0dca5f2c317783a2bdcd857cc529626e7f926752": _no_answer("thm1/A6[t>=1]", "times out"),
    "d3c6fb547c564a2d869c7d2a2bd77b1cad46b6e25d8ebfa21a4fb9d0394a035b": _no_answer("lemma-moment/L6[n=3]", "times out"),
    "fa6ca8c5b4d501553798c5bcab72948e929d67bf4e4cfc7fd97cc196b6108c15": _no_answer("thm3/C3-jensen", "times out"),
    "3258a35f50bc93102d65f770bdb636cad33eb6bc3c5f4a8a680a422b0ecd20bf": _no_answer(
        "thm6/T6-chain[t>=1]", "times out", "the audit's two (QF_NRA with nl-cov; ALL) for 15 s each, and for 5 s "
        "each QF_NRA with nl-cov-force, nl-ext=none"),
    # nl-cov answers unknown (incomplete) at once; ALL has no answer in 15 s
    "4f222fa290a84af34adfa637271fb78854a239c2512a2a198df2fe863d71b9ec": _no_answer(
        "thm4-arxiv/step 6[step T->T+1]", "says unknown (incomplete)"),
    # ALL says unsat after 2.7, 3.0 and 3.2 s of CPU (three runs; nl-cov: unknown (incomplete) at once): at the
    # default 3 s it was "z3 only", with 8 s it is confirmed
    "a459e3e91cf5ba8c89fadabcf9d3745f1e9427293f3747596b9cb30ef3153189": {
        "step": "thm4/step 6[const beta1]", "cpu_s": 8.0, "measured": _MEASURED},
}


def _cvc5_version() -> "str | None":
    try:
        import cvc5
    except ImportError:
        return None
    return getattr(cvc5, "__version__", None)


def known_cvc5(assertions) -> "dict | None":
    """The :data:`CVC5_KNOWN` entry of this exact formula for the installed cvc5, or None."""
    if not CVC5_KNOWN or _cvc5_version() != CVC5_MEASURED_VERSION:
        return None
    return CVC5_KNOWN.get(formula_digest(assertions))


def confirm_unsat(assertions, timeout_s: float = smt.CVC5_TIMEOUT_S) -> tuple[str, dict, bool]:
    """Re-pose a conjunction Z3 found unsat to cvc5 (same formula, SMT-LIB text).

    Returns (solvers, cross_check, disagreement): solvers is "z3+cvc5" when cvc5 also says unsat,
    "z3 only" otherwise; ``disagreement`` is True only when cvc5 gives a model that satisfies every
    assertion in exact arithmetic (then Z3's unsat is wrong and nothing is proved).  A formula of
    :data:`CVC5_KNOWN` gets its measured CPU limit, or, where cvc5 was measured to give no answer at all, that
    fact as the record (never a confirmation)."""
    known = known_cvc5(assertions)
    if known and "no_answer_s" in known:
        return "z3 only", {"cvc5": "unknown", "reason": (
            f"cvc5: not re-run: cvc5 {CVC5_MEASURED_VERSION} gave no answer on this exact formula within "
            f"{known['no_answer_s']:g} s of CPU in any configuration tried ({known['tried']}); at the audit's "
            f"{timeout_s:g} s it {known['at_default']}; measured {known['measured']}"), "seconds": 0.0}, False
    if known and "cpu_s" in known:
        timeout_s = max(timeout_s, known["cpu_s"])
    cc = smt.cross_check(assertions, timeout_s)
    if cc["status"] == "unsat":
        return "z3+cvc5", {"cvc5": "unsat", "seconds": round(cc["seconds"], 4)}, False
    if cc["status"] == "sat":
        real = smt.replay_model(assertions, cc["model"])
        info = {"cvc5": "sat", "seconds": round(cc["seconds"], 4),
                "model": {k: str(v) for k, v in cc["model"].items()},
                "model_replay": {True: "real", False: "spurious", None: "undecided"}[real]}
        return "z3 only", info, real is True
    return "z3 only", {"cvc5": cc["status"], "reason": cc["reason"], "seconds": round(cc["seconds"], 4)}, False


def negate(claim, hypotheses=()) -> list:
    """The conjunction :func:`prove` decides (and cvc5 is asked): the hypotheses, then the claim negated."""
    return _as_list(hypotheses) + [z3.Not(claim)]


def prove(claim, hypotheses=(), variables=None, timeout_s: float = 10.0, engines=None,
          confirm: bool = True) -> Verdict:
    """Prove ``hypotheses => claim`` for all real values of the free variables.

    Negation unsat -> proved (then re-posed to cvc5 when ``confirm``: ``solvers`` is "z3+cvc5" or
    "z3 only"; a cvc5 model that really satisfies the negation makes the answer UNKNOWN with
    ``cross_check["disagreement"] = "real"``); a model of the negation -> refuted, witness = the model
    on ``variables`` (default: every free variable); otherwise unknown with the solver's reason."""
    negation = negate(claim, hypotheses)
    variables = free_vars(negation) if variables is None else list(variables)
    status, model, reason, secs, engine = check(negation, timeout_s, engines)
    if status == "unsat":
        if not confirm:
            return Verdict(PROVED, reason="negation unsat", seconds=secs, engine=engine, solvers="z3 only",
                           cross_check={"cvc5": "not asked"})
        solvers, cc, disagree = confirm_unsat(negation, min(timeout_s, smt.CVC5_TIMEOUT_S))
        secs += cc.get("seconds", 0.0)
        if disagree:
            cc["disagreement"] = "real"
            return Verdict(UNKNOWN, reason="solvers disagree: Z3 unsat, but cvc5's model satisfies the "
                           "negation exactly", seconds=secs, engine=engine, solvers="z3 vs cvc5",
                           cross_check=cc, witness=cc["model"])
        return Verdict(PROVED, reason="negation unsat", seconds=secs, engine=engine, solvers=solvers,
                       cross_check=cc)
    if status == "sat":
        return Verdict(REFUTED, witness=_read_model(model, variables), reason="model of the negation",
                       seconds=secs, engine=engine)
    return Verdict(UNKNOWN, reason=reason, seconds=secs, engine=engine)


def find(constraints, variables=None, timeout_s: float = 10.0, engines=None) -> SatResult:
    """Find real values satisfying ``constraints``; exact model strings on ``variables``."""
    cons = _as_list(constraints)
    variables = free_vars(cons) if variables is None else list(variables)
    status, model, reason, secs, engine = check(cons, timeout_s, engines)
    if status == "sat":
        return SatResult("sat", _read_model(model, variables), "", secs, engine, model)
    if status == "unsat":
        return SatResult("unsat", {}, "constraints unsat", secs, engine)
    return SatResult("unknown", {}, reason, secs, engine)
