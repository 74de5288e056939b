"""What a test run did to the working tree: files it created, changed or removed.

A suite that writes into the repository (a report, a database file, a benchmark store) dirties
the working tree, races with a second run and ends up in commits and images by accident; one that
deletes or rewrites tracked files is worse. gonogo runs suites with their scratch state moved
elsewhere, so whatever still changes is the suite's own doing, and is reported, never undone:
the files are the user's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MAX_ENTRIES = 200_000
"""Beyond this many entries the comparison is not made: its cost would rival the run's."""

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})

Snapshot = dict[str, tuple[int, int]]
"""Relative POSIX path -> (size, modification time in ns); folders have size -1."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TreeChanges:
    created: tuple[str, ...] = ()
    """New paths, a new folder standing for everything in it."""
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.created or self.changed or self.removed)


def snapshot(root: Path) -> Snapshot | None:
    """Every path under ``root`` with its size and mtime, or None when the tree is too large."""
    state: Snapshot = {}
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if len(state) >= MAX_ENTRIES:
                return None
            relative = Path(entry.path).relative_to(root).as_posix()
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIPPED_DIRS:
                        state[relative] = (-1, 0)
                        pending.append(Path(entry.path))
                    continue
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            state[relative] = (stat.st_size, stat.st_mtime_ns)
    return state


def changes_since(root: Path, before: Snapshot | None) -> TreeChanges | None:
    """What changed under ``root`` since ``before``; None when either side was too large to take."""
    after = snapshot(root) if before is not None else None
    return None if before is None or after is None else compare(before, after)


def compare(before: Snapshot, after: Snapshot) -> TreeChanges:
    def outermost(paths: set[str]) -> tuple[str, ...]:
        return tuple(sorted(p for p in paths if not any(a in paths for a in _ancestors(p))))

    created = set(after) - set(before)
    removed = set(before) - set(after)
    changed = {
        path for path in set(before) & set(after)
        if before[path] != after[path] and before[path][0] != -1
    }
    return TreeChanges(created=outermost(created), changed=tuple(sorted(changed)), removed=outermost(removed))


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]
