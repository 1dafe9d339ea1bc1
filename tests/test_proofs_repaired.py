"""The repaired proofs (issue 13): Theorem 4 arXiv form by the Abel summation.

* every new PROVED step stops being PROVED when a hypothesis it needs is dropped or a constant changed;
* the final obligation reads analysis.bounds' own SymPy object (patching it flips the verdict) and agrees
  with an independent evaluation of both sides at exact rational points;
* the repaired bound holds on AMSGrad runs that the proof never saw: random sign/size sequences, random
  (even increasing or alternating) beta_{1t} schedules, d = 2, run by an AMSGrad written here from the
  paper's Algorithm 2 in mpmath at 40 digits (not numerics' optimizer).
"""
import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

import _checked
from analysis import bounds as AB
from analysis import symbols as S
from proofs import thm4_arxiv as R

MUTANTS = [
    (R.abel_term, "drop inequality (1)", R.abel_term.without("0<=a_tm1<=a_t")),
    (R.abel_term, "drop beta_{1t} <= beta1", R.abel_term.without("0<=beta1_t<=beta1<1")),
    (R.abel_base, "drop u in [0, D^2]", R.abel_base.without("u in [0,D2]")),
    (R.abel_step, "drop the induction hypothesis", R.abel_step.without("IH")),
    (R.abel_step, "drop the increment bound", R.abel_step.without("step 6[Abel]")),
    (R.abel_step, "drop a_T <= a_{T+1}", R.abel_step.without("0<=a_T<=a_T1")),
    (R.abel_close, "drop u >= 0", R.abel_close.without("u>=0")),
    (R.s7_base, "drop u in [0, D^2]", R.s7_base.without("u in [0,D2]")),
    (R.s7_step, "drop step 7", R.s7_step.without("step 7")),
    (R.s7_step, "drop the induction hypothesis", R.s7_step.without("IH")),
    (R.s5_base, "drop q_{t+1} >= q_t", R.s5_base.without("q_t1>=q_t>0")),
    (R.s5_step, "drop step 5", R.s5_step.without("step 5")),
    (R.s5_close, "drop X_T >= 0", R.s5_close.without("X_T>=0")),
    (R.sum_mono, "drop the new term's bound", R.sum_mono.without("term")),
    (R.final, "compare with the ICLR constants", R.final.with_params(bound="thm4-iclr")),
]

# The fast lane (-m "not slow") keeps most mutants of each list; these, the longest cases of a one-file run
# (`pytest -p no:xdist --durations=0 tests/test_proofs_repaired.py`: most of their time is the ORIGINAL's proof,
# Z3 then cvc5's cross-check; the mutants are refuted within seconds), run in the whole suite only.
SLOW_CASES = {
    "step 6[step T->T+1]: drop the increment bound", "step 6[step T->T+1]: drop the induction hypothesis",
    "step 6[step T->T+1]: drop a_T <= a_{T+1}", "Thm4-ICLR[T=1]: drop |x_1 - x*| <= D",
    "Cor2[from thm5]: drop the schedule sums", "Thm5[sum<=bound]: compare with another bound (thm4-iclr)",
    "Thm5-step 5: drop Condition 2", "AX-step 3: drop Young", "PP4.1-geo[sum<=bound]: the harmonic schedule's total",
}


def _cases(mutants):
    """The parametrize cases of a mutant list, with their ids; the ids in SLOW_CASES are marked slow."""
    out = []
    for m in mutants:
        mid = f"{m[0].label}: {m[1]}"
        out.append(pytest.param(*m, id=mid, marks=[pytest.mark.slow] if mid in SLOW_CASES else []))
    return out


def _orig_proved(ob) -> str:
    """``ob.check(10).verdict``, checked once per original in this process: several mutants share an original
    (abel_step has three), and the original's proof is the same check each time -- also the whole audit's
    (tests/test_proofs_audit.py) when it ran in this process (tests/_checked.py)."""
    return _checked.verdict(ob, 10)



@pytest.mark.parametrize("orig,desc,mutant", _cases(MUTANTS))
def test_mutation_breaks_repaired_step(orig, desc, mutant):
    assert _orig_proved(orig) == "proved", desc
    r = mutant.check(10)
    assert r.verdict != "proved", desc
    if r.verdict == "refuted":
        ok, why = mutant.replay(r.witness)
        assert ok, why


def test_every_new_z3_step_is_mutated():
    new = [o for o in R.OBLIGATIONS if o.kind == "z3" and o.source in ("derived", "lean-note")
           and o.label.startswith(("step 6[", "step 5[", "step 7[", "sum[", "Thm4"))]
    assert {id(o) for o in new} <= {id(m[0]) for m in MUTANTS}


def test_final_reads_the_bounds_object(monkeypatch):
    # the ICLR coefficient D^2/(2(1-beta1)) on the second term cannot hold the repaired proof's D^2/(1-beta1)
    t1, t2, t3 = AB.BOUNDS["thm4-arxiv"].terms
    weak = AB.Bound("thm4-arxiv", t1 + t2 * (1 - S.beta1) / 2 + t3, "test")
    monkeypatch.setitem(AB.BOUNDS, "thm4-arxiv", weak)
    assert R.final.check(10).verdict == "refuted"


def test_final_gap_independently():
    # evaluate BOUNDS['thm4-arxiv'].expr and the step total apart (no simplification) at exact points
    rng = random.Random(13)
    syms = sorted(AB.BOUNDS["thm4-arxiv"].expr.free_symbols | R.step_bounds_total().free_symbols, key=str)
    for _ in range(30):
        b1 = Fraction(rng.randint(0, 99), 100)
        pt = {S.T: rng.randint(1, 10 ** 6), S.alpha: Fraction(rng.randint(1, 1000), 100), S.beta1: b1,
              S.beta2: Fraction(rng.randint(1, 99), 100), S.gamma: Fraction(rng.randint(0, 99), 100),
              S.D_inf: Fraction(rng.randint(0, 50), 7), S.sum_vhat_T_sqrt: Fraction(rng.randint(0, 100), 3),
              S.sum_g_norm: Fraction(rng.randint(0, 100), 3), S.sum_beta1t_vhat: Fraction(rng.randint(0, 10 ** 4), 3)}
        sub = {k: sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v for k, v in pt.items()}
        assert set(syms) <= set(sub)
        total = sp.N(R.step_bounds_total().subs(sub), 40)
        bound = sp.N(AB.BOUNDS["thm4-arxiv"].expr.subs(sub), 40)
        assert total <= bound * (1 + sp.Float("1e-30", 40)) + sp.Float("1e-30", 40)
        # and the exact gap: bound - total = D^2 sqrt(T) V/(2 alpha (1-b1)) + D^2 b1 Sb/(1-b1)^2 (by hand)
        D2, V, Sb, a = pt[S.D_inf] ** 2, pt[S.sum_vhat_T_sqrt], pt[S.sum_beta1t_vhat], pt[S.alpha]
        gap = (mpmath.mpf(D2.numerator) / D2.denominator * mpmath.sqrt(pt[S.T]) * float(V) / (2 * float(a) * (1 - float(b1)))
               + float(D2 * b1 * Sb / (1 - b1) ** 2))
        assert float(bound - total) == pytest.approx(float(gap), rel=1e-9, abs=1e-9)


# ------------------------------------------------------------------------------------------------
mp = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.mp
mp.dps = 40


def amsgrad_run(G, b1t, beta2, alpha):
    """Paper's Algorithm 2 on linear losses <g_t, x> over [-1, 1]^d, x_1 = 0, alpha_t = alpha/sqrt(t).

    Returns regret, data of the bound and the repaired proof's per-coordinate quantities."""
    T, d = len(G), len(G[0])
    x = [mp.mpf(0)] * d
    m = [mp.mpf(0)] * d
    v = [mp.mpf(0)] * d
    vh = [mp.mpf(0)] * d
    xs, ms, vhs = [], [], []
    for t in range(1, T + 1):
        g, b, at = G[t - 1], b1t[t - 1], alpha / mp.sqrt(t)
        xs.append(list(x))
        for i in range(d):
            m[i] = b * m[i] + (1 - b) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
            vh[i] = max(vh[i], v[i])
            x[i] = min(max(x[i] - at * m[i] / mp.sqrt(vh[i]), mp.mpf(-1)), mp.mpf(1))
        ms.append(list(m))
        vhs.append(list(vh))
    xs.append(list(x))
    colsum = [sum(G[t][i] for t in range(T)) for i in range(d)]
    xstar = [-1 if c > 0 else 1 for c in colsum]
    regret = sum(sum(G[t][i] * xs[t][i] for i in range(d)) for t in range(T)) + sum(abs(c) for c in colsum)
    return regret, xs, ms, vhs, xstar


def _bound_value(name, G, b1t, beta2, alpha, beta1, vhs):
    T, d = len(G), len(G[0])
    data = {S.T: T, S.alpha: alpha, S.beta1: beta1, S.beta2: beta2, S.gamma: beta1 / mp.sqrt(beta2), S.D_inf: 2,
            S.sum_vhat_T_sqrt: sum(mp.sqrt(vhs[-1][i]) for i in range(d)),
            S.sum_g_norm: sum(mp.sqrt(sum(G[t][i] ** 2 for t in range(T))) for i in range(d)),
            S.sum_beta1t_vhat: sum(b1t[t] * mp.sqrt(vhs[t][i]) * mp.sqrt(t + 1) / alpha for t in range(T) for i in range(d))}
    f = sp.lambdify(list(data), AB.BOUNDS[name].expr if name in AB.BOUNDS else R.step_bounds_total(), "mpmath")
    return f(*data.values())


@pytest.mark.parametrize("seed", range(6))
def test_repaired_bound_on_unseen_runs(seed):
    rng = random.Random(1000 + seed)
    T, d = rng.choice([5, 17, 40]), 2
    beta1 = mp.mpf(rng.choice([1, 5, 9])) / 10
    beta2 = mp.mpf(rng.choice(["0.99", "0.999"]))
    assert beta1 / mp.sqrt(beta2) < 1
    alpha = mp.mpf(rng.choice([1, 10, 100])) / 100
    kind = seed % 3  # 0: alternating beta_{1t}, 1: random in [0, beta1], 2: increasing back to beta1
    b1t = [beta1] + [beta1 * ((t % 2) if kind == 0 else (rng.random() if kind == 1 else mp.mpf(t) / T))
                     for t in range(2, T + 1)]
    G = [[mp.mpf(rng.choice([-1, 1]) * rng.randint(1, 50)) / 10 for _ in range(d)] for _ in range(T)]
    regret, xs, ms, vhs, xstar = amsgrad_run(G, b1t, beta2, alpha)
    arx = _bound_value("thm4-arxiv", G, b1t, beta2, alpha, beta1, vhs)
    tot = _bound_value("total", G, b1t, beta2, alpha, beta1, vhs)
    assert regret <= tot <= arx, (regret, tot, arx)
    # the first-term invariant of the Abel summation, per coordinate, on the run's own quantities
    for i in range(d):
        a = [mp.sqrt(vhs[t][i]) * mp.sqrt(t + 1) / alpha for t in range(T)]
        u = [(xs[t][i] - xstar[i]) ** 2 for t in range(T + 1)]
        Q = sum(a[t] / (2 * (1 - b1t[t])) * (u[t] - u[t + 1]) for t in range(T))
        S_T = sum(b1t[t] * a[t] for t in range(T))
        assert Q <= R.abel_rhs(4, beta1, a[-1], S_T) + mp.mpf(10) ** -30


# ------------------------------------------------------------------------------------------------
# Phuong & Phong Theorem 4.1 and AdamX Theorem 5.1
from proofs import pp_repairs as P  # noqa: E402

PP_MUTANTS = [
    (P.pa_base, "drop c_1 >= 0", P.pa_base.without("c_1>=0")),
    (P.pa_step1, "drop c >= 0", P.pa_step1.without("c>=0")),
    (P.pa_step1, "drop the induction hypothesis", P.pa_step1.without("IH")),
    (P.pa_step2, "drop c_{T+1} >= c_T (Lemma 4.3)", P.pa_step2.without("c_T1>=c_T")),
    (P.pa_step2, "drop u <= D^2", P.pa_step2.without("u in [0,D2]")),
    (P.pa_join, "drop c >= 0", P.pa_join.without("c>=0")),
    (P.c_mono, "drop sqrt(t-1) <= sqrt(t)", P.c_mono.without("0<=sqrt(t-1)<=sqrt(t)")),
    (P.c_bound, "drop q_t <= G", P.c_bound.without("0<=q_t<=G")),
    (P.geo_term, "drop sqrt(t) <= t", P.geo_term.without("0<=sqrt_t<=t")),
    (P.geo_step, "drop the induction hypothesis", P.geo_step.without("IH")),
    (P.geo_base, "drop P >= 0", P.geo_base.without("P>=0")),
    (P.harm_term, "drop q_t <= G", P.harm_term.without("0<=q_t<=G")),
    (P.ax_young, "constant 2 -> 3 (beyond AM-GM)", P.ax_young.with_params(k=3)),
    (P.ax_step3, "drop Young", P.ax_step3.without("Young")),
    (P.ax_mpair, "drop beta_{1t} <= beta1", P.ax_mpair.without("0<=beta1_t<=beta1<1")),
    (P.ax_l53, "drop the invariant at t-1", P.ax_l53.without("IH")),
    (P.ax_l53, "drop v_t <= G^2", P.ax_l53.without("v_t<=G^2")),
    (P.ax_uterm, "drop q_prev <= G/(1-beta1)", P.ax_uterm.without("0<=q_prev, q_prev(1-beta1)<=G")),
    (P.ax_cbound, "drop Lemma 5.3", P.ax_cbound.without("L5.3")),
    (P.final_geo, "the harmonic schedule's total", P.final_geo.with_params(total="pp-4.1-harmonic")),
    (P.final_harm, "drop d >= 1 (d may be negative)", P.final_harm.without("d>=1")),
    (P.final_ax, "compare with the printed (1-beta1) form", P.final_ax.with_params(bound="adamx-5.1")),
]


@pytest.mark.parametrize("orig,desc,mutant", _cases(PP_MUTANTS))
def test_mutation_breaks_pp_step(orig, desc, mutant):
    assert _orig_proved(orig) == "proved", desc
    r = mutant.check(10)
    assert r.verdict != "proved", desc
    if r.verdict == "refuted":
        ok, why = mutant.replay(r.witness)
        assert ok, why


def test_every_new_pp_step_is_mutated():
    new = [o for o in P.PP41_OBLIGATIONS + P.AX51_OBLIGATIONS if o.kind == "z3" and o.label.startswith(("PP-Abel", "PP-c", "PP-S", "PP-geo", "AX", "PP4.1"))]
    assert {id(o) for o in new} <= {id(m[0]) for m in PP_MUTANTS}


def test_pp_finals_read_the_bounds_objects(monkeypatch):
    t1, t2, t3 = AB.BOUNDS["pp-4.1-harmonic"].terms
    # the second term with beta1 in front is what the step bounds give; half of it is not enough
    monkeypatch.setitem(AB.BOUNDS, "pp-4.1-harmonic", AB.Bound("pp-4.1-harmonic", t1 + t2 * S.beta1 / 2 + t3, "test"))
    assert P.final_harm.check(10).verdict == "refuted"


def _t0(b1t, nmax):
    bad = [n for n in range(1, nmax) if not n * (1 - b1t(n + 1)) ** 2 <= (n + 1) * (1 - b1t(n)) ** 2]
    return max(bad) + 1 if bad else 1


@pytest.mark.parametrize("seed,schedule", [(0, "geometric"), (1, "harmonic"), (2, "geometric"), (3, "harmonic")])
def test_pp41_bound_on_unseen_runs(seed, schedule):
    rng = random.Random(2000 + seed)
    T, d = 30, 2
    beta1, beta2, alpha = mp.mpf("0.8"), mp.mpf("0.99"), mp.mpf(rng.choice([1, 10])) / 10
    lam = mp.mpf(rng.choice([1, 5, 9])) / 10
    f = (lambda t: beta1 * lam ** (t - 1)) if schedule == "geometric" else (lambda t: beta1 / t)
    t0 = _t0(f, 200)
    G = [[mp.mpf(rng.choice([-1, 1]) * rng.randint(1, 30)) / 10 for _ in range(d)] for _ in range(T)]
    Ginf = max(abs(x) for row in G for x in row)
    regret, xs, ms, vhs, xstar = amsgrad_run(G, [f(t) for t in range(1, T + 1)], beta2, alpha)
    name = f"pp-4.1-{schedule}"
    vals = {S.T: T, S.d: d, S.alpha: alpha, S.beta1: beta1, S.beta2: beta2, S.gamma: beta1 / mp.sqrt(beta2),
            S.D_inf: 2, S.G_inf: Ginf, S.lambda_: lam, P.SUM_SQRT_T0: sum(mp.sqrt(t) for t in range(1, t0 + 1)),
            S.sum_g_norm: sum(mp.sqrt(sum(G[t][i] ** 2 for t in range(T))) for i in range(d))}
    for e in (P.with_sums(AB.BOUNDS[name].expr), P.TOTALS[name]()):
        syms = sorted(e.free_symbols, key=str)
        val = sp.lambdify(syms, e, "mpmath")(*[vals[s] for s in syms])
        assert regret <= val, (regret, val)


def adamx_run(G, b1t, beta2, alpha):
    """Phuong & Phong's AdamX (their Algorithm 2), written here: v_hat_t = max(r_t^2 v_hat_{t-1}, v_t)."""
    T, d = len(G), len(G[0])
    x, m, v, vh = ([mp.mpf(0)] * d for _ in range(4))
    xs = []
    for t in range(1, T + 1):
        g, b, at = G[t - 1], b1t[t - 1], alpha / mp.sqrt(t)
        xs.append(list(x))
        for i in range(d):
            m[i] = b * m[i] + (1 - b) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
            vh[i] = v[i] if t == 1 else max(((1 - b) / (1 - b1t[t - 2])) ** 2 * vh[i], v[i])
            x[i] = min(max(x[i] - at * m[i] / mp.sqrt(vh[i]), mp.mpf(-1)), mp.mpf(1))
    colsum = [sum(G[t][i] for t in range(T)) for i in range(d)]
    return sum(sum(G[t][i] * xs[t][i] for i in range(d)) for t in range(T)) + sum(abs(c) for c in colsum)


@pytest.mark.parametrize("seed", range(3))
def test_adamx_corrected_bound_on_unseen_runs(seed):
    rng = random.Random(3000 + seed)
    T, d = 25, 2
    beta1, beta2, alpha = mp.mpf("0.9"), mp.mpf("0.999"), mp.mpf(rng.choice([1, 10])) / 10
    b1t = [beta1] + [beta1 * mp.mpf(rng.random()) for _ in range(T - 1)]  # any schedule below beta1
    G = [[mp.mpf(rng.choice([-1, 1]) * rng.randint(1, 30)) / 10 for _ in range(d)] for _ in range(T)]
    regret = adamx_run(G, b1t, beta2, alpha)
    vals = {S.T: T, S.d: d, S.alpha: alpha, S.beta1: beta1, S.beta2: beta2, S.gamma: beta1 / mp.sqrt(beta2),
            S.D_inf: 2, S.G_inf: max(abs(x) for row in G for x in row),
            P.SCHED_SUM: sum(b1t[t - 1] * mp.sqrt(t - 1) for t in range(2, T + 1)),
            S.sum_g_norm: sum(mp.sqrt(sum(G[t][i] ** 2 for t in range(T))) for i in range(d))}
    e = P.TOTALS["adamx-5.1-corrected"]()
    syms = sorted(e.free_symbols, key=str)
    assert regret <= sp.lambdify(syms, e, "mpmath")(*[vals[s] for s in syms])


# ------------------------------------------------------------------------------------------------
# Theorem 3 (beta1 > 0), the ICLR statement's rows, AdamX printed
from proofs import iclr_search as IS, thm3, thm4  # noqa: E402

OTHER_MUTANTS = [
    (thm3.C2b_m, "drop m <= M", thm3.C2b_m.without("m<=M")),
    (thm3.C2b_term, "drop the C-coin's share of v", thm3.C2b_term.without("v>=(1-beta2) beta2^(k-1) C^2")),
    (thm3.C2b_geo, "drop gamma^t >= 0", thm3.C2b_geo.without("G>=0")),
    (thm3.C2b, "drop the summed term bound", thm3.C2b.without("C2b[term] summed")),
    (thm3.C4core, "drop C >= C_0", thm3.C4core.without("C>=C0")),
    (thm3.C4R, "drop C >= 1", thm3.C4R.without("C>=1")),
    (thm3.C4b, "drop the core inequality", thm3.C4b.without("C4[beta1>0, core]")),
    (thm4.iclr_T1, "drop |x_1 - x*| <= D", thm4.iclr_T1.without("|x_1 - x*| <= D_inf")),
]


@pytest.mark.parametrize("orig,desc,mutant", _cases(OTHER_MUTANTS))
def test_mutation_breaks_other_new_step(orig, desc, mutant):
    assert _orig_proved(orig) == "proved", desc
    r = mutant.check(10)
    assert r.verdict != "proved", desc
    if r.verdict == "refuted":
        ok, why = mutant.replay(r.witness)
        assert ok, why


def test_c4_balance_at_exact_points():
    # independent of Z3: at C = C_0 the balance p T1 + (1-p)(E T2 + E T3) >= 0 in mpmath, several parameters
    for b1, b2, dl in ((0.5, 0.5, 0.1), (0.9, 0.99, 0.01), (0.1, 0.5, 1.0), (0.0, 0.3, 0.5)):
        b1, b2, dl = mp.mpf(b1), mp.mpf(b2), mp.mpf(dl)
        gam = b1 / mp.sqrt(b2)
        K2 = (1 - b1) * gam / ((1 - gam) * mp.sqrt(1 - b2))
        A = 1 / mp.sqrt(1 - b2) + K2
        C = max(2 * (1 + dl), 4 * (1 + dl) ** 2 * (2 + dl) * A ** 2 / (1 - b1) ** 2)
        p = (1 + dl) / (C + 1)
        bal = -p / mp.sqrt(1 - b2) + (1 - p) * (-K2 * p + (1 - b1) / mp.sqrt(b2 * (1 + dl) * C + 1 - b2))
        assert bal >= 0, (b1, b2, dl, bal)


def test_c2b_bound_by_monte_carlo_free_enumeration():
    # E[T2] over all 2^k coin histories of length k (exact probabilities), against -K2 p, with m, v from the recursions
    import itertools

    b1, b2, C, dl = mp.mpf("0.6"), mp.mpf("0.8"), mp.mpf(6), mp.mpf("0.1")
    p = (1 + dl) / (C + 1)
    gam = b1 / mp.sqrt(b2)
    K2 = (1 - b1) * gam / ((1 - gam) * mp.sqrt(1 - b2))
    for k in (1, 4, 8):
        ET2 = 0
        for coins in itertools.product((C, -1), repeat=k):
            m = v = mp.mpf(0)
            pr = mp.mpf(1)
            for g in coins:
                m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
                pr *= p if g == C else 1 - p
            ET2 += pr * (-b1 * m / mp.sqrt(b2 * v + 1 - b2))
        assert ET2 >= -K2 * p, (k, ET2, -K2 * p)


@pytest.mark.parametrize("form", ["iclr", "adamx"])
def test_search_worst_replays_independently(form):
    # the stored worst configuration, recomputed by a second AMSGrad / AdamX written in this file
    _, cfg, _ = IS.WORST[form]
    f = lambda x: mp.mpf(x.numerator) / x.denominator  # noqa: E731
    g, b1t = [f(x) for x in cfg[0]], [f(x) for x in cfg[1]]
    x1, alpha, beta1, beta2 = (f(x) for x in cfg[2:])
    T = len(g)
    x, m, v, vh, xs, vhs = x1, mp.mpf(0), mp.mpf(0), mp.mpf(0), [], []
    for t in range(1, T + 1):
        xs.append(x)
        m = b1t[t - 1] * m + (1 - b1t[t - 1]) * g[t - 1]
        v = beta2 * v + (1 - beta2) * g[t - 1] ** 2
        if form == "iclr" or t == 1:
            vh = max(vh, v) if form == "iclr" else v
        else:
            vh = max(((1 - b1t[t - 1]) / (1 - b1t[t - 2])) ** 2 * vh, v)
        vhs.append(vh)
        x = min(max(x - alpha / mp.sqrt(t) * m / mp.sqrt(vh), mp.mpf(-1)), mp.mpf(1))
    R = sum(gt * xt for gt, xt in zip(g, xs)) + abs(sum(g))
    name = "thm4-iclr" if form == "iclr" else "adamx-5.1"
    e = P.with_sums(AB.BOUNDS[name].expr)
    vals = {S.T: T, S.d: 1, S.alpha: alpha, S.beta1: beta1, S.beta2: beta2, S.gamma: beta1 / mp.sqrt(beta2), S.D_inf: 2,
            S.G_inf: max(abs(x) for x in g), S.sum_vhat_T_sqrt: mp.sqrt(vhs[-1]),
            S.sum_g_norm: mp.sqrt(sum(x * x for x in g)), P.SCHED_SUM: sum(b1t[t - 1] * mp.sqrt(t - 1) for t in range(2, T + 1)),
            S.sum_beta1t_vhat: sum(b1t[t - 1] * mp.sqrt(vhs[t - 1]) * mp.sqrt(t) / alpha for t in range(1, T + 1))}
    syms = sorted(e.free_symbols, key=str)
    ratio = R / sp.lambdify(syms, e, "mpmath")(*[vals[s] for s in syms])
    assert ratio == pytest.approx(float(IS.replay(form)), rel=1e-12)
    assert ratio < 1


# ------------------------------------------------------------------------------------------------
# Theorem 5 (AdamNC) and Corollary 2
from proofs import thm5_repaired as T5  # noqa: E402

T5_MUTANTS = [
    (T5.step5nc, "drop Condition 2", T5.step5nc.without("Condition 2")),
    (T5.chain, "drop Condition 1 (Lemma3-2)", T5.chain.without("Lemma3-2")),
    (T5.chain, "drop the geometric bound", T5.chain.without("geo")),
    (T5.norm_mono, "drop n_t >= n_j", T5.norm_mono.without("n_t>=n_j>0")),
    (T5.swap_step, "drop the induction hypothesis", T5.swap_step.without("IH")),
    (T5.swap_close, "drop Auer-Gentile", T5.swap_close.without("Auer-Gentile")),
    (T5.final5, "compare with another bound (thm4-iclr)", T5.final5.with_params(bound="thm4-iclr")),
    (T5.cor2_vbound, "drop g^2 <= G^2", T5.cor2_vbound.without("g^2<=G^2")),
    (T5.cor2_final, "drop the schedule sums", T5.cor2_final.without("schedule sums")),
]


@pytest.mark.parametrize("orig,desc,mutant", _cases(T5_MUTANTS))
def test_mutation_breaks_thm5_step(orig, desc, mutant):
    assert _orig_proved(orig) == "proved", desc
    r = mutant.check(10)
    assert r.verdict != "proved", desc
    if r.verdict == "refuted":
        ok, why = mutant.replay(r.witness)
        assert ok, why


@pytest.mark.parametrize("seed", range(3))
def test_cor2_bound_on_unseen_adamnc_runs(seed):
    # AdamNC written here: beta_{2t} = 1 - 1/t (v_t = mean of g^2), beta_{1t} = beta1 lambda^(t-1), x_1 = 0
    rng = random.Random(4000 + seed)
    T, d = 30, 2
    beta1, lam, alpha = mp.mpf("0.9"), mp.mpf(rng.choice([1, 5, 9])) / 10, mp.mpf(rng.choice([1, 10])) / 10
    G = [[mp.mpf(rng.choice([-1, 1]) * rng.randint(1, 30)) / 10 for _ in range(d)] for _ in range(T)]
    x, m, v = [mp.mpf(0)] * d, [mp.mpf(0)] * d, [mp.mpf(0)] * d
    xs = []
    for t in range(1, T + 1):
        b = beta1 * lam ** (t - 1)
        xs.append(list(x))
        for i in range(d):
            m[i] = b * m[i] + (1 - b) * G[t - 1][i]
            v[i] = (1 - mp.mpf(1) / t) * v[i] + G[t - 1][i] ** 2 / t
            x[i] = min(max(x[i] - alpha / mp.sqrt(t) * m[i] / mp.sqrt(v[i]), mp.mpf(-1)), mp.mpf(1))
    colsum = [sum(G[t][i] for t in range(T)) for i in range(d)]
    regret = sum(sum(G[t][i] * xs[t][i] for i in range(d)) for t in range(T)) + sum(abs(c) for c in colsum)
    vals = {S.T: T, S.d: d, S.alpha: alpha, S.beta1: beta1, S.D_inf: 2, S.G_inf: max(abs(x) for row in G for x in row),
            S.lambda_: lam, S.sum_g_norm: sum(mp.sqrt(sum(G[t][i] ** 2 for t in range(T))) for i in range(d))}
    e = AB.BOUNDS["cor2"].expr
    syms = sorted(e.free_symbols, key=str)
    assert regret <= sp.lambdify(syms, e, "mpmath")(*[vals[s] for s in syms])
