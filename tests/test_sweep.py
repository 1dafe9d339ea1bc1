"""numerics.sweep: the same bits from every executor, dead workers retried, Ctrl-C, missing Dask.

Workloads (counterexamples.sweep_examples): Adam's (x_T, R_T/T) on the Section 5 problem over a grid of
(beta1, beta2) cells, one engine batch per chunk, and a Theorem-3-like Monte Carlo whose paths are
seeded from (seed, path).  Chunks stay under PARALLEL_MIN_LANES lanes so each worker compiles one
serial driver (warm-up), which keeps the file short on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import pytest

from counterexamples import sweep_examples as E
from numerics.cli import BadInput
from numerics.sweep import (INSTALL_HINT, SweepUnavailable, add_sweep_arguments, chunks,
                            default_chunk_size, local_cluster, sweep, sweep_options)

GRID = [(i / 12, 0.88 + j / 100) for i in range(12) for j in range(12)]  # 144 cells
PATHS = [(20181, p) for p in range(120)]
CHUNK = 24  # < PARALLEL_MIN_LANES: serial driver only


def _grid_warm():
    E.adam_grid_chunk([(0.9, 0.99)], T=3)


def _mc_warm():
    E.mc_chunk([(0, 0)], T=3)


def _arrays(res):
    return np.array(res, dtype=np.float64)


def _json(res):
    return json.dumps(res)


@pytest.fixture(scope="module")
def reference():
    return {"grid": sweep(E.adam_grid_chunk, GRID, executor="inline", chunk_size=CHUNK),
            "mc": sweep(E.mc_chunk, PATHS, executor="inline", chunk_size=CHUNK)}


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import tests/
    # the cluster sweep(scheduler="local") starts (2 worker processes of one thread, numba on one thread), kept
    # for the module: these tests reach it by its address, as a remote scheduler is reached
    with local_cluster(2, threads=1) as c:
        assert isinstance(c, distributed.LocalCluster)
        yield c.scheduler_address


# ------------------------------------------------------------------------------------- splitting
def test_split_depends_on_items_only():
    assert default_chunk_size(0) == 1 and default_chunk_size(256) == 1 and default_chunk_size(257) == 2
    assert chunks(list(range(5)), 2) == [[0, 1], [2, 3], [4]]
    assert sweep(E.adam_grid_chunk, [], executor="inline") == []


def test_inline_order_and_reference_values(reference):
    g = reference["grid"]
    assert len(g) == len(GRID)
    # cell by cell against a batch of one lane: the sweep puts each result back at its item
    for k in (0, 37, 143):
        assert g[k] == E.adam_grid_chunk([GRID[k]])[0]
    # Adam goes to the wrong end (+1) for beta1 = 0, beta2 = 0.88 (Section 5 problem)
    assert g[0][0] == 1.0
    assert reference["mc"][5] == E.mc_chunk([PATHS[5]])[0]


def _loaded(chunk):
    return [(m in sys.modules, os.getppid()) for m in chunk]


@pytest.mark.slow  # restarts the forkserver (its imports of numpy, numba, SymPy, ...: ~2 CPU-s)
def test_processes_preload_reaches_the_workers_and_restarts_a_server_without_it():
    """``preload``: a library the chunks need is imported by the forkserver, once, before any worker
    starts; a running server of this module that lacks it is replaced (when no pool runs), and a later
    sweep that asks for nothing more keeps the server it finds."""
    import numerics.sweep as S

    # a module nothing here imports, so that a worker has it only from the server: the first stdlib module of a few
    # that this process has not imported (xml.dom.minidom alone was imported by an earlier test in the same xdist
    # worker in a whole run)
    mod = next(m for m in ("tabnanny", "pyclbr", "xml.dom.minidom") if m not in sys.modules)
    # no pool or local Dask cluster of numerics.sweep holds the server now (this test runs before the module's
    # Dask cluster starts: a cluster's workers are the server's forks, and it is never restarted under them)
    assert S._ACTIVE[0] == 0
    assert mod not in sys.modules
    first = sweep(_loaded, [mod], executor="processes", workers=1)
    second = sweep(_loaded, [mod], executor="processes", workers=1, preload=[mod])
    third = sweep(_loaded, [mod], executor="processes", workers=1)
    assert mod not in sys.modules  # the caller did not import it
    if S._context().get_start_method() != "forkserver":  # spawn: a fresh interpreter per worker
        return
    assert first[0][0] is False and second[0][0] is True and third[0][0] is True
    assert first[0][1] != second[0][1] == third[0][1]  # a new server for the preload, then kept
    with pytest.raises(BadInput, match="preload"):
        sweep(_loaded, [mod], executor="processes", workers=1, preload=mod)  # a string, not a list of names


# ------------------------------------------------------------------------- the same bits everywhere
@pytest.mark.slow  # two process pools started and warmed (the pool's error paths stay in the fast lane)
def test_processes_same_bits(reference):
    g = sweep(E.adam_grid_chunk, GRID, executor="processes", workers=2, chunk_size=CHUNK,
              warmup=_grid_warm)
    m = sweep(E.mc_chunk, PATHS, executor="processes", workers=2, chunk_size=CHUNK, warmup=_mc_warm)
    assert np.array_equal(_arrays(g), _arrays(reference["grid"]))
    assert _json(g) == _json(reference["grid"])
    assert _json(m) == _json(reference["mc"])


@pytest.mark.slow  # starts a Dask cluster or respawns worker processes (10-20 s)
def test_dask_same_bits(reference, cluster):
    seen = []
    g = sweep(E.adam_grid_chunk, GRID, executor="dask", scheduler=cluster, chunk_size=CHUNK,
              warmup=_grid_warm, progress=lambda d, n: seen.append((d, n)))
    m = sweep(E.mc_chunk, PATHS, scheduler=cluster, chunk_size=CHUNK, warmup=_mc_warm)  # auto -> dask
    assert np.array_equal(_arrays(g), _arrays(reference["grid"]))
    assert _json(g) == _json(reference["grid"])
    assert _json(m) == _json(reference["mc"])
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1] == (len(GRID), len(GRID))
    assert len(seen) == -(-len(GRID) // CHUNK)


@pytest.mark.slow  # starts a Dask cluster or respawns worker processes (10-20 s)
def test_dask_local_cluster_started_and_closed(reference):
    pytest.importorskip("distributed")
    m = sweep(E.mc_chunk, PATHS[:48], executor="dask", scheduler="local", workers=2, chunk_size=CHUNK)
    assert _json(m) == _json(reference["mc"][:48])


def _pids(chunk):
    return [os.getpid()] * len(chunk)


def test_auto_first_chunk_here_then_processes_when_worth_it(monkeypatch):
    import numerics.sweep as S

    assert set(sweep(_pids, list(range(6)), chunk_size=2, workers=2)) == {os.getpid()}  # cheap: inline
    monkeypatch.setattr(S, "AUTO_PARALLEL_SECONDS", 0.0)
    pids = sweep(_pids, list(range(6)), chunk_size=2, workers=2)
    assert pids[:2] == [os.getpid()] * 2 and os.getpid() not in pids[2:]


# ---------------------------------------------------------------------------- dead workers retried
def _dies_once(chunk):
    """Kills its worker process on the first attempt of the chunk holding path 50."""
    marker = os.environ["SWEEP_TEST_MARKER"]
    if any(p == 50 for _, p in chunk) and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return E.mc_chunk(chunk)


def _dies_once_dask(chunk, marker):
    if any(p == 50 for _, p in chunk) and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return E.mc_chunk(chunk)


@pytest.mark.slow  # starts a Dask cluster or respawns worker processes (10-20 s)
def test_processes_dead_worker_retried(reference, tmp_path, monkeypatch):
    marker = tmp_path / "died"
    monkeypatch.setenv("SWEEP_TEST_MARKER", str(marker))  # inherited by the spawned workers
    m = sweep(_dies_once, PATHS, executor="processes", workers=2, chunk_size=CHUNK, warmup=_mc_warm)
    assert marker.exists()  # the worker really died once
    assert _json(m) == _json(reference["mc"])


def _late_env(chunk):
    return [(os.environ.get("SWEEP_TEST_LATE"), os.getppid()) for _ in chunk]


def test_processes_workers_see_the_callers_environment_of_now(monkeypatch):
    """A forkserver's worker is a fork of the server, started with the environment of its time; the pool
    hands each worker the caller's environment of the moment the pool starts (what a spawned worker
    saw), so a variable set after the server started still reaches the workers."""
    import numerics.sweep as S

    monkeypatch.delenv("SWEEP_TEST_LATE", raising=False)
    first = sweep(_late_env, list(range(4)), executor="processes", workers=2, chunk_size=2)
    assert [v for v, _ in first] == [None] * 4
    monkeypatch.setenv("SWEEP_TEST_LATE", "set after the first pool")
    later = sweep(_late_env, list(range(4)), executor="processes", workers=2, chunk_size=2)
    assert [v for v, _ in later] == ["set after the first pool"] * 4
    if S._context().get_start_method() == "forkserver":  # the workers are the server's children
        assert {p for _, p in later} != {os.getpid()} and len({p for _, p in later}) == 1


def _always_dies(chunk):
    os._exit(1)


@pytest.mark.parametrize("retries", [0, 1])
def test_processes_gives_up_after_retries(retries):
    with pytest.raises(RuntimeError, match=f"died {retries + 1} times") as info:
        sweep(_always_dies, list(range(4)), executor="processes", workers=1, chunk_size=2,
              retries=retries)
    assert info.value.sweep_chunk == 0


@pytest.mark.slow  # starts a Dask cluster or respawns worker processes (10-20 s)
def test_dask_dead_worker_retried(reference, cluster, tmp_path):
    import functools

    marker = str(tmp_path / "died-dask")
    m = sweep(functools.partial(_dies_once_dask, marker=marker), PATHS, executor="dask",
              scheduler=cluster, chunk_size=CHUNK, warmup=_mc_warm)
    assert os.path.exists(marker)
    assert _json(m) == _json(reference["mc"])


# ------------------------------------------------------------------------------ errors and Ctrl-C
def _raises(chunk):
    if 50 in chunk:
        raise ArithmeticError("boom")
    return chunk


@pytest.mark.parametrize("executor", ["inline", "processes"])
def test_worker_exception_reraised_with_chunk(executor):
    with pytest.raises(ArithmeticError, match="boom") as info:
        sweep(_raises, list(range(100)), executor=executor, workers=2, chunk_size=10)
    assert info.value.sweep_chunk == 5
    assert "in sweep chunk 5 (items 50..59)" in "".join(getattr(info.value, "__notes__", []))


@pytest.mark.slow  # starts a Dask cluster or respawns worker processes (10-20 s)
def test_dask_worker_exception_reraised_with_chunk(cluster):
    with pytest.raises(ArithmeticError, match="boom") as info:
        sweep(_raises, list(range(100)), scheduler=cluster, chunk_size=10)
    assert info.value.sweep_chunk == 5
    assert "in sweep chunk 5 (items 50..59)" in "".join(getattr(info.value, "__notes__", []))


def _slow(chunk):
    if chunk != [0]:
        time.sleep(60)  # still running when Ctrl-C comes: the workers must be stopped, not awaited
    return chunk


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (multiprocessing's own is_alive() can say True for a
    child that the executor's manager thread has already reaped: its waitpid then fails with ECHILD)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in fh)
    except FileNotFoundError:
        return False
    except OSError:  # pragma: no cover - no /proc: ask the kernel
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False


def _children() -> set:
    """Pids of this process's live multiprocessing children (a module Dask cluster's included)."""
    import multiprocessing

    return {p.pid for p in multiprocessing.active_children() if _alive(p.pid)}


def test_ctrl_c_cancels_and_leaves_no_children():
    calls = []

    def progress(done, total):
        calls.append(time.perf_counter())
        raise KeyboardInterrupt

    before = _children()
    with pytest.raises(KeyboardInterrupt):
        sweep(_slow, list(range(40)), executor="processes", workers=2, chunk_size=1, progress=progress)
    assert len(calls) == 1
    assert time.perf_counter() - calls[0] < 3  # not the 60 s of the running chunk
    assert _children() <= before  # the sweep's two workers are gone


@pytest.mark.slow  # starts a Dask cluster or respawns worker processes (10-20 s)
def test_ctrl_c_closes_a_local_dask_cluster():
    pytest.importorskip("distributed")
    calls = []

    def progress(done, total):
        calls.append(time.perf_counter())
        raise KeyboardInterrupt

    before = _children()
    with pytest.raises(KeyboardInterrupt):
        sweep(_slow, list(range(6)), scheduler="local", workers=2, chunk_size=1, progress=progress)
    # not the 60 s chunks, nor the cluster's own close (it waits 4 s for a worker still in a chunk before it
    # kills it): the interrupted sweep stops its workers after numerics.sweep.STOP_GRACE_SECONDS (about 2 s here)
    assert len(calls) == 1 and time.perf_counter() - calls[0] < 4.0
    deadline = time.time() + 10
    while not _children() <= before and time.time() < deadline:
        time.sleep(0.2)
    assert _children() <= before  # the nannies' worker processes are gone


def test_missing_distributed_one_line(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError("No module named 'distributed'")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    for call in (lambda: sweep(_raises, [1], scheduler="tcp://127.0.0.1:1"),
                 lambda: sweep_options(argparse.Namespace(workers=None, scheduler="local"))):
        with pytest.raises(SweepUnavailable) as info:
            call()
        msg = str(info.value)
        assert "\n" not in msg and INSTALL_HINT in msg and "--scheduler" in msg
        assert isinstance(info.value, BadInput)


# --------------------------------------------------------------------------------- CLI arguments
def _parse(argv):
    from numerics.cli import Parser

    p = Parser(prog="prog")
    add_sweep_arguments(p)
    return p.parse_args(argv)


def test_cli_options():
    assert sweep_options(_parse([])) == {"executor": "auto", "workers": None, "scheduler": None}
    assert sweep_options(_parse(["--workers", "1"]))["executor"] == "inline"
    assert sweep_options(_parse(["--workers", "3"])) == {"executor": "processes", "workers": 3,
                                                         "scheduler": None}
    pytest.importorskip("distributed")
    assert sweep_options(_parse(["--scheduler", "tcp://h:8786", "--workers", "2"])) == {
        "executor": "dask", "workers": 2, "scheduler": "tcp://h:8786"}


@pytest.mark.parametrize("argv, flag", [(["--workers", "0"], "--workers"),
                                        (["--workers", "1025"], "--workers"),
                                        (["--workers", "two"], "--workers"),
                                        (["--scheduler", "nowhere"], "--scheduler")])
def test_cli_bad_input_one_line_exit_2(argv, flag, capsys):
    with pytest.raises(SystemExit) as info:
        _parse(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and flag in err
    if flag == "--workers":
        assert "1..1024" in err


def test_bad_arguments_of_sweep():
    with pytest.raises(BadInput, match="1..1024"):
        sweep(_raises, [1], workers=0)
    with pytest.raises(BadInput, match="executor"):
        sweep(_raises, [1], executor="threads")


# ------------------------------------------------------------------ the default number of workers
def test_workers_env_sets_the_default_and_auto_stays_in_process(monkeypatch):
    """$ADAM_BEYOND_WORKERS=1 makes "auto" run in this process even when the work is worth a pool (the
    suite sets it in its xdist workers); unset, the default is the cores this process may use."""
    import numerics.sweep as S

    monkeypatch.setattr(S, "AUTO_PARALLEL_SECONDS", 0.0)  # any work is "worth a pool"
    monkeypatch.setenv(S.WORKERS_ENV, "1")
    assert S.default_workers() == 1
    assert set(sweep(_pids, list(range(6)), chunk_size=2)) == {os.getpid()}
    monkeypatch.setenv(S.WORKERS_ENV, "2")
    pids = sweep(_pids, list(range(6)), chunk_size=2)
    assert os.getpid() not in pids[2:]  # two workers by default now: the pool ran the rest
    monkeypatch.delenv(S.WORKERS_ENV)
    assert S.default_workers() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("raw", ["0", "two", "-3", "1025"])
def test_bad_workers_env_is_one_line_naming_it(monkeypatch, raw):
    import numerics.sweep as S
    from numerics.cli import BadInput

    monkeypatch.setenv(S.WORKERS_ENV, raw)
    with pytest.raises(BadInput, match=r"^ADAM_BEYOND_WORKERS: .* is not an integer in 1\.\.1024$"):
        sweep_options(_parse([]))
