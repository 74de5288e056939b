"""The history's tables, as SQLAlchemy 2 declarative classes. Alembic's revisions in
``migrations/versions`` create and change them; a change here needs a revision there (a test
compares the two)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
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
    repository: Mapped[Repository] = relationship(back_populates="runs")
