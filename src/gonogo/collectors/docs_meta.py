"""The ``project_docs`` fact: each root's README (with its text), licence and changelog files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gonogo.registry import collector
from gonogo.workspace import FileReadError, SourceFile, Workspace

_README = re.compile(r"^readme(\.(md|rst|txt|markdown|adoc))?$", re.IGNORECASE)
_LICENSE = re.compile(r"^(licen[cs]e|copying|unlicense)([-.].*)?$", re.IGNORECASE)
_CHANGELOG = re.compile(r"^(changelog|changes|history|news|release[-_]?notes)(\.\w+)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class RootDocs:
    root: Path
    name: str
    readme: SourceFile | None
    readme_text: str | None
    license: SourceFile | None
    changelog: SourceFile | None
    readme_error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectDocs:
    roots: tuple[RootDocs, ...]


@collector("project_docs")
def project_docs(workspace: Workspace) -> ProjectDocs:
    found = []
    for root in workspace.roots:
        top = [f for f in workspace.files if f.root == root.path and "/" not in f.relpath]
        docs = [
            f
            for f in workspace.files
            if f.root == root.path and f.relpath.startswith("docs/") and f.relpath.count("/") == 1
        ]
        readme = _first(top, _README)
        text = error = None
        if readme is not None:
            try:
                text = workspace.read_text(readme)
            except FileReadError as exc:
                error = str(exc)
        found.append(
            RootDocs(
                root=root.path,
                name=root.name,
                readme=readme,
                readme_text=text,
                readme_error=error,
                license=_first(top, _LICENSE),
                changelog=_first(top, _CHANGELOG) or _first(docs, _CHANGELOG),
            )
        )
    return ProjectDocs(roots=tuple(found))


def _first(files: list[SourceFile], pattern: re.Pattern[str]) -> SourceFile | None:
    return next((f for f in sorted(files, key=lambda f: f.relpath) if pattern.match(f.name)), None)
