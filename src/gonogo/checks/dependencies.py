"""Dependency checks (DEP): what the code imports is declared where it runs, declared once at one
version, pinned in applications, and the lock files agree with their manifests."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from gonogo.checks.dependency_scopes import (
    Declared,
    OwnNames,
    Scope,
    Scopes,
    Transitive,
    build_call_declarations,
    build_hook_declarations,
    in_requirements_group,
    may_provide,
    own_declaration,
    third_party_imports,
    transitive_provider,
    unaccounted,
    used_by,
)
from gonogo.collectors.import_graph import ImportGraphs, optional_modules
from gonogo.collectors.import_names import is_runtime_only, suggested
from gonogo.collectors.manifests import Dependency, ManifestFacts
from gonogo.collectors.manifests.package_discovery import DiscoveryKind
from gonogo.collectors.python import PythonFacts, PythonFile
from gonogo.collectors.python_facts import Import
from gonogo.collectors.testpaths import DOCS_DIRS, EXAMPLE_DIRS, is_vendored
from gonogo.grouping import Grouping, plural
from gonogo.model import Category, Finding, Severity
from gonogo.registry import CheckOutput, Metric, NotApplicable, check, fail

_SHOWN = 5


def plan_undeclared(findings: Sequence[Finding]) -> Grouping:
    by_package: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_package[str(finding.get("package"))].append(finding)
    for package, group in sorted(by_package.items()):
        targets = sorted({str(f.get("manifest")) for f in group if f.get("manifest")})
        if not targets:
            yield f"declare {package} in a manifest (imported where no manifest applies)", group
            continue
        word = "requirements file" if all("requirements" in t for t in targets) else "manifest"
        yield f"add {package} to {plural(len(targets), word)}: {', '.join(targets)}", group


@check(
    "DEP001",
    "Every third-party import is declared in its nearest manifest",
    category=Category.DEPENDENCIES,
    severity=Severity.HIGH,
    counts="deps.undeclared",
    plan=plan_undeclared,
)
def undeclared_imports(
    python: PythonFacts, manifests: ManifestFacts, import_graph: ImportGraphs | None
) -> Iterator[CheckOutput]:
    """Why: a module that imports a distribution its manifest does not declare works on the
    developer's machine and fails with ModuleNotFoundError in a clean build or container. In a
    monorepo each service installs only its own requirements, so each is judged by its own; a
    module no manifest above covers, in an image a bake file builds on another of its targets
    (Mailu's ``core/admin/Dockerfile`` starts ``FROM base``, bound to ``target:base``), by that
    target's. Test code, the documentation's code and examples are DEP002's: they do not ship;
    so are Ansible's plugins and modules, which run in Ansible's environment (an execution environment's), a
    Sphinx extension's `sphinx` and `docutils`, which Sphinx brings where it loads the extension,
    and a top-level script a setuptools build leaves out (a development server beside
    `pyproject.toml`) importing what another manifest declares (its test requirements). An
    extra declares what it brings (`dask[distributed]` declares `import distributed`), and
    `[build-system] requires` declares what a build hook the build backend runs imports (a Hatch
    custom hook imports `hatchling`); a script's inline metadata (PEP 723's `# /// script` block)
    declares what that script imports. So are the imports of a module the project itself imports
    only inside ``try``/``except ImportError``, an optional feature.
    Fix: add the distribution (with a version) to the manifest named in the finding, or remove the
    import."""
    yield from _undeclared(python, manifests, import_graph, hard=True)


@check(
    "DEP002",
    "Optional, type-checking, test and docs-build imports are declared somewhere",
    category=Category.DEPENDENCIES,
    severity=Severity.LOW,
)
def undeclared_soft_imports(
    python: PythonFacts, manifests: ManifestFacts, import_graph: ImportGraphs | None
) -> Iterator[CheckOutput]:
    """Why: imports inside ``try/except ImportError`` or ``with suppress(ImportError)``, or in a
    module the project imports only so (calibre-web's OAuth and Gmail modules), under an
    ``if`` (a configured provider, an older Python), under ``TYPE_CHECKING``, in tests or in the
    documentation's code and examples (a top-level `docs/`, `doc/`, `docs_src/` or `examples/` that
    is no package; an example with a manifest of its own is DEP001's) do not break production, but
    an undeclared one silently disables a feature, or breaks type checking or the test run in a
    clean environment. One that a lock file installs for a declared package,
    or that a declared distribution of unknown import names may provide, is not reported here.
    Fix: declare it in an optional group (an extra, a ``dev``/``test`` group or requirements file)."""
    yield from _undeclared(python, manifests, import_graph, hard=False)


BUILD_TOOLING = frozenset({"setuptools", "pkg_resources", "wheel", "distutils"})
"""What a ``setup.py`` imports without declaring it: PEP 518's default build requirements
(``setuptools>=40.8.0`` and ``wheel``), which build front-ends install for every such project."""


NOT_SHIPPED_DIRS = DOCS_DIRS | EXAMPLE_DIRS
"""Top-level folders whose code, when they are no package, does not ship (:func:`_not_shipped_folders`)."""


def _not_shipped_folders(python: PythonFacts) -> frozenset[tuple[object, str]]:
    """(root, folder) of each top-level documentation or examples folder that is not a package:
    Sphinx's ``conf.py``, its extensions and themes, and the examples the docs show (Celery's
    ``examples/eventlet/``) live there and never ship. One with an ``__init__.py`` (a Django app
    named ``docs``) is product code like any other."""
    found: set[tuple[object, str]] = set()
    packages: set[tuple[object, str]] = set()
    for item in python.files:
        folder, _, rest = item.file.relpath.partition("/")
        if rest and folder.lower() in NOT_SHIPPED_DIRS:
            found.add((item.file.root, folder))
            if rest == "__init__.py":
                packages.add((item.file.root, folder))
    return frozenset(found - packages)


def _ships(file: PythonFile, scope: Scope | None, not_shipped: frozenset[tuple[object, str]]) -> bool:
    """False for the documentation's code and for an example that borrows the project's manifest
    (Celery's ``examples/eventlet/``). An example with a manifest of its own (Flask's
    ``examples/tutorial/pyproject.toml``) is a project in its own right, judged by that manifest,
    unless the manifest declares no dependency at all: Nautobot's ``examples/example_app/`` is an
    app its ``pyproject.toml`` only builds, installed into Nautobot's own environment."""
    top = file.file.relpath.partition("/")[0]
    if (file.file.root, top) not in not_shipped:
        return True
    own_manifest = scope is not None and scope.root == file.file.root and bool(scope.declared) and (
        scope.folder == top or scope.folder.startswith(f"{top}/")
    )
    return top.lower() in EXAMPLE_DIRS and own_manifest


def _hard_imports(
    file: PythonFile, imports: list[Import], ships: bool, optional_module: bool = False
) -> Iterator[tuple[Import, bool]]:
    """Each import with whether production breaks without it. A module guarded by
    ``try/except ImportError`` once in a file is optional in all of that file: the later uses sit
    behind the flag the guard set (``if has_simplejson: from simplejson import ...``). One under
    an ``if`` runs where its test holds (a configured provider, an older Python): an optional
    feature, which an extra or a marker declares. Test code, and the documentation's code and
    examples that do not ship (``ships``, :func:`_ships`): a missing import there breaks a test
    run, a docs build or an example, not production; so is a Django app's ``tests.py``
    (:data:`DJANGO_TEST_MODULE`). In a vendored copy of another project (pip's
    ``_vendor/``), what the copy needs is vendored beside it; an import from elsewhere is one of
    that project's optional features (urllib3's HTTP/2 and pyOpenSSL support, Pygments' Sphinx
    extension), declared among its extras, not the host's. Ansible's plugins and modules
    (:func:`is_ansible_content`) run in Ansible's own Python, the controller's or an execution
    environment's, which provides ``ansible`` and what the plugin needs: not in the project's. A
    Sphinx extension (:func:`is_sphinx_extension`) runs inside Sphinx, which brings ``sphinx`` and
    ``docutils``: a missing one breaks a docs build, as the documentation's own code would. A
    module the project loads only through guarded imports (``optional_module``,
    :func:`~gonogo.collectors.import_graph.optional_modules`) is an optional feature as a whole. An
    import in a function after the function's first import, of a module the file guards, runs only
    once that one worked: it is that optional feature's (``Import.after``: pretalx's ``ipython()``
    imports IPython, then IPython's own traitlets)."""
    guarded = {i.module.split(".")[0] for i in imports if i.optional}
    vendored = is_vendored(file.file.relpath) or is_ansible_content(file.file.relpath, imports)
    hosted = SPHINX_PROVIDES if is_sphinx_extension(file, imports) else frozenset()
    # what holds for the whole file, decided once rather than for each of its imports
    whole_file = file.is_test_code or file.file.name == DJANGO_TEST_MODULE or not ships or vendored or optional_module
    for imported in imports:
        top = imported.module.split(".")[0]
        if file.file.name == "setup.py" and top in BUILD_TOOLING:
            continue
        soft = whole_file or imported.optional or imported.conditional or imported.type_checking
        soft = soft or top in guarded or top in hosted or imported.after.split(".")[0] in guarded
        yield imported, not soft


DJANGO_TEST_MODULE = "tests.py"
"""The test module ``startapp`` writes in each Django app, which Django's runner collects (its
default pattern is ``test*.py``): modoboa's ``core/api/v2/tests.py`` imports Pillow for an upload.
Only this name: ``testing.py`` or ``testutils.py`` may ship helpers production imports."""
SPHINX_PROVIDES = frozenset({"sphinx", "docutils"})
"""What a Sphinx extension finds wherever it runs: Sphinx, which loads it, and docutils, which
Sphinx requires."""
SPHINX_NAMESPACES = frozenset({"sphinx", "sphinxcontrib"})


def is_sphinx_extension(file: PythonFile, imports: Sequence[Import]) -> bool:
    """A module Sphinx loads as an extension: it defines the module-level ``setup(app)`` Sphinx
    calls, and imports from Sphinx's namespace (``sphinx``, ``sphinxcontrib``). awx's
    ``awxkit/awxkit/cli/sphinx.py``, which only the CLI docs' ``conf.py`` names, imports docutils
    and ``sphinxcontrib.autoprogram``. Both, so neither an app's ``setup(app)`` that renders
    reStructuredText with docutils, nor a class's ``setup`` method, makes one."""
    # the imports first: a module has a few, and most import nothing of Sphinx's
    if not any(i.module.split(".")[0] in SPHINX_NAMESPACES for i in imports):
        return False
    return any(f.name == "setup" and f.class_name is None and not f.nested for f in file.facts.functions)


ANSIBLE_PLUGIN_TYPES = frozenset({
    "action", "become", "cache", "callback", "cliconf", "connection", "filter", "httpapi", "inventory", "lookup",
    "netconf", "shell", "strategy", "terminal", "test", "vars",
})
"""Ansible's plugin types: a playbook's ``<type>_plugins/`` folder holds them, as does a
collection's ``plugins/<type>/`` with its ``modules/``, ``module_utils/`` and ``doc_fragments/``."""
ANSIBLE_MODULE_DIRS = frozenset({"library", "module_utils", "modules", "doc_fragments"})


def is_ansible_content(relpath: str, imports: Sequence[Import]) -> bool:
    """A module Ansible loads: it imports ``ansible`` and sits in a folder Ansible loads plugins or
    modules from (awx's ``awx/playbooks/action_plugins/verify_project.py`` imports
    ``ansible.plugins.action``, ``gnupg`` and ``ansible_sign``, which its execution environment
    installs; ``awx_collection/plugins/inventory/controller.py``). Both, so neither a package named
    ``library`` nor a tool that drives Ansible as a library is taken for one."""
    return any(i.module.split(".")[0] == "ansible" for i in imports) and _in_ansible_folder(relpath.split("/")[:-1])


def _in_ansible_folder(folders: list[str]) -> bool:
    """A playbook's ``action_plugins/``, ``library/`` or ``module_utils/``, or a collection's
    ``plugins/modules/``, ``plugins/inventory/``..."""
    if any(f.endswith("_plugins") and f.removesuffix("_plugins") in ANSIBLE_PLUGIN_TYPES for f in folders):
        return True
    if any(f in ("library", "module_utils") for f in folders):
        return True
    kinds = ANSIBLE_PLUGIN_TYPES | ANSIBLE_MODULE_DIRS
    return any(parent == "plugins" and child in kinds for parent, child in itertools.pairwise(folders))


@dataclass(frozen=True, slots=True, kw_only=True)
class _Unprovided:
    """Imports of one package, in one scope, that no distribution the scope declares provides."""

    package: str
    hard: bool
    sites: tuple[tuple[PythonFile, Import], ...]
    scope: Scope | None
    transitive: Transitive | None
    """Set when a lock file installs it as a dependency of a declared distribution."""
    maybe: tuple[str, ...]
    """Declared distributions whose import names are unknown and that may provide it."""

    @property
    def kind(self) -> str:
        if self.transitive is not None:
            return "transitive"
        return "unknown" if self.maybe else "undeclared"


_CLASSIFIED: list[tuple[PythonFacts, ManifestFacts, ImportGraphs | None, tuple[_Unprovided, ...]]] = []
"""The last classification, kept so the four checks that share it compute it once per scan."""


def _unprovided(
    python: PythonFacts, manifests: ManifestFacts, import_graph: ImportGraphs | None
) -> tuple[_Unprovided, ...]:
    for cached_python, cached_manifests, cached_graph, result in _CLASSIFIED:
        if cached_python is python and cached_manifests is manifests and cached_graph is import_graph:
            return result
    result = tuple(_classify(python, manifests, _optional_files(import_graph)))
    _CLASSIFIED[:] = [(python, manifests, import_graph, result)]
    return result


def _optional_files(import_graph: ImportGraphs | None) -> frozenset[tuple[object, str]]:
    """(root, relpath) of each module loaded only through guarded imports; none when the graph
    could not be built, so every import keeps its stricter judgement."""
    if import_graph is None:
        return frozenset()
    return frozenset(
        (graph.modules[name].root, graph.modules[name].relpath)
        for graph in import_graph.graphs
        for name in optional_modules(graph)
    )


_Sites = dict[tuple[str, str, bool], list[tuple[PythonFile, Import, Scope | None]]]
"""(scope label, package, hard) -> each import of it that its scope does not provide."""


def _classify(
    python: PythonFacts, manifests: ManifestFacts, optional_files: frozenset[tuple[object, str]]
) -> Iterator[_Unprovided]:
    scopes = Scopes(manifests)
    below, sites = _unprovided_sites(python, manifests, scopes, optional_files)
    unknown_names: dict[tuple[object, str], frozenset[str]] = {}
    for (_, package, hard), found in sorted(sites.items()):
        _, imported, scope = found[0]
        transitive = maybe = None
        if scope is not None:
            key = (scope.root, scope.folder)
            if key not in unknown_names:
                unknown_names[key] = unaccounted(scope, below[key])
            transitive = transitive_provider(imported.module, scope, scopes)
            maybe = may_provide(imported.module, unknown_names[key])
        yield _Unprovided(
            package=package,
            hard=hard,
            sites=tuple((f, i) for f, i, _ in found),
            scope=scope,
            transitive=transitive,
            maybe=maybe or (),
        )


def _declared_anywhere(manifests: ManifestFacts) -> Declared:
    """What some manifest of the workspace declares: a test or development requirements file
    included, for the imports of code the build leaves out and for a finding's "declared in no
    manifest of the workspace"."""
    return Declared.of(d for m in manifests.declaring for d in m.dependencies)


def _unprovided_sites(
    python: PythonFacts, manifests: ManifestFacts, scopes: Scopes, optional_files: frozenset[tuple[object, str]]
) -> tuple[dict[tuple[object, str], list[str]], _Sites]:
    """The modules imported below each scope, and the imports no declaration provides, each with
    whether production breaks without it (:func:`_hard_imports`). An import of a top-level module
    the build leaves out (:func:`_outside_the_build`) that another manifest of the workspace
    declares (a test or development requirements file) is development code's: DEP002's."""
    own = OwnNames(python, manifests)
    declared_cache: dict[tuple[object, str], Declared] = {}
    below: dict[tuple[object, str], list[str]] = defaultdict(list)
    sites: _Sites = defaultdict(list)
    not_shipped = _not_shipped_folders(python)
    hooks = build_hook_declarations(manifests)
    build_calls = build_call_declarations(manifests, python)
    anywhere = _declared_anywhere(manifests)
    for file in python.files:
        scope = scopes.nearest(file.file.root, file.file.relpath)
        if scope is None:
            declared = _image_base_declaration(file, manifests, scopes)
        else:
            key = (scope.root, scope.folder)
            declared = declared_cache.get(key) or declared_cache.setdefault(key, scope.declaration)
        itself = own_declaration(file, hooks)
        called_in_build = build_calls.get((file.file.root, file.file.relpath))
        left_out = _outside_the_build(file, scope)
        label = scope.label if scope else "<none>"
        imports = list(third_party_imports(file, own))
        optional_module = (file.file.root, file.file.relpath) in optional_files
        for imported, is_hard in _hard_imports(file, imports, _ships(file, scope, not_shipped), optional_module):
            if scope is not None:
                below[(scope.root, scope.folder)].append(imported.module)
            if declared.provides(imported.module) or (itself is not None and itself.provides(imported.module)):
                continue
            if imported.deferred and called_in_build is not None and called_in_build.provides(imported.module):
                continue
            hard = is_hard and not (left_out and anywhere.provides(imported.module))
            sites[(label, suggested(imported.module), hard)].append((file, imported, scope))
    return below, sites


def _image_base_declaration(file: PythonFile, manifests: ManifestFacts, scopes: Scopes) -> Declared:
    """What the manifests of the image a module's image is built on declare, for a module no
    manifest above covers: Mailu's ``core/admin`` has none, and its Dockerfile starts ``FROM
    base``, the bake target that installs ``core/base/requirements-prod.txt``
    (``ManifestFacts.image_bases``). Nothing for any other module."""
    root, relpath = file.file.root, file.file.relpath
    for base_root, folder, base in manifests.image_bases:
        if base_root == root and relpath.startswith(f"{folder}/"):
            scope = scopes.nearest(root, f"{base}/_")
            if scope is not None and scope.folder == base:
                return scope.declaration
    return Declared(())


def _outside_the_build(file: PythonFile, scope: Scope | None) -> bool:
    """A module in its scope's own folder that the scope's build never ships: setuptools (the
    only backend whose rules are read here) ships packages, and single files only when
    ``py_modules`` or ``scripts`` name them; so with the packages named (found or listed, not
    computed) and neither of those, django-cms's ``testserver.py``, beside ``pyproject.toml``'s
    ``packages = { find = { include = ["cms*", "menus*"] } }``, stays in the checkout. Not
    ``setup.py``, which runs when the project builds."""
    if scope is None or file.file.root != scope.root or file.file.name == "setup.py":
        return False
    if file.file.relpath.rpartition("/")[0] != scope.folder:
        return False
    settings = [m.packaging for m in scope.manifests if m.packaging is not None]
    named = [p.packages for p in settings if p.packages is not None]
    return bool(named) and all(d.kind is not DiscoveryKind.COMPUTED for d in named) and all(
        (p.backend is None or p.backend.startswith("setuptools")) and not p.loose_files for p in settings
    )


def _undeclared(
    python: PythonFacts, manifests: ManifestFacts, import_graph: ImportGraphs | None, *, hard: bool
) -> Iterator[CheckOutput]:
    if not python.files:
        raise NotApplicable("no Python files")
    anywhere = _declared_anywhere(manifests)
    each = [(m, Declared.of(m.dependencies)) for m in manifests.declaring]  # once, not per finding
    for item in _unprovided(python, manifests, import_graph):
        if item.hard is not hard or item.kind != "undeclared":
            continue
        file, imported = item.sites[0]
        scope = item.scope
        modules = sorted({f.file.display for f, _ in item.sites})
        elsewhere = sorted(m.file.display for m, declared in each if declared.provides(imported.module))
        target = scope.target.file.display if scope else None
        where = f"not declared in {target}" if target else "no manifest above it declares dependencies"
        also = f"; declared in {', '.join(elsewhere[:_SHOWN])}" if elsewhere else ""
        if not anywhere.provides(imported.module):
            also = "; declared in no manifest of the workspace"
        computed = [m.file.display for m in (scope.declaring if scope else ()) if m.dynamic]
        if computed:
            also += f" ({computed[0]} computes part of its dependencies at build time: it may declare it)"
        yield fail(
            f"{item.package} is imported by {plural(len(modules), 'module')} but {where}{also}",
            severity=Severity.MEDIUM if computed and hard else None,
            at=file.file.at(imported.line),
            evidence=_evidence(item),
            key=f"{scope.label if scope else ''}:{item.package}",
            package=item.package,
            manifest=target,
            modules=len(modules),
            declared_in=tuple(elsewhere),
        )


def _evidence(item: _Unprovided) -> str:
    return "\n".join(f"{f.file.display}:{i.line}: import {i.module}" for f, i in item.sites[:_SHOWN])


def plan_transitive(findings: Sequence[Finding]) -> Grouping:
    """One action per manifest: the packages to declare, and what installs them today."""
    by_manifest: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_manifest[str(finding.get("manifest"))].append(finding)
    for manifest, group in sorted(by_manifest.items()):
        names = sorted({str(f.get("package")) for f in group}, key=str.lower)
        via = sorted({str(f.get("via", ("?",))[0]) for f in group})
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        yield f"declare {shown} directly in {manifest} (installed today only through {', '.join(via[:4])})", group


@check(
    "DEP008",
    "Imports do not rely on a transitive dependency",
    category=Category.DEPENDENCIES,
    severity=Severity.LOW,
    plan=plan_transitive,
)
def transitive_imports(
    python: PythonFacts, manifests: ManifestFacts, import_graph: ImportGraphs | None
) -> Iterator[CheckOutput]:
    """Why: the code imports a distribution that no manifest declares, but the lock file installs it
    because a declared one requires it (``starlette`` under ``fastapi``, ``sqlalchemy`` under
    ``sqlmodel``). It works today, and the lock file proves it is installed; but its version is
    whatever the other package allows, and the day that package drops or re-ranges it the import
    breaks with no change here. With no lock file, the metadata of the declared distribution
    installed next to gonogo shows the chain, or else what its latest release requires on PyPI
    (gonogo's table, ``scripts/published_requires.py``) when the declaration pins that release
    series or admits it. Not the same defect as a missing dependency (DEP001), so it does not
    count as undeclared and does not block.
    Fix: declare the distribution directly, with the range the code needs."""
    if not python.files:
        raise NotApplicable("no Python files")
    for item in _unprovided(python, manifests, import_graph):
        if not item.hard or item.transitive is None or item.scope is None:
            continue
        file, imported = item.sites[0]
        chain = item.transitive.chain
        modules = len({f.file.display for f, _ in item.sites})
        yield fail(
            f"{item.package} is imported by {plural(modules, 'module')} and {item.scope.target.file.display}"
            f" does not declare it: it is installed because {chain[0]} requires it"
            f" ({item.transitive.lock}: {' -> '.join(chain)})",
            at=file.file.at(imported.line),
            evidence=_evidence(item),
            key=f"{item.scope.label}:{item.package}",
            package=item.package,
            manifest=item.scope.target.file.display,
            via=chain,
        )


@check(
    "DEP009",
    "Every third-party import's distribution can be told",
    category=Category.DEPENDENCIES,
    severity=Severity.LOW,
)
def unknown_providers(
    python: PythonFacts, manifests: ManifestFacts, import_graph: ImportGraphs | None
) -> Iterator[CheckOutput]:
    """Why: an import that no declared distribution is known to provide, while the manifest declares
    a distribution whose import names gonogo cannot know (not installed here, not in its table) and
    whose name resembles the import (``humps`` and ``pyhumps``): that distribution may well provide
    it, so calling the import undeclared would be a guess. Reported apart from DEP001, at low
    severity, never counted as undeclared.
    Fix: nothing if the named distribution provides the import; otherwise declare the distribution
    that does. Installing the project's dependencies next to gonogo lets it read their metadata."""
    if not python.files:
        raise NotApplicable("no Python files")
    for item in _unprovided(python, manifests, import_graph):
        if not item.hard or item.kind != "unknown" or item.scope is None:
            continue
        file, imported = item.sites[0]
        modules = len({f.file.display for f, _ in item.sites})
        yield fail(
            f"{imported.module.split('.')[0]} is imported by {plural(modules, 'module')}; no distribution"
            f" {item.scope.target.file.display} declares is known to provide it, but"
            f" {', '.join(item.maybe[:_SHOWN])} may (import names unknown)",
            at=file.file.at(imported.line),
            evidence=_evidence(item),
            key=f"{item.scope.label}:{item.package}",
            package=item.package,
            candidates=item.maybe,
        )


@check(
    "DEP003",
    "Every declared dependency is used",
    category=Category.DEPENDENCIES,
    severity=Severity.LOW,
    counts="deps.unused",
)
def unused_dependencies(python: PythonFacts, manifests: ManifestFacts) -> Iterator[CheckOutput]:
    """Why: a dependency nobody imports still has to be installed, patched and audited, and widens
    the attack surface. Servers, database drivers, plugins and tools are used without an import and
    are not reported, nor are the transitive pins of pip-compile or `uv pip compile` output.
    Fix: remove it from the manifest, or if it is used without an import (a plugin loaded by name),
    waive the finding with the reason."""
    scopes = Scopes(manifests)
    if not scopes.scopes or not python.files:
        raise NotApplicable("no manifests, or no Python code to use them")
    for scope in scopes.scopes.values():
        below = [
            i.module
            for f in python.files
            if f.file.root == scope.root and (not scope.folder or f.file.relpath.startswith(f"{scope.folder}/"))
            for i in f.facts.imports
            if not i.level and i.module
        ]
        if not below:
            continue
        modules = set(below)
        projects = {m.project_name for m in scope.manifests if m.project_name}
        for manifest in scope.manifests:
            # a requirements group's file (requirements/extras/cassandra.txt) may be an optional
            # feature's, imported only where it is installed (Celery's ephem, by __import__): as
            # an extra's requirements are, it is not judged
            if manifest.is_lock or manifest.compiled or in_requirements_group(manifest.folder):
                continue
            for dep in manifest.dependencies:
                if dep.group is not None or dep.ecosystem != "PyPI" or dep.name in projects:
                    continue
                if is_runtime_only(dep.name) or used_by(dep, modules):
                    continue
                yield fail(
                    f"{dep.display_name} is declared but no module under {scope.label} imports it",
                    at=dep.file.at(dep.line),
                    key=dep.name,
                    package=dep.display_name,
                )


@check(
    "DEP004",
    "A distribution is required at one version across the workspace",
    category=Category.DEPENDENCIES,
    severity=Severity.MEDIUM,
    counts="deps.inconsistent",
)
def inconsistent_versions(manifests: ManifestFacts) -> Iterator[CheckOutput]:
    """Why: services that pin one library at different versions behave differently, get different
    security fixes, and cannot share code safely.
    Fix: choose one version and use it in every manifest (or a shared constraints file)."""
    declared = [d for m in manifests.declaring for d in m.dependencies if d.ecosystem == "PyPI"]
    if not declared:
        raise NotApplicable("no declared dependencies")
    by_name: dict[str, list[Dependency]] = defaultdict(list)
    for dep in declared:
        by_name[dep.name].append(dep)
    for name, deps in sorted(by_name.items()):
        conflict = _conflict(deps)
        if conflict is None:
            continue
        first = min(deps, key=lambda d: (d.file.display, d.line or 0))
        yield fail(
            f"{first.display_name} is required at different versions: {conflict}",
            at=first.file.at(first.line),
            evidence="\n".join(f"{d.at}: {d.display_name}{d.specifier or ' (any)'}" for d in deps),
            key=name,
            package=first.display_name,
        )


def _conflict(deps: Sequence[Dependency]) -> str | None:
    """Two different pins, or a pin another declaration's specifier excludes."""
    pins = sorted({d.pinned for d in deps if d.pinned})
    if len(pins) > 1:
        return ", ".join(f"=={p}" for p in pins)
    if not pins:
        return None
    try:
        pinned = Version(pins[0])
    except InvalidVersion:
        return None
    for dep in deps:
        if dep.pinned or not dep.specifier:
            continue
        try:
            if pinned not in SpecifierSet(dep.specifier, prereleases=True):
                return f"=={pins[0]} and {dep.specifier}"
        except InvalidSpecifier:
            continue
    return None


@check(
    "DEP005",
    "Applications pin their dependencies or have a lock file",
    category=Category.DEPENDENCIES,
    severity=Severity.MEDIUM,
    counts="deps.unpinned",
)
def unpinned_dependencies(manifests: ManifestFacts) -> Iterator[CheckOutput]:
    """Why: an application installed from ranges gets whatever is newest on the day it is built:
    two builds of one commit can differ, and a bad release breaks production with no code change.
    Libraries are not judged: they should declare ranges, and nor are the inputs of pip-compile or
    ``uv pip compile`` (warehouse's ``requirements/main.in``) beside the pinned file it writes,
    which is the folder's lock.
    Fix: pin exact versions (``pip-compile``, ``uv pip compile``) or commit a lock file
    (``uv lock``, ``poetry lock``)."""
    scopes = Scopes(manifests)
    if not manifests.declaring:
        raise NotApplicable("no manifests declare dependencies")
    for scope in scopes.scopes.values():
        chain = list(scopes.ancestors(scope))
        if any(m.locks_versions or m.compiled for s in chain for m in s.manifests):
            continue
        if any(m.is_application is False for s in chain for m in s.manifests):
            continue
        pinning = _constraints(scope)
        constrained = {
            d.name for m in manifests.manifests if m.file.display in pinning for d in m.dependencies if d.pinned
        }
        for manifest in scope.manifests:
            for dep in manifest.dependencies:
                if manifest.is_lock or dep.group is not None or dep.pinned or dep.url:
                    continue
                if dep.name in constrained:
                    continue
                yield fail(
                    f"{dep.display_name}{dep.specifier or ''} is not pinned to one version"
                    f" and {scope.label} has no lock file",
                    at=dep.file.at(dep.line),
                    key=dep.name,
                    package=dep.display_name,
                )


def _constraints(scope: Scope) -> set[str]:
    return {c for m in (*scope.manifests, *scope.included) for c in m.constraints}


_LOCK_PAIRS = {
    "uv.lock": ("pyproject", "poetry"),
    "poetry.lock": ("poetry", "pyproject"),
    "pylock.toml": ("pyproject", "poetry"),
    "Pipfile.lock": ("pipfile",),
}


@check(
    "DEP006",
    "Lock files agree with their manifests",
    category=Category.DEPENDENCIES,
    severity=Severity.MEDIUM,
)
def stale_lock(manifests: ManifestFacts) -> Iterator[CheckOutput]:
    """Why: a lock file out of step with its manifest means the build installs something other
    than what the manifest says (or fails with a resolver error in CI).
    Fix: regenerate the lock file (``uv lock``, ``poetry lock``, ``pipenv lock``) and commit it."""
    pairs = [
        (lock, manifest)
        for lock in manifests.locks
        for manifest in manifests.declaring
        if lock.kind in _LOCK_PAIRS
        and manifest.kind in _LOCK_PAIRS[lock.kind]
        and manifest.file.root == lock.file.root
        and manifest.folder == lock.folder
    ]
    if not pairs:
        raise NotApplicable("no lock file next to a manifest it locks")
    for lock, manifest in pairs:
        if lock.errors:
            continue  # DEP007 reports it; nothing can be compared
        locked = {d.name: d for d in lock.dependencies}
        for dep in manifest.dependencies:
            if dep.ecosystem != "PyPI" or dep.url or dep.name == manifest.project_name:
                continue
            entry = locked.get(dep.name)
            if entry is None:
                if dep.marker or (lock.kind == "pylock.toml" and dep.group):
                    continue  # excluded by a marker, or a group the lock need not hold
                yield fail(
                    f"{dep.display_name} is declared in {manifest.file.display} but not in {lock.file.display}",
                    at=dep.file.at(dep.line),
                    key=f"{lock.file.display}:{dep.name}",
                    package=dep.display_name,
                )
            elif _excluded(entry.pinned, dep.specifier):
                yield fail(
                    f"{lock.file.display} locks {dep.display_name} {entry.pinned}, which"
                    f" {manifest.file.display} excludes ({dep.specifier})",
                    at=entry.file.at(entry.line),
                    key=f"{lock.file.display}:{dep.name}",
                    package=dep.display_name,
                )


def _excluded(version: str | None, specifier: str) -> bool:
    if not version or not specifier:
        return False
    try:
        return Version(version) not in SpecifierSet(specifier, prereleases=True)
    except (InvalidVersion, InvalidSpecifier):
        return False


@check(
    "DEP007",
    "Dependency manifests parse",
    category=Category.DEPENDENCIES,
    severity=Severity.MEDIUM,
)
def manifest_errors(manifests: ManifestFacts) -> Iterator[CheckOutput]:
    """Why: a manifest line that does not parse makes pip, uv or poetry fail, or worse, is skipped
    by one tool and read by another; a lock file that does not parse locks nothing.
    Fix: correct the line named in the finding (the reason is the parser's)."""
    yield Metric(name="deps.manifests", value=float(len(manifests.manifests)))
    yield Metric(name="deps.unreadable_manifests", value=float(len(manifests.unreadable)))
    yield Metric(
        name="deps.declared",
        value=float(len({d.name for m in manifests.declaring for d in m.dependencies})),
    )
    if not manifests.manifests:
        raise NotApplicable("no dependency manifests")
    for manifest in manifests.manifests:
        for line, reason in manifest.errors:
            whole = line is None or not manifest.dependencies
            yield fail(
                f"{manifest.kind} {manifest.file.display}: {reason.splitlines()[0]}",
                at=manifest.file.at(line),
                severity=Severity.HIGH if whole else None,
                evidence=reason,
                key=f"{reason.splitlines()[0][:80]}",
            )
