"""The ``sast`` fact: insecure code patterns in the workspace's Python files, with bandit's levels.

The engine is ruff's flake8-bandit rules (``S``), run as a subprocess on the files the workspace
lists, with ``--isolated`` so the scanned repository's own ruff settings (which may switch rules
off) are never read, and ``--ignore-noqa`` so an in-code ``# noqa`` cannot hide a finding: it is
recorded as the reason the finding is suppressed instead, and stays visible. Ruff has no severity
or confidence; ``data/bandit_rules.json`` gives each rule the levels and CWE bandit documents for
the same test. ``sql_strings`` adds SQL built from strings and passed to ``execute()``; it and
``dict_passwords`` run in the one per-file pass of the ``python`` fact, so no file is parsed here.
Ruff's diagnostics are cached per file, by the content hash the ``python`` fact keys the file's
facts by, ruff's version and its arguments: an unchanged file is not given to ruff again. Ruff
runs in the ``ruff`` fact, a background collector (``registry.background``): it starts as soon as
the ``python`` fact is built, and the checks before the first SAST one run while it works.

A missing ruff is ``CannotTell``: security is then unknown, never clean. A file that makes ruff
fail (a crash, a stack overflow on a 200,000-term expression, a hang) must not hide the other
files' findings: a failing batch of files is split in halves until the files that fail alone are
found; those are reported by name (``GNG000``) and every other file is scanned. Only when the
whole time budget is spent does the scan become ``CannotTell``.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import tokenize
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from gonogo.cache import FactCache, cache_folder, content_digest
from gonogo.collectors.hash_use import HASH_USE_VERSION, HashUse, Place, uses_at
from gonogo.collectors.python import PythonFacts, PythonFile
from gonogo.collectors.sql_strings import SqlSink
from gonogo.collectors.testpaths import is_test_path
from gonogo.model import Severity
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.parallel import FileJob, LineStore, map_files_cached, paired_with
from gonogo.redaction import redact_repeated
from gonogo.registry import CannotTell, background, collector
from gonogo.ruff_binary import find_ruff
from gonogo.suppressions import comment_part
from gonogo.timings import SAST
from gonogo.workspace import SourceFile, Workspace

RUFF_TIMEOUT_SECONDS = 600
"""The whole budget for ruff over a tree, retries of failing batches included."""
RUFF_CALL_TIMEOUT_SECONDS = 60
"""One ruff call: far more than any batch of real files takes, so a call past it is a file's fault."""
UNSCANNED_RULE = "GNG000"
CHUNK_CHARS = 60_000
"""Paths per ruff call, by total length: far below any platform's command-line limit."""
RUFF_ARGS = (
    "check", "--select", "S", "--preview", "--output-format", "json", "--no-cache",
    "--isolated", "--ignore-noqa", "--exit-zero", "--quiet",
)
"""``--preview`` turns on the import rules (S401-S415) that bandit's B4xx tests have too."""
RUFF_TEST_ARGS_VERSION = 1
"""Part of a test file's cache namespace: bump when which rules test code is scanned for changes."""
RUFF_CACHE_VERSION = 2
"""Bump when what is kept of a diagnostic (:data:`Diagnostic`) changes."""
OWN_SQL_RULE = "GNG608"
OWN_DICT_PASSWORD_RULE = "GNG105"
HASH_RULES = frozenset({"S324", "S303"})
"""Weak-hash rules whose findings depend on the use (a password digest or an ETag)."""
EVIDENCE_CHARS = 160

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.I)
NOSEC = re.compile(r"#\s*nosec\b(?::?\s*(?P<ids>B\d{3}(?:[\s,]+B\d{3})*))?", re.I)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One SAST rule's levels: bandit's test id, severity, confidence, CWE; the check reporting it
    as the rule table names it, ``None`` for a rule the table does not know (the checks decide
    which of them reports those)."""

    code: str
    name: str
    bandit: str | None
    severity: Severity
    confidence: str
    cwe: int | None
    check: str | None
    product_only: bool
    variants: tuple[dict[str, str], ...] = ()

    def levels(self, message: str, line: str) -> tuple[Severity, str]:
        """Severity and confidence for one hit: a variant may refine them by message or line."""
        for variant in self.variants:
            if "message" in variant and not re.search(variant["message"], message):
                continue
            if "line" in variant and not re.search(variant["line"], line):
                continue
            return (
                Severity(variant.get("severity", self.severity.value)),
                variant.get("confidence", self.confidence),
            )
        return self.severity, self.confidence


@dataclass(frozen=True, slots=True, kw_only=True)
class SastHit:
    rule: Rule
    severity: Severity
    confidence: str
    message: str
    path: str
    line: int
    column: int | None
    end_line: int | None
    evidence: str
    in_test_code: bool
    suppressed_by: str | None = None
    """The ``# noqa`` or ``# nosec`` comment that silences this hit in the code, if any."""
    hash_use: HashUse | None = None
    """For a weak-hash rule: what the code around the call says the hash is for."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SastFacts:
    hits: tuple[SastHit, ...]
    files: int
    """Hits of product-only rules (``assert``, test passwords) dropped from test code, by rule."""
    unparsable: int = 0
    tool: str = ""
    unscanned: tuple[tuple[str, str], ...] = ()
    """(path, why) of the files ruff failed on alone, found by splitting failing batches."""


@cache
def load_rules() -> dict[str, Rule]:
    raw = json.loads(resources.files("gonogo").joinpath("data/bandit_rules.json").read_text("utf-8"))
    return {code: _rule(code, entry) for code, entry in raw["rules"].items()}


def _rule(code: str, entry: dict[str, Any]) -> Rule:
    return Rule(
        code=code,
        name=entry["name"],
        bandit=entry.get("bandit"),
        severity=Severity(entry["severity"]),
        confidence=entry["confidence"],
        cwe=entry.get("cwe"),
        check=entry["check"],
        product_only=bool(entry.get("product_only")),
        variants=tuple(entry.get("variants", ())),
    )


def rule_for(code: str) -> Rule:
    """A rule ruff added after our table was written still reports, at medium levels."""
    known = load_rules().get(code)
    if known is not None:
        return known
    return Rule(
        code=code, name=code, bandit=None, severity=Severity.MEDIUM, confidence="medium", cwe=None,
        check=None, product_only=False,
    )


Diagnostic = tuple[str, str, int | None, int | None, int | None, int | None]
"""What the collector reads of one of ruff's diagnostics: code (empty for a syntax error), message,
row, column, end row, and the row a ``# noqa`` for it would sit on. A tuple, not ruff's JSON
object: a warm scan loads tens of thousands of them from the cache."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RuffDiagnostics:
    """Ruff's diagnostics of every Python file, by absolute path in the workspace's order, with the
    files ruff failed on alone (path, why); what the ``sast`` fact is made from."""

    version: str = ""
    diagnostics: dict[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    failures: tuple[tuple[str, str], ...] = ()
    cache_problem: str | None = None
    """Why the fact cache could not be used, for ``sast`` to note in the scan's thread."""


@collector("ruff")
@background
def ruff_diagnostics(workspace: Workspace, python: PythonFacts, options: ScanOptions) -> RuffDiagnostics:
    """Ruff over the Python files the cache does not know. A background collector: it reads the
    workspace's file list, the ``python`` fact and the options, and records nothing itself
    (``sast`` notes ruff's version and a cache problem), so it may run in a thread of its own."""
    sources = workspace.by_suffix(".py")
    if not sources:
        return RuffDiagnostics()
    ruff = find_ruff()
    if ruff is None:
        raise CannotTell("ruff is not installed, so the code was not scanned (pip install ruff)")
    version = _ruff_version(ruff)
    by_path = {str(source.abspath): source for source in sources}
    parsed = python.by_file()
    keys = {path: parsed[source].content_key for path, source in by_path.items() if source in parsed}
    tests = frozenset(path for path, source in by_path.items() if is_test_path(source.relpath))
    diagnostics, failures, problem = run_ruff_cached(ruff, version, list(by_path), keys, options, tests)
    return RuffDiagnostics(version=version, diagnostics=diagnostics, failures=tuple(failures), cache_problem=problem)


@collector("sast")
def sast(
    workspace: Workspace, python: PythonFacts, ruff: RuffDiagnostics, notes: Notes, options: ScanOptions
) -> SastFacts:
    sources = workspace.by_suffix(".py")
    if not sources:
        return SastFacts(hits=(), files=0)
    notes.record_version("ruff", ruff.version)
    workspace.cache_problem(ruff.cache_problem)
    version, diagnostics, failures = ruff.version, ruff.diagnostics, ruff.failures
    by_path = {str(source.abspath): source for source in sources}
    parsed = python.by_file()
    texts = _Texts(workspace)
    hits: list[SastHit] = []
    unparsable = 0
    for path, found in diagnostics.items():
        source = by_path[path]
        in_tests = is_test_path(source.relpath)
        for diagnostic in found:
            code = diagnostic[0]
            if not code:  # a syntax error: the code-health checks report unparsable files
                unparsable += 1
                continue
            if in_tests and rule_for(code).product_only:
                continue  # not asked of ruff for test code (ruff_args); one it reports anyway is left out
            hit = _hit(diagnostic, source, texts)
            if not _extracts_a_zip(hit, source, texts):
                hits.append(hit)
    hits.extend(_unscanned_hit(by_path[path], why) for path, why in failures)
    hits = _merge_sql(hits, sources, parsed, texts)
    hits = [*hits, *_dict_password_hits(hits, sources, parsed, texts)]
    hits = _with_hash_uses(hits, {source.display: source for source in sources}, options, workspace)
    texts.store.save()
    return SastFacts(
        hits=tuple(sorted(hits, key=lambda h: (h.path, h.line, h.rule.code))),
        files=len(sources),
        unparsable=unparsable,
        tool=f"ruff {version}",
        unscanned=tuple((by_path[path].display, why) for path, why in failures),
    )


def run_ruff_cached(
    ruff: str,
    version: str,
    paths: Sequence[str],
    keys: dict[str, str],
    options: ScanOptions,
    tests: frozenset[str] = frozenset(),
) -> tuple[dict[str, tuple[Diagnostic, ...]], list[tuple[str, str]], str | None]:
    """As :func:`run_ruff`, by path (in the order of ``paths``), with each file's diagnostics
    taken from the fact cache when its content (``keys``: path -> content hash) was scanned before
    by the same ruff with the same arguments, and why the cache could not be used, if it could not.
    A file without a key, or one ruff failed on, is always given to ruff. The files in ``tests``
    are test code: ruff is run on them without the product-only rules (see :func:`ruff_args`)."""
    wanted = {path: _namespace(version, path in tests) + key for path, key in keys.items()}
    cache = FactCache(cache_folder(options))
    known = cache.get_many(wanted.values())
    todo = [path for path in paths if wanted.get(path) not in known]
    deadline = time.monotonic() + RUFF_TIMEOUT_SECONDS
    fresh: list[dict[str, Any]] = []
    failures: list[tuple[str, str]] = []
    for in_tests in (False, True):
        group = [path for path in todo if (path in tests) is in_tests]
        if group:
            found, broken = run_ruff(ruff, group, None, ruff_args(in_tests), deadline)
            fresh.extend(found)
            failures.extend(broken)
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in fresh:
        by_file.setdefault(str(diagnostic.get("filename", "")), []).append(_kept(diagnostic))
    failed = {path for path, _ in failures}
    cache.put_many({wanted[p]: tuple(by_file.get(p, ())) for p in todo if p in wanted and p not in failed})
    cache.close()
    diagnostics: dict[str, tuple[Diagnostic, ...]] = {}
    for path in paths:
        stored = known.get(wanted[path]) if path in wanted else None
        diagnostics[path] = stored if isinstance(stored, tuple) else tuple(by_file.get(path, ()))
    return diagnostics, failures, cache.problem


def ruff_args(in_tests: bool) -> tuple[str, ...]:
    """Ruff's arguments for product code, or for test code: there the product-only rules
    (``assert``, test passwords) are not run at all, since their hits would only be dropped; on
    sympy they are 75,000 asserts, 33 MB of JSON to write, read and cache for nothing."""
    if not in_tests:
        return RUFF_ARGS
    return (*RUFF_ARGS, "--ignore", ",".join(product_only_ruff_codes()))


@cache
def product_only_ruff_codes() -> tuple[str, ...]:
    """The ruff rules (not our own ``GNG`` ones) that count in product code only."""
    return tuple(sorted(code for code, rule in load_rules().items() if rule.product_only and code.startswith("S")))


def _namespace(version: str, in_tests: bool) -> str:
    """Where a file's diagnostics are cached: by ruff's version and the arguments it ran with."""
    tests = f"tests{RUFF_TEST_ARGS_VERSION}:" if in_tests else ""
    return f"ruff{RUFF_CACHE_VERSION}:{version}:{' '.join(RUFF_ARGS)}:{tests}"


def _kept(diagnostic: dict[str, Any]) -> Diagnostic:
    location = diagnostic.get("location") or {}
    end = diagnostic.get("end_location") or {}
    return (
        str(diagnostic.get("code") or ""), str(diagnostic.get("message", "")),
        location.get("row"), location.get("column"), end.get("row"), diagnostic.get("noqa_row"),
    )


class RuffFailed(Exception):
    """One ruff call failed: a crash, an exit code that is not 0, unreadable output, a timeout."""


def run_ruff(
    ruff: str,
    paths: Sequence[str],
    progress: Callable[[int], None] | None = None,
    args: tuple[str, ...] = RUFF_ARGS,
    deadline: float | None = None,
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Ruff's JSON diagnostics for ``paths``, chunked, and the (path, why) of every file ruff fails
    on by itself. A failing chunk is split in halves until the failing files are alone, so one
    hostile file costs about log2(chunk) extra calls and hides nothing else; ``CannotTell`` only
    when ruff cannot run at all or the time budget (``deadline``, on ``time.monotonic``) is spent."""
    if deadline is None:
        deadline = time.monotonic() + RUFF_TIMEOUT_SECONDS
    found: list[dict[str, Any]] = []
    failures: list[tuple[str, str]] = []
    pending = [list(chunk) for chunk in _chunks(paths)]
    while pending:
        chunk = pending.pop(0)
        try:
            found.extend(_ruff_once(ruff, chunk, deadline, args))
        except RuffFailed as exc:
            if len(chunk) > 1:
                middle = len(chunk) // 2
                pending[:0] = [chunk[:middle], chunk[middle:]]
                continue
            failures.append((chunk[0], str(exc)))
        if progress is not None:
            progress(len(chunk))
    return found, failures


def _ruff_once(ruff: str, chunk: list[str], deadline: float, args: tuple[str, ...] = RUFF_ARGS) -> list[dict[str, Any]]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise CannotTell(f"ruff ran over {RUFF_TIMEOUT_SECONDS}s in all; code not scanned")
    limit = min(RUFF_CALL_TIMEOUT_SECONDS, remaining)
    try:
        done = subprocess.run(
            [ruff, *args, "--", *chunk], capture_output=True, text=True, timeout=limit, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise RuffFailed(f"ruff ran over {limit:.0f}s") from exc
    except OSError as exc:
        raise CannotTell(f"ruff could not be run: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["no message"])[-1][:300]
        how = f"was killed by signal {-done.returncode}" if done.returncode < 0 else f"exited {done.returncode}"
        raise RuffFailed(f"ruff {how}: {why}")
    try:
        batch = json.loads(done.stdout or "[]")
    except json.JSONDecodeError as exc:
        raise RuffFailed(f"ruff's JSON output could not be read: {exc}") from exc
    if not isinstance(batch, list):
        raise RuffFailed("ruff's JSON output is not a list of diagnostics")
    return [item for item in batch if isinstance(item, dict)]


def _unscanned_hit(source: SourceFile, why: str) -> SastHit:
    """A file ruff fails on, as a finding that names it: its code was not checked."""
    rule = rule_for(UNSCANNED_RULE)
    return SastHit(
        rule=rule,
        severity=rule.severity,
        confidence=rule.confidence,
        message=f"ruff fails on this file by itself ({why}), so its code was not checked; the other "
        "files were",
        path=source.display,
        line=1,
        column=None,
        end_line=None,
        evidence="",
        in_test_code=is_test_path(source.relpath),
    )


class _Texts:
    """Each file's lines, for evidence and in-code suppression comments, through a ``LineStore``
    (a warm scan reads no file for them)."""

    def __init__(self, workspace: Workspace) -> None:
        self.store = LineStore(workspace)

    def line(self, source: SourceFile, number: int | None) -> str:
        return self.store.line(source, number) if number and number > 0 else ""


def _hit(diagnostic: Diagnostic, source: SourceFile, texts: _Texts) -> SastHit:
    code, message, row, column, end_row, noqa_row = diagnostic
    rule = rule_for(code)
    line = int(row or 1)
    text = texts.line(source, line)
    severity, confidence = rule.levels(message, text)
    noqa_row = noqa_row or line
    return SastHit(
        rule=rule,
        severity=severity,
        confidence=confidence,
        message=message,
        path=source.display,
        line=line,
        column=column,
        end_line=end_row,
        evidence=evidence_of(text),
        in_test_code=is_test_path(source.relpath),
        suppressed_by=_in_code_suppression(rule, texts.line(source, noqa_row) or text)
        or _nosec_below(rule, source, texts, line, text),
    )


NOSEC_SPAN = 20
"""Lines of a flagged statement, after its first, read for a ``# nosec``: bandit reads the whole
statement's lines, and a call spread over a few lines carries its comment on the last one."""


def _nosec_below(rule: Rule, source: SourceFile, texts: _Texts, line: int, text: str) -> str | None:
    """A ``# nosec`` on a later line of the statement the hit's line opens (django-allauth's
    ``).hexdigest()  # nosec`` two lines under ``data["sig"] = md5(``, the signature mail.ru's API
    requires), as bandit honours it. Only a line that leaves a bracket open or ends in ``\\`` is
    followed, for at most :data:`NOSEC_SPAN` lines, so most hits read nothing more; where one of
    those lines says ``nosec``, Python's tokenizer says where the statement ends, so a comment of
    the next statement never counts. A ``# noqa`` stays where ruff reads it."""
    depth = _open_brackets(text)
    if not _continues(text, depth):
        return None
    lines = [text]
    for number in range(line + 1, line + NOSEC_SPAN + 1):
        following = texts.line(source, number)
        lines.append(following)
        depth += _open_brackets(following)
        if not _continues(following, depth):
            break
    if not any("nosec" in following.lower() for following in lines[1:]):
        return None
    try:
        for token in tokenize.generate_tokens(iter(f"{following}\n" for following in lines).__next__):
            if token.type == tokenize.NEWLINE:
                return None
            if token.type == tokenize.COMMENT and token.start[0] > 1:
                found = _nosec_for(rule, token.string)
                if found is not None:
                    return found
    except (tokenize.TokenError, SyntaxError):
        return None  # the statement runs past what was read, or the lines are no Python
    return None


def _open_brackets(line: str) -> int:
    """Brackets the code of ``line`` (before any ``#``) opens and does not close (a string's
    brackets count too: a guess that only decides whether the next lines are read)."""
    code = line.split("#", 1)[0]
    return code.count("(") + code.count("[") + code.count("{") - code.count(")") - code.count("]") - code.count("}")


def _continues(line: str, depth: int) -> bool:
    """The statement goes on past ``line``: a bracket is still open, or the line ends in ``\\``."""
    return depth > 0 or line.rstrip().endswith("\\")


ZIP_LOOKBACK = 40
"""How many lines above an ``extractall`` call are read for where its receiver was bound."""
_EXTRACTALL_RECEIVER = re.compile(r"(?:\b(?P<name>[A-Za-z_]\w*)|(?P<zip>\bZipFile\([^()]*\)))\s*\.\s*extractall\s*\(")


def _extracts_a_zip(hit: SastHit, source: SourceFile, texts: _Texts) -> bool:
    """ruff's S202 flags every ``.extractall()`` in a file that imports ``tarfile``, so Poetry's
    ``with zipfile.ZipFile(source) as archive: archive.extractall(dest)`` is reported beside its
    tar branch. zipfile's ``extractall`` never writes outside its target (it drops ``..`` and
    absolute parts of member names), so a call on a ``ZipFile`` is no tar extraction. The receiver
    is a ``ZipFile(...)`` on the same line, or a name whose nearest binding above (``as archive``,
    ``archive = ``), within :data:`ZIP_LOOKBACK` lines, makes a ``ZipFile``; any other binding, or
    none in reach, keeps the finding."""
    if hit.rule.code != "S202":
        return False
    found = _EXTRACTALL_RECEIVER.search(texts.line(source, hit.line))
    if found is None:
        return False
    if found["zip"]:
        return True
    name = re.escape(found["name"])
    binds = re.compile(rf"\bas\s+{name}\b|^\s*{name}\s*(?::[^=]+)?=(?!=)")
    for number in range(hit.line - 1, max(hit.line - ZIP_LOOKBACK, 1) - 1, -1):
        line = texts.line(source, number)
        if binds.search(line):
            return "ZipFile(" in line
    return False


def evidence_of(line: str) -> str:
    """The line as evidence: stripped, any secret on it masked, then cut to size. Remembered
    (``redact_repeated``): the report's redaction pass masks the same evidence again, and finds it
    already done."""
    return redact_repeated(line.strip())[:EVIDENCE_CHARS]


def _in_code_suppression(rule: Rule, line: str) -> str | None:
    line = comment_part(line)
    noqa = NOQA.search(line)
    if noqa and (not noqa.group("codes") or rule.code in re.split(r"[\s,]+", noqa.group("codes").upper())):
        return noqa.group(0).strip()
    return _nosec_for(rule, line)


def _nosec_for(rule: Rule, comment: str) -> str | None:
    """The ``# nosec`` in ``comment`` when it covers ``rule`` (bare, or naming its bandit id)."""
    nosec = NOSEC.search(comment)
    if nosec and (not nosec.group("ids") or (rule.bandit or "") in re.split(r"[\s,]+", nosec.group("ids").upper())):
        return nosec.group(0).strip()
    return None


def _merge_sql(
    hits: list[SastHit], sources: Iterable[SourceFile], parsed: dict[SourceFile, PythonFile], texts: _Texts
) -> list[SastHit]:
    """Add our SQL-to-execute hits; where ruff's S608 saw the same string, keep S608 but raise its
    confidence to medium, as bandit does for a query that reaches ``execute``."""
    s608 = {(h.path, h.line): i for i, h in enumerate(hits) if h.rule.code == "S608"}
    rule = rule_for(OWN_SQL_RULE)
    merged = list(hits)
    for source in sources:
        sinks = parsed[source].facts.sql_sinks if source in parsed else ()
        for sink in sorted(sinks, key=lambda s: s.call_line):
            same = next(
                (s608[(source.display, n)] for n in _lines_of(sink) if (source.display, n) in s608),
                None,
            )
            if same is not None:
                merged[same] = _with_confidence(merged[same], "medium")
                continue
            if rule.product_only and is_test_path(source.relpath):
                continue
            text = texts.line(source, sink.call_line)
            merged.append(
                SastHit(
                    rule=rule,
                    severity=rule.severity,
                    confidence=rule.confidence,
                    message=_sql_message(sink),
                    path=source.display,
                    line=sink.call_line,
                    column=None,
                    end_line=None,
                    evidence=evidence_of(text),
                    in_test_code=is_test_path(source.relpath),
                    suppressed_by=_in_code_suppression(rule, text),
                )
            )
    return merged


def _with_hash_uses(
    hits: list[SastHit], sources: dict[str, SourceFile], options: ScanOptions, workspace: Workspace
) -> list[SastHit]:
    """Weak-hash hits with the facts of their use. Each file with such hits is parsed once, and
    the facts are cached by its content and the places flagged in it, so a warm scan parses none.
    ``crypt`` hits are left alone: that module only hashes passwords."""
    places: dict[str, list[Place]] = {}
    for hit in hits:
        if _judges_hash_use(hit):
            places.setdefault(hit.path, []).append((hit.line, hit.column))
    if not places:
        return hits
    jobs = [
        FileJob(
            file=sources[path],
            namespace=f"hashuse{HASH_USE_VERSION}:{content_digest(repr(flagged).encode())}",
            payload=paired_with(tuple(flagged)),
        )
        for path, flagged in places.items()
    ]
    found = map_files_cached(uses_at, jobs, options, workspace, SAST)
    uses = {
        path: iter(facts if isinstance(facts, tuple) else [None] * len(places[path]))  # unreadable: no facts
        for path, facts in zip(places, found, strict=True)
    }
    return [replace(hit, hash_use=next(uses[hit.path])) if _judges_hash_use(hit) else hit for hit in hits]


def _judges_hash_use(hit: SastHit) -> bool:
    return hit.rule.code in HASH_RULES and "`crypt`" not in hit.message


def _dict_password_hits(
    hits: list[SastHit], sources: Iterable[SourceFile], parsed: dict[SourceFile, PythonFile], texts: _Texts
) -> Iterator[SastHit]:
    """``{"password": "admin123"}``: bandit's B105 on a dict literal, which ruff's S105 misses;
    not where ruff already reported the line, not in test code (a product-only rule)."""
    rule = rule_for(OWN_DICT_PASSWORD_RULE)
    seen = {(h.path, h.line) for h in hits if h.rule.bandit == rule.bandit}
    for source in sources:
        if rule.product_only and is_test_path(source.relpath):
            continue
        for found in parsed[source].facts.dict_passwords if source in parsed else ():
            if (source.display, found.line) in seen:
                continue
            text = texts.line(source, found.line)
            yield SastHit(
                rule=rule,
                severity=rule.severity,
                confidence=rule.confidence,
                message=f'Possible hardcoded password in a dict literal, under the key "{found.key}"',
                path=source.display,
                line=found.line,
                column=found.column,
                end_line=None,
                evidence=evidence_of(text),
                in_test_code=is_test_path(source.relpath),
                suppressed_by=_in_code_suppression(rule, text),
            )


def _lines_of(sink: SqlSink) -> range:
    return range(sink.built_line, sink.built_end_line + 1)


def _sql_message(sink: SqlSink) -> str:
    where = "" if sink.built_line == sink.call_line else f" (built at line {sink.built_line})"
    return f"SQL built with {sink.how} is passed to {sink.sink}(){where}: use query parameters"


def _with_confidence(hit: SastHit, confidence: str) -> SastHit:
    return replace(hit, confidence=confidence)


def _chunks(paths: Sequence[str]) -> Iterable[list[str]]:
    chunk: list[str] = []
    size = 0
    for path in paths:
        if chunk and size + len(path) > CHUNK_CHARS:
            yield chunk
            chunk, size = [], 0
        chunk.append(path)
        size += len(path) + 1
    if chunk:
        yield chunk


def _ruff_version(ruff: str) -> str:
    try:
        done = subprocess.run([ruff, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CannotTell(f"ruff could not be run: {exc}") from exc
    if done.returncode != 0:
        raise CannotTell(f"ruff --version exited {done.returncode}")
    return done.stdout.strip().removeprefix("ruff ").strip() or "unknown"
