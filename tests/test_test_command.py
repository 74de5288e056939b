"""The README's test command is the one CI runs, and it sets up what the suite needs by itself."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start_blocks() -> list[str]:
    """The shell blocks of the README's Quick start section, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)]


def test_ci_runs_exactly_the_readme_test_command():
    command = quick_start_blocks()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert any(line == command or line.startswith(f"{command} ") for line in ci_lines), (command, ci_lines)


def test_the_test_command_installs_the_test_extra_and_runs_pytest_without_services_sh():
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "pip install" in script and "-e '.[test]'" in script
    assert re.search(r'^exec "\$PYTHON" -m pytest "\$@"$', script, flags=re.MULTILINE)
    assert "services.sh" not in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
