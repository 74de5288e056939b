"""The ``ci`` fact: which CI systems are configured, the commands their jobs run, and the GitHub
Actions they use (with the ref each is pinned to), each with its line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from gonogo.collectors.ci_scripts import ReachedLine, ScriptFollower
from gonogo.collectors.ci_workflows import (
    PathClaim,
    Workflow,
    command_paths,
    exists,
    filter_exists,
    path_filters,
    read_workflow,
)
from gonogo.collectors.containers import yaml_error
from gonogo.notes import Notes
from gonogo.options import ScanOptions
from gonogo.parallel import FileJob, map_files_cached, paired_with
from gonogo.registry import collector
from gonogo.workspace import FileReadError, SourceFile, Workspace, decode_text

_SYSTEMS = (
    ("github-actions", re.compile(r"^\.github/workflows/[^/]+\.ya?ml$")),
    ("gitlab-ci", re.compile(r"^\.gitlab-ci\.ya?ml$")),
    ("circleci", re.compile(r"^\.circleci/config\.ya?ml$")),
    ("azure-pipelines", re.compile(r"^azure-pipelines\.ya?ml$")),
    ("travis", re.compile(r"^\.travis\.ya?ml$")),
    ("bitbucket", re.compile(r"^bitbucket-pipelines\.ya?ml$")),
    ("drone", re.compile(r"^\.drone\.ya?ml$")),
    ("woodpecker", re.compile(r"^\.woodpecker(\.ya?ml|/[^/]+\.ya?ml)$")),
    ("buildkite", re.compile(r"^\.buildkite/[^/]+\.ya?ml$")),
    ("jenkins", re.compile(r"^Jenkinsfile$")),
    # a CI whose pipeline calls a script in the repository (``bash .ci/run``), the pipeline itself
    # living in the CI service: the script is what runs, so it is what is read
    ("ci-script", re.compile(r"^\.?ci/[^/.]+(\.sh)?$")),
)
_LINE_BASED = frozenset({"jenkins", "ci-script"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    line: int | None
    text: str
    workdir: str = ""
    """The folder it runs in, relative to the root (``working-directory`` of the step or job)."""
    reaches: tuple[ReachedLine, ...] = ()
    """Lines of the repository's scripts, Makefile recipes and package scripts this command calls."""
    key: str | None = None
    """The YAML key it is the value of (``run``, ``script``, ``name``...); ``None`` for line-based files."""

    @property
    def is_shell(self) -> bool:
        """A shell command the CI runs, not a step's name, a condition or an action's input."""
        return self.key is None or self.key in _SHELL_KEYS


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionUse:
    """``uses: owner/repo[/path]@ref`` in a GitHub Actions workflow."""

    line: int | None
    action: str
    ref: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CiFile:
    file: SourceFile
    system: str
    commands: tuple[Command, ...]
    uses: tuple[ActionUse, ...] = ()
    error: tuple[int | None, str] | None = None
    workflow: Workflow | None = None
    """A GitHub Actions workflow's triggers, token permissions and checkouts."""
    workdirs: tuple[tuple[int, str], ...] = ()
    """(line, folder) of each ``working-directory`` the file sets."""
    paths: tuple[PathClaim, ...] = ()
    """The repository paths its commands and ``working-directory`` values rely on."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CiFacts:
    files: tuple[CiFile, ...]
    update_configs: tuple[str, ...] = ()
    """Dependabot or Renovate configuration files: dependency updates are proposed automatically."""


_SHELL_KEYS = frozenset({"run", "script", "before_script", "after_script", "command", "commands", "cmd"})
_UPDATE_CONFIGS = frozenset({
    ".github/dependabot.yml", ".github/dependabot.yaml", "renovate.json", "renovate.json5", ".renovaterc",
    ".renovaterc.json", ".renovaterc.json5", ".github/renovate.json", ".github/renovate.json5",
    ".gitlab/renovate.json", ".gitlab/renovate.json5",
})


CI_PARSE_VERSION = 1
"""Bump when what :func:`parse_ci_payload` extracts changes, so cached results are recomputed."""
_NOWHERE = SourceFile(root=Path(), relpath="", display="", size=0)
"""The file a cached parse carries: the collector puts the real one in."""


@collector("ci")
def ci(workspace: Workspace, options: ScanOptions, notes: Notes) -> CiFacts:
    found: list[CiFile] = []
    followers: dict[Path, ScriptFollower] = {}  # one per root: it remembers the scripts it read
    systems = [(file, system) for file in workspace.files if (system := _system_of(file)) is not None]
    # parsing the YAML is the cost, and depends on the bytes only: cached per content
    jobs = [
        FileJob(file=file, namespace=f"ci{CI_PARSE_VERSION}{system}", payload=paired_with(system))
        for file, system in systems
    ]
    for (file, system), parsed in zip(systems, map_files_cached(parse_ci_payload, jobs, options, workspace, "ci"),
                                      strict=True):
        if not isinstance(parsed, tuple):  # unreadable, or not text
            found.append(CiFile(file=file, system=system, commands=(), error=(None, str(parsed))))
            continue
        item, filters = parsed
        if file.root not in followers:
            followers[file.root] = ScriptFollower.for_root(workspace, file, notes)
        found.append(_with_filters(_with_paths(_with_scripts(replace(item, file=file), followers[file.root])), filters))
    updates = tuple(sorted(f.display for f in workspace.files if f.relpath in _UPDATE_CONFIGS))
    return CiFacts(files=tuple(found), update_configs=updates)


def _system_of(file: SourceFile) -> str | None:
    return next((name for name, pattern in _SYSTEMS if pattern.match(file.relpath)), None)


def parse_ci_payload(payload: tuple[bytes, str]) -> tuple[CiFile, tuple[tuple[int, str], ...]] | str:
    """One CI file's parse (with a placeholder file) and its ``paths:`` filters, or why it is not
    text. Top-level and path-free, so its result can be cached."""
    data, system = payload
    try:
        text = decode_text(data)
    except FileReadError as exc:
        return str(exc)
    item = parse_ci(text, _NOWHERE, system)
    return item, _path_filters(item, text)


def _path_filters(item: CiFile, text: str) -> tuple[tuple[int, str], ...]:
    """A GitHub Actions workflow's ``paths:`` filters (the YAML is composed again: only for
    workflows whose text sets a filter)."""
    if item.system != "github-actions" or item.error or "paths" not in text:
        return ()
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return ()
    return tuple(path_filters(document))


def _with_paths(item: CiFile) -> CiFile:
    """The paths the file relies on, each looked up in the checkout. A workflow that checks the
    repository out into a sub-folder (``actions/checkout`` with ``path:``) or checks out several
    repositories resolves paths against a layout this scan does not see, so it claims none."""
    if item.workflow is not None:
        checkouts = [c for job in item.workflow.jobs for c in job.checkouts]
        if any(c.path for c in checkouts):
            return item
    root = item.file.root
    claims = [PathClaim(line=line, path=path, role="working-directory", exists=exists(root, path))
              for line, path in item.workdirs]
    earlier = ""
    for command in item.commands:
        if command.is_shell:
            for role, path in command_paths(command.text, command.workdir):
                generated = role == "script" and path.rsplit("/", 1)[-1] in earlier
                if not generated:
                    claims.append(PathClaim(line=command.line, path=path, role=role, exists=exists(root, path)))
        earlier += command.text + "\n"
    return replace(item, paths=tuple(claims))


def _with_filters(item: CiFile, filters: tuple[tuple[int, str], ...]) -> CiFile:
    """A GitHub Actions workflow's ``paths:`` filters, each looked up in the checkout."""
    claims = [PathClaim(line=line, path=pattern, role="paths filter", exists=filter_exists(item.file.root, pattern))
              for line, pattern in filters]
    return replace(item, paths=(*item.paths, *claims)) if claims else item


def _with_scripts(item: CiFile, follower: ScriptFollower) -> CiFile:
    """Each command with what it runs through the repository's own scripts."""
    commands = tuple(replace(c, reaches=follower.follow(c.text, c.workdir)) for c in item.commands)
    return replace(item, commands=commands)


def parse_ci(text: str, file: SourceFile, system: str) -> CiFile:
    if system in _LINE_BASED:
        lines = tuple(
            Command(line=n, text=line.strip())
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith(("#", "//"))
        )
        return CiFile(file=file, system=system, commands=lines)
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        return CiFile(file=file, system=system, commands=(), error=yaml_error(exc))
    except RecursionError:
        return CiFile(file=file, system=system, commands=(), error=(None, "nested too deeply"))
    commands: list[Command] = []
    uses: list[ActionUse] = []
    workdirs: list[tuple[int, str]] = []
    stack: list[tuple[yaml.Node, str | None, str]] = [(d, None, "") for d in documents if d is not None]
    seen: set[int] = set()
    while stack:
        node, key, workdir = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        match node:
            case yaml.ScalarNode():
                value = str(node.value)
                if key == "uses" and system == "github-actions":
                    action, _, ref = value.partition("@")
                    uses.append(ActionUse(line=node.start_mark.line + 1, action=action, ref=ref or None))
                elif value.strip():
                    commands.append(Command(line=node.start_mark.line + 1, text=value, workdir=workdir, key=key))
            case yaml.SequenceNode():
                stack.extend((child, key, workdir) for child in node.value)
            case yaml.MappingNode():
                workdirs.extend(_own_working_directory(node))
                inner = _working_directory(node) or workdir
                stack.extend(
                    (v, str(k.value) if isinstance(k, yaml.ScalarNode) else None, inner) for k, v in node.value
                )
    commands.sort(key=lambda c: c.line or 0)
    uses.sort(key=lambda u: u.line or 0)
    workflow = read_workflow(documents[0]) if system == "github-actions" and documents else None
    return CiFile(file=file, system=system, commands=tuple(commands), uses=tuple(uses), workflow=workflow,
                  workdirs=tuple(sorted(set(workdirs))))


_WORKDIR_KEYS = ("working-directory", "working_directory")


def _own_working_directory(node: yaml.MappingNode) -> Iterator[tuple[int, str]]:
    """``working-directory: backend`` set on this very mapping, with its line."""
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value in _WORKDIR_KEYS and isinstance(value, yaml.ScalarNode):
            folder = str(value.value).strip()
            if folder and not any(c in folder for c in "$~") and not folder.startswith("/"):
                yield value.start_mark.line + 1, folder.removeprefix("./").rstrip("/") or "."


def _working_directory(node: yaml.MappingNode) -> str | None:
    """The folder a step or job runs its commands in: its own ``working-directory`` (GitHub
    Actions), ``working_directory`` (CircleCI), or ``defaults: run: working-directory``."""
    children = {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    for name in _WORKDIR_KEYS:
        value = children.get(name)
        if isinstance(value, yaml.ScalarNode) and "$" not in str(value.value):
            return str(value.value).strip().removeprefix("./").rstrip("/")
    defaults = children.get("defaults")
    if isinstance(defaults, yaml.MappingNode):
        run = next((v for k, v in defaults.value if isinstance(k, yaml.ScalarNode) and k.value == "run"), None)
        if isinstance(run, yaml.MappingNode):
            return _working_directory(run)
    return None
