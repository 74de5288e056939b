"""Running a repository's suite: results, coverage, crashes, timeouts, and broken reports."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gonogo.model import GateStatus, Outcome
from gonogo.probes.tests_runner import ReportError, parse_coverage_json, parse_junit, run_suite
from tests.helpers import make_repo, result_of, scan_repo

PYTHON = sys.executable
"""Our own interpreter: it has pytest and coverage, like a prepared virtualenv would."""

MIXED = {
    "calc.py": """
        def add(a, b):
            return a + b

        def unused(x):
            if x:
                return 1
            return 2
        """,
    "tests/test_calc.py": """
        import pytest
        from calc import add

        def test_adds():
            assert add(1, 2) == 3

        def test_wrong():
            assert add(1, 1) == 3

        @pytest.fixture
        def broken():
            raise RuntimeError("fixture exploded")

        def test_uses_broken(broken):
            assert broken

        def test_skipped_at_run_time():
            pytest.skip("needs a GPU")
        """,
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
}


def scan_runtime(root: Path, **options: object):
    return scan_repo(root, "RUN", options=options)


def test_results_are_read_from_junit_with_file_and_line(tmp_path: Path):
    run = run_suite(make_repo(tmp_path, MIXED), PYTHON, timeout_s=120)
    assert run.exit_code == 1 and not run.timed_out and run.problem is None
    outcomes = {case.nodeid.rsplit("::", 1)[-1]: case for case in run.cases}
    assert {name: c.outcome for name, c in outcomes.items()} == {
        "test_adds": "passed", "test_wrong": "failed", "test_uses_broken": "error",
        "test_skipped_at_run_time": "skipped",
    }
    wrong = outcomes["test_wrong"]
    assert (wrong.file, wrong.line) == ("tests/test_calc.py", 7)
    assert "assert 2 == 3" in wrong.message
    assert "needs a GPU" in outcomes["test_skipped_at_run_time"].message
    assert run.coverage is not None
    assert 0 < run.coverage.percent < 100
    assert run.coverage.branch_percent is not None
    assert {p.package for p in run.coverage.packages} == {".", "tests"}


def test_nothing_is_written_into_the_repository(tmp_path: Path):
    root = make_repo(tmp_path, MIXED)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    run_suite(root, PYTHON, timeout_s=120)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


STATEFUL_PLUGINS = {
    # behaves as pytest-benchmark does: an option naming its store, created when pytest starts;
    # where pytest-benchmark itself is installed (CI's interpreter has it) it owns the option
    "conftest.py": """
        import argparse
        import contextlib
        from pathlib import Path

        import pytest

        def pytest_addoption(parser):
            with contextlib.suppress(argparse.ArgumentError, ValueError):
                parser.addoption("--benchmark-storage", default="file://./.benchmarks")

        @pytest.hookimpl(trylast=True)
        def pytest_configure(config):
            Path(config.option.benchmark_storage.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
        """,
    "tests/test_env.py": """
        import os

        def test_stores_are_outside_the_repository():
            assert not os.environ["HYPOTHESIS_STORAGE_DIRECTORY"].startswith(os.getcwd())
        """,
}


def test_plugins_that_keep_state_in_the_working_directory_keep_it_in_scratch(tmp_path: Path):
    root = make_repo(tmp_path, STATEFUL_PLUGINS)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    run = run_suite(root, PYTHON, timeout_s=120)
    assert (run.exit_code, run.count("passed")) == (0, 1), run.output_tail
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert run.tree_changes is not None and not run.tree_changes
    assert "-p gonogo_scratch_plugin" not in run.command  # it exists only inside the run


UNTIDY = {
    "data.txt": "original\n",
    "old.txt": "keep me\n",
    "tests/test_untidy.py": """
        from pathlib import Path

        def test_writes_everywhere():
            Path("out/nested").mkdir(parents=True)
            Path("out/nested/report.txt").write_text("x")
            Path("data.txt").write_text("rewritten by a test")
            Path("old.txt").unlink()
        """,
}


def test_what_the_suite_does_to_the_tree_is_reported_and_left_alone(tmp_path: Path):
    root = make_repo(tmp_path, UNTIDY)
    report = scan_runtime(root, run_tests=True, python=PYTHON)
    findings = {f.message: f for f in result_of(report, "RUN005").findings}
    assert set(findings) == {
        "the test run created out", "the test run changed data.txt", "the test run removed old.txt",
    }
    assert findings["the test run changed data.txt"].location.path == "data.txt"
    assert findings["the test run removed old.txt"].severity.name == "MEDIUM"
    assert report.metrics["tests.run.tree_changes"] == 3
    # gonogo reports, it does not undo: the files are the user's
    assert (root / "data.txt").read_text() == "rewritten by a test"
    assert (root / "out/nested/report.txt").is_file()


def test_checks_turn_the_run_into_findings_metrics_and_gate(tmp_path: Path):
    report = scan_runtime(make_repo(tmp_path, MIXED), run_tests=True, python=PYTHON)
    failing = result_of(report, "RUN001")
    assert failing.outcome is Outcome.FAIL
    [finding] = failing.findings
    assert finding.path == "tests/test_calc.py" and finding.line == 7
    assert report.metrics["tests.run.failed"] == 1
    assert report.metrics["tests.run.passed"] == 1
    assert report.metrics["tests.run.errors"] == 1
    assert report.metrics["tests.run.skipped"] == 1
    assert "fixture exploded" in result_of(report, "RUN002").findings[0].message
    assert 0 < (report.metrics["coverage.percent"] or 0) < 100
    gate = next(g for g in report.gates if g.gate.name == "Tests pass")
    assert gate.status is GateStatus.FAIL and gate.gate.blocking


def test_not_asked_means_unknown_never_passing(tmp_path: Path):
    report = scan_runtime(make_repo(tmp_path, MIXED))
    for check_id in ("RUN001", "RUN002", "RUN003", "RUN004"):
        result = result_of(report, check_id)
        assert result.outcome is Outcome.UNKNOWN
        assert "run with --run-tests" in (result.reason or "")
    assert report.metrics.get("tests.run.failed") is None
    assert report.metrics.get("coverage.percent") is None
    gate = next(g for g in report.gates if g.gate.name == "Tests pass")
    assert gate.status is GateStatus.UNKNOWN


def test_collection_error_is_evidence(tmp_path: Path):
    root = make_repo(tmp_path, {"tests/test_broken.py": "import no_such_module_here\n",
                                "tests/test_fine.py": "def test_ok():\n    assert True\n"})
    run = run_suite(root, PYTHON, timeout_s=120)
    assert run.exit_code == 2
    [collection] = [c for c in run.cases if c.outcome == "collection"]
    assert collection.file == "tests/test_broken.py"
    report = scan_runtime(root, run_tests=True, python=PYTHON)
    messages = [f.message for f in result_of(report, "RUN002").findings]
    assert any("collection error in tests/test_broken.py" in m for m in messages)


def test_timeout_kills_the_suite_and_is_reported(tmp_path: Path):
    root = make_repo(tmp_path, {"tests/test_hangs.py": """
        import subprocess, sys, time

        def test_hangs():
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
            time.sleep(60)
        """})
    report = scan_runtime(root, run_tests=True, python=PYTHON, test_timeout=3)
    errors = result_of(report, "RUN002")  # waited for, the suite would say it failed, not this
    assert any("killed after the 3 s time limit" in f.message for f in errors.findings)
    assert result_of(report, "RUN003").outcome is Outcome.UNKNOWN
    assert "time limit" in (result_of(report, "RUN003").reason or "")


def test_no_tests_collected_is_an_error(tmp_path: Path):
    report = scan_runtime(make_repo(tmp_path, {"README.md": "nothing\n"}), run_tests=True, python=PYTHON)
    assert [f.message for f in result_of(report, "RUN002").findings] == ["pytest collected no tests"]


def test_crash_of_the_interpreter_is_evidence(tmp_path: Path):
    root = make_repo(tmp_path, {"tests/test_crash.py": """
        import os

        def test_dies():
            os.abort()
        """})
    report = scan_runtime(root, run_tests=True, python=PYTHON)
    messages = [f.message for f in result_of(report, "RUN002").findings]
    assert any("crashed" in m and "signal" in m for m in messages), messages


def test_missing_interpreter_is_unknown_with_the_reason(tmp_path: Path):
    report = scan_runtime(make_repo(tmp_path, MIXED), run_tests=True, python=str(tmp_path / "nope"))
    result = result_of(report, "RUN001")
    assert result.outcome is Outcome.UNKNOWN
    assert "not found" in (result.reason or "")


def test_interpreter_without_coverage_says_how_to_install_it(tmp_path: Path):
    blocker = tmp_path / "blocker" / "coverage"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('blocked for this test')\n")
    wrapper = tmp_path / "python-without-coverage"
    wrapper.write_text(f'#!/bin/sh\nPYTHONPATH="{blocker.parent}" exec "{PYTHON}" "$@"\n')
    wrapper.chmod(0o755)
    root = make_repo(tmp_path / "repo", MIXED)
    report = scan_runtime(root, run_tests=True, python=str(wrapper))
    assert result_of(report, "RUN001").outcome is Outcome.FAIL, "the suite still ran"
    coverage = result_of(report, "RUN003")
    assert coverage.outcome is Outcome.UNKNOWN
    assert "-m pip install coverage" in (coverage.reason or "")
    assert report.metrics.get("coverage.percent") is None


def test_interpreter_without_pytest_is_unknown(tmp_path: Path):
    blocker = tmp_path / "blocker" / "pytest"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('no pytest here')\n")
    wrapper = tmp_path / "python-without-pytest"
    wrapper.write_text(f'#!/bin/sh\nPYTHONPATH="{blocker.parent}" exec "{PYTHON}" "$@"\n')
    wrapper.chmod(0o755)
    run = run_suite(make_repo(tmp_path / "repo", MIXED), str(wrapper), timeout_s=60)
    assert run.exit_code is None
    assert "pip install pytest" in (run.problem or "")


JUNIT_OK = b"""<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.test_a" name="test_x" file="tests/test_a.py" line="3" time="0.5"/>
<testcase classname="tests.test_a" name="test_y" time="not-a-number"><failure message="boom">tb</failure></testcase>
<testcase classname="" name="tests.test_b" time="0"><error message="collection failure">x</error></testcase>
</testsuite></testsuites>"""


def test_junit_is_parsed_leniently_where_it_can_be():
    cases = parse_junit(JUNIT_OK)
    assert [(c.outcome, c.file, c.line, c.seconds) for c in cases] == [
        ("passed", "tests/test_a.py", 4, 0.5),
        ("failed", None, None, 0.0),
        ("collection", "tests/test_b.py", None, 0.0),
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "not well-formed"),
        (b"<testsuites><testcase>", "not well-formed"),
        (b"\x00\x01\x02binary", "not well-formed"),
        (b"<html><body>hi</body></html>", "root element is <html>"),
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
         b"<testsuites>&lol2;</testsuites>", "DTD"),
    ],
    ids=["empty", "truncated", "binary", "not junit", "entity expansion"],
)
def test_broken_junit_is_a_report_error(data, expected):
    with pytest.raises(ReportError, match=expected):
        parse_junit(data)


COVERAGE_OK = (b'{"meta": {}, "totals": {"percent_covered": 75.0, "num_statements": 8, '
               b'"covered_lines": 6, "num_branches": 2, "covered_branches": 1}, "files": {'
               b'"pkg/a.py": {"summary": {"num_statements": 4, "covered_lines": 4, "num_branches": 2, '
               b'"covered_branches": 1}}, "pkg/sub/b.py": {"summary": {"num_statements": 4, '
               b'"covered_lines": 2}}}}')


def test_coverage_json_gives_totals_and_packages():
    summary = parse_coverage_json(COVERAGE_OK)
    assert (summary.percent, summary.line_percent, summary.branch_percent) == (75.0, 75.0, 50.0)
    assert [(p.package, p.percent) for p in summary.packages] == [("pkg", 100.0), ("pkg/sub", 50.0)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "not coverage.py JSON"),
        (b'{"totals": {}, "files": {}}', "percent_covered"),
        (b'{"totals": {"percent_covered": 250}, "files": {}}', "percent_covered"),
        (b'{"totals": {"percent_covered": 5, "num_statements": -3}, "files": {}}', "not a count"),
        (b'{"totals": {"percent_covered": 5}, "files": {"a.py": 7}}', "no summary"),
        (b"[" * 50_000, "not valid JSON"),
    ],
    ids=["empty", "binary", "a list", "no percent", "percent over 100", "negative count",
         "file without summary", "deep nesting"],
)
def test_broken_coverage_json_is_a_report_error(data, expected):
    with pytest.raises(ReportError, match=expected):
        parse_coverage_json(data)


def _run_with_gates(root: Path, gates: dict[str, object]):
    return scan_repo(root, "RUN", options={"run_tests": True, "python": PYTHON}, gates=gates)


def _covered(report) -> float:
    return float(report.metrics["coverage.percent"] or 0)


@pytest.mark.parametrize(
    ("margin", "outcome", "gate_status"),
    [(-5.0, Outcome.PASS, GateStatus.PASS), (5.0, Outcome.FAIL, GateStatus.FAIL)],
    ids=["a gate bar below the coverage passes both", "a gate bar above the coverage fails both"],
)
def test_coverage_is_judged_against_the_gate_not_the_profile(tmp_path: Path, margin, outcome, gate_status):
    files = {k: v for k, v in MIXED.items() if k != "tests/test_calc.py"}
    files["tests/test_calc.py"] = "from calc import add\n\ndef test_adds():\n    assert add(1, 2) == 3\n"
    root = make_repo(tmp_path, files)
    measured = _covered(_run_with_gates(root, {}))
    bar = round(measured + margin, 1)
    condition = {"metric": "coverage.percent", "operator": ">=", "threshold": bar}
    report = _run_with_gates(root, {"Tests pass": {"conditions": [condition]}})
    assert result_of(report, "RUN003").outcome is outcome
    tests_pass = next(g for g in report.gates if g.gate.name == "Tests pass")
    assert tests_pass.status is gate_status
    if outcome is Outcome.FAIL:
        assert f"requires coverage.percent >= {bar:g}" in result_of(report, "RUN003").findings[0].message


@pytest.mark.parametrize(
    ("files", "outcome"),
    [
        ({"tests/test_broken.py": "import no_such_module_here\n\ndef test_x():\n    assert 1\n"}, Outcome.UNKNOWN),
        ({"tests/test_fine.py": "def test_ok():\n    assert True\n"}, Outcome.PASS),
    ],
    ids=["a collection error that left 0 tests run", "one test that ran and passed"],
)
def test_no_test_run_is_not_a_pass(tmp_path: Path, files, outcome):
    report = scan_runtime(make_repo(tmp_path, files), run_tests=True, python=PYTHON)
    result = result_of(report, "RUN001")
    assert result.outcome is outcome
    if outcome is Outcome.UNKNOWN:
        assert "no test ran" in (result.reason or "") and "1 collection error" in (result.reason or "")
        assert report.metrics["tests.run.failed"] is None


def test_a_relative_interpreter_path_is_not_read_against_the_repository(tmp_path: Path, monkeypatch):
    venv = tmp_path / "here" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").symlink_to(PYTHON)
    monkeypatch.chdir(tmp_path / "here")
    root = make_repo(tmp_path / "repo", {"tests/test_fine.py": "def test_ok():\n    assert True\n"})
    run = run_suite(root, "bin/python", timeout_s=120)
    assert run.problem is None and run.count("passed") == 1
