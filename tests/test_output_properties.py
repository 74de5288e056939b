"""Property-based tests (Hypothesis) for the text gonogo shows and the OSV documents it imports:
random and mutated input never raises out of the function and always comes out safe."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gonogo.redaction import redact, scrub
from gonogo.reporters.text import markdown_code, markdown_inline, terminal_text, writable
from gonogo.vulndb.errors import OsvFormatError
from gonogo.vulndb.osv import Advisory, load_document
from tests.vulndb_fakes import fixture_advisories

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
TOKENS = st.sampled_from([
    "ghp_", "AKIA", "xoxb-", "sk_" + "live_", "eyJ", "://", "user:", "@", "password=", "token: ", '"',
    "-----BEGIN RSA PRIVATE KEY-----", "\n", "[", "](", "<", "`", "*", "_", "|", "\x1b[31m", "\udcff",
])
ADVISORIES = fixture_advisories()
HOSTILE_TEXT = st.lists(st.one_of(st.text(max_size=30), TOKENS), max_size=20).map("".join)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=100, deadline=None)
@given(HOSTILE_TEXT)
def test_redact_never_raises_and_is_idempotent(text):
    once = redact(text)
    assert redact(once) == once
    assert scrub((text, [text], {"k": text})) == (once, [once], {"k": redact(text)})


@settings(max_examples=100, deadline=None)
@given(HOSTILE_TEXT)
def test_shown_text_is_one_line_with_no_control_characters(text):
    for shown in (terminal_text(text), markdown_inline(text), markdown_code(text)):
        assert CONTROL.search(shown) is None and "\n" not in shown
    writable(text).encode("utf-8")  # never raises


@settings(max_examples=100, deadline=None)
@given(JSON_VALUES)
def test_any_json_is_an_advisory_or_a_format_error(value):
    try:
        result = load_document(json.dumps(value).encode())
    except OsvFormatError:
        return
    assert isinstance(result, Advisory)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(ADVISORIES)), st.data())
def test_mutated_advisories_are_an_advisory_or_a_format_error(name, data):
    document = ADVISORIES[name]
    key = data.draw(st.sampled_from(sorted(document)))
    mutated = {**document, key: data.draw(JSON_VALUES)}
    raw = json.dumps(mutated).encode()
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    for candidate in (raw, raw[:cut]):
        try:
            result = load_document(candidate)
        except OsvFormatError:
            continue
        assert isinstance(result, Advisory)
