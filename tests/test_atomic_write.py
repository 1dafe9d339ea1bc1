"""Outputs are written atomically: a failed or interrupted write leaves the earlier file intact and no
temporary file behind (numerics.cli.write_atomic, and emit / the figures, which write through it)."""
from __future__ import annotations

import os

import pytest

from numerics import cli


def _setup(tmp_path):
    p = tmp_path / "out.json"
    p.write_text("earlier")
    return p


def _left(tmp_path):
    return sorted(f.name for f in tmp_path.iterdir())


def test_a_write_that_fails_midway_keeps_the_earlier_file(tmp_path):
    p = _setup(tmp_path)
    # a lone surrogate cannot be encoded: the write fails after the file was opened and partly written
    with pytest.raises(UnicodeEncodeError):
        cli.write_atomic(str(p), "x" * 100_000 + "\ud800")
    assert p.read_text() == "earlier" and _left(tmp_path) == ["out.json"]


def test_emit_that_fails_keeps_the_earlier_file(tmp_path, capsys):
    p = _setup(tmp_path)
    with pytest.raises(UnicodeEncodeError):
        cli.emit("text \ud800", str(p))
    assert p.read_text() == "earlier" and _left(tmp_path) == ["out.json"]


@pytest.mark.parametrize("exc", [KeyboardInterrupt, OSError(28, "No space left on device")])
def test_an_interrupted_or_failed_replace_keeps_the_earlier_file(tmp_path, monkeypatch, exc):
    p = _setup(tmp_path)

    def boom(src, dst):
        assert os.path.exists(src) and os.path.dirname(src) == str(tmp_path)  # written beside, not in place
        raise exc

    monkeypatch.setattr(cli.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt if exc is KeyboardInterrupt else cli.BadInput):
        cli.write_atomic(str(p), "new text")
    assert p.read_text() == "earlier" and _left(tmp_path) == ["out.json"]
    assert not cli._PENDING  # nothing left for the Ctrl-C handler to clean either


def test_a_figure_that_fails_to_save_keeps_the_earlier_file(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from counterexamples import figures

    p = tmp_path / "fig.png"
    p.write_bytes(b"earlier")
    plt = figures.pyplot()
    fig = plt.figure()

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        figures.save_figure(fig, str(p))
    assert p.read_bytes() == b"earlier" and _left(tmp_path) == ["fig.png"]
