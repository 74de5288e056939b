"""CVSS scoring: vectors are scored by the cvss library; no vector is unknown, never low."""

from __future__ import annotations

import pytest

from gonogo.vulndb.severity import UNKNOWN, Rating, level_of, rate, worst


@pytest.mark.parametrize(
    ("entries", "level", "score"),
    [
        ([{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}], "critical", 9.8),
        ([{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N"}], "high", 8.1),
        ([{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:H/I:N/A:N"}], "medium", 4.2),
        ([{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],
         "critical", 9.3),
        ([{"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:P/A:P"}], "high", 7.5),
        # the newest version that scores wins; a broken one is passed over
        ([{"type": "CVSS_V4", "score": "CVSS:4.0/garbage"},
          {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}], "high", 7.5),
    ],
    ids=["v3 critical", "v3 high", "v3 medium", "v4", "v2 has no critical", "broken v4 falls to v3"],
)
def test_vectors_are_scored(entries, level, score):
    rating = rate(entries)
    assert (rating.level, rating.score) == (level, score)


@pytest.mark.parametrize(
    "entries",
    [[], [{"type": "CVSS_V3", "score": "nonsense"}], [{"type": "Ubuntu", "score": "high"}], ["x"],
     [{"type": "CVSS_V3"}]],
    ids=["none", "bad vector", "unknown type", "not an object", "no score"],
)
def test_no_usable_vector_is_unknown_not_low(entries):
    assert rate(entries) == UNKNOWN
    assert UNKNOWN.level == "unknown"


def test_database_severity_is_used_when_there_is_no_vector():
    assert rate([], {"severity": "MODERATE"}).level == "medium"
    assert rate([], {"severity": "whatever"}).level == "unknown"


def test_worst_prefers_known_ratings():
    assert worst([UNKNOWN, Rating(level="low", score=2.0)]).level == "low"
    assert worst([Rating(level="high", score=7.0), Rating(level="critical", score=9.1)]).score == 9.1
    assert worst([UNKNOWN, UNKNOWN]) == UNKNOWN
    assert worst([]) == UNKNOWN


@pytest.mark.parametrize(("score", "level"), [(9.0, "critical"), (8.9, "high"), (4.0, "medium"),
                                              (0.1, "low"), (0.0, "none")])
def test_qualitative_bands(score, level):
    assert level_of(score) == level
