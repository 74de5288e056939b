"""``gonogo history``, ``gonogo diff`` and ``gonogo status``, and the recording step of
``gonogo check``. Registered on the main app by ``gonogo.cli``; like it, the only place here that
prints or exits. Output is printed as plain text: every string from a repository in it was
escaped by ``gonogo.history.render``."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gonogo.config import Config, ConfigError, load_project_config
from gonogo.history.diff import Snapshot, compare
from gonogo.history.location import history_url
from gonogo.history.provenance import Provenance, provenance_of
from gonogo.history.render import diff_json, diff_markdown, diff_text, history_json, history_text, standing_text
from gonogo.history.runs import HistoryError, RunLog, StoredRun
from gonogo.history.since import since_last_run, trend_point
from gonogo.history.sqlite_runs import open_run_log
from gonogo.history.validity import standing, valid_until
from gonogo.model import Report
from gonogo.reporters.json_report import report_to_dict
from gonogo.reporters.terminal import plain

err = Console(stderr=True)
MAX_REPORT_FILE_BYTES = 64 * 1024 * 1024
TREND_RUNS = 30
"""How many earlier runs the report's trend charts show."""

HistoryOption = Annotated[
    str | None, typer.Option("--history", help="History database: a SQLite path, a URL, or 'off'")
]
Root = Annotated[Path, typer.Argument(help="The repository (default: the current folder)")]


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """Where a scan's runs are remembered, and which repository they belong to: resolved once per
    ``gonogo check`` (the identity costs several git commands)."""

    url: str
    provenance: Provenance


def target(roots: list[Path], config: Config, given: str | None) -> Target | None:
    """The history a scan of ``roots`` uses, or ``None`` when history is off."""
    url = _configured_url(config, given)
    return None if url is None else Target(url=url, provenance=provenance_of(roots[0]))


def _configured_url(config: Config, given: str | None) -> str | None:
    return history_url(given, config.history, Path(config.base_dir) if config.base_dir else None)


def record(report: Report, where: Target, config: Config) -> str:
    """Remember a finished scan; returns what to tell the user. A history that cannot be written
    is reported and never changes the scan's report or exit code."""
    url, provenance = where.url, where.provenance
    # the report's own time and validity, so the history and the report can never disagree
    scanned_at = report.scanned_at or datetime.now(UTC)
    data = report_to_dict(report)
    try:
        history = open_run_log(url)
        try:
            run_id = history.record(
                data, provenance, scanned_at,
                report.valid_until or valid_until(scanned_at, report.profile, config.valid_days),
            )
        finally:
            history.close()
    except HistoryError as exc:
        return f"warning: this run was not remembered: {exc}"
    return f"remembered as run #{run_id} in {history.shown}"


def with_since(report: Report, where: Target) -> Report:
    """``report`` with "Since the last run" filled from the previous recorded run of the same
    repository. A history that is empty or cannot be read leaves the report as it was: the
    recording step says why."""
    try:
        history = open_run_log(where.url)
        try:
            # the trend reads each run's summary; only the last run's report is compared with
            runs = history.runs(where.provenance.identity, limit=TREND_RUNS, reports=False)
            previous = history.run(runs[0].id) if runs else None
        finally:
            history.close()
    except HistoryError:
        return report
    if not runs or previous is None:
        return report
    try:
        since = since_last_run(_snapshot(previous), report_to_dict(report))
        trend = tuple(trend_point(run) for run in reversed(runs))
    except HistoryError:  # a stored report that is not JSON: no comparison, and the scan goes on
        return report
    return replace(report, since=replace(since, trend=trend))


def history_command(
    root: Root = Path("."),
    history: HistoryOption = None,
    output_format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    limit: Annotated[int, typer.Option(help="How many runs, newest first")] = 20,
) -> None:
    """List the runs of a repository: date, commit, branch, decision, failing gates, and a
    sparkline per area score."""
    if output_format not in ("text", "json"):
        raise _fail(f"--format {output_format!r}: choose text or json")
    with _opened(root, history) as (store, provenance):  # a stored report is read while rendering
        runs = store.runs(provenance.identity, limit=max(1, limit))
        typer.echo(history_json(runs) if output_format == "json" else history_text(runs))


def diff_command(
    before: Annotated[str | None, typer.Argument(help="Run id, commit or report.json; default: run before B")] = None,
    after: Annotated[str | None, typer.Argument(help="Run id, commit or report.json; default: the last run")] = None,
    root: Annotated[Path, typer.Option("--root", help="The repository whose runs ids and commits name")] = Path("."),
    history: HistoryOption = None,
    output_format: Annotated[str, typer.Option("--format", help="text, md or json")] = "text",
) -> None:
    """What changed between two runs: findings new, fixed and changed (matched by fingerprint,
    not line), gates that flipped, metric deltas, and the checks behind each score change.
    Exits 1 when B is worse than A (a new finding, a gate or the decision got worse), else 0."""
    renderers = {"text": diff_text, "md": diff_markdown, "json": diff_json}
    if output_format not in renderers:
        raise _fail(f"--format {output_format!r}: choose text, md or json")
    files = [ref for ref in (before, after) if ref is not None and _is_report_file(ref)]
    if len(files) == 2:
        pair = (_snapshot_from_file(Path(files[0])), _snapshot_from_file(Path(files[1])))
    else:
        with _opened(root, history) as (store, provenance):
            pair = _pair(store, provenance, before, after)
    result = compare(*pair)
    typer.echo(renderers[output_format](result))
    raise typer.Exit(1 if result.regressed else 0)


def status_command(root: Root = Path("."), history: HistoryOption = None) -> None:
    """Does the last decision still hold for the working tree? Not when it expired, HEAD moved,
    the tree has uncommitted changes, or its advisory data was too old. Exits 0 when it holds,
    1 when it does not, 2 when no run was recorded."""
    with _opened(root, history) as (store, provenance):  # the run's stored report is read here
        runs = store.runs(provenance.identity, limit=1)
        if not runs:
            raise _fail(f"no run of {provenance.identity} is recorded: run gonogo check first")
        verdict = standing(runs[0], datetime.now(UTC), provenance)
    typer.echo(standing_text(verdict))
    raise typer.Exit(0 if verdict.holds else 1)


class _opened:
    """The history for ``root`` (its config's ``history`` unless ``--history``), open for a block."""

    def __init__(self, root: Path, given: str | None) -> None:
        if not root.exists():
            raise _fail(f"{root}: no such folder")
        try:
            config = load_project_config(root)
        except ConfigError as exc:
            raise _fail(f"configuration error: {exc}") from exc
        url = _configured_url(config, given)
        if url is None:
            raise _fail("history is off (--history off, GONOGO_HISTORY=off or history = \"off\")")
        self._url = url
        self._provenance = provenance_of(root)
        self._store: RunLog | None = None

    def __enter__(self) -> tuple[RunLog, Provenance]:
        try:
            self._store = open_run_log(self._url)
        except HistoryError as exc:
            raise _fail(str(exc)) from exc
        return self._store, self._provenance

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if self._store is not None:
            self._store.close()
        if isinstance(error, HistoryError):
            raise _fail(str(error)) from error


def _pair(store: RunLog, provenance: Provenance, before: str | None, after: str | None) -> tuple[Snapshot, Snapshot]:
    """B is ``after`` or the last run; A is ``before`` or the run recorded just before B."""
    runs = store.runs(provenance.identity)
    if not runs and (before is None or after is None):
        raise _fail(f"no run of {provenance.identity} is recorded: run gonogo check first")
    newer = _resolve(store, runs, after) if after is not None else runs[0]
    if before is not None:
        older = _resolve(store, runs, before)
    else:
        earlier = [run for run in runs if isinstance(newer, StoredRun) and run.scanned_at < newer.scanned_at]
        if not earlier:
            raise _fail("no run was recorded before it: there is nothing to compare it with")
        older = earlier[0]
    return _snapshot(older), _snapshot(newer)


def _resolve(store: RunLog, runs: list[StoredRun], ref: str) -> StoredRun | Snapshot:
    if _is_report_file(ref):
        return _snapshot_from_file(Path(ref))
    if ref.lstrip("#").isdigit():
        found = store.run(int(ref.lstrip("#")))
        if found is None:
            raise _fail(f"no run #{ref.lstrip('#')} in the history")
        return found
    matches = [run for run in runs if run.commit and run.commit.startswith(ref.lower())]
    if not matches:
        raise _fail(f"{ref!r} is not a run id, a recorded commit of this repository, or a report.json file")
    return matches[0]


def _snapshot(item: StoredRun | Snapshot) -> Snapshot:
    if isinstance(item, Snapshot):
        return item
    label = f"run #{item.id} ({(item.commit or 'no commit')[:8]}, {item.scanned_at:%Y-%m-%d %H:%M})"
    return Snapshot(label=label, report=item.report)


def _is_report_file(ref: str) -> bool:
    return ref.endswith(".json") or Path(ref).is_file()


def _snapshot_from_file(path: Path) -> Snapshot:
    try:
        if path.stat().st_size > MAX_REPORT_FILE_BYTES:
            raise _fail(f"{path}: larger than {MAX_REPORT_FILE_BYTES // (1024 * 1024)} MiB; not a gonogo report")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(f"{path}: cannot read it: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _fail(f"{path}: not a JSON report ({type(exc).__name__})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list) or "decision" not in data:
        raise _fail(f"{path}: not a gonogo JSON report (no decision and findings)")
    return Snapshot(label=path.name, report=data)


def _fail(message: str) -> typer.Exit:
    err.print(plain(f"error: {message}"), highlight=False)
    return typer.Exit(2)
