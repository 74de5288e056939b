"""Passwords written as dict literals (``{"password": "admin123"}``): the B105 case ruff's S105 misses.

ruff's S105 looks at assignments and comparisons to password-named variables; bandit's B105 also
looks at dict literals whose key is such a name (bandit issues 313 and 1267), where configuration
and seed data put them. This module finds those, with bandit's own name pattern and ruff's rule
that an empty string is no password; a placeholder, a label (``"password_label": "Password"``), a
constant's name (``"password": "LDAP"``, the provider that checks it), a route or a password's
hash is none either. The file is parsed, never imported or run.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from gonogo.collectors.literal_spelling import spelt_out
from gonogo.collectors.secrets import stands_for_a_value
from gonogo.collectors.syntax_nodes import SyntaxNodes

PASSWORD_KEY = re.compile(
    r"(^{0}$|_{0}_|^{0}_|_{0}$)".format(r"(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)"), re.IGNORECASE
)
"""bandit's ``RE_CANDIDATES``: the key is, begins, ends or contains ``_password_`` (or pwd, token...)."""
KEY_WORD = re.compile(r"""(?:pas+wo?r?d|pass(?:phrase)?|pwd|token|secrete?)["'_]""")
"""A cheap test on a file's lower-cased text: a key :data:`PASSWORD_KEY` finds has one of its words
followed by ``_`` or by the literal's closing quote, as written (``gonogo.collectors.literal_spelling``
spells out the other ways to write it). It once asked for the quote, word characters and the colon
around the word, and missed ``"db.prod_password": ...``."""
KEY_WORD_ANY_CASE = re.compile(KEY_WORD.pattern, re.IGNORECASE)
"""The same, for a text with other characters than ASCII, which case-blind matching folds as
:data:`PASSWORD_KEY` does (the long s, the Kelvin sign) and ``lower()`` does not."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DictPassword:
    line: int
    column: int
    key: str


def dict_passwords(source: bytes) -> list[DictPassword]:
    """Every ``"password-like key": "non-empty string"`` pair in a dict literal; ``[]`` for files
    that do not parse."""
    if not may_name_a_password(source.decode("utf-8", errors="replace")):
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return _in_dicts(SyntaxNodes(tree))


def dict_passwords_in(text: str, nodes: SyntaxNodes) -> list[DictPassword]:
    """As :func:`dict_passwords`, on a file the per-file pass has decoded (``text``) and whose nodes
    it lists by kind. The test on the text only spares the walk that lists them: once another rule
    of the pass has had them listed (it runs last), reading the dicts costs less than the test. On
    site-packages the test cost 2.1 s of the 23 s pass (one process), 1.7 s of it on such files;
    the facts are the same."""
    return _in_dicts(nodes) if nodes.listed or may_name_a_password(text) else []


def _in_dicts(nodes: SyntaxNodes) -> list[DictPassword]:
    found: list[DictPassword] = []
    for node in nodes.of(ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            match key, value:
                case ast.Constant(value=str(name)), ast.Constant(value=str(text)) if (
                    PASSWORD_KEY.search(name) and text and not _not_a_password(text)
                ):
                    # bandit reports the key's line, so findings line up with its
                    found.append(DictPassword(line=key.lineno, column=key.col_offset + 1, key=name))
    return found


def may_name_a_password(text: str) -> bool:
    """False only when no string literal of ``text`` can be a key :data:`PASSWORD_KEY` finds,
    however it is written."""
    return _key_word(text) or any(_key_word(spelt) for spelt in spelt_out(text))


def _key_word(text: str) -> bool:
    if text.isascii():
        return KEY_WORD.search(text.lower()) is not None
    return KEY_WORD_ANY_CASE.search(text) is not None


def _not_a_password(text: str) -> bool:
    return stands_for_a_value(text) or text.startswith("/")  # a hash: FastAPI's {"hashed_password": "$2b$..."}
