"""``gonogo verify``: document -> claims -> evidence -> judgements. No printing here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.claims.checks import judge
from gonogo.claims.document import Document, read_document
from gonogo.claims.evidence import Evidence, gather, load_report
from gonogo.claims.extract import extract
from gonogo.claims.model import Claim, Judgement
from gonogo.claims.structure import MAX_LINE, parse_lines
from gonogo.claims.vocabulary import Vocabulary, build


@dataclass(frozen=True, slots=True, kw_only=True)
class Verification:
    document: Document
    claims: tuple[Claim, ...]
    evidence: Evidence
    judgements: tuple[Judgement, ...]
    notes: tuple[str, ...] = ()


def claims_of(document: Document, vocabulary: Vocabulary | None = None) -> tuple[Claim, ...]:
    return extract(parse_lines(document.lines), vocabulary or build())


def notes_of(document: Document) -> tuple[str, ...]:
    """What the reader should know was not read: over-long lines, repaired mojibake."""
    notes = []
    long = [str(n) for n, text in enumerate(document.lines, start=1) if len(text) > MAX_LINE]
    if long:
        notes.append(f"{document.path}: {len(long)} lines over {MAX_LINE} characters not read as claims "
                     f"(line {', '.join(long[:5])}{'...' if len(long) > 5 else ''})")
    if document.repaired:
        notes.append(f"{document.path}: {document.repaired} lines repaired from mis-decoded UTF-8")
    return tuple(notes)


def verify(path: Path, roots: Sequence[Path] = (), against: Path | None = None,
           vocabulary: Vocabulary | None = None, scan_report: dict[str, Any] | None = None,
           index: Path | None = None) -> Verification:
    """Judge ``path``'s claims. ``scan_report`` is a report_to_dict of a scan already run over
    ``roots``; ``against`` an earlier report.json (it wins for metrics and the decision)."""
    document = read_document(path)
    claims = claims_of(document, vocabulary)
    report = load_report(against) if against else scan_report
    source = f"report {against}" if against else (f"a scan of {', '.join(map(str, roots))}" if report else "")
    evidence = gather(claims, report, roots, source, index)
    return Verification(document=document, claims=claims, evidence=evidence, judgements=judge(claims, evidence),
                        notes=notes_of(document))
