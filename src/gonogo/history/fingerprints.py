"""A JSON finding's identity across runs: the fingerprint the engine gave it (the baseline's and
SARIF's, see ``gonogo.fingerprint``), or for a report.json written before reports carried one, a
hash of its check, path and message with numbers masked."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from gonogo.redaction import redact


def fingerprint_of(entry: dict[str, Any]) -> str:
    stored = entry.get("fingerprint")
    if isinstance(stored, str) and stored:
        return stored
    message = re.sub(r"\d+", "#", redact(str(entry.get("message", ""))))
    text = "\0".join((str(entry.get("check_id", "")), str(entry.get("path") or ""), message))
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:24]
