"""Requirements files: which files are ones (by name, or because something installs from them),
and each one parsed once with its ``-r``/``-c`` includes followed and include cycles reported."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import Path

from gonogo.collectors.manifests.model import Dependency, Manifest
from gonogo.collectors.manifests.requirements import is_compiled, parse_requirements
from gonogo.collectors.testpaths import is_test_data
from gonogo.workspace import FileReadError, SourceFile, Workspace

MANIFEST_READ_LIMIT = 2 * 1024 * 1024
"""A hand-written manifest (requirements, pyproject, setup.cfg, Pipfile) over 2 MiB is not one a
person wrote: the largest real ones, hashed pip-compile output of big services, stay under 1 MiB.
A bigger one is DEP007 (it cannot be audited), not minutes of parsing."""

_REQUIREMENTS_NAME = re.compile(r"^(?:.*[-_.])?(?:requirements|reqs|constraints)(?:[-_.].*)?\.(?:txt|in)$")
_REQUIREMENTS_DIRS = frozenset({"requirements", "reqs", "requirement"})


def is_requirements_file(file: SourceFile) -> bool:
    name = file.name.lower()
    if _REQUIREMENTS_NAME.match(name):
        return True
    parent = file.relpath.split("/")[-2:-1]
    return bool(parent) and parent[0].lower() in _REQUIREMENTS_DIRS and name.endswith((".txt", ".in"))


_GROUP_WORDS = re.compile(
    r"(?:^|[-_./])(dev|develop|development|test|tests|testing|docs?|lint|ci|typing|mypy|bench|local)(?=[-_.]|$)"
)


def group_from_name(file: SourceFile) -> str | None:
    """``requirements-dev.txt`` and ``requirements/test.txt`` hold a group's dependencies."""
    found = _GROUP_WORDS.search(file.name.lower().rsplit(".", 1)[0])
    return found.group(1) if found else None


# requirements files and their -r / -c graph -----------------------------------------------------


def requirements_manifests(workspace: Workspace) -> list[Manifest]:
    """Every requirements file, plus every file one pulls in with ``-r``/``-c``, parsed once.

    Includes are resolved relative to the including file; a cycle is an error on the line that
    closes it, and is not followed; a missing or out-of-root include is an error on its line.
    """
    by_key = {(f.root, f.relpath): f for f in workspace.files}
    queue = [f for f in workspace.files if is_requirements_file(f) and not is_test_data(f.relpath)]
    queue += referenced_requirements(workspace, by_key)
    seen: set[tuple[Path, str]] = set()
    compiled: set[tuple[Path, str]] = set()
    parsed: dict[
        tuple[Path, str], tuple[SourceFile, list[Dependency], list[tuple[int, str, bool]], list[tuple[int | None, str]]]
    ] = {}
    while queue:
        file = queue.pop(0)
        key = (file.root, file.relpath)
        if key in seen:
            continue
        seen.add(key)
        try:
            text = workspace.read_text(file, MANIFEST_READ_LIMIT)
        except FileReadError as exc:
            parsed[key] = (file, [], [], [(None, str(exc))])
            continue
        result = parse_requirements(text, file, group=group_from_name(file))
        if is_compiled(text):
            compiled.add(key)
        resolved = _includes(file, result.includes, by_key, result.errors)
        queue.extend(by_key[(file.root, rel)] for _, rel, _ in resolved)
        parsed[key] = (file, result.dependencies, resolved, result.errors)

    cycles = _cycle_edges({k: [(line, (k[0], rel)) for line, rel, _ in v[2]] for k, v in parsed.items()})
    manifests: list[Manifest] = []
    for key, (file, deps, includes, errors) in parsed.items():
        for line, chain in cycles.get(key, []):
            names = " -> ".join(parsed[k][0].display for k in chain)
            errors.append((line, f"-r/-c include cycle: {names}; not followed again"))
        manifests.append(
            Manifest(
                file=file,
                kind="requirements",
                is_lock=False,
                dependencies=tuple(deps),
                includes=tuple(parsed[(file.root, rel)][0].display for _, rel, _ in includes),
                constraints=tuple(parsed[(file.root, rel)][0].display for _, rel, c in includes if c),
                errors=tuple(sorted(errors, key=lambda e: (e[0] or 0, e[1]))),
                compiled=key in compiled,
            )
        )
    return manifests


def _includes(
    file: SourceFile,
    includes: list[tuple[int, str, bool]],
    by_key: dict[tuple[Path, str], SourceFile],
    errors: list[tuple[int | None, str]],
) -> list[tuple[int, str, bool]]:
    """(line, path in the root, is a constraint file) of each ``-r``/``-c`` include of ``file``
    that names a file of the workspace; any other is an error on its line, added to ``errors``."""
    resolved: list[tuple[int, str, bool]] = []
    for line, target, constraint in includes:
        include_key = _resolve(file, target)
        if include_key is None:
            errors.append((line, f"include {target!r} is outside the repository or a URL; not read"))
        elif (file.root, include_key) not in by_key:
            errors.append((line, f"included file {target!r} not found"))
        else:
            resolved.append((line, include_key, constraint))
    return resolved


# requirements files named by what installs them ------------------------------------------------

_INSTALLERS = frozenset({"Dockerfile", "Containerfile", "tox.ini", "Makefile", "noxfile.py", "Procfile", "justfile"})
_INSTALLER_SUFFIXES = (".dockerfile", ".sh", ".bash", ".mk")
_PIP_REQUIREMENT = re.compile(r"(?:^|\s)(?:-r|--requirement)(?:=|\s*)(['\"]?)(?P<path>[^\s'\";&|)]+)\1")
_REQUIREMENT_EXTENSIONS = (".txt", ".in", ".pip")
_PIP_COMMAND = re.compile(r"\bpip3?\b|\bpip-sync\b|\buv\s+pip\b|\bPIP\b")
_PROSE_NAME = re.compile(
    r"^(?:readme|licen[cs]e|copying|notice|authors|contributors|changelog|changes|history|news|version)"
    r"(?:[-_.][^/]*)?\.\w+$",
    re.IGNORECASE,
)
"""Files a ``setup.py`` names for other reasons than requirements: its long description, licence,
data files and version."""
_SETUP_FILE_NAME = re.compile(r"""['"](?P<path>[\w./-]+\.(?:txt|in|pip))['"]""")


def _installs(file: SourceFile) -> bool:
    """Files that install requirements: Dockerfiles, CI workflows, tox, Makefiles and scripts."""
    name = file.name
    if name in _INSTALLERS or name.startswith(("Dockerfile", "Containerfile")) or name.endswith(_INSTALLER_SUFFIXES):
        return True
    ci_folder = file.relpath.startswith((".github/workflows/", ".circleci/", ".gitlab/"))
    return name == ".gitlab-ci.yml" or (ci_folder and name.endswith((".yml", ".yaml")))


def referenced_requirements(workspace: Workspace, by_key: dict[tuple[Path, str], SourceFile]) -> list[SourceFile]:
    """Requirements files whose names do not say so, found by what installs them: ``pip install -r``
    in a Dockerfile, a CI workflow, tox or a script, and the file a ``setup.py`` reads its
    requirements from. A file plays a manifest's role when something installs from it."""
    found: list[SourceFile] = []
    for file in workspace.files:
        if (file.name != "setup.py" and not _installs(file)) or is_test_data(file.relpath):
            continue
        try:
            text = workspace.read_text(file)
        except FileReadError:
            continue  # the file's own collector reports it
        for written in _installed_paths(file, text):
            target = _located(file, written, by_key)
            # only an existing file with a requirements-like extension counts, and not one whose
            # name says it is prose (pip's test package ships its ``README.txt`` as data)
            if target is None or not target.name.endswith(_REQUIREMENT_EXTENSIONS) or _PROSE_NAME.match(target.name):
                continue
            if not is_requirements_file(target):  # those are queued already
                found.append(target)
    return found


def _installed_paths(file: SourceFile, text: str) -> Iterator[str]:
    """Paths as written that an installer installs from: ``-r`` arguments of pip commands (each
    command of a line apart, so ``rm -r x && pip install -r y`` names only ``y``; tox's ``deps`` need
    no pip), or the file names a building ``setup.py`` mentions."""
    if file.name == "setup.py":
        if re.search(r"\b(?:setuptools|distutils)\b", text):  # else a module named setup.py
            yield from (hit.group("path") for hit in _SETUP_FILE_NAME.finditer(text))
        return
    joined = re.sub(r"\\\r?\n", " ", text)  # a RUN continued over lines is one command
    for command in re.split(r"\n|&&|\|\||;|\|", joined):
        if file.name == "tox.ini" or _PIP_COMMAND.search(command):
            yield from (hit.group("path") for hit in _PIP_REQUIREMENT.finditer(command))


def _located(file: SourceFile, written: str, by_key: dict[tuple[Path, str], SourceFile]) -> SourceFile | None:
    """The workspace file a path written in an installer names: relative to the installer, to the
    root, or (for a path inside a container, ``/app/deps/prod.pip``) by its longest tail that exists."""
    cleaned = re.sub(r"^\{toxinidir\}/|^\$\{?\w+\}?/", "", written.strip())
    if not cleaned or "://" in cleaned or "{" in cleaned:
        return None
    relative = _resolve(file, cleaned.lstrip("/")) if cleaned.startswith("/") else _resolve(file, cleaned)
    for candidate in (relative, posixpath.normpath(cleaned.lstrip("/"))):
        if candidate and (file.root, candidate) in by_key:
            return by_key[(file.root, candidate)]
    parts = cleaned.strip("/").split("/")
    for start in range(1, len(parts)):
        tail = "/".join(parts[start:])
        if (file.root, tail) in by_key:
            return by_key[(file.root, tail)]
    return None


def _resolve(file: SourceFile, target: str) -> str | None:
    """The root-relative path ``target`` names from ``file``'s folder, or ``None`` outside it."""
    if "://" in target or target.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", target):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(file.relpath), target.replace("\\", "/")))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


Key = tuple[Path, str]


def _cycle_edges(graph: dict[Key, list[tuple[int, Key]]]) -> dict[Key, list[tuple[int, list[Key]]]]:
    """For each include that closes a cycle: (line, the chain of files from the cycle's start)."""
    found: dict[Key, list[tuple[int, list[Key]]]] = {}
    state: dict[Key, int] = {}  # 1 on the current path, 2 done

    for start in sorted(graph):
        if state.get(start):
            continue
        # iterative depth-first search: a deep include chain must not exhaust the stack
        path: list[Key] = [start]
        iterators = [iter(graph.get(start, []))]
        state[start] = 1
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                state[path.pop()] = 2
                iterators.pop()
                continue
            line, child = step
            if state.get(child) == 1:
                chain = [*path[path.index(child) :], child]
                found.setdefault(path[-1], []).append((line, chain))
            elif child in graph and not state.get(child):
                state[child] = 1
                path.append(child)
                iterators.append(iter(graph.get(child, [])))
    return found
