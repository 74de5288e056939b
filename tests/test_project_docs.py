"""README, licence and changelog checks."""

from __future__ import annotations

from pathlib import Path

from helpers import make_repo, result_of, scan_repo

from gonogo.model import Outcome

LIBRARY = "[build-system]\nrequires = ['hatchling']\n[project]\nname = 'lib'\n"


def test_complete_project_docs_pass(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "README.md": "# Lib\n## Installation\npip install lib\n## Usage\nrun it\n## Tests\npytest\n",
            "LICENSE": "MIT\n",
            "CHANGELOG.md": "# 1.0\n",
            "lib/pyproject.toml": LIBRARY,
        },
    )
    report = scan_repo(root, select="DOC1")
    assert {r.check_id: r.outcome for r in report.checks} == {
        "DOC101": Outcome.PASS,
        "DOC102": Outcome.PASS,
        "DOC103": Outcome.PASS,
        "DOC104": Outcome.PASS,
    }


def test_missing_docs_are_findings(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"README.rst": "Lib\n===\nA library.\n", "setup.py": "from setuptools import setup\nsetup(name='x')\n"})
    report = scan_repo(root, select="DOC1")
    topics = [f.get("topic") for f in result_of(report, "DOC102").findings]
    assert topics == ["install", "run", "test"]
    assert result_of(report, "DOC103").outcome is Outcome.FAIL
    assert result_of(report, "DOC104").outcome is Outcome.FAIL


def test_no_readme_and_a_binary_readme(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path / "a", {"app.py": "x = 1\n"}), select="DOC101")
    assert "has no README" in result_of(report, "DOC101").findings[0].message
    report = scan_repo(make_repo(tmp_path / "b", {"README.md": b"\x00\x01"}), select="DOC101")
    assert "cannot be read" in result_of(report, "DOC101").findings[0].message
