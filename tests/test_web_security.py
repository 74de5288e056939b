"""SEC030-SEC032: Django deployment settings and CORS, on settings laid out like the corpus's
(cookiecutter-django's settings package, netbox's and healthchecks' single settings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import make_repo, result_of, scan_repo

_BASE = 'INSTALLED_APPS = ["django.contrib.auth"]\nDEBUG = True\nALLOWED_HOSTS = ["*"]\n'


def _messages(repo: Path, check_id: str) -> list[str]:
    return sorted(f.message for f in result_of(scan_repo(repo, select=check_id), check_id).findings)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"app/settings.py": _BASE},
         ["ALLOWED_HOSTS allows any host ('*') in production settings", "DEBUG = True in production settings"]),
        ({"app/settings.py": 'import os\nINSTALLED_APPS = []\nDEBUG = os.environ.get("DEBUG") == "1"\n'
                             'ALLOWED_HOSTS = os.environ["HOSTS"].split(",")\n'}, []),
        ({"app/settings.py": 'INSTALLED_APPS = []\nDEBUG = False\nif DEBUG:\n    ALLOWED_HOSTS = ["*"]\n'}, []),
        ({"config/settings/base.py": _BASE, "config/settings/local.py": "from .base import *\n"}, []),
        ({"config/settings/base.py": _BASE, "config/settings/production.py": "from .base import *\nDEBUG = False\n"},
         ["ALLOWED_HOSTS allows any host ('*') in production settings (inherited by config/settings/production.py)"]),
        ({"tests/settings.py": _BASE}, []),
    ],
    ids=["literal debug and any host", "read from the environment", "only under a condition",
         "development settings package", "production inherits a wildcard host", "test settings"],
)
def test_django_production_settings(tmp_path: Path, files: dict[str, str], expected: list[str]) -> None:
    assert _messages(make_repo(tmp_path, files), "SEC030") == expected


_SECURE = "SESSION_COOKIE_SECURE = True\nCSRF_COOKIE_SECURE = True\nSECURE_SSL_REDIRECT = True\n"


@pytest.mark.parametrize(
    ("production", "expected"),
    [
        ("from .base import *\n" + _SECURE + 'SECURE_HSTS_SECONDS = env.int("HSTS", 60)\n', []),
        ("from .base import *\n" + _SECURE, ["SECURE_HSTS_SECONDS not set in production settings"]),
        ("from .base import *\nSESSION_COOKIE_SECURE = False\n",
         ["SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE, SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS not set in "
          "production settings"]),
    ],
    ids=["all set, one from the environment", "hsts missing", "cookie explicitly insecure"],
)
def test_https_settings_in_declared_production_settings(tmp_path: Path, production: str, expected: list[str]) -> None:
    repo = make_repo(tmp_path, {"config/settings/base.py": "INSTALLED_APPS = []\n",
                                "config/settings/production.py": production})
    assert _messages(repo, "SEC031") == expected


def test_a_single_settings_module_is_not_judged_for_https_settings(tmp_path: Path) -> None:
    # healthchecks and saleor take these from the deployment; a lone settings.py serves every environment
    repo = make_repo(tmp_path, {"hc/settings.py": "INSTALLED_APPS = []\nDEBUG = False\n"})
    result = result_of(scan_repo(repo, select="SEC031"), "SEC031")
    assert result.findings == ()
    assert result.outcome.value == "not_applicable"


@pytest.mark.parametrize(
    ("code", "flagged"),
    [
        ('app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n', True),
        ('app.add_middleware(CORSMiddleware, allow_origins=["*"])\n', False),
        ("app.add_middleware(CORSMiddleware, allow_origins=settings.origins, allow_credentials=True)\n", False),
        ('app.add_middleware(CORSMiddleware, allow_origins=["https://app.example"], allow_credentials=True)\n',
         False),
    ],
    ids=["any origin with credentials", "any origin without credentials", "origins from settings",
         "listed origin with credentials"],
)
def test_starlette_cors(tmp_path: Path, code: str, flagged: bool) -> None:
    source = "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\napp = FastAPI()\n" + code
    assert bool(_messages(make_repo(tmp_path, {"app/main.py": source}), "SEC032")) is flagged


@pytest.mark.parametrize(
    ("code", "flagged"),
    [
        ("CORS(app, supports_credentials=True)\n", True),
        ('CORS(app, origins=["https://app.example"], supports_credentials=True)\n', False),
        ("CORS(app)\n", False),
    ],
    ids=["default origins with credentials", "listed origins", "no credentials"],
)
def test_flask_cors(tmp_path: Path, code: str, flagged: bool) -> None:
    source = "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\n" + code
    assert bool(_messages(make_repo(tmp_path, {"app/main.py": source}), "SEC032")) is flagged


@pytest.mark.parametrize(
    ("settings", "flagged"),
    [
        ("INSTALLED_APPS = []\nCORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True\n", True),
        # netbox: read from the operator's configuration
        ("INSTALLED_APPS = []\nCORS_ORIGIN_ALLOW_ALL = getattr(configuration, 'X', False)\n"
         "CORS_ALLOW_CREDENTIALS = True\n", False),
    ],
    ids=["django any origin with credentials", "django origins from configuration"],
)
def test_django_cors_headers(tmp_path: Path, settings: str, flagged: bool) -> None:
    assert bool(_messages(make_repo(tmp_path, {"app/settings.py": settings}), "SEC032")) is flagged
