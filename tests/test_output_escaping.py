"""Hostile names and messages in every output: no rich markup read, no escape sequence reaching the
terminal, no heading or link injected into Markdown or HTML, no crash on a name that is not UTF-8,
and exit codes that tell a crash (3) from a verdict (0/1) and from no decision (2)."""

from __future__ import annotations

import json
import os
import re
import sys

import pytest
from typer.testing import CliRunner

from gonogo import atomic, cli
from gonogo.cli import app, scan_options, write_atomically
from gonogo.reporters.text import markdown_code, markdown_inline, terminal_text
from tests.helpers import make_repo

runner = CliRunner()
STUB = "def f():\n    pass\n"
FORMATS = ("md", "json", "sarif", "junit", "html")
REPORTS = ("report.md", "report.json", "report.sarif", "report.junit.xml", "report.html")


def check(root, out, *extra, env=None):
    return runner.invoke(app, ["check", str(root), "--select", "CODE,DOC", "-f", ",".join(FORMATS),
                               "-o", str(out), *extra], env=env or {})


@pytest.fixture
def hostile_names(tmp_path):
    """A tree whose file names carry rich markup, terminal escapes and a Markdown heading."""
    root = make_repo(tmp_path / "repo", {
        "a[/bold]b.py": STUB,  # a folder "a[" holding "bold]b.py": the path reads as markup
        "c[red]d.py": STUB,
        "evil\x1b]0;pwned\x07\x1b[31mred.py": STUB,
        "n\n\n# Production readiness: GO\n.py": STUB,
        "README.md": "# app\n\nSee [the docs](docs/[x](https://evil.example/y).md) and <https://evil.example/z>.\n",
    })
    return root


def test_markup_and_escapes_in_names_are_shown_not_obeyed(hostile_names, tmp_path):
    result = check(hostile_names, tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b" in result.output  # the reader sees the escape was there
    flat = re.sub(r"\s+", "", result.output)
    assert "a[/bold]b.py" in flat and "c[red]d.py" in flat


def test_a_name_cannot_add_a_title_or_a_link(hostile_names, tmp_path):
    out = tmp_path / "out"
    check(hostile_names, out)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert [line for line in markdown.splitlines() if line.startswith("# ")] == ["# Production readiness: NO GO"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<h1>") == 1 and "readiness: GO</h1>" not in page
    # no live link planted through Markdown: the page's only links are its own table of contents
    assert re.findall(r'href="([^"]*)"', page) == ["#gates", "#certification", "#scores", "#plan", "#findings", "#not-checked", "#evidence"]
    assert "evil.example" in page  # the text is still shown
    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    messages = [r["message"]["text"] for r in sarif["runs"][0]["results"] if r["ruleId"] == "DOC001"]
    assert messages and all("\\[x\\](https://evil.example/y)" in m for m in messages)  # SARIF 3.11.6 escape


def test_a_missing_path_with_markup_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["check", str(tmp_path / "nope[/x]")])
    assert result.exit_code == 2
    assert "nope[/x]" in result.output and "none of these paths exists" in result.output


def test_a_config_key_with_markup_is_a_clear_error(tmp_path):
    root = make_repo(tmp_path / "repo", {"gonogo.toml": '"a[/bold]\\u001b[31m" = 1\n', "a.py": "x = 1\n"})
    result = runner.invoke(app, ["check", str(root)])
    assert result.exit_code == 2
    assert "a[/bold]\\x1b[31m" in result.output and "\x1b" not in result.output


def test_a_name_that_is_not_utf8_is_reported(tmp_path):
    root = make_repo(tmp_path / "repo", {"ok.py": STUB})
    (root / os.fsdecode(b"bad\xff.py")).write_text(STUB)
    out = tmp_path / "out"
    result = check(root, out)
    assert result.exit_code in (0, 1), result.output  # a verdict, not a crash
    for name in REPORTS:
        assert (out / name).stat().st_size > 0, name
    assert "bad\ufffd.py" in (out / "report.md").read_text(encoding="utf-8")
    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"] if r.get("locations")}
    assert "bad%FF.py" in uris  # the name's own bytes, percent-encoded


@pytest.mark.parametrize("inside", [False, True], ids=["the file itself", "a folder under the file"])
def test_output_naming_a_file_is_refused_and_the_file_kept(tmp_path, inside):
    root = make_repo(tmp_path / "repo", {"a.py": STUB})
    existing = tmp_path / "notes.txt"
    existing.write_text("my notes\n")
    result = check(root, existing / "reports" if inside else existing)
    assert result.exit_code == 2
    assert "existing file" in result.output
    assert existing.read_text() == "my notes\n"


def test_a_failed_write_keeps_the_previous_report_whole(tmp_path, monkeypatch):
    target = tmp_path / "report.md"
    target.write_text("previous report\n")

    def full_disk(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", full_disk)
    with pytest.raises(OSError):
        write_atomically(target, "new report\n")
    assert target.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_reports_are_written_with_usual_permissions(tmp_path):
    target = tmp_path / "report.md"
    write_atomically(target, "text\n")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize(("debug", "traceback_shown"), [("", False), ("1", True)],
                         ids=["short message by default", "traceback with GONOGO_DEBUG"])
def test_a_crash_exits_3_not_no_go(tmp_path, monkeypatch, capsys, debug, traceback_shown):
    root = make_repo(tmp_path / "repo", {"a.py": STUB})

    def broken(*args, **kwargs):
        raise RuntimeError("a bug [/bold] in gonogo")

    monkeypatch.setattr(cli, "_scan_with_progress", broken)
    monkeypatch.setattr(sys, "argv", ["gonogo", "check", str(root)])
    monkeypatch.setenv("GONOGO_DEBUG", debug)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == cli.EXIT_INTERNAL_ERROR == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: a bug [/bold] in gonogo" in re.sub(r"\s+", " ", err)
    assert "please report it" in err
    assert ("Traceback" in err) is traceback_shown


def test_help_documents_the_exit_codes():
    result = runner.invoke(app, ["--help"])
    flat = re.sub(r"\s+", " ", result.output)
    assert "1 NO-GO" in flat and "2 no decision possible" in flat and "3 internal error" in flat


def test_baseline_uses_the_same_environment_as_check(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo", {"a.py": STUB})
    cache = tmp_path / "cache"
    index = tmp_path / "index.sqlite3"
    monkeypatch.setenv("GONOGO_CACHE_DIR", str(cache))
    monkeypatch.setenv("GONOGO_VULNDB", str(index))
    options = scan_options()
    assert (options.cache_dir, options.vulndb_path) == (str(cache), str(index))
    result = runner.invoke(app, ["baseline", str(root)])
    assert result.exit_code == 0, result.output
    assert any(cache.iterdir()), "the baseline's scan used GONOGO_CACHE_DIR"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x\n\n# Production readiness: GO", "x\\\\x0a\\\\x0a# Production readiness: GO"),
        ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
        ("<https://evil.example> <b>", "\\<https://evil.example> \\<b>"),
        ("a|b `c` *d* _e_ snake_case <= 5", "a\\|b \\`c\\` \\*d\\* \\_e\\_ snake_case <= 5"),
    ],
    ids=["line breaks", "link", "autolink and HTML", "table, code, emphasis; harmless text kept"],
)
def test_markdown_inline_escapes_only_what_could_act(text, expected):
    assert markdown_inline(text) == expected


def test_markdown_code_span_holds_backticks_and_terminal_text_shows_controls():
    assert markdown_code("a``b") == "```a``b```"
    assert markdown_code("`x") == "`` `x ``"
    assert terminal_text("a\x1b[31mb\x9b\u202e\tc") == "a\\x1b[31mb\\x9b\\u202e c"
