"""TOML lock files: ``uv.lock``, ``poetry.lock`` and ``pylock.toml`` (PEP 751). Every entry is a
pinned ``Dependency``; the project itself (an editable or virtual source in ``uv.lock``) is not a
dependency."""

from __future__ import annotations

import re

from gonogo.collectors.manifests.locks import NameLines, locked, typed
from gonogo.collectors.manifests.model import Dependency, Manifest, normalise
from gonogo.collectors.manifests.tomltext import load_toml, type_name
from gonogo.workspace import SourceFile

_TOML_NAME = re.compile(r'^\s*name\s*=\s*"([^"]+)"')


def _toml_lock(text: str, file: SourceFile, kind: str, array: str) -> Manifest:
    data, error = load_toml(text)
    if data is None:
        return Manifest(file=file, kind=kind, is_lock=True, dependencies=(), errors=(error,))  # type: ignore[arg-type]
    lines = NameLines(text, _TOML_NAME)
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
        typed(entry, "version", str, where, line, errors)
        source = typed(entry, "source", dict, where, line, errors) or {}
        if kind == "uv.lock" and ({"editable", "virtual"} & set(source)):
            own.append((normalise(entry["name"]), _requires(entry.get("dependencies"))))
            continue  # the workspace's own project, not a dependency
        wheels = typed(entry, "wheels", list, where, line, errors) or []
        hashes = tuple(str(w["hash"]) for w in wheels if isinstance(w, dict) and "hash" in w)
        group = None
        if kind == "poetry.lock":
            category = entry.get("category")
            groups = typed(entry, "groups", list, where, line, errors)
            if category == "dev" or (groups and "main" not in groups):
                group = "dev"
        url = next((str(source[k]) for k in ("git", "url", "path") if k in source), None)
        deps.append(
            locked(
                entry["name"],
                entry.get("version"),
                file,
                line,
                group=group,
                marker=typed(entry, "marker", str, where, line, errors),
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


def parse_uv_lock(text: str, file: SourceFile) -> Manifest:
    return _toml_lock(text, file, "uv.lock", "package")


def parse_poetry_lock(text: str, file: SourceFile) -> Manifest:
    return _toml_lock(text, file, "poetry.lock", "package")


def parse_pylock(text: str, file: SourceFile) -> Manifest:
    return _toml_lock(text, file, "pylock.toml", "packages")
