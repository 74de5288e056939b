"""`gonogo db update` and `status` against a local HTTP server serving an OSV export."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from gonogo.vulndb.cli import db_app
from gonogo.vulndb.errors import FetchError
from gonogo.vulndb.fetch import download_export
from gonogo.vulndb.index import VulnIndex
from tests.vulndb_fakes import FIXTURES, FakeSite, fixture_advisories, serve, zip_of

runner = CliRunner()


def run(db, *args):
    return runner.invoke(db_app, list(args), env={"GONOGO_VULNDB": str(db)})


def test_update_downloads_and_builds_the_index(tmp_path):
    site = FakeSite(exports={"PyPI": zip_of(fixture_advisories())})
    db = tmp_path / "db.sqlite3"
    with serve(site) as base:
        result = run(db, "update", "--url", base)
    assert result.exit_code == 0, result.output
    assert "10 advisories imported (1 withdrawn dropped" in result.output
    assert site.requests == ["GET /PyPI/all.zip"]
    with VulnIndex(db) as index:
        assert index.status().source == f"{base} (PyPI)"
    status = run(db, "status")
    assert status.exit_code == 0
    assert "advisories: 10" in status.output
    assert "days old" in status.output


@pytest.mark.parametrize(
    "site",
    [
        FakeSite(exports={"PyPI": zip_of(fixture_advisories())}, truncate=True),
        FakeSite(exports={"PyPI": b"PK\x03\x04 not a zip at all" * 10}),
        FakeSite(exports={}),
        FakeSite(exports={"PyPI": zip_of({"junk": {"not": "osv"}})}),
    ],
    ids=["interrupted download", "corrupt zip", "HTTP 404", "zip with no advisory"],
)
def test_a_bad_download_never_replaces_the_working_index(tmp_path, site):
    db = tmp_path / "db.sqlite3"
    assert run(db, "update", "--from", str(FIXTURES)).exit_code == 0
    before = db.read_bytes()
    with serve(site) as base:
        result = run(db, "update", "--url", base)
    assert result.exit_code == 2
    assert "existing index was left unchanged" in result.output
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.sqlite3"]


def test_unreachable_server_is_a_clear_error(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=f"127.0.0.1:{port}/PyPI/all.zip"):
        download_export(f"http://127.0.0.1:{port}", "PyPI", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_update_from_a_zip_file_for_air_gapped_machines(tmp_path):
    archive = tmp_path / "all.zip"
    archive.write_bytes(zip_of(fixture_advisories()))
    db = tmp_path / "db.sqlite3"
    result = run(db, "update", "--from", str(archive))
    assert result.exit_code == 0, result.output
    assert "data as of 2024-" in result.output


@pytest.mark.parametrize("content", [None, b"", b"\x00\xff" * 100], ids=["missing", "empty", "binary"])
def test_update_from_a_bad_path_fails_cleanly(tmp_path, content):
    source = tmp_path / "export.zip"
    if content is not None:
        source.write_bytes(content)
    result = run(tmp_path / "db.sqlite3", "update", "--from", str(source))
    assert result.exit_code == 2
    assert not (tmp_path / "db.sqlite3").exists()


def test_status_without_an_index_says_how_to_build_one(tmp_path):
    result = run(tmp_path / "none.sqlite3", "status")
    assert result.exit_code == 2
    assert "gonogo db update" in result.output
