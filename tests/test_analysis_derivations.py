"""analysis.bounds.derivation_checks covers every bound family (Reddi, Phuong & Phong, AdamX, Kingma & Ba)
and a wrong constant in a bound makes its check False."""
import sympy as sp

from analysis import bounds


def test_every_bound_family_has_a_derivation_check_and_all_hold():
    r = bounds.derivation_checks()
    for prefix in ("step6", "cor1", "cor2", "thm4", "pp41", "adamx", "kb"):
        assert any(k.startswith(prefix) for k in r), prefix
    assert all(r.values()), [k for k, v in r.items() if not v]


def test_a_wrong_kingma_ba_constant_is_caught(monkeypatch):
    t1, t2, t3 = bounds.kingma_ba_terms()
    monkeypatch.setattr(bounds, "kingma_ba_terms", lambda: (t1, t2 * 2, t3 / (1 - bounds.lambda_)))
    r = bounds.derivation_checks()
    assert r["kb-second-term-lemma10.4"] is False and r["kb-geometric-t-sum"] is False


def test_a_wrong_adamx_correction_is_caught(monkeypatch):
    orig = bounds.adamx51_terms
    monkeypatch.setattr(bounds, "adamx51_terms", lambda corrected=False: orig(False))
    assert bounds.derivation_checks()["adamx-corrected-factor"] is False
