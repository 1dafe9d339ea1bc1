"""The pytest plugin pytest_adam_beyond, used as an optimizer author would: in a project of their own that
has its own ``analysis`` package, registered through the entry point of pyproject.toml, with the
README's example and examples/ run as written."""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("analysis", "numerics", "proofs", "counterexamples")


def _env(extra_path: Path | None = None) -> dict:
    env = dict(os.environ)
    parts = ([str(extra_path)] if extra_path else []) + [str(ROOT)]
    env["PYTHONPATH"] = os.pathsep.join(parts)
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _entry_point_dir(tmp: Path) -> Path:
    """A dist-info folder whose entry_points.txt is pyproject.toml's [project.entry-points.pytest11]: on
    sys.path it makes importlib.metadata (hence pytest) see the plugin as `pip install` would."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    eps = meta["project"]["entry-points"]["pytest11"]
    info = tmp / "site" / "adam_beyond-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: adam-beyond\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[pytest11]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()))
    return tmp / "site"


def _pytest(args, cwd: Path, site: Path, timeout=600, autoload=True):
    """pytest in ``cwd`` with the dist-info of ``site`` installed.  ``autoload=False``: pytest loads no plugin
    of the environment by itself (PYTEST_DISABLE_PLUGIN_AUTOLOAD) and ours by its entry point's name
    (``-p adam_beyond``, which pytest resolves through the same dist-info, and only there): the other plugins
    installed here (hypothesis, xdist: ~2 s of CPU to load) are no part of a user's project."""
    env, pre = _env(site), []
    if not autoload:
        (name,) = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["pytest11"]
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        pre = ["-p", name]
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pre, *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout)


def test_plugin_imports_none_of_our_top_level_packages():
    code = ("import sys, pytest_adam_beyond as p; "
            "print(sorted(n for n in sys.modules if n.partition('.')[0] in p.OURS))")
    r = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True, text=True, cwd="/",
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_entry_point_registers_the_plugin_and_help_lists_its_options(tmp_path):
    site = _entry_point_dir(tmp_path)
    r = _pytest(["--help"], tmp_path, site, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    for option in ("--counterexamples-T", "--counterexamples-problems", "--counterexamples-report"):
        assert option in r.stdout
    r = _pytest(["--markers"], tmp_path, site, timeout=300)
    assert "@pytest.mark.counterexamples(expect=None" in r.stdout



def test_command_line_settings_reach_the_helpers(monkeypatch):
    """--counterexamples-T / --counterexamples-problems (the plugin's _OPTIONS of the run) are the defaults of
    assert_escapes / assert_breaks, as of the fixture; an argument of the call wins."""
    import pytest_adam_beyond as plugin

    class Done:  # what check() returns, reduced to the assertion the helper calls
        def assert_breaks(self):
            pass

    calls = []
    monkeypatch.setattr(plugin, "check", lambda optimizer, **kw: calls.append((optimizer, kw)) or Done())
    monkeypatch.setattr(plugin, "_OPTIONS", {"T": 2000, "problems": ["thm1"]})
    plugin.assert_breaks("opt")
    plugin.assert_breaks("opt", T=5000)
    monkeypatch.setattr(plugin, "_OPTIONS", {})
    plugin.assert_breaks("opt")
    assert calls == [("opt", {"T": 2000, "problems": ["thm1"]}), ("opt", {"T": 5000, "problems": ["thm1"]}),
                     ("opt", {})]


def _user_class(name: str) -> str:
    """The source of a user optimizer class of tests/_torch_optimizers.py, read as text (the user's file below must
    hold its own copy, written out; the class itself is defined once, there)."""
    src = Path(__file__).with_name("_torch_optimizers.py").read_text(encoding="utf-8")
    node = next(n for n in ast.parse(src).body if isinstance(n, ast.ClassDef) and n.name == name)
    return ast.get_source_segment(src, node)


USER_TEST = '''
import math
import sys

import pytest
import torch

import analysis  # the project's own package of that name
from pytest_adam_beyond import assert_breaks


''' + _user_class("AMSGrad78807") + '''


def _theirs():
    import analysis as again
    assert again is analysis and again.WHOSE == "theirs" and sys.modules["analysis"].WHOSE == "theirs"
    assert "analysis.verdict" not in sys.modules  # ours is not left behind under their name


def test_adam_breaks(check_optimizer):
    _theirs()
    report = check_optimizer(torch.optim.Adam)
    assert report.breaks and report.certified
    _theirs()


@pytest.mark.counterexamples(expect="escapes")
def test_bugged_amsgrad_escapes(check_optimizer):
    check_optimizer(AMSGrad78807)


def test_bugged_amsgrad_breaks():
    # T as the fixture's above: this run is about the helper beside their `analysis`, not the horizon
    assert_breaks(AMSGrad78807, T=2000)
    _theirs()
'''


# not marked slow: the fast lane keeps one real check in a user's project (about 12 s of CPU, its own pytest run)
@pytest.mark.slow  # 15.6 s: a real user-project pytest run; the entry-point and current-folder runs stay in the fast lane (fast lane under 3 min; runs in the whole suite)
def test_in_a_project_with_its_own_analysis_package(tmp_path):
    proj = tmp_path / "proj"
    (proj / "analysis").mkdir(parents=True)
    (proj / "analysis" / "__init__.py").write_text('WHOSE = "theirs"\n')
    (proj / "usertests").mkdir()
    (proj / "usertests" / "test_opt.py").write_text(USER_TEST)
    site = _entry_point_dir(tmp_path)
    r = _pytest(["-q", "--counterexamples-T", "2000", "-rf", "usertests"], proj, site, autoload=False)
    out = r.stdout
    assert re.search(r"\b1 failed, 2 passed\b", out), out[-4000:] + r.stderr[-2000:]
    assert "FAILED usertests/test_opt.py::test_bugged_amsgrad_escapes" in out
    # the failure message, as the CI log shows it: problem, hyper-parameters, x_T, R_T/T, drift
    for part in ("AMSGrad78807 was expected to escape the counterexamples", "thm1: diverges [PROVED",
                 "hyper-parameters: alpha=1/2, beta1=0, beta2=1/10, x1=1", "section5-online: diverges",
                 "thm2-threshold: diverges", "x_T = +", "R_T/T = ", "drift: 0.68094959", "identified as adam/pytorch"):
        assert part in out, part
    assert "During handling" not in out and "Traceback" not in out


def test_step_function_from_the_current_folder_without_pythonpath(tmp_path):
    """``--optimizer mymod:fn`` finds mymod.py in the folder the command runs in, also where Python does
    not put that folder on sys.path (-P: as a console script would)."""
    (tmp_path / "mymod.py").write_text("def fn(x, g, t, state, hyper):\n    return x - hyper['alpha_t'] * g, state\n")
    r = subprocess.run([sys.executable, "-P", "-m", "counterexamples.conformance", "--optimizer", "mymod:fn",
                        "--problem", "thm1", "--T", "1000", "--compare-steps", "100", "--quiet"],
                       cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert re.search(r"mymod:fn\s+thm1\s+sgd\(schedule=sqrt\)\s+0\s", r.stdout)
    r = subprocess.run([sys.executable, "-P", "-m", "counterexamples.conformance", "--optimizer", "nomod:fn",
                        "--problem", "thm1", "--T", "1000", "--quiet"], cwd=tmp_path, env=_env(),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "current folder" in r.stderr


def _readme_block() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Check your optimizer", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "the section has a python example"
    return blocks[0]


README_TEST = '''
"""The README's example, executed as written (its own globals, its own imports): its printed lines are checked
by the test that runs this project."""
README = {block!r}


def test_readme_example():
    exec(compile(README, "README.md", "exec"), {{"__name__": "__main__"}})
'''


def _outcomes(junit: Path) -> dict:
    """{test id: (outcome, message + text)} from pytest's --junitxml file."""
    import xml.etree.ElementTree as ET

    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("classname", "").replace(".", "/") + ".py::" + case.get("name", "")
        bad = [e for e in case if e.tag in ("failure", "error", "skipped")]
        out[name] = (bad[0].tag if bad else "passed", "".join((e.get("message") or "") + (e.text or "") for e in bad))
    return out


@pytest.mark.slow
def test_examples_file_and_readme_example_in_a_users_project(tmp_path):
    """ONE pytest run in a user's project (no package of our names there), the plugin found by its entry
    point: examples/test_check_my_optimizer.py passes as copied; with its running max not stored (the bug of
    pytorch #78807) its MyAMSGrad is caught, so the copied test can fail; the README's example runs as written
    and prints its verdicts.  One run instead of three processes: the scenarios share the interpreter, torch
    and the kernels (nothing one scenario does changes what another asserts: each check is computed afresh,
    only the smallest-C answers of a limit form are served once computed, which the report says)."""
    proj = tmp_path / "proj"
    (proj / "usertests").mkdir(parents=True)
    src = (ROOT / "examples" / "test_check_my_optimizer.py").read_text()
    (proj / "usertests" / "test_check_my_optimizer.py").write_text(src)
    bugged = src.replace("torch.maximum(v_max, v, out=v_max)", "v_max = torch.maximum(v_max, v)")
    assert bugged != src
    (proj / "usertests" / "test_mine.py").write_text(bugged)
    (proj / "usertests" / "test_readme.py").write_text(README_TEST.format(block=_readme_block()))
    site = _entry_point_dir(tmp_path)
    junit = tmp_path / "junit.xml"
    # --counterexamples-T 2000 (the horizon of the fixture and of assert_escapes / assert_breaks): the examples
    # file's verdicts are certified drifts, and its identification runs min(2000, T) = 2000 rounds either way;
    # the default horizon T = 10^4 stays in this run through the README's check() calls (asserted below)
    r = _pytest(["-q", "-rA", "--counterexamples-T", "2000", f"--junitxml={junit}",
                 "usertests/test_check_my_optimizer.py",
                 "usertests/test_mine.py::test_my_amsgrad_escapes", "usertests/test_readme.py"], proj, site,
                autoload=False)
    log = r.stdout[-6000:] + r.stderr[-2000:]
    assert re.search(r"\b1 failed, 4 passed\b", r.stdout), log
    got = _outcomes(junit)
    # the examples file as copied: every test passes
    for name in ("test_my_amsgrad_escapes", "test_adam_breaks", "test_amsgrad_with_the_fixture"):
        assert got.get(f"usertests/test_check_my_optimizer.py::{name}", ("missing",))[0] == "passed", (name, log)
    # the bugged copy: caught, with a message that names the optimizer and what it is
    outcome, message = got.get("usertests/test_mine.py::test_my_amsgrad_escapes", ("missing", ""))
    assert outcome == "failure", log
    assert "FAILED usertests/test_mine.py::test_my_amsgrad_escapes" in r.stdout
    assert "MyAMSGrad was expected to escape" in message and "identified as adam/pytorch" in message, message
    assert "at T = 2000;" in message and "at T = 10000" not in message, message  # the option reached assert_escapes
    # the README's example: passes (its own asserts ran) and prints the verdict table
    assert got.get("usertests/test_readme.py::test_readme_example", ("missing",))[0] == "passed", log
    # its printed lines: the section of its captured stdout in -rA's PASSES
    shown = re.search(r"_{3,} test_readme_example _{3,}\n(.*?)\n(?:_{3,} |={3,} )", r.stdout, re.S)
    assert shown, log
    assert "thm1" in shown.group(1) and "diverges (proved)" in shown.group(1), shown.group(1)[-3000:]
    assert ": T = 10000," in shown.group(1), shown.group(1)[-3000:]  # check() itself: the default horizon
