"""``python -m proofs --export DIR``: the audit in files that anyone can replay with their own solvers.

Layout of ``DIR`` (written in a temporary folder beside it and renamed into place: all or nothing)::

    DIR/index.json                    versions, counts, one entry per file (theorem, label, status, sha256)
    DIR/obligations/<id>__<label>.smt2
    DIR/statements/<id>.json          a statement's kernel verdict and dependency tree

Each ``.smt2`` file is a standalone SMT-LIB 2 script of one Z3-decided obligation: ``(set-logic ...)``, the
declarations, the hypotheses (with the square-root side conditions ``s >= 0, s*s = e``) and the *negated*
claim asserted, ``(set-info :status unsat)`` for a PROVED step (``sat`` for a REFUTED one, ``unknown``
otherwise), its label and claim in ``(set-info :source ...)`` and in comments, then ``(check-sat)``.  The
formula is the one the audit decided (``z3.Solver.to_smt2`` of the same assertions, as the cvc5
cross-check uses); a step shared by several theorems is written once, under the first.

A statement's JSON holds the kernel's verdict ("proved by the kernel" / "not established"), the reason, the
formula, the premises, the trusted base, the dependency tree that :func:`proofs.kernel.certify` walked, the
vacuity witness, and for every step of its chain the verdict and the ``.smt2`` file that replays it.

Example (replay one file with z3's Python API)::

    >>> import z3                                    # doctest: +SKIP
    >>> z3.Solver().from_file("DIR/obligations/thm3__C1.smt2")  # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import tempfile

# z3 is imported where a formula is read, not here: `python -m proofs --export DIR` checks DIR (check_export_dir)
# before the audit's heavy imports, so that bad input is answered without loading Z3

__all__ = ["export", "smt2_text", "check_export_dir", "file_name"]


def check_export_dir(path: str) -> None:
    """Fail early (:class:`numerics.cli.BadInput`, exit 2) when ``path`` cannot receive the export: its
    parent folder must exist and be writable, and ``path`` must not exist or be an empty folder."""
    from numerics.cli import BadInput

    if not str(path).strip():
        raise BadInput("--export: empty folder name")
    full = os.path.abspath(path)
    parent = os.path.dirname(full)
    if not os.path.isdir(parent):
        raise BadInput(f"--export: folder {parent} does not exist (DIR's parent must exist)")
    if os.path.exists(full) and not os.path.isdir(full):
        raise BadInput(f"--export: {path} exists and is not a folder")
    if os.path.isdir(full) and os.listdir(full):
        raise BadInput(f"--export: {path} is not empty (give a new or an empty folder)")
    try:
        probe = tempfile.mkdtemp(dir=parent, prefix=".probe-")
        os.rmdir(probe)
    except OSError as exc:
        raise BadInput(f"--export: cannot write in {parent} ({exc.strerror or exc})") from None


def file_name(tid: str, label: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._=+-]+", "_", label).strip("_") or "step"
    return f"{tid}__{slug}.smt2"


def _logic(assertions) -> str:
    import z3

    ints = quant = False
    todo, seen = list(assertions), set()
    while todo:
        x = todo.pop()
        if x.get_id() in seen:
            continue
        seen.add(x.get_id())
        if z3.is_quantifier(x):
            quant = True
            todo.append(x.body())
            continue
        if z3.is_int(x):
            ints = True
        if z3.is_app(x):
            todo.extend(x.children())
    return ("" if quant else "QF_") + ("NIRA" if ints else "NRA")


def expand_powers(e, memo=None):
    """``x ^ n`` (a natural numeral n) as the product x * ... * x: SMT-LIB's real arithmetic has no power
    operator (z3 prints ``^``, which neither z3's nor cvc5's SMT-LIB parser reads back in every logic)."""
    import z3

    memo = {} if memo is None else memo
    k = e.get_id()
    if k in memo:
        return memo[k]
    out = e
    if z3.is_app(e) and e.num_args() > 0:
        kids = [expand_powers(c, memo) for c in e.children()]
        if z3.is_app_of(e, z3.Z3_OP_POWER):
            n = z3.simplify(kids[1])
            val = n.as_fraction() if z3.is_rational_value(n) else (n.as_long() if z3.is_int_value(n) else None)
            from fractions import Fraction

            if val is None or Fraction(val).denominator != 1 or Fraction(val) < 0:
                raise ValueError(f"power with a non-natural exponent: {e}")
            out = z3.RealVal(1) if int(val) == 0 else kids[0]
            for _ in range(int(val) - 1):
                out = out * kids[0]
        elif z3.is_quantifier(e):  # pragma: no cover -- obligations are quantifier-free
            out = e
        else:
            out = e.decl()(*kids)
    memo[k] = out
    return out


def _smt_string(s: str) -> str:
    return "|" + s.replace("|", "/").replace("\\", "/") + "|"


def smt2_text(ob, tid: str, status: str) -> str:
    """The standalone SMT-LIB 2 script of z3 obligation ``ob`` (hypotheses and the negated claim)."""
    import z3  # here, not at the top: a bad --export folder is answered before Z3 loads

    from .obligation import Z3Num

    N = Z3Num()
    hyps, claim = ob.build(N, ob.params)
    used = [h for k, h in hyps.items() if k not in ob.drop]
    assertions = [expand_powers(a) for a in used + N.side + [z3.Not(claim)]]
    s = z3.Solver()
    s.add(*assertions)
    body = [ln for ln in s.to_smt2().splitlines()
            if ln.strip() and not ln.startswith(";") and not ln.startswith("(set-info :status")
            and ln.strip() != "(check-sat)"]
    smt_status = {"proved": "unsat", "refuted": "sat"}.get(status, "unknown")
    one = lambda t: " ".join(str(t).split())  # noqa: E731
    head = [f"; adam-beyond proof audit: theorem {tid}, step {one(ob.label)}",
            f"; claim: {one(ob.claim)}",
            f"; hypotheses: {', '.join(k for k in hyps if k not in ob.drop) or 'none'}",
            f"; audit verdict: {status}; the negated claim is asserted under the hypotheses, so "
            f"{'unsat means the claim holds for every value' if smt_status == 'unsat' else 'a model is a counterexample' if smt_status == 'sat' else 'no expected answer'}",
            f"(set-logic {_logic(assertions)})",
            f"(set-info :source {_smt_string(f'adam-beyond audit, theorem {tid}, step {one(ob.label)}: {one(ob.claim)}')})",
            f"(set-info :status {smt_status})"]
    return "\n".join(head + body + ["(check-sat)", "(exit)"]) + "\n"


def export(path: str, theorems: list[dict], meta: dict) -> dict:
    """Write the export of an audit (``theorems`` as :func:`proofs.audit.run_audit` returns them) to the
    folder ``path`` atomically; returns the index."""
    from .registry import THEOREMS

    check_export_dir(path)
    full = os.path.abspath(path)
    tmp = tempfile.mkdtemp(dir=os.path.dirname(full), prefix=".export-")
    # Ctrl-C while writing: the temporary folder goes too (the CLI's handler removes files, not folders)
    old = signal.getsignal(signal.SIGINT)

    def on_int(signum, frame):
        shutil.rmtree(tmp, ignore_errors=True)
        if callable(old):
            old(signum, frame)
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGINT, on_int)
    except ValueError:  # not the main thread: no handler of ours
        old = None
    try:
        os.makedirs(os.path.join(tmp, "obligations"))
        os.makedirs(os.path.join(tmp, "statements"))
        files, where = [], {}
        for th in theorems:
            tid = th["id"]
            obs = {ob.label: ob for ob in THEOREMS[tid].obligations}
            for s in th["steps"]:
                ob = obs.get(s["label"])
                if ob is None or ob.kind != "z3" or s.get("reused_from"):
                    continue
                name = file_name(tid, s["label"])
                text = smt2_text(ob, tid, s["verdict"])
                with open(os.path.join(tmp, "obligations", name), "w") as fh:
                    fh.write(text)
                where[(tid, s["label"])] = f"obligations/{name}"
                files.append({"file": f"obligations/{name}", "theorem": tid, "label": s["label"],
                              "verdict": s["verdict"], "status": {"proved": "unsat", "refuted": "sat"}.get(
                                  s["verdict"], "unknown"), "sha256": hashlib.sha256(text.encode()).hexdigest()})
        for th in theorems:
            tid = th["id"]
            steps = []
            for s in th["steps"]:
                home = (s.get("reused_from") or tid, s["label"])
                steps.append({"label": s["label"], "verdict": s["verdict"], "method": s.get("method", ""),
                              "smt2": where.get(home), "vacuity": (s.get("vacuity") or {}).get("status")})
            k = th.get("kernel") or {}
            doc = {"id": tid, "title": th["title"], "kernel": k,
                   "printed_proof": (th.get("statement") or {}).get("proof"), "steps": steps}
            text = json.dumps(doc, indent=1, default=str)
            name = f"statements/{tid}.json"
            with open(os.path.join(tmp, name), "w") as fh:
                fh.write(text + "\n")
            files.append({"file": name, "theorem": tid, "kernel": k.get("verdict"),
                          "sha256": hashlib.sha256((text + "\n").encode()).hexdigest()})
        index = {"what": "adam-beyond proof audit export: one SMT-LIB 2 file per Z3-decided obligation (negated "
                         "claim under its hypotheses; :status unsat = proved) and one JSON per statement",
                 "versions": meta.get("versions"), "counts": meta.get("counts"), "files": files}
        with open(os.path.join(tmp, "index.json"), "w") as fh:
            fh.write(json.dumps(index, indent=1) + "\n")
        os.chmod(tmp, 0o777 & ~_umask())
        os.replace(tmp, full)  # a new or an empty folder: replaced in one step
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            from numerics.cli import BadInput

            raise BadInput(f"--export: cannot write {path} ({exc.strerror or exc})") from None
        raise
    finally:
        if old is not None:
            signal.signal(signal.SIGINT, old)
    return index


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


# ------------------------------------------------------------------------------------------------
# docs/paper.md's statement-by-statement table, generated from an audit's JSON
BEGIN, END = "<!-- kernel-table:begin (generated: python -m proofs.export --paper docs/paper.md AUDIT.json) -->", \
    "<!-- kernel-table:end -->"


def kernel_markdown(doc: dict) -> str:
    """What the kernel checked, statement by statement, as a Markdown table (from ``python -m proofs --json``)."""
    th_all = doc["theorems"]
    m = doc.get("meta", {})
    c = m.get("counts") or {}
    lines = [f"Generated from the audit's JSON ({m.get('versions', {}).get('z3', '?')} z3; "
             f"{sum(c.values())} distinct steps: {c.get('proved', 0)} proved, {c.get('refuted', 0)} refuted, "
             f"{c.get('unknown', 0)} unknown, {c.get('evidence', 0)} evidence).  A statement is PROVED only when "
             "the kernel returns a proof object of its formula; otherwise NOT ESTABLISHED, whatever its steps say.",
             "", "| statement | kernel verdict | what the kernel checked | trusted base | premises / why not |",
             "|---|---|---|---|---|"]
    for th in th_all:
        k = th.get("kernel") or {}
        v = "**PROVED by the kernel**" if k.get("verdict") == "proved by the kernel" else "NOT ESTABLISHED"
        deps = k.get("dependencies")
        if deps:
            what = (f"{len(deps['steps'])} steps as kernel proofs ({', '.join(deps['steps'])}); "
                    f"{len(deps['definitions'])} definitions; {deps['induction']} inductions; "
                    f"{len(deps.get('lemmas', []))} glue lemmas")
            vac = (k.get("vacuity") or {}).get("status")
            if vac:
                what += f"; hypotheses witnessed: {vac}"
        else:
            what = "nothing: the chain is checked step by step only"
        tb = ", ".join(k.get("trusted_base") or []) or "none"
        prem = "; ".join(f"{a}: {b}" for a, b in (k.get("premises") or {}).items())
        why = (prem + " -- " if prem else "") + (k.get("reason") or "")
        cell = lambda s: " ".join(str(s).split()).replace("|", "/")  # noqa: E731
        lines.append(f"| {cell(th['title'])} (`{th['id']}`) | {v} | {cell(what)} | {cell(tb)} | {cell(why)} |")
    return "\n".join(lines)


def update_paper(path: str, doc: dict) -> None:
    """Replace the block between the kernel-table markers of ``path`` (atomically)."""
    from numerics.cli import BadInput, write_atomic

    text = open(path).read()
    if BEGIN not in text or END not in text:
        raise BadInput(f"--paper: {path} has no kernel-table markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    write_atomic(path, head + BEGIN + "\n" + kernel_markdown(doc) + "\n" + END + tail)


def _main(argv=None) -> int:
    from numerics.cli import BadInput, Parser, main_entry

    def body(argv):
        p = Parser(prog="python -m proofs.export", description="Regenerate docs/paper.md's kernel table from "
                   "an audit's JSON (python -m proofs --json --output AUDIT.json).", output=False)
        p.add_argument("--paper", metavar="FILE", required=True, help="the Markdown file with the table markers")
        p.add_argument("audit", metavar="AUDIT.json", help="the audit's JSON")
        a = p.parse_args(argv)
        try:
            doc = json.load(open(a.audit))
        except (OSError, ValueError) as exc:
            raise BadInput(f"AUDIT.json: cannot read {a.audit} ({exc})") from None
        update_paper(a.paper, doc)
        return 0

    return main_entry("python -m proofs.export", body, argv)


if __name__ == "__main__":
    raise SystemExit(_main())
