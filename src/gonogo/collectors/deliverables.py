"""Deliverables: the paths a team says must exist, checked against the file system.

``[tool.gonogo.deliverables]`` maps a group name to paths or globs relative to the config file's
folder; a trailing ``/`` means a directory. Existence is asked of the disk (``os.path``), not of the
scanned file list, so a deliverable that is git-ignored but present still counts as present.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

from gonogo.config import Config
from gonogo.registry import collector
from gonogo.workspace import Workspace

GLOB_CHARS = frozenset("*?[")


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
    items: list[Deliverable] = []
    problems: list[str] = []
    for group, patterns in sorted(config.deliverables.items()):
        for pattern in patterns:
            problem = _unsafe(pattern)
            if problem:
                problems.append(f"{group}: {pattern!r} {problem}")
                continue
            items.append(Deliverable(group=group, pattern=pattern, found=tuple(_matches(base, pattern))))
    return DeliverableFacts(base=_display_base(base, workspace), items=tuple(items), problems=tuple(problems))


def _unsafe(pattern: str) -> str | None:
    """Deliverables are inside the project: absolute paths and ``..`` are refused."""
    if not pattern.strip():
        return "is empty"
    if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
        return "points outside the project (absolute or '..'); not checked"
    return None


def _matches(base: Path, pattern: str) -> list[str]:
    want_dir = pattern.endswith("/")
    clean = pattern.rstrip("/")
    if GLOB_CHARS & set(clean):
        hits = sorted(glob.glob(clean, root_dir=base, recursive=True))
    else:
        hits = [clean] if (base / clean).exists() or (base / clean).is_symlink() else []
    return [h for h in hits if ((base / h).is_dir() if want_dir else (base / h).is_file())]


def _display_base(base: Path, workspace: Workspace) -> str:
    for root in workspace.roots:
        try:
            rel = base.resolve().relative_to(root.path)
        except ValueError:
            continue
        return root.display(rel.as_posix()) if rel.parts else (root.prefix.rstrip("/") or ".")
    return str(base)
