"""The order in which tests/conftest.py hands the work groups to the two xdist workers: unknown groups first,
then the known ones longest first, each group's cost summed over the tests that are selected."""
import conftest as C

IDS = ["suite/test_a.py::t1", "suite/test_a.py::t2", "suite/test_b.py::t1", "suite/test_c.py::t1",
       "suite/test_c.py::t2"]


def test_known_groups_go_longest_first_and_unknown_ones_before_them():
    tests = {"suite/test_a.py::t1": 1.0, "suite/test_a.py::t2": 2.0, "suite/test_b.py::t1": 9.0}
    assert C.schedule_order(IDS, tests, {}) == ["suite/test_c.py", "suite/test_b.py", "suite/test_a.py"]
    assert C.group_costs(IDS, tests, {}) == {"suite/test_a.py": 3.0, "suite/test_b.py": 9.0, "suite/test_c.py": None}


def test_a_group_costs_only_its_selected_tests():
    """The fast lane (-m "not slow") deselects a long test: its group is no longer counted as long."""
    tests = {"suite/test_a.py::t1": 1.0, "suite/test_a.py::slow": 50.0, "suite/test_b.py::t1": 9.0}
    assert C.schedule_order(["suite/test_a.py::t1", "suite/test_b.py::t1"], tests, {}) == \
        ["suite/test_b.py", "suite/test_a.py"]
    assert C.schedule_order(["suite/test_a.py::t1", "suite/test_a.py::slow", "suite/test_b.py::t1"], tests, {}) == \
        ["suite/test_a.py", "suite/test_b.py"]


def test_an_old_file_with_group_seconds_only_still_orders_the_groups():
    groups = {"suite/test_a.py": 5.0, "suite/test_b.py": 7.0}
    assert C.schedule_order(IDS, {}, groups) == ["suite/test_c.py", "suite/test_b.py", "suite/test_a.py"]


def test_the_split_and_audit_page_groups():
    assert C.work_group("tests/test_notebooks.py::test_notebook_executes[x]") == \
        "tests/test_notebooks.py::test_notebook_executes[x]"
    assert C.work_group("tests/test_figures_html.py::test_x") == "audit_page"
    assert C.work_group("tests/test_engine_equality.py::test_eq[3-paper-adam]") == "tests/test_engine_equality.py::adam"
    # the two files that share analysis.gamma's memo run in one worker
    assert C.work_group("tests/test_analysis_cli.py::test_json_schema") == \
        C.work_group("tests/test_analysis_gamma.py::test_x") != C.work_group("tests/test_analysis_bounds.py::test_x")


def test_groups_that_share_work_run_in_one_worker():
    """The audit's recorded verdicts (tests/_checked.py) reach test_proofs_repaired and test_proofs_mutation only in the
    same process, and RMSProp's equality cases compile Adam's kernels."""
    assert C.work_group("tests/test_proofs_audit.py::test_every_verdict_as_expected") == \
        C.work_group("tests/test_proofs_repaired.py::test_x") == C.work_group("tests/test_proofs_mutation.py::test_x") \
        != C.work_group("tests/test_proofs_kernel.py::test_x")
    assert C.work_group("tests/test_engine_equality.py::test_run_batch_equals_reference[70-periodic-rmsprop-paper]") \
        == C.work_group("tests/test_engine_equality.py::test_run_batch_equals_reference[3-bernoulli-adam-keras]") \
        != C.work_group("tests/test_engine_equality.py::test_run_batch_equals_reference[3-bernoulli-amsgrad-keras]")
