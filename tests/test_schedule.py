"""The order in which tests/conftest.py hands the work groups to the two xdist workers: unknown groups first,
then the known ones longest first, each group's cost summed over the tests that are selected."""
import ast
from pathlib import Path

import conftest as C

IDS = ["suite/test_a.py::t1", "suite/test_a.py::t2", "suite/test_b.py::t1", "suite/test_c.py::t1",
       "suite/test_c.py::t2"]


def test_known_groups_go_longest_first_and_unknown_ones_before_them():
    tests = {"suite/test_a.py::t1": 1.0, "suite/test_a.py::t2": 2.0, "suite/test_b.py::t1": 9.0}
    assert C.schedule_order(IDS, tests, {}) == ["suite/test_c.py", "suite/test_b.py", "suite/test_a.py"]
    assert C.group_costs(IDS, tests, {}) == {"suite/test_a.py": 3.0, "suite/test_b.py": 9.0, "suite/test_c.py": None}


def test_a_group_costs_only_its_selected_tests():
    """The fast lane (-m "not slow") deselects a long test: its group is no longer counted as long."""
    tests = {"suite/test_a.py::t1": 1.0, "suite/test_a.py::slow": 50.0, "suite/test_b.py::t1": 9.0}
    assert C.schedule_order(["suite/test_a.py::t1", "suite/test_b.py::t1"], tests, {}) == \
        ["suite/test_b.py", "suite/test_a.py"]
    assert C.schedule_order(["suite/test_a.py::t1", "suite/test_a.py::slow", "suite/test_b.py::t1"], tests, {}) == \
        ["suite/test_a.py", "suite/test_b.py"]


def test_an_old_file_with_group_seconds_only_still_orders_the_groups():
    groups = {"suite/test_a.py": 5.0, "suite/test_b.py": 7.0}
    assert C.schedule_order(IDS, {}, groups) == ["suite/test_c.py", "suite/test_b.py", "suite/test_a.py"]


def test_the_split_and_audit_page_groups():
    assert C.work_group("tests/test_notebooks.py::test_notebook_executes[x]") == \
        "tests/test_notebooks.py::test_notebook_executes[x]"
    assert C.work_group("tests/test_figures_html.py::test_x") == "audit_page"
    assert C.work_group("tests/test_engine_equality.py::test_eq[3-paper-adam]") == "tests/test_engine_equality.py::adam"
    # the two files that share analysis.gamma's memo run in one worker
    assert C.work_group("tests/test_analysis_cli.py::test_json_schema") == \
        C.work_group("tests/test_analysis_gamma.py::test_x") != C.work_group("tests/test_analysis_bounds.py::test_x")


def test_groups_that_share_work_run_in_one_worker():
    """The audit's recorded verdicts (tests/_checked.py) reach test_proofs_repaired and test_proofs_mutation only in the
    same process, and RMSProp's equality cases compile Adam's kernels."""
    assert C.work_group("tests/test_proofs_audit.py::test_every_verdict_as_expected") == \
        C.work_group("tests/test_proofs_repaired.py::test_x") == C.work_group("tests/test_proofs_mutation.py::test_x") \
        != C.work_group("tests/test_proofs_kernel.py::test_x")
    assert C.work_group("tests/test_engine_equality.py::test_run_batch_equals_reference[70-periodic-rmsprop-paper]") \
        == C.work_group("tests/test_engine_equality.py::test_run_batch_equals_reference[3-bernoulli-adam-keras]") \
        != C.work_group("tests/test_engine_equality.py::test_run_batch_equals_reference[3-bernoulli-amsgrad-keras]")


def test_the_torch_files_run_in_one_worker():
    """One worker imports torch and builds torch.optim's first optimizer; the other never does."""
    groups = {C.work_group(f"tests/{name}::test_x[Adam-0]") for name in C.TORCH_FILES}
    assert groups == {"torch"} and C.work_group("tests/test_zoo_definitions.py::test_x") != "torch"


def _module_level(tree):
    """The statements a module runs when it is imported: its body, into if/try/with blocks and class bodies,
    not into the bodies of functions (run when a test calls them)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                todo.extend(getattr(node, field, []))
        elif isinstance(node, (ast.ExceptHandler, ast.ClassDef)):  # a class body runs at import too
            todo.extend(node.body)


def torch_at_collection(source: str) -> list:
    """The module-level statements of a test file that import torch (or tests/_torch_optimizers.py, which
    does): ``import torch``, ``from torch... import``, ``pytest.importorskip("torch")``."""
    found = []
    for stmt in _module_level(ast.parse(source)):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # decorators, defaults and base classes run at import too
            parts = [*stmt.decorator_list, *getattr(stmt, "bases", [])]
            if hasattr(stmt, "args"):
                parts += [*stmt.args.defaults, *stmt.args.kw_defaults]
            nodes = [n for p in parts if p is not None for n in ast.walk(p)]
        else:
            nodes = list(ast.walk(stmt))
        for n in nodes:
            names = ([a.name for a in n.names] if isinstance(n, ast.Import)
                     else [n.module or ""] if isinstance(n, ast.ImportFrom) else [])
            if isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "importorskip" and n.args \
                    and isinstance(n.args[0], ast.Constant):
                names = [n.args[0].value]
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "torch" \
                    and isinstance(n.ctx, ast.Load) and not isinstance(stmt, (ast.Import, ast.ImportFrom)):
                names = ["torch." + n.attr]  # the lazy stand-in read at import imports torch
            found += [f"line {n.lineno}: {x}" for x in names
                      if x.split(".")[0] in ("torch", "_torch_optimizers")]
    return found


def test_the_checker_fires_on_planted_sources():
    assert torch_at_collection("import torch\n")
    assert torch_at_collection("import pytest\ntorch = pytest.importorskip('torch', reason='r')\n")
    assert torch_at_collection("try:\n    from torch.optim import Adam\nexcept ImportError:\n    pass\n")
    assert torch_at_collection("from _torch import torch\nclass A(torch.optim.Optimizer):\n    pass\n")
    assert torch_at_collection("from _torch import torch\ndef f(d=torch.float64):\n    pass\n")
    assert torch_at_collection("from _torch import torch\n@pytest.mark.parametrize('c', [torch.optim.Adam])\n"
                               "def test_c(c):\n    pass\n")
    assert torch_at_collection("import _torch_optimizers\n")
    assert not torch_at_collection("from _torch import torch\ndef test_x():\n    import torch\n    torch.optim\n")
    assert torch_at_collection("from _torch import torch\nclass T:\n    dtype = torch.float64\n")
    assert not torch_at_collection("from _torch import needs_torch, torch\npytestmark = needs_torch\n")
    assert not torch_at_collection("from _torch import torch\nclass T:\n    def f(self):\n        torch.optim\n")


def test_no_test_file_imports_torch_at_collection_and_its_users_form_the_torch_group():
    """Every xdist worker imports every test file: torch at a file's top level costs both workers ~2 CPU-s.
    The files that import tests/_torch.py at their top level are exactly conftest's TORCH_FILES (one worker runs
    them all)."""
    here = Path(__file__).resolve().parent
    offenders, users = {}, set()
    for path in sorted(here.glob("*.py")):
        if path.name == "_torch_optimizers.py":  # imported by tests/_torch.py's user_optimizers() only
            continue
        src = path.read_text()
        if torch_at_collection(src):
            offenders[path.name] = torch_at_collection(src)
        if any(isinstance(n, ast.ImportFrom) and n.module == "_torch" for n in _module_level(ast.parse(src))):
            users.add(path.name)
    assert offenders == {}
    assert users == set(C.TORCH_FILES)


def test_the_lazy_module_imports_on_a_public_read_only():
    """pytest's collection reads underscore names of every object a file holds: those never import (nor skip)."""
    import inspect

    import pytest
    from _torch import LazyModule

    lazy = LazyModule("adam_beyond_no_such_module", "not installed")
    assert getattr(lazy, "__test__", False) is False and inspect.unwrap(lazy) is lazy
    assert not hasattr(lazy, "_mock_name") and not inspect.isclass(lazy)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        lazy.optim
    assert LazyModule("json", "r").dumps([1]) == "[1]"


def test_collecting_the_suite_imported_no_torch():
    """This process collected its tests without importing torch (conftest records it when collection ends):
    with the torch files among them, a file that imports torch at its top level, or whose lazy stand-in
    pytest's probes set off, fails here."""
    assert C.IMPORTED_AT_COLLECTION == {"torch": False}
