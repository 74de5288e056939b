"""Metrics measured over several checks' results at once (``@tally``), after waivers and marks."""

from __future__ import annotations

from collections.abc import Sequence

from gonogo.model import CheckResult
from gonogo.registry import TallySpec


def measure_tallies(tallies: Sequence[TallySpec], results: Sequence[CheckResult]) -> dict[str, float | None]:
    """Each tally over the results of its source checks; a tally none of whose sources ran is
    not called, so its metrics stay absent rather than zero."""
    metrics: dict[str, float | None] = {}
    for spec in tallies:
        sources = [r for r in results if spec.feeds(r.check_id)]
        if sources:
            metrics.update(spec.func(sources))
    return metrics
