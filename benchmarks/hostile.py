"""Run the whole hostile-input campaign through the real CLI and print its figures.

Every case of ``benchmarks/hostile_cases.py`` builds its tree in a temporary folder and runs
``python -m gonogo.cli`` under a 30 s timeout; the figures are the number of cases and how many
showed each problem (crash, hang, leak, changed, fail-open, plus unnamed, injection and refused).
Targets: 0 of each on at least 150 cases. Run: ``python benchmarks/hostile.py [--jobs 2] [-k WORD]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_cases import PROBLEMS, Case, Outcome, all_cases, describe, figures, remove_tree, run_case


def run_one(case: Case, scratch: Path, index: int) -> Outcome:
    workdir = scratch / f"case{index:03d}"
    workdir.mkdir()
    try:
        outcome = run_case(case, workdir)
    except Exception as exc:  # a broken case must not stop the campaign; it is listed instead
        outcome = Outcome(case=case)
        outcome.add("harness", f"{type(exc).__name__}: {exc}")
    finally:
        remove_tree(workdir)
    status = describe(outcome) or "ok"
    print(f"{outcome.seconds:6.1f}s  [{case.group}] {case.name!r}: {status}", flush=True)
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2, help="cases run at once (each is its own process)")
    parser.add_argument("-k", dest="keyword", default="", help="only cases whose name or class holds this")
    args = parser.parse_args()
    cases = [c for c in all_cases() if args.keyword.lower() in f"{c.name} {c.group}".lower()]
    with tempfile.TemporaryDirectory(prefix="gonogo-hostile-") as folder, ThreadPoolExecutor(args.jobs) as pool:
        scratch = Path(folder)
        outcomes = list(pool.map(lambda item: run_one(item[1], scratch, item[0]), enumerate(cases)))
    counts = figures(outcomes)
    print()
    print("  ".join(f"{name}={counts[name]}" for name in ("cases", *PROBLEMS)))
    broken = [o.case.name for o in outcomes if "harness" in o.problems]
    if broken:
        print(f"{len(broken)} case(s) could not be built or judged: {', '.join(broken)}")
    return 0 if not any(counts[p] for p in PROBLEMS) else 1


if __name__ == "__main__":
    sys.exit(main())
