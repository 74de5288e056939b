"""``scan(paths) -> Report``: the one entry point the CLI and any other caller share.

The engine builds each fact once, through its collector, only when a selected check asks for it;
runs the checks; applies waivers; measures metrics; evaluates gates; and plans. Whatever breaks on
the way (a collector that could not read its evidence, a check with a bug) turns that check
``unknown`` with the reason, and the scan goes on.
"""

from __future__ import annotations

import fnmatch
import shlex
import subprocess
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from gonogo import __version__
from gonogo.baseline import load_for_scan as load_baseline
from gonogo.blocking import mark_blocking, metrics_moved_by
from gonogo.config import Config, load_project_config
from gonogo.model import (
    CheckResult,
    Finding,
    Outcome,
    Report,
    RootInfo,
    Table,
    Waiver,
)
from gonogo.options import ScanOptions
from gonogo.owners import load_owners
from gonogo.plan import build_plan
from gonogo.policy import gates_for
from gonogo.redaction import scrub
from gonogo.registry import (
    CannotTell,
    CheckSpec,
    Failure,
    Metric,
    NotApplicable,
    Registry,
    Score,
    findings_from,
    load_plugins,
)
from gonogo.suppressions import FindingMarks
from gonogo.timings import READING, StageClock
from gonogo.verdict import area_scores, check_score, decide, evaluate_gate
from gonogo.workspace import Workspace


class NothingToScan(Exception):
    """No path given exists; no decision is possible."""


class FactError(Exception):
    """A fact could not be built; every check that needs it is ``unknown`` for this reason."""


class Facts:
    """Builds facts by name, once each, from the registered collectors."""

    def __init__(self, registry: Registry, clock: StageClock | None = None, **given: Any) -> None:
        self._registry = registry
        self._clock = clock or StageClock()
        self._values: dict[str, Any] = dict(given)
        self._errors: dict[str, str] = {}

    def get(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        if name in self._errors:
            raise FactError(self._errors[name])
        spec = self._registry.collectors.get(name)
        if spec is None:
            raise FactError(f"no collector provides {name!r}")
        try:
            arguments = {need: self.get(need) for need in spec.needs}
            with self._clock.collector(name):
                value = spec.func(**arguments)
        except FactError as exc:
            self._errors[name] = str(exc)
            raise
        except CannotTell as exc:
            self._errors[name] = str(exc)
            raise FactError(str(exc)) from exc
        except Exception as exc:  # a collector bug must not end the scan
            self._errors[name] = f"collector {name!r} failed: {type(exc).__name__}: {exc}"
            raise FactError(self._errors[name]) from exc
        self._values[name] = value
        return value


def scan(
    paths: Sequence[str | Path],
    config: Config | None = None,
    options: ScanOptions | None = None,
) -> Report:
    started = time.perf_counter()
    options = options or ScanOptions()
    roots = [Path(p) for p in paths] or [Path(".")]
    if not any(p.exists() for p in roots):
        raise NothingToScan(f"none of these paths exists: {', '.join(str(p) for p in roots)}")
    if config is None:
        config = load_project_config(roots[0])
    registry = load_plugins()
    clock = StageClock(options)
    with clock.stage(READING):
        workspace = Workspace.open([p for p in roots if p.exists()], excludes=config.exclude)
    for missing in (p for p in roots if not p.exists()):
        workspace.note("path does not exist; not scanned", path=str(missing), source="workspace")
    for message in config.notes:
        workspace.note(message, path=config.source, source="config")
    facts = Facts(registry, clock, workspace=workspace, config=config, options=options)
    waivers = live_waivers(config, options, workspace)
    marks = FindingMarks(workspace, load_baseline(workspace, options))
    selected = registry.select(config.select, config.ignore)
    checking = time.perf_counter()
    results = [run_check(spec, facts, waivers, marks.apply) for spec in selected]
    clock.checks(time.perf_counter() - checking)
    metrics = {name: value for result in results for name, value in result.metrics}
    metrics.update(_tallies(registry, results) | marks.metrics())
    gates = [evaluate_gate(gate, metrics) for gate in gates_for(config)]
    results = mark_blocking(results, gates, registry.tallies)
    verify_target = shlex.join(str(p) for p in roots)  # a path with a space or ; stays one argument
    plan = build_plan(
        results, gates, verify_target, moves=metrics_moved_by(registry.tallies, results), owners=load_owners(workspace)
    )
    # one redaction pass over everything the report carries (messages, evidence, tables, plan,
    # notes): a credential any check quotes is masked here, not in each check
    return scrub(Report(
        decision=decide(gates),
        gates=tuple(gates),
        metrics=dict(sorted(metrics.items())),
        scores=area_scores(results),
        checks=tuple(results),
        plan=plan,
        notes=tuple(workspace.notes),
        roots=tuple(
            RootInfo(name=r.name, path=str(r.path), commit=_commit_of(r.path)) for r in workspace.roots
        ),
        profile=config.profile,
        tool_version=__version__,
        data_versions=dict(sorted(workspace.data_versions.items())),
        duration_seconds=round(time.perf_counter() - started, 3),
        timings=clock.as_evidence(),
    ))


def _tallies(registry: Registry, results: Sequence[CheckResult]) -> dict[str, float | None]:
    metrics: dict[str, float | None] = {}
    for spec in registry.tallies:
        sources = [r for r in results if spec.feeds(r.check_id)]
        if sources:
            metrics.update(spec.func(sources))
    return metrics


def live_waivers(config: Config, options: ScanOptions, workspace: Workspace) -> list[Waiver]:
    """The config's waivers that still apply today; an expired one is a note, not silence."""
    live = []
    for setting in config.waivers:
        if setting.until is not None and setting.until < options.today:
            workspace.note(
                f"waiver for {setting.check} expired on {setting.until.isoformat()}; not applied",
                path=config.source,
                source="config",
            )
            continue
        live.append(setting.to_waiver())
    return live


def run_check(
    spec: CheckSpec,
    facts: Facts,
    waivers: Sequence[Waiver] = (),
    mark: Callable[[Finding], Finding] | None = None,
) -> CheckResult:
    """Run one check; its failures become findings, its errors an ``unknown`` with the reason."""
    failures: list[Failure] = []
    tables: list[Table] = []
    published: dict[str, float | None] = {}
    score: float | None = None
    outcome: Outcome | None = None
    reason: str | None = None
    try:
        arguments = {name: facts.get(name) for name in spec.needs}
        for item in spec.func(**arguments) or ():
            match item:
                case Failure():
                    failures.append(item)
                case Metric(name=name, value=value):
                    published[name] = value
                case Table():
                    tables.append(item)
                case Score(value=value):
                    score = value
                case _:
                    raise TypeError(f"check yielded {type(item).__name__}, not a finding or metric")
    except NotApplicable as exc:
        outcome, reason = Outcome.NOT_APPLICABLE, str(exc) or "nothing to check"
    except (CannotTell, FactError) as exc:
        outcome, reason = Outcome.UNKNOWN, str(exc)
    except Exception as exc:  # a check bug is reported, never a crash, never a pass
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        outcome = Outcome.UNKNOWN
        reason = f"check failed: {type(exc).__name__}: {exc} ({Path(frame.filename).name}:{frame.lineno})"
    findings = tuple(_waived(f, waivers) for f in findings_from(spec, failures))
    if mark is not None:  # inline suppressions and the baseline
        findings = tuple(mark(f) for f in findings)
    active = sum(f.active for f in findings)
    if outcome is None:
        outcome = Outcome.FAIL if active else Outcome.PASS
    if spec.counts:
        published[spec.counts] = None if outcome is Outcome.UNKNOWN else float(active)
    if outcome is Outcome.UNKNOWN:
        published = {name: None for name in published}
    return CheckResult(
        check_id=spec.id,
        title=spec.title,
        category=spec.category,
        severity=spec.severity,
        outcome=outcome,
        score=None if outcome in (Outcome.UNKNOWN, Outcome.NOT_APPLICABLE) else (
            score if score is not None else check_score(findings)
        ),
        findings=findings,
        tables=tuple(tables),
        reason=reason,
        metrics=tuple(sorted(published.items())),
    )


def _waived(finding: Finding, waivers: Sequence[Waiver]) -> Finding:
    for waiver in waivers:
        if not finding.check_id.startswith(waiver.check):
            continue
        if waiver.path is None or (finding.path and fnmatch.fnmatch(finding.path, waiver.path)):
            return replace(finding, waived=waiver)
    return finding


def _commit_of(path: Path) -> str | None:
    """The commit scanned, read with git (not from the repository's own code)."""
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
