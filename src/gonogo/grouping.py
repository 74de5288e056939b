"""How a check groups its findings into the plan's actions, and the words such titles use.

A check that wants its findings grouped its own way ("add boto3 to 5 requirements files") names a
grouping function in its decorator (``@check(..., plan=plan_undeclared)``). The function lives next
to the check, because it reads the data the check attached to its findings; the plan only calls
it. This module imports nothing but the model, so a check can use it without importing the plan:
data flows from checks to the plan, never back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from gonogo.model import Finding

Grouping = Iterable[tuple[str, Sequence[Finding]]]
"""(action title, the findings that action resolves) pairs."""

Planner = Callable[[Sequence[Finding]], Grouping]
"""A check's grouping function: its active findings in, actions' titles and findings out."""


def count_files(findings: Sequence[Finding]) -> int:
    return len({f.path for f in findings if f.path})


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"
