"""The stat index: a warm scan reads no unchanged file, and every change a stat can see is re-read.

Files are given an mtime well in the past (``os.utime``) where a test needs the index to trust
them: an entry is only written for a file older than the racy margin.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import time
from pathlib import Path

import pytest

from gonogo import workspace as workspace_module
from gonogo.cache import CACHE_FILE, FORMAT, RACY_MARGIN_NS, FactCache
from gonogo.model import Report
from tests.helpers import make_repo, scan_repo

OLD = time.time_ns() - 3600 * 10**9


def age(*paths: Path) -> None:
    for path in paths:
        os.utime(path, ns=(OLD, OLD))


def hashed_by_scan(root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, select: str = "CODE") -> tuple[Report, list[str]]:
    """A scan with the cache in ``cache``, and the files it had to read to hash."""
    read: list[str] = []
    real = workspace_module.read_with_stat

    def counting(path: Path | str, limit: int, **kwargs: bool):
        read.append(Path(path).name)
        return real(path, limit, **kwargs)

    monkeypatch.setattr(workspace_module, "read_with_stat", counting)
    report = scan_repo(root, select, options={"jobs": 1, "cache_dir": str(cache), "use_cache": True})
    monkeypatch.undo()
    return report, sorted(read)


FILES = {"a.py": "def f():\n    pass\n", "b.py": "def g():\n    return 1\n", "c.py": "x = 1\n"}


def test_a_warm_scan_reads_no_unchanged_file_and_one_edit_rereads_that_file_only(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", FILES)
    age(*(root / name for name in FILES))
    cold, cold_read = hashed_by_scan(root, tmp_path / "cache", monkeypatch)
    warm, warm_read = hashed_by_scan(root, tmp_path / "cache", monkeypatch)
    assert cold_read == ["a.py", "b.py", "c.py"]
    assert warm_read == []
    assert warm.metrics == cold.metrics
    (root / "b.py").write_text("def g():\n    ...\n")
    changed, changed_read = hashed_by_scan(root, tmp_path / "cache", monkeypatch)
    assert changed_read == ["b.py"]
    assert changed.metrics["code.stubs"] == cold.metrics["code.stubs"] + 1


def test_a_warm_scan_takes_each_file_status_from_the_walk_and_stats_no_file_a_second_time(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", FILES)
    age(*(root / name for name in FILES))
    hashed_by_scan(root, tmp_path / "cache", monkeypatch)
    stats: list[str] = []
    real = os.stat

    def counting(path: str, *args: object, **kwargs: object) -> os.stat_result:
        stats.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(workspace_module.os, "stat", counting)
    warm = scan_repo(root, "CODE", options={"jobs": 1, "cache_dir": str(tmp_path / "cache"), "use_cache": True})
    monkeypatch.undo()
    assert warm.checks  # the checks ran on the cached facts of every file...
    assert not set(stats) & set(FILES)  # ...whose status the walk had already read


def test_a_same_size_edit_with_its_mtime_restored_inside_the_racy_window_is_reread(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", {"a.py": "def f():\n    return 1\n"})
    path = root / "a.py"
    written = path.stat().st_mtime_ns  # just now: inside the racy window, so no entry is trusted
    first, _ = hashed_by_scan(root, tmp_path / "cache", monkeypatch)
    path.write_text("def f():\n    ...    \n")  # the same size
    os.utime(path, ns=(written, written))
    second, read = hashed_by_scan(root, tmp_path / "cache", monkeypatch)
    assert read == ["a.py"]
    assert (first.metrics["code.stubs"], second.metrics["code.stubs"]) == (0, 1)


def test_an_entry_is_written_only_for_a_file_older_than_the_racy_margin(tmp_path):
    cache = FactCache(tmp_path)
    now = time.time_ns()
    recent = (10, now - RACY_MARGIN_NS // 2, now, 1, 1)
    settled = (10, now - 2 * RACY_MARGIN_NS, now, 2, 1)
    cache.put_stats("/root", {"recent.py": (recent, "aa"), "settled.py": (settled, "bb")}, now_ns=now)
    assert cache.stats_of("/root") == {"settled.py": (settled, "bb")}
    cache.close()


def test_a_file_replaced_by_another_of_the_same_size_and_mtime_is_reread(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", {"a.py": "def f():\n    return 1\n"})
    age(root / "a.py")
    first, _ = hashed_by_scan(root, tmp_path / "cache", monkeypatch)
    replacement = tmp_path / "new.py"
    replacement.write_text("def f():\n    ...    \n")
    age(replacement)
    os.replace(replacement, root / "a.py")  # a new inode, the same size and mtime
    second, read = hashed_by_scan(root, tmp_path / "cache", monkeypatch)
    assert read == ["a.py"]
    assert (first.metrics["code.stubs"], second.metrics["code.stubs"]) == (0, 1)


def test_a_cache_of_an_older_format_is_ignored_and_the_earlier_file_removed(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", FILES)
    age(*(root / name for name in FILES))
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / "facts.v2.sqlite").write_bytes(b"an earlier format's file")
    with sqlite3.connect(cache_dir / CACHE_FILE) as db:  # the current name, an older layout
        db.execute("PRAGMA user_version = 2")
        db.execute("CREATE TABLE stats (root TEXT, relpath TEXT, digest TEXT)")
        db.execute("INSERT INTO stats VALUES (?, 'a.py', 'stale')", (str(root.resolve()),))
    db.close()
    report, read = hashed_by_scan(root, cache_dir, monkeypatch)
    assert read == ["a.py", "b.py", "c.py"]
    assert report.metrics == scan_repo(root, "CODE").metrics
    assert not (cache_dir / "facts.v2.sqlite").exists()
    with sqlite3.connect(cache_dir / CACHE_FILE) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (FORMAT,)
    db.close()


def test_a_cache_that_cannot_be_opened_is_a_note_and_the_scan_carries_on(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", FILES)
    age(*(root / name for name in FILES))
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    report, read = hashed_by_scan(root, not_a_folder, monkeypatch)
    assert read == ["a.py", "b.py", "c.py"]
    assert report.metrics == scan_repo(root, "CODE").metrics
    assert [n.source for n in report.notes if "cache" in n.message] == ["cache"]  # said once, not per collector


def _scan_in_process(root: str, cache: str) -> tuple[str, dict[str, float | None], list[str]]:
    report = scan_repo(Path(root), "CODE,SEC,TEST", options={"jobs": 1, "cache_dir": cache, "use_cache": True})
    notes = [n.message for n in report.notes if n.source == "cache"]
    return report.decision.value, dict(report.metrics), notes


def test_two_scans_at_once_on_one_cache_both_complete_with_the_same_results(tmp_path):
    files = {f"pkg/m{n}.py": f"import subprocess\n\ndef f{n}(x):\n    subprocess.call(x, shell=True)\n" for n in range(60)}
    root = make_repo(tmp_path / "repo", {**files, "pkg/__init__.py": "", "tests/test_a.py": "def test_a():\n    assert 1\n"})
    age(*(p for p in root.rglob("*.py")))
    cache = tmp_path / "cache"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        first, second = pool.starmap(_scan_in_process, [(str(root), str(cache)), (str(root), str(cache))])
    assert first == second
    assert first[2] == []  # neither scan lost its cache to the other's lock
    assert first[1]["security.high"] == 60
    with sqlite3.connect(cache / CACHE_FILE) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT count(*) FROM stats").fetchone() == (62,)
    db.close()


def test_findings_alike_to_a_tally_block_alike_as_when_each_is_asked_alone(tmp_path, monkeypatch):
    """The security tally says what it reads of a finding, so which findings block is worked out
    once per kind; the answer must be the one asking about each finding gives."""
    from gonogo.registry import TallySpec

    root = make_repo(tmp_path / "repo", {
        "app/run.py": "import subprocess\n\ndef run(x):\n    subprocess.call(x, shell=True)\n"
                      "    subprocess.call(x + '1', shell=True)\n    assert x\n    eval(x)\n",
        "app/__init__.py": "",
        "tests/test_run.py": "import subprocess\n\ndef test_run():\n    subprocess.call('ls', shell=True)\n",
    })
    by_kind = scan_repo(root, "SEC")
    monkeypatch.setattr(TallySpec, "view", lambda self, finding: None)
    one_by_one = scan_repo(root, "SEC")
    blocks = [(f.check_id, f.path, f.line, f.blocks) for f in by_kind.findings]
    assert blocks == [(f.check_id, f.path, f.line, f.blocks) for f in one_by_one.findings]
    assert {b for *_, b in blocks} == {True, False}


def test_a_warm_scan_reads_no_file_for_its_findings_lines_but_never_stores_a_credential(tmp_path, monkeypatch):
    from gonogo.workspace import Workspace

    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    root = make_repo(tmp_path / "repo", {
        "app/run.py": "import subprocess\n\ndef run(x):\n    subprocess.call(x, shell=True)  # gonogo: ignore[SEC] ok\n",
        "app/settings.py": f'TOKEN = "{token}"\n',
    })
    age(*(p for p in root.rglob("*.py")))
    options = {"jobs": 1, "cache_dir": str(tmp_path / "cache"), "use_cache": True}
    read: list[str] = []
    real = Workspace.read_text
    monkeypatch.setattr(Workspace, "read_text", lambda self, file, *a: read.append(file.relpath) or real(self, file, *a))
    cold = scan_repo(root, "SEC", options=options)
    cold_read, read[:] = sorted(set(read)), []
    warm = scan_repo(root, "SEC", options=options)
    assert cold_read == ["app/run.py", "app/settings.py"]
    assert set(read) == {"app/settings.py"}  # its finding's line holds the token: never cached, read again
    marks = [(f.check_id, f.path, f.fingerprint, f.suppressed) for f in warm.findings]
    assert marks == [(f.check_id, f.path, f.fingerprint, f.suppressed) for f in cold.findings]
    assert any(suppressed == "inline: ok" for *_, suppressed in marks)
    assert token.encode() not in b"".join(p.read_bytes() for p in (tmp_path / "cache").iterdir())


def test_a_deleted_or_renamed_file_leaves_the_stat_index_and_a_kept_one_stays(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", FILES)
    age(*(root / name for name in FILES))
    hashed_by_scan(root, tmp_path / "cache", monkeypatch)
    (root / "a.py").unlink()
    (root / "c.py").rename(root / "d.py")
    age(root / "d.py")
    _, read = hashed_by_scan(root, tmp_path / "cache", monkeypatch)
    assert read == ["d.py"]  # the renamed file has a new path: hashed once, as any new file
    cache = FactCache(tmp_path / "cache")
    indexed = set(cache.stats_of(str(root.resolve())))
    cache.close()
    assert indexed == {"b.py", "d.py"}


def test_skips_alike_to_the_skip_tally_block_alike_as_when_each_is_asked_alone(tmp_path, monkeypatch):
    """The skip tally sees a skip's condition only as present or not: the blocking answer must not
    change from asking about each skip."""
    from gonogo.registry import TallySpec

    tests = "import sys\nimport pytest\n\n" + "".join(
        f"@pytest.mark.skip(reason='later {n}')\ndef test_a{n}():\n    assert 1\n\n"
        f"@pytest.mark.skipif(sys.platform == 'win{n}', reason='not there')\ndef test_b{n}():\n    assert 1\n\n"
        for n in range(3)
    )
    root = make_repo(tmp_path / "repo", {"app/__init__.py": "", "tests/test_app.py": tests})
    by_kind = scan_repo(root, "TEST")
    monkeypatch.setattr(TallySpec, "view", lambda self, finding: None)
    one_by_one = scan_repo(root, "TEST")
    blocks = [(f.check_id, f.line, f.blocks) for f in by_kind.findings]
    assert blocks == [(f.check_id, f.line, f.blocks) for f in one_by_one.findings]
    assert any(check == "TEST001" and blocking for check, _, blocking in blocks)


def test_observability_scans_configuration_dockerfiles_and_scripts_once_then_from_the_cache(tmp_path, monkeypatch):
    from gonogo.collectors import observability

    files = {
        "app/main.py": "def main():\n    return 1\n",
        "logging.yaml": "formatters:\n  json:\n    (): pythonjsonlogger.jsonlogger.JsonFormatter\n",
        "alerts.yml": "groups:\n  - name: app\n    rules:\n      - alert: AppDown\n        expr: up == 0\n",
        "Dockerfile": "FROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://localhost/health\n",
        "run.sh": "#!/bin/sh\nopentelemetry-instrument python -m app\n",
    }
    root = make_repo(tmp_path / "repo", files)
    age(*(root / name for name in files))
    scanned: list[str] = []
    real = observability.text_signals

    def counting(payload: tuple[bytes, str]):
        scanned.append(payload[1])
        return real(payload)

    monkeypatch.setattr(observability, "text_signals", counting)
    options = {"jobs": 1, "cache_dir": str(tmp_path / "cache"), "use_cache": True}
    cold = scan_repo(root, "OBS", options=options)
    assert sorted(scanned) == ["command", "command", "config", "config"]
    warm = scan_repo(root, "OBS", options=options)
    assert len(scanned) == 4  # nothing scanned again
    assert [(f.check_id, f.message) for f in cold.findings] == [(f.check_id, f.message) for f in warm.findings]
    assert cold.metrics == warm.metrics
