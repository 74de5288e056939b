"""``gonogo check --upload URL``: post the JSON report to a gonogo server. Imports no server
code. A failed upload is a warning: it never changes the scan's report or exit code."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from gonogo.history.provenance import provenance_of
from gonogo.model import Report
from gonogo.redaction import redact_url
from gonogo.reporters.json_report import report_to_dict

UPLOAD_TIMEOUT_S = 60.0


def upload_report(report: Report, root: Path, url: str, token: str | None) -> str:
    """What to tell the user: the run's address, or a warning saying why it was not uploaded."""
    shown = redact_url(url)
    if not token:
        return f"warning: the report was not uploaded to {shown}: set GONOGO_TOKEN to the project's upload token"
    provenance = provenance_of(root)
    params = {
        key: value
        for key, value in (
            ("commit", provenance.commit),
            ("branch", provenance.branch),
            ("dirty", None if provenance.dirty is None else str(provenance.dirty).lower()),
        )
        if value is not None
    }
    try:
        answer = httpx.post(
            url,
            content=json.dumps(report_to_dict(report)).encode("utf-8"),
            params=params,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=UPLOAD_TIMEOUT_S,
        )
    except httpx.HTTPError as exc:
        return f"warning: the report was not uploaded to {shown}: {type(exc).__name__}: {exc}"
    if answer.status_code != 201:
        return f"warning: the report was not uploaded to {shown}: HTTP {answer.status_code}: {_detail(answer)}"
    return f"uploaded as {_detail(answer, 'url')}"


def _detail(answer: httpx.Response, key: str = "detail") -> str:
    try:
        value = answer.json().get(key)
    except (ValueError, AttributeError):
        value = None
    return str(value)[:500] if value is not None else answer.text[:200]
