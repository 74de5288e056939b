"""What git says about a scanned root (the commit), read with git itself, never with the
repository's own code."""

from __future__ import annotations

import subprocess
from pathlib import Path


def commit_of(path: Path) -> str | None:
    """The commit checked out at ``path``, or ``None`` outside a repository or without git."""
    try:
        done = subprocess.run(
            ["git", "-C", str(path if path.is_dir() else path.parent), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None
