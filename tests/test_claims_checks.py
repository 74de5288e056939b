"""The CLM checks as pure functions of claims and evidence: each rule with a claim that holds
beside one that does not."""

from __future__ import annotations

import pytest

from gonogo.claims.checks import judge
from gonogo.claims.evidence import NONE, AdvisoryFact, Evidence
from gonogo.claims.model import Claim, Status

V, C, N, U = Status.VERIFIED, Status.CONTRADICTED, Status.INCONSISTENT, Status.UNVERIFIABLE


def status(*claims: Claim, evidence: Evidence = NONE) -> list[tuple[str, Status]]:
    return [(j.check_id, j.status) for j in judge(claims, evidence)]


def ratio(value: float, total: float, percent: str, line: int = 1) -> Claim:
    digits = len(percent.split(".")[1]) if "." in percent else 0
    return Claim(line=line, text="r", kind="ratio", value=value, total=total, unit=percent, digits=digits)


@pytest.mark.parametrize(
    ("claim", "expected"),
    [(ratio(19, 47, "40.4"), V), (ratio(19, 47, "41"), N), (ratio(19, 47, "40"), V), (ratio(2, 20, "90"), V),
     (ratio(19, 47, "91.5"), N)],
    ids=["one decimal", "wrong whole percent", "rounded", "share of the rest", "far off"],
)
def test_clm001_percent_of_fraction(claim: Claim, expected: Status) -> None:
    assert status(claim) == [("CLM001", expected)]


def test_clm002_list_count_side_by_side() -> None:
    items = tuple((n, f"f{n}.py") for n in range(2, 21))
    wrong = Claim(line=1, text="Missing (18):", kind="list_count", value=18, parts=items)
    right = Claim(line=1, text="Missing (19):", kind="list_count", value=19, parts=items)
    assert status(wrong, right) == [("CLM002", N), ("CLM002", V)]


def test_clm003_table_total() -> None:
    parts = ((2, "11"), (3, "1"), (4, "-18 (90%)"))
    assert status(Claim(line=5, text="t", kind="table_total", value=-6, parts=parts),
                  Claim(line=5, text="t", kind="table_total", value=71, parts=parts)) == [("CLM003", V), ("CLM003", N)]


def test_clm004_overall_is_the_mean_within_one_point() -> None:
    parts = ((2, "Security: 40%"), (3, "Performance: 98%"), (4, "Testing: 95%"))  # mean 77.7
    assert status(Claim(line=1, text="o", kind="overall_score", value=78, parts=parts),
                  Claim(line=1, text="o", kind="overall_score", value=76, parts=parts)) == [("CLM004", V), ("CLM004", N)]


def test_clm005_headline_far_from_measured_and_peak_below_sustained() -> None:
    headline = Claim(line=1, text="42M+ RPS", kind="throughput", metric="load.rps", value=42e6)
    near = Claim(line=2, text="5,000 RPS", kind="throughput", metric="load.rps", value=5000)
    measured = Claim(line=3, text="3,196 ops/sec", kind="throughput", metric="load.rps", value=3196)
    backwards = Claim(line=4, text="600 peak (650 sustained)", kind="peak_sustained", value=600, total=650)
    got = status(headline, near, measured, backwards)
    assert got == [("CLM005", N), ("CLM020", U), ("CLM020", U), ("CLM005", N)]


def test_clm006_decision_against_a_failed_required_criterion() -> None:
    failed = Claim(line=9, text="row", kind="criterion", subject="Security: FAIL", value=40, total=95, unit="FAIL")
    passed = Claim(line=10, text="row", kind="criterion", subject="Docs: PASS", value=80, total=85, unit="PASS")
    go = Claim(line=1, text="Decision: CONDITIONAL GO", kind="decision", subject="CONDITIONAL GO")
    no_go = Claim(line=2, text="Decision: NO-GO", kind="decision", subject="NO-GO")
    assert status(failed, passed, go, no_go) == [("CLM006", V), ("CLM006", N), ("CLM006", N), ("CLM020", U)]


def test_clm007_same_path_in_two_counted_categories_only() -> None:
    a = Claim(line=1, text="x", kind="path_missing", subject="backend/app.py", section="Backend (0/5)")
    b = Claim(line=9, text="x", kind="path_missing", subject="backend/app.py", section="Session (1/4 - 75% MISSING)")
    c = Claim(line=12, text="x", kind="path_missing", subject="backend/db.py", section="Backend (0/5)")
    summary = Claim(line=20, text="x", kind="path_present", subject="app.py", section="Summary")
    detail = Claim(line=30, text="x", kind="path_present", subject="app.py", section="Details")
    assert status(a, b, c, summary, detail) == [("CLM007", N), ("CLM007", N), ("CLM020", U), ("CLM020", U),
                                                 ("CLM020", U)]


def test_clm008_breakdown() -> None:
    parts = ((1, "6 CRITICAL"), (1, "28 HIGH"), (1, "34 MODERATE"), (1, "7 LOW"))
    assert status(Claim(line=1, text="b", kind="breakdown", value=75, parts=parts),
                  Claim(line=1, text="b", kind="breakdown", value=76, parts=parts)) == [("CLM008", V), ("CLM008", N)]


def test_clm009_only_a_decimal_figure_repeats_a_computed_one() -> None:
    source = ratio(19, 47, "40.4", line=5)
    same = Claim(line=9, text="Quality Score: 40.4%", kind="figure", value=40.4, unit="%", digits=1)
    round_figure = Claim(line=10, text="100%", kind="figure", value=100, unit="%")
    whole = ratio(18, 18, "100", line=3)
    assert status(source, same, round_figure, whole) == [("CLM001", V), ("CLM009", V), ("CLM020", U), ("CLM001", V)]


def metric(value: float, name: str = "tests.skip_sites", unit: str = "") -> Claim:
    return Claim(line=1, text="n", kind="metric_count", metric=name, value=value, unit=unit)


def test_clm010_counts_against_measured_metrics() -> None:
    evidence = Evidence(source="scan", metrics={"tests.skip_sites": 66.0, "coverage.percent": 14.2, "vulns.total": None,
                                                "vulns.critical": 4.0})
    got = status(metric(66), metric(71), metric(14, "coverage.percent", "%"), metric(50, "tests.skip_sites", "at least"),
                 metric(3, "vulns.total"), metric(3, "images.floating"), metric(20, "coverage.percent", "%"),
                 metric(4, "vulns.critical"), metric(6, "vulns.critical"), evidence=evidence)
    assert got == [("CLM010", V), ("CLM010", C), ("CLM010", V), ("CLM010", V), ("CLM020", U), ("CLM020", U),
                   ("CLM010", U), ("CLM010", V), ("CLM010", U)]
    reasons = [j.evidence for j in judge((metric(3, "vulns.total"),), evidence)]
    assert reasons == ["vulns.total was not measured by scan"]


def test_clm010_long_functions_only_against_the_same_limit() -> None:
    def over(limit: str) -> Claim:
        return Claim(line=1, text="n", kind="metric_count", metric="code.long_functions", value=3, subject=limit)

    evidence = Evidence(source="scan", metrics={"code.long_functions": 4.0, "code.long_functions.limit": 60.0})
    assert status(over("60"), over("50"), evidence=evidence) == [("CLM010", C), ("CLM020", U)]


def test_pytest_skip_calls_are_counted_apart_from_decorators() -> None:
    from gonogo.claims.evidence import gather

    findings = [
        {"check_id": "TEST001", "message": "pytest.skip() on test_a, unconditional: later", "path": "t/test_a.py"},
        {"check_id": "TEST001", "message": "@pytest.mark.skipif on test_b, conditional on the platform",
         "path": "t/test_a.py"},
        {"check_id": "TEST001", "message": "pytest.importorskip() on module, conditional", "path": "t/test_c.py"},
    ]
    report = {"decision": "NO_GO", "metrics": {"tests.skip_sites": 3.0}, "findings": findings}
    claims = (metric(0, "tests.skip_calls"), metric(1, "tests.skip_calls"), metric(3))
    evidence = gather(claims, report, (), "report")
    assert evidence.metrics["tests.skip_calls"] == 1
    assert evidence.file_counts["tests.skip_calls"] == {"t/test_a.py": 1}
    assert status(*claims, evidence=evidence) == [("CLM010", C), ("CLM010", V), ("CLM010", V)]


def test_clm011_file_counts_match_by_path_suffix_and_need_one_file() -> None:
    evidence = Evidence(source="scan", metrics={"tests.skip_sites": 12.0},
                        file_counts={"tests.skip_sites": {"Z/a/tests/test_x.py": 11, "M/b/tests/test_x.py": 1}},
                        paths={"tests\\test_x.py": ("Z/a/tests/test_x.py", "M/b/tests/test_x.py")}, roots=("Z", "M"))

    def row(subject: str, value: float) -> Claim:
        return Claim(line=1, text="r", kind="file_count", metric="tests.skip_sites", value=value, subject=subject)

    got = status(row("C:\\Z\\a\\tests\\test_x.py", 11), row("a\\tests\\test_x.py", 25), row("tests\\test_x.py", 11),
                 evidence=evidence)
    assert got == [("CLM011", V), ("CLM011", C), ("CLM020", U)]  # the last names two files


def test_clm012_paths_present_and_missing() -> None:
    evidence = Evidence(source="", roots=("r",), paths={
        "a.py": ("r/a.py",), "b.py": (), "app.py": ("r/x/app.py", "r/y/app.py"), "x/app.py": ("r/x/app.py",)})
    claims = [Claim(line=n, text="p", kind=kind, subject=subject) for n, (kind, subject) in enumerate(
        [("path_present", "a.py"), ("path_missing", "a.py"), ("path_missing", "b.py"), ("path_present", "b.py"),
         ("path_missing", "app.py"), ("path_present", "app.py"), ("path_missing", "x/app.py")])]
    assert status(*claims, evidence=evidence) == [("CLM012", V), ("CLM012", C), ("CLM012", V), ("CLM012", C),
                                                  ("CLM020", U), ("CLM012", V), ("CLM012", C)]


@pytest.mark.parametrize(
    ("stated", "measured", "expected"),
    [("GO", "NO-GO", C), ("CONDITIONAL GO", "NO-GO", C), ("NO-GO", "NO-GO", V), ("NO-GO", "GO", U), ("GO", "GO", V)],
    ids=["go against no-go", "conditional against no-go", "same", "stricter is not contradicted", "go agreed"],
)
def test_clm013_decision_against_gonogo(stated: str, measured: str, expected: Status) -> None:
    claim = Claim(line=1, text=f"Decision: {stated}", kind="decision", subject=stated)
    assert status(claim, evidence=Evidence(source="scan", decision=measured))[0][1] is expected


def test_clm014_package_statements() -> None:
    evidence = Evidence(source="", roots=("r",), manifests={
        "r/a/requirements.txt": {"boto3": ">=1.34", "pyjwt": "==2.8.0"}, "r/b/requirements.txt": {"requests": "==2.31.0"}})
    claims = (
        Claim(line=1, text="p", kind="package_presence", subject="boto3", value=1, total=2),
        Claim(line=2, text="p", kind="package_presence", subject="boto3", value=2, total=2),
        Claim(line=3, text="p", kind="package_presence", subject="boto3", value=1, total=7),  # other files counted
        Claim(line=4, text="v", kind="package_version", subject="PyJWT", unit="2.8.0"),
        Claim(line=5, text="v", kind="package_version", subject="requests", unit="2.32.0"),
        Claim(line=6, text="d", kind="package_undeclared", subject="b\\requirements.txt", unit="boto3"),
        Claim(line=7, text="d", kind="package_declared", subject="b\\requirements.txt", unit="boto3"),
    )
    assert [s for _, s in status(*claims, evidence=evidence)] == [V, C, U, V, C, V, C]


def test_clm015_advisory_fixed_in_the_stated_release() -> None:
    fact = AdvisoryFact(id="GHSA-1", summary="key confusion", level="high", fixed=("2.4.0",))
    evidence = Evidence(source="", advisories={"PyJWT": (fact,)}, index_date="2024-10-10")
    claims = (Claim(line=1, text="a", kind="advisory", subject="PyJWT", unit="2.4.0"),
              Claim(line=2, text="a", kind="advisory", subject="PyJWT", unit="2.10.1"))
    judged = judge(claims, evidence)
    assert [(j.check_id, j.status) for j in judged] == [("CLM015", V), ("CLM020", U)]
    assert judged[1].evidence.startswith("no advisory in the index of 2024-10-10 is fixed in 2.10.1")


def test_every_claim_check_is_documented() -> None:
    from gonogo.claims.checks import CLAIM_CHECKS

    for spec in CLAIM_CHECKS.values():
        assert spec.why and spec.fix, spec.id
