"""The remote a scanned checkout came from, as a URI a report can carry (SARIF's
``versionControlProvenance``, links to the forge).

A remote URL is untrusted text from the scanned repository's ``.git/config`` and may hold a token
(``https://x-access-token:ghp_...@github.com/o/r``): the credentials are dropped here, before the
URL reaches any report. Git's scp-like form (``git@github.com:o/r.git``) becomes the ``ssh://`` URI
it stands for. A local path is no remote anyone else can open, and names a folder on this machine:
it gives nothing.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_SCP_LIKE = re.compile(r"^(?:(?P<user>[\w.+-]+)@)?(?P<host>[\w.-]+\.[\w.-]+):(?!//)(?P<path>[^\s]+)$")
_SCHEMES = ("https", "http", "ssh", "git", "git+ssh")
MAX_REMOTE_CHARS = 2048
"""Longer is no remote a forge serves: a hostile checkout's ``remote.origin.url`` of ``a.a.a...``
would otherwise be split at every dot by ``_SCP_LIKE``, in time that grows with its square."""


def remote_uri(url: str) -> str | None:
    """``url`` as an absolute URI with no password or token, or None when it is not a network remote."""
    url = url.strip()
    if len(url) > MAX_REMOTE_CHARS:
        return None
    scp = _SCP_LIKE.match(url)
    if scp:
        user = f"{scp['user']}@" if scp["user"] else ""
        return f"ssh://{user}{scp['host']}/{scp['path'].lstrip('/')}"
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number, brackets that do not close
        return None
    if parts.scheme.lower() not in _SCHEMES or not host or any(c.isspace() for c in url):
        return None
    # an ssh user name is part of the address (git@); anything an http remote carries there is a secret
    user = f"{parts.username}@" if parts.username and parts.scheme.lower() in ("ssh", "git+ssh") else ""
    host = f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets
    netloc = f"{user}{host}" + (f":{port}" if port else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, "", ""))
