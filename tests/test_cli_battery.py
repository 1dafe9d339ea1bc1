"""Every CLI against the same battery: bad input, closed pipes, Ctrl-C, --help (numerics.cli conventions).

Bad input of any kind: exit 2, exactly one line on stderr naming the argument, no traceback, nothing on
stdout, no file written.  A closed stdout pipe ends quietly (no traceback).  SIGINT ends the command
within a second and a half, exit 130, one line, no output file, and no process of the command left (its
process group is empty within 5 s).  Every --help lists the exit codes.  A run estimated to pass an hour
needs --yes (one line with the ETA, exit 2, without it).  A parameter has the same range in every command.
A long step shows progress within about 2 s.  Bad input and --help are answered before SymPy, Z3, numba
or python-flint is imported (a fraction of a second, not the 2 s of those imports).

The checks of what a command prints run its ``main(argv)`` in this process (tests/_cli_inproc.py: the same
function ``python -m`` calls, output captured at the file descriptors); a real process runs where the
process is what is checked: the interpreter's exit code and its imports at start-up (one bad input and
--help of each command), a closed pipe, SIGINT, a killed supervisor, the process group of a sweep.
Those processes are children forked from one warmed parent (tests/_warm_process.py: the libraries imported
once, the toolkit afresh in each child, run as ``python -m`` runs it), except the commands of FRESH, whose
checks start a fresh interpreter as a user's shell does; the imports at start-up are checked on fresh ones.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from _cli_inproc import run as run_inproc
from _warm_process import warm_parent

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIS = {
    "simulate": ["-m", "counterexamples.simulate"],
    "search": ["-m", "counterexamples.search"],
    "proofs": ["-m", "proofs"],
    "analysis": ["-m", "analysis"],
    "conformance": ["-m", "counterexamples.conformance"],
    "zoo": ["-m", "counterexamples.zoo"],
}
HAS = {  # which CLI takes which parameter (a parameter a CLI lacks is an unknown option: also exit 2)
    "beta2": ("simulate", "search", "conformance"),
    "alpha": ("simulate", "conformance"),
    "seed": ("simulate", "search", "conformance"),
    "timeout": ("search", "proofs"),
    "plot": ("simulate", "search", "zoo"),
    "T": ("simulate", "search", "conformance", "zoo"),
}
BAD = [  # (argv, the word the one line must contain, only these CLIs or None for all)
    (["--output", ""], "--output", None),
    (["--output", "/nonexistent-adam-beyond/x.txt"], "--output", None),
    (["--frobnicate"], "--frobnicate", None),
    (["--beta2", "0"], "--beta2", HAS["beta2"]),
    (["--beta2", "1"], "--beta2", HAS["beta2"]),
    (["--beta2", "nan"], "--beta2", HAS["beta2"]),
    (["--beta2", ""], "--beta2", HAS["beta2"]),
    (["--alpha", "1e400"], "--alpha", HAS["alpha"]),
    (["--alpha", "inf"], "--alpha", HAS["alpha"]),
    (["--alpha", "-1"], "--alpha", HAS["alpha"]),
    (["--seed", "-1"], "--seed", HAS["seed"]),
    (["--seed", "1.5"], "--seed", HAS["seed"]),
    (["--timeout", "inf"], "--timeout", HAS["timeout"]),
    (["--timeout", "0"], "--timeout", HAS["timeout"]),
    (["--plot", "x.txt"], "--plot", HAS["plot"]),
    (["--T", "0"], "--T", HAS["T"]),
    (["--T", "1e16"], "--T", HAS["T"]),
    (["--theorem", "1", "--C", "1e400"], "--C", ("search",)),  # was a traceback (float overflow)
    (["--optimizer", "os:getcwd"], "--optimizer", ("conformance",)),  # was a traceback (TypeError)
]
CASES = [(cli, argv, word) for argv, word, only in BAD for cli in (only or CLIS)]

# the command whose real-process checks (closed pipe, SIGINT) start a fresh interpreter, as a user's shell does:
# the fast lane's; the other commands' run in children of a warmed parent (~1.5 CPU-s of library imports
# less each: 15 processes of this file), which are real processes of the command all the same (own pid,
# pipes, signals, session, exit status), not fresh interpreters
FRESH = ("simulate",)


class _Warm:
    """The module's warmed parent, started on first use (a run of the fresh-only tests starts none)."""

    def __init__(self):
        self.parent, self.started = None, False

    def popen(self, cli, argv, **kw):
        """``python -m <cli> *argv`` in ROOT: a fresh interpreter for FRESH (and where no parent can be forked),
        else a child of the warmed parent.  ``kw``: stdout, stderr, start_new_session, text."""
        if cli not in FRESH and not self.started:
            self.parent, self.started = warm_parent(ROOT), True
        if cli in FRESH or self.parent is None:
            return subprocess.Popen([sys.executable, *CLIS[cli], *argv], cwd=ROOT, **kw)
        return self.parent.popen(CLIS[cli][1], argv, cwd=ROOT, **kw)


@pytest.fixture(scope="module")
def warm():
    w = _Warm()
    yield w
    if w.parent is not None:
        w.parent.close()


def _slow(clis, slow):
    """``clis`` as parameters, those in ``slow`` marked slow: the commands whose check takes over ~2 s (the
    seconds of tests/durations.json) run in the whole suite only, at least one of each check stays in the
    fast lane."""
    return [pytest.param(c, marks=pytest.mark.slow) if c in slow else c for c in clis]


@pytest.mark.parametrize("cli,argv,word", CASES, ids=[f"{c}:{' '.join(a) or 'empty'}" for c, a, _ in CASES])
def test_bad_input_one_line_exit_2_nothing_written(cli, argv, word, tmp_path, capfd):
    out = tmp_path / "out.txt"
    r = run_inproc(cli, argv + ["--output", str(out)] if "--output" not in argv else argv, capfd)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2, r.stderr[-800:]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr[-800:]
    assert word in lines[0] and "error" in lines[0]
    assert r.stdout == "" and not out.exists() and list(tmp_path.iterdir()) == []


# one bad input of each command in a real process: the interpreter's exit code, one line, and none of the
# heavy layers imported (python -X importtime lists every module the process -- its worker included -- imports)
HEAVY = ("sympy", "z3", "numba", "flint")
# these three parse without numpy too (simulate, conformance and zoo build their choices from numpy-using modules)
NO_NUMPY = ("search", "proofs", "analysis")
E2E_BAD = {"simulate": (["--T", "0"], "--T"), "search": (["--beta2", "1"], "--beta2"),
           "proofs": (["--timeout", "0"], "--timeout"),
           "analysis": (["--output", "/nonexistent-adam-beyond/x.txt"], "--output"),
           "conformance": (["--seed", "-1"], "--seed"), "zoo": (["--T", "0"], "--T")}


def _imported(stderr: str) -> set[str]:
    """Top-level packages named by ``-X importtime`` lines."""
    return {ln.rsplit("|", 1)[1].strip().split(".")[0] for ln in stderr.splitlines() if ln.startswith("import time:")
            and "|" in ln}


@pytest.mark.parametrize("cli", CLIS)
def test_bad_input_in_a_real_process_imports_no_heavy_layer(cli, tmp_path):
    argv, word = E2E_BAD[cli]
    out = tmp_path / "out.txt"
    r = subprocess.run([sys.executable, "-X", "importtime", *CLIS[cli], *argv]
                       + ([] if "--output" in argv else ["--output", str(out)]),
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip() and not ln.startswith("import time:")]
    assert r.returncode == 2, r.stderr[-800:]
    assert len(lines) == 1 and "Traceback" not in r.stderr and word in lines[0] and "error" in lines[0], lines
    assert r.stdout == "" and list(tmp_path.iterdir()) == []
    assert _imported(r.stderr) >= {"numerics", "argparse"}  # the check reads what it means to read
    heavy = set(HEAVY) | ({"numpy"} if cli in NO_NUMPY else set())
    assert not _imported(r.stderr) & heavy, sorted(_imported(r.stderr) & heavy)


@pytest.mark.parametrize("cli", CLIS)
def test_help_in_a_real_process_imports_no_heavy_layer(cli):
    r = subprocess.run([sys.executable, "-X", "importtime", *CLIS[cli], "--help"], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0 and "exit codes: 0 success" in " ".join(r.stdout.split()), r.stderr[-800:]
    assert _imported(r.stderr) >= {"numerics", "argparse"}
    heavy = set(HEAVY) | ({"numpy"} if cli in NO_NUMPY else set())
    assert not _imported(r.stderr) & heavy, sorted(_imported(r.stderr) & heavy)


@pytest.mark.parametrize("cli", CLIS)
def test_help_lists_exit_codes(cli, capfd):
    r = run_inproc(cli, ["--help"], capfd)
    assert r.returncode == 0
    flat = " ".join(r.stdout.split())
    assert "exit codes: 0 success, 1 a check failed" in flat and "2 bad input" in flat and "130" in flat
    assert "--json" in flat and "--output" in flat


QUICK = {  # a short run of each CLI that prints JSON on stdout
    "simulate": ["--T", "1000", "--json"],
    "search": ["--theorem", "2", "--beta1", "0.5", "--beta2", "0.9", "--no-sim", "--json", "--quiet"],
    "proofs": ["--theorem", "kingma-ba", "--json", "--quiet"],
    "analysis": ["--only", "lemmas", "--json", "--quiet"],
    "conformance": ["--optimizer", "counterexamples.conformance.drivers.user:paper_amsgrad_step",
                    "--problem", "thm1", "--T", "2000", "--compare-steps", "100", "--json", "--quiet"],
    "zoo": ["--method", "sgd", "--C-max", "3", "--json", "--quiet"],
}


@pytest.mark.parametrize("cli", _slow(CLIS, ("simulate", "zoo")))
def test_json_layout_has_meta(cli, capfd):
    import json

    r = run_inproc(cli, QUICK[cli], capfd)
    assert r.returncode == 0, r.stderr[-800:]
    meta = json.loads(r.stdout)["meta"]
    assert {"tool", "versions", "seed", "precision"} <= set(meta) and meta["versions"]["python"]


@pytest.mark.parametrize("cli", _slow(CLIS, ("analysis", "proofs", "search", "zoo")))
def test_closed_pipe_ends_quietly(cli, warm):
    p = warm.popen(cli, QUICK[cli], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # the reader goes away before the command writes anything (like `| head -c 0`)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 0 and b"Traceback" not in err and b"BrokenPipe" not in err, err[-800:]


LONG = {  # runs that take far longer than the test waits (--yes: past the ETA guard)
    # adamw: its step reads x, so no certified fast-forward answers this T in a second (Adam's would)
    "simulate": ["--T", "1000000000000", "--optimizer", "adamw", "--yes"],
    "search": ["--quiet"],
    "proofs": ["--quiet"],
    "analysis": ["--tightness", "--quiet"],
    "conformance": ["--optimizer", "counterexamples.conformance.drivers.user:paper_amsgrad_step",
                    "--problem", "thm1", "--T", "1000000000", "--quiet", "--yes"],
    "zoo": ["--quiet"],
}


WORK_CPU_S = 2.5  # CPU seconds of a command's worker past which its imports are done (see the SIGINT test)
# the same for a child of the warmed parent: its worker imports the toolkit only (about 0.2-0.5 CPU-s; the
# libraries are imported), so 1 CPU-s is past its imports and inside the work, as 2.5 is for a fresh interpreter
WARM_WORK_CPU_S = 1.0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        return []


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (0 when it is gone)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_for_worker_cpu(p: subprocess.Popen, cpu: float, timeout: float = 120.0) -> None:
    """Wait until the worker that ``python -m`` forks (main_entry's isolate) has used ``cpu`` CPU seconds,
    or the command ended, or ``timeout`` passed (the caller's assertions then say what went wrong).
    Without /proc: the fixed 4 s of before."""
    if not os.path.isdir("/proc"):
        time.sleep(4)
        return
    deadline = time.time() + timeout
    while p.poll() is None and time.time() < deadline:
        if sum(_cpu_seconds(k) for k in _children(p.pid)) >= cpu:
            return
        time.sleep(0.05)


def _kill_group(pgid: int) -> None:
    """A failed check leaves no process behind (a command that ignored SIGINT ran on for minutes, loading
    the machine, after the test had failed)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


@pytest.mark.parametrize("cli", _slow(CLIS, set(CLIS) - {"simulate"}))
def test_sigint_ends_within_a_second_exit_130_no_file(cli, tmp_path, warm):
    out = tmp_path / "out.txt"
    # its own process group only so that a failure can end every process of the command (the signal goes
    # to the command's process alone, as before)
    p = warm.popen(cli, [*LONG[cli], "--output", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   start_new_session=True)
    try:
        # well inside the work: the worker has spent more CPU than the heavy imports cost (about 2 CPU-s:
        # numba, SymPy, Z3, python-flint; a warmed parent's child imports only the toolkit), so the computation
        # runs; a fixed 4 s of wall time was too long on a quiet machine and could still fall inside the
        # imports on a loaded one
        _wait_for_worker_cpu(p, WORK_CPU_S if cli in FRESH else WARM_WORK_CPU_S)
        assert p.poll() is None, "the long run ended before the interrupt"
        t0 = time.perf_counter()
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=10)
        assert time.perf_counter() - t0 < 1.5
    finally:
        _kill_group(p.pid)
    # progress lines and the ETA of the run before the interrupt are allowed; after it, exactly one line
    lines = [ln for ln in err.decode().splitlines() if ln.strip() and not re.search(r"\(\d+%\).*ETA|: ETA ", ln)]
    assert "Traceback" not in err.decode()
    assert p.returncode == 130 and len(lines) == 1 and "interrupted" in lines[0], err[-800:]
    assert list(tmp_path.iterdir()) == []  # no output file, no temporary left


def test_worker_dies_with_a_killed_supervisor(warm):
    """SIGKILL on the supervising process (a CI timeout, a killed terminal) ends its worker too."""
    p = warm.popen("proofs", ["--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   start_new_session=True)
    try:
        # the worker at work (past its start-up, die_with_parent's prctl included) instead of a fixed 3 s
        _wait_for_worker_cpu(p, 1.0, timeout=60)
        kids = _children(p.pid)
        assert kids, "the supervisor forked no worker"
        p.kill()
        p.wait()
        deadline = time.time() + 5
        while time.time() < deadline and any(os.path.exists(f"/proc/{k}") and
                                             open(f"/proc/{k}/stat").read().split()[2] != "Z" for k in kids):
            time.sleep(0.1)
        alive = [k for k in kids if os.path.exists(f"/proc/{k}") and open(f"/proc/{k}/stat").read().split()[2] != "Z"]
        assert alive == [], f"worker(s) {alive} outlived their supervisor"
    finally:
        _kill_group(p.pid)


def test_one_range_per_parameter_in_every_command(capfd):
    """--T 0 gets the same one-line range from every command that takes T (they used to differ:
    [1000, 1e10], [1000, 1e8], [1, 1e9], [1, 1e15])."""
    msgs = {cli: run_inproc(cli, ["--T", "0"], capfd).stderr.strip() for cli in HAS["T"]}
    tails = {cli: m.split("error: ", 1)[1] for cli, m in msgs.items()}
    assert set(tails.values()) == {"--T must be an integer in [1, 1000000000000000] (got 0)"}, msgs


@pytest.mark.parametrize("cli,argv", [
    ("simulate", ["--T", "1e15", "--optimizer", "adamw"]),  # no fast path for a step that reads x
    ("conformance", ["--optimizer", "counterexamples.conformance.drivers.user:paper_amsgrad_step",
                     "--problem", "thm1", "--T", "1e12", "--quiet"]),
])
def test_a_run_past_an_hour_needs_yes(cli, argv, tmp_path, capfd):
    """The ETA first: without --yes one line naming it, exit 2, nothing written (numerics.cli.confirm_eta)."""
    out = tmp_path / "out.txt"
    r = run_inproc(cli, argv + ["--output", str(out)], capfd)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip() and not re.search(r"\(\d+%\).*ETA", ln)]
    assert r.returncode == 2 and len(lines) == 1, r.stderr[-800:]
    assert "ETA over 1 hour" in lines[0] and "--yes" in lines[0] and "--T" in lines[0]
    assert r.stdout == "" and list(tmp_path.iterdir()) == []


def _group(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group ``pgid``."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                fields = open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                out.append(int(d))
    return out


def _cmdline(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
    except OSError:
        return ""


def _pool_workers(pgid: int) -> list[int]:
    """The process-pool workers in group ``pgid``: spawned ones (``--multiprocessing-fork``) or children of
    a forkserver (forked from it, they carry its command line)."""
    out = []
    for pid in _group(pgid):
        if "--multiprocessing-fork" in _cmdline(pid):
            out.append(pid)
            continue
        try:
            ppid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if "multiprocessing.forkserver" in _cmdline(ppid):
            out.append(pid)
    return out


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_ctrl_c_on_the_parallel_grid_leaves_no_process(warm):
    """SIGINT to the command's process group (what a terminal's Ctrl-C does) while the sweep's worker
    processes run: exit 130 and, within 5 s, no process of the group left (orphaned workers were)."""
    p = warm.popen("search", ["--exact", "--grid", "200", "--no-sim", "--quiet", "--workers", "2"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        # both of the pool's workers running (counted by name: the group also holds the supervisor, the
        # command's worker, multiprocessing's resource tracker and, under forkserver, the server; counting
        # 4 processes let the signal come before any pool worker existed, which hid orphaned workers)
        deadline = time.time() + 60
        while len(_pool_workers(p.pid)) < 2 and p.poll() is None and time.time() < deadline:
            time.sleep(0.2)
        assert len(_pool_workers(p.pid)) >= 2, "the sweep's worker processes never started"
        # both inside their chunks (each has computed for 0.2 CPU-s: a forked worker's start-up costs a few
        # hundredths) instead of a fixed second of wall time, which was long on a quiet machine and
        # could still fall before the chunks on a loaded one
        deadline = time.time() + 60
        while (p.poll() is None and time.time() < deadline
               and min((_cpu_seconds(k) for k in _pool_workers(p.pid)), default=0.0) < 0.2):
            time.sleep(0.05)
        assert p.poll() is None, "the sweep ended before the interrupt"
        os.killpg(p.pid, signal.SIGINT)
        assert p.wait(timeout=10) == 130
        deadline = time.time() + 5
        while _group(p.pid) and time.time() < deadline:
            time.sleep(0.1)
        assert _group(p.pid) == [], "processes of the command outlived it"
    finally:
        for pid in _group(p.pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow  # 5.4 s: a real process that must run past its first progress line (fast lane under 3 min; runs in the whole suite)
def test_a_long_step_shows_progress_within_two_seconds(warm):
    """search --theorem 1 --T 1e10 printed nothing for minutes: its simulation holds the interpreter in
    compiled code, so the supervising process shows the step's line (numerics.cli heartbeat)."""
    p = warm.popen("search", ["--theorem", "1", "--T", "1e10"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   text=True)
    import select

    stamps = []
    deadline = time.time() + 60  # on the old code the step's first line came minutes later, when it ended
    try:
        while time.time() < deadline:
            if not select.select([p.stderr], [], [], 1.0)[0]:
                continue
            line = p.stderr.readline()
            if not line:
                break
            stamps.append((time.perf_counter(), line))
            if "simulate" in line:
                break
    finally:
        p.send_signal(signal.SIGINT)
        p.communicate(timeout=20)
    sim = [ln for _, ln in stamps if "simulate" in ln]
    assert sim, stamps
    # the step's first line says how far into the step it came: about 2 s (the heartbeat), not minutes
    into = float(re.search(r"\(0%\) ([\d.,]+) s", sim[0]).group(1).replace(",", ""))
    assert 1.5 <= into < 4.0, sim[0]


PROBE = r'''
import json, os, signal, sys
print(json.dumps(dict(name=__name__, argv0=os.path.basename(sys.argv[0]), args=sys.argv[1:], path0=sys.path[0],
                      cwd=os.getcwd(), ours=sorted(m for m in sys.modules if m.partition(".")[0] in
                                                   ("analysis", "numerics", "proofs", "counterexamples")),
                      sigint_default=signal.getsignal(signal.SIGINT) is signal.default_int_handler,
                      own_session=os.getsid(0) == os.getpid(), env=os.environ.get("AB_PROBE"),
                      buffered=not sys.stdout.write_through, line_buffered=sys.stdout.line_buffering)))
# no flush: the line reaches the pipe only by the interpreter's exit (as a command's last output does)
if sys.argv[1:] == ["raise"]:
    raise ValueError("probe")
if sys.argv[1:] != ["return"]:
    sys.exit(int(sys.argv[1]))
'''


def _sigint_default():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_a_warm_child_runs_a_command_as_a_fresh_python_m_does(tmp_path):
    """A warmed parent's child (tests/_warm_process.py) against a fresh ``python -m`` of the same module: the
    same __main__, argv, sys.path[0], folder, environment, SIGINT handler, stdout buffering, session and exit
    status (sys.exit's code; 0 for a module that returns; 1 and a traceback for an uncaught exception), the
    output flushed by the interpreter's exit (with stdout buffered and unbuffered: PYTHONUNBUFFERED), and none
    of the toolkit imported before the command imports it -- so the checks above that run in such children see
    what a user's would.  (A parent without libraries here: the mechanism is the same, the parent cheap.)"""
    from _warm_process import WarmParent

    if not hasattr(os, "fork") or not hasattr(__import__("socket"), "send_fds"):
        pytest.skip("no fork here: every check runs in a fresh interpreter")
    import json

    (tmp_path / "abprobe.py").write_text(PROBE)
    for unbuffered in (False, True):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        env["AB_PROBE"] = "seen"
        if unbuffered:
            env["PYTHONUNBUFFERED"] = "1"
        parent = WarmParent(str(tmp_path), libs=(), env=env)
        try:
            for args, session in ((["3"], False), (["return"], True), (["raise"], False)):
                # the fresh interpreter starts with Ctrl-C at its default, as from a user's shell (and as the warm
                # child sets it): a test before this one in the worker may leave SIGINT ignored at the OS level
                # (seen once in a whole run), which a child inherits through exec
                fresh = subprocess.Popen([sys.executable, "-m", "abprobe", *args], cwd=tmp_path, env=env,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=session,
                                         preexec_fn=_sigint_default)
                f_out, f_err = fresh.communicate(timeout=60)
                child = parent.popen("abprobe", args, cwd=str(tmp_path), start_new_session=session, env=env)
                c_out, c_err = child.communicate(timeout=60)
                assert child.pid != os.getpid() and child.returncode == fresh.returncode, (c_err, f_err)
                assert c_out and json.loads(c_out) == json.loads(f_out), (c_out, f_out)
                got = json.loads(c_out)
                assert got["ours"] == [] and got["env"] == "seen" and got["buffered"] == (not unbuffered)
                assert (b"ValueError: probe" in c_err) == (b"ValueError: probe" in f_err) == (args == ["raise"])
                assert child.returncode == {"3": 3, "return": 0, "raise": 1}[args[0]]
        finally:
            parent.close()
