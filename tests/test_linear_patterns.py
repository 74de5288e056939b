"""Patterns rewritten so a hostile line cannot make them backtrack for minutes: each finds what the
pattern it replaced found (kept here as the reference) on random lines made of the pieces its
paths turn on, and reads hostile lines of the longest length its reader accepts."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator

import pytest
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from gonogo.checks import containers as containers_check
from gonogo.checks import runtime
from gonogo.claims.extract import _DECISION, _PEAK_SUSTAINED, _PRESENCE, _THROUGHPUT, extract, label_count
from gonogo.claims.structure import _SEPARATOR, _TASK, MAX_LINE, parse_lines
from gonogo.claims.vocabulary import build
from gonogo.collectors import deployment, env_contract, image_builds, secrets, web_code
from gonogo.collectors.manifests import tomltext
from gonogo.ignorefiles import BoundedGitIgnorePattern
from gonogo.regex_literals import may_backtrack_exponentially

_NAME = r"([A-Z][A-Z0-9_]{2,})"
_VERDICT = r"CONDITIONAL\s+GO|NO[-\s]GO|GO"
BEFORE = {
    "decision": re.compile(
        rf"(?:\bdecision\b\W*:\W*(?P<a>{_VERDICT})\b|^\W*#*\W*(?P<b>{_VERDICT})\s+DECISION\b)", re.IGNORECASE
    ),
    "label count": re.compile(r"^\W*(?:[-*+]\s+|\d+[.)]\s+)?(?P<label>[^()]*?)\W*\((?P<n>\d+)\)\W*:?\W*$"),
    "separator": re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*\|?\s*$"),
    "task": re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*\[([ xX])\]\s"),
    "dotenv line": re.compile(rf"^[ \t]*(?:export[ \t]+)?#?[ \t]*{_NAME}[ \t]*=", re.MULTILINE),
    "env key": re.compile(rf"^[ \t]*-?[ \t]*(?:name:[ \t]*)?{_NAME}[ \t]*[:=]", re.MULTILINE),
    "declaration": re.compile(rf"^\s*(?:export\s+)?#?\s*{_NAME}\s*="),
    "bare assignment": re.compile(
        secrets.BARE_ASSIGNMENT.pattern.replace(r"^[ \t]*+(?:export[ \t]++)?", r"^[ \t]*(?:export[ \t]+)?")
    ),
    "keyed action": re.compile(r"^(\s*-?\s*[\w./-]+:)\s*\{\{-?(.*?)-?\}\}\s*$"),
    "inline": re.compile(r"\{\{.*?\}\}"),
}
AFTER: dict[str, re.Pattern[str]] = {
    "decision": _DECISION,
    "separator": _SEPARATOR,
    "task": _TASK,
    "dotenv line": env_contract._DOTENV_LINE,
    "env key": env_contract._ENV_KEY,
    "declaration": env_contract._DECLARATION,
    "bare assignment": secrets.BARE_ASSIGNMENT,
    "keyed action": deployment._KEYED_ACTION,
}
PIECES = {
    "decision": [" ", "#", ":", "-", "*", "\t", "x", "decision", "Decision", "GO", "NO-GO", "NO GO",
                 "CONDITIONAL GO", "DECISION"],
    "label count": [" ", "#", "-", "*", "+", "(", ")", "1", "2", ".", ":", "a", "b", "_", "\t", "(3)", "1. ", "- "],
    "separator": [" ", "|", ":", "-", "---", "x", "\t"],
    "task": [" ", "-", "*", "1.", ")", "[ ] ", "[x] ", "[", "]", "x", "\t"],
    "dotenv line": [" ", "\t", "\n", "export", "#", "=", "ABC", "A", "_1", "-", "x"],
    "env key": [" ", "\t", "\n", "-", "name:", "=", ":", "ABC", "A", "_1", "x"],
    "declaration": [" ", "\t", "export", "#", "=", "ABC", "A", "_1", "x"],
    "bare assignment": [" ", "\t", "\n", "export", "-", "key", "password", "=", ":", "s3cr3tV4lue", "#", "'", "x"],
    "keyed action": [" ", "- ", "key:", "a/b:", "{{", "}}", "-}}", "{{-", ".Values.x", "\t"],
    "inline": ["{{", "}}", "{", "}", "x", " ", "}}}"],
    "test id": ["[", "]", "a", "\n", "-", "x[", "]"],
    "env arguments": ["A", "b", "_", "1", ".", "-", "=", '"', "'", " ", "é", "x=y"],
    "toml section": ["[", "]", "[[", "]]", " ", ".", "a", "b", "#", "x"],
}


def _found(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


def _lines(name: str, count: int = 3000) -> Iterator[str]:
    chooser = random.Random(name)
    for _ in range(count):
        yield "".join(chooser.choice(PIECES[name]) for _ in range(chooser.randint(0, 16)))


@pytest.mark.parametrize("name", sorted(AFTER))
def test_a_rewritten_pattern_finds_what_it_replaced(name):
    found = 0
    for text in _lines(name):
        expected = _found(BEFORE[name], text)
        assert _found(AFTER[name], text) == expected, text
        found += bool(expected)
    assert found > 30  # the lines reach the matching paths, not only the failing ones


def _label_before(text: str) -> tuple[str, int] | None:
    match = BEFORE["label count"].match(text)
    return (match.group("label"), int(match.group("n"))) if match else None


def _env_before(arguments: str) -> list[tuple[str, str]]:
    pattern = r"([A-Za-z_][\w.-]*)=(\"[^\"]*\"|'[^']*'|\S*)"
    return [(m.group(1), m.group(2).strip("\"'")) for m in re.finditer(pattern, arguments)]


def _env_after(arguments: str) -> list[tuple[str, str]]:
    return containers_check._assignments("A=1 " + arguments)[1:]


def _section_before(line: str) -> str | None:
    found = re.match(r"^\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(#.*)?$", line)
    return re.sub(r"\s*\.\s*", ".", found.group(1)) if found else None


def _section_after(line: str) -> str | None:
    finder = tomltext.LineFinder(line + "\n")
    return next(iter(finder._sections), None)


REPLACED: dict[str, tuple[Callable[[str], object], Callable[[str], object]]] = {
    "label count": (_label_before, label_count),
    "inline": (lambda text: BEFORE["inline"].sub(deployment._TEMPLATED, text), deployment._untemplated),
    "test id": (lambda name: re.sub(r"\[.*\]$", "", name), runtime._without_parameters),
    "env arguments": (_env_before, _env_after),
    "toml section": (_section_before, _section_after),
}


@pytest.mark.parametrize("name", sorted(REPLACED))
def test_a_function_that_replaced_a_pattern_gives_its_answers(name):
    before, after = REPLACED[name]
    answered = 0
    for text in _lines(name, 6000):
        expected = before(text)
        assert after(text) == expected, text
        answered += expected not in (None, text, [])
    assert answered > 30


def test_quoted_toml_strings_are_those_finditer_found():
    chooser = random.Random("quoted")
    pieces = ['"', "'", "\\", "a", " ", '\\"', "=", "b"]
    for _ in range(6000):
        line = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 16)))
        assert [m.span() for m in tomltext._quoted_strings(line)] == [m.span() for m in tomltext._QUOTED.finditer(line)]


HOSTILE_LINES = [
    "#" * MAX_LINE,
    "- " * (MAX_LINE // 2),
    " " * (MAX_LINE - 3) + "(x)",
    "#" * 2000 + "a(b" + "#" * 1900 + "(5)",
    "decision" + ":" * (MAX_LINE - 8),
    "1" * MAX_LINE,
    "a" * (MAX_LINE - 20) + " present in 5 of x",
    "| " + " " * (MAX_LINE - 4) + " x",
    " " * (MAX_LINE - 4) + "[ ]x",
    "overall " * 6 + "score" * 6 + "1" * 3900,
    "1" + ",111" * 999,
]


def test_a_report_of_hostile_lines_states_nothing():
    """Each line took from a second to seven minutes to read; a report holds 250 of them."""
    lines = parse_lines(tuple(HOSTILE_LINES))
    assert extract(lines, build()) == ()


def test_figures_still_start_at_their_first_digit():
    assert [m.group("n") for m in _THROUGHPUT.finditer("12,500 RPS and 3.5k req/s")] == ["12,500", "3.5"]
    assert _PEAK_SUSTAINED.search("Load: 1200 peak (800 sustained)").group("sus") == "800"
    assert _PRESENCE.search("boto3 present in 2/7 requirements.txt files").group("pkg") == "boto3"


@pytest.mark.parametrize(
    ("reader", "text"),
    [
        (env_contract._declarations, "\t" * 200_000 + "x\n"),
        (tomltext._quoted_strings, '"\\' * 100_000),
        (deployment._untemplated, "}} " + "{{ x " * 100_000),
        (image_builds.tags, "function f" + " " * 200_000 + "(x\n" + 'docker build -t "$1" .\n'),
        (image_builds._bake_targets, " " * 200_000 + "target" + " " * 200_000 + "x {\n"),
        (image_builds._BAKE_TARGET_CONTEXT.findall, " " * 200_000 + "base" + " " * 200_000 + "= x\n"),
    ],
    ids=["dotenv blanks", "toml escapes", "helm braces", "shell function blanks", "bake target blanks",
         "bake context blanks"],
)
def test_hostile_lines_are_read_once(reader, text):
    """Each read its line again from every start: minutes at these lengths."""
    assert not list(reader(text)) or reader is deployment._untemplated


@pytest.mark.parametrize(
    ("source", "exponential"),
    [
        (".*", False),
        ("https?://.*", False),
        (r"^https://([a-z0-9-]+\.)?example\.com$", False),
        (r"^https://.*\.example\.com$", False),
        ("(.|.|.)*!", True),
        ("(a+)+$", True),
        (r"(\w+\.)*x", True),
        ("[", True),  # unreadable: not run either
    ],
)
def test_a_pattern_a_repository_supplies_is_run_only_when_it_cannot_backtrack_exponentially(source, exponential):
    assert may_backtrack_exponentially(source) is exponential


def test_a_hostile_cors_origin_pattern_is_not_run_here_and_is_named_as_not_judged():
    """30 bytes of ``(.|.|.)*!`` in a repository's settings took longer than any scan may: it runs
    in a child stopped after a moment (``bounded_match``), and what it would allow stays unjudged."""
    settings = "CORS_ALLOW_CREDENTIALS = True\nCORS_ALLOWED_ORIGIN_REGEXES = [{!r}]\n"
    hostile = web_code.web_module(settings.format("(.|.|.)*(.|.|.)*!").encode())
    assert (hostile.cors_trust, hostile.unjudged_origins) == ((), (2,))
    permissive = web_code.web_module(settings.format("https?://.*").encode())
    assert ([t.line for t in permissive.cors_trust], permissive.unjudged_origins) == ([2], ())


GITIGNORE_PATTERNS = ["**/a/**/b", "a/**/b/**/c", "**/a/b/**/c", "**/a*/**/b.py", "/a/**/b/**", "**/a/**/b/",
                      "x/**/a/**", "**/a/**/*.py", "a/**/b", "**/b", "**/a?/**/b", "a/**/a/**/a"]


@pytest.mark.parametrize("pattern", GITIGNORE_PATTERNS)
def test_a_two_star_gitignore_pattern_matches_the_paths_pathspec_matched(pattern):
    """The first ``**`` keeps the leftmost folder that fits (``leftmost_first``): same paths, same
    folder-or-file answer, in one pass over the path."""
    plain, bounded = GitIgnoreSpecPattern(pattern).regex, BoundedGitIgnorePattern(pattern).regex
    chooser = random.Random(pattern)
    matched = 0
    for _ in range(4000):
        path = "/".join(chooser.choice(["a", "b", "c", "ab", "a1", "b.py", "x", "aa"]) for _ in range(chooser.randint(1, 7)))
        path += "/" if chooser.random() < 0.3 else ""
        expected = plain.match(path)
        found = bounded.match(path)
        assert (found and found.groupdict()) == (expected and expected.groupdict()), path
        matched += expected is not None
    assert matched > 20


def test_a_two_star_pattern_reads_a_deep_path_once():
    """2,000 such patterns over a tree 300 folders deep took minutes: each tried every pair."""
    path = "/".join(["a"] * 2000) + "/x.py"
    assert BoundedGitIgnorePattern("**/a/**/b").regex.match(path) is None
    assert BoundedGitIgnorePattern("**/a/**/x.py").regex.match(path) is not None
