"""Machine-read reports are indented for a person until they are too big to read by eye, then
written compact (the standard library's C encoder): the same document either way."""

from __future__ import annotations

import json

from gonogo.reporters.json_text import COMPACT_FROM, dumps

DOCUMENT = {"findings": [{"path": "é/a.py", "line": 3, "tags": ["x", None, 1.5]}], "ok": True}


def test_a_normal_report_is_indented_and_keeps_non_ascii_text() -> None:
    text = dumps(DOCUMENT, COMPACT_FROM - 1)
    assert text.startswith('{\n  "findings": [\n') and "é/a.py" in text and text.endswith("}\n")


def test_a_huge_report_is_compact_and_parses_to_the_same_document() -> None:
    compact, indented = dumps(DOCUMENT, COMPACT_FROM), dumps(DOCUMENT, 0)
    assert "\n" not in compact.rstrip("\n") and compact.endswith("\n") and "é/a.py" in compact
    assert json.loads(compact) == json.loads(indented) == DOCUMENT
