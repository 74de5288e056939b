"""The ``migrations`` fact: Alembic revision graphs and Django migration graphs, read from the
migration files with ``ast`` (never imported), each node with its file and line.

Alembic: a ``versions/`` folder next to an ``env.py`` is a script location; each file's
module-level ``revision``, ``down_revision`` and ``branch_labels``. Django: a ``migrations/``
package; each ``Migration`` class's ``dependencies`` and ``replaces``.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field

from gonogo.collectors.django_state import DeclaredField, MigrationState, declared_fields, replay
from gonogo.collectors.python import _TEMPLATE_PATH
from gonogo.registry import collector
from gonogo.workspace import FileReadError, SourceFile, Workspace


@dataclass(frozen=True, slots=True, kw_only=True)
class Revision:
    file: SourceFile
    line: int | None
    revision: str
    down: tuple[str, ...]
    branch_labels: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AlembicHistory:
    folder: str
    """The ``versions`` folder, as reports name it."""
    revisions: tuple[Revision, ...]
    unreadable: tuple[tuple[SourceFile, int | None, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DjangoMigration:
    file: SourceFile
    name: str
    dependencies: tuple[tuple[str, str], ...]
    replaces: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DjangoApp:
    folder: str
    label: str
    migrations: tuple[DjangoMigration, ...]
    unreadable: tuple[tuple[SourceFile, int | None, str], ...] = ()
    state: MigrationState = field(default_factory=lambda: MigrationState(fields={}, opaque="not read"))
    """The fields each model has once every migration is applied."""
    declared: tuple[DeclaredField, ...] = ()
    """The fields the app's ``models.py`` (or ``models/`` package) declares on concrete models."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrationFacts:
    alembic: tuple[AlembicHistory, ...] = ()
    django: tuple[DjangoApp, ...] = ()
    alembic_setups: tuple[SourceFile, ...] = ()
    """Every ``alembic.ini`` and ``script.py.mako`` (what ``alembic init`` writes): where an
    Alembic environment was set up, even before its first revision."""


@collector("migrations")
def migrations(workspace: Workspace) -> MigrationFacts:
    paths = {(f.root, f.relpath) for f in workspace.files}
    alembic: dict[tuple[str, str], list[SourceFile]] = {}
    django: dict[tuple[str, str], list[SourceFile]] = {}
    model_files: dict[tuple[str, str], list[SourceFile]] = {}
    for file in workspace.files:
        if file.suffix != ".py":
            continue
        folder, _, _ = file.relpath.rpartition("/")
        if file.name == "models.py":
            model_files.setdefault((str(file.root), folder), []).append(file)
        elif folder.endswith("/models") or folder == "models":
            model_files.setdefault((str(file.root), folder.rpartition("/")[0]), []).append(file)
        if file.name == "__init__.py":
            continue
        parent, _, leaf = folder.rpartition("/")
        if leaf == "versions" and (file.root, f"{parent}/env.py".lstrip("/")) in paths:
            alembic.setdefault((str(file.root), folder), []).append(file)
        elif (
            leaf == "migrations"
            and (file.root, f"{folder}/__init__.py") in paths
            and not file.name.startswith(("_", "~"))
        ):
            django.setdefault((str(file.root), folder), []).append(file)
    return MigrationFacts(
        alembic=tuple(_alembic(workspace, files) for _, files in sorted(alembic.items())),
        django=tuple(
            _django(workspace, files, model_files.get((root, folder.rpartition("/")[0]), []))
            for (root, folder), files in sorted(django.items())
        ),
        alembic_setups=tuple(f for f in workspace.files if f.name in ("alembic.ini", "script.py.mako")),
    )


def _parse(workspace: Workspace, file: SourceFile) -> ast.Module | tuple[int | None, str] | None:
    """The module; (line, reason) when it cannot be read; ``None`` for a project template's file
    (``{{cookiecutter.project_slug}}/...``), which is Python only once rendered."""
    try:
        return ast.parse(workspace.read_text(file), filename=file.relpath)
    except FileReadError as exc:
        return None, str(exc)
    except (SyntaxError, ValueError) as exc:
        if _TEMPLATE_PATH.search(file.relpath):
            return None
        return getattr(exc, "lineno", None), f"does not parse: {getattr(exc, 'msg', exc)}"


def _strings(node: ast.expr | None) -> tuple[str, ...] | None:
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


def _assignments(module: ast.Module) -> dict[str, tuple[ast.expr | None, int]]:
    found: dict[str, tuple[ast.expr | None, int]] = {}
    for statement in module.body:
        match statement:
            case ast.Assign(targets=[ast.Name(id=name)], value=value):
                found[name] = (value, statement.lineno)
            case ast.AnnAssign(target=ast.Name(id=name), value=value):
                found[name] = (value, statement.lineno)
    return found


def _alembic(workspace: Workspace, files: list[SourceFile]) -> AlembicHistory:
    revisions: list[Revision] = []
    unreadable: list[tuple[SourceFile, int | None, str]] = []
    for file in sorted(files, key=lambda f: f.relpath):
        module = _parse(workspace, file)
        if module is None:
            continue
        if isinstance(module, tuple):
            unreadable.append((file, *module))
            continue
        names = _assignments(module)
        revision = _strings(names.get("revision", (None, 0))[0])
        down = _strings(names.get("down_revision", (None, 0))[0])
        if not revision or "down_revision" not in names or down is None:
            unreadable.append((file, None, "has no literal revision and down_revision"))
            continue
        labels = _strings(names.get("branch_labels", (None, 0))[0])
        revisions.append(
            Revision(
                file=file,
                line=names["revision"][1],
                revision=revision[0],
                down=down,
                branch_labels=bool(labels) or labels is None,
            )
        )
    folder = files[0].display.rpartition("/")[0]
    return AlembicHistory(folder=folder, revisions=tuple(revisions), unreadable=tuple(unreadable))


def _django(workspace: Workspace, files: list[SourceFile], model_files: list[SourceFile]) -> DjangoApp:
    found: list[DjangoMigration] = []
    unreadable: list[tuple[SourceFile, int | None, str]] = []
    classes: list[tuple[str, ast.ClassDef]] = []
    for file in sorted(files, key=lambda f: f.relpath):
        module = _parse(workspace, file)
        if module is None:
            continue
        if isinstance(module, tuple):
            unreadable.append((file, *module))
            continue
        body = next(
            (n for n in module.body if isinstance(n, ast.ClassDef) and n.name == "Migration"), None
        )
        if body is None:
            continue  # Django loads every module of the package, but only a Migration class counts
        names = _assignments(ast.Module(body=body.body, type_ignores=[]))
        classes.append((file.name.removesuffix(".py"), body))
        found.append(
            DjangoMigration(
                file=file,
                name=file.name.removesuffix(".py"),
                dependencies=_pairs(names.get("dependencies", (None, 0))[0]),
                replaces=_pairs(names.get("replaces", (None, 0))[0]),
            )
        )
    folder = files[0].display.rpartition("/")[0]
    declared: list[DeclaredField] = []
    for model_file in sorted(model_files, key=lambda f: f.relpath):
        module = _parse(workspace, model_file)
        if isinstance(module, ast.Module):
            declared.extend(declared_fields(module, model_file))
    return DjangoApp(
        folder=folder,
        label=_label(folder, found),
        migrations=tuple(found),
        unreadable=tuple(unreadable),
        state=replay(classes) if not unreadable else MigrationState(fields={}, opaque="a migration does not parse"),
        declared=tuple(declared),
    )


def _pairs(node: ast.expr | None) -> tuple[tuple[str, str], ...]:
    """``("app", "0001_initial")`` pairs; ``swappable_dependency(...)`` and the like are other
    apps' business and left out."""
    if not isinstance(node, ast.List | ast.Tuple):
        return ()
    pairs = []
    for item in node.elts:
        values = _strings(item)
        if values is not None and len(values) == 2:
            pairs.append((values[0], values[1]))
    return tuple(pairs)


def _label(folder: str, found: list[DjangoMigration]) -> str:
    """The app label its own migrations use for each other (an ``AppConfig.label`` may differ
    from the folder name): the label most often paired with a name of this folder."""
    own = {m.name for m in found}
    labels = Counter(label for m in found for label, name in m.dependencies if name in own)
    default = folder.rstrip("/").rsplit("/", 2)[-2] if "/" in folder else folder
    return labels.most_common(1)[0][0] if labels else default
