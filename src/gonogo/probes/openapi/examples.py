"""Filling a request for one operation, deterministically: each required parameter and the JSON
body from the document's own examples, defaults, enums and schemas. An operation whose request
cannot be filled is ``CannotFill`` with the reason, and is reported as not called."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from gonogo.probes.openapi.document import Operation, deref

MAX_DEPTH = 8


@dataclass(slots=True)
class Request:
    """What one call sends: the path with its parameters filled in, query, headers, JSON body."""

    path: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


class CannotFill(Exception):
    """No value can be made for a required part of the request; the message says which."""


def example_value(doc: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """A deterministic value for ``schema``: its example, default, first enum value, or a plain
    value of its type. Raises ``CannotFill`` when none can be made (a loop, an empty schema)."""
    schema = deref(doc, schema)
    if depth > MAX_DEPTH or not isinstance(schema, dict):
        raise CannotFill("schema cannot be followed (a $ref loop, a dangling $ref, or too deep)")
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for combiner in ("allOf", "oneOf", "anyOf"):
        options = schema.get(combiner)
        if isinstance(options, list) and options:
            if combiner == "allOf":
                merged: dict[str, Any] = {}
                for part in options:
                    value = example_value(doc, part, depth + 1)
                    if isinstance(value, dict):
                        merged.update(value)
                return merged
            non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            return example_value(doc, (non_null or options)[0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and isinstance(schema.get("properties"), dict):
        kind = "object"
    match kind:
        case "integer":
            return max(1, int(schema.get("minimum", 1) or 1))
        case "number":
            return float(schema.get("minimum", 1) or 1)
        case "boolean":
            return True
        case "string":
            return _string_for(schema)
        case "array":
            return [example_value(doc, schema.get("items", {}), depth + 1)]
        case "object":
            props = schema.get("properties")
            required = schema.get("required")
            if not isinstance(props, dict) or not isinstance(required, list):
                return {}
            return {
                name: example_value(doc, props[name], depth + 1)
                for name in required
                if isinstance(name, str) and name in props
            }
    raise CannotFill("schema has no example, default, enum or type")


def _string_for(schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    value = {
        "uuid": "00000000-0000-4000-8000-000000000001",
        "date": "2024-01-01",
        "date-time": "2024-01-01T00:00:00Z",
        "email": "probe@example.com",
        "uri": "http://example.com/",
        "ipv4": "127.0.0.1",
    }.get(fmt if isinstance(fmt, str) else "", "example")
    min_length = schema.get("minLength")
    if isinstance(min_length, int) and 0 < min_length <= 1000 and len(value) < min_length:
        value = value + "x" * (min_length - len(value))
    return value


def build_request(doc: dict[str, Any], op: Operation) -> Request:
    request = Request(path=op.path)
    for param in op.parameters:
        where, name = param.get("in"), param["name"]
        required = bool(param.get("required")) or where == "path"
        if not required:
            continue
        value = _param_value(doc, param)
        text = _as_text(value)
        match where:
            case "path":
                request.path = request.path.replace("{" + name + "}", quote(text, safe=""))
            case "query":
                request.params[name] = text
            case "header":
                request.headers[name] = text
            case _:
                raise CannotFill(f"required {where} parameter {name!r} cannot be sent")
    if op.request_body is not None:
        content = op.request_body.get("content")
        media = content.get("application/json") if isinstance(content, dict) else None
        if isinstance(media, dict):
            if "example" in media:
                request.body = media["example"]
            else:
                request.body = example_value(doc, media.get("schema", {}))
        elif op.request_body.get("required"):
            raise CannotFill("required request body is not application/json")
    return request


def _param_value(doc: dict[str, Any], param: dict[str, Any]) -> Any:
    if "example" in param:
        return param["example"]
    examples = param.get("examples")
    if isinstance(examples, dict):
        for entry in examples.values():
            entry = deref(doc, entry)
            if isinstance(entry, dict) and "value" in entry:
                return entry["value"]
    try:
        return example_value(doc, param.get("schema", {}))
    except CannotFill as exc:
        raise CannotFill(f"parameter {param['name']!r}: {exc}") from exc


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join(_as_text(v) for v in value)
    return json.dumps(value) if isinstance(value, dict) else str(value)
