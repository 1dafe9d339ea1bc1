"""Every CLI against the same battery: bad input, closed pipes, Ctrl-C, --help (numerics.cli conventions).

Bad input of any kind: exit 2, exactly one line on stderr naming the argument, no traceback, nothing on
stdout, no file written.  A closed stdout pipe ends quietly (no traceback).  SIGINT ends the command
within a second and a half, exit 130, one line, no output file.  Every --help lists the exit codes.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIS = {
    "simulate": ["-m", "counterexamples.simulate"],
    "search": ["-m", "counterexamples.search"],
    "proofs": ["-m", "proofs"],
    "analysis": ["-m", "analysis"],
    "conformance": ["-m", "counterexamples.conformance"],
}
HAS = {  # which CLI takes which parameter (a parameter a CLI lacks is an unknown option: also exit 2)
    "beta2": ("simulate", "search", "conformance"),
    "alpha": ("simulate", "conformance"),
    "seed": ("simulate", "search", "conformance"),
    "timeout": ("search", "proofs"),
    "plot": ("simulate", "search"),
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
]
CASES = [(cli, argv, word) for argv, word, only in BAD for cli in (only or CLIS)]


def _run(cli, argv, **kw):
    return subprocess.run([sys.executable, *CLIS[cli], *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, **kw)


@pytest.mark.parametrize("cli,argv,word", CASES, ids=[f"{c}:{' '.join(a) or 'empty'}" for c, a, _ in CASES])
def test_bad_input_one_line_exit_2_nothing_written(cli, argv, word, tmp_path):
    out = tmp_path / "out.txt"
    r = _run(cli, argv + ["--output", str(out)] if "--output" not in argv else argv)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2, r.stderr[-800:]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr[-800:]
    assert word in lines[0] and "error" in lines[0]
    assert r.stdout == "" and not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("cli", CLIS)
def test_help_lists_exit_codes(cli):
    r = _run(cli, ["--help"])
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
}


@pytest.mark.parametrize("cli", CLIS)
def test_json_layout_has_meta(cli):
    import json

    r = _run(cli, QUICK[cli])
    assert r.returncode == 0, r.stderr[-800:]
    meta = json.loads(r.stdout)["meta"]
    assert {"tool", "versions", "seed", "precision"} <= set(meta) and meta["versions"]["python"]


@pytest.mark.parametrize("cli", CLIS)
def test_closed_pipe_ends_quietly(cli):
    p = subprocess.Popen([sys.executable, *CLIS[cli], *QUICK[cli]], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=ROOT)
    p.stdout.close()  # the reader goes away before the command writes anything (like `| head -c 0`)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 0 and b"Traceback" not in err and b"BrokenPipe" not in err, err[-800:]


LONG = {  # runs that take far longer than the test waits
    "simulate": ["--T", "1000000000000", "--optimizer", "adam"],
    "search": ["--quiet"],
    "proofs": ["--quiet"],
    "analysis": ["--tightness", "--quiet"],
    "conformance": ["--optimizer", "counterexamples.conformance.drivers.user:paper_amsgrad_step",
                    "--problem", "thm1", "--T", "1000000000", "--quiet"],
}


@pytest.mark.parametrize("cli", CLIS)
def test_sigint_ends_within_a_second_exit_130_no_file(cli, tmp_path):
    out = tmp_path / "out.txt"
    p = subprocess.Popen([sys.executable, *CLIS[cli], *LONG[cli], "--output", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    time.sleep(4)  # well inside the work (imports done, computation running)
    assert p.poll() is None, "the long run ended before the interrupt"
    t0 = time.perf_counter()
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=10)
    assert time.perf_counter() - t0 < 1.5
    # progress lines of the run before the interrupt are allowed; after it, exactly one line
    lines = [ln for ln in err.decode().splitlines() if ln.strip() and not re.search(r"\(\d+%\).*ETA", ln)]
    assert "Traceback" not in err.decode()
    assert p.returncode == 130 and len(lines) == 1 and "interrupted" in lines[0], err[-800:]
    assert list(tmp_path.iterdir()) == []  # no output file, no temporary left


def test_worker_dies_with_a_killed_supervisor():
    """SIGKILL on the supervising process (a CI timeout, a killed terminal) ends its worker too."""
    import os

    p = subprocess.Popen([sys.executable, "-m", "proofs", "--quiet"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, cwd=ROOT)
    time.sleep(3)
    kids = [int(c) for c in open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()]
    assert kids, "the supervisor forked no worker"
    p.kill()
    p.wait()
    deadline = time.time() + 5
    while time.time() < deadline and any(os.path.exists(f"/proc/{k}") and
                                         open(f"/proc/{k}/stat").read().split()[2] != "Z" for k in kids):
        time.sleep(0.1)
    alive = [k for k in kids if os.path.exists(f"/proc/{k}") and open(f"/proc/{k}/stat").read().split()[2] != "Z"]
    assert alive == [], f"worker(s) {alive} outlived their supervisor"
