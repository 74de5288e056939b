"""What a manager schedules with: each action's effort class (S, M, L) and the wave it belongs to.

**Effort** counts the places an action changes (distinct file and line locations, or findings
when they have none) and the kind of change: an edit to a manifest or configuration file (a pin,
a version, a declared dependency, a document) is quicker per place than a change to code (a stub
implemented, a query rewritten, a test made to pass). ``EFFORT_RULE`` states the bounds.

**Waves** order actions by dependency, one rule per kind (``RULES``): an action waits one wave
after every action a rule says must come first. The rules name check ids, so they hold for the
kind of change whatever the repository, not by a call path proven between the two (doing the
earlier one first is safe either way); the image rule also needs the two actions to share a file
(the image the healthcheck uses is named in that file), and the stub rule applies to skips that
are removed (unconditional), not to conditional ones, which stay and run where they hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from gonogo.model import Action, Category, Effort, Finding

CONFIG_CATEGORIES = frozenset({
    Category.DEPENDENCIES, Category.CONTAINERS, Category.CI, Category.VULNERABILITIES,
    Category.DOCS, Category.OPERATIONS,
})
"""Families whose fixes are edits to manifests, lock files, images, workflows or documents. A
missing deliverable (DLV) is code when it is a Python file, else a file or folder to add."""
CODE_SUFFIXES = (".py", ".pyi")

# (S up to, M up to) places, per kind of change; above the second bound it is L
BOUNDS = {"config": (5, 30), "code": (2, 10)}
EFFORT_RULE = (
    "effort counts the places an action changes: S is up to 5 places in manifests or configuration "
    "or up to 2 in code, M up to 30 or up to 10, L more"
)


def effort_of(category: Category, findings: Sequence[Finding]) -> tuple[Effort, str]:
    """The effort class of changing these findings' places, and the rule applied, in words."""
    places = len({(f.path, f.line) for f in findings if f.path}) or len(findings)
    kind = _kind(category, findings)
    small, medium = BOUNDS[kind]
    effort = Effort.S if places <= small else Effort.M if places <= medium else Effort.L
    words = "manifest or configuration edits" if kind == "config" else "code changes"
    return effort, f"{places} {'place' if places == 1 else 'places'}, {words}: {effort.value}"


def _kind(category: Category, findings: Sequence[Finding]) -> str:
    if category is Category.DELIVERABLES:
        return "code" if any((f.path or "").endswith(CODE_SUFFIXES) for f in findings) else "config"
    return "config" if category in CONFIG_CATEGORIES else "code"


@dataclass(frozen=True, slots=True, kw_only=True)
class DependencyRule:
    """Actions fixing ``after`` checks wait for actions fixing ``before`` checks."""

    kind: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    same_file: bool = False
    """Only when the two actions touch a common file."""
    only_if: Callable[[Action], bool] | None = None
    """Only for a later action of this shape (a skip to remove, not one to run elsewhere)."""


def _removes_a_skip(action: Action) -> bool:
    """An unconditional skip is removed; a conditional one stays and runs where its condition holds."""
    return any(f.get("condition") is None for f in action.findings)


RULES = (
    # a skip often hides a stub: remove the skip first and the suite fails on the stub
    DependencyRule(kind="implement the stub before removing the skip that hides it",
                   before=("CODE001",), after=("TEST001", "RUN004"), only_if=_removes_a_skip),
    # test results measured on the old version say nothing about the new one
    DependencyRule(kind="upgrade the package before re-running its tests",
                   before=("VULN001", "VULN003", "DEP004", "DEP006"), after=("RUN001", "RUN002", "RUN003")),
    # a healthcheck written against a floating tag tests an image nobody will run
    DependencyRule(kind="pin the image before the healthcheck that uses it",
                   before=("IMG001", "IMG002", "OPS007"), after=("OPS010", "IMG004"), same_file=True),
)


def depends(later: Action, earlier: Action, rule: DependencyRule) -> bool:
    """Does ``rule`` put ``later`` after ``earlier``?"""
    if not (any(c.startswith(rule.after) for c in later.check_ids)
            and any(c.startswith(rule.before) for c in earlier.check_ids)):
        return False
    if rule.only_if is not None and not rule.only_if(later):
        return False
    if not rule.same_file:
        return True
    return bool({f.path for f in later.findings if f.path} & {f.path for f in earlier.findings if f.path})


def in_waves(actions: Sequence[Action], rules: Sequence[DependencyRule] = RULES) -> tuple[Action, ...]:
    """``actions`` with their wave and the rules that delayed them; the order is kept. An action
    is in wave 1 when nothing must precede it, else one wave after the latest it depends on."""
    needs = {
        i: [(j, rule.kind) for j, earlier in enumerate(actions) if j != i for rule in rules
            if depends(later, earlier, rule)]
        for i, later in enumerate(actions)
    }
    wave = dict.fromkeys(range(len(actions)), 1)
    for _ in range(len(actions)):  # longest path; the rules have no cycle, the bound makes sure
        changed = False
        for i, deps in needs.items():
            want = max((wave[j] + 1 for j, _ in deps), default=1)
            if want != wave[i]:
                wave[i], changed = want, True
        if not changed:
            break
    return tuple(
        replace(a, wave=wave[i], after=tuple(sorted({kind for _, kind in needs[i]}))) for i, a in enumerate(actions)
    )
