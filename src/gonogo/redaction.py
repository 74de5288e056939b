"""One redaction mechanism for everything gonogo shows, stores or shares.

A scanned repository's text reaches reports through many checks: an ``ADD`` line (IMG005), a
direct URL (VULN002), a function's first line (CODE001), a skip reason (TEST001), a broken
requirement (DEP007), an image reference (IMG001), a path in the docs (DOC001), a service URL
(SVC001). Masking credentials check by check leaks whatever the next check prints, so the engine
passes the finished report, the per-file facts it caches and the baseline it writes through
:func:`scrub`, which applies :func:`redact` to every string inside.

What is masked is what has a credential's shape, never ordinary code:

- the password of a URL (``scheme://user:password@host``), as ``***``;
- known token formats, found by the same maintained detect-secrets detectors the secrets
  collector uses (GitHub, GitLab, AWS, Slack, Stripe, PyPI, JWT...), and PEM private-key bodies;
- a value assigned to a secret-named key (``password=``, ``api_key:``, ``token="..."``) that is
  random enough to be one: quoted, or unquoted with letters and digits and no call after it (so
  ``token = hashlib.md5(f"...")`` stays readable);
- the credential after ``Bearer`` or ``Basic`` in an authorisation header;
- a password on a command line, as a CI step or a README's example writes one: the password of
  ``-u user:password`` (``curl``, ``--user``, httpie's ``-a``) when it is random enough to be one,
  the value of ``--password``-like options, ``sshpass -p``, ``mysql -pPASSWORD`` and
  ``... login -p PASSWORD``.

A masked value becomes ``<redacted:xxxxxxxx>``: the same eight-character fingerprint SEC020
shows, so two hits can be told apart without showing either. :func:`redact` is idempotent: a
masked text is left as it is, so redacting twice (a cached fact, then the report) changes nothing.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import math
import operator
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from gonogo.evolve import replaced
from gonogo.token_formats import find_tokens

T = TypeVar("T")

MASK_PREFIX = "<redacted:"
URL_MASK = "***"

@functools.cache
def _format_patterns() -> tuple[re.Pattern[str], ...]:
    """The patterns of the token-format detectors (``token_formats``). The private-key detector
    only matches the ``BEGIN`` header, which is not the secret: PEM bodies are masked by
    :data:`PEM_BLOCK`; URLs with a password are :data:`URL_CREDENTIALS`."""
    from gonogo.token_formats import BASIC_AUTH, PRIVATE_KEY, token_formats

    unmasked = (PRIVATE_KEY, BASIC_AUTH)
    return tuple(
        pattern for token in token_formats() if token.secret_type not in unmasked for pattern in token.patterns
    )


def load_token_patterns() -> None:
    """Build the token patterns and import detect-secrets now, in this process. Called before a
    process pool forks its workers (``parallel``): a worker redacts what it returns and confirms
    what a pattern matched with a detector, and one forked while another thread of the scan was
    importing detect-secrets inherits that import's lock without the thread that holds it, and
    would wait for it forever."""
    from gonogo.token_formats import token_detectors

    _format_patterns()
    token_detectors()


URL_CREDENTIALS = re.compile(r"(?P<head>(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/?#@\[\]]*:)(?P<password>[^\s/]+)@")
"""``scheme://user:password@``: the password runs to the authority's last ``@``, so one that holds
an ``@`` itself (``P@ssword!@host``) is masked whole. A scheme starts where a run of scheme
characters starts (the look-behind), not at every word boundary inside one: from each of those, a
long ``a.a.a...`` line was scanned again to its end."""
PEM_BLOCK = re.compile(
    r"(?P<head>-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)(?P<body>.*?)"
    r"(?P<tail>-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)",
    re.DOTALL,
)
JWT_TAIL = re.compile(r"[A-Za-z0-9\-_.+/=]*")
CLI_USER_PASSWORD = re.compile(
    r"(?<![\w-])(?:-u|--user|--proxy-user|-a|--auth)(?:\s+|=)['\"]?[^\s:'\"@/]+:(?P<value>[^\s'\"]+)"
)
"""``curl -u user:password``: the password after the user. Only a random-looking one is masked, so
``docker run -u www-data:www-data`` stays as it is."""
CLI_PASSWORD = re.compile(
    r"(?<![\w-])--(?:[\w-]*-)?(?:password|passwd|pass)(?:\s+(?!-)|=)['\"]?(?P<option>[^\s'\"]+)"
    r"|\bsshpass\s+-p\s*['\"]?(?P<sshpass>[^\s'\"]+)"
    r"|\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n;&|]{0,200}?\s-p(?P<mysql>[^\s'\"]+)"
    r"|\blogin\b[^\n;&|]{0,200}?\s-p\s+(?!-)['\"]?(?P<login>[^\s'\"]+)"
)
"""A value a command line names as a password: ``--password X``, ``--db-pass=X``, ``sshpass -p X``,
``mysql -pX`` (attached), ``docker login -p X``. ``-p`` alone means a port or a parent folder to
most commands, so only these read it as a password. A word after a blank that starts with ``-`` is
the next option (``pg_dump --password --host db``: the flag asks for the password). A command's
options are looked through for at most 200 characters: a line repeating ``login`` is not scanned to
its end from each one."""
AUTH_HEADER = re.compile(r"(?i)\b(?:bearer|basic)\s+(?P<value>[A-Za-z0-9\-._~+/]{16,}=*)")

SECRET_NAME = re.compile(
    r"(?ix)(?:^|[_.\-]|(?<=[a-z0-9])(?=[A-Z]))"
    r"(password|passwd|passphrase|pwd|secret|secret_?key|client_?secret|token|access_?token|"
    r"auth_?token|refresh_?token|api_?key|apikey|access_?key|private_?key|credentials?)$"
)
"""The name's last word says it holds a secret: ``DB_PASSWORD``, ``githubToken``, ``api_key``."""
PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "pwd"})
_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
QUOTED_ASSIGNMENT = re.compile(
    rf"""(?<![A-Za-z0-9_.\-])(?P<name>{_NAME})["']?\s*(?:[!=]=|=|:=|=>|:)\s*[rbuRBU]{{0,2}}"""
    r"""(?P<q>["'`])(?P<value>[^"'`\n\\]{4,200})(?P=q)"""
)
UNQUOTED_ASSIGNMENT = re.compile(
    rf"""(?<![A-Za-z0-9_.\-])(?P<name>{_NAME})\s*[:=]\s*(?P<value>[A-Za-z0-9+/=_\-~!#$%^&*]{{10,200}})(?![A-Za-z0-9+/=_\-~!#$%^&*(\[.])"""
)
"""``PASSWORD=hunter2xyz9`` or ``token:abc123def4`` in a command: a word followed by ``(`` or
``.`` is code (``hashlib.md5(``), not a credential. At least ten characters, so the eight-digit
fingerprint a report shows (``hard-coded password:2b6efc26``) is not masked again."""
PLACEHOLDER_WORDS = (
    "changeme", "change_me", "change-me", "example", "placeholder", "dummy", "sample", "your_",
    "your-", "xxx", "redacted", "replace", "fixme", "todo", "***", "...", "<", "${", "{{", "$(",
    "%(", "#{",
)
PLACEHOLDER_VALUES = frozenset(
    {
        "password", "passwd", "secret", "token", "none", "null", "nil", "true", "false", "empty",
        "test", "testing", "admin", "root", "user", "username", "pass", "default", "undefined",
        "string", "required", "optional", "hidden", "masked", "unset", "notset",
    }
)
"""Values that name what should be there rather than being it (the secrets collector's list)."""
REFERENCE_VALUE = re.compile(
    r"^(?:\$\w+|%\w+%|[A-Z][A-Z_]*_[A-Z0-9_]*|[A-Z]+|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_]\w*)+)$"
)
"""``$VAR``, ``%VAR%``, an environment variable's name (``DB_PASSWORD``), ``settings.SECRET_KEY``."""
FORMAT_HINT = re.compile(
    r"A3T|ABIA|ACCA|AKIA|ASIA|(?i:aws)|AccountKey=|gh[pousr]_|gl[a-z]{2,6}-|GR1348941|xox[abposr]-"
    r"|hooks\.slack|[rs]k_live_|T3BlbkFJ|pypi-Ag|_authToken|SG\.|[AS][CK][a-z0-9]{32}|-us\d"
    r"|[MNO][\w-]{23,25}\.|\d{8}:|sq0csp-|AKC|AP[\dA-F]|eyJ"
)
"""A literal piece every known format has: the formats' own patterns run only on texts holding one."""
NAME_WORDS = ("pass", "pwd", "secret", "token", "key", "credential")
"""Lower-case pieces of every :data:`SECRET_NAME` word: the assignment rules run only where one is."""


def fingerprint(value: str) -> str:
    """Eight hex characters of a hash, the same SEC020 shows: tells values apart, reveals nothing."""
    return hashlib.blake2b(value.encode("utf-8", "replace"), digest_size=4, person=b"gonogo-secret").hexdigest()


def redact(text: str) -> str:
    """``text`` with every credential-shaped value masked; ordinary text and code unchanged."""
    if len(text) < 6:
        return text
    found = list(_secret_spans(text))
    if not found:
        return text
    spans = sorted(found, key=lambda span: (span[0], -span[1]))
    pieces: list[str] = []
    last = 0
    for start, end, replacement in spans:
        if start < last:
            continue  # overlapping matches: the earliest, widest one already covers this
        pieces.append(text[last:start])
        pieces.append(replacement)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def redact_url(url: str) -> str:
    """A URL without its password, for probe evidence that may be shared."""
    return redact(url)


def _secret_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, replacement) of every value to mask, in any order, possibly overlapping."""
    # each rule runs only when a cheap substring test says it could match: most texts (function
    # names, paths, messages) pass none, and a fact cache holds tens of thousands of them
    if "://" in text:
        yield from _url_spans(text)
    if "-----BEGIN" in text:
        yield from _pem_spans(text)
    if FORMAT_HINT.search(text):
        for pattern in _format_patterns():
            covered = -1  # the end of the last span: a JWT's reaches past its match, over the signature
            for match in find_tokens(pattern, text):
                if match.end() <= covered:
                    continue  # a chain of JWT parts: inside the span masked already, read once
                start, covered, replacement = _format_span(match, pattern)
                yield start, covered, replacement
    lowered = text.lower()
    if "bearer" in lowered or "basic" in lowered:
        for match in AUTH_HEADER.finditer(text):
            yield match.start("value"), match.end("value"), _mask(match.group("value"))
    if any(word in lowered for word in NAME_WORDS):
        yield from _assignment_spans(text)
    if "-" in text:
        yield from _command_line_spans(text)


def _url_spans(text: str) -> Iterator[tuple[int, int, str]]:
    for match in URL_CREDENTIALS.finditer(text):
        password = match.group("password")
        if password != URL_MASK and not password.startswith(MASK_PREFIX):
            yield match.start("password"), match.end("password"), URL_MASK


def _pem_spans(text: str) -> Iterator[tuple[int, int, str]]:
    for match in PEM_BLOCK.finditer(text):
        body = match.group("body").strip()
        if body and not body.startswith(MASK_PREFIX):
            start = match.start("body") + match.group("body").index(body)
            yield start, start + len(body), _mask(body)


def _assignment_spans(text: str) -> Iterator[tuple[int, int, str]]:
    for pattern in (QUOTED_ASSIGNMENT, UNQUOTED_ASSIGNMENT):
        for match in pattern.finditer(text):
            value, word = match.group("value"), SECRET_NAME.search(match.group("name"))
            if word is None or not looks_random(value, password=word.group(1).lower() in PASSWORD_WORDS):
                continue
            if pattern is UNQUOTED_ASSIGNMENT and not _letters_and_digits(value):
                continue  # unquoted prose ("credentials: random-looking") is words, not a key
            yield match.start("value"), match.end("value"), _mask(value)


def _command_line_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Passwords a command line holds (:data:`CLI_USER_PASSWORD`, :data:`CLI_PASSWORD`)."""
    found: list[tuple[re.Match[str], bool]] = []
    if "-u" in text or "-a" in text:
        found += [(match, False) for match in CLI_USER_PASSWORD.finditer(text)]
    if "-p" in text:  # ``--password``, ``--db-pass``, ``sshpass -p``, ``mysql -p``, ``login -p``
        found += [(match, True) for match in CLI_PASSWORD.finditer(text)]
    for match, named in found:
        group = next(name for name, value in match.groupdict().items() if value is not None)
        value = match.group(group)
        if value.startswith(MASK_PREFIX) or not looks_random(value, password=named):
            continue
        yield match.start(group), match.end(group), _mask(value)


def _letters_and_digits(value: str) -> bool:
    return any(ch.isdigit() for ch in value) and any(ch.isalpha() for ch in value)


def _format_span(match: re.Match[str], pattern: re.Pattern[str]) -> tuple[int, int, str]:
    """The token inside a known-format match: its group when it has one (the AWS secret between
    quotes), else the match without the delimiters some patterns include (Artifactory's). A JWT's
    pattern stops before the signature (it is lazy): the signature is masked with the rest."""
    group = next((i for i, g in enumerate(match.groups(), 1) if g and len(g) >= 8), None)
    if group is not None:
        start, end = match.span(group)
    else:
        start, end = match.span()
        while start < end and match.string[start] in " \t\r\n=:\"":
            start += 1
        while end > start and match.string[end - 1] in " \t\r\n\"":
            end -= 1
        if pattern.pattern.startswith("eyJ"):
            end = JWT_TAIL.match(match.string, end).end()  # type: ignore[union-attr]
    return start, end, _mask(match.string[start:end])


def looks_random(value: str, *, password: bool = False) -> bool:
    """A value with a credential's shape: long and varied enough, not a placeholder, a reference to
    a variable or setting, or a value masked already. A password may be a plain word
    (``useruser``): under a password's name any six varied characters are masked."""
    lowered = value.lower()
    if len(value) < 6 or len(set(value)) < 4 or any(ch.isspace() for ch in value):
        return False
    if lowered in PLACEHOLDER_VALUES or any(word in lowered for word in PLACEHOLDER_WORDS):
        return False
    if REFERENCE_VALUE.match(value):
        return False
    if value.startswith(("/", "./", "http://", "https://")):
        return False
    if password:
        return True
    has_digit = any(ch.isdigit() for ch in value)
    return (has_digit or len(value) >= 12) and entropy(value) >= 2.5


def entropy(value: str) -> float:
    """Shannon entropy in bits per character: random keys score 4+, words score under 3."""
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values()) if total else 0.0


def _mask(value: str) -> str:
    return f"{MASK_PREFIX}{fingerprint(value)}>"


def scrub(value: T) -> T:
    """``value`` with :func:`redact` applied to every string inside it: through tuples, lists,
    sets, dicts and dataclasses (rebuilt as ``dataclasses.replace`` would, only where a string changed,
    so an untouched fact stays the same object). For reports, cached facts and baselines.

    A dataclass held in two places (a report's finding, in its check's result and in the plan's
    action) is scrubbed once and comes out as one object in both."""
    outer = getattr(_SCRUBBED, "seen", None)
    _SCRUBBED.seen = {}
    try:
        return _scrub(value)  # type: ignore[no-any-return]
    finally:
        _SCRUBBED.seen = outer


_SCRUBBED = threading.local()
"""``seen``: id of each dataclass object met by this thread's :func:`scrub` -> (the object, kept
alive so its id is not reused, and what it became)."""


@functools.lru_cache(maxsize=1 << 16)
def redact_repeated(text: str) -> str:
    """:func:`redact`, remembered, for short texts seen over and over: a report repeats its
    messages, paths and evidence thousands of times, and every scrub of it (or of a cache's facts)
    and every fingerprint would otherwise mask each copy anew."""
    return redact(text)


def _scrub(value: Any) -> Any:
    # one dictionary lookup picks what a value of this type needs: a report or a file's facts
    # hold hundreds of thousands of values, and a chain of isinstance tests per value cost more
    # than the masking itself
    kind = type(value)
    handler = _HANDLERS.get(kind)
    if handler is None:
        handler = _HANDLERS[kind] = _handler_for(kind)
    return handler(value)


def _unchanged(value: Any) -> Any:
    return value


def _scrub_str(value: str) -> str:
    masked = redact_repeated(value)
    return value if masked == value else masked  # the caller's own object when unchanged


def _scrub_str_subclass(value: str) -> str:
    return redact(str(value))


def _scrub_collection(value: Any) -> Any:
    items = [_scrub(item) for item in value]
    if all(map(operator.is_, items, value)):
        return value
    return type(value)(items)


def _scrub_namedtuple(value: Any) -> Any:
    items = [_scrub(item) for item in value]
    if all(map(operator.is_, items, value)):
        return value
    return type(value)(*items)


def _scrub_dict(value: dict[Any, Any]) -> Any:
    pairs = [(_scrub(k), _scrub(v)) for k, v in value.items()]
    if all(nk is k and nv is v for (nk, nv), (k, v) in zip(pairs, value.items(), strict=True)):
        return value
    return type(value)(pairs)


_INIT_FIELDS: dict[type, tuple[str, ...]] = {}


def _scrub_dataclass(value: Any) -> Any:
    seen: dict[int, tuple[Any, Any]] = _SCRUBBED.seen
    known = seen.get(id(value))
    if known is not None:
        return known[1]
    changes = {}
    for name in _INIT_FIELDS[type(value)]:
        old = getattr(value, name)
        new = _scrub(old)
        if new is not old:
            changes[name] = new
    scrubbed = replaced(value, **changes) if changes else value
    seen[id(value)] = (value, scrubbed)
    return scrubbed


def _handler_for(kind: type) -> Callable[[Any], Any]:
    """What scrubbing a value of ``kind`` takes, decided once per type."""
    if kind is str:
        return _scrub_str
    if kind in (type(None), bool, int, float) or issubclass(kind, (enum.Enum, type)):
        return _unchanged
    if issubclass(kind, tuple) and hasattr(kind, "_fields"):
        return _scrub_namedtuple
    if issubclass(kind, (tuple, list, set, frozenset)):
        return _scrub_collection
    if issubclass(kind, dict):
        return _scrub_dict
    if dataclasses.is_dataclass(kind):
        # a digest's field (``model.DIGEST``) holds hex digits gonogo made: nothing to mask
        _INIT_FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.init and not f.metadata.get("digest"))
        return _scrub_dataclass
    if issubclass(kind, str):
        return _scrub_str_subclass
    return _unchanged


_HANDLERS: dict[type, Callable[[Any], Any]] = {}
