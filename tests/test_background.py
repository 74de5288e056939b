"""Background collectors (issue 11): a collector marked ``registry.background`` runs in a thread as
soon as the facts it needs are built, while the checks before the one that asks for it go on; its
value, its error and the notes of the scan are those of building it when asked, and its time is
counted honestly (its own wall time; the wait for it in its stage, not in the checks')."""

from __future__ import annotations

import os
import sys
import textwrap
import threading
import time
import types

import pytest

from gonogo.config import load_config
from gonogo.engine import Facts, run_check
from gonogo.model import Outcome
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.plugins import GIVEN_FACTS
from gonogo.registry import Registry
from gonogo.thresholds import Thresholds
from gonogo.timings import OTHER_FACTS, StageClock
from gonogo.workspace import Workspace
from tests.helpers import make_repo

PLUGIN = """
from __future__ import annotations
import threading
import time
from dataclasses import dataclass
from gonogo.model import Category, Severity
from gonogo.registry import CannotTell, background, check, collector
from gonogo.workspace import Workspace

EVENTS: list[str] = []
STARTED = threading.Event()
BEHAVIOUR = {"fail": None, "sleep": 0.0}

@dataclass(frozen=True)
class PlanetFacts:
    names: tuple[str, ...]

@dataclass(frozen=True)
class SlowFacts:
    names: tuple[str, ...]
    thread: str

@collector("planets")
def planets(workspace: Workspace) -> PlanetFacts:
    return PlanetFacts(names=("mercury", "venus"))

@collector("slow")
@background
def slow(planets: PlanetFacts) -> SlowFacts:
    STARTED.set()
    EVENTS.append("slow")
    time.sleep(BEHAVIOUR["sleep"])
    if BEHAVIOUR["fail"] == "cannot tell":
        raise CannotTell("the tool is not installed")
    if BEHAVIOUR["fail"] == "bug":
        raise RuntimeError("boom")
    return SlowFacts(names=tuple(n.upper() for n in planets.names), thread=threading.current_thread().name)

@check("TEST901", "needs the planets", category=Category.TESTS, severity=Severity.LOW)
def first(planets: PlanetFacts):
    \"\"\"Why: a test plugin. Fix: none.\"\"\"
    EVENTS.append("TEST901")
    return ()

@check("TEST902", "runs while slow works", category=Category.TESTS, severity=Severity.LOW)
def second(planets: PlanetFacts):
    \"\"\"Why: a test plugin. Fix: none.\"\"\"
    EVENTS.append("TEST902 saw slow started" if STARTED.wait(5) else "TEST902 alone")
    return ()

@check("TEST903", "needs the slow fact", category=Category.TESTS, severity=Severity.LOW)
def third(slow: SlowFacts):
    \"\"\"Why: a test plugin. Fix: none.\"\"\"
    EVENTS.append(f"TEST903 {','.join(slow.names)}")
    return ()

@check("TEST904", "needs the slow fact too", category=Category.TESTS, severity=Severity.LOW)
def fourth(slow: SlowFacts):
    \"\"\"Why: a test plugin. Fix: none.\"\"\"
    return ()
"""


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType("background_plugin")
    monkeypatch.setitem(sys.modules, module.__name__, module)  # dataclasses look their module up
    exec(compile(textwrap.dedent(PLUGIN), "background_plugin.py", "exec"), module.__dict__)
    return module


def run(
    module: types.ModuleType, tmp_path, *, prefetch: bool, select: tuple[str, ...] = ()
) -> tuple[list, StageClock, Notes]:
    """The checks' results, the clock and the notes of one scan of a tiny repository."""
    registry = Registry().load([module], GIVEN_FACTS)
    root = make_repo(tmp_path / "repo", {"app.py": "x = 1\n"})
    notes = Notes()
    config = load_config(None, {})
    clock = StageClock()
    workspace = Workspace.open([root], notes=notes)
    facts = Facts(registry, (workspace, config, ScanOptions(use_cache=False), Thresholds(profile="default", conditions=()), notes), clock)
    specs = [spec for spec in registry.checks.values() if not select or spec.id in select]
    if prefetch:
        facts.prefetch(specs)
    checking = time.perf_counter()
    results = [run_check(spec, facts) for spec in specs]
    clock.checks(time.perf_counter() - checking)
    return results, clock, notes


def outcomes(results: list) -> list[tuple[str, Outcome, str | None]]:
    return [(r.check_id, r.outcome, r.reason) for r in results]


def test_a_background_collector_runs_while_the_checks_before_its_own_do(plugin, tmp_path):
    results, _, _ = run(plugin, tmp_path, prefetch=True)
    assert "TEST902 saw slow started" in plugin.EVENTS
    assert plugin.EVENTS.index("slow") < plugin.EVENTS.index("TEST903 MERCURY,VENUS")
    assert all(r.outcome is Outcome.PASS for r in results)
    assert plugin.EVENTS.count("slow") == 1, "built once, though two checks need it"


def test_without_prefetch_the_same_collector_runs_when_asked_in_the_scans_thread(plugin, tmp_path, monkeypatch):
    monkeypatch.setattr(plugin.STARTED, "wait", lambda timeout=None: plugin.STARTED.is_set())
    results, _, _ = run(plugin, tmp_path, prefetch=False)
    assert plugin.EVENTS == ["TEST901", "TEST902 alone", "slow", "TEST903 MERCURY,VENUS"]
    assert all(r.outcome is Outcome.PASS for r in results)


def test_the_fact_a_background_collector_builds_comes_from_its_own_thread(plugin, tmp_path):
    registry = Registry().load([plugin], GIVEN_FACTS)
    seen: list[str] = []
    facts = Facts(registry, (Workspace.open([make_repo(tmp_path / "r", {"a.py": ""})]),))
    facts.prefetch(registry.checks.values())
    planets = facts.get(plugin.PlanetFacts)
    seen.append(facts.get(plugin.SlowFacts).thread)
    assert planets.names == ("mercury", "venus")
    assert seen != [threading.current_thread().name]


@pytest.mark.parametrize(
    ("fail", "reason"),
    [("cannot tell", "the tool is not installed"), ("bug", "collector 'slow' failed: RuntimeError: boom")],
    ids=["cannot tell", "a collector bug"],
)
def test_a_background_collectors_error_is_every_needing_checks_reason_as_in_the_foreground(
    plugin, tmp_path, monkeypatch, fail, reason
):
    monkeypatch.setitem(plugin.BEHAVIOUR, "fail", fail)
    background, _, background_notes = run(plugin, tmp_path / "bg", prefetch=True)
    foreground, _, foreground_notes = run(plugin, tmp_path / "fg", prefetch=False)
    assert outcomes(background) == outcomes(foreground)
    assert [(r.outcome, r.reason) for r in background if r.check_id in ("TEST903", "TEST904")] == [
        (Outcome.UNKNOWN, reason), (Outcome.UNKNOWN, reason)
    ]
    assert list(background_notes) == list(foreground_notes)


def test_a_background_collector_no_selected_check_needs_is_never_started(plugin, tmp_path):
    results, clock, _ = run(plugin, tmp_path, prefetch=True, select=("TEST901",))
    assert [r.check_id for r in results] == ["TEST901"]
    time.sleep(0.05)
    assert "slow" not in plugin.EVENTS and "slow" not in clock.collectors


def test_its_own_time_is_its_collectors_and_the_wait_for_it_its_stages_not_the_checks(plugin, tmp_path, monkeypatch):
    monkeypatch.setitem(plugin.BEHAVIOUR, "sleep", 0.4)
    _, clock, _ = run(plugin, tmp_path, prefetch=True, select=("TEST901", "TEST903"))
    timings = clock.as_evidence()
    assert timings["collectors"]["slow"] >= 0.4
    assert timings["stages"][OTHER_FACTS] >= 0.4  # its stage: the wait overlaps its run, counted once
    assert timings["stages"][OTHER_FACTS] < 0.4 + 0.3
    assert timings["stages"]["checks"] < 0.3


def test_a_stages_seconds_count_overlapping_work_once():
    clock = StageClock()
    clock.background("sast", 10.0, 11.0)
    clock.background("ruff", 10.5, 12.0)
    clock.background("ruff", 13.0, 13.5)
    assert clock.stages["SAST"] == pytest.approx(2.5)
    assert clock.collectors == {"sast": 1.0, "ruff": 2.0}


AFTER_PLUGIN = """
from __future__ import annotations
import threading
from dataclasses import dataclass
from gonogo.model import Category, Severity
from gonogo.registry import CannotTell, background, check, collector
from gonogo.workspace import Workspace

EVENTS: list[str] = []
BEHAVIOUR = {"fail": False}

@dataclass(frozen=True)
class PassFacts:
    files: int

@dataclass(frozen=True)
class LookupFacts:
    thread: str

@dataclass(frozen=True)
class PoolFacts:
    lookup_thread: str
    thread: str

@collector("pass_facts")
def pass_facts(workspace: Workspace) -> PassFacts:
    EVENTS.append("pass")
    return PassFacts(files=len(workspace.files))

@collector("lookup")
def lookup(workspace: Workspace) -> LookupFacts:
    EVENTS.append("lookup")
    if BEHAVIOUR["fail"]:
        raise CannotTell("the cache could not be read")
    return LookupFacts(thread=threading.current_thread().name)

@collector("pool")
@background(after=(PassFacts,))
def pool(lookup: LookupFacts) -> PoolFacts:
    EVENTS.append("pool")
    return PoolFacts(lookup_thread=lookup.thread, thread=threading.current_thread().name)

@check("TEST911", "needs the pool", category=Category.TESTS, severity=Severity.LOW)
def needs_pool(pool: PoolFacts):
    \"\"\"Why: a test plugin. Fix: none.\"\"\"
    EVENTS.append(f"TEST911 {pool.lookup_thread != pool.thread}")
    return ()

@check("TEST912", "builds the pass", category=Category.TESTS, severity=Severity.LOW)
def builds_pass(pass_facts: PassFacts):
    \"\"\"Why: a test plugin. Fix: none.\"\"\"
    EVENTS.append("TEST912")
    return ()
"""


@pytest.fixture
def after_plugin(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType("after_plugin")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(textwrap.dedent(AFTER_PLUGIN), "after_plugin.py", "exec"), module.__dict__)
    return module


def _ordered_run(module: types.ModuleType, tmp_path) -> list:
    """As ``pipeline.judge`` runs checks: background work prefetched, checks needing none first."""
    registry = Registry().load([module], GIVEN_FACTS)
    notes = Notes()
    workspace = Workspace.open([make_repo(tmp_path / "repo", {"app.py": "x = 1\n"})], notes=notes)
    facts = Facts(registry, (workspace, load_config(None, {}), ScanOptions(use_cache=False), notes))
    specs = list(registry.checks.values())
    facts.prefetch(specs)
    order = facts.foreground_first(specs)
    assert [spec.id for spec in specs] == ["TEST911", "TEST912"]
    assert [spec.id for spec in order] == ["TEST912", "TEST911"], "the check needing no background fact first"
    return [run_check(spec, facts) for spec in order]


def test_a_collector_started_after_a_fact_has_its_needs_built_in_the_scans_thread_then_runs_in_its_own(
    after_plugin, tmp_path
):
    results = _ordered_run(after_plugin, tmp_path)
    assert [r.outcome for r in results] == [Outcome.PASS, Outcome.PASS]
    events = after_plugin.EVENTS
    assert events[:2] == ["pass", "lookup"], "its need is built as soon as the fact it waits for is"
    assert events.index("pool") < events.index("TEST911 True"), "the pool ran in a thread of its own"


def test_a_need_that_fails_leaves_the_collector_to_fail_the_same_way_when_asked(after_plugin, tmp_path, monkeypatch):
    monkeypatch.setitem(after_plugin.BEHAVIOUR, "fail", True)
    results = _ordered_run(after_plugin, tmp_path)
    assert [(r.check_id, r.outcome, r.reason) for r in results] == [
        ("TEST912", Outcome.PASS, None),
        ("TEST911", Outcome.UNKNOWN, "the cache could not be read"),
    ]
    assert "pool" not in after_plugin.EVENTS and after_plugin.EVENTS.count("lookup") == 1


def test_the_workspace_index_loses_no_hash_when_two_threads_hash_and_save_at_once(tmp_path):
    """A background collector hashes files while the scan's thread does, and both save the index."""
    root = make_repo(tmp_path / "repo", {f"f{i}.txt": f"{i}\n" * 50 for i in range(400)})
    for path in root.glob("f*.txt"):  # older than the racy margin, so the index may trust them
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    cache = tmp_path / "cache"
    workspace = Workspace.open([root], cache_folder=cache)
    files = list(workspace.files)

    errors: list[BaseException] = []

    def hash_and_save(part: list) -> None:
        try:
            for number, file in enumerate(part):
                workspace.content_of(file)
                if number % 5 == 0:
                    workspace.save_index()
            workspace.save_index()
        except BaseException as exc:  # a thread's error is printed, not raised: keep it for the assert
            errors.append(exc)

    threads = [threading.Thread(target=hash_and_save, args=(files[start::2],)) for start in (0, 1)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # the threads take turns between almost every two instructions
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    fresh = Workspace.open([root], cache_folder=cache)
    known = [fresh._indexed(file, 1 << 20) for file in fresh.files]
    assert len(known) == 400 and None not in known, "every file's hash was kept"
