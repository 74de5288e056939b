"""CI checks: presence, tests run, actions pinned."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.checks.ci import _is_test_run
from gonogo.model import Outcome, Severity
from tests.helpers import make_repo, result_of, scan_repo

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


def _workflow(*steps: str, defaults: str = "") -> str:
    lines = "\n".join(f"      - {step}" for step in steps)
    return f"on: push\njobs:\n  test:\n{defaults}    runs-on: ubuntu-latest\n    steps:\n{lines}\n"


TESTS_START = "#!/usr/bin/env bash\nset -e\npython app/pre_start.py\nbash scripts/test.sh \"$@\"\n"
LINT_ONLY = "#!/usr/bin/env bash\nset -e\nruff check .\n"
CI_THROUGH_SCRIPTS = [
    # (case, files, CI002 passes)
    (
        {
            ".github/workflows/ci.yml": _workflow(
                "run: uv run bash scripts/tests-start.sh\n        working-directory: backend"
            ),
            "backend/scripts/tests-start.sh": TESTS_START,
            "backend/scripts/test.sh": "#!/usr/bin/env bash\ncoverage run -m pytest tests/\n",
        },
        True,
    ),
    (
        {
            ".github/workflows/ci.yml": _workflow(
                "run: uv run bash scripts/tests-start.sh\n        working-directory: backend"
            ),
            "backend/scripts/tests-start.sh": TESTS_START,
            "backend/scripts/test.sh": LINT_ONLY,
        },
        False,
    ),
    (
        {
            ".github/workflows/ci.yml": _workflow(
                "run: ./scripts/check",
                defaults="    defaults:\n      run:\n        working-directory: ./api\n",
            ),
            "api/scripts/check": "#!/bin/sh -e\n${PREFIX}python -m pytest \"$@\"\n",
        },
        True,
    ),
    (
        {
            ".github/workflows/ci.yml": _workflow("run: ./scripts/check"),
            "scripts/check": "not a shell script: pytest\n",  # no shebang, no .sh: not followed
        },
        False,
    ),
    ({".github/workflows/e2e.yml": _workflow("run: docker compose run --rm playwright bunx playwright test")}, True),
    ({".github/workflows/e2e.yml": _workflow("run: bunx playwright install --with-deps")}, False),
    (
        {
            ".github/workflows/ci.yml": _workflow("run: make ci"),
            "Makefile": "ci: lint unit\n\nlint:\n\truff check .\n\nunit:\n\t@uv run pytest -q\n",
        },
        True,
    ),
    (
        {
            ".github/workflows/ci.yml": _workflow("run: make ci"),
            "Makefile": "ci: lint\n\nlint:\n\truff check .\nunit:\n\tuv run pytest -q\n",
        },
        False,
    ),
    (
        {
            ".github/workflows/ci.yml": _workflow("run: npm run e2e\n        working-directory: web"),
            "web/package.json": '{"scripts": {"e2e": "vitest run", "lint": "eslint ."}}',
        },
        True,
    ),
    (
        {
            ".github/workflows/ci.yml": _workflow("run: npm run lint\n        working-directory: web"),
            "web/package.json": '{"scripts": {"e2e": "vitest run", "lint": "eslint ."}}',
        },
        False,
    ),
    ({".github/workflows/ci.yml": _workflow("run: pip install pytest pytest-cov", "run: echo pytest")}, False),
    (
        {
            ".gitlab-ci.yml": "test:\n  script:\n    - docker compose exec -T backend bash scripts/tests-start.sh\n",
            "backend/scripts/tests-start.sh": "#!/bin/bash\npytest\n",
        },
        True,
    ),
    (
        {
            ".github/workflows/ci.yml": _workflow("run: bash scripts/a.sh"),
            "scripts/a.sh": "bash scripts/b.sh\n",
            "scripts/b.sh": "bash scripts/a.sh\n",  # a cycle ends, and finds nothing
        },
        False,
    ),
]


@pytest.mark.parametrize(
    ("files", "passes"),
    CI_THROUGH_SCRIPTS,
    ids=[
        "script in the step's working-directory runs pytest through another script",
        "the same scripts only lint",
        "extensionless script with a shebang under defaults.run.working-directory",
        "a file that is not a shell script is not followed",
        "bunx playwright test",
        "bunx playwright install is not a run",
        "make target whose prerequisite runs pytest",
        "make target whose prerequisites only lint",
        "npm run of a package script that runs vitest",
        "npm run of a package script that lints",
        "installing and echoing pytest is not running it",
        "gitlab script line calling a script inside a container",
        "scripts calling each other in a cycle",
    ],
)
def test_ci_runs_tests_through_the_scripts_it_calls(tmp_path: Path, files: dict[str, str], passes: bool) -> None:
    outcome = result_of(scan_repo(make_repo(tmp_path, files), select="CI002"), "CI002").outcome
    assert outcome is (Outcome.PASS if passes else Outcome.FAIL)


@pytest.mark.parametrize(
    ("segment", "runs"),
    [
        ("uv run pytest -q", True),
        ("python -m pytest tests/", True),
        ("${PREFIX}coverage run -m pytest", True),
        ("hatch run test:cov", True),
        ("poetry run pytest", True),
        ("tox -e py312", True),
        ("nox -s tests", True),
        ("npx playwright test --shard=1/4", True),
        ("pnpm test", True),
        ("yarn run test:unit", True),
        ("bun test", True),
        ("npx vitest run", True),
        ("npx jest --ci", True),
        ("pip install pytest pytest-cov", False),
        ("uv add --dev pytest", False),
        ("echo run pytest later", False),
        ("actions/upload-artifact pytest-results", False),
        ("cp tox.ini build/", False),
        ("ruff check .", False),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_known_test_runners(segment: str, runs: bool) -> None:
    assert _is_test_run(segment) is runs
