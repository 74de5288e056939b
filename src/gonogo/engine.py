"""Facts in, results out: builds each fact once, through the collector that returns its type, and
runs one check over the facts it asks for.

Whatever breaks on the way (a collector that could not read its evidence, a check with a bug) turns
that check ``unknown`` with the reason, and the scan goes on. Which fact a parameter receives was
settled when the plugins loaded (``Registry.resolve``), so nothing here guesses by name.

A collector marked ``registry.background`` (one that mostly waits on a subprocess, such as ruff) may
run in a thread of its own: once :meth:`Facts.prefetch` knows a selected check needs it, it starts
as soon as every fact it needs is built, and the checks before the one that asks for it run
meanwhile. Its result, or its error, is the same as if it had been built when asked.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, NoReturn

from gonogo.model import CheckDoc, CheckResult, Finding, Outcome, Table, Waiver
from gonogo.registry import (
    CannotTell,
    CheckSpec,
    Failure,
    Metric,
    Need,
    NotApplicable,
    Registry,
    Score,
    findings_from,
    runs_in_background,
    starts_after,
)
from gonogo.timings import StageClock
from gonogo.verdict import check_score
from gonogo.waivers import waived


class FactError(Exception):
    """A fact could not be built; every check that needs it is ``unknown`` for this reason."""


class Facts:
    """Builds facts by type, once each, from the registered collectors and the given values."""

    def __init__(
        self, registry: Registry, given: Iterable[object] = (), clock: StageClock | None = None, **named: object
    ) -> None:
        """``given`` values stand for the fact of their type; ``named`` ones for the fact of that
        name (``python=...``), which is how a test hands a check hand-built facts. ``clock``
        times each collector's own work (``gonogo.timings``)."""
        self._registry = registry
        self._clock = clock or StageClock()
        self._values: dict[type, Any] = {type(value): value for value in given}
        kinds = {name: kind for kind, name in registry.providers.items()}
        for name, value in named.items():
            if name not in kinds:
                raise FactError(f"no collector provides {name!r}")
            self._values[kinds[name]] = value
        self._errors: dict[type, str] = {}
        self._waiting: set[str] = set()
        """Background collectors a selected check needs, not started yet."""
        self._running: dict[type, tuple[str, Future[tuple[Any, float, float]]]] = {}

    def prefetch(self, checks: Iterable[CheckSpec]) -> None:
        """Let the background collectors these checks need start as soon as their needs are built."""
        needed = self._collectors_for(checks)
        self._waiting = {name for name in needed if runs_in_background(self._registry.collectors[name].func)}
        self._start_ready()

    def foreground_first(self, checks: Sequence[CheckSpec]) -> list[CheckSpec]:
        """``checks`` in the order to run them: first those that need no background collector
        (directly or through other facts), so they run while the background ones do; then the
        rest. Each part keeps the given order; checks are pure, so the order changes no result."""
        background = self._waiting | {name for name, _ in self._running.values()}
        # a stable sort: False (waits for none) first, each part in the given order
        return sorted(checks, key=lambda spec: not self._collectors_for([spec]).isdisjoint(background))

    def get(self, kind: type) -> Any:
        if kind in self._values:
            return self._values[kind]
        if kind in self._errors:
            raise FactError(self._errors[kind])
        if kind in self._running:
            return self._join(kind)
        name = self._registry.providers.get(kind)
        spec = self._registry.collectors.get(name or "")
        if spec is None:
            raise FactError(f"no collector provides {name or kind.__name__!r}")
        self._waiting.discard(spec.name)
        try:
            arguments = self.arguments(spec.func)  # built, and timed, before this collector starts
            with self._clock.collector(spec.name):
                value = spec.func(**arguments)
        except Exception as exc:
            self._failed(kind, name, exc)
        self._values[kind] = value
        self._start_ready()
        return value

    def _failed(self, kind: type, name: str | None, exc: Exception) -> NoReturn:
        """Record why the fact could not be built, and raise that as a ``FactError``."""
        if isinstance(exc, FactError):
            self._errors[kind] = str(exc)
            raise exc
        # a collector bug must not end the scan: it is this fact's error like any other
        message = str(exc) if isinstance(exc, CannotTell) else f"collector {name!r} failed: {type(exc).__name__}: {exc}"
        self._errors[kind] = message
        raise FactError(message) from exc

    def _collectors_for(self, checks: Iterable[CheckSpec]) -> set[str]:
        """The names of every collector the checks need, directly or through other facts."""
        found: set[str] = set()
        pending = [need.kind for spec in checks for need in self._registry.needs_of(spec.func)]
        while pending:
            name = self._registry.providers.get(pending.pop())
            spec = self._registry.collectors.get(name or "")
            if spec is not None and spec.name not in found:
                found.add(spec.name)
                pending.extend(need.kind for need in self._registry.needs_of(spec.func))
        return found

    def _start_ready(self) -> None:
        """Start each waiting background collector whose needs are all built. One that waits for
        facts besides its needs (``background(after=...)``) has its needs built here, in the
        scan's thread, as soon as those are: a need that fails leaves it to be built, and fail
        the same way, when a check asks for it."""
        for name in sorted(self._waiting):
            if name not in self._waiting:
                continue  # started while a need of another one was built
            spec = self._registry.collectors[name]
            after = starts_after(spec.func)
            needs = self._registry.needs_of(spec.func)
            unbuilt = [need.kind for need in needs if need.kind not in self._values]
            if any(kind not in self._values for kind in after) or (unbuilt and not after):
                continue
            self._waiting.discard(name)
            try:
                for kind in unbuilt:
                    self.get(kind)
            except FactError:
                continue
            kind = next(kind for kind, provider in self._registry.providers.items() if provider == name)
            arguments = {need.param: self._values[need.kind] for need in needs}
            self._running[kind] = (name, _start(spec.func, arguments))

    def _join(self, kind: type) -> Any:
        """The background collector's result, waited for (the wait is its stage's time, not the
        checks'); its own time in the thread is recorded as its collector's."""
        name, future = self._running.pop(kind)
        with self._clock.waiting(name):
            try:
                value, started, ended = future.result()
            except Exception as exc:
                self._clock.background(name, *getattr(exc, "ran", (0.0, 0.0)))
                self._failed(kind, name, exc)
        self._clock.background(name, started, ended)
        self._values[kind] = value
        self._start_ready()
        return value

    def arguments(self, func: Callable[..., Any]) -> dict[str, Any]:
        """The keyword arguments ``func`` (a check or a collector) is called with; ``None`` for an
        optional need (``Need.optional``) whose fact could not be built."""
        return {need.param: self._argument(need) for need in self._registry.needs_of(func)}

    def _argument(self, need: Need) -> Any:
        if not need.optional:
            return self.get(need.kind)
        try:
            return self.get(need.kind)
        except FactError:
            return None


def _start(func: Callable[..., Any], arguments: dict[str, Any]) -> Future[tuple[Any, float, float]]:
    """Run ``func`` in a daemon thread (a scan that ends early does not wait for it); the future
    holds its result with when it started and ended, or its exception with those in ``ran``."""
    future: Future[tuple[Any, float, float]] = Future()

    def run() -> None:
        started = time.perf_counter()
        try:
            value = func(**arguments)
        except BaseException as exc:  # handed to the scan's thread, which judges it as get() does
            exc.ran = (started, time.perf_counter())  # type: ignore[attr-defined]
            future.set_exception(exc)
            return
        future.set_result((value, started, time.perf_counter()))

    threading.Thread(target=run, name=f"gonogo-{getattr(func, '__name__', 'collector')}", daemon=True).start()
    return future


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
        for item in spec.func(**facts.arguments(spec.func)) or ():
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
    findings = tuple(waived(f, waivers) for f in findings_from(spec, failures))
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
        doc=CheckDoc(name=spec.func.__name__, why=spec.why, fix=spec.fix),
    )
