"""The repositories of a fleet, read from ``FLEET.toml`` or ``REPOS.txt``.

``FLEET.toml`` lists tables::

    [[repository]]
    source = "https://github.com/acme/billing.git"   # a git URL, or a folder (relative to this file)
    name = "billing"                                  # optional: the last part of the source
    ref = "main"                                      # optional: the branch or tag to clone

``REPOS.txt`` (any other name) holds one source a line; blank lines and lines starting with ``#``
are skipped. Either file is the user's, yet it may be generated, copied from a chat or truncated:
it is read with the scanned-file reader's bounds, every problem is a ``FleetFileError`` naming the
file and the line or key, and a source is shown only with its credentials masked (a token in a
clone URL is common in CI and must not reach a log).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gonogo.redaction import redact
from gonogo.reporters.text import terminal_text
from gonogo.safe_read import FileReadError, read_regular_file

MAX_FLEET_FILE_BYTES = 4 * 1024 * 1024
MAX_SOURCES = 10_000
GIT_SCHEMES = frozenset({"https", "http", "ssh", "git", "file"})
"""Transports a fleet may clone over. Not ``ext::`` (runs a command) nor any other remote helper."""
_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)(://|::)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


class FleetFileError(Exception):
    """The fleet file cannot be used; the message names the file and where it is wrong."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """One repository to scan."""

    name: str
    """The repository's name in reports: printable, one line."""
    slug: str
    """Its folder under ``--output``: safe on every file system, unique in the fleet."""
    location: str
    """A git URL (credentials included: only ``git clone`` sees it) or an absolute folder."""
    kind: Literal["git", "path"]
    ref: str | None = None

    @property
    def shown(self) -> str:
        """The location as logs and reports may show it: no user, password or token."""
        return shown_location(self.location) if self.kind == "git" else self.location


def read_fleet(path: Path) -> list[Source]:
    """The sources ``path`` lists, in order; ``FleetFileError`` when it cannot be used."""
    try:
        data = read_regular_file(path, MAX_FLEET_FILE_BYTES, follow_links=True)
    except FileReadError as exc:
        raise FleetFileError(f"{path}: {exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FleetFileError(f"{path}: not UTF-8 text (byte {exc.start}); a fleet file lists sources as text") from exc
    entries = _toml_entries(path, text) if path.suffix.lower() == ".toml" else _text_entries(text)
    if not entries:
        raise FleetFileError(f"{path}: lists no repository")
    if len(entries) > MAX_SOURCES:
        raise FleetFileError(f"{path}: lists {len(entries):,} repositories; at most {MAX_SOURCES:,} per fleet file")
    return _sources(path, entries)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Entry:
    where: str
    """``line 3`` or ``repository[2]``: for messages."""
    source: str
    name: str | None = None
    ref: str | None = None


class _RepositoryTable(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    source: str = Field(min_length=1, max_length=4096)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    ref: str | None = Field(default=None, min_length=1, max_length=255)


class _FleetTable(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    repository: list[_RepositoryTable] = Field(default_factory=list)


def _toml_entries(path: Path, text: str) -> list[_Entry]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FleetFileError(f"{path}: invalid TOML: {exc}") from exc
    except RecursionError as exc:
        raise FleetFileError(f"{path}: invalid TOML: nested too deeply to parse") from exc
    try:
        fleet = _FleetTable.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]  # the message, never the input: a value may hold a token
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]).lstrip(".")
        raise FleetFileError(f"{path}: {terminal_text(where) or 'top level'}: {error['msg']}") from exc
    return [
        _Entry(where=f"repository[{i}]", source=table.source, name=table.name, ref=table.ref)
        for i, table in enumerate(fleet.repository)
    ]


def _text_entries(text: str) -> list[_Entry]:
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            entries.append(_Entry(where=f"line {number}", source=stripped))
        if len(entries) > MAX_SOURCES:
            break
    return entries


def _sources(path: Path, entries: list[_Entry]) -> list[Source]:
    base = path.resolve().parent
    checked = [(entry, _location(path, base, entry)) for entry in entries]
    seen: dict[str, str] = {}
    for entry, (location, _kind) in checked:
        if location in seen:
            raise FleetFileError(f"{path}: {entry.where}: the same source as {seen[location]}")
        seen[location] = entry.where
    names = _names(path, checked)
    slugs = _unique_slugs(names)
    return [
        Source(name=name, slug=slug, location=location, kind=kind, ref=entry.ref)
        for (entry, (location, kind)), name, slug in zip(checked, names, slugs, strict=True)
    ]


def _location(path: Path, base: Path, entry: _Entry) -> tuple[str, Literal["git", "path"]]:
    source = entry.source
    if _CONTROL.search(source) or (entry.ref and _CONTROL.search(entry.ref)):
        raise FleetFileError(f"{path}: {entry.where}: holds a control character; one source a line, as text")
    if source.startswith("-") or (entry.ref or "").startswith("-"):
        # git would read it as an option (--upload-pack=...)
        raise FleetFileError(f"{path}: {entry.where}: a source or ref may not start with '-'")
    scheme = _SCHEME.match(source)
    if scheme:
        if scheme.group(2) == "::" or scheme.group(1).lower() not in GIT_SCHEMES:
            raise FleetFileError(
                f"{path}: {entry.where}: scheme {terminal_text(scheme.group(1))!r} is not supported; "
                f"use {', '.join(sorted(GIT_SCHEMES))} or a folder"
            )
        try:
            urlsplit(source)
        except ValueError as exc:
            raise FleetFileError(f"{path}: {entry.where}: not a URL git can clone ({exc})") from exc
        return source, "git"
    if _SCP_LIKE.match(source):
        return source, "git"
    if entry.ref is not None:
        raise FleetFileError(f"{path}: {entry.where}: ref applies to git sources only; a folder is scanned as it is")
    return str(base / Path(source).expanduser()), "path"


def _names(path: Path, checked: Sequence[tuple[_Entry, tuple[str, str]]]) -> list[str]:
    """The given name, else the source's last part, or its last two when that alone is not unique."""
    given: set[str] = set()
    for entry in (e for e, _ in checked if e.name is not None):
        if entry.name in given:
            raise FleetFileError(f"{path}: {entry.where}: name {terminal_text(entry.name or '')!r} is used twice")
        given.add(entry.name or "")
    short = [_tail(location, 1) for _, (location, _kind) in checked]
    names = []
    for (entry, (location, _kind)), name in zip(checked, short, strict=True):
        if entry.name is not None:
            names.append(terminal_text(entry.name))
        else:
            names.append(name if short.count(name) == 1 else _tail(location, 2))
    return names


def _tail(location: str, parts: int) -> str:
    """``https://h/org/api.git`` -> ``api`` (1) or ``org/api`` (2); the same for folders."""
    scp = _SCP_LIKE.match(location)
    path = location[scp.end():] if scp else (urlsplit(location).path if "://" in location else location)
    pieces = [p for p in PurePosixPath(path.removesuffix("/").removesuffix(".git")).parts if p not in ("/", "")]
    return terminal_text("/".join(pieces[-parts:]) or "repository")


def _unique_slugs(names: list[str]) -> list[str]:
    slugs: list[str] = []
    for name in names:
        slug = _SLUG_UNSAFE.sub("_", name.replace("/", "+")).strip("._")[:100] or "repository"
        candidate, n = slug, 2
        while candidate.lower() in (s.lower() for s in slugs):  # one folder on case-insensitive disks too
            candidate, n = f"{slug}-{n}", n + 1
        slugs.append(candidate)
    return slugs


def shown_location(url: str) -> str:
    """``https://user:token@host/repo`` -> ``https://***@host/repo``; ``token=...`` in a query masked too."""
    if "://" in url:
        try:
            parts = urlsplit(url)
        except ValueError:
            return "<a URL that does not parse>"
        if "@" in parts.netloc:
            url = urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))
    return terminal_text(redact(url))
