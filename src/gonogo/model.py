"""The shapes that flow through gonogo: findings, check results, gates, the decision, the report.

Everything here is a frozen, slotted, keyword-only dataclass or an enum, so a report that has been
built cannot change under a reporter's feet, and two runs over the same facts compare equal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

DIGEST = {"digest": True}
"""Field metadata: the value is a hash gonogo made (hex digits), which holds no scanned text, so
the redaction pass does not read it (``gonogo.redaction.scrub``): a large report has one per
finding, and each was a pattern search for nothing."""


class Severity(enum.Enum):
    """How bad a finding is. Ordered: ``CRITICAL`` is the worst."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical, 4 for info: sort ascending to put the worst first."""
        return _SEVERITY_RANK[self]

    @property
    def weight(self) -> float:
        """How much a check of this severity counts in an area score, and a finding in a penalty."""
        return _SEVERITY_WEIGHT[self.value]


_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}
_SEVERITY_WEIGHT = {"critical": 10.0, "high": 4.0, "medium": 2.0, "low": 1.0, "info": 0.25}
"""Sorting asks for a rank per finding many times: looked up, not searched for."""


class Outcome(enum.Enum):
    """What a check concluded. ``UNKNOWN`` means it could not tell, which is never a pass."""

    PASS = "pass"  # gonogo: ignore[SEC009] an outcome name, not a password
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


class Area(enum.Enum):
    """The areas a report scores, 0-100 each."""

    SECURITY = "security"
    TESTS = "tests"
    DEPENDENCIES = "dependencies"
    CONTAINERS = "containers"
    CODE_HEALTH = "code_health"
    DOCUMENTATION = "documentation"
    OBSERVABILITY = "observability"
    RUNTIME = "runtime"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Category(enum.Enum):
    """A family of checks. Its value is the id prefix every check of the family carries."""

    TESTS = "TEST"
    CODE = "CODE"
    DELIVERABLES = "DLV"
    DOCS = "DOC"
    DEPENDENCIES = "DEP"
    CONTAINERS = "IMG"
    CI = "CI"
    VULNERABILITIES = "VULN"
    SECURITY = "SEC"
    RUNTIME = "RUN"
    SERVICES = "SVC"
    OPERATIONS = "OPS"
    OBSERVABILITY = "OBS"
    MIGRATIONS = "MIG"
    CLAIMS = "CLM"  # judgements of a readiness document (gonogo verify), not scan checks

    @property
    def prefix(self) -> str:
        return self.value

    @property
    def area(self) -> Area:
        return _CATEGORY_AREA[self]


_CATEGORY_AREA = {
    Category.TESTS: Area.TESTS,
    Category.CODE: Area.CODE_HEALTH,
    Category.DELIVERABLES: Area.DOCUMENTATION,
    Category.DOCS: Area.DOCUMENTATION,
    Category.DEPENDENCIES: Area.DEPENDENCIES,
    Category.CONTAINERS: Area.CONTAINERS,
    Category.CI: Area.DEPENDENCIES,
    Category.VULNERABILITIES: Area.SECURITY,
    Category.SECURITY: Area.SECURITY,
    Category.RUNTIME: Area.RUNTIME,
    Category.SERVICES: Area.RUNTIME,
    Category.OPERATIONS: Area.CONTAINERS,
    Category.OBSERVABILITY: Area.OBSERVABILITY,
    Category.MIGRATIONS: Area.CODE_HEALTH,
    Category.CLAIMS: Area.DOCUMENTATION,
}


class Decision(enum.Enum):
    """The verdict: NO GO when a blocking gate fails; GO only when every gate passes on evidence;
    CONDITIONAL GO otherwise (a gate could not be measured, or a non-blocking gate fails).
    ``label`` is how reports print it."""

    GO = "GO"
    CONDITIONAL_GO = "CONDITIONAL_GO"
    NO_GO = "NO_GO"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class GateStatus(enum.Enum):
    """A gate's or a condition's state. ``UNKNOWN`` (a metric nobody measured) is never a pass."""

    PASS = "pass"  # gonogo: ignore[SEC009] an outcome name, not a password
    FAIL = "fail"
    UNKNOWN = "unknown"


class AreaStatus(enum.Enum):
    """An area's standing from the gates that touch it (``gonogo.certification``)."""

    READY = "READY"
    CONDITIONAL = "CONDITIONAL"
    BLOCKED = "BLOCKED"


class Effort(enum.Enum):
    """How big an action is, from the number of places it changes and the kind of change
    (``gonogo.effort`` states the rule)."""

    S = "S"
    M = "M"
    L = "L"


class Priority(enum.Enum):
    """P0 blocks a gate, P1 security or reproducibility, P2 maintenance, P3 nice to have."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """Where a finding is: a workspace-relative POSIX path (prefixed by the root's folder name when
    several roots are scanned), and a 1-based line when one applies."""

    path: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Waiver:
    """An accepted finding or check: who accepted it is in the config file's history, why is here."""

    check: str
    reason: str
    path: str | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One observed problem, with the evidence that shows it.

    ``key`` distinguishes findings of one check at one place (a package name, a skip kind); it feeds
    the fingerprint that baselines and SARIF use, so it must not contain line numbers.
    """

    check_id: str
    severity: Severity
    message: str
    location: Location | None = None
    evidence: str | None = None
    key: str = ""
    waived: Waiver | None = None
    suppressed: str | None = None
    data: tuple[tuple[str, Any], ...] = ()
    blocks: bool = False
    """Resolving this finding alone would change a metric of a failing blocking condition (set by
    the engine once the gates are known; see ``gonogo.blocking``)."""
    fingerprint: str = field(default="", metadata=DIGEST)
    """The finding's identity across code moves (``gonogo.fingerprint``), set by the engine where
    it reads the finding's source line; the baseline records it and SARIF reports it."""
    _by_name: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    """``data`` as a dictionary, made on the first ``get``: tallies and plans ask a finding for
    the same names over and over (whether a large report's findings block: millions of times)."""

    @property
    def active(self) -> bool:
        """Counts against gates: neither waived nor suppressed."""
        return self.waived is None and self.suppressed is None

    @property
    def path(self) -> str | None:
        return self.location.path if self.location else None

    @property
    def line(self) -> int | None:
        return self.location.line if self.location else None

    def get(self, name: str, default: Any = None) -> Any:
        """A named datum the check attached (``package``, ``count``...), for plans and reporters;
        the last pair wins, as in a dict built from them."""
        by_name = self._by_name
        if by_name is None:
            by_name = dict(self.data)
            object.__setattr__(self, "_by_name", by_name)  # a cache of the frozen data, not a change
        return by_name.get(name, default)


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """An expected-vs-actual (or any small) table a check wants shown, like seed 001's."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckDoc:
    """A check's documentation as reports show it: its function's name, its Why and its Fix.
    The result carries it so a reporter needs nothing but the report, never the registry."""

    name: str
    why: str = ""
    fix: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """What one check concluded, with its findings (waived and suppressed ones included), the
    tables it shows, its 0-100 score, and why it could not tell when its outcome is ``UNKNOWN``."""

    check_id: str
    title: str
    category: Category
    severity: Severity
    outcome: Outcome
    score: float | None
    findings: tuple[Finding, ...] = ()
    tables: tuple[Table, ...] = ()
    reason: str | None = None
    metrics: tuple[tuple[str, float | None], ...] = ()
    doc: CheckDoc | None = None

    @property
    def active_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.active)


class Operator(enum.Enum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="

    def holds(self, measured: float, threshold: float) -> bool:
        match self:
            case Operator.EQ:
                return measured == threshold
            case Operator.NE:
                return measured != threshold
            case Operator.LT:
                return measured < threshold
            case Operator.LE:
                return measured <= threshold
            case Operator.GT:
                return measured > threshold
            case Operator.GE:
                return measured >= threshold


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    metric: str
    operator: Operator
    threshold: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Gate:
    """A named set of conditions on metrics; every condition must hold for the gate to pass."""

    name: str
    conditions: tuple[Condition, ...]
    blocking: bool = True
    how_to_check: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionResult:
    condition: Condition
    measured: float | None
    status: GateStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class GateResult:
    """A gate with its status and each condition's measured value against its threshold."""

    gate: Gate
    status: GateStatus
    conditions: tuple[ConditionResult, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """A remediation step a person takes, with the findings it resolves and how to verify it."""

    priority: Priority
    title: str
    check_ids: tuple[str, ...]
    findings: tuple[Finding, ...]
    verify: str
    owner: str | None = None
    owner_source: str | None = None
    """Where the owner came from: ``CODEOWNERS``, or ``git log`` (the most frequent recent author)."""
    effort: Effort | None = None
    effort_rule: str = ""
    """Why this effort class: the places counted and the kind of change."""
    blocks_go: bool = False
    """Resolving it moves a failing condition of a failing blocking gate (then it is P0)."""
    wave: int = 1
    """1 for actions nothing must precede; an action comes one wave after what it depends on."""
    after: tuple[str, ...] = ()
    """Why it waits: the dependency rules that put it after another action's wave."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """Something the scan could not do or read, said plainly so silence is never taken as a pass."""

    message: str
    path: str | None = None
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RootInfo:
    name: str
    path: str
    commit: str | None = None
    web: str | None = None
    """Where the root's files can be read at ``commit`` on its forge (``gonogo.forge``), if known."""
    committed: str | None = None
    """When ``commit`` was made (ISO 8601), the date the evidence describes."""
    remote: str | None = None
    """The ``origin`` remote as an absolute URI with no credentials, when the root is a checkout of one."""
    branch: str | None = None
    dirty: bool | None = None
    """Uncommitted changes to tracked files when scanned; ``None`` outside git."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AreaVerdict:
    """One area's score and standing, and the gates it was judged by."""

    area: Area
    score: float | None
    status: AreaStatus
    gates: tuple[str, ...]
    """The gates that touch the area: one of their condition metrics is published by a check of it."""
    reason: str
    """Why this status, and why the score is unknown when it is."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LevelResult:
    """A maturity level: held when every gate of it and of the levels below passes."""

    name: str
    gates: tuple[str, ...]
    held: bool
    missing: tuple[str, ...]
    """What stands between the repository and this level: ``Gate (fail)`` for each gate of it or
    below that does not pass, ``Gate (not configured)`` for one the gate list lacks."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Risk:
    """A risk to the release, with likelihood and impact derived from the evidence cited."""

    title: str
    likelihood: str
    """``certain`` (measured), ``likely`` or ``possible`` (not measured, or measured with old data)."""
    impact: str
    """``high`` (stops the release), ``medium`` (a condition of it), ``low``."""
    evidence: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Certification:
    """The scores a reader certifies against: overall readiness, areas, maturity level, risks."""

    overall: float | None
    weights: tuple[tuple[Area, float], ...]
    formula: str
    areas: tuple[AreaVerdict, ...]
    levels: tuple[LevelResult, ...] = ()
    risks: tuple[Risk, ...] = ()

    @property
    def level(self) -> str | None:
        """The highest level held, or ``None`` when not even the first is."""
        held = [level.name for level in self.levels if level.held]
        return held[-1] if held else None

    @property
    def next_level(self) -> LevelResult | None:
        return next((level for level in self.levels if not level.held), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendPoint:
    """One recorded run, for the trend charts: its decision, overall score, area scores and
    active findings."""

    when: str
    """``YYYY-MM-DD HH:MM`` (UTC)."""
    decision: str
    overall: float | None
    active_findings: int | None
    scores: tuple[tuple[str, float | None], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SinceLastRun:
    """What changed since the previous recorded run of this repository (``gonogo diff`` in short),
    regressions first. Filled by the CLI from the history; a library caller leaves it ``None``."""

    previous: str
    decision_before: str
    regressions: tuple[str, ...]
    improvements: tuple[str, ...]
    trend: tuple[TrendPoint, ...] = ()
    """The recorded runs before this one, oldest first (at most ``TREND_RUNS``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Everything one scan found, as every reporter renders it: the decision and the gates behind
    it, the metrics they read, scores per area, each check's result, the plan, and what the scan
    could not read (``notes``)."""

    decision: Decision
    gates: tuple[GateResult, ...]
    metrics: dict[str, float | None]
    scores: dict[Area, float | None]
    checks: tuple[CheckResult, ...]
    plan: tuple[Action, ...]
    notes: tuple[Note, ...] = ()
    roots: tuple[RootInfo, ...] = ()
    profile: str = "standard"
    tool_version: str = ""
    data_versions: dict[str, str] = field(default_factory=dict)
    duration_seconds: float | None = None
    scanned_at: datetime | None = None
    """When the scan ran, in UTC."""
    valid_until: datetime | None = None
    """When the decision stops holding: the profile's ``valid_days`` (or the config's) after the scan."""
    certification: Certification | None = None
    since: SinceLastRun | None = None
    timings: dict[str, dict[str, float]] = field(default_factory=dict)
    """Seconds by stage and by collector (``gonogo.timings``); like the duration, never stable."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for result in self.checks for f in result.findings)

    @property
    def checks_ran(self) -> int:
        return sum(r.outcome in (Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN) for r in self.checks)

    @property
    def checks_passed(self) -> int:
        return sum(r.outcome is Outcome.PASS for r in self.checks)

    @property
    def checks_passed_percent(self) -> float | None:
        return round(100 * self.checks_passed / self.checks_ran, 1) if self.checks_ran else None
