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


# the main(argv) behind each ``python -m``: the checks run in-process (no interpreter start-up per case,
# each importing SymPy, Z3 and numba); one case runs as a user runs it, through the entry point
MAINS = {"counterexamples.simulate": "counterexamples.simulate", "counterexamples.search": "counterexamples.search.cli",
         "proofs": "proofs.__main__", "analysis": "analysis.cli",
         "counterexamples.conformance": "counterexamples.conformance.cli"}


@pytest.mark.parametrize("args", CASES, ids=[c[1] for c in CASES])
@pytest.mark.parametrize("target", ["/proc/adam-beyond-test.json", "/nonexistent-adam-beyond/dir/out.json"])
def test_unwritable_output_is_bad_input(args, target, capsys):
    import importlib

    main = importlib.import_module(MAINS[args[1]]).main
    try:
        rc = main([*args[2:], target])
    except SystemExit as exc:  # argparse's own usage errors leave by SystemExit in-process
        rc = exc.code
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2, err[-500:]
    assert len(lines) == 1 and "Traceback" not in err
    assert not os.path.exists("/nonexistent-adam-beyond")


def test_unwritable_output_through_the_entry_point():
    r = subprocess.run([sys.executable, "-m", "counterexamples.search", "--output", "/nonexistent-adam-beyond/d/o.json"],
                       capture_output=True, text=True, timeout=60)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr[-500:]
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
