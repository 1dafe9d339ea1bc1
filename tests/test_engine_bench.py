"""Smoke test of the benchmark (not a timed test): --quick runs, writes JSON atomically, and the
engine's batch equals the numpy reference path on the benchmark's own workload."""
from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "run.py")


def test_quick_benchmark_runs_and_reports(tmp_path):
    out = tmp_path / "bench.json"
    p = subprocess.run([sys.executable, SCRIPT, "--quick", "--no-torch", "--repeat", "1", "--json",
                        "--output", str(out)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert "engine, batch" in p.stderr and "targets:" in p.stderr
    assert json.loads(p.stdout) == json.loads(out.read_text())  # --output holds exactly stdout
    res = json.loads(out.read_text())
    R = res["results"]
    for key in ("engine_batch", "numpy_batch", "engine_single", "python_loop", "reference_single"):
        assert R[key]["steps_per_s"] > 0, key
    # a fast wrong kernel must not pass: the batch agrees with the numpy reference path
    assert R["batch_agreement"]["max_abs_dx_T"] <= 1e-12
    assert R["batch_agreement"]["max_rel_d_avg_regret"] <= 1e-12
    assert R["single_agreement"]["abs_dx_T_python_vs_engine"] <= 1e-12
    assert "engine_batch / numpy_batch" in res["ratios"]
    assert R["arb_fused"]["same_ball_as_reference"] is True
    assert res["environment"]["env"]["MALLOC_MMAP_THRESHOLD_"] == "33554432"
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".tmp")]


def test_bad_input_is_one_line_exit_2():
    p = subprocess.run([sys.executable, SCRIPT, "--repeat", "0"], capture_output=True, text=True,
                       timeout=60, cwd=ROOT)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "--repeat" in lines[0] and "Traceback" not in p.stderr


def test_json_to_stdout_is_only_json_and_bad_path_fails_first():
    p = subprocess.run([sys.executable, SCRIPT, "--quick", "--no-torch", "--no-cli", "--repeat", "1",
                        "--json", "-"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)  # nothing but JSON on stdout
    assert "engine_batch" in res["results"] and "engine, batch" in p.stderr
    t0 = __import__("time").perf_counter()
    q = subprocess.run([sys.executable, SCRIPT, "--output", "/nonexistent/x.json"], capture_output=True,
                       text=True, timeout=60, cwd=ROOT)
    assert q.returncode == 2 and len(q.stderr.strip().splitlines()) == 1 and "--output" in q.stderr
    assert __import__("time").perf_counter() - t0 < 30  # before the run, not after it
