"""Paths that the repository's Markdown documents name, in links or in backticks.

Seed 001's lesson: a report claimed 91.5% complete because nobody checked that the files it named
existed. Markdown is tokenised with markdown-it (the CommonMark parser rich already uses), so code
blocks, which hold commands and output rather than claims, are left out.

A reference is a claim that a file exists only when the text says so (issue 9, class 8):
- a link is a claim when its target has a file extension and stays inside the repository; a link
  with no extension or a trailing ``/`` (``../http_api/``, ``../../accounts/profile/``) is a web
  route or a doc-generator URL, and one that climbs above the root (``../../actions/...``) is a
  GitHub page;
- a backtick span is a claim when it has a path's shape (a folder and a file name with a known
  extension) and its first folder is one this repository has. A path whose first folder is nowhere
  in the tree often describes another machine, a container or another project, and a bare file
  name (``configuration.py``) is often one the reader makes: both are recorded as weaker ``name``
  references, for a check that does not block;
- never a claim: generated output (``htmlcov/``, ``dist/``, ``_build/``...), paths the repository's
  ``.gitignore`` files ignore (local settings, ``.env``), placeholders (``path/to/x``, ``<name>``,
  ``SITE_ROOT/...``), and anything in a sentence that tells the reader to create, copy or generate
  it, gives it as an example, or says it does not exist.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import pathspec

from gonogo.collectors.submodules import submodule_folders
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.parallel import FileJob, map_files_cached, paired_with
from gonogo.registry import collector
from gonogo.relpaths import resolved_within
from gonogo.workspace import FileReadError, SourceFile, Workspace, decode_text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

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
HISTORY_DOCS = re.compile(r"^(changelog|changes|history|news|release[-_]?notes|releases$|old$)", re.IGNORECASE)
"""Documents (or folders of them) that describe the past: the paths they name may be long gone
(wagtail's ``docs/releases/5.2.md`` names the templates that release removed; ArchiveBox keeps
its superseded notes in ``old/``)."""
PLAN_DOCS = re.compile(r"^(plans|proposals|rfcs?|adrs?)$|^todo([-_.][^/]*)?\.(md|markdown)$", re.IGNORECASE)
"""Folders of documents that describe what is to be built, or why it was: the paths they name may
not exist yet, or any more (Prefect's ``plans/2026-02-05-cli-cyclopts-migration.md`` names the
modules the migration will add; ``plans/completed/`` those its refactor renamed since), and
``TODO`` documents (``TODO.md``, ArchiveBox's ``TODO_cli_refactor.md``)."""
NOT_A_PATH = re.compile(r"[\s<>{}()|=,;:'\"`$*?\[\]\\@!]|^[-~/.]?$|^-|^~|^/|://|^\.\.?/?$")
PLACEHOLDER = re.compile(
    r"(^|/)(path/to|your[-_]|my[-_]|my(app|model|project|module|package|plugin|script)|foo|bar|example|xxx"
    r"|x(\.x)+\.)",
    re.IGNORECASE,
)
UPPER_VARIABLE = re.compile(r"(^|/)(?:[A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{2,}NAME)/")
"""An upper-case variable standing for a folder: ``SITE_ROOT/integrations/``, ``NETBOX_ROOT/conf/``,
Nautobot's ``nautobot/APPNAME/factory.py``."""
GENERATED = frozenset(
    {"htmlcov", "dist", "build", "_build", "site", "node_modules", ".venv", "venv", ".tox", ".nox", "__pycache__"}
    | {".pytest_cache", ".mypy_cache", "coverage", ".coverage", "target", "out", ".next", ".nuxt"}
)
"""Folders tools write (coverage, packages, built docs, virtualenvs): docs name them as the output
of a command, not as files in the tree."""
NOT_A_CLAIM = re.compile(
    r"(?<!\w)(creat(e|es|ed|ing)|copy|copies|copied|copying|renam(e|es|ed|ing)|generat(e|es|ed|ing)|"
    r"will be (generated|created|written|stored|placed|saved)|save[sd]? (it |them )?as|make a copy|writes?|"
    r"put(?: \w{1,30}){1,3} in(?:to)?|"
    r"written|e\.g\.|e\.x\.|for example|for instance|such as|^\W*examples?|if (it|this file|the file|one) exists|"
    r"there is no|does not exist|doesn't exist|no longer|(was|were|been) (removed|deleted|renamed|moved)|"
    r"(can|could|may|should|must) (now )?be (removed|deleted)|formerly|fka)(?!\w)",
    re.IGNORECASE,
)
"""Words that turn a path into an instruction or an example rather than a statement that the file
is in the tree: "create ``hc/local_settings.py``", "copy ``.env.example`` to ``.env``", "the build
writes ``docs/_site/``", "e.g. ``orders/lock_objects.py``", "there is no ``docs/x.md``", "put the changes in
``sql/branch.sql``" (liberapay's file for the next release's schema changes), "``x.html``
can be deleted" (Nautobot's migration guide), a file's former name (awx's "``awx/main/wsrelay.py``
(formerly ``awx/main/wsbroadcast.py``)"), and a heading that opens with "Example" (redash's
"Example Configuration (``scripts/config.js``)")."""
TEMPLATE_FOLDERS = frozenset({"templates"})
"""Folders of what an application renders (a Django app's ``templates/``)."""
TEMPLATE_TAG = re.compile(r"\{%-? {0,8}[a-z_]{1,32}\b[^\n%]{0,200}%\}")
"""A Django or Jinja block tag (``{% load checklist_extras %}``, ``{% with v=... %}``); bounded,
so a hostile line of ``{% a`` does not cost its length at each of its starts."""
VERSION_HEADING = re.compile(
    r"(?<![\w.])v\d+(?:\.\d+)*(?![\w.])|\b(?:version|release)\s*:?\s*v?\d+(?:\.\d+)*(?![\w.])", re.IGNORECASE
)
"""A heading naming a version: ``... la version : v1.6``, ``... version 14``, ``l'upgrade v21``,
``Release 2.3``. A bare number is not enough: ``1.2 Configure`` numbers a section."""
_SECTIONS_OF_A_HISTORY = 3
"""Sections a level needs for its headings to say what the document is (a title alone does not)."""
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!e\.g\.)(?<!i\.e\.)(?<!e\.x\.)\s+")
MAX_DOC_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class DocReference:
    document: SourceFile
    line: int
    target: str
    how: str
    """``link``, ``code`` (a path in backticks) or ``name`` (a bare file name in backticks, or a
    path whose first folder is not in the tree: a weaker claim)."""
    exists: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DocReferenceFacts:
    documents: int
    references: tuple[DocReference, ...]


CANDIDATES_VERSION = 12
"""Bump when what :func:`document_candidates` finds changes, so cached results are recomputed (7: a
file's former name is no claim, and a history's sections are not read; 8: both, as two changes
made apart had each taken 7; 9: a Pelican link, ``{filename}../x.rst``, claims the path after its
placeholder only when that path is relative to the page; 10: the template test moves into the
cached function, which is told whether the document is in a templates folder; 11: the Markdown
files a document includes, ``{!path!}`` and ``--8<-- "path"``, are listed; 12: nor a file the
reader puts something in, "put the changes in ``sql/branch.sql``")."""


@collector("doc_references")
def doc_references(workspace: Workspace, options: ScanOptions, notes: Notes) -> DocReferenceFacts:
    known, folders = _known_paths(workspace)
    generates_pages = _generates_pages(workspace)
    submodules = frozenset(folder for _, folder in submodule_folders(workspace))
    names = _project_names(workspace)
    anchors = _Anchors(names=names, folders=folders)
    ignored = _Ignored.load(workspace)
    references: list[DocReference] = []
    documents = 0
    sources = [
        document for document in workspace.by_suffix(".md", ".markdown")
        if not any(HISTORY_DOCS.match(part) or PLAN_DOCS.match(part) for part in document.relpath.split("/"))
    ]
    # parsing the Markdown is the cost, and it depends on the bytes (and whether the document sits
    # in a templates folder) only: cached per content
    jobs = [
        FileJob(
            file=doc, namespace=f"docref{CANDIDATES_VERSION}{in_templates:d}", payload=paired_with(in_templates),
            limit=MAX_DOC_BYTES,
        )
        for doc in sources
        for in_templates in [_in_templates_folder(doc)]
    ]
    found = map_files_cached(document_candidates, jobs, options, workspace, stage="docs")
    includers = _includers(sources, found)
    for document, candidates in zip(sources, found, strict=True):
        if candidates is None:
            continue  # a page the application renders (:func:`document_candidates`)
        if not isinstance(candidates, tuple):
            notes.add(f"Markdown not read: {candidates}", path=document.display, source="docs")
            continue
        documents += 1
        for target, written_as, line in candidates:
            how = None if written_as == INCLUDED else _claim_kind(document, target, written_as, anchors, ignored)
            if how is None:
                continue
            exists = any(_exists(page, target, known, names) for page in (document, *includers.get(document, ())))
            if how == "link" and not exists and generates_pages and _folder_missing(document, target, folders):
                how = "name"  # a page the docs build writes, in a folder it makes
            elif not exists and _in_submodule(document, target, submodules):
                how = "name"  # a checkout without its submodules has no file there to show
            references.append(DocReference(document=document, line=line, target=target, how=how, exists=exists))
    return DocReferenceFacts(documents=documents, references=tuple(references))


def document_candidates(payload: tuple[bytes, bool]) -> tuple[tuple[str, str, int], ...] | str | None:
    """(target, how it is written, line) of every path-shaped reference in one Markdown document
    (its bytes, and whether it sits in a ``templates/`` folder), or why the document is not text.
    ``None`` for a page the application renders: a Markdown file in a ``templates/`` folder that
    holds a template tag (djangoproject.com's ``checklists/templates/checklists/_feature_freeze.md``
    renders a release checklist whose ``docs/conf.py`` is Django's own, in another repository);
    documentation kept in such a folder without template tags (healthchecks' ``templates/docs/*.md``)
    is still read. Top-level and path-free, so its result can be cached."""
    data, in_templates = payload
    try:
        text = decode_text(data)
    except FileReadError as exc:
        return str(exc)
    if in_templates and TEMPLATE_TAG.search(text) is not None:
        return None
    lines = text.splitlines()
    tokens = _parser().parse(text)
    if _is_version_history(tokens):
        return ()
    found = tuple(
        (target, written_as, _line_of(target, lines, block_line))
        for target, written_as, block_line in dict.fromkeys(_candidates(tokens))
    )
    return found + _includes(lines)


INCLUDE = re.compile(
    r"[ \t]{0,12}+(?:\{![ \t]{0,4}(?P<include>[^!{}\s]{1,300})[ \t]{0,4}!\}"
    r'|-{2}8<-{2}[ \t]{1,4}"(?P<snippet>[^"\s]{1,300})")[ \t]*'
)
"""A line that includes another Markdown file where it stands: markdown-include's ``{!path!}``
(SQLModel's and FastAPI's code annotations) or pymdown's snippets, ``--8<-- "path"``. Bounded
repeats between fixed delimiters: linear on any line."""
INCLUDED = "include"
"""How :func:`document_candidates` writes an included file: no claim of its own, but the page
whose links the included file's links are read from (:func:`_includers`)."""


def _includes(lines: list[str]) -> tuple[tuple[str, str, int], ...]:
    """(path, :data:`INCLUDED`, line) of each Markdown file the document includes (:data:`INCLUDE`)."""
    found: list[tuple[str, str, int]] = []
    for number, line in enumerate(lines, start=1):
        if "{!" not in line and "--8<--" not in line:
            continue
        match = INCLUDE.fullmatch(line)
        path = match and (match.group("include") or match.group("snippet"))
        if path and path.endswith((".md", ".markdown")):
            found.append((path, INCLUDED, number))
    return tuple(found)


def _includers(sources: list[SourceFile], found: Sequence[object]) -> dict[SourceFile, list[SourceFile]]:
    """The pages that include each document (:data:`INCLUDED`): an included file's relative links
    are resolved where it is rendered, from the including page's folder. The included path is
    read from the root (markdown-include's and snippets' default base) or from the includer's
    folder, and must be a document of the same root."""
    by_path: dict[tuple[Path, str], list[SourceFile]] = {}
    for doc in sources:  # each document under its path and under its path without version variants
        for path in dict.fromkeys((doc.relpath, PYTHON_VARIANT.sub("", doc.relpath))):
            by_path.setdefault((doc.root, path), []).append(doc)
    includers: dict[SourceFile, list[SourceFile]] = {}
    for page, candidates in zip(sources, found, strict=True):
        for target, written_as, _ in candidates if isinstance(candidates, tuple) else ():
            if written_as != INCLUDED:
                continue
            for base in ("", posixpath.dirname(page.relpath)):
                included = by_path.get((page.root, posixpath.normpath(posixpath.join(base, target))), [])
                for document in included:
                    if document is not page:
                        includers.setdefault(document, []).append(page)
                if included:
                    break
    return includers


PYTHON_VARIANT = re.compile(r"_py3\d{1,2}(?=/)")
"""A folder's suffix naming the Python version its copy is written for (SQLModel's and FastAPI's
``tutorial001_py310/`` beside ``tutorial001/``): markdown-include-variants includes the copy for
the reader's version where the page includes the plain one."""


def _in_templates_folder(document: SourceFile) -> bool:
    """The document sits in a folder of what an application renders (:data:`TEMPLATE_FOLDERS`)."""
    return not TEMPLATE_FOLDERS.isdisjoint(document.relpath.split("/")[:-1])


def _is_version_history(tokens: list[Token]) -> bool:
    """Whether the document is a history by its sections, whatever its name: most sections of its
    first level with several (the chapters under a title) each name a version. zds-site's
    ``update.md`` lists, under "Actions à faire pour mettre en prod la version : v1.6" and 24 more
    such headings, what each release needed in production: ``zds/settings_prod.py`` and
    ``doc/source/install/configs/settings_prod.py`` are gone since, as a changelog's paths may be."""
    levels: dict[str, list[str]] = {}
    for position, token in enumerate(tokens[:-1]):
        if token.type == "heading_open":
            levels.setdefault(token.tag, []).append(tokens[position + 1].content)
    for _, headings in sorted(levels.items()):
        if len(headings) >= _SECTIONS_OF_A_HISTORY:
            versions = sum(VERSION_HEADING.search(heading) is not None for heading in headings)
            return 4 * versions >= 3 * len(headings)
    return False


@functools.cache
def _parser() -> MarkdownIt:
    """Made when a document is parsed: a scan whose documents are all cached imports no parser."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def _candidates(tokens: list[Token]) -> list[tuple[str, str, int]]:
    found: list[tuple[str, str, int]] = []
    introduced: list[int] = []
    """The levels of the lists being read whose introducing sentence is no claim."""
    last_inline = ""
    for position, block in enumerate(tokens):
        if block.type in ("bullet_list_open", "ordered_list_open") and (
            introduced or _introduces_no_claims(tokens, position, last_inline)
        ):
            introduced.append(block.level)
        elif block.type in ("bullet_list_close", "ordered_list_close") and introduced and introduced[-1] == block.level:
            introduced.pop()
        if block.type != "inline" or not block.children:
            continue
        last_inline = block.content
        start = block.map[0] if block.map else 0
        listed = introduced and _only_a_path(block.children)
        not_claims = [block.content] if listed else _sentences_not_claiming(block.content)
        children = block.children
        for index, token in enumerate(children):
            if token.type == "link_open":
                href = str(token.attrs.get("href", ""))
                target = _link_target(href)
                if target and not _marked_external(children, index):
                    found.append((target, "link", start))
            elif token.type == "code_inline" and _looks_like_path(token.content):
                content = token.content.strip()
                span = token.markup + token.content + token.markup
                if not any(span in sentence for sentence in not_claims):
                    found.append((content, "code" if "/" in content else "name", start))
    return found


def _introduces_no_claims(tokens: list[Token], opened: int, paragraph: str) -> bool:
    """The list opened at ``opened`` follows a paragraph ending in a colon whose last sentence tells
    the reader to make what it lists (warehouse's "Create those 3 new templates in a folder named
    like your email:"): its items that are only a path (``_only_a_path``) are no claims either, as
    that sentence's own spans are not."""
    if opened == 0 or tokens[opened - 1].type != "paragraph_close" or not paragraph.rstrip().endswith(":"):
        return False
    sentences = [s for s in _SENTENCE_END.split(paragraph) if s]
    return bool(sentences) and NOT_A_CLAIM.search(sentences[-1]) is not None


def _only_a_path(children: list[Token]) -> bool:
    """A list item that is one path in backticks and nothing else (but punctuation): the shape of
    a list of files to make. An item that says more (starlette's "A version bump: see
    ``__version__.py``", under "create a pull request that includes:") is read as any paragraph."""
    spans = [token for token in children if token.type == "code_inline"]
    words = "".join(token.content for token in children if token.type == "text").strip(" \t.,;:")
    kinds = {token.type for token in children}
    return len(spans) == 1 and not words and kinds <= {"code_inline", "text", "softbreak"}


def _marked_external(children: list[Token], opened: int) -> bool:
    """The link is followed by MyST's ``{.external}`` attribute: its author says it leads out of
    the documentation (wagtail's ``[llms.txt](llms.txt){.external}``, a file its docs build writes)."""
    for index in range(opened + 1, len(children)):
        if children[index].type == "link_close":
            after = children[index + 1] if index + 1 < len(children) else None
            return after is not None and after.type == "text" and after.content.startswith("{.external")
    return False


def _sentences_not_claiming(paragraph: str) -> list[str]:
    """The sentences of a paragraph that tell the reader to make a file, or give one as an example:
    a span inside one of them is no claim. Judged once per paragraph, so a paragraph of a thousand
    paths costs one pass, not one pass per path."""
    return [s for s in _SENTENCE_END.split(paragraph) if s and NOT_A_CLAIM.search(s)]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Anchors:
    """Where a path in backticks may start for it to name a file of this tree."""

    names: frozenset[str]
    """The project's names: ``pygoat/introduction/urls.py`` is written from outside the clone."""
    folders: frozenset[str]
    """Every folder of the tree, as a path from its root."""

    def hold(self, document: SourceFile, target: str) -> bool:
        """The path's first folder is one at the root, or one beside the document, or the
        project's name. A first folder that only exists deeper down (``blocks/heading.html``
        where the tree has ``wagtail/blocks/``) is a template name, a path in the reader's own
        project or in a container: the reference may be to this tree, and is a ``name``."""
        lead: list[str] = []
        for part in target.rstrip("/").split("/")[:-1]:
            lead.append(part)
            if part not in (".", ".."):
                break
        if not lead or lead[-1] in (".", ".."):
            return False
        beside = posixpath.normpath(posixpath.join(posixpath.dirname(document.relpath), "/".join(lead)))
        return lead[-1] in self.names or lead[-1] in self.folders or beside in self.folders


def _claim_kind(document: SourceFile, target: str, how: str, anchors: _Anchors, ignored: _Ignored) -> str | None:
    """``how`` when the reference states that a file of this repository exists, ``name`` when it
    may (a bare name, or a path that does not start where the tree has that folder), None when it
    does not (see the module doc)."""
    parts = target.rstrip("/").split("/")
    if any(part in GENERATED for part in parts) or ignored.matches(document, target):
        return None
    if how == "link":
        return how if _inside_root(document, target) else None
    return "code" if how == "code" and anchors.hold(document, target) else "name"


def _inside_root(document: SourceFile, target: str) -> bool:
    """``../../actions/workflows/ci.yml`` from the README climbs above the repository: GitHub
    resolves it against the repository's web pages (a badge's link), not against the tree."""
    return resolved_within(posixpath.dirname(document.relpath), target) is not None


@dataclass(slots=True)
class _Ignored:
    """The repository's ``.gitignore`` files: a path they ignore is local or generated, never
    shipped, so a document naming it describes a file the reader makes (``local_settings.py``)."""

    specs: dict[tuple[str, str], pathspec.PathSpec[pathspec.Pattern]] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)
    """root -> last names of the plain file patterns (``/netbox/netbox/configuration.py`` ->
    ``configuration.py``), for bare file names."""

    @classmethod
    def load(cls, workspace: Workspace) -> _Ignored:
        # the patterns as the walk applied them (bounded, the unsafe ones refused): compiled again
        # here as they are written, one hostile line would hang the scan on the first path tried
        ignored = cls(specs={(str(root), folder): spec for (root, folder), spec in workspace.gitignore_specs().items()})
        for file in workspace.files:
            if file.name != ".gitignore":
                continue
            try:
                lines = workspace.read_text(file, limit=MAX_DOC_BYTES).splitlines()
            except FileReadError:
                continue
            names = ignored.names.setdefault(str(file.root), set())
            names.update(
                line.strip().rstrip("/").rsplit("/", 1)[-1]
                for line in lines
                if line.strip() and not line.startswith(("#", "!")) and not any(c in line for c in "*?[")
            )
        return ignored

    def matches(self, document: SourceFile, target: str) -> bool:
        root = str(document.root)
        clean = target.rstrip("/")
        if "/" not in clean:
            return clean in self.names.get(root, set())
        doc_dir = posixpath.dirname(document.relpath)
        candidates = {posixpath.normpath(posixpath.join(doc_dir, clean)), posixpath.normpath(clean)}
        for (spec_root, folder), spec in self.specs.items():
            if spec_root != root:
                continue
            prefix = f"{folder}/" if folder else ""
            for path in candidates:
                if path.startswith(prefix) and spec.match_file(path[len(prefix) :]):
                    return True
        return False


PELICAN_LINK = re.compile(r"^[{|](filename|static|attach|tag|category|author|index)[}|]")
"""Pelican's link to another page or file of the site: ``{filename}``, ``{static}`` or ``{attach}``
(``|filename|`` before Pelican 3.5), then the path; ``{tag}python``, ``{category}misc``,
``{author}``, ``{index}`` name a page Pelican generates. No repeats: linear on any link."""
PELICAN_FILE_PLACEHOLDERS = frozenset({"filename", "static", "attach"})


def _link_target(href: str) -> str | None:
    """The path a link claims, if it claims one. A bare name with no folder and no file extension
    (``[tools](helpers)``, ``[API](attrs.frozen)``, ``[Index](genindex)``) is a cross-reference
    target for Sphinx/MyST or MkDocs, resolved by the doc generator, not a file in the tree."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path or href.startswith("#"):
        return None
    path = unquote(parts.path)
    pelican = PELICAN_LINK.match(path)
    if pelican:
        # resolved by Pelican: after a file placeholder, a path from the page's folder or, with a
        # leading ``/``, from the content folder, a setting of the site; the others name no file
        if pelican.group(1) not in PELICAN_FILE_PLACEHOLDERS:
            return None
        path = path[pelican.end() :]
    if path.startswith("/"):
        return None
    last = path.rsplit("/", 1)[-1]
    if "/" not in path:
        return path if _extension(last) in FILE_EXTENSIONS and "." in last else None
    return path if _has_extension(last) else None


def _has_extension(name: str) -> bool:
    """``guide.md``, ``logo.svg``: a dot and a short word, not ``v1.2``, ``attrs.frozen`` or a
    trailing ``/`` (a route: ``../http_api/``)."""
    stem, dot, extension = name.rpartition(".")
    known = extension.lower() in FILE_EXTENSIONS or re.fullmatch(r"[a-z]{2,4}", extension) is not None
    return bool(dot and stem) and known


def _extension(name: str) -> str:
    """``py`` for ``app.py``; the whole name, lowered, when it has no dot."""
    return name.rsplit(".", 1)[-1].lower()


def _looks_like_path(text: str) -> bool:
    text = text.strip()
    if not text or len(text) > 200 or NOT_A_PATH.search(text):
        return False
    if PLACEHOLDER.search(text) or UPPER_VARIABLE.search(text):
        return False
    last = text.rsplit("/", 1)[-1]
    if "/" not in text:
        return _extension(last) in SOURCE_EXTENSIONS and not last.startswith(".") and last.count(".") == 1
    return "." in last and _extension(last) in FILE_EXTENSIONS


MKDOCS_CONFIGS = frozenset({"mkdocs.yml", "mkdocs.yaml"})


def _generates_pages(workspace: Workspace) -> bool:
    """An MkDocs site that writes pages when it builds (the ``gen-files`` plugin: Nautobot's
    ``code-reference/`` pages, made from its modules by a script). A link into a folder the tree
    does not have is then to such a page: a weaker claim (``name``), since no file shows it."""
    for file in workspace.files:
        if file.name in MKDOCS_CONFIGS:
            try:
                if "gen-files" in workspace.read_text(file, limit=MAX_DOC_BYTES):
                    return True
            except FileReadError:
                continue
    return False


def _in_submodule(document: SourceFile, target: str, submodules: frozenset[str]) -> bool:
    """The reference leads into a submodule's folder, read from the document's folder or the root."""
    if not submodules:
        return False
    target = target.rstrip("/")
    for joined in (posixpath.join(posixpath.dirname(document.relpath), target), target):
        path = posixpath.normpath(joined)
        if any(path == folder or path.startswith(folder + "/") for folder in submodules):
            return True
    return False


def _folder_missing(document: SourceFile, target: str, folders: frozenset[str]) -> bool:
    """The folder a link points into is nowhere in the tree (not a file missing from a folder that is)."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(document.relpath), target.rstrip("/")))
    folder = posixpath.dirname(joined)
    return bool(folder) and folder not in folders


def _known_paths(workspace: Workspace) -> tuple[dict[str, set[str]], frozenset[str]]:
    """Every file and folder path of the workspace, filed under its last name, so a reference is
    checked against the few paths that end like it rather than against the whole tree; and the
    folders alone, where a path in backticks may start (:class:`_Anchors`)."""
    by_name: dict[str, set[str]] = {}
    folders: set[str] = set()
    for file in workspace.files:
        parts = file.relpath.split("/")
        for end in range(1, len(parts) + 1):
            path = "/".join(parts[:end])
            by_name.setdefault(parts[end - 1], set()).add(path)
            if end < len(parts):
                folders.add(path)
    return by_name, frozenset(folders)


def _exists(document: SourceFile, target: str, known: dict[str, set[str]], names: frozenset[str]) -> bool:
    """The file, the page source a doc generator renders it from, the path without a leading
    folder named like the project (``pygoat/introduction/urls.py``: written from outside the
    clone), or the same page in another language's folder."""
    clean = target.rstrip("/")
    first, _, rest = clean.partition("/")
    paths = (clean, *_page_sources(clean), *((rest,) if rest and first in names else ()))
    return any(_file_exists(document, path, known) or _in_another_language(document, path, known) for path in paths)


LANGUAGE = re.compile(r"[a-z]{2}(?:[-_][a-z]{2,4})?")
"""A folder named for a language (``de``, ``zh-hant``, ``pt_br``)."""


def _in_another_language(document: SourceFile, target: str, known: dict[str, set[str]]) -> bool:
    """A translated page's link to a page not translated yet: the site serves the default
    language's (FastAPI's ``docs/de/docs/deployment/versions.md`` links ``../release-notes.md``,
    which only ``docs/en/docs/`` has). The path, resolved from the document, must exist with one
    language folder swapped for another."""
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(document.relpath), target)).split("/")
    languages = [i for i, part in enumerate(resolved[:-1]) if LANGUAGE.fullmatch(part)]
    if not languages:
        return False
    for candidate in known.get(resolved[-1], ()):
        parts = candidate.split("/")
        if len(parts) != len(resolved):
            continue
        differ = [i for i, (a, b) in enumerate(zip(parts, resolved, strict=True)) if a != b]
        if len(differ) == 1 and differ[0] in languages and LANGUAGE.fullmatch(parts[differ[0]]):
            return True
    return False


_SETUP_NAME = re.compile(r"""\bname"?\s*[=:]\s*["']([\w.-]+)["']""")


def _project_names(workspace: Workspace) -> frozenset[str]:
    """Each root's folder name and the project name its root manifest declares."""
    names = {root.path.name for root in workspace.roots}
    for file in workspace.files:
        if file.relpath in ("pyproject.toml", "setup.py", "package.json"):
            try:
                match = _SETUP_NAME.search(workspace.read_text(file, limit=MAX_DOC_BYTES))
            except FileReadError:
                continue
            if match:
                names.add(match.group(1))
    return frozenset(names)


def _page_sources(target: str) -> tuple[str, ...]:
    """``models/dcim/device/index.html`` and ``guide.html`` are pages MkDocs or Sphinx render from
    ``models/dcim/device.md`` and ``guide.md``/``guide.rst``: the built site is not in the tree.
    A folder's ``index.html`` is also the page MkDocs and TypeDoc render from its ``README.md``
    (wagtail's ``client/README.md``, rendered by TypeDoc, links ``../index.html``); a bare
    ``index.html`` is left to its ``index`` sources, as any ``README.md`` would match a bare name."""
    if not target.endswith(".html"):
        return ()
    stem = target.removesuffix(".html")
    readme: tuple[str, ...] = ()
    if stem == "index" or stem.endswith("/index"):
        folder = stem.removesuffix("index").rstrip("/")
        stems = (folder, f"{stem}") if folder else (stem,)
        readme = (f"{folder}/README.md",) if folder else ()
    else:
        stems = (stem,)
    return (*(f"{s}{suffix}" for s in stems for suffix in (".md", ".rst")), *readme)


AGENT_DIRS = frozenset({".claude"})
"""Folders of a coding agent's commands and context, read by the agent running in the folder that
holds them: a path in them is written from that folder (Flagsmith's ``frontend/.claude/commands/
unit-test.md`` names ``../api/README.md``, the API's README beside ``frontend/``)."""


def _file_exists(document: SourceFile, target: str, known: dict[str, set[str]]) -> bool:
    """Relative to the document, to its root, to the folder an agent's folder sits in, or as the
    tail of any path in the workspace (a bare file name anywhere, a path written from a
    sub-project's point of view)."""
    clean = target
    doc_dir = PurePosixPath(document.relpath).parent.as_posix()
    agent_base = _agent_project(doc_dir)
    for base in (doc_dir, ".", *((agent_base,) if agent_base is not None else ())):
        inside = resolved_within(base, clean)
        if inside is not None and _on_disk(document.root / inside):
            return True
    candidates = known.get(clean.rsplit("/", 1)[-1], set())
    return clean in candidates or any(path.endswith(f"/{clean}") for path in candidates)


def _agent_project(doc_dir: str) -> str | None:
    """The folder holding the first :data:`AGENT_DIRS` folder above a document (``"."`` at the
    root), or ``None`` outside one."""
    parts = doc_dir.split("/")
    for index, part in enumerate(parts):
        if part in AGENT_DIRS:
            return "/".join(parts[:index]) or "."
    return None


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
