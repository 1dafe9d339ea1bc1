"""The compiled double-double intervals of the fast-forward's exact phase (numerics.engine.dd_intervals).

Reference: python-flint arb at 320 bits, evaluated at points of the input intervals (both ends, the centre
and random interior points, each an exact 320-bit number): every such value must lie in the compiled
operation's interval.  An operation built without its outward rounding (``build_ops(broken=...)``) must fail
the same test, and the compiled exact loop's intervals must contain the arb ball loop's balls (128 bits,
radii ~1e-35, far tighter than the intervals) for every compiled rule with a limit form.
"""
from __future__ import annotations

import math
import random
from fractions import Fraction

import flint
import pytest

from analysis.families import build
from counterexamples.zoo.methods import ROWS
from numerics.backends import ArbBackend
from numerics.engine import fastforward as FF
from numerics.engine import dd_intervals as IV
from numerics.engine import simulate

PREC = 320


def exact(v):
    """The interval's ends and centre as exact arb numbers (320 bits hold h + l +- r for our inputs)."""
    h, l, r = v
    with _prec():
        c = flint.arb(h) + flint.arb(l)
        return c - flint.arb(r), c, c + flint.arb(r)


class _prec:
    def __enter__(self):
        self.old = flint.ctx.prec
        flint.ctx.prec = PREC

    def __exit__(self, *a):
        flint.ctx.prec = self.old


def points(v, rng):
    lo, c, hi = exact(v)
    with _prec():
        inner = [c + (hi - c) * flint.arb(rng.uniform(-1, 1)) for _ in range(2)]
    return [lo, c, hi] + inner


def holds(out, value) -> bool:
    """value (a 320-bit ball of radius ~0) lies in the interval out."""
    h, l, r = out
    if not all(math.isfinite(x) for x in out):
        return True  # NaN: the op declined (the caller hands the round to arb) - never a wrong interval
    with _prec():
        c = flint.arb(h) + flint.arb(l)
        return bool(abs(value - c) <= flint.arb(r))


def dd(x: float, rng, rel_r: float = 0.0):
    """A normalised double-double near x with a random low word and radius rel_r |x|."""
    h = float(x)
    l = rng.uniform(-0.5, 0.5) * math.ulp(h) if h else 0.0
    h, l = h + l, l - ((h + l) - h)  # normalise (fast two-sum)
    return (h, l, abs(h) * rel_r)


def random_cases(rng, k=60):
    out = []
    for _ in range(k):
        ea, eb = rng.randint(-40, 40), rng.randint(-40, 40)
        ra, rb = rng.choice([0.0, 0.0, 1e-30, 1e-20, 1e-8, 1e-2]), rng.choice([0.0, 1e-30, 1e-20, 1e-8])
        a = dd(rng.uniform(-1, 1) * 2.0 ** ea, rng, ra)
        b = dd(rng.uniform(-1, 1) * 2.0 ** eb, rng, rb)
        out.append((a, b))
    return out


def adversarial_cases(rng):
    third = (1 / 3, float(Fraction(1, 3) - Fraction(1 / 3)), 0.0)  # 1/3 to ~106 bits
    out = [
        ((1.0, 0.0, 0.0), (3.0, 0.0, 0.0)),  # 1/3, 1*3: inexact quotient of exact points
        (third, (-1 / 3, 0.0, 0.0)),  # near-total cancellation in the sum
        ((2.0, 0.0, 0.0), (2.0, 0.0, 0.0)),  # sqrt(2), equal centres for max
        ((1.0, 2.0 ** -60, 0.0), (1.0, -2.0 ** -60, 0.0)),  # centres that differ in the low word only
        ((1.0, 0.0, 1e-30), (1.0 + 2.0 ** -52, 0.0, 1e-30)),  # overlapping intervals (max, min)
        ((0.5, 0.0, 0.4999), (1e-3, 0.0, 0.999e-3)),  # a divisor whose interval nearly reaches 0
        ((1e250, 0.0, 1e230), (1e-250, 0.0, 0.0)),  # large and tiny magnitudes (BIG is 2^900)
        ((3.0, 1e-17, 0.0), (7.0, -2e-16, 1e-33)),
        ((0.1, 0.0, 0.0), (0.7, 0.0, 0.0)),  # decimal constants: inexact products
        ((1e-300, 0.0, 1e-310), (1e-8, 0.0, 0.0)),  # near the subnormal range
        ((0.99, 0.0, 0.0), (1010.0 * 1010.0 * 0.01, 0.0, 0.0)),  # Section 5's beta2 v + (1 - beta2) g^2
    ]
    return out


BINARY = {"i_add": lambda x, y: x + y, "i_sub": lambda x, y: x - y, "i_mul": lambda x, y: x * y,
          "i_div": lambda x, y: x / y, "i_max": lambda x, y: x.max(y), "i_min": lambda x, y: x.min(y)}


def violations(ops, cases, rng) -> list:
    """(op, a, b) for every value of an op at points of its inputs that its interval misses."""
    bad = []
    for a, b in cases:
        pa, pb = points(a, rng), points(b, rng)
        for name, f in BINARY.items():
            out = ops[name](a, b)
            for x in pa:
                for y in pb:
                    if name == "i_div" and y.contains(0):
                        continue
                    with _prec():
                        v = f(x, y)
                    if not holds(out, v):
                        bad.append((name, a, b))
        for v_, pv in ((a, pa), (b, pb)):
            out = ops["i_sqrt"](v_)
            for x in pv:
                if x < 0:
                    continue
                with _prec():
                    s = x.sqrt()
                if not holds(out, s):
                    bad.append(("i_sqrt", v_, None))
            out = ops["i_neg"](v_)
            with _prec():  # (arb's negation rounds to the context's precision)
                negs = [-x for x in pv]
            if not all(holds(out, y) for y in negs):
                bad.append(("i_neg", v_, None))
        if ops["i_gt"](a, b):  # "certainly a > b" must hold at every pair of points
            if not all(x > y for x in pa for y in pb):
                bad.append(("i_gt", a, b))
    for t in (1, 3, 4747, 10 ** 9, 2 ** 53 - 1, 2 ** 53 + 1, 10 ** 17 + 3):
        with _prec():
            if not holds(ops["i_int"](t), flint.arb(t)):
                bad.append(("i_int", t, None))
    return bad


def test_each_operation_contains_the_high_precision_values():
    rng = random.Random(20261207)  # seed explicit (printed on failure by pytest's repr of the cases)
    ops = IV.OPS()
    cases = random_cases(rng) + adversarial_cases(rng)
    assert violations(ops, cases, rng) == []


def test_undecided_operations_decline():
    ops = IV.OPS()
    assert math.isnan(ops["i_div"]((1.0, 0.0, 0.0), (1e-3, 0.0, 2e-3))[0])  # divisor holds 0
    assert math.isnan(ops["i_sqrt"]((1e-3, 0.0, 2e-3))[0])  # root of an interval reaching below 0
    assert ops["i_sqrt"]((0.0, 0.0, 0.0)) == (0.0, 0.0, 0.0)
    assert math.isnan(ops["i_mul"]((2.0 ** 800, 0.0, 0.0), (2.0 ** 800, 0.0, 0.0))[0])  # past BIG
    assert math.isnan(ops["i_max"]((math.nan, 0.0, 0.0), (1.0, 0.0, 0.0))[0])  # NaN propagates through max
    assert ops["i_is_zero"]((0.0, 0.0, 0.0)) and not ops["i_is_zero"]((0.0, 0.0, 1e-300))


@pytest.mark.parametrize("op", ["add", "mul", "div", "sqrt"])
def test_an_operation_without_outward_rounding_is_caught(op):
    """The same containment test fails when one operation drops its error term and radius push."""
    rng = random.Random(7)
    broken = IV.build_ops(broken=op)
    cases = random_cases(rng, 20) + adversarial_cases(rng)
    bad = violations(broken, cases, rng)
    assert bad, f"a {op} without outward rounding went unnoticed"
    assert {b[0] for b in bad} & {f"i_{op}", "i_sub" if op == "add" else f"i_{op}"}


def test_from_arb_and_to_arb_enclose():
    with _prec():
        for v in (flint.arb(1) / 3, flint.arb(2).sqrt() * 10 ** 20, flint.arb("1e-200", "1e-230"), flint.arb(0),
                  -flint.arb(7) / 9):
            iv = IV.from_arb(v)
            assert holds(iv, v.mid()) and IV.to_arb(iv).contains(v)


# ---- the compiled exact loop against the arb ball loop ---------------------------------------------------
def _compiled_cases():
    return [(p, row.key) for p in ("thm1", "section5-online") for row in ROWS if row.limit is not None]


def _method(row_key, fam):
    row = next(r for r in ROWS if r.key == row_key)
    d = fam.hyper()
    return row.definition(d.get("alpha", Fraction(1, 2)), str(d.get("beta1", Fraction(9, 10))),
                          str(d.get("beta2", Fraction(99, 100))))


def _scalar_arb(B):
    """The arb loop's scalar backend, with the zoo helpers the compiled rules read."""
    from numerics.engine.arb import ScalarArb

    S = ScalarArb(B)
    for name in ("sign", "clip", "minimum", "mean_last", "sum_last"):
        if not hasattr(S, name):
            setattr(S, name, getattr(B, name))
    return S


@pytest.mark.parametrize("problem,key", _compiled_cases())
def test_compiled_loop_contains_the_arb_loop(problem, key):
    """Rounds 1..T of the compiled loop (where the rule compiles) hold the arb loop's x and loss."""
    fam = build(problem)
    meth = _method(key, fam)
    T = 1500
    ok, _ = FF.fast_forward_applies(meth, fam.sequence, T, fam.x1)
    if not ok:
        pytest.skip("the fast path does not apply")
    B = ArbBackend(128)
    S = _scalar_arb(B)
    with B.precision():
        h = meth.rule.Hyper(**{k: B.num(v) for k, v in meth.numbers.items()})
        pat = [fam.sequence.row(t)[0] for t in range(1, fam.sequence.n + 1)]
        gballs = [B.num(p) for p in pat]
        init, _ = meth.rule.make(S)
        x = B.num(fam.x1)
        state = init(x)
        res = FF.FastForwardResult("unknown", T)
        comp = FF._compiled_exact(meth, S, h, gballs, state, res, pat)
        if comp is None:
            assert any("not used" in s for s in res.how)
            pytest.skip(res.how[-1])
        ran, got = FF._run_compiled(comp, fam.sequence.n, 1, T, x, x, flint.arb(0), state,
                                    B.num(fam.sequence.lo), B.num(fam.sequence.hi))
    ref = simulate(meth, fam.sequence, T, x1=fam.x1, backend=B, checkpoints=[])
    if not ran:
        pytest.skip(f"undecided: {got}")
    xT, xpT, loss, _ = got
    assert xT.contains(ref.x_T.mid()) and xT.overlaps(ref.x_T)
    assert xpT.contains(ref.x_played.mid())
    Sg = sum(pat, Fraction(0)) * (T // len(pat)) + sum(pat[: T % len(pat)], Fraction(0))
    regret = loss - B.num(min(fam.sequence.lo * Sg, fam.sequence.hi * Sg))
    assert regret.contains(ref.regret.mid())
    assert float(xT.rad()) < 1e-20  # and tight: the box wants ~1e-20 relative at T = 1e9


@pytest.mark.parametrize("name", ["adam", "amsgrad"])
def test_adam_and_amsgrad_compile(name):
    """Section 5's targets run the compiled exact phase (not the arb fallback), with the same answer."""
    fam = build("section5-online")
    r = FF.fast_forward(fam.method(name), fam.sequence, 10 ** 6, x1=fam.x1)
    assert r.certified and not any("compiled" in s for s in r.how)  # no fallback note
    assert r.versions["exact_phase"].startswith("compiled double-double intervals")
    FF.COMPILED = False
    try:
        r0 = FF.fast_forward(fam.method(name), fam.sequence, 10 ** 6, x1=fam.x1)
    finally:
        FF.COMPILED = True
    for f in ("x_T", "regret"):
        assert getattr(r, f).overlaps(getattr(r0, f))


def test_an_undecided_round_falls_back_to_arb(monkeypatch):
    """A compiled run that cannot decide hands the rounds to the arb loop and says so; the answer stands."""
    fam = build("thm1")
    meth = fam.method("adam")
    ref = FF.fast_forward(meth, fam.sequence, 10 ** 5, x1=fam.x1)
    monkeypatch.setattr(FF, "_run_compiled", lambda *a: (False, "a divisor holds 0"))
    r = FF.fast_forward(meth, fam.sequence, 10 ** 5, x1=fam.x1)
    assert r.certified and any("undecided" in s and "arb ball loop" in s for s in r.how)
    assert r.versions["exact_phase"].startswith("arb balls")
    assert r.x_T.overlaps(ref.x_T) and r.regret.overlaps(ref.regret)
    # the real path declines a state whose v reaches below 0 (sqrt undecided) instead of guessing
    B = ArbBackend(128)
    from numerics.engine.arb import ScalarArb

    with B.precision():
        S = ScalarArb(B)
        h = meth.rule.Hyper(**{k: B.num(v) for k, v in meth.numbers.items()})
        pat = [fam.sequence.row(t)[0] for t in range(1, fam.sequence.n + 1)]
        init, _ = meth.rule.make(S)
        st = init(B.num(1))
        st = type(st)(*[flint.arb(0, 1000) for _ in st])  # v in [-1000, 1000]
        comp = FF._compiled_exact(meth, S, h, [B.num(p) for p in pat], st, FF.FastForwardResult("unknown", 9), pat)
        monkeypatch.undo()
        ran, why = FF._run_compiled(comp, 3, 1, 5, B.num(1), B.num(1), flint.arb(0), st, B.num(-1), B.num(1))
    assert not ran and "not decided" in why


def test_i_gt_decides_clear_cases():
    ops = IV.OPS()
    assert ops["i_gt"]((2.0, 0.0, 0.5), (1.0, 0.0, 0.25)) and not ops["i_gt"]((2.0, 0.0, 0.5), (1.0, 0.0, 0.5))
    assert not ops["i_gt"]((1.0, 2.0 ** -70, 0.0), (1.0, 0.0, 2.0 ** -70))


# ---- the late phase's block power sums (Euler-Maclaurin with its remainder bound) ------------------------
EM_CASES = [(j, a, N) for j in (-1, 0, 1, 5, 13) for a, N in ((47.25, 1251), (20.5, 7), (1000.125, 10 ** 6),
                                                              (47.0, 1), (12.0, 10 ** 9))]


def _em_and_zeta(j, a0, N, M):
    """(the Euler-Maclaurin sum with M terms at 96 bits, zeta(s, a0) - zeta(s, a0 + N) at 256 bits), s = j + 1/2."""
    with _prec():
        s = flint.arb(2 * j + 1) / 2
        ref = s.zeta(flint.arb(a0)) - s.zeta(flint.arb(a0) + N)
    old = flint.ctx.prec
    flint.ctx.prec = 96
    try:
        return FF._em_power_sum(j, flint.arb(a0), N, M), ref
    finally:
        flint.ctx.prec = old


def test_em_power_sums_contain_the_hurwitz_zeta_differences():
    """sum_{m<N} (a+m)^-(j+1/2) by Euler-Maclaurin (96 bits) against zeta(s, a) - zeta(s, a + N) at 256 bits."""
    for j, a0, N in EM_CASES:
        M = FF._em_terms(j, a0, 96)
        if M is None:  # too slow to converge at this a: the run takes arb's Hurwitz zeta instead
            assert a0 < 20
            continue
        em, ref = _em_and_zeta(j, a0, N, M)
        assert em.contains(ref.mid()), (j, a0, N, M, em, ref)
        assert float(em.rad()) < 1e-20 * abs(float(em.mid()))  # and tight


def test_em_without_its_remainder_bound_is_caught(monkeypatch):
    """Too few terms with the remainder dropped (EM_REMAINDER_SCALE = 0): the same check fails."""
    monkeypatch.setattr(FF, "EM_REMAINDER_SCALE", 0)
    missed = 0
    for j, a0, N in EM_CASES:
        em, ref = _em_and_zeta(j, a0, N, 2)
        missed += not em.contains(ref.mid())
    assert missed >= len(EM_CASES) // 2


@pytest.mark.parametrize("problem,name", [("section5-online", "adam"), ("section5-online", "amsgrad"),
                                          ("thm1", "adam")])
def test_compiled_and_arb_late_rounds_agree(problem, name):
    """The whole run with the compiled loops (exact phase, explicit late rounds) and without: the same
    regimes, overlapping balls, and both hold a 128-bit arb loop's values at 10^4."""
    fam = build(problem)
    meth = fam.method(name)
    T = 10 ** 4
    ref = simulate(meth, fam.sequence, T, x1=fam.x1, backend=ArbBackend(128), checkpoints=[])
    r = FF.fast_forward(meth, fam.sequence, T, x1=fam.x1)
    FF.COMPILED = False
    try:
        r0 = FF.fast_forward(meth, fam.sequence, T, x1=fam.x1)
    finally:
        FF.COMPILED = True
    assert r.certified and r0.certified
    assert [g[0] for g in r.regimes] == [g[0] for g in r0.regimes]
    for f in ("x_T", "x_played", "regret"):
        assert getattr(r, f).overlaps(getattr(r0, f))
        assert getattr(r, f).contains(getattr(ref, f).mid()), (f, getattr(r, f), getattr(ref, f))


# the rules whose exact phase runs on the compiled intervals (docs/numerics.md names them); the loop test above
# skips a rule that does not compile, so without this list a rule that stopped compiling would only skip
COMPILED_KEYS = {"sgd", "rmsprop", "adam", "amsgrad", "adamx", "adamax", "adabelief", "adadelta"}


def test_the_rules_that_compile_are_the_documented_ones():
    fam = build("thm1")
    B = ArbBackend(128)
    S = _scalar_arb(B)
    compiled, why = set(), {}
    for row in ROWS:
        if row.limit is None:
            continue
        try:
            with B.precision():
                IV.compiled_exact_loop(_method(row.key, fam), S)
            compiled.add(row.key)
        except IV.NotCompilable as exc:
            why[row.key] = str(exc)
    assert compiled == COMPILED_KEYS, (sorted(compiled ^ COMPILED_KEYS), why)
