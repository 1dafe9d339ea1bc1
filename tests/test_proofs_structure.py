"""The structure of :mod:`proofs`, read from the imports (``ast``, nothing is imported or run).

* No module of ``proofs`` imports or reads a private name (one leading underscore) of another ``proofs``
  module: what two modules share lives in a public module (:mod:`proofs.lemmas`, :mod:`proofs.numsys`).
* The import graph inside ``proofs`` -- every import, those inside functions included -- has no circle
  (``proofs.obligation -> proofs.vacuity -> proofs.obligation`` was one until the replay helpers moved
  down to :mod:`proofs.numsys`).

Each checker is first shown to fire on a small planted source, so that a checker that finds nothing
cannot pass by accident.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = "proofs"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _target(node: ast.ImportFrom, here: str) -> str | None:
    """The proofs module a ``from ... import`` reads from (None outside the package)."""
    if node.level == 1:
        return node.module.split(".")[0] if node.module else ""  # "" = the package itself (from . import x)
    if node.level == 0 and node.module and (node.module == PKG or node.module.startswith(PKG + ".")):
        rest = node.module[len(PKG) + 1:]
        return rest.split(".")[0] if rest else ""
    return None


def private_reads(src: str, here: str) -> list[str]:
    """Every place where module ``here`` (source ``src``) imports or reads another proofs module's private
    name: ``from .m import _x``, ``from . import _m``, ``m._x`` / ``A._x`` for an imported module ``m``."""
    tree = ast.parse(src)
    out, mods = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            tgt = _target(node, here)
            if tgt is None:
                continue
            for a in node.names:
                if tgt == "":  # from . import m [as A]: a module
                    mods[a.asname or a.name] = a.name
                    if _private(a.name):
                        out.append(f"{here}:{node.lineno}: imports the private module {a.name}")
                elif tgt != here and _private(a.name):
                    out.append(f"{here}:{node.lineno}: imports {tgt}.{a.name}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith(PKG + "."):
                    mod = a.name.split(".")[1]
                    if a.asname:
                        mods[a.asname] = mod
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in mods
                and mods[node.value.id] != here and _private(node.attr)):
            out.append(f"{here}:{node.lineno}: reads {mods[node.value.id]}.{node.attr} (as {node.value.id}.{node.attr})")
        # import proofs.m (no alias): proofs.m._x
        if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Attribute)
                and isinstance(node.value.value, ast.Name) and node.value.value.id == PKG
                and node.value.attr != here):
            out.append(f"{here}:{node.lineno}: reads {node.value.attr}.{node.attr}")
    return out


def imports_of(src: str, here: str, modules: set) -> set:
    """The proofs modules that ``here`` imports anywhere (inside functions too)."""
    out = set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.ImportFrom):
            tgt = _target(node, here)
            if tgt is None:
                continue
            if tgt == "":
                out |= {a.name for a in node.names if a.name in modules}
            elif tgt in modules:
                out.add(tgt)
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[1] for a in node.names if a.name.startswith(PKG + ".")}
    out.discard(here)
    return out


def circles(graph: dict) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _sources() -> dict:
    return {p.stem: p.read_text() for p in sorted((ROOT / PKG).glob("*.py")) if p.stem != "__init__"}


def test_the_checkers_fire_on_planted_sources():
    planted = ("from . import thm4_arxiv as A\nfrom .step_bounds import _DOMAIN, abel_rhs\nimport proofs.kernel as K\n"
               "import proofs.kernel\nfrom proofs.obligation import _truth\n"
               "def f(N, H):\n    K._LEDGER\n    proofs.kernel._LEDGER\n    return A._beta(N, H), A.beta(N, H)\n")
    found = private_reads(planted, "pp_repairs")
    assert [f.split(": ", 1)[1] for f in found] == [
        "imports step_bounds._DOMAIN", "imports obligation._truth", "reads kernel._LEDGER (as K._LEDGER)",
        "reads kernel._LEDGER", "reads thm4_arxiv._beta (as A._beta)"], found
    # a module's own private names are its own business
    assert private_reads("from .vacuity import _key\n_x = 1\n", "vacuity") == []
    mods = {"obligation", "vacuity", "numsys"}
    g = {"obligation": imports_of("from . import vacuity\nfrom .numsys import Z3Num\n", "obligation", mods),
         "vacuity": imports_of("def f():\n    from .obligation import Z3Num\n", "vacuity", mods),
         "numsys": set()}
    assert circles(g) == [["obligation", "vacuity"]]
    g["vacuity"] = imports_of("from .numsys import Z3Num\n", "vacuity", mods)
    assert circles(g) == []


def test_no_proofs_module_reads_another_modules_private_names():
    bad = [f for name, src in _sources().items() for f in private_reads(src, name)]
    assert bad == [], "shared helpers belong in a public module (proofs.lemmas, proofs.numsys):\n" + "\n".join(bad)


def test_the_proofs_import_graph_has_no_circle():
    src = _sources()
    graph = {name: imports_of(s, name, set(src)) for name, s in src.items()}
    assert "numsys" in graph["vacuity"] and "obligation" not in graph["vacuity"]
    assert circles(graph) == []


def test_lemmas_and_numsys_stand_on_no_other_proofs_module():
    src = _sources()
    for low in ("lemmas", "numsys"):
        assert imports_of(src[low], low, set(src)) == set(), low
