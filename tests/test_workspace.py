"""The file walk: ignores, excluded folders, links, unreadable folders, and files too big to read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gonogo.model import Outcome
from gonogo.workspace import FileReadError, Workspace
from tests.helpers import make_repo, result_of, scan_repo


def listed(root: Path, excludes: tuple[str, ...] = ()) -> set[str]:
    return {f.relpath for f in Workspace.open([root], excludes).files}


def test_gitignore_nested_gitignore_and_default_excludes(tmp_path):
    make_repo(
        tmp_path,
        {
            ".gitignore": "*.log\n/generated/\n",
            "app.py": "x = 1\n",
            "debug.log": "noise",
            "generated/out.py": "y = 2\n",
            "pkg/.gitignore": "secret_*.py\n",
            "pkg/secret_local.py": "z = 3\n",
            "pkg/mod.py": "w = 4\n",
            "node_modules/lib/index.py": "v = 5\n",
            ".git/config": "[core]\n",
            "myenv/pyvenv.cfg": "home = /usr\n",
            "myenv/lib/site.py": "u = 6\n",
        },
    )
    assert listed(tmp_path) == {".gitignore", "app.py", "pkg/.gitignore", "pkg/mod.py"}


def test_user_excludes(tmp_path):
    make_repo(tmp_path, {"examples/demo.py": "x = 1\n", "app.py": "y = 2\n"})
    assert listed(tmp_path, ("examples/",)) == {"app.py"}


def test_symlink_loop_and_links_are_not_followed(tmp_path):
    make_repo(tmp_path, {"real/a.py": "x = 1\n"})
    (tmp_path / "real" / "loop").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "link.py").symlink_to(tmp_path / "real" / "a.py")
    assert listed(tmp_path) == {"real/a.py"}


def test_unreadable_folder_is_a_note_and_the_rest_is_scanned(tmp_path, monkeypatch):
    make_repo(tmp_path, {"locked/a.py": "x = 1\n", "open/b.py": "y = 2\n"})
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    workspace = Workspace.open([tmp_path])
    assert {f.relpath for f in workspace.files} == {"open/b.py"}
    assert [(n.path, n.message) for n in workspace.notes] == [
        ("locked", "folder not readable: Permission denied")
    ]


def test_huge_binary_and_non_utf8_files_are_refused_with_reasons(tmp_path):
    make_repo(tmp_path, {"bin.dat": b"\x00\x01\x02", "latin.txt": "caf\xe9".encode("latin-1")})
    with open(tmp_path / "huge.py", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    workspace = Workspace.open([tmp_path])
    by_name = {f.relpath: f for f in workspace.files}
    with pytest.raises(FileReadError, match="over the"):
        workspace.read_bytes(by_name["huge.py"])
    with pytest.raises(FileReadError, match="binary"):
        workspace.read_text(by_name["bin.dat"])
    with pytest.raises(FileReadError, match="UTF-8"):
        workspace.read_text(by_name["latin.txt"])


def test_scan_survives_a_50_mb_python_file(tmp_path):
    make_repo(tmp_path, {"ok.py": "def f():\n    pass\n"})
    with open(tmp_path / "huge.py", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    report = scan_repo(tmp_path, select="CODE")
    assert report.metrics["code.stubs"] == 1
    assert any(n.path == "huge.py" and "limit" in n.message for n in report.notes)
    assert result_of(report, "CODE004").outcome is Outcome.PASS


def test_several_roots_prefix_paths_with_folder_names(tmp_path):
    first = make_repo(tmp_path / "alpha", {"tests/test_a.py": "import pytest\npytest.skip('x', allow_module_level=True)\n"})
    second = make_repo(tmp_path / "beta", {"tests/test_b.py": "import pytest\n@pytest.mark.skip\ndef test_b():\n    pass\n"})
    report = scan_repo([first, second], "TEST001")
    assert sorted(f.path for f in report.findings) == ["alpha/tests/test_a.py", "beta/tests/test_b.py"]
    assert [r.name for r in report.roots] == ["alpha", "beta"]


@pytest.mark.parametrize(
    ("gitignore", "scanned"),
    [
        ("*\n", {".gitignore", "app.py"}),
        ("***/\n", {".gitignore", "app.py"}),
        ("*\n!app.py\n", {"app.py"}),
        ("***\n!\n", {".gitignore", "app.py"}),
        ("build/\n", {".gitignore", "app.py"}),
    ],
    ids=[
        "root star refused", "root stars and slash refused", "star with an exception honoured",
        "an empty exception is none", "ordinary pattern",
    ],
)
def test_a_root_gitignore_cannot_hide_every_file_but_a_sub_folder_one_can(tmp_path, gitignore, scanned):
    root = make_repo(tmp_path, {".gitignore": gitignore, "app.py": "x = 1\n", "data/.gitignore": "*\n", "data/.keep": ""})
    workspace = Workspace.open([root])
    assert {f.relpath for f in workspace.files} == scanned
    refused = [n.message for n in workspace.notes if "ignores every file" in n.message]
    assert bool(refused) == (gitignore.split("\n")[0] in ("*", "***", "***/") and "!app.py" not in gitignore)
