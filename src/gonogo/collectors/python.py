"""The ``python`` fact: every Python file of the workspace, parsed once, with its facts.

Files are read and hashed in this process; the ones the cache does not know are parsed in a pool
of processes (the parse is CPU-bound), and their facts stored for the next scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gonogo.cache import content_key
from gonogo.collectors.python_facts import EXTRACTOR_VERSION, ModuleFacts, extract
from gonogo.options import ScanOptions
from gonogo.parallel import map_cached
from gonogo.registry import collector
from gonogo.workspace import FileReadError, SourceFile, Workspace

TEST_DIRS = frozenset({"tests", "test", "testing"})
TEST_KINDS = (
    ("e2e", re.compile(r"^(e2e|end[_-]?to[_-]?end|acceptance|functional|system)$")),
    ("integration", re.compile(r"^(integration|integ|it)$")),
    ("unit", re.compile(r"^unit$")),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PythonFile:
    file: SourceFile
    facts: ModuleFacts

    @property
    def is_test_module(self) -> bool:
        """A file pytest collects by default: ``test_*.py`` or ``*_test.py``."""
        name = self.file.name
        return name.startswith("test_") or name.endswith("_test.py")

    @property
    def is_test_code(self) -> bool:
        """Test modules, ``conftest.py`` and anything under a ``tests`` folder: not product code."""
        parts = self.file.relpath.split("/")
        return self.is_test_module or parts[-1] == "conftest.py" or bool(TEST_DIRS & set(parts[:-1]))

    @property
    def test_kind(self) -> str:
        """unit / integration / e2e when the folder names say so, else ``unclassified``."""
        for part in self.file.relpath.lower().split("/")[:-1]:
            for kind, pattern in TEST_KINDS:
                if pattern.match(part):
                    return kind
        return "unclassified"


@dataclass(frozen=True, slots=True, kw_only=True)
class PythonFacts:
    files: tuple[PythonFile, ...]

    @property
    def test_code(self) -> tuple[PythonFile, ...]:
        return tuple(f for f in self.files if f.is_test_code)

    @property
    def product_code(self) -> tuple[PythonFile, ...]:
        return tuple(f for f in self.files if not f.is_test_code)

    @property
    def first_party(self) -> frozenset[str]:
        """Top-level names of the repository's own modules (``src/`` layouts included)."""
        names = set()
        for source in self.product_code:
            parts = source.file.relpath.split("/")
            parts = parts[1:] if parts[0] == "src" and len(parts) > 1 else parts
            names.add(parts[0].removesuffix(".py"))
        return frozenset(names)


@collector("python")
def python_files(workspace: Workspace, options: ScanOptions) -> PythonFacts:
    sources = workspace.by_suffix(".py")
    items: list[tuple[str, bytes]] = []
    read: list[SourceFile] = []
    namespace = f"py{EXTRACTOR_VERSION}"
    for source in sources:
        try:
            data = workspace.read_bytes(source)
        except FileReadError as exc:
            workspace.note(f"Python file not analysed: {exc}", path=source.display, source="python")
            continue
        items.append((content_key(data, namespace), data))
        read.append(source)
    facts = map_cached(extract, items, options, workspace, stage="python")
    files = tuple(PythonFile(file=source, facts=f) for source, f in zip(read, facts, strict=True))
    return PythonFacts(files=files)
