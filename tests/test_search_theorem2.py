"""Theorem 2's reconstructed conditions: F7 (docs/references.md) reproduced, minimality checked by an independent
brute-force scan (mpmath, written here), Z3 step lemmas (and a mutated lemma refuted), a mutation of
(c2) caught by the F7 test, and the beta1 = 0 consistency with the blog's restatement (paper §5 (docs/paper.md))."""
from fractions import Fraction as F

import mpmath
import pytest

from analysis import conditions as cond
from counterexamples.search import thm2 as t2

mp = mpmath.MPContext()
mp.dps = 60

F7 = {("0", "0.5"): 20, ("0.5", "0.5"): 20, ("0.5", "0.9"): 204, ("0.9", "0.99"): 3218}  # F7 (docs/references.md)


def conds_mp(b1, b2, C):
    """(c1)-(c3) as printed in paper §5 (docs/paper.md), evaluated with mpmath (independent of counterexamples)."""
    b1, b2 = mp.mpf(F(b1).numerator) / F(b1).denominator, mp.mpf(F(b2).numerator) / F(b2).denominator
    g = b1 / mp.sqrt(b2)
    c1 = (1 - b1) * b1 ** (C - 1) * C <= 1 - b1 ** (C - 1)
    c2 = b2 ** (mp.mpf(C - 2) / 2) * C * C <= 1
    geo = g * (1 - g ** (C - 1)) / (1 - g) if b1 != 0 else 0
    tail = b1 ** (mp.mpf(C) / 2 - 1) if not (b1 == 0 and C > 2) else 0
    c3 = 3 * (1 - b1) / (2 * mp.sqrt(1 - b2)) * (1 + geo) + tail / (1 - b1) < mp.mpf(C) / 3
    return c1, c2, c3


@pytest.mark.parametrize("pair,expected", list(F7.items()))
def test_F7_table_and_minimality(pair, expected):
    r = t2.smallest_even_C(*pair)
    assert r.C == expected
    assert all(r.conditions.values()) and not all(v is True for v in r.below.values())
    assert all(conds_mp(*pair, expected))
    for C in range(2, expected, 2):  # independent brute force below the answer
        assert not all(conds_mp(*pair, C)), C


def test_large_threshold_is_found_without_a_scan():
    r = t2.smallest_even_C("0.9", "0.999")
    assert all(conds_mp("0.9", "0.999", r.C)) and not all(conds_mp("0.9", "0.999", r.C - 2))
    assert r.explicit_checks < 50 and r.C > 40000


def test_step_lemmas_are_proved_and_a_wrong_one_is_refuted():
    lem = t2.step_lemmas()
    assert {k: v["status"] for k, v in lem.items()} == {"L1": "proved", "L2": "proved", "L3": "proved",
                                                        "L3-identity": "proved"}
    import z3

    from proofs.z3kit import prove

    b2, C = z3.Reals("beta2 C")
    # without the hypothesis C >= 2r/(1-r), f(C+2) <= f(C) is false: Z3 must find a witness
    assert prove(b2 * (C + 2) ** 2 <= C * C, [b2 > 0, b2 < 1, C >= 2]).status == "refuted"


def test_a_mutated_condition_changes_F7(monkeypatch):
    """The off-by-one typo of the source (beta2^((C-1)/2) instead of beta2^((C-2)/2)) would change 3218."""
    def c2_typo(beta2, C, exact=True):
        return F(beta2) ** (C - 1) * C ** 4 <= 1

    # the typo in the one definition (analysis.conditions) and in the search's imported name
    monkeypatch.setattr(cond, "c2", c2_typo)
    monkeypatch.setattr(t2, "c2", c2_typo)
    assert t2.smallest_even_C("0.9", "0.99").C != 3218


@pytest.mark.parametrize("C", [6, 10, 20, 40, 100])
def test_beta1_zero_matches_the_blog_restatement(C):
    """At beta1 = 0: (c2) <=> beta2 <= C^(-4/(C-2)), (c3) <=> beta2 < 1 - (9/(2C))^2 (paper §5 (docs/paper.md))."""
    for b2 in ("0.05", "0.3", "0.5", "0.8", "0.95", "0.99"):
        _, c2, c3 = conds_mp("0", b2, C)
        assert c2 == (mp.mpf(b2) <= mp.mpf(C) ** (mp.mpf(-4) / (C - 2)))
        assert c3 == (mp.mpf(b2) < 1 - (mp.mpf(9) / (2 * C)) ** 2)
        assert cond.c2(b2, C) == c2 and cond.c3("0", b2, C) == c3


def test_bad_beta_is_rejected():
    with pytest.raises(ValueError, match="beta1"):
        cond.check_beta("0.995", "0.99")
    with pytest.raises(ValueError, match="beta2"):
        cond.check_beta("0.5", "1")


def test_an_unknown_step_lemma_is_not_kept_for_the_next_call(monkeypatch):
    """A lemma left UNKNOWN by a short time limit must be asked again: the process-wide cache once kept the first
    verdicts whatever limit they were computed with, so a later call with a long limit reported UNKNOWN too."""
    import proofs.z3kit as ZK

    real = ZK.prove
    monkeypatch.setattr(t2, "_LEMMAS", None)

    def starved(*a, **kw):
        v = real(*a, **kw)
        return type(v)(**{**v.__dict__, "status": "unknown"}) if hasattr(v, "__dict__") else v

    monkeypatch.setattr(ZK, "prove", starved)
    assert t2.step_lemmas()["L1"]["status"] == "unknown"
    monkeypatch.setattr(ZK, "prove", real)
    assert {k: v["status"] for k, v in t2.step_lemmas().items()}["L1"] == "proved"
