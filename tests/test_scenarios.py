"""Named end-to-end scenarios, run through the command line as a user runs it, with golden reports
in all five formats (tests/golden/<scenario>/): the shipped example, a small clean repository that
gets GO, and a legacy repository judged against its baseline with waivers.

Each scenario is scanned from the folder above the repository with a relative path, as a user
would, so the reports hold no temporary path; what still varies between runs is removed in one
place, ``tests.goldens.normalise``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from gonogo.cli import FORMATS, app
from gonogo.vulndb.index import build_index
from tests.goldens import GOLDEN, check_golden, normalise
from tests.helpers import make_repo
from tests.vulndb_fakes import fixture_advisories

EXAMPLE = Path(__file__).parent.parent / "examples" / "control-center"
SRC = Path(__file__).parent.parent / "src"
runner = CliRunner()


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    name: str
    build: Callable[[Path], list[str]]
    """Makes the repository (or repositories) under the given folder, runs any set-up command
    there, and returns the ``gonogo check`` arguments that follow the formats and the output."""
    exit_code: int
    decision: str
    advisories: bool = False
    """Scan with the advisory index of tests/fixtures/osv (else with none, as on a fresh machine)."""
    expect: Callable[[dict[str, Any]], None] | None = None
    """Assertions on report.json beyond the decision: what the scenario is about."""


def _example(folder: Path) -> list[str]:
    shutil.copytree(EXAMPLE, folder / "control-center")
    return ["control-center"]


CLEAN = {
    "pyproject.toml": """
        [project]
        name = "greet"
        version = "1.0.0"
        requires-python = ">=3.11"
        dependencies = []

        [project.optional-dependencies]
        test = ["pytest==8.3.3"]

        # a library with no service: the gates on a test run and on probes are not this project's
        [tool.gonogo.gates."Tests pass"]
        enabled = false

        [tool.gonogo.gates."Services healthy"]
        enabled = false

        [tool.gonogo.gates."Performance SLO"]
        enabled = false
    """,
    "src/greet/__init__.py": '''
        """Greetings."""


        def greet(name: str) -> str:
            """Say hello to ``name``."""
            return f"Hello, {name}!"
    ''',
    "tests/test_greet.py": """
        from greet import greet


        def test_greet():
            assert greet("Ada") == "Hello, Ada!"
    """,
    "README.md": "# greet\n\nSays hello. Run the tests with `pytest`.\n",
    ".github/workflows/ci.yml": """
        name: ci
        on: [push]
        jobs:
          test:
            runs-on: ubuntu-24.04
            steps:
              - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
              - run: pip install -e .[test] && pytest
    """,
}


def _clean(folder: Path) -> list[str]:
    make_repo(folder / "greet", CLEAN)
    return ["greet"]


LEGACY = {
    "gonogo.toml": """
        [[waivers]]
        check = "TEST001"
        path = "tests/test_jobs.py"
        reason = "the queue test needs the staging broker; tracked in OPS-7"
        until = "2099-12-31"

        [[waivers]]
        check = "SEC001"
        path = "app/report.py"
        reason = "a waiver that has run out: it is a note, and no longer silences the new finding"
        until = "2020-01-01"
    """,
    "app/__init__.py": "",
    "app/jobs.py": """
        import subprocess


        def run(command):
            return subprocess.run(command, shell=True, check=True)
    """,
    "tests/test_jobs.py": """
        import pytest

        from app.jobs import run


        @pytest.mark.skip(reason="needs the staging broker")
        def test_queue():
            assert run("true").returncode == 0
    """,
}
NEW_CODE = """
import subprocess


def convert(name):
    return subprocess.run(f"convert {name} out.pdf", shell=True, check=True)
"""


def _legacy(folder: Path) -> list[str]:
    """A repository that recorded its findings in a baseline, then gained one new finding: only the
    new one counts (and fails the Security gate); the skipped test is waived; the expired waiver of
    the new file is a note and silences nothing."""
    make_repo(folder / "legacy", LEGACY)
    recorded = invoke(["baseline", "legacy"])
    assert recorded.exit_code == 0, recorded.output
    (folder / "legacy" / "app" / "report.py").write_text(NEW_CODE, encoding="utf-8")
    return ["legacy", "--select", "SEC,TEST"]


def _only_the_new_finding_counts(report: dict[str, Any]) -> None:
    marks = sorted((f["path"], f["data"].get("rule", f["check_id"]), f["waived"], f.get("suppressed"))
                   for f in report["findings"])
    assert marks == [
        ("app/jobs.py", "S404", False, "baseline"),
        ("app/jobs.py", "S602", False, "baseline"),
        ("app/report.py", "S404", False, None),
        ("app/report.py", "S602", False, None),
        ("tests/test_jobs.py", "TEST001", True, None),
    ]
    assert any("expired on 2020-01-01" in note["message"] for note in report["notes"])


SCENARIOS = (
    Scenario(name="control_center", build=_example, exit_code=1, decision="NO_GO"),
    Scenario(name="clean_go", build=_clean, exit_code=0, decision="GO", advisories=True),
    Scenario(name="legacy_baseline", build=_legacy, exit_code=1, decision="NO_GO",
             expect=_only_the_new_finding_counts),
)


def invoke(args: list[str]) -> Result:
    return runner.invoke(app, args, catch_exceptions=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Ran:
    scenario: Scenario
    result: Result
    output: Path
    tmp: Path


@pytest.fixture(scope="module")
def advisory_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The advisory index built from tests/fixtures/osv, so the Security gate is decided; dated
    today, as a user's updated index is, since the gate refuses data older than the profile allows."""
    path = tmp_path_factory.mktemp("scenario-advisories") / "osv.sqlite3"
    today = f"{date.today().isoformat()}T00:00:00Z"  # the date goldens.normalise replaces
    documents = (
        (f"{name}.json", json.dumps({**doc, "modified": today}).encode()) for name, doc in fixture_advisories().items()
    )
    build_index(documents, path, source="fixtures")
    return path


@pytest.fixture(scope="module", params=SCENARIOS, ids=[s.name for s in SCENARIOS])
def ran(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, advisory_index: Path) -> Ran:
    scenario: Scenario = request.param
    folder = tmp_path_factory.mktemp(scenario.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        if scenario.advisories:
            patch.setenv("GONOGO_VULNDB", str(advisory_index))
        args = scenario.build(folder)
        result = invoke(["check", *args, "--format", ",".join(FORMATS), "--output", "out", "--no-cache"])
    return Ran(scenario=scenario, result=result, output=folder / "out", tmp=tmp_path_factory.getbasetemp())


def test_scenario_exit_code_and_decision(ran: Ran) -> None:
    assert ran.result.exit_code == ran.scenario.exit_code, ran.result.output
    report = json.loads((ran.output / "report.json").read_text())
    assert report["decision"] == ran.scenario.decision
    if ran.scenario.expect is not None:
        ran.scenario.expect(report)


@pytest.mark.parametrize("report_format", list(FORMATS))
def test_scenario_report_matches_its_golden(ran: Ran, report_format: str, update_goldens: bool) -> None:
    filename = FORMATS[report_format][0]
    text = normalise((ran.output / filename).read_text(encoding="utf-8"), tmp=ran.tmp)
    check_golden(GOLDEN / ran.scenario.name / filename, text, update=update_goldens)


def _cli_reports(folder: Path, seed: str) -> dict[str, str]:
    """The example's five reports written by a fresh interpreter with the given hash seed."""
    out = folder / f"out-{seed}"
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": os.pathsep.join([str(SRC), str(SRC.parent)])}
    done = subprocess.run(
        [sys.executable, "-m", "gonogo.cli", "check", "control-center", "--format", ",".join(FORMATS),
         "--output", str(out), "--no-cache", "-q"],
        cwd=folder, env=env, capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 1, done.stderr  # the example is NO-GO
    return {name: normalise((out / filename).read_text(encoding="utf-8"), tmp=folder)
            for name, (filename, _) in FORMATS.items()}


def test_reports_do_not_depend_on_the_process_hash_seed(tmp_path: Path) -> None:
    """Two processes with different string hashes (set and dict orders built from them differ)
    write the same five reports. Rendering one object twice in one process could not show this."""
    _example(tmp_path)
    first, second = _cli_reports(tmp_path, "1"), _cli_reports(tmp_path, "2")
    assert first.keys() == set(FORMATS)
    for name in FORMATS:
        assert first[name] == second[name], f"the {name} report differs between hash seeds"
