"""An uploaded report: read within a size limit, parsed, validated against the shipped JSON
Schema, and its provenance taken from the request. Every refusal is an ``UploadRefused`` with
the HTTP status and a message that names what is wrong, raised before anything is stored."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

SHOWN_ERRORS = 5
_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")


class UploadRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class Upload:
    report: dict[str, Any]
    commit: str | None
    branch: str | None
    dirty: bool | None


def refuse_declared_size(content_length: str | None, limit: int) -> None:
    """A body announced as too large is refused before a byte of it is read."""
    if content_length is None:
        return
    try:
        declared = int(content_length)
    except ValueError as exc:
        raise UploadRefused(400, "Content-Length is not a number") from exc
    if declared > limit:
        raise UploadRefused(413, f"the report is {declared} bytes; this server accepts up to {limit}")


async def read_limited(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """The body, read until it ends or passes ``limit`` (then refused: a chunked upload has no
    Content-Length to refuse it by)."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise UploadRefused(413, f"the report is larger than the {limit} bytes this server accepts")
    return bytes(body)


def parse(body: bytes, commit: str | None, branch: str | None, dirty: bool | None) -> Upload:
    try:
        report = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UploadRefused(400, f"the body is not JSON: {type(exc).__name__}: {str(exc)[:200]}") from exc
    errors = sorted(_validator().iter_errors(report), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "; ".join(f"{_where(e.absolute_path)}: {e.message[:200]}" for e in errors[:SHOWN_ERRORS])
        raise UploadRefused(422, f"not a gonogo report ({len(errors)} schema errors): {shown}")
    roots = report["evidence"]["roots"]
    commit = commit or (roots[0].get("commit") if roots else None)
    if commit is not None and not _COMMIT.match(commit):
        raise UploadRefused(422, "commit: 7 to 64 lowercase hexadecimal digits")
    if branch is not None and not 0 < len(branch) <= 255:
        raise UploadRefused(422, "branch: 1 to 255 characters")
    return Upload(report=report, commit=commit, branch=branch, dirty=dirty)


@cache
def _validator() -> Draft202012Validator:
    text = resources.files("gonogo").joinpath("schema", "report.schema.json").read_text(encoding="utf-8")
    return Draft202012Validator(json.loads(text))


def _where(path: Iterable[object]) -> str:
    parts = [str(p) for p in path]
    return "/" + "/".join(parts) if parts else "the report"
