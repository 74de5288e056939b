"""The token formats come from a snapshot of detect-secrets' patterns, never different from the
library's own, and a scan imports detect-secrets only when a pattern matches."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from importlib import metadata, resources

import pytest

from gonogo.token_formats import (
    SHARED_FATE,
    SNAPSHOT,
    _render,
    detector_for,
    find_tokens,
    formats_in,
    formats_of_detectors,
    snapshot,
    token_formats,
)

INSTALLED = metadata.version("detect-secrets")
SHIPPED = resources.files("gonogo.data").joinpath(SNAPSHOT).read_text("utf-8")


def test_the_formats_a_scan_uses_are_detect_secrets_own_in_its_order():
    used = token_formats()
    library = formats_of_detectors()
    assert [f.secret_type for f in used] == [f.secret_type for f in library]
    assert [[(p.pattern, p.flags) for p in f.patterns] for f in used] == [
        [(p.pattern, p.flags) for p in f.patterns] for f in library
    ]


def test_the_shipped_snapshot_is_the_installed_versions_or_it_is_not_used():
    taken_from = json.loads(SHIPPED)["detect_secrets"]
    if taken_from == INSTALLED:  # `python -m gonogo.token_formats` would write it unchanged
        assert _render(snapshot()) == SHIPPED
        assert formats_in(SHIPPED, INSTALLED) == formats_of_detectors()
    else:  # a newer detect-secrets: its own patterns, never a stale copy
        assert formats_in(SHIPPED, INSTALLED) is None


def test_a_snapshot_of_another_version_is_not_used():
    assert formats_in(SHIPPED, "0.0.1") is None
    assert formats_in(SHIPPED, None) is None  # detect-secrets' version unknown


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "\x00\x01\x02binary",
        "[]",
        '{"detect_secrets": "VERSION"}',
        '{"detect_secrets": "VERSION", "formats": [{"secret_type": 7, "patterns": []}]}',
        '{"detect_secrets": "VERSION", "formats": [{"secret_type": "x", "patterns": [["(unclosed", 0]]}]}',
        '{"detect_secrets": "VERSION", "formats": [{"secret_type": "x", "patterns": [["a", "flags"]]}]}',
        '{"detect_secrets": "VERSION", "formats": [{"secret_type": "x", "patterns": [["a"]]}]}',
        '{"detect_secrets": "VERSION", "formats": [{"secret_type": "x", "patterns": [[3, 0]]}]}',
        '{"detect_secrets": "VERSION", "formats": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
    ids=["empty", "not json", "binary", "a list", "no formats", "a number for a type", "a bad regex",
         "text flags", "no flags", "a number for a pattern", "nested 100,000 deep"],
)
def test_a_damaged_snapshot_is_not_used(text):
    assert formats_in(text.replace("VERSION", INSTALLED), INSTALLED) is None


def test_a_detector_confirms_what_its_pattern_matched():
    jwt = detector_for("JSON Web Token")
    # built from pieces, so this file holds no token for gonogo's own secrets scan to report
    header_and_claims = "eyJ" + "hbGciOiJIUzI1NiJ9." + "eyJ" + "zdWIiOiIxMjM0In0."  # the pattern is lazy: no signature
    assert list(jwt.analyze_string(f'token = "{header_and_claims}c2lnbmF0dXJl"')) == [header_and_claims]
    assert list(jwt.analyze_string('token = "eyJub3QuYS5qd3Q.eyJub3QuYS5qd3Q.abc"')) == []  # not JSON inside


PROBE = """
import sys
from gonogo.redaction import redact
from gonogo.collectors.secrets import scan_text
masked = redact("key AKIAIOSFODNN7EXAMPLE and eyJhbGciOiJIUzI1NiJ9 in a message")
plain = scan_text("x = 1\\nname = 'value'\\n", path="", in_test_code=False, bare=False)
print(masked != "key AKIAIOSFODNN7EXAMPLE and eyJhbGciOiJIUzI1NiJ9 in a message", "detect_secrets" in sys.modules)
found = scan_text("k = 'ghp_" + "a1B2" * 9 + "'\\n", path="", in_test_code=False, bare=False)
print([hit.kind for hit in found], "detect_secrets" in sys.modules)
"""


def test_detect_secrets_is_imported_only_when_a_pattern_matches():
    """Redacting by the patterns and scanning a file without a match import nothing; the first
    match is confirmed by the detector, which imports it."""
    lines = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    ).stdout.splitlines()
    from_snapshot = json.loads(SHIPPED)["detect_secrets"] == INSTALLED
    assert lines[0] == f"True {not from_snapshot}"
    assert lines[1] == "['GitHub Token'] True"


def test_each_pattern_read_by_shared_fate_is_a_detector_pattern():
    """A new detect-secrets that rewrites one of them would quietly be scanned by ``finditer``."""
    patterns = {(p.pattern, p.flags) for f in token_formats() for p in f.patterns}
    for source in SHARED_FATE:
        assert (source, 32) in patterns  # re.UNICODE alone: the matching heeds case as find() does


PIECES = {
    "eyJ": ["eyJ", "a", "Z", "=", "-", "_", ".", "..", "+", "/", " ", "\n", "x.y", "eyJz."],
    "sk-": ["sk-", "a", "B", "0", "-", "_", "T3BlbkFJ", "a" * 20, "A1" * 10, " ", "\n", ".", "sk-" + "b" * 20],
    "//": ["//", "/", ":_authToken=", "npm_", "x", "a1b2c3d4-a1b2-c3d4-e5f6-a1b2c3d4e5f6", " ", "\n", "abc"],
}


@pytest.mark.parametrize("source", sorted(SHARED_FATE))
def test_find_tokens_gives_the_matches_finditer_gives(source):
    """Random texts made of the pieces each pattern's paths turn on: the same spans and groups."""
    pattern = next(p for f in token_formats() for p in f.patterns if p.pattern == source)
    pieces = PIECES[SHARED_FATE[source].first]
    chooser = random.Random(source)
    matched = 0
    for _ in range(6000):
        text = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 30)))
        expected = [(m.span(), m.groups()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groups()) for m in find_tokens(pattern, text)] == expected, text
        matched += bool(expected)
    assert matched > 100  # the texts reach the matching paths, not only the failing ones


def test_find_tokens_reads_a_long_run_of_failing_starts_once():
    """600 KB of "eyJ" with no "." took minutes through finditer: every start read the run again."""
    jwt = next(p for f in token_formats() for p in f.patterns if p.pattern.startswith("eyJ"))
    header_and_claims = "eyJhbGciOiJIUzI1NiJ9" + "." + "eyJzdWIiOiIxIn0" + "."  # split: no token in this file
    text = "eyJ" * 200_000 + " " + header_and_claims + "sig"
    assert [m.group(0) for m in find_tokens(jwt, text)] == [header_and_claims]
