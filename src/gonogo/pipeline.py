"""The stages of a scan whose report is not reused: facts and checks (``engine``), waivers, marks
and tallies, the gates and decision (``verdict``), which findings block, the plan, and one
redaction pass (docs/architecture.md). Each stage lives in its own module; this one only wires
them. ``api.scan`` opens the workspace and asks the scan memo first, and imports this module only
when the memo cannot answer: a reused report needs none of the stages' modules.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gonogo import __version__
from gonogo.baseline import load_for_scan as load_baseline
from gonogo.blocking import mark_blocking, metrics_moved_by
from gonogo.certification import certify, metric_areas, overall_score, score_metrics, weights_for
from gonogo.config import Config
from gonogo.engine import Facts, run_check
from gonogo.model import Area, CheckResult, Report, RootInfo, Waiver
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.owners import load_authors, load_owners
from gonogo.plan import build_plan
from gonogo.policy import PROFILES, gates_for, levels_for, valid_until
from gonogo.redaction import scrub
from gonogo.registry import CheckSpec, Registry, load_plugins
from gonogo.suppressions import FindingMarks
from gonogo.tallies import measure_tallies
from gonogo.thresholds import Thresholds
from gonogo.timings import StageClock
from gonogo.verdict import area_scores, decide, evaluate_gate
from gonogo.waivers import live_waivers
from gonogo.workspace import Workspace


@dataclass(frozen=True, slots=True, kw_only=True)
class Opened:
    """A scan once its workspace is walked and its roots' git state read: what the stages start from."""

    roots: list[Path]
    """As given (the plan's commands name them so)."""
    config: Config
    options: ScanOptions
    workspace: Workspace
    notes: Notes
    clock: StageClock
    root_infos: tuple[RootInfo, ...]
    started: float
    """``time.perf_counter()`` when the scan began, for its duration."""
    scanned_at: datetime


def judge(scan: Opened) -> Report:
    """The report of ``scan``: every selected check run on its facts, then the verdict and plan."""
    config, options, workspace, notes, clock = scan.config, scan.options, scan.workspace, scan.notes, scan.clock
    registry = load_plugins()
    selected = registry.selected(config.select, config.ignore)  # a typo fails before any check runs
    for missing in (p for p in scan.roots if not p.exists()):
        notes.add("path does not exist; not scanned", path=str(missing), source="workspace")
    for message in config.notes:
        notes.add(message, path=config.source, source="config")
    gate_list = gates_for(config)
    # the bars checks compare with come from the gates evaluated below: check and gate agree
    thresholds = Thresholds.from_gates(gate_list, config.profile)
    facts = Facts(registry, (workspace, config, options, thresholds, notes), clock)
    marks = FindingMarks(workspace, load_baseline(workspace, options, notes))
    results = _checked(selected, facts, live_waivers(config, options, notes), marks, clock)
    metrics = {name: value for result in results for name, value in result.metrics}
    metrics.update(measure_tallies(registry.tallies, results) | marks.metrics())
    # area scores are metrics too, so a gate can say `score.security >= 95`
    scores = area_scores(results)
    weights = weights_for(config.score_weights)
    metrics.update(score_metrics(scores, overall_score(scores, weights)))
    gates = [evaluate_gate(gate, metrics) for gate in gate_list]
    results = mark_blocking(results, gates, registry.tallies)
    verify_target = shlex.join(str(p) for p in scan.roots)  # a path with a space or ; stays one argument
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
    return scrub(Report(
        decision=decide(gates),
        gates=tuple(gates),
        metrics=dict(sorted(metrics.items())),
        scores=scores,
        checks=tuple(results),
        plan=plan,
        notes=tuple(notes),
        roots=scan.root_infos,
        profile=config.profile,
        tool_version=__version__,
        data_versions=dict(sorted(notes.data_versions.items())),
        duration_seconds=round(time.perf_counter() - scan.started, 3),
        timings=clock.as_evidence(),
        scanned_at=scan.scanned_at,
        valid_until=valid_until(config, scan.scanned_at),
        certification=certify(
            scores, weights, gates, results, metrics,
            areas_of=_metric_areas(registry, selected, results),
            levels=levels_for(config),
            advisory_max_age_days=PROFILES[config.profile].advisory_max_age_days,
        ),
    ))


def _checked(
    selected: list[CheckSpec], facts: Facts, waivers: list[Waiver], marks: FindingMarks, clock: StageClock
) -> list[CheckResult]:
    """Each selected check's result, in their order. Background collectors start as soon as what
    they need is built, and the checks that need none of them run first, while they work."""
    facts.prefetch(selected)
    checking = time.perf_counter()
    ran = {spec.id: run_check(spec, facts, waivers, marks.apply) for spec in facts.foreground_first(selected)}
    marks.save()
    clock.checks(time.perf_counter() - checking)
    return [ran[spec.id] for spec in selected]


def _metric_areas(
    registry: Registry, selected: list[CheckSpec], results: list[CheckResult]
) -> dict[str, set[Area]]:
    counted = {spec.id: spec.counts for spec in selected if spec.counts}
    return metric_areas(results, counted, ((t.sources, t.metrics) for t in registry.tallies))
