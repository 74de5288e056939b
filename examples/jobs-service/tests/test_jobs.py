"""The service's own suite: it needs the real PostgreSQL and Redis named by JOBS_DATABASE_URL and
JOBS_REDIS_URL. It covers the job life cycle, and (like seed 004's) misses the queue-stats bug."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from jobs_service.app import app


@pytest.fixture(scope="module")
def client():
    with TestClient(app) as client:
        yield client


def test_health(client):
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "postgres": "ok", "redis": "ok"}


def test_job_life_cycle(client):
    created = client.post("/jobs", json={"name": "report", "payload": {"day": "2024-12-24"}})
    assert created.status_code == 201
    job = created.json()
    assert job["status"] == "queued"
    running = client.post(f"/jobs/{job['id']}/execute")
    assert running.json()["status"] == "running"
    done = client.post(f"/jobs/{job['id']}/complete", json={"result": {"rows": 3}})
    assert done.json()["status"] == "completed"
    assert done.json()["result"] == {"rows": 3}
    assert client.get(f"/jobs/{job['id']}").json()["status"] == "completed"


def test_list_by_status(client):
    job = client.post("/jobs", json={"name": "listed"}).json()
    queued = client.get("/jobs", params={"status": "queued", "limit": 500}).json()
    assert job["id"] in {j["id"] for j in queued}
    assert all(j["status"] == "queued" for j in queued)
    assert isinstance(client.get("/jobs").json(), list)


def test_unknown_job_is_404(client):
    assert client.get(f"/jobs/{uuid.uuid4()}").status_code == 404
    assert client.post(f"/jobs/{uuid.uuid4()}/execute").status_code == 404


def test_completing_a_queued_job_is_409(client):
    job = client.post("/jobs", json={"name": "too-early"}).json()
    answer = client.post(f"/jobs/{job['id']}/complete", json={"result": {}})
    assert answer.status_code == 409
    assert "queued" in answer.json()["detail"]


def test_empty_name_is_rejected(client):
    assert client.post("/jobs", json={"name": ""}).status_code == 422
