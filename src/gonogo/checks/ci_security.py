"""What CI really runs and what it is allowed to do: paths it names that are not there, security
scanning, automated dependency updates, token permissions, and privileged pull request workflows."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gonogo.collectors.ci import CiFacts, CiFile
from gonogo.collectors.ci_workflows import Workflow
from gonogo.model import Category, Severity
from gonogo.registry import CheckOutput, Metric, NotApplicable, check, fail

_SCANNERS = re.compile(
    r"(?<![\w-])(pip-audit|osv-scanner|bandit|semgrep|safety\s+(check|scan)|trivy|grype|snyk|gonogo|gitleaks|"
    r"trufflehog|codeql|zaproxy|owasp-zap|zap-baseline|zap-full-scan|zap-api-scan|zap\.sh|zizmor|dependency-check|"
    r"ruff\s+check\s+[^\n]*--select[= ][^\n]*\bS\b)(?![\w-])",
    re.IGNORECASE,
)
"""A security scanner started by a command."""
_SCANNER_ACTIONS = re.compile(
    r"(pip-audit|osv-scanner|bandit|semgrep|safety|trivy|grype|snyk|gonogo|gitleaks|trufflehog|codeql|zizmor|"
    r"dependency-check|scorecard|zaproxy)",
    re.IGNORECASE,
)
"""A scanner named by the action a step uses (``github/codeql-action/analyze``,
``aquasecurity/trivy-action``, ``pypa/gh-action-pip-audit``, ``ossf/scorecard-action``)."""


def _github(ci: CiFacts) -> list[tuple[CiFile, Workflow]]:
    found = [(f, f.workflow) for f in ci.files if f.workflow is not None]
    if not found:
        raise NotApplicable("no GitHub Actions workflow")
    return found


@check("CI004", "Paths the CI names exist in the repository", category=Category.CI, severity=Severity.MEDIUM,
       counts="ci.missing_paths")
def missing_ci_paths(ci: CiFacts) -> Iterator[CheckOutput]:
    """Why: a workflow that runs ``pytest tests/integration`` or ``bash scripts/test.sh``, or sets
    ``working-directory: backend``, for a folder that was moved or never created either fails on
    every run or, behind a condition, never runs what it claims to; a ``paths:`` filter that
    matches no file means the workflow never starts on a change. Read from ``run:``/``script:``
    commands (with ``cd`` followed), ``working-directory`` values and the ``paths:`` filters of
    push and pull request triggers (negated patterns and ``paths-ignore`` are not judged); paths with variables, paths
    run inside containers, tox or remote hosts, scripts an earlier command writes, and workflows
    that check out into a sub-folder are not judged.
    Fix: point the step at the path that exists, or delete the step."""
    if not ci.files:
        raise NotApplicable("no CI configuration (CI001)")
    claims = [(item, claim) for item in ci.files for claim in item.paths]
    yield Metric(name="ci.paths_named", value=len(claims))
    for item, claim in claims:
        if not claim.exists:
            missing = "matches no file" if claim.role == "paths filter" else "does not exist"
            yield fail(
                f"{claim.role} {claim.path!r} {missing} in the repository",
                at=item.file.at(claim.line),
                key=f"{claim.role}:{claim.path}",
            )


@check("CI005", "CI runs a security scanner", category=Category.CI, severity=Severity.LOW)
def security_scanning(ci: CiFacts) -> Iterator[CheckOutput]:
    """Why: vulnerabilities in dependencies and insecure code patterns are found by tools, not by
    review; a scanner in CI (pip-audit, osv-scanner, bandit, ruff's ``S`` rules, Semgrep, CodeQL,
    Trivy, OWASP ZAP, gonogo) finds them on every change rather than after an incident. Read from the commands
    and actions in the CI files, and the scripts they call; CodeQL's default setup and scanners
    run by an external service leave no trace in the repository, so this stays low.
    Fix: add a step running ``pip-audit`` (or ``osv-scanner``) and a SAST tool, or enable CodeQL."""
    if not ci.files:
        raise NotApplicable("no CI configuration (CI001)")
    found = sorted({match.group(1).split()[0].lower() for item in ci.files for match in _scanner_matches(item)})
    yield Metric(name="ci.security_scanners", value=len(found))
    if not found:
        first = ci.files[0]
        yield fail("no security scanner runs in CI (pip-audit, osv-scanner, bandit, CodeQL, Trivy...)",
                   at=first.file.at(None), key="no-scanner")


def _scanner_matches(item: CiFile) -> Iterator[re.Match[str]]:
    for use in item.uses:  # ``github/codeql-action/analyze``, ``pypa/gh-action-pip-audit``
        yield from _SCANNER_ACTIONS.finditer(use.action)
    texts = []
    for command in item.commands:
        if command.is_shell:
            texts.append(command.text)
            texts.extend(line.text for line in command.reaches)
    for text in texts:
        yield from _SCANNERS.finditer(text)


@check("CI006", "Dependency updates are automated", category=Category.CI, severity=Severity.LOW)
def dependency_updates(ci: CiFacts) -> Iterator[CheckOutput]:
    """Why: a fix for a vulnerable dependency helps only once it is installed; Dependabot or
    Renovate open the update as a pull request, so patches arrive with a test run instead of
    waiting for someone to remember. Read from ``.github/dependabot.yml`` and Renovate's config
    files; Renovate configured only in an organisation preset, or Dependabot security updates
    switched on in the repository settings, leave no file, so this stays low.
    Fix: add ``.github/dependabot.yml`` with an entry per ecosystem (pip, npm, docker,
    github-actions), or a ``renovate.json``."""
    if not ci.files:
        raise NotApplicable("no CI configuration (CI001)")
    yield Metric(name="ci.dependency_updates", value=1.0 if ci.update_configs else 0.0)
    if not ci.update_configs:
        yield fail("no Dependabot or Renovate configuration", at=ci.files[0].file.at(None), key="no-updates")


@check("CI007", "Workflows limit the token's permissions", category=Category.CI, severity=Severity.LOW)
def token_permissions(ci: CiFacts) -> Iterator[CheckOutput]:
    """Why: every job gets a ``GITHUB_TOKEN``; without a ``permissions:`` block it has the
    repository's default, which is read-write for repositories created before February 2023 and
    for organisations that kept that default. A compromised step (a hijacked action, an injected
    command) can then push code or publish releases. OpenSSF Scorecard's Token-Permissions check.
    The default cannot be read from the repository, so this stays low. A reusable workflow
    (triggered only by ``workflow_call``) runs with its caller's token, and is judged there.
    Fix: add ``permissions: contents: read`` at the top of the workflow and grant writes per job."""
    for item, workflow in _github(ci):
        if workflow.triggers == {"workflow_call"}:
            continue
        if workflow.permissions == "write-all":
            yield fail("the workflow grants the token write-all", at=item.file.at(workflow.permissions_line),
                       key="write-all")
            continue
        open_jobs = [job for job in workflow.jobs if job.permissions is None]
        for job in workflow.jobs:
            if job.permissions == "write-all":
                yield fail(f"job {job.name} grants the token write-all", at=item.file.at(job.line),
                           key=f"write-all:{job.name}")
        if workflow.permissions is None and open_jobs:
            names = ", ".join(job.name for job in open_jobs[:5])
            yield fail(
                f"no top-level permissions, and {len(open_jobs)} of {len(workflow.jobs)} job(s) set none ({names})",
                at=item.file.at(open_jobs[0].line),
                key="unset",
            )


@check("CI008", "No privileged workflow checks out pull request code", category=Category.CI,
       severity=Severity.HIGH)
def dangerous_workflow(ci: CiFacts) -> Iterator[CheckOutput]:
    """Why: a workflow triggered by ``pull_request_target`` or ``workflow_run`` runs with the base
    repository's secrets and a write token, even for a pull request from a fork. Checking out the
    pull request's head there (``ref: ${{ github.event.pull_request.head.sha }}``) lets anyone who
    opens a pull request run code with those secrets ("pwn request"; OpenSSF Scorecard's
    Dangerous-Workflow check).
    Fix: use the ``pull_request`` trigger for anything that runs the contributor's code; keep
    ``pull_request_target`` for labelling and commenting, without checking out the head."""
    for item, workflow in _github(ci):
        triggers = workflow.privileged_triggers
        if not triggers:
            continue
        for job, checkout in workflow.head_checkouts():
            yield fail(
                f"job {job.name} checks out {checkout.ref} in a workflow triggered by {', '.join(sorted(triggers))}",
                at=item.file.at(checkout.line),
                key=f"{job.name}:{checkout.line}",
            )
