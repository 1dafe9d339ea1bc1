"""A dependency-free progress bar on stderr (long runs must show progress; results go to stdout)."""
from __future__ import annotations

import sys
import time


class Bar:
    """``with Bar("label", total) as bar: bar.update(k)``; redraws at most every 0.2 s.

    On a terminal the bar redraws in place; otherwise it prints one line at the start and one at
    the end, so logs stay short.  ``enabled=False`` silences it (``--quiet``).
    """

    def __init__(self, label: str, total: int, enabled: bool = True, stream=None):
        self.label, self.total, self.enabled = label, max(1, int(total)), enabled
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = time.perf_counter()
        self._last = 0.0
        self.done = 0

    def __enter__(self):
        if self.enabled and not self.tty:
            print(f"[search] {self.label} ...", file=self.stream, flush=True)
        self._draw(force=True)
        return self

    def update(self, done: int, total: int | None = None):
        if total is not None:
            self.total = max(1, int(total))
        self.done = done
        self._draw()

    def _draw(self, force: bool = False):
        if not (self.enabled and self.tty):
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.2:
            return
        self._last = now
        frac = min(1.0, self.done / self.total)
        width = 28
        fill = int(frac * width)
        print(f"\r[search] {self.label:<38} [{'#' * fill}{'.' * (width - fill)}] {frac:4.0%} "
              f"{now - self.t0:5.1f}s", end="", file=self.stream, flush=True)

    def __exit__(self, *exc):
        if not self.enabled:
            return False
        secs = time.perf_counter() - self.t0
        if self.tty:
            self.done = self.total
            self._last = 0.0
            self._draw(force=True)
            print("", file=self.stream, flush=True)
        else:
            print(f"[search] {self.label} done in {secs:.1f}s", file=self.stream, flush=True)
        return False
