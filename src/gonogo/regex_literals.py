"""The strings a regular expression cannot match without, and which patterns of a set may match a
text, told in one pass over it.

Line and secret scans try dozens of regular expressions on every file, and most of them match in
almost no file. Each pattern's required strings (``required_literals``) rule it out cheaply: a text
that holds none of them cannot match, so the pattern is not run and the results are the same. Tested
one string at a time, that costs a pass over the text per string, about a hundred per file, most of
them in no file. ``Prefilter`` finds every required string of a whole set of patterns in one pass,
with an Aho-Corasick automaton (``ahocorasick_rs``): on site-packages, the secrets scan took a fifth
less time, and the line scans of Python files a quarter less.
"""

from __future__ import annotations

import re
import re._constants as _c  # type: ignore[import-not-found]  # typeshed describes no private re module
import re._parser as _regex_parser  # type: ignore[import-not-found]  # the regex parser, for ``required_literals``
from collections.abc import Hashable, Mapping
from typing import Any, Generic, TypeVar

from ahocorasick_rs import AhoCorasick, MatchKind

_Key = TypeVar("_Key", bound=Hashable)


_CHUNK = 1 << 16
"""Characters of a text given to the automaton at once: it lists every occurrence of every string
before it returns, and a hostile file that repeats a short one (``AC`` a million times) would
otherwise make a list of millions of matches at once."""


class Prefilter(Generic[_Key]):
    """Which of a fixed set of patterns may match a text: those whose required strings (one of
    which every match holds) are in it, and those that require none. Keys are whatever the caller
    names its patterns by; the strings are looked for all at once, in one pass over the text."""

    __slots__ = ("_always", "_automaton", "_keys_of", "_literals", "_overlap", "keys")

    def __init__(self, requirements: Mapping[_Key, frozenset[str]]) -> None:
        """``requirements``: for each key, the strings one of which every match holds; an empty
        set, or one holding ``""``, when nothing is required (the key is always a candidate)."""
        self.keys = frozenset(requirements)
        self._always = frozenset(key for key, strings in requirements.items() if not strings or "" in strings)
        required = {key: strings for key, strings in requirements.items() if key not in self._always}
        self._literals = sorted(set().union(*required.values()))
        self._keys_of = {
            literal: frozenset(key for key, strings in required.items() if literal in strings)
            for literal in self._literals
        }
        # a string that starts in one chunk may end in the next: chunks overlap by this much
        self._overlap = max(map(len, self._literals), default=1) - 1
        # overlapping matches, so a string inside another (``health`` in ``healthz``) is found too
        self._automaton = AhoCorasick(self._literals, matchkind=MatchKind.Standard) if self._literals else None

    def candidates(self, text: str) -> frozenset[_Key]:
        """The keys whose pattern may match ``text``; every other one cannot."""
        return self.holding(self.found(text))

    def holding(self, found: frozenset[str]) -> frozenset[_Key]:
        """The keys whose pattern may match a text that holds the strings ``found`` (as ``found`` gives them)."""
        return self._always.union(*(self._keys_of[literal] for literal in found)) if found else self._always

    def found(self, text: str) -> frozenset[str]:
        """The required strings ``text`` holds, found in one pass (a chunk at a time)."""
        if self._automaton is None:
            return frozenset()
        indexes: set[int] = set()
        try:
            for start in range(0, len(text), _CHUNK):
                chunk = text[start : start + _CHUNK + self._overlap]
                indexes.update(
                    index for index, _, _ in self._automaton.find_matches_as_indexes(chunk, overlapping=True)
                )
                if len(indexes) == len(self._literals):
                    break
        except UnicodeEncodeError:  # a lone surrogate: no UTF-8 for the automaton, so one string at a time
            return frozenset(literal for literal in self._literals if literal in text)
        return frozenset(self._literals[index] for index in indexes)


def required_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains, read from its syntax; ``None``
    when it cannot be told (a pattern that ignores case, one with nothing literal it must match).

    Line scans cost a regular expression per line, and an alternation that starts with ``^\\s*``
    or ``\\b`` is tried at every position: on a large tree that alone costs as much as parsing it.
    A substring search first skips the files none of the required strings is in, which is almost
    all of them; a skipped file cannot match, so the results are the same. Uses the standard
    library's own regex parser."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = _regex_parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # a private module: if its shape changes, no pre-filter, same results
        return None
    try:
        return _required(list(parsed))
    except Exception:
        return None


def _required(items: list[tuple[object, object]]) -> frozenset[str] | None:
    """For a sequence: of the literal runs and required parts, the set whose shortest string is
    longest (any one of them is required; the longest is the rarest)."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is _c.LITERAL:
            run.append(chr(arg))  # type: ignore[arg-type]
            continue
        if run:
            candidates.append(frozenset({"".join(run)}))
            run = []
        found = _required_part(op, arg)
        if found:
            candidates.append(found)
    if run:
        candidates.append(frozenset({"".join(run)}))
    return max(candidates, key=lambda c: min(map(len, c))) if candidates else None


def _required_part(op: object, arg: Any) -> frozenset[str] | None:
    if op is _c.SUBPATTERN:
        return None if arg[1] & re.IGNORECASE else _required(list(arg[-1]))
    if op is _c.BRANCH:
        branches = [_required(list(branch)) for branch in arg[1]]
        return None if any(b is None for b in branches) else frozenset().union(*branches)  # type: ignore[arg-type]
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
        return _required(list(arg[2]))
    return None  # optional, a class of characters, an anchor, a look-around: nothing required


def may_backtrack_exponentially(source: str) -> bool:
    """Whether a pattern someone else wrote repeats, without bound, a part that itself repeats or
    branches (``(a+)+``, ``(.|.)*``): the shapes whose failing match tries exponentially many
    ways. Such a pattern is not run on our text: 30 bytes of it in a scanned repository hung a
    scan. Unreadable patterns count as such; so does a parser whose shape we do not know."""
    try:
        return _nests_repeats(list(_regex_parser.parse(source)), inside_repeat=False)
    except Exception:  # a bad pattern, or a private module whose shape changed: not run
        return True


_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))


def _nests_repeats(items: list[tuple[Any, Any]], *, inside_repeat: bool) -> bool:
    for op, arg in items:
        if op in _REPEATS:
            unbounded = arg[1] > 1
            if (unbounded and inside_repeat) or _nests_repeats(list(arg[2]), inside_repeat=inside_repeat or unbounded):
                return True
        elif op is _c.BRANCH:
            if inside_repeat or any(_nests_repeats(list(b), inside_repeat=False) for b in arg[1]):
                return True
        elif op is _c.SUBPATTERN:
            if _nests_repeats(list(arg[-1]), inside_repeat=inside_repeat):
                return True
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            if _nests_repeats(list(arg[1]), inside_repeat=inside_repeat):
                return True
        elif op is getattr(_c, "ATOMIC_GROUP", None) or op is _c.GROUPREF_EXISTS:
            return True  # rare in an origin pattern: not worth telling safe from unsafe
    return False


def literals_of(pattern: re.Pattern[str]) -> frozenset[str]:
    """``required_literals``, worked out once per pattern; ``{""}`` (in every text) when unknown."""
    literals = _LITERALS.get(pattern)
    if literals is None:
        literals = _LITERALS[pattern] = _shortest(required_literals(pattern) or frozenset({""}))
    return literals


def _shortest(literals: frozenset[str]) -> frozenset[str]:
    """The literals that hold no other of them: a text or line that holds ``healthz`` holds
    ``health``, so looking for ``healthz`` too would only scan the text once more."""
    return frozenset(a for a in literals if not any(b != a and b in a for b in literals))


_LITERALS: dict[re.Pattern[str], frozenset[str]] = {}
