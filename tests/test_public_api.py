"""The public API: ``from gonogo import ...`` gives exactly the curated names, each documented and
typed, ``import gonogo`` alone loads none of the engine, and the README's Python snippet runs."""

from __future__ import annotations

import importlib.resources
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import gonogo
from tests.helpers import make_repo

ROOT = Path(__file__).resolve().parent.parent

PUBLIC = [
    "Action",
    "Area",
    "Category",
    "CheckResult",
    "Config",
    "ConfigError",
    "Decision",
    "Finding",
    "GateResult",
    "GateStatus",
    "Location",
    "Note",
    "NothingToScan",
    "Outcome",
    "Priority",
    "Report",
    "ScanOptions",
    "Severity",
    "__version__",
    "load_config",
    "scan",
]
OBJECTS = [name for name in PUBLIC if name != "__version__"]


def test_all_is_the_curated_list():
    assert gonogo.__all__ == PUBLIC


@pytest.mark.parametrize("name", OBJECTS)
def test_each_public_name_imports_from_the_package(name: str):
    namespace: dict[str, object] = {}
    exec(f"from gonogo import {name}", namespace)
    assert namespace[name] is getattr(gonogo, name)
    assert getattr(namespace[name], "__name__", None) == name


@pytest.mark.parametrize("name", OBJECTS)
def test_each_public_name_has_its_own_docstring(name: str):
    obj = getattr(gonogo, name)
    # a class's own docstring, not an inherited one nor the signature a dataclass writes in its place
    doc = vars(obj).get("__doc__") if isinstance(obj, type) else obj.__doc__
    assert doc and doc.strip(), name
    assert not doc.startswith(f"{name}("), f"{name} has only the dataclass's generated signature"


def test_a_name_outside_the_api_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="'Workspace'"):
        _ = gonogo.Workspace
    assert set(PUBLIC) <= set(dir(gonogo))


def test_importing_the_package_loads_no_engine_until_a_name_is_used():
    src = Path(gonogo.__file__).resolve().parent.parent
    code = (
        "import sys, gonogo\n"
        "before = sorted(m for m in sys.modules if m.startswith('gonogo.'))\n"
        "from gonogo import Report\n"
        "print(before, 'gonogo.model' in sys.modules, 'gonogo.api' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(src)}, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[] True False"


def test_the_package_ships_its_py_typed_marker():
    assert importlib.resources.files("gonogo").joinpath("py.typed").is_file()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["gonogo"]


def readme_python_snippet() -> str:
    """The Python block of the README's "From Python" section, as a reader copies it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### From Python", 1)[1].split("\n#", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, blocks
    return blocks[0]


def test_the_readme_snippet_is_three_statements():
    statements = [line for line in readme_python_snippet().splitlines() if line.strip()]
    assert len(statements) == 3, statements


def test_the_readme_snippet_scans_the_current_folder_and_prints_the_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # a skipped test fails the blocking "Test integrity" gate, so the decision is known in advance
    repo = make_repo(
        tmp_path / "service",
        {
            "pyproject.toml": '[project]\nname = "service"\nversion = "1.0"\n',
            "tests/test_api.py": """
                import pytest

                @pytest.mark.skip
                def test_health():
                    assert 1 == 2
            """,
        },
    )
    monkeypatch.chdir(repo)
    exec(compile(readme_python_snippet(), "README.md", "exec"), {})
    assert capsys.readouterr().out == "NO GO\n"
