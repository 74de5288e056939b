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
    reuse: bool = True
    """Give the last report when no input changed since it was made (``gonogo.scan_memo``);
    ``False`` runs every check again, on cached facts, and keeps the new report for the next scan."""
    cache_dir: str | None = None
    today: date = field(default_factory=date.today)
    progress: ProgressCallback | None = None
    vulndb_path: str | None = None
    """The vulnerability index to use (``None``: the user cache's; the CLI reads GONOGO_VULNDB)."""
    online_vulns: bool = False
    """Ask the OSV API for the freshest advisories instead of the local index (network)."""
    outdated: bool = False
    """Compare pins with the latest releases on PyPI (VULN003; network)."""
    osv_api_url: str = "https://api.osv.dev"
    pypi_url: str = "https://pypi.org"
    run_tests: bool = False
    """Run the repository's pytest suite (executes its code; RUN checks)."""
    python: str | None = None
    """The interpreter that runs the suite and the import smoke (``None``: the one on PATH)."""
    import_smoke: bool = False
    """Import every module of the repository's packages with ``python`` (executes its code; RUN006)."""
    test_timeout: float = 900.0
    """Seconds before the suite's process group is killed; the timeout is reported as evidence."""
    probe: bool = False
    """Probe the declared services: health, OpenAPI smoke, load (SVC checks)."""
    services: tuple[str, ...] = ()
    """Extra services as ``NAME=URL`` from the command line, added to the config's."""
    baseline: str | None = None
    """A baseline file to judge against (``None``: ``.gonogo-baseline.json`` at the root, if any)."""
    ignore_baseline: bool = False
    """Judge every finding as new, even with a baseline file present."""

    def report_progress(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)
