"""What a weak hash call is used for, read from the code around it: the facts SEC003 judges.

ruff's S324 and S303 flag every MD5 or SHA-1 call alike. Whether that matters depends on the use:
a password digest or a token made with MD5 can be forged or reversed; a cache key, an ETag, a
de-duplication key or the digest of an HMAC cannot be attacked that way (HMAC-SHA1 and HMAC-MD5
are not broken), and a digest sent in an HTTP request is the remote API's protocol, not a choice
this code made. This module records, for one flagged call, the names the code gives to what goes
in and what comes out, the function it is in, whether it is an HMAC's digest or part of a
Django password hasher, and whether it goes straight into an HTTP request. It only reads the
syntax tree; nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from gonogo.collectors.py_parse import parse_module
from gonogo.collectors.syntax_nodes import last_name
from gonogo.collectors.web_code import CLIENT_MODULES, SEND_METHODS, dotted
from gonogo.source_lines import python_lines

HMAC_FUNCTIONS = frozenset({"new", "digest", "HMAC"})
"""``hmac.new``, ``hmac.digest``, ``hmac.HMAC``; and cryptography's ``HMAC(key, hashes.SHA1())``."""
PWNED_RANGE_API = "api.pwnedpasswords.com/range"
"""Have I Been Pwned's k-anonymity API: it is asked for the first five hex digits of a password's
SHA-1, so the protocol, not the code, chooses that hash, and the digest is sent, never stored."""
HMAC_KEYWORDS = frozenset({"digestmod", "digest_method", "hashfunc"})
IDENTIFIER_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@dataclass(frozen=True, slots=True, kw_only=True)
class HashUse:
    """The names around one weak-hash call, as words (``password``, ``cache``, ``key``)."""

    argument_words: tuple[str, ...]
    """Words of the names the call hashes (``password.encode()`` gives ``password``, ``encode``)."""
    target_words: tuple[str, ...]
    """Words of what receives the digest: an assignment target, a keyword argument, a dict key."""
    function_words: tuple[str, ...]
    """Words of the enclosing function's name (``create_cache_key_from_token``)."""
    returned: bool
    """The digest is what the function returns, so the function's name names it too."""
    hmac: bool
    """The hash is an HMAC's digest (``hmac.new(key, msg, hashlib.sha1)``, ``digestmod=``)."""
    password_hasher: bool
    """The call is inside a class named or derived from a ``...PasswordHasher`` (Django)."""
    sent: bool
    """The digest is an argument of an HTTP client's request in the same statement
    (``requests.post(url, params={"password": md5(pw).hexdigest()})``): the remote API's protocol."""
    pwned_range: bool = False
    """The enclosing function writes the URL of Have I Been Pwned's range API
    (:data:`PWNED_RANGE_API`): the digest is the k-anonymity query that API defines."""


HASH_USE_VERSION = 5
"""Bump when what :class:`HashUses` records changes: the facts are cached by file content (2: lines
numbered as Python numbers them, ``source_lines``; 3: ``sent``; 4: files with Python 3.14's
``except A, B:`` parse, ``py_parse``; 5: ``pwned_range``)."""

Place = tuple[int, int | None]
"""Where ruff flagged a call: its line and 1-based character column."""


def uses_at(payload: tuple[bytes, tuple[Place, ...]]) -> tuple[HashUse | None, ...]:
    """The facts of each flagged call of one file (its bytes and the places), the file parsed
    once: top-level, so the fact cache's process pool can run it."""
    source, places = payload
    uses = HashUses(source)
    return tuple(uses.at(line, column) for line, column in places)


class HashUses:
    """One parsed file: ``at(line, column)`` gives the facts of the call ruff flagged there."""

    def __init__(self, source: bytes) -> None:
        self._lines = python_lines(source.decode("utf-8", errors="replace"))
        self._parents: dict[ast.AST, ast.AST] = {}
        self._by_start: dict[tuple[int, int], list[ast.AST]] = {}
        try:
            tree = parse_module(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return  # unparsable: no facts, so the finding keeps bandit's levels
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                self._parents[child] = parent
                if isinstance(child, ast.expr):  # a call, or the argument naming the algorithm
                    self._by_start.setdefault((child.lineno, child.col_offset), []).append(child)

    def at(self, line: int, column: int | None) -> HashUse | None:
        """The facts for the call starting at ``line``/``column`` (ruff's 1-based character
        column), or ``None`` when no call is there (the finding then keeps its levels)."""
        call = self._call_at(line, column)
        if call is None:
            return None
        return HashUse(
            argument_words=_words(_names(call.args, call.keywords)),
            target_words=_words(self._targets(call)),
            function_words=_words([self._function(call) or ""]),
            returned=self._returned(call),
            hmac=self._is_hmac_digest(call),
            password_hasher=self._in_password_hasher(call),
            sent=self._sent_in_request(call),
            pwned_range=self._in_pwned_range_query(call),
        )

    def _call_at(self, line: int, column: int | None) -> ast.Call | None:
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        offset = len(text[: (column or 1) - 1].encode("utf-8"))  # ast counts UTF-8 bytes
        # the innermost node first: ``hashlib.md5(x).hexdigest()`` starts where ``hashlib.md5(x)`` does
        for node in reversed(self._by_start.get((line, offset), [])):
            if isinstance(node, ast.Call):
                return node
            parent = self._parents.get(node)
            if isinstance(parent, ast.Call) and node in parent.args:  # hashlib.new("md5"): the name
                return parent
        return None

    def _ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        while node in self._parents:
            node = self._parents[node]
            yield node

    def _targets(self, call: ast.Call) -> list[str]:
        """The names the digest flows into, up to the enclosing statement."""
        names: list[str] = []
        child: ast.AST = call
        for node in self._ancestors(call):
            match node:
                case ast.Assign(targets=targets):
                    names.extend(_target_names(targets))
                case ast.AnnAssign(target=target) | ast.AugAssign(target=target):
                    names.extend(_target_names([target]))
                case ast.keyword(arg=str(arg)):
                    names.append(arg)
                case ast.Dict(keys=keys, values=values):
                    names.extend(
                        key.value
                        for key, value in zip(keys, values, strict=True)
                        if value is child and isinstance(key, ast.Constant) and isinstance(key.value, str)
                    )
            if isinstance(node, ast.stmt):
                break
            child = node
        return names

    def _returned(self, call: ast.Call) -> bool:
        statement = next((node for node in self._ancestors(call) if isinstance(node, ast.stmt)), None)
        return isinstance(statement, ast.Return)

    def _function(self, call: ast.Call) -> str | None:
        for node in self._ancestors(call):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node.name
        return None

    def _is_hmac_digest(self, call: ast.Call) -> bool:
        """The call (or a lambda returning it) is an HMAC call's argument or a digest keyword."""
        for node in self._ancestors(call):
            match node:
                case ast.keyword(arg=str(arg)) if arg in HMAC_KEYWORDS:
                    return True
                case ast.Call(func=func):
                    return last_name(func) == "HMAC" or (_owner(func) == "hmac" and last_name(func) in HMAC_FUNCTIONS)
                case ast.Lambda() | ast.keyword():
                    continue
                case _:
                    return False
        return False

    def _sent_in_request(self, call: ast.Call) -> bool:
        """The digest is inside the arguments of ``requests.post(...)``, ``httpx.get(...)`` (a
        client module's send method) in the same statement: only a call the digest is passed
        into counts, never one whose response it hashes (``md5(requests.get(url).content)``)."""
        for node in self._ancestors(call):
            if isinstance(node, ast.stmt):
                return False
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SEND_METHODS and dotted(node.func.value) in CLIENT_MODULES):
                return True
        return False

    def _in_pwned_range_query(self, call: ast.Call) -> bool:
        """The function around the call holds a string naming :data:`PWNED_RANGE_API` (liberapay's
        ``check_password`` builds ``"https://api.pwnedpasswords.com/range/" + passhash[:5]``)."""
        function = next(
            (node for node in self._ancestors(call) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)), None
        )
        return function is not None and any(
            isinstance(node, ast.Constant) and isinstance(node.value, str) and PWNED_RANGE_API in node.value
            for node in ast.walk(function)
        )

    def _in_password_hasher(self, call: ast.Call) -> bool:
        for node in self._ancestors(call):
            if isinstance(node, ast.ClassDef):
                bases = [last_name(base) for base in node.bases]
                return any(name.endswith("PasswordHasher") for name in (node.name, *bases))
        return False


def _names(args: list[ast.expr], keywords: list[ast.keyword]) -> list[str]:
    """Every variable and attribute name inside the call's arguments."""
    found: list[str] = []
    for root in [*args, *(k.value for k in keywords)]:
        for node in ast.walk(root):
            if isinstance(node, ast.Name):
                found.append(node.id)
            elif isinstance(node, ast.Attribute):
                found.append(node.attr)
    return found


def _target_names(targets: list[ast.expr]) -> Iterator[str]:
    for target in targets:
        for node in ast.walk(target):
            match node:
                case ast.Name(id=name) | ast.Attribute(attr=name):
                    yield name
                case ast.Constant(value=str(key)):
                    yield key  # data["password"] = ...


def _owner(func: ast.expr) -> str:
    match func:
        case ast.Attribute(value=ast.Name(id=name)):
            return name
    return ""


def _words(names: list[str]) -> tuple[str, ...]:
    """``create_app_cache_key_from_token`` and ``pwdHash`` as lower-case words, in order, once each."""
    words: dict[str, None] = {}
    for name in names:
        for word in IDENTIFIER_WORDS.findall(name):
            words.setdefault(word.lower(), None)
    return tuple(words)
