"""The ``python`` fact: every Python file of the workspace, parsed once, with its facts.

Files are hashed in this process (not even read when the stat index knows them unchanged); the
ones the cache does not know are parsed in a pool of processes (the parse is CPU-bound), and their
facts stored for the next scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import partial

from gonogo.collectors.import_names import is_stdlib
from gonogo.collectors.python_facts import (
    EXTRACTOR_VERSION,
    RAISES_NOT_IMPLEMENTED,
    ModuleFacts,
    ProjectCode,
    StubNames,
    extract,
)
from gonogo.collectors.python_target import (
    HOST,
    NewerParse,
    Target,
    TargetFinder,
    newer_interpreter,
    parse_with,
)
from gonogo.collectors.secrets import ScanFlags, Scanned, scan_bytes, scan_job
from gonogo.collectors.testpaths import is_test_path
from gonogo.collectors.web_code import WEB_CODE_VERSION
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.parallel import FileJob, map_files_cached
from gonogo.registry import collector
from gonogo.timings import READING
from gonogo.workspace import FileReadError, SourceFile, Workspace

_TEMPLATE_PATH = re.compile(r"\{\{.*?\}\}")
"""``{{cookiecutter.project_slug}}/config/urls.py``: a Cookiecutter/Copier template's file, whose
Jinja tags make it Python only after rendering."""
TEST_KINDS = (
    ("e2e", re.compile(r"^(e2e|end[_-]?to[_-]?end|acceptance|functional|system)$")),
    ("integration", re.compile(r"^(integration|integ|it)$")),
    ("unit", re.compile(r"^unit$")),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PythonFile:
    file: SourceFile
    facts: ModuleFacts
    syntax_unknown: str | None = None
    """Why this file's syntax error is not judged: the project targets a newer Python than the
    scanning one and none was available (``needs Python 3.14 to parse ...``)."""
    parsed_by: str | None = None
    """The newer interpreter that parsed this file when the scanning one could not; its facts are
    empty, since only that interpreter can read it."""
    content_key: str = ""
    """The hash of the file's bytes its facts are cached under: other per-file results (ruff's)
    are cached by it too, without reading the file again."""
    secrets: Scanned = None
    """The secrets scan's hits in this file, made in this pass from the bytes it read, so the
    secrets pass does not read, hash and ship the file again (``None``: binary, not UTF-8, or
    left out by the secrets rules, ``secrets.scan_job``)."""

    @property
    def is_test_module(self) -> bool:
        """A file pytest collects by default: ``test_*.py`` or ``*_test.py``."""
        name = self.file.name
        return name.startswith("test_") or name.endswith("_test.py")

    @property
    def is_test_code(self) -> bool:
        """Test modules, ``conftest.py`` and anything under a test folder: not product code."""
        return is_test_path(self.file.relpath)

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

    def by_file(self) -> dict[SourceFile, PythonFile]:
        """Each file's entry, for collectors that walk the workspace and want a file's facts."""
        return {item.file: item for item in self.files}

    @property
    def first_party(self) -> frozenset[str]:
        """Top-level names of the repository's own modules (``src/`` layouts included)."""
        names = set()
        for source in self.product_code:
            parts = source.file.relpath.split("/")
            parts = parts[1:] if parts[0] == "src" and len(parts) > 1 else parts
            names.add(parts[0].removesuffix(".py"))
        return frozenset(names)

    def stub_names(self) -> StubNames:
        """The product code's function names that only ever raise ``NotImplementedError``, and
        those that raise it in some definitions and work in others (``skip_condition``)."""
        raising: set[str] = set()
        working: set[str] = set()
        for source in self.product_code:
            for function in source.facts.functions:
                if function.stub == RAISES_NOT_IMPLEMENTED:
                    raising.add(function.name)
                elif not function.stub_exempt:  # a Protocol's ``...`` implements nothing
                    working.add(function.name)
        return StubNames(stubs=frozenset(raising - working), optional=frozenset(raising & working))

    def third_party_imports(self, first_party: frozenset[str]) -> dict[str, frozenset[str]]:
        """For each of the product code's modules (``pkg.sub.mod``, ``src/`` layouts included),
        the third-party top-level names it imports when imported: not in a function, not only for
        the type checker, not relative, not the project's own, not the standard library's."""
        found: dict[str, frozenset[str]] = {}
        for source in self.product_code:
            parts = source.file.relpath.removesuffix(".py").split("/")
            parts = parts[1:] if parts[0] == "src" and len(parts) > 1 else parts
            parts = parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts
            found[".".join(parts)] = frozenset(
                top
                for imported in source.facts.imports
                if not (imported.level or imported.deferred or imported.type_checking)
                and (top := imported.module.split(".")[0]) not in first_party and not is_stdlib(top)
            )
        return found

    def project_code(self, *, stubs: bool, imports: bool) -> ProjectCode:
        """What ``skip_condition`` needs, the costlier parts only when asked for."""
        first_party = self.first_party
        return ProjectCode(
            first_party=first_party,
            stub_names=self.stub_names() if stubs else None,
            third_party_imports=self.third_party_imports(first_party) if imports else {},
        )


@collector("python")
def python_files(workspace: Workspace, options: ScanOptions, notes: Notes) -> PythonFacts:
    sources = workspace.by_suffix(".py")
    jobs = [_job(source) for source in sources]
    files: list[PythonFile] = []
    found_in = map_files_cached(_facts_and_secrets, jobs, options, workspace, READING)
    for source, found in zip(sources, found_in, strict=True):
        if isinstance(found, FileReadError):
            notes.add(f"Python file not analysed: {found}", path=source.display, source="python")
            continue
        facts, secrets = found  # type: ignore[misc]  # no job has a payload of None
        key = workspace.content_key_of(source)
        files.append(PythonFile(file=source, facts=facts, content_key=key, secrets=secrets))
        _note_script_problems(files[-1], notes)
    return PythonFacts(files=tuple(_judge_syntax_errors(files, workspace, notes)))


def _job(source: SourceFile) -> FileJob:
    """The file's facts and its secrets, in one job: cached under one key, which names both
    extractors' versions (the web facts' too) and what the secrets scan takes from the path."""
    secrets = scan_job(source)
    namespace, flags = secrets if secrets is not None else ("nosec", None)
    return FileJob(
        file=source, namespace=f"py{EXTRACTOR_VERSION}.{WEB_CODE_VERSION}.{namespace}", payload=partial(_with, flags)
    )


def _with(flags: ScanFlags | None, data: bytes) -> tuple[bytes, ScanFlags | None]:
    return data, flags


def _facts_and_secrets(payload: tuple[bytes, ScanFlags | None]) -> tuple[ModuleFacts, Scanned]:
    """In a worker: one file's facts and, unless the secrets rules leave it out, its secrets."""
    data, flags = payload
    return extract(data), (None if flags is None else scan_bytes(flags, data))


def _note_script_problems(item: PythonFile, notes: Notes) -> None:
    """What a script's PEP 723 block could not declare: the dependency checks judge its imports
    without that part, and the report says why."""
    script = item.facts.script
    if script is None:
        return
    for problem in script.problems:
        notes.add(f"inline script metadata (line {script.line}) not read: {problem}", path=item.file.display,
                  source="python")


def _judge_syntax_errors(files: list[PythonFile], workspace: Workspace, notes: Notes) -> list[PythonFile]:
    """A syntax error is only a defect on a Python the project supports: files whose project
    targets a newer Python than this one are parsed again by a newer interpreter when one is on
    PATH, and are otherwise marked unknown (with a note), never reported as broken."""
    finder = TargetFinder(workspace)
    pending: dict[int, Target] = {}
    for index, item in enumerate(files):
        if item.facts.parse_error is None or item.facts.error_line is None:
            continue  # parsed, or failed for a reason no Python version changes (NUL bytes, depth)
        if _TEMPLATE_PATH.search(item.file.relpath):
            reason = "is in a project template (a path with {{ }}): it is Python only once rendered"
            notes.add(f"syntax not judged: {reason}", path=item.file.display, source="python")
            files[index] = replace(item, syntax_unknown=reason)
            continue
        target = finder.target_of(item.file)
        if target is not None and target.minimum > HOST:
            pending[index] = target
    for target_version in sorted({t.minimum for t in pending.values()}):
        indexes = [i for i, t in pending.items() if t.minimum == target_version]
        interpreter = newer_interpreter(target_version)
        parsed = None
        if interpreter is not None:
            # read again: the per-file pass keeps no file's bytes, and only files with an error come here
            readable = {i: data for i in indexes if (data := _bytes_of(files[i].file, workspace)) is not None}
            indexes = list(readable)
            parsed = parse_with(interpreter, list(readable.values()))
        for position, index in enumerate(indexes):
            outcome = parsed[position] if parsed else None
            files[index] = _after_newer_parse(files[index], pending[index], outcome, notes)
    return files


def _bytes_of(source: SourceFile, workspace: Workspace) -> bytes | None:
    """``None`` for a file gone or changed into something unreadable since the pass: its syntax
    error, found by that pass, stands."""
    try:
        return workspace.read_bytes(source)
    except FileReadError:
        return None


def _after_newer_parse(
    item: PythonFile, target: Target, outcome: NewerParse | None, notes: Notes
) -> PythonFile:
    host = f"{HOST[0]}.{HOST[1]}"
    if outcome is None:
        reason = f"needs Python {target.label} to parse ({target.declared}); this scan runs on Python {host}"
        notes.add(f"syntax not judged: {reason}", path=item.file.display, source="python")
        return replace(item, syntax_unknown=reason)
    if outcome.error is None:
        notes.add(
            f"parses with {outcome.interpreter} ({target.declared}); not analysed by Python {host}",
            path=item.file.display,
            source="python",
        )
        parsed = replace(item.facts, parse_error=None, error_line=None)
        return replace(item, facts=parsed, parsed_by=outcome.interpreter)
    message, line = outcome.error
    version = f"{outcome.version[0]}.{outcome.version[1]}"
    return replace(item, facts=replace(item.facts, parse_error=f"{message} (Python {version})", error_line=line))
