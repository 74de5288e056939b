"""Paths that the repository's Markdown documents name, in links or in backticks.

Seed 001's lesson: a report claimed 91.5% complete because nobody checked that the files it named
existed. Markdown is tokenised with markdown-it (the CommonMark parser rich already uses), so code
blocks, which hold commands and output rather than claims, are left out. A backtick span counts as a
path only when it looks like one: a known file extension, a trailing ``/``, or a first folder that
exists; placeholders (``path/to/x``, ``<name>``, globs) are not claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from gonogo.registry import collector
from gonogo.workspace import FileReadError, SourceFile, Workspace

_EXTENSIONS = """
py pyi md rst txt toml yaml yml json cfg ini sh bash ps1 js mjs ts tsx jsx html css scss sql dot ipynb
lock conf xml csv go rs java kt rb php c h cpp hpp tf proto graphql env
"""
FILE_EXTENSIONS = frozenset(_EXTENSIONS.split())
SOURCE_EXTENSIONS = frozenset(
    {"py", "pyi", "sh", "bash", "ps1", "js", "mjs", "ts", "tsx", "jsx", "sql", "go", "rs", "java", "kt", "rb", "php"}
    | {"c", "h", "cpp", "hpp"}
)
"""A bare file name counts as a claim only for source code: ``report.json`` or ``gonogo.toml`` in
prose usually names something a tool writes or a user creates, ``health_checker.py`` names code."""
HISTORY_DOCS = re.compile(r"^(changelog|changes|history|news|release[-_]?notes)", re.IGNORECASE)
NOT_A_PATH = re.compile(r"[\s<>{}()|=,;:'\"`$*?\[\]\\@!]|^[-~/.]?$|^-|^~|^/|://|^\.\.?/?$")
PLACEHOLDER = re.compile(r"(^|/)(path/to|your[-_]|my[-_]|foo|bar|example|xxx)", re.IGNORECASE)
MAX_DOC_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class DocReference:
    document: SourceFile
    line: int
    target: str
    how: str
    """``link`` or ``code``."""
    exists: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DocReferenceFacts:
    documents: int
    references: tuple[DocReference, ...]


@collector("doc_references")
def doc_references(workspace: Workspace) -> DocReferenceFacts:
    parser = MarkdownIt("commonmark")
    known = _known_paths(workspace)
    references: list[DocReference] = []
    documents = 0
    for document in workspace.by_suffix(".md", ".markdown"):
        if HISTORY_DOCS.match(document.name):
            continue
        try:
            text = workspace.read_text(document, limit=MAX_DOC_BYTES)
        except FileReadError as exc:
            workspace.note(f"Markdown not read: {exc}", path=document.display, source="docs")
            continue
        documents += 1
        lines = text.splitlines()
        for target, how, block_line in dict.fromkeys(_candidates(parser.parse(text))):
            references.append(
                DocReference(
                    document=document,
                    line=_line_of(target, lines, block_line),
                    target=target,
                    how=how,
                    exists=_exists(document, target, known),
                )
            )
    return DocReferenceFacts(documents=documents, references=tuple(references))


def _candidates(tokens: list[Token]) -> list[tuple[str, str, int]]:
    found: list[tuple[str, str, int]] = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        start = block.map[0] if block.map else 0
        for token in block.children:
            if token.type == "link_open":
                href = str(token.attrs.get("href", ""))
                target = _link_target(href)
                if target:
                    found.append((target, "link", start))
            elif token.type == "code_inline" and _looks_like_path(token.content):
                found.append((token.content.strip(), "code", start))
    return found


def _link_target(href: str) -> str | None:
    """The path a link claims, if it claims one. A bare name with no folder and no file extension
    (``[tools](helpers)``, ``[API](attrs.frozen)``, ``[Index](genindex)``) is a cross-reference
    target for Sphinx/MyST or MkDocs, resolved by the doc generator, not a file in the tree."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path or href.startswith("#"):
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        return None
    if "/" not in path and _extension(path) not in FILE_EXTENSIONS:
        return None
    return path


def _extension(name: str) -> str:
    """``py`` for ``app.py``; the whole name, lowered, when it has no dot."""
    return name.rsplit(".", 1)[-1].lower()


def _looks_like_path(text: str) -> bool:
    text = text.strip()
    if not text or len(text) > 200 or NOT_A_PATH.search(text) or PLACEHOLDER.search(text):
        return False
    last = text.rstrip("/").rsplit("/", 1)[-1]
    has_extension = "." in last and _extension(last) in FILE_EXTENSIONS
    if "/" not in text:
        return _extension(last) in SOURCE_EXTENSIONS and not last.startswith(".") and last.count(".") == 1
    return has_extension or text.endswith("/")


def _known_paths(workspace: Workspace) -> dict[str, set[str]]:
    """Every file and folder path of the workspace, filed under its last name, so a reference is
    checked against the few paths that end like it rather than against the whole tree."""
    by_name: dict[str, set[str]] = {}
    for file in workspace.files:
        parts = file.relpath.split("/")
        for end in range(1, len(parts) + 1):
            by_name.setdefault(parts[end - 1], set()).add("/".join(parts[:end]))
    return by_name


def _exists(document: SourceFile, target: str, known: dict[str, set[str]]) -> bool:
    """Relative to the document, to its root, or as the tail of any path in the workspace (a bare
    file name anywhere, a path written from a sub-project's point of view)."""
    clean = target.rstrip("/")
    doc_dir = PurePosixPath(document.relpath).parent
    for base in (document.root / doc_dir.as_posix(), document.root):
        if _on_disk(base / clean):
            return True
    candidates = known.get(clean.rsplit("/", 1)[-1], set())
    return clean in candidates or any(path.endswith(f"/{clean}") for path in candidates)


def _on_disk(path: Path) -> bool:
    """``path.exists()``, except that a name the file system refuses (a component over 255 bytes
    raises ENAMETOOLONG, not ENOENT) names no file, instead of failing the whole collector."""
    try:
        return path.exists()
    except OSError:
        return False


def _line_of(target: str, lines: list[str], block_start: int) -> int:
    for index in range(block_start, min(len(lines), block_start + 200)):
        if target in lines[index]:
            return index + 1
    return block_start + 1
