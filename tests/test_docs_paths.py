"""Every path that the project's files name inside the repository exists, and nothing points outside it
(no shared folder next to the clone, no spec files, no tooling notes: a fresh clone has none of them)."""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOP = ("numerics", "analysis", "proofs", "counterexamples", "tests", "notebooks", "benchmarks", "docs")
PATH = re.compile(r"(?<![\w./-])((?:%s)/[\w./-]*[\w])" % "|".join(TOP))
OUTSIDE = re.compile(r"\.\./shared|(?<![\w])spec/[\w.]+\.md|(?<![\w/])tooling\.md|(?<![\w/])(?:implementations|literature)\.md"
                     r"|(?<![\w/])ARCHITECTURE\.md")
# modules of the numerics engine and of the verdict work are edited by other branches at the same time;
# their references are listed for the lead and checked once those branches land
PENDING: set = set()  # every file is checked


def _project_files() -> list[str]:
    """The project's own files: tracked, or new and not ignored (``git ls-files``), so that what a run leaves
    behind (``.pytest_cache/README.md``, ``.hypothesis/``, an egg-info, a venv) is neither read nor counted as a
    test -- the suite collected one test more after a run that left pytest's cache than in a fresh clone.
    Outside a git checkout: every file but those under a dot-folder or an egg-info."""
    import subprocess

    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        return sorted(set(out.splitlines()))
    except (OSError, subprocess.CalledProcessError):
        return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
                      if not any(part.startswith(".") or part.endswith(".egg-info")
                                 for part in p.relative_to(ROOT).parts))


def _files():
    for rel in _project_files():
        p = ROOT / rel
        if p.suffix in (".py", ".md", ".toml") and p.is_file() and rel not in PENDING:
            yield rel, p.read_text(errors="replace")


FILES = [(r, t) for r, t in _files() if r != "tests/test_docs_paths.py"]  # (its patterns name them)


@pytest.mark.parametrize("rel,text", FILES, ids=[f for f, _ in FILES])
def test_named_paths_exist_and_none_points_outside(rel, text):
    missing = []
    for m in PATH.finditer(text):
        name = m.group(1).rstrip(".")
        if "*" in name or "<" in name:
            continue
        if not (ROOT / name).exists() and not (ROOT / (name.replace(".", "/") + ".py")).exists():
            missing.append(name)
    assert missing == [], f"{rel} names paths that do not exist: {missing}"
    outside = [m.group(0) for m in OUTSIDE.finditer(text)]
    assert outside == [], f"{rel} points outside the repository: {outside}"


def test_ci_runs_the_readme_suite_command_after_installing_chromium():
    """.ci/run runs exactly the README's test command, after installing Debian's chromium when it is
    missing (so the audit page's real-browser test runs in CI instead of skipping)."""
    root = pathlib.Path(__file__).resolve().parents[1]
    readme, ci = (root / "README.md").read_text(), (root / ".ci" / "run").read_text()
    cmd = next(ln for ln in readme.splitlines() if ".[test]'" in ln and "pytest" in ln)
    assert cmd in ci.splitlines()
    install = ci.index("apt-get install -y")
    assert "command -v chromium" in ci[:install] and install < ci.index(cmd)


def test_no_file_a_run_leaves_behind_is_read():
    """What a run leaves (pytest's cache README, an egg-info, a venv: all git-ignored) is not read, so a second
    run collects the same tests as a fresh clone (``git check-ignore`` decides, not a list of names here)."""
    import subprocess

    names = "\n".join(rel for rel, _ in FILES)
    r = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=ROOT, input=names,
                       capture_output=True, text=True)
    if r.returncode not in (0, 1):  # 1: none ignored; 128: not a git checkout
        pytest.skip(f"git check-ignore: {r.stderr.strip()[:120]}")
    assert r.stdout.split() == []
