"""``scan(paths) -> Report``: the one entry point the CLI and any other caller share.

It opens the workspace (the walk) and reads each root's git state, asks the scan memo
(``scan_memo``) whether the report of an unchanged tree can be given again, and otherwise runs the
stages (``pipeline``: facts and checks, the verdict, the plan, one redaction pass) and keeps their
report for the next scan. ``create_baseline`` is the other entry point: a scan without a
baseline, recorded as one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from gonogo import scan_memo
from gonogo.atomic import write_atomically
from gonogo.baseline import BASELINE_FILE, Written, default_path, render
from gonogo.cache import cache_folder
from gonogo.config import Config, load_project_config
from gonogo.forge import web_base
from gonogo.gcpause import collector_paused
from gonogo.git_remote import remote_uri
from gonogo.gitinfo import git_state
from gonogo.model import Report, RootInfo
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.policy import valid_until
from gonogo.redaction import scrub
from gonogo.timings import READING, StageClock
from gonogo.workspace import Workspace


class NothingToScan(Exception):
    """No path given exists; no decision is possible."""


def scan(
    paths: Sequence[str | Path],
    config: Config | None = None,
    options: ScanOptions | None = None,
) -> Report:
    """Scan ``paths`` (folders or files; several are prefixed by their folder name) and decide.

    ``config`` defaults to the first path's ``gonogo.toml`` or ``[tool.gonogo]`` in its
    ``pyproject.toml`` (see ``load_config``), else the defaults; ``options`` are the run-time
    switches, all active work (running tests, probing services, the network) off by default.
    Nothing the scan cannot read is an exception: it becomes a note or an ``unknown`` check in the
    report. Raises ``NothingToScan`` when none of ``paths`` exists, and ``ConfigError`` when the
    project's configuration file is invalid.
    """
    with collector_paused():
        return _scan(paths, config, options)


def _scan(paths: Sequence[str | Path], config: Config | None, options: ScanOptions | None) -> Report:
    started = time.perf_counter()
    scanned_at = datetime.now(UTC)
    options = options or ScanOptions()
    roots = [Path(p) for p in paths] or [Path(".")]
    if not any(p.exists() for p in roots):
        raise NothingToScan(f"none of these paths exists: {', '.join(str(p) for p in roots)}")
    if config is None:
        config = load_project_config(roots[0])
    notes = Notes()
    clock = StageClock(options)
    with clock.stage(READING):
        workspace = Workspace.open(
            [p for p in roots if p.exists()], excludes=config.exclude, notes=notes, cache_folder=cache_folder(options)
        )
        _ = workspace.files  # the walk: every later stage reads its listing
        root_infos = tuple(_root_info(r.name, r.path) for r in workspace.roots)
    looking = time.perf_counter()
    question, stored = scan_memo.look_up(roots, workspace, [r.commit for r in root_infos], config, options)
    if stored is not None:
        clock.reused(looking)
        return _reused(stored, root_infos, config, started, scanned_at, clock)
    from gonogo.pipeline import Opened, judge  # the stages' modules: a reused report needs none of them

    report = judge(Opened(
        roots=roots, config=config, options=options, workspace=workspace, notes=notes, clock=clock,
        root_infos=root_infos, started=started, scanned_at=scanned_at,
    ))
    if question is not None:
        scan_memo.keep(question, workspace, report)
    return report


def _reused(
    report: Report, roots: tuple[RootInfo, ...], config: Config, started: float, scanned_at: datetime, clock: StageClock
) -> Report:
    """The stored report as of now: its clock fields and the roots' git state are this scan's."""
    return replace(
        report,
        roots=scrub(roots),
        scanned_at=scanned_at,
        valid_until=valid_until(config, scanned_at),
        duration_seconds=round(time.perf_counter() - started, 3),
        timings=clock.as_evidence(),
    )


def create_baseline(
    paths: Sequence[str | Path],
    config: Config | None = None,
    options: ScanOptions | None = None,
    output: Path | None = None,
) -> Written:
    """Scan without any baseline and record every open finding (not waived, not suppressed) in
    ``.gonogo-baseline.json`` at the first root, or at ``output``."""
    roots = [Path(p) for p in paths] or [Path(".")]
    options = replace(options or ScanOptions(), ignore_baseline=True)
    if config is None:
        config = load_project_config(roots[0])
    report = scan(roots, config, options)
    workspace = Workspace.open([p for p in roots if p.exists()], excludes=config.exclude)
    open_findings = [f for f in report.findings if f.active]
    target = output or default_path(workspace) or Path(BASELINE_FILE)
    write_atomically(target, render(open_findings))
    return Written(path=target, findings=len(open_findings))


def _root_info(name: str, path: Path) -> RootInfo:
    """The root as the report names it: its commit, branch and dirtiness, the commit's date, its
    forge page and its remote."""
    state = git_state(path)
    return RootInfo(
        name=name,
        path=str(path),
        commit=state.commit,
        branch=state.branch,
        dirty=state.dirty,
        web=web_base(state.remote, state.commit, state.prefix) if state.remote and state.commit else None,
        committed=state.committed,
        remote=remote_uri(state.remote) if state.remote else None,
    )
