"""report.html in a real browser: headless Chromium driven by Playwright, the page loaded from a
file URL as a user opens a CI artifact. Chromium is the system one (Debian's ``chromium``, which
scripts/test.sh installs): Playwright's own browser download is not used. These tests are never
skipped: without Chromium they fail and say how to get it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

from gonogo.model import (
    Action,
    Area,
    Category,
    CheckResult,
    Condition,
    ConditionResult,
    Decision,
    Finding,
    Gate,
    GateResult,
    GateStatus,
    Location,
    Note,
    Operator,
    Outcome,
    Priority,
    Report,
    RootInfo,
    Severity,
    Waiver,
)
from gonogo.reporters import html
from tests.helpers import make_repo, scan_repo

EXAMPLE = Path(__file__).parent.parent / "examples" / "control-center"
OUTPUT = Path(__file__).parent.parent / "test-output"
"""Where the screenshot of the example's report goes (gitignored), for a person to look at."""
CHROMIUM = os.environ.get("GONOGO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: the HTML report is tested in a real browser. Run scripts/test.sh "
            "(it installs Debian's chromium), or apt-get install chromium, or set GONOGO_CHROMIUM to its path."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@dataclass(kw_only=True)
class Opened:
    """A loaded report and what the page did while loading and being used."""

    page: Page
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def visible_rows(self) -> list[dict[str, str]]:
        return self.page.eval_on_selector_all(
            "tr.finding",
            "rows => rows.filter(r => r.offsetParent !== null).map(r => ({check: r.dataset.check, "
            "severity: r.dataset.severity, status: r.dataset.status, text: r.textContent}))",
        )


def open_report(browser: Browser, page_text: str, folder: Path) -> Opened:
    target = folder / "report.html"
    target.write_text(page_text, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    opened = Opened(page=page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            opened.console.append(f"{message.type}: {message.text}")

    def on_request(request: Request) -> None:
        if request.url != target.as_uri():
            opened.requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("request", on_request)
    page.goto(target.as_uri())
    page.wait_for_load_state("load")
    return opened


def finding(check_id: str, severity: Severity, n: int, **extra: object) -> Finding:
    return Finding(check_id=check_id, severity=severity, message=f"problem number {n}",
                   location=Location(path=f"pkg/module_{n % 40}.py", line=n + 1), key=str(n), **extra)


def synthetic_report(results: tuple[CheckResult, ...], **changes: object) -> Report:
    gate = Gate(name="Security", conditions=(Condition(metric="vulns.high", operator=Operator.EQ, threshold=0),
                                             Condition(metric="secrets.found", operator=Operator.EQ, threshold=0)))
    report = Report(
        decision=Decision.NO_GO,
        gates=(GateResult(gate=gate, status=GateStatus.FAIL, conditions=(
            ConditionResult(condition=gate.conditions[0], measured=2, status=GateStatus.FAIL),
            ConditionResult(condition=gate.conditions[1], measured=0, status=GateStatus.PASS))),),
        metrics={}, scores={Area.SECURITY: 40.0}, checks=results, plan=(),
        roots=(RootInfo(name="app", path="", commit="0123456789abcdef0123456789abcdef01234567",
                        web="https://github.com/acme/app/blob/0123456789abcdef0123456789abcdef01234567/"),),
    )
    return replace(report, **changes)


def result(check_id: str, findings: tuple[Finding, ...], title: str = "A requirement") -> CheckResult:
    return CheckResult(check_id=check_id, title=title, category=Category.SECURITY, severity=Severity.HIGH,
                       outcome=Outcome.FAIL, score=0.0, findings=findings)


@pytest.fixture(scope="module")
def example_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The example workspace's report, scanned as ``control-center`` from a copy."""
    target = tmp_path_factory.mktemp("example") / "control-center"
    shutil.copytree(EXAMPLE, target)
    report = scan_repo(target)
    return html.render(report)


def test_the_example_report_shows_its_decision_without_network_or_errors(browser, example_page, tmp_path):
    opened = open_report(browser, example_page, tmp_path)
    page = opened.page
    assert page.locator("#decision .decision").inner_text() == "NO GO"
    assert "checks passed" in page.locator("#decision").inner_text()
    assert page.locator(".gate.fail").count() >= 1 and page.locator("svg.chart").count() == 3
    assert page.locator("button.copy").count() >= 1 and len(opened.visible_rows()) > 10
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "control-center-report.png"), full_page=True)
    assert (OUTPUT / "control-center-report.png").stat().st_size > 10_000
    assert opened.requests == [] and opened.console == [] and opened.errors == []


def test_typing_a_check_id_hides_the_other_findings(browser, example_page, tmp_path):
    opened = open_report(browser, example_page, tmp_path)
    before = {row["check"] for row in opened.visible_rows()}
    assert {"IMG001", "TEST001"} <= before
    opened.page.get_by_label("Filter findings").press_sequentially("img001")
    rows = opened.visible_rows()
    assert rows and {row["check"] for row in rows} == {"IMG001"}
    assert opened.page.locator("details.group:not([hidden])").count() == 1
    opened.page.get_by_label("Filter findings").fill("")
    assert {row["check"] for row in opened.visible_rows()} == before
    assert opened.console == [] and opened.errors == []


def test_the_severity_filter_keeps_only_the_ticked_severities(browser, example_page, tmp_path):
    opened = open_report(browser, example_page, tmp_path)
    assert {"high", "low"} <= {row["severity"] for row in opened.visible_rows()}
    for severity in ("critical", "medium", "low", "info"):
        opened.page.locator(f"input[name=severity][value={severity}]").uncheck()
    rows = opened.visible_rows()
    assert rows and {row["severity"] for row in rows} == {"high"}
    shown = opened.page.locator("#shown").inner_text()
    assert shown.startswith(f"{len(rows)} of ")


def test_a_copy_button_puts_the_verify_command_on_the_clipboard(browser, example_page, tmp_path):
    target = tmp_path / "report.html"
    target.write_text(example_page, encoding="utf-8")
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(target.as_uri())
    button = page.locator("#plan button.copy").first
    command = button.get_attribute("data-copy")
    assert command and command.startswith("gonogo check --select ")
    # The label changes when the clipboard promise settles and reverts 1.5 s later; a busy machine
    # can miss either moment, so every label the button shows is recorded and waited for.
    page.evaluate(
        """() => {
            const button = document.querySelector('#plan button.copy');
            window.seenLabels = [];
            new MutationObserver(() => window.seenLabels.push(button.textContent))
                .observe(button, {childList: true, characterData: true, subtree: true});
        }"""
    )
    button.click()
    page.wait_for_function("window.seenLabels.length > 0", timeout=30_000)
    assert page.evaluate("window.seenLabels[0]") == "Copied"
    assert page.evaluate("navigator.clipboard.readText()") == command
    context.close()


def test_status_and_path_filters_and_links_to_the_forge(browser, tmp_path):
    findings = (
        finding("SEC001", Severity.HIGH, 1),
        finding("SEC001", Severity.HIGH, 2, waived=Waiver(check="SEC001", reason="accepted risk")),
        finding("SEC001", Severity.LOW, 3, suppressed="baseline"),
    )
    opened = open_report(browser, html.render(synthetic_report((result("SEC001", findings),))), tmp_path)
    page = opened.page
    page.locator("#status").select_option("waived")
    assert [(r["status"], "accepted risk" in r["text"]) for r in opened.visible_rows()] == [("waived", True)]
    page.locator("#status").select_option("baselined")
    assert [r["status"] for r in opened.visible_rows()] == ["baselined"]
    page.locator("#status").select_option("")
    page.get_by_label("Path").fill("module_2.py")
    assert [r["text"].count("pkg/module_2.py:3") for r in opened.visible_rows()] == [1]
    link = page.locator("tr.finding td.where a").first.get_attribute("href")
    assert link == "https://github.com/acme/app/blob/0123456789abcdef0123456789abcdef01234567/pkg/module_2.py#L3"
    assert opened.requests == [] and opened.errors == []


def test_findings_sort_by_a_column_and_filter_by_check(browser, tmp_path):
    mixed = (finding("SEC001", Severity.LOW, 5), finding("SEC001", Severity.HIGH, 30), finding("SEC001", Severity.INFO, 1))
    other = (finding("DEP001", Severity.MEDIUM, 2),)
    opened = open_report(browser, html.render(synthetic_report((result("SEC001", mixed), result("DEP001", other)))),
                         tmp_path)
    page = opened.page

    def sec001_order() -> list[str]:
        return [r["severity"] for r in opened.visible_rows() if r["check"] == "SEC001"]

    assert sec001_order() == ["high", "low", "info"]  # worst first
    page.locator("details[data-check=SEC001] button[data-sort=path]").click()
    assert sec001_order() == ["info", "high", "low"]  # pkg/module_1.py, pkg/module_30.py, pkg/module_5.py
    page.locator("#check").select_option("DEP001")
    assert [r["check"] for r in opened.visible_rows()] == ["DEP001"]
    assert opened.errors == []


def test_without_a_known_remote_paths_are_shown_not_linked(browser, tmp_path):
    report = synthetic_report((result("SEC001", (finding("SEC001", Severity.HIGH, 1),)),),
                              roots=(RootInfo(name="app", path="", commit=None),))
    opened = open_report(browser, html.render(report), tmp_path)
    assert opened.page.locator("tr.finding td.where").inner_text() == "pkg/module_1.py:2"
    assert opened.page.locator("tr.finding td.where a").count() == 0


def test_hostile_text_is_shown_and_never_runs(browser, tmp_path):
    evil = Finding(check_id="SEC001", severity=Severity.HIGH, message=f"message {HOSTILE}",
                   location=Location(path=f"src/{HOSTILE}.py", line=3), evidence=HOSTILE,
                   waived=Waiver(check="SEC001", reason=HOSTILE))
    report = synthetic_report(
        (result("SEC001", (evil,), title=f"title {HOSTILE}"),),
        plan=(Action(priority=Priority.P0, title=f"fix {HOSTILE}", check_ids=("SEC001",), findings=(evil,),
                     verify=f"gonogo check {HOSTILE}", owner=HOSTILE),),
        notes=(Note(message=f"could not read {HOSTILE}", path=HOSTILE),),
        roots=(RootInfo(name=HOSTILE, path="", commit=None, web=None),),
        data_versions={"osv": HOSTILE},
    )
    opened = open_report(browser, html.render(report), tmp_path)
    page = opened.page
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img, script:not([id=data])').length") == 1  # our one script
    text = page.locator("body").inner_text()
    assert text.count(HOSTILE) >= 6  # shown as text: title, plan, owner, verify, note, root, and the row
    assert HOSTILE in page.locator("tr.finding td.what").inner_text()
    assert opened.errors == []


def test_three_thousand_findings_filter_to_the_right_rows(browser, tmp_path):
    checks = ("SEC001", "SEC002", "DEP001", "IMG001", "TEST001", "CODE001")
    severities = list(Severity)
    results = tuple(
        result(check_id, tuple(finding(check_id, severities[(n + i) % 5], n) for n in range(500)))
        for i, check_id in enumerate(checks)
    )
    opened = open_report(browser, html.render(synthetic_report(results)), tmp_path)
    page = opened.page
    assert page.locator("#shown").inner_text() == "3000 of 3000"
    assert page.locator("details.group[open]").count() == 0  # large: groups start closed, no rows drawn
    assert page.locator("tr.finding").count() == 0
    page.get_by_label("Filter findings").fill("dep001 module_7.py")
    assert page.locator("#shown").inner_text() == "13 of 3000"  # 500 findings spread over 40 modules
    rows = opened.visible_rows()
    assert len(rows) == 13 and {r["check"] for r in rows} == {"DEP001"}
    page.get_by_label("Filter findings").fill("sec")
    assert page.locator("#shown").inner_text() == "1000 of 3000"
    page.locator("button", has_text="Expand all").click()
    assert len(opened.visible_rows()) == 200  # two groups, the first hundred rows of each
    page.locator("details[data-check=SEC001] button.more").click()
    assert len(opened.visible_rows()) == 300
    assert opened.errors == [] and opened.console == []


def test_the_certification_and_risk_register_render(browser, example_page, tmp_path):
    """The overall score with its formula, the maturity level, each area's status and the risk
    register are on the page, as in the Markdown report."""
    opened = open_report(browser, example_page, tmp_path)
    page = opened.page
    assert opened.errors == [] and opened.requests == []
    section = page.locator("#certification")
    assert section.is_visible()
    text = section.inner_text()
    assert "Formula:" in text and "Maturity level held:" in text and "Risk register" in text
    statuses = set(page.locator("#certification table.areas .badge").all_inner_texts())
    assert statuses and statuses <= {"READY", "CONDITIONAL", "BLOCKED"}
    assert "BLOCKED" in statuses, "the example fails blocking gates"


def test_the_trend_of_recorded_runs_is_charted(browser, tmp_path):
    """Three recorded runs of a repository: the third report charts the two before it and itself,
    one dot per decision, with the overall score and the active findings as lines."""
    from typer.testing import CliRunner

    from gonogo.cli import app

    root = make_repo(tmp_path / "repo", {"tests/test_a.py": "def test_a():\n    assert 1 + 1 == 2\n"}, git=True)
    database = tmp_path / "history.sqlite"
    for run, extra in enumerate(["", "import pytest\n\n\n@pytest.mark.skip\ndef test_b():\n    pass\n", ""]):
        if extra:
            (root / "tests" / "test_b.py").write_text(extra, encoding="utf-8")
        elif run:
            (root / "tests" / "test_b.py").unlink()
        result = CliRunner().invoke(app, ["check", str(root), "--history", str(database), "-f", "html",
                                          "-o", str(tmp_path / f"out{run}"), "-q"], catch_exceptions=False)
        assert result.exit_code in (0, 1), result.output
    first = (tmp_path / "out0" / "report.html").read_text(encoding="utf-8")
    assert 'class="trend"' not in first, "a first run has nothing to chart"
    opened = open_report(browser, (tmp_path / "out2" / "report.html").read_text(encoding="utf-8"), tmp_path)
    dots = opened.page.locator("svg.trend circle.dot")
    assert dots.count() == 3
    assert [dots.nth(i).get_attribute("class") for i in range(3)] == ["dot unknown", "dot fail", "dot unknown"]
    assert "this run" in (dots.nth(2).text_content() or "")
    assert opened.errors == [] and opened.requests == []
