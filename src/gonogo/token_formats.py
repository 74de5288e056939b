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
