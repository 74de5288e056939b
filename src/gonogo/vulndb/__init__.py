"""The vulnerability database: OSV advisories imported into a local SQLite index, and matched.

Layout, one job per module:

- ``osv``: parse OSV JSON documents into typed ``Advisory`` values (the parsing edge).
- ``severity``: score CVSS vectors into a ``Rating``; no vector is ``unknown``, never "low".
- ``matching``: the OSV schema's evaluation algorithm over PEP 440 (PyPI) or SemVer (npm) versions.
- ``index``: the SQLite index keyed by (ecosystem, normalised name); built into a temporary file and
  renamed into place, so a failed import never replaces a working index.
- ``location``: where the index lives by default, apart so that naming it imports nothing else.
- ``fetch``: download an OSV export (``<base>/<Ecosystem>/all.zip``) with httpx.
- ``online``: opt-in live sources, the OSV batch API and the PyPI JSON API.
- ``cli``: the ``gonogo db`` sub-app (``update``, ``status``).

Errors: every failure of this package is a ``VulnDbError``; ``OsvFormatError`` (a document that is
not an OSV advisory), ``IndexMissing`` (no index yet), ``IndexUnusable`` (an index that cannot
be read), ``FetchError`` (a download or API call that failed).
"""

from __future__ import annotations

from gonogo.vulndb.errors import (
    FetchError,
    IndexMissing,
    IndexUnusable,
    OsvFormatError,
    VulnDbError,
)

__all__ = ["FetchError", "IndexMissing", "IndexUnusable", "OsvFormatError", "VulnDbError"]
