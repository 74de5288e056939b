"""Markdown structure per line, from markdown-it tokens: which lines are headings, list items,
task items, table rows or code, and under which heading and table header each line sits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

# a line longer than this is data (a dump, a minified blob), not a sentence a reader checks
MAX_LINE = 4000
# each run of blanks taken whole (``*+``): split between two ``\s*`` it was read again and again
_SEPARATOR = re.compile(r"^\s*+\|?(?:\s*+:?-{3,}:?\s*\|)+\s*+:?-*:?\s*\|?\s*$")
_TASK = re.compile(r"^\s*+(?:[-*+]|\d+[.)])?\s*\[([ xX])\]\s")
# a fence with a language holds code (commands, examples); a bare fence holds prose drawn in ASCII
_PROSE_FENCES = {"", "text", "txt", "plain", "plaintext"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    number: int
    text: str
    block: str  # heading, paragraph, item, row, header, code, blank
    section: str = ""
    header: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()
    checked: bool | None = None
    depth: int = 0


def parse_lines(lines: tuple[str, ...]) -> tuple[Line, ...]:
    """Classify every line; ``section`` is the text of the nearest heading above it."""
    kinds = _block_kinds("\n".join(lines))
    out: list[Line] = []
    section = ""
    header: tuple[str, ...] = ()
    for index, text in enumerate(lines):
        kind, depth = kinds.get(index, ("paragraph" if text.strip() else "blank", 0))
        if len(text) > MAX_LINE:
            kind = "long"
        elif kind == "paragraph" and _SEPARATOR.match(text):
            kind = "separator"
        if kind == "heading":
            section = strip_markup(text.lstrip("#"))
        cells: tuple[str, ...] = ()
        if kind in ("row", "header"):
            cells = split_row(text)
            if kind == "header":
                header = cells
        elif kind not in ("blank", "separator", "long"):
            header = () if kind != "row" else header
        task = _TASK.match(text) if kind in ("item", "paragraph", "fence_text") else None
        out.append(
            Line(
                number=index + 1,
                text=text,
                block="item" if task and kind == "fence_text" else kind,
                section=section,
                header=header if kind == "row" else (),
                cells=cells,
                checked=(task.group(1).lower() == "x") if task else None,
                depth=depth,
            )
        )
    return tuple(out)


def _block_kinds(source: str) -> dict[int, tuple[str, int]]:
    """0-based line -> (kind, list depth) from the token stream's line maps."""
    kinds: dict[int, tuple[str, int]] = {}
    depth = 0
    in_header = False
    for token in MarkdownIt("commonmark").enable("table").parse(source):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "thead_open":
            in_header = True
        elif token.type == "thead_close":
            in_header = False
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "heading_open":
            _mark(kinds, start, end, "heading", depth)
        elif token.type == "list_item_open":
            kinds[start] = ("item", depth)
        elif token.type == "tr_open":
            _mark(kinds, start, end, "header" if in_header else "row", depth)
        elif token.type == "fence":
            info = token.info.strip().split(" ")[0].lower()
            kind = "fence_text" if info in _PROSE_FENCES else "code"
            _mark(kinds, start + 1, end - 1, kind, depth)
            kinds[start] = kinds[end - 1] = ("code", depth)
        elif token.type in ("code_block", "html_block"):  # markup states nothing
            _mark(kinds, start, end, "code", depth)
    return kinds


def _mark(kinds: dict[int, tuple[str, int]], start: int, end: int, kind: str, depth: int) -> None:
    for index in range(start, end):
        kinds[index] = (kind, depth)


def split_row(text: str) -> tuple[str, ...]:
    """The cells of a pipe table row, markup stripped."""
    body = text.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return tuple(strip_markup(cell) for cell in re.split(r"(?<!\\)\|", body))


def strip_markup(text: str) -> str:
    """Emphasis and code marks removed, spaces collapsed: the words a reader sees."""
    return " ".join(re.sub(r"\*\*|__|`", "", text).split())
