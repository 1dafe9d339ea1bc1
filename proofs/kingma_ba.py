"""Kingma & Ba (2015) Theorem 4.1 / 10.5: where its telescoping step assumes Gamma_t >= 0.

The proof bounds sum_t u_t (c_t - c_{t-1}) by D^2 sum_t (c_t - c_{t-1}) with u_t = (theta_t - theta*)^2
in [0, D^2] and c_t = sqrt(v_hat_t)/alpha_t: valid only when every increment -- every diagonal entry
of Gamma_t (eq. 2 of Reddi et al.) -- is >= 0.  For Adam it is not (Reddi et al. §3; docs/references.md, literature §2);
AMSGrad's max makes it so.  Witness: Reddi's Theorem 1 sequence scaled as in the Lean project, C = 3,
beta1 = 0, beta2 = 1/100, alpha_t = (1/2)/sqrt(t): v_1 = 891/100, v_2 = 10791/10000, Gamma_2 = -3.0318.
"""
from __future__ import annotations

import sympy as sp

from numerics import adam

from .obligation import Theorem, exact_step, z3_step
from .runs import trace


def _lr_setting(N, p):
    a, b2, t, v, g = N.var("alpha"), N.var("beta2"), N.var("t"), N.var("v"), N.var("g")
    H = {"alpha>0": a > 0, "0<beta2<1": N.And(b2 > 0, b2 < 1), "t>=1": t >= 1, "v>=0": v >= 0}
    return a, b2, t, v, g, H


@z3_step("KB-Gamma[Adam]", "Adam: sqrt(v_{t+1})/alpha_{t+1} >= sqrt(v_t)/alpha_t for every v_t >= 0, g "
         "(Gamma_{t+1} >= 0, alpha_t = alpha/sqrt t)", "follow-up", expected="refuted")
def gamma_adam(N, p):
    a, b2, t, v, g, H = _lr_setting(N, p)
    vn = b2 * v + (1 - b2) * g * g
    return H, N.sqrt(vn) * N.sqrt(t + 1) / a >= N.sqrt(v) * N.sqrt(t) / a


@z3_step("KB-Gamma[AMSGrad]", "AMSGrad: sqrt(v_hat_{t+1})/alpha_{t+1} >= sqrt(v_hat_t)/alpha_t, "
         "v_hat_{t+1} = max(v_hat_t, beta2 v_t + (1-beta2) g^2)", "main")
def gamma_ams(N, p):
    a, b2, t, v, g, H = _lr_setting(N, p)
    vh = N.var("v_hat")
    H["v_hat>=v"] = vh >= v
    vhn = N.max(vh, b2 * v + (1 - b2) * g * g)
    return H, N.sqrt(vhn) * N.sqrt(t + 1) / a >= N.sqrt(vh) * N.sqrt(t) / a


def _gamma2(backend, beta2, alpha):
    C = 3
    return trace(adam(alpha=alpha, beta1=0, beta2=beta2), [C, -1, -1], 2, x1=1, backend=backend)


@exact_step("KB-Gamma2", "Gamma_2 >= 0 on Reddi's sequence, C = 3, beta1 = 0, beta2 = 1/100, "
            "alpha = 1/2 (numerics Adam, SymPy backend)", "follow-up", expected="refuted",
            replay=lambda p, w: _gamma2_negative_in_balls("1/100", "1/2"))
def gamma2(p):
    tr = _gamma2("sympy", sp.Rational(1, 100), sp.Rational(1, 2))
    r = tr.rounds
    G2 = sp.simplify(r[1].inv_lr - r[0].inv_lr)
    w = {"v_1": str(r[0].state.v), "v_2": str(r[1].state.v), "Gamma_2": str(sp.N(G2, 12)),
         "Gamma_2 (exact)": str(G2)}
    if G2 >= 0:
        return "proved", w, "exact"
    return "refuted", w, "Gamma_2 < 0 exactly"


def _gamma2_negative_in_balls(beta2, alpha):
    """the two rounds re-run in arb balls (numerics Adam): Gamma_2 < 0 for certain"""
    tm = _gamma2("arb", beta2, alpha)
    with tm.backend.precision():
        g = tm.rounds[1].inv_lr - tm.rounds[0].inv_lr
        return True if g < 0 else (False if g >= 0 else None)


@exact_step("KB-Gamma2[F3]", "alpha Gamma_2 >= 0 on Theorem 1's own setting C = 3, beta2 = 1/10, "
            "alpha = 1", "main", expected="refuted",
            replay=lambda p, w: _gamma2_negative_in_balls("1/10", 1))
def gamma2_f3(p):
    tr = _gamma2("sympy", sp.Rational(1, 10), 1)
    r = tr.rounds
    G2 = sp.simplify(r[1].inv_lr - r[0].inv_lr)
    w = {"v_1": str(r[0].state.v), "v_2": str(r[1].state.v), "alpha Gamma_2": str(sp.N(G2, 12))}
    if G2 >= 0:
        return "proved", w, "exact"
    return "refuted", w, "sqrt(2*1.71) - sqrt(8.1) < 0"


def _tele(N, p, monotone):
    E = N.var("E")
    H = {"E>=0": E >= 0}
    us = [N.var(f"u{k}") for k in (1, 2, 3)]
    cs = [N.var(f"c{k}") for k in (0, 1, 2, 3)]
    for k, u in enumerate(us, 1):
        H[f"0<=u{k}<=E"] = N.And(u >= 0, u <= E)
    if monotone:
        # the increments named: c_k = c_{k-1} + d_k with d_k >= 0.  The same claim, but cvc5 confirms
        # it in 0.2 s in this form and not in 20 s with the c_k free (measured)
        ds = [N.var(f"d{k}") for k in (1, 2, 3)]
        cs = [cs[0]]
        for k, d in enumerate(ds, 1):
            H[f"c{k}>=c{k - 1}"] = d >= 0
            cs.append(cs[-1] + d)
    lhs = sum(us[k - 1] * (cs[k] - cs[k - 1]) for k in (1, 2, 3))
    return H, lhs <= E * (cs[3] - cs[0])


@z3_step("KB-telescope", "sum_t u_t (c_t - c_{t-1}) <= E (c_T - c_0) for u_t in [0, E] (T = 3, no sign "
         "condition on the increments)", "follow-up", expected="refuted")
def tele(N, p):
    return _tele(N, p, False)


@z3_step("KB-telescope[Gamma>=0]", "the same with c_t >= c_{t-1} (Gamma_t >= 0), T = 3", "follow-up")
def tele_mono(N, p):
    return _tele(N, p, True)


@z3_step("KB-telescope-step", "induction step for every T: 0 <= u <= E and c >= c' give "
         "u (c - c') <= E (c - c')", "follow-up")
def tele_step(N, p):
    u, E, c, c0 = N.var("u"), N.var("E"), N.var("c"), N.var("c_prev")
    return {"0<=u<=E": N.And(u >= 0, u <= E), "c>=c_prev": c >= c0}, u * (c - c0) <= E * (c - c0)


def _coef(N, p, sign):
    a, b1, b1t, P, dlt = N.var("alpha_t"), N.var("beta1"), N.var("beta1_t"), N.var("beta1^t"), N.var("Delta")
    H = {"alpha_t>0": a > 0, "0<=beta1<1": N.And(b1 >= 0, b1 < 1),
         "0<=beta1_t<=beta1": N.And(b1t >= 0, b1t <= b1), "0<=beta1^t<=beta1 (t>=1)": N.And(P >= 0, P <= b1)}
    if sign:
        H["Delta>=0"] = dlt >= 0
    else:  # refute on a realisable instance: round t = 1, where beta1^t = beta1 exactly
        H["t=1: beta1^t=beta1"] = P == b1
    return H, (1 - P) / (2 * a * (1 - b1t)) * dlt <= dlt / (2 * a * (1 - b1))


@z3_step("KB-coef", "(1-beta1^t)/(2 alpha_t (1-beta1_t)) Delta <= Delta/(2 alpha_t (1-beta1)) for the "
         "signed difference Delta = (theta_t-theta*)^2 - (theta_{t+1}-theta*)^2", "follow-up",
         expected="refuted")
def coef(N, p):
    return _coef(N, p, False)


@z3_step("KB-coef[Delta>=0]", "the same replacement when Delta >= 0", "follow-up")
def coef_pos(N, p):
    return _coef(N, p, True)


@z3_step("KB-L10.4", "Lemma 10.4's proof (2G/((1-gamma)^2 sqrt(1-beta2))) yields its statement "
         "(2/((1-gamma) sqrt(1-beta2)))", "follow-up", expected="refuted")
def lemma104(N, p):
    G, g, b2 = N.var("G_inf"), N.var("gamma"), N.var("beta2")
    H = {"G>0": G > 0, "0<=gamma<1": N.And(g >= 0, g < 1), "0<beta2<1": N.And(b2 > 0, b2 < 1)}
    s = N.sqrt(1 - b2)
    return H, 2 * G / ((1 - g) * (1 - g) * s) <= 2 / ((1 - g) * s)


OBLIGATIONS = [gamma_adam, gamma2, gamma2_f3, gamma_ams, tele, tele_mono, tele_step, coef, coef_pos,
               lemma104]


def summarize(r: dict) -> str:
    return (f"Kingma & Ba Thm 4.1: telescoping needs Gamma_t >= 0 -- for Adam "
            f"{r['KB-Gamma[Adam]'].verdict} (Gamma_2 = {r['KB-Gamma2'].witness.get('Gamma_2', '?')[:8]}), "
            f"for AMSGrad {r['KB-Gamma[AMSGrad]'].verdict}; the beta1_t -> beta1 coefficient swap "
            f"{r['KB-coef'].verdict}.  Statement survives? NOT ESTABLISHED by this proof.")


def statement(r: dict):
    """The statement's verdict from analysis' numeric refutation (the same run as ``python -m analysis``)."""
    from analysis.evaluate import kb_projected_refutation

    w = kb_projected_refutation()
    if w["refuted"]:
        return ("refuted", f"REFUTED for Adam projected onto F = [-1, 1] (Reddi's setting): regret/bound = "
                f"{w['ratio']:.3g} > 1 at T = {w['T']} ({w['run']}, {w['hyper']}; analysis, mpmath "
                f"{w['dps']} digits); this does not refute Kingma & Ba's unprojected algorithm")
    return ("unknown", f"not refuted by analysis' run (regret/bound = {w['ratio']:.3g} at T = {w['T']})")


THEOREM = Theorem("kingma-ba", "Kingma & Ba (2015) Theorem 4.1: the Gamma_t >= 0 telescoping step",
                  OBLIGATIONS, summarize, statement=statement)
