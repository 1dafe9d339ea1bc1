"""The bounds hold numerically: regret <= bound (or moment <= lemma) on a corpus and on hypothesis-made
problems, for every bound whose hypotheses the run meets; tightness ratios regret/bound reported and the
worst pinned as regression values.  Runs use the numerics code on the mpmath backend at 30 digits."""
from fractions import Fraction as F

import mpmath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.corpus import corpus, tight
from analysis.evaluate import RunConfig, applicable, measure, ratios, worst
from numerics import Explicit, Periodic

DPS = 30
EPS = mpmath.mpf(10) ** (-(DPS - 5))  # rounding of a 30-digit evaluation; the lemma is *exactly* tight at T=1
with mpmath.workdps(DPS):  # 1 + EPS kept at DPS digits: at mpmath's default 15 it is 1.0 and EPS is lost
    AT_MOST = 1 + EPS  # a ratio bound (mpf comparisons are exact whatever the precision)
# asserted (issue 3, item 4); the printed Corollaries 1 and 2 and the corrected AdamX form are reported only
ASSERTED = {"thm4-arxiv", "thm4-iclr", "cor1-derived", "lemma-moment", "thm5", "cor2", "pp-4.1-geometric",
            "pp-4.1-harmonic", "adamx-5.1", "lemma3-adamnc"}

# Worst ratios of the fixed corpus (REGRESSION values recorded from this code, not independent numbers;
# the first two are also theory, see test_tight_T1_is_theory).
REGRESSION = {
    "thm4-arxiv": 0.5, "thm4-iclr": 0.5, "cor1-derived": 0.5, "lemma-moment": 1.0,
    "thm5": 0.5865114139310041, "cor2": 0.5865114139310041, "pp-4.1-geometric": 0.3899784007770825,
    "pp-4.1-harmonic": 0.32742950074980237, "adamx-5.1": 0.7, "lemma3-adamnc": 0.8607346069567857,
}


@pytest.fixture(scope="module")
def corpus_worst():
    agg, seen = {}, {}
    for cfg in corpus():
        for name, pts in ratios(measure(cfg, dps=DPS)).items():
            seen.setdefault(name, 0)
            for t, r in pts:
                seen[name] += 1
                if name in ASSERTED:
                    assert r <= AT_MOST, f"{name} violated on {cfg.label} at t={t}: ratio {r}"
                if r > agg.get(name, (-1,))[0]:
                    agg[name] = (r, t, cfg.label)
    return agg, seen


@pytest.mark.slow  # the whole corpus of runs in 30-digit mpmath (the module fixture, about 12 CPU-s; 20 before issue 25)
def test_corpus_bounds_hold_and_every_bound_is_exercised(corpus_worst):
    agg, seen = corpus_worst
    assert ASSERTED <= set(agg), ASSERTED - set(agg)
    assert all(seen[n] >= 20 for n in ASSERTED), seen
    print("\nworst tightness ratios (quantity / bound) on the corpus:")
    for name, (r, t, label) in sorted(agg.items()):
        print(f"  {name:22s} {float(r):.6g}  at t={t}  [{label}]")


@pytest.mark.slow  # needs the module's corpus fixture (the whole corpus in 30-digit mpmath, about 12 CPU-s):
# in the fast lane it would run that fixture alone; the hypothesis test below keeps "the bounds hold" there
def test_corpus_worst_ratios_regression(corpus_worst):
    agg, _ = corpus_worst
    for name, want in REGRESSION.items():
        assert float(agg[name][0]) == pytest.approx(want, rel=1e-12), name


def test_tight_T1_is_theory():
    """T = 1, g_1 = 1, x_1 = 1 (x* = -1, R_1 = 2), beta1 = 0, beta2 = 3/4, alpha = 1 = 2 sqrt(1 - beta2):
    Theorem 4 = 4 sqrt(1-beta2)/alpha + alpha/sqrt(1-beta2) = 2 + 2, so the ratio is 1/2; the moment lemma
    is an equality (alpha m^2/sqrt(v) = alpha/sqrt(1-beta2) = 2 on both sides)."""
    with mpmath.workdps(DPS):
        r = {k: v[0][1] for k, v in ratios(measure(tight()[0], dps=DPS)).items()}
        assert abs(r["thm4-arxiv"] - mpmath.mpf(1) / 2) < EPS and abs(r["lemma-moment"] - 1) < EPS
        # AdamX, s = sqrt(1-beta2) = 49/50, alpha = 7/5: bound = d D^2 G/(2 alpha) + alpha/s = 10/7 + 10/7,
        # so the ratio is 2 / (20/7) = 7/10
        r = ratios(measure(tight()[1], dps=DPS))["adamx-5.1"][0][1]
        assert abs(r - mpmath.mpf(7) / 10) < EPS


def test_ratios_carry_the_runs_digits_at_the_callers_default_precision():
    """The ratio quantity/bound is computed at the run's dps, not at mpmath's default 15 digits: outside any
    workdps, AdamX's tight T = 1 ratio is 7/10 to the run's digits (it was off by about 1e-17 when the quotient
    was taken at the caller's precision; test_tight_T1_is_theory sets the precision itself and did not see it)."""
    with mpmath.workdps(15):  # the caller's default precision, set here: an earlier test of the worker may change it
        r = ratios(measure(tight()[1], dps=DPS))["adamx-5.1"][0][1]
    with mpmath.workdps(DPS):
        assert abs(r - mpmath.mpf(7) / 10) < EPS


def test_kingma_ba_bound_fails_for_adam_on_theorem1():
    """Kingma & Ba 4.1 assumes Gamma_t PSD; Adam (bias-corrected, beta1 = 0 so every beta_{1t} schedule
    agrees) on the Theorem 1 sequence has linear regret, so the O(sqrt T) bound is exceeded."""
    cfg = RunConfig("adam-kb", Periodic(pattern=[3, -1, -1]), 3000, alpha=F(1, 2), beta1=F(0), beta2=F(1, 10),
                    x1=1, beta1_schedule="geometric", lam=F(1, 2))
    r = ratios(measure(cfg, dps=20, checkpoints=[3, 300, 3000]))["kingma-ba-4.1"]
    assert r[0][1] < 1 < r[-1][1]  # holds early, refuted at T = 3000
    # and the Reddi bounds are not claimed for Adam
    assert not applicable(cfg)["thm4-arxiv"]


def test_hypotheses_are_checked_not_assumed():
    prob = Explicit(values=[[1], [-1]])
    # gamma = beta1/sqrt(beta2) >= 1: Theorem 4 does not apply
    assert not applicable(RunConfig("amsgrad", prob, 2, beta1=F(9, 10), beta2=F(1, 2)))["thm4-arxiv"]
    # Corollary 1 needs the geometric schedule; P&P harmonic needs beta1/t
    cfg = RunConfig("amsgrad", prob, 2, beta1_schedule="harmonic")
    a = applicable(cfg)
    assert a["thm4-arxiv"] and a["pp-4.1-harmonic"] and not a["cor1-derived"] and not a["pp-4.1-geometric"]
    # AdamNC: Conditions 1 (with alpha_t, zeta = alpha) and 2 are measured on the run
    m = measure(RunConfig("adamnc", Explicit(values=[[1, 0], [F(1, 2), 2], [-1, 1]]), 3,
                          beta1_schedule="geometric", lam=F(1, 2)), dps=DPS)
    assert all(s.cond1 and s.cond1_T and s.cond2 for s in m.snapshots)


@pytest.mark.parametrize("schedule,lam,t0", [("geometric", F(1, 1000), 2), ("geometric", F(1, 2), 3),
                                             ("harmonic", None, 3)])
def test_pp_lemma43_t0_matches_literature_table(schedule, lam, t0):
    """docs/references.md, literature §1.5 (beta1 = 0.9): the condition fails at n = 1 only (lambda = 0.001), at n = 1, 2
    (lambda = 1/2 and beta1/t)."""
    from analysis.evaluate import pp_t0

    cfg = RunConfig("amsgrad", Explicit(values=[[1]]), 1, beta1=F(9, 10), beta1_schedule=schedule, lam=lam)
    assert pp_t0(cfg, 200) == t0


fracs = st.fractions(min_value=-2, max_value=2, max_denominator=20)


@st.composite
def run_configs(draw):
    method = draw(st.sampled_from(["amsgrad", "amsgrad", "adamnc", "adamx"]))
    T = draw(st.integers(1, 30))
    d = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["random", "sign", "sparse", "spike"]))
    if kind == "random":
        vals = [[draw(fracs) for _ in range(d)] for _ in range(T)]
    elif kind == "sign":
        s = draw(st.sampled_from([1, -1]))
        vals = [[s * (-1) ** (k * draw(st.integers(0, 1))) for _ in range(d)] for k in range(T)]
    elif kind == "sparse":
        vals = [[draw(st.sampled_from([0, 0, 0, 1, -1])) for _ in range(d)] for _ in range(T)]
    else:
        vals = [[draw(fracs) if k == 0 else 0 for _ in range(d)] for k in range(T)]
    beta1 = draw(st.sampled_from([F(0), F(1, 10), F(1, 2), F(9, 10)]))
    beta2 = draw(st.sampled_from([F(1, 10), F(1, 2), F(3, 4), F(99, 100), F(999, 1000)]))
    if beta1 * beta1 >= beta2:
        beta1 = F(0)
    alpha = draw(st.sampled_from([F(1, 10), F(1, 2), F(1), F(2), F(4)]))
    sched = draw(st.sampled_from(["constant", "geometric", "harmonic"])) if method == "amsgrad" else "geometric"
    lam = draw(st.sampled_from([F(1, 100), F(1, 2), F(9, 10), F(99, 100)]))
    x1 = draw(st.sampled_from([-1, 0, 1, F(1, 3)]))
    return RunConfig(method, Explicit(values=vals), T, alpha=alpha, beta1=beta1, beta2=beta2,
                     beta1_schedule=sched, lam=lam, x1=x1, label="hypothesis")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cfg=run_configs())
def test_bounds_hold_on_generated_problems(cfg):
    for name, pts in ratios(measure(cfg, dps=DPS)).items():
        if name in ASSERTED:
            for t, r in pts:
                assert r <= AT_MOST, (name, t, float(r), cfg)


@pytest.mark.parametrize("schedule,lam", [("geometric", F(1, 1000)), ("geometric", F(1, 2)), ("harmonic", None),
                                          ("constant", None)])
def test_pp_t0_one_pass_matches_the_definition(schedule, lam):
    """measure() computes t_0 for all checkpoints in one pass; each must equal the definition, evaluated
    directly per T: the smallest t_0 with n(1-beta_{1,n+1})^2 <= (n+1)(1-beta_{1,n})^2 for t_0 <= n < T."""
    from analysis.evaluate import _pp_t0s

    cfg = RunConfig("amsgrad", Explicit(values=[[1]]), 1, beta1=F(9, 10), beta1_schedule=schedule, lam=lam)

    def direct(T):
        fails = [n for n in range(1, T) if n * (1 - cfg.beta1_t(n + 1)) ** 2 > (n + 1) * (1 - cfg.beta1_t(n)) ** 2]
        return max(fails) + 1 if fails else 1

    Ts = [1, 2, 3, 4, 5, 8, 40, 41]
    assert _pp_t0s(cfg, Ts) == {T: direct(T) for T in Ts}
