"""The audit page in a real browser: headless Chromium opens the page that ``python -m proofs --html``
wrote, every step label is on the rendered page, and a click on a verdict filter hides exactly the
rows of that verdict (the page's own JavaScript does the hiding; the test only plays the click).
A screenshot of the filtered page is saved.  Skipped, with the reason, when no Chromium is installed
(Debian: ``apt-get install chromium``)."""
import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

BROWSER = next((b for b in (os.environ.get("AB_CHROMIUM"), shutil.which("chromium"),
                            shutil.which("chromium-browser"), shutil.which("google-chrome")) if b), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no headless Chromium installed "
                                                        "(Debian: apt-get install chromium)")
# headless as root on a machine without network: no sandbox, no GPU, no background connections
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--virtual-time-budget=3000"]
# what a reader does: click the PROVED filter once the page has loaded (after the page's own handler)
CLICK = """<script>
document.addEventListener('DOMContentLoaded', function () {
  document.getElementById('filter-proved').click();
});
</script>"""


def chromium(tmp_path, *args, timeout=120):
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    p = subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                       text=True, timeout=timeout)
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout


class Rows(HTMLParser):
    """The step rows of the rendered DOM: (verdict, hidden?, label text), and the '#shown' line."""

    def __init__(self):
        super().__init__()
        self.rows, self.shown, self._in, self._label, self._shown = [], "", None, False, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "step" in (a.get("class") or "").split():
            hidden = re.search(r"display\s*:\s*none", a.get("style") or "") is not None
            self._in = [a.get("data-verdict"), hidden, ""]
            self.rows.append(self._in)
        if tag == "td" and "label" in (a.get("class") or "").split() and self._in is not None:
            self._label = True
        if a.get("id") == "shown":
            self._shown = True

    def handle_endtag(self, tag):
        if tag == "td":
            self._label = False
        if tag == "tr":
            self._in = None
        if tag == "span":
            self._shown = False

    def handle_data(self, data):
        if self._label and self._in is not None:
            self._in[2] += data
        if self._shown:
            self.shown += data


@pytest.mark.slow  # 9 s: a headless chromium; the page's HTML checks stay in the fast lane (fast lane under 3 min; runs in the whole suite)
def test_page_in_headless_chromium_every_label_and_a_filter_that_hides_rows(audit_page, tmp_path):
    doc, page = audit_page
    labels = [s["label"] for th in doc["theorems"] for s in th["steps"]]
    verdicts = [s["verdict"].lower() for th in doc["theorems"] for s in th["steps"]]
    assert "proved" in verdicts and set(verdicts) - {"proved"}, "the page needs two verdicts to filter"

    # as loaded: every row shown, every label rendered
    dom = Rows()
    dom.feed(chromium(tmp_path, "--dump-dom", page.as_uri()))
    assert [r[2].strip() for r in dom.rows] == labels
    assert not any(r[1] for r in dom.rows)
    assert dom.shown.strip() == f"{len(labels)} of {len(labels)} steps shown"

    # after a click on the PROVED filter: exactly the proved rows are hidden
    clicked = tmp_path / "audit-filtered.html"
    clicked.write_text(page.read_text().replace("</body>", CLICK + "</body>"))
    dom = Rows()
    dom.feed(chromium(tmp_path, "--dump-dom", clicked.as_uri()))
    assert [r[2].strip() for r in dom.rows] == labels
    assert [r[1] for r in dom.rows] == [v == "proved" for v in verdicts]
    left = sum(v != "proved" for v in verdicts)
    assert dom.shown.strip() == f"{left} of {len(labels)} steps shown"

    shot = tmp_path / "audit-filtered.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1300,900", clicked.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    print(f"screenshot of the filtered page: {shot}")
    assert html.escape(labels[0]) in page.read_text()
