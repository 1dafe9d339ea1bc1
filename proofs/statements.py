"""Statements as kernel formulas: the glue of each chain assembled in :mod:`proofs.kernel`.

A statement is PROVED *by the kernel* iff :func:`proofs.kernel.certify` accepts a ``kdrag.Proof`` of its
formula whose dependencies are definitions, step proofs (the audit's Z3-decided obligations, instantiated),
kdrag's induction over the integers and the named axioms of its trusted base.  Anything else -- a step
that is not PROVED (UNKNOWN, EVIDENCE, a finite instance), a premise that has no kernel proof, a solver
that does not close a glue lemma -- leaves the statement NOT ESTABLISHED, with the reason.

Statements with a kernel proof (:data:`BUILDERS`): lemma-moment, thm4-arxiv, cor1 (corrected form), thm1, pp-4.1
(geometric schedule, :mod:`proofs.kernel_pp`), adamx-5.1 (corrected (1-beta1)^2 form, :mod:`proofs.kernel_adamx`), thm5
and cor2 (corrected form; :mod:`proofs.kernel_thm5`) and thm6 (:mod:`proofs.kernel_thm6`); the trusted base of
lemma-moment, thm4-arxiv, cor1, pp-4.1 and adamx-5.1 is the one axiom L7 on log, the others' is empty.  What stops the
others is in :data:`WHY_NOT` and in each NOT ESTABLISHED reason.  Parts of a chain with a kernel proof for a statement
without one (:data:`PARTIAL`, empty today) are built and certified by the audit (``kernel_part``); the statement stays
NOT ESTABLISHED.  :func:`coordinate_invariant` (the per-coordinate chain, the first term a parameter, AMSGrad's or,
with :data:`proofs.kernel_thm5.ADAMNC`, AdamNC's) is shared by thm4-arxiv, cor1, pp-4.1, thm5 and cor2;
:func:`geo_schedule_sums` and :func:`step4` by thm4-arxiv, cor1 and pp-4.1.

Theorem 4, arXiv form (the headline), over sequences = uninterpreted functions of the coordinate i and
the round t (no axiom constrains them but the statement's hypotheses, so a proof holds for every
sequence): bt(t) = beta_{1t}, q(i,t) = sqrt(v_hat_{t,i}), al(t) = alpha_t, m, g, x (iterates), xs (x*),
lo, hi (the box F), v (second moment), sqrt_v, sqrt_t, norm_g, log, sqrt_1_log, fd(t) = f_t(x_t) - f_t(x*).
Defined from them (``kd.define``): a = q/al, u = (x - xs)^2, c = a/(2(1-bt)), y, X (the m-terms of step 3),
w (step 7's term), k = al m^2/q, gd = g (x - xs); recursively (sums over t): Q, S, W, P, K, Rg, Reg and the
moment lemma's Bm, Z, U, Hs, Gn, Hm; over the coordinates: RR, AA, SS, KK, VQ, NN, Gd.  The formula
(:func:`thm4_arxiv`, ``out["formula"]``):

    for every d >= 1, T >= 1 and sequences meeting AMSGrad's hypotheses Hyp(i), HypM(i) for i <= d and
    convexity fd(t) <= Gd(d, t) = <g_t, x_t - x*>:   Reg(T) = R_T <= BOUNDS['thm4-arxiv'].expr

with sum_vhat_T_sqrt = VQ(d, T), sum_beta1t_vhat = SS(d, T), sum_g_norm = NN(d, T), sqrt(T) = sqrt_t(T),
sqrt(1 + log T) = sqrt_1_log(T).  The chain: steps 2-3 split per round; steps 5, 6 (Abel), 7 summed over t by
kernel induction; the sum over the coordinates by induction; the moment lemma (:func:`moment_lemma`, four
inductions, its kernel Proof passed in as a Proof); the audit's final step (sum of the step bounds <= BOUNDS)
instantiated at the sums; step 4 (convexity as a hypothesis, the exchange of the sums by induction).  Trusted
base: the named axiom L7 on log (:data:`LOG_AXIOM`).
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import z3

from . import kernel as K
from .step_bounds import abel_rhs, mterm_sum_rhs, step7_sum_rhs, step_bounds_rhs

Int, Real = z3.IntSort(), z3.RealSort()
NOT_ESTABLISHED = "not established"
KERNEL_PROVED = "proved by the kernel"


class Missing(Exception):
    """A statement needs a step or premise that has no kernel proof."""


def need_step(steps: dict, label: str) -> K.KStep:
    st = steps.get(label)
    if st is None:
        raise Missing(f"step {label!r} has no kernel proof (it is not PROVED by Z3 for its whole domain)")
    return st


# ------------------------------------------------------------------------------------------------
class Once:
    """Made once per process: kernel definitions are global names in kdrag, so a second instance would
    redefine them."""

    _made = None

    @classmethod
    def get(cls):
        if cls.__dict__.get("_made") is None:
            cls._made = cls()
        return cls._made


class Thm4Vocabulary(Once):
    """The sequences, definitions and sums of Theorem 4's kernel statement (made once per process)."""

    def __init__(self):
        i, t, T, n = z3.Ints("i t T n")
        F2 = lambda name: z3.Function(name, Int, Int, Real)  # noqa: E731
        self.bt, self.al = z3.Function("bt", Int, Real), z3.Function("al", Int, Real)
        self.q, self.m, self.g, self.x = F2("q"), F2("m"), F2("g"), F2("x")
        self.xs, self.lo, self.hi = (z3.Function(s, Int, Real) for s in ("xs", "lo", "hi"))
        self.B, self.Dc = z3.Real("beta1"), z3.Real("D_inf")
        bt, al, q, m, g, x, xs = self.bt, self.al, self.q, self.m, self.g, self.x, self.xs
        D = K.define
        self.a = D("a", [i, t], q(i, t) / al(t))
        self.u = D("u", [i, t], (x(i, t) - xs(i)) * (x(i, t) - xs(i)))
        self.c = D("c", [i, t], self.a(i, t) / (2 * (1 - bt(t))))
        self.y = D("y", [i, t], al(t) * m(i, t) * m(i, t) / (2 * (1 - bt(t)) * q(i, t)))
        self.X = D("X", [i, t], bt(t + 1) * al(t + 1) * m(i, t) * m(i, t) / (2 * (1 - bt(t + 1)) * q(i, t + 1)))
        self.w = D("w", [i, t], bt(t) * self.a(i, t) * self.u(i, t) / (2 * (1 - bt(t))))
        self.k = D("k", [i, t], al(t) * m(i, t) * m(i, t) / q(i, t))
        self.gd = D("gd", [i, t], g(i, t) * (x(i, t) - xs(i)))
        zero = z3.RealVal(0)
        a, c, u, y, X, w, k, gd = self.a, self.c, self.u, self.y, self.X, self.w, self.k, self.gd
        R = K.define_rec
        self.Q = R("Q", [i, T], Real, lambda f: z3.If(T <= 0, zero, f(i, T - 1) + c(i, T) * (u(i, T) - u(i, T + 1))))
        self.S = R("S", [i, T], Real, lambda f: z3.If(T <= 0, zero, f(i, T - 1) + bt(T) * a(i, T)))
        self.W = R("W", [i, T], Real, lambda f: z3.If(T <= 0, zero, f(i, T - 1) + w(i, T)))
        self.P = R("P", [i, T], Real, lambda f: z3.If(T <= 0, zero, f(i, T - 1) + y(i, T) + X(i, T - 1)))
        self.K = R("K", [i, T], Real, lambda f: z3.If(T <= 0, zero, f(i, T - 1) + k(i, T)))
        self.Rg = R("Rg", [i, T], Real, lambda f: z3.If(T <= 0, zero, f(i, T - 1) + gd(i, T)))
        Qs, Ss, Ks, Rs = self.Q, self.S, self.K, self.Rg
        self.RR = R("RR", [n, T], Real, lambda f: z3.If(n <= 0, zero, f(n - 1, T) + Rs(n, T)))
        self.AA = R("AA", [n, T], Real, lambda f: z3.If(n <= 0, zero, f(n - 1, T) + a(n, T)))
        self.SS = R("SS", [n, T], Real, lambda f: z3.If(n <= 0, zero, f(n - 1, T) + Ss(n, T)))
        self.KK = R("KK", [n, T], Real, lambda f: z3.If(n <= 0, zero, f(n - 1, T) + Ks(n, T)))
        del Qs
        self.Hyp = K.define("Hyp", [i], z3.And(*self.hyp(i).values()))
        _moment_vocabulary(self)
        _cor1_vocabulary(self)

    def hyp_moment(self, i):
        """The moment lemma's hypotheses for coordinate i (:func:`_hyp_moment`)."""
        return _hyp_moment(self, i)

    def clamp(self, v, i):
        lo, hi = self.lo(i), self.hi(i)
        mx = z3.If(v >= lo, v, lo)
        return z3.If(mx <= hi, mx, hi)

    def hyp_pred(self):
        """The defining axiom of Hyp(i) = And(AMSGrad's hypotheses for coordinate i)."""
        return K.defn(self.Hyp)

    def hyp(self, i):
        """AMSGrad's hypotheses for coordinate i (each quantified over the rounds t >= 1)."""
        t = z3.Int("t")
        bt, al, q, m, g, x, xs, lo, hi, B = (self.bt, self.al, self.q, self.m, self.g, self.x, self.xs, self.lo,
                                             self.hi, self.B)
        A = lambda body: z3.ForAll([t], z3.Implies(t >= 1, body))  # noqa: E731
        return {
            "0<=beta1_t<=beta1<1": z3.And(B < 1, A(z3.And(bt(t) >= 0, bt(t) <= B))),
            "q_{t+1}>=q_t>0 (v_hat max)": A(z3.And(q(i, t) > 0, q(i, t + 1) >= q(i, t))),
            "0<alpha_{t+1}<=alpha_t": A(z3.And(al(t) > 0, al(t + 1) <= al(t))),
            "m_0=0, m_t=bt m_{t-1}+(1-bt) g_t": z3.And(m(i, 0) == 0, A(m(i, t) == bt(t) * m(i, t - 1)
                                                                        + (1 - bt(t)) * g(i, t))),
            "x*, x_t in F=[lo,hi]": z3.And(lo(i) < hi(i), xs(i) >= lo(i), xs(i) <= hi(i),
                                          A(z3.And(x(i, t) >= lo(i), x(i, t) <= hi(i)))),
            "x_{t+1}=Pi_F(x_t - alpha_t m_t/q_t)": A(x(i, t + 1) == self.clamp(x(i, t) - al(t) * m(i, t) / q(i, t), i)),
            "|x_t-x*|<=D_inf": z3.And(self.Dc >= 0, A((x(i, t) - xs(i)) * (x(i, t) - xs(i)) <= self.Dc * self.Dc)),
        }


def scalar_lemma(name: str, names: str, build, engine: str | None = "nlsat", timeout_s: float = 20.0):
    """|= ForAll reals: build(*reals), proved on fresh variables (nlsat: no function symbols in it)."""
    vs = [K.fresh(n) for n in names.split()]
    pf = K.prove(build(*vs), name=name, timeout_s=timeout_s, engine=engine)
    return K.generalize(vs, pf, name=name)


CACHE: dict = {}


def division_lemma(timeout_s):
    if "div" not in CACHE:
        def build(A, Q, b, G, d0, d1, M0, Mp, M):
            N = Q * Q * (d0 * d0 - d1 * d1) + A * A * M0 * M0 + b * A * A * Mp * Mp + b * Q * Q * d0 * d0
            four = (Q / A / (2 * (1 - b)) * (d0 * d0 - d1 * d1) + A * M * M / (2 * (1 - b) * Q)
                    + b * A * Mp * Mp / (2 * (1 - b) * Q) + b * (Q / A) * (d0 * d0) / (2 * (1 - b)))
            return z3.Implies(z3.And(A > 0, Q > 0, b >= 0, b < 1, M0 == M, 2 * A * Q * (1 - b) * G * d0 <= N),
                              G * d0 <= four)
        CACHE["div"] = scalar_lemma("step 3 divided by 2 alpha_t q (1 - beta_1t) > 0", "A Q b G d0 d1 M0 Mp M", build,
                                     timeout_s=timeout_s)
    return CACHE["div"]


def _ineq1_lemma(timeout_s):
    if "ineq1" not in CACHE:
        CACHE["ineq1"] = scalar_lemma(
            "inequality (1), general: q_{t+1} >= q_t > 0, 0 < alpha_{t+1} <= alpha_t => q_{t+1}/alpha_{t+1} >= q_t/alpha_t",
            "q0 q1 A0 A1", lambda q0, q1, A0, A1: z3.Implies(z3.And(q0 > 0, q1 >= q0, A1 > 0, A1 <= A0),
                                                             z3.And(q1 / A1 >= q0 / A0, q0 / A0 >= 0)), timeout_s=timeout_s)
    return CACHE["ineq1"]


def step7_lemma(timeout_s):
    if "s7" not in CACHE:
        def build(q, A, b, B, u, D2, w, a):
            return z3.Implies(z3.And(q > 0, A > 0, b >= 0, b <= B, B < 1, u >= 0,
                                     b * q * u / (2 * A * (1 - b)) <= D2 * b * q / (2 * A * (1 - B)),
                                     w == b * a * u / (2 * (1 - b)), a == q / A), 2 * (1 - B) * w <= D2 * b * a)
        CACHE["s7"] = scalar_lemma("step 7 in the sequences' terms (a = q/alpha, u = d^2)", "q A b B u D2 w a", build,
                                    timeout_s=timeout_s)
    return CACHE["s7"]


def times_lemma(timeout_s):
    if "times" not in CACHE:
        CACHE["times"] = scalar_lemma("s <= k/(1-beta1), beta1 < 1 => (1-beta1) s <= k", "s k B",
                                       lambda s, k, B: z3.Implies(z3.And(B < 1, s <= k / (1 - B)), (1 - B) * s <= k),
                                       timeout_s=timeout_s)
    return CACHE["times"]


def _additive_lemma(timeout_s):
    if "add" not in CACHE:
        def build(D2, B, A, a, S, s, Kx, k):
            return z3.Implies(B < 1, step_bounds_rhs(D2, B, A + a, S + s, Kx + k)
                              == step_bounds_rhs(D2, B, A, S, Kx) + step_bounds_rhs(D2, B, a, s, k))
        CACHE["add"] = scalar_lemma("sum over i (re-posed to the solver): the step bounds are additive in their data",
                                     "D2 B A a S s K k", build, engine=None, timeout_s=timeout_s)
    return CACHE["add"]


def times_q_lemma(timeout_s):
    if "tq" not in CACHE:
        def build(q, dn, d, A, M, M2, dn2):
            return z3.Implies(z3.And(q > 0, q * dn * dn <= q * d * d + A * A * M * M / q - 2 * A * M * d, M == M2,
                                     dn == dn2),
                              q * q * dn2 * dn2 <= q * q * d * d + A * A * M2 * M2 - 2 * A * M2 * d * q)
        CACHE["tq"] = scalar_lemma("step 2 times q > 0 (m_t, x_{t+1} by their equations)", "q dn d A M M2 dn2",
                                    build, timeout_s=timeout_s)
    return CACHE["tq"]


def definitions_of(V, *fs):
    return [K.defn(f) for f in fs]


class CoordinateChain(NamedTuple):
    """What an algorithm's per-coordinate chain (:func:`coordinate_invariant`) does not share with AMSGrad's.

    The chain (steps 2-3, 7, 5 and, with ``first``, step 6) needs at every round Gamma_{t+1} =
    sqrt(V_{t+1})/alpha_{t+1} - sqrt(V_t)/alpha_t >= 0 (PSD), per coordinate a_{t+1} >= a_t >= 0 with a_t =
    q_t/alpha_t (the paper's Gamma_t PSD of its Step 6; "inequality (1)" in Phuong & Phong's numbering,
    :mod:`proofs.phuong_phong` PP-(1)).  AMSGrad gets it from its running max, q_{t+1} >= q_t > 0, and 0 < alpha_{t+1} <= alpha_t
    (:data:`AMSGRAD`); AdamNC assumes it (Theorem 5's Condition 2,
    :data:`proofs.kernel_thm5.ADAMNC`), and without a monotone q its step 5 is the audit's Thm5-step 5, whose base
    T = 1 comes from its induction step at T = 0 (m_0 = 0) instead of step 5[base T=1].

    ``name``: whose hypotheses (the round facts' lemma name); ``prefix``: before the chain's lemma names; ``hyp(i)``:
    coordinate i's hypotheses (a dict, as :meth:`Thm4Vocabulary.hyp`); ``gamma_facts(q_t, q_{t+1}, alpha_t,
    alpha_{t+1})``: the round's facts on them, in the hypotheses' order; ``gamma_name``: where a_{t+1} >= a_t comes
    from; ``gamma_lemma(timeout_s)``: |= ForAll q0 q1 A0 A1: gamma_facts => q1/A1 >= q0/A0 >= 0; ``step5``: the
    audit's step 5 label; ``step5_base(steps)``: asks for the steps it reads and returns ``by(ctx)``, the proofs
    that give the m-terms' part of the invariant at T = 1.

    >>> AMSGRAD.step5, AMSGRAD.gamma_name
    ('step 5', 'inequality (1), general form')
    """

    name: str
    prefix: str
    hyp: Callable
    gamma_facts: Callable
    gamma_name: str
    gamma_lemma: Callable
    step5: str
    step5_base: Callable


def _amsgrad_step5_base(steps):
    """Step 5's base T = 1: the audit's step 5[base T=1] (which reads q_2 >= q_1)."""
    b5 = need_step(steps, "step 5[base T=1]")

    def by(ctx):
        V, i, one, I = ctx["V"], ctx["i"], ctx["one"], ctx["I"]
        P, Kt, X, y, k, q, al, bt, m = V.P, V.K, V.X, V.y, V.k, V.q, V.al, V.bt, V.m
        return [I(P, i, one), I(P, i, z3.IntVal(0)), I(Kt, i, one), I(Kt, i, z3.IntVal(0)), I(X, i, z3.IntVal(0)),
                I(X, i, one), I(y, i, one), I(k, i, one),
                b5.at(q_T=q(i, one), q_T1=q(i, one + 1), alpha_T=al(one), alpha_T1=al(one + 1), b_T=bt(one),
                      b_T1=bt(one + 1), beta1=V.B, m_T=m(i, one))]
    return by


#: AMSGrad's per-coordinate chain (thm4-arxiv, cor1, pp-4.1): Gamma_{t+1} >= 0 from q_{t+1} >= q_t > 0 (v_hat's
#: running max) and 0 < alpha_{t+1} <= alpha_t, i.e. inequality (1) (Phuong & Phong's, proofs.phuong_phong PP-(1)); step 5 with its base step.
AMSGRAD = CoordinateChain(
    name="AMSGrad", prefix="", hyp=lambda i: Thm4Vocabulary.get().hyp(i),
    gamma_facts=lambda q0, q1, A0, A1: [q0 > 0, q1 >= q0, A0 > 0, A1 <= A0, A1 > 0],
    gamma_name="inequality (1), general form", gamma_lemma=lambda timeout_s: _ineq1_lemma(timeout_s),
    step5="step 5", step5_base=_amsgrad_step5_base)


def abel_part(steps: dict):
    """The first term summed by parts (step 6, the Lean note's Abel summation) as the invariant's first part, for
    :func:`coordinate_invariant`'s ``first`` (thm4-arxiv's and Theorem 5's): Q_T + c_T u_{T+1} <= abel_rhs(a_T,
    S_T), from step 6[Abel] at each round (a_{t+1} >= a_t, the chain's Gamma_{t+1} >= 0), step 6[base T=1] and
    step 6[step T->T+1]."""
    abel, b6, sA = (need_step(steps, s) for s in ("step 6[Abel]", "step 6[base T=1]", "step 6[step T->T+1]"))

    def part(ctx):
        V, i, t, n, one, I, at = ctx["V"], ctx["i"], ctx["t"], ctx["n"], ctx["one"], ctx["I"], ctx["at"]
        B, bt, a, c, u, Q, S, D2 = V.B, V.bt, V.a, V.c, V.u, V.Q, V.S, ctx["D2"]
        n1 = n + 1
        stA = abel.at(beta1=B, beta1_tm1=bt(t), beta1_t=bt(t + 1), a_tm1=a(i, t), a_t=a(i, t + 1), c_tm1=c(i, t),
                      c_t=c(i, t + 1))
        lA = ctx["lemma"](f"{ctx['chain'].prefix}step 6[Abel] at (i, t)",
                          2 * (1 - B) * (c(i, t + 1) - c(i, t)) <= a(i, t + 1) - a(i, t) + bt(t + 1) * a(i, t),
                          [stA, K.instantiate(ctx["aux"], i, t)], ctx["local"])
        return (lambda T: Q(i, T) + c(i, T) * u(i, T + 1) <= abel_rhs(D2, B, a(i, T), S(i, T)),
                [I(Q, i, one), I(Q, i, z3.IntVal(0)), I(S, i, one), I(S, i, z3.IntVal(0)),
                 b6.at(beta1=B, a_1=a(i, one), beta1_1=bt(one), D2=D2, u_2=u(i, one + 1), c_1=c(i, one), u_1=u(i, one))],
                [I(Q, i, n1), I(S, i, n1), at(lA, n),
                 sA.at(beta1=B, a_T1=a(i, n1), beta1_T1=bt(n1), S_T=S(i, n), D2=D2, u_T2=u(i, n1 + 1), c_T1=c(i, n1),
                       u_T1=u(i, n1), Q_T=Q(i, n), a_T=a(i, n), c_T=c(i, n))])
    return part


def coordinate_invariant(steps: dict, timeout_s: float = 20.0, first=None, tag: str = "thm4-arxiv",
                         chain: CoordinateChain = AMSGRAD) -> dict:
    """The per-coordinate chain in the kernel, shared by thm4-arxiv, pp-4.1 (AMSGrad's, :data:`AMSGRAD`) and thm5
    (AdamNC's, :data:`proofs.kernel_thm5.ADAMNC`) (one definition; ``chain`` says what differs, :class:`CoordinateChain`).

    Per round (i, t): the hypotheses' facts, steps 2-3's four-term split, a_{t+1} >= a_t (Gamma_{t+1} >= 0), step 7,
    step 5; per coordinate, by kernel induction on T >= 1 under H_i = the chain's hypotheses of coordinate i:
    W_T <= step7_sum_rhs(S_T), P_T + X_T <= mterm_sum_rhs(K_T) and R_{T,i} <= Q_T + W_T + P_T.  ``first(ctx)`` adds
    the first term's part of the invariant (thm4-arxiv and thm5: :func:`abel_part`, the Abel bound Q_T + c_T u_{T+1}
    <= abel_rhs(a_T, S_T); pp-4.1 bounds Q_T apart, with its own first term) as ``(part(T), base_by, step_by)``; it
    comes first in the invariant.  Returns the context: the fresh ``i``, ``n``, the round lemmas, ``inv``, ``Pr``
    (= H_i => inv) and ``every_T`` (ForAll T >= 1: Pr(T))."""
    V = Thm4Vocabulary.get()
    bt, al, q, m, x, xs, lo, hi, B, Dc = V.bt, V.al, V.q, V.m, V.x, V.xs, V.lo, V.hi, V.B, V.Dc
    a, c, u, y, X, w, k, gd = V.a, V.c, V.u, V.y, V.X, V.w, V.k, V.gd
    D2 = Dc * Dc
    i, t = K.fresh("i", Int), K.fresh("t", Int)

    def lemma(name, concl, by, facts=()):
        """|= ForAll i, t: facts(i, t) => concl(i, t), proved from ``by`` on fresh i, t."""
        pf = K.prove(z3.Implies(z3.And(*facts), concl), by=by, name=name, timeout_s=timeout_s)
        return K.generalize([i, t], pf, name=name)

    # --- per-round lemmas: steps 2, 3, 5, 7, instantiated at the sequences
    s2, s3, s5, s7 = (need_step(steps, s) for s in ("step 2", "step 3", chain.step5, "step 7"))
    pre = chain.prefix
    d0, d1 = x(i, t) - xs(i), x(i, t + 1) - xs(i)
    b_ok = lambda s: z3.And(bt(s) >= 0, bt(s) <= B, B < 1)  # noqa: E731
    F_ok = z3.And(lo(i) < hi(i), xs(i) >= lo(i), xs(i) <= hi(i), x(i, t) >= lo(i), x(i, t) <= hi(i))
    upd = x(i, t + 1) == V.clamp(x(i, t) - al(t) * m(i, t) / q(i, t), i)
    mrec = m(i, t) == bt(t) * m(i, t - 1) + (1 - bt(t)) * V.g(i, t)
    st2 = s2.at(q=q(i, t), alpha_t=al(t), m=m(i, t), x_t=x(i, t), x_star=xs(i), lo=lo(i), hi=hi(i))
    st3 = s3.at(q=q(i, t), alpha_t=al(t), beta1_t=bt(t), m_prev=m(i, t - 1), g=V.g(i, t), d=d0, dn=d1)
    Q_, A_, G_, M_, Mp, b_ = q(i, t), al(t), V.g(i, t), m(i, t), m(i, t - 1), bt(t)
    pos = [Q_ > 0, A_ > 0, b_ok(t)]
    Mx = b_ * Mp + (1 - b_) * G_  # m_t by its recursion (step 3 is written with it)
    # step 2 times q > 0: step 3's hypothesis in its polynomial form
    poly2 = Q_ * Q_ * d1 * d1 <= Q_ * Q_ * d0 * d0 + A_ * A_ * Mx * Mx - 2 * A_ * Mx * d0 * Q_
    clampd = V.clamp(x(i, t) - A_ * M_ / Q_, i) - xs(i)
    l2 = lemma(f"{pre}step 2 at (i, t), times q", poly2,
               [st2, K.instantiate(times_q_lemma(timeout_s), Q_, clampd, d0, A_, M_, Mx, d1)], pos + [F_ok, upd, mrec])
    l3 = lemma(f"{pre}step 3 at (i, t)", 2 * A_ * Q_ * (1 - b_) * G_ * d0 <= Q_ * Q_ * (d0 * d0 - d1 * d1) + A_ * A_ * Mx * Mx
               + b_ * A_ * A_ * Mp * Mp + b_ * Q_ * Q_ * d0 * d0, [st3, K.instantiate(l2, i, t)], pos + [mrec, F_ok, upd])
    l3d = K.instantiate(division_lemma(timeout_s), A_, Q_, b_, G_, d0, d1, Mx, Mp, M_)
    split = lemma(f"{pre}four-term split (steps 2-3)",
                  gd(i, t) <= c(i, t) * (u(i, t) - u(i, t + 1)) + y(i, t) + X(i, t - 1) + w(i, t),
                  [l3d, K.instantiate(l3, i, t)] + definitions_of(V, a, c, u, y, X, w, gd),
                  pos + [mrec, F_ok, upd])
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731 -- one instance of a definition
    uF = z3.And(u(i, t) >= 0, u(i, t) <= D2, u(i, t + 1) >= 0, u(i, t + 1) <= D2)
    box = lambda s: z3.And(x(i, s) >= lo(i), x(i, s) <= hi(i), (x(i, s) - xs(i)) * (x(i, s) - xs(i)) <= D2)  # noqa
    # the facts at round t from the hypotheses (quantifier instances, the solver's only quantified work)
    Hi = chain.hyp(i)
    local = chain.gamma_facts(Q_, q(i, t + 1), A_, al(t + 1)) + [
        b_ok(t), b_ok(t + 1), F_ok, upd, mrec, x(i, t + 1) >= lo(i), x(i, t + 1) <= hi(i), box(t), box(t + 1), Dc >= 0,
        m(i, 0) == 0]
    facts = lemma(f"{chain.name}'s hypotheses at round t", z3.And(*local), [], [z3.And(*Hi.values()), t >= 1])
    gamma = chain.gamma_lemma(timeout_s)  # a_{t+1} >= a_t >= 0 from the round's facts on q, alpha
    # u_t in [0, D^2], a_t non-decreasing and >= 0, c's definition in product form
    aux = lemma(f"{pre}u in [0, D^2]; 0 <= a_t <= a_{{t+1}} ({chain.gamma_name}); 2(1-beta_1t) c_t = a_t",
                z3.And(uF, a(i, t) >= 0, a(i, t + 1) >= a(i, t), 2 * (1 - b_) * c(i, t) == a(i, t),
                       2 * (1 - bt(t + 1)) * c(i, t + 1) == a(i, t + 1), X(i, t) >= 0),
                [I(u, i, t), I(u, i, t + 1), I(a, i, t), I(a, i, t + 1), I(c, i, t), I(c, i, t + 1), I(X, i, t)]
                + [K.instantiate(gamma, Q_, q(i, t + 1), A_, al(t + 1))], local)
    st7 = s7.at(q=Q_, alpha_t=A_, b_t=b_, beta1=B, d=d0, D=Dc)
    l7 = lemma(f"{pre}step 7 at (i, t): 2(1-beta1) w_t <= D^2 beta_1t a_t", 2 * (1 - B) * w(i, t) <= D2 * b_ * a(i, t),
               [st7, K.instantiate(step7_lemma(timeout_s), Q_, A_, b_, B, d0 * d0, Dc * Dc, w(i, t), a(i, t)),
                I(w, i, t), I(a, i, t), I(u, i, t)], local)
    st5 = s5.at(q_t=Q_, q_t1=q(i, t + 1), alpha_t=A_, alpha_t1=al(t + 1), b_t=b_, b_t1=bt(t + 1), beta1=B, m_t=M_)
    l5 = lemma(f"{pre}{chain.step5} at (i, t): (1-beta1)(y_t + X_t) <= k_t", (1 - B) * (y(i, t) + X(i, t)) <= k(i, t),
               [st5, K.instantiate(times_lemma(timeout_s), y(i, t) + X(i, t), k(i, t), B),
                I(y, i, t), I(X, i, t), I(k, i, t)], local)

    # --- per coordinate: the sums and the four-term split summed over t, by induction on T
    Q, S, W, P, Kt, Rg = V.Q, V.S, V.W, V.P, V.K, V.Rg
    H_i = z3.And(*Hi.values())
    at = lambda pf, s: K.instantiate(pf, i, s)  # noqa: E731
    one = z3.IntVal(1)
    loc = lambda s: z3.substitute(z3.And(*local), (t, s))  # noqa: E731 -- the round facts at s
    n = K.fresh("T", Int)
    n1 = n + 1
    ctx = {"V": V, "i": i, "t": t, "n": n, "one": one, "lemma": lemma, "local": local, "loc": loc, "at": at, "I": I,
           "facts": facts, "aux": aux, "split": split, "step 7": l7, "step 5": l5, "D2": D2, "chain": chain,
           "timeout_s": timeout_s}
    b7, b5 = need_step(steps, "step 7[base T=1]"), chain.step5_base(steps)
    sW, sP, sM = (need_step(steps, s) for s in ("step 7[step T->T+1]", "step 5[step T->T+1]", "sum[step T->T+1]"))
    four = lambda s: c(i, s) * (u(i, s) - u(i, s + 1)) + y(i, s) + X(i, s - 1) + w(i, s)  # noqa: E731
    z0 = z3.IntVal(0)
    parts = [first(ctx)] if first is not None else []
    parts += [
        (lambda T: W(i, T) <= step7_sum_rhs(D2, B, S(i, T)),
         [I(W, i, one), I(W, i, z0), I(S, i, one), I(S, i, z0), I(w, i, one),
          b7.at(beta1=B, a_1=a(i, one), beta1_1=bt(one), D2=D2, u_1=u(i, one))],
         [I(W, i, n1), I(S, i, n1), at(l7, n1),
          sW.at(beta1=B, a_t=a(i, n1), beta1_t=bt(n1), S_T=S(i, n), D2=D2, w_t=w(i, n1), W_T=W(i, n))]),
        (lambda T: P(i, T) + X(i, T) <= mterm_sum_rhs(B, Kt(i, T)),
         b5(ctx),
         [I(P, i, n1), I(Kt, i, n1), at(l5, n1),
          sP.at(beta1=B, k_T1=k(i, n1), K_T=Kt(i, n), X_T1=X(i, n1), X_T=X(i, n), y_T1=y(i, n1), P_T=P(i, n))]),
        (lambda T: Rg(i, T) <= Q(i, T) + W(i, T) + P(i, T),
         [I(Rg, i, one), I(Rg, i, z0), I(Q, i, one), I(Q, i, z0), I(W, i, one), I(W, i, z0), I(P, i, one),
          I(P, i, z0), at(split, one)],
         [I(Rg, i, n1), I(Q, i, n1), I(W, i, n1), I(P, i, n1), at(split, n1),
          sM.at(X=Rg(i, n), Y=Q(i, n) + W(i, n) + P(i, n), x=V.gd(i, n1), y=four(n1))])]

    def inv(T):
        return z3.And(*[p[0](T) for p in parts])

    Pr = lambda T: z3.Implies(H_i, inv(T))  # noqa: E731
    f1 = [at(aux, one)]
    base_parts = [K.prove(z3.Implies(loc(one), part(one)), by=f1 + by, timeout_s=timeout_s,
                          name=f"{tag}: per-coordinate invariant, T = 1, part {j + 1}")
                  for j, (part, by, _) in enumerate(parts)]
    base = K.prove(Pr(one), by=base_parts + [K.instantiate(facts, i, one)], name=f"{tag}: per-coordinate invariant, T = 1",
                   timeout_s=timeout_s)
    sctx = [at(aux, n), at(aux, n1)]
    step_parts = [K.prove(z3.Implies(z3.And(n >= 1, loc(n), loc(n1), inv(n)), part(n1)), by=sctx + by,
                          timeout_s=timeout_s, name=f"{tag}: per-coordinate invariant, T -> T+1, part {j + 1}")
                  for j, (part, _, by) in enumerate(parts)]
    stp = K.prove(z3.Implies(z3.And(n >= 1, Pr(n)), Pr(n1)), name=f"{tag}: per-coordinate invariant, T -> T+1",
                  timeout_s=timeout_s, by=step_parts + [K.instantiate(facts, i, n), K.instantiate(facts, i, n1)])
    every_T = induct_on(1, Pr, base, stp, n, f"{tag}: per-coordinate invariant for every T >= 1", timeout_s)
    return {**ctx, "inv": inv, "Pr": Pr, "H_i": H_i, "every_T": every_T}


# the steps thm4_arxiv reads, in the order it reads them (the implication's; the statement reads THM4_FINAL last)
THM4_STEPS = ("step 6[Abel]", "step 6[base T=1]", "step 6[step T->T+1]", "step 2", "step 3", "step 5", "step 7",
              "step 7[base T=1]", "step 5[base T=1]", "step 7[step T->T+1]", "step 5[step T->T+1]", "sum[step T->T+1]",
              "step 6[close]", "step 5[close]")
THM4_FINAL = "Thm4-arXiv[sum<=bound]"


def thm4_arxiv(steps: dict, premises: dict | None = None, timeout_s: float = 20.0) -> dict:
    """Theorem 4 (arXiv) in the kernel: returns {"proof": Proof of the implication or the statement,
    "formula", "premises_missing": [...]}.  Raises :class:`Missing` / :class:`proofs.kernel.KernelError`."""
    # a missing step ends the build before any proof (the first missing in the order the build reads them, so the
    # error is the one the build would raise; it used to come after seconds of kernel proofs)
    for label in THM4_STEPS + ((THM4_FINAL,) if (premises or {}).get("lemma-moment") is not None else ()):
        need_step(steps, label)
    V = Thm4Vocabulary.get()
    bt, B, Dc = V.bt, V.B, V.Dc
    a, c, u = V.a, V.c, V.u
    D2 = Dc * Dc
    ci = coordinate_invariant(steps, timeout_s, first=abel_part(steps), tag="thm4-arxiv")
    i, n, at, loc, inv, facts, every_T = ci["i"], ci["n"], ci["at"], ci["loc"], ci["inv"], ci["facts"], ci["every_T"]
    n1 = n + 1
    aux, Q, S, P, X, Rg, Kt = ci["aux"], V.Q, V.S, V.P, V.X, V.Rg, V.K
    # --- per coordinate, closed: R_{T,i} <= step_bounds_rhs (steps 6[close], 5[close])
    cA, c5 = need_step(steps, "step 6[close]"), need_step(steps, "step 5[close]")
    total = lambda A_, S_, K_: step_bounds_rhs(D2, B, A_, S_, K_)  # noqa: E731 -- at the chain's D^2, beta1
    close_q = K.prove(z3.Implies(z3.And(n >= 1, loc(n), inv(n)), Rg(i, n) <= total(a(i, n), S(i, n), Kt(i, n))),
                      by=[at(aux, n), cA.at(beta1=B, S_T=S(i, n), a_T=a(i, n), D2=D2, Q_T=Q(i, n), u_T1=u(i, n1),
                                            c_T=c(i, n), beta1_T=bt(n)),
                          c5.at(beta1=B, K_bound=Kt(i, n), P_T=P(i, n), K_T=Kt(i, n), X_T=X(i, n))],
                      name="thm4-arxiv: per-coordinate bound (closing steps)", timeout_s=timeout_s)
    hyp_def = V.hyp_pred()
    Tn = z3.Int("T")
    close = K.prove(z3.Implies(z3.And(n >= 1, V.Hyp(i)), Rg(i, n) <= total(a(i, n), S(i, n), Kt(i, n))),
                    by=[close_q, K.instantiate(facts, i, n), K.instantiate(every_T, n), K.instantiate(hyp_def, i)],
                    name="thm4-arxiv: per-coordinate bound for every T >= 1", timeout_s=timeout_s)
    close = K.generalize([i, n], close, name="thm4-arxiv: per-coordinate bound for every T >= 1")
    del Tn
    # --- the sum over the coordinates, by induction on the number of coordinates
    RR, AA, SS, KK = V.RR, V.AA, V.SS, V.KK
    j, Tc, dd = z3.Int("j"), K.fresh("T", Int), K.fresh("d", Int)
    allH = lambda nn: z3.ForAll([j], z3.Implies(z3.And(j >= 1, j <= nn), V.Hyp(j)))  # noqa: E731
    PC = lambda nn: z3.Implies(z3.And(Tc >= 1, B < 1, allH(nn)),  # noqa: E731
                               RR(nn, Tc) <= total(AA(nn, Tc), SS(nn, Tc), KK(nn, Tc)))
    add = _additive_lemma(timeout_s)
    zero = z3.IntVal(0)
    cbase = K.prove(PC(zero), by=[K.instantiate(K.defn(f), zero, Tc) for f in (RR, AA, SS, KK)],
                    name="thm4-arxiv: sum over 0 coordinates", timeout_s=timeout_s)
    d1 = dd + 1
    cstep = K.prove(z3.Implies(z3.And(dd >= 0, PC(dd)), PC(d1)), timeout_s=timeout_s,
                    name="thm4-arxiv: sum over the coordinates, d -> d+1",
                    by=[down_to(allH, V.Hyp, dd, timeout_s)]
                    + [K.instantiate(K.defn(f), d1, Tc) for f in (RR, AA, SS, KK)] + [
                        K.instantiate(close, d1, Tc),
                        K.instantiate(add, D2, B, AA(dd, Tc), a(d1, Tc), SS(dd, Tc), S(d1, Tc), KK(dd, Tc), Kt(d1, Tc))])
    cstep = K.generalize([dd], cstep, name="thm4-arxiv: sum over the coordinates, d -> d+1")
    coords = K.induct_from(0, PC, cbase, K.prove(
        z3.ForAll([z3.Int("d")], z3.Implies(z3.Int("d") >= 0, z3.Implies(PC(z3.Int("d")), PC(z3.Int("d") + 1)))),
        by=[cstep], name="", timeout_s=timeout_s),
        name="thm4-arxiv: sum over every number of coordinates (kernel induction)", timeout_s=timeout_s)
    coords = K.generalize([Tc], coords, name="thm4-arxiv: for every T >= 1 and d >= 0")
    # --- the statement: the moment lemma's conclusion KK(d, T) <= Mom(d, T) as a premise
    Mv = V.Mom
    mono = scalar_lemma("mterm_sum_rhs is non-decreasing in K (beta1 < 1)", "B k k2",
                        lambda B_, k1, k2: z3.Implies(z3.And(B_ < 1, k1 <= k2), mterm_sum_rhs(B_, k1) <= mterm_sum_rhs(B_, k2)),
                        engine=None, timeout_s=timeout_s)
    Tf, df = K.fresh("T", Int), K.fresh("d", Int)
    allH2 = lambda nn: z3.ForAll([j], z3.Implies(z3.And(j >= 1, j <= nn), z3.And(V.Hyp(j), V.HypM(j))))  # noqa: E731
    hyps = lambda d_, T_: [T_ >= 1, d_ >= 1, allH2(d_)]  # noqa: E731 -- the statement's hypotheses
    H = z3.And(*hyps(df, Tf), KK(df, Tf) <= Mv(df, Tf))
    claim = RR(df, Tf) <= total(AA(df, Tf), SS(df, Tf), Mv(df, Tf))
    one = z3.IntVal(1)
    fin = K.prove(z3.Implies(H, claim), by=[K.instantiate(coords, Tf), K.instantiate(mono, B, KK(df, Tf), Mv(df, Tf)),
                                    K.instantiate(V.hyp_pred(), one), K.instantiate(K.defn(V.HypM), one)],
                  name="Theorem 4 (arXiv), given the moment lemma", timeout_s=timeout_s)
    implication, formula = for_every_d_T(H, claim, df, Tf, fin, "Theorem 4 (arXiv), given the moment lemma", timeout_s)
    out = {"implication": implication, "formula": formula,
           "premises": {"lemma-moment": "ForAll d >= 1, T >= 1: hypotheses => sum_i K_{T,i} <= Mom(d, T)"}}
    lemma = (premises or {}).get("lemma-moment")
    if lemma is None:
        return out
    # the moment lemma's kernel Proof (ForAll d, T: T >= 1, d >= 1, hypotheses => KK(d, T) <= Mom(d, T))
    Ts, ds = K.fresh("T", Int), K.fresh("d", Int)
    st = K.prove(z3.Implies(z3.And(*hyps(ds, Ts)), RR(ds, Ts) <= total(AA(ds, Ts), SS(ds, Ts), Mv(ds, Ts))),
                 by=[K.instantiate(implication, ds, Ts), K.instantiate(lemma, ds, Ts)],
                 name="Theorem 4 (arXiv): the step bounds", timeout_s=timeout_s)
    st = K.generalize([ds, Ts], st, name="Theorem 4 (arXiv): the step bounds")
    out["steps_statement"] = st
    # --- the last link: the step bounds' total <= analysis.bounds.BOUNDS['thm4-arxiv'].expr
    link = _bound_link(V, steps, st, hyps, timeout_s)
    out.update(regret_link(V, link, hyps, timeout_s))
    return out


def convex_hyp(V, d_):
    t = z3.Int("t")
    return z3.ForAll([t], z3.Implies(t >= 1, V.fd(t) <= V.Gd(d_, t)))


def regret_link(V, link, hyps, timeout_s, title="Theorem 4 (arXiv)", bound_name="thm4-arxiv"):
    """Step 4 in the kernel: convexity (the hypothesis f_t(x_t) - f_t(x*) <= <g_t, x_t - x*>) and the exchange
    sum_t sum_i = sum_i sum_t (two inductions) give R_T = Reg(T) <= RR(d, T); with the bound link, R_T <= BOUNDS."""
    Rm = step4(V, timeout_s)
    Reg = V.Reg
    # the statement: R_T <= BOUNDS['thm4-arxiv'].expr
    fq = link["formula"]
    Ts, ds = K.fresh("T", Int), K.fresh("d", Int)
    bound = z3.substitute_vars(fq.body(), Ts, ds).arg(1).arg(1)
    fin = K.prove(z3.Implies(z3.And(*hyps(ds, Ts), convex_hyp(V, ds)), Reg(Ts) <= bound), timeout_s=timeout_s,
                  name=f"{title}: R_T <= BOUNDS['{bound_name}']",
                  by=[K.instantiate(link["statement"], ds, Ts), K.instantiate(K.instantiate(Rm, ds), Ts)])
    statement, formula = for_every_d_T(z3.And(*hyps(ds, Ts), convex_hyp(V, ds)), Reg(Ts) <= bound, ds, Ts, fin, title,
                                       timeout_s)
    return {"statement": statement, "formula": formula, "bound_statement": link["statement"]}


def step4(V, timeout_s):
    """Step 4 in the kernel (shared by every regret statement over Thm4Vocabulary): ForAll d: ForAll T >= 0:
    d >= 0 and convexity (fd(t) <= Gd(d, t)) => Reg(T) <= RR(d, T); made once per process."""
    if "step4" in CACHE:
        return CACHE["step4"]
    RR, Rg, Gd, gd, Reg, fd = V.RR, V.Rg, V.Gd, V.gd, V.Reg, V.fd
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731
    Tn, dd = K.fresh("T", Int), K.fresh("d", Int)
    z0 = z3.IntVal(0)
    d1 = dd + 1
    # C: RR(d, 0) = 0 for every d >= 0
    PCz = lambda nn: RR(nn, z0) == 0  # noqa: E731
    c0 = K.prove(PCz(z0), by=[I(RR, z0, z0)], name="RR(0, 0) = 0", timeout_s=timeout_s)
    cs = K.prove(z3.Implies(z3.And(dd >= 0, PCz(dd)), PCz(d1)), by=[I(RR, d1, z0), I(Rg, d1, z0)],
                 name="RR(d, 0) = 0, d -> d+1", timeout_s=timeout_s)
    C = induct_on(0, PCz, c0, cs, dd, "RR(d, 0) = 0", timeout_s)
    # A: RR(d, T+1) = RR(d, T) + Gd(d, T+1) for every d >= 0 (T >= 0 fixed): the exchange of the sums
    PA = lambda nn: z3.Implies(Tn >= 0, RR(nn, Tn + 1) == RR(nn, Tn) + Gd(nn, Tn + 1))  # noqa: E731
    a0 = K.prove(PA(z0), by=[I(RR, z0, Tn + 1), I(RR, z0, Tn), I(Gd, z0, Tn + 1)], name="exchange of sums, d = 0",
                 timeout_s=timeout_s)
    as_ = K.prove(z3.Implies(z3.And(dd >= 0, PA(dd)), PA(d1)), timeout_s=timeout_s, name="exchange of sums, d -> d+1",
                  by=[I(RR, d1, Tn + 1), I(RR, d1, Tn), I(Gd, d1, Tn + 1), I(Rg, d1, Tn + 1)])
    A = induct_on(0, PA, a0, as_, dd, "exchange of sums sum_t sum_i = sum_i sum_t", timeout_s)
    A = K.generalize([Tn], A, name="exchange of sums sum_t sum_i = sum_i sum_t")
    # main: convexity => Reg(T) <= RR(d, T) for every T >= 0 (d fixed)
    df = K.fresh("d", Int)
    PR = lambda T: z3.Implies(z3.And(df >= 0, convex_hyp(V, df)), Reg(T) <= RR(df, T))  # noqa: E731
    r0 = K.prove(PR(z0), by=[I(Reg, z0), K.instantiate(C, df)], name="R_0 = 0", timeout_s=timeout_s)
    rs = K.prove(z3.Implies(z3.And(Tn >= 0, PR(Tn)), PR(Tn + 1)), timeout_s=timeout_s, name="step 4: R_T <= RR, T -> T+1",
                 by=[I(Reg, Tn + 1), K.instantiate(K.instantiate(A, Tn), df)])
    Rm = induct_on(0, PR, r0, rs, Tn, "step 4 (convexity, exchange of sums): R_T <= sum_i sum_t g_{t,i}(x_{t,i} - x*_i)",
                 timeout_s)
    CACHE["step4"] = K.generalize([df], Rm, name="step 4: R_T <= RR")
    return CACHE["step4"]


def bound_env(V, d_, T_):
    """The symbols of analysis.bounds as the kernel's terms (sqrt's by their defining constants/sequences)."""
    env = {"T": z3.ToReal(T_), "alpha": V.alpha, "beta1": V.B, "beta2": V.b2, "gamma": V.gm, "D_inf": V.Dc,
           "sum_vhat_T_sqrt": V.VQ(d_, T_), "sum_beta1t_vhat": V.SS(d_, T_), "sum_g_norm": V.NN(d_, T_),
           "log(T)": V.lg(T_)}
    return env


class KNum:
    """to_num's number system for the kernel: sqrt(T), sqrt(1-beta2), sqrt(1+log T) are the statement's
    sequences/constants sqrt_t(T), sqrt(1-beta2), sqrt_1_log(T) (fixed by the hypotheses s*s == x, s >= 0)."""

    def __init__(self, V, T_):
        self.roots = {z3.ToReal(T_).sexpr(): V.rt(T_), (1 - V.b2).sexpr(): V.s2, (V.lg(T_) + 1).sexpr(): V.sL(T_),
                      (1 + V.lg(T_)).sexpr(): V.sL(T_), (1 + -1 * V.b2).sexpr(): V.s2}

    def var(self, name):  # to_num's env.setdefault evaluates it; every symbol is in the env
        return z3.Real(name)

    def const(self, p, q=1):
        from analysis.z3kit import Q

        return Q(p, q)

    def sqrt(self, e):
        if e.sexpr() not in self.roots:
            raise Missing(f"sqrt({e}) has no defining constant in the kernel statement")
        return self.roots[e.sexpr()]


def mom_value(alpha, sL, NN, beta1, gamma, s2):
    """The moment lemma's bound Mom(d, T) in the kernel's terms: alpha sqrt(1 + log T) NN / ((1 - beta1)(1 - gamma)
    sqrt(1 - beta2)), with NN = sum_i ||g_{1:T,i}|| and the square roots as named terms sL, s2
    (:func:`analysis.bounds.moment_lemma_rhs`, whose SymPy form the audit's steps use).  Mom's definition and the
    premises of the links that take it as their moment term (bound_link's default, thm4-arxiv's) read it here.

    >>> from fractions import Fraction
    >>> mom_value(1, 2, 3, Fraction(1, 2), Fraction(1, 2), 1)  # 6 / (1/4)
    Fraction(24, 1)
    """
    return alpha * sL * NN / ((1 - beta1) * (1 - gamma) * s2)


def total_premises(s, moment_facts, moment_value) -> list:
    """The premises of Theorem 4 (arXiv)'s and Theorem 5's bound link (:func:`bound_link`) over its fresh reals
    ``s``: what ties the step bounds' total (:func:`proofs.step_bounds.step_bounds_rhs` at AA, SS and the moment
    term) to the bound's symbols.  In this order (the identity's formula has its premises in it): alpha > 0,
    sqrt(T) = rtT > 0 and alpha_T sqrt(T) = alpha (alpha_t = alpha/sqrt(t)), 0 <= beta1 < 1, the moment term's
    own facts ``moment_facts``, the first term's sum AA = VQ/alpha_T (sum_i a_{T,i} = sum_i sqrt(v_hat_{T,i}) /
    alpha_T) and ``moment_value``, the moment term's value (thm4-arxiv: the moment lemma's Mom; Theorem 5: Lemma
    3's term).  pp-4.1 and AdamX bound the first term apart: no AA, their premises are bound_link's default.

    >>> import z3
    >>> s = {n: z3.Real(n) for n in ("alpha", "rtT", "al", "B", "AA", "VQ", "z", "L3", "NN")}
    >>> total_premises(s, [s["z"] > 0], s["L3"] == 2 * s["z"] * s["NN"])
    [alpha > 0, rtT > 0, al*rtT == alpha, B >= 0, B < 1, z > 0, AA == VQ/al, L3 == 2*z*NN]
    """
    return [s["alpha"] > 0, s["rtT"] > 0, s["al"] * s["rtT"] == s["alpha"], s["B"] >= 0, s["B"] < 1, *moment_facts,
            s["AA"] == s["VQ"] / s["al"], moment_value]


def _bound_link(V, steps, st, hyps, timeout_s):
    """Theorem 4 (arXiv)'s last link: the audit's final step Thm4-arXiv[sum<=bound] at the sums and the step bounds
    ``st`` give ForAll d, T: hypotheses => RR(d, T) <= BOUNDS['thm4-arxiv'].expr, through the one bound link
    (:func:`bound_link`) on the theorem's own terms."""
    from analysis import bounds as AB

    from .step_bounds import bound_gap

    fstep = need_step(steps, THM4_FINAL)
    Ts, ds = K.fresh("T", Int), K.fresh("d", Int)
    Tr = z3.ToReal(Ts)
    # the link's terms, in the order the identity is generalised over (LINK_NAMES' names where they mean the same):
    # alpha_T = al, sqrt(T) = rtT, the sums VQ, SS, NN, sqrt(1 + log T) = sL, sqrt(1 - beta2) = s2, log T = L,
    # AA = VQ/alpha_T and the moment lemma's term Mo = Mom(d, T)
    terms = {"D": V.Dc, "B": V.B, "al": V.al(Ts), "rtT": V.rt(Ts), "alpha": V.alpha, "VQ": V.VQ(ds, Ts),
             "SS": V.SS(ds, Ts), "NN": V.NN(ds, Ts), "sL": V.sL(Ts), "s2": V.s2, "gm": V.gm, "b2": V.b2, "Tr": Tr,
             "L": V.lg(Ts), "AA": V.AA(ds, Ts), "Mo": V.Mom(ds, Ts)}

    def premises(s):  # what the bound's data (bound_data) and Mom's definition give at the kernel's terms
        return total_premises(s, [s["gm"] < 1, s["s2"] > 0],
                              s["Mo"] == mom_value(s["alpha"], s["sL"], s["NN"], s["B"], s["gm"], s["s2"]))

    def total(x):  # the step bounds summed over the coordinates, with the moment lemma's term
        return step_bounds_rhs(x["D"] * x["D"], x["B"], x["AA"], x["SS"], x["Mo"])

    # data >= 0 and AA = VQ/alpha_T, by induction over the coordinates (and S_{T,i} >= 0 over the rounds)
    data = bound_data(V.Hyp, lambda j: z3.And(V.Hyp(j), V.HypM(j)),
                      lambda j: [K.instantiate(V.hyp_pred(), j), K.instantiate(K.defn(V.HypM), j)], hyps,
                      lambda T_: V.al(T_) > 0, timeout_s, cache="data")
    inst = fstep.at(**{"T": Tr, "alpha": V.alpha, "beta1": V.B, "beta2": V.b2, "gamma": V.gm, "D_inf": V.Dc,
                       "sum_vhat_T_sqrt": V.VQ(ds, Ts), "sum_beta1t_vhat": V.SS(ds, Ts), "sum_g_norm": V.NN(ds, Ts),
                       "_s1": V.rt(Ts)})
    H0 = z3.And(*hyps(ds, Ts))
    # Mom's definition is passed in ``by`` (defs=()) so the kernel call keeps its dependencies' order
    fin = bound_link("thm4-link", V, ds, Ts, H0, terms=terms, expr=AB.BOUNDS["thm4-arxiv"].expr,
                     gap_expr=bound_gap("thm4-arxiv"), total=total, premises=premises, defs=(),
                     by=[K.instantiate(st, ds, Ts), inst, K.instantiate(data, ds, Ts),
                         K.instantiate(K.defn(V.Mom), ds, Ts), K.instantiate(K.defn(V.HypM), z3.IntVal(1))],
                     title="Theorem 4 (arXiv)", bound_name="BOUNDS['thm4-arxiv']", timeout_s=timeout_s)
    bexpr = link_value(terms, AB.BOUNDS["thm4-arxiv"].expr)
    statement, formula = for_every_d_T(H0, V.RR(ds, Ts) <= bexpr, ds, Ts, fin, "Theorem 4 (arXiv)", timeout_s,
                                       gen_name="Theorem 4 (arXiv): R <= BOUNDS['thm4-arxiv']")
    return {"statement": statement, "formula": formula}


def bound_data(hyp, coord, coord_defs, hyps, consts, timeout_s, prefix: str = "", consts_name: str = "",
               cache: str | None = None):
    """The bound's data: ForAll d, T: hyps(d, T) => consts(T) and VQ(d, T), SS(d, T), NN(d, T) >= 0 and AA(d, T) =
    VQ(d, T)/alpha_T, i.e. sum_i sqrt(v_hat_{T,i}), sum_i sum_t beta_1t sqrt(v_hat_{t,i})/alpha_t, sum_i ||g_{1:T,i}||
    >= 0 and sum_i a_{T,i} = sum_i sqrt(v_hat_{T,i})/alpha_T: what the link identities of Theorem 4 (arXiv) and
    Theorem 5 read besides the step bounds (one definition: thm4-arxiv's with Hyp, thm5's with HypNC).

    S_{T,i} >= 0 by induction over T from ``hyp(i)`` (a :func:`proofs.kernel.define`'d predicate that gives beta_1t
    >= 0, q_t > 0, alpha_t > 0), then the data by induction over the coordinates under ``coord(j)`` for j <= d
    (thm4-arxiv: Hyp(j) and HypM(j); thm5: HypNC(j)), ``coord_defs(j)`` its definitions' instances.  ``consts(T)``:
    what else the statement's hypotheses give (a formula, alpha_T > 0 in it), named by ``consts_name``; ``prefix``
    goes before the lemmas' names; ``cache``: a :data:`CACHE` key to make it once per process."""
    if cache is not None and cache in CACHE:
        return CACHE[cache]
    V = Thm4Vocabulary.get()
    i, n = K.fresh("i", Int), K.fresh("T", Int)
    S, bt, a, q, al = V.S, V.bt, V.a, V.q, V.al
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731
    H = hyp(i)
    hdef = K.instantiate(K.defn(hyp), i)
    PS = lambda T: z3.Implies(H, S(i, T) >= 0)  # noqa: E731
    z0 = z3.IntVal(0)
    n1 = n + 1
    pos = scalar_glue(prefix + "b q/al >= 0", "b q al", lambda b, q_, al_: z3.Implies(z3.And(b >= 0, q_ > 0, al_ > 0),
                                                                                  b * (q_ / al_) >= 0), timeout_s)
    b0 = K.prove(PS(z0), by=[I(S, i, z0)], name=f"{prefix}S_{{0,i}} = 0", timeout_s=timeout_s)
    facts = K.prove(z3.Implies(z3.And(H, n >= 0), z3.And(bt(n1) >= 0, q(i, n1) > 0, al(n1) > 0)), by=[hdef],
                    name=f"{prefix}hypotheses at round T+1", timeout_s=timeout_s)
    s1 = K.prove(z3.Implies(z3.And(n >= 0, PS(n)), PS(n1)), name=f"{prefix}S_{{T,i}} >= 0, T -> T+1",
                 timeout_s=timeout_s, by=[facts, I(S, i, n1), I(a, i, n1), K.instantiate(pos, bt(n1), q(i, n1), al(n1))])
    SI = induct_on(0, PS, b0, s1, n, f"{prefix}S_{{T,i}} >= 0 for every T", timeout_s)
    SI = K.generalize([i], SI, name=f"{prefix}S_{{T,i}} >= 0 for every i, T")
    j, Tc, dd = z3.Int("j"), K.fresh("T", Int), K.fresh("d", Int)
    allH = lambda nn: z3.ForAll([j], z3.Implies(z3.And(j >= 1, j <= nn), coord(j)))  # noqa: E731
    VQ, SS, NN, AA = V.VQ, V.SS, V.NN, V.AA
    inv = lambda nn: z3.And(VQ(nn, Tc) >= 0, SS(nn, Tc) >= 0, NN(nn, Tc) >= 0, AA(nn, Tc) == VQ(nn, Tc) / al(Tc))  # noqa
    PC = lambda nn: z3.Implies(z3.And(Tc >= 1, al(Tc) > 0, allH(nn)), inv(nn))  # noqa: E731
    div = scalar_glue(prefix + "sum of quotients by alpha_T > 0", "A V q al A1 V1",
                      lambda A_, V_, q_, al_, A1, V1: z3.Implies(
                          z3.And(al_ > 0, A_ == V_ / al_, A1 == A_ + q_ / al_, V1 == V_ + q_), A1 == V1 / al_), timeout_s)
    cb = K.prove(PC(z0), by=[I(f, z0, Tc) for f in (VQ, SS, NN, AA)], name=f"{prefix}data, 0 coordinates",
                 timeout_s=timeout_s)
    d1 = dd + 1
    hj = K.prove(z3.Implies(z3.And(coord(d1), Tc >= 1), z3.And(q(d1, Tc) > 0, V.nrm(d1, Tc) >= 0)),
                 by=coord_defs(d1), name=f"{prefix}hypotheses of coordinate d+1 at T", timeout_s=timeout_s)
    cs = K.prove(z3.Implies(z3.And(dd >= 0, PC(dd)), PC(d1)), name=f"{prefix}data, d -> d+1", timeout_s=timeout_s,
                 by=[down_to(allH, coord, dd, timeout_s)]
                 + [I(f, d1, Tc) for f in (VQ, SS, NN, AA)] + [hj, K.instantiate(K.instantiate(SI, d1), Tc), I(a, d1, Tc),
                     K.instantiate(div, AA(dd, Tc), VQ(dd, Tc), q(d1, Tc), al(Tc), AA(d1, Tc), VQ(d1, Tc))])
    every = induct_on(0, PC, cb, cs, dd, f"{prefix}the bound's data, every number of coordinates", timeout_s)
    every = K.generalize([Tc], every, name=f"{prefix}the bound's data")
    Ts, ds = K.fresh("T", Int), K.fresh("d", Int)
    out = K.prove(z3.Implies(z3.And(*hyps(ds, Ts)), z3.And(consts(Ts), z3.substitute(inv(ds), (Tc, Ts)))),
                  by=[K.instantiate(every, Ts), K.instantiate(K.defn(hyp), z3.IntVal(1))],
                  name=f"{prefix}the bound's data (VQ, SS, NN >= 0; AA = VQ/alpha_T{consts_name})", timeout_s=timeout_s)
    out = K.generalize([ds, Ts], out, name=f"{prefix}the bound's data")
    if cache is not None:
        CACHE[cache] = out
    return out


# ------------------------------------------------------------------------------------------------
# The moment lemma (proofs.lemma_moment) in the kernel, per coordinate i, for every T >= 1:
#
#   K_{T,i} = sum_{t<=T} alpha_t m_{t,i}^2/q_{t,i} <= alpha sqrt(1+log T) ||g_{1:T,i}|| / ((1-beta1)(1-gamma) sqrt(1-beta2))
#
# by three inductions over the rounds on recursively defined sums (no finite instance):
#   I1 (L2-L3, geometric Jensen):   (1-beta1) m_t^2 <= Bm_t,  Bm_t = beta1 Bm_{t-1} + g_t^2   (t >= 0)
#   I2 (L4, Lean's per-step form):  sqrt(1-beta2) Bm_t <= sqrt(v_t) Z_t,  Z_t = gamma Z_{t-1} + |g_t|,  Z_t >= 0
#   per round (L1 + L4):            k_t = alpha_t m_t^2/q_t <= c Z_t/sqrt(t),  c = alpha/((1-beta1) sqrt(1-beta2))
#   I3 (sum of the rounds):         K_T <= c U_T,  U_T = sum_t Z_t/sqrt(t)
#   I4 (L5, the exchange of sums):  (1-gamma) U_T + gamma Z_T/sqrt(T) <= H_T = sum_t |g_t|/sqrt(t)
#   I5 (L3-step/L6, Cauchy-Schwarz): H_T^2 <= Gn_T Hm_T,  Gn_T = sum_t g_t^2,  Hm_T = sum_t 1/t
#   I6 (L7):                        Hm_T <= 1 + log T, from the trusted axiom on log (below)
# then the sum over the coordinates (induction on d).  Square roots are constants/sequences fixed by their
# hypotheses (s*s == x, s >= 0); log is an uninterpreted function constrained only by the trusted axiom.
LOG_AXIOM = ("L7 (calculus): log 1 = 0 and log(T+1) - log T >= 1/(T+1) for every integer T >= 1, i.e. "
             "log(1+x) >= x/(1+x) at x = 1/T; its proof is the SymPy derivative L7-deriv "
             "(d/dx[log(1+x) - x/(1+x)] = x/(1+x)^2) and the sign L7-sign, which no solver re-proves here")


def _moment_vocabulary(V):
    i, t, T, n = z3.Ints("i t T n")
    F2 = lambda name: z3.Function(name, Int, Int, Real)  # noqa: E731
    V.alpha, V.b2 = z3.Real("alpha"), z3.Real("beta2")
    V.gm, V.s2, V.sb2 = z3.Real("gamma"), z3.Real("sqrt(1-beta2)"), z3.Real("sqrt(beta2)")
    V.v, V.sv, V.nrm = F2("v"), F2("sqrt_v"), F2("norm_g")
    V.rt, V.lg, V.sL = (z3.Function(s, Int, Real) for s in ("sqrt_t", "log", "sqrt_1_log"))
    g, B, gm, rt = V.g, V.B, V.gm, V.rt
    zero = z3.RealVal(0)
    ag = lambda i_, t_: z3.If(g(i_, t_) >= 0, g(i_, t_), -g(i_, t_))  # noqa: E731
    V.ag = ag
    R = K.define_rec
    V.Bm = R("Bm", [i, T], Real, lambda f: z3.If(T <= 0, zero, B * f(i, T - 1) + g(i, T) * g(i, T)))
    V.Z = R("Z", [i, T], Real, lambda f: z3.If(T <= 0, zero, gm * f(i, T - 1) + ag(i, T)))
    V.U = R("U", [i, T], Real, lambda f: z3.If(T <= 0, zero, f(i, T - 1) + V.Z(i, T) / rt(T)))
    V.Hs = R("Hs", [i, T], Real, lambda f: z3.If(T <= 0, zero, f(i, T - 1) + ag(i, T) / rt(T)))
    V.Gn = R("Gn", [i, T], Real, lambda f: z3.If(T <= 0, zero, f(i, T - 1) + g(i, T) * g(i, T)))
    V.Hm = R("Hm", [T], Real, lambda f: z3.If(T <= 0, zero, f(T - 1) + 1 / z3.ToReal(T)))
    V.NN = R("NN", [n, T], Real, lambda f: z3.If(n <= 0, zero, f(n - 1, T) + V.nrm(n, T)))
    V.VQ = R("VQ", [n, T], Real, lambda f: z3.If(n <= 0, zero, f(n - 1, T) + V.q(n, T)))
    V.Mom = K.define("Mom", [n, T], mom_value(V.alpha, V.sL(T), V.NN(n, T), B, gm, V.s2))
    V.HypM = K.define("HypM", [i], z3.And(*V.hyp_moment(i).values()))
    # step 4: the regret. fd(t) = f_t(x_t) - f_t(x*); Gd(n, t) = sum_{i<=n} g_{t,i}(x_{t,i} - x*_i) = <g_t, x_t - x*>;
    # Reg(T) = sum_{t<=T} fd(t) = R_T.  Convexity is the hypothesis fd(t) <= Gd(d, t) (first-order condition)
    V.fd = z3.Function("fd", Int, Real)
    V.Gd = R("Gd", [n, t], Real, lambda f: z3.If(n <= 0, zero, f(n - 1, t) + V.gd(n, t)))
    V.Reg = R("Reg", [T], Real, lambda f: z3.If(T <= 0, zero, f(T - 1) + V.fd(T)))
    s = z3.Int("s")
    V.log_axiom = K.axiom(z3.And(V.lg(1) == 0, z3.ForAll([s], z3.Implies(s >= 1, V.lg(s + 1) - V.lg(s)
                                                                           >= 1 / z3.ToReal(s + 1)))),
                          "L7: log(1 + 1/T) >= 1/(T+1)", LOG_AXIOM)


def _hyp_moment(V, i):
    """The moment lemma's hypotheses beyond AMSGrad's (coordinate i; the constants' are repeated per i)."""
    t = z3.Int("t")
    B, b2, s2, sb2, gm, al, rt, v, sv, q, g = (V.B, V.b2, V.s2, V.sb2, V.gm, V.al, V.rt, V.v, V.sv, V.q, V.g)
    A1 = lambda body: z3.ForAll([t], z3.Implies(t >= 1, body))  # noqa: E731
    return {
        "0<beta2<1, s2 = sqrt(1-beta2), sb2 = sqrt(beta2)": z3.And(b2 > 0, b2 < 1, s2 > 0, s2 * s2 == 1 - b2,
                                                                   sb2 > 0, sb2 * sb2 == b2),
        "gamma = beta1/sqrt(beta2) < 1, beta1 >= 0": z3.And(gm * sb2 == B, gm < 1, B >= 0),
        "alpha_t = alpha/sqrt(t), sqrt_t = sqrt(t)": z3.And(V.alpha > 0, A1(z3.And(rt(t) > 0, rt(t) * rt(t) == z3.ToReal(t),
                                                                                    al(t) * rt(t) == V.alpha))),
        "v_0 = 0, v_t = beta2 v_{t-1} + (1-beta2) g_t^2": z3.And(v(i, 0) == 0, A1(v(i, t) == b2 * v(i, t - 1)
                                                                                + (1 - b2) * g(i, t) * g(i, t))),
        "sqrt_v = sqrt(v)": z3.ForAll([t], z3.Implies(t >= 0, z3.And(sv(i, t) >= 0, sv(i, t) * sv(i, t) == v(i, t)))),
        "v_hat_t >= v_t (q = sqrt(v_hat))": A1(q(i, t) * q(i, t) >= v(i, t)),
        "norm_g = ||g_{1:T}||, sqrt_1_log = sqrt(1 + log T)": A1(z3.And(V.nrm(i, t) >= 0, V.nrm(i, t) * V.nrm(i, t)
                                                                        == V.Gn(i, t), V.sL(t) >= 0,
                                                                        V.sL(t) * V.sL(t) == 1 + V.lg(t))),
    }


def down_to(allH, pred, dd, timeout_s):
    """|= allH(d+1) => allH(d) and pred(d+1), on the fresh d (d >= 0): the coordinate induction's quantified
    step, proved apart so that the step's glue sees allH(d) as an atom (measured: the glue otherwise times out
    under load)."""
    pf = K.prove(z3.Implies(z3.And(dd >= 0, allH(dd + 1)), z3.And(allH(dd), pred(dd + 1))),
                 name="hypotheses of coordinates 1..d+1 => of 1..d and of d+1", timeout_s=timeout_s)
    return pf


def induct_on(start, P, base, step_body, n, name, timeout_s):
    """ForAll T >= start: P(T) from base |= P(start) and step_body |= (n >= start and P(n)) => P(n+1) (n fresh)."""
    stp = K.generalize([n], step_body, name=f"{name}, T -> T+1")
    Tq = z3.Int("T")
    stp = K.prove(z3.ForAll([Tq], z3.Implies(Tq >= start, z3.Implies(P(Tq), P(Tq + 1)))), by=[stp],
                  name=f"{name}, T -> T+1", timeout_s=timeout_s)
    return K.induct_from(start, P, base, stp, name=f"{name} (kernel induction)", timeout_s=timeout_s)


def for_every_d_T(H, claim, ds, Ts, fin, name: str, timeout_s, gen_name: str | None = None):
    """A statement's last step: ``formula`` = ForAll d, T: H => claim (the build's fresh ds, Ts bound as d, T), proved
    from ``fin`` |= H => claim at ds, Ts, generalised (named ``gen_name``, default ``name``).  Returns (statement,
    formula); one definition for thm4-arxiv (its implication and its link), cor1, thm5, cor2, adamx-5.1, the moment
    lemma and step 4's regret link."""
    dq, Tq = z3.Int("d"), z3.Int("T")
    formula = z3.ForAll([dq, Tq], z3.substitute(z3.Implies(H, claim), (ds, dq), (Ts, Tq)))
    statement = K.prove(formula, by=[K.generalize([ds, Ts], fin, name=gen_name or name)], name=name, timeout_s=timeout_s)
    return statement, formula


def moment_lemma(steps: dict, timeout_s: float = 20.0, hyp=None) -> dict:
    """The moment lemma in the kernel: ForAll d >= 0, T >= 1: (AMSGrad's and the moment hypotheses on
    coordinates 1..d) => KK(d, T) <= Mom(d, T).  Uses the audit's general step "L3-step" (Cauchy-Schwarz's
    induction step) and the trusted axiom on log (L7).  Raises :class:`Missing` / :class:`KernelError`.

    ``hyp``: the predicate (a :func:`proofs.kernel.define`'d function of the coordinate) that stands for AMSGrad's
    Hyp(i); default Hyp.  The proof reads from it only 0 <= beta_1t <= beta1 < 1, m's recursion with m_0 = 0 and
    q_t > 0 (never q_{t+1} >= q_t), so AdamX (proofs.kernel_adamx), whose v_hat is no running max, passes its own."""
    V = Thm4Vocabulary.get()
    hyp = V.Hyp if hyp is None else hyp
    B, gm, s2, sb2, b2, alpha = V.B, V.gm, V.s2, V.sb2, V.b2, V.alpha
    g, m, q, al, bt, rt, v, sv = V.g, V.m, V.q, V.al, V.bt, V.rt, V.v, V.sv
    Bm, Z, U, Hs, Gn, Hm, Kt, k = V.Bm, V.Z, V.U, V.Hs, V.Gn, V.Hm, V.K, V.k
    ag = V.ag
    cs = need_step(steps, "L3-step")
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731
    sl = lambda key, names, build, engine="nlsat": scalar_glue(key, names, build, timeout_s, engine)  # noqa: E731
    i = K.fresh("i", Int)
    n = K.fresh("T", Int)
    n1 = n + 1
    H = z3.And(hyp(i), V.HypM(i))
    hdefs = [K.instantiate(K.defn(hyp), i), K.instantiate(K.defn(V.HypM), i)]
    # ground facts at round s from the (quantified) hypotheses -- the solver's only quantified work
    def facts_at(s):
        return [bt(s) >= 0, bt(s) <= B, B < 1, B >= 0, m(i, s) == bt(s) * m(i, s - 1) + (1 - bt(s)) * g(i, s),
                v(i, s) == b2 * v(i, s - 1) + (1 - b2) * g(i, s) * g(i, s), sv(i, s) >= 0, sv(i, s - 1) >= 0,
                sv(i, s) * sv(i, s) == v(i, s), sv(i, s - 1) * sv(i, s - 1) == v(i, s - 1),
                q(i, s) > 0, q(i, s) * q(i, s) >= v(i, s), rt(s) > 0, rt(s) * rt(s) == z3.ToReal(s),
                al(s) * rt(s) == alpha, alpha > 0, b2 > 0, b2 < 1, s2 > 0, s2 * s2 == 1 - b2, sb2 > 0,
                sb2 * sb2 == b2, gm * sb2 == B, gm < 1, m(i, 0) == 0, v(i, 0) == 0,
                V.nrm(i, s) >= 0, V.nrm(i, s) * V.nrm(i, s) == Gn(i, s), V.sL(s) >= 0,
                V.sL(s) * V.sL(s) == 1 + V.lg(s)]
    tt = K.fresh("t", Int)
    fx = K.prove(z3.Implies(z3.And(H, tt >= 1), z3.And(*facts_at(tt))), by=hdefs, name="moment lemma: hypotheses at round t",
                 timeout_s=timeout_s)
    fx = K.generalize([i, tt], fx, name="moment lemma: hypotheses at round t")
    at = lambda s: K.instantiate(fx, i, s)  # noqa: E731
    loc = lambda s: z3.And(*facts_at(s))  # noqa: E731

    # I1 + I2 together, from T = 0: (1-B) m_T^2 <= Bm_T, Bm_T >= 0, s2 Bm_T <= sv_T Z_T, Z_T >= 0
    def inv12(T):
        return z3.And((1 - B) * m(i, T) * m(i, T) <= Bm(i, T), Bm(i, T) >= 0, s2 * Bm(i, T) <= sv(i, T) * Z(i, T),
                      Z(i, T) >= 0)
    P12 = lambda T: z3.Implies(H, inv12(T))  # noqa: E731
    jensen = sl("Jensen step of (1-beta1) m^2 <= Bm", "b B m g Bs mn Bs1", lambda b, B_, m_, g_, Bs, mn, Bs1: z3.Implies(
        z3.And(b >= 0, b <= B_, B_ < 1, (1 - B_) * m_ * m_ <= Bs, Bs >= 0, mn == b * m_ + (1 - b) * g_,
               Bs1 == B_ * Bs + g_ * g_),
        z3.And((1 - B_) * mn * mn <= Bs1, Bs1 >= 0)))
    roots = sl("sqrt(v_{t+1}) >= sqrt(beta2) sqrt(v_t), sqrt(1-beta2)|g|", "b2 sb2 s2 v0 sv0 v1 sv1 g a",
               lambda b2_, sb2_, s2_, v0, sv0, v1, sv1, g_, a: z3.Implies(
        z3.And(b2_ > 0, b2_ < 1, sb2_ > 0, sb2_ * sb2_ == b2_, s2_ > 0, s2_ * s2_ == 1 - b2_, sv0 >= 0, sv0 * sv0 == v0,
               v1 == b2_ * v0 + (1 - b2_) * g_ * g_, sv1 >= 0, sv1 * sv1 == v1, a >= 0, a * a == g_ * g_),
        z3.And(sv1 >= sb2_ * sv0, sv1 >= s2_ * a)))
    lean = sl("Lean's per-step form, induction step", "B gm sb2 s2 sv0 sv1 a g Bs Z Bs1 Z1",
              lambda B_, gm_, sb2_, s2_, sv0, sv1, a, g_, Bs, Z_, Bs1, Z1: z3.Implies(
        z3.And(B_ >= 0, sb2_ > 0, gm_ * sb2_ == B_, s2_ > 0, sv0 >= 0, sv1 >= sb2_ * sv0, sv1 >= s2_ * a, a >= 0,
               a * a == g_ * g_, Z_ >= 0, s2_ * Bs <= sv0 * Z_, Bs1 == B_ * Bs + g_ * g_, Z1 == gm_ * Z_ + a),
        z3.And(s2_ * Bs1 <= sv1 * Z1, Z1 >= 0)))
    absq = sl("|g|^2 = g^2, |g| >= 0", "g", lambda g_: z3.And(z3.If(g_ >= 0, g_, -g_) * z3.If(g_ >= 0, g_, -g_) == g_ * g_,
                                                         z3.If(g_ >= 0, g_, -g_) >= 0), engine=None)
    z0 = z3.IntVal(0)
    base12 = K.prove(P12(z0), by=[I(Bm, i, z0), I(Z, i, z0)] + hdefs, name="moment lemma I1-I2, T = 0",
                     timeout_s=timeout_s)
    gg, a1 = g(i, n1), ag(i, n1)
    step12 = K.prove(z3.Implies(z3.And(n >= 0, P12(n)), P12(n1)), timeout_s=timeout_s, name="moment lemma I1-I2, T -> T+1",
                     by=[at(n1), I(Bm, i, n1), I(Z, i, n1), K.instantiate(absq, gg),
                         K.instantiate(jensen, bt(n1), B, m(i, n), gg, Bm(i, n), m(i, n1), Bm(i, n1)),
                         K.instantiate(roots, b2, sb2, s2, v(i, n), sv(i, n), v(i, n1), sv(i, n1), gg, a1),
                         K.instantiate(lean, B, gm, sb2, s2, sv(i, n), sv(i, n1), a1, gg, Bm(i, n), Z(i, n), Bm(i, n1),
                                       Z(i, n1))])
    I12 = induct_on(0, P12, base12, step12, n, "moment lemma I1-I2 (L2-L4, general)", timeout_s)

    # per round: k_t <= c Z_t / sqrt(t)
    c = alpha / ((1 - B) * s2)
    rnd = sl("round", "al rt alpha m q sv v Bs Z B s2", lambda al_, rt_, a_, m_, q_, sv_, v_, Bs, Z_, B_, s2_: z3.Implies(
        z3.And(rt_ > 0, al_ * rt_ == a_, a_ > 0, q_ > 0, q_ * q_ >= v_, sv_ >= 0, sv_ * sv_ == v_,
               (1 - B_) * m_ * m_ <= Bs, s2_ * Bs <= sv_ * Z_, s2_ > 0, B_ < 1, Z_ >= 0),
        al_ * m_ * m_ / q_ <= a_ / ((1 - B_) * s2_) * (Z_ / rt_)))
    tq = K.fresh("t", Int)
    per_round = K.prove(z3.Implies(z3.And(H, tq >= 1), k(i, tq) <= c * (Z(i, tq) / rt(tq))), timeout_s=timeout_s,
                        name="moment lemma: per round (L1, L4)",
                        by=[K.instantiate(fx, i, tq), K.instantiate(I12, tq), I(k, i, tq),
                            K.instantiate(rnd, al(tq), rt(tq), alpha, m(i, tq), q(i, tq), sv(i, tq), v(i, tq),
                                          Bm(i, tq), Z(i, tq), B, s2)])
    per_round = K.generalize([tq], per_round, name="moment lemma: per round (L1, L4)")

    # I3 (K_T <= c U_T) and I4 ((1-gm) U_T + gm Z_T/rt_T <= Hs_T) from T = 1
    def inv34(T):
        return z3.And(Kt(i, T) <= c * U(i, T), (1 - gm) * U(i, T) + gm * (Z(i, T) / rt(T)) <= Hs(i, T))
    P34 = lambda T: z3.Implies(H, inv34(T))  # noqa: E731
    one = z3.IntVal(1)
    mono_rt = sl("sqrt_t increasing", "r0 r1 t", lambda r0, r1, t_: z3.Implies(
        z3.And(r0 > 0, r1 > 0, r0 * r0 == t_, r1 * r1 == t_ + 1), r1 >= r0))
    # (the rounds' sqrt_t facts at n and n+1 give r0*r0 == ToReal(n), r1*r1 == ToReal(n+1) = ToReal(n) + 1)
    swap = sl("exchange of sums, induction step", "gm U0 H0 Z0 a r0 r1 Z1 U1 H1",
              lambda gm_, U0, H0, Z0, a, r0, r1, Z1, U1, H1: z3.Implies(
        z3.And(gm_ >= 0, gm_ < 1, (1 - gm_) * U0 + gm_ * (Z0 / r0) <= H0, r1 >= r0, r0 > 0, Z0 >= 0, a >= 0,
               Z1 == gm_ * Z0 + a, U1 == U0 + Z1 / r1, H1 == H0 + a / r1),
        (1 - gm_) * U1 + gm_ * (Z1 / r1) <= H1))
    lin = sl("sum of a constant multiple", "K0 U0 k z c K1 U1", lambda K0, U0, k_, z_, c_, K1, U1: z3.Implies(
        z3.And(K0 <= c_ * U0, k_ <= c_ * z_, K1 == K0 + k_, U1 == U0 + z_), K1 <= c_ * U1), engine=None)
    gpos = sl("gamma >= 0", "gm sb2 B", lambda gm_, sb2_, B_: z3.Implies(z3.And(sb2_ > 0, gm_ * sb2_ == B_, B_ >= 0),
                                                                         gm_ >= 0))
    zr = z3.RealVal(0)
    r1_ = rt(one)
    base34 = K.prove(P34(one), timeout_s=timeout_s, name="moment lemma I3-I4, T = 1",
                     by=[at(one), I(Kt, i, one), I(Kt, i, z0), I(U, i, one), I(U, i, z0), I(Hs, i, one), I(Hs, i, z0),
                         I(Z, i, one), I(Z, i, z0), K.instantiate(per_round, one), K.instantiate(absq, g(i, one)),
                         K.instantiate(gpos, gm, sb2, B),
                         K.instantiate(swap, gm, zr, zr, zr, ag(i, one), r1_, r1_, Z(i, one), U(i, one), Hs(i, one)),
                         K.instantiate(lin, zr, zr, k(i, one), Z(i, one) / r1_, c, Kt(i, one), U(i, one))])
    step34 = K.prove(z3.Implies(z3.And(n >= 1, P34(n)), P34(n1)), timeout_s=timeout_s, name="moment lemma I3-I4, T -> T+1",
                     by=[at(n), at(n1), I(Kt, i, n1), I(U, i, n1), I(Hs, i, n1), I(Z, i, n1), K.instantiate(per_round, n1),
                         K.instantiate(I12, n), K.instantiate(gpos, gm, sb2, B), K.instantiate(absq, g(i, n1)),
                         K.instantiate(mono_rt, rt(n), rt(n1), z3.ToReal(n)),
                         K.instantiate(swap, gm, U(i, n), Hs(i, n), Z(i, n), ag(i, n1), rt(n), rt(n1), Z(i, n1), U(i, n1),
                                       Hs(i, n1)),
                         K.instantiate(lin, Kt(i, n), U(i, n), k(i, n1), Z(i, n1) / rt(n1), c, Kt(i, n1), U(i, n1))])
    I34 = induct_on(1, P34, base34, step34, n, "moment lemma I3-I4 (L5: the exchange of sums, general)", timeout_s)

    # I5 (Cauchy-Schwarz, the audit's L3-step) and I6 (L7, the trusted axiom), from T = 1
    def inv56(T):
        return z3.And(Hs(i, T) * Hs(i, T) <= Gn(i, T) * Hm(T), Hs(i, T) >= 0, Gn(i, T) >= 0, Hm(T) >= 0,
                      Hm(T) <= 1 + V.lg(T))
    P56 = lambda T: z3.Implies(H, inv56(T))  # noqa: E731
    csg = sl("Cauchy-Schwarz's step at w = 1/t, a = |g| sqrt(t)", "H0 G0 M0 t r a g H1 G1 M1",
             lambda H0, G0, M0, t_, r, a, g_, H1, G1, M1: z3.Implies(
        z3.And(r > 0, r * r == t_, a >= 0, a * a == g_ * g_, H0 >= 0, G0 >= 0, M0 >= 0, H1 == H0 + a / r,
               G1 == G0 + g_ * g_, M1 == M0 + 1 / t_,
               (H0 + (1 / t_) * (a * r)) ** 2 <= (M0 + 1 / t_) * (G0 + (1 / t_) * (a * r) * (a * r))),
        z3.And(H1 * H1 <= G1 * M1, H1 >= 0, G1 >= 0, M1 >= 0)))
    wpos = sl("1/t >= 0", "t", lambda t_: z3.Implies(t_ > 0, 1 / t_ >= 0), engine=None)
    s_ = z3.Int("s")
    la = K.prove(z3.ForAll([s_], z3.Implies(s_ >= 1, V.lg(s_ + 1) - V.lg(s_) >= 1 / z3.ToReal(s_ + 1))), by=[V.log_axiom],
                 name="L7 (trusted axiom): the step", timeout_s=timeout_s)
    la1 = K.prove(V.lg(1) == 0, by=[V.log_axiom], name="L7 (trusted axiom): log 1 = 0", timeout_s=timeout_s)
    R1 = z3.ToReal(one)
    base56 = K.prove(P56(one), timeout_s=timeout_s, name="moment lemma I5-I6, T = 1",
                     by=[at(one), la1, I(Hs, i, one), I(Hs, i, z0), I(Gn, i, one), I(Gn, i, z0), I(Hm, one), I(Hm, z0),
                         K.instantiate(absq, g(i, one)), K.instantiate(wpos, R1),
                         cs.at(Sw=zr, Sa=zr, Saa=zr, w=1 / R1, a=ag(i, one) * rt(one)),
                         K.instantiate(csg, zr, zr, zr, R1, rt(one), ag(i, one), g(i, one), Hs(i, one), Gn(i, one),
                                       Hm(one))])
    Tr = z3.ToReal(n1)
    step56 = K.prove(z3.Implies(z3.And(n >= 1, P56(n)), P56(n1)), timeout_s=timeout_s, name="moment lemma I5-I6, T -> T+1",
                     by=[at(n1), K.instantiate(la, n), I(Hs, i, n1), I(Gn, i, n1), I(Hm, n1), K.instantiate(absq, g(i, n1)),
                         K.instantiate(wpos, Tr),
                         cs.at(Sw=Hm(n), Sa=Hs(i, n), Saa=Gn(i, n), w=1 / Tr, a=ag(i, n1) * rt(n1)),
                         K.instantiate(csg, Hs(i, n), Gn(i, n), Hm(n), Tr, rt(n1), ag(i, n1), g(i, n1), Hs(i, n1),
                                       Gn(i, n1), Hm(n1))])
    I56 = induct_on(1, P56, base56, step56, n, "moment lemma I5-I6 (L3/L6 Cauchy-Schwarz, L7; general)", timeout_s)

    # per coordinate, closed: K_{T,i} <= c sL(T) nrm(i,T) / (1 - gm)
    root = sl("H <= ||g|| sqrt(1+log T)", "Hh Gn Hm L nr sL", lambda Hh, Gn_, Hm_, L, nr, sL_: z3.Implies(
        z3.And(Hh >= 0, Hh * Hh <= Gn_ * Hm_, Gn_ >= 0, Hm_ >= 0, Hm_ <= L, nr >= 0, nr * nr == Gn_, sL_ >= 0, sL_ * sL_ == L),
        Hh <= nr * sL_))
    fin = sl("close the lemma per coordinate", "K0 c U gm e Hh N", lambda K0, c_, U0, gm_, e, Hh, N_: z3.Implies(
        z3.And(c_ > 0, K0 <= c_ * U0, (1 - gm_) * U0 + e <= Hh, e >= 0, gm_ < 1, Hh <= N_), K0 <= c_ / (1 - gm_) * N_))
    epos = sl("gamma Z/sqrt(t) >= 0", "gm Z r", lambda gm_, Z_, r: z3.Implies(z3.And(gm_ >= 0, Z_ >= 0, r > 0),
                                                                             gm_ * (Z_ / r) >= 0))
    CC = c / (1 - gm)
    cpos = sl("c > 0", "a B s", lambda a, B_, s: z3.Implies(z3.And(a > 0, B_ < 1, s > 0), a / ((1 - B_) * s) > 0))
    Lq = 1 + V.lg(n)
    per_i = K.prove(z3.Implies(z3.And(n >= 1, H), Kt(i, n) <= CC * (V.nrm(i, n) * V.sL(n))),
                    timeout_s=timeout_s, name="moment lemma per coordinate, every T >= 1",
                    by=[at(n), K.instantiate(I34, n), K.instantiate(I56, n), K.instantiate(I12, n),
                        K.instantiate(gpos, gm, sb2, B), K.instantiate(cpos, alpha, B, s2),
                        K.instantiate(epos, gm, Z(i, n), rt(n)),
                        K.instantiate(root, Hs(i, n), Gn(i, n), Hm(n), Lq, V.nrm(i, n), V.sL(n)),
                        K.instantiate(fin, Kt(i, n), c, U(i, n), gm, gm * (Z(i, n) / rt(n)), Hs(i, n),
                                      V.nrm(i, n) * V.sL(n))])
    per_i = K.generalize([i, n], per_i, name="moment lemma per coordinate, every T >= 1")

    # the sum over the coordinates: KK(d, T) <= Mom(d, T)
    j, Tc, dd = z3.Int("j"), K.fresh("T", Int), K.fresh("d", Int)
    allH = lambda nn: z3.ForAll([j], z3.Implies(z3.And(j >= 1, j <= nn), z3.And(hyp(j), V.HypM(j))))  # noqa: E731
    PC = lambda nn: z3.Implies(z3.And(Tc >= 1, allH(nn)), V.KK(nn, Tc) <= CC * V.sL(Tc) * V.NN(nn, Tc))  # noqa: E731
    lin2 = sl("sum over the coordinates of a constant multiple", "A Nn k nr C L A1 N1", lambda A_, Nn, k_, nr, C, L, A1, N1:
              z3.Implies(z3.And(A_ <= C * L * Nn, k_ <= C * (nr * L), A1 == A_ + k_, N1 == Nn + nr), A1 <= C * L * N1),
              engine=None)
    cb = K.prove(PC(z0), by=[I(V.KK, z0, Tc), I(V.NN, z0, Tc)], name="moment lemma: 0 coordinates", timeout_s=timeout_s)
    d1 = dd + 1
    cstep = K.prove(z3.Implies(z3.And(dd >= 0, PC(dd)), PC(d1)), timeout_s=timeout_s,
                    name="moment lemma: coordinates d -> d+1",
                    by=[down_to(allH, lambda jj: z3.And(hyp(jj), V.HypM(jj)), dd, timeout_s),
                        I(V.KK, d1, Tc), I(V.NN, d1, Tc), K.instantiate(per_i, d1, Tc),
                        K.instantiate(lin2, V.KK(dd, Tc), V.NN(dd, Tc), Kt(d1, Tc), V.nrm(d1, Tc), CC, V.sL(Tc),
                                      V.KK(d1, Tc), V.NN(d1, Tc))])
    coords = induct_on(0, PC, cb, cstep, dd, "moment lemma: every number of coordinates", timeout_s)
    coords = K.generalize([Tc], coords, name="moment lemma: every T >= 1, d >= 0")
    Tf, df = K.fresh("T", Int), K.fresh("d", Int)
    # d >= 1: the constants' hypotheses (0 < beta2 < 1, gamma < 1, ...) are stated with each coordinate's
    H, claim = z3.And(Tf >= 1, df >= 1, allH(df)), V.KK(df, Tf) <= V.Mom(df, Tf)
    fin2 = K.prove(z3.Implies(H, claim), timeout_s=timeout_s, name="moment lemma (kernel), at (d, T)",
                   by=[K.instantiate(coords, Tf), K.instantiate(K.defn(V.Mom), df, Tf),
                       K.instantiate(K.defn(V.HypM), z3.IntVal(1))])
    pf, formula = for_every_d_T(H, claim, df, Tf, fin2, "moment lemma (kernel)", timeout_s)
    return {"statement": pf, "formula": formula, "allH": allH}


def scalar_glue(key, names, build, timeout_s, engine="nlsat"):
    if key not in CACHE:
        CACHE[key] = scalar_lemma(key, names, build, engine=engine, timeout_s=timeout_s)
    return CACHE[key]


# ------------------------------------------------------------------------------------------------
# Corollary 1 (beta_{1t} = beta1 lambda^(t-1)), corrected form BOUNDS['cor1-derived'], from Theorem 4's kernel
# statement: the schedule sums S_{T,i} <= G beta1/(alpha (1-lambda)^2) by induction over T (the audit's steps
# PP-S[geo term], PP-geo[step], PP-geo[base,close], Cor1-sqrt), summed over the coordinates by induction; the last
# comparison (the audit's Cor1[from thm4-arxiv]) is re-proved by the solver in the final glue.
def _cor1_vocabulary(V):
    i, t, T = z3.Ints("i t T")
    V.G, V.lam = z3.Real("G_inf"), z3.Real("lambda_")
    V.lp = z3.Function("lambda_pow", Int, Real)  # lambda^(t-1)
    zero = z3.RealVal(0)
    V.SG = K.define_rec("SG", [T], Real, lambda f: z3.If(T <= 0, zero, f(T - 1) + V.lp(T) * z3.ToReal(T)))
    A1 = lambda body: z3.ForAll([t], z3.Implies(t >= 1, body))  # noqa: E731
    V.HypC = K.define("HypC", [i], z3.And(
        V.lam > 0, V.lam < 1, V.G >= 0, V.lp(1) == 1, A1(V.lp(t + 1) == V.lam * V.lp(t)),
        A1(V.bt(t) == V.B * V.lp(t)), A1(V.q(i, t) <= V.G)))


HYP_COR1 = ("0 < lambda < 1, beta_{1t} = beta1 lambda^(t-1) (lambda_pow(t) = lambda^(t-1) by its recursion), and "
            "sqrt(v_hat_{t,i}) <= G_inf taken as a hypothesis (the audit's Cor1-vhat derives it from |g| <= G_inf; "
            "that induction is not a link of the kernel's chain)")


def geo_schedule_per_coordinate(steps: dict, timeout_s: float = 20.0, hyp=None, hdefs=None,
                                tag: str = "Corollary 1") -> dict:
    """The geometric schedule sums per coordinate in the kernel (one definition for Corollary 1, pp-4.1 and Corollary 2):
    ForAll i, T >= 1: hyp(i) => S_{T,i} alpha (1-lambda)^2 <= G beta1 (``per_i``), by induction over T (PP-S[geo term],
    PP-geo[step], PP-geo[base,close], Cor1-sqrt).  ``hyp``: a predicate of the coordinate (default Hyp, HypM, HypC:
    cor1's and pp-4.1's; Corollary 2 passes its HypC2) from whose definitions ``hdefs(i)`` (the kernel's instances)
    the round facts follow; those facts ask only 0 <= q_t <= G (HypC's), so AdamNC's q_t = sqrt(v_t) >= 0 meets them
    as AMSGrad's q_t > 0 does.  ``tag`` names the lemmas."""
    V = Thm4Vocabulary.get()
    gterm, gstep, gbase = (need_step(steps, s) for s in ("PP-S[geo term]", "PP-geo[step]", "PP-geo[base,close]"))
    sq = need_step(steps, "Cor1-sqrt")
    B, G, lam, alpha, lp, SG, S, a, q, al, rt, bt = (V.B, V.G, V.lam, V.alpha, V.lp, V.SG, V.S, V.a, V.q, V.al, V.rt,
                                                    V.bt)
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731
    sl = lambda key, names, build, engine="nlsat": scalar_glue(key, names, build, timeout_s, engine)  # noqa: E731
    if hyp is None:
        hyp = lambda i_: z3.And(V.Hyp(i_), V.HypM(i_), V.HypC(i_))  # noqa: E731
        hdefs = lambda i_: [K.instantiate(V.hyp_pred(), i_), I(V.HypM, i_), I(V.HypC, i_)]  # noqa: E731
    i, n = K.fresh("i", Int), K.fresh("T", Int)
    n1 = n + 1
    H = hyp(i)
    tt = K.fresh("t", Int)

    def facts_at(s):
        return [bt(s) == B * lp(s), lp(s + 1) == lam * lp(s), q(i, s) >= 0, q(i, s) <= G, lam > 0, lam < 1, G >= 0,
                B >= 0, B < 1, alpha > 0, rt(s) > 0, rt(s) * rt(s) == z3.ToReal(s), al(s) * rt(s) == alpha, lp(1) == 1]
    fx = K.prove(z3.Implies(z3.And(H, tt >= 1), z3.And(*facts_at(tt))), by=hdefs(i), name=f"{tag}: hypotheses at round t",
                 timeout_s=timeout_s)
    fx = K.generalize([i, tt], fx, name=f"{tag}: hypotheses at round t")
    at = lambda s: K.instantiate(fx, i, s)  # noqa: E731
    C = G * B / alpha

    def inv(T):
        Tr = z3.ToReal(T)
        return z3.And(S(i, T) <= C * SG(T), SG(T) * (1 - lam) ** 2 <= 1 - lp(T + 1) * (Tr + 1 - Tr * lam), lp(T + 1) >= 0)
    P = lambda T: z3.Implies(H, inv(T))  # noqa: E731
    term = sl(f"{tag}: S_{{T+1}} = S_T + beta_{{1t}} a_t <= C (SG_T + lambda^(t-1) t)",
              "S0 S1 b a q al rt alpha B Pp t G SG0 SG1 C",
              lambda S0, S1, b, a_, q_, al_, rt_, al0, B_, Pp, t_, G_, SG0, SG1, C_: z3.Implies(
                  z3.And(S1 == S0 + b * a_, b == B_ * Pp, a_ == q_ / al_, al_ * rt_ == al0, rt_ > 0, al0 > 0,
                         S0 <= C_ * SG0, B_ * Pp * (rt_ * q_ / al0) <= (G_ * B_ / al0) * Pp * t_, SG1 == SG0 + Pp * t_,
                         C_ == G_ * B_ / al0),
                  S1 <= C_ * SG1))
    geo = sl(f"{tag}: the geometric partial sums, step in the sequences' terms", "lam SG0 SG1 Pp P1 t t1",
             lambda lam_, SG0, SG1, Pp, P1, t_, t1: z3.Implies(
                 z3.And(SG1 == SG0 + Pp * t1, t1 == t_ + 1, P1 == lam_ * Pp, lam_ > 0, Pp >= 0,
                        (SG0 + Pp * (t_ + 1)) * (1 - lam_) ** 2 <= 1 - lam_ * Pp * (t_ + 2 - (t_ + 1) * lam_)),
                 z3.And(SG1 * (1 - lam_) ** 2 <= 1 - P1 * (t1 + 1 - t1 * lam_), P1 >= 0)))
    z0, one = z3.IntVal(0), z3.IntVal(1)
    r1 = z3.ToReal(one)
    zr = z3.RealVal(0)

    def term_at(s, S0, SG0):
        Ts = z3.ToReal(s)
        return [gterm.at(t=Ts, **{"lambda^(t-1)": lp(s)}, alpha=alpha, beta1=B, G=G, q_t=q(i, s), sqrt_t=rt(s)),
                sq.at(t=Ts, _s1=rt(s)),
                K.instantiate(term, S0, S(i, s), bt(s), a(i, s), q(i, s), al(s), rt(s), alpha, B, lp(s), Ts, G, SG0,
                              SG(s), C)]
    base = K.prove(P(one), timeout_s=timeout_s, name=f"{tag}: schedule sums, T = 1",
                   by=[at(one), I(S, i, one), I(S, i, z0), I(SG, one), I(SG, z0), I(a, i, one),
                       gbase.at(**{"lambda": lam, "S_T": zr, "T": r1, "P": zr})] + term_at(one, zr, zr))
    Tn, Tn1 = z3.ToReal(n), z3.ToReal(n1)
    step = K.prove(z3.Implies(z3.And(n >= 1, P(n)), P(n1)), timeout_s=timeout_s, name=f"{tag}: schedule sums, T -> T+1",
                   by=[at(n1), I(S, i, n1), I(SG, n1), I(a, i, n1),
                       gstep.at(**{"lambda": lam, "T": Tn, "P": lp(n1), "S_T": SG(n)}),
                       K.instantiate(geo, lam, SG(n), SG(n1), lp(n1), lp(n1 + 1), Tn, Tn1)] + term_at(n1, S(i, n), SG(n)))
    every = induct_on(1, P, base, step, n, f"{tag}: schedule sums for every T >= 1", timeout_s)
    close = sl(f"{tag}: S_T alpha (1-lambda)^2 <= G beta1", "S0 C SG lam alpha G B",
               lambda S0, C_, SG_, lam_, al0, G_, B_: z3.Implies(
                   z3.And(S0 <= C_ * SG_, SG_ * (1 - lam_) ** 2 <= 1, C_ == G_ * B_ / al0, al0 > 0, G_ >= 0, B_ >= 0,
                          lam_ < 1), S0 * al0 * (1 - lam_) ** 2 <= G_ * B_))
    per_i = K.prove(z3.Implies(z3.And(n >= 1, H), S(i, n) * alpha * (1 - lam) ** 2 <= G * B), timeout_s=timeout_s,
                    name=f"{tag}: schedule sums per coordinate",
                    by=[at(n), K.instantiate(every, n),
                        gbase.at(**{"lambda": lam, "S_T": SG(n), "T": Tn, "P": lp(n1)}),
                        K.instantiate(close, S(i, n), C, SG(n), lam, alpha, G, B)])
    return {"per_i": K.generalize([i, n], per_i, name=f"{tag}: schedule sums per coordinate")}


def geo_schedule_sums(steps: dict, timeout_s: float = 20.0) -> dict:
    """The geometric schedule sums in the kernel (Corollary 1 and pp-4.1 share them): ForAll T >= 1, d >= 0:
    Hyp, HypM, HypC on coordinates 1..d => SS(d, T) alpha (1-lambda)^2 <= G beta1 d (``coords``), per coordinate by
    :func:`geo_schedule_per_coordinate` and over the coordinates by induction."""
    V = Thm4Vocabulary.get()
    B, G, lam, alpha, S = V.B, V.G, V.lam, V.alpha, V.S
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731
    sl = lambda key, names, build, engine="nlsat": scalar_glue(key, names, build, timeout_s, engine)  # noqa: E731
    z0 = z3.IntVal(0)
    per_i = geo_schedule_per_coordinate(steps, timeout_s)["per_i"]
    # over the coordinates: SS(d, T) alpha (1-lambda)^2 <= G beta1 d
    j, Tc, dd = z3.Int("j"), K.fresh("T", Int), K.fresh("d", Int)
    allH3 = lambda nn: z3.ForAll([j], z3.Implies(z3.And(j >= 1, j <= nn), z3.And(V.Hyp(j), V.HypM(j), V.HypC(j))))  # noqa
    PC = lambda nn: z3.Implies(z3.And(Tc >= 1, allH3(nn)),  # noqa: E731
                               V.SS(nn, Tc) * alpha * (1 - lam) ** 2 <= G * B * z3.ToReal(nn))
    lin = sl("Corollary 1: schedule sums over the coordinates, step", "X s X1 al0 lam G B dr dr1",
             lambda X, s_, X1, al0, lam_, G_, B_, dr, dr1: z3.Implies(
                 z3.And(X1 == X + s_, X * al0 * (1 - lam_) ** 2 <= G_ * B_ * dr, s_ * al0 * (1 - lam_) ** 2 <= G_ * B_,
                        dr1 == dr + 1),
                 X1 * al0 * (1 - lam_) ** 2 <= G_ * B_ * dr1), engine=None)
    cb = K.prove(PC(z0), by=[I(V.SS, z0, Tc)], name="Corollary 1: 0 coordinates", timeout_s=timeout_s)
    d1 = dd + 1
    cs = K.prove(z3.Implies(z3.And(dd >= 0, PC(dd)), PC(d1)), timeout_s=timeout_s,
                 name="Corollary 1: schedule sums, d -> d+1",
                 by=[down_to(allH3, lambda jj: z3.And(V.Hyp(jj), V.HypM(jj), V.HypC(jj)), dd, timeout_s),
                     I(V.SS, d1, Tc), K.instantiate(per_i, d1, Tc),
                     K.instantiate(lin, V.SS(dd, Tc), S(d1, Tc), V.SS(d1, Tc), alpha, lam, G, B, z3.ToReal(dd),
                                   z3.ToReal(d1))])
    coords = induct_on(0, PC, cb, cs, dd, "Corollary 1: schedule sums over every number of coordinates", timeout_s)
    coords = K.generalize([Tc], coords, name="Corollary 1: schedule sums, every T")
    return {"coords": coords, "allH3": allH3, "j": j, "per_i": per_i}


def cor1(steps: dict, premises: dict | None = None, timeout_s: float = 20.0) -> dict:
    V = Thm4Vocabulary.get()
    th4 = (premises or {}).get("thm4-arxiv")
    if th4 is None:
        raise Missing("Theorem 4 (arXiv) has no kernel proof to derive Corollary 1 from")
    sc = geo_schedule_sums(steps, timeout_s)
    coords, allH3, j = sc["coords"], sc["allH3"], sc["j"]
    B, G, lam, alpha, rt = V.B, V.G, V.lam, V.alpha, V.rt
    one = z3.IntVal(1)
    # the statement: R_T <= BOUNDS['cor1-derived'].expr
    from analysis import bounds as AB

    from .step_bounds import to_num

    Ts, ds = K.fresh("T", Int), K.fresh("d", Int)
    env = dict(bound_env(V, ds, Ts), G_inf=G, lambda_=lam, d=z3.ToReal(ds))
    N = KNum(V, Ts)
    bc = to_num(N, AB.BOUNDS["cor1-derived"].expr, dict(env))
    hyps = lambda d_, T_: [T_ >= 1, d_ >= 1, allH3(d_), convex_hyp(V, d_)]  # noqa: E731
    th4i = K.instantiate(th4, ds, Ts)
    H0 = z3.And(*hyps(ds, Ts))
    allH2 = z3.ForAll([j], z3.Implies(z3.And(j >= 1, j <= ds), z3.And(V.Hyp(j), V.HypM(j))))
    consts = z3.And(alpha > 0, B < 1, B >= 0, lam < 1, lam > 0, rt(Ts) > 0, V.s2 > 0, V.gm < 1, G >= 0, V.Dc >= 0)
    hf = K.prove(z3.Implies(H0, z3.And(consts, allH2)), timeout_s=timeout_s, name="Corollary 1: the hypotheses' constants",
                 by=[K.instantiate(V.hyp_pred(), one), K.instantiate(K.defn(V.HypM), one), K.instantiate(K.defn(V.HypC), one)])
    sched = K.prove(z3.Implies(H0, V.SS(ds, Ts) * alpha * (1 - lam) ** 2 <= G * B * z3.ToReal(ds)), timeout_s=timeout_s,
                    name="Corollary 1: the schedule sums at (d, T)", by=[K.instantiate(K.instantiate(coords, Ts), ds)])
    # the comparison BOUNDS['thm4-arxiv'] <= BOUNDS['cor1-derived'] given the schedule sums (the audit's step
    # Cor1[from thm4-arxiv]) is re-proved by the solver in this glue: passed as a dependency as well, it could be
    # dropped without the proof failing (measured), so it is not a dependency of the kernel statement
    fin = K.prove(z3.Implies(H0, V.Reg(Ts) <= bc), timeout_s=timeout_s, name="Corollary 1: R_T <= BOUNDS['cor1-derived']",
                  by=[th4i, hf, sched])
    st, formula = for_every_d_T(z3.And(*hyps(ds, Ts)), V.Reg(Ts) <= bc, ds, Ts, fin, "Corollary 1 (corrected)", timeout_s)
    return {"statement": st, "implication": st, "formula": formula, "premises": {"thm4-arxiv": "kernel Proof"}}


# ------------------------------------------------------------------------------------------------
# Theorem 1 (Adam does not converge): f_t(x) = g_t x with g_t = C (t mod 3 = 1), -1 otherwise, F = [-1, 1],
# beta1 = 0, beta2 = 1/(1+C^2), alpha_t = alpha/sqrt(t), alpha < sqrt(1-beta2), x_1 = 1, C > 2.
# Conclusion's form: R_{3k} >= (2C-4) k for every k >= 0 (regret against x* = -1), i.e. R_T >= c T with
# c = (2C-4)/3 > 0 along T = 3k -- linear regret; proved by kernel induction over the blocks k: x_{3k+1} = 1,
# 0 <= v_{3k} <= C^2, R_{3k} >= (2C-4) k, each block by the audit's A2 (T1 < 1), A6[t>=1] / A6[t=0] (T2 >= T1),
# A4 (the block returns to 1) and A9 (block regret >= 2C - 4).
class Thm1Vocabulary(Once):

    def __init__(self):
        t, T = z3.Ints("t T")
        self.C, self.b2, self.alpha = z3.Real("C"), z3.Real("beta2"), z3.Real("alpha")
        self.x, self.v, self.r = (z3.Function(s, Int, Real) for s in ("x_adam", "v_adam", "sqrt_tv_adam"))
        C = self.C
        self.g = K.define("g_thm1", [t], z3.If(t % 3 == 1, C, z3.RealVal(-1)))
        zero = z3.RealVal(0)
        self.Reg = K.define_rec("R_thm1", [T], Real,
                                lambda f: z3.If(T <= 0, zero, f(T - 1) + self.g(T) * (self.x(T) + 1)))

    def clamp(self, y):
        lo = z3.If(y >= -1, y, z3.RealVal(-1))
        return z3.If(lo <= 1, lo, z3.RealVal(1))

    def hyps(self):
        t = z3.Int("t")
        C, b2, a, x, v, r, g = self.C, self.b2, self.alpha, self.x, self.v, self.r, self.g
        A1 = lambda body: z3.ForAll([t], z3.Implies(t >= 1, body))  # noqa: E731
        return [C > 2, b2 * (1 + C * C) == 1, a > 0, a * a < 1 - b2, x(1) == 1, v(0) == 0,
                A1(v(t) == b2 * v(t - 1) + (1 - b2) * g(t) * g(t)),
                A1(z3.And(r(t) >= 0, r(t) * r(t) == z3.ToReal(t) * v(t))),
                A1(x(t + 1) == self.clamp(x(t) - a * g(t) / r(t)))]


def thm1(steps: dict, premises: dict | None = None, timeout_s: float = 20.0) -> dict:
    V = Thm1Vocabulary.get()
    C, b2, a, x, v, r, g, Reg = V.C, V.b2, V.alpha, V.x, V.v, V.r, V.g, V.Reg
    s2, s6, s60, s4, s9 = (need_step(steps, s) for s in ("A2", "A6[t>=1]", "A6[t=0]", "A4", "A9"))
    sl = lambda key, names, build, engine="nlsat": scalar_glue(key, names, build, timeout_s, engine)  # noqa: E731
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731
    HA = z3.And(*V.hyps())
    k = K.fresh("k", Int)
    ts = [3 * k + 1, 3 * k + 2, 3 * (k + 1)]

    def facts(k_):
        t1, t2, t3 = 3 * k_ + 1, 3 * k_ + 2, 3 * (k_ + 1)
        out = [C > 2, b2 * (1 + C * C) == 1, a > 0, a * a < 1 - b2, x(1) == 1, v(0) == 0]
        for s in (t1, t2, t3):
            out += [v(s) == b2 * v(s - 1) + (1 - b2) * g(s) * g(s), r(s) >= 0, r(s) * r(s) == z3.ToReal(s) * v(s),
                    x(s + 1) == V.clamp(x(s) - a * g(s) / r(s))]
        return out
    fx = K.prove(z3.Implies(z3.And(HA, k >= 0), z3.And(*facts(k))), name="Theorem 1: the hypotheses at block k",
                 timeout_s=timeout_s)
    fx = K.generalize([k], fx, name="Theorem 1: the hypotheses at block k")
    # the same facts with each neighbour written as the block's own term (3k, 3k+1, 3k+2, 3(k+1), 3(k+1)+1):
    # a small lemma, so that the block's glue needs no arithmetic on the arguments of v, x, R
    def clean(k_):
        t0, t1, t2, t3 = 3 * k_, 3 * k_ + 1, 3 * k_ + 2, 3 * (k_ + 1)
        out = []
        for s, p_, nx in ((t1, t0, t2), (t2, t1, t3), (t3, t2, 3 * (k_ + 1) + 1)):
            out += [v(s) == b2 * v(p_) + (1 - b2) * g(s) * g(s), r(s) >= 0, r(s) * r(s) == z3.ToReal(s) * v(s),
                    x(nx) == V.clamp(x(s) - a * g(s) / r(s)), Reg(s) == Reg(p_) + g(s) * (x(s) + 1)]
        return out
    cf = K.prove(z3.Implies(z3.And(HA, k >= 0), z3.And(*clean(k))), timeout_s=timeout_s,
                 by=[K.instantiate(fx, k)] + [I(Reg, s) for s in ts], name="Theorem 1: the block's recursions")
    cf = K.generalize([k], cf, name="Theorem 1: the block's recursions")
    gk = K.prove(z3.Implies(k >= 0, z3.And(g(ts[0]) == C, g(ts[1]) == -1, g(ts[2]) == -1)),
                 by=[I(g, s) for s in ts], name="Theorem 1: g at block k", timeout_s=timeout_s)
    gk = K.generalize([k], gk, name="Theorem 1: g at block k")
    gs = lambda g1, g2, g3, C_: z3.And(g1 == C_, g2 == -1, g3 == -1)  # noqa: E731
    vr = sl("Theorem 1: v stays in [0, C^2]", "b2 C v0 v1 v2 v3 g1 g2 g3", lambda b2_, C_, v0, v1, v2, v3, g1, g2, g3:
            z3.Implies(z3.And(C_ > 2, b2_ * (1 + C_ * C_) == 1, v0 >= 0, v0 <= C_ * C_, gs(g1, g2, g3, C_),
                              v1 == b2_ * v0 + (1 - b2_) * g1 * g1, v2 == b2_ * v1 + (1 - b2_) * g2 * g2,
                              v3 == b2_ * v2 + (1 - b2_) * g3 * g3),
                       z3.And(v1 >= 0, v1 <= C_ * C_, v2 >= 0, v2 <= C_ * C_, v3 >= 0, v3 <= C_ * C_, v2 >= 1 - b2_,
                              v3 >= 1 - b2_, b2_ > 0, b2_ < 1)))
    pos = sl("Theorem 1: alpha/sqrt(t v_t) > 0", "a r tr vv b2", lambda a_, r_, tr, vv, b2_: z3.Implies(
        z3.And(a_ > 0, r_ >= 0, r_ * r_ == tr * vv, tr >= 1, vv >= 1 - b2_, b2_ < 1), z3.And(r_ > 0, a_ / r_ > 0)))
    blk = sl("Theorem 1: the block's iterates (clamps)", "a C r1 r2 r3 x1 x2 x3 x4 g1 g2 g3",
             lambda a_, C_, r1, r2, r3, x1, x2, x3, x4, g1, g2, g3: z3.Implies(
                 z3.And(x1 == 1, gs(g1, g2, g3, C_), r1 > 0, r2 > 0, r3 > 0, a_ > 0, a_ * C_ / r1 > 0, a_ * C_ / r1 < 1,
                        a_ / r2 > 0, a_ / r3 > 0,
                        1 <= z3.If(1 >= 1 - a_ * C_ / r1 + a_ / r2, 1 - a_ * C_ / r1 + a_ / r2, 1) + a_ / r3,
                        x2 == V.clamp(x1 - a_ * g1 / r1), x3 == V.clamp(x2 - a_ * g2 / r2),
                        x4 == V.clamp(x3 - a_ * g3 / r3)),
                 z3.And(x4 == 1, x2 <= 1, x3 <= 1)), engine=None)
    reg = sl("Theorem 1: the block's regret", "C K K1 R0 R1 R2 R3 x1 x2 x3 g1 g2 g3",
             lambda C_, K_, K1, R0, R1, R2, R3, x1, x2, x3, g1, g2, g3: z3.Implies(
                 z3.And(R0 >= (2 * C_ - 4) * K_, x1 == 1, gs(g1, g2, g3, C_), R1 == R0 + g1 * (x1 + 1),
                        R2 == R1 + g2 * (x2 + 1), R3 == R2 + g3 * (x3 + 1), (C_ - x2 - x3) - (-C_ + 2) >= 2 * C_ - 4,
                        K1 == K_ + 1),
                 R3 >= (2 * C_ - 4) * K1), engine=None)
    def root(c_, big):
        """r^2 = t v_t with t = 3k + c, v_t = beta2 v_{t-1} + (1-beta2) g_t^2, g_t = C (big) or -1 (one root)."""
        def build(K_, b2_, C_, vp, vk, r_, tk, g_):
            gsq = C_ * C_ if big else 1
            return z3.Implies(z3.And(g_ == (C_ if big else -1), vk == b2_ * vp + (1 - b2_) * g_ * g_, tk == 3 * K_ + c_,
                                     r_ * r_ == tk * vk),
                              r_ * r_ == (3 * K_ + c_) * (b2_ * vp + (1 - b2_) * gsq if big else b2_ * vp + 1 - b2_))
        return sl(f"Theorem 1: the root at round 3k+{c_}", "K b2 C vp vk r t g", build, engine=None)
    roots_ = [root(1, True), root(2, False), root(3, False)]
    roots0 = sl("Theorem 1: the roots of the first block", "b2 C v1 v2 r1 r2 r3",
                lambda b2_, C_, v1, v2, r1, r2, r3: z3.Implies(
                    z3.And(v1 == b2_ * 0 + (1 - b2_) * C_ * C_, v2 == b2_ * v1 + 1 - b2_,
                           r1 * r1 == (3 * 0 + 1) * (b2_ * 0 + (1 - b2_) * C_ * C_),
                           r2 * r2 == (3 * 0 + 2) * (b2_ * v1 + 1 - b2_), r3 * r3 == (3 * 0 + 3) * (b2_ * v2 + 1 - b2_)),
                    z3.And(r2 * r2 == (3 * 0 + 2) * (b2_ * ((1 - b2_) * C_ * C_) + 1 - b2_),
                           r3 * r3 == (3 * 0 + 3) * (b2_ * (b2_ * ((1 - b2_) * C_ * C_) + 1 - b2_) + 1 - b2_))),
                engine=None)

    def inv(k_):
        return z3.And(x(3 * k_ + 1) == 1, v(3 * k_) >= 0, v(3 * k_) <= C * C, Reg(3 * k_) >= (2 * C - 4) * z3.ToReal(k_))
    P = lambda k_: z3.Implies(HA, inv(k_))  # noqa: E731

    def block(k_, first):
        """P(k) => P(k+1) in stages, each a small kernel lemma (one nonlinear fact at a time)."""
        t0, t1, t2, t3 = 3 * k_, 3 * k_ + 1, 3 * k_ + 2, 3 * (k_ + 1)
        Kr = z3.ToReal(k_)
        T1 = a * C / r(t1)
        G3 = (g(t1), g(t2), g(t3))
        # the stages assume ground facts only (no quantified hypothesis: E-matching on them loops for a symbolic k)
        ground = [C > 2, b2 * (1 + C * C) == 1, a > 0, a * a < 1 - b2, v(0) == 0] + clean(k_) + \
            [g(t1) == C, g(t2) == -1, g(t3) == -1]
        pre = z3.And(k_ >= 0 if first else k_ >= 1, inv(k_), *ground)
        base = []
        tag = "block 0" if first else "block k >= 1"

        def stage(name, concl, by):
            return K.prove(z3.Implies(pre, concl), by=base + by, timeout_s=timeout_s, name=f"Theorem 1, {tag}: {name}")
        rng = z3.And(v(t1) >= 0, v(t1) <= C * C, v(t2) >= 0, v(t2) <= C * C, v(t3) >= 0, v(t3) <= C * C,
                     v(t2) >= 1 - b2, v(t3) >= 1 - b2, b2 > 0, b2 < 1)
        s_rng = stage("v in [0, C^2]", rng, [K.instantiate(vr, b2, C, v(t0), v(t1), v(t2), v(t3), *G3)])
        if first:
            rts = K.instantiate(roots0, b2, C, v(t1), v(t2), r(t1), r(t2), r(t3))
            rt_c = rts.thm.arg(1)
            s_rt = stage("the roots", z3.And(rt_c, r(t1) * r(t1) == (3 * 0 + 1) * (b2 * 0 + (1 - b2) * C * C)),
                         [rts] + [K.instantiate(roots_[c_ - 1], Kr, b2, C, v(tp), v(tk), r(tk), z3.ToReal(tk), g(tk))
                                  for c_, tp, tk in ((1, t0, t1), (2, t1, t2), (3, t2, t3))])
            a6 = s60.at(_s3=r(t1), C=C, alpha=a, _s2=r(t3), _s1=r(t2), beta2=b2, t=Kr)
        else:
            rts = [K.instantiate(roots_[c_ - 1], Kr, b2, C, v(tp), v(tk), r(tk), z3.ToReal(tk), g(tk))
                   for c_, tp, tk in ((1, t0, t1), (2, t1, t2), (3, t2, t3))]
            s_rt = stage("the roots", z3.And(*[p.thm.arg(1) for p in rts]), rts)
            a6 = s6.at(_s3=r(t1), C=C, alpha=a, _s2=r(t3), _s1=r(t2), beta2=b2, v=v(t0), t=Kr, v2=v(t2), v1=v(t1))
        s_pos = stage("alpha/sqrt(t v_t) > 0", z3.And(r(t2) > 0, a / r(t2) > 0, r(t3) > 0, a / r(t3) > 0),
                      [s_rng, K.instantiate(pos, a, r(t2), z3.ToReal(t2), v(t2), b2),
                       K.instantiate(pos, a, r(t3), z3.ToReal(t3), v(t3), b2)])
        a2 = s2.at(_s1=r(t1), C=C, alpha=a, beta2=b2, v=v(t0), t=Kr)
        s_t1 = stage("T1 < 1 (A2), T2 >= T1 (A6)", z3.And(a2.thm.arg(1), a6.thm.arg(1)), [s_rng, s_rt, a2, a6])
        a4 = s4.at(inc3=a / r(t3), inc2=a / r(t2), T1=T1, t=Kr, beta2=b2, alpha=a, C=C)
        s_a4 = stage("the block returns (A4)", a4.thm.arg(1), [s_pos, s_t1, a4])
        bl = K.instantiate(blk, a, C, r(t1), r(t2), r(t3), x(t1), x(t2), x(t3), x(t3 + 1), *G3)
        s_bl = stage("x_{3k+4} = 1", bl.thm.arg(1), [s_pos, s_t1, s_a4, bl])
        a9 = s9.at(C=C, x3=x(t3), x2=x(t2))
        rg = K.instantiate(reg, C, Kr, z3.ToReal(k_ + 1), Reg(t0), Reg(t1), Reg(t2), Reg(t3), x(t1), x(t2), x(t3), *G3)
        s_rg = stage("the block's regret (A9)", rg.thm.arg(1), [s_bl, a9, rg])
        pre2 = [k_ >= 1] if not first else [k_ >= 0]
        gr = K.prove(z3.Implies(z3.And(HA, k_ >= 0), z3.And(*ground)), timeout_s=timeout_s,
                     by=[K.instantiate(fx, k_), K.instantiate(cf, k_), K.instantiate(gk, k_)],
                     name=f"Theorem 1, {tag}: the ground facts")
        return K.prove(z3.Implies(z3.And(*pre2, P(k_)), P(k_ + 1)), by=[gr, s_rng, s_bl, s_rg], timeout_s=timeout_s,
                       name=f"Theorem 1: {tag} returns to x = 1")
    z0 = z3.IntVal(0)
    b0 = block(z0, True)
    bk = K.generalize([k], block(k, False), name="Theorem 1: block k >= 1 returns to x = 1")
    n = K.fresh("k", Int)
    step = K.prove(z3.Implies(z3.And(n >= 0, P(n)), P(n + 1)), by=[b0, K.instantiate(bk, n)],
                   name="Theorem 1: block k -> k+1", timeout_s=timeout_s)
    base = K.prove(P(z0), by=[I(Reg, z0)], name="Theorem 1: block 0 starts at x_1 = 1", timeout_s=timeout_s)
    every = induct_on(0, P, base, step, n, "Theorem 1: every block returns (kernel induction)", timeout_s)
    kq = z3.Int("k")
    formula = z3.ForAll([kq], z3.Implies(z3.And(kq >= 0, *V.hyps()), Reg(3 * kq) >= (2 * C - 4) * z3.ToReal(kq)))
    st = K.prove(formula, by=[every], name="Theorem 1 (R_{3k} >= (2C-4) k)", timeout_s=timeout_s)
    return {"statement": st, "implication": st, "formula": formula, "premises": {}}


# ------------------------------------------------------------------------------------------------
# Phuong & Phong's first term (pp-4.1 and adamx-5.1 share it): the two-phase summation by parts of
# Q_{T,i} = sum_{t<=T} c_t (u_t - u_{t+1}) in the kernel, from the audit's PP-Abel steps.  Only this part of
# their chain has a kernel proof today (see WHY_NOT); it is not a statement of the audit.
PP_FIRST_STEPS = ("PP-Abel[base T=1]", "PP-Abel[T<t0 step]", "PP-Abel[T>=t0 step]", "PP-Abel[t0 junction]")


def pp_vocabulary(V):
    if "Cs" not in CACHE:  # C_{T,i} = sum_{t<=T} c_{t,i}: defined once per process
        i, T = z3.Ints("i T")
        CACHE["Cs"] = K.define_rec("Cs", [i, T], Real, lambda f: z3.If(T <= 0, z3.RealVal(0), f(i, T - 1) + V.c(i, T)))
        # the first term's hypotheses as named predicates: the induction's glue then sees them as atoms
        # (with the quantified bodies inline, the generalized step timed out)
        t, t0, D2 = z3.Int("t"), z3.Int("t0"), V.Dc * V.Dc
        CACHE["PPc"] = K.define("PPc", [i], z3.ForAll([t], z3.Implies(t >= 1, z3.And(
            V.c(i, t) >= 0, V.u(i, t) >= 0, V.u(i, t) <= D2))))
        CACHE["PPm"] = K.define("PPm", [i, t0], z3.And(t0 >= 1, z3.ForAll([t], z3.Implies(
            t >= t0, V.c(i, t + 1) >= V.c(i, t)))))
    return CACHE["Cs"], CACHE["PPc"], CACHE["PPm"]


def pp_first_term(steps: dict, timeout_s: float = 20.0) -> dict:
    """The first term of Phuong & Phong's Theorem 4.1 (and AdamX 5.1) in the kernel.  Formula:

        ForAll i, t0 >= 1, T >= t0:  (c_{t,i} >= 0 and 0 <= u_{t,i} <= D^2 for t >= 1; c_{t+1,i} >= c_{t,i} for
        t >= t0, i.e. Lemma 4.3's conclusion)  =>  Q_{T,i} <= pp_first_rhs(D^2, C_{t0,i}, c_{T,i})

    with c, u, Q of :class:`Thm4Vocabulary` and C_{T,i} = sum_{t<=T} c_{t,i}.  Phase 1 (every T >= 1, c >= 0
    only): Q_T + c_T u_{T+1} <= D^2 C_T by induction (PP-Abel[base T=1], PP-Abel[T<t0 step]); at T = t0 the
    junction PP-Abel[t0 junction]; phase 2 (T >= t0, c non-decreasing) by induction on T (the junction when
    T + 1 = t0, PP-Abel[T>=t0 step] from T >= t0).  Trusted base: empty.  Raises :class:`Missing` / :class:`proofs.kernel.KernelError`."""
    from .pp_repairs import pp_first_rhs

    V = Thm4Vocabulary.get()
    Cs, PPc, PPm = pp_vocabulary(V)
    Q, c, u, Dc = V.Q, V.c, V.u, V.Dc
    D2 = Dc * Dc
    pb, p1, p2, pj = (need_step(steps, s) for s in PP_FIRST_STEPS)
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731
    i, t0 = K.fresh("i", Int), K.fresh("t0", Int)
    Hc, dc, dm = PPc(i), I(PPc, i), I(PPm, i, t0)
    one, z0 = z3.IntVal(1), z3.IntVal(0)
    # phase 1: every T >= 1
    P1 = lambda T: z3.Implies(Hc, Q(i, T) + c(i, T) * u(i, T + 1) <= D2 * Cs(i, T))  # noqa: E731
    b1 = K.prove(P1(one), by=[dc, I(Q, i, one), I(Q, i, z0), I(Cs, i, one), I(Cs, i, z0),
                              pb.at(c_1=c(i, one), u_1=u(i, one), u_2=u(i, one + 1), D2=D2)],
                 name="pp first term, phase 1: T = 1", timeout_s=timeout_s)
    n = K.fresh("T", Int)
    s1 = K.prove(z3.Implies(z3.And(n >= 1, P1(n)), P1(n + 1)), timeout_s=timeout_s,
                 name="pp first term, phase 1: T -> T+1",
                 by=[dc, I(Q, i, n + 1), I(Cs, i, n + 1),
                     p1.at(Q_T=Q(i, n), c_T=c(i, n), c_T1=c(i, n + 1), u_T1=u(i, n + 1), u_T2=u(i, n + 2), D2=D2,
                           C_T=Cs(i, n))])
    ph1 = induct_on(1, P1, b1, s1, n, "pp first term, phase 1: Q_T + c_T u_{T+1} <= D^2 C_T", timeout_s)
    # phase 2: for every T >= 1, T >= t0 => bound (t0 >= 1 fixed); a step to T+1 = t0 is the junction, a step
    # from T >= t0 is PP-Abel[T>=t0 step] (inducting on k = T - t0 instead made the induction's glue time out)
    H2 = z3.And(Hc, PPm(i, t0))
    rhs = lambda T: pp_first_rhs(D2, Cs(i, t0), c(i, T))  # noqa: E731
    # phase 2's claim as a named predicate: the induction's glue then matches atoms only (with the body inline it
    # timed out now and then, measured: 1 run in 4)
    if "PP2" not in CACHE:
        iv, t0v, Tv = z3.Ints("i t0 T")
        CACHE["PP2"] = K.define("PP2", [iv, t0v, Tv], z3.Implies(
            z3.And(Tv >= t0v, PPc(iv), PPm(iv, t0v)),
            Q(iv, Tv) + c(iv, Tv) * u(iv, Tv + 1) <= pp_first_rhs(D2, Cs(iv, t0v), c(iv, Tv))))
    PP2 = CACHE["PP2"]
    P2 = lambda T: PP2(i, t0, T)  # noqa: E731
    junction = lambda T: pj.at(Q_T=Q(i, T), c_T=c(i, T), u_T1=u(i, T + 1), C_0=Cs(i, t0), D2=D2)  # noqa: E731
    b2 = K.prove(P2(one), timeout_s=timeout_s, name="pp first term, phase 2: T = 1 (= t0, junction)",
                 by=[dc, dm, I(PP2, i, t0, one), K.instantiate(ph1, one), junction(one)])
    kf = K.fresh("T", Int)
    s2 = K.prove(z3.Implies(z3.And(kf >= 1, P2(kf)), P2(kf + 1)), timeout_s=timeout_s,
                 name="pp first term, phase 2: T -> T+1",
                 by=[dc, dm, I(PP2, i, t0, kf), I(PP2, i, t0, kf + 1), I(Q, i, kf + 1), K.instantiate(ph1, kf + 1),
                     junction(kf + 1),
                     p2.at(Q_T=Q(i, kf), c_T=c(i, kf), c_T1=c(i, kf + 1), u_T1=u(i, kf + 1), u_T2=u(i, kf + 2),
                           D2=D2, C_0=Cs(i, t0))])
    ph2 = induct_on(1, P2, b2, s2, kf, "pp first term, phase 2: Q_T + c_T u_{T+1} <= D^2 (C_t0 + c_T)", timeout_s)
    # close: Q_T <= Q_T + c_T u_{T+1} (c, u >= 0)
    Tf = K.fresh("T", Int)
    fin = K.prove(z3.Implies(z3.And(Tf >= t0, H2), Q(i, Tf) <= rhs(Tf)), timeout_s=timeout_s,
                  name="pp first term: Q_T <= D^2 (C_t0 + c_T)",
                  by=[dc, dm, I(PP2, i, t0, Tf), K.instantiate(ph2, Tf),
                      K.instantiate(scalar_glue("c, u >= 0 => c u >= 0", "c u", lambda c_, u_: z3.Implies(
                          z3.And(c_ >= 0, u_ >= 0), c_ * u_ >= 0), timeout_s), c(i, Tf), u(i, Tf + 1))])
    iq, t0q, Tq = z3.Int("i"), z3.Int("t0"), z3.Int("T")
    formula = z3.ForAll([iq, t0q, Tq], z3.substitute(z3.Implies(z3.And(Tf >= t0, H2), Q(i, Tf) <= rhs(Tf)),
                                                     (i, iq), (t0, t0q), (Tf, Tq)))
    st = K.prove(formula, by=[K.generalize([i, t0, Tf], fin, name="pp first term")], name="pp first term",
                 timeout_s=timeout_s)
    return {"statement": st, "formula": formula}

def pp_bound_vocabulary(V):
    if "SQ" not in CACHE:
        i, T, t = z3.Ints("i T t")
        CACHE["SQ"] = K.define_rec("SQ", [T], Real, lambda f: z3.If(T <= 0, z3.RealVal(0), f(T - 1) + V.rt(T)))
        # PP-c[bound]'s hypotheses over the rounds: alpha_t = alpha/sqrt(t), sqrt(v_hat_t) <= G (Cor1-vhat's
        # conclusion, a hypothesis here), 0 <= beta_1t <= beta1 < 1
        CACHE["PPb"] = K.define("PPb", [i], z3.And(V.B < 1, V.alpha > 0, V.G >= 0, z3.ForAll([t], z3.Implies(t >= 1, z3.And(
            V.bt(t) >= 0, V.bt(t) <= V.B, V.q(i, t) >= 0, V.q(i, t) <= V.G, V.al(t) > 0, V.rt(t) >= 0,
            V.al(t) * V.rt(t) == V.alpha)))))
    return CACHE["SQ"], CACHE["PPb"]


def pp_first_bound(steps: dict, first: dict | None = None, timeout_s: float = 20.0) -> dict:
    """Phuong & Phong's first term per coordinate with c bounded, in the kernel (the first summand of
    :func:`proofs.pp_repairs.pp41_total`, per coordinate).  Formula:

        ForAll i, t0 >= 1, T >= t0:  PPc(i), PPm(i, t0), PPb(i)  =>
            Q_{T,i} <= pp_first_rhs(D^2, c_max(G, alpha, beta1, 1) SQ(t0), c_max(G, alpha, beta1, sqrt_t(T)))

    with SQ(t0) = sum_{t<=t0} sqrt_t(t) and PPb(i) = PP-c[bound]'s hypotheses for every round (alpha_t =
    alpha/sqrt_t(t), 0 <= q_t <= G, 0 <= beta_1t <= beta1 < 1).  From :func:`pp_first_term` (its kernel Proof,
    ``first``, built here when not given), PP-c[bound] per round and sum[step T->T+1] (an induction over T)."""
    from .pp_repairs import c_max, pp_first_rhs

    V = Thm4Vocabulary.get()
    Cs, PPc, PPm = pp_vocabulary(V)
    SQ, PPb = pp_bound_vocabulary(V)
    first = first if first is not None else pp_first_term(steps, timeout_s=timeout_s)["statement"]
    cb, sM = need_step(steps, "PP-c[bound]"), need_step(steps, "sum[step T->T+1]")
    B, G, alpha, q, al, rt, bt, c, a, Q = V.B, V.G, V.alpha, V.q, V.al, V.rt, V.bt, V.c, V.a, V.Q
    D2 = V.Dc * V.Dc
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731
    i, t = K.fresh("i", Int), K.fresh("t", Int)
    cdef = scalar_glue("c = (q/alpha_t)/(2(1-b)), alpha_t sqrt_t = alpha => 2 alpha (1-b) c = sqrt_t q", "A r al0 b q c",
                   lambda A_, r_, a0, b_, q_, c_: z3.Implies(
                       z3.And(A_ > 0, r_ >= 0, A_ * r_ == a0, b_ < 1, c_ == (q_ / A_) / (2 * (1 - b_))),
                       2 * a0 * (1 - b_) * c_ == r_ * q_), timeout_s)
    rnd = K.prove(z3.Implies(z3.And(t >= 1, PPb(i)), c(i, t) <= c_max(G, alpha, B, rt(t))), timeout_s=timeout_s,
                  name="PP-c[bound] at (i, t)",
                  by=[I(PPb, i), I(c, i, t), I(a, i, t), K.instantiate(cdef, al(t), rt(t), alpha, bt(t), q(i, t), c(i, t)),
                      cb.at(beta1=B, alpha=alpha, G=G, sqrt_t=rt(t), c_t=c(i, t), q_t=q(i, t), beta1_t=bt(t))])
    rnd = K.generalize([i, t], rnd, name="PP-c[bound] at (i, t)")
    cm = c_max(G, alpha, B, 1)
    lin = scalar_glue("c_max(G, alpha, beta1, r) = c_max(G, alpha, beta1, 1) r", "G al B r",
                  lambda G_, a_, B_, r_: z3.Implies(z3.And(a_ > 0, B_ < 1), c_max(G_, a_, B_, r_) == c_max(G_, a_, B_, 1) * r_),
                  timeout_s, engine=None)
    z0 = z3.IntVal(0)
    PS = lambda T: z3.Implies(PPb(i), Cs(i, T) <= cm * SQ(T))  # noqa: E731
    b0 = K.prove(PS(z0), by=[I(Cs, i, z0), I(SQ, z0)], name="C_{0,i} = 0 <= c_max(.., 1) SQ(0)", timeout_s=timeout_s)
    n = K.fresh("T", Int)
    n1 = n + 1
    s0 = K.prove(z3.Implies(z3.And(n >= 0, PS(n)), PS(n1)), timeout_s=timeout_s,
                 name="C_{T,i} <= c_max(.., 1) SQ(T), T -> T+1",
                 by=[I(PPb, i), I(Cs, i, n1), I(SQ, n1), K.instantiate(rnd, i, n1), K.instantiate(lin, G, alpha, B, rt(n1)),
                     sM.at(X=Cs(i, n), Y=cm * SQ(n), x=c(i, n1), y=cm * rt(n1))])
    csum = induct_on(0, PS, b0, s0, n, "C_{T,i} <= c_max(G, alpha, beta1, 1) sum_{t<=T} sqrt t", timeout_s)
    mono = scalar_glue("D2 >= 0, x <= X, y <= Y, Q <= D2 (x + y) => Q <= D2 (X + Y)", "D2 x X y Y Q",
                   lambda D_, x_, X_, y_, Y_, Q_: z3.Implies(z3.And(D_ >= 0, x_ <= X_, y_ <= Y_, Q_ <= pp_first_rhs(D_, x_, y_)),
                                                             Q_ <= pp_first_rhs(D_, X_, Y_)), timeout_s)
    t0, Tf = K.fresh("t0", Int), K.fresh("T", Int)
    hyp = z3.And(Tf >= t0, PPc(i), PPm(i, t0), PPb(i))
    rhs = pp_first_rhs(D2, cm * SQ(t0), c_max(G, alpha, B, rt(Tf)))
    fin = K.prove(z3.Implies(hyp, Q(i, Tf) <= rhs), timeout_s=timeout_s, name="pp first term with c <= c_max",
                  by=[I(PPm, i, t0), K.instantiate(first, i, t0, Tf), K.instantiate(csum, t0), K.instantiate(rnd, i, Tf),
                      K.instantiate(mono, D2, Cs(i, t0), cm * SQ(t0), c(i, Tf), c_max(G, alpha, B, rt(Tf)), Q(i, Tf))])
    iq, t0q, Tq = z3.Int("i"), z3.Int("t0"), z3.Int("T")
    formula = z3.ForAll([iq, t0q, Tq], z3.substitute(z3.Implies(hyp, Q(i, Tf) <= rhs), (i, iq), (t0, t0q), (Tf, Tq)))
    st = K.prove(formula, by=[K.generalize([i, t0, Tf], fin, name="pp first term with c <= c_max")],
                 name="pp first term with c <= c_max", timeout_s=timeout_s)
    return {"statement": st, "formula": formula}

def pp_monotone_c(steps: dict, timeout_s: float = 20.0) -> dict:
    """Lemma 4.3's conclusion as the first term's hypothesis PPm, in the kernel.  Formula:

        ForAll i, t0:  PPL(i, t0), PPb(i)  =>  PPm(i, t0)

    PPL(i, t0): t0 >= 1, sqrt_t(t)^2 = t and 0 <= q_{t,i} <= q_{t+1,i} (v_hat a running max) for t >= 1, and Lemma
    4.3's condition t (1 - beta_{1,t+1})^2 <= (t+1) (1 - beta_{1t})^2 for t >= t0 (a hypothesis of Theorem 4.1).
    From PP-L4.3 (sqrt(t v_hat_t)/(1-beta_{1t}) non-decreasing) and PP-c[mono] (divided by 2 alpha > 0) per round."""
    V = Thm4Vocabulary.get()
    _, PPc, PPm = pp_vocabulary(V)
    _, PPb = pp_bound_vocabulary(V)
    l43, cmo = need_step(steps, "PP-L4.3"), need_step(steps, "PP-c[mono]")
    B, alpha, q, al, rt, bt, c, a = V.B, V.alpha, V.q, V.al, V.rt, V.bt, V.c, V.a
    if "PPL" not in CACHE:
        iv, t0v, tv = z3.Ints("i t0 t")
        CACHE["PPL"] = K.define("PPL", [iv, t0v], z3.And(t0v >= 1, z3.ForAll([tv], z3.Implies(tv >= 1, z3.And(
            rt(tv) * rt(tv) == z3.ToReal(tv), q(iv, tv) >= 0, q(iv, tv + 1) >= q(iv, tv)))),
            z3.ForAll([tv], z3.Implies(tv >= t0v, z3.ToReal(tv) * ((1 - bt(tv + 1)) * (1 - bt(tv + 1)))
                                       <= z3.ToReal(tv + 1) * ((1 - bt(tv)) * (1 - bt(tv)))))))
    PPL = CACHE["PPL"]
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731
    i, t, t0 = K.fresh("i", Int), K.fresh("t", Int), K.fresh("t0", Int)
    sq = scalar_glue("the square roots of Lemma 4.3 at (t, t+1)", "r0 r1 q0 q1 T0",
                 lambda r0, r1, q0, q1, T0: z3.Implies(
                     z3.And(r0 >= 0, r1 >= 0, r0 * r0 == T0, r1 * r1 == T0 + 1, q0 >= 0, q1 >= q0),
                     z3.And(r0 * q0 >= 0, (r0 * q0) * (r0 * q0) == T0 * (q0 * q0), r1 * q1 >= 0,
                            (r1 * q1) * (r1 * q1) == (T0 + 1) * (q1 * q1), q0 * q0 >= 0, q1 * q1 >= q0 * q0)), timeout_s)
    cw = scalar_glue("c = (q/alpha_t)/(2(1-b)), alpha_t sqrt_t = alpha > 0 => c = (sqrt_t q/(1-b))/(2 alpha)", "A r al0 b q c",
                 lambda A_, r_, a0, b_, q_, c_: z3.Implies(
                     z3.And(A_ > 0, r_ >= 0, a0 > 0, A_ * r_ == a0, b_ < 1, c_ == (q_ / A_) / (2 * (1 - b_))),
                     c_ == 1 * ((r_ * q_) / (1 - b_)) / (2 * a0)), timeout_s, engine=None)
    one = z3.RealVal(1)
    w0, w1 = rt(t) * q(i, t) / (1 - bt(t)), rt(t + 1) * q(i, t + 1) / (1 - bt(t + 1))
    rnd = K.prove(z3.Implies(z3.And(t >= t0, PPL(i, t0), PPb(i)), c(i, t + 1) >= c(i, t)), timeout_s=timeout_s,
                  name="Lemma 4.3 at (i, t): c_t <= c_{t+1}",
                  by=[I(PPL, i, t0), I(PPb, i), I(c, i, t), I(a, i, t), I(c, i, t + 1), I(a, i, t + 1),
                      K.instantiate(sq, rt(t), rt(t + 1), q(i, t), q(i, t + 1), z3.ToReal(t)),
                      K.instantiate(cw, al(t), rt(t), alpha, bt(t), q(i, t), c(i, t)),
                      K.instantiate(cw, al(t + 1), rt(t + 1), alpha, bt(t + 1), q(i, t + 1), c(i, t + 1)),
                      l43.at(beta1_t=bt(t + 1), _s2=rt(t + 1) * q(i, t + 1), beta1_tm1=bt(t), _s1=rt(t) * q(i, t),
                             v_hat_t=q(i, t + 1) * q(i, t + 1), t=z3.ToReal(t + 1), v_hat_tm1=q(i, t) * q(i, t)),
                      cmo.at(alpha=alpha, w_t=w1, sqrt_t=one, w_tm1=w0, sqrt_tm1=one)])
    rnd = K.generalize([t], rnd, name="Lemma 4.3 at (i, t): c_t <= c_{t+1}")
    fin = K.prove(z3.Implies(z3.And(PPL(i, t0), PPb(i)), PPm(i, t0)), by=[rnd, I(PPm, i, t0), I(PPL, i, t0)],
                  name="Lemma 4.3: c non-decreasing from t0 on", timeout_s=timeout_s)
    iq, t0q = z3.Int("i"), z3.Int("t0")
    formula = z3.ForAll([iq, t0q], z3.Implies(z3.And(PPL(iq, t0q), PPb(iq)), PPm(iq, t0q)))
    st = K.prove(formula, by=[K.generalize([i, t0], fin, name="Lemma 4.3: c non-decreasing from t0 on")],
                 name="Lemma 4.3: c non-decreasing from t0 on", timeout_s=timeout_s)
    return {"statement": st, "formula": formula}

def pp41_first(steps: dict, timeout_s: float = 20.0) -> dict:
    """Phuong & Phong's Theorem 4.1, first term per coordinate, with Lemma 4.3 discharged in the kernel:

        ForAll i, t0 >= 1, T >= t0:  PPc(i), PPL(i, t0), PPb(i)  =>
            Q_{T,i} <= pp_first_rhs(D^2, c_max(G, alpha, beta1, 1) SQ(t0), c_max(G, alpha, beta1, sqrt_t(T)))

    (:func:`pp_first_bound` with its hypothesis PPm from :func:`pp_monotone_c`; both kernel Proofs passed in)."""
    V = Thm4Vocabulary.get()
    _, PPc, PPm = pp_vocabulary(V)
    _, PPb = pp_bound_vocabulary(V)
    mono = pp_monotone_c(steps, timeout_s=timeout_s)["statement"]
    PPL = CACHE["PPL"]
    bnd = pp_first_bound(steps, timeout_s=timeout_s)
    fq = bnd["formula"]
    i, t0, Tf = K.fresh("i", Int), K.fresh("t0", Int), K.fresh("T", Int)
    concl = z3.substitute_vars(fq.body(), Tf, t0, i).arg(1)
    hyp = z3.And(Tf >= t0, PPc(i), PPL(i, t0), PPb(i))
    fin = K.prove(z3.Implies(hyp, concl), by=[K.instantiate(bnd["statement"], i, t0, Tf), K.instantiate(mono, i, t0),
                                              K.instantiate(K.defn(PPL), i, t0)],
                  name="Theorem 4.1 (Phuong & Phong): first term per coordinate", timeout_s=timeout_s)
    iq, t0q, Tq = z3.Int("i"), z3.Int("t0"), z3.Int("T")
    formula = z3.ForAll([iq, t0q, Tq], z3.substitute(z3.Implies(hyp, concl), (i, iq), (t0, t0q), (Tf, Tq)))
    st = K.prove(formula, by=[K.generalize([i, t0, Tf], fin, name="Theorem 4.1: first term per coordinate")],
                 name="Theorem 4.1 (Phuong & Phong): first term per coordinate", timeout_s=timeout_s)
    return {"statement": st, "formula": formula}

def ax_first_term(steps: dict, timeout_s: float = 20.0) -> dict:
    """AdamX's first term (Theorem 5.1) in the kernel: phase 2 of :func:`pp_first_term` from T = 1 with C_0 = 0.

        ForAll i, T >= 1:  PPc(i), PPm(i, 1)  =>  Q_{T,i} <= pp_first_rhs(D^2, 0, c_{T,i})

    (c non-decreasing from the start, PPm(i, 1), is AdamX's invariant PP-AdamX/PP-c[mono]: a hypothesis here).  From
    PP-Abel[base T=1] and PP-Abel[T>=t0 step] by induction on T; trusted base empty."""
    from .pp_repairs import pp_first_rhs

    V = Thm4Vocabulary.get()
    Cs, PPc, PPm = pp_vocabulary(V)
    Q, c, u, D2 = V.Q, V.c, V.u, V.Dc * V.Dc
    pb, p2 = need_step(steps, "PP-Abel[base T=1]"), need_step(steps, "PP-Abel[T>=t0 step]")
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731
    one, z0, zr = z3.IntVal(1), z3.IntVal(0), z3.RealVal(0)
    if "AX1" not in CACHE:  # the claim as a named predicate (atoms only in the induction's glue, as PP2)
        iv, Tv = z3.Ints("i T")
        CACHE["AX1"] = K.define("AX1", [iv, Tv], z3.Implies(z3.And(PPc(iv), PPm(iv, z3.IntVal(1))), Q(iv, Tv) + c(
            iv, Tv) * u(iv, Tv + 1) <= pp_first_rhs(D2, z3.RealVal(0), c(iv, Tv))))
    AX1 = CACHE["AX1"]
    i = K.fresh("i", Int)
    dc, dm = I(PPc, i), I(PPm, i, one)
    P = lambda T: AX1(i, T)  # noqa: E731
    b = K.prove(P(one), by=[dc, dm, I(AX1, i, one), I(Q, i, one), I(Q, i, z0),
                            pb.at(c_1=c(i, one), u_1=u(i, one), u_2=u(i, one + 1), D2=D2)],
                name="AdamX first term: T = 1", timeout_s=timeout_s)
    n = K.fresh("T", Int)
    s = K.prove(z3.Implies(z3.And(n >= 1, P(n)), P(n + 1)), timeout_s=timeout_s, name="AdamX first term: T -> T+1",
                by=[dc, dm, I(AX1, i, n), I(AX1, i, n + 1), I(Q, i, n + 1),
                    p2.at(Q_T=Q(i, n), c_T=c(i, n), c_T1=c(i, n + 1), u_T1=u(i, n + 1), u_T2=u(i, n + 2), D2=D2,
                          C_0=zr)])
    every = induct_on(1, P, b, s, n, "AdamX first term: Q_T + c_T u_{T+1} <= D^2 c_T", timeout_s)
    Tf = K.fresh("T", Int)
    hyp = z3.And(Tf >= 1, PPc(i), PPm(i, one))
    concl = Q(i, Tf) <= pp_first_rhs(D2, zr, c(i, Tf))
    fin = K.prove(z3.Implies(hyp, concl), timeout_s=timeout_s, name="AdamX first term: Q_T <= D^2 c_T",
                  by=[dc, I(AX1, i, Tf), K.instantiate(every, Tf),
                      K.instantiate(scalar_glue("c, u >= 0 => c u >= 0", "c u", lambda c_, u_: z3.Implies(
                          z3.And(c_ >= 0, u_ >= 0), c_ * u_ >= 0), timeout_s), c(i, Tf), u(i, Tf + 1))])
    iq, Tq = z3.Int("i"), z3.Int("T")
    formula = z3.ForAll([iq, Tq], z3.substitute(z3.Implies(hyp, concl), (i, iq), (Tf, Tq)))
    st = K.prove(formula, by=[K.generalize([i, Tf], fin, name="AdamX first term")], name="AdamX first term",
                 timeout_s=timeout_s)
    del Cs
    return {"statement": st, "formula": formula}

# ------------------------------------------------------------------------------------------------
# The statements the kernel assembles, and why the others are not established by it.
NOT_MECHANISED = ("the chain's glue (sums over t, induction, the sum over the coordinates) is not mechanised in "
                  "the kernel for this statement: its steps are checked one by one only")
MOMENT_PREMISE = ("the kernel proves the statement from the moment lemma's conclusion (sum_i K_{T,i} <= Mom(d, T)), "
                  "but no kernel proof of the moment lemma was supplied")
# what the kernel's formula leaves to the reader, statement by statement (never a step of the chain)
OUTSIDE = {"thm4-arxiv": (
    "modelling only: the sequences (x, m, v, v_hat via q = sqrt(v_hat), alpha_t, beta_1t) are uninterpreted "
    "functions constrained by the hypotheses Hyp(i), HypM(i); f_t enters only through fd(t) = f_t(x_t) - f_t(x*) "
    "and the first-order convexity condition fd(t) <= <g_t, x_t - x*> (a hypothesis); sqrt(t), sqrt(v_t), "
    "sqrt(1-beta2), sqrt(beta2), ||g_{1:T,i}||, sqrt(1+log T) are functions/constants fixed by s*s == x, s >= 0; "
    "log is constrained only by the trusted axiom L7")}
def _lemma_moment(steps: dict, premises: dict | None = None, timeout_s: float = 20.0) -> dict:
    # the build moment_proof makes (once per set of the lemma's step proofs): the audit's lemma-moment statement and
    # the moment lemma inside thm4-arxiv, cor1 and pp-4.1 were two builds of the same proof from the same steps
    from . import thm4_arxiv as A

    out = built_once("lemma-moment", moment_lemma, steps, [ob.label for ob in A.LEMMA], timeout_s=timeout_s)
    return {"statement": out["statement"], "implication": out["statement"], "formula": out["formula"], "premises": {}}


_BUILT: dict = {}  # (builder, the step proofs it may use) -> its output: a statement built once per audit


def identity_once(tag, idn, variables, name, general_name, timeout_s):
    """The kernel's proof of the rational identity ``idn`` (a bound's link: the step bounds' total + gap = the
    bound) by nlsat, generalised over ``variables``; proved once per process and formula (keyed by ``tag`` and the
    formula itself, so a changed total or bound is proved afresh)."""
    key = (tag, idn.sexpr())
    if key not in CACHE:
        pf = K.prove(idn, name=name, engine="nlsat", timeout_s=timeout_s)
        CACHE[key] = K.generalize(list(variables), pf, name=general_name)
    return CACHE[key]


#: The fresh reals of a bound's link (:func:`bound_link`) for pp-4.1 and AdamX's 5.1, in the order the identity is
#: generalised over: the bound's constants, sqrt(T) = rtT, sqrt(1 + log T) = sL, sqrt(1 - beta2) = s2, sum_g_norm = NN,
#: T = Tr, log T = L, the moment lemma's term Mo; the caller's bound names one sum more (its ``extra``), put last.
#: Theorem 4 (arXiv) and Theorem 5 (AdamNC) name their own terms (``bound_link(terms=...)``), with these names where
#: they mean the same.
LINK_NAMES = ("D", "B", "alpha", "G", "lam", "dr", "rtT", "sL", "NN", "s2", "gm", "b2", "Tr", "L", "Mo")

#: analysis.bounds' symbols (to_num's names) -> the link's term each stands for (:func:`link_value`); a link's
#: number system has the entries whose term the link names
LINK_SYMBOLS = {"T": "Tr", "alpha": "alpha", "beta1": "B", "beta2": "b2", "gamma": "gm", "D_inf": "D", "G_inf": "G",
                "lambda_": "lam", "d": "dr", "sum_g_norm": "NN", "log(T)": "L", "sum_vhat_T_sqrt": "VQ",
                "sum_beta1t_vhat": "SS", "zeta": "z"}


class LinkNum(KNum):
    """to_num's number system over a link's terms ``x`` (:data:`LINK_NAMES`, or a caller's subset and more): the
    square roots are the given terms (kernel sequences and constants, or the identity's fresh reals), each where the
    link names it: sqrt(T) = rtT, sqrt(1 - beta2) = s2, sqrt(1 + log T) = sL."""

    def __init__(self, x):
        pairs = []
        if "rtT" in x:
            pairs.append((x["Tr"], x["rtT"]))
        if "s2" in x:
            pairs += [(1 - x["b2"], x["s2"]), (1 + -1 * x["b2"], x["s2"])]
        if "sL" in x:
            pairs += [(x["L"] + 1, x["sL"]), (1 + x["L"], x["sL"])]
        self.roots = {k.sexpr(): v for k, v in pairs}


def link_terms(V, d_, T_, extra) -> dict:
    """The kernel's terms of a link at (d, T), keyed as :data:`LINK_NAMES`, then ``extra`` = (name, symbol,
    term): the one sum the bound names besides (pp-4.1's Sum_{t<=t0} sqrt t, AdamX's schedule sum)."""
    return {"D": V.Dc, "B": V.B, "alpha": V.alpha, "G": V.G, "lam": V.lam, "dr": z3.ToReal(d_), "rtT": V.rt(T_),
            "sL": V.sL(T_), "NN": V.NN(d_, T_), "s2": V.s2, "gm": V.gm, "b2": V.b2, "Tr": z3.ToReal(T_),
            "L": V.lg(T_), "Mo": V.Mom(d_, T_), extra[0]: extra[2]}


def link_value(x, expr, extra=None):
    """The SymPy expression ``expr`` (a bound or its gap, over analysis.bounds' symbols) in the terms ``x``: each
    symbol of :data:`LINK_SYMBOLS` whose term ``x`` names, and ``extra`` = (name, symbol, term) where given."""
    from .step_bounds import to_num

    env = {sym: x[nm] for sym, nm in LINK_SYMBOLS.items() if nm in x}
    if extra is not None:
        env[extra[1]] = x[extra[0]]
    return to_num(LinkNum(x), expr, env)


def bound_link(tag, V, d_, T_, H0, *, expr, gap_expr, total, by, title, bound_name, timeout_s, extra=None,
               side=lambda s: [], terms=None, premises=None, defs=None):
    """The kernel's proof of ``H0 => RR(d, T) <= expr`` (the bound in the kernel's terms) for Theorem 4 (arXiv),
    pp-4.1, AdamX's 5.1 and Theorem 5 (AdamNC), the one place a bound's link is written: ``by`` proves, under
    ``H0``, the identity's premises at the kernel's terms and RR(d, T) <= ``total`` there; the rational identity
    ``total + gap = expr`` (SymPy's gap, re-proved by nlsat) is proved once on fresh reals (:func:`identity_once`)
    and instantiated at the kernel's terms, with the definitions ``defs`` at (d, T).

    The terms: ``terms`` (name -> kernel term, in the order the identity is generalised over; its fresh reals
    have the same names), by default :func:`link_terms` (:data:`LINK_NAMES` and ``extra`` = (name, symbol,
    term)).  The premises: ``premises(s)`` over the fresh reals ``s``, by default pp-4.1's and AdamX's: alpha > 0,
    0 <= beta1 < 1, what ``side(s)`` adds, gamma < 1, sqrt(1-beta2) > 0 and the moment lemma's
    Mo = alpha sL NN/((1-beta1)(1-gamma) s2), with ``defs`` = (Mom,) by default (Mo's definition).  The gap:
    ``gap_expr`` >= 0 for a SymPy expression, or, for a pair (num, den) of it over one denominator, den^2 > 0 and
    num den >= 0 (num/den >= 0 times den^2: the form of Theorem 5's final audit step, which ``by`` then holds).
    ``total(x)`` takes the terms keyed as ``terms``.

    >>> import z3
    >>> from analysis.symbols import alpha
    >>> class Voc:  # one coordinate's regret RR(d, T) and a made-up bound 2 alpha with total alpha + 1
    ...     RR = z3.Function("RR_doc", z3.IntSort(), z3.IntSort(), z3.RealSort())
    >>> d, T, a = z3.Int("d"), z3.Int("T"), z3.Real("alpha_doc")
    >>> H0 = z3.And(a >= 1, Voc.RR(d, T) <= a + 1)
    >>> by = [K.prove(z3.Implies(H0, z3.And(a >= 1, Voc.RR(d, T) <= a + 1)), name="doc: premises and total")]
    >>> pf = bound_link("doc-link", Voc, d, T, H0, terms={"alpha": a}, expr=2 * alpha, gap_expr=alpha - 1,
    ...                 total=lambda x: x["alpha"] + 1, premises=lambda s: [s["alpha"] >= 1], defs=(), by=by,
    ...                 title="doc", bound_name="2 alpha", timeout_s=5)
    >>> pf.thm
    Implies(And(alpha_doc >= 1, RR_doc(d, T) <= alpha_doc + 1),
            RR_doc(d, T) <= 2*alpha_doc)
    """
    x = terms if terms is not None else link_terms(V, d_, T_, extra)
    s = {nm: K.fresh(nm) for nm in x}
    if premises is None:
        prem = [s["alpha"] > 0, s["B"] >= 0, s["B"] < 1, *side(s), s["gm"] < 1, s["s2"] > 0,
                s["Mo"] == mom_value(s["alpha"], s["sL"], s["NN"], s["B"], s["gm"], s["s2"])]
    else:
        prem = list(premises(s))
    if isinstance(gap_expr, tuple):
        num, den = (link_value(s, e, extra) for e in gap_expr)
        gap = [den * den > 0, num * den >= 0]
    else:
        gap = [link_value(s, gap_expr, extra) >= 0]
    idn = z3.Implies(z3.And(*prem, *gap), total(s) <= link_value(s, expr, extra))
    idl = identity_once(tag, idn, list(s.values()), f"{title}: the step bounds' total + gap = {bound_name} "
                        "(rational identity)", f"{title}: total + gap = {bound_name.split('[')[0]}", timeout_s)
    defs = (V.Mom,) if defs is None else defs
    return K.prove(z3.Implies(H0, V.RR(d_, T_) <= link_value(x, expr, extra)), timeout_s=timeout_s,
                   name=f"{title}: sum_i R_{{T,i}} <= {bound_name}",
                   by=list(by) + [K.instantiate(K.defn(f), d_, T_) for f in defs] + [K.instantiate(idl, *x.values())])


def built_once(name, fn, steps, labels, **kw):
    key = (name, tuple((lb, id(steps[lb].proof)) for lb in sorted(labels) if lb in steps),
           tuple((k, id(v)) for k, v in sorted(kw.get("premises", {}).items())))
    if key not in _BUILT:
        _BUILT[key] = fn(steps, **kw)
    return _BUILT[key]


def _thm4_chain(steps, timeout_s):
    """The moment lemma's and Theorem 4's kernel proofs from ``steps`` (each built once per set of step proofs)."""
    from . import thm4_arxiv as A

    labels = [ob.label for ob in A.OBLIGATIONS]
    ml = moment_proof(steps, timeout_s)
    th = built_once("thm4-arxiv", thm4_arxiv, steps, labels, premises={"lemma-moment": ml}, timeout_s=timeout_s)
    return ml, th


def moment_proof(steps, timeout_s):
    """The moment lemma's kernel Proof, built once per set of its own steps' proofs (shared by thm4-arxiv, pp-4.1)."""
    from . import thm4_arxiv as A

    return built_once("lemma-moment", moment_lemma, steps, [ob.label for ob in A.LEMMA], timeout_s=timeout_s)["statement"]


def _cor1(steps: dict, premises: dict | None = None, timeout_s: float = 20.0) -> dict:
    _, th = _thm4_chain(steps, timeout_s)
    if "statement" not in th:  # pragma: no cover -- thm4_arxiv raises when it cannot close the statement
        raise Missing("Theorem 4 (arXiv) has no kernel proof")
    return cor1(steps, premises={"thm4-arxiv": th["statement"]}, timeout_s=timeout_s)


# the statements built here; proofs.kernel_pp (pp-4.1), proofs.kernel_thm5 (thm5, cor2) and proofs.kernel_thm6 (thm6),
# which sit above this module (they import it), add theirs when they are imported -- proofs.audit imports them
BUILDERS = {"thm4-arxiv": thm4_arxiv, "lemma-moment": _lemma_moment, "cor1": _cor1, "thm1": thm1}


OUTSIDE["thm1"] = (
    "the conclusion's form: R_{3k} >= (2C-4) k for every k >= 0 (regret against x* = -1 in F = [-1, 1]), i.e. "
    "R_T >= c T along T = 3k with c = (2C-4)/3 > 0 for C > 2; modelling only: Adam (beta1 = 0) as the sequences "
    "x_adam, v_adam and sqrt_tv_adam = sqrt(t v_t) (fixed by s*s == t v_t, s >= 0), f_t(x) = g_t x")
OUTSIDE["cor1"] = OUTSIDE["thm4-arxiv"] + "; " + HYP_COR1
OUTSIDE["pp-4.1"] = (OUTSIDE["thm4-arxiv"] + "; the form proved: beta_{1t} = beta1 lambda^(t-1) (BOUNDS['pp-4.1-geometric']"
                     "); pp-4.1-harmonic (beta_{1t} = beta1/t) has its own kernel proof (kernel_pp.pp41_harmonic), "
                     "not this statement's; " + (
                         "pp-4.1 (geometric): T >= t0 >= 1; per coordinate Hyp, HypM, HypC (sqrt(v_hat) <= G_inf a "
                         "hypothesis, as in cor1) and PPL (Lemma 4.3's condition for t >= t0, a hypothesis of the theorem)"))
OUTSIDE["lemma-moment"] = (
    "modelling only: m, v, q = sqrt(v_hat), alpha_t, beta_1t are uninterpreted sequences constrained by Hyp(i), "
    "HypM(i) (v_hat enters through q_{t+1} >= q_t > 0 and q_t^2 >= v_t); square roots are functions/constants fixed "
    "by s*s == x, s >= 0; log is constrained only by the trusted axiom L7")


_KSTEPS: dict = {}
# parts of a chain the kernel proves for statements it does not (built by the audit so that WHY_NOT's account of
# them is checked on every run; the statement stays NOT ESTABLISHED); empty since adamx-5.1 has its statement
PARTIAL: dict = {}
# what stops the kernel statement of the theorems that have none (today)
WHY_NOT = {
    "pp-4.1": ("the audit's kernel statement is the geometric schedule beta1 lambda^(t-1) (proofs.kernel_pp."
               "pp41_geometric, BOUNDS['pp-4.1-geometric']); the harmonic schedule beta1/t has its own kernel proof "
               "(kernel_pp.pp41_harmonic, BOUNDS['pp-4.1-harmonic'], tests/test_kernel_pp.py) that the audit does not "
               "build (one formula per statement); both for T >= t0 (T < t0 not mechanised) with sqrt(v_hat) <= G a "
               "hypothesis (Cor1-vhat's induction from |g| <= G is not a link, as in cor1)"),
    "adamx-5.1-printed": "the audit finds no proof of the printed form (AX5.1-printed[from proof] refuted): nothing to assemble",
    "thm2": ("its conclusion would be: for (beta1, beta2, C) meeting (c1)-(c3), C even, there is K0 with "
             "R_{kC} >= 2 (k - K0) for every k >= K0 (B10 per block once the block start is back at x = 1); what stops "
             "it, link by link: (i) the period is the parameter C, so a block is a sum over j = 1..C (nested kernel "
             "induction inside the block induction), where thm1/thm6 unroll a fixed period 3; (ii) the powers "
             "beta1^(j-1), beta2^(j-1), beta1^(C-1), beta2^((C-2)/2) are named variables P1, P2, P, Q whose facts "
             "(in [0, 1], P2 <= Q for j-1 >= C/2-1) are hypotheses of B1, B2, B6-v: they need kd.define_rec'd powers "
             "and lemmas by induction, not yet written; (iii) the block sums B1-sum, B6-sum, B7 are SymPy identities "
             "(trusted axioms, or to be re-posed as inductions over defined sums); (iv) K0 comes from B9, a SymPy "
             "divergence test (sum 1/sqrt k = oo) with no explicit bound: the kernel needs K0 as a term, e.g. from "
             "sum_{k<=K} 1/sqrt k >= 2 sqrt(K+1) - 2 by induction over a sqrt sequence, and the time T' = C/(tau^2-1) "
             "of B5 folded into K0; B4's two induction steps (B4-step-, B4-step+) are already general and would carry "
             "the projection; not mechanised"),
    "thm3": ("a stochastic statement (expectations E[x_t] over coin flips): the kernel's vocabulary has no "
             "probability; C1-C5 are per-step facts about expectations, their composition is not mechanised"),
    "thm4": ("the ICLR form: its printed step 6 is refuted (Example 3.2) and the audit's statement is UNKNOWN; the "
             "arXiv form thm4-arxiv is the one the kernel proves"),
    "kingma-ba": "the audit REFUTES the statement for Adam projected onto F = [-1, 1]: nothing to prove",
    "phuong-phong": ("a collection of Phuong & Phong's findings with several steps not proved (the audit's statement is "
                     "UNKNOWN): no single formula to assemble"),
}


def step_proofs(obligations, timeout_s: float = 20.0) -> dict:
    """label -> the kernel proof (:func:`proofs.kernel.obligation_proof`) of each z3 obligation of ``obligations``
    that has one, made once per process: keyed by the obligation and the exact text of its closed formula, so a
    step shared by two theorems is proved once, and a patched definition (a mutant) is proved afresh.  What
    :func:`kernel_statement` assembles a statement from; a caller that builds a statement with the same proofs
    (the audit's builders are :func:`built_once` per set of step proofs) shares that build too."""
    steps = {}
    for ob in obligations:
        if ob.kind != "z3":
            continue
        key = (id(ob), K.closed_formula(ob)[1].sexpr())
        if key not in _KSTEPS:
            try:
                _KSTEPS[key] = (ob, K.obligation_proof(ob, timeout_s=timeout_s))  # ob kept: its id stays its own
            except K.KernelError:
                _KSTEPS[key] = (ob, None)  # no kernel proof: a statement that needs it is then NOT ESTABLISHED
        if _KSTEPS[key][1] is not None:
            steps[ob.label] = _KSTEPS[key][1]
    return steps


def kernel_statement(th: dict, obligations: dict, timeout_s: float = 20.0) -> dict:
    """The kernel's verdict on one audited theorem (``th`` as :func:`proofs.audit.run_audit` returns it)."""
    import time as _time

    t0 = _time.perf_counter()
    tid = th["id"]
    if tid not in BUILDERS and tid not in PARTIAL:
        why = NOT_MECHANISED + (f"; what stops it: {WHY_NOT[tid]}" if tid in WHY_NOT else "")
        return {"verdict": NOT_ESTABLISHED, "reason": why, "trusted_base": [], "seconds": 0.0}
    obs = obligations.get(tid, {})
    proved = {s["label"] for s in th["steps"] if s["verdict"] == "proved"}
    steps = step_proofs([ob for label, ob in obs.items() if label in proved], timeout_s)
    if tid not in BUILDERS:  # a part of the chain only: built and certified, the statement stays NOT ESTABLISHED
        why = NOT_MECHANISED + (f"; what stops it: {WHY_NOT[tid]}" if tid in WHY_NOT else "")
        try:
            part = PARTIAL[tid](steps, timeout_s=timeout_s)
            cert = K.certify(part["statement"])
            built = {"formula": str(part["formula"]), "trusted_base": cert["trusted"], "steps": cert["steps"],
                     "induction": cert["induction"]}
        except (Missing, K.KernelError) as exc:
            built = {"failed": str(exc)}
            why += f"; its kernel part is not established either: {exc}"
        return {"verdict": NOT_ESTABLISHED, "reason": why, "trusted_base": [], "kernel_part": built,
                "seconds": round(_time.perf_counter() - t0, 3)}
    try:
        if tid == "thm4-arxiv":  # the moment lemma's kernel Proof, passed to the statement as a Proof
            out = _thm4_chain(steps, timeout_s)[1]
        else:
            out = BUILDERS[tid](steps, premises={}, timeout_s=timeout_s)
    except (Missing, K.KernelError) as exc:
        return {"verdict": NOT_ESTABLISHED, "reason": str(exc), "trusted_base": [],
                "seconds": round(_time.perf_counter() - t0, 3)}
    pf = out.get("statement", out["implication"])
    cert = K.certify(pf)
    res = {"formula": str(out["formula"]), "premises": out["premises"], "trusted_base": cert["trusted"],
           "dependencies": {k: cert[k] for k in ("steps", "definitions", "induction", "lemmas")},
           "tree": cert["tree"], "seconds": round(_time.perf_counter() - t0, 3)}
    if "statement" in out:
        return {"verdict": KERNEL_PROVED, "reason": "kdrag returned a proof of the statement's formula",
                "outside_the_kernel": OUTSIDE.get(tid, ""), **res}
    return {"verdict": NOT_ESTABLISHED, "reason": MOMENT_PREMISE, **res}
