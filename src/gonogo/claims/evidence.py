"""What the claims are judged against: a gonogo report (a scan now, or an earlier report.json)
and the file system of the roots. This is the only module of claims/ that does I/O."""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from gonogo.claims.model import Claim

_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
_MAX_WALK = 200_000
_SKIP_CHECK = "TEST001"  # its findings' messages start with the skip's form, e.g. "pytest.skip() on test_x"


class EvidenceError(Exception):
    """The report given with --against cannot be used; the message names it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """Measured values. ``None`` anywhere means not measured, never zero."""

    source: str
    decision: str | None = None
    metrics: Mapping[str, float | None] = field(default_factory=dict)
    file_counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    paths: Mapping[str, tuple[str, ...] | None] = field(default_factory=dict)
    roots: tuple[str, ...] = ()
    manifests: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    advisories: Mapping[str, tuple[AdvisoryFact, ...]] | None = None
    index_date: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvisoryFact:
    """One advisory of a package in the index: its id, summary, level and the fixes it names."""

    id: str
    summary: str
    level: str
    fixed: tuple[str, ...]


NONE = Evidence(source="")


def load_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvidenceError(f"{path}: not a readable gonogo JSON report ({exc})") from exc
    if not isinstance(data, dict) or "metrics" not in data or "decision" not in data:
        raise EvidenceError(f"{path}: not a gonogo JSON report (no decision or metrics)")
    return data


def gather(claims: Sequence[Claim], report: Mapping[str, Any] | None, roots: Sequence[Path], source: str,
           index: Path | None = None) -> Evidence:
    """Evidence for ``claims`` from ``report`` (a report_to_dict value), the ``roots`` and the
    advisory ``index`` (for statements about advisories)."""
    packages = {c.subject for c in claims if c.kind == "advisory"}
    found, index_date = _advisories(index, packages) if index and packages else (None, None)
    wanted = {c.subject for c in claims if c.kind in ("path_present", "path_missing", "file_count")}
    return Evidence(
        source=source,
        decision=_verdict(report.get("decision")) if report else None,
        metrics=_metrics(report) if report else {},
        file_counts=_file_counts(report.get("findings", []), _metric_checks()) if report else {},
        paths=_look_up(wanted, roots) if roots else {},
        roots=tuple(str(r) for r in roots),
        manifests=_manifests(roots),
        advisories=found,
        index_date=index_date,
    )


def _advisories(path: Path, packages: Iterable[str]) -> tuple[dict[str, tuple[AdvisoryFact, ...]] | None, str | None]:
    """The PyPI advisories of each package in the index at ``path``; (None, None) without one."""
    from gonogo.vulndb.errors import VulnDbError
    from gonogo.vulndb.index import VulnIndex

    if not path.exists():
        return None, None
    try:
        with VulnIndex(path) as index:
            status = index.status()
            out = {
                name: tuple(
                    AdvisoryFact(
                        id=info.id, summary=info.summary, level=str(info.rating.level or ""),
                        fixed=tuple(e.version for r in affected.ranges for e in r.events if e.kind == "fixed"),
                    )
                    for info, affected in index.lookup("PyPI", name)
                )
                for name in packages
            }
    except (VulnDbError, OSError, ValueError):
        return None, None
    return out, status.data_date.isoformat() if status.data_date else None


def _verdict(value: object) -> str | None:
    """``CONDITIONAL_GO`` (the report's spelling) -> ``CONDITIONAL GO`` (the document's)."""
    text = str(value or "").upper().replace("_", " ")
    return {"NO GO": "NO-GO"}.get(text, text) or None


def _metrics(report: Mapping[str, Any]) -> dict[str, float | None]:
    """The report's metrics, plus counts a document's words need that gonogo does not publish:
    ``images.latest_or_main`` ("12 images using :latest or :main") from the floating-tag findings."""
    metrics = dict(report.get("metrics", {}))
    if metrics.get("images.floating") is not None:
        tags = [str(dict(f.get("data") or {}).get("image", "")) for f in report.get("findings", [])
                if f.get("check_id") == "IMG001"]
        metrics["images.latest_or_main"] = float(sum(t.endswith((":latest", ":main")) for t in tags))
    if metrics.get("tests.skip_sites") is not None:
        metrics["tests.skip_calls"] = float(sum(1 for f in report.get("findings", []) if _is_skip_call(f)))
    long_functions = {check for check, metric in _metric_checks().items() if metric == "code.long_functions"}
    limits = {match.group(1) for f in report.get("findings", []) if f.get("check_id") in long_functions
              for match in [re.search(r"\(limit (\d+)\)", str(f.get("message", "")))] if match}
    if len(limits) == 1:
        metrics["code.long_functions.limit"] = float(limits.pop())
    return metrics


def _manifests(roots: Sequence[Path]) -> dict[str, dict[str, str]]:
    """Every requirements*.txt under the roots -> {canonical package name: specifier}."""
    out: dict[str, dict[str, str]] = {}
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
            for name in names:
                if re.fullmatch(r"requirements[\w.\-]*\.txt", name):
                    path = Path(folder) / name
                    rel = "/".join((root.resolve().name, *path.relative_to(root).parts))
                    out[rel] = _requirements(path)
    return out


def _requirements(path: Path) -> dict[str, str]:
    declared: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return declared
    for raw in text.splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        declared[canonicalize_name(requirement.name)] = str(requirement.specifier)
    return declared


def _metric_checks() -> dict[str, str]:
    """check id -> the metric its findings count (TEST001 -> tests.skip_sites)."""
    from gonogo.registry import load_plugins

    return {spec.id: spec.counts for spec in load_plugins().checks.values() if spec.counts}


def _is_skip_call(finding: Mapping[str, Any]) -> bool:
    """A `pytest.skip()` call (TEST001 names the form first), not a decorator or importorskip:
    a document counting "pytest.skip() calls" counts only these."""
    return (finding.get("check_id") == _SKIP_CHECK and str(finding.get("message", "")).startswith("pytest.skip()")
            and not finding.get("waived") and not finding.get("suppressed"))


def _file_counts(findings: Iterable[Mapping[str, Any]], counts: Mapping[str, str]) -> dict[str, dict[str, int]]:
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for finding in findings:
        metric = counts.get(str(finding.get("check_id")))
        if metric and finding.get("path") and not finding.get("waived") and not finding.get("suppressed"):
            out[metric][str(finding["path"]).replace("\\", "/")] += 1
        if finding.get("path") and _is_skip_call(finding):
            out["tests.skip_calls"][str(finding["path"]).replace("\\", "/")] += 1
    return {metric: dict(by_path) for metric, by_path in out.items()}


def normalise(claimed: str) -> str:
    """``C:\\Ziggie\\a\\b.py`` -> ``Ziggie/a/b.py``: the drive means nothing on another machine."""
    text = re.sub(r"^[A-Za-z]:[\\/]", "", claimed.strip()).replace("\\", "/")
    return text.lstrip("./") if not text.startswith(".") or text.startswith("./") else text


def _look_up(wanted: Iterable[str], roots: Sequence[Path]) -> dict[str, tuple[str, ...] | None]:
    """Each claimed path -> the files it names under the roots (empty when none). A bare file
    name is looked for anywhere in the tree; a path with folders as a suffix of a real path."""
    files = _walk(roots)
    if files is None:
        return dict.fromkeys(wanted)
    return {claimed: _matches(normalise(claimed), files) for claimed in wanted}


def _matches(claimed: str, files: Sequence[str]) -> tuple[str, ...]:
    target = claimed.rstrip("/")
    return tuple(f for f in files if f == target or f.endswith("/" + target))


def _walk(roots: Sequence[Path]) -> list[str] | None:
    """Every file and folder under the roots as ``rootname/relative/path``; None when too many."""
    out: list[str] = []
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
            rel = Path(folder).relative_to(root)
            base = "/".join((root.resolve().name, *rel.parts))
            out.extend(f"{base}/{name}" for name in (*dirs, *names))
            if len(out) > _MAX_WALK:
                return None
    return out
