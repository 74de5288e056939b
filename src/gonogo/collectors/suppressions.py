"""The ``suppressions`` fact: every ``# gonogo: ignore[...]`` comment in the workspace's text files,
so a check can hold each one to the rule that it names what it silences and why."""

from __future__ import annotations

from dataclasses import dataclass

from gonogo.collectors.python import PythonFacts
from gonogo.registry import collector
from gonogo.suppressions import Suppression, parse_suppression
from gonogo.workspace import FileReadError, Workspace, decode_text

MARKER = b"gonogo:"
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionComment:
    path: str
    line: int
    suppression: Suppression


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionFacts:
    comments: tuple[SuppressionComment, ...]


@collector("suppressions")
def suppressions(workspace: Workspace, python: PythonFacts) -> SuppressionFacts:
    found: list[SuppressionComment] = []
    parsed = python.by_file()
    for source in workspace.files:
        if source.size > MAX_BYTES:
            continue
        if source in parsed:  # a Python file's comments were read in the per-file pass, and cached
            scanned = parsed[source].facts.text
            found.extend(
                SuppressionComment(path=source.display, line=line, suppression=comment)
                for line, comment in (scanned.suppressions if scanned else ())
            )
            continue
        try:
            data = workspace.read_bytes(source, MAX_BYTES)
            if MARKER not in data.lower():
                continue
            text = decode_text(data)
        except FileReadError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            comment = parse_suppression(line) if "gonogo:" in line.lower() else None
            if comment is not None:
                found.append(SuppressionComment(path=source.display, line=number, suppression=comment))
    return SuppressionFacts(comments=tuple(found))
