"""CI checks: a CI configuration exists, it runs the tests, and the actions it runs are pinned."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gonogo.collectors.ci import CiFacts, Command
from gonogo.collectors.ci_scripts import shell_segments
from gonogo.model import Category, Severity
from gonogo.registry import CheckOutput, Metric, NotApplicable, check, fail

_TEST_COMMAND = re.compile(
    r"\b(pytest|py\.test|tox|nox|unittest|manage\.py\s+test|hatch\s+(run\s+\S*)?test|"
    r"make\s+(test|check)|(npm|yarn|pnpm|bun)\s+(run\s+)?test|go\s+test|cargo\s+test|mvn\s+\S*\s*test|"
    r"gradle\S*\s+test|coverage\s+run|bats|phpunit|rspec|ctest|dotnet\s+test|deno\s+test|"
    r"playwright\s+test|vitest|jest|mocha|cypress\s+run|karma\s+start|behave)(?![-\w./])"
)
"""Test runners, by the command that starts them; ``uv run``/``poetry run``/``npx``/``bunx`` and
``python -m`` prefixes need no entry of their own. A runner's name followed by ``-``, ``.`` or
``/`` (``pytest-results``, ``tox.ini``, ``jest.config.js``) names a file or an artifact, not a run."""
_NOT_A_RUN = re.compile(
    r"^\s*(\S*/)?(pip3?|uv\s+pip|uv|poetry|pipenv|pdm|npm|pnpm|yarn|bun|apt(-get)?|brew|conda|gem|cargo)"
    r"\s+(install|add|i|ci|sync|remove|uninstall)\b|^\s*(echo|printf)\b"
)
"""Installing a test runner, or printing its name, is not running it."""
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
_FIRST_PARTY = ("actions/", "github/")


@check("CI001", "A CI configuration exists", category=Category.CI, severity=Severity.MEDIUM)
def ci_present(ci: CiFacts) -> Iterator[CheckOutput]:
    """Why: without CI, nothing shows that the commit being released builds and passes its tests
    anywhere but on one developer's machine.
    Fix: add a workflow (``.github/workflows/ci.yml``, ``.gitlab-ci.yml``...) that installs the
    project and runs its tests on every push."""
    yield Metric(name="ci.present", value=1.0 if ci.files else 0.0)
    if not ci.files:
        yield fail("no CI configuration found (GitHub Actions, GitLab CI, CircleCI, Jenkins...)", key="missing")
    for item in ci.files:
        if item.error:
            line, reason = item.error
            yield fail(
                f"{item.file.display} does not parse: {reason}",
                at=item.file.at(line),
                severity=Severity.HIGH,
                key=item.file.display,
            )


@check("CI002", "CI runs the tests", category=Category.CI, severity=Severity.HIGH)
def ci_runs_tests(ci: CiFacts) -> Iterator[CheckOutput]:
    """Why: a CI that builds but never tests turns green for broken code. A step counts when it
    starts a known test runner itself or through the repository's scripts it calls (shell scripts,
    ``make`` targets, ``package.json`` scripts, followed a few levels deep, never run); installing a
    runner is not running it.
    Fix: add a step that runs the test suite (``pytest``, ``tox``, ``npm test``...)."""
    if not ci.files:
        raise NotApplicable("no CI configuration (CI001)")
    runs = [(f, c) for f in ci.files for c in f.commands if _runs_tests(c)]
    if not runs:
        first = ci.files[0]
        yield fail(
            f"none of {len(ci.files)} CI file(s) runs a test command",
            at=first.file.at(None),
            key="no-tests",
            evidence=", ".join(f.file.display for f in ci.files),
        )


def _runs_tests(command: Command) -> bool:
    texts = (command.text, *(line.text for line in command.reaches))
    return any(_is_test_run(segment) for text in texts for segment in shell_segments(text))


def _is_test_run(segment: str) -> bool:
    return bool(_TEST_COMMAND.search(segment)) and not _NOT_A_RUN.search(segment)


@check("CI003", "GitHub Actions are pinned to a full commit SHA", category=Category.CI, severity=Severity.MEDIUM)
def actions_pinned(ci: CiFacts) -> Iterator[CheckOutput]:
    """Why: a tag (``@v4``) can be moved by whoever controls the action's repository, so the code
    your workflow runs, with your secrets, can change without a commit of yours.
    Fix: pin each action to the full 40-character commit SHA, with the tag in a comment
    (``uses: owner/action@<sha> # v4.1.1``); GitHub's own ``actions/*`` are a lower risk."""
    uses = [(f, u) for f in ci.files for u in f.uses]
    if not uses:
        raise NotApplicable("no GitHub Actions used")
    for item, use in uses:
        if use.action.startswith(("./", "docker://")):
            continue
        if use.ref and _FULL_SHA.match(use.ref):
            continue
        first_party = use.action.startswith(_FIRST_PARTY)
        yield fail(
            f"{use.action}@{use.ref or '(no ref)'} is not pinned to a commit SHA",
            at=item.file.at(use.line),
            severity=Severity.LOW if first_party else None,
            key=f"{use.action}@{use.ref}",
        )
