"""The shape every service probe returns: what was asked, what came back, how long it took."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeResult:
    """One probe of one service. ``ok`` is the probe's verdict on its own expectation."""

    name: str
    kind: str
    target: str
    """The URL or address probed, with any password redacted."""
    ok: bool
    latency_ms: float | None
    evidence: str
    """What was sent and what came back: ``GET http://... -> 200 in 12.3 ms``."""
    error: str | None = None
    status: int | None = None
    max_latency_ms: float | None = None

    @property
    def slow(self) -> bool:
        """Answered, but later than its declared limit."""
        return (
            self.ok
            and self.max_latency_ms is not None
            and self.latency_ms is not None
            and self.latency_ms > self.max_latency_ms
        )


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)
