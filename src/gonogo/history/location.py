"""Where the history lives: ``--history PATH|URL``, else ``GONOGO_HISTORY``, else the config's
``history``, else one SQLite file in the user's data directory (never inside the scanned tree
unless configured so). ``--no-history`` or ``history = "off"`` turns it off."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

OFF = frozenset({"off", "none", "no", "false", "0"})
ENVIRONMENT_VARIABLE = "GONOGO_HISTORY"


def default_path() -> Path:
    return Path(user_data_dir("gonogo")) / "history.sqlite"


def history_url(given: str | None = None, configured: str | None = None, base: Path | None = None) -> str | None:
    """The database URL to use, or ``None`` when history is off. A plain path is a SQLite file;
    a relative path in the config is relative to the config file's folder (``base``)."""
    choice = given or os.environ.get(ENVIRONMENT_VARIABLE) or configured
    if choice is not None and choice.strip().lower() in OFF:
        return None
    if not choice:
        return f"sqlite:///{default_path()}"
    if "://" in choice:
        return choice
    path = Path(choice).expanduser()
    if not path.is_absolute() and base is not None and choice is configured and not given:
        path = base / path
    return f"sqlite:///{path.resolve()}"
