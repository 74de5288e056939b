"""The CLM checks: each a pure function from claims (and evidence) to judgements.

They are declared like the scan's checks (an id, a title, a docstring with Why and Fix) so that
``gonogo explain CLM001`` documents them, but they live in their own registry: they need a
document, which a scan does not have."""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from gonogo.claims.evidence import Evidence, normalise
from gonogo.claims.model import Claim, Judgement, Status
from gonogo.model import Category, Severity
from gonogo.registry import CheckSpec

ClaimCheck = Callable[[Sequence[Claim], Evidence], Iterator[Judgement]]
CLAIM_CHECKS: dict[str, CheckSpec] = {}
_FUNCS: dict[str, ClaimCheck] = {}
# metrics whose value depends on more than the code: a different figure is not proof of error
_SOFT_METRICS = {
    "vulns.": "counts differ with the advisory database and its date, and per package or per advisory",
    "coverage.": "coverage depends on which tests could run where it was measured",
    "load.": "a probe's figures depend on the machine and the load it applied",
    "latency.": "a probe's figures depend on the machine and the load it applied",
}
_COUNTED = re.compile(r"\(\s*\d+\s*(?:/\s*\d+)?\b")
_VERDICT_RANK = {"GO": 2, "CONDITIONAL GO": 1, "NO-GO": 0}


def claim_check(check_id: str, title: str) -> Callable[[ClaimCheck], ClaimCheck]:
    def register(func: ClaimCheck) -> ClaimCheck:
        CLAIM_CHECKS[check_id] = CheckSpec(
            id=check_id, title=title, category=Category.CLAIMS, severity=Severity.MEDIUM,
            func=func, needs=("claims", "evidence"), doc=inspect.getdoc(func) or "",  # type: ignore[arg-type]
        )
        _FUNCS[check_id] = func
        return func

    return register


def _judge(claim: Claim, check_id: str, status: Status, claimed: str, measured: str | None = None,
           evidence: str = "", other: Iterable[int] = ()) -> Judgement:
    return Judgement(claim=claim, check_id=check_id, status=status, claimed=claimed, measured=measured,
                     evidence=evidence, other_lines=tuple(other))


def _fmt(value: float | None) -> str:
    return "?" if value is None else (f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0"))


def _rounds_to(exact: float, stated: float, digits: int) -> bool:
    """Whether ``stated`` (written with ``digits`` decimals) is ``exact`` rounded, either way."""
    return abs(exact - stated) <= 0.5 * 10.0 ** -digits + 1e-9


@claim_check("CLM001", "A percentage matches the fraction beside it")
def percent_of_fraction(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: "19/47 checks (41%)" cannot both be true: 19/47 is 40.4%. A percentage that does not
    follow from the fraction beside it was typed, not computed. The share of the rest counts too
    ("2/20 - 90% missing"). Rounding to the digits written is allowed.

    Fix: compute the percentage from the counts, or correct the counts."""
    for claim in claims:
        if claim.kind != "ratio" or not claim.total:
            continue
        stated = float(claim.unit)
        share = 100 * (claim.value or 0) / claim.total
        if _rounds_to(100 - share, stated, claim.digits) and not _rounds_to(share, stated, claim.digits):
            share = 100 - share  # "2/20 - 90% missing": the share of the rest
        ok = _rounds_to(share, stated, claim.digits)
        yield _judge(claim, "CLM001", Status.VERIFIED if ok else Status.INCONSISTENT,
                     f"{_fmt(claim.value)}/{_fmt(claim.total)} = {claim.unit}%", f"{share:.1f}%",
                     f"{_fmt(claim.value)}/{_fmt(claim.total)} gives {share:.1f}%")


@claim_check("CLM008", "A total matches the parts it is broken into")
def breakdown(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: "75 vulnerabilities (6 CRITICAL, 28 HIGH, 34 MODERATE, 7 LOW)" states the total twice;
    if the parts do not add up to it, one of the figures is wrong.

    Fix: recount, and correct the total or the part."""
    for claim in claims:
        if claim.kind == "breakdown":
            total = sum(float(p.split()[0].replace(",", "")) for _, p in claim.parts)
            yield _judge(claim, "CLM008", Status.VERIFIED if total == claim.value else Status.INCONSISTENT,
                         f"{_fmt(claim.value)} {claim.subject}", _fmt(total), f"sum of {len(claim.parts)} parts")


@claim_check("CLM009", "A percentage stated alone matches the same figure computed elsewhere")
def repeated_percent(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: "Quality Score: 40.4%" on its own is unsupported, but when the same document computes
    40.4% from 19/47 elsewhere the figure has a source. Only an exact repetition of a percentage
    written with decimals (a round 100% or 50% repeats by chance) that CLM001 verified counts;
    anything else stays unverifiable.

    Fix: nothing, when it is the same figure; otherwise cite how it was computed."""
    computed: dict[str, Claim] = {}
    for claim in claims:
        if claim.kind == "ratio" and claim.total:
            share = 100 * (claim.value or 0) / claim.total
            if _rounds_to(share, float(claim.unit), claim.digits):
                computed.setdefault(claim.unit, claim)
    for claim in claims:
        source = computed.get(f"{claim.value:g}") if claim.kind == "figure" and claim.value is not None else None
        if source is not None and claim.digits == source.digits and claim.digits > 0:
            fraction = f"{_fmt(source.value)}/{_fmt(source.total)}"
            yield _judge(claim, "CLM009", Status.VERIFIED, f"{source.unit}%", fraction,
                         f"line {source.line} computes it from {fraction}", (source.line,))


@claim_check("CLM002", "A count in a label matches the list under it")
def list_count(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: "Missing (18):" over a list of 19 names is wrong about one of them, and a reader cannot
    tell which. The items are counted from the Markdown list that follows the label.

    Fix: count the list again, and correct the label or the list."""
    for claim in claims:
        if claim.kind == "list_count":
            n = len(claim.parts)
            yield _judge(claim, "CLM002", Status.VERIFIED if n == claim.value else Status.INCONSISTENT,
                         _fmt(claim.value), str(n), f"the list below has {n} items (lines "
                         f"{claim.parts[0][0]}-{claim.parts[-1][0]})", (claim.parts[0][0], claim.parts[-1][0]))


@claim_check("CLM003", "A table's TOTAL row is the sum of its rows")
def table_total(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: a total that is not the sum of the rows above it means a row or the total is wrong.

    Fix: add the rows again and correct the total or the row."""
    for claim in claims:
        if claim.kind == "table_total":
            total = sum(float(re.sub(r"[^\d.\-]", "", p.split("(")[0]) or 0) for _, p in claim.parts)
            yield _judge(claim, "CLM003", Status.VERIFIED if total == claim.value else Status.INCONSISTENT,
                         f"{claim.subject} total {_fmt(claim.value)}", _fmt(total),
                         f"sum of {len(claim.parts)} rows of {claim.subject}", (claim.parts[0][0], claim.parts[-1][0]))


@claim_check("CLM004", "An overall score follows from its component scores")
def overall_score(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: an overall score stated beside a table of component scores should be computable from
    them. This check takes the unweighted mean; a document that weighs its components must state
    the weights, and then the reader can recompute it. Only a difference over one point counts.

    Fix: state how the overall score is computed, and compute it."""
    for claim in claims:
        if claim.kind != "overall_score" or not claim.parts:
            continue
        values = [float(re.search(r"(?<![\d.])([\d.]++)\s*%", p).group(1)) for _, p in claim.parts]  # type: ignore[union-attr]
        mean = sum(values) / len(values)
        ok = abs(mean - (claim.value or 0)) <= 1.0
        yield _judge(claim, "CLM004", Status.VERIFIED if ok else Status.INCONSISTENT, f"{_fmt(claim.value)}%",
                     f"{mean:.1f}%", f"mean of {len(values)} component scores (lines {claim.parts[0][0]}-"
                     f"{claim.parts[-1][0]})", (claim.parts[0][0],))


@claim_check("CLM005", "Throughput figures agree with each other")
def throughput_magnitude(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: a headline "42M+ RPS" and a measured "3,196 ops/sec peak" in one document are four
    orders of magnitude apart: at most one of them was measured. A peak below the sustained rate
    is impossible. Figures 10,000 times apart or more are flagged; the smaller is taken as the
    measured one.

    Fix: quote the measured figure, with the command or tool run that produced it."""
    rates = [c for c in claims if c.kind == "throughput" and c.value]
    low = min(rates, key=lambda c: c.value or 0, default=None)
    for claim in rates:
        if low is not None and (claim.value or 0) >= 1e4 * (low.value or 1):
            times = (claim.value or 0) / (low.value or 1)
            yield _judge(claim, "CLM005", Status.INCONSISTENT, f"{_fmt(claim.value)}/s", f"{_fmt(low.value)}/s",
                         f"line {low.line} states {low.text!r}, {times:,.0f} times less", (low.line,))
    for claim in claims:
        if claim.kind == "peak_sustained":
            ok = (claim.value or 0) >= (claim.total or 0)
            yield _judge(claim, "CLM005", Status.VERIFIED if ok else Status.INCONSISTENT,
                         f"peak {_fmt(claim.value)} >= sustained {_fmt(claim.total)}", None,
                         "a peak is at least the sustained rate")


@claim_check("CLM006", "The decision agrees with the document's own criteria")
def decision_vs_criteria(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: a GO or CONDITIONAL GO beside a criteria table that marks a required criterion FAIL
    (Security required >= 95%, achieved 40%) overrules the document's own gate without saying so.
    A criterion whose status disagrees with its own figures (PASS below its threshold) is flagged too.

    Fix: decide NO-GO until the failed criterion passes, or state the waiver and who accepted it."""
    failed = [c for c in claims if c.kind == "criterion" and c.unit == "FAIL" and (c.value or 0) < (c.total or 0)]
    for claim in claims:
        if claim.kind == "criterion" and claim.unit not in ("PASS", "FAIL"):
            yield _judge(claim, "CLM006", Status.UNVERIFIABLE, claim.subject, None,
                         f"a {claim.unit} status has no rule in the row's figures; only PASS and FAIL are checked")
        elif claim.kind == "criterion":
            below = (claim.value or 0) < (claim.total or 0)
            wrong = (claim.unit == "PASS" and below) or (claim.unit == "FAIL" and not below)
            yield _judge(claim, "CLM006", Status.INCONSISTENT if wrong else Status.VERIFIED,
                         claim.subject, f"{_fmt(claim.value)}% against {_fmt(claim.total)}%",
                         "status against the row's own required and achieved figures")
        elif claim.kind == "decision" and claim.subject in ("GO", "CONDITIONAL GO") and failed:
            names = ", ".join(f"{c.subject} (line {c.line})" for c in failed)
            yield _judge(claim, "CLM006", Status.INCONSISTENT, claim.subject, "NO-GO",
                         f"required criteria failed: {names}", (c.line for c in failed))


@claim_check("CLM007", "No item is counted in two categories")
def counted_twice(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: a file listed as missing under two categories is one missing file; totals over the
    categories count it twice (seed 001 lists three files twice and totals 53 expected). Only
    sections whose heading carries a count ("Test Files (0/4 - 100% MISSING)") are categories;
    a summary repeating a detail is not flagged.

    Fix: list each item under one category, and recount the totals."""
    seen: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        # only categories that are counted ("Test Files (0/4 ...)"): a summary that repeats a
        # detail is not a second count
        if claim.kind in ("path_missing", "path_present") and _COUNTED.search(claim.section):
            seen[(claim.kind, normalise(claim.subject))].append(claim)
    for same in seen.values():
        sections = {c.section for c in same}
        if len(sections) > 1:
            for claim in same:
                others = [c.line for c in same if c is not claim]
                yield _judge(claim, "CLM007", Status.INCONSISTENT, f"{claim.subject} under {claim.section!r}",
                             f"also under {len(sections) - 1} other categories",
                             "listed again on line " + ", ".join(map(str, others)), others)


@claim_check("CLM010", "A count matches what gonogo measured")
def metric_count(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: "71 pytest.skip() violations" is checkable: gonogo counts skip sites, floating images,
    vulnerabilities, coverage and the rest from the repository. A count the scan measured
    differently is contradicted; one it did not measure is unverifiable. The vocabulary decides
    which metric a phrase names (`gonogo verify --vocabulary`); a phrase whose meaning is
    narrower than the metric (only `pytest.skip()` calls, when the metric counts every kind of
    skip) can read as contradicted, so the measured value and the metric are always shown.
    Vulnerability counts, coverage and probe figures depend on more than the code (the advisory
    database's date, where the tests ran, the machine): a different value there is reported as
    unverifiable with the measured value, never as contradicted.

    Fix: quote the number gonogo measures, or say what else was counted."""
    for claim in claims:
        if claim.kind != "metric_count" or not claim.metric:
            continue
        measured = evidence.metrics.get(claim.metric)
        if measured is None:
            continue
        if claim.subject and evidence.metrics.get(f"{claim.metric}.limit") != float(claim.subject):
            continue  # "over 60 lines" counts against another limit than gonogo's, or gonogo's is unknown
        if claim.unit == "%":
            ok = _rounds_to(measured, claim.value or 0, claim.digits)
        elif claim.unit == "at least":
            ok = measured >= (claim.value or 0)
        else:
            ok = measured == claim.value
        soft = claim.metric.startswith(tuple(_SOFT_METRICS))
        if soft and not ok:
            why = _SOFT_METRICS[claim.metric.split(".")[0] + "."]
            yield _judge(claim, "CLM010", Status.UNVERIFIABLE, f"{claim.metric} = {_fmt(claim.value)}", _fmt(measured),
                         f"{evidence.source} measured {_fmt(measured)}; {why}")
            continue
        yield _judge(claim, "CLM010", Status.VERIFIED if ok else Status.CONTRADICTED,
                     f"{claim.metric} = {_fmt(claim.value)}{'%' if claim.unit == '%' else ''}", _fmt(measured),
                     f"{claim.metric} measured by {evidence.source}")


@claim_check("CLM011", "A count for one file matches that file")
def file_count(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: a per-file table ("test_websocket.py | 11") is how the reader finds the work; a wrong
    row sends them to the wrong file. The file is matched by path suffix among the files gonogo
    reported for that metric; a name that matches two files, or no file, is not judged.

    Fix: recount that file, or correct its path."""
    for claim in claims:
        if claim.kind != "file_count" or not claim.metric or claim.metric not in evidence.metrics:
            continue
        counts = evidence.file_counts.get(claim.metric, {})
        target = normalise(claim.subject)
        hits = [p for p in counts if p == target or p.endswith("/" + target) or target.endswith("/" + p)]
        files = evidence.paths.get(claim.subject)
        if len(hits) > 1 or (not hits and (files is None or len(files) != 1)):
            continue
        measured = counts[hits[0]] if hits else 0
        where = hits[0] if hits else files[0]  # type: ignore[index]
        yield _judge(claim, "CLM011", Status.VERIFIED if measured == claim.value else Status.CONTRADICTED,
                     f"{claim.subject}: {_fmt(claim.value)}", str(measured), f"{claim.metric} findings in {where}")


@claim_check("CLM012", "A path said to exist exists; one said to be missing is missing")
def path_state(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: the earlier report behind seed 001 claimed 91.5% complete because "file existence
    checks were not performed". Each path listed as found, created or missing (or marked with ✅
    or ❌) is looked up under the roots: a folder path as a suffix of a real path, a bare name
    anywhere in the tree. A bare name said to be missing is contradicted only when exactly one
    file has that name: with two, which one was meant is unknown.

    Fix: create the file, or correct the list."""
    for claim in claims:
        if claim.kind not in ("path_present", "path_missing"):
            continue
        found = evidence.paths.get(claim.subject)
        if found is None:
            continue
        said_present = claim.kind == "path_present"
        if not said_present and len(found) > 1 and not re.search(r"[\\/]", claim.subject.rstrip("/\\")):
            continue  # a bare name said missing, found twice: which one the document meant is unknown
        ok = bool(found) == said_present
        yield _judge(claim, "CLM012", Status.VERIFIED if ok else Status.CONTRADICTED,
                     "exists" if said_present else "missing", "exists" if found else "missing",
                     ", ".join(found[:3]) if found else f"no such path under {', '.join(evidence.roots)}")


@claim_check("CLM013", "The decision is no more permissive than gonogo's")
def decision_vs_gonogo(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: a document that says GO where gonogo's gates say NO-GO claims a readiness the
    evidence does not show. A stricter document is not contradicted (it may weigh what gonogo
    does not measure), only left unverified.

    Fix: resolve what blocks gonogo's gates, or change the decision."""
    if evidence.decision not in _VERDICT_RANK:
        return
    for claim in claims:
        if claim.kind == "decision" and claim.subject in _VERDICT_RANK:
            stated, measured = _VERDICT_RANK[claim.subject], _VERDICT_RANK[evidence.decision]
            if stated > measured:
                status = Status.CONTRADICTED
            elif stated == measured:
                status = Status.VERIFIED
            else:
                continue
            yield _judge(claim, "CLM013", status, claim.subject, evidence.decision,
                         f"gonogo's decision from {evidence.source}")


@claim_check("CLM014", "Package statements match the requirements files")
def packages(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: "boto3 present in 2/7 requirements files" and "PyJWT 2.8.0" are read straight from the
    requirements files under the roots. A count is judged only when the document's denominator
    is the number of requirements files found, so both count the same files; a version only when
    some file pins the package with `==`.

    Fix: quote the requirements files as they are, or change them."""
    if not evidence.manifests:
        return
    for claim in claims:
        if claim.kind == "package_presence":
            name = canonicalize_name(claim.subject)
            having = sorted(p for p, deps in evidence.manifests.items() if name in deps)
            if claim.total != len(evidence.manifests):
                continue
            yield _judge(claim, "CLM014", Status.VERIFIED if len(having) == claim.value else Status.CONTRADICTED,
                         f"{claim.subject} in {_fmt(claim.value)}/{_fmt(claim.total)}",
                         f"{len(having)}/{len(evidence.manifests)}", "declared in " + (", ".join(having) or "none"))
        elif claim.kind == "package_version":
            name = canonicalize_name(claim.subject)
            pins = {p: deps[name] for p, deps in evidence.manifests.items() if deps.get(name, "").startswith("==")}
            if pins:
                ok = any(spec == f"=={claim.unit}" for spec in pins.values())
                yield _judge(claim, "CLM014", Status.VERIFIED if ok else Status.CONTRADICTED,
                             f"{claim.subject} {claim.unit}", ", ".join(sorted(set(pins.values()))),
                             ", ".join(f"{p}: {s}" for p, s in sorted(pins.items())))
        elif claim.kind in ("package_declared", "package_undeclared"):
            target = normalise(claim.subject)
            files = [p for p in evidence.manifests if p == target or p.endswith("/" + target)]
            if len(files) != 1:
                continue
            declared = canonicalize_name(claim.unit) in evidence.manifests[files[0]]
            said = claim.kind == "package_declared"
            yield _judge(claim, "CLM014", Status.VERIFIED if declared == said else Status.CONTRADICTED,
                         f"{claim.unit} {'declared' if said else 'not declared'}",
                         "declared" if declared else "not declared", files[0])


@claim_check("CLM015", "An advisory statement matches the advisory index")
def advisory(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: "PyJWT<2.10.1" says releases below 2.10.1 are vulnerable and 2.10.1 fixes them. The
    advisory index (`gonogo db update`) holds which advisories name the package and which
    release fixed each. The statement is verified when an advisory's fix is that release; when
    none is, it stays unverifiable with the fixes the index knows, because an index can be older
    than the document. The words around it (how many CVEs, which attack) are shown beside the
    matching advisories' summaries for the reader to compare, not judged.

    Fix: cite the advisory ids, and the release that fixes them."""
    if evidence.advisories is None:
        return
    for claim in claims:
        if claim.kind != "advisory":
            continue
        facts = evidence.advisories.get(claim.subject, ())
        fixing = [f for f in facts if claim.unit in f.fixed]
        if not fixing:
            continue
        ids = ", ".join(f"{f.id} ({f.level or 'unrated'}: {f.summary[:60]})" for f in fixing[:4])
        yield _judge(claim, "CLM015", Status.VERIFIED, f"{claim.subject} < {claim.unit} is vulnerable",
                     f"{len(fixing)} advisories fixed in {claim.unit}",
                     f"{ids}; index of {evidence.index_date or 'unknown date'}")


# a probe figure is verified within 25% of the measurement and contradicted only beyond a factor of 2
# (and, for error rates, more than 0.1 percentage point apart): two runs of one probe on one machine differ
_CLOSE, _FAR, _RATE_FLOOR = 0.25, 2.0, 0.1
PROBE_HINT = "run gonogo check --probe with [services] configured"


@claim_check("CLM016", "A services, latency or error-rate figure matches the probe")
def probe_figure(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: "7/10 services healthy", "p95 120 ms" and "error rate 0.3%" are what a reader decides on,
    and `gonogo check --probe` measures each (services.total/services.down, latency.p95_ms,
    latency.p99_ms, load.error_rate). Services are counted exactly, when the document counts as
    many services as the probe checks (else unverifiable). Latency and error rate vary
    from run to run, so they are verified within 25% of the measurement, contradicted only when
    more than a factor of 2 apart (error rates also more than 0.1 percentage point apart), and in
    between left unverifiable with the measured value. The report's latency is the slowest
    service's and its error rate the worst service's, so a figure for one faster service can read
    as contradicted: the measured value is always shown.

    Fix: quote the probe's figure, or say which service and which run it came from."""
    for claim in claims:
        if claim.kind != "probe_figure" or not claim.metric or claim.value is None:
            continue
        judged = _services_up(claim, evidence) if claim.metric == "services.up" else _probe_value(claim, evidence)
        if judged:
            yield judged


def _services_up(claim: Claim, evidence: Evidence) -> Judgement | None:
    total, down = evidence.metrics.get("services.total"), evidence.metrics.get("services.down")
    if not total or down is None:
        return None
    claimed = f"{_fmt(claim.value)}/{_fmt(claim.total)} services up"
    measured = f"{_fmt(total - down)}/{_fmt(total)}"
    source = f"services.total and services.down measured by {evidence.source}"
    if claim.total != total:  # the document counts other services than the ones configured for the probe
        return _judge(claim, "CLM016", Status.UNVERIFIABLE, claimed, measured,
                      f"{source}; the probe checks {_fmt(total)} services, the document counts {_fmt(claim.total)}")
    return _judge(claim, "CLM016", Status.VERIFIED if claim.value == total - down else Status.CONTRADICTED,
                  claimed, measured, source)


def _probe_value(claim: Claim, evidence: Evidence) -> Judgement | None:
    raw = evidence.metrics.get(claim.metric or "")
    if raw is None or claim.value is None:
        return None
    rate = claim.unit == "%"
    measured = raw * 100 if rate else raw  # the report keeps the error rate as a fraction
    unit = "%" if rate else " ms"
    claimed_text, measured_text = f"{claim.metric} = {_fmt(claim.value)}{unit}", f"{_fmt(measured)}{unit}"
    low, high = sorted((claim.value, measured))
    source = f"{claim.metric} measured by {evidence.source}"
    if high - low <= _CLOSE * high or (rate and high - low <= _RATE_FLOOR / 2):
        return _judge(claim, "CLM016", Status.VERIFIED, claimed_text, measured_text, source)
    if high > _FAR * low and not (rate and high - low <= _RATE_FLOOR):
        return _judge(claim, "CLM016", Status.CONTRADICTED, claimed_text, measured_text,
                      f"{source}; more than a factor of {_fmt(_FAR)} apart")
    return _judge(claim, "CLM016", Status.UNVERIFIABLE, claimed_text, measured_text,
                  f"{source}; within a factor of {_fmt(_FAR)}, outside the {_CLOSE:.0%} a rerun can explain")


@claim_check("CLM020", "A figure gonogo cannot check is marked unverifiable")
def unverifiable(claims: Sequence[Claim], evidence: Evidence) -> Iterator[Judgement]:
    """Why: a number with no command, file or measurement behind it is an assertion. Rather than
    drop it, gonogo lists it with what would verify it, so the reader knows which figures rest
    on trust alone. This check never fails the run.

    Fix: cite the command, report or probe that produced the figure, or remove it."""
    return iter(())


CHECK_ORDER = tuple(sorted(_FUNCS))
_RANK = {Status.CONTRADICTED: 0, Status.INCONSISTENT: 1, Status.VERIFIED: 2, Status.UNVERIFIABLE: 3}


def judge(claims: Sequence[Claim], evidence: Evidence) -> tuple[Judgement, ...]:
    """One judgement per claim: the most serious any check gave it, else unverifiable with why."""
    best: dict[int, Judgement] = {}
    for check_id in CHECK_ORDER:
        for judgement in _FUNCS[check_id](claims, evidence):
            key = id(judgement.claim)
            if key not in best or _RANK[judgement.status] < _RANK[best[key].status]:
                best[key] = judgement
    return tuple(best.get(id(c)) or _unverified(c, evidence) for c in claims)


def _unverified(claim: Claim, evidence: Evidence) -> Judgement:
    return _judge(claim, "CLM020", Status.UNVERIFIABLE, claim.text, None, what_would_verify(claim, evidence))


def _version_key(text: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(text))
    except InvalidVersion:
        return (0, text)


def what_would_verify(claim: Claim, evidence: Evidence) -> str:
    """The reason a claim stays unverified, phrased as what would settle it."""
    if claim.kind in ("path_present", "path_missing", "file_count") and not evidence.roots:
        return "give the repository roots: gonogo verify DOC ROOT..."
    if claim.kind == "throughput" and evidence.metrics.get("load.rps") is not None:
        return (f"gonogo's load probe measured {_fmt(evidence.metrics['load.rps'])}/s at its own concurrency; "
                "a probe's rate is a lower bound, not a capacity, so it neither confirms nor refutes this")
    if claim.kind == "probe_figure":
        measured_by = f"{evidence.source} did not measure {claim.metric}" if evidence.source else "no report"
        return f"{measured_by}: {PROBE_HINT}, or give --against a report that did"
    if claim.kind in ("metric_count", "file_count", "throughput") and claim.metric:
        if not evidence.source:
            return f"give the roots or --against report.json to measure {claim.metric}"
        return f"{claim.metric} was not measured by {evidence.source}" + (
            " (run with --probe)" if claim.metric.startswith(("load.", "latency.")) else
            " (run with --run-tests)" if claim.metric.startswith("coverage.") else "")
    if claim.kind in ("path_present", "path_missing"):
        return "the path matches nothing that can be told apart under the roots"
    if claim.kind == "file_count":
        return "the file matches no single file under the roots"
    if claim.kind == "advisory":
        if evidence.advisories is None:
            return "no advisory index: run `gonogo db update`"
        facts = evidence.advisories.get(claim.subject, ())
        fixes = sorted({v for f in facts for v in f.fixed}, key=_version_key)
        known = f", fixed in {', '.join(fixes[-6:])}" if fixes else ""
        return (f"no advisory in the index of {evidence.index_date or 'unknown date'} is fixed in {claim.unit}; "
                f"{len(facts)} advisories name {claim.subject}{known}")
    if claim.kind == "decision":
        return "give the roots or --against report.json to compare with gonogo's decision"
    return "unsupported: no command, file or measurement behind it, and no gonogo metric measures it"
