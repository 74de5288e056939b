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
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from gonogo.vulndb.matching import in_range, pep440, unevaluable_ranges
from gonogo.vulndb.online import USER_AGENT
from gonogo.vulndb.osv import Affected, Range, load_document, read_documents

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


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    offline = "--offline" in sys.argv
    snapshot = Path(args[0]) if args else DEFAULT_SNAPSHOT
    advisories = []
    for _, raw in read_documents(snapshot):
        advisory = load_document(raw)
        if not advisory.withdrawn:
            advisories.append(advisory)
    kinds: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    entries = entries_agree = pairs = pairs_agree = 0
    no_list = no_ranges = unevaluable = missing_project = 0
    started = time.perf_counter()
    http = None if offline else httpx.Client(timeout=30, headers={"User-Agent": USER_AGENT})
    for advisory in advisories:
        for entry in advisory.affected:
            if entry.ecosystem != "PyPI":
                continue
            if not entry.versions:
                no_list += 1
                continue
            if not entry.ranges:
                no_ranges += 1
                continue
            if unevaluable_ranges(entry):
                unevaluable += 1
            known = releases(entry.name, http)
            if known is None:
                missing_project += 1
                continue
            entries += 1
            listed = set(entry.versions)
            agree = True
            for version in sorted(set(known) | listed):
                parsed = pep440(version)
                in_ranges = parsed is not None and any(in_range(parsed, r, pep440) for r in entry.ranges)
                is_listed = version in listed
                pairs += 1
                if in_ranges == is_listed:
                    pairs_agree += 1
                    continue
                kind = (
                    classify_unlisted(version, known.get(version) or [], advisory.modified)
                    if in_ranges
                    else classify_listed(version, known, entry)
                )
                kinds[kind] += 1
                if "released after" not in kind:
                    agree = False
                if len(examples[kind]) < 4:
                    examples[kind].append(f"{advisory.id} {entry.name} {version}")
            entries_agree += agree
    if http is not None:
        http.close()
    elapsed = time.perf_counter() - started
    print(f"advisories: {len(advisories)} (withdrawn dropped); PyPI entries checked: {entries} in {elapsed:.1f} s")
    print(
        f"skipped: {no_list} entries without a versions list, {no_ranges} without ranges, "
        f"{missing_project} whose project PyPI does not know; {unevaluable} with an unparsable range"
    )
    print(
        f"(advisory, release) pairs: {pairs}; ranges agree with the list on {pairs_agree} "
        f"({100 * pairs_agree / max(pairs, 1):.3f}%)"
    )
    print(
        f"entries agreeing on every release (releases after the advisory's last change aside): "
        f"{entries_agree} of {entries} ({100 * entries_agree / max(entries, 1):.2f}%)"
    )
    for kind, count in kinds.most_common():
        print(f"  {count:6d}  {kind}: e.g. {'; '.join(examples[kind])}")


if __name__ == "__main__":
    main()
