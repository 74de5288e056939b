"""gonogo's SAST against bandit's own functional tests: per-file severity and confidence counts.

bandit's sdist ships ``examples/*.py`` and ``tests/functional/test_functional.py``, which states,
for each example, how many issues of each severity and confidence bandit must report. This script
downloads the sdist into a temporary folder (nothing of bandit's is kept in this repository), runs
gonogo's SAST checks (SEC001-SEC015) over the examples once, and compares the counts of active
findings per file. It prints the agreement and every disagreement with the rules gonogo saw.

Run: ``python benchmarks/bandit_examples.py [--sdist DIR]`` (DIR: an unpacked bandit sdist).
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from gonogo.api import scan
from gonogo.checks.security import SAST_CHECKS
from gonogo.config import load_config
from gonogo.options import ScanOptions

LEVELS = ("UNDEFINED", "LOW", "MEDIUM", "HIGH")


def fetch_sdist(into: Path) -> Path:
    """``pip download --no-binary :all: bandit`` and unpack it under ``into``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
         "bandit", "-d", str(into)],
        check=True,
    )
    archive = next(into.glob("bandit-*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return next(p for p in into.iterdir() if p.is_dir() and p.name.startswith("bandit-"))


def expectations(test_file: Path) -> dict[str, dict[str, dict[str, int]]]:
    """``check_example("x.py", expect)`` calls with the literal ``expect`` in force at each call."""
    tree = ast.parse(test_file.read_text(encoding="utf-8"))
    found: dict[str, dict[str, dict[str, int]]] = {}
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        expect = None
        for node in sorted(ast.walk(function), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "expect" for t in node.targets):
                try:
                    expect = ast.literal_eval(node.value)
                except ValueError:
                    expect = None
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "check_example"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and expect is not None
                and not any(k.arg == "ignore_nosec" and getattr(k.value, "value", False) for k in node.keywords)
            ):
                found[node.args[0].value] = expect
    return found


def gonogo_counts(examples: Path) -> tuple[dict[str, dict[str, Counter[str]]], dict[str, Counter[str]]]:
    config = load_config(None, {"select": list(SAST_CHECKS)})
    report = scan([examples], config, ScanOptions(use_cache=False))
    counts: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: {"SEVERITY": Counter(), "CONFIDENCE": Counter()})
    rules: dict[str, Counter[str]] = defaultdict(Counter)
    for finding in report.findings:
        if not finding.active or not finding.path:
            continue
        level = "HIGH" if finding.severity.value in ("critical", "high") else finding.severity.value.upper()
        counts[finding.path]["SEVERITY"][level] += 1
        counts[finding.path]["CONFIDENCE"][str(finding.get("confidence", "undefined")).upper()] += 1
        rules[finding.path][f"{finding.get('rule')}/{finding.get('bandit', '-')}"] += 1
    return counts, rules


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help="an unpacked bandit sdist (default: download one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bandit-sdist-") as scratch:
        sdist = args.sdist or fetch_sdist(Path(scratch))
        expected = expectations(sdist / "tests" / "functional" / "test_functional.py")
        counts, rules = gonogo_counts(sdist / "examples")
    agree = 0
    total_expected = total_matched = total_found = 0
    disagreements = []
    for name, expect in sorted(expected.items()):
        ours = counts.get(name, {"SEVERITY": Counter(), "CONFIDENCE": Counter()})
        # by count alone: SEC003 judges a weak hash by its use, so bandit's examples (which have none)
        # differ in severity while every issue is still reported
        want_all = sum(expect.get("SEVERITY", {}).values())
        total_found += min(want_all, sum(ours["SEVERITY"].values()))
        same = True
        diffs = []
        for kind in ("SEVERITY", "CONFIDENCE"):
            for level in LEVELS:
                want, got = expect.get(kind, {}).get(level, 0), ours[kind].get(level, 0)
                if kind == "SEVERITY":
                    total_expected += want
                    total_matched += min(want, got)
                if want != got:
                    same = False
                    diffs.append(f"{kind.lower()} {level}: bandit {want}, gonogo {got}")
        if same:
            agree += 1
        else:
            disagreements.append((name, diffs, dict(sorted(rules.get(name, {}).items()))))
    print(f"bandit functional examples compared: {len(expected)}")
    print(f"files whose severity and confidence counts agree exactly: {agree}/{len(expected)} "
          f"({agree / max(len(expected), 1):.0%})")
    print(f"expected issues matched by severity: {total_matched}/{total_expected} "
          f"({total_matched / max(total_expected, 1):.0%})")
    print(f"expected issues reported at any severity: {total_found}/{total_expected} "
          f"({total_found / max(total_expected, 1):.0%})")
    for name, diffs, seen in disagreements:
        print(f"\n{name}:")
        for line in diffs:
            print(f"  {line}")
        print(f"  gonogo rules: {seen or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
