"""Tokens: random, shown once, stored as a salted scrypt hash.

A token reads ``gng_<key>_<secret>``. The key is public and indexed, so a request costs one row
lookup and one scrypt, never a hash against every stored token. scrypt is memory-hard (16 MiB a
hash with these parameters), so a stolen database does not give tokens away cheaply.

A hash per request would make scrypt the cost of every upload, so a token proven once is
remembered for a few minutes in this process, by its SHA-256 only (never in clear).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

PREFIX = "gng"
KEY_BYTES = 8
SECRET_BYTES = 32
SALT_BYTES = 16
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
"""The parameters Python's docs and OWASP give for interactive logins: ~16 MiB and tens of ms."""
DIGEST_BYTES = 32
PROVEN_FOR_S = 300.0
PROVEN_MAX = 1024


class Scope:
    UPLOAD = "upload"
    READ = "read"


@dataclass(frozen=True, slots=True, kw_only=True)
class NewToken:
    """What to store (``key``, ``salt``, ``digest``) and what to show once (``text``)."""

    text: str
    key: str
    salt: bytes
    digest: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Grant:
    """What a proven token allows."""

    scope: str
    project_id: int | None


def new_token() -> NewToken:
    key = secrets.token_hex(KEY_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    salt = secrets.token_bytes(SALT_BYTES)
    return NewToken(text=f"{PREFIX}_{key}_{secret}", key=key, salt=salt, digest=hash_secret(secret, salt))


def hash_secret(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=DIGEST_BYTES
    )


def split_token(text: str) -> tuple[str, str] | None:
    """(key, secret) of a well-formed token, else ``None`` (no lookup is spent on garbage)."""
    parts = text.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != KEY_BYTES * 2 or not parts[2]:
        return None
    if len(parts[2]) > 128 or not all(c.isalnum() or c in "-_" for c in parts[2]):
        return None
    return parts[1], parts[2]


def matches(secret: str, salt: bytes, digest: bytes) -> bool:
    return hmac.compare_digest(hash_secret(secret, salt), digest)


class ProvenTokens:
    """Tokens proven recently, by SHA-256, with what they grant; bounded and short-lived."""

    def __init__(self, ttl_s: float = PROVEN_FOR_S, size: int = PROVEN_MAX) -> None:
        self._ttl, self._size = ttl_s, size
        self._seen: dict[bytes, tuple[float, Grant]] = {}
        self._lock = threading.Lock()

    def get(self, text: str) -> Grant | None:
        fingerprint = hashlib.sha256(text.encode("utf-8")).digest()
        with self._lock:
            seen = self._seen.get(fingerprint)
            if seen is None or seen[0] < time.monotonic():
                self._seen.pop(fingerprint, None)
                return None
            return seen[1]

    def put(self, text: str, grant: Grant) -> None:
        fingerprint = hashlib.sha256(text.encode("utf-8")).digest()
        with self._lock:
            if len(self._seen) >= self._size:
                self._seen.clear()  # rare: a fresh start costs one scrypt per live token
            self._seen[fingerprint] = (time.monotonic() + self._ttl, grant)
