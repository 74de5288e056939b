"""Compare gonogo's load probe with wrk on the same local endpoint, at several concurrencies.

    python benchmarks/load.py [--seconds 3] [--repeats 5] [--levels 8,16,64] [--processes 1,2]
                              [--server-http auto|h11|httptools] [--url URL]

Without --url it starts a minimal ASGI app under uvicorn on a free loopback port (one worker), so
both clients measure the same real server. For each concurrency level and each repeat it runs wrk
and the probe (once per --processes choice) back to back, in an order that rotates, and prints the
medians, the ratio probe/wrk of the median rates, and the machine's load average while it measured.
Figures are printed, never asserted: on a small shared machine the server, the client and everyone
else share the CPU, which is why it repeats and reports medians. wrk comes from Debian
(`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from gonogo.probes.load import USER_AGENT, run_load
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
      io.write(string.format("GONOGO p50=%f p99=%f requests=%d errors=%d seconds=%f\\n",
        latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
        + summary.errors.write + summary.errors.timeout, summary.duration / 1e6))
    end
    """
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """One run of one client: its rate, latencies, and the 1-minute load average just before it."""

    rps: float
    p50: float
    p99: float
    errors: int
    load: float
    note: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder: Path, http: str) -> tuple[subprocess.Popen[bytes], str]:
    (folder / "bench_app.py").write_text(APP, encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench_app:app", "--host", "127.0.0.1", "--port", str(port),
               "--http", http, "--log-level", "error", "--no-access-log"]
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(url + "/", timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the benchmark server did not start")


def run_wrk(url: str, seconds: int, concurrency: int, script: Path) -> Sample:
    load = os.getloadavg()[0]
    done = subprocess.run(
        # the probe's User-Agent, so both send the same request bytes
        ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "-H", f"User-Agent: {USER_AGENT}", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"GONOGO (.*)", done.stdout)
    if match is None:
        raise SystemExit(f"could not read wrk's output:\n{done.stdout}\n{done.stderr}")
    figures = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    return Sample(rps=figures["requests"] / figures["seconds"], p50=figures["p50"], p99=figures["p99"],
                  errors=int(figures["errors"]), load=load)


def run_probe(base: str, seconds: int, concurrency: int, processes: int) -> Sample:
    load = os.getloadavg()[0]
    setting = LoadSetting(paths=["/"], duration_s=seconds, requests=100_000, concurrency=concurrency)
    result = run_load("bench", base, setting, processes=processes)
    if result.refused:
        raise SystemExit(result.evidence)
    return Sample(rps=result.rps or 0.0, p50=result.latency_ms["p50"], p99=result.latency_ms["p99"],
                  errors=result.errors, load=load,
                  note=("client-bound: " if result.client_bound else "not client-bound: ") + result.bottleneck)


def measure(base: str, args: argparse.Namespace, script: Path) -> dict[tuple[int, str], list[Sample]]:
    """Every client at every level, ``repeats`` times, interleaved so drifting machine load hits all alike."""
    clients = ["wrk"] + [f"probe x{p}" for p in args.processes]
    samples: dict[tuple[int, str], list[Sample]] = {}
    for level in args.levels:
        for repeat in range(args.repeats):
            shift = repeat % len(clients)
            for client in clients[shift:] + clients[:shift]:
                if client == "wrk":
                    sample = run_wrk(base + "/", args.seconds, level, script)
                else:
                    sample = run_probe(base, args.seconds, level, int(client.removeprefix("probe x")))
                samples.setdefault((level, client), []).append(sample)
                print(f"  c={level:<3} {client:<10} {sample.rps:>8.0f} req/s  load {sample.load:.2f}", file=sys.stderr)
    return samples


def report(samples: dict[tuple[int, str], list[Sample]], args: argparse.Namespace, target: str) -> None:
    parser = args.server_http if args.server_http != "auto" else (
        "httptools" if importlib.util.find_spec("httptools") else "h11")
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    server = "an endpoint given" if args.url else f"uvicorn, one worker, {parser} + {loop}"
    print(f"endpoint: {target} ({server}); "
          f"{args.seconds} s per run, {args.repeats} runs per client and level, cores: {os.cpu_count()}, "
          f"medians shown")
    print("ratio: of the median rates; paired: the median of each round's probe/wrk (runs seconds apart)")
    print(f"{'conc':>4} {'client':<10}{'req/s':>9}{'ratio':>7}{'paired':>7}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}  "
          f"{'load avg (min-max)':<20}")
    for level in args.levels:
        wrk_runs = samples[(level, "wrk")]
        wrk_rps = statistics.median(s.rps for s in wrk_runs)
        for (at, client), runs in samples.items():
            if at != level:
                continue
            rps = statistics.median(s.rps for s in runs)
            paired = statistics.median(s.rps / w.rps for s, w in zip(runs, wrk_runs, strict=True))
            loads = [s.load for s in runs]
            print(f"{level:>4} {client:<10}{rps:>9.0f}{rps / wrk_rps:>7.2f}{paired:>7.2f}"
                  f"{statistics.median(s.p50 for s in runs):>9.2f}{statistics.median(s.p99 for s in runs):>9.2f}"
                  f"{sum(s.errors for s in runs):>8}  "
                  f"{statistics.median(loads):.2f} ({min(loads):.2f}-{max(loads):.2f})")
    print("\nthe probe's own statement about its bottleneck, on its last run at each level:")
    for (level, client), runs in samples.items():
        if client != "wrk":
            print(f"  c={level} {client}: {runs[-1].note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")], default=[8, 16, 64])
    parser.add_argument("--processes", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2],
                        help="client processes of the probe to compare")
    parser.add_argument("--url", help="an endpoint already running (loopback)")
    parser.add_argument("--server-http", choices=["auto", "h11", "httptools"], default="auto",
                        help="uvicorn's HTTP parser: h11 is the slower pure-Python server")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        script = folder / "report.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        server, base = (None, args.url.rstrip("/")) if args.url else start_server(folder, args.server_http)
        try:
            run_probe(base, 1, 8, 1)  # warm-up: imports, the server's first requests
            samples = measure(base, args, script)
        finally:
            if server is not None:
                server.terminate()
                server.wait()
    report(samples, args, base + "/")


if __name__ == "__main__":
    main()
