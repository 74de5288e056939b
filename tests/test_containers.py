"""Container images and Dockerfile hygiene, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.collectors.containers import (
    LOCAL_HOSTS,
    _mount_source,
    _registry_host,
    classify,
    containers,
    runs_the_checkout,
)
from gonogo.model import Outcome
from gonogo.workspace import SourceFile, Workspace
from tests.helpers import make_repo, result_of, scan_repo


@pytest.mark.parametrize(
    ("image", "kind"),
    [
        ("redis:7.2.4", "version"),
        ("python:3.12-slim", "version"),
        ("redis", "untagged"),
        ("redis:latest", "floating"),
        ("node:lts", "floating"),
        ("python:alpine", "floating"),
        ("ghcr.io/o/r:main", "floating"),
        ("localhost:5000/app", "untagged"),
        ("nginx:1.25@sha256:" + "a" * 64, "digest"),
        ("app:${TAG}", "variable"),
    ],
)
def test_classify(image: str, kind: str) -> None:
    assert classify(image) == kind


COMPOSE = """
x-base: &base
  image: redis:latest  # 7.2.4
  restart: always
services:
  cache:
    <<: *base
  db:
    image: postgres
  web:
    image: "nginx:1.25@sha256:abc"
  app:
    image: myapp:${TAG:-main}
  worker:
    image: redis:7.2
"""


def test_compose_images_with_anchors_merges_and_lines(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {"docker-compose.yml": COMPOSE}), select="IMG")
    findings = result_of(report, "IMG001").findings
    assert [(f.line, f.get("image")) for f in findings] == [
        (2, "redis:latest"),
        (8, "postgres"),
        (12, "myapp:${TAG:-main}"),
    ]
    assert report.metrics["images.total"] == 5 and report.metrics["images.floating"] == 3
    assert report.metrics["images.digest_pinned"] == 1
    action = next(a for a in report.plan if a.check_ids == ("IMG001",))
    assert action.title == (
        "pin 3 images in docker-compose.yml: redis:latest -> redis:7.2.4, postgres, myapp:${TAG:-main}"
    )
    assert [f.get("image") for f in result_of(report, "IMG002").findings] == ["redis:7.2"]


def test_dockerfile_args_stages_and_hygiene(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "Dockerfile": """
        ARG PY=3.12
        FROM python:${PY}-slim AS build
        RUN pip install flask requests==2.0 -r requirements.txt && pip install .
        FROM build AS test
        FROM gcr.io/distroless/python3
        ENV API_TOKEN=abc123 PLAIN=1
        ENV DB_PASSWORD ${FROM_ENV}
        ADD https://example.com/a.tgz /a
        USER root
    """
        },
    )
    report = scan_repo(root, select="IMG")
    images = [(i.line, i.image) for i in containers(Workspace.open([root])).images]
    assert images == [(2, "python:3.12-slim"), (5, "gcr.io/distroless/python3")]
    assert [f.line for f in result_of(report, "IMG001").findings] == [5]
    assert [f.message for f in result_of(report, "IMG006").findings] == ["pip install without a version: flask"]
    assert [f.get("key") or f.key for f in result_of(report, "IMG007").findings] == ["API_TOKEN"]
    assert [f.line for f in result_of(report, "IMG005").findings] == [8]
    assert [f.key for f in result_of(report, "IMG003").findings] == ["root-user"]
    assert [f.key for f in result_of(report, "IMG004").findings] == ["no-healthcheck"]


def test_a_clean_dockerfile_passes(tmp_path: Path) -> None:
    digest = "sha256:" + "b" * 64
    root = make_repo(
        tmp_path,
        {
            "Dockerfile": f"""
        FROM python:3.12.4-slim@{digest}
        RUN pip install --no-cache-dir -r requirements.txt "uvicorn==0.30.0"
        USER app
        HEALTHCHECK CMD curl -f http://localhost/health || exit 1
    """
        },
    )
    report = scan_repo(root, select="IMG")
    assert {r.check_id: r.outcome for r in report.checks if r.check_id != "IMG008"} == {
        f"IMG00{i}": Outcome.PASS for i in range(1, 8)
    }


def test_kubernetes_and_helm_images(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "k8s/deploy.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            spec:
              template:
                spec:
                  initContainers:
                    - image: busybox
                  containers:
                    - name: a
                      image: ghcr.io/x/y:edge
            ---
            apiVersion: v1
            kind: ConfigMap
        """,
            "chart/values.yaml": "image:\n  repository: nginx\n  tag: stable\nsidecar:\n  repository: envoy\n  tag: v1.30.1\n",
            "chart/templates/deploy.yaml": "image: {{ .Values.image.repository }}\n",
        },
    )
    report = scan_repo(root, select="IMG001")
    assert [(f.path, f.line, f.get("image")) for f in result_of(report, "IMG001").findings] == [
        ("chart/values.yaml", 2, "nginx:stable"),
        ("k8s/deploy.yaml", 7, "busybox"),
        ("k8s/deploy.yaml", 10, "ghcr.io/x/y:edge"),
    ]


def test_yaml_with_tabs_and_binary_files_are_findings_not_crashes(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "compose.yaml": "services:\n\tweb:\n  image: x\n",
            "docker-compose.prod.yml": b"\x00\xffbinary",
            "docker-compose.yml": "services:\n  a: &a\n    image: *a\n  b: [1, 2]\n  c: null\n",
            "Dockerfile": "",
        },
    )
    report = scan_repo(root, select="IMG")
    errors = {(f.path, f.line) for f in result_of(report, "IMG008").findings}
    # a service written as a list (b) is named; the good services beside it still count
    assert errors == {("compose.yaml", 2), ("docker-compose.prod.yml", None), ("docker-compose.yml", 4)}
    assert result_of(report, "IMG001").outcome is Outcome.NOT_APPLICABLE
    assert report.metrics["images.floating"] == 0


def test_no_containers_is_not_applicable(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {"app.py": "x = 1\n"}), select="IMG")
    assert {r.outcome for r in report.checks} == {Outcome.NOT_APPLICABLE}


def test_an_image_a_compose_service_builds_is_not_a_floating_pull(tmp_path: Path) -> None:
    files = {
        "compose.yml": """
        services:
          backend:
            image: backend:latest
          prestart:
            image: backend:latest
            command: bash scripts/prestart.sh
          frontend:
            image: frontend:latest
            build: ./frontend
          mailpit:
            image: axllent/mailpit
        """,
        # Compose merges this file with compose.yml: backend is built, in both files
        "compose.override.yml": "services:\n  backend:\n    build:\n      context: .\n",
        # another folder is another project: it pulls backend:latest from a registry
        "deploy/compose.yml": "services:\n  backend:\n    image: backend:latest\n",
        "Dockerfile": "FROM python:3.12-slim AS Base\nFROM base\nFROM node:latest\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="IMG001")
    found = [(f.path, f.line, f.get("image")) for f in result_of(report, "IMG001").findings]
    assert found == [
        ("Dockerfile", 3, "node:latest"),
        ("compose.yml", 11, "axllent/mailpit"),
        ("deploy/compose.yml", 3, "backend:latest"),
    ]


def test_floating_images_in_test_code_are_listed_not_counted(tmp_path: Path) -> None:
    """Prefect's tests build ``tests/docker/contexts/tiny/Dockerfile`` (``FROM busybox``) to test
    its image builds; DefectDojo's read Kubernetes manifests a scanner reported on; dispatch's dev
    container runs ``postgres:latest`` on the developer's machine; linkding's
    ``scripts/test-environments/`` stacks run ``authelia/authelia:latest`` for its tests. Nothing
    deploys them. The image the project ships is still judged."""
    repo = make_repo(tmp_path, {
        "Dockerfile": "FROM python:3.12-slim\n",
        "docker-compose.yml": "services:\n  cache:\n    image: redis:latest\n",
        "tests/docker/contexts/tiny/Dockerfile": "FROM busybox\n",
        "scripts/test-environments/oidc/compose.yml": "services:\n  idp:\n    image: authelia/authelia:latest\n",
        ".devcontainer/docker-compose.yml": "services:\n  db:\n    image: postgres:latest\n",
        "unittests/scans/kubelinter/many.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n"
                                                "spec:\n  containers:\n    - name: app\n      image: generic-app:latest\n",
    })
    report = scan_repo(repo, select="IMG001")
    result = result_of(report, "IMG001")
    assert [(f.path, f.get("image")) for f in result.findings] == [("docker-compose.yml", "redis:latest")]
    assert report.metrics["images.floating"] == 1
    [table] = result.tables
    assert sorted(row[0] for row in table.rows) == [
        ".devcontainer/docker-compose.yml", "scripts/test-environments/oidc/compose.yml",
        "tests/docker/contexts/tiny/Dockerfile", "unittests/scans/kubelinter/many.yaml",
    ]


def test_a_compose_file_that_runs_the_checkout_is_a_development_set_up(tmp_path: Path) -> None:
    """redash's ``compose.yaml`` ("for the development setup") mounts ``.:/app`` beside an untagged
    maildev; readthedocs.org's override mounts ``${PWD}``; BookWyrm's ``docker-compose.dev.yml``
    mounts ``.:/app`` and builds ``dev-tools/``, whose Dockerfile starts from the image it built.
    A deployment that mounts only configuration (``./nginx/conf``), the root Dockerfile the
    development set-up builds too, and a folder a deployment builds as well are still judged."""
    repo = make_repo(tmp_path, {
        "Dockerfile": "FROM python:latest\n",
        "compose.yaml": "services:\n  server:\n    build: .\n    volumes:\n      - .:/app\n"
                        "  email:\n    image: maildev/maildev\n  worker:\n    build:\n      context: ./tools\n",
        "tools/Dockerfile": "FROM dev-web\n",
        "shared/Dockerfile": "FROM node:latest\n",
        "sub/docker-compose.override.yml": "services:\n  web:\n    image: community-server:latest\n    volumes:\n"
                                           "      - ${PWD}:/usr/src/app\n",
        "docker-compose.dev.yml": "services:\n  db:\n    image: postgres\n    volumes:\n"
                                  "      - type: bind\n        source: ./\n        target: /app\n"
                                  "  assets:\n    build: shared\n",
        "deploy/docker-compose.yml": "services:\n  proxy:\n    image: nginx:latest\n    volumes:\n"
                                     "      - ./nginx/conf:/etc/nginx\n      - .:/etc/app\n  assets:\n    build: ../shared\n",
    })
    report = scan_repo(repo, select="IMG001")
    result = result_of(report, "IMG001")
    assert sorted((f.path, f.get("image")) for f in result.findings) == [
        ("Dockerfile", "python:latest"), ("deploy/docker-compose.yml", "nginx:latest"),
        ("shared/Dockerfile", "node:latest"),
    ]
    [table] = result.tables
    assert sorted(row[0] for row in table.rows) == [
        "compose.yaml", "docker-compose.dev.yml", "sub/docker-compose.override.yml", "tools/Dockerfile",
    ]


@pytest.mark.parametrize(
    ("source", "development"),
    [
        ("${CL_BASE_DIR:-../../}", True), ("${BASE-../..}", True), ("${CL_BASE_DIR:-../}", False),
        ("${DATA:-./data}", False), ("${CL_BASE_DIR}", False),
    ],
)
def test_a_mount_of_the_checkout_through_a_variable_s_default(tmp_path: Path, source: str, development: bool) -> None:
    """CourtListener's ``docker/courtlistener/docker-compose.yml`` mounts
    ``${CL_BASE_DIR:-../../}:/opt/courtlistener``: the repository's root, two folders up, unless
    the variable says otherwise; its untagged redis and the TLS key it mounts are the development
    set-up's. The variable's own colon is not the mount's separator. A default one folder up (a
    subfolder of the root), a data folder, or a variable without a default says nothing."""
    compose = ("services:\n  web:\n    image: acme/web:latest\n    volumes:\n"
               f"      - {source}:/opt/app\n  cache:\n    image: redis\n")
    repo = make_repo(tmp_path, {"docker/app/docker-compose.yml": compose})
    findings = result_of(scan_repo(repo, select="IMG001"), "IMG001").findings
    assert (findings == ()) is development


@pytest.mark.parametrize(
    "volume",
    ["${" * 100_000 + ":/app", "${A:-" + "}" * 100_000 + ":/x", "\x00:\xff", "", ":", "${A:-${B:-../..}}:/app"],
    ids=["unclosed variables", "a default of braces", "binary", "empty", "a colon alone", "nested defaults"],
)
def test_hostile_mounts_and_image_names_are_read_without_error(volume: str) -> None:
    """Each is one regular-expression pass or a split; none is the repository's root."""
    compose = SourceFile(root=Path("/r"), relpath="a/b/compose.yml", display="a/b/compose.yml", size=0)
    assert runs_the_checkout(compose, [volume]) is False
    assert isinstance(_mount_source(volume), str)
    host = _registry_host(volume)
    assert host is None or (host and "/" not in host and host not in LOCAL_HOSTS)


def test_a_compose_file_named_for_development_or_tests_is_a_set_up_nothing_deploys(tmp_path: Path) -> None:
    """mwdb's ``compose/compose.with-dev.yml`` ("Enables development environment with auto-reload")
    mounts the package, not the root, and starts mailhog at latest; ``compose.with-e2e.yml`` starts
    the end-to-end suite's. The name says the set-up; a production compose file's does not
    (``docker-compose.prod.yml``, ``docker-compose.latest.yml``, ``contest`` holds no test word)."""
    mailhog = "services:\n  mailhog:\n    image: mailhog/mailhog:latest\n"
    repo = make_repo(tmp_path, {
        "compose/compose.with-dev.yml": mailhog, "compose/compose.with-e2e.yml": mailhog,
        "docker-compose.local.yml": mailhog, "docker-compose-ci.yaml": mailhog, "docker-compose.test.yml": mailhog,
        "docker-compose.prod.yml": mailhog, "deploy/docker-compose.latest.yml": mailhog, "docker-compose.contest.yml": mailhog,
    })
    result = result_of(scan_repo(repo, select="IMG001"), "IMG001")
    assert sorted(f.path for f in result.findings) == [
        "deploy/docker-compose.latest.yml", "docker-compose.contest.yml", "docker-compose.prod.yml",
    ]
    [table] = result.tables
    assert len(table.rows) == 5


def test_an_image_ci_builds_for_its_own_jobs_is_listed_not_counted(tmp_path: Path) -> None:
    """OctoPrint's nightly workflow builds ``.github/ci/nightly_canary/Dockerfile`` (``FROM
    debian:${DEBIAN_VERSION}-slim``) to start the server its end-to-end tests drive: CI's own
    image. A Dockerfile in a folder merely named ``github`` is still judged."""
    repo = make_repo(tmp_path, {
        ".github/ci/nightly_canary/Dockerfile": 'ARG DEBIAN_VERSION="bullseye"\nFROM debian:${DEBIAN_VERSION}-slim\n',
        "deploy/github/Dockerfile": "FROM debian:bullseye-slim\n",
    })
    result = result_of(scan_repo(repo, select="IMG001"), "IMG001")
    assert [(f.path, f.get("image")) for f in result.findings] == [("deploy/github/Dockerfile", "debian:bullseye-slim")]
    [table] = result.tables
    assert [row[0] for row in table.rows] == [".github/ci/nightly_canary/Dockerfile"]


DEV_SHELL = """
#!/usr/bin/env bash
function docker_image() {
    $DOCKER_BIN build \\
           --build-arg=UBUNTU_VERSION="${UBUNTU_VERSION}" \\
           -t "${1}" \\
           --file "${TOPLEVEL}/securedrop/dockerfiles/focal/python3/${2}" \\
           "${TOPLEVEL}/securedrop"
}

image="securedrop-slim-${UBUNTU_VERSION}-py3"
docker_image "$image" "SlimDockerfile"
"""


def test_a_base_image_a_script_of_the_repository_builds_is_not_a_floating_pull(tmp_path: Path) -> None:
    """SecureDrop's ``securedrop/bin/dev-shell`` builds ``securedrop-slim-${UBUNTU_VERSION}-py3``
    (its shell function passes the name to ``-t``), and the test image's Dockerfile starts
    ``FROM`` it: no registry holds that image, so there is no tag to pin. A tag given directly
    (``docker build -t acme-base:latest``) or through a variable (a Makefile's ``$(TOOLS)``)
    builds too."""
    repo = make_repo(tmp_path, {
        "securedrop/bin/dev-shell": DEV_SHELL,
        "securedrop/dockerfiles/focal/python3/Dockerfile": "ARG UBUNTU_VERSION=focal\n"
        "FROM securedrop-slim-${UBUNTU_VERSION}-py3\nRUN true\n",
        "base/build.sh": "set -e\ndocker build -t acme-base:latest base/\n",
        "app/Dockerfile": "FROM acme-base:latest\n",
        "Makefile": "TOOLS := acme-tools\ntools:\n\tdocker build --tag $(TOOLS) -f tools/Dockerfile.base .\n",
        "tools/Dockerfile": "FROM acme-tools\n",
    })
    assert result_of(scan_repo(repo, select="IMG001"), "IMG001").findings == ()


def test_an_image_on_the_machine_s_own_registry_is_a_local_build(tmp_path: Path) -> None:
    """SearXNG's ``container/dist.dockerfile`` starts ``FROM localhost/$ORG/$NAME:builder``:
    podman's name for the image its build script built a step before, from another Dockerfile
    (the script passes its engine and ``build`` in variables). An image at ``localhost:5000`` or
    ``127.0.0.1:5000`` was pushed by the same machine. A registry merely named like one
    (``localhost.example.com``, ``mylocalhost/x``) is pulled as any other."""
    repo = make_repo(tmp_path, {
        "container/dist.dockerfile": 'ARG ORG="searxng"\nARG NAME="searxng"\n'
        "FROM localhost/$ORG/$NAME:builder AS builder\nFROM docker.io/library/alpine:3.20\n",
        "k8s/kind.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n"
        "    - name: a\n      image: localhost:5000/app:latest\n    - name: b\n      image: 127.0.0.1:5000/b\n"
        "    - name: c\n      image: localhost.example.com/c:latest\n    - name: d\n      image: mylocalhost/d:latest\n",
    })
    findings = result_of(scan_repo(repo, select="IMG001"), "IMG001").findings
    assert sorted(f.get("image") for f in findings) == ["localhost.example.com/c:latest", "mylocalhost/d:latest"]


@pytest.mark.parametrize(
    "files",
    [
        {"build.sh": "BASE_IMAGE=ubuntu:focal\ndocker build --build-arg BASE_IMAGE=$BASE_IMAGE -t \"$NAME\" .\n",
         "Dockerfile": "ARG BASE_IMAGE=ubuntu:focal\nFROM ${BASE_IMAGE}\n"},
        {"run.sh": "docker pull ubuntu:focal\ndocker run -t ubuntu:focal make\n", "Dockerfile": "FROM ubuntu:focal\n"},
        {"build.sh": "# docker build -t ubuntu:focal .\necho docker build -t ubuntu:focal\n",
         "Dockerfile": "FROM ubuntu:focal\n"},
        {"build.sh": "docker build -t acme-base:latest base/\n",
         "k8s/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  template:\n"
         "    spec:\n      containers:\n        - name: a\n          image: acme-base:latest\n"},
    ],
    ids=[
        "the variable the script assigns the base image to is a build argument, not the tag",
        "a script that pulls and runs the image builds nothing",
        "a comment and an echo build nothing",
        "a Kubernetes manifest pulls the tag the script pushes",
    ],
)
def test_an_image_no_script_builds_under_that_name_stays_a_floating_pull(tmp_path: Path, files) -> None:
    result = result_of(scan_repo(make_repo(tmp_path, files), select="IMG001"), "IMG001")
    assert len(result.findings) == 1


BAKE = """
target "base" {
  context = "core/base/"
}

target "admin" {
  context = "core/admin/"
  contexts = {
    base = "target:base"
    alpine = "docker-image://alpine"
  }
}
"""


@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [("FROM base\nRUN true\n", 0), ("FROM alpine\nRUN true\n", 1), ("FROM other\nRUN true\n", 1)],
    ids=[
        "a named context bound to a bake target is built, not pulled",
        "a named context bound to a registry image is still a pull",
        "a name the bake file does not bind is still a pull",
    ],
)
def test_a_base_a_bake_file_binds_to_one_of_its_targets_is_not_a_floating_pull(
    tmp_path: Path, dockerfile: str, expected: int
) -> None:
    """Mailu's ``tests/build.hcl`` gives each image's target ``contexts = { base = "target:base" }``
    and ``core/admin/Dockerfile`` starts ``FROM base``: buildx builds the ``base`` target there, so
    no registry is asked for ``base:latest``."""
    repo = make_repo(tmp_path, {"tests/build.hcl": BAKE, "core/admin/Dockerfile": dockerfile})
    assert len(result_of(scan_repo(repo, select="IMG001"), "IMG001").findings) == expected


MODOBOA_DEV_COMPOSE = (
    "services:\n"
    "  api:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile.dev\n    volumes:\n      - .:/code\n"
    "  amavis:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile.amavis.dev\n"
    "  radicale:\n    build:\n      context: ./\n      dockerfile: ./docker/Dockerfile.radicale.dev\n"
)


def test_a_development_dockerfile_only_a_development_compose_file_builds_is_not_deployed(tmp_path: Path) -> None:
    """modoboa's ``docker-compose.yml`` runs the checkout (``.:/code``) and builds
    ``docker/Dockerfile.amavis.dev`` (``FROM alpine:latest``) with ``dockerfile:`` from the root's
    context: a development image, whose floating tag is listed, not counted."""
    repo = make_repo(tmp_path, {
        "docker-compose.yml": MODOBOA_DEV_COMPOSE,
        "docker/Dockerfile.dev": "FROM python:3.12\n",
        "docker/Dockerfile.amavis.dev": "FROM alpine:latest\n",
        "docker/Dockerfile.radicale.dev": "FROM python:latest\n",
    })
    result = result_of(scan_repo(repo, select="IMG001"), "IMG001")
    assert result.findings == ()
    [table] = result.tables
    assert sorted(row[0] for row in table.rows) == ["docker/Dockerfile.amavis.dev", "docker/Dockerfile.radicale.dev"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"docker/Dockerfile.amavis": "FROM alpine:latest\n"},
         MODOBOA_DEV_COMPOSE.replace("Dockerfile.amavis.dev", "Dockerfile.amavis")),
        ({"docker/Dockerfile.amavis.dev": "FROM alpine:latest\n",
          "deploy/compose.yml": "services:\n  amavis:\n    build:\n      context: ..\n"
                                "      dockerfile: docker/Dockerfile.amavis.dev\n"},
         MODOBOA_DEV_COMPOSE),
        ({"docker/Dockerfile.amavis.dev": "FROM alpine:latest\n"},
         MODOBOA_DEV_COMPOSE.replace("      - .:/code\n", "      - ./conf:/code\n")),
    ],
    ids=["a Dockerfile not named for development", "a deployment builds it too", "no development set-up"],
)
def test_a_dockerfile_a_deployment_may_build_is_still_judged(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    """Both are needed: a name that says development (``Dockerfile.dev``, ``dev.Dockerfile``) and
    only development compose files naming it."""
    repo = make_repo(tmp_path, {"docker-compose.yml": expected, **files})
    result = result_of(scan_repo(repo, select="IMG001"), "IMG001")
    assert [f.get("image") for f in result.findings if f.path.startswith("docker/Dockerfile.amavis")] == [
        "alpine:latest"
    ]


@pytest.mark.parametrize(
    "dockerfile",
    ["[docker/Dockerfile.amavis.dev]", "{path: docker/Dockerfile.amavis.dev}", "../../etc/Dockerfile.dev",
     "/abs/Dockerfile.amavis.dev", "''", "5", "x" * 100_000],
    ids=["a list", "a mapping", "out of the repository", "absolute", "empty", "a number", "100,000 characters"],
)
def test_a_dockerfile_key_of_another_shape_names_no_development_dockerfile(tmp_path: Path, dockerfile: str) -> None:
    """Read leniently: a ``dockerfile:`` value that is no path inside the repository names nothing,
    the scan goes on, and the Dockerfile is still judged."""
    compose = MODOBOA_DEV_COMPOSE.replace("dockerfile: docker/Dockerfile.amavis.dev", f"dockerfile: {dockerfile}")
    repo = make_repo(tmp_path, {"docker-compose.yml": compose, "docker/Dockerfile.amavis.dev": "FROM alpine:latest\n"})
    result = result_of(scan_repo(repo, select="IMG001"), "IMG001")
    assert [(f.path, f.get("image")) for f in result.findings] == [("docker/Dockerfile.amavis.dev", "alpine:latest")]


@pytest.mark.parametrize(
    ("volume", "expected"),
    [
        ("./docker/conf:/etc/app", {"docker/conf"}),
        ("./" + "a/" * 50_000 + ":/etc/x", {"/".join(["a"] * 50_000)}),
        ("./../../..:/etc/x", set()),
        (":::", set()),
        ("", set()),
        ("./conf", set()),
        ("${CONF}:/etc/x", set()),
        ("./\x00\udcff:/etc/x", {"\x00\udcff"}),
    ],
    ids=["a configuration", "100,000 characters", "out of the repository", "only colons", "empty",
         "no target", "a variable", "odd characters"],
)
def test_service_configs_reads_any_volume_text(volume: str, expected: set[str]) -> None:
    """A volume's text is the repository's: any shape gives a set of paths inside it, or none."""
    from gonogo.collectors.containers import service_configs
    from gonogo.workspace import SourceFile

    compose = SourceFile(root=Path("/r"), relpath="docker-compose.yml", display="docker-compose.yml", size=0)
    assert service_configs(compose, [volume], etc_only=True) == expected
