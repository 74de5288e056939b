"""Which files a scan looks at, and reading them safely.

The walk honours each root's ``.gitignore`` files (nested ones too), skips version-control folders,
virtualenvs, ``node_modules`` and build output, never follows a symlinked folder (so a symlink loop
cannot trap it), and turns every folder it cannot read into a ``Note`` instead of an error.
Reading is bounded: binary files and files over the size limit are reported, not parsed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pathspec

from gonogo.model import Location, Note

DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".env",
        "env",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "node_modules",
        "build",
        "dist",
        ".eggs",
        "site-packages",
        "gonogo-report",
    }
)

MAX_READ_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    """A file in the workspace: where it is on disk and how reports name it."""

    root: Path
    relpath: str
    display: str
    size: int

    @property
    def abspath(self) -> Path:
        return self.root / self.relpath

    @property
    def name(self) -> str:
        return self.relpath.rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        name = self.name
        return name[name.rfind(".") :].lower() if "." in name else ""

    def at(self, line: int | None = None) -> Location:
        return Location(path=self.display, line=line)


class FileReadError(Exception):
    """A file that could not be read as text; the message says why, for a note."""


@dataclass(slots=True)
class Root:
    path: Path
    name: str
    prefix: str

    def display(self, relpath: str) -> str:
        return f"{self.prefix}{relpath}"


@dataclass
class Workspace:
    """One or more roots and the files in them, listed once."""

    roots: list[Root]
    excludes: Sequence[str] = ()
    notes: list[Note] = field(default_factory=list)
    data_versions: dict[str, str] = field(default_factory=dict)
    """Versions of outside data the scan used (an advisory snapshot), for the report's evidence."""

    @classmethod
    def open(cls, paths: Sequence[Path], excludes: Sequence[str] = ()) -> Workspace:
        resolved = [Path(p).resolve() for p in paths]
        multi = len(resolved) > 1
        names = _unique_names(resolved)
        roots = [
            Root(path=p, name=name, prefix=f"{name}/" if multi else "")
            for p, name in zip(resolved, names, strict=True)
        ]
        return cls(roots=roots, excludes=tuple(excludes))

    @cached_property
    def files(self) -> tuple[SourceFile, ...]:
        found: list[SourceFile] = []
        for root in self.roots:
            found.extend(self._walk(root))
        return tuple(found)

    def by_suffix(self, *suffixes: str) -> list[SourceFile]:
        return [f for f in self.files if f.suffix in suffixes]

    def root_of(self, file: SourceFile) -> Root:
        return next(r for r in self.roots if r.path == file.root)

    def read_bytes(self, file: SourceFile, limit: int = MAX_READ_BYTES) -> bytes:
        """The file's bytes, or ``FileReadError`` when it is too large or unreadable."""
        if file.size > limit:
            raise FileReadError(f"{file.size:,} bytes is over the {limit:,}-byte limit; not read")
        try:
            with open(file.abspath, "rb") as handle:
                return handle.read(limit + 1)
        except OSError as exc:
            raise FileReadError(exc.strerror or str(exc)) from exc

    def read_text(self, file: SourceFile, limit: int = MAX_READ_BYTES) -> str:
        """The file decoded as UTF-8 (with a BOM allowed); binary or undecodable files raise."""
        return decode_text(self.read_bytes(file, limit))

    def note(self, message: str, path: str | None = None, source: str = "") -> None:
        self.notes.append(Note(message=message, path=path, source=source))

    def _walk(self, root: Root) -> Iterator[SourceFile]:
        user_spec = pathspec.GitIgnoreSpec.from_lines(self.excludes)
        if root.path.is_file():
            yield SourceFile(
                root=root.path.parent,
                relpath=root.path.name,
                display=root.display(root.path.name),
                size=root.path.stat().st_size,
            )
            return
        if not root.path.is_dir():
            self.note("not a folder or file; nothing scanned", path=str(root.path), source="workspace")
            return
        yield from self._walk_dir(root, root.path, "", [], user_spec)

    def _walk_dir(
        self,
        root: Root,
        folder: Path,
        rel: str,
        ignores: list[tuple[str, pathspec.PathSpec]],
        user_spec: pathspec.PathSpec,
    ) -> Iterator[SourceFile]:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self.note(f"folder not readable: {exc.strerror or exc}", root.display(rel.rstrip("/") or "."), "workspace")
            return
        gitignore = next((e for e in entries if e.name == ".gitignore"), None)
        if gitignore is not None:
            ignores = [*ignores, (rel, _load_gitignore(Path(gitignore.path)))]
        for entry in entries:
            child_rel = f"{rel}{entry.name}"
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                self.note(f"not readable: {exc.strerror or exc}", root.display(child_rel), "workspace")
                continue
            is_dir = stat.S_ISDIR(info.st_mode)
            if _ignored(child_rel, is_dir, ignores, user_spec):
                continue
            if is_dir:
                if entry.name in DEFAULT_EXCLUDED_DIRS or _is_virtualenv(Path(entry.path)):
                    continue
                yield from self._walk_dir(root, Path(entry.path), f"{child_rel}/", ignores, user_spec)
            elif stat.S_ISREG(info.st_mode):
                yield SourceFile(
                    root=root.path, relpath=child_rel, display=root.display(child_rel), size=info.st_size
                )
            # symlinks, sockets and devices are not followed: a link may point outside the root
            # or back into it (a loop), and a device may block forever.


def decode_text(data: bytes) -> str:
    if b"\0" in data[:8192]:
        raise FileReadError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileReadError(f"not valid UTF-8 at byte {exc.start}") from exc


def _load_gitignore(path: Path) -> pathspec.PathSpec:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(
    rel: str, is_dir: bool, ignores: list[tuple[str, pathspec.PathSpec]], user: pathspec.PathSpec
) -> bool:
    candidate = f"{rel}/" if is_dir else rel
    if user.match_file(candidate):
        return True
    return any(candidate.startswith(base) and spec.match_file(candidate[len(base) :]) for base, spec in ignores)


def _is_virtualenv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()


def _unique_names(paths: Sequence[Path]) -> list[str]:
    names: list[str] = []
    for path in paths:
        name = path.name or "root"
        candidate, n = name, 2
        while candidate in names:
            candidate, n = f"{name}-{n}", n + 1
        names.append(candidate)
    return names
