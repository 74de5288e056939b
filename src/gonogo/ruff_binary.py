"""Which ruff executable gonogo runs: its own module, so a scan that only asks where ruff is (the
scan memo keys by its status) does not import the SAST collector."""

from __future__ import annotations

import shutil


def find_ruff() -> str | None:
    """The ruff executable of the installed ruff wheel, else one on PATH."""
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")
