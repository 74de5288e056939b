"""OpenAPI smoke: call every operation that is safe to call, once, and judge what comes back.

Why not Schemathesis (the reference for property-based API testing): it answers a different
question. It generates many randomised cases per operation through Hypothesis, which is the right
tool to hunt edge cases but makes a release gate slow, non-deterministic and hard to cite as
evidence, and it brings some twenty packages. A gate needs one deterministic, reproducible call per
operation, built from the document's own examples, defaults and schemas, and one ``curl`` line per
failure. What Schemathesis does for response checks, we do with the same library it uses
(``jsonschema``): responses are validated against the declared schema and content type.
Run ``st run URL`` yourself for fuzzing; gonogo's smoke is the gate, not the fuzzer.

Only methods the config allows are called (GET by default). Documents are read with a size limit;
a malformed document, a ``$ref`` loop, or a parameter that cannot be filled is evidence, not a crash.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx
import yaml

from gonogo.probes.http import MAX_BODY_BYTES, Answer, client_for, curl_line, describe_error, fetch
from gonogo.probes.settings import ServiceSetting, redact

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 8
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    kind: str
    """``server_error``, ``schema``, ``content_type`` or ``slow``."""
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationOutcome:
    method: str
    path: str
    url: str
    curl: str
    status: int | None
    elapsed_ms: float | None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class NotCalled:
    method: str
    path: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenApiResult:
    service: str
    source: str
    outcomes: tuple[OperationOutcome, ...] = ()
    not_called: tuple[NotCalled, ...] = ()
    error: str | None = None

    @property
    def server_errors(self) -> list[tuple[OperationOutcome, Problem]]:
        return self._of("server_error")

    @property
    def violations(self) -> list[tuple[OperationOutcome, Problem]]:
        return self._of("schema") + self._of("content_type")

    @property
    def slow(self) -> list[tuple[OperationOutcome, Problem]]:
        return self._of("slow")

    def _of(self, kind: str) -> list[tuple[OperationOutcome, Problem]]:
        return [(o, p) for o in self.outcomes for p in o.problems if p.kind == kind]


@dataclass(slots=True)
class _Request:
    path: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


# --- reading the document -------------------------------------------------------------------


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
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
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
        item = _deref(doc, item)
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
                param = _deref(doc, param)
                if isinstance(param, dict) and isinstance(param.get("name"), str):
                    merged[(param["name"], str(param.get("in", "")))] = param
            body = _deref(doc, op.get("requestBody")) if isinstance(op.get("requestBody"), dict) else None
            responses = op.get("responses")
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=str(op.get("operationId") or f"{method.upper()} {path}"),
                    parameters=tuple(merged.values()),
                    request_body=body if isinstance(body, dict) else None,
                    responses=responses if isinstance(responses, dict) else {},
                    pointer=f"/paths/{_escape(path)}/{method}",
                )
            )
    return found


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _deref(doc: dict[str, Any], node: Any, seen: frozenset[str] = frozenset()) -> Any:
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


# --- filling requests -----------------------------------------------------------------------


class _CannotFill(Exception):
    pass


def example_value(doc: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """A deterministic value for ``schema``: its example, default, first enum value, or a plain
    value of its type. Raises ``_CannotFill`` when none can be made (a loop, an empty schema)."""
    schema = _deref(doc, schema)
    if depth > MAX_DEPTH or not isinstance(schema, dict):
        raise _CannotFill("schema cannot be followed (a $ref loop, a dangling $ref, or too deep)")
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
    raise _CannotFill("schema has no example, default, enum or type")


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


def build_request(doc: dict[str, Any], op: Operation) -> _Request:
    request = _Request(path=op.path)
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
                raise _CannotFill(f"required {where} parameter {name!r} cannot be sent")
    if op.request_body is not None:
        content = op.request_body.get("content")
        media = content.get("application/json") if isinstance(content, dict) else None
        if isinstance(media, dict):
            if "example" in media:
                request.body = media["example"]
            else:
                request.body = example_value(doc, media.get("schema", {}))
        elif op.request_body.get("required"):
            raise _CannotFill("required request body is not application/json")
    return request


def _param_value(doc: dict[str, Any], param: dict[str, Any]) -> Any:
    if "example" in param:
        return param["example"]
    examples = param.get("examples")
    if isinstance(examples, dict):
        for entry in examples.values():
            entry = _deref(doc, entry)
            if isinstance(entry, dict) and "value" in entry:
                return entry["value"]
    try:
        return example_value(doc, param.get("schema", {}))
    except _CannotFill as exc:
        raise _CannotFill(f"parameter {param['name']!r}: {exc}") from exc


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join(_as_text(v) for v in value)
    return json.dumps(value) if isinstance(value, dict) else str(value)


# --- judging answers ------------------------------------------------------------------------


def _declared(op: Operation, status: int) -> tuple[str, dict[str, Any]] | None:
    """The response entry for ``status``: exact, then ``4XX``-style, then ``default``."""
    for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
        entry = op.responses.get(key)
        if isinstance(entry, dict):
            return key, entry
    return None


def judge(
    doc: dict[str, Any], op: Operation, answer: Answer, validators: _Validators
) -> list[Problem]:
    problems = []
    if answer.status >= 500:
        body = answer.body.decode("utf-8", errors="replace")
        problems.append(
            Problem(kind="server_error", message=f"server error, body {' '.join(body.split())[:160]!r}")
        )
        return problems
    declared = _declared(op, answer.status)
    if declared is None:
        return problems
    key, entry = declared
    entry = _deref(doc, entry) or {}
    content = entry.get("content") if isinstance(entry, dict) else None
    if not isinstance(content, dict) or not content:
        return problems
    media = answer.content_type.split(";")[0].strip().lower()
    if not media and not answer.body:
        return problems
    match_type = next((t for t in content if _media_matches(str(t), media)), None)
    if match_type is None:
        problems.append(
            Problem(
                kind="content_type",
                message=f"content-type {media or '(none)'!r} is not one declared for {key}: "
                f"{', '.join(sorted(str(t) for t in content))}",
            )
        )
        return problems
    media_entry = content.get(match_type)
    if not isinstance(media_entry, dict) or "schema" not in media_entry or "json" not in media:
        return problems
    if answer.truncated:
        problems.append(Problem(kind="schema", message=f"body over {MAX_BODY_BYTES:,} bytes; not validated"))
        return problems
    try:
        value = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        problems.append(Problem(kind="schema", message=f"body is not valid JSON: {exc}"))
        return problems
    pointer = f"{op.pointer}/responses/{_escape(key)}/content/{_escape(match_type)}/schema"
    error = validators.first_error(pointer, value)
    if error:
        problems.append(Problem(kind="schema", message=f"body does not match the {key} schema: {error}"))
    return problems


def _media_matches(declared: str, actual: str) -> bool:
    declared = declared.split(";")[0].strip().lower()
    if declared in ("*/*", actual):
        return True
    if declared.endswith("/*"):
        return actual.startswith(declared[:-1])
    return False


class _Validators:
    """JSON Schema validation of response bodies, with the whole document as the ``$ref`` base."""

    def __init__(self, doc: dict[str, Any]) -> None:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        base = doc if str(doc.get("openapi", "")).startswith("3.1") else _nullable_to_types(doc)
        self._registry = Registry().with_resource(
            "urn:gonogo:openapi", Resource.from_contents(base, default_specification=DRAFT202012)
        )

    def first_error(self, pointer: str, value: Any) -> str | None:
        import jsonschema

        validator = jsonschema.Draft202012Validator(
            {"$ref": f"urn:gonogo:openapi#{pointer}"}, registry=self._registry
        )
        try:
            error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        except (jsonschema.exceptions.SchemaError, RecursionError) as exc:
            return f"the declared schema cannot be used: {str(exc).splitlines()[0]}"
        except Exception as exc:  # an unresolvable $ref inside the document
            return f"the declared schema cannot be used: {type(exc).__name__}: {exc}"[:300]
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        return f"at {where}: {error.message[:200]}"


def _nullable_to_types(doc: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0's ``nullable: true`` as JSON Schema's ``type: [T, "null"]``."""
    converted = copy.deepcopy(doc)
    stack: list[Any] = [converted]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("nullable") is True and isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return converted


# --- the smoke ------------------------------------------------------------------------------


def smoke(name: str, setting: ServiceSetting, base_dir: Path | None = None) -> OpenApiResult:
    """Call every allowed operation of the service's document once."""
    source = setting.openapi or ""
    with client_for(setting.timeout_s) as client:
        try:
            doc, where = load_document(source, setting, base_dir, client)
            ops = operations(doc)
        except OpenApiError as exc:
            return OpenApiResult(service=name, source=source, error=str(exc))
        except RecursionError:
            return OpenApiResult(service=name, source=source, error="document nested too deeply")
        validators = _Validators(doc)
        base = _base_url(doc, setting)
        outcomes: list[OperationOutcome] = []
        not_called: list[NotCalled] = []
        for op in ops:
            if op.method not in setting.openapi_methods:
                not_called.append(NotCalled(method=op.method, path=op.path, reason="method not allowed"))
                continue
            if len(outcomes) >= setting.openapi_max_operations:
                not_called.append(NotCalled(method=op.method, path=op.path, reason="over the limit"))
                continue
            try:
                request = build_request(doc, op)
            except _CannotFill as exc:
                not_called.append(NotCalled(method=op.method, path=op.path, reason=str(exc)))
                continue
            outcomes.append(_call(client, base, doc, op, request, setting, validators))
    return OpenApiResult(
        service=name, source=redact(where), outcomes=tuple(outcomes), not_called=tuple(not_called)
    )


def _base_url(doc: dict[str, Any], setting: ServiceSetting) -> str:
    if setting.openapi_base_url:
        return setting.openapi_base_url.rstrip("/")
    servers = doc.get("servers")
    first = servers[0] if isinstance(servers, list) and servers else None
    prefix = first.get("url") if isinstance(first, dict) else None
    # A relative server URL is a path prefix on the probed host; an absolute one may name any
    # host, and only the configured service is ever called.
    if isinstance(prefix, str) and prefix.startswith("/"):
        return setting.origin + prefix.rstrip("/")
    return setting.origin


def _call(
    client: httpx.Client,
    base: str,
    doc: dict[str, Any],
    op: Operation,
    request: _Request,
    setting: ServiceSetting,
    validators: _Validators,
) -> OperationOutcome:
    url = base + request.path
    curl = curl_line(op.method, url, params=request.params or None, json_body=request.body)
    if urlsplit(url).netloc != urlsplit(setting.origin).netloc and not setting.openapi_base_url:
        return OperationOutcome(
            method=op.method, path=op.path, url=redact(url), curl=curl, status=None, elapsed_ms=None,
            problems=(Problem(kind="server_error", message="operation URL leaves the service"),),
        )
    try:
        answer = fetch(
            client, op.method, url, params=request.params or None, json_body=request.body,
            headers=request.headers or None,
        )
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        return OperationOutcome(
            method=op.method, path=op.path, url=redact(url), curl=curl, status=None, elapsed_ms=None,
            problems=(
                Problem(kind="server_error", message=f"no answer: {describe_error(exc, setting.timeout_s)}"),
            ),
        )
    problems = judge(doc, op, answer, validators)
    if setting.max_latency_ms is not None and answer.elapsed_ms > setting.max_latency_ms:
        problems.append(
            Problem(kind="slow", message=f"{answer.elapsed_ms} ms, limit {setting.max_latency_ms:g} ms")
        )
    return OperationOutcome(
        method=op.method, path=op.path, url=redact(url), curl=curl, status=answer.status,
        elapsed_ms=answer.elapsed_ms, problems=tuple(problems),
    )
