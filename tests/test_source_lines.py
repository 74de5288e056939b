"""A Python file's lines are numbered as Python numbers them: a form feed (an old page break) or
another character ``str.splitlines`` breaks at must not put a finding's quoted line, fingerprint or
suppression comment one line off the line the finding is on."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonogo.source_lines import python_line_starts, python_lines
from tests.helpers import make_repo, result_of, scan_repo


def _universal_lines(text: str) -> list[str]:
    """The lines ``io`` reads in universal-newline mode, which ends lines where Python does."""
    return [line[:-1] if line.endswith("\n") else line for line in io.StringIO(text, newline=None).readlines()]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"ab #\t", "\n", "\r", "\r\n", "\x0c", "\x0b", "\x1c", "\x85", "\u2028"])).map("".join))
def test_lines_end_where_python_ends_them_and_start_where_their_offsets_say(text: str) -> None:
    lines = python_lines(text)
    assert lines == _universal_lines(text)
    starts = python_line_starts(text)
    assert len(starts) == len(lines)
    assert all(text.startswith(line, start) for line, start in zip(lines, starts, strict=True))


@pytest.mark.parametrize(
    ("text", "lines"),
    [("", []), ("a", ["a"]), ("a\n", ["a"]), ("a\n\n", ["a", ""]), ("a\x0cb\nc", ["a\x0cb", "c"]), ("a\r\nb\rc", ["a", "b", "c"])],
    ids=["empty", "no break", "a final break", "an empty last line", "a form feed", "CRLF and CR"],
)
def test_python_lines(text: str, lines: list[str]) -> None:
    assert python_lines(text) == lines


FORM_FED = (
    "import pickle\n"
    "\x0c\n"
    "def load(a, b):\n"
    "    pickle.loads(a)  # gonogo: ignore[SEC005] data written by this process only\n"
    "    return pickle.loads(b)\n"
)


def test_a_form_feed_keeps_each_finding_on_its_own_line_and_its_suppression(tmp_path):
    report = scan_repo(make_repo(tmp_path, {"app.py": FORM_FED}), select="SEC")
    found = {f.line: (f.evidence, f.suppressed) for f in result_of(report, "SEC005").findings if f.get("rule") == "S301"}
    assert found == {
        4: ("pickle.loads(a)  # gonogo: ignore[SEC005] data written by this process only",
            "inline: data written by this process only"),
        5: ("return pickle.loads(b)", None),
    }


def test_a_form_feed_keeps_a_line_scan_on_the_line_python_numbers(tmp_path):
    """The per-file line scans (a required setting, read at line 4) count lines as the tree does."""
    code = "import os\n\x0c\n\nKEY = os.environ['AUDIT_SIGNING_KEY']\n"
    report = scan_repo(make_repo(tmp_path, {"app/config.py": code, "app/__init__.py": ""}), select="OPS020")
    [finding] = result_of(report, "OPS020").findings
    assert "app/config.py:4 (os.environ[...])" in finding.message
