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


def _first_users(ids) -> dict:
    """id(obligation) -> the first theorem of ``ids`` that has it: where a shared step is checked and counted
    (the others show it with ``reused_from``), whatever order the theorems are checked in."""
    from .registry import THEOREMS

    first: dict = {}
    for tid in ids:
        for ob in THEOREMS[tid].obligations:
            first.setdefault(id(ob), tid)
    return first


def _theorem_steps(tid: str, timeout_s: float, done: dict, first: dict, progress=None) -> dict:
    """One theorem's steps checked (each obligation once per process: ``done`` maps id(obligation) to its
    result; ``first`` names the theorem it is counted under), summarised; the theorem's dict without its kernel
    verdict."""
    from .registry import THEOREMS

    th = THEOREMS[tid]
    t0 = time.perf_counter()
    results, reused = {}, {}
    for ob in th.obligations:
        if id(ob) not in done:
            done[id(ob)] = ob.check(timeout_s)
        r, by = done[id(ob)], first[id(ob)]
        results[r.label] = r
        if by != tid:
            reused[r.label] = by
        if progress:
            progress(f"[{tid}] {r.label}: {r.verdict} ({r.seconds:.2f} s)" + (f" = {by}" if by != tid else ""))
    steps = [r.as_json() for r in results.values()]
    for s in steps:
        if s["label"] in reused:
            s["reused_from"] = reused[s["label"]]  # the same obligation, checked (and counted) there
    return {"id": tid, "title": th.title, "summary": th.summarize(results), "statement": th.statement_verdict(results),
            "seconds": round(time.perf_counter() - t0, 3), "steps": steps}


def _plan(ids) -> tuple[list, set]:
    """(the order the worker checks the theorems in, the theorems the parent may check itself).

    First the theorems whose kernel statement is assembled (the parent's work can start early), then the others;
    last the theorems that share no step with any other, which the parent takes from the end when it has nothing
    to assemble.  A shared step is checked in one process only (the worker), so its record is the same under
    every theorem that has it."""
    from . import kernel_pp, kernel_thm5, kernel_thm6  # noqa: F401 -- each adds its builders to statements.BUILDERS
    from . import statements as ST
    from .registry import THEOREMS

    users: dict = {}
    for tid in ids:
        for ob in THEOREMS[tid].obligations:
            users.setdefault(id(ob), set()).add(tid)
    alone = {t for t in ids if all(users[id(ob)] == {t} for ob in THEOREMS[t].obligations)}
    kernel = [t for t in ids if t in ST.BUILDERS or t in ST.PARTIAL]
    rest = [t for t in ids if t not in kernel and t not in alone]
    stealable = [t for t in ids if t not in kernel and t in alone]
    return kernel + rest + stealable, set(stealable)


def _steps_worker(conn, order, first, claimed, timeout_s, progress, parent):
    """The forked process of a parallel audit: the theorems of ``order`` it claims first (``claimed``, shared with
    the parent, which claims from the end), their steps sent to the parent one theorem at a time; ``first``: where
    each shared step is counted (:func:`_first_users` of the audit's ids)."""
    from numerics.cli import die_with_parent

    from .obligation import forget_builds

    die_with_parent(parent)  # a killed audit (Ctrl-C) leaves no worker behind; its cvc5 children die with it
    forget_builds()  # the parent's reuse_builds scope is for its kernel assembly: every step builds afresh here
    try:
        done: dict = {}
        for i, tid in enumerate(order):
            with claimed.get_lock():
                if claimed[i]:
                    break  # the parent has taken this one and every one after it
                claimed[i] = 1
            conn.send(("theorem", _theorem_steps(tid, timeout_s, done, first, progress)))
        conn.send(("done", {"worker_cpu": time.process_time(), "worker_cvc5_cpu": _children_cpu()}))
    except BaseException:  # noqa: BLE001 -- the parent raises it
        import traceback

        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (the cvc5 children; a parent's: its worker too)."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _parallel(ids, timeout_s, progress, assemble, stats) -> dict:
    """The parallel audit: a forked worker checks the steps theorem by theorem; this process assembles each theorem
    (``assemble(th)``: its kernel statement, its witness) as it arrives, and when it has nothing to assemble it
    checks a theorem that shares no step, taken from the end of the worker's list.  Returns ({id: theorem}, the
    time the last theorem's steps were in)."""
    import multiprocessing as mp
    import os

    order, stealable = _plan(ids)
    ctx = mp.get_context("fork")
    claimed = ctx.Array("b", len(order))
    recv, send = ctx.Pipe(duplex=False)
    # not a daemon: the worker forks its own cvc5 children (analysis.smt), which a daemon may not
    first = _first_users(ids)  # in ids' order, not the worker's: a shared step is counted where it was before
    proc = ctx.Process(target=_steps_worker, args=(send, order, first, claimed, timeout_s, progress, os.getpid()))
    proc.start()
    send.close()
    got, assembled, done, stamp = {}, set(), {}, [time.perf_counter()]

    def take(message):
        kind, payload = message
        if kind == "error":
            raise RuntimeError(f"the audit's step worker failed:\n{payload}")
        if kind == "done":  # the worker has sent all it will (and closed its end: no more reading)
            finished[0] = True
            stats.update(payload)
        if kind == "theorem":
            got[payload["id"]] = payload
            stamp[0] = time.perf_counter()

    def steal():
        for j in range(len(order) - 1, -1, -1):
            if order[j] not in stealable:
                return None
            with claimed.get_lock():
                if claimed[j]:
                    continue
                claimed[j] = 1
            return order[j]
        return None

    finished = [False]

    def receive():
        try:
            take(recv.recv())
        except EOFError:
            raise RuntimeError(f"the audit's step worker ended without a result (exit code {proc.exitcode})")

    try:
        while len(assembled) < len(ids):
            while not finished[0] and recv.poll(0):
                receive()
            ready = [t for t in order if t in got and t not in assembled]
            if ready:
                assemble(got[ready[0]])
                assembled.add(ready[0])
                continue
            mine = steal()
            if mine is not None:
                got[mine] = _theorem_steps(mine, timeout_s, done, first, progress)
                stamp[0] = time.perf_counter()
                continue
            if finished[0]:  # pragma: no cover -- the worker and this process between them check every theorem
                raise RuntimeError(f"the audit's step worker finished without {sorted(set(ids) - set(got))}")
            receive()
        # the worker's last message carries its CPU figures (meta.timing): read it when it comes soon after the
        # last theorem (the worker has nothing left to do); a worker that ends without it only loses the figures
        while not finished[0] and recv.poll(10.0):
            try:
                take(recv.recv())
            except EOFError:
                break
    finally:
        recv.close()
        proc.join(5.0)
        if proc.is_alive():
            proc.kill()
            proc.join(1.0)
    return got, stamp[0]


def run_audit(ids, timeout_s: float, progress=None, statements: list | None = None, parallel: bool = False,
              timing: dict | None = None) -> list[dict]:
    """Check the steps of the theorems ``ids``, then each statement's kernel verdict (``th["kernel"]``).

    ``statements``: a list, or None; a list receives the problems of the statements' vacuity witnesses
    (:func:`proofs.vacuity.statements`, computed here, one theorem at a time, right after its kernel verdict).
    ``parallel``: the steps run in a forked worker process while this one assembles the kernel statements (and
    their witnesses) theorem by theorem as the worker finishes each, and checks the steps of a theorem that shares
    none when it has nothing to assemble: kdrag Proofs cannot cross processes, so every kernel proof is still
    made here, from the same step verdicts, and a step shared by two theorems is still checked once.  Same
    records either way; ``python -m proofs`` runs parallel (the audit's two cores), the Python API sequential
    unless asked.  ``timing``: a dict that receives the time of the phases (CPU seconds of this process, wall)."""
    from . import vacuity
    from .obligation import decide_once, reuse_builds
    from .registry import THEOREMS

    obs = {tid: {ob.label: ob for ob in THEOREMS[tid].obligations} for tid in ids}
    clock = {"kernel_cpu": 0.0, "kernel_wall": 0.0, "witness_cpu": 0.0, "witness_wall": 0.0}
    t_all, c_all, k_all = time.perf_counter(), time.process_time(), _children_cpu()

    def assemble(th):
        t0, c0 = time.perf_counter(), time.process_time()
        kernel_verdicts([th], obs, timeout_s=max(timeout_s, 20.0))
        t1, c1 = time.perf_counter(), time.process_time()
        clock["kernel_wall"] += t1 - t0
        clock["kernel_cpu"] += c1 - c0
        if statements is not None:
            statements.extend(vacuity.statements([th]))
            clock["witness_wall"] += time.perf_counter() - t1
            clock["witness_cpu"] += time.process_time() - c1

    # reuse_builds: a step's closed formula is built once for its kernel proof; decide_once: a formula that two
    # obligations pose is decided by the solvers once (the forked step worker inherits the scope)
    with reuse_builds(), decide_once():
        if parallel:
            got, t_steps = _parallel(ids, timeout_s, progress, assemble, clock)
            out = [got[tid] for tid in ids]
            steps_wall = t_steps - t_all  # until the last theorem's steps were in (they overlap the assembly)
        else:
            done: dict = {}
            first = _first_users(ids)
            out = [_theorem_steps(tid, timeout_s, done, first, progress) for tid in ids]
            steps_wall = time.perf_counter() - t_all
            for th in out:
                assemble(th)
    if statements is not None:  # in the theorems' order, whatever order they were assembled in
        problems = statements[:]
        statements[:] = [p for tid in ids for p in problems if p.startswith(f"{tid}: ")]
        statements += [p for p in problems if p not in statements]
    if progress:
        progress(f"[kernel] statements assembled ({clock['kernel_wall']:.2f} s, CPU {clock['kernel_cpu']:.2f} s)"
                 + (f"; statement witnesses ({clock['witness_wall']:.2f} s, CPU {clock['witness_cpu']:.2f} s)"
                    if statements is not None else ""))
    if timing is not None:  # CPU: this process's, and its children's (the worker, every cvc5 child), since the start
        timing.update({k: round(v, 3) for k, v in clock.items()}, steps_wall=round(steps_wall, 3),
                      parallel=bool(parallel), cpu=round(time.process_time() - c_all, 3),
                      children_cpu=round(_children_cpu() - k_all, 3))
    return out


def kernel_verdicts(theorems: list[dict], obligations_by_label: dict, timeout_s: float = 20.0) -> None:
    """Add ``th["kernel"]`` to each theorem: the statement's verdict computed by the proof kernel.

    "proved by the kernel" only when :func:`proofs.kernel.certify` accepts a kernel proof of the statement's
    formula; otherwise "not established" with the reason (a step without a kernel proof, a premise without
    one, or a chain whose glue is not mechanised).  Only steps the audit found PROVED get kernel proofs."""
    from . import kernel_pp, kernel_thm5, kernel_thm6  # noqa: F401 -- each adds its builders to statements.BUILDERS
    from . import kernel_adamx  # noqa: F401 -- adamx-5.1 (after kernel_pp, whose AdamX part it builds on)
    from . import statements as ST
    from .obligation import reuse_builds

    with reuse_builds():
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

    An audit of one theorem takes 5-40 s (Z3 and cvc5 on every step), too long for an example here;
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



def find_step(name: str):
    """The obligation ``"theorem id/label"`` of the registry (e.g. ``"thm1/A6[t>=1]"``)."""
    from .registry import THEOREMS

    tid, label = name.split("/", 1)
    return {ob.label: ob for ob in THEOREMS[tid].obligations}[label]


def recheck_cvc5_known(cpu_s: float | None = None) -> list[dict]:
    """Re-measure :data:`analysis.z3kit.CVC5_KNOWN` (after a cvc5 upgrade, or to check the record): for each
    entry, whether the named step still poses that exact formula, and cvc5's answer on it now in the audit's
    configurations (``cpu_s`` CPU seconds each; default: the entry's own measurement).  Takes up to about
    2 x cpu_s of CPU per entry."""
    from analysis import smt, z3kit

    rows = []
    for digest, e in z3kit.CVC5_KNOWN.items():
        _N, claim, hyps = find_step(e["step"]).z3_query()
        negation = z3kit.negate(claim, hyps)
        secs = cpu_s or e.get("no_answer_s") or e.get("cpu_s")
        cc = smt.cross_check(negation, secs)
        rows.append({"step": e["step"], "same formula": z3kit.formula_digest(negation) == digest,
                     "cvc5": cc["status"], "reason": cc["reason"], "cpu_s": secs,
                     "recorded": "no answer" if "no_answer_s" in e else "unsat"})
    return rows
