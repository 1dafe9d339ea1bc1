"""The search's certified grid through the sweep layer: the same labels, bit for bit, in-process, on
2 local processes and on a 2-worker Dask LocalCluster (started here); bad sweep flags exit 2."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest

from counterexamples import grid as G


def _labels(**opts):
    g = G.certified_grid(Fraction(4), 4, 8, z3_max_n=0, sweep_opts=opts)  # Theorem 2's family, C = n = 4
    return json.dumps([g["labels"], g["undecided_kind"], g["counts"]])


@pytest.mark.slow  # starts a local Dask cluster
def test_grid_identical_across_executors():
    inline = _labels(executor="inline")
    assert _labels(executor="processes", workers=2) == inline
    pytest.importorskip("distributed")
    assert _labels(executor="dask", workers=2, scheduler="local") == inline
    g = json.loads(inline)
    assert g[2]["diverges"] > 0 and g[2]["converges"] > 0  # both phases present: the test can fail


class _Ran:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def _in_process(main, capsys, *argv):
    """A CLI's main(argv) in this process: what these tests check is that the sweep flags reach the
    sweep, not the interpreter start-up (each ``python -m`` imports SymPy, Z3 and numba again)."""
    capsys.readouterr()
    try:
        rc = main(list(argv))
    except SystemExit as exc:  # argparse's own usage errors leave by SystemExit in-process
        rc = exc.code
    cap = capsys.readouterr()
    return _Ran(rc, cap.out, cap.err)


def test_search_cli_sweep_flags(capsys):
    from counterexamples.search.cli import main

    def run(*a):
        return _in_process(main, capsys, *a)

    bad = run("--exact", "--grid", "4", "--workers", "0")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "--workers" in bad.stderr
    one = run("--exact", "--grid", "6", "--C", "20", "--n", "20", "--no-sim", "--json", "--quiet", "--workers", "1")
    two = run("--exact", "--grid", "6", "--C", "20", "--n", "20", "--no-sim", "--json", "--quiet", "--workers", "2")
    assert one.returncode == 0 and two.returncode == 0, (one.stderr, two.stderr)
    assert json.loads(one.stdout)["grid"]["labels"] == json.loads(two.stdout)["grid"]["labels"]


@pytest.mark.slow  # the zoo twice (inline, 2 workers): about 8 s; the fast lane keeps the search's executor
# identity (test_search_cli_sweep_flags: 1 vs 2 worker processes)
def test_zoo_identical_across_executors():
    """The zoo's rows (one method per item) are the same in-process and on 2 local processes."""
    from counterexamples.zoo.cli import run_zoo

    keys, kw = ["adam", "amsgrad", "signsgd"], dict(T=2000, C_max=40, progress=False)
    def timeless(x):  # wall-clock seconds are the only field allowed to differ
        if isinstance(x, dict):
            return {k: timeless(v) for k, v in x.items() if k != "seconds"}
        return [timeless(v) for v in x] if isinstance(x, list) else x

    inline = json.dumps(timeless(run_zoo(keys, sweep_opts={"executor": "inline"}, **kw)), default=str)
    two = json.dumps(timeless(run_zoo(keys, sweep_opts={"executor": "processes", "workers": 2}, **kw)),
                     default=str)
    assert two == inline
    rows = json.loads(inline)
    assert [r["method"] for r in rows] == keys  # order of the items, whatever finishes first
    # both verdicts occur, so the comparison compares something: AMSGrad never diverges, signSGD does
    cells = {r["method"]: json.dumps(r["problems"]) for r in rows}
    assert cells["amsgrad"] != cells["signsgd"]


@pytest.mark.slow  # the conformance zoo twice, on 1 and on 2 worker processes (about 45 s here)
def test_conformance_zoo_identical_across_executors(capsys):
    """python -m counterexamples.conformance --zoo: the same rows with 1 and 2 worker processes."""
    from counterexamples.conformance.cli import main

    def run(w):
        # 100 rounds, not 300: what is compared is the rows of two executors, bit for bit, which does not depend
        # on the rounds (each row is one item, computed whole in one process); the identification itself (to
        # 1e-12 over 200 rounds, every library optimizer) is tests/test_conformance_zoo.py's
        r = _in_process(main, capsys, "--zoo", "--compare-steps", "100", "--problem", "section5-online", "--json",
                        "--quiet", "--workers", w)
        assert r.returncode == 0, r.stderr
        rows = json.loads(r.stdout)["results"]
        return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]

    one = run("1")
    assert run("2") == one
    assert any(r["status"] == "identified" for r in one) and len(one) >= 10
