"""Hard-coded credentials and committed ``.env`` files. Findings name the kind, the place and a
short fingerprint; the value itself never appears in a message, evidence or datum."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from gonogo.collectors.containers import ContainerFacts
from gonogo.collectors.secrets import EnvFile, Place, SecretFacts, SecretHit
from gonogo.grouping import Grouping, count_files, plural
from gonogo.model import Category, Finding, Location, Severity
from gonogo.registry import CheckOutput, Failure, NotApplicable, check, fail
from gonogo.relpaths import at_or_below


def _rotate(findings: Sequence[Finding]) -> Grouping:
    files = count_files(findings)
    yield (
        f"Revoke, rotate and remove {plural(len(findings), 'committed credential')} in "
        f"{plural(files, 'file')}",
        findings,
    )


@check("SEC020", "No credential is committed to the repository", category=Category.SECURITY,
       severity=Severity.HIGH, counts="secrets.found", plan=_rotate)
def committed_secrets(secrets: SecretFacts, containers: ContainerFacts | None) -> Iterator[CheckOutput]:
    """Why: a key, token or password in the repository is in every clone, fork, CI log and backup;
    deleting the line does not remove it from history. Whoever reads the code can use it.
    Fix: revoke and rotate the credential first, then remove it and load it from the environment
    or a secret manager. Only what has a credential's shape where credentials live is reported here:
    placeholders (``changeme``, ``${VAR}``, ``test-secret-do-not-use``) are not reported at all;
    values in tests, docs, examples, CI service settings, ``.env`` templates, comments and
    docstrings, and one-word defaults (``POSTGRES_PASSWORD: postgres``) are SEC022's, unless they
    have a known token format (an AWS, GitHub, Slack or Stripe key): those are reported here
    wherever they are."""
    if not secrets.files_scanned:
        raise NotApplicable("no text files to scan")
    development = _development_paths(containers)
    for hit in secrets.hits:
        if sample_reason(hit, development) is None:  # samples are SEC022's question
            yield _secret_failure(hit, "{what}", rule=hit.rule, in_test_code=hit.in_test_code, place=hit.place.value)


def _secret_failure(hit: SecretHit, template: str, **extra: Any) -> Failure:
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


URL_KIND = "URL with a password"
PRIVATE_KEY_KIND = "Private Key"
JWT_KIND = "JSON Web Token"
DOCUMENTED_EXAMPLES = {
    "80751f0c": "GitHub's documented example installation token (ghs_16C7e42F...), copied from its docs",
    "8edfee22": "jwt.io's example token (John Doe), copied from its front page",
    "d7b2be81": "the Azurite storage emulator's published development key (devstoreaccount1)",
    "d375da9e": "Google's published reCAPTCHA test secret key, under which every verification passes",
}
"""Credentials their vendors publish as examples, by their fingerprint (the value is never kept):
readthedocs' tests, FastAPI's docs and Celery's compose file copy them, mwdb's development compose
file sets the reCAPTCHA one, and they open nothing."""
SAMPLE_PLACES = frozenset({Place.TEST, Place.DOCS, Place.EXAMPLE, Place.DEVELOPMENT})
"""Where a private key is a test certificate authority's (``tests/certs/server.key``) or a
documented sample rather than a deployed key."""
PLACE_REASONS = {
    Place.TEST: "in test code",
    Place.DOCS: "in documentation",
    Place.EXAMPLE: "in an example or template",
    Place.CI: "in CI configuration, where a literal sets up a throwaway service (real CI secrets come "
    "from the CI's secret store)",
    Place.TRANSLATION: "in a translation file",
    Place.ENV_TEMPLATE: "in an .env template",
    Place.DEVELOPMENT: "in the development set-up (a `dev/` folder, or a local, CI or test settings module), "
    "where a literal configures a local service",
}


def _development_paths(containers: ContainerFacts | None) -> frozenset[str]:
    """The development compose files and the configurations only they mount on a service."""
    return containers.development_compose | containers.development_configs if containers else frozenset()


def _in_development(path: str, development: frozenset[str]) -> bool:
    """``path`` is one of ``development``'s, or in a folder of it (``docker/dovecot_config/...``)."""
    return any(at_or_below(path, folder) for folder in development)


ENVIRONMENT_CLASS_REASON = (
    "in a configuration class for another environment than production (`class Development(Config)`), where a "
    "literal configures a developer's or a test run's service"
)
DEVELOPMENT_COMPOSE_REASON = (
    "in a compose file that runs the checkout (a development set-up), or a configuration only it mounts, where "
    "a literal configures a local service"
)


def sample_reason(hit: SecretHit, development_compose: frozenset[str] = frozenset()) -> str | None:
    """Why ``hit`` is a sample rather than a leak, or ``None`` when it is a leak.

    A generic match (a secret-named assignment, a URL's password) is a sample outside product code,
    in a comment or docstring, or when its value is one short word (a default such as ``postgres``,
    not a credential's shape). A private key is a sample only in tests, docs and examples (test
    certificate authorities), or in a module-level constant named for tests. Cloud and SaaS
    token formats are never samples, since nobody invents an AWS key for a test; except an AWS key
    ID alone in a saved web page or capture among test data, which is an identifier (every Amazon
    affiliate link carries one), not a credential; a JSON Web Token in tests, docs and examples, a
    bearer token signed for them; a token there written by hand (a keyboard run in it, or its secret
    written under one: :attr:`SecretHit.made_up`); a value its vendor publishes as an example
    (:data:`DOCUMENTED_EXAMPLES`); and one the repository's own gitleaks allowlist names literally
    (pulpcore's local MinIO key). A generic match in a compose file that runs the checkout
    (``development_compose``, the containers collector's :func:`runs_the_checkout`), or in a
    configuration only such files mount on a service's ``/etc/``, is a development set-up's, as a
    ``dev/`` folder's is."""
    if hit.fingerprint in DOCUMENTED_EXAMPLES:
        return DOCUMENTED_EXAMPLES[hit.fingerprint]
    if hit.allowlisted:
        return "its exact value is in the repository's own gitleaks allowlist: its maintainers judged it no secret"
    if hit.rule == "detect-secrets" and hit.kind != URL_KIND:
        if hit.kind == JWT_KIND and hit.place in SAMPLE_PLACES:
            return f"a JSON Web Token {PLACE_REASONS[hit.place]}: a bearer token signed for the test or the page"
        if hit.made_up and hit.kind != PRIVATE_KEY_KIND and hit.place in SAMPLE_PLACES:
            return (
                f"a token {PLACE_REASONS[hit.place]} written by hand: a part of it is a keyboard run, or its secret "
                "is written there under such a part"
            )
        if hit.kind == PRIVATE_KEY_KIND:
            return _private_key_sample(hit)
        if hit.lone_key_id and hit.in_document and hit.place in SAMPLE_PLACES:
            return f"an AWS access key ID with no secret key beside it, in a saved document {PLACE_REASONS[hit.place]}"
        return None
    if hit.place is not Place.CODE:
        return PLACE_REASONS[hit.place]
    if _in_development(hit.path, development_compose):  # modoboa's MARIADB_ROOT_PASSWORD beside `.:/code`
        return DEVELOPMENT_COMPOSE_REASON
    if hit.in_environment_class:
        return ENVIRONMENT_CLASS_REASON
    if hit.in_prose:
        return "in a comment or docstring"
    if hit.in_example:
        return (
            "in a documented example (an `examples=` argument, an Ansible module's `EXAMPLES`, a string named as an "
            "example or a sample, or a fenced code block)"
        )
    if hit.word:
        return "a one-word value, a default rather than a credential's shape"
    return None


def _private_key_sample(hit: SecretHit) -> str | None:
    """A private key is a sample in tests, docs and examples (a test certificate authority's), and
    in a module-level constant the maintainers named for tests (Chia's simulator certificates,
    ``SSL_TEST_PRIVATE_CA_KEY``, generated by its test tools for the simulator and the suite)."""
    if hit.place in SAMPLE_PLACES:
        return PLACE_REASONS[hit.place]
    if hit.in_test_constant:
        return "in a module-level constant named for tests, a fixture rather than a deployed key"
    return None


@check("SEC022", "Tests, docs and examples use obvious placeholders for credentials", category=Category.SECURITY,
       severity=Severity.LOW, counts="secrets.samples")
def sample_credentials(secrets: SecretFacts, containers: ContainerFacts | None) -> Iterator[CheckOutput]:
    """Why: a password or key in a test, a doc page, an example, a CI service's settings, a
    configuration class for development or tests (``class Development(Config)``), a comment, or a
    one-word default is a sample far more often than a leak (on real repositories, none of 42
    such findings was a real credential), so it does not block; but readers copy samples into
    production, and a real value pasted there looks the same. Cloud and SaaS token formats found
    there are real leaks and are SEC020's; a private key in tests, or in a module-level constant
    named for tests (``SSL_TEST_PRIVATE_CA_KEY``), is taken for a test certificate's, and reported
    here so someone confirms it is one.
    Fix: use an obvious placeholder (`changeme`, `<your-key>`, `${SECRET_KEY}`) or generate the
    value at run time (`secrets.token_hex()`)."""
    if not secrets.files_scanned:
        raise NotApplicable("no text files to scan")
    development = _development_paths(containers)
    for hit in secrets.hits:
        reason = sample_reason(hit, development)
        if reason is not None:
            yield _secret_failure(hit, f"{{what}}, {reason}", reason=reason, place=hit.place.value)


@check("SEC021", "No .env file is committed", category=Category.SECURITY,
       severity=Severity.MEDIUM, counts="secrets.env_files")
def committed_env_files(secrets: SecretFacts) -> Iterator[CheckOutput]:
    """Why: ``.env`` files hold a machine's local settings and credentials; committed, they leak
    them and override other people's settings. Templates (``.env.example``) are fine.
    A template's committed ``.env`` whose secret settings are all placeholders
    (``SECRET_KEY=changethis``) is its documented default configuration, and a ``.env`` with no
    secret setting or in a test folder leaks nothing: those are reported at low severity.
    Fix: ``git rm --cached .env``, add ``.env`` to ``.gitignore``, commit a ``.env.example`` with
    placeholder values instead."""
    if not secrets.files_scanned:
        raise NotApplicable("no text files to scan")
    for env in secrets.env_files:
        severity, why = _env_judgement(env)
        yield fail(
            f"{env.path} is in the tree and not git-ignored ({plural(env.assignments, 'setting')}; {why})",
            at=Location(path=env.path),
            key="env-file",
            severity=severity,
        )


def _env_judgement(env: EnvFile) -> tuple[Severity, str]:
    """Medium when a secret setting holds a credential-shaped value; low when it can hold none."""
    if env.credentials:
        return Severity.MEDIUM, f"{plural(env.credentials, 'credential-shaped value')}"
    if env.place is Place.TEST:
        return Severity.LOW, "a test fixture"
    if env.secret_settings:
        return Severity.LOW, (
            f"its {plural(env.secret_settings, 'secret setting')} hold placeholders: a documented default "
            "configuration, not a leak"
        )
    return Severity.LOW, "no secret setting"
