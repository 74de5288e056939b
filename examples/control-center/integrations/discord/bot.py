"""Posts job results to Discord; the webhook secret comes from AWS Secrets Manager."""

import boto3
import requests


def webhook_url() -> str:
    client = boto3.client("secretsmanager")
    return client.get_secret_value(SecretId="discord-webhook")["SecretString"]


def post(message: str) -> int:
    return requests.post(webhook_url(), json={"content": message}, timeout=10).status_code
