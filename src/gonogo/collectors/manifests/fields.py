"""Reading the values a declaring manifest holds, shape-checked: a table where a table belongs,
an array where an array belongs, a PEP 508 string where a requirement belongs. Anything else is
an error naming the key and its line, never an empty value that would pass for "declares nothing"."""

from __future__ import annotations

from typing import Any

from packaging.requirements import Requirement

from gonogo.collectors.manifests.model import Dependency, Errors
from gonogo.collectors.manifests.requirements import REQUIREMENT_ERRORS, from_requirement
from gonogo.collectors.manifests.tomltext import LineFinder, type_name
from gonogo.workspace import SourceFile


def add_pep508(
    item: object,
    file: SourceFile,
    lines: LineFinder,
    after: int | None,
    group: str | None,
    deps: list[Dependency],
    errors: Errors,
) -> None:
    """One entry of a declared list: a PEP 508 string, found on its line after ``after``; any
    other value is an error there."""
    if not isinstance(item, str):
        errors.append((after, f"dependency {item!r} is not a string"))
        return
    add_requirement(item, file, lines.find(item, after) or after, group, deps, errors)


def add_requirement(
    text: str, file: SourceFile, line: int | None, group: str | None, deps: list[Dependency], errors: Errors
) -> None:
    """One PEP 508 string as a dependency, or as an error naming its line."""
    try:
        requirement = Requirement(text)
    except REQUIREMENT_ERRORS as exc:
        errors.append((line, f"not a valid requirement {text!r}: {exc}"))
        return
    deps.append(from_requirement(requirement, file, line, group))


def table_at(parent: dict[str, Any], key: str, where: str, lines: LineFinder, errors: Errors) -> dict[str, Any]:
    """``parent[key]`` as a table; anything else is an error naming the key (a string where a
    table belongs must not pass for an empty table)."""
    value = parent.get(key)
    if value is None or isinstance(value, dict):
        return value or {}
    errors.append((line_of(lines, where, key), f"{where}{key} is {type_name(value)}, not a table"))
    return {}


def list_at(parent: dict[str, Any], key: str, where: str, lines: LineFinder, errors: Errors) -> list[Any]:
    """``parent[key]`` as an array; anything else is an error naming the key."""
    value = parent.get(key)
    if value is None or isinstance(value, list):
        return value or []
    errors.append((line_of(lines, where, key), f"{where}{key} is {type_name(value)}, not an array"))
    return []


def line_of(lines: LineFinder, where: str, key: str) -> int | None:
    """The line of ``[where.key]`` or of ``key = ...`` under ``[where]``."""
    parent = lines.section(where.rstrip(".")) if where else None
    return lines.section(f"{where}{key}") or lines.key(key, parent) or parent


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
