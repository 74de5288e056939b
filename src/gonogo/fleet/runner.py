"""Submits one task per repository to a Dask cluster and collects each outcome as it finishes.

A fleet must finish whatever one repository does. A scan that fails returns its reason; a worker
that dies under a task (out of memory on a huge repository) is retried by Dask on another worker
and, after ``distributed.scheduler.allowed-failures`` deaths, reported as killed. A task that hangs
cannot be stopped from outside its thread: when one runs longer than ``task_timeout`` (timed from
the moment it *started*, which each task announces as a Dask event, not from submission, so a long
queue is no timeout), the client cancels it and restarts the worker that holds it, through its
nanny. The task itself keeps its clone within the same limit, so a restart is for a hang in
Python code only and does not orphan a ``git`` process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from distributed import Client, Future, LocalCluster, wait
from distributed.scheduler import KilledWorker

from gonogo.fleet.sources import Source
from gonogo.fleet.task import (
    STARTED_TOPIC,
    FleetSettings,
    RepoOutcome,
    Scanner,
    Status,
    default_scanner,
    scan_source,
)
from gonogo.history.provenance import normalise_remote, provenance_of
from gonogo.redaction import redact
from gonogo.reporters.text import terminal_text

GRACE_S = 5.0
"""Beyond ``task_timeout``: the task's own clone timeout fires first, and is the better message."""
POLL_S = 0.5
RESTART_TIMEOUT_S = 120
CONNECT_TIMEOUT_S = 30


class ClusterError(Exception):
    """The cluster could not be started or reached."""


@contextmanager
def connect(scheduler: str | None, workers: int = 2, memory_limit: str | None = None) -> Iterator[Client]:
    """A client of ``scheduler`` (``tcp://host:8786``), or of a LocalCluster of ``workers``
    processes with one thread each: one scan per process, as the GIL would serialise threads."""
    try:
        if scheduler:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
            cluster = None
        else:
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                # no dashboard, and the scheduler's HTTP routes on a free loopback port (not 8787,
                # which another cluster may hold)
                dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR, memory_limit=memory_limit or "auto",
            )
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as exc:
        where = redact(scheduler) if scheduler else "a local cluster"
        raise ClusterError(f"cannot reach {where}: {terminal_text(str(exc))[:300]}") from exc
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Starts:
    """When and where each task of this run started, from the tasks' events (the client's loop
    thread writes, the collecting thread reads)."""

    def __init__(self, run_id: str) -> None:
        self._run_id = run_id
        self._lock = threading.Lock()
        self._started: dict[str, tuple[float, str]] = {}

    def __call__(self, event: tuple[float, Any]) -> None:
        message = event[1]
        if isinstance(message, dict) and message.get("run") == self._run_id:
            with self._lock:  # a task rescheduled after its worker died starts again: the later start counts
                self._started[str(message.get("slug"))] = (time.monotonic(), str(message.get("worker")))

    def get(self, slug: str) -> tuple[float, str] | None:
        with self._lock:
            return self._started.get(slug)


def run_fleet(
    client: Client,
    sources: Sequence[Source],
    settings: FleetSettings,
    done: frozenset[str] = frozenset(),
    on_outcome: Callable[[RepoOutcome], None] = lambda outcome: None,
    scanner: Scanner = default_scanner,
    durations: Mapping[str, float] | None = None,
) -> list[RepoOutcome]:
    """Every source's outcome (in the order they finished), each handed to ``on_outcome`` first.
    Outcomes are returned without their report payloads: those are ``on_outcome``'s to keep.
    ``durations`` (seconds of an earlier scan, by slug) starts the longest first, so the largest
    repository does not run alone at the end while the other workers idle."""
    durations = durations or {}
    starts = _Starts(settings.run_id)
    client.subscribe_topic(STARTED_TOPIC, starts)
    try:
        futures = {
            client.submit(scan_source, source, settings, keys_for(source, done), scanner,
                          key=f"gonogo-fleet-{settings.run_id}-{index}", pure=False,
                          priority=round(durations.get(source.slug, 0.0))): source
            for index, source in enumerate(sources)
        }
        return list(_collect(client, futures, starts, settings.task_timeout, on_outcome))
    finally:
        client.unsubscribe_topic(STARTED_TOPIC)


def keys_for(source: Source, done: frozenset[str]) -> frozenset[str]:
    """The resume keys a source's task needs: those of its own repository. Each task carries its
    share with it (not a scattered copy, which a restarted worker would take down with it)."""
    if not done:
        return done
    if source.kind == "git":
        identity = f"git:{normalise_remote(source.location)}"
    elif Path(source.location).is_dir():
        identity = provenance_of(Path(source.location)).identity
    else:  # a folder only the workers see: the task picks its own among all
        return done
    return frozenset(key for key in done if key.split("\0", 1)[0] == identity or key.startswith(f"{identity}//"))


def _collect(
    client: Client,
    futures: dict[Future[Any], Source],
    starts: _Starts,
    timeout: float,
    on_outcome: Callable[[RepoOutcome], None],
) -> Iterator[RepoOutcome]:
    pending = set(futures)
    while pending:
        try:
            finished, _ = wait(list(pending), timeout=POLL_S, return_when="FIRST_COMPLETED")
        except TimeoutError:
            finished = set()
        for future in finished:
            pending.discard(future)
            yield _handed(_result(future, futures[future]), on_outcome)
        for future in _overdue(pending, futures, starts, timeout):
            pending.discard(future)
            yield _handed(_stop(client, future, futures[future], starts, timeout), on_outcome)


def _handed(outcome: RepoOutcome, on_outcome: Callable[[RepoOutcome], None]) -> RepoOutcome:
    on_outcome(outcome)
    return replace(outcome, payload=None)


def _overdue(
    pending: set[Future[Any]], futures: dict[Future[Any], Source], starts: _Starts, timeout: float
) -> list[Future[Any]]:
    now = time.monotonic()
    overdue = []
    for future in pending:
        started = starts.get(futures[future].slug)
        if started is not None and now - started[0] > timeout + GRACE_S and not future.done():
            overdue.append(future)
    return overdue


def _result(future: Future[Any], source: Source) -> RepoOutcome:
    try:
        outcome = future.result()
    except KilledWorker:
        return _outcome(source, Status.FAILED, "the workers running it died repeatedly (out of memory, or a crash)")
    except CancelledError:
        return _outcome(source, Status.FAILED, "cancelled: the cluster lost the task")
    except Exception as exc:  # a bug in the task: reported like any failure, the fleet goes on
        text = terminal_text(redact(str(exc).replace(source.location, source.shown)))[:600]
        return _outcome(source, Status.FAILED, f"{type(exc).__name__}: {text}")
    if not isinstance(outcome, RepoOutcome):
        return _outcome(source, Status.FAILED, f"the task returned {type(outcome).__name__}, not an outcome")
    return outcome


def _stop(client: Client, future: Future[Any], source: Source, starts: _Starts, timeout: float) -> RepoOutcome:
    """Cancel a task past its deadline and restart the worker whose thread it still holds."""
    started = starts.get(source.slug)
    worker = started[1] if started else None
    client.cancel([future], force=True)
    restarted = _restart(client, worker) if worker else "its worker is unknown"
    reason = f"still running after {timeout:.0f} s; stopped, {restarted}"
    seconds = time.monotonic() - started[0] if started else timeout
    return _outcome(source, Status.TIMED_OUT, reason, worker=worker, seconds=round(seconds, 3))


def _restart(client: Client, worker: str) -> str:
    try:
        answer = client.restart_workers([worker], timeout=RESTART_TIMEOUT_S, raise_for_error=False)
    except Exception as exc:  # a scheduler without nannies, or one that went away
        return f"its worker could not be restarted ({type(exc).__name__}: {terminal_text(str(exc))[:200]})"
    status = answer.get(worker, "unknown") if isinstance(answer, dict) else "unknown"
    return "its worker restarted" if status == "OK" else f"its worker's restart: {terminal_text(str(status))}"


def _outcome(source: Source, status: Status, reason: str, **more: Any) -> RepoOutcome:
    return RepoOutcome(name=source.name, slug=source.slug, shown=source.shown, status=status, reason=reason, **more)
