"""Compare two audit JSON documents (``python -m proofs --json``) with every timing left out.

    python benchmarks/audit_same.py BEFORE.json AFTER.json     # exit 0 when they agree, 1 with the differences

Why: a change made for speed (issue 20, deliverable 8) must leave every verdict, solver record, kernel
statement and vacuity record as it was; only times may move.  Left out: every key named ``seconds`` (a step's, a
cross-check's, a witness search's, a theorem's, the kernel's), ``stage_seconds``, ``meta.timing`` and
``meta.versions``.  Z3's fresh-name counters (``t!3234``) are written ``t!N``: they depend on how many fresh names
the process made before, not on the result; blanks are dropped (z3's printer breaks lines by width, and a
longer fresh name moves a break).

Two runs of the SAME code already differ in a few places that depend on the machine's load, not on the code:
a refutation's model or a step's vacuity model (which portfolio stage answered first, within its time budget), the
engine that decided a step, and the reason cvc5 gave when it did not confirm a step ("unknown (incomplete)" vs "timeout").  Those are
SOFT differences: printed, not failed.  Everything else is HARD -- a verdict, "z3+cvc5" vs "z3 only", the
counts, a kernel verdict or its dependencies, a vacuity status -- and fails the comparison.
"""
from __future__ import annotations

import json
import re
import sys

DROP = {"seconds", "timing", "elapsed", "stage_seconds"}
FRESH = re.compile(r"!\d+")
# load-dependent fields (see above): a path that ends so, or a refutation's witness
SOFT = re.compile(r"(/method|/engine|/cross_check/reason|/cross_check/config)$|/steps\[.*\]/(witness|vacuity/witness)/")


def strip(x):
    """``x`` with every timing key removed, recursively."""
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in DROP}
    if isinstance(x, list):
        return [strip(v) for v in x]
    if isinstance(x, str):
        return "".join(FRESH.sub("!N", x).split())  # every blank dropped: a moved line break is no difference
    return x


def diff(a, b, path="", out=None, limit=40):
    """The paths where ``a`` and ``b`` differ (at most ``limit``)."""
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in {'after' if k in b else 'before'}")
            else:
                diff(a[k], b[k], f"{path}/{k}", out, limit)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items before, {len(b)} after")
        for i, (x, y) in enumerate(zip(a, b)):
            label = x.get("label") or x.get("id") if isinstance(x, dict) else None
            diff(x, y, f"{path}[{label or i}]", out, limit)
    elif a != b:
        out.append(f"{path}: {str(a)[:120]!r} -> {str(b)[:120]!r}")
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python benchmarks/audit_same.py BEFORE.json AFTER.json", file=sys.stderr)
        return 2
    a, b = (strip(json.load(open(p))) for p in argv)
    for doc in (a, b):
        doc.get("meta", {}).pop("versions", None)
    d = diff(a, b, limit=10**6)
    soft = [x for x in d if SOFT.search(x.split(": ")[0])]
    hard = [x for x in d if x not in soft]
    for line in soft[:20]:
        print("soft:", line)
    for line in hard[:40]:
        print("HARD:", line)
    print(f"{len(hard)} hard difference(s), {len(soft)} soft (load-dependent) ones; timings left out")
    return 1 if hard else 0


if __name__ == "__main__":
    sys.exit(main())
