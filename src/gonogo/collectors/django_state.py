"""What Django's migrations say each model's fields are, and what ``models.py`` declares, both
read with ``ast`` (nothing is imported), so MIG007 can tell a field added to a model with no
migration.

The migration state replays the operations that change which fields exist (``CreateModel``,
``AddField``, ``RemoveField``, ``RenameField``, ``DeleteModel``, ``RenameModel``, and the
``state_operations`` of ``SeparateDatabaseAndState``) in migration-name order. An operation it
cannot read (a custom operation class, operations built by code) makes the app's state opaque:
the check then says nothing about that app rather than guess. What each migration's operations do
is read from its syntax tree in the per-file pass (``field_changes``, kept with the file's facts);
the replay across an app's migrations (``replay``) runs on those records.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from gonogo.collectors.syntax_nodes import last_name, single_assignment

# operations that change no field set; anything else not modelled below makes the state opaque
_NEUTRAL_OPERATIONS = frozenset({
    "AlterField", "AlterModelOptions", "AlterModelManagers", "AlterModelTable", "AlterModelTableComment",
    "AlterUniqueTogether", "AlterIndexTogether", "AlterOrderWithRespectTo", "AddIndex", "RemoveIndex",
    "RenameIndex", "AddConstraint", "RemoveConstraint", "AlterConstraint", "RunPython", "RunSQL",
    "CreateExtension", "HStoreExtension", "TrigramExtension", "UnaccentExtension", "BtreeGinExtension",
    "BtreeGistExtension", "CITextExtension", "CryptoExtension", "AddIndexConcurrently",
    "RemoveIndexConcurrently", "CreateCollation", "RemoveCollation", "ValidateConstraint",
    "AddConstraintNotValid",
})
# Django's own fields, each a real column (or a many-to-many table) with a migration entry.
# Third-party classes named *Field may be virtual (django-prices' MoneyField combines two
# columns declared elsewhere), so only these are judged.
DJANGO_FIELDS = frozenset({
    "AutoField", "BigAutoField", "SmallAutoField", "BigIntegerField", "BinaryField", "BooleanField",
    "CharField", "DateField", "DateTimeField", "DecimalField", "DurationField", "EmailField", "FileField",
    "FilePathField", "FloatField", "GeneratedField", "GenericIPAddressField", "ImageField", "IntegerField",
    "JSONField", "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField",
    "SmallIntegerField", "TextField", "TimeField", "URLField", "UUIDField", "ForeignKey", "OneToOneField",
    "ManyToManyField", "ArrayField", "HStoreField", "CICharField", "CIEmailField", "CITextField",
})


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldChange:
    """What one operation does to the field sets: ``create`` (``names``: the model's fields),
    ``delete``, ``rename_model`` (``names``: the new name), ``add`` and ``remove`` (``names``: the
    field), ``rename_field`` (``names``: old and new), or ``opaque`` (``why`` it cannot be read;
    nothing after it is read)."""

    kind: str
    model: str = ""
    """Lower case, as Django keys models."""
    names: tuple[str, ...] = ()
    why: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrationState:
    """Field names per model (lower-case model names, as Django keys them), or opaque."""

    fields: dict[str, frozenset[str]]
    opaque: str | None = None
    """Why the state could not be replayed (the first operation that could not be read)."""


def replay(migrations: Iterable[tuple[str, tuple[FieldChange, ...] | None]]) -> MigrationState:
    """The field sets after every migration, given as (name, its ``field_changes``) in apply order."""
    fields: dict[str, set[str]] = {}
    for name, changes in migrations:
        for change in changes or ():
            if change.kind == "opaque":
                return MigrationState(fields={}, opaque=f"{name}: {change.why}")
            _apply(change, fields)
    return MigrationState(fields={model: frozenset(names) for model, names in fields.items()})


def _apply(change: FieldChange, fields: dict[str, set[str]]) -> None:
    model, names = change.model, change.names
    match change.kind:
        case "create":
            fields[model] = set(names)
        case "delete":
            fields.pop(model, None)
        case "rename_model":
            fields[names[0]] = fields.pop(model, set())
        case "add":
            fields.setdefault(model, set()).add(names[0])
        case "remove":
            fields.setdefault(model, set()).discard(names[0])
        case "rename_field":
            known = fields.setdefault(model, set())
            known.discard(names[0])
            known.add(names[1])


def field_changes(migration: ast.ClassDef) -> tuple[FieldChange, ...] | None:
    """What a ``Migration`` class's ``operations`` (its first assignment) do to the field sets,
    up to the first one that cannot be read; ``None`` when it assigns no operations."""
    operations = _assigned(migration, "operations")
    if operations is None:
        return None
    if not isinstance(operations, ast.List | ast.Tuple):
        return (FieldChange(kind="opaque", why="operations are built by code"),)
    changes: list[FieldChange] = []
    why = _read_all(operations.elts, changes)
    if why is not None:
        changes.append(FieldChange(kind="opaque", why=why))
    return tuple(changes)


def declared_fields(module: ast.Module) -> list[tuple[str, str, int]]:
    """(model, field, line) of Django's own fields (``models.CharField(...)``, ``ForeignKey(...)``)
    on the concrete, managed models a module defines directly on ``models.Model`` (abstract, proxy
    and unmanaged models, and models with other bases, are left out: their fields live elsewhere or
    in no table)."""
    found = []
    for node in module.body:
        if not isinstance(node, ast.ClassDef) or not _plain_model(node) or _meta_excludes(node):
            continue
        for item in node.body:
            target, value = single_assignment(item)
            if target is None or not isinstance(value, ast.Call):
                continue
            if _dotted(value.func).removeprefix("models.") not in DJANGO_FIELDS:
                continue
            found.append((node.name, target, item.lineno))
    return found


def _read_all(operations: list[ast.expr], changes: list[FieldChange]) -> str | None:
    for operation in operations:
        if not isinstance(operation, ast.Call):
            return "an operation is not a call"
        why = _read(operation, changes)
        if why is not None:
            return why
    return None


def _read(call: ast.Call, changes: list[FieldChange]) -> str | None:
    kind = last_name(call.func)
    args = _arguments(call, kind)
    match kind:
        case "CreateModel":
            model, listed = _text(args.get("name")), args.get("fields")
            if model is None or not isinstance(listed, ast.List | ast.Tuple):
                return "a CreateModel that cannot be read"
            names = [_text(e.elts[0]) for e in listed.elts if isinstance(e, ast.Tuple) and e.elts]
            if any(n is None for n in names):
                return "a CreateModel field that cannot be read"
            named = tuple(sorted({n for n in names if n}))
            changes.append(FieldChange(kind="create", model=model.lower(), names=named))
        case "DeleteModel":
            changes.append(FieldChange(kind="delete", model=(_text(args.get("name")) or "").lower()))
        case "RenameModel":
            old, new = _text(args.get("old_name")), _text(args.get("new_name"))
            if old is None or new is None:
                return "a RenameModel that cannot be read"
            changes.append(FieldChange(kind="rename_model", model=old.lower(), names=(new.lower(),)))
        case "AddField" | "RemoveField":
            model, name = _text(args.get("model_name")), _text(args.get("name"))
            if model is None or name is None:
                return f"an {kind} that cannot be read"
            changes.append(FieldChange(kind="add" if kind == "AddField" else "remove", model=model.lower(),
                                       names=(name,)))
        case "RenameField":
            model, old, new = (_text(args.get(k)) for k in ("model_name", "old_name", "new_name"))
            if model is None or old is None or new is None:
                return "a RenameField that cannot be read"
            changes.append(FieldChange(kind="rename_field", model=model.lower(), names=(old, new)))
        case "SeparateDatabaseAndState":
            state = args.get("state_operations")
            if state is None:
                return None
            if not isinstance(state, ast.List | ast.Tuple):
                return "state_operations built by code"
            return _read_all(state.elts, changes)
        case _ if kind in _NEUTRAL_OPERATIONS:
            return None
        case _:
            return f"operation {kind or 'of unknown kind'} is not one Django ships"
    return None


_POSITIONAL = {
    "CreateModel": ("name", "fields"),
    "DeleteModel": ("name",),
    "RenameModel": ("old_name", "new_name"),
    "AddField": ("model_name", "name", "field"),
    "RemoveField": ("model_name", "name"),
    "RenameField": ("model_name", "old_name", "new_name"),
    "SeparateDatabaseAndState": ("database_operations", "state_operations"),
}


def _arguments(call: ast.Call, kind: str) -> dict[str, ast.expr]:
    named = dict(zip(_POSITIONAL.get(kind, ()), call.args, strict=False))
    named.update({k.arg: k.value for k in call.keywords if k.arg})
    return named


def _plain_model(node: ast.ClassDef) -> bool:
    return len(node.bases) == 1 and _dotted(node.bases[0]) in ("models.Model", "Model")


def _meta_excludes(node: ast.ClassDef) -> bool:
    meta = next((n for n in node.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)
    if meta is None:
        return False
    for option in ("abstract", "proxy"):
        value = _assigned(meta, option)
        if not (isinstance(value, ast.Constant) and value.value is False) and value is not None:
            return True
    managed = _assigned(meta, "managed")
    return managed is not None and not (isinstance(managed, ast.Constant) and managed.value is True)


def _assigned(node: ast.ClassDef, name: str) -> ast.expr | None:
    for item in node.body:
        target, value = single_assignment(item)
        if target == name:
            return value
    return None


def _dotted(node: ast.expr) -> str:
    match node:
        case ast.Name(id=name):
            return name
        case ast.Attribute(value=value, attr=attr):
            return f"{_dotted(value)}.{attr}"
    return ""


def _text(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
