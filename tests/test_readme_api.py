"""The README's "Python API" example runs as written (its own asserts check the theorems' outcomes:
Theorem 1's R_T/T >= (2C-4)/3, F7's C = 204, Kingma & Ba's Gamma_t >= 0 refuted for Adam)."""
import pytest
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _api_block() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "the Python API section has exactly one python block"
    return blocks[0]


@pytest.mark.slow  # 4.3 s: the README's API block run as written (fast lane under 3 min; runs in the whole suite)
def test_readme_python_api_runs_as_written():
    r = subprocess.run([sys.executable, "-c", _api_block()], capture_output=True, text=True, cwd=ROOT,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "smallest even C = 204" in r.stdout and "Adam:    x_T = +1.0000" in r.stdout


def test_readme_has_exactly_two_setup_commands():
    text = (ROOT / "README.md").read_text()
    assert text.count("python3 -m venv .venv") == 2
