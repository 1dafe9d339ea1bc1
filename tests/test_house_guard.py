"""Guards of the house (issue 25, items 1 and 2), read from the sources (``ast``; nothing is imported), in every
package, ``benchmarks/``, ``examples/``, the pytest plugin and (for the constants) the notebooks' code cells,
exempting nothing by file name:

* no module reads another module's private name (one leading underscore): ``from m import _x``,
  ``from . import _m``, ``m._x`` and ``pkg.m._x`` for an imported module ``m``, relative imports resolved
  against the package (``tests/test_proofs_structure.py`` checks the same inside ``proofs``, and its circles);
* a bound's link (fresh reals, to_num's number system over them, the rational identity) is written once, in
  :func:`proofs.statements.bound_link` (found by the function that writes it, not by its file), and the step
  bounds' total its Theorem 4 (arXiv) and Theorem 5 links pass, once, in :func:`proofs.step_bounds.step_bounds_rhs`
  (found by its shape: a sum of abel_rhs, step7_sum_rhs and mterm_sum_rhs);
* the paper's (0.9, 0.99) is not retyped where ``tests/test_analysis_families.py`` does not look (positional
  arguments, defaults, dataclass fields -- there one half alone counts too --, notebooks, examples): its home is
  :mod:`numerics.paper`;
* the theorems' prescribed values (Theorem 1's and 6's beta2, Theorem 3's p) are called, not retyped.

Each checker is first shown to fire on planted sources.  What stands today in files that other work owns is
listed (:data:`KNOWN`, :data:`KNOWN_PAIRS`, :data:`KNOWN_FORMULAS`, :data:`LINKS_ELSEWHERE`), each by what it
is, not by file alone: a test fails on anything not listed, and on a listed item that is gone, so the lists
only shrink, to empty.
"""
from __future__ import annotations

import ast
import functools
import json
import re
import tempfile
from pathlib import Path

from test_analysis_families import PAPER_PAIRS, _number, constant_offenders

ROOT = Path(__file__).resolve().parents[1]
TREES = ("analysis", "numerics", "proofs", "counterexamples", "benchmarks", "examples", "pytest_adam_beyond")

# (the module that reads, the private name read): each to be made public by its owner, then struck here.  Empty
# since arb's ScalarArb and conformance.variants' candidate_method became public (issue 25): no read is allowed.
KNOWN: set[tuple[str, str]] = set()


@functools.lru_cache(maxsize=None)
def _parse(src: str) -> ast.Module:
    """One parse per source text for the checks below (they only read the tree)."""
    return ast.parse(src)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(rel: str) -> str:
    parts = list(Path(rel).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_reads(src: str, rel: str, roots=TREES) -> set[tuple[str, str]]:
    """(module, 'other.module._name') for every private name of another module of ``roots`` that the source
    ``src`` of the file ``rel`` (a path from the repository root) imports or reads."""
    here = module_name(rel)
    package = here if rel.endswith("__init__.py") else here.rpartition(".")[0]
    tree = _parse(src)
    out, alias = set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] not in roots:
                continue
            for a in node.names:
                if _private(a.name) and mod != here:
                    out.add((here, f"{mod}.{a.name}"))
                alias[a.asname or a.name] = f"{mod}.{a.name}"  # a module or a name; read through below
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in roots:
                    alias[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            chain, v = [], node.value
            while isinstance(v, ast.Attribute):
                chain.insert(0, v.attr)
                v = v.value
            if isinstance(v, ast.Name) and v.id in alias:
                owner = ".".join([alias[v.id], *chain])
                if owner != here:
                    out.add((here, f"{owner}.{node.attr}"))
    return out


def house_reads() -> set[tuple[str, str]]:
    found = set()
    for top in TREES:
        for p in sorted((ROOT / top).rglob("*.py")):
            rel = p.relative_to(ROOT).as_posix()
            found |= private_reads(p.read_text(encoding="utf-8"), rel)
    return found


def test_the_guard_fires_on_planted_sources():
    """Each kind of read is caught, in a file of any name; a module's own private names are its own."""
    src = ("from numerics.backends import _lift2\nfrom . import steady as S\nfrom ..figures import _pyplot\n"
           "import numerics.engine.kernels\nfrom numerics.engine import kernels as KE\n"
           "def f():\n    S._drift_float(1)\n    numerics.engine.kernels._cached_module(0)\n    KE._LOCK\n    _own()\n")
    got = private_reads(src, "/".join(("counterexamples", "drift", "anything.py")))  # a file of any name
    assert got == {("counterexamples.drift.anything", n) for n in (
        "numerics.backends._lift2", "counterexamples.figures._pyplot", "counterexamples.drift.steady._drift_float",
        "numerics.engine.kernels._cached_module", "numerics.engine.kernels._LOCK")}, got
    src = "from .conditions import thm1_beta2\nfrom . import _x\n_y = 1\n"
    assert private_reads(src, "analysis/families.py") == {("analysis.families", "analysis._x")}
    assert private_reads(src, "analysis/__init__.py") == set()  # a package and its own private module
    assert private_reads("import os\nos._exit\nfrom sympy import _x\n", "benchmarks/run.py") == set()


def test_the_guard_reads_every_tree():
    seen = {p.relative_to(ROOT).parts[0] for top in TREES for p in (ROOT / top).rglob("*.py")}
    assert seen == set(TREES)


def test_no_module_reads_another_modules_private_names():
    found = house_reads()
    new = sorted(found - KNOWN)
    assert not new, "private names read from another module (make them public there):\n" + "\n".join(
        f"{a} reads {b}" for a, b in new)
    gone = sorted(KNOWN - found)
    assert not gone, "no longer read, strike from KNOWN: " + ", ".join(f"{a} -> {b}" for a, b in gone)


# The one bound link: proofs.statements' bound_link and its number system LinkNum (to_num's over the link's terms).
# Every other function or class, in any proofs module statements.py included, calls bound_link instead of writing a
# link's parts (the statements module is not exempt by its name: the link is found by what it is, in the function
# or class that writes it).
LINK_HOME = {("statements", "bound_link"), ("statements", "LinkNum")}
# (module, function or class) that still writes a bound's link of its own: none since Theorem 4 (arXiv)'s link
# (statements._bound_link) calls bound_link too, as pp-4.1's, AdamX's and Theorem 5's do; any new one fails
LINKS_ELSEWHERE: set[tuple[str, str]] = set()


def _calls(tree) -> set[str]:
    """The names the source calls (``f(...)`` and ``m.f(...)``)."""
    return {n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", None)
            for n in ast.walk(tree) if isinstance(n, ast.Call)}


def _link_parts(tree) -> set[str]:
    calls = _calls(tree)
    bases = {ast.unparse(b).rpartition(".")[2] for n in ast.walk(tree) if isinstance(n, ast.ClassDef) for b in n.bases}
    return ({"identity_once"} & calls) | ({"KNum"} & bases)


def _link_writers(tree) -> set[str]:
    """The module-level functions and classes of ``tree`` that write a link's parts (what they nest counts for
    them), and ``<module>`` for a module-level statement that does."""
    return {getattr(n, "name", "<module>") for n in tree.body if _link_parts(n)}


def _def(tree, name):
    return next(n for n in tree.body if getattr(n, "name", None) == name)


def test_the_link_check_fires_on_a_planted_copy():
    planted = "class _Num(ST.KNum):\n    pass\nidl = ST.identity_once('x', idn, [], 'n', 'g', 1)\n"
    assert _link_parts(ast.parse(planted)) == {"identity_once", "KNum"}
    assert _link_parts(ast.parse("link = ST.bound_link('t', V, d, T, H0, by=[])\n")) == set()
    assert "bound_link" in _calls(ast.parse("link = ST.bound_link('t')\nfin = bound_link('u')\n"))
    assert "bound_link" not in _calls(ast.parse("def _bound_link5():\n    pass\n# bound_link\n"))
    # in the module of the link itself: a function with its own number system or identity, nested or not, is found
    planted = ("class KNum:\n    pass\nclass LinkNum(KNum):\n    pass\n"
               "def bound_link():\n    return identity_once('t', idn, [], 'n', 'g', 1)\n"
               "def _own_link():\n    class _SNum(KNum):\n        pass\n    return identity_once('l', idn, [], 'n', 'g', 1)\n"
               "def _number_system_only():\n    class _SNum(KNum):\n        pass\n"
               "def _calls_the_link():\n    return bound_link()\n"
               "IDL = identity_once('m', idn, [], 'n', 'g', 1)\n")
    tree = ast.parse(planted)
    assert _link_writers(tree) == {"LinkNum", "bound_link", "_own_link", "_number_system_only", "<module>"}
    assert "bound_link" in _calls(_def(tree, "_calls_the_link")) and "bound_link" not in _calls(_def(tree, "_own_link"))


def test_a_bound_link_is_written_once():
    """A bound's link (fresh reals, to_num's number system over them, the rational identity total + gap = bound
    proved once and instantiated at the kernel's terms) is written once, in proofs.statements.bound_link (with its
    number system LinkNum): Theorem 4 (arXiv) (statements._bound_link), pp-4.1, AdamX's 5.1 and Theorem 5 (AdamNC)
    call it instead of each carrying a copy."""
    found = {(p.stem, w) for p in sorted((ROOT / "proofs").glob("*.py"))
             for w in _link_writers(_parse(p.read_text(encoding="utf-8")))}
    assert LINK_HOME <= found, f"the link's home moved or was renamed: {sorted(LINK_HOME - found)}"
    assert found - LINK_HOME == LINKS_ELSEWHERE, sorted(found - LINK_HOME)
    for name in ("kernel_pp", "kernel_adamx", "kernel_thm5"):  # each calls the one link (a name in a comment is not)
        assert "bound_link" in _calls(_parse((ROOT / "proofs" / f"{name}.py").read_text(encoding="utf-8"))), name
    statements = _parse((ROOT / "proofs" / "statements.py").read_text(encoding="utf-8"))
    assert "bound_link" in _calls(_def(statements, "_bound_link"))  # Theorem 4 (arXiv)'s link


# The step bounds' total that Theorem 4 (arXiv)'s and Theorem 5's links pass to bound_link (and their builders,
# additivity lemmas, step_bounds_total, thm5_total use): abel_rhs + step7_sum_rhs + mterm_sum_rhs, defined once, in
# proofs.step_bounds.step_bounds_rhs.  Found by its shape, in any file: a sum (a chain of ``+``, parentheses
# flattened, or ``Add(...)``) that has a call of each of the three bounds among its terms.  pp-4.1's and AdamX's
# totals (their own first term, no abel_rhs) are other sums and are not this shape.
TOTAL_HOME = {("step_bounds", "step_bounds_rhs")}
STEP_BOUNDS = {"abel_rhs", "step7_sum_rhs", "mterm_sum_rhs"}


def _name(call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)


def _terms(node) -> list:
    """The terms of the sum ``node`` (a ``+`` chain, parentheses flattened, or an ``Add(...)`` call); [node] else."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _terms(node.left) + _terms(node.right)
    if isinstance(node, ast.Call) and _name(node) == "Add":
        return [t for a in node.args for t in _terms(a)]
    return [node]


def _writes_the_total(tree) -> bool:
    """Whether ``tree`` has a sum with a call of abel_rhs, step7_sum_rhs and mterm_sum_rhs among its terms."""
    return any(STEP_BOUNDS <= {_name(t) for t in _terms(n) if isinstance(t, ast.Call)}
               for n in ast.walk(tree) if _terms(n) != [n])


def _total_writers(tree) -> set[str]:
    """The module-level functions and classes of ``tree`` that write the total (what they nest counts for them),
    and ``<module>`` for a module-level statement that does."""
    return {getattr(n, "name", "<module>") for n in tree.body if _writes_the_total(n)}


def test_the_total_check_fires_on_a_planted_copy():
    planted = ("def f(D2, B, A, S, K):\n    tot = lambda a, s, k: abel_rhs(D2, B, a, s) + step7_sum_rhs(D2, B, s)"
               " + mterm_sum_rhs(B, k)\n    return tot(A, S, K)\n"
               "def g(x):\n    return (SB.abel_rhs(1, x, 1, 1) + (A.step7_sum_rhs(1, x, 1) + A.mterm_sum_rhs(x, 1)))\n"
               "def h(x):\n    return sp.Add(abel_rhs(1, x, 1, 1), step7_sum_rhs(1, x, 1), mterm_sum_rhs(x, 1))\n"
               "T = abel_rhs(1, 0, 1, 1) + abel_rhs(1, 0, 2, 2) + step7_sum_rhs(1, 0, 1) + mterm_sum_rhs(0, 1) + 1\n"
               # not the total: pp-4.1's shape (its own first term), the three apart, the one definition called
               "def pp(d, F, B, S, K):\n    return d * F + d * step7_sum_rhs(1, B, S) + mterm_sum_rhs(B, K)\n"
               "def apart(B):\n    a = abel_rhs(1, B, 1, 1)\n    s = step7_sum_rhs(1, B, 1)\n"
               "    return a + s, mterm_sum_rhs(B, 1)\n"
               "def calls(B):\n    return step_bounds_rhs(1, B, 1, 1, 1) + step_bounds_rhs(1, B, 2, 2, 2)\n")
    assert _total_writers(ast.parse(planted)) == {"f", "g", "h", "<module>"}


def test_the_step_bounds_total_is_written_once():
    """abel_rhs + step7_sum_rhs + mterm_sum_rhs is written in proofs.step_bounds.step_bounds_rhs only: Theorem 4
    (arXiv)'s and Theorem 5's builders, additivity lemmas and links, step_bounds_total and thm5_total call it."""
    found = {(p.stem, w) for top in TREES for p in sorted((ROOT / top).rglob("*.py"))
             for w in _total_writers(_parse(p.read_text(encoding="utf-8")))}
    assert TOTAL_HOME <= found, f"the total's home moved or was renamed: {sorted(TOTAL_HOME - found)}"
    assert found == TOTAL_HOME, ("the step bounds' total written again (call step_bounds_rhs): "
                                 f"{sorted(found - TOTAL_HOME)}")


# ------------------------------------------------------------------------------------------------
# The paper's constants, where tests/test_analysis_families.py (the packages and benchmarks/: literals, tuples,
# beta1=/beta2= keywords, % 101, the (c3) coefficient, second definitions) does not look: the notebooks' code
# cells, examples/ and the plugin with the same checks, and everywhere the (0.9, 0.99) pair passed as two
# positional arguments, written as a function's beta1/beta2 defaults or as a dataclass's beta1/beta2 fields.
# The home (class Section5, recognised by its name, not by its file) is not an offender.

EXTRA_TREES = ("examples", "pytest_adam_beyond")
# (path, where): copies in files other work owns, to be read from the home and struck here.  Empty: the pair is
# written once, in numerics.paper (BETA1, BETA2 and PAPER_DEFAULT; numerics is the lowest layer that needs it, for
# its optimizers' defaults), and analysis.conditions re-exports it.
KNOWN_PAIRS: set = set()


def notebook_code(path: Path) -> str:
    """The code cells of a notebook as one Python source (IPython's %magic and !shell lines left out)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!")))


def _half_or_pair(b1, b2) -> bool:
    """(beta1, beta2) literals (None: not a literal, or not there) that retype the paper's pair or one half of it
    with nothing contradicting it: (0.9, 0.99), (0.9, -) or (-, 0.99).  ADOPT's own (0.9, 0.9999) is not one."""
    return any((b1 if b1 is not None else p1, b2 if b2 is not None else p2) == (p1, p2)
               for p1, p2 in PAPER_PAIRS) and (b1, b2) != (None, None)


def pair_places(src: str) -> set[str]:
    """Where ``src`` writes the paper's (beta1, beta2) as positional arguments, defaults or fields.  A default or a
    field counts with one half alone too (RMSProp's beta2, AdamNC's beta1, or one half retyped beside the other
    read from the home), unless the other half is a literal of another value."""
    out = set()
    for n in ast.walk(_parse(src)):
        if isinstance(n, ast.Call):
            a = [_number(x) for x in n.args]
            if any((a[i], a[i + 1]) in PAPER_PAIRS for i in range(len(a) - 1)):
                f = n.func
                out.add(f"call {f.attr if isinstance(f, ast.Attribute) else getattr(f, 'id', '?')}")
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            pos = n.args.posonlyargs + n.args.args
            d = {x.arg: _number(v) for x, v in zip(pos[len(pos) - len(n.args.defaults):], n.args.defaults)}
            d.update({x.arg: _number(v) for x, v in zip(n.args.kwonlyargs, n.args.kw_defaults) if v is not None})
            if _half_or_pair(d.get("beta1"), d.get("beta2")):
                out.add(f"defaults {n.name}")
        elif isinstance(n, ast.ClassDef) and n.name != "Section5":
            d = {s.target.id: _number(s.value) for s in n.body
                 if isinstance(s, ast.AnnAssign) and s.value is not None and isinstance(s.target, ast.Name)}
            if _half_or_pair(d.get("beta1"), d.get("beta2")):
                out.add(f"fields {n.name}")
    return out


def _all_sources() -> dict:
    src = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
           for top in TREES for p in sorted((ROOT / top).rglob("*.py"))}
    src.update({p.relative_to(ROOT).as_posix(): notebook_code(p) for p in sorted((ROOT / "notebooks").glob("*.ipynb"))})
    return src


def test_the_pair_check_fires_on_planted_sources():
    assert pair_places("dr.boundary_C('9/10', '99/100', 101)\n") == {"call boundary_C"}
    assert pair_places("def adam(alpha=1, beta1='0.9', beta2='0.99'):\n    pass\n") == {"defaults adam"}
    assert pair_places("def f(*, beta1=Fraction(9, 10), beta2=0.99):\n    pass\n") == {"defaults f"}
    assert pair_places("class R:\n    beta1: F = Fraction(9, 10)\n    beta2: F = Fraction(99, 100)\n") == {"fields R"}
    assert pair_places("class Section5:\n    beta1: F = Fraction(9, 10)\n    beta2: F = Fraction(99, 100)\n") == set()
    assert pair_places("f('9/10', '999/1000')\ndef g(beta1='0.9', beta2='0.999'):\n    pass\n") == set()
    # one half alone, or beside the other read from the home, is a retyping too; another method's own pair is not
    assert pair_places("def rmsprop(alpha=1, beta2='0.99', eps=0):\n    pass\n") == {"defaults rmsprop"}
    assert pair_places("def adamnc(alpha=1, beta1='0.9', lam=None):\n    pass\n") == {"defaults adamnc"}
    assert pair_places("def adam(alpha=1, beta1='0.9', beta2=BETA2):\n    pass\n") == {"defaults adam"}
    assert pair_places("class R:\n    beta1: F = PAPER_DEFAULT[0]\n    beta2: F = Fraction(99, 100)\n") == {"fields R"}
    assert pair_places("def adopt(beta1='0.9', beta2='0.9999'):\n    pass\ndef sgdm(momentum='0.9'):\n    pass\n"
                       "def adam(alpha=1, beta1=BETA1, beta2=BETA2):\n    pass\n") == set()
    nb = {"cells": [{"cell_type": "code", "source": ["%matplotlib inline\n", "x = (Fraction(9, 10), Fraction(99, 100))"]},
                    {"cell_type": "markdown", "source": ["(0.9, 0.99)"]}]}
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "n.ipynb"
        p.write_text(json.dumps(nb))
        assert constant_offenders({"n.ipynb": notebook_code(p)}) != []


def test_the_pair_check_reads_every_tree_and_the_notebooks():
    seen = {Path(p).parts[0] for p in _all_sources()}
    assert seen == set(TREES) | {"notebooks"} and len([p for p in _all_sources() if p.endswith(".ipynb")]) >= 5


def test_the_papers_pair_is_not_retyped_anywhere():
    src = _all_sources()
    found = {(p, w) for p, s in src.items() for w in pair_places(s)}
    found |= {(o.split(":")[0], o.split(" ", 1)[1]) for o in constant_offenders(
        {p: s for p, s in src.items() if p.startswith(EXTRA_TREES + ("notebooks",))})}
    new = sorted(found - KNOWN_PAIRS)
    assert not new, "the paper's (0.9, 0.99) retyped (import analysis.conditions.PAPER_DEFAULT):\n" + "\n".join(
        f"{p}: {w}" for p, w in new)
    gone = sorted(KNOWN_PAIRS - found)
    assert not gone, f"no longer retyped, strike from KNOWN_PAIRS: {gone}"


# ------------------------------------------------------------------------------------------------
# The theorems' prescribed values, retyped as formulas instead of called: Theorem 1's beta2 = 1/(1+C^2), Theorem 3's
# p = (1+delta)/(C+1) and Theorem 6's beta2 = (1-eps+2eps/C^2)/(1+C^2) (analysis.conditions thm1_beta2, thm3_p,
# thm6_beta2; the home is the function of that name, wherever it stands).  Read on the expression's shape, names
# aside (a kernel hypothesis written b2 (1 + C^2) == 1 is not this shape and is not read).

FORMULAS = {
    "thm1_beta2": re.compile(r"1/\(1\+(\w+)\*\1\)"),
    "thm3_p": re.compile(r"\(1\+[\w.()]+\)/\([\w.()]+\+1\)"),
    "thm6_beta2": re.compile(r"\(1-(\w+)\+2\*\1/\((\w+)\*\2\)\)/\(1\+\2\*\2\)"),
}
# Empty: the proofs call the home functions on their own numbers (arb balls, Z3 and SymPy terms pass through).
KNOWN_FORMULAS: set = set()


def formula_places(src: str) -> set[str]:
    """Which of :data:`FORMULAS` ``src`` writes outside a function of that name."""
    tree = _parse(src)
    home = {id(m) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name in FORMULAS for m in ast.walk(f)}
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div) and id(n) not in home:
            text = ast.unparse(n).replace(" ", "")
            out |= {name for name, pat in FORMULAS.items() if pat.fullmatch(text)}
    return out


def test_the_formula_check_fires_on_planted_sources():
    assert formula_places("b2 = 1 / (1 + C * C)\n") == {"thm1_beta2"}
    assert formula_places("p = (1 + d) / (dr.q(C) + 1)\n") == {"thm3_p"}
    assert formula_places("x = (1 - e + 2 * e / (C * C)) / (1 + C * C) > 0\n") == {"thm6_beta2"}
    assert formula_places("def thm1_beta2(C):\n    return 1 / (1 + C * C)\n") == set()  # the home
    assert formula_places("h = [b2 * (1 + C * C) == 1]\ny = 1 / (1 + C * D)\n") == set()


def test_the_theorems_prescribed_values_are_called_not_retyped():
    src = _all_sources()
    found = {(p, w) for p, s in src.items() for w in formula_places(s)}
    assert {p for p, _ in found if p.startswith("analysis/")} == set()  # the home's module calls its functions
    new = sorted(found - KNOWN_FORMULAS)
    assert not new, "a theorem's prescribed value retyped (call analysis.conditions):\n" + "\n".join(
        f"{p}: {w}" for p, w in new)
    gone = sorted(KNOWN_FORMULAS - found)
    assert not gone, f"no longer retyped, strike from KNOWN_FORMULAS: {gone}"
