"""A real process of ``python -m <command>`` without a fresh interpreter's library imports.

The tests of what only a process shows -- its exit code, Ctrl-C (SIGINT to it or to its process group), a
closed stdout pipe, a killed supervisor -- need a process of the command, not a fresh interpreter: each fresh
one pays ~1.5 CPU-s importing numpy, numba, SymPy, Z3 and python-flint before the command starts.  Here one
warmed parent (started once per test module) imports those LIBRARIES and none of the toolkit's packages, then
forks one child per command; the child takes the caller's pipes as its stdin/stdout/stderr, the caller's
environment and working folder, optionally a session of its own, and runs the command as ``python -m`` does
(``runpy.run_module(..., run_name="__main__", alter_sys=True)``, ``sys.path[0]`` the working folder).  It
leaves by the interpreter's normal exit (``SystemExit``: finalisation flushes stdout as a fresh process would,
so a closed pipe is met there too), never ``os._exit``.  The toolkit is imported afresh by each child, so no
state of an earlier command reaches a later one.  What a fresh interpreter alone shows (imports at start-up:
``-X importtime``) stays with fresh interpreters (tests/test_cli_battery.py keeps them, and one command of
each real-process check runs fresh).  As with numerics.sweep's forkserver (which preloads the same libraries
for its pool workers), a setting a library reads at its own import is the caller's environment at the time
the parent started (the toolkit sets none before importing them: it only reads the environment).

:class:`WarmParent` ``.popen(argv_after_-m, ...)`` returns a :class:`subprocess.Popen`-like object (``pid``,
``stdout``, ``stderr``, ``poll``, ``wait``, ``communicate``, ``send_signal``, ``kill``, ``returncode``;
``returncode`` is ``-N`` for a child ended by signal N, as Popen's).  Where ``os.fork`` or ``socket.send_fds``
is missing, :func:`warm_parent` gives None and the callers start fresh interpreters as before.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

# the third-party libraries the commands import (numpy before numba; mpmath under SymPy); none of the toolkit's
LIBS = ("numpy", "mpmath", "sympy", "z3", "numba", "flint")
OURS = ("analysis", "numerics", "proofs", "counterexamples", "pytest_adam_beyond")

_PARENT = r"""
import gc, importlib, json, os, signal, socket, sys
for lib in %(libs)r:
    try:
        importlib.import_module(lib)
    except Exception:
        pass
leaked = sorted(m for m in sys.modules if m.partition(".")[0] in %(ours)r)
if leaked:
    sys.exit("warm parent: the libraries imported the toolkit: %%s" %% leaked)
gc.collect()
gc.freeze()  # the libraries' objects are never garbage: no child's collection walks (and copies) their pages
sock = socket.socket(fileno=int(sys.argv[1]))
sock.setblocking(True)
buf = b""
while True:
    msg, fds, _, _ = socket.recv_fds(sock, 1 << 16, 3)
    if not msg:
        break
    req = json.loads(msg)
    pid = os.fork()
    if pid == 0:
        sock.close()
        for k, fd in enumerate(fds):
            os.dup2(fd, k)
            os.close(fd)
        if req["new_session"]:
            os.setsid()
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as a fresh interpreter has it
        # sys.stdin/stdout/stderr are the parent's objects on fds 0/1/2 (empty buffers: the parent writes
        # nothing), which now lead to the caller's pipes: block-buffered, as a fresh interpreter's on a pipe
        sys.path[0] = req["cwd"]  # what python -m puts first
        sys.argv = [req["module"], *req["argv"]]
        import runpy
        runpy.run_module(req["module"], run_name="__main__", alter_sys=True)
        sys.exit(0)  # the module returned without SystemExit: exit 0, as python -m does
    for fd in fds:
        os.close(fd)
    sock.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    sock.sendall(json.dumps({"status": os.waitstatus_to_exitcode(status)}).encode() + b"\n")
"""


class WarmParent:
    """One warmed parent process; :meth:`popen` forks a child of it that runs ``python -m <module> *argv``."""

    def __init__(self, cwd: str, libs=LIBS, env: dict | None = None):
        """``libs``: what the parent imports; ``env``: its environment (the caller's by default), which is what
        its interpreter and the libraries read at start-up (stdout's buffering, numba's settings)."""
        ours, theirs = socket.socketpair()
        self._sock = ours
        self.proc = subprocess.Popen([sys.executable, "-c", _PARENT % dict(libs=tuple(libs), ours=OURS),
                                      str(theirs.fileno())], pass_fds=(theirs.fileno(),), cwd=cwd,
                                     stdin=subprocess.DEVNULL, env=env)
        theirs.close()
        self._buf = b""
        self._current: WarmChild | None = None

    def _line(self, timeout: float | None) -> dict | None:
        """The parent's next reply; None when ``timeout`` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            self._sock.settimeout(left)
            try:
                chunk = self._sock.recv(4096)
            except (TimeoutError, socket.timeout, BlockingIOError):
                return None
            if not chunk:
                raise RuntimeError(f"the warm parent ended (status {self.proc.wait()})")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def popen(self, module: str, argv, cwd: str, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
              start_new_session: bool = False, text: bool = False, env: dict | None = None) -> "WarmChild":
        """A forked child running ``python -m module *argv`` in ``cwd``; ``stdout``/``stderr``: PIPE or
        DEVNULL (as subprocess's)."""
        self._end_current()
        mine, theirs = [], []
        null = os.open(os.devnull, os.O_RDWR)
        theirs.append(null)  # stdin
        for what in (stdout, stderr):
            if what == subprocess.PIPE:
                r, w = os.pipe()
                mine.append(os.fdopen(r, "r" if text else "rb"))
                theirs.append(w)
            else:
                mine.append(None)
                theirs.append(os.open(os.devnull, os.O_RDWR))
        req = dict(module=module, argv=[str(a) for a in argv], cwd=str(cwd), new_session=start_new_session,
                   env=dict(os.environ if env is None else env))
        socket.send_fds(self._sock, [json.dumps(req).encode()], theirs)
        for fd in theirs:
            os.close(fd)
        pid = self._line(timeout=60)["pid"]
        self._current = WarmChild(self, pid, mine[0], mine[1], start_new_session)
        return self._current

    def _end_current(self):
        """The parent waits for one child at a time: a child a failed test left running is ended first (its
        status is the next reply, which the next child's must not be mistaken for)."""
        c, self._current = self._current, None
        if c is not None and c.poll() is None:
            import signal

            try:
                os.killpg(c.pid, signal.SIGKILL) if c.new_session else os.kill(c.pid, signal.SIGKILL)
            except OSError:
                pass
            c.wait(timeout=60)

    def close(self):
        try:
            self._end_current()
            self._sock.close()
        finally:
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class WarmChild:
    """The part of :class:`subprocess.Popen` the process tests use, for a child of a :class:`WarmParent`."""

    def __init__(self, parent: WarmParent, pid: int, stdout, stderr, new_session: bool = False):
        self._parent, self.pid, self.stdout, self.stderr = parent, pid, stdout, stderr
        self.new_session = new_session
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            reply = self._parent._line(timeout=0)
            if reply is not None:
                self.returncode = reply["status"]
        return self.returncode

    def wait(self, timeout: float | None = None):
        if self.returncode is None:
            reply = self._parent._line(timeout=timeout)
            if reply is None:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            self.returncode = reply["status"]
        return self.returncode

    def communicate(self, timeout: float | None = None):
        """(stdout, stderr) read to their end, then the exit status (as Popen's: the pipes are read together,
        so a child that fills one of them does not block)."""
        import selectors

        deadline = None if timeout is None else time.monotonic() + timeout
        out = {s: [] for s in (self.stdout, self.stderr) if s is not None and not s.closed}
        sel = selectors.DefaultSelector()
        for s in out:
            sel.register(s, selectors.EVENT_READ)
        while sel.get_map():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            for key, _ in sel.select(left):
                data = os.read(key.fileobj.fileno(), 1 << 16)
                if data:
                    out[key.fileobj].append(data)
                else:
                    sel.unregister(key.fileobj)
        sel.close()
        got = []
        for s in (self.stdout, self.stderr):
            if s is None or s not in out:
                got.append(None)
                continue
            data = b"".join(out[s])
            got.append(data.decode() if "b" not in s.mode else data)
            s.close()
        self.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return tuple(got)

    def send_signal(self, sig):
        if self.returncode is None:
            os.kill(self.pid, sig)

    def kill(self):
        import signal

        self.send_signal(signal.SIGKILL)


def warm_parent(cwd: str) -> WarmParent | None:
    """A :class:`WarmParent`, or None where this platform cannot fork one (no ``os.fork``/``send_fds``)."""
    if not hasattr(os, "fork") or not hasattr(socket, "send_fds"):
        return None
    return WarmParent(cwd)
