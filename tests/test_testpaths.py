"""One answer to "is this file test code?", shared by every collector that asks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.collectors.containers import containers
from gonogo.collectors.env_contract import env_contract
from gonogo.collectors.observability import observability
from gonogo.collectors.python import python_files
from gonogo.collectors.secrets import Place, place_of
from gonogo.collectors.testpaths import is_test_path
from gonogo.options import ScanOptions
from gonogo.registry import load_plugins
from gonogo.workspace import Workspace
from tests.helpers import make_repo, result_of, scan_repo

CASES = [
    ("tests/helpers.py", True),
    ("app/tests/fixtures/factories.py", True),
    ("test_app.py", True),
    ("pkg/api_test.py", True),
    ("conftest.py", True),
    ("pkg/testing/client.py", True),
    ("Tests/util.py", True),
    ("e2e/login.py", True),
    ("fixtures/users.py", True),
    ("pkg/testing.py", False),
    ("pkg/latest.py", False),
    ("pkg/contest.py", False),
    ("pkg/attest_test_data.py", False),
    ("docs/conf.py", False),
    ("t/unit/security/__init__.py", True),
    ("pkg/tasks/t.py", False),
    ("readthedocs/rtd_tests/files/conf.py", True),
    ("integ_tests/test_server.py", True),
    ("app/contests/views.py", False),
    ("app/tests_helpers.py", False),
    ("molecule/upgrade/files/apt_https.priv", True),
    ("roles/app/molecule/default/converge.yml", True),
    ("app/molecules/models.py", False),
    ("tests-data/issues/issue869.py", True),
    ("app/test-fixtures/users.py", True),
    ("actions/test-otp-pin-action/run.py", False),
    ("app/my-data/loader.py", False),
    ("docker/regtest/docker-compose.yml", True),
]
IDS = [
    "under tests", "fixtures inside tests", "pytest module test_*", "pytest module *_test.py", "conftest",
    "under testing", "test folder in another case", "under e2e", "under fixtures", "a module named testing ships",
    "latest is no test", "contest is no test", "test in the middle of a name", "docs are not tests",
    "Celery's t folder", "a module named t ships", "under a *_tests folder (readthedocs.org)",
    "Radicale's integ_tests", "contests is no test folder", "a module named tests_* ships",
    "Molecule's scenarios (SecureDrop)", "a role's Molecule scenario", "molecules is no test folder",
    "Glances' tests-data", "a hyphenated test-fixtures folder", "a hyphenated test word alone ships (privacyIDEA)",
    "a hyphenated data folder ships", "Bitcoin's regression-test network (LNbits)",
]


@pytest.mark.parametrize(("relpath", "expected"), CASES, ids=IDS)
def test_is_test_path(relpath: str, expected: bool) -> None:
    assert is_test_path(relpath) is expected


@pytest.mark.parametrize("relpath", [path for path, is_test in CASES if is_test],
                         ids=[name for name, (_, is_test) in zip(IDS, CASES, strict=True) if is_test])
def test_secrets_treat_every_test_path_as_a_place_for_samples(relpath: str) -> None:
    """The secrets collector's places are wider (docs, examples, name words of other ecosystems
    such as ``testing.py``) but never narrower: test code is never where credentials live."""
    assert place_of(relpath) is Place.TEST


def test_product_only_rules_and_the_python_fact_agree_on_test_code(tmp_path: Path) -> None:
    """``assert`` is judged in product code only: the files SEC010 reports are exactly the ones
    that are not test paths, and the ``python`` fact splits the files the same way."""
    repo = make_repo(tmp_path, {path: "def f(x):\n    assert x\n" for path, _ in CASES})
    reported = {f.path for f in result_of(scan_repo(repo, select="SEC010"), "SEC010").findings}
    product = {path for path, is_test in CASES if not is_test}
    assert reported == product
    workspace = Workspace.open([repo])
    facts = load_plugins().collectors["python"].func(workspace, ScanOptions(use_cache=False), workspace.notes)
    assert {f.file.relpath for f in facts.product_code} == product


def test_env_contract_and_observability_leave_test_code_out(tmp_path: Path) -> None:
    reads = 'import os\nos.environ["SETTING_{index}"]\n'
    files = {path: reads.format(index=index) for index, (path, _) in enumerate(CASES)}
    workspace = Workspace.open([make_repo(tmp_path, files)])
    product = {path for path, is_test in CASES if not is_test}
    python = python_files(workspace, ScanOptions(use_cache=False), workspace.notes)
    assert {r.file.relpath for r in env_contract(workspace, python, ScanOptions(use_cache=False)).required} == product
    assert observability(workspace, containers(workspace), python, ScanOptions(use_cache=False)).python_files == len(product)
