"""SARIF as code scanning reads it: a help page for every rule, a location on every result, the
commit scanned; and the pages in docs/checks/ kept in step with the checks' docstrings."""

from __future__ import annotations

import json
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from gonogo.docs import CHECK_PAGES, CHECK_PAGES_URL, doc_sections, documented_checks, expected_pages
from gonogo.git_remote import remote_uri
from gonogo.model import Category, CheckResult, Decision, Finding, Location, Outcome, Report, RootInfo, Severity
from gonogo.registry import CheckSpec
from gonogo.reporters import sarif
from tests.helpers import make_repo, scan_repo

REPO = Path(__file__).parent.parent
SARIF_SCHEMA = json.loads(resources.files("gonogo").joinpath("data/sarif-2.1.0.json").read_text("utf-8"))


def valid(log: dict) -> dict:
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(log)]
    assert errors == []
    return log


def test_check_pages_are_in_step_with_the_docstrings():
    folder = REPO / CHECK_PAGES
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    wanted = expected_pages()
    assert sorted(on_disk) == sorted(wanted), "docs/checks/ is stale: run `python -m gonogo.docs`"
    stale = [name for name, text in wanted.items() if on_disk[name] != text]
    assert stale == [], f"docs/checks/ is stale ({stale[:5]}): run `python -m gonogo.docs`"


def test_every_check_has_a_page_with_its_why_and_fix():
    specs = documented_checks()
    pages = expected_pages()
    assert {"SEC012", "TEST001", "CLM001", "CLM100"} <= {s.id for s in specs}
    for spec in specs:
        page = pages[f"{spec.id}.md"]
        assert page.startswith(f"# {spec.id}: {spec.title}\n")
        assert f"## Why\n\n{spec.why[:1].upper()}" in page and "## Fix\n" in page
    assert "gonogo check . --select SEC012" in expected_pages()["SEC012.md"]
    assert "gonogo check . --claims READINESS.md" in expected_pages()["CLM100.md"]
    assert "gonogo verify READINESS.md ." in expected_pages()["CLM001.md"]


@pytest.mark.parametrize(
    ("doc", "why"),
    [
        ("Why: one\nline.\n\nFix: do it.", "One line."),
        ("Why: ranges are read.\n\nA lock file is reported\ntoo: what it pins is not audited.\n\nFix: pin.",
         "Ranges are read.\n\nA lock file is reported too: what it pins is not audited."),
    ],
    ids=["one paragraph", "a line starting with a word and a colon is prose, not a heading"],
)
def test_page_sections_keep_paragraphs_and_only_why_and_fix_are_headings(doc, why):
    sections = doc_sections(doc)
    assert sections["Why"] == why
    spec = CheckSpec(id="DOC999", title="t", category=Category.DOCS, severity=Severity.LOW,
                     func=lambda: iter(()), needs=(), doc=doc)
    assert spec.why.lower() == " ".join(why.split()).lower()  # the one-line form for SARIF and explain
    assert spec.fix in ("do it.", "pin.")


def test_every_rule_links_its_page_and_every_result_has_a_location(tmp_path):
    repo = make_repo(tmp_path, {
        "app.py": "import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n",
    })
    log = valid(sarif.sarif_log(scan_repo(repo)))
    run = log["runs"][0]
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["helpUri"] == f"{CHECK_PAGES_URL}{rule['id']}.md"
        assert (REPO / CHECK_PAGES / f"{rule['id']}.md").is_file()
    assert run["results"]
    for result in run["results"]:
        assert len(result["locations"]) == 1  # code scanning rejects a result with none
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    shell = next(r for r in run["results"] if r["ruleId"] == "SEC001")
    assert shell["locations"][0]["physicalLocation"]["region"]["startLine"] == 4


def _finding(message: str, **where: object) -> Finding:
    location = Location(**where) if where else None  # type: ignore[arg-type]
    return Finding(check_id="DOC103", severity=Severity.LOW, message=message, location=location)


def _report(*findings: Finding, roots: tuple[RootInfo, ...] = ()) -> Report:
    check = CheckResult(check_id="DOC103", title="t", category=Category.DOCS, severity=Severity.LOW,
                        outcome=Outcome.FAIL, score=0.0, findings=findings)
    return Report(decision=Decision.GO, gates=(), metrics={}, scores={}, checks=(check,), plan=(), roots=roots)


def test_line_gives_a_region_path_the_whole_file_and_nothing_the_whole_tree():
    log = valid(sarif.sarif_log(_report(
        _finding("at a line", path="a.py", line=7), _finding("a file", path="LICENSE.txt"), _finding("no LICENSE"),
    )))
    where = {r["message"]["text"]: r["locations"][0]["physicalLocation"] for r in log["runs"][0]["results"]}
    assert where["at a line"] == {"artifactLocation": {"uri": "a.py", "uriBaseId": "%SRCROOT%"},
                                  "region": {"startLine": 7}}
    assert where["a file"] == {"artifactLocation": {"uri": "LICENSE.txt", "uriBaseId": "%SRCROOT%"}}
    assert where["no LICENSE"] == {"artifactLocation": {"uri": ".", "uriBaseId": "%SRCROOT%"}}


def test_provenance_names_the_commit_only_with_a_remote():
    commit = "a" * 40
    with_remote = RootInfo(name="app", path="/x", commit=commit, remote="https://github.com/o/app.git")
    log = valid(sarif.sarif_log(_report(_finding("x"), roots=(with_remote,))))
    assert log["runs"][0]["versionControlProvenance"] == [
        {"repositoryUri": "https://github.com/o/app.git", "revisionId": commit, "mappedTo": {"uriBaseId": "%SRCROOT%"}}
    ]
    for root in (RootInfo(name="app", path="/x", commit=commit), RootInfo(name="app", path="/x", remote="https://h/r")):
        assert "versionControlProvenance" not in sarif.sarif_log(_report(_finding("x"), roots=(root,)))["runs"][0]


TOKEN = "ghp_" + "0123456789abcdef0123456789abcdef0123"
"""A token-shaped value, joined at run time so this file holds no token for a secrets scan to find."""


def test_a_scanned_checkout_reports_its_commit_and_remote_without_the_token(tmp_path):
    repo = make_repo(tmp_path / "app", {"app.py": "x = 1\n"}, git=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin",
                    "https://x-access-token:" + TOKEN + "@github.com/o/app.git"], check=True)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    text = sarif.render(scan_repo(repo, select="DOC"))
    assert json.loads(text)["runs"][0]["versionControlProvenance"][0] == {
        "repositoryUri": "https://github.com/o/app.git", "revisionId": head, "mappedTo": {"uriBaseId": "%SRCROOT%"}}
    assert "ghp_" not in text and "x-access-token" not in text


def test_a_folder_that_is_no_checkout_has_no_provenance(tmp_path):
    repo = make_repo(tmp_path / "plain", {"app.py": "x = 1\n"})
    assert "versionControlProvenance" not in sarif.sarif_log(scan_repo(repo, select="DOC"))["runs"][0]


@pytest.mark.parametrize(
    ("url", "uri"),
    [
        ("https://x-access-token:ghp_secret@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://github.com/o/r\n", "https://github.com/o/r"),
        ("git@github.com:o/r.git", "ssh://git@github.com/o/r.git"),
        ("ssh://git:pw@host.example:2222/o/r", "ssh://git@host.example:2222/o/r"),
        ("/srv/git/r.git", None),
        ("file:///srv/git/r.git", None),
        ("../sibling", None),
        ("http://[::1", None),
        ("https://exa mple.com/r", None),
    ],
    ids=["token dropped", "trailing newline", "scp-like form", "ssh password dropped, user kept",
         "local path", "file URL", "relative path", "broken brackets", "space in the host"],
)
def test_remote_uri_is_absolute_and_carries_no_credentials(url, uri):
    assert remote_uri(url) == uri
