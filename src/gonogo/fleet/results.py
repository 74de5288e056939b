"""Where a fleet's outcomes go, and how ``--resume`` finds what was scanned already.

Both sinks are written by the client, one outcome at a time as tasks finish, so workers need no
access to either and a fleet stopped half-way keeps everything finished before it:

- a folder of reports: ``<output>/<repository>/report.json``, ``report.md`` and ``outcome.json``
  (status, commit, configuration digest, decision, or the reason it was not scanned);
- the run history (``--history URL``): each scanned repository recorded like a ``gonogo check``
  run, with the findings' fingerprints and the configuration digest.

``--resume`` reads the keys (repository, commit, configuration digest) back from either; a task
whose key is among them returns at once as *skipped*, and its earlier verdict is read back here
so the fleet's summary still covers it.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gonogo.atomic import write_atomically
from gonogo.fleet.task import RepoOutcome, Status, verdict_of
from gonogo.history.provenance import Provenance
from gonogo.history.validity import valid_until
from gonogo.reporters.text import writable
from gonogo.safe_read import FileReadError, read_regular_file

if TYPE_CHECKING:
    from gonogo.history.store import History

OUTCOME_FILE = "outcome.json"
REPORT_FILES = ("report.json", "report.md")
MAX_OUTCOME_BYTES = 1024 * 1024


class ReportFolder:
    """One subfolder per repository under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, outcome: RepoOutcome) -> None:
        """Write a finished repository's files. A skipped one keeps its earlier files; a failed one
        loses its earlier reports, which would otherwise pass for this run's."""
        if outcome.status is Status.SKIPPED:
            return
        target = self.folder / outcome.slug
        target.mkdir(parents=True, exist_ok=True)
        if outcome.payload is not None:
            write_atomically(target / "report.json", writable(outcome.payload.json_text))
            write_atomically(target / "report.md", writable(outcome.payload.markdown))
        else:
            for name in REPORT_FILES:
                with contextlib.suppress(FileNotFoundError):
                    (target / name).unlink()
        text = json.dumps(outcome_to_dict(outcome), indent=2, ensure_ascii=False) + "\n"
        write_atomically(target / OUTCOME_FILE, text)

    def scanned(self) -> dict[str, RepoOutcome]:
        """The earlier outcomes in the folder that ``--resume`` may reuse, by resume key."""
        found: dict[str, RepoOutcome] = {}
        for outcome in self._earlier():
            key = outcome.resume_key if outcome.status is Status.SCANNED else None
            if key is not None:
                found[key] = outcome
        return found

    def durations(self) -> dict[str, float]:
        """Seconds each repository's last scan took, by folder: the fleet starts the longest first."""
        return {o.slug: o.seconds for o in self._earlier() if o.status is Status.SCANNED and o.seconds > 0}

    def _earlier(self) -> list[RepoOutcome]:
        if not self.folder.is_dir():
            return []
        read = (_read_outcome(path) for path in sorted(self.folder.glob(f"*/{OUTCOME_FILE}")))
        return [outcome for outcome in read if outcome is not None]


class HistorySink:
    """The run history, open for one fleet run."""

    def __init__(self, history: History) -> None:
        self.history = history

    def write(self, outcome: RepoOutcome) -> int | None:
        """Record a scanned repository; returns the run id."""
        if outcome.payload is None or outcome.provenance is None:
            return None
        data = json.loads(outcome.payload.json_text)
        for finding, fingerprint in zip(data.get("findings", []), outcome.payload.fingerprints, strict=True):
            finding["fingerprint"] = fingerprint
        scanned_at = datetime.now(UTC)
        until = valid_until(scanned_at, str(data.get("profile", "")), outcome.payload.valid_days)
        return self.history.record(data, outcome.provenance, scanned_at, until, config_digest=outcome.config_digest)

    def scanned(self) -> set[str]:
        return {f"{identity}\0{commit}\0{digest}" for identity, commit, digest in self.history.scanned()}

    def earlier(self, outcome: RepoOutcome) -> RepoOutcome:
        """A skipped outcome with the verdict of the run it matched."""
        provenance = outcome.provenance
        if provenance is None or not provenance.commit or outcome.config_digest is None:
            return outcome
        run = self.history.run_for(provenance.identity, provenance.commit, outcome.config_digest)
        return outcome if run is None else replace(outcome, **verdict_of(run.report))


def with_earlier_verdict(
    outcome: RepoOutcome, folder: dict[str, RepoOutcome], history: HistorySink | None
) -> RepoOutcome:
    """A skipped outcome completed with the decision it had when it was scanned."""
    if outcome.status is not Status.SKIPPED:
        return outcome
    earlier = folder.get(outcome.resume_key or "")
    if earlier is not None:
        return replace(
            outcome, decision=earlier.decision, failing_gates=earlier.failing_gates,
            blocking_failed=earlier.blocking_failed, active_findings=earlier.active_findings,
        )
    return history.earlier(outcome) if history is not None else outcome


def outcome_to_dict(outcome: RepoOutcome) -> dict[str, Any]:
    data = asdict(replace(outcome, payload=None))
    data.pop("payload")
    data["status"] = outcome.status.value
    data["failing_gates"] = list(outcome.failing_gates)
    data["blocking_failed"] = list(outcome.blocking_failed)
    return data


def _read_outcome(path: Path) -> RepoOutcome | None:
    """An ``outcome.json`` this module wrote, or ``None`` for anything else (edited, truncated)."""
    try:
        data = json.loads(read_regular_file(path, MAX_OUTCOME_BYTES).decode("utf-8"))
        provenance = data.get("provenance")
        return RepoOutcome(
            name=str(data["name"]),
            slug=str(data["slug"]),
            shown=str(data["shown"]),
            status=Status(data["status"]),
            reason=data.get("reason"),
            provenance=Provenance(**provenance) if isinstance(provenance, dict) else None,
            config_digest=data.get("config_digest"),
            decision=data.get("decision"),
            failing_gates=tuple(str(g) for g in data.get("failing_gates") or ()),
            blocking_failed=tuple(str(g) for g in data.get("blocking_failed") or ()),
            active_findings=data.get("active_findings"),
            seconds=float(data.get("seconds") or 0.0),
        )
    except (FileReadError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None

