"""``[tool.gonogo.services.NAME]``: the services a probe may call, and how hard.

Validated by pydantic like the rest of the config (unknown keys are errors), so a typo in a service
declaration names its key instead of silently probing nothing. The load settings are capped here,
once: a config file cannot ask gonogo to flood a host.

This module must not import ``gonogo.config`` (which imports it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gonogo.redaction import redact_url

MAX_LOAD_SECONDS = 60.0
MAX_LOAD_REQUESTS = 100_000
MAX_LOAD_CONCURRENCY = 64

ServiceKind = Literal["http", "tcp", "redis", "postgres"]

_SCHEME_KINDS: dict[str, ServiceKind] = {
    "http": "http",
    "https": "http",
    "tcp": "tcp",
    "redis": "redis",
    "rediss": "redis",
    "postgres": "postgres",
    "postgresql": "postgres",
}

_THRESHOLD = re.compile(
    r"^\s*(?P<stat>p\(\s*(?P<pct>\d{1,2}(?:\.\d+)?|100)\s*\)|avg|min|max|med|rate|rps)"
    r"\s*(?P<op><=|>=|<|>|==)\s*(?P<value>\d+(?:\.\d+)?)\s*$"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Threshold:
    """A k6-style threshold: ``p(95)<200`` (ms), ``rate<0.005`` (error rate), ``rps>100``."""

    text: str
    stat: str
    percentile: float | None
    operator: str
    value: float

    @classmethod
    def parse(cls, text: str) -> Threshold:
        match = _THRESHOLD.match(text)
        if match is None:
            raise ValueError(
                f"threshold {text!r} is not like 'p(95)<200', 'avg<100', 'rate<0.005' or 'rps>50'"
            )
        pct = match.group("pct")
        return cls(
            text=text.strip(),
            stat="p" if pct is not None else match.group("stat"),
            percentile=float(pct) if pct is not None else None,
            operator=match.group("op"),
            value=float(match.group("value")),
        )

    def holds(self, measured: float) -> bool:
        match self.operator:
            case "<":
                return measured < self.value
            case "<=":
                return measured <= self.value
            case ">":
                return measured > self.value
            case ">=":
                return measured >= self.value
            case _:
                return measured == self.value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LoadSetting(_Strict):
    """A bounded load against paths of an HTTP service. Every bound is capped."""

    paths: list[str] = Field(default_factory=lambda: ["/"], min_length=1)
    duration_s: float = Field(5.0, gt=0, le=MAX_LOAD_SECONDS)
    requests: int = Field(5_000, ge=1, le=MAX_LOAD_REQUESTS)
    concurrency: int = Field(8, ge=1, le=MAX_LOAD_CONCURRENCY)
    timeout_s: float = Field(5.0, gt=0, le=60)
    thresholds: list[str] = Field(default_factory=list)
    allow_hosts: list[str] = Field(default_factory=list)
    """Hosts besides loopback that may be loaded; an explicit, reviewed choice in the config."""

    @field_validator("thresholds")
    @classmethod
    def _thresholds_parse(cls, value: list[str]) -> list[str]:
        for text in value:
            Threshold.parse(text)
        return value

    @field_validator("paths")
    @classmethod
    def _paths_are_paths(cls, value: list[str]) -> list[str]:
        for path in value:
            if not path.startswith("/"):
                raise ValueError(f"load path {path!r} must start with '/'")
        return value

    def parsed_thresholds(self) -> list[Threshold]:
        return [Threshold.parse(text) for text in self.thresholds]


class ServiceSetting(_Strict):
    """One service: its URL says how it is probed (http(s), tcp, redis, postgresql)."""

    url: str = Field(min_length=1)
    kind: ServiceKind | None = None
    expect_status: int = Field(200, ge=100, le=599)
    expect_body: str | None = None
    max_latency_ms: float | None = Field(None, gt=0)
    timeout_s: float = Field(5.0, gt=0, le=120)
    openapi: str | None = None
    """The OpenAPI document: a URL, a path on the service (``/openapi.json``) or a file."""
    openapi_methods: list[str] = Field(default_factory=lambda: ["GET"])
    """Methods the smoke may call. Only GET/HEAD/OPTIONS unless the config allows others."""
    openapi_base_url: str | None = None
    """Where operations are called; by default the scheme, host and port of ``url``."""
    openapi_max_operations: int = Field(200, ge=1, le=5000)
    load: LoadSetting | None = None
    metrics: str | None = None
    """Where the service exports Prometheus metrics: a path on the service (``/metrics``) or a URL."""
    check_migrations: bool = False
    """PostgreSQL only, opt-in: read ``alembic_version`` (read-only) and compare it with the
    repository's Alembic head."""

    @field_validator("openapi_methods")
    @classmethod
    def _methods_upper(cls, value: list[str]) -> list[str]:
        known = {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"}
        upper = [m.upper() for m in value]
        unknown = sorted(set(upper) - known)
        if unknown:
            raise ValueError(f"unknown HTTP methods: {', '.join(unknown)}")
        return upper

    @model_validator(mode="after")
    def _kind_known(self) -> ServiceSetting:
        if self.resolved_kind is None:
            raise ValueError(
                f"cannot tell how to probe {self.url!r}: use an http(s)://, tcp://, redis:// or "
                "postgresql:// URL, or set kind"
            )
        if (self.openapi or self.load or self.metrics) and self.resolved_kind != "http":
            raise ValueError("openapi, load and metrics apply to http services only")
        if self.check_migrations and self.resolved_kind != "postgres":
            raise ValueError("check_migrations applies to postgresql:// services only")
        if self.metrics is not None and not self.metrics.startswith(("/", "http://", "https://")):
            raise ValueError(f"metrics {self.metrics!r} must be a path starting with '/' or a URL")
        return self

    @property
    def metrics_url(self) -> str | None:
        """The metrics URL: ``metrics`` itself when it is a URL, else that path on the origin."""
        if self.metrics is None or self.metrics.startswith(("http://", "https://")):
            return self.metrics
        return self.origin + self.metrics

    @property
    def resolved_kind(self) -> ServiceKind | None:
        return self.kind or _SCHEME_KINDS.get(urlsplit(self.url).scheme.lower())

    @property
    def origin(self) -> str:
        """``scheme://host:port`` of the URL, where relative OpenAPI and load paths are called."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


def parse_service_arg(text: str) -> tuple[str, ServiceSetting]:
    """``NAME=URL`` from the command line (``--service api=http://127.0.0.1:8000/health``)."""
    name, sep, url = text.partition("=")
    if not sep or not name.strip() or not url.strip():
        raise ValueError(f"--service {text!r}: expected NAME=URL")
    return name.strip(), ServiceSetting(url=url.strip())


redact = redact_url
"""Probes mask the URLs they show with the one redactor (:mod:`gonogo.redaction`)."""
