"""Inline suppressions, and the engine's marking of suppressed and baselined findings.

``# gonogo: ignore[SEC012] reason`` on a finding's line marks that finding suppressed, with the
reason: it stays in every report, marked, and no longer counts against gates. The brackets hold
check ids, id prefixes (``SEC``) or rule codes (``S602``), comma-separated. A suppression without
a reason suppresses nothing and is itself a finding (SEC099). A ``# noqa``/``# nosec`` comment a
check reported (``in_code_suppression``) is honoured the same way and shown as such. With a
baseline, findings recorded in it are marked ``baseline`` so gates judge new findings only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from gonogo.baseline import Baseline
from gonogo.evolve import replaced
from gonogo.fingerprint import fingerprint, normalise
from gonogo.model import Finding
from gonogo.parallel import LineStore
from gonogo.workspace import SourceFile, Workspace

SUPPRESSION = re.compile(
    r"#\s*gonogo:\s*ignore\b(?:\[(?P<ids>[^\]\n]*)\])?(?P<reason>[^\n]*)", re.I
)
BASELINE_REASON = "baseline"


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression:
    ids: tuple[str, ...]
    reason: str

    def covers(self, finding: Finding) -> bool:
        rule = str(finding.get("rule", "") or "")
        return any(
            finding.check_id.startswith(target) or (rule and rule == target) for target in self.ids
        )


def comment_part(line: str) -> str:
    """The line from its first ``#`` outside a quoted string: ``'#nosec'`` in code is no comment."""
    quote: str | None = None
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote:
            escaped = True
        elif quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#":
            return line[index:]
    return ""


def parse_suppression(line: str) -> Suppression | None:
    """The suppression comment on ``line``, if any; its reason is ``""`` when none is given."""
    match = SUPPRESSION.search(comment_part(line))
    if match is None:
        return None
    ids = tuple(p.strip().upper() for p in (match.group("ids") or "").split(",") if p.strip())
    reason = match.group("reason").strip(" \t:-—#")
    return Suppression(ids=ids, reason=reason)


def suppression_comments(lines: Iterable[str]) -> tuple[tuple[int, Suppression], ...]:
    """(line number from 1, comment) of each suppression comment among a file's ``lines``."""
    found: list[tuple[int, Suppression]] = []
    for number, line in enumerate(lines, 1):
        comment = parse_suppression(line) if "gonogo:" in line.lower() else None
        if comment is not None:
            found.append((number, comment))
    return tuple(found)


@dataclass(frozen=True, slots=True, kw_only=True)
class LineMarks:
    """What marking a finding needs of its source line: its code without layout (the fingerprint's
    anchor, ``fingerprint.normalise``) and the suppression comment on it, if any."""

    anchor: str
    suppression: Suppression | None


class SourceLines:
    """A finding's source line, by its display path, through the scan's ``LineStore`` (a warm
    scan reads no file for its findings)."""

    def __init__(self, workspace: Workspace, store: LineStore | None = None) -> None:
        self._workspace = workspace
        self._files: dict[str, SourceFile] | None = None
        self.store = store or LineStore(workspace)
        self._marks: dict[tuple[str, int], LineMarks] = {}
        """By path and line: the findings of one line share its marks, worked out once."""

    def marks(self, finding: Finding) -> LineMarks:
        place = (finding.path or "", finding.line or 0)
        marks = self._marks.get(place)
        if marks is None:
            line = self.line(finding)
            comment = parse_suppression(line) if "gonogo" in line.lower() else None
            marks = self._marks[place] = LineMarks(anchor=normalise(line), suppression=comment)
        return marks

    def line(self, finding: Finding) -> str:
        path, number = finding.path, finding.line
        if not path or not number:
            return ""
        if self._files is None:
            self._files = {f.display: f for f in self._workspace.files}
        source = self._files.get(path)
        return "" if source is None else self.store.line(source, number)


class FindingMarks:
    """Applied by the engine to each finding: its fingerprint, read from its source line once;
    then inline suppressions, then the baseline."""

    def __init__(self, workspace: Workspace, baseline: Baseline | None = None) -> None:
        self.lines = SourceLines(workspace)
        self.baseline = baseline
        self._budget: Counter[str] = Counter(baseline.entries) if baseline else Counter()
        self.baselined = 0

    def apply(self, finding: Finding) -> Finding:
        marks = self.lines.marks(finding)
        # the anchor is the line already normalised, which normalising again leaves as it is
        finding = replaced(finding, fingerprint=fingerprint(finding, marks.anchor))
        if not finding.active:
            return finding
        inline = marks.suppression
        if inline is not None and inline.reason and inline.covers(finding):
            return replaced(finding, suppressed=f"inline: {inline.reason}")
        in_code = finding.get("in_code_suppression")
        if in_code:
            return replaced(finding, suppressed=f"in code: {in_code}")
        if self.baseline is not None:
            mark = finding.fingerprint
            if self._budget[mark] > 0:
                self._budget[mark] -= 1
                self.baselined += 1
                return replaced(finding, suppressed=BASELINE_REASON)
        return finding

    def save(self) -> None:
        """Keep what was read of the findings' lines for the next scan (see ``LineStore``)."""
        self.lines.store.save()

    def metrics(self) -> dict[str, float | None]:
        """``baseline.findings``: how many findings the baseline already knew (absent without one)."""
        if self.baseline is None:
            return {}
        return {"baseline.findings": float(self.baselined)}
