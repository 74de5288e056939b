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
from dataclasses import dataclass, replace

from gonogo.baseline import Baseline
from gonogo.cache import FactCache
from gonogo.fingerprint import fingerprint, normalise
from gonogo.model import Finding
from gonogo.redaction import redact
from gonogo.workspace import FileReadError, SourceFile, Workspace

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


LINE_MARKS_VERSION = 1
"""Bump when what :class:`LineMarks` holds changes, so cached marks are recomputed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LineMarks:
    """What marking a finding needs of its source line: its code without layout (the fingerprint's
    anchor, ``fingerprint.normalise``) and the suppression comment on it, if any."""

    anchor: str
    suppression: Suppression | None


NO_LINE = LineMarks(anchor="", suppression=None)


class SourceLines:
    """What the marks need of each finding's source line, by its display path, each file read once.

    With a fact cache, a line's marks are kept by the file's content hash and line number, so a
    warm scan reads no file for its findings; a line holding anything credential-shaped (one
    ``redact`` would change) is never kept, and its file is read on every scan instead."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._files: dict[str, SourceFile] | None = None
        self._lines: dict[str, list[str]] = {}
        self._cache: FactCache | None = None
        self._known: dict[str, dict[int, LineMarks]] = {}
        self._fresh: set[str] = set()

    def marks(self, finding: Finding) -> LineMarks:
        path, number = finding.path, finding.line
        source = self._source(path) if path and number else None
        if source is None or number is None:
            return NO_LINE
        try:
            key = f"marks{LINE_MARKS_VERSION}:{self._workspace.content_key_of(source)}"
        except FileReadError:
            return NO_LINE  # read_text would refuse it too: no line
        known = self._stored(key)
        if number not in known:
            line = self.line(finding)
            comment = parse_suppression(line) if "gonogo" in line.lower() else None
            marks = LineMarks(anchor=normalise(line), suppression=comment)
            if redact(line) != line:
                return marks  # never stored: the cache holds no credential
            known[number] = marks
            self._fresh.add(key)
        return known[number]

    def save(self) -> None:
        """Store the lines this scan read, for the next one, and let the cache go."""
        if self._cache is not None:
            self._cache.put_many({key: self._known[key] for key in self._fresh})
            self._workspace.cache_problem(self._cache.problem)
            self._cache.close()
        self._fresh.clear()

    def line(self, finding: Finding) -> str:
        path, number = finding.path, finding.line
        if not path or not number:
            return ""
        if path not in self._lines:
            self._lines[path] = self._read(path)
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def _stored(self, key: str) -> dict[int, LineMarks]:
        if key not in self._known:
            if self._cache is None and self._workspace.cache_folder is not None:
                self._cache = FactCache(self._workspace.cache_folder)
            found = self._cache.get_many([key]).get(key) if self._cache is not None else None
            self._known[key] = dict(found) if isinstance(found, dict) else {}
        return self._known[key]

    def _source(self, path: str) -> SourceFile | None:
        if self._files is None:
            self._files = {f.display: f for f in self._workspace.files}
        return self._files.get(path)

    def _read(self, path: str) -> list[str]:
        source = self._source(path)
        if source is None:
            return []
        try:
            return self._workspace.read_text(source).splitlines()
        except FileReadError:
            return []


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
        finding = replace(finding, fingerprint=fingerprint(finding, marks.anchor))
        if not finding.active:
            return finding
        inline = marks.suppression
        if inline is not None and inline.reason and inline.covers(finding):
            return replace(finding, suppressed=f"inline: {inline.reason}")
        in_code = finding.get("in_code_suppression")
        if in_code:
            return replace(finding, suppressed=f"in code: {in_code}")
        if self.baseline is not None:
            mark = finding.fingerprint
            if self._budget[mark] > 0:
                self._budget[mark] -= 1
                self.baselined += 1
                return replace(finding, suppressed=BASELINE_REASON)
        return finding

    def save(self) -> None:
        """Keep what was read of the findings' lines for the next scan (see ``SourceLines``)."""
        self.lines.save()

    def metrics(self) -> dict[str, float | None]:
        """``baseline.findings``: how many findings the baseline already knew (absent without one)."""
        if self.baseline is None:
            return {}
        return {"baseline.findings": float(self.baselined)}
