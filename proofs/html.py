"""The audit as one self-contained HTML page (``python -m proofs --html FILE``).

:func:`render` takes the audit's JSON document (``{"theorems": [...], "meta": {...}}``, as written by
``--json``) and returns one HTML page with no external asset and no network access: inline CSS, inline
plain JavaScript for the verdict filters.  It shows a summary (distinct steps per verdict -- a step
shared by two theorems counted once, as the CLI and the JSON count them -- and statements per kernel
verdict), one section per theorem and one row per step.  A theorem's section leads with the statement's
verdict, which only the proof kernel gives: "PROVED by the kernel" or "NOT ESTABLISHED", with the reason,
the trusted base, the vacuity witness and the kernel's dependency tree as nested, collapsible
``<details>``; the printed proof's verdict (its steps one by one) and the steps' reading across layers
follow, labelled as not kernel verdicts.  Each step row has:
label, claim, verdict (a coloured badge that also spells the verdict, so the page reads without
colour), witness, solvers, seconds, and where the obligation is defined (``file``, ``module:function``,
line), found from the registry with :mod:`inspect`.

Verdicts it does not know are shown as they come (neutral badge, still filterable); a step without a
``solvers`` field shows "-".
"""
from __future__ import annotations

import html
import inspect
import os

KNOWN = ("proved", "refuted", "unknown", "evidence")
# Okabe-Ito: bluish green, vermillion, orange, sky blue; text on each badge is the verdict itself
COLOURS = {"proved": "#009E73", "refuted": "#D55E00", "unknown": "#E69F00", "evidence": "#56B4E9"}
NEUTRAL = "#777777"
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _e(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def sources() -> dict:
    """{(theorem id, step label): {"file", "function", "line"}} for every obligation in the registry."""
    from .registry import THEOREMS

    out = {}
    for tid, th in THEOREMS.items():
        for ob in th.obligations:
            fn = ob.build or ob.fn
            if fn is None:
                continue
            fn = inspect.unwrap(fn)
            try:
                path = inspect.getsourcefile(fn) or ""
                line = inspect.getsourcelines(fn)[1]
            except (OSError, TypeError):
                path, line = "", None
            rel = os.path.relpath(path, _ROOT) if path else "-"
            out[(tid, ob.label)] = {"file": rel.replace(os.sep, "/"),
                                    "function": f"{fn.__module__}:{fn.__qualname__}", "line": line}
    return out


def _verdict(s: dict) -> str:
    return str(s.get("verdict") or "unknown").lower()


def _badge(v: str) -> str:
    col = COLOURS.get(v, NEUTRAL)
    return f'<span class="badge" style="background:{col}">{_e(v.upper())}</span>'


def _witness(s: dict) -> str:
    w = s.get("witness") or {}
    if isinstance(w, dict) and w:
        return "<br>".join(f"<code>{_e(k)}</code> = {_e(v)}" for k, v in w.items())
    if w and not isinstance(w, dict):
        return _e(w)
    if _verdict(s) != "proved" and s.get("reason"):
        return f'<span class="reason">{_e(s["reason"])}</span>'
    vac = s.get("vacuity") or {}
    if _verdict(s) == "proved" and vac.get("witness"):
        w = ", ".join(f"{k} = {v}" for k, v in vac["witness"].items())
        w = w if len(w) <= 160 else w[:157] + "..."
        return f'<span class="src" title="{_e(vac.get("replay", ""))}">hypotheses hold at: {_e(w)}</span>'
    return "-"


def _solvers(s: dict) -> str:
    sv = s.get("solvers")
    if sv is None or sv == [] or sv == {}:
        return "-"
    if isinstance(sv, dict):
        return "<br>".join(f"{_e(k)}: {_e(v)}" for k, v in sv.items())
    if isinstance(sv, (list, tuple)):
        parts = []
        for x in sv:
            if isinstance(x, dict):
                parts.append(", ".join(f"{_e(k)}={_e(v)}" for k, v in x.items()))
            else:
                parts.append(_e(x))
        return "<br>".join(parts)
    return _e(sv)


def _seconds(s: dict) -> str:
    try:
        return f"{float(s.get('seconds')):.2f}"
    except (TypeError, ValueError):
        return "-"


STATEMENT_VERDICTS = ("proved by the kernel", "not established")
KCOLOURS = {"proved by the kernel": "#009E73", "not established": "#777777"}


def step_counts(theorems: list[dict]) -> dict:
    """Distinct steps per verdict: a step shared by several theorems (``reused_from``) counts once."""
    out = {v: 0 for v in KNOWN}
    for th in theorems:
        for s in th.get("steps", []):
            if not s.get("reused_from"):
                v = _verdict(s)
                out[v] = out.get(v, 0) + 1
    return out


def kernel_counts(theorems: list[dict]) -> dict:
    """Statements per kernel verdict (a theorem without a kernel record is not established)."""
    out = {v: 0 for v in STATEMENT_VERDICTS}
    for th in theorems:
        v = (th.get("kernel") or {}).get("verdict")
        out["proved by the kernel" if v == "proved by the kernel" else "not established"] += 1
    return out


def _kbadge(v: str) -> str:
    text = "PROVED by the kernel" if v == "proved by the kernel" else "NOT ESTABLISHED"
    return f'<span class="badge kbadge" style="background:{KCOLOURS.get(v, NEUTRAL)}">{_e(text)}</span>'


def _tree(node: dict, depth: int = 0, seen=None) -> str:
    """The kernel's dependency tree as nested <details> (open at the top two levels)."""
    seen = set() if seen is None else seen
    name = node.get("name") or "(unnamed)"
    kind = node.get("kind", "")
    deps = node.get("deps") or []
    label = f'<span class="tag">{_e(kind)}</span> {_e(name)}'
    key = (name, kind)
    if not deps:
        return f'<li>{label}</li>'
    if key in seen and kind != "rule":
        return f'<li>{label} <span class="src">(shown above)</span></li>'
    seen.add(key)
    kids = "".join(_tree(d, depth + 1, seen) for d in deps)
    return (f'<li><details{" open" if depth < 2 else ""}><summary>{label} '
            f'<span class="src">({len(deps)} dependencies)</span></summary><ul>{kids}</ul></details></li>')


def _statement(th: dict) -> str:
    k = th.get("kernel") or {}
    st = th.get("statement") or {}
    P = []
    v = k.get("verdict") or "not established"
    P.append(f'<p class="statement"><b>Statement:</b> {_kbadge(v)} '
             f'{_e(k.get("reason") or "no kernel proof of this statement")}</p>')
    if k:
        deps = k.get("dependencies") or {}
        tb = k.get("trusted_base") or []
        P.append('<div class="kernel">')
        if k.get("formula"):
            P.append(f'<details><summary>Kernel formula</summary><pre>{_e(k["formula"])}</pre></details>')
        prem = k.get("premises") or {}
        if deps or k.get("tree"):
            P.append(f'<p class="src">Trusted base: {_e(", ".join(tb)) if tb else "none (no axiom beyond the kernel)"}'
                     + (f'; premises: {_e("; ".join(f"{a}: {b}" for a, b in prem.items()))}' if prem else "")
                     + (f'; kernel checked {len(deps.get("steps", []))} steps, {len(deps.get("definitions", []))} '
                        f'definitions, {deps.get("induction", 0)} inductions' if deps else "") + "</p>")
        else:
            P.append('<p class="src">No kernel proof of this statement: no dependency tree, no trusted base.</p>')
        vac = k.get("vacuity")
        if vac:
            w = ", ".join(f"{a} = {b}" for a, b in (vac.get("witness") or {}).items())
            P.append(f'<p class="src">Hypotheses witnessed: <b>{_e(vac.get("status"))}</b> '
                     f'{_e(w or vac.get("reason", ""))}</p>')
        if k.get("tree"):
            P.append('<details class="tree"><summary>Dependency tree (click to expand)</summary>'
                     f'<ul>{_tree(k["tree"])}</ul></details>')
        P.append("</div>")
    if isinstance(st, dict) and st:
        P.append(f'<p class="printed">Printed proof, step by step (not a kernel verdict): '
                 f'<b>{_e(str(st.get("proof", "")).upper())}</b>; the steps\' reading across layers (not '
                 f'kernel-checked): <i>{_e(st.get("statement", ""))}</i> &mdash; {_e(st.get("note", ""))}</p>')
    return "\n".join(P)


CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em;color:#222;max-width:1400px}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.4em 0}
th,td{border:1px solid #ddd;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}
.badge{display:inline-block;color:#fff;font-weight:600;border-radius:3px;padding:0 5px;font-size:12px;
  letter-spacing:.03em;text-shadow:0 0 2px #000}
.claim{max-width:38em}.src{font-size:12px;color:#555}.reason{color:#666;font-style:italic}
code{font-size:12px}.tag{font-size:11px;color:#555;border:1px solid #bbb;border-radius:3px;padding:0 3px}
#filters label{margin-right:1.2em;cursor:pointer}#shown{color:#555;margin-left:1em}
.summary{width:auto}.summary td{padding:2px 10px}.printed{color:#444;font-size:13px}
details.tree ul{list-style:none;padding-left:1.2em;margin:.1em 0}details summary{cursor:pointer}
pre{white-space:pre-wrap;font-size:12px;background:#f7f7f7;padding:4px}
"""

JS = """
function applyFilters(){
  var boxes=document.querySelectorAll('#filters input[type=checkbox]'),on={};
  boxes.forEach(function(b){on[b.value]=b.checked;});
  var rows=document.querySelectorAll('tr.step'),n=0;
  rows.forEach(function(r){var show=on[r.getAttribute('data-verdict')]!==false;
    r.style.display=show?'':'none';if(show)n++;});
  document.querySelectorAll('section.theorem').forEach(function(s){
    var vis=s.querySelectorAll('tr.step:not([style*="none"])').length;
    s.querySelector('.visible').textContent=vis;});
  document.getElementById('shown').textContent=n+' of '+rows.length+' steps shown';
}
document.addEventListener('DOMContentLoaded',function(){
  document.querySelectorAll('#filters input[type=checkbox]').forEach(function(b){
    b.addEventListener('change',applyFilters);});
  applyFilters();
});
"""


def render(doc: dict, title: str = "Proof audit: Reddi, Kale & Kumar (2018), On the Convergence of Adam and Beyond") -> str:
    """One self-contained HTML page for the audit document ``doc`` (see the module docstring)."""
    theorems = doc.get("theorems", [])
    meta = doc.get("meta", {})
    src = sources()
    steps = [s for th in theorems for s in th.get("steps", [])]
    present = []
    for s in steps:
        v = _verdict(s)
        if v not in present:
            present.append(v)
    order = [v for v in KNOWN if v in present] + [v for v in present if v not in KNOWN]
    distinct = step_counts(theorems)  # the CLI's and the JSON's counts: a shared step counted once
    counts = {v: distinct.get(v, 0) for v in order}
    rows = {v: sum(_verdict(s) == v for s in steps) for v in order}
    kc = kernel_counts(theorems)
    P = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
         '<meta name="viewport" content="width=device-width, initial-scale=1">',
         f"<title>{_e(title)}</title><style>{CSS}</style></head><body>", f"<h1>{_e(title)}</h1>"]
    vers = meta.get("versions") or {}
    info = ", ".join(f"{_e(k)} {_e(v)}" for k, v in vers.items())
    P.append(f'<p>{sum(counts.values())} distinct steps ({len(steps)} rows: a step shared by two theorems is '
             f'listed under both and counted once) in {len(theorems)} theorems'
             + (f', {float(meta["seconds"]):.1f} s' if isinstance(meta.get("seconds"), (int, float)) else "")
             + (f'; per-obligation timeout {_e(meta.get("timeout_s"))} s' if meta.get("timeout_s") else "")
             + (f".<br><span class=src>{info}</span>" if info else ".") + "</p>")
    P.append('<table class="summary"><tr><th>statements</th><th>of ' + str(len(theorems)) + '</th></tr>'
             + "".join(f'<tr><td>{_kbadge(v)}</td><td class="num" id="statements-{_e(v.replace(" ", "-"))}">{kc[v]}</td></tr>'
                       for v in STATEMENT_VERDICTS) + "</table>")
    P.append('<table class="summary"><tr><th>verdict</th><th>distinct steps</th></tr>'
             + "".join(f'<tr><td>{_badge(v)}</td><td class="num" id="count-{_e(v)}">{counts[v]}</td></tr>'
                       for v in order) + "</table>")
    mism = meta.get("mismatches")
    if mism:
        P.append("<p><b>Verdicts that differ from the expected ones:</b> " + _e("; ".join(mism)) + "</p>")
    elif mism is not None:
        P.append("<p>Every verdict is the expected one (expected refutations are findings about the paper).</p>")
    P.append('<p id="filters"><b>Show:</b> '
             + "".join(f'<label><input type="checkbox" value="{_e(v)}" id="filter-{_e(v)}" checked> '
                       f'{_badge(v)} ({rows[v]} rows)</label>' for v in order)
             + '<span id="shown"></span></p>')
    for th in theorems:
        tid = th.get("id", "")
        P.append(f'<section class="theorem" id="th-{_e(tid)}"><h2>{_e(th.get("title", tid))} '
                 f'<span class="tag">{_e(tid)}</span> <span class="src">(<span class="visible">'
                 f'{len(th.get("steps", []))}</span> of {len(th.get("steps", []))} steps shown)</span></h2>')
        P.append(_statement(th))
        if th.get("summary"):
            P.append(f'<p class="src">Summary of the steps (not a kernel verdict): {_e(th["summary"])}</p>')
        P.append("<table><tr><th>label</th><th>claim</th><th>verdict</th><th>witness</th><th>solvers</th>"
                 "<th>s</th><th>source</th></tr>")
        for s in th.get("steps", []):
            v = _verdict(s)
            tags = []
            if s.get("source") == "reconstructed":
                tags.append('<span class="tag">RECONSTRUCTED</span>')
            if s.get("evidence"):
                tags.append('<span class="tag">evidence, not a proof</span>')
            if s.get("reused_from"):
                tags.append(f'<span class="tag">shared: = {_e(s["reused_from"])}, counted there</span>')
            vac = s.get("vacuity") or {}
            if vac.get("status") == "vacuous":
                tags.append('<span class="tag">VACUOUS</span>')
            exp = s.get("expected")
            if exp and exp != v:
                tags.append(f'<span class="tag">expected {_e(exp)}</span>')
            where = src.get((tid, s.get("label")))
            loc = ("-" if where is None else
                   f'<code>{_e(where["file"])}</code>{":" + str(where["line"]) if where["line"] else ""}'
                   f'<br><code>{_e(where["function"])}</code>')
            method = f'<br><span class="src">{_e(s["method"])}</span>' if s.get("method") else ""
            P.append(f'<tr class="step" data-verdict="{_e(v)}"><td class="label"><b>{_e(s.get("label"))}</b></td>'
                     f'<td class="claim">{_e(s.get("claim"))} {" ".join(tags)}</td>'
                     f'<td>{_badge(v)}{method}</td><td>{_witness(s)}</td><td>{_solvers(s)}</td>'
                     f'<td class="num">{_seconds(s)}</td><td class="src">{loc}</td></tr>')
        P.append("</table></section>")
    if doc.get("claims"):  # the registry of published claims (python -m counterexamples.claims)
        P.append(html_section(doc["claims"]))
    P.append(f"<script>{JS}</script></body></html>")
    return "\n".join(P) + "\n"


def html_section(claims: list[dict]) -> str:
    """The registry as one HTML section of the audit page (its rows are not steps: the step filters and
    counts leave them alone)."""
    P = ['<section class="claims" id="claims"><h2>Published claims after Reddi et al. '
         f'<span class="src">({len(claims)} claims)</span></h2>',
         "<table><tr><th>claim</th><th>source</th><th>as printed / provenance</th><th>verdict</th>"
         "<th>witness / region</th><th>s</th></tr>"]
    for c in claims:
        s, r = c["source"], c["result"]
        wit = "<br>".join(f"<code>{_e(k)}</code> = {_e(v)}" for k, v in (r.get("witness") or {}).items())
        reads = "".join(f"<br><span class=src>{_e(n)}: {_badge(rd['status'])}</span>"
                        for n, rd in (c.get("readings") or {}).items())
        P.append(f'<tr class="claim" data-verdict="{_e(c["verdict"])}"><td class="label"><b>{_e(c["key"])}</b></td>'
                 f'<td>{_e(s["authors"])} ({_e(s["year"])}), {_e(s["venue"])}; {_e(s["where"])}</td>'
                 f'<td class="claim">{_e(c["printed"])}<br><span class="src">{_e(c["provenance"])}</span>'
                 f'<br><span class="src">problem: {_e(c["problem"])}</span></td>'
                 f'<td>{_badge(c["verdict"])}{reads}</td><td>{wit}<br><span class="src">{_e(r.get("reason"))}</span></td>'
                 f'<td class="num">{c["seconds"]:.1f}</td></tr>')
    P.append("</table></section>")
    return "\n".join(P)
