"""What one scan is asked to do beyond the config file: the command line's run-time switches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a long stage works."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanOptions:
    """Run-time switches. Everything active (running tests, probing) is off unless asked for."""

    jobs: int | None = None
    use_cache: bool = True
    cache_dir: str | None = None
    today: date = field(default_factory=date.today)
    progress: ProgressCallback | None = None

    def report_progress(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)
