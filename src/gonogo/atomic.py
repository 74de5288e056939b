"""Writing a file so that it is either the old one or the new one, never half of either.

Reports and baselines are read by CI steps that may run while gonogo writes, and a scan can be
killed or hit a full disk mid-write: a 0-byte ``report.md`` looks like an answer. The text goes to a
temporary file in the same folder (so the rename cannot cross file systems), renamed over the target
once complete; on any failure the temporary file is removed and the target left as it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def write_atomically(target: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``target``, replacing it only once the whole text is written."""
    # opened with "x" (not mkstemp): the file gets the user's usual permissions, not 0600
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
