"""One parse per file, ruff's results cached, every stage timed: what keeps a rescan cheap."""

from __future__ import annotations

import ast
import json
from importlib import resources

import jsonschema
import pytest

from gonogo.collectors import sast as sast_collector
from gonogo.collectors.python_facts import extract
from gonogo.reporters.json_report import report_to_dict
from tests.helpers import make_repo, scan_repo

APP = {
    "app/db.py": """
        import os
        DATABASE = os.environ["DATABASE_URL"]
        SETTINGS = {"password": "s3cr3t-Value-42"}  # gonogo: ignore[SEC009] seed data for the demo

        def find(cursor, name):
            cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)
        """,
    "app/main.py": "import sentry_sdk\nsentry_sdk.init(dsn='https://key@example.invalid/1')\n",
}
SCHEMA = json.loads(resources.files("gonogo").joinpath("schema/report.schema.json").read_text())


def _scan(root, cache_dir, select=("SEC",)):
    """A scan with the fact cache on, in ``cache_dir``: the warm runs are what is tested."""
    return scan_repo(root, ",".join(select), options={"jobs": 1, "cache_dir": str(cache_dir), "use_cache": True})


def test_the_per_file_rules_ride_on_the_one_parse():
    facts = extract(make_source(APP["app/db.py"]))
    assert [(s.call_line, s.how) for s in facts.sql_sinks] == [(6, "% formatting")]
    assert [(d.line, d.key) for d in facts.dict_passwords] == [(3, "password")]
    assert facts.text is not None
    assert [(r.name, r.line) for r in facts.text.env_reads] == [("DATABASE_URL", 2)]
    assert [(line, s.ids) for line, s in facts.text.suppressions] == [(3, ("SEC009",))]


def test_a_file_that_is_not_utf8_has_no_line_scans_but_keeps_its_parse_facts():
    facts = extract("# coding: latin-1\nname = 'caf\xe9'\n".encode("latin-1"))
    assert facts.parse_error is None
    assert facts.text is None


def test_a_warm_scan_parses_nothing_again_for_sast(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", APP)
    cold = _scan(root, tmp_path / "cache")
    parses = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse", lambda *a, **k: parses.append(a) or real(*a, **k))
    warm = _scan(root, tmp_path / "cache")
    assert parses == []
    assert _findings(warm) == _findings(cold)
    assert any(f.get("rule") in ("S608", "GNG608") for f in warm.findings)


@pytest.mark.parametrize("changed", [False, True], ids=["unchanged tree", "one file changed"])
def test_ruff_runs_only_on_files_it_has_not_seen(tmp_path, monkeypatch, changed):
    root = make_repo(tmp_path / "repo", APP)
    cold = _scan(root, tmp_path / "cache")
    given: list[list[str]] = []
    real = sast_collector.run_ruff
    monkeypatch.setattr(sast_collector, "run_ruff", lambda ruff, paths, *a: given.append(list(paths)) or real(ruff, paths, *a))
    if changed:
        (root / "app/main.py").write_text("import pickle\npickle.loads(b'')\n", encoding="utf-8")
    warm = _scan(root, tmp_path / "cache")
    assert given == ([[str(root / "app/main.py")]] if changed else [])
    assert warm.data_versions["ruff"] == cold.data_versions["ruff"]
    assert any(f.get("rule") == "S301" for f in warm.findings) is changed
    assert any(f.get("rule") in ("S608", "GNG608") for f in warm.findings)


def test_each_stage_and_collector_is_timed_in_the_json_evidence(tmp_path):
    root = make_repo(tmp_path / "repo", APP)
    report = _scan(root, tmp_path / "cache", select=("SEC", "CODE"))
    data = report_to_dict(report)
    jsonschema.validate(data, SCHEMA)
    timings = data["evidence"]["timings"]
    assert {"reading", "SAST", "secrets", "checks"} <= set(timings["stages"])
    assert {"python", "sast", "secrets"} <= set(timings["collectors"])
    assert timings["stages"]["SAST"] >= timings["collectors"]["sast"] >= 0


def test_a_report_without_its_clock_has_no_timings_key(tmp_path):
    from dataclasses import replace

    report = _scan(make_repo(tmp_path / "repo", APP), tmp_path / "cache")
    assert "timings" not in report_to_dict(replace(report, timings={}))["evidence"]


def make_source(text: str) -> bytes:
    import textwrap

    return textwrap.dedent(text).lstrip("\n").encode()


def _findings(report):
    return sorted((f.check_id, f.path, f.line, f.message) for f in report.findings)


def test_binary_files_are_not_sent_to_the_secret_scan(tmp_path, monkeypatch):
    """They are hashed, once: the stat index then knows them, and a warm scan reads neither file."""
    from gonogo.collectors import secrets as secrets_collector

    key = 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYzz"\n'
    root = make_repo(tmp_path / "repo", {"logo.png": b"\x89PNG\0\0" + key.encode(), "conf.py": key})
    sent: list[str] = []
    real = secrets_collector.scan_payload
    monkeypatch.setattr(
        secrets_collector, "scan_payload", lambda payload: sent.append(payload[0][:4].decode("latin-1")) or real(payload)
    )
    report = _scan(root, tmp_path / "cache")
    assert sent == ["aws_"]
    assert not [f for f in report.findings if f.path == "logo.png"]


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        (r"^\s*(from|import)\s+(structlog|pythonjsonlogger)\b", {"structlog", "pythonjsonlogger"}),
        (r"\bsentry_sdk\.init\s*\(|\bRAVEN_CONFIG\b", {"sentry_sdk.init", "RAVEN_CONFIG"}),
        (r"\bddtrace\.patch(_all)?\s*\(", {"ddtrace.patch"}),
        (r"(?i)secret", None),
        (r"[\"'](x)?[\"']", None),
    ],
    ids=["alternation in a group", "top-level alternation", "optional part left out", "ignore case",
         "nothing required"],
)
def test_required_literals_are_read_from_the_pattern(pattern, required):
    import re

    from gonogo.regex_literals import required_literals

    assert required_literals(re.compile(pattern)) == (frozenset(required) if required else None)


@pytest.mark.parametrize(
    "text",
    [
        "import os\nsentry_sdk.init(dsn=x)\n",
        "x = 1\r\nsentry_sdk.init(dsn=x)\r\n",
        "x = 1\x0csentry_sdk.init(dsn=x)\n# sentry_sdk.init(\n",
        "# sentry_sdk.init(dsn=x)\nprint('nothing')\n",
        "a = 1\nb = 2\n",
        "x = 1; " + "sentry_sdk.init(dsn=x); " * 1000 + "\n# sentry_sdk.init(\nsentry_sdk.init(dsn=y)\n",
    ],
    ids=["newlines", "CRLF", "form feed and a comment", "only in a comment", "no signal", "many on one line"],
)
def test_the_literal_prefilter_finds_what_the_line_by_line_scan_finds(text):
    from gonogo.collectors.python_text import PYTHON_SIGNALS, TextSearch, line_signals
    from gonogo.source_lines import python_lines

    lines = python_lines(text)  # as text_facts splits it
    assert line_signals(lines, PYTHON_SIGNALS, TextSearch(text)) == line_signals(lines, PYTHON_SIGNALS)
