"""Every extraction rule of gonogo verify, and the document reader's repairs and refusals."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gonogo.claims.document import DocumentError, parse_document, read_document, repair_line
from gonogo.claims.extract import extract
from gonogo.claims.model import Claim
from gonogo.claims.structure import parse_lines
from gonogo.claims.vocabulary import VocabularyError, build, load


def claims(text: str, **vocabulary: str) -> tuple[Claim, ...]:
    lines = tuple(textwrap.dedent(text).strip("\n").splitlines())
    return extract(parse_lines(lines), build(vocabulary or None))


def kinds(text: str) -> list[tuple[int, str]]:
    return [(c.line, c.kind) for c in claims(text)]


def test_a_fraction_and_its_percentage_make_a_ratio_claim() -> None:
    (claim,) = claims("**Quality Score**: 40.4% (19/47 checks)")
    assert (claim.kind, claim.value, claim.total, claim.unit, claim.digits) == ("ratio", 19, 47, "40.4", 1)
    assert claim.text == "40.4% (19/47"


def test_a_fraction_without_a_percentage_is_not_a_ratio_claim() -> None:
    assert [c for c in claims("- 7/10 MCP servers operational") if c.kind == "ratio"] == []


def test_a_count_in_a_label_is_checked_against_the_list_below() -> None:
    (label, *items) = claims("""
        **Missing** (3):
        - a.py
        - b.py
        - c.py
        - d.py
    """)
    assert (label.kind, label.value, len(label.parts)) == ("list_count", 3, 4)
    assert [i.kind for i in items] == ["path_missing"] * 4


def test_a_total_row_is_read_per_numeric_column() -> None:
    totals = [c for c in claims("""
        | Category | Expected | Actual |
        |---|---|---|
        | Scripts | 20 | 2 |
        | Skills | 4 | 0 |
        | **TOTAL** | **24** | **3** |
    """) if c.kind == "table_total"]
    assert [(c.subject, c.value, len(c.parts)) for c in totals] == [("Expected", 24, 2), ("Actual", 3, 2)]


def test_an_overall_score_carries_the_component_scores_of_the_score_table() -> None:
    found = claims("""
        Overall readiness: 76%

        | Component | Score |
        |---|---|
        | Security | 40% |
        | Testing | 95% |
    """)
    overall = next(c for c in found if c.kind == "overall_score")
    assert overall.value == 76
    assert [p for _, p in overall.parts] == ["Security: 40%", "Testing: 95%"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("42M+ RPS", 42e6), ("3,196 ops/sec", 3196), ("1.5K requests/sec", 1500)],
    ids=["millions with plus", "thousands separator", "k multiplier"],
)
def test_throughput_figures_are_scaled(text: str, value: float) -> None:
    (claim,) = [c for c in claims(f"- Throughput: {text}") if c.kind == "throughput"]
    assert claim.value == value


def test_an_overall_figure_that_is_not_a_score_is_not_an_overall_score() -> None:
    text = "Overall test coverage: 80%\n\n| Component | Score |\n|---|---|\n| Security | 40% |\n"
    assert [c.kind for c in claims(text) if c.kind == "overall_score"] == []


def test_a_throughput_target_is_not_a_claim() -> None:
    assert [c for c in claims("- Target: 10,000 RPS") if c.kind == "throughput"] == []


def test_peak_and_sustained_are_paired() -> None:
    pair = next(c for c in claims("- Throughput: 3,196 ops/sec peak (650 sustained)") if c.kind == "peak_sustained")
    assert (pair.value, pair.total) == (3196, 650)


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("**Decision**: **NO-GO** ❌", "NO-GO"),
        ("### **CONDITIONAL GO DECISION** ⚠️", "CONDITIONAL GO"),
        ("Decision: GO", "GO"),
    ],
    ids=["bold no-go", "heading conditional", "plain go"],
)
def test_the_documents_decision_is_read(text: str, verdict: str) -> None:
    (claim,) = claims(text)
    assert (claim.kind, claim.subject) == ("decision", verdict)


def test_arguments_for_go_and_per_fix_tables_are_not_decisions() -> None:
    found = claims("""
        #### ARGUMENTS FOR GO DECISION ✅

        | Fix | GO/NO-GO |
        |---|---|
        | Add boto3 | **GO** |
    """)
    assert [c for c in found if c.kind == "decision"] == []


def test_a_criteria_row_carries_required_achieved_and_status() -> None:
    (row,) = [c for c in claims("""
        | Criteria | Required | Achieved | Status |
        |---|---|---|---|
        | Security | ≥95% | 40% | 🔴 FAIL |
    """) if c.kind == "criterion"]
    assert (row.value, row.total, row.unit, row.subject) == (40, 95, "FAIL", "Security: FAIL")


@pytest.mark.parametrize(
    ("text", "metric", "value"),
    [
        ("- 71 pytest.skip() violations block QA gate", "tests.skip_calls", 71),
        ("- 7 skipped tests remain", "tests.skip_sites", 7),
        ("**Unpinned Images Found: 12**", "images.floating", 12),
        ("- 12 images using :latest or :main tags", "images.latest_or_main", 12),
        ("- **Test coverage: 14%** (target: 90%)", "coverage.percent", 14),
        ("- **12,820 total vulnerabilities** identified", "vulns.total", 12820),
        ("- Critical Vulnerabilities: 5 found", "vulns.critical", 5),
        ("- 3 functions over 60 lines", "code.long_functions", 3),
    ],
    ids=["pytest.skip calls", "skipped tests", "phrase colon count", "latest or main", "coverage percent", "thousands", "critical",
         "long functions"],
)
def test_a_number_beside_a_vocabulary_phrase_is_a_metric_claim(text: str, metric: str, value: float) -> None:
    (claim,) = [c for c in claims(text) if c.kind == "metric_count"]
    assert (claim.metric, claim.value) == (metric, value)
    assert claim.subject == ("60" if metric == "code.long_functions" else "")


@pytest.mark.parametrize(
    "text",
    [
        "- Boost test coverage to 90%",
        "- 4 test files missing",
        "- pytest.ini configured with 60% coverage threshold",
        "```bash\npytest  # 71 skipped tests\n```",
        "[ ] pytest.skip() count = 0",
        "## Next Steps\n- Remove 71 pytest.skip() violations",
        "### 1.4 Docker Image Tag Pinning and skips",
    ],
    ids=["target after to", "missing count", "threshold", "code fence with language", "unticked task", "plan section",
         "section number"],
)
def test_targets_code_tasks_and_plans_are_not_metric_claims(text: str) -> None:
    assert [c for c in claims(text) if c.kind == "metric_count"] == []


def test_a_per_file_count_in_a_table_or_in_parentheses() -> None:
    found = claims("""
        ### pytest.skip() Violations

        | Workspace | File | Violations |
        |---|---|---|
        | C:\\Ziggie | tests\\test_websocket.py | 11 |

        ```
        C:\\Ziggie\\tests\\conftest.py (1 skip)
        ```
    """)
    per_file = [(c.subject, c.value, c.metric) for c in found if c.kind == "file_count"]
    assert per_file == [("tests\\test_websocket.py", 11, "tests.skip_calls"),
                        ("C:\\Ziggie\\tests\\conftest.py", 1, "tests.skip_sites")]
    assert [c for c in found if c.kind == "metric_count"] == []


def test_paths_take_their_state_from_the_label_or_a_mark() -> None:
    found = claims("""
        **Found** (1):
        - `final_validation.py` (just created)

        **Notes**:
        - `docs/plan.md` is discussed

        - ❌ `backend/app.py`
    """)
    states = [(c.kind, c.subject) for c in found if c.kind.startswith("path_")]
    assert states == [("path_present", "final_validation.py"), ("path_missing", "backend/app.py")]


def test_a_long_sentence_is_not_a_label_for_the_list_below() -> None:
    found = claims("""
        **Issue 1: Missing Test Directory Structure**
        - **Why it matters:** Workflows reference `tests/unit/`
    """)
    assert [c for c in found if c.kind.startswith("path_")] == []


def test_package_statements() -> None:
    found = claims("""
        - boto3 present in 2/7 requirements.txt files
        - boto3 missing from 5/7 modules

        | Package | Current Version | Latest Stable |
        |---|---|---|
        | PyJWT | 2.8.0 | 2.10.1 (Dec 2024) |

        | Requirements File | boto3 Present | Status |
        |---|---|---|
        | C:\\Z\\coordinator\\requirements.txt | NO | MISSING |
    """)
    got = [(c.kind, c.subject, c.value, c.unit) for c in found if c.kind.startswith("package")]
    assert got == [
        ("package_presence", "boto3", 2, ""),
        ("package_presence", "boto3", 2, ""),
        ("package_version", "PyJWT", None, "2.8.0"),
        ("package_undeclared", "C:\\Z\\coordinator\\requirements.txt", None, "boto3"),
    ]


def test_other_percentages_are_figures_and_targets_are_not() -> None:
    found = claims("- Integration Gaps: 53% data flow success\n- Achieve 95%+ deployment success")
    assert [(c.kind, c.value) for c in found] == [("figure", 53)]


def test_the_vocabulary_is_extendable() -> None:
    (claim,) = [c for c in claims("- 9 flaky tests quarantined", **{r"flaky\s+tests": "tests.flaky"})
                if c.kind == "metric_count"]
    assert claim.metric == "tests.flaky"


def test_a_vocabulary_file_adds_phrases(tmp_path: Path) -> None:
    path = tmp_path / "words.toml"
    path.write_text('[claims.vocabulary]\n"broken\\\\s+links" = "docs.broken_references"\n', encoding="utf-8")
    assert load(path).metric_in("3 broken links") == "docs.broken_references"


@pytest.mark.parametrize(
    "text", ['[claims]\nvocabulary = 3\n', '[claims.vocabulary]\n"(" = "x"\n', "not toml ["],
    ids=["not a table", "bad regex", "bad toml"],
)
def test_a_bad_vocabulary_file_names_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "words.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"words\.toml"):
        load(path)


def test_lines_keep_their_numbers() -> None:
    found = claims("# Title\n\nintro\n\n- 71 pytest.skip() violations")
    assert [(c.line, c.text) for c in found] == [(5, "71 pytest.skip() violations")]


@pytest.mark.parametrize(
    ("broken", "fixed"),
    # the broken forms are made here, as the accident made them, rather than typed
    [("- " + "✅".encode().decode("mac_roman") + " **Performance", "- ✅ **Performance"),
     ("## " + "📋".encode().decode("cp1252") + " Summary", "## 📋 Summary"),
     ("café ≥ 95%", "café ≥ 95%"), ("plain ascii", "plain ascii")],
    ids=["utf-8 read as mac roman", "utf-8 read as windows-1252", "real non-ascii kept", "ascii kept"],
)
def test_mojibake_is_repaired_and_real_text_kept(broken: str, fixed: str) -> None:
    assert repair_line(broken) == fixed


@pytest.mark.parametrize(
    ("data", "encoding"),
    [("Décision: GO\n".encode("utf-16"), "utf-16"), ("Décision: GO\n".encode("cp1252"), "cp1252"),
     ("\ufeffDecision: GO\n".encode(), "utf-8-sig")],
    ids=["utf-16 with bom", "windows-1252", "utf-8 with bom"],
)
def test_common_encodings_are_read(data: bytes, encoding: str) -> None:
    document = parse_document(data, "doc.md")
    assert document.encoding == encoding
    assert document.lines[0].endswith("Decision: GO") or document.lines[0] == "Décision: GO"


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"  \n\n", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
     (b"\xff\xfe\x00\xd8", "not valid utf-16")],
    ids=["empty", "blank", "binary", "broken utf-16"],
)
def test_unreadable_documents_name_the_file(data: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=rf"doc\.md: .*{message}"):
        parse_document(data, "doc.md")


def test_a_huge_or_missing_document_is_refused(tmp_path: Path) -> None:
    huge = tmp_path / "huge.md"
    huge.write_bytes(b"a" * 1_000_001)
    with pytest.raises(DocumentError, match=r"huge\.md: 1000001 bytes"):
        read_document(huge)
    with pytest.raises(DocumentError, match=r"nothere\.md: cannot be read"):
        read_document(tmp_path / "nothere.md")


def test_a_total_with_its_breakdown() -> None:
    (claim,) = [c for c in claims("- **75 vulnerabilities** detected (6 CRITICAL, 28 HIGH, 34 MODERATE, 7 LOW)")
                if c.kind == "breakdown"]
    assert (claim.value, claim.subject, [p for _, p in claim.parts]) == (
        75, "vulnerabilities", ["6 CRITICAL", "28 HIGH", "34 MODERATE", "7 LOW"])


def test_percentages_in_a_target_column_are_not_figures() -> None:
    found = claims("""
        | Module | Files | Current | Target |
        |---|---|---|---|
        | api/v1/ | 12 | 33% | 90% |
    """)
    assert [(c.kind, c.value) for c in found] == [("figure", 33)]


def test_advisory_statements() -> None:
    found = claims("- **PyJWT<2.10.1** (algorithm confusion attacks)\n#### CVE: Jinja2 < 3.1.3 (CRITICAL)\n"
                   "- Coverage < 60% is a failure")
    assert [(c.kind, c.subject, c.unit) for c in found if c.kind == "advisory"] == [
        ("advisory", "PyJWT", "2.10.1"), ("advisory", "Jinja2", "3.1.3")]


def test_an_over_long_line_is_not_read_and_the_reader_is_told(tmp_path: Path) -> None:
    from gonogo.claims.verify import verify

    doc = tmp_path / "dump.md"
    doc.write_text("# Dump\n\n- 71 pytest.skip() violations\n" + "12 skips, " * 500 + "\n", encoding="utf-8")
    result = verify(doc)
    assert [c.line for c in result.claims] == [3]
    assert result.notes == (f"{doc}: 1 lines over 4000 characters not read as claims (line 4)",)


@pytest.mark.parametrize(
    "text",
    ['<img src="logo.png" width="50%">', '![x](a.png){: style="width:32%"}', "[link](https://x.org/a%22b%20c)",
     "* Update psycopg[binary] requirement from <4.0.0,>=3.1.13", "- Upgrade from < 2.0 first"],
    ids=["html block", "css width", "url encoding", "requirement range", "english word before <"],
)
def test_markup_urls_and_ranges_are_not_claims(text: str) -> None:
    assert claims(text) == ()
