"""Shared pieces of the server tests: a real report to upload, databases on both backends, the
app in-process and on a real loopback socket."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from gonogo.reporters.json_report import report_to_dict
from gonogo.server.app import Settings, create_app
from gonogo.server.storage import Store
from tests.helpers import make_repo, scan_repo, server_url

HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
SCHEMA = json.loads((Path(__file__).parent.parent / "src/gonogo/schema/report.schema.json").read_text())


@pytest.fixture(scope="session")
def real_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A JSON report of a real scan, with a skipped test, so a blocking gate fails."""
    root = make_repo(
        tmp_path_factory.mktemp("served"),
        {
            "pyproject.toml": '[project]\nname = "served"\nversion = "1.0"\n',
            "app/core.py": "def run():\n    return 1\n",
            "tests/test_core.py": "import pytest\n\n\n@pytest.mark.skip(reason='later')\ndef test_run():\n    assert True\n",
        },
    )
    return report_to_dict(scan_repo(root))


def with_decision(report: dict[str, Any], decision: str) -> dict[str, Any]:
    changed = copy.deepcopy(report)
    changed["decision"] = decision
    return changed


def hostile(report: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The report with HOSTILE in every string value the schema allows any text in; and how many."""
    result = copy.deepcopy(report)
    validator = Draft202012Validator(SCHEMA)
    slots = list(_string_slots(result))
    originals = {(id(container), key): container[key] for container, key in slots}
    for container, key in slots:
        container[key] = f"{HOSTILE}{container[key]}"
    reverted = 0
    for error in validator.iter_errors(result):  # an enum, a pattern or a const: put the original back
        container, key = _slot(result, list(error.absolute_path))
        if isinstance(container[key], str) and container[key].startswith(HOSTILE):
            container[key] = originals[(id(container), key)]
            reverted += 1
    assert validator.is_valid(result)
    return result, len(slots) - reverted


def _slot(document: Any, path: list[Any]) -> tuple[Any, Any]:
    for step in path[:-1]:
        document = document[step]
    return document, path[-1]


def _string_slots(value: Any) -> Iterator[tuple[Any, Any]]:
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(item, str):
            yield value, key
        else:
            yield from _string_slots(item)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh history database: a SQLite file, or a schema of its own in the real test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite'}"
        return
    url = server_url("GONOGO_TEST_POSTGRES_URL")
    schema = f"server_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def sqlite_database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'server.sqlite'}"


def client_for(url: str, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(database=url, **settings)))


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def upload(client: TestClient, project: str, token: str | None, body: bytes | dict[str, Any], **params: str):
    content = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(f"/api/v1/projects/{project}/runs", content=content, headers=headers, params=params)
