"""Each finding of a report gets the baseline's fingerprint (check, path, key and the normalised
source line), so two runs match a finding that moved lines and tell it from a new one beside it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from gonogo.baseline import fingerprint
from gonogo.model import Finding, Report
from gonogo.redaction import redact
from gonogo.reporters.json_report import finding_sort_key
from gonogo.safe_read import FileReadError, read_regular_file

SOURCE_READ_LIMIT = 2 * 1024 * 1024


def with_fingerprints(report: Report, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (the JSON report of ``report``) with a ``fingerprint`` on each finding. The JSON
    lists findings in ``finding_sort_key`` order, so the two sequences pair up one to one."""
    findings = sorted(report.findings, key=finding_sort_key)
    listed = data.get("findings", [])
    if len(findings) != len(listed):
        raise ValueError("the JSON report does not list the report's findings")
    lines = _SourceLines(report)
    for finding, entry in zip(findings, listed, strict=True):
        entry["fingerprint"] = fingerprint(finding, lines.line(finding))
    return data


def fingerprint_of(entry: dict[str, Any]) -> str:
    """A JSON finding's fingerprint: the one stored with it, or for a report.json written
    without one, a hash of its check, path and message with numbers masked."""
    stored = entry.get("fingerprint")
    if isinstance(stored, str) and stored:
        return stored
    message = re.sub(r"\d+", "#", redact(str(entry.get("message", ""))))
    text = "\0".join((str(entry.get("check_id", "")), str(entry.get("path") or ""), message))
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:24]


class _SourceLines:
    """A finding's source line, read from the scanned roots (each file once, bounded)."""

    def __init__(self, report: Report) -> None:
        self._roots = [(root.name, Path(root.path)) for root in report.roots]
        self._files: dict[str, list[str]] = {}

    def line(self, finding: Finding) -> str:
        if not finding.path or not finding.line:
            return ""
        if finding.path not in self._files:
            self._files[finding.path] = self._read(finding.path)
        lines = self._files[finding.path]
        return lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""

    def _read(self, display: str) -> list[str]:
        for name, root in self._roots:
            folder = root if root.is_dir() else root.parent
            relative = display if len(self._roots) == 1 else display.removeprefix(f"{name}/")
            try:
                data = read_regular_file(folder / relative, SOURCE_READ_LIMIT)
            except (FileReadError, OSError, ValueError):
                continue
            return data.decode("utf-8", "replace").splitlines()
        return []
