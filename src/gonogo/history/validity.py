"""How long a decision holds, and whether the last one still does.

A decision is evidence about one commit at one moment, judged with advisory data of some age.
It stops holding when its validity runs out (the profile's ``valid_days``: 7 critical, 30
standard, 90 prototype; or ``valid_days`` in the config), when ``HEAD`` is no longer the commit
judged, when the tree has uncommitted changes (then or now), or when the advisory data it used was
older than the profile allows (the same limit as the Security gate's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from gonogo.history.provenance import Provenance
from gonogo.history.runs import StoredRun
from gonogo.policy import PROFILES, Profile

_DATA_AGE = re.compile(r"\((\d+) days old\)")


def valid_until(scanned_at: datetime, profile: str, days: int | None = None) -> datetime:
    return scanned_at + timedelta(days=days or _profile(profile).valid_days)


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    run: StoredRun
    reasons: tuple[str, ...]
    """Why the decision no longer holds; empty when it does."""

    @property
    def holds(self) -> bool:
        return not self.reasons


def standing(run: StoredRun, now: datetime, current: Provenance) -> Standing:
    reasons = []
    if now > run.valid_until:
        reasons.append(f"expired on {run.valid_until:%Y-%m-%d %H:%M} UTC ({run.profile} profile)")
    if run.commit and current.commit and current.commit != run.commit:
        reasons.append(f"HEAD moved: {run.commit[:12]} was judged, the tree is at {current.commit[:12]} now")
    if run.dirty:
        reasons.append("the tree had uncommitted changes when it was judged")
    elif current.dirty:
        reasons.append("the tree has uncommitted changes now")
    age = advisory_age_days(run.report)
    allowed = _profile(run.profile).advisory_max_age_days
    if age is not None and age > allowed:
        reasons.append(
            f"the advisory data was {age} days old, more than the {allowed} the {run.profile} profile allows"
        )
    return Standing(run=run, reasons=tuple(reasons))


def _profile(name: str) -> Profile:
    return PROFILES.get(name, PROFILES["standard"])


def advisory_age_days(report: dict[str, object]) -> int | None:
    """The age of the advisory data a JSON report says it used (``... (780 days old)``)."""
    evidence = report.get("evidence")
    data = evidence.get("data") if isinstance(evidence, dict) else None
    osv = data.get("osv") if isinstance(data, dict) else None
    match = _DATA_AGE.search(osv) if isinstance(osv, str) else None
    return int(match.group(1)) if match else None
