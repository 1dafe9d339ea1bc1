"""The Python API without traps (issue 21, deliverable 4), used as a new user would.

* ``make`` rejects a keyword the method does not take (it used to drop it: ``beta_2`` ran beta2 = 0.99);
* ``numerics.run`` on a family's bare sequence records, and warns about, a departure from the family's
  prescription (or raises with ``prescribed="error"``); ``Family.run`` follows it;
* ``search``, ``simulate``, ``zoo`` and ``audit`` take keyword arguments with typed values and raise
  ``BadInput`` (a ValueError), never SystemExit; each number is checked against the one range table;
* one ``dumps`` writes strict JSON.
Every case here runs in well under a second (no long simulation, no Z3 beyond argument checks).
"""
from __future__ import annotations

import json
import warnings
from fractions import Fraction

import pytest

from analysis.families import build
from numerics import make, run
from numerics.cli import RANGES, BadInput, dumps, value
from numerics.run import PrescriptionError, PrescriptionWarning


# ------------------------------------------------------------------------------------------------
# make
@pytest.mark.parametrize("name,kw,word", [
    ("adam", {"beta_2": "0.5"}, "beta_2"),       # a misspelling: it ran beta2 = 0.99 silently
    ("rmsprop", {"beta1": "0.9"}, "beta1"),      # RMSProp is Adam with beta1 = 0: no beta1 to set
    ("adamnc", {"beta2": "0.5"}, "beta2"),       # AdamNC's beta_2t is a schedule
    ("sgd", {"variant": "pytorch"}, "variant"),
    ("adam", {"lr": 1}, "lr"),
    ("adam", {"beta_2": None}, "beta_2"),        # None is "the default" only for a keyword it takes
])
def test_make_rejects_a_keyword_it_does_not_take(name, kw, word):
    with pytest.raises(TypeError, match=f"unexpected keyword '{word}'"):
        make(name, **kw)


def test_make_suggests_the_keyword_meant_and_keeps_the_value_given():
    with pytest.raises(TypeError, match="did you mean 'beta2'"):
        make("adam", beta_2="0.5")
    assert make("adam", beta2="1/2").hyper["beta2"] == "1/2"
    assert make("adam", beta2=None).hyper["beta2"] == "0.99"  # None: the method's default
    with pytest.raises(ValueError, match="variant"):  # a form the method does not have
        make("adagrad_lib", variant="paper")


# ------------------------------------------------------------------------------------------------
# a family's prescription
def test_run_on_a_bare_family_sequence_warns_and_records_the_departure():
    fam = build("thm1", C=3)
    with pytest.warns(PrescriptionWarning, match="'thm1' family prescribes"):
        res = run(make("adam"), fam.sequence, 50)
    p = res.prescription
    assert p["family"] == "thm1" and p["follows"] is False
    # Theorem 1 (C = 3): beta1 = 0, beta2 = 1/(1+C^2) = 1/10, alpha = 1/2, x1 = 1 (analysis.families)
    assert p["deviations"]["beta2"] == {"prescribed": "1/10", "ran": "99/100"}
    assert p["deviations"]["beta1"] == {"prescribed": "0", "ran": "9/10"}
    assert p["deviations"]["x1"] == {"prescribed": "1", "ran": "0"}
    with pytest.raises(PrescriptionError, match="beta2=99/100"):
        run(make("adam"), fam.sequence, 50, prescribed="error")


def test_following_the_prescription_is_silent_and_says_so():
    fam = build("thm1", C=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        res = run(fam.method("adam"), fam.sequence, 50, x1=fam.x1)
        by_family = fam.run("adam", 50)
        sgd = fam.run("sgd", 50)  # beta1/beta2 do not apply to SGD: not a departure
        # floats equal to the prescribed values' float64 (0.1 for 1/10) follow them too
        run(make("adam", alpha=0.5, beta1=0.0, beta2=0.1), fam.sequence, 50, x1=1)
    assert res.prescription["follows"] and by_family.prescription["follows"]
    assert sgd.prescription["follows"] and set(sgd.prescription["not_applicable"]) == {"beta1", "beta2"}
    # an override through the family is the caller's choice: recorded, not warned about
    over = fam.run("adam", 50, beta2="1/2")
    assert over.prescription["deviations"] == {"beta2": {"prescribed": "1/10", "ran": "1/2"}}


def test_a_problem_of_no_family_prescribes_nothing():
    from numerics import Periodic

    assert run(make("adam"), Periodic(pattern=[3, -1, -1]), 10).prescription is None


# ------------------------------------------------------------------------------------------------
# one range table, typed values
@pytest.mark.parametrize("param,good,expected", [
    ("beta2", 0.99, Fraction(99, 100)), ("beta2", "99/100", Fraction(99, 100)), ("T", 1e6, 10**6),
    ("T", Fraction(10), 10), ("n", 101, 101), ("delta", "1", Fraction(1)),
])
def test_value_reads_typed_values_exactly(param, good, expected):
    assert value(param, good) == expected and type(value(param, good)) is type(expected)


@pytest.mark.parametrize("param,bad", [("beta2", 1), ("beta2", float("nan")), ("T", 0), ("T", 1.5),
                                       ("T", 10**15 + 1), ("n", 10**6 + 1), ("delta", 0), ("delta", "1.01"),
                                       ("C", "1e400"), ("C", float("inf")), ("seed", True), ("T", None)])
def test_value_rejects_out_of_range_with_the_name(param, bad):
    with pytest.raises(BadInput, match=f"^{param} must be"):
        value(param, bad)


def test_the_shared_parameters_have_one_range():
    # the ranges the issue found different between commands (search T in [1000, 1e10], zoo [1000, 1e8],
    # conformance [1, 1e9], simulate [1, 1e15]; n 1e6 vs 1e7; delta (0, 1] vs (0, C)) are one entry each
    assert RANGES["T"][:2] == (1, 10**15) and RANGES["n"][:2] == (2, 10**6) and RANGES["delta"][:2] == (0, 1)


def test_one_dumps_is_strict_json():
    import numpy as np

    text = dumps({"q": Fraction(1, 3), "nan": float("nan"), "inf": -np.inf, "a": np.arange(2), "t": (1, 2)})
    assert json.loads(text) == {"q": "1/3", "nan": "nan", "inf": "-inf", "a": [0, 1], "t": [1, 2]}


# ------------------------------------------------------------------------------------------------
# the entry points: keyword arguments, BadInput, never SystemExit
def _raises_bad_input(fn, **kw):
    try:
        fn(**kw)
    except BadInput as exc:  # a ValueError naming the keyword
        return str(exc)
    except SystemExit:  # pragma: no cover - the trap this test exists for
        pytest.fail(f"{fn.__name__}({kw}) raised SystemExit")
    pytest.fail(f"{fn.__name__}({kw}) accepted bad input")


@pytest.mark.parametrize("kw,word", [
    (dict(theorem=1, C="1e400"), "C"), (dict(theorem=1, C=2), "C"), (dict(theorem=2, beta2=1.5), "beta2"),
    (dict(theorem=7), "theorem"), (dict(exact=True, n=1), "n"), (dict(exact=True, grid=1), "grid"),
    (dict(theorem=2, C=7), "C"), (dict(T=0), "T"), (dict(theorem=1, delta="0.1"), "delta"),
])
def test_search_api_raises_bad_input(kw, word):
    from counterexamples.search import search

    assert _raises_bad_input(search, **kw).startswith(word)


def test_search_api_list_form_raises_bad_input_not_systemexit():
    from counterexamples.search import search

    with pytest.raises(BadInput, match="--theorem"):
        search(["--theorem", "9"])
    with pytest.raises(TypeError):
        search("--theorem 2")


@pytest.mark.parametrize("kw,word", [
    (dict(T=0), "T"), (dict(beta2=1.0), "beta2"), (dict(optimizer="nosuch"), "optimizer"),
    (dict(optimizer="sgd", beta1=0.5), "beta1"), (dict(problem="nope"), "--problem"),
    (dict(problem="thm1", C=2), "--C"), (dict(backend="gpu"), "backend"), (dict(checkpoints=[0, 5]), "checkpoints"),
    # the ETA guard: a 10^15-round brute-force run needs yes=True (AdamW reads x: no certified fast-forward,
    # which answers Adam and AMSGrad at this T in seconds without asking)
    (dict(T=10**15, optimizer="adamw"), "T"),
])
def test_simulate_api_raises_bad_input(kw, word):
    from counterexamples.simulate import simulate

    assert word in _raises_bad_input(simulate, **kw)


def test_simulate_api_returns_the_documented_record():
    from counterexamples.simulate import SimulateResult, simulate

    r = simulate(problem="thm1", C=3, optimizer=["adam"], T=300, beta2=Fraction(1, 2))
    assert isinstance(r, SimulateResult)
    run_ = r.runs[0]
    assert run_["hyper"]["beta2"] == "1/2" and run_["hyper"]["beta1"] == "0"  # given, prescribed
    assert run_["prescription"]["deviations"] == {"beta2": {"prescribed": "1/10", "ran": "1/2"}}
    assert [c["t"] for c in run_["checkpoints"]] == [1, 10, 100, 300]


@pytest.mark.parametrize("kw,word", [(dict(T=0), "T"), (dict(T=10**9), "T"), (dict(C_max=2), "C_max"),
                                     (dict(methods="nosuch"), "method")])
def test_zoo_api_raises_bad_input(kw, word):
    from counterexamples.zoo import zoo

    assert _raises_bad_input(zoo, **kw).startswith(word)


@pytest.mark.parametrize("kw,word", [(dict(ids=["nosuch"]), "ids"), (dict(ids=["kingma-ba"], timeout_s=0), "timeout_s")])
def test_audit_api_raises_bad_input(kw, word):
    from proofs import audit

    assert _raises_bad_input(audit, **kw).startswith(word)


# ------------------------------------------------------------------------------------------------
# long runs: the ETA guard, its engine hook, the heartbeat
def test_confirm_eta_asks_past_an_hour_and_prints_the_eta_first():
    import io

    from numerics.cli import confirm_eta

    with pytest.raises(BadInput, match=r"^--T 5: estimated run time 2\.0 h \(ETA over 1 hour\); add --yes"):
        confirm_eta(7200.0, False, "--T 5")
    buf = io.StringIO()
    confirm_eta(7200.0, True, "--T 5", stream=buf)
    assert buf.getvalue() == "--T 5: ETA 2.0 h (over 1 hour; --yes given)\n"
    buf = io.StringIO()
    confirm_eta(3000.0, False, "--T 5", stream=buf)  # under an hour: said, not asked
    confirm_eta(None, False, "--T 5", stream=buf)     # no estimate (a fast path): nothing
    assert buf.getvalue() == "--T 5: ETA 50.0 min (estimated)\n"


def test_the_engine_may_answer_the_estimate_itself(monkeypatch):
    """The hook for a fast path: numerics.engine.estimate_seconds, when defined, is asked first."""
    import numerics.engine as engine
    from numerics import Periodic
    from numerics.cli import estimate_seconds

    seen = []
    monkeypatch.setattr(engine, "estimate_seconds", lambda m, p, T, x1=0, backend=None: seen.append(T) or 0.5,
                        raising=False)
    assert estimate_seconds(make("adam"), Periodic(pattern=[3, -1]), 10**15, lanes=4) == 2.0 and seen == [10**15]


def test_a_silent_step_gets_a_heartbeat_line():
    """A step that never calls update still shows a line after `delay` s (in-process: a daemon thread)."""
    import io
    import time

    from numerics.cli import Progress

    buf = io.StringIO()
    with Progress("[t] step", 1, stream=buf, delay=0.2, every=0.2):
        time.sleep(1.0)
    lines = buf.getvalue().splitlines()
    assert lines[0].startswith("[t] step: 0/1 (0%)") and "ETA unknown" in lines[0]
    assert lines[-1].startswith("[t] step: done in")
    quiet = io.StringIO()
    with Progress("[t] step", 1, stream=quiet, delay=5.0):
        time.sleep(0.3)  # a short step stays silent
    assert quiet.getvalue() == ""
