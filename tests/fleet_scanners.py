"""Scanners the fleet tests hand to real Dask workers (importable there, so not in the test module).

No scan of gonogo's hangs or kills its process on its own (every read is bounded, every subprocess
has a timeout), yet the fleet must survive one that does: ``scan_or_hang`` and ``scan_or_crash``
stand for those bugs, and for a repository so huge the worker runs out of memory.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from gonogo.config import Config
from gonogo.fleet.task import default_scanner
from gonogo.model import Report
from gonogo.options import ScanOptions

HANG_MARKER = "HANG"
CRASH_MARKER = "CRASH"


def scan_or_hang(root: Path, config: Config, options: ScanOptions) -> Report:
    """The real scan, except for a repository holding a ``HANG`` file: that one never returns, in
    Python code no timeout inside the task can interrupt."""
    if (root / HANG_MARKER).exists():
        while True:
            time.sleep(1)
    return default_scanner(root, config, options)


def scan_or_crash(root: Path, config: Config, options: ScanOptions) -> Report:
    """The real scan, except for a repository holding a ``CRASH`` file: its scan takes the whole
    worker process down, as the kernel's OOM killer or a segfault in a parser would."""
    if (root / CRASH_MARKER).exists():
        os._exit(70)
    return default_scanner(root, config, options)
