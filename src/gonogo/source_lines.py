"""The lines of a Python file as Python numbers them.

``str.splitlines`` also ends a line at a form feed, a vertical tab, the file, group and record
separators, NEL and the Unicode line and paragraph separators. Python's tokenizer, and so every
``lineno`` of a syntax tree and every row ruff reports, ends a line only at ``\\n``, ``\\r\\n`` and
``\\r``. A form feed, still found as a page break in older code, would otherwise put each later
finding's quoted line, fingerprint and suppression comment one line off the finding.
"""

from __future__ import annotations

import itertools
import re


def python_lines(text: str) -> list[str]:
    """``text`` split where Python ends its lines, without the breaks; a final break ends the last
    line rather than starting an empty one (as ``splitlines`` does). String methods only: this
    runs over every file a finding quotes, and a regular expression split cost ten times more."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def python_line_starts(text: str, lines: list[str] | None = None) -> list[int]:
    """The offset in ``text`` at which each line of :func:`python_lines` starts (``lines``: those
    lines, when the caller has them already)."""
    if lines is None:
        lines = python_lines(text)
    if "\r" in text:  # a break may be one character or two: found where it is
        breaks: list[int] = [match.end() for match in _BREAK.finditer(text)]
    else:  # most files: each line and its one-character break, summed from the split already made
        breaks = list(itertools.accumulate(len(line) + 1 for line in lines))
    return [0, *breaks][: len(lines)]


_BREAK = re.compile(r"\r\n|\r|\n")
