"""A README badge: ``gonogo | NO GO`` in the decision's colour, as a small flat SVG, plus
``stale`` when the decision no longer holds. Drawn here rather than fetched from a badge service:
the server makes no outside request."""

from __future__ import annotations

from markupsafe import escape

COLOURS = {"GO": "#1a7f37", "CONDITIONAL_GO": "#9a6700", "NO_GO": "#cf222e"}
UNKNOWN = "#8c959f"
CHAR_PX = 7
PAD_PX = 10


def badge(decision: str | None, stale: bool = False) -> str:
    label = "gonogo"
    value = decision.replace("_", " ") if decision else "no run"
    if stale and decision:
        value += " (stale)"
    colour = UNKNOWN if stale or decision is None else COLOURS.get(decision, UNKNOWN)
    left, right = len(label) * CHAR_PX + PAD_PX, len(value) * CHAR_PX + PAD_PX
    width = left + right
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{escape(label)}: {escape(value)}">'
        f"<title>{escape(label)}: {escape(value)}</title>"
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">'
        f'<text x="{left / 2:g}" y="14">{escape(label)}</text>'
        f'<text x="{left + right / 2:g}" y="14">{escape(value)}</text>'
        "</g></svg>"
    )
