"""Which Python a file is written for, and parsing it with that Python when this one is older.

A declared ``requires-python`` outranks the host interpreter (DESIGN, "Precision before breadth"):
``except A, B:`` is valid Python 3.14 (PEP 758) and a syntax error on 3.11, so a file that fails to
parse here is only a defect when this interpreter is at least as new as the oldest Python the
project supports. When it is older, a newer interpreter on PATH (``python3.14``, ``python3.13``...)
parses the file in a subprocess that only calls ``ast.parse`` (isolated mode, nothing imported or
run from the repository); with none, the file's syntax is *unknown*, not broken.
"""

from __future__ import annotations

import base64
import configparser
import json
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from gonogo.collectors.containers import is_dockerfile_name
from gonogo.workspace import FileReadError, SourceFile, Workspace

Version = tuple[int, int]
HOST: Version = (sys.version_info.major, sys.version_info.minor)
_NEWEST_MINOR = 20
_PARSE_TIMEOUT = 60.0
_SETUP_PY_REQUIRES = re.compile(r"python_requires\s*=\s*[\"']([^\"']+)[\"']")
_PARSER = """
import ast, base64, json, sys
out = []
for item in json.load(sys.stdin):
    try:
        ast.parse(base64.b64decode(item))
        out.append(None)
    except SyntaxError as exc:
        out.append([exc.msg, exc.lineno])
    except (ValueError, RecursionError, MemoryError) as exc:
        out.append([type(exc).__name__ + ": " + str(exc), None])
print(json.dumps({"version": list(sys.version_info[:2]), "results": out}))
"""
"""Runs in the other interpreter: it parses, never compiles to bytecode, imports or executes."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """The oldest Python a project supports, from its manifest."""

    minimum: Version
    declared: str
    """``requires-python = ">=3.14"`` as written, with the manifest's path."""

    @property
    def label(self) -> str:
        return f"{self.minimum[0]}.{self.minimum[1]}"


@dataclass(frozen=True, slots=True, kw_only=True)
class NewerParse:
    """A file parsed again by a newer interpreter: ``error`` is None when it parses there."""

    interpreter: str
    version: Version
    error: tuple[str, int | None] | None


def minimum_version(specifier: str) -> Version | None:
    """The lowest ``major.minor`` a ``requires-python`` allows (``>=3.12,<3.13`` -> 3.12)."""
    try:
        specs = SpecifierSet(specifier)
    except InvalidSpecifier:
        return None
    lows = []
    for spec in specs:
        if spec.operator in (">=", "==", "~=", ">", "==="):
            parts = re.findall(r"\d+", spec.version)
            if len(parts) >= 2:
                low = (int(parts[0]), int(parts[1]))
                lows.append((low[0], low[1] + 1) if spec.operator == ">" and len(parts) == 2 else low)
    return max(lows) if lows else None


class TargetFinder:
    """The nearest manifest declaring a Python version, looked up once per folder. An application
    with no packaging metadata declares it otherwise: a ``.python-version`` (pyenv, uv), Heroku's
    ``runtime.txt``, or the ``python:X.Y`` image its Dockerfiles start from (DefectDojo's
    ``FROM python:3.14.6-alpine``, with PEP 701 f-strings in its code)."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._paths = {(str(f.root), f.relpath): f for f in workspace.files}
        self._folders: dict[tuple[str, str], Target | None] = {}
        self._dockerfiles: dict[tuple[str, str], list[SourceFile]] = {}
        for file in workspace.files:
            if is_dockerfile_name(file.name):
                folder = str(PurePosixPath(file.relpath).parent)
                self._dockerfiles.setdefault((str(file.root), "" if folder == "." else folder), []).append(file)

    def target_of(self, file: SourceFile) -> Target | None:
        return self._in_folder(str(file.root), str(PurePosixPath(file.relpath).parent))

    def _in_folder(self, root: str, folder: str) -> Target | None:
        key = (root, "" if folder == "." else folder)
        if key not in self._folders:
            found = self._declared_here(*key)
            if found is None and key[1]:
                found = self._in_folder(root, str(PurePosixPath(key[1]).parent))
            self._folders[key] = found
        return self._folders[key]

    def _declared_here(self, root: str, folder: str) -> Target | None:
        prefix = f"{folder}/" if folder else ""
        for name, read in _MANIFESTS:
            manifest = self._paths.get((root, f"{prefix}{name}"))
            if manifest is None:
                continue
            try:
                specifier = read(self._workspace.read_text(manifest))
            except (FileReadError, ValueError, configparser.Error):
                continue  # a manifest that does not read is reported by the manifest checks
            low = minimum_version(specifier) if specifier else None
            if low is not None:
                return Target(minimum=low, declared=f"{manifest.display}: {specifier}")
        return self._image_here(root, folder)

    def _image_here(self, root: str, folder: str) -> Target | None:
        """The oldest ``python:X.Y`` image the folder's Dockerfiles start from."""
        found: list[tuple[Version, str]] = []
        for dockerfile in self._dockerfiles.get((root, folder), ()):
            try:
                text = self._workspace.read_text(dockerfile)
            except FileReadError:
                continue
            found += [((int(m[1]), int(m[2])), dockerfile.display) for m in _PYTHON_IMAGE.finditer(text)]
        if not found:
            return None
        low, where = min(found)
        return Target(minimum=low, declared=f"{where}: FROM python:{low[0]}.{low[1]}")


def _from_pyproject(text: str) -> str | None:
    value = tomllib.loads(text).get("project", {}).get("requires-python")
    return value if isinstance(value, str) else None


def _from_setup_cfg(text: str) -> str | None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return parser.get("options", "python_requires", fallback=None)


def _from_setup_py(text: str) -> str | None:
    match = _SETUP_PY_REQUIRES.search(text)
    return match.group(1) if match else None


def _from_version_file(text: str) -> str | None:
    """``.python-version`` (``3.12``, ``3.12.4``) or ``runtime.txt`` (``python-3.12.4``)."""
    match = _VERSION_LINE.match(text)
    return f"=={match[1]}.{match[2]}" if match else None


_VERSION_LINE = re.compile(r"[ \t]*(?:python-)?(3)\.(\d{1,2})(?![\d])")
_PYTHON_IMAGE = re.compile(
    r"(?im)^[ \t]*FROM[ \t]+(?:--platform=\S+[ \t]+)?(?:[\w.-]+(?::\d+)?/)?(?:library/)?python:(3)\.(\d{1,2})(?!\d)"
)
"""A stage that starts from the official image of a Python version (``python:3.12-slim``,
``docker.io/library/python:3.12``); ``python:latest`` or a variable names none."""
_MANIFESTS = (
    ("pyproject.toml", _from_pyproject),
    ("setup.cfg", _from_setup_cfg),
    ("setup.py", _from_setup_py),
    (".python-version", _from_version_file),
    ("runtime.txt", _from_version_file),
)


@cache
def newer_interpreter(at_least: Version) -> str | None:
    """The oldest ``python3.N`` on PATH that runs and is at least ``at_least`` (the closest judge
    of the project's oldest supported Python); None when none."""
    for minor in range(at_least[1], _NEWEST_MINOR + 1):
        found = shutil.which(f"python{at_least[0]}.{minor}")
        if found and _runs(found) >= at_least:
            return found
    return None


def _runs(interpreter: str) -> Version:
    """The version an interpreter reports, or (0, 0) when it does not run (a pyenv shim with no
    version selected exits with an error)."""
    try:
        done = subprocess.run(
            [interpreter, "-I", "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True, text=True, timeout=10, check=False, cwd="/",
        )
        major, minor = (int(p) for p in done.stdout.split())
    except (OSError, subprocess.SubprocessError, ValueError):
        return (0, 0)
    return (major, minor)


def parse_with(interpreter: str, sources: list[bytes]) -> list[NewerParse] | None:
    """Parse ``sources`` with another interpreter; None when it could not be run."""
    payload = json.dumps([base64.b64encode(s).decode("ascii") for s in sources])
    try:
        done = subprocess.run(
            [interpreter, "-I", "-c", _PARSER],
            input=payload, capture_output=True, text=True, timeout=_PARSE_TIMEOUT, check=False, cwd="/",
        )
        answer = json.loads(done.stdout)
        version = (int(answer["version"][0]), int(answer["version"][1]))
        results = answer["results"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError, IndexError):
        return None
    if len(results) != len(sources):
        return None
    return [
        NewerParse(interpreter=interpreter, version=version, error=(str(r[0]), r[1]) if r else None)
        for r in results
    ]
