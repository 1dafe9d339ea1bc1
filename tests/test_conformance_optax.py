"""optax (jax, float64) on the counterexample suite, for real; skipped with a reason when absent.

Expected values: docs/references.md, implementations §1.3 (optax takes the max of the *bias-corrected* nu; with
both flags False and eps = eps_root = 0 it is Algorithm 2 with constant beta1) and §2 (the spike keeps
optax's denominator at 1), and a 40-digit re-implementation of §1.3's formula written here.
"""
from fractions import Fraction

import mpmath
import numpy as np
import pytest

pytest.importorskip("jax", reason="optax is an optional extra: pip install optax jax")
pytest.importorskip("optax", reason="optax is an optional extra: pip install optax jax")

from counterexamples.conformance.drivers import optax as conformance_optax  # noqa: E402
from counterexamples.conformance import run_row  # noqa: E402
from counterexamples.conformance.spec import parse  # noqa: E402
from counterexamples.conformance.suite import build_case  # noqa: E402


def optax_amsgrad_reference(gs, alpha, b1, b2, eps, x1, schedule, dps=40):
    """§1.3 defaults: nu_max = max(nu_max, nu/(1-b2^t)); u = (m/(1-b1^t)) / (sqrt(nu_max) + eps)."""
    with mpmath.workdps(dps):
        f = lambda q: mpmath.mpf(Fraction(q).numerator) / Fraction(q).denominator  # noqa: E731
        a, b1, b2, e = f(alpha), f(b1), f(b2), f(eps)
        x, m, v, vmax, xs = f(x1), mpmath.mpf(0), mpmath.mpf(0), mpmath.mpf(0), []
        for t, g in enumerate(gs, start=1):
            xs.append(x)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            vmax = max(vmax, v / (1 - b2 ** t))
            lr = a / mpmath.sqrt(t) if schedule == "sqrt" else a
            x = min(mpmath.mpf(1), max(mpmath.mpf(-1), x - lr * (m / (1 - b1 ** t)) / (mpmath.sqrt(vmax) + e)))
        return [float(u) for u in xs]


def row(spec, problem, T=2000, N=2000, schedule="sqrt"):
    return run_row(parse(spec), build_case(problem), T, N, schedule)


def test_amsgrad_is_the_optax_variant_and_the_spike_separates_it_from_pytorch():
    r = row("optax:amsgrad", "spike", T=500, N=500, schedule="constant")
    assert r["expected_variant"] == "amsgrad/optax" and r["matches_expected"] is True
    assert r["deviations"]["amsgrad/pytorch"] > 1e-3
    assert r["gamma"]["nonnegative"] is True  # §2: optax's denominator never shrinks


def test_both_flags_false_and_no_eps_is_algorithm2():
    r = row("optax:amsgrad?bias_correction_nu=false&bias_correction_mu=false&eps=0", "section5-online")
    assert "amsgrad/paper" in r["ties"] and r["matches_expected"] is True


def test_adam_is_stuck_on_theorem1():
    r = row("optax:adam", "thm1", T=3000, N=3000)
    assert r["expected_variant"] == "adam/pytorch" and r["matches_expected"] is True
    assert (r["verdict"], r["label"]) == ("evidence", "stuck at the worst point") and r["avg_regret"] >= 2 / 3 - 1e-12


def test_optax_matches_an_independent_rule():
    T, C, n = 300, 6, 4
    G = np.array([[float(C if (t - 1) % n == 0 else -1)] for t in range(1, T + 1)])
    spec = parse("optax:amsgrad?eps=1e-6")
    hyper = dict(alpha=Fraction(3, 10), beta1=Fraction(7, 10), beta2=Fraction(95, 100))
    st = conformance_optax.setup(spec, hyper, "sqrt")
    X = conformance_optax.stepper(spec, st, np.array([0.25]), -1.0, 1.0).run_chunk(G)[:, 0]
    ref = optax_amsgrad_reference(G[:, 0], 0.3, 0.7, 0.95, 1e-6, 0.25, "sqrt")
    assert np.max(np.abs(X - np.array(ref))) <= 1e-12
