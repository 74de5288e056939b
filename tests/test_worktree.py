"""Comparing a working tree before and after a test run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gonogo.probes import worktree
from gonogo.probes.worktree import TreeChanges, compare, snapshot
from tests.helpers import make_repo


def test_new_folders_stand_for_their_contents_and_version_control_is_ignored(tmp_path: Path):
    root = make_repo(tmp_path, {"a.txt": "a", "gone/deep/b.txt": "b", "keep/c.txt": "c", ".git/HEAD": "x"})
    before = snapshot(root)
    (root / "new/inner").mkdir(parents=True)
    (root / "new/inner/x.txt").write_text("x")
    (root / "keep/d.txt").write_text("d")
    (root / "a.txt").write_text("longer than before")
    (root / "gone/deep/b.txt").unlink()
    (root / "gone/deep").rmdir()
    (root / "gone").rmdir()
    (root / ".git/index").write_text("git's own business")
    changes = compare(before, snapshot(root))
    assert changes == TreeChanges(created=("keep/d.txt", "new"), changed=("a.txt",), removed=("gone",))


def test_an_untouched_tree_has_no_changes(tmp_path: Path):
    root = make_repo(tmp_path, {"a.txt": "a", "pkg/__init__.py": ""})
    assert not compare(snapshot(root), snapshot(root))


def test_a_rewrite_with_the_same_size_is_seen_by_its_time(tmp_path: Path):
    root = make_repo(tmp_path, {"a.txt": "aaaa"})
    before = snapshot(root)
    os.utime(root / "a.txt", ns=(1, 1))
    assert compare(before, snapshot(root)).changed == ("a.txt",)


def test_symlinks_are_recorded_but_never_followed(tmp_path: Path):
    outside = make_repo(tmp_path / "outside", {"secret.txt": "s"})
    root = make_repo(tmp_path / "repo", {"a.txt": "a"})
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    state = snapshot(root)
    assert state is not None
    assert set(state) == {"a.txt", "link", "loop"}


def test_a_tree_too_large_to_compare_gives_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = make_repo(tmp_path, {f"f{i}.txt": "x" for i in range(5)})
    monkeypatch.setattr(worktree, "MAX_ENTRIES", 3)
    assert snapshot(root) is None


def test_an_unreadable_folder_is_passed_over(tmp_path: Path):
    root = make_repo(tmp_path, {"a.txt": "a", "locked/b.txt": "b"})
    (root / "locked").chmod(0)
    try:
        state = snapshot(root)
    finally:
        (root / "locked").chmod(0o755)
    assert state is not None and "a.txt" in state and "locked" in state


def test_a_missing_root_is_an_empty_tree(tmp_path: Path):
    assert snapshot(tmp_path / "nothing-here") == {}
