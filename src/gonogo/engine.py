"""Facts in, results out: builds each fact once, through the collector that returns its type, and
runs one check over the facts it asks for.

Whatever breaks on the way (a collector that could not read its evidence, a check with a bug) turns
that check ``unknown`` with the reason, and the scan goes on. Which fact a parameter receives was
settled when the plugins loaded (``Registry.resolve``), so nothing here guesses by name.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from gonogo.model import CheckDoc, CheckResult, Finding, Outcome, Table, Waiver
from gonogo.registry import (
    CannotTell,
    CheckSpec,
    Failure,
    Metric,
    NotApplicable,
    Registry,
    Score,
    findings_from,
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

    def get(self, kind: type) -> Any:
        if kind in self._values:
            return self._values[kind]
        if kind in self._errors:
            raise FactError(self._errors[kind])
        name = self._registry.providers.get(kind)
        spec = self._registry.collectors.get(name or "")
        if spec is None:
            raise FactError(f"no collector provides {name or kind.__name__!r}")
        try:
            arguments = self.arguments(spec.func)  # built, and timed, before this collector starts
            with self._clock.collector(spec.name):
                value = spec.func(**arguments)
        except FactError as exc:
            self._errors[kind] = str(exc)
            raise
        except CannotTell as exc:
            self._errors[kind] = str(exc)
            raise FactError(str(exc)) from exc
        except Exception as exc:  # a collector bug must not end the scan
            self._errors[kind] = f"collector {name!r} failed: {type(exc).__name__}: {exc}"
            raise FactError(self._errors[kind]) from exc
        self._values[kind] = value
        return value

    def arguments(self, func: Callable[..., Any]) -> dict[str, Any]:
        """The keyword arguments ``func`` (a check or a collector) is called with."""
        return {need.param: self.get(need.kind) for need in self._registry.needs_of(func)}


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
