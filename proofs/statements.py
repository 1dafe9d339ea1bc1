"""Statements as kernel formulas: the glue of each chain assembled in :mod:`proofs.kernel`.

A statement is PROVED *by the kernel* iff :func:`proofs.kernel.certify` accepts a ``kdrag.Proof`` of its
formula whose dependencies are definitions, step proofs (the audit's Z3-decided obligations, instantiated),
kdrag's induction over the integers and the named axioms of its trusted base.  Anything else -- a step
that is not PROVED (UNKNOWN, EVIDENCE, a finite instance), a premise that has no kernel proof, a solver
that does not close a glue lemma -- leaves the statement NOT ESTABLISHED, with the reason.

Theorem 4, arXiv form (the headline), over sequences = uninterpreted functions of the coordinate i and
the round t (no axiom constrains them but the statement's hypotheses, so a proof holds for every
sequence): bt(t) = beta_{1t}, q(i,t) = sqrt(v_hat_{t,i}), al(t) = alpha_t, m, g, x (iterates), xs (x*),
lo, hi (the box F).  Defined from them (``kd.define``): a = q/al, u = (x - xs)^2, c = a/(2(1-bt)),
y, X (the m-terms of step 3), w (step 7's term), k = al m^2/q, gd = g (x - xs); recursively (sums over t):
Q, S, W, P, K, Rg; over the coordinates: RR, AA, SS, KK.  The formula:

    for every d >= 0, T >= 1 and sequences meeting AMSGrad's hypotheses (per coordinate i <= d),
    [moment lemma: KK(d, T) <= M]  =>  RR(d, T) <= abel_rhs(D^2, beta1, AA, SS) + step7_sum_rhs(D^2, beta1, SS)
                                                  + mterm_sum_rhs(beta1, M)

(RR = sum_i sum_t g_{t,i}(x_{t,i} - x*_i), which bounds the regret by step 4, convexity.)  The moment
lemma enters as a *premise* of the kernel theorem: the statement is PROVED only when a kernel proof of the
premise is supplied; today the moment lemma's chain contains the calculus step L7 and finite instances, so
it has none, and the kernel proves the implication only (the statement is NOT ESTABLISHED).
"""
from __future__ import annotations

import z3

from . import kernel as K
from .step_bounds import abel_rhs, mterm_sum_rhs, step7_sum_rhs

Int, Real = z3.IntSort(), z3.RealSort()
NOT_ESTABLISHED = "not established"
KERNEL_PROVED = "proved by the kernel"


class Missing(Exception):
    """A statement needs a step or premise that has no kernel proof."""


def _need(steps: dict, label: str) -> K.KStep:
    st = steps.get(label)
    if st is None:
        raise Missing(f"step {label!r} has no kernel proof (it is not PROVED by Z3 for its whole domain)")
    return st


# ------------------------------------------------------------------------------------------------
class Thm4Vocabulary:
    """The sequences, definitions and sums of Theorem 4's kernel statement (made once per process)."""

    _made = None

    @classmethod
    def get(cls):
        if cls._made is None:
            cls._made = cls()
        return cls._made

    def __init__(self):
        i, t, T, n = z3.Ints("i t T n")
        F2 = lambda name: z3.Function(name, Int, Int, Real)  # noqa: E731
        self.bt, self.al = z3.Function("bt", Int, Real), z3.Function("al", Int, Real)
        self.q, self.m, self.g, self.x = F2("q"), F2("m"), F2("g"), F2("x")
        self.xs, self.lo, self.hi = (z3.Function(s, Int, Real) for s in ("xs", "lo", "hi"))
        self.B, self.Dc, self.M = z3.Real("beta1"), z3.Real("D_inf"), z3.Real("M")
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


_CACHE: dict = {}


def _division_lemma(timeout_s):
    if "div" not in _CACHE:
        def build(A, Q, b, G, d0, d1, M0, Mp, M):
            N = Q * Q * (d0 * d0 - d1 * d1) + A * A * M0 * M0 + b * A * A * Mp * Mp + b * Q * Q * d0 * d0
            four = (Q / A / (2 * (1 - b)) * (d0 * d0 - d1 * d1) + A * M * M / (2 * (1 - b) * Q)
                    + b * A * Mp * Mp / (2 * (1 - b) * Q) + b * (Q / A) * (d0 * d0) / (2 * (1 - b)))
            return z3.Implies(z3.And(A > 0, Q > 0, b >= 0, b < 1, M0 == M, 2 * A * Q * (1 - b) * G * d0 <= N),
                              G * d0 <= four)
        _CACHE["div"] = scalar_lemma("step 3 divided by 2 alpha_t q (1 - beta_1t) > 0", "A Q b G d0 d1 M0 Mp M", build,
                                     timeout_s=timeout_s)
    return _CACHE["div"]


def _ineq1_lemma(timeout_s):
    if "ineq1" not in _CACHE:
        _CACHE["ineq1"] = scalar_lemma(
            "inequality (1), general: q_{t+1} >= q_t > 0, 0 < alpha_{t+1} <= alpha_t => q_{t+1}/alpha_{t+1} >= q_t/alpha_t",
            "q0 q1 A0 A1", lambda q0, q1, A0, A1: z3.Implies(z3.And(q0 > 0, q1 >= q0, A1 > 0, A1 <= A0),
                                                             z3.And(q1 / A1 >= q0 / A0, q0 / A0 >= 0)), timeout_s=timeout_s)
    return _CACHE["ineq1"]


def _step7_lemma(timeout_s):
    if "s7" not in _CACHE:
        def build(q, A, b, B, u, D2, w, a):
            return z3.Implies(z3.And(q > 0, A > 0, b >= 0, b <= B, B < 1, u >= 0,
                                     b * q * u / (2 * A * (1 - b)) <= D2 * b * q / (2 * A * (1 - B)),
                                     w == b * a * u / (2 * (1 - b)), a == q / A), 2 * (1 - B) * w <= D2 * b * a)
        _CACHE["s7"] = scalar_lemma("step 7 in the sequences' terms (a = q/alpha, u = d^2)", "q A b B u D2 w a", build,
                                    timeout_s=timeout_s)
    return _CACHE["s7"]


def _times_lemma(timeout_s):
    if "times" not in _CACHE:
        _CACHE["times"] = scalar_lemma("s <= k/(1-beta1), beta1 < 1 => (1-beta1) s <= k", "s k B",
                                       lambda s, k, B: z3.Implies(z3.And(B < 1, s <= k / (1 - B)), (1 - B) * s <= k),
                                       timeout_s=timeout_s)
    return _CACHE["times"]


def _additive_lemma(timeout_s):
    if "add" not in _CACHE:
        def build(D2, B, A, a, S, s, Kx, k):
            tot = lambda A_, S_, K_: abel_rhs(D2, B, A_, S_) + step7_sum_rhs(D2, B, S_) + mterm_sum_rhs(B, K_)  # noqa
            return z3.Implies(B < 1, tot(A + a, S + s, Kx + k) == tot(A, S, Kx) + tot(a, s, k))
        _CACHE["add"] = scalar_lemma("sum over i (re-posed to the solver): the step bounds are additive in their data",
                                     "D2 B A a S s K k", build, engine=None, timeout_s=timeout_s)
    return _CACHE["add"]


def _times_q_lemma(timeout_s):
    if "tq" not in _CACHE:
        def build(q, dn, d, A, M, M2, dn2):
            return z3.Implies(z3.And(q > 0, q * dn * dn <= q * d * d + A * A * M * M / q - 2 * A * M * d, M == M2,
                                     dn == dn2),
                              q * q * dn2 * dn2 <= q * q * d * d + A * A * M2 * M2 - 2 * A * M2 * d * q)
        _CACHE["tq"] = scalar_lemma("step 2 times q > 0 (m_t, x_{t+1} by their equations)", "q dn d A M M2 dn2",
                                    build, timeout_s=timeout_s)
    return _CACHE["tq"]


def _defs(V, *fs):
    return [K.defn(f) for f in fs]


def thm4_arxiv(steps: dict, premises: dict | None = None, timeout_s: float = 20.0) -> dict:
    """Theorem 4 (arXiv) in the kernel: returns {"proof": Proof of the implication or the statement,
    "formula", "premises_missing": [...]}.  Raises :class:`Missing` / :class:`proofs.kernel.KernelError`."""
    V = Thm4Vocabulary.get()
    bt, al, q, m, x, xs, lo, hi, B, Dc = V.bt, V.al, V.q, V.m, V.x, V.xs, V.lo, V.hi, V.B, V.Dc
    a, c, u, y, X, w, k, gd = V.a, V.c, V.u, V.y, V.X, V.w, V.k, V.gd
    D2 = Dc * Dc
    i, t = K.fresh("i", Int), K.fresh("t", Int)

    def lemma(name, concl, by, facts=()):
        """|= ForAll i, t: facts(i, t) => concl(i, t), proved from ``by`` on fresh i, t."""
        pf = K.prove(z3.Implies(z3.And(*facts), concl), by=by, name=name, timeout_s=timeout_s)
        return K.generalize([i, t], pf, name=name)

    # --- per-round lemmas: steps 2, 3, 5, 7 and the Abel increment, instantiated at the sequences
    s2, s3, s5, s7 = (_need(steps, s) for s in ("step 2", "step 3", "step 5", "step 7"))
    abel = _need(steps, "step 6[Abel]")
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
    l2 = lemma("step 2 at (i, t), times q", poly2,
               [st2, K.instantiate(_times_q_lemma(timeout_s), Q_, clampd, d0, A_, M_, Mx, d1)], pos + [F_ok, upd, mrec])
    l3 = lemma("step 3 at (i, t)", 2 * A_ * Q_ * (1 - b_) * G_ * d0 <= Q_ * Q_ * (d0 * d0 - d1 * d1) + A_ * A_ * Mx * Mx
               + b_ * A_ * A_ * Mp * Mp + b_ * Q_ * Q_ * d0 * d0, [st3, K.instantiate(l2, i, t)], pos + [mrec, F_ok, upd])
    four = (Q_ / A_ / (2 * (1 - b_)) * (d0 * d0 - d1 * d1) + A_ * M_ * M_ / (2 * (1 - b_) * Q_)
            + b_ * A_ * Mp * Mp / (2 * (1 - b_) * Q_) + b_ * (Q_ / A_) * (d0 * d0) / (2 * (1 - b_)))
    l3d = K.instantiate(_division_lemma(timeout_s), A_, Q_, b_, G_, d0, d1, Mx, Mp, M_)
    split = lemma("four-term split (steps 2-3)",
                  gd(i, t) <= c(i, t) * (u(i, t) - u(i, t + 1)) + y(i, t) + X(i, t - 1) + w(i, t),
                  [l3d, K.instantiate(l3, i, t)] + _defs(V, a, c, u, y, X, w, gd),
                  pos + [mrec, F_ok, upd])
    I = lambda f, *args: K.instantiate(K.defn(f), *args)  # noqa: E731 -- one instance of a definition
    uF = z3.And(u(i, t) >= 0, u(i, t) <= D2, u(i, t + 1) >= 0, u(i, t + 1) <= D2)
    box = lambda s: z3.And(x(i, s) >= lo(i), x(i, s) <= hi(i), (x(i, s) - xs(i)) * (x(i, s) - xs(i)) <= D2)  # noqa
    # the facts at round t from the hypotheses (quantifier instances, the solver's only quantified work)
    Hi = V.hyp(i)
    local = [Q_ > 0, q(i, t + 1) >= Q_, A_ > 0, al(t + 1) <= A_, al(t + 1) > 0, b_ok(t), b_ok(t + 1), F_ok, upd, mrec,
             x(i, t + 1) >= lo(i), x(i, t + 1) <= hi(i), box(t), box(t + 1), Dc >= 0, m(i, 0) == 0]
    facts = lemma("AMSGrad's hypotheses at round t", z3.And(*local), [], [z3.And(*Hi.values()), t >= 1])
    fx = K.instantiate(facts, i, t)
    # u_t in [0, D^2], a_t non-decreasing and >= 0, c's definition in product form
    aux = lemma("u in [0, D^2]; 0 <= a_t <= a_{t+1} (inequality (1), general form); 2(1-beta_1t) c_t = a_t",
                z3.And(uF, a(i, t) >= 0, a(i, t + 1) >= a(i, t), 2 * (1 - b_) * c(i, t) == a(i, t),
                       2 * (1 - bt(t + 1)) * c(i, t + 1) == a(i, t + 1), X(i, t) >= 0),
                [I(u, i, t), I(u, i, t + 1), I(a, i, t), I(a, i, t + 1), I(c, i, t), I(c, i, t + 1), I(X, i, t)]
                + [K.instantiate(_ineq1_lemma(timeout_s), Q_, q(i, t + 1), A_, al(t + 1))], local)
    st7 = s7.at(q=Q_, alpha_t=A_, b_t=b_, beta1=B, d=d0, D=Dc)
    l7 = lemma("step 7 at (i, t): 2(1-beta1) w_t <= D^2 beta_1t a_t", 2 * (1 - B) * w(i, t) <= D2 * b_ * a(i, t),
               [st7, K.instantiate(_step7_lemma(timeout_s), Q_, A_, b_, B, d0 * d0, Dc * Dc, w(i, t), a(i, t)),
                I(w, i, t), I(a, i, t), I(u, i, t)], local)
    st5 = s5.at(q_t=Q_, q_t1=q(i, t + 1), alpha_t=A_, alpha_t1=al(t + 1), b_t=b_, b_t1=bt(t + 1), beta1=B, m_t=M_)
    l5 = lemma("step 5 at (i, t): (1-beta1)(y_t + X_t) <= k_t", (1 - B) * (y(i, t) + X(i, t)) <= k(i, t),
               [st5, K.instantiate(_times_lemma(timeout_s), y(i, t) + X(i, t), k(i, t), B),
                I(y, i, t), I(X, i, t), I(k, i, t)], local)
    stA = abel.at(beta1=B, beta1_tm1=b_, beta1_t=bt(t + 1), a_tm1=a(i, t), a_t=a(i, t + 1), c_tm1=c(i, t),
                  c_t=c(i, t + 1))
    lA = lemma("step 6[Abel] at (i, t)", 2 * (1 - B) * (c(i, t + 1) - c(i, t)) <= a(i, t + 1) - a(i, t) + bt(t + 1) * a(i, t),
               [stA, K.instantiate(aux, i, t)], local)
    rounds = {"facts": facts, "aux": aux, "split": split, "step 7": l7, "step 5": l5, "abel": lA}

    # --- per coordinate: the three sums and the four-term split summed over t, by induction on T
    Q, S, W, P, Kt, Rg = V.Q, V.S, V.W, V.P, V.K, V.Rg
    H_i = z3.And(*Hi.values())

    def inv(T):
        return z3.And(Q(i, T) + c(i, T) * u(i, T + 1) <= abel_rhs(D2, B, a(i, T), S(i, T)),
                      W(i, T) <= step7_sum_rhs(D2, B, S(i, T)),
                      P(i, T) + X(i, T) <= mterm_sum_rhs(B, Kt(i, T)),
                      Rg(i, T) <= Q(i, T) + W(i, T) + P(i, T))

    Pr = lambda T: z3.Implies(H_i, inv(T))  # noqa: E731
    at = lambda pf, s: K.instantiate(pf, i, s)  # noqa: E731
    one = z3.IntVal(1)
    defs1 = [I(f, i, one) for f in (Q, S, W, P, Kt, Rg)] + [I(f, i, z3.IntVal(0)) for f in (Q, S, W, P, Kt, Rg)]
    b6, b7, b5 = (_need(steps, s) for s in ("step 6[base T=1]", "step 7[base T=1]", "step 5[base T=1]"))
    loc = lambda s: z3.substitute(z3.And(*local), (t, s))  # noqa: E731 -- the round facts at s
    f1 = [at(aux, one)]
    parts = inv(one).children()
    base_by = [
        [I(Q, i, one), I(Q, i, z3.IntVal(0)), I(S, i, one), I(S, i, z3.IntVal(0)),
         b6.at(beta1=B, a_1=a(i, one), beta1_1=bt(one), D2=D2, u_2=u(i, one + 1), c_1=c(i, one), u_1=u(i, one))],
        [I(W, i, one), I(W, i, z3.IntVal(0)), I(S, i, one), I(S, i, z3.IntVal(0)), I(w, i, one),
         b7.at(beta1=B, a_1=a(i, one), beta1_1=bt(one), D2=D2, u_1=u(i, one))],
        [I(P, i, one), I(P, i, z3.IntVal(0)), I(Kt, i, one), I(Kt, i, z3.IntVal(0)), I(X, i, z3.IntVal(0)),
         I(X, i, one), I(y, i, one), I(k, i, one),
         b5.at(q_T=q(i, one), q_T1=q(i, one + 1), alpha_T=al(one), alpha_T1=al(one + 1), b_T=bt(one),
               b_T1=bt(one + 1), beta1=B, m_T=m(i, one))],
        [I(Rg, i, one), I(Rg, i, z3.IntVal(0)), I(Q, i, one), I(Q, i, z3.IntVal(0)), I(W, i, one),
         I(W, i, z3.IntVal(0)), I(P, i, one), I(P, i, z3.IntVal(0)), at(split, one)]]
    base_parts = [K.prove(z3.Implies(loc(one), part), by=f1 + by, timeout_s=timeout_s,
                          name=f"thm4-arxiv: per-coordinate invariant, T = 1, part {k + 1}")
                  for k, (part, by) in enumerate(zip(parts, base_by))]
    base = K.prove(Pr(one), by=base_parts + [K.instantiate(facts, i, one)], name="thm4-arxiv: per-coordinate invariant, T = 1", timeout_s=timeout_s)
    n = K.fresh("T", Int)
    n1 = n + 1
    sA, sW, sP, sM = (_need(steps, s) for s in ("step 6[step T->T+1]", "step 7[step T->T+1]", "step 5[step T->T+1]",
                                                 "sum[step T->T+1]"))
    four = lambda s: c(i, s) * (u(i, s) - u(i, s + 1)) + y(i, s) + X(i, s - 1) + w(i, s)  # noqa: E731
    ctx = [at(aux, n), at(aux, n1)]
    step_by = [
        [I(Q, i, n1), I(S, i, n1), at(lA, n),
         sA.at(beta1=B, a_T1=a(i, n1), beta1_T1=bt(n1), S_T=S(i, n), D2=D2, u_T2=u(i, n1 + 1), c_T1=c(i, n1),
               u_T1=u(i, n1), Q_T=Q(i, n), a_T=a(i, n), c_T=c(i, n))],
        [I(W, i, n1), I(S, i, n1), at(l7, n1),
         sW.at(beta1=B, a_t=a(i, n1), beta1_t=bt(n1), S_T=S(i, n), D2=D2, w_t=w(i, n1), W_T=W(i, n))],
        [I(P, i, n1), I(Kt, i, n1), at(l5, n1),
         sP.at(beta1=B, k_T1=k(i, n1), K_T=Kt(i, n), X_T1=X(i, n1), X_T=X(i, n), y_T1=y(i, n1), P_T=P(i, n))],
        [I(Rg, i, n1), I(Q, i, n1), I(W, i, n1), I(P, i, n1), at(split, n1),
         sM.at(X=Rg(i, n), Y=Q(i, n) + W(i, n) + P(i, n), x=V.gd(i, n1), y=four(n1))]]
    step_parts = [K.prove(z3.Implies(z3.And(n >= 1, loc(n), loc(n1), inv(n)), part), by=ctx + by, timeout_s=timeout_s,
                          name=f"thm4-arxiv: per-coordinate invariant, T -> T+1, part {k + 1}")
                  for k, (part, by) in enumerate(zip(inv(n1).children(), step_by))]
    stp = K.prove(z3.Implies(z3.And(n >= 1, Pr(n)), Pr(n1)), name="thm4-arxiv: per-coordinate invariant, T -> T+1",
                  timeout_s=timeout_s, by=step_parts + [K.instantiate(facts, i, n), K.instantiate(facts, i, n1)])
    stp = K.generalize([n], stp, name="thm4-arxiv: per-coordinate invariant, T -> T+1")
    every_T = K.induct_from(1, Pr, base, K.prove(z3.ForAll([z3.Int("T")], z3.Implies(z3.Int("T") >= 1, z3.Implies(
        Pr(z3.Int("T")), Pr(z3.Int("T") + 1)))), by=[stp], name="", timeout_s=timeout_s),
        name="thm4-arxiv: per-coordinate invariant for every T >= 1 (base + step, kernel induction)",
        timeout_s=timeout_s)
    # --- per coordinate, closed: R_{T,i} <= abel_rhs + step7_sum_rhs + mterm_sum_rhs (steps 6[close], 5[close])
    cA, c5 = _need(steps, "step 6[close]"), _need(steps, "step 5[close]")
    total = lambda A_, S_, K_: abel_rhs(D2, B, A_, S_) + step7_sum_rhs(D2, B, S_) + mterm_sum_rhs(B, K_)  # noqa
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
                    by=[K.instantiate(K.defn(f), d1, Tc) for f in (RR, AA, SS, KK)] + [
                        K.instantiate(close, d1, Tc),
                        K.instantiate(add, D2, B, AA(dd, Tc), a(d1, Tc), SS(dd, Tc), S(d1, Tc), KK(dd, Tc), Kt(d1, Tc))])
    cstep = K.generalize([dd], cstep, name="thm4-arxiv: sum over the coordinates, d -> d+1")
    coords = K.induct_from(0, PC, cbase, K.prove(
        z3.ForAll([z3.Int("d")], z3.Implies(z3.Int("d") >= 0, z3.Implies(PC(z3.Int("d")), PC(z3.Int("d") + 1)))),
        by=[cstep], name="", timeout_s=timeout_s),
        name="thm4-arxiv: sum over every number of coordinates (kernel induction)", timeout_s=timeout_s)
    coords = K.generalize([Tc], coords, name="thm4-arxiv: for every T >= 1 and d >= 0")
    # --- the statement: the moment lemma's conclusion KK(d, T) <= M as a premise
    Mv, Tq, dq = V.M, z3.Int("T"), z3.Int("d")
    mono = scalar_lemma("mterm_sum_rhs is non-decreasing in K (beta1 < 1)", "B k k2",
                        lambda B_, k1, k2: z3.Implies(z3.And(B_ < 1, k1 <= k2), mterm_sum_rhs(B_, k1) <= mterm_sum_rhs(B_, k2)),
                        engine=None, timeout_s=timeout_s)
    Tf, df = K.fresh("T", Int), K.fresh("d", Int)
    body = lambda d_, T_: z3.Implies(z3.And(T_ >= 1, d_ >= 0, B < 1, allH(d_), KK(d_, T_) <= Mv),  # noqa: E731
                                     RR(d_, T_) <= total(AA(d_, T_), SS(d_, T_), Mv))
    fin = K.prove(body(df, Tf), by=[K.instantiate(coords, Tf), K.instantiate(mono, B, KK(df, Tf), Mv)],
                  name="Theorem 4 (arXiv), given the moment lemma", timeout_s=timeout_s)
    formula = z3.ForAll([dq, Tq], body(dq, Tq))
    implication = K.prove(formula, by=[K.generalize([df, Tf], fin, name="Theorem 4 (arXiv), given the moment lemma")],
                          name="Theorem 4 (arXiv), given the moment lemma", timeout_s=timeout_s)
    out = {"implication": implication, "formula": formula, "premises": {"lemma-moment": "sum_i K_{T,i} <= M"}}
    lemma = (premises or {}).get("lemma-moment")
    if lemma is not None:  # a kernel proof of the premise, in the form ForAll d, T: Hyps => KK(d, T) <= M
        out["statement"] = K.prove(z3.ForAll([dq, Tq], z3.Implies(z3.And(Tq >= 1, dq >= 0, B < 1, allH(dq)),
                                                                   RR(dq, Tq) <= total(AA(dq, Tq), SS(dq, Tq), Mv))),
                                   by=[implication, lemma], name="Theorem 4 (arXiv)", timeout_s=timeout_s)
    return out


def _unused(split, rounds, base, every_T, close, coords):  # pragma: no cover
    return {"split": split, **rounds, "base": base, "every_T": every_T, "close": close, "coords": coords}


# ------------------------------------------------------------------------------------------------
# The statements the kernel assembles, and why the others are not established by it.
NOT_MECHANISED = ("the chain's glue (sums over t, induction, the sum over the coordinates) is not mechanised in "
                  "the kernel for this statement: its steps are checked one by one only")
MOMENT_PREMISE = ("the kernel proves the statement from the moment lemma's conclusion (sum_i K_{T,i} <= M), but the "
                  "moment lemma has no kernel proof: its chain holds the calculus step L7 (SymPy derivative + sign), "
                  "finite instances (L2a at T = 4, L3[n=3], L5-swap at T = 5, L6[n=3]) and evidence rows")
BUILDERS = {"thm4-arxiv": thm4_arxiv}


def kernel_statement(th: dict, obligations: dict, timeout_s: float = 20.0) -> dict:
    """The kernel's verdict on one audited theorem (``th`` as :func:`proofs.audit.run_audit` returns it)."""
    import time as _time

    t0 = _time.perf_counter()
    tid = th["id"]
    if tid not in BUILDERS:
        return {"verdict": NOT_ESTABLISHED, "reason": NOT_MECHANISED, "trusted_base": [], "seconds": 0.0}
    obs = obligations.get(tid, {})
    proved = {s["label"] for s in th["steps"] if s["verdict"] == "proved"}
    steps = {}
    for label, ob in obs.items():
        if ob.kind == "z3" and label in proved:
            try:
                steps[label] = K.obligation_proof(ob, timeout_s=timeout_s)
            except K.KernelError:
                pass  # no kernel proof: a statement that needs it is then NOT ESTABLISHED
    try:
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
        return {"verdict": KERNEL_PROVED, "reason": "kdrag returned a proof of the statement's formula", **res}
    return {"verdict": NOT_ESTABLISHED, "reason": MOMENT_PREMISE, **res}
