"""CODE001-CODE004: stubs, long functions, large modules, files that do not parse."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gonogo.collectors import python as python_collector
from gonogo.collectors.python_target import NewerParse, minimum_version, parse_with
from gonogo.model import Outcome, Severity
from tests.helpers import make_repo, result_of, scan_repo


def test_stubs_in_product_code_only(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/service.py": """
                import abc

                def todo():
                    raise NotImplementedError

                def later():
                    pass

                class Base(abc.ABC):
                    @abc.abstractmethod
                    def run(self):
                        ...

                def real():
                    return 1
            """,
            "tests/test_service.py": "def test_x():\n    assert 1\n\ndef fake():\n    pass\n",
        },
    )
    result = result_of(scan_repo(repo, select="CODE001"), "CODE001")
    found = {(f.message, f.severity) for f in result.findings}
    assert found == {
        ("todo is a stub (raise NotImplementedError)", Severity.MEDIUM),
        ("later is a stub (pass)", Severity.LOW),
    }


def test_long_function_threshold_is_configurable(tmp_path):
    body = "def long_one():\n" + "    x = 1\n" * 65 + "    return x\n\ndef short():\n    return 2\n"
    repo = make_repo(tmp_path, {"app.py": body})
    report = scan_repo(repo, select="CODE002")
    result = result_of(report, "CODE002")
    assert [f.message for f in result.findings] == ["long_one is 67 lines (limit 60)"]
    assert result.findings[0].line == 1
    relaxed = scan_repo(repo, select="CODE002", thresholds={"max_function_lines": 100})
    assert result_of(relaxed, "CODE002").outcome is Outcome.PASS
    assert relaxed.metrics["code.long_functions"] == 0


def test_large_module(tmp_path):
    repo = make_repo(tmp_path, {"big.py": "x = 1\n" * 1200, "small.py": "y = 2\n"})
    report = scan_repo(repo, select="CODE003")
    assert [f.path for f in result_of(report, "CODE003").findings] == ["big.py"]


def test_unparsable_file_is_a_finding_and_the_rest_is_scanned(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "broken.py": "def oops(:\n    pass\n",
            "py2.py": "print 'hello'\n",
            "fine.py": "def todo():\n    raise NotImplementedError\n",
        },
    )
    report = scan_repo(repo, select="CODE")
    unparsable = result_of(report, "CODE004")
    assert sorted(f.path for f in unparsable.findings) == ["broken.py", "py2.py"]
    assert unparsable.findings[0].line == 1
    assert report.metrics["code.unparsable_files"] == 2
    assert report.metrics["code.stubs"] == 1


def test_base_methods_a_subclass_implements_are_abstract_by_convention(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/base.py": """
                class Provider:
                    def dumps(self, obj):
                        raise NotImplementedError

                    def loads(self, text):
                        raise NotImplementedError
            """,
            "app/json.py": """
                from app.base import Provider

                class DefaultProvider(Provider):
                    def dumps(self, obj):
                        return str(obj)
            """,
        },
    )
    result = result_of(scan_repo(repo, select="CODE001"), "CODE001")
    assert [f.message for f in result.findings] == ["Provider.loads is a stub (raise NotImplementedError)"]


PEP_758 = "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n"
"""``except A, B:`` without brackets: valid from Python 3.14 (PEP 758), a syntax error before."""


def test_syntax_of_a_newer_python_than_the_scan_is_unknown_not_broken(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path,
        {
            # a project for a Python newer than any interpreter here: its syntax cannot be judged
            "new/pyproject.toml": "[project]\nname = 'new'\nrequires-python = '>=3.99'\n",
            "new/app/deps.py": PEP_758,
            # a project for an older Python than the scan: a syntax error there is real
            "old/setup.py": "from setuptools import setup\nsetup(name='old', python_requires='>=3.8')\n",
            "old/app.py": "try:\n    pass\nexcept ValueError TypeError:\n    pass\n",
        },
    )
    report = scan_repo(repo, select="CODE004")
    result = result_of(report, "CODE004")
    assert [(f.path, f.line) for f in result.findings] == [("old/app.py", 3)]
    assert report.metrics["code.unparsable_files"] == 1
    notes = [n for n in report.notes if n.path == "new/app/deps.py"]
    assert len(notes) == 1 and "needs Python 3.99 to parse (new/pyproject.toml: >=3.99)" in notes[0].message


def test_only_unknown_syntax_makes_the_check_unknown_never_a_pass(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path,
        {"setup.cfg": "[options]\npython_requires = ==3.99.*\n", "app.py": PEP_758, "ok.py": "x = 1\n"},
    )
    report = scan_repo(repo, select="CODE004")
    result = result_of(report, "CODE004")
    assert result.outcome is Outcome.UNKNOWN and not result.findings
    assert "needs Python 3.99 to parse" in (result.reason or "")
    assert report.metrics["code.unparsable_files"] is None


@pytest.mark.parametrize(
    ("newer_result", "finding"),
    [(None, None), (("invalid syntax", 2), "does not parse: invalid syntax (Python 3.99)")],
    ids=["a newer interpreter parses it", "a newer interpreter fails too"],
)
def test_a_newer_interpreter_on_path_decides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newer_result: tuple[str, int] | None, finding: str | None
) -> None:
    def fake_parse(interpreter: str, sources: list[bytes]) -> list[NewerParse]:
        assert interpreter == "/opt/python3.99" and sources == [PEP_758.encode()]
        return [NewerParse(interpreter=interpreter, version=(3, 99), error=newer_result)]

    monkeypatch.setattr(python_collector, "newer_interpreter", lambda version: "/opt/python3.99")
    monkeypatch.setattr(python_collector, "parse_with", fake_parse)
    repo = make_repo(tmp_path, {"pyproject.toml": "[project]\nrequires-python = '>=3.99'\n", "app.py": PEP_758})
    result = result_of(scan_repo(repo, select="CODE004"), "CODE004")
    assert [f.message for f in result.findings] == ([finding] if finding else [])
    assert result.outcome is (Outcome.FAIL if finding else Outcome.PASS)


def test_the_newer_parse_runs_ast_parse_in_another_interpreter() -> None:
    results = parse_with(sys.executable, [b"x = 1\n", b"def f(:\n", b"a\x00b"])
    assert results is not None
    assert [r.error is None for r in results] == [True, False, False]
    assert results[1].error is not None and results[1].error[1] == 1
    assert parse_with("/nonexistent/python3.99", [b"x = 1\n"]) is None


@pytest.mark.parametrize(
    ("specifier", "minimum"),
    [(">=3.12,<3.13", (3, 12)), ("==3.14.*", (3, 14)), (">=3.14,<4.0", (3, 14)), (">=3.7, <4", (3, 7)),
     ("~=3.10", (3, 10)), ("<4", None), ("not a specifier", None)],
    ids=["range", "wildcard", "upper bound", "spaces", "compatible", "only an upper bound", "invalid"],
)
def test_minimum_version_of_requires_python(specifier: str, minimum: tuple[int, int] | None) -> None:
    assert minimum_version(specifier) == minimum


def test_a_project_templates_file_is_not_judged_but_a_real_error_beside_it_is(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path,
        {
            "{{cookiecutter.slug}}/config/urls.py": "{% if cookiecutter.use_api %}\nimport api\n{% endif %}\n",
            "hooks/post_gen_project.py": "def main(:\n    pass\n",
        },
    )
    report = scan_repo(repo, select="CODE004")
    assert [f.path for f in result_of(report, "CODE004").findings] == ["hooks/post_gen_project.py"]
    assert any(n.path == "{{cookiecutter.slug}}/config/urls.py" and "template" in n.message for n in report.notes)


@pytest.mark.parametrize(
    ("header", "flagged"),
    [
        ('revision = "0005"\ndown_revision = "0004"\n', ["helper"]),
        ('revision: str = "0005"\ndown_revision: str | None = None\n', ["helper"]),
        ('revision = "0005"\n', ["downgrade", "helper", "upgrade"]),  # not a revision without its parent
        ("", ["downgrade", "helper", "upgrade"]),
    ],
    ids=["an alembic revision", "annotated", "no down_revision", "a plain module"],
)
def test_an_alembic_revisions_empty_hooks_are_not_stubs(tmp_path, header, flagged):
    """``def downgrade(): pass`` says the revision has nothing to undo (mealie's revisions, and
    gonogo's own data migration); any other empty function in the file still is a stub."""
    body = (
        f"{header}\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n"
        '    """Nothing to undo."""\n\n\ndef helper():\n    pass\n'
    )
    repo = make_repo(tmp_path, {"migrations/versions/0005_backfill.py": body})
    found = result_of(scan_repo(repo, select="CODE001"), "CODE001").findings
    assert sorted(f.message.split()[0] for f in found) == flagged


def test_test_data_that_does_not_parse_is_listed_not_counted(tmp_path):
    """Black's ``tests/data/cases/`` are a formatter's inputs: syntax newer than the Python that
    scans them, or broken on purpose. A test module or helper that does not parse still counts."""
    repo = make_repo(tmp_path, {
        "tests/data/cases/pep_750.py": "x = t'{name}'\n",
        "tests/data/miscellaneous/invalid_header.py": "def oops(:\n",
        "tests/test_broken.py": "def test_a(:\n",
        "tests/helpers.py": "def helper(:\n",
        "app/main.py": "x = 1\n",
    })
    result = result_of(scan_repo(repo, select="CODE004"), "CODE004")
    assert sorted(f.path for f in result.findings) == ["tests/helpers.py", "tests/test_broken.py"]
    [table] = result.tables
    assert sorted(row[0] for row in table.rows) == ["tests/data/cases/pep_750.py", "tests/data/miscellaneous/invalid_header.py"]


@pytest.mark.parametrize(
    ("declaration", "declared"),
    [
        ({"Dockerfile.django-alpine": "FROM python:3.99.1-alpine AS base\nFROM base AS release\n"},
         "Dockerfile.django-alpine: FROM python:3.99"),
        ({"Dockerfile": "FROM --platform=linux/amd64 docker.io/library/python:3.99-slim\n"}, "Dockerfile: FROM python:3.99"),
        ({".python-version": "3.99.2\n"}, ".python-version: ==3.99"),
        ({"runtime.txt": "python-3.99.0\n"}, "runtime.txt: ==3.99"),
    ],
    ids=["a Dockerfile's image", "a registry-qualified image", ".python-version", "Heroku's runtime.txt"],
)
def test_an_application_declares_its_python_by_its_image_or_version_file(
    tmp_path: Path, declaration: dict[str, str], declared: str
) -> None:
    """DefectDojo has no packaging metadata: its Dockerfiles start from ``python:3.14.6-alpine``,
    and its code uses PEP 701 f-strings, which this Python cannot parse. Unknown, not broken."""
    repo = make_repo(tmp_path, {**declaration, "app/views.py": PEP_758})
    report = scan_repo(repo, select="CODE004")
    assert result_of(report, "CODE004").outcome is Outcome.UNKNOWN
    notes = [n.message for n in report.notes if n.path == "app/views.py"]
    assert len(notes) == 1 and f"needs Python 3.99 to parse ({declared})" in notes[0]


def test_an_image_of_no_python_version_declares_none(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"Dockerfile": "FROM python:latest\nFROM python:${PY}\n", "app.py": PEP_758})
    assert [f.path for f in result_of(scan_repo(repo, select="CODE004"), "CODE004").findings] == ["app.py"]


def test_a_data_folder_named_so_in_tests_holds_test_data(tmp_path):
    """Nautobot's ``tests/git_data/02-invalid-files/jobs/syntaxerror.py`` is a Git repository's
    content its tests load, broken on purpose."""
    repo = make_repo(tmp_path, {"nautobot/tests/git_data/02-invalid-files/jobs/syntaxerror.py": "print((\n"})
    result = result_of(scan_repo(repo, select="CODE004"), "CODE004")
    assert result.findings == () and len(result.tables[0].rows) == 1


@pytest.mark.parametrize(
    "declaration",
    [
        {".python-version": ""},
        {".python-version": "\x00\x01binary\xff"},
        {".python-version": "system\n"},
        {"runtime.txt": "python-" + "9" * 100_000 + "\n"},
        {"Dockerfile": "FROM " + "a" * 500_000 + "\n" + "FROM python:" + "3." * 50_000 + "\n"},
        {"Dockerfile": "\x00" * 1000},
        {"Dockerfile.dev": "FROM python:3.99.1\n" * 20_000},
    ],
    ids=["empty", "binary", "a word", "a huge number", "huge hostile lines", "NUL bytes", "twenty thousand stages"],
)
def test_malformed_python_declarations_are_read_without_error(tmp_path: Path, declaration: dict[str, str]) -> None:
    """A version file or Dockerfile that is empty, binary, garbage or huge declares nothing it cannot
    show, and the scan goes on: the file is judged on this Python, or on 3.99 where a stage says so."""
    root = make_repo(tmp_path, {"app.py": PEP_758})
    for name, text in declaration.items():
        (root / name).write_bytes(text.encode("utf-8", errors="surrogateescape"))
    result = result_of(scan_repo(root, select="CODE004"), "CODE004")
    declared = any("python:3.99" in text for text in declaration.values())
    assert (result.outcome is Outcome.UNKNOWN) == declared
    assert [f.path for f in result.findings] == ([] if declared else ["app.py"])
