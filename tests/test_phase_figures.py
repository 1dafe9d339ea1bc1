"""The phase diagrams as a reader gets them: the log10(1 - beta2) axis (a new option; the linear default
is tested in test_search_cli), the exact threshold map, and figures whose legends list only what is drawn.

Expected values: the cell labels and the thresholds are re-derived here from the definition of D with
an explicit gradient list in 50-digit mpmath (``D_definition`` of test_search_drift, no closed form);
the axis range (1 - beta2 from 1e-6 to 1) is the issue's; the paper's settings' thresholds (30, 74) are
the exact column checked from the definition in test_search_drift."""
import json
import subprocess
import sys
from fractions import Fraction as F

import pytest

from counterexamples import grid as G
from test_search_drift import D_definition

CMD = [sys.executable, "-m", "counterexamples.search", "--quiet"]


class Ran:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def search(*args, capsys):
    """The search CLI's main in this process (no interpreter start-up importing SymPy, Z3 and numba per
    run); what is checked is its output, not the entry point (run once in test_bad_input_through_the_entry_point)."""
    from counterexamples.search.cli import main

    capsys.readouterr()
    try:
        rc = main(["--quiet", *args])
    except SystemExit as exc:  # argparse's own usage errors leave by SystemExit in-process
        rc = exc.code
    out = capsys.readouterr()
    return Ran(rc, out.out, out.err)


def test_log_edges_cover_one_micro_to_one_exactly():
    u = G.log_edges(24)
    assert u[0] == F(1, 10**6) and u[-1] == 1 and all(a < b for a, b in zip(u, u[1:]))
    assert u[4] == F(1, 10**5) and u[12] == F(1, 1000)  # the decades are exact
    e1, e2 = G.edges(24, "log")
    assert e2[0] == 1 - F(1, 10**6) and e2[-1] == 0 and all(a > b for a, b in zip(e2, e2[1:]))
    c1, c2 = G.centres(24, "log")
    assert all(e2[j + 1] < c2[j] < e2[j] for j in range(24)) and c1[0] == F(1, 48)
    with pytest.raises(ValueError):
        G.edges(4, "logit")


@pytest.mark.slow  # 7.9 s of certified cells on the log axis; the zoo panels' checks against the definition stay in the fast lane (fast lane under 3 min; runs in the whole suite)
def test_log_grid_cells_agree_with_the_definition(tmp_path, capsys):
    """Theorem 1's family (C = n = 3) on 8 x 8 cells over 1 - beta2 in [0.1, 1] (one decade)."""
    png = tmp_path / "log.png"
    r = search("--exact", "--grid", "8", "--C", "3", "--n", "3", "--axis", "log", "--decades", "1", "--no-sim",
               "--json", "--plot", str(png), capsys=capsys)
    assert r.returncode == 0, r.stderr
    g = json.loads(r.stdout)["grid"]
    assert g["axis"] == "log" and g["decades"] == 1 and len(g["labels"]) == 8
    assert g["log10_one_minus_beta2_edges"][0] == pytest.approx(-1) and g["log10_one_minus_beta2_edges"][-1] == 0
    # Theorem 1's point (beta1, beta2) = (0, 1/10): 1 - beta2 = 0.9 lies in the last log cell, beta1 in the first
    assert g["labels"][0][7] == "diverges"
    assert g["counts"]["diverges"] > 0 and g["counts"]["converges"] > 0
    e1 = [F(x) for x in g["beta1_edges"]]
    e2 = [F(x) for x in g["beta2_edges"]]
    checked = 0
    for i in range(8):
        for j in range(8):
            lab = g["labels"][i][j]
            if lab == "undecided":
                continue
            # certified for the whole cell: so at its four corners and its centre, by the definition
            pts = [(a, b) for a in (e1[i], e1[i + 1]) for b in (e2[j + 1], e2[j])]
            pts.append(((e1[i] + e1[i + 1]) / 2, (e2[j] + e2[j + 1]) / 2))
            for a, b in pts:
                if a == 1:  # the definition's (1 - b1)/(1 - b1^n) is 0/0 there (D extends continuously)
                    continue
                d = D_definition(a, b, 3, 3)
                assert (d > 0) == (lab == "diverges") and d != 0, (i, j, a, b, lab)
            checked += 1
    assert checked >= 40
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size < 200_000


@pytest.mark.slow  # 2.9 s; the zoo panels' check stays in the fast lane (fast lane under 3 min; runs in the whole suite)
def test_threshold_map_is_the_smallest_diverging_C_by_the_definition(tmp_path, capsys):
    png = tmp_path / "map.png"
    r = search("--threshold-map", "3", "--decades", "2", "--json", "--plot", str(png), capsys=capsys)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    m = res["threshold_map"]
    assert m["N"] == 3 and m["missing"] == 0 and res["drift_argument"]["proved"]
    assert [p["C"] for p in m["paper_settings"]] == [30, 74]
    for i, b1 in enumerate(m["beta1_centres"]):
        for j, b2 in enumerate(m["beta2_centres"]):
            C = m["C"][i][j]
            assert D_definition(b1, b2, C, C) > 0, (b1, b2, C)
            assert all(D_definition(b1, b2, c, c) < 0 for c in range(2, C)), (b1, b2, C)
    assert 1e-2 < 1 - float(F(m["beta2_centres"][0])) < 2.2e-2  # centre of [1e-2, 10^-(4/3)] in the log
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args,name", [
    (["--axis", "log"], "--axis"),
    (["--exact", "--grid", "4", "--axis", "log", "--decades", "0"], "--decades"),
    (["--exact", "--grid", "4", "--decades", "3"], "--decades"),
    (["--threshold-map", "1"], "--threshold-map"),
    (["--threshold-map", "65"], "--threshold-map"),
    (["--threshold-map", "4", "--beta1", "0.5"], "--threshold-map"),
    (["--threshold-map", "4", "--theorem", "2"], "--threshold-map"),
    (["--threshold-map", "4", "--plot", "m.gif"], "--plot"),
])
def test_bad_input_exits_2_with_one_line(args, name, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = search(*args, capsys=capsys)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in r.stderr
    assert r.stdout == "" and list(tmp_path.iterdir()) == []


def test_bad_input_through_the_entry_point(tmp_path):
    r = subprocess.run(CMD + ["--threshold-map", "65"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1 and "--threshold-map" in lines[0] and "Traceback" not in r.stderr
    assert r.stdout == "" and list(tmp_path.iterdir()) == []


def _legend(fig) -> str:
    return " | ".join(t.get_text() for lg in fig.legends + [a.get_legend() for a in fig.axes if a.get_legend()]
                      for t in lg.get_texts())


def test_legends_list_only_what_is_drawn():
    pytest.importorskip("matplotlib")
    from counterexamples.figures import phase_diagram, threshold_heatmap

    g = G.certified_grid(3, 3, 4, z3_max_n=0, sweep_opts={"workers": 1})
    g["counts"] = dict(g["counts"])
    # a record with two phases only, no Reddi region, no simulation
    g["labels"] = [["diverges" if i + j < 3 else "converges" for j in range(4)] for i in range(4)]
    g["reddi_region"], g["simulation"] = None, None
    text = _legend(phase_diagram(g))
    assert "diverges" in text and "converges" in text and "undecided" not in text
    assert "Reddi" not in text and "simulated" not in text and r"\sqrt{\beta_2}" in text
    g["reddi_region"] = [[i == 0 and j == 0 for j in range(4)] for i in range(4)]
    g["labels"][3][3] = "undecided"
    text = _legend(phase_diagram(g))
    assert "Reddi" in text and "undecided" in text
    # the log axis over 1 decade does not reach the paper's beta2 = 0.99, 0.999; over 6 it does
    for dec, shown in ((1, False), (6, True)):
        gl = G.certified_grid(3, 3, 4, z3_max_n=0, sweep_opts={"workers": 1}, axis="log", decades=dec)
        assert ("the paper's" in _legend(phase_diagram(gl))) is shown
    # the threshold map on 1 decade: the paper's beta2 = 0.99, 0.999 are off the axis, so not in the legend
    tm = {"N": 2, "decades": 1, "C": [[4, 3], [16, 6]], "log10_one_minus_beta2_edges": [-1, -0.5, 0],
          "log10_one_minus_beta2_centres": [-0.75, -0.25], "missing": 0,
          "paper_settings": [{"beta1": "9/10", "beta2": "99/100", "C": 30}]}
    text = _legend(threshold_heatmap(tm))
    assert "paper" not in text and "no diverging" not in text


# ------------------------------------------------------------------ the zoo's phase panels (--plot)
def test_zoo_panels_adam_column_agrees_with_the_definition_and_crosses_the_boundary():
    """Adam's column at the paper's beta1 = 0.9: every cell's sign is the sign of D from the definition
    (Section 5's gradients 1010, -10 x 100 are 10 x Theorem 2's with C = n = 101; Adam's step is scale
    free), and the range holds both phases (the boundary between beta2 = 0.999 and 0.9999 is drawn)."""
    from counterexamples.zoo.plot import BETA1, LOG_1M_BETA2, phase_grid

    assert 0.9 in BETA1
    grid = phase_grid("adam", beta1=(0.9,))
    want = [int(mp_sign(D_definition("0.9", repr(1 - 10 ** lb), 101, 101))) for lb in LOG_1M_BETA2]
    assert [int(v) for v in grid[:, 0]] == want
    assert 1 in want and -1 in want


def mp_sign(x):
    return (x > 0) - (x < 0)


def test_zoo_panels_draw_cells_at_their_true_beta1_and_say_why_a_panel_is_grey(tmp_path):
    pytest.importorskip("matplotlib")
    import numpy as np

    from counterexamples.zoo.plot import BETA1, cell_edges, phase_panels

    fig = phase_panels(["sgd", "adagrad"], str(tmp_path / "zoo.png"))
    assert (tmp_path / "zoo.png").stat().st_size > 10_000
    sgd, adagrad = fig.axes[0], fig.axes[1]
    mesh = sgd.collections[0]
    xs = np.unique(np.round(mesh.get_coordinates()[..., 0], 12))
    # cell edges at the midpoints between the beta1 values, so cells differ in width as the values do
    assert np.allclose(xs[1:-1], [(a + b) / 2 for a, b in zip(BETA1, BETA1[1:])])
    assert xs[0] == 0.0 and len(set(np.round(np.diff(xs), 9))) > 1
    assert cell_edges([0.0, 0.3, 0.5]).tolist() == [-0.15, 0.15, 0.4, 0.6]
    texts = " ".join(t.get_text() for t in adagrad.texts)
    assert "no limit form" in texts and "running mean" in texts  # the grey panel says why
    labels = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert any("diverges" in t for t in labels) and any("no settled state" in t for t in labels)
    assert any("0.999" in t for t in labels)  # the paper's settings are named


def test_z3_corner_sign_is_z3s_whatever_sign_it_is_told_to_try():
    """z3_cell tells Z3 which sign to prove (arb's); the answer stays Z3's proof: at Theorem 1's point D > 0
    (the definition), Z3 proves +1 told nothing or told +1, and told -1 (a false sign) proves nothing."""
    assert D_definition(0, F(1, 10), 3, 3) > 0
    assert G.z3_point_sign(0, F(1, 10), 3, 3) == 1
    assert G.z3_point_sign(0, F(1, 10), 3, 3, expect=1) == 1
    assert G.z3_point_sign(0, F(1, 10), 3, 3, expect=-1) is None


def test_zoo_grey_panels_print_their_rows_whole_reason_inside_the_panel_at_a_printed_size(tmp_path):
    """Each panel without a limit form prints its row's whole ``why`` (the one text of the reason, its maths
    in mathtext), broken only at spaces and never cut to "..." (the old panels cut Adagrad's, Rprop's and
    Adafactor's at 70 characters); the box lies inside its panel, clear of the stars' column; and the
    figure is drawn at a paper's text width with no text under 6.5 pt, so its sizes are the printed ones."""
    pytest.importorskip("matplotlib")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from counterexamples.zoo.methods import ROW_BY_KEY, ROWS
    from counterexamples.zoo.plot import phase_panels

    grey = [r.key for r in ROWS if r.limit is None]
    assert len(grey) >= 6 and max(len(ROW_BY_KEY[k].why) for k in grey) > 70
    fig = phase_panels(grey, str(tmp_path / "grey.png"))
    canvas = FigureCanvasAgg(fig)  # the figure was closed once written: draw it again to measure it
    canvas.draw()
    renderer = canvas.get_renderer()
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == grey
    for ax, key in zip(panels, grey):
        (text,) = ax.texts
        lines = text.get_text().split("\n")
        assert lines[0] == "no limit form:" and " ".join(lines[1:]) == ROW_BY_KEY[key].why, key
        assert not any(line.rstrip().endswith("...") for line in lines), key
        assert all(line.count("$") % 2 == 0 for line in lines), key  # no mathtext span broken
        box, panel = text.get_bbox_patch().get_window_extent(renderer), ax.get_window_extent(renderer)
        assert panel.x0 <= box.x0 and box.x1 <= panel.x0 + 0.86 * panel.width, key  # 0.9 sits at 0.92
        assert panel.y0 <= box.y0 and box.y1 <= panel.y1, key
    assert fig.get_figwidth() <= 7.0
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip()]
    assert min(sizes) >= 6.5
