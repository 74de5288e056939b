"""gonogo's scan time on large real trees, against the floor of reading and parsing them.

The floor is what any AST-based tool must pay: read every ``.py`` file and ``ast.parse`` it, in one
process, measured in the same run as the scans. Each tree is copied to a temporary folder first
(the cache is keyed by content, so the copy is what a user's checkout is, and the original is never
touched), then scanned as a user scans it: ``gonogo check TREE --format json`` in a fresh process,
printing its summary, writing the JSON report and remembering the run in a history database (a
temporary one):

- the full default check set, and TEST+CODE alone;
- cold (empty cache), warm (nothing changed: the scan memo gives the last report), warm with
  every check run on cached facts (the memo kept out), and warm after one ``.py`` file changed;
- with ``--sizes``: the full default set, cold, on a quarter, a half and all of the tree's files,
  so the growth is visible.

The VM's speed drifts by a third within an hour, so nothing is timed once: the floor is measured
before the scans and after each selection's, and the warm runs are repeated; each figure is the
median of its runs, printed with their range, and every ratio is to the median floor.

Each figure is printed twice: the whole command's wall time (what a user waits for: start-up,
imports, the scan, the reports, the history) and the scan alone (``scan()``, the report's
``duration_seconds``), each with its ratio to the floor; then the command's CPU seconds (its own
and its workers', which the machine's load does not inflate as it does wall time), its peak
resident set size (the largest of the process and its workers), and the load average when it ran.
Targets on 2 cores: cold full scan <= 1.0x the floor, warm <= 0.10x, warm after one changed file
<= 0.12x.

Run: ``python benchmarks/scan.py [TREE ...] [--sizes] [--repeat N]`` (default: the running interpreter's
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
import statistics
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
    """Wall time of the whole command (of the floor, for the floor)."""
    cpu: float
    rss_mib: float
    load: float
    scan_seconds: float | None = None
    """The scan alone, as the report gives it (``duration_seconds``)."""
    spread: str = ""
    """The range of the runs this one is the median of, when it is one."""


def median_of(runs: list[Run]) -> Run:
    """The run of median wall time (the lower middle of an even count: a real run, not a blend),
    with the range of all of them: one run says little on a machine whose speed drifts."""
    ordered = sorted(runs, key=lambda run: run.seconds)
    middle = ordered[(len(ordered) - 1) // 2]
    if len(runs) == 1:
        return middle
    spread = f"{len(runs)} runs, {ordered[0].seconds:.2f}-{ordered[-1].seconds:.2f} s"
    return Run(
        seconds=middle.seconds, cpu=middle.cpu, rss_mib=max(run.rss_mib for run in runs), load=middle.load,
        scan_seconds=statistics.median(run.scan_seconds or 0.0 for run in runs), spread=spread,
    )


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


def scan_in_child(tree: Path, selection: str, cache_dir: Path, reuse: bool = True, source: Path | None = None) -> Run:
    """``gonogo check`` in a fresh process, as a user runs it: its wall time, and its CPU and peak
    RSS with its workers' (``wait4`` gives the process's own usage and its reaped workers').
    ``reuse=False`` adds ``--rescan``: the scan memo does not answer, and every check runs on facts
    from the cache, as for a changed tree. ``source``: the ``src`` folder of another gonogo to run
    (``benchmarks/compare.py``), instead of the one installed."""
    load = os.getloadavg()[0]
    out = cache_dir.parent / f"report-{cache_dir.name}"
    select = ["--select", ",".join(SELECTIONS[selection])] if SELECTIONS[selection] else []
    history = cache_dir.parent / "history.sqlite"
    env = {**os.environ, "GONOGO_CACHE_DIR": str(cache_dir), "GONOGO_HISTORY": str(history)}
    # as a user's interpreter does: a module's compiled bytecode is written once and read after
    # (with it off, every module edited since its last compilation is compiled on every run)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    rescan = [] if reuse else ["--rescan"]
    command = [sys.executable, "-m", "gonogo.cli", "check", str(tree), *select, *rescan, "-f", "json", "-o", str(out)]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # GO or NO-GO: anything else is a failed scan
            errors.seek(0)
            raise SystemExit(f"scan of {tree} failed ({code}):\n{errors.read().decode(errors='replace')[-3000:]}")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    shutil.rmtree(out, ignore_errors=True)
    return Run(
        seconds=seconds,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mib=usage.ru_maxrss / 1024,
        load=load,
        scan_seconds=report["evidence"]["duration_seconds"],
    )


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


def touch_one(tree: Path, nth: int = 0) -> Path:
    """Change one Python file (the middle one in path order, or the ``nth`` after it), as an edit
    would: each repeat edits another file, so each is a scan the memo has not seen."""
    files = sorted(tree.rglob("*.py"))
    chosen = files[(len(files) // 2 + nth) % len(files)]
    with chosen.open("a", encoding="utf-8") as handle:
        handle.write("\n# changed by benchmarks/scan.py\n")
    return chosen


def line(label: str, run: Run, base: Run, target: float | None = None) -> str:
    goal = f"(target <= {target:.2f}x)" if target is not None else ""
    scan = run.scan_seconds or 0.0
    return (
        f"  {label:<36} command {run.seconds:6.2f} s = {run.seconds / base.seconds:5.2f}x"
        f"   scan() {scan:6.2f} s = {scan / base.seconds:5.2f}x floor {goal:<18}"
        f" cpu {run.cpu:6.2f} s = {run.cpu / base.cpu:5.2f}x   peak RSS {run.rss_mib:5.0f} MiB   load {run.load:4.1f}"
        + (f"   ({run.spread})" if run.spread else "")
    )


def measure(tree: Path, scratch: Path, sizes: bool, selections: list[str], repeat: int) -> None:
    copy = copy_tree(tree, scratch / "tree")
    first, files = floor(copy)
    floors = [first]
    results: list[tuple[str, Run, float | None]] = []
    for selection in selections:
        work = scratch / f"{selection.replace(' ', '_').replace('+', '_')}"
        shutil.copytree(copy, work / "tree")
        cache = work / "cache"
        cold = scan_in_child(work / "tree", selection, cache)
        warm = median_of([scan_in_child(work / "tree", selection, cache) for _ in range(repeat)])
        rerun = median_of([scan_in_child(work / "tree", selection, cache, reuse=False) for _ in range(repeat)])
        changed_runs = []
        for nth in range(repeat):
            touch_one(work / "tree", nth)
            changed_runs.append(scan_in_child(work / "tree", selection, cache))
        results += [
            (f"{selection}, cold", cold, TARGETS["cold"]),
            (f"{selection}, warm", warm, TARGETS["warm"]),
            (f"{selection}, warm, every check run", rerun, None),
            (f"{selection}, warm, one file changed", median_of(changed_runs), TARGETS["one file changed"]),
        ]
        shutil.rmtree(work, ignore_errors=True)
        floors.append(floor(copy)[0])
    base = median_of(floors)
    print(f"\ntree: {tree} ({files:,} Python files; {os.cpu_count()} cores)")
    print(f"  {'floor (read + ast.parse, 1 process)':<36} {base.seconds:7.2f} s"
          f"{'':<33} cpu {base.cpu:7.2f} s{'':<10}peak RSS {base.rss_mib:6.0f} MiB   load {base.load:4.1f}"
          f"   ({base.spread}: before the scans and after each selection)")
    for label, run, target in results:
        print(line(label, run, base, target))
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
    parser.add_argument("--repeat", type=int, default=3, help="runs of each warm figure, their median printed")
    args = parser.parse_args()
    for tree in args.trees:
        with tempfile.TemporaryDirectory(prefix="gonogo-bench-") as scratch:
            selections = [FULL] if args.full_only else list(SELECTIONS)
            measure(tree.resolve(), Path(scratch), args.sizes, selections, args.repeat)


if __name__ == "__main__":
    main()
