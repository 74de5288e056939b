"""The ``secrets`` fact: hard-coded credentials in the workspace's text files, never their values.

Three sources, one pass over each file:

- known formats (cloud and SaaS tokens, private keys, URLs with a password) from the maintained
  detect-secrets library's regex detectors, run over the whole text so a hit carries its line
  (``find_tokens``: the three that backtrack quadratically in linear time), then confirmed by the
  detector's own ``analyze_string`` (JWT validation...) on the hit's line, cut to a few hundred
  characters either side of it;
- our own rule for values assigned to names that say "secret" (``password``, ``api_key``,
  ``SECRET_KEY``, ``githubToken``): long or random enough, and not a placeholder (``changeme``,
  ``xxx``, ``${VAR}``, ``<token>``, ``test-secret-do-not-use``, ``abcdef...0123456789``), not an
  enumeration's own name, not a path, not prose; in test code only random-looking values count,
  and translation files (whose "password" entries are labels) are left to the known formats;
- ``.env`` files that are in the tree and not git-ignored, with what their secret settings hold.

Each hit also carries facts about where it sits, for the checks to judge a leak from a sample:
the kind of file (``Place``: code, test, docs, example, CI configuration, translation, ``.env``
template), whether it is in a Python comment or docstring, whether the value is one short word
(``postgres``), and whether an AWS key ID has no secret key beside it.

A secret's value never leaves this module: a hit carries its kind, where it is, a short
fingerprint (a hash prefix, to tell two hits apart and to baseline them) and the line with the
value masked. ``redact`` masks whatever these rules find in any other text (SAST evidence).
"""

from __future__ import annotations

import ast
import bisect
import hashlib
import io
import itertools
import math
import re
import sys
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache, partial

from gonogo.collectors.testpaths import (
    DOCS_DIRS,
    EXAMPLE_DIRS,
    SET_UP_WORDS,
    TEST_WORDS,
    is_development_setup,
    is_test_path,
)
from gonogo.options import ScanOptions
from gonogo.parallel import FileJob, FileLookup, computed_files, looked_up_files
from gonogo.redaction import JWT_TAIL, redact  # the one redactor; re-exported for evidence lines here
from gonogo.regex_literals import Prefilter, literals_of, required_literals
from gonogo.token_formats import (
    AWS_KEY,
    BASIC_AUTH,
    PRIVATE_KEY,
    TokenFormat,
    detector_for,
    find_tokens,
    never_issued,
    token_formats,
)
from gonogo.workspace import FileReadError, SourceFile, Workspace, decode_text

MAX_SECRET_SCAN_BYTES = 2 * 1024 * 1024
"""Bigger files are data, not configuration; they are counted in a note, not scanned."""

SKIPPED_NAMES = frozenset(
    {
        "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "Pipfile.lock",
        "uv.lock", "pdm.lock", "Cargo.lock", "composer.lock", "go.sum", "Gemfile.lock",
        ".gonogo-baseline.json",
    }
)
"""Lockfiles hold thousands of integrity hashes and no credentials."""
SKIPPED_SUFFIXES = (".min.js", ".min.css", ".map", ".svg")
"""Minified bundles and source maps are generated from sources scanned on their own; an SVG is
drawing data. A file is skipped by these rules, or as binary (``is_binary``), never by a guess."""

DOC_SUFFIXES = (".md", ".markdown", ".rst", ".adoc", ".txt")
STORY_MARK = ".stories."
"""Storybook's stories (``Button.stories.tsx``, ``CopyField.stories.tsx``): each renders a
component with made-up props for the component library's documentation, which no production
bundle imports (Flagsmith's ``frontend/documentation/``: a two-part JWT shown in a copy field)."""
TEST_NAME_WORDS = frozenset(
    {"test", "tests", "testing", "spec", "e2e", "fixture", "fixtures", "conftest", "mock", "mocks"}
)
"""A file-name word that makes a file test code wherever it is: ``test_api.py``, ``api_test.go``,
``button.spec.ts``, ``util.test.js``, ``configuration_testing.py``; ``latest.py`` has no such word."""
MOCK_DIRS = frozenset({"mocks", "mock"})
"""Folders of test doubles and canned data (Prefect's ``ui-v2/src/mocks/``, Mock Service Worker's
handlers): their credentials are samples, as a ``mock_client.py``'s are. Only the secrets scan
reads them so; other checks judge a Python ``mocks`` package as the code it is."""
I18N_DIRS = frozenset({"locale", "locales", "lang", "langs", "i18n", "l10n", "translations", "translation"})
I18N_SUFFIXES = (".po", ".pot", ".mo", ".xliff", ".xlf", ".arb", ".strings", ".resx")
CI_FILES = frozenset(
    {".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", "jenkinsfile",
     ".drone.yml", "cloudbuild.yaml", "cloudbuild.yml", "appveyor.yml", ".appveyor.yml"}
)
CI_DIRS = ((".github",), (".circleci",), (".buildkite",), (".woodpecker",), (".gitlab",), (".ci",))
"""Folders of a CI's configuration. All of ``.github/``: its workflows, actions, and the files
their jobs read (OctoPrint's ``.github/ci/e2econfig/``, the settings and users of the throwaway
server its end-to-end tests start); nothing there ships."""
_CI_DIR_STARTS = frozenset(prefix[0] for prefix in CI_DIRS)
DOCUMENT_SUFFIXES = frozenset({".html", ".htm", ".mhtml", ".xhtml", ".eml", ".har", ".xml", ".txt", ".csv"})
ENV_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults", ".tpl")


class Place(StrEnum):
    """What kind of file a hit is in: where credentials live (``CODE``) or where samples are expected.
    A fact about the path; the checks decide what it means for a finding's severity."""

    CODE = "code"
    TEST = "test"
    DOCS = "docs"
    EXAMPLE = "example"
    CI = "CI configuration"
    TRANSLATION = "translation"
    ENV_TEMPLATE = "env template"
    DEVELOPMENT = "development set-up"

@dataclass(frozen=True, slots=True)
class _Detectors:
    """The token formats (``token_formats``, made on first use) as the pass reads them."""

    patterns: tuple[tuple[TokenFormat, re.Pattern[str], bool], ...]
    """Each format's patterns, and whether they ignore case: worked out once, not per file."""
    aws_secret: re.Pattern[str]
    """detect-secrets' pattern for an AWS secret access key (its first one is the key ID's)."""
    anchored: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]
    """(pattern, its anchor) of the patterns that heed case and have one (:data:`ANCHORS`)."""
    exact: Prefilter[re.Pattern[str]]
    """The patterns that heed case and have no anchor (:data:`ANCHORS`), by the strings each
    requires: all looked for in one pass over a text."""
    folded: Prefilter[re.Pattern[str]]
    """The patterns that ignore case, by the strings each requires lower-cased, looked for in the
    lower-cased text (:func:`lowered_in_place`)."""

    def possible(self, text: str, lowered: str | None) -> frozenset[re.Pattern[str]]:
        """The patterns that may match ``text``: every other one cannot (:func:`_may_match`)."""
        anchored = frozenset(pattern for pattern, anchor in self.anchored if anchor.search(text))
        # without a lower-cased text, case-blind matching folds more than lower() (the long s): all run
        folded = self.folded.candidates(lowered) if lowered is not None else self.folded.keys
        return self.exact.candidates(text) | folded | anchored


@cache
def _detectors() -> _Detectors:
    formats = token_formats()
    aws = next(token for token in formats if token.secret_type == AWS_KEY)
    patterns = tuple(
        (token, pattern, bool(pattern.flags & re.IGNORECASE)) for token in formats for pattern in token.patterns
    )
    return _Detectors(
        patterns=patterns,
        aws_secret=aws.patterns[1],
        anchored=tuple((p, ANCHORS[p.pattern]) for _, p, folds in patterns if not folds and p.pattern in ANCHORS),
        exact=Prefilter({p: literals_of(p) for _, p, folds in patterns if not folds and p.pattern not in ANCHORS}),
        folded=Prefilter({p: _folded_literals(p) for _, p, folds in patterns if folds}),
    )


ANCHORS: dict[str, re.Pattern[str]] = {
    r"\d{8,10}:[0-9A-Za-z_-]{35}": re.compile(r":[0-9A-Za-z_-]{35}"),
    r"[MNO][a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}": re.compile(
        r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"
    ),
    r'''(?:\s|=|:|"|^)AP[\dABCDEF][a-zA-Z0-9]{8,}(?:\s|"|$)''': re.compile(r"AP[\dABCDEF][a-zA-Z0-9]{8}"),
    r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}": re.compile(r"A(?:3T|BIA|CCA|KIA|SIA)"),
    r"[0-9a-z]{32}-us[0-9]{1,2}": re.compile(r"-us[0-9]"),
}
"""Detectors' patterns the regex engine tries at every position of every file (their only
required string is a ``:`` or a ``.``, or they open with an alternation), each mapped to a part of
itself that every match contains and that opens with a literal the engine skips ahead to: a file
without the part cannot match, and is not scanned. An AWS key ID's five required strings would
cost five passes over the text; its anchor is one. Keyed by the pattern's text, so a pattern
detect-secrets changes has no anchor and runs as it is. On sympy: 0.8 of 2.3 s of the scan. A
Mailchimp key opens with a class of 32 characters: its ``-us`` alone is in too many files (``-use``),
and with the digit after it the anchor takes a tenth off site-packages' secrets pass."""
_URL_LABEL = "URL with a password"

NAMES_A_SECRET = re.compile(r"(?i)existing_?secret$")
"""Helm charts' ``existingSecret: app-postgresql`` (Bitnami's convention, DefectDojo's chart): the
name of a Kubernetes Secret that holds the credentials, not a credential."""
SECRET_NAME = re.compile(
    r"(?ix)(?:^|[_.\-]|(?<=[a-z0-9])(?=[A-Z]))"
    r"(password|passwd|passphrase|pwd|secret|secret_?key|client_?secret|token|access_?token|"
    r"auth_?token|refresh_?token|api_?key|apikey|access_?key|private_?key|credentials?)$"
)
"""The name's last word says it holds a secret: ``DB_PASSWORD``, ``githubToken``, ``api_key``."""
NAME_HINT = re.compile(r"(?i)pass|pwd|secret|token|key|credential")
PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "pwd"})

_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
QUOTED_ASSIGNMENT = re.compile(
    rf"""(?<![A-Za-z0-9_.\-])(?P<name>{_NAME})["']?\s*(?::[ \t]++[\w.\[\], |\t]{{1,60}}?(?==))?"""
    rf"""(?:(?<![=!<>])=(?!=)|:=|=>|:)\s*[rbuRBU]{{0,2}}"""
    r"""(?P<q>["'`])(?P<value>[^"'`\n\\]{1,200})(?P=q)"""
)
"""``name = "value"``, ``name: "value"``, ``"name": "value"``, ``name := "value"``, ``name => "value"``,
and an annotated one, ``SECRET_KEY: str = "value"`` (a pydantic settings class's field). The
annotation follows a blank, as Python writes it (PowerShell's ``$env:SECRET_KEY = "value"`` is the
variable ``SECRET_KEY``, not ``env`` annotated), and is read for at most 60 characters, so a long
line is not read again from every name."""
BARE_ASSIGNMENT = re.compile(
    rf"""(?m)^[ \t]*+(?:export[ \t]++)?-?[ \t]*(?P<name>{_NAME})[ \t]*[=:][ \t]*"""
    r"""(?P<value>[^\s"'`#]{1,200})[ \t]*(?:#.*)?$"""
)
"""Unquoted ``NAME=value`` lines of .env, ini, properties and YAML files."""
BARE_ASSIGNMENT_SUFFIXES = (".env", ".ini", ".cfg", ".conf", ".properties", ".yaml", ".yml", ".toml")

PLACEHOLDER_WORDS = (
    "changeme", "change_me", "change-me", "example", "placeholder", "dummy", "sample", "your_",
    "your-", "yourpass", "xxx", "redacted", "replace", "insert", "fixme", "todo", "***", "...",
    "<", "${", "{{", "$(", "%(", "#{",
)
PLACEHOLDER_VALUES = frozenset(
    {
        "password", "passwd", "secret", "token", "none", "null", "nil", "true", "false", "empty",
        "test", "testing", "admin", "root", "user", "username", "pass", "default", "undefined",
        "string", "str", "required", "optional", "hidden", "masked", "unset", "notset",
    }
)
PLACEHOLDER_TOKENS = frozenset(
    {
        "test", "testing", "fake", "dummy", "example", "sample", "placeholder", "changeme", "changethis",
        "changeit", "notreal", "demo", "demonstration", "foobar", "yoursecret", "yourpassword", "mock",
    }
)
"""Words that mark a value as made up when they are a whole word of it (``test-secret-do-not-use``,
``ci-typing-not-a-real-secret``, ``changethis``), not when buried in one (``attestation``)."""
PLACEHOLDER_PREFIXES = ("demo", "test", "fake", "mock", "dummy", "sample", "example", "placeholder", "changeme", "your")
"""Words a person types at the start of a value to say it is not real: generators never do."""
PLACEHOLDER_PHRASES = re.compile(
    r"(?i)not[-_ ]?(a[-_ ]?)?real|do[-_ ]?not[-_ ]?use|dont[-_ ]?use|not[-_ ]for[-_ ]prod"
)
"""``test-secret-do-not-use``, ``ci-typing-not-a-real-secret``, warehouse's ``something-not-real``."""
PASSWORD_HASH = re.compile(
    r"^(?:\$(?:argon2(?:id|i|d)|2[abxy]?|[1567y]|pbkdf2(?:-sha\d+)?|scrypt|bcrypt(?:-sha256)?)\$"
    r"|(?:pbkdf2_sha\d+|argon2|bcrypt(?:_sha256)?|scrypt|sha1|md5)\$)\S{8,}$"
)
"""A password's hash as a store keeps it (``$argon2id$v=19$...``, bcrypt's ``$2b$12$...``,
Django's ``pbkdf2_sha256$...``): what seed data sets a user's password column to, which signs
no one in (warehouse's ``dev/db/post-migrations.sql``)."""
VALUE_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
VALUE_PARTS = re.compile(r"[-_.:/ ]+")
PATH_VALUE = re.compile(r"^[\w.\-]+(?:/[\w.\-]+)+\.\w{1,6}$")
"""``models/users/token.md``: a file named in a config (MkDocs' nav), not a secret."""
WORD_VALUE = re.compile(r"^[A-Za-z]{1,16}$")
"""One word of letters (``postgres``, ``MyPassword``, ``Wachtwoord``): a default or a label, not a
credential's shape; a real password or key mixes character classes or is long and random."""
REFERENCE_VALUE = re.compile(
    r"^(?:\$\w+|%\w+%|[A-Z][A-Z0-9_]{2,}|[a-z_]+(?:\.[a-z_]+)+\(?\)?|[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+\.[A-Z]\w*"
    r"|[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+:[A-Za-z_]\w*(?:\.\w+)*)$"
)
"""``$VAR``, ``%VAR%``, an environment variable's name, ``settings.secret_key``, the import path
of a class (jumpserver's ``AUTH_BACKEND_OIDC_PASSWORD = "authentication.backends.oidc.OIDCAuthPasswordBackend"``)
or an entry point's object (JupyterHub's ``shared-password = "jupyterhub.authenticators.shared:Shared..."``):
a reference."""
SLUG_VALUE = re.compile(r"^[a-z]+(?:[-_:][a-z]+)*$")
"""Lower-case words and nothing else (``pytest-asyncio``, ``langchain-openai``), also in a
namespace's colons (kitsune's ``WIKI_REBUILD_TOKEN = "sumo:wiki:full-rebuild"``, the cache key of
a lock): a name, a package, a label, a key. A generated token or key mixes in digits or capitals;
a password may be words, so this is not applied to passwords."""
BRACKETED_WORD = re.compile(r"^\[[A-Za-z _-]+\]$")
"""``[SECRET]``: the word a help text puts where the value goes (pretalx's ``init`` command)."""


EXAMPLE_KEYWORDS = frozenset({"example", "examples"})
TYPE_NAME = re.compile(r"[A-Z]\w*(?:\.\w+)*(?:\[[\w.\[\], |]*\])?(?:\s*\|\s*None)?")
"""A class's name as an annotation spells it: ``AzureMlCredentials``, ``models.Token``,
``Optional[SecretStr]``, ``Credentials | None``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretHit:
    """One hard-coded secret: what kind, where, and a fingerprint; never the value."""

    kind: str
    rule: str
    """``detect-secrets`` for known formats, ``assignment`` or ``env-file``."""
    path: str
    line: int
    fingerprint: str
    name: str | None
    in_test_code: bool
    """In a file where samples are expected (any place but ``Place.CODE``)."""
    masked_line: str
    place: Place = Place.CODE
    in_prose: bool = False
    """In a Python comment or docstring: text about code, such as an example URL."""
    in_example: bool = False
    """In an ``examples=`` argument of Python code (pydantic's ``Field(examples=[...])``) or an Ansible
    module's ``EXAMPLES`` (``_Prose.in_example``), or in a Markdown code fence of a file that is not
    Markdown (:func:`fenced_lines`)."""
    word: bool = False
    """The value is one short word of letters (``postgres``): a default, not a credential's shape."""
    lone_key_id: bool = False
    """An AWS access key ID with no secret access key anywhere in the file: an identifier (public in
    every Amazon affiliate link), not a usable credential on its own."""
    in_document: bool = False
    """The file is a saved document (a web page, a mail, a capture), not code or configuration."""
    in_test_constant: bool = False
    """In a module-level string or bytes constant whose name has a word that says test
    (``SSL_TEST_PRIVATE_CA_KEY``, :data:`testpaths.TEST_WORDS`): a fixture the maintainers named so."""
    in_environment_class: bool = False
    """In the body of a configuration class for another environment than production (Flask's
    pattern: GOV.UK Notify's ``class Development(Config)``, ``class TestingConfig(BaseConfig)``;
    :func:`_environment_classes`): a developer's or a test run's value."""
    allowlisted: bool = False
    """The value is a literal entry of the root's own gitleaks allowlist (``secret_allowlists``):
    set after the per-file pass, never cached."""
    made_up: bool = False
    """A known token format written by hand: a part of it is a keyboard run (bot ``123456789`` of
    a Telegram token), or its secret is also written in the file under such a part
    (:func:`made_up_tokens`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvFile:
    path: str
    assignments: int
    secret_settings: int = 0
    """Settings whose name says they hold a secret (``SECRET_KEY``, ``DB_PASSWORD``)."""
    credentials: int = 0
    """Of those, values with a credential's shape: not empty, not a placeholder, not a reference."""
    place: Place = Place.CODE


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretFacts:
    hits: tuple[SecretHit, ...]
    env_files: tuple[EnvFile, ...]
    files_scanned: int


SCANNER_VERSION = 32
"""Bump when what ``scan_text`` finds changes, so cached results are recomputed (5: a JWT's evidence
masks its signature; 6: a format field, ``{password}``, is no password; 7: nor a class's import path;
8: nor an annotation, a token in a shape its vendor never issues, or a value in ``examples=``; 9: nor
a qualified name naming itself, ``NS:share-token``, nor a Helm chart's ``existingSecret``; 10: nor a
token's pattern that continues a longer word; 11: a hit in a code fence of a YAML or JSON file is an example;
12: a password's hash is no password, ``mock`` and ``not-real`` mark a made-up value, and a development
set-up is a place of its own; 13: one word repeated, ``user:user``, is made up; 14: nor a slug for a
token, an entry point's object, ``[SECRET]``, or a value also given to a name that holds no secret; 15: nor
lower-case words in a namespace's colons for a token, ``sumo:wiki:full-rebuild``; 16: a value in an
Ansible module's ``EXAMPLES`` is an example; 17: nor one word naming itself, ``credentials/``, nor a
field's name, ``'password': 'controller_password'``; 18: all of ``.github/`` is CI
configuration; 19: a token's pattern inside an armored public key, signature or certificate is chance;
20: only inside a closed block of armor alone; 21: a rate limit, ``5/m/user``, is no password;
22: nor a path from the home folder, ``~/.ssh/id_rsa``, a key's file; 23: nor a name naming itself
in a namespace of ``/``-separated identifiers, ``config/SET_TOKEN``, a Redux action's type; 24: nor a
password field's name in another spelling, ``"password": "user_pass"``; 25: a module-level string
named as an example or a sample, ``EXAMPLE_CONFIG_FILE``, is an example; 26: nor an HTTP header's
name, ``X-Supervisor-Token``; 27: unless the name is a password's, a passphrase of Title-Case words;
28: a hit says whether it is in a module-level constant named for tests, ``SSL_TEST_PRIVATE_CA_KEY``,
and a name naming itself in a versioned namespace, ``OS-OAUTH1:access_token``, is no token;
29: ``SecretHit`` gains ``allowlisted``, so the cached hits' shape changed; 30: a factory_boy
factories module is test code, and ``SecretHit`` gains ``made_up``; 31: a token with a typed run
of eight, ``ghp_0000...``, is made up; 32: ``SecretHit`` gains ``in_environment_class``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretScan:
    """What the secrets pass found, and how many files it left out as too large: the ``secrets``
    collector notes those in the scan's thread (``collectors.secret_files``)."""

    facts: SecretFacts
    too_large: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretLookup:
    """The secrets pass's first half (``parallel.looked_up_files``): each scanned file's display
    path, what the cache knows of the files still to scan, the ``.env`` files' settings, and the
    files left out."""

    paths: tuple[str, ...]
    """Every file scanned, in the workspace's order."""
    scanned: dict[int, Scanned]
    """By position in ``paths``: the hits of the files the Python pass scanned (``None``: binary,
    or not UTF-8), which this pass does not read again."""
    files: FileLookup
    """The other files, in order."""
    env_files: tuple[EnvFile, ...]
    too_large: int


ScanFlags = tuple[Place, bool, bool, bool, bool]
"""What one file's scan depends on besides its bytes, all from its path: its place, and whether
it may hold bare assignments, is Python, is a document, is a factories module."""
Scanned = tuple[SecretHit, ...] | None
"""One file's hits, ``None`` for a file that is binary or not UTF-8."""


def scan_job(source: SourceFile) -> tuple[str, ScanFlags] | None:
    """The cache namespace and flags of ``source``'s scan, or ``None`` when the rules leave it
    out: a lock file, a minified bundle, a file too large."""
    if _skipped_by_rule(source) or source.size > MAX_SECRET_SCAN_BYTES:
        return None
    return _job_of(source)


def _job_of(source: SourceFile) -> tuple[str, ScanFlags]:
    place = place_of(source.relpath)
    bare, python = _allows_bare(source) or place is Place.ENV_TEMPLATE, source.suffix == ".py"
    document = source.suffix.lower() in DOCUMENT_SUFFIXES
    factories = python and place is Place.CODE and is_factories_path(source.relpath)
    namespace = f"sec{SCANNER_VERSION}{place.name[:4]}{bare:d}{python:d}{document:d}{factories:d}"
    return namespace, (place, bare, python, document, factories)


def _skipped_by_rule(source: SourceFile) -> bool:
    return source.name in SKIPPED_NAMES or source.name.endswith(SKIPPED_SUFFIXES)


def look_up_secrets(
    workspace: Workspace, options: ScanOptions, scanned: Mapping[SourceFile, Scanned]
) -> SecretLookup:
    """Every file the rules do not skip, hashed and looked up in the cache, bar those in
    ``scanned``: the Python files, scanned in the Python pass from the bytes it read (their hits
    are cached with their facts). ``.env`` files are read for their settings too."""
    env_files: list[EnvFile] = []
    jobs: list[FileJob] = []
    paths: list[str] = []
    known: dict[int, Scanned] = {}
    skipped = 0
    for source in workspace.files:
        if _skipped_by_rule(source):
            continue
        if source.size > MAX_SECRET_SCAN_BYTES:
            skipped += 1
            continue
        if source in scanned:  # its flags were worked out for the Python pass
            known[len(paths)] = scanned[source]
            paths.append(source.display)
            continue
        namespace, flags = _job_of(source)
        if is_env_file(source.name):
            try:
                env_files.append(
                    env_file(source.display, workspace.read_bytes(source, MAX_SECRET_SCAN_BYTES), flags[0])
                )
            except FileReadError:
                continue  # unreadable: no text credential to find; the walk notes folders
        payload = partial(_text_payload, flags)
        jobs.append(FileJob(file=source, namespace=namespace, payload=payload, limit=MAX_SECRET_SCAN_BYTES))
        paths.append(source.display)
    return SecretLookup(
        paths=tuple(paths), scanned=known, files=looked_up_files(jobs, options, workspace),
        env_files=tuple(env_files), too_large=skipped,
    )


def scan_looked_up(lookup: SecretLookup, options: ScanOptions, workspace: Workspace) -> SecretScan:
    """The second half: the files the cache did not know, scanned in a process pool."""
    computed = iter(computed_files(scan_payload, lookup.files, options, workspace, stage="secrets"))
    results: list[Scanned] = []
    for index in range(len(lookup.paths)):
        found = lookup.scanned[index] if index in lookup.scanned else next(computed)
        results.append(found if isinstance(found, tuple) else None)  # unreadable, binary: None
    hits = [replace(hit, path=path) for path, found in zip(lookup.paths, results, strict=True) for hit in found or ()]
    facts = SecretFacts(
        hits=tuple(hits),
        env_files=lookup.env_files,
        files_scanned=sum(found is not None for found in results),
    )
    return SecretScan(facts=facts, too_large=lookup.too_large)


def scan_bytes(flags: ScanFlags, data: bytes) -> Scanned:
    """The hits in one file's bytes, for the Python pass, which has them already."""
    payload = _text_payload(flags, data)
    return None if payload is None else scan_payload(payload)


def is_binary(data: bytes) -> bool:
    """A NUL byte in the first 8 KiB: the rule ``decode_text`` refuses binary files by, applied
    before the bytes are hashed and shipped to a worker that would only refuse them."""
    return b"\0" in data[:8192]


_Payload = tuple[bytes, Place, bool, bool, bool, bool]


def _text_payload(flags: ScanFlags, data: bytes) -> _Payload | None:
    """The scan reads text only (``decode_text``): a binary file is not sent to a worker."""
    return None if is_binary(data) else (data, *flags)


FACTORIES_NAME = "factories"
"""factory_boy's convention for the module (or package) of a project's test factories."""
FACTORY_BOY_IMPORT = re.compile(
    r"(?m)^[ \t]*+(?:import[ \t]++factory(?![\w])|from[ \t]++factory(?:\.\w{1,64}){0,4}[ \t]++import(?![\w]))"
)
"""``import factory``, ``import factory.fuzzy``, ``from factory.django import DjangoModelFactory``:
factory_boy's package (not ``factory_boy`` or ``factoryx``). Anchored and bounded: linear."""


def is_factories_path(relpath: str) -> bool:
    """A Python module named as factory_boy's factories are: ``factories.py`` or a module of a
    ``factories/`` package."""
    parts = relpath.lower().split("/")
    return parts[-1] == f"{FACTORIES_NAME}.py" or FACTORIES_NAME in parts[:-1]


def fixture_place(place: Place, factories: bool, text: str) -> Place:
    """A factories module that imports factory_boy holds test fixtures (modoboa's
    ``admin/factories.py`` builds test users with ``password = "{PLAIN}toto"``): its credentials
    are samples, as a ``tests/`` file's are. Both the name and the import are needed: a Flask
    ``factory.py`` building the app, or a ``factories.py`` of API clients, is product code."""
    if factories and place is Place.CODE and FACTORY_BOY_IMPORT.search(text) is not None:
        return Place.TEST
    return place


def scan_payload(payload: _Payload) -> tuple[SecretHit, ...] | None:
    """The hits in one file's bytes (with no path: the caller adds it), ``None`` for binary files.
    Top-level and path-free, so it runs in a worker process and its result can be cached."""
    data, place, bare, python, document, factories = payload
    try:
        text = decode_text(data)
    except FileReadError:
        return None
    place = fixture_place(place, factories, text)
    found = scan_text(text, path="", in_test_code=place is not Place.CODE, bare=bare, place=place, python=python)
    return tuple(replace(hit, in_document=document) for hit in found)


def scan_text(
    text: str, *, path: str, in_test_code: bool, bare: bool, place: Place | None = None, python: bool = False
) -> list[SecretHit]:
    """Every secret in one file's text, at most one hit per (line, value), with the facts about
    where it sits that tell a leak from a sample."""
    if place is None:
        place = Place.TEST if in_test_code else Place.CODE
    starts: list[int] = []  # worked out on the first candidate: most files have none
    seen: set[tuple[int, str]] = set()
    found: list[SecretHit] = []
    values: list[str] = []  # each hit's value, for :func:`made_up_tokens`; never kept
    # a translation's "password" entry holds prose: only a token's own format counts there
    assignments = place is not Place.TRANSLATION
    prose: _Prose | None = None  # parsed on the first hit only: most files have none
    fenced: frozenset[int] | None = None  # likewise, the lines of code fences in other text
    lone_key_id: bool | None = None  # whether no AWS secret key is in the text: asked on the first key ID
    public: list[tuple[int, int]] | None = None  # likewise, where the armored public blocks are
    for offset, kind, rule, name, value in _candidates(
        text, in_test_code=in_test_code, bare=bare, assignments=assignments, python=python
    ):
        if kind != PRIVATE_KEY:
            public = public if public is not None else public_blocks(text)
            if _inside(public, offset):
                continue
        starts = starts or _line_starts(text)
        line = _line_of(starts, offset)
        if (line, value) in seen:
            continue
        seen.add((line, value))
        if python and prose is None and place is Place.CODE:  # elsewhere every hit is a sample anyway
            prose = _Prose(text)
        if not python and fenced is None and place is Place.CODE:
            fenced = fenced_lines(text)
        if kind == AWS_KEY and lone_key_id is None:
            lone_key_id = _detectors().aws_secret.search(text) is None
        found.append(
            SecretHit(
                kind=kind,
                rule=rule,
                path=path,
                line=line,
                fingerprint=fingerprint(value),
                name=name,
                in_test_code=in_test_code,
                masked_line=_evidence(text, starts[line - 1], offset, value),
                place=place,
                in_prose=prose is not None and prose.covers(line, offset - starts[line - 1]),
                in_example=(prose is not None and prose.in_example(line, offset - starts[line - 1]))
                or (fenced is not None and line in fenced),
                in_test_constant=prose is not None and prose.in_test_constant(line, offset - starts[line - 1]),
                in_environment_class=prose is not None and prose.in_environment_class(line, offset - starts[line - 1]),
                word=is_word(_secret_part(kind, value)),
                lone_key_id=kind == AWS_KEY and bool(lone_key_id),
            )
        )
        values.append(value)
    made_up = made_up_tokens([v if h.rule == "detect-secrets" else "" for h, v in zip(found, values, strict=True)])
    return [replace(hit, made_up=True) if i in made_up else hit for i, hit in enumerate(found)]


MIN_RUN = 6
"""A keyboard run shorter than this (``1234``) may sit in a random value by chance."""


def made_up_tokens(values: list[str]) -> set[int]:
    """The indexes of token values written by hand: one with a part that is a keyboard run
    (rapidpro's test Telegram token ``123456789:BAEK...``) or with a typed run anywhere
    (:func:`has_typed_run`), and one whose secret (its longest part) is such a token's: a real
    secret belongs to one identifier, so written under a made-up one it was made up too
    (rapidpro's ``184875172:BAEK...`` beside it). Empty values are skipped."""
    secrets: set[str] = set()
    for value in values:
        run = next((p for p in VALUE_PARTS.split(value) if len(p) >= MIN_RUN and is_sequence(p.lower())), None)
        if run is not None:
            secrets.add(value.replace(run, " ", 1).strip(" -_.:/"))
    secrets = {secret for secret in secrets if len(secret) >= MIN_SECRET}
    return {
        i for i, value in enumerate(values) if value and (has_typed_run(value) or any(s in value for s in secrets))
    }


TYPED_RUN = 8
"""A run this long of one character, or of consecutive ones, in a token (DefectDojo's test data:
``ghp_`` and thirty-six zeros, ``AKIA`` and digits counting to nine and on, a Stripe live key of
digits counting up) is typed: about one in four million random 40-digit hex tokens holds one, of
base 62 far fewer. Only a token in tests, docs or examples is then a sample
(``checks.secrets.sample_reason``)."""


def has_typed_run(value: str) -> bool:
    """Whether ``value`` holds :data:`TYPED_RUN` characters in a row that are one character
    repeated or each the next of the one before (``0`` after ``9`` too: ``78901234``)."""
    same = rising = 1
    for before, after in itertools.pairwise(value.lower()):
        same = same + 1 if after == before else 1
        rising = rising + 1 if ord(after) - ord(before) == 1 or (before, after) == ("9", "0") else 1
        if same >= TYPED_RUN or rising >= TYPED_RUN:
            return True
    return False


MIN_SECRET = 16
"""What is left of a made-up token once its keyboard run is out: shorter, it is no secret of its own."""


ARMOR = re.compile(r"-----(BEGIN|END) (PGP PUBLIC KEY BLOCK|PGP SIGNATURE|PGP MESSAGE|CERTIFICATE|PUBLIC KEY)-----")
"""The armor lines of what is public or sealed: an OpenPGP public key or signature, an encrypted
message, an X.509 certificate, a bare public key. Their base64 is random, and a token's pattern
finds itself in it by chance (SecureDrop's ``tor-signing-key.pub`` held an 'Artifactory' key)."""


ARMOR_BODY_LINE = re.compile(
    r"[A-Za-z0-9+/]*={0,3}|=[A-Za-z0-9+/]{4}|(?:Version|Comment|Hash|Charset|MessageID): [^\n]*"
)
"""A line an armored block holds between its armor lines (once stripped): base64, its ``=``
checksum line, a header (``Version: GnuPG v2``), or nothing."""


def public_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each armored public block (:data:`ARMOR`), in one pass over the armor
    lines: a BEGIN opens a block that the next END of the same kind closes. Only a block that is
    armor through and through counts: closed, and every line between its armor lines base64 or
    a header (:data:`ARMOR_BODY_LINE`). A BEGIN never closed (a PEM parser's header constant),
    or one with code or a credential before its END, hides nothing after it."""
    blocks: list[tuple[int, int]] = []
    opened: tuple[str, int, int] | None = None  # kind, start of the BEGIN line, end of it
    for match in ARMOR.finditer(text):
        if match.group(1) == "BEGIN" and opened is None:
            opened = (match.group(2), match.start(), match.end())
        elif match.group(1) == "END" and opened is not None and opened[0] == match.group(2):
            if _armor_body(text[opened[2] : match.start()]):
                blocks.append((opened[1], match.end()))
            opened = None
    return blocks


def _armor_body(body: str) -> bool:
    """Every line of ``body`` is one an armored block holds (:data:`ARMOR_BODY_LINE`)."""
    return all(ARMOR_BODY_LINE.fullmatch(line.strip()) for line in body.split("\n"))


def _inside(blocks: list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` is in one of ``blocks`` (sorted, disjoint)."""
    index = bisect.bisect_right(blocks, (offset, sys.maxsize)) - 1
    return index >= 0 and offset < blocks[index][1]


_FENCE = re.compile(r"[ \t]*(?:```|~~~)")


def fenced_lines(text: str) -> frozenset[int]:
    """The lines inside Markdown code fences of a file that is not Markdown: a configuration
    schema's descriptions (Nautobot's ``settings.yaml``, an OpenAPI document) show example code
    so. One pass over the lines; an unclosed fence runs to the end, as Markdown reads it."""
    inside: set[int] = set()
    open_fence = False
    for number, line in enumerate(text.split("\n"), start=1):
        if _FENCE.match(line):
            open_fence = not open_fence
        elif open_fence:
            inside.add(number)
    return frozenset(inside)


def _secret_part(kind: str, value: str) -> str:
    """The password of a ``scheme://user:password@host`` match; the value itself otherwise."""
    if kind != _URL_LABEL:
        return value
    match = URL_PASSWORD.search(value)
    return match.group(1) if match else value


URL_PASSWORD = re.compile(r":([^:@/\s]*)@")


class _Prose:
    """Where a Python file's comments and docstrings are, worked out only for files with hits.

    Docstrings (any statement that is a string alone) come from the statements of the tree, not
    from every expression node. Comments come from ``tokenize``, which is pure Python and the
    costliest part, so only the top-level statement holding a hit's line is tokenized: the
    tokenizer starts every top-level statement in the state it starts a file in (outside any string
    or bracket, at indentation zero), so it gives that statement's comments exactly as a pass over
    the whole file would. A line outside every statement can hold only a comment."""

    def __init__(self, text: str) -> None:
        # split where Python ends lines (not at a form feed, as ``splitlines`` does), ends kept for
        # the tokenizer: the statements' line numbers index this list
        self._lines = io.StringIO(text, newline="").readlines()
        self._docstrings: list[tuple[int, int]] = []
        self._statements: list[tuple[int, int]] = []
        """(first, last) line of each top-level statement, decorators included, in order."""
        self._comments: dict[int, int] = {}
        self._tokenized: set[int] = set()
        """Top-level statements (by index) whose comments are in ``_comments``."""
        self._examples: list[tuple[tuple[int, int], tuple[int, int]]] = []
        """Where each ``examples=`` argument's value, and each string an Ansible module documents itself
        in (:data:`ANSIBLE_DOCUMENTATION`), starts and ends: (line, UTF-8 column) pairs."""
        self._test_constants: list[tuple[tuple[int, int], tuple[int, int]]] = []
        """Likewise, each module-level constant named for tests (:func:`_test_constants`)."""
        self._environment_classes: list[tuple[tuple[int, int], tuple[int, int]]] = []
        """Likewise, each configuration class for another environment (:func:`_environment_classes`)."""
        self._parsed = False
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return  # unparsable: nothing is taken for prose, so nothing is softened
        self._parsed = True
        for node in _statements(tree.body):
            if isinstance(node, ast.Expr) and isinstance(getattr(node.value, "value", None), str):
                self._docstrings.append((node.lineno, node.end_lineno or node.lineno))
        shown = [node.value for node in _module_documentation(tree)]
        shown += [
            node.value for node in ast.walk(tree) if isinstance(node, ast.keyword) and node.arg in EXAMPLE_KEYWORDS
        ]
        self._examples = [_span(value) for value in shown]
        self._test_constants = [_span(node.value) for node in _test_constants(tree)]
        self._environment_classes = [_span(node) for node in _environment_classes(tree)]
        for node in tree.body:
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
            self._statements.append((first, node.end_lineno or node.lineno))

    def covers(self, line: int, column: int) -> bool:
        if any(first <= line <= last for first, last in self._docstrings):
            return True
        start = self._comment_on(line) if self._parsed else None
        return start is not None and column >= start

    def in_example(self, line: int, column: int) -> bool:
        """In the value of an ``examples=`` or ``example=`` argument (pydantic's ``Field``,
        OpenAPI's schemas): a value written to show the field's shape in the generated docs; in
        an Ansible module's ``DOCUMENTATION``, ``EXAMPLES`` or ``RETURN``, which ``ansible-doc`` shows;
        or in a module-level string named as a sample (``EXAMPLE_CONFIG_FILE``)."""
        return self._within(self._examples, line, column)

    def in_test_constant(self, line: int, column: int) -> bool:
        """In a module-level constant whose name says it is for tests (``SSL_TEST_PRIVATE_CA_KEY``)."""
        return self._within(self._test_constants, line, column)

    def in_environment_class(self, line: int, column: int) -> bool:
        """In a configuration class for another environment than production (``class Development(Config)``)."""
        return self._within(self._environment_classes, line, column)

    def _within(self, spans: list[tuple[tuple[int, int], tuple[int, int]]], line: int, column: int) -> bool:
        if not spans or not 0 < line <= len(self._lines):
            return False
        at = (line, len(self._lines[line - 1][:column].encode("utf-8")))  # ast counts bytes
        return any(start <= at < end for start, end in spans)

    def _comment_on(self, line: int) -> int | None:
        """The column the comment on ``line`` starts at, or ``None`` when it has none."""
        index = bisect.bisect_right(self._statements, (line, sys.maxsize)) - 1
        if index < 0 or self._statements[index][1] < line:
            text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
            column = text.find("#")  # outside every statement: blank, or a comment
            return None if column < 0 else column
        if index not in self._tokenized:
            self._tokenized.add(index)
            self._tokenize(*self._statements[index])
        return self._comments.get(line)

    def _tokenize(self, first: int, last: int) -> None:
        source = iter(self._lines[first - 1 : last])
        try:
            for token in tokenize.generate_tokens(lambda: next(source, "")):
                if token.type == tokenize.COMMENT:
                    self._comments[first - 1 + token.start[0]] = token.start[1]
        except (tokenize.TokenError, SyntaxError):
            pass  # the file parsed, so this is a tokenizer corner case: comments stay code


ANSIBLE_DOCUMENTATION = frozenset({"DOCUMENTATION", "EXAMPLES", "RETURN"})
"""The strings an Ansible module documents itself in: ``ansible-doc`` shows them, and their YAML
shows the module's use with made-up values (awx's ``EXAMPLES``, ``vault_password: 'new_password'``)."""
SAMPLE_NAME_WORDS = frozenset({"example", "examples", "sample", "samples"})
"""Words of a module-level string's name that say it is a sample shown to the user: privacyIDEA's
``EXAMPLE_CONFIG_FILE``, which ``--generate-example-config`` prints for the user to fill in."""


def _module_documentation(tree: ast.Module) -> Iterator[ast.Assign]:
    """The module-level assignments of a string to a name of :data:`ANSIBLE_DOCUMENTATION`, or to
    a name with a word of :data:`SAMPLE_NAME_WORDS`."""
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _names_a_sample(node.targets[0].id)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            yield node


def _test_constants(tree: ast.Module) -> Iterator[ast.Assign]:
    """The module-level assignments of a string or bytes constant to one name with a word of
    :data:`testpaths.TEST_WORDS` (Chia's simulator certificates, ``SSL_TEST_PRIVATE_CA_KEY``; not
    ``LATEST_KEY``). Only the module's own top level: a function's local is no fixture."""
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str | bytes)
            and not TEST_WORDS.isdisjoint(w.lower() for w in VALUE_WORDS.findall(node.targets[0].id))
        ):
            yield node


CONFIG_CLASS_WORDS = frozenset({"config", "configuration", "settings", "conf"})
"""Words of a class's or a base's name that say it holds configuration."""


def _environment_classes(tree: ast.Module) -> Iterator[ast.ClassDef]:
    """The module's top-level classes that configure another environment than production: a
    name with a word of :data:`testpaths.SET_UP_WORDS`, and configuration by its own name or a
    base's (:data:`CONFIG_CLASS_WORDS`: ``DevelopmentConfig``, ``Development(Config)``), or a
    base that is such a class itself (Notify's ``Test(Development)``). ``LocalStorage(Storage)``
    configures nothing; ``Sandbox(CloudFoundryConfig)`` names no other environment."""
    found: set[str] = set()
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or not SET_UP_WORDS & _words(node.name):
            continue
        bases = [
            base.id if isinstance(base, ast.Name) else base.attr
            for base in node.bases
            if isinstance(base, ast.Name | ast.Attribute)
        ]
        if CONFIG_CLASS_WORDS & _words(node.name) or any(CONFIG_CLASS_WORDS & _words(b) or b in found for b in bases):
            found.add(node.name)
            yield node


def _words(name: str) -> set[str]:
    return {word.lower() for word in VALUE_WORDS.findall(name)}


def _span(value: ast.expr | ast.stmt) -> tuple[tuple[int, int], tuple[int, int]]:
    """Where an expression starts and ends, as (line, UTF-8 column) pairs."""
    return (value.lineno, value.col_offset), (value.end_lineno or 0, value.end_col_offset or 0)


def _names_a_sample(name: str) -> bool:
    if name in ANSIBLE_DOCUMENTATION:
        return True
    return not SAMPLE_NAME_WORDS.isdisjoint(word.lower() for word in VALUE_WORDS.findall(name))


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of ``body`` and of the blocks inside it (not the expressions: a statement
    holds no statement inside an expression)."""
    for node in body:
        yield node
        for _, value in ast.iter_fields(node):
            if not isinstance(value, list):
                continue
            for item in value:
                if isinstance(item, ast.stmt):
                    yield from _statements([item])
                elif isinstance(item, ast.ExceptHandler | ast.match_case):
                    yield from _statements(item.body)


def _candidates(
    text: str, *, in_test_code: bool, bare: bool, assignments: bool = True, python: bool = False
) -> Iterator[tuple[int, str, str, str | None, str]]:
    """(offset, kind, rule, name, value): known formats first, so they win a shared line."""
    checked: dict[tuple[str, int, int], set[str]] = {}

    def confirmed(secret_type: str, match: re.Match[str]) -> set[str]:
        """What the detector's own logic accepts around the match (:func:`_around`), worked out
        once per line when the line is short."""
        key = (secret_type, *_around(text, match.start(), match.end()))
        if key not in checked:
            checked[key] = set(detector_for(secret_type).analyze_string(text[key[1] : key[2]]))
        return checked[key]

    lowered = lowered_in_place(text)
    detectors = _detectors()
    possible = detectors.possible(text, lowered)
    for token, pattern, _ in detectors.patterns:
        if pattern not in possible:
            continue  # a string every match holds is not in the text: no match, and no scan
        line_end = -1  # of the last private key's header
        for match in find_tokens(pattern, text):
            raw = next((g for g in match.groups() if g), match.group(0))
            # a group may be only a prefix (``ghp``): then the whole match is the secret
            value = raw if len(raw) >= 8 else match.group(0)
            if token.secret_type == PRIVATE_KEY:
                if match.start() < line_end:
                    continue  # a second header on one line: the same body follows it, found once
                line_end = _end_of_line(text, match.end())
                body = PEM_BODY.match(text, match.end())
                if body is None:
                    continue  # a parser's string constant, not a key
                value = match.group(0) + body.group(0)  # the key itself tells two keys apart
            elif is_placeholder(value) or (
                token.secret_type == BASIC_AUTH and (is_placeholder(raw) or is_made_up(raw))
            ):
                continue  # ``https://user:pass@proxy``: the password is a word, not a secret
            elif never_issued(token.secret_type, text, match.start(), match.end()):
                continue
            if raw not in confirmed(token.secret_type, match):
                continue
            if token.secret_type == BASIC_AUTH and in_test_code and _local_host(text, match.end()):
                continue  # a test's throwaway database on loopback, not a credential that ships
            kind = _URL_LABEL if token.secret_type == BASIC_AUTH else token.secret_type
            yield match.start(), kind, "detect-secrets", None, value
    if not assignments:
        return
    patterns = (QUOTED_ASSIGNMENT, BARE_ASSIGNMENT) if bare else (QUOTED_ASSIGNMENT,)
    for start, end in _hinted_lines(text, lowered):
        for pattern in patterns:
            for match in pattern.finditer(text, start, end):
                name, value = match.group("name"), match.group("value")
                if python and _annotation(text, match):
                    continue
                if looks_like_secret(name, value, in_test_code=in_test_code) and not _also_a_label(
                    text, value, match.start("value")
                ):
                    yield match.start("value"), _assignment_kind(name), "assignment", name, value


def _also_a_label(text: str, value: str, at: int) -> bool:
    """The same quoted value is also given to a name that holds no secret, in the same file:
    pretalx maps ``"smtp_password": "mail_settings"`` beside ``"smtp_host": "mail_settings"``, the
    form section each field is in. A credential is not also a host's or a signature's value.
    ``at`` is where the hit's own value starts: that assignment is not looked at again."""
    for quote in "\"'":
        found = text.find(f"{quote}{value}{quote}")
        for _ in range(_LABEL_LOOKS):  # each place the value is written, a few, from its quote back
            if found < 0:
                break
            before = None if found + 1 == at else _NAME_BEFORE.search(text, max(0, found - 120), found)
            if before is not None and SECRET_NAME.search(before.group("name")) is None:
                return True
            found = text.find(f"{quote}{value}{quote}", found + 1)
    return False


_NAME_BEFORE = re.compile(r"""(?P<name>[A-Za-z_][\w.\-]{0,80})["']?[ \t]{0,8}[=:][ \t]{0,8}\Z""")
"""The name a value is given to, right before its opening quote, read in a window of 120
characters (``\\Z`` is the window's end): a run of word characters is never read from each of its
places to its end."""
_LABEL_LOOKS = 50


def _annotation(text: str, match: re.Match[str]) -> bool:
    """``blob_storage_credentials: "AzureBlobStorageCredentials"`` in Python: a parameter or a
    variable annotated with a class's name in quotes (a forward reference), not a value assigned.
    The name is not quoted (``{"token": "Abc"}`` is a dictionary's entry) and the separator is a
    lone colon."""
    name_start = match.start("name")
    separator = text[match.end("name") : match.start("q")].rstrip("rbuRBU").strip()
    return (
        separator == ":"
        and text[name_start - 1 : name_start] not in ("'", '"')
        and TYPE_NAME.fullmatch(match.group("value")) is not None
    )


def _may_match(pattern: re.Pattern[str], text: str, lowered: str | None) -> bool:
    """False only when ``pattern`` cannot match ``text``: its anchor (:data:`ANCHORS`) or, for a
    pattern that ignores case, a string it requires (in ``lowered``: :func:`lowered_in_place`)
    is not there. One pattern's answer; the scan asks for all of them at once."""
    return pattern in _detectors().possible(text, lowered)


@cache
def _folded_literals(pattern: re.Pattern[str]) -> frozenset[str]:
    """Lower-cased, the strings the pattern requires when read without ignoring case: a match that
    ignores case holds one of them in some case. ``{""}`` (in every text) when there are none."""
    literals = required_literals(re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE))
    if not literals or not all(literal.isascii() for literal in literals):
        return frozenset({""})
    return frozenset(literal.lower() for literal in literals)


LOCAL_HOST = re.compile(r"(localhost|127(\.\d{1,3}){3}|\[::1\]|[\w.-]+\.(test|example|invalid|local))([:/?'\"\s]|$)")


def _local_host(text: str, after_at: int) -> bool:
    """Whether the host that follows a URL's ``user:password@`` is loopback or a reserved test name."""
    return LOCAL_HOST.match(text, after_at) is not None


def lowered_in_place(text: str) -> str | None:
    """``text`` lower-cased, when each character stays one character and an ASCII letter is found
    in it wherever case-blind matching finds it; ``None`` otherwise (then the case-blind patterns
    run on the text itself). ``lower()`` folds every case an ASCII text has. Of the other
    characters, only four match an ASCII letter case-blind (``re``'s case table): the Kelvin sign
    lowers to ``k``, but the dotted capital I lowers to two characters (every later offset would
    shift), and the dotless i and the long s do not lower to ``i`` and ``s`` at all. A text
    without those three is lowered exactly, and most non-ASCII files (a docstring's dash, a
    translated message) are searched as fast as ASCII ones."""
    if text.isascii():
        return text.lower()
    if any(char in text for char in _UNLOWERABLE):
        return None
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else None


_UNLOWERABLE = ("\u0130", "\u0131", "\u017f")
"""The dotted capital I, the dotless i and the long s (see :func:`lowered_in_place`)."""

_NAME_HINT_WORDS = ("pass", "pwd", "secret", "token", "key", "credential")
"""``NAME_HINT``'s alternatives: found in the lower-cased text (:func:`lowered_in_place`) by
substring search, several times faster than the case-blind alternation, which has no prefix to
skip ahead by."""


def _hinted_lines(text: str, lowered: str | None) -> Iterator[tuple[int, int]]:
    """(start, end) of the lines a secret-named assignment could be on: a cheap first pass, so the
    assignment patterns run on a small part of a large file. ``lowered``: the text lower-cased
    (:func:`lowered_in_place`), ``None`` when lowering cannot stand in for case-blind matching."""
    if lowered is None:  # case-blind matching folds more than lower() does (the long s)
        yield from _lines_matching(text)
        return
    lines: dict[int, int] = {}
    for word in _NAME_HINT_WORDS:
        position = lowered.find(word)
        while position != -1:
            end = text.find("\n", position)
            end = len(text) if end < 0 else end
            lines[text.rfind("\n", 0, position) + 1] = end
            position = lowered.find(word, end)  # the line is taken: on to the next one
    yield from sorted(lines.items())


def _lines_matching(text: str) -> Iterator[tuple[int, int]]:
    last = -1
    for hint in NAME_HINT.finditer(text):
        start = text.rfind("\n", 0, hint.start()) + 1
        if start <= last:
            continue
        end = text.find("\n", hint.start())
        end = len(text) if end < 0 else end
        last = end
        yield start, end


def looks_like_secret(name: str, value: str, *, in_test_code: bool) -> bool:
    """A value assigned to a secret-named variable that is neither a placeholder nor a reference."""
    word = SECRET_NAME.search(name)
    if word is None or stands_for_a_value(value) or is_made_up(value):
        return False
    if NAMES_A_SECRET.search(name):
        return False
    secret_word = word.group(1)
    if names_itself(name, value) or names_a_field(secret_word, value):
        return False
    # a header's name stands for a token or a key; a password of Title-Case words
    # ("Correct-Horse-Battery-Staple") is a passphrase, however much it looks like one
    if secret_word.lower() not in PASSWORD_WORDS and names_a_header(value):
        return False
    if any(ch.isspace() for ch in value) or value.startswith(("/", "./", "~/", "http://", "https://")):
        return False  # a path (Flexget's ``private_key = '~/.ssh/id_rsa'``, the key's file) or a URL
    if not value.isascii() or PATH_VALUE.match(value):
        return False  # prose in another script (a translation), or a file's path
    if in_test_code:
        return len(value) >= 16 and entropy(value) >= 3.5
    if word.group(1).lower() in PASSWORD_WORDS:
        return len(value) >= 6 and len(set(value)) >= 4
    return len(value) >= 12 and entropy(value) >= 3.0 and SLUG_VALUE.match(value) is None


FORMAT_FIELD = re.compile(r"\{[\w.\[\]'\"]*(?:![rsa])?(?::[^{}]*)?\}")
"""A Python format field standing for the whole value: ``{password}``, ``{self.password}``, ``{0}``
(redash's ``f"databend://{username}:{password}@{host}"`` was read as a URL with a password)."""


def stands_for_a_value(value: str) -> bool:
    """A placeholder, a reference (a variable's or a class's name) or a password's hash: what a
    literal holds where the credential itself is elsewhere. Shared by the assignment rule and
    the dict-password rule (``dict_passwords``)."""
    return (
        is_placeholder(value)
        or REFERENCE_VALUE.match(value) is not None
        or PASSWORD_HASH.match(value) is not None
        or is_rate_limit(value)
    )


RATE_LIMIT = re.compile(r"\d{1,9}/\d{0,9}[smhd][a-z]{0,5}(?:/\w{1,32})?")
"""One rate limit as django-ratelimit, allauth and Django REST framework write them: a count, a
period (``m``, ``10s``, ``minute``, ``day``) and what it is counted per (``user``, ``ip``, ``key``).
Bounded repeats, no nested ones: linear on any value."""
MAX_RATE_LIMITS = 16


def is_rate_limit(value: str) -> bool:
    """A rate limit, or several joined by commas (allauth's ``ACCOUNT_RATE_LIMITS``:
    ``{"change_password": "5/m/user", "reset_password": "20/m/ip,5/m/key"}``): the setting that
    throttles a password view, keyed by the view's name, not a password."""
    parts = value.split(",", MAX_RATE_LIMITS)
    return len(parts) <= MAX_RATE_LIMITS and all(RATE_LIMIT.fullmatch(part.strip()) for part in parts)


def is_placeholder(value: str) -> bool:
    """A documented placeholder (``changeme``, ``<your-key>``, ``${VAR}``, ``{{ var }}``, ``xxx``) or
    a format field that a program fills in (``{password}``)."""
    lowered = value.strip().lower()
    if len(lowered) < 4 or lowered in PLACEHOLDER_VALUES or len(set(lowered)) <= 2 or BRACKETED_WORD.match(lowered):
        return True
    return FORMAT_FIELD.fullmatch(lowered) is not None or any(word in lowered for word in PLACEHOLDER_WORDS)


def is_made_up(value: str) -> bool:
    """A value written to look fake: placeholder words as whole parts (``test-secret-do-not-use``,
    ``ci-typing-not-a-real-secret``, ``changethis``; not ``attestation``), a keyboard run
    (``abcdef...0123456789``) or one word repeated (``dispatch:dispatch``). For generic assignments
    only: a known token format's random body may hold any word by chance."""
    lowered = value.strip().lower()
    if PLACEHOLDER_PHRASES.search(lowered) or is_sequence(lowered) or _repeats_one_word(lowered):
        return True
    if not PLACEHOLDER_TOKENS.isdisjoint(VALUE_PARTS.split(lowered)):
        return True
    # a run of letters that opens with a made-up word (``demokey123456789``, ``testpass1``)
    return any(run.startswith(PLACEHOLDER_PREFIXES) for run in re.findall(r"[a-z]+", lowered))


def _repeats_one_word(value: str) -> bool:
    """One word written twice or more (``dispatch:dispatch``, ``postgres/postgres``): a user named
    as its password, a default typed by hand, never a generated credential."""
    parts = [part for part in VALUE_PARTS.split(value) if part]
    return len(parts) >= 2 and len(set(parts)) == 1


def is_sequence(value: str) -> bool:
    """Mostly consecutive characters (``123456789abcdef``, the alphabet): typed, not generated."""
    steps = [ord(b) - ord(a) for a, b in itertools.pairwise(value)]
    return len(steps) >= 5 and sum(step == 1 for step in steps) >= 0.8 * len(steps)


def is_word(value: str) -> bool:
    """One short word of letters: a default (``postgres``) or a label, not a credential's shape."""
    return WORD_VALUE.match(value) is not None


def names_itself(name: str, value: str) -> bool:
    """``INVALID_PASSWORD = "invalid_password"``, ``JWT_INVALID_TOKEN = "invalid_token"``: an
    enumeration's value spells words of its own name; a code, not a credential. One word will do
    (awxkit's ``_credentials = 'credentials/'``, the API's route to its credentials). A qualified
    name counts by its local part (Radicale's ``_SHARE_TOKEN = "RADICALE:share-token"``, a WebDAV
    property in its namespace; indico's ``SET_ROOMS_SPRITE_TOKEN = 'config/SET_ROOMS_SPRITE_TOKEN'``,
    a Redux action's type in its slice's namespace: :data:`NAMESPACED`)."""
    namespace, _, local = value.rpartition(":")
    namespaced = NAMESPACED.fullmatch(local)
    if namespaced is not None:
        local = namespaced.group("local")
    words = [w.lower() for w in VALUE_WORDS.findall(local)]
    name_words = {w.lower() for w in VALUE_WORDS.findall(name)}
    # a digit counts against the value, except a version in a namespace of words (``OS-OAUTH1:``)
    digits = value if VERSIONED_NAMESPACE.fullmatch(namespace) is None else local
    return bool(words) and not any(ch.isdigit() for ch in digits) and set(words) <= name_words


VERSIONED_NAMESPACE = re.compile(r"[A-Za-z]{2,16}(?:[-_.][A-Za-z]{2,16}){0,3}\d{1,3}")
"""A namespace of words whose last one carries a version (keystone's ``OS-OAUTH1:access_token``,
the OAuth 1 extension's key for its access token): the digit is the extension's number, not a
generated credential's. Words of letters, then at most three digits at the very end; bounded."""


NAMESPACED = re.compile(r"[A-Za-z_$][\w$.-]{0,63}(?:/[A-Za-z_$][\w$.-]{0,63}){0,7}/(?P<local>[\w$.-]+)")
"""A name in a namespace of ``/``-separated identifiers (``config/SET_TOKEN``, ``session/auth/setToken``):
only the last part names the value. A value with any other character before its last ``/`` (a
base64 key's ``+``) is not one, and keeps every word it spells."""


HEADER_NAME = re.compile(r"(?:X-)?[A-Z][a-z]{1,20}(?:-(?:[A-Z][a-z]{1,20}|[A-Z]{2,5})){1,7}")
"""An HTTP header's name as projects spell it: Title-Case words (or a short acronym after the
first) joined by hyphens, ``X-`` first or not (``X-Supervisor-Token``, ``X-API-Key``). No digits,
at least two words; bounded repeats with a fixed separator, so linear on any value."""


def names_a_header(value: str) -> bool:
    """``HEADER_TOKEN = "X-Supervisor-Token"`` (home-assistant/supervisor): the name of the header
    that carries a token, not the token. A generated credential has digits or mixed-case runs, so
    it never reads as Title-Case words; ``X-`` alone with a random tail does not match either."""
    return len(value) <= 120 and HEADER_NAME.fullmatch(value) is not None


FIELD_NAME = re.compile(r"^[a-z]+(?:_[a-z]+)+$")


def names_a_field(secret_word: str, value: str) -> bool:
    """``'password': 'controller_password'``: a snake-case name that ends in the word that makes
    the key a secret's (awx's map of short parameters to the module's own) names the field that
    holds the secret, not the secret. For a password, in any of its spellings: privacyIDEA maps
    ``"password" : "user_pass"``, WordPress's column (:data:`PASSWORD_FIELD_ENDS`)."""
    if FIELD_NAME.match(value) is None:
        return False
    word, end = secret_word.lower(), value.rpartition("_")[2]
    return end == word or (word in PASSWORD_WORDS and end in PASSWORD_FIELD_ENDS)


PASSWORD_FIELD_ENDS = PASSWORD_WORDS | {"pass", "pw"}
"""How a column or field holding a password ends its name (``user_pass``, ``user_pwd``, ``login_pw``)."""


def entropy(value: str) -> float:
    """Shannon entropy in bits per character: random keys score 4+, words score under 3."""
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values()) if total else 0.0


def fingerprint(value: str) -> str:
    """Eight hex characters of a hash: tells hits apart, says nothing usable about the value."""
    return hashlib.blake2b(value.encode("utf-8", "replace"), digest_size=4, person=b"gonogo-secret").hexdigest()


def mask(text: str, values: tuple[str, ...]) -> str:
    """``text`` with each value replaced by its fingerprint; a JSON Web Token's signature goes with
    it (the evidence of a JWT showed the signature after the mask)."""
    for value in sorted(set(values), key=len, reverse=True):
        if value:
            token = f"<redacted:{fingerprint(value)}>"
            text = text.replace(value, token)
            if value.startswith("eyJ"):
                text = re.sub(re.escape(token) + JWT_TAIL.pattern, token, text)  # the match stops before it
    return text


def is_env_file(name: str) -> bool:
    """``.env`` and ``.env.production``; not the templates meant to be committed."""
    if name != ".env" and not name.startswith(".env."):
        return False
    return not name.endswith(ENV_TEMPLATE_SUFFIXES)


def env_file(path: str, data: bytes, place: Place) -> EnvFile:
    """A committed ``.env`` and what its secret-named settings hold: a template's documented
    defaults (``SECRET_KEY=changethis``) differ from a machine's real credentials."""
    text = data.decode("utf-8", errors="replace")
    named = [
        (m.group("name"), m.group("value"))
        for m in BARE_ENV_SETTING.finditer(text)
        if SECRET_NAME.search(m.group("name"))
    ]
    return EnvFile(
        path=path,
        assignments=_count_assignments(data),
        secret_settings=len(named),
        credentials=sum(looks_like_secret(name, value, in_test_code=False) for name, value in named),
        place=place,
    )


BARE_ENV_SETTING = re.compile(
    r"""(?m)^[ \t]*(?:export[ \t]+)?(?P<name>\w+)[ \t]*=[ \t]*["']?(?P<value>[^"'\s#]*)"""
)


def place_of(relpath: str) -> Place:
    """What kind of file ``relpath`` is, by its folders and name (a fact; checks judge it).
    Tests: a test folder anywhere (``tests/``, ``__tests__/``, ``e2e/``, ``fixtures/``) or a
    test word in the file name (``test_x.py``, ``x_test.go``, ``x.spec.ts``, ``x.test.js``)."""
    parts = relpath.lower().split("/")
    folders, name = set(parts[:-1]), parts[-1]
    words = set(VALUE_PARTS.split(name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name))
    if is_test_path(relpath) or words & TEST_NAME_WORDS or folders & MOCK_DIRS:
        return Place.TEST
    if name.endswith(I18N_SUFFIXES) or folders & I18N_DIRS:
        return Place.TRANSLATION
    if _is_ci_file(parts):
        return Place.CI
    if name.startswith(".env.") and name.endswith(ENV_TEMPLATE_SUFFIXES):
        return Place.ENV_TEMPLATE
    if folders & EXAMPLE_DIRS or words & {"example", "sample", "template"}:
        return Place.EXAMPLE
    if is_development_setup(relpath):
        return Place.DEVELOPMENT
    if folders & DOCS_DIRS or name.endswith(DOC_SUFFIXES) or STORY_MARK in name:
        return Place.DOCS
    return Place.CODE


def _is_ci_file(parts: list[str]) -> bool:
    """A CI definition, also inside a project template (``{{cookiecutter.slug}}/.github/workflows``)."""
    if parts[-1] in CI_FILES:
        return True
    folders = parts[:-1]
    if _CI_DIR_STARTS.isdisjoint(folders):  # most files: no folder a CI folder starts with
        return False
    return any(
        tuple(folders[start : start + len(prefix)]) == prefix for prefix in CI_DIRS for start in range(len(folders))
    )


def _assignment_kind(name: str) -> str:
    word = SECRET_NAME.search(name)
    last = word.group(1).lower() if word else "secret"
    if last in PASSWORD_WORDS:
        return "hard-coded password"
    if "token" in last:
        return "hard-coded token"
    if "key" in last:
        return "hard-coded key"
    return "hard-coded secret"


def _allows_bare(source: SourceFile) -> bool:
    return is_env_file(source.name) or source.suffix in BARE_ASSIGNMENT_SUFFIXES


def _count_assignments(data: bytes) -> int:
    text = data.decode("utf-8", errors="replace")
    return sum(1 for line in text.splitlines() if re.match(r"\s*(?:export\s+)?\w+\s*=", line))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low + 1


SHOWN_LINE_CHARS = 1000
"""A line longer than this (a minified file's) is shown by the words around the secret alone."""
SHOWN_CONTEXT_CHARS = 80
"""How much of a long line is kept either side of the secret: the evidence shows 200 characters."""
REDACTED_CONTEXT_CHARS = 400
"""How much of a long line is redacted around the secret before the shown part is cut from it: an
assignment near the secret keeps its name, so redaction still knows its value for a credential."""


def _evidence(text: str, start: int, offset: int, value: str) -> str:
    """The line that starts at ``start`` and holds ``value`` at ``offset``, with the value masked and
    any other credential redacted, in at most 200 characters. A long line is redacted a few hundred
    characters around the value, not whole (each hit would read it again), and shown by the words
    around the value."""
    end = text.find("\n", start, start + SHOWN_LINE_CHARS + 1)
    if end >= 0 or len(text) - start <= SHOWN_LINE_CHARS:
        line = text[start : end if end >= 0 else len(text)].strip()
        return redact(mask(line, (value,)))[:200]
    wide = _words_around(text, start, offset, offset + len(value), REDACTED_CONTEXT_CHARS)
    masked = redact(mask(wide, (value,)))
    token = f"<redacted:{fingerprint(value)}>"
    at = masked.find(token)
    if at < 0:
        return masked[:200]
    return _words_around(masked, 0, at, at + len(token), SHOWN_CONTEXT_CHARS)[:200]


def _words_around(text: str, low: int, begin: int, end: int, reach: int) -> str:
    """``text[begin:end]`` with up to ``reach`` characters of its line either side (not before
    ``low``, the line's start), the words a cut went through dropped: no part of another token is
    left at an edge."""
    left, right = _around(text, begin, end, reach=reach, low=low)
    head, tail = text[left:begin], text[end:right]
    if left > low:
        head = head[next((i + 1 for i, ch in enumerate(head) if ch.isspace()), len(head)) :]
    if right == end + reach < len(text):  # cut short of the line's end
        tail = tail[: next((i for i in range(len(tail) - 1, -1, -1) if tail[i].isspace()), 0)]
    return f"{head}{text[begin:end]}{tail}".strip()


PEM_BODY = re.compile(r"[^\n]*\n[ \t]*(?:[A-Za-z-]+:[^\n]*\n[ \t]*)*[A-Za-z0-9+/=]{40,}")
"""What follows a private key's header in a real key block: base64 lines; a parser's string
constant naming the header has none."""


CONTEXT_CHARS = 200
"""How far either side of a match a detector's own logic reads (:func:`_around`)."""


def _around(text: str, start: int, end: int, *, reach: int = CONTEXT_CHARS, low: int = 0) -> tuple[int, int]:
    """The span of the line that holds ``text[start:end]``, but no more than ``reach`` characters
    either side of it (nor before ``low``): a detector confirms a match there, and evidence is cut
    from it. The whole line of a minified file could be megabytes, read again for every hit."""
    before = text.rfind("\n", max(low, start - reach), start)
    after = text.find("\n", end, end + reach)
    return (before + 1 if before >= 0 else max(low, start - reach),
            after if after >= 0 else min(len(text), end + reach))


def _end_of_line(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return end if end >= 0 else len(text)
