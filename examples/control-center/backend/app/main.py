"""HTTP entry point of the control center."""

import os

import jwt

from .jobs import JobQueue, summarise

queue = JobQueue()
AUDIT_SIGNING_KEY = os.environ["AUDIT_SIGNING_KEY"]
JWT_SECRET = os.getenv("JWT_SECRET", "control-center-dev")


def health() -> dict:
    return {"status": "ok", "jobs": len(queue)}


def token(user: str, key: str) -> str:
    return jwt.encode({"sub": user}, key, algorithm="HS256")


def stats() -> dict:
    return summarise(queue.all())


def broadcast(message: str) -> None:
    raise NotImplementedError


def export_metrics() -> str:
    pass
