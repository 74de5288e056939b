"""The ``containers`` fact: every container image a Dockerfile, a compose file, a Kubernetes
manifest or Helm values name, with its line, and each Dockerfile's instructions.

Dockerfile ``ARG`` defaults are substituted into ``FROM``; a ``FROM`` naming an earlier stage's
alias is not an image. YAML is read with PyYAML's node API so every value keeps its line; anchors,
aliases and ``<<`` merge keys resolve as Compose resolves them. Nothing is pulled or run.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from gonogo.collectors.image_builds import built_names
from gonogo.collectors.testpaths import DEVELOPMENT_NAME_WORDS, SET_UP_WORDS
from gonogo.collectors.yamltext import MergedMappings, YamlShapeError, compose_documents
from gonogo.registry import collector
from gonogo.relpaths import at_or_below, resolved_within
from gonogo.workspace import FileReadError, SourceFile, Workspace

_COMPOSE = re.compile(r"^(docker-)?compose([-.][\w.-]+)?\.ya?ml$", re.IGNORECASE)
_DOCKERFILE = re.compile(r"^(Dockerfile|Containerfile)([-.][\w.-]+)?$|^[\w.-]+\.(dockerfile|Dockerfile)$")


def is_dockerfile_name(name: str) -> bool:
    """``Dockerfile``, ``Dockerfile.dev``, ``Containerfile``, ``app.dockerfile``."""
    return _DOCKERFILE.match(name) is not None
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?[-=]([^}]*))?\}?")
FLOATING_TAGS = frozenset(
    {
        "latest",
        "main",
        "master",
        "edge",
        "stable",
        "nightly",
        "dev",
        "develop",
        "current",
        "lts",
        "rolling",
        "head",
        "trunk",
        "beta",
        "alpha",
        "next",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageRef:
    """An image named somewhere, as written and with variables resolved where the file says how."""

    file: SourceFile
    line: int | None
    written: str
    image: str
    """With ``ARG``/``${VAR:-default}`` defaults substituted; may still hold ``${VAR}``."""
    source: str
    """``dockerfile``, ``compose``, ``kubernetes`` or ``helm``."""
    context: str = ""
    """The compose service, Kubernetes object or Dockerfile stage it belongs to."""
    hint: str | None = None
    """A version written in a comment on the image's line (``image: redis:latest  # 7.2.4``)."""
    built: bool = False
    """Built from this repository, not pulled: a compose service with ``build:`` names the image it
    builds (``image: backend:latest``), and another service of the same compose project naming that
    image uses the local build. Its tag is a label the build gives, not a version to pin. So is a
    Dockerfile's base that a script of the repository builds under that name (``image_builds``), and
    an image on the machine's own registry (:data:`LOCAL_HOSTS`)."""
    development: bool = False
    """Named by a development set-up's compose file (:func:`runs_the_checkout`), or by a Dockerfile
    one of its services builds (BookWyrm's ``dev-tools/Dockerfile``, built by
    ``docker-compose.dev.yml``; modoboa's ``docker/Dockerfile.amavis.dev``, named with
    ``dockerfile:``): it runs on a developer's machine, not in a deployment."""

    @property
    def kind(self) -> str:
        return classify(self.image)

    @property
    def repository(self) -> str:
        return split_image(self.image)[0]

    @property
    def tag(self) -> str | None:
        return split_image(self.image)[1]


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """(repository, tag, digest) of ``registry/repo:tag@sha256:...``."""
    rest, _, digest = image.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        return rest[:colon], rest[colon + 1 :], digest or None
    return rest, None, digest or None


def classify(image: str) -> str:
    """``digest``, ``version``, ``floating``, ``untagged`` or ``variable`` (set at deploy time)."""
    _, tag, digest = split_image(image)
    if digest:
        return "digest"
    if "$" in image or "{{" in image:
        return "variable"
    if tag is None:
        return "untagged"
    if tag.lower() in FLOATING_TAGS or not re.search(r"\d", tag):
        return "floating"
    return "version"


@dataclass(frozen=True, slots=True, kw_only=True)
class Instruction:
    line: int
    keyword: str
    """Upper case: ``FROM``, ``RUN``, ``USER``..."""
    arguments: str
    stage: int
    """0-based index of the build stage (the ``FROM`` it follows)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Dockerfile:
    file: SourceFile
    instructions: tuple[Instruction, ...]

    @property
    def final_stage(self) -> tuple[Instruction, ...]:
        last = max((i.stage for i in self.instructions), default=0)
        return tuple(i for i in self.instructions if i.stage == last)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerFacts:
    images: tuple[ImageRef, ...]
    dockerfiles: tuple[Dockerfile, ...]
    errors: tuple[tuple[SourceFile, int | None, str], ...] = ()
    development_compose: frozenset[str] = frozenset()
    """Display paths of the compose files that run the checkout (:func:`runs_the_checkout`): a
    developer's set-up, whose services are local ones."""
    development_configs: frozenset[str] = frozenset()
    """Display paths of the repository folders and files that only such compose files bind-mount
    on a service's ``/etc/`` (:func:`service_configs`): a local service's configuration."""


@collector("containers")
def containers(workspace: Workspace) -> ContainerFacts:
    images: list[ImageRef] = []
    dockerfiles: list[Dockerfile] = []
    errors: list[tuple[SourceFile, int | None, str]] = []
    built: dict[str, set[str]] = {}  # folder -> the compose services with a ``build:`` there
    roles = ComposeRoles()
    for file in workspace.files:
        is_dockerfile = is_dockerfile_name(file.name)
        is_yaml = file.suffix in (".yml", ".yaml")
        if not (is_dockerfile or is_yaml):
            continue
        try:
            text = workspace.read_text(file)
        except FileReadError as exc:
            if is_dockerfile or _COMPOSE.match(file.name):
                errors.append((file, None, str(exc)))
            continue
        found: list[ImageRef] = []
        if is_dockerfile:
            dockerfile, found = parse_dockerfile(text, file)
            dockerfiles.append(dockerfile)
        elif _COMPOSE.match(file.name):
            found = _yaml_images(text, file, "compose", errors, built.setdefault(_folder(file), set()), roles)
        elif "templates/" in file.relpath and "{{" in text:
            continue  # a Helm template: not YAML until rendered; its values file names the images
        elif re.search(r"^[^\S\n]*+apiVersion\s*:", text, re.MULTILINE) and "image" in text:
            found = _yaml_images(text, file, "kubernetes", errors)
        elif file.name.startswith("values") and "repository" in text:
            found = _yaml_images(text, file, "helm", errors)
        images.extend(_with_hints(found, text))
    images = _mark_development(_mark_local(_mark_built_bases(workspace, _mark_built(images, built))), roles)
    development = frozenset(f.display for f in workspace.files if f.relpath in roles.development)
    configs = frozenset(roles.only_development_configs())
    return ContainerFacts(
        images=tuple(images), dockerfiles=tuple(dockerfiles), errors=tuple(errors), development_compose=development,
        development_configs=configs,
    )


def _mark_built(images: list[ImageRef], built: dict[str, set[str]]) -> list[ImageRef]:
    """Compose merges the compose files of one folder (``compose.yml`` + ``compose.override.yml``)
    into one project: a service built in any of them builds its image in all, and a service naming
    an image another service builds runs that build."""
    built_images: dict[str, set[str]] = {}
    for image in images:
        folder = _folder(image.file)
        if image.source == "compose" and image.context in built.get(folder, set()):
            built_images.setdefault(folder, set()).add(image.image)
    return [
        replace(image, built=True)
        if image.source == "compose" and image.image in built_images.get(_folder(image.file), set())
        else image
        for image in images
    ]


def _mark_built_bases(workspace: Workspace, images: list[ImageRef]) -> list[ImageRef]:
    """A Dockerfile's floating or untagged ``FROM`` that a script of the same root builds under
    that name (``image_builds``: SecureDrop's ``bin/dev-shell`` tags
    ``securedrop-slim-${UBUNTU_VERSION}-py3``, the test image's base): a local build, not a pull.
    Only a Dockerfile's base: a compose file or a Kubernetes manifest naming such an image may
    pull the tag the script pushed."""
    wanted: dict[Path, set[str]] = defaultdict(set)
    for image in images:
        if image.source == "dockerfile" and not image.built and image.kind in ("floating", "untagged"):
            wanted[image.file.root].update((image.written, image.image))
    built = {root: built_names(workspace, root, names) for root, names in wanted.items()}
    return [
        replace(image, built=True)
        if image.source == "dockerfile" and built.get(image.file.root, set()) & {image.written, image.image}
        else image
        for image in images
    ]


LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
"""Registries on the machine itself. Podman names an image it built ``localhost/NAME``; a registry
at ``localhost:5000`` holds what a build on the same machine pushed there (a kind cluster's)."""


def _mark_local(images: list[ImageRef]) -> list[ImageRef]:
    """An image on the machine's own registry (:data:`LOCAL_HOSTS`) was built there, not pulled:
    SearXNG's ``container/dist.dockerfile`` starts ``FROM localhost/$ORG/$NAME:builder``, the image
    its build script tags from ``builder.dockerfile`` a step before. Its tag is the build's label."""
    return [replace(image, built=True) if _registry_host(image.image) in LOCAL_HOSTS else image for image in images]


def _registry_host(image: str) -> str | None:
    """The registry's host of ``host[:port]/repo:tag``; ``None`` for Docker Hub's short names
    (``redis``, ``library/redis``: a first part without a dot, a colon or ``localhost``)."""
    first, slash, _ = image.partition("/")
    if not slash or not ("." in first or ":" in first or first == "localhost"):
        return None
    if first.startswith("["):  # an IPv6 address: its colons are not the port's
        return first[: first.find("]") + 1]
    return first.rsplit(":", 1)[0] if ":" in first else first


@dataclass(slots=True)
class ComposeRoles:
    """What the compose files say of the set-up they belong to, by root-relative path."""

    development: set[str] = field(default_factory=set)
    """Compose files that run the checkout (:func:`runs_the_checkout`)."""
    development_builds: set[str] = field(default_factory=set)
    """Folders their services build."""
    other_builds: set[str] = field(default_factory=set)
    """Folders the services of the other compose files build."""
    development_configs: set[str] = field(default_factory=set)
    """Display paths development compose files mount on a service's ``/etc/``."""
    other_configs: set[str] = field(default_factory=set)
    """Display paths the other compose files bind-mount anywhere."""
    development_dockerfiles: set[str] = field(default_factory=set)
    """Dockerfiles development compose files name with ``dockerfile:`` (root-relative)."""
    other_dockerfiles: set[str] = field(default_factory=set)
    """Dockerfiles the other compose files name so."""

    def only_development_configs(self) -> set[str]:
        """The development configurations no other compose file mounts, nor a folder around or
        inside one (a deployment mounting ``docker/`` shares ``docker/dovecot_config``)."""
        return {
            path for path in self.development_configs
            if not any(at_or_below(path, other) or at_or_below(other, path) for other in self.other_configs)
        }

    def dockerfile_only_for_development(self, relpath: str) -> bool:
        """A Dockerfile named for development (:func:`names_development`) that only development
        set-ups name with ``dockerfile:``: modoboa's ``docker/Dockerfile.amavis.dev``, built from
        the root's context by its compose file that runs the checkout."""
        return (
            relpath in self.development_dockerfiles
            and relpath not in self.other_dockerfiles
            and names_development(relpath)
        )

    def builds_only_for_development(self, folder: str) -> bool:
        """Only development set-ups build there, and it is not the root, whose Dockerfile is the
        project's image even when the development set-up builds it too (redash's ``build: .``)."""
        return bool(folder) and folder in self.development_builds and folder not in self.other_builds


def _mark_development(images: list[ImageRef], roles: ComposeRoles) -> list[ImageRef]:
    """The images of a development compose file, and the base images of a Dockerfile in a folder
    only development set-ups build."""
    return [
        replace(image, development=True)
        if image.file.relpath in roles.development
        or (image.source == "dockerfile" and roles.builds_only_for_development(image.file.relpath.rpartition("/")[0]))
        or (image.source == "dockerfile" and roles.dockerfile_only_for_development(image.file.relpath))
        else image
        for image in images
    ]


_CHECKOUT = re.compile(r"(?:\.\.?/?)(?:\.\./?)*|\$\{?PWD\}?/?")
"""A bind mount's source that is the compose file's folder or one above it (``.``, ``./``, ``..``),
or the folder compose runs in (``${PWD}``)."""


def runs_the_checkout(file: SourceFile, volumes: list[str]) -> bool:
    """A service bind-mounts the repository's root (``.:/app`` in a compose file at the root,
    ``${PWD}:/usr/src/app``, ``${BASE:-../../}:/app`` two folders down): it runs the working tree
    as edited, which is how a development set-up runs (redash's ``compose.yaml``, "for the
    development setup"; readthedocs.org's ``docker-compose.override.yml``); a deployment runs
    images with the code built in. A mount of a subfolder (``./nginx/conf:/etc/nginx``) is
    configuration, and says nothing."""
    depth = file.relpath.count("/")
    for volume in volumes:
        source = _mount_source(volume)
        if not _CHECKOUT.fullmatch(source):
            continue
        if "PWD" in source or source.rstrip("/").count("..") >= depth:
            return True
    return False


_DEFAULTED = re.compile(r"\$\{\w+:?-([^}]*)\}")
"""``${VAR:-default}`` or ``${VAR-default}``: compose takes the default when the variable is unset."""


def _mount_source(volume: str) -> str:
    """A short-syntax mount's source, each variable with a default read as that default:
    CourtListener's ``${CL_BASE_DIR:-../../}:/opt/courtlistener`` mounts the repository's root
    unless told otherwise (and the variable's own colon is not the mount's separator)."""
    return _DEFAULTED.sub(lambda match: match.group(1), volume).split(":", 1)[0].strip()


def _build_folder(file: SourceFile, build: yaml.Node, mappings: MergedMappings) -> str | None:
    """The root-relative folder a service's ``build:`` (a path, or a mapping with ``context``)
    names, when it stays inside the repository."""
    context = build if isinstance(build, yaml.ScalarNode) else mappings.get(build, "context")
    if not isinstance(context, yaml.ScalarNode) or not isinstance(context.value, str):
        return None
    parts = [p for p in file.relpath.split("/")[:-1] if p]
    for part in context.value.strip().split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def _volume_sources(body: yaml.Node, mappings: MergedMappings) -> list[str]:
    """A service's bind mounts as ``source:target`` text: short syntax as written, the long
    syntax's ``type: bind`` entries from their ``source``."""
    volumes = mappings.get(body, "volumes")
    if not isinstance(volumes, yaml.SequenceNode):
        return []
    found: list[str] = []
    for item in volumes.value:
        if isinstance(item, yaml.ScalarNode) and isinstance(item.value, str):
            found.append(item.value)
        elif isinstance(item, yaml.MappingNode):
            kind, source = mappings.get(item, "type"), mappings.get(item, "source")
            if isinstance(kind, yaml.ScalarNode) and kind.value == "bind" and isinstance(source, yaml.ScalarNode):
                found.append(f"{source.value}:")
    return found


def _folder(file: SourceFile) -> str:
    return f"{file.root}/{file.relpath.rpartition('/')[0]}"


_HINT = re.compile(r"#.*?\b(v?\d+(?:\.\d+)+[\w.-]*)")


def _with_hints(found: list[ImageRef], text: str) -> list[ImageRef]:
    lines = text.splitlines()
    out = []
    for ref in found:
        hint = None
        if ref.line and ref.line <= len(lines):
            # read from the line's first ``#``, within a bound: tried from every ``#`` of a line of
            # them, the lazy ``.*?`` scanned from each to the line's end
            line = lines[ref.line - 1]
            comment = line.find("#")
            match = _HINT.search(line, comment, comment + 500) if comment >= 0 else None
            hint = match.group(1) if match else None
        out.append(replace(ref, hint=hint) if hint else ref)
    return out


def _logical(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#") and buffer:
            continue  # comments inside a continuation are dropped by docker
        if not buffer:
            if not stripped or stripped.startswith("#"):
                continue
            start = number
        if stripped.endswith("\\"):
            buffer.append(stripped[:-1])
            continue
        buffer.append(stripped)
        out.append((start, " ".join(buffer)))
        buffer = []
    if buffer:
        out.append((start, " ".join(buffer)))
    return out


def parse_dockerfile(text: str, file: SourceFile) -> tuple[Dockerfile, list[ImageRef]]:
    instructions: list[Instruction] = []
    images: list[ImageRef] = []
    args: dict[str, str] = {}
    aliases: set[str] = set()
    stage = -1
    for line, content in _logical(text):
        keyword, _, arguments = content.partition(" ")
        keyword = keyword.upper()
        arguments = arguments.strip()
        if keyword == "ARG" and stage < 0:
            name, _, default = arguments.partition("=")
            args[name.strip()] = default.strip().strip("\"'")
        if keyword == "FROM":
            stage += 1
            words = [w for w in arguments.split() if not w.startswith("--")]
            written = words[0] if words else ""
            if len(words) >= 3 and words[1].lower() == "as":
                aliases.add(words[2].lower())
            resolved = _substitute(written, args)
            if written and resolved.lower() not in aliases and resolved.lower() != "scratch":
                images.append(
                    ImageRef(
                        file=file,
                        line=line,
                        written=written,
                        image=resolved,
                        source="dockerfile",
                        context=f"stage {stage}",
                    )
                )
        instructions.append(Instruction(line=line, keyword=keyword, arguments=arguments, stage=max(stage, 0)))
    return Dockerfile(file=file, instructions=tuple(instructions)), images


def _substitute(value: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if variables.get(name):
            return variables[name]
        return default if default is not None else match.group(0)

    return _VARIABLE.sub(replace, value)


def _yaml_images(
    text: str,
    file: SourceFile,
    source: str,
    errors: list[tuple[SourceFile, int | None, str]],
    built: set[str] | None = None,
    roles: ComposeRoles | None = None,
) -> list[ImageRef]:
    """The images a YAML file names; for compose, ``built`` collects the services with ``build:``
    and ``roles`` whether the file is a development set-up and the folders its services build."""
    try:
        shapes: list[tuple[int, str]] = []
        found = _images_in(list(yaml_documents(text)), file, source, built, shapes, roles)
        errors.extend((file, line, f"invalid compose file: {why}") for line, why in shapes)
        return found
    except yaml.YAMLError as exc:
        errors.append((file, *yaml_error(exc)))
    except YamlShapeError as exc:
        errors.append((file, exc.line, f"invalid YAML: {exc}"))
    except RecursionError:  # a chain of merges deeper than the stack
        errors.append((file, None, "invalid YAML: merges nested too deeply"))
    return []


def _images_in(
    documents: list[yaml.Node],
    file: SourceFile,
    source: str,
    built: set[str] | None,
    shapes: list[tuple[int, str]],
    roles: ComposeRoles | None = None,
) -> list[ImageRef]:
    """The images the documents name. A compose ``services`` or service of the wrong shape (a
    list where Compose wants a mapping) goes to ``shapes`` with its line; the others still count."""
    mappings = MergedMappings()
    found: list[ImageRef] = []
    volumes: list[str] = []
    builds: list[str] = []
    dockerfiles: list[str] = []
    for document in documents:
        if not isinstance(document, yaml.MappingNode):
            continue
        if source == "compose":
            services = mappings.get(document, "services")
            if services is not None and not isinstance(services, yaml.MappingNode | yaml.ScalarNode):
                shapes.append((services.start_mark.line + 1, "'services' must map service names to settings"))
            if isinstance(services, yaml.MappingNode):
                for name, body in mappings.items(services):
                    if not isinstance(body, yaml.MappingNode | yaml.ScalarNode):
                        shapes.append((body.start_mark.line + 1, f"service {name!r} must be a mapping of settings"))
                        continue
                    build = mappings.get(body, "build")
                    if built is not None and build is not None:
                        built.add(name)
                    folder = _build_folder(file, build, mappings) if build is not None else None
                    if folder is not None:
                        builds.append(folder)
                        dockerfiles.extend(_named_dockerfile(folder, build, mappings))
                    volumes.extend(_volume_sources(body, mappings))
                    image = mappings.get(body, "image")
                    if isinstance(image, yaml.ScalarNode) and image.value:
                        found.append(_ref(file, image, source, name))
        else:
            found.extend(_walk_images(document, file, source, mappings))
    if roles is not None and (runs_the_checkout(file, volumes) or names_a_set_up_not_deployed(file.relpath)):
        roles.development.add(file.relpath)
        roles.development_builds.update(builds)
        roles.development_dockerfiles.update(dockerfiles)
        roles.development_configs.update(_shown(file, service_configs(file, volumes, etc_only=True)))
    elif roles is not None:
        roles.other_builds.update(builds)
        roles.other_dockerfiles.update(dockerfiles)
        roles.other_configs.update(_shown(file, service_configs(file, volumes, etc_only=False)))
    return found


def _shown(file: SourceFile, paths: set[str]) -> set[str]:
    """Root-relative ``paths`` as findings show them: with the compose file's root prefix when the
    scan has several roots."""
    prefix = file.display.removesuffix(file.relpath)
    return {f"{prefix}{path}" for path in paths}


def service_configs(file: SourceFile, volumes: list[str], *, etc_only: bool) -> set[str]:
    """The repository paths (root-relative) that bind mounts (``./docker/dovecot_config:/etc/
    dovecot/conf.d``) take from a folder below the compose file's root, on ``/etc/`` when
    ``etc_only``: a service's configuration. Not the checkout itself (``.``, ``..``, a path
    leaving it), not a named volume or a variable (no ``./`` start), not the long syntax (its
    target is not kept here)."""
    folder = file.relpath.rpartition("/")[0]
    found: set[str] = set()
    for volume in volumes:
        source, _, rest = volume.partition(":")
        target = rest.partition(":")[0].strip()
        if not source.startswith(("./", "../")) or (etc_only and not target.startswith("/etc/")):
            continue
        path = resolved_within(folder, source.strip())
        if path is not None and path != ".":
            found.add(path)
    return found


def names_development(relpath: str) -> bool:
    """The Dockerfile's own name (not its folder) has a word of :data:`DEVELOPMENT_NAME_WORDS`."""
    return not DEVELOPMENT_NAME_WORDS.isdisjoint(_name_words(relpath))


NOT_DEPLOYED_COMPOSE_WORDS = SET_UP_WORDS | {"e2e"}
"""Words of a compose file's name that say which set-up it starts, one nothing deploys:
``docker-compose.dev.yml``, mwdb's ``compose/compose.with-dev.yml`` and ``compose.with-e2e.yml``,
``docker-compose.test.yml``, ``docker-compose.ci.yml``."""


def names_a_set_up_not_deployed(relpath: str) -> bool:
    """The compose file's own name has a word of :data:`NOT_DEPLOYED_COMPOSE_WORDS`."""
    return not NOT_DEPLOYED_COMPOSE_WORDS.isdisjoint(_name_words(relpath))


def _name_words(relpath: str) -> list[str]:
    return re.split(r"[._-]+", relpath.rpartition("/")[2].lower())


def _named_dockerfile(folder: str, build: yaml.Node | None, mappings: MergedMappings) -> list[str]:
    """The root-relative Dockerfile a ``build:`` mapping names with ``dockerfile:``, resolved
    against its context ``folder``; nothing for a path that leaves the repository, an absolute
    one, or a value of another shape."""
    named = mappings.get(build, "dockerfile") if isinstance(build, yaml.MappingNode) else None
    if not isinstance(named, yaml.ScalarNode) or not isinstance(named.value, str):
        return []
    path = resolved_within(folder, named.value.strip())
    return [] if path is None else [path]


@lru_cache(maxsize=256)
def yaml_documents(text: str) -> tuple[yaml.Node, ...]:
    """Every document of a YAML text as PyYAML nodes (lines kept). Cached by text, so the images
    pass here and the deployment pass (``collectors/deployment.py``) parse a file once. Raises
    ``yaml.YAMLError`` or ``YamlShapeError``; callers treat the nodes as read-only."""
    return tuple(compose_documents(text))


def yaml_error(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """(line, reason) of a YAML error, in one line."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    reason = f"invalid YAML: {context + ': ' if context else ''}{problem}"
    return (mark.line + 1 if mark else None), reason


def _ref(file: SourceFile, node: yaml.ScalarNode, source: str, context: str) -> ImageRef:
    written = str(node.value).strip()
    return ImageRef(
        file=file,
        line=node.start_mark.line + 1,
        written=written,
        image=_substitute(written, {}),
        source=source,
        context=context,
    )


def mapping_items(node: yaml.Node) -> list[tuple[str, yaml.Node]]:
    """A mapping's (key, value) pairs with ``<<`` merges applied (explicit keys win), bounded like
    every merge here (a merge bomb raises ``YamlShapeError``); other nodes have none."""
    return MergedMappings().items(node)


def mapping_get(node: yaml.Node | None, name: str) -> yaml.Node | None:
    return MergedMappings().get(node, name) if node is not None else None


def _walk_images(document: yaml.Node, file: SourceFile, source: str, mappings: MergedMappings) -> list[ImageRef]:
    """``image: x`` scalars anywhere, and Helm's ``image: {repository, tag, digest}`` mappings."""
    found: list[ImageRef] = []
    stack: list[tuple[yaml.Node, int]] = [(document, 0)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if id(node) in seen or depth > 200:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        items = dict(mappings.items(node))
        repository = items.get("repository")
        if source == "helm" and isinstance(repository, yaml.ScalarNode) and repository.value:
            tag = items.get("tag")
            digest = items.get("digest")
            image = str(repository.value)
            registry = items.get("registry")
            if isinstance(registry, yaml.ScalarNode) and registry.value:
                image = f"{registry.value}/{image}"
            tag_value = str(tag.value) if isinstance(tag, yaml.ScalarNode) and tag.value else ""
            if tag_value:
                image += f":{tag_value}"
            elif tag is not None:
                image += ":{{ .Chart.AppVersion }}"  # an empty tag defaults to the chart's version
            if isinstance(digest, yaml.ScalarNode) and digest.value:
                image += f"@{digest.value}"
            found.append(
                ImageRef(file=file, line=repository.start_mark.line + 1, written=image, image=image, source=source)
            )
            continue
        for key, value in items.items():
            if key == "image" and isinstance(value, yaml.ScalarNode) and value.value:
                found.append(_ref(file, value, source, ""))
            else:
                stack.append((value, depth + 1))
    found.sort(key=lambda r: r.line or 0)
    return found
