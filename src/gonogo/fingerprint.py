"""A finding's fingerprint: the one identity that baselines and SARIF both use.

Check id, path, the finding's key and its source line with the layout normalised (or, for a
finding without a line, its message with numbers blanked): never a line number, so code that
moves keeps its findings known. Path, key and message are redacted first, as the report's are,
so a finding fingerprints the same before and after the engine masks a credential it quotes.

The algorithm is the one ``.gonogo-baseline.json`` files were written with (format version 1):
changing a byte of it would make every baseline already committed judge all its findings new. One
amendment since: a line longer than ``LONG_ANCHOR`` is anchored by its digest, as a hostile file
of one 2 MB line with ninety thousand findings on it hashed the line ninety thousand times.
"""

from __future__ import annotations

import hashlib
import re

from gonogo.model import Finding
from gonogo.redaction import redact_repeated

DIGITS = 24
"""Hex digits kept: 96 bits, far beyond any collision among one repository's findings."""


LONG_ANCHOR = 4096
"""A normalised line longer than this (a minified file's) is anchored by its digest
(:func:`normalise`): every finding on it hashes 64 characters, not the whole line again."""


def normalise(line: str) -> str:
    """The code of a line without its layout or a trailing gonogo suppression comment; for a line
    longer than :data:`LONG_ANCHOR` once normalised, its SHA-256 (normalising that changes nothing)."""
    line = re.sub(r"#\s*gonogo:.*$", "", line)
    code = " ".join(line.split())
    if len(code) > LONG_ANCHOR:
        return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()
    return code


def fingerprint(finding: Finding, line: str) -> str:
    """Stable across line moves: check, path, key and the normalised source ``line`` (``""``
    when the finding has none, and then its message with numbers blanked)."""
    # a path, a key and a message recur across a report's findings: each is masked once
    anchor = normalise(line) or re.sub(r"\d+", "#", redact_repeated(finding.message))
    text = "\0".join((finding.check_id, redact_repeated(finding.path or ""), redact_repeated(finding.key), anchor))
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:DIGITS]
