"""The disk-cached kernels run the one definition: the generated module is the rule's own source,
renamed (engine.source), and the cached kernel returns the same bits as the closure it came from."""
from __future__ import annotations

import inspect

import pytest

from numerics import Periodic, make, run
from numerics.engine import kernels, source
from numerics.optimizers import _adam_rule


def test_generated_step_is_the_rules_source():
    meth = make("amsgrad", variant="optax", eps="1e-8")
    _, update = meth.rule.make(kernels.CompiledBackend)
    text, _ = source.step_source(update)
    body = inspect.getsource(_adam_rule)
    # every statement of the reference update appears in the generated text (renamed free variables)
    for stmt in ("v_for_max = v / (", "v_hat = ", "denom = ", "m_used = m / ("):
        assert stmt in body and stmt in text, stmt
    assert "def " in text and "@njit" in text


def test_switches_and_constants_are_written_exactly():
    a = make("amsgrad", variant="pytorch").rule
    b = make("amsgrad", variant="optax").rule
    ta = source.step_source(a.make(kernels.CompiledBackend)[1])[0]
    tb = source.step_source(b.make(kernels.CompiledBackend)[1])[0]
    assert ta != tb  # different switches, different modules (so different cache files)
    assert "float.fromhex('0x1.0000000000000p+0')" in ta  # 'one' written exactly


def _private_kernel_cache(tmp_path, monkeypatch):
    """A kernel cache of this test's own: every driver is new to the process (none compiled, whatever ran
    before), and its lock files are touched by no other process (``pytest -n 2``'s other worker)."""
    import sys

    monkeypatch.setenv("AB_KERNEL_CACHE", str(tmp_path))
    monkeypatch.setattr(kernels, "_KERNELS", {})
    for name in [m for m in sys.modules if m.startswith("ab_kernel_")]:  # loaded earlier from another folder
        monkeypatch.delitem(sys.modules, name)


def test_cached_kernel_equals_reference(tmp_path, monkeypatch):
    _private_kernel_cache(tmp_path, monkeypatch)  # force a new driver through the file path
    meth = make("adam", variant="keras", eps="1e-3", alpha="0.3")
    prob = Periodic(pattern=[7, -1, -1, 0.5])
    from numerics.engine import simulate

    res = simulate(meth, prob, 500, 0.2)
    ref = run(meth, prob, 500, 0.2)
    assert res.x_T == ref.x_T and res.regret == ref.regret
    assert any(p.name.startswith("ab_kernel_") for p in tmp_path.iterdir())


def test_untranspilable_value_is_refused():
    class Opaque:
        pass

    o = Opaque()

    def f(x):
        return o

    with pytest.raises(source.NotTranspilable):
        source.step_source(f)



def test_the_drivers_of_a_rule_share_one_step():
    """The step lives in a generated module of its own, shared by every driver of the rule in the process:
    numba compiles it once, not once per gradient source (issue 25: the suite's compile time); a different
    rule gets a step of its own."""
    from numerics.engine import layout as LY
    from numerics.engine.plan import plan

    rule = plan(make("amsgrad"), Periodic(pattern=[3.0, -1.0]), 5, 0.0, ()).rule
    drivers = [kernels.kernel(rule, False, g, ()) for g in (LY.G_PERIODIC2, LY.G_TABLE1, LY.G_VALUES)]
    if any(not hasattr(d, "py_func") for d in drivers):
        pytest.skip("no writable kernel cache: the drivers compile without a generated module")
    steps = {id(d.py_func.__globals__["update"]) for d in drivers}
    assert len({id(d) for d in drivers}) == 3 and len(steps) == 1
    other = plan(make("adam", variant="pytorch"), Periodic(pattern=[3.0, -1.0]), 5, 0.0, ()).rule
    assert id(kernels.kernel(other, False, LY.G_TABLE1, ()).py_func.__globals__["update"]) not in steps


def test_a_driver_compiles_under_a_lock_that_other_processes_wait_for(tmp_path, monkeypatch):
    """engine.kernels.compile_lock: while a driver not yet compiled in this process compiles, its lock file is
    held (another process's flock on it would wait); once compiled, no lock is taken.  In a kernel cache of
    its own, so that it runs whatever the test order (it skipped when an earlier test had compiled the
    driver)."""
    fcntl = pytest.importorskip("fcntl")
    from numerics.engine import layout as LY
    from numerics.engine.plan import plan

    _private_kernel_cache(tmp_path, monkeypatch)
    rule = plan(make("sgd", alpha="0.25"), Periodic(pattern=[3.0, -1.0]), 5, 0.0, ()).rule
    k = kernels.kernel(rule, False, LY.G_TABLE1, ())
    assert hasattr(k, "py_func") and not k.signatures  # a generated module in tmp_path, not compiled yet
    assert k.py_func.__globals__["__file__"].startswith(str(tmp_path))
    lock = k.py_func.__globals__["__file__"] + ".lock"

    def held() -> bool:
        with open(lock, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False

    with kernels.compile_lock(k):
        assert held()
    assert not held()
    from numerics import engine

    engine.batch(make("sgd", alpha="0.25"), Periodic(pattern=[3.0, -1.0]), 5)  # runs (so compiles) this driver
    assert k.signatures
    with kernels.compile_lock(k):
        assert not held()
