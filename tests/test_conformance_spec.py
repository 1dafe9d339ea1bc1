"""The --optimizer SPEC grammar and the CLI's bad-input paths (no library needed)."""
import subprocess
import sys

import pytest

from counterexamples.conformance.spec import SpecError, parse


@pytest.mark.parametrize("text, lib, name, kwargs", [
    ("torch:Adam", "torch", "Adam", {}),
    ("torch:Adam?amsgrad=true", "torch", "Adam", {"amsgrad": True}),
    ("torch:AdamW?weight_decay=0&eps=1e-8", "torch", "AdamW", {"weight_decay": 0, "eps": 1e-8}),
    ("torch:Adam?betas=0.5,0.9", "torch", "Adam", {"betas": (0.5, 0.9)}),
    ("optax:amsgrad?bias_correction_nu=false", "optax", "amsgrad", {"bias_correction_nu": False}),
    ("optax:adam?eps_root=none", "optax", "adam", {"eps_root": None}),
    ("my.pkg.steps:my_step?k=3", "user", "my_step", {"k": 3}),
])
def test_parse_valid(text, lib, name, kwargs):
    spec = parse(text)
    assert (spec.library, spec.name, spec.kwargs) == (lib, name, kwargs)
    assert spec.text == text
    if lib == "user":
        assert spec.module == "my.pkg.steps"


@pytest.mark.parametrize("text, part", [
    ("Adam", "LIB:NAME"),
    ("torch:", "missing the name"),
    ("torch:Adamm", "'Adamm'"),
    ("optax:sgd", "'sgd'"),
    ("torch:Adam?amsgrad", "'amsgrad'"),
    ("torch:Adam?amsgrad=maybe", "'maybe'"),
    ("torch:Adam?lr=1&lr=2", "'lr' given twice"),
    ("torch:Adam?", "nothing after"),
    ("1bad:f", "'1bad'"),
    ("mod:not-a-name", "'not-a-name'"),
])
def test_parse_errors_name_the_part(text, part):
    with pytest.raises(SpecError) as err:
        parse(text)
    assert part in str(err.value)
    assert str(err.value).startswith("--optimizer:")


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "counterexamples.conformance", *args],
                          capture_output=True, text=True, timeout=120)


def _main(capsys, *args):
    """(exit code, stdout, stderr) of the CLI's main in this process (no interpreter start-up per case)."""
    from counterexamples.conformance.cli import main

    try:
        rc = main(list(args))
    except SystemExit as exc:  # argparse's own usage errors and --help leave by SystemExit in-process
        rc = exc.code
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.mark.parametrize("args, fragment", [
    (["--optimizer", "torch:Adamx"], "unknown torch optimizer 'Adamx'"),
    (["--optimizer", "nosuchmodule_xyz:f"], "cannot import module 'nosuchmodule_xyz'"),
    (["--optimizer", "counterexamples.conformance.drivers.user:nope"], "has no function 'nope'"),
    (["--T", "0"], "--T must be an integer in [1, 1000000000000000]"),  # T's one range (numerics.cli.RANGES)
    (["--optimizer", "os:getcwd"], "cannot be called as f(x, g, t, state, hyper)"),
    (["--compare-steps", "x"], "--compare-steps must be an integer"),
    (["--beta1", "1"], "argument --beta1: must be a number in [0, 1)"),
    (["--problem", "thm9"], "--problem: unknown problem 'thm9'"),
    (["--problem", "thm1", "--C", "2"], "--C must be > 2"),
])
def test_cli_bad_input_exit_2_one_line(args, fragment, capsys):
    rc, _, err = _main(capsys, *args, "--quiet")
    assert rc == 2, err
    assert fragment in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_help_explains():
    """Through the entry point, as a user runs it (the bad-input cases above run in-process)."""
    r = _cli("--help")
    assert r.returncode == 0
    for word in ("SPEC", "torch:Adam", "module:function", "--schedule", "--json", "--compare-steps"):
        assert word in r.stdout
    r = _cli("--T", "0", "--quiet")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "--T must be" in r.stderr


HEAVY = ("sympy", "flint", "z3", "numba", "torch", "jax", "scipy", "matplotlib")


def test_bad_spec_is_rejected_before_the_heavy_imports():
    """A SPEC that names no step function is one line and exit 2 before the default suite's Theorem 2
    threshold search loads SymPy and python-flint (it did: the cases were built before the SPEC was
    checked).  A real interpreter, so that nothing another test imported hides an import."""
    code = ("import sys; from counterexamples.conformance.cli import main; "
            "rc = main(['--optimizer', 'os:getcwd', '--quiet']); "
            f"print(rc, [m for m in {HEAVY!r} if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.split("\n")[0] == "2 []", (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1 and "cannot be called as f(x, g, t, state, hyper)" in r.stderr


@pytest.mark.parametrize("blocked, spec, install", [
    ("torch", "torch:Adam", "pip install torch==2.13.0"),
    ("optax", "optax:amsgrad", "pip install optax jax"),
])
def test_missing_library_exit_2_with_install_command(blocked, spec, install):
    code = (f"import sys; sys.modules[{blocked!r}] = None; sys.modules['jax'] = None if {blocked!r} == 'optax' "
            f"else sys.modules.get('jax'); from counterexamples.conformance import main; "
            f"sys.exit(main(['--optimizer', {spec!r}, '--problem', 'spike', '--T', '5', '--quiet']))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert install in r.stderr and "Traceback" not in r.stderr
