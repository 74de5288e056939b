"""Architecture and complexity: import cycles among the project's own modules, and functions with
more paths than a reviewer can follow."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gonogo.collectors.import_graph import EdgeKind, ImportEdge, ImportGraph, ImportGraphs, shortest_cycle, tangles
from gonogo.collectors.python import PythonFacts
from gonogo.config import Config
from gonogo.grouping import Grouping, count_files, plural
from gonogo.model import Category, Finding, Severity
from gonogo.registry import CheckOutput, Metric, NotApplicable, check, fail

_AT_IMPORT = frozenset({EdgeKind.IMPORT_TIME})
_ANY_TIME = frozenset(EdgeKind)


def plan_import_cycles(findings: Sequence[Finding]) -> Grouping:
    yield (
        f"break {plural(len(findings), 'import cycle')} among the project's modules "
        f"(largest: {max(f.get('modules', 0) for f in findings)} modules)",
        findings,
    )


@check("CODE005", "The project's modules import each other without cycles", category=Category.CODE,
       severity=Severity.LOW, counts="code.import_cycles", plan=plan_import_cycles)
def import_cycles(import_graph: ImportGraphs) -> Iterator[CheckOutput]:
    """Why: when module A imports B at import time and B imports A, whichever is imported first
    sees the other half-initialised: a name used at module level is missing
    (``ImportError: cannot import name ... (most likely due to a circular import)``), and which
    import order breaks depends on the entry point. A cycle also means neither module can be
    understood, tested or moved alone. Only imports that run at import time count: one under
    ``if TYPE_CHECKING:`` or inside a function body cannot break at import time, so cycles that
    need one are counted (``code.deferred_import_cycles``), never reported. Many import-time
    cycles still work (the names are defined before the cycle closes), which is why this stays low
    and outside blocking gates. One finding per tangle (strongly connected group of modules),
    showing its shortest cycle with the line of each import.

    Fix: move what both modules need into a third module they both import, or invert the
    dependency (pass the object in, register a callback); as a stop-gap, import inside the
    function that needs it."""
    graphs = import_graph.graphs
    if not any(g.modules for g in graphs):
        raise NotApplicable("no Python modules")
    deferred_only = 0
    for graph in graphs:
        at_import = graph.adjacency(_AT_IMPORT)
        found = tangles(at_import)
        for tangle in found:
            yield _cycle_finding(graph, tangle, shortest_cycle(tangle, at_import))
        deferred_only += _deferred_only(found, tangles(graph.adjacency(_ANY_TIME)))
    yield Metric(name="code.modules", value=sum(len(g.modules) for g in graphs))
    yield Metric(name="code.deferred_import_cycles", value=deferred_only)


def _cycle_finding(graph: ImportGraph, tangle: list[str], cycle: list[ImportEdge]) -> CheckOutput:
    first = cycle[0]
    chain = " -> ".join([*(edge.source for edge in cycle), first.source])
    steps = "; ".join(f"{graph.modules[e.source].display}:{e.line} imports {e.target}" for e in cycle)
    wider = f" (one of {len(tangle)} modules that import each other in a loop)" if len(tangle) > len(cycle) else ""
    return fail(
        f"import cycle {chain}{wider}",
        at=graph.modules[first.source].at(first.line),
        evidence=steps,
        key="cycle:" + ",".join(tangle),
        modules=len(tangle),
    )


def _deferred_only(at_import: list[list[str]], any_time: list[list[str]]) -> int:
    """Tangles that exist only through type-checking or function-body imports."""
    covered = [set(t) for t in at_import]
    return sum(1 for tangle in any_time if not any(set(tangle) <= c for c in covered))


def plan_complex_functions(findings: Sequence[Finding]) -> Grouping:
    worst = max(findings, key=lambda f: f.get("complexity", 0))
    yield (
        f"simplify {plural(len(findings), 'function')} over the complexity limit in "
        f"{plural(count_files(findings), 'file')} (worst: {worst.message.split(' has ')[0]}, "
        f"{worst.get('complexity')} at {worst.location})",
        findings,
    )


@check("CODE006", "No function is more complex than the limit", category=Category.CODE, severity=Severity.LOW,
       counts="code.complex_functions", plan=plan_complex_functions)
def complex_functions(python: PythonFacts, config: Config) -> Iterator[CheckOutput]:
    """Why: cyclomatic complexity (McCabe 1976) counts the independent paths through a function;
    each one needs a test to be covered, and past 10-15 paths a function is hard to review and
    changes to it break more often. Measured by mccabe (flake8's C901) on product code; the limit
    is ``thresholds.max_complexity`` (default 15). A count, not a judgement: a flat dispatch table
    written as ``if``/``elif`` scores high while staying readable, so this stays low and outside
    blocking gates.

    Fix: split the function into named steps, replace ``if``/``elif`` chains with a lookup table,
    or return early to flatten nested branches."""
    if not python.files:
        raise NotApplicable("no Python files")
    limit = config.thresholds.max_complexity
    for source in python.product_code:
        for function in source.facts.functions:
            if function.complexity is None or function.complexity <= limit:
                continue
            yield fail(
                f"{function.qualname} has cyclomatic complexity {function.complexity} (limit {limit})",
                at=source.file.at(function.line),
                evidence=function.snippet,
                key=function.qualname,
                complexity=function.complexity,
            )
