"""A recorded run as a history gives it back, and the error every history operation raises.

Shared by the SQLAlchemy store (``store``) and the direct SQLite path ``gonogo check`` takes
(``sqlite_runs``); importable without SQLAlchemy, whose import alone is a quarter of a reused check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol

from gonogo.history.provenance import Provenance
from gonogo.reporters.json_text import sorted_dumps

SCHEMA_HEAD = "0005_summary_backfill"
"""The newest migration's revision; a test holds it equal to alembic's head of the migrations."""
SQLITE_BUSY_TIMEOUT_S = 30


class HistoryError(Exception):
    """The history could not be opened, read or written; the message names the database."""


class DamagedRunError(HistoryError):
    """One recorded run's stored report cannot be read (not JSON, not an object): the database
    answers, and the other runs are unaffected."""


@dataclass(frozen=True, kw_only=True)
class StoredRun:
    """One recorded run. Its JSON report is parsed when first read: listing the last runs for a
    trend or the previous run for "Since the last run" reads many rows of a large report each, and
    most callers read one report or none (not slotted, so ``report`` can be cached on it)."""

    id: int
    identity: str
    name: str
    scanned_at: datetime
    valid_until: datetime
    commit: str | None
    branch: str | None
    dirty: bool | None
    decision: str
    profile: str
    tool_version: str
    report_json: str | None
    """``None`` when the run was listed without its report (``History.runs(reports=False)``)."""
    summary_json: str | None = None

    @cached_property
    def report(self) -> dict[str, Any]:
        """The run's JSON report; ``HistoryError`` when what is stored is not a JSON object, or
        when the run was listed without it."""
        if self.report_json is None:
            raise HistoryError(f"run #{self.id} was listed without its report: read it with History.run")
        try:
            parsed = json.loads(self.report_json)
        except (ValueError, RecursionError) as exc:
            raise DamagedRunError(f"run #{self.id}: its stored report is not JSON ({type(exc).__name__})") from exc
        if not isinstance(parsed, dict):
            raise DamagedRunError(f"run #{self.id}: its stored report is not a JSON object")
        return parsed

    @property
    def readable_report(self) -> dict[str, Any]:
        """The report, or an empty one when it is damaged (:class:`DamagedRunError`): for a view
        over many runs, where one damaged run must not hide the others. A view of that run itself
        reads :attr:`report`, and says it is damaged."""
        try:
            return self.report
        except DamagedRunError:
            return {}

    @cached_property
    def summary(self) -> dict[str, Any]:
        """What a trend reads of the run (:func:`summary_of`), without parsing its whole report
        when the run was recorded with a summary. A summary that is not a JSON object (a shared
        history written by something else) is worked out from the report instead, or, when the run
        was listed without it, is the decision alone."""
        if self.summary_json is not None:
            try:
                parsed = json.loads(self.summary_json)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                return parsed
            if self.report_json is None:
                return {"decision": self.decision}
        return summary_of(self.report)


def summary_of(report: dict[str, Any]) -> dict[str, Any]:
    """The parts of a JSON report a trend reads: the decision, the overall score, the active
    findings and the score of each area."""
    certification = report.get("certification")
    summary = report.get("summary")
    return {
        "decision": report.get("decision"),
        "overall": certification.get("overall") if isinstance(certification, dict) else None,
        "active_findings": summary.get("active_findings") if isinstance(summary, dict) else None,
        "scores": report.get("scores") if isinstance(report.get("scores"), dict) else {},
    }


def run_columns(
    report: dict[str, Any], provenance: Provenance, scanned_at: datetime, valid_until: datetime,
    config_digest: str | None,
) -> dict[str, Any]:
    """The ``runs`` row of a report, besides its id and repository: what both ways of recording
    a run store."""
    return {
        "scanned_at": scanned_at,
        "valid_until": valid_until,
        "commit": provenance.commit,
        "branch": provenance.branch,
        "dirty": provenance.dirty,
        "decision": str(report.get("decision", "")),
        "profile": str(report.get("profile", "")),
        "tool_version": str(report.get("evidence", {}).get("tool_version", "")),
        "report": sorted_dumps(report),
        "config_digest": config_digest,
        "summary": json.dumps(summary_of(report), sort_keys=True),
    }


def reason(exc: BaseException) -> str:
    """What went wrong, in one line: the driver's own error when a library wrapped it."""
    original = getattr(exc, "orig", None) or exc
    return " ".join(f"{type(original).__name__}: {original}".split())[:300]


class RunLog(Protocol):
    """What ``gonogo check`` does with a history: read the last runs, read one, record one."""

    shown: str
    """The database as messages name it (password masked)."""

    def runs(self, identity: str, limit: int | None = None, reports: bool = True) -> list[StoredRun]: ...

    def run(self, run_id: int) -> StoredRun | None: ...

    def record(
        self, report: dict[str, Any], provenance: Provenance, scanned_at: datetime, valid_until: datetime,
        config_digest: str | None = None,
    ) -> int: ...

    def close(self) -> None: ...
