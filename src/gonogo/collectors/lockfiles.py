"""Lock files: ``uv.lock``, ``poetry.lock``, ``pylock.toml`` (PEP 751), ``Pipfile.lock`` and npm's
``package-lock.json``. Every entry is a pinned ``Dependency``; the project itself (an editable or
virtual source in ``uv.lock``, the ``""`` entry of ``package-lock.json``) is not a dependency.

Lock files of real projects are large, so lines are found in one pass over the text (a map from
the package name line to its number), never by searching the text once per package.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from typing import Any

from gonogo.collectors.manifest_types import Dependency, Manifest, normalise
from gonogo.collectors.manifests import register_format
from gonogo.collectors.tomltext import load_toml, type_name
from gonogo.workspace import SourceFile

_TOML_NAME = re.compile(r'^\s*name\s*=\s*"([^"]+)"')


class _NameLines:
    """Line numbers of ``name = "x"`` (TOML) or ``"key": {`` (JSON) lines, each taken in order."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self._lines: dict[str, deque[int]] = defaultdict(deque)
        for number, line in enumerate(text.splitlines(), 1):
            found = pattern.match(line)
            if found:
                self._lines[found.group(1)].append(number)

    def take(self, name: str) -> int | None:
        numbers = self._lines.get(name)
        return numbers.popleft() if numbers else None


Errors = list[tuple[int | None, str]]


def _typed(
    entry: dict[str, Any], key: str, kind: type, where: str, line: int | None, errors: Errors, *, json: bool = False
) -> Any:
    """``entry[key]`` when it has the shape the format says, else ``None`` and an error naming
    what is wrong: a lock file of the wrong shape must not pass for an empty one."""
    value = entry.get(key)
    if value is None or isinstance(value, kind):
        return value
    errors.append((line, f"{where}: {key!r} is {type_name(value, json=json)}, not {type_name(kind(), json=json)}"))
    return None


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
    if packages is None:
        errors.append((None, f"no [[{array}]] entries"))
        packages = []
    elif not isinstance(packages, list):
        errors.append((None, f"{array!r} is {type_name(packages)}, not an array of tables"))
        packages = []
    for entry in packages:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            errors.append((None, f"a [[{array}]] entry has no name"))
            continue
        line = lines.take(entry["name"])
        where = f"package {entry['name']!r}"
        _typed(entry, "version", str, where, line, errors)
        source = _typed(entry, "source", dict, where, line, errors) or {}
        if kind == "uv.lock" and ({"editable", "virtual"} & set(source)):
            own.append((normalise(entry["name"]), _requires(entry.get("dependencies"))))
            continue  # the workspace's own project, not a dependency
        wheels = _typed(entry, "wheels", list, where, line, errors) or []
        hashes = tuple(str(w["hash"]) for w in wheels if isinstance(w, dict) and "hash" in w)
        group = None
        if kind == "poetry.lock":
            category = entry.get("category")
            groups = _typed(entry, "groups", list, where, line, errors)
            if category == "dev" or (groups and "main" not in groups):
                group = "dev"
        url = next((str(source[k]) for k in ("git", "url", "path") if k in source), None)
        deps.append(
            _locked(
                entry["name"],
                entry.get("version"),
                file,
                line,
                group=group,
                marker=_typed(entry, "marker", str, where, line, errors),
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
    errors: Errors = []
    for section, group in (("default", None), ("develop", "dev")):
        table = _typed(data, section, dict, "Pipfile.lock", None, errors, json=True) or {}
        for name, entry in table.items():
            line = lines.take(name)
            if not isinstance(entry, dict):
                errors.append((line, f"{section} {name!r} is {type_name(entry, json=True)}, not an object"))
                continue
            where = f"{section} {name!r}"
            written = _typed(entry, "version", str, where, line, errors, json=True) or ""
            version = written.removeprefix("===").removeprefix("==")
            listed = _typed(entry, "hashes", list, where, line, errors, json=True) or []
            hashes = tuple(str(h) for h in listed if isinstance(h, str))
            marker = _typed(entry, "markers", str, where, line, errors, json=True)
            deps.append(_locked(name, version or None, file, line, group=group, hashes=hashes, marker=marker))
    return Manifest(
        file=file,
        kind="Pipfile.lock",
        is_lock=True,
        dependencies=tuple(deps),
        errors=tuple(errors),
        is_application=True,
    )


@register_format("npm-shrinkwrap.json", "package-lock.json")  # the same format, published with a package
@register_format("package-lock.json", "package-lock.json")
def parse_package_lock(text: str, file: SourceFile) -> Manifest:
    data, failed = _load_json(text, file, "package-lock.json")
    if data is None:
        return failed  # type: ignore[return-value]
    lines = _NameLines(text, _JSON_KEY)
    deps: list[Dependency] = []
    errors: Errors = []
    packages = _typed(data, "packages", dict, "package-lock.json", None, errors, json=True)
    nested = _typed(data, "dependencies", dict, "package-lock.json", None, errors, json=True)
    if isinstance(packages, dict):  # lockfileVersion 2 and 3
        for path, entry in packages.items():
            if path and not isinstance(entry, dict):
                errors.append((None, f"packages {path!r} is {type_name(entry, json=True)}, not an object"))
                continue
            if not path or entry.get("link") or "node_modules/" not in path:
                continue
            name = entry.get("name") or path.rsplit("node_modules/", 1)[-1]
            line = lines.take(path)
            deps.append(
                _locked(
                    str(name),
                    _typed(entry, "version", str, f"packages {path!r}", line, errors, json=True),
                    file,
                    line,
                    group="dev" if entry.get("dev") else None,
                    ecosystem="npm",
                )
            )
    elif isinstance(nested, dict):  # lockfileVersion 1: nested
        stack = list(nested.items())
        while stack:
            name, entry = stack.pop()
            line = lines.take(name)
            if not isinstance(entry, dict):
                errors.append((line, f"dependencies {name!r} is {type_name(entry, json=True)}, not an object"))
                continue
            deps.append(
                _locked(
                    name,
                    _typed(entry, "version", str, f"dependencies {name!r}", line, errors, json=True),
                    file,
                    line,
                    group="dev" if entry.get("dev") else None,
                    ecosystem="npm",
                )
            )
            if isinstance(entry.get("dependencies"), dict):
                stack.extend(entry["dependencies"].items())
    deps.sort(key=lambda d: (d.line or 0, d.name))
    return Manifest(file=file, kind="package-lock.json", is_lock=True, dependencies=tuple(deps), errors=tuple(errors))
