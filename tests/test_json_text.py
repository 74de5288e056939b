"""Machine-read reports are indented for a person until they are too big to read by eye, then
written compact: the same document either way, and the text the standard library would write."""

from __future__ import annotations

import json

from gonogo.reporters.json_text import COMPACT_FROM, dumps, sorted_dumps

DOCUMENT = {"findings": [{"path": "é/a.py", "line": 3, "tags": ["x", None, 1.5]}], "ok": True}


def test_a_normal_report_is_indented_and_keeps_non_ascii_text() -> None:
    text = dumps(DOCUMENT, COMPACT_FROM - 1)
    assert text.startswith('{\n  "findings": [\n') and "é/a.py" in text and text.endswith("}\n")


def test_a_huge_report_is_compact_and_parses_to_the_same_document() -> None:
    compact, indented = dumps(DOCUMENT, COMPACT_FROM), dumps(DOCUMENT, 0)
    assert "\n" not in compact.rstrip("\n") and compact.endswith("\n") and "é/a.py" in compact
    assert json.loads(compact) == json.loads(indented) == DOCUMENT


TYPICAL = {
    "decision": "NO_GO",
    "empty": {"list": [], "dict": {}, "text": ""},
    "text": 'quote " backslash \\ tab \t newline \n nul \x00 del \x7f line-sep \u2028 emoji \U0001f600 é',
    "numbers": [0, -1, 2**63 - 1, 95.65217391304348, 0.5, 100.0, 1e16, -0.0],
    "nested": [{"a": [None, True, False, [[]]]}],
}


def test_the_text_is_the_standard_librarys_byte_for_byte() -> None:
    # orjson makes it; a report diffed against one written before must not change a byte
    assert dumps(TYPICAL, 0) == json.dumps(TYPICAL, indent=2, ensure_ascii=False) + "\n"
    assert dumps(TYPICAL, COMPACT_FROM) == json.dumps(TYPICAL, ensure_ascii=False, separators=(",", ":")) + "\n"


def test_what_orjson_refuses_is_written_by_the_standard_library() -> None:
    # an integer past 64 bits and a lone surrogate (text decoded with surrogateescape) are no
    # error: the standard library writes them, as it did before orjson
    for document in ({"count": 2**70}, {"path": "caf\udce9.py"}, {1: "a non-string key"}):
        assert dumps(document, 0) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        assert dumps(document, COMPACT_FROM) == json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
        assert sorted_dumps(document) == json.dumps(document, sort_keys=True)


def test_the_history_copy_is_sorted_and_parses_to_the_same_document() -> None:
    text = sorted_dumps({"b": 1, "a": {"d": [1, 2], "c": "é"}})
    assert text == '{"a":{"c":"é","d":[1,2]},"b":1}'
    assert json.loads(sorted_dumps(TYPICAL)) == TYPICAL
