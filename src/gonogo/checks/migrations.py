"""Database migrations (MIG): the migration history a deployment applies is one line, intact,
and readable. Read from the files; nothing is imported. Only MIG005, opt-in and with ``--probe``,
reads a live database's revision, read-only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from gonogo.collectors.manifests import ManifestFacts
from gonogo.collectors.migrations import (
    AlembicHistory,
    DjangoApp,
    DjangoMigration,
    MigrationFacts,
    Revision,
)
from gonogo.model import Category, Severity
from gonogo.probes.facts import LiveOperations
from gonogo.registry import CannotTell, CheckOutput, NotApplicable, check, fail

if TYPE_CHECKING:  # annotations only: the database reader is imported by --probe (probes.facts)
    from gonogo.probes.migration_state import DatabaseRevision


def _alembic(migrations: MigrationFacts) -> tuple[AlembicHistory, ...]:
    if not migrations.alembic:
        raise NotApplicable("no Alembic versions folder next to an env.py")
    return migrations.alembic


def _heads(history: AlembicHistory) -> list[str]:
    pointed = {down for r in history.revisions for down in r.down}
    return sorted(r.revision for r in history.revisions if r.revision not in pointed)


@check(
    "MIG001",
    "Alembic has a single head",
    category=Category.MIGRATIONS,
    severity=Severity.HIGH,
    counts="migrations.heads_extra",
)
def alembic_heads(migrations: MigrationFacts) -> Iterator[CheckOutput]:
    """Why: with two heads ``alembic upgrade head`` refuses to run ("Multiple head revisions are
    present"): two branches each added a migration and nobody merged them, so the deployment's
    migration step fails. Histories that declare ``branch_labels`` keep several heads on purpose
    and are not judged.
    Fix: ``alembic merge -m "merge heads" <rev1> <rev2>``, or rebase one revision's
    ``down_revision`` onto the other."""
    for history in _alembic(migrations):
        if any(r.branch_labels for r in history.revisions):
            continue
        heads = _heads(history)
        if len(heads) > 1:
            where = next(r for r in history.revisions if r.revision == heads[-1])
            yield fail(
                f"{history.folder} has {len(heads)} heads: {', '.join(heads)}",
                at=where.file.at(where.line),
                key=history.folder,
            )


@check(
    "MIG002",
    "Alembic down_revision chain is intact",
    category=Category.MIGRATIONS,
    severity=Severity.HIGH,
    counts="migrations.broken_chain",
)
def alembic_chain(migrations: MigrationFacts) -> Iterator[CheckOutput]:
    """Why: a ``down_revision`` naming a revision no file defines (a deleted or renamed file, a
    revision id edited by hand) breaks ``alembic upgrade`` for every database, and a second base
    revision starts a parallel history. Histories with ``branch_labels`` may have several bases.
    Fix: restore the missing revision file, or point ``down_revision`` at the revision it follows."""
    for history in _alembic(migrations):
        known = {r.revision for r in history.revisions}
        for revision in history.revisions:
            for down in revision.down:
                if down not in known:
                    yield fail(
                        f"revision {revision.revision} follows {down}, which no file in {history.folder} defines",
                        at=revision.file.at(revision.line),
                        key=f"{revision.revision}->{down}",
                    )
        bases = [r for r in history.revisions if not r.down]
        if len(bases) > 1 and not any(r.branch_labels for r in history.revisions):
            yield fail(
                f"{history.folder} has {len(bases)} base revisions: {', '.join(sorted(r.revision for r in bases))}",
                at=bases[-1].file.at(bases[-1].line),
                key=f"{history.folder}:bases",
            )


@check(
    "MIG003",
    "Migration files parse",
    category=Category.MIGRATIONS,
    severity=Severity.HIGH,
    counts="migrations.unreadable",
)
def unreadable_migrations(migrations: MigrationFacts) -> Iterator[CheckOutput]:
    """Why: a revision file that does not parse, or has no literal ``revision``/``down_revision``,
    stops the migration tool before it applies anything.
    Fix: correct the file at the line named; revision ids must be string literals."""
    if not migrations.alembic and not migrations.django:
        raise NotApplicable("no Alembic or Django migrations")
    sources: tuple[AlembicHistory | DjangoApp, ...] = (*migrations.alembic, *migrations.django)
    for source in sources:
        for file, line, reason in source.unreadable:
            yield fail(f"{file.display} {reason}", at=file.at(line), key=file.display)


def _leaves(app: DjangoApp) -> list[DjangoMigration]:
    """Migrations of the app no other migration of the app depends on, with squashed migrations
    standing in for the ones they replace, as Django's loader does. An app renamed keeps its old
    label in ``replaces`` (saleor's ``cart`` -> ``checkout``), and its later migrations may still
    name the old label: both labels are the app's."""
    own = {m.name for m in app.migrations}
    labels = {app.label} | {label for m in app.migrations for label, _ in m.replaces}
    stands_for = {pair: m.name for m in app.migrations for pair in m.replaces}
    replaced = {name for (label, name), by in stands_for.items() if name in own and name != by}
    depended: set[str] = set()
    for migration in app.migrations:
        for pair in migration.dependencies:
            if pair in stands_for:
                depended.add(stands_for[pair])
            elif pair[0] in labels and pair[1] in own:
                depended.add(pair[1])
    return [m for m in app.migrations if m.name not in depended and m.name not in replaced]


@check(
    "MIG004",
    "Django apps have one leaf migration",
    category=Category.MIGRATIONS,
    severity=Severity.HIGH,
    counts="migrations.conflicts",
)
def django_conflicts(migrations: MigrationFacts) -> Iterator[CheckOutput]:
    """Why: two leaf migrations in one app is Django's "Conflicting migrations detected" state:
    ``migrate`` refuses to run until they are merged. Dependencies are read from the files;
    a squashed migration stands for those it ``replaces``.
    Fix: ``python manage.py makemigrations --merge <app>``, review, commit."""
    if not migrations.django:
        raise NotApplicable("no Django migrations")
    for app in migrations.django:
        leaves = _leaves(app)
        if len(leaves) > 1:
            names = ", ".join(m.name for m in leaves)
            yield fail(
                f"app {app.label} ({app.folder}) has {len(leaves)} leaf migrations: {names}",
                at=leaves[-1].file.at(1),
                key=app.folder,
            )


@check(
    "MIG005",
    "Live databases are at the repository's migration head",
    category=Category.MIGRATIONS,
    severity=Severity.HIGH,
    counts="migrations.pending",
)
def database_at_head(
    live_operations: LiveOperations, migrations: MigrationFacts
) -> Iterator[CheckOutput]:
    """Why: code deployed against a database whose migrations are pending reads columns and
    tables that do not exist yet; a database at a revision no file of this checkout declares was
    migrated by another branch or a newer release, and this code may not run against it. Read
    only when a PostgreSQL service sets ``check_migrations = true`` and the scan runs with
    ``--probe``: gonogo reads ``alembic_version`` in a read-only session and never migrates.
    Fix: run ``alembic upgrade head`` as the deployment's migration step (before the new code
    takes traffic); for an unknown revision, deploy the code that matches the database or
    reconcile the branches."""
    if not live_operations.databases:
        raise NotApplicable("no PostgreSQL service sets check_migrations = true")
    unread = [db for db in live_operations.databases if db.error is not None]
    if unread:
        raise CannotTell("; ".join(f"{db.name}: {db.evidence}" for db in unread))
    if not migrations.alembic:
        raise CannotTell("check_migrations is set but the repository has no Alembic versions folder")
    for database in live_operations.databases:
        yield from _database_state(database, migrations.alembic)


def _database_state(
    database: DatabaseRevision, histories: tuple[AlembicHistory, ...]
) -> Iterator[CheckOutput]:
    heads = sorted({head for history in histories for head in _heads(history)})
    if not database.table_exists or not database.revisions:
        never = "has no alembic_version table" if not database.table_exists else "has an empty alembic_version"
        yield fail(
            f"{database.name} {never}: it was never migrated; the repository's head is {', '.join(heads)}",
            evidence=database.evidence,
            key=database.name,
        )
        return
    for revision in database.revisions:
        history = next((h for h in histories if any(r.revision == revision for r in h.revisions)), None)
        if history is None:
            yield fail(
                f"{database.name} is at revision {revision}, which no migration file of this checkout "
                f"declares (heads: {', '.join(heads)}): it was migrated by another branch or release",
                evidence=database.evidence,
                key=f"{database.name}:{revision}",
            )
            continue
        pending = _pending(history, revision)
        if pending:
            first = pending[0]
            yield fail(
                f"{database.name} is at {revision}; {len(pending)} migration"
                f"{'s' if len(pending) != 1 else ''} pending: {', '.join(r.revision for r in pending[:6])}"
                f"{' ...' if len(pending) > 6 else ''}",
                at=first.file.at(first.line),
                evidence=database.evidence,
                key=f"{database.name}:{revision}",
            )


def _pending(history: AlembicHistory, current: str) -> list[Revision]:
    """Revisions that ``upgrade heads`` would apply from ``current``: ancestors of the heads that
    are not ``current`` or one of its ancestors, oldest first."""
    by_id = {r.revision: r for r in history.revisions}

    def ancestors(start: str) -> list[str]:
        seen: list[str] = []
        stack = [start]
        while stack:
            revision = stack.pop()
            if revision in seen or revision not in by_id:
                continue
            seen.append(revision)
            stack.extend(by_id[revision].down)
        return seen

    applied = set(ancestors(current))
    heads = _heads(history)
    wanted = [r for head in heads for r in ancestors(head) if r not in applied]
    ordered = list(dict.fromkeys(reversed(wanted)))
    return [by_id[r] for r in ordered]


@check(
    "MIG006",
    "Alembic is set up where it is a dependency",
    category=Category.MIGRATIONS,
    severity=Severity.MEDIUM,
    counts="migrations.alembic_not_set_up",
)
def alembic_set_up(migrations: MigrationFacts, manifests: ManifestFacts) -> Iterator[CheckOutput]:
    """Why: a project that depends on ``alembic`` but has no Alembic environment in its tree
    (no ``alembic.ini``, no ``script.py.mako`` beside an ``env.py``) ships schema changes nobody
    can apply: the deployment's ``alembic upgrade head`` fails with "No config file", or tables
    are created by ``create_all`` and never migrated again. Only main dependencies are judged
    (a dev or test group may use Alembic for tooling), and the environment may be anywhere under
    the manifest's folder.
    Fix: ``alembic init migrations`` in the project, commit ``alembic.ini`` and the
    ``migrations/`` folder, and run ``alembic upgrade head`` in the deployment; or drop the
    dependency."""
    declared = [
        dep
        for manifest in manifests.declaring
        for dep in manifest.dependencies
        if dep.name == "alembic" and dep.group is None
    ]
    if not declared:
        raise NotApplicable("alembic is not a main dependency of any manifest")
    for dep in declared:
        folder = dep.file.relpath.rpartition("/")[0]
        if not any(
            setup.root == dep.file.root and _under(setup.relpath, folder) for setup in migrations.alembic_setups
        ):
            yield fail(
                f"alembic is a dependency in {dep.at} but no Alembic environment (alembic.ini, "
                f"script.py.mako) exists under {folder or 'the root'}",
                at=dep.file.at(dep.line),
                key=dep.at,
            )


def _under(relpath: str, folder: str) -> bool:
    return not folder or relpath.startswith(folder + "/")


@check(
    "MIG007",
    "Django model fields have migrations",
    category=Category.MIGRATIONS,
    severity=Severity.MEDIUM,
    counts="migrations.models_unmigrated",
)
def django_fields_migrated(migrations: MigrationFacts) -> Iterator[CheckOutput]:
    """Why: a field added to a model with no migration that adds it (``makemigrations`` never
    run, or its file never committed) exists in the code and not in the database: the first
    query that selects it fails with "column does not exist". The migrations' operations are
    replayed from the files (``CreateModel``, ``AddField``, ``RemoveField``, ``RenameField``,
    ``RenameModel``, ``SeparateDatabaseAndState``) and compared with the fields the app's
    ``models.py`` declares directly on ``models.Model``. Models with other bases (their inherited
    fields live elsewhere), abstract, proxy and unmanaged models, and apps whose migrations use
    an operation that cannot be replayed from the text are not judged; a field removed from a model
    is not reported. Only ``makemigrations --check`` can be sure, so this stays out of every
    gate.
    Fix: ``python manage.py makemigrations <app>``, review and commit the migration; add
    ``python manage.py makemigrations --check --dry-run`` to CI."""
    apps = [app for app in migrations.django if app.declared]
    if not apps:
        raise NotApplicable("no Django app with both migrations and models")
    for app in apps:
        if app.state.opaque is not None:
            continue
        for declared in app.declared:
            migrated = app.state.fields.get(declared.model.lower())
            if migrated is None:
                yield fail(
                    f"model {declared.model} ({app.folder}) has no CreateModel in its app's migrations",
                    at=declared.file.at(declared.line),
                    key=f"{app.folder}:{declared.model}",
                )
            elif declared.name not in migrated:
                yield fail(
                    f"{declared.model}.{declared.name} has no migration that adds it in {app.folder}",
                    at=declared.file.at(declared.line),
                    key=f"{app.folder}:{declared.model}.{declared.name}",
                )
