"""The OSV evaluation algorithm: the schema's examples, real advisories, PEP 440 and SemVer corners."""

from __future__ import annotations

import pytest

from gonogo.vulndb.matching import fixing_version, in_range, is_affected, pep440, unevaluable_ranges
from gonogo.vulndb.osv import Affected, Event, Range, parse_advisory
from tests.vulndb_fakes import fixture_advisories


def entry(*events: tuple[str, str], versions: tuple[str, ...] = (), ecosystem: str = "PyPI") -> Affected:
    return Affected(
        ecosystem=ecosystem,
        name="pkg",
        ranges=(Range(type="ECOSYSTEM", events=tuple(Event(kind=k, version=v) for k, v in events)),)
        if events
        else (),
        versions=versions,
    )


def real(ident: str) -> Affected:
    return parse_advisory(fixture_advisories()[ident]).affected[0]


# The schema's own examples (ossf.github.io/osv-schema, "Examples" and "Evaluation")
SCHEMA_CASES = [
    # introduced 0 / fixed: everything before the fix
    (entry(("introduced", "0"), ("fixed", "1.0.2")), "0.1", True),
    (entry(("introduced", "0"), ("fixed", "1.0.2")), "1.0.1", True),
    (entry(("introduced", "0"), ("fixed", "1.0.2")), "1.0.2", False),
    # introduced 1.0.0 / fixed 1.0.2: before the introduction is safe
    (entry(("introduced", "1.0.0"), ("fixed", "1.0.2")), "0.9", False),
    (entry(("introduced", "1.0.0"), ("fixed", "1.0.2")), "1.0.0", True),
    # last_affected is inclusive
    (entry(("introduced", "0"), ("last_affected", "1.11.0")), "1.11.0", True),
    (entry(("introduced", "0"), ("last_affected", "1.11.0")), "1.11.1", False),
    # introduced with no fix: every later version
    (entry(("introduced", "2.0")), "99.0", True),
    (entry(("introduced", "2.0")), "1.9", False),
    # limit bounds the range from above
    (entry(("introduced", "0"), ("limit", "2.0")), "1.5", True),
    (entry(("introduced", "0"), ("limit", "2.0")), "2.1", False),
    # a versions list with no range
    (entry(versions=("1.0.0", "1.0.1")), "1.0.1", True),
    (entry(versions=("1.0.0", "1.0.1")), "1.0.2", False),
]


@pytest.mark.parametrize(
    ("affected", "version", "expected"),
    SCHEMA_CASES,
    ids=[
        "zero to fix: early", "zero to fix: just before", "zero to fix: the fix",
        "introduced above zero: before", "introduced above zero: at",
        "last_affected: at", "last_affected: after",
        "no fix: later", "no fix: earlier",
        "limit: below", "limit: above",
        "list: listed", "list: not listed",
    ],
)
def test_schema_examples(affected, version, expected):
    assert is_affected(version, affected) is expected


PEP440_CASES = [
    # string order would say 1.10 < 1.9
    (entry(("introduced", "0"), ("fixed", "1.9")), "1.10", False),
    # a pre-release of the fix is before the fix
    (entry(("introduced", "0"), ("fixed", "2.0")), "2.0rc1", True),
    # a post-release of the fix is fixed; the fixed version's own post-release fix
    (entry(("introduced", "0"), ("fixed", "2.0")), "2.0.post1", False),
    (entry(("introduced", "0"), ("fixed", "2.0.post1")), "2.0", True),
    # local versions sort after their public version
    (entry(("introduced", "0"), ("fixed", "2.4.0")), "2.4.0+ubuntu1", False),
    (entry(("introduced", "0"), ("fixed", "2.4.0")), "2.3.9+local.7", True),
    # an epoch outranks any release number
    (entry(("introduced", "0"), ("fixed", "2.0")), "1!0.5", False),
    # 2.0 and 2.0.0 are the same version in a list
    (entry(versions=("2.0.0",)), "2.0", True),
    # dev releases come before pre-releases
    (entry(("introduced", "1.0a1"), ("fixed", "1.0")), "1.0.dev0", False),
]


@pytest.mark.parametrize(
    ("affected", "version", "expected"),
    PEP440_CASES,
    ids=[
        "1.10 is after 1.9", "pre-release before the fix", "post-release of the fix",
        "post-release fix", "local version of the fix", "local version before the fix",
        "epoch", "2.0 equals 2.0.0", "dev before pre-release",
    ],
)
def test_pep440_ordering(affected, version, expected):
    assert is_affected(version, affected) is expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [("2.7.5", True), ("2.8.0a1", False), ("2.8.0b2", False), ("2.8.0", True), ("2.8.12", True),
     ("2.8.13", False), ("2.9.9", True), ("2.9.10", False), ("2.10.0", False), ("2.6.9", False)],
)
def test_several_introduced_fixed_pairs_with_prerelease_fix(version, expected):
    """ansible PYSEC-2020-208: 2.7.0-2.8.0a1, 2.8.0-2.8.13, 2.9.0-2.9.10."""
    assert is_affected(version, real("PYSEC-2020-208")) is expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.25.0", True), ("1.26.16", True), ("1.26.17", False), ("2.0.0", True), ("2.0.5", True),
     ("2.0.6", False), ("2.2.0", False)],
)
def test_events_out_of_order_are_sorted(version, expected):
    """urllib3 PYSEC-2023-192 lists introduced 2.0.0 / fixed 2.0.6 before introduced 0 / fixed 1.26.17."""
    assert is_affected(version, real("PYSEC-2023-192")) is expected


def test_last_affected_real_advisory():
    py = real("PYSEC-2022-42969")
    assert is_affected("1.11.0", py)
    assert is_affected("1.4.0", py)
    assert not is_affected("1.11.0+local", py)


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.2.3-beta.1", True), ("1.2.3", False), ("1.2.2", True), ("v1.2.2", True), ("1.10.0", False)],
)
def test_npm_uses_semver_precedence(version, expected):
    affected = entry(("introduced", "0"), ("fixed", "1.2.3"), ecosystem="npm")
    assert is_affected(version, affected) is expected


def test_range_with_unparsable_event_falls_back_to_the_list():
    affected = entry(("introduced", "0"), ("fixed", "not a version"), versions=("1.0",))
    assert is_affected("1.0", affected)
    assert not is_affected("1.1", affected)
    assert unevaluable_ranges(affected) == 1


def test_unparsable_pin_matches_only_the_list():
    affected = entry(("introduced", "0"), ("fixed", "2.0"), versions=("weird-1",))
    assert is_affected("weird-1", affected)
    assert not is_affected("weird-2", affected)


def test_in_range_never_compares_as_strings():
    rng = Range(type="ECOSYSTEM", events=(Event(kind="introduced", version="0.9"),
                                          Event(kind="fixed", version="0.10")))
    assert in_range(pep440("0.9.5"), rng, pep440) is True
    assert in_range(pep440("0.10.1"), rng, pep440) is False


def test_smallest_version_fixing_every_advisory():
    """PyJWT 1.4.0: PYSEC-2017-24 is fixed in 1.5.1, but PYSEC-2022-202 affects 1.5.0-2.4.0."""
    entries = [real("PYSEC-2017-24"), real("PYSEC-2022-202")]
    assert fixing_version("1.4.0", entries) == "2.4.0"
    assert fixing_version("1.4.0", entries[:1]) == "1.5.1"


def test_fixing_version_skips_a_fix_inside_another_range():
    entries = [real("PYSEC-2020-208")]
    assert fixing_version("2.7.3", entries) == "2.8.13"  # stable preferred to 2.8.0a1
    assert fixing_version("2.8.0b1", [entry(("introduced", "0"), ("fixed", "2.8.0rc1"))]) == "2.8.0rc1"
    assert fixing_version("2.8.1", entries) == "2.8.13"


def test_no_fixing_version_when_none_released():
    assert fixing_version("1.0", [real("PYSEC-2022-42969")]) is None
    assert fixing_version("not-a-version", [real("PYSEC-2017-24")]) is None
