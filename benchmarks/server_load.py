"""Load on `gonogo serve` over loopback: N concurrent uploaders post a fixed count of reports,
then the database is read back to prove every upload was stored exactly once (no loss, no
duplicate), and upload latencies are reported.

    PYTHONPATH=src .venv/bin/python benchmarks/server_load.py [--uploaders 8] [--each 25]
        [--database postgresql://...] [--findings 200]

The server runs as `gonogo serve` in its own process on a free loopback port (SQLite in a
scratch folder unless --database), so client and server do not share one interpreter. Figures are
printed, never asserted as wall-clock: on a 2-core machine shared with other work they vary.
The test suite runs the same uploaders, smaller, and asserts only what must hold on any machine:
every upload answered 201 and stored exactly once.

Measured 2026-11-30 on the 2-core build machine at a load average of ~11 (8 sessions sharing it),
one `gonogo serve` process, 69 KiB reports (200 findings), the uploaders in one client process:

    SQLite      1 uploader  x 50:   6.8 uploads/s, latency p50 142 ms, p95 178 ms, max 398 ms
    SQLite      8 uploaders x 25:  15.3 uploads/s, latency p50 364 ms, p95 1270 ms, max 2813 ms
    PostgreSQL  8 uploaders x 25:  21.2 uploads/s, latency p50 262 ms, p95 810 ms, max 2204 ms
    every run: 200 of 200 answered 201, 200 stored, 0 lost, 0 duplicated

One upload costs ~65 ms of CPU to parse and validate against the schema and ~50 ms to store; the
first upload of a token adds one scrypt (~150 ms here), later ones hit the proven-token memory.
With 8 uploaders the latency is mostly queueing for the one process's CPU: p50 ~ 8 / throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

CLIENT_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    commit: str
    status: int
    seconds: float
    run_id: int | None


@contextmanager
def serving_in_thread(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn in a thread on a free loopback port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def commit_for(uploader: int, index: int) -> str:
    """A distinct commit per upload: the marker that finds each upload in the database."""
    return f"{uploader:08x}{index:08x}".ljust(40, "0")


def upload_all(base: str, project: str, token: str, report: dict[str, Any], uploaders: int, each: int) -> list[Outcome]:
    """``uploaders`` threads, each posting ``each`` reports one after another over its own connection."""
    body = json.dumps(report).encode("utf-8")

    def one_uploader(uploader: int) -> list[Outcome]:
        done = []
        with httpx.Client(timeout=CLIENT_TIMEOUT_S) as client:
            for index in range(each):
                commit = commit_for(uploader, index)
                started = time.perf_counter()
                answer = client.post(
                    f"{base}/api/v1/projects/{project}/runs",
                    content=body,
                    params={"commit": commit, "branch": "load"},
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                seconds = time.perf_counter() - started
                run_id = answer.json().get("run_id") if answer.status_code == 201 else None
                done.append(Outcome(commit=commit, status=answer.status_code, seconds=seconds, run_id=run_id))
        return done

    with ThreadPoolExecutor(max_workers=uploaders) as pool:
        return [outcome for batch in pool.map(one_uploader, range(uploaders)) for outcome in batch]


def stored_commits(database: str, project_identity: str) -> list[str]:
    from gonogo.history.store import History

    history = History.open(database)
    try:
        return [run.commit or "" for run in history.runs(project_identity)]
    finally:
        history.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def sample_report(findings: int) -> dict[str, Any]:
    """A schema-valid report with ``findings`` findings (the size of a real mid-sized scan)."""
    report = json.loads((Path(__file__).parent.parent / "tests" / "golden" / "clean_go" / "report.json").read_text())
    report["evidence"]["duration_seconds"] = 1.5  # the golden file holds placeholders where numbers vary
    report["metrics"] = {k: (1 if isinstance(v, str) else v) for k, v in report["metrics"].items()}
    report["findings"] = [
        {"check_id": "CODE001", "severity": "low", "message": f"function too complex ({n})", "path": f"app/m{n}.py",
         "line": n + 1, "waived": False, "fingerprint": f"fp{n:08d}"}
        for n in range(findings)
    ]
    return report


@contextmanager
def serve_process(database: str, project: str) -> Iterator[tuple[str, str]]:
    """`gonogo serve` in its own process; yields (base URL, upload token)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent / "src")}
    gonogo = [sys.executable, "-m", "gonogo.cli", "serve", "--database", database]
    token = subprocess.run([*gonogo, "--create-project", project], env=env, capture_output=True, text=True,
                           check=True).stdout.strip()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*gonogo, "--port", str(port)], env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/api/openapi.json", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploaders", type=int, default=8)
    parser.add_argument("--each", type=int, default=25)
    parser.add_argument("--findings", type=int, default=200)
    parser.add_argument("--database", help="default: SQLite in a scratch folder")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL (pgserver's binaries)")
    args = parser.parse_args()
    report = sample_report(args.findings)
    with tempfile.TemporaryDirectory() as scratch:
        postgres = _start_postgres(Path(scratch)) if args.postgres else None
        try:
            database = postgres.url if postgres else args.database or f"sqlite:///{scratch}/server.sqlite"
            project = f"load-{os.getpid()}"
            with serve_process(database, project) as (base, token):
                started = time.perf_counter()
                outcomes = upload_all(base, project, token, report, args.uploaders, args.each)
                wall = time.perf_counter() - started
            commits = stored_commits(database, f"project:{project}")
        finally:
            if postgres:
                postgres.stop()
    sent = [o.commit for o in outcomes]
    accepted = [o for o in outcomes if o.status == 201]
    latencies = [o.seconds * 1000 for o in accepted]
    print(f"body {len(json.dumps(report)) / 1024:.0f} KiB ({args.findings} findings), database "
          f"{database.split(':')[0]}")
    print(f"{args.uploaders} uploaders x {args.each} = {len(sent)} uploads in {wall:.2f} s: "
          f"{len(sent) / wall:.1f} uploads/s")
    print(f"answered 201: {len(accepted)}; stored: {len(commits)}; lost: {len(set(sent) - set(commits))}; "
          f"duplicated: {len(commits) - len(set(commits))}")
    if latencies:
        print(f"latency ms: p50 {statistics.median(latencies):.0f}, p95 {percentile(latencies, 0.95):.0f}, "
              f"max {max(latencies):.0f}")
    return 0 if len(accepted) == len(sent) and sorted(commits) == sorted(sent) else 1


def _start_postgres(folder: Path) -> Any:
    """The test suite's throwaway PostgreSQL (tests/servers.py): fsync off, loopback only."""
    sys.path.insert(0, str(Path(__file__).parent.parent))
    from tests.servers import start_postgres

    return start_postgres(folder)


if __name__ == "__main__":
    raise SystemExit(main())
