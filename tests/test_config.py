"""Configuration: where it is found, what a mistake looks like, waivers and gate changes."""

from __future__ import annotations

from datetime import date

import pytest

from gonogo.config import ConfigError, find_config_file, load_config, load_project_config
from gonogo.model import GateStatus
from gonogo.policy import gates_for
from tests.helpers import make_repo, result_of, scan_repo


@pytest.mark.parametrize(
    ("files", "key", "problem"),
    [
        ({"gonogo.toml": "profile = [unclosed\n"}, "", "invalid TOML"),
        ({"gonogo.toml": "threshholds = 3\n"}, "threshholds", "Extra inputs are not permitted"),
        ({"gonogo.toml": "profile = 'extreme'\n"}, "profile", "Input should be"),
        ({"gonogo.toml": "[[waivers]]\ncheck = 'TEST001'\nreason = '   '\n"}, "waivers.0.reason", "reason"),
        ({"gonogo.toml": "[[waivers]]\ncheck = 'TEST001'\nreason = 'r'\nuntil = 'soon'\n"}, "waivers.0.until", "date"),
        ({"pyproject.toml": "[tool.gonogo]\nthresholds = {max_function_lines = -1}\n"},
         "tool.gonogo.thresholds.max_function_lines", "greater than"),
        ({"gonogo.toml": b"\xff\xfe binary"}, "", "UTF-8"),
    ],
    ids=["broken TOML", "misspelt key", "unknown profile", "blank waiver reason", "bad date",
         "negative threshold in pyproject", "binary config"],
)
def test_config_errors_name_file_and_key(tmp_path, files, key, problem):
    make_repo(tmp_path, files)
    path = find_config_file(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.path == str(path)
    assert caught.value.key == key
    assert problem in caught.value.problem


def test_pyproject_without_tool_gonogo_is_no_config(tmp_path):
    make_repo(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n"})
    assert find_config_file(tmp_path) is None


def test_gonogo_toml_wins_over_pyproject(tmp_path):
    make_repo(tmp_path, {"pyproject.toml": "[tool.gonogo]\nprofile = 'critical'\n", "gonogo.toml": "profile = 'prototype'\n"})
    assert load_config(find_config_file(tmp_path)).profile == "prototype"


def test_a_broken_project_pyproject_falls_back_to_defaults_with_a_note(tmp_path):
    make_repo(tmp_path, {"pyproject.toml": "[project\n"})
    config = load_project_config(tmp_path, {"profile": "critical"})
    assert config.profile == "critical" and config.source is None  # defaults, then the command line
    assert len(config.notes) == 1 and "invalid TOML" in config.notes[0] and "default configuration" in config.notes[0]
    with pytest.raises(ConfigError):
        load_config(tmp_path / "pyproject.toml")  # named explicitly (--config), it is refused


@pytest.mark.parametrize(
    "files",
    [
        {"gonogo.toml": "profile = [\n", "pyproject.toml": "[project]\n"},
        {"pyproject.toml": "[tool.gonogo]\nprofil = 'critical'\n"},
    ],
    ids=["broken gonogo.toml", "valid pyproject with a wrong gonogo key"],
)
def test_a_config_written_for_gonogo_is_never_replaced_by_defaults(tmp_path, files):
    make_repo(tmp_path, files)
    with pytest.raises(ConfigError):
        load_project_config(tmp_path)


def test_a_gonogo_toml_still_applies_beside_a_broken_pyproject(tmp_path):
    make_repo(tmp_path, {"pyproject.toml": "[project\n", "gonogo.toml": "profile = 'prototype'\n"})
    config = load_project_config(tmp_path)
    assert config.profile == "prototype" and config.notes == ()


SKIPPED = {"tests/test_a.py": "import pytest\n@pytest.mark.skip(reason='x')\ndef test_a():\n    assert 1\n"}


def test_waiver_marks_finding_and_frees_the_gate(tmp_path):
    repo = make_repo(tmp_path, {**SKIPPED, "gonogo.toml": (
        "[[waivers]]\ncheck = 'TEST001'\npath = 'tests/*'\nreason = 'platform bug, tracked in #12'\n"
    )})
    report = scan_repo(repo, select="TEST")
    finding = result_of(report, "TEST001").findings[0]
    assert finding.waived is not None and finding.waived.reason == "platform bug, tracked in #12"
    assert report.metrics["tests.skipped"] == 0
    gate = next(g for g in report.gates if g.gate.name == "Test integrity")
    assert gate.status is GateStatus.PASS


def test_expired_waiver_stops_applying_and_says_so(tmp_path):
    repo = make_repo(tmp_path, {**SKIPPED, "gonogo.toml": (
        "[[waivers]]\ncheck = 'TEST001'\nreason = 'temporary'\nuntil = 2020-01-01\n"
    )})
    report = scan_repo(repo, "TEST", options={"today": date(2026, 1, 1)})
    assert report.metrics["tests.skipped"] == 1
    assert any("expired on 2020-01-01" in n.message for n in report.notes)


def test_gate_settings_change_blocking_and_add_gates():
    config = load_config(None, {"gates": {
        "Test integrity": {"blocking": False},
        "Small": {"conditions": [{"metric": "code.lines", "operator": "<", "threshold": 5000}]},
        "Code health": {"enabled": False},
    }})
    gates = {g.name: g for g in gates_for(config)}
    assert gates["Test integrity"].blocking is False
    assert gates["Small"].conditions[0].metric == "code.lines"
    assert "Code health" not in gates


def test_new_gate_without_conditions_is_an_error():
    config = load_config(None, {"gates": {"Mystery": {"blocking": True}}})
    with pytest.raises(ConfigError, match=r"gates\.Mystery"):
        gates_for(config)


def test_profiles_change_what_blocks():
    critical = {g.name: g.blocking for g in gates_for(load_config(None, {"profile": "critical"}))}
    prototype = {g.name: g.blocking for g in gates_for(load_config(None, {"profile": "prototype"}))}
    assert critical["Code health"] is True
    assert prototype["Test integrity"] is False


def test_every_bad_key_is_listed_at_once_with_the_closest_valid_one(tmp_path):
    make_repo(tmp_path, {"gonogo.toml": "profil = 'critical'\n[thresholds]\nmax_function_line = 3\n"
                                        "[gates.Security]\nblockng = true\n"})
    with pytest.raises(ConfigError) as caught:
        load_config(find_config_file(tmp_path))
    problems = {key: problem for _, key, problem in caught.value.problems}
    assert problems["profil"].endswith("did you mean profile?")
    assert problems["thresholds.max_function_line"].endswith("did you mean max_function_lines?")
    assert problems["gates.Security.blockng"].endswith("did you mean blocking?")
    assert len(str(caught.value).splitlines()) == 3


def test_a_bad_value_from_the_command_line_is_blamed_on_the_option(tmp_path):
    make_repo(tmp_path, {"gonogo.toml": "fail_on = 'conditionl'\n"})
    with pytest.raises(ConfigError) as caught:
        load_config(find_config_file(tmp_path), {"profile": "critcal"})
    where = {key: (source, problem) for source, key, problem in caught.value.problems}
    assert where["--profile"] == ("command line", where["--profile"][1])
    assert where["--profile"][1].endswith("did you mean critical?")
    assert where["fail_on"][0].endswith("gonogo.toml") and where["fail_on"][1].endswith("did you mean conditional?")


def test_the_cli_prints_every_config_problem_on_its_own_line(tmp_path):
    from typer.testing import CliRunner

    from gonogo.cli import app

    root = make_repo(tmp_path, {"gonogo.toml": "profil = 'critical'\nfail_on = 'never'\n", "a.py": "x = 1\n"})
    result = CliRunner().invoke(app, ["check", str(root), "--profile", "critcal"])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == "gonogo: configuration error: 3 problems"
    assert lines[1].startswith("  - command line: --profile: ") and lines[1].endswith("did you mean critical?")
    assert sum(line.startswith("  - ") for line in lines) == 3
