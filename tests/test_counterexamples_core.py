"""The Monte Carlo of Theorem 3 and the user-driver example step run the numerics core (no copy of Adam's
update): their results equal those of the hand-written formulas they replaced, written out here."""
import json
import math

import numpy as np
import pytest

from counterexamples import montecarlo as mc
from counterexamples.conformance.drivers.user import paper_amsgrad_step


def _old_estimate(b1, b2, C, d, paths, T, t0, seed, alpha=1.0, block=1000):
    """The Monte Carlo as it was written before (Adam's recursion typed out), on the documented streams:
    path block b (``block`` paths) draws from PCG64(SeedSequence(seed).spawn(...)[b])."""
    p = (1 + d) / (C + 1)
    nb = -(-paths // block)
    Ys, xs = [], []
    for b, ss in enumerate(np.random.SeedSequence(seed).spawn(nb)):
        rng = np.random.Generator(np.random.PCG64(ss))
        k = min(block, paths - b * block)
        m, v, x, acc = np.zeros(k), np.zeros(k), np.zeros(k), np.zeros(k)
        for t in range(1, T + 1):
            g = np.where(rng.random(k) < p, C, -1.0)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            step = -m / np.sqrt(v)
            x += alpha / math.sqrt(t) * step
            if t > t0:
                acc += step
        Ys.append(acc / (T - t0))
        xs.append(x)
    return np.concatenate(Ys), np.concatenate(xs)


def test_montecarlo_equals_the_hand_written_recursion():
    # 2500 paths: three blocks, the last one short
    r = mc.estimate("0.9", "0.99", 100, "0.1", paths=2500, T=300, t0=100, seed=3,
                    sweep_opts={"executor": "inline"})
    Y, x = _old_estimate(0.9, 0.99, 100.0, 0.1, 2500, 300, 100, 3)
    # (1-b2) g g and (1-b2) (g g) may differ in the last bit: agreement to 1e-12 relative
    assert r["mean_sqrt_t_E_Delta"] == pytest.approx(float(Y.mean()), rel=1e-12)
    assert r["E_x_T"] == pytest.approx(float(x.mean()), rel=1e-12, abs=1e-12)


@pytest.mark.slow  # 3 s: process pools; the sweep's own executor tests stay in the fast lane (fast lane under 3 min; runs in the whole suite)
def test_montecarlo_identical_across_executors():
    """The same bits in-process, on 2 local processes and on a 2-worker Dask LocalCluster."""
    kw = dict(paths=3000, T=200, t0=50, seed=11)
    strip = lambda r: json.dumps({k: v for k, v in r.items() if k != "seconds"})  # noqa: E731
    inline = strip(mc.estimate("0.9", "0.99", 30, "0.1", sweep_opts={"executor": "inline"}, **kw))
    assert strip(mc.estimate("0.9", "0.99", 30, "0.1", sweep_opts={"executor": "processes", "workers": 2},
                             **kw)) == inline
    other_seed = strip(mc.estimate("0.9", "0.99", 30, "0.1", sweep_opts={"executor": "inline"},
                                   **dict(kw, seed=12)))
    assert other_seed != inline  # the seed reaches the coins: the comparison can fail
    pytest.importorskip("distributed")
    assert strip(mc.estimate("0.9", "0.99", 30, "0.1",
                             sweep_opts={"executor": "dask", "workers": 2, "scheduler": "local"}, **kw)) == inline


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
