"""JSON text for the machine-read reports (JSON, SARIF, Code Climate) and the history's stored
runs: indented for a person reading a normal report, compact for a huge one.

The standard library encodes indented JSON in Python and compact JSON in C; on a report of
100,000 findings the indented SARIF log alone took longer than the scan. Past ``COMPACT_FROM``
findings nobody reads the file by eye, so it is written compact: the same document, byte for byte
the same once parsed.

The text is made by orjson, which writes what ``json.dumps(..., ensure_ascii=False)`` writes, with
and without indentation, about thirty times faster: on sympy, the report and the history's copy
of it were a sixth of a warm scan. Two kinds of value it writes differently still parse the same:
a float below 1e-4 (``0.00001`` for ``1e-05``), and NaN or infinity, which it writes ``null``
where the standard library wrote ``NaN``, which no JSON parser but Python's reads. What orjson
refuses (an integer past 64 bits, a string with a lone surrogate, a key that is not a string)
is written by the standard library, as before.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

COMPACT_FROM = 5_000
"""Findings from which the machine-read reports are written without indentation."""


def dumps(document: Any, findings: int) -> str:
    """``document`` as JSON text ending in a newline; non-ASCII text kept as it is."""
    indent = findings < COMPACT_FROM
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 if indent else 0).decode("utf-8") + "\n"
    except orjson.JSONEncodeError:
        if indent:
            return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def sorted_dumps(document: Any) -> str:
    """``document`` as compact JSON with its keys sorted, as the history stores a run's report."""
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(document, sort_keys=True)
