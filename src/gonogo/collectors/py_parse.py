"""Parse Python source, including the one Python 3.14 syntax projects already ship that an older
interpreter's parser rejects: an ``except`` clause naming several exceptions without parentheses
(PEP 758, ``except IndexError, KeyError:``).

gonogo runs on older Pythons than some projects it reads (home-assistant/supervisor uses that
form in 31 files), and a file that does not parse loses every fact read from its tree: a weak
hash there keeps bandit's severity whatever it is used for. The clause is rewritten in place,
each comma of its exception list becoming ``|``, so the length of every line, and the line and
column of every node, stay exactly as in the file. Only after the plain parse fails, and only
when such a clause is present; what no Python accepts still raises the original error.
"""

from __future__ import annotations

import ast
import re

EXCEPT_WITHOUT_PARENTHESES = re.compile(
    rb"(?m)^([ \t]*except\*?[ \t]+)([A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)+)(?=[ \t]*:)"
)
"""A line opening ``except A, B:`` or ``except* A, b.C:``: dotted names separated by commas, then
the colon. Each repeat starts at a required comma and names hold no comma or blank, so a line is
matched in linear time; ``except A, B as e:`` (not PEP 758's) does not match."""


def parse_module(source: bytes) -> ast.Module:
    """``ast.parse(source)``; when that fails on a PEP 758 ``except`` clause, the tree of the same
    source with the clause parenthesised in effect (``A| B``: same columns). Raises the first
    parse's error (``SyntaxError``, ``ValueError``...) when the rewrite does not help."""
    try:
        return ast.parse(source)
    except SyntaxError as first:
        rewritten = EXCEPT_WITHOUT_PARENTHESES.sub(_bars_for_commas, source)
        if rewritten == source:
            raise
        try:
            return ast.parse(rewritten)
        except SyntaxError:
            raise first from None


def _bars_for_commas(match: re.Match[bytes]) -> bytes:
    return match.group(1) + match.group(2).replace(b",", b"|")
