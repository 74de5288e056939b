"""The ``import_graph`` fact: which of the repository's own modules import which, and where.

Built from the imports the ``python`` fact already holds for every file (cached by content), so no
file is parsed again. A module's dotted name comes from its package chain: the folders above it
that hold an ``__init__.py`` (``src/paperless/settings.py`` is ``paperless.settings``,
``netbox/netbox/settings.py`` is ``netbox.settings``). Relative imports are resolved against that
name, the way the interpreter does. An import points at the most specific module it names, as
grimp (import-linter's engine) records it: ``from a.b import c`` is an edge to ``a.b.c`` when that
is a module, else to ``a.b``. Two files with the same dotted name (two projects in one tree) are
left out rather than guessed.

Each edge says when it runs: at import time, only for the type checker (``if TYPE_CHECKING:``), or
when a function is called (an import in a function body). Only the first kind can make an import
fail half-way through a cycle.
"""

from __future__ import annotations

import enum
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from gonogo.collectors.python import PythonFacts, PythonFile
from gonogo.collectors.python_facts import Import
from gonogo.registry import collector
from gonogo.workspace import SourceFile


class EdgeKind(enum.Enum):
    IMPORT_TIME = "import time"
    TYPE_CHECKING = "type checking only"
    DEFERRED = "inside a function"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportEdge:
    source: str
    target: str
    line: int
    kind: EdgeKind
    guarded: bool = False
    """Inside ``try``/``except ImportError`` (or ``with suppress(ImportError)``): the importer
    copes without the target (calibre-web's ``try: from .oauth_bb import ...``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportGraph:
    """The graph of one workspace root's own modules."""

    modules: Mapping[str, SourceFile]
    edges: tuple[ImportEdge, ...]

    def adjacency(self, kinds: frozenset[EdgeKind]) -> dict[str, dict[str, ImportEdge]]:
        """source -> target -> the first edge of one of ``kinds`` (lowest line)."""
        result: dict[str, dict[str, ImportEdge]] = defaultdict(dict)
        for edge in sorted(self.edges, key=lambda e: e.line):
            if edge.kind in kinds:
                result[edge.source].setdefault(edge.target, edge)
        return result


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportGraphs:
    graphs: tuple[ImportGraph, ...]


@collector("import_graph")
def import_graph(python: PythonFacts) -> ImportGraphs:
    by_root: dict[Path, list[PythonFile]] = defaultdict(list)
    for source in python.product_code:
        if source.file.suffix == ".py":
            by_root[source.file.root].append(source)
    return ImportGraphs(graphs=tuple(build_graph(files) for _, files in sorted(by_root.items())))


def build_graph(files: Iterable[PythonFile]) -> ImportGraph:
    """The graph of ``files``, which share one root. A file this interpreter could not parse
    (newer syntax, a syntax error) is still a module others import, so it keeps its name: without
    it, ``from .context import X`` would be taken for an import of the package itself."""
    files = list(files)
    packages = {f.file.relpath.rpartition("/")[0] for f in files if f.file.name == "__init__.py"}
    named: dict[str, list[PythonFile]] = defaultdict(list)
    for source in files:
        named[module_name(source.file.relpath, packages)].append(source)
    modules = {name: group[0] for name, group in named.items() if len(group) == 1}
    edges: list[ImportEdge] = []
    longest = _LongestKnown(modules)
    for name, source in modules.items():
        if source.facts.parse_error is not None or source.parsed_by is not None:
            continue  # its imports are unknown: no edge is better than a guessed one
        is_package = source.file.name == "__init__.py"
        for statement in source.facts.imports:
            for target in _targets(statement, name, is_package, modules, longest):
                if target != name:
                    edges.append(ImportEdge(
                        source=name, target=target, line=statement.line, kind=_kind(statement),
                        guarded=statement.optional,
                    ))
    return ImportGraph(modules={n: s.file for n, s in modules.items()}, edges=tuple(edges))


def module_name(relpath: str, packages: set[str]) -> str:
    """The dotted name the interpreter gives the file: its stem under its chain of packages, up
    to the outermost folder with an ``__init__.py``. A folder without one inside a package
    (``flask/sansio/``) is a namespace portion of it, so it stays in the chain."""
    folder, _, filename = relpath.rpartition("/")
    stem = filename.removesuffix(".py")
    parts = [] if filename == "__init__.py" else [stem]
    folders = folder.split("/") if folder else []
    outermost = next((i for i in range(len(folders)) if "/".join(folders[: i + 1]) in packages), None)
    if outermost is None:
        return stem
    return ".".join([*folders[outermost:], *parts])


def _kind(statement: Import) -> EdgeKind:
    if statement.type_checking:
        return EdgeKind.TYPE_CHECKING
    if statement.deferred:
        return EdgeKind.DEFERRED
    return EdgeKind.IMPORT_TIME


def _targets(
    statement: Import, importer: str, is_package: bool, modules: Mapping[str, object], longest: _LongestKnown
) -> Iterator[str]:
    """The first-party modules one import statement loads."""
    base = _absolute(statement, importer, is_package)
    if base is None:
        return
    if not statement.names:  # ``import a.b.c``
        found = longest(base)
        if found:
            yield found
        return
    for name in statement.names:
        candidate = f"{base}.{name}" if base else name
        if name != "*" and candidate in modules:
            yield candidate
            continue
        found = longest(base)
        if found:
            yield found


def _absolute(statement: Import, importer: str, is_package: bool) -> str | None:
    """The absolute module a statement imports from; ``None`` when a relative import climbs
    above the top-level package (it fails at run time, and names nothing here)."""
    if statement.level == 0:
        return statement.module
    parts = importer.split(".") if is_package else importer.split(".")[:-1]
    climb = statement.level - 1
    if climb >= len(parts):
        return None
    anchor = parts[: len(parts) - climb]
    return ".".join([*anchor, statement.module] if statement.module else anchor)


class _LongestKnown:
    """The longest dotted prefix of a name that is one of the modules, or ``None``; each name
    worked out once (a tree's files import ``os``, ``typing`` and their own package thousands of
    times), and at once ``None`` for a name whose first part starts no module."""

    def __init__(self, modules: Mapping[str, object]) -> None:
        self._modules = modules
        self._tops = frozenset(name.partition(".")[0] for name in modules)
        self._found: dict[str, str | None] = {}

    def __call__(self, dotted: str) -> str | None:
        if dotted in self._found:
            return self._found[dotted]
        found = self._found[dotted] = self._look_up(dotted) if dotted.partition(".")[0] in self._tops else None
        return found

    def _look_up(self, dotted: str) -> str | None:
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in self._modules:
                return candidate
        return None


def optional_modules(graph: ImportGraph) -> frozenset[str]:
    """The modules the root's code loads only through a guarded import: reached from a module
    nothing imports (an entry point, a module loaded by name) by the edges that run, but by none
    that is unguarded all the way. calibre-web's ``cps/oauth_bb.py`` is imported by three modules,
    each inside ``try``/``except ImportError``: the application runs without it, and so without what
    it imports. A module nothing reaches from such a start (a cycle alone) is not among them: how
    it is loaded is unknown. Type-checking imports never run, so they count for neither."""
    running = [e for e in graph.edges if e.kind is not EdgeKind.TYPE_CHECKING]
    imported = {e.target for e in running}
    starts = [name for name in graph.modules if name not in imported]
    required = _reached(starts, [e for e in running if not e.guarded])
    return frozenset(_reached(starts, running) - required)


def _reached(starts: Iterable[str], edges: Iterable[ImportEdge]) -> set[str]:
    """The modules ``edges`` lead to from ``starts``, the starts included."""
    targets: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        targets[edge.source].add(edge.target)
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for target in targets.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


# cycles -------------------------------------------------------------------------------------------


def tangles(adjacency: Mapping[str, Mapping[str, ImportEdge]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, without recursion, so a
    deep graph cannot overflow the stack), each sorted, largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(adjacency):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(adjacency.get(start, {}))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(adjacency.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found, key=lambda c: (-len(c), c))


def shortest_cycle(tangle: list[str], adjacency: Mapping[str, Mapping[str, ImportEdge]]) -> list[ImportEdge]:
    """The shortest cycle through the tangle's first module (breadth first, inside the tangle)."""
    members = set(tangle)
    start = tangle[0]
    came_from: dict[str, ImportEdge] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target, edge in sorted(adjacency.get(node, {}).items()):
            if target not in members:
                continue
            if target == start:
                path = [edge]
                while path[0].source != start:
                    path.insert(0, came_from[path[0].source])
                return path
            if target not in came_from:
                came_from[target] = edge
                queue.append(target)
    return []  # unreachable for a strongly connected component
