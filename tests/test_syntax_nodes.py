"""The one listing of a file's nodes by kind, shared by the per-file rules, gives them the nodes
``ast.walk`` gave each of them, in the same order; and the web facts worked out in the one
per-file pass are those of a separate parse."""

from __future__ import annotations

import ast

import pytest

from gonogo.collectors.dict_passwords import dict_passwords, dict_passwords_in
from gonogo.collectors.python_facts import extract
from gonogo.collectors.python_text import text_facts
from gonogo.collectors.syntax_nodes import SyntaxNodes, child_nodes, walk_list
from gonogo.collectors.web_code import web_module
from gonogo.source_lines import python_lines

TRICKY = '''
from fastapi import APIRouter, Depends
from pydantic_settings import BaseSettings
import requests

router = APIRouter()


class Outer(BaseSettings):
    api_token: str = "changeme"

    class Inner(BaseSettings):
        db_password: str = "hunter2"
        nested_field: int


def factory():
    class Local(BaseSettings):
        model_config = {"env_prefix": "APP_"}
        signing_key: str = "abc"
        required: str
    return Local


if True:
    @router.post("/items")
    async def create(item: str, user=Depends(get_current_user)):
        return requests.get(item)

    class View(Base):
        permission_classes = [IsAuthenticated]

        def get(self, request):
            if not request.user.is_authenticated:
                raise PermissionDenied
            return {"password": "s3cret-value"}
'''


@pytest.mark.parametrize(
    "kinds",
    [(ast.ClassDef,), (ast.FunctionDef, ast.AsyncFunctionDef), (ast.Call, ast.ClassDef), (ast.Dict,),
     (ast.Name, ast.Attribute, ast.Constant, ast.arg, ast.keyword, ast.alias)],
    ids=["classes, nested and in functions", "functions of both kinds", "calls and classes interleaved",
         "dict literals", "names, constants, arguments and aliases"],
)
def test_nodes_by_kind_are_those_of_ast_walk_in_its_order(kinds):
    tree = ast.parse(TRICKY)
    expected = [node for node in ast.walk(tree) if isinstance(node, kinds)]
    assert expected
    assert SyntaxNodes(tree).of(*kinds) == expected


def test_walk_list_is_ast_walk():
    tree = ast.parse(TRICKY)
    assert walk_list(tree) == list(ast.walk(tree))


def test_child_nodes_are_ast_iter_child_nodes_less_contexts_and_operators():
    tree = ast.parse(TRICKY + "x = a < b + (not c)\ny += -z\n")
    leaves = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
    for node in ast.walk(tree):
        assert child_nodes(node) == [c for c in ast.iter_child_nodes(node) if not isinstance(c, leaves)]


def test_the_listing_leaves_out_only_contexts_and_operators():
    tree = ast.parse(TRICKY)
    leaves = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
    nodes = SyntaxNodes(tree)
    assert nodes.all == [node for node in ast.walk(tree) if not isinstance(node, leaves)]
    assert nodes.of(ast.Load) == []


def test_settings_classes_nested_and_in_functions_are_read_through_the_shared_nodes():
    facts = text_facts(TRICKY.encode(), ast.parse(TRICKY))
    assert facts is not None
    assert {"API_TOKEN", "DB_PASSWORD", "NESTED_FIELD", "SIGNING_KEY", "REQUIRED"} <= facts.env_names
    assert {d.name for d in facts.secret_defaults} == {"API_TOKEN", "DB_PASSWORD", "SIGNING_KEY"}


def test_the_line_scans_take_the_pass_lines_only_for_the_text_they_decode_themselves():
    """The per-file pass hands its own decoding and split to the line scans, which use them only
    for the same text: a byte-order mark the pass keeps (``errors="replace"``) and the scans drop
    (``utf-8-sig``) makes two texts, and the scans split their own."""
    source = ("\ufeff" + TRICKY + "\nimport prometheus_client\nHITS = Counter('hits_total', 'Hits')\n").encode()
    tree = ast.parse(source)
    own = text_facts(source, tree)
    assert own is not None and own.signals
    kept = source.decode("utf-8", errors="replace")
    assert text_facts(source, tree, read=(kept, ["# not this file's lines"])) == own
    same = kept.removeprefix("\ufeff")
    assert text_facts(source, tree, read=(same, python_lines(same))) == own
    assert text_facts(source, tree, read=(same, ["# not this file's lines"])) != own  # taken, when the same


def test_the_per_file_pass_gives_the_web_facts_of_a_separate_parse():
    facts = extract(TRICKY.encode()).web
    assert facts == web_module(TRICKY.encode())
    assert facts.routes == ()  # routes are read from the module's top level: this one is under ``if``
    assert [c.name for c in facts.classes] == ["Outer", "Inner", "Local", "View"]  # ast.walk's order
    assert [(f.function, f.sink, f.line) for f in facts.flows] == [("create", "requests.get", 28)]


def test_a_file_that_does_not_parse_is_marked_unread_for_the_web_collector():
    assert extract(b"from flask import request\ndef broken(:\n").web.parse_error is True
    assert extract(b"def broken(:\n").web.parse_error is False


@pytest.mark.parametrize(
    "source",
    [TRICKY, 'CONF = {"db_password": "hunter2-value"}\n', 'CONF = {"db_pass" "word": "hunter2-value"}\n',
     'CONF = {"name": "value"}\n', "x = 1\n"],
    ids=["web module", "plain key", "key in two literals", "no password key", "no dict"],
)
def test_dict_passwords_are_the_same_whether_or_not_another_rule_listed_the_nodes(source):
    """The test on the text only spares the listing: once the nodes are listed it is skipped, and
    the dicts read give what the standalone rule finds."""
    expected = dict_passwords(source.encode())
    fresh = SyntaxNodes(ast.parse(source))
    assert not fresh.listed
    assert dict_passwords_in(source, fresh) == expected
    listed = SyntaxNodes(ast.parse(source))
    listed.of(ast.Call)
    assert listed.listed
    assert dict_passwords_in(source, listed) == expected
    assert list(extract(source.encode()).dict_passwords) == expected


def test_the_per_file_pass_finds_a_dict_password_in_a_module_with_web_facts():
    assert [d.key for d in extract(TRICKY.encode()).dict_passwords] == ["password"]
