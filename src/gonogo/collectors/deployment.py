"""The ``deployment`` fact: what Kubernetes manifests, Helm charts and Compose files say about how
the service runs (probes, resources, replicas, disruption budgets, privileges, restart policies),
each with its file and line. No judgement here: ``checks/operations.py`` judges.

YAML is parsed once, through ``containers.yaml_documents`` (shared with the images pass). A Helm
template is read as text: a line that is only a template action (``{{- if ... }}``) is dropped,
``{{- toYaml .Values.x | nindent N }}`` becomes a reference to ``x`` in the chart's
``values.yaml`` (resolved there when the chart has one), and an inline ``{{ ... }}`` becomes a
placeholder meaning "set at render time". What the text cannot tell is recorded as templated,
which the checks take as present rather than guess.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import overload

import yaml

from gonogo.collectors.containers import (
    classify,
    mapping_get,
    mapping_items,
    yaml_documents,
)
from gonogo.collectors.yamltext import YamlShapeError
from gonogo.registry import collector
from gonogo.workspace import FileReadError, SourceFile, Workspace

WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet"})
_COMPOSE = re.compile(r"^(docker-)?compose([-.][\w.-]+)?\.ya?ml$", re.IGNORECASE)
_DEV_MARK = re.compile(
    r"(^|[-._/])(dev|devel|development|local|test|tests|testing|ci|e2e|debug|override|devcontainer|example|docs)"
    r"([-._/]|$)",
    re.IGNORECASE,
)
_TEMPLATED = "__helm__"
_VALUES_KEY = "__helm_values__"
_ACTION_LINE = re.compile(r"^(\s*)\{\{-?(.*?)-?\}\}\s*$")
_INLINE = re.compile(r"\{\{.*?\}\}")
_KEYED_ACTION = re.compile(r"^(\s*+-?\s*[\w./-]+:)\s*\{\{-?(.*?)-?\}\}\s*$")
_TO_YAML = re.compile(r"toYaml\s+(\.Values\.[\w.]+|\.)(?:.*?\bn?indent\s+(\d+))?")
_WITH = re.compile(r"^\s*with\s+\.Values\.([\w.]+)")
_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|DSN)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    """A field as the manifest states it: absent, set (with its line), or set at render time."""

    line: int | None = None
    value: str | None = None
    """The scalar as written, ``None`` for a mapping or sequence."""
    templated: bool = False
    empty: bool = False
    """Present but an empty mapping/sequence or null (``resources: {}``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Container:
    name: str
    line: int | None
    image: str
    init: bool
    settings: tuple[tuple[str, Setting], ...] = ()
    """Dotted paths (``livenessProbe``, ``resources.limits.memory``, ``securityContext.privileged``)
    to what the manifest states; a path not listed is absent."""

    def get(self, path: str) -> Setting | None:
        return _lookup(self.settings, path)

    @property
    def image_kind(self) -> str:
        return classify(self.image)


@dataclass(frozen=True, slots=True, kw_only=True)
class Workload:
    file: SourceFile
    line: int | None
    kind: str
    name: str
    helm: bool
    replicas: Setting | None
    labels: tuple[tuple[str, str], ...]
    """The pod template's labels, which Services, budgets and HPAs select."""
    containers: tuple[Container, ...]
    pod: tuple[tuple[str, Setting], ...] = ()
    """Pod-level fields: ``securityContext.runAsNonRoot``, ``hostNetwork``, ``hostPID``..."""
    host_paths: tuple[tuple[int | None, str], ...] = ()

    def pod_get(self, path: str) -> Setting | None:
        return _lookup(self.pod, path)


def _lookup(settings: tuple[tuple[str, Setting], ...], path: str) -> Setting | None:
    """The setting at ``path``; when a parent block is set at render time (``securityContext:
    {{- include ... }}``), everything below it is too."""
    found = dict(settings)
    if path in found:
        return found[path]
    parts = path.split(".")
    for end in range(len(parts) - 1, 0, -1):
        parent = found.get(".".join(parts[:end]))
        if parent is not None and parent.templated:
            return parent
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Selector:
    """A Service or PodDisruptionBudget (label selector) or an HPA (target by kind and name)."""

    file: SourceFile
    line: int | None
    kind: str
    name: str
    match: tuple[tuple[str, str], ...] = ()
    target: tuple[str, str] | None = None
    templated: bool = False

    def selects(self, workload: Workload) -> bool:
        """By labels or target name; a selector the chart templates (``{{ include "selectorLabels"
        }}``) is taken to select the workloads of its own chart, which is how charts are written."""
        same_chart = workload.helm and _chart_root(self.file) == _chart_root(workload.file)
        if self.target is not None:
            return self.target == (workload.kind, workload.name) or (self.templated and same_chart)
        if self.templated and same_chart:
            return True
        labels = dict(workload.labels)
        return bool(self.match) and all(labels.get(k) == v for k, v in self.match)


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvValue:
    name: str
    line: int | None
    literal: bool
    """A value written in the file, not ``${VAR}`` substitution or a bare name passed through."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ComposeService:
    file: SourceFile
    line: int | None
    name: str
    production: bool
    """Not a development, test or CI compose file (judged by its name and folder)."""
    image: str
    built: bool
    healthcheck: Setting | None
    restart: Setting | None
    limits: bool
    privileged: int | None
    one_off: bool
    """Runs once and exits (``restart: "no"`` with a ``command``, or a profile-only tool)."""
    environment: tuple[EnvValue, ...] = ()
    healthy_dependencies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DeploymentFacts:
    workloads: tuple[Workload, ...] = ()
    selectors: tuple[Selector, ...] = ()
    compose: tuple[ComposeService, ...] = ()
    skipped_templates: tuple[SourceFile, ...] = ()
    """Helm templates whose text could not be read as YAML even with the actions removed."""


@collector("deployment")
def deployment(workspace: Workspace) -> DeploymentFacts:
    workloads: list[Workload] = []
    selectors: list[Selector] = []
    compose: list[ComposeService] = []
    skipped: list[SourceFile] = []
    values = _chart_values(workspace)
    for file in workspace.files:
        if file.suffix not in (".yml", ".yaml"):
            continue
        try:
            text = workspace.read_text(file)
        except FileReadError:
            continue  # the images pass reports unreadable deployment files (IMG008)
        helm = "templates/" in file.relpath and "{{" in text
        if _COMPOSE.match(file.name) and not helm:
            with contextlib.suppress(YamlShapeError):  # a merge bomb or self-merge: IMG008 names the file
                compose.extend(_compose_services(file, text))
            continue
        if not re.search(r"^[^\S\n]*+kind\s*:", text, re.MULTILINE):
            continue
        source = _untemplate(text) if helm else text
        try:
            documents = yaml_documents(source)
        except (yaml.YAMLError, YamlShapeError, RecursionError):
            if helm:
                skipped.append(file)
            continue  # a plain manifest that does not parse is IMG008's finding
        chart_values = values.get(_chart_root(file)) if helm else None
        for document in documents:
            try:
                kind = _scalar(mapping_get(document, "kind"))
                if kind in WORKLOAD_KINDS:
                    workloads.append(_workload(file, document, kind, helm, chart_values))
                elif kind in ("Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"):
                    selectors.append(_selector(file, document, kind))
            except YamlShapeError:
                continue  # a merge bomb or self-merge: IMG008 names the file
    return DeploymentFacts(
        workloads=tuple(workloads),
        selectors=tuple(selectors),
        compose=tuple(compose),
        skipped_templates=tuple(skipped),
    )


# --- Helm ------------------------------------------------------------------------------------


def _untemplate(text: str) -> str:
    """The template as YAML a parser accepts, line numbers kept (see the module docstring)."""
    lines = text.splitlines()
    out: list[str] = []
    with_paths: list[str | None] = []
    for index, raw in enumerate(lines):
        keyed = _KEYED_ACTION.match(raw)
        if keyed is not None:
            out.append(_keyed(keyed, lines[index + 1 :], with_paths))
            continue
        action = _ACTION_LINE.match(raw)
        if action is None:
            out.append(_untemplated(raw))
            continue
        body = action.group(2).strip()
        if body.startswith(("if", "range", "with", "define", "block")):
            with_match = _WITH.match(body)
            with_paths.append(with_match.group(1) if with_match else None)
        elif body.startswith("end") and with_paths:
            with_paths.pop()
        path = _values_path(body, with_paths)
        to_yaml = _TO_YAML.search(body)
        indent = int(to_yaml.group(2)) if to_yaml and to_yaml.group(2) else len(action.group(1))
        out.append(f"{' ' * indent}{_VALUES_KEY}: {path}" if path else "")
    return "\n".join(out)


def _untemplated(line: str) -> str:
    """``line`` with each ``{{ ... }}`` in it replaced. Nothing after its last ``}}`` can hold one,
    and is not searched: from each ``{{`` there, ``.*?`` read the rest of the line again."""
    last = line.rfind("}}")
    if last < 0:
        return line
    return _INLINE.sub(_TEMPLATED, line[: last + 2]) + line[last + 2 :]


def _values_path(body: str, with_paths: list[str | None]) -> str | None:
    """The ``.Values`` path a ``toYaml`` action renders (``.`` inside ``with .Values.x``)."""
    to_yaml = _TO_YAML.search(body)
    if to_yaml is None:
        return None
    reference = to_yaml.group(1)
    if reference != ".":
        return reference.removeprefix(".Values.")
    return next((p for p in reversed(with_paths) if p), None)


def _keyed(match: re.Match[str], following: list[str], with_paths: list[str | None]) -> str:
    """``labels: {{- include ... | nindent 4 }}`` (the Bitnami style): the action renders the
    key's block. With more indented lines after it, those lines are the block; otherwise the key
    is set at render time (a ``toYaml .Values.x`` one refers to its values)."""
    key, body = match.group(1), match.group(2).strip()
    indent = len(key) - len(key.lstrip())
    child = next((line for line in following if line.strip()), "")
    if child and len(child) - len(child.lstrip()) > indent and not child.lstrip().startswith("{{"):
        return key
    path = _values_path(body, with_paths)
    return f"{key} {{{_VALUES_KEY}: {path}}}" if path else f"{key} {_TEMPLATED}"


def _chart_root(file: SourceFile) -> str:
    folder = file.relpath.partition("templates/")[0]
    return f"{file.root}/{folder}"


def _chart_values(workspace: Workspace) -> dict[str, yaml.Node]:
    """Each chart folder's ``values.yaml`` as nodes, to resolve ``toYaml .Values.x``."""
    found: dict[str, yaml.Node] = {}
    for file in workspace.files:
        if file.name not in ("values.yaml", "values.yml"):
            continue
        try:
            documents = yaml_documents(workspace.read_text(file))
        except (FileReadError, yaml.YAMLError, YamlShapeError, RecursionError):
            continue
        if documents and isinstance(documents[0], yaml.MappingNode):
            folder = file.relpath[: -len(file.name)]
            found[f"{file.root}/{folder}"] = documents[0]
    return found


def _resolve(node: yaml.Node | None, values: yaml.Node | None) -> yaml.Node | None:
    """A ``{__helm_values__: path}`` mapping replaced by the node at ``path`` in the values file;
    left as is (templated) when the chart has no values file or no such key."""
    if not isinstance(node, yaml.MappingNode) or values is None:
        return node
    reference = _scalar(mapping_get(node, _VALUES_KEY))
    if reference is None or len(node.value) != 1:
        return node
    current: yaml.Node | None = values
    for part in reference.split("."):
        current = mapping_get(current, part) if current is not None else None
    return current if current is not None else node


# --- Kubernetes ------------------------------------------------------------------------------


def _pod_spec(document: yaml.Node, kind: str) -> yaml.Node | None:
    spec = mapping_get(document, "spec")
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        spec = _path(spec, "jobTemplate.spec")
    return _path(spec, "template.spec")


def _workload(
    file: SourceFile, document: yaml.Node, kind: str, helm: bool, values: yaml.Node | None
) -> Workload:
    spec = mapping_get(document, "spec")
    template = _path(spec, "jobTemplate.spec.template" if kind == "CronJob" else "template")
    pod = _pod_spec(document, kind)
    containers: list[Container] = []
    for key, init in (("containers", False), ("initContainers", True)):
        listed = mapping_get(pod, key) if pod is not None else None
        if isinstance(listed, yaml.SequenceNode):
            containers.extend(_container(node, init, values) for node in listed.value)
    pod_fields: dict[str, Setting] = {}
    for name in ("hostNetwork", "hostPID", "hostIPC"):
        _collect(pod_fields, name, mapping_get(pod, name) if pod is not None else None)
    context = _resolve(mapping_get(pod, "securityContext"), values) if pod is not None else None
    _collect_tree(pod_fields, "securityContext", context)
    replicas = None if kind in ("DaemonSet", "Job", "CronJob", "Pod") else _setting(mapping_get(spec, "replicas"))
    return Workload(
        file=file,
        line=document.start_mark.line + 1,
        kind=kind,
        name=_name(_path(document, "metadata.name")),
        helm=helm,
        replicas=replicas,
        labels=_labels(_path(template, "metadata.labels") if kind != "Pod" else _path(document, "metadata.labels")),
        containers=tuple(containers),
        pod=tuple(sorted(pod_fields.items())),
        host_paths=_host_paths(pod),
    )


def _container(node: yaml.Node, init: bool, values: yaml.Node | None) -> Container:
    fields: dict[str, Setting] = {}
    for key in ("livenessProbe", "readinessProbe", "startupProbe", "imagePullPolicy"):
        _collect(fields, key, _resolve(mapping_get(node, key), values))
    _collect_tree(fields, "resources", _resolve(mapping_get(node, "resources"), values))
    _collect_tree(fields, "securityContext", _resolve(mapping_get(node, "securityContext"), values))
    for key, value in mapping_items(node):
        if key == _VALUES_KEY:  # a whole container block set from values: nothing can be told
            fields["*"] = Setting(line=value.start_mark.line + 1, templated=True)
    return Container(
        name=_name(mapping_get(node, "name")),
        line=node.start_mark.line + 1,
        image=_scalar(mapping_get(node, "image")) or "",
        init=init,
        settings=tuple(sorted(fields.items())),
    )


def _collect(fields: dict[str, Setting], path: str, node: yaml.Node | None) -> None:
    if node is not None:
        fields[path] = _setting(node)


def _collect_tree(fields: dict[str, Setting], path: str, node: yaml.Node | None) -> None:
    """``path`` and every nested key below it, so ``resources.limits.cpu`` can be asked for."""
    if node is None:
        return
    fields[path] = _setting(node)
    for key, child in mapping_items(node) if isinstance(node, yaml.MappingNode) else ():
        if key == _VALUES_KEY:
            fields[path] = Setting(line=child.start_mark.line + 1, templated=True)
            continue
        _collect_tree(fields, f"{path}.{key}", child)


@overload
def _setting(node: yaml.Node) -> Setting: ...


@overload
def _setting(node: yaml.Node | None) -> Setting | None: ...


def _setting(node: yaml.Node | None) -> Setting | None:
    if node is None:
        return None
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        if _TEMPLATED in value:
            return Setting(line=line, value=value, templated=True)
        if node.tag.endswith(":null") or value in ("", "~", "null"):
            return Setting(line=line, empty=True)
        return Setting(line=line, value=value)
    return Setting(line=line, empty=not node.value)


def _host_paths(pod: yaml.Node | None) -> tuple[tuple[int | None, str], ...]:
    volumes = mapping_get(pod, "volumes") if pod is not None else None
    found: list[tuple[int | None, str]] = []
    for volume in volumes.value if isinstance(volumes, yaml.SequenceNode) else ():
        host = mapping_get(volume, "hostPath")
        if host is not None:
            found.append((host.start_mark.line + 1, _scalar(mapping_get(host, "path")) or "?"))
    return tuple(found)


def _selector(file: SourceFile, document: yaml.Node, kind: str) -> Selector:
    spec = mapping_get(document, "spec")
    name = _scalar(_path(document, "metadata.name")) or "?"
    line = document.start_mark.line + 1
    if kind == "HorizontalPodAutoscaler":
        ref = mapping_get(spec, "scaleTargetRef")
        target = (_scalar(mapping_get(ref, "kind")) or "", _scalar(mapping_get(ref, "name")) or "")
        return Selector(
            file=file, line=line, kind=kind, name=name, target=target,
            templated=any(_TEMPLATED in part for part in target),
        )
    selector = mapping_get(spec, "selector")
    if kind == "PodDisruptionBudget":
        selector = mapping_get(selector, "matchLabels")
    match = _labels(selector)
    templated = any(_TEMPLATED in k or _TEMPLATED in v for k, v in match) or (
        isinstance(selector, yaml.MappingNode) and mapping_get(selector, _VALUES_KEY) is not None
    )
    return Selector(file=file, line=line, kind=kind, name=name, match=match, templated=templated)


def _labels(node: yaml.Node | None) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted((key, str(value.value)) for key, value in mapping_items(node) if isinstance(value, yaml.ScalarNode))
    ) if isinstance(node, yaml.MappingNode) else ()


# --- Compose ---------------------------------------------------------------------------------


def production_compose(file: SourceFile) -> bool:
    """A compose file that describes a deployment, not a developer's or CI's setup: neither its
    name (``docker-compose.dev.yml``, ``compose.override.yml``) nor its folder (``.devcontainer/``,
    ``tests/``) marks it as one."""
    stem = re.sub(r"\.ya?ml$", "", file.name, flags=re.IGNORECASE)
    folders = file.relpath.rpartition("/")[0]
    return not _DEV_MARK.search(stem.removeprefix("docker-")) and not _DEV_MARK.search(f"/{folders}/")


def _compose_services(file: SourceFile, text: str) -> list[ComposeService]:
    try:
        documents = yaml_documents(text)
    except (yaml.YAMLError, YamlShapeError, RecursionError):
        return []  # IMG008 reports the file
    found: list[ComposeService] = []
    production = production_compose(file) and not any(_runs_source_tree(d) for d in documents)
    for document in documents:
        services = mapping_get(document, "services")
        for name, body in mapping_items(services) if isinstance(services, yaml.MappingNode) else ():
            if not isinstance(body, yaml.MappingNode):
                continue
            found.append(_compose_service(file, name, body, production))
    return found


_SOURCE_MOUNT = re.compile(r"^\.{1,2}/?:")


def _runs_source_tree(document: yaml.Node) -> bool:
    """A service bind-mounting the working copy (``..:/app``) runs the code as checked out, not
    from an image: a developer's setup (a dev container), not a deployment."""
    services = mapping_get(document, "services")
    for _, body in mapping_items(services) if isinstance(services, yaml.MappingNode) else ():
        volumes = mapping_get(body, "volumes")
        for volume in volumes.value if isinstance(volumes, yaml.SequenceNode) else ():
            if isinstance(volume, yaml.ScalarNode) and _SOURCE_MOUNT.match(str(volume.value)):
                return True
            if _scalar(mapping_get(volume, "source")) in (".", "..", "./", "../"):
                return True
    return False


def _compose_service(file: SourceFile, name: str, body: yaml.Node, production: bool) -> ComposeService:
    deploy = mapping_get(body, "deploy")
    restart = _setting(mapping_get(body, "restart")) or _setting(_path(deploy, "restart_policy.condition"))
    limits = _path(deploy, "resources.limits")
    has_limits = (isinstance(limits, yaml.MappingNode) and bool(limits.value)) or any(
        mapping_get(body, key) is not None for key in ("mem_limit", "cpus", "cpu_quota", "memswap_limit")
    )
    privileged = mapping_get(body, "privileged")
    restart_value = (restart.value or "").strip("'\"").lower() if restart else ""
    one_off = restart_value in ("no", "on-failure") or mapping_get(body, "profiles") is not None
    return ComposeService(
        file=file,
        line=body.start_mark.line + 1,
        name=name,
        production=production,
        image=_scalar(mapping_get(body, "image")) or "",
        built=mapping_get(body, "build") is not None,
        healthcheck=_setting(mapping_get(body, "healthcheck")),
        restart=restart,
        limits=has_limits,
        privileged=(
            privileged.start_mark.line + 1
            if isinstance(privileged, yaml.ScalarNode) and str(privileged.value).lower() == "true"
            else None
        ),
        one_off=one_off,
        environment=_environment(mapping_get(body, "environment")),
        healthy_dependencies=_healthy_dependencies(mapping_get(body, "depends_on")),
    )


def _environment(node: yaml.Node | None) -> tuple[EnvValue, ...]:
    """Each variable with whether its value is written in the file. ``${VAR}`` and a bare
    ``- NAME`` pass a value through from where compose runs; that is not a literal."""
    found: list[EnvValue] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in mapping_items(node):
            text = str(value.value) if isinstance(value, yaml.ScalarNode) else ""
            literal = bool(text) and not value.tag.endswith(":null") and "$" not in text
            found.append(EnvValue(name=key, line=value.start_mark.line + 1, literal=literal))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode):
                continue
            key, equals, text = str(item.value).partition("=")
            literal = bool(equals) and bool(text) and "$" not in text
            found.append(EnvValue(name=key.strip(), line=item.start_mark.line + 1, literal=literal))
    return tuple(found)


def secret_named(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def _healthy_dependencies(node: yaml.Node | None) -> tuple[str, ...]:
    if not isinstance(node, yaml.MappingNode):
        return ()
    return tuple(
        name
        for name, body in mapping_items(node)
        if _scalar(mapping_get(body, "condition")) == "service_healthy"
    )


# --- small node helpers ----------------------------------------------------------------------


def _path(node: yaml.Node | None, dotted: str) -> yaml.Node | None:
    for part in dotted.split("."):
        if node is None:
            return None
        node = mapping_get(node, part)
    return node


def _scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) and node.value != "" else None


def _name(node: yaml.Node | None) -> str:
    """A name for messages; a templated one reads ``{{ }}`` as in the chart."""
    return (_scalar(node) or "?").replace(_TEMPLATED, "{{ }}")

