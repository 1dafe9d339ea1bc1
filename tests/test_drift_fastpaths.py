"""The fast paths of counterexamples.drift.general give the numbers of the straightforward code.

settle_float compares states with plain floats instead of numpy arrays, and scan_C_float drops the lanes
that have settled; both only to save time.  Checked here against the code they replaced (numpy
comparisons, written out below) and against each lane scanned alone (no lane ever dropped beside it)."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from counterexamples.drift import general
from numerics.backends import FloatBackend
from numerics.optimizers import FACTORIES


def _limit(name, b1="0.5", b2="0.9"):
    if name in ("adam", "amsgrad"):
        return lambda: FACTORIES[name](alpha=1, beta1=Fraction(b1), beta2=Fraction(b2), eps=1e-8,
                                       schedule="constant", bias_correction_m=False, bias_correction_v="none")
    extra = {"variant": "optax", "initial": "1e-6"} if name == "yogi" else {}
    return lambda: FACTORIES[name](alpha=1, beta1=Fraction(b1), beta2=Fraction(b2), eps=Fraction(1, 1000),
                                   schedule="constant", bias_correction=False, **extra)


def _settle_numpy(meth, pattern, max_periods, min_periods=3):
    """settle_float as it was written before (numpy comparisons, period_float per period)."""
    init, update = meth.build(FloatBackend())
    state = init(0.0)
    _, state, _ = update(float(pattern[0]), state, 1)
    pat = list(pattern[1:]) + [pattern[0]]
    prev = None
    for k in range(max_periods):
        state, D = general.period_float(meth, pat, state, update)
        vec = np.array([float(v) for v in state], dtype=np.float64)
        if prev is not None and k >= min_periods:
            scale = np.maximum(np.abs(vec), 1e-300)
            if np.all(np.abs(vec - prev) <= general.SETTLE_TOL * scale) or np.all(vec == prev):
                return state, D, k + 1, True
            if not np.all(np.isfinite(vec)):
                return state, D, k + 1, False
        prev = vec
    return state, D, max_periods, False


@pytest.mark.parametrize("name", ["adam", "amsgrad", "yogi", "adabelief"])
def test_settle_float_gives_the_numbers_of_the_numpy_comparisons(name):
    for C in (2, 5, 13):
        pattern = [C] + [-1] * (C - 1)
        meth = _limit(name)()
        got = general.settle_float(meth, pattern, 3000 // C)
        want = _settle_numpy(meth, pattern, 3000 // C)
        assert tuple(got[0]) == tuple(want[0]) and got[1:] == want[1:], (name, C)


@pytest.mark.parametrize("vec, prev, want", [
    ([1.0, 2.0], [1.0, 2.0], True),
    ([1.0, 2.0], [1.0, 2.0 * (1 + 1e-12)], None),
    ([0.0, 1e-310], [0.0, 1e-310], True),
    ([math.nan, 1.0], [math.nan, 1.0], False),  # NaN equals nothing, not even itself: never "settled"
    ([math.inf, 1.0], [1.0, 1.0], True),  # inf <= TOL * inf, as in numpy (drift() then refuses the state)
    ([1.0, math.nan], [1.0, 1.0], False),  # a state that is no longer finite ends the search unsettled
    ([math.nan, 1.0], [1.0, 1.0], False),
])
def test_settle_test_matches_numpy_on_edge_values(vec, prev, want):
    v, p = np.array(vec), np.array(prev)
    with np.errstate(invalid="ignore"):
        ref = True if (np.all(np.abs(v - p) <= general.SETTLE_TOL * np.maximum(np.abs(v), 1e-300))
                       or np.all(v == p)) else (False if not np.all(np.isfinite(v)) else None)
    assert ref is want
    assert general._settle_test(vec, prev) is want


@pytest.mark.parametrize("name", ["adam", "yogi"])
def test_scan_drops_settled_lanes_without_changing_the_others(name):
    # each lane scanned alone (nothing dropped beside it) gives the bits it gets among all the others
    make = _limit(name)
    Cs = np.array([2, 3, 4, 9, 17, 40])
    settle = general.settle_rounds_for("0.5", "0.9")
    together = general.scan_C_float(make, Cs, settle)
    alone = np.array([general.scan_C_float(make, [c], settle)[0] for c in Cs])
    assert np.isfinite(together).all()
    assert np.array_equal(together, alone)
