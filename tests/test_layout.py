"""The package's shape: data flows one way, and no module reaches sideways into another's job.

Imports are read from the source (module level and inside functions alike: a late import is
still a dependency), so a new arrow that runs the wrong way fails here, naming the file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gonogo

PACKAGE = Path(gonogo.__file__).parent


def module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every ``gonogo`` module ``path`` imports, wherever the import statement stands."""
    found: set[str] = set()
    package = module_of(path) if path.name == "__init__.py" else module_of(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        match node:
            case ast.Import(names=names):
                found.update(a.name for a in names if a.name.startswith("gonogo"))
            case ast.ImportFrom(module=module, level=level, names=names):
                base = module or ""
                if level:
                    anchor = package.rsplit(".", level - 1)[0] if level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                if base.startswith("gonogo"):
                    found.add(base)
                    found.update(f"{base}.{a.name}" for a in names)
    return found


GRAPH = {module_of(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


def edges(source_prefix: str, target_prefix: str) -> list[str]:
    return sorted(
        f"{source} -> {target}"
        for source, targets in GRAPH.items()
        if source.startswith(source_prefix)
        for target in targets
        if target.startswith(target_prefix) and target in GRAPH
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("gonogo.config", "gonogo.probes"),
        ("gonogo.reporters", "gonogo.registry"),
        ("gonogo.reporters", "gonogo.api"),
        ("gonogo.collectors", "gonogo.checks"),
        ("gonogo.collectors", "gonogo.probes"),
        ("gonogo.model", "gonogo."),
    ],
    ids=[
        "configuration does not import the probes",
        "reporters read the report, not the registry",
        "reporters do not run scans",
        "collectors do not import checks",
        "collectors do not import probes",
        "the model imports nothing of gonogo",
    ],
)
def test_no_import_runs_against_the_flow(source: str, target: str) -> None:
    assert edges(source, target) == []


def test_reporters_share_only_the_shared_modules() -> None:
    """A reporter borrows from no other format; what several share lives in a module of its own
    (the HTML page renders the report itself, with its own template)."""
    shared = {"gonogo.reporters.order", "gonogo.reporters.summary", "gonogo.reporters.text", "gonogo.reporters.json_text"}
    borrowed = [e for e in edges("gonogo.reporters.", "gonogo.reporters.") if e.split(" -> ")[1] not in shared]
    assert borrowed == []


def test_sast_collector_reaches_into_no_other_collector_that_has_a_job_of_its_own() -> None:
    """It reads the one per-file pass (the ``python`` fact) and nothing of the secrets scan."""
    assert edges("gonogo.collectors.sast", "gonogo.collectors.secrets") == []
    assert edges("gonogo.collectors.sast", "gonogo.collectors.python_facts") == []


def test_manifest_formats_do_not_import_the_collector_that_lists_them() -> None:
    """One explicit table in ``collector.py`` names every format; no format registers itself."""
    assert edges("gonogo.collectors.manifests.", "gonogo.collectors.manifests.collector") == []


def test_one_test_path_predicate() -> None:
    """``is_test_path`` and ``TEST_DIRS`` are defined once; every other module imports them."""
    defining = sorted(
        module_of(p)
        for p in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if (isinstance(node, ast.FunctionDef) and node.name == "is_test_path")
        or (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "TEST_DIRS" for t in node.targets))
    )
    assert defining == ["gonogo.collectors.testpaths", "gonogo.collectors.testpaths"]


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), over the import graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH.get(node, ()):
            if target not in GRAPH:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize(
    "folder",
    ["gonogo.collectors", "gonogo.checks", "gonogo.probes", "gonogo.reporters"],
    ids=["collectors", "checks", "probes", "reporters"],
)
def test_no_import_cycle_inside_a_stage(folder: str) -> None:
    """A package face importing its own modules is no cycle: its modules never import it back."""
    inside = [c for c in _cycles() if all(m.startswith(folder) for m in c)]
    assert inside == []
