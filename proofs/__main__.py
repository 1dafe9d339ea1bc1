"""python -m proofs -- the proof audit: every theorem, every step, its verdict, witness and time.

Verdicts: PROVED (for the whole stated domain: Z3 negation unsat, re-posed to cvc5 -- the row says
"z3+cvc5" or "z3 only" --, an exact SymPy identity, or an exact computation of a claim about finitely many
stated values), REFUTED (witness in exact rationals / algebraic numbers, re-checked by an independent
replay), UNKNOWN (timeout or no decision, with the reason), EVIDENCE (a finite check of a universal
claim, its range in the label: never a proof, counted apart).  Rows tagged [RECONSTRUCTED] encode a form of the step
that the spec could not confirm as printed.

Exit status: 0 when every verdict is the expected one (the expected refutations are the known
findings), 1 when a verdict differs (a regression, or an UNKNOWN caused by a too-short --timeout) or
when cvc5 gives a real model (replayed exactly) for a step Z3 proved, 2 on bad arguments.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from numerics.cli import BadInput, Parser, check_writable, versions, write_atomic

PRECISION = "exact SymPy (rationals, algebraic numbers); replays and evidence: mpmath 50 digits"

from .ids import IDS

MAX_TIMEOUT = 600.0


def _parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="python -m proofs",
        description="Machine-checked audit of the proofs of Reddi, Kale & Kumar (2018), 'On the Convergence "
                    "of Adam and Beyond', and of the follow-ups that found gaps in them (Kingma & Ba's Theorem "
                    "4.1, Phuong & Phong 2019).  Each step is one obligation: PROVED (Z3 unsat of the negation, "
                    "exact SymPy identity, or exact computation of a finite claim), REFUTED (exact witness, "
                    "replayed without Z3) or UNKNOWN (with the reason).",
        epilog="Theorem ids: " + ", ".join(IDS) + ".  Exit status: 0 all verdicts as expected, 1 a verdict "
               "differs from the expected one, 2 bad arguments.")
    p.add_argument("--theorem", action="append", metavar="ID",
                   help="audit only this theorem (repeatable); one of: " + ", ".join(IDS))
    p.add_argument("--timeout", type=str, default="10", metavar="S",
                   help=f"per-obligation Z3 time limit in seconds, 0 < S <= {MAX_TIMEOUT:g} (default 10)")
    p.add_argument("--json", action="store_true", help="print the results as JSON on stdout instead of tables")
    p.add_argument("--output", metavar="PATH", help="also write the JSON results to PATH (atomically)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p


def _fail(msg: str) -> None:
    print(f"python -m proofs: error: {msg}", file=sys.stderr)
    sys.exit(2)


def _short(w: dict, n: int = 60) -> str:
    s = ", ".join(f"{k}={v}" for k, v in w.items())
    return s if len(s) <= n else s[: n - 3] + "..."


def run_audit(ids, timeout_s: float, progress=None) -> list[dict]:
    from .registry import THEOREMS

    out = []
    for tid in ids:
        th = THEOREMS[tid]
        t0 = time.perf_counter()
        results = {}
        for ob in th.obligations:
            r = ob.check(timeout_s)
            results[r.label] = r
            if progress:
                progress(f"[{tid}] {r.label}: {r.verdict} ({r.seconds:.2f} s)")
        out.append({"id": tid, "title": th.title, "summary": th.summarize(results),
                    "statement": th.statement_verdict(results),
                    "seconds": round(time.perf_counter() - t0, 3),
                    "steps": [r.as_json() for r in results.values()]})
    return out


def mismatches(theorems: list[dict]) -> list[str]:
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
    z3_proved = [s for th in theorems for s in th["steps"] if s["verdict"] == "proved" and s.get("solvers")]
    both = sum(s["solvers"] == "z3+cvc5" for s in z3_proved)
    return {"z3_proved": len(z3_proved), "z3+cvc5": both, "z3 only": len(z3_proved) - both,
            "cvc5_rate": round(both / len(z3_proved), 4) if z3_proved else None}


def _table(th: dict) -> str:
    lines = [f"== {th['title']}  [{th['id']}, {th['seconds']:.1f} s]"]
    lines.append(f"   {'label':<22} {'verdict':<8} {'sec':>6}  claim  |  witness")
    for s in th["steps"]:
        tag = " [RECONSTRUCTED]" if s["source"] == "reconstructed" else ""
        ev = f" (evidence, {s['range']} only)" if s["evidence"] else ""
        ev += f" [{s['solvers']}]" if s.get("solvers") else ""
        claim = s["claim"] if len(s["claim"]) <= 90 else s["claim"][:87] + "..."
        wit = _short(s["witness"]) if s["witness"] else (s["reason"] if s["verdict"] == "unknown" else "")
        lines.append(f"   {s['label']:<22} {s['verdict'].upper():<8} {s['seconds']:>6.2f}  {claim}{tag}{ev}"
                     + (f"  |  {wit}" if wit else ""))
    lines.append(f"   => {th['summary']}")
    st = th["statement"]
    lines.append(f"   => proof: {st['proof'].upper()}; statement: {st['statement'].upper()} -- {st['note']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        timeout_s = float(args.timeout)
    except ValueError:
        _fail(f"--timeout: expected a number of seconds in (0, {MAX_TIMEOUT:g}], got {args.timeout!r}")
    if not (0 < timeout_s <= MAX_TIMEOUT):
        _fail(f"--timeout: must be in (0, {MAX_TIMEOUT:g}] seconds, got {args.timeout}")
    ids = args.theorem or list(IDS)
    for tid in ids:
        if tid not in IDS:
            _fail(f"--theorem: unknown id {tid!r}; choose from {', '.join(IDS)}")
    if args.output:
        try:
            check_writable(args.output, "--output")
        except BadInput as exc:
            _fail(str(exc))
    progress = None if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    theorems = run_audit(ids, timeout_s, progress)
    total = time.perf_counter() - t0
    bad = mismatches(theorems)
    counts = {v: sum(s["verdict"] == v for th in theorems for s in th["steps"])
              for v in ("proved", "refuted", "unknown", "evidence")}
    solvers = solver_counts(theorems)
    doc = {"theorems": theorems,
           "meta": {"timeout_s": timeout_s, "seconds": round(total, 3), "counts": counts, "solvers": solvers, "mismatches": bad,
                    "versions": versions(),
                    "precision": PRECISION,
                    "note": "expected refutations are findings about the paper; see each step's 'expected'"}}
    text = json.dumps(doc, indent=2)
    if args.output:
        write_atomic(args.output, text + "\n")
    if args.json:
        print(text)
    else:
        v = doc["meta"]["versions"]
        print(f"Proof audit of Reddi, Kale & Kumar (2018) -- z3 {v['z3']}, sympy {v['sympy']}, mpmath {v['mpmath']}; "
              f"per-obligation timeout {timeout_s:g} s")
        print(f"precision: {PRECISION}\n")
        for th in theorems:
            print(_table(th) + "\n")
        rate = "n/a" if solvers["cvc5_rate"] is None else f"{100 * solvers['cvc5_rate']:.0f}%"
        print(f"{sum(counts.values())} steps: {counts['proved']} proved, {counts['refuted']} refuted, "
              f"{counts['unknown']} unknown, {counts['evidence']} evidence (finite checks, not proofs); "
              f"cvc5 confirmed {solvers['z3+cvc5']} of {solvers['z3_proved']} Z3 proofs ({rate}), in {total:.1f} s.  "
              + ("Every verdict is the expected one." if not bad else "MISMATCHES: " + "; ".join(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
