"""``gonogo db update`` on hostile archives: damaged members and absurdly deep documents are
skipped by name, an import that would gut the index is refused unless forced, and a killed
update's leftovers are cleaned up."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from typer.testing import CliRunner

from gonogo.vulndb.cli import db_app
from gonogo.vulndb.errors import ImportRefused
from gonogo.vulndb.index import VulnIndex, build_index, remove_stale_temporaries
from gonogo.vulndb.osv import read_documents
from tests.vulndb_fakes import FIXTURES, FakeSite, fixture_advisories, serve, zip_of

runner = CliRunner()
DEAD_PID = 999_999_999
"""Above any kernel's pid_max: no process has it."""


def run(db, *args):
    return runner.invoke(db_app, list(args), env={"GONOGO_VULNDB": str(db)})


def usable(count: int) -> dict[str, object]:
    live = {name: doc for name, doc in fixture_advisories().items() if not doc.get("withdrawn")}
    return dict(list(live.items())[:count])


def with_damaged_member(documents: dict[str, object], damaged: str) -> bytes:
    """A zip whose member ``damaged`` has its deflate stream overwritten in the middle."""
    data = bytearray(zip_of(documents))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(f"{damaged}.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 2, start + min(info.compress_size - 2, 40)):
        data[offset] = 0xFF
    return bytes(data)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cache" / "vulndb.sqlite3"
    build_index(read_documents(FIXTURES), path, source="fixtures")
    return path


def test_a_damaged_archive_member_is_skipped_by_name(tmp_path):
    big = {"id": "BIG-1", "summary": "x" * 5000, "affected": []}
    archive = tmp_path / "osv.zip"
    archive.write_bytes(with_damaged_member({**usable(6), "damaged": big}, "damaged"))
    target = tmp_path / "db.sqlite3"
    result = run(target, "update", "--from", str(archive))
    assert result.exit_code == 0, result.output
    assert "skipped damaged.json: damaged archive member" in result.output
    assert "6 advisories imported" in result.output and "1 unreadable" in result.output


def test_a_200000_deep_document_is_skipped_not_a_crash(tmp_path):
    archive = tmp_path / "osv.zip"
    archive.write_bytes(zip_of({**usable(6), "deep": b"[" * 200_000 + b"]" * 200_000}))
    result = run(tmp_path / "db.sqlite3", "update", "--from", str(archive))
    assert result.exit_code == 0, result.output
    assert "skipped deep.json: not an advisory: JSON nested too deeply" in result.output


def test_an_update_that_would_gut_the_index_is_refused_unless_forced(db, tmp_path):
    before = db.read_bytes()
    archive = tmp_path / "small.zip"
    archive.write_bytes(zip_of(usable(4)))
    refused = run(db, "update", "--from", str(archive))
    assert refused.exit_code == 2
    assert "4 advisories would replace an index of 10" in refused.output and "--force" in refused.output
    assert db.read_bytes() == before
    forced = run(db, "update", "--from", str(archive), "--force")
    assert forced.exit_code == 0, forced.output
    with VulnIndex(db) as index:
        assert index.status().advisories == 4


def test_a_mostly_unreadable_archive_is_refused(tmp_path):
    broken = {f"broken-{n}": {"summary": "no id"} for n in range(8)}
    archive = tmp_path / "mixed.zip"
    archive.write_bytes(zip_of({**usable(4), **broken}))
    target = tmp_path / "db.sqlite3"
    with pytest.raises(ImportRefused, match="8 unreadable document"):
        build_index(read_documents(archive), target, source="mixed")
    assert not target.exists()
    assert list(tmp_path.glob(".vulndb-*")) == []


def test_a_growing_or_similar_import_is_accepted(db, tmp_path):
    archive = tmp_path / "same.zip"
    archive.write_bytes(zip_of(usable(6)))
    result = run(db, "update", "--from", str(archive))
    assert result.exit_code == 0, result.output  # 6 of 10 is not a drastic shrink


def test_a_killed_updates_leftovers_are_removed_and_a_running_ones_kept(db):
    folder = db.parent
    stale_file = folder / f".vulndb-{DEAD_PID}-abc.tmp"
    stale_file.write_bytes(b"half an index")
    stale_download = folder / f".osv-download-{DEAD_PID}-xyz"
    stale_download.mkdir()
    (stale_download / ".osv-PyPI-1.zip").write_bytes(b"PK")
    running = folder / f".vulndb-{os.getpid()}-live.tmp"
    running.write_bytes(b"in progress")
    assert remove_stale_temporaries(folder) == 2
    assert not stale_file.exists() and not stale_download.exists()
    assert running.exists()


def test_member_names_are_printed_without_escape_sequences(tmp_path):
    archive = tmp_path / "osv.zip"
    archive.write_bytes(zip_of({**usable(6), "evil\x1b]0;pwned\x07\x1b[31m": b"not json"}))
    result = run(tmp_path / "db.sqlite3", "update", "--from", str(archive))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "skipped evil\\x1b]0;pwned\\x07\\x1b[31m.json" in result.output


def test_a_download_with_corrupt_deflate_data_is_refused_whole(db):
    big = {"id": "BIG-1", "summary": "x" * 5000, "affected": []}
    site = FakeSite(exports={"PyPI": with_damaged_member({**usable(10), "damaged": big}, "damaged")})
    before = db.read_bytes()
    with serve(site) as base:
        result = run(db, "update", "--url", base)
    assert result.exit_code == 2
    assert "not a readable zip (error: Error -3 while decompressing data" in result.output
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]
