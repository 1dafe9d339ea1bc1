"""Gamma_t (eq. 2) for every method, derived by running the numerics optimizer code on SymPy symbols.

    Gamma_{t+1} = sqrt(V_{t+1}) / alpha_{t+1} - sqrt(V_t) / alpha_t          (Reddi et al., eq. 2)

Nothing is retyped here: each method's ``update(g, state, t)`` from :mod:`numerics.optimizers` is called
on the ``sympy`` backend with a symbolic state (m, v, v_hat at round t-1), symbolic gradients g_t,
g_{t+1} and a symbolic round t, and ``inv_lr`` (= sqrt(V_t)/alpha_t per coordinate) is read off the two
calls.  Coordinates are independent (diagonal V_t), so one coordinate decides "Gamma_t PSD for all t".

Verdicts (paper §3; docs/references.md, implementations §2; docs/references.md, literature §2):

* PSD, proved by Z3 (negation unsat) under stated hypotheses for a *general* round t and state: SGD,
  AdaGrad, AMSGrad, AdamNC (beta_{2t} = 1 - 1/t), AdamX (non-increasing beta_{1t}), and PyTorch's AMSGrad
  under alpha_t = alpha/sqrt(t) (with the calculus lemma that t / (1 - beta2^t) is non-decreasing).
* Indefinite, refuted by an exact witness run (every value a rational or a square root of one) whose sign
  is replayed in ball arithmetic, without Z3: RMSProp / Adam on Theorem 1 with C = 3 (F3), Adam on the
  Kingma & Ba-scaled example (Gamma_2 = -3.0318), PyTorch's AMSGrad with a constant step (spike input).

Example: Adam's Gamma_{t+1} is not PSD (the paper's Section 3: an exact witness, its sign certified in
balls), AMSGrad's is (a Z3 proof):

    >>> from analysis import gamma
    >>> gamma.verdict("adam").status
    'refuted'
    >>> gamma.verdict("amsgrad").status                   # doctest: +SLOW
    'proved'
    >>> gamma.derive("sgd", {}).gamma                     # 1/alpha_{t+1} - 1/alpha_t for alpha_t = 1/sqrt(t)
    -sqrt(t) + sqrt(t + 1)
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from numerics import Periodic, get_backend, make, run
from numerics.optimizers import AdaGradState, AdamState, SGDState

from . import interval
from .verdict import PROVED, REFUTED, UNKNOWN, Verdict
from .z3bridge import prove_nonneg

# assumption-carrying symbols: they let SymPy merge sqrt(s/t)*sqrt(t) = sqrt(s) etc.
t = sp.Symbol("t", integer=True, positive=True)
alpha = sp.Symbol("alpha", positive=True)
beta1 = sp.Symbol("beta1", nonnegative=True)
beta2 = sp.Symbol("beta2", positive=True)
lam = sp.Symbol("lambda_", positive=True)
g_t = sp.Symbol("g_t", real=True)
g_next = sp.Symbol("g_t1", real=True)
m_prev = sp.Symbol("m", real=True)  # m_{t-1}
v_prev = sp.Symbol("v", nonnegative=True)  # v_{t-1}
vhat_prev = sp.Symbol("vhat", nonnegative=True)  # v_hat_{t-1}
u = sp.Symbol("u", positive=True)  # stands for a power with a symbolic exponent (see cases)


def _gt(a, b):
    return sp.StrictGreaterThan(a, b, evaluate=False)


def _ge(a, b):
    return sp.GreaterThan(a, b, evaluate=False)


def _lt(a, b):
    return sp.StrictLessThan(a, b, evaluate=False)


def _le(a, b):
    return sp.LessThan(a, b, evaluate=False)


# Z3 does not see SymPy's assumptions: every sign fact is restated as a hypothesis
_BASE_HYPS = [_gt(alpha, 0), _ge(t, 1), _ge(v_prev, 0), _ge(vhat_prev, 0)]
_ADAM_HYPS = [_gt(beta2, 0), _lt(beta2, 1), _ge(beta1, 0), _lt(beta1, 1)]


@dataclass
class Derivation:
    """inv_lr at rounds t and t+1 (one coordinate) and Gamma_{t+1}, as produced by the numerics code."""

    method: str
    hyper: dict
    inv_lr_t: sp.Expr
    inv_lr_next: sp.Expr
    gamma: sp.Expr


def derive(name: str, hyper: dict, round_t=t) -> Derivation:
    """Run ``make(name, **hyper)`` on the sympy backend for rounds t and t+1 from a symbolic state."""
    B = get_backend("sympy")
    meth = make(name, **hyper)
    _, update = meth.build(B)
    if name == "sgd":
        state = SGDState(0)
    elif name == "adagrad":
        state = AdaGradState(v_prev)  # sum of squares up to round t-1
    else:
        state = AdamState(m_prev, v_prev, vhat_prev)
    _, state1, il1 = update(g_t, state, round_t)
    _, _, il2 = update(g_next, state1, round_t + 1)
    return Derivation(name, dict(hyper), il1, il2, il2 - il1)


# ------------------------------------------------------------------------------------------------
@dataclass
class Case:
    """One Gamma verdict: a method configuration and how to decide it."""

    key: str
    method: str
    hyper: dict
    expect: str  # "psd" | "indefinite"
    hypotheses_text: list[str]
    hyps: list = field(default_factory=list)
    powers: dict = field(default_factory=dict)  # xreplace of symbolic powers before Z3
    witness: dict | None = None  # for indefinite: periodic problem and settings
    extra_witnesses: list = field(default_factory=list)
    lemmas: list = field(default_factory=list)  # names of lemmas used as hypotheses
    round_t: object = t


def _cases() -> list[Case]:
    sq = "alpha_t = alpha/sqrt(t), alpha > 0"
    adam_h = "0 < beta2 < 1, 0 <= beta1 < 1"
    return [
        Case("sgd", "sgd", dict(alpha=alpha, schedule="sqrt"), "psd", [sq, "t >= 1"], _BASE_HYPS),
        Case("adagrad", "adagrad", dict(alpha=alpha, schedule="sqrt"), "psd",
             [sq, "t >= 1", "V_t = diag(sum_{s<=t} g_s^2)/t"], _BASE_HYPS),
        Case("rmsprop", "rmsprop", dict(alpha=alpha, beta2=beta2, schedule="sqrt"), "indefinite",
             [sq, "0 < beta2 < 1"],
             witness=dict(pattern=[3, -1, -1], T=2, x1=1, at=2,
                          hyper=dict(alpha=Fraction(1, 2), beta2=Fraction(1, 10), schedule="sqrt"),
                          source="Theorem 1 instance, C = 3, beta2 = 1/(1+C^2) (paper §3, F3 (docs/references.md))")),
        Case("adam", "adam", dict(alpha=alpha, beta1=beta1, beta2=beta2, schedule="sqrt"), "indefinite",
             [sq, adam_h],
             witness=dict(pattern=[3, -1, -1], T=2, x1=1, at=2,
                          hyper=dict(alpha=Fraction(1, 2), beta1=0, beta2=Fraction(1, 100), schedule="sqrt"),
                          source="Kingma & Ba-scaled example: C = 3, beta1 = 0, beta2 = 1/100 "
                                 "(docs/references.md, literature §2; Gamma_2 = -3.0318)"),
             extra_witnesses=[dict(pattern=[3, -1, -1], T=2, x1=1, at=2,
                                   hyper=dict(alpha=Fraction(1, 2), beta1=0, beta2=Fraction(1, 10),
                                              schedule="sqrt"),
                                   source="Theorem 1 instance, C = 3, beta2 = 1/10 (F3 (docs/references.md))")]),
        Case("amsgrad", "amsgrad", dict(alpha=alpha, beta1=beta1, beta2=beta2, schedule="sqrt"), "psd",
             [sq, adam_h, "paper variant (Algorithm 2)"], _BASE_HYPS + _ADAM_HYPS),
        Case("adamnc", "adamnc", dict(alpha=alpha, beta1=beta1, schedule="sqrt"), "psd",
             [sq, "beta_{2t} = 1 - 1/t (Corollary 2)", "0 <= beta1 < 1"],
             _BASE_HYPS + [_ge(beta1, 0), _lt(beta1, 1)]),
        Case("adamx", "adamx", dict(alpha=alpha, beta1=beta1, beta2=beta2, schedule="sqrt",
                                    beta1_schedule="geometric", lam=lam), "psd",
             [sq, adam_h, "beta_{1t} = beta1 lambda^(t-1), 0 < lambda <= 1 (non-increasing)", "t >= 2"],
             _BASE_HYPS + _ADAM_HYPS + [_gt(lam, 0), _le(lam, 1), _ge(t, 2), _gt(u, 0), _le(u, 1)],
             powers={lam ** (t - 2): u, lam ** (t - 1): lam * u, lam ** t: lam ** 2 * u}),
        Case("adamx-first-round", "adamx", dict(alpha=alpha, beta1=beta1, beta2=beta2, schedule="sqrt",
                                                beta1_schedule="geometric", lam=lam), "psd",
             [sq, adam_h, "beta_{1t} = beta1 lambda^(t-1), 0 < lambda <= 1", "Gamma_2 (t = 1 uses v_hat_1 = v_1)"],
             [_gt(alpha, 0), _ge(v_prev, 0), _ge(vhat_prev, 0), _gt(lam, 0), _le(lam, 1)] + _ADAM_HYPS, round_t=1),
        Case("amsgrad-pytorch", "amsgrad", dict(alpha=alpha, beta1=beta1, beta2=beta2, schedule="sqrt",
                                                variant="pytorch"), "psd",
             [sq, adam_h, "eps = 0", "lemma: t/(1 - beta2^t) is non-decreasing in t"],
             _BASE_HYPS + _ADAM_HYPS + [_gt(u, 0), _lt(u, 1), _ge((t + 1) * (1 - u), t * (1 - beta2 * u))],
             powers={beta2 ** t: u, beta2 ** (t + 1): beta2 * u}, lemmas=["bias-correction-monotone"]),
        Case("amsgrad-pytorch-constant", "amsgrad",
             dict(alpha=alpha, beta1=beta1, beta2=beta2, schedule="constant", variant="pytorch"),
             "indefinite", ["constant alpha_t = alpha", adam_h, "eps = 0"],
             witness=dict(pattern=[1, 0], values=True, T=2, x1=0, at=2,
                          hyper=dict(alpha=1, beta1=Fraction(9, 10), beta2=Fraction(999, 1000),
                                     schedule="constant", variant="pytorch"),
                          source="spike input g_1 = 1, g_t = 0 (docs/references.md, implementations §2)")),
    ]


CASES = {c.key: c for c in _cases()}


# ------------------------------------------------------------------------------------------------
def bias_correction_lemma() -> Verdict:
    """t / (1 - b^t) is non-decreasing in real t >= 1 for 0 < b < 1 (docs/references.md, implementations §2).

    d/dt [t/(1-b^t)] = (1 - b^t + t b^t log b) / (1-b^t)^2.  With w = b^t in (0, 1) and t log b = log w the
    numerator is h(w) = 1 - w + w log w;  h(1) = 0 and h'(w) = log w < 0 on (0, 1), so h > 0 there.
    Each equality is checked by SymPy; the sign facts are elementary.  The discrete form used by Z3 is
    (t+1)(1 - w) >= t (1 - b w) with w = b^t.
    """
    start = time.perf_counter()
    tt, b, w = sp.symbols("tt b w", positive=True)
    f = tt / (1 - b ** tt)
    num = sp.simplify(sp.diff(f, tt) * (1 - b ** tt) ** 2)
    h = 1 - w + w * sp.log(w)
    ok1 = sp.simplify(num - h.subs(w, b ** tt).subs(sp.log(b ** tt), tt * sp.log(b))) == 0 or \
        sp.simplify(sp.expand_log(num - h.subs(w, b ** tt), force=True)) == 0
    ok2 = h.subs(w, 1) == 0
    ok3 = sp.simplify(sp.diff(h, w) - sp.log(w)) == 0
    status = PROVED if (ok1 and ok2 and ok3) else UNKNOWN
    return Verdict(status, "t/(1-beta2^t) non-decreasing for t >= 1, 0 < beta2 < 1",
                   "sympy: derivative identity, h(1) = 0, h'(w) = log w < 0 on (0,1)",
                   ["0 < beta2 < 1", "t >= 1"],
                   reason=None if status == PROVED else "a SymPy identity did not simplify to 0",
                   seconds=time.perf_counter() - start)


def prove_psd(case: Case) -> tuple[Verdict, Derivation]:
    der = derive(case.method, case.hyper, case.round_t)
    # alpha > 0: the sign of Gamma is that of alpha * Gamma, which is free of 1/alpha
    expr = der.gamma.xreplace(case.powers) if case.powers else der.gamma
    expr = sp.expand(expr * alpha)
    v = prove_nonneg(expr, case.hyps, claim=f"Gamma_(t+1) >= 0 for {case.key}")
    v.hypotheses = list(case.hypotheses_text)
    for name in case.lemmas:
        lem = bias_correction_lemma()
        if not lem.proved:
            v.status, v.reason = UNKNOWN, f"lemma {name} not proved"
        v.method += f"; lemma {name}: {lem.status} ({lem.method})"
    return v, der


def witness_run(case: Case, spec: dict) -> dict:
    """Run the witness exactly on the sympy backend; Gamma at round ``at`` with its certified sign."""
    B = get_backend("sympy")
    meth = make(case.method, **spec["hyper"])
    prob = Periodic(pattern=list(spec["pattern"]), name="witness")
    inv = {}

    def on_step(tt, x, g, il, state):
        inv[tt] = il

    run(meth, prob, spec["T"], x1=spec["x1"], backend=B, checkpoints=[], on_step=on_step)
    k = spec["at"]
    gam = sp.simplify(inv[k] - inv[k - 1])
    sgn = interval.sign(gam)
    return {
        "method": case.method,
        "hyper": {kk: str(vv) for kk, vv in spec["hyper"].items()},
        "gradients": [str(Fraction(p)) for p in spec["pattern"]][: spec["T"]],
        "x1": str(spec["x1"]),
        "t": k,
        "coordinate": 0,
        "inv_lr": {str(kk): str(vv) for kk, vv in sorted(inv.items())},
        "gamma": str(gam),
        "gamma_srepr": sp.srepr(gam),
        "gamma_value": interval.enclose(gam),
        "gamma_float": float(sp.N(gam, 30)),
        "sign_certified": sgn,
        "source": spec["source"],
    }


def _claim(der: Derivation) -> str:
    """The claim's text: Gamma_{t+1} as the numerics code derived it (as ``python -m analysis`` prints it).

    Not ``sympy.simplify``-ed: on the nested Max of AMSGrad / AdamX, simplify spent about 5.5 CPU-s over the
    cases (3.2 s for AdamX alone; Max re-evaluation searches for dominated arguments) to move 1/alpha out of
    the sum and flip two signs -- a display change only; the proof works on its own expanded form."""
    return f"Gamma_(t+1) = {der.gamma} >= 0"


def verdict(key: str) -> Verdict:
    """The verdict of one case: PROVED (psd) / REFUTED (indefinite, exact witness) / UNKNOWN."""
    case = CASES[key]
    if case.expect == "psd":
        v, der = prove_psd(case)
        v.witness = None
        v.claim = _claim(der)
        return v
    start = time.perf_counter()
    der = derive(case.method, case.hyper, case.round_t)
    ws = [witness_run(case, case.witness)] + [witness_run(case, w) for w in case.extra_witnesses]
    secs = time.perf_counter() - start
    claim = _claim(der)
    if ws[0]["sign_certified"] < 0:
        w = dict(ws[0])
        if len(ws) > 1:
            w["other_witnesses"] = ws[1:]
        return Verdict(REFUTED, claim, "exact sympy run; sign certified in arb ball arithmetic",
                       list(case.hypotheses_text), witness=w, seconds=secs)
    return Verdict(UNKNOWN, claim, "exact sympy run", list(case.hypotheses_text),
                   reason=f"witness Gamma sign {ws[0]['sign_certified']} is not certified negative",
                   seconds=secs)


def all_verdicts() -> dict[str, Verdict]:
    return {k: verdict(k) for k in CASES}


def gamma_json(verdicts: dict[str, Verdict] | None = None) -> dict:
    """``{method: {"verdict": "psd"|"indefinite"|"unknown", "witness": ..., ...}}`` for ``--json``."""
    verdicts = verdicts if verdicts is not None else all_verdicts()
    out = {}
    for k, v in verdicts.items():
        word = {PROVED: "psd", REFUTED: "indefinite"}.get(v.status, "unknown")
        out[k] = {"verdict": word, "witness": v.witness, "hypotheses": v.hypotheses,
                  "claim": v.claim, "method": v.method, "reason": v.reason,
                  "seconds": round(v.seconds, 3)}
    return out


_CACHE: dict[str, Verdict] = {}


def cached_verdict(key: str) -> Verdict:
    """:func:`verdict`, memoised per process (tests and the notebook ask for the same cases)."""
    if key not in _CACHE:
        _CACHE[key] = verdict(key)
    return _CACHE[key]
