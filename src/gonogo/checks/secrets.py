"""Hard-coded credentials and committed ``.env`` files. Findings name the kind, the place and a
short fingerprint; the value itself never appears in a message, evidence or datum."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gonogo.collectors.secrets import SecretFacts, SecretHit
from gonogo.model import Category, Finding, Location, Severity
from gonogo.plan import Grouping, count_files, planner, plural
from gonogo.registry import CheckOutput, Failure, NotApplicable, check, fail


@check("SEC020", "No credential is committed to the repository", category=Category.SECURITY,
       severity=Severity.HIGH, counts="secrets.found")
def committed_secrets(secrets: SecretFacts) -> Iterator[CheckOutput]:
    """Why: a key, token or password in the repository is in every clone, fork, CI log and backup;
    deleting the line does not remove it from history. Whoever reads the code can use it.
    Fix: revoke and rotate the credential first, then remove it and load it from the environment
    or a secret manager; placeholders such as ``changeme`` or ``${VAR}`` are not reported."""
    if not secrets.files_scanned:
        raise NotApplicable("no text files to scan")
    for hit in secrets.hits:
        if not is_sample(hit):  # samples are SEC022's question
            yield _secret_failure(hit, "{what}", rule=hit.rule, in_test_code=hit.in_test_code)


def _secret_failure(hit: SecretHit, template: str, **extra: object) -> Failure:
    """A hit as a finding: kind, place, fingerprint and the masked line; never the value."""
    what = f"{hit.kind} assigned to {hit.name}" if hit.name else hit.kind
    return fail(
        f"{template.format(what=what)} (fingerprint {hit.fingerprint})",
        at=Location(path=hit.path, line=hit.line),
        evidence=hit.masked_line,
        key=f"{hit.kind}:{hit.fingerprint}",
        kind=hit.kind,
        fingerprint=hit.fingerprint,
        **extra,
    )


SAMPLE_KINDS = frozenset({"URL with a password", "Private Key"})
"""Known formats that tests carry on purpose: a test server's password in a URL, and the keys of
the throwaway certificate authorities TLS tests build on (``tests/certs/server.key``)."""


def is_sample(hit: SecretHit) -> bool:
    """A generic match (a secret-named assignment, a URL password) or a test key in tests, docs or
    examples: a sample far more often than a leak. Cloud and SaaS token formats are never samples:
    nobody invents an AWS key for a test, they paste a real one."""
    return hit.in_test_code and (hit.rule != "detect-secrets" or hit.kind in SAMPLE_KINDS)


@check("SEC022", "Tests, docs and examples use obvious placeholders for credentials", category=Category.SECURITY,
       severity=Severity.LOW, counts="secrets.samples")
def sample_credentials(secrets: SecretFacts) -> Iterator[CheckOutput]:
    """Why: a random-looking password or key in a test, a doc page or an example is usually a sample,
    but readers copy samples into production, and a real value pasted there looks the same.
    Cloud and SaaS token formats found there are real leaks and are SEC020's; a private key there
    is taken for a test certificate's, and reported here so someone confirms it is one.
    Fix: use an obvious placeholder (`changeme`, `<your-key>`, `${SECRET_KEY}`) or generate the
    value at run time (`secrets.token_hex()`)."""
    if not secrets.files_scanned:
        raise NotApplicable("no text files to scan")
    for hit in secrets.hits:
        if is_sample(hit):
            yield _secret_failure(hit, "random-looking {what} in a test, doc or example")


@check("SEC021", "No .env file is committed", category=Category.SECURITY,
       severity=Severity.MEDIUM, counts="secrets.env_files")
def committed_env_files(secrets: SecretFacts) -> Iterator[CheckOutput]:
    """Why: ``.env`` files hold a machine's local settings and credentials; committed, they leak
    them and override other people's settings. Templates (``.env.example``) are fine.
    Fix: ``git rm --cached .env``, add ``.env`` to ``.gitignore``, commit a ``.env.example`` with
    placeholder values instead."""
    if not secrets.files_scanned:
        raise NotApplicable("no text files to scan")
    for env in secrets.env_files:
        yield fail(
            f"{env.path} is in the tree and not git-ignored ({plural(env.assignments, 'setting')})",
            at=Location(path=env.path),
            key="env-file",
        )


@planner("SEC020")
def _rotate(findings: Sequence[Finding]) -> Grouping:
    files = count_files(findings)
    yield (
        f"Revoke, rotate and remove {plural(len(findings), 'committed credential')} in "
        f"{plural(files, 'file')}",
        findings,
    )
