"""Which files a scan looks at, and reading them safely.

The walk honours each root's ``.gitignore`` files (nested ones too), skips version-control folders,
virtualenvs, ``node_modules`` and build output, never follows a symlink (so a symlink loop cannot
trap it and a link to ``/`` or ``/dev/zero`` leads nowhere), and turns every folder it cannot read
into a ``Note`` instead of an error. Special files (FIFOs, devices, sockets) and links pointing out
of the root are listed in ``skipped`` with a note each, so a manifest among them is still reported.
Reading goes through ``safe_read``: bounded, regular files only, links never followed.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pathspec

from gonogo.cache import FactCache, Signature, content_digest, signature_of
from gonogo.ignorefiles import compile_patterns
from gonogo.model import Location
from gonogo.notes import Notes
from gonogo.safe_read import FileReadError as FileReadError  # what reads raise; callers import it here
from gonogo.safe_read import kind_of, read_regular_file, read_with_stat

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
MAX_GITIGNORE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    """A file in the workspace: where it is on disk and how reports name it."""

    root: Path
    relpath: str
    display: str
    size: int
    name: str = field(init=False, repr=False, compare=False)
    """The last part of ``relpath``."""
    suffix: str = field(init=False, repr=False, compare=False)
    """The name's extension from its last dot, lower-cased (``""`` for none)."""

    def __post_init__(self) -> None:
        # worked out once: every collector sorts the listing by them, and on a tree of 15,000 files
        # the properties they were cost a tenth of a second of every scan that runs the checks
        name = self.relpath.rsplit("/", 1)[-1]
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "suffix", name[name.rfind(".") :].lower() if "." in name else "")

    @property
    def abspath(self) -> Path:
        return self.root / self.relpath

    def at(self, line: int | None = None) -> Location:
        return Location(path=self.display, line=line)


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedEntry:
    """A folder entry the walk did not list (a special file, a link out of the root), and why."""

    file: SourceFile
    reason: str


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
    notes: Notes = field(default_factory=Notes)
    """Where the walk records what it skipped; the engine passes the scan's one ``Notes``."""
    _skipped: list[SkippedEntry] = field(default_factory=list)
    cache_folder: Path | None = None
    """The fact cache's folder, where the stat index is kept; ``None``: every file is hashed."""
    _digests: dict[tuple[Path, str], str] = field(default_factory=dict)
    _index: dict[Path, dict[str, tuple[Signature, str]]] = field(default_factory=dict)
    _fresh: dict[Path, dict[str, tuple[Signature, str]]] = field(default_factory=dict)
    _pruned: set[Path] = field(default_factory=set)
    _cache_noted: str | None = None
    _stamps: list[tuple[str, str, Signature]] = field(default_factory=list)
    """Each listed or skipped entry's root, relative path and status, as the walk saw them."""
    _listed: dict[tuple[Path, str], Signature] = field(default_factory=dict)
    """Each listed file's status as the walk saw it, by (root, relative path): what the stat index
    is compared with (:meth:`_indexed`)."""
    _inner_links: list[tuple[Path, str, str]] = field(default_factory=list)
    """Each symbolic link whose target is inside its root: (root, link, target), both relative
    POSIX paths (``inner_links``)."""
    _gitignores: dict[tuple[Path, str], pathspec.PathSpec[pathspec.Pattern]] = field(default_factory=dict)
    """Each ``.gitignore`` the walk applied, compiled, by (root, folder): ``gitignore_specs``."""
    _lock: threading.RLock = field(default_factory=threading.RLock)
    """Guards the stat index and the hashes (``_index``, ``_fresh``, ``_pruned``, the cache note):
    a background collector hashes files while the scan's thread does (``registry.background``)."""

    @classmethod
    def open(
        cls,
        paths: Sequence[Path],
        excludes: Sequence[str] = (),
        notes: Notes | None = None,
        cache_folder: Path | None = None,
    ) -> Workspace:
        resolved = [Path(p).resolve() for p in paths]
        multi = len(resolved) > 1
        names = _unique_names(resolved)
        roots = [
            Root(path=p, name=name, prefix=f"{name}/" if multi else "")
            for p, name in zip(resolved, names, strict=True)
        ]
        return cls(
            roots=roots,
            excludes=tuple(excludes),
            notes=notes if notes is not None else Notes(),
            cache_folder=cache_folder,
        )

    @cached_property
    def files(self) -> tuple[SourceFile, ...]:
        found: list[SourceFile] = []
        for root in self.roots:
            found.extend(self._walk(root))
        return tuple(found)

    def gitignore_specs(self) -> dict[tuple[Path, str], pathspec.PathSpec[pathspec.Pattern]]:
        """Each ``.gitignore`` the walk applied, by (root, folder), compiled as the walk applies it:
        its patterns bounded and the ones refused left out (``ignorefiles``). A collector that asks
        whether a path is ignored asks these, rather than compiling a repository's patterns again
        with none of those guards."""
        self.files  # noqa: B018  # the walk loads them
        return dict(self._gitignores)

    @property
    def inner_links(self) -> tuple[tuple[Path, str, str], ...]:
        """(root, link, target) of each symbolic link inside a root that points inside it; never
        followed, only named (a link into an empty git submodule gives the submodule's package a
        name at the link's place: ``collectors.submodules``)."""
        _ = self.files
        return tuple(self._inner_links)

    @property
    def skipped(self) -> tuple[SkippedEntry, ...]:
        """Entries the walk saw but did not list; complete once ``files`` is built."""
        _ = self.files
        return tuple(self._skipped)

    def listing_digest(self) -> str:
        """One hash of every entry the walk listed or skipped and its status: any file added,
        removed, edited, replaced or newly ignored changes it (``gonogo.scan_memo`` keys by it)."""
        _ = self.files
        digest = hashlib.blake2b(digest_size=20)
        for root, relpath, status in self._stamps:
            digest.update(f"{root}\0{relpath}\0{status}\n".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def newest_change_ns(self) -> int:
        """The latest mtime or ctime among the entries the walk saw (0 for none)."""
        _ = self.files
        return max((max(status[1], status[2]) for _, _, status in self._stamps), default=0)

    def by_suffix(self, *suffixes: str) -> list[SourceFile]:
        return [f for f in self.files if f.suffix in suffixes]

    def root_of(self, file: SourceFile) -> Root:
        return next(r for r in self.roots if r.path == file.root)

    def read_bytes(self, file: SourceFile, limit: int = MAX_READ_BYTES) -> bytes:
        """The file's bytes, or ``FileReadError`` when it is too large, unreadable or no longer a
        regular file (see ``safe_read``)."""
        if file.size > limit:
            raise FileReadError(f"{file.size:,} bytes is over the {limit:,}-byte limit; not read")
        return read_regular_file(file.abspath, limit)

    def read_text(self, file: SourceFile, limit: int = MAX_READ_BYTES) -> str:
        """The file decoded as UTF-8 (with a BOM allowed); binary or undecodable files raise."""
        return decode_text(self.read_bytes(file, limit))

    def content_key_of(self, file: SourceFile, limit: int = MAX_READ_BYTES) -> str:
        """The hash of the file's bytes (``cache.content_digest``), or ``FileReadError`` as
        ``read_bytes`` would raise it; see :meth:`content_of`."""
        return self.content_of(file, limit)[0]

    def content_of(self, file: SourceFile, limit: int = MAX_READ_BYTES) -> tuple[str, bytes | None]:
        """The hash of the file's bytes, and the bytes when they had to be read for it.

        Every per-file cache keys by this, so a file is hashed at most once a scan, and not at all
        when the stat index knows it: its size, mtime, ctime, inode and device are those it had
        when last hashed (see ``gonogo.cache``). Otherwise the file is read, and its bytes are
        handed back so the caller, which then misses its cache, does not read it again."""
        if file.size > limit:
            raise FileReadError(f"{file.size:,} bytes is over the {limit:,}-byte limit; not read")
        where = (file.root, file.relpath)
        digest = self._digests.get(where) or self._indexed(file, limit)
        data = None
        if digest is None:
            data, info = read_with_stat(file.abspath, limit)
            digest = content_digest(data)
            with self._lock:
                self._fresh.setdefault(file.root, {})[file.relpath] = (signature_of(info), digest)
        self._digests[where] = digest
        return digest, data

    def hashed_digests(self) -> frozenset[str]:
        """The content hashes of the files hashed so far this scan (``content_of``)."""
        return frozenset(list(self._digests.values()))  # list() copies in one step, beside threads that add

    def save_index(self) -> None:
        """Store what this scan hashed, and forget what it no longer finds, for the next one; a
        cache that fails is a note, once."""
        with self._lock:
            fresh, self._fresh = self._fresh, {}
            gone = self._gone_from_index()
        if self.cache_folder is None or not (fresh or gone):
            return
        cache = FactCache(self.cache_folder)
        for root, entries in fresh.items():
            cache.put_stats(str(root), entries)
        for root, relpaths in gone.items():
            cache.forget_stats(str(root), relpaths)
        self.cache_problem(cache.problem)
        cache.close()

    def _gone_from_index(self) -> dict[Path, set[str]]:
        """The stat index's paths this walk did not find (deleted, renamed, now ignored), once per
        root: without this the index of a busy checkout would only ever grow."""
        gone: dict[Path, set[str]] = {}
        for root, index in self._index.items():
            if root in self._pruned:
                continue
            self._pruned.add(root)
            stale = index.keys() - {f.relpath for f in self.files if f.root == root}
            if stale:
                gone[root] = stale
        return gone

    def _indexed(self, file: SourceFile, limit: int) -> str | None:
        """The file's hash from the stat index, when the file still has the status recorded."""
        entry = self._index_of(file.root).get(file.relpath)
        if entry is None:
            return None
        signature, digest = entry
        listed = self._listed.get((file.root, file.relpath))
        if listed is not None:
            # the walk's own stat of the file: listed as a regular file of this size, and taking
            # it saves a second stat of every file on every scan that runs the checks. The facts
            # are then those of the file as listed, which the scan memo's key is made of too
            return digest if listed == signature and listed[0] <= limit else None
        try:
            # a string path: pathlib's join costs more than the stat, over every file of a warm scan
            info = os.stat(os.path.join(file.root, file.relpath), follow_symlinks=False)
        except OSError:
            return None  # read_with_stat says why, for the caller's note
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        return digest if signature_of(info) == signature else None

    def _index_of(self, root: Path) -> dict[str, tuple[Signature, str]]:
        index = self._index.get(root)
        if index is not None:
            return index
        with self._lock:
            if root not in self._index:
                if self.cache_folder is None:
                    self._index[root] = {}
                else:
                    cache = FactCache(self.cache_folder)
                    self._index[root] = cache.stats_of(str(root))
                    self.cache_problem(cache.problem)
                    cache.close()
            return self._index[root]

    def cache_problem(self, problem: str | None) -> None:
        """A note that the fact cache is off, once a scan however many collectors find it so."""
        with self._lock:
            if problem and self._cache_noted is None:
                self._cache_noted = problem
                self.note(problem, source="cache")

    def note(self, message: str, path: str | None = None, source: str = "") -> None:
        """The walk's own notes. A collector adds to the ``notes`` fact it declares instead."""
        self.notes.add(message, path=path, source=source)

    def _walk(self, root: Root) -> Iterator[SourceFile]:
        user_spec, refused = compile_patterns(self.excludes)
        for bad in refused:
            self.note(f"exclude pattern {bad.pattern!r} not applied: {bad.reason}", source="config")
        if root.path.is_file():
            info = root.path.stat()
            self._stamps.append((str(root.path.parent), root.path.name, signature_of(info)))
            yield SourceFile(
                root=root.path.parent,
                relpath=root.path.name,
                display=root.display(root.path.name),
                size=info.st_size,
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
        ignores: list[tuple[str, pathspec.PathSpec[pathspec.Pattern]]],
        user_spec: pathspec.PathSpec[pathspec.Pattern],
    ) -> Iterator[SourceFile]:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self.note(f"folder not readable: {exc.strerror or exc}", root.display(rel.rstrip("/") or "."), "workspace")
            return
        if any(e.name == ".gitignore" for e in entries):
            spec = self._load_gitignore(root, f"{rel}.gitignore")
            if spec is not None:
                ignores = [*ignores, (rel, spec)]
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
                continue
            signature = signature_of(info)
            self._stamps.append((str(root.path), child_rel, signature))
            if stat.S_ISREG(info.st_mode):
                self._listed[(root.path, child_rel)] = signature
                yield SourceFile(
                    root=root.path, relpath=child_rel, display=root.display(child_rel), size=info.st_size
                )
            else:
                self._skip(root, child_rel, info.st_mode)

    def _skip(self, root: Root, rel: str, mode: int) -> None:
        """Records an entry that is not listed. A link inside the root is silent: its target is
        listed under its own name. Links out of the root and special files get a note, since a
        manifest or config among them would otherwise vanish without a word."""
        path = root.path / rel
        if stat.S_ISLNK(mode):
            target = _target_inside(root.path, path)
            if target is not None:
                self._inner_links.append((root.path, rel, target))
                return
            reason = "a symbolic link pointing outside the scanned folder; not followed"
        else:
            reason = f"{kind_of(mode)}, not a regular file; not read"
        self.note(reason, root.display(rel), "workspace")
        entry = SourceFile(root=root.path, relpath=rel, display=root.display(rel), size=0)
        self._skipped.append(SkippedEntry(file=entry, reason=reason))

    def _load_gitignore(self, root: Root, rel: str) -> pathspec.PathSpec[pathspec.Pattern] | None:
        """A ``.gitignore`` read like any scanned file (git itself does not follow a symlinked
        one); a pattern that cannot be applied safely is a note naming its line."""
        try:
            data = read_regular_file(root.path / rel, MAX_GITIGNORE_BYTES)
        except FileReadError as exc:
            self.note(f".gitignore not applied: {exc}", root.display(rel), "workspace")
            return None
        lines = data.decode("utf-8", errors="replace").splitlines()
        spec, refused = compile_patterns(lines, at_root=rel == ".gitignore")
        for bad in refused:
            message = f"pattern {bad.pattern!r} on line {bad.line} not applied: {bad.reason}"
            self.note(message, root.display(rel), "workspace")
        self._gitignores[(root.path, posixpath.dirname(rel))] = spec
        return spec


def refuse_binary(data: bytes) -> None:
    """Raise for bytes that are no text: a NUL in the first 8 KiB."""
    if b"\0" in data[:8192]:
        raise FileReadError("binary file (contains NUL bytes)")


def decode_text(data: bytes) -> str:
    refuse_binary(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileReadError(f"not valid UTF-8 at byte {exc.start}") from exc


def _target_inside(root: Path, link: Path) -> str | None:
    """Where ``link`` resolves to, relative to ``root`` (POSIX), when that is inside ``root`` (a
    dangling link inside counts); ``None`` otherwise. Resolved once: a link changed between two
    resolutions cannot make them disagree."""
    try:
        return Path(os.path.realpath(link)).relative_to(root).as_posix()
    except (OSError, RuntimeError, ValueError):
        return None


def _ignored(
    rel: str,
    is_dir: bool,
    ignores: list[tuple[str, pathspec.PathSpec[pathspec.Pattern]]],
    user: pathspec.PathSpec[pathspec.Pattern],
) -> bool:
    candidate = f"{rel}/" if is_dir else rel
    if user.match_file(candidate):
        return True
    return any(candidate.startswith(base) and spec.match_file(candidate[len(base) :]) for base, spec in ignores)


def _is_virtualenv(folder: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(folder / "pyvenv.cfg", follow_symlinks=False).st_mode)
    except OSError:  # an unreadable folder: scandir will say so with a note
        return False


def _unique_names(paths: Sequence[Path]) -> list[str]:
    names: list[str] = []
    for path in paths:
        name = path.name or "root"
        candidate, n = name, 2
        while candidate in names:
            candidate, n = f"{name}-{n}", n + 1
        names.append(candidate)
    return names
