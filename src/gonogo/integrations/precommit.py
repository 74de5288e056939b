"""pre-commit: the findings a commit's files carry, from the static families that judge a file on
its own.

The hook (``.pre-commit-hooks.yaml``, ``gonogo hook FILE...``) scans the repository with the
families in ``HOOK_FAMILIES``, since some of their facts span files (a test module's fixtures, the
lock file beside a manifest), then keeps only the active findings in the files pre-commit passed:
a commit is stopped for what it touches, not for the state of the whole repository, which is the
release gate's job (``gonogo check``). Families that need the network, a run of the tests or the
services (VULN, RUN, SVC) or judge the repository as a whole (DLV, DOC, OPS...) are left to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePath

from gonogo.model import Finding, Report, Severity

HOOK_FAMILIES = ("SEC", "TEST", "CODE", "IMG", "CI")
"""Check id prefixes whose findings sit in one file and need no network, test run or service."""


def touched(report: Report, files: Iterable[str]) -> list[Finding]:
    """Active findings located in ``files`` (paths as pre-commit gives them: relative to the
    repository root), worst first."""
    wanted = {PurePath(f).as_posix() for f in files}
    found = [f for result in report.checks for f in result.active_findings if f.path in wanted]
    return sorted(found, key=lambda f: (f.severity.rank, f.path or "", f.line or 0, f.check_id))


def failing(findings: Sequence[Finding], threshold: Severity) -> list[Finding]:
    """Those at ``threshold`` or worse: the ones that stop the commit; the rest are only shown."""
    return [f for f in findings if f.severity.rank <= threshold.rank]


def line_for(finding: Finding) -> str:
    """``path:line: ID severity message``, the shape editors and terminals turn into links."""
    where = f"{finding.path}:{finding.line}" if finding.line else f"{finding.path}"
    return f"{where}: {finding.check_id} [{finding.severity.value}] {finding.message}"
