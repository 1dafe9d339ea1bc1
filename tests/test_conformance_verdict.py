"""The convergence verdict and the variant bookkeeping (no library needed)."""
from fractions import Fraction

import numpy as np
import pytest

from counterexamples.conformance.drivers.user import paper_amsgrad_step
from counterexamples.conformance.variants import candidates, label, trajectory
from counterexamples.conformance.verdict import CONVERGES, STUCK, UNDECIDED, verdict
from analysis.families import build


def test_theorem1_worst_point_regret():
    # Thm 1, C = 3: a late half of k blocks (3, -1, -1) has S_late = k (C - 2); playing x = 1 at the
    # block start and near 1 after it costs about (2C - 4) per block more than x* = -1 (paper A9)
    C, k = 3, 500
    S_late = np.array([k * (C - 2.0)])
    S = 2 * S_late
    x_star_loss = -S_late[0]
    stuck_loss = x_star_loss + k * (2 * C - 4)  # exactly the worst point's regret per block
    v = verdict([1.0], stuck_loss, S_late, S, -1.0, 1.0)
    assert (v.status, v.label) == ("evidence", STUCK) and v.witness["rho_late"] == pytest.approx(1.0, abs=1e-12)
    assert not v.proved  # a finite run is EVIDENCE, never PROVED
    v = verdict([-0.995], x_star_loss + 0.01 * k, S_late, S, -1.0, 1.0)
    assert (v.status, v.label) == ("evidence", CONVERGES)
    assert v.witness["rho_late"] == pytest.approx(0.01 / (2 * C - 4), abs=1e-12)
    v = verdict([0.0], x_star_loss + 0.45 * k * (2 * C - 4), S_late, S, -1.0, 1.0)
    assert (v.status, v.label) == ("unknown", UNDECIDED) and v.witness["rho_late"] == pytest.approx(0.45, abs=1e-12)
    assert "0.45" in v.reason and v.brief() == {"status": "unknown", "label": UNDECIDED, "claim": v.claim,
                                                "reason": v.reason}


def _undecided(v):
    return v.status == "unknown" and v.label == UNDECIDED  # status unknown


def test_verdict_edge_cases():
    one = np.array([1.0])
    assert _undecided(verdict([0.5], 0.0, one, np.array([0.0]), -1.0, 1.0))  # sum g = 0
    assert _undecided(verdict([float("nan")], 0.1, one, one, -1.0, 1.0))
    assert verdict([0.5], 0.0, -one, one, -1.0, 1.0).label == UNDECIDED  # status unknown  # late half favours the other vertex
    # no late regret but the late iterates are far from x*: not "converges"
    assert verdict([0.5], -5.0, np.array([5.0]), np.array([5.0]), -1.0, 1.0).label == UNDECIDED  # status unknown
    # d = 2: the worst vertex is coordinatewise opposite to the best
    S = np.array([3.0, -3.0])
    assert verdict([1.0, -1.0], 6.0, S, S, -1.0, 1.0).label == STUCK
    # regret as bad as the worst point but the late iterates are mid-box: not "stuck"
    assert verdict([0.03], 2.0, np.array([1.0]), np.array([1.0]), -1.0, 1.0).label == UNDECIDED  # status unknown


def test_candidate_labels_are_unique_and_rebuild_their_switches():
    for beta1, eps in [("0.9", "1e-8"), ("0", "1e-8"), ("0.9", "0"), ("0", "0")]:
        cands = candidates(Fraction(beta1), Fraction(eps))
        labels = [c.label for c in cands]
        assert len(labels) == len(set(labels))
    # don't-care switches collapse onto the preset: beta1 = 0 makes the m correction the identity
    assert label("amsgrad", False, "after_max", beta1=0, eps=0)[0] == "amsgrad/pytorch"
    assert label("amsgrad", True, "before_max", beta1="0.9", eps="1e-8")[0] == "amsgrad/optax"
    assert label("amsgrad", True, "none", beta1="0.9", eps="1e-8")[0] == "amsgrad/pytorch(bias_correction_v=none)"
    assert label("adam", True, "before_max", beta1="0.9", eps=0)[0] == "adam/pytorch"  # no max: same


def test_user_example_is_algorithm2_by_hand():
    # Theorem 1, C = 3, beta1 = 0, beta2 = 1/10, alpha = 1/2, x1 = 1: first update by hand (paper A1):
    # v_1 = (1 - beta2) C^2 = 8.1, x_2 = 1 - alpha * 3 / sqrt(8.1) (alpha_1 = alpha)
    hyper = dict(alpha=0.5, alpha_t=0.5, beta1=0.0, beta2=0.1)
    x2, state = paper_amsgrad_step(np.array([1.0]), np.array([3.0]), 1, None, hyper)
    assert x2[0] == pytest.approx(1 - 0.5 * 3 / np.sqrt(8.1), abs=1e-15)
    # and our amsgrad/paper candidate plays the same x_2 on the same problem
    fam = build("thm1", C=3)
    c = next(c for c in candidates(Fraction(0), Fraction(0)) if c.label == "amsgrad/paper")
    xs, _ = trajectory(c, dict(alpha=Fraction(1, 2), beta1=Fraction(0), beta2=Fraction(1, 10)), "sqrt",
                       fam.sequence, 3, 1)
    assert xs[1, 0] == pytest.approx(x2[0], abs=1e-15)
