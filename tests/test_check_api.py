"""counterexamples.check: real optimizers through the counterexamples, certified where the rule is known.

Expected numbers come from elsewhere than the code under test: Adam's drift from the closed-form steady
state of counterexamples.drift.steady (not the generalised ball replay that check uses), AMSGrad's from
the steady state worked out by hand (below), Theorem 1's average regret (2C - 4)/3 from the paper, the
identifications from the library sources (docs/references.md, implementations)."""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
import pytest

from analysis.verdict import EVIDENCE, PROVED, UNKNOWN
from counterexamples import check
from counterexamples.check import (CONVERGES_, DIVERGES, STUCK_, UNDECIDED, CheckError, Report, Row, combine,
                                   limit_form)
from counterexamples.conformance.verdict import CONVERGES, STUCK
from counterexamples.conformance.verdict import UNDECIDED as SIM_UNDECIDED

# torch is imported by the first test that reads it (tests/_torch.py), not at collection: the tests here that use
# no torch run without it, and the xdist worker that runs none of this file never imports it
from _torch import torch, user_optimizers


def _amsgrad_thm1_drift() -> float:
    """AMSGrad's limit-form drift on Theorem 1 (C = 3, beta1 = 0, beta2 = 1/10), by hand: m_t = g_t, the
    steady v after the C round solves v = 0.1 (0.1 (0.1 v + 0.9) + 0.9) + 0.9 * 9, i.e. v = 8.199/0.999,
    and is the running max; the steps of one period sum to (3 - 1 - 1)/sqrt(v_max), so D = -1/sqrt(v_max)."""
    v_max = Fraction(8199, 1000) / Fraction(999, 1000)
    return -1 / math.sqrt(v_max)


def _adam_drift(C: int, n: int, beta1, beta2) -> float:
    from counterexamples.drift.steady import drift

    return float(drift(Fraction(beta1), Fraction(beta2), C, n, backend="mpmath"))


def _mid(enclosure: str) -> float:
    return float(enclosure.split("+/-")[0])


# ------------------------------------------------------------------------------------------------
@pytest.mark.slow  # T = 10^4 and both smallest-C searches (9 s in a cold run)
def test_torch_adam_breaks_certified_on_every_problem():
    report = check(torch.optim.Adam)
    assert [r.problem for r in report.rows] == ["thm1", "section5-online", "thm2-threshold"]
    for r in report.rows:
        assert r.verdict.status == PROVED and r.label == DIVERGES and r.decided_by == "certified drift", r.line()
        assert r.identified and r.identified.startswith("adam(variant=pytorch") and r.max_deviation <= 1e-12
    thm1, s5, thm2 = report.rows
    # the closed-form steady state (eps = 0 there; torch's eps = 1e-8 moves D by ~1e-8)
    assert "over 2000 rounds" in thm1.verdict.hypotheses[0]  # the identification's range is stated
    assert _mid(thm1.drift) == pytest.approx(_adam_drift(3, 3, 0, Fraction(1, 10)), rel=1e-6)
    assert _mid(s5.drift) == pytest.approx(_adam_drift(101, 101, "0.9", "0.99"), rel=1e-6)  # 10 x (101, -1, ...)
    assert _mid(thm2.drift) == pytest.approx(_adam_drift(30, 30, "0.9", "0.99"), rel=1e-6)
    # Theorem 1: Adam's average regret tends to (2C - 4)/3 = 2/3, x_T to the worst point +1
    assert thm1.x_T > 0.99 and abs(thm1.avg_regret - 2 / 3) < 0.01
    assert report.breaks and not report.escapes and report.certified
    # the smallest diverging C at the paper's pairs: at (0.9, 0.99) D(C) > 0 and every C' < 30 certified D <= 0
    # (PROVED); at (0.9, 0.999) the default ball budget does not reach every C' < 74: the minimality is EVIDENCE
    (a, b) = report.thresholds
    assert (a["C"], b["C"]) == (30, 74)
    assert a["verdict"].status == PROVED
    assert b["verdict"].status == EVIDENCE
    with pytest.raises(AssertionError, match="thm1: diverges"):
        report.assert_escapes()
    report.assert_breaks()


@pytest.mark.slow  # both smallest-C searches of AMSGrad (6 s in a cold run)
def test_torch_amsgrad_escapes_certified():
    report = check(torch.optim.Adam, amsgrad=True, T=2000)
    assert report.escapes and report.certified and not report.breaks
    for r in report.rows:
        assert r.identified.startswith("amsgrad(variant=pytorch") and r.label == CONVERGES_
    assert _mid(report.rows[0].drift) == pytest.approx(_amsgrad_thm1_drift(), rel=1e-8)
    # no C <= 512 diverges (AMSGrad converges for beta1 < sqrt(beta2), Reddi et al. Theorem 4): at (0.9, 0.99)
    # every C' is certified D <= 0 (the interval lanes: PROVED); at (0.9, 0.999) the ball budget reaches 2..54
    assert all(th["C"] is None for th in report.thresholds)
    assert [th["verdict"].status for th in report.thresholds] == [PROVED, EVIDENCE]
    report.assert_escapes()
    with pytest.raises(AssertionError, match="expected to break"):
        report.assert_breaks()


def test_torch_adamw_is_never_certified():
    # decoupled weight decay reads x: identified, but the drift criterion does not apply -> EVIDENCE only
    report = check(torch.optim.AdamW, problems=["thm1", "section5-online"], T=2000)
    for r in report.rows:
        assert r.identified and r.identified.startswith("adamw(")
        assert r.verdict.status != PROVED and r.drift is None and "certified" not in r.decided_by
        assert "reads x" in r.note
    assert report.rows[0].label == STUCK_ and report.rows[0].verdict.status == EVIDENCE
    assert report.breaks and not report.certified and report.thresholds == []
    assert "T <= 2000" in report.rows[0].verdict.claim  # the horizon is part of the EVIDENCE label


def test_amsgrad_with_the_78807_bug_is_caught_as_breaking():
    report = check(user_optimizers().AMSGrad78807, T=2000)
    assert report.breaks and not report.escapes
    for r in report.rows:
        assert r.verdict.status == PROVED and r.label == DIVERGES
        assert r.identified.startswith("adam/pytorch")  # an AMSGrad that forgets its max is Adam
    with pytest.raises(AssertionError) as exc:
        report.assert_escapes()
    msg = str(exc.value)
    for part in ("AMSGrad78807", "thm1", "section5-online", "thm2-threshold", "hyper-parameters: alpha=1/2, beta1=0, "
                 "beta2=1/10, x1=1", "x_T = +", "R_T/T = ", "certified drift D = 0.68"):
        assert part in msg, part


def paper_amsgrad_step(x, g, t, state, hyper):
    """Algorithm 2 written from the paper (no eps, no bias correction), as a user's step function."""
    b1, b2 = hyper["beta1"], hyper["beta2"]
    m, v, v_hat = state if state is not None else (0.0, 0.0, 0.0)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    v_hat = np.maximum(v_hat, v)
    step = np.divide(m, np.sqrt(v_hat), out=np.zeros_like(g), where=v_hat > 0)
    return x - hyper["alpha_t"] * step, (m, v, v_hat)


def sign_step(x, g, t, state, hyper):
    """A rule of none of our definitions: a quarter of a signed step."""
    return x - 0.25 * hyper["alpha_t"] * np.sign(g), state


@pytest.mark.slow  # compiles the paper AMSGrad's kernels (4 s in a cold run)
def test_user_step_function_identified_and_certified():
    report = check(paper_amsgrad_step, T=2000)
    assert report.escapes and report.certified
    assert all(r.identified.startswith("amsgrad/paper") for r in report.rows)
    assert _mid(report.rows[0].drift) == pytest.approx(_amsgrad_thm1_drift(), rel=1e-12)  # eps = 0 here


def test_unidentified_step_function_gets_evidence_never_certified():
    report = check(sign_step, problems=["thm1", "section5-online"], T=2000)
    for r in report.rows:
        assert r.identified is None and r.max_deviation > 1e-12
        assert r.verdict.status in (EVIDENCE, UNKNOWN) and r.drift is None
        assert r.decided_by != "certified drift"
    assert not report.certified and report.thresholds == []


# ------------------------------------------------------------------------------------------------
# a rule written in the numerics style, registered from user code (not in the Adam/AMSGrad grid)
# (its one definition: counterexamples.conformance.drivers.user_rules, which benchmarks/check_speed.py uses too)
from counterexamples.conformance.drivers.user_rules import decaying_max  # noqa: E402


def decaying_max_step(x, g, t, state, hyper):
    """The same rule as a step function (written apart from the rule)."""
    b1, b2 = hyper["beta1"], hyper["beta2"]
    m, v, v_hat = state if state is not None else (0.0, 0.0, 0.0)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    v_hat = np.maximum(0.999 * v_hat, v)
    step = np.divide(m, np.sqrt(v_hat), out=np.zeros_like(g), where=v_hat > 0)
    return x - hyper["alpha_t"] * step, (m, v, v_hat)


@pytest.fixture
def registered():
    from numerics.optimizers import register, unregister

    register("decaying_max", decaying_max)
    yield "decaying_max"
    unregister("decaying_max")


def test_registered_rule_certified_and_identifies_a_step_function(registered):
    report = check(registered, problems=["thm1", "section5-online"], T=2000)
    assert all(r.identified == "registered:decaying_max" and r.max_deviation == 0 for r in report.rows)
    assert all(r.verdict.status == PROVED for r in report.rows)
    # thm1 by hand: the max settles at the C round's v (the v of the -1 rounds is smaller than 0.999^k v_max),
    # so one period moves x by -(3/s - 1/(s sqrt(0.999)) - 1/(s * 0.999)) with s = sqrt(v_max), v_max = 8.199/0.999
    # unchanged from AMSGrad's (the decay never catches up within a period of 3)
    s = math.sqrt(8.199 / 0.999)
    assert _mid(report.rows[0].drift) == pytest.approx(-(3 - 1 / math.sqrt(0.999) - 1 / 0.999) / s, rel=1e-9)
    # thresholds=False: the smallest-C search of this rule was just run by the check above (a registered rule's
    # answer is never cached, so a second check would run the same search again); nothing below reads it
    stepped = check(decaying_max_step, problems=["thm1", "section5-online"], T=2000, thresholds=False)
    assert all(r.identified == "registered:decaying_max" and r.max_deviation <= 1e-12 for r in stepped.rows)
    assert [r.drift for r in stepped.rows] == [r.drift for r in report.rows]


def test_register_rejects_builtin_and_duplicate_names(registered):
    from numerics.optimizers import adam, register

    with pytest.raises(ValueError, match="built-in"):
        register("adam", adam)
    with pytest.raises(ValueError, match="already registered"):
        register(registered, decaying_max)


# ------------------------------------------------------------------------------------------------
# optax (skips with the reason when absent)
def _optax():
    return pytest.importorskip("optax", reason="optax is not installed: pip install 'adam-beyond[optax]'")


def test_optax_adam_breaks_and_amsgrad_escapes_certified():
    optax = _optax()
    adam = check(optax.adam, T=1000)
    assert adam.breaks and adam.certified and adam.optimizer == "optax.adam"
    assert all(r.identified.startswith("adam(variant=optax") for r in adam.rows)
    ams = check(optax.amsgrad, T=1000)
    assert ams.escapes and ams.certified
    # optax takes the max over the bias-corrected nu (implementations §1.3): our 'before_max'
    assert all("bias_correction_v=before_max" in r.identified for r in ams.rows)


def test_fixed_optax_transformation_is_simulated_only():
    # its own learning rate and betas, not the problem's: no identification, so never certified
    optax = _optax()
    report = check(optax.adam(0.1), problems=["thm1"], T=1000)
    (row,) = report.rows
    assert row.identified is None and row.verdict.status != PROVED and row.drift is None
    assert "its own learning rate" in report.note


@pytest.mark.slow  # compiles AdaBelief's kernels (3 s in a cold run)
def test_optax_adabelief_breaks_on_section5():
    optax = _optax()
    report = check(optax.adabelief, problems=["section5-online"], T=2000)
    (row,) = report.rows
    assert row.identified.startswith("adabelief(variant=optax") and row.label == DIVERGES
    assert row.verdict.status == PROVED


@pytest.mark.slow  # compiles Yogi's hull kernels, its smallest-C search (8 s in a cold run)
def test_optax_yogi_is_not_certified_where_its_drift_is_unknown():
    # Yogi's v moves additively: no invariant box is found, so its rows rest on the simulation alone
    optax = _optax()
    report = check(optax.yogi, problems=["thm1", "section5-online"], T=2000)
    assert all(r.identified.startswith("yogi(variant=optax") for r in report.rows)
    for r in report.rows:
        if r.verdict.status == PROVED:  # only where a certified drift exists, and then it is reported
            assert r.drift is not None
        else:
            assert r.drift is None and r.decided_by != "certified drift"


# ------------------------------------------------------------------------------------------------
# the combinator, fed UNKNOWN and EVIDENCE inputs
_KW = dict(drift="0.1 +/- 1e-17", sim_reason="r", T=1000, identified="adam(...)", problem="thm1")


def test_combine_never_succeeds_on_the_undecided_path():
    v, label = combine(None, SIM_UNDECIDED, **_KW)
    assert v.status == UNKNOWN and label == UNDECIDED
    v, label = combine(None, STUCK, **_KW)  # the simulation alone is EVIDENCE, never PROVED
    assert v.status == EVIDENCE and label == STUCK_
    v, label = combine(None, CONVERGES, **_KW)
    assert v.status == EVIDENCE and label == CONVERGES_
    v, label = combine(1, CONVERGES, **_KW)  # certificate and simulation disagree: undecided
    assert v.status == UNKNOWN and label == UNDECIDED
    v, label = combine(-1, STUCK, **_KW)
    assert v.status == UNKNOWN and label == UNDECIDED
    v, label = combine(1, SIM_UNDECIDED, **_KW)
    assert v.status == PROVED and label == DIVERGES
    v, label = combine(-1, CONVERGES, **_KW)
    assert v.status == PROVED and label == CONVERGES_


def _row(label, status):
    from analysis.verdict import Verdict

    return Row(problem="thm1", call="c", hyper={"alpha": Fraction(1, 2)}, verdict=Verdict(status), label=label,
               decided_by="x", identified=None, closest="sgd", max_deviation=1.0, compare_rounds=10, T=1000,
               x_T=0.5, avg_regret=0.1, worst_avg_regret=0.6, drift=None, simulation="s", simulation_reason="r")


def test_report_escapes_only_when_every_row_converges():
    undecided = Report("opt", [_row(CONVERGES_, EVIDENCE), _row(UNDECIDED, UNKNOWN)])
    assert not undecided.escapes and not undecided.breaks and not undecided.certified
    with pytest.raises(AssertionError, match="undecided"):
        undecided.assert_escapes()
    with pytest.raises(AssertionError):
        undecided.assert_breaks()
    evidence = Report("opt", [_row(STUCK_, EVIDENCE)])
    assert evidence.breaks and not evidence.certified
    assert not Report("opt", []).escapes  # no row is no success


def test_limit_form_refuses_x_dependent_rules():
    from numerics import make

    lim, why = limit_form(make("adamw", alpha=1, beta1="0.9", beta2="0.99"))
    assert lim is None and "reads x" in why


# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, word", [
    (dict(T=5), "T must be an integer in"), (dict(T=2.5), "T must be"), (dict(problems=["nope"]), "unknown problem"),
    (dict(problems=[]), "at least one"), (dict(expect="maybe"), "expect must be"),
    (dict(compare=0), "compare must be"), (dict(nonsense=1), "no keyword argument 'nonsense'")])
def test_bad_input_raises_one_named_error(kwargs, word):
    with pytest.raises(CheckError, match=word):
        check(torch.optim.Adam, **kwargs)


def test_what_cannot_be_checked_is_named():
    with pytest.raises(CheckError, match="cannot check 'int'"):
        check(42)
    with pytest.raises(CheckError, match="not a registered rule"):
        check("no_such_rule")
    with pytest.raises(CheckError, match="not a torch.optim.Optimizer"):
        check(dict)


def test_deterministic():
    a = check(torch.optim.Adam, problems=["thm1", "section5-online"], T=1000, thresholds=False).as_dict()
    b = check(torch.optim.Adam, problems=["thm1", "section5-online"], T=1000, thresholds=False).as_dict()
    for d in (a, b):
        d.pop("seconds")
        for r in d["rows"]:
            r.pop("seconds")
    assert a == b


def test_expect_raises_with_the_rows():
    with pytest.raises(AssertionError, match="thm1: diverges"):
        check(torch.optim.Adam, problems=["thm1"], T=1000, expect="escapes", thresholds=False)


def test_other_spellings_of_the_hyper_parameters_get_the_problems_numbers():
    report = check(user_optimizers().SignedBetas, problems=["thm1"], T=1000, thresholds=False)
    (row,) = report.rows
    assert "learning_rate=0.5, beta1=0.0, beta2=0.1" in row.call
    assert row.identified and row.identified.startswith("sgd")  # it is SGD at the paper's alpha/sqrt(t)


def _fresh(code: str) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_import_counterexamples_does_not_import_check_or_numpy():
    # check is loaded on first use: `import counterexamples` (and the CLIs under it) do not pay its imports
    out = _fresh("import sys, counterexamples; "
                 "print('counterexamples.check' in sys.modules, 'numpy' in sys.modules, 'torch' in sys.modules)")
    assert out == "False False False"


@pytest.mark.parametrize("first", ["from counterexamples import check as f",
                                   "import importlib; importlib.import_module('counterexamples.check')",
                                   "import counterexamples.check"])
def test_the_package_attribute_check_is_the_function_whichever_import_comes_first(first):
    out = _fresh(first + "\nimport sys, types, counterexamples\nfrom counterexamples import check\n"
                 "m = sys.modules['counterexamples.check']\n"
                 "print(isinstance(m, types.ModuleType), check is m.check, counterexamples.check is m.check)")
    assert out == "True True True"


def _ck():
    import sys

    return sys.modules["counterexamples.check"]


def test_threshold_cache_never_shares_an_answer_between_different_rules(monkeypatch):
    # a stand-in search that names what it was given: a cache keyed too coarsely (by the pair alone, by the
    # rule's name alone, ignoring eps or the switches) hands one rule's answer to another and fails here
    from analysis.verdict import Verdict
    from counterexamples.drift import general
    from numerics.optimizers import FACTORIES

    ck = _ck()
    calls = []

    class Fake(NamedTuple):
        C: Any
        verdict: Any

    def fake(make_limit, beta1, beta2, C_max, certify_rounds=None, replay_first=None):
        lim = make_limit()
        calls.append((lim.rule.key, lim.numbers["eps"], beta1, beta2))
        return Fake(len(calls), Verdict(PROVED, claim=f"{lim.rule.key} eps={lim.numbers['eps']} {beta1} {beta2}"))

    monkeypatch.setattr(general, "smallest_diverging_C", fake)
    monkeypatch.setattr(ck, "_THRESHOLDS", {})
    adam = FACTORIES["adam"](alpha=1, beta1="0.9", beta2="0.99", eps="1e-8", variant="pytorch")
    adam_eps = FACTORIES["adam"](alpha=1, beta1="0.9", beta2="0.99", eps="1e-7", variant="pytorch")
    ams = FACTORIES["amsgrad"](alpha=1, beta1="0.9", beta2="0.99", eps="1e-8", variant="pytorch")
    paper = FACTORIES["adam"](alpha=1, beta1="0.9", beta2="0.99", eps="1e-8", variant="paper")  # eps inside
    first = ck._threshold(adam, "0.9", "0.99")
    assert not first.get("cached") and len(calls) == 1
    again = ck._threshold(adam, "0.9", "0.99")
    assert again["cached"] and len(calls) == 1 and again["C"] == first["C"]
    assert again["verdict"].claim == first["verdict"].claim
    answers = {first["verdict"].claim}
    for meth, pair in ((adam, ("0.9", "0.999")), (adam_eps, ("0.9", "0.99")), (ams, ("0.9", "0.99")),
                       (paper, ("0.9", "0.99"))):
        th = ck._threshold(meth, *pair)
        assert not th.get("cached"), (meth.name, meth.hyper, pair)
        answers.add(th["verdict"].claim)
    assert len(calls) == 5 and len(answers) == 5
    again["verdict"].claim = "mutated by a caller"  # a caller's copy: the cache keeps its own
    assert ck._threshold(adam, "0.9", "0.99")["verdict"].claim == first["verdict"].claim


def test_threshold_cache_skips_registered_rules():
    from numerics.optimizers import FACTORIES

    ck = _ck()
    lim, _ = limit_form(FACTORIES["adam"](alpha=1, beta1="0.9", beta2="0.99"), Fraction("0.5"), Fraction("0.9"))
    assert ck._threshold_key(lim, "0.5", "0.9") is not None
    assert ck._threshold_key(lim._replace(name="mine"), "0.5", "0.9") is None  # not a limit form of ours


def test_cached_threshold_equals_a_fresh_search(monkeypatch):
    # the real search (0.5 s at this pair): the answer served from the cache is the one computed without it
    from numerics.optimizers import FACTORIES

    ck = _ck()
    monkeypatch.setattr(ck, "_THRESHOLDS", {})
    adam = FACTORIES["adam"](alpha=1, beta1="0.9", beta2="0.99", eps="1e-8", variant="pytorch")
    fresh = ck._threshold(adam, "0.5", "0.9", cache=False)
    # C = 8 from the closed-form steady state of counterexamples.drift.steady (eps = 0; 1e-8 moves neither sign)
    assert _adam_drift(8, 8, "0.5", "0.9") > 0 > _adam_drift(7, 7, "0.5", "0.9")
    assert fresh["C"] == 8 and fresh["verdict"].status == PROVED and not ck._THRESHOLDS
    ck._threshold(adam, "0.5", "0.9")
    hit = ck._threshold(adam, "0.5", "0.9")
    assert hit["cached"]
    assert {k: v for k, v in hit.items() if k != "cached"} == fresh


def test_torch_adam_and_optax_adam_share_one_limit_form_key_amsgrad_does_not():
    # the README's claim: a check of optax adam after torch Adam is served torch Adam's smallest-C answer,
    # because their limit forms are the same rule with the same exact numbers (bias corrections removed)
    optax = _optax()
    ck = _ck()
    hyper = {"alpha": 1, "beta1": Fraction(9, 10), "beta2": Fraction(99, 100)}
    keys = []
    for call in (ck._torch_call(torch.optim.Adam, {}, hyper), ck._optax_factory_call(optax.adam, {}, hyper),
                 ck._torch_call(torch.optim.Adam, {"amsgrad": True}, hyper)):
        _, meth = call.counterpart()
        lim, _ = limit_form(meth, Fraction("0.9"), Fraction("0.999"))
        keys.append(ck._threshold_key(lim, "0.9", "0.999"))
    assert None not in keys
    assert keys[0] == keys[1] and keys[2] != keys[0]


# ------------------------------------------------------------------------------------------------
# the problems of a torch check as param groups of one optimizer: one step() per round, the same bits
def _torch_class(name: str):
    """torch.optim's class ``name``, or the user's class of that name (tests/_torch_optimizers.py)."""
    return getattr(torch.optim, name, None) or getattr(user_optimizers(), name)


# the classes by name: the parameters are collected without torch (see the import of _torch above)
@pytest.mark.parametrize("cls, options", [("Adam", {}), ("Adam", {"amsgrad": True}), ("AdamW", {}),
                                          ("AMSGrad78807", {}), ("Adam", {"amsgrad": True, "foreach": True}),
                                          ("RecordingAdam", {"foreach": True})])
def test_grouped_torch_run_is_bit_identical_to_each_problem_alone(cls, options):
    from counterexamples.conformance.drive import gradient_chunks
    from counterexamples.conformance.suite import build_case

    ck = _ck()
    cls = _torch_class(cls)
    recording = user_optimizers().RecordingAdam
    T = 700  # more than one chunk of gradients
    runs, alone = [], []
    for name in ck.DEFAULT_PROBLEMS:
        case = build_case(name)
        call = ck._torch_call(cls, options, case.hyper)
        x1 = np.full(case.problem.d, float(Fraction(case.hyper.get("x1", 0))))
        lo, hi = float(case.problem.lo), float(case.problem.hi)
        runs.append((call.group[1], x1, lo, hi, case.problem))
        st = call.make_stepper(x1, lo, hi)
        alone.append((np.concatenate([st.run_chunk(G) for G in gradient_chunks(case.problem, T)]), st.current()))
    assert len({repr(sorted(r[0].items())) for r in runs}) == len(runs)  # every group has its own numbers
    recording.seen.clear()
    grouped = ck._torch_grouped(cls, runs, T)
    assert grouped is not None
    for (X, x_next), rep in zip(alone, grouped):
        assert X.shape == rep.X.shape and X.view(np.uint64).tolist() == rep.X.view(np.uint64).tolist()
        assert x_next.view(np.uint64).tolist() == rep.current().view(np.uint64).tolist()
    if cls is recording:  # the user's foreach reaches every group
        assert recording.seen and all(s == (True,) * len(runs) for s in recording.seen[-T:])


def test_check_with_grouped_torch_gives_the_rows_of_separate_runs(monkeypatch):
    ck = _ck()
    out = {}
    for on in (False, True):
        monkeypatch.setattr(ck, "GROUP_TORCH", on)
        r = check(torch.optim.Adam, amsgrad=True, T=1000, thresholds=False)
        out[on] = [(x.problem, x.label, x.verdict.status, x.x_T, x.avg_regret, x.max_deviation) for x in r.rows]
    assert out[True] == out[False]


def test_only_torch_optims_own_classes_run_grouped(monkeypatch):
    """A user's class may read self.defaults instead of its group: it runs problem by problem."""
    ck = _ck()
    calls = []
    real = ck._torch_grouped
    monkeypatch.setattr(ck, "_torch_grouped", lambda cls, runs, T: calls.append(cls) or real(cls, runs, T))
    check(user_optimizers().AMSGrad78807, problems=["thm1", "section5-online"], T=1000, thresholds=False)
    assert calls == []
    check(torch.optim.Adam, problems=["thm1", "section5-online"], T=1000, thresholds=False)
    assert calls == [torch.optim.Adam]


def _trajectory(meth, problem, N: int, x1) -> np.ndarray:
    """The first N iterates of ``meth`` from ``x1``, as rows (the exhaustive search's whole trajectory)."""
    from numerics.run import run

    xs = []
    d = problem.d
    start = float(x1) if d == 1 else np.full(d, float(x1))
    run(meth, problem, N, x1=start, checkpoints=[], prescribed="record",
        on_step=lambda t, x, g, inv, st: xs.append(np.asarray(x, dtype=np.float64).reshape(-1)))
    return np.asarray(xs, dtype=np.float64).reshape(N, d)


def _deviation(ours: np.ndarray, lib: np.ndarray) -> float:
    """max over rounds and coordinates of |ours - lib|, NaN counted as inf (numpy, whole arrays at once)."""
    with np.errstate(invalid="ignore"):
        dev = np.abs(ours - lib).max(axis=1)
    dev = np.where(np.isnan(dev), np.inf, dev)
    return float(dev.max()) if len(dev) else 0.0


def _identify_exhaustively(ck, call, problem, lib_xs, x1) -> dict:
    """The identification as first written: every candidate's full trajectory (_trajectory), its max
    deviation (_deviation), the first smallest wins -- the reference of the bounded search."""
    N = len(lib_xs)
    if call.own_rule is not None:
        dev = _deviation(_trajectory(call.own_rule, problem, N, x1), lib_xs)
        return {"label": f"registered:{call.own_rule.name}", "method": call.own_rule, "max_deviation": dev,
                "identified": dev <= 1e-12}
    tried = []
    cp = call.counterpart() if call.counterpart is not None else None
    if cp is not None:
        dev = _deviation(_trajectory(cp[1], problem, N, x1), lib_xs)
        if dev <= 1e-12:
            return {"label": ck._rule_label(cp[1]), "method": cp[1], "max_deviation": dev, "identified": True}
        tried.append((dev, *cp))
    tried += [(_deviation(_trajectory(m, problem, N, x1), lib_xs), label, m) for label, m in ck._candidates(call)]
    dev, label, meth = min(tried, key=lambda r: r[0])
    return {"label": label if label.startswith("registered:") else ck._rule_label(meth, label), "method": meth,
            "max_deviation": dev, "identified": dev <= 1e-12}


def _shifted_adam_step(x, g, t, state, hyper):
    """Adam (the paper's form) whose step is 1e-9 too long: near every candidate, equal to none; several
    candidates stay close for many rounds, so the bounded search's second pass has work to do."""
    b1, b2 = hyper["beta1"], hyper["beta2"]
    m, v = state if state is not None else (0.0, 0.0)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    step = np.divide(m, np.sqrt(v), out=np.zeros_like(g), where=v > 0)
    return x - (1 + 1e-9) * hyper["alpha_t"] * step, (m, v)


def test_bounded_identification_gives_the_answer_of_the_exhaustive_search(registered):
    """identify() stops a candidate once it cannot be the answer; its answer (label, rule, max deviation to the
    last bit, identified or not) must be the exhaustive search's, on every path: the counterpart (torch's Adam),
    the grid matching (the #78807 class: Adam; the paper's AMSGrad step), a registered rule, and no match
    (the sign step: far from all; the shifted Adam: close to several, the second pass).  Each optimizer's
    first N rounds are driven as check() drives them (the same call, stepper and drive)."""
    from counterexamples.conformance.drive import drive
    from counterexamples.conformance.suite import build_case

    ck = _ck()
    N = 200
    outcomes = set()
    for name in ("thm1", "section5-online"):
        case = build_case(name)
        prob, x1 = case.problem, case.hyper.get("x1", 0)
        for opt in (torch.optim.Adam, user_optimizers().AMSGrad78807, paper_amsgrad_step, registered, sign_step, _shifted_adam_step):
            kind, target, opts = ck._kind(opt)
            call = ck._CALLS[kind](target, opts, case.hyper)
            stepper = call.make_stepper(np.full(prob.d, float(Fraction(x1))), float(prob.lo), float(prob.hi))
            xs = drive(stepper, prob, N, keep=N).xs
            got, want = ck.identify(call, prob, xs, x1), _identify_exhaustively(ck, call, prob, xs, x1)
            assert got["label"] == want["label"] and got["identified"] == want["identified"], (name, got, want)
            assert got["method"].name == want["method"].name and got["method"].hyper == want["method"].hyper
            assert np.float64(got["max_deviation"]).view(np.uint64) == np.float64(want["max_deviation"]).view(np.uint64)
            outcomes.add((opt in (sign_step, _shifted_adam_step), got["identified"]))
    assert outcomes == {(False, True), (True, False)}
