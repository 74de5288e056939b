"""Which distribution provides an import: the shipped table (``data/import_names.json``), the
metadata of distributions installed next to gonogo when there is any, and the name itself.

``jwt`` is provided by PyJWT, ``yaml`` by PyYAML, ``google.cloud.storage`` by google-cloud-storage;
most distributions are imported under their own name. The answer is a set of candidates: an import
is declared when any candidate is.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import metadata, resources

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
    raw = _raw()
    imports = {k: frozenset(canonicalize_name(v) for v in vs) for k, vs in raw["imports"].items()}
    return imports, frozenset(canonicalize_name(n) for n in raw["runtime_only"])


@cache
def _installed() -> dict[str, frozenset[str]]:
    """Top-level import name -> distributions, from the metadata of what is installed here."""
    try:
        found = metadata.packages_distributions()
    except Exception:  # broken metadata of some installed distribution must not stop the scan
        return {}
    return {k: frozenset(canonicalize_name(v) for v in vs) for k, vs in found.items()}


def is_stdlib(module: str) -> bool:
    return module.split(".")[0] in STDLIB


def candidates(module: str) -> frozenset[str]:
    """Normalised distribution names that may provide the dotted ``module``."""
    parts = module.split(".")
    top = parts[0]
    imports, _ = _table()
    found = set(imports.get(top, ()))
    found |= _installed().get(top, frozenset())
    # namespace packages: google.cloud.storage -> google-cloud-storage, google-cloud
    for size in range(len(parts), 0, -1):
        found.add(canonicalize_name("-".join(parts[:size])))
    found.add(canonicalize_name(top))
    return frozenset(found)


def suggested(module: str) -> str:
    """The distribution name to suggest declaring for ``module``, as the table spells it."""
    top = module.split(".")[0]
    raw = _raw()["imports"].get(top)
    return raw[0] if raw else top


@cache
def _raw() -> dict[str, object]:
    return json.loads(resources.files("gonogo.data").joinpath("import_names.json").read_text("utf-8"))


@cache
def _names_by_distribution() -> dict[str, frozenset[str]]:
    """The import table turned around once, so a lookup per dependency costs O(1), not a pass
    over the whole table (100,000 requirements took minutes that way)."""
    found: dict[str, set[str]] = {}
    for table in (_table()[0], _installed()):
        for name, dists in table.items():
            for dist in dists:
                found.setdefault(dist, set()).add(name)
    return {dist: frozenset(names) for dist, names in found.items()}


def import_names_of(distribution: str) -> frozenset[str]:
    """Top-level names a (normalised) distribution is imported under, by the table, or itself."""
    names = set(_names_by_distribution().get(distribution, ()))
    names.add(distribution.replace("-", "_"))
    for prefix in ("python-", "py-", "django-", "flask-"):
        if distribution.startswith(prefix):
            names.add(distribution.removeprefix(prefix).replace("-", "_"))
    return frozenset(n.lower() for n in names)


def is_runtime_only(distribution: str) -> bool:
    """Used without being imported: servers, drivers, plugins, type stubs and developer tools."""
    _, runtime = _table()
    return (
        distribution in runtime
        or distribution.startswith(("types-", "pytest-", "flake8-", "mypy-", "sphinx", "mkdocs", "django-"))
        or distribution.endswith(("-stubs", "-binary"))
    )
