"""Waivers: the config's acceptance of a finding or a check, for a stated reason, maybe until a date.

An expired waiver stops applying and says so in a note; a waived finding stays in every report,
marked, and no longer counts against gates.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import replace

from gonogo.config import Config
from gonogo.model import Finding, Waiver
from gonogo.notes import Notes
from gonogo.options import ScanOptions


def live_waivers(config: Config, options: ScanOptions, notes: Notes) -> list[Waiver]:
    """The config's waivers that still apply today; an expired one is a note, not silence."""
    live = []
    for setting in config.waivers:
        if setting.until is not None and setting.until < options.today:
            notes.add(
                f"waiver for {setting.check} expired on {setting.until.isoformat()}; not applied",
                path=config.source,
                source="config",
            )
            continue
        live.append(setting.to_waiver())
    return live


def waived(finding: Finding, waivers: Sequence[Waiver]) -> Finding:
    """The finding marked with the first waiver that covers its check (by id prefix) and path."""
    for waiver in waivers:
        if not finding.check_id.startswith(waiver.check):
            continue
        if waiver.path is None or (finding.path and fnmatch.fnmatch(finding.path, waiver.path)):
            return replace(finding, waived=waiver)
    return finding
