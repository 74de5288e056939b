"""GitLab Code Quality: the Code Climate JSON GitLab reads from ``artifacts:reports:codequality``.

One issue per active finding (waived, suppressed and baselined findings were accepted; listing them
would re-open them in every merge request), with the fields GitLab requires: ``description``,
``check_name``, ``fingerprint``, ``severity`` and ``location.path`` with ``location.lines.begin``.
A finding that blocks the release is a ``blocker``; otherwise severities map one to one down to
``info``. The fingerprint is the SARIF one (no line numbers, so an issue survives code moving),
numbered when two findings share it, since GitLab folds issues with equal fingerprints into one. A
finding about the repository as a whole ("no LICENSE") is placed on the tree itself (``.``), line 1.
Pure and deterministic: the same report gives the same bytes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from gonogo.fingerprint import fingerprint
from gonogo.model import Area, Finding, Report, Severity
from gonogo.reporters import json_text
from gonogo.reporters.order import finding_sort_key

SEVERITIES = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "major",
    Severity.MEDIUM: "minor",
    Severity.LOW: "info",
    Severity.INFO: "info",
}
BLOCKER = "blocker"
WHOLE_TREE = "."


def render(report: Report) -> str:
    return json_text.dumps(issues(report), len(report.findings))


def issues(report: Report) -> list[dict[str, Any]]:
    areas = {result.check_id: result.category.area for result in report.checks}
    findings = sorted(
        (f for result in report.checks for f in result.active_findings),
        key=finding_sort_key,
    )
    seen: Counter[str] = Counter()
    listed = []
    for finding in findings:
        mark = finding.fingerprint or fingerprint(finding, "")
        seen[mark] += 1
        listed.append(_issue(finding, f"{mark}:{seen[mark]}", areas.get(finding.check_id)))
    return listed


def _issue(finding: Finding, mark: str, area: Area | None) -> dict[str, Any]:
    where = f" ({finding.evidence})" if finding.evidence else ""
    return {
        "type": "issue",
        "check_name": finding.check_id,
        "description": f"{finding.check_id}: {finding.message}{where}",
        "categories": ["Security"] if area is Area.SECURITY else ["Bug Risk"],
        "severity": BLOCKER if finding.blocks else SEVERITIES[finding.severity],
        "fingerprint": mark,
        "location": {"path": finding.path or WHOLE_TREE, "lines": {"begin": finding.line or 1}},
    }
