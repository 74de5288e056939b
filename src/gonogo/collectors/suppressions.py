"""The ``suppressions`` fact: every ``# gonogo: ignore[...]`` comment in the workspace's text files,
so a check can hold each one to the rule that it names what it silences and why."""

from __future__ import annotations

from dataclasses import dataclass

from gonogo.collectors.python import PythonFacts
from gonogo.options import ScanOptions
from gonogo.parallel import FileJob, map_files_cached
from gonogo.registry import collector
from gonogo.suppressions import Suppression, suppression_comments
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


SCAN_VERSION = 1
"""Bump when what :func:`comments_in` finds changes, so cached results are recomputed."""


@collector("suppressions")
def suppressions(workspace: Workspace, python: PythonFacts, options: ScanOptions) -> SuppressionFacts:
    parsed = python.by_file()
    others = [source for source in workspace.files if source.size <= MAX_BYTES and source not in parsed]
    # the other text files' comments are cached per content: an unchanged file is not read again
    jobs = [FileJob(file=source, namespace=f"supp{SCAN_VERSION}", limit=MAX_BYTES) for source in others]
    # a substring test per file: cheaper here than through a worker process
    found_in = map_files_cached(comments_in, jobs, options, workspace, "suppressions", cheap=True)
    in_others = dict(zip(others, found_in, strict=True))
    found: list[SuppressionComment] = []
    for source in workspace.files:
        if source.size > MAX_BYTES:
            continue
        if source in parsed:  # a Python file's comments were read in the per-file pass, and cached
            scanned = parsed[source].facts.text
            comments = scanned.suppressions if scanned else ()
        else:
            listed = in_others.get(source)
            comments = listed if isinstance(listed, tuple) else ()  # too large, or unreadable: none
        found.extend(SuppressionComment(path=source.display, line=line, suppression=c) for line, c in comments)
    return SuppressionFacts(comments=tuple(found))


def comments_in(data: bytes) -> tuple[tuple[int, Suppression], ...]:
    """(line, comment) of each suppression comment in one text file; none in a binary one.
    Top-level and path-free, so its result can be cached."""
    if MARKER not in data.lower():
        return ()
    try:
        text = decode_text(data)
    except FileReadError:
        return ()
    return suppression_comments(text.splitlines())
