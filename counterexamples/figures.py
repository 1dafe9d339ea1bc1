"""The toolkit's figures: the Figure 1 analogue.

Pure functions of results that the CLIs already compute (``simulate``'s JSON record), plus a path;
each writes one figure
atomically (``numerics.cli.write_atomic``) in the format its extension names (png, pdf, svg) and
returns the matplotlib figure.  Labels use matplotlib's mathtext (no TeX installation needed); the
colours are the Okabe-Ito colour-blind-safe palette, and every phase also has its own marker or hatch
so that the figures read in grey scale.
"""
from __future__ import annotations

import io
import math
import os
from fractions import Fraction

import numpy as np

from numerics.cli import BadInput, write_atomic

# Okabe & Ito (2008), "Color universal design"
OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000"}
RUN_COLOURS = ("vermillion", "blue", "green", "orange", "purple", "sky", "black")
FORMATS = ("png", "pdf", "svg")
PHASE_COLOURS = {"diverges": OKABE_ITO["vermillion"], "converges": OKABE_ITO["blue"],
                 "undecided": "#DDDDDD"}
# the paper's hyper-parameter settings (Section 5 and its experiments: beta2 in {0.99, 0.999})
PAPER_SETTINGS = ((Fraction(9, 10), Fraction(99, 100)), (Fraction(9, 10), Fraction(999, 1000)))


def plot_format(path: str, arg: str = "--plot") -> str:
    """The output format named by ``path``'s extension; BadInput (one line) if it is not png/pdf/svg."""
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    if ext not in FORMATS:
        raise BadInput(f"{arg}: the file name must end in .png, .pdf or .svg (got {path!r})")
    return ext


def _pyplot():
    try:
        import matplotlib

        if not _interactive():
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise BadInput("plots need matplotlib (pip install 'adam-beyond[plot]')")
    return plt


def _interactive() -> bool:
    """True inside IPython/Jupyter, where the inline backend must stay in charge."""
    try:
        from IPython import get_ipython  # noqa: PLC0415

        return get_ipython() is not None
    except ImportError:
        return False


def _save(fig, path: str | None, arg: str = "--plot", dpi: int = 110):
    if path is not None:
        fmt = plot_format(path, arg)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight",
                    metadata={"Software": "adam-beyond"} if fmt == "png" else None)
        write_atomic(path, buf.getvalue())
    if not _interactive():
        _pyplot().close(fig)
    return fig


def _q(x) -> Fraction:
    return Fraction(str(x))


def _fmt_q(x) -> str:
    """'9/10' -> '0.9' when the decimal is exact and short, else the fraction."""
    f = _q(x)
    d = f.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        s = f"{float(f):.10g}"
        if len(s) <= 10:
            return s
    return str(f)


# ------------------------------------------------------------------------------------------------
# Figure 1
def worst_point_regret(out: dict) -> dict | None:
    """R_t/t of the fixed point furthest from the optimum, at the run's checkpoints (exact, 1-D).

    The problem is rebuilt from its description (name, parameters, seed) by
    :func:`analysis.families.build`; returns ``{"x": worst point, "t": [...], "avg_regret": [...]}``
    or None when the problem is not one-dimensional."""
    from numerics.backends import NumpyBackend

    from analysis.families import PARAMETERS, build

    pr = out["problem"]
    if pr.get("d") != 1 or pr["name"] not in PARAMETERS:
        return None
    kw = {k: pr[k] for k in PARAMETERS[pr["name"]] if k in pr and k != "eps"}
    fam = build(pr["name"], seed=out.get("seed", (out.get("meta") or {}).get("seed") or 0), **kw)
    ts = sorted({c["t"] for r in out["runs"] for c in r["checkpoints"]})
    if not ts:
        return None
    g = np.fromiter((float(np.ravel(v)[0]) for v in fam.sequence.gradients(NumpyBackend(), ts[-1], True)),
                    float, count=ts[-1])
    S = np.cumsum(g)
    lo, hi = float(fam.sequence.lo), float(fam.sequence.hi)
    x_w = hi if S[-1] > 0 else lo  # the optimum is the other corner
    St = S[np.array(ts) - 1]
    reg = St * x_w - np.minimum(St * lo, St * hi)
    return {"x": x_w, "optimum": lo if x_w == hi else hi, "t": ts, "avg_regret": (reg / np.array(ts)).tolist()}


def _hyper_text(runs: list[dict]) -> str:
    keys = ("alpha", "beta1", "beta2", "eps", "schedule")
    sym = {"alpha": r"\alpha", "beta1": r"\beta_1", "beta2": r"\beta_2", "eps": r"\epsilon"}
    parts = []
    for k in keys:
        vals = {str(r["hyper"].get(k)) for r in runs if r["hyper"].get(k) is not None}
        if len(vals) == 1:
            v = vals.pop()
            if k == "schedule":
                parts.append(r"$\alpha_t=\alpha/\sqrt{t}$" if v == "sqrt" else r"$\alpha_t=\alpha$")
            else:
                parts.append(f"${sym[k]}={_fmt_q(v)}$")
    x1 = {r["x1"] for r in runs}
    if len(x1) == 1:
        parts.append(f"$x_1={_fmt_q(x1.pop())}$")
    T = {r["T"] for r in runs}
    if len(T) == 1:
        parts.append(f"$T=10^{{{math.log10(T.pop()):.3g}}}$")
    return ", ".join(parts)


def _label(r: dict) -> str:
    name = {"adam": "Adam", "amsgrad": "AMSGrad", "adamnc": "AdamNC", "adagrad": "AdaGrad", "sgd": "SGD",
            "rmsprop": "RMSProp", "adamx": "AdamX"}.get(r["optimizer"], r["optimizer"])
    return name if r.get("variant", "paper") == "paper" else f"{name} ({r['variant']})"


def figure1(out: dict, path: str | None = None, stochastic: dict | None = None):
    """The Figure 1 analogue from ``simulate``'s record ``out`` (and optionally a second record of the
    stochastic problem for the third panel).

    Left: the average regret R_t/t on log-log axes, with the fixed worst point's R_t/t for reference
    (the optimum has R_t/t = 0).  Centre: the iterate x_t with the optimum and the worst point as
    horizontal lines.  Right (``stochastic``): x_t on the stochastic problem.  The shared
    hyper-parameters are printed under the title."""
    plt = _pyplot()
    npanel = 3 if stochastic is not None else 2
    fig, axes = plt.subplots(1, npanel, figsize=(4.6 * npanel, 3.9), layout="constrained")
    ax_r, ax_x = axes[0], axes[1]
    worst = worst_point_regret(out)
    colours = {}
    for k, r in enumerate(out["runs"]):
        col = OKABE_ITO[RUN_COLOURS[k % len(RUN_COLOURS)]]
        colours[_label(r)] = col
        t = np.array([c["t"] for c in r["checkpoints"]])
        R = np.array([c["avg_regret"] for c in r["checkpoints"]])
        pos = R > 0
        ax_r.plot(t[pos], R[pos], color=col, lw=1.8, label=_label(r))
        ax_x.plot(t, [c["x"] for c in r["checkpoints"]], color=col, lw=1.8, label=_label(r))
        ax_r.annotate(f"{R[-1]:.3g}", (t[-1], R[-1]), xytext=(4, 0), textcoords="offset points",
                      color=col, fontsize=8, va="center")
    if worst is not None:
        ax_r.plot(worst["t"], worst["avg_regret"], color="0.3", ls="--", lw=0.8,
                  label=f"fixed worst point $x={worst['x']:+g}$")
        for y, txt, ls in ((worst["optimum"], r"optimum $x^*=%+g$" % worst["optimum"], ":"),
                           (worst["x"], r"worst point $x=%+g$" % worst["x"], "--")):
            ax_x.axhline(y, color="k", ls=ls, lw=1, label=txt)
    ax_r.set_yscale("log")
    ax_r.set_ylabel(r"average regret $R_t/t$ (log scale)")
    ax_r.set_title(r"online: $R_t/t$ (optimum: $R_t/t=0$)", fontsize=10)
    ax_x.set_ylabel(r"iterate $x_t$")
    ax_x.set_title(r"online: iterate $x_t$", fontsize=10)
    lo, hi = (float(v) for v in out["problem"]["box"])
    ax_x.set_ylim(lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo))
    if stochastic is not None:
        ax_s = axes[2]
        for r in stochastic["runs"]:
            col = colours.get(_label(r), OKABE_ITO["black"])
            ax_s.plot([c["t"] for c in r["checkpoints"]], [c["x"] for c in r["checkpoints"]], color=col,
                      lw=1.8, label=_label(r))
        ws = worst_point_regret(stochastic)
        if ws is not None:
            ax_s.axhline(ws["optimum"], color="k", ls=":", lw=1, label=r"optimum $x^*=%+g$" % ws["optimum"])
            ax_s.axhline(ws["x"], color="k", ls="--", lw=1, label=r"worst point $x=%+g$" % ws["x"])
        ax_s.set_ylim(lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo))
        ax_s.set_ylabel(r"iterate $x_t$")
        ax_s.set_title(f"stochastic: iterate $x_t$ (seed {stochastic.get('seed', 0)})", fontsize=10)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel(r"round $t$")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7.5, loc="best", framealpha=0.9)
    pr = out["problem"]
    runs = out["runs"] + (stochastic["runs"] if stochastic else [])
    fig.suptitle(f"{pr['name']}: Figure 1 analogue (Reddi, Kale & Kumar 2018)\n{_hyper_text(runs)}",
                 fontsize=10)
    return _save(fig, path)


# ------------------------------------------------------------------------------------------------
# phase diagram on (log10(1 - beta2), beta1)
