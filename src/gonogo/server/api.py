"""The JSON API (``/api/v1``), the upload endpoint and the badge. Response shapes are pydantic
models, so the OpenAPI schema at ``/api/openapi.json`` documents them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from gonogo.history.diff import Snapshot, compare
from gonogo.history.provenance import Provenance
from gonogo.history.render import diff_json
from gonogo.history.runs import StoredRun
from gonogo.history.validity import valid_until
from gonogo.server.app import grant_for, presented_token, require_reader, settings_of, store_of
from gonogo.server.auth import Scope
from gonogo.server.badge import badge
from gonogo.server.storage import RepositoryRow, Store
from gonogo.server.upload import Upload, UploadRefused, parse, read_limited, refuse_declared_size
from gonogo.server.views import Latest, latest, stale_reasons

router = APIRouter()
Reader = Depends(require_reader)


class Uploaded(BaseModel):
    run_id: int
    url: str
    decision: str


class Refusal(BaseModel):
    detail: str


class ProjectSummary(BaseModel):
    id: int
    name: str
    identity: str
    project: str | None
    run_id: int | None
    decision: str | None
    profile: str | None
    scanned_at: datetime | None
    commit: str | None
    branch: str | None
    failing_gates: list[str]
    scores: dict[str, float | None]
    stale: list[str]


class RunSummary(BaseModel):
    id: int
    scanned_at: datetime
    valid_until: datetime
    commit: str | None
    branch: str | None
    dirty: bool | None
    decision: str
    profile: str
    stale: list[str]


class RunDetail(RunSummary):
    repository_id: int
    report: dict[str, Any]


REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": Refusal, "description": text}
    for code, text in {
        400: "the body is not JSON",
        401: "no token, or not a valid one",
        403: "the token is not this project's upload token",
        413: "the body is larger than the server accepts",
        422: "the JSON is not a gonogo report (schema errors listed)",
    }.items()
}


@router.post("/api/v1/projects/{name}/runs", status_code=201, response_model=Uploaded, responses=REFUSALS)
async def upload(
    name: str,
    request: Request,
    commit: Annotated[str | None, Query(description="The commit scanned (default: the report's)")] = None,
    branch: Annotated[str | None, Query(description="The branch scanned")] = None,
    dirty: Annotated[bool | None, Query(description="Whether the tree had uncommitted changes")] = None,
) -> Any:
    """Store a JSON report (``gonogo check --format json``) as a run of the project. The body
    must validate against gonogo's report schema; the token (``Authorization: Bearer``) must be
    the project's upload token. Answers with the run's page address."""
    settings = settings_of(request)
    try:
        refuse_declared_size(request.headers.get("content-length"), settings.max_upload_bytes)
        identity = await run_in_threadpool(_authorise_upload, request, name)
        body = await read_limited(request.stream(), settings.max_upload_bytes)
        parsed = await run_in_threadpool(parse, body, commit, branch, dirty)
        run_id = await run_in_threadpool(_record, store_of(request), identity, name, parsed)
    except UploadRefused as refused:
        headers = {"WWW-Authenticate": "Bearer"} if refused.status == 401 else None
        return JSONResponse({"detail": refused.message}, status_code=refused.status, headers=headers)
    url = str(request.url_for("run_page", run_id=run_id))
    return Uploaded(run_id=run_id, url=url, decision=str(parsed.report["decision"]))


def _authorise_upload(request: Request, name: str) -> str:
    """The project's repository identity, when the token is its upload token."""
    grant = grant_for(request, presented_token(request.headers.get("authorization")))
    if grant is None:
        raise UploadRefused(401, "an upload needs the project's token: Authorization: Bearer <token>")
    project = store_of(request).project(name)
    if grant.scope != Scope.UPLOAD or project is None or grant.project_id != project[0]:
        raise UploadRefused(403, f"this token may not upload to project {name!r}")
    return project[1]


def _record(store: Store, identity: str, name: str, upload: Upload) -> int:
    now = datetime.now(UTC)
    provenance = Provenance(identity=identity, name=name, commit=upload.commit, branch=upload.branch,
                            dirty=upload.dirty)
    return store.record(upload.report, provenance, now, valid_until(now, str(upload.report["profile"])))


@router.get("/api/v1/projects", response_model=list[ProjectSummary], dependencies=[Reader])
def projects(request: Request) -> list[ProjectSummary]:
    """Every repository in the history with its latest decision, area scores and staleness; a
    project with no upload yet has no decision."""
    store = store_of(request)
    waiting = [
        ProjectSummary(id=r.id, name=r.name, identity=r.identity, project=r.project, run_id=None, decision=None,
                       profile=None, scanned_at=None, commit=None, branch=None, failing_gates=[], scores={}, stale=[])
        for r in waiting_projects(store)
    ]
    return [_summary(row) for row in latest_rows(store)] + waiting


@router.get("/api/v1/projects/{repository_id}/runs", response_model=list[RunSummary], dependencies=[Reader])
def project_runs(request: Request, repository_id: int, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Any:
    """A repository's runs, newest first."""
    store = store_of(request)
    repository = store.repository(repository_id)
    if repository is None:
        raise HTTPException(404, "no such project")
    now = datetime.now(UTC)
    return [_run_summary(run, now) for run in store.runs(repository.identity, limit=limit)]


@router.get("/api/v1/runs/{run_id}", response_model=RunDetail, dependencies=[Reader])
def run(request: Request, run_id: int) -> Any:
    """One run with its whole report."""
    store = store_of(request)
    found = store.run(run_id)
    repository_id = store.repository_of_run(run_id)
    if found is None or repository_id is None:
        raise HTTPException(404, "no such run")
    return RunDetail(**_run_summary(found, datetime.now(UTC)).model_dump(), repository_id=repository_id,
                     report=found.report)


@router.get("/api/v1/diff", dependencies=[Reader])
def diff(request: Request, before: int, after: int) -> Response:
    """What changed from run ``before`` to run ``after`` (the same JSON as ``gonogo diff --format json``)."""
    older, newer = run_pair(store_of(request), before, after)
    return Response(diff_json(compare(snapshot(older), snapshot(newer))), media_type="application/json")


@router.get("/badge/{repository_id}.svg", dependencies=[Reader], response_class=Response)
def status_badge(request: Request, repository_id: int) -> Response:
    """The latest decision as an SVG badge for a README; grey and marked stale when it no longer holds."""
    store = store_of(request)
    if store.repository(repository_id) is None:
        raise HTTPException(404, "no such project")
    newest = store.latest_runs().get(repository_id)
    stale = bool(newest and stale_reasons(newest, datetime.now(UTC)))
    return Response(
        badge(newest.decision if newest else None, stale),
        media_type="image/svg+xml",
        headers={"Cache-Control": "no-cache, max-age=0"},
    )


def latest_rows(store: Store) -> list[Latest]:
    now = datetime.now(UTC)
    newest = store.latest_runs()
    return [latest(row, newest[row.id], now) for row in store.repositories() if row.id in newest]


def waiting_projects(store: Store) -> list[RepositoryRow]:
    """Projects created but never uploaded to, so a new project shows before its first run."""
    newest = store.latest_runs()
    return [row for row in store.repositories() if row.project and row.id not in newest]


def run_pair(store: Store, before: int, after: int) -> tuple[StoredRun, StoredRun]:
    older, newer = store.run(before), store.run(after)
    if older is None or newer is None:
        raise HTTPException(404, "no such run")
    return older, newer


def snapshot(run: StoredRun) -> Snapshot:
    return Snapshot(label=f"run #{run.id} ({(run.commit or 'no commit')[:8]}, {run.scanned_at:%Y-%m-%d %H:%M})",
                    report=run.report)


def _summary(row: Latest) -> ProjectSummary:
    return ProjectSummary(
        id=row.repository.id, name=row.repository.name, identity=row.repository.identity,
        project=row.repository.project, run_id=row.run_id, decision=row.decision, profile=row.profile,
        scanned_at=row.scanned_at, commit=row.commit, branch=row.branch, failing_gates=list(row.failing_gates),
        scores=row.scores, stale=list(row.stale),
    )


def _run_summary(run: StoredRun, now: datetime) -> RunSummary:
    return RunSummary(
        id=run.id, scanned_at=run.scanned_at, valid_until=run.valid_until, commit=run.commit, branch=run.branch,
        dirty=run.dirty, decision=run.decision, profile=run.profile, stale=list(stale_reasons(run, now)),
    )
