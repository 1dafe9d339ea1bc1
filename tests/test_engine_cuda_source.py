"""The CUDA kernel's source, compiled for the CPU with gcc, returns the numba engine's bits and
agrees with numerics.run to 1e-12; on a machine without a GPU, backend='cupy' fails cleanly.
(The GPU itself is untested on hardware: no GPU in the task that wrote this.)"""
from __future__ import annotations

import shutil
import zlib

import numpy as np
import pytest

from numerics import BackendUnavailable, Periodic, make, run
from numerics.engine import cuda

from _engine_kw import KINDS, PAIRS, run_batch, skip_if_gpu, switches, workload

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None,
                                reason="no C compiler to build the kernel source on the host")

# (method, numbers and variant): the switches (step-size and beta1 schedules) of each case and gradient source
# are _engine_kw.switches', those of test_engine_equality's cases, so the numba kernel each case compares
# against is one that test compiles anyway; over the three gradient sources every case runs both step-size
# schedules, AMSGrad and AdamX every beta1 schedule, and each switch value meets each gradient source
# (test_the_cases_cover_every_switch_in_c).
CASES = [("amsgrad", {}), ("adam", dict(variant="pytorch", eps=1e-8)),
         ("amsgrad", dict(variant="keras", eps=1e-3)), ("amsgrad", dict(variant="optax", eps=1e-8,
                                                                        eps_root=1e-6)),
         ("adamx", dict(lam=0.01)), ("amsgrad", dict(variant="pytorch", eps=1e-8)), ("adagrad", dict(eps=0.2)),
         ("sgd", {}), ("adamnc", {}), ("rmsprop", dict(eps=1e-6))]

# the gradient source each case runs in the fast lane: the one test_engine_equality's fast lane runs for the
# same (method, variant) (kernels shared there too), AMSGrad (paper) on coins as test_engine_simulate's fast
# lane does; AMSGrad (pytorch), in neither fast lane, on the periodic source
FAST_KIND = {("sgd", "paper"): "periodic", ("adagrad", "paper"): "bernoulli", ("rmsprop", "paper"): "explicit",
             ("adamnc", "paper"): "periodic", ("adamx", "paper"): "bernoulli", ("adam", "pytorch"): "periodic",
             ("amsgrad", "optax"): "explicit", ("amsgrad", "keras"): "periodic", ("amsgrad", "paper"): "bernoulli",
             ("amsgrad", "pytorch"): "periodic"}


def _cases():
    """Each case builds the C source with gcc and runs a numba kernel (test_engine_equality's, see CASES): the
    fast lane keeps one gradient source per case (FAST_KIND; every case and every source runs there), the rest
    is slow (still in the suite)."""
    return [pytest.param(method, extra, kind, id=f"{kind}-{method}-{i}",
                         marks=() if FAST_KIND[(method, extra.get("variant", "paper"))] == kind
                         else pytest.mark.slow)
            for kind in KINDS for i, (method, extra) in enumerate(CASES)]


def test_the_cases_cover_every_switch_in_c():
    """The C source meets every switch: over the cases, every step-size schedule and every beta1 schedule
    runs with every gradient source, each (method, variant) with both step-size schedules, AMSGrad and AdamX
    with every beta1 schedule; and the fast lane runs every case and every gradient source."""
    from numerics.schedules import BETA1_SCHEDULES, STEP_SCHEDULES

    runs = [(m, extra.get("variant", "paper"), kind, switches(m, extra.get("variant", "paper"), kind))
            for m, extra in CASES for kind in KINDS]
    assert {(sw["schedule"], kind) for *_, kind, sw in runs} == {(s, k) for s in STEP_SCHEDULES for k in KINDS}
    assert {(sw["beta1_schedule"], kind) for *_, kind, sw in runs if "beta1_schedule" in sw} == \
        {(b, k) for b in BETA1_SCHEDULES for k in KINDS}
    for m, extra in CASES:
        mine = [sw for m2, v, _, sw in runs if (m2, v) == (m, extra.get("variant", "paper"))]
        assert {sw["schedule"] for sw in mine} == set(STEP_SCHEDULES), m
        if m in ("amsgrad", "adamx"):
            assert {sw["beta1_schedule"] for sw in mine} == set(BETA1_SCHEDULES), m
    pairs = {(m, extra.get("variant", "paper")) for m, extra in CASES}
    assert len(pairs) == len(CASES) and pairs <= set(PAIRS)  # no case twice; each one's kernels are equality's
    fast = [p.values for p in _cases() if not p.marks]
    assert len(fast) == len(CASES) and {kind for *_, kind in fast} == set(KINDS)


def _case_kw(method, extra, kind) -> dict:
    """The batch keywords of one case (drawn from a seed of the case's name)."""
    seed = zlib.crc32(f"cuda-{method}-{kind}-{sorted(extra.items())}".encode())
    rng = np.random.default_rng(seed)
    N, T = 7, int(rng.integers(200, 600))
    kw = dict(beta1=rng.uniform(0, 0.9, N), beta2=rng.uniform(0.9, 0.999, N),
              alpha=rng.uniform(0.1, 1, N), x1=rng.uniform(-1, 1, N), T=T,
              checkpoints=[1, T // 2, T], **extra, **switches(method, extra.get("variant", "paper"), kind))
    if kw.get("beta1_schedule") == "geometric" and "lam" not in kw:  # beta1 lam^(t-1) needs its lam
        kw["lam"] = rng.uniform(0.001, 0.999, N)
    if kind == "periodic":
        kw.update(C=rng.uniform(2, 50, N), n=rng.integers(2, 9, N), low=-1.0)
    elif kind == "bernoulli":
        kw.update(C=rng.uniform(2, 50, N), p=0.3, seed=seed, problem_kind="bernoulli")
    else:
        kw.update(values=rng.normal(size=(T, N)) * 3, problem_kind="explicit")
    return kw


@pytest.fixture(scope="module", autouse=True)
def _host_libraries_in_one_gcc_call(request):
    """The C sources of every selected case, built in one gcc call (cuda.host_libraries: one translation unit,
    same flags) before the cases run; each case's ``device='host-c'`` batch then finds its library built.
    Thirty gcc calls cost 3.6 CPU-s, one 1.5.  Nothing is asserted here: the cases compare each library's
    bits with the numba engine's as before."""
    from numerics.engine.plan import plan

    srcs = []
    for item in request.session.items:
        if item.module is request.module and item.originalname == "test_cuda_source_on_host_equals_engine":
            kw = _case_kw(**item.callspec.params)
            T, cps = kw.pop("T"), kw.pop("checkpoints")
            meth, prob, x1 = workload(item.callspec.params["method"], **kw)
            srcs.append(cuda.source(plan(meth, prob, T, x1, cps)))
    if srcs:
        cuda.host_libraries(srcs)


@pytest.mark.parametrize("method,extra,kind", _cases())
def test_cuda_source_on_host_equals_engine(method, extra, kind):
    kw = _case_kw(method, extra, kind)
    a = run_batch(method, **kw)
    b = run_batch(method, device="host-c", **kw)
    assert b.engine == "c-host"
    for k in ("x_T", "x_played", "regret", "cp_x", "cp_regret"):
        assert np.array_equal(getattr(a, k), getattr(b, k)), k


def test_cuda_source_on_host_equals_reference():
    b = run_batch("amsgrad", device="host-c", beta1=0.9, beta2=0.99, alpha=0.5, C=1010, low=-10,
                  n=101, T=3000)
    ref = run(make("amsgrad", alpha=0.5, beta1=0.9, beta2=0.99),
              Periodic(pattern=[1010] + [-10] * 100), 3000, 0)
    assert abs(b.x_T[0] - ref.x_T) <= 1e-12 and abs(b.avg_regret[0] - ref.avg_regret) <= 1e-12 * abs(ref.avg_regret)
    shifted = run_batch("amsgrad", device="host-c", beta1=0.9, beta2=0.99, alpha=0.5,
                        pattern=[-10, 1010] + [-10] * 99, T=3000)
    assert abs(shifted.avg_regret[0] - ref.avg_regret) > 1e-6  # the comparison can fail


def test_cupy_backend_without_gpu_is_a_clean_error():
    skip_if_gpu()
    with pytest.raises(BackendUnavailable) as info:
        run_batch("amsgrad", C=3, n=3, T=5, device="cuda")
    assert str(info.value).startswith("--backend cupy:") and "\n" not in str(info.value)


def test_layout_is_not_typed_twice():
    """The C source reads every row through macros emitted from numerics.engine.layout: no numbered
    row or flag index appears in the body, and the emitted rows are the layout's."""
    import re

    from numerics.engine import layout
    from numerics.engine.plan import plan

    assert not re.search(r"\b(P|ST|PH)\[\s*\d", cuda.BODY)  # no P[0 * N + i] style rows
    assert not re.search(r"\bF\[", cuda.BODY)
    pl = plan(make("amsgrad", variant="pytorch"), Periodic(pattern=[3, -1]), 5)
    src = cuda.source(pl)
    lay = layout.Layout(pl.rule)
    for name in ("m", "v", "v_hat", "x", "x_played"):
        assert f"#define ST_{name} {lay.state_row(name)}\n" in src
    for name in ("alpha", "beta1", "beta2", "eps", "eps_root", "lam", "gbig"):
        assert f"#define P_{name} {lay.hyper_row(name)}\n" in src
    assert "#define BCV 2\n" in src and "#define BCM 1\n" in src and "#define AMS 1\n" in src


def test_gpu_check_script_without_gpu_is_one_line_exit_2(monkeypatch, capsys):
    """Run as ``python benchmarks/gpu_check.py --quick`` runs it (``runpy.run_path`` as ``__main__``: its
    ``sys.exit(main())``), in this process: what is tested is the exit code and the one line, not a fresh
    interpreter (which cost ~1.5 CPU-s of imports)."""
    import runpy
    import sys
    from pathlib import Path

    skip_if_gpu()
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_check.py"
    monkeypatch.setattr(sys, "argv", [str(script), "--quick"])
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script puts the repository first on sys.path
    with pytest.raises(SystemExit) as info:
        runpy.run_path(str(script), run_name="__main__")
    err = capsys.readouterr().err
    assert info.value.code == 2 and len(err.strip().splitlines()) == 1 and "cupy" in err.lower()


def test_building_the_host_library_leaves_no_folder_behind(tmp_path, monkeypatch):
    """host_library compiles the kernel source in a temporary folder and loads the library; the folder is
    removed once the library is loaded (it was left in /tmp before: hundreds of ab-cuda-src-* folders after a
    day of test runs).  The source differs from every cached one by a comment, so a build really happens."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    from numerics.engine.plan import plan

    pl = plan(make("sgd", alpha="0.25"), Periodic(pattern=[3.0, -1.0]), 5, 0.0, ())
    src = cuda.source(pl) + f"\n/* {tmp_path.name} */\n"
    f = cuda.host_library(src)
    assert callable(f)
    assert list(tmp_path.iterdir()) == []
    # several sources in one call (one translation unit): each its own function, the folder removed too
    pl2 = plan(make("amsgrad", alpha="0.25"), Periodic(pattern=[3.0, -1.0]), 5, 0.0, ())
    two = [cuda.source(p) + f"\n/* {tmp_path.name} two */\n" for p in (pl, pl2)]
    f1, f2 = cuda.host_libraries(two)
    assert f1 is not f2 and cuda.host_libraries(two[1:]) == [f2] and cuda.host_library(two[0]) is f1
    assert list(tmp_path.iterdir()) == []
