"""npm's ``package-lock.json`` (and ``npm-shrinkwrap.json``, the same format): lockfile versions 2
and 3 (``packages``) and 1 (nested ``dependencies``); the project itself (the ``""`` entry) is not a
dependency."""

from __future__ import annotations

from gonogo.collectors.manifests.locks import JSON_KEY, NameLines, load_json, locked, typed
from gonogo.collectors.manifests.model import Dependency, Errors, Manifest
from gonogo.collectors.manifests.tomltext import type_name
from gonogo.workspace import SourceFile


def parse_package_lock(text: str, file: SourceFile) -> Manifest:
    data, failed = load_json(text, file, "package-lock.json")
    if data is None:
        return failed  # type: ignore[return-value]
    lines = NameLines(text, JSON_KEY)
    deps: list[Dependency] = []
    errors: Errors = []
    packages = typed(data, "packages", dict, "package-lock.json", None, errors, json=True)
    nested = typed(data, "dependencies", dict, "package-lock.json", None, errors, json=True)
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
                locked(
                    str(name),
                    typed(entry, "version", str, f"packages {path!r}", line, errors, json=True),
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
                locked(
                    name,
                    typed(entry, "version", str, f"dependencies {name!r}", line, errors, json=True),
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
