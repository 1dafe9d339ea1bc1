"""Every notebook in notebooks/ executes top to bottom; their cells carry their own assertions.  The
notebooks with figures (01, 02, 04) must leave an image in every cell that draws one, so a reader who
opens the executed notebook sees the pictures (matplotlib's Agg backend would leave none)."""
import pathlib
import re

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((pathlib.Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
WITH_FIGURES = ("01_section5.ipynb", "02_gamma_and_bounds.ipynb", "04_phase_diagram.ipynb", "05_literature.ipynb")
# a cell draws a figure when it calls pyplot's subplots/figure, one of counterexamples.figures' functions or
# notebook 04's diagram() helper
DRAWS = re.compile(r"\bplt\.(subplots|figure)\(|\bFG\.(phase_diagram|threshold_heatmap|figure1)\(|\bdiagram\(")


def figure_cells_without_image(nb) -> list[int]:
    """Indices of the code cells that draw a figure but have no image/png output."""
    bad = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and DRAWS.search(cell.source):
            if not any("image/png" in (out.get("data") or {}) for out in cell.get("outputs", [])):
                bad.append(k)
    return bad


def test_the_image_check_fails_on_a_notebook_without_images():
    """The check can fail: an Agg-backend figure cell (no output) and a text-only output are caught."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t"),
                nbformat.v4.new_code_cell("fig, ax = plt.subplots()"),
                nbformat.v4.new_code_cell("FG.phase_diagram(g)"),
                nbformat.v4.new_code_cell("print(1)")]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    assert figure_cells_without_image(nb) == [1, 2]
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                                                           "text/plain": "<Figure>"})]
    assert figure_cells_without_image(nb) == [2]


# the fast lane (-m "not slow") keeps one notebook, the quickest (a kernel, the engine's runs, a figure); the others
# take 10-26 s each in a cold run (tests/durations.json) and run in the whole suite
FAST = ("01_section5.ipynb",)


@pytest.mark.notebook
@pytest.mark.parametrize("path", [p if p.name in FAST else pytest.param(p, marks=pytest.mark.slow) for p in NOTEBOOKS],
                         ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    if path.name in WITH_FIGURES:
        assert any(DRAWS.search(c.source) for c in nb.cells if c.cell_type == "code"), "no figure cell found"
        assert figure_cells_without_image(nb) == [], f"{path.name}: figure cells without an image"
        assert nb.cells[0].cell_type == "markdown" and "What it shows" in nb.cells[0].source
        assert nb.cells[-1].cell_type == "markdown" and "Conclusions" in nb.cells[-1].source
