"""detect-secrets' detectors of a token's own shape (an AWS key ID, a GitHub token, a JWT...), the
one list the secrets pass scans with and the redactor masks by.

Importing detect-secrets, and the ``requests`` it brings, costs a tenth of a second, and two tenths
in a scan, where it contends for the interpreter with the checks. Yet a scan needs only the
detectors' patterns until one of them matches, and a detector's own logic only then (its
``analyze_string``, which reads a JWT's JSON, for one). So the patterns come from a snapshot shipped
in ``data/token_formats.json``, taken from the same detect-secrets version, and detect-secrets is
imported only when a pattern matches, or when the snapshot was taken from another version than the
one installed (the patterns are then the library's own: the snapshot is never trusted over it).
``python -m gonogo.token_formats`` writes the snapshot again.

Its IBM, SoftLayer and Cloudant detectors are left out: they are keyword-assignment patterns (the
secrets pass's assignment rule covers those) and cost more than all the others together on a large
tree.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detect_secrets.plugins.base import RegexBasedDetector

DISTRIBUTION = "detect-secrets"
SNAPSHOT = "token_formats.json"
"""In ``gonogo.data``: each detector's ``secret_type`` and patterns (source and flags), and the
detect-secrets version they were taken from."""

# detect-secrets' ``secret_type`` of the detectors the secrets pass and the redactor treat apart
PRIVATE_KEY = "Private Key"
BASIC_AUTH = "Basic Auth Credentials"
AWS_KEY = "AWS Access Key"
SLACK = "Slack Token"

_SLACK_WEBHOOK = "https://hooks.slack.com/"
_ISSUED_SLACK_WEBHOOK = re.compile(r"https://hooks\.slack\.com/services/T[A-Za-z0-9]{8,}/B[A-Za-z0-9]{8,}/[A-Za-z0-9]{24}")
"""The webhooks Slack issues: a workspace ID and a channel's (``T``/``B`` and eight characters or
more) and a 24-character token, as in Slack's own ``T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX``.
detect-secrets takes any length (Prefect's tests' ``T1234/B5678/abcdefghijk``)."""


_OWN_BOUNDARIES = frozenset(
    {PRIVATE_KEY, BASIC_AUTH, "NPM tokens", "Artifactory Credentials", "Azure Storage Account access key"}
)
"""Formats whose patterns start at a header, a URL's ``://``, a path or a delimiter of their own."""


def never_issued(secret_type: str, text: str, start: int, end: int) -> bool:
    """The match at ``text[start:end]`` has its format's shape but is not a credential the vendor
    issued: it continues a longer word (the digits and colon of a Telegram bot token inside a run of
    UUIDs, in DefectDojo's test data), an AWS access key ID is not exactly twenty characters (one
    running on into more letters or digits is another word: Prefect's docs'
    ``AKIAJKLJKLJKLJKLJKLJK``), or a Slack webhook is shorter than Slack's, as above."""
    if secret_type == AWS_KEY:  # the key ID's pattern, not the secret key's (which starts at a name)
        return end - start == 20 and _continues_a_word(text, start, end, both_sides=True)
    if secret_type not in _OWN_BOUNDARIES and _continues_a_word(text, start, end, both_sides=False):
        return True
    if secret_type == SLACK and text.startswith(_SLACK_WEBHOOK, start):
        return _ISSUED_SLACK_WEBHOOK.fullmatch(text, start, end) is None
    return False


def _continues_a_word(text: str, start: int, end: int, *, both_sides: bool) -> bool:
    def word_character(at: int) -> bool:
        return 0 <= at < len(text) and text[at].isascii() and text[at].isalnum()

    return word_character(start - 1) or (both_sides and word_character(end))


@cache
def token_detectors() -> tuple[RegexBasedDetector, ...]:
    """One instance of each detector, the private-key one first and basic auth (a URL with a
    password) last, as the secrets pass reports them."""
    from detect_secrets.plugins.artifactory import ArtifactoryDetector
    from detect_secrets.plugins.aws import AWSKeyDetector
    from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
    from detect_secrets.plugins.basic_auth import BasicAuthDetector
    from detect_secrets.plugins.discord import DiscordBotTokenDetector
    from detect_secrets.plugins.github_token import GitHubTokenDetector
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.mailchimp import MailchimpDetector
    from detect_secrets.plugins.npm import NpmDetector
    from detect_secrets.plugins.openai import OpenAIDetector
    from detect_secrets.plugins.private_key import PrivateKeyDetector
    from detect_secrets.plugins.pypi_token import PypiTokenDetector
    from detect_secrets.plugins.sendgrid import SendGridDetector
    from detect_secrets.plugins.slack import SlackDetector
    from detect_secrets.plugins.square_oauth import SquareOAuthDetector
    from detect_secrets.plugins.stripe import StripeDetector
    from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
    from detect_secrets.plugins.twilio import TwilioKeyDetector

    return tuple(
        cls()
        for cls in (
            PrivateKeyDetector, AWSKeyDetector, AzureStorageKeyDetector, GitHubTokenDetector,
            GitLabTokenDetector, SlackDetector, StripeDetector, OpenAIDetector, PypiTokenDetector,
            NpmDetector, SendGridDetector, TwilioKeyDetector, MailchimpDetector, DiscordBotTokenDetector,
            TelegramBotTokenDetector, SquareOAuthDetector, ArtifactoryDetector, JwtTokenDetector,
            BasicAuthDetector,
        )
    )


@dataclass(frozen=True, slots=True)
class TokenFormat:
    """One detector as the scan reads it: what it names a secret, and the patterns that find one."""

    secret_type: str
    patterns: tuple[re.Pattern[str], ...]


@cache
def token_formats() -> tuple[TokenFormat, ...]:
    """The detectors' formats, in :func:`token_detectors`'s order: from the snapshot when it was
    taken from the installed detect-secrets, else from the detectors themselves."""
    return _from_snapshot(_installed_version()) or formats_of_detectors()


def formats_of_detectors() -> tuple[TokenFormat, ...]:
    """The formats as detect-secrets itself gives them (imports it)."""
    return tuple(TokenFormat(d.secret_type, tuple(d.denylist)) for d in token_detectors())


@cache
def detector_for(secret_type: str) -> RegexBasedDetector:
    """The detector of ``secret_type``, whose own logic confirms what its patterns matched."""
    return next(detector for detector in token_detectors() if detector.secret_type == secret_type)


@dataclass(frozen=True, slots=True)
class SharedFate:
    """How to find a pattern's matches without trying every start: every match begins with
    ``first``, and when a match from one start fails, one from any later start in the same
    ``segment`` fails too (it would be a path from the first start as well)."""

    first: str
    segment: re.Pattern[str]
    """Matched at a start: the run of characters over which starts share their fate."""


SHARED_FATE: dict[str, SharedFate] = {
    # a JWT's first part is a run of these characters and must end at a ".": every "eyJ" in one
    # run reaches the same end of it, and ``finditer`` tried each, reading the run each time
    r"eyJ[A-Za-z0-9-_=]+\.[A-Za-z0-9-_=]+\.?[A-Za-z0-9-_.+/=]*?": SharedFate("eyJ", re.compile(r"[A-Za-z0-9\-_=]*")),
    # the key's characters before "T3BlbkFJ" are one run: any "sk-" in it may take the same path
    r"sk-[A-Za-z0-9-_]*[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}": SharedFate("sk-", re.compile(r"[A-Za-z0-9\-_]*")),
    # ".+" spans the rest of the line: any "//" later on it may reach the same ":_authToken="
    r"\/\/.+\/:_authToken=\s*((npm_.+)|([A-Fa-f0-9-]{36})).*": SharedFate("//", re.compile(r"[^\n]*")),
}
"""detect-secrets' patterns that backtrack quadratically: 600 KB of ``eyJ`` on one line took
minutes. Keyed by the pattern's source, so a new detect-secrets that rewrites one is scanned by
``finditer`` again (and ``test_token_formats`` says the table is stale)."""


def find_tokens(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches ``pattern.finditer(text)`` gives, in time linear in the text for the patterns of
    :data:`SHARED_FATE` (:func:`_matches_sharing_fate`)."""
    fate = SHARED_FATE.get(pattern.pattern)
    if fate is None or pattern.flags & re.IGNORECASE:
        return pattern.finditer(text)
    return _matches_sharing_fate(pattern, fate, text)


def _matches_sharing_fate(pattern: re.Pattern[str], fate: SharedFate, text: str) -> Iterator[re.Match[str]]:
    """A start that fails rules out the rest of its segment, which ``finditer`` would try one by
    one, and a start without the pattern's first characters is never tried."""
    position = 0
    while (start := text.find(fate.first, position)) >= 0:
        match = pattern.match(text, start)
        if match is not None:
            yield match
            position = match.end()
        else:
            position = fate.segment.match(text, start).end()  # type: ignore[union-attr]  # "*" always matches


def _installed_version() -> str | None:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def _from_snapshot(version: str | None) -> tuple[TokenFormat, ...] | None:
    try:
        text = resources.files("gonogo.data").joinpath(SNAPSHOT).read_text("utf-8")
    except (OSError, ValueError):
        return None
    return formats_in(text, version)


def formats_in(text: str, version: str | None) -> tuple[TokenFormat, ...] | None:
    """The formats a snapshot holds when it was taken from detect-secrets ``version``; ``None``
    when it was taken from another, or is not a snapshot (then the detectors are asked)."""
    try:
        raw = json.loads(text)
        if version is None or raw["detect_secrets"] != version:
            return None
        return tuple(
            TokenFormat(_text(entry["secret_type"]), tuple(_pattern(*pair) for pair in entry["patterns"]))
            for entry in raw["formats"]
        )
    except (ValueError, KeyError, TypeError, re.error, RecursionError):
        return None


def _pattern(source: object, flags: int) -> re.Pattern[str]:
    return re.compile(_text(source), flags)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{type(value).__name__}, not a string")
    return value


def snapshot() -> dict[str, Any]:
    """What ``data/token_formats.json`` holds, taken from the installed detect-secrets."""
    return {
        "detect_secrets": _installed_version(),
        "formats": [
            {"secret_type": f.secret_type, "patterns": [[p.pattern, p.flags] for p in f.patterns]}
            for f in formats_of_detectors()
        ],
    }


def _render(taken: dict[str, Any]) -> str:
    """The snapshot as JSON, one detector a line, so a new detect-secrets shows as a readable diff."""
    formats = ",\n".join(f"  {json.dumps(entry)}" for entry in taken["formats"])
    return f'{{\n "detect_secrets": {json.dumps(taken["detect_secrets"])},\n "formats": [\n{formats}\n ]\n}}\n'


if __name__ == "__main__":
    target = Path(__file__).parent / "data" / SNAPSHOT
    target.write_text(_render(snapshot()), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
