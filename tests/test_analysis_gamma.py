"""Gamma_t (eq. 2) derived from the numerics code on SymPy: verdicts, witnesses, and checks that can fail.

Expected values come from the spec (F3, docs/references.md, literature §2, docs/references.md, implementations §2) or are recomputed here
from the recursions of the paper with exact rationals, independently of numerics.optimizers.
"""
from fractions import Fraction as F

import mpmath
import pytest
import sympy as sp

from analysis import gamma as G
from analysis import interval
from analysis.z3bridge import prove_nonneg

PSD = ["sgd", "adagrad", "amsgrad", "adamnc", "adamx", "adamx-first-round", "amsgrad-pytorch"]
INDEF = ["rmsprop", "adam", "amsgrad-pytorch-constant"]


def test_every_method_of_the_issue_has_a_case():
    methods = {c.method for c in G.CASES.values()}
    assert methods == {"sgd", "adagrad", "rmsprop", "adam", "amsgrad", "adamnc", "adamx"}
    assert set(PSD + INDEF) == set(G.CASES)


@pytest.mark.parametrize("key", PSD)
def test_psd_cases_are_proved(key):
    v = G.cached_verdict(key)
    assert v.status == "proved", (v.reason, v.method)
    assert v.hypotheses and "alpha/sqrt(t)" in v.hypotheses[0]


@pytest.mark.parametrize("key", INDEF)
def test_indefinite_cases_are_refuted_with_certified_witness(key):
    v = G.cached_verdict(key)
    assert v.status == "refuted"
    w = v.witness
    assert w["sign_certified"] == -1
    # replay the exact Gamma independently of the run: rebuild from srepr, sign in balls
    gam = sp.sympify(w["gamma_srepr"])
    assert gam.free_symbols == set()
    assert interval.sign(gam) == -1


def _adam_beta1_0(C, beta2, alpha, pytorch=False):
    """Gamma_2 of Adam/RMSProp (beta1 = 0, alpha_t = alpha/sqrt t) on g = (C, -1), from eq. (1) by hand."""
    v1 = (1 - beta2) * C * C
    v2 = beta2 * v1 + (1 - beta2)
    with mpmath.workdps(40):
        return (mpmath.sqrt(2) * mpmath.sqrt(mpmath.mpf(v2.numerator) / v2.denominator)
                - mpmath.sqrt(mpmath.mpf(v1.numerator) / v1.denominator)) * alpha.denominator / alpha.numerator


def test_rmsprop_witness_is_F3():
    w = G.cached_verdict("rmsprop").witness
    # F3 (docs/references.md): v1 = 8.1, v2 = 1.71, alpha * Gamma_2 = sqrt(2*1.71) - sqrt(8.1) = -0.9967 (alpha = 1/2 here)
    assert w["hyper"]["beta2"] == "1/10" and w["t"] == 2
    ref = _adam_beta1_0(3, F(1, 10), F(1, 2))
    assert abs(w["gamma_float"] - float(ref)) < 1e-15
    assert round(float(ref) / 2, 4) == -0.9967


def test_adam_witness_is_kingma_ba_scaled_example():
    w = G.cached_verdict("adam").witness
    # docs/references.md, literature §2: v1 = 891/100, v2 = 10791/10000, Gamma_2 = -3.0318
    ref = _adam_beta1_0(3, F(1, 100), F(1, 2))
    assert round(float(ref), 4) == -3.0318
    assert abs(w["gamma_float"] - float(ref)) < 1e-15
    assert w["inv_lr"]["1"] == str(2 * sp.sqrt(sp.Rational(891, 100)))
    other = w["other_witnesses"][0]
    assert abs(other["gamma_float"] - float(_adam_beta1_0(3, F(1, 10), F(1, 2)))) < 1e-15


def test_pytorch_constant_step_spike():
    w = G.cached_verdict("amsgrad-pytorch-constant").witness
    # docs/references.md, implementations §2: denominator 1.0 at t=1 and 0.707 at t=2 (beta2 = 0.999), lr constant 1:
    # inv_lr_2 - inv_lr_1 = sqrt(0.001/(1 - 0.999^2)) - 1 = sqrt(1/1.999) - 1
    ref = mpmath.sqrt(mpmath.mpf(1) / mpmath.mpf("1.999")) - 1
    assert abs(w["gamma_float"] - float(ref)) < 1e-15
    assert round(mpmath.sqrt(mpmath.mpf(1) / mpmath.mpf("1.999")), 3) == 0.707


def test_derivations_come_from_the_numerics_code():
    # SGD: inv_lr_t = 1/alpha_t = sqrt(t)/alpha (paper §2: psi_t = I)
    der = G.derive("sgd", dict(alpha=G.alpha, schedule="sqrt"))
    assert sp.simplify(der.inv_lr_t - sp.sqrt(G.t) / G.alpha) == 0
    # AdamNC with beta_{2t} = 1 - 1/t: (alpha * inv_lr_t)^2 = t v_t = (t-1) v_{t-1} + g_t^2  (paper §2.3)
    der = G.derive("adamnc", dict(alpha=G.alpha, beta1=G.beta1, schedule="sqrt"))
    assert sp.simplify((G.alpha * der.inv_lr_t) ** 2 - ((G.t - 1) * G.v_prev + G.g_t ** 2)) == 0
    # AMSGrad: inv_lr_{t+1} uses max(v_hat_t, v_{t+1}) (Algorithm 2, step 4)
    der = G.derive("amsgrad", dict(alpha=G.alpha, beta1=G.beta1, beta2=G.beta2, schedule="sqrt"))
    assert der.inv_lr_next.has(sp.Max)
    # a different variant gives a different Gamma: the derivation is not a constant
    der_pt = G.derive("amsgrad", dict(alpha=G.alpha, beta1=G.beta1, beta2=G.beta2, schedule="sqrt",
                                      variant="pytorch"))
    assert sp.simplify(der_pt.gamma - der.gamma) != 0


def test_mutation_adam_general_gamma_is_not_proved():
    """The prover must not 'prove' Adam's Gamma >= 0 under the hypotheses that suffice for AMSGrad."""
    case = G.CASES["amsgrad"]
    der = G.derive("adam", dict(alpha=G.alpha, beta1=G.beta1, beta2=G.beta2, schedule="sqrt"))
    v = prove_nonneg(sp.expand(der.gamma * G.alpha), case.hyps)
    assert v.status == "unknown" and v.witness and "candidate" in v.witness
    # the Z3 candidate is a genuine counterexample when replayed exactly (no Z3 involved)
    cand = v.witness["candidate"]
    vals = {s: sp.Rational(cand[s.name]) for s in der.gamma.free_symbols if s.name in cand}
    gam = (der.gamma * G.alpha).subs(vals)
    if not gam.free_symbols:
        assert interval.sign(gam) == -1


def test_mutation_adamx_with_increasing_beta1t_is_not_proved():
    """lambda > 1 makes beta_{1t} increase: the AdamX ratio drops below 1 and PSD must not be proved."""
    case = G.CASES["adamx"]
    hyps = [h for h in case.hyps if not (h.lhs == G.lam or h.lhs == G.u)]
    hyps += [sp.StrictGreaterThan(G.lam, 1, evaluate=False), sp.StrictGreaterThan(G.u, 1, evaluate=False),
             sp.StrictLessThan(G.beta1 * G.lam ** 2 * G.u, 1, evaluate=False)]
    der = G.derive(case.method, case.hyper)
    v = prove_nonneg(sp.expand(der.gamma.xreplace(case.powers) * G.alpha), hyps)
    assert not v.proved


def test_mutation_pytorch_without_the_lemma_is_not_proved():
    case = G.CASES["amsgrad-pytorch"]
    hyps = case.hyps[:-1]  # drop (t+1)(1-u) >= t(1 - beta2 u), the bias-correction lemma
    der = G.derive(case.method, case.hyper)
    v = prove_nonneg(sp.expand(der.gamma.xreplace(case.powers) * G.alpha), hyps)
    assert not v.proved


def test_bias_correction_lemma_and_its_discrete_form():
    assert G.bias_correction_lemma().proved
    # the discrete form the Z3 proof uses, checked exactly on a grid (rationals, no floats)
    for b in (F(1, 10), F(1, 2), F(9, 10), F(999, 1000)):
        for t in range(1, 60):
            w = b ** t
            assert (t + 1) * (1 - w) >= t * (1 - b * w)


def test_interval_sign_is_three_valued():
    assert interval.sign(sp.sqrt(2) - sp.Rational(14142, 10000)) == 1
    assert interval.sign(sp.Rational(14142, 10000) - sp.sqrt(2)) == -1
    assert interval.sign(sp.sqrt(2) * sp.sqrt(2) - 2, max_prec=256) == 0  # exactly 0: undecided, not a sign
