"""The docstring examples of the packages run as tests, and every public name carries its docstring.

Two rules (issue 25, item 3):

* every ``>>>`` example in ``analysis/``, ``numerics/``, ``counterexamples/`` and ``proofs/`` runs (one test
  per module that has one; found by reading the files, so collection imports nothing); an example that
  needs an optional library (torch, optax, jax, cupy, matplotlib) is skipped with the reason when that
  library is missing;
* every package ``__init__`` lists its public API in ``__all__``, and every name there has a docstring
  with an example (a ``>>>`` line); a constant (no docstring of its own) carries its meaning as a
  ``#:`` comment above its assignment or a string literal below it (Sphinx's two forms).

Why not ``--doctest-modules``: it imports every module of the packages (the CUDA, torch and optax
drivers included) at collection, in every xdist worker; this file imports only the modules that hold
an example, and runs each as one test.
"""
from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import pathlib
import re
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("analysis", "numerics", "counterexamples", "proofs")
# libraries a user may lack: an example that needs one is skipped when it is missing
OPTIONAL = ("torch", "optax", "jax", "cupy", "matplotlib", "numba", "distributed", "array_api_strict")

# An example that runs the numba kernels is marked ``# doctest: +NUMBA`` (compiling a kernel costs seconds:
# about 8 s cold, 3 s from numba's disk cache), one that runs Z3 proofs for seconds ``# doctest: +SLOW``;
# those run in their own test, marked slow (still part of the default suite), and the fast lane skips them.
NUMBA = doctest.register_optionflag("NUMBA")
SLOW = doctest.register_optionflag("SLOW")


def _is_slow(example) -> bool:
    return bool(example.options.get(NUMBA) or example.options.get(SLOW))


# Public names allowed without an example, each with its reason (keep this list short; a new public name
# gets a docstring with an example instead).
NO_EXAMPLE: set[str] = set(
    # (none today: even the command entry points ``main`` show a bad-input call and its exit code)
)


def _module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _source_files():
    for pkg in PACKAGES:
        yield from sorted((ROOT / pkg).rglob("*.py"))


def _modules_with_examples(marker=">>>"):
    return [_module_name(p) for p in _source_files() if marker in p.read_text(encoding="utf-8")]


def _packages():
    return [_module_name(p) for p in _source_files() if p.name == "__init__.py"]


def _import(name):
    try:
        return importlib.import_module(name)
    except ImportError as e:  # an optional library of this module is missing
        if (e.name or "").split(".")[0] in OPTIONAL:
            pytest.skip(f"{name} needs the optional library {e.name}")
        raise


class _Skip(Exception):
    pass


class _Runner(doctest.DocTestRunner):
    """Reports an example that needs a missing optional library as a skip, not a failure."""

    def report_unexpected_exception(self, out, test, example, exc_info):
        err = exc_info[1]
        if isinstance(err, ImportError) and (err.name or "").split(".")[0] in OPTIONAL:
            raise _Skip(f"{test.name} needs the optional library {err.name}")
        super().report_unexpected_exception(out, test, example, exc_info)


def _run_examples(modname, slow: bool):
    """Run the docstrings of ``modname``: without ``slow``, every example but the slow ones; with it, only
    the docstrings that hold a slow example (all of their examples).  A docstring that needs a missing
    optional library is skipped (the others still run; the test is a skip only when nothing failed)."""
    module = _import(modname)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = [t for t in finder.find(module, modname) if t.examples]
    assert tests, f"{modname} has '>>>' in its text but no example was found"
    if slow:
        tests = [t for t in tests if any(_is_slow(e) for e in t.examples)]
        assert tests, f"{modname}: no +NUMBA or +SLOW example found"
    else:
        for t in tests:
            for e in t.examples:
                if _is_slow(e):
                    e.options[doctest.SKIP] = True
    failures, skips = [], []
    for t in sorted(tests, key=lambda t: t.name):
        out = []
        runner = _Runner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
                         | doctest.REPORT_ONLY_FIRST_FAILURE)
        # each docstring gets fresh globals (the module's namespace), so examples are independent
        t.globs = dict(vars(module))
        try:
            result = runner.run(t, out=out.append, clear_globs=True)
        except _Skip as s:
            skips.append(str(s))
            continue
        if result.failed:
            failures.append("".join(out))
    assert not failures, "\n".join(failures)
    if skips:
        pytest.skip("; ".join(skips))


@pytest.mark.parametrize("modname", _modules_with_examples())
def test_docstring_examples(modname):
    """Every docstring example of one module (the module's own and its objects') prints what it says."""
    _run_examples(modname, slow=False)


@pytest.mark.slow
@pytest.mark.parametrize("modname", sorted(set(_modules_with_examples("+NUMBA") + _modules_with_examples("+SLOW"))))
def test_docstring_examples_slow(modname):
    """The examples that compile numba kernels (``+NUMBA``) or prove for seconds (``+SLOW``), in their
    docstrings."""
    _run_examples(modname, slow=True)


def _top_level_bodies(body):
    """The module's statement lists: its body and those of top-level ``if`` / ``try`` / ``with`` blocks."""
    yield body
    for node in body:
        for attr in ("body", "orelse", "finalbody"):
            if isinstance(node, (ast.If, ast.Try, ast.With)) and getattr(node, attr, None):
                yield from _top_level_bodies(getattr(node, attr))
        for handler in getattr(node, "handlers", ()):
            yield from _top_level_bodies(handler.body)


def _constant_documented(name: str) -> bool:
    """Whether some module of the packages assigns ``name`` at top level with a ``#:`` comment above it or
    a string literal below it."""
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        if not re.search(rf"\b{re.escape(name)}\b", text):
            continue
        lines = text.splitlines()
        for body in _top_level_bodies(ast.parse(text).body):
            for i, node in enumerate(body):
                targets = (node.targets if isinstance(node, ast.Assign)
                           else [node.target] if isinstance(node, ast.AnnAssign) else [])
                names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]  # a, b = ...
                if name not in names:
                    continue
                above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
                below = body[i + 1] if i + 1 < len(body) else None
                if above.startswith("#:") or (isinstance(below, ast.Expr) and isinstance(below.value, ast.Constant)
                                             and isinstance(below.value.value, str)):
                    return True
    return False


def _public_names():
    for pkg in _packages():
        module = importlib.import_module(pkg)
        for name in getattr(module, "__all__", ()):
            yield pkg, name


@pytest.mark.parametrize("pkg", _packages())
def test_package_has_all(pkg):
    """Each package shows its public API in ``__all__``, and every name there exists."""
    module = importlib.import_module(pkg)
    assert isinstance(getattr(module, "__all__", None), list), f"{pkg}/__init__.py has no __all__"
    for name in module.__all__:
        assert hasattr(module, name) or importlib.util.find_spec(f"{pkg}.{name}"), f"{pkg}.__all__: {name}?"


def _undocumented():
    """``pkg.name: what is missing`` for every public name without a docstring or an example."""
    missing = []
    for pkg in _packages():
        module = importlib.import_module(pkg)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if obj is None:
                obj = importlib.import_module(f"{pkg}.{name}")
            qual = f"{pkg}.{name}"
            if isinstance(obj, types.ModuleType) or inspect.isclass(obj) or callable(obj):
                # a class's own docstring: not one inherited, nor the "Name(field, ...)" that dataclass and
                # NamedTuple write
                doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else obj.__doc__
                if inspect.isclass(obj) and doc and doc.startswith(f"{obj.__name__}("):
                    doc = None
                if not doc:
                    missing.append(f"{qual}: no docstring")
                elif ">>>" not in doc and qual not in NO_EXAMPLE:
                    missing.append(f"{qual}: no example ('>>>') in its docstring")
            elif not _constant_documented(name):
                missing.append(f"{qual}: a constant without its meaning ('#:' comment above or string below)")
    return missing


def test_public_names_documented():
    """Every name of every package's ``__all__`` has a docstring with an example (or, for a constant,
    its meaning); the exceptions are :data:`NO_EXAMPLE`, each with its reason."""
    missing = _undocumented()
    assert not missing, "\n".join(missing)


def test_allow_list_is_current():
    """An allow-listed name that has gained an example, or left the API, leaves :data:`NO_EXAMPLE`."""
    public = {f"{p}.{n}" for p, n in _public_names()}
    assert NO_EXAMPLE <= public, sorted(NO_EXAMPLE - public)


def _run_text(text: str):
    test = doctest.DocTestParser().get_doctest(text, {}, "example", "example.py", 0)
    out = []
    result = _Runner(optionflags=doctest.ELLIPSIS).run(test, out=out.append, clear_globs=True)
    return result.failed, "".join(out)


def test_runner_fails_a_wrong_output():
    """The harness can fail: an example whose printed value differs from the expected one is a failure."""
    assert _run_text(">>> 1 + 1\n2\n") == (0, "")
    failed, out = _run_text(">>> 1 + 1\n3\n")
    assert failed == 1 and "Expected:\n    3\nGot:\n    2" in out


def test_runner_skips_a_missing_optional_library(monkeypatch):
    """An example that imports a missing optional library is a skip with the library named; any other
    missing module is a failure."""
    monkeypatch.setitem(globals(), "OPTIONAL", OPTIONAL + ("adam_beyond_no_such_lib",))
    with pytest.raises(_Skip, match="adam_beyond_no_such_lib"):
        _run_text(">>> import adam_beyond_no_such_lib\n")
    failed, out = _run_text(">>> import adam_beyond_not_optional\n")
    assert failed == 1 and "ModuleNotFoundError" in out


def test_slow_examples_are_skipped_in_the_fast_lane():
    """A +NUMBA / +SLOW example is marked SKIP by the fast lane (and run by the slow test)."""
    test = doctest.DocTestParser().get_doctest(">>> raise SystemExit  # doctest: +SLOW\n>>> 2\n2\n", {}, "e",
                                               "e.py", 0)
    assert [_is_slow(e) for e in test.examples] == [True, False]


def test_constant_check_reads_the_source():
    """A constant counts as documented only with its ``#:`` comment or string (FIRST_ROUND has one)."""
    assert _constant_documented("FIRST_ROUND")
    assert not _constant_documented("BIAS_CORRECTION_V")  # a module constant outside every __all__, bare
