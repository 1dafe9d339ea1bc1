"""Shared fixtures.  ``audit_page``: the audit page of one theorem, produced once per session by the
command a reader runs (``python -m proofs --html``), for every test that looks at it (the HTML checks
and the real-browser test), so the audit is not run twice."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def audit_page(tmp_path_factory):
    """(the audit's JSON document, the path of the HTML page) for ``--theorem kingma-ba``."""
    page = tmp_path_factory.mktemp("audit") / "audit.html"
    p = subprocess.run([sys.executable, "-m", "proofs", "--theorem", "kingma-ba", "--quiet", "--json",
                        "--html", str(page)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout), page


# ------------------------------------------------------------------------------------------------
# work groups for ``pytest -n 2`` (pytest-xdist; what CI runs): a test file runs in one worker, so each
# process compiles a file's numba kernels once and builds a module fixture once; the files that share
# ``audit_page`` form one group (the audit runs once); the engine equality tests form one group per
# rule (a rule's kernels compile in one worker only, and the two workers share that file's load).
# Written as a scheduler because pytest-xdist 3.8's xdist_group marks do not reach pytest 9's node ids.
AUDIT_PAGE_FILES = ("test_audit_page_browser.py", "test_figures_html.py")
# files that ask for the same per-process memo (analysis.gamma's ten Gamma verdicts, ~13 CPU-s of Z3): one group,
# so the verdicts are computed in one worker only
# and the files whose tests read the audit's verdicts of the same obligations (tests/_checked.py: the audit fixture
# records them, the unchanged originals of test_proofs_repaired and test_proofs_mutation, both collected after the
# audit's file, read them instead of asking Z3 and cvc5 again)
SHARED_MEMO_GROUPS = {"test_analysis_cli.py": "analysis_gamma", "test_analysis_gamma.py": "analysis_gamma",
                      "test_proofs_audit.py": "audit_verdicts", "test_proofs_repaired.py": "audit_verdicts",
                      "test_proofs_mutation.py": "audit_verdicts"}
# the files that drive torch (tests/_torch.py: imported by their first test that needs it, not at collection): one
# group, so that one worker imports torch (~2 CPU-s) and builds torch.optim's first optimizer (~2 CPU-s more, for
# torch._dynamo), and the other worker neither
TORCH_FILES = ("test_check_api.py", "test_conformance_torch.py", "test_conformance_zoo.py", "test_zoo_torch.py")
# files whose tests share no module or session fixture and are each long: one group per test, so that the
# two workers share the file instead of one worker running all of it at the end of the run
SPLIT_FILES = ("test_notebooks.py", "test_check_plugin.py", "test_proofs_vacuity.py", "test_sweep_wiring.py")
_RULE_ID = re.compile(r"\[(?:\d+-\w+-)?([a-z]+)[-\]]")
# engine equality rules that compile the same kernels (RMSProp in the paper's form is Adam with beta1 = 0: the
# same rule key): one group, so that one worker compiles them and the other does not wait on its lock
SAME_KERNELS = {"rmsprop": "adam"}


def work_group(nodeid: str) -> str:
    """The group of a test id: its file, except for the cases above."""
    path = nodeid.split("::")[0]
    name = path.rsplit("/", 1)[-1]
    if name in AUDIT_PAGE_FILES:
        return "audit_page"
    if name in SHARED_MEMO_GROUPS:
        return SHARED_MEMO_GROUPS[name]
    if name in TORCH_FILES:
        return "torch"
    if name in SPLIT_FILES:
        return nodeid
    m = _RULE_ID.search(nodeid) if name == "test_engine_equality.py" else None
    return f"{path}::{SAME_KERNELS.get(m.group(1), m.group(1))}" if m else path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class WorkGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_group(nodeid)

    # the groups are handed out in collection order, which pytest_collection_modifyitems sets to longest
    # first; xdist's own reordering (by number of tests) would undo that
    config.option.loadscopereorder = False
    return WorkGroups(config, log)


# ------------------------------------------------------------------------------------------------
# Longest groups first: two workers finish together when the long groups start early and the short ones
# fill the gaps (a long group handed out last leaves the other worker idle for its whole length).  The
# seconds come from a run with ``--record-durations tests/durations.json``, per test ("tests") and per group
# ("groups"): a group costs the sum of its *selected* tests' seconds, so ``-m "not slow"`` orders its groups
# by what runs in the fast lane, not by the whole suite's totals.  A group with a test the file does not know
# (a new file, a new case) is handed out FIRST: an unknown group may be long, and a short group started early
# costs nothing, while a long one started last is the idle worker above.  Only the order changes, never what
# runs.
DURATIONS = Path(__file__).with_name("durations.json")


def pytest_addoption(parser):
    parser.addoption("--record-durations", metavar="PATH", default=None,
                     help="adam-beyond: write each test's and each work group's seconds (setup + call + "
                          "teardown) to PATH as JSON; tests/durations.json orders the groups of later runs, "
                          "longest first")


def _known_durations() -> tuple[dict, dict]:
    """(seconds per test id, seconds per group) of tests/durations.json; empty where it has none."""
    try:
        doc = json.loads(DURATIONS.read_text())
    except (OSError, ValueError):
        return {}, {}
    out = []
    for key in ("tests", "groups"):
        try:
            out.append({str(k): float(v) for k, v in (doc.get(key) or {}).items()})
        except (TypeError, ValueError, AttributeError):
            out.append({})
    return out[0], out[1]


def group_costs(nodeids, tests: dict, groups: dict) -> dict:
    """Each work group's expected seconds over ``nodeids`` (None when not known: such groups go first)."""
    members: dict = {}
    for n in nodeids:
        members.setdefault(work_group(n), []).append(n)
    cost = {}
    for g, ns in members.items():
        if tests and all(n in tests for n in ns):
            cost[g] = sum(tests[n] for n in ns)
        elif not tests and g in groups:
            cost[g] = groups[g]
        else:
            cost[g] = None
    return cost


def schedule_order(nodeids, tests: dict, groups: dict) -> list:
    """The work groups of ``nodeids`` in the order they are handed out: unknown ones first (in collection
    order), then the known ones longest first."""
    cost = group_costs(nodeids, tests, groups)
    first = {}
    for k, n in enumerate(nodeids):
        first.setdefault(work_group(n), k)
    return sorted(cost, key=lambda g: (cost[g] is not None, -(cost[g] or 0.0), first[g]))


def pytest_collection_modifyitems(session, config, items):
    tests, groups = _known_durations()
    by_group: dict = {}
    for it in items:
        by_group.setdefault(work_group(it.nodeid), []).append(it)
    order = schedule_order([it.nodeid for it in items], tests, groups)
    items[:] = [it for g in order for it in by_group[g]]


_SECONDS: dict = {}


def pytest_runtest_logreport(report):
    if report.when in ("setup", "call", "teardown"):
        _SECONDS[report.nodeid] = _SECONDS.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session, exitstatus):
    path = session.config.getoption("--record-durations")
    if not path or hasattr(session.config, "workerinput"):  # the controller writes (it sees every report)
        return
    per_group: dict = {}
    for n, v in _SECONDS.items():
        per_group[work_group(n)] = per_group.get(work_group(n), 0.0) + v
    doc = {"note": "seconds per test and per work group (tests/conftest.py: work_group), written by pytest "
                   "--record-durations (record the WHOLE suite on a quiet machine: a test missing here puts its "
                   "group first); only the order of the groups depends on it",
           "groups": {g: round(v, 2) for g, v in sorted(per_group.items(), key=lambda kv: -kv[1])},
           "tests": {n: round(v, 3) for n, v in sorted(_SECONDS.items())}}
    tmp = Path(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=0) + "\n")
    os.replace(tmp, path)


# whether this process had imported torch once it had collected its tests: tests/test_schedule.py checks that no
# test file does (tests/_torch.py), since every xdist worker collects every file
IMPORTED_AT_COLLECTION: dict = {}


def pytest_collection_finish(session):
    IMPORTED_AT_COLLECTION["torch"] = "torch" in sys.modules


def pytest_configure(config):
    # In an xdist worker the 2 cores are already shared by 2 workers: a CLI or API call that would start a
    # pool of its own ("auto" executor) runs in its worker instead (numerics.sweep.default_workers).  Tests
    # of the pools ask for workers=2 / --workers 2 explicitly, which this does not touch.
    if hasattr(config, "workerinput"):
        os.environ.setdefault("ADAM_BEYOND_WORKERS", "1")


# ------------------------------------------------------------------------------------------------
# ``AB_COMPILE_LOG=PATH``: every numba compilation (a disk-cache miss) of the run is appended to PATH as
# one JSON line (process, test, function, argument types, seconds, nesting depth), to find duplicate and
# avoidable compiles (issue 25).  Off by default; it changes nothing that runs.
_CURRENT_TEST = ["<collection>"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _CURRENT_TEST[0] = item.nodeid
    yield
    _CURRENT_TEST[0] = "<between tests>"


def _install_compile_log(path):
    import time

    from numba.core import event as ev

    class Log(ev.Listener):
        depth = 0
        starts: list = []

        def on_start(self, event):
            self.starts.append(time.perf_counter())
            Log.depth += 1

        def on_end(self, event):
            Log.depth -= 1
            secs = time.perf_counter() - self.starts.pop()
            d = event.data or {}
            disp = d.get("dispatcher")
            fn = getattr(disp, "py_func", None)
            rec = dict(pid=os.getpid(), test=_CURRENT_TEST[0], depth=Log.depth, seconds=round(secs, 3),
                       module=getattr(fn, "__module__", "?"), function=getattr(fn, "__qualname__", "?"),
                       # the engine's parallel driver is a nogil loop run by threads (no parfor)
                       parallel=bool(getattr(disp, "targetoptions", {}).get("parallel")
                                     or getattr(disp, "targetoptions", {}).get("nogil")),
                       args=[str(a) for a in d.get("args", ())])
            with open(path, "a") as fh:
                fh.write(json.dumps(rec) + "\n")

    ev.register("numba:compile", Log())


if os.environ.get("AB_COMPILE_LOG"):
    _install_compile_log(os.environ["AB_COMPILE_LOG"])
