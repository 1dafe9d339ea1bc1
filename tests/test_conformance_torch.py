"""torch.optim on the counterexample suite, for real (skipped with a reason when torch is absent).

Expected values come from the spec (docs/references.md, implementations §1.2 and §2, paper Theorem 1 / A9) and from an
independent re-implementation of PyTorch's update rule in 40-digit mpmath written here from the spec's
formula, never from the code under test.
"""
import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from counterexamples.conformance import run_row
from counterexamples.conformance.drivers import torch as conformance_torch  # imports torch on first use
from counterexamples.conformance.spec import parse
from counterexamples.conformance.suite import build_case

# torch is imported by the first test that drives it (tests/_torch.py), not when pytest collects this file
from _torch import needs_torch

pytestmark = needs_torch



def torch_rule_reference(gs, alpha, beta1, beta2, eps, x1, amsgrad, schedule, lo=-1, hi=1, dps=40):
    """paper §1.2 (docs/paper.md): v_max = max(v_max, v) on raw v; denom = sqrt(v_max)/sqrt(1-b2^t) + eps;
    x <- clip(x - lr_t/(1-b1^t) * m/denom); lr_t = alpha/sqrt(t) or alpha.  Points x_1..x_{T+1}."""
    with mpmath.workdps(dps):
        mpf = mpmath.mpf
        b1, b2, a, e = (mpf(Fraction(v).numerator) / Fraction(v).denominator for v in (beta1, beta2, alpha, eps))
        x, m, v, vmax = mpf(x1), mpf(0), mpf(0), mpf(0)
        xs = [x]
        for t, g in enumerate(gs, start=1):
            g = mpf(g)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            vmax = max(vmax, v) if amsgrad else v
            lr = a / mpmath.sqrt(t) if schedule == "sqrt" else a
            denom = mpmath.sqrt(vmax) / mpmath.sqrt(1 - b2 ** t) + e
            x = min(mpf(hi), max(mpf(lo), x - lr / (1 - b1 ** t) * m / denom))
            xs.append(x)
        return [float(u) for u in xs]


def row(spec, problem, T=3000, N=3000, schedule="sqrt", **overrides):
    case = build_case(problem, overrides=overrides)
    return run_row(parse(spec), case, T, N, schedule)


def test_amsgrad_is_our_pytorch_variant_to_1e_12_and_converges_on_theorem1():
    r = row("torch:Adam?amsgrad=true", "thm1")
    assert r["expected_variant"] == "amsgrad/pytorch"
    assert r["expected_deviation"] <= 1e-12 and r["matches_expected"] is True
    assert r["closest_variant"] in r["ties"] and "amsgrad/pytorch" in r["ties"]
    # discriminating: the paper's Algorithm 2 (no bias correction) is far from it on this problem
    assert r["deviations"]["amsgrad/paper"] > 1e-3
    assert (r["verdict"], r["label"]) == ("evidence", "converges") and r["x_T"] < -0.9
    assert r["x_T_deviation"] <= 1e-12  # the identification carries over the whole horizon
    assert r["library_kwargs"]["amsgrad"] is True and r["hyper"]["beta2"] == str(Fraction(0.1))


def test_adam_is_stuck_at_the_worst_point_with_theorem1_regret():
    r = row("torch:Adam", "thm1")
    assert r["expected_variant"] == "adam/pytorch" and r["matches_expected"] is True
    assert (r["verdict"], r["label"]) == ("evidence", "stuck at the worst point")
    # paper A9: R_T >= (2C - 4) T / 3 for T a multiple of 3 (C = 3); holds for PyTorch's Adam as well
    assert r["avg_regret"] >= 2 / 3 - 1e-12
    assert r["x_T"] == 1.0  # T = 3000 updates: x_{3001} is a block start, pinned at 1 (paper H)


def test_spike_gamma_sign_pytorch_constant_vs_sqrt():
    # paper §2 (docs/paper.md): with a constant lr PyTorch's effective denominator shrinks after the spike -> Gamma < 0;
    # with alpha/sqrt(t) the factor sqrt(t/(1-beta2^t)) is non-decreasing -> Gamma >= 0 (AMSGrad)
    c = row("torch:Adam?amsgrad=true", "spike", T=400, N=400, schedule="constant")
    s = row("torch:Adam?amsgrad=true", "spike", T=400, N=400, schedule="sqrt")
    assert c["matches_expected"] and s["matches_expected"]
    assert c["gamma"]["variant"] == "amsgrad/pytorch" and c["gamma"]["nonnegative"] is False
    assert c["gamma"]["t"] == 2
    assert s["gamma"]["nonnegative"] is True
    # the spike tells PyTorch's AMSGrad from optax's (max of the corrected v: denominator stays 1)
    assert s["deviations"]["amsgrad/optax"] > 1e-3


@pytest.mark.parametrize("amsgrad, schedule, beta1, beta2, alpha, eps, C, n, x1", [
    (True, "sqrt", "0.7", "0.95", "0.3", "1e-8", 7, 5, "0.2"),
    (True, "constant", "0.5", "0.8", "0.05", "0", 4, 3, "-0.5"),
    (False, "sqrt", "0.85", "0.9", "0.7", "1e-3", 11, 6, "1"),
])
def test_torch_matches_an_independent_pytorch_rule(amsgrad, schedule, beta1, beta2, alpha, eps, C, n, x1):
    """Problems and parameters outside the suite: torch == the spec's formula in 40 digits to 1e-12."""
    T = 300
    spec = parse(f"torch:Adam?amsgrad={str(amsgrad).lower()}&eps={eps}")
    hyper = dict(alpha=Fraction(alpha), beta1=Fraction(beta1), beta2=Fraction(beta2))
    st = conformance_torch.setup(spec, hyper, schedule)
    stepper = conformance_torch.stepper(spec, st, np.array([float(Fraction(x1))]), -1.0, 1.0)
    G = np.array([[float(C if (t - 1) % n == 0 else -1)] for t in range(1, T + 1)])
    X = stepper.run_chunk(G)[:, 0]
    ref = torch_rule_reference(G[:, 0], float(hyper["alpha"]), float(hyper["beta1"]), float(hyper["beta2"]),
                               float(eps), float(Fraction(x1)), amsgrad, schedule)
    assert np.max(np.abs(X - np.array(ref[:T]))) <= 1e-12
    assert abs(stepper.current()[0] - ref[T]) <= 1e-12


def test_rmsprop_sgd_and_unmodelled_options():
    r = row("torch:RMSprop", "section5-online", T=1500, N=1500)
    assert r["library_kwargs"]["alpha"] == 0.99 and r["hyper"]["beta1"] == "0"
    assert r["matches_expected"] is True
    s = row("torch:SGD", "thm1", T=600, N=600)
    assert s["closest_variant"] == "sgd(schedule=sqrt)" and s["max_deviation"] <= 1e-12
    w = row("torch:AdamW", "thm1", T=600, N=600)  # default weight_decay = 0.01 is not modelled
    assert w["expected_variant"] is None and "weight_decay=0.01" in w["unmodelled"]
    assert w["max_deviation"] > 1e-6  # decoupled weight decay moves it off every variant


def test_expected_variant_check_can_fail(monkeypatch):
    """Mutation: claim torch's AMSGrad is optax's; the check must report a mismatch."""
    real = conformance_torch.setup

    def lying_setup(spec, hyper, schedule):
        st = real(spec, hyper, schedule)
        st.expected = dict(method="amsgrad", bias_correction_m=True, bias_correction_v="before_max")
        return st

    monkeypatch.setattr(conformance_torch, "setup", lying_setup)
    r = row("torch:Adam?amsgrad=true", "spike", T=300, N=300)
    assert r["expected_variant"] == "amsgrad/optax" and r["matches_expected"] is False


def _cli(capsys, *argv):
    """(exit code, stdout, stderr) of the conformance CLI's main, in this process: each ``python -m``
    would start an interpreter importing torch and the toolkit (the entry point is tested in
    test_conformance_spec)."""
    from counterexamples.conformance.cli import main

    capsys.readouterr()
    try:
        rc = main(list(argv))
    except SystemExit as exc:  # argparse's own usage errors leave by SystemExit in-process
        rc = exc.code
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_cli_json_one_row(capsys):
    rc, stdout, stderr = _cli(capsys, "--optimizer", "torch:Adam?amsgrad=true", "--problem", "section5-online",
                              "--T", "2020", "--compare-steps", "1000", "--json", "--quiet")
    assert rc == 0, stderr
    doc = json.loads(stdout)
    assert doc["meta"]["precision"] == "float64" and doc["meta"]["versions"]["torch"].startswith("2.")
    (r,) = doc["results"]
    for key in ("optimizer", "problem", "closest_variant", "max_deviation", "x_T", "avg_regret", "verdict"):
        assert key in r
    assert r["optimizer"] == "torch:Adam?amsgrad=true" and r["problem"] == "section5-online"
    assert r["matches_expected"] is True and r["T"] == 2020 and r["compare_steps"] == 1000


@pytest.mark.parametrize("spec, fragment", [
    ("torch:Adam?betas=0.9", "betas must be two numbers"),
    ("torch:Adam?lr=-1", "rejected by the library: Invalid learning rate"),
    ("torch:Adam?foo=1", "torch.optim.Adam has no keyword argument 'foo'"),
])
def test_cli_bad_torch_arguments_exit_2(spec, fragment, capsys):
    rc, _, err = _cli(capsys, "--optimizer", spec, "--problem", "spike", "--T", "5", "--quiet")
    assert rc == 2 and fragment in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
