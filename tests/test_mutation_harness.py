"""Mutation harness: small plausible bugs in the verdict logic of every layer must each be caught.

Each mutant is applied to a temporary COPY of the source (the real files are only read), and only the
targeted fast tests that should catch it are run against the copy, in a child process.  The suite
requires a 100% kill rate; ``python tests/test_mutation_harness.py`` prints the rate per mutant.

The child processes are forked from one warmed parent (``Zygote``) that has imported the third-party
libraries (SymPy, Z3, numba, ..., pytest and its plugins) and none of the toolkit's packages: each mutant still
imports the mutated copy's modules afresh in a process of its own, only the libraries' import time (seconds per
interpreter) is paid once.  The control run on the unmutated copy leaves its bytecode there, so a mutant's copy
compiles only its mutated file.  A mutant then costs ~0.4 CPU-s (``python tests/test_mutation_harness.py``
prints each child's).  Where ``os.fork`` is missing each mutant gets a new interpreter, as before.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
V = "tests/test_proofs_verdicts.py::"
A = "tests/test_certify_agrees.py"
M = "tests/test_proofs_mutation.py::test_refutation_without_replay_is_unknown"

# (id, file, text, replacement, tests that must fail)
MUTANTS = [
    ("verdict-accepts-any-status", "analysis/verdict.py", "if self.status not in VERDICTS:", "if False:",
     [V + "test_one_verdict_type_and_one_portfolio"]),
    ("gamma<1-non-strict", "analysis/evaluate.py", "reddi_gamma = b2 > 0 and b1 * b1 < b2", "reddi_gamma = b2 > 0 and b1 * b1 <= b2",
     [V + "test_applicable_bounds_at_the_boundary_of_their_conditions"]),
    ("kb-gamma-non-strict", "analysis/evaluate.py", "b1 * b1 * b1 * b1 < b2", "b1 * b1 * b1 * b1 <= b2",
     [V + "test_applicable_bounds_at_the_boundary_of_their_conditions"]),
    ("beta1<=1", "analysis/evaluate.py", "common = 0 <= b1 < 1", "common = 0 <= b1 <= 1",
     [V + "test_applicable_bounds_at_the_boundary_of_their_conditions"]),
    ("lambda<=1", "analysis/evaluate.py", "0 < cfg.lam < 1", "0 < cfg.lam <= 1",
     [V + "test_applicable_bounds_at_the_boundary_of_their_conditions"]),
    ("adam-kb-constant-beta1", "analysis/evaluate.py", "beta1_schedule=self.beta1_schedule, lam=self.lam, beta2_schedule=None",
     "beta1_schedule=\"constant\", lam=None, beta2_schedule=None", [V + "test_adam_kb_runs_the_schedule_it_is_counted_with"]),
    ("smt-div0-as-zero", "analysis/smt.py", 'raise Undecided("division by zero', 'return Fraction(0)\n        raise Undecided("division by zero',
     [V + "test_exact_model_replay"]),
    ("cvc5-unknown-as-confirmed", "analysis/z3kit.py", 'if cc["status"] == "unsat":', 'if cc["status"] in ("unsat", "unknown"):',
     [V + "test_cvc5_timeout_is_z3_only_never_a_refutation"]),
    ("spurious-model-as-disagreement", "analysis/z3kit.py", 'return "z3 only", info, real is True', 'return "z3 only", info, real is not None',
     [V + "test_disagreement_is_replayed_exactly_and_fails_the_audit"]),
    ("evidence-reported-proved", "proofs/obligation.py", "if verdict == PROVED and self.evidence:", "if False:",
     [V + "test_passing_finite_check_is_evidence_never_proved"]),
    ("exact-undecided-replay-refutes", "proofs/obligation.py", "            if ok is not True:\n                state =",
     "            if ok is False:\n                state =", [M]),
    ("z3-undecided-replay-refutes", "proofs/obligation.py", "        if ok is not True:\n            return StepResult(self.label, self.claim, UNKNOWN, v.witness,",
     "        if ok is False:\n            return StepResult(self.label, self.claim, UNKNOWN, v.witness,",
     [V + "test_undecided_replay_of_a_z3_model_is_unknown"]),
    ("hypotheses-not-rechecked", "proofs/obligation.py", "bad = [k for k, h in hyps.items() if k not in self.drop and not _truth(h)]",
     "bad = []", [V + "test_replay_rechecks_the_hypotheses_at_the_witness"]),
    ("strict-slip-in-truth", "proofs/numsys.py", '">": d > 0,', '">": d >= 0,',
     [V + "test_sign_is_exact_and_refuses_to_guess"]),
    ("undecided-simplify-proved", "proofs/obligation.py", "        if diff == 0:\n", "        if diff == 0 or not points:\n",
     [V + "test_undecided_sympy_simplification_is_not_proved"]),
    ("replayer-not-required", "proofs/obligation.py", 'if self.kind == "exact" and not callable(self.replayer):', "if False:", [M]),
    ("mismatch-ignores-evidence", "proofs/audit.py", 'want = s["expected"] or ("evidence" if s["evidence"] else "proved")',
     'want = s["expected"] or s["verdict"]', [V + "test_summary_counts_evidence_apart_and_mismatch_on_evidence_reported_as_proved"]),
    ("disagreement-not-failing", "proofs/audit.py", '.get("disagreement") == "real":', '.get("disagreement") == "REAL":',
     [V + "test_disagreement_is_replayed_exactly_and_fails_the_audit"]),
    ("weakened-A9-threshold", "proofs/thm1.py", "bound = Fraction(2 * C - 4) * T / 3", "bound = Fraction(2 * C - 5) * T / 3",
     [V + "test_evidence_threshold_is_the_papers"]),
    ("shortened-L7-range", "proofs/lemma_moment.py", "for T in range(1, 2001):", "for T in range(1, 201):",
     [V + "test_evidence_threshold_is_the_papers"]),
    ("harmonic-replay-non-strict", "proofs/lemma_moment.py", "return True if d > 0 else (False if d <= 0 else None)",
     "return True if d >= 0 else (False if d < 0 else None)", [V + "test_exact_replayers_of_the_audit_confirm_and_reject"]),
    ("kb-replay-sign-flip", "proofs/kingma_ba.py", "return True if g < 0 else (False if g >= 0 else None)",
     "return True if g > 0 else (False if g <= 0 else None)", [V + "test_exact_replayers_of_the_audit_confirm_and_reject"]),
    ("harmonic-schedule-off-by-one", "numerics/schedules.py", "return beta1 / num(t)", "return beta1 / num(t + 1)",
     [V + "test_cor56_reads_numerics_schedule"]),
    ("adam-v-update-g-not-g2", "numerics/optimizers.py", "v = bt2 * state.v + (one - bt2) * (g * g)", "v = bt2 * state.v + (one - bt2) * g",
     [V + "test_kb_gamma2_witness_values"]),
    ("agrees-near-loosened", "counterexamples/certify.py", "NEAR = 0.9 ", "NEAR = 0.7 ", [A]),
    ("agrees-wrong-half-threshold", "counterexamples/certify.py", "if any(due and hi <= 0.5 for due, _, hi in checks):",
     "if any(due and hi <= 0.3 for due, _, hi in checks):", [A]),
    ("agrees-any-to-all", "counterexamples/certify.py", "if any(lo < NEAR for _, lo, _ in checks):",
     "if all(lo < NEAR for _, lo, _ in checks):", [A]),
]

PACKAGES = ("analysis", "proofs", "numerics", "counterexamples", "tests")
NOT_THE_COPY = 97  # the child's exit status when it imported the real packages instead of the mutated copy


def _copy_tree(dst: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, dst / pkg, ignore=ignore)
    for f in ("pyproject.toml", "conftest.py"):
        if (ROOT / f).exists():
            shutil.copy2(ROOT / f, dst / f)


# The warmed parent: imports the libraries, then forks one child per request (a JSON line: the copy, its
# tests, a log file); the child puts the copy first on sys.path, checks that the packages it imports are the
# copy's (exit NOT_THE_COPY otherwise), runs the targeted tests and exits with pytest's status; the parent
# answers with that status.  The parent never imports the toolkit, so no module state of it reaches a child.
_ZYGOTE = r"""
import importlib, json, os, signal, sys
OURS = %(ours)r
for lib in %(libs)r:
    try:
        importlib.import_module(lib)
    except Exception:
        pass
# pytest's own plugins and the installed ones (pytest11 entry points: hypothesis, xdist, ...), which
# pytest.main in every child would otherwise import afresh (about half of a child's CPU time)
import _pytest.config
from importlib.metadata import entry_points
for mod in ["_pytest." + p for p in _pytest.config.default_plugins] + [
        e.value.partition(":")[0] for e in entry_points(group="pytest11")]:
    if mod.partition(".")[0] not in OURS and not mod.startswith("pytest_adam_beyond"):
        try:
            importlib.import_module(mod)
        except Exception:
            pass
leaked = sorted(m for m in sys.modules if m.partition(".")[0] in OURS)
if leaked:
    sys.exit("zygote: the libraries imported the toolkit: %%s" %% leaked)
sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]
# the libraries' objects are never garbage: out of every collection of the children (a full collection walked
# them in each child, touching, and so copying, their pages)
import gc
gc.collect()
gc.freeze()
for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.alarm(req["timeout"])  # a mutant that loops is killed (SIGALRM), as subprocess's timeout did
            fd = os.open(req["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            work = req["work"]
            os.chdir(work)
            os.environ["PYTHONPATH"] = work
            if not req["write"]:  # a mutant's child leaves no bytecode (the control's: see Zygote.run)
                os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
                sys.dont_write_bytecode = True
            else:
                os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
                sys.dont_write_bytecode = False
            sys.path.insert(0, work)
            sys.argv = ["pytest"]
            import analysis, proofs, numerics, counterexamples
            if not all(m.__file__.startswith(work) for m in (analysis, proofs, numerics, counterexamples)):
                code = %(not_the_copy)d
            else:
                import pytest
                # the plugins imported above are not assertion-rewritten (their own asserts only; the tests' are)
                code = int(pytest.main(["-q", "-x", "-p", "no:cacheprovider", "-W",
                                        "ignore::pytest.PytestAssertRewriteWarning", *req["tests"]]))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:
            print("zygote child:", repr(exc))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"code": code, "cpu": usage.ru_utime + usage.ru_stime}), flush=True)
"""
# what the warmed parent imports: the libraries, and what every child imported after them (listed from a
# child's sys.modules): hypothesis (its pytest plugin imports it at the end of every run), the parts of SymPy its
# first simplify() loads, pytest's pdb and tomllib.  Each child then costs ~0.6 CPU-s instead of ~4.
LIBS = ("numpy", "sympy", "mpmath", "z3", "kdrag", "numba", "flint", "scipy", "pytest", "cvc5", "hypothesis",
        "sympy.physics.units", "sympy.combinatorics", "sympy.sets.setexpr", "pdb", "tomllib")


class Zygote:
    """One warmed parent process; ``run(work, tests)`` forks a child that runs ``tests`` on the copy ``work``."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="mut-zygote-"))
        self.cpu: list = []
        src = _ZYGOTE % dict(ours=("analysis", "proofs", "numerics", "counterexamples", "tests"), libs=LIBS,
                             not_the_copy=NOT_THE_COPY)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        self.proc = subprocess.Popen([sys.executable, "-c", src], cwd=self.dir, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def run(self, work: Path, tests, timeout: int = 120, write: bool = False) -> tuple[int, str]:
        """(exit status, output) of ``tests`` run on ``work`` in a forked child.  ``write``: the child writes the
        bytecode of what it imports into ``work`` (the control run on the pristine copy, which every mutant's copy
        is copied from: a mutant then compiles and assertion-rewrites only its mutated file, whose bytecode
        :func:`run_mutant` deletes; the rest is validated by Python and pytest against the sources' mtime and size
        as usual)."""
        log = self.dir / "child.log"
        self.proc.stdin.write(json.dumps(dict(work=str(work), tests=list(tests), log=str(log),
                                              timeout=timeout, write=write)) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the zygote ended (status {self.proc.wait()})")
        reply = json.loads(line)
        self.cpu.append(reply["cpu"])  # the child's CPU seconds (python tests/test_mutation_harness.py prints them)
        return reply["code"], log.read_text() if log.exists() else ""

    def close(self):
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def _run_in_copy(work: Path, tests, zygote: Zygote | None, timeout: int = 120,
                 write: bool = False) -> tuple[int, str]:
    """(exit status, output) of the targeted ``tests`` run on the copy ``work`` in a fresh process."""
    if zygote is not None:
        return zygote.run(work, tests, timeout, write)
    env = {**os.environ, "PYTHONPATH": str(work), "PYTHONDONTWRITEBYTECODE": "1"}
    probe = ("import sys, analysis, proofs, numerics, counterexamples; "
             f"all(m.__file__.startswith({str(work)!r}) for m in (analysis, proofs, numerics, counterexamples)) "
             f"or sys.exit({NOT_THE_COPY}); import pytest; "
             f"sys.exit(pytest.main(['-q', '-x', '-p', 'no:cacheprovider', *{list(tests)!r}]))")
    p = subprocess.run([sys.executable, "-c", probe], cwd=work, env=env, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout + p.stderr


def _link_or_copy(src, dst):
    """A hard link of ``src`` at ``dst`` (a copy where the file system has none)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def run_mutant(mid: str, base: Path, zygote: Zygote | None = None) -> tuple[bool, str]:
    """(killed, detail): apply mutant ``mid`` to a copy of ``base`` and run its targeted tests."""
    _, rel, old, new, tests = next(m for m in MUTANTS if m[0] == mid)
    work = Path(tempfile.mkdtemp(prefix=f"mut-{mid}-"))
    try:
        # hard links, not copies, of the pristine tree's ~400 files (0.11 CPU-s a copy): the children write no
        # file of the tree (no bytecode, no pytest cache), and the mutated file is unlinked before it is written,
        # so the pristine tree is never changed through a link
        shutil.copytree(base, work, dirs_exist_ok=True, copy_function=_link_or_copy)
        path = work / rel
        text = path.read_text()
        if text.count(old) != 1:
            return False, f"mutation site not found exactly once in {rel}"
        path.unlink()
        path.write_text(text.replace(old, new))
        for pyc in (path.parent / "__pycache__").glob(path.stem + ".*.pyc"):  # the pristine file's, if any
            pyc.unlink()
        code, out = _run_in_copy(work, tests, zygote)
        if (base / rel).read_text() != text:  # the pristine file is not the mutated one's link
            return False, f"the pristine copy of {rel} changed"
        if code == NOT_THE_COPY:
            return False, "the copy is not the code under test"
        return code != 0, (out.strip().splitlines() or ["?"])[-1]
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    base = tmp_path_factory.mktemp("pristine")
    _copy_tree(base)
    return base


def test_at_least_twenty_mutants_across_the_layers():
    assert len(MUTANTS) >= 20
    assert {m[1].split("/")[0] for m in MUTANTS} >= {"analysis", "proofs", "numerics", "counterexamples"}


@pytest.fixture(scope="module")
def zygote():
    z = Zygote() if hasattr(os, "fork") else None
    yield z
    if z is not None:
        z.close()


def test_targeted_tests_pass_on_the_unmutated_copy(pristine, zygote):
    """The control: the copy unmutated passes every targeted test, run as the mutants' are (forked child)."""
    tests = sorted({t for m in MUTANTS for t in m[4]})
    code, out = _run_in_copy(pristine, tests, zygote, timeout=300, write=True)
    assert code == 0, out[-2000:]


def test_a_forked_child_imports_the_copy_not_the_parents_modules(tmp_path, zygote):
    """The child sees the copy's code: a copy whose analysis package fails on import is reported as such
    (the parent has imported no module of the toolkit, so nothing of the real tree reaches the child)."""
    if zygote is None:
        pytest.skip("os.fork is not available: each mutant runs in a new interpreter")
    work = tmp_path / "copy"
    for pkg in ("analysis", "proofs", "numerics", "counterexamples"):
        (work / pkg).mkdir(parents=True)
        (work / pkg / "__init__.py").write_text("")
    (work / "analysis" / "__init__.py").write_text("raise SystemExit(42)\n")
    code, _ = zygote.run(work, [])
    assert code == 42
    (work / "analysis" / "__init__.py").write_text("")
    (work / "t").mkdir()
    (work / "t" / "test_where.py").write_text(
        "import analysis, os\ndef test_copy():\n    assert analysis.__file__.startswith(os.getcwd())\n")
    code, out = zygote.run(work, ["t/test_where.py"])
    assert code == 0, out


# not slow: per mutant a copy of the tree (~0.1 s) and a forked child (~0.6 CPU-s: it imports the mutated toolkit
# and runs its targeted tests)
@pytest.mark.parametrize("mid", [m[0] for m in MUTANTS])
def test_mutant_is_killed(pristine, zygote, mid):
    killed, detail = run_mutant(mid, pristine, zygote)
    assert killed, f"mutant {mid} survived: {detail}"


if __name__ == "__main__":  # python tests/test_mutation_harness.py [MUTANT_ID ...]: the kill rate (and CPU)
    chosen = [m for m in MUTANTS if not sys.argv[1:] or m[0] in sys.argv[1:]]
    base = Path(tempfile.mkdtemp(prefix="mut-base-"))
    _copy_tree(base)
    killed = 0
    zyg = Zygote() if hasattr(os, "fork") else None
    if zyg is not None:  # the control, as in the suite (it also leaves the copy's bytecode for the mutants)
        code, out = zyg.run(base, sorted({t for m in MUTANTS for t in m[4]}), 300, write=True)
        print(f"control (unmutated): exit {code}, {zyg.cpu[-1]:.2f} CPU-s")
    for m in chosen:
        k, d = run_mutant(m[0], base, zyg)
        killed += k
        cpu = f"{zyg.cpu[-1]:6.2f} CPU-s" if zyg is not None else ""
        print(f"{'killed ' if k else 'SURVIVED'}  {m[0]:<34} {cpu}  {d}", flush=True)
    if zyg is not None:
        zyg.close()
        print(f"children: {sum(zyg.cpu):.1f} CPU-s in all")
    shutil.rmtree(base, ignore_errors=True)
    print(f"kill rate: {killed}/{len(chosen)} = {100 * killed / len(chosen):.0f}%")
    sys.exit(0 if killed == len(chosen) else 1)
