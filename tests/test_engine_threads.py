"""The engine's parallel driver runs its blocks on Python threads (numerics.engine.kernels.ParallelDriver):
each thread gets one contiguous share of the blocks, the shares cover every block once, the bits do not
depend on the number of threads, and an exception or a Ctrl-C in a share is raised only once every share
of the segment has ended."""
from __future__ import annotations

import concurrent.futures as cf
import importlib
import threading

import numba
import numpy as np
import pytest

from _engine_kw import run_batch
from numerics import Periodic, make, run
from numerics.engine import kernels

B = importlib.import_module("numerics.engine.batch")  # the module (the package exports the function)


@pytest.mark.parametrize("nblk", [0, 1, 2, 3, 7, 64, 65])
@pytest.mark.parametrize("threads", [1, 2, 3, 8])
def test_block_shares_cover_every_block_once_contiguously(nblk, threads):
    shares = kernels.block_shares(nblk, threads)
    # the sizes numpy's array_split gives (written independently): as equal as can be, larger first
    sizes = [len(a) for a in np.array_split(np.arange(nblk), min(threads, nblk))] if nblk else []
    assert [b1 - b0 for b0, b1 in shares] == sizes
    assert [b for b0, b1 in shares for b in range(b0, b1)] == list(range(nblk))
    assert all(b1 > b0 for b0, b1 in shares) and len(shares) <= threads


def _workload(N):
    rng = np.random.default_rng(5)
    return dict(C=rng.uniform(1.5, 4, N), n=rng.integers(2, 6, N), low=-1.0, x1=rng.uniform(-1, 1, N),
                T=300, checkpoints=[1, 100, 300], N=N, alpha=rng.uniform(0.1, 1, N),
                beta1=rng.uniform(0, 0.95, N), beta2=rng.uniform(0.9, 0.999, N))


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="numba allows one thread here (one core)")
def test_two_threads_run_disjoint_shares_on_two_threads_with_the_serial_drivers_bits(monkeypatch):
    N = 2 * kernels.BLOCK + 37  # three blocks, the last one partial: shares (0, 2) and (2, 3)
    kw = _workload(N)
    monkeypatch.setattr(kernels, "MIN_SHARE_WORK", 1)  # a share for each thread however small the segment
    one = run_batch("adam", threads=1, **kw)  # compiles both drivers (outside the recorder)
    # every parallel driver of the rule this process holds (an earlier test in the worker may have compiled the
    # rule's driver for another gradient source or sharing pattern): the one this batch uses records its calls
    pars = [k for key, k in kernels._KERNELS.items() if key[0] == one.info["rule"] and key[1]]
    calls, lock = [], threading.Lock()

    def recorder(blocks):
        def rec(b0, b1, *args):
            with lock:
                calls.append((threading.get_ident(), b0, b1, args[0], args[1]))
            return blocks(b0, b1, *args)
        return rec

    for par in pars:
        monkeypatch.setattr(par, "blocks", recorder(par.blocks))
    two = run_batch("adam", threads=2, **kw)
    assert two.engine == "numba-parallel"
    runs = [c for c in calls if c[3] < c[4]]  # calls that run rounds (not the compile call's empty one)
    assert {(b0, b1) for _, b0, b1, _, _ in runs} == {(0, 2), (2, 3)}
    assert len({tid for tid, *_ in runs}) == 2  # two threads ran shares
    for seg in {(a, b) for *_, a, b in runs}:  # each segment: both shares, on different threads
        assert sorted((b0, b1) for _, b0, b1, a, b in runs if (a, b) == seg) == [(0, 2), (2, 3)]
        assert len({tid for tid, _, _, a, b in runs if (a, b) == seg}) == 2
    monkeypatch.undo()
    monkeypatch.setattr(B, "PARALLEL_MIN_LANES", 10 ** 9)
    ser = run_batch("adam", **kw)
    assert ser.engine == "numba-serial"
    for a in ("x_T", "x_played", "regret", "cp_x", "cp_regret"):
        assert np.array_equal(getattr(two, a), getattr(one, a)), a
        assert np.array_equal(getattr(two, a), getattr(ser, a)), a
    for i in (0, 255, 256, 511, 512, N - 1):  # lanes at the blocks' edges against the reference
        meth = make("adam", alpha=kw["alpha"][i], beta1=kw["beta1"][i], beta2=kw["beta2"][i])
        ref = run(meth, Periodic(pattern=[kw["C"][i]] + [-1.0] * (int(kw["n"][i]) - 1)), 300, kw["x1"][i],
                  checkpoints=[1, 100, 300])
        assert two.x_T[i] == ref.x_T and two.regret[i] == ref.regret, i


def test_an_exception_in_a_worker_thread_is_raised_after_every_share_ended(monkeypatch):
    monkeypatch.setattr(kernels, "MIN_SHARE_WORK", 1)
    N = 5 * kernels.BLOCK
    ST = np.zeros((4, N))
    done, lock = [], threading.Lock()

    def blocks(b0, b1, *args):
        if b0 > 0 and threading.current_thread() is not threading.main_thread():
            raise ZeroDivisionError(f"share {b0}")
        with lock:
            done.append((b0, b1, threading.current_thread() is threading.main_thread()))

    drv = kernels.ParallelDriver(blocks)
    with pytest.raises(ZeroDivisionError, match="share"):
        drv(1, 5, 5, -1.0, 1.0, None, ST, None, None, None, None, None, None, threads=3)
    assert done == [(0, 2, True)]  # the calling thread ran its share; the workers' raised
    with cf.ThreadPoolExecutor(1) as pool:  # a pool handed in by the caller (else the driver takes kernels.worker_pool)
        with pytest.raises(ZeroDivisionError, match="share 3"):
            drv(1, 5, 5, -1.0, 1.0, None, ST, None, None, None, None, None, None, threads=2, pool=pool)


def test_ctrl_c_while_waiting_is_raised_once_every_share_has_ended(monkeypatch):
    """A KeyboardInterrupt that arrives while the calling thread waits for the other shares: the
    driver keeps waiting until they end (no share runs past the call), then raises it."""
    release, ended = threading.Event(), []
    real_wait, hits = cf.wait, []

    def wait(fs, *a, **k):
        hits.append(1)
        if len(hits) == 1:
            release.set()
            raise KeyboardInterrupt
        return real_wait(fs, *a, **k)

    def blocks(b0, b1, *args):
        if b0 > 0:
            release.wait(10)
            ended.append(b0)

    monkeypatch.setattr(cf, "wait", wait)
    monkeypatch.setattr(kernels, "MIN_SHARE_WORK", 1)
    with pytest.raises(KeyboardInterrupt):
        kernels.ParallelDriver(blocks)(1, 2, 2, -1.0, 1.0, None, np.zeros((4, 3 * kernels.BLOCK)), None, None,
                                       None, None, None, None, threads=3)
    assert sorted(ended) == [1, 2] and len(hits) == 2


def test_threads_out_of_range_is_an_error_naming_the_argument():
    kw = _workload(kernels.BLOCK)
    with pytest.raises(ValueError, match="threads"):
        run_batch("adam", threads=0, **kw)


def test_the_parallel_and_serial_drivers_link_one_step():
    """Both drivers of a rule import the step from one generated module, so numba compiles the step once per
    process (the parallel driver's module once had its own step text: a second compile of the same step)."""
    from numerics.engine import layout as LY

    rule = make("amsgrad", alpha=0.5).rule
    ser = kernels.kernel(rule, False, LY.G_PERIODIC2, ())
    par = kernels.kernel(rule, True, LY.G_PERIODIC2, (True,) * len(LY.Layout(rule).hyper_fields))
    if kernels.specialised_serial(rule) is None or not hasattr(ser, "py_func"):
        pytest.skip("no specialised serial driver or no kernel cache folder here")
    assert par.py_func.__globals__["update"] is ser.py_func.__globals__["update"]


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="numba allows one thread here (one core)")
def test_batches_share_one_kept_pool_whose_threads_are_idle_after_each_call(monkeypatch):
    """The pool is kept across batches (kernels.worker_pool): a pool made per batch cost each small batch new
    threads.  Kept, its threads run nothing between calls."""
    kw = _workload(2 * kernels.BLOCK + 37)
    monkeypatch.setattr(kernels, "MIN_SHARE_WORK", 1)
    run_batch("adam", threads=2, **kw)  # compiles; makes the pool if no earlier test has
    pool = kernels.worker_pool(1)
    made, workers, real = [], [], cf.ThreadPoolExecutor
    monkeypatch.setattr(cf, "ThreadPoolExecutor", lambda *a, **k: made.append(1) or real(*a, **k))
    for par in [k for k in kernels._KERNELS.values() if isinstance(k, kernels.ParallelDriver)]:
        def rec(b0, b1, *args, blocks=par.blocks):
            if threading.current_thread() is not threading.main_thread():
                workers.append(threading.get_ident())
            return blocks(b0, b1, *args)

        monkeypatch.setattr(par, "blocks", rec)
    for _ in range(3):
        run_batch("adam", threads=2, **kw)
        assert pool._work_queue.empty()  # nothing left queued past the batch (and every share was waited for)
    assert made == [] and kernels.worker_pool(1) is pool  # the three batches made no pool
    assert len(workers) >= 3 and set(workers) <= {t.ident for t in pool._threads}


def test_the_kept_pool_grows_on_request_and_a_forked_child_makes_its_own():
    import os

    small = kernels.worker_pool(1)
    big = kernels.worker_pool(small._max_workers + 1)
    assert big._max_workers >= small._max_workers + 1 and kernels.worker_pool(1) is big
    assert big.submit(lambda: 7).result(timeout=10) == 7
    pid = os.fork()
    if pid == 0:  # the child: the parent's pool threads do not exist here; a pool of its own runs the work
        code = 1
        try:
            mine = kernels.worker_pool(1)
            code = 0 if mine is not big and mine.submit(lambda: 7).result(timeout=10) == 7 else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_call_hands_shares_to_other_threads_only_when_each_has_min_share_work():
    """Waking a pool thread costs more than a small segment's rounds: a call runs on the calling thread alone
    below 2 * MIN_SHARE_WORK lane-rounds, on two threads from there, and never on more threads than asked."""
    N, W = 4 * kernels.BLOCK, kernels.MIN_SHARE_WORK
    ST, calls, lock = np.zeros((4, N)), [], threading.Lock()

    def blocks(b0, b1, *args):
        with lock:
            calls.append((b0, b1, threading.current_thread() is threading.main_thread()))

    drv = kernels.ParallelDriver(blocks)
    rounds_two = -(-2 * W // N)  # the fewest rounds with 2 * W lane-rounds
    for rounds, threads, want in [(1, 2, [(0, 4, True)]), (rounds_two - 1, 3, [(0, 4, True)]),
                                  (rounds_two, 3, [(0, 2, True), (2, 4, False)]),
                                  (rounds_two, 1, [(0, 4, True)]),
                                  (-(-4 * W // N), 8, [(0, 1, True)] + [(b, b + 1, False) for b in (1, 2, 3)])]:
        calls.clear()
        drv(1, 1 + rounds, 1 + rounds, -1.0, 1.0, None, ST, None, None, None, None, None, None, threads=threads)
        assert sorted(calls) == want, (rounds, threads)
