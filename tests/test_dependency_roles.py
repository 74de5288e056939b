"""Issue 9, classes 1 and 2: a manifest is a file that plays a manifest's role, and an import is
undeclared only when gonogo knows which distribution provides it. Each case holds the false alarm
and the true finding side by side."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from gonogo.collectors.import_names import candidates, providers, suggested
from gonogo.model import Outcome
from tests.helpers import make_repo, result_of, scan_repo


def _undeclared(report) -> list[tuple[str, str | None, str | None]]:
    return sorted((f.path or "", f.get("package"), f.get("manifest")) for f in result_of(report, "DEP001").findings)


def test_a_view_module_called_setup_py_is_not_a_manifest(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {
        "requirements.txt": "flask==3.0.0\n",
        "app/handlers/setup.py": """
            from flask import Blueprint, render_template
            import jwt

            def setup(app):
                app.register_blueprint(Blueprint("setup", __name__))

            setup(None)
            """,
        "app/main.py": "import flask\n",
    })
    report = scan_repo(root, select="DEP")
    # the false alarm was "flask is not declared in app/handlers/setup.py"; the true finding stays
    assert _undeclared(report) == [("app/handlers/setup.py", "PyJWT", "requirements.txt")]


@pytest.mark.parametrize(
    ("files", "manifest"),
    [
        ({"lib/setup.py": "from setuptools import setup\nsetup(name='lib', install_requires=['requests'])\n"},
         "lib/setup.py"),
        ({"lib/setup.py": "import setuptools\nsetuptools.setup(name='lib', install_requires=['requests'])\n"},
         "lib/setup.py"),
        ({"lib/setup.py": "from distutils.core import *\nsetup(name='lib', install_requires=['requests'])\n"},
         "lib/setup.py"),
        ({"lib/pyproject.toml": "[project]\nname = 'lib'\ndependencies = ['requests']\n"}, "lib/pyproject.toml"),
        ({"lib/setup.cfg": "[metadata]\nname = lib\n[options]\ninstall_requires =\n    requests\n"},
         "lib/setup.cfg"),
        ({"Dockerfile": "FROM python:3.12\nCOPY . /app\nRUN pip install \\\n    -r /app/prod.pip\n",
          "prod.pip": "requests==2.31.0\n"}, "prod.pip"),
        ({"tox.ini": "[testenv]\ndeps = -r{toxinidir}/test.pip\n", "test.pip": "requests==2.31.0\n"},
         "test.pip"),
        ({"lib/setup.py": "from setuptools import setup\nsetup(install_requires=open('deps.pip').read().split())\n",
          "lib/deps.pip": "requests==2.31.0\n"}, "lib/deps.pip"),
    ],
    ids=["setup() from setuptools", "setuptools.setup()", "setup() from a star import", "pyproject with [project]",
         "setup.cfg with metadata", "file a Dockerfile installs with -r", "file tox installs with -r",
         "file a setup.py reads"],
)
def test_files_that_play_the_manifest_role_declare(tmp_path: Path, files: dict[str, str], manifest: str) -> None:
    files = {**files, "lib/core.py": "import requests\nimport yaml\n"}
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    # requests is declared by the manifest; what it does not declare is still found, against it
    assert _undeclared(report) == [("lib/core.py", "PyYAML", manifest)]


@pytest.mark.parametrize(
    "config",
    [
        {"lib/pyproject.toml": "[tool.ruff]\nline-length = 100\n"},
        {"lib/setup.cfg": "[flake8]\nmax-line-length = 100\n"},
    ],
    ids=["pyproject with tool settings only", "setup.cfg with tool settings only"],
)
def test_tool_settings_files_do_not_anchor_the_nearest_manifest(tmp_path: Path, config: dict[str, str]) -> None:
    files = {**config, "requirements.txt": "requests==2.31.0\n", "lib/core.py": "import requests\nimport yaml\n"}
    report = scan_repo(make_repo(tmp_path, files), select="DEP001")
    # judged by requirements.txt above, not by a settings file that declares nothing
    assert _undeclared(report) == [("lib/core.py", "PyYAML", "requirements.txt")]


def test_namespace_packages_match_the_longest_dotted_name() -> None:
    assert providers("azure.storage.blob.aio") == {"azure-storage-blob"}
    assert providers("azure.core.credentials") == {"azure-core"}
    assert "azure-storage-blob" not in candidates("azure.core.credentials")
    assert suggested("azure.core.exceptions") == "azure-core"
    assert suggested("google.cloud.pubsub_v1") == "google-cloud-pubsub"


@pytest.mark.parametrize(
    ("declared", "imports", "undeclared"),
    [
        ("pyhumps==3.8.0\n", "import humps\nimport colorama\n", ["colorama"]),
        ("social-auth-core==4.5.0\n", "from social_core.backends import oauth\nimport colorama\n", ["colorama"]),
        ("maxminddb-geolite2==2018.703\n", "from geolite2 import geolite2\nimport colorama\n", ["colorama"]),
        # a release series older than the table's, so only the import names decide (not what it requires)
        ("azure-storage-blob==2.1.0\n", "from azure.storage.blob import BlobClient\nimport azure.core\n",
         ["azure-core"]),
        ("azure-core==1.30.0\n", "import azure.core\nfrom azure.storage.blob import BlobClient\n",
         ["azure-storage-blob"]),
    ],
    ids=["pyhumps provides humps", "social-auth-core provides social_core", "maxminddb-geolite2 provides geolite2",
         "azure-storage-blob does not provide azure.core", "azure-core does not provide azure.storage.blob"],
)
def test_import_names_of_declared_distributions(
    tmp_path: Path, declared: str, imports: str, undeclared: list[str]
) -> None:
    report = scan_repo(make_repo(tmp_path, {"requirements.txt": declared, "app.py": imports}), select="DEP")
    assert [f.get("package") for f in result_of(report, "DEP001").findings] == undeclared


def test_an_import_a_declared_unknown_distribution_may_provide_is_unknown_not_undeclared(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {
        "requirements.txt": "fancywidgets-toolkit==1.0\nrequests==2.31.0\n",
        "app.py": "import fancywidgets\nimport requests\nimport chatterbot\n",
    })
    report = scan_repo(root, select="DEP")
    # chatterbot resembles nothing declared: still undeclared, and counted
    assert [f.get("package") for f in result_of(report, "DEP001").findings] == ["chatterbot"]
    assert report.metrics["deps.undeclared"] == 1
    [unknown] = result_of(report, "DEP009").findings
    assert unknown.get("package") == "fancywidgets"
    assert unknown.get("candidates") == ("fancywidgets-toolkit",)
    assert "may" in unknown.message and unknown.severity.value == "low"


UV_LOCK = """
version = 1

[[package]]
name = "backend"
version = "0.1.0"
source = { editable = "backend" }
dependencies = [{ name = "fastapi" }, { name = "sqlmodel" }]

[[package]]
name = "fastapi"
version = "0.115.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "pydantic" }, { name = "starlette" }]

[[package]]
name = "starlette"
version = "0.38.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "anyio" }]

[[package]]
name = "sqlmodel"
version = "0.0.22"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "pydantic" }, { name = "sqlalchemy" }]

[[package]]
name = "sqlalchemy"
version = "2.0.36"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "anyio"
version = "4.6.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pydantic"
version = "2.9.0"
source = { registry = "https://pypi.org/simple" }
"""


def test_an_import_the_lock_file_installs_for_a_declared_framework_is_transitive(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {
        "pyproject.toml": "[tool.uv.workspace]\nmembers = ['backend']\n[dependency-groups]\ndev = ['ruff']\n",
        "uv.lock": UV_LOCK,
        "backend/pyproject.toml": "[project]\nname = 'backend'\ndependencies = ['fastapi', 'sqlmodel']\n",
        "backend/app/main.py": "import fastapi\nfrom starlette.middleware import Middleware\nimport sqlalchemy\n"
                               "import anyio\nimport jwt\n",
    })
    report = scan_repo(root, select="DEP")
    # PyJWT is installed by nothing: the real missing dependency stays DEP001 and blocks
    assert _undeclared(report) == [("backend/app/main.py", "PyJWT", "backend/pyproject.toml")]
    assert report.metrics["deps.undeclared"] == 1
    transitive = {f.get("package"): f for f in result_of(report, "DEP008").findings}
    assert sorted(transitive) == ["SQLAlchemy", "anyio", "starlette"]
    assert transitive["starlette"].get("via") == ("fastapi", "starlette")
    assert transitive["anyio"].get("via") == ("fastapi", "starlette", "anyio")
    assert "uv.lock: sqlmodel -> sqlalchemy" in transitive["SQLAlchemy"].message
    assert result_of(report, "DEP008").severity.value == "low"


def test_without_a_lock_graph_a_transitive_import_stays_undeclared(tmp_path: Path) -> None:
    # fastapi 0.1.0 is never the version installed next to gonogo, so its metadata is no evidence
    root = make_repo(tmp_path, {"requirements.txt": "fastapi==0.1.0\n", "main.py": "import starlette\n"})
    report = scan_repo(root, select="DEP")
    assert _undeclared(report) == [("main.py", "starlette", "requirements.txt")]
    assert result_of(report, "DEP008").outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("declared", "kind"),
    [("pydantic>=2\n", "DEP008"), ("pydantic<2\n", "DEP001")],
    ids=["installed version admitted: its metadata shows the chain", "installed version excluded: no evidence"],
)
def test_installed_metadata_shows_a_transitive_import_when_no_lock_does(
    tmp_path: Path, declared: str, kind: str
) -> None:
    # pydantic is installed next to gonogo (gonogo depends on it), and pydantic 2 requires pydantic-core
    root = make_repo(tmp_path, {"requirements.txt": declared, "main.py": "import pydantic\nimport pydantic_core\n"})
    report = scan_repo(root, select="DEP")
    [finding] = [*result_of(report, "DEP001").findings, *result_of(report, "DEP008").findings]
    assert (finding.check_id, finding.get("package")) == (kind, "pydantic-core")
    if kind == "DEP008":
        assert "metadata of the installed pydantic" in finding.message


def test_the_lock_files_own_project_is_a_node_of_the_graph(tmp_path: Path) -> None:
    # flask's own uv.lock locks flask as the editable project: an example app that declares flask
    # and imports werkzeug relies on flask's requirement, not on a missing declaration
    lock = (
        'version = 1\n\n[[package]]\nname = "flask"\nversion = "3.1.0"\nsource = { editable = "." }\n'
        'dependencies = [{ name = "werkzeug" }]\n\n'
        '[[package]]\nname = "werkzeug"\nversion = "3.1.0"\nsource = { registry = "https://pypi.org/simple" }\n'
    )
    root = make_repo(tmp_path, {
        "pyproject.toml": "[project]\nname = 'flask'\ndependencies = ['werkzeug>=3']\n",
        "uv.lock": lock,
        "examples/tutorial/pyproject.toml": "[project]\nname = 'flaskr'\ndependencies = ['flask']\n",
        "examples/tutorial/flaskr/auth.py": "import flask\nfrom werkzeug.security import check_password_hash\n"
                                            "import markdown\n",
    })
    report = scan_repo(root, select="DEP")
    assert _undeclared(report) == [("examples/tutorial/flaskr/auth.py", "markdown", "examples/tutorial/pyproject.toml")]
    [transitive] = result_of(report, "DEP008").findings
    assert transitive.get("via") == ("flask", "werkzeug")


@pytest.mark.parametrize(
    ("files", "roots"),
    [
        (["azure/core/__init__.py", "azure/core/pipeline/__init__.py", "azure_core-1.30.dist-info/RECORD"],
         {"azure.core"}),
        (["yaml/__init__.py", "yaml/loader.py", "_yaml/__init__.py", "../../bin/yaml-cli"], {"yaml", "_yaml"}),
        (["six.py", "six-1.16.dist-info/METADATA", "__pycache__/six.cpython-311.pyc"], {"six"}),
    ],
    ids=["namespace package: the level with __init__.py", "regular packages", "a single module"],
)
def test_installed_files_give_dotted_roots(files: list[str], roots: set[str]) -> None:
    from gonogo.collectors.import_names import module_roots

    assert module_roots(files) == roots


def test_a_file_removed_with_rm_r_is_not_a_requirements_file(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {
        "Dockerfile": "FROM python:3.12\nRUN rm -r notes.txt && pip install \\\n    -r /app/prod.pip\n",
        "notes.txt": "remember the milk\n",
        "prod.pip": "requests==2.31.0\n",
        "app.py": "import requests\n",
    })
    report = scan_repo(root, select="DEP")
    assert report.metrics["deps.manifests"] == 1  # prod.pip, installed; notes.txt, removed, is not one
    assert result_of(report, "DEP007").findings == ()


def test_the_plan_says_to_declare_transitive_imports_directly(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {
        "pyproject.toml": "[tool.uv.workspace]\nmembers = ['backend']\n[dependency-groups]\ndev = ['ruff']\n",
        "uv.lock": UV_LOCK,
        "backend/pyproject.toml": "[project]\nname = 'backend'\ndependencies = ['fastapi', 'sqlmodel']\n",
        "backend/app/main.py": "import fastapi\nimport starlette\nimport sqlalchemy\n",
    })
    report = scan_repo(root, select="DEP")
    [action] = [a for a in report.plan if a.check_ids == ("DEP008",)]
    assert action.title == (
        "declare SQLAlchemy, starlette directly in backend/pyproject.toml (installed today only through fastapi, sqlmodel)"
    )
    assert action.priority.value != "P0"  # low severity, feeds no blocking gate


def test_what_a_declared_distribution_requires_on_pypi_shows_a_transitive_import(tmp_path: Path) -> None:
    """DefectDojo pins celery and imports kombu and amqp, which Celery brings (kombu brings amqp);
    nothing is installed or locked, so gonogo's table of what each release requires on PyPI
    (``data/published_requires.json``) shows the chain. A pin of another release series is no
    evidence, and an import nothing declared brings stays undeclared."""
    root = make_repo(tmp_path, {
        "requirements.txt": "celery==5.6.3\nfastapi==0.1.0\n",
        "app/tasks.py": "import kombu\nfrom amqp.exceptions import ChannelError\nimport starlette\nimport yaml\n",
    })
    report = scan_repo(root, select="DEP")
    transitive = {f.get("package"): f for f in result_of(report, "DEP008").findings}
    assert transitive["kombu"].get("via") == ("celery", "kombu")
    assert transitive["amqp"].get("via") == ("celery", "kombu", "amqp")
    assert "gonogo's table of" in transitive["kombu"].message
    assert sorted(package for _, package, _ in _undeclared(report)) == ["PyYAML", "starlette"]


def test_pytz_under_drf_yasg_and_gitdb_under_gitpython_are_transitive(tmp_path: Path) -> None:
    """zds-site pins drf-yasg and GitPython and imports pytz and gitdb.exc, which they bring: with
    nothing installed or locked, the table shows both chains, and neither import blocks as DEP001."""
    root = make_repo(tmp_path, {
        "requirements.txt": "drf-yasg==1.21.7\nGitPython==3.1.43\n",
        "zds/feeds.py": "from pytz import AmbiguousTimeError\nfrom gitdb.exc import BadName\nimport git\n",
    })
    report = scan_repo(root, select="DEP")
    transitive = {f.get("package"): f.get("via") for f in result_of(report, "DEP008").findings}
    assert transitive == {"pytz": ("drf-yasg", "pytz"), "gitdb": ("gitpython", "gitdb")}
    assert _undeclared(report) == []


def test_the_published_requires_table_is_what_the_script_writes() -> None:
    """The shipped table holds what ``scripts/published_requires.py`` derives from PyPI's answers:
    requirements outside extras, by normalised name, for each listed distribution."""
    from gonogo.collectors.import_names import published_requires

    fetched, table = published_requires()
    assert fetched[:2] == "20" and len(table) > 100
    version, requires = table["celery"]
    assert version and "kombu" in requires and all(name == name.lower() for name in requires)


def _published_requires_script() -> ModuleType:
    """The script that writes the table (it is not a module of the package)."""

    path = Path(__file__).parents[1] / "scripts" / "published_requires.py"
    spec = importlib.util.spec_from_file_location("published_requires_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_published_table_keeps_what_each_extra_brings_everywhere() -> None:
    """An extra's requirement is kept when its marker tests only extras: one that also tests a
    Python version or a platform is not installed everywhere; a line packaging cannot read, an
    ``!=`` test and a requirement outside any extra are no extra's."""
    from gonogo.collectors.import_names import published_extra_brings

    script = _published_requires_script()
    assert script.extras([
        'cryptography>=3.4.0; extra == "crypto"',
        "svglib ; extra == 'SVG' or extra == 'all'",
        'reportlab; (extra == "svg")',
        'uvloop; extra == "speed" and sys_platform != "win32"',
        'tomli; python_version < "3.11" or extra == "toml"',
        'colorama; extra != "plain"',
        "not a requirement ;;; extra ==",
        "django>=4.2",
        'typing-extensions; python_version < "3.11"',
    ]) == {"all": ["svglib"], "crypto": ["cryptography"], "svg": ["reportlab", "svglib"]}
    assert script.extras(None) == {} and script.extras([]) == {}
    assert published_extra_brings("pyjwt", "crypto") == (published_extra_brings("pyjwt", "CRYPTO") or ())
    version, brought = published_extra_brings("pyjwt", "crypto") or ("", frozenset())
    assert version[:1] == "2" and brought == {"cryptography"}
    assert published_extra_brings("pyjwt", "no-such-extra") == (version, frozenset())
    assert published_extra_brings("no-such-distribution", "crypto") is None
