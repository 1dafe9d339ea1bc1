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

import textwrap

import numpy as np

from analysis.conditions import PAPER_SETTINGS, SECTION5
from counterexamples.drift import general

from .methods import ROW_BY_KEY

__all__ = ["BETA1", "LOG_1M_BETA2", "phase_grid", "phase_panels", "cell_edges"]

BETA1 = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95)
# 1 - beta2 from 1e-1 to 1e-4: Adam at beta1 = 0.9 diverges at beta2 = 0.999 and converges at 0.9999
LOG_1M_BETA2 = (-1.0, -1.5, -2.0, -2.5, -3.0, -3.5, -4.0)
PATTERN = SECTION5.pattern  # Section 5's online problem, defined once in analysis.conditions
X_LABELLED = (0.0, 0.3, 0.5, 0.7, 0.9)  # tick labels (0.8 and 0.95 are ticks without a label: too close)
MAX_PERIODS = 6000  # beta2 = 1 - 1e-4 settles in ~1e4 rounds (~100 periods of 101); room for slow rules
COLOURS = {"converges": "#0072B2", "zero": "#F0E442", "diverges": "#D55E00", "none": "#BBBBBB"}  # Okabe-Ito


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
    """The text of a panel with no coloured cell: why there is nothing to draw."""
    if ROW_BY_KEY[key].limit is None:
        why = ROW_BY_KEY[key].why or "no limit form"
        why = why if len(why) <= 70 else why[:67].rsplit(" ", 1)[0] + " ..."
        return "no limit form:\n" + textwrap.fill(why, 26)
    if np.isnan(grid).all():
        return textwrap.fill(f"the float state did not settle within {MAX_PERIODS} periods in any cell", 26)
    return None


def phase_panels(keys, path: str):
    """Draw the panels of ``keys`` (zoo method keys) and write them to ``path`` (PNG, PDF or SVG)."""
    from counterexamples.figures import pyplot, save_figure

    plt = pyplot()
    mpl = plt.matplotlib
    cols = min(5, len(keys))
    rows = (len(keys) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(2.5 * cols, 2.3 * rows + 0.9), squeeze=False, sharex=True,
                             sharey=True, constrained_layout=True)
    cmap = mpl.colors.ListedColormap([COLOURS["converges"], COLOURS["zero"], COLOURS["diverges"]]).with_extremes(
        bad=COLOURS["none"])
    xe, ye = cell_edges(BETA1), cell_edges(LOG_1M_BETA2)
    xe[0], xe[-1] = max(xe[0], 0.0), min(xe[-1], 1.0)  # beta1 lives in [0, 1)
    for ax, key in zip(axes.flat, keys):
        raw = phase_grid(key)
        ax.pcolormesh(xe, ye, np.ma.masked_invalid(raw), cmap=cmap, vmin=-1.5, vmax=1.5, edgecolors="white",
                      linewidth=0.4)
        ax.set_title(key, fontsize=10)
        why = _why_grey(key, raw)
        if why:
            ax.text(0.5, 0.5, why, transform=ax.transAxes, ha="center", va="center", fontsize=7,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9})
        for b1, b2 in PAPER_SETTINGS:  # the paper's two settings, as stars
            ax.plot([float(b1)], [np.log10(float(1 - b2))], marker="*", color="black", markersize=7)
        ax.set_xticks(BETA1, minor=True)
        ax.set_xticks(X_LABELLED, [f"{b:g}" for b in X_LABELLED], fontsize=8)
        ax.set_yticks(LOG_1M_BETA2[::2], [f"{1 - 10 ** v:g}" for v in LOG_1M_BETA2[::2]], fontsize=8)
        ax.set_xlim(xe[0], xe[-1])
        ax.set_ylim(ye[0], ye[-1])
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel(r"$\beta_1$", fontsize=9)
    for ax in axes[:, 0]:
        ax.set_ylabel(r"$\beta_2$ (log scale in $1 - \beta_2$)", fontsize=9)
    handles = [mpl.patches.Patch(color=COLOURS["diverges"], label="D > 0: diverges"),
               mpl.patches.Patch(color=COLOURS["converges"], label="D < 0: converges"),
               mpl.patches.Patch(color=COLOURS["zero"], label="D = 0"),
               mpl.patches.Patch(color=COLOURS["none"], label="no settled state / no limit form"),
               mpl.lines.Line2D([], [], marker="*", color="black", linestyle="none",
                                label="the paper's settings " + ", ".join(
                                    f"({float(b1):g}, {float(b2):g})" for b1, b2 in PAPER_SETTINGS))]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.suptitle("Sign of the drift D on Section 5's online problem (float64 evidence, not certified)",
                 fontsize=10)
    return save_figure(fig, path, dpi=150)
