"""The HTTP API: create a job, execute it, complete it, and see the queue."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from enum import Enum
from typing import Any

from fastapi import FastAPI, HTTPException
from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field

from jobs_service.store import QUEUE_KEY, Store


class Status(str, Enum):
    queued = "queued"
    running = "running"
    completed = "completed"


class JobIn(BaseModel):
    name: str = Field(min_length=1, examples=["nightly-report"])
    payload: dict[str, Any] = Field(default_factory=dict)


class Completion(BaseModel):
    result: dict[str, Any] = Field(default_factory=dict)


class Job(BaseModel):
    id: uuid.UUID
    name: str
    status: Status
    payload: dict[str, Any]
    result: dict[str, Any] | None
    created_at: datetime


class QueueStats(BaseModel):
    depth: int
    by_status: dict[str, int]


class Health(BaseModel):
    status: str
    postgres: str
    redis: str


store: Store | None = None


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    global store
    store = Store()
    try:
        yield
    finally:
        store.close()
        store = None


app = FastAPI(title="jobs-service", version="0.1.0", lifespan=lifespan)


def _store() -> Store:
    if store is None:
        raise HTTPException(503, "not started")
    return store


@app.get("/health", response_model=Health)
def health() -> Health:
    s = _store()
    s.redis.ping()
    with s.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return Health(status="ok", postgres="ok", redis="ok")


@app.post("/jobs", response_model=Job, status_code=201)
def create_job(job: JobIn) -> dict[str, Any]:
    s = _store()
    job_id = uuid.uuid4()
    with s.cursor() as cur:
        cur.execute(
            "INSERT INTO jobs (id, name, status, payload) VALUES (%s, %s, 'queued', %s) RETURNING *",
            (job_id, job.name, Jsonb(job.payload)),
        )
        row = cur.fetchone()
    s.redis.rpush(QUEUE_KEY, str(job_id))
    return row  # type: ignore[return-value]


@app.get("/jobs", response_model=list[Job])
def list_jobs(status: Status | None = None, limit: int = 50) -> list[dict[str, Any]]:
    with _store().cursor() as cur:
        if status is None:
            cur.execute("SELECT * FROM jobs ORDER BY created_at DESC LIMIT %s", (limit,))
        else:
            cur.execute(
                "SELECT * FROM jobs WHERE status = %s ORDER BY created_at DESC LIMIT %s",
                (status.value, limit),
            )
        return cur.fetchall()


@app.get("/jobs/{job_id}", response_model=Job)
def get_job(job_id: uuid.UUID) -> dict[str, Any]:
    with _store().cursor() as cur:
        cur.execute("SELECT * FROM jobs WHERE id = %s", (job_id,))
        row = cur.fetchone()
    if row is None:
        raise HTTPException(404, f"job {job_id} not found")
    return row


def _move(job_id: uuid.UUID, before: Status, after: Status, result: dict[str, Any] | None = None) -> dict[str, Any]:
    with _store().cursor() as cur:
        cur.execute(
            "UPDATE jobs SET status = %s, result = COALESCE(%s, result), updated_at = now() "
            "WHERE id = %s AND status = %s RETURNING *",
            (after.value, Jsonb(result) if result is not None else None, job_id, before.value),
        )
        row = cur.fetchone()
        if row is None:
            cur.execute("SELECT status FROM jobs WHERE id = %s", (job_id,))
            found = cur.fetchone()
    if row is None:
        if found is None:
            raise HTTPException(404, f"job {job_id} not found")
        raise HTTPException(409, f"job {job_id} is {found['status']}, not {before.value}")
    return row


@app.post("/jobs/{job_id}/execute", response_model=Job)
def execute_job(job_id: uuid.UUID) -> dict[str, Any]:
    row = _move(job_id, Status.queued, Status.running)
    _store().redis.lrem(QUEUE_KEY, 1, str(job_id))
    return row


@app.post("/jobs/{job_id}/complete", response_model=Job)
def complete_job(job_id: uuid.UUID, completion: Completion) -> dict[str, Any]:
    return _move(job_id, Status.running, Status.completed, completion.result)


@app.get("/queue/stats", response_model=QueueStats)
def queue_stats() -> QueueStats:
    s = _store()
    depth = s.redis.llen(QUEUE_KEY)
    with s.cursor() as cur:
        # The deliberate defect (seed 004): `exec` is not a psycopg cursor method (`execute` is).
        # The test suite never calls this endpoint; only a runtime probe finds the 500.
        rows = cur.exec("SELECT status, count(*) AS n FROM jobs GROUP BY status").fetchall()
    return QueueStats(depth=depth, by_status={r["status"]: r["n"] for r in rows})
