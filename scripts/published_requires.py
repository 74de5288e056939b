"""Write ``src/gonogo/data/published_requires.json``: what the latest release of each distribution
below requires, from PyPI's JSON API (``https://pypi.org/pypi/<name>/json``).

The dependency checks tell an import that a declared distribution brings with it (DEP008: Celery
brings kombu, Flask brings Werkzeug) from one that nothing declares (DEP001) by the metadata of the
declared distributions. That metadata is read from the distributions installed next to gonogo, and
from lock files; a scan of a bare checkout (a CI job that installs only gonogo) has neither, so this
table answers for the distributions projects declare most.

Run by hand, never by the tests or a scan: ``python scripts/published_requires.py``. It asks PyPI
once per distribution and keeps each answer in ``--cache`` (default ``~/.cache/gonogo-requires``),
so running it again asks nothing; ``--refresh`` asks again. Only requirements with no marker are
kept: one for a platform or a Python version is not installed everywhere. Those of an extra are kept
apart, by extra, when their marker names nothing but extras (``cryptography; extra == "crypto"``):
what ``pyjwt[crypto]`` brings wherever it is installed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import time
from pathlib import Path

import httpx
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

DISTRIBUTIONS = (
    # web frameworks and their stacks
    "django", "djangorestframework", "django-filter", "django-cors-headers", "django-allauth",
    "django-storages", "django-environ", "django-extensions", "django-debug-toolbar", "django-celery-beat",
    "django-celery-results", "django-redis", "django-pghistory", "django-polymorphic", "django-tables2",
    "django-crispy-forms", "drf-yasg", "easy-thumbnails", "channels", "channels-redis", "daphne", "whitenoise",
    "wagtail",
    "flask", "flask-sqlalchemy", "flask-login", "flask-wtf", "flask-migrate", "flask-cors", "flask-restx",
    "fastapi", "starlette", "uvicorn", "gunicorn", "sanic", "aiohttp", "tornado", "litestar", "quart",
    # data, ORM, queues, caches
    "sqlalchemy", "alembic", "sqlmodel", "psycopg", "psycopg2", "psycopg2-binary", "asyncpg", "pymongo",
    "motor", "redis", "celery", "kombu", "rq", "dramatiq", "elasticsearch", "opensearch-py",
    # HTTP, clients, cloud
    "requests", "httpx", "httpx-socks", "urllib3", "boto3", "botocore", "aiobotocore", "s3fs",
    "google-cloud-storage", "google-api-core", "azure-storage-blob", "azure-identity", "stripe",
    "sentry-sdk", "openai", "anthropic", "langchain", "slack-sdk", "twilio",
    # validation, serialisation, config
    "pydantic", "pydantic-settings", "marshmallow", "attrs", "pyyaml", "python-dotenv", "jsonschema",
    "orjson", "msgpack",
    # CLI, templating, utilities
    "click", "typer", "rich", "jinja2", "markdown", "python-dateutil", "arrow", "pendulum", "pytz",
    "tzdata", "cryptography", "pyjwt", "python-jose", "passlib", "bcrypt", "itsdangerous", "werkzeug",
    "beautifulsoup4", "lxml", "pillow", "tenacity", "structlog", "loguru", "gitpython",
    # science
    "numpy", "pandas", "scipy", "matplotlib", "scikit-learn", "sympy",
    # observability
    "opentelemetry-api", "opentelemetry-sdk", "prometheus-client",
    # testing and tooling that projects import from test code
    "pytest", "pytest-django", "pytest-asyncio", "factory-boy", "faker", "hypothesis",
)


def requirements(requires_dist: list[str] | None) -> list[str]:
    """The normalised names a release requires wherever it is installed: no extra, and no marker
    (``colorama; platform_system == "Windows"`` is not there on Linux)."""
    names = set()
    for requirement in _parsed(requires_dist):
        if requirement.marker is None:
            names.add(canonicalize_name(requirement.name))
    return sorted(names)


_EXTRA_TEST = re.compile(r"""extra\s*==\s*(?:"([^"]*)"|'([^']*)')""")
_ONLY_CONNECTIVES = re.compile(r"(?:\s|\(|\)|\band\b|\bor\b)*")


def extras(requires_dist: list[str] | None) -> dict[str, list[str]]:
    """Extra (normalised) -> the normalised names it brings wherever it is installed: requirements
    whose marker tests nothing but extras (``cryptography>=3.4.0; extra == "crypto"``) and holds for
    that extra. One that also tests a platform or a Python version is left out, as in
    :func:`requirements`."""
    brought: dict[str, set[str]] = {}
    for requirement in _parsed(requires_dist):
        marker = requirement.marker
        if marker is None:
            continue
        text = str(marker)
        named = {a or b for a, b in _EXTRA_TEST.findall(text)}
        if not named or not _ONLY_CONNECTIVES.fullmatch(_EXTRA_TEST.sub("", text)):
            continue
        for extra in named:
            if marker.evaluate({"extra": extra}):
                brought.setdefault(canonicalize_name(extra), set()).add(canonicalize_name(requirement.name))
    return {extra: sorted(names) for extra, names in sorted(brought.items())}


def _parsed(requires_dist: list[str] | None) -> list[Requirement]:
    found = []
    for line in requires_dist or ():
        try:
            found.append(Requirement(line))
        except InvalidRequirement:
            continue
    return found


def fetch(name: str, cache: Path, client: httpx.Client, refresh: bool) -> dict[str, object]:
    """PyPI's answer for ``name``, from the cache when it holds one."""
    kept = cache / f"{canonicalize_name(name)}.json"
    if kept.exists() and not refresh:
        return json.loads(kept.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    response = client.get(f"https://pypi.org/pypi/{name}/json")
    response.raise_for_status()
    info = response.json()["info"]
    answer = {"version": info["version"], "requires_dist": info.get("requires_dist") or []}
    kept.write_text(json.dumps(answer), encoding="utf-8")
    time.sleep(0.2)  # politely: one request at a time
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "gonogo-requires")
    parser.add_argument("--refresh", action="store_true", help="ask PyPI again for every distribution")
    default_out = Path(__file__).parents[1] / "src/gonogo/data/published_requires.json"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    table: dict[str, dict[str, object]] = {}
    with httpx.Client(timeout=30, headers={"User-Agent": "gonogo published_requires.py"}) as client:
        for name in sorted(set(DISTRIBUTIONS), key=canonicalize_name):
            answer = fetch(name, args.cache, client, args.refresh)
            table[canonicalize_name(name)] = {
                "version": answer["version"],
                "requires": requirements(answer["requires_dist"]),  # type: ignore[arg-type]
                "extras": extras(answer["requires_dist"]),  # type: ignore[arg-type]
            }
    document = {
        "_about": "What the latest release of each distribution requires everywhere (no extra or other "
                  "marker), and what each of its extras brings (a marker that tests only extras), from PyPI's "
                  "JSON API (info.requires_dist), written by scripts/published_requires.py; read by the "
                  "dependency checks when a declared distribution is neither installed nor locked.",
        "fetched": datetime.date.today().isoformat(),
        "distributions": table,
    }
    args.out.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(table)} distributions written to {args.out}")


if __name__ == "__main__":
    main()
