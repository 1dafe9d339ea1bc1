"""One sweep layer: split independent work into chunks, run them anywhere, reassemble in order.

Every embarrassingly parallel workload of the toolkit (phase-diagram cells, Monte Carlo paths,
conformance runs) goes through :func:`sweep`::

    results = sweep(fn, items, executor="auto", workers=None, scheduler=None, chunk_size=None,
                    progress=None, warmup=None, retries=3, threads=1, preload=())

``fn`` is a module-level (picklable) function of ONE CHUNK (a list of consecutive items) that returns
a list of the same length; ``sweep`` returns the concatenation in the order of ``items``.

Bit-for-bit guarantee.  The split depends only on ``len(items)`` and ``chunk_size`` (default: at most
:data:`MAX_CHUNKS` chunks, :func:`default_chunk_size`), never on the executor or the number of
workers, and the results are put back by chunk index.  So the output is identical whatever runs it,
provided ``fn`` is deterministic in its chunk: seeds must come from the items (e.g.
``numpy.random.SeedSequence([seed, path_index])``), never from the worker, the time or the order in
which chunks finish.

Executors
---------
``"inline"``     in this process, chunk after chunk.
``"processes"``  a local ``ProcessPoolExecutor`` (``forkserver`` context where the system has it,
                 else ``spawn``: both safe with numba's threads; see "Worker start-up" below),
                 ``workers`` processes (default: :func:`default_workers`, the cores this process may
                 use, or ``$ADAM_BEYOND_WORKERS`` when set).  A worker that dies
                 (``BrokenProcessPool``) is replaced: the pool is rebuilt and the unfinished chunks are
                 resubmitted, at most ``retries`` times.
``"dask"``       Dask distributed (the ``distributed`` extra).  ``scheduler="tcp://host:8786"``
                 connects to a running scheduler; ``scheduler="local"`` (or None) starts a
                 ``LocalCluster`` of ``workers`` processes with one thread each and closes it at the
                 end (:func:`local_cluster`: its workers are forks of the forkserver below).  A chunk whose worker dies is rescheduled by Dask itself (up to the scheduler's
                 ``distributed.scheduler.allowed-failures``, set to ``retries`` for a local cluster);
                 then it fails with ``KilledWorker``.
``"auto"``       (default) Dask when ``scheduler`` is given; inline when ``workers == 1`` (given, or
                 by default through ``$ADAM_BEYOND_WORKERS=1``) or there is a single chunk; otherwise the first chunk runs inline and, when the remaining work is
                 estimated above :data:`AUTO_PARALLEL_SECONDS`, the rest goes to local processes.

Errors.  An exception raised by ``fn`` in a worker is re-raised here, same type, with a note (and the
attribute ``sweep_chunk``) naming the chunk index and its items; it is not retried (it would fail
again).  ``SweepUnavailable`` (a :class:`numerics.cli.BadInput`, one line) when Dask is asked for
without ``distributed`` installed or the scheduler cannot be reached.

Progress and Ctrl-C.  ``progress(done_items, total_items)`` is called in the caller's thread as chunks
finish.  A ``KeyboardInterrupt`` (Ctrl-C, or raised by ``progress``) cancels the pending chunks, stops
the worker processes (terminated, not awaited) or the Dask futures and local cluster (its workers get
:data:`STOP_GRACE_SECONDS`, then are killed: a cancelled chunk keeps running in its worker), and is
re-raised; the CLIs turn it into exit 130.  Worker processes ignore SIGINT, so a Ctrl-C reaching the
whole process group does not look like a dead worker.

numba.  The engine's drivers are generated module files that numba caches on disk
(:mod:`numerics.engine.source`), so a worker on the same machine loads them instead of compiling;
a fresh machine compiles each once.  ``warmup``, a
module-level callable with no argument (e.g. a tiny ``engine.batch`` of the rule the sweep runs), is
run once per worker process before its first chunk -- lazily, so a worker that replaces a dead one,
or joins a Dask cluster late, warms up too.  Each worker limits numba to ``threads`` threads
(default 1 under processes and Dask: the parallelism is the workers), so W workers use W cores.

Worker start-up.  A spawned worker is a fresh interpreter that imports numpy, numba, SymPy, Z3 and
python-flint again before its first chunk (about 2 CPU-s per worker, per pool; measured with
``python -c "import numba, sympy, z3, flint"``).  Under ``forkserver`` one server process per caller imports those of them the
caller has already imported (:data:`PRELOAD`), once, single-threaded (it never runs a kernel, so
forking it is safe), and every worker of every later pool is a fork of it: the imports are paid once
per caller instead of once per worker.  ``preload`` names further libraries the chunks need (the
conformance zoo's: torch, torch._dynamo, jax, optax, about 5.6 CPU-s of imports per worker otherwise;
none of them starts a thread at import); a server that lacks one of them is restarted, when no pool of
this module is running, so that the next pool's server imports them (once).  A worker still receives the caller's ``sys.path`` and current
directory (multiprocessing sends them), and :func:`_worker_init` gives it the caller's environment of
the moment the pool starts (a forked worker would otherwise see the server's, from its start), so a
worker sees what a spawned one saw -- except a setting that a preloaded library read at its own import
(e.g. ``NUMBA_NUM_THREADS``, which ``threads`` lowers with ``numba.set_num_threads`` anyway).  The
server ends when its caller does (it reads a pipe the caller holds); a worker dies with the server
(``PR_SET_PDEATHSIG``) and exits at start when its caller is already gone, so no worker outlives the
caller.

Example (``_example_square`` is a chunk function of this module)::

    >>> from numerics.sweep import sweep, _example_square
    >>> sweep(_example_square, range(5), executor="inline", chunk_size=2)
    [0, 1, 4, 9, 16]

CLIs share the flags: :func:`add_sweep_arguments` adds ``--workers N`` and ``--scheduler ADDRESS|local``
and :func:`sweep_options` turns the parsed arguments into the keyword arguments of :func:`sweep`.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import math
import multiprocessing
import os
import signal
import threading
import time
from typing import Any, Callable, Iterable, Sequence

from .cli import BadInput

__all__ = ["sweep", "chunks", "default_chunk_size", "SweepUnavailable", "add_sweep_arguments",
           "sweep_options", "default_workers", "MAX_CHUNKS", "AUTO_PARALLEL_SECONDS", "EXECUTORS", "INSTALL_HINT",
           "WORKERS_ENV", "local_cluster", "STOP_GRACE_SECONDS"]

EXECUTORS = ("auto", "inline", "processes", "dask")
MAX_CHUNKS = 256            # default split: at most this many chunks (independent of the workers)
AUTO_PARALLEL_SECONDS = 2.0  # "auto": go parallel when the remaining work is estimated above this
MAX_WORKERS = 1024
# the default number of local workers when --workers is not given; a job that shares the machine with others
# (a test run under pytest-xdist, a batch scheduler's slot) sets it, so that "auto" does not start a pool
# competing with its neighbours for the same cores
WORKERS_ENV = "ADAM_BEYOND_WORKERS"
INSTALL_HINT = "pip install 'adam-beyond[distributed]'"


class SweepUnavailable(BadInput):
    """The asked-for executor cannot run here (one line, with what to do)."""


# ---------------------------------------------------------------------------------------- splitting
def default_chunk_size(n: int) -> int:
    """ceil(n / MAX_CHUNKS), at least 1: depends on the number of items only."""
    return max(1, math.ceil(n / MAX_CHUNKS))


def default_workers() -> int:
    """The local workers used when none are asked for: ``$ADAM_BEYOND_WORKERS`` when set (an integer in
    1..MAX_WORKERS, else :class:`numerics.cli.BadInput`), else the cores this process may run on.

    >>> import os
    >>> saved = os.environ.get("ADAM_BEYOND_WORKERS")
    >>> os.environ["ADAM_BEYOND_WORKERS"] = "3"
    >>> default_workers()
    3
    >>> if saved is None: del os.environ["ADAM_BEYOND_WORKERS"]
    ... else: os.environ["ADAM_BEYOND_WORKERS"] = saved
    """
    raw = os.environ.get(WORKERS_ENV)
    if raw is not None and raw.strip() != "":
        try:
            n = int(raw)
        except ValueError:
            n = 0
        if not 1 <= n <= MAX_WORKERS:
            raise BadInput(f"{WORKERS_ENV}: {raw!r} is not an integer in 1..{MAX_WORKERS}")
        return n
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def chunks(items: Sequence, chunk_size: int) -> list[list]:
    """Consecutive chunks of ``chunk_size`` items (the last may be shorter)."""
    return [list(items[i:i + chunk_size]) for i in range(0, len(items), chunk_size)]


# ------------------------------------------------------------------------------- worker-side runner
_WARM: set = set()
_WARM_LOCK = threading.Lock()


def _limit_threads(threads: int | None) -> None:
    if threads is None:
        return
    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(threads))  # read by numba / BLAS when first imported
    import sys

    if "numba" in sys.modules:  # already imported: lower its thread count now
        import numba

        numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))


# the heavy libraries a forkserver imports once for all the workers of its caller (those the caller has
# imported when its first pool starts: the workers of a sweep need what the caller's chunk function does)
PRELOAD = ("numpy", "numba", "sympy", "mpmath", "z3", "flint")
_SERVER: dict = {"pid": None, "preload": ()}  # the forkserver this module started, and what it preloaded
_ACTIVE = [0]  # pools of this module running now (a server is never restarted under one)
_ACTIVE_LOCK = threading.Lock()


def _context(hold: bool = False, preload: Sequence[str] = (), restart: bool = True):
    """The multiprocessing context of the ``processes`` executor: ``forkserver`` (preloading what the
    caller has of :data:`PRELOAD`, and ``preload``) where the system has it, else ``spawn``.

    The server reads its preload list once, at its start.  When a sweep asks for a ``preload`` library that
    the running server (one this module started) has not imported, and no pool of this module is running,
    that server is stopped, so that the next pool starts one that imports it: paid once by the server
    instead of once per worker of every later pool.  A server started by someone else is left alone.
    ``hold``: count a pool of the caller as running (:func:`_release` ends it), under the restart's lock;
    ``restart=False``: never restart (``preload`` then only reaches a server not yet started)."""
    import sys

    if "forkserver" not in multiprocessing.get_all_start_methods():
        if hold:
            with _ACTIVE_LOCK:
                _ACTIVE[0] += 1
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    want = tuple(dict.fromkeys([m for m in PRELOAD if m in sys.modules] + list(preload)))
    from multiprocessing import forkserver as _fs

    server = getattr(_fs, "_forkserver", None)
    pid = getattr(server, "_forkserver_pid", None)
    with _ACTIVE_LOCK:
        if (restart and pid is not None and pid == _SERVER["pid"] and not set(preload) <= set(_SERVER["preload"])
                and _ACTIVE[0] == 0 and hasattr(server, "_stop")):
            # terminated first: multiprocessing's own stop (close its "alive" pipe, then wait for it) would wait
            # as long as any process holding a copy of that pipe lives (a straggling Dask worker, say); no pool
            # of ours runs, so no worker of ours dies with it
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                server._stop()  # closes its "alive" pipe and reaps it
            except OSError:
                pass
            pid = getattr(server, "_forkserver_pid", None)
        if pid is None:  # the next pool starts a server: it preloads ``want``
            _SERVER.update(preload=want, expect=True)
        if hold:
            _ACTIVE[0] += 1
    ctx.set_forkserver_preload(list(want))
    return ctx


def _release() -> None:
    with _ACTIVE_LOCK:
        _ACTIVE[0] -= 1


def _note_server(ctx) -> None:
    """Remember the server that a pool of this module started (its pid exists once a worker was asked
    for), so that :func:`_context` may restart it."""
    if ctx.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver as _fs

    pid = getattr(getattr(_fs, "_forkserver", None), "_forkserver_pid", None)
    with _ACTIVE_LOCK:
        if pid is not None and _SERVER.pop("expect", False):
            _SERVER["pid"] = pid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, not ours to signal
        return True
    return True


def _worker_init(threads: int | None, method: str = "spawn", env: dict | None = None) -> None:
    """ProcessPoolExecutor initializer: Ctrl-C is the parent's business; limit threads; and die with the
    parent (a parent ended by Ctrl-C exits at once, without shutting its pool down: no orphan workers).
    ``env``: the caller's environment when the pool started (a forkserver's worker has the server's)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    from .cli import die_with_parent

    # the pid the caller had when it started us (not getppid(): a caller that died while this worker was
    # starting has already been replaced by init, and the worker must end then too)
    parent = multiprocessing.parent_process()
    caller = parent.pid if parent is not None and parent.pid else os.getppid()
    if method == "forkserver":
        # The server ends when every holder of the write end of its "alive" pipe is gone; multiprocessing
        # hands that end to each forked child as well (so that the child could ask the server for children
        # of its own), so with the workers holding it the server would outlive a dead caller, and the
        # workers, bound to the server below, would run on as orphans (seen: Ctrl-C on search --workers 2
        # left the server and both workers).  Closing it here leaves the caller as its only holder; a
        # nested pool in this worker starts a server of its own (multiprocessing does, finding none).
        from multiprocessing import forkserver as _fs

        fd = getattr(_fs._forkserver, "_forkserver_alive_fd", None)
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
            _fs._forkserver._forkserver_alive_fd = None
        # our parent process is the server, which now ends when the caller does: die with the server, and
        # end now if the caller is already gone (then the server is going too)
        die_with_parent(os.getppid())
        if not _alive(caller):
            os._exit(1)
    else:
        die_with_parent(caller)
    _limit_threads(threads)


def _run_chunk(fn: Callable, chunk: list, index: int, warmup: Callable | None,
               threads: int | None) -> list:
    """Run one chunk in a worker: limit threads and warm up once per process, then ``fn(chunk)``."""
    if warmup is not None or threads is not None:
        key = (threads, None if warmup is None else
               (getattr(warmup, "__module__", ""), getattr(warmup, "__qualname__", repr(warmup))))
        with _WARM_LOCK:
            if key not in _WARM:
                _limit_threads(threads)
                if warmup is not None:
                    warmup()
                _WARM.add(key)
    out = fn(chunk)
    out = list(out)
    if len(out) != len(chunk):
        raise ValueError(f"sweep: fn returned {len(out)} results for a chunk of {len(chunk)} items")
    return out


def _pack(obj) -> bytes:
    """A chunk or its results as one bytes object for Dask.  Why: Dask serialises a list element by
    element; measured on a 400 x 400 grid, 80,000 results took ~3 s to reach the client as a list and
    nothing as bytes, which was most of Dask's loss against local processes."""
    import cloudpickle

    return cloudpickle.dumps(obj)


def _unpack(data: bytes):
    import pickle

    return pickle.loads(data)


def _run_chunk_packed(fn: Callable, data: bytes, index: int, warmup: Callable | None,
                      threads: int | None) -> bytes:
    """:func:`_run_chunk` on a packed chunk, its results packed (the Dask executor's task)."""
    return _pack(_run_chunk(fn, _unpack(data), index, warmup, threads))


def _example_square(chunk: list) -> list:
    """The docstring's example chunk function."""
    return [x * x for x in chunk]


# --------------------------------------------------------------------------------------- the sweep
def _annotate(exc: BaseException, index: int, bounds: tuple[int, int]) -> BaseException:
    exc.sweep_chunk = index
    try:
        exc.add_note(f"in sweep chunk {index} (items {bounds[0]}..{bounds[1] - 1})")
    except AttributeError:  # pragma: no cover - Python < 3.11
        pass
    return exc


def sweep(fn: Callable[[list], list], items: Iterable, *, executor: str = "auto",
          workers: int | None = None, scheduler: str | None = None, chunk_size: int | None = None,
          progress: Callable[[int, int], None] | None = None, warmup: Callable[[], Any] | None = None,
          retries: int = 3, threads: int | None = 1, preload: Sequence[str] = ()) -> list:
    """``fn`` over ``items`` in chunks; results in the order of ``items`` (see the module docstring)."""
    items = list(items)
    if executor not in EXECUTORS:
        raise BadInput(f"executor: unknown {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if workers is not None and not (isinstance(workers, int) and 1 <= workers <= MAX_WORKERS):
        raise BadInput(f"--workers: {workers!r} is not an integer in 1..{MAX_WORKERS}")
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size >= 1):
        raise BadInput(f"chunk_size: {chunk_size!r} is not an integer >= 1")
    if not (isinstance(retries, int) and retries >= 0):
        raise BadInput(f"retries: {retries!r} is not an integer >= 0")
    if isinstance(preload, str) or not all(isinstance(m, str) and m for m in preload):
        raise BadInput(f"preload: {preload!r} is not a sequence of module names")
    n = len(items)
    parts = chunks(items, chunk_size or default_chunk_size(n))
    bounds = []
    start = 0
    for p in parts:
        bounds.append((start, start + len(p)))
        start += len(p)
    results: list = [None] * len(parts)
    state = {"done": 0}

    def finished(i: int, out: list) -> None:
        results[i] = out
        state["done"] += len(out)
        if progress is not None:
            progress(state["done"], n)

    todo = list(range(len(parts)))
    if executor == "auto":
        if scheduler is not None:
            executor = "dask"
        elif workers == 1 or len(parts) <= 1 or (workers is None and default_workers() == 1):
            executor = "inline"
        else:  # time the first chunk here; parallel only when the rest is worth a pool
            t0 = time.perf_counter()
            _inline(fn, parts, bounds, [0], warmup, finished)
            todo = todo[1:]
            executor = ("processes" if (time.perf_counter() - t0) * len(todo) > AUTO_PARALLEL_SECONDS
                        else "inline")
    if executor == "inline":
        _inline(fn, parts, bounds, todo, warmup, finished)
    elif executor == "processes":
        _processes(fn, parts, bounds, todo, warmup, finished, workers or default_workers(),
                   retries, threads, tuple(preload))
    else:
        _dask(fn, parts, bounds, todo, warmup, finished, workers, scheduler, retries, threads)
    out: list = []
    for r in results:
        out.extend(r)
    return out


def _inline(fn, parts, bounds, todo, warmup, finished) -> None:
    for i in todo:
        try:
            out = _run_chunk(fn, parts[i], i, warmup, None)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            raise _annotate(exc, i, bounds[i])
        finished(i, out)


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel what has not started and terminate the workers now (do not wait for running chunks)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(timeout=5)
        if p.is_alive():  # pragma: no cover - a worker stuck in C code ignoring SIGTERM
            p.kill()
            p.join(timeout=5)


_QUIET_TRACKER = "ignore:resource_tracker:UserWarning"


def _processes(fn, parts, bounds, todo, warmup, finished, workers, retries, threads, preload=()) -> None:
    ctx = _context(hold=True, preload=preload)
    try:
        _pool_rounds(ctx, fn, parts, bounds, todo, finished, warmup, workers, retries, threads)
    finally:
        _release()


def _pool_rounds(ctx, fn, parts, bounds, todo, finished, warmup, workers, retries, threads) -> None:
    # the resource tracker (started with this interpreter's -W flags) would print a "leaked semaphore"
    # warning after an interrupted run's one line; it cleans them up either way
    import sys

    if _QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(_QUIET_TRACKER)
    pending = set(todo)
    deaths = 0
    while pending:
        pool = cf.ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=ctx,
                                      initializer=_worker_init,
                                      initargs=(threads, ctx.get_start_method(), dict(os.environ)))
        broken = False
        try:
            futs = {pool.submit(_run_chunk, fn, parts[i], i, warmup, threads): i for i in sorted(pending)}
            _note_server(ctx)
            for f in cf.as_completed(futs):
                i = futs[f]
                exc = f.exception()
                if isinstance(exc, cf.process.BrokenProcessPool):
                    broken = True  # every unfinished future fails the same way: rebuild below
                    break
                if exc is not None:
                    raise _annotate(exc, i, bounds[i])
                pending.discard(i)
                finished(i, f.result())
        except BaseException:
            _stop_pool(pool)
            raise
        if broken:
            # keep what finished before the break (their results are already in), retry the rest
            for f, i in futs.items():
                if i in pending and f.done() and not f.cancelled() and f.exception() is None:
                    pending.discard(i)
                    finished(i, f.result())
            _stop_pool(pool)
            deaths += 1
            if deaths > retries:
                first = min(pending)
                raise _annotate(RuntimeError(f"sweep: a worker process died {deaths} times; giving up "
                                             f"(retries={retries})"), first, bounds[first])
        else:
            pool.shutdown(wait=True)


@contextlib.contextmanager
def local_cluster(workers: int | None = None, threads: int | None = 1, retries: int = 3):
    """The Dask ``LocalCluster`` that ``sweep(..., scheduler="local")`` runs on (closed on exit): ``workers``
    processes (default :func:`default_workers`) of one thread each, numba limited to ``threads`` threads,
    a chunk retried on ``retries`` dead workers, no statistical profiler.

    Where the system has ``forkserver``, the worker processes are forks of this module's forkserver
    (started here if none runs, preloading what the caller has of :data:`PRELOAD` and distributed)
    instead of spawned interpreters that each import distributed, numpy, numba, ... (measured: the
    6 Dask tests of tests/test_sweep.py 28.1 -> 20-23 CPU-s of the process tree).  A forked worker has the
    server's environment: the caller's of now is handed to it, as a spawned one inherits it; numba's
    threads are lowered by the chunk runner, as in a pool's worker (``NUMBA_NUM_THREADS`` is read at
    numba's import, which the server did)."""
    try:
        import dask
        from distributed import LocalCluster
    except ImportError:
        raise SweepUnavailable(f"--scheduler: the Dask executor needs the distributed package: "
                               f"{INSTALL_HINT}") from None
    # no statistical profiler in the workers: sampling the compute thread's stack every 10 ms slows
    # pure-Python chunks (the arb grid) by tens of percent
    config = {"distributed.scheduler.allowed-failures": retries, "distributed.worker.profile.enabled": False}
    env = {v: str(threads) for v in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS")} if threads else {}
    held = "forkserver" in multiprocessing.get_all_start_methods()
    if held:
        from multiprocessing import forkserver as _fs

        ctx = _context(hold=True, preload=("distributed",), restart=False)
        try:
            _fs.ensure_running()
        except BaseException:
            _release()
            raise
        _note_server(ctx)
        config["distributed.worker.multiprocessing-method"] = "forkserver"
        env = {**os.environ, **env}
    try:
        with dask.config.set(config):
            cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1, processes=True,
                                   dashboard_address=":0", env=env)
        with cluster:
            yield cluster
    finally:
        if held:
            _release()


def _dask(fn, parts, bounds, todo, warmup, finished, workers, scheduler, retries, threads) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise SweepUnavailable(f"--scheduler: the Dask executor needs the distributed package: "
                               f"{INSTALL_HINT}") from None
    stack = contextlib.ExitStack()
    cluster = None
    client = None
    futs: dict = {}
    try:
        if scheduler in (None, "local"):
            cluster = stack.enter_context(local_cluster(workers, threads, retries))
            client = Client(cluster)
        else:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise SweepUnavailable(f"--scheduler: cannot reach {scheduler} "
                                       f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
                                       ) from None
        token = f"sweep-{os.getpid()}-{time.time_ns()}"
        for i in todo:
            f = client.submit(_run_chunk_packed, fn, _pack(parts[i]), i, warmup, threads,
                              key=f"{token}-{i}", pure=False)
            futs[f.key] = (f, i)
        # with_results: the results are fetched concurrently on the client's event loop (one
        # blocking f.result() per chunk costs a round trip each: 10 s for 256 chunks when loaded)
        for f, res in as_completed([f for f, _ in futs.values()], with_results=True,
                                   raise_errors=False):
            i = futs[f.key][1]
            if f.status == "error":
                raise _annotate(res[1], i, bounds[i])
            finished(i, _unpack(res))
    except BaseException:
        if client is not None and futs:
            try:
                client.cancel([f for f, _ in futs.values()], force=True)
            except Exception:  # pragma: no cover - the client may be gone already
                pass
        if cluster is not None:
            _stop_local_workers(cluster)
        raise
    finally:
        if client is not None:
            client.close()
        stack.close()  # the local cluster, if one was started


STOP_GRACE_SECONDS = 0.5  # a local cluster's worker still in a chunk at Ctrl-C gets this long, then SIGKILL


async def _close_nannies(nannies, timeout: float) -> None:
    import asyncio

    await asyncio.gather(*(n.close(timeout=timeout, reason="sweep-interrupted") for n in nannies),
                         return_exceptions=True)


def _stop_local_workers(cluster) -> None:
    """Stop a local cluster's worker processes now (Ctrl-C, or a chunk's error): a cancelled task does not
    stop the thread that runs it, and the cluster's own close waits 4 s (0.8 x the nanny's 5 s) for such a
    worker before it kills it; here each nanny gets STOP_GRACE_SECONDS (x 0.8), then kills its worker.
    Closed nannies are not restarted, and the cluster's close then finds them closed."""
    nannies = [w for w in getattr(cluster, "workers", {}).values() if hasattr(w, "close")]
    if not nannies:
        return
    try:
        cluster.sync(_close_nannies, nannies, STOP_GRACE_SECONDS)
    except Exception:  # pragma: no cover - the cluster's own close below still runs (slower)
        pass


# ------------------------------------------------------------------------------------ CLI helpers
def _workers_arg(text: str) -> int:
    import argparse

    try:
        v = int(text)
    except ValueError:
        v = None
    if v is None or not 1 <= v <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer in 1..{MAX_WORKERS}")
    return v


def _scheduler_arg(text: str) -> str:
    import argparse

    if text == "local" or ("://" in text and text.split("://", 1)[1]) or ":" in text:
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not 'local' or a scheduler address such as "
                                     f"tcp://host:8786")


def add_sweep_arguments(parser) -> None:
    """Add ``--workers N`` (1..1024) and ``--scheduler ADDRESS|local`` to an argparse parser."""
    g = parser.add_argument_group("parallel sweep")
    g.add_argument("--workers", type=_workers_arg, default=None, metavar="N",
                   help=f"worker processes, 1..{MAX_WORKERS} (default: ${WORKERS_ENV} when set, else the cores this "
                        f"process may use; 1 runs "
                        f"in this process); with --scheduler local, the size of the local Dask cluster")
    g.add_argument("--scheduler", type=_scheduler_arg, default=None, metavar="ADDRESS|local",
                   help=f"run the chunks on Dask: a scheduler address (tcp://host:8786) or 'local' to "
                        f"start a LocalCluster (needs {INSTALL_HINT})")


def sweep_options(args) -> dict:
    """The keyword arguments of :func:`sweep` from the parsed ``--workers`` / ``--scheduler``.

    With ``--scheduler`` the Dask executor is checked here, so a missing ``distributed`` package is a
    one-line :class:`SweepUnavailable` before any long computation."""
    workers = getattr(args, "workers", None)
    scheduler = getattr(args, "scheduler", None)
    if workers is None:
        default_workers()  # a bad $ADAM_BEYOND_WORKERS is a one-line error before any long computation
    if scheduler is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise SweepUnavailable(f"--scheduler: the Dask executor needs the distributed package: "
                                   f"{INSTALL_HINT}") from None
        return {"executor": "dask", "workers": workers, "scheduler": scheduler}
    if workers == 1:
        return {"executor": "inline", "workers": 1, "scheduler": None}
    if workers is not None:
        return {"executor": "processes", "workers": workers, "scheduler": None}
    return {"executor": "auto", "workers": None, "scheduler": None}
