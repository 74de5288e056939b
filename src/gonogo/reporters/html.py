"""``report.html``: the Markdown report as one self-contained page (no scripts, no outside assets),
for attaching to a release ticket or opening from a CI artifact."""

from __future__ import annotations

import html

from markdown_it import MarkdownIt

from gonogo.model import Decision, Report
from gonogo.reporters import markdown

DECISION_COLOUR = {Decision.GO: "#1a7f37", Decision.CONDITIONAL_GO: "#9a6700", Decision.NO_GO: "#cf222e"}

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
h1{border-left:.5rem solid var(--decision);padding-left:.75rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f6f8fa}code{background:#f6f8fa;padding:0 .2rem}
"""


def _renderer() -> MarkdownIt:
    """CommonMark with tables, and with no raw HTML, links, images or autolinks at all: the report
    has none of its own, so any that appear came from the scanned tree, whatever Markdown escaping
    upstream missed."""
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable("table")
        .disable(["link", "image", "autolink", "html_inline", "html_block", "reference"])
    )


def render(report: Report) -> str:
    # text from the scanned repository (messages, paths) is escaped Markdown, then escaped HTML
    body = _renderer().render(markdown.render(report))
    title = html.escape(f"gonogo: {report.decision.label}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{title}</title><style>:root{{--decision:{DECISION_COLOUR[report.decision]}}}{STYLE}</style>"
        f"</head><body>\n{body}</body></html>\n"
    )
