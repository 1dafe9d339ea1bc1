"""Every gradient path of the batch engine (numerics.engine.layout: table1, table, periodic2, coins, values)
against numerics.run, lane by lane.

Each case names the path it must take (``info["gradients"]``), so a change of dispatch cannot silently
skip a path; the reference for lane i is a separate numerics.run on that lane's own 1-D problem (its own
pattern, column or coin stream rebuilt here from numpy's PCG64), not the batch.  The shared-table path
of the periodic batch (scalar C, n, low and several lanes: one period for every lane) is its own case.
"""
from __future__ import annotations

import numpy as np
import pytest

from numerics import Bernoulli, Explicit, Periodic, make, run

engine = pytest.importorskip("numerics.engine")
if not engine.HAVE_NUMBA:  # pragma: no cover - the engine needs numba
    pytest.skip("numba missing: no batch engine", allow_module_level=True)

T = 400
X1 = np.array([0.3, -0.7, 0.9])
TOL = 1e-12


def _meth(name="adam"):
    return make(name, alpha="0.5", beta1="0.9", beta2="0.99", **({"eps": 0} if name == "adam" else {}))


def _ref(meth, problem, x1):
    r = run(meth, problem, T, x1=float(x1), checkpoints=[])
    return float(r.x_T), float(r.regret)


def _check(res, refs, path):
    assert res.info["gradients"] == path, res.info
    assert len(res.x_T) == len(refs)
    for i, (x, reg) in enumerate(refs):  # lane by lane
        assert abs(res.x_T[i] - x) <= TOL * max(1, abs(x)), (i, res.x_T[i], x)
        assert abs(res.regret[i] - reg) <= TOL * max(1, abs(reg)), (i, res.regret[i], reg)


@pytest.mark.parametrize("name", ["adam", "yogi"])
def test_periodic_pattern_table1(name):
    pat = [5, -1, -1, 2, -1]
    meth = _meth(name)
    res = engine.batch(meth, Periodic(pattern=pat), T, x1=X1)
    _check(res, [_ref(meth, Periodic(pattern=pat), x) for x in X1], "table1")


@pytest.mark.parametrize("name", ["adam", "yogi"])
def test_periodic_batch_shared_table(name):
    """Scalar C, n, low with several lanes: the plan builds one shared period (G_TABLE1)."""
    meth = _meth(name)
    res = engine.batch(meth, engine.PeriodicBatch(7, 4, -1), T, x1=X1)
    _check(res, [_ref(meth, Periodic(pattern=[7, -1, -1, -1]), x) for x in X1], "table1")


def test_periodic_batch_per_lane():
    meth = _meth()
    C, n, low = np.array([7.0, 3.0, 11.0]), np.array([4, 3, 6]), np.array([-1.0, -0.5, -2.0])
    res = engine.batch(meth, engine.PeriodicBatch(C, n, low), T, x1=X1)
    refs = [_ref(meth, Periodic(pattern=[C[i]] + [low[i]] * (int(n[i]) - 1)), X1[i]) for i in range(3)]
    _check(res, refs, "periodic2")


def test_explicit_table1_and_explicit_batch_values():
    meth = _meth()
    rng = np.random.default_rng(7)
    vals = rng.uniform(-2, 2, size=(T, 3))
    res = engine.batch(meth, Explicit(values=list(vals[:, 0])), T, x1=X1)
    _check(res, [_ref(meth, Explicit(values=list(vals[:, 0])), x) for x in X1], "table1")
    res = engine.batch(meth, engine.ExplicitBatch(vals), T, x1=X1)
    _check(res, [_ref(meth, Explicit(values=list(vals[:, i])), X1[i]) for i in range(3)], "values")


def _coin_lanes(seed, p, C, low, N):
    """Lane i's gradients from the documented stream: U = PCG64(seed).random((T, N, 1)), g = C if U < p."""
    U = np.random.Generator(np.random.PCG64(seed)).random((T, N, 1))[:, :, 0]
    return [list(np.where(U[:, i] < p[i], C[i], low[i])) for i in range(N)]


def test_bernoulli_batch_and_batched_bernoulli_coins():
    meth = _meth()
    p, C, low = np.array([0.2, 0.5, 0.3]), np.array([4.0, 2.0, 9.0]), np.array([-1.0, -1.0, -0.5])
    res = engine.batch(meth, engine.BernoulliBatch(p, C, low, seed=11), T, x1=X1)
    lanes = _coin_lanes(11, p, C, low, 3)
    _check(res, [_ref(meth, Explicit(values=lanes[i]), X1[i]) for i in range(3)], "coins")
    res = engine.batch(meth, Bernoulli(p="0.25", high=5, low=-1, seed=3, batch=3), T, x1=X1)
    lanes = _coin_lanes(3, [0.25] * 3, [5.0] * 3, [-1.0] * 3, 3)
    _check(res, [_ref(meth, Explicit(values=lanes[i]), X1[i]) for i in range(3)], "coins")


def test_a_wrong_lane_is_caught():
    """The comparison itself can fail: a lane run from another start differs."""
    meth = _meth()
    res = engine.batch(meth, engine.PeriodicBatch(7, 4, -1), T, x1=X1)
    with pytest.raises(AssertionError):
        _check(res, [_ref(meth, Periodic(pattern=[7, -1, -1, -1]), x) for x in X1[::-1]], "table1")
