"""Secret-named settings given a literal default in product code.

``os.getenv("SECRET_KEY", "dev-secret")``, ``environ.get("DB_PASSWORD", "postgres")``,
``env("API_TOKEN", default="abc")``, ``config("SIGNING_KEY", default="x")`` and a pydantic
``BaseSettings`` field ``secret_key: str = "changeme"``: a deployment that forgets the setting
starts anyway, with a secret every reader of the code knows. Only the name and place are kept,
never the value.

Not counted, because there the default is the point: test code (the caller filters it),
settings modules named for a non-production environment (``settings/local.py``, ``dev.py``,
``test.py``...), empty strings, and names that only mention a secret (``TOKEN_EXPIRE_MINUTES``,
``PASSWORD_MIN_LENGTH``, ``SECRET_KEY_FALLBACKS``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from gonogo.collectors.literal_spelling import spelt_out
from gonogo.collectors.settings_classes import env_prefix, is_settings_class
from gonogo.collectors.syntax_nodes import SyntaxNodes, last_name
from gonogo.collectors.testpaths import names_another_environment

# the last word of a setting's name says what it holds: DB_PASSWORD holds a password,
# PASSWORD_MIN_LENGTH a length, TOKEN_EXPIRE_MINUTES minutes
_SECRET_WORDS = frozenset({"SECRET", "PASSWORD", "PASSWD", "PWD", "PASS", "TOKEN", "APIKEY", "CREDENTIAL"})
_KEY_QUALIFIERS = frozenset({"API", "PRIVATE", "ACCESS", "SIGNING", "ENCRYPTION", "MASTER", "SECRET", "HMAC"})
_PREFILTER = re.compile(r"""(?i)(secret|passw|pwd|pass["'_]|token|api_?key|_key["']|credential)""")
_PREFILTER_WORDS = ("secret", "passw", "pwd", 'pass"', "pass'", "pass_", "token", "apikey", "api_key", '_key"', "_key'",
                    "credential")
"""``_PREFILTER``'s alternatives spelt out: in an ASCII text, a substring test of the lower-cased text
finds what the case-blind regular expression finds, several times faster (it has no literal prefix
to skip ahead by, so it is tried at every position of every file)."""
_GETTERS = frozenset({"getenv", "get"})
_DEFAULT_READS = ("getenv", "environ", "default", "Settings")
"""What a read with a default needs in the text: a getter (``getenv``, ``environ.get``: see
``_reads_environ``), a reader's ``default=`` keyword, or a settings class's ``...Settings`` base."""
_ENV_READERS = frozenset({"env", "config", "str", "bytes"})


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretDefault:
    name: str
    line: int
    how: str
    """``os.getenv``, ``environ.get``, ``env(default=...)``, ``config(default=...)``,
    ``BaseSettings field``."""


def is_secret_name(name: str) -> bool:
    """``SECRET_KEY``, ``DB_PASSWORD``, ``STRIPE_API_KEY``: yes. ``TOKEN_EXPIRE_MINUTES``: no."""
    words = [_singular(w) for w in re.split(r"[_\W]+", name.upper()) if w]
    if not words:
        return False
    if words[-1] in _SECRET_WORDS:
        return True
    return words[-1] == "KEY" and len(words) > 1 and words[-2] in _KEY_QUALIFIERS


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("S") and word[:-1] in _SECRET_WORDS | {"KEY"} else word


def is_production_module(relpath: str) -> bool:
    """False for ``settings/local.py``, ``config/dev.py``, ``settings_test.py``: modules whose
    name says they configure a non-production environment."""
    return not names_another_environment(relpath)


def secret_defaults(text: str, module: ast.Module, nodes: SyntaxNodes | None = None) -> list[SecretDefault]:
    """The secret-named settings a module reads with a non-empty literal default; ``text`` is its
    source, to skip quickly the modules that name no secret at all. ``nodes`` are the module's
    nodes by kind, when the per-file pass lists them for other rules too."""
    if not _may_read_a_default(text):
        return []
    if not _names_a_secret(text) and not any(_names_a_secret(spelt) for spelt in spelt_out(text)):
        return []  # no literal names a secret, however it is written (an escape, adjacent literals)
    found: list[SecretDefault] = []
    for node in (nodes or SyntaxNodes(module)).of(ast.Call, ast.ClassDef):
        if isinstance(node, ast.Call):
            hit = _call_default(node)
            if hit is not None:
                found.append(hit)
        elif isinstance(node, ast.ClassDef) and is_settings_class(node):
            found.extend(_settings_defaults(node))
    return sorted(found, key=lambda d: (d.line, d.name))


def _names_a_secret(text: str) -> bool:
    if not text.isascii():  # case-blind matching folds more than lower() does (the long s, the Kelvin sign)
        return _PREFILTER.search(text) is not None
    lowered = text.lower()
    return any(word in lowered for word in _PREFILTER_WORDS)


def _may_read_a_default(text: str) -> bool:
    """False only when no setting can be read with a default: every one needs a word of
    ``_DEFAULT_READS`` written in the text (identifiers, spelt as they are in an ASCII text; a text
    with other characters may spell them otherwise, and is read in full). Most texts that name a
    secret (``token``, ``key'``) read no setting, and their calls are then not looked at."""
    return not text.isascii() or any(word in text for word in _DEFAULT_READS)


def _call_default(node: ast.Call) -> SecretDefault | None:
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    getter = called in _GETTERS and _reads_environ(func)
    reader = called in _ENV_READERS or (isinstance(func, ast.Attribute) and last_name(func.value) == "env")
    # what is called is told first: most calls read no setting, and naming a secret costs a split
    if not (getter or reader):
        return None
    name = _string(node.args[0]) if node.args else None
    if name is None or not is_secret_name(name):
        return None
    if getter:
        default = node.args[1] if len(node.args) > 1 else _keyword(node, "default")
        how = "os.getenv" if called == "getenv" else "environ.get"
    else:
        default = _keyword(node, "default")
        how = f"{last_name(func.value) if isinstance(func, ast.Attribute) else called}(default=...)"
    if default is None or not _is_literal_secret(default):
        return None
    return SecretDefault(name=name, line=node.lineno, how=how)


def _reads_environ(func: ast.expr) -> bool:
    """``os.getenv``, ``getenv``, ``os.environ.get``, ``environ.get``: not ``dict.get``."""
    if isinstance(func, ast.Name):
        return func.id == "getenv"
    if isinstance(func, ast.Attribute):
        if func.attr == "getenv":
            return True
        return last_name(func.value) == "environ"
    return False


def _settings_defaults(node: ast.ClassDef) -> list[SecretDefault]:
    found = []
    prefix = env_prefix(node)
    for item in node.body:
        if (
            isinstance(item, ast.AnnAssign)
            and isinstance(item.target, ast.Name)
            and not item.target.id.startswith("_")  # a private attribute: pydantic reads no setting into it
            and item.value is not None
            and is_secret_name(item.target.id)
            and _is_literal_secret(_field_default(item.value))
        ):
            found.append(
                SecretDefault(name=f"{prefix}{item.target.id}".upper(), line=item.lineno, how="BaseSettings field")
            )
    return found


def _field_default(value: ast.expr) -> ast.expr | None:
    """``"x"``, ``SecretStr("x")`` or ``Field("x")`` / ``Field(default="x")``."""
    if isinstance(value, ast.Call) and last_name(value.func) in ("Field", "SecretStr", "SecretBytes"):
        return value.args[0] if value.args else _keyword(value, "default")
    return value


def _is_literal_secret(node: ast.expr | None) -> bool:
    value = _string(node)
    return value is not None and bool(value.strip())


def _string(node: ast.expr | None) -> str | None:
    """The value of a string literal, else ``None``."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)
