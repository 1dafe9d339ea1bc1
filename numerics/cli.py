"""Command-line conventions shared by every ``python -m ...`` entry point (ARCHITECTURE.md).

Exit codes: 0 success, 1 a check failed, 2 bad input.  Bad input prints exactly one line naming the
argument and its allowed range, with no traceback.  Files are written atomically.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from typing import NoReturn

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(ValueError):
    """A user-facing input error; its message is the one line printed."""


class Parser(argparse.ArgumentParser):
    """argparse that reports errors on one line and exits with code 2."""

    def error(self, message):  # noqa: D401 - argparse API
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def fail(prog: str, message: str) -> NoReturn:
    sys.stderr.write(f"{prog}: error: {message}\n")
    raise SystemExit(EXIT_BAD_INPUT)


def check_writable(path: str, argname: str) -> None:
    """Fail early (BadInput, exit 2) when ``path`` cannot be written, before any long computation."""
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


def write_atomic(path: str, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and os.replace.

    The folder must exist (it is not created behind the user's back); the file gets the usual
    permissions (0666 less the umask).  Failure raises BadInput naming the path, and leaves any
    earlier file at ``path`` untouched.
    """
    folder = os.path.dirname(os.path.abspath(path)) or "."
    mode = "wb" if isinstance(data, bytes) else "w"
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None
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
