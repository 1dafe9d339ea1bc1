"""``--plot``: one small phase panel per method, the sign of the drift D on Section 5's online problem
over (beta1, log10(1 - beta2)), float64 (EVIDENCE: the settled float state, no certificate)."""
from __future__ import annotations

import numpy as np

from analysis.conditions import SECTION5
from counterexamples.drift import general

from .methods import ROW_BY_KEY

BETA1 = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95)
LOG_1M_BETA2 = (-1.0, -1.5, -2.0, -2.5, -3.0)
PATTERN = SECTION5.pattern  # Section 5's online problem, defined once in analysis.conditions


def phase_grid(key: str) -> np.ndarray:
    """+1 / -1 / 0 (D > 0, D < 0, D = 0) per cell, NaN where there is no settled state or no limit form."""
    row = ROW_BY_KEY[key]
    out = np.full((len(LOG_1M_BETA2), len(BETA1)), np.nan)
    if row.limit is None:
        return out
    for i, lb in enumerate(LOG_1M_BETA2):
        b2 = repr(1 - 10 ** lb)
        for j, b1 in enumerate(BETA1):
            _, D, _, ok = general.settle_float(row.limit(repr(b1), b2), PATTERN, max_periods=4000)
            if ok and np.isfinite(D):
                out[i, j] = np.sign(D)
    return out


def phase_panels(keys, path: str):
    from counterexamples.figures import _pyplot, _save

    plt = _pyplot()
    cols = min(6, len(keys))
    rows = (len(keys) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(2.2 * cols, 2.0 * rows), squeeze=False, sharex=True, sharey=True)
    cmap = plt.matplotlib.colors.ListedColormap(["#0072B2", "#F0E442", "#D55E00"])  # Okabe-Ito: conv, 0, div
    for ax, key in zip(axes.flat, keys):
        grid = phase_grid(key)
        ax.imshow(grid, origin="upper", cmap=cmap, vmin=-1.5, vmax=1.5, aspect="auto",
                  extent=(-0.5, len(BETA1) - 0.5, len(LOG_1M_BETA2) - 0.5, -0.5))
        ax.set_title(key + ("" if ROW_BY_KEY[key].limit else " (no limit form)"), fontsize=8)
        ax.set_xticks(range(len(BETA1)), [f"{b:g}" for b in BETA1], fontsize=6, rotation=90)
        ax.set_yticks(range(len(LOG_1M_BETA2)), [f"{v:g}" for v in LOG_1M_BETA2], fontsize=6)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.supxlabel("beta1", fontsize=8)
    fig.supylabel("log10(1 - beta2)", fontsize=8)
    fig.suptitle("sign of the drift D on Section 5's problem (orange: diverges, blue: converges, yellow: D = 0; "
                 "white: no steady state / no limit form); float64 evidence", fontsize=8, y=1.04)
    return _save(fig, path)
