"""``python -m analysis``: Gamma_t verdicts, the sum lemmas and the regret bounds, readable/LaTeX/JSON.

Exit codes: 0 every verdict is as expected (PSD proved / indefinite refuted with a replayed witness,
lemmas proved, derivation checks pass); 1 something is UNKNOWN or a check failed; 2 bad input.
"""
from __future__ import annotations

import argparse
import sys
import time

from numerics.cli import BadInput, Parser, dumps, emit, main_entry
from numerics.cli import meta as base_meta

SCHEMA = "--json: {gamma: {method: {verdict, witness, ...}}, bounds: {name: {latex, srepr, symbols, source}}, meta}"


def parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="python -m analysis", json_help="machine-readable output (" + SCHEMA + ")",
        description="Gamma_t (eq. 2) of each method derived by running the numerics optimizers on SymPy "
                    "symbols, with a verdict (PSD proved by Z3 / indefinite with an exact witness); the "
                    "elementary sum lemmas, proved; and the regret bounds of Reddi et al. (2018), Kingma & "
                    "Ba (2015) and Phuong & Phong (2019) as SymPy expressions with their provenance.",
        epilog="Examples:  python -m analysis            (readable report)\n"
               "           python -m analysis --latex    (LaTeX of every bound and Gamma)\n"
               "           python -m analysis --json --output analysis.json\n"
               "The JSON srepr strings rebuild with sympy.sympify(srepr); symbols are plain (no assumptions).")
    p.add_argument("--latex", action="store_true", help="print LaTeX instead of plain text (not with --json)")
    p.add_argument("--only", choices=("gamma", "bounds", "lemmas", "tightness"), help="print one section only")
    p.add_argument("--tightness", action="store_true",
                   help="also run the numeric corpus (analysis.corpus: AMSGrad, AdamNC, AdamX, 30-digit mpmath, "
                        "seed printed) and report the worst ratio quantity/bound of each bound (~15-30 s)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p


def collect(sections=("gamma", "lemmas", "bounds"), progress=None) -> dict:
    from . import bounds as BD
    from . import gamma as G
    from . import sums

    say = progress or (lambda msg: None)
    out: dict = {}
    if "gamma" in sections:
        verdicts = {}
        for k in G.CASES:
            say(f"gamma: {k}")
            verdicts[k] = G.cached_verdict(k)
        out["gamma_verdicts"] = verdicts
    if "lemmas" in sections:
        say("lemmas")
        out["lemmas"] = sums.all_lemmas()
    if "bounds" in sections:
        say("bounds: derivation checks")
        out["derivation_checks"] = BD.derivation_checks()
    if "tightness" in sections:
        out["tightness"] = tightness(say)
    return out


def tightness(say=lambda m: None, dps: int = 30) -> dict:
    """Worst ratio quantity/bound of each bound over the corpus, with where it occurs."""
    from .corpus import SEED, corpus
    from .evaluate import measure, ratios

    runs = corpus()
    agg: dict = {}
    for k, cfg in enumerate(runs, 1):
        say(f"tightness: run {k}/{len(runs)} {cfg.label}")
        for name, pts in ratios(measure(cfg, dps=dps)).items():
            for t, r in pts:
                if name not in agg or r > agg[name]["ratio"]:
                    agg[name] = {"ratio": r, "t": t, "run": cfg.label}
    # Kingma & Ba 4.1 on Adam itself (its proof assumes Gamma_t PSD): Theorem 1 sequence, C = 3, beta1 = 0
    from .evaluate import kb_projected_refutation

    say("tightness: kingma-ba-4.1 on Adam, Theorem 1 sequence, T = 3000")
    kbw = kb_projected_refutation(dps=dps)
    return {"seed": SEED, "dps": dps, "runs": len(runs),
            "worst": {n: {"ratio": float(v["ratio"]), "t": v["t"], "run": v["run"]} for n, v in sorted(agg.items())},
            "kingma-ba-4.1-on-adam": {"ratios": kbw["ratios"], "run": kbw["run"], "hyper": kbw["hyper"],
                                      "refuted": kbw["refuted"], "statement": kbw["statement"],
                                      "proof": "not established (Gamma_t PSD fails for Adam; python -m proofs)"}}


def _expected_ok(res: dict) -> bool:
    from . import gamma as G

    ok = True
    for k, v in res.get("gamma_verdicts", {}).items():
        want = "proved" if G.CASES[k].expect == "psd" else "refuted"
        ok &= v.status == want
    ok &= all(v.proved for v in res.get("lemmas", {}).values())
    ok &= all(res.get("derivation_checks", {}).values())
    if "tightness" in res:
        from .bounds import BOUNDS

        # a ratio > 1 refutes a bound on a run that meets its hypotheses; Kingma & Ba is not run on Adam here
        ok &= all(v["ratio"] <= 1 + 1e-20 for n, v in res["tightness"]["worst"].items() if n in BOUNDS)
    return ok


def to_json(res: dict) -> dict:
    import sympy as sp  # here, not at the top: --help and a bad value answer before SymPy is imported

    from . import bounds as BD
    from .gamma import gamma_json

    doc: dict = {}
    if "gamma_verdicts" in res:
        doc["gamma"] = gamma_json(res["gamma_verdicts"])
    if "derivation_checks" in res:
        doc["bounds"] = {name: {"latex": BD.latex(b.expr), "srepr": sp.srepr(b.expr), "symbols": b.symbols,
                                "source": b.source} for name, b in BD.BOUNDS.items()}
    meta = base_meta("analysis", precision="exact (SymPy rationals/algebraics); witness signs in "
                                           "python-flint balls at >= 128 bits")
    if "lemmas" in res:
        meta["lemmas"] = {k: v.as_dict() for k, v in res["lemmas"].items()}
    if "derivation_checks" in res:
        meta["derivation_checks"] = res["derivation_checks"]
        meta["cor1_factor_derived_over_printed"] = str(BD.COR1_FACTOR)
        meta["bound_hypotheses"] = {n: list(b.hypotheses) for n, b in BD.BOUNDS.items()}
        meta["bound_quantity"] = {n: b.quantity for n, b in BD.BOUNDS.items()}
    if "tightness" in res:
        doc["tightness"] = res["tightness"]
    doc["meta"] = meta
    return doc


def to_text(res: dict, latex: bool) -> str:
    import sympy as sp

    from . import bounds as BD
    from . import gamma as G

    lines = []
    fmt = BD.latex if latex else (lambda e: sp.pretty(e, use_unicode=False, wrap_line=False))
    if "gamma_verdicts" in res:
        lines.append("== Gamma_{t+1} = sqrt(V_{t+1})/alpha_{t+1} - sqrt(V_t)/alpha_t (eq. 2), "
                     "from the numerics code on SymPy ==")
        for k, v in res["gamma_verdicts"].items():
            word = {"proved": "PSD (proved)", "refuted": "INDEFINITE (refuted)"}.get(v.status, "UNKNOWN")
            lines.append(f"{k:26s} {word:22s} {v.method}")
            lines.append(f"{'':26s} hypotheses: {'; '.join(v.hypotheses)}")
            if v.witness:
                w = v.witness
                lines.append(f"{'':26s} witness: g = {w['gradients']}, {w['hyper']}, x1 = {w['x1']}: "
                             f"Gamma_{w['t']} = {w['gamma']} = {w['gamma_value']}  [{w['source']}]")
            if v.reason:
                lines.append(f"{'':26s} reason: {v.reason}")
        der = G.derive("amsgrad", G.CASES["amsgrad"].hyper)
        lines.append("")
        lines.append("AMSGrad, one coordinate, from a symbolic state (m, v, vhat) at round t-1:")
        lines.append("  Gamma_(t+1) = " + (sp.latex(der.gamma) if latex else str(der.gamma)))
        lines.append("")
    if "lemmas" in res:
        lines.append("== elementary sum lemmas ==")
        for k, v in res["lemmas"].items():
            lines.append(f"{k:14s} {v.status.upper():8s} {v.claim}   [{v.method}]")
        lines.append("")
    if "derivation_checks" in res:
        lines.append("== regret bounds (R_T <= ...) ==")
        for name, b in BD.BOUNDS.items():
            lines.append(f"-- {name}: {b.quantity} <=  [{b.source}]")
            lines.append(fmt(b.expr))
            lines.append("   symbols: " + ", ".join(b.symbols))
            if b.meaning_overrides:
                lines.extend(f"   here {k} = {m}" for k, m in b.meaning_overrides.items())
            lines.append("")
        from .symbols import MEANINGS

        lines.append("symbols:")
        lines.extend(f"  {k:16s} {m}" for k, m in MEANINGS.items())
        lines.append(f"Corollary 1: derived / printed middle term = {BD.COR1_FACTOR}")
        bad = [k for k, v in res["derivation_checks"].items() if not v]
        lines.append("derivation checks: " + ("all pass" if not bad else "FAILED: " + ", ".join(bad))
                     + f" ({len(res['derivation_checks'])})")
    if "tightness" in res:
        tg = res["tightness"]
        lines.append("")
        lines.append(f"== tightness: worst quantity/bound over {tg['runs']} corpus runs "
                     f"(seed {tg['seed']}, mpmath {tg['dps']} digits) ==")
        for n, v in tg["worst"].items():
            lines.append(f"{n:22s} {v['ratio']:.6g}   at T = {v['t']:<4d} [{v['run']}]")
        kb = tg["kingma-ba-4.1-on-adam"]
        lines.append(f"kingma-ba-4.1 on Adam ({kb['run']}, {kb['hyper']}): regret/bound = "
                     + ", ".join(f"{r:.3g} at T = {t}" for t, r in kb["ratios"].items())
                     + ("  -> statement REFUTED for Adam projected onto [-1, 1] (Reddi's setting), not for "
                        "Kingma & Ba's unprojected algorithm; proof NOT ESTABLISHED (it assumes Gamma_t PSD)"
                        if kb["refuted"] else ""))
    return "\n".join(lines) + "\n"


def _main(argv) -> int:
    args = parser().parse_args(argv)  # bad input and a bad --output path: exit 2 before any work
    if args.json and args.latex:
        raise BadInput("--json and --latex: choose one output format")
    sections = (args.only,) if args.only else ("gamma", "lemmas", "bounds")
    if args.tightness and "tightness" not in sections:
        sections = sections + ("tightness",)
    start = time.perf_counter()
    progress = None if args.quiet else (lambda m: sys.stderr.write(f"[analysis {time.perf_counter() - start:5.1f}s] {m}\n"))
    res = collect(sections, progress)
    if args.json:
        text = dumps(to_json(res)) + "\n"
    else:
        text = to_text(res, args.latex)
    emit(text, args.output)
    ok = _expected_ok(res)
    if not ok and progress:
        progress("some verdict is UNKNOWN or a check failed (exit 1)")
    return 0 if ok else 1


def main(argv=None, isolate: bool = False) -> int:
    return main_entry("python -m analysis", _main, argv, isolate)
