"""One pass of the per-file visitor: skip and xfail markers, skip calls and their conditions;
calls counted as assertions and as uses."""

from __future__ import annotations

import ast
import re

from gonogo.collectors.python_facts.model import (
    ASSERTING_CONTEXTS,
    BENCHMARK_MARKER,
    DEPENDENCY,
    DEPENDENCY_FLAG,
    ENVIRONMENT,
    ENVIRONMENT_NAMES,
    OTHER,
    PLATFORM,
    PLATFORM_NAMES,
    SKIP_CALLS,
    SKIP_EXCEPTIONS,
    SKIP_MARKERS,
    VERSION,
    VERSION_NAMES,
    Skip,
)
from gonogo.collectors.python_facts.predicates import (
    asserting_name,
    asserts,
    call_reason,
    first_text,
    keyword_arg,
    marker_reason,
    on_self,
    platform_word,
    text_of,
)
from gonogo.collectors.python_facts.settings import CORS_CALLS, SettingsPass


def _last_parts(*names: str) -> frozenset[str]:
    return frozenset(name.rsplit(".", 1)[-1] for name in names)


_MARKER_LASTS = _last_parts(*SKIP_MARKERS)
"""The last part of every skip marker's dotted name (``skip``, ``skipif``, ``xfail``...)."""
_NAMED_LASTS = _last_parts(
    *SKIP_MARKERS, *SKIP_CALLS, *SKIP_EXCEPTIONS, *ASSERTING_CONTEXTS, *CORS_CALLS,
)
"""The last part of every dotted name ``visit_Call`` (and ``_record_cors``, ``asserts``) compares."""
_NAMED_CALLS = frozenset({*SKIP_MARKERS, *SKIP_CALLS, *SKIP_EXCEPTIONS, *ASSERTING_CONTEXTS})
"""Every whole dotted name ``visit_Call`` (and ``asserts``) compares a call's name with."""


class SkipsPass(SettingsPass):
    """Skip and xfail markers, skip calls and their conditions; calls as assertions and as uses."""

    def visit_Assign(self, node: ast.Assign) -> None:
        if not self._functions and not self._classes:
            self._record_settings(node)
        for target in node.targets:  # a loop, not ``any``: this runs at every assignment
            if isinstance(target, ast.Name) and target.id == "pytestmark":
                self._visit_pytestmark(node)
                return
        alias = self._marker_definition(node)
        if alias is not None:  # ``needs_db = pytest.mark.skipif(...)``: a skip where it decorates
            context = self._context_condition()
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._marker_aliases[target.id] = (*alias, context if context[0] is not None else None)
            self._watch_names()
            return
        self.generic_visit(node)
    def _visit_pytestmark(self, node: ast.Assign) -> None:
        if any(isinstance(n, ast.expr) and self.resolve(n) == BENCHMARK_MARKER for n in ast.walk(node.value)):
            self._benchmark_scopes.add(self.scope())
        self._pytestmark_scope = self.scope()
        self.visit(node.value)
        self._pytestmark_scope = None
    def _marker_definition(self, node: ast.Assign) -> tuple[str, ast.Call | None] | None:
        value = node.value
        call = value if isinstance(value, ast.Call) else None
        named = call.func if call else value
        if isinstance(named, ast.Attribute) and named.attr not in _MARKER_LASTS:
            return None  # a dotted name ends in the attribute's name: no marker's does (most assignments)
        name = self.resolve(named)
        if name not in SKIP_MARKERS or not all(isinstance(t, ast.Name) for t in node.targets):
            return None
        return name, call
    def visit_Name(self, node: ast.Name) -> None:
        alias = self._marker_aliases.get(node.id)
        if alias is not None and (self._decorator_scope is not None or self._pytestmark_scope is not None):
            name, call, assigned_when = alias
            kind = SKIP_MARKERS[name]
            reason = marker_reason(name, call) if call else None
            condition = self._marker_condition(name, call)
            if assigned_when is not None and condition in (None, (None, None)):
                condition = assigned_when  # the marker skips always, but exists only where that held
            if self._pytestmark_scope is not None:
                self._record(kind, f"pytestmark ({node.id})", reason, node, scope=self._pytestmark_scope,
                             condition=condition)
            else:
                self._record(kind, f"@{node.id}", reason, node, scope=self._decorator_scope, condition=condition)
    def visit_Attribute(self, node: ast.Attribute) -> None:
        # a dotted name ends in the attribute's own name: most cannot be a marker's, and then the
        # one child is visited here, not through ``generic_visit`` (this runs at most attributes)
        if node.attr not in _MARKER_LASTS:
            value = node.value
            method = self._handlers.get(value.__class__)
            if method is not None:
                method(value)
            return
        name = self.resolve(node)
        if name in SKIP_MARKERS:  # a bare marker: @pytest.mark.skip, marks=pytest.mark.xfail
            self._record_marker(node, name, None)
            return
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        """A skip marker made and dropped marks nothing (BookWyrm's ``pytest.mark.skip("...")``
        alone on a line of a class body, one line above the test it was meant to decorate): pytest
        never sees it and the tests run, so it is no skip. Other expression statements are visited
        as usual."""
        value = node.value
        if value.__class__ is ast.Call and self._is_marker(value.func):
            self._visit_arguments(value)
            return
        self.generic_visit(node)

    def _is_marker(self, func: ast.expr) -> bool:
        """``func`` names a skip marker (``SKIP_MARKERS``), import aliases undone."""
        if isinstance(func, ast.Attribute) and func.attr not in _MARKER_LASTS:
            return False
        return self.resolve(func) in SKIP_MARKERS

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        # a method call's dotted name matters only when it ends in one of ``_NAMED_LASTS``, a
        # function's only when it is one of ``_NAMED_CALLS`` or a CORS call: most calls are neither,
        # and take a short way (``_method_call``, ``_function_call``) to the long one's outcome
        if func.__class__ is ast.Attribute and func.attr not in _NAMED_LASTS:
            self._method_call(node, func)
            return
        name: str | None
        if isinstance(func, ast.Name):
            name = self.aliases.get(func.id, func.id)  # ``resolve`` of a name, without the call
            if name not in _NAMED_CALLS and not name.endswith(CORS_CALLS):
                self._function_call(node, func)
                return
        else:
            name = self.resolve(func)
        if name is not None and name.endswith(CORS_CALLS):  # every call comes here: most end otherwise
            self._record_cors(node, name)
        if name in SKIP_MARKERS:
            self._record_marker(node, name, node)
            self._visit_arguments(node)
            return
        if name == "pytest.importorskip":
            module = text_of(node.args[0] if node.args else keyword_arg(node, "modname"))
            self._record("importorskip", f"{name}()", call_reason(name, node), node,
                         condition=(DEPENDENCY, module))
        elif name in SKIP_CALLS:
            self._record(SKIP_CALLS[name], f"{name}()", call_reason(name, node), node)
        elif name in SKIP_EXCEPTIONS:
            pass  # counted where it is raised, in visit_Raise
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "skipTest":
            self._record("skip", "self.skipTest()", first_text(node), node)
        elif self._functions and asserts(name, node):
            self._count_assertion(constant=False)
        elif self._functions and isinstance(node.func, ast.Name):
            self._functions[-1].calls.add(node.func.id)
        elif self._functions and on_self(node.func):
            self._functions[-1].method_calls.add(node.func.attr)
        self._visit_call_parts(node)
    def _method_call(self, node: ast.Call, func: ast.Attribute) -> None:
        """``visit_Call`` for ``x.method(...)`` whose method's name ends no dotted name it compares
        (``_NAMED_LASTS``): its name is not worked out, as nothing would match it."""
        attr = func.attr
        if attr == "skipTest":
            self._record("skip", "self.skipTest()", first_text(node), node)
        elif self._functions:
            if asserting_name(attr):  # ``asserts`` of a method call: its name does not matter
                self._count_assertion(constant=False)
            elif on_self(func):
                self._functions[-1].method_calls.add(attr)
        self._visit_call_parts(node)
    def _function_call(self, node: ast.Call, func: ast.Name) -> None:
        """``visit_Call`` for ``f(...)`` whose name, import aliases undone, is none it compares
        (``_NAMED_CALLS``, ``CORS_CALLS``): an assertion helper's call, or a call to count."""
        if self._functions:
            if asserting_name(func.id):  # ``asserts`` of such a call: only its own name can tell
                self._count_assertion(constant=False)
            else:
                self._functions[-1].calls.add(func.id)
        self._visit_call_parts(node)
    def _visit_call_parts(self, node: ast.Call) -> None:
        """``generic_visit`` of a call, its fields read directly: it runs at every call."""
        handlers = self._handlers
        func = node.func
        method = handlers.get(func.__class__)
        if method is not None:
            method(func)
        for child in node.args:
            method = handlers.get(child.__class__)
            if method is not None:
                method(child)
        method = handlers.get(ast.keyword) if node.keywords else None
        if method is not None:
            for keyword in node.keywords:
                method(keyword)
    def _visit_arguments(self, node: ast.Call) -> None:
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            self.visit(arg)
    def _record_marker(self, node: ast.expr, name: str, call: ast.Call | None) -> None:
        kind = SKIP_MARKERS[name]
        if self._pytestmark_scope is not None:
            form, scope = "pytestmark", self._pytestmark_scope
        elif self._decorator_scope is not None:
            form, scope = f"@{name}", self._decorator_scope
        else:
            form, scope = name, self.scope()
        reason = marker_reason(name, call) if call is not None else None
        condition = self._marker_condition(name, call)
        if condition is None and form == name and self._in_helper():
            # a marker a helper or a hook builds (Black's ``return pytest.mark.skip(...)``, applied
            # by ``pytest_collection_modifyitems`` to the tests whose options are off): its caller
            # decides which tests it reaches, and when
            found = self._context_condition()
            condition = found if found[0] is not None else (OTHER, None)
        self._record(kind, form, reason, node, scope=scope, condition=condition)
    def _record(
        self, kind: str, form: str, reason: str | None, node: ast.AST, scope: str | None = None,
        condition: tuple[str | None, str | None] | None = None,
    ) -> None:
        """``condition`` is (kind, subject), ``(None, None)`` for a skip that always applies, or
        ``None`` to read it from where the skip sits (under an ``if``, in an ``except``)."""
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
                tried=self._stub_tries[-1][0] if in_stub and self._stub_tries else (),
                environment_error=in_stub and bool(self._stub_tries) and self._stub_tries[-1][1],
            )
        )
    def _in_helper(self) -> bool:
        """Inside a function pytest does not collect as a test (a helper, a hook, a fixture)."""
        return bool(self._functions) and not self._functions[-1].node.name.startswith("test")
    def _context_condition(self) -> tuple[str | None, str | None]:
        """What a skip call depends on, from the statements around it."""
        for test in reversed(self._conditions):
            found = self._classify(test)
            if found[0] != OTHER:
                return found
        if self._import_handlers:
            return DEPENDENCY, self._import_handlers[-1]
        if self._conditions or self._other_handlers:
            return OTHER, None  # under an ``if`` it could not name, or in ``except OSError`` and the like
        return None, None
    def _marker_condition(self, name: str, call: ast.Call | None) -> tuple[str | None, str | None] | None:
        """A ``skipif``/``skipIf``/``skipUnless`` marker depends on its condition argument."""
        if SKIP_MARKERS[name] != "skipif":
            return None
        test = call.args[0] if call is not None and call.args else (call and keyword_arg(call, "condition"))
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
        platform = platform_word([*texts, *lasts])
        environment = any(n.startswith(ENVIRONMENT_NAMES) or n.endswith(".environ") for n in names)
        if any(n in PLATFORM_NAMES or n.startswith("platform.") for n in names) or platform:
            # ``darwin and os.getenv("CI")`` is skipped on CI's mac jobs: not a platform question
            return (ENVIRONMENT, None) if environment else (PLATFORM, platform)
        if any(n.startswith(VERSION_NAMES) for n in names) or any(
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
            flag = DEPENDENCY_FLAG.match(name.rsplit(".", 1)[-1])
            if flag:
                return (flag.group(1) or flag.group(2)).lower()
        for node in ast.walk(test):
            if isinstance(node, ast.Call) and (self.resolve(node.func) or "").endswith("find_spec"):
                return text_of(node.args[0]) if node.args else ""
        return None
