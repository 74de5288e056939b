"""The ``python`` fact: every Python file of the workspace, parsed once, with its facts.

Files are read and hashed in this process; the ones the cache does not know are parsed in a pool
of processes (the parse is CPU-bound), and their facts stored for the next scan.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from gonogo.cache import FactCache, content_key, default_cache_dir
from gonogo.collectors.python_facts import EXTRACTOR_VERSION, ModuleFacts, extract
from gonogo.options import ScanOptions
from gonogo.registry import collector
from gonogo.workspace import FileReadError, SourceFile, Workspace

PARALLEL_FROM = 48
"""Below this many files to parse, a process pool costs more than it saves."""

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
    not_read: int = 0

    @property
    def test_code(self) -> tuple[PythonFile, ...]:
        return tuple(f for f in self.files if f.is_test_code)

    @property
    def product_code(self) -> tuple[PythonFile, ...]:
        return tuple(f for f in self.files if not f.is_test_code)


@collector("python")
def python_files(workspace: Workspace, options: ScanOptions) -> PythonFacts:
    sources = workspace.by_suffix(".py")
    contents: list[tuple[SourceFile, bytes]] = []
    for source in sources:
        try:
            contents.append((source, workspace.read_bytes(source)))
        except FileReadError as exc:
            workspace.note(f"Python file not analysed: {exc}", path=source.display, source="python")
    namespace = f"py{EXTRACTOR_VERSION}"
    keys = [content_key(data, namespace) for _, data in contents]
    cache = FactCache(_cache_folder(options))
    known = cache.get_many(keys)
    missing = [i for i, key in enumerate(keys) if key not in known]
    fresh = parse_all([contents[i][1] for i in missing], options)
    cache.put_many({keys[i]: facts for i, facts in zip(missing, fresh, strict=True)})
    if cache.problem:
        workspace.note(cache.problem, source="cache")
    cache.close()
    by_key: dict[str, ModuleFacts] = {**known, **{keys[i]: f for i, f in zip(missing, fresh, strict=True)}}  # type: ignore[dict-item]
    files = tuple(
        PythonFile(file=source, facts=by_key[key]) for (source, _), key in zip(contents, keys, strict=True)
    )
    return PythonFacts(files=files, not_read=len(sources) - len(contents))


def parse_all(contents: Sequence[bytes], options: ScanOptions) -> list[ModuleFacts]:
    """Facts for each content, in order; in a process pool when there are enough files."""
    total = len(contents)
    jobs = options.jobs or os.cpu_count() or 1
    if jobs <= 1 or total < PARALLEL_FROM:
        results = []
        for done, data in enumerate(contents, 1):
            results.append(extract(data))
            if done % 50 == 0 or done == total:
                options.report_progress("python", done, total)
        return results
    results = []
    chunk = max(4, min(64, total // (jobs * 8) or 1))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for done, facts in enumerate(pool.map(extract, contents, chunksize=chunk), 1):
            results.append(facts)
            if done % 50 == 0 or done == total:
                options.report_progress("python", done, total)
    return results


def _cache_folder(options: ScanOptions) -> Path | None:
    if not options.use_cache:
        return None
    return Path(options.cache_dir) if options.cache_dir else default_cache_dir()
