"""Which distribution provides an import: the shipped table (``data/import_names.json``), the
metadata of distributions installed next to gonogo when there is any, and the name itself.

``jwt`` is provided by PyJWT, ``yaml`` by PyYAML, ``google.cloud.storage`` by google-cloud-storage;
most distributions are imported under their own name. The answer is a set of candidates: an import
is declared when any candidate is.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from importlib import metadata, resources
from typing import Any, TypedDict

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

PYTHON2_STDLIB = frozenset({
    "BaseHTTPServer", "CGIHTTPServer", "ConfigParser", "Cookie", "HTMLParser", "Queue",
    "SimpleHTTPServer", "SocketServer", "StringIO", "Tkinter", "UserDict", "UserList", "UserString",
    "__builtin__", "anydbm", "cPickle", "cStringIO", "commands", "cookielib", "copy_reg",
    "dummy_thread", "dummy_threading", "exceptions", "future_builtins", "htmlentitydefs", "httplib",
    "markupbase", "mimetools", "robotparser", "thread", "tkMessageBox", "urllib2", "urlparse",
    "xmlrpclib",
})
"""Python 2's standard library under names Python 3 dropped. Code that still supports both imports
them as fallbacks (``except ImportError: from StringIO import StringIO``); no distribution on PyPI
provides them, so they are never an undeclared dependency."""

OTHER_PYTHON3_STDLIB = frozenset({
    "annotationlib", "compression",  # added in 3.14
    "asynchat", "asyncore", "distutils", "imp", "smtpd",  # removed in 3.12
    "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3", "mailcap", "msilib",
    "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
})
"""Standard modules of Python 3 releases other than the one gonogo runs on
(``sys.stdlib_module_names`` knows only its own): the scanned code may target any of them, often
behind a version check (``if sys.version_info >= (3, 14): import annotationlib``)."""

STDLIB = (
    frozenset(sys.stdlib_module_names) | {"__future__", "__main__", "_typeshed"}
    | PYTHON2_STDLIB | OTHER_PYTHON3_STDLIB
)
"""``_typeshed`` exists only in type stubs; it is imported under ``TYPE_CHECKING``."""


@cache
def _table() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """Import name (lower case, dotted for a namespace) -> distributions, and the runtime-only set."""
    raw = _raw()
    imports: dict[str, frozenset[str]] = {
        k.lower(): frozenset(canonicalize_name(v) for v in vs) for k, vs in raw["imports"].items()
    }
    return imports, frozenset(canonicalize_name(n) for n in raw["runtime_only"])


@cache
def _installed_roots() -> dict[str, frozenset[str]]:
    """Distribution -> the dotted module roots it installs, from the RECORD of what is installed here.

    RECORD lists files, so a namespace package is told apart from a regular one: azure-core
    installs ``azure/core/__init__.py`` and no ``azure/__init__.py``, so its root is ``azure.core``
    and it does not provide ``azure.storage.blob``."""
    found: dict[str, set[str]] = defaultdict(set)
    try:
        distributions = list(metadata.distributions())
    except Exception:  # broken metadata of some installed distribution must not stop the scan
        return {}
    for dist in distributions:
        try:
            name = _name_of(dist)
            record = dist.read_text("RECORD")
            # RECORD's first column, read directly: building PackagePath objects costs ~8x more
            files = [row.split(",", 1)[0] for row in record.splitlines()] if record else _files(dist)
        except Exception:
            continue
        if name:
            found[canonicalize_name(name)].update(module_roots(files))
    return {k: frozenset(v) for k, v in found.items() if v}


def _name_of(dist: metadata.Distribution) -> str | None:
    """The ``Name:`` header of the distribution's metadata, read from its header block: the same
    value as ``dist.metadata["Name"]`` without parsing the whole file as e-mail, which costs ten
    times more and is paid for every installed distribution on every scan."""
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    for line in text.partition("\n\n")[0].splitlines():
        if line.startswith("Name:"):
            return line.removeprefix("Name:").strip() or None
    return None


def _files(dist: metadata.Distribution) -> list[str]:
    """Installed files of a distribution without a RECORD (an egg-info install)."""
    return [str(f) for f in dist.files or ()]


def module_roots(paths: Iterable[str]) -> set[str]:
    """The dotted roots a list of installed files provides: the outermost package (a folder with an
    ``__init__.py``) above each module, or the module itself at the top level."""
    # only modules matter (most of a RECORD is bytecode, metadata and data): the suffix test first
    modules = (p.replace("\\", "/") for p in paths if p.endswith((".py", ".so", ".pyd")))
    wanted = [
        p for p in modules
        if not p.startswith("..") and "__pycache__" not in p and ".dist-info/" not in p and ".egg-info/" not in p
    ]
    packages = {p.rpartition("/")[0] for p in wanted if p.endswith("/__init__.py")}
    roots: set[str] = set()
    by_folder: dict[str, str | None] = {}  # a folder's modules share its root: found once per folder
    for path in wanted:
        folder, _, name = path.rpartition("/")
        if not folder:
            roots.add(name.split(".")[0])
            continue
        if folder not in by_folder:
            parts = folder.split("/")
            depth = next((i for i in range(1, len(parts) + 1) if "/".join(parts[:i]) in packages), None)
            by_folder[folder] = None if depth is None else ".".join(parts[:depth])
        root = by_folder[folder]
        if root is not None:
            roots.add(root)
    return {r.lower() for r in roots if r.isidentifier() or all(p.isidentifier() for p in r.split("."))}


@cache
def _installed_providers() -> dict[str, frozenset[str]]:
    """Dotted root -> the installed distributions that provide it."""
    found: dict[str, set[str]] = defaultdict(set)
    for dist, roots in _installed_roots().items():
        for root in roots:
            found[root].add(dist)
    return {k: frozenset(v) for k, v in found.items()}


def is_stdlib(module: str) -> bool:
    return module.split(".")[0] in STDLIB


@cache
def providers(module: str) -> frozenset[str]:
    """The distributions known to provide the dotted ``module``: the longest dotted prefix that the
    shipped table or installed metadata knows wins, so ``azure.storage.blob`` is azure-storage-blob's
    and ``azure.core`` azure-core's. Empty when neither knows."""
    parts = module.lower().split(".")
    imports, _ = _table()
    installed = _installed_providers()
    for size in range(len(parts), 0, -1):
        prefix = ".".join(parts[:size])
        found = imports.get(prefix, frozenset()) | installed.get(prefix, frozenset())
        if found:
            return found
    return frozenset()


@cache
def candidates(module: str) -> frozenset[str]:
    """Normalised distribution names that may provide the dotted ``module``: the known providers,
    and the names derived from each dotted prefix (``google.cloud.storage`` -> google-cloud-storage)."""
    parts = module.split(".")
    found = set(providers(module))
    for size in range(len(parts), 0, -1):
        found.add(canonicalize_name("-".join(parts[:size])))
    return frozenset(found)


def suggested(module: str) -> str:
    """The distribution name to suggest declaring for ``module``, as the table spells it."""
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        raw = _raw_lower().get(".".join(parts[:size]).lower())
        if raw:
            return raw[0]
    if parts[0].lower() in _namespaces():
        # a namespace (azure, google): its distributions are named after the first levels below it
        return "-".join(parts[:3])
    return parts[0]


class _ImportNamesFile(TypedDict):
    """The shape of ``data/import_names.json``, which ships with gonogo (so it is not validated)."""

    imports: dict[str, list[str]]
    runtime_only: list[str]


@cache
def _raw() -> _ImportNamesFile:
    table: _ImportNamesFile = json.loads(
        resources.files("gonogo.data").joinpath("import_names.json").read_text("utf-8")
    )
    return table


@cache
def _raw_lower() -> dict[str, list[str]]:
    return {k.lower(): v for k, v in _raw()["imports"].items()}


@cache
def _namespaces() -> frozenset[str]:
    """The first part of every dotted name in the table (``google`` of ``google.cloud.storage``)."""
    return frozenset(key.split(".", 1)[0] for key in _raw_lower() if "." in key)


@cache
def _table_roots() -> dict[str, frozenset[str]]:
    """Distribution -> the import names the shipped table gives it."""
    found: dict[str, set[str]] = defaultdict(set)
    imports, _ = _table()
    for name, dists in imports.items():
        for dist in dists:
            found[dist].add(name)
    return {k: frozenset(v) for k, v in found.items()}


@cache
def import_names_of(distribution: str) -> frozenset[str]:
    """Dotted import roots (lower case) a normalised distribution is imported under: by the table,
    by installed metadata, and derived from its name."""
    names = set(_table_roots().get(distribution, ()))
    names |= _installed_roots().get(distribution, frozenset())
    names.add(distribution.replace("-", "_").replace(".", "_"))
    if distribution.split("-")[0] in namespaces():  # google-cloud-storage is google.cloud.storage
        names.add(distribution.replace("-", "."))
    for prefix in ("python-", "py-", "django-", "flask-"):
        if distribution.startswith(prefix):
            names.add(distribution.removeprefix(prefix).replace("-", "_"))
    return frozenset(n.lower() for n in names)


def knows(distribution: str) -> bool:
    """Whether the import names of a (normalised) distribution are known, from the shipped table or
    installed metadata, rather than only guessed from its name."""
    _, runtime = _table()
    return distribution in _table_roots() or distribution in runtime or distribution in _installed_roots()


def provided_by(module: str, roots: frozenset[str]) -> bool:
    """Whether ``module`` is one of the dotted ``roots``, inside one, or the namespace holding one
    (``from google.cloud import storage`` names ``google.cloud``, which google-cloud-storage fills)."""
    lowered = module.lower()
    parts = lowered.split(".")
    if any(".".join(parts[:size]) in roots for size in range(1, len(parts) + 1)):
        return True
    return parts[0] in namespaces() and any(root.startswith(f"{lowered}.") for root in roots)


@cache
def namespaces() -> frozenset[str]:
    """Top-level names shared by several distributions (``azure``, ``google``): the first part of
    every dotted name the table or installed metadata knows."""
    dotted = [*_table()[0], *_installed_providers()]
    return frozenset(name.split(".")[0] for name in dotted if "." in name)


def is_runtime_only(distribution: str) -> bool:
    """Used without being imported: servers, drivers, plugins, type stubs and developer tools."""
    _, runtime = _table()
    return (
        distribution in runtime
        or distribution.startswith(("types-", "pytest-", "flake8-", "mypy-", "sphinx", "mkdocs", "django-"))
        or distribution.endswith(("-stubs", "-binary"))
    )


@cache
def installed_requires(distribution: str) -> tuple[str, tuple[str, ...]] | None:
    """(version, normalised names it requires) of a distribution installed next to gonogo, from its
    own metadata; requirements of extras are left out. ``None`` when it is not installed."""
    try:
        dist = metadata.distribution(distribution)
        version = dist.version
        raw = dist.requires or []
    except Exception:  # not installed, or broken metadata: no evidence either way
        return None
    names = set()
    for line in raw:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.marker is not None and "extra" in str(requirement.marker):
            continue
        names.add(canonicalize_name(requirement.name))
    return version, tuple(sorted(names))


@cache
def published_requires() -> tuple[str, dict[str, tuple[str, tuple[str, ...]]]]:
    """The day the shipped table was fetched, and for each distribution in it (normalised name)
    the version of its latest release then and the distributions that release requires everywhere,
    with no extra or other marker (``data/published_requires.json``, written by ``scripts/published_requires.py`` from
    PyPI's JSON API): what a declared distribution brings when it is neither installed nor locked."""
    table = _published_document()
    return table["fetched"], {
        name: (entry["version"], tuple(entry["requires"])) for name, entry in table["distributions"].items()
    }


@cache
def published_extra_brings(distribution: str, extra: str) -> tuple[str, frozenset[str]] | None:
    """The version of the latest release of ``distribution`` (normalised) in the shipped table and
    the normalised names its ``extra`` brings there, by requirements whose marker tests nothing but
    extras (``pyjwt[crypto]`` brings cryptography); ``None`` when the table does not hold the
    distribution: what an extra brings when the distribution is neither installed nor locked."""
    entry = _published_document()["distributions"].get(distribution)
    if entry is None:
        return None
    brought = entry.get("extras", {}).get(canonicalize_name(extra), ())
    return entry["version"], frozenset(brought)


@cache
def _published_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        resources.files("gonogo.data").joinpath("published_requires.json").read_text("utf-8")
    )
    return document


@cache
def extra_brings(distribution: str, extra: str) -> frozenset[str]:
    """The normalised names of the distributions ``distribution[extra]`` asks for besides
    ``distribution`` itself, from its metadata where it is installed next to gonogo (the
    requirements whose marker holds for that extra); empty where it is not."""
    try:
        raw = metadata.distribution(distribution).requires or []
    except Exception:  # not installed, or broken metadata: no evidence either way
        return frozenset()
    brought = set()
    for line in raw:
        try:
            requirement = Requirement(line)
            wanted = requirement.marker is not None and "extra" in str(requirement.marker) and (
                requirement.marker.evaluate({"extra": extra})
            )
        except Exception:  # a requirement or marker packaging cannot read: no evidence either way
            continue
        if wanted:
            brought.add(canonicalize_name(requirement.name))
    return frozenset(brought)
