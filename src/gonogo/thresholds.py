"""The ``thresholds`` fact: the bars a check compares a measurement with, taken from the effective
gates (the profile's defaults with the config's ``[gates.NAME]`` changes applied).

The engine builds it from the very gate list it evaluates, so a check that judges a measurement
against a bar (RUN003: coverage) and the gate that reads the same metric can never disagree. A
check never reads the profile's table itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gonogo.model import Condition, Gate


@dataclass(frozen=True, slots=True, kw_only=True)
class GateCondition:
    gate: str
    condition: Condition


@dataclass(frozen=True, slots=True, kw_only=True)
class Thresholds:
    profile: str
    """The profile the gates started from, for messages."""
    conditions: tuple[GateCondition, ...]

    @classmethod
    def from_gates(cls, gates: Sequence[Gate], profile: str) -> Thresholds:
        return cls(
            profile=profile,
            conditions=tuple(
                GateCondition(gate=gate.name, condition=condition) for gate in gates for condition in gate.conditions
            ),
        )

    def on(self, metric: str) -> tuple[GateCondition, ...]:
        """Every gate condition on ``metric``, in gate order."""
        return tuple(c for c in self.conditions if c.condition.metric == metric)
