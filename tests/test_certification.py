"""Certification: the overall score and its formula, area scores as gate metrics, each area's
READY / CONDITIONAL / BLOCKED from the gates that touch it, maturity levels, the risk register,
and the decision's date and validity in the report."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gonogo.certification import (
    area_verdicts,
    claims_risk,
    formula,
    maturity,
    metric_areas,
    overall_score,
    risk_register,
    score_metrics,
    weights_for,
)
from gonogo.claims.in_report import with_claims
from gonogo.claims.model import Claim, Judgement, Status
from gonogo.cli import app
from gonogo.config import ConfigError, load_config
from gonogo.gitinfo import git_state
from gonogo.model import (
    Area,
    AreaStatus,
    Category,
    CheckResult,
    Gate,
    GateResult,
    GateStatus,
    Outcome,
    Severity,
)
from gonogo.policy import DEFAULT_LEVELS, when
from gonogo.reporters import json_report, markdown
from gonogo.verdict import evaluate_gate
from tests.helpers import make_repo, scan_repo

GREET = {
    "pyproject.toml": """
        [project]
        name = "greet"
        version = "1.0.0"
        dependencies = []
    """,
    "src/greet/__init__.py": '''
        """Greetings."""


        def greet(name: str) -> str:
            """Say hello."""
            return f"Hello, {name}!"
    ''',
    "tests/test_greet.py": """
        from greet import greet


        def test_greet():
            assert greet("Ada") == "Hello, Ada!"
    """,
}


def result(check_id: str, category: Category, outcome: Outcome = Outcome.PASS, *,
           metrics: tuple[tuple[str, float | None], ...] = (), reason: str | None = None) -> CheckResult:
    return CheckResult(
        check_id=check_id, title=check_id, category=category, severity=Severity.HIGH, outcome=outcome,
        score=10.0 if outcome in (Outcome.PASS, Outcome.FAIL) else None, metrics=metrics, reason=reason,
    )


def gate(name: str, metric: str, measured: float | None, *, blocking: bool = True) -> GateResult:
    return evaluate_gate(Gate(name=name, conditions=(when(metric, "==", 0),), blocking=blocking), {metric: measured})


# -- overall score ------------------------------------------------------------------------------


def test_overall_is_the_weighted_mean_of_measured_areas_and_leaves_unmeasured_ones_out() -> None:
    weights = {Area.SECURITY: 3.0, Area.TESTS: 1.0, Area.RUNTIME: 2.0}
    scores = {Area.SECURITY: 100.0, Area.TESTS: 60.0, Area.RUNTIME: None}
    assert overall_score(scores, weights) == 90.0  # (3*100 + 1*60) / 4; runtime neither 0 nor 100
    assert "not measured, so left out: runtime" in formula(weights, scores)


def test_overall_is_unknown_when_no_weighted_area_was_measured() -> None:
    assert overall_score({Area.SECURITY: None, Area.TESTS: 80.0}, {Area.SECURITY: 3.0, Area.TESTS: 0.0}) is None


def test_config_weights_change_one_area_and_keep_the_others() -> None:
    weights = weights_for({"tests": 5})
    assert weights[Area.TESTS] == 5.0 and weights[Area.SECURITY] == 3.0


@pytest.mark.parametrize(
    ("text", "key"),
    [("[score_weights]\nsecurty = 2\n", "score_weights"), ("[score_weights]\nsecurity = -1\n", "score_weights")],
    ids=["misspelt area", "negative weight"],
)
def test_config_refuses_weights_that_name_no_area_or_are_negative(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "gonogo.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=key):
        load_config(path)


def test_score_metrics_name_each_area_and_the_overall() -> None:
    metrics = score_metrics({Area.SECURITY: 96.0, Area.OBSERVABILITY: None}, 91.0)
    assert metrics == {"score.security": 96.0, "score.observability": None, "score.overall": 91.0}


# -- area status from the gates that touch it ---------------------------------------------------


def test_an_area_is_blocked_conditional_or_ready_by_the_gates_reading_its_metrics() -> None:
    results = [
        result("VULN001", Category.VULNERABILITIES, Outcome.FAIL, metrics=(("vulns.high", 2),)),
        result("TEST001", Category.TESTS, metrics=(("tests.skipped", 0),)),
        result("CODE001", Category.CODE, Outcome.FAIL, metrics=(("code.stubs", 1),)),
    ]
    gates = [
        gate("Security", "vulns.high", 2),
        gate("Test integrity", "tests.skipped", 0),
        gate("Code health", "code.stubs", 1, blocking=False),
    ]
    scores = {area: 80.0 for area in Area}
    verdicts = {v.area: v for v in area_verdicts(scores, gates, results, metric_areas(results, {}, ()))}
    assert verdicts[Area.SECURITY].status is AreaStatus.BLOCKED
    assert verdicts[Area.TESTS].status is AreaStatus.READY
    assert verdicts[Area.CODE_HEALTH].status is AreaStatus.CONDITIONAL
    assert verdicts[Area.CONTAINERS].status is AreaStatus.CONDITIONAL  # no gate reads it: nothing certifies it
    assert "no gate reads" in verdicts[Area.CONTAINERS].reason


def test_a_tally_touches_the_areas_of_the_checks_that_fed_it_not_of_those_that_could_not_tell() -> None:
    results = [
        result("TEST001", Category.TESTS, Outcome.FAIL),
        result("RUN004", Category.RUNTIME, Outcome.UNKNOWN, reason="tests not run"),
    ]
    areas = metric_areas(results, {}, [(("TEST001", "RUN004"), ("tests.skipped",))])
    assert areas["tests.skipped"] == {Area.TESTS}


def test_a_counted_metric_touches_its_checks_area_even_when_the_check_published_nothing() -> None:
    results = [result("RUN001", Category.RUNTIME, Outcome.UNKNOWN, reason="tests not run")]
    areas = metric_areas(results, {"RUN001": "tests.run.failed"}, ())
    verdicts = {v.area: v for v in area_verdicts({a: None for a in Area}, [gate("Tests pass", "tests.run.failed", None)],
                                                  results, areas)}
    assert verdicts[Area.RUNTIME].gates == ("Tests pass",)
    assert verdicts[Area.RUNTIME].status is AreaStatus.CONDITIONAL
    assert "could not tell: RUN001 (tests not run)" in verdicts[Area.RUNTIME].reason


@pytest.mark.parametrize(
    ("results", "why"),
    [
        ([], "no check feeds this area yet"),
        ([result("OBS001", Category.OBSERVABILITY, Outcome.NOT_APPLICABLE)], "1 of its checks did not apply"),
    ],
    ids=["no observability check ran", "observability checks did not apply"],
)
def test_an_unknown_observability_score_says_why_and_is_never_ready(results: list[CheckResult], why: str) -> None:
    passing = gate("Operational readiness", "obs.health_endpoint_missing", 0)
    areas = metric_areas(results, {"OBS001": "obs.health_endpoint_missing"}, ())
    verdict = next(v for v in area_verdicts({a: None for a in Area}, [passing], results, areas)
                   if v.area is Area.OBSERVABILITY)
    assert verdict.score is None
    assert why in verdict.reason
    assert verdict.status is AreaStatus.CONDITIONAL


def test_a_gate_on_an_area_score_touches_that_area() -> None:
    scores = {area: 90.0 for area in Area}
    verdicts = {v.area: v for v in area_verdicts(scores, [gate("Security score", "score.security", 1)], [],
                                                 metric_areas([], {}, ()))}
    assert verdicts[Area.SECURITY].status is AreaStatus.BLOCKED
    assert verdicts[Area.TESTS].gates == ()


def test_a_gate_on_an_area_score_decides_the_scan(tmp_path: Path) -> None:
    make_repo(tmp_path, {**GREET, "src/greet/shell.py": "import os\n\ndef run(cmd):\n    os.system(cmd)\n"})
    strict = {"Security score": {"conditions": [{"metric": "score.security", "operator": ">=", "threshold": 99.5}]}}
    lenient = {"Security score": {"conditions": [{"metric": "score.security", "operator": ">=", "threshold": 1}]}}
    failing = scan_repo(tmp_path, "SEC", gates=strict)
    passing = scan_repo(tmp_path, "SEC", gates=lenient)
    measured = failing.metrics["score.security"]
    assert measured is not None and 1 <= measured < 99.5
    assert next(g for g in failing.gates if g.gate.name == "Security score").status is GateStatus.FAIL
    assert next(g for g in passing.gates if g.gate.name == "Security score").status is GateStatus.PASS


# -- maturity levels ----------------------------------------------------------------------------


def test_a_level_is_held_only_with_every_gate_of_it_and_below() -> None:
    levels = {"Bronze": ("A",), "Silver": ("B",), "Gold": ("C",)}
    gates = [gate("A", "a", 0), gate("B", "b", 1), gate("C", "c", 0)]
    bronze, silver, gold = maturity(levels, gates)
    assert bronze.held and not silver.held
    assert not gold.held, "Gold's own gate passes, but Silver's does not"
    assert gold.missing == ("B (fail)",)


def test_a_level_naming_a_gate_the_profile_lacks_is_not_held() -> None:
    (bronze,) = maturity({"Bronze": ("Security", "Nope")}, [gate("Security", "v", 0)])
    assert not bronze.held and bronze.missing == ("Nope (not configured)",)


def test_levels_from_the_config_replace_the_defaults(tmp_path: Path) -> None:
    make_repo(tmp_path, GREET)
    report = scan_repo(tmp_path, "TEST", levels={"Tested": ["Test integrity"]})
    assert report.certification is not None
    assert [lv.name for lv in report.certification.levels] == ["Tested"]
    assert report.certification.level == "Tested"
    default = scan_repo(tmp_path, "TEST")
    assert [lv.name for lv in default.certification.levels] == list(DEFAULT_LEVELS)  # type: ignore[union-attr]
    assert default.certification.level is None  # type: ignore[union-attr]  # Security is unknown under TEST


# -- risk register ------------------------------------------------------------------------------


def test_risks_rank_a_failing_blocking_gate_above_an_unmeasured_one_and_stale_data() -> None:
    gates = [
        gate("Code health", "code.stubs", 3, blocking=False),
        gate("Tests pass", "tests.run.failed", None),
        gate("Security", "vulns.high", 1),
    ]
    risks = risk_register(gates, [], {"vulns.data_age_days": 781}, advisory_max_age_days=30)
    assert [(r.likelihood, r.impact) for r in risks] == [
        ("certain", "high"), ("likely", "high"), ("possible", "high"), ("certain", "medium"),
    ]
    assert risks[0].title.startswith("Security fails") and "vulns.high = 1" in risks[0].evidence
    assert "781" in risks[1].evidence


def test_fresh_data_and_passing_gates_make_no_risk() -> None:
    assert risk_register([gate("Security", "vulns.high", 0)], [], {"vulns.data_age_days": 3}, 30) == ()


# -- the report carries its date, its validity and the checkout -----------------------------------


def test_git_state_reads_the_branch_and_whether_the_scanned_folder_is_dirty(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"a.py": "x = 1\n", "sub/b.py": "y = 1\n"}, git=True)
    clean = git_state(repo)
    assert clean.commit and clean.branch and clean.dirty is False
    (repo / "a.py").write_text("x = 2\n")
    assert git_state(repo).dirty is True
    assert git_state(repo / "sub").dirty is False, "a change outside the scanned folder is not in what was judged"
    outside = make_repo(tmp_path / "plain", {"a.py": "x = 1\n"})
    assert git_state(outside).commit is None


@pytest.mark.parametrize(("profile", "valid_days", "days"), [("critical", None, 7), ("standard", None, 30),
                                                             ("standard", 10, 10)],
                         ids=["critical profile", "standard profile", "config valid_days"])
def test_the_decision_is_valid_for_the_profile_or_the_configured_days(
    tmp_path: Path, profile: str, valid_days: int | None, days: int
) -> None:
    make_repo(tmp_path, GREET, git=True)
    extra = {"valid_days": valid_days} if valid_days else {}
    report = scan_repo(tmp_path, "TEST", profile=profile, **extra)
    assert report.scanned_at is not None and report.scanned_at.tzinfo is not None
    assert report.valid_until == report.scanned_at + timedelta(days=days)


def test_json_and_markdown_carry_the_time_validity_checkout_and_certification(tmp_path: Path) -> None:
    make_repo(tmp_path, GREET, git=True)
    subprocess.run(["git", "-C", str(tmp_path), "checkout", "-qb", "release"], check=True)
    report = scan_repo(tmp_path, "TEST")
    data = json.loads(json_report.render(report))
    assert data["valid_until"].endswith("Z") and data["evidence"]["scanned_at"].endswith("Z")
    assert data["evidence"]["roots"][0]["branch"] == "release"
    assert data["evidence"]["roots"][0]["dirty"] is False
    assert data["certification"]["formula"].startswith("overall = (3 x security")
    assert {a["area"] for a in data["certification"]["areas"]} == {area.value for area in Area}
    text = markdown.render(report)
    assert "Valid until " in text and "- scanned at " in text
    assert "on branch `release`, no uncommitted change to tracked files" in text
    assert "## Maturity level" in text and "## Risk register" in text
    assert f"{report.checks_passed} of {report.checks_ran} checks passed (" in text


def test_claims_the_scan_contradicts_join_the_risk_register(tmp_path: Path) -> None:
    make_repo(tmp_path, GREET)
    report = scan_repo(tmp_path, "TEST")
    claim = Claim(line=3, text="0 skipped tests", kind="count", metric="tests.skipped", value=0)
    contradicted = Judgement(claim=claim, check_id="CLM001", status=Status.CONTRADICTED, claimed="0", measured="4")
    unverifiable = Judgement(claim=claim, check_id="CLM001", status=Status.UNVERIFIABLE, claimed="0")
    judged = with_claims(report, "READINESS.md", [contradicted, unverifiable])
    risk = next(r for r in judged.certification.risks if "READINESS.md" in r.title)  # type: ignore[union-attr]
    assert (risk.likelihood, risk.evidence) == ("certain", "1 contradicted, 1 unverifiable claims")
    only_unverified = with_claims(report, "READINESS.md", [unverifiable])
    risk = next(r for r in only_unverified.certification.risks if "READINESS.md" in r.title)  # type: ignore[union-attr]
    assert (risk.likelihood, risk.impact) == ("possible", "low")
    assert claims_risk("READINESS.md", contradicted=0, unverifiable=0) is None


def test_a_failing_blocking_gate_on_an_area_score_makes_the_actions_that_raise_it_p0(tmp_path: Path) -> None:
    # a low finding (an assert guarding behaviour) never moves the Security gate's counts, but it
    # does lower the security score a gate was told to read
    make_repo(tmp_path, {**GREET, "src/greet/guard.py": "def check(x):\n    assert x > 0\n    return x\n"})
    strict = {"Security score": {"conditions": [{"metric": "score.security", "operator": ">=", "threshold": 99.9}]}}
    report = scan_repo(tmp_path, "SEC", gates=strict)
    raising = [a for a in report.plan if a.check_ids == ("SEC010",)]
    assert raising and all(a.blocks_go and a.priority.value == "P0" for a in raising)
    assert all(f.blocks for a in raising for f in a.findings)
    without_gate = scan_repo(tmp_path, "SEC")
    assert [a.priority.value for a in without_gate.plan if a.check_ids == ("SEC010",)] == ["P3"]


def test_a_project_configures_score_gates_weights_and_levels_in_pyproject(tmp_path: Path) -> None:
    """Seed 002's per-area bar, set where a user sets it, through the command line."""
    make_repo(tmp_path / "repo", {
        **GREET,
        "src/greet/guard.py": "def check(x):\n    assert x > 0\n    return x\n",
        "pyproject.toml": """
            [project]
            name = "greet"
            version = "1.0.0"
            dependencies = []

            [tool.gonogo]
            select = ["SEC", "TEST"]

            [tool.gonogo.gates."Security score"]
            conditions = [{ metric = "score.security", operator = ">=", threshold = 99.9 }]

            [tool.gonogo.score_weights]
            tests = 0

            [tool.gonogo.levels]
            Tested = ["Test integrity"]
            Secure = ["Security score"]
        """,
    })
    result = CliRunner().invoke(app, ["check", str(tmp_path / "repo"), "--format", "json", "--output",
                                      str(tmp_path / "out"), "--no-history", "-q"], catch_exceptions=False)
    assert result.exit_code == 1, result.output  # the new gate blocks by default
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    gate = next(g for g in data["gates"] if g["name"] == "Security score")
    assert gate["status"] == "fail" and gate["conditions"][0]["measured"] < 99.9
    cert = data["certification"]
    assert cert["weights"]["tests"] == 0 and "weight 0: tests" in cert["formula"]
    assert (cert["level"], cert["next_level"]) == ("Tested", "Secure")
    assert next(lv for lv in cert["levels"] if lv["name"] == "Secure")["missing"] == ["Security score (fail)"]
    security = next(a for a in cert["areas"] if a["area"] == "security")
    assert security["status"] == "BLOCKED" and "Security score" in security["gates"]
