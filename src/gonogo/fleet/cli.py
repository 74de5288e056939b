"""``gonogo fleet scan FLEET.toml|REPOS.txt``: the command line of fleet scans. Like ``gonogo.cli``,
the only place in ``fleet/`` that prints, reads the environment or exits.

Exit codes: 0 every repository was judged and none is NO-GO; 1 a repository is NO-GO, or could not
be scanned (failed, timed out); 2 nothing could run (a fleet file, history or cluster problem).
"""

from __future__ import annotations

import math
import os
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from gonogo.atomic import write_atomically
from gonogo.history.location import history_url
from gonogo.history.runs import HistoryError
from gonogo.options import ScanOptions
from gonogo.reporters.terminal import plain
from gonogo.reporters.text import writable
from gonogo.vulndb.cli import index_path

if TYPE_CHECKING:  # the fleet's own modules are imported by the functions that run them: see scan_command
    from rich.progress import Progress

    from gonogo.fleet.results import HistorySink, ReportFolder
    from gonogo.fleet.sources import Source
    from gonogo.fleet.summary import FleetSummary
    from gonogo.fleet.task import FleetSettings, RepoOutcome

EXIT_OK, EXIT_ATTENTION, EXIT_NO_RUN = 0, 1, 2
SUMMARY_FORMATS = {"md": "fleet.md", "json": "fleet.json"}
"""The fleet summary's formats and their file names (rendered by ``fleet.summary``)."""

fleet_app = typer.Typer(help="Scan many repositories in parallel on Dask distributed.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@fleet_app.command("scan")
def scan_command(
    fleet_file: Annotated[Path, typer.Argument(help="FLEET.toml (a table per repository) or REPOS.txt (one a line)")],
    scheduler: Annotated[str | None, typer.Option(help="An existing cluster: tcp://host:8786")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes of the local cluster")] = 2,
    memory_limit: Annotated[str | None, typer.Option(help="Per local worker, e.g. 4GB (default: RAM/workers)")] = None,
    task_timeout: Annotated[float, typer.Option(help="Seconds one repository may take, clone included")] = 600.0,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder: a subfolder of reports per repository")] = (
        Path("gonogo-fleet")
    ),
    no_reports: Annotated[bool, typer.Option("--no-reports", help="Write no per-repository reports")] = False,
    formats: Annotated[list[str] | None, typer.Option("--format", "-f", help="Fleet summary files: md,json")] = None,
    history: Annotated[str | None, typer.Option("--history", help="Also record each run: SQLite path or URL")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Skip commits scanned with this configuration")] = False,
    select: Annotated[list[str] | None, typer.Option(help="Check id prefixes to run")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Check id prefixes to leave out")] = None,
    profile: Annotated[str | None, typer.Option(help="critical, standard or prototype, for every repository")] = None,
    online: Annotated[bool, typer.Option("--online", help="Also ask the OSV API (network, from workers)")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Parse every file again")] = False,
    scratch: Annotated[str | None, typer.Option(help="Folder on the workers for clones (default: temp)")] = None,
) -> None:
    """Scan every repository of a fleet, one Dask task each, and summarise: decisions by count,
    the worst repositories and the most common failing gates."""
    # deferred, as in the helpers below: Typer builds every command on each gonogo run, and only
    # this one needs the fleet's modules (8 ms of a `gonogo check`)
    from gonogo.fleet.results import ReportFolder
    from gonogo.fleet.sources import FleetFileError, read_fleet
    from gonogo.fleet.summary import render_terminal, summarise

    wanted = _formats(formats)
    _check_output_folder(output)
    if not (math.isfinite(task_timeout) and task_timeout > 0):
        raise _fail(f"--task-timeout must be a positive number of seconds, not {task_timeout}")
    if workers < 1:
        raise _fail("--workers must be at least 1")
    try:
        sources = read_fleet(fleet_file)
    except FleetFileError as exc:
        raise _fail(str(exc)) from exc
    settings = _settings(select, ignore, profile, online, no_cache, task_timeout, scratch)
    with ExitStack() as stack:
        sink = _open_history(history, stack)
        folder = None if no_reports else ReportFolder(output)
        earlier = folder.scanned() if (resume and folder) else {}
        done = frozenset(earlier) | (sink.scanned() if (resume and sink) else frozenset())
        started = time.monotonic()
        client = _connect(stack, scheduler, workers, memory_limit)
        outcomes = _run(client, sources, settings, done, folder, sink, earlier)
        summary = summarise(outcomes, time.monotonic() - started)
    out.print(render_terminal(summary))
    _write_summary(summary, wanted, output)
    raise typer.Exit(_exit_code(summary))


def _connect(stack: ExitStack, scheduler: str | None, workers: int, memory_limit: str | None) -> object:
    """A Dask client; Dask is imported only here, so every other command starts without it."""
    try:
        from gonogo.fleet.runner import ClusterError, connect
    except ImportError as exc:
        raise _fail(f"fleet scans need Dask distributed ({exc.name} is missing): pip install 'gonogo[fleet]'") from exc
    try:
        return stack.enter_context(connect(scheduler, workers, memory_limit))
    except ClusterError as exc:
        raise _fail(str(exc)) from exc


def _check_output_folder(folder: Path) -> None:
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise _fail(f"--output {folder}: {existing} is a file, not a folder")


def _settings(
    select: list[str] | None, ignore: list[str] | None, profile: str | None, online: bool, no_cache: bool,
    task_timeout: float, scratch: str | None,
) -> FleetSettings:
    from gonogo.fleet.task import FleetSettings

    overrides = {"select": _split(select), "ignore": _split(ignore), "profile": profile}
    options = ScanOptions(
        jobs=1,  # the fleet is parallel across repositories: one process per scan
        use_cache=not no_cache,
        cache_dir=os.environ.get("GONOGO_CACHE_DIR"),
        vulndb_path=str(index_path()),
        online_vulns=online,
    )
    return FleetSettings(
        run_id=uuid.uuid4().hex,
        overrides={k: v for k, v in overrides.items() if v},
        options=options,
        task_timeout=task_timeout,
        scratch=scratch,
    )


def _open_history(given: str | None, stack: ExitStack) -> HistorySink | None:
    if given is None:
        return None
    url = history_url(given)
    if url is None:
        return None
    from gonogo.fleet.results import HistorySink
    from gonogo.history.store import History  # SQLAlchemy: imported by the commands that write with it

    try:
        history = History.open(url)
    except HistoryError as exc:
        raise _fail(str(exc)) from exc
    stack.callback(history.close)
    return HistorySink(history)


def _run(
    client: object, sources: list[Source], settings: FleetSettings, done: frozenset[str],
    folder: ReportFolder | None, sink: HistorySink | None, earlier: dict[str, RepoOutcome],
) -> list[RepoOutcome]:
    """Run the fleet with a progress bar (a line per repository when stderr is not a terminal)."""
    from gonogo.fleet.results import with_earlier_verdict

    outcomes: list[RepoOutcome] = []
    with _progress(len(sources)) as advance:

        def keep(outcome: RepoOutcome) -> None:
            outcome = with_earlier_verdict(outcome, earlier, sink)
            _store(outcome, folder, sink)
            outcomes.append(outcome)
            advance(outcome)

        from gonogo.fleet.runner import run_fleet

        durations = folder.durations() if folder is not None else {}
        run_fleet(client, sources, settings, done, keep, durations=durations)  # type: ignore[arg-type]
    return outcomes


class _progress:
    def __init__(self, total: int) -> None:
        self._total = total
        self._bar: Progress | None = None
        self._task: object = None

    def __enter__(self) -> _progress:
        if err.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=err, transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("repositories", total=self._total)
        return self

    def __call__(self, outcome: RepoOutcome) -> None:
        from gonogo.fleet.task import Status

        line = f"{outcome.name}: {outcome.status.value}"
        line += f" ({outcome.reason})" if outcome.status in (Status.FAILED, Status.TIMED_OUT) else ""
        line += f", {outcome.decision.replace('_', ' ')}" if outcome.decision else ""
        if self._bar is not None:
            self._bar.console.print(plain(line), highlight=False)
            self._bar.advance(self._task, 1)  # type: ignore[arg-type]
        else:
            err.print(plain(line), highlight=False, soft_wrap=True)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _store(outcome: RepoOutcome, folder: ReportFolder | None, sink: HistorySink | None) -> None:
    """Write one outcome; a sink that fails is said, and the fleet goes on."""
    from gonogo.fleet.task import Status

    if folder is not None:
        try:
            folder.write(outcome)
        except OSError as exc:
            err.print(plain(f"warning: {outcome.name}: reports not written: {exc.strerror or exc}"), highlight=False)
    if sink is not None and outcome.status is Status.SCANNED:
        try:
            sink.write(outcome)
        except (HistoryError, ValueError) as exc:
            err.print(plain(f"warning: {outcome.name}: not remembered: {exc}"), highlight=False)


def _write_summary(summary: FleetSummary, wanted: list[str], output: Path) -> None:
    from gonogo.fleet.summary import render_json, render_markdown

    renderers = {"md": render_markdown, "json": render_json}
    for name in wanted:
        filename, renderer = SUMMARY_FORMATS[name], renderers[name]
        try:
            output.mkdir(parents=True, exist_ok=True)
            write_atomically(output / filename, writable(renderer(summary)))
        except OSError as exc:
            raise _fail(f"cannot write {filename} into {output}: {exc.strerror or exc}") from exc
        out.print(plain(f"wrote {output / filename}"), highlight=False)


def _formats(given: list[str] | None) -> list[str]:
    wanted = _split(given) or list(SUMMARY_FORMATS)
    unknown = [f for f in wanted if f not in SUMMARY_FORMATS]
    if unknown:
        raise _fail(f"unknown format {', '.join(unknown)}; choose from {', '.join(SUMMARY_FORMATS)}")
    return wanted


def _exit_code(summary: FleetSummary) -> int:
    from gonogo.fleet.task import Status

    unscanned = summary.statuses.get(Status.FAILED.value, 0) + summary.statuses.get(Status.TIMED_OUT.value, 0)
    return EXIT_ATTENTION if unscanned or summary.decisions.get("NO GO", 0) else EXIT_OK


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _fail(message: str) -> typer.Exit:
    err.print(plain(f"gonogo fleet: {message}"), highlight=False)
    return typer.Exit(EXIT_NO_RUN)
