"""Deliverables: the paths a team says must exist, checked against the file system.

``[tool.gonogo.deliverables]`` maps a group name to paths or globs relative to the config file's
folder; a trailing ``/`` means a directory. Existence is asked of the disk (``os.path``), not of the
scanned file list, so a deliverable that is git-ignored but present still counts as present.

The tree is not trusted: globs are matched by a walk that never descends into a symlinked folder
(``glob.glob`` does, so a link to ``..`` made it loop until paths hit the OS limit) and visits a
bounded number of entries, and a path that resolves outside the scanned root (through a link to
``/``, say) is not a deliverable of this project, so it does not count as present.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path

from gonogo.config import Config
from gonogo.registry import collector
from gonogo.workspace import Workspace

GLOB_CHARS = frozenset("*?[")
MAX_GLOB_ENTRIES = 200_000
"""Folder entries one pattern may visit; a real project's deliverables are found in far fewer."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Deliverable:
    group: str
    pattern: str
    found: tuple[str, ...]
    """What matched, relative to the base folder; empty when missing."""

    @property
    def present(self) -> bool:
        return bool(self.found)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliverableFacts:
    base: str
    """How reports name the base folder (the config's folder, relative to the first root)."""
    items: tuple[Deliverable, ...]
    problems: tuple[str, ...] = ()


@collector("deliverables")
def deliverables(config: Config, workspace: Workspace) -> DeliverableFacts:
    base = config.base_path or workspace.roots[0].path
    root = Path(os.path.realpath(workspace.roots[0].path))
    items: list[Deliverable] = []
    problems: list[str] = []
    for group, patterns in sorted(config.deliverables.items()):
        for pattern in patterns:
            problem = _unsafe(pattern)
            if problem:
                problems.append(f"{group}: {pattern!r} {problem}")
                continue
            found, complete = _matches(base, pattern, root)
            if not complete:
                problems.append(f"{group}: {pattern!r} visits over {MAX_GLOB_ENTRIES:,} entries; the search stopped")
            items.append(Deliverable(group=group, pattern=pattern, found=tuple(found)))
    return DeliverableFacts(base=_display_base(base, workspace), items=tuple(items), problems=tuple(problems))


def _unsafe(pattern: str) -> str | None:
    """Deliverables are inside the project: absolute paths and ``..`` are refused."""
    if not pattern.strip():
        return "is empty"
    if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
        return "points outside the project (absolute or '..'); not checked"
    return None


def _matches(base: Path, pattern: str, root: Path) -> tuple[list[str], bool]:
    """What ``pattern`` names under ``base`` and lies inside ``root``; False when the walk stopped."""
    want_dir = pattern.endswith("/")
    clean = pattern.rstrip("/")
    complete = True
    if GLOB_CHARS & set(clean):
        hits, complete = _glob(base, [s for s in clean.split("/") if s])
    else:
        hits = {clean} if os.path.lexists(base / clean) else set()
    return [h for h in sorted(hits) if _present(base / h, want_dir, root)], complete


def _present(path: Path, want_dir: bool, root: Path) -> bool:
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(root):
        return False  # a link out of the project: whatever is there is not this project's
    return real.is_dir() if want_dir else real.is_file()


def _glob(base: Path, segments: list[str]) -> tuple[set[str], bool]:
    """``glob.glob(recursive=True)`` semantics (``*`` skips hidden names, ``**`` any depth) over
    a walk that does not enter symlinked folders and stops after ``MAX_GLOB_ENTRIES`` entries."""
    found: set[str] = set()
    budget = MAX_GLOB_ENTRIES
    stack: list[tuple[str, int]] = [("", 0)]
    seen: set[tuple[str, int]] = set()
    while stack:
        rel, index = stack.pop()
        if (rel, index) in seen:
            continue
        seen.add((rel, index))
        if index == len(segments):
            found.add(rel)
            continue
        segment = segments[index]
        if not GLOB_CHARS & set(segment):
            stack.append((_join(rel, segment), index + 1))
            continue
        entries = _entries(base / rel if rel else base)
        budget -= len(entries)
        if budget < 0:
            return found, False
        if segment == "**":
            stack.append((rel, index + 1))
            last = index == len(segments) - 1
            stack.extend(
                (_join(rel, name), index) if is_dir else (_join(rel, name), index + 1)
                for name, is_dir in entries
                if not name.startswith(".") and (is_dir or last)
            )
            continue
        matcher = re.compile(fnmatch.translate(segment))
        stack.extend(
            (_join(rel, name), index + 1)
            for name, _ in entries
            if matcher.match(name) and (segment.startswith(".") or not name.startswith("."))
        )
    return found, True


def _entries(folder: Path) -> list[tuple[str, bool]]:
    """(name, is a real folder) for each entry; a symlinked folder is not a folder to enter."""
    try:
        with os.scandir(folder) as listing:
            return [(e.name, e.is_dir(follow_symlinks=False)) for e in listing]
    except OSError:
        return []


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


def _display_base(base: Path, workspace: Workspace) -> str:
    for root in workspace.roots:
        try:
            rel = base.resolve().relative_to(root.path)
        except ValueError:
            continue
        return root.display(rel.as_posix()) if rel.parts else (root.prefix.rstrip("/") or ".")
    return str(base)
