"""Claims from a classified document: one small rule per kind of statement.

Each rule reads ``Line`` values (never the file) and yields ``Claim`` values carrying the line and
the exact phrase. Lines of code (fences with a language), unticked task items and plan sections
(what will be done is not a claim about what is) are not read as statements of fact."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence

from gonogo.claims.model import Claim
from gonogo.claims.structure import Line, strip_markup
from gonogo.claims.vocabulary import PERCENT_METRICS, Vocabulary

_WINDOW = 120  # characters either side of a number where its words are looked for
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
NUMBER_START = r"(?<!\d)(?!(?<=\d,)(?<!\d{4},)\d{3}(?!\d))"
"""Where a figure can start: not inside a run of digits, nor at a group of "1,234,567" (the start
of the run was tried first, and a later start reaches the same end: each read the run again)."""
_FRACTION = re.compile(r"(?<![\w./-])(\d+)\s*/\s*(\d+)(?![\w/.]|\.\d)")
# "%22" is URL encoding, "width:32%" is layout: neither is a figure
_PERCENT = re.compile(rf"(?<![\w.%])(?<!width:)(?<!width=\"){NUMBER_START}({NUMBER})\s*%(?![0-9A-Fa-f]{{2}})")
_LAYOUT_BEFORE = re.compile(r"(?:width|height|margin|padding|left|right|top|bottom|size)\W{0,3}$", re.IGNORECASE)
_COUNT_TAIL = re.compile(r"\((?P<n>\d+)\)\W*+$")
_COUNT_HEAD = re.compile(r"\W*+(?:\d++[.)]\s++)?")
# a figure starts where a run of digits does: from inside one, every start read the run again
_THROUGHPUT = re.compile(
    rf"{NUMBER_START}(?P<n>{NUMBER})\s*(?P<mult>[KkMm])?\+?\s*"
    r"(?P<unit>RPS|req(?:uest)?s?/s(?:ec)?|ops/s(?:ec)?|requests per second)\b",
    re.IGNORECASE,
)
_PEAK_SUSTAINED = re.compile(
    rf"{NUMBER_START}(?P<peak>{NUMBER})\s*[^\d()]{{0,20}}\bpeak\b\W*\(?\s*(?P<sus>{NUMBER})\s*[^\d()]{{0,12}}sustained",
    re.IGNORECASE,
)
_VERDICT = r"CONDITIONAL\s+GO|NO[-\s]GO|GO"
_DECISION = re.compile(
    rf"(?:\bdecision\b[^\w:]*+:\W*+(?P<a>{_VERDICT})\b|^\W*+(?P<b>{_VERDICT})\s+DECISION\b)", re.IGNORECASE
)
r"""``\W*:\W*`` and ``^\W*#*\W*`` (``#`` is ``\W``) as one run each, read once: split every way,
a line of 4,000 "#" took seven minutes."""
_TARGET_BEFORE = re.compile(r"(?:target|goal|threshold|required|require|minimum|achieve|reach|to|>=|≥|>|<|≤|under)\W*$",
                            re.IGNORECASE)
_PLAN_SECTION = re.compile(
    r"plan|roadmap|next steps|next immediate|recommendation|path forward|timeline|remediation|priorit|"
    r"strategy|rollout|option|wave|this week|this month|mitigation|action|expected outcome|what we're fixing",
    re.IGNORECASE,
)
_PATH = re.compile(r"^(?:[A-Za-z]:\\)?(?:[\w.\-]+[\\/])*[\w.\-]+(?:\.[A-Za-z]{1,5}|[\\/])$")
_PRESENT_LABEL = re.compile(r"\bfound\b|\bexists?\b|\bcreated\b|\bpresent\b|\bmodified\b|\bmodification\b|✅", re.I)
_MISSING_LABEL = re.compile(r"\bmissing\b|\bnot\s+found\b|\bdoes\s+not\s+exist\b|❌", re.IGNORECASE)

# "4 test files missing", "60% coverage threshold": what is absent or wanted, not what is measured
_ABSENT_AFTER = re.compile(
    r"\W*(?:missing|absent|not\b|to\s+be\b|required|threshold|target|goal|validation|gate)", re.IGNORECASE
)
# "**Missing**:", "Found (2):", "Files Modified:": a short label that ends in a colon
_LABEL = re.compile(r"^[\w\s\-/]{0,40}(?:\(\d+\))?\s*:$")

# code, blank lines, table separators and over-long lines (see structure.MAX_LINE) state nothing
_UNREAD = frozenset({"code", "blank", "separator", "long"})

Rule = Callable[[Sequence[Line], Vocabulary], Iterator[Claim]]


def number(text: str) -> float:
    return float(text.replace(",", ""))


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def statement(line: Line) -> bool:
    """A line that states something: not code, not an unticked task, not a plan."""
    if line.block in _UNREAD or line.checked is False:
        return False
    return not _PLAN_SECTION.search(line.section)


def _claim(line: Line, kind: str, phrase: str, **fields: object) -> Claim:
    return Claim(line=line.number, text=phrase.strip(), kind=kind, section=line.section, **fields)  # type: ignore[arg-type]


def ratio_percents(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """"19/47 checks passed (40.4%)": a fraction and a percentage on one line, the nearer pair."""
    for line in lines:
        if line.block in _UNREAD:
            continue
        percents = list(_PERCENT.finditer(line.text))
        starts = [p.start() for p in percents]
        for fraction in _FRACTION.finditer(line.text):
            if not percents or int(fraction.group(2)) == 0:
                continue
            # the nearest percentage is one of the two around the fraction's end
            at = bisect.bisect_left(starts, fraction.end())
            around = percents[max(0, at - 1): at + 1]
            nearest = min(around, key=lambda p: abs(p.start() - fraction.end()))
            if abs(nearest.start() - fraction.end()) > 40 and abs(fraction.start() - nearest.end()) > 40:
                continue
            start, end = min(fraction.start(), nearest.start()), max(fraction.end(), nearest.end())
            yield _claim(line, "ratio", line.text[start:end], value=number(fraction.group(1)),
                         total=number(fraction.group(2)), unit=nearest.group(1), digits=decimals(nearest.group(1)))


def list_counts(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """"**Missing** (18):" over a list: the number in parentheses against the items that follow."""
    for index, line in enumerate(lines):
        if line.block in _UNREAD | {"row", "header"}:
            continue
        counted = label_count(line.text)
        if counted is None:
            continue
        items = _items_after(lines, index)
        if items:
            yield _claim(line, "list_count", line.text, value=float(counted[1]),
                         subject=strip_markup(counted[0]), parts=items)


def label_count(text: str) -> tuple[str, int] | None:
    r"""("Missing", 18) from "- **Missing** (18):": the label, and the count in parentheses that
    only punctuation follows; ``None`` when the label would hold a parenthesis. What the pattern
    ``^\W*(?:[-*+]\s+|\d+[.)]\s+)?(?P<label>[^()]*?)\W*\((?P<n>\d+)\)\W*:?\W*$`` matched, found
    without it: its three runs of punctuation took minutes to split every way on a line of "#"."""
    tail = _COUNT_TAIL.search(text)
    if tail is None:
        return None
    head = text[: tail.start()]
    start = _COUNT_HEAD.match(head).end()  # type: ignore[union-attr]  # every part is optional
    end = len(head)
    while end > start and not (head[end - 1].isalnum() or head[end - 1] == "_"):  # what \w is
        end -= 1
    label = head[start:end]
    return None if "(" in label or ")" in label else (label, int(tail.group("n")))


def _items_after(lines: Sequence[Line], index: int) -> tuple[tuple[int, str], ...]:
    """The list items right below a label line (blank lines between are allowed)."""
    items: list[tuple[int, str]] = []
    depth = None
    for line in lines[index + 1:]:
        if line.block == "blank":
            if items:
                break
            continue
        if line.block != "item":
            break
        depth = line.depth if depth is None else depth
        if line.depth == depth:
            items.append((line.number, strip_markup(line.text.lstrip(" -*+"))))
    return tuple(items)


def table_totals(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """A table row named TOTAL: each numeric column against the sum of the rows above it."""
    rows: list[Line] = []
    for line in lines:
        if line.block == "header":
            rows = []
        elif line.block != "row":
            if line.block not in ("separator",):
                rows = []
            continue
        elif line.cells and line.cells[0].strip().lower() == "total":
            yield from _column_totals(line, rows)
        else:
            rows.append(line)


def _column_totals(total: Line, rows: Sequence[Line]) -> Iterator[Claim]:
    for column, cell in enumerate(total.cells[1:], start=1):
        stated = _leading_number(cell)
        values = [_leading_number(r.cells[column]) if column < len(r.cells) else None for r in rows]
        if stated is None or not rows or any(v is None for v in values):
            continue
        header = total.header[column] if column < len(total.header) else f"column {column + 1}"
        yield _claim(total, "table_total", total.text, value=stated, subject=header,
                     parts=tuple((r.number, r.cells[column]) for r in rows))


def _leading_number(cell: str) -> float | None:
    match = re.match(rf"^\s*([-+]?)({NUMBER})\b", cell)
    return (-1 if match.group(1) == "-" else 1) * number(match.group(2)) if match else None


_OVERALL = re.compile(
    rf"\boverall\b[^%\n]{{0,60}}?(?:score|readiness|rating)[^%\n]{{0,30}}?{NUMBER_START}({NUMBER})\s*%", re.IGNORECASE
)


def overall_scores(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """"Overall ... 76%" against the component scores of the document's table with a Score column."""
    components = _score_table(lines)
    for line in lines:
        if not statement(line) or line.block == "row":
            continue
        # "Overall Production Readiness Score: 76%", not "overall test coverage: 80%"
        match = _OVERALL.search(line.text)
        if match and components:
            yield _claim(line, "overall_score", match.group(0), value=number(match.group(1)), unit="%",
                         parts=components, digits=decimals(match.group(1)))


def _score_table(lines: Sequence[Line]) -> tuple[tuple[int, str], ...]:
    """The rows of the first table whose Score column holds a percentage on every row."""
    tables: dict[tuple[str, ...], list[Line]] = {}
    for line in lines:
        if line.block == "row" and line.header:
            tables.setdefault(line.header, []).append(line)
    for header, rows in tables.items():
        column = next((i for i, h in enumerate(header) if h.lower() == "score"), None)
        if column is None:
            continue
        cells = [r.cells[column] if column < len(r.cells) else "" for r in rows]
        if rows and all(re.fullmatch(rf"\s*{NUMBER}\s*%\s*", c) for c in cells):
            return tuple((r.number, f"{r.cells[0]}: {c}") for r, c in zip(rows, cells, strict=True))
    return ()


def throughputs(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """Requests or operations per second, with K/M multipliers; "N peak (M sustained)" pairs."""
    for line in lines:
        if not statement(line):
            continue
        for match in _THROUGHPUT.finditer(line.text):
            if _TARGET_BEFORE.search(line.text[max(0, match.start() - _WINDOW): match.start()]):
                continue
            scale = {"k": 1e3, "m": 1e6}.get((match.group("mult") or "").lower(), 1.0)
            yield _claim(line, "throughput", match.group(0), metric="load.rps",
                         value=number(match.group("n")) * scale, unit="per second")
        pair = _PEAK_SUSTAINED.search(line.text)
        if pair:
            yield _claim(line, "peak_sustained", pair.group(0), value=number(pair.group("peak")),
                         total=number(pair.group("sus")))


# "7/10 services healthy", "p95 120 ms", "p99 latency: 1.2 s", "error rate 0.3%": the probe's figures.
# Comparisons ("p95 < 200 ms", "error rate under 1%") are thresholds, not measurements: no connector admits them.
_SERVICES_UP = re.compile(r"(?<![\w./])(?P<up>\d+)\s*/\s*(?P<total>\d+)\s+services?\s+(?:are\s+)?"
                          r"(?:healthy|up|running|passing|green)\b", re.IGNORECASE)
_LATENCY = re.compile(rf"\b(?P<p>p9[59])(?:\s+latency)?\s*(?:of|is|was|=|:)?\s*(?P<n>{NUMBER})\s*(?P<unit>ms|s)\b",
                      re.IGNORECASE)
_ERROR_RATE = re.compile(rf"\berror[\s-]+rate\s*(?:of|is|was|=|:)?\s*(?P<n>{NUMBER})\s*%", re.IGNORECASE)


def probe_figures(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """Services up, p95/p99 latency and error rate: figures only `gonogo check --probe` measures."""
    for line in lines:
        if not statement(line):
            continue
        for match in (*_SERVICES_UP.finditer(line.text), *_LATENCY.finditer(line.text),
                      *_ERROR_RATE.finditer(line.text)):
            if _TARGET_BEFORE.search(line.text[max(0, match.start() - _WINDOW): match.start()]):
                continue
            if _in_target_column(line, match.start()):
                continue
            yield _probe_claim(line, match)


def _probe_claim(line: Line, match: re.Match[str]) -> Claim:
    groups = match.groupdict()
    if "up" in groups:
        return _claim(line, "probe_figure", match.group(0), metric="services.up", value=float(groups["up"]),
                      total=float(groups["total"]))
    if "p" in groups:
        scale = 1000.0 if groups["unit"].lower() == "s" else 1.0
        return _claim(line, "probe_figure", match.group(0), metric=f"latency.{groups['p'].lower()}_ms",
                      value=number(groups["n"]) * scale, unit="ms")
    return _claim(line, "probe_figure", match.group(0), metric="load.error_rate", value=number(groups["n"]), unit="%")


def decisions(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """"Decision: NO-GO", "CONDITIONAL GO DECISION": the document's own verdict (not a table of
    per-fix GO/NO-GO, not "arguments for GO")."""
    for line in lines:
        if line.block in _UNREAD | {"row", "header"}:
            continue
        match = _DECISION.search(strip_markup(line.text))
        if match:
            verdict = " ".join((match.group("a") or match.group("b")).upper().replace("-", " ").split())
            yield _claim(line, "decision", line.text, subject=verdict.replace("NO GO", "NO-GO"))


def criteria(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """Rows of a gate table: Required, Achieved and Status columns ("Security | ≥95% | 40% | FAIL")."""
    for line in lines:
        if line.block != "row" or not line.header:
            continue
        names = [h.lower() for h in line.header]
        required = _column(names, ("required", "threshold", "target"))
        achieved = _column(names, ("achieved", "actual", "measured"))
        status = _column(names, ("status",))
        if required is None or achieved is None or status is None:
            continue
        if len(line.cells) <= max(required, achieved, status):
            continue
        need = re.search(rf"{NUMBER_START}({NUMBER})\s*%", line.cells[required])
        got = re.search(rf"{NUMBER_START}({NUMBER})\s*%", line.cells[achieved])
        verdict = re.search(r"\b(PASS|FAIL|CONDITIONAL|WARN(?:ING)?|BLOCKED)\b", line.cells[status].upper())
        if need and got and verdict:
            yield _claim(line, "criterion", line.text, subject=f"{line.cells[0]}: {verdict.group(1)}",
                         value=number(got.group(1)), total=number(need.group(1)), unit=verdict.group(1))


def _column(names: Sequence[str], wanted: tuple[str, ...]) -> int | None:
    return next((i for i, n in enumerate(names) if n.startswith(wanted)), None)


def metric_counts(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """A number next to a vocabulary phrase: "71 pytest.skip() violations", "Test coverage: 14%",
    "Unpinned Images Found: 12". Targets ("target: 90%", "to 90%") are not claims."""
    for line in lines:
        if not statement(line) or line.block == "header" or not vocabulary.any_in(line.text):
            continue
        text = line.text
        for match in re.finditer(rf"(?<![\w.,/])({NUMBER})(\+?)(\s*%)?", text):
            head = text[max(0, match.start() - _WINDOW): match.start()]
            if _TARGET_BEFORE.search(head) or _in_path(text, match.start()):
                continue
            if line.block == "heading" and not strip_markup(text[: match.start()].lstrip("# ")):
                continue  # "### 1.4 Docker images": a section number
            percent = bool(match.group(3))
            after = strip_markup(text[match.end(): match.end() + _WINDOW]).lstrip()
            found = vocabulary.metric_at_start(re.sub(r"^(?:total|open|known)\s+", "", after, flags=re.I))
            metric = found[0] if found else None
            if found and _ABSENT_AFTER.match(after[found[1]:]):
                continue  # "4 test files missing" counts what is absent, not the metric
            if metric is None:
                before = strip_markup(head).rstrip(" :*=-")
                metric = vocabulary.metric_at_end(before) if re.search(r"[:=]\W*$", head) else None
            if metric is None or (metric in PERCENT_METRICS) != percent:
                continue
            phrase = text[match.start():].split("|")[0] if found else strip_markup(text)
            # "functions over 60 lines": the limit is part of what is counted
            limit = re.search(r"(\d+)\s*(?:lines|LOC)", after[: found[1]]) if found else None
            unit = "%" if percent else ("at least" if match.group(2) else "")
            subject = limit.group(1) if limit else ""
            yield _claim(line, "metric_count", phrase.strip()[:80], metric=metric, subject=subject,
                         value=number(match.group(1)), unit=unit, digits=decimals(match.group(1)))


def _in_path(text: str, at: int) -> bool:
    return at > 0 and text[at - 1] in "\\/_-."


# from the start of a word only: a later start in it reaches the same "(", and each read it again
_FILE_COUNT = re.compile(r"(?<!\S)(\S+\.\w{1,5})\s*\((\d+)\s+([^)]+)\)")


def file_counts(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """A count for one file: "test_websocket.py (11 skips)", or a table row with a file cell and a
    count column under a heading or header that names the metric."""
    for line in lines:
        if line.block in _UNREAD or line.checked is False:
            continue
        inline = _FILE_COUNT.search(line.text)
        if inline and _PATH.match(inline.group(1)):
            metric = vocabulary.metric_in(inline.group(3))
            if metric and metric not in PERCENT_METRICS:
                yield _claim(line, "file_count", inline.group(0), metric=metric,
                             value=float(inline.group(2)), subject=inline.group(1))
            continue
        if line.block == "row" and line.header:
            yield from _row_file_count(line, vocabulary)


def _row_file_count(line: Line, vocabulary: Vocabulary) -> Iterator[Claim]:
    metric = vocabulary.metric_in(line.section) or vocabulary.metric_in(" ".join(line.header))
    if not metric or metric in PERCENT_METRICS:
        return
    path = next((c for c in line.cells if _PATH.match(c) and re.search(r"\.\w{1,5}$", c)), None)
    counts = [i for i, c in enumerate(line.cells) if re.fullmatch(r"\d+", c)]
    if path and len(counts) == 1:
        yield _claim(line, "file_count", line.text, metric=metric, value=float(line.cells[counts[0]]), subject=path)


def paths(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """Paths said to exist or to be missing: list items under a "Found"/"Missing" label, a ✅ or
    ❌ beside a file name, "(just created)"."""
    label = ""
    for line in lines:
        if line.block in _UNREAD - {"separator"} or line.checked is False:
            continue
        if line.block not in ("item", "fence_text"):
            label = line.text
            continue
        for target, state in _paths_on(line, label):
            yield _claim(line, "path_" + state, target, subject=target.replace("\\", "/"))


def _paths_on(line: Line, label: str) -> Iterator[tuple[str, str]]:
    text = line.text
    body = strip_markup(re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", text))
    spans = re.findall(r"`([^`]+)`", text) or [body.split(" (")[0].strip()]
    state = _state(text) or (_state(label) if _LABEL.match(strip_markup(label)) else None)
    if state is None:
        return
    for span in spans:
        span = span.strip()
        if _PATH.match(span) and ("." in span.rsplit("/", 1)[-1] or span.endswith("/")):
            yield span, state


def _state(text: str) -> str | None:
    missing, present = _MISSING_LABEL.search(text), _PRESENT_LABEL.search(text)
    if missing and not present:
        return "missing"
    if present and not missing:
        return "present"
    return None


def figures(lines: Sequence[Line], vocabulary: Vocabulary, taken: set[int]) -> Iterator[Claim]:
    """Every other percentage stated as fact: no rule can tie it to evidence, so it is reported
    as unverifiable rather than silently dropped."""
    for line in lines:
        if not statement(line):
            continue
        for match in _PERCENT.finditer(line.text):
            if line.number in taken or _TARGET_BEFORE.search(line.text[max(0, match.start() - _WINDOW): match.start()]):
                continue
            if _in_target_column(line, match.start()) or _LAYOUT_BEFORE.search(line.text[: match.start()][-12:]):
                continue
            yield _claim(line, "figure", line.text[max(0, match.start() - 30): match.end()].lstrip(),
                         value=number(match.group(1)), unit="%", digits=decimals(match.group(1)))


def _in_target_column(line: Line, at: int) -> bool:
    """Whether position ``at`` of a table row falls in a Target/Goal/Required column."""
    if line.block != "row" or not line.header:
        return False
    column = line.text.strip().lstrip("|")[: max(0, at - (len(line.text) - len(line.text.strip().lstrip("|"))))]
    index = column.count("|")
    return index < len(line.header) and bool(re.match(r"(?:target|goal|required|threshold)", line.header[index], re.I))


_BREAKDOWN = re.compile(
    rf"{NUMBER_START}(?P<total>{NUMBER})\s+(?P<noun>[A-Za-z][\w\- ]{{0,30}}?)\W*(?:\s+\w+){{0,2}}\s*"
    rf"\((?P<parts>(?:{NUMBER})\s+[A-Za-z][\w\-]*(?:\s*,\s*(?:{NUMBER})\s+[A-Za-z][\w\-]*)+)\)"
)


def breakdowns(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """"75 vulnerabilities (6 CRITICAL, 28 HIGH, 34 MODERATE, 7 LOW)": a total and its parts."""
    for line in lines:
        if not statement(line):
            continue
        for match in _BREAKDOWN.finditer(strip_markup(line.text)):
            parts = tuple((line.number, p.strip()) for p in match.group("parts").split(","))
            yield _claim(line, "breakdown", match.group(0), value=number(match.group("total")),
                         subject=match.group("noun").strip(), parts=parts)


_PRESENCE = re.compile(
    r"(?<![\w.\-])(?P<pkg>[A-Za-z][\w.\-]*+)\s+(?P<how>present\s+in|missing\s+from)\s+(?P<n>\d+)\s*(?:/|out\s+of)\s*(?P<of>\d+)\s+"
    r"(?P<what>requirements(?:\.txt)?\s+files?|modules)",
    re.IGNORECASE,
)


def package_presence(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """"boto3 present in 2/7 requirements.txt files", "boto3 missing from 5/7 modules": how many
    requirements files declare a package (a module is read as its requirements file)."""
    for line in lines:
        if not statement(line):
            continue
        for match in _PRESENCE.finditer(strip_markup(line.text)):
            present = match.group("how").lower().startswith("present")
            n, of = number(match.group("n")), number(match.group("of"))
            yield _claim(line, "package_presence", match.group(0), subject=match.group("pkg"),
                         value=n if present else of - n, total=of)


def package_versions(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """A Package / Current Version table row ("PyJWT | 2.8.0"): that version is the one declared."""
    for line in lines:
        if line.block != "row" or not line.header:
            continue
        names = [h.lower() for h in line.header]
        package = _column(names, ("package",))
        version = next((i for i, n in enumerate(names) if "version" in n and "latest" not in n), None)
        if package is None or version is None or max(package, version) >= len(line.cells):
            continue
        if re.fullmatch(r"\d+(?:\.\d+)+", line.cells[version]):
            yield _claim(line, "package_version", f"{line.cells[package]} {line.cells[version]}",
                         subject=line.cells[package], unit=line.cells[version])


def package_rows(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """A row under a "<package> Present" column: "requirements.txt | YES" says the file declares it."""
    for line in lines:
        if line.block != "row" or not line.header:
            continue
        column = next((i for i, h in enumerate(line.header) if re.fullmatch(r"\S+ present", h, re.I)), None)
        path = next((c for c in line.cells if _PATH.match(c) and "requirements" in c), None)
        if column is None or path is None or column >= len(line.cells):
            continue
        answer = re.match(r"(YES|NO)\b", line.cells[column].upper())
        if answer:
            yield _claim(line, "package_declared" if answer.group(1) == "YES" else "package_undeclared", line.text,
                         subject=path, unit=line.header[column].split()[0])


_BELOW = re.compile(r"(?<![\w<>=!~.-])(?P<pkg>[A-Za-z][\w.\-]*)\s*<\s*(?P<version>\d+(?:\.\d+)+)\b(?!\s*[a-z]*\s*%)")


_SECURITY_WORDS = re.compile(r"CVE|GHSA|PYSEC|vulnerab|advisor|security|exploit|\bRCE\b|injection", re.IGNORECASE)
_NOT_PACKAGES = frozenset({"from", "to", "than", "version", "versions", "is", "be", "and", "or", "if", "at", "p95"})
_RANGE_AFTER = re.compile(r"\s*,\s*[<>=!~]")  # "<4.0.0,>=3.1.13" is a requirement range, not a claim


def advisories(lines: Sequence[Line], vocabulary: Vocabulary) -> Iterator[Claim]:
    """"PyJWT<2.10.1 (algorithm confusion attacks)", "CVE: Jinja2 < 3.1.3 (CRITICAL)": releases
    below a version are said to be vulnerable, that version being the fix."""
    for line in lines:
        if not statement(line):
            continue
        text = strip_markup(line.text)
        security = _SECURITY_WORDS.search(text)
        for match in _BELOW.finditer(text):
            spaced = text[match.start("pkg"): match.start("version")].count(" ") > 0
            if match.group("pkg").lower() in _NOT_PACKAGES or (spaced and not security) or _RANGE_AFTER.match(
                    text, match.end()):
                continue
            yield _claim(line, "advisory", strip_markup(line.text).strip(" -#"), subject=match.group("pkg"),
                         unit=match.group("version"))


RULES: tuple[Rule, ...] = (
    breakdowns, advisories, package_presence, package_versions, package_rows,
    ratio_percents, list_counts, table_totals, overall_scores, throughputs, probe_figures, decisions, criteria,
    metric_counts, file_counts, paths,
)


def extract(lines: Sequence[Line], vocabulary: Vocabulary) -> tuple[Claim, ...]:
    """Every claim of the document, in line order."""
    claims = [claim for rule in RULES for claim in rule(lines, vocabulary)]
    per_file = {c.line for c in claims if c.kind == "file_count"}
    # "test_websocket.py (11 skips)" is a count for that file, not for the whole workspace
    claims = [c for c in claims if not (c.kind == "metric_count" and c.line in per_file)]
    taken = {c.line for c in claims if c.kind != "path_present" and c.kind != "path_missing"}
    claims.extend(figures(lines, vocabulary, taken))
    return tuple(sorted(claims, key=lambda c: (c.line, c.kind, c.text)))
