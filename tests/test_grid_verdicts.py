"""counterexamples.grid reports each cell in the project's verdict words (numerics.verdicts), never
"undecided" as a status: PROVED only where the arb enclosure has one sign over the whole cell (checked
here against the closed-form drift at the cell's centre, in mpmath), UNKNOWN for an undecided cell,
EVIDENCE for a simulated label."""
from __future__ import annotations

from fractions import Fraction

import pytest

from counterexamples import grid
from counterexamples.drift.steady import drift
from numerics.verdicts import EVIDENCE, PROVED, UNKNOWN, VERDICTS


def test_cell_verdict_words():
    assert grid.cell_verdict("diverges") == PROVED and grid.cell_verdict("converges") == PROVED
    assert grid.cell_verdict("undecided") == UNKNOWN and grid.cell_verdict("undecided", certified=False) == UNKNOWN
    assert grid.cell_verdict("diverges", certified=False) == EVIDENCE
    with pytest.raises(ValueError, match="label must be one of"):
        grid.cell_verdict("unknown")


def test_certified_grid_cells_carry_verdicts():
    N = 4
    g = grid.certified_grid(3, 3, N, depth=1, z3_max_cells=0)
    c1, c2 = grid.centres(N)
    seen = set()
    for i in range(N):
        for j in range(N):
            lab, v = g["labels"][i][j], g["verdicts"][i][j]
            assert v in VERDICTS
            seen.add(v)
            if v == PROVED:  # the sign holds over the whole cell, so at its centre (closed form, mpmath)
                D = float(drift(Fraction(c1[i]), Fraction(c2[j]), 3, 3, backend="mpmath"))
                assert (D > 0) == (lab == "diverges") and lab != "undecided", (i, j, lab, D)
            else:
                assert v == UNKNOWN and lab == "undecided"
    assert seen == {PROVED, UNKNOWN}  # this small grid has both kinds of cell
    assert g["verdict_counts"][UNKNOWN] == g["counts"]["undecided"]
    assert g["verdict_counts"][PROVED] == g["counts"]["diverges"] + g["counts"]["converges"]
