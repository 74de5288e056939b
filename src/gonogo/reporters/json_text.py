"""JSON text for the machine-read reports (JSON, SARIF, Code Climate): indented for a person
reading a normal report, compact for a huge one.

The standard library encodes indented JSON in Python and compact JSON in C; on a report of
100,000 findings the indented SARIF log alone took longer than the scan. Past ``COMPACT_FROM``
findings nobody reads the file by eye, so it is written compact: the same document, byte for byte
the same once parsed."""

from __future__ import annotations

import json
from typing import Any

COMPACT_FROM = 5_000
"""Findings from which the machine-read reports are written without indentation."""


def dumps(document: Any, findings: int) -> str:
    """``document`` as JSON text ending in a newline; non-ASCII text kept as it is."""
    if findings >= COMPACT_FROM:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
