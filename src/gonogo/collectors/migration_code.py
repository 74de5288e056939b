"""What one Python module says to the migrations collector, read in the one per-file pass.

An Alembic revision's ``revision``, ``down_revision`` and ``branch_labels``; a Django migration's
``Migration`` class (its ``dependencies``, ``replaces``, and what its ``operations`` do to each
model's fields); and the Django fields a models module declares. These used to be read by parsing
every migration and models file a second time in the scan's thread, on every scan that was not
reused: 0.4 s of a warm scan of saleor's 1,462 migrations, spent again after any edit. Here they
depend only on the file's syntax tree, so they are worked out with its other facts, in the worker
that parses it, and cached with them by content. Which file is a revision, a migration or a models
module depends on its path, which the collector (``migrations``) decides; each file's part costs
a look at its top-level statements only.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from gonogo.collectors.django_state import FieldChange, declared_fields, field_changes
from gonogo.collectors.syntax_nodes import single_assignment

REVISION_NAMES = ("revision", "down_revision", "branch_labels")


@dataclass(frozen=True, slots=True, kw_only=True)
class Assigned:
    """A module-level ``name = value``: the last one, as Python leaves the name bound."""

    name: str
    strings: tuple[str, ...] | None
    """The value as ``strings_of`` reads it: ``None`` when it is not strings, ``None`` or a list."""
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrationClass:
    """A module's ``class Migration`` (the first one), as Django reads it."""

    dependencies: tuple[tuple[str, str], ...]
    replaces: tuple[tuple[str, str], ...]
    changes: tuple[FieldChange, ...] | None
    """What ``operations`` does to the field sets, in order (``django_state.field_changes``);
    ``None`` when the class assigns no ``operations``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrationModule:
    """The parts of one parsed module the migrations collector may read."""

    revision_names: tuple[Assigned, ...] = ()
    migration: MigrationClass | None = None
    model_fields: tuple[tuple[str, str, int], ...] = ()
    """(model, field, line) of each Django field the module's concrete models declare."""


def migration_module_in(tree: ast.Module) -> MigrationModule:
    """The module's revision names, ``Migration`` class and declared model fields."""
    migration = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"), None)
    revision_names = _last_assignments(tree.body, REVISION_NAMES)
    return MigrationModule(
        revision_names=tuple(
            Assigned(name=name, strings=strings_of(value), line=line) for name, (value, line) in revision_names.items()
        ),
        migration=_migration_class(migration) if migration is not None else None,
        model_fields=tuple(declared_fields(tree)),
    )


def strings_of(node: ast.expr | None) -> tuple[str, ...] | None:
    """A string, ``None`` or a tuple/list of strings as written; ``None`` when it is anything else."""
    match node:
        case ast.Constant(value=None):
            return ()
        case ast.Constant(value=str() as value):
            return (value,)
        case ast.Tuple(elts=items) | ast.List(elts=items):
            values = [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]
            return tuple(values) if len(values) == len(items) else None
    return None


def _last_assignments(body: list[ast.stmt], names: tuple[str, ...]) -> dict[str, tuple[ast.expr | None, int]]:
    """(value, line) of the last assignment to each of ``names``: the one Python leaves bound."""
    found: dict[str, tuple[ast.expr | None, int]] = {}
    for statement in body:
        name, value = single_assignment(statement)
        if name in names:
            found[name] = (value, statement.lineno)
    return found


def _migration_class(node: ast.ClassDef) -> MigrationClass:
    values = _last_assignments(node.body, ("dependencies", "replaces"))
    return MigrationClass(
        dependencies=_pairs(values.get("dependencies", (None, 0))[0]),
        replaces=_pairs(values.get("replaces", (None, 0))[0]),
        changes=field_changes(node),
    )


def _pairs(node: ast.expr | None) -> tuple[tuple[str, str], ...]:
    """``("app", "0001_initial")`` pairs; ``swappable_dependency(...)`` and the like are other
    apps' business and left out."""
    if not isinstance(node, ast.List | ast.Tuple):
        return ()
    pairs = []
    for item in node.elts:
        values = strings_of(item)
        if values is not None and len(values) == 2:
            pairs.append((values[0], values[1]))
    return tuple(pairs)
