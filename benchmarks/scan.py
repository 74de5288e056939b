"""Cold and warm scan times of a large real tree against the floor of reading and parsing it.

The floor is what any AST-based tool must pay: read every ``.py`` file and ``ast.parse`` it, in one
process. gonogo's cold scan (empty cache) should stay within 1.5x of it, and a warm scan (every
file's facts cached) under 0.15x. Run: ``python benchmarks/scan.py [TREE]`` (default: the
site-packages of the running interpreter).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import sysconfig
import tempfile
import time
import warnings
from pathlib import Path

from gonogo.api import scan
from gonogo.config import load_config
from gonogo.options import ScanOptions
from gonogo.workspace import Workspace


def floor_seconds(tree: Path) -> tuple[float, int]:
    """Read and parse every Python file the scan would see, in this one process."""
    files = [f for f in Workspace.open([tree]).by_suffix(".py")]
    started = time.perf_counter()
    parsed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for file in files:
            if file.size > 10 * 1024 * 1024:
                continue
            data = file.abspath.read_bytes()
            with contextlib.suppress(SyntaxError, ValueError, RecursionError):
                ast.parse(data)
            parsed += 1
    return time.perf_counter() - started, parsed


def scan_seconds(tree: Path, cache_dir: str) -> float:
    config = load_config(None, {"select": ["TEST", "CODE"]})
    started = time.perf_counter()
    scan([tree], config=config, options=ScanOptions(cache_dir=cache_dir))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tree", nargs="?", default=sysconfig.get_paths()["purelib"])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tree = Path(args.tree)
    floor, files = min(floor_seconds(tree) for _ in range(args.rounds))
    colds, warms = [], []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as cache_dir:
            colds.append(scan_seconds(tree, cache_dir))
            warms.append(scan_seconds(tree, cache_dir))
    cold, warm = min(colds), min(warms)
    print(f"tree: {tree} ({files:,} Python files, {os.cpu_count()} cores)")
    print(f"floor (read + ast.parse, one process): {floor:.2f} s")
    print(f"cold scan (TEST+CODE, empty cache):    {cold:.2f} s = {cold / floor:.2f}x floor (target <= 1.5x)")
    print(f"warm scan (TEST+CODE, cached facts):   {warm:.2f} s = {warm / floor:.2f}x floor (target <= 0.15x)")


if __name__ == "__main__":
    main()
