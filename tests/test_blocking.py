"""Which findings block: a pooled tally (the security counts) answers by subtracting the views of
the findings a fix resolves, and must answer exactly as recomputing it over every finding does."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from gonogo.blocking import _tally_moved, metrics_moved_by
from gonogo.checks.security import SAST_CHECKS, security_metrics
from gonogo.collectors.sast import UNSCANNED_RULE
from gonogo.model import Category, CheckResult, Finding, Location, Outcome, Severity
from gonogo.registry import TallySpec, load_plugins


def _security_tally() -> TallySpec:
    return next(spec for spec in load_plugins().tallies if spec.func is security_metrics)


_finding = st.builds(
    lambda severity, rule, confidence, in_test, suppressed, line: Finding(
        check_id="SEC001",
        severity=severity,
        message=f"hit {line}",
        location=Location(path="app.py", line=line),
        suppressed="inline: reviewed" if suppressed else None,
        data=(("rule", rule), ("confidence", confidence), ("in_test_code", in_test)),
    ),
    st.sampled_from(list(Severity)),
    st.sampled_from(["S602", UNSCANNED_RULE]),
    st.sampled_from(["high", "medium"]),
    st.booleans(),
    st.booleans(),
    st.integers(1, 500),
)


@st.composite
def _results(draw: st.DrawFn) -> list[CheckResult]:
    results = []
    for check_id in draw(st.lists(st.sampled_from(SAST_CHECKS[:4]), min_size=1, max_size=3, unique=True)):
        findings = tuple(replace(f, check_id=check_id) for f in draw(st.lists(_finding, max_size=12)))
        outcome = draw(st.sampled_from([Outcome.FAIL, Outcome.FAIL, Outcome.UNKNOWN]))
        results.append(CheckResult(
            check_id=check_id, title=check_id, category=Category.SECURITY, severity=Severity.HIGH,
            outcome=outcome, score=None, findings=findings,
        ))
    return results


@given(results=_results(), data=st.data())
def test_a_pooled_tally_moves_exactly_the_metrics_recomputing_it_moves(results: list[CheckResult], data) -> None:
    spec = _security_tally()
    result = data.draw(st.sampled_from(results))
    resolved = data.draw(st.lists(st.sampled_from(result.findings), unique_by=id)) if result.findings else []
    recomputed = _tally_moved(spec, results, security_metrics(results), result, resolved)
    moves = metrics_moved_by([spec], results)
    assert moves(result, resolved, set(spec.metrics)) & set(spec.metrics) == recomputed


def test_the_pooled_form_is_what_the_tally_publishes() -> None:
    """The counts the tally publishes are its pooled function of its findings' views: one
    high-severity finding in product code, one in test code, one unscanned file, one suppressed."""
    spec = _security_tally()
    findings = (
        Finding(check_id="SEC001", severity=Severity.HIGH, message="a", location=Location(path="a.py", line=1),
                data=(("rule", "S602"), ("confidence", "high"), ("in_test_code", False))),
        Finding(check_id="SEC001", severity=Severity.HIGH, message="b", location=Location(path="t.py", line=1),
                data=(("rule", "S602"), ("confidence", "high"), ("in_test_code", True))),
        Finding(check_id="SEC001", severity=Severity.LOW, message="c", location=Location(path="c.py", line=1),
                data=(("rule", UNSCANNED_RULE),)),
        Finding(check_id="SEC001", severity=Severity.MEDIUM, message="d", location=Location(path="d.py", line=1),
                suppressed="inline: reviewed", data=(("rule", "S602"),)),
    )
    result = CheckResult(check_id="SEC001", title="t", category=Category.SECURITY, severity=Severity.HIGH,
                         outcome=Outcome.FAIL, score=None, findings=findings)
    assert security_metrics([result]) == {
        "security.findings": 3.0, "security.high": 2.0, "security.high_high_confidence": 1.0,
        "security.medium": 0.0, "security.low": 1.0,
    }
    moves = metrics_moved_by([spec], [result])
    assert moves(result, findings[:1], set(spec.metrics)) == {"security.findings", "security.high",
                                                              "security.high_high_confidence"}
    assert moves(result, findings[3:], set(spec.metrics)) == set(), "a suppressed finding moves nothing"
