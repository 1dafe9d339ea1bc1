"""The simulate command as a user runs it: output schema, backends, plot, and bad input (exit 2, one line).

The command runs in this process (its ``main(argv)``, output captured at the file descriptors:
tests/_cli_inproc.py); the real process of the command -- its exit code, Ctrl-C, a closed pipe, imports at
start-up -- is tests/test_cli_battery.py's."""
import json

import pytest
from _cli_inproc import run as run_inproc


def sim(capfd, *args):
    """``python -m counterexamples.simulate *args``, in-process: returncode, stdout, stderr."""
    return run_inproc("simulate", args, capfd)


@pytest.fixture(scope="module")
def amsgrad_float_ref():
    """The float64 run both high-precision backends are compared with (run once for the module)."""
    import contextlib
    import io

    from counterexamples.simulate import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--problem", "thm1", "--optimizer", "amsgrad", "--T", "3000", "--json"]) == 0
    return json.loads(out.getvalue())["runs"][0]


def test_json_schema_and_section5_outcome(capfd):
    r = sim(capfd, "--problem", "section5-online", "--optimizer", "adam,amsgrad", "--alpha", "0.5", "--T", "202000",
            "--x1", "1", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["problem"]["name"] == "section5-online"
    adam, ams = out["runs"]
    for run in out["runs"]:
        for key in ("optimizer", "variant", "T", "x_T", "avg_regret", "checkpoints", "backend", "dps"):
            assert key in run
        assert run["checkpoints"][-1]["t"] == 202000  # 2000 whole periods of 101
        assert run["hyper"]["alpha"] == "1/2" and run["hyper"]["beta1"] == "9/10"
    assert adam["x_T"] == 1.0 and adam["avg_regret"] > 2 * 10 / 101 - 1e-3
    assert ams["x_T"] < -0.9


def test_theorem_defaults_are_recorded_and_overridable(capfd):
    r = sim(capfd, "--problem", "thm1", "--C", "5", "--optimizer", "adam", "--T", "300", "--json")
    run = json.loads(r.stdout)["runs"][0]
    assert run["hyper"]["beta1"] == "0" and run["hyper"]["beta2"] == "1/26"
    r = sim(capfd, "--problem", "thm1", "--C", "5", "--optimizer", "adam", "--beta2", "0.5", "--T", "300", "--json")
    assert json.loads(r.stdout)["runs"][0]["hyper"]["beta2"] == "1/2"


@pytest.mark.parametrize("backend", ["mpmath", "arb"])
def test_high_precision_backends_report_decimal_strings(backend, amsgrad_float_ref, capfd):
    r = sim(capfd, "--problem", "thm1", "--optimizer", "amsgrad", "--T", "3000", "--backend", backend, "--dps", "40",
            "--json")
    assert r.returncode == 0, r.stderr
    run = json.loads(r.stdout)["runs"][0]
    assert len(run["x_T_str"].lstrip("-").replace(".", "")) >= 30
    ref = amsgrad_float_ref
    assert abs(float(run["x_T_str"]) - ref["x_T"]) < 1e-12
    if backend == "arb":  # the ball is printed at the run's precision, with a tiny radius
        mid, rad = run["x_T_ball"].strip("[]").split("+/-")
        assert float(rad) < 1e-30 and len(mid.strip().lstrip("-").replace(".", "")) >= 35


def test_plot_is_written(tmp_path, capfd):
    path = tmp_path / "fig1.png"
    r = sim(capfd, "--problem", "section5-online", "--T", "20000", "--plot", str(path))
    assert r.returncode == 0, r.stderr
    assert path.stat().st_size > 10000 and path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args,needle", [
    (["--beta1", "1"], "--beta1"), (["--beta1", "1.5"], "--beta1"), (["--beta2", "0"], "--beta2"),
    (["--beta2", "1"], "--beta2"), (["--T", "0"], "--T"), (["--problem", "nope"], "--problem"),
    (["--optimizer", "nosuchopt"], "--optimizer"), (["--x1", "2"], "--x1"), (["--alpha", "-1"], "--alpha"),
    (["--problem", "thm1", "--C", "2"], "--C"), (["--problem", "thm2", "--C", "7"], "--C"),
    (["--backend", "cupy"], "cupy"), (["--checkpoints", "0,5"], "--checkpoints"),
    (["--problem", "section5-online", "--C", "5"], "--C"), (["--problem", "thm1", "--n", "4"], "--n"),
    (["--problem", "thm3", "--delta", "0.1", "--p", "0.5"], "exclusive"),
])
def test_bad_input_one_line_exit_2(args, needle, capfd):
    r = sim(capfd, *args, "--T", "10") if "--T" not in args else sim(capfd, *args)
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr


def test_thm3_records_the_delta_that_ran(capfd):
    """With --p given, the recorded delta is the one implied by p = (1+delta)/(C+1), not the default."""
    r = sim(capfd, "--problem", "thm3", "--C", "10", "--p", "3/10", "--T", "10", "--json")
    prob = json.loads(r.stdout)["problem"]
    assert prob["p"] == "3/10" and prob["delta"] == "23/10"


def test_plot_keeps_the_tables_rows(tmp_path, capfd):
    """--plot used to turn the 7-row table into 670 lines (the curve's 400 points became rows): the
    figure gets its dense curve, the table and --json keep their checkpoints."""
    args = ("--problem", "thm1", "--optimizer", "adam,amsgrad", "--T", "20000", "--quiet")
    plain = sim(capfd, *args)
    plotted = sim(capfd, *args, "--plot", str(tmp_path / "f.png"))
    assert plain.returncode == 0 and plotted.returncode == 0, plotted.stderr
    assert plotted.stdout == plain.stdout
    assert [ln.split()[0] for ln in plain.stdout.splitlines() if ln.strip()[:1].isdigit()] == \
        ["1", "10", "100", "1000", "10000", "20000"] * 2
    doc = json.loads(sim(capfd, *args, "--json", "--plot", str(tmp_path / "g.png")).stdout)
    assert [c["t"] for c in doc["runs"][0]["checkpoints"]] == [1, 10, 100, 1000, 10000, 20000]
    assert doc["runs"][0]["plot_points"] > 200  # the figure's curve: 400 log-spaced rounds, distinct integers


def test_arb_says_why_dps_30_reports_32(capfd):
    """arb works in bits: ceil(30 log2 10) + 8 guard bits = 108 bits, which hold floor(108 log10 2) = 32
    digits; the output says so instead of silently reporting 32."""
    import math

    r = sim(capfd, "--problem", "thm1", "--optimizer", "amsgrad", "--T", "100", "--backend", "arb", "--dps", "30",
            "--json", "--quiet")
    run = json.loads(r.stdout)["runs"][0]
    bits = math.ceil(30 * math.log2(10)) + 8
    assert (run["dps_requested"], run["prec_bits"], run["dps"]) == (30, bits, math.floor(bits * math.log10(2)))
    assert f"{bits} bits" in run["dps_note"] and "30 digits" in run["dps_note"]
    text = sim(capfd, "--problem", "thm1", "--optimizer", "amsgrad", "--T", "100", "--backend", "arb", "--dps", "30",
               "--quiet").stdout
    assert "dps=32" in text and f"= {bits} bits, which hold 32 digits" in text


def test_an_override_of_the_prescription_is_stated(capfd):
    r = sim(capfd, "--problem", "thm1", "--C", "5", "--optimizer", "adam,sgd", "--beta2", "0.5", "--T", "300", "--quiet")
    assert r.returncode == 0, r.stderr
    assert "departs from thm1's prescription: beta2=1/2 (prescribed 1/26)" in r.stdout  # 1/(1+C^2), C = 5
    assert "not applied to sgd: beta2" in r.stdout
