"""A repository's own pattern, run on our short texts in a child the kernel stops (``bounded_match``)."""

from __future__ import annotations

import re

import pytest

from gonogo.bounded_match import PER_FILE, matches_every
from gonogo.collectors.web_code import web_module

PROBES = ("https://attacker.example", "http://evil.test:8080")
EXPONENTIAL = r"(.*.*)*x"
"""Twelve bytes that keep ``re`` busy for minutes on a 24-character origin."""


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"https?://(\w+\.)*\w+(:\d+)?", True),  # nested, and it admits any origin
        (r"^https://([a-z0-9-]+\.)*example\.com$", False),  # nested, anchored to one domain
        (r"(a|a)*b", False),  # a branch repeated, failing at once on these texts
        (EXPONENTIAL, None),  # stopped: not judged
    ],
    ids=["permissive", "anchored", "branch fails fast", "exponential"],
)
def test_a_pattern_is_judged_in_a_child_or_left_unjudged(pattern: str, expected: bool | None) -> None:
    assert matches_every(re.compile(pattern), PROBES) is expected


def _cors_app(*patterns: str, credentials: bool = True) -> bytes:
    calls = "".join(
        f"app.add_middleware(CORSMiddleware, allow_origin_regex=r'{p}', allow_credentials={credentials})\n"
        for p in patterns
    )
    return ("from fastapi import FastAPI\nfrom starlette.middleware.cors import CORSMiddleware\n"
            "app = FastAPI()\n" + calls).encode()


def test_a_nested_pattern_that_admits_any_origin_is_found() -> None:
    facts = web_module(_cors_app(r"https?://(\w+\.)*\w+(:\d+)?"))
    assert [t.line for t in facts.cors_trust] == [4]
    assert facts.unjudged_origins == ()


def test_a_pattern_that_does_not_finish_is_kept_as_unjudged_not_trusted() -> None:
    facts = web_module(_cors_app(EXPONENTIAL))
    assert facts.cors_trust == ()
    assert facts.unjudged_origins == (4,)


def test_a_file_runs_a_bounded_number_of_such_patterns_and_keeps_judging_the_rest() -> None:
    """Each exponential pattern costs the child's whole time: past ``PER_FILE`` of them a file's
    patterns that need a child are not run, while those that cannot backtrack still are."""
    facts = web_module(_cors_app(*[EXPONENTIAL] * (PER_FILE + 3), r"^https?://.*$"))
    assert facts.unjudged_origins == tuple(range(4, 4 + PER_FILE + 3))
    assert [t.line for t in facts.cors_trust] == [4 + PER_FILE + 3]


def test_without_credentials_no_pattern_is_run() -> None:
    assert web_module(_cors_app(EXPONENTIAL, credentials=False)).unjudged_origins == ()


def test_a_django_settings_pattern_is_judged_the_same_way() -> None:
    settings = (b"CORS_ALLOWED_ORIGIN_REGEXES = [r'^https://([a-z0-9-]+\\.)*example\\.com$', r'(.*.*)*x']\n"
                b"CORS_ALLOW_CREDENTIALS = True\n")
    facts = web_module(settings)
    assert facts.cors_trust == ()
    assert facts.unjudged_origins == (1,)
