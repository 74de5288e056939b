"""The server's pages: the dashboard, a project, a run, a diff. Rendered by Jinja2 with
autoescape on (every string on them came from an uploaded report) and no script at all: sorting
and filtering are links and a GET form, so the CSP forbids scripts outright. The style is the
HTML report's own stylesheet plus a few server rules, served from ``/static``."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse

from gonogo.history.diff import compare
from gonogo.server.api import latest_rows, run_pair, snapshot, waiting_projects
from gonogo.server.app import require_reader, store_of
from gonogo.server.charts import grid, sparks
from gonogo.server.views import (
    AREAS,
    DECISION_CLASS,
    DECISIONS,
    SORTS,
    dashboard,
    findings,
    gates,
    plan,
    stale_reasons,
    timeline,
)

router = APIRouter(include_in_schema=False)
Reader = Depends(require_reader)
RUNS_ON_PROJECT_PAGE = 200
STYLES = {"report.css": ("gonogo.reporters", "report.css"), "server.css": ("gonogo.server", "server.css")}


@router.get("/", response_class=HTMLResponse, dependencies=[Reader])
def dashboard_page(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    decision: str = "",
    sort: str = "name",
    order: str = "asc",
) -> HTMLResponse:
    store = store_of(request)
    every = latest_rows(store)
    counts = [(d, sum(1 for row in every if row.decision == d)) for d in DECISIONS]
    rows = dashboard(every, q, decision if decision in DECISIONS else "",
                     sort if sort in SORTS else "name", order == "desc")
    return _page("dashboard.html.j2", rows=rows, q=q, decision=decision, sort=sort, order=order,
                 decisions=DECISIONS, areas=AREAS, waiting=waiting_projects(store), counts=counts,
                 stale=sum(1 for row in every if row.stale))


@router.get("/projects/{repository_id}", response_class=HTMLResponse, dependencies=[Reader])
def project_page(request: Request, repository_id: int) -> HTMLResponse:
    store = store_of(request)
    repository = store.repository(repository_id)
    if repository is None:
        raise HTTPException(404, "no such project")
    runs = store.runs(repository.identity, limit=RUNS_ON_PROJECT_PAGE)
    history = timeline(runs)
    newest = runs[0] if runs else None
    shown, total = findings(newest.report) if newest else ([], 0)
    return _page(
        "project.html.j2", repository=repository, runs=runs, newest=newest,
        stale=stale_reasons(newest, datetime.now(UTC)) if newest else (),
        grid=grid(history), sparks=sparks(history), gates=gates(newest.report) if newest else [],
        plan=plan(newest.report) if newest else [], findings=shown, total_findings=total,
    )


@router.get("/runs/{run_id}", response_class=HTMLResponse, dependencies=[Reader])
def run_page(request: Request, run_id: int) -> HTMLResponse:
    store = store_of(request)
    run = store.run(run_id)
    repository_id = store.repository_of_run(run_id)
    if run is None or repository_id is None:
        raise HTTPException(404, "no such run")
    shown, total = findings(run.report)
    scores = run.report["scores"] if isinstance(run.report.get("scores"), dict) else {}
    return _page(
        "run.html.j2", run=run, repository_id=repository_id, stale=stale_reasons(run, datetime.now(UTC)),
        gates=gates(run.report), plan=plan(run.report), findings=shown, total_findings=total,
        scores=[(area, scores.get(area)) for area in AREAS],
    )


@router.get("/diff", response_class=HTMLResponse, dependencies=[Reader])
def diff_page(request: Request, before: int, after: int) -> HTMLResponse:
    store = store_of(request)
    older, newer = run_pair(store, before, after)
    return _page("diff.html.j2", diff=compare(snapshot(older), snapshot(newer)), before=older, after=newer,
                 repository_id=store.repository_of_run(after))


@router.get("/static/{name}")
def style(name: str) -> Response:
    if name not in STYLES:
        raise HTTPException(404, "no such file")
    return Response(_asset(*STYLES[name]), media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/favicon.ico")
def favicon() -> Response:
    """Nothing, said quickly: browsers ask for it on every page."""
    return Response(status_code=204)


@cache
def _asset(package: str, name: str) -> str:
    return resources.files(package).joinpath("templates", name).read_text(encoding="utf-8")


@cache
def _templates() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("gonogo.server", "templates"),
        autoescape=True,  # every string on these pages came from an uploaded report
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["decision_class"] = lambda d: DECISION_CLASS.get(d, "unknown")
    environment.filters["label"] = lambda d: str(d).replace("_", " ")
    environment.filters["score"] = lambda v: "-" if v is None else f"{v:g}"
    return environment


def _page(template: str, **values: Any) -> HTMLResponse:
    return HTMLResponse(_templates().get_template(template).render(**values))
