"""Container checks (IMG): images are pinned, and Dockerfiles follow the hygiene that keeps a
container reproducible and unprivileged."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from gonogo.collectors.containers import ContainerFacts, Dockerfile, ImageRef
from gonogo.collectors.testpaths import is_development_setup, is_test_path
from gonogo.grouping import Grouping, plural
from gonogo.model import Category, Finding, Severity, Table
from gonogo.registry import CheckOutput, Metric, NotApplicable, check, fail


def plan_floating(findings: Sequence[Finding]) -> Grouping:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[finding.path or "?"].append(finding)
    for path, group in sorted(by_file.items()):
        listed = ", ".join(
            f"{f.get('image')} -> {f.get('suggested')}" if f.get("suggested") else str(f.get("image")) for f in group
        )
        yield f"pin {plural(len(group), 'image')} in {path}: {listed}", group


@check(
    "IMG001",
    "Container images name a version, not a floating tag",
    category=Category.CONTAINERS,
    severity=Severity.HIGH,
    counts="images.floating",
    plan=plan_floating,
)
def floating_images(containers: ContainerFacts) -> Iterator[CheckOutput]:
    """Why: ``latest``, ``main``, ``alpine`` or no tag at all name whatever was pushed last: the
    same commit deploys different software on different days, and a rollback does not roll back.
    An image a compose service builds (``build:`` with ``image: backend:latest``) is not pulled:
    its tag is the name the build gives it, so it is not judged here; nor is a Dockerfile's base
    that a script of the repository builds under that name (SecureDrop's ``bin/dev-shell`` runs
    ``docker build -t`` with the name its test image starts ``FROM``; Mailu's bake file binds
    ``base`` to its own ``target:base``, which each image starts ``FROM``), nor one on the machine's
    own registry (podman's ``localhost/NAME`` for an image it built). Images named in test code
    (Prefect's ``tests/docker/contexts/*/Dockerfile``, the Kubernetes manifests a scanner's tests
    read) are test fixtures, and those of a development set-up (dispatch's
    ``.devcontainer/docker-compose.yml``; a compose file a service of which bind-mounts the
    repository's root, ``.:/app``, to run the code as edited, or whose name says it starts a
    development or test set-up, ``docker-compose.dev.yml``, ``compose.with-e2e.yml``; and a
    Dockerfile only such a file builds) run on a developer's machine, and those under ``.github/``
    are the images of CI's own jobs (OctoPrint's ``.github/ci/nightly_canary/Dockerfile``, the
    server its nightly end-to-end test starts): nothing deploys any of them, so they are listed,
    not counted.
    Fix: use a version tag (``redis:7.2.4``), ideally with its digest (``redis:7.2.4@sha256:...``)."""
    images = _pulled(containers)
    yield Metric(name="images.total", value=float(len(images)))
    yield Metric(name="images.digest_pinned", value=float(sum(i.kind == "digest" for i in images)))
    if not images:
        raise NotApplicable("no container images named")
    hints = _version_hints(images)
    floating = [i for i in images if i.kind in ("floating", "untagged")]
    fixtures = [i for i in floating if _not_deployed(i)]
    deployed = [i for i in floating if not _not_deployed(i)]
    if fixtures:
        yield Table(
            title="Floating images in test code, CI's configuration or the development set-up "
            "(not deployed, not counted)",
            columns=("File", "Line", "Image"),
            rows=tuple((i.file.display, str(i.line or ""), i.written) for i in fixtures),
        )
    for image in deployed:
        hint = image.hint or hints.get(image.repository)
        what = "has no tag (implicit latest)" if image.kind == "untagged" else f"uses floating tag {image.tag!r}"
        where = f" (service {image.context})" if image.source == "compose" and image.context else ""
        yield fail(
            f"{image.written}{where} {what}",
            at=image.file.at(image.line),
            key=f"{image.context}:{image.written}",
            image=image.written,
            suggested=f"{image.repository}:{hint}" if hint else None,
        )


def _not_deployed(image: ImageRef) -> bool:
    """Named in test code, by CI's configuration (:func:`_in_ci_config`), or by a development
    set-up: a file in a development folder (``testpaths.is_development_setup``), or a compose file
    that runs the checkout and the Dockerfiles only it builds (``ImageRef.development``)."""
    relpath = image.file.relpath
    return image.development or is_test_path(relpath) or is_development_setup(relpath) or _in_ci_config(relpath)


def _in_ci_config(relpath: str) -> bool:
    """Under ``.github/``, the forge's configuration: a Dockerfile there builds an image for CI's
    own jobs or actions. A deployment's Dockerfile lives in the tree it builds."""
    return ".github" in relpath.split("/")[:-1]


def _pulled(containers: ContainerFacts) -> tuple[ImageRef, ...]:
    """The images a deployment pulls from a registry; those built from the repository are left out."""
    return tuple(i for i in containers.images if not i.built)


def _version_hints(images: Sequence[ImageRef]) -> dict[str, str]:
    """A version tag used for the same repository elsewhere in the workspace: the likely pin."""
    hints: dict[str, str] = {}
    for image in images:
        if image.kind in ("version", "digest") and image.tag:
            hints.setdefault(image.repository, image.tag)
    return hints


@check(
    "IMG002",
    "Container images are pinned by digest",
    category=Category.CONTAINERS,
    severity=Severity.LOW,
)
def undigested_images(containers: ContainerFacts) -> Iterator[CheckOutput]:
    """Why: a version tag can be pushed again; only a digest names exactly one image. A tag set by
    a variable at deploy time cannot be judged from the files.
    Fix: append the digest (``image:1.2.3@sha256:...``), e.g. with ``docker buildx imagetools
    inspect``, and let a bot (Renovate, Dependabot) keep it current."""
    judged = [i for i in _pulled(containers) if i.kind in ("version", "variable")]
    if not containers.images:
        raise NotApplicable("no container images named")
    for image in judged:
        detail = "has a tag set by a variable" if image.kind == "variable" else "is tagged but not digest-pinned"
        yield fail(
            f"{image.written} {detail}",
            at=image.file.at(image.line),
            key=f"{image.context}:{image.written}",
            image=image.written,
        )


def _dockerfiles(containers: ContainerFacts) -> tuple[Dockerfile, ...]:
    if not containers.dockerfiles:
        raise NotApplicable("no Dockerfile")
    return containers.dockerfiles


@check("IMG003", "Containers do not run as root", category=Category.CONTAINERS, severity=Severity.MEDIUM)
def runs_as_root(containers: ContainerFacts) -> Iterator[CheckOutput]:
    """Why: a process running as root in a container turns any code-execution bug into root on the
    container, and a step closer to the host.
    Fix: create an unprivileged user and switch to it (``USER app``) in the final stage."""
    for dockerfile in _dockerfiles(containers):
        users = [i for i in dockerfile.final_stage if i.keyword == "USER"]
        if not users:
            yield fail(
                f"{dockerfile.file.display} has no USER in its final stage: it runs as root",
                at=dockerfile.file.at(_first_line(dockerfile)),
                key="no-user",
            )
        elif users[-1].arguments.split(":")[0].strip() in ("root", "0"):
            yield fail(
                f"{dockerfile.file.display} switches to USER {users[-1].arguments}",
                at=dockerfile.file.at(users[-1].line),
                key="root-user",
            )


def _first_line(dockerfile: Dockerfile) -> int | None:
    stage = dockerfile.final_stage
    return stage[0].line if stage else None


@check("IMG004", "Images declare a HEALTHCHECK", category=Category.CONTAINERS, severity=Severity.LOW)
def no_healthcheck(containers: ContainerFacts) -> Iterator[CheckOutput]:
    """Why: without a health check Docker and Compose report a hung service as running.
    Orchestrators with their own probes (Kubernetes) do not need it, hence the low severity.
    Fix: add ``HEALTHCHECK CMD ...`` calling the service's health endpoint."""
    for dockerfile in _dockerfiles(containers):
        if not any(i.keyword == "HEALTHCHECK" for i in dockerfile.final_stage):
            yield fail(
                f"{dockerfile.file.display} has no HEALTHCHECK",
                at=dockerfile.file.at(_first_line(dockerfile)),
                key="no-healthcheck",
            )


@check("IMG005", "Dockerfiles do not ADD remote URLs", category=Category.CONTAINERS, severity=Severity.MEDIUM)
def add_remote(containers: ContainerFacts) -> Iterator[CheckOutput]:
    """Why: ``ADD https://...`` downloads whatever the server returns at build time, unverified.
    Fix: download with ``curl`` and check a checksum, or use ``ADD --checksum=sha256:...``."""
    for dockerfile in _dockerfiles(containers):
        for item in dockerfile.instructions:
            if (
                item.keyword == "ADD"
                and re.search(r"(?<!\S)(https?|ftp)://", item.arguments)
                and "--checksum" not in item.arguments
            ):
                yield fail(
                    f"ADD of a remote URL without a checksum: {item.arguments[:120]}",
                    at=dockerfile.file.at(item.line),
                    key=item.arguments[:80],
                )


_PIP_INSTALL = re.compile(r"\bpip3?\s+install\b(?P<args>[^&;|]*)")


@check(
    "IMG006",
    "pip install in Dockerfiles pins versions",
    category=Category.CONTAINERS,
    severity=Severity.MEDIUM,
)
def unpinned_pip(containers: ContainerFacts) -> Iterator[CheckOutput]:
    """Why: ``RUN pip install flask`` installs the newest release on every build.
    Fix: install from a pinned requirements or lock file (``pip install -r requirements.txt``), or
    pin each package (``flask==3.0.3``)."""
    for dockerfile in _dockerfiles(containers):
        for item in dockerfile.instructions:
            if item.keyword != "RUN":
                continue
            for match in _PIP_INSTALL.finditer(item.arguments):
                loose = _unpinned_packages(match.group("args"))
                if loose:
                    yield fail(
                        f"pip install without a version: {', '.join(loose)}",
                        at=dockerfile.file.at(item.line),
                        key=",".join(loose),
                    )


def _unpinned_packages(arguments: str) -> list[str]:
    loose = []
    skip_next = False
    for word in arguments.split():
        if skip_next:
            skip_next = False
            continue
        if word in (
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "-i",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
            "-t",
            "--target",
            "-e",
            "--editable",
        ):
            skip_next = True
            continue
        if word.startswith("-") or word.startswith((".", "/", "$")) or "://" in word:
            continue
        word = word.strip("'\"")
        if word and "==" not in word and "@" not in word and not word.endswith((".whl", ".tar.gz")):
            loose.append(word)
    return loose


_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)", re.IGNORECASE)


@check(
    "IMG007", "Dockerfiles do not bake secrets into ENV or ARG", category=Category.CONTAINERS, severity=Severity.HIGH
)
def secret_env(containers: ContainerFacts) -> Iterator[CheckOutput]:
    """Why: ``ENV`` and ``ARG`` values are stored in the image's layers and history: anyone who can
    pull the image can read them.
    Fix: pass secrets at run time (environment, secret store) or with ``RUN --mount=type=secret``."""
    for dockerfile in _dockerfiles(containers):
        for item in dockerfile.instructions:
            if item.keyword not in ("ENV", "ARG"):
                continue
            for name, value in _assignments(item.arguments):
                if _SECRET_NAME.search(name) and value and not value.startswith("$"):
                    yield fail(
                        f"{item.keyword} {name} sets a secret-looking value in the image",
                        at=dockerfile.file.at(item.line),
                        key=name,
                        evidence=f"{name}=***",
                    )


def _assignments(arguments: str) -> list[tuple[str, str]]:
    if "=" not in arguments.split(" ", 1)[0]:
        name, _, value = arguments.partition(" ")  # legacy ``ENV NAME value``
        return [(name, value.strip().strip("\"'"))] if value.strip() else []
    return [
        (m.group(1), m.group(2).strip("\"'"))
        for m in _ASSIGNMENT.finditer(arguments)
    ]


_ASSIGNMENT = re.compile(r"(?<![\w.-])(?:[^\W_A-Za-z]|[.-])*+([A-Za-z_][\w.-]*+)=(\"[^\"]*\"|'[^']*'|\S*)")
"""``NAME=value``, tried from the start of a word only: a later start in it reaches the same
"=", and ``finditer`` read the word again from each."""


@check("IMG008", "Container and deployment files parse", category=Category.CONTAINERS, severity=Severity.MEDIUM)
def unreadable_files(containers: ContainerFacts) -> Iterator[CheckOutput]:
    """Why: a compose or Kubernetes file that does not parse cannot be deployed, and the images it
    names cannot be judged, so its pins are unknown.
    Fix: correct the file at the line named (YAML forbids tabs for indentation)."""
    if not containers.errors and not containers.images and not containers.dockerfiles:
        raise NotApplicable("no container files")
    for file, line, reason in containers.errors:
        yield fail(f"{file.display}: {reason}", at=file.at(line), key=file.display)
