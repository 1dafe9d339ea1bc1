"""Run a command's ``main(argv)`` inside the test process, as ``python -m ...`` would run it.

A subprocess costs an interpreter and its imports (about 2 s each, once per call); most CLI tests check
what the command prints and its exit code, which the same ``main`` gives in-process.  What needs a real
process (the interpreter's exit code, Ctrl-C and the process group, a closed pipe, imports at start-up,
the README's commands) keeps one: see tests/test_cli_battery.py.

``run(cli, argv, capfd)`` returns a :class:`subprocess.CompletedProcess`-like object (``returncode``,
``stdout``, ``stderr``), so a test written against ``subprocess.run`` reads the same.  ``capfd`` captures
at the file-descriptor level, so a write that bypasses ``sys.stdout`` is still seen.  argparse's
``SystemExit`` (``--help``: 0, a usage error: 2) becomes the return code, as ``main_entry`` does in the
worker of ``python -m``.
"""
from __future__ import annotations

import importlib
import os
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the module whose ``main(argv, isolate=False)`` each ``python -m`` entry point calls
MAINS = {
    "simulate": "counterexamples.simulate",
    "search": "counterexamples.search.cli",
    "proofs": "proofs.__main__",
    "analysis": "analysis.cli",
    "conformance": "counterexamples.conformance.cli",
    "zoo": "counterexamples.zoo.cli",
}
MODULES = {  # the ``python -m`` name of each
    "simulate": "counterexamples.simulate",
    "search": "counterexamples.search",
    "proofs": "proofs",
    "analysis": "analysis",
    "conformance": "counterexamples.conformance",
    "zoo": "counterexamples.zoo",
}


def run(cli: str, argv, capfd, cwd: str = ROOT):
    """``python -m <cli> *argv`` in-process: returncode, stdout, stderr (text)."""
    main = importlib.import_module(MAINS[cli]).main
    capfd.readouterr()  # drop whatever came before
    old = os.getcwd()
    os.chdir(cwd)
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(old)
    out, err = capfd.readouterr()
    return SimpleNamespace(returncode=int(rc or 0), stdout=out, stderr=err)
