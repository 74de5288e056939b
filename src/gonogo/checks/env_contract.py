"""The environment contract (OPS020): every setting the product code cannot start without is
provided or documented somewhere a deployer looks. Names and places only, never values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from gonogo.collectors.env_contract import STANDARD, EnvContract, Requirement
from gonogo.grouping import Grouping, plural
from gonogo.model import Category, Finding, Severity
from gonogo.registry import CheckOutput, NotApplicable, check, fail


def plan_settings(findings: Sequence[Finding]) -> Grouping:
    """One action naming every setting to declare."""
    count = len({f.key for f in findings})
    title = f"declare {plural(count, 'required setting')} in .env.example and the deployment manifests"
    yield f"{title}: {_names(findings)}", findings


@check(
    "OPS020",
    "Required settings are provided or documented",
    category=Category.OPERATIONS,
    severity=Severity.LOW,
    plan=plan_settings,
)
def unprovided_settings(env_contract: EnvContract) -> Iterator[CheckOutput]:
    """Why: a setting the code requires (``os.environ["AUDIT_SIGNING_KEY"]``, a pydantic
    ``BaseSettings`` field with no default, ``env("X")`` or ``config("X")`` with no default) that no
    ``.env.example``, compose file, Kubernetes manifest, CI workflow, Dockerfile or document
    names is found by the first deployment that crashes without it. Matching is by name across the
    repository, so a setting a platform injects from outside it (a secret store, a PaaS) reads as
    unprovided; this rule cannot be precise, so it stays low and out of every gate. On the corpus
    (seven services) it reports nothing: the one false-alarm class seen, a read guarded by
    ``"X" in os.environ``, is not counted, nor is ``os.getenv("X")``, which returns ``None``.
    Values are never read.
    Fix: add the name (with a placeholder, never the value) to ``.env.example`` and the
    deployment manifests, or give it a default in code."""
    if not env_contract.required:
        raise NotApplicable("the code requires no setting from the environment")
    provided = {name.upper() for name in env_contract.provided | env_contract.set_in_code}
    readers: dict[str, list[Requirement]] = defaultdict(list)
    for requirement in env_contract.required:
        if requirement.name.upper() not in provided and requirement.name.upper() not in STANDARD:
            readers[requirement.name].append(requirement)
    looked = ", ".join(env_contract.places[:6]) + (
        f" and {len(env_contract.places) - 6} more" if len(env_contract.places) > 6 else ""
    )
    for name, where in sorted(readers.items()):
        first = where[0]
        more = f" (and {len(where) - 1} more)" if len(where) > 1 else ""
        yield fail(
            f"{name} required by {first.file.display}:{first.line} ({first.how}){more}, "
            f"provided by none of: {looked or 'no .env example, compose, Kubernetes, CI file or document'}",
            at=first.file.at(first.line),
            key=name,
        )


def plan_secret_defaults(findings: Sequence[Finding]) -> Grouping:
    """One action naming every secret setting whose default to remove."""
    yield f"remove the literal default of {plural(len(findings), 'secret setting')}: {_names(findings)}", findings


@check(
    "OPS021",
    "Secret settings have no literal default in code",
    category=Category.OPERATIONS,
    severity=Severity.MEDIUM,
    counts="ops.secret_defaults",
    plan=plan_secret_defaults,
)
def secret_defaults(env_contract: EnvContract) -> Iterator[CheckOutput]:
    """Why: ``os.getenv("SECRET_KEY", "dev-secret")`` or a ``BaseSettings`` field
    ``secret_key: str = "changeme"`` lets a deployment that forgot the setting start anyway, signing
    sessions or connecting with a secret anyone who reads the code knows; without the default it
    would refuse to start. A secret setting is one whose name ends in a secret word (``PASSWORD``,
    ``TOKEN``, ``SECRET``, ``API_KEY``...), so ``PASSWORD_MIN_LENGTH`` is not one. Test code and
    modules named for another environment (``settings/local.py``, ``dev.py``, ``test.py``) are
    not judged, nor are empty defaults. A name cannot say for sure that a value is secret, so this
    stays out of every gate. Only the name and place are shown, never the value.
    Fix: drop the default so a missing setting fails at start-up (``os.environ["SECRET_KEY"]``, a
    field with no default), or move the development default to a settings module for
    development."""
    for setting in env_contract.secret_defaults:
        yield fail(
            f"{setting.name} has a literal default in {setting.file.display}:{setting.line} ({setting.how}): "
            "a deployment that forgets it starts with a secret the code gives away",
            at=setting.file.at(setting.line),
            key=setting.name,
        )


# Settings read by a tool or an image rather than the repository's code: a server image's own
# variables (POSTGRES_PASSWORD for the postgres image), the interpreter's, well-known SDKs' and
# servers'. A name with one of these prefixes is never reported as unread.
IMPLICITLY_READ_PREFIXES = (
    "POSTGRES_", "PG", "MYSQL_", "MARIADB_", "MONGO_", "REDIS_", "RABBITMQ_", "MINIO_", "ELASTIC",
    "PYTHON", "PIP_", "UV_", "POETRY_", "DJANGO_SETTINGS_MODULE", "SENTRY_", "AWS_", "AZURE_",
    "GOOGLE_", "GCP_", "OTEL_", "DD_", "NEW_RELIC_", "GUNICORN_", "UVICORN_", "WEB_CONCURRENCY",
    "NODE_", "NPM_", "VITE_", "NEXT_PUBLIC_", "REACT_APP_", "COMPOSE_", "DOCKER_", "TRAEFIK_",
    "LETSENCRYPT_", "VIRTUAL_", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "LC_", "SSL_", "REQUESTS_CA",
    "CURL_CA", "PUID", "PGID", "UMASK", "USERMAP_",
)


def plan_unread_settings(findings: Sequence[Finding]) -> Grouping:
    """One action naming every declared setting nothing reads."""
    title = f"remove or read {plural(len(findings), 'setting')} the .env examples declare"
    yield f"{title}: {_names(findings)}", findings


@check(
    "OPS022",
    "Settings an .env example declares are read by something",
    category=Category.OPERATIONS,
    severity=Severity.LOW,
    counts="ops.settings_unread",
    plan=plan_unread_settings,
)
def unread_settings(env_contract: EnvContract) -> Iterator[CheckOutput]:
    """Why: a name in ``.env.example`` that nothing reads is a setting a deployer fills in for
    nothing, or one the code renamed (``DB_URL`` became ``DATABASE_URL``) so the deployed value is
    silently ignored. Read means the name appears in code, a deployment file, a script or a
    configuration file, or is a ``BaseSettings`` field; names a server image or a well-known tool
    reads itself (``POSTGRES_*``, ``SENTRY_*``, ``AWS_*``...) are not judged. Code can read
    settings in ways no text search sees (``os.environ`` iterated, names built at run time, a
    framework's own prefix), so this rule stays low and out of every gate.
    Fix: remove the name from the example, or read it where it was meant to be read."""
    if not env_contract.documented:
        raise NotApplicable("no .env example declares a setting")
    known = env_contract.mentioned | STANDARD
    unread = [
        declared
        for declared in env_contract.documented
        if declared.name not in known and not declared.name.startswith(IMPLICITLY_READ_PREFIXES)
    ]
    for declared in unread:
        yield fail(
            f"{declared.name} is declared in {declared.file.display}:{declared.line} "
            "but no code, deployment file or script reads it",
            at=declared.file.at(declared.line),
            key=declared.name,
        )


def _names(findings: Sequence[Finding]) -> str:
    names = sorted({f.key for f in findings})
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
