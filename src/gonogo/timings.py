"""Where a scan's time goes: seconds per stage and per collector, for ``--verbose`` and the report.

A scan that feels slow must say why without a profiler. Each collector is timed on its own work
(the facts it needs are built, and timed, before it starts), and belongs to one stage a user can
name: reading the Python files, SAST, secrets, manifests, vulnerabilities; everything else is
"other facts", and running the checks themselves is "checks". Starting a collector also tells the
progress display which stage the scan is in, so it never sits unlabelled.

A background collector (``registry.background``: ruff, the secrets pass) runs in a thread while other stages go on: its
collector's time is its own wall time in that thread, and its stage's time is the wall time during
which any of the stage's work ran or the scan waited for it, each moment counted once. Stages may
therefore overlap, and their seconds add up to more than the scan's.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from gonogo.options import ScanOptions

READING, SAST, SECRETS, MANIFESTS, VULNERABILITIES = "reading", "SAST", "secrets", "manifests", "vulnerabilities"
OTHER_FACTS, CHECKS, REPORTS = "other facts", "checks", "reports"
REUSED = "reused"
STAGE_OF_COLLECTOR = {
    "python": READING,
    "ruff": SAST,
    "sast": SAST,
    "secrets": SECRETS,
    "secret_lookup": SECRETS,
    "secret_scan": SECRETS,
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
    REUSED: "reused the last report (no input changed)",
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
        self._spans: dict[str, list[tuple[float, float]]] = {}
        self._foreground = 0.0
        """Seconds of collectors' work and of waits for background ones, in the scan's thread."""
        self._checks: float | None = None

    @property
    def stages(self) -> dict[str, float]:
        """Seconds by stage: the wall time covered by its work, each moment counted once."""
        found = {name: _covered(spans) for name, spans in self._spans.items()}
        if self._checks is not None:
            found[CHECKS] = self._checks
        return found

    @contextmanager
    def collector(self, name: str) -> Iterator[None]:
        """Time one collector's own work, under its stage, announcing the stage first."""
        with self._foreground_work(name) as started:
            try:
                yield
            finally:
                self.collectors[name] = self.collectors.get(name, 0.0) + time.perf_counter() - started

    @contextmanager
    def waiting(self, name: str) -> Iterator[None]:
        """Time the scan spends waiting for background collector ``name``: its stage's time, not
        the checks' (the collector's own time is its time in its thread, see :meth:`background`)."""
        with self._foreground_work(name):
            yield

    def background(self, name: str, started: float, ended: float) -> None:
        """Record the time background collector ``name`` ran in its thread (``perf_counter``s)."""
        if ended > started:
            self.collectors[name] = self.collectors.get(name, 0.0) + ended - started
            self._spans.setdefault(stage_of(name), []).append((started, ended))

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self._spans.setdefault(name, []).append((started, time.perf_counter()))

    def checks(self, seconds_with_facts: float) -> None:
        """The checks' own time: the time spent running them less the facts they built (or waited for)."""
        self._checks = max(0.0, seconds_with_facts - self._foreground)

    def reused(self, started: float) -> None:
        """The scan gave an earlier scan's report (``gonogo.scan_memo``): its stage ``reused``
        is the time from ``started`` to now, so ``--verbose`` says why the scan took no time."""
        self._spans.setdefault(REUSED, []).append((started, time.perf_counter()))

    def as_evidence(self) -> dict[str, dict[str, float]]:
        """Rounded to milliseconds, each table sorted by name: the report's ``evidence.timings``."""
        return {
            "stages": {name: round(seconds, 3) for name, seconds in sorted(self.stages.items())},
            "collectors": {name: round(seconds, 3) for name, seconds in sorted(self.collectors.items())},
        }

    @contextmanager
    def _foreground_work(self, name: str) -> Iterator[float]:
        stage = stage_of(name)
        if self._options is not None:
            self._options.report_progress(stage, 0, 0)
        with self.stage(stage):
            started = time.perf_counter()
            try:
                yield started
            finally:
                self._foreground += time.perf_counter() - started


def _covered(spans: list[tuple[float, float]]) -> float:
    """The length of the union of the (start, end) spans."""
    total, reached = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > reached:
            total += end - max(start, reached)
            reached = end
    return total


def format_timings(timings: dict[str, dict[str, float]]) -> list[str]:
    """Lines for ``--verbose``: stages, slowest first, then collectors (none ran when the report
    was reused: the stage ``reused`` says so in words)."""
    lines = ["seconds by stage (a stage in the background overlaps others):"]
    lines += [f"  {s:8.2f}  {n}" for n, s in sorted(timings.get("stages", {}).items(), key=lambda i: -i[1])]
    collectors = timings.get("collectors", {})
    if REUSED in timings.get("stages", {}) and not collectors:
        lines.append(f"no collector ran: {stage_label(REUSED)}")
        return lines
    lines.append("seconds by collector:")
    lines += [f"  {s:8.2f}  {n}" for n, s in sorted(collectors.items(), key=lambda i: -i[1])]
    return lines
