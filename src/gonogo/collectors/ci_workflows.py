"""What a GitHub Actions workflow grants and checks out, and the paths CI commands name.

Two readings of the CI files the ``ci`` fact already parsed:

* the workflow's shape, for OpenSSF Scorecard's Token-Permissions and Dangerous-Workflow questions:
  the events that trigger it, the ``permissions:`` it sets at the top and per job, and what each
  ``actions/checkout`` step checks out;
* the repository paths CI relies on (``working-directory``, ``pytest tests/integration``,
  ``bash scripts/test.sh``, the ``paths:`` filters of its triggers), each with whether it exists
  in the checkout, so a pipeline pointing at a folder that was moved or never created shows up.

Only what the text states is read; ``${{ }}`` expressions and ``$VARIABLES`` are never guessed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from gonogo.collectors.ci_scripts import shell_segments, split_words

_PR_HEAD_REFS = (
    "github.event.pull_request.head",
    "github.head_ref",
    "github.event.workflow_run.head",
    "refs/pull/",
)
"""A ``ref:`` naming the contributor's code, as Scorecard's Dangerous-Workflow check reads it."""
_PRIVILEGED_TRIGGERS = frozenset({"pull_request_target", "workflow_run"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkout:
    line: int
    ref: str | None
    path: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    name: str
    line: int
    permissions: str | None
    """``None`` when the job sets none; else ``write-all``, ``read-all``, ``{}`` or ``scoped``."""
    checkouts: tuple[Checkout, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Workflow:
    triggers: frozenset[str]
    permissions: str | None
    permissions_line: int | None
    jobs: tuple[Job, ...]

    @property
    def privileged_triggers(self) -> frozenset[str]:
        """Events whose runs hold the base repository's secrets and a writable token while
        reacting to a contributor's pull request."""
        return self.triggers & _PRIVILEGED_TRIGGERS

    def head_checkouts(self) -> Iterator[tuple[Job, Checkout]]:
        for job in self.jobs:
            for checkout in job.checkouts:
                if checkout.ref and any(marker in checkout.ref for marker in _PR_HEAD_REFS):
                    yield job, checkout


def read_workflow(document: yaml.Node | None) -> Workflow | None:
    """The workflow's shape, or ``None`` when the document is not a mapping with ``jobs``."""
    top = _children(document)
    jobs_node = top.get("jobs")
    if jobs_node is None:
        return None
    permissions_node = top.get("permissions")
    jobs = tuple(_job(name, node) for name, node in _children(jobs_node).items())
    return Workflow(
        triggers=frozenset(_triggers(top.get("on") or top.get("true"))),
        permissions=_permissions(permissions_node),
        permissions_line=permissions_node.start_mark.line + 1 if permissions_node is not None else None,
        jobs=jobs,
    )


def _children(node: yaml.Node | None) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _triggers(node: yaml.Node | None) -> Iterator[str]:
    match node:
        case yaml.ScalarNode():
            yield str(node.value)
        case yaml.SequenceNode():
            yield from (str(item.value) for item in node.value if isinstance(item, yaml.ScalarNode))
        case yaml.MappingNode():
            yield from _children(node)


def _permissions(node: yaml.Node | None) -> str | None:
    match node:
        case None:
            return None
        case yaml.ScalarNode():
            return str(node.value).strip() or "{}"
        case yaml.MappingNode():
            return "scoped" if node.value else "{}"
    return "scoped"


def _job(name: str, node: yaml.Node) -> Job:
    children = _children(node)
    checkouts = []
    steps = children.get("steps")
    for step in steps.value if isinstance(steps, yaml.SequenceNode) else []:
        fields = _children(step)
        uses = fields.get("uses")
        if isinstance(uses, yaml.ScalarNode) and str(uses.value).startswith("actions/checkout"):
            with_ = _children(fields.get("with"))
            checkouts.append(Checkout(line=uses.start_mark.line + 1, ref=_scalar(with_.get("ref")),
                                      path=_scalar(with_.get("path"))))
    return Job(name=name, line=node.start_mark.line + 1, permissions=_permissions(children.get("permissions")),
               checkouts=tuple(checkouts))


def _scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


# paths CI names ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PathClaim:
    """A repository path a CI file relies on."""

    line: int | None
    path: str
    """Relative to the root, as CI would resolve it."""
    role: str
    """``working-directory``, ``pytest path``, ``script`` or ``paths filter``."""
    exists: bool


_PYTEST_FLAGS = frozenset({
    "-v", "-vv", "-vvv", "-q", "-qq", "-x", "-s", "-l", "-ra", "-rA", "-rs", "-rf", "-rfE", "-rxXs", "--lf", "--ff",
    "--nf", "--sw", "--strict-markers", "--strict-config", "--no-header", "--exitfirst", "--verbose", "--quiet",
    "--showlocals", "--doctest-modules", "--cov-branch", "--reuse-db", "--create-db", "--nomigrations", "--no-cov",
    "--last-failed", "--failed-first", "--disable-warnings", "--migrations", "--runslow", "--no-migrations",
})
"""pytest options that take no value: the word after one is a test path. After any other option
the next word may be its value (``-k expr``, ``--splits 3``), so it is not judged."""
_ELSEWHERE = frozenset({"docker", "docker-compose", "podman", "kubectl", "ssh", "vagrant", "tox", "nox"})
"""Commands that run their arguments somewhere else (a container, a remote host, a tox env with its
own ``changedir``): a path there is not a path of this checkout."""
_SCRIPT_RUNNERS = frozenset({"bash", "sh", "zsh", "python", "python3", "source", "."})
_SCRIPT_SUFFIXES = (".sh", ".bash", ".py")


def command_paths(text: str, workdir: str) -> Iterator[tuple[str, str]]:
    """(role, path) for each test path and script one CI command names, with ``cd`` followed."""
    folder: str | None = workdir
    for segment in shell_segments(text):
        words = split_words(segment)
        if not words or folder is None:
            return
        if words[0] in ("mkdir", "git", "tar", "unzip", "cp", "mv", "ln"):
            folder = None  # the command makes or fetches paths: what follows may use them
            continue
        if words[0] in ("cd", "pushd"):
            target = words[1] if len(words) == 2 else "$"
            folder = None if "$" in target or target.startswith(("/", "~", "-")) else _join(folder, target)
            continue
        if _ELSEWHERE & set(words) or "$" in segment or "`" in segment:
            continue  # run elsewhere, or with words only the shell knows
        yield from (("pytest path", _join(folder, p)) for p in _pytest_paths(words))
        script = _script_path(words)
        if script is not None:
            yield "script", _join(folder, script)


def _pytest_paths(words: list[str]) -> Iterator[str]:
    start = next((i for i, w in enumerate(words) if posixpath.basename(w) in ("pytest", "py.test")), None)
    if start is None or "--pyargs" in words:
        return
    previous = ""
    for word in words[start + 1 :]:
        after_option = previous.startswith("-") and "=" not in previous and previous not in _PYTEST_FLAGS
        previous = word
        if after_option or word.startswith("-"):
            continue  # an option's value (``-k expr``, a plugin's ``--splits 3``), or an option
        path = word.split("::", 1)[0]
        if _plain_path(path) and not path.isdigit():
            yield path


def _script_path(words: list[str]) -> str | None:
    """The repository script a segment runs (``./scripts/test.sh``, ``bash ci/run.sh``)."""
    while words and "=" in words[0] and not words[0].startswith(("-", "/", ".")):
        words = words[1:]  # ``ENV=x ./run.sh``
    if not words:
        return None
    candidate = words[1] if words[0] in _SCRIPT_RUNNERS and len(words) > 1 else words[0]
    if not candidate.endswith(_SCRIPT_SUFFIXES) or not _plain_path(candidate):
        return None
    if words[0] not in _SCRIPT_RUNNERS and not candidate.startswith("./"):
        return None  # ``foo.py`` alone is a program on PATH, not necessarily a file here
    return candidate


def _plain_path(word: str) -> bool:
    return bool(word) and not word.startswith(("/", "~")) and not any(c in word for c in "$*?{}[]<>`=\"'")


def _join(base: str, path: str) -> str:
    joined = posixpath.normpath(posixpath.join(base, path)) if base else posixpath.normpath(path)
    return "" if joined == "." else joined


def exists(root: Path, relpath: str) -> bool:
    """Inside the root and present on disk (a folder or a file)."""
    if relpath.startswith("..") or relpath.startswith("/"):
        return True  # outside the checkout: not ours to judge
    return (root / relpath).exists()


# ``on: push: paths:`` filters ----------------------------------------------------------------------

_FILTER_EVENTS = ("push", "pull_request", "pull_request_target")


def path_filters(document: yaml.Node | None) -> Iterator[tuple[int, str]]:
    """(line, pattern) of each ``paths:`` filter of a push or pull request trigger. Negated
    patterns (``!docs/**``) and ``paths-ignore`` are left out: a pattern that excludes or ignores
    nothing does no harm; one that includes nothing means the workflow never runs."""
    top = _children(document)
    events = _children(top.get("on") or top.get("true"))
    for event in _FILTER_EVENTS:
        node = _children(events.get(event)).get("paths")
        for item in node.value if isinstance(node, yaml.SequenceNode) else []:
            if isinstance(item, yaml.ScalarNode):
                pattern = str(item.value).strip()
                if pattern and not pattern.startswith("!") and "${{" not in pattern:
                    yield item.start_mark.line + 1, pattern


def filter_exists(root: Path, pattern: str) -> bool:
    """Whether a filter pattern can match something in the checkout, read as far as the text is
    literal: a pattern with no wildcard names a file or folder that must exist (``frontend/**``
    needs ``frontend``); one that starts with a wildcard (``**/setup.py``, kept in a filter for
    files that may come) is not judged."""
    head, *wild = re.split(r"[*?\[+]", pattern.removeprefix("./"), maxsplit=1)
    # with a wildcard, only the folders before it are literal
    folder = head.rpartition("/")[0] if wild else head.rstrip("/")
    if not folder:
        return True
    return exists(root, posixpath.normpath(folder))
