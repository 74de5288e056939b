"""The one list of modules that define gonogo's checks, collectors and tallies, and the facts the
engine gives them.

Loading is explicit: ``load_shipped()`` imports exactly these modules, collects what their
decorators declared and types every need (``Registry.resolve``), so adding a check module means
adding its name here, and a test compares this list with the modules that declare plugins. Nothing
is discovered by importing every module of a package.
"""

from __future__ import annotations

import importlib

from gonogo.config import Config
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.registry import REGISTRY, GivenFact, Registry
from gonogo.thresholds import Thresholds
from gonogo.workspace import Workspace

PLUGIN_MODULES = (
    # collectors: files -> typed facts
    "gonogo.collectors.ci",
    "gonogo.collectors.containers",
    "gonogo.collectors.deliverables",
    "gonogo.collectors.deployment",
    "gonogo.collectors.doc_references",
    "gonogo.collectors.docs_meta",
    "gonogo.collectors.env_contract",
    "gonogo.collectors.import_graph",
    "gonogo.collectors.manifests.collector",
    "gonogo.collectors.migrations",
    "gonogo.collectors.observability",
    "gonogo.collectors.outdated",
    "gonogo.collectors.package_layout",
    "gonogo.collectors.python",
    "gonogo.collectors.sast",
    "gonogo.collectors.secret_files",
    "gonogo.collectors.suppressions",
    "gonogo.collectors.tooling",
    "gonogo.collectors.vulnerabilities",
    "gonogo.collectors.web",
    # probes: opt-in measurements of running things
    "gonogo.probes.facts",
    "gonogo.probes.import_smoke",
    # checks: facts -> findings
    "gonogo.checks.architecture",
    "gonogo.checks.ci",
    "gonogo.checks.ci_security",
    "gonogo.checks.code_health",
    "gonogo.checks.containers",
    "gonogo.checks.deliverables",
    "gonogo.checks.dependencies",
    "gonogo.checks.env_contract",
    "gonogo.checks.migrations",
    "gonogo.checks.observability",
    "gonogo.checks.operations",
    "gonogo.checks.package_layout",
    "gonogo.checks.project_docs",
    "gonogo.checks.runtime",
    "gonogo.checks.runtime_imports",
    "gonogo.checks.secrets",
    "gonogo.checks.security",
    "gonogo.checks.services",
    "gonogo.checks.suppressions",
    "gonogo.checks.tests",
    "gonogo.checks.vulnerabilities",
    "gonogo.checks.web_controls",
    "gonogo.checks.web_security",
)

GIVEN_FACTS = (
    GivenFact(name="config", kind=Config, for_checks=True),
    GivenFact(name="thresholds", kind=Thresholds, for_checks=True),
    # raw inputs: collectors turn them into facts; a check judges facts
    GivenFact(name="workspace", kind=Workspace, for_checks=False),
    GivenFact(name="options", kind=ScanOptions, for_checks=False),
    GivenFact(name="notes", kind=Notes, for_checks=False),
)


def load_shipped() -> Registry:
    """``REGISTRY`` filled from ``PLUGIN_MODULES`` once; a wiring mistake raises ``PluginError``."""
    if not REGISTRY.checks:
        fresh = Registry().load((importlib.import_module(name) for name in PLUGIN_MODULES), GIVEN_FACTS)
        REGISTRY.checks, REGISTRY.collectors, REGISTRY.tallies = fresh.checks, fresh.collectors, fresh.tallies
        REGISTRY.providers, REGISTRY.given, REGISTRY.wiring = fresh.providers, fresh.given, fresh.wiring
    return REGISTRY
