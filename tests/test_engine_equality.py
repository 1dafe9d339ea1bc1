"""The fused engine equals the reference definitions (numerics.run on float64) to 1e-12.

Random problems and hyper-parameters (seeds fixed and shown in the test ids); every method and
variant the engine covers; serial (N < 64) and parallel (N >= 64) kernels; fast and generic paths.
Expected values come from ``numerics.run`` (the reference definition, an independent code path:
Python floats through ``numerics.optimizers``), and in one test from exact rational arithmetic.
"""
from __future__ import annotations

import zlib
from fractions import Fraction

import numpy as np
import pytest

from numerics import Bernoulli, Explicit, Periodic, engine, make, run
from numerics.optimizers import applicable
from numerics.schedules import BETA1_SCHEDULES, STEP_SCHEDULES

from _engine_kw import KINDS, PAIRS, run_batch, switches

TOL = 1e-12


def close(a, b, tol=TOL):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(np.abs(a - b) <= tol * np.maximum(1.0, np.abs(b))))


def _hyper(rng, method, variant):
    """Random hyper-parameters in the ranges the paper's methods are used with."""
    b1 = float(rng.choice([0.0, rng.uniform(0, 0.99)]))
    b2 = float(rng.uniform(0.5, 0.9999))
    h = dict(alpha=float(rng.uniform(0.01, 2)), beta1=b1, beta2=b2,
             schedule=str(rng.choice(["sqrt", "constant"])))
    if method in ("adam", "amsgrad", "rmsprop", "adagrad"):
        h["eps"] = float(rng.choice([0.0, 1e-8, rng.uniform(0, 2)]))
    if method in ("adam", "amsgrad", "rmsprop"):
        h["variant"] = variant
    if method in ("amsgrad", "adamx"):
        h["beta1_schedule"] = str(rng.choice(["constant", "geometric", "harmonic"]))
        h["lam"] = float(rng.uniform(0.001, 0.999))
    if method == "adam" and variant == "optax":
        h["eps_root"] = float(rng.choice([0.0, 1e-6]))
    return h


def _batch_kwargs(h, method):
    kw = dict(alpha=h["alpha"], beta1=h["beta1"], beta2=h["beta2"], schedule=h["schedule"],
              eps=h.get("eps", 0.0), variant=h.get("variant", "paper"),
              beta1_schedule=h.get("beta1_schedule", "constant"), lam=h.get("lam"),
              eps_root=h.get("eps_root", 0.0))
    return kw


CASES = PAIRS  # (method, variant): every method and variant the engine's equality is checked for


# the (method, variant) pairs of the fast lane: every method, and every variant once (Adam and AMSGrad share them)
FAST_PAIRS = {("sgd", "paper"), ("adagrad", "paper"), ("rmsprop", "paper"), ("adamnc", "paper"),
              ("adamx", "paper"), ("adam", "paper"), ("adam", "pytorch"), ("amsgrad", "optax"),
              ("amsgrad", "keras")}


def _equality_cases():
    """(N, kind, method, variant) for every case.  A kernel is compiled per rule key (method and switches),
    driver and gradient source (1-2 CPU-s serial, about 4 parallel, on an empty kernel cache); the switches
    come from (method, variant, kind) alone (_engine_kw.switches), so the N = 70 case's serial driver (its
    read-out rounds) is the N = 3 case's and RMSProp shares Adam's (paper) kernels: 36 serial and at most
    39 parallel compiles for the 78 cases (the parallel key also says which numbers all lanes share).
    N = 70 takes the parallel driver: slow.  Of the serial cases the fast lane keeps one gradient source per
    pair of FAST_PAIRS, in turn, so that every method, every variant and every source runs there; the others
    are slow (still in the suite).  The fast lane keeps the parallel driver through
    test_zoo_rules_compiled_equal_reference (AdaBelief)."""
    out = []
    for N in (3, 70):
        for kind in KINDS:
            for k, (method, variant) in enumerate(CASES):
                fast = N == 3 and KINDS[k % len(KINDS)] == kind and (method, variant) in FAST_PAIRS
                out.append(pytest.param(method, variant, kind, N, id=f"{N}-{kind}-{method}-{variant}",
                                        marks=() if fast else pytest.mark.slow))
    return out


def _draw(method, variant, kind, N):
    """The case's seed, generator, horizon and its two hyper-parameter sets (switches set, see switches)."""
    seed = zlib.crc32(f"{method}-{variant}-{kind}-{N}".encode())  # stable across processes
    rng = np.random.default_rng(seed)
    T = int(rng.integers(150, 400))
    hs = [_hyper(rng, method, variant) for _ in range(2)]  # two hyper-parameter sets, alternating
    # schedules are switches of the rule (one per batch, part of the kernel's key): both sets take the case's
    # enumerated ones (switches), the same for N = 3 and N = 70 and for the other engine test files, so each
    # kernel compiles once per run; the draws above still happen, so every number is the one drawn before
    for h in hs:
        h.update((k, v) for k, v in switches(method, variant, kind).items() if k in h)
    return seed, rng, T, hs


@pytest.mark.parametrize("method,variant,kind,N", _equality_cases())
def test_run_batch_equals_reference(method, variant, kind, N):
    """Each lane of a batch equals numerics.run on the same problem, to 1e-12 (x_T, x_played, R_T/T)."""
    seed, rng, T, hs = _draw(method, variant, kind, N)
    lanes = [hs[i % 2] for i in range(N)]
    x1 = rng.uniform(-1, 1, N)
    lo, hi = -1.0, 1.0
    C = rng.uniform(1.5, 50, N)
    n = rng.integers(2, 12, N)
    low = -rng.uniform(0.1, 2, N)
    p = rng.uniform(0.05, 0.6, N)
    vals = rng.normal(size=(T, N)) * rng.uniform(0.5, 20)
    defaults = dict(eps=0.0, eps_root=0.0, lam=np.nan)
    kw = _batch_kwargs(hs[0], method)
    for k in ("alpha", "beta1", "beta2", "eps", "lam", "eps_root"):
        kw[k] = np.array([lh.get(k, defaults.get(k)) if lh.get(k) is not None else defaults[k]
                          for lh in lanes], dtype=float)
    if np.all(np.isnan(kw["lam"])):
        kw["lam"] = None
    cps = sorted({1, T // 3, T})
    if kind == "periodic":
        res = run_batch(method, C=C, n=n, low=low, x1=x1, T=T, checkpoints=cps, N=N, **kw)
    elif kind == "bernoulli":
        res = run_batch(method, C=C, low=low, p=p, seed=seed, problem_kind="bernoulli",
                               x1=x1, T=T, checkpoints=cps, N=N, **kw)
        u = np.random.Generator(np.random.PCG64(seed)).random((T, N, 1))[:, :, 0]
    else:
        res = run_batch(method, values=vals, problem_kind="explicit", x1=x1, T=T,
                               checkpoints=cps, N=N, **kw)
    assert res.engine == ("numba-parallel" if N >= engine.PARALLEL_MIN_LANES else "numba-serial")
    for i in range(N):
        h = {k: v for k, v in lanes[i].items()}
        meth = make(method, **applicable(method, h))  # one random set serves every method
        if kind == "periodic":
            prob = Periodic(pattern=[C[i]] + [low[i]] * (int(n[i]) - 1))
        elif kind == "bernoulli":
            # the same coins as the batch: column i of the shared PCG64 stream
            prob = Explicit(values=list(np.where(u[:, i] < p[i], C[i], low[i])))
        else:
            prob = Explicit(values=list(vals[:, i]))
        ref = run(meth, prob, T, float(x1[i]), checkpoints=cps)
        assert close(res.x_T[i], ref.x_T), (i, res.x_T[i], ref.x_T)
        assert close(res.x_played[i], ref.x_played), (i, res.x_played[i], ref.x_played)
        assert close(res.avg_regret[i], ref.avg_regret), (i, res.avg_regret[i], ref.avg_regret)
        for k, c in enumerate(ref.checkpoints):
            assert res.checkpoints[k] == c.t
            assert close(res.cp_x[k, i], c.x) and close(res.cp_regret[k, i], c.regret)


SWITCHES = dict(schedule=STEP_SCHEDULES, beta1_schedule=BETA1_SCHEDULES)  # the values each switch can take


def test_the_cases_cover_every_switch():
    """The enumerated switches reach what the random draw could, on both drivers, and the fast lane keeps
    every method, variant and gradient source.  Every (method, variant) runs every gradient source on the
    serial (N = 3) and the parallel (N = 70) driver and, over its gradient sources, every value of every
    switch it takes, on each driver; every switch value runs with every gradient source on each driver;
    AMSGrad runs every (schedule, beta1 schedule) pair; the N = 3 and N = 70 cases of a (method, variant,
    kind) have the same switches (one serial kernel for both).  An edit of the cases or of switches that
    loses one of these fails here."""
    params = _equality_cases()
    cases = [tuple(p.values) for p in params]
    assert len(set(cases)) == len(cases) == len(CASES) * len(KINDS) * 2
    assert set(cases) == {(m, v, kind, N) for m, v in CASES for kind in KINDS for N in (3, 70)}
    assert 3 < engine.PARALLEL_MIN_LANES <= 70  # N = 3 serial, N = 70 parallel
    used = {}
    for c in cases:
        hs = _draw(*c)[3]
        sw = {k: hs[0][k] for k in SWITCHES if k in hs[0]}
        assert all(h[k] == v for h in hs for k, v in sw.items()), c  # one rule per batch
        used[c] = sw
    for m, v in CASES:
        for kind in KINDS:
            assert used[(m, v, kind, 3)] == used[(m, v, kind, 70)], (m, v, kind)
        for N in (3, 70):
            for k in used[(m, v, KINDS[0], N)]:
                assert {used[(m, v, kind, N)][k] for kind in KINDS} == set(SWITCHES[k]), (m, v, N, k)
    assert {k for sw in used.values() for k in sw} == set(SWITCHES)
    for N in (3, 70):
        for k, values in SWITCHES.items():
            got = {(sw[k], c[2]) for c, sw in used.items() if c[3] == N and k in sw}
            assert got == {(val, kind) for val in values for kind in KINDS}, (N, k)
        pairs = {(sw["schedule"], sw["beta1_schedule"]) for c, sw in used.items() if c[0] == "amsgrad" and c[3] == N}
        assert pairs == {(a, b) for a in STEP_SCHEDULES for b in BETA1_SCHEDULES}, N
    fast = [tuple(p.values) for p in params if not p.marks]
    assert {m for m, _, _, _ in fast} == {m for m, _ in CASES} and {v for _, v, _, _ in fast} == {v for _, v in CASES}
    assert {kind for _, _, kind, _ in fast} == set(KINDS)


def test_bernoulli_stream_is_the_problems_stream():
    """run_batch('bernoulli', seed=s) sees exactly the coins of Bernoulli(seed=s, batch=N)."""
    N, T, s = 5, 300, 1234
    prob = Bernoulli(p="0.2", high=7, low=-1, seed=s, batch=N)
    meth = make("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99)
    ref = run(meth, prob, T, np.zeros((N, 1)))
    res = run_batch("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99, C=7, low=-1, p=0.2, seed=s,
                           problem_kind="bernoulli", T=T, N=N)
    assert close(res.x_T, ref.x_T[:, 0]) and close(res.avg_regret, ref.avg_regret)


def _lanes_one_by_one(method, kw, N):
    """The same lanes run as N separate serial batches (N = 1 takes the serial kernel)."""
    out = []
    for i in range(N):
        one = {k: (v[i] if isinstance(v, np.ndarray) and v.shape == (N,) else v) for k, v in kw.items()}
        one.pop("N", None)
        out.append(run_batch(method, **one))
    return out


@pytest.mark.slow  # six parallel compiles and 420 serial batches
@pytest.mark.parametrize("variant", ["paper", "pytorch"])
def test_parallel_kernel_equals_serial_kernel_and_reference(variant):
    """The vectorised parallel driver returns the serial driver's bits, with numbers per lane or
    shared (shared numbers take another code path: scalars read once)."""
    rng = np.random.default_rng(7 if variant == "paper" else 11)
    N = 70
    for method in ("amsgrad", "adam", "rmsprop"):
        for alpha in (rng.uniform(0.1, 1, N), 0.5):
            kw = dict(variant=variant, beta1=rng.uniform(0, 0.99, N) if variant == "paper" else 0.8,
                      beta2=rng.uniform(0.9, 0.999, N), alpha=alpha,
                      eps=rng.choice([0.0, 1e-8], N), pattern=[1010] + [-10] * 100,
                      x1=rng.uniform(-1, 1, N), T=1200, checkpoints=[1, 500, 1200], N=N)
            par = run_batch(method, **kw)
            assert par.engine == "numba-parallel"
            ser = _lanes_one_by_one(method, kw, N)
            assert ser[0].engine == "numba-serial"
            for a in ("x_T", "x_played", "regret"):
                assert np.array_equal(getattr(par, a), np.array([getattr(r, a)[0] for r in ser])), (method, a)
            assert np.array_equal(par.cp_x, np.stack([r.cp_x[:, 0] for r in ser], axis=1))
            assert np.array_equal(par.cp_regret, np.stack([r.cp_regret[:, 0] for r in ser], axis=1))
    i = 5  # the last batch ran RMSProp with a shared alpha: one lane against the reference
    ref = run(make("rmsprop", variant=variant, alpha=kw["alpha"], beta2=float(kw["beta2"][i]),
                   eps=float(kw["eps"][i])),
              Periodic(pattern=[1010] + [-10] * 100), 1200, float(kw["x1"][i]))
    assert close(par.x_T[i], ref.x_T) and close(par.avg_regret[i], ref.avg_regret)


def test_sgd_against_exact_rationals():
    """Dyadic data and a constant step keep SGD exact in float64: compare with Fraction arithmetic."""
    pattern = [Fraction(3), Fraction(-1), Fraction(-1), Fraction(1, 2)]
    alpha, x, T = Fraction(1, 8), Fraction(1, 4), 37
    loss, S = Fraction(0), Fraction(0)
    for t in range(1, T + 1):
        g = pattern[(t - 1) % 4]
        loss += g * x
        S += g
        x = min(max(x - alpha * g, Fraction(-1)), Fraction(1))
    regret = loss - min(-S, S)
    res = run_batch("sgd", alpha=0.125, schedule="constant", pattern=[3, -1, -1, 0.5],
                           x1=0.25, T=T)
    assert res.x_T[0] == float(x) and res.regret[0] == float(regret)


def test_a_wrong_engine_would_be_caught():
    """Mutation check: the comparison used above detects a one-round phase shift and a variant swap."""
    T = 300
    meth = make("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99)
    ref = run(meth, Periodic(pattern=[1010] + [-10] * 100), T, 0.0)
    shifted = run_batch("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99,
                               pattern=[-10] + [1010] + [-10] * 99, T=T)
    assert not close(shifted.avg_regret[0], ref.avg_regret)
    torch_like = run_batch("amsgrad", variant="pytorch", alpha=0.5, beta1=0.9, beta2=0.99,
                                  C=1010, low=-10, n=101, T=T)
    assert not close(torch_like.x_T[0], ref.x_T)
    same = run_batch("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99, C=1010, low=-10, n=101,
                            T=T)
    assert close(same.x_T[0], ref.x_T) and close(same.avg_regret[0], ref.avg_regret)


# the zoo's rules that the engine compiles (numerics.engine.plan.COMPILED_RULES): each preset, bit for
# bit against numerics.run on a periodic and a random problem, serial and parallel kernels
def _zoo_presets():
    out = []
    for name, extra in (("sgdm", [dict(nesterov=True), dict(dampening="0.5")]), ("adamax", []),
                        ("adabelief", []), ("yogi", []), ("lion", []), ("signsgd", [dict(beta1="0.9")]),
                        ("adopt", []), ("radam", []), ("adabound", [dict(amsbound=True)]),
                        ("adadelta", []), ("rprop", [])):
        kws = [dict(), *extra]
        for v in ("paper", "pytorch", "optax"):
            try:
                make(name, variant=v)
            except (TypeError, ValueError):
                continue
            kws.append(dict(variant=v))
        seen = set()
        for kw in kws:
            key = (name, tuple(sorted(kw.items())))
            if key not in seen:
                seen.add(key)
                out.append((name, kw))
    return out


def _zoo_cases():
    """(name, kw, problem) per preset and problem kind; each rule key a kernel compile (1-2 CPU-s on an empty
    cache; AdaBelief's parallel driver more).  The fast lane keeps every rule's default preset on the periodic
    problem, and AdaBelief's default (the parallel driver) on both problems: 11 serial and 1 parallel compile,
    not 20 and 2.  The other presets (variants, options) and problems are slow: still in the suite."""
    out, first = [], set()
    for name, kw in _zoo_presets():
        default = name not in first
        first.add(name)
        for prob in ("periodic", "explicit"):
            fast = default and (prob == "periodic" or name == "adabelief")
            out.append(pytest.param(name, kw, prob, id=f"{name}-{kw}-{prob}",
                                    marks=() if fast else pytest.mark.slow))
    return out


@pytest.mark.parametrize("name,kw,problem", _zoo_cases())
def test_zoo_rules_compiled_equal_reference(name, kw, problem):
    meth = make(name, **kw)
    assert engine.why_not(meth, Periodic(pattern=[3.0, -1.0])) is None, engine.why_not(meth, Periodic(pattern=[3.0, -1.0]))
    rng = np.random.default_rng(zlib.crc32(f"{name}-{sorted(kw.items())}".encode()))
    T = 300
    # both problems are drawn, in this order, whichever one runs: each is the problem it was before the split
    probs = dict(periodic=Periodic(pattern=[float(rng.uniform(2, 60))] + [-1.0] * int(rng.integers(2, 9))),
                 explicit=Explicit(values=list(rng.normal(size=T) * 5)))
    prob = probs[problem]
    N = 3 if name != "adabelief" else engine.PARALLEL_MIN_LANES  # one rule through the parallel kernel
    x1 = rng.uniform(-1, 1, N)
    res = engine.batch(meth, prob, T, x1=x1, checkpoints=[1, T // 2, T])
    for i in range(N):
        ref = run(meth, prob, T, float(x1[i]), checkpoints=[1, T // 2, T])
        assert res.x_T[i] == ref.x_T and res.avg_regret[i] == ref.avg_regret, (i, res.x_T[i], ref.x_T)
        for k, c in enumerate(ref.checkpoints):
            assert res.cp_x[k, i] == c.x


def test_rules_that_read_x_are_refused_by_the_engine():
    for meth in (make("adamw", weight_decay="0.01"), make("adafactor"), make("asgd")):
        assert "reads the iterate x" in (engine.why_not(meth, Periodic(pattern=[3.0, -1.0])) or "")
