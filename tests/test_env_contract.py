"""The environment contract (OPS020): a required setting provided nowhere is reported by name and
place, never by value; one provided anywhere a deployer looks is not."""

from __future__ import annotations

from pathlib import Path

import pytest

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
