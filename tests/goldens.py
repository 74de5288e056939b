"""Golden files: reports compared with the reviewed copies in tests/golden/, after the one pass that
removes what changes from run to run and machine to machine (``normalise``).

``pytest --update-goldens`` rewrites the copies from the current output; review the diff before
committing it: it is the change every user of that report format will see.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from gonogo import __version__

GOLDEN = Path(__file__).parent / "golden"

_VOLATILE: tuple[tuple[re.Pattern[str], str], ...] = (
    # how long the scan took
    (re.compile(r'("duration_seconds":\s*)[0-9.eE+-]+'), r'\1"<duration>"'),
    (re.compile(r"scan took [0-9.]+ s"), "scan took <duration> s"),
    (re.compile(r'"timings": \{\n(?:      .*\n)*    \}'), '"timings": "<seconds per stage and collector>"'),
    (re.compile(r"<dt>Duration</dt><dd>[0-9.]+ s</dd>"), "<dt>Duration</dt><dd><duration> s</dd>"),
    (re.compile(r'\btime="[0-9.]+"'), 'time="<duration>"'),
    # when it ran: a timestamp, or today's date (a date in the scanned files is kept)
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), "<timestamp>"),
    # the scan's time and the decision's expiry as the Markdown report writes them
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"), "<timestamp> UTC"),
    (re.compile(re.escape(date.today().isoformat())), "<today>"),
    # the tools' versions: gonogo's own, and ruff's, which the SAST data version names
    (re.compile(rf'(gonogo |"tool_version":\s*"|"version":\s*"|"semanticVersion":\s*"){re.escape(__version__)}\b'),
     r"\g<1><version>"),
    (re.compile(r'(\bruff[ :"]+)\d+(?:\.\d+)+'), r"\g<1><version>"),
    # the advisory index's age, which grows by one every day
    (re.compile(r'("vulndb\.age_days"\s*:\s*)[0-9.]+'), r'\g<1>"<age>"'),
    (re.compile(r"\(\d+ days? old\)"), "(<age> days old)"),
)


def normalise(text: str, *, tmp: Path) -> str:
    """``text`` with the volatile parts replaced by placeholders: durations, timestamps, today's
    date, tool versions, the advisory index's age, and ``tmp`` (the temporary folder the scenario
    ran in, as given and resolved), so a golden holds only what the code decides."""
    for folder in sorted({str(tmp.resolve()), str(tmp)}, key=len, reverse=True):
        text = text.replace(folder, "<tmp>")
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def check_golden(golden: Path, text: str, *, update: bool) -> None:
    """Assert ``text`` equals the golden file, or rewrite the file when ``--update-goldens``."""
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden {golden.relative_to(GOLDEN.parent)}: run pytest --update-goldens"
    expected = golden.read_text(encoding="utf-8")
    assert text == expected, f"{golden.relative_to(GOLDEN.parent)} changed: review the diff, then --update-goldens"
