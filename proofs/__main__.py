"""python -m proofs -- the proof audit: every theorem, every step, its verdict, witness and time.

Verdicts: PROVED (for the whole stated domain: Z3 negation unsat, re-posed to cvc5 -- the row says
"z3+cvc5" or "z3 only" --, an exact SymPy identity, or an exact computation of a claim about finitely many
stated values), REFUTED (witness in exact rationals / algebraic numbers, re-checked by an independent
replay), UNKNOWN (timeout or no decision, with the reason), EVIDENCE (a finite check of a universal
claim, its range in the label: never a proof, counted apart).  Rows tagged [RECONSTRUCTED] encode a form of the step
that is not the paper's printed text (see docs/paper.md).

A statement is PROVED only *by the kernel* (:mod:`proofs.kernel`: a kdrag proof object of its formula);
otherwise it is NOT ESTABLISHED.  The printed proof's verdict (its steps one by one) and the steps' reading
across layers are shown apart from it and labelled as such: neither is a kernel verdict.  Every PROVED step
and every kernel statement carries an exactly replayed assignment satisfying its hypotheses
(:mod:`proofs.vacuity`); one whose hypotheses cannot hold is VACUOUS.  Counts are of distinct steps: a step
shared by two theorems is counted once (CLI, JSON and HTML alike).  ``--export DIR`` writes every
Z3-decided obligation as a standalone SMT-LIB 2 file and each statement's dependency tree as JSON
(:mod:`proofs.export`).

Exit status: 0 when every verdict is the expected one (the expected refutations are the known
findings), 1 when a verdict differs (a regression, or an UNKNOWN caused by a too-short --timeout),
when cvc5 gives a real model (replayed exactly) for a step Z3 proved, or when a proof or a statement has
no replayed witness of its hypotheses (VACUOUS), 2 on bad arguments.
"""
from __future__ import annotations

import argparse
import sys
import time

from numerics.cli import BadInput, Parser, dumps, emit, main_entry, meta, number, range_text

from .ids import IDS  # the audit itself (Z3, SymPy) is imported by _main once the arguments are checked

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
                   help=f"per-obligation Z3 time limit in CPU seconds (the same answer on a loaded machine), in "
                        f"{range_text('timeout')} (default 10)")
    p.add_argument("--html", metavar="FILE", help="also write the audit as one self-contained HTML page "
                   "(verdict filters, no network) to FILE (checked before the run)")
    p._outputs.append(("html", "--html", None))
    p.add_argument("--export", metavar="DIR", help="also write each Z3-decided obligation as a standalone SMT-LIB 2 "
                   "file and each statement's dependency tree as JSON to the new (or empty) folder DIR, atomically "
                   "(checked before the run)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    # the registry of published claims decides with counterexamples.drift, a layer above proofs: it is its own
    # command now; the old flags are answered with where it went (exit 2) instead of argparse's bare refusal
    p.add_argument("--claims", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)
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
    lines.append(f"   => steps' summary (not a kernel verdict): {th['summary']}")
    lines += statement_lines(th)
    return "\n".join(lines)


def statement_lines(th: dict) -> list[str]:
    """The statement's verdict (the kernel's only), then the printed proof's and the steps' reading, labelled
    as not kernel verdicts."""
    k = th.get("kernel") or {}
    st = th.get("statement") or {}
    out = []
    if k:
        v = "PROVED by the kernel" if k.get("verdict") == "proved by the kernel" else "NOT ESTABLISHED"
        out.append(f"   => Statement: {v} -- {k.get('reason', '')}")
        deps = k.get("dependencies")
        if deps:
            out.append(f"      kernel dependencies: {len(deps['steps'])} steps ({', '.join(deps['steps'])}), "
                       f"{len(deps['definitions'])} definitions, {deps['induction']} inductions; trusted base: "
                       f"{', '.join(k.get('trusted_base') or []) or 'none'}; premises: "
                       f"{', '.join(f'{a} ({b})' for a, b in (k.get('premises') or {}).items()) or 'none'}")
        vac = k.get("vacuity")
        if vac:
            out.append(f"      hypotheses witnessed: {vac['status']}"
                       + (f" ({_short(vac.get('witness') or {}, 100)})" if vac.get("witness") else
                          f" ({vac.get('reason', '')})"))
    if st:
        out.append(f"   => printed proof, step by step (not a kernel verdict): {st['proof'].upper()}; "
                   f"steps' reading across layers (not kernel-checked): {st['statement']} -- {st['note']}")
    return out


def slowest(theorems: list[dict], n: int = 5) -> list:
    """The ``n`` slowest distinct steps: [theorem id, label, seconds] (a reused step counted where it was checked)."""
    rows = [[th["id"], s["label"], s["seconds"]] for th in theorems for s in th["steps"] if not s.get("reused_from")]
    return sorted(rows, key=lambda r: -r[2])[:n]


def timing_line(t: dict) -> str:
    """Where the audit's time went, one line (``meta.timing`` of the JSON)."""
    return (f"Time: {t['total_wall']:.1f} s wall; steps {t['steps_wall']:.1f} s"
            + (" (a worker process, alongside the kernel)" if t.get("parallel") else "")
            + f"; kernel statements {t['kernel_wall']:.1f} s (CPU {t['kernel_cpu']:.1f} s); statement witnesses "
            f"{t['witness_wall']:.1f} s (CPU {t['witness_cpu']:.1f} s); slowest steps: "
            + ", ".join(f"{tid}/{label} {sec:.1f} s" for tid, label, sec in t["slowest_steps"])
            + f"; CPU {t['cpu']:.1f} s here + {t['children_cpu']:.1f} s in child processes"
            + (f" (the step worker {t['worker_cpu']:.1f} s, its cvc5 children {t['worker_cvc5_cpu']:.1f} s)"
               if "worker_cpu" in t else " (cvc5)"))


def _progress(ids, t0):
    """One stderr line per obligation, with the count done and an ETA from the mean time so far."""
    from .registry import THEOREMS

    import multiprocessing

    total = sum(len(THEOREMS[t].obligations) for t in ids)
    # shared memory: the audit's step worker (a fork) and this process count into the same total
    done = multiprocessing.get_context("fork").Value("i", 0)

    def say(message: str) -> None:
        with done.get_lock():
            done.value += not message.startswith("[kernel]")  # the steps are what is counted
            n = done.value
        el = time.perf_counter() - t0
        eta = el / max(n, 1) * max(total - n, 0)
        print(f"{message}  [{n}/{total}, {el:.1f} s, ETA {eta:.0f} s]", file=sys.stderr, flush=True)

    return say


def _main(argv) -> int:
    args = _parser().parse_args(argv)  # bad input and a bad --output path: exit 2 before any work
    if args.claims or args.quick:
        raise BadInput(f"{'--claims' if args.claims else '--quick'}: the registry of published claims is its own command now: "
                       "python -m counterexamples.claims [--quick] [--theorem ID] [--json] [--html FILE]")
    timeout_s = float(args.timeout)
    ids = args.theorem or list(IDS)
    for tid in ids:
        if tid not in IDS:
            raise BadInput(f"--theorem: unknown id {tid!r}; choose from {', '.join(IDS)}")
    from .export import check_export_dir, export  # light: z3 is imported by the export itself, not here

    if args.export:  # bad input is answered before the audit's heavy imports (Z3, SymPy, kdrag)
        check_export_dir(args.export)
    from .audit import PRECISION, mismatches, run_audit, solver_counts
    from .html import kernel_counts, step_counts

    t0 = time.perf_counter()
    progress = None if args.quiet else _progress(ids, t0)
    unwitnessed, timing = [], {}  # the statements' vacuity problems (proofs.vacuity.statements, run by the audit)
    theorems = run_audit(ids, timeout_s, progress, statements=unwitnessed, parallel=True, timing=timing)
    bad = mismatches(theorems)
    bad += [f"{th['id']}/{s['label']}: {s['reason']}" for th in theorems for s in th["steps"]
            if s["reason"].startswith("VACUOUS") and not s.get("reused_from")]
    bad += unwitnessed
    total = time.perf_counter() - t0
    timing = {**timing, "total_wall": round(total, 3), "slowest_steps": slowest(theorems)}
    counts = step_counts(theorems)
    solvers = solver_counts(theorems)
    doc = {"theorems": theorems,
           "meta": {**meta("proofs", precision=PRECISION), "timeout_s": timeout_s, "seconds": round(total, 3),
                    "counts": counts, "rows": sum(len(th["steps"]) for th in theorems),
                    "statements": kernel_counts(theorems), "solvers": solvers, "mismatches": bad, "timing": timing,
                    "note": "expected refutations are findings about the paper; see each step's 'expected'"}}
    if args.json:
        text = dumps(doc)  # the one JSON writer of every command
    else:
        v = doc["meta"]["versions"]
        lines = [f"Proof audit of Reddi, Kale & Kumar (2018) -- z3 {v['z3']}, sympy {v['sympy']}, "
                 f"mpmath {v['mpmath']}; per-obligation timeout {timeout_s:g} s", f"precision: {PRECISION}\n"]
        lines += [_table(th) + "\n" for th in theorems]
        rate = "n/a" if solvers["cvc5_rate"] is None else f"{100 * solvers['cvc5_rate']:.0f}%"
        kc = kernel_counts(theorems)
        lines.append(f"Statements: {kc['proved by the kernel']} PROVED by the kernel, {kc['not established']} NOT "
                     f"ESTABLISHED (of {len(theorems)}).")
        lines.append(f"{sum(counts.values())} distinct steps (a step shared by two theorems counted once): {counts['proved']} proved, {counts['refuted']} refuted, "
                     f"{counts['unknown']} unknown, {counts['evidence']} evidence (finite checks, not proofs); "
                     f"cvc5 confirmed {solvers['z3+cvc5']} of {solvers['z3_proved']} Z3 proofs ({rate}), in {total:.1f} s.  "
                     + ("Every verdict is the expected one." if not bad else "MISMATCHES: " + "; ".join(bad)))
        lines.append(timing_line(timing))
        text = "\n".join(lines)
    if args.html:
        from numerics.cli import write_atomic

        from .html import render

        write_atomic(args.html, render(doc))
    if args.export:
        export(args.export, theorems, doc["meta"])
    emit(text, args.output)
    return 1 if bad else 0


def main(argv=None, isolate: bool = False) -> int:
    return main_entry("python -m proofs", _main, argv, isolate)


if __name__ == "__main__":
    sys.exit(main(isolate=True))
