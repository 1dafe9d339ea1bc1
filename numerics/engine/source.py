"""Module source of a compiled step, so that numba can cache the drivers on disk.

numba caches a function only when it lives in a file (it keys the cache on the file and its
position).  The step of a driver is a closure made by ``rule.make(CompiledBackend)``; this module
writes it out as plain module-level code: each function of the closure graph (the update and the
schedule helpers it calls) becomes a top-level function whose free variables are renamed to globals
holding the values they had (constants, the backend's numba helpers, named tuple classes).  The text
is the rule's own source (``inspect.getsource``), only renamed, so the cached kernel runs the one
definition.  Files are named by the hash of their whole text (and of this package's sources), so a
changed definition never meets a stale cache.
"""
from __future__ import annotations

import ast
import hashlib
import importlib.util
import inspect
import os
import sys
import tempfile
import textwrap
import types

_PKG = os.path.dirname(os.path.abspath(__file__))


#: The decorator of every function of a generated step module.  These functions are called only from compiled
#: drivers (which link their LLVM code and inline it), never from Python, so numba builds neither the CPython
#: nor the C-callable wrapper that every ``@njit`` function otherwise gets: each wrapper is lowered, optimised and
#: turned into machine code for nothing, about 40% of compiling a step and its schedule helpers (measured on
#: AMSGrad's six schedule pairs, 0.98 -> 0.58 CPU-s per step, issue 25).  ``cache=True``: a step compiled by
#: one process is loaded from numba's disk cache by the next (the other ``pytest -n 2`` worker, a user's next
#: run with a new driver of the same rule); the file is named by the hash of its text, so it never goes stale.
#: Calling such a function from Python is not possible (numba has no entry point for it): call a driver.
STEP_JIT = "@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True, cache=True)"


class NotTranspilable(Exception):
    """The closure holds a value that cannot be written as module source: compile without a cache."""


def _literal(v) -> str | None:
    if v is None or isinstance(v, (bool, int, str)):
        return repr(v)
    return None


def _import_of(v) -> str | None:
    """'from mod import name' text for a module-level class, function or dispatcher, else None."""
    target = getattr(v, "py_func", v)
    mod, qual = getattr(target, "__module__", None), getattr(target, "__qualname__", "")
    if isinstance(v, types.ModuleType):
        return f"importlib.import_module({v.__name__!r})"
    if mod and qual and "<locals>" not in qual and "." not in qual:
        return f"getattr(importlib.import_module({mod!r}), {qual!r})"
    return None


class _Writer:
    def __init__(self):
        self.lines: list[str] = []
        self.done: dict[int, str] = {}
        self.n = 0

    def value(self, v, hint: str) -> str:
        """An expression (a global name or a literal) for the value ``v``."""
        lit = _literal(v)
        if lit is not None:
            return lit
        if isinstance(v, float):  # a module constant, exact (also inf / nan); numba freezes it
            name = f"_g{self.n}_{hint}"
            self.n += 1
            self.lines.append(f"{name} = float.fromhex({v.hex()!r})")
            return name
        imp = _import_of(v)
        if imp is not None:
            name = f"_g{self.n}_{hint}"
            self.n += 1
            self.lines.append(f"{name} = {imp}")
            return name
        fn = getattr(v, "py_func", v)
        if isinstance(fn, types.FunctionType):
            return self.function(fn, jit=True)
        raise NotTranspilable(f"cannot write {type(v).__name__} {hint!r} as module source")

    def function(self, fn, jit: bool) -> str:
        if id(fn) in self.done:
            return self.done[id(fn)]
        name = f"_f{self.n}_{fn.__name__}"
        self.n += 1
        self.done[id(fn)] = name
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        node = tree.body[0]
        if not isinstance(node, ast.FunctionDef) or node.decorator_list:
            raise NotTranspilable(f"{fn.__qualname__}: not a plain def")
        rename = {}
        for var, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
            rename[var] = self.value(cell.cell_contents, var)
        local = set(fn.__code__.co_varnames)
        for var in fn.__code__.co_names:  # module globals the body reads
            if var in fn.__globals__ and var not in rename and var not in local:
                rename[var] = self.value(fn.__globals__[var], var)

        class R(ast.NodeTransformer):
            def visit_Name(self, n):
                if n.id in rename and isinstance(n.ctx, ast.Load):
                    return ast.copy_location(ast.parse(rename[n.id], mode="eval").body, n)
                return n

        node = R().visit(node)
        node.name = name
        ast.fix_missing_locations(node)
        self.lines.append((STEP_JIT + "\n" if jit else "") + ast.unparse(node))
        return name


def step_source(update, values: dict | None = None) -> tuple[str, str]:
    """(module source defining the step as ``update``, its name) for a closure made on the
    compiled backend; ``values`` (name -> value) are defined as module globals of those names too
    (the namespace of a specialised driver, see engine.specialise)."""
    w = _Writer()
    name = w.function(update, jit=True)
    extra = [f"{k} = {w.value(v, k)}" for k, v in (values or {}).items()]
    return "\n".join(w.lines + extra) + f"\nupdate = {name}\n", name


def _package_hash() -> str:
    h = hashlib.sha256()
    for f in sorted(os.listdir(_PKG)):
        if f.endswith(".py"):
            with open(os.path.join(_PKG, f), "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()[:16]


def cache_dir() -> str | None:
    """Where generated kernel modules live (``AB_KERNEL_CACHE`` or ~/.cache/adam-beyond/kernels);
    None when it cannot be written (then the kernels compile without a disk cache)."""
    d = os.environ.get("AB_KERNEL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "adam-beyond", "kernels")
    try:
        os.makedirs(d, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=d, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
        return d
    except OSError:
        return None


def load_module(text: str):
    """Import the generated ``text`` from a file named by its hash (written atomically once)."""
    d = cache_dir()
    if d is None:
        return None
    key = hashlib.sha256((_package_hash() + text).encode()).hexdigest()[:24]
    modname = f"ab_kernel_{key}"
    if modname in sys.modules:
        return sys.modules[modname]
    path = os.path.join(d, modname + ".py")
    if not os.path.exists(path):
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-", suffix=".py")
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    return mod
