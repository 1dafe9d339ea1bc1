"""The one command-line plumbing module of every ``python -m ...`` entry point (and the benchmark).

It lives in ``numerics`` (the lowest layer) so that every layer may import it.  What it fixes, once:

* **One parser class** (:class:`Parser`): errors are one line ``prog: error: ...`` and exit 2; every
  ``--help`` ends with the exit codes; empty values (``--output ''``) are rejected; ``--json`` and
  ``--output FILE`` mean the same everywhere, and ``--output`` / ``--plot`` are checked (folder writable,
  plot format known) *before* any work.
* **Number arguments** (:func:`number`, :data:`RANGES`): exact decimals or ``p/q`` read as exact
  rationals; ``nan``, ``inf`` and values beyond float64 are rejected with the flag and its range.  The
  same parameter has the same range in every command (beta2 in (0, 1) everywhere, ...).
* **Outputs** (:func:`emit`, :func:`write_atomic`): ``--output FILE`` gets exactly the text that stdout
  shows, written through a temporary file and ``os.replace`` (never a partial file).
* **Exits** (:func:`main_entry`): 0 success, 1 a check failed, 2 bad input, 130 interrupted.  Ctrl-C
  prints one line and ends at once (pending temporary files removed, nothing half-written); a closed
  stdout pipe (``| head``) ends quietly.
* **Progress** (:class:`Progress`): on stderr, with an ETA, only for runs longer than about 2 s; a
  step that reports nothing for 2 s still shows that it is running (a heartbeat line).
* **Long runs** (:func:`confirm_eta`, :func:`estimate_seconds`): a run estimated to pass an hour prints
  its ETA and needs ``--yes`` (else one line, exit 2).  The estimate asks the engine first
  (``numerics.engine.estimate_seconds``, where a fast path knows its own cost), else times short runs.
* **JSON** (:func:`dumps`, :func:`meta`): every command writes JSON through the one :func:`dumps`
  (strict: NaN and infinities as strings, exact rationals as "p/q"); every document has
  ``meta`` = {tool, versions, seed, precision}.
* **Python APIs** (:func:`value`): the keyword APIs behind the commands check typed values (int,
  Fraction, float, str) against the same :data:`RANGES` and raise :class:`BadInput`, never SystemExit.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import signal
import struct
import sys
import tempfile
import threading
import time
from fractions import Fraction
from typing import Callable, NoReturn

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_HELP = ("exit codes: 0 success, 1 a check failed (a regression of the toolkit), 2 bad input (one line "
             "naming the argument and its allowed range), 130 interrupted (Ctrl-C)")
PLOT_FORMATS = (".png", ".pdf", ".svg")
FLOAT_MAX = Fraction(sys.float_info.max)


class BadInput(ValueError):
    """A user-facing input error; its message is the one line printed (exit 2)."""


class CheckFailed(RuntimeError):
    """A check of the toolkit failed; its message is the one line printed (exit 1)."""


# ------------------------------------------------------------------------------------------------
# number arguments
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?$")
_RATIO = re.compile(r"^[+-]?\d+/\d+$")
MAX_DIGITS = 400  # an exponent or a numerator beyond this cannot be a float64 parameter anyway


def _interval(lo, hi, lo_open, hi_open) -> str:
    lo_s = "-inf" if lo is None else str(lo)
    hi_s = "inf" if hi is None else str(hi)
    return f"{'(' if lo_open or lo is None else '['}{lo_s}, {hi_s}{')' if hi_open or hi is None else ']'}"


def parse_number(text, name: str, lo=None, hi=None, lo_open=False, hi_open=False, integer=False) -> Fraction:
    """``text`` as an exact rational in the given range, else BadInput naming ``name`` and the range."""
    rng = _interval(lo, hi, lo_open, hi_open)
    kind = "an integer" if integer else "a number"
    want = f"{name} must be {kind} in {rng}"
    s = str(text).strip()
    if not s:
        raise BadInput(f"{want} (got an empty value)")
    if not (_DECIMAL.match(s) or (not integer and _RATIO.match(s))) or len(s) > MAX_DIGITS:
        raise BadInput(f"{want}, written as a decimal{'' if integer else ' or p/q'} (got {s!r})")
    m = _DECIMAL.match(s)
    if m and m.group(2) and abs(int(m.group(2)[1:])) > 330:  # beyond float64 either way (1e400, 1e-400)
        raise BadInput(f"{want} and representable in float64 (got {s!r})")
    try:
        v = Fraction(s)
    except (ValueError, ZeroDivisionError):
        raise BadInput(f"{want} (got {s!r}: not a number)") from None
    if abs(v) > FLOAT_MAX:
        raise BadInput(f"{want} and representable in float64 (got {s!r})")
    if integer and v.denominator != 1:
        raise BadInput(f"{want} (got {s!r})")
    bad = (lo is not None and (v < lo or (lo_open and v == lo))) or \
          (hi is not None and (v > hi or (hi_open and v == hi)))
    if bad:
        raise BadInput(f"{want} (got {s})")
    return v


# One range per parameter, for every command and every Python API.  (lo, hi, lo_open, hi_open, integer)
# A command may ask more of a value where its mathematics does (Theorem 1's C > 2, an even C for
# Theorem 2); it says so in its own message.  T is bounded by float64's exact integers' reach of the
# engines' counters; a run estimated to pass an hour needs --yes (confirm_eta).
RANGES = {
    "alpha": (0, None, True, False, False),
    "beta1": (0, 1, False, True, False),
    "beta2": (0, 1, True, True, False),
    "eps": (0, None, False, False, False),
    "lam": (0, 1, True, True, False),
    "x1": (-1, 1, False, False, False),
    "delta": (0, 1, True, False, False),  # Theorem 3's small constant: p = (1 + delta)/(C + 1)
    "p": (0, 1, True, True, False),
    "C": (0, None, True, False, False),
    "n": (2, 10**6, False, False, True),  # a period is held as a list of n exact rows
    "T": (1, 10**15, False, False, True),
    "seed": (0, 2**32 - 1, False, False, True),
    "dps": (5, 10**5, False, False, True),
    "timeout": (0, 600, True, False, False),
    "grid": (2, 256, False, False, True),
    "threshold_map": (2, 64, False, False, True),
    "decades": (1, 9, False, False, True),
    "paths": (100, 10**6, False, False, True),
    "C_max": (3, 4096, False, False, True),
}


def value(param: str, v, name: str | None = None):
    """A typed value of ``param`` (int, Fraction, float, decimal str or "p/q") checked against
    :data:`RANGES`: an exact Fraction (an int for integer parameters), else :class:`BadInput` naming
    ``name`` (default ``param``) and the range.  A float is read as its shortest decimal (0.9 -> 9/10).

    >>> value("beta2", 0.99), value("T", 1e6), value("beta1", "1/2")
    (Fraction(99, 100), 1000000, Fraction(1, 2))
    """
    lo, hi, lo_open, hi_open, integer = RANGES[param]
    name = name or param
    if isinstance(v, bool) or v is None:
        raise BadInput(f"{name} must be {'an integer' if integer else 'a number'} in "
                       f"{_interval(lo, hi, lo_open, hi_open)} (got {v!r})")
    if isinstance(v, Fraction):
        text = str(v)
    elif isinstance(v, float) or type(v).__name__.startswith("float"):
        f = float(v)
        text = repr(f) if math.isfinite(f) else str(f)
    elif isinstance(v, int) or type(v).__name__.startswith("int"):
        text = str(int(v))
    elif isinstance(v, str):
        text = v
    else:
        raise BadInput(f"{name} must be a number (int, Fraction, float or str), got {type(v).__name__}")
    if integer and isinstance(v, Fraction) and v.denominator == 1:
        text = str(v.numerator)
    q = parse_number(text, name, lo, hi, lo_open, hi_open, integer)
    return int(q) if integer else q


def number(param: str | None = None, *, flag: str | None = None, lo=None, hi=None, lo_open=False,
           hi_open=False, integer=False) -> Callable[[str], Fraction | int]:
    """An argparse ``type=`` for a number argument: ``number("beta2")`` uses :data:`RANGES`."""
    if param is not None:
        lo, hi, lo_open, hi_open, integer = RANGES[param]
    name = flag or f"--{param}"

    def convert(text):
        try:
            v = parse_number(text, name, lo, hi, lo_open, hi_open, integer)
        except BadInput as exc:  # argparse prefixes "argument --flag:", so drop the name here
            raise argparse.ArgumentTypeError(str(exc).removeprefix(name + " ")) from None
        return int(v) if integer else v

    convert.__name__ = "number"
    return convert


def range_text(param: str) -> str:
    """The allowed range of ``param`` as printed in messages and ``--help``."""
    lo, hi, lo_open, hi_open, integer = RANGES[param]
    return ("an integer in " if integer else "") + _interval(lo, hi, lo_open, hi_open)


# ------------------------------------------------------------------------------------------------
# the parser
class Parser(argparse.ArgumentParser):
    """argparse with the project's conventions (see the module docstring).

    ``Parser(prog, description, output=True, plot=False)`` adds ``--json`` and ``--output FILE``
    (and ``--plot FILE``).  :meth:`parse_args` also rejects empty values and checks the output paths
    before returning, so that a bad path fails before any work."""

    def __init__(self, *args, output: bool = True, json_help: str = "print one JSON object on stdout "
                 "instead of the table", plot: bool = False, raise_errors: bool = False, **kw):
        self.raise_errors = raise_errors  # a Python API parsing a list: BadInput instead of SystemExit
        epilog = kw.pop("epilog", None)
        kw.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        # a caller that still defines its own --json (benchmarks/run.py, until it switches over) replaces ours
        kw.setdefault("conflict_handler", "resolve")
        super().__init__(*args, epilog=(epilog + "\n\n" if epilog else "") + EXIT_HELP, **kw)
        self._outputs = []
        if output:
            self.add_argument("--json", action="store_true", help=json_help)
            self.add_argument("--output", metavar="FILE", help="also write exactly what stdout shows to FILE "
                              "(atomically; the folder must exist)")
            self._outputs.append(("output", "--output", None))
        if plot:
            self.add_argument("--plot", metavar="FILE", help="write the figure to FILE (.png, .pdf or .svg)")
            self._outputs.append(("plot", "--plot", PLOT_FORMATS))

    def error(self, message) -> NoReturn:  # noqa: D401 - argparse API
        if self.raise_errors:
            raise BadInput(' '.join(str(message).split()))
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {' '.join(str(message).split())}\n")

    def parse_args(self, args=None, namespace=None):
        ns = super().parse_args(args, namespace)
        for action in self._actions:
            value = getattr(ns, action.dest, None) if action.dest != "help" else None
            if isinstance(value, str) and not value.strip() and action.option_strings:
                self.error(f"argument {action.option_strings[-1]}: empty value"
                           + (f" ({action.help})" if action.help else ""))
        try:
            for dest, flag, formats in self._outputs:
                path = getattr(ns, dest, None)
                if path is not None:
                    check_output_path(path, flag, formats)
        except BadInput as exc:
            self.error(str(exc))
        return ns


def fail(prog: str, message: str) -> NoReturn:
    sys.stderr.write(f"{prog}: error: {message}\n")
    raise SystemExit(EXIT_BAD_INPUT)


# ------------------------------------------------------------------------------------------------
# outputs
_PENDING: set[str] = set()  # temporary files of atomic writes in progress (removed on Ctrl-C)


def check_writable(path: str, argname: str) -> None:
    """Fail early (BadInput, exit 2) when ``path`` cannot be written, before any long computation."""
    if not str(path).strip():
        raise BadInput(f"{argname}: empty file name")
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise BadInput(f"{argname}: folder {folder} does not exist")
    if os.path.isdir(path):
        raise BadInput(f"{argname}: {path} is a folder")
    try:  # a real probe: permissions alone do not tell (e.g. /proc for root)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise BadInput(f"{argname}: cannot write in {folder} ({exc.strerror or exc})") from None


def check_output_path(path: str, argname: str, formats=None) -> None:
    """``check_writable`` plus, for a figure, a known format (by the file's suffix)."""
    if formats is not None and os.path.splitext(path)[1].lower() not in formats:
        raise BadInput(f"{argname}: {path!r} must end in one of {', '.join(formats)}")
    check_writable(path, argname)


def write_atomic(path: str, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and os.replace.

    The folder must exist (it is not created behind the user's back); the file gets the usual
    permissions (0666 less the umask).  Failure raises BadInput naming the path, and leaves any
    earlier file at ``path`` untouched; so does Ctrl-C (the temporary file is removed).
    """
    folder = os.path.dirname(os.path.abspath(path)) or "."
    mode = "wb" if isinstance(data, bytes) else "w"
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None
    _PENDING.add(tmp)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, mode) as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    finally:
        _PENDING.discard(tmp)


def emit(text: str, output: str | None = None) -> None:
    """Show ``text`` on stdout and, with ``--output FILE``, write exactly the same text to FILE."""
    if not text.endswith("\n"):
        text += "\n"
    if output:
        write_atomic(output, text)
    sys.stdout.write(text)
    sys.stdout.flush()


def plain(obj):
    """``obj`` as plain JSON values: exact rationals as "p/q", NaN and infinities as "nan"/"inf"/"-inf"
    (strict JSON has no such numbers), numpy scalars and arrays as numbers and lists, tuples and sets as
    lists, dataclasses as dicts, anything else as its str."""
    if obj is None or isinstance(obj, (bool, str, int)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else str(obj)
    if isinstance(obj, Fraction):
        return str(obj)
    if isinstance(obj, dict):
        return {k if isinstance(k, str) else str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return [plain(v) for v in sorted(obj, key=str)]
    if hasattr(obj, "tolist") and hasattr(obj, "dtype"):  # numpy scalar or array
        return plain(obj.tolist())
    import dataclasses

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return plain(dataclasses.asdict(obj))
    return str(obj)


def dumps(doc) -> str:
    """The JSON text of every command (one function for all): :func:`plain` values, strict, indented.

    >>> print(dumps({"C": Fraction(1, 2), "D": float("nan")}))
    {
     "C": "1/2",
     "D": "nan"
    }
    """
    return json.dumps(plain(doc), indent=1, allow_nan=False)


def versions() -> dict:
    """Versions of the interpreter and of the numerical libraries that produced a result."""
    out = {"python": platform.python_version()}
    for mod in ("numpy", "mpmath", "sympy", "z3", "flint", "numba"):
        try:
            m = __import__(mod)
            out[mod] = getattr(m, "__version__", None) or (m.get_version_string() if mod == "z3" else None)
        except Exception:  # pragma: no cover - optional libraries
            out[mod] = None
    try:
        from importlib.metadata import version

        out["adam-beyond"] = version("adam-beyond")
    except Exception:  # pragma: no cover
        out["adam-beyond"] = None
    return out


def meta(tool: str, seed=None, precision=None, **extra) -> dict:
    """The ``meta`` block of every JSON document: the same keys in every command."""
    return {"tool": tool, "versions": versions(), "seed": seed, "precision": precision, **extra}


# ------------------------------------------------------------------------------------------------
# exits: bad input, interrupts, closed pipes
def _quiet_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so that the final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


def _on_sigint(prog: str, main_pid: int):
    def handler(signum, frame):
        # End now: a signal handler runs between bytecodes, so this is within a second of Ctrl-C even
        # when library code would catch KeyboardInterrupt.  Nothing is half-written: pending
        # temporary files go, and os._exit skips flushing buffered partial stdout.
        for tmp in list(_PENDING):
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if os.getpid() == main_pid:  # worker processes of a sweep end silently
            try:
                os.write(2, f"{chr(10) if os.isatty(2) else ''}{prog}: interrupted\n".encode())
            except OSError:
                pass
        os._exit(EXIT_INTERRUPTED)

    return handler


def _run(prog, body, argv) -> int:
    try:
        rc = body(argv)
        sys.stdout.flush()
        return int(rc or 0)
    except BadInput as exc:
        sys.stderr.write(f"{prog}: error: {' '.join(str(exc).split())}\n")
        return EXIT_BAD_INPUT
    except CheckFailed as exc:
        sys.stderr.write(f"{prog}: error: {' '.join(str(exc).split())}\n")
        return EXIT_CHECK_FAILED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write(f"{chr(10) if sys.stderr.isatty() else ''}{prog}: interrupted\n")
        return EXIT_INTERRUPTED


# The progress of an isolated worker, shared with its supervisor (an anonymous shared mapping made
# before the fork): compiled code (a numba kernel, a Z3 call) can hold the worker's interpreter for
# many seconds, so the supervisor, idle otherwise, shows that the step is still running.
_SHARED = None
_HB = struct.Struct("<QBBddqq")  # seq, active, tty, t0 (epoch s), last shown (epoch s), done, total
_HB_LABEL = 2048


def _hb_write(active: bool, tty: bool = False, t0: float = 0.0, last: float = 0.0, done: int = 0,
              total: int = 1, label: str = "") -> None:
    if _SHARED is None:
        return
    seq = _HB.unpack_from(_SHARED, 0)[0] + 1  # odd while writing (a seqlock: the reader retries)
    _HB.pack_into(_SHARED, 0, seq, 0, 0, 0.0, 0.0, 0, 1)
    raw = label.encode("utf-8", "replace")[:_HB_LABEL - 2]
    _SHARED[_HB.size:_HB.size + 2 + len(raw)] = len(raw).to_bytes(2, "little") + raw
    _HB.pack_into(_SHARED, 0, seq + 1, int(active), int(tty), t0, last, int(done), int(total))


def _hb_read():
    for _ in range(5):
        seq, active, tty, t0, last, done, total = _HB.unpack_from(_SHARED, 0)
        n = int.from_bytes(_SHARED[_HB.size:_HB.size + 2], "little")
        label = _SHARED[_HB.size + 2:_HB.size + 2 + n].decode("utf-8", "replace")
        if seq % 2 == 0 and _HB.unpack_from(_SHARED, 0)[0] == seq:
            return bool(active), bool(tty), t0, last, done, total, label
    return None


def _hb_beat(delay: float = 2.0, every: float = 10.0) -> None:
    """Supervisor side: when the worker's running step has shown nothing for ``delay`` s, show its line."""
    st = _hb_read()
    if st is None:
        return
    active, tty, t0, last, done, total, label = st
    now = time.time()
    if not active or now - t0 < delay or now - last < (1.0 if tty else every) or now - t0 < 0:
        return
    line = _progress_line(label, done, total, now - t0)
    try:
        os.write(2, (f"\r{line}\x1b[K" if tty else line + "\n").encode())
    except OSError:
        return
    seq = _HB.unpack_from(_SHARED, 0)[0]
    if seq % 2 == 0:  # record the line as shown (the worker rewrites the whole record on its next change)
        _HB.pack_into(_SHARED, 0, seq, int(active), int(tty), t0, now, int(done), int(total))


def _supervise(prog: str, pid: int) -> int:
    """Parent side of :func:`main_entry` with ``isolate=True``: wait for the worker (showing its progress
    when the worker cannot); on Ctrl-C kill it."""
    def handler(signum, frame):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.write(2, f"{chr(10) if os.isatty(2) else ''}{prog}: interrupted\n".encode())
        except OSError:
            pass
        os._exit(EXIT_INTERRUPTED)

    signal.signal(signal.SIGINT, handler)
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG if _SHARED is not None else 0)
        except ChildProcessError:  # pragma: no cover
            return EXIT_CHECK_FAILED
        if done:
            break
        _hb_beat()
        time.sleep(0.2)
    return os.waitstatus_to_exitcode(status) if status else 0


def die_with_parent(parent: int) -> None:
    """In a forked child: be killed when ``parent`` dies (Linux PR_SET_PDEATHSIG), so that a worker
    never outlives the process that waits for it (a killed supervisor, a killed audit)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 -- other systems: no such guarantee
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def main_entry(prog: str, body: Callable[[list[str] | None], int], argv=None, isolate: bool = False) -> int:
    """Run ``body(argv)`` with the project's exit conventions; returns the exit code.

    BadInput -> one line, 2; Ctrl-C -> one line, 130; a closed stdout pipe -> quiet, 0 (the reader
    chose to stop reading; that is not a failure of the command).

    ``isolate=True`` (the ``python -m`` entry points) runs the work in a forked worker process and
    waits for it: Python signal handlers cannot run while compiled code (a numba kernel, a Z3 call)
    holds the interpreter, so only a supervising process can end the command within a second of
    Ctrl-C, whatever the worker is doing.  Atomic writes mean the worker leaves no partial file."""
    if isolate and hasattr(os, "fork"):
        sys.stdout.flush()
        sys.stderr.flush()
        supervisor = os.getpid()
        global _SHARED
        try:
            import mmap

            _SHARED = mmap.mmap(-1, _HB.size + _HB_LABEL)  # shared and anonymous: survives the fork
        except (ImportError, OSError, ValueError):  # pragma: no cover - no shared memory: no heartbeat
            _SHARED = None
        pid = os.fork()
        if pid:
            return _supervise(prog, pid)
        die_with_parent(supervisor)  # a supervisor killed outright takes its worker with it
        try:  # the worker: silent on Ctrl-C (the supervisor prints the one line)
            signal.signal(signal.SIGINT, _on_sigint(prog, -1))
            rc = _run(prog, body, argv)
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                _quiet_stdout()
            sys.stderr.flush()
        except SystemExit as exc:  # argparse: --help (0) and usage errors (2, message already printed)
            rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_CHECK_FAILED)
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                _quiet_stdout()
        except BaseException:  # pragma: no cover - never let the worker return into the caller
            import traceback

            traceback.print_exc()
            rc = EXIT_CHECK_FAILED
        os._exit(rc)
    try:
        old = signal.signal(signal.SIGINT, _on_sigint(prog, os.getpid()))
    except ValueError:  # not the main thread (e.g. called from a test runner's worker thread)
        old = None
    try:
        return _run(prog, body, argv)
    finally:
        if old is not None:
            signal.signal(signal.SIGINT, old)


# ------------------------------------------------------------------------------------------------
# progress
def _progress_line(label: str, done: int, total: int, elapsed: float) -> str:
    frac = min(1.0, done / max(1, total))
    eta = f"ETA {elapsed * (1 - frac) / frac:,.0f} s" if frac > 0 else "ETA unknown"
    return f"{label}: {done:,}/{total:,} ({frac:.0%}) {elapsed:,.1f} s, {eta}"


class Progress:
    """Progress on stderr with an ETA: ``with Progress("label", total) as p: p.update(done)``.

    Silent for the first ``delay`` seconds (short runs stay quiet), then on a terminal one line
    redrawn in place at most every 0.2 s, otherwise a line every ``every`` seconds.  ``enabled=False``
    silences it (``--quiet``).  ``update`` also accepts ``(done, total)``, the engine's callback shape.
    Used as a context manager it also keeps a heartbeat: a step that calls no ``update`` for ``delay``
    seconds (one Z3 query, one long kernel segment) still shows a line with its elapsed time, from a
    daemon thread (it runs whenever the working thread lets the interpreter go, e.g. between the
    engine's segments).
    """

    def __init__(self, label: str, total: int, enabled: bool = True, stream=None, delay: float = 2.0,
                 every: float = 10.0):
        self.label, self.total, self.enabled = label, max(1, int(total)), enabled
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = time.perf_counter()
        self.delay, self.every = delay, every
        self._last = -math.inf
        self.done = 0
        self.shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beat = None

    _stack: list = []  # the bars open in this process, innermost last

    def __enter__(self):
        Progress._stack.append(self)
        self._publish()
        if self.enabled and _SHARED is None:  # supervised: the supervisor keeps the heartbeat
            self._beat = threading.Thread(target=self._heartbeat, name="progress-heartbeat", daemon=True)
            self._beat.start()
        return self

    def _heartbeat(self):
        period = 1.0 if self.tty else self.every
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            with self._lock:
                if time.perf_counter() - self._last >= min(period, self.delay):
                    self._show(time.perf_counter())
            if self._stop.wait(0.5):
                return

    def __call__(self, done: int, total: int | None = None):
        self.update(done, total)

    def line(self) -> str:
        return _progress_line(self.label, self.done, self.total, time.perf_counter() - self.t0)

    def _publish(self, active=True):
        """Tell a supervising process (main_entry's isolate) what runs, for its heartbeat."""
        if _SHARED is not None and self.enabled:
            if active:
                el = time.perf_counter() - self.t0
                now = time.time()
                _hb_write(True, self.tty, now - el, now - (time.perf_counter() - self._last)
                          if self._last > -math.inf else 0.0, self.done, self.total, self.label)
            else:
                prev = Progress._stack[-1] if Progress._stack else None
                if prev is not None:
                    prev._publish()
                else:
                    _hb_write(False)

    def update(self, done: int, total: int | None = None):
        if total is not None:
            self.total = max(1, int(total))
        self.done = done
        if not self.enabled:
            return
        self._publish()
        now = time.perf_counter()
        if now - self.t0 < self.delay or now - self._last < (0.2 if self.tty else self.every):
            return
        with self._lock:
            self._show(now)

    def _show(self, now):
        if self._stop.is_set():
            return
        self._last = now
        self.shown = True
        try:
            if self.tty:
                self.stream.write(f"\r{self.line()}\x1b[K")
            else:
                self.stream.write(self.line() + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # stderr gone: progress is not worth failing for
            pass
        self._publish()

    def __exit__(self, *exc):
        self._stop.set()
        if self in Progress._stack:
            Progress._stack.remove(self)
        if _SHARED is not None and self.enabled:
            last = _hb_read()
            if last is not None and last[3] > 0 and time.time() - last[3] < 60:
                self.shown = True  # the supervisor showed a line of this step: close it with "done"
        self._publish(active=False)
        if self._beat is not None:
            with self._lock:  # a heartbeat line in flight is finished before the summary
                pass
        if self.enabled and self.shown:
            if self.tty:
                self.stream.write("\n")
            self.stream.write(f"{self.label}: done in {time.perf_counter() - self.t0:,.1f} s\n")
            self.stream.flush()
        return False


# ------------------------------------------------------------------------------------------------
# long runs: the ETA first, and --yes past an hour
ETA_CONFIRM_S = 3600.0


def duration(seconds: float) -> str:
    """A human duration: '42 s', '3.5 min', '2.1 h', '98 days', '3.1e+03 years'."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    if seconds < 1000 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / 86400 / 365.25:.2g} years"


def confirm_eta(seconds: float | None, yes: bool, what: str, stream=None) -> None:
    """The guard of every long run: with an estimate over :data:`ETA_CONFIRM_S` (an hour), print the
    ETA on stderr and go on when ``yes`` (``--yes``), else raise :class:`BadInput` with the ETA in its
    one line (exit 2, before any work).  ``seconds`` None (no estimate, or a fast path that knows it is
    quick) passes."""
    if seconds is None:
        return
    stream = stream or sys.stderr
    if seconds <= ETA_CONFIRM_S:
        if seconds >= 60:  # long enough to want to know, short enough to start without asking
            stream.write(f"{what}: ETA {duration(seconds)} (estimated)\n")
            stream.flush()
        return
    if not yes:
        raise BadInput(f"{what}: estimated run time {duration(seconds)} (ETA over 1 hour); "
                       f"add --yes (Python: yes=True) to start it, or choose a smaller T")
    stream.write(f"{what}: ETA {duration(seconds)} (over 1 hour; --yes given)\n")
    stream.flush()


def estimate_seconds(method, problem, T: int, x1=0, backend=None, lanes: int = 1) -> float | None:
    """Estimated wall time of ``numerics.engine.simulate(method, problem, T, x1, backend)`` (times
    ``lanes`` for a batch of independent runs), or None for a run too short to matter (T <= 10^5).

    The hook for fast paths: when :mod:`numerics.engine` defines ``estimate_seconds(method, problem, T,
    x1=..., backend=...)`` its answer (a float, or None for "no opinion") is used first, so a fast path
    that does not step every round takes the guard out of the way.  Otherwise: short runs of growing
    length on the same path (compiled once first) until one takes 0.2 s, extrapolated linearly."""
    T = int(T)
    try:
        from numerics import engine
    except ImportError:  # pragma: no cover - numerics without its engine
        engine = None
    hook = getattr(engine, "estimate_seconds", None)
    if hook is not None:
        est = hook(method, problem, T, x1=x1, backend=backend)
        if est is not None:
            return float(est) * max(1, lanes)
    if T <= 10**5:
        return None
    sim = engine.simulate if engine is not None else __import__("numerics.run", fromlist=["run"]).run
    kw = dict(x1=x1, backend=backend, checkpoints=[])
    sim(method, problem, 10, **kw)  # compile (numba caches on disk) outside the timing
    k, el = 1000, 0.0
    while True:
        t0 = time.perf_counter()
        sim(method, problem, k, **kw)
        el = time.perf_counter() - t0
        if el >= 0.2 or k * 10 > T // 10:
            break
        k *= 10
    return T * el / k * max(1, lanes)


__all__ = ["EXIT_OK", "EXIT_CHECK_FAILED", "EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "EXIT_HELP", "BadInput", "CheckFailed",
           "Parser", "number", "parse_number", "RANGES", "range_text", "fail", "check_writable",
           "check_output_path", "write_atomic", "emit", "dumps", "plain", "versions", "meta", "main_entry", "Progress",
           "value", "confirm_eta", "estimate_seconds", "duration", "ETA_CONFIRM_S", "die_with_parent"]
