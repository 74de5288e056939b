"""A Python file's secrets are scanned in the Python pass, from the bytes that pass read: the same
hits the secrets pass would find, cached with the file's facts, and the file is not read again."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.collectors import secrets as module
from gonogo.collectors.python import PythonFacts, python_files
from gonogo.collectors.secrets import Place, SecretFacts, SecretLookup, look_up_secrets, scan_looked_up
from gonogo.options import ScanOptions
from gonogo.workspace import Workspace
from tests.helpers import make_repo
from tests.test_secrets import API_KEY, DB_PASSWORD, GITHUB_TOKEN

FILES: dict[str, str | bytes] = {
    "app/settings.py": f'SECRET_KEY = "{API_KEY}"\nDB_PASSWORD = "{DB_PASSWORD}"\n',
    "tests/test_login.py": f'TOKEN = "{GITHUB_TOKEN}"\n',  # a token's format is found in tests too
    "app/factories.py": f'import factory\n\npassword = "{DB_PASSWORD}"\n',
    "app/latin.py": b'# -*- coding: latin-1 -*-\npassword = "caf\xe9-' + DB_PASSWORD.encode() + b'"\n',
    "app/blob.py": b"\x00\x01" + API_KEY.encode(),
    "deploy/config.yaml": f"token: {GITHUB_TOKEN}\n",
    ".env": f"API_KEY={API_KEY}\n",
    "README.md": "# app\n",
}


def _python(workspace: Workspace, options: ScanOptions) -> PythonFacts:
    return python_files(workspace, options, workspace.notes)


def _secrets(workspace: Workspace, options: ScanOptions, python: PythonFacts | None) -> tuple[SecretLookup, SecretFacts]:
    """The secrets pass, told of the Python pass's hits (or, with ``None``, scanning every file itself)."""
    scanned = {} if python is None else {item.file: item.secrets for item in python.files}
    lookup = look_up_secrets(workspace, options, scanned)
    return lookup, scan_looked_up(lookup, options, workspace).facts


def test_the_python_pass_finds_what_the_secrets_pass_found(tmp_path: Path) -> None:
    workspace = Workspace.open([make_repo(tmp_path, FILES)])
    options = ScanOptions(use_cache=False)
    _, alone = _secrets(workspace, options, None)
    lookup, shared = _secrets(workspace, options, _python(workspace, options))
    assert shared == alone  # every hit, its place and order, the .env settings, the files counted
    assert {hit.path for hit in shared.hits} >= {"app/settings.py", "tests/test_login.py", "deploy/config.yaml"}
    places = {hit.path: hit.place for hit in shared.hits}
    assert places["tests/test_login.py"] is Place.TEST and places["app/settings.py"] is Place.CODE
    # the Python files came from the pass: only the others were hashed and read again
    from_pass = sorted(lookup.paths[index] for index in lookup.scanned)
    assert from_pass == ["app/blob.py", "app/factories.py", "app/latin.py", "app/settings.py", "tests/test_login.py"]
    assert len(lookup.files.keyed) == len(lookup.paths) - len(from_pass)
    # a binary file and one that is not UTF-8 are not counted as scanned, as before
    assert lookup.scanned[lookup.paths.index("app/blob.py")] is None
    assert shared.files_scanned == len(lookup.paths) - 2


def test_the_cached_hits_follow_the_file_s_place(tmp_path: Path) -> None:
    """Identical bytes in product code and in tests are two entries: the scan's flags come from
    the path, so a warm scan keeps each copy's place."""
    same = f'TOKEN = "{GITHUB_TOKEN}"\n'
    workspace = Workspace.open([make_repo(tmp_path / "repo", {"src/creds.py": same, "tests/creds.py": same})])
    options = ScanOptions(cache_dir=str(tmp_path / "cache"))
    cold = _secrets(workspace, options, _python(workspace, options))[1]
    warm_python = _python(Workspace.open([tmp_path / "repo"]), options)
    warm = _secrets(workspace, options, warm_python)[1]
    assert warm == cold
    assert {(hit.path, hit.place) for hit in warm.hits} == {("src/creds.py", Place.CODE), ("tests/creds.py", Place.TEST)}


def test_a_python_file_too_large_for_the_secrets_scan_is_analysed_but_not_scanned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "MAX_SECRET_SCAN_BYTES", 1000)
    big = "x = 1\n" * 300 + f'password = "{DB_PASSWORD}"\n'
    workspace = Workspace.open([make_repo(tmp_path, {"big.py": big, "small.py": f'token = "{API_KEY}"\n'})])
    options = ScanOptions(use_cache=False)
    python = _python(workspace, options)
    by_path = {item.file.relpath: item for item in python.files}
    assert by_path["big.py"].facts.lines == 301 and by_path["big.py"].secrets is None
    lookup, facts = _secrets(workspace, options, python)
    assert lookup.too_large == 1 and lookup.paths == ("small.py",)
    assert [hit.path for hit in facts.hits] == ["small.py"]
