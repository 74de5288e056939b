"""Pulls jobs from Redis; reads its credentials from AWS Secrets Manager like the integrations do."""

import boto3
import redis


def credentials() -> str:
    return boto3.client("secretsmanager").get_secret_value(SecretId="coordinator")["SecretString"]


def next_job(client: redis.Redis) -> bytes | None:
    return client.lpop("jobs")
