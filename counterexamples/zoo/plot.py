"""``--plot``: one phase panel per method, the sign of the drift D on Section 5's online problem over
(beta1, 1 - beta2), float64 (EVIDENCE: the settled float state, no certificate).

Drawn for a paper: each cell sits at its true (beta1, log10(1 - beta2)) position (the beta1 values are not
evenly spaced, so the cells are not of equal width), the 1 - beta2 axis runs from 1e-1 down to 1e-4 so that
the boundary where Adam starts to converge at the paper's beta1 = 0.9 (between beta2 = 0.999 and 0.9999) is
inside the range, the paper's two settings are starred, a legend names every colour, and a panel without a
limit form says why in the panel.

Example (two methods, written to a PNG file)::

    >>> import tempfile, os
    >>> from counterexamples.zoo.plot import phase_panels
    >>> path = os.path.join(tempfile.gettempdir(), "zoo.png")   # the doctest itself writes nothing
    >>> fig = phase_panels(["sgd", "adagrad"], path)   # doctest: +SKIP
"""
from __future__ import annotations

import re

import numpy as np

from analysis.conditions import PAPER_SETTINGS, SECTION5
from counterexamples.drift import general
from counterexamples.figures import OKABE_ITO, PHASE_COLOURS, PHASE_STYLE

from .methods import ROW_BY_KEY

__all__ = ["BETA1", "LOG_1M_BETA2", "phase_grid", "phase_panels", "cell_edges", "wrap_drawn"]

BETA1 = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95)
# 1 - beta2 from 1e-1 to 1e-4: Adam at beta1 = 0.9 diverges at beta2 = 0.999 and converges at 0.9999
LOG_1M_BETA2 = (-1.0, -1.5, -2.0, -2.5, -3.0, -3.5, -4.0)
PATTERN = SECTION5.pattern  # Section 5's online problem, defined once in analysis.conditions
X_LABELLED = (0.0, 0.3, 0.5, 0.7, 0.9)  # tick labels (0.8 and 0.95 are ticks without a label: too close)
MAX_PERIODS = 6000  # beta2 = 1 - 1e-4 settles in ~1e4 rounds (~100 periods of 101); room for slow rules
# the phase figures' colours (Okabe-Ito) and the diverging phase's texture, from their one home
COLOURS = {"converges": PHASE_COLOURS["converges"], "zero": OKABE_ITO["yellow"],
           "diverges": PHASE_COLOURS["diverges"], "none": "#BBBBBB"}
DIVERGES_HATCH, DIVERGES_EDGE = PHASE_STYLE["diverges"]["hatch"], PHASE_STYLE["diverges"]["edgecolor"]
# The figure is drawn at the width it is printed (a two-column paper's text width), so these are the
# printed sizes in points: none under 6.5, the smallest that still reads on paper.
PRINT_WIDTH = 7.0
FONT = {"suptitle": 8.5, "title": 8, "label": 8, "tick": 6.5, "text": 6.5, "legend": 7.5}


def phase_grid(key: str, beta1=BETA1, log_1m_beta2=LOG_1M_BETA2) -> np.ndarray:
    """+1 / -1 / 0 (D > 0, D < 0, D = 0) per cell (rows: ``log_1m_beta2``, columns: ``beta1``), NaN where the
    float state did not settle or the method has no limit form."""
    row = ROW_BY_KEY[key]
    out = np.full((len(log_1m_beta2), len(beta1)), np.nan)
    if row.limit is None:
        return out
    for i, lb in enumerate(log_1m_beta2):
        b2 = repr(1 - 10 ** lb)
        for j, b1 in enumerate(beta1):
            _, D, _, ok = general.settle_float(row.limit(repr(b1), b2), PATTERN, max_periods=MAX_PERIODS)
            if ok and np.isfinite(D):
                out[i, j] = np.sign(D)
    return out


def cell_edges(centres) -> np.ndarray:
    """The edges of cells centred at ``centres`` (increasing or decreasing): midpoints inside, the first and
    last cells as wide as their neighbour gap.

    >>> cell_edges([0.0, 0.3, 0.5]).tolist()
    [-0.15, 0.15, 0.4, 0.6]
    """
    c = np.asarray(centres, dtype=float)
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def _why_grey(key: str, grid: np.ndarray) -> str | None:
    """The text of a panel with no coloured cell, whole (the panel breaks its lines further): why there is
    nothing to draw, the row's own ``why`` (its maths in mathtext) under a heading when it has no limit form.

    >>> print(_why_grey("adamnc", np.full((1, 1), np.nan)))
    no limit form:
    no periodic steady state: $\\beta_{2t} = 1 - 1/t$ changes with $t$
    >>> _why_grey("sgd", np.ones((1, 1))) is None
    True
    """
    if ROW_BY_KEY[key].limit is None:
        return "no limit form:\n" + (ROW_BY_KEY[key].why or "the row gives no reason")
    if np.isnan(grid).all():
        return f"the float state did not settle within {MAX_PERIODS} periods in any cell"
    return None


def wrap_drawn(text: str, width: float, measure) -> str:
    r"""``text`` broken into lines at its spaces, greedily, so that each line is at most ``width`` wide as
    ``measure(line)`` draws it; its own line breaks stay, a ``$...$`` mathtext span is never broken and
    nothing is cut (a word wider than ``width`` gets a line of its own).

    >>> wrap_drawn("a bb $c + d$ e\nf", 4, len)
    'a bb\n$c + d$\ne\nf'
    """
    lines = []
    for paragraph in text.split("\n"):
        words = re.findall(r"(?:\$[^$]*\$|[^\s$])+", paragraph)
        lines.append(words[0])
        for w in words[1:]:
            if measure(lines[-1] + " " + w) <= width:
                lines[-1] += " " + w
            else:
                lines.append(w)
    return "\n".join(lines)


def phase_panels(keys, path: str):
    """Draw the panels of ``keys`` (zoo method keys) and write them to ``path`` (PNG, PDF or SVG).

    The figure is drawn at the width a paper prints it (:data:`PRINT_WIDTH` inches for five panels a row;
    fewer methods, a narrower figure with panels of the same size), so that :data:`FONT`'s sizes are the
    printed sizes; the legend fills the empty places of the last row."""
    from counterexamples.figures import cell_paths, pyplot, save_figure

    plt = pyplot()
    mpl = plt.matplotlib
    cols = min(5, len(keys))
    rows = (len(keys) + cols - 1) // cols
    spare = rows * cols - len(keys)  # empty places of the last row: the legend goes there if they are 2+
    panel = PRINT_WIDTH / 5
    wide = cols >= 4  # room for the one-line title and a three-column legend
    width = max(panel * cols, 3.2)  # one or two panels: wide enough for the title in two lines and the legend
    fig, axes = plt.subplots(rows, cols, figsize=(width, panel * rows + (0.3 if spare >= 2 else 0.75 if wide else 1.4)),
                             squeeze=False, sharex=True, sharey=True, layout="constrained")
    fig.get_layout_engine().set(w_pad=0.02, h_pad=0.02, wspace=0.03, hspace=0.04)
    cmap = mpl.colors.ListedColormap([COLOURS["converges"], COLOURS["zero"], COLOURS["diverges"]]).with_extremes(
        bad=COLOURS["none"])
    xe, ye = cell_edges(BETA1), cell_edges(LOG_1M_BETA2)
    xe[0], xe[-1] = max(xe[0], 0.0), min(xe[-1], 1.0)  # beta1 lives in [0, 1)
    texts = {}
    for ax, key in zip(axes.flat, keys):
        raw = phase_grid(key)
        ax.pcolormesh(xe, ye, np.ma.masked_invalid(raw), cmap=cmap, vmin=-1.5, vmax=1.5, edgecolors="none")
        # diverging cells also carry the phase figures' texture, so that they read in grey scale too
        hatched = cell_paths(raw == 1, xe, ye)
        if hatched is not None:
            ax.add_patch(mpl.patches.PathPatch(hatched, facecolor="none", linewidth=0, hatch=DIVERGES_HATCH,
                                               edgecolor=DIVERGES_EDGE))
        ax.vlines(xe[1:-1], ye[0], ye[-1], colors="white", linewidth=0.3)  # the cells, drawn over the hatch
        ax.hlines(ye[1:-1], xe[0], xe[-1], colors="white", linewidth=0.3)
        ax.set_title(key, fontsize=FONT["title"], pad=2)
        texts[key] = _why_grey(key, raw)
        for b1, b2 in PAPER_SETTINGS:  # the paper's two settings, as stars
            ax.plot([float(b1)], [np.log10(float(1 - b2))], marker="*", color="black", markersize=6,
                    markeredgecolor="white", markeredgewidth=0.4)
        ax.set_xticks(BETA1, minor=True)
        ax.set_xticks(X_LABELLED, [f"{b:g}" for b in X_LABELLED])
        ax.set_yticks(LOG_1M_BETA2[::2], [f"{1 - 10 ** v:g}" for v in LOG_1M_BETA2[::2]])
        ax.tick_params(labelsize=FONT["tick"], length=2.5, pad=1.5)
        ax.tick_params(which="minor", length=1.5)
        ax.set_xlim(xe[0], xe[-1])
        ax.set_ylim(ye[0], ye[-1])
    for ax in list(axes.flat)[len(keys):]:
        ax.remove()
    for c in range(cols):  # beta1 under the lowest panel of each column
        bottom = axes[rows - 1 if c < cols - spare else rows - 2, c]
        bottom.xaxis.set_tick_params(labelbottom=True)
        bottom.set_xlabel(r"$\beta_1$", fontsize=FONT["label"], labelpad=1)
    fig.supylabel(r"$\beta_2$ (log scale in $1 - \beta_2$)", fontsize=FONT["label"])
    handles = [mpl.patches.Patch(facecolor=COLOURS["diverges"], hatch=DIVERGES_HATCH, edgecolor=DIVERGES_EDGE,
                                 linewidth=0, label=r"$D > 0$: diverges"),
               mpl.patches.Patch(color=COLOURS["converges"], label=r"$D < 0$: converges"),
               mpl.patches.Patch(color=COLOURS["zero"], label=r"$D = 0$"),
               mpl.patches.Patch(color=COLOURS["none"], label="no settled state / no limit form"),
               mpl.lines.Line2D([], [], marker="*", color="black", linestyle="none",
                                label=r"the paper's $(\beta_1, \beta_2)$: " + ", ".join(
                                    f"({float(b1):g}, {float(b2):g})" for b1, b2 in PAPER_SETTINGS))]
    if spare >= 2:  # one axes over the empty places, holding the legend
        room = fig.add_subplot(axes[0, 0].get_subplotspec().get_gridspec()[rows - 1, cols - spare:])
        room.axis("off")
        room.legend(handles=handles, loc="center", fontsize=FONT["legend"], frameon=False)
    else:
        fig.legend(handles=handles, loc="outside lower center", ncols=3 if wide else 1, fontsize=FONT["legend"],
                   frameon=False)
    fig.suptitle(r"Sign of the drift $D$ on Section 5's online problem" + (" " if wide else "\n")
                 + "(float64 evidence, not certified)", fontsize=FONT["suptitle"])
    # the grey panels' reasons, broken to the drawn width of their panel (known once the layout is done)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    prop = mpl.font_manager.FontProperties(size=FONT["text"])

    def measure(line):
        return renderer.get_text_width_height_descent(line, prop, ismath="$" in line)[0]

    for ax, key in zip(axes.flat, keys):
        if texts[key]:
            # the box stays left of the stars' column (beta1 = 0.9), so that the stars show in a grey panel
            width = ax.get_window_extent(renderer).width * 0.78
            ax.text(0.44, 0.5, wrap_drawn(texts[key], width, measure), transform=ax.transAxes, ha="center",
                    va="center", fontsize=FONT["text"], linespacing=1.3,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.92, "boxstyle": "square,pad=0.3"})
    return save_figure(fig, path, dpi=200)
