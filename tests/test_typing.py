"""The type checker CI runs: strict on all of src/gonogo, silenced only for untyped dependencies,
and run by the test command before pytest so that a type error fails the run."""

from __future__ import annotations

import os
import stat
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def mypy_config() -> dict[str, Any]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    config: dict[str, Any] = pyproject["tool"]["mypy"]
    return config


def test_mypy_is_strict_on_the_whole_package():
    config = mypy_config()
    assert config["strict"] is True
    assert config["files"] == ["src/gonogo"]
    assert "ignore-without-code" in config["enable_error_code"]
    # no global escape hatch: these settings would loosen strict mode for our own code too
    for loosening in ("ignore_missing_imports", "ignore_errors", "disallow_untyped_defs", "follow_imports"):
        assert loosening not in config, loosening


def test_only_untyped_third_party_modules_are_let_off():
    overrides = mypy_config()["overrides"]
    assert isinstance(overrides, list) and overrides
    for override in overrides:
        assert set(override) == {"module", "ignore_missing_imports"}, override
        assert not any(module.split(".")[0] == "gonogo" for module in override["module"]), override


def fake_python(folder: Path, mypy_exit: int) -> Path:
    """An interpreter stand-in that logs each ``-m`` it is asked to run; ``mypy`` exits as told."""
    script = folder / "python"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{folder}/calls"\n'
        f'if [ "$2" = mypy ]; then exit {mypy_exit}; fi\n'
        "exit 0\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    # the script's apt-get step looks for chromium on PATH: a stand-in keeps it from installing one
    chromium = folder / "chromium"
    chromium.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    chromium.chmod(chromium.stat().st_mode | stat.S_IXUSR)
    return script


def run_test_command(folder: Path) -> tuple[int, list[str]]:
    env = {**os.environ, "PYTHON": str(folder / "python"), "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test.sh"), "-q", "tests/test_x.py"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    calls = (folder / "calls").read_text(encoding="utf-8").splitlines()
    return result.returncode, [" ".join(call.split()[:2]) for call in calls]


@pytest.mark.parametrize(
    ("mypy_exit", "expected_exit", "expected_calls"),
    [
        (0, 0, ["-m pip", "-m mypy", "-m pytest"]),
        (1, 1, ["-m pip", "-m mypy"]),
    ],
    ids=["types check: the suite runs", "a type error: the run fails before the suite"],
)
def test_the_test_command_runs_mypy_before_pytest(
    tmp_path: Path, mypy_exit: int, expected_exit: int, expected_calls: list[str]
):
    fake_python(tmp_path, mypy_exit)
    assert run_test_command(tmp_path) == (expected_exit, expected_calls)
