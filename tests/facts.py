"""Check unit tests from hand-built facts: ``run_check(check_id, **facts)`` runs one check, with no
workspace, no collector and no engine, and small builders for the facts the checks take.

The builders import the collectors' fact types in this one module, so a test module names only
the check and the facts it needs, and a moved type is fixed here once.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gonogo.collectors.python import PythonFacts, PythonFile
from gonogo.collectors.python_facts import extract
from gonogo.collectors.sast import SastFacts, SastHit, rule_for
from gonogo.model import Finding, Outcome, Table
from gonogo.probes.facts import ServiceFacts
from gonogo.probes.load import LoadResult
from gonogo.probes.openapi import NotCalled, OpenApiResult, OperationOutcome, Problem
from gonogo.probes.result import ProbeResult
from gonogo.registry import CannotTell, Failure, Metric, NotApplicable, Score, findings_from, load_plugins
from gonogo.workspace import SourceFile


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckRun:
    """What one check made of the facts it was given. ``outcome`` is ``FAIL`` when it found
    something, ``PASS`` when it found nothing, and what it raised otherwise (with ``reason``)."""

    outcome: Outcome
    findings: tuple[Finding, ...] = ()
    metrics: dict[str, float | None] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()
    score: float | None = None
    reason: str | None = None

    @property
    def messages(self) -> list[str]:
        return [f.message for f in self.findings]


def run_check(check_id: str, **facts: object) -> CheckRun:
    """Run the registered check ``check_id`` on ``facts``, given by the names of the check's
    parameters. A fact the check does not take, or one it needs and was not given, is a mistake in
    the test and raises ``TypeError`` naming both lists; a bug in the check raises as it is (the
    engine would hide it as ``unknown``), so the test shows the traceback."""
    spec = load_plugins().checks.get(check_id)
    if spec is None:
        raise KeyError(f"no check {check_id!r} is registered")
    parameters = inspect.signature(spec.func).parameters
    required = [name for name, p in parameters.items() if p.default is inspect.Parameter.empty]
    unexpected = sorted(set(facts) - set(parameters))
    missing = [name for name in required if name not in facts]
    if unexpected or missing:
        raise TypeError(
            f"{check_id} takes the facts {', '.join(parameters)}; "
            f"missing: {', '.join(missing) or 'none'}; not taken: {', '.join(unexpected) or 'none'}"
        )
    failures: list[Failure] = []
    metrics: dict[str, float | None] = {}
    tables: list[Table] = []
    score: float | None = None
    try:
        for item in spec.func(**facts) or ():
            match item:
                case Failure():
                    failures.append(item)
                case Metric(name=name, value=value):
                    metrics[name] = value
                case Table():
                    tables.append(item)
                case Score(value=value):
                    score = value
                case _:
                    raise TypeError(f"{check_id} yielded {type(item).__name__}, not a finding or metric")
    except NotApplicable as exc:
        return CheckRun(outcome=Outcome.NOT_APPLICABLE, metrics=metrics, reason=str(exc))
    except CannotTell as exc:
        return CheckRun(outcome=Outcome.UNKNOWN, metrics=metrics, reason=str(exc))
    findings = tuple(findings_from(spec, failures))
    return CheckRun(
        outcome=Outcome.FAIL if findings else Outcome.PASS,
        findings=findings,
        metrics=metrics,
        tables=tuple(tables),
        score=score,
    )


# -- SAST ------------------------------------------------------------------------------------------


def sast_hit(code: str, path: str = "app.py", line: int = 1, *, in_test_code: bool = False,
             message: str = "", evidence: str = "") -> SastHit:
    """One hit of the SAST rule ``code`` (``S314``; an unknown code is a rule newer than the table),
    at the rule's own levels."""
    rule = rule_for(code)
    return SastHit(
        rule=rule, severity=rule.severity, confidence=rule.confidence, message=message or rule.name,
        path=path, line=line, column=1, end_line=line, evidence=evidence, in_test_code=in_test_code,
    )


def sast_facts(*hits: SastHit, files: int = 1) -> SastFacts:
    return SastFacts(hits=hits, files=files)


# -- Python ----------------------------------------------------------------------------------------


def python_facts(sources: dict[str, str]) -> PythonFacts:
    """Each ``path -> source`` parsed by the same extractor the ``python`` collector runs, without
    a workspace: the facts of exactly these files."""
    files = []
    for relpath, text in sources.items():
        data = textwrap.dedent(text).lstrip("\n").encode()
        source = SourceFile(root=Path("/repo"), relpath=relpath, display=relpath, size=len(data))
        files.append(PythonFile(file=source, facts=extract(data)))
    return PythonFacts(files=tuple(files))


# -- Services --------------------------------------------------------------------------------------


def health(name: str = "api", *, ok: bool = True, latency_ms: float | None = 10.0,
           max_latency_ms: float | None = None) -> ProbeResult:
    """One HTTP health probe's result, as ``probe_http`` reports it."""
    target = f"http://127.0.0.1:8000/{name}/health"
    return ProbeResult(
        name=name, kind="http", target=target, ok=ok, latency_ms=latency_ms,
        evidence=f"GET {target} -> {200 if ok else 503} in {latency_ms} ms",
        error=None if ok else "status 503, expected 200", status=200 if ok else 503,
        max_latency_ms=max_latency_ms,
    )


def operation(method: str, path: str, *problems: tuple[str, str], status: int | None = 200,
              elapsed_ms: float | None = 5.0) -> OperationOutcome:
    """One OpenAPI operation called, with its problems as ``(kind, message)`` pairs."""
    url = f"http://127.0.0.1:8000{path}"
    return OperationOutcome(
        method=method, path=path, url=url, curl=f"curl -X {method} '{url}'", status=status,
        elapsed_ms=elapsed_ms, problems=tuple(Problem(kind=k, message=m) for k, m in problems),
    )


def openapi(service: str = "api", *outcomes: OperationOutcome, not_called: Iterable[tuple[str, str, str]] = (),
            error: str | None = None) -> OpenApiResult:
    """One service's OpenAPI smoke; ``not_called`` holds ``(method, path, reason)``."""
    return OpenApiResult(
        service=service, source="/openapi.json", outcomes=outcomes, error=error,
        not_called=tuple(NotCalled(method=m, path=p, reason=r) for m, p, r in not_called),
    )


def load(service: str = "api", *, cpu_fraction: float | None = 0.2, requests: int = 100,
         refused: str | None = None) -> LoadResult:
    """One bounded load run: ``requests`` in one second, nothing failed, by one client process
    whose busy share (on or waiting for a CPU) is ``cpu_fraction``."""
    return LoadResult(
        service=service, urls=(f"http://127.0.0.1:8000/{service}",), requests=requests, duration_s=1.0,
        rps=float(requests), latency_ms={"min": 1.0, "avg": 2.0, "p50": 2.0, "p95": 4.0, "p99": 5.0, "max": 6.0},
        error_rate=0.0, cpu_fraction=cpu_fraction, busy_fraction=cpu_fraction, busy_counts_waiting=True,
        processes=1, statuses={"200": requests}, concurrency=4, refused=refused,
    )


def service_facts(*, health: Iterable[ProbeResult] = (), openapi: Iterable[OpenApiResult] = (),
                  load: Iterable[LoadResult] = ()) -> ServiceFacts:
    probes = tuple(health)
    return ServiceFacts(declared=max(1, len(probes)), health=probes, openapi=tuple(openapi), load=tuple(load))
