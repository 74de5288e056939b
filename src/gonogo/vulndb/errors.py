"""The exception tree of ``gonogo.vulndb``::

VulnDbError
├── OsvFormatError   a document that is not a usable OSV advisory
├── IndexMissing     no index has been built yet ("run gonogo db update")
├── IndexUnusable    an index file that exists but cannot be read
├── ImportRefused    a complete import that would shrink the index or is mostly unreadable
└── FetchError       a download or an API call that failed (network, HTTP status, bad body)
"""

from __future__ import annotations


class VulnDbError(Exception):
    """Any failure of the vulnerability database."""


class OsvFormatError(VulnDbError):
    """A document that is not a usable OSV advisory; the message says which field and why."""


class IndexMissing(VulnDbError):
    """No vulnerability index exists at the expected place."""


class IndexUnusable(VulnDbError):
    """An index file exists but is corrupt or of an unknown format."""


class ImportRefused(VulnDbError):
    """An import that read fine but would make the index much worse; ``--force`` accepts it."""


class FetchError(VulnDbError):
    """A download or an online query that failed; the message names the URL and why."""
