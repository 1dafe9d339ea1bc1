"""Shared fixtures.  ``audit_page``: the audit page of one theorem, produced once per session by the
command a reader runs (``python -m proofs --html``), for every test that looks at it (the HTML checks
and the real-browser test), so the audit is not run twice."""
import json
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
