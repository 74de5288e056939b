"""Where the vulnerability index lives unless ``GONOGO_VULNDB`` says otherwise.

Apart from ``index`` so that naming the file imports nothing else: every ``gonogo`` command loads
the ``db`` sub-app, and a scan whose report is reused names the index (an input of the scan memo)
without reading it, while ``index`` brings the OSV parser and CVSS scoring (13 ms).
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

FILE_NAME = "vulndb.sqlite3"


def default_path() -> Path:
    """Where the index lives unless told otherwise: the user's cache directory."""
    return Path(platformdirs.user_cache_dir("gonogo")) / FILE_NAME
