"""Lock files: ``uv.lock``, ``poetry.lock``, ``pylock.toml`` (PEP 751), ``Pipfile.lock`` and npm's
``package-lock.json``. Every entry is a pinned ``Dependency``; the project itself (an editable or
virtual source in ``uv.lock``, the ``""`` entry of ``package-lock.json``) is not a dependency.

Lock files of real projects are large, so lines are found in one pass over the text (a map from
the package name line to its number), never by searching the text once per package.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from gonogo.collectors.manifest_types import Dependency, Manifest, normalise
from gonogo.collectors.manifests import register_format
from gonogo.collectors.tomltext import load_toml
from gonogo.workspace import SourceFile

_TOML_NAME = re.compile(r'^\s*name\s*=\s*"([^"]+)"')


class _NameLines:
    """Line numbers of ``name = "x"`` (TOML) or ``"key": {`` (JSON) lines, each taken in order."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self._lines: dict[str, list[int]] = defaultdict(list)
        for number, line in enumerate(text.splitlines(), 1):
            found = pattern.match(line)
            if found:
                self._lines[found.group(1)].append(number)

    def take(self, name: str) -> int | None:
        numbers = self._lines.get(name)
        return numbers.pop(0) if numbers else None


def _locked(
    name: str,
    version: object,
    file: SourceFile,
    line: int | None,
    *,
    group: str | None = None,
    ecosystem: str = "PyPI",
    marker: str | None = None,
    hashes: tuple[str, ...] = (),
    url: str | None = None,
    requires: tuple[str, ...] = (),
) -> Dependency:
    pinned = str(version) if isinstance(version, str) and version else None
    specifier = f"=={pinned}" if pinned else ""
    return Dependency.of(
        name, specifier, file, line, group=group, marker=marker, url=url, hashes=hashes, ecosystem=ecosystem,
        pinned=pinned, requires=requires,
    )


def _toml_lock(text: str, file: SourceFile, kind: str, array: str) -> Manifest:
    data, error = load_toml(text)
    if data is None:
        return Manifest(file=file, kind=kind, is_lock=True, dependencies=(), errors=(error,))  # type: ignore[arg-type]
    lines = _NameLines(text, _TOML_NAME)
    deps: list[Dependency] = []
    own: list[tuple[str, tuple[str, ...]]] = []
    errors: list[tuple[int | None, str]] = []
    packages = data.get(array)
    if not isinstance(packages, list):
        errors.append((None, f"no [[{array}]] entries"))
        packages = []
    for entry in packages:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            errors.append((None, f"a [[{array}]] entry has no name"))
            continue
        line = lines.take(entry["name"])
        source = entry.get("source") if isinstance(entry.get("source"), dict) else {}
        if kind == "uv.lock" and ({"editable", "virtual"} & set(source)):
            own.append((normalise(entry["name"]), _requires(entry.get("dependencies"))))
            continue  # the workspace's own project, not a dependency
        hashes = (
            tuple(str(w["hash"]) for w in entry.get("wheels", []) if isinstance(w, dict) and "hash" in w)
            if isinstance(entry.get("wheels"), list)
            else ()
        )
        group = None
        if kind == "poetry.lock":
            category = entry.get("category")
            groups = entry.get("groups")
            if category == "dev" or (isinstance(groups, list) and "main" not in groups and groups):
                group = "dev"
        url = next((str(source[k]) for k in ("git", "url", "path") if k in source), None)
        deps.append(
            _locked(
                entry["name"],
                entry.get("version"),
                file,
                line,
                group=group,
                marker=entry.get("marker") if isinstance(entry.get("marker"), str) else None,
                hashes=hashes,
                url=url,
                requires=_requires(entry.get("dependencies")),
            )
        )
    return Manifest(
        file=file, kind=kind, is_lock=True, dependencies=tuple(deps), errors=tuple(errors), own_requires=tuple(own)
    )


def _requires(value: object) -> tuple[str, ...]:
    """The names an entry depends on: uv.lock and pylock.toml list tables with a ``name``,
    poetry.lock a table keyed by name."""
    match value:
        case dict():
            names = [str(k) for k in value]
        case list():
            names = [str(v["name"]) for v in value if isinstance(v, dict) and isinstance(v.get("name"), str)]
        case _:
            names = []
    return tuple(sorted({normalise(n) for n in names}))


@register_format("uv.lock", "uv.lock")
def parse_uv_lock(text: str, file: SourceFile) -> Manifest:
    return _toml_lock(text, file, "uv.lock", "package")


@register_format("poetry.lock", "poetry.lock")
def parse_poetry_lock(text: str, file: SourceFile) -> Manifest:
    return _toml_lock(text, file, "poetry.lock", "package")


@register_format("pylock.toml", "pylock.toml")
def parse_pylock(text: str, file: SourceFile) -> Manifest:
    return _toml_lock(text, file, "pylock.toml", "packages")


def _load_json(text: str, file: SourceFile, kind: str) -> tuple[dict[str, Any] | None, Manifest | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, Manifest(
            file=file, kind=kind, is_lock=True, dependencies=(), errors=((exc.lineno, f"invalid JSON: {exc.msg}"),)
        )
    except RecursionError:
        return None, Manifest(
            file=file, kind=kind, is_lock=True, dependencies=(), errors=((None, "invalid JSON: nested too deeply"),)
        )
    if not isinstance(data, dict):
        return None, Manifest(file=file, kind=kind, is_lock=True, dependencies=(), errors=((1, "not a JSON object"),))
    return data, None


_JSON_KEY = re.compile(r'^\s*"([^"]+)"\s*:\s*\{')


@register_format("Pipfile.lock", "Pipfile.lock")
def parse_pipfile_lock(text: str, file: SourceFile) -> Manifest:
    data, failed = _load_json(text, file, "Pipfile.lock")
    if data is None:
        return failed  # type: ignore[return-value]
    lines = _NameLines(text, _JSON_KEY)
    deps: list[Dependency] = []
    for section, group in (("default", None), ("develop", "dev")):
        table = data.get(section)
        for name, entry in table.items() if isinstance(table, dict) else ():
            if not isinstance(entry, dict):
                continue
            version = str(entry.get("version", "")).removeprefix("===").removeprefix("==") or None
            hashes = (
                tuple(str(h) for h in entry.get("hashes", []) if isinstance(h, str))
                if isinstance(entry.get("hashes"), list)
                else ()
            )
            deps.append(
                _locked(
                    name,
                    version,
                    file,
                    lines.take(name),
                    group=group,
                    hashes=hashes,
                    marker=entry.get("markers") if isinstance(entry.get("markers"), str) else None,
                )
            )
    return Manifest(file=file, kind="Pipfile.lock", is_lock=True, dependencies=tuple(deps), is_application=True)


@register_format("npm-shrinkwrap.json", "package-lock.json")  # the same format, published with a package
@register_format("package-lock.json", "package-lock.json")
def parse_package_lock(text: str, file: SourceFile) -> Manifest:
    data, failed = _load_json(text, file, "package-lock.json")
    if data is None:
        return failed  # type: ignore[return-value]
    lines = _NameLines(text, _JSON_KEY)
    deps: list[Dependency] = []
    packages = data.get("packages")
    if isinstance(packages, dict):  # lockfileVersion 2 and 3
        for path, entry in packages.items():
            if not path or not isinstance(entry, dict) or entry.get("link") or "node_modules/" not in path:
                continue
            name = entry.get("name") or path.rsplit("node_modules/", 1)[-1]
            deps.append(
                _locked(
                    str(name),
                    entry.get("version"),
                    file,
                    lines.take(path),
                    group="dev" if entry.get("dev") else None,
                    ecosystem="npm",
                )
            )
    elif isinstance(data.get("dependencies"), dict):  # lockfileVersion 1: nested
        stack = list(data["dependencies"].items())
        while stack:
            name, entry = stack.pop()
            if not isinstance(entry, dict):
                continue
            deps.append(
                _locked(
                    name,
                    entry.get("version"),
                    file,
                    lines.take(name),
                    group="dev" if entry.get("dev") else None,
                    ecosystem="npm",
                )
            )
            if isinstance(entry.get("dependencies"), dict):
                stack.extend(entry["dependencies"].items())
    deps.sort(key=lambda d: (d.line or 0, d.name))
    return Manifest(file=file, kind="package-lock.json", is_lock=True, dependencies=tuple(deps))
