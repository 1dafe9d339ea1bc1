"""Every combinator of verdicts on its undecided path: fed UNKNOWN or EVIDENCE, none may answer success.

Combinators: the conjunction of a statement's parts (analysis.verdict.all_of, is_success), the smallest
diverging C (drift.general and drift.threshold), the invariant box (containment on every field, the
piecewise box test), the exact replay of a solver's model at equality boundaries (analysis.smt), the
agreement of a certificate and a simulation (zoo, certify, search) and the exit codes built on them.
"""
from __future__ import annotations

import json
from collections import namedtuple
from fractions import Fraction

import pytest

from analysis.verdict import EVIDENCE, PROVED, REFUTED, UNKNOWN, VERDICTS, Verdict, all_of, is_success
from counterexamples.drift import general as G
from numerics import make


# ---------------------------------------------------------------- the verdict type and the conjunction
def test_only_proved_is_proved_or_success():
    for s in VERDICTS:
        v = Verdict(s, "claim")
        assert v.proved == (s == PROVED) and is_success(v) == (s == PROVED)
    assert not Verdict(EVIDENCE, "claim", reason="T <= 3000").proved
    assert Verdict(EVIDENCE, "c").evidence and not Verdict(PROVED, "c").evidence
    assert not is_success("proved") and not is_success(True)  # only a Verdict can be success
    with pytest.raises(ValueError):
        Verdict("inconclusive")
    assert Verdict(UNKNOWN, "c", reason="r", label="undecided").brief() == \
        {"status": "unknown", "label": "undecided", "claim": "c", "reason": "r"}


@pytest.mark.parametrize("weak", [UNKNOWN, EVIDENCE])
def test_conjunction_is_never_stronger_than_its_weakest_part(weak):
    p = Verdict(PROVED, "a")
    for parts in ([p, Verdict(weak, "b", reason="why")], [Verdict(weak, "b"), p, p], [Verdict(weak, "b")]):
        v = all_of(parts, "all")
        assert v.status == weak and not v.proved and not is_success(v)
        assert "b" in v.reason
    assert all_of([Verdict(UNKNOWN, "u"), Verdict(EVIDENCE, "e")]).status == UNKNOWN
    assert all_of([p, Verdict(REFUTED, "r", reason="x")]).status == REFUTED
    assert all_of([Verdict(UNKNOWN, "u"), Verdict(REFUTED, "r")]).status == REFUTED
    assert all_of([]).status == UNKNOWN  # nothing checked is not success
    assert all_of([p, p]).proved


# ---------------------------------------------------------------- the invariant box
Box = namedtuple("Box", "m v w")


def _ball(mid, rad):
    import flint

    return flint.arb(mid, rad)


@pytest.mark.parametrize("field", [0, 1, 2])
def test_box_containment_needs_every_field(field):
    X = Box(_ball(1, 0.1), _ball(5, 0.1), _ball(-2, 0.1))
    Y = list(X)
    Y[field] = _ball([1, 5, -2][field] + 0.2, 0.01)  # only this field leaves the box
    assert not G._contains(X, Box(*Y))
    Y[field] = _ball([1, 5, -2][field], 0.2)  # wider than the box in this field only
    assert not G._contains(X, Box(*Y))
    assert G._contains(X, Box(_ball(1, 0.05), _ball(5, 0.05), _ball(-2, 0.05)))
    assert not G._contains(X, (X.m, X.v))  # a missing field is not contained


@pytest.mark.parametrize("field", [0, 1])
def test_box_verdict_refuses_a_map_that_leaves_the_box_in_one_field(field):
    """A period map that keeps one field of the box and pushes the other out: no invariant box, UNKNOWN."""
    from counterexamples.drift.general import InvariantArb

    S = namedtuple("S", "a b")
    B = InvariantArb(128)

    def update(g, s, t):
        out = [s.a * 0.5, s.b * 0.5]  # contracting towards 0 ...
        out[field] = out[field] + 10  # ... except one field, moved far out
        return _ball(1, 0) + 0 * g, S(*out), None

    with B.precision():
        X = S(_ball(0, 1), _ball(0, 1))
        sign, D, why = G.box_verdict(update, [_ball(1, 0)], X, B, max_pieces=16)
    assert sign is None and "no invariant box" in why

    def update_ok(g, s, t):
        return _ball(1, 0) + 0 * g, S(s.a * 0.5, s.b * 0.5), None

    with B.precision():
        sign, D, why = G.box_verdict(update_ok, [_ball(1, 0)], X, B)
    assert sign == -1  # D = -sum of the steps = -1 over the whole (invariant) box


def test_drift_with_a_straddling_D_is_unknown():
    """D = 0 inside the enclosure over the box: UNKNOWN with the reason, never a sign."""
    from counterexamples.drift.general import InvariantArb

    S = namedtuple("S", "a")
    B = InvariantArb(128)

    def update(g, s, t):
        return s.a, S(s.a * 0.5), None  # step = a: D over the box [-1, 1] straddles 0 at a = 0

    with B.precision():
        sign, D, why = G.box_verdict(update, [_ball(1, 0)], S(_ball(0, 1)), B, max_pieces=8)
    assert sign is None and D is not None and "0 lies in the enclosure" in why


# ---------------------------------------------------------------- the smallest C
def _limit():
    return make("adam", alpha=1, schedule="constant", beta1="0.9", beta2="0.99", eps=0, variant="paper")


def test_smallest_C_with_an_undecided_C_below_is_not_certified(monkeypatch):
    real = G.drift

    def fake(meth, pattern, *a, **k):
        if len(pattern) == 17:  # one C' below the answer 30 stays undecided
            return G.DriftResult(None, -0.1, None, "UNKNOWN: injected", 0)
        return real(meth, pattern, *a, **k)

    monkeypatch.setattr(G, "drift", fake)
    th = G.smallest_diverging_C(_limit, "0.9", "0.99", C_max=40, certify_rounds=10**6)
    assert th.C == 30 and not th.certified and th.verdict.status == EVIDENCE
    assert th.certified_below == 16 and "C = 17" in th.verdict.reason


def test_smallest_C_whose_lowest_C_is_never_certified_is_evidence(monkeypatch):
    th = G.smallest_diverging_C(_limit, "0.9", "0.99", C_max=40, certify_rounds=0)
    assert th.C == 30 and th.certified_below < 2
    assert th.verdict.status == EVIDENCE and not th.certified and not th.verdict.proved
    real, seen = G.drift, {}

    def record(meth, pattern, *a, **k):
        r = real(meth, pattern, *a, **k)
        seen[len(pattern)] = r.sign
        return r

    monkeypatch.setattr(G, "drift", record)
    full = G.smallest_diverging_C(_limit, "0.9", "0.99", C_max=40, certify_rounds=10**6)
    assert full.C == 30 and full.certified and full.certified_below == 29
    # PROVED rests on a ball certificate of every C' in [2, 29] (D < 0) and of C = 30 (D > 0)
    assert all(seen.get(c) == -1 for c in range(2, 30)) and seen[30] == 1


def test_smallest_C_with_an_uncertified_answer_is_unknown(monkeypatch):
    real = G.drift

    def fake(meth, pattern, *a, **k):
        if len(pattern) == 30:
            return G.DriftResult(None, 0.1, None, "UNKNOWN: injected at the answer", 0)
        return real(meth, pattern, *a, **k)

    monkeypatch.setattr(G, "drift", fake)
    th = G.smallest_diverging_C(_limit, "0.9", "0.99", C_max=40, certify_rounds=10**6)
    assert th.C == 30 and th.verdict.status == UNKNOWN and not th.certified


def test_none_up_to_C_max_is_evidence_unless_each_C_is_certified():
    th = G.smallest_diverging_C(_limit, "0.9", "0.99", C_max=12, certify_rounds=0)
    assert th.C is None and th.verdict.status == EVIDENCE and not th.certified
    th = G.smallest_diverging_C(_limit, "0.9", "0.99", C_max=12, certify_rounds=10**6)
    assert th.C is None and th.certified and th.certified_below == 12  # each C in [2, 12] certified D < 0


def test_adam_threshold_none_is_evidence_and_an_undecided_below_is_not_success(monkeypatch):
    from counterexamples.drift import threshold as TH
    from counterexamples.drift.steady import Sign

    th = TH.smallest_diverging_C("0.9", "0.99", C_max=20)
    assert th.C is None and th.status == EVIDENCE and not th.certified and th.checked is None
    real = TH.drift_sign

    def fake(b1, b2, C, n, eps=0, *a, **k):
        if C == 10:
            return Sign(None, "0 +/- 1", 64, "injected")
        return real(b1, b2, C, n, eps, *a, **k)

    monkeypatch.setattr(TH, "drift_sign", fake)
    with pytest.raises(RuntimeError, match="undecided"):
        TH.smallest_diverging_C("0.9", "0.99", C_max=40)
    assert Sign(None, "0 +/- 1", 64).verdict.status == UNKNOWN and not Sign(None, "", 64).verdict.proved
    assert Sign(1, "1 +/- 0", 64).verdict.proved and Sign(1, "", 64).verdict.label == "diverges"


# ---------------------------------------------------------------- model replay at equality boundaries
def test_model_replay_at_equality_boundaries():
    z3 = pytest.importorskip("z3")
    from analysis import smt

    x, y = z3.Reals("x y")
    at = {"x": Fraction(3, 7), "y": Fraction(3, 7)}  # exactly on the boundary x = y
    assert smt.replay_model([x <= y], at) is True
    assert smt.replay_model([x >= y], at) is True
    assert smt.replay_model([x == y], at) is True
    assert smt.replay_model([x < y], at) is False
    assert smt.replay_model([x > y], at) is False
    assert smt.replay_model([z3.Distinct(x, y)], at) is False
    assert smt.replay_model([x - y >= 0, y - x >= 0], at) is True
    # one part undecided (x/0) makes the whole replay undecided, never "holds"
    assert smt.replay_model([x <= y, x / (y - x) > 0], at) is None


# ---------------------------------------------------------------- agreement of certificate and simulation
def test_zoo_agreement_needs_a_certificate_and_a_decided_simulation():
    from counterexamples.zoo.table import agreement, certified_verdict

    div = certified_verdict(1, "cert")
    stuck = {"status": EVIDENCE, "label": "stuck at the worst point", "T": 10}
    conv = {"status": EVIDENCE, "label": "converges", "T": 10}
    undecided = {"status": UNKNOWN, "label": "undecided", "reason": "mid-box", "T": 10}
    a = agreement(div, stuck)
    assert a.status == EVIDENCE and a.label == "agrees" and not a.proved  # a finite run: evidence only
    assert agreement(div, conv).status == REFUTED
    assert agreement(div, undecided).status == UNKNOWN
    for unc in (certified_verdict(None, "UNKNOWN: no box"), certified_verdict(0, "")):
        assert unc.status == UNKNOWN
        assert agreement(unc, stuck).status == UNKNOWN and agreement(unc, conv).status == UNKNOWN
    # a simulation that says EVIDENCE with a label other than the two decided ones is not agreement
    assert agreement(div, {"status": EVIDENCE, "label": "undecided"}).status == REFUTED


def test_certify_and_search_agreement_on_undecided_inputs():
    from counterexamples.certify import agreement_verdict
    from counterexamples.search.runs import _certified, confirmation

    assert agreement_verdict([(False, 0.95), (True, 0.7)], 10, 10).status == UNKNOWN  # due, right half, not near
    assert agreement_verdict([(False, 0.95), (True, 0.2)], 10, 10).status == REFUTED  # due, wrong half
    assert agreement_verdict([(False, 0.2)], 10, 10).status == UNKNOWN  # not due, wrong half: undecided
    assert agreement_verdict([(True, 0.95), (True, 0.93)], 10, 10).status == EVIDENCE
    assert confirmation({"agrees": UNKNOWN}) == UNKNOWN and confirmation({"agrees": None}) == UNKNOWN
    assert not _certified({"a": True}, {"L": {"status": EVIDENCE}})  # an EVIDENCE lemma is no certificate
    assert not _certified({"a": True}, {"L": {"status": UNKNOWN}})
    assert not _certified({"a": True, "b": None})


# ---------------------------------------------------------------- exit codes
def _row(cert_status, agree_status):
    ev = {"problem": "thm1", "beta1": "0", "beta2": "0.1",
          "certified": {"status": cert_status, "label": "diverges", "sign": 1 if cert_status == PROVED else None,
                        "enclosure": "1 +/- 0"},
          "simulated": {"status": UNKNOWN, "label": "undecided", "x_T": 0.0, "T": 1000},
          "agreement": {"status": agree_status, "label": "x"}}
    return {"method": "adam", "libraries": [], "sold_as_convergent": False,
            "problems": {p: dict(ev, problem=p) for p in ("thm1", "section5-online", "thm2-threshold")},
            "smallest_diverging_C": {f"({b1}, {b2})": {"C": None, "certified": False, "status": EVIDENCE,
                                                        "reason": "scan", "C_max": 40}
                                     for b1, b2 in (("0.9", "0.99"), ("0.9", "0.999"))}}


@pytest.mark.parametrize("agree,rc", [(REFUTED, 1), (UNKNOWN, 0), (EVIDENCE, 0)])
def test_zoo_exit_code_fails_only_on_a_refuted_agreement(monkeypatch, capsys, agree, rc):
    from counterexamples.zoo import api, cli

    monkeypatch.setattr(api, "run_zoo", lambda keys, T, C_max, progress=True, sweep_opts=None, certify_rounds=None:
                        [_row(PROVED if agree != UNKNOWN else UNKNOWN, agree)])
    assert cli.main(["--method", "adam", "--json", "--quiet"]) == rc
    doc = json.loads(capsys.readouterr().out)
    assert bool(doc["disagreements"]) == (agree == REFUTED)
    # the table never shows an UNKNOWN or EVIDENCE answer as certified
    for th in doc["results"][0]["smallest_diverging_C"].values():
        assert "(cert.)" not in cli.c_cell(th)


def test_search_exit_fails_on_uncertified_or_unknown_parts():
    from counterexamples.search.cli import failed_checks

    w = {"theorem": "2", "C": 30, "certified": False, "confirmation": EVIDENCE}
    assert failed_checks({"witnesses": [w]})  # agreement of a simulation does not make a certificate
    w = {"theorem": "2", "C": 30, "certified": True, "confirmation": REFUTED}
    assert failed_checks({"witnesses": [w]})
    assert failed_checks({"witnesses": [], "drift_argument": {"proved": False}})
