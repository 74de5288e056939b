"""``pyproject.toml`` as a manifest: PEP 621 dependencies and optional dependencies, PEP 735
dependency groups, and Poetry's tables (read by ``poetry``)."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from gonogo.collectors.manifests.fields import add_pep508, add_requirement, list_at, table_at
from gonogo.collectors.manifests.model import BuildHook, Dependency, Errors, Manifest, normalise
from gonogo.collectors.manifests.package_discovery import pyproject_packaging
from gonogo.collectors.manifests.poetry import poetry_dependencies
from gonogo.collectors.manifests.tomltext import LineFinder, load_toml
from gonogo.workspace import SourceFile


def parse_pyproject(text: str, file: SourceFile) -> Manifest | None:
    """A ``pyproject.toml`` is a manifest when it describes a project or its dependencies
    (``[project]``, ``[build-system]``, Poetry's project tables, ``[dependency-groups]``); one that
    only configures tools (``[tool.ruff]``) declares nothing and is ``None``."""
    data, error = load_toml(text)
    if data is None:
        return Manifest(file=file, kind="pyproject", is_lock=False, dependencies=(), errors=(error,))  # type: ignore[arg-type]
    if not is_project_pyproject(data):
        return None
    lines = LineFinder(text)
    deps: list[Dependency] = []
    errors: Errors = []
    start = lines.section("project")
    project = table_at(data, "project", "", lines, errors)
    for item in list_at(project, "dependencies", "project.", lines, errors):
        add_pep508(item, file, lines, start, None, deps, errors)
    extras_start = lines.section("project.optional-dependencies") or start
    for extra, items in table_at(project, "optional-dependencies", "project.", lines, errors).items():
        for item in list_at({extra: items}, extra, "project.optional-dependencies.", lines, errors):
            add_pep508(item, file, lines, extras_start, str(extra), deps, errors)
    groups_start = lines.section("dependency-groups")
    for group, items in table_at(data, "dependency-groups", "", lines, errors).items():
        for item in list_at({group: items}, group, "dependency-groups.", lines, errors):
            if isinstance(item, dict):
                continue  # {include-group = "..."}: that group's own entries are read already
            add_pep508(item, file, lines, groups_start, str(group), deps, errors)
    tool = table_at(data, "tool", "", lines, errors)
    poetry = table_at(tool, "poetry", "tool.", lines, errors)
    deps.extend(poetry_dependencies(poetry, file, lines, errors))
    build = table_at(data, "build-system", "", lines, errors)
    is_poetry = bool(poetry.get("dependencies") or poetry.get("group"))
    package_mode = poetry.get("package-mode", True)
    named = project.get("name") or poetry.get("name")
    return Manifest(
        file=file,
        kind="poetry" if is_poetry and not project.get("dependencies") else "pyproject",
        is_lock=False,
        dependencies=tuple(deps),
        errors=tuple(errors),
        project_name=normalise(named) if isinstance(named, str) else None,
        is_application=None if not (project or poetry) else (not build or package_mode is False),
        packaging=pyproject_packaging(
            data, lines.section("tool.setuptools.packages.find") or lines.section("tool.setuptools")
        ),
        generated_modules=_version_files(tool),
        build_requires=_requirements(build.get("requires"), file),
        build_hooks=_hatch_hooks(tool, file) + _pdm_hooks(build, tool),
        build_attr_modules=_setuptools_attr_modules(build, tool),
    )


SETUPTOOLS_BACKENDS = frozenset({"setuptools.build_meta", "setuptools.build_meta:__legacy__"})
ATTR_NAME = re.compile(r"[A-Za-z_]\w{0,99}(?:\.[A-Za-z_]\w{0,99}){1,15}")
"""``package.module.attribute``: bounded, so a 10,000-character value is refused, not read."""


def _setuptools_attr_modules(build: dict[str, Any], tool: dict[str, Any]) -> tuple[str, ...]:
    """The modules of ``[tool.setuptools.dynamic]``'s ``{attr = "pkg.module.name"}`` values, when
    setuptools is the build backend (another backend never reads that table). Read leniently, as
    Hatch's tables are: a value of another shape names no module."""
    if build.get("build-backend") not in SETUPTOOLS_BACKENDS:
        return ()
    found: list[str] = []
    for value in _table(_table(tool, "setuptools"), "dynamic").values():
        attr = value.get("attr") if isinstance(value, dict) else None
        if isinstance(attr, str) and ATTR_NAME.fullmatch(attr):
            found.append(attr.rpartition(".")[0])
    return tuple(dict.fromkeys(found))


def _version_files(tool: dict[str, Any]) -> tuple[str, ...]:
    """The version files the build writes (``Manifest.generated_modules``). Read leniently: these
    tables configure the build tools, which report their own errors."""
    found: list[object] = []
    hatch_build = _table(_table(tool, "hatch"), "build")
    found.append(_table(_table(hatch_build, "hooks"), "vcs").get("version-file"))
    for target in _table(hatch_build, "targets").values():
        found.append(_table(_table(target, "hooks"), "vcs").get("version-file") if isinstance(target, dict) else None)
    scm = _table(tool, "setuptools_scm")
    found += [scm.get("version_file"), scm.get("write_to")]
    return tuple(dict.fromkeys(path for path in found if isinstance(path, str) and path.endswith(".py")))


HATCH_HOOK_DEFAULT = "hatch_build.py"
"""The file of a Hatch custom hook whose table names no ``path``."""


def _hatch_hooks(tool: dict[str, Any], file: SourceFile) -> tuple[BuildHook, ...]:
    """Hatch's custom hooks: ``[tool.hatch.build.hooks.custom]``, the same under each
    ``[tool.hatch.build.targets.<target>]``, and ``[tool.hatch.metadata.hooks.custom]``. Read
    leniently, as the version files are: a table of the wrong shape names no hook, and a path that
    leaves the project (absolute, or through ``..``) names none either."""
    hatch = _table(tool, "hatch")
    build = _table(hatch, "build")
    tables = [build, _table(hatch, "metadata")]
    tables += [target for target in _table(build, "targets").values() if isinstance(target, dict)]
    found: dict[str, BuildHook] = {}
    for table in tables:
        custom = _table(table, "hooks").get("custom")
        if not isinstance(custom, dict):
            continue
        path = _inside(custom.get("path", HATCH_HOOK_DEFAULT))
        if path is not None and path not in found:
            found[path] = BuildHook(path=path, dependencies=_requirements(custom.get("dependencies"), file))
    return tuple(found.values())


PDM_BACKEND = "pdm.backend"
PDM_HOOK_DEFAULT = "pdm_build.py"
"""The file pdm-backend runs as the project's build hook when ``[tool.pdm.build] custom-hook``
names none (SQLModel's and FastAPI's ``pdm_build.py``)."""


def _pdm_hooks(build: dict[str, Any], tool: dict[str, Any]) -> tuple[BuildHook, ...]:
    """pdm-backend's custom hook, only when it is the build backend: the file ``[tool.pdm.build]
    custom-hook`` names, else ``pdm_build.py``. Under another backend that file is not run by the
    build, so its imports keep the stricter judgement. Read leniently, as Hatch's tables are."""
    if build.get("build-backend") != PDM_BACKEND:
        return ()
    path = _inside(_table(_table(tool, "pdm"), "build").get("custom-hook", PDM_HOOK_DEFAULT))
    return () if path is None else (BuildHook(path=path),)


def _inside(path: object) -> str | None:
    """A relative POSIX path that stays inside the manifest's folder, normalised; else ``None``."""
    if not isinstance(path, str) or not path.endswith(".py"):
        return None
    normal = posixpath.normpath(path.replace("\\", "/"))
    if posixpath.isabs(normal) or normal == ".." or normal.startswith("../"):
        return None
    return normal


def _requirements(items: object, file: SourceFile) -> tuple[Dependency, ...]:
    """The PEP 508 strings of a build table's list; another value, or a string that is no
    requirement, is left for the build tool to report (it is not the project's declaration)."""
    deps: list[Dependency] = []
    for item in items if isinstance(items, list) else ():
        if isinstance(item, str):
            add_requirement(item, file, None, None, deps, [])
    return tuple(deps)


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def is_project_pyproject(data: dict[str, Any]) -> bool:
    """Whether a parsed ``pyproject.toml`` plays a manifest's role rather than only holding tool settings."""
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if poetry is not None and not isinstance(poetry, dict):
        return True  # a Poetry project whose table is broken: the parser names what is wrong
    poetry = poetry if isinstance(poetry, dict) else {}
    poetry_project = any(key in poetry for key in ("name", "dependencies", "group", "dev-dependencies"))
    return any(key in data for key in ("project", "build-system", "dependency-groups")) or poetry_project
