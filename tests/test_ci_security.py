"""CI004-CI008: paths CI names, security scanning, dependency updates, token permissions and
privileged pull request workflows, on workflows shaped like the corpus's."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.collectors.ci_workflows import command_paths
from tests.helpers import make_repo, result_of, scan_repo

_WORKFLOW = ".github/workflows/ci.yml"


def _messages(repo: Path, check_id: str) -> list[str]:
    return [f.message for f in result_of(scan_repo(repo, select=check_id), check_id).findings]


def _workflow(steps: str, head: str = "on: [push]\n", job_extra: str = "") -> str:
    return (
        f"name: CI\n{head}jobs:\n  tests:\n    runs-on: ubuntu-latest\n{job_extra}    steps:\n"
        "      - uses: actions/checkout@v4\n" + steps
    )


@pytest.mark.parametrize(
    ("steps", "missing"),
    [
        ("      - run: pytest tests/unit\n", []),
        ("      - run: pytest tests/integration\n", ["pytest path 'tests/integration' does not exist in the repository"]),
        ("      - run: cd backend && pytest tests/unit\n", ["pytest path 'backend/tests/unit' does not exist in the repository"]),
        ("      - run: pytest -k integration -m slow tests/unit/test_a.py::test_x\n", []),
        ("      - run: docker compose exec backend pytest tests/integration\n", []),
        ("      - run: pytest ${{ matrix.folder }}/integration\n", []),
        ("      - run: bash scripts/test.sh\n", []),
        ("      - run: bash scripts/e2e.sh\n", ["script 'scripts/e2e.sh' does not exist in the repository"]),
        ("      - run: curl -o setup.sh https://x.example/setup.sh\n      - run: bash setup.sh\n", []),
        ("      - name: pytest tests/integration\n        run: make test\n", []),
        ("      - run: pytest tests\n        working-directory: backend\n",
         ["working-directory 'backend' does not exist in the repository",
          "pytest path 'backend/tests' does not exist in the repository"]),
    ],
    ids=["test folder present", "test folder missing", "cd followed", "option values and node ids",
         "run inside a container", "path with an expression", "script present", "script missing",
         "script an earlier step downloads", "a step's name is not a command", "working directory missing"],
)
def test_paths_the_ci_names_must_exist(tmp_path: Path, steps: str, missing: list[str]) -> None:
    repo = make_repo(tmp_path, {
        _WORKFLOW: _workflow(steps),
        "tests/unit/test_a.py": "def test_x():\n    assert 1\n",
        "scripts/test.sh": "#!/bin/sh\npytest\n",
    })
    assert sorted(_messages(repo, "CI004")) == sorted(missing)


def test_a_checkout_into_a_sub_folder_claims_no_path(tmp_path: Path) -> None:
    steps = "        with:\n          path: src\n      - run: pytest src/tests/integration\n"
    repo = make_repo(tmp_path, {_WORKFLOW: _workflow(steps)})
    assert _messages(repo, "CI004") == []


def test_command_paths_stop_at_a_cd_they_cannot_follow() -> None:
    assert list(command_paths("cd $HOME/x && pytest tests/a", "")) == []
    assert list(command_paths("mkdir -p out && cd out && pytest ../tests/a", "")) == []
    assert list(command_paths("pytest tests/a && ./run.sh", "app")) == [("pytest path", "app/tests/a"),
                                                                       ("script", "app/run.sh")]


@pytest.mark.parametrize(
    ("steps", "files", "flagged"),
    [
        ("      - run: pytest\n", {}, True),
        ("      - run: pip-audit -r requirements.txt\n", {}, False),
        ("      - uses: github/codeql-action/analyze@v3\n", {}, False),
        ("      - uses: zizmorcore/zizmor-action@v0.5\n", {}, False),
        ("      - run: make audit\n", {"Makefile": "audit:\n\tbandit -r src\n"}, False),
        ("      - run: pip install bandit-report\n", {}, True),
    ],
    ids=["tests only", "pip-audit command", "codeql action", "zizmor action", "bandit through make",
         "a name that contains a scanner's"],
)
def test_security_scanning_in_ci(tmp_path: Path, steps: str, files: dict[str, str], flagged: bool) -> None:
    repo = make_repo(tmp_path, {_WORKFLOW: _workflow(steps), **files})
    assert bool(_messages(repo, "CI005")) is flagged


@pytest.mark.parametrize(
    ("files", "flagged"),
    [
        ({}, True),
        ({".github/dependabot.yml": "version: 2\nupdates: []\n"}, False),
        ({"renovate.json": "{}\n"}, False),
    ],
    ids=["no update bot", "dependabot", "renovate"],
)
def test_dependency_updates_are_automated(tmp_path: Path, files: dict[str, str], flagged: bool) -> None:
    repo = make_repo(tmp_path, {_WORKFLOW: _workflow("      - run: pytest\n"), **files})
    assert bool(_messages(repo, "CI006")) is flagged


@pytest.mark.parametrize(
    ("head", "job_extra", "expected"),
    [
        ("on: [push]\n", "", ["no top-level permissions, and 1 of 1 job(s) set none (tests)"]),
        ("on: [push]\npermissions:\n  contents: read\n", "", []),
        ("on: [push]\n", "    permissions:\n      contents: read\n", []),
        ("on: [push]\npermissions: write-all\n", "", ["the workflow grants the token write-all"]),
        ("on:\n  workflow_call:\n", "", []),
    ],
    ids=["none set", "read at the top", "set on the job", "write-all", "reusable workflow"],
)
def test_token_permissions(tmp_path: Path, head: str, job_extra: str, expected: list[str]) -> None:
    repo = make_repo(tmp_path, {_WORKFLOW: _workflow("      - run: pytest\n", head=head, job_extra=job_extra)})
    assert _messages(repo, "CI007") == expected


_HEAD_CHECKOUT = (
    "      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n"
    "      - run: pytest\n"
)


@pytest.mark.parametrize(
    ("head", "steps", "flagged"),
    [
        ("on: pull_request_target\n", _HEAD_CHECKOUT, True),
        ("on: pull_request\n", _HEAD_CHECKOUT, False),
        ("on: pull_request_target\n", "      - run: gh pr edit --add-label triage\n", False),
        ("on:\n  workflow_run:\n    workflows: [CI]\n",
         "      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.workflow_run.head_sha }}\n",
         True),
    ],
    ids=["pull_request_target checks out the head", "pull_request may", "labelling only",
         "workflow_run checks out the head"],
)
def test_privileged_workflow_checking_out_pr_code(tmp_path: Path, head: str, steps: str, flagged: bool) -> None:
    repo = make_repo(tmp_path, {_WORKFLOW: _workflow(steps, head=head)})
    messages = _messages(repo, "CI008")
    assert bool(messages) is flagged
    if flagged:
        assert messages[0].startswith("job tests checks out ${{ github.event.")


@pytest.mark.parametrize(
    ("paths", "missing"),
    [
        ("['backend/**', '.github/workflows/ci.yml']", []),
        ("['frontend/**']", ["paths filter 'frontend/**' matches no file in the repository"]),
        ("['**/setup.py', 'backend/*.toml', 'backend/', './backend/app/*.py']", []),
        ("['docs/*.md', 'Makefile']", ["paths filter 'docs/*.md' matches no file in the repository",
                                       "paths filter 'Makefile' matches no file in the repository"]),
        ("['!frontend/**', '${{ env.DIR }}/**']", []),
        ("['[unclosed', '../outside/**', '/abs/**']", []),
    ],
    ids=["folder and file present", "folder missing", "globs, star and folder", "folder and file missing",
         "negation and expression not judged", "hostile patterns"],
)
def test_paths_filters_must_match_a_file(tmp_path: Path, paths: str, missing: list[str]) -> None:
    head = f"on:\n  push:\n    paths: {paths}\n  pull_request:\n    paths-ignore: ['nowhere/**']\n"
    repo = make_repo(tmp_path, {
        _WORKFLOW: _workflow("      - run: echo ok\n", head=head),
        "backend/pyproject.toml": "[project]\nname = 'x'\n",
        "backend/app/main.py": "x = 1\n",
    })
    assert sorted(_messages(repo, "CI004")) == sorted(missing)
