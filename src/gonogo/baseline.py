"""Baselines, "clean as you code": record today's findings, then judge only new ones.

``.gonogo-baseline.json`` lists findings by check id, path and their fingerprint (a hash of the
finding's source line with its whitespace normalised, or of its message when it has no line; see
``gonogo.fingerprint``, which SARIF reports too), with a count, never a line number: code that
moves keeps its findings known, and a second copy of a known problem is new. With a baseline,
the engine marks known findings suppressed (``baseline``) so gates count new ones only; reports
still show them, and the ``baseline.findings`` metric says how many. This module
reads and writes the file; ``api.create_baseline`` scans and records (so this one never calls the
scan that uses it).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gonogo.model import Finding
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.redaction import redact
from gonogo.workspace import Workspace

BASELINE_FILE = ".gonogo-baseline.json"
FORMAT_VERSION = 1
MAX_BASELINE_BYTES = 20 * 1024 * 1024


class BaselineError(Exception):
    """A baseline file that cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Baseline:
    path: str
    entries: dict[str, int]
    """Fingerprint -> how many findings with it are known."""

    @property
    def total(self) -> int:
        return sum(self.entries.values())


def default_path(workspace: Workspace) -> Path | None:
    if not workspace.roots:
        return None
    root = workspace.roots[0].path
    return (root if root.is_dir() else root.parent) / BASELINE_FILE


def locate(workspace: Workspace, options: ScanOptions) -> Path | None:
    """The baseline a scan uses: the one asked for, else ``.gonogo-baseline.json`` at the root."""
    if options.ignore_baseline:
        return None
    if options.baseline:
        return Path(options.baseline)
    found = default_path(workspace)
    return found if found is not None and found.is_file() else None


def load(path: Path) -> Baseline:
    try:
        if path.stat().st_size > MAX_BASELINE_BYTES:
            raise BaselineError(f"{path}: over {MAX_BASELINE_BYTES:,} bytes; not read")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except ValueError as exc:  # not UTF-8, not JSON, or an integer past Python's 4,300-digit limit
        raise BaselineError(f"{path}: not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise BaselineError(f"{path}: not valid JSON: nested too deeply") from exc
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: no 'findings' list; not a gonogo baseline")
    entries: Counter[str] = Counter()
    for item in data["findings"]:
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise BaselineError(f"{path}: a finding without a 'fingerprint'")
        count = item.get("count", 1)
        entries[item["fingerprint"]] += count if isinstance(count, int) and count > 0 else 1
    return Baseline(path=str(path), entries=dict(entries))


def load_for_scan(workspace: Workspace, options: ScanOptions, notes: Notes) -> Baseline | None:
    """The scan's baseline, or ``None``; an unusable one is a note and judges everything as new."""
    path = locate(workspace, options)
    if path is None:
        return None
    try:
        return load(path)
    except BaselineError as exc:
        notes.add(f"baseline not applied: {exc}", path=str(path), source="baseline")
        return None


def render(findings: Sequence[Finding]) -> str:
    """The baseline file's text for findings the engine fingerprinted: sorted, no dates, no lines."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for finding in findings:
        counts[(finding.check_id, redact(finding.path or ""), redact(finding.key), finding.fingerprint)] += 1
    rows = [
        {"check": check, "path": path, "key": key, "fingerprint": mark, "count": count}
        for (check, path, key, mark), count in sorted(counts.items())
    ]
    return json.dumps({"version": FORMAT_VERSION, "tool": "gonogo", "findings": rows}, indent=1) + "\n"


@dataclass(frozen=True, slots=True, kw_only=True)
class Written:
    path: Path
    findings: int
