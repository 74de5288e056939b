"""The documented CI templates stay in step with the command line they call."""

from __future__ import annotations

from pathlib import Path

import yaml

from gonogo.cli import FORMATS

ROOT = Path(__file__).parent.parent


def test_gitlab_template_collects_the_files_gonogo_writes():
    job = yaml.safe_load((ROOT / "docs" / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))["gonogo"]
    (command,) = [line for line in job["script"] if line.startswith("gonogo check")]
    formats = command.split("--format ")[1].split()[0].split(",")
    assert set(formats) <= set(FORMATS)
    output = command.split("--output ")[1].split()[0]
    reports = job["artifacts"]["reports"]
    assert reports["codequality"] == f"{output}/{FORMATS['codeclimate'][0]}" and "codeclimate" in formats
    assert reports["junit"] == f"{output}/{FORMATS['junit'][0]}" and "junit" in formats
    assert job["artifacts"]["when"] == "always"  # a NO-GO job still hands over its reports
    assert "allow_failure" not in job  # the decision is the job's outcome


def test_ci_page_is_linked_from_the_readme():
    assert "docs/ci.md" in (ROOT / "README.md").read_text(encoding="utf-8")
