"""``python -m analysis``: the --json schema of issue 3, witness replay from the JSON alone, LaTeX,
bad input (exit 2, one line) and atomic output."""
import json
import math
import os
import subprocess
import sys
from fractions import Fraction as F

import pytest
import sympy as sp

from analysis.cli import main

NAMES = ["thm4-arxiv", "thm4-iclr", "lemma-moment", "cor1-printed", "cor1-derived", "thm5", "cor2",
         "kingma-ba-4.1", "pp-4.1-geometric", "pp-4.1-harmonic", "adamx-5.1"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "analysis.json"
    assert main(["--json", "--quiet", "--output", str(out)]) == 0
    assert not [p for p in os.listdir(out.parent) if p.endswith(".tmp")]  # written via rename
    return json.loads(out.read_text())


@pytest.mark.slow  # the default job's ten Gamma verdicts (Z3, cvc5 children): about 16 CPU-s, 23.6 s before issue 25; test_analysis_gamma's fast cases keep them in the fast lane (fast lane under 3 min; runs in the whole suite)
def test_json_schema(doc):
    assert {"gamma", "bounds"} <= set(doc)
    assert list(doc["bounds"]) == NAMES
    for name, b in doc["bounds"].items():
        assert set(b) == {"latex", "srepr", "symbols", "source"}, name
        e = sp.sympify(b["srepr"])
        assert {s.name for s in e.free_symbols} == set(b["symbols"])
    g = doc["gamma"]
    for m in ("sgd", "adagrad", "rmsprop", "adam", "amsgrad", "adamnc", "adamx"):
        assert g[m]["verdict"] in ("psd", "indefinite")
    assert [g[m]["verdict"] for m in ("sgd", "adagrad", "amsgrad", "adamnc", "adamx")] == ["psd"] * 5
    assert g["rmsprop"]["verdict"] == g["adam"]["verdict"] == "indefinite"
    assert g["amsgrad-pytorch"]["verdict"] == "psd" and g["amsgrad-pytorch-constant"]["verdict"] == "indefinite"


def _replay(w):
    """Gamma_t of one coordinate from the witness fields only, by the recursions of the paper (eq. 1,
    Algorithm 2) and PyTorch's bias correction (docs/references.md, implementations §1.2), in exact rationals + floats."""
    h = {k: F(v) for k, v in w["hyper"].items() if k in ("alpha", "beta1", "beta2")}
    b2, a = h["beta2"], h["alpha"]
    pytorch = w["hyper"].get("variant") == "pytorch"
    amsgrad = w["method"] == "amsgrad"
    v = vhat = F(0)
    inv = []
    for t, g in enumerate((F(x) for x in w["gradients"]), start=1):
        v = b2 * v + (1 - b2) * g * g
        vhat = max(vhat, v) if amsgrad else v
        denom2 = vhat / (1 - b2 ** t) if pytorch else vhat
        at = float(a) if w["hyper"]["schedule"] == "constant" else float(a) / math.sqrt(t)
        inv.append(math.sqrt(denom2) / at)
    k = w["t"]
    return inv[k - 1] - inv[k - 2]


@pytest.mark.parametrize("key", ["rmsprop", "adam", "amsgrad-pytorch-constant"])
def test_witnesses_replay_from_json(doc, key):
    w = doc["gamma"][key]["witness"]
    assert _replay(w) < 0
    assert _replay(w) == pytest.approx(w["gamma_float"], rel=1e-13)
    assert float(sp.sympify(w["gamma_srepr"]).evalf(30)) == pytest.approx(w["gamma_float"], rel=1e-15)


def test_adam_json_witness_value(doc):
    assert round(doc["gamma"]["adam"]["witness"]["gamma_float"], 4) == -3.0318  # docs/references.md, literature §2


def test_text_and_latex(capsys):
    assert main(["--only", "bounds", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "thm4-arxiv" in out and "d/alpha" in out
    assert main(["--only", "bounds", "--latex", "--quiet"]) == 0
    assert r"\frac" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--only", "nonsense"], ["--json", "--latex"], ["--frobnicate"],
                                  ["--output", "/nonexistent-dir/x.json", "--only", "lemmas"]])
def test_bad_input_exit_2_one_line(argv, capsys):
    """In-process (the conventions live in main_entry; argparse's usage errors leave by SystemExit(2)
    in-process); the entry point itself is run once below."""
    try:
        rc = main(argv)
    except SystemExit as exc:
        rc = exc.code
    assert rc == 2
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith("python -m analysis: error:")


def test_entry_point_bad_input_and_help():
    """``python -m analysis`` as a user runs it: one process for bad input, one for --help."""
    p = subprocess.run([sys.executable, "-m", "analysis", "--frobnicate"], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert p.returncode == 2 and len(lines) == 1 and lines[0].startswith("python -m analysis: error:")
    p = subprocess.run([sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert p.returncode == 0 and "--json" in p.stdout and "srepr" in p.stdout


def test_tightness_section(monkeypatch, capsys):
    """--only tightness on a reduced corpus (the tight runs only): the table and the JSON section."""
    import analysis.corpus as corpus_mod

    monkeypatch.setattr(corpus_mod, "corpus", lambda: corpus_mod.tight())
    assert main(["--only", "tightness", "--json", "--quiet"]) == 0
    doc = json.loads(capsys.readouterr().out)
    tg = doc["tightness"]
    assert tg["seed"] == corpus_mod.SEED and tg["dps"] == 30 and tg["runs"] == len(corpus_mod.tight())
    assert tg["worst"]["thm4-arxiv"]["ratio"] == pytest.approx(0.5, abs=1e-15)  # theory, see numeric tests
    assert tg["worst"]["lemma-moment"]["ratio"] == pytest.approx(1.0, abs=1e-15)
    assert tg["kingma-ba-4.1-on-adam"]["refuted"] is True
