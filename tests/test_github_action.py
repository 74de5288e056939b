"""The GitHub Action: action.yml valid against SchemaStore's schema, its scripts run as a runner
runs them (bash -eo pipefail, a GITHUB_OUTPUT and GITHUB_STEP_SUMMARY file per step), and the
step logic (`gonogo ci github`) writing the job summary, the annotations and the outputs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from gonogo.cache import CACHE_FILE
from gonogo.cli import app
from gonogo.integrations import github
from tests.helpers import make_repo

ROOT = Path(__file__).parent.parent
SRC = ROOT / "src"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "schemastore" / "github-action.json").read_text("utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
NO_GO_APP = {"app/run.py": "import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n"}


def test_action_yml_is_valid_against_its_schema():
    validator = jsonschema.Draft7Validator(SCHEMA)
    assert [e.message for e in validator.iter_errors(ACTION)] == []
    # the schema is not vacuous: a run step with no shell is refused
    broken = {**ACTION, "runs": {"using": "composite", "steps": [{"run": "true"}]}}
    assert list(validator.iter_errors(broken))


def test_action_is_composite_and_uploads_sarif_to_code_scanning():
    assert ACTION["runs"]["using"] == "composite"
    uses = [step["uses"].split("@")[0] for step in ACTION["runs"]["steps"] if "uses" in step]
    assert uses == ["actions/setup-python", "actions/cache", "github/codeql-action/upload-sarif"]
    assert {"paths", "profile", "formats", "fail-on"} <= set(ACTION["inputs"])
    assert {"decision", "exit-code"} <= set(ACTION["outputs"])


def test_inputs_reach_scripts_only_through_env():
    """``${{ inputs.x }}`` inside ``run:`` is pasted into the script before bash reads it, so a
    crafted input (a branch name, a PR title) would be code: every run block must have none."""
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert not EXPRESSION.search(step["run"]), step.get("name")


def _evaluate(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]], runner_temp: Path) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        if expression == "github.action_path":
            return str(ROOT)
        if expression == "runner.temp":
            return str(runner_temp)
        found = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        if found:
            return outputs.get(found[1], {}).get(found[2], "")
        raise AssertionError(f"the test runner does not know the expression {expression!r}")

    return EXPRESSION.sub(value, text)


def _run_action(workspace: Path, tmp: Path, **given: str) -> dict[str, Any]:
    """Every ``run`` step but the install (gonogo is on PATH as this checkout, like after pip install),
    each with its own GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, as the runner gives them."""
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | given
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "gonogo"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m gonogo "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    outputs: dict[str, dict[str, str]] = {}
    ran: dict[str, Any] = {"summary": "", "stdout": "", "exit": {}}
    for index, step in enumerate(ACTION["runs"]["steps"]):
        if "run" not in step or step.get("id") == "install":
            continue
        output_file, summary_file = tmp / f"output-{index}", tmp / f"summary-{index}"
        output_file.touch()
        summary_file.touch()
        runner_temp = tmp / "runner-temp"
        env = {key: _evaluate(str(value), inputs, outputs, runner_temp) for key, value in step.get("env", {}).items()}
        env |= {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(SRC),
            "HOME": str(tmp),
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_file),
        }
        script = tmp / f"step-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workspace, env=env, capture_output=True, text=True, timeout=300)
        step_id = step.get("id") or step["name"]
        outputs[step_id] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        ran["exit"][step_id] = done.returncode
        ran["stdout"] += done.stdout
        ran["summary"] += summary_file.read_text(encoding="utf-8")
    ran["outputs"] = outputs
    return ran


def test_the_action_scripts_scan_summarise_annotate_and_fail_on_no_go(tmp_path):
    workspace = make_repo(tmp_path / "workspace", {"service/" + path: text for path, text in NO_GO_APP.items()})
    ran = _run_action(workspace, tmp_path, paths="service", formats="md,codeclimate", args="--select SEC,DOC")
    assert ran["exit"]["check"] == 0  # the check step records the decision and goes on
    assert ran["outputs"]["check"]["exit-code"] == "1"
    assert ran["outputs"]["summary"] == {"decision": "NO_GO", "exit-code": "1"}
    assert ran["exit"]["Decision"] == 1  # the last step fails the job on NO-GO
    assert ran["summary"].startswith("## :x: gonogo: NO GO\n")
    assert "| Security | yes | :x: fail |" in ran["summary"]
    assert "### Plan (top" in ran["summary"]
    assert "::error file=service/app/run.py,line=4,title=SEC001" in ran["stdout"]  # a path in the repository
    for report in ("report.json", "report.sarif", "report.md", "gl-code-quality-report.json"):
        assert (workspace / "gonogo-report" / report).is_file()


def test_the_fact_cache_is_kept_in_the_folder_actions_cache_restores_and_saves(tmp_path):
    """A runner starts empty: without its fact cache kept between runs, every scan in CI is cold."""
    steps = ACTION["runs"]["steps"]
    kept = next(step for step in steps if step.get("uses", "").startswith("actions/cache@"))
    check = next(step for step in steps if step.get("id") == "check")
    assert kept["with"]["path"] == check["env"]["GONOGO_CACHE_DIR"] == "${{ runner.temp }}/gonogo-cache"
    assert kept["if"] == "inputs.cache == 'true'" and ACTION["inputs"]["cache"]["default"] == "true"
    assert "${{ github.sha }}" in kept["with"]["key"] and kept["with"]["key"].startswith(kept["with"]["restore-keys"])
    workspace = make_repo(tmp_path / "workspace", NO_GO_APP)
    _run_action(workspace, tmp_path, args="--select SEC")
    assert (tmp_path / "runner-temp" / "gonogo-cache" / CACHE_FILE).is_file()


def test_the_action_fails_a_selection_naming_no_check_as_no_decision(tmp_path):
    workspace = make_repo(tmp_path / "workspace", {"README.md": "# app\n", "app.py": "x = 1\n"})
    bad = _run_action(workspace, tmp_path, args="--select NOPE")
    assert bad["outputs"]["check"]["exit-code"] == "2"
    assert "::error title=gonogo::no report was written (gonogo check exited 2)" in bad["stdout"]
    assert bad["exit"]["Decision"] == 2


# --- the step logic, through the CLI -------------------------------------------------------------

def _report(findings: list[dict[str, Any]], decision: str = "NO_GO") -> dict[str, Any]:
    return {
        "decision": decision,
        "summary": {"checks_ran": 3, "checks_passed": 1, "findings": len(findings), "active_findings": len(findings)},
        "gates": [{"name": "Security", "status": "fail", "blocking": True, "how_to_check": None, "conditions": [
            {"metric": "security.high", "operator": "==", "threshold": 0, "measured": 2, "status": "fail"},
            {"metric": "secrets.found", "operator": "==", "threshold": 0, "measured": 0, "status": "pass"}]}],
        "plan": [{"priority": "P0", "title": f"fix {i}", "check_ids": ["SEC001"], "findings": 1, "locations": [],
                  "verify": "gonogo check --select SEC001 .", "owner": None} for i in range(7)],
        "findings": findings,
    }


def _finding(**given: Any) -> dict[str, Any]:
    return {"check_id": "SEC001", "severity": "high", "message": "m", "path": "a.py", "line": 3,
            "evidence": None, "waived": False, "blocks": False} | given


def _ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report: dict[str, Any], *args: str):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    result = CliRunner().invoke(app, ["ci", "github", str(path), *args], catch_exceptions=False)
    return result, summary.read_text(encoding="utf-8"), output.read_text(encoding="utf-8") if output.exists() else ""


def test_summary_has_decision_failing_conditions_and_top_of_plan(tmp_path, monkeypatch):
    result, summary, output = _ci(tmp_path, monkeypatch, _report([_finding()]), "--exit-code", "1")
    assert result.exit_code == 0, result.output
    assert summary.startswith("earlier step\n## :x: gonogo: NO GO\n")  # appended, never replacing
    assert "**Why:** blocking gate(s) failed: Security." in summary
    assert "| Security | yes | :x: fail | security.high = 2 (needs == 0)<br>1 passing |" in summary
    assert "### Plan (top 5 of 7 actions)" in summary and "fix 4" in summary and "fix 5" not in summary
    assert "`gonogo check --select SEC001 .`" in summary
    assert "1 of 3 checks passed; 1 active finding(s)." in summary
    assert output == "decision=NO_GO\nexit-code=1\n"


def test_annotations_worst_first_capped_and_accepted_findings_left_out(tmp_path, monkeypatch):
    findings = [
        _finding(message="low one", severity="low", path="z.py", line=1),
        _finding(message="blocking medium", severity="medium", blocks=True, path="b.py", line=9),
        _finding(message="critical", severity="critical", path="c.py", line=2),
        _finding(message="waived", severity="critical", waived=True),
        _finding(message="baselined", severity="critical", suppressed="baseline"),
        _finding(message="whole repo", severity="medium", path=None, line=None),
    ]
    result, _, _ = _ci(tmp_path, monkeypatch, _report(findings), "--max-annotations", "3")
    lines = result.stdout.splitlines()
    assert lines == [
        "::error file=b.py,line=9,title=SEC001 (medium%2C blocks the release)::blocking medium",
        "::error file=c.py,line=2,title=SEC001 (critical)::critical",
        "::warning title=SEC001 (medium)::whole repo",
    ]


def test_hostile_text_cannot_forge_a_command_or_a_heading(tmp_path, monkeypatch):
    evil = _finding(path="x,line=1::y.py", message="boom\n::error::forged %0A\r\n## GO")
    report = _report([evil])
    report["gates"][0]["name"] = "Sec\n## GO <img src=x onerror=alert(1)>"
    report["plan"][0]["title"] = "| cell | [link](https://evil.example)"
    result, summary, _ = _ci(tmp_path, monkeypatch, report)
    (line,) = result.stdout.splitlines()  # one command, however many line breaks the message held
    assert line.startswith("::error file=x%2Cline=1%3A%3Ay.py,line=3,")
    assert line.endswith("::boom\\x0a::error::forged %250A\\x0d\\x0a## GO")  # shown, never obeyed
    assert "\n## GO" not in summary and not re.search(r"(?<!\\)<img", summary)
    assert "\\[link\\]" in summary and "\\| cell" in summary


@pytest.mark.parametrize(
    ("roots", "prefix"),
    [(["service"], "service/"), (["."], ""), (["a/x", "a/y"], "a/"), (["a/x", "b/y"], ""), (["../elsewhere"], "")],
    ids=["one root in a folder", "the workspace itself", "roots side by side", "roots apart", "outside the workspace"],
)
def test_paths_are_made_relative_to_the_repository(tmp_path, roots, prefix):
    workspace = str(tmp_path)
    assert github.path_prefix([str(tmp_path / r) for r in roots], workspace) == prefix


def test_a_file_that_is_no_report_is_no_decision(tmp_path, monkeypatch):
    result, _, _ = _ci(tmp_path, monkeypatch, {"version": "2.1.0", "runs": []})
    assert result.exit_code == 2
    assert "not a gonogo JSON report" in " ".join(result.stderr.split())


def test_outside_github_actions_it_says_so_and_still_annotates(tmp_path, monkeypatch):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(_report([_finding()])), encoding="utf-8")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    result = CliRunner().invoke(app, ["ci", "github", str(path)])
    assert result.exit_code == 0
    assert "$GITHUB_STEP_SUMMARY is not set" in result.stderr
    assert result.stdout.startswith("::error file=a.py,line=3,")
