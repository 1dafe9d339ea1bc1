"""The toolkit's figures: the Figure 1 analogue, the certified phase diagrams, the threshold map.

Pure functions of results that the CLIs already compute (``simulate``'s JSON record), plus a path;
each writes one figure
atomically (``numerics.cli.write_atomic``) in the format its extension names (png, pdf, svg) and
returns the matplotlib figure.  Labels use matplotlib's mathtext (no TeX installation needed); the
colours are the Okabe-Ito colour-blind-safe palette, and every phase also has its own marker or hatch
so that the figures read in grey scale.

Example (the format a ``--plot`` path asks for; the figures need matplotlib):

    >>> from counterexamples.figures import plot_format
    >>> plot_format("phase.svg"), plot_format("phase.png")
    ('svg', 'png')
"""
from __future__ import annotations

import io
import math
import os
from fractions import Fraction

import numpy as np

from analysis.conditions import PAPER_SETTINGS
from numerics.cli import BadInput, write_atomic

# Okabe & Ito (2008), "Color universal design"
OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000"}
RUN_COLOURS = ("vermillion", "blue", "green", "orange", "purple", "sky", "black")
FORMATS = ("png", "pdf", "svg")
PHASE_COLOURS = {"diverges": OKABE_ITO["vermillion"], "converges": OKABE_ITO["blue"],
                 "undecided": "#DDDDDD"}


def plot_format(path: str, arg: str = "--plot") -> str:
    """The output format named by ``path``'s extension; BadInput (one line) if it is not png/pdf/svg."""
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    if ext not in FORMATS:
        raise BadInput(f"{arg}: the file name must end in .png, .pdf or .svg (got {path!r})")
    return ext


def pyplot():
    """matplotlib.pyplot, on the Agg backend outside IPython/Jupyter; without matplotlib a one-line
    :class:`BadInput` naming the extra to install (the CLIs call it before a run, to fail first)."""
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


def save_figure(fig, path: str | None, arg: str = "--plot", dpi: int = 110):
    """Write ``fig`` to ``path`` atomically (png/pdf/svg by its suffix; a bad suffix is a BadInput naming
    ``arg``), then close it outside IPython; ``path`` None only closes.  Returns ``fig``."""
    if path is not None:
        fmt = plot_format(path, arg)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight",
                    metadata={"Software": "adam-beyond"} if fmt == "png" else None)
        write_atomic(path, buf.getvalue())
    if not _interactive():
        pyplot().close(fig)
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
    plt = pyplot()
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
    return save_figure(fig, path)


# ------------------------------------------------------------------------------------------------
# phase diagrams: the certified cells (linear square or log10(1 - beta2) against beta1), and the threshold map
def cell_paths(mask: np.ndarray, x_edges: np.ndarray, y_edges: np.ndarray):
    """One compound Path of the cells where ``mask[iy, ix]`` is True (None if there is none), so a
    phase is one patch: its hatch runs on across cells and the cells have no seams (the phase diagrams
    here and the zoo's panels, :mod:`counterexamples.zoo.plot`).

    >>> p = cell_paths(np.array([[True, False], [False, True]]), np.array([0, 1, 2]), np.array([0, 1, 2]))
    >>> p.vertices[:5].tolist(), cell_paths(np.zeros((2, 2), bool), [0, 1, 2], [0, 1, 2]) is None
    ([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]], True)
    """
    from matplotlib.path import Path

    verts, codes = [], []
    for iy, ix in zip(*np.nonzero(mask)):
        x0, x1 = sorted((x_edges[ix], x_edges[ix + 1]))
        y0, y1 = sorted((y_edges[iy], y_edges[iy + 1]))
        verts += [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
        codes += [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
    return Path(verts, codes) if verts else None


# a phase is told by colour (Okabe-Ito) and by texture, so that it reads in grey scale too
PHASE_STYLE = {"diverges": dict(facecolor=PHASE_COLOURS["diverges"], hatch="..", edgecolor="#7a3600"),
               "converges": dict(facecolor=PHASE_COLOURS["converges"], hatch=None, edgecolor="none"),
               "undecided": dict(facecolor=PHASE_COLOURS["undecided"], hatch=None, edgecolor="none")}
PHASE_TEXT = {"diverges": r"diverges: $D>0$ on the whole cell (arb)",
              "converges": r"converges: $D<0$ on the whole cell (arb)",
              "undecided": r"undecided: not certified (may contain $D=0$)"}
SIM_MARKERS = {"diverges": dict(marker="^", color="white", mec="black"),
               "converges": dict(marker="o", color="black", mec="white"),
               "undecided": dict(marker="X", color=OKABE_ITO["yellow"], mec="black")}


def _beta2_axis(ax, decades: int, where: str = "top"):
    """A second axis that names beta2 = 1 - 10^x at the decades of x = log10(1 - beta2)."""
    sec = ax.secondary_xaxis(where)
    ticks = list(range(-decades, 1))
    sec.set_xticks(ticks)
    sec.set_xticklabels(["0" if k == 0 else ("0." + "9" * -k if -k <= 4 else f"$1-10^{{{k}}}$")
                         for k in ticks], fontsize=7.5)
    sec.set_xlabel(r"$\beta_2$", fontsize=9)
    return sec


def phase_diagram(grid: dict, path: str | None = None, title: str | None = None):
    """The certified phase diagram of :func:`counterexamples.grid.certified_grid`'s record ``grid``
    (with its optional ``reddi_region`` and ``simulation``, as ``search --exact --grid`` returns it).

    Linear record: beta1 (x) against beta2 (y) on the unit square.  Log record (``axis="log"``):
    log10(1 - beta2) (x, from -decades to 0) against beta1 (y), beta2's values on the top axis.  Cells
    are drawn at their exact edges; the line beta1 = sqrt(beta2) (Theorem 2's beta1 < sqrt(beta2)) and
    the paper's settings are drawn where they fall; the legend lists only what is drawn."""
    plt = pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, PathPatch

    N = grid["N"]
    log = grid.get("axis") == "log"
    labels = np.array(grid["labels"], dtype=object)  # [i (beta1), j (beta2 / log axis)]
    b1_edges = np.arange(N + 1) / N
    if log:
        xe, ye = np.array(grid["log10_one_minus_beta2_edges"]), b1_edges
        img = labels  # rows: beta1 (y), columns: the log axis (x)
    else:
        xe, ye = b1_edges, b1_edges
        img = labels.T  # rows: beta2 (y), columns: beta1 (x)
    fig, ax = plt.subplots(figsize=(6.6, 5.6) if log else (6.0, 6.3), layout="constrained")
    handles = []
    for lab in ("diverges", "converges", "undecided"):
        p = cell_paths(img == lab, xe, ye)
        if p is None:
            continue
        st = PHASE_STYLE[lab]
        ax.add_patch(PathPatch(p, lw=0, **st))
        handles.append(Patch(label=f"{PHASE_TEXT[lab]} [{grid['counts'][lab]}]", **st))
    reddi = grid.get("reddi_region")
    if reddi is not None and any(any(r) for r in reddi):
        mask = np.array(reddi, dtype=bool)
        p = cell_paths(mask if log else mask.T, xe, ye)
        ax.add_patch(PathPatch(p, facecolor="none", edgecolor="black", hatch="////", lw=0))
        handles.append(Patch(facecolor="none", edgecolor="black", hatch="////",
                             label=r"Reddi's (c1)-(c3) hold at the centre (RECONSTRUCTED)"))
    # Theorem 2 asks beta1 < sqrt(beta2): the line beta1 = sqrt(beta2)
    if log:
        x = np.linspace(xe[0], 0, 400)
        ax.plot(x, np.sqrt(1 - 10.0 ** x), color="black", ls="--", lw=1.3)
    else:
        b = np.linspace(0, 1, 400)
        ax.plot(b, b ** 2, color="black", ls="--", lw=1.3)
    handles.append(Line2D([], [], color="black", ls="--", lw=1.3, label=r"$\beta_1=\sqrt{\beta_2}$"))
    sim = grid.get("simulation")
    if sim:
        seen = set()
        for (a, c), lab in zip(sim["points"], sim["simulated"]):
            b1, b2 = Fraction(a), Fraction(c)
            xy = (math.log10(float(1 - b2)), float(b1)) if log else (float(b1), float(b2))
            ax.plot(*xy, ls="", ms=4.5, mew=0.6, **SIM_MARKERS[lab])
            seen.add(lab)
        txt = {"diverges": r"$x_T>1/2$", "converges": r"$x_T<-1/2$", "undecided": r"$|x_T|\leq 1/2$"}
        for lab in ("diverges", "converges", "undecided"):
            if lab in seen:
                handles.append(Line2D([], [], ls="", ms=5, mew=0.6, **SIM_MARKERS[lab],
                                      label=f"Adam simulated, $T=10^{{{math.log10(sim['T']):.3g}}}$: {txt[lab]}"))
    drawn = _paper_settings(ax, log, xe[0] if log else None)
    if drawn:
        handles.append(Line2D([], [], ls="", marker="*", ms=11, color=OKABE_ITO["yellow"], mec="black",
                              label=r"the paper's $(\beta_1,\beta_2)=(0.9, 0.99), (0.9, 0.999)$"))
    if log:
        ax.set_xlim(xe[0], 0)
        ax.set_ylim(0, 1)
        ax.set_xlabel(r"$\log_{10}(1-\beta_2)$")
        ax.set_ylabel(r"$\beta_1$")
        _beta2_axis(ax, grid["decades"])
    else:
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel(r"$\beta_1$")
        ax.set_ylabel(r"$\beta_2$")
    fam = (f"period $n=C={grid['C']}$" if str(grid["C"]) == str(grid["n"])
           else f"$C={grid['C']}$, period $n={grid['n']}$")
    ax.set_title(title or r"Adam on $g_t=C$ if $t \equiv 1\ (\mathrm{mod}\ n)$, else $-1$: " + f"{fam}\n"
                          f"{N}$\\times${N} cells certified by arb balls"
                          + (" + Z3" if grid["counts"].get("z3_boundary") else ""), fontsize=10)
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=7.5, framealpha=0.95)
    return save_figure(fig, path)


def _paper_settings(ax, log: bool, x_min: float | None = None) -> bool:
    """Star the paper's (beta1, beta2) settings; True when at least one falls inside the axes
    (on the log axis: at or right of ``x_min``, the axis' -decades)."""
    drawn = False
    for b1, b2 in PAPER_SETTINGS:
        x, y = (math.log10(float(1 - b2)), float(b1)) if log else (float(b1), float(b2))
        if log and x < x_min:
            continue
        ax.plot(x, y, ls="", marker="*", ms=12, color=OKABE_ITO["yellow"], mec="black", mew=0.8, zorder=5,
                clip_on=False)  # beta2 = 0.999 sits on the square's top edge
        drawn = True
    return drawn


def threshold_heatmap(tmap: dict, path: str | None = None, title: str | None = None):
    """The exact smallest diverging C of the period-C family (:func:`counterexamples.grid.threshold_map`)
    as a heat map over (log10(1 - beta2), beta1), with contour lines of C and the paper's settings
    marked with their exact C.

    Colour: log10 C in cividis (perceptually uniform, colour-blind safe, monotone in grey); the
    contours interpolate the cell-centre values, the cells are the exact numbers."""
    plt = pyplot()
    from matplotlib.colors import LogNorm
    from matplotlib.lines import Line2D

    from . import drift as dr

    N = tmap["N"]
    xe = np.array(tmap["log10_one_minus_beta2_edges"])
    ye = np.arange(N + 1) / N
    C = np.array([[np.nan if c is None else c for c in row] for row in tmap["C"]], dtype=float)  # [i, j]
    fig, ax = plt.subplots(figsize=(6.8, 5.4), layout="constrained")
    finite = C[np.isfinite(C)]
    norm = LogNorm(vmin=max(2.0, finite.min()), vmax=finite.max())
    mesh = ax.pcolormesh(xe, ye, C, cmap="cividis", norm=norm, shading="flat")
    cb = fig.colorbar(mesh, ax=ax, pad=0.02)
    cb.set_label(r"smallest $C$ with $D>0$ (period $n=C$; exact)")
    handles = []
    xc = np.array(tmap["log10_one_minus_beta2_centres"])
    yc = (np.arange(N) + 0.5) / N
    levels = [v for v in (3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
              if finite.min() < v < finite.max()]
    if levels and N >= 3:
        # white lines on the dark (small C) end of the colour map, black on the light end
        for lv, col in (([v for v in levels if norm(v) < 0.5], "white"), ([v for v in levels if norm(v) >= 0.5], "black")):
            if lv:
                cs = ax.contour(xc, yc, C, levels=lv, colors=col, linewidths=1.0)
                ax.clabel(cs, fmt=lambda v: f"{v:g}", fontsize=8, inline=True)
        handles.append(Line2D([], [], color="black", lw=1.0, label=r"contours of $C$ (interpolated between centres)"))
    x = np.linspace(xe[0], 0, 400)
    ax.plot(x, np.sqrt(1 - 10.0 ** x), color=OKABE_ITO["orange"], ls="--", lw=1.5)
    handles.append(Line2D([], [], color=OKABE_ITO["orange"], ls="--", lw=1.5, label=r"$\beta_1=\sqrt{\beta_2}$"))
    known = {(Fraction(p["beta1"]), Fraction(p["beta2"])): p["C"] for p in tmap.get("paper_settings") or []}
    marked = []
    for b1, b2 in PAPER_SETTINGS:
        xs = math.log10(float(1 - b2))
        if xs < xe[0]:
            continue
        C_star = known.get((b1, b2)) or dr.smallest_diverging_C(b1, b2).C
        ax.plot(xs, float(b1), ls="", marker="*", ms=13, color=OKABE_ITO["yellow"], mec="black", mew=0.8)
        ax.annotate(f"$C^*={C_star}$\n$\\beta_2={_fmt_q(b2)}$", (xs, float(b1)), xytext=(6, -16),
                    textcoords="offset points", fontsize=8, color="white", fontweight="bold",
                    bbox=dict(boxstyle="round,pad=0.2", fc="black", alpha=0.55, lw=0))
        marked.append(C_star)
    if marked:
        handles.append(Line2D([], [], ls="", marker="*", ms=11, color=OKABE_ITO["yellow"], mec="black",
                              label=r"the paper's settings, $\beta_1=0.9$"))
    if tmap.get("missing"):
        handles.append(Line2D([], [], ls="", marker="s", color="white", mec="black",
                              label=f"no diverging $C\\leq 20000$ ({tmap['missing']} cells)"))
    ax.set_xlim(xe[0], 0)
    ax.set_ylim(0, 1)
    ax.set_xlabel(r"$\log_{10}(1-\beta_2)$")
    ax.set_ylabel(r"$\beta_1$")
    _beta2_axis(ax, tmap["decades"])
    ax.set_title(title or "Adam's exact divergence threshold on Theorem 2's family\n"
                          r"($g_t=C$ if $t \equiv 1\ (\mathrm{mod}\ C)$, else $-1$; "
                          f"{N}$\\times${N} cell centres, every $C'<C$ certified $D<0$)", fontsize=10)
    ax.legend(handles=handles, loc="lower left", fontsize=7.5, framealpha=0.9)
    return save_figure(fig, path)
