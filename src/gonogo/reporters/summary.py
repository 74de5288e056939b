"""The sentences every human-facing reporter shares: why the decision, and what was not checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from gonogo.model import ConditionResult, GateResult, GateStatus, Outcome, Report

Quote = Callable[[str], str]
"""How a reporter makes untrusted text (a gate or metric name from the config, a note about a file)
safe where it is shown: Markdown escapes it, the terminal shows it as plain text."""


def _as_is(text: str) -> str:
    return text


def number(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"{value:g}" if value != int(value) else f"{int(value):,}"


def condition_text(result: ConditionResult, quote: Quote = _as_is) -> str:
    c = result.condition
    return f"{quote(c.metric)} = {number(result.measured)} (needs {c.operator.value} {number(c.threshold)})"


def failed_conditions(gate: GateResult) -> list[ConditionResult]:
    return [c for c in gate.conditions if c.status is not GateStatus.PASS]


def why(report: Report, quote: Quote = _as_is) -> str:
    """One paragraph: the blocking gates that failed or are unknown, with measured values."""
    failing = [g for g in report.gates if g.gate.blocking and g.status is GateStatus.FAIL]
    unknown = [g for g in report.gates if g.gate.blocking and g.status is GateStatus.UNKNOWN]
    soft = [g for g in report.gates if not g.gate.blocking and g.status is not GateStatus.PASS]
    parts: list[str] = []
    if failing:
        parts.append("Blocking gates failed: " + "; ".join(_gate_reason(g, quote) for g in failing) + ".")
    if unknown:
        parts.append("Blocking gates not measured: " + ", ".join(quote(g.gate.name) for g in unknown) + ".")
    if soft:
        parts.append("Non-blocking gates not passing: " + ", ".join(quote(g.gate.name) for g in soft) + ".")
    if not parts:
        parts.append(f"All {len(report.gates)} gates passed on evidence.")
    return " ".join(parts)


def _gate_reason(gate: GateResult, quote: Quote) -> str:
    return f"{quote(gate.gate.name)} ({', '.join(condition_text(c, quote) for c in failed_conditions(gate))})"


def not_checked(report: Report, quote: Quote = _as_is, code: Quote = _as_is) -> Iterator[str]:
    """What silence must not be mistaken for: unknown gates and checks, and what could not be read.
    ``quote`` and ``code`` make the untrusted parts safe as prose and as a command."""
    for gate in report.gates:
        if gate.status is GateStatus.UNKNOWN:
            metrics = ", ".join(quote(c.condition.metric) for c in gate.conditions if c.measured is None)
            hint = f"; to check: {code(gate.gate.how_to_check)}" if gate.gate.how_to_check else ""
            yield f"Gate **{quote(gate.gate.name)}** is unknown: no measurement of {metrics}{hint}"
    for result in report.checks:
        if result.outcome is Outcome.UNKNOWN:
            yield f"{result.check_id} {quote(result.title)}: could not tell ({quote(result.reason or '')})"
    for note in report.notes:
        where = f"{quote(note.path)}: " if note.path else ""
        yield f"{where}{quote(note.message)}"
