"""The serial numba driver around the specialised step (engine.specialise: per-block tables of
what depends on the round alone, remembered square roots) returns exactly the bits of
numerics.run on float64, and the comparison can fail."""
from __future__ import annotations

import numpy as np
import pytest

from numerics import Explicit, Periodic, make, run
from numerics.engine import batch, kernels

RULES = [("amsgrad", dict(alpha="0.5")), ("adam", dict(variant="pytorch", eps="1e-8")),
         ("amsgrad", dict(variant="optax", eps_root="1e-6", beta1_schedule="harmonic")),
         ("adamx", dict(beta1_schedule="geometric", lam="0.7")), ("adagrad", dict(eps="0.01")),
         ("sgd", dict(schedule="constant", alpha="0.1")), ("adamnc", dict(beta1_schedule="harmonic"))]
# zero gradients keep v = 0 for a while (the remembered root must not be reused for 0) and the
# sign changes move v_hat; T = 170 rounds cross two blocks of kernels.SUB = 64 rounds
PROBLEMS = [Periodic(pattern=[0, 0, 3, -1, 0.5] + [-0.25] * 7),
            Explicit(values=[0, "1/3", -2, 0, 0, 5, -1, "0.7", -3] * 20)]
T = 170
CPS = [1, 2, 64, 65, 129, T]


@pytest.mark.parametrize("k", range(len(RULES)))
def test_specialised_serial_driver_gives_the_reference_bits(k):
    name, hyper = RULES[k]
    meth = make(name, **hyper)
    assert kernels.specialised_serial(meth.rule) is not None  # the rewritten driver runs here
    for prob in PROBLEMS:
        ref = run(meth, prob, T, np.full((3, 1), -0.25), checkpoints=CPS)
        res = batch(meth, prob, T, np.full(3, -0.25), checkpoints=CPS)
        assert res.engine == "numba-serial"
        assert np.array_equal(res.x_T, ref.x_T[:, 0]) and np.array_equal(res.x_played, ref.x_played[:, 0])
        assert np.array_equal(res.regret, ref.regret)
        for j, c in enumerate(ref.checkpoints):
            assert np.array_equal(res.cp_x[j], c.x[:, 0]) and np.array_equal(res.cp_regret[j], c.regret)


def test_the_driver_has_its_tables_and_roots():
    """The rewritten serial driver of paper AMSGrad: alpha_t in a table loop, the root of v_hat remembered,
    the unread inv_lr gone.

    The rewrite reads the update's source from its file (inspect), so an edit of numerics/optimizers.py while
    a run is going on (an editor, a checkout) makes it NotSpecialisable: ``specialised_serial`` then returns
    None and the driver falls back to the plain loop.  That is how this test once failed in a ``-n 2`` run
    (an AttributeError on None) and passed on rerun; it calls ``specialise`` itself, so that such a failure
    names its cause instead."""
    from numerics.engine.specialise import specialise

    rule = make("amsgrad").rule
    sp = specialise(rule.make(kernels.CompiledBackend)[1], rule.State, t_tables=True, memo_sqrt=True)
    src = kernels._serial_spec_source(rule, sp, 0)
    assert "_u_at = _h_alpha / " in src and "np.empty(SUB)" in src  # alpha_t in a table loop
    assert "_qa0_0" in src and "math.sqrt(_u_v_used" in src  # the root of v_hat remembered
    assert "/ _u_lr" not in src  # the unread inv_lr is gone


def test_a_shifted_table_is_caught(monkeypatch):
    """The comparison can fail: tables filled one round late give other bits."""
    meth, prob = make("amsgrad", alpha="0.5"), PROBLEMS[0]
    ref = run(meth, prob, T, np.zeros((2, 1)), checkpoints=[])
    monkeypatch.setattr(kernels, "_SERIAL_SPEC", kernels._SERIAL_SPEC.replace("_t = tb + _k\n",
                                                                              "_t = tb + _k + 1\n"))
    monkeypatch.setattr(kernels, "_KERNELS", {})
    res = batch(meth, prob, T, np.zeros(2))
    assert not np.array_equal(res.x_T, ref.x_T[:, 0])


def test_a_rule_whose_file_changed_since_the_import_is_not_rewritten(tmp_path, monkeypatch):
    """The rewrite reads the update's text from its file; an edit after the import that keeps the function's
    name (here + becomes -) would give a loop that is not the rule the process runs.  The text is compiled
    and compared with the function's code: unchanged, it is rewritten; edited, NotSpecialisable names why."""
    import importlib
    import linecache

    from numerics.engine import specialise as SP

    src = ("def make(k):\n"
           "    def update(g, t):\n"
           "        return g + k * t\n"
           "    return update\n")
    (tmp_path / "ab_edited_rule.py").write_text(src)
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("ab_edited_rule")
    fn = mod.make(3)
    assert SP._def_of(fn).name == "update"  # the same text: accepted
    (tmp_path / "ab_edited_rule.py").write_text(src.replace("g + k", "g - k"))
    linecache.checkcache()
    with pytest.raises(SP.NotSpecialisable, match="changed since it was imported"):
        SP._def_of(fn)
