"""Run a repository's pytest suite in a subprocess and read back what happened.

Opt-in only (``--run-tests``): this executes the repository's code, with the interpreter the user
names (a virtualenv they prepared), never ours. The run writes JUnit XML and coverage.py data into
a temporary folder, not into the repository (no ``.pytest_cache``, no ``.coverage``, no bytecode),
has a time limit after which its whole process group is killed, and every way it can go wrong (an
interpreter that does not exist, pytest missing, a collection error, a crash, a timeout, broken
JUnit XML, broken coverage JSON) becomes evidence in the result rather than an exception.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET  # gonogo: ignore[SEC007] types and ParseError only; parsing is defusedxml's
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from gonogo.probes.worktree import TreeChanges, changes_since, snapshot

MAX_REPORT_BYTES = 64 * 1024 * 1024
SCRATCH_PLUGIN = Path(__file__).parent.parent / "data" / "gonogo_scratch_plugin.py"
OUTPUT_TAIL_CHARS = 4000

EXIT_MEANINGS = {
    0: "all tests passed",
    1: "some tests failed",
    2: "the run was interrupted (collection errors or an abort)",
    3: "pytest hit an internal error",
    4: "pytest was called wrongly (usage error)",
    5: "no tests were collected",
}


class ReportError(Exception):
    """A JUnit XML or coverage JSON file that could not be read; the message says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseResult:
    """One test case as the JUnit XML reports it."""

    nodeid: str
    outcome: str
    """``passed``, ``failed``, ``error``, ``skipped`` or ``collection`` (a file that would not import)."""
    file: str | None = None
    line: int | None = None
    seconds: float = 0.0
    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageCoverage:
    package: str
    statements: int
    covered: int
    branches: int
    covered_branches: int

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.statements if self.statements else 100.0

    @property
    def branch_percent(self) -> float | None:
        return 100.0 * self.covered_branches / self.branches if self.branches else None


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageSummary:
    percent: float
    """coverage.py's own total (lines, and branches when measured)."""
    line_percent: float
    branch_percent: float | None
    packages: tuple[PackageCoverage, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TestRun:
    """What one run of the suite showed."""

    __test__ = False  # not a pytest test class, whatever its name

    root: str
    python: str
    command: str
    exit_code: int | None
    seconds: float
    cases: tuple[CaseResult, ...] = ()
    timed_out: bool = False
    timeout_s: float | None = None
    problem: str | None = None
    """Why the suite could not run or be read (no interpreter, no pytest, broken JUnit XML)."""
    coverage: CoverageSummary | None = None
    coverage_problem: str | None = None
    output_tail: str = ""
    tree_changes: TreeChanges | None = None
    """What the run created, changed or removed in the repository; None when not compared."""

    def count(self, outcome: str) -> int:
        return sum(case.outcome == outcome for case in self.cases)

    @property
    def evidence(self) -> str:
        code = "killed at the time limit" if self.timed_out else f"exit code {self.exit_code}"
        meaning = "" if self.timed_out else EXIT_MEANINGS.get(self.exit_code or 0, "")
        if self.exit_code is not None and self.exit_code < 0:
            meaning = f"killed by signal {-self.exit_code}"
        return f"{self.command} (in {self.root}) -> {code}{f': {meaning}' if meaning else ''}"


def default_python() -> str:
    """The interpreter on PATH, as the user's shell would find it."""
    return shutil.which("python") or shutil.which("python3") or "python3"


def run_suite(root: Path, python: str | None = None, timeout_s: float = 600.0) -> TestRun:
    python = python or default_python()
    found = shutil.which(python) or (python if Path(python).is_file() else None)
    # absolute, because the suite runs with the repository as its working directory
    resolved = os.path.abspath(found) if found and os.sep in found else found
    base = TestRun(root=str(root), python=python, command=f"{python} -m pytest", exit_code=None, seconds=0.0)
    if resolved is None:
        return replace(base, problem=f"interpreter {python!r} not found")
    before = snapshot(root)
    with tempfile.TemporaryDirectory(prefix="gonogo-tests-") as tmp:
        scratch = Path(tmp)
        env = _env(scratch, _install_scratch_plugin(scratch))
        missing = _unimportable(resolved, ("pytest", "coverage", SCRATCH_PLUGIN.stem), root, env)
        if "pytest" in missing:
            return replace(
                base,
                problem=f"pytest cannot be imported by {python} ({missing['pytest']}); install it there: "
                f"{shlex.quote(python)} -m pip install pytest",
            )
        # a wrapper interpreter that replaces PYTHONPATH cannot load our plugin: run without it
        # rather than not at all; whatever then lands in the repository, RUN005 reports
        extra = () if SCRATCH_PLUGIN.stem in missing else ("-p", SCRATCH_PLUGIN.stem)
        run = _run(root, python, resolved, scratch, env, timeout_s, "coverage" not in missing, extra)
    return replace(run, tree_changes=changes_since(root, before))


_IMPORT_PROBE = """
import importlib, json, sys
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(failed))
"""


def _unimportable(python: str, modules: tuple[str, ...], cwd: Path, env: dict[str, str]) -> dict[str, str]:
    """Which of ``modules`` the interpreter cannot import, and why: one subprocess for all."""
    try:
        done = subprocess.run(
            [python, "-c", _IMPORT_PROBE, *modules],
            cwd=cwd, capture_output=True, text=True, timeout=60, check=False, env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return dict.fromkeys(modules, f"{type(exc).__name__}: {exc}")
    try:
        failed = json.loads((done.stdout.strip().splitlines() or [""])[-1])
    except ValueError:
        failed = None
    if not isinstance(failed, dict):
        why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return dict.fromkeys(modules, why)
    return {str(name): str(why) for name, why in failed.items()}


def _env(scratch: Path, plugins: Path) -> dict[str, str]:
    """The suite's environment: the user's, with every place a run keeps state moved to scratch
    and the folder holding our scratch plugin importable."""
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(plugins), env.get("PYTHONPATH")]))
    env["GONOGO_SCRATCH"] = str(scratch)
    env["COVERAGE_FILE"] = str(scratch / ".coverage")
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(scratch / "hypothesis")
    return env


def _install_scratch_plugin(scratch: Path) -> Path:
    """Copy our pytest plugin where the suite's interpreter can import it without gonogo installed."""
    folder = scratch / "plugins"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(SCRATCH_PLUGIN, folder / SCRATCH_PLUGIN.name)
    return folder


def _run(
    root: Path, python: str, resolved: str, tmp: Path, env: dict[str, str], timeout_s: float,
    has_coverage: bool, extra: tuple[str, ...],
) -> TestRun:
    junit = tmp / "junit.xml"
    pytest_args = [
        "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={junit}",
        "-o", "junit_family=xunit1", "-o", "junit_logging=no", "-q", "--color=no",
    ]
    source = [] if _has_coverage_config(root) else ["--source=."]
    runner = ["-m", "coverage", "run", "--branch", *source] if has_coverage else []
    shown = " ".join(shlex.quote(a) for a in [python, *runner, *pytest_args]).replace(str(junit), "junit.xml")
    # our scratch plugin exists only inside this run, so the command shown for re-running leaves it out
    argv = [resolved, *runner, *pytest_args, *extra]
    output = tmp / "output.txt"
    started = time.perf_counter()
    timed_out = False
    with open(output, "wb") as sink:
        try:
            process = subprocess.Popen(
                argv, cwd=root, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=env, start_new_session=True,
            )
        except OSError as exc:
            return TestRun(
                root=str(root), python=python, command=shown, exit_code=None, seconds=0.0,
                problem=f"could not start: {exc.strerror or exc}",
            )
        try:
            code: int | None = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(process)
            code = None
    seconds = round(time.perf_counter() - started, 3)
    tail = _tail(output)
    cases: tuple[CaseResult, ...] = ()
    problem = None
    try:
        cases = parse_junit(junit.read_bytes()) if junit.is_file() else ()
    except (ReportError, OSError) as exc:
        problem = f"JUnit XML unreadable: {exc}"
    if not junit.is_file() and not timed_out:
        problem = "pytest wrote no JUnit XML (it crashed before reporting); see the output"
    coverage, coverage_problem = _coverage(root, resolved, tmp, env, has_coverage, python, timed_out)
    return TestRun(
        root=str(root), python=python, command=shown, exit_code=code, seconds=seconds, cases=cases,
        timed_out=timed_out, timeout_s=timeout_s, problem=problem, coverage=coverage,
        coverage_problem=coverage_problem, output_tail=tail,
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - OUTPUT_TAIL_CHARS))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _has_coverage_config(root: Path) -> bool:
    """The repository configures coverage.py itself: respect its ``source`` and ``omit``."""
    if (root / ".coveragerc").is_file():
        return True
    for name, marker in (("setup.cfg", "[coverage:"), ("tox.ini", "[coverage:"), ("pyproject.toml", "[tool.coverage")):
        try:
            if marker in (root / name).read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:
            continue
    return False


def _coverage(
    root: Path, resolved: str, tmp: Path, env: dict[str, str], has_coverage: bool, python: str,
    timed_out: bool,
) -> tuple[CoverageSummary | None, str | None]:
    if not has_coverage:
        return None, (
            f"coverage.py is not installed in {python}; install it there to measure coverage: "
            f"{shlex.quote(python)} -m pip install coverage"
        )
    if timed_out:
        return None, "the suite was killed at the time limit, so no coverage data was saved"
    report = tmp / "coverage.json"
    try:
        done = subprocess.run(
            [resolved, "-m", "coverage", "json", "--ignore-errors", "-q", "-o", str(report)],
            cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"coverage json failed: {type(exc).__name__}: {exc}"
    if done.returncode != 0 or not report.is_file():
        why = " ".join((done.stdout + done.stderr).split())[:300] or f"exit code {done.returncode}"
        return None, f"coverage json failed: {why}"
    try:
        return parse_coverage_json(report.read_bytes()), None
    except (ReportError, OSError) as exc:
        return None, f"coverage JSON unreadable: {exc}"


def parse_junit(data: bytes) -> tuple[CaseResult, ...]:
    """Test cases from pytest's JUnit XML (``xunit1``, which carries file and line)."""
    if len(data) > MAX_REPORT_BYTES:
        raise ReportError(f"{len(data):,} bytes is over the {MAX_REPORT_BYTES:,}-byte limit")
    try:
        # defusedxml refuses DTDs and entities: pytest never writes them, a hostile suite might
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ReportError(f"refused: {type(exc).__name__} ({exc}); pytest never writes a DTD") from exc
    except ET.ParseError as exc:
        raise ReportError(f"not well-formed XML: {exc}") from exc
    if root.tag not in ("testsuites", "testsuite"):
        raise ReportError(f"root element is <{root.tag}>, not <testsuites> or <testsuite>")
    return tuple(_case(element) for element in root.iter("testcase"))


def _case(element: ET.Element) -> CaseResult:
    classname = element.get("classname", "")
    name = element.get("name", "")
    outcome, message = "passed", ""
    for child in element:
        if child.tag in ("failure", "error", "skipped"):
            message = " ".join((child.get("message") or child.text or "").split())[:500]
            outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
            if child.tag == "error" and message == "collection failure":
                outcome = "collection"
            break
    file = element.get("file") or None
    line_text = element.get("line")
    line = int(line_text) + 1 if line_text and line_text.isdigit() else None  # xunit1 is 0-based
    try:
        seconds = max(0.0, float(element.get("time", "0") or 0))
    except ValueError:
        seconds = 0.0
    if outcome == "collection" and not file:
        file = name.replace(".", "/") + ".py" if name else None
    nodeid = f"{classname}::{name}" if classname else name
    return CaseResult(nodeid=nodeid, outcome=outcome, file=file, line=line, seconds=seconds, message=message)


def parse_coverage_json(data: bytes) -> CoverageSummary:
    """Totals and per-package figures from ``coverage json`` output."""
    if len(data) > MAX_REPORT_BYTES:
        raise ReportError(f"{len(data):,} bytes is over the {MAX_REPORT_BYTES:,}-byte limit")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ReportError(f"not valid JSON: {exc}") from exc
    totals = doc.get("totals") if isinstance(doc, dict) else None
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(totals, dict) or not isinstance(files, dict):
        raise ReportError("no 'totals' and 'files' objects: not coverage.py JSON")
    statements = _int(totals, "num_statements")
    covered = _int(totals, "covered_lines")
    branches = _int(totals, "num_branches")
    covered_branches = _int(totals, "covered_branches")
    percent = totals.get("percent_covered")
    if not isinstance(percent, int | float) or isinstance(percent, bool) or not 0 <= percent <= 100:
        raise ReportError(f"totals.percent_covered is {percent!r}, not a number from 0 to 100")
    per_package: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for path, entry in files.items():
        summary = entry.get("summary") if isinstance(entry, dict) else None
        if not isinstance(summary, dict):
            raise ReportError(f"file {path!r} has no summary")
        package = str(path).replace("\\", "/").rpartition("/")[0] or "."
        figures = per_package[package]
        figures[0] += _int(summary, "num_statements")
        figures[1] += _int(summary, "covered_lines")
        figures[2] += _int(summary, "num_branches")
        figures[3] += _int(summary, "covered_branches")
    packages = tuple(
        PackageCoverage(package=name, statements=s, covered=c, branches=b, covered_branches=cb)
        for name, (s, c, b, cb) in sorted(per_package.items())
    )
    return CoverageSummary(
        percent=round(float(percent), 2),
        line_percent=round(100.0 * covered / statements, 2) if statements else 100.0,
        branch_percent=round(100.0 * covered_branches / branches, 2) if branches else None,
        packages=packages,
    )


def _int(mapping: dict[str, Any], key: str) -> int:
    value = mapping.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ReportError(f"{key} is {value!r}, not a count")
    return value
