"""Observability (OBS): each signal found in a real-world-shaped service, and missing in its twin."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.model import Outcome
from tests.helpers import make_repo, result_of, scan_repo

DOCKERFILE = "FROM python:3.12-slim\nUSER app\nCMD [\"uvicorn\", \"app.main:app\"]\n"


def _outcome(tmp_path: Path, files: dict[str, str], check_id: str) -> tuple[Outcome, list[str]]:
    report = scan_repo(make_repo(tmp_path, {"Dockerfile": DOCKERFILE, **files}), select=check_id)
    result = result_of(report, check_id)
    return result.outcome, [f.message for f in result.findings]


@pytest.mark.parametrize(
    ("check_id", "present", "absent"),
    [
        (
            "OBS001",
            "from prometheus_client import make_asgi_app\nfrom fastapi import FastAPI\napp = FastAPI()\n"
            "app.mount('/metrics', make_asgi_app())\n",
            "from fastapi import FastAPI\napp = FastAPI()\n\ndef export_metrics():\n    pass\n",
        ),
        (
            "OBS002",
            "import structlog\nlog = structlog.get_logger()\n",
            "import logging\nlogging.basicConfig(format='%(message)s')\n",
        ),
        (
            "OBS003",
            "from opentelemetry.sdk.trace import TracerProvider\nfrom opentelemetry import trace\n"
            "trace.set_tracer_provider(TracerProvider())\n",
            "from opentelemetry import trace  # imported, never set up\n",
        ),
        (
            "OBS004",
            "import os\nimport sentry_sdk\nsentry_sdk.init(dsn=os.environ['SENTRY_DSN'])\n",
            "import sentry_sdk  # imported, never initialised\n",
        ),
        (
            "OBS005",
            "from fastapi import APIRouter\nrouter = APIRouter()\n\n@router.get('/health-check/')\n"
            "async def health_check() -> bool:\n    return True\n",
            "def health() -> dict:\n    return {'status': 'ok'}  # a function no route serves\n",
        ),
    ],
    ids=["metrics", "structured logging", "tracing", "error tracking", "health endpoint"],
)
def test_signal_present_passes_and_absent_fails(tmp_path: Path, check_id: str, present: str, absent: str) -> None:
    assert _outcome(tmp_path / "present", {"app/main.py": present}, check_id) == (Outcome.PASS, [])
    outcome, messages = _outcome(tmp_path / "absent", {"app/main.py": absent}, check_id)
    assert outcome is Outcome.FAIL
    assert len(messages) == 1 and "found in 1 Python files" in messages[0]


def test_django_health_route_and_json_logging_config(tmp_path: Path) -> None:
    files = {
        "config/urls.py": "from django.urls import path\nurlpatterns = [path('healthz/', views.healthz)]\n",
        "config/logging.yaml": "formatters:\n  json:\n    (): pythonjsonlogger.jsonlogger.JsonFormatter\n",
    }
    assert _outcome(tmp_path / "a", files, "OBS005")[0] is Outcome.PASS
    assert _outcome(tmp_path / "b", files, "OBS002")[0] is Outcome.PASS


def test_a_health_route_only_in_tests_does_not_count(tmp_path: Path) -> None:
    files = {"tests/test_api.py": "def test_health(client):\n    client.get('/health')\n"}
    assert _outcome(tmp_path, files, "OBS005")[0] is Outcome.FAIL


def test_dockerfile_healthcheck_script_counts_as_health_check(tmp_path: Path) -> None:
    files = {"Dockerfile": DOCKERFILE + "HEALTHCHECK CMD python scripts/healthcheck.py || exit 1\n"}
    report = scan_repo(make_repo(tmp_path, files), select="OBS005")
    assert result_of(report, "OBS005").outcome is Outcome.PASS


def test_a_library_is_not_judged(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {"pkg/__init__.py": "x = 1\n"}), select="OBS")
    assert {r.outcome for r in report.checks} == {Outcome.NOT_APPLICABLE}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"docker-compose.yml": "services:\n  app:\n    build: .\n"}, 2),
        ({"docker-compose.yml": "services:\n  prometheus:\n    image: prom/prometheus:v2.48.1\n"}, 1),
        (
            {
                "docker-compose.yml": "services:\n  prometheus:\n    image: prom/prometheus:v2.48.1\n",
                "monitoring/rules.yml": "groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n"
                "        expr: rate(errors[5m]) > 0.05\n",
            },
            0,
        ),
    ],
    ids=["no stack no rules", "stack without rules", "stack with alert rules"],
)
def test_monitoring_stack_and_alert_rules(tmp_path: Path, files: dict[str, str], expected: int) -> None:
    assert len(_outcome(tmp_path, files, "OBS006")[1]) == expected


@pytest.mark.parametrize(
    "path",
    [".devcontainer/Dockerfile", "docker-compose.dev.yml", "tests/e2e/docker-compose.yml"],
    ids=["dev container", "dev compose file", "test compose file"],
)
def test_development_containers_do_not_make_a_library_a_service(tmp_path: Path, path: str) -> None:
    content = "FROM python:3.12-slim\n" if path.endswith("Dockerfile") else "services:\n  db:\n    image: postgres:16.2\n"
    report = scan_repo(make_repo(tmp_path, {"pkg/__init__.py": "x = 1\n", path: content}), select="OBS001")
    assert result_of(report, "OBS001").outcome is Outcome.NOT_APPLICABLE
