"""report.json against the shipped JSON Schema, and golden reports of the example workspace."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from gonogo.api import scan
from gonogo.config import find_config_file, load_config
from gonogo.model import RootInfo
from gonogo.options import ScanOptions
from gonogo.reporters import json_report, markdown
from tests.helpers import make_repo

EXAMPLE = Path(__file__).parent.parent / "examples" / "control-center"
GOLDEN = Path(__file__).parent / "golden" / "control_center"
SCHEMA = json.loads(resources.files("gonogo").joinpath("schema/report.schema.json").read_text())


def stable_report(root: Path):
    """The example's report with the two figures that change between runs removed."""
    config = load_config(find_config_file(root))
    report = scan([root], config=config, options=ScanOptions(use_cache=False))
    return replace(
        report,
        duration_seconds=None,
        timings={},
        roots=tuple(RootInfo(name=r.name, path="", commit=None) for r in report.roots),
    )


@pytest.fixture(scope="module")
def example_report(tmp_path_factory):
    """Scanned as ``control-center`` from its parent folder, as a user would, so the verify commands
    in the plan hold no temporary path."""
    target = tmp_path_factory.mktemp("example") / "control-center"
    shutil.copytree(EXAMPLE, target)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(target.parent)
        return stable_report(Path("control-center"))


def test_example_report_matches_schema(example_report):
    jsonschema.validate(json_report.report_to_dict(example_report), SCHEMA)


def test_small_and_empty_reports_match_schema(tmp_path):
    for files in ({}, {"a.py": "def f(:\n"}, {"tests/test_a.py": "def test_a():\n    pass\n"}):
        root = make_repo(tmp_path / str(len(list(tmp_path.iterdir()))), files)
        jsonschema.validate(json_report.report_to_dict(stable_report(root)), SCHEMA)


def test_reporters_are_deterministic(example_report):
    assert json_report.render(example_report) == json_report.render(example_report)
    assert markdown.render(example_report) == markdown.render(example_report)


@pytest.mark.parametrize(("name", "renderer"), [("report.json", json_report), ("report.md", markdown)],
                         ids=["json golden", "markdown golden"])
def test_golden_reports(example_report, update_goldens, name, renderer):
    rendered = renderer.render(example_report)
    golden = GOLDEN / name
    if update_goldens:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8"), f"{name} changed: review, then --update-goldens"


def test_html_report_is_one_escaped_page(tmp_path):
    from gonogo.reporters import html as html_report

    root = make_repo(tmp_path / "r", {"tests/test_a.py": "import pytest\n@pytest.mark.skip(reason='<script>alert(1)</script>')\ndef test_a():\n    assert 1\n"})
    page = html_report.render(stable_report(root))
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<table>" in page and "No test is skipped" in page
