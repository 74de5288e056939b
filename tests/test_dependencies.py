"""Dependency checks end to end: undeclared, unused, inconsistent, unpinned, stale locks, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.collectors.import_names import candidates, providers
from gonogo.collectors.manifests.pyproject import parse_pyproject
from gonogo.model import Outcome, Severity
from gonogo.workspace import SourceFile
from tests.helpers import make_repo, result_of, scan_repo

MONOREPO = {
    "svc_a/requirements.txt": "boto3==1.34.0\nrequests==2.31.0\n",
    "svc_a/app.py": "import boto3\nimport requests\nimport helpers\nfrom . import x\nimport os\n",
    "svc_a/helpers.py": "import jwt\n",
    "svc_b/requirements.txt": "requests==2.31.0\n",
    "svc_b/main.py": "import boto3\nimport requests\n",
    "svc_c/requirements.txt": "requests==2.30.0\nyaml-thing==1\n",
    "svc_c/main.py": "import boto3.session\nimport requests\ntry:\n    import ujson\nexcept ImportError:\n    ujson = None\n",
}


def test_undeclared_imports_are_judged_by_the_nearest_manifest(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, MONOREPO), select="DEP")
    found = {(f.path, f.get("package")) for f in result_of(report, "DEP001").findings}
    assert found == {("svc_a/helpers.py", "PyJWT"), ("svc_b/main.py", "boto3"), ("svc_c/main.py", "boto3")}
    assert report.metrics["deps.undeclared"] == 3
    boto = next(f for f in result_of(report, "DEP001").findings if f.path == "svc_b/main.py")
    assert boto.line == 1 and "declared in svc_a/requirements.txt" in boto.message
    action = next(a for a in report.plan if a.check_ids == ("DEP001",) and "boto3" in a.title)
    assert action.title == "add boto3 to 2 requirements files: svc_b/requirements.txt, svc_c/requirements.txt"
    assert action.priority.value == "P0"
    assert next(g for g in report.gates if g.gate.name == "Build reproducibility").status.value == "fail"


def test_optional_imports_are_reported_at_low_severity_and_not_counted(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, MONOREPO), select="DEP")
    soft = result_of(report, "DEP002").findings
    assert [(f.path, f.line, f.severity) for f in soft] == [("svc_c/main.py", 4, Severity.LOW)]


COMPATIBILITY_SHIMS = {
    "setup.py": "from setuptools import setup\nimport pkg_resources\nrequires = ['urllib3']\n"
    "setup(name='lib', install_requires=requires)\n",
    "lib/compat.py": """
        try:
            import simplejson as json
            has_simplejson = True
        except ImportError:
            import json
            from StringIO import StringIO
            import dummy_threading as threading
            has_simplejson = False
        else:
            import cryptography
        finally:
            import certifi

        if has_simplejson:
            from simplejson import JSONDecodeError
        import urllib3
        if sys.version_info >= (3, 14):
            import annotationlib
        """,
}


def test_a_sphinx_extensions_docutils_and_sphinx_are_its_hosts(tmp_path: Path) -> None:
    """awx's ``awxkit/awxkit/cli/sphinx.py`` is a Sphinx extension (a module-level ``setup(app)``,
    and it imports from Sphinx's namespace) that only the CLI docs' ``conf.py`` loads: Sphinx, which
    requires docutils, runs it, so ``docutils`` and ``sphinx`` are there wherever it runs (DEP002's,
    as a docs build's imports are). What it imports besides them is still DEP001's, and so is
    docutils in a module that has a ``setup`` but is no Sphinx extension."""
    files = {
        "awxkit/requirements.txt": "PyYAML\n",
        "awxkit/awxkit/__init__.py": "",
        "awxkit/awxkit/cli/__init__.py": "",
        "awxkit/awxkit/cli/sphinx.py": "import os\nfrom docutils.nodes import Text\n"
                                       "from sphinxcontrib.autoprogram import AutoprogramDirective\n"
                                       "\n\ndef setup(app):\n    return {}\n",
        "awxkit/awxkit/ext2.py": "from sphinx.util import logging\n\n\ndef setup(app):\n    return {}\n",
        "awxkit/awxkit/rst.py": "import docutils.core\n\n\ndef setup(app):\n    app.render = docutils.core.publish_parts\n",
        "awxkit/awxkit/ext.py": "import sphinx\n\n\nclass Ext:\n    def setup(self, app):\n        pass\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001,DEP002")
    assert sorted(_packages(report, "DEP001")) == [
        ("awxkit/awxkit/cli/sphinx.py", "sphinxcontrib"), ("awxkit/awxkit/ext.py", "sphinx"), ("awxkit/awxkit/rst.py", "docutils"),
    ]
    assert sorted(_packages(report, "DEP002")) == [("awxkit/awxkit/cli/sphinx.py", "docutils"), ("awxkit/awxkit/ext2.py", "sphinx")]


DJANGO_CMS = {
    "pyproject.toml": '[build-system]\nbuild-backend = "setuptools.build_meta"\nrequires = ["setuptools"]\n'
                      '[project]\nname = "django-cms"\ndependencies = ["Django"]\n'
                      '[tool.setuptools]\npackages = { find = { include = [ "cms*", "menus*" ] } }\n',
    "setup.py": "from setuptools import setup\n\nsetup()\n",
    "test_requirements/requirements_base.txt": "dj-database-url\n",
    "cms/__init__.py": "import django\n",
    "cms/db.py": "import dj_database_url\n",
    "testserver.py": "import dj_database_url\nimport yaml\nfrom cms import db\n",
    "scripts/serve.py": "import dj_database_url\n",
}
SHIPPED = ["cms/db.py", "scripts/serve.py"]


def _hard_sites(report) -> dict[str, list[str]]:
    """Package -> the modules whose hard import of it DEP001 reports."""
    return {
        str(f.get("package")): sorted(line.split(":")[0] for line in f.evidence.splitlines())
        for f in result_of(report, "DEP001").findings
    }


@pytest.mark.parametrize(
    ("changed", "dj_database_url"),
    [
        ({}, SHIPPED),
        ({"pyproject.toml": DJANGO_CMS["pyproject.toml"] + 'py-modules = ["testserver"]\n'}, [*SHIPPED, "testserver.py"]),
        ({"pyproject.toml": DJANGO_CMS["pyproject.toml"].replace("packages = { find", "#")}, [*SHIPPED, "testserver.py"]),
        ({"setup.py": "from setuptools import setup\n\nsetup(scripts=['testserver.py'])\n"}, [*SHIPPED, "testserver.py"]),
        ({"setup.py": "from setuptools import setup\n\nsetup(packages=PACKAGES)\n"}, [*SHIPPED, "testserver.py"]),
        ({"pyproject.toml": DJANGO_CMS["pyproject.toml"].replace("setuptools.build_meta", "hatchling.build")},
         [*SHIPPED, "testserver.py"]),
    ],
    ids=["explicit packages", "py-modules ships it", "automatic discovery", "setup() scripts ship it",
         "packages computed", "another backend"],
)
def test_a_top_level_module_the_build_leaves_out_is_judged_as_development_code(
    tmp_path: Path, changed: dict[str, str], dj_database_url: list[str]
) -> None:
    """django-cms's ``testserver.py`` runs the development server; ``[tool.setuptools] packages``
    ships ``cms*`` and ``menus*`` only, so it never ships, and ``test_requirements/`` declares the
    dj-database-url it imports: DEP002's, not a blocking DEP001. What no manifest declares stays
    DEP001's, as does anything the build may ship (``py-modules``, ``scripts``, automatic or
    computed discovery, a backend whose rules are not read) and a module below the top level."""
    report = scan_repo(make_repo(tmp_path, {**DJANGO_CMS, **changed}), select="DEP001,DEP002")
    assert _hard_sites(report) == {"dj_database_url": dj_database_url, "PyYAML": ["testserver.py"]}
    soft = {(f.path, f.get("package")) for f in result_of(report, "DEP002").findings}
    assert (("testserver.py", "dj_database_url") in soft) is (dj_database_url == SHIPPED)


def test_fallbacks_flags_python2_names_and_build_tooling_are_not_undeclared(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, COMPATIBILITY_SHIMS), select="DEP")
    hard = [(f.line, f.get("package")) for f in result_of(report, "DEP001").findings]
    assert hard == [(12, "certifi")]  # `finally` always runs
    soft = sorted((f.line, f.get("package")) for f in result_of(report, "DEP002").findings)
    assert soft == [(2, "simplejson"), (10, "cryptography")]


def _packages(report, check_id: str) -> list[tuple[str | None, str | None]]:
    """(path, package) of each finding of ``check_id``, in the report's order."""
    return [(f.path, f.get("package")) for f in result_of(report, check_id).findings]


def test_the_code_that_builds_the_docs_is_judged_as_the_docs_own(tmp_path: Path) -> None:
    """requests' and sympy's Sphinx themes import Pygments, which Sphinx installs: a docs build
    breaks without it, production does not. A ``docs`` folder that is a package ships."""
    files = {
        "requirements.txt": "flask\n",
        "app/main.py": "import flask\n",
        "docs/requirements.txt": "sphinx\n",
        "docs/conf.py": "import sphinx_rtd_theme\n",
        "docs/_themes/style.py": "from pygments.style import Style\n",
        "doc/ext/numpydoc.py": "import docutils\n",
        "portal/docs/views.py": "import markdown\n",
        "docs_src/custom_response/tutorial.py": "import orjson\n",
        "examples/eventlet/webcrawler.py": "import pybloom_live\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001,DEP002")
    assert _packages(report, "DEP001") == [("portal/docs/views.py", "markdown")]
    assert sorted(_packages(report, "DEP002")) == [("doc/ext/numpydoc.py", "docutils"), ("docs/_themes/style.py", "Pygments"),
                    ("docs/conf.py", "sphinx_rtd_theme"), ("docs_src/custom_response/tutorial.py", "orjson"),
                    ("examples/eventlet/webcrawler.py", "pybloom_live")]
    packaged = make_repo(tmp_path / "packaged", {"requirements.txt": "flask\n", "docs/__init__.py": "",
                                                 "docs/views.py": "import markdown\n"})
    [finding] = result_of(scan_repo(packaged, select="DEP001"), "DEP001").findings
    assert (finding.path, finding.get("package")) == ("docs/views.py", "markdown")


def test_a_setup_py_that_computes_its_requirements_softens_the_verdict(tmp_path: Path) -> None:
    files = {"setup.py": "from setuptools import setup\nsetup(install_requires=read_requirements())\n",
             "lib/core.py": "import urllib3\n"}
    [finding] = result_of(scan_repo(make_repo(tmp_path, files), select="DEP001"), "DEP001").findings
    assert finding.severity is Severity.MEDIUM
    assert "setup.py computes part of its dependencies at build time" in finding.message


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "requirements.txt": "PyJWT\nPyYAML\npillow\nscikit-learn\npython-dotenv\npeewee\n",
                # peewee's sdist installs its playhouse package and pwiz module too (robotoff's migrations)
                "app.py": "import jwt, yaml, PIL.Image, sklearn, dotenv, pwiz\nfrom playhouse.migrate import migrate\n",
            },
            0,
        ),
        (
            {
                "pyproject.toml": "[project]\nname='app'\ndependencies=['google-cloud-storage']\n",
                "src/app/__init__.py": "from google.cloud import storage\nfrom app import x\n",
                "tests/test_app.py": "import app\n",
            },
            0,
        ),
        ({"requirements.txt": "-r base.txt\n", "base.txt": "requests\n", "app.py": "import requests\n"}, 0),
        ({"app.py": "import requests\n"}, 1),
    ],
    ids=[
        "import names map to distributions",
        "own packages and namespace packages",
        "declared through an include",
        "no manifest at all",
    ],
)
def test_undeclared_passing_and_failing(tmp_path: Path, files: dict[str, str], expected: int) -> None:
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert report.metrics["deps.undeclared"] == expected


def test_unused_dependencies_skip_runtime_only_packages(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "requirements.txt": "flask==3.0.0\ngunicorn==22.0.0\npsycopg2-binary==2.9.9\nleftpad==1.0\n",
            "requirements-dev.txt": "pytest==8.0.0\n",
            "app.py": "import flask\n",
        },
    )
    report = scan_repo(root, select="DEP003")
    findings = result_of(report, "DEP003").findings
    assert [(f.get("package"), f.line) for f in findings] == [("leftpad", 4)]
    assert report.metrics["deps.unused"] == 1


def test_compiled_requirements_pin_transitive_packages_that_are_not_unused(tmp_path: Path) -> None:
    compiled = (
        "#\n# This file is autogenerated by pip-compile with Python 3.11\n#\n"
        "flask==3.0.0\n    # via -r requirements.in\nitsdangerous==2.1.2\n    # via flask\n"
    )
    root = make_repo(tmp_path, {"requirements.in": "flask\n", "requirements.txt": compiled, "app.py": "import flask\n"})
    report = scan_repo(root, select="DEP003")
    assert report.metrics["deps.unused"] == 0
    hand_written = make_repo(tmp_path / "hand", {"requirements.txt": "flask==3.0.0\nitsdangerous==2.1.2\n", "app.py": "import flask\n"})
    assert scan_repo(hand_written, select="DEP003").metrics["deps.unused"] == 1


def test_inconsistent_versions_need_a_real_conflict(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "a/requirements.txt": "requests==2.31.0\nflask>=2\nclick==8.1.0\n",
            "b/requirements.txt": "requests==2.30.0\nflask==3.0.0\nclick<8\n",
            "c/requirements.txt": "flask>=2.5\n",
        },
    )
    findings = result_of(scan_repo(root, select="DEP004"), "DEP004").findings
    assert {f.get("package"): f.message.split(": ")[1] for f in findings} == {
        "click": "==8.1.0 and <8",
        "requests": "==2.30.0, ==2.31.0",
    }


def test_unpinned_only_in_applications_without_a_lock(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "app/requirements.txt": "flask>=2\nrequests==2.31.0\n-c ../constraints.txt\nclick\n",
            "constraints.txt": "click==8.1.7\n",
            "locked/pyproject.toml": "[project]\nname='x'\ndependencies=['httpx']\n",
            "locked/uv.lock": '[[package]]\nname = "httpx"\nversion = "0.27.0"\n',
            "lib/pyproject.toml": "[build-system]\nrequires=['hatchling']\n[project]\nname='lib'\n"
            "dependencies=['attrs>=22']\n",
        },
    )
    report = scan_repo(root, select="DEP005")
    findings = result_of(report, "DEP005").findings
    assert [(f.path, f.line, f.get("package")) for f in findings] == [("app/requirements.txt", 1, "flask")]
    assert report.metrics["deps.unpinned"] == 1


def test_lock_out_of_step_with_its_manifest(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname='x'\ndependencies=['httpx>=0.28', 'rich', 'gone; sys_platform==\"win32\"']\n",
            "uv.lock": '[[package]]\nname = "httpx"\nversion = "0.27.0"\n',
        },
    )
    findings = result_of(scan_repo(root, select="DEP006"), "DEP006").findings
    messages = sorted(f.message for f in findings)
    assert messages == [
        "rich is declared in pyproject.toml but not in uv.lock",
        "uv.lock locks httpx 0.27.0, which pyproject.toml excludes (>=0.28)",
    ]


def test_manifest_errors_are_findings_and_metrics_count_manifests(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "requirements.txt": "ok==1\nbad>=>1\n",
            "svc/pyproject.toml": "[project\n",
        },
    )
    report = scan_repo(root, select="DEP007")
    result = result_of(report, "DEP007")
    assert result.outcome is Outcome.FAIL
    got = sorted((f.path, f.line, f.severity) for f in result.findings)
    assert got == [("requirements.txt", 2, Severity.MEDIUM), ("svc/pyproject.toml", 1, Severity.HIGH)]
    assert report.metrics["deps.manifests"] == 2 and report.metrics["deps.declared"] == 1


def test_nothing_to_judge_is_not_applicable(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {"README.md": "hi\n"}), select="DEP")
    assert {r.check_id: r.outcome for r in report.checks}["DEP001"] is Outcome.NOT_APPLICABLE
    assert report.metrics["deps.undeclared"] == 0 and report.metrics["deps.manifests"] == 0


@pytest.mark.parametrize(
    ("requirement", "undeclared"),
    [
        ("dask[distributed]>=2024.4", ["h2", "redis"]),  # the extra's own name: what it brings
        ("celery[redis]", ["distributed", "h2"]),
        ("httpx[http2]", ["distributed", "redis"]),  # httpx is installed here: its metadata says http2 brings h2
        ("httpx", ["distributed", "h2", "redis"]),
        ("dask[dataframe]", ["distributed", "h2", "redis"]),
    ],
    ids=["extra named after it", "another extra", "extra from installed metadata", "no extra", "an extra that brings neither"],
)
def test_an_extra_declares_what_it_brings(tmp_path: Path, requirement: str, undeclared: list[str]) -> None:
    """``gonogo[fleet]``'s ``dask[distributed]`` declares ``distributed``: it was a false blocking
    DEP001 on gonogo's own repository."""
    files = {
        "pyproject.toml": f'[project]\nname = "app"\nversion = "1"\ndependencies = ["{requirement}"]\n',
        "app/main.py": "import distributed\nimport h2\nimport redis\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert sorted(f.get("package") for f in result_of(report, "DEP001").findings) == undeclared


@pytest.mark.parametrize(
    ("requirement", "undeclared"),
    [
        ("pyjwt[crypto] >= 2.0,<3", []),
        ("PyJWT[Crypto]==2.8.0", []),
        ("pyjwt >= 2.0,<3", ["cryptography"]),
        ("pyjwt[crypto]==1.7.1", ["cryptography"]),
        ("requests[socks]", ["cryptography"]),
    ],
    ids=["the extra, a range that admits the table's release", "the extra spelt otherwise, pinned in the series",
         "no extra", "the extra, pinned in another release series", "an extra that brings something else"],
)
def test_an_extra_declares_what_it_brings_on_pypi(tmp_path: Path, requirement: str, undeclared: list[str]) -> None:
    """django-allauth declares ``pyjwt[crypto]`` and imports ``cryptography``, which that extra
    brings: with PyJWT neither installed nor locked, gonogo's table of what each release requires on
    PyPI (``data/published_requires.json``, per extra) says so. It was a false blocking DEP001."""
    files = {
        "pyproject.toml": f'[project]\nname = "app"\nversion = "1"\ndependencies = ["{requirement}"]\n',
        "app/jwkkit.py": "from cryptography.hazmat.primitives.asymmetric import rsa\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert sorted(f.get("package") for f in result_of(report, "DEP001").findings) == undeclared


def test_an_extra_in_a_requirements_file_declares_what_it_brings_on_pypi(tmp_path: Path) -> None:
    """zds-site's ``requirements.txt`` pins ``easy-thumbnails[svg]==2.10.0`` and ``zds/gallery``
    imports svglib, which that extra brings (with reportlab); Pillow, which easy-thumbnails itself
    requires, stays a transitive import, and what nothing brings stays undeclared."""
    files = {
        "requirements.txt": "easy-thumbnails[svg]==2.10.0\n",
        "zds/gallery/mixins.py": "from svglib.svglib import svg2rlg\nfrom reportlab.graphics import renderPM\n"
                                 "import PIL\nimport yaml\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP")
    assert sorted(f.get("package") for f in result_of(report, "DEP001").findings) == ["PyYAML"]
    assert [f.get("via") for f in result_of(report, "DEP008").findings] == [("easy-thumbnails", "pillow")]


def test_an_extra_named_like_a_namespace_does_not_declare_what_a_table_gives_another_provider(tmp_path: Path) -> None:
    """``google.api_core`` is google-api-core's: ``django-storages[google]`` does not declare it
    by its name (saleor's pyproject.toml asks for that extra)."""
    files = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "1"\ndependencies = ["django-storages[google]"]\n',
        "app/main.py": "from google.api_core import retry\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert [f.get("package") for f in result_of(report, "DEP001").findings] == ["google-api-core"]


def test_a_django_projects_apps_folder_is_a_source_root(tmp_path: Path) -> None:
    """jumpserver's ``utils/*.py`` scripts put ``apps/`` on ``sys.path`` and import its apps."""
    files = {
        "pyproject.toml": "[project]\nname = 'jms'\ndependencies = ['django']\n",
        "apps/users/__init__.py": "",
        "apps/users/models.py": "import django\n",
        "utils/activate_user.py": "import users.models\nimport yaml\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert _packages(report, "DEP001") == [("utils/activate_user.py", "PyYAML")]


def test_a_version_file_the_build_writes_is_the_projects_own_module(tmp_path: Path) -> None:
    """Black imports ``_black_version``, which hatch-vcs writes to ``src/_black_version.py`` when
    the project is built (``[tool.hatch.build.hooks.vcs] version-file``); setuptools-scm's
    ``version_file`` and ``write_to`` do the same. Any other missing module is still undeclared."""
    files = {
        "pyproject.toml": '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n'
                          '[project]\nname = "black"\ndependencies = ["click"]\n'
                          '[tool.hatch.build.hooks.vcs]\nversion-file = "src/_black_version.py"\n'
                          '[tool.setuptools_scm]\nwrite_to = "scm_version.py"\n',
        "src/black/__init__.py": "import click\nimport _black_version\nimport scm_version\nimport missing_dist\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert _packages(report, "DEP001") == [("src/black/__init__.py", "missing_dist")]


FLEXGET_HOOKS = {
    "pyproject.toml": '[build-system]\nbuild-backend = "hatchling.build"\nrequires = [ "hatchling" ]\n'
                      '[project]\nname = "flexget"\ndependencies = ["click"]\n'
                      '[tool.hatch.metadata.hooks.custom]\npath = "scripts/build_locked_extras.py"\n'
                      '[tool.hatch.build.targets.wheel.hooks.custom]\npath = "./scripts/bundle_webui.py"\n'
                      'dependencies = ["requests"]\n'
                      '[tool.hatch.build.hooks.custom]\n',
    "scripts/build_locked_extras.py": "import click\nfrom hatchling.metadata.plugin.interface import MetadataHookInterface\n",
    "scripts/bundle_webui.py": "import requests\nfrom hatchling.builders.hooks.plugin.interface import BuildHookInterface\n",
    "hatch_build.py": "from hatchling.builders.hooks.plugin.interface import BuildHookInterface\nimport yaml\n",
    "scripts/dev_tools.py": "import hatchling\nimport requests\n",
}


def test_a_hatch_hook_is_declared_by_the_build_requirements(tmp_path: Path) -> None:
    """Flexget's ``pyproject.toml`` names ``scripts/build_locked_extras.py`` as its Hatch metadata
    hook, which imports hatchling: the build backend, ``[build-system] requires``, provides it where
    the hook runs, as a hook's own ``dependencies`` provide theirs (``hatch_build.py`` is the path
    of a custom hook that names none). Any other script importing them, or a hook importing what
    neither declares, is still undeclared."""
    report = scan_repo(make_repo(tmp_path, FLEXGET_HOOKS), select="DEP001")
    assert sorted(_packages(report, "DEP001")) == [
        ("hatch_build.py", "PyYAML"), ("scripts/dev_tools.py", "hatchling"), ("scripts/dev_tools.py", "requests"),
    ]


def test_a_pdm_backend_hook_is_declared_by_the_build_requirements(tmp_path: Path) -> None:
    """SQLModel's ``pdm_build.py`` is the hook pdm-backend runs while it builds (the file of that
    name at the project's root, or ``[tool.pdm.build] custom-hook``); it imports
    ``pdm.backend.hooks``, which ``[build-system] requires = ["pdm-backend"]`` provides. With
    another backend the file is no hook, and another script importing pdm is still undeclared."""
    pyproject = '[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n' \
                '[project]\nname = "sqlmodel"\ndependencies = ["click"]\n'
    hook = "from pdm.backend.hooks import Context\nimport yaml\n"
    files = {"pyproject.toml": pyproject, "pdm_build.py": hook, "scripts/release.py": "import pdm.backend\n"}
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert sorted(_packages(report, "DEP001")) == [("pdm_build.py", "PyYAML"), ("scripts/release.py", "pdm")]
    named = {"pyproject.toml": pyproject + '[tool.pdm.build]\ncustom-hook = "custom_hook.py"\n',
             "custom_hook.py": hook, "pdm_build.py": hook}
    report = scan_repo(make_repo(tmp_path / "named", named), select="DEP001")
    assert sorted(_packages(report, "DEP001")) == [
        ("custom_hook.py", "PyYAML"), ("pdm_build.py", "pdm"),
    ]
    other = {"pyproject.toml": pyproject.replace('"pdm.backend"', '"hatchling.build"'), "pdm_build.py": hook}
    report = scan_repo(make_repo(tmp_path / "other", other), select="DEP001")
    assert sorted(_packages(report, "DEP001")) == [("pdm_build.py", "PyYAML"), ("pdm_build.py", "pdm")]


@pytest.mark.parametrize(
    "tables",
    [
        '[tool.hatch.build.hooks.custom]\npath = 5\n',
        '[tool.hatch.build.hooks]\ncustom = "hook.py"\n',
        '[tool.hatch.build.targets]\nwheel = ["not", "a", "table"]\n',
        '[tool.hatch.metadata]\nhooks = 1\n',
        '[tool.hatch.build.hooks.vcs]\nversion-file = "v.py"\n',
        '[tool.hatch.build.hooks.custom]\npath = "../outside.py"\n',
        '[tool.hatch.build.hooks.custom]\npath = "/etc/hook.py"\n',
        '[tool]\nhatch = "x"\n',
    ],
    ids=["path not a string", "custom not a table", "targets not tables", "hooks not a table", "a plugin hook, no file",
         "a path out of the project", "an absolute path", "hatch not a table"],
)
def test_hatch_hook_tables_of_the_wrong_shape_name_no_hook(tables: str) -> None:
    file = SourceFile(root=Path("."), relpath="pyproject.toml", display="pyproject.toml", size=0)
    manifest = parse_pyproject(f'[build-system]\nrequires = ["hatchling"]\n[project]\nname = "app"\n{tables}', file)
    assert manifest is not None and manifest.build_hooks == ()
    assert [d.name for d in manifest.build_requires] == ["hatchling"] and manifest.dependencies == ()


def test_a_scripts_inline_metadata_declares_its_imports(tmp_path: Path) -> None:
    """Flexget's ``scripts/update_changelog.py`` declares gitpython in its PEP 723 header, which
    ``uv run`` installs before running it. Another script importing git without one, and a script
    whose header cannot be read (a note says why), are still undeclared."""
    header = '# /// script\n# dependencies = [\n#     "gitpython~=3.1",\n# ]\n# ///\n'
    files = {
        "requirements.txt": "click==8.1.7\n",
        "flexget/__init__.py": "import click\n",
        "scripts/update_changelog.py": f"{header}from git import Repo\nimport click\n",
        "scripts/release.py": "from git import Repo\n",
        "scripts/broken.py": f"{header.replace('~=3.1', ' ~= 3.1 !!')}from git import Repo\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    [finding] = result_of(report, "DEP001").findings
    assert finding.get("package") == "GitPython" and finding.get("modules") == 2
    assert sorted(line.split(":")[0] for line in finding.evidence.splitlines()) == ["scripts/broken.py", "scripts/release.py"]
    [note] = [n for n in report.notes if n.path == "scripts/broken.py"]
    assert note.message.startswith("inline script metadata (line 1) not read: not a valid requirement 'gitpython ~= 3.1 !!'")


def test_opentelemetrys_propagators_api_is_opentelemetry_api() -> None:
    """Prefect imports ``opentelemetry.propagators.textmap``, which opentelemetry-api ships; the
    B3 propagator is a distribution of its own."""
    assert providers("opentelemetry.propagators.textmap") == {"opentelemetry-api"}
    assert "opentelemetry-api" not in candidates("opentelemetry.propagators.b3")


@pytest.mark.parametrize(
    "tables",
    [
        '[tool.hatch.build.hooks.vcs]\nversion-file = 5\n',
        '[tool.hatch.build]\ntargets = "wheel"\n',
        '[tool.hatch.build.targets]\nwheel = ["not", "a", "table"]\n',
        '[tool.hatch]\nbuild = 1\n',
        '[tool.setuptools_scm]\nwrite_to = ["a.py"]\nversion_file = "VERSION.txt"\n',
        '[tool]\nhatch = "x"\nsetuptools_scm = 2\n',
    ],
)
def test_version_file_tables_of_the_wrong_shape_name_no_module(tables: str) -> None:
    file = SourceFile(root=Path("."), relpath="pyproject.toml", display="pyproject.toml", size=0)
    manifest = parse_pyproject(f'[project]\nname = "app"\n{tables}', file)
    assert manifest is not None and manifest.generated_modules == ()


def test_a_vendored_copys_imports_are_its_optional_features(tmp_path: Path) -> None:
    """pip vendors urllib3, whose HTTP/2 and pyOpenSSL support import h2 and OpenSSL only when
    used; pip declares neither. The host's own code importing them is still undeclared."""
    files = {
        "pyproject.toml": '[project]\nname = "pip"\ndependencies = []\n',
        "src/pip/__init__.py": "",
        "src/pip/_vendor/urllib3/http2/connection.py": "import h2.config\n",
        "src/pip/_internal/net.py": "import h2.config\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP")
    assert _packages(report, "DEP001") == [("src/pip/_internal/net.py", "h2")]
    assert ("src/pip/_vendor/urllib3/http2/connection.py", "h2") in _packages(report, "DEP002")


def test_libpass_provides_passlib() -> None:
    """Radicale depends on libpass, the maintained fork that installs the ``passlib`` package."""
    assert "libpass" in providers("passlib")


def test_python_redmine_provides_redminelib() -> None:
    """Kiwi TCMS declares python-redmine and imports ``redminelib``, the package it installs."""
    assert "python-redmine" in providers("redminelib")


def test_django_activity_stream_provides_actstream() -> None:
    """wger declares django-activity-stream, whose package is ``actstream``."""
    assert providers("actstream") == {"django-activity-stream"}


def test_django_money_provides_djmoney() -> None:
    """djangoproject.com declares django-money and imports ``djmoney``, the package it installs."""
    assert providers("djmoney") == {"django-money"}


def test_pyocclient_provides_owncloud(tmp_path: Path) -> None:
    """LibrePhotos installs pyocclient from a GitHub archive URL and imports ``owncloud``, the
    package it installs."""
    assert providers("owncloud") == {"pyocclient"}
    repo = make_repo(tmp_path, {
        "requirements.txt": "https://github.com/owncloud/pyocclient/archive/master.zip\n",
        "api/nextcloud.py": "import owncloud\n",
    })
    assert result_of(scan_repo(repo, select="DEP001"), "DEP001").findings == ()


def test_django_click_provides_djclick() -> None:
    """DjangoGirls declares django-click and its management commands import ``djclick``, the
    package it installs."""
    assert providers("djclick") == {"django-click"}


@pytest.mark.parametrize(
    ("requirement", "undeclared"),
    [("translate-toolkit==3.13.3", []), ("translate==3.6.1", []), ("", ["translate-toolkit"])],
    ids=["translate-toolkit", "the distribution named translate", "neither"],
)
def test_translate_toolkit_provides_translate(tmp_path: Path, requirement: str, undeclared: list[str]) -> None:
    """SecureDrop's develop requirements declare translate-toolkit, and its ``verify-mo.py`` imports
    ``translate.storage.mo``, the package translate-toolkit installs; the distribution named
    ``translate`` installs a module of that name too, and an undeclared import suggests the toolkit."""
    files = {
        "requirements.txt": f"polib==1.2.0\n{requirement}\n",
        "verify_mo.py": "import polib\nfrom translate.storage.mo import mofile\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP")
    assert [f.get("package") for f in result_of(report, "DEP001").findings] == undeclared
    # neither "translate-toolkit is declared but unused" (DEP003) nor "may provide it" (DEP009)
    assert [f.check_id for f in report.findings if f.check_id in ("DEP003", "DEP009")] == []
    assert providers("translate") == {"translate-toolkit"}


def test_webdavclient3_provides_webdav3() -> None:
    """Tandoor declares webdavclient3 and imports ``webdav3.client``, the package it installs."""
    assert providers("webdav3.client") == {"webdavclient3"}


@pytest.mark.parametrize(
    ("requirement", "undeclared"), [("clvm_tools==0.4.9", []), ("clvm==0.9.14", ["clvm_tools"])],
    ids=["clvm_tools declared", "only clvm declared"],
)
def test_clvm_tools_provides_ir(tmp_path: Path, requirement: str, undeclared: list[str]) -> None:
    """Chia declares clvm_tools and ``chia/wallet/puzzle_drivers.py`` imports ``ir.Type``: clvm_tools
    ships the packages ``clvm_tools`` and ``ir``. Without clvm_tools, ``ir`` is still undeclared (as clvm_tools)."""
    files = {"requirements.txt": f"{requirement}\n", "app/drivers.py": "from ir.Type import Type\n"}
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert [f.get("package") for f in result_of(report, "DEP001").findings] == undeclared
    assert providers("ir.Type") == {"clvm-tools"}


def test_flask_versioned_provides_flaskext_versioned() -> None:
    """privacyIDEA declares Flask-Versioned and imports ``flaskext.versioned``: the old
    ``flaskext`` namespace, where each extension installs one module of its own."""
    assert providers("flaskext.versioned") == {"flask-versioned"}
    assert providers("flaskext.other") == frozenset()


def test_an_example_whose_manifest_declares_nothing_borrows_the_projects(tmp_path: Path) -> None:
    """Nautobot's ``examples/example_app/pyproject.toml`` only builds the app, which runs inside
    Nautobot's environment; Flask's tutorial declares its own dependencies and is judged by them."""
    files = {
        "pyproject.toml": '[project]\nname = "nautobot"\ndependencies = ["django"]\n',
        "nautobot/__init__.py": "import django\n",
        "examples/example_app/pyproject.toml": '[project]\nname = "example_app"\n',
        "examples/example_app/example_app/views.py": "import django\nimport django_tables2\n",
        "examples/tutorial/pyproject.toml": '[project]\nname = "flaskr"\ndependencies = ["flask"]\n',
        "examples/tutorial/flaskr/db.py": "import flask\nimport markdown\n",
        "nautobot/extras/test_jobs/missing_import.py": "import no_such_module\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP")
    assert _packages(report, "DEP001") == [("examples/tutorial/flaskr/db.py", "markdown")]
    soft = _packages(report, "DEP002")
    assert ("examples/example_app/example_app/views.py", "django_tables2") in soft
    assert ("nautobot/extras/test_jobs/missing_import.py", "no_such_module") in soft


def test_an_import_under_if_is_an_optional_feature_not_a_missing_dependency(tmp_path: Path) -> None:
    """dispatch imports Netflix's metatron only when it is the configured secret provider, and
    Radicale pkg_resources only on Pythons older than it supports: both are reported (DEP002), not
    blocking. The same import at the top of the module breaks every start (DEP001)."""
    files = {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = ["starlette"]\n',
        "app/__init__.py": "",
        "app/config.py": (
            "import sys\nfrom starlette.config import Config\n\nPROVIDER = Config()('SECRET_PROVIDER')\n"
            "if PROVIDER == 'metatron-secret':\n    import metatron.decrypt\n"
            "if sys.version_info < (3, 9):\n    import pkg_resources\nelse:\n    import tomli\n"
        ),
        "app/store.py": "import sortedcontainers\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP")
    assert _packages(report, "DEP001") == [("app/store.py", "sortedcontainers")]
    assert {package for _, package in _packages(report, "DEP002")} >= {"metatron", "setuptools", "tomli"}


def test_an_import_under_suppress_import_error_is_optional(tmp_path: Path) -> None:
    """pretalx: ``with suppress(ImportError): import django_extensions`` is ``try``/``except
    ImportError`` written shorter. A ``with`` that suppresses something else guards nothing."""
    files = {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = []\n',
        "app/__init__.py": "",
        "app/settings.py": (
            "import contextlib\nfrom contextlib import suppress\n\n"
            "with suppress(ImportError):\n    import django_extensions\n"
            "with contextlib.suppress(ModuleNotFoundError, KeyError):\n    import debug_toolbar\n"
            "with suppress(KeyError):\n    import sortedcontainers\n"
        ),
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP")
    assert _packages(report, "DEP001") == [("app/settings.py", "sortedcontainers")]
    assert {package for _, package in _packages(report, "DEP002")} == {"django_extensions", "django-debug-toolbar"}


PRETALX_SHELL = """from contextlib import suppress


class Command:
    def handle(self):
        with suppress(ImportError):
            import IPython

    def ipython(self, options):
        from IPython import start_ipython
        from traitlets.config import Config
        return start_ipython(config=Config())

    def bpython(self):
        import os
        import bpython_config

    def nested(self):
        from IPython import start_ipython
        for _ in start_ipython.__all__:
            import nbformat

    def relative(self):
        from . import helpers
        import jedi
"""


def test_an_import_after_an_optional_one_in_the_same_function_is_that_feature_s(tmp_path: Path) -> None:
    """pretalx's shell command guards ``import IPython``; its ``ipython()`` imports IPython first
    and IPython's own traitlets after it: traitlets is imported only once IPython was, so it is
    the same optional feature. Not after another module (``os``), not an import nested in a
    statement of the function (a loop's body), nor after a relative import."""
    files = {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = []\n',
        "app/__init__.py": "",
        "app/shell.py": PRETALX_SHELL,
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP")
    assert sorted(package for _, package in _packages(report, "DEP001")) == ["bpython_config", "jedi", "nbformat"]
    assert "traitlets" in {package for _, package in _packages(report, "DEP002")}


@pytest.mark.parametrize(
    "body",
    ["    import a\n" * 50_000, "    x = 1\n" * 50_000 + "    import a\n    import b\n", "    from . import a\n" * 20_000],
    ids=["fifty thousand imports", "fifty thousand statements before two imports", "relative imports"],
)
def test_the_first_import_of_a_huge_function_is_noted_once(body: str) -> None:
    """One look per import, whatever the function's size: the first import of its body is noted
    when the visit meets it, not searched for again at every later one."""
    from gonogo.collectors.python_facts import extract

    imports = extract(f"def f():\n{body}".encode()).imports
    assert imports[0].after == ""
    assert {i.after for i in imports[1:]} == ({""} if "from ." in body else {"a"})


def test_a_module_imported_only_inside_try_except_import_error_is_an_optional_feature(tmp_path: Path) -> None:
    """calibre-web imports ``cps/oauth_bb.py`` (which imports oauthlib) and ``cps/services/gmail.py``
    (google.auth) only inside ``try``/``except ImportError``, from three modules, and runs without
    them: their imports are optional features (DEP002), as the guarded import itself is. A module
    that one importer loads unguarded, or that nothing imports (an entry point, a module loaded by
    name), keeps its imports required; so does one imported only from such an optional module's
    cycle with nothing outside it."""
    files = {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = ["flask"]\n',
        "app/__init__.py": "",
        "app/main.py": (
            "import flask\ntry:\n    from .oauth_bb import oauth\nexcept ImportError:\n    oauth = None\n"
            "from .cli import run\n"
        ),
        "app/admin.py": "try:\n    from .oauth_bb import oauth\nexcept ImportError:\n    oauth = None\n",
        "app/oauth_bb.py": "from oauthlib.oauth2 import TokenExpiredError\nfrom .oauth_helpers import helper\n",
        "app/oauth_helpers.py": "import requests_oauthlib\n",
        "app/services/__init__.py": "try:\n    from . import gmail\nexcept ImportError:\n    gmail = None\n",
        "app/services/gmail.py": "from google.auth.transport.requests import Request\n",
        "app/cli.py": "import rich\n",
        "app/kobo.py": "import jsonschema\n",
        "app/web.py": "try:\n    from .kobo import sync\nexcept ImportError:\n    sync = None\nfrom . import kobo\n",
        "app/loop_a.py": "from . import loop_b\nimport sortedcontainers\n",
        "app/loop_b.py": "from . import loop_a\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP")
    assert sorted(_packages(report, "DEP001")) == [
        ("app/cli.py", "rich"), ("app/kobo.py", "jsonschema"), ("app/loop_a.py", "sortedcontainers"),
    ]
    assert sorted(_packages(report, "DEP002")) == [
        ("app/oauth_bb.py", "oauthlib"), ("app/oauth_helpers.py", "requests_oauthlib"),
        ("app/services/gmail.py", "google-auth"),
    ]


def test_an_npm_lock_beside_python_code_declares_nothing_for_it(tmp_path: Path) -> None:
    """Kiwi TCMS keeps its JavaScript's ``tcms/package-lock.json`` in the Python package: the
    requirements at the root declare for ``tcms/``, and a Python range is not locked by npm's lock."""
    files = {
        "requirements.txt": "django>=5\n",
        "tcms/__init__.py": "",
        "tcms/views.py": "import django\nimport yaml\n",
        "tcms/package-lock.json": '{"lockfileVersion": 3, "packages": {"": {"name": "tcms"},'
        ' "node_modules/jquery": {"version": "3.7.1"}}}',
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP")
    assert _packages(report, "DEP001") == [("tcms/views.py", "PyYAML")]
    undeclared = result_of(report, "DEP001").findings[0]
    assert "not declared in requirements.txt" in undeclared.message
    assert [f.get("package") for f in result_of(report, "DEP005").findings] == ["django"]


def test_the_inputs_of_pip_compile_are_pinned_by_its_output(tmp_path: Path) -> None:
    """warehouse declares ranges in ``requirements/main.in`` and installs ``requirements/main.txt``,
    which pip-compile writes with every version pinned: that file is the folder's lock. (npm's
    ``package-lock.json`` at its root had excused the ranges before, by mistake.)"""
    compiled = (
        "#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n"
        "#    pip-compile --output-file=requirements/main.txt requirements/main.in\n#\n"
        "pyramid==2.0.2\n    # via -r requirements/main.in\n"
    )
    files = {"requirements/main.in": "pyramid>=2.0\n", "requirements/main.txt": compiled, "app.py": "import pyramid\n"}
    report = scan_repo(make_repo(tmp_path, files), select="DEP005")
    assert result_of(report, "DEP005").findings == ()
    files["requirements/main.txt"] = "pyramid==2.0.2\n"
    report = scan_repo(make_repo(tmp_path / "plain", files), select="DEP005")
    assert [(f.path, f.get("package")) for f in result_of(report, "DEP005").findings] == [
        ("requirements/main.in", "pyramid"),
    ]


def test_a_git_submodules_modules_are_the_repositorys_own(tmp_path: Path) -> None:
    """readthedocs.org's ``tasks.py`` imports ``common``, the git submodule ``.gitmodules`` names,
    empty in a checkout made without ``--recursive``: no package to declare. A name no submodule
    gives stays undeclared, and a ``.gitmodules`` path out of the tree or at its root names none."""
    files = {
        "requirements.txt": "django==5.0\n",
        ".gitmodules": (
            '[submodule "common"]\n\tpath = common\n\turl = https://github.com/readthedocs/common.git\n'
            '[submodule "llhttp"]\n path = vendor/llhttp\n url = https://example.invalid/llhttp.git\n'
            '[submodule "escape"]\n path = ../outside\n[submodule "root"]\n path = .\n'
        ),
        "tasks.py": "import django\nfrom common.dockerfiles.tasks import build\nimport vendor.llhttp\nimport invoke\n",
        "app/views.py": "import outside\nimport llhttp\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert sorted(_packages(report, "DEP001")) == [("app/views.py", "llhttp"), ("app/views.py", "outside"), ("tasks.py", "invoke")]


def test_requirements_sorted_into_a_subfolder_serve_the_folder_above_the_requirements_folder(tmp_path: Path) -> None:
    """SecureDrop keeps its app's requirements in ``securedrop/requirements/python3/`` beside a
    ``securedrop/setup.py`` that declares nothing: they declare Flask for ``securedrop/*.py``."""
    files = {
        "app/setup.py": "from setuptools import setup\nsetup(name='app')\n",
        "app/requirements/python3/requirements.txt": "flask==2.2.5\n",
        "app/server.py": "import flask\nimport redis\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert [(f.path, f.get("package")) for f in result_of(report, "DEP001").findings] == [("app/server.py", "redis")]


def test_a_requirements_groups_file_is_not_judged_unused(tmp_path: Path) -> None:
    """Celery's ``requirements/extras/solar.txt`` declares ephem, which ``celery/schedules.py``
    loads with ``__import__``: a group's file may be an optional feature's, so DEP003 leaves it,
    as it leaves an extra's requirements; the main requirements file is still judged."""
    files = {
        "requirements/default.txt": "kombu==5.3\nbilliard==4.2\n",
        "requirements/docs.txt": "-r extras/solar.txt\n",
        "requirements/extras/solar.txt": "ephem==4.1\n",
        "celery/schedules.py": "import kombu\nephem = __import__('ephem')\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP003")
    assert [f.get("package") for f in result_of(report, "DEP003").findings] == ["billiard"]


def test_an_empty_pipfile_is_no_manifest(tmp_path: Path) -> None:
    """awx's zero-byte ``awx/api/urls/Pipfile`` declares nothing: the modules beside it are judged
    by ``requirements/requirements.txt`` at the root, which declares Django."""
    files = {
        "requirements/requirements.txt": "django==4.2.16\n",
        "api/urls/Pipfile": "",
        "api/urls/views.py": "import django.urls\nimport redis\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    found = [(f.path, f.get("package"), f.get("manifest")) for f in result_of(report, "DEP001").findings]
    assert found == [("api/urls/views.py", "redis", "requirements/requirements.txt")]


def test_ansible_plugins_run_in_ansibles_environment_not_the_projects(tmp_path: Path) -> None:
    """awx's ``awx/playbooks/action_plugins/verify_project.py`` imports ``ansible``, ``gnupg`` and
    ``ansible_sign``, which the execution environment running the playbook installs; so does its
    collection's ``plugins/inventory/``. A tool that drives Ansible from the project's own code,
    and a package named ``library`` that does not import Ansible, are judged as any module."""
    files = {
        "requirements.txt": "django==4.2.16\n",
        "app/playbooks/action_plugins/verify.py": "import ansible.plugins.action\nimport gnupg\n",
        "collection/plugins/inventory/controller.py": "import ansible.module_utils\nimport requests\n",
        "collection/requirements.txt": "awxkit==24.6.1\n",
        "app/deploy.py": "import ansible.playbook\n",
        "app/library/fetch.py": "import requests\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP00")
    assert sorted((f.path, f.get("package")) for f in result_of(report, "DEP001").findings) == [
        ("app/deploy.py", "ansible"), ("app/library/fetch.py", "requests"),
    ]
    assert sorted((f.path, f.get("package")) for f in result_of(report, "DEP002").findings) == [
        ("app/playbooks/action_plugins/verify.py", "ansible"), ("app/playbooks/action_plugins/verify.py", "gnupg"),
        ("collection/plugins/inventory/controller.py", "ansible"), ("collection/plugins/inventory/controller.py", "requests"),
    ]


BAKE_MONOREPO = {
    "tests/build.hcl": 'target "base" {\n  context = "core/base/"\n}\n\n'
    'target "admin" {\n  context = "core/admin/"\n  contexts = {\n    base = "target:base"\n  }\n}\n\n'
    'target "nginx" {\n  context = "core/nginx/"\n  contexts = {\n    base = "target:base"\n  }\n}\n',
    "core/base/Dockerfile": "FROM alpine:3.21\nCOPY requirements-prod.txt ./\nRUN pip install -r requirements-prod.txt\n",
    "core/base/requirements-prod.txt": "Flask==3.0.0\n",
    "core/admin/Dockerfile": "FROM base\nCOPY mailu ./mailu\n",
    "core/admin/mailu/__init__.py": "import flask\nimport tabulate\n",
    "core/nginx/Dockerfile": "FROM alpine:3.21\n",
    "core/nginx/config.py": "import flask\n",
}


def test_an_image_built_on_a_bake_target_is_declared_by_that_targets_manifest(tmp_path: Path) -> None:
    """Mailu's ``tests/build.hcl`` binds ``base`` to ``target:base`` (context ``core/base/``) and
    ``core/admin/Dockerfile`` starts ``FROM base``: the admin code runs in the image that installed
    ``core/base/requirements-prod.txt``, so what that file declares is declared for it. An import
    it does not declare stays undeclared, and so does one of an image that starts from another
    base, though its target binds ``base`` too (``core/nginx``)."""
    findings = result_of(scan_repo(make_repo(tmp_path, BAKE_MONOREPO), select="DEP001"), "DEP001").findings
    assert sorted((f.path, f.get("package")) for f in findings) == [
        ("core/admin/mailu/__init__.py", "tabulate"),
        ("core/nginx/config.py", "flask"),
    ]


CALLER_GUARDED_SHELL = """
def ipython(namespace):
    import IPython
    from traitlets.config.loader import Config
    IPython.start_ipython([], user_ns=namespace, config=Config())


def python(namespace):
    import code
    code.interact(local=dict(namespace))


def shell(namespace):
    try:
        ipython(namespace)
    except ImportError:
        python(namespace)
"""


@pytest.mark.parametrize(
    ("code", "hard"),
    [
        (CALLER_GUARDED_SHELL, []),
        (CALLER_GUARDED_SHELL + "\n\ndef console(namespace):\n    ipython(namespace)\n", ["IPython", "traitlets"]),
        (CALLER_GUARDED_SHELL + "\n\nSHELLS = {'ipython': ipython}\n", ["IPython", "traitlets"]),
        (
            CALLER_GUARDED_SHELL.replace("except ImportError:", "except Exception:"),
            ["IPython", "traitlets"],
        ),
        (
            CALLER_GUARDED_SHELL.replace("    try:\n        ipython(namespace)\n    except ImportError:\n"
                                         "        python(namespace)\n",
                                         "    try:\n        python(namespace)\n    except ImportError:\n"
                                         "        pass\n    else:\n        ipython(namespace)\n"),
            ["IPython", "traitlets"],
        ),
    ],
    ids=["every call guarded (ckan shell)", "one call unguarded", "passed on as a value",
         "a broad except", "called in the try's else"],
)
def test_an_import_inside_a_function_whose_every_call_catches_import_error_is_optional(
    tmp_path: Path, code: str, hard: list[str]
) -> None:
    """ckan's ``ckan shell`` calls ``ipython(...)`` inside ``try``/``except ImportError`` and falls
    back to the standard shell: IPython and traitlets, imported in ``ipython``'s body, are an
    optional feature (DEP002), as a guarded import is. Only when every use of the function in its
    module is a call in such a ``try``'s body."""
    files = {"requirements.txt": "click==8.1.7\n", "app/__init__.py": "", "app/shell.py": code}
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert sorted(f.message.split()[0] for f in result_of(report, "DEP001").findings) == hard


def test_a_link_into_a_git_submodule_names_the_repositorys_own_package(tmp_path: Path) -> None:
    """openlibrary checks infogami out as the submodule ``vendor/infogami`` and links
    ``infogami -> vendor/infogami/infogami`` at its root, so ``import infogami`` (99 modules) finds
    the submodule's package: nothing to declare. A link to a folder of the repository's own that is
    no submodule, or a link whose name is not imported, names nothing else."""
    files = {
        "requirements.txt": "web.py==0.62\n",
        ".gitmodules": '[submodule "vendor/infogami"]\n\tpath = vendor/infogami\n\turl = https://example.invalid/i.git\n',
        "vendor/infogami/.keep": "",
        "assets/.keep": "",
        "app/__init__.py": "",
        "app/model.py": "import web\nfrom infogami.utils import delegate\nimport infobase\nimport static\n",
    }
    root = make_repo(tmp_path, files)
    (root / "infogami").symlink_to("vendor/infogami/infogami")
    (root / "static").symlink_to("assets/static")
    report = scan_repo(root, select="DEP001")
    assert sorted(_packages(report, "DEP001")) == [("app/model.py", "infobase"), ("app/model.py", "static")]


MODOBOA_VERSION = '''import os


def get_version():
    from setuptools_scm import get_version as default_version

    return os.environ.get("GITHUB_REF_NAME") or default_version()
'''
MODOBOA_PYPROJECT = (
    '[build-system]\nrequires = ["setuptools>=61.0", "setuptools_scm[toml]>=6.4"]\n'
    'build-backend = "setuptools.build_meta"\n'
    '[project]\nname = "modoboa"\ndynamic = ["version"]\ndependencies = ["django"]\n'
    '[tool.setuptools.dynamic]\nversion = {attr = "modoboa.version.get_version"}\n'
)


def test_a_function_setuptools_calls_for_dynamic_metadata_is_declared_by_the_build_requirements(
    tmp_path: Path,
) -> None:
    """modoboa's ``[tool.setuptools.dynamic] version = {attr = "modoboa.version.get_version"}``:
    setuptools imports ``modoboa/version.py`` and calls ``get_version`` while it builds, and the
    function's own ``import setuptools_scm`` runs there, where ``[build-system] requires`` installs
    it. Nothing else imports the module, so no runtime code runs the import."""
    files = {"pyproject.toml": MODOBOA_PYPROJECT, "modoboa/__init__.py": "import django\n",
             "modoboa/version.py": MODOBOA_VERSION}
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert _packages(report, "DEP001") == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"modoboa/version.py": "import setuptools_scm\n" + MODOBOA_VERSION}, "modoboa/version.py"),
        ({"modoboa/version.py": MODOBOA_VERSION, "modoboa/__init__.py": "from .version import get_version\n"},
         "modoboa/version.py"),
        ({"modoboa/version.py": MODOBOA_VERSION, "modoboa/cli.py": "import modoboa.version\n"}, "modoboa/version.py"),
        ({"modoboa/about.py": MODOBOA_VERSION}, "modoboa/about.py"),
    ],
    ids=["a module-level import", "the package imports the module", "another module imports it", "another module"],
)
def test_a_build_time_import_that_runtime_code_may_run_is_still_undeclared(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    """Only a function-local import in the module the ``attr`` names, a module no other module of
    the project imports, runs in the build alone: a module-level import, or one the package may
    call at run time, needs setuptools_scm installed beside the project."""
    report = scan_repo(make_repo(tmp_path, {"pyproject.toml": MODOBOA_PYPROJECT, **files}), select="DEP001")
    assert _packages(report, "DEP001") == [(expected, "setuptools_scm")]


@pytest.mark.parametrize(
    "dynamic",
    [
        'version = {attr = 5}\n', 'version = "x"\n', 'version = {attr = "' + "a." * 5000 + '"}\n',
        'version = {attr = "../../etc/passwd.x"}\n', 'version = {attr = ""}\n', 'readme = {file = "README"}\n',
    ],
    ids=["an integer", "a string", "a 10,000-character name", "a path", "empty", "another field"],
)
def test_a_dynamic_table_of_another_shape_names_no_build_module(tmp_path: Path, dynamic: str) -> None:
    """Read leniently, as Hatch's tables are: a value of another shape names no module, and the
    import stays undeclared."""
    pyproject = MODOBOA_PYPROJECT.replace('version = {attr = "modoboa.version.get_version"}\n', dynamic)
    files = {"pyproject.toml": pyproject, "modoboa/version.py": MODOBOA_VERSION}
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    assert _packages(report, "DEP001") == [("modoboa/version.py", "setuptools_scm")]


def test_a_django_apps_tests_module_is_test_code_for_its_imports(tmp_path: Path) -> None:
    """modoboa's ``modoboa/core/api/v2/tests.py`` imports Pillow to build an upload: Django's test
    runner collects ``tests.py`` (its default pattern is ``test*.py``; ``startapp`` writes one), so a
    missing Pillow breaks a test run, not production: DEP002's, not a blocking DEP001. Product
    modules beside it (``testing.py``, ``views.py``) are still judged."""
    files = {
        "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["django"]\n',
        "shop/core/tests.py": "from PIL import Image\nimport django\n",
        "shop/core/testing.py": "import yaml\n",
        "shop/core/views.py": "import requests\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001,DEP002")
    assert sorted(_packages(report, "DEP001")) == [("shop/core/testing.py", "PyYAML"), ("shop/core/views.py", "requests")]
    assert ("shop/core/tests.py", "Pillow") in _packages(report, "DEP002")


@pytest.mark.parametrize(
    ("requirements", "target"),
    [
        ({"ci_requirements.txt": "", "test_requirements.txt": "pytest\n"}, "pyproject.toml"),
        ({"requirements.txt": "# pinned by the image\n"}, "pyproject.toml"),
        ({"requirements.txt": "django>=5\n", "ci_requirements.txt": ""}, "requirements.txt"),
        ({"dev_requirements.txt": "pytest\n"}, "pyproject.toml"),
    ],
    ids=["an empty CI file (pulpcore)", "an empty requirements.txt", "a declaring requirements.txt", "a group's file"],
)
def test_a_missing_dependency_is_asked_of_the_manifest_that_declares_production(
    tmp_path: Path, requirements: dict[str, str], target: str
) -> None:
    """pulpcore keeps an empty ``ci_requirements.txt`` beside ``pyproject.toml``, and DEP001 told
    the reader to add its missing imports there: an empty file, or one a group's name marks, is
    never the manifest a missing production dependency goes in while another declares."""
    files = {
        "pyproject.toml": "[project]\nname = 'core'\ndependencies = ['django']\n",
        **requirements,
        "core/__init__.py": "",
        "core/views.py": "import django\nimport yaml\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    [undeclared] = result_of(report, "DEP001").findings
    assert f"not declared in {target}" in undeclared.message
    assert undeclared.get("manifest", target) == target
