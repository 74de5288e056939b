"""Parsing Python 3.14's ``except A, B:`` (PEP 758) on an older interpreter, positions kept."""

from __future__ import annotations

import ast
import time

import pytest

from gonogo.collectors.hash_use import HashUses
from gonogo.collectors.py_parse import parse_module

PEP_758 = b"try:\n    f()\nexcept IndexError, KeyError:\n    pass\nx = hashlib.sha1(v).hexdigest()\n"


def test_an_except_without_parentheses_parses_with_every_position_kept():
    """home-assistant/supervisor writes ``except IndexError, KeyError:`` (31 files); an older
    parser rejects the whole file, so every fact of it was lost."""
    tree = parse_module(PEP_758)
    handler = tree.body[0].handlers[0]  # type: ignore[attr-defined]
    assert isinstance(handler.type, ast.BinOp)
    call = tree.body[1].value  # type: ignore[attr-defined]
    assert (call.lineno, call.col_offset, call.end_col_offset) == (5, 4, 31)


def test_a_weak_hash_in_a_pep_758_file_is_judged_by_its_use():
    """supervisor's ``apps/options.py``: the SHA-1 its Pwned Passwords check sends was kept at
    bandit's high severity only because the file did not parse."""
    assert HashUses(PEP_758).at(5, 5) is not None


@pytest.mark.parametrize(
    "source",
    [b"", b"except", b"def f(:\n    pass\n", b"\xff\xfe\x00", b"try:\n    f()\nexcept A, B as e:\n    pass\n",
     b"x = 'except A, B:'\ndef (\n"],
)
def test_malformed_sources_still_raise_syntax_error_or_parse(source):
    """What no Python accepts still raises the parser's own error (``except A, B as e`` is not
    PEP 758's); an empty file is an empty module."""
    if source == b"":
        assert parse_module(source).body == []
        return
    with pytest.raises((SyntaxError, ValueError)):
        parse_module(source)


def test_a_valid_file_is_parsed_as_is():
    source = b"try:\n    f()\nexcept (A, B):\n    pass\ns = 'except A, B:'\n"
    assert ast.dump(parse_module(source)) == ast.dump(ast.parse(source))


def test_huge_and_hostile_inputs_stay_linear():
    """A megabyte of commas after ``except``, or a line with no colon, is read in linear time."""
    hostile = b"except " + b"A, " * 300_000 + b"\n" + b"except A" + b",A" * 300_000 + b"\n"
    start = time.perf_counter()
    with pytest.raises(SyntaxError):
        parse_module(hostile)
    assert time.perf_counter() - start < 5
