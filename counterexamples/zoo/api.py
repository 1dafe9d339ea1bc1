"""The zoo from Python: :func:`zoo` takes keyword arguments (typed values) and returns a :class:`ZooResult`;
bad input raises ``numerics.cli.BadInput`` (a ValueError), never SystemExit.  ``python -m
counterexamples.zoo`` is a thin layer over it.

    >>> from counterexamples.zoo import zoo
    >>> r = zoo(methods=["adam"], T=20_000)                     # doctest: +SKIP
    >>> r.results[0]["problems"]["thm1"]["certified"]["sign"]  # doctest: +SKIP
    1
"""
from __future__ import annotations

import time
from types import SimpleNamespace

from numerics.cli import BadInput, Progress, confirm_eta, meta, value

from counterexamples.drift.general import CERTIFY_ROUNDS_PER_C

from .methods import ROW_BY_KEY
from .table import C_MAX, PAIRS, PROBLEMS, T_SIM, cases, evaluate, threshold

PROG = "python -m counterexamples.zoo"
# each simulation keeps every iterate and gradient (two float64 arrays of T): the zoo's own bound on T,
# beyond the one range of T (numerics.cli.RANGES) that every command shares
T_KEEP_MAX = 10**8


class ZooResult(dict):
    """The zoo's document (a dict, as ``--json`` prints it).

    Keys: ``results`` (one row per method: method, libraries, sold_as_convergent, note, ``problems``
    {problem: certified drift verdict, simulation, agreement}, ``smallest_diverging_C`` {pair: ...}),
    ``findings`` (verdicts that surprise, with their witness), ``disagreements`` (certified verdicts a
    simulation contradicts: the command's exit 1), ``problems``, ``pairs``, ``T``, ``C_max``, ``meta``.

    >>> from counterexamples.zoo import ZooResult
    >>> ZooResult(results=[], disagreements=[]).ok                 # no certified verdict contradicted: exit 0
    True
    >>> ZooResult(results=[], disagreements=[{"method": "adam", "problem": "thm1"}]).ok
    False
    """

    @property
    def results(self) -> list:
        return self["results"]

    @property
    def ok(self) -> bool:
        """True when no certified verdict is contradicted (the command's exit 0)."""
        return not self["disagreements"]


def estimate_seconds(keys, T: int) -> float:
    """Seconds for the zoo's simulations at T rounds: one method's simulation timed at growing lengths
    (the reference loop costs about the same per round for every method), times the number of runs."""
    from .table import cases, simulate

    case = cases()["thm1"]
    meth = ROW_BY_KEY["adam"].definition(case.hyper.get("alpha", 1), case.hyper.get("beta1", 0),
                                        case.hyper.get("beta2", "0.99")) if "adam" in ROW_BY_KEY else None
    if meth is None:  # pragma: no cover
        return 0.0
    k = 1000
    while True:
        t0 = time.perf_counter()
        simulate(meth, case, k)
        el = time.perf_counter() - t0
        if el >= 0.2 or k * 10 > T // 10:
            return T * el / k * len(keys) * len(PROBLEMS)
        k *= 10


def zoo(*, methods=None, T=T_SIM, C_max=C_MAX, progress: bool = False, workers=None, scheduler=None,
        yes: bool = False, certify_rounds=None, _flag=None) -> ZooResult:
    """Every method of the zoo (or ``methods``: names or a comma list) on the paper's counterexamples.

    ``T``: rounds of each simulation (one range, ``numerics.cli.RANGES``, and at most 1e8: each
    simulation keeps its iterates); ``C_max``: the largest C scanned for the smallest diverging C;
    ``workers`` / ``scheduler`` as the command's ``--workers`` / ``--scheduler``; ``yes`` starts a run
    estimated to pass an hour; ``certify_rounds``: ball rounds spent certifying every C below the smallest
    diverging C (default ``CERTIFY_ROUNDS_PER_C * C_max``; what it does not reach stays EVIDENCE).
    Raises ``numerics.cli.BadInput`` on bad input.

    AMSGrad on Theorem 1's problem: the certified drift is negative (it converges) and the simulation
    agrees:

    >>> from counterexamples.zoo import zoo
    >>> r = zoo(methods="amsgrad", T=1000, C_max=16)                # doctest: +SLOW
    >>> cell = r.results[0]["problems"]["thm1"]                     # doctest: +SLOW
    >>> cell["certified"]["label"], cell["agreement"]["label"]      # doctest: +SLOW
    ('converges', 'agrees')
    """
    from numerics.sweep import sweep_options

    fl = _flag or (lambda k: k)
    T = value("T", T, fl("T"))
    if T > T_KEEP_MAX:
        raise BadInput(f"{fl('T')} must be <= {T_KEEP_MAX} for the zoo: each simulation keeps its {T} iterates "
                       f"in memory (got {T})")
    C_max = value("C_max", C_max, fl("C_max"))
    if certify_rounds is not None:
        try:
            certify_rounds = int(str(certify_rounds).strip().replace("_", ""))
        except ValueError:
            certify_rounds = -1
        if not 0 <= certify_rounds <= 10**9:
            raise BadInput(f"{fl('certify_rounds')} must be an integer in [0, 1e9]")
    if methods is None:
        keys = list(ROW_BY_KEY)
    elif isinstance(methods, str):
        keys = [k.strip() for k in methods.split(",")]
    else:
        keys = [str(k) for k in methods]
    for k in keys:
        if k not in ROW_BY_KEY:
            raise BadInput(f"{fl('method')}: unknown method {k!r}; choose from {', '.join(ROW_BY_KEY)}")
    opts = sweep_options(SimpleNamespace(workers=workers, scheduler=scheduler))
    if T > 10**6:  # the ETA first; past an hour only with --yes
        confirm_eta(estimate_seconds(keys, T), yes, f"{fl('T')} {T}")
    rows = run_zoo(keys, T, C_max, progress=progress, sweep_opts=opts, certify_rounds=certify_rounds)
    disagree = [f"{r['method']} on {p}" for r in rows for p in PROBLEMS
                if r["problems"][p]["agreement"]["status"] == "refuted"]
    return ZooResult({"meta": meta(PROG.removeprefix("python -m "), precision="float64 simulations; arb balls "
                                   "(128/512 bits) for the certified drift"),
                      "problems": list(PROBLEMS), "pairs": [list(p) for p in PAIRS], "T": T, "C_max": C_max,
                      "certify_rounds": CERTIFY_ROUNDS_PER_C * C_max if certify_rounds is None else certify_rounds,
                      "results": rows, "findings": findings(rows), "disagreements": disagree})


def _rows(keys: list, T: int, C_max: int, certify_rounds: int | None = None) -> list[dict]:
    """The rows of ``keys`` (one chunk of the sweep layer: a module-level function, so that it runs in
    other processes and on Dask workers)."""
    cs = cases()
    rows = []
    for key in keys:
        row = ROW_BY_KEY[key]
        out = {"method": key, "libraries": list(row.libraries), "sold_as_convergent": row.sold_as_convergent,
               "note": row.reason, "problems": {}, "smallest_diverging_C": {}}
        for name in PROBLEMS:
            out["problems"][name] = evaluate(row, cs[name], T)
        for b1, b2 in PAIRS:
            out["smallest_diverging_C"][f"({b1}, {b2})"] = threshold(row, b1, b2, C_max, certify_rounds)
        rows.append(out)
    return rows


def run_zoo(keys, T: int, C_max: int, progress: bool = True, sweep_opts: dict | None = None,
            certify_rounds: int | None = None) -> list[dict]:
    """One row per method, through :func:`numerics.sweep.sweep` (a method is an item; the rows come back
    in the order of ``keys`` whatever the executor).

    AdamW's decoupled decay reads x: no certified verdict (UNKNOWN, never a pass), the simulation only.

    >>> from counterexamples.zoo import run_zoo
    >>> rows = run_zoo(["adamw"], T=1000, C_max=16, progress=False)                     # doctest: +SLOW
    >>> cell = rows[0]["problems"]["thm1"]                                                # doctest: +SLOW
    >>> cell["certified"]["status"], cell["simulated"]["label"]                          # doctest: +SLOW
    ('unknown', 'stuck at the worst point')
    """
    import functools

    from numerics.sweep import sweep

    opts = dict(sweep_opts or {})
    opts.setdefault("chunk_size", 1)
    with Progress("zoo: methods", len(keys), enabled=progress) as bar:
        return sweep(functools.partial(_rows, T=T, C_max=C_max, certify_rounds=certify_rounds), list(keys), progress=bar, **opts)


def findings(rows) -> list[str]:
    """The verdicts that surprise, with their witness: a method proposed as a fix that diverges, and a
    library method that converges where Adam does not."""
    out = []
    for r in rows:
        for p in PROBLEMS:
            ev = r["problems"][p]
            c = ev["certified"]
            if r["sold_as_convergent"] and c["status"] == "proved" and c["label"] == "diverges":
                out.append(f"{r['method']} (proposed as convergent) DIVERGES on {p} at beta1={ev['beta1']}, "
                           f"beta2={ev['beta2']}: certified drift D = {c['enclosure']} > 0; simulation: "
                           f"{ev['simulated']['status']} {ev['simulated'].get('label', '')} (x_T = "
                           f"{ev['simulated']['x_T']:+.4f} after "
                           f"{ev['simulated']['T']} rounds)")
            if c["sign"] == 0:
                out.append(f"{r['method']} on {p}: D = 0 exactly (sign steps cancel): the drift decides nothing")
        for pair, th in r["smallest_diverging_C"].items():
            if r["sold_as_convergent"] and th["C"] is not None:
                out.append(f"{r['method']} (proposed as convergent) has a diverging Theorem 2 family at {pair}: "
                           f"C = {th['C']} ({th['status']}" + (f": {th['reason']})" if th.get("reason") else ")"))
    return out
