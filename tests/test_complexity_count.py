"""``python_facts.complexity`` gives mccabe's own numbers (flake8's C901) without its graph
objects: each case is counted by both, on the same tree, and must agree graph for graph."""

from __future__ import annotations

import ast
import textwrap

import mccabe
import pytest

from gonogo.collectors.python_facts.complexity import complexities

CASES = {
    "straight code": """
        def f(x):
            y = x + 1
            return y
    """,
    "if elif else and loops with else": """
        def f(x):
            if x:
                return 1
            elif x > 2:
                for i in x:
                    if i:
                        break
                else:
                    pass
            else:
                while x:
                    x -= 1
                else:
                    x = 0
            return x
    """,
    "try with handlers, else and finally": """
        def f():
            try:
                a()
            except ValueError:
                b()
            except (KeyError, TypeError):
                if c():
                    d()
            else:
                e()
            finally:
                g()
    """,
    "closures and a class inside a function count in the function": """
        def outer(x):
            def inner(y):
                if y:
                    return 1
                return 2
            class Local:
                def method(self):
                    for _ in range(3):
                        pass
            return inner(x) if x else None
    """,
    "methods, nested classes and a name defined twice": """
        class A:
            def m(self, x):
                if x:
                    return x
            class B:
                def m(self):
                    with open("f") as fh:
                        if fh:
                            pass
            def m(self):
                return 0
    """,
    "statements outside functions get graphs of their own": """
        import sys
        if sys.version_info > (3,):
            def compat(x):
                if x:
                    return x
        for name in ("a", "b"):
            pass
        try:
            import json
        except ImportError:
            json = None
        with open("x") as handle:
            def read():
                while True:
                    break
        class C:
            if True:
                def f(self):
                    pass
    """,
    "async functions, async for and async with": """
        async def f(xs):
            async with lock:
                async for x in xs:
                    if x:
                        await g(x)
    """,
    "match and try star are plain statements to mccabe": """
        def f(x):
            match x:
                case 1:
                    if x:
                        pass
                case _:
                    pass
            try:
                pass
            except* ValueError:
                pass
    """,
    "an empty module": "",
}


def _mccabe(tree: ast.Module) -> dict[int, int]:
    visitor = mccabe.PathGraphingAstVisitor()
    visitor.preorder(tree, visitor)
    return {graph.lineno: graph.complexity() for graph in visitor.graphs.values()}


@pytest.mark.parametrize("source", list(CASES.values()), ids=list(CASES))
def test_the_count_is_mccabes(source: str) -> None:
    tree = ast.parse(textwrap.dedent(source))
    expected = _mccabe(tree)
    assert complexities(tree) == expected
    assert expected or not source  # each case (but the empty module) has something to count
