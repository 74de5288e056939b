"""The check and collector registries.

A check is one decorated function. Its parameters name the facts it needs (``python``,
``deliverables``, ``config``...), like pytest fixtures, and are annotated with their types; the
engine builds each fact once, through the collector whose return type it is, and only for the
checks that were selected. Decorators only declare: ``Registry.load`` collects the declarations from
an explicit list of modules (``gonogo.plugins``) and types every need, so a misspelt or mistyped
fact fails when the plugins load, naming the check and the parameter. A check yields
``fail(...)`` for each problem it sees, and may yield ``Metric`` and ``Table`` values; it raises
``NotApplicable`` or ``CannotTell`` when it has nothing to judge or could not gather its evidence.
"""

from __future__ import annotations

import difflib
import inspect
import re
import types
import typing
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, TypeVar, overload

from gonogo.grouping import Planner
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
    plan: Planner | None = None
    """How its findings group into the plan's actions; ``None``: one action for all of them."""
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
    sees: Callable[[Finding], Hashable] | None = None
    """What the function makes of a finding besides its severity and whether it is active, when
    that is all it reads (``security_metrics`` asks whether the rule is the unscanned one, not
    which rule it is): findings of one result alike in it move its metrics alike, so which findings
    block is worked out once per kind, not once per finding. ``None``: the function may read
    anything, and is asked about each finding."""
    pooled: Callable[[Counter[tuple[Any, ...]]], Mapping[str, float | None]] | None = None
    """With ``sees``: the function pools the findings of all its checks, so which check a finding
    is in does not matter to it (``security_metrics`` sums over every SAST check; the skip tally,
    which prefers a test run's skips to the static ones, is not pooled). It is then this function
    of how many findings of its checks have each view (:meth:`view`), whenever one of them ran
    and none could not tell; ``func`` calls it so (:func:`pooled_views`), so the two agree. Blocking
    then subtracts the views of the findings a fix resolves from the pool's, instead of calling
    ``func`` again over every finding: on site-packages, 12,000 findings were read 51 times."""

    def feeds(self, check_id: str) -> bool:
        return check_id.startswith(self.sources)

    def view(self, finding: Finding) -> tuple[Any, ...] | None:
        """What the function sees of ``finding``, or ``None`` when it has not said."""
        if self.sees is None:
            return None
        return seen_as(finding, self.sees)


def seen_as(finding: Finding, sees: Callable[[Finding], Hashable]) -> tuple[Any, ...]:
    """A finding as a tally that ``sees`` this of it sees it: its severity, whether it is active,
    and that."""
    return (finding.severity, finding.active, sees(finding))


def pooled_views(results: Iterable[CheckResult], sees: Callable[[Finding], Hashable]) -> Counter[tuple[Any, ...]]:
    """How many findings of ``results`` a pooled tally sees each way (``TallySpec.pooled``)."""
    return Counter(seen_as(finding, sees) for result in results for finding in result.findings)


PluginSpec = CheckSpec | CollectorSpec | TallySpec


class PluginError(Exception):
    """A plugin wired wrongly (an unknown or mistyped fact, a duplicate id): raised when the plugins
    load, naming the check or collector and the parameter, so it never becomes a quiet *unknown*
    at run time."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Need:
    """One parameter of a check or collector, resolved: the fact type it receives."""

    param: str
    kind: type
    optional: bool = False
    """Annotated ``Fact | None``: a refinement the function can do without. When the fact cannot
    be built it receives ``None`` and runs, rather than turning ``unknown``: a hostile file that
    breaks the manifests must not blind SEC003, which reads them only to lower one rule's severity."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GivenFact:
    """A fact the engine supplies rather than a collector (the workspace, the config...)."""

    name: str
    kind: type
    for_checks: bool
    """False for raw inputs (the workspace, the scan options, the notes): only collectors read them,
    so every check judges typed facts rather than re-reading files."""


_SPECS = "__gonogo_plugins__"
"""Attribute on a decorated function holding the specs its decorators declared."""


@dataclass(slots=True)
class Registry:
    """Checks, collectors and tallies, built from an explicit list of modules (``load``), never by
    a decorator writing into a global. ``resolve`` types every fact a check or collector asks for,
    so a mistake fails when the plugins load."""

    checks: dict[str, CheckSpec] = field(default_factory=dict)
    collectors: dict[str, CollectorSpec] = field(default_factory=dict)
    tallies: list[TallySpec] = field(default_factory=list)
    providers: dict[type, str] = field(default_factory=dict)
    """Fact type -> the name of what provides it (a collector, or a given fact)."""
    given: dict[type, GivenFact] = field(default_factory=dict)
    wiring: dict[Callable[..., Any], tuple[Need, ...]] = field(default_factory=dict)
    """Each check's and collector's function -> its resolved needs."""

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


    def add(self, spec: PluginSpec) -> None:
        """One check, collector or tally; a second one with the same id, name or metric is refused."""
        match spec:
            case CheckSpec(id=check_id):
                if check_id in self.checks:
                    raise PluginError(f"check id {check_id} is registered twice")
                self.checks[check_id] = spec
            case CollectorSpec(name=name):
                if name in self.collectors:
                    raise PluginError(f"collector {name!r} is registered twice")
                self.collectors[name] = spec
            case TallySpec(metrics=metrics):
                if any(t.func is spec.func for t in self.tallies):
                    raise PluginError(f"tally {spec.func.__name__} is registered twice")
                clash = sorted({m for t in self.tallies for m in t.metrics} & set(metrics))
                if clash:  # the later one would silently overwrite the earlier one's figures
                    raise PluginError(f"tally {spec.func.__name__} publishes {', '.join(clash)}, as another tally does")
                self.tallies.append(spec)

    def load(self, modules: Iterable[ModuleType], given: Iterable[GivenFact]) -> Registry:
        """Add every plugin the ``modules`` define (not those they import), then ``resolve``."""
        for module in modules:
            for value in list(vars(module).values()):
                if inspect.isfunction(value) and value.__module__ == module.__name__:
                    for spec in getattr(value, _SPECS, ()):
                        self.add(spec)
        self.resolve(given)
        return self

    def resolve(self, given: Iterable[GivenFact]) -> None:
        """Type every need: each collector provides the type its return annotation names (one
        provider per type); each parameter of a check or collector must name a provided fact and be
        annotated with its type. Raises ``PluginError`` naming the plugin and the parameter."""
        self.given = {fact.kind: fact for fact in given}
        self.providers = {kind: fact.name for kind, fact in self.given.items()}
        for spec in self.collectors.values():
            kind = _hints(spec.func, f"collector {spec.name!r}").get("return")
            if not isinstance(kind, type):
                raise PluginError(f"collector {spec.name!r} declares no return type (-> FactType)")
            if kind in self.providers:
                raise PluginError(
                    f"collector {spec.name!r} returns {kind.__name__}, which {self.providers[kind]!r} provides"
                )
            self.providers[kind] = spec.name
        for spec in self.collectors.values():
            self.wiring[spec.func] = self._needs(spec.func, f"collector {spec.name!r}", for_check=False)
        for check_spec in self.checks.values():
            self.wiring[check_spec.func] = self._needs(check_spec.func, check_spec.id, for_check=True)
        self._refuse_cycles()

    def needs_of(self, func: Callable[..., Any]) -> tuple[Need, ...]:
        return self.wiring[func]

    def _needs(self, func: Callable[..., Any], who: str, *, for_check: bool) -> tuple[Need, ...]:
        hints = _hints(func, who)
        needs = []
        for param in inspect.signature(func).parameters:
            kind, optional = _without_none(hints.get(param))
            needs.append(Need(param=param, kind=self._typed(param, kind, f"{who} parameter {param!r}", for_check),
                              optional=optional))
        return tuple(needs)

    def _typed(self, param: str, kind: Any, where: str, for_check: bool) -> type:
        """The fact type ``param`` receives: the name says which fact, the annotation its type,
        and both must agree with what a collector (or the engine) provides."""
        if not isinstance(kind, type):
            raise PluginError(f"{where}: annotate it with the fact type it needs")
        named = next((k for k, name in self.providers.items() if name == param), None)
        if named is not None and named is not kind:
            raise PluginError(f"{where}: annotated {kind.__name__}, but the {param!r} fact is a {named.__name__}")
        provider = self.providers.get(kind)
        if provider is None:
            known = ", ".join(sorted(f"{n}: {k.__name__}" for k, n in self.providers.items()))
            raise PluginError(f"{where}: no collector provides {kind.__name__} (known facts: {known})")
        if provider != param:
            raise PluginError(f"{where}: the {kind.__name__} fact is called {provider!r}; name the parameter so")
        fact = self.given.get(kind)
        if for_check and fact is not None and not fact.for_checks:
            raise PluginError(f"{where}: a check may not read the raw {param}; a collector turns it into a typed fact")
        return kind

    def _refuse_cycles(self) -> None:
        """A collector that needs itself, directly or not, would recurse at run time."""

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in path:
                raise PluginError(f"collector {name!r} needs itself: {' -> '.join((*path, name))}")
            spec = self.collectors.get(name)
            for need in self.wiring[spec.func] if spec is not None else ():
                visit(need.param, (*path, name))  # a parameter is named for its provider

        for name in self.collectors:
            visit(name, ())


REGISTRY = Registry()
"""The plugins gonogo ships, filled once by ``load_plugins()``."""


def _hints(func: Callable[..., Any], who: str) -> dict[str, Any]:
    """The function's annotations as types; a name that cannot be resolved is a load-time error."""
    try:
        return typing.get_type_hints(func)
    except Exception as exc:  # NameError and friends, from an annotation's text
        raise PluginError(f"{who}: its annotations cannot be resolved: {type(exc).__name__}: {exc}") from exc


def _without_none(annotation: Any) -> tuple[Any, bool]:
    """``(X, True)`` for an annotation ``X | None`` (``Optional[X]``), else ``(annotation, False)``."""
    members = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        others = [member for member in members if member is not type(None)]
        if len(others) == 1 and len(members) == 2:
            return others[0], True
    return annotation, False


def _declare(func: Callable[..., Any], spec: PluginSpec) -> None:
    setattr(func, _SPECS, (*getattr(func, _SPECS, ()), spec))


def check(
    check_id: str,
    title: str,
    *,
    category: Category,
    severity: Severity,
    counts: str | None = None,
    plan: Planner | None = None,
) -> Callable[[Callable[..., Iterable[CheckOutput]]], Callable[..., Iterable[CheckOutput]]]:
    """Declare a check. ``counts`` names the metric that holds the number of its active findings;
    ``plan`` is the function that groups its findings into actions (``gonogo.grouping``). The
    declaration sits on the function; ``Registry.load`` collects it from the module."""
    if not CHECK_ID.match(check_id) or not check_id.startswith(category.prefix):
        raise ValueError(f"check id {check_id!r} must be {category.prefix} plus three digits")

    def register(func: Callable[..., Iterable[CheckOutput]]) -> Callable[..., Iterable[CheckOutput]]:
        _declare(func, CheckSpec(
            id=check_id,
            title=title,
            category=category,
            severity=severity,
            func=func,
            needs=tuple(inspect.signature(func).parameters),
            counts=counts,
            plan=plan,
            doc=inspect.getdoc(func) or "",
        ))
        return func

    return register


def collector(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the function that builds the fact called ``name`` from other facts; the type its
    return annotation names is the fact's type, and no other collector may return it."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _declare(func, CollectorSpec(name=name, func=func, needs=tuple(inspect.signature(func).parameters)))
        return func

    return register


_BACKGROUND = "__gonogo_background__"


_Collector = TypeVar("_Collector", bound=Callable[..., Any])


@overload
def background(func: _Collector) -> _Collector: ...


@overload
def background(*, after: tuple[type, ...] = ()) -> Callable[[_Collector], _Collector]: ...


def background(
    func: _Collector | None = None, *, after: tuple[type, ...] = ()
) -> _Collector | Callable[[_Collector], _Collector]:
    """Mark a collector that may run in a thread while the scan goes on (``engine.Facts.prefetch``):
    ``@background``, or ``@background(after=(PythonFacts,))`` to start it only once those facts
    are built too, so its process pool does not compete with theirs for the cores but runs beside
    the checks, which use one. Its contract: it only reads the facts it is given and writes
    nothing shared but the workspace's hashes and stat index (which are locked) and progress; what
    it has to note it returns, for the collector that reads its fact to record in the scan's
    thread."""

    def mark(marked: _Collector) -> _Collector:
        setattr(marked, _BACKGROUND, after)
        return marked

    return mark if func is None else mark(func)


def runs_in_background(func: Callable[..., Any]) -> bool:
    return getattr(func, _BACKGROUND, None) is not None


def starts_after(func: Callable[..., Any]) -> tuple[type, ...]:
    """The facts a background collector waits for besides its needs (see :func:`background`)."""
    after: tuple[type, ...] = getattr(func, _BACKGROUND, None) or ()
    return after


def tally(
    *sources: str,
    metrics: tuple[str, ...],
    sees: Callable[[Finding], Hashable] | None = None,
    pooled: Callable[[Counter[tuple[Any, ...]]], Mapping[str, float | None]] | None = None,
) -> Callable[[Callable[[Sequence[CheckResult]], Mapping[str, float | None]]], Any]:
    """Declare a function from the results of the ``sources`` checks (id prefixes) to ``metrics``.
    It is called only when at least one source check was selected; it returns ``{}`` to publish
    nothing, or ``None`` values for metrics it could not measure. ``sees`` and ``pooled``: see
    ``TallySpec``."""

    def register(func: Callable[[Sequence[CheckResult]], Mapping[str, float | None]]) -> Any:
        _declare(func, TallySpec(sources=sources, metrics=metrics, func=func, sees=sees, pooled=pooled))
        return func

    return register


def load_plugins() -> Registry:
    """The shipped plugins, loaded and type-checked once (``gonogo.plugins`` lists them)."""
    from gonogo.plugins import load_shipped  # the list imports every plugin module, which import this one

    return load_shipped()


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
