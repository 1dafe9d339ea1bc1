"""The certified fast-forward: x_T, the point played at T, R_T and R_T/T as arb balls at any T (10^15
in well under a second), for a rule whose state ignores x on a 1-D periodic linear problem on a box.

Method (docs/numerics.md, "The fast-forward engine", says why each part is sound):

1. *Exact phase.*  Rounds 1..T0 run in arb balls, the rule's own update in the generated loop of
   :mod:`numerics.engine.arb` (same balls as ``run_arb``), but this loop also returns the state; where
   the rule's specialised body compiles, the same body runs on compiled double-double intervals
   (:mod:`numerics.engine.dd_intervals`), back to the arb loop from any round they cannot decide.
2. *Invariant box.*  Around the state s at the first late round t0 (a chosen phase r), a box X of
   relative radius rel is tried, smallest rel first: one period of the rule's update on balls, with the
   round index replaced by the hull [t0, T] (:class:`LateT`: ``power(beta, t)``, ``num(t)`` and
   ``t - 1`` become enclosures over every round to come) and the step-size factor alpha_t read as 1
   (:class:`_LateArb`), maps X into X.  By induction every late period starts in X, and the step of
   the round with phase offset i is alpha t^{-1/2} w with w in the ball W_i (its enclosure over X).
   The rule must be linear in alpha_t (``LINEAR_IN_ALPHA_T``); a hook checks that alpha_t was read.
3. *Clamped shifts.*  x_{t+1} = clamp_[a,b](x_t + s_t), s_t = -alpha t^{-1/2} w_t.  With the weights
   q_l = sqrt(tau/(tau+l)) in [sqrt(t0/(t0+n)), 1] every within-period quantity is a ball in units of
   eps = alpha tau^{-1/2} valid for every period at once.  Four regimes, each certified per block:
   *saturated* (every shift of the period at least b - a: x_{t+1} is the wall the shift points to, for
   every round up to t_sat = (alpha min|W_i| / (b - a))^2, :func:`_t_saturated`),
   *interior* (no clamp acts: the block is one shift; the drift D has a certified sign and the
   excursions stay inside the box), *pinned at b* (x = b at a period start, every suffix sum of the
   period >= 0: the period map sends b to b, identities K2/K4; within the period
   x = b + min over suffixes, the argmin certified per phase), *pinned at a* (the mirror image), and
   *explicit* ball stepping for the periods in between (arrival, crossing).
4. *Sums over periods.*  sum_k (tau_k + i)^{-1/2} and sum_k (k1-1-k)(tau_k + i)^{-1/2} are Hurwitz
   zeta differences, n^{-1/2}(zeta(1/2, k0+c) - zeta(1/2, k1+c)) etc., evaluated by arb with rigorous
   error bounds, or, for long periods, from the offset-0 power sums by a binomial series, those taken by
   Euler-Maclaurin with a rigorous remainder (:func:`_em_power_sum`); sum_k a_k w_k lies in
   W * sum_k a_k for a_k >= 0 and w_k in the interval W.

A certified result has ``status`` PROVED (:mod:`numerics.verdicts`, the statuses of
:mod:`analysis.verdict`; ``label`` "certified ball").  Anything that cannot be certified ends with
``status`` UNKNOWN and ``why_not`` (also its ``label``), never with a ball that might miss the truth.  Entry points: :func:`fast_forward_applies`, :func:`fast_forward`.
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

from ..backends import ArbBackend, to_fraction
from ..problems import Periodic
from ..verdicts import PROVED, UNKNOWN

__all__ = ["fast_forward", "fast_forward_applies", "FastForwardResult", "LINEAR_IN_ALPHA_T", "THRESHOLD",
           "LateT"]

# Rules whose step is alpha_t times an expression that does not read alpha_t, with no Python branch on a
# value (read off numerics.optimizers: ``lr = alpha_t(h.alpha, t)``, ``return lr * ...``).  Not listed:
# AdaGrad (running sum: no steady state), AdaBound (bounds depend on alpha_t), RAdam (``if rho_t > c1``
# branches on a value), Rprop (steps do not scale with alpha_t), the x-reading rules.
LINEAR_IN_ALPHA_T = ("sgd", "adam", "sgdm", "adamax", "adabelief", "yogi", "lion", "signsgd", "adopt",
                     "adadelta")
THRESHOLD = 10 ** 7  # simulate takes the fast path from this T on (below it brute force is < ~1 s)
RELS = (1e-30, 1e-26, 1e-22, 1e-18, 1e-14, 1e-10, 1e-7)  # invariant-box radii tried, smallest first
REL_WANTED = 1e-26  # the tightest box the exact phase is extended for (within budget)
OUT_REL_WANTED = 1e-15  # the output radius wanted (relative; the target is 1e-12): the box wanted at
# T is OUT_REL_WANTED / (2 sqrt(T)), since x's radius grows like 2 alpha rel sqrt(T) (see _rel_wanted)
LOOSE_WAIT = 4  # a pinned block with undecided offsets is postponed (explicit periods) until tau = 4 t0 at most,
# when its widening of R_T is not negligible
MIN_BLOCK = 3  # interior blocks of fewer periods are stepped explicitly: a block's sums cost more than ~3 periods
# compiled explicit rounds (n = 101), and far more than a short period's rounds in balls
EXPLICIT_MAX = 400_000  # late rounds stepped one by one at most (arrival, crossing), else UNKNOWN
EXACT_PREC = 128  # bits of the exact phase (at most prec): enclosures at any precision are sound
SUM_PREC = 96  # bits of the Hurwitz zeta sums (at most prec): their radii stay far below the output's
EXACT_MAX = 400_000  # exact rounds at most before the box must be found
EXPLICIT_COMPILED_MIN = 32  # late explicit stretches of at least this many rounds run on the compiled intervals
COMPILED = True  # the exact phase on compiled double-double intervals (numerics.engine.dd_intervals) where the
# rule's body compiles; False: arb balls throughout (the tests compare both)
# 1 in use.  The remainder bounds are multiplied by it: the radius of the invariant box over which the late
# steps are enclosed (the state's distance to its periodic orbit) and how far the weights
# q_l = (1 + l/tau)^-1/2 may be from 1 (through u0 = 1/tau); tests set it below 1 to show that an injected error in a remainder bound is
# caught by the agreement tests (tests/test_fastforward.py::test_injected_remainder_error_is_caught).
REMAINDER_SCALE = 1


class LateT(int):
    """A round index standing for every round in [lo, hi] (its int value is lo).

    Operations that the rules apply to t either give the enclosure over the hull (``t - k``, via
    :class:`_LateArb`'s ``num`` and ``power``) or raise TypeError: no silent use of lo alone."""

    def __new__(cls, lo: int, hi: int):
        obj = int.__new__(cls, lo)
        obj.lo, obj.hi = int(lo), int(hi)
        return obj

    def __sub__(self, k):
        return LateT(self.lo - int(k), self.hi - int(k))

    def __add__(self, k):
        return LateT(self.lo + int(k), self.hi + int(k))

    __radd__ = __add__

    def __eq__(self, k):
        if isinstance(k, int) and not isinstance(k, LateT):
            if self.lo <= k <= self.hi and self.lo != self.hi:
                raise TypeError("t == k is undecided over the hull of rounds")
            return self.lo == k == self.hi
        raise TypeError("LateT compared with a non-int")

    def __ne__(self, k):
        return not self.__eq__(k)

    __hash__ = int.__hash__

    def _no(self, *a):
        raise TypeError("this use of the round index has no enclosure over the hull of rounds")

    __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __pow__ = __rpow__ = _no
    __lt__ = __le__ = __gt__ = __ge__ = __float__ = __rsub__ = _no


class _LateArb(ArbBackend):
    """Scalar arb helpers for the late period map: round index as a hull, alpha_t read as 1, and a max
    that returns a dominating ball unchanged (as counterexamples.drift.general.InvariantArb: still an
    enclosure, and it lets a box that a running max maps onto itself be seen invariant)."""

    def __init__(self, prec: int):
        super().__init__(prec)
        self.alpha_reads = 0
        self.maximum = self._max
        self.minimum = lambda a, b: -self._max(-a, -b)
        self.sqrt = lambda x: x.sqrt()
        self.sign = self._sign
        self.safe_div = lambda a, b: self.flint.arb(0) if b.is_zero() else a / b

    @staticmethod
    def _max(a, b):
        # a > b: every point of a exceeds every point of b (one C comparison; the usual case of a running max
        # away from its argmax), so both ends of b lie below a's: a, as the general test below would give
        if a > b:
            return a
        if b > a:
            return b
        if (b.upper() <= a.upper() and b.lower() <= a.lower()) or a.contains(b):
            return a
        if (a.upper() <= b.upper() and a.lower() <= b.lower()) or b.contains(a):
            return b
        return a.max(b)

    def num(self, value):
        arb = self.flint.arb
        if isinstance(value, LateT):
            return arb(value.lo).union(arb(value.hi))
        if type(value) is int:
            return arb(value)
        return super().num(value)

    def power(self, x, k):
        arb = self.flint.arb
        if isinstance(k, LateT):
            if x.is_zero():
                return arb(0) if k.lo >= 1 else arb(1).union(arb(0))
            if not x > 0:
                raise TypeError("beta^t over a hull needs beta > 0")
            return (x ** k.lo).union(x ** k.hi)  # t -> beta^t is monotone for beta > 0
        return x ** k

    def clip(self, x, lo, hi):
        return x.max(lo).min(hi)

    def zeros_like(self, x):
        return self.flint.arb(0)

    def jit(self, f):
        if getattr(f, "__name__", "") == "alpha_sqrt" and getattr(f, "__module__", "") == "numerics.schedules":
            def alpha_in_units(alpha, t):  # the step in units of alpha_t = alpha / sqrt(t)
                self.alpha_reads += 1
                return self.flint.arb(1)

            return alpha_in_units
        return f


@dataclass
class FastForwardResult:
    """x_T (after T updates), x_played (round T's point), R_T and R_T/T as arb balls, or UNKNOWN.

    >>> from analysis.families import build
    >>> from numerics.engine import fast_forward
    >>> fam = build("thm1")
    >>> r = fast_forward(fam.method("adam"), fam.sequence, 10**12, x1=fam.x1)
    >>> r.status, r.T, r.regimes[0][0], r.prec       # regimes: (kind, first round, last round)
    ('proved', 1000000000000, 'exact', 192)
    """

    status: str  # numerics.verdicts: PROVED (every ball certified) or UNKNOWN (why_not says why)
    T: int
    x_T: object = None
    x_played: object = None
    regret: object = None
    avg_regret: object = None
    why_not: str | None = None
    how: list = field(default_factory=list)  # what each phase did, in words
    regimes: list = field(default_factory=list)  # (regime, first round, last round)
    checkpoints: list = field(default_factory=list)  # (t, x after t updates, R_t)
    seconds: float = 0.0
    # CPU seconds of each phase ("exact": the exact ball loop, "late": the blocks from the invariant box on,
    # "other": box tries, set-up): where the time goes, printed by benchmarks/run.py's fast-forward rows
    cpu_seconds: dict = field(default_factory=dict)
    prec: int = 0
    versions: dict = field(default_factory=dict)

    @property
    def certified(self) -> bool:
        """True only for PROVED: every ball holds the true value of this run."""
        return self.status == PROVED

    @property
    def label(self) -> str:
        """The domain's word for the outcome (the ``label`` of an :class:`analysis.verdict.Verdict`):
        "certified ball" when PROVED, else the reason it is not."""
        return "certified ball" if self.status == PROVED else (self.why_not or "not certified")

    def brief(self) -> dict:
        """As :meth:`analysis.verdict.Verdict.brief`: {"status", "label", "claim", "reason"} (numerics does
        not import analysis, so the fields are spelled here; ``analysis.verdict.Verdict(**r.brief())``
        builds the verdict)."""
        out = {"status": self.status, "label": self.label,
               "claim": f"x_T, R_T, R_T/T in arb balls at T = {self.T}"}
        if self.status != PROVED:
            out["reason"] = self.why_not or "not certified"
        return out

    def radii(self) -> dict:
        """Relative radii of the balls (absolute where the midpoint is 0)."""
        out = {}
        for k in ("x_T", "regret", "avg_regret"):
            b = getattr(self, k)
            if b is not None:
                m = abs(float(b.mid()))
                out[k] = float(b.rad()) / m if m else float(b.rad())
        return out


def fast_forward_applies(method, problem, T=None, x1=0) -> tuple[bool, str | None]:
    """(True, None) when :func:`fast_forward` may certify this run, else (False, why not).

    A True answer is structural: the run itself can still end UNKNOWN (no invariant box, a drift whose
    enclosure holds 0, ...); ``fast_forward`` then says why.

    >>> from numerics import Periodic, adam, adamw
    >>> from numerics.engine import fast_forward_applies
    >>> thm1 = Periodic(pattern=[3, -1, -1])
    >>> fast_forward_applies(adam(beta1=0, beta2="1/10"), thm1)
    (True, None)
    >>> fast_forward_applies(adamw(), thm1)
    (False, 'adamw: the step reads x, so the state depends on the iterate')
    """
    import numpy as np

    from .plan import why_not_rule

    rule = method.rule
    if rule.uses_x:
        return False, f"{method.name}: the step reads x, so the state depends on the iterate"
    reason = why_not_rule(method)
    if reason:
        return False, reason
    if rule.key[0] not in LINEAR_IN_ALPHA_T:
        return False, (f"rule {rule.key[0]!r} is not one whose step is alpha_t times an alpha-free expression "
                       f"without value branches ({', '.join(LINEAR_IN_ALPHA_T)})")
    if method.hyper.get("schedule", "sqrt") != "sqrt":
        return False, "the step-size schedule is not alpha/sqrt(t) (the late sums are Hurwitz sums of t^-1/2)"
    if rule.key[0] == "adam" and rule.key[-1] is not None:
        return False, "a time-varying beta_2t (AdamNC): the state has no periodic steady state"
    if any(np.ndim(v) for v in method.numbers.values()):
        return False, "one trajectory: hyper-parameters must be scalars"
    if type(problem) is not Periodic or problem.d != 1:
        return False, "the fast path needs a 1-D Periodic linear problem (a Bernoulli or explicit one has no period)"
    if np.ndim(x1) != 0:
        return False, "one trajectory: x1 must be a scalar"
    if T is not None and int(T) < 1:
        return False, "T < 1"
    return True, None


# ---------------------------------------------------------------------------------------------------
_EXACT = '''
def loop(h, x, state, lo, hi, t_start, t_end, gsource, loss):
    {prelude}

    def gvals(_g):
        {memo}
        return (_g, {names})

    grads = gsource(gvals)
    {unpack} = state
    xp = x
    for _t in range(t_start, t_end + 1):
        _g, {names} = next(grads)
        loss = loss + _g * x
        xp = x
        {body}
        x = (x - _step).max(lo).min(hi)
    return x, xp, loss, {unpack}
'''
_EXACT_LOOPS: dict = {}


def _exact_loop(method, S):
    """The generated loop of numerics.engine.arb (same specialised body), returning the state too."""
    from .specialise import NotSpecialisable, specialise

    key = (method.rule.key, S.prec)  # as engine.arb: the key names every switch of the rule
    if key in _EXACT_LOOPS:
        return _EXACT_LOOPS[key]
    init, update = method.rule.make(S)
    loop = None
    try:
        sp = specialise(update, method.rule.State)
        ind = "\n        "
        body = ind.join(line for s in sp.body for line in s.splitlines())
        src = _EXACT.format(prelude="\n    ".join(sp.prelude) or "pass",
                            memo="\n        ".join(f"{n} = {e}" for n, e in sp.memo) or "pass",
                            names="".join(f"{n}, " for n, _ in sp.memo),
                            unpack="(" + ", ".join(f"_s_{f}" for f in sp.state) + ",)", body=body)
        ns = dict(sp.ns)
        exec(compile(src, f"<fastforward exact loop {method.rule.State.__name__}>", "exec"), ns)
        loop = ns["loop"]
    except NotSpecialisable:
        pass

    if loop is None:
        def loop(h, x, state, lo, hi, t_start, t_end, gsource, loss):
            grads = gsource(lambda g: (g,))
            xp = x
            for t in range(t_start, t_end + 1):
                (g,) = next(grads)
                loss = loss + g * x
                xp = x
                step, state, _ = update(h, g, state, t)
                x = (x - step).max(lo).min(hi)
            return x, xp, loss, state
    _EXACT_LOOPS[key] = (init, loop)
    return init, loop


class _Unknown(Exception):
    pass


_PREPARED: dict = {}  # (compiled loop, bits, exact hyper-parameters, exact gradients) -> prepare's (K, M, G)


def _compiled_exact(method, S, h, gballs, state0, res, keys):
    """(compiled loop, K, M, G, interval ends) for the exact phase, or None (with a note in ``res.how``)."""
    import flint

    from . import dd_intervals as iv

    if not all(isinstance(v, flint.arb) for v in state0):
        res.how.append("compiled interval loop not used: a state component is not a ball")
        return None
    try:
        ce = iv.compiled_exact_loop(method, S)
        # the enclosures of the rule's constants and per-gradient memo values depend only on the rule, its
        # exact hyper-parameters, the period's exact gradients and the precision: made once per such key
        # (a run's every ball is still computed afresh from round 1; these are its compile-time constants)
        pkey = (id(ce), flint.ctx.prec, tuple(sorted(method.numbers.items())),
                tuple((k.numerator, k.denominator) for k in keys))
        got = _PREPARED.get(pkey)
        if got is None or got[0] is not ce:
            got = _PREPARED[pkey] = (ce, iv.prepare(ce, h, gballs, keys))
        K, M, G = got[1]
    except iv.NotCompilable as exc:
        res.how.append(f"compiled interval loop not used ({exc}): exact phase in arb balls")
        return None
    return ce, K, M, G, {}


def _run_compiled(comp, n, t_start, t_end, x, xp, loss, state, a, b):
    """(True, (x, xp, loss, state fields) as arb balls) after rounds t_start..t_end on the compiled
    intervals, or (False, why) with nothing changed."""
    import flint

    from . import dd_intervals as iv

    ce, K, M, G, last = comp
    # a ball this loop returned last time is passed on as the interval it came from (tighter, and it
    # contains the truth as the ball does); any other ball is enclosed afresh
    def f(v):
        got = last.get(id(v))
        return got[1] if got is not None and got[0] is v else iv.from_arb(v)

    args = [f(x), f(xp), f(loss)] + [f(v) for v in state] + [f(a), f(b)]
    if any(math.isnan(v[0]) for v in args):
        return False, "an input ball is not finite"
    try:
        out = ce.fn(t_start, t_end, n, *args[:3], *args[3:-2], args[-2], args[-1], G, M, K)
    except Exception as exc:  # a numba typing error: the body is outside what the intervals compile
        return False, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if out[0]:
        return False, f"round {out[0]} not decided"
    vals = [iv.to_arb(v, flint) for v in out[1:]]
    last.clear()
    last.update({id(b_): (b_, v) for b_, v in zip(vals, out[1:])})
    return True, (vals[0], vals[1], vals[2], vals[3:])


def _wrel(W) -> float:
    """Largest radius of the step balls relative to the largest step (bias corrections over the hull of
    rounds widen them until beta^t0 is small)."""
    top = max(float(abs(w).upper()) for w in W)
    return max(float(w.rad()) for w in W) / top if top > 0 else 0.0


def _zeta_diff(flint, s, q0, q1):
    """sum_{m>=0, q0+m < q1} (q0+m)^-s = zeta(s, q0) - zeta(s, q1) (q1 - q0 a non-negative integer)."""
    return flint.arb(s).zeta(q0) - flint.arb(s).zeta(q1)


_B2K: dict = {}  # (k, bits) -> B_2k / (2k)! as a ball (constants of mathematics, not of a run)
EM_MAX_TERMS = 40  # Euler-Maclaurin terms at most before the sum goes to arb's Hurwitz zeta
EM_REMAINDER_SCALE = 1  # 1 in use; tests set 0 to show that a dropped remainder bound is caught


def _b2k(k: int):
    """B_2k / (2k)! as an arb ball at the current precision (from the exact rational)."""
    import flint

    key = (k, flint.ctx.prec)
    if key not in _B2K:
        _B2K[key] = flint.arb(flint.fmpq.bernoulli(2 * k) / math.factorial(2 * k))
    return _B2K[key]


def _em_terms(j: int, a: float, bits: int) -> int | None:
    """Euler-Maclaurin terms M for sum (a + m)^-(j + 1/2) to ~2^-bits relative to its first term (a float
    estimate: it only chooses M; the remainder bound added is rigorous whatever M is), None past EM_MAX_TERMS.
    The M-th remainder is about 2 |B_2M| / (2M)! (s)_{2M-1} a^{1-2M} f(a), |B_2M| / (2M)! ~ 2 (2 pi)^-2M."""
    s = j + 0.5
    w = (2 * math.pi * a) ** 2
    est = 4 * abs(s) * a / w  # M = 1
    goal = 2.0 ** -bits
    for M in range(1, EM_MAX_TERMS + 1):
        if est <= goal:
            return M
        est *= abs(s + 2 * M - 1) * abs(s + 2 * M) / w  # from M to M + 1
    return None


_EMC: dict = {}  # (j, k, bits) -> B_2k / (2k)! (s)_{2k-1}, s = j + 1/2, as a ball (exact rational constants)


def _em_coef_q(j: int, k: int):
    """B_2k / (2k)! * (j + 1/2)_{2k-1} (rising factorial) as an exact rational: (j + 1/2)_r = (1/2)_{j+r} /
    (1/2)_j with (1/2)_{-1} = -2 (so that j = -1 works too)."""
    import flint

    key = (j, k, None)
    if key not in _EMC:
        half = flint.fmpq(1, 2)

        def g(m):  # (1/2)_m, m >= -1
            if m == -1:
                return flint.fmpq(-2)
            out = flint.fmpq(1)
            for i in range(m):
                out *= half + i
            return out

        _EMC[key] = flint.fmpq.bernoulli(2 * k) / math.factorial(2 * k) * g(j + 2 * k - 1) / g(j)
    return _EMC[key]


def _em_coef(j: int, k: int):
    """:func:`_em_coef_q` as a ball at the current precision."""
    import flint

    key = (j, k, flint.ctx.prec)
    if key not in _EMC:
        _EMC[key] = flint.arb(_em_coef_q(j, k))
    return _EMC[key]


class _PowTable:
    """a^{-1/2-m} and b^{-1/2-m} for m >= -2, made by repeated multiplication when first read (every j of a
    block's sums shares them)."""

    def __init__(self, a, b):
        ra, rb = a.rsqrt(), b.rsqrt()
        self.ia, self.ib = 1 / a, 1 / b
        self.A = [a * a * ra, a * ra, ra]  # m = -2, -1, 0
        self.B = [b * b * rb, b * rb, rb]

    def get(self, m):
        while len(self.A) <= m + 2:
            self.A.append(self.A[-1] * self.ia)
            self.B.append(self.B[-1] * self.ib)
        return self.A[m + 2], self.B[m + 2]


def _em_power_sum(j: int, a, N: int, M: int, pw=None):
    """sum_{m=0}^{N-1} (a + m)^-s, s = j + 1/2 (j >= -1), a > 0 an arb ball, by Euler-Maclaurin (DLMF 2.10.1)
    with M - 1 correction terms and the remainder bound |R_M| <= 2 |B_2M| / (2M)! int_a^b |f^(2M)|
    = 2 |B_2M| / (2M)! |f^(2M-1)(b) - f^(2M-1)(a)| <= 2 |B_2M| / (2M)! (s)_{2M-1} a^{-s-2M+1}, b = a + N - 1
    (|B~_2M(x)| <= |B_2M| on [0, 1] (DLMF 24.9), so |B_2M - B~_2M(x)| <= 2 |B_2M|; f^(2M) = (s)_2M x^{-s-2M}
    keeps its sign, and |f^(2M-1)| falls with x).  With f^(r)(x) = (-1)^r (s)_r x^{-s-r} and x^{-s-r} =
    x^{-1/2-(j+r)}: S = (b^{1-s} - a^{1-s}) / (1 - s) + (f(a) + f(b)) / 2 - sum_{k<M} c_k (B_{j+2k-1} -
    A_{j+2k-1}), c_k = B_2k / (2k)! (s)_{2k-1} (:func:`_em_coef`, exact rationals), A_m = a^{-1/2-m},
    B_m = b^{-1/2-m} (``pw``, a :class:`_PowTable` shared by every j).  One j of :func:`_em_power_sums`."""
    return _em_power_sums([j], a, N, [M], pw)[0]


_EMMAT: dict = {}  # (js, Ms, bits) -> (the coefficient matrix of _em_power_sums as an arb_mat, its first m)


def _em_matrix(js, Ms):
    """The rows of :func:`_em_power_sum`'s formula for each (j, M) as one matrix over the differences
    D_m = B_m - A_m, m = -2 .. mmax: row j holds 1 / (1 - s) = 2 / (1 - 2j) at m = j - 1 and -c_k at
    m = j + 2k - 1 (k < M), exact rationals made balls at the current precision (cached: constants)."""
    import flint

    key = (tuple(js), tuple(Ms), flint.ctx.prec)
    got = _EMMAT.get(key)
    if got is None:
        mmax = max(max(j - 1, j + 2 * M - 3) for j, M in zip(js, Ms))
        cols = mmax + 3
        rows = []
        for j, M in zip(js, Ms):
            row = [flint.fmpq(0)] * cols
            row[j - 1 + 2] += flint.fmpq(2, 1 - 2 * j)
            for k in range(1, M):
                row[j + 2 * k - 1 + 2] -= _em_coef_q(j, k)
            rows.append(row)
        got = _EMMAT[key] = (flint.arb_mat(len(js), cols, [flint.arb(v) for r in rows for v in r]), cols)
    return got


def _em_power_sums(js, a, N: int, Ms, pw=None):
    """[sum_{m=0}^{N-1} (a + m)^-(j + 1/2) for j in js] by :func:`_em_power_sum`'s formula with M = Ms[r] terms
    for row r: the correction terms of every j as one arb_mat product of the exact coefficients
    (:func:`_em_matrix`) with the end points' power differences (ball arithmetic throughout), then each
    row's (f(a) + f(b)) / 2 and its remainder bound 2 |c_M| a^{-1/2-(j+2M-1)}."""
    import flint

    arb = flint.arb
    if pw is None:
        pw = _PowTable(a, a + (N - 1))
    C, cols = _em_matrix(js, Ms)
    D = []
    for m in range(-2, cols - 2):
        pa, pb = pw.get(m)
        D.append(pb - pa)
    S = C * flint.arb_mat(cols, 1, D)
    out = []
    for r, (j, M) in enumerate(zip(js, Ms)):
        fa, fb = pw.get(j)
        pa, _ = pw.get(j + 2 * M - 1)
        rem = 2 * abs(_em_coef(j, M)) * pa * EM_REMAINDER_SCALE
        out.append(S[r, 0] + (fa + fb) / 2 + arb(0, rem.upper()))
    return out


MOMENT_REMAINDER_SCALE = 1  # 1 in use; tests set 0 to show that a dropped series remainder in a weighted sum is caught
_VAND: dict = {}  # (n, rows, prec) -> the Vandermonde arb_mat [i^j], j < rows, i < n (exact integers)


def _vandermonde(n: int, rows: int):
    """The (rows x n) matrix of i^j as an arb_mat at the current precision (exact where i^j fits the
    precision, else a ball around it), cached: a block's weighted sums read its products only."""
    import flint

    key = (n, rows, flint.ctx.prec)
    if key not in _VAND:
        _VAND[key] = flint.arb_mat(rows, n, [i ** j for j in range(rows) for i in range(n)])
    return _VAND[key]


class _Direct(list):
    """The per-offset sums of a block (Z_i or G_i, i < n) as a list of balls; ``dot(V)`` = sum_i V_i Z_i."""

    def dot(self, V):
        import flint

        return sum((V[i] * self[i] for i in range(len(self))), flint.arb(0))


class _Series:
    """The per-offset sums of a block as a truncated series in the offset i: Z_i = sum_{j<J} a_j i^j + r_i with
    |r_i| <= c i^J (the a_j, c balls; c >= 0), every offset i < n.

    ``dot(V)`` = sum_i V_i Z_i costs O(J) per block from the moments of V (made once per vector and reused by
    every block): sum_i V_i Z_i = sum_j a_j mu_j + sum_i V_i r_i with mu_j = sum_i V_i i^j, and
    |sum_i V_i r_i| <= c nu_J, nu_J = sum_i |V_i| i^J: the r_i have signs of their own, so the absolute moment
    bounds the remainder, not |mu_J| (``tests/test_fastforward.py`` shows that a dropped or signed remainder
    misses).  The moments are arb_mat products with the exact Vandermonde matrix: every step an enclosure."""

    def __init__(self, a, c, n, moments):
        self.a, self.c, self.n, self.J = list(a), c, n, len(a)
        self._moments = moments  # shared by the blocks of a run: id(V) -> (V, arb_mat of [mu_j, nu_j])

    def __getitem__(self, i):
        import flint

        i = int(i)
        if not 0 <= i < self.n:
            raise IndexError(i)
        if i == 0:
            return self.a[0]  # the remainder c 0^J vanishes (J >= 1)
        xi = flint.arb(i)
        p = flint.arb_poly(self.a + [flint.arb(0, self.c.upper())])
        return p(xi)

    def __len__(self):
        return self.n

    def moments(self, V):
        import flint

        got = self._moments.get(id(V))
        if got is None or got[0] is not V or got[1].nrows() <= self.J:
            rows = max(self.J + 1, got[1].nrows() if got is not None and got[0] is V else 0)
            col = flint.arb_mat(self.n, 2, [u for v in V for u in (v, v.abs_upper())])
            got = self._moments[id(V)] = (V, _vandermonde(self.n, rows) * col)
        return got[1]

    def dot(self, V):
        import flint

        M = self.moments(V)
        out = flint.arb(0)
        for j, aj in enumerate(self.a):
            out = out + aj * M[j, 0]
        nu = M[self.J, 1].upper()  # sum_i |V_i|^up i^J (an upper bound: every term >= 0)
        return out + flint.arb(0, (self.c * nu * MOMENT_REMAINDER_SCALE).upper())


def _rel_wanted(T: int) -> float:
    """The invariant box's relative radius wanted for a run to T: the late steps' balls widen x by about
    2 alpha rel sqrt(T) (interior regime, the worst), so rel = OUT_REL_WANTED / (2 sqrt(T)), kept in
    [REL_WANTED, 1e-10] (below REL_WANTED the exact phase would outlast any gain)."""
    return max(REL_WANTED, min(1e-10, OUT_REL_WANTED / (2 * T ** 0.5)))


def _moved(s0, s1) -> float:
    """The largest relative change of a state component between two rounds of the same phase (midpoints,
    floats: it only schedules the box tries, which prove or fail on their own)."""
    out = 0.0
    for a_, b_ in zip(s0, s1):
        diff = float((b_ - a_).mid())  # in balls first: a float difference of the midpoints stops at 1e-16
        out = max(out, abs(diff) / max(abs(float(b_.mid())), 1e-300))
    return out


def _distance(hist, n):
    """Predicted distance of the state to its periodic orbit, relative (None: not yet predictable): with the
    movement per period d falling geometrically at rho^n per period, the distance is d / (1 - rho^n)."""
    if not hist:
        return None
    t1, d1 = hist[-1]
    if d1 == 0:
        return 0.0
    if len(hist) < 2:
        return None
    t0_, d0 = hist[-2]
    if not 0 < d1 < d0:
        return None
    c = (d1 / d0) ** (n / (t1 - t0_))  # per period
    return d1 / (1 - c) if c < 1 else None


def _next_round(hist, n, rel_wanted, dist, had_box):
    """Where to look next: the round where the predicted distance reaches rel_wanted / 4 (at most 4x the
    rounds so far), 1.25x the rounds if the prediction was reached but the box was not tight enough, else
    double (the first looks, or no geometric approach seen)."""
    import math

    t1, d1 = hist[-1]
    target = None
    if dist is not None and dist > rel_wanted and len(hist) >= 2 and 0 < d1 < hist[-2][1]:
        t0_, d0 = hist[-2]
        rate = math.log(d1 / d0) / (t1 - t0_)  # log of the per-round contraction (< 0)
        target = t1 + math.log(rel_wanted / (2 * dist)) / rate
        target = min(target, 4 * t1)
    if target is None:
        target = t1 * 5 / 4 if (dist is not None and dist <= rel_wanted) or had_box else 2 * t1
    target = max(target, t1 + n)
    return int(-(-math.ceil(target) // n) * n)  # a whole number of periods: the box is tried at phase 0


def fast_forward(method, problem, T: int, x1=0, *, prec: int = 192, checkpoints=None,
                 exact_max: int = EXACT_MAX, explicit_max: int = EXPLICIT_MAX) -> FastForwardResult:
    """x_T, x_played, R_T, R_T/T as arb balls (see the module doc), or UNKNOWN with why_not.

    Theorem 1's family (C = 3, beta1 = 0, beta2 = 1/(1+C^2), alpha = 1/2, x_1 = 1): Adam plays x = +1 in
    the large rounds, and R_T/T tends to 2(C - 2)/3 = 2/3 (each period of 3 rounds costs (C-2) - (2-C)).

    >>> from analysis.families import build
    >>> fam = build("thm1")
    >>> r = fast_forward(fam.method("adam"), fam.sequence, 10**15, x1=fam.x1)
    >>> r.status, r.x_played, abs(float(r.avg_regret.mid()) - 2 / 3) < 1e-7
    ('proved', 1.00000000000000, True)
    >>> float(r.avg_regret.rad()) < 1e-12                # a certified ball, not a float estimate
    True
    """
    import flint

    t_start_clock, c_start = time.perf_counter(), time.process_time()
    T = int(T)
    ok, why = fast_forward_applies(method, problem, T, x1)
    res = FastForwardResult(UNKNOWN, T, why_not=why, prec=prec,
                            versions={"python-flint": flint.__version__, "prec_bits": prec,
                                      "exact_phase_prec_bits": min(prec, EXACT_PREC),
                                      "zeta_sum_prec_bits": min(prec, SUM_PREC)})
    if not ok:
        return res
    B = _backend(prec)
    try:
        with B.precision():
            _run(method, problem, T, x1, B, res, checkpoints, exact_max, explicit_max)
    except _Unknown as exc:
        res.status, res.why_not = UNKNOWN, str(exc)
        res.x_T = res.x_played = res.regret = res.avg_regret = None
    res.seconds = time.perf_counter() - t_start_clock
    total = time.process_time() - c_start
    res.cpu_seconds = {"exact": res.cpu_seconds.get("exact", 0.0), "late": res.cpu_seconds.get("late", 0.0)}
    res.cpu_seconds["other"] = max(0.0, total - res.cpu_seconds["exact"] - res.cpu_seconds["late"])
    res.cpu_seconds["total"] = total
    return res


def _t_saturated(alpha, W, a, b, t0, T) -> int:
    """The last round t <= T up to which every late shift is at least the box's width,
    alpha t^-1/2 |w| >= b - a for every w in every W_i (certified in arb), or t0 - 1 if none: then the clamp
    acts at every round and x_{t+1} is the wall the shift points to.  Needs every W_i clear of 0."""
    import flint

    if any(w.contains(0) for w in W):
        return t0 - 1
    wmin = min((abs(w).lower() for w in W), key=float)  # a lower bound of every |w| in every W_i
    if not wmin > 0:
        return t0 - 1
    guess = float(((alpha * wmin / (b - a)) ** 2).lower())
    t_sat = T if not guess < T else int(guess)  # (an overflowing or nan guess: T, then tested)
    for _ in range(64):  # the float guess is only a start: the arb test decides, a few shrinking tries
        if t_sat < t0 or bool(alpha * wmin * flint.arb(t_sat).rsqrt() >= b - a):
            return max(t_sat, t0 - 1)
        t_sat = int(t_sat * 0.999) - 1
    return t0 - 1


_HOLDS_SRC = """
import math
import numpy as np
from numba import njit


@njit(cache=True)
def holds_floats(I, J, L, wpf, wr, Mpf, mr, Apf, n, u0, U):
    # _holds_floats_numpy's float test, pair by pair, the same expressions in the same order (tests compare them)
    k = I.shape[0]
    ok = np.zeros(k, dtype=np.bool_)
    hopeless = np.zeros(k, dtype=np.bool_)
    for p in range(k):
        i = I[p]
        j = J[p]
        wj = wpf[j]
        wi = wpf[i]
        Mj = Mpf[j]
        Mi = Mpf[i]
        fi = float(i)
        S0 = -(wj - wi)
        eS0 = (wr[j] + wr[i] + U * (abs(wj) + abs(wi) + abs(S0))) * (1 + 1e-10)
        dM = Mj - Mi
        dW = wj - wi
        m1 = dM - fi * dW
        em1 = (mr[j] + mr[i] + fi * (wr[j] + wr[i]) + U * (abs(Mj) + abs(Mi) + abs(dM)
               + fi * (abs(wj) + abs(wi) + abs(dW)) + abs(m1))) * (1 + 1e-10)
        e = S0 + u0 * m1 / 2
        ee = (eS0 + u0 * em1 / 2 + U * (abs(S0) + abs(u0 * m1) + abs(e))) * (1 + 1e-10)
        m2 = (float(j - 1 - i) ** 2) * ((Apf[j] - Apf[i]) + 1e-12 * Apf[n])
        r = 3 * u0 * u0 * m2 / 8 * (1 + 1e-10)
        # np.minimum / np.maximum propagate NaN, and a NaN compares False: the same here, term by term
        if L[p]:
            a = S0 - eS0
            b = e - ee - r
            ok[p] = a >= 0 and b >= 0
            a = S0 + eS0
            b = e + ee
            hopeless[p] = not (math.isnan(a) or math.isnan(b)) and (a < 0 or b < 0)
        else:
            a = S0 + eS0
            b = e + ee + r
            ok[p] = a <= 0 and b <= 0
            a = S0 - eS0
            b = e - ee
            hopeless[p] = not (math.isnan(a) or math.isnan(b)) and (a > 0 or b > 0)
    return ok, hopeless
"""
def _holds_floats_numpy(I, J, L, wpf_a, wr_a, Mpf_a, mr_a, Apf_a, n, u0, U):
    """(ok, hopeless) of the late certificate's float sign test for the pairs (I, J) (``Cert.holds``): ok where
    the float bounds with their error terms certify sign S(i, j) >= 0 (L) or <= 0 (not L) for every period
    from tau on (u0 = 1/tau as an upper float), hopeless where even the optimistic ends have the wrong sign
    (the arb bounds, the same quantities, would fail too).  ``_HOLDS_SRC`` is this, pair by pair, compiled;
    tests compare the two."""
    import numpy as np

    wj, wi, Mj, Mi = wpf_a[J], wpf_a[I], Mpf_a[J], Mpf_a[I]
    fi = I.astype(np.float64)
    S0 = -(wj - wi)
    eS0 = (wr_a[J] + wr_a[I] + U * (np.abs(wj) + np.abs(wi) + np.abs(S0))) * (1 + 1e-10)
    dM, dW = Mj - Mi, wj - wi
    m1 = dM - fi * dW
    em1 = (mr_a[J] + mr_a[I] + fi * (wr_a[J] + wr_a[I]) + U * (np.abs(Mj) + np.abs(Mi) + np.abs(dM)
           + fi * (np.abs(wj) + np.abs(wi) + np.abs(dW)) + np.abs(m1))) * (1 + 1e-10)
    e = S0 + u0 * m1 / 2
    ee = (eS0 + u0 * em1 / 2 + U * (np.abs(S0) + np.abs(u0 * m1) + np.abs(e))) * (1 + 1e-10)
    m2 = ((J - 1 - I).astype(np.float64) ** 2) * ((Apf_a[J] - Apf_a[I]) + 1e-12 * Apf_a[n])
    r = 3 * u0 * u0 * m2 / 8 * (1 + 1e-10)
    ok = np.where(L, np.minimum(S0 - eS0, e - ee - r) >= 0, np.maximum(S0 + eS0, e + ee + r) <= 0)
    # where even the optimistic float ends (error terms in the pair's favour, the remainder r >= 0 left
    # out) have the wrong sign, the arb bounds (S0 and e - r, the same quantities) fail too: not tried
    hopeless = np.where(L, np.minimum(S0 + eS0, e + ee) < 0, np.maximum(S0 - eS0, e - ee) > 0)
    return ok, hopeless


def _rng_floats_numpy(I, J, wpf_a, wr_a, Mpf_a, mr_a, L2up_a, u0f, second_up, U):
    """Float (lower, upper) bounds of the late certificate's ``rng`` (i, j), the sum of the unit shifts of
    offsets i..j-1, for index arrays: each float carries a bound on its distance to the exact value (wr, mr:
    mid -> float and the ball's radius; U per operation, 4x the unit roundoff, on the sum of the
    magnitudes), then a relative safety factor.  ``_HOLDS_SRC``'s rng_floats is this, pair by pair."""
    import numpy as np

    wj, wi, Mj, Mi = wpf_a[J], wpf_a[I], Mpf_a[J], Mpf_a[I]
    S0 = -(wj - wi)
    eS0 = wr_a[J] + wr_a[I] + U * (np.abs(wj) + np.abs(wi) + np.abs(S0))
    dM = Mj - Mi
    edM = mr_a[J] + mr_a[I] + U * (np.abs(Mj) + np.abs(Mi) + np.abs(dM))
    h = u0f / 2
    f_hi = np.maximum(0.0, h * (dM + edM)) * (1 + U)  # first * dM, first = [0, u0/2]
    f_lo = np.minimum(0.0, h * (dM - edM)) * (1 + U)
    r2 = (L2up_a[J] + L2up_a[I]) * second_up * (1 + U)  # |L2p[j] - L2p[i]| <= L2p[j] + L2p[i]
    hi = (S0 + eS0 + f_hi + r2) + U * (np.abs(S0) + eS0 + np.abs(f_hi) + r2)
    lo = (S0 - eS0 + f_lo - r2) - U * (np.abs(S0) + eS0 + np.abs(f_lo) + r2)
    return lo * (1 - np.sign(lo) * 1e-12) - 1e-300, hi * (1 + np.sign(hi) * 1e-12) + 1e-300


def _pinned_pairs_numpy(seg_is, seg_m1, n, pos):
    """The pinned certificate's pairs (I, J, L) and, for its segments' part, (below, at, starts): first (i, n)
    for every i < n (L = pos), then per segment s of the running argmin (i_s, last offset m1_s) its m1_s
    pairs, (k, i_s) for k < i_s ("below", L = pos) and (i_s, k) for i_s < k <= m1_s (L = not pos); ``at``
    is an entry's place in its segment, ``starts`` each segment's first entry.  ``_HOLDS_SRC``'s
    pinned_pairs is this, entry by entry."""
    import numpy as np

    starts = np.concatenate(([0], np.cumsum(seg_m1)[:-1])).astype(np.int64)[:len(seg_is)]
    which = np.repeat(np.arange(len(seg_is)), seg_m1)
    at = np.arange(int(seg_m1.sum())) - starts[which]
    i_sw = seg_is[which]
    below = at < i_sw
    I = np.concatenate((np.arange(n), np.where(below, at, i_sw)))
    J = np.concatenate((np.full(n, n), np.where(below, i_sw, at + 1)))
    L = np.concatenate((np.full(n, pos), np.where(below, pos, not pos)))
    return I, J, L, below, at, starts


def _pinned_firsts_numpy(ok, below, at, starts, n):
    """Per segment, the first offset m that a failed pair makes undecided (ok: every pair's certificate,
    the n pairs (i, n) first): a failed pair below i_s makes every m of the segment undecided (-1), a failed
    (i_s, k) every m >= k; none: n + 1.  ``_HOLDS_SRC``'s pinned_firsts is this."""
    import numpy as np

    if len(starts) == 0:
        return []
    return np.minimum.reduceat(np.where(ok[n:], n + 1, np.where(below, -1, at + 1)), starts).tolist()


_HOLDS_SRC += """

@njit(cache=True)
def rng_floats(I, J, wpf, wr, Mpf, mr, L2up, u0f, second_up, U):
    k = I.shape[0]
    lo_out = np.empty(k)
    hi_out = np.empty(k)
    for p in range(k):
        i = I[p]
        j = J[p]
        wj = wpf[j]
        wi = wpf[i]
        Mj = Mpf[j]
        Mi = Mpf[i]
        S0 = -(wj - wi)
        eS0 = wr[j] + wr[i] + U * (abs(wj) + abs(wi) + abs(S0))
        dM = Mj - Mi
        edM = mr[j] + mr[i] + U * (abs(Mj) + abs(Mi) + abs(dM))
        h = u0f / 2
        x = h * (dM + edM)
        f_hi = (x if not (x <= 0.0) else 0.0) * (1 + U)  # np.maximum(0, x): NaN stays NaN
        x = h * (dM - edM)
        f_lo = (x if not (x >= 0.0) else 0.0) * (1 + U)
        r2 = (L2up[j] + L2up[i]) * second_up * (1 + U)
        hi = (S0 + eS0 + f_hi + r2) + U * (abs(S0) + eS0 + abs(f_hi) + r2)
        lo = (S0 - eS0 + f_lo - r2) - U * (abs(S0) + eS0 + abs(f_lo) + r2)
        lo_out[p] = lo * (1 - np.sign(lo) * 1e-12) - 1e-300
        hi_out[p] = hi * (1 + np.sign(hi) * 1e-12) + 1e-300
    return lo_out, hi_out


@njit(cache=True)
def pinned_pairs(seg_is, seg_m1, n, pos):
    ns = seg_is.shape[0]
    tot = 0
    for s in range(ns):
        tot += seg_m1[s]
    I = np.empty(n + tot, dtype=np.int64)
    J = np.empty(n + tot, dtype=np.int64)
    L = np.empty(n + tot, dtype=np.bool_)
    below = np.empty(tot, dtype=np.bool_)
    at = np.empty(tot, dtype=np.int64)
    starts = np.empty(ns, dtype=np.int64)
    for i in range(n):
        I[i] = i
        J[i] = n
        L[i] = pos
    e = 0
    for s in range(ns):
        starts[s] = e
        i_s = seg_is[s]
        for a in range(seg_m1[s]):
            below[e] = a < i_s
            at[e] = a
            if a < i_s:
                I[n + e] = a
                J[n + e] = i_s
                L[n + e] = pos
            else:
                I[n + e] = i_s
                J[n + e] = a + 1
                L[n + e] = not pos
            e += 1
    return I, J, L, below, at, starts


@njit(cache=True)
def pinned_firsts(ok, below, at, starts, n):
    ns = starts.shape[0]
    tot = below.shape[0]
    out = np.empty(ns, dtype=np.int64)
    for s in range(ns):
        end = starts[s + 1] if s + 1 < ns else tot
        f = n + 1
        for e in range(starts[s], end):
            if not ok[n + e]:
                v = -1 if below[e] else at[e] + 1
                if v < f:
                    f = v
        out[s] = f
    return out
"""
_KERNELS = []  # [the compiled module of _HOLDS_SRC, or None where numba or a kernel cache directory is missing]
HOLDS_COMPILED = True  # False: the numpy forms only (the tests compare both)


KERNEL_MIN_N = 32  # periods shorter than this keep the numpy forms: their arrays are small, and numba's first
# compile of _HOLDS_SRC (~3 s CPU on an empty kernel cache) is paid only where it repays


def _kernels(n=None):
    """The compiled helpers of the late certificate (``_HOLDS_SRC``), or None: numba or a kernel cache
    directory missing, ``HOLDS_COMPILED`` off, or a period shorter than ``KERNEL_MIN_N``."""
    if not HOLDS_COMPILED or (n is not None and n < KERNEL_MIN_N):
        return None
    if not _KERNELS:
        mod = None
        try:
            from .source import load_module

            mod = load_module(_HOLDS_SRC)
        except Exception:  # numba missing: the numpy forms
            mod = None
        _KERNELS.append(mod)
    return _KERNELS[0]


def _holds_kernel():
    """The compiled pair test, or None (then :func:`_holds_floats_numpy` runs)."""
    k = _kernels()
    return k.holds_floats if k is not None else None


_WINDOWS: dict = {}
_INTS: dict = {}
_BACKENDS: dict = {}


def _int_balls(n: int, p: int = 1):
    """[arb(l^p) for l < n] (exact integers, any precision), cached per (n, p)."""
    key = (n, p)
    if key not in _INTS:
        import flint

        _INTS[key] = [flint.arb(l_ ** p) for l_ in range(n)]
    return _INTS[key]


def _backend(prec: int) -> ArbBackend:
    """An ArbBackend at ``prec`` bits, one per precision (it holds no state but its precision; making one
    builds numpy ufuncs, ~0.1 ms)."""
    if prec not in _BACKENDS:
        _BACKENDS[prec] = ArbBackend(prec)
    return _BACKENDS[prec]


def _windows(n: int):
    """The index array [rr + i] (rr, i < n): the rotation score's windows of the prefix sums (cached per n;
    numpy's sliding_window_view costs more than the scores themselves)."""
    if n not in _WINDOWS:
        import numpy as np

        _WINDOWS[n] = np.arange(n)[:, None] + np.arange(n)[None, :]
    return _WINDOWS[n]


def _run(method, problem, T, x1, B, res, checkpoints, exact_max, explicit_max):
    import flint

    from .arb import ScalarArb

    arb = flint.arb
    n = problem.n
    pat = [problem.row(t)[0] for t in range(1, n + 1)]  # exact Fractions, phase 0 first
    a, b = B.num(problem.lo), B.num(problem.hi)
    alpha = B.num(method.numbers["alpha"])
    stops = sorted({int(c) for c in (checkpoints or ()) if 1 <= int(c) <= T} | {T})

    pden = math.lcm(*{p.denominator for p in pat})
    pref = list(itertools.accumulate((p.numerator * (pden // p.denominator) for p in pat), initial=0))

    def Sg(t):  # sum_{s<=t} g_s, exact (integer prefix sums over the common denominator)
        return Fraction((t // n) * pref[n] + pref[t % n], pden)

    def regret_at(t, loss):
        s = Sg(t)
        return loss - B.num(min(problem.lo * s, problem.hi * s))  # exact min over the box (linear loss)

    # ---- 1. exact phase --------------------------------------------------------------------------------
    # the exact phase at EXACT_PREC bits at most: its balls only need to be far tighter than the box
    # (rel >= REL_WANTED = 1e-26), and arb's operations are ~25% cheaper at 128 bits than at 192
    BX = _backend(min(B.prec, EXACT_PREC))
    S = ScalarArb(BX)
    S.prec = BX.prec
    for name in ("sign", "clip", "minimum", "mean_last", "sum_last"):  # helpers ScalarArb leaves out
        if not hasattr(S, name):
            setattr(S, name, getattr(B, name))
    h = method.rule.Hyper(**{k: B.num(v) for k, v in method.numbers.items()})
    init, loop = _exact_loop(method, S)
    byv: dict = {}  # one ball per distinct gradient value (B.num of a Fraction costs ~5 us; a period repeats few)
    gballs = []
    for p in pat:
        k = (p.numerator, p.denominator)  # (a Fraction's own hash costs a modular inverse)
        if k not in byv:
            byv[k] = B.num(p)
        gballs.append(byv[k])

    def gsource_from(t):
        ph = (t - 1) % n
        return lambda gvals: itertools.cycle([gvals(g) for g in gballs[ph:] + gballs[:ph]])

    x = B.num(x1)
    state = init(x)
    loss = arb(0)
    xp = x
    done = 0  # rounds run so far
    cps = []

    # the exact phase's rounds on compiled double-double intervals (numerics.engine.dd_intervals: the same
    # specialised body, each arb operation replaced by a sound interval operation), back to this arb loop
    # from the first round the intervals cannot decide (a NaN, a divisor or root argument reaching 0)
    comp = None
    if COMPILED:
        comp = _compiled_exact(method, S, h, gballs, state, res, pat)
    res.versions["exact_phase"] = "arb balls"

    def exact_to(t_end):
        nonlocal x, xp, loss, state, done, comp
        while done < t_end:
            nxt = min([s for s in stops if s > done] + [t_end])
            c0 = time.process_time()
            ran = False
            if comp is not None:
                ran, got = _run_compiled(comp, n, done + 1, nxt, x, xp, loss, state, a, b)
                if ran:
                    x, xp, loss, st = got
                    res.versions["exact_phase"] = "compiled double-double intervals (numerics.engine.dd_intervals)"
                else:
                    res.versions["exact_phase"] = "arb balls (the compiled intervals could not decide)"
                    res.how.append(f"compiled interval loop undecided in rounds {done + 1}..{nxt} ({got}): "
                                   f"the arb ball loop runs the exact phase from round {done + 1}")
                    comp = None
            if not ran:
                with BX.precision():
                    x, xp, loss, st = loop(h, x, state, a, b, done + 1, nxt, gsource_from(done + 1), loss)
            res.cpu_seconds["exact"] = res.cpu_seconds.get("exact", 0.0) + time.process_time() - c0
            state = method.rule.State(*st)
            done = nxt
            if done in stops:
                cps.append((done, x, regret_at(done, loss)))

    def finish(engine_note, st=None):
        xx, xxp, ll = st if st is not None else (x, xp, loss)
        if not all(v.is_finite() for v in (xx, xxp, ll)):
            raise _Unknown("a ball is not finite (the rule's numbers overflow or leave their domain, e.g. the "
                           "root of a negative v)")
        res.status, res.why_not = PROVED, None
        res.x_T, res.x_played = xx, xxp
        res.regret = regret_at(T, ll)
        res.avg_regret = res.regret / T
        res.checkpoints = [c for c in cps if c[0] != T] + [(T, xx, res.regret)]
        res.how.append(engine_note)

    K = max(2, -(-256 // n))  # first try: about 256 rounds (then doubling: a fast-settling state stops early)
    if T <= K * n + 4 * n:
        exact_to(T)
        res.regimes.append(("exact", 1, T))
        return finish(f"exact ball loop, rounds 1..{T}")

    # ---- 2. invariant box ------------------------------------------------------------------------------
    LB = _LateArb(B.prec)
    l_init, l_update = method.rule.make(LB)
    h1 = method.rule.Hyper(**{k: (arb(1) if k == "alpha" else B.num(v)) for k, v in method.numbers.items()})
    stateless = method.rule.key[0] == "sgd"  # SGD's state (a counter) never enters the step

    box_fail = []  # (round, escaped components) of each failed box try, for why_not

    def box_at(t0, st, hint=0.0):
        """(rel, W) with the invariant box proved at round t0 (phase (t0-1) % n), else None."""
        ph = (t0 - 1) % n
        gs = gballs[ph:] + gballs[:ph]
        moved = 0.0
        escaped = []
        for rel in rels:
            # a box smaller than one period's move, or than a tenth of the state's predicted distance to its
            # orbit (which the states to come will cover), cannot be invariant: skip the try (a cost only; a
            # wrong skip only leaves a wider box, never a wrong one)
            if rel < 10 * moved or (rel < hint / 10 and rel != rels[-1]):
                continue
            # each component's radius relative to its size (boxes are proved at phase 0 only: the rotated
            # period reuses them, so a component passing near 0 at another phase does not matter)
            X = type(st)(*[arb(v.mid(), abs(v.mid()) * rel + 2 * v.rad()) for v in st])
            Y = X
            W = []
            before = LB.alpha_reads
            W1 = []
            try:
                for i, g in enumerate(gs):
                    step, Y, _ = l_update(h1, g, Y, LateT(t0 + i, T))
                    W1.append(step)
            except TypeError as exc:
                raise _Unknown(f"the late period map has no enclosure: {exc}")
            if LB.alpha_reads - before != n:
                raise _Unknown("the step-size factor alpha_t was not read once per round: the step in units "
                               "of alpha_t cannot be formed")
            W = None
            if stateless or all(x_.contains(y_) for x_, y_ in zip(X, Y)):
                # the steps over the whole box: the box's radius is the remainder of the state's approach
                # to its periodic orbit (REMAINDER_SCALE < 1 only in the test that breaks it); the pass above
                # already stepped X itself, so its steps are the W of the box
                if REMAINDER_SCALE == 1:
                    return rel, W1
                Y = X if REMAINDER_SCALE == 1 else type(st)(*[arb(v.mid(), (abs(v.mid()) * rel + 2 * v.rad())
                                                                  * REMAINDER_SCALE) for v in st])
                W = []
                for i, g in enumerate(gs):
                    step, Y, _ = l_update(h1, g, Y, LateT(t0 + i, T))
                    W.append(step)
                return rel, W
            if rel == rels[0] or not moved:
                moved = max(abs(float((y_ - x_).mid())) / max(abs(float(x_.mid())), 1e-300) for x_, y_ in zip(X, Y))
            # which components escaped the box (for why_not): name, and the image's radius over the box's
            fields = getattr(type(st), "_fields", None) or [f"#{j}" for j in range(len(st))]
            escaped = [(f_, float(y_.rad()) / max(float(x_.rad()), 1e-300)) for f_, x_, y_ in zip(fields, X, Y)
                       if not x_.contains(y_)]
        if moved < 1e-27:
            which = ", ".join(f"{f_} (image radius {q_:.6g}x the box's)" for f_, q_ in escaped) or "none named"
            raise _Unknown("the state has settled (one period moves it by a relative {:.1e}) but no box around it "
                           "is invariant in ball arithmetic: a component that does not contract (e.g. Yogi's v, "
                           "moved by -+(1-beta2) g^2 each round: an isometry) grows by the outward rounding of "
                           "each operation; escaping the largest box tried (relative {:g}) at round {}: {}"
                           .format(moved, RELS[-1], t0, which))
        box_fail.append((t0, escaped))
        return None

    # the box's radius widens every late step's ball: alpha rel |w| sum t^-1/2 ~ 2 rel sqrt(T) on x, so the
    # radius wanted follows from T and the output radius wanted (OUT_REL_WANTED relative), not a constant
    rel_wanted = _rel_wanted(T)
    # the radius wanted is tried itself besides the fixed grid: with only the grid (steps of 1e4) the state
    # had to come within the next grid radius below rel_wanted, ~430 more exact rounds on Section 5 (any
    # radius whose invariance is proved is as sound as another: the proof, not the choice, certifies)
    rels = sorted(set(RELS) | {rel_wanted})
    box = None
    hist = []  # (round, relative movement of the state over the last period): the state's approach rate
    t_next = K * n
    while True:
        exact_to(t_next - n)
        before = state
        exact_to(t_next)
        d = _moved(before, state)
        hist.append((done, d))
        last_chance = t_next * 5 // 4 + n > exact_max or t_next * 5 // 4 + 4 * n >= T
        # a box is tried only where the state's distance to its orbit (~ d / (1 - rho^n)) is predicted
        # below the radius wanted, or where no later try is allowed: each try costs about a period of rounds
        dist = _distance(hist, n)
        # (no prediction yet: a try only if the state moved over the period by less than twice the largest
        # radius tried, else the box cannot hold the state's own image: Section 5's first look moves it by
        # 0.09, a wasted period pass)
        if (dist is None and d < 2 * RELS[-1]) or (dist is not None and dist <= rel_wanted) or last_chance:
            box = box_at(done + 1, state, hint=dist or 0.0)
            if box is not None:
                got = max(box[0], _wrel(box[1]))
                if got <= rel_wanted or last_chance:
                    break
                dist = max(dist or 0.0, got)  # the box (or the bias corrections' hull) is still too wide
        if t_next + n > exact_max:
            td, dd = hist[-1]
            tail = f"at round {td} one period still moves it by a relative {dd:.1e}"
            if box_fail and box_fail[-1][1]:
                tail += "; escaping the largest box tried (relative {:g}) at round {}: {}".format(
                    RELS[-1], box_fail[-1][0], ", ".join(f"{f_} (image radius {q_:.6g}x the box's)"
                                                         for f_, q_ in box_fail[-1][1]))
            raise _Unknown(f"no invariant box of the state within {exact_max} exact rounds (the state does not "
                           f"settle onto a periodic orbit, or too slowly, or a component does not contract): "
                           f"{tail}")
        t_next = _next_round(hist, n, rel_wanted, dist, box is not None)
        t_next = min(t_next, exact_max)
        if t_next + 4 * n >= T:
            exact_to(T)
            res.regimes.append(("exact", 1, T))
            return finish(f"exact ball loop, rounds 1..{T} (no invariant box needed)")
    rel, W = box
    # rotation: start late periods at the phase where the pinned certificate is strongest
    u_ = [-float(w.mid()) for w in W]
    Dmid = sum(u_)
    r = 0
    if Dmid != 0:
        # the score of phase rr is the smallest suffix sum (towards the drift) of the rotated period: with
        # prefix sums P, a suffix from i of rotation rr is P[n] - P[rr + i] + P[rr] (wrapping), in O(n) per rr
        import numpy as np

        sg_ = 1 if Dmid > 0 else -1
        P_ = np.array(list(itertools.accumulate(u_ + u_, initial=0.0)))
        win = P_[_windows(n)]  # row rr: P_[rr .. rr + n - 1]
        scores = (P_[n:2 * n][:, None] - win).min(axis=1) * sg_
        r = int(np.argmax(scores))  # the first best, as before
    rot_note = None
    if r:
        # late periods start at phase r, with the phase-0 box's step balls rotated: every late round
        # t = t_box0 + k n + i has its period's start state in the phase-0 box (by induction) and t in the hull
        # [t_box0 + i, T] that W_i was enclosed over, so its step lies in alpha t^-1/2 W_i whichever round a
        # late period is taken to start at.  (A second box tried at phase r cost a period pass, ~2-3 ms on
        # Section 5, and where it failed the run went back to phase 0 and lost the pinned certificate: ADOPT
        # on Theorem 2 ended UNKNOWN.)
        t_box0 = done + 1
        exact_to(done + r)
        sh = (done + 1 - t_box0) % n
        W = W[sh:] + W[:sh]
        rot_note = (f"late periods start at phase {r} (the pinned certificate's best rotation) with the step balls "
                    f"of the box proved at round {t_box0} (phase 0), rotated")
    t0 = done + 1
    ph0 = (t0 - 1) % n
    q = [pat[(ph0 + i) % n] for i in range(n)]  # gradients of the late period, offset 0 first
    res.how.append(f"exact ball loop, rounds 1..{done}")
    res.how.append(f"invariant box of relative radius {rel:g} proved for every round from {t0 - r} (phase 0) "
                   f"up to {T}: steps alpha t^-1/2 w_i, w_i in balls of radius <= "
                   f"{max(float(w.rad()) for w in W):.2e}")
    if rot_note:
        res.how.append(rot_note)
    res.regimes.append(("exact", 1, done))
    c0 = time.process_time()
    try:
        _late(res, B, n, q, W, alpha, a, b, t0, T, stops, explicit_max, (x, xp, loss), cps, regret_at, finish)
    finally:
        res.cpu_seconds["late"] = time.process_time() - c0


def _late(res, B, n, q, W, alpha, a, b, t0, T, stops, explicit_max, start, cps, regret_at, finish):
    """Rounds t0..T from the invariant box on (module doc, 3-4)."""
    import flint

    arb = flint.arb
    x, xp, loss = start
    Wp = [arb(0)]
    Ap = [arb(0)]  # prefix sums of |w_l| (upper bounds)
    Lp = [arb(0)]  # prefix sums of l |w_l|
    Mp = [arb(0)]  # prefix sums of l w_l (signed: the first-order term of the weights)
    L2p = [arb(0)]  # prefix sums of l^2 |w_l|
    al, al2 = _int_balls(n), _int_balls(n, 2)  # l and l^2 as (exact) balls: an int operand costs a conversion
    for l_, w in enumerate(W):
        wa = w.abs_upper()  # (once per w: the same ball each time it was taken)
        Wp.append(Wp[-1] + w)
        Ap.append(Ap[-1] + wa)
        Lp.append(Lp[-1] + al[l_] * wa)
        Mp.append(Mp[-1] + al[l_] * w)
        L2p.append(L2p[-1] + al2[l_] * wa)
    # float images for quick sign decisions (a decision they cannot make goes to the arb bounds): every
    # float below carries a bound on its distance to the exact value (mid -> float rounding, the ball's
    # radius, each float operation's rounding, all taken 4x with a relative safety factor)
    U = 2.0 ** -51
    wpf = [float(v.mid()) for v in Wp]
    wr = [float(v.rad()) * (1 + U) + abs(f) * U for v, f in zip(Wp, wpf)]
    Mpf = [float(v.mid()) for v in Mp]
    mr = [float(v.rad()) * (1 + U) + abs(f) * U for v, f in zip(Mp, Mpf)]
    Apf = [float(v.upper()) * (1 + 1e-12) for v in Ap]
    import numpy as np

    wpf_a, wr_a, Mpf_a, mr_a, Apf_a = (np.array(v, dtype=np.float64) for v in (wpf, wr, Mpf, mr, Apf))
    L2up_a = np.array([float(v.upper()) * (1 + U) for v in L2p], dtype=np.float64)  # L2p >= 0: upper bounds
    qf = [v if isinstance(v, Fraction) else Fraction(v) for v in q]
    qden = math.lcm(*[v.denominator for v in qf])
    qint = [v.numerator * (qden // v.denominator) for v in qf]  # the period's gradients as integers over qden

    oq: dict = {}

    def over_qden(v: int):  # the rational v / qden as a ball: arb(v) / qden, as B.num does (one rounding),
        got = oq.get(v)  # without B.num's Fraction round trip (~400 a run; memo: a period repeats few values)
        if got is None:
            got = oq[v] = arb(v) if qden == 1 else arb(v) / qden
        return got

    qb = [over_qden(v) for v in qint]
    Q = over_qden(sum(qint))
    tails = list(itertools.accumulate(reversed(qint), initial=0))[::-1]  # tails[i] = sum_{j>=i} q_j (x qden)
    cprime = [over_qden(tails[i + 1]) for i in range(n)]  # sum_{j>i} q_j

    class Cert:
        """Within-period facts valid for every late period that starts at a round tau_k >= tau, in units of
        eps = alpha tau_k^-1/2: the shift of offset l is -q_l w_l with q_l = (1 + l u)^-1/2, u = 1/tau_k,
        = 1 - l u / 2 + R_l, 0 <= R_l <= 3 (l u)^2 / 8, so a sum over l in [i, j) lies in
        -(Wp[j]-Wp[i]) + [0, u0/2] (Mp[j]-Mp[i]) +- 3 u0^2 (L2p[j]-L2p[i]) / 8 (:meth:`rng`); for a *sign*
        the sum is divided by q_i > 0 first and bounded at the ends of u's range (:meth:`bounds`)."""

        def __init__(self, tau):
            self.tau = tau
            u0 = REMAINDER_SCALE / arb(tau)  # (REMAINDER_SCALE < 1 only in the test that breaks the bound)
            self.u0 = u0
            self.u0f = float(u0.upper()) * (1 + 1e-12)
            self.first = arb(0).union(u0 / 2)  # u/2 for every u = 1/tau_k in (0, 1/tau]
            self.second = 3 * u0 * u0 / 8
            # rise / drop: the largest prefix sum up / down, from float bounds with rigorous error terms (they
            # are margins: upper bounds suffice; the arb prefix sums cost ~n arb ops x 8 per certificate)
            self.second_up = float(self.second.upper()) * (1 + U) + 1e-300
            lo_, hi_ = self.rng_floats(np.zeros(n, dtype=np.int64), np.arange(1, n + 1))
            self.rise = max(0.0, float(hi_.max())) * (1 + 1e-12)
            self.drop = max(0.0, float((-lo_).max())) * (1 + 1e-12)
            self.D = self.rng(0, n)
            lo, hi = self.bounds(0, n)
            self.sign = 1 if lo > 0 else -1 if hi < 0 else 0
            if not self.sign and (-Wp[n]).is_zero():  # the limit drift is exactly 0: the sign for u > 0 is
                lin = Mp[n] / 2 + arb(0, (L2p[n] * 3 * self.u0 / 8).upper())  # that of m1/2 +- 3 u0 m2/8
                self.sign = 1 if lin > 0 else -1 if lin < 0 else 0
            self.pin = {1: self.pinned(1) if self.sign > 0 else None,
                        -1: self.pinned(-1) if self.sign < 0 else None}

        # (1 + x)^-1/2 = 1 - x/2 + R with 0 <= R <= 3 x^2 / 8 for 0 <= x < 1 (alternating series, terms
        # decreasing), x = l u, u = 1/tau_k: -q_l w_l = -w_l + (u/2) l w_l - R_l w_l
        def rng(self, i, j):  # the sum of the unit shifts of offsets i..j-1
            return (-(Wp[j] - Wp[i]) + self.first * (Mp[j] - Mp[i])
                    + arb(0, ((L2p[j] - L2p[i]) * self.second).upper()))

        def rng_floats(self, I, J):
            """Float (lower, upper) bounds of :meth:`rng` (i, j) for index arrays (:func:`_rng_floats_numpy`,
            compiled where numba is: ``_HOLDS_SRC``'s rng_floats)."""
            kern = _kernels(n)
            args = (np.asarray(I, dtype=np.int64), np.asarray(J, dtype=np.int64), wpf_a, wr_a, Mpf_a, mr_a, L2up_a,
                    self.u0f, self.second_up, U)
            return kern.rng_floats(*args) if kern is not None else _rng_floats_numpy(*args)

        def bounds(self, i, j):
            """(lower, upper) of that sum divided by q_i > 0 (same sign), over every period from tau on: the
            weights are (1 + (l-i) u)^-1/2, u = 1/(tau_k + i) in (0, 1/tau], so the sum is S0 + u m1/2 - r(u)
            with 0 <= r... |r| <= 3 u^2 m2 / 8: between a concave and a convex quadratic in u, whose extremes
            on [0, 1/tau] are at the ends (exact limit ties are decided by the first-order term)."""
            S0 = -(Wp[j] - Wp[i])
            m1 = (Mp[j] - Mp[i]) - i * (Wp[j] - Wp[i])  # sum (l - i) w_l
            m2 = (L2p[j] - L2p[i]) - 2 * i * (Lp[j] - Lp[i]) + i * i * (Ap[j] - Ap[i])  # sum (l - i)^2 |w_l|
            e = S0 + self.u0 * m1 / 2
            r = m2 * self.second
            return S0.lower().min((e - r).lower()), S0.upper().max((e + r).upper())

        def holds(self, I, J, L):
            """Certify, for each pair, S(i, j) >= 0 (L true) or <= 0 (L false) for every period from tau on (see
            :meth:`bounds`): in numpy floats with rigorous error terms first, in arb balls for the pairs the
            floats cannot tell.  Returns a bool array (True: certified)."""
            I, J = np.asarray(I, dtype=np.int64), np.asarray(J, dtype=np.int64)
            L = np.asarray(L, dtype=bool)
            if I.size == 0:
                return np.ones(0, dtype=bool)
            kern = _kernels(n)
            if kern is not None:  # the same float test compiled (one call instead of ~30 numpy passes)
                ok, hopeless = kern.holds_floats(I, J, L, wpf_a, wr_a, Mpf_a, mr_a, Apf_a, n, self.u0f, U)
            else:
                ok, hopeless = _holds_floats_numpy(I, J, L, wpf_a, wr_a, Mpf_a, mr_a, Apf_a, n, self.u0f, U)
            for k_ in np.nonzero(~ok & ~hopeless)[0]:  # the floats could not tell: the arb bounds decide
                lo, hi = self.bounds(int(I[k_]), int(J[k_]))
                ok[k_] = bool(lo >= 0) if L[k_] else bool(hi <= 0)
            return ok


        def pinned(self, sg):
            """The pinned period (sg = +1: at b, -1: at a): exact coefficients e_l of the offsets whose argmin
            (argmax) over suffixes is certified, the ball Y_m of x_m - wall in units for the others, the
            excursion bound, or None when the period is not certified to end at the wall."""
            rng = self.rng
            zero = arb(0)
            istar, Y = [0], [zero]
            # the candidate per offset m: argmin over i <= m of sg (wpf[i] - wpf[m]) by the limit pattern's
            # midpoints (a guess, first index on ties; certified below), i.e. a running argmin of sg wpf
            guess, best = [0], 0
            for m in range(1, n):
                if sg * wpf[m] < sg * wpf[best]:
                    best = m
                guess.append(best)
            # the pairs to certify: V(i_s) - V(i) = -S(i, i_s) (i < i_s) or S(i_s, i) (i_s < i <= m), with
            # sg (V(i_s) - V(i)) <= 0; and for m = n (the period ends at the wall, V(n) = 0): sg S(i, n) >= 0 for
            # every i.  Offset m needs (k, i_s) for k < i_s and (i_s, k) for i_s < k <= m; the guess is a running
            # argmin, constant on segments of m, so each segment's pairs are taken once, up to its last m
            # (~(segments) n pairs instead of n^2 / 2): offset m of a segment is undecided iff a pair below i_s
            # fails, or one (i_s, k) with k <= m does
            segs = []  # (i_s, first m, last m)
            for m in range(1, n):
                if segs and segs[-1][0] == guess[m]:
                    segs[-1][2] = m
                else:
                    segs.append([guess[m], m, m])
            # segment s contributes m1_s pairs: (k, i_s) for k < i_s ("below"), then (i_s, k) for i_s < k <= m1_s;
            # built at once (entry e of segment s sits at offset e - start_s in it)
            seg_is = np.array([g_[0] for g_ in segs], dtype=np.int64)
            seg_m1 = np.array([g_[2] for g_ in segs], dtype=np.int64)
            kern = _kernels(n)
            I, J, L, below, at, starts = (kern.pinned_pairs if kern is not None else _pinned_pairs_numpy)(
                seg_is, seg_m1, n, sg > 0)
            ok = self.holds(I, J, L)
            if not ok[:n].all():
                return None  # every suffix sum must push towards the wall: the period ends there
            # per segment, the first offset m that a failed pair makes undecided: a failed pair below i_s makes
            # every m of the segment undecided (-1), a failed (i_s, k) every m >= k; none: n + 1
            firsts = (kern.pinned_firsts if kern is not None else _pinned_firsts_numpy)(ok, below, at, starts, n)
            bad = set()
            for (i_s, m0, m1), f_ in zip(segs, [int(v) for v in firsts]):
                if f_ <= m1:
                    bad.update(range(max(m0, f_), m1 + 1))
            # the decided offsets' x_m - wall enter only the excursion bound: floats with error terms (an arb
            # ball is made for the undecided ones, which enter the loss)
            yl, yh = self.rng_floats(np.asarray(guess[1:], dtype=np.int64), np.arange(1, n))
            exc_f = float(np.max(np.where(np.asarray(guess[1:]) < np.arange(1, n), -sg * (yl if sg > 0 else yh), 0.0),
                                 initial=0.0)) if n > 1 else 0.0
            exc_decided = 0.0
            for m in range(1, n):
                i_s = guess[m]
                if m not in bad:
                    ym = None  # (not read: decided offsets enter the loss through e_l)
                    exc_decided = exc_f
                else:
                    # only suffixes that can be the min (max) matter: one whose float lower bound exceeds another's
                    # upper bound (rigorous float bounds, rng_floats) is certainly not it, and dropping it leaves
                    # the min of the true values unchanged (O(m) arb sums per loose offset before)
                    lo_m, hi_m = self.rng_floats(np.arange(m), np.full(m, m))
                    if sg > 0:
                        keep = np.nonzero(lo_m <= min(float(hi_m.min()), 0.0))[0]
                    else:
                        keep = np.nonzero(hi_m >= max(float(lo_m.max()), 0.0))[0]
                    cands = [rng(int(i), m) for i in keep] + [zero]
                    ym = cands[0]
                    for c in cands[1:]:
                        ym = ym.min(c) if sg > 0 else ym.max(c)  # x_m - wall = min (max) over suffixes
                istar.append(None if m in bad else i_s)
                Y.append(ym)
            istar.append(n)
            diff_ = [0] * (n + 1)  # e_l = sum of q_m over decided m with istar[m] <= l < m, in units 1/qden
            for m in range(1, n):
                if istar[m] is not None and istar[m] < m:
                    diff_[istar[m]] += qint[m]
                    diff_[m] -= qint[m]
            e = list(itertools.accumulate(diff_[:n]))  # exact, in integers over qden (fast)
            loose = [m for m in range(1, n) if istar[m] is None]
            exc = max([float((-sg * y).upper()) for y in Y if y is not None] + [exc_decided, 0.0]) * (1 + 1e-12)
            return [over_qden(v) for v in e], exc, istar, loose, Y

    cert = Cert(t0)
    aW = [alpha * w for w in W]
    # *saturated*: while every shift of a period is at least the box's width, alpha t^-1/2 |w_i| >= b - a,
    # the clamp certainly acts at every round and x_{t+1} is the wall the shift points to, whatever x_t is
    # (x_t + s >= a + (b - a) = b, or the mirror image): x is the periodic wall pattern and the loss a
    # finite sum of q_i times walls.  It holds for every round t <= t_sat = (alpha min_i |W_i| / (b - a))^2
    # (W_i the invariant box's step balls, none holding 0; the weights t^-1/2 only fall).  AdaBelief at
    # beta1 = 0 (m = g, so s falls to its eps floor and the steps are ~1e8 alpha_t) jumps between the ends
    # of Theorem 1's box this way up to t ~ 6e14: before, every round was stepped and the run was UNKNOWN.
    t_sat = _t_saturated(alpha, W, a, b, t0, T)
    sat_walls = [b if w < 0 else a for w in W] if t_sat >= t0 else None  # x after the round of offset i
    res.how.append(f"per-period drift in units of alpha tau^-1/2 at round {t0}: D = {cert.D.str(8)}")
    sqrt_n = arb(n).sqrt()
    cs_memo: dict = {}

    def cs(i):  # c_i = (t0 + i) / n, made when first read (the Taylor path reads c_0 only)
        if i not in cs_memo:
            cs_memo[i] = arb(t0 + i) / n
        return cs_memo[i]

    zc: dict = {}

    def zeta(tag, qq, key, s=None, prec=None):
        k_ = (tag, key, prec)
        if k_ not in zc:
            with BZ.precision():  # enclosures at fewer bits are still enclosures (and much cheaper)
                if prec is not None:
                    flint.ctx.prec = prec
                zc[k_] = (arb(tag) if s is None else s).zeta(qq)
        return zc[k_]

    binoms = [arb(1)]  # binom(-1/2, j)
    BZ = _backend(min(B.prec, SUM_PREC))

    def sums_direct(k0, k1, need_G=True):
        """Z_i = sum_{k0<=k<k1} (tau_k+i)^-1/2 and G_i = sum (k1-1-k)(tau_k+i)^-1/2, i < n: with
        tau_k + i = n (k + c_i), c_i = (t0+i)/n, both are Hurwitz zeta differences at s = 1/2 and -1/2
        (G is None where not needed: a pinned block reads Z only)."""
        Z, G = [], []
        for i in range(n):
            h_half = zeta("0.5", k0 + cs(i), (k0, i)) - zeta("0.5", k1 + cs(i), (k1, i))
            Z.append(h_half / sqrt_n)
            if need_G:
                h_mhalf = zeta("-0.5", k0 + cs(i), (k0, i)) - zeta("-0.5", k1 + cs(i), (k1, i))
                G.append(((k1 - 1 + cs(i)) * h_half - h_mhalf) / sqrt_n)
        return _Direct(Z), (_Direct(G) if need_G else None)

    inv_sqrt_n = arb(n).rsqrt()
    moments: dict = {}  # the weight vectors' moments, shared by every block of the run (_Series.dot)

    def sums_taylor(k0, k1, J, x, need_G=True):
        """The same sums from the offset-0 sums P_s = sum_k tau_k^-s only (2 (J+2) zeta calls instead of
        4 n): (tau + i)^-1/2 = tau^-1/2 sum_{j<J} binom(-1/2, j) (i/tau)^j + R with |R| <= |binom(-1/2, J)|
        (i/tau)^J tau^-1/2 (an alternating series whose terms decrease: i/tau < 1), and
        sum_k (k1-1-k) tau_k^-s = (tau_{k1-1} P_s - P_{s-1}) / n.

        Term j enters the sums with a weight at most x^j (x = (n-1)/tau_k0 >= i/tau_k) relative to term 0, so
        its zeta values are taken at BZ.prec - j log2(1/x) bits (at least 32): a ball at fewer bits is still
        an enclosure, only wider, and its width stays below the last term's (~2^-BZ.prec relative)."""
        P = {}
        drop = -math.log2(x)
        a0 = k0 + cs(0)
        a0f = float(a0.mid())
        js = range(-1 if need_G else 0, J + 1)
        # the block's power sums sum_{k0<=k<k1} (k + c_0)^-s, s = j + 1/2, by Euler-Maclaurin with its remainder
        # bound where it converges fast (a0 not small): every such j at once (_em_power_sums, one arb_mat
        # product of exact coefficients with the end points' powers), else the Hurwitz zeta difference (arb,
        # rigorous, ~50x dearer)
        Ms = {j: (_em_terms(j, a0f, BZ.prec if j <= 0 else max(32, BZ.prec - int(j * drop))) if a0f >= 8 else None)
              for j in js}
        em_js = [j for j in js if Ms[j] is not None]
        hs = {}
        if em_js:
            with BZ.precision():
                pw = _PowTable(a0, a0 + (k1 - k0 - 1))
                hs = dict(zip(em_js, _em_power_sums(em_js, a0, k1 - k0, [Ms[j] for j in em_js], pw)))
        for j in js:
            if j not in hs:
                sj = arb(2 * j + 1) / 2
                pj = None if j <= 0 else max(32, BZ.prec - int(j * drop))
                hs[j] = (zeta(("t", j), a0, (k0, 0), s=sj, prec=pj) - zeta(("t", j), k1 + cs(0), (k1, 0), s=sj, prec=pj))
            # n^-(j+1/2) = n^-1/2 / n^j (an exact integer power: cheaper than arb's real power)
            P[j] = hs[j] * inv_sqrt_n / arb(n) ** j
        # the truncated series as polynomials in i, evaluated by arb (rigorous, one C call per offset); the
        # remainder of offset i, at most c i^J, is the polynomial's degree-J coefficient, the ball [0 +- c]
        # (as a _Series: a block's weighted sums then cost O(J) from the weight vectors' moments, not n
        # polynomial evaluations and n products each)
        bJ0 = abs(binoms[J])
        Z = _Series([binoms[j] * P[j] for j in range(J)], arb((bJ0 * P[J]).abs_upper()), n, moments)
        G = None
        if need_G:
            last = arb(t0 + (k1 - 1) * n)
            PG = {j: (last * P[j] - P[j - 1]) / n for j in range(0, J + 1)}
            G = _Series([binoms[j] * PG[j] for j in range(J)], arb((bJ0 * PG[J]).abs_upper()), n, moments)
        return Z, G

    def sums(k0, k1, need_G=True):
        x = (n - 1) / (t0 + k0 * n)
        if n <= 12 or x >= 0.5:
            return sums_direct(k0, k1, need_G)
        # terms to 2^-(zeta prec - 32) relative: the remainder term is added as a ball anyway
        J = int(math.ceil(max(BZ.prec - 32, 53) * math.log(2) / -math.log(x))) + 1
        if 2 * (J + 2) >= 4 * n:
            return sums_direct(k0, k1, need_G)
        while len(binoms) <= J:
            j = len(binoms)
            binoms.append(binoms[-1] * (arb(-1) / 2 - (j - 1)) / j)
        return sums_taylor(k0, k1, J, x, need_G)

    explicit = 0
    regimes = res.regimes
    done = t0 - 1

    moved_ever = False

    cpW = [cprime[i] * W[i] for i in range(n)]  # (c'_i W_i), as the interior loss multiplies them first
    eW_memo: dict = {}
    ex_state = {}  # the compiled explicit rounds' interval arrays (made at their first use) and last outputs

    def _explicit_compiled(first, last, x, xp, loss):
        """The explicit rounds first..last on compiled intervals (numerics.engine.dd_intervals.explicit_loop,
        the loop below statement by statement), or None (the arb loop then runs them)."""
        from . import dd_intervals as iv

        try:
            if "AW" not in ex_state:
                f = iv.from_arb
                byq = {}
                ex_state["AW"] = np.array([f(w) for w in aW], dtype=np.float64)
                for v, qv in zip(qint, qb):
                    if v not in byq:
                        byq[v] = f(qv)
                ex_state["QB"] = np.array([byq[v] for v in qint], dtype=np.float64)
                ex_state["ab"] = (f(a), f(b))
                ex_state["last"] = {}
            last_out = ex_state["last"]

            def enc(v):
                got = last_out.get(id(v))
                return got[1] if got is not None and got[0] is v else iv.from_arb(v)

            ia, ib = ex_state["ab"]
            out = iv.explicit_loop()(first, last, t0, n, enc(x), enc(xp), enc(loss), ex_state["AW"], ex_state["QB"],
                                     ia, ib)
        except Exception as exc:  # numba missing or a typing error: the arb loop runs
            res.how.append(f"compiled explicit rounds not used ({type(exc).__name__}): arb balls")
            return None
        if out[0]:
            return None  # undecided: the arb loop runs these rounds
        xs, xps, ls = (iv.to_arb(v, flint) for v in out[1:4])
        wall = out[4]
        if wall:  # the clamp certainly acted: x is the wall itself (as the arb loop's `b if y > b`)
            xs = b if wall > 0 else a
        last_out.clear()
        last_out.update({id(xs): (xs, out[1]), id(xps): (xps, out[2]), id(ls): (ls, out[3])})
        return xs, xps, ls

    def _zf(k0, k1):
        """A float estimate of Z_0 = sum_{k0<=k<k1} (t0 + k n)^-1/2 (midpoint rule; it only schedules)."""
        return 2 / n * (math.sqrt(t0 + k1 * n - n / 2) - math.sqrt(t0 + k0 * n - n / 2))

    def interior(k, k1, Z, G, x, loss, y1):
        """Periods k..k1-1 with no clamp: x_{tau_k + j} = y_k + (shifts before j), y_{k+1} = y_k + S_k."""
        loss = loss + Q * ((k1 - k) * x - alpha * G.dot(W)) - alpha * Z.dot(cpW)
        note("interior", t0 + k * n, t0 + k1 * n - 1)
        return y1, loss

    def note(kind, first, last):
        if regimes and regimes[-1][0] == kind and regimes[-1][2] == first - 1:
            regimes[-1] = (kind, regimes[-1][1], last)
        else:
            regimes.append((kind, first, last))


    while done < T:
        stop = min(s_ for s_ in stops if s_ > done)
        off = (done + 1 - t0) % n
        k = (done + 1 - t0) // n
        kmax = k + (stop - done - 1) // n  # full periods before the stop, the last round stepped explicitly
        moved = False
        k1s = min(kmax, (t_sat - t0 + 1) // n) if sat_walls is not None else 0
        if off == 0 and k1s > k:
            # saturated block (see above): periods k..k1s-1, their last round t0 + k1s n - 1 <= t_sat
            per = sum((qb[i] * sat_walls[i - 1] for i in range(1, n)), arb(0))
            loss = loss + qb[0] * x + per + (k1s - k - 1) * (qb[0] * sat_walls[n - 1] + per)
            x = sat_walls[n - 1]
            note("saturated", t0 + k * n, t0 + k1s * n - 1)
            done = t0 + k1s * n - 1  # < the next stop (k1s <= kmax): no checkpoint falls here
            moved_ever = True
            continue
        if off == 0 and kmax > k:
            tau = t0 + k * n
            eps = alpha / arb(tau).sqrt()
            early_loose = (cert.sign and cert.pin[cert.sign] is not None and cert.pin[cert.sign][3]
                           and tau < LOOSE_WAIT * t0)
            if tau >= 4 * cert.tau or ((not cert.sign or cert.pin[cert.sign] is None or early_loose)
                                       and tau >= cert.tau * 1.05):
                cert = Cert(tau)  # tighter at later rounds (the weights differ from 1 by ~ n / (2 tau))
            sign, D, rise, drop = cert.sign, cert.D, cert.rise, cert.drop
            for end, wall in ((1, b), (-1, a)):
                pin = cert.pin[end]
                if pin is None or moved:
                    continue
                at_end = x is wall or ((x.lower() >= wall.upper()) if end > 0 else (x.upper() <= wall.lower()))
                other = a if end > 0 else b
                if at_end and bool(abs(wall - other) > eps * pin[1]):
                    e, _, _, loose, Y = pin
                    k1 = kmax
                    if loose:  # the loose offsets' balls shrink like n / tau: re-certify every factor 16
                        k1 = min(kmax, max(k + 1, (16 * tau - t0) // n))
                    wide = 1e-3 * OUT_REL_WANTED * max(1.0, abs(float(loss.mid())))
                    if loose and tau < LOOSE_WAIT * t0 and sum(
                            abs(float(qb[m_].mid())) * float(Y[m_].rad()) for m_ in loose) * abs(
                            float(alpha.mid())) * _zf(k, k1) > 1.5 * wide:
                        continue  # the test below would fail by the float estimate: no Hurwitz sums spent
                    Z, _ = sums(k, k1, need_G=False)
                    loose_term = sum((qb[m] * Y[m] * alpha * Z[0] for m in loose), arb(0))
                    if loose and tau < LOOSE_WAIT * t0 and float(loose_term.rad()) > wide:
                        # an undecided argmin widens R by O(n / tau) per block: early on, step this period
                        # explicitly instead (the certificate is rebuilt at 1.05 tau and decides more offsets)
                        continue
                    x = wall
                    eW = eW_memo.get(id(e))
                    if eW is None or eW[0] is not e:  # (-alpha e_i) W_i once per certificate: the same balls
                        eW = eW_memo[id(e)] = (e, [-alpha * e[i] * W[i] for i in range(n)])
                    loss = loss + (k1 - k) * Q * wall + Z.dot(eW[1]) + loose_term
                    note("pinned at " + ("b" if end > 0 else "a"), tau, t0 + k1 * n - 1)
                    done = t0 + k1 * n - 1
                    moved = True
            if not moved and sign:
                ok_lo = bool(x - eps * drop >= a) if sign > 0 else bool(x + eps * rise <= b)
                if ok_lo:
                    # float estimate of the last period before the far wall, then certify (shrink on failure)
                    far = (b - eps * rise) if sign > 0 else (a + eps * drop)
                    gap = abs(float((far - x).mid()))
                    dm = float(abs(D).upper())  # the fastest drift the ball allows: a block that then holds is certified at once
                    # (the sum over periods exceeds the integral by up to its first term: aim below, so that the
                    # first try holds and no Hurwitz sums are spent on a block that fails)
                    s1 = math.sqrt(tau) + (gap / (float(alpha.mid()) * dm) * (1 - 1e-3) - tau ** -0.5) * n / 2
                    k1 = min(kmax, int((s1 * s1 - t0) / n))
                    while k1 - k >= MIN_BLOCK:
                        zf = _zf(k, k1)  # float estimate of Z_0: skip blocks that clearly fail (scheduling only)
                        if float(alpha.mid()) * dm * zf > gap * (1 + 1e-9) and k1 - k > MIN_BLOCK:
                            k1 = k + (k1 - k) // 2
                            continue
                        Z, G = sums(k, k1)
                        y1 = x - alpha * Z.dot(W)
                        # the starts move monotonically: the end of the block bounds them all
                        if bool(y1 + eps * rise <= b) if sign > 0 else bool(y1 - eps * drop >= a):
                            x, loss = interior(k, k1, Z, G, x, loss, y1)
                            done = t0 + k1 * n - 1
                            moved = True
                            break
                        k1 = k + (k1 - k) // 2
            if not moved and not sign:
                # no certified sign: each period moves the start by eps_k D (D the ball over every later
                # period), so over the block by at most alpha Z_0 max(D, 0) up and alpha Z_0 max(-D, 0) down;
                # if that keeps every period away from both walls, no clamp acts and the block is one shift
                up, dn = max(0.0, float(D.upper())) * (1 + 1e-12), max(0.0, float((-D).upper())) * (1 + 1e-12)
                gap = min(float((x - eps * drop - a).lower()), float((b - eps * rise - x).lower()))
                if gap > 0:
                    M = max(up, dn)
                    s1 = (math.sqrt(tau) + (gap / (float(alpha.mid()) * M) * (1 - 1e-3) - tau ** -0.5) * n / 2) \
                        if M > 0 else float("inf")
                    k1 = kmax if s1 == float("inf") else min(kmax, int((s1 * s1 - t0) / n))
                    while k1 - k >= MIN_BLOCK:
                        if M > 0 and float(alpha.mid()) * M * _zf(k, k1) > gap * (1 + 1e-9) and k1 - k > MIN_BLOCK:
                            k1 = k + (k1 - k) // 2  # clearly fails by the float estimate (scheduling only)
                            continue
                        Z, G = sums(k, k1)
                        mv = alpha * Z[0]
                        if bool(x - mv * dn - eps * drop >= a) and bool(x + mv * up + eps * rise <= b):
                            y1 = x - alpha * Z.dot(W)
                            x, loss = interior(k, k1, Z, G, x, loss, y1)
                            done = t0 + k1 * n - 1
                            moved = True
                            break
                        k1 = k + (k1 - k) // 2
        if moved:
            moved_ever = True
            continue
        # explicit: one round at a time to the end of this period (or the stop)
        last = min(stop, t0 + (k + 1) * n - 1)
        first = done + 1
        # (compiled only for stretches long enough to repay the conversions: a short one, as the few rounds of a
        # short period, stays in arb balls at full precision, ~1e-37 against the intervals' ~1e-30 per op)
        got = _explicit_compiled(first, last, x, xp, loss) if COMPILED and last - first >= EXPLICIT_COMPILED_MIN \
            else None
        if got is not None:
            x, xp, loss = got
        else:
            for t in range(first, last + 1):
                i = (t - t0) % n
                loss = loss + qb[i] * x
                xp = x
                y = x - aW[i] * arb(t).rsqrt()
                # a clamp that certainly acts gives the wall itself (x = b exactly, even for an inexact b)
                x = b if y > b else a if y < a else y.max(a).min(b)
        explicit += last - first + 1
        note("explicit", first, last)
        done = last
        if explicit > explicit_max or (explicit > 50 * n and (-Wp[n]).contains(0) and T - done > explicit_max
                                        and not moved_ever):
            if explicit <= explicit_max:  # stuck early: no block will come, say so now
                raise _Unknown(f"the per-period drift's enclosure {(-Wp[n]).str(6)} contains 0 and the iterate is "
                               f"not clear of the walls: no interior or pinned block is certified, and the "
                               f"{T - done} rounds left exceed the explicit budget of {explicit_max}")
            # say why no block applies: a period whose unclamped path spans more than the box (in box widths
            # at this round, from the limit pattern's midpoints: a diagnosis, not a certificate) reaches both
            # walls within one period, which no pinned (one wall) or interior (no wall) block covers, and the
            # saturated block needs every single shift that wide
            unit = float((alpha * arb(done).rsqrt()).mid()) / float((b - a).mid())
            span = (max(wpf) - min(wpf)) * unit
            widest = max(abs(float(w.mid())) for w in W) * unit
            why_wide = (f"; at round {done} one period's unclamped path spans {span:.3g} box widths (its widest "
                        f"shift {widest:.3g}): the iterate reaches both walls within a period, which no pinned "
                        f"(one wall) or interior (no wall) block covers, and a saturated block needs every shift "
                        f"at least one width" if span >= 1 else "")
            raise _Unknown(f"more than {explicit_max} late rounds had to be stepped one by one (no interior or "
                           f"pinned block certified; drift D = {cert.D.str(6)} at round {cert.tau}){why_wide}")
        if done in stops:
            cps.append((done, x, regret_at(done, loss)))
    finish(f"{explicit} late rounds stepped explicitly in balls; the rest in certified blocks", (x, xp, loss))
