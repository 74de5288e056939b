"""The facts ``extract`` records about one Python file, and the words it recognises them by
(skip markers, asserting helpers, skip-condition kinds). Plain data: no tree walking here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from gonogo.collectors.dict_passwords import DictPassword
from gonogo.collectors.migration_code import MigrationModule
from gonogo.collectors.python_text import TextFacts
from gonogo.collectors.script_metadata import InlineScript
from gonogo.collectors.sql_strings import SqlSink
from gonogo.collectors.web_code import WebModule

EXTRACTOR_VERSION = 36
"""Bump when the facts below change shape or meaning, so cached facts are rebuilt (19: a file's
lines are numbered as Python numbers them, ``source_lines``; 20: an Alembic revision's hooks are
not stubs; 21: suppression comments are read from comment tokens; 22: migration facts; 23: a
secret's name spelt with escapes or adjacent literals is read, ``literal_spelling``; 24: a skip in
an ``except`` other than ``ImportError`` or ``NotImplementedError`` is conditional; 25: what the
``try`` around a skip in ``except NotImplementedError`` calls, ``Skip.tried``; 26: whether its
handler catches other errors too, ``Skip.environment_error``, and a skip marker a helper builds is
conditional; 27: so is a skip after a guard clause, ``if ok: return``; 28: a marker bound to a name
in ``except ImportError`` or under ``if`` depends on that; 29: a password's hash in a dict literal
is no password; 30: an import under ``if`` is ``conditional``; 31: one under ``with suppress(ImportError)``
is ``optional``; 32: a skip marker made and dropped, alone on a line, is no skip; 33: a rate limit in a dict literal,
``"change_password": "5/m/user"``, is no password; 34: a script's PEP 723 block, ``script``;
35: an import in a function the module only calls inside ``try``/``except ImportError`` is
``optional``, ``caller_guards``; 36: an import in a function's body says which import of that body
comes first before it, ``Import.after``)."""

SNIPPET_CHARS = 160
TRIED_NODES = 2_000
"""How much of a ``try`` body is read for what it calls (``Skip.tried``): a capability check is a
call or two, and the bound keeps nested ``try`` blocks from reading one huge body per level."""
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
RAISES_NOT_IMPLEMENTED = f"raise {NOT_IMPLEMENTED}"
"""``Function.stub`` of a function whose body only raises ``NotImplementedError``."""
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
IMPORT_GUARDS = IMPORT_ERRORS | {"Exception", "BaseException"}
"""What an ``except`` or a ``suppress`` catches when the code copes without the module it imports."""
PLATFORM, VERSION, DEPENDENCY, ENVIRONMENT, OTHER = (
    "platform", "Python version", "optional dependency", "environment", "runtime check",
)
CONDITIONS = (PLATFORM, VERSION, DEPENDENCY, ENVIRONMENT, OTHER)
PLATFORM_NAMES = {
    "sys.platform": None, "os.name": None, "platform.system": None, "platform.machine": None,
    "platform.python_implementation": None, "sys.implementation": None,
}
# "darwin" before "win", which it contains
PLATFORM_WORDS = (("darwin", "macos"), ("mac", "macos"), ("win", "windows"), ("nt", "windows"),
                   ("linux", "linux"), ("pypy", "pypy"), ("cpython", "cpython"), ("posix", "posix"))
VERSION_NAMES = ("sys.version_info", "sys.version", "sys.hexversion")
DEPENDENCY_FLAG = re.compile(
    r"^(?:has|have|with)_(\w+?)(?:_installed|_available)?$|^(?:not?_)?(\w+?)(?:_not)?_(?:installed|available|exists?)$",
    re.IGNORECASE,
)
ENVIRONMENT_NAMES = ("os.environ", "os.getenv", "os.environ.get")


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
    tried: tuple[str, ...] = ()
    """For a skip in ``except NotImplementedError``: what the ``try`` calls, an imported name in
    full (``os.symlink``, ``app.export.to_pdf``), any other by its last part
    (``manager.app.backend.ensure_chords_allowed()`` is ``ensure_chords_allowed``), so the checks
    can tell the project's own stub from a capability the platform or a backend may lack."""
    environment_error: bool = False
    """The handler catches more than ``NotImplementedError`` (``except (OSError,
    NotImplementedError)`` around a symlink, in Black and FastAPI): the environment may refuse, so
    the skip is conditional unless the ``try`` calls the project's own stub."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StubNames:
    """The project's function names by how their definitions treat ``NotImplementedError``
    (``PythonFacts.stub_names``), for the skips in ``except NotImplementedError``."""

    stubs: frozenset[str] = frozenset()
    """Every definition only raises it: the feature is missing wherever the tests run."""
    optional: frozenset[str] = frozenset()
    """Some definitions raise it and others work (Celery's result backends and
    ``ensure_chords_allowed``): a capability that depends on the implementation configured."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectCode:
    """What :func:`skip_condition` knows of the project beyond the skip's own file."""

    first_party: frozenset[str]
    """Top-level names of the repository's own modules."""
    stub_names: StubNames | None = None
    """``None``: nothing is known of the project's functions."""
    third_party_imports: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """The third-party top-level names each of the project's modules imports when it is imported
    (``uvicorn.protocols.http.httptools_impl``: ``httptools``)."""


def skip_condition(skip: Skip, project: ProjectCode) -> str | None:
    """The skip's condition, except that:

    - a skip because the project's own code would not import (``except ImportError`` around
      ``from app.main import queue``) is unconditional: that import must work everywhere, so the
      skip hides a defect rather than an absent extra; unless its reason names a third-party
      module that code imports (uvicorn's ``httptools_impl`` needs ``httptools``, "httptools is
      not installed"): then it waits for that optional dependency. ``pytest.importorskip`` of
      such a module with no reason of its own (aiohttp's ``importorskip("aiohttp.worker")``,
      whose module imports gunicorn) waits for what that module imports: pytest's message then
      names the import that failed;
    - a skip in ``except NotImplementedError`` is unconditional (it hides a missing feature)
      unless what the ``try`` calls is a capability that depends on where the tests run: a
      function from outside the project (``os.symlink`` on a file system without links), or one
      the project implements in some classes and not in others (``stub_names.optional``), or
      when the handler catches another error too (``except (OSError, NotImplementedError)``). A
      call to a project function that only raises keeps it unconditional whatever else the
      ``try`` calls; without ``stub_names`` nothing is known of the project's functions.
    """
    if skip.condition == DEPENDENCY and skip.subject and skip.subject.split(".")[0] in project.first_party:
        needs = project.third_party_imports.get(skip.subject, frozenset())
        if skip.reason == importorskip_reason(skip.subject):
            return DEPENDENCY if needs else None
        return DEPENDENCY if _names_one_of(skip.reason or "", needs) else None
    if skip.in_not_implemented_handler and skip.condition is None and project.stub_names is not None:
        capability = _tries_a_capability(skip.tried, project.first_party, project.stub_names, skip.environment_error)
        return OTHER if capability else None
    return skip.condition


def importorskip_reason(module: str | None, reason: str | None = None) -> str:
    """What a ``pytest.importorskip`` skip says: the module it needs, then its own reason if any."""
    return f"needs module {module}" + (f": {reason}" if reason else "")


def _names_one_of(reason: str, modules: frozenset[str]) -> bool:
    """The reason names one of ``modules`` as a word (``httptools is not installed``)."""
    # "httptools." at a sentence's end is httptools; "ruamel.yaml" names the top-level ruamel too
    dotted = re.findall(r"\w+(?:\.\w+)*", reason.lower())
    words = {*dotted, *(word.split(".")[0] for word in dotted)}
    return any(module.lower() in words for module in modules)


def _tries_a_capability(
    tried: tuple[str, ...], first_party: frozenset[str], stub_names: StubNames, environment_error: bool
) -> bool:
    """See :func:`skip_condition`; when the calls tell nothing, a handler that also catches an
    error of the environment (``environment_error``) is about the environment."""
    capability = environment_error
    for name in tried:
        head, _, _ = name.partition(".")
        last = name.rsplit(".", 1)[-1]
        if "." in name and head not in first_party:
            capability = True  # imported from outside the project: the platform's or a library's
        elif last in stub_names.stubs:
            return False
        elif last in stub_names.optional:
            capability = True
    return capability


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
    """Inside ``try`` with an ``except ImportError`` (or broader), or ``with suppress(ImportError)``:
    the code copes without it."""
    type_checking: bool
    names: tuple[str, ...] = ()
    """What ``from module import a, b`` takes from the module: each may be a submodule."""
    deferred: bool = False
    """Inside a function or method body, or under ``if __name__ == "__main__":``: it runs when the
    function is called or the file executed, not at import time, so it cannot take part in an
    import-time cycle."""
    conditional: bool = False
    """Under an ``if`` (or its ``else``) at import time: it runs where the test holds, as dispatch's
    ``if SECRET_PROVIDER == "metatron-secret": import metatron.decrypt`` or Radicale's
    ``if sys.version_info < (3, 9): import pkg_resources`` do; an optional feature, like an import
    the code copes without."""
    after: str = ""
    """For a statement of a function's body, the module the first import statement of that body
    before it imports (pretalx's ``ipython()``: ``from IPython import start_ipython``, then ``from
    traitlets.config import Config``): this import runs only once that one worked."""


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
    web: WebModule = field(default_factory=WebModule)
    """Routes, routers, view classes, limits and outbound flows (``web_code``), for the web
    collector, which reads those of product code."""
    migration: MigrationModule | None = None
    """Revision names, a Django ``Migration`` class and declared model fields (``migration_code``),
    for the migrations collector; ``None`` when the file did not parse."""
    script: InlineScript | None = None
    """The file's PEP 723 ``# /// script`` block (``script_metadata``): what the script declares
    for itself; ``None`` when it has none."""


