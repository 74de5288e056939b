"""P0 means the action moves a failing blocking condition, not that its family feeds a gate."""

from __future__ import annotations

from gonogo.model import Priority
from tests.helpers import make_repo, scan_repo


def test_a_low_finding_is_not_p0_because_its_family_feeds_a_failing_gate(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/handlers.py": """
                import ftplib

                def total(items):
                    assert items, "no items"
                    return sum(items)

                def fetch(host):
                    return ftplib.FTP(host)
            """,
        },
    )
    report = scan_repo(repo, select="SEC")
    by_rule = {a.findings[0].get("rule"): a for a in report.plan if a.check_ids[0].startswith("SEC")}
    assert report.metrics["security.high_high_confidence"] >= 1
    assert by_rule["S402"].priority is Priority.P0  # ftplib: high, sure, moves the failing condition
    assert by_rule["S101"].priority is not Priority.P0  # an assert: low, moves nothing that fails
