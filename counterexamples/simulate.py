"""``python -m counterexamples.simulate``: run named problems with named optimizers.

Prints, per optimizer, the iterate x_t after t updates (so x_T is the final iterate, as in the spec's
facts) and the average regret R_t/t (over the points x_1..x_t played) at the checkpoints; ``--json`` prints one machine-readable object; ``--plot FILE`` draws the Figure 1 analogue
(x_t and R_t/t against t, log scale in t).

Examples
  python -m counterexamples.simulate --problem section5-online --optimizer adam,amsgrad --T 1000000
  python -m counterexamples.simulate --problem thm1 --C 3 --optimizer adam --backend mpmath --dps 50
"""
from __future__ import annotations

import copy
import sys
import time
from fractions import Fraction

import numpy as np

from numerics import BackendUnavailable, METHODS, VARIANTS, get_backend, make
from numerics.cli import BadInput, Parser, Progress, dumps, emit, main_entry, meta, number, range_text, write_atomic
from numerics.engine import simulate as run_engine
from numerics.schedules import BETA1_SCHEDULES, STEP_SCHEDULES

from analysis.families import FAMILIES, FamilyError, build, resolve

BACKEND_CHOICES = ("numpy", "mpmath", "arb", "cupy")


def parser() -> Parser:
    p = Parser(prog="python -m counterexamples.simulate", plot=True,
               description="Simulate the paper's optimizers on its counterexample problems and print x_t "
                           "and the average regret R_t/t at checkpoints (t starts at 1; x_t is the iterate "
                           "after t updates, R_t sums the losses of the points played in rounds 1..t).  Hyper-parameters a theorem prescribes (Theorem 1: beta1=0, "
                           "beta2=1/(1+C^2); Theorem 6; Example 3.2) are the problem's defaults; anything "
                           "given on the command line overrides them, and the output records what ran.")
    p.add_argument("--problem", default="section5-online",
                   help=f"one of: {', '.join(FAMILIES)} (default: section5-online)")
    p.add_argument("--C", type=number("C"), help="large gradient C (periodic, thm1, thm2, thm3, thm6)")
    p.add_argument("--n", type=number("n"), help=f"period n, {range_text('n')} (periodic)")
    p.add_argument("--delta", type=number("delta"), help="delta in (0, C) for thm3 (p = (1+delta)/(C+1))")
    p.add_argument("--p", type=number("p"), help="probability of the large gradient in (0, 1) (thm3, "
                   "section5-stochastic)")
    p.add_argument("--optimizer", default="adam,amsgrad",
                   help=f"comma list from: {', '.join(METHODS)} (default: adam,amsgrad)")
    p.add_argument("--alpha", type=number("alpha"), help="step size alpha > 0 (alpha_t = alpha/sqrt(t) with --schedule sqrt)")
    p.add_argument("--schedule", choices=STEP_SCHEDULES, default="sqrt",
                   help="alpha_t = alpha/sqrt(t) (sqrt, the theory's) or alpha (constant)")
    p.add_argument("--beta1", type=number("beta1"), help="beta1 in [0, 1)")
    p.add_argument("--beta2", type=number("beta2"), help="beta2 in (0, 1)")
    p.add_argument("--beta1-schedule", choices=BETA1_SCHEDULES, default=None,
                   help="beta_1t for amsgrad/adamnc/adamx: constant, geometric (beta1*lam^(t-1)), harmonic (beta1/t)")
    p.add_argument("--lam", type=number("lam"), help="lambda in (0, 1) for --beta1-schedule geometric")
    p.add_argument("--eps", type=number("eps"), help="eps >= 0 (paper variant: inside the root, eq. 3; others: outside)")
    p.add_argument("--variant", choices=tuple(VARIANTS), default="paper",
                   help="Adam/AMSGrad definition: paper (Algorithm 1/2), pytorch, optax, keras")
    p.add_argument("--T", type=number("T"), default=100000,
                   help=f"number of rounds T, {range_text('T')} (default 100000)")
    p.add_argument("--x1", type=number("x1"), help="start x_1 in [-1, 1] (default: the problem's)")
    p.add_argument("--backend", choices=BACKEND_CHOICES, default="numpy",
                   help="numpy float64 (default), mpmath (--dps digits), arb (certified balls), cupy (GPU)")
    p.add_argument("--dps", type=number("dps"), default=50,
                   help=f"decimal digits for mpmath/arb, {range_text('dps')} (default 50)")
    p.add_argument("--seed", type=number("seed"), default=0,
                   help=f"seed of the stochastic problems, {range_text('seed')} (default 0)")
    p.add_argument("--checkpoints", help="comma list of rounds t to report (default 1, 10, 100, ..., T)")
    p.add_argument("--stochastic-panel", action="store_true",
                   help="with --plot and --problem section5-online: also run section5-stochastic (same "
                        "optimizers, hyper-parameters, T and --seed) and draw its x_t as a third panel")
    return p


def _validate(a) -> dict:
    """Exact hyper-parameters from the CLI (each already range-checked by numerics.cli.number)."""
    out = {name: getattr(a, name) for name in ("beta1", "beta2", "lam", "alpha", "eps", "x1")
           if getattr(a, name) is not None}
    if a.beta1_schedule is not None:
        out["beta1_schedule"] = a.beta1_schedule
    return out


def _checkpoints(text, T):
    if text is None:
        return None
    try:
        pts = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        raise BadInput(f"--checkpoints must be a comma list of integers in [1, T] (got {text!r})")
    if not pts or pts[0] < 1 or pts[-1] > T:
        raise BadInput(f"--checkpoints must be integers in [1, {T}] (got {text!r})")
    return pts


def _plot_checkpoints(T: int, extra) -> list[int]:
    pts = set(np.unique(np.geomspace(1, T, num=min(T, 400)).astype(int)).tolist())
    return sorted(pts | set(extra or []) | {T})


def simulate(a) -> dict:
    hyper = _validate(a)
    fam = build(a.problem, C=a.C, n=a.n, delta=a.delta, eps=hyper.get("eps"), p=a.p, seed=a.seed)
    names = [s.strip() for s in a.optimizer.split(",")]
    for nm in names:
        if nm not in METHODS:
            raise BadInput(f"--optimizer: unknown optimizer {nm!r}; choose from {', '.join(METHODS)}")
    try:
        B = get_backend(a.backend, a.dps)
    except BackendUnavailable as exc:
        raise BadInput(str(exc))
    cps = _checkpoints(a.checkpoints, a.T)
    if a.plot:
        cps = _plot_checkpoints(a.T, cps)
    runs = []
    for nm in names:
        ran = resolve(fam, {**hyper, "variant": a.variant, "schedule": a.schedule})
        x1 = ran.pop("x1", 0)
        method = make(nm, **ran)
        t0 = time.perf_counter()
        # the compiled engine (numba for float64, a fast ball loop for arb) when it applies, else the
        # reference loop; it reports progress between segments (an ETA when the run is over ~2 s)
        with Progress(f"[simulate] {nm}", a.T) as bar:
            res = run_engine(method, fam.sequence, a.T, x1=x1, backend=B, checkpoints=cps, progress=bar)
        engine = res.backend["engine"]
        secs = time.perf_counter() - t0
        runs.append(_run_record(nm, method, res, B, x1, engine, secs))
        print(f"[simulate] {nm}: done in {secs:.2f} s ({engine})", file=sys.stderr)
    precision = "float64" if a.backend in ("numpy", "cupy") else f"{a.backend} {a.dps} digits"
    return {"meta": meta("counterexamples.simulate", seed=a.seed, precision=precision),
            "problem": fam.sequence.describe() | {"note": fam.note}, "runs": runs}


def _fmt(v):
    return {k: (str(x) if isinstance(x, Fraction) else x) for k, x in v.items()}


def _run_record(name, method, res, B, x1, engine, secs) -> dict:
    f = B.to_float
    rec = {"optimizer": name, "variant": method.hyper.get("variant", "paper"), "T": res.T,
           "x_T": f(res.x_T), "x_played_T": f(res.x_played), "avg_regret": f(res.avg_regret),
           "regret": f(res.regret), "x1": str(x1),
           "checkpoints": [{"t": c.t, "x": f(c.x), "avg_regret": f(c.avg_regret)} for c in res.checkpoints],
           "backend": res.backend.get("backend"), "dps": res.backend.get("dps"),
           "hyper": _fmt(method.hyper), "engine": engine, "seconds": round(secs, 3)}
    if rec["backend"] in ("mpmath", "arb"):
        rec["x_T_str"] = B.to_str(res.x_T, 40)
        rec["avg_regret_str"] = B.to_str(res.avg_regret, 40)
        if rec["backend"] == "arb":
            digits = res.backend.get("dps") or 40  # show the ball at the run's precision
            rec["x_T_ball"] = res.x_T.str(digits, radius=True)
            rec["avg_regret_ball"] = res.avg_regret.str(digits, radius=True)
    return rec


def table(out: dict) -> str:
    lines = []
    print = lines.append  # noqa: A001 - the table is built line by line
    pr = out["problem"]
    params = ", ".join(f"{k}={v}" for k, v in pr.items() if k not in ("name", "note", "box"))
    print(f"problem {pr['name']} ({params}) on F=[{pr['box'][0]}, {pr['box'][1]}]^{pr['d']}")
    if pr.get("note"):
        print(f"  note: {pr['note']}")
    for r in out["runs"]:
        h = r["hyper"]
        hs = ", ".join(f"{k}={v}" for k, v in h.items() if v is not None and v is not False)
        print(f"\n{r['optimizer']} [{r['variant']}] x1={r['x1']} backend={r['backend']}"
              f"{' dps=' + str(r['dps']) if r['backend'] != 'numpy' else ''} engine={r['engine']}")
        print(f"  {hs}")
        print(f"  {'t':>12}  {'x_t':>22}  {'R_t/t':>22}")
        for c in r["checkpoints"]:
            print(f"  {c['t']:>12}  {c['x']:>22.15g}  {c['avg_regret']:>22.15g}")
        if "x_T_str" in r:
            print(f"  x_T   = {r['x_T_str']}\n  R_T/T = {r['avg_regret_str']}")
    return "\n".join(lines)


def _main(argv) -> int:
    a = parser().parse_args(argv)  # bad input, bad --output / --plot paths: exit 2 before any work
    if a.plot:
        from .figures import _pyplot, figure1

        _pyplot()  # matplotlib missing: one line, exit 2, before the run
    if a.stochastic_panel and not (a.plot and a.problem == "section5-online"):
        raise BadInput("--stochastic-panel needs --plot FILE and --problem section5-online")
    try:
        out = simulate(a)
        sto = None
        if a.stochastic_panel:  # the same optimizers, hyper-parameters, T and seed on the stochastic twin
            b = copy.copy(a)
            b.problem = "section5-stochastic"
            sto = simulate(b)
    except FamilyError as exc:
        raise BadInput(str(exc)) from None
    if a.plot:
        figure1(out, a.plot, stochastic=sto)
        print(f"[simulate] wrote {a.plot}", file=sys.stderr)
    emit(dumps(out) if a.json else table(out), a.output)
    return 0


def main(argv=None, isolate: bool = False) -> int:
    return main_entry("python -m counterexamples.simulate", _main, argv, isolate)


if __name__ == "__main__":
    sys.exit(main(isolate=True))
