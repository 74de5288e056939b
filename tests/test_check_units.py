"""Checks run alone on hand-built facts (``run_check``): each with a case it must find and one it
must not, starting with the checks no other test named (SEC007, SEC013, SEC014, SEC015, SVC002,
SVC005, SVC007, TEST002)."""

from __future__ import annotations

import pytest

from gonogo.model import Outcome, Severity
from tests.facts import (
    health,
    load,
    openapi,
    operation,
    python_facts,
    run_check,
    sast_facts,
    sast_hit,
    service_facts,
)
from tests.helpers import make_repo, result_of, scan_repo

# -- the helper itself -----------------------------------------------------------------------------


def test_run_check_names_the_facts_a_check_takes_when_a_test_gives_the_wrong_ones():
    with pytest.raises(TypeError, match=r"SEC007 takes the facts sast; missing: sast; not taken: python"):
        run_check("SEC007", python=python_facts({}))


def test_run_check_refuses_an_unknown_check_id():
    with pytest.raises(KeyError, match="NOPE999"):
        run_check("NOPE999")


# -- SAST: each check reports the hits of its own rules, and only those -----------------------------


@pytest.mark.parametrize(
    ("check_id", "its_rule", "another_checks_rule"),
    [
        ("SEC007", "S314", "S307"),  # xml.etree parse vs eval
        ("SEC013", "S311", "S314"),  # random for tokens vs xml
        ("SEC014", "S110", "S311"),  # except: pass vs random
        ("SEC015", "S999", "S110"),  # a rule newer than the table vs except: pass
    ],
    ids=["SEC007 xml parsing", "SEC013 weak random", "SEC014 swallowed exception", "SEC015 other rule"],
)
def test_sast_check_reports_its_rules_hits_and_not_another_checks(check_id, its_rule, another_checks_rule):
    found = run_check(check_id, sast=sast_facts(sast_hit(its_rule, "app/parse.py", 7)))
    assert found.outcome is Outcome.FAIL
    [finding] = found.findings
    assert (finding.check_id, finding.path, finding.line, finding.get("rule")) == (
        check_id, "app/parse.py", 7, its_rule)

    other = run_check(check_id, sast=sast_facts(sast_hit(another_checks_rule, "app/parse.py", 7)))
    assert other.outcome is Outcome.PASS and other.findings == ()


def test_sast_check_with_no_python_file_is_not_applicable_not_a_pass():
    assert run_check("SEC014", sast=sast_facts(files=0)).outcome is Outcome.NOT_APPLICABLE


def test_sast_hit_in_test_code_is_reported_as_never_blocking():
    [finding] = run_check("SEC013", sast=sast_facts(sast_hit("S311", "tests/test_a.py", in_test_code=True))).findings
    assert finding.get("in_test_code") is True
    assert "in test code, which does not ship" in finding.message


# -- TEST002: xfail markers ------------------------------------------------------------------------


def test_xfail_marker_is_found_and_a_plain_skip_is_not_test002s():
    python = python_facts({
        "tests/test_jobs.py": """
            import pytest

            @pytest.mark.xfail(reason="rounding bug JOBS-112")
            def test_rounding():
                assert round(2.5) == 3

            @pytest.mark.skip(reason="later")
            def test_later():
                assert False
        """,
    })
    found = run_check("TEST002", python=python)
    [finding] = found.findings
    assert (finding.path, finding.line, finding.get("kind")) == ("tests/test_jobs.py", 3, "xfail")
    assert "rounding bug JOBS-112" in finding.message


def test_no_xfail_no_test002_finding():
    python = python_facts({"tests/test_ok.py": "def test_ok():\n    assert 1 + 1 == 2\n"})
    assert run_check("TEST002", python=python).outcome is Outcome.PASS


# -- SVC002: latency limits ------------------------------------------------------------------------


def test_health_probe_over_its_latency_limit_is_slow_and_one_within_is_not():
    found = run_check("SVC002", service_probes=service_facts(health=[
        health("api", latency_ms=900.0, max_latency_ms=200.0),
        health("web", latency_ms=50.0, max_latency_ms=200.0),
    ]))
    assert found.messages == ["api answered in 900.0 ms, limit 200 ms"]


def test_slow_openapi_operation_is_reported_by_svc002():
    smoke = openapi("api", operation("GET", "/items", ("slow", "took 1200 ms, limit 500 ms")),
                    operation("GET", "/health"))
    found = run_check("SVC002", service_probes=service_facts(
        health=[health("api", max_latency_ms=500.0)], openapi=[smoke]))
    assert found.messages == ["api: GET /items is slow: took 1200 ms, limit 500 ms"]


def test_no_latency_limit_declared_is_not_applicable_for_svc002():
    found = run_check("SVC002", service_probes=service_facts(health=[health("api", latency_ms=9000.0)]))
    assert found.outcome is Outcome.NOT_APPLICABLE


# -- SVC005: the OpenAPI document and what could not be called -------------------------------------


def test_unreadable_document_and_uncallable_operation_are_found_and_method_not_allowed_is_not():
    smoke = openapi("api", error="not JSON or YAML", not_called=[
        ("POST", "/orders", "required parameter 'id' has no example"),
        ("TRACE", "/orders", "method not allowed"),
    ])
    found = run_check("SVC005", service_probes=service_facts(health=[health("api")], openapi=[smoke]))
    assert found.messages == [
        "api: OpenAPI document unusable: not JSON or YAML",
        "api: POST /orders not called: required parameter 'id' has no example",
    ]
    assert [f.severity for f in found.findings] == [Severity.HIGH, Severity.LOW]


def test_document_read_and_every_operation_called_passes_svc005():
    smoke = openapi("api", operation("GET", "/items"))
    assert run_check("SVC005", service_probes=service_facts(health=[health("api")], openapi=[smoke])).outcome \
        is Outcome.PASS


# -- SVC007: a load generator that was the bottleneck ----------------------------------------------


def test_load_generator_saturating_its_core_is_found_and_an_idle_one_is_not():
    found = run_check("SVC007", service_probes=service_facts(
        health=[health("api"), health("web")], load=[load("api", cpu_fraction=0.97), load("web", cpu_fraction=0.3)]))
    [finding] = found.findings
    assert finding.key == "api"
    assert "was on or waiting for a CPU 97% of the time" in finding.message
    assert "100 req/s is a lower bound" in finding.message


def test_load_that_never_ran_cannot_tell_for_svc007():
    found = run_check("SVC007", service_probes=service_facts(
        health=[health("api")], load=[load("api", refused="the URL is not on this machine", requests=0)]))
    assert found.outcome is Outcome.UNKNOWN and "not on this machine" in (found.reason or "")


# -- the helper agrees with the engine -------------------------------------------------------------


def test_run_check_finds_what_a_scan_of_the_same_files_finds(tmp_path):
    """The hand-built ``python`` fact and the collector's agree, and so do run_check and the engine:
    a unit test judges what a user's scan would."""
    files = {
        "tests/test_jobs.py": """
            import pytest

            @pytest.mark.xfail(reason="rounding bug")
            def test_rounding():
                assert round(2.5) == 3

            @pytest.mark.xfail(strict=True)
            def test_other():
                assert False
        """,
    }
    scanned = result_of(scan_repo(make_repo(tmp_path, files), select="TEST002"), "TEST002").findings
    alone = run_check("TEST002", python=python_facts(files)).findings
    assert [(f.path, f.line, f.message, f.key) for f in alone] == [(f.path, f.line, f.message, f.key) for f in scanned]
    assert len(alone) == 2
