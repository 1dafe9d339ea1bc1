"""Shared fixtures.  ``audit_page``: the audit page of one theorem, produced once per session by the
command a reader runs (``python -m proofs --html``), for every test that looks at it (the HTML checks
and the real-browser test), so the audit is not run twice."""
import json
import re
import subprocess
import sys

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
_RULE_ID = re.compile(r"\[(?:\d+-\w+-)?([a-z]+)[-\]]")


def work_group(nodeid: str) -> str:
    """The group of a test id: its file, except for the two cases above."""
    path = nodeid.split("::")[0]
    name = path.rsplit("/", 1)[-1]
    if name in AUDIT_PAGE_FILES:
        return "audit_page"
    m = _RULE_ID.search(nodeid) if name == "test_engine_equality.py" else None
    return f"{path}::{m.group(1)}" if m else path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class WorkGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_group(nodeid)

    return WorkGroups(config, log)
