"""CI checks: presence, tests run, actions pinned."""

from __future__ import annotations

from pathlib import Path

from helpers import make_repo, result_of, scan_repo

from gonogo.model import Outcome, Severity

SHA = "a" * 40
WORKFLOW = f"""
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: astral-sh/setup-uv@v3
      - uses: pinned/action@{SHA}
      - uses: ./local-action
      - run: |
          uv sync
          uv run pytest -q
"""


def test_github_actions_pins_and_tests(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {".github/workflows/ci.yml": WORKFLOW}), select="CI")
    assert report.metrics["ci.present"] == 1
    assert result_of(report, "CI002").outcome is Outcome.PASS
    pins = [(f.line, f.severity, f.message) for f in result_of(report, "CI003").findings]
    assert pins == [
        (6, Severity.LOW, "actions/checkout@v4 is not pinned to a commit SHA"),
        (7, Severity.MEDIUM, "astral-sh/setup-uv@v3 is not pinned to a commit SHA"),
    ]


def test_ci_that_never_tests_and_no_ci(tmp_path: Path) -> None:
    report = scan_repo(
        make_repo(tmp_path / "a", {".gitlab-ci.yml": "build:\n  script:\n    - make build\n"}), select="CI"
    )
    assert result_of(report, "CI002").outcome is Outcome.FAIL
    assert result_of(report, "CI003").outcome is Outcome.NOT_APPLICABLE
    report = scan_repo(make_repo(tmp_path / "b", {"app.py": "x = 1\n"}), select="CI")
    assert report.metrics["ci.present"] == 0 and result_of(report, "CI001").outcome is Outcome.FAIL


def test_broken_workflow_yaml_is_a_finding(tmp_path: Path) -> None:
    report = scan_repo(
        make_repo(
            tmp_path,
            {
                ".github/workflows/bad.yml": "jobs:\n\tbuild: x\n",
                "Jenkinsfile": "pipeline { stages { stage('t') { steps { sh 'tox' } } } }\n",
            },
        ),
        select="CI",
    )
    findings = result_of(report, "CI001").findings
    assert [(f.path, f.line) for f in findings] == [(".github/workflows/bad.yml", 2)]
    assert result_of(report, "CI002").outcome is Outcome.PASS


def test_a_ci_script_in_the_repository_is_read_as_the_pipeline(tmp_path: Path) -> None:
    files = {
        ".ci/run": "#!/usr/bin/env bash\n# pytest is mentioned only in this comment\nset -e\npip install -e .\n",
        "ci/lint.sh": "ruff check .\n",
        "ci/README.md": "pytest\n",  # documentation, not a script
        "ci/helpers.py": "import pytest\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="CI")
    assert report.metrics["ci.present"] == 1
    failure = result_of(report, "CI002")
    assert failure.outcome is Outcome.FAIL
    assert failure.findings[0].evidence == ".ci/run, ci/lint.sh"
    (tmp_path / ".ci/run").write_text("#!/usr/bin/env bash\nset -e\npython3 -m pytest\n")
    assert result_of(scan_repo(tmp_path, select="CI"), "CI002").outcome is Outcome.PASS
