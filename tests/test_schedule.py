"""The plan a manager schedules: effort classes by rule, owners (CODEOWNERS, else git log), whether
an action blocks GO, and waves from one dependency rule per kind of change."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gonogo.model import Action, Category, CheckResult, Effort, Finding, Location, Outcome, Priority, Severity
from gonogo.owners import load_authors
from gonogo.plan import build_plan
from gonogo.schedule import RULES, effort_of, in_waves
from gonogo.workspace import Workspace
from tests.helpers import make_repo, scan_repo


def finding(check_id: str, path: str, line: int | None = None) -> Finding:
    return Finding(check_id=check_id, severity=Severity.MEDIUM, message="m", location=Location(path=path, line=line))


def action(check_id: str, *paths: str) -> Action:
    return Action(priority=Priority.P2, title=check_id, check_ids=(check_id,),
                  findings=tuple(finding(check_id, p, 1) for p in paths), verify="")


@pytest.mark.parametrize(
    ("category", "places", "effort"),
    [
        (Category.CONTAINERS, 5, Effort.S),
        (Category.CONTAINERS, 6, Effort.M),
        (Category.DEPENDENCIES, 31, Effort.L),
        (Category.CODE, 2, Effort.S),
        (Category.CODE, 3, Effort.M),
        (Category.SECURITY, 11, Effort.L),
    ],
    ids=["5 pins is small", "6 pins is medium", "31 manifest edits is large", "2 code places is small",
         "3 code places is medium", "11 code places is large"],
)
def test_effort_counts_places_and_weighs_code_above_configuration(category: Category, places: int,
                                                                  effort: Effort) -> None:
    findings = [finding("X001", f"f{i}.py", i) for i in range(places)]
    got, rule = effort_of(category, findings)
    assert got is effort
    assert rule.startswith(f"{places} places")


@pytest.mark.parametrize(("path", "effort"), [("backend/app/websocket.py", Effort.M), ("docs/runbook.md", Effort.S)],
                         ids=["a missing module is code", "a missing document is a file to add"])
def test_a_missing_deliverable_is_code_when_it_is_a_python_file(path: str, effort: Effort) -> None:
    findings = [finding("DLV001", path, None), finding("DLV001", f"other/{path}", None),
                finding("DLV001", f"third/{path}", None)]
    assert effort_of(Category.DELIVERABLES, findings)[0] is effort


def test_effort_counts_one_place_once_however_many_findings_it_has() -> None:
    got, rule = effort_of(Category.CODE, [finding("X001", "a.py", 3)] * 4)
    assert got is Effort.S and rule.startswith("1 place,")


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        (action("CODE001", "app/service.py"), action("TEST001", "tests/test_service.py")),
        (action("VULN001", "requirements.txt"), action("RUN001", "tests/test_api.py")),
        (action("IMG001", "docker-compose.yml"), action("OPS010", "docker-compose.yml")),
    ],
    ids=["stub before the skip that hides it", "upgrade before re-running the tests",
         "pin before the healthcheck that uses the image"],
)
def test_each_dependency_rule_puts_the_later_action_one_wave_after(earlier: Action, later: Action) -> None:
    first, second = in_waves([later, earlier])
    assert (first.wave, second.wave) == (2, 1)
    assert len(first.after) == 1 and first.after[0] in {rule.kind for rule in RULES}


def test_the_image_rule_needs_a_shared_file() -> None:
    waves = in_waves([action("OPS010", "docker-compose.yml"), action("IMG001", "other/Dockerfile")])
    assert [a.wave for a in waves] == [1, 1]


def test_the_stub_rule_leaves_conditional_skips_in_the_first_wave() -> None:
    conditional = Action(priority=Priority.P2, title="run skips", check_ids=("TEST001",), verify="", findings=(
        Finding(check_id="TEST001", severity=Severity.HIGH, message="skipif", data=(("condition", "win32"),)),))
    waves = in_waves([conditional, action("CODE001", "app/service.py")])
    assert [a.wave for a in waves] == [1, 1]


def test_waves_follow_chains_of_dependencies() -> None:
    # the upgrade and the stub both precede what the test run then checks
    plan = in_waves([action("RUN001", "t.py"), action("TEST001", "t.py"), action("CODE001", "a.py"),
                     action("VULN001", "req.txt")])
    assert [a.wave for a in plan] == [2, 2, 1, 1]


def _commit(root: Path, author: str, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)
    subprocess.run(["git", "-C", str(root), "add", path], check=True)
    subprocess.run(["git", "-C", str(root), "-c", f"user.name={author}", "-c", "user.email=a@example.com",
                    "commit", "-qm", f"change {path}"], check=True)


def test_the_most_frequent_recent_author_of_an_actions_files_owns_it(tmp_path: Path) -> None:
    make_repo(tmp_path, {"README.md": "x\n"}, git=True)
    _commit(tmp_path, "Ada", "app/a.py", "a = 1\n")
    _commit(tmp_path, "Ada", "app/a.py", "a = 2\n")
    _commit(tmp_path, "Bob", "app/a.py", "a = 3\n")
    _commit(tmp_path, "Bob", "app/b.py", "b = 1\n")
    authors = load_authors(Workspace.open([tmp_path]))
    assert authors is not None
    assert authors(["app/a.py"]) == "Ada"
    assert authors(["app/b.py"]) == "Bob"
    # Ada 2 + 0, Bob 1 + 1: a tie goes to the name first in order, so one history names one person
    assert authors(["app/a.py", "app/b.py"]) == "Ada"
    assert authors(["never/committed.py"]) is None


def test_outside_git_nobody_is_named_from_history(tmp_path: Path) -> None:
    make_repo(tmp_path, {"a.py": "x = 1\n"})
    assert load_authors(Workspace.open([tmp_path])) is None


def test_codeowners_wins_over_git_log_and_each_says_where_it_came_from() -> None:
    def stubs(path: str) -> CheckResult:
        return CheckResult(check_id="CODE001", title="No stubs", category=Category.CODE, severity=Severity.MEDIUM,
                           outcome=Outcome.FAIL, score=8.0, findings=(finding("CODE001", path, 3),))

    def codeowners(path: str) -> str | None:
        return "@team-owned" if path.startswith("owned/") else None

    def authors(paths: object) -> str | None:
        return "Ada"

    owned, free = (build_plan([stubs(path)], [], ".", owners=codeowners, authors=authors)[0]
                   for path in ("owned/a.py", "free/b.py"))
    assert (owned.owner, owned.owner_source) == ("@team-owned", "CODEOWNERS")
    assert (free.owner, free.owner_source) == ("Ada", "git log")


def test_an_action_that_moves_a_failing_blocking_condition_blocks_go_and_is_p0(tmp_path: Path) -> None:
    make_repo(tmp_path, {
        "tests/test_a.py": "import pytest\n\n@pytest.mark.skip\ndef test_a():\n    assert 1 == 2\n",
    })
    report = scan_repo(tmp_path, "TEST")
    skips = next(a for a in report.plan if a.check_ids == ("TEST001",))
    assert skips.blocks_go and skips.priority is Priority.P0
    assert all(not a.blocks_go for a in report.plan if a.priority is not Priority.P0)
