"""The environment contract (OPS020): a required setting provided nowhere is reported by name and
place, never by value; one provided anywhere a deployer looks is not."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gonogo.collectors.secret_defaults import secret_defaults
from gonogo.model import Outcome
from tests.helpers import make_repo, result_of, scan_repo

CONFIG = """
import os

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")
    secret_key: str
    debug: bool = False


AUDIT_SIGNING_KEY = os.environ["AUDIT_SIGNING_KEY"]
SENTRY_DSN = os.getenv("SENTRY_DSN")
"""


def _messages(tmp_path: Path, files: dict[str, str]) -> list[str]:
    report = scan_repo(make_repo(tmp_path, {"app/config.py": CONFIG, **files}), select="OPS020")
    return [f.message for f in result_of(report, "OPS020").findings]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, ["APP_SECRET_KEY", "AUDIT_SIGNING_KEY"]),
        ({".env.example": "APP_SECRET_KEY=change-me\n"}, ["AUDIT_SIGNING_KEY"]),
        (
            {
                ".env.example": "APP_SECRET_KEY=\n",
                "k8s/deploy.yaml": "env:\n  - name: AUDIT_SIGNING_KEY\n    valueFrom: {secretKeyRef: {name: a, key: b}}\n",
            },
            [],
        ),
        ({"docker-compose.yml": "services:\n  app:\n    environment:\n      AUDIT_SIGNING_KEY: ${AUDIT_SIGNING_KEY}\n"
          "      APP_SECRET_KEY: ${APP_SECRET_KEY}\n"}, []),
        ({"README.md": "Set `AUDIT_SIGNING_KEY` and `APP_SECRET_KEY` before starting.\n"}, []),
    ],
    ids=["provided nowhere", "one in .env.example", "env example and kubernetes", "compose", "documented"],
)
def test_required_settings_against_where_they_are_provided(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    messages = _messages(tmp_path, files)
    assert [m.split(" ", 1)[0] for m in messages] == expected
    assert not any("SENTRY_DSN" in m for m in messages)  # getenv copes with None


def test_the_finding_names_reader_and_places_not_values(tmp_path: Path) -> None:
    messages = _messages(tmp_path, {".env.example": "APP_SECRET_KEY=hunter2\n"})
    assert messages == [
        "AUDIT_SIGNING_KEY required by app/config.py:12 (os.environ[...]), provided by none of: .env.example"
    ]
    assert "hunter2" not in messages[0]


def test_a_guarded_or_assigned_read_is_not_required(tmp_path: Path) -> None:
    code = (
        "import os\n\nif 'ADMIN_PASSWORD' in os.environ:\n    password = os.environ['ADMIN_PASSWORD']\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'app.settings'\nmodule = os.environ['DJANGO_SETTINGS_MODULE']\n"
    )
    report = scan_repo(make_repo(tmp_path, {"app/manage.py": code}), select="OPS020")
    assert result_of(report, "OPS020").findings == ()


def test_reads_in_tests_are_not_the_product_contract(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {"tests/test_x.py": "import os\nKEY = os.environ['TEST_ONLY_KEY']\n"}),
                       select="OPS020")
    assert result_of(report, "OPS020").outcome is Outcome.NOT_APPLICABLE


SECRET_DEFAULTS = '''
import os
from decouple import config
from environ import Env
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

env = Env()
SECRET_KEY = os.getenv("SECRET_KEY", "dev-secret-do-not-use")
DB_PASSWORD = os.environ.get("DB_PASSWORD", default="postgres")
STRIPE_API_KEY = env("STRIPE_API_KEY", default="sk_test_123")
SIGNING_KEY = config("SIGNING_KEY", default="signing")
TOKEN_EXPIRE_MINUTES = os.getenv("TOKEN_EXPIRE_MINUTES", "60")
PASSWORD_MIN_LENGTH = os.getenv("PASSWORD_MIN_LENGTH", "12")
REDIS_PASSWORD = os.getenv("REDIS_PASSWORD", "")
SENTRY_TOKEN = os.getenv("SENTRY_TOKEN")
LOOKED_UP = {"API_TOKEN": "x"}.get("API_TOKEN", "fallback")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")
    admin_password: SecretStr = SecretStr("admin")
    jwt_secret: str = Field(default="jwt")
    api_token: str | None = None
    _default_password: str = "private-attribute"
'''


def _secret_default_messages(tmp_path: Path, files: dict[str, str]) -> list[str]:
    report = scan_repo(make_repo(tmp_path, files), select="OPS021")
    return [f.message.partition(" (")[0] for f in result_of(report, "OPS021").findings]


def test_secret_settings_with_literal_defaults_are_found_by_name_and_place(tmp_path: Path) -> None:
    assert _secret_default_messages(tmp_path, {"app/settings.py": SECRET_DEFAULTS}) == [
        "SECRET_KEY has a literal default in app/settings.py:8",
        "DB_PASSWORD has a literal default in app/settings.py:9",
        "STRIPE_API_KEY has a literal default in app/settings.py:10",
        "SIGNING_KEY has a literal default in app/settings.py:11",
        "APP_ADMIN_PASSWORD has a literal default in app/settings.py:21",
        "APP_JWT_SECRET has a literal default in app/settings.py:22",
    ]


def test_a_secret_default_never_shows_its_value(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {"app/settings.py": SECRET_DEFAULTS}), select="OPS021")
    shown = " ".join(f"{f.message} {f.evidence or ''}" for f in result_of(report, "OPS021").findings)
    for value in ("dev-secret-do-not-use", "postgres", "sk_test_123", "signing", "admin", "jwt"):
        assert f"'{value}'" not in shown and f'"{value}"' not in shown


@pytest.mark.parametrize(
    "path",
    ["config/settings/local.py", "config/settings/test.py", "app/dev.py", "settings_development.py",
     "tests/settings.py", "app/test_settings.py", "scripts/smoketest_configuration.py"],
    ids=["local settings", "test settings", "dev module", "development module", "under tests",
         "a test module", "a smoke test configuration"],
)
def test_defaults_in_modules_for_other_environments_are_not_judged(tmp_path: Path, path: str) -> None:
    assert _secret_default_messages(tmp_path, {path: SECRET_DEFAULTS}) == []


@pytest.mark.parametrize(
    "text",
    ["def broken(:\n    SECRET_KEY = os.getenv('SECRET_KEY', 'x')\n", "\x00\xff" * 100,
     "x = " + "(" * 5000 + "1" + ")" * 5000 + "\nos.getenv('SECRET_KEY', 'x')\n", ""],
    ids=["a syntax error", "binary bytes", "nesting past the parser's limit", "empty"],
)
def test_unreadable_python_does_not_stop_the_secret_default_rule(tmp_path: Path, text: str) -> None:
    files = {"app/broken.py": text, "app/settings.py": 'import os\nTOKEN = os.getenv("GITHUB_TOKEN", "ghp")\n'}
    assert _secret_default_messages(tmp_path, files) == ["GITHUB_TOKEN has a literal default in app/settings.py:2"]


ENV_EXAMPLE = """# copy to .env
DATABASE_URL=postgres://user:pass@db/app
APP_SECRET_KEY=change-me
BACKUP_BUCKET=
# LEGACY_DB_URL=postgres://old
POSTGRES_PASSWORD=change-me
FRONTEND_API_URL=http://localhost
OLD_FEATURE_FLAG=1
"""
READERS = {
    "app/db.py": 'import os\nURL = os.environ["DATABASE_URL"]\n',
    "app/config.py": (
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
        "class Settings(BaseSettings):\n"
        '    model_config = SettingsConfigDict(env_prefix="APP_")\n'
        '    secret_key: str = ""\n'
    ),
    "docker/entrypoint.sh": 'aws s3 cp /backup "s3://${BACKUP_BUCKET}/"\n',
    "frontend/src/api.ts": "export const base = process.env.FRONTEND_API_URL;\n",
    "README.md": "Set OLD_FEATURE_FLAG to turn the old feature on.\n",
}


def test_settings_an_env_example_declares_that_nothing_reads(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {".env.example": ENV_EXAMPLE, **READERS}), select="OPS022")
    assert [f.message for f in result_of(report, "OPS022").findings] == [
        "LEGACY_DB_URL is declared in .env.example:5 but no code, deployment file or script reads it",
        "OLD_FEATURE_FLAG is declared in .env.example:8 but no code, deployment file or script reads it",
    ]


def test_an_env_file_under_tests_is_not_a_contract(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {"tests/apps/.env": "UNUSED_THING=1\n"}), select="OPS022")
    assert result_of(report, "OPS022").outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(
    "content", ["", "\x00\xff\xfe" * 50, "=" * 10_000, "not an env file at all\n" * 1000],
    ids=["empty", "binary bytes", "a long line of equals signs", "prose"],
)
def test_odd_env_files_declare_nothing_and_do_not_stop_the_scan(tmp_path: Path, content: str) -> None:
    report = scan_repo(make_repo(tmp_path, {".env.example": content, "app/main.py": "x = 1\n"}), select="OPS022")
    result = result_of(report, "OPS022")
    assert result.outcome is Outcome.NOT_APPLICABLE and result.findings == ()


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('import os\nTOKEN_URL = "x"\nAPI_TOKEN = os.getenv("API_TOKEN", "abc")\n', ["API_TOKEN"]),
        ('import os\nAPI_TOKEN = os.\uff47\uff45\uff54\uff45\uff4e\uff56("API_TOKEN", "abc")\n', ["API_TOKEN"]),
        ('TOKENS = {"API_TOKEN": "abc"}\nvalue = lookup("API_TOKEN", "abc")\n', []),
    ],
    ids=["a getter in an ASCII text", "a getter spelt in full-width letters", "a secret named, no setting read"],
)
def test_a_text_that_names_a_secret_but_reads_no_setting_is_passed_by(source: str, found: list[str]) -> None:
    """The words a read with a default needs (``getenv``, ``environ``, ``default``, ``Settings``)
    are looked for in the text first; a text with other characters than ASCII is read in full, as
    Python folds a name in full-width letters into its ASCII spelling."""
    assert [d.name for d in secret_defaults(source, ast.parse(source))] == found
