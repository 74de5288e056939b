"""``[services.NAME]`` settings: kinds from URLs, typos and unsafe requests rejected with their key."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.config import ConfigError, load_config
from gonogo.service_settings import parse_service_arg, redact


def config_with(tmp_path: Path, text: str):
    path = tmp_path / "gonogo.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize(
    ("url", "kind"),
    [("https://x.test/health", "http"), ("tcp://127.0.0.1:5432", "tcp"),
     ("redis://127.0.0.1:6379/0", "redis"), ("rediss://h:1", "redis"),
     ("postgresql://u@h/db", "postgres"), ("postgres://u@h/db", "postgres")],
    ids=["https", "tcp", "redis", "redis over tls", "postgresql", "postgres"],
)
def test_kind_comes_from_the_url(tmp_path, url, kind):
    config = config_with(tmp_path, f'[services.s]\nurl = "{url}"\n')
    assert config.services["s"].resolved_kind == kind


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[services.s]\nurl = "http://h/"\nexpect_statu = 200\n', "services.s.expect_statu"),
        ('[services.s]\nurl = "mongodb://h/"\n', "services.s"),
        ('[services.s]\nurl = "redis://h/"\nopenapi = "/openapi.json"\n', "services.s"),
        ('[services.s]\nurl = "http://h/"\nopenapi_methods = ["TRACE"]\n', "services.s.openapi_methods"),
        ('[services.s]\nurl = "http://h/"\nexpect_status = 700\n', "services.s.expect_status"),
        ('[services.s]\nurl = ""\n', "services.s.url"),
        ('[services.s]\nurl = "http://h/"\n[services.s.load]\nconcurrency = 0\n', "services.s.load.concurrency"),
    ],
    ids=["typo", "unknown scheme", "openapi on redis", "unknown method", "status out of range",
         "empty url", "zero concurrency"],
)
def test_bad_service_settings_name_their_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as caught:
        config_with(tmp_path, text)
    assert caught.value.key == key


def test_existing_configs_without_services_keep_working(tmp_path):
    assert config_with(tmp_path, 'profile = "critical"\n').services == {}


def test_service_from_the_command_line():
    name, setting = parse_service_arg("api=http://127.0.0.1:8000/health")
    assert name == "api" and setting.resolved_kind == "http"
    for bad in ("api", "=http://h/", "api=", "api=gopher://h/"):
        with pytest.raises(ValueError):
            parse_service_arg(bad)


def test_redact_hides_only_the_password():
    assert redact("postgresql://app:hunter2@db:5432/app") == "postgresql://app:***@db:5432/app"  # gonogo: ignore[SEC020] test data for redaction
    assert redact("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
