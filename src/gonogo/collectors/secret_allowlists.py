"""Values a repository's own secret scanner is told are no secrets: the literal entries of its
``.gitleaks.toml`` allowlist. pulpcore lists its local MinIO's access key there as one of "various
bogus test keys", and uses it in CI, the docs and a settings template. A maintainer who wrote the
exact value into the allowlist has judged that value; a pattern (``AKIA[0-9A-Z]{16}``) judges no
value in particular, so only an entry that is a plain string, once its escapes are undone, counts.
The values are never kept: only their fingerprints, as the secrets pass gives them."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator

from gonogo.workspace import FileReadError, Workspace

GITLEAKS_FILES = frozenset({".gitleaks.toml", "gitleaks.toml"})
"""The names gitleaks reads its configuration from at a repository's root."""
GITLEAKS_READ_LIMIT = 256 * 1024
"""Bytes of a configuration read: real ones hold a few dozen rules."""
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_SPECIAL = frozenset(".^$*+?{}[]|()\\")
MIN_VALUE_CHARS = 8
"""An allowlisted literal shorter than this is a word or a fragment, not a whole credential."""


def allowlisted_values(workspace: Workspace) -> Iterator[tuple[str, str]]:
    """(root prefix, value) of each literal allowlist entry of a gitleaks configuration at a
    root's top (``[allowlist]`` and gitleaks 8.21's ``[[allowlists]]``, their ``regexes``). A file
    that cannot be read or is no TOML allows nothing, and a note says why: a hostile one (an
    integer of 5,000 digits, which Python refuses to convert) must not stop the secrets pass."""
    prefixes = {root.path: root.prefix for root in workspace.roots}
    for file in workspace.files:
        if file.name not in GITLEAKS_FILES or "/" in file.relpath:
            continue
        try:
            data = tomllib.loads(workspace.read_text(file, limit=GITLEAKS_READ_LIMIT))
        except (FileReadError, ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
            workspace.note(f"gitleaks allowlist not read: {str(exc)[:200]}", file.display, "secrets")
            continue
        for value in _literal_entries(data):
            yield prefixes.get(file.root, ""), value


def _literal_entries(data: dict[str, object]) -> Iterator[str]:
    tables = [data.get("allowlist")]
    listed = data.get("allowlists")
    if isinstance(listed, list):
        tables.extend(listed)
    for table in tables:
        regexes = table.get("regexes") if isinstance(table, dict) else None
        for entry in regexes if isinstance(regexes, list) else ():
            literal = literal_of(entry) if isinstance(entry, str) else None
            if literal is not None and len(literal) >= MIN_VALUE_CHARS:
                yield literal


def literal_of(pattern: str) -> str | None:
    """The one string ``pattern`` matches when it is a plain string with escaped punctuation
    (``qR\\+vj``), or ``None`` when it has any special character unescaped or an escape of a
    letter or digit (``\\d``, ``\\b``: a class or an assertion, not a character)."""
    unescaped = _ESCAPED.sub("", pattern)
    if any(ch in _SPECIAL for ch in unescaped):
        return None
    if any(match.group(1).isalnum() for match in _ESCAPED.finditer(pattern)):
        return None
    return _ESCAPED.sub(lambda match: match.group(1), pattern)
