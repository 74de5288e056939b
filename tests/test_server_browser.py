"""The server's pages in headless Chromium (the system one, through Playwright), served by
uvicorn on loopback: the dashboard renders, its filter and sort work, a run's page shows its
gates, and no page logs an error or a blocked resource (a CSP violation logs one)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from benchmarks.server_load import serving_in_thread
from gonogo.history.provenance import Provenance
from gonogo.server.app import Settings, create_app
from gonogo.server.storage import project_identity
from tests import server_fixtures
from tests.server_fixtures import HOSTILE, hostile, with_decision

CHROMIUM = os.environ.get("GONOGO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
real_report = server_fixtures.real_report


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set GONOGO_CHROMIUM to its path")
    with sync_playwright() as playwright:
        yield playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])


@pytest.fixture
def site(tmp_path: Path, real_report: dict[str, Any]) -> Iterator[tuple[str, dict[str, int]]]:
    """A server with three projects (GO, CONDITIONAL GO, and a stale NO GO with hostile text)."""
    app = create_app(Settings(database=f"sqlite:///{tmp_path / 'site.sqlite'}"))
    store = app.state.store
    runs = {}
    now = datetime.now(UTC)
    evil, _ = hostile(with_decision(real_report, "NO_GO"))
    for name, report, age in (
        ("api", with_decision(real_report, "GO"), 0),
        ("web", with_decision(real_report, "CONDITIONAL_GO"), 0),
        ("legacy", evil, 400),
    ):
        store.create_project(name)
        at = now - timedelta(days=age)
        runs[name] = store.record(report, Provenance(identity=project_identity(name), name=name, branch=HOSTILE),
                                  at, at + timedelta(days=30))
    with serving_in_thread(app) as base:
        yield base, runs
    store.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if _is_problem(m) else None)
    opened.on("pageerror", lambda e: problems.append(str(e)))
    opened.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
    yield opened
    assert opened.evaluate("window.__pwned === undefined")
    assert problems == []
    context.close()


def _is_problem(message: ConsoleMessage) -> bool:
    return message.type in ("error", "warning")


def _rows(page: Page) -> list[str]:
    return page.locator("#projects tbody tr.project td.name a").all_inner_texts()


def test_the_dashboard_renders_every_project_with_its_decision(page: Page, site: tuple[str, dict[str, int]]) -> None:
    base, _ = site
    page.goto(base + "/")
    assert _rows(page) == ["api", "legacy", "web"]
    assert page.locator("tr.project.nogo.stale .badge.nogo").inner_text() == "NO GO"
    assert page.locator("th.score").count() == 8
    # the stylesheets loaded under the CSP: the banner colour of a badge is the report's
    colour = page.locator("tr.project.go .badge.go").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(26, 127, 55)"


def test_the_dashboard_filter_and_sort_work(page: Page, site: tuple[str, dict[str, int]]) -> None:
    base, _ = site
    page.goto(base + "/")
    page.fill("#q", "we")
    page.click("#apply")
    page.wait_for_url("**/?q=we*")
    assert _rows(page) == ["web"]
    page.fill("#q", "")
    page.select_option("#decision", "NO_GO")
    page.click("#apply")
    page.wait_for_url("**decision=NO_GO*")
    assert _rows(page) == ["legacy"]
    page.goto(base + "/")
    page.click("th >> text=Decision")
    assert _rows(page) == ["api", "web", "legacy"]
    page.click("th >> text=Decision")
    assert _rows(page) == ["legacy", "web", "api"]


def test_a_runs_page_shows_its_gates(page: Page, site: tuple[str, dict[str, int]],
                                     real_report: dict[str, Any]) -> None:
    base, runs = site
    page.goto(f"{base}/runs/{runs['web']}")
    names = page.locator("#gates .gate .gate-name").all_inner_texts()
    assert sorted(names) == sorted(g["name"] for g in real_report["gates"])
    failing = [g["name"] for g in real_report["gates"] if g["status"] == "fail"]
    assert failing and page.locator("#gates .gate.fail .gate-name").all_inner_texts() == failing
    assert page.locator("h1 .decision").inner_text() == "CONDITIONAL GO"


def test_hostile_text_shows_as_text_on_the_project_page(page: Page, site: tuple[str, dict[str, int]]) -> None:
    base, runs = site
    page.goto(f"{base}/runs/{runs['legacy']}")
    assert page.locator("img").count() == 0
    assert HOSTILE in page.locator("#gates").inner_text()
    page.click("text=This project")
    assert page.locator(".stale").is_visible()
    assert page.locator("svg.timeline rect.cell").count() > 1
