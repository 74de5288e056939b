"""report.json against the shipped JSON Schema. The golden reports of the example, in every format and
through the command line, are in tests/test_scenarios.py."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from gonogo.reporters import json_report
from tests.helpers import make_repo, scan_repo

EXAMPLE = Path(__file__).parent.parent / "examples" / "control-center"
SCHEMA = json.loads(resources.files("gonogo").joinpath("schema/report.schema.json").read_text())


@pytest.fixture(scope="module")
def example_report(tmp_path_factory):
    target = tmp_path_factory.mktemp("example") / "control-center"
    shutil.copytree(EXAMPLE, target)
    return scan_repo(target)


def test_example_report_matches_schema(example_report):
    jsonschema.validate(json_report.report_to_dict(example_report), SCHEMA)


def test_small_and_empty_reports_match_schema(tmp_path):
    for files in ({}, {"a.py": "def f(:\n"}, {"tests/test_a.py": "def test_a():\n    pass\n"}):
        root = make_repo(tmp_path / str(len(list(tmp_path.iterdir()))), files)
        jsonschema.validate(json_report.report_to_dict(scan_repo(root)), SCHEMA)


def test_html_report_is_one_escaped_page(tmp_path):
    from gonogo.reporters import html as html_report

    root = make_repo(tmp_path / "r", {"tests/test_a.py": "import pytest\n@pytest.mark.skip(reason='<script>alert(1)</script>')\ndef test_a():\n    assert 1\n"})
    page = html_report.render(scan_repo(root))
    assert page.startswith("<!DOCTYPE html>")
    # the one script is ours; the skip reason travels as JSON with its angle brackets escaped
    assert page.count("<script>") == 1 and "\\u003cscript\\u003ealert(1)" in page
    assert "unsafe-inline" not in page and "script-src &#39;sha256-" in page  # the script allowed by its hash
    assert 'data-check="TEST001"' in page and "No test is skipped" in page


def test_the_finding_dictionaries_of_one_report_are_never_another_reports(tmp_path):
    """``report_to_dict`` reuses the last report's finding dictionaries while its checks are the
    same tuple (a report with "Since the last run" added is a copy that keeps them)."""
    from dataclasses import replace

    from gonogo.model import SinceLastRun
    from gonogo.reporters.json_report import report_to_dict
    from tests.helpers import make_repo, scan_repo

    one = scan_repo(make_repo(tmp_path / "one", {"app.py": "def todo():\n    pass\n"}), "CODE")
    two = scan_repo(make_repo(tmp_path / "two", {"app.py": "def later():\n    raise NotImplementedError\n"}), "CODE")
    messages = [[f["message"] for f in report_to_dict(r)["findings"]] for r in (one, two, one)]
    assert messages[0] == messages[2] == ["todo is a stub (pass)"]
    assert messages[1] == ["later is a stub (raise NotImplementedError)"]
    copied = replace(one, since=SinceLastRun(previous="run #1", decision_before="GO", regressions=(), improvements=()))
    assert report_to_dict(copied)["findings"] is report_to_dict(one)["findings"]
