"""Meta-tests that keep the registry honest, and the README's checks table in step with it."""

from __future__ import annotations

import re
from pathlib import Path

from gonogo.model import Category
from gonogo.registry import CHECK_ID, load_plugins

README = Path(__file__).parent.parent / "README.md"


def test_ids_are_unique_well_formed_and_prefixed_by_category():
    registry = load_plugins()
    assert registry.checks, "no check registered"
    for check_id, spec in registry.checks.items():
        assert CHECK_ID.match(check_id)
        assert check_id == spec.id
        assert check_id.startswith(spec.category.prefix)
        assert isinstance(spec.category, Category)


def test_every_check_documents_why_and_fix():
    for spec in load_plugins().checks.values():
        assert len(spec.why) > 20, f"{spec.id} has no Why"
        assert len(spec.fix) > 10, f"{spec.id} has no Fix"


def test_every_fact_a_check_needs_has_a_collector():
    registry = load_plugins()
    given = {"config", "thresholds"}
    for spec in registry.checks.values():
        for need in spec.needs:
            assert need in given or need in registry.collectors, f"{spec.id} needs unknown fact {need!r}"


def test_readme_checks_table_matches_registry():
    from gonogo.docs import checks_table

    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- checks:start -->\n(.*?)<!-- checks:end -->", text, re.DOTALL)
    assert block, "README has no generated checks table"
    assert block.group(1) == checks_table(), "README checks table is stale: run `python -m gonogo.docs`"
