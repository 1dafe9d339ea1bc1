"""The Figure 1 analogue is drawn from simulate's record (R_t/t of Adam and AMSGrad apart, the worst
point's reference curve exact), and the audit page carries every step and survives unknown verdicts."""
from __future__ import annotations

import html
import json
import re
from fractions import Fraction

import pytest

from proofs.html import render


def test_html_has_every_label_and_survives_unknown_verdicts():
    doc = {"theorems": [{"id": "thm4", "title": "T4", "summary": "s", "steps": [
        {"label": "step 6", "claim": "c<1", "verdict": "refuted", "witness": {"t": "1"}, "seconds": 0.1},
        {"label": "E1", "claim": "finite", "verdict": "EVIDENCE", "seconds": 0.2,
         "solvers": ["z3", "cvc5"]}]}], "meta": {"mismatches": []}}
    page = render(doc)
    assert 'data-verdict="evidence"' in page and "step 6" in page and "z3<br>cvc5" in page
    assert re.search(r"<td>-</td><td class=\"num\">0.10", page)  # missing solvers -> "-"
    assert "http" not in page and "<script src" not in page


def _step(label, verdict, **kw):
    return {"label": label, "claim": "c", "verdict": verdict, "witness": {}, "seconds": 0.1, **kw}


def test_shared_step_counted_once_and_kernel_tree_collapsible():
    # two theorems share "S" (the second reuses the first's result): 3 rows, 2 distinct steps, 1 of them proved
    tree = {"name": "Thm", "kind": "solver", "deps": [
        {"name": "S", "kind": "step", "deps": []},
        {"name": "induction over n >= 1", "kind": "induction", "deps": []},
        {"name": "lemma", "kind": "solver", "deps": [{"name": "sum", "kind": "definition", "deps": []}]}]}
    doc = {"theorems": [
        {"id": "a", "title": "A", "steps": [_step("S", "proved"), _step("R", "refuted")],
         "kernel": {"verdict": "proved by the kernel", "reason": "kdrag returned a proof", "tree": tree,
                    "trusted_base": ["sympy: identity X"], "formula": "ForAll(T, ...)",
                    "dependencies": {"steps": ["S"], "definitions": ["sum"], "induction": 1, "lemmas": []}},
         "statement": {"proof": "proved", "statement": "proved", "note": "every step proved"}},
        {"id": "b", "title": "B", "steps": [_step("S", "proved", reused_from="a")],
         "statement": {"proof": "proved", "statement": "proved", "note": "every step proved"}}],
        "meta": {"mismatches": []}}
    page = render(doc)
    assert 'id="count-proved">1<' in page and 'id="count-refuted">1<' in page
    assert "2 distinct steps (3 rows" in page
    assert 'id="statements-proved-by-the-kernel">1<' in page and 'id="statements-not-established">1<' in page
    assert page.count("<details") >= 3 and "<summary>" in page and "sympy: identity X" in page
    assert ">NOT ESTABLISHED<" in page and ">PROVED by the kernel<" in page
    assert "shared: = a, counted there" in page


def test_proofs_html_page_of_one_theorem(audit_page, capsys):
    doc, page = audit_page  # python -m proofs --theorem kingma-ba --json --html FILE (tests/conftest.py)
    text = page.read_text()
    for s in doc["theorems"][0]["steps"]:
        assert html.escape(s["label"]) in text  # a row per step (labels are escaped: Gamma&gt;=0)
    assert "<script src" not in text and "http://" not in text and "https://" not in text
    # the section states the statement's verdict as the kernel gives it; the printed proof's is labelled apart
    k = doc["theorems"][0]["kernel"]["verdict"]
    badge = "PROVED by the kernel" if k == "proved by the kernel" else "NOT ESTABLISHED"
    assert re.search(r'<p class="statement"><b>Statement:</b> <span class="badge kbadge"[^>]*>%s</span>' % badge, text)
    assert "Printed proof, step by step (not a kernel verdict)" in text
    assert not re.search(r"Statement:</b> <span[^>]*>PROVED</span>", text)
    # the page counts as the JSON does
    for v, n in doc["meta"]["counts"].items():
        if n:
            assert f'id="count-{v}">{n}<' in text
    from proofs.__main__ import main as proofs_main  # in-process: the page above came from the entry point

    capsys.readouterr()
    try:
        rc = proofs_main(["--html", "/nonexistent/a.html"])
    except SystemExit as exc:  # the parser's checks leave by SystemExit(2) in-process
        rc = exc.code
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and "--html" in err


def test_figure1_worst_point_curve_is_exact_and_runs_apart(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from counterexamples.figures import worst_point_regret

    from counterexamples.simulate import main as simulate_main  # in-process: its output is what is checked

    fig = tmp_path / "fig1.png"
    capsys.readouterr()
    rc = simulate_main(["--problem", "section5-online", "--optimizer", "adam,amsgrad", "--T", "20000", "--json",
                        "--plot", str(fig)])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    out = json.loads(cap.out)
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    w = worst_point_regret(out)
    assert w["x"] == 1.0 and w["optimum"] == -1.0
    # exact: the worst point x = +1 over one period of 1010, -10 x 100 has mean loss (1010 - 1000)/101
    t = w["t"].index(101 * (20000 // 101)) if 101 * (20000 // 101) in w["t"] else None
    if t is not None:
        assert abs(w["avg_regret"][t] - float(Fraction(2 * 10, 101))) < 1e-12
    adam, ams = (r["checkpoints"][-1]["avg_regret"] for r in out["runs"])
    assert adam > 1.5 * ams > 0  # the two runs are apart on the log axis (0.51 vs 0.29 at T = 2e4)
