"""The audit as a function: run the obligations of some theorems and collect their verdicts.

``python -m proofs`` is the command around it; from Python::

    from proofs import audit
    theorems = audit(["kingma-ba"])          # one dict per theorem: id, title, summary, steps
    theorems[0]["steps"][0]["verdict"]       # 'proved', 'refuted', 'unknown' or 'evidence'
    theorems[0]["statement"]                 # the theorem's proof and statement verdicts
"""
from __future__ import annotations

import time

PRECISION = "exact SymPy (rationals, algebraic numbers); replays and evidence: mpmath 50 digits"


def run_audit(ids, timeout_s: float, progress=None) -> list[dict]:
    from .registry import THEOREMS

    out = []
    # a repaired proof reuses the printed proof's steps as the same Obligation objects: each object is
    # checked once per audit and its result shown under every theorem that uses it
    done: dict = {}
    obs: dict = {}
    for tid in ids:
        th = THEOREMS[tid]
        t0 = time.perf_counter()
        results, reused = {}, {}
        for ob in th.obligations:
            obs.setdefault(tid, {})[ob.label] = ob
            if id(ob) not in done:
                done[id(ob)] = (tid, ob.check(timeout_s))
            first, r = done[id(ob)]
            results[r.label] = r
            if first != tid:
                reused[r.label] = first
            if progress:
                progress(f"[{tid}] {r.label}: {r.verdict} ({r.seconds:.2f} s)" + (f" = {first}" if first != tid else ""))
        steps = [r.as_json() for r in results.values()]
        for s in steps:
            if s["label"] in reused:
                s["reused_from"] = reused[s["label"]]  # the same obligation, checked (and counted) there
        out.append({"id": tid, "title": th.title, "summary": th.summarize(results),
                    "statement": th.statement_verdict(results),
                    "seconds": round(time.perf_counter() - t0, 3), "steps": steps})
    t0, c0 = time.perf_counter(), time.process_time()
    kernel_verdicts(out, obs, timeout_s=max(timeout_s, 20.0))
    if progress:
        progress(f"[kernel] statements assembled ({time.perf_counter() - t0:.2f} s, CPU {time.process_time() - c0:.2f} s)")
    return out


def kernel_verdicts(theorems: list[dict], obligations_by_label: dict, timeout_s: float = 20.0) -> None:
    """Add ``th["kernel"]`` to each theorem: the statement's verdict computed by the proof kernel.

    "proved by the kernel" only when :func:`proofs.kernel.certify` accepts a kernel proof of the statement's
    formula; otherwise "not established" with the reason (a step without a kernel proof, a premise without
    one, or a chain whose glue is not mechanised).  Only steps the audit found PROVED get kernel proofs."""
    from . import kernel_pp, kernel_thm5, kernel_thm6  # noqa: F401 -- each adds its builders to statements.BUILDERS
    from . import kernel_adamx  # noqa: F401 -- adamx-5.1 (after kernel_pp, whose AdamX part it builds on)
    from . import statements as ST

    for th in theorems:
        th["kernel"] = ST.kernel_statement(th, obligations_by_label, timeout_s)


def mismatches(theorems: list[dict]) -> list[str]:
    """The steps of an audit whose verdict is not the expected one (``expected``, else PROVED, or EVIDENCE for
    a finite check), and every Z3 proof that cvc5 contradicts with a model that is exact; empty when the
    audit passes.  UNKNOWN is never the expected verdict of a step that should be proved.

    >>> step = {"label": "A2", "verdict": "unknown", "expected": None, "evidence": False}
    >>> mismatches([{"id": "thm1", "steps": [step]}])
    ['thm1/A2: unknown (expected proved)']
    >>> mismatches([{"id": "thm1", "steps": [dict(step, verdict="proved")]}])
    []
    """
    bad = []
    for th in theorems:
        for s in th["steps"]:
            want = s["expected"] or ("evidence" if s["evidence"] else "proved")
            if s["verdict"] != want:
                bad.append(f"{th['id']}/{s['label']}: {s['verdict']} (expected {want})")
            if (s.get("cross_check") or {}).get("disagreement") == "real":
                bad.append(f"{th['id']}/{s['label']}: Z3 unsat but cvc5's model satisfies the negation exactly")
    return bad


def solver_counts(theorems: list[dict]) -> dict:
    """Z3-proved steps and how many of them cvc5 confirmed on the same formula."""
    z3_proved = [s for th in theorems for s in th["steps"]
                 if s["verdict"] == "proved" and s.get("solvers") and not s.get("reused_from")]
    both = sum(s["solvers"] == "z3+cvc5" for s in z3_proved)
    return {"z3_proved": len(z3_proved), "z3+cvc5": both, "z3 only": len(z3_proved) - both,
            "cvc5_rate": round(both / len(z3_proved), 4) if z3_proved else None}


def audit(ids=None, timeout_s: float = 10.0, progress=None) -> list[dict]:
    """The audit of the theorems ``ids`` (default: all of :data:`proofs.ids.IDS`), as ``python -m proofs``.

    ``ids``: a list of theorem ids (or one id); ``timeout_s``: the per-obligation Z3 limit, in the one
    range of ``timeout`` (numerics.cli.RANGES); ``progress``: None or a callable taking one message per
    obligation.  Returns one dict per theorem: id, title, steps (each: label, claim, verdict 'proved' /
    'refuted' / 'unknown' / 'evidence', witness, reason, expected, ...), statement, summary, seconds.
    Bad input raises ``numerics.cli.BadInput`` (a ValueError), never SystemExit.

    An audit of one theorem takes 15-40 s (Z3 and cvc5 on every step), too long for an example here;
    ``tests/test_proofs_audit.py`` runs them.  The example shows the input check:

    >>> from proofs import audit
    >>> audit(["thm7"])
    Traceback (most recent call last):
    ...
    numerics.cli.BadInput: ids: unknown theorem id 'thm7'; choose from thm1, thm2, thm3, ...
    """
    from numerics.cli import BadInput, value

    from .ids import IDS

    ids = [ids] if isinstance(ids, str) else list(ids or IDS)
    for tid in ids:
        if tid not in IDS:
            raise BadInput(f"ids: unknown theorem id {tid!r}; choose from {', '.join(IDS)}")
    return run_audit(ids, float(value("timeout", timeout_s, "timeout_s")), progress)
