"""The library-driving loop, with the user step-function driver (no library needed)."""
from fractions import Fraction

import numpy as np
import pytest

from counterexamples.conformance.drivers import user as conformance_user
from counterexamples.conformance import run_row
from counterexamples.conformance.drive import drive, tail_length
from counterexamples.conformance.spec import parse
from counterexamples.conformance.suite import build_case
from numerics import make, run
from numerics.backends import get_backend


def test_drive_regret_and_iterates_agree_with_exact_run():
    """drive() on Algorithm 2 (user driver) against numerics.run in exact-ish mpmath arithmetic."""
    case = build_case("thm1")
    spec = parse("counterexamples.conformance.drivers.user:paper_amsgrad_step")
    st = conformance_user.setup(spec, case.hyper, "sqrt")
    T = 1500
    lib = drive(conformance_user.stepper(spec, st, np.array([1.0]), -1.0, 1.0), case.problem, T, keep=10)
    ref = run(make("amsgrad", alpha=Fraction(1, 2), beta1=0, beta2=Fraction(1, 10), variant="paper"),
              case.problem, T, x1=1, backend=get_backend("mpmath", dps=40))
    assert lib.regret == pytest.approx(float(ref.regret), abs=1e-9)
    assert lib.x_next[0] == pytest.approx(float(ref.x_T), abs=1e-12)
    assert lib.x_T[0] == pytest.approx(float(ref.x_played), abs=1e-12)
    assert lib.xs.shape == (10, 1) and lib.xs[0, 0] == 1.0
    assert lib.grad_sum[0] == (3 - 2) * T / 3  # exact: 500 blocks of (3, -1, -1)
    assert lib.tail == tail_length(T) == 1000
    # late half: rounds 751..1500 = 250 blocks, S_late = 250 (C - 2)
    assert lib.late_grad_sum[0] == 250 * (3 - 2)


def test_tail_length():
    assert tail_length(10) == 10 and tail_length(10**6) == 10**4 and tail_length(5000) == 1000


def test_user_row_is_the_paper_variant():
    r = run_row(parse("counterexamples.conformance.drivers.user:paper_amsgrad_step"), build_case("section5-online"),
                2000, 2000, "sqrt")
    assert r["closest_variant"] == "amsgrad/paper" and r["max_deviation"] <= 1e-12
    assert r["expected_variant"] is None and r["matches_expected"] is None
    assert r["deviations"]["amsgrad/pytorch"] > 1e-3  # the bias corrections change this trajectory


def test_thm2_threshold_row_uses_the_search():
    case = build_case("thm2-threshold")
    if case.skipped:
        pytest.skip(case.skipped)
    from counterexamples.drift import smallest_diverging_C

    found = smallest_diverging_C(Fraction(9, 10), Fraction(99, 100))
    assert case.problem.n == found.C_even and case.hyper["beta1"] == Fraction(9, 10)


def test_a_tied_closest_variant_is_named_as_a_tie():
    """One compared round compares x_1 alone, the start every variant shares: all ten tie, and the row says
    so (no closest variant, the tie listed, nothing carried over to x_T).  Two rounds still tie the paper's
    Adam and AMSGrad (x_2 is the same: the max over one v is v); from three rounds on, on Theorem 1's
    problem, the paper's AMSGrad stands alone."""
    spec = parse("counterexamples.conformance.drivers.user:paper_amsgrad_step")
    r = run_row(spec, build_case("thm1"), 1000, 1, "sqrt")
    assert r["closest_variant"] is None and r["expected_variant"] is None
    assert set(r["closest_tie"]) == set(r["deviations"]) and len(r["closest_tie"]) == 10
    assert r["x_T_deviation"] is None and "10 variants tie for closest" in r["note"]
    from counterexamples.conformance.cli import table

    assert "tie of 10" in table([r])
    two = run_row(spec, build_case("thm1"), 1000, 2, "sqrt")
    assert two["closest_variant"] is None and two["closest_tie"] == ["adam/paper", "amsgrad/paper"]
    alone = run_row(spec, build_case("thm1"), 1000, 3, "sqrt")
    assert alone["closest_variant"] == "amsgrad/paper" and alone["closest_tie"] == []
    assert alone["x_T_deviation"] <= 1e-12
