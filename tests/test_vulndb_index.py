"""The OSV import and the SQLite index: what goes in, what is dropped, and what never breaks it."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from gonogo.vulndb.errors import IndexMissing, IndexUnusable, OsvFormatError, VulnDbError
from gonogo.vulndb.index import FORMAT, VulnIndex, build_index
from gonogo.vulndb.osv import load_document, parse_advisory, read_documents
from tests.vulndb_fakes import FIXTURES, fixture_advisories, zip_of


@pytest.fixture
def index_path(tmp_path):
    path = tmp_path / "cache" / "vulndb.sqlite3"
    build_index(read_documents(FIXTURES), path, source="fixtures")
    return path


def test_import_from_a_folder_drops_withdrawn_advisories(tmp_path):
    stats = build_index(read_documents(FIXTURES), tmp_path / "db", source="fixtures")
    assert (stats.imported, stats.withdrawn, stats.errors) == (10, 1, ())
    with VulnIndex(tmp_path / "db") as index:
        assert index.lookup("PyPI", "redis") == []  # PYSEC-2023-73 was withdrawn
        status = index.status()
    assert status.advisories == 10
    assert status.source == "fixtures"
    assert status.data_date == stats.data_date
    assert status.age_days(date(2030, 1, 1)) == (date(2030, 1, 1) - stats.data_date).days


def test_import_from_a_zip_matches_the_folder(tmp_path):
    archive = tmp_path / "all.zip"
    archive.write_bytes(zip_of(fixture_advisories()))
    stats = build_index(read_documents(archive), tmp_path / "db", source="zip")
    assert stats.imported == 10


def test_lookup_by_written_or_normalised_name(index_path):
    with VulnIndex(index_path) as index:
        by_display = {info.id for info, _ in index.lookup("PyPI", "PyJWT")}
        by_key = {info.id for info, _ in index.lookup("PyPI", "pyjwt")}
        assert by_display == by_key == {"PYSEC-2017-24", "PYSEC-2022-202"}
        assert index.lookup("npm", "pyjwt") == []


def test_lookup_carries_summary_aliases_and_rating(index_path):
    with VulnIndex(index_path) as index:
        [(info, affected)] = index.lookup("PyPI", "cryptography")
    assert info.id == "PYSEC-2023-254"
    assert "GHSA-jfhm-5ghh-2f97" in info.aliases
    assert (info.rating.level, info.rating.score) == ("high", 7.5)
    assert affected.ranges[0].events[-1].version == "41.0.6"
    assert len(info.summary) <= 160


BAD_DOCUMENTS = {
    "not json": b"{nope",
    "binary": bytes(range(256)) * 4,
    "a list": b"[1, 2, 3]",
    "no id": json.dumps({"affected": []}).encode(),
    "two events in one": json.dumps(
        {"id": "X-1", "affected": [{"package": {"name": "a", "ecosystem": "PyPI"},
                                    "ranges": [{"type": "ECOSYSTEM",
                                                "events": [{"introduced": "0", "fixed": "1"}]}]}]}
    ).encode(),
    "affected not an object": json.dumps({"id": "X-2", "affected": ["pkg"]}).encode(),
}


@pytest.mark.parametrize("name", list(BAD_DOCUMENTS))
def test_bad_documents_raise_format_errors(name):
    with pytest.raises(OsvFormatError):
        load_document(BAD_DOCUMENTS[name])


def test_bad_documents_are_skipped_and_counted(tmp_path):
    documents = [(f"{k}.json", v) for k, v in BAD_DOCUMENTS.items()]
    documents += [(f"{k}.json", json.dumps(v).encode()) for k, v in fixture_advisories().items()]
    stats = build_index(iter(documents), tmp_path / "db", source="mixed")
    assert stats.imported == 10
    assert sorted(name for name, _ in stats.errors) == sorted(f"{k}.json" for k in BAD_DOCUMENTS)


def test_odd_but_valid_documents_import():
    advisory = parse_advisory({
        "id": "X-3",
        "aliases": "not a list",
        "severity": [{"type": "CVSS_V3", "score": "garbage"}],
        "affected": [
            {"ranges": [{"type": "GIT", "events": [{"introduced": "abc"}]}]},  # no package
            {"package": {"name": "Foo.Bar", "ecosystem": "PyPI"},
             "ranges": [{"type": "GIT", "events": [{"introduced": "abc"}]}], "versions": ["1.0", 7]},
        ],
    })
    assert advisory.aliases == ()
    assert advisory.rating.level == "unknown"
    [foo] = advisory.affected
    assert (foo.name, foo.ranges, foo.versions) == ("foo-bar", (), ("1.0",))


def test_a_failed_import_keeps_the_working_index(index_path, tmp_path):
    before = index_path.read_bytes()
    corrupt = tmp_path / "broken.zip"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(Exception):  # noqa: B017 - whatever zipfile raises, the index must survive
        build_index(read_documents(corrupt), index_path, source="broken")
    assert index_path.read_bytes() == before
    assert [p.name for p in index_path.parent.iterdir()] == [index_path.name]


def test_an_import_with_no_advisory_keeps_the_working_index(index_path, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "junk.json").write_text("{}", encoding="utf-8")
    before = index_path.read_bytes()
    with pytest.raises(VulnDbError, match="no usable advisory"):
        build_index(read_documents(empty), index_path, source="empty")
    assert index_path.read_bytes() == before


def test_an_interrupted_import_keeps_the_working_index(index_path):
    def documents():
        yield from read_documents(FIXTURES)
        raise KeyboardInterrupt

    before = index_path.read_bytes()
    with pytest.raises(KeyboardInterrupt):
        build_index(documents(), index_path, source="interrupted")
    assert index_path.read_bytes() == before


def test_huge_documents_are_not_read(tmp_path):
    folder = tmp_path / "osv"
    folder.mkdir()
    (folder / "huge.json").write_bytes(b" " * (5 * 1024 * 1024 + 1))
    assert list(read_documents(folder)) == []


def test_missing_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexMissing, match="gonogo db update"):
        VulnIndex(tmp_path / "nothing.sqlite3")


@pytest.mark.parametrize("content", [b"", b"garbage" * 100, bytes(range(256))],
                         ids=["empty file", "text garbage", "binary garbage"])
def test_garbage_index_is_unusable_not_a_crash(tmp_path, content):
    path = tmp_path / "vulndb.sqlite3"
    path.write_bytes(content)
    with pytest.raises(IndexUnusable):
        VulnIndex(path)


def test_index_of_another_format_is_unusable(tmp_path):
    path = tmp_path / "vulndb.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('format', 'something-else')")
    db.close()
    with pytest.raises(IndexUnusable, match=FORMAT):
        VulnIndex(path)
