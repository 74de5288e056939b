"""Which files are test code, by their path: the one answer every collector uses.

A file is test code when it sits under a test folder (``tests/``, ``e2e/``, ``fixtures/``,
``__tests__/``, ``test_*/``..., in any case), or when pytest would collect it or load it by its name
(``test_*.py``, ``*_test.py``, ``conftest.py``). Test code does not ship, so product-only rules
(``assert``, hard-coded test passwords), the environment contract and the observability signals
leave it out, and the dependency checks read its imports as test dependencies.

The secrets collector asks a wider question (where is a *sample* credential expected?) and adds
file-name words of other ecosystems (``button.spec.ts``, ``mock_client.py``) and docs and
examples on top of this answer; it does not ask a different one. A name word alone never makes a
Python module test code: ``flask/testing.py`` ships with Flask.
"""

from __future__ import annotations

import re
from functools import lru_cache

TEST_DIRS = frozenset({
    "tests", "test", "testing", "fixtures", "__tests__", "__mocks__", "e2e", "spec", "specs", "testdata", "cypress",
    "t", "unittests", "molecule", "regtest",
})
"""Folder names that hold tests or their data in the ecosystems gonogo meets (pytest, Jest,
Cypress, RSpec, Go's ``testdata``, Perl's and Celery's ``t/``, DefectDojo's ``unittests/``, the
scenarios of Ansible's test framework Molecule: SecureDrop's ``molecule/testinfra/vars/staging.yml``
and the key of ``molecule/upgrade/``'s throwaway apt server; Bitcoin's regression-test network,
which Lightning projects start for their tests: LNbits' ``docker/regtest/docker-compose.yml``); a
file anywhere below one is test code, as below a ``test_*`` or ``*_tests`` folder (:func:`is_test_path`)."""
DOCS_DIRS = frozenset({"docs", "doc", "docs_src"})
"""Folder names that hold documentation: its pages, the code that builds them, and the examples
they include (FastAPI's and SQLModel's ``docs_src/``)."""
EXAMPLE_DIRS = frozenset({"examples", "example", "samples", "sample"})
"""Folder names that hold examples: code written to be read and copied, not shipped."""


DEVELOPMENT_DIRS = frozenset({"dev", "development", ".devcontainer"})
"""Folders that set up a developer's environment (warehouse's ``dev/``, Nautobot's
``development/``): the databases, keys and services they configure are local ones. So does a
folder whose hyphenated name has one of them as a word (openlibrary's ``scripts/dev-instance/``,
``docker-dev/``): a hyphen cannot be in a Python package's name, so such a folder holds no product
module imported by name (``dev_api/`` may). So does a hyphenated folder named for a test
environment, with a word of :data:`TEST_WORDS` and one of :data:`ENVIRONMENT_WORDS`
(linkding's ``scripts/test-environments/``, ckan's ``test-infrastructure/``: the compose stacks,
identity providers and keys the tests run against); a test word alone is not enough, as in
privacyIDEA's ``test-otp-pin-action/``, a component of the product's interface."""
TEST_WORDS = frozenset({"test", "tests", "testing"})
"""Whole words of a name that say tests: a folder's (``test-environments``) or a constant's
(``SSL_TEST_PRIVATE_CA_KEY``, ``collectors.secrets``); ``LATEST`` or ``contest`` hold none."""
ENVIRONMENT_WORDS = frozenset({"environment", "environments", "env", "envs", "infrastructure", "infra"})
DEVELOPMENT_NAME_WORDS = frozenset({"dev", "develop", "development", "local"})
"""Words of a file's name that say it builds or configures a developer's set-up: ``Dockerfile.dev``,
``dev.Dockerfile``, ``Dockerfile-local``."""
SET_UP_WORDS = DEVELOPMENT_NAME_WORDS | TEST_WORDS | {"ci"}
"""Words of a name that say it configures a developer's machine, a test run or CI, not production:
a compose file's (``docker-compose.ci.yml``), a configuration class's (``DevelopmentConfig``)."""
NON_PRODUCTION_MODULE_WORDS = frozenset({
    "local", "dev", "develop", "development", "test", "tests", "testing", "ci", "example", "examples",
    "sample", "demo", "debug", "smoketest", "smoke",
})
"""Words of a settings module's name that say it configures another environment than production
(``settings/local_dev.py``, ``config/ci.py``, ``settings_test.py``)."""
COMMAND_DIRS = ("management", "commands")
"""The folders of a Django app's management commands: a command's module name is its name."""
SETTINGS_DIRS = frozenset({"settings", "config", "conf", "configs"})
"""Packages of settings modules, one per environment (wger's ``settings/ci.py``)."""


def is_development_setup(relpath: str) -> bool:
    """A file in a :data:`DEVELOPMENT_DIRS` folder, or a settings module for another environment
    than production (a Python module of a :data:`SETTINGS_DIRS` package whose name has a word of
    :data:`NON_PRODUCTION_MODULE_WORDS`), or a Django management command so named (rapidpro's
    ``management/commands/dev_db.py``, which fills a local database with users whose password it
    sets: :data:`COMMAND_DIRS`)."""
    parts = relpath.lower().split("/")
    if any(_is_development_dir(folder) for folder in parts[:-1]):
        return True
    if parts[-3:-1] == list(COMMAND_DIRS) and parts[-1].endswith(".py"):
        return names_another_environment(relpath)
    if len(parts) < 2 or parts[-2] not in SETTINGS_DIRS or not parts[-1].endswith(".py"):
        return False
    return names_another_environment(relpath)


def _is_development_dir(folder: str) -> bool:
    return (
        folder in DEVELOPMENT_DIRS
        or _hyphenated_with(folder, DEVELOPMENT_DIRS)
        or _hyphenated_with(folder, TEST_WORDS, ENVIRONMENT_WORDS)
    )


def _hyphenated_with(folder: str, *word_sets: frozenset[str]) -> bool:
    """``folder``'s name is words joined by hyphens, one of them from each of ``word_sets``."""
    if "-" not in folder:
        return False
    words = set(folder.split("-"))
    return all(not words.isdisjoint(word_set) for word_set in word_sets)


def names_another_environment(relpath: str) -> bool:
    """The module's name has a word of :data:`NON_PRODUCTION_MODULE_WORDS` (``local_dev.py``)."""
    stem = relpath.rsplit("/", 1)[-1].removesuffix(".py").lower()
    return not NON_PRODUCTION_MODULE_WORDS.isdisjoint(re.split(r"[_.-]+", stem))


VENDORED_DIRS = frozenset({"_vendor", "vendor", "vendored", "_vendored", "third_party", "_third_party", "thirdparty"})
"""Folder names that hold a copy of another project's code (pip's ``src/pip/_vendor/``)."""


def is_vendored(relpath: str) -> bool:
    """A file of a vendored copy of another project, below one of :data:`VENDORED_DIRS`."""
    return any(folder.lower() in VENDORED_DIRS for folder in relpath.split("/")[:-1])


TEST_DATA_DIRS = frozenset({"data", "fixtures", "testdata", "test_data", "resources"})
"""Folder names that, inside test code, hold the inputs tests read rather than code they import;
so does a ``*_data`` folder (Nautobot's ``tests/git_data/02-invalid-files/``)."""


def is_test_data(relpath: str) -> bool:
    """A file the tests read as data: test code below a data folder (Black's
    ``tests/data/cases/pep_750.py``, a formatter's input in syntax newer than any Python it runs
    on, or broken on purpose), whose name pytest neither collects nor loads."""
    *folders, name = relpath.split("/")
    pytest_loads = name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
    in_data = any(f.lower() in TEST_DATA_DIRS or f.lower().endswith("_data") for f in folders)
    return not pytest_loads and in_data and is_test_path(relpath)


def _is_test_folder(folder: str) -> bool:
    """A lower-case folder name that says it holds tests (:func:`is_test_path`), or their data
    in words joined by hyphens (Glances' ``tests-data/``, its issues' reproductions; ``test-data``).
    A hyphenated test word alone says nothing: privacyIDEA's ``test-otp-pin-action`` is product."""
    return (
        folder in TEST_DIRS
        or folder.startswith("test_")
        or folder.endswith("_tests")
        or _hyphenated_with(folder, TEST_WORDS, TEST_DATA_DIRS)
    )


@lru_cache(maxsize=1 << 16)
def is_test_path(relpath: str) -> bool:
    """Test code: below a test folder (compared in lower case: ``Tests/`` is one too), a
    ``test_*`` folder (Nautobot's ``test_jobs/``, the jobs its tests load) or a ``*_tests`` one
    (``integration_tests/``, Radicale's ``integ_tests/``, readthedocs.org's ``rtd_tests/``, whose
    ``files/conf.py`` is a Sphinx project its tests build), or a module pytest collects or loads by
    name (``test_*``, ``*_test.py``, ``conftest.py``).
    Remembered: collectors and checks ask it of every file, tens of thousands of times a scan."""
    *folders, name = relpath.split("/")
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(_is_test_folder(folder.lower()) for folder in folders)
    )
