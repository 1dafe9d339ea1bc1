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

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(ValueError):
    """A user-facing input error; its message is the one line printed."""


class Parser(argparse.ArgumentParser):
    """argparse that reports errors on one line and exits with code 2."""

    def error(self, message):  # noqa: D401 - argparse API
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def fail(prog: str, message: str) -> "NoReturn":  # type: ignore[name-defined]
    sys.stderr.write(f"{prog}: error: {message}\n")
    raise SystemExit(EXIT_BAD_INPUT)


def write_atomic(path: str, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and os.replace."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    os.makedirs(folder, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, mode) as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
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
