"""Hostile trees: every case builds the tree in tmp_path and shows the scan neither hangs, crashes
nor passes what it could not read, and that each skipped thing is named in a note or a finding."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gonogo.cli import app
from gonogo.collectors.containers import containers
from gonogo.collectors.deliverables import deliverables
from gonogo.collectors.manifests import manifests
from gonogo.collectors.manifests.tomltext import LineFinder
from gonogo.config import ConfigError, load_config, load_project_config
from gonogo.ignorefiles import compile_patterns
from gonogo.model import Outcome, Report
from gonogo.safe_read import FileReadError, read_regular_file
from gonogo.workspace import SourceFile, Workspace
from tests.helpers import make_repo, result_of, scan_repo

runner = CliRunner()


def scan_selected(root: Path, select: str) -> Report:
    """Scan as the CLI does: the project's own config (or the defaults it falls back to)."""
    return scan_repo(root, select)


def notes_for(workspace: Workspace, path: str) -> list[str]:
    return [n.message for n in workspace.notes if n.path == path]


def errors_of(root: Path, display: str) -> tuple[tuple[int | None, str], ...]:
    facts = manifests(Workspace.open([root]))
    return next(m.errors for m in facts.manifests if m.file.display == display)


# the safe reader ------------------------------------------------------------------------------


def test_reader_refuses_links_fifos_and_files_over_the_cap(tmp_path: Path) -> None:
    make_repo(tmp_path, {"big.txt": "x" * 2000, "small.txt": "ok"})
    os.symlink("/dev/zero", tmp_path / "zero")
    os.symlink(tmp_path / "small.txt", tmp_path / "link.txt")
    os.mkfifo(tmp_path / "pipe")
    assert read_regular_file(tmp_path / "small.txt", 100) == b"ok"
    refusals = {}
    for name in ("zero", "link.txt", "pipe", "big.txt"):
        with pytest.raises(FileReadError) as caught:
            read_regular_file(tmp_path / name, 1000)
        refusals[name] = str(caught.value)
    assert "symbolic link" in refusals["zero"] and "symbolic link" in refusals["link.txt"]
    assert "FIFO" in refusals["pipe"]
    assert "2,000 bytes is over the 1,000-byte limit" in refusals["big.txt"]


def test_special_files_and_links_out_of_the_root_are_notes_naming_them(tmp_path: Path) -> None:
    make_repo(tmp_path, {"app.py": "x = 1\n", "docs/real.md": "# real\n"})
    os.mkfifo(tmp_path / "pipe.py")
    os.symlink("/etc", tmp_path / "etc")
    os.symlink("/dev/null", tmp_path / "null.txt")
    os.symlink("docs/real.md", tmp_path / "README.md")  # inside the root: its target is listed
    workspace = Workspace.open([tmp_path])
    assert {f.relpath for f in workspace.files} == {"app.py", "docs/real.md"}
    assert "FIFO" in notes_for(workspace, "pipe.py")[0]
    assert "outside the scanned folder" in notes_for(workspace, "etc")[0]
    assert "outside the scanned folder" in notes_for(workspace, "null.txt")[0]
    assert notes_for(workspace, "README.md") == []
    assert {s.file.relpath for s in workspace.skipped} == {"pipe.py", "etc", "null.txt"}


@pytest.mark.parametrize(
    "make_gitignore",
    [lambda p: os.symlink("/dev/zero", p), lambda p: os.mkfifo(p)],
    ids=["gitignore links to /dev/zero", "gitignore is a FIFO"],
)
def test_a_gitignore_that_is_not_a_regular_file_is_a_note_not_a_hang(tmp_path: Path, make_gitignore) -> None:
    make_repo(tmp_path, {"app.py": "x = 1\n"})
    make_gitignore(tmp_path / ".gitignore")
    workspace = Workspace.open([tmp_path])  # read to its end, /dev/zero and a FIFO never end
    assert {f.relpath for f in workspace.files} == {"app.py"}
    assert any(n.startswith(".gitignore not applied") for n in notes_for(workspace, ".gitignore"))


def test_unreadable_folders_are_notes_not_crashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mode 000 means nothing to root, so the PermissionError it raises for others is simulated."""
    make_repo(tmp_path, {"app.py": "x = 1\n", "locked/secret.py": "y = 2\n"})
    locked = str(tmp_path / "locked")
    real_scandir, real_stat = os.scandir, os.stat

    def scandir(path):  # type: ignore[no-untyped-def]
        if str(path) == locked:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    def stat(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).startswith(locked + "/"):
            raise PermissionError(13, "Permission denied")
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)
    workspace = Workspace.open([tmp_path])
    assert {f.relpath for f in workspace.files} == {"app.py"}
    assert notes_for(workspace, "locked") == ["folder not readable: Permission denied"]


def test_an_unreadable_manifest_is_dep007_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_repo(tmp_path, {"requirements.txt": "requests>=2\n", "requirements-dev.txt": "pytest\n"})
    locked = str(tmp_path / "requirements-dev.txt")
    real_open = os.open

    def refusing_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path) == locked:  # what mode 000 does for anyone but root
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    assert errors_of(tmp_path, "requirements-dev.txt") == ((None, "not readable: Permission denied"),)
    assert errors_of(tmp_path, "requirements.txt") == ()


# bounded .gitignore patterns ------------------------------------------------------------------


def test_a_backtracking_gitignore_pattern_is_fast_and_still_applies(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {".gitignore": "a*" * 20 + "b\n", "a" * 200: "x\n", "a" * 20 + "b": "ignored\n", "keep.py": "x = 1\n"},
    )
    # nine stars over 200 a's took minutes when each star could take any share of the run; twenty
    # would outlast the suite's hang guard (pyproject.toml's pytest timeout) by far
    listed = {f.relpath for f in Workspace.open([tmp_path]).files}
    assert listed == {".gitignore", "a" * 200, "keep.py"}


@settings(max_examples=400, deadline=None)
@given(
    pattern=st.text(alphabet="ab*?/!", min_size=1, max_size=9),
    paths=st.lists(st.text(alphabet="ab/", min_size=1, max_size=10), min_size=1, max_size=8),
)
def test_atomic_stars_match_exactly_what_pathspec_matches(pattern: str, paths: list[str]) -> None:
    """The rewrite only removes backtracking; it must never change which paths a pattern ignores."""
    try:
        reference = pathspec.GitIgnoreSpec.from_lines([pattern])
    except ValueError:
        return  # a line pathspec refuses: compile_patterns reports it instead (tested below)
    bounded, refused = compile_patterns([pattern])
    for path in (p.strip("/") or "a" for p in paths):
        assert bounded.match_file(path) == reference.match_file(path) or refused, (pattern, path)


def test_the_bounded_patterns_run_on_pythons_re_whatever_engine_pathspec_would_pick(monkeypatch) -> None:
    """pathspec picks re2 or hyperscan when one is installed; neither accepts the atomic groups
    the bounded patterns are written with, and a scan in such an environment ended in an internal
    error on the first ``.gitignore``. Here pathspec is made to pick hyperscan (not installed, so
    any use of it fails): the patterns still compile, and match."""
    from pathspec._backends import agg  # private: a change there fails this test loudly

    monkeypatch.setattr(agg, "_BEST_BACKEND", "hyperscan")
    with pytest.raises(ImportError):  # what pathspec's own default now does
        pathspec.GitIgnoreSpec.from_lines(["*.log"])
    spec, refused = compile_patterns(["*.log", "a*" * 30 + "b"])
    assert not refused and spec.match_file("x.log") and not spec.match_file("x.py")


def test_codeowners_patterns_are_bounded_and_an_invalid_one_is_a_note_naming_its_line(tmp_path: Path) -> None:
    """CODEOWNERS lines were compiled as written: ``[z-a]`` ended the scan in an internal error, and
    a pattern written to backtrack hung it on the first long path it was tried on."""
    from gonogo.notes import Notes
    from gonogo.owners import load_owners

    backtrack = "a*" * 30 + "b"
    make_repo(tmp_path, {
        ".github/CODEOWNERS": f"* @everyone\n[z-a] @nobody\n{backtrack} @slow\ndocs/ @writers\n",
        "app.py": "x = 1\n",
    })
    notes = Notes()
    owners_of = load_owners(Workspace.open([tmp_path]), notes)
    assert owners_of is not None
    assert owners_of("a" * 60 + "c.py") == "@everyone"  # hung before: the pattern backtracked
    assert owners_of("a" * 30 + "b") == "@slow" and owners_of("docs/x.md") == "@writers"
    assert [(n.path, n.message.split(":")[0]) for n in notes] == [(".github/CODEOWNERS", "CODEOWNERS line 2 not applied")]


def test_a_document_naming_a_path_under_a_backtracking_gitignore_is_judged_without_hanging(tmp_path: Path) -> None:
    """The document-reference rules asked the repository's .gitignore files again, compiled as written
    rather than as the walk applies them: a nested pattern written to backtrack hung the scan."""
    long_name = "gen/" + "a" * 40 + "c.txt"
    make_repo(tmp_path, {
        "gen/.gitignore": "a*" * 30 + "b*\n",
        "docs/guide.md": f"Settings are in `gen/{'a' * 30}b.txt`. The schema is in `{long_name}`.\n",
        "app.py": "x = 1\n",
    })
    report = scan_repo(tmp_path, "DOC001")
    # the ignored output is not a claim; the missing file that no pattern ignores is
    assert [f.get("target") for f in result_of(report, "DOC001").findings] == [long_name]


HUGE_INTEGER = "1" * 5000
"""Past Python's 4,300-digit limit: reading it as an int raises a plain ``ValueError``."""


def test_a_gitignore_line_of_forty_stars_and_a_letter_is_judged_in_one_pass() -> None:
    """Whether a root pattern ignores everything was asked of a regex that split a run of stars
    every way it could: 2**40 ways for ``****...*x``."""
    spec, refused = compile_patterns(["*" * 40 + "x"], at_root=True)
    assert not refused and spec.match_file("a" * 3 + "x") and not spec.match_file("abc")
    assert [r.line for r in compile_patterns(["*" * 40], at_root=True)[1]] == [1]


@pytest.mark.parametrize(
    ("kind", "text"), [(kind, "\n" * 300_000) for kind in ("yaml", "dotenv", "docker")], ids=["yaml", "dotenv", "docker"]
)
def test_a_settings_file_of_blank_lines_is_read_in_one_pass(kind: str, text: str) -> None:
    from gonogo.collectors.env_contract import _provided_names

    assert _provided_names(kind, text) == set()  # quadratic before: seconds on 12 KB, hours on this
    found = _provided_names(kind, text + {"yaml": "  - name: API_KEY\n", "dotenv": "export DB_URL=x\n",
                                          "docker": "ENV APP_MODE=prod\n"}[kind])
    assert found == {{"yaml": "API_KEY", "dotenv": "DB_URL", "docker": "APP_MODE"}[kind]}


def test_a_huge_git_remote_is_no_remote() -> None:
    from gonogo.git_remote import remote_uri

    assert remote_uri("a." * 150_000) is None
    assert remote_uri("git@github.com:org/repo.git") == "ssh://git@github.com/org/repo.git"


def test_a_long_line_of_scheme_characters_is_redacted_in_one_pass() -> None:
    """Every word boundary of ``a.a.a...`` was a new start for the URL-password pattern."""
    from gonogo.redaction import redact

    line = "# " + "a." * 40_000 + "://x:" + "c" * 40_000
    assert redact(line).endswith("://x:" + "c" * 40_000)  # no @: no password
    assert redact("_https://user:s3cretPass@host/x") == "_https://user:***@host/x"


def test_a_from_line_full_of_hashes_is_read_in_one_pass() -> None:
    from gonogo.collectors.containers import ImageRef, _with_hints

    source = SourceFile(root=Path("."), relpath="Dockerfile", display="Dockerfile", size=0)
    ref = ImageRef(file=source, line=1, written="python:latest", image="python:latest", source="dockerfile")
    assert _with_hints([ref], "FROM python:latest " + "#" * 80_000)[0].hint is None
    assert _with_hints([ref], "FROM python:latest  # pinned to 3.12.1 by CI")[0].hint == "3.12.1"


def test_an_integer_too_long_to_read_is_a_named_error_in_config_baseline_and_manifests(tmp_path: Path) -> None:
    """A plain ``ValueError`` (Python's 4,300-digit limit) escaped the decode errors caught: the
    project's pyproject made the scan refuse without naming the file, and a lock file failed the
    whole manifests collector."""
    from gonogo.baseline import BaselineError
    from gonogo.baseline import load as load_baseline
    from gonogo.collectors.manifests.tomltext import load_toml

    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "d"\n[tool.x]\nn = {HUGE_INTEGER}\n')
    config = load_project_config(tmp_path)  # a broken pyproject: the defaults, with a note
    assert any("pyproject.toml" in note and "invalid TOML" in note for note in config.notes)
    (tmp_path / "baseline.json").write_text('{"findings": [{"fingerprint": "x", "count": ' + HUGE_INTEGER + "}]}")
    with pytest.raises(BaselineError, match=r"baseline\.json: not valid JSON"):
        load_baseline(tmp_path / "baseline.json")
    assert load_toml(f"n = {HUGE_INTEGER}\n")[1][1].startswith("invalid TOML")  # type: ignore[index]
    make_repo(tmp_path / "repo", {"package.json": '{"name": "x"}', "package-lock.json": '{"v": ' + HUGE_INTEGER + "}"})
    found = manifests(Workspace.open([tmp_path / "repo"]))
    lock = next(m for m in found.manifests if m.file.name == "package-lock.json")
    assert lock.errors and lock.errors[0][1].startswith("invalid JSON")


def test_refused_gitignore_lines_are_notes_with_their_line_and_the_rest_applies(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {".gitignore": "*.log\n[z-a]\n**/a/**/b/**/c/**/d\n\\\n", "x.log": "", "app.py": "x = 1\n"},
    )
    workspace = Workspace.open([tmp_path])
    assert {f.relpath for f in workspace.files} == {".gitignore", "app.py"}
    notes = notes_for(workspace, ".gitignore")
    assert [n.split(" not applied")[0].rsplit(" ", 1)[-1] for n in notes] == ["2", "3", "4"]
    assert "more than 2 '**'" in notes[1] and "not a valid pattern" in notes[0]


def test_an_invalid_exclude_pattern_names_the_file_and_the_key(tmp_path: Path) -> None:
    make_repo(tmp_path, {"gonogo.toml": 'exclude = ["docs/", "[z-a]"]\n'})
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "gonogo.toml")
    assert caught.value.path == str(tmp_path / "gonogo.toml") and caught.value.key == "exclude"
    assert "'[z-a]'" in caught.value.problem


# bounded parsers --------------------------------------------------------------------------------


def test_a_yaml_merge_bomb_is_expanded_once_per_node(tmp_path: Path) -> None:
    levels = "".join(f"x{i}: &x{i} {{<<: [{', '.join([f'*x{i - 1}'] * 10)}]}}\n" for i in range(1, 30))
    make_repo(
        tmp_path,
        {"docker-compose.yml": f"x0: &x0 {{image: redis:7.2}}\n{levels}services:\n  web:\n    <<: *x29\n"},
    )
    facts = containers(Workspace.open([tmp_path]))  # 10**29 expansions without the memo
    assert [(i.context, i.image) for i in facts.images] == [("web", "redis:7.2")]


def test_a_self_merging_yaml_file_is_named_and_other_files_are_still_judged(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "docker-compose.yml": "services:\n  web: &w\n    image: redis\n    <<: *w\n",
            "deploy/docker-compose.yml": "services:\n  db:\n    image: postgres:latest\n",
        },
    )
    report = scan_selected(tmp_path, "IMG")
    unreadable = result_of(report, "IMG008")
    assert [(f.path, f.line) for f in unreadable.findings] == [("docker-compose.yml", 2)]
    assert "includes the mapping itself" in unreadable.findings[0].message
    floating = result_of(report, "IMG001")
    assert floating.outcome is Outcome.FAIL  # the other file's true finding stays
    assert [f.path for f in floating.findings] == ["deploy/docker-compose.yml"]


def test_a_50000_deep_pyproject_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    deep = "[" * 50_000 + "]" * 50_000
    make_repo(tmp_path, {"pyproject.toml": f"[project]\nname = 'x'\n[tool.x]\na = {deep}\n", "app.py": "x = 1\n"})
    report = scan_selected(tmp_path, "DEP007")
    finding = result_of(report, "DEP007").findings[0]
    assert finding.path == "pyproject.toml" and "nested too deeply" in finding.message
    assert any("default configuration is used instead" in n.message for n in report.notes)


def test_a_200000_deep_lock_file_is_a_finding_and_locks_nothing(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {"Pipfile": "[packages]\nrequests = '>=2'\n", "Pipfile.lock": "[" * 200_000 + "]" * 200_000},
    )
    report = scan_selected(tmp_path, "DEP005,DEP007")
    assert "nested too deeply" in result_of(report, "DEP007").findings[0].message
    assert [f.path for f in result_of(report, "DEP005").findings] == ["Pipfile"]


def test_line_lookup_is_linear_in_the_number_of_dependencies() -> None:
    """30,000 dependencies took 41.7 s when each lookup scanned the text from its section."""
    count = 100_000
    text = "[project]\ndependencies = [\n" + "".join(f'  "pkg{i}>=1",\n' for i in range(count)) + "]\n"
    lines = LineFinder(text)
    found = [lines.find(f"pkg{i}>=1", 1) for i in range(count)]  # hundreds of seconds when quadratic
    assert found[0] == 3 and found[-1] == count + 2


def test_repeated_values_take_one_line_each_in_order() -> None:
    lines = LineFinder('a = ["x", "x"]\nb = [\n  "x",\n  "y>=1",\n]\n')
    assert [lines.find("x", 1), lines.find("x", 1), lines.find("x", 1), lines.find("x", 1)] == [1, 3, 1, 3]
    assert lines.find("y>=1", 2) == 4 and lines.find("y", 1) == 4  # substring: the slow path
    assert lines.key("b") == 2 and lines.section("project") is None


# deliverables ----------------------------------------------------------------------------------


def test_deliverable_globs_do_not_follow_link_loops_or_links_out_of_the_root(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "gonogo.toml": '[deliverables]\ndocs = ["**/*.md"]\nops = ["etc/passwd", "runbook/"]\n',
            "docs/guide.md": "# guide\n",
            "runbook/steps.md": "1.\n",
        },
    )
    os.symlink("..", tmp_path / "docs" / "loop")
    os.symlink("/etc", tmp_path / "etc")
    config = load_project_config(tmp_path)
    facts = deliverables(config, Workspace.open([tmp_path]))  # a loop followed never ends
    found = {item.pattern: item.found for item in facts.items}
    assert found["**/*.md"] == ("docs/guide.md", "runbook/steps.md")
    assert found["etc/passwd"] == ()  # present on this machine, but not in this project
    assert found["runbook/"] == ("runbook",)


# the scanned project's broken pyproject.toml ----------------------------------------------------


@pytest.mark.parametrize(
    ("make_pyproject", "reason"),
    [
        (lambda p: p.write_text("[project\nname =\n"), "invalid TOML"),
        (lambda p: p.write_bytes(b"\xff\xfe[project]\n"), "not valid UTF-8"),
        (lambda p: os.symlink("/etc/hostname", p), "symbolic link"),
        (lambda p: os.mkfifo(p), "FIFO"),
    ],
    ids=["not TOML", "not UTF-8", "link out of the root", "a FIFO"],
)
def test_a_broken_project_pyproject_is_dep007_and_the_scan_goes_on(tmp_path: Path, make_pyproject, reason) -> None:
    make_repo(tmp_path, {"app.py": "import requests\n", "requirements.txt": "requests>=2\n"})
    make_pyproject(tmp_path / "pyproject.toml")
    out = tmp_path / "out"
    result = runner.invoke(app, ["check", str(tmp_path), "-f", "json", "-o", str(out), "--no-cache"])
    assert result.exit_code in (0, 1), result.output  # a decision, not "no decision"
    report = json.loads((out / "report.json").read_text())
    dep007 = [f for f in report["findings"] if f["check_id"] == "DEP007"]
    assert [f["path"] for f in dep007] == ["pyproject.toml"] and reason in dep007[0]["message"]
    assert dep007[0]["severity"] == "high"
    build = next(g for g in report["gates"] if g["name"] == "Build reproducibility")
    assert build["status"] == "fail"
    assert any("default configuration is used instead" in n["message"] for n in report["notes"])


@pytest.mark.parametrize(
    ("files", "args", "named"),
    [
        ({"gonogo.toml": "profile = [\n"}, [], "gonogo.toml"),
        ({"pyproject.toml": "[tool.gonogo]\nprofil = 'critical'\n"}, [], "tool.gonogo.profil"),
        ({"custom.toml": "[x\n"}, ["--config", "{root}/custom.toml"], "custom.toml"),
    ],
    ids=["broken gonogo.toml", "typo in tool.gonogo", "broken --config"],
)
def test_a_config_written_for_gonogo_that_is_broken_still_exits_2(tmp_path: Path, files, args, named) -> None:
    make_repo(tmp_path, {"app.py": "x = 1\n", **files})
    result = runner.invoke(app, ["check", str(tmp_path), "-q", *[a.format(root=tmp_path) for a in args]])
    assert result.exit_code == 2
    assert named in result.output.replace("\n", "")


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"], ids=["nan", "infinity", "negative", "zero"])
def test_a_test_timeout_that_is_not_a_positive_number_is_refused(tmp_path: Path, value: str) -> None:
    make_repo(tmp_path, {"app.py": "x = 1\n"})
    result = runner.invoke(app, ["check", str(tmp_path), "-q", f"--test-timeout={value}"])
    assert result.exit_code == 2 and "--test-timeout" in result.output


# type-confused manifests and lock files ----------------------------------------------------------

TYPE_CONFUSED = [
    ("uv.lock", "version = 1\npackage = 'requests'\n", "'package' is a string, not an array of tables"),
    ("uv.lock", "[[package]]\nname = 'a'\nversion = 1\n", "package 'a': 'version' is a number, not a string"),
    ("poetry.lock", "[[package]]\nname = 'a'\nversion = '1'\ngroups = 'dev'\n", "'groups' is a string"),
    ("pylock.toml", "packages = {a = 1}\n", "'packages' is a table, not an array of tables"),
    ("Pipfile.lock", '{"default": []}', "'default' is an array, not an object"),
    ("Pipfile.lock", '{"default": {"a": "1.0"}}', "default 'a' is a string, not an object"),
    ("Pipfile.lock", '{"default": {"a": {"version": 1}}}', "'version' is a number, not a string"),
    ("package-lock.json", '{"packages": []}', "'packages' is an array, not an object"),
    ("package-lock.json", '{"packages": {"node_modules/a": "1"}}', "'node_modules/a' is a string"),
    ("pyproject.toml", "[project]\ndependencies = 'requests'\n", "project.dependencies is a string, not an array"),
    ("pyproject.toml", "project = 'x'\n", "project is a string, not a table"),
    (
        "pyproject.toml",
        "[project]\noptional-dependencies = {dev = 'pytest'}\n",
        "project.optional-dependencies.dev is a string, not an array",
    ),
    ("pyproject.toml", "dependency-groups = ['pytest']\n", "dependency-groups is an array, not a table"),
    ("pyproject.toml", "[dependency-groups]\ntest = 'pytest'\n", "dependency-groups.test is a string"),
    ("pyproject.toml", "[tool.poetry]\ndependencies = ['requests']\n", "tool.poetry.dependencies is an array"),
    ("pyproject.toml", "[tool.poetry]\ngroup = 'dev'\n", "tool.poetry.group is a string, not a table"),
    ("Pipfile", "packages = ['requests']\n", "packages is an array, not a table"),
]


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    TYPE_CONFUSED,
    ids=[
        "uv.lock package is a string",
        "uv.lock version is a number",
        "poetry.lock groups is a string",
        "pylock.toml packages is a table",
        "Pipfile.lock default is a list",
        "Pipfile.lock entry is a string",
        "Pipfile.lock version is a number",
        "package-lock.json packages is a list",
        "package-lock.json entry is a string",
        "pyproject dependencies is a string",
        "pyproject project is a string",
        "pyproject extra is a string",
        "pyproject dependency-groups is a list",
        "pyproject group is a string",
        "poetry dependencies is a list",
        "poetry group is a string",
        "Pipfile packages is a list",
    ],
)
def test_a_value_of_the_wrong_type_is_an_error_naming_it(tmp_path: Path, name: str, text: str, problem: str) -> None:
    make_repo(tmp_path, {name: text})
    assert any(problem in reason for _, reason in errors_of(tmp_path, name)), errors_of(tmp_path, name)


def test_a_lock_of_the_wrong_shape_does_not_hide_unpinned_ranges(tmp_path: Path) -> None:
    """Side by side: the Pipfile.lock that is a lock excuses the ranges; the list does not."""
    good = {"default": {"requests": {"version": "==2.31.0"}}}
    for name, lock in (("good", good), ("bad", {"default": []})):
        make_repo(
            tmp_path / name,
            {"Pipfile": "[packages]\nrequests = '>=2'\n", "Pipfile.lock": json.dumps(lock), "app.py": "import requests\n"},
        )
    assert result_of(scan_selected(tmp_path / "good", "DEP005"), "DEP005").findings == ()
    bad = scan_selected(tmp_path / "bad", "DEP005,DEP007")
    assert [f.path for f in result_of(bad, "DEP005").findings] == ["Pipfile"]
    assert "'default' is an array" in result_of(bad, "DEP007").findings[0].message


def test_a_200000_deep_baseline_in_the_tree_is_a_note(tmp_path: Path) -> None:
    make_repo(tmp_path, {"app.py": "x = 1\n", ".gonogo-baseline.json": "[" * 200_000 + "]" * 200_000})
    report = scan_selected(tmp_path, "CODE")
    assert any(n.source == "baseline" and "nested too deeply" in n.message for n in report.notes)


@pytest.mark.parametrize(
    ("relpath", "text", "expected"),
    [
        ("setup.py", "from setuptools import setup\nsetup(install_requires=42)\n", "not int 42"),
        ("setup.cfg", "[metadata]\nname = x\ninstall_requires = requests\n", "goes in [options]"),
        ("pyproject.toml", '[tool]\npoetry = "requests"\n', "tool.poetry"),
        ("setup.cfg", "[options]\ninstall_requires = requests\n", None),
    ],
    ids=["setup.py requirement literal of the wrong type", "setup.cfg requirements in [metadata]",
         "tool.poetry is a string", "setup.cfg requirements in [options] are fine"],
)
def test_a_manifest_of_the_wrong_shape_is_named_and_a_right_one_is_not(tmp_path, relpath, text, expected):
    root = make_repo(tmp_path, {relpath: text})
    errors = " ".join(reason for _, reason in errors_of(root, relpath))
    if expected is None:
        assert errors == ""
    else:
        assert expected in errors


@pytest.mark.parametrize(
    "compose",
    ["services:\n  - image: nginx\n", "services:\n  web: [nginx]\n"],
    ids=["services is a list", "a service is a list"],
)
def test_compose_services_of_the_wrong_shape_are_named_beside_a_good_file(tmp_path, compose):
    root = make_repo(
        tmp_path, {"docker-compose.yml": compose, "deploy/docker-compose.yml": "services:\n  db:\n    image: postgres\n"}
    )
    facts = containers(Workspace.open([root]))
    assert [file.display for file, _, _ in facts.errors] == ["docker-compose.yml"]
    assert [i.image for i in facts.images if i.file.display == "deploy/docker-compose.yml"] == ["postgres"]
