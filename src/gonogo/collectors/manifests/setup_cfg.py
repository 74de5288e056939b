"""``setup.cfg``: setuptools' declarative configuration, as a manifest."""

from __future__ import annotations

import configparser

from gonogo.collectors.manifests.fields import add_pep508
from gonogo.collectors.manifests.model import Dependency, Errors, Manifest, normalise
from gonogo.collectors.manifests.package_discovery import setup_cfg_packaging
from gonogo.collectors.manifests.tomltext import LineFinder
from gonogo.workspace import SourceFile


def parse_setup_cfg(text: str, file: SourceFile) -> Manifest | None:
    """setuptools' declarative configuration; a ``setup.cfg`` holding only tool settings
    (``[flake8]``, ``[tool:pytest]``) is not a manifest and is ``None``."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        return Manifest(
            file=file,
            kind="setup.cfg",
            is_lock=False,
            dependencies=(),
            errors=((line, f"invalid setup.cfg: {exc.message if hasattr(exc, 'message') else exc}"),),
        )
    if not (parser.has_section("metadata") or parser.has_section("options")):
        return None
    lines = LineFinder(text)
    deps: list[Dependency] = []
    errors: Errors = []
    for misplaced in ("install_requires", "extras_require", "tests_require", "python_requires"):
        if parser.has_option("metadata", misplaced):
            why = f"{misplaced} is in [metadata], where setuptools ignores it; it goes in [options]"
            errors.append((lines.key(misplaced), why))
    sources: list[tuple[str | None, str, int | None]] = []
    if parser.has_option("options", "install_requires"):
        sources.append((None, parser.get("options", "install_requires"), lines.section("options")))
    if parser.has_section("options.extras_require"):
        start = lines.section("options.extras_require")
        for extra, value in parser.items("options.extras_require"):
            sources.append((extra, value, start))
    for group, value, start in sources:
        for item in value.splitlines():
            item = item.split(" #")[0].strip()
            if item and not item.startswith("#"):
                add_pep508(item, file, lines, start, group, deps, errors)
    name = parser.get("metadata", "name", fallback=None)
    return Manifest(
        file=file,
        kind="setup.cfg",
        is_lock=False,
        dependencies=tuple(deps),
        errors=tuple(errors),
        project_name=normalise(name) if name else None,
        is_application=False if name else None,
        packaging=setup_cfg_packaging(parser, lines.key("packages", lines.section("options"))),
    )
