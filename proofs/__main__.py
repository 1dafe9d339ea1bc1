"""python -m proofs -- the proof audit: every theorem, every step, its verdict, witness and time.

Verdicts: PROVED (for the whole stated domain: Z3 negation unsat, re-posed to cvc5 -- the row says
"z3+cvc5" or "z3 only" --, an exact SymPy identity, or an exact computation of a claim about finitely many
stated values), REFUTED (witness in exact rationals / algebraic numbers, re-checked by an independent
replay), UNKNOWN (timeout or no decision, with the reason), EVIDENCE (a finite check of a universal
claim, its range in the label: never a proof, counted apart).  Rows tagged [RECONSTRUCTED] encode a form of the step
that is not the paper's printed text (see docs/paper.md).

Exit status: 0 when every verdict is the expected one (the expected refutations are the known
findings), 1 when a verdict differs (a regression, or an UNKNOWN caused by a too-short --timeout) or
when cvc5 gives a real model (replayed exactly) for a step Z3 proved, 2 on bad arguments.
"""
from __future__ import annotations

import argparse
import sys
import time

from numerics.cli import BadInput, Parser, dumps, emit, main_entry, meta, number, range_text

from .audit import PRECISION, mismatches, run_audit, solver_counts


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
        json_help="print the results as JSON on stdout instead of tables",
        epilog="Theorem ids: " + ", ".join(IDS) + ".  Exit status: 0 all verdicts as expected, 1 a verdict "
               "differs from the expected one, 2 bad arguments.")
    p.add_argument("--theorem", action="append", metavar="ID",
                   help="audit only this theorem (repeatable); one of: " + ", ".join(IDS))
    p.add_argument("--timeout", type=number("timeout"), default="10", metavar="S",
                   help=f"per-obligation Z3 time limit in seconds, in {range_text('timeout')} (default 10)")
    p.add_argument("--html", metavar="FILE", help="also write the audit as one self-contained HTML page "
                   "(verdict filters, no network) to FILE (checked before the run)")
    p._outputs.append(("html", "--html", None))
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p


def _short(w: dict, n: int = 60) -> str:
    s = ", ".join(f"{k}={v}" for k, v in w.items())
    return s if len(s) <= n else s[: n - 3] + "..."


def _table(th: dict) -> str:
    lines = [f"== {th['title']}  [{th['id']}, {th['seconds']:.1f} s]"]
    lines.append(f"   {'label':<22} {'verdict':<8} {'sec':>6}  claim  |  witness")
    for s in th["steps"]:
        tag = " [RECONSTRUCTED]" if s["source"] == "reconstructed" else ""
        ev = f" (evidence, {s['range']} only)" if s["evidence"] else ""
        ev += f" [{s['solvers']}]" if s.get("solvers") else ""
        ev += f" (= {s['reused_from']})" if s.get("reused_from") else ""
        claim = s["claim"] if len(s["claim"]) <= 90 else s["claim"][:87] + "..."
        wit = _short(s["witness"]) if s["witness"] else (s["reason"] if s["verdict"] == "unknown" else "")
        lines.append(f"   {s['label']:<22} {s['verdict'].upper():<8} {s['seconds']:>6.2f}  {claim}{tag}{ev}"
                     + (f"  |  {wit}" if wit else ""))
    lines.append(f"   => {th['summary']}")
    st = th["statement"]
    lines.append(f"   => proof: {st['proof'].upper()}; statement: {st['statement'].upper()} -- {st['note']}")
    return "\n".join(lines)


def _progress(ids, t0):
    """One stderr line per obligation, with the count done and an ETA from the mean time so far."""
    from .registry import THEOREMS

    total = sum(len(THEOREMS[t].obligations) for t in ids)
    done = [0]

    def say(message: str) -> None:
        done[0] += 1
        el = time.perf_counter() - t0
        eta = el / done[0] * (total - done[0])
        print(f"{message}  [{done[0]}/{total}, {el:.1f} s, ETA {eta:.0f} s]", file=sys.stderr, flush=True)

    return say


def _main(argv) -> int:
    args = _parser().parse_args(argv)  # bad input and a bad --output path: exit 2 before any work
    timeout_s = float(args.timeout)
    ids = args.theorem or list(IDS)
    for tid in ids:
        if tid not in IDS:
            raise BadInput(f"--theorem: unknown id {tid!r}; choose from {', '.join(IDS)}")
    t0 = time.perf_counter()
    progress = None if args.quiet else _progress(ids, t0)
    theorems = run_audit(ids, timeout_s, progress)
    total = time.perf_counter() - t0
    bad = mismatches(theorems)
    # a step shared by several theorems (a repaired proof reusing the printed one's steps) counts once
    counts = {v: sum(s["verdict"] == v and not s.get("reused_from") for th in theorems for s in th["steps"])
              for v in ("proved", "refuted", "unknown", "evidence")}
    solvers = solver_counts(theorems)
    doc = {"theorems": theorems,
           "meta": {**meta("proofs", precision=PRECISION), "timeout_s": timeout_s, "seconds": round(total, 3),
                    "counts": counts, "solvers": solvers, "mismatches": bad,
                    "note": "expected refutations are findings about the paper; see each step's 'expected'"}}
    if args.json:
        text = dumps(doc)  # the one JSON writer of every command
    else:
        v = doc["meta"]["versions"]
        lines = [f"Proof audit of Reddi, Kale & Kumar (2018) -- z3 {v['z3']}, sympy {v['sympy']}, "
                 f"mpmath {v['mpmath']}; per-obligation timeout {timeout_s:g} s", f"precision: {PRECISION}\n"]
        lines += [_table(th) + "\n" for th in theorems]
        rate = "n/a" if solvers["cvc5_rate"] is None else f"{100 * solvers['cvc5_rate']:.0f}%"
        lines.append(f"{sum(counts.values())} steps: {counts['proved']} proved, {counts['refuted']} refuted, "
                     f"{counts['unknown']} unknown, {counts['evidence']} evidence (finite checks, not proofs); "
                     f"cvc5 confirmed {solvers['z3+cvc5']} of {solvers['z3_proved']} Z3 proofs ({rate}), in {total:.1f} s.  "
                     + ("Every verdict is the expected one." if not bad else "MISMATCHES: " + "; ".join(bad)))
        text = "\n".join(lines)
    if args.html:
        from numerics.cli import write_atomic

        from .html import render

        write_atomic(args.html, render(doc))
    emit(text, args.output)
    return 1 if bad else 0


def main(argv=None, isolate: bool = False) -> int:
    return main_entry("python -m proofs", _main, argv, isolate)


if __name__ == "__main__":
    sys.exit(main(isolate=True))
