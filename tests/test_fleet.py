"""gonogo fleet scan: many repositories on a real Dask LocalCluster (worker processes), cloned from
local git repositories through file:// URLs. A broken, hanging or silent source is reported and
never stops the fleet; --resume skips commits scanned with the same configuration; the summary
counts decisions, ranks the worst repositories and the most common failing gates; hostile fleet
files are refused with the file and the place named, and no credential is ever shown."""

from __future__ import annotations

import json
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import dask
import pytest
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from distributed import Client
from markdown_it import MarkdownIt
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from gonogo.cli import app
from gonogo.fleet import runner as runner_module
from gonogo.fleet.results import ReportFolder
from gonogo.fleet.runner import connect, run_fleet
from gonogo.fleet.sources import MAX_FLEET_FILE_BYTES, FleetFileError, Source, read_fleet
from gonogo.fleet.summary import render_json, render_markdown, summarise
from gonogo.fleet.task import FleetSettings, RepoOutcome, Status
from gonogo.history import store as store_module
from gonogo.history.provenance import Provenance
from gonogo.history.store import History
from gonogo.options import ScanOptions
from tests.fleet_scanners import CRASH_MARKER, HANG_MARKER, scan_or_crash, scan_or_hang
from tests.helpers import make_repo

runner = CliRunner()
TOKEN = "ghp_" + "Z" * 36  # a GitHub token's shape: the redaction must know it without the URL's help
SKIPPED_TEST = {
    "app/core.py": "def run():\n    return 1\n",
    "tests/test_core.py": "import pytest\n\n\n@pytest.mark.skip(reason='later')\ndef test_run():\n    assert True\n",
}
PLAIN = {
    "app/core.py": "def run():\n    return 1\n",
    "tests/test_core.py": "from app.core import run\n\n\ndef test_run():\n    assert run() == 1\n",
}


def invoke(*args: str):
    return runner.invoke(app, ["fleet", "scan", *args], catch_exceptions=False)


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True, capture_output=True, text=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    # the scheduler (in this process) gives a task up after its second worker death, not its fourth:
    # each death costs a worker restart, slow on a loaded machine
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), connect(None, workers=2) as dask_client:
        yield dask_client


def settings(timeout: float = 120.0, **overrides: object) -> FleetSettings:
    return FleetSettings(
        run_id=uuid.uuid4().hex, overrides=overrides, options=ScanOptions(jobs=1, use_cache=False),
        task_timeout=timeout,
    )


def source(name: str, location: str, kind: str = "git") -> Source:
    return Source(name=name, slug=name, location=location, kind=kind)  # type: ignore[arg-type]


# --- runs: results, failures, hangs ------------------------------------------------------------


def test_every_repository_gets_its_reports_and_a_broken_one_is_reported(tmp_path: Path) -> None:
    repos = {name: make_repo(tmp_path / name, SKIPPED_TEST if name == "billing" else PLAIN, git=True)
             for name in ("billing", "search", "auth")}
    not_a_repo = make_repo(tmp_path / "loose", PLAIN)  # a folder, but git has nothing to clone there
    fleet = tmp_path / "REPOS.txt"
    fleet.write_text("\n".join([
        "# the services of team A",
        *(f"file://{path}" for path in repos.values()),
        f"file://{not_a_repo}",
        str(tmp_path / "never-created"),
    ]) + "\n", encoding="utf-8")
    output = tmp_path / "out"
    result = invoke(str(fleet), "--output", str(output), "--history", str(tmp_path / "h.sqlite"))
    assert result.exit_code == 1, result.output  # billing is NO-GO, two sources could not be scanned
    for name in repos:
        report = json.loads((output / name / "report.json").read_text(encoding="utf-8"))
        outcome = json.loads((output / name / "outcome.json").read_text(encoding="utf-8"))
        assert outcome["status"] == "scanned"
        assert outcome["decision"] == report["decision"]
        assert outcome["provenance"]["commit"] == git(repos[name], "rev-parse", "HEAD")
        assert (output / name / "report.md").read_text(encoding="utf-8").startswith("#")
    assert "Test integrity" in json.loads((output / "billing" / "outcome.json").read_text())["blocking_failed"]
    summary = json.loads((output / "fleet.json").read_text(encoding="utf-8"))
    assert summary["statuses"] == {"scanned": 3, "skipped": 0, "failed": 2, "timed out": 0}
    reasons = {entry["name"]: entry["reason"] for entry in summary["not_scanned"]}
    assert "does not appear to be a git repository" in reasons["loose"]
    assert reasons["never-created"].endswith("no such folder on this worker")
    assert not (output / "loose" / "report.json").exists()
    history = History.open(f"sqlite:///{tmp_path / 'h.sqlite'}")
    try:
        assert len(history.scanned()) == 3  # each scanned commit, with its configuration digest
        assert all(len(digest) == 64 for _, _, digest in history.scanned())
    finally:
        history.close()


def test_a_hanging_scan_is_stopped_its_worker_restarted_and_the_rest_scanned(client: Client, tmp_path: Path) -> None:
    hanging = make_repo(tmp_path / "hanging", {**PLAIN, HANG_MARKER: "this scan never ends\n"}, git=True)
    fine = [make_repo(tmp_path / f"fine{n}", PLAIN, git=True) for n in range(3)]
    sources = [source("hanging", f"file://{hanging}"), *(source(p.name, f"file://{p}") for p in fine)]
    outcomes = {o.name: o for o in run_fleet(client, sources, settings(timeout=4), scanner=scan_or_hang)}
    assert outcomes["hanging"].status is Status.TIMED_OUT
    assert "still running after 4 s" in (outcomes["hanging"].reason or "")
    assert "its worker restarted" in (outcomes["hanging"].reason or "")
    assert [outcomes[p.name].status for p in fine] == [Status.SCANNED] * 3
    client.wait_for_workers(2, timeout=120)  # the cluster is whole again and takes new work
    again = run_fleet(client, [source("again", f"file://{fine[0]}")], settings())
    assert again[0].status is Status.SCANNED


def test_a_git_server_that_never_answers_times_out_the_clone_only(client: Client, tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the backlog; nobody ever reads or answers
    try:
        port = silent.getsockname()[1]
        fine = make_repo(tmp_path / "fine", PLAIN, git=True)
        sources = [source("silent", f"http://ci:{TOKEN}@127.0.0.1:{port}/team/silent.git"),
                   source("fine", f"file://{fine}")]
        outcomes = {o.name: o for o in run_fleet(client, sources, settings(timeout=3))}
    finally:
        silent.close()
    assert outcomes["silent"].status is Status.FAILED
    assert outcomes["silent"].reason == f"git clone of http://***@127.0.0.1:{port}/team/silent.git timed out after 3 s"
    assert outcomes["fine"].status is Status.SCANNED


def test_a_scan_that_kills_its_worker_is_reported_and_the_rest_scanned(client: Client, tmp_path: Path) -> None:
    crashing = make_repo(tmp_path / "crashing", {**PLAIN, CRASH_MARKER: "takes the worker down\n"}, git=True)
    fine = make_repo(tmp_path / "fine", PLAIN, git=True)
    sources = [source("crashing", f"file://{crashing}"), source("fine", f"file://{fine}")]
    outcomes = {o.name: o for o in run_fleet(client, sources, settings(), scanner=scan_or_crash)}
    assert outcomes["crashing"].status is Status.FAILED
    assert outcomes["crashing"].reason == "the workers running it died repeatedly (out of memory, or a crash)"
    assert outcomes["fine"].status is Status.SCANNED
    client.wait_for_workers(2, timeout=120)


def test_a_task_error_is_an_outcome_not_a_crash(client: Client, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**PLAIN, "gonogo.toml": "profile = 'legendary'\n"}, git=True)
    [outcome] = run_fleet(client, [source("repo", f"file://{repo}")], settings())
    assert outcome.status is Status.FAILED
    assert (outcome.reason or "").startswith("configuration error:")
    assert "profile" in (outcome.reason or "")


# --- resume --------------------------------------------------------------------------------------


@pytest.mark.parametrize("sink", ["folder", "history"], ids=["from the report folder", "from the history"])
def test_resume_skips_commits_scanned_with_the_same_configuration(client: Client, tmp_path: Path, sink: str) -> None:
    stays = make_repo(tmp_path / "stays", SKIPPED_TEST, git=True)
    moves = make_repo(tmp_path / "moves", PLAIN, git=True)
    fleet = tmp_path / "FLEET.toml"
    fleet.write_text(f'[[repository]]\nsource = "file://{stays}"\n\n[[repository]]\nsource = "file://{moves}"\n')
    output = tmp_path / "out"
    where = ["--history", str(tmp_path / "h.sqlite"), "--no-reports"] if sink == "history" else []
    where += ["--scheduler", client.scheduler.address]  # one cluster for the three runs
    first = invoke(str(fleet), "-o", str(output), "--select", "TEST", *where)
    assert first.exit_code == 1, first.output
    (moves / "app" / "more.py").write_text("def more():\n    return 2\n", encoding="utf-8")
    git(moves, "add", "-A")
    git(moves, "commit", "-qm", "more")
    second = invoke(str(fleet), "-o", str(output), "--select", "TEST", "--resume", *where)
    statuses = json.loads((output / "fleet.json").read_text())["statuses"]
    assert statuses == {"scanned": 1, "skipped": 1, "failed": 0, "timed out": 0}
    assert "stays: skipped, NO GO" in second.output  # the earlier verdict, read back
    assert second.exit_code == 1  # and it still counts: the fleet has a NO-GO repository
    third = invoke(str(fleet), "-o", str(output), "--select", "TEST,CODE", "--resume", *where)
    assert third.exit_code == 1
    assert json.loads((output / "fleet.json").read_text())["statuses"]["scanned"] == 2  # another configuration


def test_the_report_folder_gives_back_each_scan_duration_and_ignores_damaged_outcomes(tmp_path: Path) -> None:
    folder = ReportFolder(tmp_path / "out")
    folder.write(replace(outcome("big", "NO_GO"), seconds=240.5, config_digest="d" * 64))
    folder.write(replace(outcome("small", "GO"), seconds=1.5, config_digest="d" * 64))
    folder.write(replace(outcome("broken", None, status=Status.FAILED, reason="clone failed"), seconds=0.2))
    (tmp_path / "out" / "edited").mkdir()
    (tmp_path / "out" / "edited" / "outcome.json").write_text('{"name": "edited", "status": "scanned"', "utf-8")
    assert folder.durations() == {"big": 240.5, "small": 1.5}  # the longest is submitted first
    assert sorted(o.name for o in folder.scanned().values()) == ["big", "small"]


def test_a_history_from_before_the_digest_column_is_upgraded_and_keeps_its_runs(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{database}")
    config = AlembicConfig()
    config.set_main_option("script_location", str(store_module.MIGRATIONS))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        alembic_command.upgrade(config, "0001_runs")
        connection.execute(text("INSERT INTO repositories (id, identity, name) VALUES (1, 'path:/old', 'old')"))
        connection.execute(text(
            "INSERT INTO runs (repository_id, scanned_at, valid_until, \"commit\", branch, dirty, decision, profile,"
            " tool_version, report) VALUES (1, '2026-11-01 00:00:00', '2026-12-01 00:00:00', 'abc', 'main', 0,"
            " 'GO', 'standard', '0.1.0', '{}')"
        ))
        connection.commit()
    engine.dispose()
    history = History.open(f"sqlite:///{database}")
    try:
        assert [run.commit for run in history.runs("path:/old")] == ["abc"]
        assert history.scanned() == set()  # an old run has no digest: --resume never skips on it
    finally:
        history.close()


# --- the summary ---------------------------------------------------------------------------------


def outcome(name: str, decision: str | None, gates: tuple[str, ...] = (), blocking: tuple[str, ...] = (),
            findings: int = 0, status: Status = Status.SCANNED, reason: str | None = None) -> RepoOutcome:
    return RepoOutcome(
        name=name, slug=name.replace("/", "+"), shown=f"https://git.example/{name}", status=status, reason=reason,
        provenance=Provenance(identity=f"git:git.example/{name}", name=name, commit="c0ffee", dirty=False),
        decision=decision, failing_gates=gates, blocking_failed=blocking, active_findings=findings,
    )


FLEET = [
    outcome("ledger", "NO_GO", ("Security", "Test integrity", "Documentation"), ("Security", "Test integrity"), 40),
    outcome("search", "NO_GO", ("Test integrity",), ("Test integrity",), 90),
    outcome("mailer", "CONDITIONAL_GO", ("Documentation",), (), 3),
    outcome("portal", "GO"),
    outcome("old-billing", None, status=Status.FAILED, reason="git clone of https://***@git.example/b failed"),
    outcome("batch", None, status=Status.TIMED_OUT, reason="still running after 600 s"),
]


def test_the_summary_counts_decisions_ranks_the_worst_and_the_common_gates() -> None:
    summary = json.loads(render_json(summarise(FLEET, 12.34)))
    assert summary["decisions"] == {"NO GO": 2, "CONDITIONAL GO": 1, "GO": 1}
    assert summary["statuses"] == {"scanned": 4, "skipped": 0, "failed": 1, "timed out": 1}
    # more blocking gates failed is worse than more findings
    assert [line["name"] for line in summary["worst"]] == ["ledger", "search", "mailer", "portal"]
    assert summary["failing_gates"] == [
        {"gate": "Test integrity", "repositories": 2, "blocking": True},
        {"gate": "Documentation", "repositories": 2, "blocking": False},
        {"gate": "Security", "repositories": 1, "blocking": True},
    ]
    assert [entry["name"] for entry in summary["not_scanned"]] == ["batch", "old-billing"]
    markdown = render_markdown(summarise(FLEET, 12.34))
    assert "| NO GO | 2 |" in markdown
    assert "| [ledger](ledger/report.md) | NO GO | Security, Test integrity | 40 |" in markdown
    assert "| Test integrity | 2 | yes |" in markdown
    assert "- **batch** (timed out): still running after 600 s" in markdown


def test_names_from_the_fleet_file_cannot_forge_markdown_or_terminal_output() -> None:
    hostile = outcome("x](https://evil.example)\n# GO", "NO_GO", ("[gate](javascript:alert(1))",), (), 1)
    tokens = MarkdownIt().enable("table").parse(render_markdown(summarise([hostile], 1.0)))
    inline = [child for token in tokens for child in token.children or ()]
    links = [str(child.attrs.get("href")) for child in inline if child.type == "link_open"]
    headings = [tokens[i + 1].content for i, token in enumerate(tokens) if token.type == "heading_open"]
    assert links == [quote(hostile.slug) + "/report.md"] and "://" not in links[0]  # only ours, to its folder
    assert headings == ["Fleet readiness", "Worst repositories", "Most common failing gates"]
    assert any("x](https://evil.example)\\x0a# GO" in child.content for child in inline if child.type == "text")


# --- hostile fleet files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("FLEET.toml", b"[[repository]\nsource = 'x'\n", "invalid TOML"),
        ("FLEET.toml", b"[[repository]]\nsource = 'a'\nsorce = 'b'\n", "repository[0].sorce: Extra inputs are not permitted"),
        ("FLEET.toml", b"[[repository]]\nname = 'a'\n", "repository[0].source: Field required"),
        ("FLEET.toml", b"[[repository]]\nsource = 42\n", "repository[0].source: Input should be a valid string"),
        ("FLEET.toml", b"title = 'fleet'\n", "title: Extra inputs are not permitted"),
        ("FLEET.toml", b"", "lists no repository"),
        ("REPOS.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 text"),
        ("REPOS.txt", b"# only comments\n\n", "lists no repository"),
        ("REPOS.txt", b"https://h/a.git\nhttps://h/a.git\n", "line 2: the same source as line 1"),
        ("REPOS.txt", b"ext::sh -c touch% /tmp/pwned\n", "line 1: scheme 'ext' is not supported"),
        ("REPOS.txt", b"ftp://h/a.git\n", "line 1: scheme 'ftp' is not supported"),
        ("REPOS.txt", b"--upload-pack=touch /tmp/pwned\n", "line 1: a source or ref may not start with '-'"),
        ("REPOS.txt", b"https://h/a.git\x00evil\n", "line 1: holds a control character"),
        ("REPOS.txt", b"http://[::1/a.git\n", "line 1: not a URL git can clone"),
        ("FLEET.toml", b"[[repository]]\nsource = 'app'\nref = 'main'\n", "ref applies to git sources only"),
        ("FLEET.toml", b"[[repository]]\nsource = 'https://h/a'\nref = '--output=x'\n", "may not start with '-'"),
        ("FLEET.toml", b"[[repository]]\nsource='https://h/a'\nname='n'\n[[repository]]\nsource='https://h/b'\nname='n'\n",
         "repository[1]: name 'n' is used twice"),
        ("FLEET.toml", b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "invalid TOML"),
    ],
    ids=[
        "malformed TOML", "unknown key", "missing source", "source not a string", "unknown top-level key",
        "empty TOML", "binary file", "comments only", "duplicate source", "ext transport runs commands",
        "unsupported scheme", "option injection", "NUL byte", "URL that does not parse", "ref on a folder",
        "ref that is an option", "duplicate name", "nested too deeply",
    ],
)
def test_a_hostile_fleet_file_is_refused_with_the_file_and_place_named(
    tmp_path: Path, filename: str, content: bytes, message: str
) -> None:
    path = tmp_path / filename
    path.write_bytes(content)
    with pytest.raises(FleetFileError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")) as error:
        read_fleet(path)
    assert str(error.value).startswith(str(path))


def test_a_huge_fleet_file_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "REPOS.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_FLEET_FILE_BYTES + 1)
    with pytest.raises(FleetFileError, match="over the 4,194,304-byte limit"):
        read_fleet(path)


def test_a_fifo_as_fleet_file_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    path = tmp_path / "REPOS.txt"
    os.mkfifo(path)
    with pytest.raises(FleetFileError, match="FIFO"):
        read_fleet(path)


def test_sources_names_and_folders_are_derived_safely(tmp_path: Path) -> None:
    path = tmp_path / "REPOS.txt"
    path.write_text(
        f"https://ci:{TOKEN}@github.com/acme/api.git\n"
        "git@gitlab.example:platform/api.git\n"
        "services/../../etc\n"
        "https://github.com/acme/web?access_token=abcdef0123456789abcdef\n",
        encoding="utf-8",
    )
    sources = read_fleet(path)
    assert [s.name for s in sources] == ["acme/api", "platform/api", "etc", "web"]
    assert [s.slug for s in sources] == ["acme+api", "platform+api", "etc", "web"]
    assert sources[0].shown == "https://***@github.com/acme/api.git"
    assert sources[1].kind == "git"
    assert sources[2].kind == "path" and sources[2].location == str(tmp_path / "services/../../etc")
    assert "abcdef0123456789abcdef" not in sources[3].shown
    assert all(TOKEN not in s.shown for s in sources)


def test_an_unknown_key_next_to_a_token_does_not_echo_the_token(tmp_path: Path) -> None:
    path = tmp_path / "FLEET.toml"
    path.write_text(f'[[repository]]\nsource = "https://h/a.git"\ntoken = "{TOKEN}"\n', encoding="utf-8")
    with pytest.raises(FleetFileError) as error:
        read_fleet(path)
    assert TOKEN not in str(error.value)
    assert "repository[0].token: Extra inputs are not permitted" in str(error.value)


def test_a_credential_in_a_clone_url_reaches_no_output(client: Client, tmp_path: Path) -> None:
    fleet = tmp_path / "REPOS.txt"
    fleet.write_text(f"https://deploy:{TOKEN}@127.0.0.1:1/acme/private.git\n", encoding="utf-8")
    output = tmp_path / "out"
    result = invoke(str(fleet), "-o", str(output), "--task-timeout", "60", "--scheduler", client.scheduler.address)
    assert result.exit_code == 1
    assert "private: failed (git clone of https://***@127.0.0.1:1/acme/private.git failed" in result.output
    written = [p.read_text(encoding="utf-8") for p in output.rglob("*") if p.is_file()]
    assert written and all(TOKEN not in text for text in written)
    assert TOKEN not in result.output


def test_an_existing_cluster_is_used_and_an_unreachable_one_is_a_clear_error(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo", PLAIN, git=True)
    fleet = tmp_path / "REPOS.txt"
    fleet.write_text(f"file://{repo}\n", encoding="utf-8")
    result = invoke(str(fleet), "-o", str(tmp_path / "out"), "--scheduler", client.scheduler.address)
    assert "repo: scanned" in result.output, result.output
    assert client.scheduler_info()["workers"]  # the cluster is the caller's: left running
    monkeypatch.setattr(runner_module, "CONNECT_TIMEOUT_S", 2)
    refused = invoke(str(fleet), "--scheduler", "tcp://127.0.0.1:1")
    assert refused.exit_code == 2
    assert "cannot reach tcp://127.0.0.1:1" in refused.output


def test_bad_command_lines_exit_2_before_any_cluster_starts(tmp_path: Path) -> None:
    fleet = tmp_path / "REPOS.txt"
    fleet.write_text("https://h/a.git\n", encoding="utf-8")
    assert invoke(str(fleet), "--task-timeout", "nan").exit_code == 2
    assert invoke(str(fleet), "--format", "pdf").exit_code == 2
    assert invoke(str(tmp_path / "missing.txt")).exit_code == 2
    (tmp_path / "file").write_text("x")
    assert invoke(str(fleet), "-o", str(tmp_path / "file" / "out")).exit_code == 2
