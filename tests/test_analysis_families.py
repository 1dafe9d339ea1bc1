"""The one home of the paper's objects (analysis.families, analysis.conditions).

Expected values come from the paper's formulas evaluated by hand, not from the code: Theorem 1 at
C = 3 prescribes beta2 = 1/(1+9) = 1/10; Theorem 6 at eps = 1 gives the printed 2/((1+C^2)C^2);
Theorem 3 at C = 100, delta = 1/10 gives p = 1.1/101.
"""
from __future__ import annotations

import ast
import pathlib
from fractions import Fraction

import pytest

from analysis import conditions as cond
from analysis.families import FAMILIES, build
from numerics import make, run

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_prescribed_values_by_hand():
    assert cond.thm1_beta2(3) == Fraction(1, 10)
    for C in (3, 5, Fraction(7, 2)):
        C = Fraction(C)
        assert cond.thm6_beta2(C, 1) == 2 / ((1 + C * C) * C * C)  # the printed Theorem 6 beta2
    assert cond.thm3_p(100, Fraction(1, 10)) == Fraction(11, 1010)
    assert cond.thm6_eps_max(3) == Fraction(9, 7)
    assert cond.SECTION5.pattern == [1010] + [-10] * 100
    assert sum(cond.SECTION5.pattern) == 10  # every period sums to +10: x* = -1


def test_family_carries_its_hyper_parameters():
    fam = build("thm1", C=3)
    assert fam.hyper() == dict(beta1=0, beta2=Fraction(1, 10), alpha=Fraction(1, 2), x1=1)
    assert fam.hyper(alpha="1/4")["alpha"] == "1/4" and fam.hyper(alpha=None)["alpha"] == Fraction(1, 2)
    m = fam.method("adam")
    assert m.hyper["beta1"] == 0 and m.hyper["beta2"] == Fraction(1, 10)


def test_the_trap_is_loud_and_the_family_run_diverges():
    fam = build("thm1", C=3)
    with pytest.raises(AttributeError, match="prescribed beta1=0, beta2=1/10"):
        fam.problem  # noqa: B018 - the attribute access is the test
    # Theorem 1: Adam with the prescribed beta1 = 0, beta2 = 1/(1+C^2) goes to the worst point +1
    res = fam.run("adam", 10**4)
    assert res.x_T > 0.9
    # the library defaults on the bare sequence converge: the opposite conclusion (why .problem raises)
    assert run(make("adam"), fam.sequence, 10**4, x1=1).x_T < -0.9


@pytest.mark.parametrize("name", FAMILIES)
def test_every_family_builds_and_runs(name):
    fam = build(name)
    assert fam.run("amsgrad", 5).x_T is not None


def test_section5_and_theorem2_conditions_written_once():
    """No module outside analysis re-types the Section 5 sequence or Theorem 2's (c1)-(c3)."""
    offenders = []
    for path in list((ROOT / "counterexamples").rglob("*.py")) + list((ROOT / "proofs").rglob("*.py")) + \
            [ROOT / "analysis" / "corpus.py"]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.List) and node.elts and isinstance(node.elts[0], ast.Constant) \
                    and node.elts[0].value == 1010:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} Section 5 pattern")
            if isinstance(node, ast.FunctionDef) and node.name in ("smallest_even_C", "c1", "c2", "c3") \
                    and path.name != "thm2.py":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert offenders == []
