"""Evaluate the bounds of :mod:`analysis.bounds` along real runs, in high precision.

A :class:`RunConfig` names a method (AMSGrad paper variant, AdamNC, AdamX, or Kingma & Ba's Adam), its
exact hyper-parameters and a linear online problem on [-1, 1]^d.  :func:`measure` runs it with the
numerics code on the mpmath backend (``dps`` digits), and records at each checkpoint t the true regret
R_t and every data-dependent term of the bounds (docs/paper.md):

    sum_vhat_T_sqrt = sum_i v_hat_{t,i}^(1/2)           sum_g_norm = sum_i ||g_{1:t,i}||_2
    sum_beta1t_vhat = sum_{s<=t} sum_i beta_{1s} v_hat_{s,i}^(1/2) / alpha_s
    moment          = sum_{s<=t} alpha_s sum_i m_{s,i}^2 / v_hat_{s,i}^(1/2)     (the lemma's left side)

together with D_inf = hi - lo, G_inf = max_{s<=t} ||g_s||_inf, gamma and t_0.  :func:`applicable` says
which bounds' hypotheses the run meets; :func:`ratios` gives the tightness ratio quantity / bound (PEPit's
upper-bound style: a ratio <= 1 is consistent with the bound, > 1 refutes it on this run).

Example: AMSGrad on Theorem 1's problem for T = 100 rounds, and the bounds whose hypotheses hold there:

    >>> from analysis.evaluate import RunConfig, applicable, measure, worst
    >>> from analysis.families import build
    >>> cfg = RunConfig(method="amsgrad", problem=build("thm1", C=3).sequence, T=100)
    >>> ok = applicable(cfg)
    >>> ok["thm4-arxiv"], ok["lemma-moment"], ok["kingma-ba-4.1"]
    (True, True, False)
    >>> t, ratio = worst(measure(cfg, checkpoints=[100]))["thm4-arxiv"]
    >>> t, 0 < ratio < 1                                   # regret / bound at T = 100: the bound holds
    (100, True)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from numerics import get_backend, make, run
from numerics import schedules as SCH
from numerics.problems import LinearProblem

from . import symbols as S
from .bounds import BOUNDS, EXTRA
from .conditions import PAPER_DEFAULT

ARGS = S.PARAMETERS + S.DATA
METHODS = ("amsgrad", "adamnc", "adamx", "adam-kb")


@dataclass
class RunConfig:
    method: str  # one of METHODS
    problem: LinearProblem
    T: int
    alpha: Fraction = Fraction(1, 2)
    beta1: Fraction = PAPER_DEFAULT[0]  # the paper's (0.9, 0.99)
    beta2: Fraction = PAPER_DEFAULT[1]
    beta1_schedule: str = "constant"
    lam: Fraction | None = None
    x1: Any = 0
    label: str = ""

    def hyper(self) -> dict:
        h = dict(alpha=self.alpha, beta1=self.beta1, schedule="sqrt", beta1_schedule=self.beta1_schedule,
                 lam=self.lam)
        if self.method == "adamnc":
            return make("adamnc", **h)
        if self.method == "adam-kb":
            # Kingma & Ba: bias-corrected m and v, eps = 0 (the PyTorch preset without the max), run with
            # the configured beta_{1t} schedule (the bound's lambda is the schedule's, not a label)
            from numerics.optimizers import adam_family

            return adam_family("adam-kb", alpha=self.alpha, beta1=self.beta1, beta2=self.beta2, eps=0,
                                schedule="sqrt", variant="pytorch", amsgrad=False,
                                beta1_schedule=self.beta1_schedule, lam=self.lam, beta2_schedule=None,
                                adamx=False, bias_correction_m=None, bias_correction_v=None, eps_root=0)
        return make(self.method, beta2=self.beta2, **h)

    def beta1_t(self, t: int) -> Fraction:
        if self.beta1_schedule == "constant":
            return Fraction(self.beta1)
        if self.beta1_schedule == "geometric":
            return Fraction(self.beta1) * Fraction(self.lam) ** (t - 1)
        return Fraction(self.beta1) / t


@dataclass
class Snapshot:
    t: int
    regret: Any
    values: dict  # symbol name -> mpf (or int for T, d, t_0)
    moment: Any
    cond1: bool  # AdamNC Condition 1 with alpha_t (zeta = alpha) up to t
    cond1_T: bool  # ... with alpha_T, as printed
    cond2: bool  # Gamma_s PSD for s <= t (inv_lr non-decreasing per coordinate)


@dataclass
class Measurement:
    config: RunConfig
    dps: int
    snapshots: list[Snapshot] = field(default_factory=list)


def pp_t0(cfg: RunConfig, T: int) -> int:
    """Smallest t_0 >= 1 with n(1-beta_{1,n+1})^2 <= (n+1)(1-beta_{1,n})^2 for all t_0 <= n < T (exact)."""
    return _pp_t0s(cfg, [T])[T]


def _beta1_ts(cfg: RunConfig, T: int) -> list[Fraction]:
    """[beta_{11}, ..., beta_{1T}] exactly (index t - 1), each as :meth:`RunConfig.beta1_t` gives it."""
    return [cfg.beta1_t(t) for t in range(1, T + 1)]


def _pp_t0s(cfg: RunConfig, Ts, b1s: list[Fraction] | None = None) -> dict[int, int]:
    """{T: pp_t0(cfg, T)} for several T in one pass over n (t_0(T) = 1 + the last failing n < T, else 1),
    instead of one pass per T over exact rationals whose size grows with n (lambda^n)."""
    top = max(Ts)
    b1s = b1s if b1s is not None and len(b1s) >= top else _beta1_ts(cfg, top)
    want, t0 = set(Ts), 1
    out = {T: 1 for T in want if T <= 1}
    for n in range(1, top):
        if n * (1 - b1s[n]) ** 2 > (n + 1) * (1 - b1s[n - 1]) ** 2:
            t0 = n + 1
        if n + 1 in want:
            out[n + 1] = t0
    return out


def _checkpoints(T: int) -> list[int]:
    if T <= 40:
        return list(range(1, T + 1))
    pts = sorted(set([1, 2, 3, 5, 8, 13, 21, 34] + [int(round(T * k / 8)) for k in range(1, 9)]))
    return [p for p in pts if 1 <= p <= T]


def measure(cfg: RunConfig, dps: int = 30, checkpoints: list[int] | None = None) -> Measurement:
    B = get_backend("mpmath", dps=dps)
    ctx = B.ctx
    cps = sorted(set(checkpoints or _checkpoints(cfg.T)))
    want = set(cps)
    d = cfg.problem.d
    a = ctx.mpf(cfg.alpha.numerator) / cfg.alpha.denominator
    b2 = B.num(cfg.beta2)
    acc = dict(gsq=None, G=ctx.mpf(0), sb=ctx.mpf(0), mom=ctx.mpf(0), prev_inv=None, cond1=True, cond1_T=True,
               cond2=True)
    snaps: dict[int, dict] = {}
    one = ctx.mpf(1)
    tol = ctx.mpf(10) ** (-(dps - 5))
    # loop invariants, computed once (the same operations in the same order: the same numbers)
    one_m_tol = 1 - tol
    sqrt_T = ctx.sqrt(cfg.T)
    b1s = _beta1_ts(cfg, cfg.T)

    def as_vec(x):
        return np.asarray(x, dtype=object).reshape(-1)

    def on_step(t, x, g, inv_lr, state):
        gv = as_vec(g)
        acc["gsq"] = gv * gv if acc["gsq"] is None else acc["gsq"] + gv * gv
        acc["G"] = max([acc["G"]] + [abs(u) for u in gv])
        at = a / ctx.sqrt(t)
        vh = as_vec(state.v_hat)
        if cfg.method == "adam-kb":
            vh = vh / (one - b2 ** t)
        sq = np.array([ctx.sqrt(u) for u in vh], dtype=object)
        bt = B.num(b1s[t - 1])
        sum_sq = sum(sq)
        acc["sb"] += bt * sum_sq / at
        m = as_vec(state.m)
        if cfg.method == "adam-kb":
            m = m / (one - B.num(cfg.beta1) ** t)
        acc["mom"] += sum(ctx.mpf(0) if s == 0 else at * mi * mi / s for mi, s in zip(m, sq))
        il = as_vec(inv_lr)
        # the flags only ever turn False: once False, their checks are skipped (same flags, less work)
        if acc["cond2"] and acc["prev_inv"] is not None and any(il[i] < acc["prev_inv"][i] * one_m_tol
                                                                for i in range(d)):
            acc["cond2"] = False
        acc["prev_inv"] = il
        snap = t in want
        if not (snap or acc["cond1"] or acc["cond1_T"]):
            return
        norms = [ctx.sqrt(u) for u in acc["gsq"]]
        # AdamNC Condition 1 (zeta = alpha): sqrt(v_{t,i})/alpha_t >= ||g_{1:t,i}||/zeta, up to rounding
        for i in range(d):
            if not (acc["cond1"] or acc["cond1_T"]):
                break
            rhs = norms[i] / a * one_m_tol
            if acc["cond1"] and sq[i] / at < rhs:
                acc["cond1"] = False
            if acc["cond1_T"] and sq[i] * sqrt_T / a < rhs:
                acc["cond1_T"] = False
        if snap:
            snaps[t] = dict(sum_vhat_T_sqrt=sum_sq, sum_g_norm=sum(norms), sum_beta1t_vhat=acc["sb"],
                            G_inf=acc["G"], moment=acc["mom"], cond1=acc["cond1"], cond1_T=acc["cond1_T"],
                            cond2=acc["cond2"])

    res = run(cfg.hyper(), cfg.problem, cfg.T, prescribed="record", x1=cfg.x1, backend=B, checkpoints=cps, on_step=on_step)
    out = Measurement(cfg, dps)
    gamma_reddi = B.num(cfg.beta1) / ctx.sqrt(b2) if cfg.method != "adamnc" else ctx.mpf(0)
    t0s = _pp_t0s(cfg, [cp.t for cp in res.checkpoints] or [1], b1s)
    for cp in res.checkpoints:
        s = snaps[cp.t]
        vals = dict(T=cp.t, d=d, alpha=a, beta1=B.num(cfg.beta1), beta2=b2, gamma=gamma_reddi,
                    lambda_=B.num(cfg.lam) if cfg.lam is not None else ctx.mpf(0),
                    D_inf=B.num(cfg.problem.hi - cfg.problem.lo), G_inf=s["G_inf"], zeta=a,
                    t_0=t0s[cp.t], sum_vhat_T_sqrt=s["sum_vhat_T_sqrt"], sum_g_norm=s["sum_g_norm"],
                    sum_beta1t_vhat=s["sum_beta1t_vhat"])
        if cfg.method == "adam-kb":
            vals["gamma"] = B.num(cfg.beta1) ** 2 / ctx.sqrt(b2)
        out.snapshots.append(Snapshot(cp.t, cp.regret, vals, s["moment"], s["cond1"], s["cond1_T"], s["cond2"]))
    return out


# ------------------------------------------------------------------------------------------------
_FUNCS: dict[str, Any] = {}


def _func(name: str):
    if name not in _FUNCS:
        b = BOUNDS.get(name) or EXTRA[name]
        _FUNCS[name] = sp.lambdify(ARGS, b.expr, modules="mpmath")
    return _FUNCS[name]


def bound_value(name: str, values: dict, dps: int = 30):
    """The bound ``name`` at the given symbol values (mpmath, ``dps`` digits)."""
    with mpmath.workdps(dps):
        args = [values[s.name] if s.name in ("T", "d", "t_0") else mpmath.mpf(values[s.name]) for s in ARGS]
        return _func(name)(*args)


def applicable(cfg: RunConfig, snap: Snapshot | None = None) -> dict[str, bool]:
    """Which bounds' hypotheses this run meets (checked, not assumed; see Bound.hypotheses)."""
    b1, b2 = Fraction(cfg.beta1), Fraction(cfg.beta2)
    common = 0 <= b1 < 1 and 0 < cfg.alpha
    reddi_gamma = b2 > 0 and b1 * b1 < b2 and b2 < 1  # gamma = beta1/sqrt(beta2) < 1
    geo = cfg.beta1_schedule == "geometric" and cfg.lam is not None and 0 < cfg.lam < 1
    harm = cfg.beta1_schedule == "harmonic"
    ams = cfg.method == "amsgrad" and common and reddi_gamma
    out = {k: False for k in list(BOUNDS) + list(EXTRA)}
    out["thm4-arxiv"] = out["thm4-iclr"] = out["lemma-moment"] = ams
    out["cor1-derived"] = out["cor1-printed"] = ams and geo
    out["pp-4.1-geometric"] = ams and geo
    out["pp-4.1-harmonic"] = ams and harm
    if cfg.method == "adamnc" and common:
        c1 = snap is None or (snap.cond1 and snap.cond2)
        out["thm5"] = out["lemma3-adamnc"] = c1
        out["cor2"] = out["cor2-printed"] = c1 and geo
    if cfg.method == "adamx" and common and reddi_gamma and geo:
        out["adamx-5.1"] = out["adamx-5.1-corrected"] = True
    if cfg.method == "adam-kb" and common and b2 < 1 and b1 * b1 * b1 * b1 < b2 and (geo or b1 == 0):
        out["kingma-ba-4.1"] = True
    return out


def ratios(m: Measurement, names=None) -> dict[str, list[tuple[int, Any]]]:
    """{bound: [(t, quantity_t / bound_t), ...]} over the checkpoints where the bound applies, each ratio
    computed at the measurement's ``dps`` digits whatever the caller's precision."""
    out: dict[str, list] = {}
    for snap in m.snapshots:
        app = applicable(m.config, snap)
        for name, ok in app.items():
            if not ok or (names is not None and name not in names):
                continue
            bv = bound_value(name, snap.values, m.dps)
            with mpmath.workdps(m.dps):  # the run's digits, not the caller's (mpmath's default is 15)
                q = mpmath.mpf(snap.moment if name in ("lemma-moment", "lemma3-adamnc") else snap.regret)
                if bv == 0:  # no gradient yet: the bound is 0 and so must the quantity be
                    r = mpmath.mpf(0) if q <= 0 else mpmath.inf
                else:
                    r = q / bv
            out.setdefault(name, []).append((snap.t, r))
    return out


KB_T = 3000


def kb_projected_config() -> RunConfig:
    """Kingma & Ba 4.1 on Adam projected onto F = [-1, 1]: Theorem 1's sequence, C = 3, beta1 = 0."""
    from numerics import Periodic

    return RunConfig("adam-kb", Periodic(pattern=[3, -1, -1]), KB_T, alpha=Fraction(1, 2), beta1=Fraction(0),
                     beta2=Fraction(1, 10), x1=1, beta1_schedule="geometric", lam=Fraction(1, 2),
                     label="thm1-C3/adam-kingma-ba")


def kb_projected_refutation(dps: int = 30, checkpoints=(3, 30, 300, KB_T)) -> dict:
    """The statement verdict of Kingma & Ba 4.1 in Reddi's projected setting, shared by analysis and proofs."""
    cfg = kb_projected_config()
    rs = ratios(measure(cfg, dps=dps, checkpoints=list(checkpoints)))["kingma-ba-4.1"]
    t, r = rs[-1]
    return {"ratios": {str(tt): float(rr) for tt, rr in rs}, "ratio": float(r), "T": t, "run": cfg.label,
            "hyper": "alpha=1/2, beta1=0, beta2=1/10, bias-corrected, x1=1, projected onto [-1, 1]",
            "dps": dps, "refuted": bool(r > 1),
            "statement": "refuted for projected Adam (Reddi's setting); Kingma & Ba's unprojected algorithm "
                         "is not refuted by this run" if r > 1 else "unknown"}


def worst(m: Measurement, names=None) -> dict[str, tuple[int, float]]:
    """{bound: (t, max ratio)} -- the tightest checkpoint of each applicable bound."""
    return {k: max(((t, float(r)) for t, r in v), key=lambda p: p[1]) for k, v in ratios(m, names).items()}
