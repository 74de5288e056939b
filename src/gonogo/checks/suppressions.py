"""Inline suppressions are accountable: each names what it silences and says why."""

from __future__ import annotations

from collections.abc import Iterator

from gonogo.collectors.suppressions import SuppressionFacts
from gonogo.model import Category, Location, Severity
from gonogo.registry import CheckOutput, NotApplicable, check, fail


@check("SEC099", "Every inline suppression names a check and gives a reason",
       category=Category.SECURITY, severity=Severity.MEDIUM, counts="suppressions.unexplained")
def unexplained_suppressions(suppressions: SuppressionFacts) -> Iterator[CheckOutput]:
    """Why: a suppression hides a finding from every gate; one without a reason cannot be
    reviewed, and nobody can tell later whether it still holds. Such a comment suppresses nothing.
    Fix: write ``# gonogo: ignore[SEC012] why this is safe here`` on the finding's line, or fix
    the finding and delete the comment."""
    if not suppressions.comments:
        raise NotApplicable("no inline suppressions")
    for comment in suppressions.comments:
        found = comment.suppression
        if not found.ids:
            problem = "names no check id (write ignore[ID])"
        elif not found.reason:
            problem = f"ignore[{','.join(found.ids)}] gives no reason"
        else:
            continue
        yield fail(
            f"suppression {problem}; it suppresses nothing",
            at=Location(path=comment.path, line=comment.line),
            key=",".join(found.ids),
        )
