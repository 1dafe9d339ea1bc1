"""The named problem families of the paper and its follow-ups, with their prescribed hyper-parameters.

Each family builds a generic :mod:`numerics.problems` problem on F = [-1, 1] and carries the
hyper-parameters that its theorem prescribes.  Those are *defaults*: a user may override any of them,
and every output records the values that actually ran (see :func:`resolve`).

CLI name              problem                                                  prescribed defaults
periodic (C, n)       g_t = C when t mod n = 1, else -1                         -
thm1 (C)              periodic with n = 3                                       beta1=0, beta2=1/(1+C^2),
                                                                                alpha=1/2 (< sqrt(1-beta2),
                                                                                RECONSTRUCTED cond.), x1=1
thm2 (C)              periodic with n = C (C even)                              x1=1, alpha=1
thm3 (C, delta)       i.i.d. g_t = C w.p. p=(1+delta)/(C+1), else -1            x1=0 (the proof: no
                                                                                projection; here F=[-1,1])
thm6 (C, eps)         periodic with n = 3, Adam with eps (eq. 3)                 beta1=0, eps=1,
                                                                                beta2=(1-eps+2eps/C^2)/(1+C^2)
                                                                                (=2/((1+C^2)C^2) at eps=1;
                                                                                T6-3, RECONSTRUCTED), x1=1
section5-online       g_t = 1010 when t mod 101 = 1, else -10                    beta1=0.9, beta2=0.99, x1=0
section5-stochastic   g_t = 1010 w.p. 0.01, else -10 (seeded)                    beta1=0.9, beta2=0.99, x1=0
pp-example-3.2        the section5-online sequence, Phuong & Phong Ex. 3.2       beta1=0.9, lambda=0.001
                                                                                (beta1_t=beta1 lambda^(t-1)),
                                                                                beta2=0.999, alpha=0.001, x1=1

spike                 g_1 = 1, then g_t = 0 (the conformance suite)              beta1=0.9, beta2=0.999,
                                                                                alpha=1/10, x1=0

The step size and start of the Section 5 experiments are not stated in the paper: alpha = 1/2 with
alpha_t = alpha/sqrt(t) and x1 = 0 are the toolkit's choice (see docs/paper.md, Section 5).

A family carries its prescribed hyper-parameters, so use it through :meth:`Family.method` and
:meth:`Family.run`, which apply them::

    fam = build("thm1")
    res = fam.run("adam", 10**4)          # beta1 = 0, beta2 = 1/10, alpha = 1/2, x1 = 1
    fam.method("adam", alpha="1/4")       # the prescribed values, one of them overridden

The bare gradient sequence is :attr:`Family.sequence`.  ``Family.problem`` raises an error that says so:
``run(make("adam"), fam.problem, T)`` would silently run the library defaults instead of the theorem's
beta1, beta2 and start, and reach the opposite conclusion.

Example: Theorem 1's family at C = 3 prescribes beta1 = 0, beta2 = 1/(1+C^2) and the start x_1 = 1:

    >>> from analysis.families import build
    >>> fam = build("thm1", C=3)
    >>> fam.sequence.pattern, fam.hyper()
    ([Fraction(3, 1), -1, -1], {'beta1': Fraction(0, 1), 'beta2': Fraction(1, 10), 'alpha': Fraction(1, 2), 'x1': 1})
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from numerics.problems import Bernoulli, LinearProblem, Periodic
from numerics.schedules import FIRST_ROUND

from .conditions import SECTION5, thm1_beta2, thm3_p, thm6_beta2, thm6_eps_max

FAMILIES = ("periodic", "thm1", "thm2", "thm3", "thm6", "section5-online", "section5-stochastic",
            "pp-example-3.2", "spike")
# the keys of Family.defaults that are not optimizer hyper-parameters
_START = ("x1",)


class FamilyError(ValueError):
    """Bad family parameter: message names the argument and its allowed range."""


@dataclass
class Spike(LinearProblem):
    """g_1 = value, g_t = 0 for t >= 2 (d = 1).  It separates the AMSGrad variants: PyTorch's effective
    denominator sqrt(max v / (1 - beta2^t)) shrinks after the spike, the paper's and optax's do not."""

    value: Fraction = Fraction(1)

    @property
    def d(self) -> int:
        return 1

    def gradients(self, B, T, scalar):
        big = B.num(self.value) if scalar else B.num([self.value])
        zero = B.num(0) if scalar else B.num([0])
        for t in range(FIRST_ROUND, T + FIRST_ROUND):
            yield big if t == FIRST_ROUND else zero


@dataclass
class Family:
    """A named problem of the paper with the hyper-parameters its theorem prescribes.

    ``sequence`` is the bare gradient sequence; ``defaults`` the prescribed values (exact rationals,
    plus the start ``x1``).  :meth:`method` and :meth:`run` apply them; an override replaces one."""

    name: str
    sequence: LinearProblem
    defaults: dict = field(default_factory=dict)  # hyper-parameters prescribed by the theorem
    note: str = ""

    def __post_init__(self):
        # the bare sequence remembers what its theorem prescribes, so that numerics.run on it records
        # (and warns about) a departure: numerics.run.prescription
        self.sequence.prescribed = {"family": self.name, "hyper": dict(self.defaults)}

    @property
    def problem(self):
        raise AttributeError(
            f"Family {self.name!r} has no .problem: running its bare sequence drops the prescribed "
            f"{', '.join(f'{k}={v}' for k, v in self.defaults.items()) or 'hyper-parameters'}. Use "
            f".run(name, T) or .method(name) with .x1, or .sequence if you really want the bare sequence")

    def hyper(self, **overrides) -> dict:
        """The hyper-parameters that run: the prescribed ones, then the non-None ``overrides``."""
        return resolve(self, overrides)

    @property
    def x1(self):
        """The prescribed start (0 when the family prescribes none)."""
        return self.defaults.get("x1", 0)

    def method(self, name: str, **overrides):
        """``numerics.make(name, ...)`` with the family's prescribed hyper-parameters (and overrides)."""
        from numerics import make
        from numerics.optimizers import accepted

        # a prescribed value the method does not have (beta1 for SGD) does not apply to it; an override
        # it does not take is the caller's error (make raises TypeError naming it)
        given, takes = {k for k, v in overrides.items() if v is not None}, accepted(name)
        h = self.hyper(**overrides)
        return make(name, **{k: v for k, v in h.items() if k not in _START and (k in takes or k in given)})

    def run(self, name: str, T: int, *, backend=None, checkpoints=None, **overrides):
        """``numerics.run`` of :meth:`method` on the sequence from the prescribed start."""
        from numerics import run

        x1 = self.hyper(**overrides).get("x1", 0)
        return run(self.method(name, **overrides), self.sequence, T, x1=x1, backend=backend,
                   checkpoints=checkpoints, prescribed="record")


def periodic_problem(C, n: int, name: str = "periodic", big=None, small=-1) -> Periodic:
    """g_t = C (or ``big``) at phase 0 (t mod n = 1), else ``small``; F = [-1, 1]."""
    big = C if big is None else big
    return Periodic(pattern=[big] + [small] * (n - 1), name=name,
                    params={"C": str(Fraction(C)), "n": int(n)})


def _frac(name, value, default):
    v = default if value is None else value
    try:
        return Fraction(str(v))
    except (ValueError, ZeroDivisionError) as exc:
        raise FamilyError(f"--{name}: expected a number, got {v!r}") from exc


# the family parameters each problem takes (eps is also a hyper-parameter of every Adam run)
PARAMETERS = {"periodic": ("C", "n"), "thm1": ("C",), "thm2": ("C",), "thm3": ("C", "delta", "p"),
              "thm6": ("C", "eps"), "section5-online": (), "section5-stochastic": ("p",),
              "pp-example-3.2": (), "spike": ()}


S5 = SECTION5


def build(name: str, C=None, n=None, delta=None, eps=None, p=None, seed: int = 0) -> Family:
    """The family ``name`` with its parameters (None = the family's default).

    A parameter the family does not take is an error, not silently ignored."""
    given = {"C": C, "n": n, "delta": delta, "p": p}
    for arg, value in given.items():
        if value is not None and name in PARAMETERS and arg not in PARAMETERS[name]:
            takes = ", ".join(f"--{a}" for a in PARAMETERS[name]) or "none"
            raise FamilyError(f"--{arg} does not apply to --problem {name} (its parameters: {takes})")
    if name == "periodic":
        Cq = _frac("C", C, 3)
        nn = int(n if n is not None else 3)
        if nn < 2:
            raise FamilyError(f"--n must be an integer >= 2 (got {nn})")
        return Family(name, periodic_problem(Cq, nn, name))
    if name == "thm1":
        Cq = _frac("C", C, 3)
        if Cq <= 2:
            raise FamilyError(f"--C must be > 2 for Theorem 1 (got {Cq})")
        return Family(name, periodic_problem(Cq, 3, name),
                      dict(beta1=Fraction(0), beta2=thm1_beta2(Cq), alpha=Fraction(1, 2), x1=1),
                      "alpha < sqrt(1-beta2) is the RECONSTRUCTED step condition of A2")
    if name == "thm2":
        Cq = _frac("C", C, 20)
        if Cq.denominator != 1 or Cq < 2 or Cq % 2:
            raise FamilyError(f"--C must be an even integer >= 2 for Theorem 2 (got {Cq})")
        return Family(name, periodic_problem(Cq, int(Cq), name), dict(alpha=Fraction(1), x1=1),
                      "conditions (c1)-(c3) on C are RECONSTRUCTED")
    if name == "thm3":
        Cq = _frac("C", C, 100)
        dq = _frac("delta", delta, Fraction(1, 10))
        if Cq <= 1:
            raise FamilyError(f"--C must be > 1 for Theorem 3 (got {Cq})")
        if dq <= 0 or dq >= Cq:
            raise FamilyError(f"--delta must be in (0, C) for Theorem 3 (got {dq})")
        if p is not None and delta is not None:
            raise FamilyError("--p and --delta are exclusive for thm3 (p = (1+delta)/(C+1))")
        prob = thm3_p(Cq, dq) if p is None else _frac("p", p, None)
        if not 0 < prob < 1:
            raise FamilyError(f"--p must be in (0, 1) (got {prob})")
        dq = prob * (Cq + 1) - 1  # the delta that runs, also when --p is given
        pr = Bernoulli(p=prob, high=Cq, low=-1, seed=seed, name=name,
                       params={"C": str(Cq), "delta": str(dq), "p": str(prob), "seed": seed})
        return Family(name, pr, dict(x1=0), "the paper's proof runs without projection; here F=[-1,1]")
    if name == "thm6":
        Cq = _frac("C", C, 3)
        eq = _frac("eps", eps, 1)
        if Cq <= 2:
            raise FamilyError(f"--C must be > 2 for Theorem 6 (got {Cq})")
        if eq <= 0:
            raise FamilyError(f"--eps must be > 0 for Theorem 6 (got {eq})")
        b2 = thm6_beta2(Cq, eq)
        if b2 <= 0:
            raise FamilyError(f"--eps must be < C^2/(C^2-2) = {thm6_eps_max(Cq)} for the T6-3 beta2 "
                              f"(got {eq}); scale the losses instead")
        return Family(name, periodic_problem(Cq, 3, name),
                      dict(beta1=Fraction(0), beta2=b2, eps=eq, alpha=Fraction(1, 2), x1=1),
                      "beta2 = (1-eps+2eps/C^2)/(1+C^2) is the RECONSTRUCTED T6-3 choice")
    if name == "section5-online":
        return Family(name, periodic_problem(S5.big, S5.period, name, big=S5.big, small=S5.small),
                      dict(beta1=S5.beta1, beta2=S5.beta2, alpha=Fraction(1, 2), x1=0),
                      "step size and start are not stated in the paper (docs/paper.md, Section 5)")
    if name == "section5-stochastic":
        prob = S5.p if p is None else _frac("p", p, None)
        if not 0 < prob < 1:
            raise FamilyError(f"--p must be in (0, 1) (got {prob})")
        pr = Bernoulli(p=prob, high=S5.big, low=S5.small, seed=seed, name=name,
                       params={"p": str(prob), "seed": seed})
        return Family(name, pr, dict(beta1=S5.beta1, beta2=S5.beta2, alpha=Fraction(1, 2), x1=0))
    if name == "pp-example-3.2":
        return Family(name, periodic_problem(S5.big, S5.period, name, big=S5.big, small=S5.small),
                      dict(beta1=S5.beta1, beta1_schedule="geometric", lam=Fraction(1, 1000),
                           beta2=Fraction(999, 1000), alpha=Fraction(1, 1000), x1=1),
                      "Phuong & Phong (2019) Example 3.2")
    if name == "spike":
        return Family(name, Spike(name="spike", params={"g1": "1", "then": "0"}),
                      dict(alpha=Fraction(1, 10), beta1=Fraction(9, 10), beta2=Fraction(999, 1000), x1=0),
                      "separates the AMSGrad variants (docs/paper.md, the spike); its regret is bounded")
    raise FamilyError(f"--problem: unknown problem {name!r}; choose one of {', '.join(FAMILIES)}")


def resolve(family: Family, overrides: dict) -> dict:
    """Hyper-parameters that run: the family's prescribed defaults, then the user's overrides."""
    out = dict(family.defaults)
    out.update({k: v for k, v in overrides.items() if v is not None})
    return out
