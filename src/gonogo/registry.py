"""The check and collector registries.

A check is one decorated function. Its parameters name the facts it needs (``python``,
``deliverables``, ``config``...), like pytest fixtures; the engine builds each fact once, through the
collector registered under that name, and only for the checks that were selected. A check yields
``fail(...)`` for each problem it sees, and may yield ``Metric`` and ``Table`` values; it raises
``NotApplicable`` or ``CannotTell`` when it has nothing to judge or could not gather its evidence.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gonogo.model import Category, CheckResult, Finding, Location, Severity, Table

CHECK_ID = re.compile(r"^[A-Z]{2,6}\d{3}$")


class NotApplicable(Exception):
    """Raised by a check with nothing to judge (no Dockerfile, no deliverables declared)."""


class CannotTell(Exception):
    """Raised by a check or collector whose evidence could not be gathered. Never a pass."""


class SelectionError(ValueError):
    """A ``select`` prefix that names no check, or a selection that leaves none to run. Running
    nothing would report "0 of 0 passed" and let a typo pass a gate, so it is an error instead."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """What a check yields for one problem; the engine completes it into a ``Finding``."""

    message: str
    at: Location | None = None
    severity: Severity | None = None
    evidence: str | None = None
    key: str = ""
    data: tuple[tuple[str, Any], ...] = ()


def fail(
    message: str,
    *,
    at: Location | None = None,
    severity: Severity | None = None,
    evidence: str | None = None,
    key: str = "",
    **data: Any,
) -> Failure:
    """One problem observed. ``severity`` overrides the check's default for this finding only."""
    return Failure(
        message=message,
        at=at,
        severity=severity,
        evidence=evidence,
        key=key,
        data=tuple(sorted(data.items())),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Metric:
    """A named number a check publishes for gates (``tests.files``); ``None`` means unknown."""

    name: str
    value: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    """Overrides the score computed from findings, when a check knows its population."""

    value: float


CheckOutput = Failure | Metric | Table | Score


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckSpec:
    id: str
    title: str
    category: Category
    severity: Severity
    func: Callable[..., Iterable[CheckOutput]]
    needs: tuple[str, ...]
    counts: str | None = None
    doc: str = ""

    @property
    def why(self) -> str:
        return _doc_section(self.doc, "Why")

    @property
    def fix(self) -> str:
        return _doc_section(self.doc, "Fix")


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectorSpec:
    name: str
    func: Callable[..., Any]
    needs: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TallySpec:
    """Metrics computed from the results of several checks, after waivers, suppressions and the
    baseline have marked their findings (``security.high`` over every SAST check's active
    findings). ``sources`` are check id prefixes; the plan treats those checks as feeding the
    metrics, so an action that fixes them can be P0 when a gate on the metrics fails."""

    sources: tuple[str, ...]
    metrics: tuple[str, ...]
    func: Callable[[Sequence[CheckResult]], Mapping[str, float | None]]

    def feeds(self, check_id: str) -> bool:
        return check_id.startswith(self.sources)


@dataclass(slots=True)
class Registry:
    checks: dict[str, CheckSpec] = field(default_factory=dict)
    collectors: dict[str, CollectorSpec] = field(default_factory=dict)
    tallies: list[TallySpec] = field(default_factory=list)

    def select(self, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> list[CheckSpec]:
        """Checks whose id starts with a ``select`` prefix (all when empty) and no ``ignore`` one."""
        chosen = [
            spec
            for spec in self.checks.values()
            if (not select or spec.id.startswith(tuple(select)))
            and not spec.id.startswith(tuple(ignore) or ("\0",))
        ]
        return sorted(chosen, key=lambda spec: spec.id)

    def selected(self, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> list[CheckSpec]:
        """``select()`` that refuses a prefix matching no check, and a selection left empty,
        naming the closest ids so a typo (``--select SEC12``) is fixed rather than passed."""
        for prefix in select:
            if not any(check_id.startswith(prefix) for check_id in self.checks):
                raise SelectionError(f"select {prefix!r} matches no check{self._closest(prefix)}; "
                                     "`gonogo list-checks` lists them")
        chosen = self.select(select, ignore)
        if not chosen:
            raise SelectionError(f"select {list(select)} with ignore {list(ignore)} leaves no check to run")
        return chosen

    def _closest(self, prefix: str) -> str:
        prefixes = {check_id.rstrip("0123456789") for check_id in self.checks}
        close = difflib.get_close_matches(prefix.upper(), sorted(prefixes | set(self.checks)), n=3, cutoff=0.6)
        return f" (did you mean {', '.join(close)}?)" if close else ""


REGISTRY = Registry()


def check(
    check_id: str,
    title: str,
    *,
    category: Category,
    severity: Severity,
    counts: str | None = None,
) -> Callable[[Callable[..., Iterable[CheckOutput]]], Callable[..., Iterable[CheckOutput]]]:
    """Register a check. ``counts`` names the metric that holds the number of its active findings."""
    if not CHECK_ID.match(check_id) or not check_id.startswith(category.prefix):
        raise ValueError(f"check id {check_id!r} must be {category.prefix} plus three digits")

    def register(func: Callable[..., Iterable[CheckOutput]]) -> Callable[..., Iterable[CheckOutput]]:
        if check_id in REGISTRY.checks:
            raise ValueError(f"check id {check_id} is registered twice")
        REGISTRY.checks[check_id] = CheckSpec(
            id=check_id,
            title=title,
            category=category,
            severity=severity,
            func=func,
            needs=tuple(inspect.signature(func).parameters),
            counts=counts,
            doc=inspect.getdoc(func) or "",
        )
        return func

    return register


def collector(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the function that builds the fact called ``name`` from other facts."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY.collectors:
            raise ValueError(f"collector {name!r} is registered twice")
        REGISTRY.collectors[name] = CollectorSpec(
            name=name, func=func, needs=tuple(inspect.signature(func).parameters)
        )
        return func

    return register


def tally(
    *sources: str, metrics: tuple[str, ...]
) -> Callable[[Callable[[Sequence[CheckResult]], Mapping[str, float | None]]], Any]:
    """Register a function from the results of the ``sources`` checks (id prefixes) to ``metrics``.
    It is called only when at least one source check was selected; it returns ``{}`` to publish
    nothing, or ``None`` values for metrics it could not measure."""

    def register(func: Callable[[Sequence[CheckResult]], Mapping[str, float | None]]) -> Any:
        REGISTRY.tallies.append(TallySpec(sources=sources, metrics=metrics, func=func))
        return func

    return register


_PLUGIN_PACKAGES = ("gonogo.collectors", "gonogo.checks", "gonogo.probes")
_loaded = False


def load_plugins() -> Registry:
    """Import every module of the plugin packages once, so their decorators run."""
    global _loaded
    if not _loaded:
        for package_name in _PLUGIN_PACKAGES:
            package = importlib.import_module(package_name)
            for module in pkgutil.iter_modules(package.__path__, prefix=f"{package_name}."):
                importlib.import_module(module.name)
        _loaded = True
    return REGISTRY


DOC_HEADINGS = ("Why", "Fix")


def _doc_section(doc: str, heading: str) -> str:
    """The text after ``Heading:`` in a check's docstring, up to the next heading."""
    # only Why and Fix end a section: a line that happens to start with "too: " is prose
    match = re.search(rf"(?ms)^{heading}:\s*(.*?)(?=^(?:{'|'.join(DOC_HEADINGS)}):\s|\Z)", doc)
    return " ".join(match.group(1).split()) if match else ""


def findings_from(spec: CheckSpec, failures: Iterable[Failure]) -> Iterator[Finding]:
    """Complete a check's failures into findings carrying its id and default severity."""
    for failure in failures:
        yield Finding(
            check_id=spec.id,
            severity=failure.severity or spec.severity,
            message=failure.message,
            location=failure.at,
            evidence=failure.evidence,
            key=failure.key,
            data=failure.data,
        )
