"""The verdict of an obligation of the registry at a time limit, decided once per pytest process.

Several files ask whether an ORIGINAL obligation is proved before they check its mutants
(tests/test_proofs_repaired.py, tests/test_kernel_thm6.py, tests/test_proofs_mutation.py), and the whole audit
(tests/test_proofs_audit.py) decides every obligation of the registry with the same call, ``ob.check(10)``.  :func:`record_audit` keeps the
audit's verdicts; :func:`verdict` answers from them, or checks the obligation itself (once) when this process has
not decided it: the same obligation object, the same time limit, the same check, made in this run -- nothing is
kept across runs.  Only the unchanged originals are asked here: a test that patches a definition or checks a
mutant calls ``check`` itself.  (The saving needs the files in one xdist work group; in separate workers each
decides its originals itself, as before; and the audit must come first: in a group, files run in collection
order, so tests/test_proofs_repaired.py and tests/test_proofs_mutation.py gain and tests/test_kernel_thm6.py, collected
before it, does not.)
"""
from __future__ import annotations

_VERDICTS: dict = {}  # id(obligation) -> (obligation, time limit, verdict); the obligation kept so its id stays its own


def record_audit(theorems: list[dict], timeout_s: float) -> None:
    """Keep the verdicts of an audit (``proofs.audit.run_audit(ids, timeout_s)``'s theorems) by obligation."""
    from proofs.registry import THEOREMS

    for th in theorems:
        obs = {ob.label: ob for ob in THEOREMS[th["id"]].obligations}
        for s in th["steps"]:
            ob = obs[s["label"]]
            _VERDICTS[id(ob)] = (ob, float(timeout_s), s["verdict"])


def verdict(ob, timeout_s: float = 10.0) -> str:
    """``ob.check(timeout_s).verdict``, decided once in this process."""
    got = _VERDICTS.get(id(ob))
    if got is None or got[0] is not ob or got[1] != float(timeout_s):
        got = (ob, float(timeout_s), ob.check(timeout_s).verdict)
        _VERDICTS[id(ob)] = got
    return got[2]
