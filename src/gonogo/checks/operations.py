"""Operational readiness of deployment manifests (OPS): Kubernetes workloads and Compose services
have what keeps a service up and contained: probes, resources, replicas with a disruption budget,
an unprivileged security context, restart policies and health checks.

The Kubernetes rules follow kube-score's checks (named in each Why) and the mercari
production-readiness checklist; a field a Helm template sets at render time counts as set, since
the text cannot tell its value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from gonogo.collectors.containers import ContainerFacts, split_image
from gonogo.collectors.deployment import (
    ComposeService,
    Container,
    DeploymentFacts,
    Selector,
    Setting,
    Workload,
    secret_named,
)
from gonogo.grouping import Grouping, plural
from gonogo.model import Category, Finding, Severity
from gonogo.registry import CheckOutput, Failure, NotApplicable, check, fail

_LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")


def _workloads(deployment: DeploymentFacts, kinds: Sequence[str] = ()) -> tuple[Workload, ...]:
    chosen = tuple(w for w in deployment.workloads if not kinds or w.kind in kinds)
    if not chosen:
        raise NotApplicable("no Kubernetes workload" + (f" of kind {', '.join(kinds)}" if kinds else ""))
    return chosen


def _app_containers(workload: Workload) -> Iterator[Container]:
    """The containers a check judges: init containers run to completion and need no probes."""
    for container in workload.containers:
        if not container.init and container.get("*") is None:
            yield container


def _where(workload: Workload, container: Container | None = None) -> str:
    name = f"{workload.kind} {workload.name}"
    return f"{name}, container {container.name}" if container else name


def _set(setting: Setting | None) -> bool:
    return setting is not None and (setting.templated or not setting.empty)


def plan_per_manifest(findings: Sequence[Finding]) -> Grouping:
    """One action per manifest naming how many workloads or services it touches."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[str(finding.get("manifest") or finding.path or "?")].append(finding)
    check_id = findings[0].check_id if findings else ""
    action = _ACTIONS.get(check_id, "fix {}")
    for path, group in sorted(by_file.items()):
        workloads = sorted({str(f.get("workload")) for f in group})
        noun = "service" if check_id.startswith("OPS01") else "workload"
        yield f"{action.format(plural(len(workloads), noun))} in {path}", group


@check(
    "OPS001",
    "Kubernetes workloads declare liveness and readiness probes",
    category=Category.OPERATIONS,
    severity=Severity.MEDIUM,
    counts="ops.probes_missing",
    plan=plan_per_manifest,
)
def probes(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: without a readiness probe a Service sends traffic to a pod that has not finished
    starting, and without a liveness probe a hung process is never restarted (kube-score
    ``pod-probes``: readiness is asked for only when a Service in the repository selects the pod,
    as kube-score does; the mercari checklist's "Health checks"). Only long-running workloads
    (Deployment, StatefulSet, DaemonSet) are judged; Jobs run to completion, and init containers
    are not probed. A probe a Helm template sets from values counts as set.
    Fix: add ``readinessProbe`` and ``livenessProbe`` (an HTTP GET on the health endpoint, or a
    TCP socket), with a liveness that does not depend on other services."""
    for workload in _workloads(deployment, _LONG_RUNNING):
        served = bool(_selected_by(workload, deployment.selectors, "Service"))
        wanted = ("readinessProbe", "livenessProbe") if served else ("livenessProbe",)
        for container in _app_containers(workload):
            missing = [p for p in wanted if not _set(container.get(p))]
            if missing:
                yield _on_container(workload, container, f"{_where(workload, container)} has no {' or '.join(missing)}")


_RESOURCES = ("requests.cpu", "requests.memory", "limits.memory")


@check(
    "OPS002",
    "Kubernetes containers request CPU and memory and limit memory",
    category=Category.OPERATIONS,
    severity=Severity.MEDIUM,
    counts="ops.resources_missing",
    plan=plan_per_manifest,
)
def resources(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: a container without requests is scheduled as if it needed nothing and is evicted
    first; without a memory limit one leak takes the node's memory from its neighbours (kube-score
    ``container-resources``; its CPU limit is OPS008, apart, since some teams leave it out on
    purpose to avoid throttling). A Helm ``resources: {{ toYaml .Values.resources }}`` is judged
    on the chart's values.yaml; a block values cannot resolve counts as set.
    Fix: set ``resources.requests.cpu``, ``resources.requests.memory`` and
    ``resources.limits.memory`` on every container."""
    for workload, container, missing in _missing_resources(deployment, _RESOURCES):
        named = ", ".join(f"resources.{r}" for r in missing)
        yield _on_container(workload, container, f"{_where(workload, container)} has no {named}")


@check(
    "OPS008",
    "Kubernetes containers limit CPU",
    category=Category.OPERATIONS,
    severity=Severity.LOW,
    plan=plan_per_manifest,
)
def cpu_limit(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: kube-score's ``container-resources`` asks for a CPU limit so one busy pod cannot starve
    its neighbours; others leave it out on purpose (CPU is compressible and limits throttle), so
    this is low severity and out of every gate.
    Fix: set ``resources.limits.cpu``, or waive this check with the reason you chose not to."""
    for workload, container, _ in _missing_resources(deployment, ("limits.cpu",)):
        yield _on_container(workload, container, f"{_where(workload, container)} has no resources.limits.cpu")


def _missing_resources(
    deployment: DeploymentFacts, wanted: Sequence[str]
) -> Iterator[tuple[Workload, Container, list[str]]]:
    for workload in _workloads(deployment):
        for container in workload.containers:
            if container.get("*") is not None or _set_whole(container.get("resources")):
                continue
            missing = [r for r in wanted if not _set(container.get(f"resources.{r}"))]
            if missing:
                yield workload, container, missing


def _set_whole(setting: Setting | None) -> bool:
    """A whole ``resources`` block set at render time and not resolved from values."""
    return setting is not None and setting.templated


def _selected_by(workload: Workload, selectors: Sequence[Selector], kind: str) -> list[Selector]:
    return [s for s in selectors if s.kind == kind and s.selects(workload)]


@check(
    "OPS003",
    "Deployments behind a Service run more than one replica",
    category=Category.OPERATIONS,
    severity=Severity.MEDIUM,
    counts="ops.single_replica",
    plan=plan_per_manifest,
)
def replicas(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: one replica behind a Service means every rollout, node drain or crash is an outage
    (the mercari checklist's "Replicas"; kube-score skips replica counts under an HPA, and so do
    we). A Deployment no Service in the repository selects (a worker) is not judged; a replica
    count set at render time counts as set.
    Fix: set ``spec.replicas: 2`` or more, or scale with a HorizontalPodAutoscaler."""
    for workload in _workloads(deployment, ("Deployment",)):
        if not _selected_by(workload, deployment.selectors, "Service"):
            continue
        if _selected_by(workload, deployment.selectors, "HorizontalPodAutoscaler"):
            continue
        count = workload.replicas
        if count is not None and (count.templated or not (count.value or "").isdigit()):
            continue
        value = int(count.value) if count is not None and count.value else 1
        if value < 2:
            stated = f"replicas: {value}" if count is not None else "no replicas (default 1)"
            line = count.line if count else workload.line
            yield _on_workload(workload, f"{_where(workload)} is behind a Service with {stated}", line=line)


@check(
    "OPS004",
    "Replicated workloads have a PodDisruptionBudget",
    category=Category.OPERATIONS,
    severity=Severity.LOW,
    counts="ops.without_disruption_budget",
    plan=plan_per_manifest,
)
def disruption_budget(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: without a PodDisruptionBudget a node drain may evict every replica at once (kube-score
    ``deployment-has-poddisruptionbudget`` and ``statefulset-has-poddisruptionbudget``). Only
    workloads with more than one replica (or an HPA) are judged: a budget on a single replica
    blocks drains instead. A budget may live outside the repository, hence the low severity.
    Fix: add a ``PodDisruptionBudget`` with ``maxUnavailable: 1`` selecting the pod labels."""
    for workload in _workloads(deployment, ("Deployment", "StatefulSet")):
        scaled = bool(_selected_by(workload, deployment.selectors, "HorizontalPodAutoscaler"))
        count = workload.replicas
        many = count is not None and (count.value or "").isdigit() and int(count.value or 0) > 1
        if not (scaled or many) or _selected_by(workload, deployment.selectors, "PodDisruptionBudget"):
            continue
        yield _on_workload(workload, f"{_where(workload)} has no PodDisruptionBudget selecting its pods")


def _pod_or_container(workload: Workload, container: Container, path: str) -> Setting | None:
    return container.get(f"securityContext.{path}") or workload.pod_get(f"securityContext.{path}")


def _true(setting: Setting | None) -> bool:
    return setting is not None and (setting.templated or (setting.value or "").lower() == "true")


@check(
    "OPS005",
    "Kubernetes containers run unprivileged, as non-root, on a read-only root filesystem",
    category=Category.OPERATIONS,
    severity=Severity.MEDIUM,
    counts="ops.insecure_context",
    plan=plan_per_manifest,
)
def security_context(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: a privileged container is root on the node; one that may escalate privileges, runs as
    root or writes its root filesystem turns a code-execution bug into persistence and lateral
    movement (kube-score ``container-security-context-privileged``,
    ``-user-group-id`` (we accept ``runAsNonRoot: true`` or a non-zero ``runAsUser``) and
    ``-readonlyrootfilesystem``; the Pod Security Standards "restricted" profile). Privileged is
    high severity; the rest medium. A value set at render time counts as set.
    Fix: in each container's ``securityContext`` set ``privileged: false``,
    ``allowPrivilegeEscalation: false``, ``readOnlyRootFilesystem: true`` (mount an ``emptyDir``
    where it must write), and ``runAsNonRoot: true`` on the pod or container."""
    for workload in _workloads(deployment):
        for container in workload.containers:
            if container.get("*") is not None:
                continue
            privileged = container.get("securityContext.privileged")
            if privileged is not None and (privileged.value or "").lower() == "true":
                yield _on_workload(
                    workload,
                    f"{_where(workload, container)} runs privileged",
                    # a Helm value's line is in values.yaml, not in the template
                    line=container.line if workload.helm else privileged.line,
                    key=f"{container.name}/privileged",
                    severity=Severity.HIGH,
                )
            weak = _weak_settings(workload, container)
            if weak:
                yield _on_workload(
                    workload, f"{_where(workload, container)}: {', '.join(weak)}", line=container.line,
                    key=f"{container.name}/context",
                )


def _weak_settings(workload: Workload, container: Container) -> list[str]:
    weak = []
    escalation = container.get("securityContext.allowPrivilegeEscalation")
    if not (escalation is not None and (escalation.templated or (escalation.value or "").lower() == "false")):
        weak.append("allowPrivilegeEscalation is not false")
    user = _pod_or_container(workload, container, "runAsUser")
    non_root_user = user is not None and (user.templated or (user.value or "0").strip() not in ("0", ""))
    if not (_true(_pod_or_container(workload, container, "runAsNonRoot")) or non_root_user):
        weak.append("runAsNonRoot is not set")
    if not _true(container.get("securityContext.readOnlyRootFilesystem")):
        weak.append("readOnlyRootFilesystem is not true")
    return weak


@check(
    "OPS006",
    "Kubernetes pods do not share the host's network, processes or filesystem",
    category=Category.OPERATIONS,
    severity=Severity.HIGH,
    counts="ops.host_access",
    plan=plan_per_manifest,
)
def host_access(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: ``hostNetwork``, ``hostPID``, ``hostIPC`` and ``hostPath`` volumes break the isolation
    between a pod and its node: a compromised pod reads other pods' traffic, processes or files
    (the Pod Security Standards "baseline" profile forbids them). Node agents (log shippers,
    CNI plugins) need them and should be waived with a reason.
    Fix: remove the host namespace or mount; use a ``persistentVolumeClaim`` or ``emptyDir``."""
    for workload in _workloads(deployment):
        for name in ("hostNetwork", "hostPID", "hostIPC"):
            setting = workload.pod_get(name)
            if setting is not None and (setting.value or "").lower() == "true":
                yield _on_workload(workload, f"{_where(workload)} sets {name}: true", line=setting.line, key=name)
        for line, path in workload.host_paths:
            message = f"{_where(workload)} mounts hostPath {path}"
            yield _on_workload(workload, message, line=line, key=f"hostPath:{path}")


@check(
    "OPS007",
    "A floating image tag is pulled on every start",
    category=Category.OPERATIONS,
    severity=Severity.MEDIUM,
)
def pull_policy(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: with ``imagePullPolicy: IfNotPresent`` (or ``Never``) a ``latest``-style tag runs
    whatever each node pulled first, so replicas of one Deployment run different code (kube-score
    ``container-image-pull-policy`` asks for ``Always``; the floating tag itself is IMG001).
    Fix: pin the image to a version (best), or set ``imagePullPolicy: Always``."""
    for workload in _workloads(deployment):
        for container in workload.containers:
            policy = container.get("imagePullPolicy")
            if container.image_kind not in ("floating", "untagged") or policy is None:
                continue
            if (policy.value or "") in ("IfNotPresent", "Never"):
                message = f"{_where(workload, container)} runs {container.image} with imagePullPolicy {policy.value}"
                yield _on_workload(workload, message, line=policy.line, key=container.name)


# --- Compose ---------------------------------------------------------------------------------


def _compose(deployment: DeploymentFacts) -> list[ComposeService]:
    """Services of production compose files; development, test and CI files (by name or folder)
    describe a developer's machine, not a deployment."""
    if not deployment.compose:
        raise NotApplicable("no compose file")
    merged = _merged([s for s in deployment.compose if s.production])
    chosen = [s for s in merged if not s.one_off]
    if not chosen:
        raise NotApplicable("only development, test or CI compose files")
    return chosen


def _merged(services: Sequence[ComposeService]) -> list[ComposeService]:
    """Each full service definition (one with ``image`` or ``build``) with the overlays of its
    folder applied: compose files of one folder are deployed together (``-f compose.yml -f
    compose.deploy.yml``), so a restart policy an overlay adds applies to the base service. Two
    full definitions of one name (alternative files, ``docker-compose.postgres.yml`` and
    ``docker-compose.mariadb.yml``) stay separate."""
    overlays: dict[tuple[str, str], list[ComposeService]] = defaultdict(list)
    for service in services:
        if not (service.image or service.built):
            overlays[(_folder(service), service.name)].append(service)
    out = []
    for base in services:
        if not (base.image or base.built):
            continue
        group = [base, *overlays.get((_folder(base), base.name), ())]
        out.append(
            replace(
                base,
                healthcheck=next((s.healthcheck for s in group if s.healthcheck is not None), None),
                restart=next((s.restart for s in group if s.restart is not None), None),
                limits=any(s.limits for s in group),
                one_off=any(s.one_off for s in group),
            )
        )
    return out


def _own_image_healthchecked(service: ComposeService, containers: ContainerFacts) -> bool:
    """The service runs an image this repository builds, and the repository's Dockerfile (of the
    same root) declares a HEALTHCHECK. Which Dockerfile a pulled image came from cannot be told
    from files, so any Dockerfile of the root with a HEALTHCHECK counts."""
    checked = any(
        d.file.root == service.file.root and any(i.keyword == "HEALTHCHECK" for i in d.final_stage)
        for d in containers.dockerfiles
    )
    if not checked:
        return False
    if service.built:
        return True
    repository = split_image(service.image)[0].rsplit("/", 1)[-1].lower()
    project = service.file.root.name.lower()
    return bool(repository) and repository in project.split("+")


def _healthchecked(service: ComposeService, others: Sequence[ComposeService]) -> bool:
    if service.healthcheck is not None:
        disabled = service.healthcheck.value is None and service.healthcheck.empty
        return not disabled
    # another service waiting for this one to be healthy: the image defines the healthcheck
    folder = _folder(service)
    return any(service.name in o.healthy_dependencies for o in others if _folder(o) == folder)


def _folder(service: ComposeService) -> str:
    return f"{service.file.root}/{service.file.relpath.rpartition('/')[0]}"


@check(
    "OPS010",
    "Compose services declare a healthcheck",
    category=Category.OPERATIONS,
    severity=Severity.LOW,
    counts="ops.compose_unhealthchecked",
    plan=plan_per_manifest,
)
def compose_healthcheck(deployment: DeploymentFacts, containers: ContainerFacts) -> Iterator[CheckOutput]:
    """Why: without a healthcheck Compose reports a hung service as running, and a service that
    ``depends_on`` it starts before it can answer. A service another one waits on with
    ``condition: service_healthy`` has one (from its image), and one-off services (``restart:
    "no"``, profiles) are not judged. A service running the repository's own image (built here,
    or pulled under the project's name) has the HEALTHCHECK of the repository's Dockerfile when
    one declares it. A pulled image may define a HEALTHCHECK gonogo cannot see, hence the low
    severity.
    Fix: add ``healthcheck: {test: [...], interval: 10s, retries: 5}`` calling the service's
    health endpoint or its client (``pg_isready``, ``redis-cli ping``)."""
    services = _compose(deployment)
    for service in services:
        if _own_image_healthchecked(service, containers):
            continue
        if not _healthchecked(service, deployment.compose):
            yield _on_service(service, f"service {service.name} has no healthcheck")


@check(
    "OPS011",
    "Compose services restart after a crash",
    category=Category.OPERATIONS,
    severity=Severity.LOW,
    counts="ops.compose_no_restart",
    plan=plan_per_manifest,
)
def compose_restart(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: the default restart policy is ``no``: a service that crashes, or a host that reboots,
    leaves it down until someone notices. One-off services are not judged.
    Fix: set ``restart: unless-stopped`` (or ``deploy.restart_policy`` under Swarm)."""
    for service in _compose(deployment):
        if service.restart is None:
            yield _on_service(service, f"service {service.name} has no restart policy")


@check(
    "OPS012",
    "Compose services limit their memory and CPU",
    category=Category.OPERATIONS,
    severity=Severity.LOW,
    plan=plan_per_manifest,
)
def compose_limits(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: one service without a limit can take the host's memory and take every other service
    down with it. Many single-host deployments run without limits on purpose, hence low severity
    and no gate.
    Fix: set ``deploy.resources.limits`` (``memory: 512M``, ``cpus: "1"``) or ``mem_limit``."""
    for service in _compose(deployment):
        if not service.limits:
            yield _on_service(service, f"service {service.name} has no memory or CPU limit")


@check(
    "OPS013",
    "Compose services do not run privileged",
    category=Category.OPERATIONS,
    severity=Severity.HIGH,
    counts="ops.compose_privileged",
)
def compose_privileged(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: ``privileged: true`` gives the container every capability and the host's devices: a
    compromise of the service is a compromise of the host. Every compose file is judged, a
    development one too, since it runs on someone's machine.
    Fix: remove ``privileged`` and grant only the capability needed (``cap_add: [NET_ADMIN]``) or
    the device (``devices:``)."""
    if not deployment.compose:
        raise NotApplicable("no compose file")
    for service in deployment.compose:
        if service.privileged is not None:
            yield _on_service(service, f"service {service.name} runs privileged", line=service.privileged)


@check(
    "OPS014",
    "Compose files do not write secrets into environment values",
    category=Category.OPERATIONS,
    severity=Severity.MEDIUM,
    counts="ops.compose_plain_secrets",
    plan=plan_per_manifest,
)
def compose_plain_secrets(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: a password written in a compose file is in the repository's history and in ``docker
    inspect`` for anyone with access to the host. ``${VAR}`` substitution and ``env_file`` keep the
    value out of the file and are not reported; development and test compose files (throwaway
    local databases) are not judged. The name decides what is a secret (``PASSWORD``, ``TOKEN``,
    ``SECRET``, ``API_KEY``...); values are never shown.
    Fix: pass the value as ``${NAME}`` from the deployment's environment, an ``env_file`` kept out
    of the repository, or Compose ``secrets:``."""
    _compose(deployment)
    for service in (s for s in deployment.compose if s.production):
        for variable in service.environment:
            if variable.literal and secret_named(variable.name):
                yield _on_service(
                    service,
                    f"service {service.name} sets {variable.name} to a value written in the file",
                    line=variable.line,
                    key=f"{service.name}:{variable.name}",
                    evidence=f"{variable.name}=***",
                )


@check(
    "OPS015",
    "Helm templates can be read",
    category=Category.OPERATIONS,
    severity=Severity.INFO,
)
def unread_templates(deployment: DeploymentFacts) -> Iterator[CheckOutput]:
    """Why: a Helm template whose text stays invalid YAML once its actions are removed was not
    judged by the OPS checks; this says so instead of letting silence pass for a clean chart.
    Fix: nothing to fix in the chart; judge it rendered (``helm template . | gonogo ...``)."""
    if not deployment.skipped_templates:
        raise NotApplicable("no unread Helm template")
    for file in deployment.skipped_templates:
        message = f"{file.display} was not judged: not YAML once its actions are removed"
        yield fail(message, at=file.at(), key=file.display)


_ACTIONS = {
    "OPS001": "add liveness and readiness probes to {}",
    "OPS002": "set CPU and memory requests and a memory limit on {}",
    "OPS008": "set a CPU limit on {}",
    "OPS003": "run 2 or more replicas (or an HPA) for {}",
    "OPS004": "add a PodDisruptionBudget for {}",
    "OPS005": "harden the securityContext of {}",
    "OPS006": "remove host network, process or path access from {}",
    "OPS010": "add a healthcheck to {}",
    "OPS011": "add a restart policy to {}",
    "OPS012": "add memory and CPU limits to {}",
    "OPS014": "move secret values out of the environment of {}",
}


def _on_workload(
    workload: Workload, message: str, *, line: int | None = None, key: str = "", **extra: Any
) -> Failure:
    """A finding about a workload, keyed ``kind/name[/key]`` and grouped per manifest the same way
    by every OPS check, so the plan can gather them into one action per file."""
    base = f"{workload.kind}/{workload.name}"
    return fail(
        message,
        at=workload.file.at(line if line is not None else workload.line),
        key=f"{base}/{key}" if key else base,
        manifest=workload.file.display,
        workload=f"{workload.kind} {workload.name}",
        **extra,
    )


def _on_container(workload: Workload, container: Container, message: str) -> Failure:
    """A finding about one container of a workload (see ``_on_workload``)."""
    return _on_workload(workload, message, line=container.line, key=container.name)


def _on_service(
    service: ComposeService, message: str, *, line: int | None = None, key: str | None = None, **extra: Any
) -> Failure:
    """A finding about one Compose service, keyed and grouped like ``_on_workload``."""
    return fail(
        message,
        at=service.file.at(line if line is not None else service.line),
        key=key or service.name,
        manifest=service.file.display,
        workload=f"service {service.name}",
        **extra,
    )
