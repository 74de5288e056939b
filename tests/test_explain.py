"""``gonogo explain``: any id a user has seen (gonogo's, ruff's, bandit's), rendered as Markdown."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gonogo.cli import app
from gonogo.explain import UnknownId, markdown, resolve
from gonogo.registry import load_plugins

runner = CliRunner()


@pytest.mark.parametrize(
    ("asked", "check", "rule"),
    [
        ("TEST001", "TEST001", None),
        ("sec012", "SEC012", None),
        ("S113", "SEC012", "S113"),
        ("B602", "SEC001", "S602"),
        ("b113", "SEC012", "S113"),
        ("GNG608", "SEC002", "GNG608"),
    ],
    ids=["gonogo id", "lower case", "ruff rule in a plan title", "bandit id", "bandit id in lower case",
         "gonogo's own SAST rule"],
)
def test_an_id_a_user_has_seen_finds_its_check(asked, check, rule):
    explained = resolve(asked, load_plugins().checks)
    assert explained.spec.id == check
    assert (rule in {r.code for r in explained.via}) if rule else explained.via == ()


def test_an_unknown_id_suggests_the_closest():
    with pytest.raises(UnknownId) as caught:
        resolve("SEC12", load_plugins().checks)
    assert "SEC012" in caught.value.suggestions


def test_the_page_is_markdown_with_why_and_fix_as_paragraphs():
    page = markdown(resolve("S113", load_plugins().checks))
    assert page.startswith("## SEC012: ")
    assert "\n\n**Why:** " in page and "\n\n**Fix:** " in page
    assert "`S113` (request-without-timeout, bandit B113, CWE-400)" in page


def test_explain_renders_markdown_at_80_columns():
    result = runner.invoke(app, ["explain", "S113"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "`" not in result.output  # code spans rendered, not shown as backticks
    assert all(len(line) <= 80 for line in lines)
    why = next(n for n, line in enumerate(lines) if line.startswith("Why:"))
    # the docstring's hard wraps are joined and the paragraph re-flowed to the terminal's width
    assert len(lines[why]) > 70 and lines[why + 1] and not lines[why + 1].startswith(" ")
    assert any(line.startswith("Fix: ") for line in lines[why:])


def test_explain_of_an_unknown_id_fails_with_a_suggestion():
    result = runner.invoke(app, ["explain", "TEST01"])
    assert result.exit_code == 2
    assert "did you mean TEST001" in result.output
