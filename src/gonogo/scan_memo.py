"""A scan whose every input is unchanged gives the report it gave before, without running again.

A warm scan of an unchanged tree used to rebuild every fact from the cache and run every check:
a second or more on a large repository, on every commit of a CI pipeline that changed nothing
gonogo reads. Checks are pure (facts in, findings out), and facts come only from the inputs listed
here, so when none of them changed the report cannot change either, bar its clock fields.

The inputs, in two parts:

- *what was asked* (:func:`ask_of`): the roots, the configuration, the switches that change what
  a scan finds. It names the memo's one entry, so each question keeps only its latest answer.
- *what was there* (:func:`inputs_of`): every listed file's status (size, mtime, ctime, inode,
  device, as the stat index trusts it) and every entry the walk skipped, each root's git commit
  (the plan's owners come from ``git log``), the day (waivers expire and advisories age by it), the
  vulnerability index, ruff, the baseline file, the interpreter and the folders it imports from
  (an installed or removed distribution changes which imports are declared), ``PATH`` and its
  folders (which other interpreters judge the syntax), and gonogo's ``GONOGO_*`` settings.

The code that judged is the third input: the entry stores the status of every module file loaded
when it was made, and of every file in gonogo's package (its data files too), and is reused only
while all of them still have it. A scan that does live work (runs the tests, imports the code,
probes services, asks the network) is never reused: its inputs are not all on disk.

A file edited twice within one timestamp tick can keep its status; like the stat index
(``gonogo.cache``), no entry is stored while any input changed less than
:data:`~gonogo.cache.RACY_MARGIN_NS` before, so such an edit is always seen.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import gonogo
from gonogo.cache import RACY_MARGIN_NS, FactCache, Signature, dumps, loads, signature_of
from gonogo.config import Config
from gonogo.model import Report
from gonogo.options import ScanOptions
from gonogo.ruff_binary import find_ruff
from gonogo.vulndb.location import default_path
from gonogo.workspace import Workspace

MEMO_VERSION = 2
"""Part of every question: bump when what a scan depends on changes in a way the inputs miss."""
LIVE_WORK = ("run_tests", "import_smoke", "probe", "online_vulns", "outdated")
"""Switches that make a scan read the world as it is now, not files: such a scan is never reused."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Memo:
    """A stored answer: the report, and the status its code files had when it was made. The
    report is kept pickled apart (``cache.dumps``), and loaded only when the inputs and the code
    match: a scan after an edit asks for the memo too, and loading a large tree's report (thousands
    of findings) to find that a file changed cost it a tenth of a second."""

    inputs: str
    code: tuple[tuple[str, Signature], ...]
    report: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """One scan's question and what was there, and the cache its answer is kept in."""

    folder: Path
    ask: str
    inputs: str


def look_up(
    paths: Sequence[Path], workspace: Workspace, commits: Iterable[str | None], config: Config, options: ScanOptions
) -> tuple[Question | None, Report | None]:
    """The scan's question (``None``: never reused) and, when no input changed, the stored report
    (never when ``options.reuse`` is off: the scan then runs in full and its report is kept)."""
    ask = ask_of(paths, config, options)
    if ask is None or workspace.cache_folder is None:
        return None, None
    question = Question(folder=workspace.cache_folder, ask=ask, inputs=inputs_of(workspace, commits, options))
    if not options.reuse:
        return question, None
    cache = FactCache(question.folder)
    try:
        return question, recall(cache, question.ask, question.inputs)
    finally:
        cache.close()


def keep(question: Question, workspace: Workspace, report: Report) -> None:
    """Keep ``report`` as the answer to ``question`` (see :func:`remember`)."""
    cache = FactCache(question.folder)
    try:
        remember(cache, question.ask, question.inputs, workspace, report)
    finally:
        cache.close()


def ask_of(roots: Sequence[Path], config: Config, options: ScanOptions) -> str | None:
    """The question's key, or ``None`` when the scan does live work or runs without a cache."""
    if not options.use_cache or any(getattr(options, name) for name in LIVE_WORK):
        return None
    return _digest({
        "memo": MEMO_VERSION,
        "version": gonogo.__version__,
        "roots": [str(p.resolve()) for p in roots],
        "given": [str(p) for p in roots],  # the plan's commands name the roots as they were given
        "config": config.model_dump(mode="json"),
        "config_file": [config.source, config.base_dir, list(config.notes)],
        "baseline": [options.baseline, options.ignore_baseline],
    })


def inputs_of(workspace: Workspace, commits: Iterable[str | None], options: ScanOptions) -> str:
    """The key of what was there; see the module's docstring for each part."""
    return _digest({
        "tree": workspace.listing_digest(),
        "commits": list(commits),
        "today": options.today.isoformat(),
        "files": [(str(p), _status(p)) for p in _outside_files(options)],
        # sys.path[0] is where gonogo was started from (the script's folder; the working folder
        # under ``python -m``), not where distributions are installed: its status moves with any
        # file written there (a report, an editor's swap file), and every scan would be a miss
        "python": [sys.version, sys.executable, [(d, _status(Path(d))) for d in sys.path[1:]]],
        "PATH": [(d, _status(Path(d))) for d in os.environ.get("PATH", "").split(os.pathsep)],
        "settings": sorted((k, v) for k, v in os.environ.items() if k.startswith("GONOGO_")),
    })


def recall(cache: FactCache, ask: str, inputs: str) -> Report | None:
    """The stored report for this question, when it was made from these inputs by this code."""
    memo = cache.memo_of(ask)
    if not isinstance(memo, Memo) or memo.inputs != inputs:
        return None
    if any(_status(Path(path)) != signature for path, signature in memo.code):
        return None
    try:
        report = loads(memo.report)
    except Exception:  # a damaged entry: a miss, as memo_of takes one
        return None
    return report if isinstance(report, Report) else None


def remember(cache: FactCache, ask: str, inputs: str, workspace: Workspace, report: Report) -> None:
    """Store the report as this question's answer, unless an input changed too recently to trust
    its status (see the module's docstring)."""
    code = _code_files()
    cutoff = time.time_ns() - RACY_MARGIN_NS
    if workspace.newest_change_ns() >= cutoff or any(max(s[1], s[2]) >= cutoff for _, s in code):
        return
    cache.keep_memo(ask, Memo(inputs=inputs, code=code, report=dumps(report)))


def _code_files() -> tuple[tuple[str, Signature], ...]:
    """Every module file loaded now, and every file of gonogo's own package, with its status."""
    paths = {getattr(module, "__file__", None) for module in list(sys.modules.values())}
    package = Path(gonogo.__file__).parent
    paths.update(str(p) for p in package.rglob("*") if "__pycache__" not in p.parts and p.is_file())
    found = []
    for path in sorted(p for p in paths if isinstance(p, str)):
        status = _status(Path(path))
        if status is not None:
            found.append((path, status))
    return tuple(found)


def _outside_files(options: ScanOptions) -> list[Path]:
    """Files outside the tree a scan reads: the vulnerability index, ruff, an explicit baseline."""
    files = [Path(options.vulndb_path) if options.vulndb_path else default_path()]
    ruff = find_ruff()
    if ruff:
        files.append(Path(ruff))
    if options.baseline:
        files.append(Path(options.baseline))
    return files


def _status(path: Path) -> Signature | None:
    try:
        return signature_of(path.stat())
    except (OSError, ValueError):
        return None


def _digest(parts: object) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()
