"""pytest plugin of adam-beyond: check your optimizer on the counterexamples of Reddi, Kale & Kumar (2018).

Registered by the ``pytest11`` entry point ``adam_beyond`` (``pip install adam-beyond`` is enough)::

    import pytest, torch
    from pytest_adam_beyond import assert_breaks, assert_escapes

    def test_amsgrad_escapes():
        assert_escapes(torch.optim.Adam, amsgrad=True)

    @pytest.mark.counterexamples(expect="breaks")
    def test_adam_breaks(check_optimizer):
        check_optimizer(torch.optim.Adam)

What it provides: the fixture ``check_optimizer`` (calls :func:`counterexamples.check` with the marker's and
the command line's settings, and asserts the marker's ``expect``), the marker
``@pytest.mark.counterexamples(expect=..., problems=..., T=...)``, the helpers :func:`assert_escapes` /
:func:`assert_breaks` (a readable failure: problem, hyper-parameters, x_T, R_T/T, the drift) and the
options ``--counterexamples-T``, ``--counterexamples-problems``, ``--counterexamples-report`` (in
``pytest --help``).

Names.  adam-beyond's top-level packages have common names (``analysis``, ``numerics``, ``proofs``,
``counterexamples``).  This module imports none of them when pytest loads it.  A check imports them only
if ``import analysis`` (and the others) would give adam-beyond's anyway; where your project has its own
package of one of those names, the check loads adam-beyond's beside yours and swaps the module table
around the check only, so ``import analysis`` in your code still returns yours (see :func:`ours`).
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

OURS = ("analysis", "numerics", "proofs", "counterexamples")
ROOT = Path(__file__).resolve().parent.parent  # the folder that holds adam-beyond's packages
_STASH: dict = {}  # adam-beyond's modules while they are out of sys.modules (clash mode)
_KEY = pytest.StashKey[list]()  # (test id, report) of each check_optimizer call
# check()'s settings from the command line (--counterexamples-T / --counterexamples-problems) of the pytest run
# that loaded the plugin: the fixture and the helpers assert_escapes / assert_breaks read them (an argument given
# to the call wins); empty outside a pytest run
_OPTIONS: dict = {}


def _is_ours(name: str, where) -> bool:
    try:
        return Path(where).resolve().is_relative_to(ROOT / name)
    except (TypeError, ValueError, OSError):
        return False


def _where(name: str):
    """Where ``import name`` would come from in this process, without importing it (None: nowhere)."""
    mod = sys.modules.get(name)
    if mod is not None:
        return getattr(mod, "__file__", None) or next(iter(getattr(mod, "__path__", [])), None) or "<module>"
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    return spec.origin if spec.origin not in (None, "namespace") else next(iter(spec.submodule_search_locations
                                                                                or []), "<namespace>")


def clashes() -> dict:
    """{name: where yours is} for each of adam-beyond's top-level names that is another package here."""
    out = {}
    for name in OURS:
        if name in _STASH:
            continue
        where = _where(name)
        if where is not None and not _is_ours(name, where):
            out[name] = str(where)
    return out


@contextlib.contextmanager
def ours():
    """adam-beyond's ``counterexamples.check`` module, with adam-beyond's packages in sys.modules for the
    duration of the block only when another package of the same name is present (yours come back after)."""
    clash = clashes()
    if not clash and not _STASH:
        yield importlib.import_module("counterexamples.check")
        return
    for name in OURS:
        if not (ROOT / name / "__init__.py").is_file():
            raise RuntimeError(f"adam-beyond: your package {name!r} ({clash.get(name)}) clashes with adam-beyond's, "
                               f"and adam-beyond's packages are not files under {ROOT}: run the check outside "
                               "this project")
    theirs = {k: sys.modules.pop(k) for k in list(sys.modules) if k.partition(".")[0] in OURS}
    sys.modules.update(_STASH)
    try:
        if not _STASH:
            sys.path.insert(0, str(ROOT))
            importlib.invalidate_caches()
            try:
                for name in ("analysis", "numerics", "counterexamples"):  # every top level a check uses
                    importlib.import_module(name)
                importlib.import_module("counterexamples.check")
            finally:
                sys.path.remove(str(ROOT))
        yield sys.modules["counterexamples.check"]
    finally:
        for k in list(sys.modules):
            if k.partition(".")[0] in OURS:
                _STASH[k] = sys.modules.pop(k)
        sys.modules.update(theirs)


def check(optimizer, **kwargs):
    """:func:`counterexamples.check` (same arguments), safe beside packages of the same names."""
    with ours() as mod:
        return mod.check(optimizer, **kwargs)


def _report(obj, kwargs):
    if type(obj).__name__ == "Report" and hasattr(obj, "assert_escapes"):
        if kwargs:
            raise TypeError(f"got a report and keyword arguments {sorted(kwargs)}: pass one or the other")
        return obj
    return check(obj, **{**_OPTIONS, **kwargs})


def assert_escapes(optimizer_or_report, **kwargs):
    """Fail the test (a readable message per problem) unless every problem is decided 'converges'.
    Takes a report of :func:`check`, or an optimizer and :func:`check`'s keyword arguments (T and problems
    default to the command line's ``--counterexamples-T`` / ``--counterexamples-problems``, as the fixture's)."""
    return _assert(optimizer_or_report, kwargs, "assert_escapes")


def assert_breaks(optimizer_or_report, **kwargs):
    """Fail the test (a readable message per problem) unless some problem sends it to the worst point."""
    return _assert(optimizer_or_report, kwargs, "assert_breaks")


def _assert(optimizer_or_report, kwargs, which: str):
    report = _report(optimizer_or_report, kwargs)
    try:
        getattr(report, which)()
    except AssertionError as exc:
        message = str(exc)
    else:
        return report
    pytest.fail(message, pytrace=False)  # outside the except: no "during handling" echo in the log


# ------------------------------------------------------------------------------------------------
# hooks
def pytest_addoption(parser):
    group = parser.getgroup("adam-beyond", "adam-beyond: optimizers on the counterexamples of 'On the "
                                           "Convergence of Adam and Beyond'")
    group.addoption("--counterexamples-T", type=int, default=None, metavar="T",
                    help="rounds of each simulation of check_optimizer / assert_* (default 10000, in [1000, 10^7])")
    group.addoption("--counterexamples-problems", default=None, metavar="LIST",
                    help="comma list of problems (default thm1,section5-online,thm2-threshold; see "
                         "counterexamples.conformance.suite)")
    group.addoption("--counterexamples-report", action="store_true", default=False,
                    help="print the table of every check_optimizer call in the terminal summary")


def pytest_configure(config):
    config.addinivalue_line("markers", "counterexamples(expect=None, problems=None, T=None): settings of the "
                                       "check_optimizer fixture; expect='escapes' or 'breaks' is asserted")
    config.stash[_KEY] = []
    _OPTIONS.clear()
    _OPTIONS.update(_command_line(config))


def pytest_unconfigure(config):
    _OPTIONS.clear()


def _command_line(config) -> dict:
    """check()'s keyword arguments given on the command line (none when the option is absent)."""
    out = {}
    if config.getoption("--counterexamples-T", None) is not None:
        out["T"] = config.getoption("--counterexamples-T")
    if config.getoption("--counterexamples-problems", None):
        out["problems"] = [p.strip() for p in config.getoption("--counterexamples-problems").split(",")]
    return out


@pytest.fixture
def check_optimizer(request):
    """``check_optimizer(optimizer, **kwargs) -> report``: :func:`counterexamples.check` with the marker's
    settings (``expect`` asserted, failing the test with the rows named) and the command line's."""
    marker = request.node.get_closest_marker("counterexamples")
    settings = dict(marker.kwargs) if marker is not None else {}
    if marker is not None and marker.args:
        raise TypeError("@pytest.mark.counterexamples takes keyword arguments only (expect=, problems=, T=)")
    cfg = request.config
    for k, v in _command_line(cfg).items():
        settings.setdefault(k, v)
    expect = settings.pop("expect", None)

    def run(optimizer, **kwargs):
        report = check(optimizer, **{**settings, **kwargs})
        cfg.stash[_KEY].append((request.node.nodeid, report))
        if expect == "escapes":
            assert_escapes(report)
        elif expect == "breaks":
            assert_breaks(report)
        elif expect is not None:
            raise ValueError(f"@pytest.mark.counterexamples: expect must be 'escapes' or 'breaks' (got {expect!r})")
        return report

    return run


def pytest_terminal_summary(terminalreporter, config):
    if not config.getoption("--counterexamples-report"):
        return
    for nodeid, report in config.stash.get(_KEY, []):
        terminalreporter.write_sep("-", f"counterexamples: {nodeid}")
        terminalreporter.write_line(report.table())


__all__ = ["check", "assert_escapes", "assert_breaks", "check_optimizer", "clashes", "ours"]
