"""The ``env_contract`` fact: the settings product code requires from the environment, and the
places a deployment or a reader can learn them from. Names only: no value is ever kept.

Required means "the process fails without it": ``os.environ["X"]``, ``environ.get("X")``-less
``django-environ`` reads (``env("X")``, ``env.str("X")`` with no ``default=``), ``decouple``'s
``config("X")`` with no default, and pydantic ``BaseSettings`` fields with no default.
``os.getenv("X")`` returns ``None`` and the code usually copes, so it is not counted.

Provided means named in: ``.env.example``-style files and any ``env_file``, compose
``environment``, Kubernetes ``env`` and the ConfigMaps/Secrets of the repository, CI workflow
``env``, Dockerfile ``ENV``/``ARG``, and the documentation (README, docs/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gonogo.collectors.python import PythonFacts
from gonogo.collectors.python_text import ENV_NAME as _NAME
from gonogo.collectors.python_text import ENV_WORD
from gonogo.collectors.secret_defaults import is_production_module
from gonogo.collectors.testpaths import is_test_path
from gonogo.options import ScanOptions
from gonogo.parallel import FileJob, map_files_cached, paired_with
from gonogo.registry import collector
from gonogo.workspace import FileReadError, SourceFile, Workspace, decode_text

_DOTENV_LINE = re.compile(rf"^[ \t]*+(?:export[ \t]++)?#?[ \t]*{_NAME}[ \t]*=", re.MULTILINE)
_DOC_SUFFIXES = (".md", ".rst", ".txt", ".adoc")
_ENV_FILE = re.compile(r"(^|/)(\.env[\w.-]*|[\w.-]*\.env|env\.(example|sample|template|dist))$", re.IGNORECASE)
_WORKFLOW = re.compile(r"(^|/)\.github/workflows/[^/]+\.ya?ml$|(^|/)\.gitlab-ci\.ya?ml$")
_ENV_KEY = re.compile(rf"^[ \t]*+-?[ \t]*(?:name:[ \t]*)?{_NAME}[ \t]*[:=]", re.MULTILINE)
"""This and its neighbours take their first blanks possessively (``*+``): the match is the same,
but a long run of blanks is not split every way between two quantifiers before failing."""
_K8S_ENV = re.compile(rf"^[ \t]*-[ \t]*name:[ \t]*['\"]?{_NAME}['\"]?[ \t]*$", re.MULTILINE)
_DOCKER_ENV = re.compile(rf"^[ \t]*(?:ENV|ARG)[ \t]+{_NAME}", re.MULTILINE | re.IGNORECASE)
# the patterns above look for blanks within a line (``[ \t]``, not ``\s``): ``\s`` also matches line
# ends, and from every line start of a file of blank lines each scanned to the file's end
STANDARD = frozenset(
    {"HOME", "PATH", "USER", "PWD", "SHELL", "TERM", "LANG", "TMPDIR", "HOSTNAME", "TZ", "CI", "DEBUG", "PORT"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Requirement:
    name: str
    file: SourceFile
    line: int
    how: str
    """``os.environ[...]``, ``env(...)``, ``config(...)``, ``BaseSettings field``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvContract:
    required: tuple[Requirement, ...] = ()
    provided: frozenset[str] = frozenset()
    places: tuple[str, ...] = ()
    """The files where settings are provided or documented, as reports name them."""
    set_in_code: frozenset[str] = frozenset()
    """Names the product code itself assigns (``os.environ["X"] = ...``, ``setdefault``)."""
    secret_defaults: tuple[Requirement, ...] = ()
    """Secret-named settings production modules read with a literal default (never the value)."""
    documented: tuple[Requirement, ...] = ()
    """Each name an ``.env`` example declares, at its first declaration."""
    mentioned: frozenset[str] = frozenset()
    """Names that appear in code, deployment files, scripts or configuration (not in ``.env``
    files or prose), or that a ``BaseSettings`` field reads: what could read a setting."""


ENV_SCAN_VERSION = 1
"""Bump when what :func:`settings_in` finds changes, so cached results are recomputed."""

TextSettings = tuple[tuple[tuple[str, int], ...], tuple[str, ...], tuple[str, ...]]
"""A text file's ``.env`` declarations (name, line), the setting-shaped words it mentions, and the
names it provides (a deployment file's ``environment:``...)."""


@collector("env_contract")
def env_contract(workspace: Workspace, python: PythonFacts, options: ScanOptions) -> EnvContract:
    required: list[Requirement] = []
    provided: set[str] = set()
    places: set[str] = set()
    set_in_code: set[str] = set()
    defaults: list[Requirement] = []
    documented: dict[str, Requirement] = {}
    mentioned: set[str] = set()
    parsed = python.by_file()
    kinds = {file: _role(file) or ("script" if _may_read_settings(file) else None) for file in workspace.files}
    # the text files' words are cached per content: an unchanged file is not read again
    texts = [(file, kind) for file, kind in kinds.items() if kind is not None and kind != "python"]
    jobs = [
        FileJob(file=file, namespace=f"env{ENV_SCAN_VERSION}{kind}", payload=paired_with(kind))
        for file, kind in texts
    ]
    results = map_files_cached(settings_in, jobs, options, workspace, "env", cheap=True)  # a few patterns a file
    found = dict(zip([file for file, _ in texts], results, strict=True))
    for file, kind in kinds.items():
        if kind == "python":
            # read in the per-file pass (``python_text``), with the file's parse, and cached there
            scanned = parsed[file].facts.text if file in parsed else None
            if scanned is not None:
                required.extend(Requirement(name=r.name, file=file, line=r.line, how=r.how) for r in scanned.env_reads)
                set_in_code.update(scanned.env_assigned)
                mentioned.update(scanned.env_names)
                if is_production_module(file.relpath):
                    defaults.extend(
                        Requirement(name=d.name, file=file, line=d.line, how=d.how) for d in scanned.secret_defaults
                    )
            continue
        settings = found.get(file)
        if kind is None or not isinstance(settings, tuple):  # no role, unreadable or not text
            continue
        declarations, words, names = settings
        if kind == "dotenv" and not is_test_path(file.relpath):
            for name, line in declarations:
                documented.setdefault(name, Requirement(name=name, file=file, line=line, how=".env declaration"))
        elif kind != "docs":
            mentioned.update(words)
        if kind == "script":
            continue
        if names:
            provided.update(names)
            places.add(file.display)
    return EnvContract(
        required=tuple(required),
        provided=frozenset(provided),
        places=tuple(sorted(places)),
        set_in_code=frozenset(set_in_code),
        secret_defaults=tuple(defaults),
        documented=tuple(documented.values()),
        mentioned=frozenset(mentioned),
    )


_SCRIPT_SUFFIXES = frozenset(
    {".sh", ".bash", ".zsh", ".ini", ".toml", ".cfg", ".conf", ".json", ".js", ".mjs", ".cjs", ".ts",
     ".j2", ".jinja", ".tpl", ".tmpl", ".template", ".service", ".hcl", ".tf", ".nix"}
)
_SCRIPT_NAMES = frozenset({"Makefile", "Procfile", "Justfile", "justfile", "entrypoint", "Caddyfile"})


def _may_read_settings(file: SourceFile) -> bool:
    """Scripts and configuration that may read a setting (``$DATABASE_URL`` in an entrypoint,
    ``process.env.API_URL`` in a frontend): mentions there count as reads for OPS022."""
    return file.suffix in _SCRIPT_SUFFIXES or file.name in _SCRIPT_NAMES


_DECLARATION = re.compile(rf"^\s*+(?:export\s++)?#?\s*{_NAME}\s*=")


def settings_in(payload: tuple[bytes, str]) -> TextSettings | None:
    """What one text file of a role (``kind``) says about settings; ``None`` when it is not text.
    Top-level and path-free, so its result can be cached."""
    data, kind = payload
    try:
        text = decode_text(data)
    except FileReadError:
        return None
    declarations = tuple(_declarations(text)) if kind == "dotenv" else ()
    words = tuple(ENV_WORD.findall(text)) if kind != "docs" else ()
    names = tuple(sorted(_provided_names(kind, text))) if kind != "script" else ()
    return declarations, words, names


def _declarations(text: str) -> list[tuple[str, int]]:
    """The names an ``.env`` file declares (commented-out examples too), with their lines."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _DECLARATION.match(line)
        if match:
            found.append((match.group(1), number))
    return found


def _role(file: SourceFile) -> str | None:
    parts = file.relpath.split("/")
    if file.suffix == ".py":
        return None if is_test_path(file.relpath) else "python"
    if _ENV_FILE.search(file.relpath):
        return "dotenv"
    if _WORKFLOW.search(file.relpath):
        return "yaml"
    if file.suffix in (".yml", ".yaml"):
        return "yaml"
    if file.name.startswith(("Dockerfile", "Containerfile")):
        return "docker"
    if file.suffix in _DOC_SUFFIXES and (len(parts) == 1 or parts[0] in ("docs", "doc")):
        return "docs"
    if file.name in ("tox.ini", "pytest.ini", "setup.cfg", "Procfile", "app.json", "fly.toml", "render.yaml"):
        return "docs"
    return None


def _provided_names(kind: str, text: str) -> set[str]:
    match kind:
        case "dotenv":
            return set(_DOTENV_LINE.findall(text))
        case "yaml":
            return set(_ENV_KEY.findall(text)) | set(_K8S_ENV.findall(text))
        case "docker":
            return set(_DOCKER_ENV.findall(text))
        case _:
            return set(ENV_WORD.findall(text))
