"""A script's inline metadata (PEP 723): the parser agrees with the PEP's reference regular
expression, reads the dependencies, says what it cannot read, and stays linear on hostile text."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from gonogo.collectors.script_metadata import MAX_REQUIREMENTS, InlineScript, ScriptRequirement, inline_script
from gonogo.collectors.script_metadata import _blocks as blocks_of

PEP_723_REGEX = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"
"""The reference implementation's expression, copied from the PEP."""

FLEXGET_HEADER = '''# /// script
# requires-python = ">=3.10"
# dependencies = [
#     "gitpython~=3.1",
#     "Requests[socks] >= 2.32",
# ]
# ///
from git import Repo
'''


def _reference(text: str) -> list[tuple[str, str]]:
    """(type, content) of each block, as the PEP's reference implementation reads them."""
    return [
        (match.group("type"), "".join(
            line[2:] if line.startswith("# ") else line[1:]
            for line in match.group("content").splitlines(keepends=True)
        ))
        for match in re.finditer(PEP_723_REGEX, text)
    ]


LINES = st.sampled_from([
    "# /// script", "# /// pyproject", "# ///", "# ///x", "#", "# a = 1", '# dependencies = ["x"]', "#no space",
    " # /// script", "x = 1", "", "# /// script ", "# /// a-b-9",
])


@settings(max_examples=600, deadline=None, derandomize=True, database=None, phases=(Phase.generate,),
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=14), st.booleans())
def test_blocks_are_the_ones_the_reference_expression_finds(lines: list[str], final_newline: bool) -> None:
    text = "\n".join(lines) + ("\n" if final_newline else "")
    assert [(kind, content) for kind, _, content in blocks_of(text.split("\n"))] == _reference(text)


def test_a_scripts_dependencies_are_read() -> None:
    """Flexget's ``scripts/update_changelog.py`` declares gitpython in its header."""
    assert inline_script(FLEXGET_HEADER) == InlineScript(line=1, requirements=(
        ScriptRequirement(name="gitpython", specifier="~=3.1"),
        ScriptRequirement(name="Requests", specifier=">=2.32", extras=("socks",)),
    ))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "import os\n",
        "# /// script\n# ///\n",  # no line of content: the expression finds no block
        "# /// script\n# dependencies = []\n",  # never closed
        "# /// script\n# dependencies = ['x']\nimport os\n# ///\n",  # closed after the comments end
        "# /// pyproject\n# [project]\n# ///\n",  # another type
        "#/// script\n# a = 1\n# ///\n",
        "x = '''\n# /// scripts\n# a = 1\n# ///\n'''\n",
    ],
    ids=["empty", "no block", "empty block", "unclosed", "closed too late", "another type", "no space",
         "a type that is not script"],
)
def test_no_script_block_is_none(text: str) -> None:
    assert inline_script(text) is None


def test_a_block_with_no_dependencies_declares_nothing() -> None:
    assert inline_script('# /// script\n# requires-python = ">=3.11"\n# ///\n') == InlineScript(line=1)
    assert inline_script("# /// script\n#\n# ///\n") == InlineScript(line=1)


def test_a_windows_file_is_read_as_python_reads_it() -> None:
    script = inline_script(FLEXGET_HEADER.replace("\n", "\r\n"))
    assert script is not None and [r.name for r in script.requirements] == ["gitpython", "Requests"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("# /// script\n# dependencies = [\n# ///\n", "the script block is not TOML: "),
        ('# /// script\n# dependencies = "gitpython"\n# ///\n', "dependencies is str, not an array"),
        ("# /// script\n# dependencies = [1, {a = 2}]\n# ///\n", "dependency '1' is not a string"),
        ('# /// script\n# dependencies = ["git python >>> 3"]\n# ///\n', "not a valid requirement 'git python >>> 3'"),
        ("# /// script\n# a = 1\n# ///\nx = 1\n# /// script\n# b = 2\n# ///\n", "2 script blocks (lines 1, 5): none is read"),
        ("# /// script\n# n = " + "9" * 5000 + "\n# ///\n", "the script block is not TOML: "),
        ("# /// script\n# dependencies = " + "[" * 50_000 + "\n# ///\n", "the script block is "),
    ],
    ids=["not TOML", "not an array", "not a string", "not PEP 508", "two script blocks", "an integer too long",
         "nested 50,000 deep"],
)
def test_a_block_that_cannot_be_read_says_why_and_declares_nothing_from_it(text: str, problem: str) -> None:
    script = inline_script(text)
    assert script is not None and script.line == 1
    assert script.requirements == () and script.problems[0].startswith(problem)


def test_the_valid_entries_of_a_partly_broken_list_still_count() -> None:
    script = inline_script('# /// script\n# dependencies = ["click", 3, "bad name!!"]\n# ///\n')
    assert script is not None and [r.name for r in script.requirements] == ["click"]
    assert len(script.problems) == 2


def test_a_huge_dependency_list_is_read_up_to_its_bound() -> None:
    entries = ", ".join(f'"p{i}"' for i in range(MAX_REQUIREMENTS + 500))
    script = inline_script(f"# /// script\n# dependencies = [{entries}]\n# ///\n")
    assert script is not None and len(script.requirements) == MAX_REQUIREMENTS
    assert script.problems == (f"{MAX_REQUIREMENTS + 500} dependencies: only the first {MAX_REQUIREMENTS} are read",)


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        inline_script(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "# /// script\n" * n,
        lambda n: "# /// script\n" * n + "# ///\n",
        lambda n: "# /// script\n" + "# a\n" * n + "x\n# ///\n",
        lambda n: ("# /// script\n# ///\n" * n),
    ],
    ids=["opening lines, never closed", "opening lines, closed once", "a long run closed too late",
         "empty blocks"],
)
def test_hostile_openings_are_read_in_linear_time(make: Callable[[int], str]) -> None:
    """The reference expression reads the rest of a comment run from every opening line in it:
    20,000 openings with no closing cost it about a minute. The parser reads each run once."""
    n = 20_000
    small, large = _seconds(make(n)), _seconds(make(4 * n))
    assert large < 9 * max(small, 1e-4), f"{small * 1000:.1f} ms -> {large * 1000:.1f} ms for 4x the lines"


@settings(max_examples=400, deadline=None, derandomize=True, database=None, phases=(Phase.generate,),
          suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_block_content_is_read_or_named_never_raised(content: str) -> None:
    """Whatever a block holds (control characters, quotes, brackets, surrogates), the parser
    returns the block with its problems; nothing escapes."""
    body = "".join(f"# {line}\n" for line in content.split("\n"))
    script = inline_script(f"# /// script\n{body}# ///\n")
    assert script is not None and script.line == 1
    assert all(isinstance(problem, str) and problem for problem in script.problems)
