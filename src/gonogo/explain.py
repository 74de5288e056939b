"""``gonogo explain ID``: a check's documentation as Markdown, found by any id a user has seen.

Users meet three kinds of id: gonogo's own (``SEC012``, in every report), the ruff rule behind a
SAST finding (``S113``, in plan titles and evidence), and bandit's test id (``B113``, in ``# nosec``
comments and other tools' reports). The last two map to the gonogo check that reports them through
``data/bandit_rules.json``, the same table the SAST collector uses, so the answer cannot drift.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from gonogo.collectors.sast import Rule, load_rules
from gonogo.registry import CheckSpec

_HEADING = re.compile(r"(?m)^(Why|Fix|Example|Note|Limits?):[ \t]*")


@dataclass(frozen=True, slots=True, kw_only=True)
class Explained:
    spec: CheckSpec
    via: tuple[Rule, ...] = ()
    """The ruff or bandit rules the asked id named, when it was not a gonogo check id."""


class UnknownId(LookupError):
    """No check or rule has that id; ``suggestions`` are the closest ones that exist."""

    def __init__(self, asked: str, suggestions: list[str]) -> None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no check or rule {asked!r}{hint} (see `gonogo list-checks`)")
        self.suggestions = suggestions


def resolve(asked: str, checks: Mapping[str, CheckSpec]) -> Explained:
    """The check ``asked`` names: a gonogo check id, a ruff ``S``/gonogo ``GNG`` rule code, or a
    bandit ``B`` test id (several ruff rules can share one bandit id: all are named)."""
    wanted = asked.strip().upper()
    if wanted in checks:
        return Explained(spec=checks[wanted])
    rules = load_rules()
    named = [rules[wanted]] if wanted in rules else [r for r in rules.values() if r.bandit == wanted]
    reporting = [r.check for r in named if r.check is not None and r.check in checks]
    if reporting:
        return Explained(spec=checks[_most_common(reporting)], via=tuple(named))
    known = [*checks, *rules, *{r.bandit for r in rules.values() if r.bandit}]
    raise UnknownId(asked, difflib.get_close_matches(wanted, known, n=3, cutoff=0.6))


def _most_common(ids: list[str]) -> str:
    return max(sorted(set(ids)), key=ids.count)


def markdown(explained: Explained) -> str:
    """The page: title, what the check is, the rules that led here, then its docstring with each
    ``Why:``/``Fix:`` as a bold lead-in starting its own paragraph."""
    spec = explained.spec
    lines = [f"## {spec.id}: {spec.title}", ""]
    facts = f"Category {spec.category.name.lower()}, default severity {spec.severity.value}"
    lines += [facts + (f", metric `{spec.counts}`." if spec.counts else "."), ""]
    if explained.via:
        rules = ", ".join(_rule_name(r) for r in explained.via)
        lines += [f"Reported by this check: {rules}.", ""]
    doc = _HEADING.sub(lambda m: f"\n**{m.group(1)}:** ", spec.doc).strip()
    lines.append(doc)
    return "\n".join(lines) + "\n"


def _rule_name(rule: Rule) -> str:
    bandit = f", bandit {rule.bandit}" if rule.bandit else ""
    cwe = f", CWE-{rule.cwe}" if rule.cwe else ""
    return f"`{rule.code}` ({rule.name}{bandit}{cwe})"
