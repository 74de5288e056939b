"""Phrases that name a metric gonogo measures. A count next to one of them is a claim about that
metric ("71 pytest.skip() violations" -> ``tests.skip_sites``).

The table is data, not code, so a team can teach it its own words: a TOML file passed with
``gonogo verify --vocabulary FILE`` holding ``[claims.vocabulary]``, each key a regular expression
(case-insensitive) and each value a metric name, adds to (or, for the same key, replaces) these.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT: dict[str, str] = {
    # the call form counts calls only; the general words count every kind of skip
    r"pytest\.skip\(\)(?:\s+(?:violations?|calls?|skips?))?": "tests.skip_calls",
    r"skipped\s+tests?|test\s+skips?|skips?\b": "tests.skip_sites",
    r"tests?\s+without\s+assert(?:ion)?s?": "tests.without_assertions",
    r"test\s+files?": "tests.files",
    r"(?:docker\s+)?images?\s+(?:using|with|on)\s+:?(?:latest|main)(?:\s+or\s+:?main)?(?:\s+tags?)?":
    "images.latest_or_main",
    r"unpinned\s+(?:docker\s+)?images?(?:\s+found)?|floating\s+(?:docker\s+)?images?": "images.floating",
    r"(?:test\s+)?coverage": "coverage.percent",
    r"critical\s+vulnerabilit(?:y|ies)": "vulns.critical",
    r"(?:total\s+)?vulnerabilit(?:y|ies)": "vulns.total",
    r"functions?\s+(?:over|longer\s+than|above|exceeding|>)\s*\d+\s*(?:lines|LOC)": "code.long_functions",
    r"stubs?\b": "code.stubs",
}
# a percentage is only a claim about these metrics; a count only about the others
PERCENT_METRICS = frozenset({"coverage.percent"})


class VocabularyError(Exception):
    """The vocabulary file cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    entries: tuple[tuple[re.Pattern[str], str], ...]

    def metric_at_start(self, text: str) -> tuple[str, int] | None:
        """The metric whose phrase opens ``text``, and the phrase's length."""
        for pattern, metric in self.entries:
            match = pattern.match(text)
            if match:
                return metric, match.end()
        return None

    def metric_at_end(self, text: str) -> str | None:
        """The metric whose phrase closes ``text`` ("Unpinned Images Found" before ": 12")."""
        for pattern, metric in self.entries:
            if re.search(rf"(?:{pattern.pattern})\s*$", text, re.IGNORECASE):
                return metric
        return None

    def any_in(self, text: str) -> bool:
        """Whether any phrase occurs in ``text``: one search, so lines without one cost nothing more."""
        return any(pattern.search(text) for pattern, _ in self.entries)

    def metric_in(self, text: str) -> str | None:
        for pattern, metric in self.entries:
            if pattern.search(text):
                return metric
        return None


def build(extra: Mapping[str, str] | None = None) -> Vocabulary:
    table = {**DEFAULT, **(extra or {})}
    return Vocabulary(tuple((re.compile(phrase, re.IGNORECASE), metric) for phrase, metric in table.items()))


def load(path: Path | None) -> Vocabulary:
    """The default vocabulary plus the ``[claims.vocabulary]`` table of ``path``."""
    if path is None:
        return build()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise VocabularyError(f"{path}: cannot read the vocabulary ({exc})") from exc
    table = data.get("claims", {}).get("vocabulary", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise VocabularyError(f"{path}: [claims.vocabulary] must map phrases to metric names")
    try:
        return build(table)
    except re.error as exc:
        raise VocabularyError(f"{path}: a phrase is not a regular expression ({exc})") from exc
