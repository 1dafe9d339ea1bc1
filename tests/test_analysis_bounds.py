"""The bounds as SymPy expressions: names, symbols, srepr round trip, and agreement with the printed
displays of the spec, typed here independently (docs/paper.md, docs/references.md, literature §1.5, §1.6, §2)."""
import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import bounds as BD
from analysis import sums

NAMES = ["thm4-arxiv", "thm4-iclr", "lemma-moment", "cor1-printed", "cor1-derived", "thm5", "cor2",
         "kingma-ba-4.1", "pp-4.1-geometric", "pp-4.1-harmonic", "adamx-5.1"]
ALLOWED = {"T", "d", "alpha", "beta1", "beta2", "gamma", "lambda_", "D_inf", "G_inf", "sum_vhat_T_sqrt",
           "sum_g_norm", "sum_beta1t_vhat", "zeta", "t_0"}


def independent(name, p):
    """The printed displays of the spec, typed from the spec text (floats; log is natural)."""
    T, d, a, b1, b2, g, lam = p["T"], p["d"], p["alpha"], p["beta1"], p["beta2"], p["gamma"], p["lambda_"]
    D, G, Sv, Sg, Sb, z, t0 = (p["D_inf"], p["G_inf"], p["sum_vhat_T_sqrt"], p["sum_g_norm"],
                               p["sum_beta1t_vhat"], p["zeta"], p["t_0"])
    third = a * math.sqrt(1 + math.log(T)) / ((1 - b1) ** 2 * (1 - g) * math.sqrt(1 - b2)) * Sg
    first = D ** 2 * math.sqrt(T) / (a * (1 - b1)) * Sv
    if name == "thm4-arxiv":
        return first + D ** 2 / (1 - b1) ** 2 * Sb + third
    if name == "thm4-iclr":
        return first + D ** 2 / (2 * (1 - b1)) * Sb + third
    if name == "lemma-moment":
        return a * math.sqrt(1 + math.log(T)) / ((1 - b1) * (1 - g) * math.sqrt(1 - b2)) * Sg
    if name == "cor1-printed":
        return first + b1 * D ** 2 * G / ((1 - b1) ** 2 * (1 - lam) ** 2) + third
    if name == "cor1-derived":
        return first + d * b1 * D ** 2 * G / (a * (1 - b1) ** 2 * (1 - lam) ** 2) + third
    if name == "thm5":
        return (D ** 2 / (2 * a * (1 - b1)) * math.sqrt(T) * Sv + D ** 2 / (1 - b1) ** 2 * Sb
                + 2 * z / (1 - b1) ** 3 * Sg)
    if name == "cor2":  # Lean-corrected form (docs/references.md, literature §5)
        return (D ** 2 / (2 * a * (1 - b1)) * Sg + d * b1 * D ** 2 * G / (a * (1 - b1) ** 2 * (1 - lam) ** 2)
                + 2 * a / (1 - b1) ** 3 * Sg)
    if name == "kingma-ba-4.1":
        return (D ** 2 / (2 * a * (1 - b1)) * math.sqrt(T) * Sv
                + a * (1 + b1) * G / ((1 - b1) * math.sqrt(1 - b2) * (1 - g) ** 2) * Sg
                + d * D ** 2 * G * math.sqrt(1 - b2) / (2 * a * (1 - b1) * (1 - lam) ** 2))
    pp3 = a * math.sqrt(math.log(T) + 1) / ((1 - b1) ** 2 * math.sqrt(1 - b2) * (1 - g)) * Sg
    c = d * D ** 2 * G / (2 * a * (1 - b1))
    s0 = sum(math.sqrt(k) for k in range(1, t0 + 1))
    if name == "pp-4.1-geometric":
        return c * (s0 + math.sqrt(T)) + c / (1 - lam) ** 2 + pp3
    if name == "pp-4.1-harmonic":
        return c * (s0 + math.sqrt(T)) + d * D ** 2 * G * math.sqrt(T) / (a * (1 - b1)) + pp3
    if name == "adamx-5.1":
        s = sum(b1 * lam ** (k - 1) * math.sqrt(k - 1) for k in range(2, T + 1))
        return c * math.sqrt(T) + c * s + pp3
    raise KeyError(name)


def test_names_and_symbols():
    assert list(BD.BOUNDS) == NAMES
    for name, b in BD.BOUNDS.items():
        names = {s.name for s in b.expr.free_symbols}
        assert names <= ALLOWED, (name, names - ALLOWED)
        assert set(b.symbols) == names and all(b.symbols.values())
        assert b.source
    assert "zeta" in BD.BOUNDS["thm5"].symbols and "t_0" in BD.BOUNDS["pp-4.1-geometric"].symbols


@settings(max_examples=30, deadline=None)
@given(T=st.integers(1, 60), d=st.integers(1, 50), alpha=st.floats(0.01, 5), beta1=st.floats(0, 0.95),
       beta2=st.floats(0.01, 0.999), lam=st.floats(0.01, 0.99), D=st.floats(0.1, 4), G=st.floats(0.1, 10),
       data=st.tuples(st.floats(0, 100), st.floats(0, 100), st.floats(0, 1000)), t0=st.integers(1, 5),
       zeta=st.floats(0.01, 5))
@pytest.mark.slow  # 4.3 s of SymPy printing (fast lane under 3 min; runs in the whole suite)
def test_srepr_rebuilds_and_matches_the_printed_displays(T, d, alpha, beta1, beta2, lam, D, G, data, t0, zeta):
    g = beta1 / math.sqrt(beta2)
    if g >= 0.99:
        return
    p = dict(T=T, d=d, alpha=alpha, beta1=beta1, beta2=beta2, gamma=g, lambda_=lam, D_inf=D, G_inf=G,
             sum_vhat_T_sqrt=data[0], sum_g_norm=data[1], sum_beta1t_vhat=data[2], zeta=zeta, t_0=t0)
    for name, b in BD.BOUNDS.items():
        e = sp.sympify(sp.srepr(b.expr))
        assert e == b.expr
        subs = {sp.Symbol(k): v for k, v in p.items()}
        got = float(e.subs(subs).doit().evalf(30))
        want = independent(name, p)
        assert got == pytest.approx(want, rel=1e-12), name


def test_corollary1_factor_is_d_over_alpha():
    assert sp.simplify(BD.COR1_FACTOR - sp.Symbol("d") / sp.Symbol("alpha")) == 0
    # the printed middle term is smaller than the derived one exactly when d > alpha
    pr, de = BD.cor1_terms("printed")[1], BD.cor1_terms("derived")[1]
    vals = {sp.Symbol("beta1"): sp.Rational(9, 10), sp.Symbol("lambda_"): sp.Rational(1, 2),
            sp.Symbol("D_inf"): 2, sp.Symbol("G_inf"): 1, sp.Symbol("d"): 5, sp.Symbol("alpha"): sp.Rational(1, 2)}
    assert de.subs(vals) / pr.subs(vals) == 10


def test_derivation_checks_pass():
    checks = BD.derivation_checks()
    assert len(checks) >= 9 and all(checks.values()), checks


def test_mutation_derivation_check_detects_a_wrong_constant(monkeypatch):
    """Swap the arXiv second term for the ICLR one: the display check must fail."""
    orig = BD.thm4_terms

    def wrong(form):
        return orig("iclr")

    monkeypatch.setattr(BD, "thm4_terms", wrong)
    assert BD.derivation_checks()["iclr-vs-arxiv-factor"] is False


def test_bounds_are_assembled_from_the_lemmas():
    # Theorem 4's third term is the moment lemma divided by (1 - beta1) (step 5)
    t3 = BD.BOUNDS["thm4-arxiv"].terms[2]
    assert sp.simplify(t3 * (1 - sp.Symbol("beta1")) - BD.BOUNDS["lemma-moment"].expr) == 0
    # Corollary 1 derived is Theorem 4 with sum_beta1t_vhat <= d G beta1 / (alpha (1-lambda)^2)
    e = BD.BOUNDS["thm4-arxiv"].expr.subs(sp.Symbol("sum_beta1t_vhat"), BD.GEOMETRIC_BETA1_SUM)
    assert sp.simplify(e - BD.BOUNDS["cor1-derived"].expr) == 0


@pytest.mark.parametrize("name", list(sums.LEMMAS))
def test_sum_lemmas_are_proved(name):
    v = sums.LEMMAS[name]()
    assert v.status == "proved", v.reason


def test_sum_lemmas_numerically_F16():
    # F16 ranges, exact where possible: harmonic and 1/sqrt sums for T < 3000, lambda sums
    H, S = 0.0, 0.0
    for T in range(1, 3000):
        H += 1 / T
        S += 1 / math.sqrt(T)
        assert H <= 1 + math.log(T) + 1e-12 and S <= 2 * math.sqrt(T) + 1e-12
    for lam in (0, .1, .5, .9, .99):
        assert sum(lam ** (t - 1) * math.sqrt(t) for t in range(1, 20000)) <= 1 / (1 - lam) ** 2


def test_mutation_false_lemma_step_is_not_proved():
    from analysis.z3bridge import prove_nonneg

    T = sp.Symbol("T", positive=True)
    # sum 1/sqrt(t) <= 1.9 sqrt(T) has a false induction step for large T
    step = sp.Rational(19, 10) * (sp.sqrt(T + 1) - sp.sqrt(T)) - 1 / sp.sqrt(T + 1)
    assert not prove_nonneg(step, [sp.GreaterThan(T, 1, evaluate=False)]).proved


def test_latex_uses_paper_names():
    tex = BD.latex(BD.BOUNDS["thm4-arxiv"].expr)
    assert r"D_\infty" in tex and r"\beta_1" in tex and r"\hat v_{T,i}" in tex
