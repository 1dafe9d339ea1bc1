"""``python -m counterexamples.conformance --zoo``: every library optimizer against its counterpart.

The trajectories compared are the libraries' own (torch.optim / optax, float64); the counterparts are our
definitions, themselves checked against independent references in tests/test_zoo_definitions.py."""
import json

import pytest

from counterexamples.conformance.identify import identify, summary
from counterexamples.conformance.registry import OPTAX, TORCH, entries, torch_optimizers
from counterexamples.conformance.suite import build_case

# torch is imported by the first test that drives it (tests/_torch.py), not when pytest collects this file
from _torch import needs_torch

pytestmark = needs_torch

N = 200


@pytest.fixture(scope="module")
def cases():
    return [build_case("section5-online")]


@pytest.fixture(scope="module")
def torch_rows(cases):
    """Every torch entry identified on the cases (N rounds): computed once for the tests that read them."""
    return [identify(e, c, N) for e in TORCH for c in cases]


def test_every_torch_optimizer_is_registered():
    names = {e.name for e in TORCH}
    assert set(torch_optimizers()) <= names


def test_torch_counterparts_identified_to_1e_12(torch_rows):
    rows = torch_rows
    s = summary(rows)
    assert not s["mismatched"], s["mismatched"]
    assert s["distinct_methods"] >= 13
    for r in rows:
        if r["status"] == "identified":
            assert r["max_deviation"] <= 1e-12 and r["rounds"] == N
    reasons = s["no_counterpart"]
    assert "torch:LBFGS" in reasons and "closure" in reasons["torch:LBFGS"]


def test_identification_can_fail():
    """A wrong counterpart (the paper's NAdam for torch's) is reported as a MISMATCH, not identified."""
    from numerics import make
    from counterexamples.conformance.registry import Entry

    wrong = Entry("torch", "NAdam", lambda kw, sch: make("nadam", alpha=kw["lr"], beta1=kw["betas"][0],
                                                         beta2=kw["betas"][1], eps=kw["eps"], schedule=sch,
                                                         variant="paper"))
    r = identify(wrong, build_case("section5-online"), N)
    assert r["status"] == "MISMATCH" and r["max_deviation"] > 1e-6


@pytest.mark.slow  # every library optimizer of the zoo on Theorem 1's problem (about 45 s here)
def test_cli_zoo_json_torch_part(capsys):
    from counterexamples.conformance import main

    rc = main(["--zoo", "--problem", "thm1", "--compare-steps", "100", "--json", "--quiet"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and not doc["summary"]["mismatched"]
    torch_ok = [r for r in doc["results"] if r["library"] == "torch" and r["status"] == "identified"]
    assert len(torch_ok) >= 15


@pytest.mark.slow  # jax/optax imports and a jit per optimizer (4 s in a cold run); the torch counterparts stay fast
def test_optax_counterparts_identified_to_1e_12(cases, torch_rows):
    pytest.importorskip("optax", reason="optax is an optional extra: pip install optax jax")
    rows = [identify(e, cases[0], N) for e in OPTAX]
    s = summary(rows)
    assert not s["mismatched"], s["mismatched"]
    both = summary(rows + torch_rows)  # the torch rows on the same case (cases == [cases[0]]), N rounds
    assert both["distinct_methods"] >= 16  # the bar: at least 16 distinct update rules
