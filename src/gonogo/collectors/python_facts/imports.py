"""One pass of the per-file visitor: imports, and the ``if``/``try`` context that makes an
import optional, type-only or deferred."""

from __future__ import annotations

import ast
import itertools

from gonogo.collectors.python_facts.definitions import DefinitionsPass
from gonogo.collectors.python_facts.model import (
    BROAD_EXCEPTIONS,
    IMPORT_ERRORS,
    IMPORT_GUARDS,
    NOT_IMPLEMENTED,
    TRIED_NODES,
    Import,
)
from gonogo.collectors.python_facts.predicates import (
    is_main_guard,
    reraises,
)


class ImportsPass(DefinitionsPass):
    """Imports, and the ``if``/``try`` context that makes one optional, type-only or deferred."""

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases.setdefault(top, top)
            self._note_optional(alias.asname or alias.name.split(".")[0], alias.name)
            self._add_import(alias.name, node.lineno, 0, after=self._first_import_before(node))
    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if node.level == 0 and alias.name != "*":
                self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
            self._note_optional(alias.asname or alias.name, module or alias.name)
        self._add_import(
            module, node.lineno, node.level, tuple(a.name for a in node.names), self._first_import_before(node)
        )
    def _note_optional(self, name: str, module: str) -> None:
        """A name bound by an import the code copes without: ``skipif(greenlet is None)`` then
        depends on that distribution."""
        if self._optional_imports > 0:
            self._optional_names[name] = module.split(".")[0]
    def _first_import_before(self, node: ast.Import | ast.ImportFrom) -> str:
        """The module the first import statement of the enclosing function's body imports, when
        ``node`` is a later statement of that body (``Import.after``); else ``""``. The body is
        visited in order, so the first one is noted when met: one look per import, however many."""
        if not self._functions:
            return ""
        state = self._functions[-1]
        if state.body is None:
            state.body = frozenset(map(id, state.node.body))
        if id(node) not in state.body:
            return ""  # nested in a compound statement: not known to run after the first
        if state.first_import is None:
            relative = isinstance(node, ast.ImportFrom) and node.level
            state.first_import = "" if relative else _imported(node)
            return ""
        return state.first_import
    def _add_import(
        self, module: str, line: int, level: int, names: tuple[str, ...] = (), after: str = ""
    ) -> None:
        self.imports.append(
            Import(
                module=module,
                line=line,
                level=level,
                optional=self._optional_imports > 0,
                type_checking=self._type_checking > 0,
                names=names,
                deferred=bool(self._functions) or self._main_guard > 0,
                conditional=bool(self._conditions),
                after=after,
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
        main = is_main_guard(node.test)
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
        optional = any(names & IMPORT_GUARDS for names in catches)
        swallows = any(
            names & BROAD_EXCEPTIONS and not reraises(handler)
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
        calls = self._calls_in(node.body) if any(NOT_IMPLEMENTED in names for names in catches) else ()
        for handler, names in zip(node.handlers, catches, strict=True):
            catches_stub = NOT_IMPLEMENTED in names
            catches_import = bool(names & IMPORT_ERRORS)
            catches_other = not (catches_stub or catches_import)
            self._not_implemented_handlers += catches_stub
            self._other_handlers += catches_other
            if catches_import:
                self._import_handlers.append(tried)
            if catches_stub:
                # ``except (OSError, NotImplementedError)``: the platform may refuse (a symlink)
                self._stub_tries.append((calls, not names <= {NOT_IMPLEMENTED, *BROAD_EXCEPTIONS}))
            self.visit(handler)
            if catches_import:
                self._import_handlers.pop()
            if catches_stub:
                self._stub_tries.pop()
            self._not_implemented_handlers -= catches_stub
            self._other_handlers -= catches_other
        for child in node.orelse:
            self.visit(child)
        self._optional_imports -= optional
        for child in node.finalbody:
            self.visit(child)
    visit_TryStar = visit_Try
    def _calls_in(self, body: list[ast.stmt]) -> tuple[str, ...]:
        """What ``body`` calls, as ``Skip.tried`` names it: an imported name in full, any other
        by its last part; each once, in order. The walk stops after ``TRIED_NODES`` nodes, so
        ``try`` blocks nested in one another cannot make it read a huge body once per level."""
        names: dict[str, None] = {}
        walked = itertools.chain.from_iterable(ast.walk(statement) for statement in body)
        for node in itertools.islice(walked, TRIED_NODES):
            if not isinstance(node, ast.Call):
                continue
            head = node.func
            while isinstance(head, ast.Attribute):
                head = head.value
            if isinstance(head, ast.Name) and head.id in self.aliases:
                name = self.resolve(node.func) or ""
            elif isinstance(node.func, ast.Attribute):
                name = node.func.attr
            else:
                name = node.func.id if isinstance(node.func, ast.Name) else ""
            if name:
                names[name] = None
        return tuple(names)
        return tuple(names)
    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        """``with suppress(ImportError): import x`` is ``try: import x / except ImportError:
        pass`` written shorter (pretalx's optional django_extensions): its imports are optional."""
        optional = any(self._suppresses_import_errors(item.context_expr) for item in node.items)
        self._optional_imports += optional
        self.generic_visit(node)
        self._optional_imports -= optional
    visit_AsyncWith = visit_With
    def _suppresses_import_errors(self, expr: ast.expr) -> bool:
        if not isinstance(expr, ast.Call) or (self.resolve(expr.func) or "").rsplit(".", 1)[-1] != "suppress":
            return False
        return bool(self._class_names(expr.args) & IMPORT_GUARDS)
    def _caught(self, handler: ast.ExceptHandler) -> set[str]:
        if handler.type is None:
            return {"BaseException"}
        return self._class_names(handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type])
    def _class_names(self, nodes: list[ast.expr]) -> set[str]:
        """The last names of the exception classes these expressions name, aliases undone."""
        return {(self.resolve(n) or "").rsplit(".", 1)[-1] for n in nodes}


def _imported(node: ast.Import | ast.ImportFrom) -> str:
    return node.names[0].name if isinstance(node, ast.Import) else node.module or ""
