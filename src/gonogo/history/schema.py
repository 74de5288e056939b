"""The history's tables, as SQLAlchemy 2 declarative classes. Alembic's revisions in
``migrations/versions`` create and change them; a change here needs a revision there (a test
compares the two)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Repository(Base):
    __tablename__ = "repositories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity: Mapped[str] = mapped_column(String(1024), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    runs: Mapped[list[Run]] = relationship(back_populates="repository")


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_repository_scanned", "repository_id", "scanned_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repositories.id", ondelete="CASCADE"))
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    commit: Mapped[str | None] = mapped_column(String(64))
    branch: Mapped[str | None] = mapped_column(String(255))
    dirty: Mapped[bool | None] = mapped_column(Boolean)
    decision: Mapped[str] = mapped_column(String(32))
    profile: Mapped[str] = mapped_column(String(32))
    tool_version: Mapped[str] = mapped_column(String(64))
    report: Mapped[str] = mapped_column(Text)
    """The JSON report, with a ``fingerprint`` on each finding."""
    config_digest: Mapped[str | None] = mapped_column(String(64))
    """What ``gonogo fleet scan --resume`` matches: a hash of the configuration the run used."""
    summary: Mapped[str | None] = mapped_column(Text)
    """The report's decision, overall score, active findings and area scores as JSON (the trend
    reads these of many runs); ``None`` for runs recorded before it was kept."""
    repository: Mapped[Repository] = relationship(back_populates="runs")


class Project(Base):
    """A repository that ``gonogo serve`` accepts uploads for, under a name CI uses in its upload
    address. Its runs are the repository's runs: one history, whoever wrote it."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repositories.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Token(Base):
    """A server token, stored as a salted scrypt hash; only ``key`` (its public half) is kept in
    clear, to find the row without hashing against every token."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    scope: Mapped[str] = mapped_column(String(16))
    """``upload`` (to its project) or ``read`` (every page and API answer)."""
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    digest: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
