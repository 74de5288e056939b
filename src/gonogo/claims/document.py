"""Reading a readiness document: bytes in any common encoding to text, mojibake repaired."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ftfy

MAX_BYTES = 1_000_000  # forty times the longest seed; a readiness report is read by a person
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# keep the exact phrases: only undo mis-decoding, never restyle quotes, widths or line breaks
_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    fix_line_breaks=False,
    unescape_html=False,
    normalization=None,
    explain=False,
)


class DocumentError(Exception):
    """The document cannot be read as text; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    path: str
    lines: tuple[str, ...]
    encoding: str
    repaired: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def read_document(path: Path) -> Document:
    """Read ``path``; raise ``DocumentError`` for a missing, empty, huge or binary file."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DocumentError(f"{path}: {size} bytes; a readiness document over {MAX_BYTES} bytes is not read")
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return parse_document(data, str(path))


def parse_document(data: bytes, name: str) -> Document:
    text, encoding = decode(data, name)
    if not text.strip():
        raise DocumentError(f"{name}: the document is empty")
    lines = text.splitlines()
    fixed = tuple(repair_line(line) for line in lines)
    return Document(
        path=name, lines=fixed, encoding=encoding, repaired=sum(a != b for a, b in zip(lines, fixed, strict=True))
    )


def decode(data: bytes, name: str) -> tuple[str, str]:
    """UTF-8 first (with or without BOM), UTF-16/32 by BOM, then Windows-1252; NUL bytes without a
    BOM mean a binary file, which is refused rather than read as noise."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise DocumentError(f"{name}: not valid {encoding} ({exc.reason} at byte {exc.start})") from exc
    if b"\x00" in data:
        raise DocumentError(f"{name}: binary data (NUL bytes), not a text document")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def repair_line(line: str) -> str:
    """Undo UTF-8 read as Mac Roman (seed 002's U+201A U+00FA U+00C5 for ✅), then what ftfy knows (UTF-8 read
    as Windows-1252 or Latin-1). ftfy does not recognise Mac Roman mojibake, so that round trip is
    ours; it is taken only when the line's bytes under Mac Roman are valid UTF-8 and differ, which
    ordinary non-ASCII text (é encodes to a lone 0x8E) never is."""
    if line.isascii():
        return line
    try:
        roundtrip = line.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        roundtrip = line
    return ftfy.fix_text(roundtrip, _FTFY)
