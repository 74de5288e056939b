"""gonogo's security scan against ``bandit -r`` on one large tree: time ratio and finding overlap.

Both tools scan the same tree in one run each, cold (gonogo with no fact cache), one after the
other in the same minute, each with the machine's load average when it started (the machine may be
shared: compare figures taken at similar load). The time ratio is bandit's wall time over
gonogo's (target: 10x or more). Findings are compared on the rules both have, as (file, line, bandit test
id): matched, bandit only, gonogo only. gonogo leaves product-only rules (assert, test passwords)
out of test code and honours ``# nosec`` visibly, so those are set aside on both sides. A
hard-coded password (B105/B106/B107) that SEC020 or SEC022 reports at the same line is matched:
SEC009 leaves such lines to the secrets checks rather than reporting them twice.

Run: ``python benchmarks/sast.py [TREE]`` (default: the running interpreter's site-packages;
needs ``pip install bandit``, which is not a gonogo dependency).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from pathlib import Path

from gonogo.api import scan
from gonogo.checks.security import SAST_CHECKS
from gonogo.collectors.sast import load_rules
from gonogo.collectors.testpaths import is_test_path
from gonogo.config import load_config
from gonogo.options import ScanOptions

Key = tuple[str, int, str]


PASSWORD_TESTS = frozenset({"B105", "B106", "B107"})
SECRET_CHECKS = frozenset({"SEC020", "SEC022"})


def run_gonogo(tree: Path, select: list[str]) -> tuple[float, set[Key], set[tuple[str, int]]]:
    started = time.perf_counter()
    report = scan([tree], load_config(None, {"select": select}), ScanOptions(use_cache=False))
    elapsed = time.perf_counter() - started
    keys = {
        (f.path, f.line or 0, str(f.get("bandit")))
        for f in report.findings
        if f.path and f.get("bandit") and not f.get("in_code_suppression") and f.waived is None
    }
    secrets = {(f.path, f.line or 0) for f in report.findings if f.check_id in SECRET_CHECKS and f.path}
    return elapsed, keys, secrets


def run_bandit(tree: Path) -> tuple[float, list[dict[str, object]], int]:
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "bandit.json"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bandit", "-r", str(tree), "-f", "json", "-o", str(output), "-q"],
            stderr=subprocess.DEVNULL,
            check=False,
        )
        elapsed = time.perf_counter() - started
        data = json.loads(output.read_text(encoding="utf-8"))
    return elapsed, data.get("results", []), len(data.get("metrics", {})) - 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    args = parser.parse_args()
    tree = args.tree.resolve()
    # SEC009 reads the secrets fact (to not repeat SEC020), so it is timed with the secrets scan
    loads = [os.getloadavg()[0]]
    ours_sast, _, _ = run_gonogo(tree, [c for c in SAST_CHECKS if c != "SEC009"])
    loads.append(os.getloadavg()[0])
    ours_all, keys, secret_places = run_gonogo(tree, ["SEC"])
    loads.append(os.getloadavg()[0])
    theirs, results, bandit_files = run_bandit(tree)

    rules = load_rules()
    shared = {rule.bandit for rule in rules.values() if rule.bandit}
    product_only = {rule.bandit for rule in rules.values() if rule.product_only}
    bandit_keys: set[Key] = set()
    for item in results:
        path = Path(str(item["filename"])).resolve().relative_to(tree).as_posix()
        test_id = str(item["test_id"])
        if test_id not in shared or (test_id in product_only and is_test_path(path)):
            continue
        bandit_keys.add((path, int(item["line_number"]), test_id))  # type: ignore[call-overload]
    keys = {k for k in keys if k[2] in shared}
    by_secrets = {k for k in bandit_keys - keys if k[2] in PASSWORD_TESTS and k[:2] in secret_places}
    keys |= by_secrets
    matched = keys & bandit_keys
    only_bandit = Counter(k[2] for k in bandit_keys - keys)
    only_gonogo = Counter(k[2] for k in keys - bandit_keys)

    print(f"tree: {tree}  (bandit scanned {bandit_files} files)")
    print(f"gonogo SAST (SEC001-SEC015 but SEC009), cold: {ours_sast:.2f}s (load {loads[0]:.1f})")
    print(f"gonogo all SEC (SAST + secrets + suppressions), cold: {ours_all:.2f}s (load {loads[1]:.1f})")
    print(f"bandit -r: {theirs:.2f}s (load {loads[2]:.1f})")
    print(f"speed ratio bandit/gonogo SAST: {theirs / ours_sast:.1f}x; with secrets: {theirs / ours_all:.1f}x")
    union = len(keys | bandit_keys)
    print(f"findings on shared rules: matched {len(matched)}, bandit only {sum(only_bandit.values())}, "
          f"gonogo only {sum(only_gonogo.values())}; agreement {len(matched) / max(union, 1):.0%} "
          f"of the union, {len(matched) / max(len(bandit_keys), 1):.0%} of bandit's")
    print(f"of the matched, hard-coded passwords reported by SEC020/SEC022 on the same line: {len(by_secrets)}")
    print("bandit only, by test:", dict(only_bandit.most_common(12)))
    print("gonogo only, by test:", dict(only_gonogo.most_common(12)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
