"""The opt-in live sources, against local servers speaking the OSV and PyPI JSON protocols."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from gonogo.vulndb import online
from gonogo.vulndb.errors import FetchError
from tests.vulndb_fakes import FakeSite, fixture_advisories, pypi_project, serve


def test_osv_batch_query_then_details():
    advisories = fixture_advisories()
    site = FakeSite(
        advisories={"PYSEC-2022-202": advisories["PYSEC-2022-202"], "PYSEC-2023-73": advisories["PYSEC-2023-73"]},
        affected={("pyjwt", "2.3.0"): ["PYSEC-2022-202", "PYSEC-2023-73"]},
    )
    with serve(site) as base, online.client() as http:
        answers = online.osv_query([("PyPI", "pyjwt", "2.3.0"), ("PyPI", "requests", "2.32.0")], http, base)
    assert [a.id for a in answers[("PyPI", "pyjwt", "2.3.0")]] == ["PYSEC-2022-202"]  # withdrawn dropped
    assert answers[("PyPI", "requests", "2.32.0")] == []
    assert site.requests[0] == "POST /v1/querybatch"


def test_osv_answer_of_the_wrong_shape_is_a_fetch_error():
    site = FakeSite(affected={("pyjwt", "2.3.0"): ["MISSING-1"]})
    with serve(site) as base, online.client() as http, pytest.raises(FetchError, match="HTTP 404"):
        online.osv_query([("PyPI", "pyjwt", "2.3.0")], http, base)


def test_unreachable_osv_is_a_fetch_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with online.client() as http, pytest.raises(FetchError, match="OSV API"):
        online.osv_query([("PyPI", "x", "1")], http, f"http://127.0.0.1:{port}")


def test_pypi_latest_stable_skips_prereleases_and_yanked():
    site = FakeSite(projects={"pyjwt": pypi_project(
        {"2.8.0": "2023-07-18", "2.10.1": "2024-11-28", "2.10.0": "2024-11-17", "3.0.0a1": "2025-01-01",
         "2.11.0": "2025-02-01"},
        yanked=("2.11.0",),
    )})
    with serve(site) as base, online.client() as http:
        project = online.pypi_project("pyjwt", http, base)
    assert (project.latest, project.latest_date) == ("2.10.1", date(2024, 11, 28))
    assert "3.0.0a1" in project.versions


@pytest.mark.parametrize("answer", [{}, {"releases": []}, [], "x"], ids=["no releases", "list", "array", "str"])
def test_pypi_answers_of_the_wrong_shape(answer):
    with pytest.raises(FetchError):
        online.parse_project("x", answer)


def test_pypi_unknown_project_is_a_fetch_error():
    with serve(FakeSite()) as base, online.client() as http, pytest.raises(FetchError, match="404"):
        online.pypi_project("nope", http, base)
