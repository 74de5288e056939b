"""Builders for the small repositories tests scan."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gonogo.api import scan
from gonogo.config import load_project_config
from gonogo.model import CheckResult, Report
from gonogo.options import ScanOptions
from tests.servers import server_url as server_url  # the real servers' URLs, one import style for tests


def make_repo(root: Path, files: Mapping[str, str | bytes], git: bool = False) -> Path:
    """Write ``files`` (path -> text, dedented, or bytes) under ``root``; optionally ``git init``."""
    root.mkdir(parents=True, exist_ok=True)
    for relpath, content in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
        subprocess.run(
            ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com",
             "commit", "-qm", "initial"],
            check=True,
        )
    return root


def scan_repo(
    root: Path | Sequence[Path],
    select: str | None = None,
    *,
    options: Mapping[str, Any] | None = None,
    **config: object,
) -> Report:
    """Scan ``root`` (or several roots) as the command line does, with the first root's own
    configuration plus the given config keys (``select="TEST"`` keeps one family; ``gates=...``),
    and with no cache unless ``options`` (``ScanOptions`` fields: ``run_tests``, ``today``...) says
    otherwise. The one way tests scan, so every test judges what a user's scan would."""
    roots = [root] if isinstance(root, Path) else list(root)
    overrides = dict(config)
    if select:
        overrides["select"] = select.split(",")
    return scan(
        roots,
        config=load_project_config(roots[0], overrides),
        options=ScanOptions(**{"use_cache": False, **(options or {})}),
    )


def result_of(report: Report, check_id: str) -> CheckResult:
    return next(r for r in report.checks if r.check_id == check_id)

