"""Documentation generated from the registry, so the README's checks table cannot drift.

``python -m gonogo.docs`` rewrites the table between the ``checks:start`` and ``checks:end`` markers
of README.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from gonogo.registry import load_plugins


def checks_table() -> str:
    lines = ["| Id | Category | Severity | Requirement | Metric |", "|---|---|---|---|---|"]
    for spec in load_plugins().select():
        metric = f"`{spec.counts}`" if spec.counts else ""
        lines.append(
            f"| {spec.id} | {spec.category.name.lower()} | {spec.severity.value} | {spec.title} | {metric} |"
        )
    return "\n".join(lines) + "\n"


def update_readme(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    updated = re.sub(
        r"(<!-- checks:start -->\n).*?(<!-- checks:end -->)",
        lambda m: m.group(1) + checks_table() + m.group(2),
        text,
        flags=re.DOTALL,
    )
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    changed = update_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    print("README.md updated" if changed else "README.md already up to date")
