"""The command line. The only module that prints, reads the environment or exits.

Exit codes: 0 GO (and CONDITIONAL GO unless ``--fail-on conditional``), 1 NO-GO, 2 no decision
possible (bad configuration, nothing to scan, bad arguments, a ``--select`` naming no check), 3
internal error (a bug in gonogo: never 1, so CI cannot take a crash for a verdict).

``-o -`` (or ``--json``) writes the one report to standard output for a pipe, and everything else
(the summary, progress, notes) to standard error, so ``gonogo check --json | jq`` reads clean JSON.
"""

from __future__ import annotations

import gc
import importlib
import math
import os
import shutil
import stat
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from gonogo import __version__
from gonogo.api import NothingToScan, create_baseline, scan
from gonogo.atomic import write_atomically
from gonogo.config import Config, ConfigError, find_config_file, load_config, load_project_config
from gonogo.fleet.cli import fleet_app
from gonogo.gcpause import collector_paused
from gonogo.history import cli as history_cli
from gonogo.model import Decision, Report
from gonogo.options import ScanOptions
from gonogo.reporters.terminal import decision_line, plain, print_summary
from gonogo.reporters.text import terminal_text, writable
from gonogo.server import cli as server_cli
from gonogo.service_settings import parse_service_arg
from gonogo.timings import REPORTS, format_timings, stage_label
from gonogo.vulndb.cli import db_app, index_path

EXIT_GO, EXIT_NO_GO, EXIT_NO_DECISION, EXIT_INTERNAL_ERROR = 0, 1, 2, 3
DEBUG_ENV = "GONOGO_DEBUG"
EXIT_CODES_HELP = (
    "Exit codes: 0 GO (and CONDITIONAL GO unless --fail-on conditional), 1 NO-GO, "
    "2 no decision possible (bad configuration, nothing to scan, bad arguments, a --select naming no check), "
    "3 internal error in gonogo (run with --verbose or GONOGO_DEBUG=1 for the traceback)."
)
REPORT_BUGS = "this is a bug in gonogo: please report it with the command you ran and `gonogo version`"

FORMATS: dict[str, tuple[str, str]] = {
    "md": ("report.md", "gonogo.reporters.markdown"),
    "json": ("report.json", "gonogo.reporters.json_report"),
    "sarif": ("report.sarif", "gonogo.reporters.sarif"),
    "junit": ("report.junit.xml", "gonogo.reporters.junit"),
    "html": ("report.html", "gonogo.reporters.html"),
    "codeclimate": ("gl-code-quality-report.json", "gonogo.reporters.codeclimate"),  # GitLab Code Quality
}

app = typer.Typer(
    help="gonogo: decide from evidence whether a codebase is ready for production.\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
)
app.add_typer(db_app, name="db")
app.add_typer(fleet_app, name="fleet")
app.command("history")(history_cli.history_command)
app.command("diff")(history_cli.diff_command)
app.command("status")(history_cli.status_command)
app.command("serve")(server_cli.serve_command)
out = Console()
err = Console(stderr=True)


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _fail(message: str) -> typer.Exit:
    # the message quotes paths and config keys: plain text, never markup or escape sequences
    err.print(Text("gonogo: ", style="bold red") + plain(message), highlight=False)
    return typer.Exit(EXIT_NO_DECISION)


def _config_failure(exc: ConfigError) -> typer.Exit:
    """Every problem of the configuration on its own line, so one run shows them all."""
    if len(exc.problems) == 1:
        return _fail(f"configuration error: {exc}")
    err.print(Text("gonogo: ", style="bold red") + plain(f"configuration error: {len(exc.problems)} problems"),
              highlight=False)
    for line in str(exc).splitlines():
        err.print(plain(f"  - {line}"), highlight=False, soft_wrap=True)  # a path is not broken by rich
    return typer.Exit(EXIT_NO_DECISION)


_verbose = False
STDOUT_NAMES = ("-", "/dev/stdout")
"""``--output`` values meaning standard output: one report for a pipe, not a folder of them."""
DEFAULT_OUTPUT = Path("gonogo-report")


def _print_version(value: bool) -> None:
    if value:
        out.print(__version__, highlight=False)
        raise typer.Exit()


@app.callback()
def _global_options(
    verbose: Annotated[bool, typer.Option("--verbose", help="On an internal error, print the traceback")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print gonogo's version and exit")] = False,
) -> None:
    global _verbose
    _verbose = verbose


def scan_options(**switches: Any) -> ScanOptions:
    """The scan options every command builds the same way: the fact cache and the advisory index
    from the environment (GONOGO_CACHE_DIR, GONOGO_VULNDB), then the command's own switches."""
    return ScanOptions(
        cache_dir=os.environ.get("GONOGO_CACHE_DIR"),
        vulndb_path=str(index_path()),
        **switches,
    )


# Options as reusable types: the signature of a command stays one line an option.
Roots = Annotated[list[Path] | None, typer.Argument(help="Workspace roots to scan (default: .)")]
Formats = Annotated[list[str] | None, typer.Option(
    "--format", "-f", help="Reports to write: md,json,sarif,junit,html,codeclimate")]
Output = Annotated[Path, typer.Option("--output", "-o", help="Folder for written reports")]
ConfigFile = Annotated[Path | None, typer.Option("--config", help="gonogo.toml or pyproject.toml")]
Select = Annotated[list[str] | None, typer.Option(help="Check id prefixes to run (SEC,TEST001)")]
Ignore = Annotated[list[str] | None, typer.Option(help="Check id prefixes to leave out")]
Profile = Annotated[str | None, typer.Option(help="critical, standard or prototype")]
FailOn = Annotated[str | None, typer.Option(help="no-go (default) or conditional")]
Jobs = Annotated[int | None, typer.Option(help="Processes for parsing (default: all cores)")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Parse every file again")]
Rescan = Annotated[bool, typer.Option(
    "--rescan", help="Run every check even when nothing changed since the last scan (cached facts still used)")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the decision line")]
Online = Annotated[bool, typer.Option("--online", help="Also ask the OSV API for advisories (network)")]
Outdated = Annotated[bool, typer.Option("--outdated", help="Compare pins with the latest PyPI releases (network)")]
RunTests = Annotated[bool, typer.Option("--run-tests", help="Run the repository's pytest suite (executes its code)")]
Python = Annotated[str | None, typer.Option("--python", help="Interpreter for --run-tests and --import-smoke")]
ImportSmoke = Annotated[bool, typer.Option(
    "--import-smoke", help="Import every module of the packages with --python (executes its code)")]
TestTimeout = Annotated[float, typer.Option("--test-timeout", help="Seconds before the suite is stopped")]
Probe = Annotated[bool, typer.Option("--probe", help="Probe the declared services (health, OpenAPI, load)")]
Services = Annotated[list[str] | None, typer.Option("--service", help="Extra service to probe: NAME=URL")]
BaselineFile = Annotated[Path | None, typer.Option("--baseline", help="Judge only findings not in this baseline")]
NoBaseline = Annotated[bool, typer.Option("--no-baseline", help="Judge every finding, even with a baseline file")]


@app.command(epilog=EXIT_CODES_HELP)
@collector_paused()  # the scan, the history's comparison and the reports: see gcpause
def check(
    paths: Roots = None,
    formats: Formats = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Folder for written reports (default gonogo-report); - writes one to standard output"
    )] = None,
    json_out: Annotated[bool, typer.Option("--json", help="The JSON report on standard output: -f json -o -")] = False,
    config_file: ConfigFile = None,
    select: Select = None,
    ignore: Ignore = None,
    profile: Profile = None,
    fail_on: FailOn = None,
    jobs: Jobs = None,
    no_cache: NoCache = False,
    rescan: Rescan = False,
    quiet: Quiet = False,
    online: Online = False,
    outdated: Outdated = False,
    run_tests: RunTests = False,
    python: Python = None,
    import_smoke: ImportSmoke = False,
    test_timeout: TestTimeout = 900.0,
    probe: Probe = False,
    service: Services = None,
    baseline_file: BaselineFile = None,
    no_baseline: NoBaseline = False,
    claims: Annotated[Path | None, typer.Option("--claims", help="Also judge this readiness document")] = None,
    history: history_cli.HistoryOption = None,
    no_history: Annotated[bool, typer.Option("--no-history", help="Do not remember this run")] = False,
    upload: Annotated[str | None, typer.Option(
        "--upload", help="POST the JSON report to a gonogo serve upload URL (token: GONOGO_TOKEN)"
    )] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every condition, finding and action")] = False,
) -> None:
    """Scan the workspace and decide GO, CONDITIONAL GO or NO-GO. The run is remembered in the
    history (``gonogo history``, ``gonogo diff``, ``gonogo status``) unless ``--no-history``."""
    roots = paths or [Path(".")]
    wanted, output, streaming = _destination(_formats(formats), output, json_out)
    show = err if streaming else out  # standard output carries the one report and nothing else
    options = scan_options(
        jobs=jobs, use_cache=not no_cache, reuse=not rescan, online_vulns=online, outdated=outdated,
        run_tests=run_tests, python=_interpreter(python, roots) if run_tests or import_smoke else python,
        import_smoke=import_smoke, test_timeout=_positive(test_timeout), probe=probe, services=tuple(service or ()),
        baseline=str(baseline_file) if baseline_file else None, ignore_baseline=no_baseline,
    )
    overrides = {"select": _split(select), "ignore": _split(ignore), "profile": profile, "fail_on": fail_on}
    config, report = _configured_scan(roots, config_file, overrides, options, claims)
    remembering = None if no_history else history_cli.target(roots, config, history)
    report = history_cli.with_since(report, remembering) if remembering else report  # from the last run
    _show(report, quiet, verbose or _verbose, show)
    writing = time.perf_counter()
    _write_reports(report, wanted, output, streaming, quiet, show)
    _remember(report, remembering, config, quiet)
    if verbose or _verbose:
        _print_timings(report, reports_took=time.perf_counter() - writing)
    if upload:  # a failed upload is a warning and never changes the exit code
        _upload(report, roots[0], upload)
    if not quiet:  # the decision again, on the last line a CI log shows
        show.print(decision_line(report), highlight=False)
    raise typer.Exit(_exit_code(report, config.fail_on))


def _positive(test_timeout: float) -> float:
    """``--test-timeout``, or a clear error: nan or inf would switch the timeout off."""
    if not (math.isfinite(test_timeout) and test_timeout > 0):
        raise _fail(f"--test-timeout must be a positive, finite number of seconds, not {test_timeout}")
    return test_timeout


def _formats(formats: list[str] | None) -> list[str]:
    """The formats asked for, each once ("json,sarif,json"), or a clear error naming the unknown."""
    wanted = list(dict.fromkeys(_split(formats)))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise _fail(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    return wanted


def _configured_scan(
    roots: list[Path], config_file: Path | None, overrides: dict[str, Any], options: ScanOptions, claims: Path | None
) -> tuple[Config, Report]:
    """The configuration (the file given, else the project's, with the command line's settings)
    and the scan's report, with the claims of a readiness document judged when one is given."""
    try:
        for text in options.services:
            parse_service_arg(text)
        given = {k: v for k, v in overrides.items() if v}
        config = load_config(config_file, given) if config_file else load_project_config(roots[0], given)
        report = _scan_with_progress(roots, config, options)
        if claims is not None:
            report = _with_claims(report, claims, roots)
    except ConfigError as exc:
        raise _config_failure(exc) from exc
    except (NothingToScan, ValueError) as exc:
        raise _fail(str(exc)) from exc
    return config, report


def _remember(report: Report, remembering: history_cli.Target | None, config: Config, quiet: bool) -> None:
    """Record the run in the history; what happened is said unless ``--quiet`` (a warning always)."""
    remembered = history_cli.record(report, remembering, config) if remembering else None
    if remembered is not None and (not quiet or remembered.startswith("warning")):
        err.print(plain(remembered), highlight=False, soft_wrap=True)


def _upload(report: Report, root: Path, url: str) -> None:
    from gonogo.server.client import upload_report  # httpx: imported by the runs that upload

    err.print(plain(upload_report(report, root, url, os.environ.get("GONOGO_TOKEN"))), highlight=False, soft_wrap=True)


def _write_reports(
    report: Report, wanted: list[str], output: Path, streaming: bool, quiet: bool, show: Console
) -> None:
    """Each wanted report into the output folder, or the one report into the stream."""
    for name in wanted:
        try:
            if streaming:
                _stream(report, name, output)
                continue
            written = _write(report, name, output)
        except OSError as exc:
            raise _fail(f"cannot write the {name} report into {output}: {exc.strerror or exc}") from exc
        if not quiet:
            show.print(plain(f"wrote {written}"), soft_wrap=True)  # a long path is not broken by rich


def _print_timings(report: Report, reports_took: float) -> None:
    """``--verbose``: the seconds of each stage and collector, with writing the reports."""
    stages = {**report.timings.get("stages", {}), REPORTS: reports_took}
    for line in format_timings({**report.timings, "stages": stages}):
        err.print(plain(line), highlight=False)


def _destination(wanted: list[str], output: Path | None, json_out: bool) -> tuple[list[str], Path, bool]:
    """The formats, the output and whether it is a stream (``-o -``, ``--json``, a pipe or device)
    rather than a folder, which must be one gonogo may write into. A stream holds exactly one
    report: JSON when no format is named."""
    if json_out:
        if output is not None or wanted not in ([], ["json"]):
            raise _fail("--json is -f json -o -: it cannot be combined with --output or another --format")
        return ["json"], Path("-"), True
    if output is None or not _is_stream(output):
        folder = output or DEFAULT_OUTPUT
        if wanted:
            _check_output_folder(folder)
        return wanted, folder, False
    if len(wanted) > 1:
        raise _fail(f"--output {output} takes one report; name one --format, not {', '.join(wanted)}")
    return wanted or ["json"], output, True


def _is_stream(output: Path) -> bool:
    """``-`` and /dev/stdout (whatever standard output is redirected to), or an existing pipe or
    character device (/dev/stderr on a terminal, a process substitution): never made a folder."""
    if str(output) in STDOUT_NAMES:
        return True
    try:
        mode = output.stat().st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def _with_claims(report: Report, document: Path, roots: list[Path]) -> Report:
    """The report with the document's claims judged by it (``check --claims``)."""
    from gonogo.claims.document import DocumentError
    from gonogo.claims.in_report import with_claims
    from gonogo.claims.verify import verify
    from gonogo.reporters.json_report import report_to_dict

    try:
        result = verify(document, roots, scan_report=report_to_dict(report), index=index_path())
    except DocumentError as exc:
        raise ValueError(str(exc)) from exc
    return with_claims(report, str(document), result.judgements)


def _interpreter(python: str | None, roots: list[Path]) -> str | None:
    """``--python`` as the user's shell reads it: a path is relative to the current directory
    (then, failing that, to the scanned folder, said on stderr), a bare name is looked up on
    PATH. Made absolute, not resolved: a virtualenv's interpreter is a symlink that must stay one."""
    if python is None:
        return None
    if os.sep not in python and "/" not in python:
        if shutil.which(python) is None:
            raise _fail(f"--python {python}: no interpreter of that name on PATH")
        return python
    given = Path(python).expanduser()
    if given.is_file():
        return os.path.abspath(given)
    for root in roots:
        candidate = (root if root.is_dir() else root.parent) / given
        if candidate.is_file():
            err.print(f"gonogo: --python {python} is not in {Path.cwd()}; using {candidate} in the scanned folder",
                      highlight=False)
            return os.path.abspath(candidate)
    raise _fail(f"--python {python}: interpreter not found in {Path.cwd()} nor in the scanned folder")


def _show(report: Report, quiet: bool, verbose: bool, console: Console) -> None:
    if quiet:
        console.print(report.decision.label)
    else:
        print_summary(report, console, verbose)


def _scan_with_progress(roots: list[Path], config: Any, options: ScanOptions) -> Report:
    if not err.is_terminal:
        return scan(roots, config=config, options=options)
    # deferred: only a terminal shows the progress bar (CI logs and pipes do not)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        tasks: dict[str, Any] = {}

        def report_progress(stage: str, done: int, total: int) -> None:
            # a stage that announces itself with no count yet shows as working, never frozen
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage_label(stage), total=total or None)
            progress.update(tasks[stage], completed=done, total=total or None)

        return scan(roots, config=config, options=_with_progress(options, report_progress))


def _with_progress(options: ScanOptions, callback: Any) -> ScanOptions:
    return replace(options, progress=callback)


def _check_output_folder(folder: Path) -> None:
    """Before scanning: ``--output`` must be a folder or not exist yet, so a long scan does not end
    in an error, and a file the user named by mistake is never replaced by a folder of reports."""
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise _fail(f"--output {folder}: {existing} is an existing file, not a folder; name a folder for the reports")


def _render(report: Report, name: str) -> str:
    return writable(importlib.import_module(FORMATS[name][1]).render(report))


def _write(report: Report, name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / FORMATS[name][0]
    write_atomically(target, _render(report, name))
    return target


def _stream(report: Report, name: str, output: Path) -> None:
    """The report into standard output or the named pipe or device, as UTF-8 bytes whatever the
    locale, since a pipe's reader (jq, a CI step) expects the same bytes a file would hold."""
    data = _render(report, name).encode("utf-8")
    if str(output) not in STDOUT_NAMES:
        with open(output, "wb") as handle:
            handle.write(data)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _exit_code(report: Report, fail_on: str) -> int:
    if report.decision is Decision.NO_GO:
        return EXIT_NO_GO
    if report.decision is Decision.CONDITIONAL_GO and fail_on == "conditional":
        return EXIT_NO_GO
    return EXIT_GO


@app.command("baseline")
def baseline_command(
    paths: Roots = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Baseline file to write")] = None,
) -> None:
    """Record today's open findings in .gonogo-baseline.json; later scans gate on new findings only
    (clean as you code). Findings are keyed by check, file and a hash of the code, not by line."""
    from gonogo.registry import SelectionError  # the registry: imported by the commands that use it

    try:
        written = create_baseline(paths or [Path(".")], options=scan_options(), output=output)
    except (ConfigError, NothingToScan, SelectionError) as exc:
        raise _fail(str(exc)) from exc
    except OSError as exc:
        raise _fail(f"cannot write the baseline: {exc}") from exc
    out.print(plain(f"wrote {written.path}: {written.findings} finding(s) recorded"), highlight=False)


@app.command("probe")
def probe_command(
    path: Annotated[Path, typer.Argument(help="Folder whose config declares the services")] = Path("."),
    config_file: ConfigFile = None,
    service: Services = None,
) -> None:
    """Probe the declared services alone: health URLs, TCP, Redis, PostgreSQL, OpenAPI, load.
    Exit 0 when all are healthy, 1 when one is not, 2 when nothing is declared."""
    from gonogo.probes.command import format_probe, probe_exit_code, run_probe  # the probes' clients: here only

    try:
        for text in service or ():
            parse_service_arg(text)
        facts = run_probe(load_config(config_file or find_config_file(path)), service or ())
    except (ConfigError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    # plain echo: evidence lines must not be re-wrapped; each shown with its control characters escaped
    typer.echo("".join(terminal_text(line) + "\n" for line in format_probe(facts).splitlines()), nl=False)
    raise typer.Exit(probe_exit_code(facts))


@app.command("verify")
def verify_command(
    document: Annotated[Path, typer.Argument(help="The readiness document (Markdown or text)")],
    paths: Annotated[list[Path] | None, typer.Argument(help="Roots the document describes")] = None,
    against: Annotated[Path | None, typer.Option("--against", help="An earlier `gonogo check` report.json")] = None,
    formats: Formats = None,
    output: Output = Path("gonogo-report"),
    vocabulary: Annotated[Path | None, typer.Option(help="TOML with [claims.vocabulary] phrase = metric")] = None,
) -> None:
    """Judge a readiness document's claims against the evidence and against itself."""
    from gonogo.claims import render
    from gonogo.claims import vocabulary as vocab
    from gonogo.claims.document import DocumentError
    from gonogo.claims.evidence import EvidenceError
    from gonogo.claims.verify import verify
    from gonogo.registry import SelectionError
    from gonogo.reporters.json_report import report_to_dict

    wanted = _split(formats)
    unknown = [f for f in wanted if f not in render.RENDERERS]
    if unknown:
        raise _fail(f"unknown format {', '.join(unknown)}; choose from {', '.join(render.RENDERERS)}")
    roots = paths or []
    try:
        words = vocab.load(vocabulary)
        scanned = None
        if roots and against is None:
            config = load_config(find_config_file(roots[0]))
            options = ScanOptions(cache_dir=os.environ.get("GONOGO_CACHE_DIR"), vulndb_path=str(index_path()))
            scanned = report_to_dict(_scan_with_progress(roots, config, options))
        result = verify(document, roots, against, words, scanned, index_path())
    except (DocumentError, EvidenceError, vocab.VocabularyError, ConfigError, NothingToScan, SelectionError) as exc:
        raise _fail(str(exc)) from exc
    table = Table()
    for column in ("Line", "Status", "Check", "Claim", "Measured"):
        table.add_column(column)
    for j in result.judgements:
        table.add_row(str(j.claim.line), j.status.value, j.check_id, j.claim.text[:60], j.measured or "-")
    out.print(table)
    for note in result.notes:
        err.print(f"note: {note}", highlight=False, markup=False)
    out.print(render.summary(result.judgements), highlight=False)
    for name in wanted:
        output.mkdir(parents=True, exist_ok=True)
        target = output / render.FORMATS[name]
        target.write_text(render.RENDERERS[name](str(document), result.judgements, result.evidence.source), "utf-8")
        out.print(f"wrote {target}")
    raise typer.Exit(EXIT_NO_GO if render.failed(result.judgements) else EXIT_GO)


@app.command()
def explain(
    check_id: Annotated[str, typer.Argument(help="A check id (TEST001), or a ruff/bandit rule id (S113, B602)")],
) -> None:
    """Print a check's documentation: what it requires, why, and how to fix it."""
    from rich.markdown import Markdown

    import gonogo.claims.in_report  # noqa: F401 - registers CLM100 (check --claims) in CLAIM_CHECKS
    from gonogo.claims.checks import CLAIM_CHECKS
    from gonogo.explain import UnknownId, markdown, resolve
    from gonogo.registry import load_plugins

    try:
        explained = resolve(check_id, {**load_plugins().checks, **CLAIM_CHECKS})
    except UnknownId as exc:
        raise _fail(str(exc)) from exc
    out.print(Markdown(markdown(explained), hyperlinks=False))


@app.command("list-checks")
def list_checks() -> None:
    """List every check with its id, category and default severity."""
    from gonogo.registry import load_plugins

    table = Table()
    for column in ("Id", "Category", "Severity", "Title"):
        table.add_column(column)
    for spec in load_plugins().select():
        table.add_row(spec.id, spec.category.name.lower(), spec.severity.value, spec.title)
    out.print(table)


@app.command("hook")
def hook_command(
    files: Annotated[list[str] | None, typer.Argument(help="Files the commit touches (pre-commit passes them)")] = None,
    select: Select = None,
    fail_at: Annotated[str, typer.Option(
        "--fail-at", help="Lowest severity that stops the commit: critical, high, medium, low, info")] = "high",
) -> None:
    """The pre-commit hook: static checks (SEC, TEST, CODE, IMG, CI by default) over the repository in
    the current folder, reporting only findings in FILES. Exit 1 when one is at --fail-at or worse."""
    from gonogo.integrations import precommit
    from gonogo.model import Severity

    try:
        threshold = Severity(fail_at.lower())
    except ValueError as exc:
        raise _fail(f"--fail-at {fail_at}: choose from {', '.join(s.value for s in Severity)}") from exc
    if not files:
        raise typer.Exit(EXIT_GO)  # pre-commit ran it on a commit with no file of its types
    try:
        config = load_project_config(Path("."), {"select": _split(select) or list(precommit.HOOK_FAMILIES)})
        report = scan([Path(".")], config=config, options=scan_options())
    except (ConfigError, NothingToScan, ValueError) as exc:
        raise _fail(str(exc)) from exc
    found = precommit.touched(report, files)
    stopping = precommit.failing(found, threshold)
    for finding in found:
        out.print(plain(precommit.line_for(finding)), highlight=False, soft_wrap=True)
    if stopping:
        err.print(plain(f"gonogo: {len(stopping)} finding(s) at {threshold.value} or worse in the files of this "
                        "commit; fix them, or waive one with a reason (gonogo explain ID says how)"), highlight=False)
    raise typer.Exit(EXIT_NO_GO if stopping else EXIT_GO)


ci_app = typer.Typer(help="Hand a finished report to a CI system: job summary, annotations, outputs.",
                     no_args_is_help=True)
app.add_typer(ci_app, name="ci")


@ci_app.command("github")
def ci_github(
    report_file: Annotated[Path, typer.Argument(help="The report.json `gonogo check -f json` wrote")],
    root: Annotated[list[str] | None, typer.Option(
        "--root", help="A path `gonogo check` scanned, so annotations point at files of the repository")] = None,
    max_annotations: Annotated[int, typer.Option(help="Annotations for the worst findings, at most")] = 10,
    check_exit_code: Annotated[int | None, typer.Option(
        "--exit-code", help="`gonogo check`'s exit code, passed on as the step output exit-code")] = None,
) -> None:
    """GitHub Actions: the decision, gates and plan into the job summary ($GITHUB_STEP_SUMMARY),
    annotations for the worst findings, and the outputs decision and exit-code ($GITHUB_OUTPUT).
    Exits 0 when it could do so: the action's last step exits with `gonogo check`'s own code."""
    import json

    from gonogo.integrations import github

    try:
        summary = github.parse_report(json.loads(report_file.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, github.ReportShapeError) as exc:
        raise _fail(f"cannot read the report {report_file}: {exc}") from exc
    prefix = github.path_prefix(root or [], os.environ.get("GITHUB_WORKSPACE") or os.getcwd())
    for finding in github.worst_findings(summary.findings, max_annotations):
        typer.echo(github.annotation(finding, prefix))
    code = check_exit_code if check_exit_code is not None else _exit_code_of(summary.decision)
    for variable, text in (("GITHUB_STEP_SUMMARY", github.step_summary(summary)),
                           ("GITHUB_OUTPUT", github.step_outputs(summary, code))):
        target = os.environ.get(variable)
        if not target:
            err.print(plain(f"gonogo: ${variable} is not set; not running in GitHub Actions?"), highlight=False)
            continue
        try:
            with open(target, "a", encoding="utf-8") as handle:  # appended: other steps write there too
                handle.write(writable(text))
        except OSError as exc:
            raise _fail(f"cannot write ${variable} ({target}): {exc.strerror or exc}") from exc


def _exit_code_of(decision: str) -> int:
    return EXIT_NO_GO if decision == Decision.NO_GO.value else EXIT_GO


@app.command()
def version() -> None:
    """Print gonogo's version."""
    out.print(__version__)


def main() -> None:
    try:
        app(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug in gonogo: its own exit code, never NO-GO's
        sys.exit(internal_error(exc))
    finally:
        # the interpreter's last collections at exit would walk every object still alive (a large
        # tree's facts and report: a third of a second) to free memory the process returns anyway
        gc.freeze()


def internal_error(exc: BaseException) -> int:
    """Say a bug happened, shortly, and where to report it; the traceback only when asked for."""
    verbose = _verbose or "--verbose" in sys.argv[1:] or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    if verbose:
        traceback.print_exception(exc)
    err.print(
        Text("gonogo: internal error: ", style="bold red") + plain(f"{type(exc).__name__}: {exc}"),
        highlight=False,
    )
    if not verbose:
        err.print(plain(f"run again with --verbose or {DEBUG_ENV}=1 for the traceback"), highlight=False)
    err.print(plain(REPORT_BUGS), highlight=False)
    return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    main()
