"""Reading an OpenAPI 3 document: from a URL, a path on the service or a file, size-limited; its
operations in document order; local ``$ref`` followed with loops and dangling references as
``None``. A malformed document is an ``OpenApiError`` naming where and why, never a crash."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import yaml

from gonogo.probes.http import describe_error, fetch, transport_errors

if TYPE_CHECKING:
    import httpx
from gonogo.service_settings import ServiceSetting, redact

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
METHODS = ("get", "head", "options", "post", "put", "patch", "delete")


class OpenApiError(Exception):
    """The document could not be read or is not an OpenAPI document; the message says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    method: str
    path: str
    operation_id: str
    parameters: tuple[dict[str, Any], ...]
    request_body: dict[str, Any] | None
    responses: dict[str, Any]
    pointer: str
    """JSON pointer of the operation in the document, for schema references."""


def load_document(
    source: str, setting: ServiceSetting, base_dir: Path | None, client: httpx.Client
) -> tuple[dict[str, Any], str]:
    """The parsed document and where it came from (a URL or a file path)."""
    if source.startswith(("http://", "https://")):
        return _fetch_document(source, client, setting), source
    local = (base_dir or Path.cwd()) / source.lstrip("/") if not Path(source).is_absolute() else Path(source)
    if source.startswith("/") and not local.is_file():
        url = urljoin(setting.origin + "/", source.lstrip("/"))
        return _fetch_document(url, client, setting), url
    try:
        size = local.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise OpenApiError(f"{local}: {size:,} bytes is over the {MAX_DOCUMENT_BYTES:,}-byte limit")
        data = local.read_bytes()
    except OSError as exc:
        raise OpenApiError(f"{local}: cannot read: {exc.strerror or exc}") from exc
    return parse_document(data, str(local)), str(local)


def _fetch_document(url: str, client: httpx.Client, setting: ServiceSetting) -> dict[str, Any]:
    try:
        answer = fetch(client, "GET", url, max_body=MAX_DOCUMENT_BYTES)
    except transport_errors(ValueError) as exc:
        raise OpenApiError(f"GET {redact(url)}: {describe_error(exc, setting.timeout_s)}") from exc
    if answer.truncated:
        raise OpenApiError(f"GET {redact(url)}: document over {MAX_DOCUMENT_BYTES:,} bytes")
    if answer.status != 200:
        raise OpenApiError(f"GET {redact(url)} -> {answer.status}, expected 200")
    return parse_document(answer.body, redact(url))


def parse_document(data: bytes, where: str) -> dict[str, Any]:
    """JSON or YAML text into a dict that at least looks like OpenAPI 3 (``openapi`` and
    ``paths``)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OpenApiError(f"{where}: not UTF-8 text (byte {exc.start})") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise OpenApiError(f"{where}: neither JSON nor YAML: {' '.join(str(exc).split())}") from exc
    except RecursionError as exc:
        raise OpenApiError(f"{where}: nested too deeply to parse") from exc
    if not isinstance(doc, dict):
        raise OpenApiError(f"{where}: not an OpenAPI document (top level is {type(doc).__name__})")
    version = str(doc.get("openapi", ""))
    if not version.startswith("3."):
        found = f"'openapi: {version}'" if version else "no 'openapi' key"
        raise OpenApiError(f"{where}: only OpenAPI 3.x documents are supported ({found})")
    if not isinstance(doc.get("paths"), dict):
        raise OpenApiError(f"{where}: 'paths' is missing or not a mapping")
    return doc


def operations(doc: dict[str, Any]) -> list[Operation]:
    """Every operation of the document, in document order; malformed entries are left out."""
    found = []
    for path, item in doc["paths"].items():
        if not isinstance(path, str) or not isinstance(item, dict):
            continue
        item = deref(doc, item)
        shared = [p for p in item.get("parameters", []) or [] if isinstance(p, dict)] if isinstance(
            item.get("parameters", []), list
        ) else []
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            own = op.get("parameters", [])
            own = [p for p in own if isinstance(p, dict)] if isinstance(own, list) else []
            merged: dict[tuple[str, str], dict[str, Any]] = {}
            for param in [*shared, *own]:
                param = deref(doc, param)
                if isinstance(param, dict) and isinstance(param.get("name"), str):
                    merged[(param["name"], str(param.get("in", "")))] = param
            body = deref(doc, op.get("requestBody")) if isinstance(op.get("requestBody"), dict) else None
            responses = op.get("responses")
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=str(op.get("operationId") or f"{method.upper()} {path}"),
                    parameters=tuple(merged.values()),
                    request_body=body if isinstance(body, dict) else None,
                    responses=responses if isinstance(responses, dict) else {},
                    pointer=f"/paths/{escape(path)}/{method}",
                )
            )
    return found


def escape(token: str) -> str:
    """``token`` as one JSON pointer segment (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def deref(doc: dict[str, Any], node: Any, seen: frozenset[str] = frozenset()) -> Any:
    """Follow a local ``$ref`` (``#/components/...``); a loop or a dangling ref gives ``None``."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/"):
            return None
        seen = seen | {ref}
        target: Any = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return None
            target = target[part]
        node = target
    return node
