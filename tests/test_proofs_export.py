"""python -m proofs --export DIR: standalone SMT-LIB 2 files that other solvers replay (the pip z3 binary and
cvc5's own parser, each in a child process), statement dependency trees as JSON, an atomic folder, and
one-line errors (exit 2, nothing written) for a bad DIR."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Z3_BIN = os.path.join(os.path.dirname(sys.executable), "z3")


def cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "proofs", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The export of thm3's audit, made by the CLI's main(argv) in this process (what is tested is the folder
    it writes and the JSON it prints, not the start of an interpreter: that saves one import of SymPy, Z3,
    cvc5 and the toolkit; the files are still replayed below by other processes)."""
    import contextlib
    import io

    from proofs.__main__ import main

    out = tmp_path_factory.mktemp("export") / "audit"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = main(["--theorem", "thm3", "--quiet", "--json", "--export", str(out)])
    assert rc == 0, stderr.getvalue()
    return json.loads(stdout.getvalue()), out


CVC5 = r"""
import sys, cvc5
slv = cvc5.Solver(); slv.setOption("tlimit-per", "20000")
parser = cvc5.InputParser(slv)
parser.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, sys.argv[1])
sm = parser.getSymbolManager(); answer = None
while True:
    cmd = parser.nextCommand()
    if cmd.isNull():
        break
    out = cmd.invoke(slv, sm)
    if out and out.strip() in ("sat", "unsat", "unknown"):
        answer = out.strip()
print(answer)
"""


@pytest.mark.slow  # a z3 and a cvc5 process per exported step (~6 s); the fast lane keeps the export's tree below
def test_every_z3_step_is_a_standalone_file_that_z3_and_cvc5_replay(exported):
    doc, out = exported
    index = json.loads((out / "index.json").read_text())
    steps = {s["label"]: s for s in doc["theorems"][0]["steps"]}
    z3_steps = [k for k, s in steps.items() if s["method"].startswith("z3/")]
    files = [f for f in index["files"] if f["file"].startswith("obligations/")]
    assert sorted(f["label"] for f in files) == sorted(z3_steps)
    assert len(os.listdir(out / "obligations")) == len(z3_steps) > 5
    replayed = {"z3": 0, "cvc5": 0}
    for f in files:
        text = (out / f["file"]).read_text()
        want = {"proved": "unsat", "refuted": "sat"}.get(steps[f["label"]]["verdict"], "unknown")
        assert f"(set-info :status {want})" in text and re.search(r"^\(set-logic (QF_)?N[IR]+A\)$", text, re.M)
        assert text.rstrip().endswith("(check-sat)\n(exit)") and f"step {f['label']}" in text
        assert "(declare-fun" in text and "(assert" in text
        # the pip z3's own binary, reading the file as a user would
        z = subprocess.run([Z3_BIN, "-T:60", "-smt2", str(out / f["file"])], capture_output=True, text=True,
                           timeout=90)
        assert z.stdout.split()[0] == want, (f["label"], z.stdout, z.stderr)
        replayed["z3"] += 1
        # cvc5 (pip), through its own SMT-LIB parser; where the audit records cvc5 confirming, it must again
        if steps[f["label"]].get("solvers") == "z3+cvc5":
            c = subprocess.run([sys.executable, "-c", CVC5, str(out / f["file"])], capture_output=True, text=True,
                               timeout=90)
            assert c.stdout.strip() == "unsat", (f["label"], c.stdout, c.stderr[-500:])
            replayed["cvc5"] += 1
    assert replayed["z3"] == len(files) and replayed["cvc5"] >= 5
    assert any(f["status"] == "sat" for f in files)  # thm3's printed C3 is refuted: a sat file replays too


def test_statement_tree_json_and_no_temporary_left(exported):
    doc, out = exported
    st = json.loads((out / "statements" / "thm3.json").read_text())
    assert st["id"] == "thm3" and st["kernel"]["verdict"] in ("proved by the kernel", "not established")
    assert st["printed_proof"] == doc["theorems"][0]["statement"]["proof"]
    for s in st["steps"]:
        if s["smt2"]:
            assert (out / s["smt2"]).is_file()
    assert not [n for n in os.listdir(out.parent) if n.startswith(".export-") or n.startswith(".probe-")]


@pytest.mark.parametrize("make", ["missing-parent", "not-empty", "a-file"])
def test_bad_export_dir_is_one_line_exit_2(tmp_path, make, capsys):
    if make == "missing-parent":
        target = tmp_path / "nope" / "out"
    elif make == "not-empty":
        target = tmp_path / "full"
        target.mkdir()
        (target / "x").write_text("keep")
    else:
        target = tmp_path / "file"
        target.write_text("keep")
    before = sorted(os.listdir(tmp_path))
    if make == "not-empty":  # one case as a reader runs it: a process of its own, its exit status and stderr
        p = cli("--theorem", "kingma-ba", "--export", str(target), timeout=60)
        rc, out, err = p.returncode, p.stdout, p.stderr
    else:  # the others through main(argv), in this process (the same code path, no interpreter start)
        from proofs.__main__ import main

        rc = main(["--theorem", "kingma-ba", "--export", str(target)])
        cap = capsys.readouterr()
        out, err = cap.out, cap.err
    lines = [ln for ln in err.strip().splitlines() if ln]
    assert rc == 2 and len(lines) == 1 and "--export" in lines[0] and "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == before and out == ""
