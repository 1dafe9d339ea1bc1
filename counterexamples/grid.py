"""Phase diagram of Adam on the periodic family (C, n) over the (beta1, beta2) square.

Cell (i, j) is the closed box beta1 in [i/N, (i+1)/N], beta2 in [j/N, (j+1)/N] (exact rationals).  The
closed form of :mod:`counterexamples.drift` is continuous on [0, 1]^2 (S1, S2 >= 1), so

* ``diverges``  -- the arb enclosure of D over the cell (or over every piece of a subdivision, up to
  ``depth`` halvings per side) is > 0: Adam goes to +1 for *every* (beta1, beta2) in the cell;
* ``converges`` -- likewise < 0;
* ``undecided`` -- otherwise (its status is UNKNOWN: ``verdicts[i][j]`` gives each cell's label in the
  project's verdict words, :func:`cell_verdict`: PROVED for a certified cell, UNKNOWN for an undecided one;
  a simulated label is EVIDENCE).  Two certified sub-labels: ``boundary`` when some piece is certified > 0
  and another < 0 (by continuity D = 0 somewhere in the cell), and ``unresolved``.  For small n
  (n <= ``z3_max_n``) Z3 proves the exact sign of D at the corners of a few unresolved cells
  (denominators cleared, square roots as auxiliaries); opposite proved signs make the cell a
  ``boundary`` cell independently of the balls.  (Z3 could not decide whole cells: the portfolio
  returned unknown within 3 s on every n = 3 cell tried, so cells use balls.)

Log parametrisation (``axis="log"``): the same labels over beta1 in [i/N, (i+1)/N] against
log10(1 - beta2) in [-decades, 0] (default 6 decades: 1 - beta2 from 1e-6 to 1), N equal steps in the log
with exact decimal edges (:func:`log_edges`), so that the boundary near beta2 = 1 (at 1 - beta2 = 4.8e-4
for the Section 5 problem) gets as many cells as beta2 in [0, 0.9].  The default stays the linear square.

:func:`threshold_map`: the exact smallest diverging C of the period-C family
(:func:`counterexamples.drift.smallest_diverging_C`) at the cell centres of that log grid.

Reddi's sufficient region (Theorem 2, only when n = C): beta1 < sqrt(beta2) and (c1)-(c3) at this C,
evaluated at the cell centres (exact rationals / balls; RECONSTRUCTED conditions).

Simulated outcomes on a coarser grid (centres of ``N_sim`` x ``N_sim`` cells): Adam from x1 = 0 for T
rounds (fused engine, float64); x_T > 1/2 -> diverges, < -1/2 -> converges, else undecided; compared
with the exact sign of D at the same centre, excluding the band where the predicted displacement
2 alpha |D| sqrt(T) / n is below ``band`` (there the horizon cannot decide).

Example: the cell edges of a 2 x 2 grid on the square, and of the log axis (1 - beta2 from 1e-6 to 1):

    >>> from counterexamples.grid import edges, log_edges
    >>> edges(2)
    ([Fraction(0, 1), Fraction(1, 2), Fraction(1, 1)], [Fraction(0, 1), Fraction(1, 2), Fraction(1, 1)])
    >>> log_edges(3)
    [Fraction(1, 1000000), Fraction(1, 10000), Fraction(1, 100), Fraction(1, 1)]
"""
from __future__ import annotations

import functools
import math
import time
from fractions import Fraction

import numpy as np

from numerics.verdicts import EVIDENCE, PROVED, UNKNOWN

from . import drift as dr

LABELS = ("diverges", "converges", "undecided")


def cell_verdict(label: str, certified: bool = True) -> str:
    """The status of a cell's label in the project's verdict words (:mod:`numerics.verdicts`).

    A certified grid's "diverges" / "converges" holds for every (beta1, beta2) of the closed cell (an arb
    enclosure of D of one sign over it): PROVED.  A simulated label (``certified=False``) is EVIDENCE at
    its horizon.  "undecided" -- no sign over the whole cell (a ``boundary`` cell contains D = 0, an
    ``unresolved`` one is not decided) or a simulation that ended in between -- is UNKNOWN, never a
    success."""
    if label not in LABELS:
        raise ValueError(f"cell_verdict: label must be one of {', '.join(LABELS)} (got {label!r})")
    if label == "undecided":
        return UNKNOWN
    return PROVED if certified else EVIDENCE


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


def z3_point_sign(beta1, beta2, C, n, timeout_s=1.0, expect=None):
    """Exact sign of D at a rational point, proved by Z3 (small n): +1 / -1, or None (unknown).

    Encoding: s_j >= 1 with s_j^2 S2 = (C^2-1) beta2^j + S2 (so s_j = sqrt(v_j)), and
    D S1 prod_k s_k = -sum_j ((C+1) beta1^j - S1) prod_{k != j} s_k, all polynomial.

    ``expect``: the sign certified by other means (:func:`z3_cell` passes arb's); Z3 is then asked for that
    sign only (the opposite claim is false, so no sound solver proves it: asking would only spend its
    time).  The answer is still Z3's proof or None."""
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
        if expect in (1, -1) and sign != expect:
            continue
        if prove(claim, hyp, timeout_s=timeout_s).proved:
            return sign
    return None


def z3_cell(b1lo, b1hi, b2lo, b2hi, C, n, timeout_s=1.0):
    """0 when Z3 proves opposite signs of D at two corners (the cell contains D = 0), else None.

    Each corner's sign is first certified by arb (:func:`counterexamples.drift.drift_sign`), which only tells
    Z3 which sign to prove; the corners stop once Z3 has proved both signs."""
    signs = set()
    for a in (b1lo, b1hi):
        for b in (b2lo, b2hi):
            signs.add(z3_point_sign(a, b, C, n, timeout_s, expect=dr.drift_sign(a, b, C, n).sign))
            if {1, -1} <= signs:
                return 0
    return None


AXES = ("linear", "log")
LOG_DECADES = 6  # 1 - beta2 in [10^-6, 1]: Adam's default 0.999 is 1e-3, the Section 5 boundary 4.8e-4


def log_edges(N: int, decades: int = LOG_DECADES) -> list[Fraction]:
    """N + 1 increasing values of 1 - beta2, equally spaced in log10 over [-decades, 0]: exact decimals
    with 4 significant digits (cells must have rational edges for the balls; the decades are exact)."""
    out = [Fraction(f"{10.0 ** (-decades + decades * k / N):.4g}") for k in range(N + 1)]
    out[0], out[-1] = Fraction(1, 10 ** decades), Fraction(1)
    return out


def edges(N: int, axis: str = "linear", decades: int = LOG_DECADES) -> tuple[list, list]:
    """Cell edges (beta1 edges, beta2 edges), each increasing in its cell index.

    linear: both k/N.  log: beta1 k/N; beta2 index j runs along log10(1 - beta2) from -decades to 0, so
    cell j is beta2 in [1 - u_(j+1), 1 - u_j] with u = :func:`log_edges` (beta2 *decreases* with j)."""
    if axis not in AXES:
        raise ValueError(f"axis must be one of {AXES} (got {axis!r})")
    e1 = [Fraction(k, N) for k in range(N + 1)]
    return (e1, e1) if axis == "linear" else (e1, [1 - u for u in log_edges(N, decades)])


def centres(N: int, axis: str = "linear", decades: int = LOG_DECADES) -> tuple[list, list]:
    """Exact cell centres: (2k+1)/(2N) on a linear axis; on the log axis 1 - beta2 at the midpoint of
    the cell's log10 interval (a 4-digit decimal, inside the cell)."""
    c1 = [Fraction(2 * k + 1, 2 * N) for k in range(N)]
    if axis == "linear":
        return c1, c1
    edges(N, axis, decades)  # validates axis
    return c1, [1 - Fraction(f"{10.0 ** (-decades + decades * (k + 0.5) / N):.4g}") for k in range(N)]


def _cells_chunk(cells, e1, e2, C, n, eps, depth):
    """Certified signs of a chunk of cells (i, j): the unit of work of the sweep layer."""
    return [_cell_sign(*sorted((e1[i], e1[i + 1])), *sorted((e2[j], e2[j + 1])), C, n, eps, depth)
            for i, j in cells]


def certified_grid(C, n: int, N: int, depth: int = 3, eps=0, z3_max_n: int = 4, z3_timeout_s=1.0,
                   z3_max_cells: int = 4, progress=None, sweep_opts: dict | None = None,
                   axis: str = "linear", decades: int = LOG_DECADES) -> dict:
    """Label every cell; see the module docstring.  Returns the ``grid`` record of the JSON.

    ``axis="log"``: beta2's cells along log10(1 - beta2) in [-decades, 0] (:func:`edges`); the record
    then carries the exact edges (``beta1_edges``, ``beta2_edges``) and their log10 values.

    The cells run through :func:`numerics.sweep.sweep` (``sweep_opts``: its executor options, e.g.
    ``{"workers": 2}`` or ``{"scheduler": "tcp://host:8786"}``); the labels are the same bits whatever
    runs them.  Z3 then looks at the first unresolved cells in (i, j) order, as before."""
    from numerics.sweep import sweep

    t0 = time.perf_counter()
    e1, e2 = edges(N, axis, decades)
    cells = [(i, j) for i in range(N) for j in range(N)]
    signs = sweep(functools.partial(_cells_chunk, e1=e1, e2=e2, C=C, n=n, eps=eps, depth=depth), cells,
                  progress=(lambda done, total: progress(done * N // total, N)) if progress else None,
                  **(sweep_opts or {}))
    labels = [[None] * N for _ in range(N)]
    sub = [[None] * N for _ in range(N)]
    verdicts = [[None] * N for _ in range(N)]
    counts = {"diverges": 0, "converges": 0, "undecided": 0, "boundary": 0, "z3_tried": 0,
              "z3_boundary": 0}
    for (i, j), s in zip(cells, signs):
        if s is None and n <= z3_max_n and eps == 0 and counts["z3_tried"] < z3_max_cells:
            counts["z3_tried"] += 1
            s = z3_cell(*sorted((e1[i], e1[i + 1])), *sorted((e2[j], e2[j + 1])), C, n, z3_timeout_s)
            if s is not None:
                counts["z3_boundary"] += 1
        lab = {1: "diverges", -1: "converges"}.get(s, "undecided")
        labels[i][j] = lab
        sub[i][j] = "boundary" if s == 0 else ("unresolved" if s is None else "")
        verdicts[i][j] = cell_verdict(lab)
        counts[lab] += 1
        counts["boundary"] += s == 0
    out = {"C": _num(C), "n": n, "N": N, "depth": depth, "axis": axis,
           "index": "labels[i][j]: beta1 in [i/N,(i+1)/N], beta2 in [j/N,(j+1)/N]",
           "labels": labels, "undecided_kind": sub, "counts": counts, "verdicts": verdicts,
           "verdict_counts": {v: sum(row.count(v) for row in verdicts) for v in (PROVED, UNKNOWN)},
           "method": "python-flint arb enclosure of D over the cell, bisection depth "
                     f"{depth}; Z3 exact corner signs on up to {z3_max_cells} unresolved cells "
                     f"when n <= {z3_max_n}",
           "seconds": round(time.perf_counter() - t0, 3)}
    if axis == "log":
        out.update(_log_axis_record(N, decades, e1, e2))
    return out


def _log_axis_record(N, decades, e1, e2) -> dict:
    return {"decades": decades,
            "index": f"labels[i][j]: beta1 in [i/N,(i+1)/N]; beta2 in [beta2_edges[j+1], beta2_edges[j]], "
                     f"i.e. log10(1-beta2) in [-{decades} + {decades}j/N, -{decades} + {decades}(j+1)/N] "
                     f"(edges rounded to 4-digit decimals)",
            "beta1_edges": [str(x) for x in e1], "beta2_edges": [str(x) for x in e2],
            "log10_one_minus_beta2_edges": [math.log10(float(1 - b)) for b in e2]}


def reddi_region(C, n: int, N: int, axis: str = "linear", decades: int = LOG_DECADES) -> list | None:
    """Theorem 2's sufficient region at the cell centres (:func:`centres`; None unless n = C integer)."""
    from analysis.conditions import conditions

    Cq = dr.q(C)
    if Cq.denominator != 1 or int(Cq) != n:
        return None
    c1, c2 = centres(N, axis, decades)
    out = []
    for i in range(N):
        row = []
        for j in range(N):
            b1, b2 = c1[i], c2[j]
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


def simulated_grid(C, n: int, N_sim: int, T: int, alpha=1, x1=0.0, band=4.0, eps=0, axis: str = "linear",
                   decades: int = LOG_DECADES) -> dict:
    """Adam at the centres (:func:`centres`) of an N_sim x N_sim grid vs the exact sign of D there."""
    c1, c2 = centres(N_sim, axis, decades)
    pts = [(b1, b2) for b1 in c1 for b2 in c2]
    t0 = time.perf_counter()
    x_T, engine, T = _batch_adam(pts, C, n, alpha, eps, x1, int(T))
    sim, sim_verdicts, exact, agree, total, excluded = [], [], [], 0, 0, 0
    for k, (b1, b2) in enumerate(pts):
        x = float(x_T[k])
        lab = "diverges" if x > 0.5 else ("converges" if x < -0.5 else "undecided")
        s = dr.drift_sign(b1, b2, C, n, eps)
        D = float(dr.drift(b1, b2, C, n, backend="float", eps=float(eps)))
        far = abs(dr.predicted_displacement(D, float(alpha), T, n)) >= band
        sim.append(lab)
        sim_verdicts.append(cell_verdict(lab, certified=False))
        exact.append(s.label)
        if far:
            total += 1
            agree += lab == s.label
        else:
            excluded += 1
    return {"N_sim": N_sim, "T": int(T), "alpha": str(alpha), "x1": x1, "engine": engine,
            "points": [[str(a), str(b)] for a, b in pts], "simulated": sim, "simulated_verdicts": sim_verdicts,
            "exact": exact,
            "band": f"excluded where 2 alpha |D| sqrt(T)/n < {band}",
            "compared": total, "agree": agree, "excluded": excluded,
            "agreement_rate": (agree / total) if total else None,
            "seconds": round(time.perf_counter() - t0, 3)}


def _threshold_chunk(cells, c1, c2, eps):
    """Smallest diverging C (and its even neighbour) at a chunk of cell centres (i, j)."""
    out = []
    for i, j in cells:
        th = dr.smallest_diverging_C(c1[i], c2[j], eps=eps)
        out.append((th.C, th.C_even))
    return out


def threshold_map(N: int, decades: int = 5, eps=0, progress=None, sweep_opts: dict | None = None) -> dict:
    """The exact smallest diverging C of the period-C family (Theorem 2's family, n = C) at the cell
    centres of an N x N grid: beta1 against log10(1 - beta2) in [-decades, 0] (:func:`centres`).

    Each value is :func:`counterexamples.drift.smallest_diverging_C`: D > 0 certified at C and D < 0 at
    every integer 2 <= C' < C (arb), so it is exact, not a scan.  Its cost grows like C^2 and C grows
    like 1/sqrt(1 - beta2) (about 2000 at 1 - beta2 = 1e-6), hence the default of 5 decades (a 24 x 24
    map: about 20 s of CPU on one core; 6 decades: about 2 minutes, measured with the same command).  ``C[i][j]`` is None where no
    C <= 20000 diverges (reported, never guessed)."""
    from numerics.sweep import sweep

    t0 = time.perf_counter()
    c1, c2 = centres(N, "log", decades)
    cells = [(i, j) for i in range(N) for j in range(N)]
    vals = sweep(functools.partial(_threshold_chunk, c1=c1, c2=c2, eps=eps), cells,
                 progress=progress, **(sweep_opts or {}))
    Cs = [[None] * N for _ in range(N)]
    Ce = [[None] * N for _ in range(N)]
    for (i, j), (c, ce) in zip(cells, vals):
        Cs[i][j], Ce[i][j] = c, ce
    e1, e2 = edges(N, "log", decades)
    found = [c for row in Cs for c in row if c is not None]
    return {"N": N, "axis": "log", "family": "period n = C: g_t = C when t mod C = 1, else -1",
            **_log_axis_record(N, decades, e1, e2),
            "index": "C[i][j]: at beta1 = beta1_centres[i], beta2 = beta2_centres[j]",
            "beta1_centres": [str(x) for x in c1], "beta2_centres": [str(x) for x in c2],
            "log10_one_minus_beta2_centres": [math.log10(float(1 - b)) for b in c2],
            "C": Cs, "C_even": Ce, "range": [min(found), max(found)] if found else None,
            "missing": sum(c is None for row in Cs for c in row),
            "method": "counterexamples.drift.smallest_diverging_C at each centre: D > 0 at C and D < 0 at "
                      "every integer 2 <= C' < C, certified by python-flint arb",
            "seconds": round(time.perf_counter() - t0, 3)}


def ascii_map(grid: dict, reddi=None, rows: int = 16) -> str:
    """A small text rendering (beta2 up, or log10(1 - beta2) up on the log axis; beta1 right):
    '+' diverges, '-' converges, '?' undecided."""
    N = grid["N"]
    step = max(1, N // rows)
    ch = {"diverges": "+", "converges": "-", "undecided": "?"}
    lines = []
    for j in range(N - 1, -1, -step):
        row = "".join(ch[grid["labels"][i][j]] if not (reddi and reddi[i][j]) else "R"
                      for i in range(0, N, step))
        if grid.get("axis") == "log":
            lo, hi = grid["log10_one_minus_beta2_edges"][j:j + 2]
            lines.append(f"  lg(1-b2)={(lo + hi) / 2:6.2f} |{row}|")
        else:
            lines.append(f"  beta2={(j + 0.5) / N:5.3f} |{row}|")
    lines.append("               " + "beta1: 0" + " " * max(0, len(range(0, N, step)) - 9) + "-> 1")
    return "\n".join(lines)


def _num(x):
    f = dr.q(x)
    return int(f) if f.denominator == 1 else str(f)
