"""Compare gonogo's load probe with wrk against the same local endpoint, and print the ratio.

    .venv/bin/python benchmarks/load.py [--seconds 5] [--concurrency 16] [--url URL]

Without --url it starts a minimal ASGI app under uvicorn on a free loopback port (one worker), so
both clients measure the same server. wrk comes from Debian (`apt-get install wrk`). Figures are
printed, never asserted: on a 2-core machine the server and the client share the CPU.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

from gonogo.probes.load import run_load
from gonogo.service_settings import LoadSetting

APP = textwrap.dedent(
    """
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"status":"ok"}'})
    """
)

WRK_SCRIPT = textwrap.dedent(
    """
    done = function(summary, latency, requests)
      io.write(string.format("GONOGO p50=%f p95=%f p99=%f requests=%d errors=%d seconds=%f\\n",
        latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
        summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
        + summary.errors.write + summary.errors.timeout, summary.duration / 1e6))
    end
    """
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    (folder / "bench_app.py").write_text(APP, encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench_app:app",
            "--port",
            str(port),
            "--log-level",
            "error",
            "--no-access-log",
        ],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(url + "/", timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the benchmark server did not start")


def run_wrk(url: str, seconds: int, concurrency: int, folder: Path) -> dict[str, float]:
    script = folder / "report.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"GONOGO (.*)", done.stdout)
    if match is None:
        raise SystemExit(f"could not read wrk's output:\n{done.stdout}\n{done.stderr}")
    figures = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--url", help="an endpoint already running (loopback)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server, base = (None, args.url.rstrip("/")) if args.url else start_server(folder)
        try:
            target = base + "/"
            setting = LoadSetting(paths=["/"], duration_s=args.seconds, requests=100_000, concurrency=args.concurrency)
            run_load("warmup", base, setting.model_copy(update={"duration_s": 1}))
            ours = run_load("bench", base, setting)
            wrk = run_wrk(target, args.seconds, args.concurrency, folder)
        finally:
            if server is not None:
                server.terminate()
                server.wait()
    lat = ours.latency_ms
    print(f"endpoint: {target}  duration: {args.seconds} s  concurrency: {args.concurrency}  cores: {os.cpu_count()}")
    print(f"{'':14}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'errors':>8}")
    print(
        f"{'gonogo probe':14}{ours.rps or 0:>10.0f}{lat['p50']:>10.2f}{lat['p95']:>10.2f}"
        f"{lat['p99']:>10.2f}{ours.errors:>8}"
    )
    print(
        f"{'wrk':14}{wrk['rps']:>10.0f}{wrk['p50']:>10.2f}{wrk['p95']:>10.2f}{wrk['p99']:>10.2f}{int(wrk['errors']):>8}"
    )
    print(
        f"ratio probe/wrk: req/s {(ours.rps or 0) / wrk['rps']:.2f}, "
        f"p50 {lat['p50'] / wrk['p50']:.2f}, p95 {lat['p95'] / wrk['p95']:.2f}, "
        f"p99 {lat['p99'] / wrk['p99']:.2f}"
    )
    print(
        f"probe client CPU: {(ours.cpu_fraction or 0) * 100:.0f}% of one core "
        f"({'client-bound: its req/s is a lower bound' if ours.client_bound else 'not client-bound'})"
    )


if __name__ == "__main__":
    main()
