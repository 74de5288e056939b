"""Import every module of the repository's packages in the target environment, and record which
fail and why (``--import-smoke --python PYTHON``; executes the repository's code).

A missing dependency, a module that reads a setting at import time, or a syntax only a newer
Python accepts breaks ``import app.x`` in production while the tests, which import other modules
or mock the dependency, stay green. The modules come from the ``import_graph`` fact (the package
chain of each product file, no test code, no stand-alone script); they are imported one after the
other by one child process of ``--python``, started in the repository with the folders above
its packages on ``PYTHONPATH`` and bytecode writing off. The child reports each module as it
starts and ends it; a module that hangs past the timeout, or kills the child (``sys.exit`` at
import, a crash), is recorded as such and a new child goes on with the rest.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gonogo.collectors.import_graph import ImportGraphs
from gonogo.options import ScanOptions
from gonogo.registry import CannotTell, collector
from gonogo.workspace import SourceFile

NOT_RUN = "modules not imported; run with --import-smoke --python PYTHON"
MODULE_TIMEOUT_SECONDS = 30.0
"""One module's import: far more than a healthy import takes."""
ERROR_CHARS = 300

_CHILD = r"""
import importlib, json, sys, traceback
for name in sys.argv[1:]:
    print(json.dumps(["start", name]), flush=True)
    try:
        importlib.import_module(name)
    except BaseException as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1:]
        at = f" ({where[0].filename}:{where[0].lineno})" if where else ""
        print(json.dumps(["fail", name, f"{type(exc).__name__}: {exc}"[:300] + at]), flush=True)
    else:
        print(json.dumps(["ok", name]), flush=True)
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportFailure:
    module: str
    file: SourceFile
    error: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportSmoke:
    python: str
    modules: int
    """Modules tried."""
    failures: tuple[ImportFailure, ...]
    problem: str | None = None
    """Why the smoke could not run at all (the interpreter is missing)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportSmokes:
    runs: tuple[ImportSmoke, ...]


@collector("import_smoke")
def import_smoke(import_graph: ImportGraphs, options: ScanOptions) -> ImportSmokes:
    if not options.import_smoke:
        raise CannotTell(NOT_RUN)
    from gonogo.probes.tests_runner import default_python  # deferred: the test runner's module, for --import-smoke only

    python = options.python or default_python()
    runs = []
    for graph in import_graph.graphs:
        modules = {name: source for name, source in graph.modules.items() if _in_package(name, source)}
        if modules:
            runs.append(smoke(python, modules, MODULE_TIMEOUT_SECONDS))
    return ImportSmokes(runs=tuple(runs))


_NOT_SHIPPED = frozenset({"examples", "example", "docs", "doc", "samples", "sample"})


def _in_package(name: str, source: SourceFile) -> bool:
    """A module of a shipped package (``pkg.mod``, ``pkg/__init__.py``); not a loose script, a
    package's ``__main__`` or Alembic's ``env.py`` (importing them runs them: they are entry
    points), nor an example or a documentation snippet."""
    folders = source.relpath.split("/")[:-1]
    if _NOT_SHIPPED & set(folders) or source.name == "__main__.py":
        return False
    if source.name == "env.py" and folders and ("alembic" in folders[-1] or "migrations" in folders[-1]):
        return False
    return "." in name or source.name == "__init__.py"


def smoke(python: str, modules: dict[str, SourceFile], timeout_s: float) -> ImportSmoke:
    """Import ``modules`` with ``python``; each one that fails, with its error."""
    first = next(iter(modules.values()))
    root = first.root
    failures: list[ImportFailure] = []
    pending = sorted(modules)
    env = _env(root, modules)
    while pending:
        outcome = _child(python, pending, root, env, timeout_s)
        if isinstance(outcome, str):
            return ImportSmoke(python=python, modules=len(modules), failures=tuple(failures), problem=outcome)
        finished, broken = outcome
        if not finished and broken is None:
            return ImportSmoke(python=python, modules=len(modules), failures=tuple(failures),
                               problem=f"{python} imported nothing within {timeout_s:.0f}s of starting")
        prefix = f"{root}{os.sep}"  # the repository's files named as the report names them
        failures.extend(ImportFailure(module=m, file=modules[m], error=e.replace(prefix, ""))
                        for m, e in finished if e is not None)
        done = {m for m, _ in finished}
        if broken is not None:
            failures.append(ImportFailure(module=broken[0], file=modules[broken[0]],
                                          error=broken[1].replace(prefix, "")))
            done.add(broken[0])
        if not done:
            break  # the child did not start a single module: going round again would loop
        pending = [m for m in pending if m not in done]
    return ImportSmoke(python=python, modules=len(modules), failures=tuple(sorted(failures, key=lambda f: f.module)))


def _env(root: Path, modules: dict[str, SourceFile]) -> dict[str, str]:
    """The user's environment, with the folders above the packages importable and no bytecode
    written into the repository."""
    bases = sorted({str(root / base) for base in _bases(modules)})
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [*bases, env.get("PYTHONPATH")]))
    return env


def _bases(modules: dict[str, SourceFile]) -> Iterator[str]:
    for name, source in modules.items():
        depth = name.count(".") + (1 if source.name == "__init__.py" else 0)
        parts = source.relpath.split("/")[:-1]
        yield "/".join(parts[: len(parts) - depth]) or "."


_Outcome = tuple[list[tuple[str, str | None]], tuple[str, str] | None]


def _child(python: str, modules: Sequence[str], root: Path, env: dict[str, str], timeout_s: float) -> _Outcome | str:
    """Run one child over ``modules``: (finished modules with their error or ``None``, the module
    that hung or killed the child with why), or a string when the child cannot start."""
    with tempfile.TemporaryFile("w+") as stderr:  # a file, so a chatty import cannot fill a pipe
        try:
            process = subprocess.Popen(
                [python, "-c", _CHILD, *modules], cwd=root, stdout=subprocess.PIPE, stderr=stderr,
                stdin=subprocess.DEVNULL, env=env, start_new_session=True, text=True,
            )
        except OSError as exc:
            return f"interpreter {python!r} could not start: {exc.strerror or exc}"
        return _follow(process, stderr, timeout_s)


def _follow(process: subprocess.Popen[str], stderr: IO[str], timeout_s: float) -> _Outcome:
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(process, lines), daemon=True).start()
    finished: list[tuple[str, str | None]] = []
    current: str | None = None
    started = time.monotonic()
    while True:
        try:
            line = lines.get(timeout=max(0.0, started + timeout_s - time.monotonic()))
        except queue.Empty:
            _kill_group(process)
            return finished, (current, f"import did not finish within {timeout_s:.0f}s") if current else None
        if line is None:
            code = process.wait()
            if current is not None:
                return finished, (current, _died(code, stderr))
            return finished, None
        event = _event(line)
        if event is None:
            continue
        if event[0] == "start":
            current, started = event[1], time.monotonic()
        elif event[1] == current:
            finished.append((current, event[2] if event[0] == "fail" else None))
            current = None


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    for line in process.stdout or ():
        lines.put(line)
    lines.put(None)


def _event(line: str) -> list[str] | None:
    """One protocol line of the child; anything the imported code printed itself is skipped."""
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if isinstance(event, list) and len(event) >= 2 and event[0] in ("start", "ok", "fail") and all(
        isinstance(item, str) for item in event
    ):
        return event if event[0] != "fail" or len(event) == 3 else None
    return None


def _died(code: int, stderr: IO[str]) -> str:
    stderr.seek(0)
    last = (stderr.read().strip().splitlines() or [""])[-1][:ERROR_CHARS]
    how = f"killed by signal {-code}" if code < 0 else f"exited with code {code}"
    return f"the interpreter {how} while importing it" + (f": {last}" if last else "")


def _kill_group(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()
