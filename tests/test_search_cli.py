"""python -m counterexamples.search as a user runs it: JSON schema, certified witnesses, the default
table, files written atomically, and bad input (exit 2, one line naming the argument, no traceback).

The command runs in this process (its ``main(argv)``, output captured at the file descriptors:
tests/_cli_inproc.py); the real process of the command -- its exit code, Ctrl-C, a closed pipe, imports at
start-up -- is tests/test_cli_battery.py's."""
import json

import pytest
from _cli_inproc import run as run_inproc


def search(capfd, *args):
    """``python -m counterexamples.search --quiet *args``, in-process: returncode, stdout, stderr."""
    return run_inproc("search", ["--quiet", *args], capfd)


@pytest.mark.parametrize("args,name", [
    (["--beta2", "1.5", "--theorem", "2"], "--beta2"),
    (["--beta2", "0", "--exact"], "--beta2"),
    (["--theorem", "2", "--beta1", "0.995", "--beta2", "0.99"], "--beta1"),
    (["--theorem", "3", "--beta1", "0.9", "--beta2", "0.8"], "--beta1"),
    (["--theorem", "1", "--C", "2"], "--C"),
    (["--theorem", "6", "--C", "1.5"], "--C"),
    (["--exact", "--n", "1"], "--n"),
    (["--exact", "--n", "10", "--C", "9"], "--C"),
    (["--exact", "--grid", "1"], "--grid"),
    (["--T", "abc"], "--T"),
    (["--theorem", "2", "--C", "7"], "--C"),
    (["--theorem", "6", "--eps", "-1"], "--eps"),
    (["--theorem", "9"], "--theorem"),
])
def test_bad_input_exits_2_with_one_line(args, name, capfd):
    r = search(capfd, *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in r.stderr
    assert r.stdout == ""


def _schema(w):
    for key in ("theorem", "beta1", "beta2", "C", "n", "conditions", "drift", "certified", "simulation"):
        assert key in w
    assert isinstance(w["conditions"], dict) and all(isinstance(v, bool) for v in w["conditions"].values())


def test_theorem2_json_is_certified(tmp_path, capfd):
    out = tmp_path / "t2.json"
    r = search(capfd, "--theorem", "2", "--beta1", "0.5", "--beta2", "0.9", "--json", "--output", str(out))
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert json.loads(out.read_text()) == res and not list(tmp_path.glob("*.tmp*"))
    reddi, exact = res["witnesses"]
    for w in (reddi, exact):
        _schema(w)
        assert w["certified"] is True
    assert (reddi["theorem"], reddi["C"], reddi["n"], reddi["beta1"], reddi["beta2"]) == ("2", 204, 204, "1/2", "9/10")
    assert exact["theorem"] == "exact" and exact["C"] == exact["n"] == 8  # definition check: test_search_drift
    sim = reddi["simulation"]
    assert sim["adam_x_T"] > 0.9 and sim["amsgrad_x_T"] < 0 and sim["ball"]["float_inside_ball_or_1e-10"]
    assert res["meta"]["versions"]["z3"] and res["table"][0]["reddi_C"] == 204


def test_exact_modes_without_simulation(capfd):
    r = search(capfd, "--exact", "--beta1", "0.9", "--beta2", "0.99", "--json", "--no-sim")
    w = json.loads(r.stdout)["witnesses"][0]
    assert (w["C"], w["neighbour"]["C"], w["certified"], w["status"]) == (30, 29, True, "proved")
    assert w["conditions"]["D<0 for every integer 2<=C'<C (arb)"] is True  # every C' below was certified
    assert float(w["drift"]) > 0 and float(w["neighbour"]["drift"].split(" +/- ")[0]) < 0
    r = search(capfd, "--exact", "--beta1", "0.9", "--beta2", "0.99", "--n", "101", "--json", "--no-sim")
    w = json.loads(r.stdout)["witnesses"][0]
    assert (w["C"], w["n"], w["neighbour"]["C"]) == (124, 101, 125)
    r = search(capfd, "--exact", "--beta1", "0.9", "--beta2", "0.99", "--C", "29", "--json", "--no-sim")
    w = json.loads(r.stdout)["witnesses"][0]
    assert r.returncode == 0 and w["outcome"] == "converges" and w["certified"] is False
    assert w["status"] == "refuted"  # the claim "Adam diverges at C = 29" is decided false (certified D < 0)


@pytest.mark.slow  # a certified 8 x 8 grid with its simulations and a figure (the fast lane skips it)
def test_grid_plot_and_out(tmp_path, capfd):
    png, js = tmp_path / "pd.png", tmp_path / "g.json"
    r = search(capfd, "--exact", "--grid", "8", "--C", "3", "--n", "3", "--T", "200000", "--plot", str(png),
               "--output", str(js), "--json")
    assert r.returncode == 0, r.stderr
    g = json.loads(js.read_text())["grid"]
    assert len(g["labels"]) == 8 and all(len(row) == 8 for row in g["labels"])
    assert g["counts"]["diverges"] > 0 and g["counts"]["converges"] > 0
    # Theorem 1's point (beta1, beta2) = (0, 1/10) lies in cell (0, 0): certified diverging
    assert g["labels"][0][0] == "diverges"
    assert png.stat().st_size > 10000 and png.read_bytes()[:4] == b"\x89PNG"
    s = g["simulation"]
    assert s["agree"] == s["compared"] > 0


def test_theorems_1_and_6(capfd):
    r = search(capfd, "--theorem", "1", "--json")
    w = json.loads(r.stdout)["witnesses"][0]
    _schema(w)
    assert w["certified"] and w["z3"]["family_lemmas_D_positive_for_all_C_gt_2"]["all_C_gt_2_diverge"]
    assert w["simulation"]["adam_x_T"] > 0.9 and w["simulation"]["amsgrad_x_T"] < -0.9
    r = search(capfd, "--theorem", "6", "--eps", "100", "--json")
    w = json.loads(r.stdout)["witnesses"][0]
    assert w["certified"] and w["loss_scale"] == 10 and w["eps_effective"] == "1"


def test_theorem3_monte_carlo_matches_spec_F9(capfd):
    r = search(capfd, "--theorem", "3", "--C", "100", "--paths", "4000", "--seed", "7", "--T", "100000", "--json")
    w = json.loads(r.stdout)["witnesses"][0]
    mc = w["monte_carlo"]
    assert mc["seed"] == 7 and mc["paths"] == 4000
    assert 0.03 < mc["mean_sqrt_t_E_Delta"] < 0.09  # F9 (docs/references.md): +0.059 at (0.9, 0.99), C = 100
    # statistical evidence with its range in the label, never a certificate
    assert mc["ci95"][0] > 0 and not w["certified"] and "4000 paths" in w["evidence"] and r.returncode == 0


@pytest.mark.slow  # the whole default job with its simulations (the fast lane skips it; the whole suite runs it)
def test_default_run_certifies_every_witness_and_reproduces_the_table(capfd):
    r = search(capfd, "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert all(w["certified"] for w in res["witnesses"]) and len(res["witnesses"]) == 7
    for w in res["witnesses"]:
        _schema(w)
        assert w["simulation"]["ball"]["float_inside_ball_or_1e-10"]
    rows = {(t["beta1"], t["beta2"]): (t["reddi_C"], t["exact_C"]) for t in res["table"]}
    # Reddi's column: F7 (docs/references.md); exact column: cross-checked from the definition in test_search_drift
    assert rows[("9/10", "99/100")] == (3218, 30) and rows[("0", "1/2")] == (20, 4)
    assert rows[("1/2", "1/2")][0] == 20 and rows[("1/2", "9/10")][0] == 204
    assert res["drift_argument"]["proved"] and res["grid"]["N"] == 32
    print(f"default run: {res['meta']['seconds']} s")


@pytest.mark.slow  # 5.1 s: the default search; the exact modes stay in the fast lane (fast lane under 3 min; runs in the whole suite)
def test_default_report_is_readable(capfd):
    r = search(capfd, "--no-sim")
    assert r.returncode == 0, r.stderr
    for line in ("(9/10, 99/100)", "3218", "42622", "Phase diagram C=101, n=101"):
        assert line in r.stdout
    row = [ln for ln in r.stdout.splitlines() if ln.strip().startswith("(9/10, 99/100)")][0].split()
    assert row[2:5] == ["3218", "30", "30"]


def test_grid_simulation_falls_back_to_the_reference_path(monkeypatch):
    """Without the fused engine the coarse-grid simulation runs numerics.run batched, same labels."""
    import builtins

    from counterexamples import grid as G

    eng = G.simulated_grid(3, 3, 4, 20000)
    real_import = builtins.__import__

    def no_engine(name, *a, **k):
        if name == "numerics.engine":
            raise ImportError("engine hidden for this test")
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_engine)
    ref = G.simulated_grid(3, 3, 4, 20000)
    assert ref["engine"] == "numpy-reference" and eng["engine"].startswith("numba")
    assert ref["simulated"] == eng["simulated"]


@pytest.mark.parametrize("args,needle", [(["--theorem", "2", "--n", "5"], "--n"),
                                         (["--theorem", "1", "--delta", "0.1"], "--delta"),
                                         (["--theorem", "2", "--eps", "1"], "--eps")])
def test_options_a_theorem_does_not_take_are_rejected(args, needle, capfd):
    r = run_inproc("search", args, capfd)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1 and needle in lines[0]


def test_unknown_lemmas_leave_the_witness_uncertified_and_fail_the_run(capfd, monkeypatch):
    """search --theorem 2 with a timeout too short for Z3: the witness rests on UNKNOWN lemmas, so it
    is not certified and the run exits 1 (UNKNOWN is never success)."""
    from counterexamples.search import thm2

    # each run starts with Z3's step lemmas undecided, as in a fresh process (thm2 keeps the first verdicts
    # of a process, whatever their timeout, and earlier tests of this process have proved them)
    monkeypatch.setattr(thm2, "_LEMMAS", None)
    r = search(capfd, "--theorem", "2", "--timeout", "0.001", "--no-sim", "--json")
    assert r.returncode == 1, r.stderr
    w = json.loads(r.stdout)["witnesses"][0]
    assert w["certified"] is False and "unknown" in set(w["rests_on"].values())
    assert "not certified" in r.stderr
    monkeypatch.setattr(thm2, "_LEMMAS", None)
    ok = search(capfd, "--theorem", "2", "--no-sim", "--json")
    w = json.loads(ok.stdout)["witnesses"][0]
    assert ok.returncode == 0 and w["certified"] is True and set(w["rests_on"].values()) == {"proved"}


def test_confirmation_is_apart_from_the_certificate():
    from counterexamples.search.runs import _certified, confirmation

    assert confirmation(None) is None
    assert confirmation({"agrees": "evidence"}) == "evidence"  # agreement of a finite run: EVIDENCE at best
    assert confirmation({"agrees": "unknown"}) == "unknown"  # never agreement
    assert confirmation({"agrees": "proved"}) == "unknown"  # a simulation cannot confirm more than evidence
    assert confirmation({"agrees": True}) == "unknown"  # the old vocabulary is not understood as agreement
    assert confirmation({"agrees": "refuted"}) == "refuted"
    assert confirmation({"agrees": "evidence", "ball": {"float_inside_ball_or_1e-10": False}}) == "refuted"
    assert _certified({"a": True}) and not _certified({"a": True}, {"L1": {"status": "unknown"}})
    assert not _certified({"a": None})  # an undecided condition is not a certificate


def test_failed_checks_cover_family_claims_and_disagreements():
    from counterexamples.search.cli import failed_checks

    w = {"theorem": "1", "C": 3, "certified": True, "confirmation": "refuted"}
    assert failed_checks({"witnesses": [w]})
    w = {"theorem": "1", "C": 3, "certified": True, "confirmation": "unknown",
         "z3": {"family_lemmas_D_positive_for_all_C_gt_2": {"all_C_gt_2_diverge": False}}}
    assert failed_checks({"witnesses": [w]})
    w["z3"]["family_lemmas_D_positive_for_all_C_gt_2"]["all_C_gt_2_diverge"] = True
    assert failed_checks({"witnesses": [w]}) == []  # inconclusive does not fail a certified witness
    assert failed_checks({"witnesses": [], "drift_argument": {"proved": False}})


def test_sign_walks_are_bounded(monkeypatch):
    """A sign that is never decided ends UNKNOWN (an error, exit 1), never a hang."""
    import pytest

    from counterexamples.drift import threshold as th

    class Undecided:
        sign, label, enclosure = None, "undecided", None

    monkeypatch.setattr(th, "MAX_WALK", 50)
    monkeypatch.setattr(th, "drift_sign", lambda *a, **k: Undecided())
    with pytest.raises(RuntimeError, match="UNKNOWN"):
        th.smallest_diverging_C("0.9", "0.99")


def test_python_api_takes_keywords_and_typed_values(capfd):
    """search() with typed keyword values gives the command's document (F7: C = 204 at (1/2, 9/10))."""
    from fractions import Fraction

    from counterexamples.search import SearchResult, search

    r = search(theorem=2, beta1=Fraction(1, 2), beta2=0.9, simulate=False)
    assert isinstance(r, SearchResult) and r.ok and r.failed_checks == []
    w = r.witnesses[0]
    assert (w["beta1"], w["beta2"], w["C"], w["certified"]) == ("1/2", "9/10", 204, True)
    cli = json.loads(search_cli_json := run_inproc(
        "search", ["--quiet", "--theorem", "2", "--beta1", "1/2", "--beta2", "0.9", "--no-sim", "--json"], capfd).stdout)
    assert cli["witnesses"][0]["C"] == w["C"] and cli["witnesses"][0]["conditions"] == w["conditions"]
    assert search_cli_json


def test_ball_check_steps_the_reference_balls():
    """certify.ball_check's ball run (the engine's fused ball loop) is the reference loop's on the arb backend,
    ball for ball (midpoint and radius), on a periodic witness and on one whose period exceeds T (Explicit)."""
    from fractions import Fraction

    from analysis.families import periodic_problem
    from counterexamples.certify import ball_check
    from numerics.backends import ArbBackend
    from numerics.optimizers import make
    from numerics.problems import Explicit
    from numerics.run import run

    for C, n, T in ((30, 30, 600), (3218, 3218, 500)):
        b1, b2 = Fraction(9, 10), Fraction(99, 100)
        got = ball_check(b1, b2, C, n, 1, T=T)
        prob = periodic_problem(C, n, big=C, small=-1) if n <= T else Explicit(values=[C] + [-1] * (T - 1))
        ref = run(make("adam", alpha=1, beta1=b1, beta2=b2, eps=0), prob, T, x1=1, backend=ArbBackend(128))
        assert got["x_T_ball"] == ref.x_T.str(20) and got["ball_engine"] == "arb-fused"
        assert got["float_inside_ball_or_1e-10"]
