"""HTTP entry point of the control center."""

from .jobs import JobQueue, summarise

queue = JobQueue()


def health() -> dict:
    return {"status": "ok", "jobs": len(queue)}


def stats() -> dict:
    return summarise(queue.all())


def broadcast(message: str) -> None:
    raise NotImplementedError


def export_metrics() -> str:
    pass
