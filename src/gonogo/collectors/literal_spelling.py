"""What a file's string literals may spell without writing it.

Cheap tests on a file's text (does it name a secret at all?) decide which files some rules read in
full. A string literal can spell a word without writing it: ``"DB_PASS\\x57ORD"`` (an escape) or
``"DB_PASS" "WORD"`` (adjacent literals, which the parser joins). A test on the text as written
misses both, so a contributor who wants a secret past the gate had only to write it so.

:func:`spelt_out` gives the other texts such a test must also look at: the text with every escape
that can stand for a letter spelt out, and that text with adjacent literals joined where a word
could run across them. A word any literal's value holds is in the text or in one of these; they
may hold words no literal does (an escaped backslash before ``x41``, a raw string), which only
sends a file to the rule that reads its tree.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}\n]{1,100}\}|[0-7]{1,3})")
"""The escapes that can stand for a letter, a digit or ``_`` (``\\n``, ``\\t`` and the like cannot)."""
_JOIN = re.compile(
    r"""["'](?<=\w["'])(?:[\s\\]|#[^\n]*+|[rRbBuUfF]{0,2}["']{2})*+[rRbBuUfF]{0,2}["'](?=\w)"""
)
"""Between a word character that ends one literal and one that starts the next: the quotes, the
blanks, comments and line continuations, the prefix (``u``, ``rb``) and any empty literal. It
starts at a quote (the regular expression skips to those), and each part is taken whole
(possessive), so a long line of quotes or blanks is read once from each start."""


@functools.lru_cache(maxsize=1)
def spelt_out(text: str) -> tuple[str, ...]:
    """``text``'s escapes spelt out, and then its adjacent literals joined: each, when it differs
    from the text before it. Remembered for the last text: two rules of one file's pass ask in turn."""
    found: list[str] = []
    decoded = _ESCAPE.sub(_character, text) if "\\" in text else text
    if decoded != text:
        found.append(decoded)
    joined = _JOIN.sub("", decoded)
    if joined != decoded:
        found.append(joined)
    return tuple(found)


def _character(match: re.Match[str]) -> str:
    escape = match.group(0)
    kind = escape[1]
    if kind == "N":
        try:
            return unicodedata.lookup(escape[3:-1])
        except KeyError:
            return escape  # no such character: Python refuses the file, there is nothing to spell
    code = int(escape[1:], 8) if kind.isdigit() else int(escape[2:], 16)
    return chr(code) if code <= 0x10FFFF else escape
