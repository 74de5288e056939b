"""Plain functions behind ``gonogo probe``: probe the declared services alone, say what was seen.

The CLI reads the config and the ``--service NAME=URL`` options, calls ``run_probe``, prints
``format_probe(facts)`` and exits with ``probe_exit_code(facts)``. Nothing here prints or exits.
"""

from __future__ import annotations

from collections.abc import Sequence

from gonogo.config import Config
from gonogo.probes.facts import ServiceFacts, all_services, probe_services

EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_NOTHING = 0, 1, 2


def run_probe(config: Config, services: Sequence[str] = ()) -> ServiceFacts:
    """Probe the config's services plus ``NAME=URL`` ones; ``ValueError`` for a malformed one."""
    return probe_services(all_services(config, services), config.base_path)


def probe_exit_code(facts: ServiceFacts) -> int:
    """0 when every probe passed, 1 when one did not, 2 when there was nothing to probe."""
    if not facts.declared:
        return EXIT_NOTHING
    healthy = (
        all(r.ok and not r.slow for r in facts.health)
        and not facts.skipped
        and all(s.error is None and not any(o.problems for o in s.outcomes) for s in facts.openapi)
        and all(r.refused is None and all(t.ok for t in r.thresholds) for r in facts.load)
    )
    return EXIT_HEALTHY if healthy else EXIT_UNHEALTHY


def format_probe(facts: ServiceFacts) -> str:
    """What was probed and what came back, one line each, failures with their ``curl`` line."""
    if not facts.declared:
        return "no services declared ([tool.gonogo.services.NAME] or --service NAME=URL)\n"
    lines = ["Services:"]
    for r in facts.health:
        state = "SLOW" if r.slow else ("up" if r.ok else "DOWN")
        lines.append(f"  {state:<5} {r.name} ({r.kind}): {r.evidence}")
    lines.extend(f"  not run: {why}" for why in facts.skipped)
    for smoke in facts.openapi:
        lines.append(f"OpenAPI smoke of {smoke.service} ({smoke.source}):")
        if smoke.error:
            lines.append(f"  ERROR {smoke.error}")
        for o in smoke.outcomes:
            status = "-" if o.status is None else str(o.status)
            verdict = "; ".join(f"{p.kind}: {p.message}" for p in o.problems) or "ok"
            lines.append(f"  {o.method} {o.path} -> {status}: {verdict}")
            if o.problems:
                lines.append(f"      {o.curl}")
        skipped = [n for n in smoke.not_called if n.reason != "method not allowed"]
        lines.extend(f"  not called: {n.method} {n.path}: {n.reason}" for n in skipped)
    for load in facts.load:
        lines.append(f"Load on {load.service}: {load.evidence}")
        for t in load.thresholds:
            value = "-" if t.measured is None else f"{t.measured:.4g}"
            lines.append(f"  {'ok  ' if t.ok else 'FAIL'} {t.threshold.text} (measured {value})")
        if load.client_bound:
            lines.append(f"  note: {load.bottleneck}; req/s is a lower bound")
    return "\n".join(lines) + "\n"
