"""gonogo's scan time on large real trees, against the floor of reading and parsing them.

The floor is what any AST-based tool must pay: read every ``.py`` file and ``ast.parse`` it, in one
process, measured in the same run as the scans. Each tree is copied to a temporary folder first
(the cache is keyed by content, so the copy is what a user's checkout is, and the original is never
touched), then scanned in a fresh process each time, as ``gonogo check`` runs:

- the full default check set, and TEST+CODE alone;
- cold (empty cache), warm (nothing changed), and warm after one ``.py`` file changed;
- with ``--sizes``: the full default set, cold, on a quarter, a half and all of the tree's files,
  so the growth is visible.

Each figure is printed with its ratio to the floor, the scan's CPU seconds (its own and its
workers', which the machine's load does not inflate as it does wall time), its peak resident set
size, and the load average when it ran. Targets on 2 cores: cold full scan <= 1.0x the floor, warm
<= 0.10x, warm after one changed file <= 0.12x.

Run: ``python benchmarks/scan.py [TREE ...] [--sizes]`` (default: the running interpreter's
site-packages). The advisory index is ``GONOGO_VULNDB`` when set.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

FULL = "full default"
TEST_CODE = "TEST+CODE"
SELECTIONS = {FULL: [], TEST_CODE: ["TEST", "CODE"]}
TARGETS = {"cold": 1.0, "warm": 0.10, "one file changed": 0.12}


@dataclass(frozen=True, slots=True, kw_only=True)
class Run:
    seconds: float
    cpu: float
    rss_mib: float
    load: float


def floor(tree: Path) -> tuple[Run, int]:
    """Read and parse every Python file the scan would see, in this one process."""
    from gonogo.workspace import Workspace

    files = list(Workspace.open([tree]).by_suffix(".py"))
    load = os.getloadavg()[0]
    cpu_started = time.process_time()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for file in files:
            if file.size > 10 * 1024 * 1024:
                continue
            data = file.abspath.read_bytes()
            with contextlib.suppress(SyntaxError, ValueError, RecursionError, MemoryError):
                ast.parse(data)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Run(seconds=seconds, cpu=time.process_time() - cpu_started, rss_mib=rss, load=load), len(files)


def scan_in_child(tree: Path, selection: str, cache_dir: Path) -> Run:
    """One scan in a fresh process, as ``gonogo check`` is run; the child reports its figures."""
    load = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(tree), "--select", selection, "--cache-dir", str(cache_dir)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"scan of {tree} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Run(load=load, **figures)


def child(tree: Path, selection: str, cache_dir: Path) -> None:
    """The scan itself: timed around ``scan()``, CPU and peak RSS of this process and its workers."""
    from gonogo.api import scan
    from gonogo.config import load_config
    from gonogo.options import ScanOptions

    config = load_config(None, {"select": SELECTIONS[selection]} if SELECTIONS[selection] else {})
    options = ScanOptions(cache_dir=str(cache_dir), vulndb_path=os.environ.get("GONOGO_VULNDB"))
    started = time.perf_counter()
    scan([tree], config=config, options=options)
    seconds = time.perf_counter() - started
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    rss = max(own.ru_maxrss, workers.ru_maxrss) / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mib": rss}))


def copy_tree(tree: Path, target: Path, every: int = 1) -> Path:
    """A copy of ``tree`` (every ``every``-th file, in path order, for a smaller one)."""
    files = sorted(p for p in tree.rglob("*") if p.is_file() and not p.is_symlink())
    for index, path in enumerate(files):
        if index % every:
            continue
        destination = target / path.relative_to(tree)
        destination.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            shutil.copyfile(path, destination)
    return target


def touch_one(tree: Path) -> Path:
    """Change one Python file (the middle one in path order), as an edit would."""
    files = sorted(tree.rglob("*.py"))
    chosen = files[len(files) // 2]
    with chosen.open("a", encoding="utf-8") as handle:
        handle.write("\n# changed by benchmarks/scan.py\n")
    return chosen


def line(label: str, run: Run, base: Run, target: float | None = None) -> str:
    goal = f" (target <= {target:.2f}x)" if target is not None else ""
    return (
        f"  {label:<34} {run.seconds:7.2f} s = {run.seconds / base.seconds:5.2f}x floor{goal:<20}"
        f" cpu {run.cpu:7.2f} s = {run.cpu / base.cpu:5.2f}x   peak RSS {run.rss_mib:6.0f} MiB   load {run.load:4.1f}"
    )


def measure(tree: Path, scratch: Path, sizes: bool, selections: list[str]) -> None:
    copy = copy_tree(tree, scratch / "tree")
    base, files = floor(copy)
    print(f"\ntree: {tree} ({files:,} Python files; {os.cpu_count()} cores)")
    print(f"  {'floor (read + ast.parse, 1 process)':<34} {base.seconds:7.2f} s"
          f"{'':<33} cpu {base.cpu:7.2f} s{'':<10}peak RSS {base.rss_mib:6.0f} MiB   load {base.load:4.1f}")
    for selection in selections:
        work = scratch / f"{selection.replace(' ', '_').replace('+', '_')}"
        shutil.copytree(copy, work / "tree")
        cache = work / "cache"
        cold = scan_in_child(work / "tree", selection, cache)
        warm = scan_in_child(work / "tree", selection, cache)
        touch_one(work / "tree")
        changed = scan_in_child(work / "tree", selection, cache)
        print(line(f"{selection}, cold", cold, base, TARGETS["cold"]))
        print(line(f"{selection}, warm", warm, base, TARGETS["warm"]))
        print(line(f"{selection}, warm, one file changed", changed, base, TARGETS["one file changed"]))
        shutil.rmtree(work, ignore_errors=True)
    if sizes:
        print("  growth (full default, cold):")
        for every, name in ((4, "a quarter"), (2, "a half"), (1, "all")):
            part = copy if every == 1 else copy_tree(tree, scratch / f"part{every}", every)
            part_floor, part_files = floor(part)
            run = scan_in_child(part, FULL, scratch / f"cache{every}")
            print(line(f"{name} ({part_files:,} files, floor {part_floor.seconds:.2f} s)", run, part_floor))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", type=Path, default=[Path(sysconfig.get_paths()["purelib"])])
    parser.add_argument("--sizes", action="store_true", help="also time a quarter, a half and all of each tree")
    parser.add_argument("--full-only", action="store_true", help="time the full default set only, not TEST+CODE")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--select", default=FULL, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.select, args.cache_dir)
        return
    for tree in args.trees:
        with tempfile.TemporaryDirectory(prefix="gonogo-bench-") as scratch:
            measure(tree.resolve(), Path(scratch), args.sizes, [FULL] if args.full_only else list(SELECTIONS))


if __name__ == "__main__":
    main()
