"""Untrusted text made safe for each place it is shown: the terminal, Markdown, and a file on disk.

Everything a report quotes (file names, messages, evidence, config keys, archive members) comes
from a repository gonogo does not trust. A file name can hold rich markup (``a[/bold]b.py``),
terminal escape sequences (ANSI colours, OSC 8 links, a title change), line breaks that start a
new Markdown heading (``\\n\\n# Production readiness: GO``), Markdown links to an outside site, or
bytes that are not UTF-8 (carried by Python as lone surrogates). Each reporter passes such text
through one of these functions, so no reporter needs to know every trick.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
"""C0 and C1 controls (ESC, CSI, BEL, line breaks...), DEL, zero-width and bidirectional overrides (the
"Trojan Source" characters), line and paragraph separators, and lone surrogates."""
_SURROGATE = re.compile("[\ud800-\udfff]")
_MARKDOWN_SPECIAL = re.compile(
    r"[\\`*\[\]|]|<(?=[A-Za-z/!?])|&(?=[A-Za-z#])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])"
)
"""Characters that can open code, emphasis, a link or image, an autolink or raw HTML, a table cell
or an entity; ``<``, ``&`` and ``_`` only where they could (``<= 5``, ``snake_case`` cannot). Line breaks are
gone before this runs, so nothing can start a heading or a list. Escaped with a backslash, each
prints as itself (CommonMark 2.4)."""
_BACKTICKS = re.compile(r"`+")


def visible(char: str) -> str:
    """A control character as its escape, so the reader sees it was there: ``\\x1b``."""
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def terminal_text(text: str) -> str:
    """``text`` with every control character shown as an escape and no line breaks: an escape
    sequence cannot recolour, retitle or rewrite the terminal, nor a name fake a line of output.
    Print it as a rich ``Text`` (or with ``markup=False``) so brackets stay brackets."""
    return _CONTROL.sub(lambda m: visible(m.group(0)), text.replace("\t", " "))


def one_line(text: str) -> str:
    """``text`` on one line, controls shown as escapes: for reports read as lines (Markdown)."""
    return terminal_text(text)


def markdown_inline(text: str) -> str:
    """``text`` as literal Markdown inline content: one line, every character that could start
    a heading, a link, an image, emphasis, code, raw HTML or a table cell escaped."""
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), one_line(text))


def markdown_code(text: str) -> str:
    """``text`` as a Markdown code span: fenced with one more backtick than the longest run it
    holds, so a backtick in a file name cannot close the span early."""
    text = one_line(text)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def writable(text: str) -> str:
    """``text`` that encodes to UTF-8: a file name that was not UTF-8 reaches us with lone
    surrogates (``surrogateescape``), which cannot be written; each becomes U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text
