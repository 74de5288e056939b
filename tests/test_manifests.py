"""The manifests fact: every format, includes and cycles, and malformed inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gonogo.collectors.manifests import FORMATS, ManifestFacts, manifests
from gonogo.workspace import Workspace
from tests.helpers import make_repo


def collect(root: Path) -> ManifestFacts:
    return manifests(Workspace.open([root]))


def by_file(facts: ManifestFacts, display: str):
    return next(m for m in facts.manifests if m.file.display == display)


def test_requirements_lines_keep_name_pin_extras_marker_hash_url_and_line(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "requirements.txt": """
        # comment
        PyJWT==2.8.0 --hash=sha256:abc  # pinned
        requests[socks]>=2,<3 ; python_version >= "3.8"
        -e git+https://example.com/x.git#egg=foo
        pkg @ https://example.com/pkg-1.0.tar.gz
        long-name \\
            >=1.0
        -i https://pypi.org/simple
    """
        },
    )
    deps = {d.name: d for d in collect(root).dependencies}
    assert deps["pyjwt"].display_name == "PyJWT"
    assert (deps["pyjwt"].pinned, deps["pyjwt"].line, deps["pyjwt"].hashes) == ("2.8.0", 2, ("sha256:abc",))
    assert deps["requests"].extras == ("socks",) and deps["requests"].marker == 'python_version >= "3.8"'
    assert deps["requests"].pinned is None and deps["requests"].specifier == "<3,>=2"
    assert deps["foo"].editable and deps["foo"].url.startswith("git+")
    assert deps["pkg"].url == "https://example.com/pkg-1.0.tar.gz"
    assert deps["long-name"].line == 6 and deps["long-name"].specifier == ">=1.0"
    assert len(deps) == 5


def test_a_forge_archive_url_is_named_by_its_repository_not_its_ref(tmp_path: Path) -> None:
    """LibrePhotos installs pyocclient from ``https://github.com/owncloud/pyocclient/archive/master.zip``:
    the file name of a GitHub or GitLab archive is the branch or tag, so the distribution read as
    ``master``; the repository is its name. A release file keeps the name its file gives."""
    root = make_repo(tmp_path, {"requirements.txt": (
        "https://github.com/owncloud/pyocclient/archive/master.zip\n"
        "https://gitlab.com/acme/widgets/-/archive/v1.2/widgets-v1.2.tar.gz\n"
        "https://github.com/o/r/archive/refs/tags/v2.0.tar.gz\n"
        "https://github.com/o/tool/releases/download/v1/tool-1.0.tar.gz\n"
    )})
    assert sorted(d.name for d in collect(root).dependencies) == ["pyocclient", "r", "tool", "widgets"]


def test_a_vcs_requirement_without_egg_is_named_by_its_repository(tmp_path: Path) -> None:
    """openFEC installs ``git+https://github.com/fecgov/marshmallow-pagination@check_result_exist``
    and imports ``marshmallow_pagination``: pip learns the name by building it, and the repository
    names the project, as an archive's does. ``#egg=`` still wins; a project in a subdirectory of
    the repository is named by its own metadata, so it stays nameless."""
    root = make_repo(tmp_path, {"requirements.txt": (
        "git+https://github.com/fecgov/marshmallow-pagination@check_result_exist\n"
        "git+ssh://git@github.com/org/widgets.git@v1.0\n"
        "hg+https://hg.example.org/proj\n"
        "git+https://github.com/o/r.git#egg=real-name\n"
        "git+https://github.com/o/mono@main#subdirectory=pkg\n"
    )})
    assert sorted(d.name for d in collect(root).dependencies) == [
        "marshmallow-pagination", "proj", "real-name", "widgets",
    ]


@pytest.mark.parametrize(
    "line",
    ["git+https://" + "a/" * 100_000 + "!", "git+https://" + "a" * 200_000, "git+" + "@" * 100_000, "git+https://x/\x01y"],
    ids=["a hundred thousand folders", "one huge host", "only at-signs", "a control character in the path"],
)
def test_hostile_vcs_requirements_are_read_in_one_pass(tmp_path: Path, line: str) -> None:
    root = make_repo(tmp_path, {"requirements.txt": line + "\nflask\n"})
    assert "flask" in {d.name for d in collect(root).dependencies}


def test_a_bad_marker_is_an_error_with_its_line_and_the_rest_still_counts(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"requirements.txt": 'ok==1\nbad; python_version >>> "3"\nalso-ok\n'})
    manifest = collect(root).manifests[0]
    assert [d.name for d in manifest.dependencies] == ["ok", "also-ok"]
    assert manifest.errors[0][0] == 2 and "not a valid requirement" in manifest.errors[0][1]


def test_includes_are_followed_and_a_cycle_is_reported_not_followed_forever(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "requirements.txt": "-r reqs/base.txt\n-c constraints.txt\nflask\n",
            "reqs/base.txt": "-r ../requirements.txt\nboto3\n",
            "constraints.txt": "flask==3.0.0\n",
            "missing-requirements.txt": "-r nowhere.txt\n-r ../../outside.txt\n",
        },
    )
    facts = collect(root)
    top = by_file(facts, "requirements.txt")
    assert top.includes == ("reqs/base.txt", "constraints.txt") and top.constraints == ("constraints.txt",)
    assert by_file(facts, "constraints.txt").dependencies[0].pinned == "3.0.0"
    cycle = [e for m in facts.manifests for e in m.errors if "cycle" in e[1]]
    assert len(cycle) == 1 and "requirements.txt" in cycle[0][1]
    missing = by_file(facts, "missing-requirements.txt").errors
    assert [line for line, _ in missing] == [1, 2]
    assert "not found" in missing[0][1] and "outside" in missing[1][1]


def test_requirements_file_names_set_the_group(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"requirements-dev.txt": "pytest\n", "requirements/prod.txt": "flask\n"})
    groups = {d.name: d.group for d in collect(root).dependencies}
    assert groups == {"pytest": "dev", "flask": None}


def test_pyproject_pep621_extras_groups_and_poetry(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": """
        [build-system]
        requires = ["hatchling"]

        [project]
        name = "My-Lib"
        dependencies = ["httpx>=0.27", "PyYAML==6.0.1"]

        [project.optional-dependencies]
        s3 = ["boto3"]

        [dependency-groups]
        test = ["pytest>=8", {include-group = "lint"}]
        lint = ["ruff"]

        [tool.poetry.dependencies]
        python = "^3.11"
        click = "^8.1.3"
        rich = {version = "~13.7", extras = ["jupyter"]}
        exact = "1.2.3"

        [tool.poetry.group.docs.dependencies]
        sphinx = "*"
    """
        },
    )
    manifest = collect(root).manifests[0]
    deps = {d.name: d for d in manifest.dependencies}
    assert manifest.project_name == "my-lib" and manifest.is_application is False
    assert deps["httpx"].line == 6 and deps["httpx"].group is None
    assert deps["pyyaml"].pinned == "6.0.1"
    assert deps["boto3"].group == "s3" and deps["boto3"].line == 9
    assert deps["pytest"].group == "test" and deps["ruff"].group == "lint"
    assert deps["click"].specifier == ">=8.1.3,<9" and deps["click"].line == 17
    assert deps["rich"].specifier == ">=13.7,<13.8" and deps["rich"].extras == ("jupyter",)
    assert deps["exact"].pinned == "1.2.3"
    assert deps["sphinx"].group == "docs" and deps["sphinx"].specifier == ""
    assert "python" not in deps


def test_setup_cfg_setup_py_and_pipfile(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "setup.cfg": "[metadata]\nname = thing\n[options]\ninstall_requires =\n    six>=1\n    attrs\n"
            "[options.extras_require]\nyaml = PyYAML\n",
            "setup.py": "from setuptools import setup\nsetup(name='thing', install_requires=['click>=8'],\n"
            "      extras_require={'dev': ['pytest']})\n",
            "Pipfile": '[packages]\nflask = "==3.0.0"\nrequests = {version = "*", extras = ["socks"]}\n'
            '[dev-packages]\npytest = "*"\n',
        },
    )
    facts = collect(root)
    cfg = {d.name: d for d in by_file(facts, "setup.cfg").dependencies}
    assert set(cfg) == {"six", "attrs", "pyyaml"} and cfg["pyyaml"].group == "yaml" and cfg["six"].line == 5
    py = {d.name: d for d in by_file(facts, "setup.py").dependencies}
    assert py["click"].line == 2 and py["pytest"].group == "dev"
    pip = {d.name: d for d in by_file(facts, "Pipfile").dependencies}
    assert pip["flask"].pinned == "3.0.0" and pip["flask"].line == 2
    assert pip["requests"].extras == ("socks",) and pip["pytest"].group == "dev"


SETUP_WITH_NAMES = """
from setuptools import setup

requires = [
    "urllib3>=1.21,<3",
    "idna>=2.5",
]
requires += ["certifi"]
test_requirements: list[str] = ["pytest>=3", "pytest-mock"]
extras = {"socks": ["PySocks>=1.5.6, !=1.5.7"], "chardet": "chardet>=3\\nsimplejson"}
loop = loop + ["never-read"]

setup(
    name="requests",
    install_requires=requires + ["charset_normalizer>=2"],
    tests_require=test_requirements,
    extras_require=extras,
    setup_requires=loop,
)
"""


def test_setup_py_follows_module_level_names_and_never_executes(tmp_path: Path) -> None:
    facts = collect(make_repo(tmp_path, {"setup.py": SETUP_WITH_NAMES}))
    manifest = by_file(facts, "setup.py")
    deps = {d.name: (d.group, d.line) for d in manifest.dependencies}
    assert deps == {
        "urllib3": (None, 4), "idna": (None, 5), "certifi": (None, 7), "charset-normalizer": (None, 14),
        "pytest": ("test", 8), "pytest-mock": ("test", 8),
        "pysocks": ("socks", 9), "chardet": ("chardet", 9), "simplejson": ("chardet", 10),
    }
    assert manifest.project_name == "requests" and not manifest.dynamic and manifest.errors == ()


def test_setup_py_that_computes_its_requirements_is_dynamic(tmp_path: Path) -> None:
    cases = {
        "a/setup.py": "import setuptools\nsetuptools.setup(install_requires=read('requirements.in'))\n",
        "b/setup.py": "from setuptools import setup\nsetup(**options)\n",
        "c/setup.py": "from setuptools import setup\na = b\nb = a\nsetup(install_requires=a)\n",
        "d/setup.py": "from setuptools import setup\nsetup(extras_require={k: [k] for k in 'ab'})\n",
        "e/setup.py": "from setuptools import setup\nsetup(install_requires=['ok', 'not valid ((('])\n",
    }
    facts = collect(make_repo(tmp_path, cases))
    assert [by_file(facts, name).dynamic for name in cases] == [True, True, True, True, False]
    broken = by_file(facts, "e/setup.py")
    assert [d.name for d in broken.dependencies] == ["ok"]
    assert broken.errors[0][0] == 2 and "not a valid requirement" in broken.errors[0][1]


def test_lock_files_are_pinned_and_skip_the_project_itself(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "uv.lock": 'version = 1\n[[package]]\nname = "app"\nversion = "0.1"\nsource = { editable = "." }\n'
            '[[package]]\nname = "httpx"\nversion = "0.27.0"\nsource = { registry = "https://pypi.org/simple" }\n',
            "a/poetry.lock": '[[package]]\nname = "click"\nversion = "8.1.7"\ngroups = ["main"]\n'
            '[[package]]\nname = "pytest"\nversion = "8.0.0"\ngroups = ["dev"]\n',
            "b/pylock.toml": 'lock-version = "1.0"\n[[packages]]\nname = "rich"\nversion = "13.7.1"\n',
            "c/Pipfile.lock": json.dumps(
                {
                    "default": {"flask": {"version": "==3.0.0", "hashes": ["sha256:x"]}},
                    "develop": {"pytest": {"version": "==8.0.0"}},
                },
                indent=4,
            ),
            "web/package-lock.json": json.dumps(
                {
                    "lockfileVersion": 3,
                    "packages": {
                        "": {"name": "web"},
                        "node_modules/lodash": {"version": "4.17.21"},
                        "node_modules/@types/node": {"version": "20.0.0", "dev": True},
                    },
                },
                indent=2,
            ),
        },
    )
    facts = collect(root)
    assert all(m.is_lock for m in facts.manifests)
    got = {(d.name, d.pinned, d.group, d.ecosystem) for d in facts.dependencies}
    assert got == {
        ("httpx", "0.27.0", None, "PyPI"),
        ("click", "8.1.7", None, "PyPI"),
        ("pytest", "8.0.0", "dev", "PyPI"),
        ("rich", "13.7.1", None, "PyPI"),
        ("flask", "3.0.0", None, "PyPI"),
        ("lodash", "4.17.21", None, "npm"),
        ("@types/node", "20.0.0", "dev", "npm"),
    }
    lines = {d.name: d.line for d in facts.dependencies}
    assert lines["httpx"] == 7 and lines["lodash"] == 7 and lines["flask"] == 3


def test_broken_toml_and_json_are_errors_with_lines(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\ndependencies = [\n  'a',,\n]\n",
            "uv.lock": "[[package]\nname=1",
            "package-lock.json": '{"packages": {\n  "x": ,\n}}',
            "Pipfile.lock": "[]",
        },
    )
    facts = collect(root)
    errors = {m.file.display: m.errors[0] for m in facts.manifests}
    assert errors["pyproject.toml"][0] == 4 and "invalid TOML" in errors["pyproject.toml"][1]
    assert errors["uv.lock"][0] == 1
    assert errors["package-lock.json"][0] == 2 and "invalid JSON" in errors["package-lock.json"][1]
    assert errors["Pipfile.lock"][1] == "not a JSON object"


def test_binary_empty_and_hostile_files_never_crash(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "requirements.txt": b"\x00\x01\x02binary",
            "requirements-empty.txt": "",
            "setup.py": "from setuptools import setup\nsetup(install_requires=open('r').read().split())\n",
            "setup.cfg": "not an ini [file\n",
            "Pipfile": "[packages]\nweird = 42\n",
            "a/pyproject.toml": "[project]\ndependencies = 'not a list'\n[tool.poetry]\ndependencies = 3\n",
            "b/requirements.txt": "--unknown-flag\n" + "x" * 5000 + "(\n",
        },
    )
    facts = collect(root)
    errors = {m.file.display: m.errors for m in facts.manifests}
    assert "binary" in errors["requirements.txt"][0][1]
    assert errors["requirements-empty.txt"] == () and errors["setup.py"] == ()
    assert by_file(facts, "setup.py").dynamic
    assert errors["setup.cfg"] and "unreadable value" in errors["Pipfile"][0][1]
    assert errors["a/pyproject.toml"] == (
        (2, "project.dependencies is a string, not an array"),
        (4, "tool.poetry.dependencies is a number, not a table"),
    )
    assert by_file(facts, "a/pyproject.toml").dependencies == ()
    assert [line for line, _ in errors["b/requirements.txt"]] == [1, 2]


def test_a_20_mb_lock_file_is_read(tmp_path: Path) -> None:
    entries = {
        f"node_modules/pkg{i}": {"version": f"1.0.{i}", "resolved": "https://r/" + "x" * 150} for i in range(100_000)
    }
    text = json.dumps({"lockfileVersion": 3, "packages": entries}, indent=2)
    assert len(text) > 20_000_000
    root = make_repo(tmp_path, {"package-lock.json": text})
    manifest = collect(root).manifests[0]
    assert len(manifest.dependencies) == 100_000 and manifest.errors == ()
    assert manifest.dependencies[-1].pinned == "1.0.99999"


MINIMAL = {
    "pyproject.toml": '[project]\nname = "p"\ndependencies = ["a==1"]\n',
    "setup.cfg": "[metadata]\nname = p\n[options]\ninstall_requires =\n    a==1\n",
    "Pipfile": '[packages]\na = "==1"\n',
    "setup.py": 'from setuptools import setup\nsetup(name="p", install_requires=["a==1"])\n',
    "uv.lock": '[[package]]\nname = "a"\nversion = "1"\n',
    "poetry.lock": '[[package]]\nname = "a"\nversion = "1"\n',
    "pylock.toml": '[[packages]]\nname = "a"\nversion = "1"\n',
    "Pipfile.lock": json.dumps({"default": {"a": {"version": "==1"}}, "develop": {}}),
    "package-lock.json": json.dumps({"packages": {"": {}, "node_modules/a": {"version": "1"}}}),
    "npm-shrinkwrap.json": json.dumps({"packages": {"": {}, "node_modules/a": {"version": "1"}}}),
}


def test_every_format_of_the_table_reads_its_file(tmp_path: Path) -> None:
    """One explicit table says which parser reads which file: every row reads a minimal file of
    its format into the kind it declares, and a file named in no row is no manifest."""
    assert set(FORMATS) == set(MINIMAL)
    facts = collect(make_repo(tmp_path, {**MINIMAL, "package.json": "{}"}))
    read = {m.file.display: m for m in facts.manifests}
    assert set(read) == set(MINIMAL)
    for name, (kind, _) in FORMATS.items():
        assert read[name].kind == kind
        assert [d.name for d in read[name].dependencies] == ["a"], name
        assert read[name].errors == ()


def test_a_setup_py_in_another_declared_encoding_is_read_and_its_readme_is_no_requirements_file(tmp_path: Path) -> None:
    """pip's test packages: a ``setup.py`` declaring ``# -*- coding: latin-1 -*-`` is valid Python,
    and a ``README.txt`` it ships as a data file is prose, not requirements."""
    root = make_repo(tmp_path, {"pkg/prjwithdatafile/README.txt": "Test project\n============\n"})
    (root / "pkg" / "setup.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nfrom setuptools import setup\n"
        b"setup(name='thing', author='Sa\xefd', install_requires=['click>=8'],\n"
        b"      data_files=[('share', ['prjwithdatafile/README.txt'])])\n"
    )
    (root / "bad" / "setup.py").parent.mkdir()
    (root / "bad" / "setup.py").write_bytes(b"# -*- coding: no-such-codec -*-\nfrom setuptools import setup\n")
    facts = collect(root)
    setup = by_file(facts, "pkg/setup.py")
    assert setup.errors == () and [d.name for d in setup.dependencies] == ["click"]
    assert "pkg/prjwithdatafile/README.txt" not in {m.file.display for m in facts.manifests}
    assert "not decodable as Python source" in by_file(facts, "bad/setup.py").errors[0][1]


def test_manifests_in_test_data_are_the_tools_inputs_not_the_projects(tmp_path: Path) -> None:
    """Poetry's ``tests/fixtures/invalid_lock/poetry.lock`` is broken on purpose, and its
    ``outdated_lock`` pins vulnerable versions on purpose: inputs for the tool under test."""
    root = make_repo(tmp_path, {
        "pyproject.toml": '[project]\nname = "tool"\ndependencies = ["click>=8"]\n',
        "tests/fixtures/invalid_lock/poetry.lock": "this is not toml\n",
        "tests/fixtures/outdated_lock/poetry.lock": '[[package]]\nname = "urllib3"\nversion = "1.25.10"\n',
        "tests/requirements.txt": "pytest==8.0\n",
    })
    assert sorted(m.file.display for m in collect(root).manifests) == ["pyproject.toml", "tests/requirements.txt"]
