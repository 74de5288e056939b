"""SARIF 2.1.0: every check's findings, for GitHub code scanning and any SARIF viewer.

One run; one rule per check that ran, described from its result (title, the check's Why and Fix
as help, ``helpUri`` its page in docs/checks/, ``level`` from its severity, ``security-severity`` for
security checks); one result per finding with a relative URI, a stable ``partialFingerprints``
entry (the baseline's fingerprint, no line numbers in it, so an alert survives code moving), and waived, suppressed or
baselined findings kept with a ``suppressions`` entry.

Every result has a location, since code scanning rejects a file with one that has none ("expected at
least one location"): a ``region`` where the finding has a line, the whole file where it has only a
path, and the scanned tree itself (``.`` under ``%SRCROOT%``) for a finding about the repository
as a whole ("no LICENSE file"). ``versionControlProvenance`` names the commit scanned when the root
is a git checkout with a remote. Pure and deterministic: the same report gives the same bytes.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any
from urllib.parse import quote

from gonogo.docs import help_uri
from gonogo.fingerprint import fingerprint
from gonogo.model import Area, CheckResult, Finding, GateStatus, Outcome, Report, RootInfo, Severity
from gonogo.reporters import json_text
from gonogo.reporters.order import finding_sort_key

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
WHOLE_TREE = "."
"""The location of a finding about the repository as a whole: the folder ``%SRCROOT%`` names."""
FINGERPRINT_KEY = "gonogoFindingHash/v2"
"""v2: the baseline's fingerprint (``gonogo.fingerprint``); v1 was a hash of its own."""

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
"""GitHub's bands: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low."""


def render(report: Report) -> str:
    return json_text.dumps(sarif_log(report), len(report.findings))


def sarif_log(report: Report) -> dict[str, Any]:
    checks = sorted(report.checks, key=lambda r: r.check_id)
    index = {result.check_id: i for i, result in enumerate(checks)}
    findings = sorted(
        ((result, f) for result in checks for f in result.findings), key=lambda pair: finding_sort_key(pair[1])
    )
    seen: Counter[str] = Counter()
    results = []
    for result, finding in findings:
        # a report built without the engine has no source lines: the line-less fingerprint then
        mark = finding.fingerprint or fingerprint(finding, "")
        seen[mark] += 1
        results.append(_result(finding, index[result.check_id], f"{mark}:{seen[mark]}"))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "gonogo",
                "version": report.tool_version or "0",
                "informationUri": "https://pypi.org/project/gonogo/",
                "rules": [_rule(result) for result in checks],
            }
        },
        "invocations": [_invocation(report, checks)],
        "results": results,
        "columnKind": "unicodeCodePoints",
        **_provenance(report.roots),
        "properties": {
            "decision": report.decision.value,
            "profile": report.profile,
            "gates": [
                {"name": g.gate.name, "status": g.status.value, "blocking": g.gate.blocking}
                for g in report.gates
            ],
            "metrics": {name: _plain(value) for name, value in sorted(report.metrics.items())},
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule(result: CheckResult) -> dict[str, Any]:
    doc = result.doc
    why = doc.why if doc else ""
    fix = doc.fix if doc else ""
    title = result.title
    rule: dict[str, Any] = {
        "id": result.check_id,
        "name": doc.name if doc else result.check_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": why or title},
        "help": {
            "text": f"Why: {why}\nFix: {fix}".strip(),
            "markdown": f"**Why:** {why}\n\n**Fix:** {fix}".strip(),
        },
        "defaultConfiguration": {"level": LEVELS[result.severity]},
        "properties": {
            "tags": [result.category.area.value, result.category.prefix],
            "category": result.category.name.lower(),
        },
    }
    page = help_uri(result.check_id)
    if page:
        rule["helpUri"] = page
    if result.category.area is Area.SECURITY:
        rule["properties"]["security-severity"] = SECURITY_SEVERITY[result.severity]
    return rule


def _result(finding: Finding, rule_index: int, mark: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": message_text(finding.message)},
    }
    result["locations"] = [{"physicalLocation": _physical_location(finding)}]
    result["partialFingerprints"] = {FINGERPRINT_KEY: mark}
    properties: dict[str, Any] = {"severity": finding.severity.value}
    if finding.evidence:
        properties["evidence"] = finding.evidence
    properties.update({name: _plain(value) for name, value in finding.data})
    result["properties"] = properties
    suppressions = _suppressions(finding)
    if suppressions:
        result["suppressions"] = suppressions
    return result


def _physical_location(finding: Finding) -> dict[str, Any]:
    uri = path_uri(finding.path) if finding.path else WHOLE_TREE
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT}}
    if finding.path and finding.line:
        region: dict[str, Any] = {"startLine": finding.line}
        if finding.location and finding.location.column:
            region["startColumn"] = finding.location.column
        if finding.location and finding.location.end_line and finding.location.end_line >= finding.line:
            region["endLine"] = finding.location.end_line
        physical["region"] = region
    return physical


def _provenance(roots: tuple[RootInfo, ...]) -> dict[str, Any]:
    """The commit of each root that is a git checkout with a remote (SARIF requires the
    repository's URI there; a checkout with no remote has none worth naming)."""
    details = [
        {"repositoryUri": root.remote, "revisionId": root.commit, "mappedTo": {"uriBaseId": SRCROOT}}
        for root in roots
        if root.commit and root.remote
    ]
    return {"versionControlProvenance": details} if details else {}


def _suppressions(finding: Finding) -> list[dict[str, Any]]:
    if finding.waived is not None:
        until = f" (until {finding.waived.until.isoformat()})" if finding.waived.until else ""
        return [{"kind": "external", "status": "accepted",
                 "justification": f"waived: {finding.waived.reason}{until}"}]
    if finding.suppressed is not None:
        kind = "external" if finding.suppressed == "baseline" else "inSource"
        return [{"kind": kind, "status": "accepted", "justification": finding.suppressed}]
    return []


def _invocation(report: Report, checks: list[CheckResult]) -> dict[str, Any]:
    notifications: list[dict[str, Any]] = []
    for result in checks:
        if result.outcome is Outcome.UNKNOWN:
            notifications.append({
                "level": "warning",
                "message": {"text": message_text(f"{result.check_id} could not tell: {result.reason or 'no reason'}")},
                "associatedRule": {"id": result.check_id},
            })
    for note in report.notes:
        text = f"{note.path}: {note.message}" if note.path else note.message
        notifications.append({"level": "note", "message": {"text": message_text(text)}})
    unknown_gates = [g.gate.name for g in report.gates if g.status is GateStatus.UNKNOWN]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    if unknown_gates:
        invocation["properties"] = {"unknownGates": unknown_gates}
    return invocation


def _plain(value: Any) -> Any:
    """A finding's datum as JSON: containers kept, anything else as its text."""
    match value:
        case float() if not math.isfinite(value):
            return None
        case None | bool() | int() | float() | str():
            return value
        case list() | tuple():
            return [_plain(v) for v in value]
        case dict():
            return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
        case _:
            return str(getattr(value, "value", value))


def path_uri(path: str) -> str:
    """A relative URI for a path; a name that was not UTF-8 is percent-encoded from its own bytes
    (Python carries them as ``surrogateescape`` characters, which no text encoding accepts)."""
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from a file name's bytes
        raw = path.encode("utf-8", "replace")
    return quote(raw, safe="/-._~")


def message_text(text: str) -> str:
    """A plain-text SARIF message: ``[text](target)`` is an embedded link there (SARIF 2.1.0
    3.11.6), so brackets and backslashes from the scanned tree are escaped to stay literal."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
