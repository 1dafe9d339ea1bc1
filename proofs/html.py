"""The audit as one self-contained HTML page (``python -m proofs --html FILE``).

:func:`render` takes the audit's JSON document (``{"theorems": [...], "meta": {...}}``, as written by
``--json``) and returns one HTML page with no external asset and no network access: inline CSS, inline
plain JavaScript for the verdict filters.  It shows a summary (steps per verdict), one section per
theorem (its statement verdict when the record has one, else its summary line) and one row per step:
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


def _statement(th: dict) -> str:
    st = th.get("statement") or th.get("statement_verdict")
    if isinstance(st, dict):
        v = str(st.get("verdict") or st.get("statement") or "").lower()  # the audit writes "statement"
        why = st.get("reason") or st.get("note") or ""
        return f'<p class="statement">Statement: {_badge(v)} {_e(why)}</p>'
    if isinstance(st, str) and st:
        return f'<p class="statement">Statement: {_badge(st.lower())}</p>'
    return ""


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
.summary td{padding:2px 10px}
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
    counts = {v: sum(_verdict(s) == v for s in steps) for v in order}
    P = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
         '<meta name="viewport" content="width=device-width, initial-scale=1">',
         f"<title>{_e(title)}</title><style>{CSS}</style></head><body>", f"<h1>{_e(title)}</h1>"]
    vers = meta.get("versions") or {}
    info = ", ".join(f"{_e(k)} {_e(v)}" for k, v in vers.items())
    P.append(f'<p>{len(steps)} steps in {len(theorems)} theorems'
             + (f', {float(meta["seconds"]):.1f} s' if isinstance(meta.get("seconds"), (int, float)) else "")
             + (f'; per-obligation timeout {_e(meta.get("timeout_s"))} s' if meta.get("timeout_s") else "")
             + (f".<br><span class=src>{info}</span>" if info else ".") + "</p>")
    P.append('<table class="summary"><tr><th>verdict</th><th>steps</th></tr>'
             + "".join(f'<tr><td>{_badge(v)}</td><td class="num" id="count-{_e(v)}">{counts[v]}</td></tr>'
                       for v in order) + "</table>")
    mism = meta.get("mismatches")
    if mism:
        P.append("<p><b>Verdicts that differ from the expected ones:</b> " + _e("; ".join(mism)) + "</p>")
    elif mism is not None:
        P.append("<p>Every verdict is the expected one (expected refutations are findings about the paper).</p>")
    P.append('<p id="filters"><b>Show:</b> '
             + "".join(f'<label><input type="checkbox" value="{_e(v)}" id="filter-{_e(v)}" checked> '
                       f'{_badge(v)} ({counts[v]})</label>' for v in order)
             + '<span id="shown"></span></p>')
    for th in theorems:
        tid = th.get("id", "")
        P.append(f'<section class="theorem" id="th-{_e(tid)}"><h2>{_e(th.get("title", tid))} '
                 f'<span class="tag">{_e(tid)}</span> <span class="src">(<span class="visible">'
                 f'{len(th.get("steps", []))}</span> of {len(th.get("steps", []))} steps shown)</span></h2>')
        P.append(_statement(th))
        if th.get("summary"):
            P.append(f'<p class="src">Summary: {_e(th["summary"])}</p>')
        P.append("<table><tr><th>label</th><th>claim</th><th>verdict</th><th>witness</th><th>solvers</th>"
                 "<th>s</th><th>source</th></tr>")
        for s in th.get("steps", []):
            v = _verdict(s)
            tags = []
            if s.get("source") == "reconstructed":
                tags.append('<span class="tag">RECONSTRUCTED</span>')
            if s.get("evidence"):
                tags.append('<span class="tag">evidence, not a proof</span>')
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
    if doc.get("claims"):  # the registry of published claims (python -m proofs --claims)
        from .claims import html_section

        P.append(html_section(doc["claims"]))
    P.append(f"<script>{JS}</script></body></html>")
    return "\n".join(P) + "\n"
