"""Which of our definitions is a library optimizer?  Compare its trajectory with every variant.

The candidates are the switch grid of :func:`numerics.optimizers.adam` / ``amsgrad`` (spec
docs/references.md, implementations §1.5): the running max (Adam or AMSGrad) x bias correction of m (yes / no) x where
the bias correction of v sits ('none', 'before_max' = optax, 'after_max' = PyTorch, 'in_lr' = Keras) x
where eps sits (inside the root: the paper's eq. 3; outside: the libraries'), each also with beta1 = 0
(RMSProp, paper §2), plus projected SGD and the paper's AdaGrad under both step schedules.  Switch
combinations that coincide exactly are run once: without the max, 'before_max' = 'after_max'; with
beta1 = 0 the m correction is 1 - 0^t = 1; with eps = 0 its place does not matter.

Each candidate runs through :func:`numerics.run.run` on the same problem from the same x_1 with the
library's hyper-parameters (the same doubles), and the answer is the candidate with the smallest
max_{t <= N} |x_t(library) - x_t(candidate)|, with every candidate's deviation kept for the record.
Labels say how to rebuild the candidate: ``amsgrad/optax(bias_correction_v=none)`` is
``make('amsgrad', variant='optax', bias_correction_v='none', ...)``.

Gamma_{t+1} = sqrt(V_{t+1})/alpha_{t+1} - sqrt(V_t)/alpha_t (the paper's eq. 2) is read off the same runs
(``inv_lr`` of numerics.optimizers); the sign check reports min_t Gamma_t for the closest candidate.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from numerics.optimizers import VARIANTS, applicable, make
from numerics.run import run

ORDER = ("paper", "pytorch", "optax", "keras")
EXACT_MATCH = 1e-12  # the bar for "is this definition" in float64

__all__ = ["ORDER", "EXACT_MATCH", "Candidate", "Comparison", "label", "expected_label", "candidates",
           "candidate_method", "trajectory", "final", "compare"]


@dataclass
class Candidate:
    label: str
    name: str  # numerics.optimizers method name
    kwargs: dict  # arguments of make() besides the problem's numbers


@dataclass
class Comparison:
    label: str
    max_deviation: float
    first_t: int  # first round at which the deviation exceeds EXACT_MATCH (0 if never)
    gamma_min: float
    gamma_min_t: int
    gamma_scale: float = 1.0  # max_t |sqrt(V_t)/alpha_t|, the size float rounding in Gamma_t is relative to


def _preset_for(bcm: bool, bcv: str, eps_inside: bool) -> tuple[str, dict]:
    """The preset needing the fewest overrides (eps inside the root exists only in 'paper')."""
    best = None
    for name in ORDER:
        sw = VARIANTS[name]
        if sw["eps_inside"] != eps_inside:
            continue
        over = {}
        if sw["bias_correction_m"] != bcm:
            over["bias_correction_m"] = bcm
        if sw["bias_correction_v"] != bcv:
            over["bias_correction_v"] = bcv
        if best is None or len(over) < len(best[1]):
            best = (name, over)
    return best


def label(method: str, bias_correction_m: bool, bias_correction_v: str, eps_inside: bool = False,
          beta1_zero: bool = False, *, beta1=None, eps=None) -> str:
    """The canonical name of a switch combination, and the make() arguments that build it.

    Switches that cannot matter for the given numbers are free, and the name uses the value that needs
    the fewest overrides: the m correction when beta1 = 0 (1 - 0^t = 1), eps's place when eps = 0, and
    'before_max' vs 'after_max' for Adam (no max).  So every name denotes one trajectory.
    """
    ms = (True, False) if (beta1_zero or (beta1 is not None and Fraction(beta1) == 0)) else (bias_correction_m,)
    es = (False, True) if (eps is not None and Fraction(eps) == 0) else (eps_inside,)
    vs = ("after_max", "before_max") if (method == "adam" and bias_correction_v in
                                         ("after_max", "before_max")) else (bias_correction_v,)
    best = None
    for e in es:
        for m in ms:
            for v in vs:
                variant, over = _preset_for(m, v, e)
                key = (len(over), ORDER.index(variant))
                if best is None or key < best[0]:
                    best = (key, variant, over, dict(variant=variant, bias_correction_m=m, bias_correction_v=v))
    _, variant, over, kw = best
    parts = (["beta1=0"] if beta1_zero else []) + [f"{k}={v}" for k, v in over.items()]
    return f"{method}/{variant}" + (f"({','.join(parts)})" if parts else ""), kw


def expected_label(expected: dict | None, hyper: dict) -> str | None:
    """The candidate name of a driver's expected switches (see drive.Setup.expected)."""
    if expected is None:
        return None
    if expected["method"] in ("sgd", "adagrad"):
        return expected["label"]
    return label(expected["method"], expected["bias_correction_m"], expected["bias_correction_v"],
                 expected.get("eps_inside", False), beta1=hyper["beta1"], eps=hyper.get("eps", 0))[0]


def candidates(beta1, eps, eps_root=0, schedule: str = "sqrt") -> list[Candidate]:
    out, seen = [], set()
    for b1_zero in ((False, True) if Fraction(beta1) != 0 else (False,)):
        b1 = 0 if b1_zero else beta1
        for ams in (False, True):
            method = "amsgrad" if ams else "adam"
            for bcm in (True, False):
                for bcv in ("none", "before_max", "after_max", "in_lr"):
                    for eps_inside in (False, True):
                        name, kw = label(method, bcm, bcv, eps_inside, b1_zero, beta1=b1, eps=eps)
                        if name in seen:
                            continue
                        seen.add(name)
                        if b1_zero:
                            kw["beta1"] = 0
                        out.append(Candidate(name, method, kw))
    out.append(Candidate(f"sgd(schedule={schedule})", "sgd", {}))
    for sch in ("sqrt", "constant"):
        out.append(Candidate(f"adagrad(schedule={sch})", "adagrad", {"schedule": sch}))
    return out


def candidate_method(c: Candidate, hyper: dict, schedule: str):
    """The :class:`numerics.optimizers.Method` that the candidate ``c`` stands for, at the library's numbers.

    ``hyper`` holds the library's alpha, beta1, beta2 (and eps, eps_root, 0 when absent); each goes to
    :func:`numerics.optimizers.make` where the candidate's optimizer has it (beta1 means nothing to SGD),
    with the step schedule alpha_t = alpha / sqrt(t) (``'sqrt'``) or alpha (``'constant'``).  The paper's
    AdaGrad has no eps (torch's, outside the root, is not modelled), so it gets eps = 0.  The candidate's
    own switches (``c.kwargs``: the variant, the bias corrections, beta1 = 0 for RMSProp) go to ``make``
    as they are, so a wrong one is an error.  The conformance runs and :mod:`counterexamples.check`'s
    identification both build a candidate's method here.

    >>> h = dict(alpha=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    >>> c = next(c for c in candidates(0.9, 1e-8) if c.label.startswith("adagrad"))
    >>> m = candidate_method(c, h, "sqrt")
    >>> m.name, m.numbers["eps"]
    ('adagrad', 0)
    """
    # the shared hyper-parameters, where the candidate has them (beta1 means nothing to SGD); its own
    # keywords (c.kwargs) go to make as they are, so a wrong one is an error
    kw = applicable(c.name, dict(alpha=hyper["alpha"], beta1=hyper["beta1"], beta2=hyper["beta2"],
                                 eps=hyper.get("eps", 0), eps_root=hyper.get("eps_root", 0), schedule=schedule))
    if c.name == "adagrad":
        kw["eps"] = 0  # the paper's AdaGrad has no eps; torch's sits outside the root (not modelled)
    kw.update(c.kwargs)
    return make(c.name, **kw)


def trajectory(c: Candidate, hyper: dict, schedule: str, problem, N: int, x1):
    """Points played x_1..x_N (shape (N, d)) and inv_lr_1..inv_lr_N of our definition ``c``."""
    xs, inv = [], []

    def on_step(t, x_t, g_t, inv_lr, state):
        xs.append(x_t)
        inv.append(inv_lr)

    d = problem.d
    x_start = float(Fraction(x1)) if d == 1 else np.full(d, float(Fraction(x1)))
    run(candidate_method(c, hyper, schedule), problem, N, prescribed="record", x1=x_start, checkpoints=[],
        on_step=on_step)
    return (np.asarray(xs, dtype=np.float64).reshape(N, d),
            np.asarray(inv, dtype=np.float64).reshape(N, -1))


def final(label: str, hyper: dict, schedule: str, problem, T: int, x1) -> tuple[float, float]:
    """(x_T, R_T/T) of the candidate ``label`` over the whole horizon (final iterate, as numerics.run)."""
    c = next(c for c in candidates(hyper["beta1"], hyper.get("eps", 0), hyper.get("eps_root", 0), schedule)
             if c.label == label)
    d = problem.d
    x_start = float(Fraction(x1)) if d == 1 else np.full(d, float(Fraction(x1)))
    res = run(candidate_method(c, hyper, schedule), problem, T, prescribed="record", x1=x_start, checkpoints=[])
    return np.asarray(res.x_T, dtype=np.float64).reshape(d), float(res.avg_regret)


def compare(library_xs: np.ndarray, hyper: dict, schedule: str, problem, x1,
            only: list[str] | None = None) -> list[Comparison]:
    """Every candidate's max deviation from the library over the rounds in ``library_xs``, best first."""
    N = len(library_xs)
    out = []
    for c in candidates(hyper["beta1"], hyper.get("eps", 0), hyper.get("eps_root", 0), schedule):
        if only is not None and c.label not in only:
            continue
        xs, inv = trajectory(c, hyper, schedule, problem, N, x1)
        with np.errstate(invalid="ignore"):
            dev = np.abs(xs - library_xs).max(axis=1)
        dev = np.where(np.isnan(dev), np.inf, dev)
        over = np.nonzero(dev > EXACT_MATCH)[0]
        gam = np.diff(inv, axis=0).min(axis=1) if N > 1 else np.zeros(0)
        gi = int(np.argmin(gam)) if len(gam) else -1
        out.append(Comparison(c.label, float(dev.max()) if N else 0.0,
                              int(over[0]) + 1 if len(over) else 0,
                              float(gam[gi]) if gi >= 0 else float("nan"), gi + 2 if gi >= 0 else 0,
                              float(np.abs(inv).max()) if N else 1.0))
    out.sort(key=lambda r: r.max_deviation)
    return out
