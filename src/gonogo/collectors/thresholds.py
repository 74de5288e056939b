"""The ``thresholds`` fact: the bars a check compares a measurement with, read from the effective
gates (the profile's defaults with the config's ``[gates.NAME]`` changes applied).

A check that judges a measurement against a threshold (RUN003: coverage) takes it from here, not
from the profile, so the check and the gate that reads the same metric can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from gonogo.config import Config
from gonogo.model import Condition
from gonogo.policy import gates_for
from gonogo.registry import collector


@dataclass(frozen=True, slots=True, kw_only=True)
class GateCondition:
    gate: str
    condition: Condition


@dataclass(frozen=True, slots=True, kw_only=True)
class Thresholds:
    conditions: tuple[GateCondition, ...]

    def on(self, metric: str) -> tuple[GateCondition, ...]:
        """Every gate condition on ``metric``, in gate order."""
        return tuple(c for c in self.conditions if c.condition.metric == metric)


@collector("thresholds")
def thresholds(config: Config) -> Thresholds:
    return Thresholds(
        conditions=tuple(
            GateCondition(gate=gate.name, condition=condition)
            for gate in gates_for(config)
            for condition in gate.conditions
        )
    )
