"""The one order every reporter lists findings in, so the same report reads the same everywhere
and golden files stay stable: most severe first, then check id, path, line and message."""

from __future__ import annotations

from gonogo.model import Finding


def finding_sort_key(finding: Finding) -> tuple[int, str, str, int, str]:
    return (finding.severity.rank, finding.check_id, finding.path or "", finding.line or 0, finding.message)
