"""Severity of an advisory from its CVSS vectors, scored by the ``cvss`` library.

An advisory with no vector we can score (and no severity stated by its database) is ``unknown``:
the policy decides what unknown means, never this module silently calling it "low".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

LEVELS = ("critical", "high", "medium", "low", "none", "unknown")
"""Worst first; ``none`` is a CVSS score of 0.0."""

_GHSA_LEVELS = {
    "CRITICAL": "critical",
    "HIGH": "high",
    "MODERATE": "medium",
    "MEDIUM": "medium",
    "LOW": "low",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Rating:
    """How severe an advisory is, and where that came from (a vector, or the database's word)."""

    level: str = "unknown"
    score: float | None = None
    vector: str | None = None

    @property
    def rank(self) -> int:
        """0 for critical ... 5 for unknown; sort ascending for worst first."""
        return LEVELS.index(self.level)


UNKNOWN = Rating()


def level_of(score: float) -> str:
    """The CVSS v3/v4 qualitative rating of a base score."""
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    if score > 0.0:
        return "low"
    return "none"


def score_vector(kind: str, vector: str) -> Rating | None:
    """Score one OSV ``severity`` entry; ``None`` when its type or vector cannot be scored."""
    # deferred: only reading an advisory scores it (gonogo db update, --online); a scan takes the
    # rating the index stored, and every scan loads this module (2 ms for cvss)
    from cvss import CVSS2, CVSS3, CVSS4
    from cvss.exceptions import CVSSError

    try:
        match kind:
            case "CVSS_V4":
                v4 = CVSS4(vector)
                score = float(v4.base_score)
            case "CVSS_V3":
                score = float(CVSS3(vector).scores()[0])
            case "CVSS_V2":
                score = float(CVSS2(vector).scores()[0])
                # CVSS v2 has no "critical": 7.0-10.0 is high
                return Rating(
                    level="high" if score >= 7.0 else level_of(score), score=score, vector=vector
                )
            case _:
                return None
    except (CVSSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    return Rating(level=level_of(score), score=score, vector=vector)


def rate(severity: Iterable[Any], database_specific: Mapping[str, Any] | None = None) -> Rating:
    """The advisory's rating: the newest CVSS version that scores, else the database's own word."""
    order = {"CVSS_V4": 0, "CVSS_V3": 1, "CVSS_V2": 2}
    entries = [
        (str(e.get("type")), str(e.get("score")))
        for e in severity
        if isinstance(e, Mapping) and isinstance(e.get("score"), str)
    ]
    for kind, vector in sorted(entries, key=lambda e: order.get(e[0], 9)):
        rating = score_vector(kind, vector)
        if rating is not None:
            return rating
    stated = (database_specific or {}).get("severity")
    if isinstance(stated, str) and stated.upper() in _GHSA_LEVELS:
        return Rating(level=_GHSA_LEVELS[stated.upper()])
    return UNKNOWN


def worst(ratings: Iterable[Rating]) -> Rating:
    """The worst of several ratings (aliases of one vulnerability); unknown only if all are."""
    known = sorted((r for r in ratings), key=lambda r: (r.rank, -(r.score or 0.0)))
    return known[0] if known else UNKNOWN
