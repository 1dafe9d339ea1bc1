"""Imports only go downwards (docs/architecture.md, "Layers"): numerics < analysis < proofs < counterexamples <
the pytest plugin.  Read from the source with ast, every import counted -- at the top of a module or inside a
function (a lazy import is still an arrow) -- and every ``import_module("...")`` / ``__import__("...")`` whose
argument is a literal.  The registry of published claims imported ``counterexamples.drift`` from ``proofs``
until it moved to ``counterexamples/claims.py``; this test fails on that tree."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
FLOORS = {"numerics": 1, "analysis": 2, "proofs": 3, "counterexamples": 4, "pytest_adam_beyond": 5}


def _modules():
    for pkg in FLOORS:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            yield pkg, path


def _imported(path: pathlib.Path, pkg: str):
    """The top-level package of every module ``path`` imports (relative imports stay inside ``pkg``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, (pkg if node.level else (node.module or "").split(".")[0])
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name) and node.func.id in ("import_module", "__import__")))):
            yield node.lineno, node.args[0].value.split(".")[0]


def upward_imports() -> list[str]:
    bad = []
    for pkg, path in _modules():
        for line, top in _imported(path, pkg):
            if top in FLOORS and FLOORS[top] > FLOORS[pkg]:
                bad.append(f"{path.relative_to(ROOT)}:{line} ({pkg}, floor {FLOORS[pkg]}) imports {top} "
                           f"(floor {FLOORS[top]})")
    return bad


def test_no_layer_imports_a_layer_above_it():
    bad = upward_imports()
    assert not bad, "imports that run back up:\n" + "\n".join(bad)


@pytest.mark.parametrize("text, expected", [
    ("from counterexamples import drift\n", True),
    ("def f():\n    from counterexamples.drift import boundary_beta2\n", True),
    ("import importlib\nimportlib.import_module('counterexamples.zoo')\n", True),
    ("from analysis.conditions import c2\nfrom . import lemmas\n", False),
])
def test_the_reader_sees_lazy_and_string_imports(tmp_path, text, expected):
    """The reader itself can fail: a module of proofs/ with each kind of upward import is caught, a downward or
    relative one is not."""
    f = tmp_path / "m.py"
    f.write_text(text)
    ups = [top for _, top in _imported(f, "proofs") if FLOORS.get(top, 0) > FLOORS["proofs"]]
    assert bool(ups) is expected, (text, ups)
