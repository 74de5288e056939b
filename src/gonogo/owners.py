"""Who owns a path, for the plan's owner column: the repository's CODEOWNERS file, else the most
frequent recent author of the files in ``git log``.

GitHub's rules: the file lives at ``CODEOWNERS``, ``.github/CODEOWNERS`` or ``docs/CODEOWNERS``;
patterns follow gitignore syntax; the last matching line wins.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import pathspec

from gonogo.gitinfo import run_git
from gonogo.ignorefiles import compile_patterns
from gonogo.notes import Notes
from gonogo.workspace import FileReadError, Workspace

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def load_owners(workspace: Workspace, notes: Notes) -> Callable[[str], str | None] | None:
    """A lookup from a report path to its owners, or ``None`` when no root has CODEOWNERS."""
    rules: list[tuple[str, pathspec.PathSpec[pathspec.Pattern], str]] = []
    for file in workspace.files:
        if file.relpath not in LOCATIONS:
            continue
        try:
            text = workspace.read_text(file, limit=1024 * 1024)
        except FileReadError as exc:
            notes.add(f"CODEOWNERS not read: {exc}", path=file.display, source="owners")
            continue
        prefix = workspace.root_of(file).prefix
        for number, line in enumerate(text.splitlines(), 1):
            parts = line.split("#", 1)[0].split()
            if len(parts) < 2:
                continue
            # a repository's pattern, compiled bounded as its .gitignore is: one written to
            # backtrack (``a*a*a*...b``) would hang the plan, an invalid one (``[z-a]``) end it
            spec, refused = compile_patterns([parts[0]])
            for bad in refused:
                notes.add(f"CODEOWNERS line {number} not applied: {bad.reason}", path=file.display, source="owners")
            if not refused:
                rules.append((prefix, spec, " ".join(parts[1:])))
    if not rules:
        return None

    def owners_of(path: str) -> str | None:
        owner = None
        for prefix, spec, names in rules:
            if path.startswith(prefix) and spec.match_file(path[len(prefix) :]):
                owner = names
        return owner

    return owners_of


RECENT_COMMITS = 500
"""How far back ``git log`` is read: recent authors know the code as it is, and the read stays
bounded on a repository with a long history."""
GIT_LOG_TIMEOUT_S = 20


def load_authors(workspace: Workspace) -> Callable[[Sequence[str]], str | None] | None:
    """A lookup from report paths to the author who changed them most in the last
    ``RECENT_COMMITS`` commits of their root, or ``None`` when no root is a git checkout."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for root in workspace.roots:
        log = _git_log(root.path)
        if log is None:
            continue
        for path, author in _touches(log):
            counts[f"{root.prefix}{path}"][author] += 1
    if not counts:
        return None

    def most_frequent(paths: Sequence[str]) -> str | None:
        total: Counter[str] = Counter()
        for path in paths:
            total.update(counts.get(path, Counter()))
        # ties go to the name first in order, so the same history always names the same person
        ranked = sorted(total.items(), key=lambda item: (-item[1], item[0]))
        return ranked[0][0] if ranked else None

    return most_frequent


def _touches(log: str) -> list[tuple[str, str]]:
    """(path, author) for each file each commit touched, from ``--format=%x00%aN --name-only``."""
    pairs, author = [], None
    for line in log.splitlines():
        if line.startswith("\0"):
            author = line[1:].strip() or None
        elif line.strip() and author:
            pairs.append((line.strip(), author))
    return pairs


def _git_log(folder: Path) -> str | None:
    """The last commits' authors and files, relative to ``folder``; read-only, bounded."""
    return run_git(folder, "log", f"-n{RECENT_COMMITS}", "--no-merges", "--format=%x00%aN", "--name-only",
                   "--relative", "--no-renames", "--", ".", timeout=GIT_LOG_TIMEOUT_S)
