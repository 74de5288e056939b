"""pip requirements files, read the way pip reads them, without running pip.

Handled: comments, ``\\`` continuations, ``-r``/``-c`` includes (returned, not followed: the
collector follows them once and reports cycles), ``-e`` editable lines, ``--hash`` options, PEP 508
lines with extras and markers, ``name @ url``, bare URLs and paths with ``#egg=``, and global
options (``-i``, ``--extra-index-url``, ``-f``...) which declare nothing. A line that does not
parse is an error with its line number and packaging's reason; the other lines still count.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement

from gonogo.collectors.manifest_types import Dependency, normalise, pinned_version
from gonogo.workspace import SourceFile

_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=\S))(?P<path>\S.*)$")
_EDITABLE = re.compile(r"^(-e|--editable)(?:\s*=\s*|\s+)(?P<target>\S.*)$")
_HASH = re.compile(r"\s--hash[=\s]\s*(\S+)")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git\+|hg\+|svn\+|bzr\+|file:)", re.IGNORECASE)
_GLOBAL_OPTIONS = (
    "-i",
    "--index-url",
    "--extra-index-url",
    "--no-index",
    "-f",
    "--find-links",
    "--pre",
    "--prefer-binary",
    "--only-binary",
    "--no-binary",
    "--require-hashes",
    "--trusted-host",
    "--use-feature",
    "--config-settings",
)
_LINE_OPTIONS = re.compile(r"\s(--hash|--global-option|--install-option|--config-settings)\b.*$")
_ENV_VAR = re.compile(r"\$\{[A-Z0-9_]+\}")


@dataclass(slots=True)
class ParsedRequirements:
    dependencies: list[Dependency] = field(default_factory=list)
    includes: list[tuple[int, str, bool]] = field(default_factory=list)
    """(line, path as written, is a ``-c`` constraint)."""
    errors: list[tuple[int | None, str]] = field(default_factory=list)


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first physical line, joined text) with comments stripped and continuations joined."""
    out: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        # pip strips a comment that starts a line or follows whitespace (not ``url#egg=``)
        line = re.sub(r"(^|\s)#.*$", "", raw)
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer.append(line[:-1])
            continue
        buffer.append(line)
        joined = " ".join(part.strip() for part in buffer).strip()
        buffer = []
        if joined:
            out.append((start, joined))
    if buffer:
        joined = " ".join(part.strip() for part in buffer).strip()
        if joined:
            out.append((start, joined))
    return out


def parse_requirements(text: str, file: SourceFile, group: str | None = None) -> ParsedRequirements:
    parsed = ParsedRequirements()
    for number, line in logical_lines(text):
        include = _INCLUDE.match(line)
        if include:
            flag = line.split()[0].split("=")[0]
            path = include.group("path").strip().strip("'\"")
            parsed.includes.append((number, path, flag.startswith(("-c", "--constraint"))))
            continue
        if line.startswith("-") and not _EDITABLE.match(line):
            option = line.split()[0].split("=")[0]
            if option not in _GLOBAL_OPTIONS:
                parsed.errors.append((number, f"unknown option {option!r}"))
            continue
        dependency = parse_line(line, number, file, group)
        match dependency:
            case str(reason):
                parsed.errors.append((number, reason))
            case None:
                pass
            case _:
                parsed.dependencies.append(dependency)
    return parsed


def parse_line(line: str, number: int, file: SourceFile, group: str | None) -> Dependency | str | None:
    """A dependency, an error reason, or ``None`` for a line that declares nothing nameable."""
    hashes = tuple(_HASH.findall(f" {line}"))
    editable = False
    match_editable = _EDITABLE.match(line)
    if match_editable:
        editable = True
        line = match_editable.group("target")
    line = _LINE_OPTIONS.sub("", f" {line}").strip()
    try:
        words = shlex.split(line) if editable else [line]
    except ValueError:
        words = [line]
    target = words[0] if words else line
    if editable or _URL.match(target) or target.startswith((".", "/")) or _looks_like_path(target):
        return _direct(target, number, file, group, editable, hashes)
    try:
        requirement = Requirement(_ENV_VAR.sub("0", line) if "${" in line and "@" in line else line)
    except InvalidRequirement as exc:
        return f"not a valid requirement: {exc}"
    return from_requirement(requirement, file, number, group, hashes=hashes, editable=editable)


def from_requirement(
    requirement: Requirement,
    file: SourceFile,
    line: int | None,
    group: str | None,
    *,
    hashes: tuple[str, ...] = (),
    editable: bool = False,
    ecosystem: str = "PyPI",
) -> Dependency:
    specifier = str(requirement.specifier)
    return Dependency(
        name=normalise(requirement.name),
        display_name=requirement.name,
        specifier=specifier,
        pinned=pinned_version(specifier) if specifier else None,
        extras=tuple(sorted(requirement.extras)),
        marker=str(requirement.marker) if requirement.marker else None,
        ecosystem=ecosystem,
        group=group,
        file=file,
        line=line,
        url=requirement.url,
        editable=editable,
        hashes=hashes,
    )


def _direct(
    target: str, number: int, file: SourceFile, group: str | None, editable: bool, hashes: tuple[str, ...]
) -> Dependency | None:
    """A URL, VCS or path line: named by ``#egg=`` when it says, else nameless (``-e .``)."""
    egg = _EGG.search(target)
    name = egg.group(1).split("[")[0] if egg else _wheel_or_sdist_name(target)
    if not name:
        return None  # ``-e .`` or a bare path: the project itself, not a distribution we can name
    return Dependency(
        name=normalise(name),
        display_name=name,
        specifier="",
        pinned=None,
        extras=(),
        marker=None,
        ecosystem="PyPI",
        group=group,
        file=file,
        line=number,
        url=target,
        editable=editable,
        hashes=hashes,
    )


def _wheel_or_sdist_name(target: str) -> str | None:
    last = target.rstrip("/").rsplit("/", 1)[-1].split("#")[0]
    if last.endswith(".whl"):
        return last.split("-")[0]
    for suffix in (".tar.gz", ".zip", ".tar.bz2"):
        if last.endswith(suffix):
            stem = last[: -len(suffix)]
            return stem.rsplit("-", 1)[0] if "-" in stem else stem
    return None


def _looks_like_path(target: str) -> bool:
    return "/" in target.split(";")[0] and "@" not in target and "://" not in target
