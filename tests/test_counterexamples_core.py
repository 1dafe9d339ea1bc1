"""The Monte Carlo of Theorem 3 and the user-driver example step run the numerics core (no copy of Adam's
update): their results equal those of the hand-written formulas they replaced, written out here."""
import math

import numpy as np
import pytest

from counterexamples import montecarlo as mc
from counterexamples.conformance.drivers.user import paper_amsgrad_step


def _old_estimate(b1, b2, C, d, paths, T, t0, seed, alpha=1.0):
    """The Monte Carlo as it was written before (Adam's recursion typed out)."""
    p = (1 + d) / (C + 1)
    rng = np.random.Generator(np.random.PCG64(seed))
    m, v, x, acc = np.zeros(paths), np.zeros(paths), np.zeros(paths), np.zeros(paths)
    for t in range(1, T + 1):
        g = np.where(rng.random(paths) < p, C, -1.0)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        step = -m / np.sqrt(v)
        x += alpha / math.sqrt(t) * step
        if t > t0:
            acc += step
    return acc / (T - t0), x


def test_montecarlo_equals_the_hand_written_recursion():
    r = mc.estimate("0.9", "0.99", 100, "0.1", paths=500, T=400, t0=100, seed=3, chunk=500)
    Y, x = _old_estimate(0.9, 0.99, 100.0, 0.1, 500, 400, 100, 3)
    # (1-b2) g g and (1-b2) (g g) may differ in the last bit: agreement to 1e-12 relative
    assert r["mean_sqrt_t_E_Delta"] == pytest.approx(float(Y.mean()), rel=1e-12)
    assert r["E_x_T"] == pytest.approx(float(x.mean()), rel=1e-12, abs=1e-12)


def test_user_example_step_equals_algorithm_2():
    hyper = dict(beta1=0.9, beta2=0.99)
    rng = np.random.default_rng(0)
    x, state = np.array([0.3, -0.2]), None
    m = v = vh = np.zeros(2)
    xr = x.copy()
    for t in range(1, 200):
        g = rng.standard_normal(2) * (10 if t % 7 == 1 else 1)
        hyper["alpha_t"] = 0.5 / math.sqrt(t)
        x, state = paper_amsgrad_step(x, g, t, state, hyper)
        m = 0.9 * m + (1 - 0.9) * g
        v = 0.99 * v + (1 - 0.99) * (g * g)
        vh = np.maximum(vh, v)
        xr = xr - hyper["alpha_t"] * (m / np.sqrt(vh))
        np.testing.assert_allclose(x, xr, rtol=0, atol=1e-13)
