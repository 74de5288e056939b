"""The wiring between stages: plugins load from one explicit list and every need is typed when they
load; data flows one way (checks import no later stage); thresholds reach checks as a fact built
from the very gates the verdict evaluates."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import sys
import textwrap
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from gonogo.config import load_config
from gonogo.engine import FactError, Facts, run_check
from gonogo.model import Category, CheckResult, Finding, GateStatus, Location, Outcome, Severity
from gonogo.plan import build_plan
from gonogo.plugins import GIVEN_FACTS, PLUGIN_MODULES
from gonogo.policy import gates_for
from gonogo.probes.facts import TestRunFacts
from gonogo.probes.tests_runner import CaseResult, CoverageSummary, PackageCoverage, TestRun
from gonogo.registry import PluginError, Registry, TallySpec, load_plugins
from gonogo.thresholds import Thresholds
from gonogo.verdict import evaluate_gate
from gonogo.workspace import Workspace

SRC = Path(__file__).parent.parent / "src" / "gonogo"

PLUGIN_HEAD = """
from __future__ import annotations
from dataclasses import dataclass
from gonogo.model import Category, Severity
from gonogo.registry import check, collector, tally
from gonogo.workspace import Workspace

@dataclass(frozen=True)
class PlanetFacts:
    names: tuple[str, ...]

@dataclass(frozen=True)
class MoonFacts:
    names: tuple[str, ...]

@collector("planets")
def planets(workspace: Workspace) -> PlanetFacts:
    return PlanetFacts(names=())
"""


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], types.ModuleType]:
    """Makes a plugin module from source, as a third party would write one."""

    def make(body: str) -> types.ModuleType:
        module = types.ModuleType("broken_plugin")
        monkeypatch.setitem(sys.modules, module.__name__, module)  # dataclasses look their module up
        exec(compile(PLUGIN_HEAD + textwrap.dedent(body), "broken_plugin.py", "exec"), module.__dict__)
        return module

    return make


def check_needing(signature: str) -> str:
    return f"""
@check("TEST901", "a check", category=Category.TESTS, severity=Severity.LOW)
def judged({signature}):
    \"\"\"Why: a test plugin. Fix: none.\"\"\"
    return ()
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (check_needing("moons: MoonFacts"), "TEST901 parameter 'moons': no collector provides MoonFacts"),
        (check_needing("planets: MoonFacts"), "TEST901 parameter 'planets': annotated MoonFacts, but the 'planets' fact is a PlanetFacts"),
        (check_needing("planet: PlanetFacts"), "TEST901 parameter 'planet': the PlanetFacts fact is called 'planets'"),
        (check_needing("planets"), "TEST901 parameter 'planets': annotate it with the fact type it needs"),
        (check_needing("planets: Unheard"), "TEST901: its annotations cannot be resolved"),
        (check_needing("workspace: Workspace"), "TEST901 parameter 'workspace': a check may not read the raw workspace"),
        (
            '@collector("moons")\ndef moons(workspace: Workspace):\n    return None\n',
            "collector 'moons' declares no return type",
        ),
        (
            '@collector("more_planets")\ndef more_planets(workspace: Workspace) -> PlanetFacts:\n    return PlanetFacts(names=())\n',
            "collector 'more_planets' returns PlanetFacts, which 'planets' provides",
        ),
        (
            '@collector("moons")\ndef moons(planets: PlanetFacts, moons: MoonFacts) -> MoonFacts:\n    return moons\n',
            "collector 'moons' needs itself: moons -> moons",
        ),
        (
            check_needing("planets: PlanetFacts") + check_needing("planets: PlanetFacts").replace("judged", "again"),
            "check id TEST901 is registered twice",
        ),
        (
            '@tally("TEST", metrics=("t.n",))\ndef one(results):\n    return {}\n\n'
            '@tally("TEST", metrics=("t.n",))\ndef two(results):\n    return {}\n',
            "tally two publishes t.n, as another tally does",
        ),
    ],
    ids=[
        "a fact no collector provides",
        "a known fact under the wrong type",
        "a misspelt fact name",
        "a parameter without a type",
        "an annotation naming nothing",
        "a check asking for the raw workspace",
        "a collector without a return type",
        "two collectors of one type",
        "a collector that needs itself",
        "a check id declared twice",
        "a metric two tallies publish",
    ],
)
def test_a_wiring_mistake_fails_when_the_plugins_load(plugin, body: str, expected: str):
    with pytest.raises(PluginError) as raised:
        Registry().load([plugin(body)], GIVEN_FACTS)
    assert expected in str(raised.value)


def test_a_well_wired_plugin_loads_with_its_needs_typed(plugin):
    module = plugin(check_needing("planets: PlanetFacts, config: Config") + "from gonogo.config import Config\n")
    registry = Registry().load([module], GIVEN_FACTS)
    needs = registry.needs_of(registry.checks["TEST901"].func)
    assert [(n.param, n.kind.__name__) for n in needs] == [("planets", "PlanetFacts"), ("config", "Config")]
    assert registry.providers[module.PlanetFacts] == "planets"


def test_an_optional_need_gets_none_when_its_fact_fails_and_the_check_still_runs(plugin, tmp_path):
    # SEC003 reads the manifests only to lower one rule's severity: a hostile manifest that breaks
    # their collector must not turn it unknown (a NO-GO tree became CONDITIONAL GO that way)
    module = plugin("""
@collector("moons")
def moons(workspace: Workspace) -> MoonFacts:
    raise MemoryError("parser stack overflow")

@check("TEST901", "a check", category=Category.TESTS, severity=Severity.LOW)
def judged(planets: PlanetFacts, moons: MoonFacts | None):
    \"\"\"Why: a test plugin. Fix: none.\"\"\"
    from gonogo.registry import fail
    yield fail(f"moons: {moons}")

@check("TEST902", "another check", category=Category.TESTS, severity=Severity.LOW)
def strict(moons: MoonFacts):
    \"\"\"Why: a test plugin. Fix: none.\"\"\"
    return ()
""")
    registry = Registry().load([module], GIVEN_FACTS)
    [planets, moons] = registry.needs_of(registry.checks["TEST901"].func)
    assert (planets.optional, moons.optional, moons.kind) == (False, True, module.MoonFacts)
    facts = Facts(registry, (Workspace([tmp_path]),))
    lenient = run_check(registry.checks["TEST901"], facts)
    assert lenient.outcome is Outcome.FAIL and [f.message for f in lenient.findings] == ["moons: None"]
    strict = run_check(registry.checks["TEST902"], facts)
    assert strict.outcome is Outcome.UNKNOWN and "MemoryError" in (strict.reason or "")


def test_a_plugin_imported_by_another_module_is_loaded_once(plugin):
    first = plugin(check_needing("planets: PlanetFacts"))
    second = types.ModuleType("second_plugin")
    second.judged = first.judged  # imported, as `from broken_plugin import judged` would
    second.planets = first.planets
    registry = Registry().load([first, second], GIVEN_FACTS)
    assert list(registry.checks) == ["TEST901"] and list(registry.collectors) == ["planets"]


def _modules_declaring_plugins() -> set[str]:
    found = set()
    for package_name in ("gonogo.collectors", "gonogo.checks", "gonogo.probes"):
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            module = importlib.import_module(info.name)
            if any(
                getattr(value, "__gonogo_plugins__", ()) and getattr(value, "__module__", None) == module.__name__
                for value in vars(module).values()
            ):
                found.add(info.name)
    return found


def test_the_plugin_list_names_exactly_the_modules_that_declare_plugins():
    assert sorted(PLUGIN_MODULES) == sorted(_modules_declaring_plugins())
    assert len(set(PLUGIN_MODULES)) == len(PLUGIN_MODULES)


def test_no_shipped_check_reads_the_raw_inputs():
    registry = load_plugins()
    raw = {fact.kind for fact in GIVEN_FACTS if not fact.for_checks}
    for spec in registry.checks.values():
        assert not {n.kind for n in registry.needs_of(spec.func)} & raw, spec.id


LATER_STAGES = ("gonogo.plan", "gonogo.policy", "gonogo.verdict", "gonogo.blocking", "gonogo.api", "gonogo.pipeline",
                "gonogo.engine", "gonogo.reporters", "gonogo.cli")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("folder", ["checks", "collectors", "probes"], ids=["checks", "collectors", "probes"])
def test_facts_and_checks_import_no_later_stage(folder: str):
    backward = {
        f"{path.relative_to(SRC)} imports {name}"
        for path in sorted((SRC / folder).rglob("*.py"))
        for name in _imports(path)
        if name.startswith(LATER_STAGES)
    }
    assert not backward


def _suite_covering(percent: float) -> TestRunFacts:
    """One run whose single package is ``percent`` covered, as a coverage.py report says."""
    package = PackageCoverage(package="calc", statements=100, covered=round(percent), branches=0, covered_branches=0)
    summary = CoverageSummary(percent=percent, line_percent=percent, branch_percent=None, packages=(package,))
    case = CaseResult(nodeid="tests/test_calc.py::test_adds", outcome="passed", file="tests/test_calc.py")
    run = TestRun(root=".", python="python", command="pytest", exit_code=0, seconds=1.0, cases=(case,),
                  coverage=summary)
    return TestRunFacts(runs=(run,))


COVERAGE_AT_LEAST_50 = {"Tests pass": {"conditions": [{"metric": "coverage.percent", "operator": ">=", "threshold": 50}]}}


@pytest.mark.parametrize(
    ("gates", "outcome", "status", "message"),
    [
        ({}, Outcome.FAIL, GateStatus.FAIL, "the 'Tests pass' gate (standard profile) requires coverage.percent >= 60"),
        (COVERAGE_AT_LEAST_50, Outcome.PASS, GateStatus.PASS, None),
    ],
    ids=["the standard profile's 60% fails 55% in both", "a gate lowered to 50% passes 55% in both"],
)
def test_coverage_check_and_gate_judge_against_the_same_bar(gates, outcome, status, message):
    config = load_config(None, {"select": ["RUN003"], "gates": gates})
    gates_in_force = gates_for(config)  # what scan() evaluates, and builds the thresholds from
    registry = load_plugins()
    facts = Facts(registry, (config, Thresholds.from_gates(gates_in_force, config.profile), _suite_covering(55.0)))
    result = run_check(registry.checks["RUN003"], facts)
    gate = next(g for g in gates_in_force if g.name == "Tests pass")
    verdict = evaluate_gate(gate, dict(result.metrics))
    coverage_condition = next(c for c in verdict.conditions if c.condition.metric == "coverage.percent")
    assert (result.outcome, coverage_condition.status) == (outcome, status)
    assert [f.message.split("; ", 1)[1] for f in result.findings] == ([message] if message else [])


def _result_with(findings: tuple[Finding, ...]) -> CheckResult:
    return CheckResult(check_id="DEP001", title="Every import is declared", category=Category.DEPENDENCIES,
                       severity=Severity.HIGH, outcome=Outcome.FAIL, score=0.0, findings=findings)


@pytest.mark.parametrize(
    ("declared", "titles"),
    [
        (True, ["add boto3 to 1 requirements file: requirements.txt",
                 "add jwt to 1 requirements file: api/requirements.txt"]),
        (False, ["Every import is declared: fix 2 findings in a.py, b.py"]),
    ],
    ids=["the grouping the check declared", "one action when it declares none"],
)
def test_the_plan_groups_findings_as_the_check_declares(declared: bool, titles: list[str]):
    findings = (
        Finding(check_id="DEP001", severity=Severity.HIGH, message="boto3 is not declared",
                location=Location(path="a.py", line=1), data=(("manifest", "requirements.txt"), ("package", "boto3"))),
        Finding(check_id="DEP001", severity=Severity.HIGH, message="jwt is not declared",
                location=Location(path="b.py", line=1), data=(("manifest", "api/requirements.txt"), ("package", "jwt"))),
    )
    registry = load_plugins()
    planners = {"DEP001": registry.checks["DEP001"].plan} if declared else {}
    plan = build_plan([_result_with(findings)], [], ".", planners=planners)
    assert sorted(a.title for a in plan) == titles


def test_the_same_tally_added_twice_is_refused():
    spec = TallySpec(sources=("TEST",), metrics=("t.n",), func=lambda results: {})
    registry = Registry()
    registry.add(spec)
    with pytest.raises(PluginError, match="registered twice"):
        registry.add(spec)
    assert registry.tallies == [spec]


def test_facts_handed_over_by_name_reach_the_check_that_names_them():
    registry = load_plugins()
    config = load_config(None, {})
    thresholds = Thresholds.from_gates(gates_for(config), config.profile)
    facts = Facts(registry, test_run=_suite_covering(70.0), thresholds=thresholds)
    result = run_check(registry.checks["RUN003"], facts)
    assert (result.outcome, dict(result.metrics)["coverage.percent"]) == (Outcome.PASS, 70.0)
    with pytest.raises(FactError, match="no collector provides 'test_runs'"):
        Facts(registry, test_runs=_suite_covering(70.0))
