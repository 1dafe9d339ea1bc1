"""numba kernels derived from the one definition of each update rule.

The step of a kernel is not written here: it is ``rule.make(CompiledBackend)``'s ``update``, the very
function :mod:`numerics.optimizers` defines, made on a backend whose helpers are numba functions and
compiled with its switches as constants.  This module only writes the *drivers* around it: the
gradient source, the exact regret, the projection (a clip: exact for a box and diagonal methods),
read-outs at checkpoints and at round T.  The driver source is generated from templates (serial:
one lane at a time with its state in registers, its plain rounds running the step as rewritten by
:mod:`numerics.engine.specialise` (round-only values in per-block tables, a root kept while its
inputs are unchanged), or the step as written for rules outside the rewrites' language; parallel:
blocks of lanes, time outside and lanes inside so that LLVM vectorises the lane loop, compiled
``nogil`` and run over one contiguous share of the blocks per Python thread by :class:`ParallelDriver`;
it runs plain rounds only, and the runner hands each read-out round to the serial driver) with the
rule's state and number fields filled in from :mod:`numerics.engine.layout`.

Same bits as the reference (``numerics.run`` on float64), because the step is the reference code and:

* ``CompiledBackend.power(x, t)`` is ``math.pow(x, float(t))``: libm ``pow``, as Python's ``x ** t``
  (numba's own ``x ** int`` multiplies and differs in the last bit);
* ``sqrt`` is the correctly rounded IEEE square root on both sides; no ``fastmath``.
"""
from __future__ import annotations

import atexit
import contextlib
import math
import os
import threading

import numpy as np
from numba import njit

from . import layout as LY

BLOCK = 256  # lanes per block of the parallel kernel (their state stays in L1)


@njit(cache=True)
def _sqrt(x):
    return math.sqrt(x)


@njit(cache=True)
def _power(x, k):
    return math.pow(x, float(k))


@njit(cache=True)
def _maximum(a, b):
    return a if a >= b else b


@njit(cache=True)
def _safe_div(a, b):
    return 0.0 if b == 0 else a / b


@njit(cache=True)
def _minimum(a, b):
    return a if a <= b else b


@njit(cache=True)
def _sign(x):
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


@njit(cache=True)
def _clip(x, lo, hi):
    return hi if x > hi else (lo if x < lo else x)


@njit(cache=True)
def _mean_last(x):
    return x  # one coordinate: the mean over the coordinates is the value itself


@njit(cache=True)
def _num(x):
    return float(x)


@njit(cache=True)
def _zeros_like(x):
    return 0.0


class CompiledBackend:
    """float64 helpers as numba functions: a rule made on this backend compiles into the kernels."""

    name = "numba"
    batched = False
    sqrt = _sqrt
    power = _power
    maximum = _maximum
    minimum = _minimum
    sign = _sign
    clip = _clip
    mean_last = _mean_last
    safe_div = _safe_div
    num = _num
    zeros_like = _zeros_like
    jit = staticmethod(njit)


@njit(cache=True)
def regret(loss, s, lo, hi):
    """R = loss - min_{x in [lo,hi]} s x, written as numerics.run._best_fixed_loss does."""
    p = -lo * s
    q = -hi * s
    return loss - (-(p if p >= q else q))


_LOCK = threading.Lock()
_STEPS: dict = {}
_KERNELS: dict = {}


def compiled_step(rule):
    """The rule's update(h, g, state, t) compiled by numba (one per rule key, per process)."""
    with _LOCK:
        f = _STEPS.get(rule.key)
        if f is None:
            _, update = rule.make(CompiledBackend)
            f = _STEPS[rule.key] = njit(update)
        return f


# ------------------------------------------------------------------------------------------------
# driver templates.  Placeholders: {load_state}/{store_state} (rule state <-> ST), {hyper} (the
# rule's numbers for lane i or j), {grad_*} (the gradient source), {state_tuple}, {unpack}.

_GRAD_SERIAL = {
    LY.G_PERIODIC2: ("ph = PH[PHASE, i]\n        nn = PH[PERIOD, i]\n        gb = P[R_GBIG, i]\n"
                     "        gl = P[R_GLOW, i]",
                     "g = gb if ph == 0 else gl\n{ind}ph += 1\n{ind}if ph == nn:\n{ind}    ph = 0",
                     "PH[PHASE, i] = ph"),
    LY.G_TABLE: ("col = PH[COLUMN, i]\n        row = (t_start - 1) % L",
                 "g = gtab[row, col]\n{ind}row += 1\n{ind}if row == L:\n{ind}    row = 0", ""),
    LY.G_TABLE1: ("row = (t_start - 1) % L",
                  "g = gtab[row, 0]\n{ind}row += 1\n{ind}if row == L:\n{ind}    row = 0", ""),
    LY.G_COINS: ("gb = P[R_GBIG, i]\n        gl = P[R_GLOW, i]\n        pr = P[R_PROB, i]",
                 "g = gb if U[t - t_start, i] < pr else gl", ""),
    LY.G_VALUES: ("", "g = U[t - t_start, i]", ""),
}

# the serial drivers' first lines (both templates): the signature and the first checkpoint at or after t_start
_SERIAL_HEAD = '''
def kernel(t_start, t_stop, T, lo, hi, P, ST, PH, gtab, U, cps, cpx, cpr):
    N = ST.shape[1]
    L = gtab.shape[0]
    ncp = cps.shape[0]
    k0 = 0  # the first checkpoint >= t_start (np.searchsorted's answer; its numba version costs ~0.3 CPU-s
    k1 = ncp  # to compile once per process, this loop next to nothing)
    while k0 < k1:
        km = (k0 + k1) // 2
        if cps[km] < t_start:
            k0 = km + 1
        else:
            k1 = km
'''

_SERIAL = _SERIAL_HEAD + '''    for i in range(N):
        x = ST[X, i]
        loss = ST[LOSS, i]
        s = ST[SUMG, i]
        st = State({load_state})
        h = Hyper({hyper_i})
        {grad_init}
        kc = k0
        t = t_start
        while t < t_stop:
            # plain rounds up to the next read-out (a checkpoint or round T), then that round
            nxt = t_stop
            if kc < ncp and cps[kc] < nxt:
                nxt = cps[kc]
            if T >= t and T < nxt:
                nxt = T
            for tt in range(t, nxt):
                {grad_plain}
                loss = loss + g * x
                s = s + g
                step, st, _ = update(h, g, st, tt)
                y = x - step
                x = lo if y < lo else (hi if y > hi else y)
            t = nxt
            if t < t_stop:
                {grad_read}
                loss = loss + g * x
                s = s + g
                if t == T:
                    ST[XPLAYED, i] = x
                rec = kc < ncp and cps[kc] == t
                if rec:
                    cpr[kc, i] = regret(loss, s, lo, hi)
                step, st, _ = update(h, g, st, t)
                y = x - step
                x = lo if y < lo else (hi if y > hi else y)
                if rec:
                    cpx[kc, i] = x  # the iterate after t updates (numerics.run's checkpoint rule)
                    kc += 1
                t += 1
        ST[X, i] = x
        ST[LOSS, i] = loss
        ST[SUMG, i] = s
        {store_state_serial}
        {grad_store}
'''

# The serial driver around the specialised step (numerics.engine.specialise with t_tables and
# memo_sqrt): what depends on the round alone is filled a block of SUB rounds at a time in a loop of
# its own (vectorised), a root whose argument is unchanged is kept; read-out rounds call the step
# as written.  Used when the rule is inside the rewrites' language, else _SERIAL.
SUB = 64
SPECIALISE = True  # False: the serial driver calls the step as written (the tests compare both)

_SERIAL_SPEC = _SERIAL_HEAD + '''    {tab_alloc}
    for i in range(N):
        x = ST[X, i]
        loss = ST[LOSS, i]
        s = ST[SUMG, i]
        h = Hyper({hyper_i})
        {prelude}
        {load_state}
        {root_init}
        {grad_init}
        kc = k0
        t = t_start
        while t < t_stop:
            # plain rounds up to the next read-out (a checkpoint or round T), then that round
            nxt = t_stop
            if kc < ncp and cps[kc] < nxt:
                nxt = cps[kc]
            if T >= t and T < nxt:
                nxt = T
            tb = t
            while tb < nxt:
                te = min(nxt, tb + SUB)
                for _k in range(te - tb):
                    _t = tb + _k
                    {tables}
                for _t in range(tb, te):
                    _k = _t - tb
                    {grad_plain}
                    loss = loss + g * x
                    s = s + g
                    _g = g
                    {memo}
                    {body}
                    y = x - _step
                    x = lo if y < lo else (hi if y > hi else y)
                tb = te
            t = nxt
            if t < t_stop:
                {grad_read}
                loss = loss + g * x
                s = s + g
                if t == T:
                    ST[XPLAYED, i] = x
                rec = kc < ncp and cps[kc] == t
                if rec:
                    cpr[kc, i] = regret(loss, s, lo, hi)
                step, st, _ = update(h, g, State({state_vars}), t)
                {unpack_st}
                y = x - step
                x = lo if y < lo else (hi if y > hi else y)
                if rec:
                    cpx[kc, i] = x  # the iterate after t updates (numerics.run's checkpoint rule)
                    kc += 1
                t += 1
        ST[X, i] = x
        ST[LOSS, i] = loss
        ST[SUMG, i] = s
        {store_state}
        {grad_store}
'''


def specialised_serial(rule):
    """The rule's step rewritten for the serial driver (an ``engine.specialise.Specialised``), or
    None when the rule is outside the rewrites' language (then the driver calls the step)."""
    from .specialise import NotSpecialisable, specialise

    _, update = rule.make(CompiledBackend)
    try:
        return specialise(update, rule.State, t_tables=True, memo_sqrt=True)
    except NotSpecialisable:
        return None


_SPECS: dict = {}


def _specialised(rule):
    """specialised_serial(rule), remembered per rule key once it succeeded (every driver of the rule reuses
    it; a failure, say the source file being edited, is retried next time)."""
    sp = _SPECS.get(rule.key)
    if sp is None:
        sp = specialised_serial(rule)
        if sp is not None:
            with _LOCK:
                _SPECS[rule.key] = sp
    return sp


def _serial_spec_source(rule, sp, gmode: int) -> str:
    lay = LY.Layout(rule)
    sf, hf = lay.state_fields, lay.hyper_fields
    init, step, store = _GRAD_SERIAL[gmode]
    i8, i20 = " " * 8, " " * 20
    tables = []
    for arr, local, expr in sp.tables:
        tables += [f"{local} = {expr}", f"{arr}[_k] = {local}"] if local else [f"{arr}[_k] = {expr}"]
    return _SERIAL_SPEC.format(
        tab_alloc="\n    ".join(f"{a} = np.empty(SUB)" for a, _, _ in sp.tables) or "pass",
        hyper_i=", ".join(f"P[{lay.hyper_row(f)}, i]" for f in hf),
        prelude=f"\n{i8}".join(sp.prelude) or "pass",
        load_state=f"\n{i8}".join(f"_s_{f} = ST[{lay.state_row(f)}, i]" for f in sf) or "pass",
        root_init=f"\n{i8}".join(f"{q} = np.nan" for r, qs in sp.roots for q in qs)
        + "".join(f"\n{i8}{r} = 0.0" for r, _ in sp.roots) or "pass",
        grad_init=init,
        tables=f"\n{i20}".join(tables) or "pass",
        grad_plain=_indent(step, i20).replace("U[t - t_start", "U[_t - t_start"),
        memo=f"\n{i20}".join(f"{n} = {e}" for n, e in sp.memo) or "pass",
        body=f"\n{i20}".join(line for b in sp.body for line in b.splitlines()),
        grad_read=_indent(step, " " * 16),
        state_vars=", ".join(f"_s_{f}" for f in sf),
        unpack_st=f"\n{' ' * 16}".join(f"_s_{f} = st[{k}]" for k, f in enumerate(sf)) or "pass",
        store_state=f"\n{i8}".join(f"ST[{lay.state_row(f)}, i] = _s_{f}" for f in sf) or "pass",
        grad_store=store or "pass")


# the parallel driver's gradient source: (lane arrays it loads: (local, array, row); the round's line;
# the lane's lines; lane arrays it stores back)
_GRAD_PAR = {
    LY.G_PERIODIC2: ((("gb", "P", "R_GBIG"), ("gl", "P", "R_GLOW"), ("ph", "PH", "PHASE"), ("nn", "PH", "PERIOD")),
                     "",
                     "g = gb[j] if ph[j] == 0 else gl[j]\n{ind}p1 = ph[j] + 1\n{ind}ph[j] = 0 if p1 == nn[j] else p1",
                     (("ph", "PH", "PHASE"),)),
    LY.G_TABLE: ((("col", "PH", "COLUMN"),), "r = (t - 1) % L", "g = gtab[r, col[j]]", ()),
    LY.G_TABLE1: ((), "gt = gtab[(t - 1) % L, 0]", "g = gt", ()),
    LY.G_COINS: ((("gb", "P", "R_GBIG"), ("gl", "P", "R_GLOW"), ("pr", "P", "R_PROB")), "",
                 "g = gb[j] if U[t - t_start, i0 + j] < pr[j] else gl[j]", ()),
    LY.G_VALUES: ((), "", "g = U[t - t_start, i0 + j]", ()),
}

#: The parallel driver's rounds of one block: time outside, lanes inside (the lane loop is what LLVM
#: vectorises).  Public because benchmarks/engine_threads.py builds its baseline (the parfor driver this one
#: replaced) around the same rounds, so that the two differ only in how blocks reach threads.
PARALLEL_ROUNDS = '''        for t in range(t_start, t_stop):
            {grad_round}
            for j in range(nb):
                {grad_lane}
                xj = x[j]
                loss[j] = loss[j] + g * xj
                s[j] = s[j] + g
                step, st, _ = update(Hyper({hyper_j}), g, State({state_j}), t)
                {unpack_j}
                y = xj - step
                x[j] = lo if y < lo else (hi if y > hi else y)
'''

# The block's lanes are moved between the shared arrays and arrays of the block's own by element loops,
# not slice copies and slice stores: numba compiles a slice store through its fancy-setitem machinery
# (overlap checks, broadcasting), which cost about 2 CPU-s the first time in a process and more at every
# driver; numba's parfor pass used to turn them into loops itself.  Same values, same bits.
_PARALLEL = '''
def kernel(b0, b1, t_start, t_stop, T, lo, hi, P, ST, PH, gtab, U, cps, cpx, cpr):
    # plain rounds only: the runner gives read-out rounds (checkpoints, T) to the serial driver.
    # Blocks b0..b1-1 of BLOCK lanes: one thread's share (ParallelDriver runs the shares on threads).
    N = ST.shape[1]
    L = gtab.shape[0]
    {shared_loads}
    for blk in range(b0, b1):
        i0 = blk * BLOCK
        nb = min(BLOCK, N - i0)
        {alloc}
        for j in range(nb):
            {load}
''' + PARALLEL_ROUNDS + '''        for j in range(nb):
            {store}
'''


def _indent(text: str, ind: str) -> str:
    return text.replace("{ind}", ind)


def kernel_source(rule, parallel: bool, gmode: int, shared: tuple[bool, ...]) -> str:
    """The driver's Python source for one rule, kernel kind, gradient source and sharing pattern.

    ``shared[k]`` says that the rule's k-th number is the same for every lane (read once, a scalar:
    the lane loop then has fewer loads, and LLVM hoists what depends on it alone)."""
    lay = LY.Layout(rule)
    sf, hf = lay.state_fields, lay.hyper_fields
    if not parallel:
        init, step, store = _GRAD_SERIAL[gmode]
        src = _SERIAL.format(
            load_state=", ".join(f"ST[{lay.state_row(f)}, i]" for f in sf),
            hyper_i=", ".join(f"P[{lay.hyper_row(f)}, i]" for f in hf),
            grad_init=init,
            grad_plain=_indent(step, " " * 16).replace("U[t - t_start", "U[tt - t_start"),
            grad_read=_indent(step, " " * 16),
            store_state_serial="\n        ".join(f"ST[{lay.state_row(f)}, i] = st[{k}]"
                                                for k, f in enumerate(sf)) or "pass",
            grad_store=store or "pass")
    else:
        gload, rnd, lane, gstore = _GRAD_PAR[gmode]
        shared_loads = [f"h_{f} = P[{lay.hyper_row(f)}, 0]" for f, sh in zip(hf, shared) if sh]
        loads = ([("x", "ST", "X"), ("loss", "ST", "LOSS"), ("s", "ST", "SUMG")]
                 + [(f"s_{f}", "ST", lay.state_row(f)) for f in sf]
                 + [(f"h_{f}", "P", lay.hyper_row(f)) for f, sh in zip(hf, shared) if not sh] + list(gload))
        stores = ([("x", "ST", "X"), ("loss", "ST", "LOSS"), ("s", "ST", "SUMG")]
                  + [(f"s_{f}", "ST", lay.state_row(f)) for f in sf] + list(gstore))
        src = _PARALLEL.format(
            shared_loads="\n    ".join(shared_loads) or "pass",
            alloc="\n        ".join(f"{v} = np.empty(nb, {arr}.dtype)" for v, arr, _ in loads),
            load="\n            ".join(f"{v}[j] = {arr}[{row}, i0 + j]" for v, arr, row in loads),
            grad_round=rnd or "pass",
            grad_lane=_indent(lane, " " * 16),
            hyper_j=", ".join(f"h_{f}" if sh else f"h_{f}[j]" for f, sh in zip(hf, shared)),
            state_j=", ".join(f"s_{f}[j]" for f in sf),
            unpack_j="\n                ".join(f"s_{f}[j] = st[{k}]" for k, f in enumerate(sf))
            or "pass",
            store="\n            ".join(f"{arr}[{row}, i0 + j] = {v}[j]" for v, arr, row in stores))
    return src


def _constants(rule) -> dict:
    lay = LY.Layout(rule)
    return dict(BLOCK=BLOCK, SUB=SUB, X=LY.X, LOSS=LY.LOSS, SUMG=LY.SUMG, XPLAYED=LY.XPLAYED, PHASE=LY.PHASE,
                PERIOD=LY.PERIOD, COLUMN=LY.COLUMN, R_GBIG=lay.hyper_row("gbig"),
                R_GLOW=lay.hyper_row("glow"), R_PROB=lay.hyper_row("prob"))


def _step_module(rule, values: dict | None):
    """The rule's step (and the specialised driver's ``values``) as a generated module of its own, or None.

    One module per step text, shared by every driver of the rule in the process (serial and parallel, the
    gradient sources, checkpoints or not): numba compiles the step once per process instead of once per driver,
    then links it into each driver (and LLVM inlines it there, as before).  The drivers are cached on disk
    with the step linked in, so a driver loaded from the disk cache compiles nothing."""
    from . import source

    try:
        _, update = rule.make(CompiledBackend)
        step_src, _ = source.step_source(update, values)
    except source.NotTranspilable:
        return None
    head = ["import importlib", "import numpy as np", "from numba import njit"]
    return source.load_module("\n".join(head) + "\n\n" + step_src)


#: The decorator of a generated driver (serial, parallel).  no_cfunc_wrapper: a driver is called from Python
#: (its CPython wrapper), never through a C function pointer; the C-callable wrapper numba builds for every
#: @njit function by default was lowered, optimised and emitted for nothing (issue 25;
#: ``benchmarks/engine_compile.py`` times it against the plain decorators in one process).
DRIVER_JIT = {False: "@njit(cache=True, no_cfunc_wrapper=True)",
              True: "@njit(nogil=True, cache=True, no_cfunc_wrapper=True)"}


def _cached_module(rule, parallel: bool, driver: str, values: dict | None = None):
    """The driver around its step module (see _step_module) as a generated module file that numba caches
    on disk, or None."""
    from . import source

    step = _step_module(rule, values)
    if step is None:
        return None
    head = ["import importlib", "import numpy as np", "from numba import njit",
            "from numerics.engine.kernels import regret",
            f"globals().update((k, v) for k, v in vars(importlib.import_module({step.__name__!r})).items()"
            " if not k.startswith('__'))"]
    for name, cls in (("State", rule.State), ("Hyper", rule.Hyper)):
        head.append(f"{name} = getattr(importlib.import_module({cls.__module__!r}), {cls.__qualname__!r})")
    head += [f"{k} = {v!r}" for k, v in _constants(rule).items()]
    deco = DRIVER_JIT[parallel]
    text = "\n".join(head) + "\n\n" + deco + driver
    return source.load_module(text)


#: :func:`_cached_module` under a public name: a driver loop written around a rule's compiled step
#: (counterexamples.drift.general's settle / hull / lane scans) is generated and cached through it.
cached_module = _cached_module


def kernel(rule, parallel: bool, gmode: int, shared: tuple[bool, ...]):
    """The compiled driver around the rule's compiled step (memoised per process; cached on disk
    through a generated module file where the step can be written out, see engine.source)."""
    from .source import STEP_JIT

    # the decorators are part of the key: a driver compiled with others (benchmarks/engine_compile.py swaps them)
    # is another driver
    key = (rule.key, parallel, gmode, shared if parallel else (), SPECIALISE and not parallel,
           DRIVER_JIT[parallel], STEP_JIT)
    with _LOCK:
        k = _KERNELS.get(key)
        if k is not None:
            return k
    sp = _specialised(rule) if SPECIALISE else None
    # The parallel driver gets the serial one's ``values`` too (unused by it): the same step text, so both
    # link the one step module (see _step_module) and numba compiles the step once per process, not twice.
    values = None if sp is None else sp.ns
    if parallel or sp is None:
        src = kernel_source(rule, parallel, gmode, shared)
    else:
        src = _serial_spec_source(rule, sp, gmode)
    mod = _cached_module(rule, parallel, src, values)
    if mod is not None:
        k = mod.kernel
    else:
        ns = dict(np=np, regret=regret, update=compiled_step(rule), State=rule.State,
                  Hyper=rule.Hyper, **_constants(rule), **(values or {}))
        exec(compile(src, f"<numerics.engine kernel {rule.key}>", "exec"), ns)
        k = njit(nogil=parallel, no_cfunc_wrapper=True)(ns["kernel"])
    if parallel:
        k = ParallelDriver(k)
    with _LOCK:
        _KERNELS[key] = k
    return k


#: Lane-rounds a share of a parallel driver's call must have before the call hands shares to other threads:
#: a call with less runs on fewer threads (one below 2 * MIN_SHARE_WORK).  Waking a pool thread and handing
#: the GIL back and forth costs about 0.1-0.3 ms per call (measured on 2 cores); 2**19 lane-rounds take about
#: 1 ms on one core, so a share worth handing over runs at least several times longer than the hand-over.
#: The bits do not depend on it (the shares write disjoint lanes).
MIN_SHARE_WORK = 1 << 19


def block_shares(nblk: int, threads: int) -> list[tuple[int, int]]:
    """Blocks 0..nblk-1 cut into at most ``threads`` contiguous shares [b0, b1), none empty, their sizes
    differing by at most one (earlier shares the larger): one share per thread of a parallel driver's call.

    >>> block_shares(5, 2), block_shares(1, 4), block_shares(0, 2)
    ([(0, 3), (3, 5)], [(0, 1)], [])
    """
    k = max(1, min(int(threads), nblk))
    q, r = divmod(nblk, k)
    out, b = [], 0
    for i in range(min(k, nblk)):
        e = b + q + (1 if i < r else 0)
        out.append((b, e))
        b = e
    return out


_POOL_LOCK = threading.Lock()
_POOL: list = [None, 0, None]  # [executor, its workers, the pid that made it]


def worker_pool(workers: int):
    """The process's pool of at least ``workers`` driver threads (a ``concurrent.futures.ThreadPoolExecutor``),
    made on first use and kept for the next calls.

    Why kept: a pool made per batch cost each batch new threads, and each new thread its first allocations
    (a fresh malloc arena, page faults): about 2 ms of wall time and several CPU-ms per batch, which made a
    small batch slower on two threads than on one (benchmarks/engine_threads.py).  Kept, its threads sit
    idle between calls: no share runs past the call that submitted it (:meth:`ParallelDriver.__call__`
    waits for every share).  A request for more workers replaces the pool by a larger one (the old one
    finishes what it was given, then its threads end); a process forked from this one makes its own (the
    parent's threads do not exist in the child).  Shut down at exit.

    >>> worker_pool(1) is worker_pool(1)
    True
    """
    import concurrent.futures as cf

    workers = max(1, int(workers))
    with _POOL_LOCK:
        ex, size, pid = _POOL
        if ex is None or size < workers or pid != os.getpid():
            if ex is not None and pid == os.getpid():
                ex.shutdown(wait=False)
            ex = cf.ThreadPoolExecutor(workers, thread_name_prefix="ab-engine")
            _POOL[:] = [ex, workers, os.getpid()]
        return ex


def _shutdown_pool() -> None:
    with _POOL_LOCK:
        ex, _, pid = _POOL
        _POOL[:] = [None, 0, None]
    if ex is not None and pid == os.getpid():
        ex.shutdown(wait=True)


def _forget_pool_in_child() -> None:
    # a child forked while another thread held the lock would wait on it forever; the parent's pool threads do
    # not exist in the child (worker_pool's pid check makes a new pool there)
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()


atexit.register(_shutdown_pool)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_child)


def _wait_all(futures) -> None:
    """Wait until every future has finished, a Ctrl-C included (raised once they have: no share of a
    segment is left running behind the caller's back)."""
    import concurrent.futures as cf

    interrupted = None
    while True:
        try:
            cf.wait(futures)
            break
        except KeyboardInterrupt as exc:
            interrupted = exc
    if interrupted is not None:
        raise interrupted


class ParallelDriver:
    """The parallel driver: a compiled ``nogil`` loop over blocks [b0, b1) of BLOCK lanes (``blocks``),
    its contiguous shares of blocks run on Python threads.

    ``driver(t_start, t_stop, T, lo, hi, P, ST, PH, gtab, U, cps, cpx, cpr, threads=None, pool=None)`` runs
    plain rounds t_start..t_stop-1 of every lane, as numba's ``prange`` over the blocks did, without
    numba's parfor pass (about half the cost of compiling the driver).  The calling thread runs the first
    share and ``pool`` (a ``concurrent.futures.ThreadPoolExecutor`` of at least ``threads - 1`` workers) the
    others; without a pool, the process's kept pool (:func:`worker_pool`).  ``threads`` defaults to
    ``numba.get_num_threads()``; a call with fewer than ``threads * MIN_SHARE_WORK`` lane-rounds runs on
    fewer threads (a small one on the calling thread alone).  The shares write disjoint lanes of ST, PH
    (and nothing else), so the result has the same bits whatever the number of threads.  The call returns
    when every share has ended; an exception raised in any share is raised by the call (the first share's
    first).

    Attributes of the compiled loop (``py_func``, ``signatures``, ``stats``, ``inspect_asm``...) are
    read through the driver, so :func:`compile_lock` and the benchmark's SIMD check see the loop."""

    def __init__(self, blocks):
        self.blocks = blocks

    def __getattr__(self, name):
        if name == "blocks":  # not set yet (copy, unpickle): no recursion
            raise AttributeError(name)
        return getattr(self.blocks, name)

    def __call__(self, t_start, t_stop, T, lo, hi, P, ST, PH, gtab, U, cps, cpx, cpr, *,
                 threads: int | None = None, pool=None):
        args = (t_start, t_stop, T, lo, hi, P, ST, PH, gtab, U, cps, cpx, cpr)
        if threads is None:
            import numba

            threads = numba.get_num_threads()
        work = ST.shape[1] * max(0, t_stop - t_start)  # lane-rounds of this call
        shares = block_shares((ST.shape[1] + BLOCK - 1) // BLOCK, min(threads, max(1, work // MIN_SHARE_WORK)))
        if len(shares) <= 1:
            for b0, b1 in shares:
                self.blocks(b0, b1, *args)
            return
        if pool is None:
            pool = worker_pool(len(shares) - 1)
        futures = [pool.submit(self.blocks, b0, b1, *args) for b0, b1 in shares[1:]]
        try:
            self.blocks(*shares[0], *args)
        finally:
            _wait_all(futures)
        for f in futures:
            f.result()


@contextlib.contextmanager
def compile_lock(k):
    """Hold an exclusive lock on a file beside the driver's generated module while its first call compiles it.

    Two processes that need the same driver at once (the two workers of ``pytest -n 2``, a sweep's pool) then
    compile it once: the second waits, and its call finds the driver in numba's disk cache.  A driver already
    compiled in this process, one without a generated module, or a cache folder without locks: no lock."""
    path = getattr(getattr(k, "py_func", None), "__globals__", {}).get("__file__")
    if not path or getattr(k, "signatures", None):
        yield
        return
    try:
        import fcntl

        fh = open(path + ".lock", "a")
    except (ImportError, OSError):
        yield
        return
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
