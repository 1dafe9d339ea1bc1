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
* **Progress** (:class:`Progress`): on stderr, with an ETA, only for runs longer than about 2 s.
* **JSON layout** (:func:`meta`): every JSON document has ``meta`` = {tool, versions, seed, precision}.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import signal
import sys
import tempfile
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


# One range per parameter, for every command.  (lo, hi, lo_open, hi_open, integer)
RANGES = {
    "alpha": (0, None, True, False, False),
    "beta1": (0, 1, False, True, False),
    "beta2": (0, 1, True, True, False),
    "eps": (0, None, False, False, False),
    "lam": (0, 1, True, True, False),
    "x1": (-1, 1, False, False, False),
    "delta": (0, None, True, False, False),
    "p": (0, 1, True, True, False),
    "C": (0, None, True, False, False),
    "n": (2, 10**7, False, False, True),
    "T": (1, 10**15, False, False, True),
    "seed": (0, 2**32 - 1, False, False, True),
    "dps": (5, 10**5, False, False, True),
    "timeout": (0, 600, True, False, False),
}


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
                 "instead of the table", plot: bool = False, **kw):
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


def dumps(doc) -> str:
    """The JSON text of every command: strict (no NaN), indented."""
    return json.dumps(doc, indent=1, allow_nan=False)


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


def _supervise(prog: str, pid: int) -> int:
    """Parent side of :func:`main_entry` with ``isolate=True``: wait for the worker; on Ctrl-C kill it."""
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
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:  # pragma: no cover
            return EXIT_CHECK_FAILED
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
class Progress:
    """Progress on stderr with an ETA: ``with Progress("label", total) as p: p.update(done)``.

    Silent for the first ``delay`` seconds (short runs stay quiet), then on a terminal one line
    redrawn in place at most every 0.2 s, otherwise a line every ``every`` seconds.  ``enabled=False``
    silences it (``--quiet``).  ``update`` also accepts ``(done, total)``, the engine's callback shape.
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

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int | None = None):
        self.update(done, total)

    def line(self) -> str:
        el = time.perf_counter() - self.t0
        frac = min(1.0, self.done / self.total)
        eta = f"ETA {el * (1 - frac) / frac:,.0f} s" if frac > 0 else "ETA unknown"
        return f"{self.label}: {self.done:,}/{self.total:,} ({frac:.0%}) {el:,.1f} s, {eta}"

    def update(self, done: int, total: int | None = None):
        if total is not None:
            self.total = max(1, int(total))
        self.done = done
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self.t0 < self.delay or now - self._last < (0.2 if self.tty else self.every):
            return
        self._last = now
        self.shown = True
        if self.tty:
            self.stream.write(f"\r{self.line()}\x1b[K")
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def __exit__(self, *exc):
        if self.enabled and self.shown:
            if self.tty:
                self.stream.write("\n")
            self.stream.write(f"{self.label}: done in {time.perf_counter() - self.t0:,.1f} s\n")
            self.stream.flush()
        return False


__all__ = ["EXIT_OK", "EXIT_CHECK_FAILED", "EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "EXIT_HELP", "BadInput", "CheckFailed",
           "Parser", "number", "parse_number", "RANGES", "range_text", "fail", "check_writable",
           "check_output_path", "write_atomic", "emit", "dumps", "versions", "meta", "main_entry", "Progress"]
