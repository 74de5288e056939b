"""Consistency oracle: evaluating each advisory's ranges must agree with its explicit version list.

Almost every PyPA advisory carries both ``ranges`` and ``versions``. For every advisory of the
snapshot and every release of its package on PyPI, the range evaluation (``gonogo.vulndb.matching``,
ranges only) must say "affected" exactly for the listed versions. Release lists come from the PyPI
JSON API (``/pypi/<name>/json``), one request per project, cached under ~/.cache/gonogo-bench/pypi
(network is allowed here, never in tests). Prints the agreement and every kind of disagreement with
examples.

Usage: python benchmarks/vulns_accuracy.py [SNAPSHOT_ZIP] [--offline]   (--offline: cache only)
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from gonogo.vulndb.matching import in_range, pep440, unevaluable_ranges
from gonogo.vulndb.online import USER_AGENT
from gonogo.vulndb.osv import Advisory, Affected, Range, load_document, read_documents

DEFAULT_SNAPSHOT = Path(__file__).resolve().parents[2] / "shared" / "data" / "osv-pypi-2024-10-10.zip"
CACHE = Path.home() / ".cache" / "gonogo-bench" / "pypi"


def releases(name: str, http: httpx.Client | None) -> dict[str, Any] | None:
    """``releases`` of the PyPI JSON answer for ``name`` (cached), ``None`` when PyPI has none."""
    path = CACHE / f"{name}.json"
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        return data.get("releases")
    if http is None:
        return None
    response = http.get(f"https://pypi.org/pypi/{name}/json")
    time.sleep(0.05)  # polite: one request at a time, spaced
    if response.status_code == 404:
        data = {"releases": None}
    elif response.status_code != 200:
        raise RuntimeError(f"GET /pypi/{name}/json: HTTP {response.status_code}")
    else:
        data = {"releases": response.json().get("releases", {})}
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return data["releases"]


def first_upload(files: list[dict[str, Any]]) -> datetime | None:
    times = sorted(f.get("upload_time_iso_8601") or "" for f in files if isinstance(f, dict))
    times = [t for t in times if t]
    return datetime.fromisoformat(times[0].replace("Z", "+00:00")) if times else None


def classify_unlisted(version: str, files: list[dict[str, Any]], modified: str | None) -> str:
    """Why a release the ranges cover may be missing from the list."""
    uploaded = first_upload(files)
    if modified and uploaded and uploaded.isoformat() > modified.replace("Z", "+00:00"):
        return "in ranges, not listed: released after the advisory was last modified"
    if not files:
        return "in ranges, not listed: release has no files on PyPI"
    if all(f.get("yanked") for f in files):
        return "in ranges, not listed: release is yanked"
    parsed = pep440(version)
    if parsed is None:
        return "in ranges, not listed: version is not PEP 440"
    return "in ranges, not listed: other"


def classify_listed(version: str, known: dict[str, Any], entry: Affected) -> str:
    events = [e for r in entry.ranges for e in r.events]
    parsed = pep440(version)
    if any(e.kind == "fixed" and pep440(e.version) == parsed for e in events if parsed is not None):
        return "listed, not in ranges: the list names a version a range says is fixed"
    if any(_overlapping(r) for r in entry.ranges):
        return "listed, not in ranges: overlapping introduced/fixed pairs in one range"
    if version not in known:
        return "listed, not in ranges: version not on PyPI"
    if parsed is None:
        return "listed, not in ranges: version is not PEP 440 (cannot be ordered)"
    if parsed.is_prerelease or parsed.is_devrelease:
        return "listed, not in ranges: pre-release or dev release"
    return "listed, not in ranges: other"


def _overlapping(rng: Range) -> bool:
    """Two introduced events before one fixed: intervals the schema says must not overlap."""
    open_count = 0
    ordered = sorted(
        rng.events,
        key=lambda e: (0,) if e.version == "0" else (1, pep440(e.version) or pep440("0")),
    )
    for event in ordered:
        if event.kind == "introduced":
            open_count += 1
            if open_count > 1:
                return True
        elif event.kind in ("fixed", "last_affected"):
            open_count = 0
    return False


@dataclass
class Agreement:
    """What the oracle counted: (advisory, release) pairs and entries that agree, and why not."""

    kinds: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    entries: int = 0
    entries_agree: int = 0
    pairs: int = 0
    pairs_agree: int = 0
    no_list: int = 0
    no_ranges: int = 0
    unevaluable: int = 0
    missing_project: int = 0

    def disagree(self, kind: str, example: str) -> None:
        self.kinds[kind] += 1
        if len(self.examples[kind]) < 4:
            self.examples[kind].append(example)


def compare_entry(advisory: Advisory, entry: Affected, known: dict[str, list[Any]], tally: Agreement) -> None:
    """Every release of the project, and every listed version: do the ranges say what the list says?"""
    tally.entries += 1
    listed = set(entry.versions)
    agree = True
    for version in sorted(set(known) | listed):
        parsed = pep440(version)
        in_ranges = parsed is not None and any(in_range(parsed, r, pep440) for r in entry.ranges)
        tally.pairs += 1
        if in_ranges == (version in listed):
            tally.pairs_agree += 1
            continue
        kind = (
            classify_unlisted(version, known.get(version) or [], advisory.modified)
            if in_ranges
            else classify_listed(version, known, entry)
        )
        tally.disagree(kind, f"{advisory.id} {entry.name} {version}")
        agree = agree and "released after" in kind
    tally.entries_agree += agree


def evaluate(advisories: list[Advisory], http: httpx.Client | None) -> Agreement:
    tally = Agreement()
    for advisory in advisories:
        for entry in advisory.affected:
            if entry.ecosystem != "PyPI":
                continue
            if not entry.versions:
                tally.no_list += 1
                continue
            if not entry.ranges:
                tally.no_ranges += 1
                continue
            tally.unevaluable += bool(unevaluable_ranges(entry))
            known = releases(entry.name, http)
            if known is None:
                tally.missing_project += 1
                continue
            compare_entry(advisory, entry, known, tally)
    return tally


def print_summary(tally: Agreement, advisories: int, elapsed: float) -> None:
    print(f"advisories: {advisories} (withdrawn dropped); PyPI entries checked: {tally.entries} in {elapsed:.1f} s")
    print(
        f"skipped: {tally.no_list} entries without a versions list, {tally.no_ranges} without ranges, "
        f"{tally.missing_project} whose project PyPI does not know; {tally.unevaluable} with an unparsable range"
    )
    print(
        f"(advisory, release) pairs: {tally.pairs}; ranges agree with the list on {tally.pairs_agree} "
        f"({100 * tally.pairs_agree / max(tally.pairs, 1):.3f}%)"
    )
    print(
        f"entries agreeing on every release (releases after the advisory's last change aside): "
        f"{tally.entries_agree} of {tally.entries} ({100 * tally.entries_agree / max(tally.entries, 1):.2f}%)"
    )
    for kind, count in tally.kinds.most_common():
        print(f"  {count:6d}  {kind}: e.g. {'; '.join(tally.examples[kind])}")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    snapshot = Path(args[0]) if args else DEFAULT_SNAPSHOT
    advisories = [a for a in (load_document(raw) for _, raw in read_documents(snapshot)) if not a.withdrawn]
    http = None if "--offline" in sys.argv else httpx.Client(timeout=30, headers={"User-Agent": USER_AGENT})
    started = time.perf_counter()
    try:
        tally = evaluate(advisories, http)
    finally:
        if http is not None:
            http.close()
    print_summary(tally, len(advisories), time.perf_counter() - started)


if __name__ == "__main__":
    main()
