"""The facts of a readiness document (claims) and what gonogo concluded about each (judgements)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.Enum):
    """A claim's status. Only ``contradicted`` and ``inconsistent`` fail ``gonogo verify``."""

    VERIFIED = "verified"
    CONTRADICTED = "contradicted"
    INCONSISTENT = "inconsistent"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One checkable statement. ``text`` is the exact phrase as written on ``line`` (1-based).

    ``value``/``total`` hold the figures (19 and 47 in "19/47"); ``subject`` what the figure is
    about (a path, a package, a label); ``parts`` the figures the claim is built from (the items
    of a list, the component scores of a table), each with its own line."""

    line: int
    text: str
    kind: str
    metric: str | None = None
    value: float | None = None
    total: float | None = None
    unit: str = ""
    subject: str = ""
    section: str = ""
    parts: tuple[tuple[int, str], ...] = ()
    digits: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgement:
    """A claim's status, by the CLM check that settled it, with what was measured and from where."""

    claim: Claim
    check_id: str
    status: Status
    claimed: str
    measured: str | None = None
    evidence: str = ""
    other_lines: tuple[int, ...] = ()
