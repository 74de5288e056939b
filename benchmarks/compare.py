"""Two versions of gonogo side by side on one tree: a change's effect, measured in one run.

The machine's speed drifts by a third within an hour, so a figure taken before a change and one
taken after it compare the hours as much as the code. Here the two versions take turns, run by
run, on the same copy of the tree and the same fact cache (its entries are keyed by extractor
version, so each version reads only what it would have written):

- *every check run*: ``gonogo check --rescan``, the memo kept out, every fact from the cache;
- *one file changed*: ``gonogo check`` after appending a line to one ``.py`` file, a different
  file each run, as an edit would;
- with ``--cold``, first *cold*: ``gonogo check`` with an empty cache of its own each run.

Each version's median and range is printed, and the ratio of the medians (after / before). The
``before`` version is a git revision of this repository, checked out into a temporary worktree;
``after`` is the working tree this script belongs to.

Run: ``python benchmarks/compare.py TREE --before REV [--runs N] [--cold]``. The advisory index is
``GONOGO_VULNDB`` when set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scan import FULL, Run, copy_tree, scan_in_child, touch_one  # the same copy, run and edit as scan.py's

HERE = Path(__file__).resolve().parent.parent


@contextmanager
def checked_out(revision: str) -> Iterator[Path]:
    """A temporary worktree of ``revision``, removed afterwards; yields its ``src`` folder."""
    with tempfile.TemporaryDirectory(prefix="gonogo-before-") as scratch:
        target = Path(scratch) / "tree"
        subprocess.run(["git", "-C", str(HERE), "worktree", "add", "--detach", "-q", str(target), revision], check=True)
        try:
            yield target / "src"
        finally:
            subprocess.run(["git", "-C", str(HERE), "worktree", "remove", "--force", str(target)], check=False)


def summary(times: list[float]) -> str:
    return f"median {statistics.median(times):6.2f} s   range {min(times):.2f}-{max(times):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--before", required=True, help="git revision of the version to compare with")
    parser.add_argument("--runs", type=int, default=5, help="runs of each version per figure")
    parser.add_argument("--cold", action="store_true", help="also time cold scans, each with an empty cache")
    args = parser.parse_args()
    after = HERE / "src"
    with checked_out(args.before) as before, tempfile.TemporaryDirectory(prefix="gonogo-compare-") as scratch:
        work = Path(scratch)
        tree = copy_tree(args.tree.resolve(), work / "tree")
        versions = {f"before ({args.before})": before, "after (this tree)": after}
        print(f"tree: {args.tree} ({sum(1 for _ in tree.rglob('*.py')):,} Python files; {os.cpu_count()} cores)")
        if args.cold:
            times: dict[str, list[Run]] = {name: [] for name in versions}
            for run in range(args.runs):
                for name, source in versions.items():  # in turns: a drift in speed reaches both
                    cold = work / f"cold-{run}-{name.split()[0]}"
                    times[name].append(scan_in_child(tree, FULL, cold, reuse=False, source=source))
            report("cold", times)
        cache = work / "cache"
        for source in versions.values():  # each version's cold run fills the cache with its facts
            scan_in_child(tree, FULL, cache, reuse=False, source=source)
        edits = 0
        for figure, rescan in (("every check run", True), ("one file changed", False)):
            times: dict[str, list[Run]] = {name: [] for name in versions}
            for _ in range(args.runs):
                for name, source in versions.items():
                    if not rescan:
                        touch_one(tree, edits)
                        edits += 1
                    times[name].append(scan_in_child(tree, FULL, cache, reuse=not rescan, source=source))
            report(figure, times)


def report(figure: str, runs: dict[str, list[Run]]) -> None:
    """Each version's median and range of wall time and of CPU seconds (its own and its
    workers'), and the ratios of the medians. A one-process rescan's CPU time drifts less with the
    machine's load than its wall time, so a change of a few percent shows there first."""
    walls = [statistics.median(run.seconds for run in taken) for taken in runs.values()]
    cpus = [statistics.median(run.cpu for run in taken) for taken in runs.values()]
    print(f"  {figure}:")
    for name, taken in runs.items():
        print(f"    {name:<28} {summary([run.seconds for run in taken])}; CPU {summary([run.cpu for run in taken])}")
    print(
        f"    after / before: {walls[1] / walls[0]:.2f} wall, {cpus[1] / cpus[0]:.2f} CPU"
        f"   load {os.getloadavg()[0]:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
