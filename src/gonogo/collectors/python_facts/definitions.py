"""One pass of the per-file visitor: classes and functions: length, stubs, assertions, benchmarks."""

from __future__ import annotations

import ast
from dataclasses import replace

from gonogo.collectors.python_facts.model import (
    ABSTRACT_DECORATORS,
    BENCHMARK_FIXTURE,
    BENCHMARK_MARKER,
    MODULE_SCOPE,
    SKIP_EXCEPTIONS,
    ClassInfo,
    Function,
)
from gonogo.collectors.python_facts.predicates import (
    always_true,
    first_text,
    stub_kind,
)
from gonogo.collectors.python_facts.scope import (
    ClassState,
    FunctionState,
)
from gonogo.collectors.python_facts.skips import SkipsPass

_HOOKS = frozenset({"upgrade", "downgrade"})
"""An Alembic revision's functions (``DefinitionsPass.exempt_revision_hooks``)."""


def _count_in(parent: FunctionState, nested: FunctionState) -> None:
    """A nested function's assertions and calls, counted for the function that defines it."""
    parent.assertions += nested.assertions
    parent.constant += nested.constant
    parent.swallowed += nested.swallowed
    parent.calls |= nested.calls
    parent.method_calls |= nested.method_calls


class DefinitionsPass(SkipsPass):
    """Classes and functions: length, stubs, assertions, benchmarks."""

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = [self.resolve(b) or "" for b in node.bases]
        keywords = [self.resolve(k.value) or "" for k in node.keywords]
        state = ClassState(
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
        state = FunctionState(node=node, qualname=qualname)
        skips_before = len(self.skips)
        self._visit_decorators(node.decorator_list, scope=qualname)
        state.skipped = len(self.skips) > skips_before
        for default in node.args.defaults:
            self.visit(default)
        for keyword_default in node.args.kw_defaults:
            if keyword_default is not None:
                self.visit(keyword_default)
        self._functions.append(state)
        outer_swallow, self._swallowing_tries = self._swallowing_tries, 0
        outer_conditions, self._conditions = self._conditions, []
        outer_handlers, self._import_handlers = self._import_handlers, []
        outer_other_handlers, self._other_handlers = self._other_handlers, 0
        skips_in_body = len(self.skips)
        self._visit_body(node.body)
        self._swallowing_tries = outer_swallow
        self._conditions, self._import_handlers = outer_conditions, outer_handlers
        self._other_handlers = outer_other_handlers
        self._functions.pop()
        state.skipped = state.skipped or len(self.skips) > skips_in_body
        nested = bool(self._functions)
        if nested:  # a nested helper's assertions and calls count for the test that defines it
            _count_in(self._functions[-1], state)
        stub = stub_kind(node.body)
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
                    (decorators and any(d.rsplit(".", 1)[-1] in ABSTRACT_DECORATORS for d in decorators))
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
                benchmark=BENCHMARK_MARKER in decorators or _takes_fixture(node.args),
                # mccabe counts a nested function's branches in the function that defines it
                complexity=None if nested else self.complexities.get(node.lineno),
            )
        )
    def _visit_body(self, body: list[ast.stmt]) -> None:
        """A function's statements. After a guard clause (``if available: return url``), what
        follows runs only when its test fails, as if it sat in its ``else`` (httpie's fixtures
        skip so); the caller restores the conditions when the function ends."""
        for child in body:
            self.visit(child)
            if isinstance(child, ast.If) and _leaves(child):
                self._conditions.append(child.test)
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

    def exempt_revision_hooks(self, module: ast.Module) -> None:
        """An Alembic revision's ``upgrade`` and ``downgrade`` are the framework's hooks: one that
        does nothing (``pass``, a docstring) says the revision has nothing to undo, and is not a
        stub. A revision is a module that assigns ``revision`` and ``down_revision``."""
        assigned = {
            target.id
            for statement in module.body
            if isinstance(statement, ast.Assign | ast.AnnAssign)
            for target in (statement.targets if isinstance(statement, ast.Assign) else [statement.target])
            if isinstance(target, ast.Name)
        }
        if not {"revision", "down_revision"} <= assigned:
            return
        self.functions = [
            replace(f, stub_exempt=True) if f.stub and not f.class_name and not f.nested and f.name in _HOOKS else f
            for f in self.functions
        ]

    def _visit_decorators(self, decorators: list[ast.expr], scope: str) -> None:
        self._decorator_scope = scope
        for decorator in decorators:
            self.visit(decorator)
        self._decorator_scope = None
    def visit_Raise(self, node: ast.Raise) -> None:
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        name = self.resolve(target) if target is not None else None
        if name and (name in SKIP_EXCEPTIONS or name.endswith(".SkipTest")):
            reason = first_text(node.exc) if isinstance(node.exc, ast.Call) else None
            self._record("skip", f"raise {name.rsplit('.', 1)[-1]}", reason, node)
            return
        if self._functions and node.exc is not None:
            self._count_assertion(constant=False)  # an explicit raise is a way to fail
        self.generic_visit(node)
    def visit_Assert(self, node: ast.Assert) -> None:
        if self._functions:
            self._count_assertion(constant=always_true(node.test))
        self.generic_visit(node)


def _takes_fixture(arguments: ast.arguments) -> bool:
    """A parameter (positional or keyword) is named for pytest-benchmark's fixture: loops, not a
    list of them all and a generator, as it runs for every function of every file."""
    for group in (arguments.posonlyargs, arguments.args, arguments.kwonlyargs):
        for argument in group:
            if argument.arg == BENCHMARK_FIXTURE:
                return True
    return False


def _leaves(statement: ast.If) -> bool:
    """An ``if`` with no ``else`` whose body always ends the function (``return``, ``raise``)."""
    return not statement.orelse and bool(statement.body) and isinstance(statement.body[-1], ast.Return | ast.Raise)
