"""Projects, tokens and runs in the history database, on top of ``gonogo.history.store``: the
same engine, tables and migrations as ``gonogo check``'s history, so a database a team already
records into is served as it is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from gonogo.history.runs import HistoryError, StoredRun
from gonogo.history.schema import Project, Repository, Run, Token
from gonogo.history.store import History, _stored
from gonogo.server.auth import Grant, NewToken, Scope, matches, new_token, split_token

PROJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
"""Names go into upload addresses: letters, digits, dot, dash, underscore."""


class ProjectError(ValueError):
    """A project cannot be created (bad or taken name); the message says which."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RepositoryRow:
    """A repository in the history, with its project name when uploads go to it."""

    id: int
    name: str
    identity: str
    project: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenInfo:
    """A stored token as an operator may see it: its public key, never its secret."""

    key: str
    scope: str
    project: str | None
    created_at: datetime


def project_identity(name: str) -> str:
    """The repository identity of a project's uploads."""
    return f"project:{name}"


class Store(History):
    """The history, plus what the server needs: projects, tokens, latest runs by repository."""

    @classmethod
    def open(cls, url: str) -> Store:
        store = super().open(url)
        assert isinstance(store, Store)  # History.open builds cls
        return store

    def create_project(self, name: str) -> tuple[int, str]:
        """A new project and its upload token; returns (project id, token text to show once)."""
        if not PROJECT_NAME.match(name):
            raise ProjectError(f"{name!r}: a project name is 1-100 letters, digits, '.', '-' or '_'")
        token = new_token()
        now = datetime.now(UTC)
        try:
            with self._session("write to") as session, session.begin():
                if session.scalar(select(Project.id).where(Project.name == name)) is not None:
                    raise ProjectError(f"project {name!r} exists already")
                identity = project_identity(name)
                repository = session.scalar(select(Repository).where(Repository.identity == identity))
                if repository is None:
                    repository = Repository(identity=identity, name=name)
                    session.add(repository)
                    session.flush()
                project = Project(name=name, repository_id=repository.id, created_at=now)
                session.add(project)
                session.flush()
                session.add(_token_row(token, Scope.UPLOAD, project.id, now))
                return project.id, token.text
        except HistoryError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise ProjectError(f"project {name!r} exists already") from exc
            raise

    def create_read_token(self) -> str:
        token = new_token()
        with self._session("write to") as session, session.begin():
            session.add(_token_row(token, Scope.READ, None, datetime.now(UTC)))
        return token.text

    def tokens(self) -> list[TokenInfo]:
        """Every token, oldest first, by its public key: what an operator needs to revoke one."""
        with self._session("read") as session:
            rows = session.execute(select(Token, Project.name).outerjoin(Project).order_by(Token.created_at, Token.id))
            return [
                TokenInfo(key=t.key, scope=t.scope, project=name, created_at=t.created_at) for t, name in rows
            ]

    def revoke(self, key: str) -> bool:
        """Delete the token with this public key; ``False`` when there is none."""
        with self._session("write to") as session, session.begin():
            found = session.scalar(select(Token.id).where(Token.key == key))
            session.execute(delete(Token).where(Token.key == key))
            return found is not None

    def rotate(self, name: str) -> str:
        """A new upload token for project ``name``, in the same transaction that deletes its old
        ones: a leaked token stops working the moment its replacement exists."""
        token = new_token()
        with self._session("write to") as session, session.begin():
            project_id = session.scalar(select(Project.id).where(Project.name == name))
            if project_id is None:
                raise ProjectError(f"no project {name!r}")
            session.execute(delete(Token).where(Token.project_id == project_id, Token.scope == Scope.UPLOAD))
            session.add(_token_row(token, Scope.UPLOAD, project_id, datetime.now(UTC)))
        return token.text

    def has_token(self, key: str) -> bool:
        """Whether a token with this public key is still stored (one indexed lookup, no hashing)."""
        with self._session("read") as session:
            return session.scalar(select(Token.id).where(Token.key == key)) is not None

    def grant(self, text: str) -> Grant | None:
        """What a token allows, or ``None`` for a malformed, unknown or wrong one."""
        parts = split_token(text)
        if parts is None:
            return None
        key, secret = parts
        with self._session("read") as session:
            row = session.scalar(select(Token).where(Token.key == key))
        if row is None or not matches(secret, row.salt, row.digest):
            return None
        return Grant(scope=row.scope, project_id=row.project_id)

    def project(self, name: str) -> tuple[int, str] | None:
        """(project id, repository identity) of a project by name."""
        with self._session("read") as session:
            row = session.execute(
                select(Project.id, Repository.identity).join(Repository).where(Project.name == name)
            ).first()
            return (row[0], row[1]) if row else None

    def repositories(self) -> list[RepositoryRow]:
        with self._session("read") as session:
            rows = session.execute(
                select(Repository, Project.name).outerjoin(Project).order_by(Repository.name, Repository.id)
            )
            return [
                RepositoryRow(id=r.id, name=r.name, identity=r.identity, project=project) for r, project in rows
            ]

    def repository(self, repository_id: int) -> RepositoryRow | None:
        with self._session("read") as session:
            row = session.execute(
                select(Repository, Project.name).outerjoin(Project).where(Repository.id == repository_id)
            ).first()
            if row is None:
                return None
            return RepositoryRow(id=row[0].id, name=row[0].name, identity=row[0].identity, project=row[1])

    def latest_runs(self) -> dict[int, StoredRun]:
        """Each repository's newest run (by scan time, then id), keyed by repository id."""
        ranked = select(
            Run.id,
            func.row_number()
            .over(partition_by=Run.repository_id, order_by=(Run.scanned_at.desc(), Run.id.desc()))
            .label("rank"),
        ).subquery()
        with self._session("read") as session:
            rows = session.execute(
                select(Run, Repository).join(Repository).join(ranked, ranked.c.id == Run.id).where(ranked.c.rank == 1)
            )
            return {repository.id: _stored(run, repository) for run, repository in rows}

    def count_runs(self) -> int:
        with self._session("read") as session:
            return session.scalar(select(func.count()).select_from(Run)) or 0

    def repository_of_run(self, run_id: int) -> int | None:
        with self._session("read") as session:
            return session.scalar(select(Run.repository_id).where(Run.id == run_id))


def _token_row(token: NewToken, scope: str, project_id: int | None, now: datetime) -> Token:
    return Token(key=token.key, scope=scope, project_id=project_id, salt=token.salt, digest=token.digest,
                 created_at=now)
