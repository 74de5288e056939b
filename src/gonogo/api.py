"""``scan(paths) -> Report``: the one entry point the CLI and any other caller share.

It runs the stages in order (docs/architecture.md): the workspace, the facts and checks
(``engine``), waivers, marks and tallies, the gates and decision (``verdict``), which findings
block, the plan, and one redaction pass. Each stage lives in its own module; this one only wires
them. ``create_baseline`` is the other entry point: a scan without a baseline, recorded as one.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gonogo import __version__, scan_memo
from gonogo.atomic import write_atomically
from gonogo.baseline import BASELINE_FILE, Written, default_path, render
from gonogo.baseline import load_for_scan as load_baseline
from gonogo.blocking import mark_blocking, metrics_moved_by
from gonogo.certification import certify, metric_areas, overall_score, score_metrics, weights_for
from gonogo.config import Config, load_project_config
from gonogo.engine import Facts, run_check
from gonogo.forge import web_base
from gonogo.gcpause import collector_paused
from gonogo.git_remote import remote_uri
from gonogo.gitinfo import git_state
from gonogo.model import Area, CheckResult, Report, RootInfo
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.owners import load_authors, load_owners
from gonogo.parallel import cache_folder
from gonogo.plan import build_plan
from gonogo.policy import PROFILES, gates_for, levels_for, valid_days_for
from gonogo.redaction import scrub
from gonogo.registry import CheckSpec, Registry, load_plugins
from gonogo.suppressions import FindingMarks
from gonogo.tallies import measure_tallies
from gonogo.thresholds import Thresholds
from gonogo.timings import READING, StageClock
from gonogo.verdict import area_scores, decide, evaluate_gate
from gonogo.waivers import live_waivers
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
    registry = load_plugins()
    selected = registry.selected(config.select, config.ignore)  # a typo fails before any check runs
    for missing in (p for p in roots if not p.exists()):
        notes.add("path does not exist; not scanned", path=str(missing), source="workspace")
    for message in config.notes:
        notes.add(message, path=config.source, source="config")
    gate_list = gates_for(config)
    # the bars checks compare with come from the gates evaluated below: check and gate agree
    thresholds = Thresholds.from_gates(gate_list, config.profile)
    facts = Facts(registry, (workspace, config, options, thresholds, notes), clock)
    facts.prefetch(selected)  # background collectors (ruff) start as soon as their needs are built
    waivers = live_waivers(config, options, notes)
    marks = FindingMarks(workspace, load_baseline(workspace, options, notes))
    checking = time.perf_counter()
    results = [run_check(spec, facts, waivers, marks.apply) for spec in selected]
    marks.save()
    clock.checks(time.perf_counter() - checking)
    metrics = {name: value for result in results for name, value in result.metrics}
    metrics.update(measure_tallies(registry.tallies, results) | marks.metrics())
    # area scores are metrics too, so a gate can say `score.security >= 95`
    scores = area_scores(results)
    weights = weights_for(config.score_weights)
    metrics.update(score_metrics(scores, overall_score(scores, weights)))
    gates = [evaluate_gate(gate, metrics) for gate in gate_list]
    results = mark_blocking(results, gates, registry.tallies)
    verify_target = shlex.join(str(p) for p in roots)  # a path with a space or ; stays one argument
    plan = build_plan(
        results,
        gates,
        verify_target,
        moves=metrics_moved_by(registry.tallies, results),
        owners=load_owners(workspace, notes),
        planners={spec.id: spec.plan for spec in selected if spec.plan is not None},
        authors=load_authors(workspace),
    )
    # one redaction pass over everything the report carries (messages, evidence, tables, plan,
    # notes): a credential any check quotes is masked here, not in each check
    report = scrub(Report(
        decision=decide(gates),
        gates=tuple(gates),
        metrics=dict(sorted(metrics.items())),
        scores=scores,
        checks=tuple(results),
        plan=plan,
        notes=tuple(notes),
        roots=root_infos,
        profile=config.profile,
        tool_version=__version__,
        data_versions=dict(sorted(notes.data_versions.items())),
        duration_seconds=round(time.perf_counter() - started, 3),
        timings=clock.as_evidence(),
        scanned_at=scanned_at,
        valid_until=scanned_at + timedelta(days=valid_days_for(config)),
        certification=certify(
            scores, weights, gates, results, metrics,
            areas_of=_metric_areas(registry, selected, results),
            levels=levels_for(config),
            advisory_max_age_days=PROFILES[config.profile].advisory_max_age_days,
        ),
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
        valid_until=scanned_at + timedelta(days=valid_days_for(config)),
        duration_seconds=round(time.perf_counter() - started, 3),
        timings=clock.as_evidence(),
    )


def _metric_areas(
    registry: Registry, selected: list[CheckSpec], results: list[CheckResult]
) -> dict[str, set[Area]]:
    counted = {spec.id: spec.counts for spec in selected if spec.counts}
    return metric_areas(results, counted, ((t.sources, t.metrics) for t in registry.tallies))


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
