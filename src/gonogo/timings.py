"""Where a scan's time goes: seconds per stage and per collector, for ``--verbose`` and the report.

A scan that feels slow must say why without a profiler. Each collector is timed on its own work
(the facts it needs are built, and timed, before it starts), and belongs to one stage a user can
name: reading the Python files, SAST, secrets, manifests, vulnerabilities; everything else is
"other facts", and running the checks themselves is "checks". Starting a collector also tells the
progress display which stage the scan is in, so it never sits unlabelled.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from gonogo.options import ScanOptions

READING, SAST, SECRETS, MANIFESTS, VULNERABILITIES = "reading", "SAST", "secrets", "manifests", "vulnerabilities"
OTHER_FACTS, CHECKS, REPORTS = "other facts", "checks", "reports"
STAGE_OF_COLLECTOR = {
    "python": READING,
    "sast": SAST,
    "secrets": SECRETS,
    "manifests": MANIFESTS,
    "vulnerabilities": VULNERABILITIES,
    "outdated": VULNERABILITIES,
}
STAGE_LABELS = {
    READING: "reading Python files",
    SAST: "SAST (ruff and the per-file rules)",
    SECRETS: "secrets",
    MANIFESTS: "manifests",
    VULNERABILITIES: "vulnerabilities",
    OTHER_FACTS: "other facts",
    CHECKS: "checks",
    REPORTS: "reports",
}
"""What the progress display calls each stage."""


def stage_of(collector: str) -> str:
    return STAGE_OF_COLLECTOR.get(collector, OTHER_FACTS)


def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(stage, stage)


class StageClock:
    """Accumulates seconds by collector and by stage over one scan."""

    def __init__(self, options: ScanOptions | None = None) -> None:
        self._options = options
        self.collectors: dict[str, float] = {}
        self.stages: dict[str, float] = {}

    @contextmanager
    def collector(self, name: str) -> Iterator[None]:
        """Time one collector's own work, under its stage, announcing the stage first."""
        stage = stage_of(name)
        if self._options is not None:
            self._options.report_progress(stage, 0, 0)
        with self.stage(stage) as _:
            started = time.perf_counter()
            try:
                yield
            finally:
                self.collectors[name] = self.collectors.get(name, 0.0) + time.perf_counter() - started

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - started

    def checks(self, seconds_with_facts: float) -> None:
        """The checks' own time: the time spent running them less the facts they built."""
        self.stages[CHECKS] = max(0.0, seconds_with_facts - sum(self.collectors.values()))

    def as_evidence(self) -> dict[str, dict[str, float]]:
        """Rounded to milliseconds, each table sorted by name: the report's ``evidence.timings``."""
        return {
            "stages": {name: round(seconds, 3) for name, seconds in sorted(self.stages.items())},
            "collectors": {name: round(seconds, 3) for name, seconds in sorted(self.collectors.items())},
        }


def format_timings(timings: dict[str, dict[str, float]]) -> list[str]:
    """Lines for ``--verbose``: stages, slowest first, then collectors."""
    lines = ["seconds by stage:"]
    lines += [f"  {s:8.2f}  {n}" for n, s in sorted(timings.get("stages", {}).items(), key=lambda i: -i[1])]
    lines.append("seconds by collector:")
    lines += [f"  {s:8.2f}  {n}" for n, s in sorted(timings.get("collectors", {}).items(), key=lambda i: -i[1])]
    return lines
