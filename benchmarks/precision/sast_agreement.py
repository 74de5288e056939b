"""SAST agreement with bandit over the precision corpus, per bandit test id, on the rules both have.

For each snapshot this runs ``bandit -r`` and gonogo's SAST checks (plus SEC020/SEC022, because a
hard-coded password that the secret scanner reports is not repeated as SEC009) and compares the
findings as (file, line, bandit test id). Product-only rules (assert, test passwords) are left out
of test code on both sides, as in ``benchmarks/sast.py``.

Two figures are printed: *strict* (same file, line and test id) and *same place* (also counting
the same rule one or two lines apart, as bandit and ruff anchor multi-line calls differently, and
a B105-B107 hit that gonogo reports as SEC020/SEC022 at that line). The rules that can block are
those gonogo rates high or critical: they feed ``security.high_high_confidence``.

Run: ``PYTHONPATH=src python benchmarks/precision/sast_agreement.py [--only NAME]``
(needs ``pip install bandit``, which is not a gonogo dependency; snapshots as for run.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from gonogo.api import scan
from gonogo.checks.security import SAST_CHECKS
from gonogo.collectors.sast import load_rules
from gonogo.collectors.testpaths import is_test_path
from gonogo.config import load_config
from gonogo.model import Severity
from gonogo.options import ScanOptions

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import HERE, chosen, load_corpus

Key = tuple[str, int, str]
PASSWORD_TESTS = ("B105", "B106", "B107")
BLOCKING_LEVELS = {Severity.HIGH, Severity.CRITICAL}


def bandit_keys(tree: Path, shared: set[str], product_only: set[str]) -> set[Key]:
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "bandit.json"
        subprocess.run([sys.executable, "-m", "bandit", "-r", str(tree), "-f", "json", "-o", str(output), "-q"],
                       stderr=subprocess.DEVNULL, check=False)
        results = json.loads(output.read_text(encoding="utf-8")).get("results", [])
    keys = set()
    for item in results:
        path = Path(item["filename"]).resolve().relative_to(tree.resolve()).as_posix()
        test_id = str(item["test_id"])
        if test_id in shared and not (test_id in product_only and is_test_path(path)):
            keys.add((path, int(item["line_number"]), test_id))
    return keys


def gonogo_keys(tree: Path, shared: set[str]) -> tuple[set[Key], set[tuple[str, int]]]:
    """gonogo's SAST findings as keys, and the places where it reports a hard-coded secret."""
    config = load_config(None, {"select": [*SAST_CHECKS, "SEC020", "SEC022"]})
    report = scan([tree], config, ScanOptions(use_cache=False))
    keys = {
        (f.path, f.line or 0, str(f.get("bandit")))
        for f in report.findings
        if f.path and str(f.get("bandit")) in shared and not f.get("in_code_suppression") and f.waived is None
    }
    secrets = {(f.path, f.line or 0) for f in report.findings if f.check_id in ("SEC020", "SEC022") and f.path}
    return keys, secrets


def same_place(ours: set[Key], theirs: set[Key], secrets: set[tuple[str, int]]) -> set[Key]:
    """``ours`` with each of bandit's keys that gonogo found at the same place under another anchor."""
    adjusted = set(ours)
    for key in sorted(theirs - ours):
        path, line, test_id = key
        nearby = [(path, line + d, test_id) for d in (-1, 1, -2, 2)]
        twin = next((k for k in nearby if k in adjusted - theirs), None)
        if twin is not None:
            adjusted.discard(twin)
            adjusted.add(key)
        elif test_id in PASSWORD_TESTS and (path, line) in secrets:
            adjusted.add(key)
    return adjusted


def print_figures(title: str, tests: Iterable[str], tallies: dict[str, Counter[str]]) -> None:
    tests = list(tests)
    matched, only_bandit, only_gonogo = (sum(tallies[side][t] for t in tests) for side in ("m", "b", "g"))
    print(f"  {title}: matched {matched}, bandit only {only_bandit}, gonogo only {only_gonogo}; "
          f"{matched / max(matched + only_bandit, 1):.2f} of bandit's, "
          f"{matched / max(matched + only_bandit + only_gonogo, 1):.2f} of the union")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--corpus-dir", type=Path,
                        default=Path(os.environ.get("GONOGO_CORPUS_DIR", HERE / "snapshots")))
    args = parser.parse_args()
    rules = load_rules().values()
    shared = {r.bandit for r in rules if r.bandit}
    product_only = {r.bandit for r in rules if r.bandit and r.product_only}
    blocking = {r.bandit for r in rules if r.bandit and r.severity in BLOCKING_LEVELS}
    strict: dict[str, Counter[str]] = {side: Counter() for side in "mbg"}
    placed: dict[str, Counter[str]] = {side: Counter() for side in "mbg"}
    for repo in chosen(load_corpus(HERE / "corpus.toml"), args.only):
        tree = args.corpus_dir / repo.slug
        if not tree.is_dir():
            print(f"{repo.slug}: absent (run.py --prepare makes the snapshot)")
            continue
        theirs = bandit_keys(tree, shared, product_only)
        ours, secrets = gonogo_keys(tree, shared)
        for tallies, mine in ((strict, ours), (placed, same_place(ours, theirs, secrets))):
            tallies["m"].update(k[2] for k in mine & theirs)
            tallies["b"].update(k[2] for k in theirs - mine)
            tallies["g"].update(k[2] for k in mine - theirs)
        print(f"{repo.slug}: bandit {len(theirs)}, gonogo {len(ours)}, matched {len(ours & theirs)}", flush=True)
    tests = sorted(set().union(*strict.values()))
    for title, tallies in (("strict", strict), ("same place", placed)):
        print(title)
        print_figures("all shared rules", tests, tallies)
        print_figures(f"rules that can block ({', '.join(sorted(blocking & set(tests)))})",
                      [t for t in tests if t in blocking], tallies)
        print_figures("hard-coded passwords (B105-B107)", [t for t in tests if t in PASSWORD_TESTS], tallies)
        print("  per test (matched/bandit only/gonogo only): " + ", ".join(
            f"{t} {tallies['m'][t]}/{tallies['b'][t]}/{tallies['g'][t]}" for t in tests))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
