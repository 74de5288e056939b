"""Repositories per minute: a fleet on a LocalCluster of 2 workers against the same scans one after
another in one process, cold (empty fact cache) and warm (every file's facts cached), separately.

Both sides run the same task function (``gonogo.fleet.task.scan_source``: load the repository's
config, scan with ``jobs=1``, render JSON and Markdown, fingerprint the findings), on folders (no
clone), each mode with its own fact cache. The files are read once before timing, so the OS page
cache is warm for every mode alike. The machine's load average is printed with every figure: on a
shared machine a figure means nothing without it.

Run: ``python benchmarks/fleet.py [FOLDER ...] [--json results.json]`` (default: every folder under
/work/corpus and /work/corpus-fleet).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from gonogo.fleet.runner import connect, run_fleet
from gonogo.fleet.sources import Source
from gonogo.fleet.task import FleetSettings, RepoOutcome, Status, scan_source
from gonogo.options import ScanOptions

DEFAULT_ROOTS = (Path("/work/corpus"), Path("/work/corpus-fleet"))
TASK_TIMEOUT_S = 3600.0


def folders(given: Sequence[str]) -> list[Path]:
    if given:
        return [Path(g) for g in given]
    return sorted(p for root in DEFAULT_ROOTS if root.is_dir() for p in root.iterdir() if p.is_dir())


def sources_of(paths: list[Path]) -> list[Source]:
    return [Source(name=p.name, slug=p.name, location=str(p.resolve()), kind="path") for p in paths]


def settings_for(cache_dir: str) -> FleetSettings:
    options = ScanOptions(jobs=1, cache_dir=cache_dir, vulndb_path=os.environ.get("GONOGO_VULNDB"))
    return FleetSettings(run_id=uuid.uuid4().hex, options=options, task_timeout=TASK_TIMEOUT_S)


def warm_page_cache(paths: list[Path]) -> int:
    """Read every file once, so no mode pays for the disk and the first one alone."""
    total = 0
    for path in paths:
        for folder, _dirs, files in os.walk(path):
            for name in files:
                file = Path(folder) / name
                if file.is_file() and not file.is_symlink():
                    try:
                        total += len(file.read_bytes())
                    except OSError:
                        continue
    return total


def load() -> tuple[float, float, float]:
    return tuple(round(x, 2) for x in os.getloadavg())  # type: ignore[return-value]


def sequential(sources: list[Source], settings: FleetSettings) -> list[RepoOutcome]:
    outcomes = []
    for source in sources:
        outcome = scan_source(source, settings)
        outcomes.append(replace(outcome, payload=None))
        print(f"    {source.name:40} {outcome.status.value:9} {outcome.seconds:7.1f} s", flush=True)
    return outcomes


def on_fleet(client: Any) -> Callable[[list[Source], FleetSettings], list[RepoOutcome]]:
    def run(sources: list[Source], settings: FleetSettings) -> list[RepoOutcome]:
        def say(outcome: RepoOutcome) -> None:
            print(f"    {outcome.name:40} {outcome.status.value:9} {outcome.seconds:7.1f} s"
                  f"  on {outcome.worker}", flush=True)

        return run_fleet(client, sources, settings, on_outcome=say)

    return run


def measure(label: str, run: Callable[[list[Source], FleetSettings], list[RepoOutcome]],
            sources: list[Source], settings: FleetSettings) -> dict[str, Any]:
    print(f"  {label}: load before {load()}", flush=True)
    started = time.perf_counter()
    outcomes = run(sources, settings)
    seconds = time.perf_counter() - started
    scanned = sum(o.status is Status.SCANNED for o in outcomes)
    figure = {
        "mode": label,
        "repositories": len(sources),
        "scanned": scanned,
        "seconds": round(seconds, 1),
        "repositories_per_minute": round(60 * len(sources) / seconds, 2),
        "task_seconds_sum": round(sum(o.seconds for o in outcomes), 1),
        "load_after": load(),
        "not_scanned": {o.name: o.reason for o in outcomes if o.status is not Status.SCANNED},
    }
    print(f"  {label}: {seconds:.1f} s, {figure['repositories_per_minute']} repositories/min, "
          f"load after {figure['load_after']}", flush=True)
    return figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="Also write the figures here")
    args = parser.parse_args()
    paths = folders(args.folders)
    sources = sources_of(paths)
    print(f"{len(sources)} repositories, {os.cpu_count()} cores, load {load()}", flush=True)
    print(f"page cache warmed with {warm_page_cache(paths) / 1e6:.0f} MB", flush=True)
    figures: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="gonogo-bench-seq-") as seq_cache:
        figures.append(measure("one process, cold cache", sequential, sources, settings_for(seq_cache)))
        figures.append(measure("one process, warm cache", sequential, sources, settings_for(seq_cache)))
    with tempfile.TemporaryDirectory(prefix="gonogo-bench-fleet-") as fleet_cache:
        started = time.perf_counter()
        with connect(None, workers=args.workers) as client:
            startup = round(time.perf_counter() - started, 1)
            print(f"  LocalCluster of {args.workers} workers started in {startup} s", flush=True)
            run = on_fleet(client)
            cold = measure(f"LocalCluster {args.workers} workers, cold cache", run, sources, settings_for(fleet_cache))
            warm = measure(f"LocalCluster {args.workers} workers, warm cache", run, sources, settings_for(fleet_cache))
        figures += [cold | {"cluster_start_seconds": startup}, warm | {"cluster_start_seconds": startup}]
    print()
    print(f"{'mode':45} {'seconds':>8} {'repos/min':>10} {'load after':>20}")
    for figure in figures:
        print(f"{figure['mode']:45} {figure['seconds']:8.1f} {figure['repositories_per_minute']:10.2f} "
              f"{figure['load_after']!s:>20}")
    for kind in ("cold", "warm"):
        one, many = (f for f in figures if f["mode"].endswith(f"{kind} cache"))
        print(f"speed-up, {kind}: {one['seconds'] / many['seconds']:.2f}x")
    if args.json:
        args.json.write_text(json.dumps({"cores": os.cpu_count(), "figures": figures}, indent=2) + "\n")


if __name__ == "__main__":
    main()
