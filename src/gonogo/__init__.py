"""gonogo: an evidence-based production-readiness gate.

``scan(paths)`` reads one or more repositories and returns a ``Report``: a GO, CONDITIONAL GO or
NO-GO decision, the gates behind it, scores per area, every finding with its evidence, and a plan.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
