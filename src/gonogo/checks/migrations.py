"""Database migrations (MIG): the migration history a deployment applies is one line, intact,
and readable. Read from the files; nothing is imported and no database is touched."""

from __future__ import annotations

from collections.abc import Iterator

from gonogo.collectors.migrations import AlembicHistory, DjangoApp, DjangoMigration, MigrationFacts
from gonogo.model import Category, Severity
from gonogo.registry import CheckOutput, NotApplicable, check, fail


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
