"""What one Python source file says, read from its syntax tree alone.

``extract(source)`` parses a file once and records, without judging: its functions (length,
whether the body is a stub, whether a test can fail), its skip and xfail markers with their reasons,
and its imports. It depends only on the file's bytes, never on its path, so the result can be cached
by content hash; the path-dependent questions (is this a test file?) are answered by the checks.
Nothing from the file is ever imported or run.
"""

from __future__ import annotations

import ast
import gc

import mccabe

from gonogo.collectors.dict_passwords import dict_passwords_in
from gonogo.collectors.migration_code import MigrationModule, migration_module_in
from gonogo.collectors.python_facts.caller_guards import guarded_by_callers
from gonogo.collectors.python_facts.imports import ImportsPass
from gonogo.collectors.python_facts.model import (
    CONDITIONS,
    DEPENDENCY,
    ENVIRONMENT,
    EXTRACTOR_VERSION,
    MODULE_SCOPE,
    OTHER,
    PLATFORM,
    RAISES_NOT_IMPLEMENTED,
    VERSION,
    ClassInfo,
    CorsCall,
    Function,
    Import,
    ModuleFacts,
    ProjectCode,
    Setting,
    Skip,
    StubNames,
    skip_condition,
)
from gonogo.collectors.python_text import text_facts
from gonogo.collectors.script_metadata import inline_script
from gonogo.collectors.sql_strings import sql_sinks_in
from gonogo.collectors.syntax_nodes import SyntaxNodes
from gonogo.collectors.web_code import WebModule, has_marker, web_module_in
from gonogo.source_lines import python_lines

__all__ = [
    "CONDITIONS",
    "DEPENDENCY",
    "ENVIRONMENT",
    "EXTRACTOR_VERSION",
    "MODULE_SCOPE",
    "OTHER",
    "PLATFORM",
    "RAISES_NOT_IMPLEMENTED",
    "TOO_DEEP",
    "VERSION",
    "ClassInfo",
    "CorsCall",
    "Function",
    "Import",
    "ModuleFacts",
    "ProjectCode",
    "Setting",
    "Skip",
    "StubNames",
    "extract",
    "skip_condition",
]


TOO_DEEP = "too deeply nested to analyse"
"""The parse error of a file that parsed, with a tree too deep for the visitor to walk."""


class _Visitor(ImportsPass):
    """One pass over a module's tree, keeping the enclosing class, function and handlers in view.
    Each job is a class of its own (``settings``, ``skips``, ``definitions``, ``imports``), stacked
    into this one visitor, so the tree is still walked once."""


def extract(source: bytes) -> ModuleFacts:
    """Facts of one file's bytes. A file that does not parse yields the error and its line.

    Every rule that reads a Python file runs here, on this one parse, so that the whole per-file
    work of a scan is done once, in the worker processes, and cached by content."""
    # a syntax tree holds no reference cycles (reference counting frees it), yet its hundreds of
    # thousands of nodes set off the cycle collector dozens of times per file, to find nothing:
    # that costs as much as a third of the parse
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _extract(source)
    finally:
        if collecting:
            gc.enable()


def _extract(source: bytes) -> ModuleFacts:
    text = source.decode("utf-8", errors="replace")
    lines = python_lines(text)  # as the tree numbers them: a form feed ends no line
    script = inline_script(text)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return ModuleFacts(
            lines=len(lines), parse_error=f"{exc.msg}", error_line=exc.lineno, text=text_facts(source, None),
            web=_unparsed_web(source), script=script,
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        return ModuleFacts(
            lines=len(lines), parse_error=f"{type(exc).__name__}: {exc}", text=text_facts(source, None),
            web=_unparsed_web(source), script=script,
        )
    nodes = SyntaxNodes(tree)  # every node by kind, listed once, for the rules that read them so
    sinks = tuple(sql_sinks_in(tree, source, nodes))
    scanned = text_facts(source, tree, nodes, read=(text, lines))
    routes = web_module_in(tree, source, lines, nodes)
    passwords = tuple(dict_passwords_in(text, nodes))  # last: the rules above may have listed the nodes
    migration = _migration_module(tree)
    visitor = _Visitor(lines, _complexities(tree))
    try:
        visitor.visit(tree)
        visitor.exempt_revision_hooks(tree)
    except RecursionError:
        return ModuleFacts(
            lines=len(lines), parse_error=TOO_DEEP, sql_sinks=sinks,
            dict_passwords=passwords, text=scanned, web=routes, migration=migration, script=script,
        )
    return ModuleFacts(
        sql_sinks=sinks,
        dict_passwords=passwords,
        text=scanned,
        web=routes,
        migration=migration,
        lines=len(lines),
        functions=tuple(visitor.marked_benchmarks()),
        skips=tuple(visitor.skips),
        imports=guarded_by_callers(tree, nodes, visitor.imports),
        classes=tuple(visitor.classes),
        names=frozenset(visitor.aliases),
        settings=tuple(visitor.settings),
        cors=tuple(visitor.cors),
        script=script,
    )


def _migration_module(tree: ast.Module) -> MigrationModule | None:
    """``migration_code``'s facts; ``None`` (not read) for a name chain too deep to follow."""
    try:
        return migration_module_in(tree)
    except RecursionError:
        return None


def _unparsed_web(source: bytes) -> WebModule:
    """A file that does not parse has no web facts, only the mark that it was not read, when it
    might have had some (``web_module``)."""
    return WebModule(parse_error=True) if has_marker(source) else WebModule()


class _PathGrapher(mccabe.PathGraphingAstVisitor):  # type: ignore[misc]  # mccabe ships no types
    """mccabe's own visitor and graphs, less the label it formats for every simple statement
    (``"Stmt 12"``): a path node's label is only printed by mccabe's graph output, never counted
    (a graph's nodes are told apart by identity), and formatting it costs about a fifth of
    mccabe's time on a large file. The complexities are the same."""

    def visitSimpleStatement(self, node: ast.stmt) -> None:  # mccabe's name
        self.appendPathNode("")


def _complexities(tree: ast.Module) -> dict[int, int]:
    """mccabe's complexity by the line of each ``def``, for the visitor to give each function as
    it records it. mccabe walks the tree already parsed, so the file is not parsed twice; a tree
    too deep for it has no complexity."""
    visitor = _PathGrapher()
    try:
        visitor.preorder(tree, visitor)
    except RecursionError:
        return {}
    return {graph.lineno: graph.complexity() for graph in visitor.graphs.values()}

