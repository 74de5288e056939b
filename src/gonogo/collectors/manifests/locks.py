"""What the lock-file formats share: a pinned ``Dependency`` per entry, each entry's shape
checked (a lock file of the wrong shape must not pass for an empty one), and line numbers.

Lock files of real projects are large, so lines are found in one pass over the text (a map from
the package name line to its number), never by searching the text once per package.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from typing import Any

from gonogo.collectors.manifests.model import Dependency, Errors, Manifest
from gonogo.collectors.manifests.tomltext import type_name
from gonogo.workspace import SourceFile


class NameLines:
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


def typed(
    entry: dict[str, Any], key: str, kind: type, where: str, line: int | None, errors: Errors, *, json: bool = False
) -> Any:
    """``entry[key]`` when it has the shape the format says, else ``None`` and an error naming
    what is wrong: a lock file of the wrong shape must not pass for an empty one."""
    value = entry.get(key)
    if value is None or isinstance(value, kind):
        return value
    errors.append((line, f"{where}: {key!r} is {type_name(value, json=json)}, not {type_name(kind(), json=json)}"))
    return None


def locked(
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


def load_json(text: str, file: SourceFile, kind: str) -> tuple[dict[str, Any] | None, Manifest | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, Manifest(
            file=file, kind=kind, is_lock=True, dependencies=(), errors=((exc.lineno, f"invalid JSON: {exc.msg}"),)
        )
    except ValueError as exc:  # an integer past Python's 4,300-digit limit for reading one
        return None, Manifest(
            file=file, kind=kind, is_lock=True, dependencies=(), errors=((None, f"invalid JSON: {exc}"),)
        )
    except RecursionError:
        return None, Manifest(
            file=file, kind=kind, is_lock=True, dependencies=(), errors=((None, "invalid JSON: nested too deeply"),)
        )
    if not isinstance(data, dict):
        return None, Manifest(file=file, kind=kind, is_lock=True, dependencies=(), errors=((1, "not a JSON object"),))
    return data, None


JSON_KEY = re.compile(r'^\s*"([^"]+)"\s*:\s*\{')
