"""Scanners the fleet tests hand to real Dask workers (importable there, so not in the test module).

No scan of gonogo's hangs on its own (every read is bounded, every subprocess has a timeout), yet
the fleet must survive one that does: ``scan_or_hang`` stands for that bug.
"""

from __future__ import annotations

import time
from pathlib import Path

from gonogo.config import Config
from gonogo.fleet.task import default_scanner
from gonogo.model import Report
from gonogo.options import ScanOptions

HANG_MARKER = "HANG"


def scan_or_hang(root: Path, config: Config, options: ScanOptions) -> Report:
    """The real scan, except for a repository holding a ``HANG`` file: that one never returns, in
    Python code no timeout inside the task can interrupt."""
    if (root / HANG_MARKER).exists():
        while True:
            time.sleep(1)
    return default_scanner(root, config, options)
