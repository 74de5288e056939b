"""Maintainer tooling: a script in a top-level ``scripts/`` or ``tools/`` folder that nothing ships
or runs builds its commands from the maintainer's own input, so its injection findings do not block.

Shaped on taiga-back's ``scripts/manage_translations.py`` (``shell=True`` on ``msgfmt`` commands
built from the catalog paths it walks), which its Dockerfile's ``COPY . /taiga-back`` leaves out
through a ``.dockerignore`` line ``scripts``, and which no CI step, compose file or manifest names.
"""

from __future__ import annotations

import pytest

from gonogo.collectors.tooling import leaves_out
from gonogo.model import GateStatus, Severity
from tests.helpers import make_repo, result_of, scan_repo

TRANSLATIONS = """
import os
from subprocess import call


def regenerate(base, languages):
    for lang in languages:
        po_path = "{path}/{lang}/LC_MESSAGES/django.po".format(path=base, lang=lang)
        call("msgfmt -c -o {0}.mo {1}".format(po_path[:-3], po_path), shell=True)
"""
DOCKERFILE = "FROM python:3.12.4-slim\nCOPY . /app\nCMD [\"gunicorn\", \"app.wsgi\"]\n"
TAIGA_SHAPED = {
    "scripts/manage_translations.py": TRANSLATIONS,
    "app/__init__.py": "",
    "app/wsgi.py": "application = None\n",
    "docker/Dockerfile": DOCKERFILE,
    ".dockerignore": ".git\n*.pyc\nscripts\ntests\n",
    ".github/workflows/tests.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: pytest tests\n",
}


def shell_findings(report):
    return [f for f in result_of(report, "SEC001").findings if f.get("rule") == "S602"]


def security_gate(report):
    return next(g for g in report.gates if g.gate.name == "Security")


def test_a_maintainer_script_nothing_ships_or_runs_is_listed_low_and_does_not_block(tmp_path):
    report = scan_repo(make_repo(tmp_path, TAIGA_SHAPED), select="SEC")
    [finding] = shell_findings(report)
    assert finding.path == "scripts/manage_translations.py"
    assert finding.severity is Severity.LOW
    assert "maintainer tooling" in finding.message and "bandit rates it high" in finding.message
    assert not finding.blocks
    assert report.metrics["security.high_high_confidence"] == 0


@pytest.mark.parametrize(
    "change",
    [
        {".dockerignore": ".git\n*.pyc\ntests\n"},
        {".dockerignore": ".git\nscripts\n!scripts/entry.sh\n"},
        {"docker/Dockerfile.dockerignore": ".git\n"},
        {"docker/Dockerfile": "FROM python:3.12.4-slim\nCOPY app /app/app\nCOPY scripts/ /app/scripts/\n",
         ".dockerignore": ".git\n"},
        {".containerignore": ".git\n"},
        {"docker/Dockerfile": "FROM python:3.12.4-slim\nCOPY s* /app/\n", ".dockerignore": ".git\n"},
        {"docker/Dockerfile": "FROM python:3.12.4-slim\nCOPY ${SRC} /app/\n", ".dockerignore": ".git\n"},
        {"scripts/__init__.py": ""},
        {"Procfile": "release: python scripts/manage_translations.py\n"},
        {"Makefile": "translations:\n\tpython -m scripts.manage_translations\n"},
        {"app/tasks.py": "import subprocess\nsubprocess.run(['python', 'scripts/manage_translations.py'])\n"},
        {"setup.py": "from glob import glob\nfrom setuptools import setup\nsetup(name='a', scripts=glob('scripts/*'))\n"},
        {"pyproject.toml": "[project]\nname = 'a'\nversion = '1'\n[tool.setuptools.packages.find]\nwhere = ['.']\n"},
    ],
    ids=[
        "the image copies the whole context and .dockerignore does not leave scripts out",
        "a .dockerignore exception may bring a file of the folder back",
        "the Dockerfile's own ignore file replaces the root's",
        "the Dockerfile copies the folder by name",
        "podman and buildah read .containerignore, which keeps the folder",
        "a glob copies the folder",
        "a variable may name the folder",
        "the folder is a package",
        "a Procfile runs the script",
        "a Makefile runs it as a module",
        "product code runs it",
        "setup.py installs the folder's scripts",
        "setuptools finds namespace packages at the root",
    ],
)
def test_a_script_that_ships_or_runs_keeps_its_severity_and_blocks(tmp_path, change):
    report = scan_repo(make_repo(tmp_path, {**TAIGA_SHAPED, **change}), select="SEC")
    [finding] = shell_findings(report)
    assert finding.severity is Severity.HIGH
    assert "maintainer tooling" not in finding.message
    assert finding.blocks
    assert report.metrics["security.high_high_confidence"] == 1
    assert security_gate(report).status is GateStatus.FAIL


@pytest.mark.parametrize(
    ("files", "check_id"),
    [
        ({"bin/manage_translations.py": TRANSLATIONS, ".dockerignore": ".git\nbin\n"}, "SEC001"),
        ({"scripts/release.py": "import requests\n\ndef post(url, token):\n"
          "    return requests.post(url, headers={'Authorization': token}, verify=False, timeout=5)\n"}, "SEC004"),
    ],
    ids=[
        "a folder whose name does not say tooling (bin/ holds installed commands)",
        "a release script's verify=False exposes the maintainer's token whoever runs it",
    ],
)
def test_only_injection_findings_in_a_tooling_folder_are_lowered(tmp_path, files, check_id):
    tree = {k: v for k, v in TAIGA_SHAPED.items() if not k.startswith("scripts/")}
    report = scan_repo(make_repo(tmp_path, {**tree, **files}), select="SEC")
    [finding] = [f for f in result_of(report, check_id).findings if f.severity is Severity.HIGH]
    assert finding.blocks
    assert security_gate(report).status is GateStatus.FAIL


@pytest.mark.parametrize(
    ("lines", "left_out"),
    [
        (["scripts"], True),
        (["# build context", "/scripts/"], True),
        (["./scripts/**"], True),
        (["**/scripts"], True),
        (["scripts/*.py"], False),
        (["script*"], False),
        (["tests", "docs"], False),
        (["scripts", "!scripts/run.sh"], False),
    ],
    ids=[
        "the folder's name", "rooted, with a comment above", "everything below it", "at any depth",
        "only its Python files", "a glob not read here", "other folders", "an exception brings a file back",
    ],
)
def test_which_dockerignore_lines_leave_a_folder_out(lines, left_out):
    assert leaves_out(lines, "scripts") is left_out


def test_what_names_a_maintainer_script_is_cached_a_rescan_reads_only_the_edited_file(tmp_path, monkeypatch):
    """The tooling rule asks every file of the root whether it names the script. The answers are
    cached by content and by the names sought: a rescan after one edit asks only the edited file,
    and an edit that names the script makes its finding block again."""
    from gonogo.collectors import tooling

    asked: list[bytes] = []
    real = tooling._mentions

    def counting(payload):
        asked.append(payload[0])
        return real(payload)

    monkeypatch.setattr(tooling, "_mentions", counting)
    root = make_repo(tmp_path / "repo", TAIGA_SHAPED)
    options = {"jobs": 1, "cache_dir": str(tmp_path / "cache"), "use_cache": True, "reuse": False}
    first = scan_repo(root, "SEC", options=options)
    cold = len(asked)
    assert cold >= 4 and not shell_findings(first)[0].blocks
    scan_repo(root, "SEC", options=options)
    assert len(asked) == cold  # nothing changed: every answer from the cache
    (root / "app/wsgi.py").write_text("import subprocess\nsubprocess.run(['python', 'scripts/manage_translations.py'])\n")
    edited = scan_repo(root, "SEC", options=options)
    assert asked[cold:] == [(root / "app/wsgi.py").read_bytes()]
    assert shell_findings(edited)[0].blocks
