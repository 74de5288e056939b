"""Code health: stubs that ship, functions too long to review, modules too large, files that do not parse."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gonogo.collectors.python import PythonFacts
from gonogo.collectors.python_facts import RAISES_NOT_IMPLEMENTED
from gonogo.collectors.testpaths import is_test_data
from gonogo.config import Config
from gonogo.grouping import Grouping, count_files, plural
from gonogo.model import Category, Finding, Severity, Table
from gonogo.registry import CannotTell, CheckOutput, Metric, NotApplicable, Score, check, fail


def _require_python(python: PythonFacts) -> None:
    if not python.files:
        raise NotApplicable("no Python files")


def plan_stubs(findings: Sequence[Finding]) -> Grouping:
    yield (
        f"implement or delete {plural(len(findings), 'stub function')} in "
        f"{plural(count_files(findings), 'file')}",
        findings,
    )


@check("CODE001", "Product code has no stub functions", category=Category.CODE, severity=Severity.MEDIUM,
       counts="code.stubs", plan=plan_stubs)
def stubs(python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: a function whose body is only `pass`, `...` or `raise NotImplementedError` is a feature
    that was announced and not built; callers fail at run time, far from the cause. Abstract
    methods, `@overload` signatures, Protocol and ABC members are not counted, nor are base-class
    methods that a subclass in the workspace implements (abstract by convention), nor an Alembic
    revision's `upgrade` and `downgrade` (an empty one says there is nothing to do).

    Fix: implement the function, or delete it and the code that calls it. If it is an interface,
    declare it with `abc.abstractmethod` or `typing.Protocol`."""
    _require_python(python)
    overridden = _overridden_methods(python)
    for source in python.product_code:
        if source.file.suffix == ".pyi":
            continue
        for function in source.facts.functions:
            if function.stub is None or function.stub_exempt:
                continue
            if function.class_name and (function.class_name, function.name) in overridden:
                continue  # abstract by convention: a subclass in the workspace implements it
            yield fail(
                f"{function.qualname} is a stub ({function.stub})",
                at=source.file.at(function.line),
                severity=Severity.MEDIUM if function.stub == RAISES_NOT_IMPLEMENTED else Severity.LOW,
                evidence=function.snippet,
                key=function.qualname,
            )


def _overridden_methods(python: PythonFacts) -> frozenset[tuple[str, str]]:
    """(base class, method) pairs that some class of the workspace defines again."""
    return frozenset(
        (base, method)
        for source in python.files
        for cls in source.facts.classes
        for base in cls.bases
        for method in cls.methods
    )


def plan_long_functions(findings: Sequence[Finding]) -> Grouping:
    longest = max(findings, key=lambda f: f.get("lines", 0))
    yield (
        f"split {plural(len(findings), 'function')} over the length limit in "
        f"{plural(count_files(findings), 'file')} (longest: {longest.message.split(' is ')[0]}, "
        f"{longest.get('lines')} lines at {longest.location})",
        findings,
    )


@check("CODE002", "No function is longer than the limit", category=Category.CODE, severity=Severity.LOW,
       counts="code.long_functions", plan=plan_long_functions)
def long_functions(python: PythonFacts, config: Config) -> Iterator[CheckOutput]:
    """Why: NASA's Power of Ten rule 4: a function should fit on a printed page (60 lines) so it can
    be read, tested and reviewed as a unit. Longer functions hide branches that no test reaches.
    The limit is `thresholds.max_function_lines`.

    Fix: split the function into named steps, each with one job."""
    _require_python(python)
    limit = config.thresholds.max_function_lines
    total = 0
    long = 0
    for source in python.files:
        for function in source.facts.functions:
            total += 1
            if function.lines <= limit:
                continue
            long += 1
            yield fail(
                f"{function.qualname} is {function.lines} lines (limit {limit})",
                at=source.file.at(function.line),
                evidence=function.snippet,
                key=function.qualname,
                lines=function.lines,
            )
    yield Metric(name="code.functions", value=total)
    if total:
        yield Score(value=round(10 * (1 - long / total) ** 4, 2))


@check("CODE003", "No module is larger than the limit", category=Category.CODE, severity=Severity.LOW,
       counts="code.large_modules")
def large_modules(python: PythonFacts, config: Config) -> Iterator[CheckOutput]:
    """Why: a module of thousands of lines has many jobs; changes to it collide and its tests are
    hard to aim. The limit is `thresholds.max_module_lines`.

    Fix: split the module by responsibility."""
    _require_python(python)
    limit = config.thresholds.max_module_lines
    for source in python.files:
        if source.facts.lines > limit:
            yield fail(
                f"{source.facts.lines:,} lines (limit {limit:,})",
                at=source.file.at(None),
                key="size",
                lines=source.facts.lines,
            )
    yield Metric(name="code.python_files", value=len(python.files))
    yield Metric(name="code.lines", value=sum(f.facts.lines for f in python.files))


@check("CODE004", "Every Python file parses", category=Category.CODE, severity=Severity.HIGH,
       counts="code.unparsable_files")
def unparsable_files(python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: a file that does not parse cannot be imported; if it ships, the code path that imports
    it fails in production. No other check can see inside it either. Test data (a file below a
    data folder of the tests that pytest does not load, such as a formatter's inputs) is listed,
    not counted. A syntax error is judged on a
    Python the project supports: when its ``requires-python`` is newer than the scanning
    interpreter, the file is parsed by a newer ``python3.N`` on PATH, or its syntax is unknown
    (a note says which Python it needs), never a finding.

    Fix: correct the syntax error at the reported line (or delete the file if it is dead); to judge
    newer syntax, run gonogo with (or install) the Python the project requires."""
    _require_python(python)
    unknown = [source for source in python.files if source.syntax_unknown]
    unparsed = [s for s in python.files if s.facts.parse_error is not None and not s.syntax_unknown]
    data = [s for s in unparsed if is_test_data(s.file.relpath)]
    broken = [s for s in unparsed if not is_test_data(s.file.relpath)]
    if data:
        yield Table(
            title="Test data that does not parse (inputs the tests read, not counted)",
            columns=("File", "Error"),
            rows=tuple((s.file.display, str(s.facts.parse_error)) for s in data),
        )
    if unknown and not broken:
        first = unknown[0]
        raise CannotTell(f"{plural(len(unknown), 'file')} not parsed: {first.file.display} {first.syntax_unknown}")
    for source in broken:
        yield fail(
            f"does not parse: {source.facts.parse_error}",
            at=source.file.at(source.facts.error_line),
            key="parse",
        )
