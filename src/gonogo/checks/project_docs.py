"""Project documentation checks (DOC1xx): a README that says how to install, run and test, a
licence, and a changelog for libraries."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gonogo.collectors.doc_references import DocReferenceFacts
from gonogo.collectors.docs_meta import ProjectDocs
from gonogo.collectors.manifests import ManifestFacts
from gonogo.model import Category, Severity
from gonogo.registry import CheckOutput, NotApplicable, check, fail

_TOPICS = (
    (
        "install",
        re.compile(
            r"\b(install|installation|setup|set up|getting started|pip |uv sync|"
            r"poetry install|docker compose up|docker-compose up|requirements)",
            re.I,
        ),
    ),
    (
        "run",
        re.compile(
            r"\b(usage|run|running|start|quick ?start|getting started|serve|launch|"
            r"example|cli)\b",
            re.I,
        ),
    ),
    ("test", re.compile(r"\b(test|tests|testing|pytest|tox|nox|make check)\b", re.I)),
)


@check("DOC101", "The project has a README", category=Category.DOCS, severity=Severity.MEDIUM)
def readme_exists(project_docs: ProjectDocs) -> Iterator[CheckOutput]:
    """Why: the README is where an operator or a new engineer starts; without one, how to build,
    configure and run the service lives in someone's head.
    Fix: add README.md saying what the project is, how to install, run and test it."""
    for root in project_docs.roots:
        if root.readme is None:
            yield fail(f"{root.name} has no README", key=root.name)
        elif root.readme_error:
            yield fail(
                f"{root.readme.display} cannot be read: {root.readme_error}", at=root.readme.at(None), key=root.name
            )
        elif not (root.readme_text or "").strip():
            yield fail(f"{root.readme.display} is empty", at=root.readme.at(None), key=root.name)


@check("DOC102", "The README says how to install, run and test", category=Category.DOCS, severity=Severity.LOW)
def readme_topics(project_docs: ProjectDocs) -> Iterator[CheckOutput]:
    """Why: a README that does not say how to install, run and test the project leaves each reader
    to rediscover it, and a release to depend on whoever remembers.
    Fix: add a section for each missing topic, with the commands."""
    for root in project_docs.roots:
        if root.readme is None or not root.readme_text:
            continue
        for topic, pattern in _TOPICS:
            if not pattern.search(root.readme_text):
                yield fail(
                    f"{root.readme.display} does not say how to {topic}",
                    at=root.readme.at(None),
                    key=topic,
                    topic=topic,
                )


@check("DOC103", "The project has a licence", category=Category.DOCS, severity=Severity.MEDIUM)
def license_exists(project_docs: ProjectDocs) -> Iterator[CheckOutput]:
    """Why: code without a licence cannot legally be used, changed or shipped by anyone else,
    including customers and auditors who ask.
    Fix: add a LICENSE file (and ``license`` in the project metadata)."""
    for root in project_docs.roots:
        if root.license is None:
            yield fail(f"{root.name} has no LICENSE (or COPYING) file", key=root.name)


@check("DOC104", "Libraries keep a changelog", category=Category.DOCS, severity=Severity.LOW)
def changelog_exists(project_docs: ProjectDocs, manifests: ManifestFacts) -> Iterator[CheckOutput]:
    """Why: people who depend on a library need to know what changed between versions before
    they upgrade; applications are judged by their release notes elsewhere.
    Fix: add CHANGELOG.md (Keep a Changelog format) and update it with every release."""
    libraries = {m.file.root for m in manifests.manifests if m.is_application is False}
    if not libraries:
        raise NotApplicable("no library manifest (a pyproject with a build system, setup.py/cfg)")
    for root in project_docs.roots:
        if root.root in libraries and root.changelog is None:
            yield fail(f"{root.name} is a library with no CHANGELOG", key=root.name)


@check("DOC002", "Loose file names in the docs exist", category=Category.DOCS, severity=Severity.LOW)
def missing_named_files(doc_references: DocReferenceFacts) -> Iterator[CheckOutput]:
    """Why: a bare file name in backticks (```settings.py```), or a path whose first folder the
    repository does not have (```orders/locks.py```), often names code that moved or was renamed,
    but as often a file the reader makes, one on another machine or in another project, or an
    example. On real projects most of these are not broken references, so this stays low and
    feeds no gate (DOC001 judges the paths that are claims).
    Fix: write the path from the repository root, correct the name, or say that the reader
    creates the file."""
    names = [ref for ref in doc_references.references if ref.how == "name"]
    if not names:
        raise NotApplicable("no loose file names in the docs")
    for ref in names:
        if not ref.exists:
            yield fail(
                f"names `{ref.target}`, which is nowhere in the tree",
                at=ref.document.at(ref.line),
                key=ref.target,
                target=ref.target,
            )
