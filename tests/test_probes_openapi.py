"""OpenAPI smoke against a real local server: 500s, schema and content-type breaks, bad documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gonogo.probes.openapi import OpenApiError, example_value, parse_document, smoke
from gonogo.service_settings import ServiceSetting
from tests.probe_server import answer, garbage, huge, serve

ITEM = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                   "note": {"type": "string", "nullable": True}},
}


def document(**extra_paths: Any) -> dict[str, Any]:
    json_of = lambda schema: {"content": {"application/json": {"schema": schema}}}  # noqa: E731
    paths = {
        "/items": {
            "get": {"responses": {"200": {"description": "", **json_of({"type": "array", "items": {"$ref": "#/components/schemas/Item"}})}}},
            "post": {
                "requestBody": {"required": True, **json_of({"$ref": "#/components/schemas/Item"})},
                "responses": {"201": {"description": ""}},
            },
        },
        "/items/{item_id}": {
            "parameters": [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer", "example": 7}}],
            "get": {"responses": {"200": {"description": "", **json_of({"$ref": "#/components/schemas/Item"})}}},
        },
        "/stats": {"get": {"responses": {"200": {"description": "", **json_of({"type": "object"})}}}},
        "/page": {"get": {"responses": {"200": {"description": "", **json_of({"type": "object"})}}}},
        "/search": {
            "get": {
                "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string", "enum": ["jobs"]}}],
                "responses": {"200": {"description": "", **json_of({"type": "array"})}},
            }
        },
        **extra_paths,
    }
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths,
            "components": {"schemas": {"Item": ITEM}}}


def routes(doc: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "/openapi.json": answer(200, doc),
        "GET /items": answer(200, [{"id": 1, "name": "a", "note": None}]),
        "POST /items": answer(201, {"id": 2, "name": "b"}),
        "/items/7": answer(200, {"id": "seven", "name": "a"}),
        "/stats": answer(500, "Traceback: AttributeError: 'Cursor' object has no attribute 'exec'", "text/plain"),
        "/page": answer(200, "<html></html>", "text/html"),
        "/search": answer(200, []),
        **more,
    }


def run(base: str, **settings: Any):
    return smoke("api", ServiceSetting(url=f"{base}/health", openapi="/openapi.json", **settings))


def test_smoke_finds_500_schema_break_and_wrong_content_type():
    with serve(routes(document())) as (base, seen):
        result = run(base)
    assert result.error is None
    called = {(o.method, o.path): o for o in result.outcomes}
    assert set(called) == {("GET", "/items"), ("GET", "/items/{item_id}"), ("GET", "/stats"),
                           ("GET", "/page"), ("GET", "/search")}
    [(boom, problem)] = result.server_errors
    assert boom.path == "/stats" and boom.status == 500
    assert "AttributeError" in problem.message
    assert boom.curl == f"curl -sS -i {base}/stats"
    kinds = {(o.path, p.kind) for o, p in result.violations}
    assert kinds == {("/items/{item_id}", "schema"), ("/page", "content_type")}
    schema_problem = next(p for o, p in result.violations if p.kind == "schema")
    assert "at id" in schema_problem.message and "'seven'" in schema_problem.message
    assert ("GET", "/search?q=jobs", b"") in seen, "required query parameter filled from its enum"
    assert not any(method == "POST" for method, _, _ in seen), "POST is never called by default"
    assert [(n.method, n.reason) for n in result.not_called] == [("POST", "method not allowed")]


def test_post_called_when_allowed_with_a_body_from_the_schema():
    with serve(routes(document())) as (base, seen):
        result = run(base, openapi_methods=["GET", "POST"])
    posted = [(path, body) for method, path, body in seen if method == "POST"]
    assert posted == [("/items", b'{"id":1,"name":"example"}')]
    post = next(o for o in result.outcomes if o.method == "POST")
    assert post.status == 201 and not post.problems
    assert "-X POST" in post.curl and "--data" in post.curl


def test_slow_operations_are_flagged():
    from tests.probe_server import slow

    with serve(routes(document(), **{"GET /items": slow(0.3)})) as (base, _):
        result = run(base, max_latency_ms=100)
    assert [o.path for o, _ in result.slow] == ["/items"]


def test_hostile_operation_answers_are_evidence():
    with serve(routes(document(), **{"GET /items": huge(6), "/search": garbage,
                                     "/items/7": answer(200, b"{not json")})) as (base, _):
        result = run(base)
    problems = {o.path: [p.message for p in o.problems] for o in result.outcomes}
    assert any("not validated" in m for m in problems["/items"])
    assert any("no answer" in m for m in problems["/search"])
    assert any("not valid JSON" in m for m in problems["/items/{item_id}"])


def test_relative_server_url_is_a_prefix_and_absolute_ones_are_ignored():
    doc = {**document(), "servers": [{"url": "/v1"}]}
    with serve({"/openapi.json": answer(200, doc), "/v1/search": answer(200, [])}) as (base, seen):
        run(base)
    assert any(path.startswith("/v1/search") for _, path, _ in seen)
    doc = {**document(), "servers": [{"url": "http://203.0.113.9"}]}
    with serve(routes(doc)) as (base, seen):
        result = run(base)
    assert all(o.url.startswith(base) for o in result.outcomes)


def test_ref_loops_and_dangling_refs_are_not_called_with_the_reason():
    loop = {"get": {"parameters": [{"name": "x", "in": "query", "required": True,
                                    "schema": {"$ref": "#/components/schemas/Loop"}}],
                    "responses": {"200": {"description": ""}}}}
    dangling = {"get": {"parameters": [{"name": "y", "in": "path", "required": True,
                                        "schema": {"$ref": "#/components/schemas/Nope"}}],
                        "responses": {"200": {"description": ""}}}}
    doc = document(**{"/loop": loop, "/dangling/{y}": dangling})
    doc["components"]["schemas"]["Loop"] = {"$ref": "#/components/schemas/Loop"}
    with serve(routes(doc)) as (base, seen):
        result = run(base)
    reasons = {n.path: n.reason for n in result.not_called}
    assert "$ref" in reasons["/loop"] and "$ref" in reasons["/dangling/{y}"]
    assert not any(p.startswith(("/loop", "/dangling")) for _, p, _ in seen)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "not an OpenAPI document"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
        (b"[1, 2]", "top level is list"),
        (b'{"swagger": "2.0", "paths": {}}', "only OpenAPI 3.x"),
        (b'{"openapi": "3.0.0"}', "'paths' is missing"),
        (b'{"openapi": "3.0.0", "paths": []}', "'paths' is missing"),
        (b"openapi: [unclosed", "neither JSON nor YAML"),
        (b"[" * 100_000, "nested too deeply"),
    ],
    ids=["empty", "binary", "a list", "swagger 2", "no paths", "paths a list", "broken yaml", "deep nesting"],
)
def test_malformed_documents_are_errors_not_crashes(body, expected):
    with pytest.raises(OpenApiError, match=expected):
        parse_document(body, "doc")


def test_document_errors_from_the_server_are_evidence():
    with serve({"/openapi.json": answer(404, {"detail": "nope"})}) as (base, _):
        assert "-> 404, expected 200" in (run(base).error or "")
    with serve({"/openapi.json": huge(7)}) as (base, _):
        assert "over 5,242,880 bytes" in (run(base).error or "")
    with serve({"/openapi.json": garbage}) as (base, _):
        assert run(base).error


def test_document_from_a_file_relative_to_the_config(tmp_path: Path):
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /search:\n    get:\n"
        "      responses: {'200': {description: ok}}\n", encoding="utf-8")
    with serve({"/search": answer(200, [])}) as (base, _seen):
        result = smoke("api", ServiceSetting(url=f"{base}/", openapi="api.yaml"), tmp_path)
    assert result.error is None and [o.status for o in result.outcomes] == [200]
    missing = smoke("api", ServiceSetting(url="http://127.0.0.1:1/", openapi="nope.json"), tmp_path)
    assert "cannot read" in (missing.error or "")


def test_weird_entries_inside_a_valid_document_are_ignored():
    doc = document(**{"/odd": "not a mapping", "/odd2": {"get": ["not", "a", "mapping"]},
                      "/odd3": {"get": {"parameters": "nope", "responses": "nope"}}})
    with serve(routes(doc, **{"/odd3": answer(200, "x", "text/plain")})) as (base, _):
        result = run(base)
    assert ("GET", "/odd3") in {(o.method, o.path) for o in result.outcomes}
    assert "/odd" not in {o.path for o in result.outcomes}


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "integer", "minimum": 5}, 5),
        ({"type": "string", "format": "uuid"}, "00000000-0000-4000-8000-000000000001"),
        ({"type": "string", "minLength": 10}, "examplexxx"),
        ({"anyOf": [{"type": "null"}, {"type": "boolean"}]}, True),
        ({"type": ["null", "number"]}, 1.0),
        ({"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"default": 3}}}]}, {"a": 3}),
        ({"type": "array", "items": {"enum": ["x"]}}, ["x"]),
    ],
    ids=["minimum", "uuid", "minLength", "anyOf with null", "type list", "allOf", "array of enum"],
)
def test_values_come_from_the_schema(schema, value):
    assert example_value({}, schema) == value


def test_document_of_the_right_size_is_read_as_json():
    doc = document()
    assert parse_document(json.dumps(doc).encode(), "doc")["paths"].keys() == doc["paths"].keys()
