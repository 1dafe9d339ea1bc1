"""cvc5's measured answers (analysis.z3kit.CVC5_KNOWN): a race cvc5 cannot win is not re-run, and the record
says so without changing what the step reports; a formula changed in any way, or another cvc5, is asked as usual."""
from __future__ import annotations

import pytest
import z3

from analysis import smt, z3kit
from proofs.audit import find_step


def _negation(name):
    _N, claim, hyps = find_step(name).z3_query()
    return z3kit.negate(claim, hyps)


def test_every_entry_is_a_formula_the_audit_poses_today():
    """An entry whose step no longer poses that exact formula would be dead weight (or, worse, a reason kept for
    a formula that changed): each digest is recomputed from the registry, in this process."""
    assert z3kit.CVC5_KNOWN
    for digest, e in z3kit.CVC5_KNOWN.items():
        assert z3kit.formula_digest(_negation(e["step"])) == digest, e["step"]
        assert ("no_answer_s" in e) != ("cpu_s" in e), e


def _no_cvc5(*a, **k):
    raise AssertionError("cvc5 was asked")


def _entry(kind):
    return next((d, e) for d, e in z3kit.CVC5_KNOWN.items() if kind in e)


def test_a_known_no_answer_is_recorded_not_rerun_and_stays_z3_only(monkeypatch):
    digest, e = _entry("no_answer_s")
    neg = _negation(e["step"])
    monkeypatch.setattr(z3kit, "_cvc5_version", lambda: z3kit.CVC5_MEASURED_VERSION)
    monkeypatch.setattr(smt, "cross_check", _no_cvc5)
    solvers, cc, disagree = z3kit.confirm_unsat(neg, smt.CVC5_TIMEOUT_S)
    assert solvers == "z3 only" and cc["cvc5"] == "unknown" and not disagree
    assert cc["reason"].startswith("cvc5: not re-run") and e["tried"] in cc["reason"]


@pytest.mark.parametrize("change", ["another cvc5", "a hypothesis dropped"])
def test_anything_else_is_asked_as_usual(monkeypatch, change):
    digest, e = _entry("no_answer_s")
    neg = _negation(e["step"])
    if change == "another cvc5":
        monkeypatch.setattr(z3kit, "_cvc5_version", lambda: "0.0.0")
    else:
        monkeypatch.setattr(z3kit, "_cvc5_version", lambda: z3kit.CVC5_MEASURED_VERSION)
        neg = neg[1:]
    asked = []
    monkeypatch.setattr(smt, "cross_check", lambda a, t: asked.append(t) or
                        {"status": "unknown", "reason": "cvc5: timeout (3 s)", "model": {}, "seconds": 0.1})
    solvers, cc, _ = z3kit.confirm_unsat(neg, smt.CVC5_TIMEOUT_S)
    assert asked == [smt.CVC5_TIMEOUT_S] and solvers == "z3 only" and cc["reason"] == "cvc5: timeout (3 s)"


@pytest.mark.slow  # cvc5 for real, ~3 CPU-s by design (the entry is a limit past the default 3 s)
def test_a_measured_limit_is_given_and_cvc5_confirms_there():
    """The entry with a CPU limit is a confirmation cvc5 finds just past the default 3 s (measured 2.7-3.2 s):
    with it, cvc5 really says unsat (about 3 s of CPU); at the default it did not (the step was 'z3 only')."""
    if not smt.available() or z3kit._cvc5_version() != z3kit.CVC5_MEASURED_VERSION:
        pytest.skip("cvc5 of the measured version is not installed")
    _digest, e = _entry("cpu_s")
    solvers, cc, disagree = z3kit.confirm_unsat(_negation(e["step"]), smt.CVC5_TIMEOUT_S)
    assert solvers == "z3+cvc5" and cc["cvc5"] == "unsat" and not disagree


def test_digest_ignores_how_the_terms_were_made_and_sees_any_change():
    x, y = z3.Reals("x y")
    a = [x * y > 1, x <= 0, y >= 0]
    z3.Real("unrelated") + 1  # noqa: B018 -- new AST ids in between must not matter
    b = [x * y > 1, x <= 0, y >= 0]
    assert z3kit.formula_digest(a) == z3kit.formula_digest(b)
    assert z3kit.formula_digest(a) != z3kit.formula_digest([x * y > 1, x <= 0, y > 0])
