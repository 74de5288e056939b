"""The ``package_layout`` fact: what decides whether a folder without ``__init__.py`` breaks
something. Two tools care, each in its own way:

- setuptools' ``find_packages()`` (``packages = find:``, ``[tool.setuptools.packages.find]`` with
  ``namespaces = false``) ships only folders holding an ``__init__.py``: the projects built that
  way are listed, with the settings ``find`` takes. The packaging comes from the ``manifests``
  fact, which parsed those files already.
- pytest's default import mode names a test module by its package chain, so two
  ``test_models.py`` in folders without ``__init__.py`` are both ``test_models``: the pytest
  configuration files (the ones pytest itself reads, in its order) are read here for what changes
  that (``--import-mode``, ``consider_namespace_packages``) and for what it collects
  (``python_files``, ``testpaths``, ``norecursedirs``, ``--ignore``).

A file that does not parse is a note and counts as "cannot tell", never as a default.
"""

from __future__ import annotations

import configparser
import posixpath
import re
import shlex
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonogo.collectors.ci import CiFacts, Command
from gonogo.collectors.ci_scripts import shell_segments, split_words
from gonogo.collectors.ci_workflows import _PYTEST_FLAGS  # the one list of pytest's value-less options
from gonogo.collectors.manifests.model import Manifest, ManifestFacts
from gonogo.collectors.manifests.package_discovery import Discovery, DiscoveryKind, Packaging
from gonogo.collectors.manifests.tomltext import load_toml
from gonogo.notes import Notes
from gonogo.registry import collector
from gonogo.workspace import FileReadError, SourceFile, Workspace

_TEMPLATE_PATH = re.compile(r"\{\{.*?\}\}")
"""A Cookiecutter/Copier template's file: pytest reads it only once the template is rendered."""
_SETUPTOOLS_BACKENDS = frozenset({"setuptools.build_meta", "setuptools.build_meta:__legacy__"})
PYTEST_CONFIG_NAMES = (
    "pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg",
)
"""pytest's own search order in one folder (``_pytest/config/findpaths.py``): the first file that
holds pytest configuration is the one it reads."""
DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
DEFAULT_NORECURSE = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}")
_COLLECTION_HOOKS = ("collect_ignore", "pytest_ignore_collect", "pytest_collect_file", "pytest_pycollect_makemodule")
_BUILD_MANIFESTS = frozenset({"pyproject", "poetry", "setup.cfg", "setup.py"})
_IMPORT_MODE_WORDS = ("--import-mode", "PYTEST_ADDOPTS")
_ELSEWHERE = frozenset({"docker", "docker-compose", "podman", "kubectl", "ssh", "tox", "nox", "install", "add", "echo"})
"""Words before ``pytest`` that mean it is not run here, now (a container, a tox env, ``pip install``)."""
_RUNNER_FILES = frozenset({"tox.ini", "noxfile.py", "Makefile", "justfile"})


@dataclass(frozen=True, slots=True, kw_only=True)
class FindPackagesProject:
    """A project setuptools builds with ``find_packages()``: a sub-folder without ``__init__.py``
    is left out of its distribution (no ``MANIFEST.in`` or setuptools-scm ships it as data)."""

    root: Path
    folder: str
    """The project's folder, relative to the root (``""`` at the root)."""
    declared: SourceFile
    discovery: Discovery
    ships_as_data: str | None = None
    """Why a folder without ``__init__.py`` ships anyway (``include_package_data`` with a
    ``MANIFEST.in``, or with setuptools-scm); ``None`` when it does not."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PytestConfig:
    """The pytest configuration one folder's first configuration file holds."""

    file: SourceFile
    folder: str
    import_mode: str = "prepend"
    consider_namespace_packages: bool = False
    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    testpaths: tuple[str, ...] = ()
    norecursedirs: tuple[str, ...] = DEFAULT_NORECURSE
    ignores: tuple[str, ...] = ()
    unreadable: str | None = None
    """Why the file could not be read; pytest would stop on it, and nothing is judged."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageLayout:
    find_projects: tuple[FindPackagesProject, ...] = ()
    pytest_configs: tuple[PytestConfig, ...] = ()
    collection_hooks: tuple[SourceFile, ...] = ()
    """``conftest.py`` files that change what pytest collects (``collect_ignore``, a
    ``pytest_ignore_collect`` hook...): below them, which files are collected is not told."""
    import_mode_runners: tuple[SourceFile, ...] = ()
    """tox, nox, make or CI files that pass ``--import-mode`` or set ``PYTEST_ADDOPTS``."""
    ci_pytest_runs: tuple[tuple[Path, str], ...] = ()
    """(root, folder or file) of each pytest run a CI command spells out (``working-directory``
    and ``cd`` followed, test paths read): where CI runs pytest, only files one run collects
    together can collide. Empty when CI runs pytest nowhere it can be read."""


@collector("package_layout")
def package_layout(workspace: Workspace, manifests: ManifestFacts, ci: CiFacts, notes: Notes) -> PackageLayout:
    files = workspace.files
    ci_runners = tuple(item.file for item in ci.files if any(_passes_import_mode(c) for c in item.commands))
    return PackageLayout(
        find_projects=tuple(find_projects(manifests.manifests, {(f.root, f.relpath) for f in files})),
        pytest_configs=tuple(_pytest_configs(workspace, notes)),
        collection_hooks=tuple(
            _mentioning(workspace, (f for f in files if f.name == "conftest.py"), _COLLECTION_HOOKS)
        ),
        import_mode_runners=ci_runners + tuple(
            _mentioning(workspace, (f for f in files if f.name in _RUNNER_FILES), _IMPORT_MODE_WORDS)
        ),
        ci_pytest_runs=tuple(sorted({
            (item.file.root, scope)
            for item in ci.files
            for command in item.commands
            if command.is_shell
            for scope in pytest_runs(command.text, command.workdir)
        })),
    )


def _passes_import_mode(command: Command) -> bool:
    texts = [command.text, *(r.text for r in command.reaches)]
    return any(word in text for text in texts for word in _IMPORT_MODE_WORDS)


# -- CI --------------------------------------------------------------------------------------------


def pytest_runs(text: str, workdir: str) -> Iterator[str]:
    """The folder or files each pytest run of one shell text collects from (relative to the root),
    with ``cd`` followed. A run whose paths only the shell knows (``$TESTS``) or that runs
    elsewhere (a container, tox) is left out."""
    folder: str | None = workdir
    for segment in shell_segments(text):
        words = split_words(segment)
        if not words or folder is None:
            return
        if words[0] in ("cd", "pushd"):
            target = words[1] if len(words) == 2 else "$"
            folder = None if "$" in target or target.startswith(("/", "~", "-")) else _join_path(folder, target)
            continue
        start = next((i for i, w in enumerate(words) if posixpath.basename(w) in ("pytest", "py.test")), None)
        if start is None or _ELSEWHERE & set(words[:start]) or "$" in segment or "--pyargs" in words:
            continue
        paths = list(_test_paths(words[start + 1 :]))
        yield from (_join_path(folder, p) for p in paths) if paths else (folder,)


def _test_paths(words: list[str]) -> Iterator[str]:
    """The positional arguments: a word after an option that may take a value (``-k expr``) is
    that value, unless the option is one known to take none."""
    previous = ""
    for word in words:
        after_option = previous.startswith("-") and "=" not in previous and previous not in _PYTEST_FLAGS
        previous = word
        if not after_option and not word.startswith("-"):
            yield word.split("::", 1)[0]


def _join_path(base: str, path: str) -> str:
    joined = posixpath.normpath(posixpath.join(base, path))
    return "" if joined == "." else joined


# -- setuptools ------------------------------------------------------------------------------------


def find_projects(manifests: Iterable[Manifest], files: set[tuple[Path, str]]) -> Iterator[FindPackagesProject]:
    """Projects whose packages setuptools finds with ``find``. A project whose manifests disagree
    (``setup.py`` and ``setup.cfg`` both set ``packages``), whose backend is not setuptools, or
    whose ``packages`` is computed, is left out: what ships there cannot be told from the text."""
    by_folder: dict[tuple[Path, str], list[Manifest]] = defaultdict(list)
    for manifest in manifests:
        if manifest.kind in _BUILD_MANIFESTS:
            by_folder[(manifest.file.root, manifest.folder)].append(manifest)
    for (root, folder), group in sorted(by_folder.items()):
        settings = [m.packaging for m in group if m.packaging is not None]
        if len(settings) < len(group):
            continue  # one of them did not parse: it may name another backend or list the packages
        backends = {s.backend for s in settings if s.backend is not None}
        if backends - _SETUPTOOLS_BACKENDS:
            continue  # hatchling, flit, poetry, pdm: each ships the package's whole folder
        declared = [(m, m.packaging.packages) for m in group if m.packaging and m.packaging.packages]
        if len(declared) != 1 or declared[0][1].kind is not DiscoveryKind.FIND:
            continue
        manifest, discovery = declared[0]
        yield FindPackagesProject(
            root=root, folder=folder, declared=manifest.file, discovery=discovery,
            ships_as_data=_ships_as_data(settings, root, folder, files),
        )


def _ships_as_data(settings: list[Packaging], root: Path, folder: str, files: set[tuple[Path, str]]) -> str | None:
    """``include_package_data`` ships every file of the sdist's file list found in a package's
    folder, ``.py`` files of a sub-folder included (setuptools warns "Installing 'pkg.sub' as data
    is deprecated"): that list is ``MANIFEST.in``'s, or git's with setuptools-scm."""
    include = any(s.include_package_data is True for s in settings) and not any(
        s.include_package_data is False for s in settings
    )
    if not include:
        return None
    if (root, f"{folder}/MANIFEST.in" if folder else "MANIFEST.in") in files:
        return "include_package_data with a MANIFEST.in"
    if any(s.scm_files for s in settings):
        return "include_package_data with setuptools-scm"
    return None


# -- pytest ----------------------------------------------------------------------------------------


def _pytest_configs(workspace: Workspace, notes: Notes) -> Iterator[PytestConfig]:
    by_folder: dict[tuple[Path, str], dict[str, SourceFile]] = defaultdict(dict)
    for file in workspace.files:
        if file.name in PYTEST_CONFIG_NAMES and not _TEMPLATE_PATH.search(file.relpath):
            by_folder[(file.root, file.relpath.rpartition("/")[0])][file.name] = file
    for (_, folder), named in sorted(by_folder.items()):
        for name in PYTEST_CONFIG_NAMES:
            if name not in named:
                continue
            config = _read_pytest_config(workspace, named[name], folder)
            if config is None:
                continue
            if config.unreadable:
                notes.add(f"pytest configuration not read: {config.unreadable}", path=config.file.display,
                          source="package_layout")
            yield config
            break


def _read_pytest_config(workspace: Workspace, file: SourceFile, folder: str) -> PytestConfig | None:
    """The file's pytest settings; ``None`` when it holds none (pytest then reads the next file)."""
    try:
        text = workspace.read_text(file)
    except FileReadError as exc:
        return PytestConfig(file=file, folder=folder, unreadable=str(exc))
    if file.name.endswith(".toml"):
        data, error = load_toml(text)
        if data is None:
            return PytestConfig(file=file, folder=folder, unreadable=error[1] if error else "invalid TOML")
        values = _toml_settings(data, file.name)
    else:
        try:
            values = _ini_settings(text, file.name)
        except configparser.Error as exc:
            return PytestConfig(file=file, folder=folder, unreadable=f"invalid INI: {exc}".splitlines()[0])
    if values is None:
        return None
    return _config_from(values, file, folder)


def _toml_settings(data: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    if name in ("pytest.toml", ".pytest.toml"):
        found = data.get("pytest")
        return found if isinstance(found, dict) else {}
    tool = data.get("tool")
    section = tool.get("pytest") if isinstance(tool, dict) else None
    if not isinstance(section, dict):
        return None
    ini = section.get("ini_options")
    return ini if isinstance(ini, dict) else {k: v for k, v in section.items() if k != "ini_options"}


def _ini_settings(text: str, name: str) -> Mapping[str, Any] | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read_string(text)
    section = "tool:pytest" if name == "setup.cfg" else "pytest"
    if parser.has_section(section):
        return dict(parser.items(section))
    return {} if name in ("pytest.ini", ".pytest.ini") else None  # pytest.ini is the config even when empty


def _config_from(values: Mapping[str, Any], file: SourceFile, folder: str) -> PytestConfig:
    addopts = _args(values.get("addopts"))
    return PytestConfig(
        file=file,
        folder=folder,
        import_mode=_option(addopts, "--import-mode") or "prepend",
        consider_namespace_packages=str(values.get("consider_namespace_packages", "false")).strip().lower()
        in ("true", "1", "yes", "on"),
        python_files=_args(values.get("python_files")) or DEFAULT_PYTHON_FILES,
        testpaths=_args(values.get("testpaths")),
        norecursedirs=_args(values.get("norecursedirs")) or DEFAULT_NORECURSE,
        ignores=tuple(
            value for flag in ("--ignore", "--ignore-glob") for value in _options(addopts, flag)
        ),
    )


def _args(value: object) -> tuple[str, ...]:
    """An ``args``/``linelist`` setting: a TOML list, or a string split the way a shell would."""
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError:
            return tuple(value.split())
    return ()


def _option(args: tuple[str, ...], flag: str) -> str | None:
    found = list(_options(args, flag))
    return found[-1] if found else None  # the last one given wins, as argparse has it


def _options(args: tuple[str, ...], flag: str) -> Iterator[str]:
    for index, arg in enumerate(args):
        if arg.startswith(flag + "="):
            yield arg.split("=", 1)[1]
        elif arg == flag and index + 1 < len(args):
            yield args[index + 1]


def _mentioning(workspace: Workspace, files: Iterable[SourceFile], words: tuple[str, ...]) -> Iterator[SourceFile]:
    for file in files:
        try:
            text = workspace.read_text(file)
        except FileReadError:
            continue  # the python collector notes an unreadable conftest; a runner file says nothing
        if any(word in text for word in words):
            yield file
