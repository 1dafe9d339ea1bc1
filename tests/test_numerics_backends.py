"""The one definition agrees with itself across number systems, and with an independent loop."""
import math
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp

from analysis.families import build
from numerics import get_backend, make, run
from numerics.backends import BackendUnavailable, CupyBackend

S5 = dict(alpha=F(1, 2), beta1=F(9, 10), beta2=F(99, 100))


def independent_section5(name, T, x1=0.0, alpha=0.5, b1=0.9, b2=0.99):
    """Plain-Python Adam/AMSGrad of Algorithms 1-2, written separately from numerics (no shared code)."""
    x, m, v, vh, loss, S = x1, 0.0, 0.0, 0.0, 0.0, 0.0
    for t in range(1, T + 1):
        g = 1010.0 if t % 101 == 1 else -10.0
        loss += g * x
        S += g
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vh = max(vh, v) if name == "amsgrad" else v
        x = min(1.0, max(-1.0, x - alpha / math.sqrt(t) * m / math.sqrt(vh)))
    return x, (loss - min(-S, S)) / T  # the final iterate, after T updates


@pytest.mark.parametrize("name", ["adam", "amsgrad"])
def test_reference_matches_independent_loop(name):
    res = run(make(name, **S5), build("section5-online").sequence, 10**5, x1=0)
    x_T, avg = independent_section5(name, 10**5)
    assert res.x_T == pytest.approx(x_T, abs=1e-12)
    assert res.avg_regret == pytest.approx(avg, abs=1e-12)


@pytest.mark.slow  # 1e5 rounds in 50-digit mpmath
def test_float64_agrees_with_mpmath_50_digits_at_T_1e5():
    """float64 vs 50-digit mpmath within 1e-12 on x_T (AMSGrad does not stick to the boundary)."""
    prob = build("section5-online").sequence
    m = make("amsgrad", **S5)
    f = run(m, prob, 10**5, x1=0)
    h = run(m, prob, 10**5, x1=0, backend=get_backend("mpmath", 50))
    assert abs(f.x_T - float(h.x_T)) < 1e-12
    assert abs(f.avg_regret - float(h.avg_regret)) < 1e-12


def test_arb_ball_contains_mpmath_value():
    """The certified ball encloses the 60-digit mpmath value, and is narrow."""
    prob = build("section5-online").sequence
    m = make("amsgrad", **S5)
    ball = run(m, prob, 5000, x1=0, backend=get_backend("arb", 40))
    ref = run(m, prob, 5000, x1=0, backend=get_backend("mpmath", 60))
    import flint

    old, flint.ctx.prec = flint.ctx.prec, 256  # read the 60-digit reference without rounding it away
    try:
        for b, r in ((ball.x_T, ref.x_T), (ball.avg_regret, ref.avg_regret)):
            assert b.contains(flint.arb(str(r)))
            assert float(b.rad()) < 1e-25
        # an enclosure must be able to fail: a value off by 1e-20 is not contained
        assert not ball.x_T.contains(flint.arb(str(ref.x_T)) + flint.arb("1e-20"))
    finally:
        flint.ctx.prec = old


def test_sympy_backend_reproduces_first_steps_exactly():
    """Theorem 1, C = 3, alpha = 1/2: x_2 = 1 - sqrt(10)/6 and x_3 = x_2 + 5/sqrt(342), by hand:
    v_1 = (9/10) 9 = 81/10, step_1 = (1/2) 3 / sqrt(81/10); v_2 = 81/100 + 9/10 = 171/100,
    step_2 = -(1/(2 sqrt 2)) / sqrt(171/100)."""
    m = make("adam", alpha=F(1, 2), beta1=0, beta2=F(1, 10))
    res = run(m, build("thm1", C=3).sequence, 2, x1=1, backend=get_backend("sympy"), checkpoints=[1, 2])
    x2, x3 = (c.x for c in res.checkpoints)
    assert res.x_played == x2 and res.x_T == x3
    assert sp.simplify(x2 - (1 - sp.sqrt(10) / 6)) == 0
    assert sp.simplify(x3 - (1 - sp.sqrt(10) / 6 + 5 / sp.sqrt(342))) == 0
    assert sp.simplify(x3 - (1 - sp.sqrt(10) / 6 + 5 / sp.sqrt(343))) != 0  # the check can fail


def test_exact_regret_on_explicit_problem():
    """R_T = sum <c_t, x_t> - min_x sum <c_t, x>, exactly: SGD alpha_t = 1/sqrt(t) from x1 = 0."""
    from numerics import Explicit

    prob = Explicit(values=[[1, -2], [1, 3]])
    res = run(make("sgd", alpha=1), prob, 2, x1=0, backend=get_backend("sympy"))
    # x_1 = 0; x_2 = clip(0 - (1,-2)) = (-1, 1): losses 0 and (1*-1 + 3*1) = 2; sum c = (2, 1) -> min = -3
    assert res.regret == 5


def test_bernoulli_is_seeded_and_backend_independent():
    fam_a, fam_b, fam_c = (build("section5-stochastic", seed=s) for s in (7, 7, 8))
    m = make("adam", **S5)
    a = run(m, fam_a.sequence, 3000, x1=0)
    b = run(m, fam_b.sequence, 3000, x1=0, backend=get_backend("mpmath", 30))
    c = run(m, fam_c.sequence, 3000, x1=0)
    assert a.avg_regret == pytest.approx(float(b.avg_regret), abs=1e-12)
    assert a.avg_regret != c.avg_regret


def test_cupy_backend_fails_cleanly_without_gpu():
    try:
        CupyBackend()
    except BackendUnavailable as exc:
        assert "cupy" in str(exc).lower()
    else:  # pragma: no cover - only on a machine with a GPU
        pytest.skip("a GPU is present; the cupy backend is exercised elsewhere")


def _formatting_counter():
    """A numpy print formatter that counts the elements numpy formats (any repr/str of an array)."""
    calls = []

    def fmt(x):
        calls.append(1)
        return "?"

    return calls, np.printoptions(formatter={"all": fmt})


@pytest.mark.parametrize("name,kw", [("amsgrad", dict(beta1_schedule="geometric", lam=F(9, 10))),
                                     ("adamx", dict(beta1_schedule="geometric", lam=F(1, 2))),
                                     ("adam", {})])
def test_mpmath_scalar_op_array_is_bit_identical_and_never_formats_the_array(name, kw):
    """``mpf * object array`` (``bt1 * state.m``) used to make mpmath format the whole array into an error
    message before numpy took over (about 6x the cost of the products).  The mpmath backend now refuses
    arrays without formatting them: the same route, so the same numbers bit for bit, and no formatting."""
    from numerics import Explicit

    prob = Explicit(values=[[1, F(-1, 3), 0], [F(1, 2), 2, -1], [-1, F(1, 7), F(5, 3)]] * 4)
    m = make(name, alpha=F(1, 2), beta1=F(9, 10), beta2=F(99, 100), **kw)
    new = get_backend("mpmath", 30)
    old = get_backend("mpmath", 30)
    del old.ctx.npconvert  # mpmath's own converter again: the path before the fix
    calls, counting = _formatting_counter()
    with counting:
        r_old = run(m, prob, 12, x1=F(1, 3), backend=old, checkpoints=[1, 5, 12])
        n_old = len(calls)
        r_new = run(m, prob, 12, x1=F(1, 3), backend=new, checkpoints=[1, 5, 12])
        n_new = len(calls) - n_old
    assert n_old > 0  # the counter sees the old path's formatting (so the next line can fail)
    assert n_new == 0, f"{n_new} array elements formatted: mpf (op) array took mpmath's slow path again"
    pairs = [(r_new.x_T, r_old.x_T), (r_new.x_played, r_old.x_played)]
    pairs += [(a.x, b.x) for a, b in zip(r_new.checkpoints, r_old.checkpoints, strict=True)]
    for a, b in pairs:
        assert [u._mpf_ for u in a] == [u._mpf_ for u in b]
    for a, b in [(r_new.regret, r_old.regret)] + [(a.regret, b.regret) for a, b in
                                                  zip(r_new.checkpoints, r_old.checkpoints)]:
        assert a._mpf_ == b._mpf_


def test_mpmath_backend_every_scalar_operator_with_an_array():
    """Each of mpmath's generated operators (+ - * / ** ==) with an array on the right: numpy's elementwise
    result, no formatting; numpy scalars still convert exactly (mpmath's own converter)."""
    B = get_backend("mpmath", 30)
    s = B.num("9/10")
    arr = B.num([F(1, 3), 2, F(-5, 7)])
    calls, counting = _formatting_counter()
    with counting:
        for op in (lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
                   lambda a, b: a ** b, lambda a, b: a == b):
            got = op(s, arr)
            assert isinstance(got, np.ndarray) and list(got) == [op(s, u) for u in arr]
    assert not calls
    assert s * np.float64(0.5) == B.num("9/20") and s + np.int64(1) == B.num("19/10")


def test_mpmath_num_of_an_int_is_the_exact_rational_path():
    """B.num(t) for a round index takes a shortcut (mpf(n)); it must equal the general path mpf(p)/q, bit
    for bit, also for integers wider than the precision (rounded once either way)."""
    B = get_backend("mpmath", 30)
    for n in (0, 1, 7, -5, 10**5, 10**40 + 1, 2**200 - 1, -(3**150)):
        q = F(n)
        assert B.num(n)._mpf_ == (B.ctx.mpf(q.numerator) / q.denominator)._mpf_, n
    assert B.num(True) == 1 and B.num(np.int64(3)) == 3  # bool and numpy ints keep the general path
