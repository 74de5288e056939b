"""Passwords written as dict literals (``{"password": "admin123"}``): the B105 case ruff's S105 misses.

ruff's S105 looks at assignments and comparisons to password-named variables; bandit's B105 also
looks at dict literals whose key is such a name (bandit issues 313 and 1267), where configuration
and seed data put them. This module finds those, with bandit's own name pattern and ruff's rule
that an empty string is no password; a placeholder, a label (``"password_label": "Password"``), a
constant's name (``"password": "LDAP"``, the provider that checks it) or a route is none either.
The file is parsed, never imported or run.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from gonogo.collectors.secrets import REFERENCE_VALUE, is_placeholder
from gonogo.collectors.syntax_nodes import SyntaxNodes

PASSWORD_KEY = re.compile(
    r"(^{0}$|_{0}_|^{0}_|_{0}$)".format(r"(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)"), re.IGNORECASE
)
"""bandit's ``RE_CANDIDATES``: the key is, begins, ends or contains ``_password_`` (or pwd, token...)."""
QUOTED_KEY = re.compile(rb"""["'][\w-]*(?i:pas|pwd|token|secret)[\w-]*["']\s*:""")
"""A cheap test on the bytes: only files with such a quoted key are parsed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DictPassword:
    line: int
    column: int
    key: str


def dict_passwords(source: bytes) -> list[DictPassword]:
    """Every ``"password-like key": "non-empty string"`` pair in a dict literal; ``[]`` for files
    that do not parse."""
    if QUOTED_KEY.search(source) is None:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return dict_passwords_in(tree, source)


def dict_passwords_in(tree: ast.Module, source: bytes, nodes: SyntaxNodes | None = None) -> list[DictPassword]:
    """As :func:`dict_passwords`, on a tree the per-file pass has parsed already (and its nodes by
    kind, when that pass lists them for other rules too)."""
    if QUOTED_KEY.search(source) is None:
        return []
    found: list[DictPassword] = []
    for node in (nodes or SyntaxNodes(tree)).of(ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            match key, value:
                case ast.Constant(value=str(name)), ast.Constant(value=str(text)) if (
                    PASSWORD_KEY.search(name) and text and not _not_a_password(text)
                ):
                    # bandit reports the key's line, so findings line up with its
                    found.append(DictPassword(line=key.lineno, column=key.col_offset + 1, key=name))
    return found


def _not_a_password(text: str) -> bool:
    return is_placeholder(text) or REFERENCE_VALUE.match(text) is not None or text.startswith("/")
