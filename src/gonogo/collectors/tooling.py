"""The ``tooling`` fact: the files holding a high SAST hit that are a maintainer's tooling, which
nothing ships or runs.

Projects keep what their maintainers run by hand (a translation sync, a release helper) in a
top-level ``scripts/`` or ``tools/`` folder; setuptools' automatic discovery leaves both names out
of a distribution for that reason (``FlatLayoutPackageFinder.DEFAULT_EXCLUDE``). The name alone
proves nothing, so a script there is tooling only when nothing ships or runs it:

- the folder is no package (no ``__init__.py``), and no build manifest ships it: none at the root
  finds namespace packages that would take it or computes its packages, and none names the folder
  (``scripts=glob("scripts/*")``, ``packages = ["tools"]``, an entry point ``tools.x:main``);
- no Dockerfile copies it: an ``ADD`` or ``COPY`` whose source is the folder, a glob matching it, a
  variable, or the whole build context copies it, unless the ignore file that applies (the
  Dockerfile's own ``<name>.dockerignore``, else the root's ``.dockerignore``) leaves the folder
  out in a line of its own and has no ``!`` exception (with a ``.containerignore`` beside it, for
  Podman and Buildah, that one must too);
- no other file of the root names the script (its name without ``.py``, as a word), documentation
  aside: no CI step, Makefile, compose file, Procfile, cron table, manifest or module runs or
  imports it. A file too large to read (over 10 MB) is data, not a place that runs scripts.

taiga-back's ``scripts/manage_translations.py`` is one: its Dockerfile copies the whole context
and its ``.dockerignore`` says ``scripts``. Only files holding a hit bandit rates high are looked
at (a lower one blocks nothing), so a tree without one there reads nothing more.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
import shlex
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from gonogo.cache import content_digest
from gonogo.collectors.containers import ContainerFacts, Dockerfile
from gonogo.collectors.manifests import ManifestFacts
from gonogo.collectors.manifests.package_discovery import DiscoveryKind
from gonogo.collectors.sast import SastFacts
from gonogo.model import Severity
from gonogo.options import ScanOptions
from gonogo.parallel import FileJob, map_files_cached, paired_with
from gonogo.registry import collector
from gonogo.timings import SAST
from gonogo.workspace import FileReadError, SourceFile, Workspace

TOOLING_DIRS = frozenset({"scripts", "tools"})
"""Top-level folders that hold a maintainer's tools, names setuptools never ships as packages."""
BUILD_MANIFESTS = frozenset({"setup.py", "setup.cfg", "pyproject.toml"})
DOC_SUFFIXES = frozenset({".md", ".rst", ".adoc", ".po", ".pot"})
"""Files that describe or translate, and run nothing: a README saying how to run a script."""
_BLOCKING = frozenset({Severity.CRITICAL, Severity.HIGH})
_Folder = tuple[Path, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolingFacts:
    """The files holding a high SAST hit that are maintainer tooling, by display path, each with
    its top-level folder (``scripts``)."""

    files: tuple[tuple[str, str], ...] = ()

    def folder_of(self, path: str) -> str | None:
        """The tooling folder of the file shown as ``path``, or ``None`` when it is no tooling."""
        return next((folder for display, folder in self.files if display == path), None)


@collector("tooling")
def tooling(
    workspace: Workspace, options: ScanOptions, sast: SastFacts, manifests: ManifestFacts, containers: ContainerFacts
) -> ToolingFacts:
    candidates = _candidates(workspace, sast)
    if not candidates:
        return ToolingFacts()
    shipped = _packaged(manifests, set(candidates)) | _copied(workspace, containers, set(candidates))
    by_root: dict[Path, list[SourceFile]] = defaultdict(list)
    for (root, folder), scripts in candidates.items():
        if (root, folder) not in shipped:
            by_root[root].extend(scripts)
    found: list[tuple[str, str]] = []
    for root, scripts in by_root.items():
        named, manifested = _named(workspace, options, root, scripts)
        found.extend((s.display, _top(s)) for s in scripts if s not in named and _top(s) not in manifested)
    return ToolingFacts(files=tuple(sorted(found)))


def _top(file: SourceFile) -> str:
    return file.relpath.partition("/")[0]


def _candidates(workspace: Workspace, sast: SastFacts) -> dict[_Folder, list[SourceFile]]:
    """The files of a :data:`TOOLING_DIRS` folder that is no package holding a high hit outside
    test code, by (root, folder)."""
    flagged = {hit.path for hit in sast.hits if hit.severity in _BLOCKING and not hit.in_test_code}
    if not flagged:
        return {}
    listed = {(f.root, f.relpath) for f in workspace.files}
    found: dict[_Folder, list[SourceFile]] = defaultdict(list)
    for file in workspace.files:
        folder, _, rest = file.relpath.partition("/")
        if file.display not in flagged or not rest or folder not in TOOLING_DIRS:
            continue
        if (file.root, f"{folder}/__init__.py") not in listed:
            found[(file.root, folder)].append(file)
    return found


def _packaged(manifests: ManifestFacts, folders: set[_Folder]) -> set[_Folder]:
    """Folders a root's build manifest may ship as packages: its ``packages`` computed by code, or
    found with namespace packages where the folder matches the ``include`` patterns."""
    shipped: set[_Folder] = set()
    for manifest in manifests.manifests:
        discovery = manifest.packaging.packages if manifest.packaging else None
        if discovery is None or manifest.folder or discovery.kind in (DiscoveryKind.FIND, DiscoveryKind.LISTED):
            continue  # find_packages() needs an __init__.py; a list names the folder in the text (_named)
        for root, folder in folders:
            if root != manifest.file.root:
                continue
            if discovery.kind is DiscoveryKind.COMPUTED or (
                posixpath.normpath(discovery.where) == "."
                and any(fnmatchcase(folder, p) for p in discovery.include)
                and not any(fnmatchcase(folder, p) for p in discovery.exclude)
            ):
                shipped.add((root, folder))
    return shipped


def _copied(workspace: Workspace, containers: ContainerFacts, folders: set[_Folder]) -> set[_Folder]:
    """Folders a Dockerfile of their root may copy into an image (see the module docstring)."""
    copied: set[_Folder] = set()
    for dockerfile in containers.dockerfiles:
        root = dockerfile.file.root
        sources = list(copy_sources(dockerfile))
        for folder in {f for r, f in folders if r == root}:
            if any(may_reach(source, folder) for source in sources) and not _ignored(workspace, dockerfile, folder):
                copied.add((root, folder))
    return copied


def copy_sources(dockerfile: Dockerfile) -> Iterator[str]:
    """The build-context sources of each ``ADD`` and ``COPY``: not ``--from`` another stage or
    image, not a URL, not a here-document. A line that cannot be split yields ``$`` (anything)."""
    for instruction in dockerfile.instructions:
        if instruction.keyword not in ("ADD", "COPY"):
            continue
        words = _words(instruction.arguments)
        if any(w.startswith("--from") for w in words):
            continue
        operands = [w for w in words if not w.startswith("--")]
        for source in operands[:-1]:
            if "://" not in source and not source.startswith(("git@", "<<")):
                yield source


def _words(arguments: str) -> list[str]:
    if arguments.startswith("["):
        try:
            loaded = json.loads(arguments)
        except ValueError:
            return ["$", "$"]
        return [str(word) for word in loaded] if isinstance(loaded, list) else ["$", "$"]
    try:
        return shlex.split(arguments)
    except ValueError:
        return ["$", "$"]


def may_reach(source: str, folder: str) -> bool:
    """A source that may copy the top-level ``folder``: the whole context, the folder or a glob
    matching it, a path out of the context, or a variable (its value is not known here)."""
    if "$" in source:
        return True
    first = posixpath.normpath(source.lstrip("/")).split("/")[0]
    return first in (".", "..") or fnmatchcase(folder, first)


def _ignored(workspace: Workspace, dockerfile: Dockerfile, folder: str) -> bool:
    """Every ignore file that may apply to the Dockerfile's build leaves ``folder`` out: the
    Dockerfile's own ``<name>.dockerignore`` when there is one (BuildKit reads it instead), else
    the root's ``.dockerignore`` and ``.containerignore`` (which Podman and Buildah read first)."""
    names = (f"{dockerfile.file.relpath}.dockerignore", ".dockerignore", ".containerignore")
    files = {f.relpath: f for f in workspace.files if f.root == dockerfile.file.root and f.relpath in names}
    applies = [files[names[0]]] if names[0] in files else [files[n] for n in names[1:] if n in files]
    if not applies:
        return False
    try:
        return all(leaves_out(workspace.read_text(f).splitlines(), folder) for f in applies)
    except FileReadError:
        return False


def leaves_out(lines: Iterable[str], folder: str) -> bool:
    """A ``.dockerignore`` excludes the top-level ``folder`` on a line of its own (``scripts``,
    ``/scripts/``, ``scripts/**``, ``**/scripts``) and has no ``!`` exception, which could bring
    a file of it back. Any other pattern is not read: it is not claimed to exclude anything."""
    plain = {folder, f"{folder}/*", f"{folder}/**", f"**/{folder}", f"**/{folder}/**"}
    patterns = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    if any(p.startswith("!") for p in patterns):
        return False
    return any(_plain(p) in plain for p in patterns)


def _plain(pattern: str) -> str:
    while pattern.startswith(("./", "/")):
        pattern = pattern.removeprefix("./").removeprefix("/")
    return pattern.rstrip("/")


TOOLING_NAMES_VERSION = 1
"""Bump when what :func:`_mentions` finds in a file changes: its answers are cached by content."""


def _named(
    workspace: Workspace, options: ScanOptions, root: Path, scripts: list[SourceFile]
) -> tuple[set[SourceFile], set[str]]:
    """The scripts another file of the root names, and the folders a build manifest names,
    documentation aside. Each file's answer is cached by its content and the names sought, so a
    rescan after an edit reads the edited file only."""
    stems = tuple(sorted({_stem(script) for script in scripts}))
    folders = tuple(sorted({_top(script) for script in scripts}))
    sought = content_digest(repr((stems, folders)).encode())
    files = [f for f in workspace.files if f.root == root and f.suffix not in DOC_SUFFIXES]
    # a build manifest is also asked for the folders: its answer is keyed apart from the same bytes elsewhere
    jobs = [
        FileJob(file=f, namespace=f"toolnames{TOOLING_NAMES_VERSION}:{sought}:{f.name in BUILD_MANIFESTS:d}",
                payload=paired_with((stems, folders if f.name in BUILD_MANIFESTS else ())))
        for f in files
    ]
    named: set[SourceFile] = set()
    manifested: set[str] = set()
    for file, found in zip(files, map_files_cached(_mentions, jobs, options, workspace, SAST, cheap=True),
                           strict=True):
        if not isinstance(found, tuple):
            continue  # unreadable or too large (over 10 MB): data, not a place that runs scripts
        said, mentioned = found
        named.update(s for s in scripts if s != file and _stem(s) in said)
        manifested.update(mentioned)
    return named, manifested


_Names = tuple[str, ...]


def _mentions(payload: tuple[bytes, tuple[_Names, _Names]]) -> tuple[_Names, _Names]:
    """The script names (stems) one file's bytes name as a word, and the folders it mentions
    when it is a build manifest (the folders are given only for one): top-level, for the cache."""
    data, (stems, folders) = payload
    said = tuple(stem for stem in stems if _says(data, stem))
    mentioned = tuple(folder for folder in folders if _mention(folder).search(data))
    return said, mentioned


@functools.cache
def _mention(folder: str) -> re.Pattern[bytes]:
    """``folder`` as a build manifest names it: ``scripts/x``, ``scripts.x``, ``"scripts"``."""
    return re.compile(rf"(?<![\w.*-]){re.escape(folder)}(?:/|\.[A-Za-z_]|(?![\w.*-]))".encode())


def _says(data: bytes, stem: str) -> bool:
    """``data`` names the script: a substring test first, as most files do not."""
    return stem.encode() in data and _word(stem).search(data) is not None


@functools.cache
def _word(name: str) -> re.Pattern[bytes]:
    """``name`` as a word of a command or a module path: ``manage_translations.py``,
    ``scripts.manage_translations``, not ``manage_translations_v2``."""
    return re.compile(rb"(?<![\w-])" + re.escape(name.encode()) + rb"(?![\w-])")


def _stem(file: SourceFile) -> str:
    return file.name.removesuffix(".py")

