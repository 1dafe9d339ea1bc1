"""The simulation's "agrees" rule (counterexamples.certify.simulate): agreement needs every final iterate
within 0.1 of its predicted end point; a due outcome on the wrong half is a disagreement; right half but
not yet near is UNKNOWN (label inconclusive) -- never agreement (x_T = 0.757 was once reported as agreement).
``agrees`` is a status of analysis.verdict: EVIDENCE at best (a finite run), never PROVED."""
from fractions import Fraction

import pytest

from counterexamples import certify, drift


def _sim(monkeypatch, adam_x, ams_x):
    def fake(method, *args):
        xs = adam_x if method == "adam" else ams_x
        return list(xs), [0.0, 0.0], [0.0, 0.0], "fake"

    monkeypatch.setattr(certify, "_engine_runs", fake)
    # Theorem 1's witness: beta1 = 0, beta2 = 1/(1+C^2), C = 3, n = 3; Adam drifts up, AMSGrad down
    return certify.simulate(Fraction(0), Fraction(1, 10), Fraction(3), 3, alpha=Fraction(1, 2), T=3 * 10**7,
                            ball=False)


def test_drift_direction_of_the_witness():
    assert float(drift.drift(Fraction(0), Fraction(1, 10), Fraction(3), 3, backend="float")) > 0


@pytest.mark.parametrize("adam_x,ams_x,want", [
    ((1.0, 1.0), (-1.0, -1.0), "evidence"),
    ((0.95, 0.91), (-0.92, -1.0), "evidence"),
    ((0.757, 1.0), (-1.0, -1.0), "unknown"),   # right half, not near: the regression's case
    ((0.89, 0.95), (-1.0, -1.0), "unknown"),   # 0.89 < NEAR = 0.9
    ((1.0, 1.0), (-1.0, -0.6), "unknown"),
    ((0.4, 1.0), (-1.0, -1.0), "refuted"),              # due and on the wrong half
    ((1.0, 1.0), (0.2, -1.0), "refuted"),
])
def test_agrees_rule(monkeypatch, adam_x, ams_x, want):
    rec = _sim(monkeypatch, adam_x, ams_x)
    assert rec["agrees"] == want and rec["agreement"]["status"] == want
    assert rec["agreement"]["label"] == {"evidence": "agrees", "unknown": "inconclusive", "refuted": "disagrees"}[want]
