"""The scan memo: a scan whose every input is unchanged gives the last report without running the
checks again, and any change a scan could see (a file, the configuration, the day, a commit, the
code that judged, the live work asked for) runs it in full.

An entry is stored only when no input changed within the racy margin; most tests here set the
margin to zero (``trusting``) so they need not wait two seconds, and one keeps the real margin."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gonogo import scan_memo
from gonogo.cache import CACHE_FILE, FactCache, dumps
from gonogo.cli import app
from gonogo.config import load_project_config
from gonogo.model import Report
from gonogo.options import ScanOptions
from gonogo.timings import REUSED, format_timings
from gonogo.workspace import Workspace
from tests.helpers import make_repo, scan_repo

FILES = {
    "app.py": "def handler():\n    pass\n",
    "tests/test_app.py": "import pytest\n\n@pytest.mark.skip\ndef test_a():\n    assert True\n",
}


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Store entries for files written a moment ago (the real margin is two seconds)."""
    monkeypatch.setattr(scan_memo, "RACY_MARGIN_NS", 0)


def scanned(root: Path, cache: Path, select: str = "CODE,TEST", **options: object) -> Report:
    return scan_repo(root, select, options={"cache_dir": str(cache), "use_cache": True, "jobs": 1, **options})


def reused(report: Report) -> bool:
    return REUSED in report.timings.get("stages", {})


def same_judgement(one: Report, other: Report) -> bool:
    return (one.decision, one.metrics, [f.fingerprint for f in one.findings]) == (
        other.decision, other.metrics, [f.fingerprint for f in other.findings]
    )


def test_an_unchanged_tree_gives_the_last_report_with_this_scans_clock(tmp_path, trusting):
    root = make_repo(tmp_path / "repo", FILES)
    first = scanned(root, tmp_path / "cache")
    second = scanned(root, tmp_path / "cache")
    assert not reused(first)
    assert reused(second)
    assert same_judgement(first, second)
    assert second.scanned_at is not None and first.scanned_at is not None
    assert second.scanned_at > first.scanned_at
    assert second.valid_until - second.scanned_at == first.valid_until - first.scanned_at
    assert "no collector ran: reused the last report (no input changed)" in format_timings(second.timings)
    assert "seconds by collector:" in format_timings(first.timings)


@pytest.mark.parametrize(
    "change",
    [
        lambda root: (root / "app.py").write_text("def handler():\n    return 1\n"),
        lambda root: (root / "new.py").write_text("def other():\n    pass\n"),
        lambda root: (root / "tests/test_app.py").unlink(),
        lambda root: (root / ".gitignore").write_text("tests/\n"),
    ],
    ids=["a file edited", "a file added", "a file removed", "a file newly ignored"],
)
def test_any_change_to_the_tree_runs_the_scan_again(tmp_path, trusting, change):
    root = make_repo(tmp_path / "repo", FILES)
    first = scanned(root, tmp_path / "cache")
    change(root)
    again = scanned(root, tmp_path / "cache")
    assert not reused(again)
    assert not same_judgement(first, again)


def test_a_tree_written_within_the_racy_margin_is_never_reused(tmp_path):
    """Two edits of the same size within one timestamp tick keep a file's status: an entry made
    from files that young could hide the second, so none is stored."""
    root = make_repo(tmp_path / "repo", FILES)
    scanned(root, tmp_path / "cache")
    assert not reused(scanned(root, tmp_path / "cache"))


@pytest.mark.parametrize(
    "differs",
    [
        {"select": "CODE"},
        {"today": date.today() + timedelta(days=1)},
        {"ignore_baseline": True},
    ],
    ids=["another selection", "another day", "the baseline ignored"],
)
def test_another_question_or_another_day_runs_the_scan_again(tmp_path, trusting, differs):
    root = make_repo(tmp_path / "repo", FILES)
    scanned(root, tmp_path / "cache")
    select = str(differs.pop("select", "CODE,TEST"))
    assert not reused(scanned(root, tmp_path / "cache", select, **differs))


@pytest.mark.parametrize(
    "live", [{"run_tests": True}, {"import_smoke": True}, {"probe": True}], ids=["tests run", "imports", "probes"]
)
def test_a_scan_that_does_live_work_is_never_reused(tmp_path, live):
    config = load_project_config(tmp_path)
    assert scan_memo.ask_of([tmp_path], config, ScanOptions(cache_dir=str(tmp_path / "cache"))) is not None
    assert scan_memo.ask_of([tmp_path], config, ScanOptions(cache_dir=str(tmp_path / "cache"), **live)) is None


def test_a_new_commit_runs_the_scan_again_though_no_file_changed(tmp_path, trusting):
    """The plan's owners come from ``git log``: a commit can change them without a file change."""
    root = make_repo(tmp_path / "repo", FILES, git=True)
    scanned(root, tmp_path / "cache")
    assert reused(scanned(root, tmp_path / "cache"))
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=u", "-c", "user.email=u@example.com",
         "commit", "-q", "--allow-empty", "-m", "next"],
        check=True,
    )
    assert not reused(scanned(root, tmp_path / "cache"))


def test_a_distribution_installed_runs_the_scan_again_a_file_where_gonogo_started_does_not(
    tmp_path, trusting, monkeypatch
):
    """Which imports are declared depends on what is installed on the interpreter's path; the
    folder gonogo was started from (``python -m gonogo`` puts the working folder first) is not an
    installation, and a report written there must not make the next scan a miss."""
    root = make_repo(tmp_path / "repo", FILES)
    started, installed = tmp_path / "started", tmp_path / "site-packages"
    started.mkdir()
    installed.mkdir()
    monkeypatch.setattr("sys.path", [str(started), str(installed), *sys.path[1:]])
    scanned(root, tmp_path / "cache")
    (started / "report.json").write_text("{}")
    assert reused(scanned(root, tmp_path / "cache"))
    (installed / "example-1.0.dist-info").mkdir()
    assert not reused(scanned(root, tmp_path / "cache"))


def test_an_entry_is_not_reused_once_a_code_file_it_was_made_by_changes(tmp_path, trusting):
    root = make_repo(tmp_path / "repo", FILES)
    report = scanned(root, tmp_path / "cache")
    module = tmp_path / "plugin.py"
    module.write_text("RULE = 1\n")
    workspace = Workspace.open([root])
    cache = FactCache(tmp_path / "memo")
    inputs = scan_memo.inputs_of(workspace, [None], ScanOptions())
    code = ((str(module), scan_memo._status(module)),)
    cache.keep_memo("question", scan_memo.Memo(inputs=inputs, code=code, report=dumps(report)))
    assert scan_memo.recall(cache, "question", inputs) == report
    assert scan_memo.recall(cache, "question", "other inputs") is None
    module.write_text("RULE = 22\n")
    assert scan_memo.recall(cache, "question", inputs) is None


def test_the_stored_report_is_loaded_only_when_it_answers(tmp_path, monkeypatch):
    """A scan after an edit asks for the memo too: the report it holds (thousands of findings on a
    large tree) is not loaded to find that the inputs changed; a damaged one is a miss."""
    cache = FactCache(tmp_path / "memo")
    cache.keep_memo("question", scan_memo.Memo(inputs="before the edit", code=(), report=b"\x80\x05damaged"))
    loaded: list[bytes] = []
    monkeypatch.setattr(scan_memo, "loads", lambda blob: loaded.append(blob))
    assert scan_memo.recall(cache, "question", "after the edit") is None
    assert loaded == []
    monkeypatch.undo()
    assert scan_memo.recall(cache, "question", "before the edit") is None  # damaged: a miss, no error


@pytest.mark.parametrize(
    "blob", [b"", b"\x80\x05garbage", b"not a pickle at all"], ids=["empty", "truncated pickle", "text"]
)
def test_a_damaged_entry_is_a_miss_and_the_scan_runs_in_full(tmp_path, trusting, blob):
    root = make_repo(tmp_path / "repo", FILES)
    first = scanned(root, tmp_path / "cache")
    with sqlite3.connect(tmp_path / "cache" / CACHE_FILE) as db:
        assert db.execute("UPDATE scans SET value = ?", (blob,)).rowcount == 1
    again = scanned(root, tmp_path / "cache")
    assert not reused(again)
    assert same_judgement(first, again)
    assert reused(scanned(root, tmp_path / "cache"))  # and the entry is made whole again


def test_the_listing_digest_moves_with_every_entry_and_stays_put_without_change(tmp_path):
    root = make_repo(tmp_path / "repo", FILES)
    digest = Workspace.open([root]).listing_digest()
    assert Workspace.open([root]).listing_digest() == digest
    (root / "app.py").write_text("def handler():\n    pass\n")  # same bytes, a new status
    assert Workspace.open([root]).listing_digest() != digest
    digest = Workspace.open([root]).listing_digest()
    (root / "link").symlink_to("/etc/passwd")  # skipped, with a note: the report's notes change
    assert Workspace.open([root]).listing_digest() != digest


def test_without_a_cache_nothing_is_stored_or_reused(tmp_path, trusting):
    root = make_repo(tmp_path / "repo", FILES)
    scanned(root, tmp_path / "cache", use_cache=False)
    assert not (tmp_path / "cache").exists()
    assert not reused(scanned(root, tmp_path / "cache", use_cache=False))


def test_a_reused_report_has_the_roots_git_state_of_now(tmp_path, trusting):
    """A new branch at the same commit changes no input, but the report names the branch it judged."""
    root = make_repo(tmp_path / "repo", FILES, git=True)
    first = scanned(root, tmp_path / "cache")
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "-b", "feature"], check=True)
    again = scanned(root, tmp_path / "cache")
    assert reused(again)
    assert first.roots[0].branch != "feature"
    assert again.roots[0].branch == "feature"
    assert again.roots[0].commit == first.roots[0].commit


def test_the_same_root_given_another_way_is_another_question(tmp_path, trusting, monkeypatch):
    """The plan's commands name the roots as they were given (``gonogo check .``): a report made
    for ``.`` is not reused for the absolute path, though both are the same folder."""
    root = make_repo(tmp_path / "repo", FILES)
    monkeypatch.chdir(root)
    by_dot = scanned(Path("."), tmp_path / "cache")
    by_path = scanned(root, tmp_path / "cache")
    assert not reused(by_path)
    assert same_judgement(by_dot, by_path)
    assert reused(scanned(Path("."), tmp_path / "cache"))


def test_rescan_runs_every_check_and_keeps_its_report_for_the_next_scan(tmp_path, trusting):
    root = make_repo(tmp_path / "repo", FILES)
    first = scanned(root, tmp_path / "cache")
    rescanned = scanned(root, tmp_path / "cache", reuse=False)
    assert not reused(rescanned)
    assert same_judgement(first, rescanned)
    assert reused(scanned(root, tmp_path / "cache"))


def test_the_command_line_rescan_switch_runs_every_check(tmp_path, trusting, monkeypatch):
    root = make_repo(tmp_path / "repo", FILES)
    monkeypatch.setenv("GONOGO_CACHE_DIR", str(tmp_path / "cache"))

    def stages(*switches: str) -> dict[str, float]:
        out = tmp_path / "out"
        result = CliRunner().invoke(
            app, ["check", str(root), "--no-history", "-q", "-f", "json", "-o", str(out), "--select", "CODE", *switches]
        )
        assert result.exit_code in (0, 1), result.output
        return json.loads((out / "report.json").read_text())["evidence"]["timings"]["stages"]

    assert REUSED not in stages()
    assert REUSED in stages()
    assert REUSED not in stages("--rescan")
    assert REUSED in stages()


def test_a_file_name_that_is_not_utf8_is_keyed_and_reused_like_any_other(tmp_path, trusting):
    root = make_repo(tmp_path / "repo", FILES)
    odd = os.fsdecode(b"caf\xe9.py")  # Latin-1 bytes: a surrogate escape in the name, as scandir gives it
    (root / odd).write_text("def other():\n    pass\n")
    first = scanned(root, tmp_path / "cache")
    second = scanned(root, tmp_path / "cache")
    assert reused(second) and same_judgement(first, second)
    (root / odd).write_text("def other():\n    return 2\n")
    assert not reused(scanned(root, tmp_path / "cache"))
