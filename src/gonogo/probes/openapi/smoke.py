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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from gonogo.probes.http import MAX_BODY_BYTES, Answer, client_for, curl_line, describe_error, fetch, transport_errors

if TYPE_CHECKING:
    import httpx
from gonogo.probes.openapi.document import OpenApiError, Operation, deref, escape, load_document, operations
from gonogo.probes.openapi.examples import CannotFill, Request, build_request
from gonogo.service_settings import ServiceSetting, redact


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
    entry = deref(doc, entry) or {}
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
    pointer = f"{op.pointer}/responses/{escape(key)}/content/{escape(match_type)}/schema"
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
            except CannotFill as exc:
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
    request: Request,
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
    except transport_errors(ValueError) as exc:
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
