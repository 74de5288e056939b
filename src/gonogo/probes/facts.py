"""The runtime facts: ``test_run`` (the suite, run) and ``service_probes`` (the services, called).

Both are built only when the user asked (``ScanOptions.run_tests`` / ``ScanOptions.probe``);
otherwise they raise ``CannotTell`` with the flag to use, so every check and gate that needs them
is *unknown*, never passing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gonogo.config import Config
from gonogo.options import ScanOptions
from gonogo.registry import CannotTell, collector
from gonogo.service_settings import ServiceSetting, parse_service_arg
from gonogo.workspace import Workspace

if TYPE_CHECKING:  # the probes themselves are imported by the collectors that run them: see test_run
    from gonogo.probes.load import LoadResult
    from gonogo.probes.metrics_endpoint import MetricsScrape
    from gonogo.probes.migration_state import DatabaseRevision
    from gonogo.probes.openapi import OpenApiResult
    from gonogo.probes.result import ProbeResult
    from gonogo.probes.tests_runner import TestRun

NOT_RUN = "tests not run; run with --run-tests"
NOT_PROBED = "services not probed; run with --probe"


@dataclass(frozen=True, slots=True, kw_only=True)
class TestRunFacts:
    __test__ = False

    runs: tuple[TestRun, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceFacts:
    declared: int
    health: tuple[ProbeResult, ...] = ()
    openapi: tuple[OpenApiResult, ...] = ()
    load: tuple[LoadResult, ...] = ()
    skipped: tuple[str, ...] = ()
    """Probes not made, and why (the service was down)."""


@collector("test_run")
def test_run(workspace: Workspace, options: ScanOptions) -> TestRunFacts:
    if not options.run_tests:
        raise CannotTell(NOT_RUN)
    # deferred, as each probe below: only --run-tests and --probe run them, and their modules (the
    # JUnit reader, the OpenAPI smoke, the load client...) cost every other scan 18 ms to import
    from gonogo.probes.tests_runner import run_suite

    roots = [r for r in workspace.roots if r.path.is_dir()]
    if not roots:
        raise CannotTell("no folder to run tests in")
    runs = []
    for index, root in enumerate(roots):
        options.report_progress("tests", index, len(roots))
        run = run_suite(root.path, options.python, options.test_timeout)
        runs.append(_displayed(run, root.name if len(roots) > 1 else "."))
    options.report_progress("tests", len(roots), len(roots))
    return TestRunFacts(runs=tuple(runs))


def _displayed(run: TestRun, name: str) -> TestRun:
    from dataclasses import replace

    return replace(run, root=name)


@collector("service_probes")
def service_probes(config: Config, options: ScanOptions) -> ServiceFacts:
    if not options.probe:
        raise CannotTell(NOT_PROBED)
    return probe_services(all_services(config, options.services), config.base_path, options)


def all_services(config: Config, extra: Sequence[str] = ()) -> dict[str, ServiceSetting]:
    """The config's services plus ``NAME=URL`` ones from the command line (which win by name).

    Raises ``ValueError`` for a malformed ``NAME=URL``.
    """
    services = dict(config.services)
    for text in extra:
        name, setting = parse_service_arg(text)
        services[name] = setting
    return services


def probe_services(
    services: Mapping[str, ServiceSetting],
    base_dir: Path | None = None,
    options: ScanOptions | None = None,
) -> ServiceFacts:
    """Health-probe every service; then OpenAPI smoke and load on the HTTP ones that are up."""
    from gonogo.probes.load import run_load
    from gonogo.probes.openapi import smoke

    health, smokes, loads, skipped = [], [], [], []
    for index, (name, setting) in enumerate(sorted(services.items())):
        if options is not None:
            options.report_progress("probes", index, len(services))
        result = probe_one(name, setting)
        health.append(result)
        wants = [w for w, on in (("OpenAPI smoke", setting.openapi), ("load", setting.load)) if on]
        if not result.ok and wants:
            skipped.append(f"{name}: {' and '.join(wants)} not run: the service is down ({result.error})")
            continue
        if setting.openapi:
            smokes.append(smoke(name, setting, base_dir))
        if setting.load is not None:
            loads.append(run_load(name, setting.origin, setting.load))
    return ServiceFacts(
        declared=len(services), health=tuple(health), openapi=tuple(smokes), load=tuple(loads),
        skipped=tuple(skipped),
    )


def probe_one(name: str, setting: ServiceSetting) -> ProbeResult:
    from gonogo.probes.http import probe_http
    from gonogo.probes.postgres_probe import probe_postgres
    from gonogo.probes.redis_probe import probe_redis
    from gonogo.probes.tcp import probe_tcp

    match setting.resolved_kind:
        case "http":
            return probe_http(name, setting)
        case "tcp":
            return probe_tcp(name, setting)
        case "redis":
            return probe_redis(name, setting)
        case _:
            return probe_postgres(name, setting)


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveOperations:
    """The opt-in live operational probes: metrics scraped and database revisions read. Empty
    tuples mean no service asked for them (the checks are then not applicable)."""

    metrics: tuple[MetricsScrape, ...] = ()
    databases: tuple[DatabaseRevision, ...] = ()


@collector("live_operations")
def live_operations(config: Config, options: ScanOptions) -> LiveOperations:
    """Scrape every declared ``metrics`` URL and read every ``check_migrations`` database.
    With no such declaration the fact is empty (nothing to judge); with one but no ``--probe``
    it cannot tell, like every other probe."""
    services = all_services(config, options.services)
    wanted = {
        name: setting
        for name, setting in sorted(services.items())
        if setting.metrics is not None or setting.check_migrations
    }
    if not wanted:
        return LiveOperations()
    if not options.probe:
        raise CannotTell(NOT_PROBED)
    from gonogo.probes.metrics_endpoint import scrape_metrics
    from gonogo.probes.migration_state import read_alembic_revision

    scrapes, databases = [], []
    for index, (name, setting) in enumerate(wanted.items()):
        options.report_progress("probes", index, len(wanted))
        if setting.metrics_url is not None:
            scrapes.append(scrape_metrics(name, setting.metrics_url, setting.timeout_s))
        if setting.check_migrations:
            databases.append(read_alembic_revision(name, setting))
    options.report_progress("probes", len(wanted), len(wanted))
    return LiveOperations(metrics=tuple(scrapes), databases=tuple(databases))
