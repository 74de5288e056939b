"""Verify's outputs: the terminal summary line, Markdown, JSON, SARIF pointing at the document, and HTML."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import Any

import jinja2

from gonogo import __version__
from gonogo.claims.checks import CLAIM_CHECKS
from gonogo.claims.model import Judgement, Status

FORMATS = {"md": "claims.md", "json": "claims.json", "sarif": "claims.sarif", "html": "claims.html"}
_ORDER = (Status.VERIFIED, Status.CONTRADICTED, Status.INCONSISTENT, Status.UNVERIFIABLE)
_SARIF_LEVEL = {Status.CONTRADICTED: "error", Status.INCONSISTENT: "error", Status.UNVERIFIABLE: "note",
                Status.VERIFIED: "none"}


def summary(judgements: Sequence[Judgement]) -> str:
    """"31 claims: 9 verified, 14 contradicted, 3 inconsistent, 5 unverifiable"."""
    counts = Counter(j.status for j in judgements)
    parts = ", ".join(f"{counts[s]} {s.value}" for s in _ORDER)
    return f"{len(judgements)} claim{'s' if len(judgements) != 1 else ''}: {parts}"


def failed(judgements: Sequence[Judgement]) -> bool:
    return any(j.status in (Status.CONTRADICTED, Status.INCONSISTENT) for j in judgements)


def to_dict(document: str, judgements: Sequence[Judgement], source: str) -> dict[str, Any]:
    return {
        "document": document,
        "evidence": source or None,
        "summary": {s.value: sum(j.status is s for j in judgements) for s in _ORDER} | {"claims": len(judgements)},
        "claims": [
            {
                "line": j.claim.line,
                "text": j.claim.text,
                "kind": j.claim.kind,
                "metric": j.claim.metric,
                "status": j.status.value,
                "check_id": j.check_id,
                "claimed": j.claimed,
                "measured": j.measured,
                "evidence": j.evidence,
                "other_lines": list(j.other_lines),
            }
            for j in judgements
        ],
    }


def render_json(document: str, judgements: Sequence[Judgement], source: str) -> str:
    return json.dumps(to_dict(document, judgements, source), indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_md(document: str, judgements: Sequence[Judgement], source: str) -> str:
    lines = [f"# Claims of {document}", "", summary(judgements) + ".", ""]
    if source:
        lines += [f"Evidence: {source}.", ""]
    lines += ["| Line | Status | Check | Claim | Claimed | Measured | Evidence |", "|---|---|---|---|---|---|---|"]
    for j in judgements:
        lines.append("| " + " | ".join(_cell(x) for x in (
            str(j.claim.line), j.status.value, j.check_id, j.claim.text, j.claimed, j.measured or "-", j.evidence
        )) + " |")
    return "\n".join(lines) + "\n"


def render_sarif(document: str, judgements: Sequence[Judgement], source: str) -> str:
    """Results at lines of the document, so a review shows each claim's status inline."""
    rules = sorted({j.check_id for j in judgements})
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gonogo verify", "version": __version__,
                "rules": [{"id": r, "shortDescription": {"text": CLAIM_CHECKS[r].title},
                           "help": {"text": CLAIM_CHECKS[r].why}} for r in rules],
            }},
            "results": [
                {
                    "ruleId": j.check_id,
                    "ruleIndex": rules.index(j.check_id),
                    "level": _SARIF_LEVEL[j.status],
                    "kind": "pass" if j.status is Status.VERIFIED else "fail" if _SARIF_LEVEL[j.status] == "error"
                    else "review",
                    "message": {"text": f"{j.status.value}: {j.claimed}"
                                + (f" (measured {j.measured})" if j.measured else "") + f"; {j.evidence}"},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": document},
                        "region": {"startLine": j.claim.line},
                    }}],
                    "properties": {"status": j.status.value, "kind": j.claim.kind},
                }
                for j in judgements
            ],
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


@cache
def _templates() -> jinja2.Environment:
    """Templates shipped as package data (found through importlib, so an installed wheel works too).
    Autoescape is on for every template: each value on the page is text from the user's document."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("gonogo.claims", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the render rather than printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(document: str, judgements: Sequence[Judgement], source: str) -> str:
    """One self-contained page (inline CSS, no scripts, no outside requests): the summary and the claims table."""
    page = _templates().get_template("claims.html.j2").render(
        document=document, source=source, summary=summary(judgements),
        judgements=to_dict(document, judgements, source)["claims"],
    )
    return page + "\n"


RENDERERS = {"md": render_md, "json": render_json, "sarif": render_sarif, "html": render_html}
