"""Every CLI that saves a file: an unwritable target is bad input (exit 2, one line, checked before any
long computation); a missing folder is not created; files get the usual permissions."""
import os
import stat
import subprocess
import sys

import pytest

from numerics.cli import BadInput, check_writable, write_atomic

CASES = [
    ["-m", "counterexamples.simulate", "--T", "10", "--output"],
    ["-m", "counterexamples.search", "--output"],
    ["-m", "proofs", "--output"],
    ["-m", "analysis", "--output"],
    ["-m", "counterexamples.conformance", "--output"],
]


@pytest.mark.parametrize("args", CASES, ids=[c[1] for c in CASES])
@pytest.mark.parametrize("target", ["/proc/adam-beyond-test.json", "/nonexistent-adam-beyond/dir/out.json"])
def test_unwritable_output_is_bad_input(args, target):
    r = subprocess.run([sys.executable, *args, target], capture_output=True, text=True, timeout=60)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2, r.stderr[-500:]
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert not os.path.exists("/nonexistent-adam-beyond")


def test_write_atomic_keeps_umask_permissions_and_replaces(tmp_path):
    p = tmp_path / "out.txt"
    write_atomic(str(p), "one")
    write_atomic(str(p), "two")
    assert p.read_text() == "two"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~umask
    assert [f.name for f in tmp_path.iterdir()] == ["out.txt"]  # no temporary left behind


def test_check_writable_rejects_a_folder(tmp_path):
    with pytest.raises(BadInput, match="--out"):
        check_writable(str(tmp_path), "--out")
