"""Deployment manifests (OPS): Kubernetes workloads, Helm templates and Compose services, each
rule with a passing and a failing manifest side by side."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.model import Outcome, Severity
from tests.helpers import make_repo, result_of, scan_repo

GOOD_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: web
          image: registry.example.com/web:1.4.2
          readinessProbe: {httpGet: {path: /ready, port: 8080}}
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: web}
"""

BARE_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      hostNetwork: true
      volumes:
        - name: docker
          hostPath: {path: /var/run/docker.sock}
      initContainers:
        - name: migrate
          image: registry.example.com/api:2.0.1
      containers:
        - name: api
          image: registry.example.com/api:latest
          imagePullPolicy: IfNotPresent
          securityContext:
            privileged: true
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
"""


def _findings(tmp_path: Path, files: dict[str, str], check_id: str) -> list[str]:
    report = scan_repo(make_repo(tmp_path, files), select=check_id)
    result = result_of(report, check_id)
    return [f"{f.path}:{f.line} {f.message}" for f in result.findings]


def test_kubernetes_rules_pass_a_hardened_deployment_and_fail_a_bare_one(tmp_path: Path) -> None:
    files = {"k8s/web.yaml": GOOD_DEPLOYMENT, "k8s/api.yaml": BARE_DEPLOYMENT}
    report = scan_repo(make_repo(tmp_path, files), select="OPS")
    messages = {r.check_id: [f.message for f in r.findings] for r in report.checks}
    assert messages["OPS001"] == ["Deployment api, container api has no readinessProbe or livenessProbe"]
    assert len(messages["OPS002"]) == 2  # the init container needs resources too
    assert messages["OPS003"] == ["Deployment api is behind a Service with no replicas (default 1)"]
    assert messages["OPS004"] == []  # web has its budget; api has one replica
    assert "Deployment api, container api runs privileged" in messages["OPS005"]
    assert not any("web" in m for m in messages["OPS005"])
    assert sorted(messages["OPS006"]) == [
        "Deployment api mounts hostPath /var/run/docker.sock",
        "Deployment api sets hostNetwork: true",
    ]
    assert messages["OPS007"] == [
        "Deployment api, container api runs registry.example.com/api:latest with imagePullPolicy IfNotPresent"
    ]
    privileged = next(f for f in result_of(report, "OPS005").findings if "privileged" in f.message)
    assert privileged.severity is Severity.HIGH
    assert privileged.location is not None and privileged.location.line == 24


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("", ["Deployment web has no PodDisruptionBudget selecting its pods"]),
        (
            "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: w}\n"
            "spec:\n  minAvailable: 1\n  selector:\n    matchLabels: {app: web}\n",
            [],
        ),
    ],
    ids=["replicated without a budget", "replicated with a budget"],
)
def test_disruption_budget(tmp_path: Path, extra: str, expected: list[str]) -> None:
    without_budget = GOOD_DEPLOYMENT.split("---\napiVersion: policy/v1")[0]
    assert [m.split(" ", 1)[1] for m in _findings(tmp_path, {"k8s/web.yaml": without_budget + extra}, "OPS004")] == expected


@pytest.mark.parametrize(
    ("replicas", "hpa", "expected"),
    [
        ("replicas: 1", "", 1),
        ("replicas: 2", "", 0),
        ("replicas: 1", "scaled by an HPA", 0),
    ],
    ids=["one replica behind a Service", "two replicas", "one replica under an HPA"],
)
def test_replicas_behind_a_service(tmp_path: Path, replicas: str, hpa: str, expected: int) -> None:
    manifest = GOOD_DEPLOYMENT.replace("replicas: 3", replicas)
    if hpa:
        manifest += (
            "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
            "spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
            "  minReplicas: 2\n  maxReplicas: 5\n"
        )
    assert len(_findings(tmp_path, {"k8s/web.yaml": manifest}, "OPS003")) == expected


def test_a_worker_no_service_selects_is_not_asked_for_replicas(tmp_path: Path) -> None:
    worker = GOOD_DEPLOYMENT.replace("replicas: 3", "replicas: 1").split("---")[0]
    assert _findings(tmp_path, {"k8s/worker.yaml": worker}, "OPS003") == []


def test_jobs_need_resources_but_not_probes(tmp_path: Path) -> None:
    cronjob = """
    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly}
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              containers:
                - name: report
                  image: registry.example.com/report:1.0.0
    """
    files = {"k8s/cron.yaml": cronjob}
    assert result_of(scan_repo(make_repo(tmp_path, files), select="OPS001"), "OPS001").outcome is Outcome.NOT_APPLICABLE
    assert len(_findings(tmp_path / "again", files, "OPS002")) == 1


CHART_TEMPLATE = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "app.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "app.selectorLabels" . | nindent 8 }}
    spec:
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          livenessProbe:
            httpGet: {path: /, port: http}
          readinessProbe:
            httpGet: {path: /, port: http}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
"""


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("resources: {}\npodSecurityContext: {}\n", 1),
        (
            "resources:\n  requests: {cpu: 100m, memory: 128Mi}\n  limits: {cpu: 1, memory: 256Mi}\n"
            "podSecurityContext: {}\n",
            0,
        ),
    ],
    ids=["helm default empty resources", "helm values with resources"],
)
def test_helm_template_resources_are_read_from_values(tmp_path: Path, values: str, expected: int) -> None:
    files = {
        "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "chart/values.yaml": values,
        "chart/templates/deployment.yaml": CHART_TEMPLATE,
    }
    found = _findings(tmp_path, files, "OPS002")
    assert len(found) == expected
    assert all("chart/templates/deployment.yaml" in f for f in found)


def test_helm_template_probes_and_replicas_count_as_set(tmp_path: Path) -> None:
    files = {"chart/values.yaml": "resources: {}\n", "chart/templates/deployment.yaml": CHART_TEMPLATE}
    report = scan_repo(make_repo(tmp_path, files), select="OPS001,OPS003")
    assert result_of(report, "OPS001").outcome is Outcome.PASS
    assert result_of(report, "OPS003").findings == ()


PROD_COMPOSE = """
services:
  db:
    image: postgres:16.2
    restart: unless-stopped
    healthcheck:
      test: ["CMD-SHELL", "pg_isready"]
    environment:
      POSTGRES_PASSWORD: hunter2
      POSTGRES_USER: app
  web:
    image: registry.example.com/web:1.2.0
    privileged: true
    depends_on:
      db: {condition: service_healthy}
    environment:
      - SECRET_KEY=${SECRET_KEY}
      - API_TOKEN
    deploy:
      resources:
        limits: {memory: 512M}
  migrate:
    image: registry.example.com/web:1.2.0
    restart: "no"
    command: ["alembic", "upgrade", "head"]
"""


def test_compose_rules_on_a_production_file(tmp_path: Path) -> None:
    report = scan_repo(make_repo(tmp_path, {"docker-compose.yml": PROD_COMPOSE}), select="OPS")
    messages = {r.check_id: [f.message for f in r.findings] for r in report.checks}
    assert messages["OPS010"] == ["service web has no healthcheck"]  # migrate is one-off
    assert messages["OPS011"] == ["service web has no restart policy"]
    assert messages["OPS012"] == ["service db has no memory or CPU limit"]
    assert messages["OPS013"] == ["service web runs privileged"]
    assert messages["OPS014"] == ["service db sets POSTGRES_PASSWORD to a value written in the file"]
    secret = result_of(report, "OPS014").findings[0]
    assert "hunter2" not in f"{secret.message} {secret.evidence}"


@pytest.mark.parametrize(
    "path",
    ["docker-compose.dev.yml", "compose.override.yml", ".devcontainer/docker-compose.yml", "tests/e2e/compose.yml"],
    ids=["dev file", "override file", "dev container folder", "test folder"],
)
def test_development_compose_files_are_not_judged(tmp_path: Path, path: str) -> None:
    report = scan_repo(make_repo(tmp_path, {path: PROD_COMPOSE}), select="OPS010,OPS014,OPS013")
    assert result_of(report, "OPS010").outcome is Outcome.NOT_APPLICABLE
    assert result_of(report, "OPS014").outcome is Outcome.NOT_APPLICABLE
    assert len(result_of(report, "OPS013").findings) == 1  # privileged is judged everywhere


def test_a_compose_file_mounting_the_source_tree_is_a_dev_setup(tmp_path: Path) -> None:
    dev = PROD_COMPOSE.replace("    privileged: true\n", "    volumes: ['..:/app']\n")
    assert result_of(scan_repo(make_repo(tmp_path, {"box/docker-compose.yml": dev}), select="OPS010"), "OPS010").outcome is (
        Outcome.NOT_APPLICABLE
    )


def test_overlay_file_supplies_the_restart_policy_but_alternatives_stay_separate(tmp_path: Path) -> None:
    base = "services:\n  web:\n    image: app:1.0.0\n    healthcheck: {test: [CMD, true]}\n"
    files = {
        "compose.yml": base,
        "compose.deploy.yml": "services:\n  web:\n    restart: always\n",
        "alt/docker-compose.postgres.yml": base + "    restart: always\n",
        "alt/docker-compose.sqlite.yml": base,
    }
    assert _findings(tmp_path, files, "OPS011") == ["alt/docker-compose.sqlite.yml:3 service web has no restart policy"]


def test_own_image_inherits_the_dockerfile_healthcheck(tmp_path: Path) -> None:
    files = {
        "Dockerfile": "FROM python:3.12-slim\nUSER app\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n",
        "docker-compose.yml": (
            "services:\n  web:\n    build: .\n    restart: always\n"
            "  cache:\n    image: redis:7.2.4\n    restart: always\n"
        ),
    }
    assert [f.split(" ", 1)[1] for f in _findings(tmp_path, files, "OPS010")] == ["service cache has no healthcheck"]


def test_plan_groups_workloads_per_manifest(tmp_path: Path) -> None:
    bare = BARE_DEPLOYMENT.split("---")[0]
    second = bare.replace("name: api", "name: jobs").replace("app: api", "app: jobs")
    report = scan_repo(make_repo(tmp_path, {"k8s/all.yaml": bare + "---\n" + second}), select="OPS001")
    titles = [a.title for a in report.plan]
    assert titles == ["add liveness and readiness probes to 2 workloads in k8s/all.yaml"]


def test_unparsable_helm_template_is_reported_not_judged(tmp_path: Path) -> None:
    broken = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  bad: [unclosed\n"
    report = scan_repo(make_repo(tmp_path, {"chart/templates/x.yaml": broken}), select="OPS015")
    assert [f.message for f in result_of(report, "OPS015").findings] == [
        "chart/templates/x.yaml was not judged: not YAML once its actions are removed"
    ]


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        (True, ["Deployment web, container web has no readinessProbe"]),
        (False, []),
    ],
    ids=["served pod without readiness", "worker without readiness"],
)
def test_readiness_is_asked_only_of_pods_a_service_selects(tmp_path: Path, service: bool, expected: list[str]) -> None:
    manifest = GOOD_DEPLOYMENT.replace("          readinessProbe: {httpGet: {path: /ready, port: 8080}}\n", "")
    if not service:
        manifest = manifest.replace("kind: Service", "kind: ConfigMap")
    assert [m.split(" ", 1)[1] for m in _findings(tmp_path, {"k8s/web.yaml": manifest}, "OPS001")] == expected


@pytest.mark.parametrize(
    ("limits", "ops002", "ops008"),
    [
        ("limits: {cpu: 500m, memory: 256Mi}", 0, 0),
        ("limits: {memory: 256Mi}", 0, 1),
        ("limits: {cpu: 500m}", 1, 0),
    ],
    ids=["both limits", "no CPU limit only", "no memory limit"],
)
def test_a_missing_cpu_limit_is_its_own_low_check(tmp_path: Path, limits: str, ops002: int, ops008: int) -> None:
    manifest = GOOD_DEPLOYMENT.replace("limits: {cpu: 500m, memory: 256Mi}", limits)
    report = scan_repo(make_repo(tmp_path, {"k8s/web.yaml": manifest}), select="OPS002,OPS008")
    assert len(result_of(report, "OPS002").findings) == ops002
    assert len(result_of(report, "OPS008").findings) == ops008


@pytest.mark.parametrize(
    ("profile", "blocking"),
    [("critical", True), ("standard", False), ("prototype", False)],
    ids=["critical blocks", "standard does not block", "prototype does not block"],
)
def test_operational_readiness_gate_blocks_only_a_critical_service(profile: str, blocking: bool) -> None:
    from gonogo.policy import PROFILES, default_gates

    gate = next(g for g in default_gates(PROFILES[profile]) if g.name == "Operational readiness")
    assert gate.blocking is blocking
    assert {c.metric for c in gate.conditions} >= {"ops.probes_missing", "obs.health_endpoint_missing"}


def test_operational_readiness_fails_on_a_bare_deployment_and_passes_a_hardened_one(tmp_path: Path) -> None:
    app = "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/healthz')\ndef healthz() -> dict:\n    return {}\n"
    good = scan_repo(make_repo(tmp_path / "good", {"k8s/web.yaml": GOOD_DEPLOYMENT, "app.py": app}), select="OPS,OBS,MIG")
    bare = scan_repo(make_repo(tmp_path / "bare", {"k8s/api.yaml": BARE_DEPLOYMENT, "app.py": app}), select="OPS,OBS,MIG")
    status = {r.gate.name: r.status.value for r in good.gates}
    assert status["Operational readiness"] == "pass"
    assert {r.gate.name: r.status.value for r in bare.gates}["Operational readiness"] == "fail"


BITNAMI_STYLE = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "common.names.fullname" . }}
  labels: {{- include "common.labels.standard" . | nindent 4 }}
    app.kubernetes.io/component: web
spec:
  template:
    spec:
      containers:
      - name: web
        {{- if .Values.securityContext.enabled }}
        securityContext: {{- include "common.renderSecurityContext" (dict "secContext" .Values.securityContext) | nindent 10 }}
        {{- end }}
        image: {{ include "web.image" . | quote }}
        livenessProbe:
          httpGet: {path: /healthz, port: http}
        resources: {{- toYaml .Values.resources | nindent 10 }}
"""


@pytest.mark.parametrize(
    ("values", "ops002", "ops005"),
    [
        ("resources:\n  requests: {cpu: 1, memory: 1Gi}\n  limits: {memory: 1Gi}\n", 0, 0),
        ("resources: {}\n", 1, 0),
    ],
    ids=["keyed actions with resources in values", "keyed actions with empty resources"],
)
def test_bitnami_style_keyed_actions_are_read(tmp_path: Path, values: str, ops002: int, ops005: int) -> None:
    files = {"chart/values.yaml": values, "chart/templates/deployment.yaml": BITNAMI_STYLE}
    report = scan_repo(make_repo(tmp_path, files), select="OPS002,OPS005,OPS015")
    assert result_of(report, "OPS015").outcome is Outcome.NOT_APPLICABLE  # the template was read
    assert len(result_of(report, "OPS002").findings) == ops002
    assert len(result_of(report, "OPS005").findings) == ops005  # a rendered securityContext counts as set


def test_a_templated_hpa_scales_only_its_own_chart(tmp_path: Path) -> None:
    hpa = (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  scaleTargetRef:\n    kind: Deployment\n    name: {{ .Release.Name }}\n"
    )
    deployment = CHART_TEMPLATE.replace("  replicas: {{ .Values.replicaCount }}\n", "  replicas: 1\n")
    files = {
        "charts/a/templates/hpa.yaml": hpa,
        "charts/a/templates/deployment.yaml": deployment,
        "charts/b/templates/deployment.yaml": deployment,
    }
    found = _findings(tmp_path, files, "OPS004")
    assert found == ["charts/a/templates/deployment.yaml:1 Deployment {{ }} has no PodDisruptionBudget selecting its pods"]
