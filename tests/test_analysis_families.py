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


def test_the_prescribed_values_take_the_proofs_terms():
    """The proofs call thm1_beta2, thm3_p and thm6_beta2 on their own variables (Z3 reals, SymPy symbols) and get
    the very expression the formula writes; numbers still come back exact."""
    import sympy as sp
    import z3

    C, d, e = z3.Reals("C delta eps")
    assert cond.thm1_beta2(C).eq(1 / (1 + C * C))
    assert cond.thm3_p(C, d).eq((1 + d) / (C + 1))
    assert cond.thm6_beta2(C, e).eq((1 - e + 2 * e / (C * C)) / (1 + C * C))
    Cs, ds = sp.symbols("C delta", positive=True)
    assert cond.thm3_p(Cs, ds) == (1 + ds) / (Cs + 1)
    assert cond.thm3_p(3, "1/10") == Fraction(11, 40) and isinstance(cond.thm3_p(3.0, 0.5), Fraction)


# the factories whose beta defaults are their own method's, not the paper's: ADOPT's (0.9, 0.9999) is Taniguchi et
# al.'s recommendation (its point is any beta2), signSGD's beta1 = 0 is signSGD itself (beta1 > 0 is Signum)
OWN_DEFAULTS = {"adopt", "signsgd"}


def test_the_papers_pair_has_one_home():
    """The paper's (beta1, beta2) = (0.9, 0.99) (Section 5) is written once, in numerics.paper (the optimizers'
    defaults need it and numerics cannot import analysis): analysis.conditions re-exports those objects, Section 5
    and RunConfig read them, and every factory that takes beta1 or beta2 defaults to that very text (CPython keeps
    a retyped "0.9" a distinct object), so make("adam") runs the paper's setting, its values recorded as given."""
    import dataclasses
    import inspect

    from analysis.evaluate import RunConfig
    from numerics import paper
    from numerics.optimizers import FACTORIES

    assert paper.PAPER_DEFAULT == (Fraction(9, 10), Fraction(99, 100))  # Section 5's beta1, beta2, by hand
    assert paper.PAPER_SETTINGS == (paper.PAPER_DEFAULT, (Fraction(9, 10), Fraction(999, 1000)))
    assert cond.PAPER_DEFAULT is paper.PAPER_DEFAULT and cond.PAPER_SETTINGS is paper.PAPER_SETTINGS
    assert cond.SECTION5.beta1 is paper.PAPER_DEFAULT[0] and cond.SECTION5.beta2 is paper.PAPER_DEFAULT[1]
    fields = {f.name: f.default for f in dataclasses.fields(RunConfig)}
    assert fields["beta1"] is paper.PAPER_DEFAULT[0] and fields["beta2"] is paper.PAPER_DEFAULT[1]
    home = {"beta1": paper.BETA1, "beta2": paper.BETA2}
    taking = {n: {k: p.default for k, p in inspect.signature(f).parameters.items() if k in home}
              for n, f in FACTORIES.items()}
    read = {n for n, d in taking.items() if d and n not in OWN_DEFAULTS}
    assert {"adam", "amsgrad", "rmsprop", "adamnc", "adamx", "adabound", "lion"} <= read
    assert {n for n in read if any(v is not home[k] for k, v in taking[n].items())} == set()
    h = make("adam").hyper
    assert (h["beta1"], h["beta2"]) == ("0.9", "0.99") == (paper.BETA1, paper.BETA2)


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


PACKAGES = ("analysis", "numerics", "proofs", "counterexamples", "benchmarks")
HOME = ROOT / "analysis" / "conditions.py"
# (0.9, 0.99) only: (0.9, 0.999) is also Kingma & Ba's library default (the spike, Phuong & Phong Ex. 3.2)
PAPER_PAIRS = {(Fraction(9, 10), Fraction(99, 100))}
ONCE = ("c1", "c2", "c3", "c3_terms", "c3_margin", "smallest_even_C", "scan_even_C", "thm1_beta2", "thm6_beta2",
        "thm3_p")


def _number(node):
    """The exact value of a numeric literal, a '9/10'-style string or Fraction(p, q) / Fraction('...'), else None."""
    try:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float, str):
            return Fraction(str(node.value)) if not isinstance(node.value, float) else Fraction(repr(node.value))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Fraction" and node.args \
                and all(isinstance(a, ast.Constant) for a in node.args):
            return Fraction(*(a.value for a in node.args))
    except (ValueError, TypeError, ZeroDivisionError):
        return None
    return None


def constant_offenders(sources: dict) -> list[str]:
    """Paper constants typed outside their home, in {path: source}.  Flags: the number 1010 (the
    Section 5 gradient) anywhere in code; an expression '... % 101' (its period); the paper's
    (beta1, beta2) pairs (0.9, 0.99), (0.9, 0.999) written as a tuple or as beta1=/beta2= (betas=)
    arguments; the (c3) coefficient 3(1-beta1)/(2 sqrt(1-beta2)); a second definition of a condition.
    The home is recognised by what it defines (class Section5, PAPER_SETTINGS, c3_terms), not by its
    file name; strings and comments are prose and are not read."""
    out, defined = [], {}
    for path, text in sources.items():
        tree = ast.parse(text)
        nodes = list(ast.walk(tree))  # walked once: the guard reads every package, and walks were most of its time
        home = set()
        for node in nodes:
            if isinstance(node, ast.ClassDef) and node.name == "Section5":
                home |= {id(m) for m in ast.walk(node)}
            for n in [node] if isinstance(node, (ast.Assign, ast.AnnAssign)) else []:
                tgt = n.targets[0] if isinstance(n, ast.Assign) else n.target
                if getattr(tgt, "id", None) in ("PAPER_SETTINGS", "PAPER_DEFAULT"):
                    home |= {id(m) for m in ast.walk(n)}
            if isinstance(node, ast.FunctionDef) and node.name == "c3_terms":
                home |= {id(m) for m in ast.walk(node)}
        for node in nodes:
            if id(node) in home:
                continue
            where = f"{path}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Constant) and type(node.value) in (int, float) and abs(node.value) == 1010:
                out.append(f"{where} the Section 5 gradient 1010")
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _number(node.right) == 101:
                out.append(f"{where} the Section 5 period (% 101)")
            pair = None
            if isinstance(node, ast.Tuple) and len(node.elts) == 2:
                pair = tuple(_number(e) for e in node.elts)
            if isinstance(node, ast.Call):
                kw = {k.arg: k.value for k in node.keywords}
                if "beta1" in kw and "beta2" in kw:
                    pair = (_number(kw["beta1"]), _number(kw["beta2"]))
            if pair in PAPER_PAIRS:
                out.append(f"{where} the paper's (beta1, beta2) = ({float(pair[0])}, {float(pair[1])})")
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                src = ast.unparse(node).replace(" ", "")
                if src.startswith("3*(1-") and "/(2*" in src and "sqrt" in src:
                    out.append(f"{where} the (c3) coefficient 3(1-beta1)/(2 sqrt(1-beta2))")
            if isinstance(node, ast.FunctionDef) and node.name in ONCE:
                defined.setdefault(node.name, []).append(where)
    out += [f"{name} defined {len(w)} times: {', '.join(w)}" for name, w in defined.items() if len(w) > 1]
    return out


def _sources() -> dict:
    return {str(p.relative_to(ROOT)): p.read_text() for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def test_the_guard_reads_every_package_and_benchmarks():
    seen = {pathlib.PurePath(p).parts[0] for p in _sources()}
    assert seen == set(PACKAGES)
    assert str(HOME.relative_to(ROOT)) in _sources()


def test_the_guard_catches_each_kind_of_retyped_constant():
    """Each pattern the guard looks for, fed to it in a file of any name (nothing is exempt by name)."""
    cases = {
        "g = [1010] + [-10] * 100": "1010",
        "g = 1010.0 if t % 101 == 1 else -10.0": "1010",
        "g = big if (t - 1) % 101 == 0 else small": "period",
        "b = (Fraction(9, 10), Fraction(99, 100))": "(0.9, 0.99)",
        "m = make('adam', beta1='9/10', beta2=Fraction('0.99'))": "(0.9, 0.99)",
        "opt = Adam(p, betas=(0.9, 0.99))": "(0.9, 0.99)",
        "A = 3 * (1 - B1) / (2 * (1 - B2).sqrt())": "(c3) coefficient",
        "def c3(b1, b2, C):\n    return 0\ndef c3(b1, b2, C):\n    return 1": "defined 2 times",
    }
    for src, what in cases.items():
        got = constant_offenders({"analysis/conditions.py": src})
        assert got and what in " ".join(got), (src, got)
    # the home's own definitions are not offenders; a use of them is not either
    assert constant_offenders({"x.py": "class Section5:\n    big: int = 1010\n    period: int = 101"}) == []
    assert constant_offenders({"x.py": "g = SECTION5.big if t % SECTION5.period == 1 else SECTION5.small"}) == []


def test_paper_constants_written_once():
    """No module of any package or of benchmarks/ re-types a constant of the paper or a condition."""
    assert constant_offenders(_sources()) == []
