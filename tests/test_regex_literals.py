"""The one-pass prefilter gives the same answer as testing each required string on its own."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gonogo.regex_literals import Prefilter, literals_of

REQUIREMENTS = {
    "health": frozenset({"health"}),
    "healthz": frozenset({"healthz"}),  # inside another key's string: both are found
    "either": frozenset({"sentry_sdk.init", "RAVEN_CONFIG"}),
    "anything": frozenset({""}),  # requires nothing: always a candidate
    "nothing known": frozenset(),
    "non-ascii": frozenset({"caf\u00e9", "\U0001f511"}),
}


def _one_at_a_time(text: str) -> frozenset[str]:
    return frozenset(key for key, strings in REQUIREMENTS.items() if not strings or any(s in text for s in strings))


def test_overlapping_strings_and_keys_that_require_nothing():
    prefilter = Prefilter(REQUIREMENTS)
    assert prefilter.candidates("GET /healthz") == {"health", "healthz", "anything", "nothing known"}
    assert prefilter.candidates("") == {"anything", "nothing known"}
    assert prefilter.candidates("x = RAVEN_CONFIG") == {"either", "anything", "nothing known"}
    assert prefilter.keys == frozenset(REQUIREMENTS)


def test_non_ascii_strings_are_found_at_their_characters_not_their_bytes():
    prefilter = Prefilter(REQUIREMENTS)
    assert "non-ascii" in prefilter.candidates("# un caf\u00e9 \U0001f511")
    assert "non-ascii" not in prefilter.candidates("# un cafe")


def test_a_lone_surrogate_is_no_error_and_the_answer_is_the_same():
    """A text decoded with ``surrogateescape`` has no UTF-8 form for the automaton."""
    text = "key = 'caf\u00e9' \udcff healthz"
    assert Prefilter(REQUIREMENTS).candidates(text) == _one_at_a_time(text)


def test_the_strings_found_overlaps_included_and_the_keys_they_make_candidates():
    prefilter = Prefilter(REQUIREMENTS)
    found = prefilter.found("healthz and RAVEN_CONFIG")
    assert found == {"health", "healthz", "RAVEN_CONFIG"}
    assert prefilter.holding(found) == {"health", "healthz", "either", "anything", "nothing known"}
    assert prefilter.found("healthz \udcff") == {"health", "healthz"}  # the same without the automaton


def test_a_string_across_two_chunks_is_found():
    from gonogo.regex_literals import _CHUNK

    text = "x" * (_CHUNK - 3) + "RAVEN_CONFIG" + "y" * 10
    assert "RAVEN_CONFIG" in Prefilter(REQUIREMENTS).found(text)


def test_a_short_string_repeated_a_million_times_is_found_a_chunk_at_a_time():
    """A hostile file: the automaton lists every occurrence, so it is given a chunk at a time."""
    text = "health" * 1_000_000
    assert Prefilter(REQUIREMENTS).found(text) == {"health"}


def test_no_pattern_requires_anything():
    assert Prefilter({"a": frozenset({""})}).candidates("text") == {"a"}
    assert Prefilter({}).candidates("text") == frozenset()


def test_a_large_text_with_a_string_at_its_end():
    text = "x" * 5_000_000 + "RAVEN_CONFIG"
    assert "either" in Prefilter(REQUIREMENTS).candidates(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["health", "healthz", "RAVEN_CONFIG", "caf\u00e9", "\U0001f511", "x", "\n", "sentry"])
    ).map("".join)
    | st.text()
)
def test_the_prefilter_agrees_with_a_test_per_string(text):
    assert Prefilter(REQUIREMENTS).candidates(text) == _one_at_a_time(text)


def test_a_pattern_whose_strings_are_unknown_may_always_match():
    pattern = re.compile(r"(?i)secret")
    assert literals_of(pattern) == {""}
    assert Prefilter({"secret": literals_of(pattern)}).candidates("anything at all") == {"secret"}
    assert literals_of(re.compile(r"\bhealthz?\b|\bhealth_check\b")) == {"health"}  # the shortest holds the rest
