"""Known vulnerabilities in pinned and locked dependencies, unauditable and outdated ones.

Counting is per vulnerability, not per file: PyJWT 2.8.0 pinned in three files with one advisory is
one vulnerability (three findings, one per place to fix). Severity counts leave out waived findings,
like every gate metric. When dependencies cannot be audited (not pinned, no lock) a zero count is
not evidence, so the severity metrics are published as unknown rather than 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence

from gonogo.collectors.outdated import OutdatedFacts
from gonogo.collectors.vulnerabilities import (
    Vulnerability,
    VulnerabilityFacts,
    VulnerableDependency,
    version_key,
)
from gonogo.grouping import Grouping, count_files, plural
from gonogo.model import Category, CheckResult, Finding, Outcome, Severity, Table
from gonogo.registry import CannotTell, CheckOutput, Metric, NotApplicable, check, fail, tally

_SEVERITY = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "none": Severity.LOW,
    "unknown": Severity.HIGH,  # not known to be mild: ranked with high, counted apart
}
_LEVEL_METRICS = {
    "critical": "vulns.critical",
    "high": "vulns.high",
    "medium": "vulns.medium",
    "low": "vulns.low",
    "none": "vulns.low",
    "unknown": "vulns.unknown_severity",
}
_METRICS = ("vulns.total", *sorted(set(_LEVEL_METRICS.values())), "vulns.packages")


def upgrade_packages(findings: Sequence[Finding]) -> Grouping:
    """One action per package: the smallest release that fixes every advisory found in it."""
    by_package: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        by_package[(finding.get("ecosystem", ""), finding.get("name", ""))].append(finding)
    for (ecosystem, _), group in sorted(by_package.items()):
        written = Counter(f.get("package", "?") for f in group)
        name = min(written, key=lambda n: (-written[n], n))  # as most files write it
        versions = sorted({f.get("version") for f in group}, key=lambda v: version_key(ecosystem, v))
        fixes = {f.get("fix") for f in group}
        ids = sorted({f.get("ids", ("?",))[0] for f in group})
        shown = ", ".join(ids[:6]) + (f" and {len(ids) - 6} more" if len(ids) > 6 else "")
        files = plural(count_files(group), "file")
        if None in fixes:
            yield (
                f"replace or mitigate {name} {', '.join(versions)} in {files}: no release fixes {shown}",
                group,
            )
        else:
            target = max(fixes, key=lambda v: version_key(ecosystem, v))
            yield (
                f"upgrade {name} {', '.join(versions)} -> {target} in {files}: fixes {shown}",
                group,
            )


@check(
    "VULN001",
    "No pinned or locked dependency has a known vulnerability",
    category=Category.VULNERABILITIES,
    severity=Severity.HIGH,
    plan=upgrade_packages,
)
def vulnerable_dependencies(vulnerabilities: VulnerabilityFacts) -> Iterator[CheckOutput]:
    """Why: a dependency with a published advisory is the easiest way in; the advisory tells the
    attacker where to look. Pins in requirements files and lock files are matched offline against
    the OSV advisory index (`gonogo db update`) with the OSV schema's algorithm and PEP 440
    ordering; advisories that are aliases (PYSEC, GHSA, CVE) count once. Severity is the CVSS base score;
    advisories without one are counted as `unknown` severity (`vulns.unknown_severity`).
    `vulns.data_age_days` is the age of the advisory data the counts were made with: the Security
    gate refuses counts made with data older than the profile allows (7 days critical, 30
    standard, 90 prototype), since advisories published since are missing from them.

    Fix: upgrade to the fixed version the finding names (the plan picks the smallest release that
    fixes every advisory of the package), then re-lock. With no fixed release, remove the package
    or waive the finding with the reason the vulnerable code is not reachable."""
    facts = vulnerabilities
    if facts.problem:
        yield Metric(name="vulndb.age_days", value=None)
        raise CannotTell(facts.problem)
    if not facts.audited and not facts.unauditable:
        raise NotApplicable("no pinned or declared dependency to audit")
    for found in facts.vulnerable:
        for vuln in found.vulnerabilities:
            yield _finding(found, vuln, facts.source)
    yield Metric(name="vulndb.age_days", value=facts.age_days)
    if facts.vulnerable:
        yield _table(facts.vulnerable)


def _finding(found: VulnerableDependency, vuln: Vulnerability, source: str) -> CheckOutput:
    dep = found.dependency
    level = vuln.rating.level
    rated = (
        f"{level} {vuln.rating.score}"
        if vuln.rating.score is not None
        else ("severity unknown (no CVSS score)" if level == "unknown" else level)
    )
    fixed = f"fixed in {vuln.fixed}" if vuln.fixed else "no fixed release"
    return fail(
        f"{dep.display_name} {found.version}: {', '.join(vuln.ids)} ({rated}; {fixed}): {vuln.summary}",
        at=dep.file.at(dep.line),
        severity=_SEVERITY[level],
        evidence=f"{dep.at} pins {dep.display_name}=={found.version}; matched by {source}",
        key=f"{dep.ecosystem}:{dep.name}@{found.version}:{vuln.id}",
        package=dep.display_name,
        name=dep.name,
        ecosystem=dep.ecosystem,
        version=found.version,
        ids=vuln.ids,
        level=level,
        score=vuln.rating.score,
        fixed=vuln.fixed,
        fix=found.fix,
    )


def _table(found: Sequence[VulnerableDependency]) -> Table:
    rows: dict[tuple[str, str], list[VulnerableDependency]] = defaultdict(list)
    for item in found:
        rows[(item.dependency.display_name, item.version)].append(item)
    return Table(
        title="Vulnerable dependencies",
        columns=("Package", "Version", "Vulnerabilities", "Worst", "Fixed in", "Files"),
        rows=tuple(
            (
                name,
                version,
                str(len(items[0].vulnerabilities)),
                min((v.rating for v in items[0].vulnerabilities), key=lambda r: r.rank).level,
                items[0].fix or "no fix",
                str(len({i.dependency.file.display for i in items})),
            )
            for (name, version), items in sorted(
                rows.items(),
                key=lambda kv: (kv[0][0].lower(), version_key(kv[1][0].dependency.ecosystem, kv[0][1])),
            )
        ),
    )


def pin_packages(findings: Sequence[Finding]) -> Grouping:
    unread = [f for f in findings if str(f.key).startswith("unread:")]
    ranges = [f for f in findings if not str(f.key).startswith("unread:")]
    if ranges:
        yield (
            (
                f"pin or lock {plural(len(ranges), 'dependency', 'dependencies')} in "
                f"{plural(count_files(ranges), 'file')} so they can be audited"
            ),
            ranges,
        )
    if unread:
        names = ", ".join(sorted(f.path or "?" for f in unread)[:4])
        yield f"audit {plural(len(unread), 'lock file')} gonogo cannot read ({names}) with its own tool", unread


@check(
    "VULN002",
    "Every dependency can be audited: pinned, or locked",
    category=Category.VULNERABILITIES,
    severity=Severity.MEDIUM,
    counts="deps.unauditable",
    plan=pin_packages,
)
def unauditable_dependencies(vulnerabilities: VulnerabilityFacts) -> Iterator[CheckOutput]:
    """Why: a range like `requests>=2` installs whatever is newest on the day of the build, so no
    one can say which advisories apply; gonogo does not guess. Until such dependencies are pinned
    (or locked), the vulnerability counts are unknown and the Security gate cannot pass.

    A lock file of a format gonogo does not read (yarn.lock, pnpm-lock.yaml, bun.lock) is reported
    too: what it pins is not audited, so the counts for its ecosystem are unknown, not zero.

    Fix: commit a lock file (uv.lock, poetry.lock, Pipfile.lock, package-lock.json) or pin the
    requirement with `==`; for a published library whose ranges are intended, waive VULN002 for
    that manifest with the reason and audit the application that installs it. For an unread lock
    file, audit it with the ecosystem's own tool (`yarn npm audit`, `pnpm audit`) and waive the
    finding with the result, or also commit a package-lock.json."""
    facts = vulnerabilities
    if not facts.unauditable and not facts.audited and not facts.unread_locks:
        raise NotApplicable("no dependency declared")
    for lock in facts.unread_locks:
        yield fail(
            f"{lock.file.display}: gonogo cannot read {lock.file.name} files, so the {lock.ecosystem} packages"
            f" it locks are not audited; the vulnerability counts for {lock.ecosystem} are unknown",
            at=lock.file.at(None),
            key=f"unread:{lock.file.display}",
            package=lock.file.name,
            ecosystem=lock.ecosystem,
        )
    for item in vulnerabilities.unauditable:
        dep = item.dependency
        yield fail(
            f"{dep.display_name}{dep.specifier}: cannot be audited, {item.reason}",
            at=dep.file.at(dep.line),
            key=f"{dep.ecosystem}:{dep.name}",
            package=dep.display_name,
            name=dep.name,
        )


def upgrade_outdated(findings: Sequence[Finding]) -> Grouping:
    names = sorted({f.get("package", "?") for f in findings}, key=str.lower)
    yield f"upgrade {plural(len(names), 'outdated package')}: {', '.join(names[:8])}", findings


@check(
    "VULN003",
    "Pinned dependencies are at their latest stable release",
    category=Category.VULNERABILITIES,
    severity=Severity.LOW,
    plan=upgrade_outdated,
)
def outdated_dependencies(outdated: OutdatedFacts) -> Iterator[CheckOutput]:
    """Why: a pin far behind the latest release collects unfixed bugs and makes the eventual
    security upgrade a large, risky jump. Compares each `==` pin or lock entry with the newest
    stable, unyanked release on PyPI (opt-in: needs the network).

    Fix: upgrade and re-lock regularly (Dependabot or Renovate); the table shows each package's
    latest release and its date."""
    if not outdated.enabled:
        raise NotApplicable("opt-in: run with the outdated option (needs the network)")
    if outdated.problem:
        raise CannotTell(outdated.problem)
    if not outdated.pinned:
        raise NotApplicable("no pinned PyPI dependency")
    rows = {}
    for dep in outdated.pinned:
        release = outdated.latest.get(dep.name)
        if release is None or release.latest is None:
            continue
        if version_key("PyPI", dep.pinned) < version_key("PyPI", release.latest):
            when = f" ({release.released.isoformat()})" if release.released else ""
            yield fail(
                f"{dep.display_name} {dep.pinned} is behind the latest stable {release.latest}{when}",
                at=dep.file.at(dep.line),
                key=f"PyPI:{dep.name}",
                package=dep.display_name,
                version=dep.pinned,
                latest=release.latest,
            )
            rows[(dep.display_name, dep.pinned)] = (
                dep.display_name,
                dep.pinned or "",
                release.latest,
                release.released.isoformat() if release.released else "?",
            )
    yield Metric(name="deps.outdated_unknown", value=len(outdated.failures))
    if rows:
        yield Table(
            title="Outdated dependencies",
            columns=("Package", "Pinned", "Latest stable", "Released"),
            rows=tuple(rows[k] for k in sorted(rows, key=lambda k: (k[0].lower(), k[1]))),
        )


@tally("VULN001", "VULN002", metrics=_METRICS)
def vulnerability_metrics(results: Sequence[CheckResult]) -> dict[str, float | None]:
    """Counts over VULN001's active findings (waived, suppressed and baseline ones left out), each
    advisory counted once per package version however many files pin it. While VULN002 has active
    findings, a count of 0 is unknown: unpinned dependencies may hide what was not found."""
    vulnerable = next((r for r in results if r.check_id == "VULN001"), None)
    if vulnerable is None or vulnerable.outcome is Outcome.NOT_APPLICABLE:
        return {}
    if vulnerable.outcome is Outcome.UNKNOWN:
        return dict.fromkeys(_METRICS, None)
    counted: dict[str, set[str]] = defaultdict(set)
    for finding in vulnerable.active_findings:
        counted["vulns.total"].add(finding.key)
        counted[_LEVEL_METRICS[finding.get("level", "unknown")]].add(finding.key)
        counted["vulns.packages"].add(f"{finding.get('ecosystem')}:{finding.get('name')}")
    unaudited = any(r.check_id == "VULN002" and r.active_findings for r in results)
    return {name: None if unaudited and not counted[name] else len(counted[name]) for name in _METRICS}


@tally("VULN001", metrics=("vulns.data_age_days",))
def data_age(results: Sequence[CheckResult]) -> dict[str, float | None]:
    """The age of the advisory data VULN001's counts were made with, for the Security gate: 0 when
    nothing was audited (no count was made stale by it). A tally, not the check's own metric, so
    resolving a finding is never thought to make the data fresher (``gonogo.blocking``)."""
    [vulnerable] = results
    if vulnerable.outcome is Outcome.NOT_APPLICABLE:
        return {"vulns.data_age_days": 0}
    return {"vulns.data_age_days": dict(vulnerable.metrics).get("vulndb.age_days")}


@tally("VULN003", metrics=("deps.outdated",))
def outdated_metrics(results: Sequence[CheckResult]) -> dict[str, float | None]:
    """Active VULN003 findings, published only when the outdated comparison actually ran."""
    [outdated] = results
    if outdated.outcome is Outcome.NOT_APPLICABLE:
        return {}
    count = None if outdated.outcome is Outcome.UNKNOWN else len(outdated.active_findings)
    return {"deps.outdated": count}
