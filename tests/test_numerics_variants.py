"""Variants and "equivalent rewrite" (metamorphic) tests, PEPit style: pairs that must agree exactly
or to 1e-12, and one input on which the variants must differ (docs/references.md, implementations §2, §5.2)."""
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from analysis.families import build
from numerics import Explicit, Periodic, get_backend, make, run
from numerics.optimizers import applicable


def trajectory(method, problem, T, x1=0, backend=None):
    xs = []
    run(method, problem, T, x1=x1, backend=backend, on_step=lambda t, x, g, il, s: xs.append(x))
    return np.asarray(xs, dtype=float)


def inv_lrs(method, problem, T):
    out = []
    run(method, problem, T, x1=0, on_step=lambda t, x, g, il, s: out.append(float(il)))
    return np.asarray(out)


SPIKE = Explicit(values=[1] + [0] * 20, name="spike")


def test_optax_without_corrections_equals_paper():
    prob = build("section5-online").sequence
    kw = dict(alpha=F(1, 2), beta1=F(9, 10), beta2=F(99, 100))
    paper = trajectory(make("amsgrad", **kw), prob, 20000)
    optax = trajectory(make("amsgrad", variant="optax", bias_correction_m=False, bias_correction_v="none",
                            **kw), prob, 20000)
    assert np.array_equal(paper, optax)
    optax_default = trajectory(make("amsgrad", variant="optax", **kw), prob, 20000)
    assert np.max(np.abs(paper - optax_default)) > 1e-3  # the defaults are a different method


@pytest.mark.parametrize("t,paper,pytorch,optax", [(1, 0.0316, 1.0, 1.0), (2, 0.0316, 0.707, 1.0),
                                                   (3, 0.0316, 0.578, 1.0), (10, 0.0316, 0.317, 1.0)])
def test_spike_input_separates_the_variants(t, paper, pytorch, optax):
    """Spec §2 table: effective denominators after g_1 = 1, then zeros, beta2 = 0.999 (alpha = 1, constant)."""
    kw = dict(alpha=1, beta1=F(9, 10), beta2=F(999, 1000), schedule="constant")
    got = {v: inv_lrs(make("amsgrad", variant=v, **kw), SPIKE, 12)[t - 1] for v in ("paper", "pytorch", "optax")}
    assert got["paper"] == pytest.approx(paper, abs=5e-4)
    assert got["pytorch"] == pytest.approx(pytorch, abs=5e-4)
    assert got["optax"] == pytest.approx(optax, abs=5e-4)


def test_pytorch_effective_step_grows_after_spike_with_constant_lr():
    """Gamma_t < 0 for PyTorch's AMSGrad with a constant step (the denominator shrinks), >= 0 under
    alpha/sqrt(t) (paper §2 (docs/paper.md): 1 - u + u ln u >= 0)."""
    kw = dict(alpha=1, beta1=F(9, 10), beta2=F(999, 1000))
    const = inv_lrs(make("amsgrad", variant="pytorch", schedule="constant", **kw), SPIKE, 20)
    sqrt = inv_lrs(make("amsgrad", variant="pytorch", schedule="sqrt", **kw), SPIKE, 20)
    assert np.min(np.diff(const)) < 0
    assert np.min(np.diff(sqrt)) >= 0


def test_keras_equals_pytorch_without_eps():
    prob = build("section5-online").sequence
    kw = dict(alpha=F(1, 2), beta1=F(9, 10), beta2=F(99, 100))
    a = trajectory(make("amsgrad", variant="keras", **kw), prob, 5000)
    b = trajectory(make("amsgrad", variant="pytorch", **kw), prob, 5000)
    assert np.max(np.abs(a - b)) < 1e-12


def test_adamx_with_beta1_zero_equals_amsgrad():
    prob = build("thm1", C=3).sequence
    a = trajectory(make("adamx", alpha=F(1, 2), beta1=0, beta2=F(1, 10)), prob, 3000, x1=1,
                   backend=get_backend("mpmath", 30))
    b = trajectory(make("amsgrad", alpha=F(1, 2), beta1=0, beta2=F(1, 10)), prob, 3000, x1=1,
                   backend=get_backend("mpmath", 30))
    assert np.array_equal(a, b)
    c = trajectory(make("adamx", alpha=F(1, 2), beta1=F(9, 10), beta1_schedule="geometric", lam=F(1, 2),
                        beta2=F(99, 100)), prob, 3000, x1=1)
    d = trajectory(make("amsgrad", alpha=F(1, 2), beta1=F(9, 10), beta1_schedule="geometric", lam=F(1, 2),
                        beta2=F(99, 100)), prob, 3000, x1=1)
    assert np.max(np.abs(c - d)) > 1e-6  # with a decaying beta_1t the rules differ


def test_rmsprop_is_adam_with_beta1_zero():
    prob = build("section5-online").sequence
    a = trajectory(make("rmsprop", alpha=F(1, 2), beta2=F(99, 100)), prob, 3000)
    b = trajectory(make("adam", alpha=F(1, 2), beta1=0, beta2=F(99, 100)), prob, 3000)
    assert np.array_equal(a, b)


def test_adamnc_second_moment_is_running_mean():
    """F15: with beta_2t = 1 - 1/t, v_t is the running mean of g^2 (exact in rationals)."""
    rng = np.random.default_rng(5)
    gs = [F(int(k), 7) for k in rng.integers(-20, 20, size=60)]
    vs = []
    run(make("adamnc", alpha=1, beta1=F(9, 10)), Explicit(values=gs), 60, x1=0,
        backend=get_backend("sympy"), on_step=lambda t, x, g, il, s: vs.append(s.v))
    for t in range(1, 61):
        assert vs[t - 1] == sum(g * g for g in gs[:t]) / t


@settings(max_examples=25, deadline=None)
@given(c=st.sampled_from([F(1, 3), F(2), F(7, 5), F(1000)]),
       name=st.sampled_from(["adam", "amsgrad", "adamx", "adagrad"]))
def test_scaling_losses_leaves_trajectory_unchanged(c, name):
    """eps = 0: multiplying every loss by c > 0 leaves x_t unchanged (m scales by c, sqrt(v) by c)."""
    base = [3, -1, -1, F(1, 2), 2, -4, 1]
    p1, p2 = Periodic(pattern=base), Periodic(pattern=[c * b for b in base])
    m = make(name, **applicable(name, dict(alpha=F(1, 2), beta1=F(9, 10), beta2=F(99, 100))))
    a = trajectory(m, p1, 400, x1=F(1, 3))
    b = trajectory(m, p2, 400, x1=F(1, 3))
    assert np.max(np.abs(a - b)) < 1e-12


@pytest.mark.parametrize("name", ["adam", "amsgrad", "sgd", "adagrad", "adamnc"])
def test_mirroring_losses_mirrors_trajectory(name):
    base = [5, -1, -1, -1, 2]
    m = make(name, **applicable(name, dict(alpha=F(1, 2), beta1=F(9, 10), beta2=F(99, 100))))
    a = trajectory(m, Periodic(pattern=base), 500, x1=F(1, 4))
    b = trajectory(m, Periodic(pattern=[-g for g in base]), 500, x1=-F(1, 4))
    assert np.array_equal(a, -b)


def test_independent_coordinates_equal_one_dimensional_runs():
    pats = [[3, -1, -1], [1010] + [-10] * 100, [2, -1]]
    n = 3 * 101 * 2
    rows = [[p[(t) % len(p)] for p in pats] for t in range(n)]
    m = make("amsgrad", alpha=F(1, 2), beta1=F(9, 10), beta2=F(99, 100))
    multi = []
    run(m, Periodic(pattern=rows), 5000, x1=np.array([1.0, 0.0, -0.5]),
        on_step=lambda t, x, g, il, s: multi.append(np.array(x)))
    multi = np.asarray(multi)
    for i, (p, x1) in enumerate(zip(pats, (1, 0, F(-1, 2)))):
        single = trajectory(m, Periodic(pattern=p), 5000, x1=x1)
        assert np.array_equal(multi[:, i], single)
