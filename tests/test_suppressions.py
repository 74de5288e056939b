"""Inline suppressions: with a reason they suppress, visibly; without one they are a finding."""

from __future__ import annotations

import pytest

from gonogo.model import Outcome
from gonogo.reporters import json_report, markdown
from gonogo.suppressions import parse_suppression
from tests.helpers import make_repo, result_of, scan_repo


@pytest.mark.parametrize(
    ("line", "ids", "reason"),
    [
        ("x()  # gonogo: ignore[SEC012] only binds in the dev container", ("SEC012",), "only binds in the dev container"),
        ("x()  #gonogo:ignore[sec001, S602]: trusted input", ("SEC001", "S602"), "trusted input"),
        ("x()  # gonogo: ignore[SEC012]", ("SEC012",), ""),
        ("x()  # gonogo: ignore[SEC012]   ", ("SEC012",), ""),
        ("x()  # gonogo: ignore because", (), "because"),
        ("x()  # GONOGO: IGNORE[]  why", (), "why"),
    ],
    ids=["id and reason", "several ids, colon", "no reason", "only spaces", "no brackets", "empty brackets"],
)
def test_parse(line, ids, reason):
    parsed = parse_suppression(line)
    assert parsed is not None and (parsed.ids, parsed.reason) == (ids, reason)


def test_lines_without_a_suppression():
    assert parse_suppression("x = 1  # gonogo is great") is None
    assert parse_suppression("") is None


APP = """\
import pickle
pickle.loads(a)  # gonogo: ignore[SEC005] data written by this process only
pickle.loads(b)  # gonogo: ignore[S301] same
pickle.loads(c)  # gonogo: ignore[SEC] whole family
pickle.loads(d)  # gonogo: ignore[SEC005]{NO_REASON}
pickle.loads(e)  # gonogo: ignore[SEC001] wrong check
pickle.loads(f)
"""
APP = APP.replace("{NO_REASON}", "")  # written apart so this file itself has no reasonless suppression


def test_reasoned_suppressions_suppress_and_stay_visible(tmp_path):
    report = scan_repo(make_repo(tmp_path, {"app.py": APP}), select="SEC")
    states = {f.line: f.suppressed for f in result_of(report, "SEC005").findings if f.get("rule") == "S301"}
    assert states == {
        2: "inline: data written by this process only",
        3: "inline: same",
        4: "inline: whole family",
        5: None,
        6: None,
        7: None,
    }
    assert report.metrics["security.medium"] == 3
    assert "suppressed: inline: data written by this process only" in markdown.render(report)
    assert "data written by this process only" in json_report.render(report)


def test_a_suppression_without_a_reason_is_a_finding(tmp_path):
    repo = make_repo(tmp_path, {"app.py": APP, "deploy.yaml": "port: 1  # gonogo: ignore\n"})
    report = scan_repo(repo, select="SEC099")
    found = {(f.path, f.line): f.message for f in result_of(report, "SEC099").findings}
    assert found == {
        ("app.py", 5): "suppression ignore[SEC005] gives no reason; it suppresses nothing",
        ("deploy.yaml", 1): "suppression names no check id (write ignore[ID]); it suppresses nothing",
    }
    assert report.metrics["suppressions.unexplained"] == 2


def test_a_python_docstring_that_shows_the_syntax_suppresses_nothing_and_is_no_finding(tmp_path):
    """Only comment tokens are comments: gonogo's own docstrings spell ``# gonogo: ignore[...]``."""
    source = (
        'def f():\n    """Write it so:\n\n    # gonogo: ignore[SEC012]\n    """\n'
        "    return 1  # gonogo: ignore[SEC001]\n"
    )
    broken = "x = (\n# gonogo: ignore[SEC002]\n"  # tokenize fails: read line by line, as other text
    report = scan_repo(make_repo(tmp_path, {"doc.py": source, "broken.py": broken}), select="SEC099")
    found = sorted((f.path, f.line) for f in result_of(report, "SEC099").findings)
    assert found == [("broken.py", 2), ("doc.py", 6)]


def test_no_suppressions_is_not_applicable(tmp_path):
    report = scan_repo(make_repo(tmp_path, {"app.py": "x = 1\n"}), select="SEC099")
    assert result_of(report, "SEC099").outcome is Outcome.NOT_APPLICABLE


def test_suppression_works_in_any_text_file(tmp_path):
    key = "k3J9s8dF" + "7gH6jK5lQ4wE3rT2yU1i"
    repo = make_repo(tmp_path, {"ci.yaml": f'api_key: "{key}"  # gonogo: ignore[SEC020] revoked test key\n'})
    report = scan_repo(repo, select="SEC020")
    [finding] = result_of(report, "SEC020").findings
    assert finding.suppressed == "inline: revoked test key"
    assert report.metrics["secrets.found"] == 0


def test_binary_and_unreadable_files_are_skipped(tmp_path):
    repo = make_repo(tmp_path, {"a.bin": b"\x00# gonogo: ignore[X]\xff", "b.txt": b"\xff\xfe# gonogo: ignore\n"})
    report = scan_repo(repo, select="SEC099")
    assert result_of(report, "SEC099").outcome is Outcome.NOT_APPLICABLE
