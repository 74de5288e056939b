"""The per-file extractor: skips, assertions, stubs and imports, and hostile inputs."""

from __future__ import annotations

import ast
import textwrap

import mccabe
import pytest

from gonogo.collectors.python_facts import _complexities, extract


def facts(source: str):
    return extract(textwrap.dedent(source).encode())


@pytest.mark.parametrize(
    ("source", "kind", "form", "reason"),
    [
        ("import pytest\n@pytest.mark.skip(reason='later')\ndef test_a(): pass\n", "skip", "@pytest.mark.skip", "later"),
        ("import pytest\n@pytest.mark.skip\ndef test_a(): pass\n", "skip", "@pytest.mark.skip", None),
        ("import pytest, sys\n@pytest.mark.skipif(sys.platform == 'win32', reason='posix')\ndef test_a(): pass\n",
         "skipif", "@pytest.mark.skipif", "posix"),
        ("import pytest\n@pytest.mark.xfail(reason='bug 12')\ndef test_a(): assert 0\n", "xfail", "@pytest.mark.xfail", "bug 12"),
        ("import pytest\ndef test_a():\n    pytest.skip('not ready')\n", "skip", "pytest.skip()", "not ready"),
        ("import pytest\ndef test_a():\n    pytest.xfail('flaky')\n", "xfail", "pytest.xfail()", "flaky"),
        ("import pytest\nnp = pytest.importorskip('numpy')\n", "importorskip", "pytest.importorskip()", "needs module numpy"),
        ("import pytest\npytestmark = pytest.mark.skip(reason='whole module')\n", "skip", "pytestmark", "whole module"),
        ("import pytest\npytestmark = [pytest.mark.slow, pytest.mark.skipif(True, reason='ci')]\n", "skipif", "pytestmark", "ci"),
        ("import unittest\nclass T(unittest.TestCase):\n    @unittest.skip('old')\n    def test_a(self): pass\n",
         "skip", "@unittest.skip", "old"),
        ("import unittest\nclass T(unittest.TestCase):\n    @unittest.skipIf(True, 'win only')\n    def test_a(self): pass\n",
         "skipif", "@unittest.skipIf", "win only"),
        ("import unittest\nclass T(unittest.TestCase):\n    def test_a(self):\n        self.skipTest('no db')\n",
         "skip", "self.skipTest()", "no db"),
        ("import unittest\ndef test_a():\n    raise unittest.SkipTest('gone')\n", "skip", "raise SkipTest", "gone"),
        ("from pytest import mark\n@mark.skip(reason='alias')\ndef test_a(): pass\n", "skip", "@pytest.mark.skip", "alias"),
        ("import pytest as pt\ndef test_a():\n    pt.skip(reason='renamed')\n", "skip", "pytest.skip()", "renamed"),
        ("from unittest import skip\n@skip('imported name')\ndef test_a(): pass\n", "skip", "@unittest.skip", "imported name"),
    ],
    ids=[
        "mark.skip with reason", "bare mark.skip", "skipif", "xfail marker", "skip call", "xfail call",
        "importorskip", "module pytestmark", "pytestmark list", "unittest.skip", "unittest.skipIf",
        "self.skipTest", "raise SkipTest", "from pytest import mark", "import pytest as pt",
        "from unittest import skip",
    ],
)
def test_skip_forms_are_recorded(source, kind, form, reason):
    skips = facts(source).skips
    assert [(s.kind, s.form, s.reason) for s in skips] == [(kind, form, reason)]


def test_skip_inside_not_implemented_handler_is_marked():
    found = facts(
        """
        import pytest
        def test_ws(client):
            try:
                client.connect()
            except NotImplementedError:
                pytest.skip("WebSocket not implemented")
        """
    ).skips
    assert len(found) == 1
    assert found[0].in_not_implemented_handler
    assert found[0].scope == "test_ws"
    assert found[0].line == 7


def test_unrelated_skip_function_is_not_a_test_skip():
    assert facts("def skip(x): pass\ndef test_a():\n    skip(1)\n    assert True\n").skips == ()


def test_skip_in_conftest_fixture_is_recorded():
    found = facts(
        """
        import pytest
        @pytest.fixture
        def app():
            pytest.skip("app not importable")
        """
    ).skips
    assert [(s.scope, s.reason) for s in found] == [("app", "app not importable")]


def _test(source: str):
    return next(f for f in facts(source).functions if f.name.startswith("test"))


@pytest.mark.parametrize(
    ("body", "assertions", "constant", "swallowed"),
    [
        ("x = 1", 0, 0, 0),
        ("assert compute() == 2", 1, 0, 0),
        ("assert True", 1, 1, 0),
        ("assert (compute(), 'message')", 1, 1, 0),
        ("with pytest.raises(ValueError):\n        compute()", 1, 0, 0),
        ("self.assertEqual(compute(), 2)", 1, 0, 0),
        ("mocked.assert_called_once_with(2)", 1, 0, 0),
        ("check_response(compute())", 1, 0, 0),
        ("try:\n        assert compute()\n    except Exception:\n        pass", 1, 0, 1),
        ("try:\n        assert compute()\n    except Exception:\n        raise", 1, 0, 0),
        ("if compute() != 2:\n        raise AssertionError('bad')", 1, 0, 0),
    ],
    ids=[
        "no assertion", "real assert", "assert True", "assert tuple", "pytest.raises", "self.assertEqual",
        "mock assert_called", "check helper", "swallowed by except Exception", "re-raised", "explicit raise",
    ],
)
def test_assertions_are_counted(body, assertions, constant, swallowed):
    function = _test(f"import pytest\ndef test_x(self=None, mocked=None):\n    {body}\n")
    assert (function.assertions, function.constant_assertions, function.swallowed_assertions) == (
        assertions,
        constant,
        swallowed,
    )


@pytest.mark.parametrize(
    ("source", "stub", "exempt"),
    [
        ("def f():\n    pass\n", "pass", False),
        ("def f():\n    ...\n", "...", False),
        ("def f():\n    '''Doc.'''\n", "docstring only", False),
        ("def f():\n    raise NotImplementedError\n", "raise NotImplementedError", False),
        ("def f():\n    raise NotImplementedError('later')\n", "raise NotImplementedError", False),
        ("def f():\n    return 1\n", None, False),
        ("import abc\nclass A(abc.ABC):\n    @abc.abstractmethod\n    def f(self):\n        pass\n", "pass", True),
        ("from typing import Protocol\nclass P(Protocol):\n    def f(self) -> int: ...\n", "...", True),
        ("from typing import overload\n@overload\ndef f(x: int) -> int: ...\n", "...", True),
        ("class A:\n    def __init__(self):\n        pass\n", "pass", True),
    ],
    ids=[
        "pass", "ellipsis", "docstring only", "raise NotImplementedError", "raise NotImplementedError()",
        "real code", "abstractmethod", "Protocol member", "overload", "dunder no-op",
    ],
)
def test_stub_bodies(source, stub, exempt):
    function = next(f for f in facts(source).functions if f.name in ("f", "__init__"))
    assert (function.stub, function.stub_exempt) == (stub, exempt)


def test_function_length_spans_def_to_last_line():
    function = facts("def f():\n" + "    x = 1\n" * 70 + "    return x\n").functions[0]
    assert (function.line, function.end_line, function.lines) == (1, 72, 72)


def test_imports_record_optional_type_checking_and_relative():
    found = facts(
        """
        import os.path
        from typing import TYPE_CHECKING
        try:
            import ujson as json
        except ImportError:
            import json
        if TYPE_CHECKING:
            from boto3 import Session
        from . import sibling
        from ..pkg import thing
        """
    ).imports
    summary = [(i.module, i.level, i.optional, i.type_checking) for i in found]
    assert ("os.path", 0, False, False) in summary
    assert ("ujson", 0, True, False) in summary
    assert ("boto3", 0, False, True) in summary
    assert ("", 1, False, False) in summary
    assert ("pkg", 2, False, False) in summary


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"def broken(:\n    pass\n", "invalid syntax"),
        (b"x = 1\0\n", "source code string cannot contain null bytes"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "null bytes"),
        (("x = " + "(" * 300 + ")" * 300 + "\n").encode(), "nested"),
    ],
    ids=["syntax error", "NUL byte", "binary file", "hostile nesting"],
)
def test_unparsable_input_is_a_fact_not_a_crash(data, expected):
    result = extract(data)
    assert result.parse_error is not None
    assert expected in result.parse_error.lower() or expected in result.parse_error


def test_deep_expression_chain_does_not_crash():
    result = extract(("x = " + " + ".join(["1"] * 50_000) + "\n").encode())
    assert result.lines == 1
    assert result.functions == ()


def test_empty_and_non_utf8_files():
    assert extract(b"").lines == 0
    latin = extract("# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1"))
    assert latin.parse_error is None


@pytest.mark.parametrize(
    ("source", "condition", "subject"),
    [
        ("import pytest\n@pytest.mark.skip(reason='later')\ndef test_a(): pass\n", None, None),
        ("import pytest\ndef test_a():\n    pytest.skip('not ready')\n", None, None),
        ("import pytest\ndef test_a():\n    try:\n        run()\n    except NotImplementedError:\n"
         "        pytest.skip('missing')\n", None, None),
        ("import pytest\n@pytest.mark.skipif(True, reason='off')\ndef test_a(): pass\n", None, None),
        ("import pytest, sys\n@pytest.mark.skipif(sys.platform == 'win32', reason='posix')\ndef test_a(): pass\n",
         "platform", "windows"),
        ("import pytest, sys\n@pytest.mark.skipif(sys.platform != 'darwin', reason='mac')\ndef test_a(): pass\n",
         "platform", "macos"),
        ("import pytest, sys\n@pytest.mark.skipif(sys.version_info < (3, 11), reason='new')\ndef test_a(): pass\n",
         "Python version", None),
        ("import pytest\nnp = pytest.importorskip('numpy')\n", "optional dependency", "numpy"),
        ("import pytest\ntry:\n    import greenlet\nexcept ImportError:\n    greenlet = None\n"
         "@pytest.mark.skipif(greenlet is None, reason='no greenlet')\ndef test_a(): pass\n",
         "optional dependency", "greenlet"),
        ("import pytest\nneed = pytest.mark.skipif(not HAS_DOTENV, reason='dotenv')\n@need\ndef test_a(): pass\n",
         "optional dependency", "dotenv"),
        ("import pytest\ndef test_a():\n    try:\n        import redis\n    except ImportError:\n"
         "        pytest.skip('no redis')\n", "optional dependency", "redis"),
        ("import os, pytest\ndef test_a():\n    if not os.environ.get('DB_URL'):\n        pytest.skip('no db')\n",
         "environment", None),
        ("import pytest\ndef test_a(slow):\n    if slow:\n        pytest.skip('slow')\n", "runtime check", None),
        ("import os, sys, pytest\nif sys.platform == 'darwin' and os.getenv('CI'):\n"
         "    pytest.skip('slow on CI', allow_module_level=True)\n", "environment", None),
        ("import pytest\n@pytest.mark.skipif(not crf_exists(), reason='CRF++')\ndef test_a(): pass\n",
         "optional dependency", "crf"),
        # wagtail's TestServeWithUnicodeFilename: skipped only where the file system refuses the name
        ("import unittest\nclass T(unittest.TestCase):\n    def setUp(self):\n        try:\n            save()\n"
         "        except UnicodeEncodeError as e:\n            raise unittest.SkipTest('no unicode names') from e\n",
         "runtime check", None),
        ("import pytest\ndef test_a():\n    try:\n        connect()\n    except (OSError, NotImplementedError):\n"
         "        pytest.skip('missing')\n", None, None),
        ("import pytest\ndef test_a():\n    try:\n        connect()\n    except OSError:\n        def later():\n"
         "            pytest.skip('in a function the handler defines')\n", None, None),
    ],
    ids=[
        "skip marker", "bare skip call", "skip in except NotImplementedError", "skipif on a constant",
        "platform", "darwin is not windows", "Python version", "importorskip", "optionally imported name",
        "HAS_ flag in a marker variable", "skip in except ImportError", "environment variable",
        "any other condition", "platform and CI together are an environment question", "an *_exists() probe",
        "skip in except UnicodeEncodeError", "a handler that also catches NotImplementedError",
        "a function defined in a handler",
    ],
)
def test_a_skip_says_what_it_depends_on(source, condition, subject):
    [skip] = facts(source).skips
    assert (skip.condition, skip.subject) == (condition, subject)


_COMPLEX = """\
import os
if os.name == "nt":
    def windows(): pass
class Shape:
    @property
    def area(self):
        return 1
    @area.setter
    def area(self, value):
        for side in value:
            if side:
                continue
    def draw(self):
        try:
            x = 1
        except ValueError:
            x = 2
        else:
            x = 3
        with open("f") as f:
            while x:
                x -= 1
        def inner():
            return [y for y in range(3) if y]
        return inner
async def fetch(urls):
    async for url in urls:
        if url and not url.startswith("#"):
            yield url
        elif url:
            pass
        else:
            break
"""


@pytest.mark.parametrize(
    "source",
    [_COMPLEX, "x = 1\n", "def f(): return 1\n", "for i in range(3):\n    def g(): pass\n"],
    ids=["branches, closures, a property pair and a module-level if", "no function", "one line", "a def in a loop"],
)
def test_complexities_are_mccabes_own(source):
    """The per-file pass drives mccabe's visitor without its statement labels: every
    complexity (and every function mccabe gives none) is what mccabe's unchanged visitor gives."""
    tree = ast.parse(source)
    plain = mccabe.PathGraphingAstVisitor()
    plain.preorder(tree, plain)
    assert _complexities(tree) == {graph.lineno: graph.complexity() for graph in plain.graphs.values()}


def test_complexities_count_branches():
    """Branches count, and the getter a setter of the same name replaces in mccabe's table has none."""
    assert _complexities(ast.parse(_COMPLEX)) == {2: 3, 9: 3, 13: 5, 26: 4}


@pytest.mark.parametrize(
    ("body", "tried"),
    [
        ("manager.app.backend.ensure_chords_allowed()", ("ensure_chords_allowed",)),
        ("os.symlink(a, b)", ("os.symlink",)),
        ("link(a, b)", ("os.symlink",)),
        ("to_pdf(document)", ("app.export.to_pdf",)),
        ("run(os.path.join(a, b))", ("run", "os.path.join")),
        ("x = 1", ()),
        ("factory()()\n        items[0]()", ("factory",)),
    ],
)
def test_a_skip_in_a_not_implemented_handler_knows_what_the_try_called(body, tried):
    """``Skip.tried``: an imported name in full, any other by its last part."""
    source = (
        "import os\nimport pytest\nfrom os import symlink as link\nfrom app.export import to_pdf\n"
        f"def test_a():\n    try:\n        {body}\n    except NotImplementedError:\n        pytest.skip('no')\n"
    )
    (skip,) = facts(source).skips
    assert skip.in_not_implemented_handler and skip.tried == tried


def test_what_a_try_called_is_not_read_for_other_handlers_or_other_skips():
    source = (
        "import pytest\ndef test_a():\n    try:\n        run()\n    except OSError:\n        pytest.skip('no')\n"
        "@pytest.mark.skip(reason='later')\ndef test_b(): pass\n"
    )
    assert [skip.tried for skip in facts(source).skips] == [(), ()]


def test_what_a_try_called_is_read_within_a_bound_however_deep_the_tries_nest():
    """Hostile: 90 ``try`` blocks nested in one another around 50,000 calls, each with an
    ``except NotImplementedError``. Each level reads at most ``TRIED_NODES`` nodes of its body,
    not the whole body again."""
    depth = 90
    lines = ["import pytest", "def test_a():"]
    lines += [f"{' ' * (4 + 4 * level)}try:" for level in range(depth)]
    inner = " " * (4 + 4 * depth)
    lines += [f"{inner}f{i % 7}()" for i in range(50_000)]
    for level in reversed(range(depth)):
        pad = " " * (4 + 4 * level)
        lines += [f"{pad}except NotImplementedError:", f"{pad}    pytest.skip('no')"]
    found = extract("\n".join(lines).encode())
    assert found.parse_error is None
    assert len(found.skips) == depth
    calls = {f"f{i}" for i in range(7)}
    # the innermost skip's try holds the calls; each outer one holds the inner handlers' skips too
    assert found.skips[0].tried == tuple(sorted(calls))
    assert all(set(skip.tried) <= calls | {"pytest.skip"} for skip in found.skips)
