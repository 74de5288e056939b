""".gitignore and exclude patterns, compiled so that no pattern can make matching hang.

pathspec turns each ``*`` of a pattern into ``[^/]*``. Several of them in one path segment
(``a*a*a*a*b``) make Python's backtracking regex engine try every way to split a long name between
them: four stars against a 250-character name take seconds, nine take forever. A glob whose stars
separate fixed-length pieces never needs that search: the leftmost place where each middle piece
fits is always as good as any later one (the argument ``fnmatch.translate`` relies on too), so
each middle ``*piece`` is matched inside an atomic group that cannot be re-entered. Only the last
star of a segment keeps backtracking, which costs linear time. Each ``**`` may match any number
of folders, and two of them tried every pair of folders; the first now keeps the leftmost folder
that fits (``leftmost_first``). A pattern with more of them than real ignore files use, or a
pattern longer than any real one, is refused, and so is a line pathspec cannot read; each
refusal is reported with its line so the scan can say which rule it did not apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pathspec
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

MAX_PATTERN_CHARS = 1024
"""Longer lines are not patterns a person wrote; real ones are well under 200 characters."""
MAX_DOUBLE_STARS = 2
"""Each leading or inner ``**`` may match any number of folders, so k of them cost the path's
length to the power k; real ignore files use at most two in a pattern (a trailing ``**`` is free)."""

MAX_PATTERNS = 10_000
"""Every path is tested against every pattern; real ignore files hold a few hundred lines."""

_STAR = "[^/]*"


class BoundedGitIgnorePattern(GitIgnoreSpecPattern):
    """A gitignore pattern whose middle ``*`` wildcards match atomically (see the module doc)."""

    @staticmethod
    def _translate_segment_glob(pattern: str, *options: Any) -> str:
        # pathspec 1.1 added an option (how to treat a bad range); pass along whatever it takes
        regex = GitIgnoreSpecPattern._translate_segment_glob(pattern, *options)
        parts = regex.split(_STAR)
        if len(parts) <= 2:
            return regex  # at most one star: backtracking over it is linear
        middle = "".join(f"(?>[^/]*?{part})" for part in parts[1:-1])
        return f"{parts[0]}{middle}{_STAR}{parts[-1]}"


    @classmethod
    def pattern_to_regex(cls, pattern: Any) -> tuple[Any, bool | None]:
        regex, include = super().pattern_to_regex(pattern)
        return (leftmost_first(regex) if isinstance(regex, str) else regex), include


_LEADING_ANY = "^(?:.+/)?"
_INNER_ANY = "(?:/.+)?/"


def leftmost_first(regex: str) -> str:
    """pathspec's regex of a pattern with two ``**`` (``**/a/**/b``), matching the same paths in
    time linear in their depth. Each ``**`` may match any number of folders, so the engine tried
    every folder for ``a`` and, for each, every later one for ``b``: 2,000 such patterns over a
    tree 300 folders deep took minutes. A path matches when some ``a/`` has ``b`` after it, and
    then the leftmost ``a/`` does: the first ``**`` and what follows it up to the second are one
    atomic group, lazy, so the first place that fits is kept and never tried again."""
    if regex.startswith(_LEADING_ANY):
        head, start = "^", len(_LEADING_ANY)
    else:
        first = regex.find(_INNER_ANY)
        if first < 0:
            return regex
        head, start = f"{regex[:first]}/", first + len(_INNER_ANY)
    second = regex.find(_INNER_ANY, start)
    if second < 0:
        return regex  # one ``**``: its backtracking is linear
    return f"{head}(?>(?:.+?/)??{regex[start:second]}/)(?:.+/)?{regex[second + len(_INNER_ANY):]}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RefusedPattern:
    """A line that is not applied, and why, for a note naming the file and the line."""

    line: int
    pattern: str
    reason: str


EVERYTHING = re.compile(r"^/?(?:\*+/)*\*+/?$")
"""``*``, ``**``, ``/*``, ``***/``: a pattern that matches every path. Each run of stars ends at a
slash or the end, so a line of forty stars and an ``x`` is refused in one pass, not in 2**40 ways."""


def compile_patterns(
    lines: Iterable[str], *, at_root: bool = False
) -> tuple[pathspec.GitIgnoreSpec, list[RefusedPattern]]:
    """The usable lines as one spec, and the refused ones with their 1-based line numbers.

    ``at_root``: the scanned repository's top ``.gitignore``. There, a pattern that ignores every
    file with no ``!`` exception after it would leave the scan nothing to judge, and a hostile
    commit must not be able to blind the gate that way: it is refused. (A sub-folder's ``*``,
    which keeps an empty ``data/`` in git, stays honoured.)"""
    lines = list(lines)
    usable: list[str] = []
    refused: list[RefusedPattern] = []
    for number, raw in enumerate(lines, 1):
        if number > MAX_PATTERNS:
            reason = f"over {MAX_PATTERNS:,} lines; the rest is not applied"
            refused.append(RefusedPattern(line=number, pattern="", reason=reason))
            break
        line = raw.rstrip("\r\n")
        problem = pattern_problem(line)
        if problem is None and at_root and _ignores_everything(line, lines[number:]):
            problem = "ignores every file of the repository, which would leave nothing to judge"
        if problem is None:
            usable.append(line)
        else:
            refused.append(RefusedPattern(line=number, pattern=line[:80], reason=problem))
            usable.append("")  # a blank line keeps pathspec's pattern order aligned with the file
    # the bounded pattern is written for Python's ``re`` (an atomic group): pathspec's faster
    # engines (re2, hyperscan), picked when installed, would refuse it and end the scan
    spec = pathspec.GitIgnoreSpec.from_lines(usable, pattern_factory=BoundedGitIgnorePattern, backend="simple")
    return spec, refused


def pattern_problem(line: str) -> str | None:
    """Why ``line`` cannot be used as a gitignore pattern, or ``None`` when it can."""
    if len(line) > MAX_PATTERN_CHARS:
        return f"pattern longer than {MAX_PATTERN_CHARS} characters"
    if len(re.findall(r"(?:^|/)\*\*/", line)) > MAX_DOUBLE_STARS:
        return f"more than {MAX_DOUBLE_STARS} '**' in one pattern"
    try:
        BoundedGitIgnorePattern(line)
    except (ValueError, re.error) as exc:  # pathspec's GitIgnorePatternError is a ValueError
        return f"not a valid pattern ({exc})"
    return None


def _ignores_everything(line: str, after: list[str]) -> bool:
    exceptions = (rest.strip() for rest in after)
    return EVERYTHING.match(line.strip()) is not None and not any(
        rest.startswith("!") and len(rest) > 1 for rest in exceptions
    )
