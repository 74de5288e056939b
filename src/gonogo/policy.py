"""Default gates per profile, and the config's changes to them.

Checks state how bad a finding is; this module states what blocks a release. A profile sets the bar
by how critical the service is: ``critical`` (a payment API), ``standard``, ``prototype``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gonogo.config import Config, ConfigError
from gonogo.model import Condition, Gate, Operator


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    name: str
    strict: bool
    lenient: bool
    coverage_percent: float
    p95_ms: float
    p99_ms: float
    error_rate: float
    advisory_max_age_days: int
    """Advisory data older than this cannot clear the Security gate: advisories published since
    are missing from it."""
    valid_days: int
    """How long a decision of this profile holds (``gonogo status``)."""


PROFILES = {
    "critical": Profile(
        name="critical", strict=True, lenient=False, coverage_percent=80, p95_ms=200, p99_ms=500,
        error_rate=0.001, advisory_max_age_days=7, valid_days=7,
    ),
    "standard": Profile(
        name="standard", strict=False, lenient=False, coverage_percent=60, p95_ms=500, p99_ms=1000,
        error_rate=0.01, advisory_max_age_days=30, valid_days=30,
    ),
    "prototype": Profile(
        name="prototype", strict=False, lenient=True, coverage_percent=0, p95_ms=2000, p99_ms=5000,
        error_rate=0.05, advisory_max_age_days=90, valid_days=90,
    ),
}


def when(metric: str, operator: str, threshold: float) -> Condition:
    return Condition(metric=metric, operator=Operator(operator), threshold=threshold)


def default_gates(profile: Profile) -> list[Gate]:
    """The gates of the seeds: security, no skipped tests, build reproducibility, documentation;
    then the runtime gates, which stay unknown until something was run or probed."""
    return [*static_gates(profile), *runtime_gates(profile)]


def static_gates(profile: Profile) -> list[Gate]:
    """Gates a static scan of the files can decide."""
    return [
        _security_gate(profile),
        Gate(
            name="Test integrity",
            blocking=not profile.lenient,
            conditions=(when("tests.files", ">=", 1), *_skip_conditions(profile)),
            how_to_check="gonogo check --select TEST",
        ),
        Gate(
            name="Test quality",
            blocking=profile.strict,
            conditions=(
                when("tests.without_assertions", "==", 0),
                when("tests.xfail", "==", 0),
            ),
            how_to_check="gonogo check --select TEST",
        ),
        Gate(
            name="Deliverables",
            blocking=not profile.lenient,
            conditions=(when("deliverables.missing", "==", 0), when("docs.broken_references", "==", 0)),
            how_to_check="gonogo check --select DLV,DOC",
        ),
        Gate(
            name="Code health",
            blocking=profile.strict,
            conditions=(
                when("code.unparsable_files", "==", 0),
                when("code.stubs", "==", 0),
                when("code.long_functions", "==", 0),
            ),
            how_to_check="gonogo check --select CODE",
        ),
        _operations_gate(profile),
        Gate(
            name="Build reproducibility",
            blocking=True,
            conditions=(
                when("deps.undeclared", "==", 0),
                when("deps.unreadable_manifests", "==", 0),
                when("images.floating", "==", 0),
            ),
            how_to_check="gonogo check --select DEP,IMG",
        ),
    ]


def _security_gate(profile: Profile) -> Gate:
    return Gate(
        # unknown while dependencies cannot be audited or no advisory data is present; a
        # vulnerability of unknown severity (most PyPA advisories carry no CVSS) is not taken
        # as mild; a critical service also refuses medium ones
        name="Security",
        blocking=not profile.lenient,
        conditions=(
            when("vulns.critical", "==", 0),
            when("vulns.high", "==", 0),
            when("vulns.unknown_severity", "==", 0),
            *((when("vulns.medium", "==", 0),) if profile.strict else ()),
            # counts made with stale advisory data miss what was published since
            when("vulns.data_age_days", "<=", profile.advisory_max_age_days),
            # code: no sure high-severity SAST finding, no committed credential
            when("security.high_high_confidence", "==", 0),
            when("secrets.found", "==", 0),
        ),
        how_to_check="gonogo db update && gonogo check --select VULN,SEC",
    )


def _operations_gate(profile: Profile) -> Gate:
    return Gate(
        # deployment manifests and the service's health signals; a rule that cannot be precise
        # (compose limits, structured logs, tracing, monitoring) publishes no metric here
        name="Operational readiness",
        blocking=profile.strict,
        conditions=(
            when("ops.probes_missing", "==", 0),
            when("ops.resources_missing", "==", 0),
            when("ops.host_access", "==", 0),
            when("ops.compose_privileged", "==", 0),
            when("ops.compose_plain_secrets", "==", 0),
            when("obs.health_endpoint_missing", "==", 0),
            when("migrations.heads_extra", "==", 0),
            when("migrations.broken_chain", "==", 0),
            when("migrations.conflicts", "==", 0),
            # live, opt-in (a service's metrics URL, check_migrations): 0 when none declared
            when("obs.metrics_unscrapable", "==", 0),
            when("migrations.pending", "==", 0),
        ),
        how_to_check="gonogo check --select OPS,OBS,MIG --probe",
    )


def _skip_conditions(profile: Profile) -> tuple[Condition, ...]:
    """A critical service allows no skipped test at all; a standard one no unconditional skip (a
    skip on a platform or an optional dependency runs where that holds); a prototype no bar."""
    if profile.strict:
        return (when("tests.skipped", "==", 0),)
    if profile.lenient:
        return ()
    return (when("tests.skipped.unconditional", "==", 0),)


def runtime_gates(profile: Profile) -> list[Gate]:
    """Gates on measurements of running things: ``--run-tests`` and ``--probe``."""
    return [
        Gate(
            # unknown unless the suite was run: `--run-tests` executes the repository's code
            name="Tests pass",
            blocking=True,
            conditions=(
                when("tests.run.failed", "==", 0),
                when("tests.run.errors", "==", 0),
                when("coverage.percent", ">=", profile.coverage_percent),
            ),
            how_to_check="gonogo check --run-tests --python .venv/bin/python --select RUN",
        ),
        Gate(
            # unknown unless the declared services were probed (`--probe`)
            name="Services healthy",
            blocking=not profile.lenient,
            conditions=(
                when("services.down", "==", 0),
                when("api.server_errors", "==", 0),
                when("api.schema_violations", "==", 0),
            ),
            how_to_check="gonogo check --probe --select SVC",
        ),
        Gate(
            # unknown unless a bounded load was applied ([services.NAME.load] and `--probe`)
            name="Performance SLO",
            blocking=profile.strict,
            conditions=(
                when("latency.p95_ms", "<=", profile.p95_ms),
                when("latency.p99_ms", "<=", profile.p99_ms),
                when("load.error_rate", "<=", profile.error_rate),
            ),
            how_to_check="gonogo check --probe --select SVC",
        ),
    ]


def gates_for(config: Config) -> list[Gate]:
    """The profile's gates with the config's ``[gates.NAME]`` changes applied, in a stable order."""
    gates = {gate.name: gate for gate in default_gates(PROFILES[config.profile])}
    for name, setting in config.gates.items():
        if not setting.enabled:
            gates.pop(name, None)
            continue
        current = gates.get(name)
        if current is None and not setting.conditions:
            raise ConfigError(config.source or "<config>", f"gates.{name}", "a new gate needs conditions")
        conditions = (
            tuple(Condition(metric=c.metric, operator=c.op, threshold=c.threshold) for c in setting.conditions)
            if setting.conditions
            else current.conditions  # type: ignore[union-attr]
        )
        blocking = setting.blocking if setting.blocking is not None else (current.blocking if current else True)
        gates[name] = Gate(
            name=name,
            conditions=conditions,
            blocking=blocking,
            how_to_check=current.how_to_check if current else "",
        )
    return list(gates.values())


DEFAULT_LEVELS: dict[str, tuple[str, ...]] = {
    # what a release cannot do without: no known vulnerability or credential, tests that run,
    # a build that gives the same thing twice
    "Bronze": ("Security", "Test integrity", "Build reproducibility"),
    # what it promises holds: the deliverables exist, the suite passes and can fail
    "Silver": ("Deliverables", "Tests pass", "Test quality"),
    # how it runs: code kept small, deployments that heal and are watched, services measured
    "Gold": ("Code health", "Operational readiness", "Services healthy", "Performance SLO"),
}
"""Maturity levels, lowest first, each the gates it adds to the levels below (``levels`` in the
config replaces them). A repository holds a level when every gate of it and below passes."""


def levels_for(config: Config) -> dict[str, tuple[str, ...]]:
    if config.levels is None:
        return dict(DEFAULT_LEVELS)
    return {name: tuple(gates) for name, gates in config.levels.items()}


def valid_days_for(config: Config) -> int:
    """How long a decision holds: the config's ``valid_days``, else the profile's."""
    return config.valid_days or PROFILES[config.profile].valid_days


def valid_until(config: Config, scanned_at: datetime) -> datetime:
    """When a decision made at ``scanned_at`` stops holding (:func:`valid_days_for` later)."""
    return scanned_at + timedelta(days=valid_days_for(config))
