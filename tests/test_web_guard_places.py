"""``web_code`` tells a function's authentication evidence from the module's evidence by line
instead of walking the function: it must find exactly what the walk finds, wherever the evidence
sits (inside, on the first decorator's line, on the last line, in a nested function, in none)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from gonogo.collectors.syntax_nodes import SyntaxNodes
from gonogo.collectors.web_code import _body_guards, _Module

VIEWS = '''
from django.core.exceptions import PermissionDenied
from django.contrib.auth.decorators import permission_required
from flask import abort, request


def inside(request):
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return render(user)


@permission_required("app.change")
def on_the_decorator_line(request):
    return render(request)


def on_the_last_line(request):
    data = request.POST
    raise PermissionDenied


def one_line(request): return abort(403)


def with_a_nested_helper(request):
    def helper():
        token = request.headers.get("Authorization")
        return token
    return helper()


def nothing(request):
    return render(request, "page.html")


class View:
    def get(self, request):
        if not request.user.has_perm("x"):
            return HttpResponseForbidden()
        return ok()

    def post(self, request): check_permission(request.user); return ok()
'''

NONE_IN_MODULE = '''
def plain(request):
    return render(request)


def other(x):
    return x + 1
'''


@pytest.mark.parametrize("source", [VIEWS, NONE_IN_MODULE], ids=["evidence in many places", "no evidence at all"])
def test_by_line_is_what_the_walk_finds(source: str) -> None:
    tree = ast.parse(textwrap.dedent(source))
    module = _Module(tree, source.splitlines(), SyntaxNodes(tree))
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    found = {f.name: module._body_guards(f) for f in functions}
    assert found == {f.name: _body_guards(f) for f in functions}
    if source is VIEWS:  # the cases hold what they are named for
        assert found["inside"] == ("PermissionDenied", "is_authenticated")
        assert found["on_the_decorator_line"] == ('permission_required()',)
        assert found["on_the_last_line"] == ("PermissionDenied",)
        assert found["one_line"] == ("abort(403)",)
        assert found["with_a_nested_helper"] == found["helper"] == ("Authorization header",)
        assert found["nothing"] == ()
    else:
        assert set(found.values()) == {()}
