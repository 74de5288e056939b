"""One repository's scan: what a Dask worker runs for each source of a fleet.

The task checks the source out in a scratch folder of the worker, loads *that repository's* own
configuration (with the command line's overrides on top, as ``gonogo check`` does), and runs the
same ``gonogo.api.scan``. It returns the rendered reports and the findings' fingerprints, never
writes anything: where results go is the client's business, so a worker needs no access to the
report folder or the history database. Every failure becomes an outcome with its reason; a task
only raises for a bug in this module, which the runner reports the same way.
"""

from __future__ import annotations

import enum
import hashlib
import json
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gonogo import __version__
from gonogo.api import NothingToScan, scan
from gonogo.config import Config, ConfigError, load_project_config
from gonogo.fleet.checkout import CheckoutError, checkout
from gonogo.fleet.sources import Source
from gonogo.history.provenance import Provenance, provenance_of
from gonogo.model import Report
from gonogo.options import ScanOptions
from gonogo.redaction import redact
from gonogo.reporters import json_report, markdown
from gonogo.reporters.text import terminal_text

STARTED_TOPIC = "gonogo-fleet-started"
"""The Dask event a task logs as it starts, so the client times it from then, not from submission."""
RESULT_OPTIONS = (
    "online_vulns", "outdated", "osv_api_url", "pypi_url", "run_tests", "python", "test_timeout",
    "probe", "services", "baseline", "ignore_baseline",
)
"""The scan options that can change a report (the cache, the jobs and the progress callback cannot)."""

Scanner = Callable[[Path, Config, ScanOptions], Report]


class Status(enum.StrEnum):
    SCANNED = "scanned"
    SKIPPED = "skipped"
    """``--resume``: this commit was scanned with this configuration already."""
    FAILED = "failed"
    TIMED_OUT = "timed out"


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetSettings:
    """What every task of one fleet run shares; shipped to the workers with each task."""

    run_id: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    """``select``, ``ignore``, ``profile`` from the command line, over each repository's config."""
    options: ScanOptions = field(default_factory=ScanOptions)
    task_timeout: float = 600.0
    scratch: str | None = None
    """Where workers clone (``None``: their temporary folder)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportPayload:
    json_text: str
    """``report.json`` as ``gonogo check`` writes it."""
    markdown: str
    fingerprints: tuple[str, ...]
    """One per finding of ``json_text``, in its order: the history stores them with the report."""
    valid_days: int | None = None
    """The repository's ``valid_days`` setting, for the history's ``valid_until``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RepoOutcome:
    name: str
    slug: str
    shown: str
    status: Status
    reason: str | None = None
    provenance: Provenance | None = None
    config_digest: str | None = None
    decision: str | None = None
    failing_gates: tuple[str, ...] = ()
    blocking_failed: tuple[str, ...] = ()
    active_findings: int | None = None
    seconds: float = 0.0
    worker: str | None = None
    payload: ReportPayload | None = None

    @property
    def resume_key(self) -> str | None:
        return resume_key(self.provenance, self.config_digest)


def resume_key(provenance: Provenance | None, digest: str | None) -> str | None:
    """What ``--resume`` matches: the repository, its commit and the configuration's digest. A tree
    with uncommitted changes, or outside git, has no key: it is always scanned again."""
    if provenance is None or digest is None or not provenance.commit or provenance.dirty is not False:
        return None
    return f"{provenance.identity}\0{provenance.commit}\0{digest}"


def config_digest(config: Config, options: ScanOptions) -> str:
    """A hash of everything that decides what a scan of a commit reports: gonogo's version, the
    effective configuration and the options that change results."""
    data = {
        "tool_version": __version__,
        "config": config.model_dump(mode="json"),
        "options": {name: getattr(options, name) for name in RESULT_OPTIONS},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def default_scanner(root: Path, config: Config, options: ScanOptions) -> Report:
    return scan([root], config=config, options=options)


def scan_source(
    source: Source, settings: FleetSettings, done: frozenset[str] = frozenset(), scanner: Scanner = default_scanner
) -> RepoOutcome:
    """Check out, scan and render one repository; never raises for a problem of the repository."""
    started = time.monotonic()
    worker = _announce(source, settings.run_id)
    base = RepoOutcome(name=source.name, slug=source.slug, shown=source.shown, status=Status.FAILED, worker=worker)
    try:
        with tempfile.TemporaryDirectory(prefix="gonogo-fleet-", dir=settings.scratch) as scratch:
            root = checkout(source, Path(scratch) / source.slug, settings.task_timeout)
            outcome = _scan(root, base, settings, done, scanner)
    except CheckoutError as exc:
        outcome = _failed(base, str(exc))
    except ConfigError as exc:
        outcome = _failed(base, f"configuration error: {_masked(str(exc), source)}")
    except NothingToScan as exc:
        outcome = _failed(base, _masked(str(exc), source))
    except Exception as exc:  # a bug in a collector's caller or here: reported, and the fleet goes on
        outcome = _failed(base, f"{type(exc).__name__}: {_masked(str(exc), source)}")
    return _timed(outcome, started)


def _scan(
    root: Path, base: RepoOutcome, settings: FleetSettings, done: frozenset[str], scanner: Scanner
) -> RepoOutcome:
    config = load_project_config(root, dict(settings.overrides))
    provenance = provenance_of(root)
    digest = config_digest(config, settings.options)
    known = replace(base, provenance=provenance, config_digest=digest)
    if resume_key(provenance, digest) in done:
        return replace(known, status=Status.SKIPPED, reason="this commit was scanned with this configuration")
    report = scanner(root, config, settings.options)
    data = json_report.report_to_dict(report)  # each finding carries the engine's fingerprint
    return replace(
        known,
        status=Status.SCANNED,
        **verdict_of(data),
        payload=ReportPayload(
            json_text=json_report.render(report),
            markdown=markdown.render(report),
            fingerprints=tuple(f["fingerprint"] for f in data["findings"]),
            valid_days=config.valid_days,
        ),
    )


def verdict_of(report: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of an outcome a JSON report gives: decision, failing gates, active findings."""
    gates = [g for g in report.get("gates") or () if isinstance(g, dict)]
    summary = report.get("summary")
    active = summary.get("active_findings") if isinstance(summary, dict) else None
    return {
        "decision": str(report.get("decision") or "") or None,
        "failing_gates": tuple(str(g.get("name")) for g in gates if g.get("status") == "fail"),
        "blocking_failed": tuple(str(g.get("name")) for g in gates if g.get("status") == "fail" and g.get("blocking")),
        "active_findings": active if isinstance(active, int) else None,
    }


def _announce(source: Source, run_id: str) -> str | None:
    """Tell the client this task runs now, and where (so a hung task's worker can be restarted).
    Outside a Dask worker (a scan run in one process) there is no one to tell."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return None
    worker.log_event(STARTED_TOPIC, {"run": run_id, "slug": source.slug, "worker": worker.address})
    return str(worker.address)


def _masked(text: str, source: Source) -> str:
    return terminal_text(redact(text.replace(source.location, source.shown)))[:600]


def _failed(base: RepoOutcome, reason: str) -> RepoOutcome:
    return replace(base, status=Status.FAILED, reason=reason)


def _timed(outcome: RepoOutcome, started: float) -> RepoOutcome:
    return replace(outcome, seconds=round(time.monotonic() - started, 3))


