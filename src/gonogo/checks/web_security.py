"""Web security settings read statically: Django's deployment settings (the static half of
``manage.py check --deploy``, without importing Django) and CORS that lets any site read
authenticated responses.

A Django settings module is a ``settings.py`` or a module of a ``settings/`` package that sets
Django's own names (``INSTALLED_APPS``, ``ALLOWED_HOSTS``...). It is judged as production when its
name says so (``production.py``, ``prod.py``, ``settings/live.py``) or, for debug and hosts only,
when it is a stand-alone ``settings.py`` (one module for every environment); modules named for
development, tests, CI or examples are never judged. A value is
judged only when it is written literally and unconditionally: ``DEBUG = env.bool("DEBUG")`` is the
deployment's business, not the code's.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from gonogo.collectors.python import PythonFacts, PythonFile
from gonogo.collectors.python_facts import Setting
from gonogo.model import Category, Severity
from gonogo.registry import CheckOutput, NotApplicable, check, fail

_DJANGO_NAMES = frozenset({"INSTALLED_APPS", "ALLOWED_HOSTS", "ROOT_URLCONF", "MIDDLEWARE", "DATABASES"})
_PRODUCTION = re.compile(r"(^|[/_.-])(prod|production|live|deploy|deployment)([/_.-]|$)")
_NOT_PRODUCTION = re.compile(
    r"(^|[/_.-])(dev|develop|development|local|test|tests|testing|ci|debug|example|examples|sample|demo|docs|"
    r"e2e|stage|staging)([/_.-]|$)"
)
_HTTPS_SETTINGS = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS")


@dataclass(frozen=True, slots=True, kw_only=True)
class _SettingsModule:
    source: PythonFile
    effective: dict[str, tuple[PythonFile, Setting]]
    """name -> where it is last set unconditionally (or at all), its own module first, then what it
    star-imports (``from .base import *``)."""


def _settings_modules(python: PythonFacts, declared_only: bool = False) -> list[_SettingsModule]:
    """The project's Django production settings modules, each with what it sets or inherits: the
    modules named for production, and a stand-alone ``settings.py`` (one module for every
    environment, so also the production one) unless ``declared_only``."""
    by_path = {f.file.relpath: f for f in python.files}
    chosen = []
    for source in python.product_code:
        path = source.file.relpath.lower()
        if not _is_settings(source) or _NOT_PRODUCTION.search(path):
            continue
        standalone = source.file.name == "settings.py" and not path.startswith("settings/") \
            and "/settings/" not in path
        if _PRODUCTION.search(path) or (standalone and not declared_only):
            chosen.append(_SettingsModule(source=source, effective=_effective(source, by_path, set())))
    return chosen


def _is_settings(source: PythonFile) -> bool:
    """A ``settings.py`` or a module of a ``settings/`` package that sets a Django name or
    star-imports the settings it extends (``from .base import *``)."""
    parts = source.file.relpath.split("/")
    if parts[-1] != "settings.py" and (len(parts) < 2 or parts[-2] != "settings"):
        return False
    sets_django = bool({s.name for s in source.facts.settings} & _DJANGO_NAMES)
    return sets_django or any("*" in i.names for i in source.facts.imports)


def _effective(
    source: PythonFile, by_path: dict[str, PythonFile], seen: set[str]
) -> dict[str, tuple[PythonFile, Setting]]:
    seen.add(source.file.relpath)
    found: dict[str, tuple[PythonFile, Setting]] = {}
    for statement in source.facts.imports:
        if "*" not in statement.names:
            continue
        base = _star_target(source, statement.module, statement.level, by_path)
        if base is not None and base.file.relpath not in seen:
            found.update(_effective(base, by_path, seen))
    own: dict[str, tuple[PythonFile, Setting]] = {}
    for setting in source.facts.settings:
        previous = own.get(setting.name)
        # the last unconditional assignment wins; a conditional one only fills a gap
        if previous is None or not setting.conditional or previous[1].conditional:
            own[setting.name] = (source, setting)
    found.update(own)
    return found


def _star_target(source: PythonFile, module: str, level: int, by_path: dict[str, PythonFile]) -> PythonFile | None:
    path = module.replace(".", "/") + ".py"
    if level:
        folder = posixpath.dirname(source.file.relpath)
        for _ in range(level - 1):
            folder = posixpath.dirname(folder)
        return by_path.get(posixpath.join(folder, path) if folder else path)
    matches = [f for relpath, f in by_path.items() if relpath == path or relpath.endswith("/" + path)]
    return matches[0] if len(matches) == 1 else None


def _literal(module: _SettingsModule, name: str) -> tuple[PythonFile, Setting] | None:
    """Where ``name`` is set to a literal, unconditionally, in the effective settings."""
    found = module.effective.get(name)
    if found is None or not found[1].literal or found[1].conditional:
        return None
    return found


@check("SEC030", "Django production settings turn debug off and name their hosts", category=Category.SECURITY,
       severity=Severity.MEDIUM, counts="web.unsafe_settings")
def django_production_settings(python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: ``DEBUG = True`` in production shows tracebacks, settings and SQL to anyone who triggers
    an error; ``ALLOWED_HOSTS = ["*"]`` accepts any ``Host`` header, which enables host-header
    poisoning of password-reset links and cache entries (Django's ``check --deploy``, W018 and
    W020). Only literal, unconditional values in a production settings module count (see the
    module docstring); no false alarm on the six well-kept projects of the corpus, and each
    deliberately vulnerable Django app's settings are found. Not part of a blocking gate: a
    settings file named ``production.py`` may still be a sample.
    Fix: read both from the environment (``DEBUG = env.bool("DJANGO_DEBUG", False)``,
    ``ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")``) and default to the safe value."""
    modules = _settings_modules(python)
    if not modules:
        raise NotApplicable("no Django production settings module")
    for module in modules:
        debug = _literal(module, "DEBUG")
        if debug and debug[1].value is True:
            yield _at(debug, "DEBUG = True in production settings", module)
        hosts = _literal(module, "ALLOWED_HOSTS")
        if hosts and isinstance(hosts[1].value, list | tuple) and "*" in hosts[1].value:
            yield _at(hosts, "ALLOWED_HOSTS allows any host ('*') in production settings", module)


@check("SEC031", "Django production settings keep cookies and redirects on HTTPS", category=Category.SECURITY,
       severity=Severity.LOW, counts="web.https_settings_missing")
def django_https_settings(python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: without ``SESSION_COOKIE_SECURE`` and ``CSRF_COOKIE_SECURE`` the session and CSRF
    cookies are also sent over plain HTTP, where anyone on the path can read them; without
    ``SECURE_SSL_REDIRECT`` and ``SECURE_HSTS_SECONDS`` a browser may keep talking plain HTTP
    (``check --deploy`` W008, W012, W016, W004). Judged only in a module named for production
    (``settings/production.py``): a single ``settings.py`` that serves every environment usually
    takes these from the deployment (saleor, paperless-ngx and healthchecks do), so it is not
    judged. A setting counts as present when the module or what it star-imports sets it to
    anything but a literal ``False``/``0``. Redirects and HSTS are often done at the proxy, which
    the code cannot show: low, and outside blocking gates.
    Fix: set them in the production settings (``SESSION_COOKIE_SECURE = True`` ...), or from the
    environment with a secure default."""
    modules = _settings_modules(python, declared_only=True)
    if not modules:
        raise NotApplicable("no settings module named for production (production.py, prod.py...)")
    for module in modules:
        missing = [name for name in _HTTPS_SETTINGS if _unsafe_or_missing(module, name)]
        if missing:
            yield fail(
                f"{', '.join(missing)} not set in production settings",
                at=module.source.file.at(None),
                key="https:" + ",".join(missing),
            )


def _unsafe_or_missing(module: _SettingsModule, name: str) -> bool:
    found = module.effective.get(name)
    if found is None:
        return True
    setting = found[1]
    return setting.literal and not setting.conditional and setting.value in (False, 0, None)


@check("SEC032", "CORS does not let any site send credentialed requests", category=Category.SECURITY,
       severity=Severity.MEDIUM, counts="web.cors_any_origin_credentials")
def cors_any_origin_with_credentials(python: PythonFacts) -> Iterator[CheckOutput]:
    """Why: allowing every origin together with credentials lets any web page a logged-in user
    visits call the API as that user and read the answers (Starlette's CORSMiddleware and
    Flask-CORS then echo the caller's origin back). Read from ``add_middleware(CORSMiddleware,
    allow_origins=["*"], allow_credentials=True)``, Flask-CORS's ``CORS(app,
    supports_credentials=True)`` with its default or a literal ``"*"`` origin, and
    django-cors-headers' ``CORS_ALLOW_ALL_ORIGINS`` with ``CORS_ALLOW_CREDENTIALS``, written
    literally. Not part of a blocking gate.
    Fix: list the origins that may call the API, or drop credentials for the public ones."""
    if not python.files:
        raise NotApplicable("no Python files")
    for source in python.product_code:
        for call in source.facts.cors:
            if call.any_origin and call.credentials:
                yield fail("CORS allows any origin with credentials", at=source.file.at(call.line),
                           evidence=call.snippet, key=f"cors:{call.line}")
    for module in _all_settings(python):
        every = _literal(module, "CORS_ALLOW_ALL_ORIGINS") or _literal(module, "CORS_ORIGIN_ALLOW_ALL")
        credentials = _literal(module, "CORS_ALLOW_CREDENTIALS")
        if every and every[1].value is True and credentials and credentials[1].value is True:
            yield _at(every, "CORS_ALLOW_ALL_ORIGINS with CORS_ALLOW_CREDENTIALS", module)


def _all_settings(python: PythonFacts) -> Iterator[_SettingsModule]:
    """Every settings module that is not for development or tests (CORS matters wherever it runs)."""
    by_path = {f.file.relpath: f for f in python.files}
    for source in python.product_code:
        if _is_settings(source) and not _NOT_PRODUCTION.search(source.file.relpath.lower()):
            yield _SettingsModule(source=source, effective=_effective(source, by_path, set()))


def _at(found: tuple[PythonFile, Setting], message: str, module: _SettingsModule) -> CheckOutput:
    source, setting = found
    inherited = "" if source is module.source else f" (inherited by {module.source.file.display})"
    key = f"{setting.name}:{module.source.file.relpath}"
    return fail(message + inherited, at=source.file.at(setting.line), key=key)
