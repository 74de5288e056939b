"""Helpers for manifests written in TOML: parse errors with their line, and finding the line of a
value (``tomllib`` keeps no positions, so a value's line is found by searching the text).

Both are bounded for hostile files: a document nested 50,000 deep is an error, not a crash, and
lines are found through indexes built in one pass, so a manifest with 300,000 dependencies costs
linear time instead of one scan of the text per dependency.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

_AT_LINE = re.compile(r"\(at line (\d+)")
_SECTION = re.compile(r"^\s*+\[\[?([^\[\]#]++)\]\]?\s*+(#.*)?$")
r"""A table's header; its name is stripped afterwards (:func:`_section_name`): ``\s*`` on both
sides of a lazy name split a run of blanks in it every way."""
_KEY = re.compile(r"^\s*[\"']?([^\"'=\s]+)[\"']?\s*=")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'')
_QUOTE = re.compile(r"[\"']")


def _quoted_strings(line: str) -> Iterator[re.Match[str]]:
    """What ``_QUOTED.finditer(line)`` finds, without trying the starts that must fail: once a
    ``"`` finds no closing quote, no later ``"`` does (escapes parse the same from it), and once a
    ``'`` does not, no later ``'`` is left. ``finditer`` read the rest of the line from each."""
    alive = {'"', "'"}
    position = 0
    while alive and (start := _QUOTE.search(line, position)) is not None:
        quote = start.group(0)
        if quote not in alive:
            position = start.end()
            continue
        found = _QUOTED.match(line, start.start())
        if found is None:
            alive.discard(quote)
            position = start.end()
        else:
            yield found
            position = found.end()


MAX_FALLBACK_STEPS = 2_000_000
"""Lines searched for values the indexes cannot see (a string with escapes), per file."""


def load_toml(text: str) -> tuple[dict[str, Any] | None, tuple[int | None, str] | None]:
    """The parsed document, or ``None`` and (line, reason) for why it is not TOML."""
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        found = _AT_LINE.search(str(exc))
        return None, (int(found.group(1)) if found else None, f"invalid TOML: {exc}")
    except ValueError as exc:  # an integer past Python's 4,300-digit limit for reading one
        return None, (None, f"invalid TOML: {exc}")
    except RecursionError:
        return None, (None, "invalid TOML: nested too deeply to parse")


def type_name(value: object, *, json: bool = False) -> str:
    """What a TOML (or JSON) value is, in the words of that format, for an error message."""
    match value:
        case bool():
            return "a boolean"
        case dict():
            return "an object" if json else "a table"
        case list():
            return "an array"
        case str():
            return "a string"
        case int() | float():
            return "a number"
        case None:
            return "null"
        case _:
            return f"a {type(value).__name__}"


class _Taken:
    """Sorted line numbers, each handed out once: the next free one at or after a line, found
    with a bisection and a union-find over taken slots, so n takes cost about n log n."""

    def __init__(self, numbers: list[int]) -> None:
        self._numbers = numbers
        self._next = list(range(len(numbers) + 1))

    def _free(self, index: int) -> int:
        root = index
        while self._next[root] != root:
            root = self._next[root]
        while self._next[index] != root:  # path compression
            self._next[index], index = root, self._next[index]
        return root

    def take(self, after: int) -> int | None:
        index = self._free(bisect.bisect_left(self._numbers, after))
        if index >= len(self._numbers):
            return None
        self._next[index] = index + 1
        return self._numbers[index]


class _Unused:
    """Line indexes not yet taken by a substring search, skipped over in near-constant time (a
    next-free pointer with path compression): values listed in order, one a line (setup.cfg's
    ``install_requires``), then cost one step each instead of a walk over every taken line."""

    def __init__(self, size: int) -> None:
        self._next = list(range(size + 1))

    def take_from(self, index: int) -> int:
        """The first unused index at or after ``index`` (``size`` when none is left)."""
        index = root = min(max(index, 0), len(self._next) - 1)
        while self._next[root] != root:
            root = self._next[root]
        while self._next[index] != root:
            self._next[index], index = root, self._next[index]
        return root

    def use(self, index: int) -> None:
        self._next[index] = index + 1


def _section_name(inside: str) -> str:
    r"""The name between a header's brackets, as ``\s*([^\[\]#]+?)\s*`` and dotted parts joined
    without their blanks read it: stripped, or its last blank when it is only blanks."""
    name = inside.strip() or inside[-1]
    return ".".join(part.strip() for part in name.split(".")) if name.strip() else name


class LineFinder:
    """Finds the line where a value is written, taking each occurrence once, in order."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._sections: dict[str, int] = {}
        self._keys: dict[str, list[int]] = defaultdict(list)
        self._strings: dict[str, list[int]] = defaultdict(list)
        for number, line in enumerate(self._lines, 1):
            self._index(number, line)
        self._taken: dict[str, _Taken] = {}
        self._unused = _Unused(len(self._lines))
        self._fallback_steps = 0

    def _index(self, number: int, line: str) -> None:
        section = _SECTION.match(line)
        if section:
            self._sections.setdefault(_section_name(section.group(1)), number)
        key = _KEY.match(line)
        if key:
            self._keys[key.group(1)].append(number)
        if '"' in line or "'" in line:
            for found in _quoted_strings(line):
                value = found.group(1) if found.group(1) is not None else found.group(2)
                strings = self._strings[value]
                if not strings or strings[-1] != number:
                    strings.append(number)

    def section(self, header: str) -> int | None:
        """The line of ``[header]`` (or ``[[header]]``)."""
        return self._sections.get(header)

    def find(self, needle: str, after: int | None = None) -> int | None:
        """The first not-yet-taken line at or after ``after`` holding ``needle`` as a quoted
        string (then, failing that, anywhere); lines holding it otherwise are searched last."""
        if needle in self._strings:
            taken = self._taken.setdefault(needle, _Taken(self._strings[needle]))
            line = taken.take(after or 1)
            if line is None and after:
                line = taken.take(1)
            if line is not None:
                return line
        return self._scan(needle, after)

    def _scan(self, needle: str, after: int | None) -> int | None:
        """A substring search, for a value written with escapes or over several lines; bounded
        per file, since a file of such values would otherwise cost quadratic time."""
        index = self._unused.take_from((after or 1) - 1)
        while index < len(self._lines):
            self._fallback_steps += 1
            if self._fallback_steps > MAX_FALLBACK_STEPS:
                return None
            if needle in self._lines[index]:
                self._unused.use(index)
                return index + 1
            index = self._unused.take_from(index + 1)
        if after:
            return self._scan(needle, None)
        return None

    def key(self, name: str, after: int | None = None) -> int | None:
        """The line assigning ``name = ...`` (bare or quoted key)."""
        numbers = self._keys.get(name)
        if not numbers:
            return None
        index = bisect.bisect_left(numbers, after or 1)
        return numbers[index] if index < len(numbers) else None
