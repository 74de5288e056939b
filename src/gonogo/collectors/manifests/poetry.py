"""Poetry's dependency tables in ``pyproject.toml`` (``[tool.poetry.dependencies]``, dev
dependencies, groups), with Poetry's constraints (``^1.2``, ``~1.2``) as PEP 440 specifiers."""

from __future__ import annotations

import re
from typing import Any

from gonogo.collectors.manifests.fields import as_list, table_at
from gonogo.collectors.manifests.model import Dependency, Errors
from gonogo.collectors.manifests.tomltext import LineFinder
from gonogo.workspace import SourceFile


def poetry_dependencies(
    poetry: dict[str, Any], file: SourceFile, lines: LineFinder, errors: Errors
) -> list[Dependency]:
    """The dependencies of every Poetry table: main, ``dev-dependencies`` and each group's."""
    tables: list[tuple[str, str | None, Any]] = [
        ("tool.poetry.dependencies", None, poetry.get("dependencies")),
        ("tool.poetry.dev-dependencies", "dev", poetry.get("dev-dependencies")),
    ]
    for group, body in table_at(poetry, "group", "tool.poetry.", lines, errors).items():
        where = f"tool.poetry.group.{group}"
        body_table = table_at({group: body}, group, "tool.poetry.group.", lines, errors)
        tables.append((f"{where}.dependencies", str(group), body_table.get("dependencies")))
    deps: list[Dependency] = []
    for header, group_name, table in tables:
        start = lines.section(header)
        parent, _, key = header.rpartition(".")
        for name, value in table_at({key: table}, key, f"{parent}.", lines, errors).items():
            if name.lower() == "python":
                continue
            line = lines.key(name, start) or start
            for constraint in value if isinstance(value, list) else [value]:
                dep = _poetry_dependency(str(name), constraint, file, line, group_name)
                if isinstance(dep, str):
                    errors.append((line, dep))
                else:
                    deps.append(dep)
    return deps


def _poetry_dependency(
    name: str, value: object, file: SourceFile, line: int | None, group: str | None
) -> Dependency | str:
    url = None
    extras: tuple[str, ...] = ()
    marker = None
    match value:
        case str():
            constraint = value
        case dict():
            constraint = str(value.get("version", ""))
            url = next((str(value[k]) for k in ("git", "url", "path") if k in value), None)
            extras = tuple(str(e) for e in as_list(value.get("extras")))
            marker = value.get("markers") if isinstance(value.get("markers"), str) else None
        case _:
            return f"dependency {name!r} has an unreadable constraint {value!r}"
    return Dependency.of(
        name, poetry_to_pep440(constraint), file, line, group=group, extras=extras, marker=marker, url=url
    )


_VERSION = re.compile(r"^\d+(\.\d+)*([a-z]+\d*)?(\.post\d+)?(\.dev\d+)?$", re.IGNORECASE)


def poetry_to_pep440(constraint: str) -> str:
    """Poetry's ``^1.2`` / ``~1.2`` / ``1.2.3`` / ``*`` as a PEP 440 specifier (``||`` kept as is)."""
    parts = []
    for raw in constraint.split(","):
        part = raw.strip()
        if not part or part == "*":
            continue
        if part.startswith("^") and _VERSION.match(part[1:]):
            parts.append(_caret(part[1:]))
        elif part.startswith("~") and not part.startswith("~=") and _VERSION.match(part[1:].strip()):
            parts.append(_tilde(part[1:].strip()))
        elif _VERSION.match(part) or (part.endswith(".*") and _VERSION.match(part[:-2])):
            parts.append(f"=={part}")
        else:
            parts.append(part.replace(" ", ""))
    return ",".join(parts)


def _numbers(version: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", version.split("a")[0].split("b")[0].split("rc")[0])[:3]]


def _caret(version: str) -> str:
    numbers = _numbers(version) or [0]
    index = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
    upper = [*numbers[:index], numbers[index] + 1]
    return f">={version},<{'.'.join(map(str, upper))}"


def _tilde(version: str) -> str:
    numbers = _numbers(version) or [0]
    upper = [numbers[0] + 1] if len(numbers) == 1 else [numbers[0], numbers[1] + 1]
    return f">={version},<{'.'.join(map(str, upper))}"
