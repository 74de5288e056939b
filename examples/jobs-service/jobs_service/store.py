"""Jobs in PostgreSQL (psycopg 3) and the queue in Redis (redis-py)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import redis
from psycopg.rows import dict_row

DATABASE_URL = os.environ.get(
    "JOBS_DATABASE_URL", "postgresql://gonogo:gonogo@127.0.0.1:5440/gonogo_test"
)
REDIS_URL = os.environ.get("JOBS_REDIS_URL", "redis://127.0.0.1:6390/0")
QUEUE_KEY = os.environ.get("JOBS_QUEUE_KEY", "jobs:queue")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    payload JSONB NOT NULL DEFAULT '{}'::jsonb,
    result JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


class Store:
    """One database connection shared by the worker threads (a lock serialises its use)."""

    def __init__(self, database_url: str = DATABASE_URL, redis_url: str = REDIS_URL) -> None:
        self.conn = psycopg.connect(database_url, autocommit=True, row_factory=dict_row)
        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)
        self.lock = threading.Lock()
        with self.cursor() as cur:
            try:
                cur.execute(SCHEMA)
            except psycopg.errors.UniqueViolation:
                pass  # another process created the table at the same moment

    @contextmanager
    def cursor(self) -> Iterator[psycopg.Cursor]:
        with self.lock, self.conn.cursor() as cur:
            yield cur

    def close(self) -> None:
        self.conn.close()
        self.redis.close()
