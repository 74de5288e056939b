"""Who owns a path, from the repository's CODEOWNERS file, for the plan's owner column.

GitHub's rules: the file lives at ``CODEOWNERS``, ``.github/CODEOWNERS`` or ``docs/CODEOWNERS``;
patterns follow gitignore syntax; the last matching line wins.
"""

from __future__ import annotations

from collections.abc import Callable

import pathspec

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
        for line in text.splitlines():
            parts = line.split("#", 1)[0].split()
            if len(parts) >= 2:
                spec = pathspec.GitIgnoreSpec.from_lines([parts[0]])
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
