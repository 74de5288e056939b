"""DLV001 and DOC001: declared deliverables and paths the docs name."""

from __future__ import annotations

from gonogo.model import Outcome
from tests.helpers import make_repo, result_of, scan_repo

CONFIG = """
[deliverables]
scripts = ["scripts/build_verifier.py", "scripts/health_checker.py", "scripts/*.sh"]
memory = [".memory/agent-registry/", ".memory/context/"]
escape = ["../outside.txt", "/etc/passwd"]
"""


def test_expected_vs_actual_per_group(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "gonogo.toml": CONFIG,
            "scripts/build_verifier.py": "x = 1\n",
            "scripts/deploy.sh": "echo hi\n",
            ".memory/agent-registry/README.md": "registry\n",
            ".memory/context": "a file, not the directory that was promised\n",
        },
    )
    report = scan_repo(repo, select="DLV")
    result = result_of(report, "DLV001")
    missing = sorted(f.path for f in result.findings if f.location and f.get("group"))
    assert missing == [".memory/context/", "scripts/health_checker.py"]
    assert report.metrics["deliverables.expected"] == 5
    assert report.metrics["deliverables.missing"] == 4  # 2 missing + 2 refused entries
    table = {row[0]: row for row in result.tables[0].rows}
    assert table["scripts"][1:4] == ("3", "2", "scripts/health_checker.py")
    assert table["memory"][4] == "50%"
    refused = [f.message for f in result.findings if not f.get("group")]
    assert len(refused) == 2 and all("outside the project" in m for m in refused)


def test_no_deliverables_declared_is_not_applicable(tmp_path):
    report = scan_repo(make_repo(tmp_path, {"a.py": "x = 1\n"}), select="DLV")
    assert result_of(report, "DLV001").outcome is Outcome.NOT_APPLICABLE
    assert report.metrics["deliverables.missing"] == 0


def test_doc_references_links_and_backticks(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "README.md": """
                # Project

                Run `scripts/run.py`, configure `config/settings.toml` and read [the guide](docs/guide.md#intro).
                The old [notes](docs/missing.md) and `backend/app.py` are gone. See `helper.py`
                and the [site](https://example.com/x.md). Generic words like `and/or`, `True`,
                `path/to/file.py`, `os.path` and `<name>.py` are not paths, nor is `report.json`.
                Doc-generator targets such as [the tools](helpers), [frozen](attrs.frozen) and
                [Index](genindex) are cross-references; [gone](gone.md) is a path and [old](old/) a route.

                ```
                cat not/a/claim.py
                ```
            """,
            "CHANGELOG.md": "Removed `legacy/old.py`.\n",
            "scripts/run.py": "x = 1\n",
            "config/settings.toml": "a = 1\n",
            "docs/guide.md": "Back to [readme](../README.md).\n",
            "src/pkg/helper.py": "y = 2\n",
        },
    )
    report = scan_repo(repo, select="DOC")
    result = result_of(report, "DOC001")
    assert sorted(f.get("target") for f in result.findings) == ["docs/missing.md", "gone.md"]
    assert [f.line for f in result.findings if f.get("target") == "docs/missing.md"] == [4]
    # no folder of the tree is named backend: a loose name, for the check that does not block
    assert [f.get("target") for f in result_of(report, "DOC002").findings] == ["backend/app.py"]


def test_binary_or_huge_markdown_is_a_note(tmp_path):
    repo = make_repo(tmp_path, {"bad.md": b"\x00\x01binary", "ok.md": "see [there](nothere.md)\n"})
    report = scan_repo(repo, select="DOC")
    assert report.metrics["docs.broken_references"] == 1
    assert any(n.path == "bad.md" and "binary" in n.message for n in report.notes)


def test_a_path_promised_by_two_groups_is_missing_once(tmp_path):
    config = '[deliverables]\ndocs = ["docs/runbook.md", "docs/api.md"]\nrelease = ["docs/runbook.md", "CHANGELOG.md"]\n'
    repo = make_repo(tmp_path, {"gonogo.toml": config, "docs/api.md": "api\n"})
    report = scan_repo(repo, select="DLV")
    messages = sorted(f.message for f in result_of(report, "DLV001").findings)
    assert messages == ["docs, release: docs/runbook.md does not exist", "release: CHANGELOG.md does not exist"]
    assert report.metrics["deliverables.missing"] == 2
    assert report.metrics["deliverables.expected"] == 3
