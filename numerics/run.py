"""Run one method on one linear online problem and measure the exact regret.

R_T = sum_{t<=T} f_t(x_t) - min_{x in F} sum_{t<=T} f_t(x); for linear f_t the minimum is attained at
a vertex, coordinate i at lo or hi by the sign of sum_t c_{t,i}, so it is computed exactly.

Reported iterates (the convention of docs/paper.md, e.g. fact F5 "final iterate x_T"):
``x_T`` is the *final iterate*, the point after T updates (x_{T+1} in the paper's indexing, the one
that would play round T+1); ``x_played`` is the point x_T of the paper that played round T and enters
R_T.  ``x_next`` is an alias of ``x_T``.  Checkpoints use the same rule: at t, x is the iterate after
t updates and R_t/t uses x_1..x_t.
"""
from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .backends import Backend, FloatBackend, NumpyBackend, to_fraction
from .optimizers import Method
from .problems import LinearProblem
from .projection import project_box
from .schedules import FIRST_ROUND


@dataclass
class Checkpoint:
    t: int
    x: Any  # the iterate after t updates
    regret: Any  # R_t = sum_{s<=t} f_s(x_s) - min_x sum_{s<=t} f_s(x)

    @property
    def avg_regret(self):
        return self.regret / self.t


@dataclass
class RunResult:
    """What :func:`run` returns: the method and its exact hyper-parameters, the problem's record, T, the final
    iterate ``x_T`` (after T updates), ``x_played`` (the point that played round T), the regret
    R_T = sum_t f_t(x_t) - min_{x in F} sum_t f_t(x) and R_T/T, the checkpoints (t, x after t updates, R_t),
    the backend's record and, for a named family, its prescription.

    >>> from numerics import Periodic, get_backend, run, sgd
    >>> r = run(sgd(alpha=1), Periodic(pattern=[1, -1]), 2, backend=get_backend("sympy"))
    >>> r.x_played, r.x_T, r.regret   # x_2 = P_F(0 - 1) = -1, x_3 = -1 + 1/sqrt(2); R_2 = 1*0 + (-1)(-1) - min_x 0x
    (-1, -1 + sqrt(2)/2, 1)
    """
    method: str
    hyper: dict
    problem: dict
    T: int
    x_T: Any  # final iterate, after T updates
    x_played: Any  # the point that played round T
    regret: Any
    avg_regret: Any
    checkpoints: list[Checkpoint] = field(default_factory=list)
    backend: dict = field(default_factory=dict)
    # for a named family's sequence: what the family prescribes and where this run departs from it
    # (see :func:`prescription`); None for a problem that prescribes nothing
    prescription: dict | None = None

    @property
    def x_next(self):
        return self.x_T


class PrescriptionWarning(UserWarning):
    """A family's sequence was run with other hyper-parameters (or start) than the family prescribes."""


class PrescriptionError(ValueError):
    """``run(..., prescribed="error")`` on a family's sequence with other hyper-parameters than it prescribes."""


def _same(a, b) -> bool:
    if isinstance(a, str) and not _numeric(a) or isinstance(b, str) and not _numeric(b):
        return str(a) == str(b)
    arr = np.asarray(a, dtype=object)
    try:
        want = to_fraction(b)
        # a float given for an exact value (0.9 for 9/10) follows it when it is that value's float
        return all(float(v) == float(want) if isinstance(v, (float, np.floating)) else to_fraction(v) == want
                   for v in arr.ravel())
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return str(a) == str(b)


def _numeric(s: str) -> bool:
    try:
        to_fraction(s)
        return True
    except (TypeError, ValueError, ZeroDivisionError):
        return False


def _text(v) -> str:
    if isinstance(v, np.ndarray):
        return f"array{list(v.shape)}" if v.size > 4 else str([str(to_fraction(u)) for u in v.ravel()])
    try:
        return str(to_fraction(v)) if not isinstance(v, str) or _numeric(v) else v
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return str(v)


def prescription(method: Method, problem: LinearProblem, x1=0) -> dict | None:
    """What ``problem``'s family prescribes and where ``method`` started at ``x1`` departs from it.

    A named family (:func:`analysis.families.build`) marks its bare ``sequence`` with the values its
    theorem prescribes (``problem.prescribed``); other problems prescribe nothing (None).  Returns
    ``{"family", "prescribed", "deviations": {key: {"prescribed", "ran"}}, "not_applicable", "follows"}``
    with values as exact text.  A prescribed value that the method does not have (beta1 for SGD) is
    listed under ``not_applicable``, not as a deviation.
    """
    pres = getattr(problem, "prescribed", None)
    if not pres:
        return None
    values = pres.get("hyper", {})
    from .optimizers import FACTORIES, accepted

    # a value fixed by the method's definition (RMSProp's beta1 = 0) is not the caller's choice
    takes = accepted(method.name) if method.name in FACTORIES else tuple(method.hyper)
    dev, na = {}, []
    for key, want in values.items():
        if key == "x1":
            ran = x1
        elif key in method.hyper and key in takes:
            ran = method.hyper[key]
        else:
            na.append(key)
            continue
        if ran is None or not _same(ran, want):
            dev[key] = {"prescribed": _text(want), "ran": _text(ran)}
    return {"family": pres.get("family"), "prescribed": {k: _text(v) for k, v in values.items()},
            "deviations": dev, "not_applicable": na, "follows": not dev}


def check_prescription(method: Method, problem: LinearProblem, x1=0, mode: str = "warn") -> dict | None:
    """:func:`prescription`, then by ``mode``: "warn" (a :class:`PrescriptionWarning` when the run departs),
    "error" (:class:`PrescriptionError`), or "record" (silent: the caller chose the values)."""
    if mode not in ("warn", "error", "record"):
        raise ValueError(f"prescribed must be 'warn', 'error' or 'record' (got {mode!r})")
    rec = prescription(method, problem, x1)
    if rec is None or rec["follows"] or mode == "record":
        return rec
    fam = rec["family"]
    got = ", ".join(f"{k}={v['ran']} (prescribed {v['prescribed']})" for k, v in rec["deviations"].items())
    msg = (f"the {fam!r} family prescribes {', '.join(f'{k}={v}' for k, v in rec['prescribed'].items())}; "
           f"this run of {method.name} departs from it: {got}.  Use analysis.families.build({fam!r}).run(name, T) "
           f"(or .method(name) with x1=.x1) for the theorem's setting; result.prescription records this")
    if mode == "error":
        raise PrescriptionError(msg)
    warnings.warn(msg, PrescriptionWarning, stacklevel=3)
    return rec


def _best_fixed_loss(S, lo, hi, B):
    """min_{x in [lo,hi]^d} <S, x> = sum_i min(lo S_i, hi S_i) = -sum_i max(-lo S_i, -hi S_i)."""
    return -B.sum_last(B.maximum(-lo * S, -hi * S))


def default_checkpoints(T: int) -> list[int]:
    """1, 10, 100, ... below T, and T itself.

    >>> from numerics import default_checkpoints
    >>> default_checkpoints(2500)
    [1, 10, 100, 1000, 2500]
    """
    pts, k = [], 1
    while k < T:
        pts.append(k)
        k *= 10
    return pts + [T]


def run(method: Method, problem: LinearProblem, T: int, x1=0, backend: Backend | None = None,
        checkpoints: Sequence[int] | None = None,
        on_step: Callable[[int, Any, Any, Any, Any], None] | None = None, *,
        prescribed: str = "warn") -> RunResult:
    """Simulate rounds t = 1..T.  ``x1`` is a scalar (all coordinates) or a vector / (N, d) batch.

    ``on_step(t, x_t, g_t, inv_lr_t, state_t)`` is called after each update (for Gamma, bounds, ...).

    On a named family's ``sequence`` the result's ``prescription`` records the family's prescribed
    hyper-parameters and start and any departure from them; ``prescribed`` says what a departure does:
    "warn" (default: a :class:`PrescriptionWarning`), "error" (:class:`PrescriptionError`, before any
    round), "record" (only the record).  ``Family.run`` applies the prescription for you.

    Theorem 1's sequence (C at t mod 3 = 1, else -1, on F = [-1, 1], C = 3, beta1 = 0, beta2 = 1/(1+C^2)):
    Adam goes to x = +1, the worst point, AMSGrad to the optimum x = -1.

    >>> from numerics import Periodic, adam, amsgrad, run
    >>> thm1 = Periodic(pattern=[3, -1, -1])
    >>> run(adam(beta1=0, beta2="1/10"), thm1, 1000).x_T > 0.9
    True
    >>> run(amsgrad(beta1=0, beta2="1/10"), thm1, 1000).x_T
    -1.0

    Exact, on SymPy: after round 1 (g_1 = 3, x_1 = 0) Adam steps alpha_1 g_1/sqrt((1-beta2) g_1^2) = sqrt(10/9)
    and is projected to -1; the regret of round 1 is (x_1 - x*) c_1 = (0 - (-1)) 3.

    >>> from numerics import get_backend
    >>> r = run(adam(beta1=0, beta2="1/10"), thm1, 1, backend=get_backend("sympy"))
    >>> r.x_T, r.regret
    (-1, 3)
    """
    if T < 1:
        raise ValueError(f"T must be >= 1 (got {T})")
    presc = check_prescription(method, problem, x1, prescribed)
    B = backend or NumpyBackend()
    d = problem.d
    x1_arr = np.asarray(x1, dtype=object if not B.batched else np.float64)
    scalar = d == 1 and x1_arr.ndim == 0 and not getattr(B, "arrays_only", False)
    if scalar and type(B) is NumpyBackend:
        B_run = FloatBackend()  # bit-identical IEEE float64, ~20x less overhead for one 1-D path
    else:
        B_run = B
    ctx = B_run.precision() if hasattr(B_run, "precision") else contextlib.nullcontext()
    with ctx:
        res = _run(method, problem, T, x1, B_run, B, scalar, checkpoints, on_step)
    res.prescription = presc
    return res


def _run(method, problem, T, x1, B, B_report, scalar, checkpoints, on_step):
    d = problem.d
    lo, hi = B.num(problem.lo), B.num(problem.hi)
    if scalar:
        x = B.num(x1)
    elif B.batched:
        x = B.num(np.broadcast_to(np.asarray(x1, dtype=np.float64), np.broadcast_shapes(np.shape(x1), (d,))).copy())
        if isinstance(x, np.ndarray) and x.ndim == 1 and x.shape[0] != d:
            raise ValueError(f"x1 has {x.shape[0]} coordinates, the problem has d={d}")
    else:
        xs = np.asarray(x1, dtype=object)
        x = B.num(np.array([xs.item()] * d, dtype=object) if xs.ndim == 0 else xs)
    init, update = method.build(B)
    uses_x = method.rule.uses_x  # the step reads the iterate (decoupled weight decay, ...)
    state = init(x)
    cps = sorted(set(checkpoints if checkpoints is not None else default_checkpoints(T)))
    cps = [c for c in cps if 1 <= c <= T]
    want = set(cps)
    loss = B.num(0)
    S = B.zeros_like(x) if not B.batched else 0 * x
    out: list[Checkpoint] = []
    x_played = x
    for t, g in zip(range(FIRST_ROUND, T + FIRST_ROUND), problem.gradients(B, T, scalar)):
        loss = loss + B.sum_last(g * x)
        S = S + g
        x_played = x_t = x
        step, state, inv_lr = update(g, state, t, x) if uses_x else update(g, state, t)
        x = project_box(x - step, lo, hi, B)
        if t in want:
            out.append(Checkpoint(t, x, loss - _best_fixed_loss(S, lo, hi, B)))
        if on_step is not None:
            on_step(t, x_t, g, inv_lr, state)
    regret = loss - _best_fixed_loss(S, lo, hi, B)
    desc = B_report.describe()
    return RunResult(method.name, method.hyper, problem.describe(), T, x, x_played, regret,
                     regret / T, out, desc)
