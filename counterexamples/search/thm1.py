"""Theorem 1 in the search: the 3-periodic family with beta1 = 0, its witness and Z3 facts.

Theorem 1: g_t = C at t mod 3 = 1, else -1, beta1 = 0, beta2 = 1/(1+C^2), alpha_t = alpha/sqrt(t) with
alpha < sqrt(1-beta2) (the step condition of A2 is RECONSTRUCTED), C > 2.

Beyond the paper's argument, the exact drift test (:mod:`counterexamples.drift`) gives a statement for
the whole family: D(C) = -C/sqrt(v_0) + 1/sqrt(v_1) + 1/sqrt(v_2) > 0 for *every* C > 2, so Adam's
iterate reaches +1 for every alpha > 0, not only alpha < sqrt(1-beta2).  Z3 proves it as four lemmas
(the monolithic query takes ~20 s, the split one milliseconds):

  La  C <= 112/100 s0     (s0 = sqrt(v_0); v_0 = (C^2-1)/(1+beta2+beta2^2) + 1)
  Lb  s1 <= 1415/1000     (s1 = sqrt(v_1) = sqrt(c beta2 + 1))
  Lc  s2 <= 108/100       (s2 = sqrt(v_2))
  Ld  C <= 1.12 s0, 0 < s1 <= 1.415, 0 < s2 <= 1.08  =>  -C s1 s2 + s0 s2 + s0 s1 > 0  (i.e. D > 0).
"""
from __future__ import annotations

from analysis.conditions import RECON_T1, thm1_beta2, thm1_step_ok  # noqa: F401 (RECON_T1: re-used by search)
from analysis.interval import arb_precision

from .. import drift as dr


def _z3_family(C, B):
    """(s0, s1, s2, hypotheses) for the steady state of the beta1 = 0, n = 3 family."""
    from proofs.z3kit import sqrt_of

    S2 = 1 + B + B * B
    c = (C * C - 1) / S2
    s0, h0 = sqrt_of(c + 1, "s0")
    s1, h1 = sqrt_of(c * B + 1, "s1")
    s2, h2 = sqrt_of(c * B * B + 1, "s2")
    return s0, s1, s2, h0 + h1 + h2


def thm1_drift_lemmas(timeout_s: float = 10.0) -> dict:
    """Z3: D > 0 on the Theorem 1 family for every C > 2, as lemmas La-Ld. name -> verdict dict."""
    import z3

    from proofs.z3kit import Q, prove

    C, B = z3.Reals("C beta2")
    s0, s1, s2, hyp = _z3_family(C, B)
    fam = [C > 2, B * (1 + C * C) == 1]
    out = {}
    for name, claim, extra in (
        ("La", C <= Q(112, 100) * s0, []),
        ("Lb", s1 <= Q(1415, 1000), []),
        ("Lc", s2 <= Q(108, 100), []),
    ):
        v = prove(claim, fam + hyp + extra, timeout_s=timeout_s)
        out[name] = dict(status=v.status, seconds=round(v.seconds, 4), engine=v.engine, reason=v.reason)
    S0, S1, S3, Cc = z3.Reals("S0 S1 S2 Cc")
    v = prove(-Cc * S1 * S3 + S0 * S3 + S0 * S1 > 0,
              [Cc > 2, S0 > 0, Cc <= Q(112, 100) * S0, S1 > 0, S1 <= Q(1415, 1000), S3 > 0,
               S3 <= Q(108, 100)], timeout_s=timeout_s)
    out["Ld"] = dict(status=v.status, seconds=round(v.seconds, 4), engine=v.engine, reason=v.reason)
    out["all_C_gt_2_diverge"] = all(x["status"] == "proved" for x in out.values())
    return out


def thm1_find(timeout_s: float = 10.0):
    """Z3 finds (C, alpha): C > 2, beta2 (1+C^2) = 1, 0 < alpha, alpha^2 < 1 - beta2, D > 0."""
    import z3

    from proofs.z3kit import find, value_fraction

    C, B, a = z3.Reals("C beta2 alpha")
    s0, s1, s2, hyp = _z3_family(C, B)
    r = find([C > 2, C < 10, B * (1 + C * C) == 1, a > 0, a * a < 1 - B,
              -C * s1 * s2 + s0 * s2 + s0 * s1 > 0] + hyp, variables=[C, B, a], timeout_s=timeout_s,
             engines=["nlsat"])  # one engine: the same model on every run (the portfolio can vary with load)
    if r.status != "sat":
        return None, r
    m = r.raw_model
    Cq = value_fraction(m.eval(C, model_completion=True), 12)
    aq = value_fraction(m.eval(a, model_completion=True), 12)
    return (Cq, aq, r.model), r


def thm1_conditions(C, alpha) -> dict:
    """Exact / ball re-check of the Theorem 1 witness, without Z3."""
    Cq, a = dr.q(C), dr.q(alpha)
    b2 = thm1_beta2(Cq)
    # F2: first block (t = 0, v_0 = 0): T1 <= T2 by balls
    from flint import arb

    with arb_precision(128):
        A = lambda x: arb(dr.q(x).numerator) / dr.q(x).denominator
        v1 = (1 - b2) * Cq * Cq
        v2 = b2 * v1 + (1 - b2)
        T1 = A(a * Cq) / A(v1).sqrt()
        T2 = A(a) / (2 * A(b2 * v1 + 1 - b2)).sqrt() + A(a) / (3 * A(b2 * v2 + 1 - b2)).sqrt()
        first = bool(T2 - T1 > 0)
    s = dr.drift_sign(0, b2, Cq, 3)
    return {
        "C>2": Cq > 2,
        "beta1=0": True,
        "beta2*(1+C^2)=1": b2 * (1 + Cq * Cq) == 1,
        "alpha^2<1-beta2 (RECONSTRUCTED)": thm1_step_ok(Cq, a),
        "A7 identity (beta2 C^2+1-beta2)/2 = 1-beta2": (b2 * Cq * Cq + 1 - b2) / 2 == 1 - b2,
        "first block T1<=T2 at t=0 (F2)": first,
        "drift D>0": s.sign == 1,
    }, b2, s
