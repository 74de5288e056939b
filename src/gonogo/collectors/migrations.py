"""The ``migrations`` fact: Alembic revision graphs and Django migration graphs, read from the
migration files with ``ast`` (never imported), each node with its file and line.

Alembic: a ``versions/`` folder next to an ``env.py`` is a script location; each file's
module-level ``revision``, ``down_revision`` and ``branch_labels``. Django: a ``migrations/``
package; each ``Migration`` class's ``dependencies`` and ``replaces``. What each file says is read
in the one per-file pass and cached with its facts (``migration_code``); here only the paths are
judged and the graphs built, so no file is parsed twice and a warm scan parses none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from gonogo.collectors.django_state import FieldChange, MigrationState, replay
from gonogo.collectors.migration_code import MigrationModule
from gonogo.collectors.python import _TEMPLATE_PATH, PythonFacts, PythonFile
from gonogo.collectors.python_facts import TOO_DEEP
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
class DeclaredField:
    model: str
    name: str
    file: SourceFile
    line: int


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
def migrations(workspace: Workspace, python: PythonFacts) -> MigrationFacts:
    read = _Reader(workspace, python.by_file())
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
        alembic=tuple(_alembic(read, files) for _, files in sorted(alembic.items())),
        django=tuple(
            _django(read, files, model_files.get((root, folder.rpartition("/")[0]), []))
            for (root, folder), files in sorted(django.items())
        ),
        alembic_setups=tuple(f for f in workspace.files if f.name in ("alembic.ini", "script.py.mako")),
    )


class _Reader:
    """Each file's ``migration_code`` facts, from the per-file pass."""

    def __init__(self, workspace: Workspace, parsed: dict[SourceFile, PythonFile]) -> None:
        self._workspace = workspace
        self._parsed = parsed

    def __call__(self, file: SourceFile) -> MigrationModule | tuple[int | None, str] | None:
        """The file's facts; (line, reason) when it cannot be read; ``None`` for a project
        template's file (``{{cookiecutter.project_slug}}/...``), which is Python only once rendered."""
        item = self._parsed.get(file)
        if item is None:  # the pass could not read it (and noted why): the same error says why here
            try:
                self._workspace.read_text(file)
            except FileReadError as exc:
                return None, str(exc)
            return None, "not read by the per-file pass"
        facts = item.facts
        if facts.migration is not None:
            return facts.migration
        error = facts.parse_error
        if error is None or error == TOO_DEEP:  # it parsed: what failed is reading it here
            return None, "parses only with a newer Python" if item.parsed_by else "is too deeply nested to read"
        if _TEMPLATE_PATH.search(file.relpath):
            return None
        return facts.error_line, f"does not parse: {error.removeprefix('ValueError: ')}"


def _alembic(read: _Reader, files: list[SourceFile]) -> AlembicHistory:
    revisions: list[Revision] = []
    unreadable: list[tuple[SourceFile, int | None, str]] = []
    for file in sorted(files, key=lambda f: f.relpath):
        module = read(file)
        if module is None:
            continue
        if isinstance(module, tuple):
            unreadable.append((file, *module))
            continue
        names = {assigned.name: assigned for assigned in module.revision_names}
        revision = names["revision"].strings if "revision" in names else None
        down = names["down_revision"].strings if "down_revision" in names else None
        if not revision or down is None:
            unreadable.append((file, None, "has no literal revision and down_revision"))
            continue
        labels = names["branch_labels"].strings if "branch_labels" in names else None
        revisions.append(
            Revision(
                file=file,
                line=names["revision"].line,
                revision=revision[0],
                down=down,
                branch_labels=bool(labels) or labels is None,
            )
        )
    folder = files[0].display.rpartition("/")[0]
    return AlembicHistory(folder=folder, revisions=tuple(revisions), unreadable=tuple(unreadable))


def _django(read: _Reader, files: list[SourceFile], model_files: list[SourceFile]) -> DjangoApp:
    found: list[DjangoMigration] = []
    unreadable: list[tuple[SourceFile, int | None, str]] = []
    changes: list[tuple[str, tuple[FieldChange, ...] | None]] = []
    for file in sorted(files, key=lambda f: f.relpath):
        module = read(file)
        if module is None:
            continue
        if isinstance(module, tuple):
            unreadable.append((file, *module))
            continue
        migration = module.migration
        if migration is None:
            continue  # Django loads every module of the package, but only a Migration class counts
        name = file.name.removesuffix(".py")
        changes.append((name, migration.changes))
        found.append(
            DjangoMigration(file=file, name=name, dependencies=migration.dependencies, replaces=migration.replaces)
        )
    folder = files[0].display.rpartition("/")[0]
    declared: list[DeclaredField] = []
    for model_file in sorted(model_files, key=lambda f: f.relpath):
        module = read(model_file)
        if isinstance(module, MigrationModule):
            declared.extend(
                DeclaredField(model=model, name=name, file=model_file, line=line)
                for model, name, line in module.model_fields
            )
    return DjangoApp(
        folder=folder,
        label=_label(folder, found),
        migrations=tuple(found),
        unreadable=tuple(unreadable),
        state=replay(changes) if not unreadable else MigrationState(fields={}, opaque="a migration does not parse"),
        declared=tuple(declared),
    )


def _label(folder: str, found: list[DjangoMigration]) -> str:
    """The app label its own migrations use for each other (an ``AppConfig.label`` may differ
    from the folder name): the label most often paired with a name of this folder."""
    own = {m.name for m in found}
    labels = Counter(label for m in found for label, name in m.dependencies if name in own)
    default = folder.rstrip("/").rsplit("/", 2)[-2] if "/" in folder else folder
    return labels.most_common(1)[0][0] if labels else default
