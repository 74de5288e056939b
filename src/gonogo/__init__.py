"""gonogo: an evidence-based production-readiness gate.

``scan(paths)`` reads one or more repositories and returns a ``Report``: a GO, CONDITIONAL GO or
NO-GO decision, the gates behind it, scores per area, every finding with its evidence, and a plan::

    from gonogo import scan

    report = scan(["."])
    print(report.decision.label)

The names in ``__all__`` are the public API; every other module is an implementation detail that
may change between releases. They are imported on first use, so ``import gonogo`` stays cheap for
a caller that needs only one of them (the engine and its plugins load with ``scan``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # what a type checker and an editor see; at run time __getattr__ below imports them
    from gonogo.api import NothingToScan, scan
    from gonogo.config import Config, ConfigError, load_config
    from gonogo.model import (
        Action,
        Area,
        Category,
        CheckResult,
        Decision,
        Finding,
        GateResult,
        GateStatus,
        Location,
        Note,
        Outcome,
        Priority,
        Report,
        Severity,
    )
    from gonogo.options import ScanOptions

__all__ = [
    "Action",
    "Area",
    "Category",
    "CheckResult",
    "Config",
    "ConfigError",
    "Decision",
    "Finding",
    "GateResult",
    "GateStatus",
    "Location",
    "Note",
    "NothingToScan",
    "Outcome",
    "Priority",
    "Report",
    "ScanOptions",
    "Severity",
    "__version__",
    "load_config",
    "scan",
]

_HOMES: dict[str, str] = {
    "scan": "gonogo.api",
    "NothingToScan": "gonogo.api",
    "ScanOptions": "gonogo.options",
    "Config": "gonogo.config",
    "ConfigError": "gonogo.config",
    "load_config": "gonogo.config",
    **dict.fromkeys(
        (
            "Action",
            "Area",
            "Category",
            "CheckResult",
            "Decision",
            "Finding",
            "GateResult",
            "GateStatus",
            "Location",
            "Note",
            "Outcome",
            "Priority",
            "Report",
            "Severity",
        ),
        "gonogo.model",
    ),
}
"""Public name -> the module that defines it."""

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt ``gonogo.name`` stays an error there

    def __getattr__(name: str) -> Any:
        """Import a public name from its module on first access (PEP 562), then keep it here."""
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module 'gonogo' has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # the next access is a plain attribute look-up
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
