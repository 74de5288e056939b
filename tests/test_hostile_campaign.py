"""One case of each class of the hostile-input campaign (issue 10), run through the real CLI.

``benchmarks/hostile.py`` runs all of them; these are the representatives, picked to be quick
once gonogo handles them: each builds its tree in a temporary folder, runs ``python -m gonogo.cli``
under the campaign's 30 s timeout, and must show no crash, no hang, no leaked secret, no change to
the tree, no NO-GO tree made better, no broken file left unnamed, no injected escape or title,
no scan refused for a broken file of the scanned project, and no command the scanned repository
planted (a git hook or filter) run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.hostile_cases import Case, all_cases, describe, remove_tree, run_case

REPRESENTATIVES = {
    "malformed manifest": "pyproject.toml invalid UTF-8",
    "type-confused manifest": "Pipfile.lock default is a list",
    "huge manifest": "Pipfile with 100,000 packages",
    "deep nesting": "pyproject nested 50,000 deep",
    "yaml bomb": "compose recursive merge",
    "special file": "FIFO named .gitignore",
    "symlink": "pyproject symlink out of root",
    "unreadable": "unreadable folder",
    "file name": "file name with rich markup",
    "command line": "missing path with markup on the command line",
    "config": "config key holding markup",
    "gitignore": "catastrophic .gitignore pattern",
    "planted secret": "IMG005 ADD URL with a password",
    "advisory archive": "zip with corrupted deflate data",
    "sast abort": "ruff-aborting 200,000-term expression",
    "process": "scans killed mid-way, then a scan",
    "git config": "clean filter on every file",
    "backtracking": "Dockerfile FROM line full of #",
}
_BY_NAME = {case.name: case for case in all_cases()}


def test_every_class_of_the_campaign_has_a_representative() -> None:
    groups = {case.group for case in all_cases()}
    assert groups == set(REPRESENTATIVES), f"classes with no case here: {sorted(groups - set(REPRESENTATIVES))}"
    assert len(_BY_NAME) >= 150, f"the campaign has {len(_BY_NAME)} cases; issue 10 asks for at least 150"


@pytest.mark.parametrize("case", [_BY_NAME[name] for name in REPRESENTATIVES.values()], ids=list(REPRESENTATIVES))
def test_hostile_case_is_handled(case: Case, tmp_path: Path) -> None:
    workdir = tmp_path / "case"
    workdir.mkdir()
    try:
        outcome = run_case(case, workdir)
    finally:
        remove_tree(workdir)
    assert not outcome.problems, f"{case.group} / {case.name!r} (exit {outcome.exit_codes}): {describe(outcome)}"
