"""Phase diagram of Adam on the periodic family (C, n) over the (beta1, beta2) square.

Cell (i, j) is the closed box beta1 in [i/N, (i+1)/N], beta2 in [j/N, (j+1)/N] (exact rationals).  The
closed form of :mod:`counterexamples.drift` is continuous on [0, 1]^2 (S1, S2 >= 1), so

* ``diverges``  -- the arb enclosure of D over the cell (or over every piece of a subdivision, up to
  ``depth`` halvings per side) is > 0: Adam goes to +1 for *every* (beta1, beta2) in the cell;
* ``converges`` -- likewise < 0;
* ``undecided`` -- otherwise.  Two certified sub-labels: ``boundary`` when some piece is certified > 0
  and another < 0 (by continuity D = 0 somewhere in the cell), and ``unresolved``.  For small n
  (n <= ``z3_max_n``) Z3 proves the exact sign of D at the corners of a few unresolved cells
  (denominators cleared, square roots as auxiliaries); opposite proved signs make the cell a
  ``boundary`` cell independently of the balls.  (Z3 could not decide whole cells: the portfolio
  returned unknown within 3 s on every n = 3 cell tried, so cells use balls.)

Reddi's sufficient region (Theorem 2, only when n = C): beta1 < sqrt(beta2) and (c1)-(c3) at this C,
evaluated at the cell centres (exact rationals / balls; RECONSTRUCTED conditions).

Simulated outcomes on a coarser grid (centres of ``N_sim`` x ``N_sim`` cells): Adam from x1 = 0 for T
rounds (fused engine, float64); x_T > 1/2 -> diverges, < -1/2 -> converges, else undecided; compared
with the exact sign of D at the same centre, excluding the band where the predicted displacement
2 alpha |D| sqrt(T) / n is below ``band`` (there the horizon cannot decide).
"""
from __future__ import annotations

import functools
import time
from fractions import Fraction

import numpy as np

from . import drift as dr

LABELS = ("diverges", "converges", "undecided")


def _cell_sign(b1lo, b1hi, b2lo, b2hi, C, n, eps, depth, prec=64, seen=None):
    """+1 / -1 certified over the whole cell (by subdivision), else 0 when pieces of both signs were
    certified (then D = 0 inside, by continuity), else None.  ``seen`` collects certified signs."""
    seen = set() if seen is None else seen
    d = dr.drift((b1lo, b1hi), (b2lo, b2hi), C, n, backend="arb", eps=eps, prec=prec)
    if d > 0 or d < 0:
        s = 1 if d > 0 else -1
        seen.add(s)
        return s
    if depth > 0:
        m1, m2 = (b1lo + b1hi) / 2, (b2lo + b2hi) / 2
        signs = [_cell_sign(a, b, c, e, C, n, eps, depth - 1, prec, seen)
                 for a, b in ((b1lo, m1), (m1, b1hi)) for c, e in ((b2lo, m2), (m2, b2hi))]
        if all(s == 1 for s in signs):
            return 1
        if all(s == -1 for s in signs):
            return -1
    return 0 if {1, -1} <= seen else None


def z3_point_sign(beta1, beta2, C, n, timeout_s=1.0):
    """Exact sign of D at a rational point, proved by Z3 (small n): +1 / -1, or None (unknown).

    Encoding: s_j >= 1 with s_j^2 S2 = (C^2-1) beta2^j + S2 (so s_j = sqrt(v_j)), and
    D S1 prod_k s_k = -sum_j ((C+1) beta1^j - S1) prod_{k != j} s_k, all polynomial."""
    import z3

    from proofs.z3kit import Q, prove

    b1, b2 = Q(dr.q(beta1)), Q(dr.q(beta2))
    Cq = Q(dr.q(C))
    pw = lambda b, k: b ** k if k else Q(1)
    S1 = sum(pw(b1, k) for k in range(n))
    S2 = sum(pw(b2, k) for k in range(n))
    ss = [z3.Real(f"s{j}") for j in range(n)]
    hyp = []
    for j, s in enumerate(ss):
        hyp += [s >= 1, s * s * S2 == (Cq * Cq - 1) * pw(b2, j) + S2]
    expr = 0
    for j in range(n):
        prod = Q(1)
        for k in range(n):
            if k != j:
                prod = prod * ss[k]
        expr = expr - ((Cq + 1) * pw(b1, j) - S1) * prod
    for sign, claim in ((1, expr > 0), (-1, expr < 0)):
        if prove(claim, hyp, timeout_s=timeout_s).proved:
            return sign
    return None


def z3_cell(b1lo, b1hi, b2lo, b2hi, C, n, timeout_s=1.0):
    """0 when Z3 proves opposite signs of D at two corners (the cell contains D = 0), else None."""
    signs = {z3_point_sign(a, b, C, n, timeout_s) for a in (b1lo, b1hi) for b in (b2lo, b2hi)}
    return 0 if {1, -1} <= signs else None


def _cells_chunk(cells, N, C, n, eps, depth):
    """Certified signs of a chunk of cells (i, j): the unit of work of the sweep layer."""
    return [_cell_sign(Fraction(i, N), Fraction(i + 1, N), Fraction(j, N), Fraction(j + 1, N), C, n, eps, depth)
            for i, j in cells]


def certified_grid(C, n: int, N: int, depth: int = 3, eps=0, z3_max_n: int = 4, z3_timeout_s=1.0,
                   z3_max_cells: int = 4, progress=None, sweep_opts: dict | None = None) -> dict:
    """Label every cell; see the module docstring.  Returns the ``grid`` record of the JSON.

    The cells run through :func:`numerics.sweep.sweep` (``sweep_opts``: its executor options, e.g.
    ``{"workers": 2}`` or ``{"scheduler": "tcp://host:8786"}``); the labels are the same bits whatever
    runs them.  Z3 then looks at the first unresolved cells in (i, j) order, as before."""
    from numerics.sweep import sweep

    t0 = time.perf_counter()
    cells = [(i, j) for i in range(N) for j in range(N)]
    signs = sweep(functools.partial(_cells_chunk, N=N, C=C, n=n, eps=eps, depth=depth), cells,
                  progress=(lambda done, total: progress(done * N // total, N)) if progress else None,
                  **(sweep_opts or {}))
    labels = [[None] * N for _ in range(N)]
    sub = [[None] * N for _ in range(N)]
    counts = {"diverges": 0, "converges": 0, "undecided": 0, "boundary": 0, "z3_tried": 0,
              "z3_boundary": 0}
    for (i, j), s in zip(cells, signs):
        if s is None and n <= z3_max_n and eps == 0 and counts["z3_tried"] < z3_max_cells:
            counts["z3_tried"] += 1
            s = z3_cell(Fraction(i, N), Fraction(i + 1, N), Fraction(j, N), Fraction(j + 1, N),
                        C, n, z3_timeout_s)
            if s is not None:
                counts["z3_boundary"] += 1
        lab = {1: "diverges", -1: "converges"}.get(s, "undecided")
        labels[i][j] = lab
        sub[i][j] = "boundary" if s == 0 else ("unresolved" if s is None else "")
        counts[lab] += 1
        counts["boundary"] += s == 0
    return {"C": _num(C), "n": n, "N": N, "depth": depth,
            "index": "labels[i][j]: beta1 in [i/N,(i+1)/N], beta2 in [j/N,(j+1)/N]",
            "labels": labels, "undecided_kind": sub, "counts": counts,
            "method": "python-flint arb enclosure of D over the cell, bisection depth "
                      f"{depth}; Z3 exact corner signs on up to {z3_max_cells} unresolved cells "
                      f"when n <= {z3_max_n}",
            "seconds": round(time.perf_counter() - t0, 3)}


def reddi_region(C, n: int, N: int) -> list | None:
    """Theorem 2's sufficient region at the cell centres (None unless n = C integer)."""
    from analysis.conditions import conditions

    Cq = dr.q(C)
    if Cq.denominator != 1 or int(Cq) != n:
        return None
    out = []
    for i in range(N):
        row = []
        for j in range(N):
            b1, b2 = Fraction(2 * i + 1, 2 * N), Fraction(2 * j + 1, 2 * N)
            ok = b1 * b1 < b2 and all(v is True for v in conditions(b1, b2, n).values())
            row.append(bool(ok))
        out.append(row)
    return out


REFERENCE_T_MAX = 200_000  # the numpy reference path is ~100x slower than the engine


def _batch_adam(pts, C, n, alpha, eps, x1, T):
    """x_T of Adam for each (beta1, beta2) in pts: the fused engine, else the numpy reference path
    (numerics.run with per-trajectory hyper-parameters of shape (N, 1); horizon capped)."""
    b1s = np.array([float(a) for a, _ in pts])
    b2s = np.array([float(b) for _, b in pts])
    try:
        from numerics.engine import batch
        from numerics.optimizers import make
        from numerics.problems import Periodic

        r = batch(make("adam", alpha=float(alpha), beta1=b1s, beta2=b2s, eps=float(eps)),
                  Periodic(pattern=[float(C)] + [-1.0] * (int(n) - 1)), T, x1=x1)
        return np.asarray(r.x_T), r.engine, T
    except Exception:  # noqa: BLE001 -- no numba: the reference definition, batched in numpy
        from numerics.backends import NumpyBackend
        from numerics.optimizers import make
        from numerics.run import run

        from analysis.families import periodic_problem

        T = min(T, REFERENCE_T_MAX)
        m = make("adam", alpha=float(alpha), beta1=b1s[:, None], beta2=b2s[:, None], eps=float(eps))
        res = run(m, periodic_problem(C, n), T, x1=np.full((len(pts), 1), float(x1)), backend=NumpyBackend(),
                  checkpoints=[T])
        return np.asarray(res.x_T)[:, 0], "numpy-reference", T


def simulated_grid(C, n: int, N_sim: int, T: int, alpha=1, x1=0.0, band=4.0, eps=0) -> dict:
    """Adam at the centres of an N_sim x N_sim grid vs the exact sign of D there."""
    cen = [Fraction(2 * i + 1, 2 * N_sim) for i in range(N_sim)]
    pts = [(b1, b2) for b1 in cen for b2 in cen]
    t0 = time.perf_counter()
    x_T, engine, T = _batch_adam(pts, C, n, alpha, eps, x1, int(T))
    sim, exact, agree, total, excluded = [], [], 0, 0, 0
    for k, (b1, b2) in enumerate(pts):
        x = float(x_T[k])
        lab = "diverges" if x > 0.5 else ("converges" if x < -0.5 else "undecided")
        s = dr.drift_sign(b1, b2, C, n, eps)
        D = float(dr.drift(b1, b2, C, n, backend="float", eps=float(eps)))
        far = abs(dr.predicted_displacement(D, float(alpha), T, n)) >= band
        sim.append(lab)
        exact.append(s.label)
        if far:
            total += 1
            agree += lab == s.label
        else:
            excluded += 1
    return {"N_sim": N_sim, "T": int(T), "alpha": str(alpha), "x1": x1, "engine": engine,
            "points": [[str(a), str(b)] for a, b in pts], "simulated": sim, "exact": exact,
            "band": f"excluded where 2 alpha |D| sqrt(T)/n < {band}",
            "compared": total, "agree": agree, "excluded": excluded,
            "agreement_rate": (agree / total) if total else None,
            "seconds": round(time.perf_counter() - t0, 3)}


def plot(grid: dict, reddi, sim: dict | None, path: str, title: str = "") -> str:
    """Draw the phase diagram to ``path`` atomically (numerics.cli.write_atomic)."""
    import os

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    N = grid["N"]
    code = {"converges": 0, "undecided": 1, "diverges": 2}
    img = np.array([[code[grid["labels"][i][j]] for i in range(N)] for j in range(N)])
    fig, ax = plt.subplots(figsize=(6.4, 6.6))
    ax.imshow(img, origin="lower", extent=(0, 1, 0, 1), cmap=ListedColormap(["#4477aa", "#bbbbbb", "#cc3311"]),
              vmin=0, vmax=2, interpolation="nearest", aspect="auto")
    handles = [Patch(color="#cc3311", label="diverges (D > 0 on cell, arb)"),
               Patch(color="#4477aa", label="converges (D < 0 on cell, arb)"),
               Patch(color="#bbbbbb", label="undecided (D = 0 possible in cell)")]
    if reddi is not None:
        r = np.array([[1.0 if reddi[i][j] else np.nan for i in range(N)] for j in range(N)])
        ax.contourf(np.linspace(0.5 / N, 1 - 0.5 / N, N), np.linspace(0.5 / N, 1 - 0.5 / N, N),
                    np.nan_to_num(r, nan=0.0), levels=[0.5, 1.5], colors="none", hatches=["//"])
        handles.append(Patch(facecolor="none", hatch="//", label="Reddi (c1)-(c3) hold (RECONSTRUCTED)"))
    b = np.linspace(0, 1, 200)
    ax.plot(b, b ** 2, "k--", lw=1)
    handles.append(plt.Line2D([], [], color="k", ls="--", label="beta1 = sqrt(beta2)"))
    if sim is not None:
        mk = {"diverges": ("^", "w"), "converges": ("o", "k"), "undecided": ("x", "y")}
        for (a, c), lab in zip(sim["points"], sim["simulated"]):
            m, col = mk[lab]
            ax.plot(float(Fraction(a)), float(Fraction(c)), m, color=col, ms=4, mec="k", mew=0.4)
        handles.append(plt.Line2D([], [], marker="^", ls="", color="w", mec="k",
                                  label=f"simulated: x_T > 1/2 (T={sim['T']:.0e})"))
        handles.append(plt.Line2D([], [], marker="o", ls="", color="k", label="simulated: x_T < -1/2"))
    ax.set_xlabel("beta1")
    ax.set_ylabel("beta2")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(title or f"Adam on the periodic family C={grid['C']}, n={grid['n']}")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=7,
              framealpha=0.9)
    fig.tight_layout()
    import io

    from numerics.cli import write_atomic

    buf = io.BytesIO()
    ext = os.path.splitext(path)[1].lstrip(".").lower() or "png"
    fig.savefig(buf, format=ext, dpi=120)
    plt.close(fig)
    write_atomic(path, buf.getvalue())
    return path


def ascii_map(grid: dict, reddi=None, rows: int = 16) -> str:
    """A small text rendering (beta2 up, beta1 right): '+' diverges, '-' converges, '?' undecided."""
    N = grid["N"]
    step = max(1, N // rows)
    ch = {"diverges": "+", "converges": "-", "undecided": "?"}
    lines = []
    for j in range(N - 1, -1, -step):
        row = "".join(ch[grid["labels"][i][j]] if not (reddi and reddi[i][j]) else "R"
                      for i in range(0, N, step))
        lines.append(f"  beta2={(j + 0.5) / N:5.3f} |{row}|")
    lines.append("               " + "beta1: 0" + " " * max(0, len(range(0, N, step)) - 9) + "-> 1")
    return "\n".join(lines)


def _num(x):
    f = dr.q(x)
    return int(f) if f.denominator == 1 else str(f)
