"""CODE007 (a sub-package ``find_packages()`` leaves out) and CODE008 (test modules pytest cannot
tell apart), on layouts shaped like real projects. Where a tool decides, the tool itself is run on
the fixture (setuptools' ``build_py``, pytest's collection) and the check must agree with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import make_repo, result_of, scan_repo

_SUBPACKAGE = {
    # pygoat's shape: the package has an __init__.py, the folder below it does not
    "shop/__init__.py": "",
    "shop/payments/__init__.py": "",
    "shop/payments/gateways/stripe.py": "def charge(amount):\n    return amount\n",
    "tests/test_stripe.py": "import pytest\n\nfrom shop.payments.gateways.stripe import charge\n\n"
                            "def test_charge():\n    assert charge(1) == 1\n",
}
_SETUP_PY = 'from setuptools import find_packages, setup\n\nsetup(name="shop", version="1", packages={packages}{extra})\n'


def _setup_py(packages: str, extra: str = "") -> dict[str, str]:
    return {"setup.py": _SETUP_PY.format(packages=packages, extra=extra)}


_PACKAGING = [
    (_setup_py("find_packages()"), True),
    (_setup_py('find_packages(exclude=["tests", "tests.*"])'), True),
    (_setup_py('find_packages(exclude="tests")'), True),
    (_setup_py("find_packages()", ", include_package_data=True"), True),
    ({"setup.cfg": "[metadata]\nname = shop\n\n[options]\npackages = find:\n"}, True),
    ({"pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
                        '[project]\nname = "shop"\nversion = "1"\n\n'
                        "[tool.setuptools.packages.find]\nnamespaces = false\n"}, True),
    ({"pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
                        '[project]\nname = "shop"\nversion = "1"\n\n[tool.setuptools.packages.find]\nwhere = ["."]\n'},
     False),
    ({"setup.py": _SETUP_PY.format(packages="find_namespace_packages()", extra="").replace(
        "import find_packages", "import find_namespace_packages")}, False),
    (_setup_py('["shop", "shop.payments", "shop.payments.gateways"]'), False),
    (_setup_py("find_packages() + EXTRA"), False),
    (_setup_py('find_packages(exclude=["shop.payments.*"])'), False),
    ({**_setup_py("find_packages()", ", include_package_data=True"), "MANIFEST.in": "graft shop\n"}, False),
    ({**_setup_py("find_packages()"),
      "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'}, False),
    ({**_setup_py("find_packages()"), "pyproject.toml": "[build-system\nrequires = \n"}, False),
]


@pytest.mark.parametrize(("packaging", "reported"), _PACKAGING, ids=[
    "setup.py find_packages()", "find_packages() excluding only the tests",
    "exclude as a string, taken letter by letter (pygoat)", "include_package_data without a MANIFEST.in",
    "setup.cfg packages = find:",
    "pyproject find with namespaces = false", "pyproject find finds namespaces by default",
    "find_namespace_packages()", "an explicit list", "a computed list", "the sub-package excluded on purpose",
    "include_package_data with MANIFEST.in ships it as data", "another backend builds it",
    "a pyproject that does not parse: the backend cannot be told",
])
def test_find_packages_loses_the_folder_without_init(tmp_path: Path, packaging: dict[str, str], reported: bool) -> None:
    repo = make_repo(tmp_path, {**_SUBPACKAGE, **packaging})
    result = result_of(scan_repo(repo, select="CODE007"), "CODE007")
    assert [(f.path, f.line) for f in result.findings] == ([("tests/test_stripe.py", 3)] if reported else [])


def test_the_finding_names_the_folder_the_declaration_and_every_import(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        **_SUBPACKAGE, **_setup_py("find_packages()"),
        "shop/views.py": "from shop.payments.gateways import stripe\n",
    })
    [finding] = result_of(scan_repo(repo, select="CODE007"), "CODE007").findings
    assert finding.message == (
        "shop/payments/gateways/ has no __init__.py: find_packages() (setup.py:3) ships shop.payments without "
        "shop.payments.gateways, so tests/test_stripe.py imports shop.payments.gateways.stripe from a package "
        "the installed distribution does not have"
    )
    assert finding.evidence == (
        "tests/test_stripe.py:3 imports shop.payments.gateways.stripe; shop/views.py:1 imports shop.payments.gateways.stripe"
    )


@pytest.mark.parametrize(("extra", "shipped"), [
    ({}, False),
    ({"shop/payments/gateways/__init__.py": ""}, True),
    ({"setup.py": _SETUP_PY.format(packages="find_packages()", extra=", include_package_data=True"),
      "MANIFEST.in": "recursive-include shop *.py\n"}, True),
], ids=["no __init__.py: left out", "with __init__.py: shipped", "shipped as data through MANIFEST.in"])
def test_setuptools_itself_ships_what_the_check_says(tmp_path: Path, extra: dict[str, str], shipped: bool) -> None:
    repo = make_repo(tmp_path / "repo", {**_SUBPACKAGE, **_setup_py("find_packages()"), **extra})
    built = tmp_path / "built"
    subprocess.run([sys.executable, "setup.py", "-q", "build_py", "-d", str(built)], cwd=repo, check=True,
                   capture_output=True)
    assert (built / "shop/payments/gateways/stripe.py").is_file() is shipped
    findings = result_of(scan_repo(repo, select="CODE007"), "CODE007").findings
    assert bool(findings) is not shipped


def test_a_src_layout_and_a_test_helper_folder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        "setup.cfg": "[options]\npackages = find:\npackage_dir =\n    = src\n\n[options.packages.find]\nwhere = src\n",
        "src/shop/__init__.py": "",
        "src/shop/api/routes.py": "ROUTES = []\n",
        "tests/__init__.py": "",
        "tests/helpers/factories.py": "def make():\n    return 1\n",  # test code: never shipped
        "tests/test_api.py": "from shop.api.routes import ROUTES\nfrom tests.helpers.factories import make\n",
    })
    [finding] = result_of(scan_repo(repo, select="CODE007"), "CODE007").findings
    assert (finding.path, finding.line) == ("tests/test_api.py", 1)
    assert finding.message.startswith("src/shop/api/ has no __init__.py: find_packages() (setup.cfg:2)")


# -- CODE008 ---------------------------------------------------------------------------------------

_TEST = "def test_model():\n    assert True\n"
_SAME_NAMES = {"tests/api/test_models.py": _TEST, "tests/db/test_models.py": _TEST, "conftest.py": "import pytest\n"}

_COLLECTION = [
    ({}, True),
    ({"tests/api/__init__.py": "", "tests/db/__init__.py": ""}, False),
    ({"tests/api/__init__.py": ""}, False),
    ({"tests/__init__.py": "", "tests/api/__init__.py": ""}, False),
    ({"pytest.ini": "[pytest]\naddopts = -ra --import-mode=importlib\n"}, False),
    ({"pyproject.toml": '[tool.pytest.ini_options]\naddopts = ["--import-mode", "importlib"]\n'}, False),
    ({"setup.cfg": "[tool:pytest]\naddopts = --import-mode=append\n"}, True),
    ({"pytest.ini": "[pytest]\ntestpaths = tests/api\n"}, False),
    ({"pytest.ini": "[pytest]\nnorecursedirs = db\n"}, False),
    ({"pytest.ini": "[pytest]\naddopts = --ignore=tests/db\n"}, False),
    ({"pytest.ini": "[pytest]\npython_files = check_*.py\n"}, False),
    ({"tests/conftest.py": "import sys\nsys.path.insert(0, '.')\n"}, True),
    ({"tests/pytest.ini": "[pytest]\nmarkers =\n    slow: a slow test\n"}, True),
]


@pytest.mark.parametrize(("extra", "mismatch"), _COLLECTION, ids=[
    "same names, no __init__.py", "both folders are packages", "one folder is a package",
    "packages named differently", "importlib mode in pytest.ini", "importlib mode in pyproject",
    "append mode collides too", "testpaths leave one out",
    "norecursedirs leaves one out", "--ignore leaves one out", "python_files does not match",
    "a conftest.py alone changes nothing", "a pytest.ini in tests/ with markers only (pytorch2.0_ttnn)",
])
def test_same_named_test_modules_agree_with_pytest(tmp_path: Path, extra: dict[str, str], mismatch: bool) -> None:
    repo = make_repo(tmp_path, {**_SAME_NAMES, **extra})
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only"],
        cwd=repo, capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
    )
    assert ("import file mismatch" in run.stdout) is mismatch, run.stdout
    findings = result_of(scan_repo(repo, select="CODE008"), "CODE008").findings
    assert [(f.path, f.evidence) for f in findings] == (
        [("tests/db/test_models.py", "tests/api/test_models.py:1; tests/db/test_models.py:1")] if mismatch else []
    )


def _workflow(*runs: str) -> str:
    steps = "".join(f"      - run: {run}\n" for run in runs)
    return f"on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"


_NO_PYTEST_SIGN = {"tests/api/test_models.py": "import unittest\n", "tests/db/test_models.py": "import unittest\n"}


@pytest.mark.parametrize(("files", "reported"), [
    (_SAME_NAMES, True),
    ({**_SAME_NAMES, "tox.ini": "[testenv]\ncommands = pytest --import-mode=importlib {posargs}\n"}, False),
    ({**_SAME_NAMES, ".github/workflows/ci.yml": _workflow("python -m pytest --import-mode=importlib")}, False),
    ({**_SAME_NAMES, "tests/conftest.py": "collect_ignore = ['db/test_models.py']\n"}, False),
    ({**_SAME_NAMES, "tox.ini": "[pytest]\nconsider_namespace_packages = true\n"}, False),
    ({**_SAME_NAMES, ".github/workflows/ci.yml": _workflow("cd tests/api && pytest", "pytest tests/db -q")}, False),
    ({**_SAME_NAMES, ".github/workflows/ci.yml": _workflow("pip install pytest", "pytest -k models tests")}, True),
    (_NO_PYTEST_SIGN, False),
    ({**_NO_PYTEST_SIGN, "requirements-dev.txt": "pytest==8.3.0\n", "tests/test_smoke.py": "import pytest\n"}, True),
], ids=["run by pytest", "tox passes the import mode", "CI passes the import mode", "a conftest ignores one",
        "namespace packages considered: cannot tell", "CI runs each folder alone",
        "CI runs both folders in one run", "no sign that pytest runs them", "a test imports pytest"])
def test_what_pytest_is_told_outside_its_configuration(tmp_path: Path, files: dict[str, str], reported: bool) -> None:
    repo = make_repo(tmp_path, files)
    assert bool(result_of(scan_repo(repo, select="CODE008"), "CODE008").findings) is reported


def test_separate_projects_are_separate_pytest_runs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        "backend/pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
        "backend/tests/test_models.py": _TEST,
        "worker/pytest.ini": "[pytest]\n",
        "worker/tests/test_models.py": _TEST,
        "worker/tests/unit/test_models.py": _TEST,
    })
    [finding] = result_of(scan_repo(repo, select="CODE008"), "CODE008").findings
    assert finding.path == "worker/tests/unit/test_models.py"
    assert finding.message.startswith("2 test files are all module test_models to pytest")


@pytest.mark.parametrize("config", [
    {"pyproject.toml": '[tool.pytest.ini_options]\naddopts = "--import-mode=importlib\n'},
    {"pytest.ini": b"\x00\xff\xfe binary \x00"},
    {"setup.cfg": "addopts = --import-mode=importlib\n[tool:pytest\n"},
    {"setup.cfg": b"\x89PNG\r\n\x1a\n\x00\x00"},
], ids=["pyproject that is not TOML", "binary pytest.ini", "setup.cfg with no section header", "binary setup.cfg"])
def test_a_configuration_that_does_not_parse_is_a_note_and_judges_nothing(
    tmp_path: Path, config: dict[str, str | bytes]
) -> None:
    repo = make_repo(tmp_path, {**_SAME_NAMES, **_SUBPACKAGE, **_setup_py("find_packages()"), **config})
    report = scan_repo(repo, select="CODE007,CODE008")
    [name] = config
    assert any(n.path == name and "pytest configuration not read" in n.message for n in report.notes)
    assert result_of(report, "CODE008").findings == ()
    if name == "pytest.ini":  # a broken pyproject or setup.cfg may set the packaging: CODE007 cannot tell either
        assert len(result_of(report, "CODE007").findings) == 1


def test_empty_configuration_files_are_read_as_pytest_reads_them(tmp_path: Path) -> None:
    """An empty ``pytest.ini`` is still pytest's configuration (its defaults); empty ``setup.cfg``
    and ``pyproject.toml`` say nothing. No note: nothing is wrong with them."""
    repo = make_repo(tmp_path, {**_SAME_NAMES, "pytest.ini": "", "setup.cfg": "", "pyproject.toml": ""})
    report = scan_repo(repo, select="CODE008")
    assert not [n for n in report.notes if n.source == "package_layout"]
    assert [f.path for f in result_of(report, "CODE008").findings] == ["tests/db/test_models.py"]
