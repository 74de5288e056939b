"""Which image names the repository's own scripts give the images they build.

A Dockerfile may start ``FROM`` an image another build of the same repository made: SecureDrop's
``securedrop/bin/dev-shell`` builds ``securedrop-slim-${UBUNTU_VERSION}-py3`` from one Dockerfile
and its test image's Dockerfile starts from it. No registry holds such an image, so it has no tag
to pin. Its name is found where a script tags a build with it: a ``docker``, ``podman``,
``buildah`` or ``nerdctl`` (or a variable naming one: ``$DOCKER_BIN``) ``build`` command that
begins a simple command, whose ``-t`` / ``--tag`` value is the name as written, a variable the
same file assigns the name to (``image="..."``, a Makefile's ``TOOLS := ...``), or a positional
parameter of the shell function the command is in, which a call of that function in the file
passes the name to (literally or through such a variable).

A Buildx bake file (``*.hcl``) names such an image too: a target's ``contexts = { base =
"target:base" }`` binds the name ``base`` to the image another target of the file builds (Mailu's
``tests/build.hcl``, whose ``core/admin/Dockerfile`` starts ``FROM base``). Only a ``target:``
binding counts: ``docker-image://alpine`` is a pull under another name.

Read: shell scripts (``.sh``, ``.bash``, or a shell ``#!`` line), Makefiles, justfiles and bake
files of the root, only when they hold one of the names sought. Nothing is run; a command that cannot be read
this way builds nothing here, so the image stays a pull.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from gonogo.collectors.ci_scripts import shell_segments, split_words
from gonogo.workspace import FileReadError, SourceFile, Workspace

MAX_SCRIPT_BYTES = 256 * 1024
MAKEFILES = frozenset({"Makefile", "makefile", "GNUmakefile", "justfile", "Justfile"})
BUILD_PROGRAMS = frozenset({"docker", "podman", "buildah", "nerdctl"})
_SHELL_SHEBANG = re.compile(rb"^#!\s*\S*(/|env\s+)(ba|z|da|k)?sh\b")
_PREFIXES = frozenset({"sudo", "exec", "command", "time"})
_VARIABLE = re.compile(r"^\$(?:\{(\w+)\}|\((\w+)\)|(\w+))$")
_ASSIGNMENT = re.compile(
    r"^(?:export\s++|local\s++|readonly\s++|declare\s++(?:-\w++\s++)*+)?([A-Za-z_]\w*+)\s*+(?:::=|:=|\?=|=)\s*+(.*)$"
)
_FUNCTION = re.compile(r"^(?:function\s++([\w-]++)\s*+(?:\(\s*+\))?|([\w-]++)\s*+\(\s*+\))\s*+\{?\s*+$")
"""Runs of blanks are possessive, taken once: three greedy ones in a row read a hostile line of
blanks in cubic time."""
_BAKE_TARGET_CONTEXT = re.compile(r'^[^\S\n]*+"?([\w.-]++)"?[^\S\n]*+=[^\S\n]*+"target:([\w.-]++)"', re.MULTILINE)
"""One ``name = "target:other"`` line of a bake file's ``contexts`` map: the name and the target."""


def built_names(workspace: Workspace, root: Path, wanted: set[str]) -> set[str]:
    """The names of ``wanted`` that a script of ``root`` tags an image build with."""
    found: set[str] = set()
    for file in workspace.files:
        if file.root != root or found >= wanted:
            continue
        if file.suffix == ".hcl":
            found |= wanted & _bake_contexts(workspace, file)
            continue
        if not _may_be_script(file):
            continue
        text = _script_text(workspace, file)
        if text is not None and any(name in text for name in wanted - found):
            found |= wanted & set(tags(text))
    return found


def _bake_contexts(workspace: Workspace, file: SourceFile) -> set[str]:
    """The names a bake file binds to one of its own targets (``base = "target:base"``)."""
    return {name for name, _ in _BAKE_TARGET_CONTEXT.findall(_bounded_text(workspace, file))}


def _may_be_script(file: SourceFile) -> bool:
    """A shell script by its suffix, a Makefile, or a file with no suffix (its ``#!`` line decides)."""
    if file.suffix in (".sh", ".bash") or file.name in MAKEFILES:
        return True
    return not file.suffix and file.size <= MAX_SCRIPT_BYTES


def _script_text(workspace: Workspace, file: SourceFile) -> str | None:
    """The file's text when it is a shell script or a Makefile; ``None`` otherwise."""
    try:
        data = workspace.read_bytes(file, MAX_SCRIPT_BYTES)
    except FileReadError:
        return None
    if file.suffix or file.name in MAKEFILES or _SHELL_SHEBANG.match(data):
        return data.decode("utf-8", "replace")
    return None


def tags(text: str) -> Iterator[str]:
    """Every name a build command of the script ``text`` tags its image with, as far as the file
    itself says (see the module docstring)."""
    lines = [line.strip().lstrip("@-").strip() for line in re.sub(r"\\\r?\n", " ", text).splitlines()]
    assigned: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        found = _ASSIGNMENT.match(line)
        if found:
            assigned[found[1]].add(_unquoted(found[2]))
    for index, line in enumerate(lines):
        for words in (split_words(segment) for segment in shell_segments(line)):
            for value in _tag_values(words):
                yield from _resolved(value, assigned, lines, index)


def _tag_values(words: list[str]) -> Iterator[str]:
    """The ``-t`` / ``--tag`` values of a build command that begins ``words``."""
    while words and (words[0] in _PREFIXES or _ASSIGNMENT.match(words[0])):
        words = words[1:]
    if len(words) < 2 or not (words[0].rsplit("/", 1)[-1] in BUILD_PROGRAMS or _VARIABLE.match(words[0])):
        return
    rest = words[2:] if words[1] == "buildx" else words[1:]
    if not rest or rest[0] not in ("build", "bud"):
        return
    for flag, value in itertools.pairwise(rest):
        if flag in ("-t", "--tag"):
            yield value
    yield from (w.removeprefix("--tag=") for w in rest if w.startswith("--tag="))


def _resolved(value: str, assigned: dict[str, set[str]], lines: list[str], index: int) -> Iterator[str]:
    """The names a tag value stands for: itself, a variable's assigned values, or what the calls
    of the enclosing shell function pass as that positional parameter."""
    variable = _VARIABLE.match(value)
    if variable is None:
        yield value
        return
    name = next(group for group in variable.groups() if group)
    if not name.isdigit():
        yield from assigned.get(name, ())
        return
    function = _enclosing_function(lines, index)
    if function is None:
        return
    calls = (line for line in lines if not _FUNCTION.match(line))
    for words in (split_words(s) for line in calls for s in shell_segments(line)):
        if len(words) > int(name) and words[0] == function:
            argument = words[int(name)]
            found = _VARIABLE.match(argument)
            yield from assigned.get(next(g for g in found.groups() if g), ()) if found else (argument,)


def _enclosing_function(lines: list[str], index: int) -> str | None:
    """The shell function whose header is the nearest above line ``index`` (``function f() {``,
    ``f() {``), or ``None`` at the top level, where ``$1`` is the script's own argument."""
    for line in reversed(lines[:index]):
        found = _FUNCTION.match(line)
        if found:
            return found[1] or found[2]
        if line == "}":
            return None
    return None


def _unquoted(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


_BAKE_TARGET = re.compile(r'^[^\S\n]*+target[^\S\n]++"([\w.-]++)"[^\S\n]*+\{', re.MULTILINE)
_BAKE_CONTEXT = re.compile(r'^[^\S\n]*+context[^\S\n]*+=[^\S\n]*+"([^"\n$]*+)"', re.MULTILINE)
_FROM = re.compile(r"^[^\S\n]*+FROM[^\S\n]++(?:--\S++[^\S\n]++)*+(\S++)", re.MULTILINE | re.IGNORECASE)


def bake_bases(workspace: Workspace) -> frozenset[tuple[Path, str, str]]:
    """(root, folder, base folder) for each bake target whose Dockerfile (``Dockerfile`` in its
    ``context``) starts ``FROM`` a name the target binds to another target (``base =
    "target:base"``): the image of ``folder`` is built on the one ``base folder`` builds, so it
    has what that folder's manifests install. Contexts are read relative to the root, where
    ``docker buildx bake`` runs."""
    found: set[tuple[Path, str, str]] = set()
    dockerfiles = {(f.root, f.relpath): f for f in workspace.files if f.name == "Dockerfile"}
    for file in workspace.files:
        if file.suffix != ".hcl":
            continue
        targets = _bake_targets(_bounded_text(workspace, file))
        contexts = {name: context for name, (context, _) in targets.items() if context is not None}
        for context, bound in targets.values():
            dockerfile = dockerfiles.get((file.root, f"{context}/Dockerfile")) if context is not None else None
            if dockerfile is None:
                continue
            bases = set(_FROM.findall(_bounded_text(workspace, dockerfile)))
            found.update((file.root, context, contexts[target]) for name, target in bound.items()
                         if name in bases and target in contexts and context is not None)
    return frozenset(found)


def _bake_targets(text: str) -> dict[str, tuple[str | None, dict[str, str]]]:
    """Each ``target "name" { ... }`` block of a bake file: its root-relative ``context`` folder
    (``None`` when it names none or a variable) and the names its ``contexts`` bind to targets."""
    starts = list(_BAKE_TARGET.finditer(text))
    targets: dict[str, tuple[str | None, dict[str, str]]] = {}
    for found, following in itertools.zip_longest(starts, starts[1:]):
        body = text[found.end():following.start() if following else len(text)]
        context = _BAKE_CONTEXT.search(body)
        folder = context[1].strip().removeprefix("./").strip("/") if context else None
        bound = dict(_BAKE_TARGET_CONTEXT.findall(body))
        targets[found[1]] = (folder if folder not in (None, ".") else None, bound)
    return targets


def _bounded_text(workspace: Workspace, file: SourceFile) -> str:
    """The first :data:`MAX_SCRIPT_BYTES` of a bake file or Dockerfile; ``""`` when unreadable."""
    try:
        return workspace.read_bytes(file, MAX_SCRIPT_BYTES).decode("utf-8", "replace")
    except FileReadError:
        return ""
