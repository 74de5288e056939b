"""``Pipfile.lock``: Pipenv's JSON lock file, ``default`` and ``develop`` pins with their hashes."""

from __future__ import annotations

from gonogo.collectors.manifests.locks import JSON_KEY, NameLines, load_json, locked, typed
from gonogo.collectors.manifests.model import Dependency, Errors, Manifest
from gonogo.collectors.manifests.tomltext import type_name
from gonogo.workspace import SourceFile


def parse_pipfile_lock(text: str, file: SourceFile) -> Manifest:
    data, failed = load_json(text, file, "Pipfile.lock")
    if data is None:
        return failed  # type: ignore[return-value]
    lines = NameLines(text, JSON_KEY)
    deps: list[Dependency] = []
    errors: Errors = []
    for section, group in (("default", None), ("develop", "dev")):
        table = typed(data, section, dict, "Pipfile.lock", None, errors, json=True) or {}
        for name, entry in table.items():
            line = lines.take(name)
            if not isinstance(entry, dict):
                errors.append((line, f"{section} {name!r} is {type_name(entry, json=True)}, not an object"))
                continue
            where = f"{section} {name!r}"
            written = typed(entry, "version", str, where, line, errors, json=True) or ""
            version = written.removeprefix("===").removeprefix("==")
            listed = typed(entry, "hashes", list, where, line, errors, json=True) or []
            hashes = tuple(str(h) for h in listed if isinstance(h, str))
            marker = typed(entry, "markers", str, where, line, errors, json=True)
            deps.append(locked(name, version or None, file, line, group=group, hashes=hashes, marker=marker))
    return Manifest(
        file=file,
        kind="Pipfile.lock",
        is_lock=True,
        dependencies=tuple(deps),
        errors=tuple(errors),
        is_application=True,
    )
