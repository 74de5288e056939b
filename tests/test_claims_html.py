"""`gonogo verify --format html`: one self-contained page, every value from the document escaped."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gonogo.claims.model import Claim, Judgement, Status
from gonogo.claims.render import render_html
from gonogo.cli import app

ROOT = Path(__file__).parent.parent
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


def judgement(text: str, status: Status, *, evidence: str = "", measured: str | None = None) -> Judgement:
    claim = Claim(line=7, text=text, kind="metric_count", metric="tests.skip_calls")
    return Judgement(claim=claim, check_id="CLM010", status=status, claimed=text, measured=measured,
                     evidence=evidence)


@pytest.mark.parametrize(("hostile", "escaped"), [
    (SCRIPT, "&lt;script&gt;alert(1)&lt;/script&gt;"),
    (IMG, "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;"),
], ids=["script element", "image with an onerror handler"])
def test_markup_in_a_claim_is_escaped_in_every_column(hostile: str, escaped: str) -> None:
    page = render_html("READY.md", [judgement(f"71 skips {hostile}", Status.CONTRADICTED,
                                              evidence=f"in {hostile}", measured=hostile)], f"report {hostile}")
    assert hostile not in page
    assert "<script" not in page and "<img" not in page
    # phrase, claimed, measured, evidence and the evidence source: five places, all escaped
    assert page.count(escaped) == 5


def test_the_page_has_the_summary_and_a_row_per_claim_with_its_status_coloured() -> None:
    judgements = [judgement("19/47 checks passed", Status.VERIFIED, measured="40.4%"),
                  judgement("71 skips", Status.CONTRADICTED, measured="12"),
                  judgement("900 RPS", Status.UNVERIFIABLE)]
    page = render_html("READY.md", judgements, "")
    assert "3 claims: 1 verified, 1 contradicted, 0 inconsistent, 1 unverifiable." in page
    assert re.findall(r'<td class="status (\w+)">', page) == ["verified", "contradicted", "unverifiable"]
    assert ".contradicted{color:#cf222e}" in page
    assert "<q>71 skips</q>" in page and "<td>12</td>" in page
    assert "Evidence:" not in page  # no report behind it, no evidence line


def test_the_page_is_self_contained() -> None:
    page = render_html("READY.md", [judgement("see https://example.com/x.js", Status.UNVERIFIABLE)], "")
    tags = re.findall(r"<(\w+)", page)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(tags)
    assert "https://" not in page.replace("see https://example.com/x.js", "")  # only the user's text
    assert "default-src 'none'" in page


def test_verify_writes_claims_html_with_the_document_name_escaped(tmp_path: Path) -> None:
    doc = tmp_path / f"{SCRIPT.replace('/', '')}.md"  # a file name is the user's too
    doc.write_text("# Ready\n\n- 19/47 checks passed (40.4%)\n- Throughput: 900 RPS\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["verify", str(doc), "--format", "html", "--output", str(tmp_path / "out")],
                                catch_exceptions=False)
    assert result.exit_code == 0
    page = (tmp_path / "out" / "claims.html").read_text(encoding="utf-8")
    assert "2 claims: 1 verified, 0 contradicted, 0 inconsistent, 1 unverifiable." in page
    assert "&lt;script&gt;alert(1)&lt;script&gt;.md" in page and "<script>" not in page


def test_an_unknown_format_is_named_with_the_choices(tmp_path: Path) -> None:
    doc = tmp_path / "READY.md"
    doc.write_text("- 19/47 checks passed (40.4%)\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["verify", str(doc), "--format", "md,pdf"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "unknown format pdf;" in text and "html" in text


def test_the_template_is_package_data() -> None:
    """An installed gonogo finds the template through importlib only if pyproject ships it."""
    templates = resources.files("gonogo.claims") / "templates"
    names = [t.name for t in templates.iterdir() if t.name.endswith(".j2")]
    assert "claims.html.j2" in names
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["gonogo"]
    assert all(any(fnmatch(f"claims/templates/{name}", g) for g in globs) for name in names)
