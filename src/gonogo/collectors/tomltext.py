"""Helpers for manifests written in TOML: parse errors with their line, and finding the line of a
value (``tomllib`` keeps no positions, so a value's line is found by searching the text)."""

from __future__ import annotations

import re
import tomllib
from typing import Any

_AT_LINE = re.compile(r"\(at line (\d+)")


def load_toml(text: str) -> tuple[dict[str, Any] | None, tuple[int | None, str] | None]:
    """The parsed document, or ``None`` and (line, reason) for why it is not TOML."""
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        found = _AT_LINE.search(str(exc))
        return None, (int(found.group(1)) if found else None, f"invalid TOML: {exc}")


class LineFinder:
    """Finds the line where a value is written, taking each occurrence once, in order."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._used: set[int] = set()

    def section(self, header: str) -> int | None:
        """The line of ``[header]`` (or ``[[header]]``)."""
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(header)}\s*\]\]?\s*(#.*)?$")
        return next((i + 1 for i, line in enumerate(self._lines) if pattern.match(line)), None)

    def find(self, needle: str, after: int | None = None) -> int | None:
        """The first not-yet-taken line at or after ``after`` containing ``needle``."""
        start = (after or 1) - 1
        for index in range(start, len(self._lines)):
            if index not in self._used and needle in self._lines[index]:
                self._used.add(index)
                return index + 1
        if after:
            return self.find(needle)
        return None

    def key(self, name: str, after: int | None = None) -> int | None:
        """The line assigning ``name = ...`` (bare or quoted key)."""
        pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=")
        start = (after or 1) - 1
        for index in range(start, len(self._lines)):
            if pattern.match(self._lines[index]):
                return index + 1
        return None
