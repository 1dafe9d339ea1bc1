"""Smoke test of the benchmark (not a timed test): --quick runs, writes JSON atomically, and the
engine's batch equals the numpy reference path on the benchmark's own workload."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "run.py")


@pytest.mark.slow  # runs benchmarks/run.py --quick in a child: timed rows and their own compiles
def test_quick_benchmark_runs_and_reports(tmp_path):
    out = tmp_path / "bench.json"
    p = subprocess.run([sys.executable, SCRIPT, "--quick", "--no-torch", "--repeat", "1", "--json", "-",
                        "--output", str(out)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert "engine, batch" in p.stderr and "targets:" in p.stderr and "result: nothing failed" in p.stderr
    assert json.loads(p.stdout) == json.loads(out.read_text())  # nothing but JSON on stdout; --output holds it
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


def test_bad_output_path_fails_before_the_run():
    """(JSON on stdout is checked by the --quick run above, which passes '--json -'.)"""
    t0 = __import__("time").perf_counter()
    q = subprocess.run([sys.executable, SCRIPT, "--output", "/nonexistent/x.json"], capture_output=True,
                       text=True, timeout=60, cwd=ROOT)
    assert q.returncode == 2 and len(q.stderr.strip().splitlines()) == 1 and "--output" in q.stderr
    assert __import__("time").perf_counter() - t0 < 30  # before the run, not after it


def _bench_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _fake_results(dx_jax):
    """The results a run would give, one peer disagreeing with the engine by ``dx_jax``."""
    ok = dict(steps_per_s=1.0, cpu_steps_per_s=1.0, seconds=[1.0], cpu_seconds=[1.0])
    R = {k: dict(ok) for k in ("engine_batch", "engine_batch_1thread", "numpy_batch", "numpy_inplace_batch",
                               "engine_single", "python_loop", "reference_single")}
    R["engine_batch"]["engine"] = R["engine_batch_1thread"]["engine"] = "numba"
    R["engine_single_step_as_written"] = dict(ok, same_bits=True)
    R["batch_agreement"] = dict(max_abs_dx_T=0.0, max_rel_d_avg_regret=0.0)
    R["single_agreement"] = dict(abs_dx_T_python_vs_engine=0.0)
    R["jax_batch"] = dict(ok, max_abs_dx_T_vs_engine=dx_jax, first_call_seconds=0.1, version="x")
    R["torch_batch"] = dict(skipped="torch is not installed")
    return R


def test_a_disagreeing_peer_fails_the_run_and_the_exit_code_says_so(monkeypatch, capsys):
    """--quick exits 0 only when its report says nothing failed: a peer whose x_T differs from the
    engine's by 1e-6 is a FAILED check, and the exit code is 1 (fed in-process, no timing)."""
    mod = _bench_module()
    checks = mod.checks(_fake_results(1e-6))
    assert [k for k, v in checks.items() if not v["ok"]] == ["jax_batch = engine batch (max |dx_T|)"]
    assert all(v["ok"] for v in mod.checks(_fake_results(1e-15)).values())

    def fake_bench(args, dx=1e-6):
        res = {"workload": dict(method="m", problem="p", quick=True, T_arb=1), "results": _fake_results(dx),
               "ratios": {}, "targets": {}, "targets_note": "not judged with --quick (tiny workloads)"}
        res["checks"] = mod.checks(res["results"])
        res["failed"] = [k for k, v in res["checks"].items() if not v["ok"]]
        return res

    monkeypatch.setattr(mod, "bench", fake_bench)
    assert mod._body(["--quick"]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "result: 1 FAILED" in out
    monkeypatch.setattr(mod, "bench", lambda args: fake_bench(args, 0.0))
    assert mod._body(["--quick"]) == 0
    assert "result: nothing failed" in capsys.readouterr().out


def test_targets_are_ratios_measured_in_the_run():
    """No target is an absolute, host-specific rate or time: each names a ratio of two rows."""
    mod = _bench_module()
    assert mod.TARGETS and all(" / " in k for k in mod.TARGETS)
    assert {"engine_batch / jax_batch", "engine_batch / torch_batch"} <= set(mod.TARGETS)


@pytest.mark.slow  # compiles the parallel batch kernel afresh in a child process (seconds of numba)
def test_simd_check_reads_a_fresh_compile_not_the_cache():
    """numba returns an empty listing for code loaded from its cache ("Inspection disabled for cached
    code"), which an earlier check misread as "not vectorised": the check must say whether its listing
    is of a fresh compile, and here it is (empty cache directories in the child)."""
    r = _bench_module().simd_check()
    assert r["fresh_compile"] is True, r
    assert r["cache_hits"] == 0 and not r["inspection_warning"] and r["asm_chars"] > 1000
    assert r["vectorised"] == (r["vsqrtpd"] > 0 and r["vdivpd"] > 0)
