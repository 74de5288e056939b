"""detect-secrets' detectors of a token's own shape (an AWS key ID, a GitHub token, a JWT...), the
one list the secrets pass scans with and the redactor masks by.

Made on first use: detect-secrets, and the ``requests`` it imports, cost a tenth of a second, which
a command that reads no file and redacts nothing (a scan whose report is reused whole) should not
pay. Its IBM, SoftLayer and Cloudant detectors are left out: they are keyword-assignment patterns
(the secrets pass's assignment rule covers those) and cost more than all the others together on a
large tree.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detect_secrets.plugins.base import RegexBasedDetector

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
