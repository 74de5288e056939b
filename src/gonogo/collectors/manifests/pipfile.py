"""``Pipfile``: Pipenv's manifest, ``[packages]`` and ``[dev-packages]``."""

from __future__ import annotations

from packaging.requirements import Requirement

from gonogo.collectors.manifests.fields import as_list, table_at
from gonogo.collectors.manifests.model import Dependency, Errors, Manifest
from gonogo.collectors.manifests.requirements import REQUIREMENT_ERRORS
from gonogo.collectors.manifests.tomltext import LineFinder, load_toml
from gonogo.workspace import SourceFile


def parse_pipfile(text: str, file: SourceFile) -> Manifest | None:
    """The Pipfile's packages; ``None`` for an empty file, which is no project's manifest: awx's
    zero-byte ``awx/api/urls/Pipfile`` would otherwise be the nearest manifest of the API's URL
    modules, and Django, declared in ``requirements/requirements.in``, "not declared" there."""
    if not text.strip():
        return None
    data, error = load_toml(text)
    if data is None:
        return Manifest(file=file, kind="pipfile", is_lock=False, dependencies=(), errors=(error,))  # type: ignore[arg-type]
    lines = LineFinder(text)
    deps: list[Dependency] = []
    errors: Errors = []
    for section, group in (("packages", None), ("dev-packages", "dev")):
        start = lines.section(section)
        for name, value in table_at(data, section, "", lines, errors).items():
            line = lines.key(name, start) or start
            dep = _pipfile_dependency(str(name), value, file, line, group)
            if isinstance(dep, str):
                errors.append((line, dep))
            else:
                deps.append(dep)
    return Manifest(
        file=file, kind="pipfile", is_lock=False, dependencies=tuple(deps), errors=tuple(errors), is_application=True
    )


def _pipfile_dependency(
    name: str, value: object, file: SourceFile, line: int | None, group: str | None
) -> Dependency | str:
    url = None
    extras: tuple[str, ...] = ()
    marker = None
    editable = False
    match value:
        case str():
            specifier = "" if value.strip() == "*" else value.strip()
        case dict():
            raw = str(value.get("version", "*"))
            specifier = "" if raw.strip() == "*" else raw.strip()
            url = next((str(value[k]) for k in ("git", "file", "path") if k in value), None)
            extras = tuple(str(e) for e in as_list(value.get("extras")))
            marker = value.get("markers") if isinstance(value.get("markers"), str) else None
            editable = bool(value.get("editable", False))
        case _:
            return f"package {name!r} has an unreadable value {value!r}"
    try:
        Requirement(f"{name}{specifier}")
    except REQUIREMENT_ERRORS as exc:
        return f"package {name!r}: {exc}"
    return Dependency.of(
        name, specifier, file, line, group=group, extras=extras, marker=marker, url=url, editable=editable
    )
