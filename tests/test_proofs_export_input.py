"""``python -m proofs --export DIR`` answers bad input before the audit's heavy imports.

Why: a user who mistypes the folder should get the one-line error at once, not after Z3, SymPy and kdrag
have loaded (seconds).  Checked in a fresh interpreter, where ``sys.modules`` says what was imported.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("z3", "sympy", "kdrag", "numba")

PROBE = """
import contextlib, io, json, sys
err = io.StringIO()
with contextlib.redirect_stderr(err):
    from proofs.__main__ import main
    rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "err": err.getvalue(), "heavy": [m for m in %r if m in sys.modules]}))
""" % (HEAVY,)


def _run(*argv):
    env = {**os.environ, "PYTHONPATH": os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", ["not empty", "a file", "no parent"])
def test_bad_export_dir_exit_2_one_line_nothing_written_before_heavy_imports(tmp_path, case):
    if case == "not empty":
        target = tmp_path / "out"
        target.mkdir()
        (target / "keep.txt").write_text("x")
    elif case == "a file":
        target = tmp_path / "out"
        target.write_text("x")
    else:
        target = tmp_path / "missing" / "out"
    before = sorted(p.name for p in tmp_path.rglob("*"))
    got = _run("--export", str(target), "--theorem", "thm3", "--quiet")
    assert got["rc"] == 2
    lines = got["err"].strip().splitlines()
    assert len(lines) == 1 and "--export" in lines[0] and "Traceback" not in got["err"]
    assert got["heavy"] == [], f"imported before the folder was rejected: {got['heavy']}"
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written, no probe left
