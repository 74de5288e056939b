"""A script's inline metadata (PEP 723): the ``# /// script`` comment block that declares what a
single-file script needs, which ``uv run``, pipx and hatch install before they run it.

```python
# /// script
# requires-python = ">=3.10"
# dependencies = [
#     "gitpython~=3.1",
# ]
# ///
```

Read in the per-file pass, from the file's text: nothing is run. The blocks are found as the PEP's
reference regular expression finds them (``^# /// (?P<type>[a-zA-Z0-9-]+)$`` opens one, the last
``# ///`` line of the unbroken run of comment lines after it closes it), but line by line, so a
hostile file of opening lines costs linear time instead of one read of the rest per opening.
The content is TOML, read by ``tomllib``; what cannot be read is a problem, said in the facts (the
python collector makes it a note), and declares nothing.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement

_OPENING = re.compile(r"# /// ([a-zA-Z0-9-]+)")
"""The whole opening line (matched with ``fullmatch``): ``# /// `` and the block's type."""
_CLOSING = "# ///"
MARKER = "# /// script"
"""A file without this text has no script block: the cheap test every file passes first."""
MAX_REQUIREMENTS = 1_000
"""Requirements read from one block; a hand-written script declares a few."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptRequirement:
    """One entry of the block's ``dependencies``, parsed as PEP 508."""

    name: str
    """As written (``GitPython``)."""
    specifier: str
    extras: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class InlineScript:
    """The ``script`` block of one file: what it declares, or why it declares nothing."""

    line: int
    """The line of ``# /// script`` (the first one, when there are several)."""
    requirements: tuple[ScriptRequirement, ...] = ()
    problems: tuple[str, ...] = ()
    """What could not be read, in words for a note; the rest of the block still counts."""


def inline_script(text: str) -> InlineScript | None:
    """The file's ``script`` block, or ``None`` when it has none. Two ``script`` blocks are an
    error (the PEP: tools must not pick one), and declare nothing."""
    if MARKER not in text:
        return None
    blocks = [(line, content) for kind, line, content in _blocks(text.split("\n")) if kind == "script"]
    if not blocks:
        return None
    first = blocks[0][0]
    if len(blocks) > 1:
        lines = ", ".join(str(line) for line, _ in blocks[:5])
        return InlineScript(line=first, problems=(f"{len(blocks)} script blocks (lines {lines}): none is read",))
    return _read(first, blocks[0][1])


def _blocks(lines: list[str]) -> list[tuple[str, int, str]]:
    """(type, 1-based line of the opening, content) of each block, as the reference regular
    expression's ``finditer`` finds them. A block closes on the last ``# ///`` line of the unbroken
    run of comment lines (``#`` alone, or ``# `` and text) after its opening, and needs one line of
    content at least; when an opening finds none, neither does any later opening in the same run
    (the run ends in the same place), so the search moves past the run."""
    lines = [line.removesuffix("\r") for line in lines]  # a CRLF file reads as Python reads it
    found: list[tuple[str, int, str]] = []
    index = 0
    while index < len(lines):
        opening = _OPENING.fullmatch(lines[index])
        if opening is None:
            index += 1
            continue
        end = index + 1
        closing = None
        while end < len(lines) and (lines[end] == "#" or lines[end].startswith("# ")):
            if lines[end] == _CLOSING:
                closing = end
            end += 1
        if closing is None or closing < index + 2:
            index = end
            continue
        content = "".join(f"{line[2:]}\n" for line in lines[index + 1:closing])
        found.append((opening.group(1), index + 1, content))
        index = closing + 1
    return found


def _read(line: int, content: str) -> InlineScript:
    """The block's TOML and its ``dependencies``, each a PEP 508 string."""
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        return InlineScript(line=line, problems=(f"the script block is not TOML: {exc}",))
    except ValueError as exc:  # an integer past Python's 4,300-digit limit for reading one
        return InlineScript(line=line, problems=(f"the script block is not TOML: {exc}",))
    except RecursionError:
        return InlineScript(line=line, problems=("the script block is nested too deeply to read",))
    items = data.get("dependencies", [])
    if not isinstance(items, list):
        return InlineScript(line=line, problems=(f"dependencies is {type(items).__name__}, not an array",))
    requirements: list[ScriptRequirement] = []
    problems: list[str] = []
    for item in items[:MAX_REQUIREMENTS]:
        parsed = _requirement(item)
        if isinstance(parsed, str):
            problems.append(parsed)
        else:
            requirements.append(parsed)
    if len(items) > MAX_REQUIREMENTS:
        problems.append(f"{len(items)} dependencies: only the first {MAX_REQUIREMENTS} are read")
    return InlineScript(line=line, requirements=tuple(requirements), problems=tuple(problems[:5]))


def _requirement(item: object) -> ScriptRequirement | str:
    """The entry as a requirement, or what is wrong with it."""
    if not isinstance(item, str):
        return f"dependency {str(item)[:80]!r} is not a string"
    try:
        requirement = Requirement(item)
    except InvalidRequirement as exc:
        return f"not a valid requirement {item[:80]!r}: {str(exc)[:200]}"
    return ScriptRequirement(
        name=requirement.name, specifier=str(requirement.specifier), extras=tuple(sorted(requirement.extras))
    )
