"""The hostile-input campaign's cases and the harness that runs one through the real CLI.

gonogo scans trees it does not trust and guards a pipeline, so a hostile tree must never crash it,
hang it, make it print a secret it hides, change the tree, or make a NO-GO tree look better. Each
case writes hostile files into a temporary folder (most on top of one small NO-GO tree), runs
``python -m gonogo.cli`` as a subprocess under a timeout, and ``judge`` turns what happened into
named problems. ``benchmarks/hostile.py`` runs every case; ``tests/test_hostile_campaign.py`` runs
one case a class. Both import this module, so the campaign and the test judge the same way.

What is judged, per case:
- crash: an exit code outside {0, 1, 2}, or a Python traceback on stderr;
- hang: the command did not finish within the timeout;
- leak: a planted secret found in stdout/stderr, in any report format, in the fact cache or in the
  baseline file;
- changed: the scanned tree (or the advisory index folder) differs after the run;
- fail-open: a hostile file added to a NO-GO tree made the decision better (exit 0), or a bad
  advisory archive replaced a good index with a much smaller one;
- unnamed: a broken or type-confused file produced no finding or note naming it;
- injection: terminal escapes or a forged report title reached the terminal or a report;
- refused: the scan of a tree gave no decision (exit 2) though a broken file of the scanned
  project should be a finding, not a refusal.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 30.0
MEMORY_LIMIT = 3 << 30
"""Address space per gonogo process: a case reading /dev/zero must fail inside gonogo (a crash
it reports), not take the machine's memory from everything else running on it."""
FORMATS = "md,json,sarif,junit,html"
PROBLEMS = ("crash", "hang", "leak", "changed", "fail-open", "unnamed", "injection", "refused", "executed")
EXECUTED_MARKER = "EXECUTED"
"""Written next to the tree by a command a hostile case plants (a git hook, a filter): its presence
after the run means gonogo ran the scanned repository's code."""

# Planted secrets: shaped like real credentials so SEC020 would recognise them, unique so a search
# for them cannot match anything gonogo writes on its own.
GHP = "ghp_" + "R8x2Lq9ZtW4vN7mK3pJ6sD1fH5gY0cBa2EuQ"[:36]
PW = "hX7Qm2pLr9vTz4Wk"
AWS = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8hV3tLq2"

NO_GO_APP = """\
import pickle
import subprocess


def run(command):
    subprocess.call(command, shell=True)
    return eval(command)


def load(blob):
    return pickle.loads(blob)
"""
NO_GO_TEST = """\
from app import run


def test_run():
    assert run is not None
"""


def base_tree(root: Path) -> None:
    """The NO-GO tree every additive case starts from: shell=True, eval and pickle in product code."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(NO_GO_APP, encoding="utf-8")
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_app.py").write_text(NO_GO_TEST, encoding="utf-8")


Build = Callable[[Path], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    name: str
    group: str
    """The class of hostile input (one case a class runs in the test suite)."""
    build: Build
    on_base: bool = True
    """Written on top of the NO-GO tree; the decision must stay NO-GO."""
    secrets: tuple[str, ...] = ()
    names: str | None = None
    """A root-relative path that must be named by a finding or a note in report.json."""
    command: str = "check"
    """check, baseline-too (check, then ``gonogo baseline``), db-update, concurrent, killed,
    killed-db-update, or raw (``args`` are the whole command line after ``gonogo``)."""
    args: tuple[str, ...] = ()
    archive: Callable[[Path], Path] | None = None
    """For db-update cases: writes the archive to import and returns its path."""
    may_refuse: bool = False
    """A broken gonogo configuration (gonogo.toml, ``[tool.gonogo]``): exit 2 is the right answer."""


@dataclass(slots=True)
class Outcome:
    case: Case
    exit_codes: list[int | None] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, problem: str, detail: str) -> None:
        self.problems.setdefault(problem, detail)


# ---------------------------------------------------------------------------------------------
# running


def cli_env(cache: Path, vulndb: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH", "")) if p)
    env["GONOGO_CACHE_DIR"] = str(cache)
    env["XDG_CACHE_HOME"] = str(cache / "xdg")
    env["COLUMNS"] = "120"
    env.pop("GONOGO_VULNDB", None)
    if vulndb is not None:
        env["GONOGO_VULNDB"] = str(vulndb)
    return env


@dataclass(slots=True)
class Run:
    code: int | None
    stdout: bytes
    stderr: bytes


def run_cli(args: list[str], env: dict[str, str], cwd: Path, timeout: float = TIMEOUT_S) -> Run:
    """``python -m gonogo.cli ARGS`` in its own process group, killed whole at the timeout."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gonogo.cli", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_limit_memory,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        return Run(process.returncode, stdout, stderr)
    except subprocess.TimeoutExpired:
        _kill(process)
        stdout, stderr = process.communicate()
        return Run(None, stdout, stderr)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def tree_digest(root: Path) -> str:
    """A hash of every entry under ``root`` (names, types, modes, contents, link targets), taken
    without following links or opening special files, so hashing cannot hang on what it hashes."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(dirs + files):
            path = Path(folder, name)
            info = path.lstat()
            digest.update(os.fsencode(path.relative_to(root)) + b"\0" + str(info.st_mode).encode())
            if stat.S_ISLNK(info.st_mode):
                digest.update(os.fsencode(os.readlink(path)))
            elif stat.S_ISREG(info.st_mode):
                with contextlib.suppress(OSError), path.open("rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
    return digest.hexdigest()


def _files_under(folder: Path) -> Iterator[Path]:
    if not folder.exists():
        return
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            yield path


def find_leaks(secrets: tuple[str, ...], texts: dict[str, bytes]) -> list[str]:
    """Where (``stdout``, ``report.md``, ``cache/...``) each planted secret shows, in full."""
    found = []
    for secret in secrets:
        needle = secret.encode()
        found.extend(f"{secret[:6]}... in {where}" for where, data in texts.items() if needle in data)
    return found


_ESCAPE = re.compile(rb"\x1b[\[\]]")
_TITLE = re.compile(r"^# Production readiness", re.MULTILINE)


def find_injections(run: Run, out: Path) -> list[str]:
    found = []
    for stream, data in (("stdout", run.stdout), ("stderr", run.stderr)):
        if _ESCAPE.search(data):
            found.append(f"raw terminal escape on {stream}")
    markdown = out / "report.md"
    if markdown.is_file() and len(_TITLE.findall(markdown.read_text("utf-8", "replace"))) > 1:
        found.append("a second report title in report.md")
    html = out / "report.html"
    if html.is_file():
        text = html.read_text("utf-8", "replace")
        if "<script>alert" in text or 'href="https://evil.example' in text:
            found.append("planted markup live in report.html")
    return found


def _decision(out: Path) -> str | None:
    with contextlib.suppress(OSError, ValueError):
        return str(json.loads((out / "report.json").read_text("utf-8"))["decision"])
    return None


def _judge_run(outcome: Outcome, run: Run, label: str = "") -> None:
    outcome.exit_codes.append(run.code)
    stderr = run.stderr.decode("utf-8", "replace")
    if run.code is None:
        outcome.add("hang", f"{label}no exit within {TIMEOUT_S:.0f} s")
    elif run.code not in (0, 1, 2) or run.code < 0:
        outcome.add("crash", f"{label}exit code {run.code}: {_last_line(stderr)}")
    if "Traceback (most recent call last)" in stderr:
        outcome.add("crash", f"{label}traceback: {_last_line(stderr)}")


def _last_line(text: str) -> str:
    lines = [line.strip(" │╭╰─╮╯") for line in text.strip().splitlines() if line.strip(" │╭╰─╮╯")]
    return lines[-1][:200] if lines else ""


def run_case(case: Case, workdir: Path, timeout: float = TIMEOUT_S) -> Outcome:
    """Build the case under ``workdir`` (a fresh folder), run it and judge it."""
    started = time.perf_counter()
    outcome = Outcome(case=case)
    tree, out, cache = workdir / "tree", workdir / "out", workdir / "cache"
    cache.mkdir(parents=True)
    tree.mkdir()
    if case.on_base:
        base_tree(tree)
    case.build(tree)
    before = tree_digest(tree)
    try:
        match case.command:
            case "db-update" | "killed-db-update":
                _db_case(case, outcome, workdir, cache, timeout)
            case "concurrent":
                _concurrent_case(outcome, tree, workdir, cache, timeout)
            case "killed":
                _killed_case(outcome, tree, out, workdir, cache, timeout)
            case "raw":
                run = run_cli(
                    [a.replace("{tree}", str(tree)).replace("{out}", str(out)) for a in case.args],
                    cli_env(cache, _vulndb()),
                    workdir,
                    timeout,
                )
                _judge_run(outcome, run)
                _judge_outputs(case, outcome, run, out, cache, None)
            case _:
                _check_case(case, outcome, tree, out, workdir, cache, timeout)
    finally:
        after = tree_digest(tree)
        _restore_modes(tree)
    if after != before:
        outcome.add("changed", "the scanned tree differs after the run")
    if (workdir / EXECUTED_MARKER).exists():
        outcome.add("executed", "a command the scanned repository planted ran")
    outcome.seconds = time.perf_counter() - started
    return outcome


def _vulndb() -> Path | None:
    configured = os.environ.get("GONOGO_VULNDB")
    return Path(configured) if configured and Path(configured).is_file() else None


def _check_case(
    case: Case, outcome: Outcome, tree: Path, out: Path, workdir: Path, cache: Path, timeout: float
) -> None:
    env = cli_env(cache, _vulndb())
    args = ["check", str(tree), "--format", FORMATS, "--output", str(out), "--jobs", "1", *case.args]
    run = run_cli(args, env, workdir, timeout)
    _judge_run(outcome, run)
    baseline = None
    if case.command == "baseline-too":
        baseline = workdir / "baseline.json"
        second = run_cli(["baseline", str(tree), "--output", str(baseline)], env, workdir, timeout)
        _judge_run(outcome, second, "baseline: ")
        run = Run(run.code, run.stdout + second.stdout, run.stderr + second.stderr)
    _judge_outputs(case, outcome, run, out, cache, baseline)
    decision = _decision(out)
    if case.on_base and (run.code == 0 or decision in ("GO", "CONDITIONAL_GO")):
        outcome.add("fail-open", f"the NO-GO tree became {decision or 'exit 0'} with the hostile file")
    if case.on_base and run.code == 2 and not case.may_refuse:
        outcome.add("refused", f"no decision: {_last_line(run.stderr.decode('utf-8', 'replace'))}")
    if case.names and run.code in (0, 1) and not names_path(out / "report.json", case.names):
        outcome.add("unnamed", f"no finding, note or check reason names {case.names}")


def names_path(report: Path, path: str) -> bool:
    """Whether a finding or a note is about ``path``, or a check's reason (an unknown check's
    why) or a note's message names it: a generic message that happens to hold the name does not
    count."""
    try:
        data = json.loads(report.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if any(f.get("path") == path for f in data.get("findings", [])):
        return True
    if any(n.get("path") == path or path in (n.get("message") or "") for n in data.get("notes", [])):
        return True
    return any(path in (c.get("reason") or "") for c in data.get("checks", []))


def _judge_outputs(case: Case, outcome: Outcome, run: Run, out: Path, cache: Path, baseline: Path | None) -> None:
    texts = {"stdout": run.stdout, "stderr": run.stderr}
    texts.update({f"report {p.name}": p.read_bytes() for p in _files_under(out)})
    texts.update({f"cache {p.relative_to(cache)}": p.read_bytes() for p in _files_under(cache)})
    if baseline is not None and baseline.is_file():
        texts["baseline"] = baseline.read_bytes()
    leaks = find_leaks(case.secrets, texts)
    if leaks:
        outcome.add("leak", "; ".join(leaks[:4]))
    injections = find_injections(run, out)
    if injections:
        outcome.add("injection", "; ".join(injections))


def _concurrent_case(outcome: Outcome, tree: Path, workdir: Path, cache: Path, timeout: float) -> None:
    """Three scans at once sharing one cache: each must decide NO-GO, none may crash."""
    env = cli_env(cache, _vulndb())
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gonogo.cli",
                "check",
                str(tree),
                "-q",
                "--format",
                "json",
                "--output",
                str(workdir / f"out{i}"),
            ],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_limit_memory,
        )
        for i in range(3)
    ]
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            stdout, stderr = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
            run = Run(process.returncode, stdout, stderr)
        except subprocess.TimeoutExpired:
            _kill(process)
            stdout, stderr = process.communicate()
            run = Run(None, stdout, stderr)
        _judge_run(outcome, run, "concurrent: ")
        if run.code == 0:
            outcome.add("fail-open", "a concurrent scan decided GO on a NO-GO tree")


def _killed_case(outcome: Outcome, tree: Path, out: Path, workdir: Path, cache: Path, timeout: float) -> None:
    """A scan killed mid-way, then a normal scan on the same cache: it must still decide NO-GO."""
    env = cli_env(cache, _vulndb())
    for delay in (0.3, 0.8, 1.5):
        process = subprocess.Popen(
            [sys.executable, "-m", "gonogo.cli", "check", str(tree), "-q"],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_limit_memory,
        )
        time.sleep(delay)
        _kill(process)
        process.wait()
    run = run_cli(["check", str(tree), "--format", "json", "--output", str(out)], env, workdir, timeout)
    _judge_run(outcome, run, "after kill: ")
    if run.code == 0:
        outcome.add("fail-open", "the scan after a killed scan decided GO on a NO-GO tree")


# advisory archives ----------------------------------------------------------------------------


def advisory(ident: str, name: str = "examplepkg") -> dict[str, object]:
    return {
        "id": ident,
        "modified": "2024-01-01T00:00:00Z",
        "published": "2024-01-01T00:00:00Z",
        "summary": f"{ident} in {name}",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]}],
            }
        ],
    }


def good_archive(path: Path, count: int = 60) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(count):
            archive.writestr(f"PYSEC-2024-{i}.json", json.dumps(advisory(f"PYSEC-2024-{i}", f"pkg{i}")))
    return path


def _index_count(env: dict[str, str], workdir: Path) -> int | None:
    run = run_cli(["db", "status"], env, workdir, 60)
    found = re.search(rb"advisories:\s+(\d+)", run.stdout)
    return int(found.group(1)) if found else None


def _db_case(case: Case, outcome: Outcome, workdir: Path, cache: Path, timeout: float) -> None:
    """Build a good 60-advisory index, then import the hostile archive over it."""
    index_dir = workdir / "index"
    index_dir.mkdir()
    index = index_dir / "osv.sqlite"
    env = cli_env(cache, index)
    seed = run_cli(["db", "update", "--from", str(good_archive(workdir / "good.zip"))], env, workdir, 120)
    if seed.code != 0:
        outcome.add("crash", f"could not build the starting index: {_last_line(seed.stderr.decode())}")
        return
    before = _index_count(env, workdir) or 0
    assert case.archive is not None
    source = case.archive(workdir)
    if case.command == "killed-db-update":
        process = subprocess.Popen(
            [sys.executable, "-m", "gonogo.cli", "db", "update", "--from", str(source)],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_limit_memory,
        )
        _wait_for(lambda: any(p.name.endswith(".tmp") for p in index_dir.iterdir()), timeout)
        _kill(process)
        process.wait()
        # SIGKILL leaves the temporary file by nature; the next db command must remove it
        run = run_cli(["db", "status"], env, workdir, timeout)
        _judge_run(outcome, run)
        stray = sorted(p.name for p in index_dir.iterdir() if p.name != "osv.sqlite")
        if stray:
            outcome.add("changed", f"a killed update left {', '.join(stray)} next to the index after the next command")
        return
    run = run_cli(["db", "update", "--from", str(source)], env, workdir, timeout)
    _judge_run(outcome, run)
    _judge_outputs(case, outcome, run, workdir / "no-reports", cache, None)
    after = _index_count(env, workdir)
    if run.code == 0 and after is not None and after < before / 2:
        outcome.add("fail-open", f"the index shrank from {before} to {after} advisories, exit 0")
    stray = sorted(p.name for p in index_dir.iterdir() if p.name != "osv.sqlite")
    if stray:
        outcome.add("changed", f"the update left {', '.join(stray)} next to the index")


def _wait_for(condition: Callable[[], bool], timeout: float) -> None:
    """Poll until ``condition`` holds (the import has started writing) or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def _restore_modes(tree: Path) -> None:
    """Give back read and execute rights taken by a case, so the tree can be hashed and removed."""
    for folder, dirs, _ in os.walk(tree, followlinks=False):
        for name in dirs:
            path = Path(folder, name)
            with contextlib.suppress(OSError):
                if not path.is_symlink():
                    path.chmod(0o755)


def remove_tree(path: Path) -> None:
    _restore_modes(path)
    shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# case builders


_CREDENTIALED_EXPONENTIAL_CORS = (
    'app.add_middleware(CORSMiddleware, allow_origin_regex="(.*.*)*x", allow_credentials=True)\n'
)


def write(relpath: str, content: str | bytes) -> Build:
    def build(root: Path) -> None:
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    return build


def write_lazy(relpath: str, content: Callable[[], str | bytes]) -> Build:
    """Like ``write``, for big contents made only when the case runs."""

    def build(root: Path) -> None:
        write(relpath, content())(root)

    return build


def both(*builds: Build) -> Build:
    def build(root: Path) -> None:
        for step in builds:
            step(root)

    return build


def symlink(relpath: str, target: str | Callable[[Path], str]) -> Build:
    def build(root: Path) -> None:
        link = root / relpath
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target(root) if callable(target) else target)

    return build


def fifo(relpath: str) -> Build:
    def build(root: Path) -> None:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)

    return build


def unix_socket(relpath: str) -> Build:
    def build(root: Path) -> None:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))

    return build


def unreadable(relpath: str, content: str | None = None) -> Build:
    """A folder (``content`` None) or a file with mode 000. Root reads them anyway."""

    def build(root: Path) -> None:
        path = root / relpath
        if content is None:
            path.mkdir(parents=True)
            (path / "mod.py").write_text("x = 1\n", encoding="utf-8")
            path.chmod(0)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            path.chmod(0)

    return build


def bytes_named(name: bytes, content: str) -> Build:
    def build(root: Path) -> None:
        with open(os.fsencode(root) + b"/" + name, "w", encoding="utf-8") as handle:
            handle.write(content)

    return build


VALID: dict[str, str] = {
    "requirements.txt": "requests==2.31.0\nflask>=2.0,<3\n-e git+https://github.com/o/r.git#egg=r\n",
    "pyproject.toml": (
        '[project]\nname = "demo"\nversion = "1.0"\ndependencies = ["requests==2.31.0", "click>=8"]\n'
        '[project.optional-dependencies]\ndev = ["pytest>=8"]\n[dependency-groups]\ntest = ["coverage"]\n'
    ),
    "setup.cfg": "[metadata]\nname = demo\n[options]\ninstall_requires =\n    requests==2.31.0\n    click\n",
    "setup.py": "from setuptools import setup\nsetup(name='demo', install_requires=['requests==2.31.0'])\n",
    "Pipfile": '[packages]\nrequests = "==2.31.0"\n[dev-packages]\npytest = "*"\n',
    "uv.lock": (
        'version = 1\n[[package]]\nname = "requests"\nversion = "2.31.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
    ),
    "poetry.lock": '[[package]]\nname = "requests"\nversion = "2.31.0"\ngroups = ["main"]\n',
    "pylock.toml": 'lock-version = "1.0"\n[[packages]]\nname = "requests"\nversion = "2.31.0"\n',
    "Pipfile.lock": json.dumps(
        {"_meta": {}, "default": {"requests": {"version": "==2.31.0"}}, "develop": {}}, indent=4
    ),
    "package-lock.json": json.dumps(
        {"lockfileVersion": 3, "packages": {"": {}, "node_modules/lodash": {"version": "4.17.21"}}}, indent=2
    ),
    "Dockerfile": 'FROM python:3.12-slim AS build\nRUN pip install -r requirements.txt\nUSER app\nCMD ["app"]\n',
    "docker-compose.yml": "services:\n  web:\n    image: nginx:1.25\n  db:\n    image: postgres:16\n",
    "deploy/k8s.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
        "        - name: web\n          image: nginx:1.25\n"
    ),
    ".github/workflows/ci.yml": (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: pytest\n"
    ),
    ".gitlab-ci.yml": "test:\n  script:\n    - pytest\n",
    "README.md": "# Demo\n\nSee [the guide](docs/guide.md) and `src/app.py`.\n",
}
"""One realistic sample per parsed file kind; the malformed cases mutate these."""


def _mutations(text: str) -> dict[str, str | bytes]:
    raw = text.encode()
    return {
        "truncated": raw[: max(1, len(raw) * 2 // 3)],
        "NUL bytes": raw.replace(b"\n", b"\0\n", 3),
        "invalid UTF-8": raw[: len(raw) // 2] + b"\xff\xfe\xc3(" + raw[len(raw) // 2 :],
        "binary garbage": bytes(range(256)) * 8,
        "empty": b"",
    }


def _malformed_cases() -> list[Case]:
    cases = []
    for relpath, text in VALID.items():
        for label, content in _mutations(text).items():
            cases.append(Case(name=f"{relpath} {label}", group="malformed manifest", build=write(relpath, content)))
    return cases


TYPE_CONFUSED: list[tuple[str, str, str]] = [
    ("pyproject project is a list", "pyproject.toml", 'project = ["requests"]\n'),
    ("pyproject dependencies is a string", "pyproject.toml", '[project]\nname = "d"\ndependencies = "requests"\n'),
    (
        "pyproject optional-dependencies is a list",
        "pyproject.toml",
        '[project]\nname = "d"\noptional-dependencies = ["x"]\n',
    ),
    ("pyproject dependency-groups is a list", "pyproject.toml", 'dependency-groups = ["pytest"]\n'),
    ("pyproject poetry is a string", "pyproject.toml", '[tool]\npoetry = "requests"\n'),
    ("pyproject poetry dependencies is a list", "pyproject.toml", '[tool.poetry]\ndependencies = ["requests"]\n'),
    ("Pipfile packages is a list", "Pipfile", 'packages = ["requests"]\n'),
    ("uv.lock package is a table", "uv.lock", 'version = 1\n[package]\nname = "requests"\nversion = "2.31.0"\n'),
    ("poetry.lock package is a string", "poetry.lock", 'package = "requests"\n'),
    ("pylock packages is a table", "pylock.toml", 'lock-version = "1.0"\n[packages]\nname = "requests"\n'),
    ("Pipfile.lock default is a list", "Pipfile.lock", '{"default": [], "develop": []}'),
    ("Pipfile.lock is a list", "Pipfile.lock", '[{"default": {}}]'),
    ("Pipfile.lock entry is a string", "Pipfile.lock", '{"default": {"requests": "==2.31.0"}}'),
    ("package-lock packages is a list", "package-lock.json", '{"lockfileVersion": 3, "packages": []}'),
    ("package-lock is a string", "package-lock.json", '"lodash"'),
    ("compose services is a list", "docker-compose.yml", "services:\n  - image: nginx\n"),
    ("compose service is a list", "docker-compose.yml", "services:\n  web: [nginx]\n"),
    ("workflow jobs is a list", ".github/workflows/ci.yml", "on: push\njobs: [pytest]\n"),
    ("setup.cfg requires in the wrong section", "setup.cfg", "[metadata]\ninstall_requires = [\n"),
    ("setup.py install_requires is a number", "setup.py", "from setuptools import setup\nsetup(install_requires=42)\n"),
]


def _type_confused_cases() -> list[Case]:
    return [
        Case(name=name, group="type-confused manifest", build=write(relpath, text), names=relpath)
        for name, relpath, text in TYPE_CONFUSED
    ]


def _deep_toml(depth: int) -> str:
    return "x = " + "[" * depth + "]" * depth + "\n"


def _deep_json(depth: int) -> str:
    return '{"default": ' + "[" * depth + "]" * depth + "}"


def _huge_cases() -> list[Case]:
    return [
        Case(
            name="requirements with 100,000 lines",
            group="huge manifest",
            build=write_lazy("requirements.txt", lambda: "".join(f"pkg{i}==1.0\n" for i in range(100_000))),
        ),
        Case(
            name="pyproject with 300,000 dependencies",
            group="huge manifest",
            build=write_lazy(
                "pyproject.toml",
                lambda: (
                    '[project]\nname = "d"\ndependencies = [\n'
                    + "".join(f'  "pkg{i}==1.0",\n' for i in range(300_000))
                    + "]\n"
                ),
            ),
        ),
        Case(
            name="Pipfile with 100,000 packages",
            group="huge manifest",
            build=write_lazy("Pipfile", lambda: "[packages]\n" + "".join(f'pkg{i} = "==1"\n' for i in range(100_000))),
        ),
        Case(
            name="uv.lock with 100,000 packages",
            group="huge manifest",
            build=write_lazy(
                "uv.lock",
                lambda: (
                    "version = 1\n"
                    + "".join(f'[[package]]\nname = "pkg{i}"\nversion = "1.0"\n' for i in range(100_000))
                ),
            ),
        ),
        Case(
            name="requirements with one 20 MB line",
            group="huge manifest",
            build=write_lazy("requirements.txt", lambda: "a" * 20_000_000),
        ),
        Case(
            name="Dockerfile with 200,000 continuation lines",
            group="huge manifest",
            build=write_lazy(
                "Dockerfile", lambda: "FROM python:3.12\nRUN true \\\n" + " && true \\\n" * 200_000 + "\n"
            ),
        ),
        Case(
            name="README with 200,000 links",
            group="huge manifest",
            build=write_lazy("README.md", lambda: "".join(f"[x](docs/f{i}.md)\n" for i in range(200_000))),
        ),
        Case(name="5,000 small Python files", group="huge manifest", build=_many_files(5000)),
    ]


def _many_files(count: int) -> Build:
    def build(root: Path) -> None:
        folder = root / "many"
        folder.mkdir()
        for i in range(count):
            (folder / f"m{i}.py").write_text(f"x{i} = {i}\n", encoding="utf-8")

    return build


DEEP_MANIFESTS = [
    ("pyproject", "pyproject.toml", "50,000", lambda: _deep_toml(50_000)),
    ("uv.lock", "uv.lock", "50,000", lambda: _deep_toml(50_000)),
    ("Pipfile", "Pipfile", "50,000", lambda: _deep_toml(50_000)),
    ("Pipfile.lock", "Pipfile.lock", "200,000", lambda: _deep_json(200_000)),
    ("package-lock", "package-lock.json", "200,000", lambda: _deep_json(200_000)),
]
"""Manifests nested past any parser's stack: each must become a finding naming the file."""


def _deep_cases() -> list[Case]:
    named = [
        Case(
            name=f"{label} nested {depth} deep",
            group="deep nesting",
            build=write_lazy(relpath, make),
            names=relpath,
        )
        for label, relpath, depth, make in DEEP_MANIFESTS
    ]
    return [
        *named,
        Case(
            name="compose nested 100,000 deep",
            group="deep nesting",
            build=write_lazy("docker-compose.yml", lambda: "services: " + "[" * 100_000 + "]" * 100_000 + "\n"),
        ),
        Case(
            name="workflow nested 100,000 deep",
            group="deep nesting",
            build=write_lazy(".github/workflows/ci.yml", lambda: "jobs: " + "{a: " * 100_000 + "1" + "}" * 100_000),
        ),
        Case(
            name="README with 100,000 nested quotes",
            group="deep nesting",
            build=write_lazy("README.md", lambda: ">" * 100_000 + " `src/x.py`\n"),
        ),
        Case(
            name="README with 1,000 nested list items",
            group="deep nesting",
            build=write_lazy("README.md", lambda: "".join("  " * i + "- a\n" for i in range(1000))),
        ),
        Case(
            name="setup.py with 100,000 unary minus",
            group="deep nesting",
            build=write_lazy("setup.py", lambda: "x = " + "-" * 100_000 + "1\n"),
        ),
        Case(
            name="Python file nested 100,000 parentheses",
            group="deep nesting",
            build=write_lazy("deep.py", lambda: "x = " + "(" * 100_000 + ")" * 100_000 + "\n"),
        ),
    ]


_BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
)


def _merge_bomb(levels: int) -> str:
    lines = ["x0: &x0 {image: nginx}"]
    for i in range(1, levels):
        lines.append(f"x{i}: &x{i} {{<<: [*x{i - 1}, *x{i - 1}, *x{i - 1}], k{i}: v}}")
    return "\n".join(lines) + f"\nservices:\n  web:\n    <<: *x{levels - 1}\n"


def _yaml_cases() -> list[Case]:
    return [
        Case(
            name="compose billion laughs",
            group="yaml bomb",
            build=write("docker-compose.yml", _BILLION_LAUGHS + "\nservices:\n  web:\n    image: nginx\n"),
        ),
        Case(
            name="kubernetes billion laughs",
            group="yaml bomb",
            build=write("deploy/k8s.yaml", "apiVersion: v1\nimage: x\n" + _BILLION_LAUGHS + "\n"),
        ),
        Case(
            name="workflow billion laughs",
            group="yaml bomb",
            build=write(".github/workflows/ci.yml", "on: push\n" + _BILLION_LAUGHS + "\n"),
        ),
        Case(name="compose merge bomb", group="yaml bomb", build=write("docker-compose.yml", _merge_bomb(40))),
        Case(
            name="kubernetes merge bomb",
            group="yaml bomb",
            build=write("deploy/k8s.yaml", "apiVersion: v1\nimage: x\n" + _merge_bomb(40)),
        ),
        Case(
            name="compose recursive merge",
            group="yaml bomb",
            names="docker-compose.yml",
            build=write("docker-compose.yml", "services: &s\n  web:\n    image: nginx\n    <<: *s\n  <<: *s\n"),
        ),
        Case(
            name="gitlab recursive alias",
            group="yaml bomb",
            build=write(".gitlab-ci.yml", "a: &a [*a]\ntest:\n  script: [pytest]\n"),
        ),
    ]


def _special_cases() -> list[Case]:
    outside = "/etc/hostname" if Path("/etc/hostname").exists() else "/etc/passwd"
    return [
        Case(name="FIFO named .gitignore", group="special file", build=fifo(".gitignore")),
        Case(name="FIFO named requirements.txt", group="special file", build=fifo("requirements.txt")),
        Case(name="FIFO named pyproject.toml", group="special file", build=fifo("pyproject.toml")),
        Case(name="FIFO named Dockerfile", group="special file", build=fifo("Dockerfile")),
        Case(name="FIFO named module.py", group="special file", build=fifo("module.py")),
        Case(name="FIFO named README.md", group="special file", build=fifo("README.md")),
        Case(name="unix socket named app2.py", group="special file", build=unix_socket("app2.py")),
        Case(name=".gitignore symlink to /dev/zero", group="symlink", build=symlink(".gitignore", "/dev/zero")),
        Case(name="requirements symlink to /dev/zero", group="symlink", build=symlink("requirements.txt", "/dev/zero")),
        Case(name="pyproject symlink to /dev/zero", group="symlink", build=symlink("pyproject.toml", "/dev/zero")),
        Case(name="Python file symlink to /dev/zero", group="symlink", build=symlink("zero.py", "/dev/zero")),
        Case(name="README symlink to /dev/urandom", group="symlink", build=symlink("README.md", "/dev/urandom")),
        Case(name="folder symlink to /", group="symlink", build=symlink("rootfs", "/")),
        Case(name="deliverable symlink to /", group="symlink", build=symlink("docs", "/")),
        Case(
            name="symlink loop between two folders",
            group="symlink",
            build=both(symlink("loop/a", "../loop/b"), symlink("loop/b", "../loop/a")),
        ),
        Case(name="folder symlink to itself", group="symlink", build=symlink("self", ".")),
        Case(name="folder symlink to its parent", group="symlink", build=symlink("pkg/up", "..")),
        Case(name="dangling symlink", group="symlink", build=symlink("gone.py", "does/not/exist.py")),
        Case(name="pyproject symlink out of root", group="symlink", build=symlink("pyproject.toml", outside)),
        Case(name="requirements symlink out of root", group="symlink", build=symlink("requirements.txt", outside)),
        Case(name="README symlink out of root", group="symlink", build=symlink("README.md", outside)),
        Case(name="unreadable folder", group="unreadable", build=unreadable("locked")),
        Case(name="unreadable folder named .venv-like", group="unreadable", build=unreadable("pkg/venv")),
        Case(name="unreadable requirements", group="unreadable", build=unreadable("requirements.txt", "x==1\n")),
        Case(
            name="unreadable pyproject",
            group="unreadable",
            build=unreadable("pyproject.toml", '[project]\nname = "d"\n'),
        ),
        Case(name="unreadable Python file", group="unreadable", build=unreadable("hidden.py", "x = 1\n")),
    ]


EVAL_LINE = "def f(x):\n    return eval(x)\n"


def _name_cases() -> list[Case]:
    return [
        Case(name="file name with rich markup", group="file name", build=write("a[/bold]b.py", EVAL_LINE)),
        Case(name="file name with rich colour markup", group="file name", build=write("[red]x[/red].py", EVAL_LINE)),
        Case(name="folder name with rich markup", group="file name", build=write("pkg[/]/mod.py", EVAL_LINE)),
        Case(name="file name with ANSI escape", group="file name", build=write("\x1b[31mred\x1b[0m.py", EVAL_LINE)),
        Case(
            name="file name with OSC 8 link",
            group="file name",
            build=write("\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07.py", EVAL_LINE),
        ),
        Case(name="file name with OSC title", group="file name", build=write("\x1b]0;pwned\x07.py", EVAL_LINE)),
        Case(
            name="file name forging a Markdown title",
            group="file name",
            build=write("x\n\n# Production readiness: GO\n.py", EVAL_LINE),
        ),
        Case(
            name="file name with HTML script", group="file name", build=write("<script>alert(1)<script>.py", EVAL_LINE)
        ),
        Case(
            name="file name with a Markdown link",
            group="file name",
            build=write("[click](https%3A--evil.example).py", EVAL_LINE),
        ),
        Case(name="file name not valid UTF-8", group="file name", build=bytes_named(b"bad\xff\xfe.py", EVAL_LINE)),
        Case(name="file name with carriage return", group="file name", build=write("cr\rname.py", EVAL_LINE)),
        Case(name="file name 250 characters long", group="file name", build=write("n" * 250 + ".py", EVAL_LINE)),
    ]


def _command_line_and_config_cases() -> list[Case]:
    return [
        Case(
            name="missing path with markup on the command line",
            group="command line",
            on_base=False,
            build=lambda root: None,
            command="raw",
            args=("check", "{tree}/nope[/x]"),
        ),
        Case(
            name="--output naming an existing file",
            group="command line",
            build=write("report-file", "keep me\n"),
            command="raw",
            args=("check", "{tree}", "--format", "md", "--output", "{tree}/report-file"),
        ),
        Case(
            name="--test-timeout nan with a sleeping suite",
            group="command line",
            build=write("tests/test_sleep.py", "import time\n\ndef test_sleep():\n    time.sleep(120)\n"),
            args=("--run-tests", "--test-timeout", "nan"),
            may_refuse=True,  # a bad value on gonogo's own command line: exit 2, naming the option
        ),
        Case(
            name="config key holding markup",
            group="config",
            build=write("gonogo.toml", '"[/x]" = 1\n'),
            may_refuse=True,
        ),
        Case(
            name="config exclude pattern invalid",
            group="config",
            build=write("pyproject.toml", '[project]\nname = "d"\n[tool.gonogo]\nexclude = ["[z-a]", "***/["]\n'),
            may_refuse=True,  # gonogo's own [tool.gonogo] settings: exit 2 naming the file and key
        ),
        Case(
            name="pyproject not valid TOML",
            group="config",
            names="pyproject.toml",
            build=write("pyproject.toml", "[project\nname = \n"),
        ),
        Case(
            name="pyproject tool.gonogo is a string",
            group="config",
            build=write("pyproject.toml", '[tool]\ngonogo = "everything"\n'),
            may_refuse=True,
        ),
    ]


def _gitignore_cases() -> list[Case]:
    backtrack = "a*" * 30 + "b\n"
    return [
        Case(
            name="catastrophic .gitignore pattern",
            group="gitignore",
            build=both(
                write(".gitignore", backtrack), write("a" * 60 + ".txt", "x\n"), write("a" * 80 + "/x.py", "x\n")
            ),
        ),
        Case(
            name="catastrophic nested .gitignore",
            group="gitignore",
            build=both(write("pkg/.gitignore", "**/" + backtrack), write("pkg/" + "a" * 70, "x\n")),
        ),
        Case(
            name=".gitignore with 50,000 patterns",
            group="gitignore",
            build=write_lazy(".gitignore", lambda: "".join(f"ignored{i}/*.log\n" for i in range(50_000))),
        ),
        Case(
            name=".gitignore with invalid patterns", group="gitignore", build=write(".gitignore", "[z-a]\n***\n\\\n!\n")
        ),
        Case(
            name=".gitignore of NUL and invalid UTF-8", group="gitignore", build=write(".gitignore", b"\0\xff\xfe*\n")
        ),
        Case(name=".gitignore 20 MB line", group="gitignore", build=write_lazy(".gitignore", lambda: "*" * 20_000_000)),
        Case(
            name="catastrophic .gitignore under a document's reference",
            group="gitignore",
            build=both(
                write("gen/.gitignore", "a*" * 30 + "b*\n"),
                write("docs/guide.md", "The schema is in `gen/" + "a" * 40 + "c.txt`.\n"),
            ),
        ),
        Case(
            name="catastrophic and invalid CODEOWNERS patterns",
            group="gitignore",
            build=both(
                write(".github/CODEOWNERS", "* @everyone\n[z-a] @nobody\n" + "a*" * 30 + "b @slow\n"),
                write("a" * 60 + ".py", "def stub():\n    pass\n"),
            ),
        ),
    ]


_PLANTED_SECRETS: list[tuple[str, tuple[str, ...], str, str]] = [
    (
        "IMG005 ADD URL with a password",
        (PW,),
        "Dockerfile",
        f"FROM python:3.12-slim\nADD https://deploy:{PW}@files.example.com/app.tar.gz /app/\nUSER app\n",
    ),
    (
        "VULN002 direct URL with a password",
        (PW,),
        "requirements.txt",
        f"mypkg @ https://deploy:{PW}@pypi.example.com/mypkg-1.0.tar.gz\n",
    ),
    ("CODE001 stub evidence with a token", (GHP,), "client.py", f'def connect(token="{GHP}"):\n    pass\n'),
    (
        "CODE002 long function evidence with a token",
        (GHP,),
        "long.py",
        f'def handler(token="{GHP}"):\n' + "".join(f"    x{i} = {i}\n" for i in range(250)),
    ),
    (
        "TEST001 skip reason with a key",
        (AWS,),
        "tests/test_skip.py",
        f'import pytest\n\n@pytest.mark.skip(reason="needs AWS_SECRET_ACCESS_KEY={AWS}")\n'
        "def test_x():\n    pass\n",
    ),
    ("DEP007 bad requirement line with a token", (GHP,), "requirements.txt", f"requests>=2 token={GHP}\n"),
    ("SEC009 password evidence", (PW,), "db.py", f'def open_db(connect):\n    return connect(password="{PW}")\n'),
    (
        "IMG001 image reference with a token",
        (GHP,),
        "docker-compose.yml",
        f"services:\n  web:\n    image: registry.example.com/{GHP}/app:latest\n",
    ),
    ("DOC001 path with a token", (GHP,), "README.md", f"# Demo\n\nRun `config/{GHP}/settings.py` first.\n"),
    (
        "workflow command with a password",
        (PW,),
        ".github/workflows/ci.yml",
        f"on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -u admin:{PW} https://x.example\n",
    ),
    (
        "pyproject VCS dependency with a token",
        (GHP,),
        "pyproject.toml",
        f'[project]\nname = "d"\ndependencies = ["lib @ git+https://{GHP}@github.com/o/lib"]\n',
    ),
    (
        "setup.py bad requirement with a token",
        (GHP,),
        "setup.py",
        f"from setuptools import setup\nsetup(install_requires=['lib token={GHP}'])\n",
    ),
    (
        "Pipfile source with a password",
        (PW,),
        "Pipfile",
        f'[[source]]\nurl = "https://user:{PW}@pypi.example.com/simple"\nname = "p"\n[packages]\nrequests = "*"\n',
    ),
    (
        "AWS key in a .env file",
        (AWS,),
        ".env.production",
        f"AWS_ACCESS_KEY_ID=AKIAQ3EGRXKZ7TLPW2MV\nAWS_SECRET_ACCESS_KEY={AWS}\n",
    ),
    ("token in a Python constant", (GHP,), "settings.py", f'GITHUB_TOKEN = "{GHP}"\n'),
]
"""(case name, the secrets planted, file, content): each must never be printed."""


def _secret_cases() -> list[Case]:
    cases = [
        Case(name=name, group="planted secret", build=write(relpath, content), secrets=secrets, command="baseline-too")
        for name, secrets, relpath, content in _PLANTED_SECRETS
    ]
    cases.append(
        Case(
            name="SVC001 tcp URL with a password",
            group="planted secret",
            secrets=(PW,),
            args=("--probe",),
            build=write("gonogo.toml", f'[services.cache]\nurl = "tcp://admin:{PW}@127.0.0.1"\ntimeout_s = 2\n'),
        )
    )
    return cases


def _zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> Callable[[Path], Path]:
    def build(workdir: Path) -> Path:
        path = workdir / "hostile.zip"
        with zipfile.ZipFile(path, "w", method) as archive:
            for name, data in members:
                archive.writestr(name, data)
        return path

    return build


def _corrupted_deflate(workdir: Path) -> Path:
    path = good_archive(workdir / "hostile.zip", 10)
    data = bytearray(path.read_bytes())
    # the first member's compressed data starts after its 30-byte header and its name
    name_len = int.from_bytes(data[26:28], "little")
    start = 30 + name_len
    for offset in range(start, start + 40):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def _mostly_broken(workdir: Path) -> Path:
    members = [(f"GOOD-{i}.json", json.dumps(advisory(f"GOOD-{i}")).encode()) for i in range(4)]
    members += [(f"BAD-{i}.json", b"{not json") for i in range(8)]
    return _zip(members)(workdir)


def _not_a_zip(workdir: Path) -> Path:
    path = workdir / "hostile.zip"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    return path


def _folder_with_links(workdir: Path) -> Path:
    folder = workdir / "advisories"
    folder.mkdir()
    (folder / "zero.json").symlink_to("/dev/zero")
    (folder / "loop").symlink_to(".")
    os.mkfifo(folder / "fifo.json")
    (folder / "ok.json").write_text(json.dumps(advisory("OK-1")), encoding="utf-8")
    return folder


def _big_archive(workdir: Path) -> Path:
    return good_archive(workdir / "hostile.zip", 20_000)


def _archive_cases() -> list[Case]:
    deep = ("[" * 200_000 + "]" * 200_000).encode()
    # one usable advisory, so the import goes on and lists the skipped members by name
    escape_names = [(f"\x1b]0;pwned\x07\x1b[31mX-{i}.json", b"{bad") for i in range(3)]
    escape_names.append(("OK-1.json", json.dumps(advisory("OK-1")).encode()))
    specs: list[tuple[str, Callable[[Path], Path]]] = [
        ("zip with corrupted deflate data", _corrupted_deflate),
        ("zip with a 200,000-deep JSON document", _zip([("DEEP.json", deep)])),
        ("zip mostly broken (4 good, 8 bad)", _mostly_broken),
        ("zip with no advisories", _zip([("README.txt", b"nothing here")])),
        ("file that only starts like a zip", _not_a_zip),
        ("zip with escape sequences in member names", _zip(escape_names)),
        ("zip with path traversal member names", _zip([("../../evil.json", json.dumps(advisory("E-1")).encode())])),
        ("zip with invalid UTF-8 documents", _zip([(f"U-{i}.json", b"\xff\xfe{}") for i in range(5)])),
        (
            "zip with type-confused advisories",
            _zip(
                [
                    ("T-1.json", b'{"id": 5}'),
                    ("T-2.json", b'{"id": "T-2", "affected": {}}'),
                    ("T-3.json", b'{"id": "T-3", "affected": [{"package": [], "ranges": "x"}]}'),
                    (
                        "T-4.json",
                        b'{"id": "T-4", "affected": [{"package": {"ecosystem": "PyPI", "name": "x"}, '
                        b'"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": 0}]}]}]}',
                    ),
                ]
            ),
        ),
        ("zip of zeros (high ratio)", _zip([("Z.json", b"0" * 50_000_000)])),
        ("folder with symlinks to /dev/zero, loops and a FIFO", _folder_with_links),
    ]
    cases = [
        Case(
            name=name,
            group="advisory archive",
            build=lambda root: None,
            on_base=False,
            command="db-update",
            archive=archive,
        )
        for name, archive in specs
    ]
    cases.append(
        Case(
            name="db update killed mid-way",
            group="advisory archive",
            build=lambda root: None,
            on_base=False,
            command="killed-db-update",
            archive=_big_archive,
        )
    )
    return cases


def _sast_cases() -> list[Case]:
    return [
        Case(
            name="ruff-aborting 200,000-term expression",
            group="sast abort",
            build=write_lazy("huge_expr.py", lambda: "x = " + "+".join(["1"] * 200_000) + "\n"),
        ),
        Case(name="Python file with NUL bytes", group="sast abort", build=write("nul.py", b"x = 1\0\nimport os\n")),
        Case(name="Python file not valid UTF-8", group="sast abort", build=write("latin.py", b"x = '\xff\xfe'\n")),
        Case(
            name="ruff.toml excluding everything",
            group="sast abort",
            build=write("ruff.toml", 'exclude = ["*"]\n[lint]\nignore = ["ALL"]\n'),
        ),
        Case(
            name="pyproject [tool.ruff] excluding everything",
            group="sast abort",
            build=write("pyproject.toml", '[project]\nname = "d"\n[tool.ruff]\nexclude = ["*.py"]\n'),
        ),
        Case(
            name="file-level ruff noqa in another file", group="sast abort", build=write("other.py", "# ruff: noqa\n")
        ),
        Case(
            name="Python file of 12 MB", group="sast abort", build=write_lazy("big.py", lambda: "x = 1\n" * 2_000_000)
        ),
        Case(name="Python syntax error file", group="sast abort", build=write("broken.py", "def f(:\n")),
    ]


def _process_cases() -> list[Case]:
    return [
        Case(
            name="three concurrent scans sharing a cache",
            group="process",
            build=lambda root: None,
            command="concurrent",
        ),
        Case(name="scans killed mid-way, then a scan", group="process", build=lambda root: None, command="killed"),
    ]


def _planted_git_command(key: str, attributes: str = "") -> Build:
    """A committed checkout whose ``.git/config`` sets ``key`` to a command that writes the
    marker beside the tree; the file is then touched, so ``git status`` has a reason to re-read it."""

    def build(root: Path) -> None:
        if attributes:
            (root / ".gitattributes").write_text(attributes, encoding="utf-8")
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(root)]
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
            subprocess.run([*git, *args], check=True, capture_output=True)
        marker = root.parent / EXECUTED_MARKER
        subprocess.run([*git, "config", key, f"sh -c 'touch {marker}; cat'"], check=True)
        later = time.time() + 5
        os.utime(root / "app.py", (later, later))

    return build


def _git_config_cases() -> list[Case]:
    return [
        Case(name="core.fsmonitor runs a command", group="git config", build=_planted_git_command("core.fsmonitor")),
        Case(name="clean filter on every file", group="git config",
             build=_planted_git_command("filter.x.clean", "* filter=x\n")),
        Case(name="long-running filter process", group="git config",
             build=_planted_git_command("filter.x.process", "*.py filter=x\n")),
    ]


def _remote_of(url: str) -> Build:
    """A committed checkout whose ``remote.origin.url`` is ``url``."""

    def build(root: Path) -> None:
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(root)]
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
            subprocess.run([*git, *args], check=True, capture_output=True)
        with (root / ".git" / "config").open("a", encoding="utf-8") as config:  # longer than an argument may be
            config.write(f'[remote "origin"]\n\turl = {url}\n')

    return build


def _build_file_cases() -> list[Case]:
    """The readers of what builds and declares outside the manifests: PEP 723 script blocks, shell
    build tags, Buildx bake files and the ``.dockerignore`` of a maintainer's script."""
    shell_tool = "import subprocess, sys\nsubprocess.call(sys.argv[1], shell=True)\n"
    return [
        Case(name="script of 50,000 PEP 723 opening lines", group="backtracking",
             build=write("scripts/tool.py", "# /// script\n" * 50_000 + "import git\n")),
        Case(name="PEP 723 block of 5,000-deep nested arrays", group="malformed manifest",
             build=write("scripts/tool.py", "# /// script\n# dependencies = " + "[" * 5_000 + "]" * 5_000
                         + "\n# ///\nimport git\n")),
        Case(name="bake file of 400,000 blanks in a target", group="backtracking",
             build=both(write("docker-bake.hcl", 'target "app" {\n  context = "app"\n' + " " * 400_000
                              + 'contexts = { base = "target:base" }\n}\n'),
                        write("app/Dockerfile", "FROM base\nUSER app\n"))),
        Case(name="docker build line of 200,000 blanks before its tag", group="backtracking",
             build=both(write("build.sh", "#!/bin/sh\ndocker build" + " " * 200_000 + "-t localbase .\n"),
                        write("Dockerfile", "FROM localbase\nUSER app\n"))),
        Case(name=".dockerignore of 100,000 patterns beside a maintainer's script", group="backtracking",
             build=both(write("scripts/tool.py", shell_tool), write("Dockerfile", "FROM python:3.12\nCOPY . /app\n"),
                        write(".dockerignore", "scripts\n" + "a*b*c*d*e*\n" * 100_000))),
    ]


def _backtracking_cases() -> list[Case]:
    """Text shaped to make a regular expression try every way to match it: each hung a scan."""
    schemes = "import sys\neval(sys.argv[1])  # " + "a." * 40_000 + "://x:" + "c" * 40_000
    return [
        Case(name="root .gitignore of forty stars and a letter", group="backtracking",
             build=write(".gitignore", "*" * 40 + "x\n")),
        Case(name="YAML file of 3,000 blank lines", group="backtracking", build=write("config.yaml", "\n" * 3000)),
        Case(name=".env.example of 3,000 blank lines", group="backtracking", build=write(".env.example", "\n" * 3000)),
        Case(name="Python line of a.a.a...:// beside a SAST finding", group="backtracking",
             build=write("hostile_line.py", schemes)),
        Case(name="Dockerfile FROM line full of #", group="backtracking",
             build=write("Dockerfile", "FROM python:latest " + "#" * 80_000 + "\nUSER app\n")),
        Case(name="remote.origin.url of 300,000 characters", group="backtracking", build=_remote_of("a." * 150_000)),
        *_token_backtracking_cases(),
        *_build_file_cases(),
        Case(name="readiness document of 250 lines that split every way", group="backtracking", command="raw",
             build=write("READINESS.md", _hostile_document()),
             args=("verify", "{tree}/READINESS.md", "{tree}", "--format", "json", "--output", "{out}")),
        Case(name="alert rules of 12,000 blank lines", group="backtracking",
             build=write("monitoring/alerts.yml", " \n" * 12_000 + "groups: []\n")),
        Case(name=".env with a line of 200,000 tabs", group="backtracking",
             build=write(".env", "\t" * 200_000 + "x\n")),
        Case(name="requirements.txt of 20,000 blank lines", group="backtracking",
             build=write("requirements.txt", " \n" * 20_000 + "requests==2.0\n")),
        Case(name="Helm template line of 100,000 unclosed actions", group="backtracking",
             build=write("chart/templates/deploy.yaml", "}} " + "{{ x " * 100_000 + "\n")),
        Case(name="CORS origin pattern that backtracks exponentially", group="backtracking",
             build=write("app/cors.py", 'from fastapi.middleware.cors import CORSMiddleware\n'
                         'app.add_middleware(CORSMiddleware, allow_origin_regex="(.|.|.)*(.|.|.)*!")\n')),
        Case(name="500 such CORS patterns with credentials, in 20 files", group="backtracking",
             build=both(*(write(f"app/cors{n}.py", f"# module {n}\nfrom fastapi.middleware.cors import CORSMiddleware\n"
                                + _CREDENTIALED_EXPONENTIAL_CORS * 25) for n in range(20)))),
        Case(name="Kubernetes YAML of 200,000 blank lines", group="backtracking",
             build=write("deploy/app.yaml", "\n" * 200_000 + "kind: Deployment\n")),
        Case(name="a token's value written 100,000 times after a 200,000-letter name", group="backtracking",
             build=write("app/labels.py", "a" * 200_000 + ' = "Zq8vX4pL2wRkJsTm"\n'
                         + 'API_TOKEN = "Zq8vX4pL2wRkJsTm"\n' + '"Zq8vX4pL2wRkJsTm" ' * 100_000 + "\n")),
        Case(name=".gitmodules of 500,000 blank lines", group="backtracking",
             build=both(write(".gitmodules", " \n" * 500_000 + "path = vendor/x\n"),
                        write("README.md", "See `vendor/x/a.txt`.\n"))),
        Case(name=".gitmodules naming a folder 500,000 levels deep", group="backtracking",
             build=both(write(".gitmodules", "path = " + "a/" * 500_000 + "\n"),
                        write("tasks.py", "import a\n"))),
        Case(name="one handler under 20,000 route decorators", group="backtracking",
             build=write("app/routes.py", "from fastapi import Depends, FastAPI\napp = FastAPI()\n"
                         + '@app.post("/x")\n' * 20_000 + "def f(user=Depends(print)): ...\n")),
        Case(name="Dockerfile ENV of one 200,000-letter word", group="backtracking",
             build=write("Dockerfile", "FROM python:3.12-slim@sha256:" + "a" * 64 + "\nENV A=1 " + "b" * 200_000
                         + "\nUSER app\n")),
        Case(name="Python line of prometheus_client 50,000 times", group="backtracking",
             build=write("metrics_line.py", "x = '" + "prometheus_client " * 50_000 + "'\n")),
        Case(name="2,000 two-star .gitignore patterns over a tree 300 folders deep", group="backtracking",
             build=both(write(".gitignore", "".join(f"**/a/**/b{i}\n" for i in range(2000))),
                        write("/".join(["a"] * 300) + "/x.py", "x = 1\n"))),
        Case(name="Python literals of 100,000 joins and escapes beside a secret default", group="backtracking",
             build=write("app/spelt.py", "import os\nKEY = os.getenv('API_TO' 'KEN', 'x')\nX = ('a' "
                         + "'a' " * 100_000 + ")\nY = '" + "\\x41" * 100_000 + "'\nZ = '" + "\"#" * 50_000 + "'\n")),
        Case(name="pyproject line of 100,000 escaped quotes", group="backtracking",
             build=write("pyproject.toml", '[project]\nname = "d"\nversion = "1"\n# ' + '"\\' * 100_000 + "\n")),
    ]


def _huge_integer_cases() -> list[Case]:
    """Manifests holding a 5,000-digit integer, past what a number parser may be asked to convert."""
    big = "1" * 5000
    return [
        Case(name="pyproject with a 5,000-digit integer", group="malformed manifest",
             build=write("pyproject.toml", f'[project]\nname = "d"\nversion = "1"\n[tool.x]\nn = {big}\n')),
        Case(name="package-lock with a 5,000-digit integer", group="malformed manifest",
             build=both(write("package.json", '{"name": "x"}'), write("package-lock.json", '{"v": ' + big + "}"))),
        Case(name="baseline with a 5,000-digit integer", group="malformed manifest",
             build=write(".gonogo-baseline.json", '{"findings": [{"fingerprint": "x", "count": ' + big + "}]}")),
        # the secrets pass reads the root's gitleaks allowlist: a number it cannot convert once made
        # every secret check unknown, blinding the gate, with no word of which file did it
        Case(name=".gitleaks.toml with a 5,000-digit integer", group="malformed manifest", names=".gitleaks.toml",
             build=write(".gitleaks.toml", f"[allowlist]\nn = {big}\n")),
    ]


def _hostile_document() -> str:
    """Lines of the longest length a readiness document's reader accepts (4,000 characters), each
    shaped for one of its patterns: runs of punctuation, blanks and digits it split every way."""
    shapes = ["#" * 4000, "- " * 2000, "#" * 2000 + "a(b" + "#" * 1900 + "(5)", "decision" + ":" * 3992,
              "1" * 4000, "a" * 3980 + " present in 5 of x", "| " + " " * 3996 + "x", " " * 3996 + "[ ]x"]
    return "".join(f"{shapes[i % len(shapes)]}\n" for i in range(250))


def _token_backtracking_cases() -> list[Case]:
    """600 KB lines on which detect-secrets' own patterns tried every start, each reading the rest
    of the line; each took minutes. A real key pair on the same line must still be found, unseen."""
    pair = f' aws_access_key_id="AKIAQ7ZW3RT5YU8IOP2M" aws_secret_access_key="{AWS}" '
    lines = {
        "JWT starts with no dot": "eyJ" * 200_000,
        "OpenAI key starts with the marker out of reach": "sk-_" * 150_000 + " T3BlbkFJ",
        "npm registry lines with no token": '//="' * 150_000 + "/:_authToken=",
        "private-key headers with no key block": "-----BEGIN RSA PRIVATE KEY-----" * 20_000,
        "28,000 AWS key IDs": " ".join(f"AKIA{i:016d}" for i in range(28_000)),
    }
    return [
        Case(name=f"one line of {label}", group="backtracking", secrets=(AWS,), names="assets/blob.txt",
             build=write("assets/blob.txt", line + pair + line + "\n"))
        for label, line in lines.items()
    ]


def all_cases() -> list[Case]:
    """Every case of the campaign, in a stable order."""
    return [
        *_malformed_cases(),
        *_type_confused_cases(),
        *_huge_cases(),
        *_deep_cases(),
        *_yaml_cases(),
        *_special_cases(),
        *_name_cases(),
        *_command_line_and_config_cases(),
        *_gitignore_cases(),
        *_secret_cases(),
        *_archive_cases(),
        *_sast_cases(),
        *_process_cases(),
        *_git_config_cases(),
        *_backtracking_cases(),
        *_huge_integer_cases(),
    ]


def representative_cases() -> list[Case]:
    """The first case of each class: what the test suite runs."""
    chosen: dict[str, Case] = {}
    for case in all_cases():
        chosen.setdefault(case.group, case)
    return list(chosen.values())


def figures(outcomes: list[Outcome]) -> dict[str, int]:
    counts = {"cases": len(outcomes)}
    counts.update({problem: sum(problem in o.problems for o in outcomes) for problem in PROBLEMS})
    return counts


def describe(outcome: Outcome) -> str:
    """One line a problem, for assertion messages and the campaign's listing."""
    return "; ".join(f"{problem}: {detail}" for problem, detail in outcome.problems.items())


__all__ = ["Case", "Outcome", "all_cases", "describe", "figures", "remove_tree", "representative_cases", "run_case"]
