"""Where a scanned file can be read on the web: the forge page of the file at the scanned commit.

The remote comes from git's own config (never from the repository's code) and only a known forge's
HTTPS address is kept: a remote URL can carry a token (``https://user:token@host/...``), which must
not reach a report, and an unknown host gives no page shape to link to.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# host -> the path between the project and the commit in a file's page address
_BLOB = {"github.com": "blob", "gitlab.com": "-/blob", "codeberg.org": "src/commit"}
_SSH = re.compile(r"^(?:ssh://)?git@(?P<host>[\w.-]+)[:/](?P<project>[\w.~/-]+?)(?:\.git)?/?$")
_HTTPS = re.compile(r"^(?:https?|git)://(?:[^@/]*@)?(?P<host>[\w.-]+)(?::\d+)?/(?P<project>[\w.~/-]+?)(?:\.git)?/?$")


def web_base(remote: str, commit: str, prefix: str = "") -> str | None:
    """The address that a workspace-relative path is appended to, to read that file at ``commit``
    on its forge; None when the remote is not on a forge gonogo knows. ``prefix`` is the root's
    folder inside the repository (``git rev-parse --show-prefix``)."""
    match = _SSH.match(remote.strip()) or _HTTPS.match(remote.strip())
    if match is None or match["host"].lower() not in _BLOB or not re.fullmatch(r"[0-9a-f]{7,64}", commit):
        return None
    host = match["host"].lower()
    folder = quote(prefix.strip("/") + "/") if prefix.strip("/") else ""
    return f"https://{host}/{match['project']}/{_BLOB[host]}/{commit}/{folder}"
