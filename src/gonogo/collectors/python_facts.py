"""What one Python source file says, read from its syntax tree alone.

``extract(source)`` parses a file once and records, without judging: its functions (length,
whether the body is a stub, whether a test can fail), its skip and xfail markers with their reasons,
and its imports. It depends only on the file's bytes, never on its path, so the result can be cached
by content hash; the path-dependent questions (is this a test file?) are answered by the checks.
Nothing from the file is ever imported or run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TypeGuard

import mccabe

from gonogo.collectors.dict_passwords import DictPassword, dict_passwords_in
from gonogo.collectors.python_text import TextFacts, text_facts
from gonogo.collectors.sql_strings import SqlSink, sql_sinks_in

EXTRACTOR_VERSION = 15
"""Bump when the facts below change shape or meaning, so cached facts are rebuilt."""

SNIPPET_CHARS = 160
LITERAL_CHARS = 300

SKIP_MARKERS = {
    "pytest.mark.skip": "skip",
    "pytest.mark.skipif": "skipif",
    "pytest.mark.xfail": "xfail",
    "unittest.skip": "skip",
    "unittest.skipIf": "skipif",
    "unittest.skipUnless": "skipif",
    "unittest.case.skip": "skip",
    "unittest.case.skipIf": "skipif",
    "unittest.case.skipUnless": "skipif",
    "unittest.expectedFailure": "xfail",
}
SKIP_CALLS = {
    "pytest.skip": "skip",
    "pytest.xfail": "xfail",
    "pytest.importorskip": "importorskip",
}
SKIP_EXCEPTIONS = {"unittest.SkipTest", "unittest.case.SkipTest", "pytest.skip.Exception", "SkipTest"}
ASSERTING_CONTEXTS = {"pytest.raises", "pytest.warns", "pytest.deprecated_call", "pytest.fail"}
MODULE_SCOPE = "<module>"
BENCHMARK_MARKER = "pytest.mark.benchmark"
BENCHMARK_FIXTURE = "benchmark"
ASSERTING_HELPER_PREFIXES = ("assert", "check", "verify", "expect", "validate")
ABSTRACT_DECORATORS = ("abstractmethod", "abstractproperty", "abstractclassmethod", "abstractstaticmethod", "overload")
BROAD_EXCEPTIONS = {"Exception", "BaseException", "AssertionError"}
NOT_IMPLEMENTED = "NotImplementedError"
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
PLATFORM, VERSION, DEPENDENCY, ENVIRONMENT, OTHER = (
    "platform", "Python version", "optional dependency", "environment", "runtime check",
)
CONDITIONS = (PLATFORM, VERSION, DEPENDENCY, ENVIRONMENT, OTHER)
_PLATFORM_NAMES = {
    "sys.platform": None, "os.name": None, "platform.system": None, "platform.machine": None,
    "platform.python_implementation": None, "sys.implementation": None,
}
# "darwin" before "win", which it contains
_PLATFORM_WORDS = (("darwin", "macos"), ("mac", "macos"), ("win", "windows"), ("nt", "windows"),
                   ("linux", "linux"), ("pypy", "pypy"), ("cpython", "cpython"), ("posix", "posix"))
_VERSION_NAMES = ("sys.version_info", "sys.version", "sys.hexversion")
_DEPENDENCY_FLAG = re.compile(
    r"^(?:has|have|with)_(\w+?)(?:_installed|_available)?$|^(?:not?_)?(\w+?)(?:_not)?_(?:installed|available|exists?)$",
    re.IGNORECASE,
)
_ENVIRONMENT_NAMES = ("os.environ", "os.getenv", "os.environ.get")


@dataclass(frozen=True, slots=True, kw_only=True)
class Skip:
    kind: str
    """``skip``, ``skipif``, ``xfail``, ``importorskip``."""
    form: str
    """How it was written: ``@pytest.mark.skip``, ``pytest.skip()``, ``pytestmark``..."""
    reason: str | None
    line: int
    scope: str
    """The test (or class, or ``<module>``) it applies to."""
    in_not_implemented_handler: bool
    snippet: str
    condition: str | None = None
    """``None`` when the skip always applies (``@skip``, a bare ``pytest.skip()``, a skip in
    ``except NotImplementedError``); else what it depends on, one of ``CONDITIONS``: the test
    runs wherever that holds, which a CI job may well provide."""
    subject: str | None = None
    """What the condition names, so CI can be asked about it: a module (``redis``), a platform
    (``windows``)."""


def skip_condition(skip: Skip, first_party: frozenset[str]) -> str | None:
    """The skip's condition, except that a skip because the project's own code would not import
    (``except ImportError`` around ``from app.main import queue``) is unconditional: that import
    must work everywhere, so the skip hides a defect rather than an absent extra."""
    if skip.condition == DEPENDENCY and skip.subject and skip.subject.split(".")[0] in first_party:
        return None
    return skip.condition


@dataclass(frozen=True, slots=True, kw_only=True)
class Function:
    name: str
    qualname: str
    line: int
    end_line: int
    class_name: str | None
    class_is_test: bool
    stub: str | None
    """``pass``, ``...``, ``docstring only`` or ``raise NotImplementedError``; ``None`` for real code."""
    stub_exempt: bool
    """Abstract methods, overloads and Protocol members: a bare body is the point."""
    assertions: int
    constant_assertions: int
    swallowed_assertions: int
    skipped: bool
    snippet: str
    nested: bool = False
    """Defined inside another function: a helper or a route handler, never collected as a test."""
    calls: tuple[str, ...] = ()
    """Names of the plain functions it calls (``check_response(...)``), so a test whose asserting
    helper lives elsewhere in the test code is not taken for one that cannot fail."""
    method_calls: tuple[str, ...] = ()
    """Names of the methods it calls on ``self`` or ``cls`` (``self.post(...)``): a test class's
    own asserting helper (``def post(self, data, expect_fragment)``) makes the test able to fail."""
    benchmark: bool = False
    """A benchmark (pytest-benchmark's or pytest-codspeed's ``benchmark`` fixture or marker): it
    measures speed, and is not meant to assert behaviour."""
    complexity: int | None = None
    """McCabe's cyclomatic complexity (mccabe, flake8's C901); ``None`` for a nested function,
    whose branches mccabe counts in the function that defines it."""

    @property
    def lines(self) -> int:
        return self.end_line - self.line + 1

    @property
    def looks_like_test(self) -> bool:
        """pytest's default collection: ``test*`` functions, and methods of ``Test*``/TestCase classes."""
        if not self.name.startswith("test") or self.nested:
            return False
        return self.class_name is None or self.class_is_test


@dataclass(frozen=True, slots=True, kw_only=True)
class Import:
    module: str
    """Absolute dotted name; for relative imports, the part after the dots."""
    line: int
    level: int
    optional: bool
    """Inside ``try`` with an ``except ImportError`` (or broader): the code copes without it."""
    type_checking: bool
    names: tuple[str, ...] = ()
    """What ``from module import a, b`` takes from the module: each may be a submodule."""
    deferred: bool = False
    """Inside a function or method body, or under ``if __name__ == "__main__":``: it runs when the
    function is called or the file executed, not at import time, so it cannot take part in an
    import-time cycle."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    """``NAME = value`` at module level, for an upper-case name: how Django settings are written."""

    name: str
    line: int
    value: object
    """The literal value (``True``, ``["*"]``); ``None`` with ``literal=False`` when computed."""
    literal: bool
    conditional: bool
    """Under an ``if`` (``if not DEBUG:``): holds only on one branch."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CorsCall:
    """A CORS set-up call: ``add_middleware(CORSMiddleware, ...)`` or Flask-CORS's ``CORS(app, ...)``."""

    line: int
    any_origin: bool
    """Every origin is allowed: ``"*"`` among the origins, or Flask-CORS's default."""
    credentials: bool
    snippet: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassInfo:
    name: str
    bases: tuple[str, ...]
    """The last part of each base's dotted name (``json.JSONProvider`` -> ``JSONProvider``)."""
    methods: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleFacts:
    lines: int
    parse_error: str | None = None
    error_line: int | None = None
    functions: tuple[Function, ...] = ()
    skips: tuple[Skip, ...] = ()
    imports: tuple[Import, ...] = ()
    classes: tuple[ClassInfo, ...] = ()
    names: frozenset[str] = field(default_factory=frozenset)
    """Module-level names the file imports; lets a check resolve ``skip()`` to ``pytest.skip``."""
    settings: tuple[Setting, ...] = ()
    cors: tuple[CorsCall, ...] = ()
    sql_sinks: tuple[SqlSink, ...] = ()
    """Database calls fed SQL built from strings (``sql_strings``), for the SAST collector."""
    dict_passwords: tuple[DictPassword, ...] = ()
    """Password-named keys of dict literals with a value (``dict_passwords``), for SAST."""
    text: TextFacts | None = None
    """The line scans of the file's text; ``None`` when it is not UTF-8 text."""


def extract(source: bytes) -> ModuleFacts:
    """Facts of one file's bytes. A file that does not parse yields the error and its line.

    Every rule that reads a Python file runs here, on this one parse, so that the whole per-file
    work of a scan is done once, in the worker processes, and cached by content."""
    text = source.decode("utf-8", errors="replace")
    lines = text.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return ModuleFacts(
            lines=len(lines), parse_error=f"{exc.msg}", error_line=exc.lineno, text=text_facts(source, None)
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        return ModuleFacts(
            lines=len(lines), parse_error=f"{type(exc).__name__}: {exc}", text=text_facts(source, None)
        )
    sinks = tuple(sql_sinks_in(tree, source))
    passwords = tuple(dict_passwords_in(tree, source))
    scanned = text_facts(source, tree)
    visitor = _Visitor(lines)
    try:
        visitor.visit(tree)
    except RecursionError:
        return ModuleFacts(
            lines=len(lines), parse_error="too deeply nested to analyse", sql_sinks=sinks,
            dict_passwords=passwords, text=scanned,
        )
    return ModuleFacts(
        sql_sinks=sinks,
        dict_passwords=passwords,
        text=scanned,
        lines=len(lines),
        functions=tuple(_with_complexity(visitor.marked_benchmarks(), tree)),
        skips=tuple(visitor.skips),
        imports=tuple(visitor.imports),
        classes=tuple(visitor.classes),
        names=frozenset(visitor.aliases),
        settings=tuple(visitor.settings),
        cors=tuple(visitor.cors),
    )


def _with_complexity(functions: list[Function], tree: ast.Module) -> Iterator[Function]:
    """Each function with mccabe's complexity, matched by the line of its ``def``; mccabe walks
    the tree already parsed, so the file is not parsed twice."""
    visitor = mccabe.PathGraphingAstVisitor()
    try:
        visitor.preorder(tree, visitor)
    except RecursionError:
        yield from functions
        return
    by_line = {graph.lineno: graph.complexity() for graph in visitor.graphs.values()}
    for function in functions:
        found = None if function.nested else by_line.get(function.line)
        yield replace(function, complexity=found) if found is not None else function


@dataclass(slots=True)
class _FunctionState:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    qualname: str
    assertions: int = 0
    constant: int = 0
    swallowed: int = 0
    skipped: bool = False
    calls: set[str] = field(default_factory=set)
    method_calls: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _ClassState:
    name: str
    is_test: bool
    is_protocol: bool


class _Visitor(ast.NodeVisitor):
    """One pass over a module's tree, keeping the enclosing class, function and handlers in view."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.aliases: dict[str, str] = {}
        self.functions: list[Function] = []
        self.skips: list[Skip] = []
        self.imports: list[Import] = []
        self.settings: list[Setting] = []
        self.cors: list[CorsCall] = []
        self._classes: list[_ClassState] = []
        self._functions: list[_FunctionState] = []
        self.classes: list[ClassInfo] = []
        self._marker_aliases: dict[str, tuple[str, ast.Call | None]] = {}
        self._optional_imports = 0
        self._optional_names: dict[str, str] = {}
        self._type_checking = 0
        self._main_guard = 0
        """Inside ``if __name__ == "__main__":``: runs when the file is executed, never on import."""
        self._not_implemented_handlers = 0
        self._conditions: list[ast.expr] = []
        """The tests of the ``if`` statements around the node being visited, innermost last."""
        self._import_handlers: list[str | None] = []
        """Inside ``except ImportError``: the module the ``try`` imported, innermost last."""
        self._swallowing_tries = 0
        self._decorator_scope: str | None = None
        self._pytestmark_scope: str | None = None
        self._benchmark_scopes: set[str] = set()

    # names -------------------------------------------------------------------------------------

    def resolve(self, node: ast.expr) -> str | None:
        """The dotted name an expression refers to, with import aliases undone."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.aliases.get(node.id, node.id)
        return ".".join([head, *reversed(parts)])

    def snippet(self, line: int) -> str:
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return text[:SNIPPET_CHARS]

    def scope(self) -> str:
        if self._functions:
            return self._functions[-1].qualname
        if self._classes:
            return ".".join(c.name for c in self._classes)
        return MODULE_SCOPE

    # imports -----------------------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases.setdefault(top, top)
            self._note_optional(alias.asname or alias.name.split(".")[0], alias.name)
            self._add_import(alias.name, node.lineno, 0)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if node.level == 0 and alias.name != "*":
                self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
            self._note_optional(alias.asname or alias.name, module or alias.name)
        self._add_import(module, node.lineno, node.level, tuple(a.name for a in node.names))

    def _note_optional(self, name: str, module: str) -> None:
        """A name bound by an import the code copes without: ``skipif(greenlet is None)`` then
        depends on that distribution."""
        if self._optional_imports > 0:
            self._optional_names[name] = module.split(".")[0]

    def _add_import(self, module: str, line: int, level: int, names: tuple[str, ...] = ()) -> None:
        self.imports.append(
            Import(
                module=module,
                line=line,
                level=level,
                optional=self._optional_imports > 0,
                type_checking=self._type_checking > 0,
                names=names,
                deferred=bool(self._functions) or self._main_guard > 0,
            )
        )

    def visit_If(self, node: ast.If) -> None:
        if self._is_type_checking(node.test):
            self._type_checking += 1
            for child in node.body:
                self.visit(child)
            self._type_checking -= 1
            for child in node.orelse:
                self.visit(child)
            return
        self.visit(node.test)
        # a skip under ``if`` (or its ``else``) depends on that test
        self._conditions.append(node.test)
        main = _is_main_guard(node.test)
        self._main_guard += main
        for child in node.body:
            self.visit(child)
        self._main_guard -= main
        for child in node.orelse:
            self.visit(child)
        self._conditions.pop()

    def _is_type_checking(self, test: ast.expr) -> bool:
        """``if TYPE_CHECKING:``, ``if typing.TYPE_CHECKING:``, and the spelled-out
        ``if TYPE_CHECKING is True:`` / ``== True``: true only for the type checker."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is | ast.Eq):
            right = test.comparators[0]
            if not (isinstance(right, ast.Constant) and right.value is True):
                return False
            test = test.left
        return (self.resolve(test) or "").endswith("TYPE_CHECKING")

    def visit_Try(self, node: ast.Try | ast.TryStar) -> None:
        catches = [self._caught(h) for h in node.handlers]
        optional = any(names & {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
                       for names in catches)
        swallows = any(
            names & BROAD_EXCEPTIONS and not _reraises(handler)
            for names, handler in zip(catches, node.handlers, strict=True)
        )
        # the body tries the import, a handler imports the fallback, ``else`` runs only when the
        # import worked: all three cope without the distribution; ``finally`` always runs
        self._optional_imports += optional
        self._swallowing_tries += swallows
        imports_before = len(self.imports)
        for child in node.body:
            self.visit(child)
        self._swallowing_tries -= swallows
        tried = next((i.module for i in self.imports[imports_before:]), None)
        for handler, names in zip(node.handlers, catches, strict=True):
            catches_stub = NOT_IMPLEMENTED in names
            catches_import = bool(names & IMPORT_ERRORS)
            self._not_implemented_handlers += catches_stub
            if catches_import:
                self._import_handlers.append(tried)
            self.visit(handler)
            if catches_import:
                self._import_handlers.pop()
            self._not_implemented_handlers -= catches_stub
        for child in node.orelse:
            self.visit(child)
        self._optional_imports -= optional
        for child in node.finalbody:
            self.visit(child)

    visit_TryStar = visit_Try

    def _caught(self, handler: ast.ExceptHandler) -> set[str]:
        if handler.type is None:
            return {"BaseException"}
        nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        return {(self.resolve(n) or "").rsplit(".", 1)[-1] for n in nodes}

    # classes and functions ---------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = [self.resolve(b) or "" for b in node.bases]
        keywords = [self.resolve(k.value) or "" for k in node.keywords]
        state = _ClassState(
            name=node.name,
            is_test=node.name.startswith("Test") or any(b.endswith("TestCase") for b in bases),
            is_protocol=any(
                b.rsplit(".", 1)[-1] in ("Protocol", "ABC") for b in bases
            ) or any(k.endswith("ABCMeta") for k in keywords),
        )
        self._visit_decorators(node.decorator_list, scope=node.name)
        self._classes.append(state)
        for child in node.body:
            self.visit(child)
        self._classes.pop()
        self.classes.append(
            ClassInfo(
                name=node.name,
                bases=tuple(b.rsplit(".", 1)[-1] for b in bases if b),
                methods=tuple(
                    c.name for c in node.body if isinstance(c, ast.FunctionDef | ast.AsyncFunctionDef)
                ),
            )
        )

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        owner = self._classes[-1] if self._classes and not self._functions else None
        qualname = f"{owner.name}.{node.name}" if owner else node.name
        if self._functions:
            qualname = f"{self._functions[-1].qualname}.{node.name}"
        decorators = [self.resolve(d.func if isinstance(d, ast.Call) else d) or "" for d in node.decorator_list]
        state = _FunctionState(node=node, qualname=qualname)
        skips_before = len(self.skips)
        self._visit_decorators(node.decorator_list, scope=qualname)
        state.skipped = len(self.skips) > skips_before
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self._functions.append(state)
        outer_swallow, self._swallowing_tries = self._swallowing_tries, 0
        outer_conditions, self._conditions = self._conditions, []
        outer_handlers, self._import_handlers = self._import_handlers, []
        skips_in_body = len(self.skips)
        for child in node.body:
            self.visit(child)
        self._swallowing_tries = outer_swallow
        self._conditions, self._import_handlers = outer_conditions, outer_handlers
        self._functions.pop()
        state.skipped = state.skipped or len(self.skips) > skips_in_body
        nested = bool(self._functions)
        if nested:  # a nested helper's assertions and calls count for the test that defines it
            parent = self._functions[-1]
            parent.assertions += state.assertions
            parent.constant += state.constant
            parent.swallowed += state.swallowed
            parent.calls |= state.calls
            parent.method_calls |= state.method_calls
        stub = _stub_kind(node.body)
        self.functions.append(
            Function(
                name=node.name,
                qualname=qualname,
                line=node.lineno,
                end_line=node.end_lineno or node.lineno,
                class_name=owner.name if owner else None,
                class_is_test=bool(owner and owner.is_test),
                stub=stub,
                stub_exempt=bool(
                    any(d.rsplit(".", 1)[-1] in ABSTRACT_DECORATORS for d in decorators)
                    or (owner and owner.is_protocol)
                    or (stub in ("pass", "...") and node.name.startswith("__") and node.name.endswith("__"))
                ),
                assertions=state.assertions,
                constant_assertions=state.constant,
                swallowed_assertions=state.swallowed,
                skipped=state.skipped,
                snippet=self.snippet(node.lineno),
                nested=nested,
                calls=tuple(sorted(state.calls)),
                method_calls=tuple(sorted(state.method_calls)),
                benchmark=BENCHMARK_MARKER in decorators or any(
                    a.arg == BENCHMARK_FIXTURE for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
                ),
            )
        )

    def marked_benchmarks(self) -> list[Function]:
        """The functions, with those under a module- or class-level ``pytestmark`` benchmark
        marker marked, wherever in the file the ``pytestmark`` line sits."""
        if not self._benchmark_scopes:
            return self.functions
        return [
            replace(f, benchmark=True)
            if MODULE_SCOPE in self._benchmark_scopes or (f.class_name or "") in self._benchmark_scopes
            else f
            for f in self.functions
        ]

    visit_AsyncFunctionDef = visit_FunctionDef

    def _visit_decorators(self, decorators: list[ast.expr], scope: str) -> None:
        self._decorator_scope = scope
        for decorator in decorators:
            self.visit(decorator)
        self._decorator_scope = None

    # skips -------------------------------------------------------------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        if not self._functions and not self._classes:
            self._record_settings(node)
        if any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            if any(isinstance(n, ast.expr) and self.resolve(n) == BENCHMARK_MARKER for n in ast.walk(node.value)):
                self._benchmark_scopes.add(self.scope())
            self._pytestmark_scope = self.scope()
            self.visit(node.value)
            self._pytestmark_scope = None
            return
        alias = self._marker_definition(node)
        if alias is not None:  # ``needs_db = pytest.mark.skipif(...)``: a skip where it decorates
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._marker_aliases[target.id] = alias
            return
        self.generic_visit(node)

    def _record_settings(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name) and _SETTING_NAME.match(target.id):
                value, literal = _literal(node.value)
                self.settings.append(Setting(name=target.id, line=node.lineno, value=value, literal=literal,
                                             conditional=bool(self._conditions)))

    def _record_cors(self, node: ast.Call, name: str | None) -> None:
        """``app.add_middleware(CORSMiddleware, allow_origins=..., allow_credentials=...)`` (Starlette,
        FastAPI) and ``CORS(app, origins=..., supports_credentials=...)`` (Flask-CORS, whose
        origins default to every origin)."""
        last = (name or "").rsplit(".", 1)[-1]
        if last == "add_middleware" and node.args and (self.resolve(node.args[0]) or "").endswith("CORSMiddleware"):
            origins = _keyword(node, "allow_origins")
            credentials = _keyword(node, "allow_credentials")
            any_origin = origins is not None and _names_any(origins)
        elif last == "CORS" and (name or "").startswith("flask_cors."):
            origins = _keyword(node, "origins") or _keyword(node, "resources")
            credentials = _keyword(node, "supports_credentials")
            any_origin = origins is None or _names_any(origins)
        else:
            return
        granted = credentials is not None and _literal(credentials) == (True, True)
        self.cors.append(CorsCall(line=node.lineno, any_origin=any_origin, credentials=granted,
                                  snippet=self.snippet(node.lineno)))

    def _marker_definition(self, node: ast.Assign) -> tuple[str, ast.Call | None] | None:
        value = node.value
        call = value if isinstance(value, ast.Call) else None
        name = self.resolve(call.func if call else value)
        if name not in SKIP_MARKERS or not all(isinstance(t, ast.Name) for t in node.targets):
            return None
        return name, call

    def visit_Name(self, node: ast.Name) -> None:
        alias = self._marker_aliases.get(node.id)
        if alias is not None and (self._decorator_scope is not None or self._pytestmark_scope is not None):
            name, call = alias
            kind = SKIP_MARKERS[name]
            reason = _marker_reason(name, call) if call else None
            condition = self._marker_condition(name, call)
            if self._pytestmark_scope is not None:
                self._record(kind, f"pytestmark ({node.id})", reason, node, scope=self._pytestmark_scope,
                             condition=condition)
            else:
                self._record(kind, f"@{node.id}", reason, node, scope=self._decorator_scope, condition=condition)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = self.resolve(node)
        if name in SKIP_MARKERS:  # a bare marker: @pytest.mark.skip, marks=pytest.mark.xfail
            self._record_marker(node, name, None)
            return
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = self.resolve(node.func)
        self._record_cors(node, name)
        if name in SKIP_MARKERS:
            self._record_marker(node, name, node)
            self._visit_arguments(node)
            return
        if name == "pytest.importorskip":
            module = _text(node.args[0] if node.args else _keyword(node, "modname"))
            self._record("importorskip", f"{name}()", _call_reason(name, node), node,
                         condition=(DEPENDENCY, module))
        elif name in SKIP_CALLS:
            self._record(SKIP_CALLS[name], f"{name}()", _call_reason(name, node), node)
        elif name in SKIP_EXCEPTIONS:
            pass  # counted where it is raised, in visit_Raise
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "skipTest":
            self._record("skip", "self.skipTest()", _first_text(node), node)
        elif self._functions and _asserts(name, node):
            self._count_assertion(constant=False)
        elif self._functions and isinstance(node.func, ast.Name):
            self._functions[-1].calls.add(node.func.id)
        elif self._functions and _on_self(node.func):
            self._functions[-1].method_calls.add(node.func.attr)
        self.generic_visit(node)

    def _visit_arguments(self, node: ast.Call) -> None:
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            self.visit(arg)

    def visit_Raise(self, node: ast.Raise) -> None:
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        name = self.resolve(target) if target is not None else None
        if name and (name in SKIP_EXCEPTIONS or name.endswith(".SkipTest")):
            reason = _first_text(node.exc) if isinstance(node.exc, ast.Call) else None
            self._record("skip", f"raise {name.rsplit('.', 1)[-1]}", reason, node)
            return
        if self._functions and node.exc is not None:
            self._count_assertion(constant=False)  # an explicit raise is a way to fail
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        if self._functions:
            self._count_assertion(constant=_always_true(node.test))
        self.generic_visit(node)

    def _count_assertion(self, constant: bool) -> None:
        state = self._functions[-1]
        state.assertions += 1
        state.constant += constant
        state.swallowed += self._swallowing_tries > 0

    def _record_marker(self, node: ast.expr, name: str, call: ast.Call | None) -> None:
        kind = SKIP_MARKERS[name]
        if self._pytestmark_scope is not None:
            form, scope = "pytestmark", self._pytestmark_scope
        elif self._decorator_scope is not None:
            form, scope = f"@{name}", self._decorator_scope
        else:
            form, scope = name, self.scope()
        reason = _marker_reason(name, call) if call is not None else None
        self._record(kind, form, reason, node, scope=scope, condition=self._marker_condition(name, call))

    def _record(
        self, kind: str, form: str, reason: str | None, node: ast.AST, scope: str | None = None,
        condition: tuple[str | None, str | None] | None = None,
    ) -> None:
        """``condition`` is (kind, subject), ``(None, None)`` for a skip that always applies, or
        ``None`` to read it from where the skip sits (under an ``if``, in ``except ImportError``)."""
        line = getattr(node, "lineno", 0)
        in_stub = self._not_implemented_handlers > 0
        # a skip in ``except NotImplementedError`` hides a missing feature wherever it runs
        when, subject = (None, None) if in_stub else condition or self._context_condition()
        self.skips.append(
            Skip(
                kind=kind,
                form=form,
                reason=reason,
                line=line,
                scope=scope or self.scope(),
                in_not_implemented_handler=in_stub,
                snippet=self.snippet(line),
                condition=when,
                subject=subject,
            )
        )

    def _context_condition(self) -> tuple[str | None, str | None]:
        """What a skip call depends on, from the statements around it."""
        for test in reversed(self._conditions):
            found = self._classify(test)
            if found[0] != OTHER:
                return found
        if self._import_handlers:
            return DEPENDENCY, self._import_handlers[-1]
        if self._conditions:
            return OTHER, None
        return None, None

    def _marker_condition(self, name: str, call: ast.Call | None) -> tuple[str | None, str | None] | None:
        """A ``skipif``/``skipIf``/``skipUnless`` marker depends on its condition argument."""
        if SKIP_MARKERS[name] != "skipif":
            return None
        test = call.args[0] if call is not None and call.args else (call and _keyword(call, "condition"))
        return self._classify(test) if test is not None else (OTHER, None)

    def _classify(self, test: ast.expr) -> tuple[str | None, str | None]:
        """What kind of fact a skip condition tests: the platform, the Python version, an
        optional dependency, the environment, or something else."""
        if isinstance(test, ast.Constant) and isinstance(test.value, str):
            try:  # pytest's old string conditions: ``skipif("sys.platform == 'win32'")``
                test = ast.parse(test.value, mode="eval").body
            except SyntaxError:
                return OTHER, None
        if isinstance(test, ast.Constant):
            return (None, None) if test.value else (OTHER, None)
        names = [self.resolve(n) or "" for n in ast.walk(test) if isinstance(n, ast.Name | ast.Attribute)]
        texts = [n.value.lower() for n in ast.walk(test) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        lasts = [n.rsplit(".", 1)[-1].lower() for n in names]
        platform = _platform_word([*texts, *lasts])
        environment = any(n.startswith(_ENVIRONMENT_NAMES) or n.endswith(".environ") for n in names)
        if any(n in _PLATFORM_NAMES or n.startswith("platform.") for n in names) or platform:
            # ``darwin and os.getenv("CI")`` is skipped on CI's mac jobs: not a platform question
            return (ENVIRONMENT, None) if environment else (PLATFORM, platform)
        if any(n.startswith(_VERSION_NAMES) for n in names) or any(
            "version" in last or re.fullmatch(r"py_?[23]\d*", last) for last in lasts
        ):
            return VERSION, None
        module = self._dependency_named(test, names)
        if module is not None:
            return DEPENDENCY, module or None
        if environment:
            return ENVIRONMENT, None
        return OTHER, None

    def _dependency_named(self, test: ast.expr, names: list[str]) -> str | None:
        """The module a condition checks the presence of (``""`` when it cannot be named)."""
        for name in names:
            head = name.split(".")[0]
            if head in self._optional_names:
                return self._optional_names[head]
            flag = _DEPENDENCY_FLAG.match(name.rsplit(".", 1)[-1])
            if flag:
                return (flag.group(1) or flag.group(2)).lower()
        for node in ast.walk(test):
            if isinstance(node, ast.Call) and (self.resolve(node.func) or "").endswith("find_spec"):
                return _text(node.args[0]) if node.args else ""
        return None


_SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _is_main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = any(isinstance(n, ast.Name) and n.id == "__name__" for n in sides)
    return names and any(isinstance(n, ast.Constant) and n.value == "__main__" for n in sides)


def _literal(node: ast.expr) -> tuple[object, bool]:
    """(value, True) for a literal (``True``, ``["*"]``, ``("a", "b")``); (None, False) otherwise."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None, False
    # a settings flag or host list is short; a large constant table is not worth caching
    return (value, True) if len(repr(value)) <= LITERAL_CHARS else (None, False)


def _names_any(node: ast.expr) -> bool:
    """``"*"``, ``["*"]``, or a ``resources`` mapping whose origins are ``"*"``, written literally."""
    value, literal = _literal(node)
    if not literal:
        return False
    if isinstance(value, dict):
        return any(isinstance(v, dict) and v.get("origins", "*") in ("*", ["*"]) for v in value.values())
    return value == "*" or (isinstance(value, list | tuple) and "*" in value)


def _asserts(name: str | None, node: ast.expr) -> bool:
    """A call that can fail a test: ``self.assert*``, ``mock.assert_called*``, ``self.fail``,
    ``pytest.raises``, or a helper named ``assert_*``, ``check_*``, ``verify_*``, ``expect*``."""
    if not isinstance(node, ast.Call):
        return False
    if name in ASSERTING_CONTEXTS:
        return True
    func = node.func
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    # a private helper (``_assert_with_payload``) asserts as well as a public one; a lower-case
    # start keeps exception classes (``AssertionError(...)``) out: raising is counted where it happens
    bare = last.lstrip("_")
    if not bare[:1].islower():
        return False
    # ``django_assert_num_queries(3)`` (a pytest-django fixture), ``snapshot.assert_match``
    return bare.startswith(ASSERTING_HELPER_PREFIXES) or "assert" in bare.split("_") or bare == "fail"


def _on_self(func: ast.expr) -> TypeGuard[ast.Attribute]:
    """``self.name(...)`` or ``cls.name(...)``: a call of the class's own method."""
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")


def _always_true(test: ast.expr) -> bool:
    """``assert True``, ``assert 1``, ``assert "text"``, ``assert (x, "message")``: cannot fail."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.Tuple | ast.List):
        return len(test.elts) > 0
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Constant):
        return not test.operand.value
    return False


def _reraises(handler: ast.ExceptHandler) -> bool:
    for node in _walk_body(handler.body):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "fail":
                return True
    return False


def _walk_body(body: list[ast.stmt]) -> Iterator[ast.AST]:
    for statement in body:
        yield from ast.walk(statement)


def _stub_kind(body: list[ast.stmt]) -> str | None:
    rest = body[1:] if body and _is_docstring(body[0]) else body
    if not rest:
        return "docstring only"
    if len(rest) != 1:
        return None
    only = rest[0]
    if isinstance(only, ast.Pass):
        return "pass"
    if isinstance(only, ast.Expr) and isinstance(only.value, ast.Constant) and only.value.value is Ellipsis:
        return "..."
    if isinstance(only, ast.Raise) and only.exc is not None:
        target = only.exc.func if isinstance(only.exc, ast.Call) else only.exc
        if isinstance(target, ast.Name) and target.id == NOT_IMPLEMENTED:
            return "raise NotImplementedError"
    return None


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _text(node: ast.expr | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip()[:SNIPPET_CHARS] or None
    return ast.unparse(node)[:SNIPPET_CHARS]


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _first_text(node: ast.Call) -> str | None:
    return _text(_keyword(node, "reason") or _keyword(node, "msg") or (node.args[0] if node.args else None))


def _marker_reason(name: str, node: ast.Call) -> str | None:
    explicit = _keyword(node, "reason")
    if explicit is not None:
        return _text(explicit)
    if name.endswith(("skipif", "skipIf", "skipUnless")):
        # unittest.skipIf(condition, reason); pytest.mark.skipif(condition) has only the condition
        if len(node.args) > 1:
            return _text(node.args[1])
        return f"when {_text(node.args[0])}" if node.args else None
    if name.endswith("xfail") and node.args and not isinstance(node.args[0], ast.Constant | ast.JoinedStr):
        return f"when {_text(node.args[0])}"
    return _text(node.args[0]) if node.args else None


def _call_reason(name: str, node: ast.Call) -> str | None:
    if name == "pytest.importorskip":
        module = _text(node.args[0]) if node.args else _text(_keyword(node, "modname"))
        extra = _text(_keyword(node, "reason"))
        return f"needs module {module}" + (f": {extra}" if extra else "")
    return _first_text(node)


def _platform_word(words: list[str]) -> str | None:
    """The platform a condition names (``win32``, ``IS_WINDOWS``, ``"Darwin"``), normalised."""
    for word in words:
        for needle, platform in _PLATFORM_WORDS:
            if word == needle or (len(needle) > 2 and needle in word):
                return platform
    return None
