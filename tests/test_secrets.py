"""Hard-coded credentials: found by kind, never printed; placeholders and test fixtures stay quiet."""

from __future__ import annotations

import re

import pytest

from gonogo.collectors.secrets import (
    Place,
    entropy,
    fenced_lines,
    fingerprint,
    has_typed_run,
    is_env_file,
    is_placeholder,
    looks_like_secret,
    names_a_header,
    place_of,
    public_blocks,
    redact,
    scan_text,
)
from gonogo.model import GateStatus, Outcome
from gonogo.reporters import json_report, junit, markdown, sarif
from tests.helpers import make_repo, result_of, scan_repo

# Built at run time so this file itself holds no credential-shaped literal.
AWS_KEY = "AKIA" + "Q7ZW3RT5YU8IOP2L"
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
SLACK_TOKEN = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
GENERATED_SLACK_TOKEN = "xoxb-" + "263594206564-2343594206574-Zq8vX4pL2wR7mN3kT9yB6cD1"
DB_PASSWORD = "Zq8-" + "vX4pL2wR"
API_KEY = "k3J9s8dF" + "7gH6jK5lQ4wE3rT2yU1i"
URL_PASSWORD = "S3cr3t" + "Passw0rdX"
PEM_BODY = "MIIEowIBAAKCAQEA" + "x7Kd9QmZ2vLp4RtY8WnB3cF6hJ1kN5sE0aU" * 2
PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\n" + PEM_BODY + "\n-----END RSA PRIVATE KEY-----\n"
PLANTED = (AWS_KEY, GITHUB_TOKEN, SLACK_TOKEN, DB_PASSWORD, API_KEY, URL_PASSWORD, PEM_BODY)


def kinds(text, path="app/settings.py", in_test=False, bare=False):
    return [(h.kind, h.line, h.name) for h in scan_text(text, path=path, in_test_code=in_test, bare=bare)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'KEY_ID = "{AWS_KEY}"\n', [("AWS Access Key", 1, None)]),
        (f'token = "{GITHUB_TOKEN}"\n', [("GitHub Token", 1, None)]),
        (f'SLACK = "{SLACK_TOKEN}"\n', [("Slack Token", 1, None)]),
        (f'\n{PRIVATE_KEY}', [("Private Key", 2, None)]),
        (f'DATABASE_URL = "postgres://app:{URL_PASSWORD}@db:5432/app"\n', [("URL with a password", 1, None)]),  # gonogo: ignore[SEC020] planted test data
        (f'DB_PASSWORD = "{DB_PASSWORD}"\n', [("hard-coded password", 1, "DB_PASSWORD")]),
        (f'connect(password="{DB_PASSWORD}")\n', [("hard-coded password", 1, "password")]),
        (f'{{"api_key": "{API_KEY}"}}\n', [("hard-coded key", 1, "api_key")]),
        (f'SECRET_KEY = "{API_KEY}"\n', [("hard-coded key", 1, "SECRET_KEY")]),
        (f'githubToken: "{API_KEY}"\n', [("hard-coded token", 1, "githubToken")]),
    ],
    ids=[
        "aws access key", "github token", "slack token", "private key", "url with password",
        "password assignment", "password keyword argument", "api_key in json", "django secret key",
        "camelCase token",
    ],
)
def test_known_formats_and_assignments_are_found(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'password = "changeme"\n',
        'DB_PASSWORD = "xxxxxxxx"\n',
        'api_key = "${API_KEY}"\n',
        'token = "<token>"\n',
        'SECRET_KEY = "{{ secret_key }}"\n',
        'password = os.environ["DB_PASSWORD"]\n',
        'password = "DB_PASSWORD"\n',
        'password = ""\n',
        'password_field = "hunter2hunter2"\n',
        'token_url = "https://example.com/oauth/token"\n',
        'if password == "hunter22": pass\n',
        'help = "Enter your password here please"\n',
        'api_key = "short"\n',
        'API_KEY = "your-api-key-here"\n',
        'url = "postgres://user:password@localhost/db"\n',
        'url = "postgres://user:${PGPASSWORD}@localhost/db"\n',
        "Proxies with user info (`https://user:pass@proxy:8080`) send a header.\n",
        f'KEY_ID = "AKIA{"IOSFODNN7EXAMPLE"}"\n',
        'line.startswith("-----BEGIN RSA PRIVATE KEY-----")\n',
    ],
    ids=[
        "changeme", "xxx", "${VAR}", "<token>", "template", "environment", "env var name", "empty",
        "name not a secret", "url name", "comparison", "sentence", "too short", "your-...",
        "url placeholder", "url variable", "url with user:pass", "aws documented example", "pem header in code",
    ],
)
def test_placeholders_and_references_are_not_secrets(text):
    assert kinds(text, bare=True) == []


def test_test_code_reports_only_random_looking_values():
    assert kinds(f'password = "{DB_PASSWORD}"\n', in_test=True) == []
    assert kinds(f'api_token = "{API_KEY}"\n', in_test=True) == [("hard-coded token", 1, "api_token")]
    assert kinds(f'KEY = "{AWS_KEY}"\n', in_test=True) == [("AWS Access Key", 1, None)]


@pytest.mark.parametrize("host", ["127.0.0.1:5432", "localhost", "[::1]:6379", "db.test"])
def test_loopback_urls_in_tests_are_throwaway_not_secrets(host):
    url = f'DSN = "postgresql://app:{URL_PASSWORD}@{host}/app"\n'  # gonogo: ignore[SEC020] planted test data
    assert kinds(url, in_test=True) == []
    assert kinds(url) == [("URL with a password", 1, None)]
    assert kinds(url.replace(host, "db.internal"), in_test=True) == [("URL with a password", 1, None)]


def test_env_and_yaml_values_need_no_quotes():
    text = f"DB_PASSWORD={DB_PASSWORD}\nexport API_TOKEN={API_KEY}\nDEBUG=1\n"
    assert kinds(text, path=".env", bare=True) == [
        ("hard-coded password", 1, "DB_PASSWORD"),
        ("hard-coded token", 2, "API_TOKEN"),
    ]
    assert kinds(f"db:\n  password: {DB_PASSWORD}\n", path="c.yaml", bare=True) == [
        ("hard-coded password", 2, "password")
    ]


def test_hits_hold_no_value():
    [hit] = scan_text(f'SECRET_KEY = "{API_KEY}"\n', path="s.py", in_test_code=False, bare=False)
    assert API_KEY not in repr(hit)
    assert hit.fingerprint == fingerprint(API_KEY) and len(hit.fingerprint) == 8
    assert hit.masked_line == f'SECRET_KEY = "<redacted:{hit.fingerprint}>"'


def test_redact_masks_secrets_in_any_line():
    line = f'requests.get(url, auth=("me", "x"), headers={{"token": "{API_KEY}"}}, key="{AWS_KEY}")'
    masked = redact(line)
    assert API_KEY not in masked and AWS_KEY not in masked
    assert "requests.get(url" in masked


def test_helpers():
    assert entropy("aaaa") == 0
    assert entropy(API_KEY) > 3.5
    assert is_placeholder("CHANGEME") and not is_placeholder(DB_PASSWORD)
    assert looks_like_secret("client_secret", API_KEY, in_test_code=False)
    assert not looks_like_secret("secretary", API_KEY, in_test_code=False)
    assert is_env_file(".env") and is_env_file(".env.production")
    assert not is_env_file(".env.example") and not is_env_file("env.py")


def test_secrets_fail_the_security_gate_and_name_kind_place_fingerprint(tmp_path):
    repo = make_repo(tmp_path, {"app/settings.py": f'SECRET_KEY = "{API_KEY}"\nDEBUG = False\n'})
    report = scan_repo(repo, select="SEC")
    [finding] = result_of(report, "SEC020").findings
    assert finding.message == f"hard-coded key assigned to SECRET_KEY (fingerprint {fingerprint(API_KEY)})"
    assert str(finding.location) == "app/settings.py:1"
    assert report.metrics["secrets.found"] == 1
    security = next(g for g in report.gates if g.gate.name == "Security")
    assert security.status is GateStatus.FAIL
    assert result_of(report, "SEC009").findings == ()  # same line: reported once, by SEC020


def test_committed_env_file_is_reported_unless_ignored(tmp_path):
    repo = make_repo(tmp_path / "a", {".env": "DEBUG=1\n", ".env.example": "DEBUG=0\n", "x.py": "x = 1\n"})
    [finding] = result_of(scan_repo(repo, select="SEC021"), "SEC021").findings
    assert finding.path == ".env"
    ignored = make_repo(tmp_path / "b", {".env": "DEBUG=1\n", ".gitignore": ".env\n", "x.py": "x = 1\n"})
    assert result_of(scan_repo(ignored, select="SEC021"), "SEC021").outcome is Outcome.PASS


def test_bad_files_do_not_stop_the_secret_scan(tmp_path, monkeypatch):
    from gonogo.collectors import secrets as module

    monkeypatch.setattr(module, "MAX_SECRET_SCAN_BYTES", 1000)
    repo = make_repo(
        tmp_path,
        {
            "blob.bin": b"\x00" + AWS_KEY.encode() + b"\xff" * 10,
            "latin.cfg": f"password = {DB_PASSWORD}\n".encode() + b"\xe9\xff\n",
            "big.txt": "x" * 2000 + f'\npassword = "{DB_PASSWORD}"\n',
            "package-lock.json": f'{{"integrity": "sha512-{API_KEY}", "token": "{API_KEY}"}}\n',
            "ok.py": f'api_key = "{API_KEY}"\n',
            "empty.txt": "",
        },
    )
    report = scan_repo(repo, select="SEC020")
    assert [f.path for f in result_of(report, "SEC020").findings] == ["ok.py"]
    assert any("not scanned for secrets" in n.message for n in report.notes)


def test_hostile_long_lines_finish(tmp_path):
    text = "password=" + "a" * 200_000 + "\n" + ('"' * 50_000) + "\n" + "://" + ":" * 50_000 + "@\n"
    assert scan_text(text, path="x.env", in_test_code=False, bare=True) == []


@pytest.mark.parametrize(
    "line",
    [
        "eyJ" * 100_000,  # a JWT's start, again and again, and never its "."
        "sk-_" * 100_000 + " T3BlbkFJ",  # an OpenAI key's start, and its marker out of reach
        '//="' * 100_000 + "/:_authToken=",  # an npm registry line that never gets its token
        "-----BEGIN RSA PRIVATE KEY-----" * 20_000,  # headers with no key block below them
    ],
    ids=["jwt", "openai", "npm", "private-key"],
)
def test_lines_that_made_detect_secrets_patterns_backtrack_hold_no_secret(line):
    """Each took minutes: every start of the pattern read the rest of the line again."""
    assert scan_text(line + "\n", path="x.py", in_test_code=False, bare=True) == []


def test_a_secret_on_a_long_line_is_shown_by_the_whole_words_around_it():
    neighbour = "ghp_" + "z9Y8x7W6v5U4t3S2r1Q0p9O8n7M6l5K4j3I2"
    line = "filler " * 500 + f"x {neighbour} key={AWS_KEY} y " + "more " * 500
    hits = [h for h in scan_text(line, path="bundle.js", in_test_code=False, bare=False) if h.kind == "AWS Access Key"]
    assert len(hits) == 1
    shown = hits[0].masked_line
    assert AWS_KEY not in shown and neighbour not in shown and "z9Y8" not in shown  # no whole or cut token
    assert shown.startswith("filler") and "key=" in shown and len(shown) < 200


def test_a_credential_near_a_secret_on_a_long_line_keeps_its_name_for_redaction():
    """Cut 80 characters from the AWS key, ``db_password = "..."`` would have lost its name and been
    shown as a bare value; the line is redacted wider than it is shown."""
    gap = "x" * (68 - len(DB_PASSWORD))  # the 80-character window then starts inside "db_password"
    line = "filler " * 300 + f'db_password = "{DB_PASSWORD}" ' + gap + f" {AWS_KEY} " + "more " * 300
    [hit] = [h for h in scan_text(line, path="bundle.js", in_test_code=False, bare=False) if h.kind == "AWS Access Key"]
    assert DB_PASSWORD not in hit.masked_line and DB_PASSWORD[:12] not in hit.masked_line
    assert AWS_KEY not in hit.masked_line and "<redacted:" in hit.masked_line


def test_private_key_headers_on_one_line_share_the_key_below_them():
    text = "-----BEGIN RSA PRIVATE KEY----- -----BEGIN RSA PRIVATE KEY-----\n" + PEM_BODY + "\n"
    assert [h.kind for h in scan_text(text, path="k.pem", in_test_code=False, bare=False)] == ["Private Key"]


def test_no_report_contains_a_planted_secret(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/settings.py": (
                f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n'
                f'GITHUB = "{GITHUB_TOKEN}"\n'
                f'SLACK = "{SLACK_TOKEN}"\n'
                f'DB_PASSWORD = "{DB_PASSWORD}"\n'
                f'DATABASE_URL = "postgres://app:{URL_PASSWORD}@db/app"\n'  # gonogo: ignore[SEC020] planted test data
                "import subprocess\n"
                f'subprocess.run("curl -H token:{API_KEY} x", shell=True, password="{DB_PASSWORD}")\n'
            ),
            "deploy/key.pem": PRIVATE_KEY,
            ".env": f"API_KEY={API_KEY}\n",
            "config.yaml": f"db:\n  password: {DB_PASSWORD}\n",
        },
    )
    report = scan_repo(repo)  # every check, not only SEC: no check may leak a value
    assert report.metrics["secrets.found"] >= 7
    outputs = {
        "markdown": markdown.render(report),
        "json": json_report.render(report),
        "sarif": sarif.render(report),
        "junit": junit.render(report),
    }
    for name, text in outputs.items():
        for secret in PLANTED:
            assert secret not in text, f"{name} report leaks a planted secret"
        assert fingerprint(DB_PASSWORD) in text or name == "junit"


def test_samples_in_docs_and_tests_are_low_but_known_formats_are_leaks(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "docs/config.rst": f"Set ``SECRET_KEY = '{API_KEY}'`` in production.\n",
            "tests/test_keys.py": f'AWS = "{AWS_KEY}"\n',
            "app.py": "x = 1\n",
        },
    )
    report = scan_repo(repo, select="SEC02")
    assert [f.path for f in result_of(report, "SEC022").findings] == ["docs/config.rst"]
    assert [f.path for f in result_of(report, "SEC020").findings] == ["tests/test_keys.py"]
    assert report.metrics["secrets.found"] == 1 and report.metrics["secrets.samples"] == 1


OTHER_PEM_BODY = "MIIEpAIBAAKCAQEA" + "r4Nd0mK3yB0dYf0rAn0th3rCeRt1f1cAt3x" * 2
OTHER_KEY = "-----BEGIN RSA PRIVATE KEY-----\n" + OTHER_PEM_BODY + "\n-----END RSA PRIVATE KEY-----\n"


def test_test_certificates_are_samples_and_every_key_has_its_own_fingerprint(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "tests/certs/ca.key": PRIVATE_KEY,
            "tests/certs/server.key": OTHER_KEY,
            "deploy/server.key": PRIVATE_KEY,
            "HISTORY.md": f"Fixed: `https://admin:{URL_PASSWORD}@proxy.corp:8080` leaked a header.\n",
        },
    )
    report = scan_repo(repo, select="SEC02")
    [leak] = result_of(report, "SEC020").findings
    assert (leak.path, leak.severity.name) == ("deploy/server.key", "HIGH")
    samples = {f.path: f for f in result_of(report, "SEC022").findings}
    assert set(samples) == {"tests/certs/ca.key", "tests/certs/server.key", "HISTORY.md"}
    fingerprints = {path: f.get("fingerprint") for path, f in samples.items()}
    assert fingerprints["tests/certs/ca.key"] != fingerprints["tests/certs/server.key"]
    assert fingerprints["tests/certs/ca.key"] == leak.get("fingerprint")  # the same key, wherever it is
    everything = repr(report)
    assert PEM_BODY not in everything and OTHER_PEM_BODY not in everything and URL_PASSWORD not in everything


# --- Placeholders, samples and where credentials live (issue 9, class 3) ---------------------------

RANDOM_PASSWORD = "Zq8-" + "vX4pL2wR"


@pytest.mark.parametrize(
    ("relpath", "place"),
    [
        ("app/settings.py", Place.CODE),
        ("tests/test_api.py", Place.TEST),
        ("src/app/button.spec.ts", Place.TEST),
        ("src/util.test.js", Place.TEST),
        ("pkg/client_test.go", Place.TEST),
        ("src/pkg/test_models.py", Place.TEST),
        ("web/__tests__/login.js", Place.TEST),
        ("web/e2e/login.ts", Place.TEST),
        ("tests/data/html/page.html", Place.TEST),
        ("netbox/configuration_testing.py", Place.TEST),
        ("src/latest.py", Place.CODE),
        ("frontend/lang/messages/de-DE.json", Place.TRANSLATION),
        ("app/locale/nl/LC_MESSAGES/django.po", Place.TRANSLATION),
        (".github/workflows/ci.yml", Place.CI),
        (".gitlab-ci.yml", Place.CI),
        ("{{cookiecutter.project_slug}}/.github/workflows/ci.yml", Place.CI),
        (".env.example", Place.ENV_TEMPLATE),
        (".env.dist", Place.ENV_TEMPLATE),
        ("docs/setup.md", Place.DOCS),
        ("HISTORY.rst", Place.DOCS),
        ("examples/client.py", Place.EXAMPLE),
        ("dev/db/post-migrations.sql", Place.DEVELOPMENT),
        ("development/nautobot_config.py", Place.DEVELOPMENT),
        ("dev/rstuf/keys/root/root1", Place.DEVELOPMENT),
        ("settings/local_dev.py", Place.DEVELOPMENT),
        ("app/config/ci.py", Place.DEVELOPMENT),
        ("settings/production.py", Place.CODE),
        ("werkzeug/local.py", Place.CODE),
        ("devtools/server.py", Place.CODE),
        ("settings/local_dev.yaml", Place.CODE),
        ("temba/utils/management/commands/dev_db.py", Place.DEVELOPMENT),
        ("shop/management/commands/load_demo_data.py", Place.DEVELOPMENT),
        ("temba/utils/management/commands/mailroom_db.py", Place.CODE),
        ("shop/management/commands/create_admin.py", Place.CODE),
        ("shop/commands/dev_db.py", Place.CODE),
        ("shop/management/commands/dev/helpers.txt", Place.DEVELOPMENT),
    ],
    ids=[
        "product code", "tests folder", "spec.ts", "test.js", "go _test", "test_ module outside tests",
        "__tests__", "e2e", "html fixture", "testing settings", "latest is not a test", "i18n json",
        "gettext po", "github workflow", "gitlab ci", "workflow in a project template", "env example", "env dist", "docs", "changelog",
        "example", "dev folder", "development folder", "dev key", "local settings module", "ci settings module",
        "production settings", "a module named local outside settings", "devtools is no dev folder",
        "settings module words only for Python", "a development database command", "a demo data command",
        "a command named for no environment", "a production command", "commands outside management/",
        "a dev folder below commands",
    ],
)
def test_place_of_a_file(relpath, place):
    assert place_of(relpath) is place


@pytest.mark.parametrize(
    "value",
    [
        "test-secret-do-not-use", "ci-typing-not-a-real-secret", "changethis", "abcdefghijklmnopqrstuvwxyz0123456789",
        "123456789abcdef", "<your-key>", "${SECRET}", "{{ secret_key }}", "xxxxxxxxxxxx", "demokey123456789",
        "testpass4Kq9", "something-not-real", "mock_access_token_", "$argon2id$v=19$m=1024,t=6,p=6$EiLE2Nsbo9S6N",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", "dispatch:dispatch",
    ],
    ids=[
        "do not use", "not a real", "changethis", "alphabet run", "digit run", "angle", "shell var", "jinja", "xxx",
        "opens with demo", "opens with test", "not real (warehouse)", "mock (warehouse)", "argon2 hash", "bcrypt hash",
        "one word repeated (dispatch)",
    ],
)
def test_made_up_values_are_not_secrets_and_a_real_one_beside_them_is(value):
    text = f'SECRET_KEY = "{value}"\nAPI_KEY = "{API_KEY}"\n'
    assert kinds(text) == [("hard-coded key", 2, "API_KEY")]


def test_enumeration_values_and_paths_are_not_secrets():
    text = (
        'INVALID_PASSWORD = "invalid_password"\n'
        'JWT_INVALID_TOKEN = "invalid_token"\n'
        "- Token: 'models/users/token.md'\n"
        f'DB_PASSWORD = "{RANDOM_PASSWORD}"\n'
    )
    assert kinds(text, path="x.py", bare=True) == [("hard-coded password", 4, "DB_PASSWORD")]


def sec02(report):
    return (
        sorted((f.path, f.line) for f in result_of(report, "SEC020").findings),
        sorted((f.path, f.line) for f in result_of(report, "SEC022").findings),
    )


def test_translations_hold_prose_but_a_token_format_there_is_a_leak(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "frontend/lang/messages/nl-NL.json": '{\n  "password": "Wachtwoord",\n  "token": "Toegangssleutel1"\n}\n',
            "frontend/lang/messages/ja-JP.json": '{\n  "current-password": "現在のパスワード"\n}\n',
            "frontend/lang/messages/en-US.json": f'{{\n  "slack": "{SLACK_TOKEN}"\n}}\n',
            "config/app.json": f'{{\n  "password": "{RANDOM_PASSWORD}"\n}}\n',
        },
    )
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert leaks == [("config/app.json", 2), ("frontend/lang/messages/en-US.json", 2)]
    assert samples == []


def test_ci_service_passwords_are_samples_but_a_token_format_in_ci_is_a_leak(tmp_path):
    workflow = f"""
        jobs:
          test:
            services:
              postgres:
                env:
                  POSTGRES_PASSWORD: postgres
                  LDAP_QUERY_PASSWORD: "GoodNewsEveryone"
                  DJANGO_SECRET: "{API_KEY}"
            env:
              AWS_ACCESS_KEY_ID: {AWS_KEY}
        """
    repo = make_repo(tmp_path, {".github/workflows/ci.yml": workflow, "app.py": "x = 1\n"})
    report = scan_repo(repo, select="SEC02")
    leaks, samples = sec02(report)
    assert leaks == [(".github/workflows/ci.yml", 10)]
    assert samples == [(".github/workflows/ci.yml", 8)]
    [sample] = result_of(report, "SEC022").findings
    assert "in CI configuration" in sample.message and sample.get("reason")
    assert report.metrics["secrets.found"] == 1


def test_one_word_defaults_are_samples_and_credential_shaped_values_are_leaks(tmp_path):
    compose = f"""
        services:
          db:
            environment:
              POSTGRES_PASSWORD: paperless
              MARIADB_PASSWORD: {RANDOM_PASSWORD}
        """
    repo = make_repo(tmp_path, {"docker-compose.yml": compose})
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert leaks == [("docker-compose.yml", 5)]
    assert samples == [("docker-compose.yml", 4)]


def test_urls_in_docstrings_and_comments_are_samples_but_in_code_they_are_leaks(tmp_path):
    code = f'''
        """Connect like ``postgresql://scott:{URL_PASSWORD}@db.corp/app``."""
        # DSN = "postgresql://app:{URL_PASSWORD}@db.corp/app"
        DSN = "postgresql://app:{URL_PASSWORD}@db.corp/app"
        LOCAL = "postgres://saleor:saleor@db.corp/saleor"
        '''  # gonogo: ignore[SEC020] planted test data
    repo = make_repo(tmp_path, {"app/db.py": code})
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert leaks == [("app/db.py", 3)]
    assert samples == [("app/db.py", 1), ("app/db.py", 2), ("app/db.py", 4)]


def test_tests_outside_a_tests_folder_hold_samples_but_a_real_token_is_a_leak(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "src/app/profile.component.spec.ts": f"const user = {{ auth_token: '{API_KEY}' }}\n",
            "src/util.test.js": f"const newToken = '{API_KEY}'\n",
            "pkg/client_test.go": f'apiToken := "{API_KEY}"\nkey := "{GITHUB_TOKEN}"\n',
        },
    )
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert leaks == [("pkg/client_test.go", 2)]
    assert samples == [("pkg/client_test.go", 1), ("src/app/profile.component.spec.ts", 1), ("src/util.test.js", 1)]


def test_an_aws_key_id_alone_in_a_saved_page_is_a_sample_but_with_its_secret_it_is_a_leak(tmp_path):
    secret = "wJalrXUtnFEMI" + "K7MDENGbPxRfiCYzEXAMPLEKEYab"[:27]
    repo = make_repo(
        tmp_path,
        {
            "tests/data/page.html": f'<a href="/dp/B0?SubscriptionId={AWS_KEY}&tag=x">buy</a>\n',
            "tests/data/creds.html": f'<p>{AWS_KEY}</p>\n<p>aws_secret_key = "{secret[:40].ljust(40, "Q")}"</p>\n',
            "tests/test_keys.py": f'AWS = "{AWS_KEY}"\n',
        },
    )
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert ("tests/data/page.html", 1) in samples
    assert ("tests/data/creds.html", 1) in leaks and ("tests/test_keys.py", 1) in leaks


@pytest.mark.parametrize(
    ("env", "severity", "words"),
    [
        ("SECRET_KEY=changethis\nFIRST_SUPERUSER_PASSWORD=changethis\nDEBUG=1\n", "LOW", "hold placeholders"),
        ("COMPOSE_PROJECT_NAME=paperless\n", "LOW", "no secret setting"),
        (f"SECRET_KEY={API_KEY}\nDEBUG=1\n", "MEDIUM", "1 credential-shaped value"),
    ],
    ids=["template defaults", "no secret at all", "a real key"],
)
def test_a_committed_env_file_is_judged_by_what_it_holds(tmp_path, env, severity, words):
    repo = make_repo(tmp_path, {".env": env, "app.py": "x = 1\n"})
    report = scan_repo(repo, select="SEC02")
    [finding] = result_of(report, "SEC021").findings
    assert finding.severity.name == severity and words in finding.message
    assert report.metrics["secrets.found"] == (1 if severity == "MEDIUM" else 0)


def test_env_templates_are_scanned_but_only_as_samples(tmp_path):
    repo = make_repo(
        tmp_path,
        {".env.example": f"SECRET_KEY=changeme\nAPI_TOKEN={API_KEY}\n", ".env.production": f"API_TOKEN={API_KEY}\n"},
    )
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert leaks == [(".env.production", 1)]
    assert samples == [(".env.example", 2)]


# --- The cheap first passes that skip a pattern (issue 11) -------------------------------------------

TOKEN_BODY = "Zq8vX4pL2wR7gH6jK5lQ4wE3rT2yU1iAbCdEfGhI"


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        (f'bot = "123456789:{TOKEN_BODY[:35]}"\n', "Telegram Bot Token", 1),
        (f'bot = "M{"T" * 23}.GabcdE.{TOKEN_BODY[:27]}"\n', "Discord Bot Token", 1),
        (f'art = "AP6{TOKEN_BODY[:12]}"\n', "Artifactory Credentials", 1),
        (f'KEY_ID = "{AWS_KEY}"\n', "AWS Access Key", 1),
        (f'AWS_SECRET_KEY = "{TOKEN_BODY}"\n', "AWS Access Key", 1),
        (f'# naïve café\nclient.Aws_Key_Id = "{TOKEN_BODY}"\n', "AWS Access Key", 2),
        (f'SLACK = "{SLACK_TOKEN.upper()}"\n', "Slack Token", 1),
        ('HOOK = "HTTPS://HOOKS.SLACK.COM/services/' + 'T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx"\n', "Slack Token", 1),
    ],
    ids=[
        "telegram token (anchored on its colon part)", "discord token (anchored on its dotted part)",
        "artifactory key (anchored on AP)", "aws key id (one anchor, not five strings)",
        "aws secret in upper case (case-blind)", "aws secret in a non-ASCII file (no lower-case pass)",
        "slack token in upper case", "slack webhook in upper case",
    ],
)
def test_patterns_behind_a_first_pass_still_find_their_tokens(text, kind, line):
    assert (kind, line) in [(h.kind, h.line) for h in scan_text(text, path="", in_test_code=False, bare=False)]


def test_a_text_without_a_patterns_anchor_or_string_skips_it_and_one_with_them_does_not():
    from gonogo.collectors.secrets import _detectors, _may_match

    every = _detectors().patterns
    telegram = next(p for _, p, _ in every if p.pattern.startswith(r"\d{8,10}:"))
    slack = next(p for _, p, case in every if case and p.pattern.startswith("xox"))
    assert not _may_match(telegram, "a = {1: 2}\n", None)
    assert _may_match(telegram, f"x:{TOKEN_BODY}", None)
    assert not _may_match(slack, "plain = 1\n", "plain = 1\n")
    assert _may_match(slack, "X = 'XOX" + "B-1-2'", "x = 'xox" + "b-1-2'")
    assert _may_match(slack, "plain = 'caf\u00e9'\n", None)  # not ASCII: the regex decides


def test_a_long_s_matches_s_when_case_is_ignored_so_a_non_ascii_text_gets_no_lower_case_pass():
    """``re`` folds ``\u017f`` (long s) to ``s``; ``lower()`` does not, so a lower-cased text would miss it."""
    hook = "HTTP\u017f://HOOK\u017f.SLACK.COM/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx"
    assert "https://hooks.slack.com" not in hook.lower()
    assert kinds(f'HOOK = "{hook}"\n') == [("Slack Token", 1, None)]


def test_every_anchor_belongs_to_a_detector_pattern_and_is_part_of_every_match():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from gonogo.collectors.secrets import ANCHORS, _detectors, _may_match

    every = _detectors().patterns
    patterns = {pattern.pattern: pattern for _, pattern, _ in every}
    assert set(ANCHORS) <= set(patterns), "an anchor whose pattern detect-secrets changed is dead code"
    checked = [patterns[source] for source in ANCHORS] + [p for _, p, case in every if case]

    @settings(max_examples=60, deadline=None)
    @given(st.data())
    def every_match_passes(data):
        for pattern in checked:
            text = data.draw(st.from_regex(pattern, alphabet=st.characters(max_codepoint=127)))
            found = pattern.search(text)
            assert found is not None
            assert _may_match(pattern, text, text.lower()), text

    every_match_passes()


def test_a_text_lowered_in_place_finds_an_ascii_word_exactly_where_case_blind_matching_does():
    """``lowered_in_place`` stands in for case-blind matching of ASCII words in non-ASCII texts too
    (a docstring's dash, a translated message): it must find a word exactly where ``re`` does, or
    give no lowered text at all (the dotted capital I, the dotless i, the long s)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from gonogo.collectors.secrets import _NAME_HINT_WORDS, lowered_in_place

    words = [*_NAME_HINT_WORDS, "xox", "aws", "hooks.slack.com"]
    tricky = ["\u0130", "\u0131", "\u017f", "\u212a", "\u00e9", "\u2014", "\u00df", "\u1e9e", "\u03a3"]
    alphabet = st.sampled_from([*"pasWOrdKeYtncilxhS.: \n", *tricky])

    @settings(max_examples=400, deadline=None)
    @given(st.lists(alphabet, max_size=40).map("".join))
    def found_alike(text: str) -> None:
        lowered = lowered_in_place(text)
        if lowered is None:
            assert any(char in text for char in "\u0130\u0131\u017f") or len(text.lower()) != len(text)
            return
        assert len(lowered) == len(text)
        for word in words:
            found = {m.start() for m in re.finditer(re.escape(word), text, re.IGNORECASE)}
            assert {i for i in range(len(lowered)) if lowered.startswith(word, i)} == found

    found_alike()


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ('# caf\u00e9 \u2014 settings\nPASSWORD = "Zq8#vR2!pL9w"\n', "hard-coded password"),
        ('# caf\u00e9\nPA\u017fSWORD = "Zq8#vR2!pL9w"\n', None),
    ],
    ids=["a password in a non-ASCII file is found by the lowered pass", "a long s is not taken for an s by lower()"],
)
def test_a_non_ascii_file_is_searched_like_an_ascii_one(line, kind):
    found = kinds(line)
    assert (found[0][0] if found else None) == kind


def _prose_by_whole_file(text: str) -> tuple[list[tuple[int, int]], dict[int, int]]:
    """The docstrings and comments of ``text`` as one walk of every node and one tokenize pass over
    the whole file find them: what ``_Prose`` must agree with."""
    import ast
    import io
    import tokenize

    tree = ast.parse(text)
    docstrings = [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(getattr(node.value, "value", None), str)
    ]
    comments = {
        token.start[0]: token.start[1]
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT
    }
    return docstrings, comments


PROSE = '''\
"""Module docstring: password = 'hunter22'."""
import os  # a comment after code


@decorator(  # a comment in a decorator's brackets
    "# not a comment",
)
class Settings:
    """Class docstring."""

    key = "#x"  # a comment after a string holding a hash
    # a comment alone in a class body

    def method(self):
        """Method docstring."""
        value = (
            "one"  # a comment between implicitly joined strings
            "two"
        )
        if value:
            "a bare string statement in a block"
        try:
            pass
        except ValueError:
            "a string statement in a handler"  # and a comment
        # a comment at the end of a block, outside the function's lines
    # and one less indented


text = """
# inside a string, not a comment
"""
# the last comment
'''


def test_prose_finds_the_comments_and_docstrings_a_whole_file_pass_finds():
    from gonogo.collectors.secrets import _Prose

    docstrings, comments = _prose_by_whole_file(PROSE)
    prose = _Prose(PROSE)
    lines = PROSE.splitlines()
    for number, line in enumerate(lines, 1):
        for column in range(len(line) + 1):
            in_docstring = any(first <= number <= last for first, last in docstrings)
            expected = in_docstring or (number in comments and column >= comments[number])
            assert prose.covers(number, column) == expected, (number, column, line)


@pytest.mark.parametrize(
    "text",
    ["def f(:\n    # broken\n", "", "\x00binary", "x = '''unterminated\n"],
    ids=["a syntax error", "empty", "a null byte", "an unterminated string"],
)
def test_prose_of_a_file_that_does_not_parse_covers_nothing(text):
    from gonogo.collectors.secrets import _Prose

    prose = _Prose(text)
    assert not any(prose.covers(line, column) for line in range(0, 4) for column in range(0, 12))


def test_prose_of_a_form_fed_file_is_found_on_the_lines_python_numbers():
    """A form feed ends no line for Python: the comment after it is still found on its own line."""
    from gonogo.collectors.secrets import _Prose

    text = "import os\n\x0c\nKEY = 'x'  # a comment\n"
    _, comments = _prose_by_whole_file(text)
    assert comments == {3: 11}
    prose = _Prose(text)
    assert prose.covers(3, 11) and not prose.covers(3, 3)


# the vendors' own published examples (GitHub's installation-token docs, jwt.io's front page), as
# readthedocs' tests and FastAPI's docs copy them
GITHUB_DOCS_TOKEN = "ghs_" + "16C7e42F292c6912E7710c838347Ae178B4a"
JWT_IO_EXAMPLE = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
MINTED_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzZXJ2aWNlLWJvdCIsInNjb3BlIjoiYWRtaW4ifQ"
    ".c2lnbmF0dXJlLW9mLWEtcmVhbC1zZXJ2aWNlLXRva2Vu"
)


def test_published_examples_and_jwts_in_tests_and_docs_are_samples_but_a_jwt_in_code_is_a_leak(tmp_path):
    """A Storybook story is the component library's documentation (Flagsmith's
    ``CopyField.stories.tsx`` shows a JWT in a copy field); the component itself is code."""
    story = f"export const Monospace = {{ render: () => <CopyField value='{MINTED_JWT}' /> }}\n"
    repo = make_repo(tmp_path, {
        "tests/test_webhook.py": f'PAYLOAD = {{"token": "{GITHUB_DOCS_TOKEN}"}}\nAUTH = "Bearer {MINTED_JWT}"\n',
        "docs/security.md": f"A token looks like `{JWT_IO_EXAMPLE}`.\n",
        "docs_src/security/tutorial.py": 'SECRET_KEY = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"\n',
        "app/client.py": f'SERVICE_TOKEN = "{MINTED_JWT}"\nHOOK = "{JWT_IO_EXAMPLE}"\n',
        "web/components/CopyField.stories.tsx": story,
        "web/components/CopyField.tsx": story,
    })
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert leaks == [("app/client.py", 1)] * 2 + [("web/components/CopyField.tsx", 1)]
    assert samples == [("app/client.py", 2), ("docs/security.md", 1), ("docs_src/security/tutorial.py", 1),
                       ("tests/test_webhook.py", 1), ("tests/test_webhook.py", 2),
                       ("web/components/CopyField.stories.tsx", 1)]


def test_a_jwt_evidence_masks_its_signature_too(tmp_path):
    """detect-secrets' JWT pattern stops before the signature, which the evidence then showed."""
    repo = make_repo(tmp_path, {"app/client.py": f'SERVICE_TOKEN = "{MINTED_JWT}"\n'})
    report = scan_repo(repo, select="SEC020")
    [finding] = [f for f in result_of(report, "SEC020").findings if f.get("kind") == "JSON Web Token"]
    assert MINTED_JWT.rsplit(".", 1)[1] not in (finding.evidence or "")
    assert finding.evidence == f'SERVICE_TOKEN = "<redacted:{finding.get("fingerprint")}>"'


def test_a_format_field_is_no_password_and_a_dot_ci_folder_is_ci(tmp_path):
    """redash: ``f"databend://{username}:{password}@{host}"`` is filled in at run time, and
    ``.ci/compose.ci.yaml`` starts the CI's throwaway PostgreSQL."""
    repo = make_repo(tmp_path, {
        "app/databend.py": 'def connect(username, password, host):\n'
                           '    return f"databend://{username}:{password}@{host}:8000/db"\n',
        ".ci/compose.ci.yaml": 'services:\n  server:\n    environment:\n      POSTGRES_PASSWORD: "hX7Qm2pLr9vTz4Wk"\n',
        "app/real.py": f'DSN = "postgresql://app:{API_KEY}@db.internal/app"\n',
    })
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert leaks == [("app/real.py", 1)]
    assert samples == [(".ci/compose.ci.yaml", 4)]


def test_a_class_path_under_a_password_name_and_azurites_published_key_are_no_leaks(tmp_path):
    """jumpserver names its authentication backends ``AUTH_BACKEND_OIDC_PASSWORD = "...Backend"``;
    Celery's compose file starts Azurite with the key Microsoft publishes for it."""
    azurite = "AccountKey=" + "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
    repo = make_repo(tmp_path, {
        "app/settings.py": 'AUTH_BACKEND_OIDC_PASSWORD = "authentication.backends.oidc.OIDCAuthPasswordBackend"\n'
                           f'DB_PASSWORD = "{API_KEY}"\n',
        "docker-compose.yml": f"services:\n  app:\n    environment:\n      URL: DefaultEndpointsProtocol=http;"
                              f"AccountName=devstoreaccount1;{azurite};\n",
    })
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert leaks == [("app/settings.py", 2)]
    assert samples == [("docker-compose.yml", 4)]


def test_googles_published_recaptcha_test_secret_is_no_leak_and_another_secret_under_its_name_is(tmp_path):
    """Google documents a reCAPTCHA key pair for automated tests, under which every verification
    passes: mwdb's development compose file and many Django settings set it. Another value under
    the same name is still a leak."""
    published = "6LeIxAcTAAAAAGG-" + "vFI1TnRWxMZNFuojJ4WifJWe"
    repo = make_repo(tmp_path, {
        "app/settings.py": f'RECAPTCHA_PRIVATE_KEY = "{published}"\n',
        "app/prod.py": f'RECAPTCHA_PRIVATE_KEY = "6LdQx7Aq{API_KEY}"\n',
    })
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert leaks == [("app/prod.py", 1)]
    assert samples == [("app/settings.py", 1)]


NOTIFY_CONFIG = f"""import os


class Config:
    SECRET_KEY = os.environ["SECRET_KEY"]


class Development(Config):
    TOKEN_SECRET_KEY = "{API_KEY}"
    GITHUB = "{GITHUB_TOKEN}"


class Test(Development):
    SIGNING_SECRET = "{DB_PASSWORD}x9"


class DevelopmentConfig(object):
    API_TOKEN = "Q{API_KEY}"


class LocalStorage(Storage):
    ACCESS_KEY = "W{API_KEY}"


class Production(Config):
    TOKEN_SECRET_KEY = "E{API_KEY}"
"""


def test_a_secret_in_a_configuration_class_for_development_or_tests_is_a_sample(tmp_path):
    """GOV.UK Notify's ``app/config.py`` follows Flask's pattern: ``class Development(Config)``
    sets a development ``TOKEN_SECRET_KEY``, ``class Test(Development)`` inherits it. Such a class
    configures a developer's machine or a test run; production reads its secrets from the
    environment. A token's format still blocks there, and a class that configures nothing
    (``LocalStorage``) or production is judged as any code."""
    leaks, samples = sec02(scan_repo(make_repo(tmp_path, {"app/config.py": NOTIFY_CONFIG}), select="SEC02"))
    assert leaks == [("app/config.py", 10), ("app/config.py", 22), ("app/config.py", 26)]
    assert samples == [("app/config.py", 9), ("app/config.py", 14), ("app/config.py", 18)]


@pytest.mark.parametrize(
    "text",
    [
        "class DevConfig(make_base()):\n    KEY = 1\n",
        "class TestSettings(Generic[T], metaclass=M):\n    pass\n",
        "class Développement(Config):\n    pass\n",
        "".join(f"class Dev{i}Config(Dev{i - 1}Config):\n    X = {i}\n" for i in range(1, 20_000)),
        "class (\n",
    ],
    ids=["a base that is a call", "a subscripted base", "a name past ASCII", "twenty thousand classes", "broken syntax"],
)
def test_configuration_classes_are_read_from_any_module(text):
    """A base of any shape, any name, a huge module or one that does not parse: read in one pass
    over the top-level statements, never an error."""
    from gonogo.collectors.secrets import _Prose

    prose = _Prose(text)
    assert prose.in_environment_class(1, 0) in (True, False)
    assert prose.in_environment_class(10**9, 0) is False


def _found(text: str, path: str = "app/settings.py") -> list[tuple[int, str]]:
    return [(hit.line, hit.kind) for hit in scan_text(text, path=path, in_test_code=False, bare=False, python=True)]


def test_an_annotation_with_a_class_name_is_no_secret_but_an_assignment_after_it_is():
    """Prefect: ``blob_storage_credentials: "AzureBlobStorageCredentials"`` is a forward
    reference, not a credential. The value assigned after an annotation, a dictionary's entry, and
    the same line in YAML still are."""
    code = (
        'def upload(blob_storage_credentials: "AzureBlobStorageCredentials", token: "Optional[SecretStr]"):\n'
        "    pass\n"
        'class Job:\n    ml_credentials: "models.AzureMlCredentials | None" = None\n'
        f'API_TOKEN: str = "{API_KEY}"\n'
        'SETTINGS = {"token": "ZqvXpLwRkJsTmNbQ"}\n'
    )
    assert [line for line, _ in _found(code)] == [5, 6]
    yaml = 'password: "AzureBlobStorageCredentials"\n'
    assert len(scan_text(yaml, path="config.yml", in_test_code=False, bare=True, python=False)) == 1


def test_a_token_in_a_shape_its_vendor_never_issues_is_no_leak():
    """An AWS key ID is twenty characters: one running on into more (Prefect's docs'
    ``AKIAJKLJKLJKLJKLJKLJK``) is not one. A Slack webhook has IDs of eight characters or more and
    a 24-character token: Prefect's tests' ``T1234/B5678/abcdefghijk`` is made up."""
    issued_hook = "https://hooks.slack.com/services/" + "T0A1B2C3D4/B0Z9Y8X7W6/" + "q7ZW3rT5yU8iOp2LkJ9s8dF7"
    made_up_hook = "https://hooks.slack.com/services/" + "T1234/B5678/abcdefghijk"
    text = (
        f'key_id = "{AWS_KEY}"\n'
        f'longer = "{AWS_KEY}K"\n'
        f'within = "X{AWS_KEY}"\n'
        f'hook = "{issued_hook}"\n'
        f'fake_hook = "{made_up_hook}"\n'
    )
    assert _found(text) == [(1, "AWS Access Key"), (4, "Slack Token")]


def test_a_value_in_an_examples_argument_is_a_sample_and_one_beside_it_is_not(tmp_path):
    """Prefect documents its ``Secret`` block with ``Field(examples=[{"password": "s3cr3t"}])``;
    the schema shows it, nothing logs in with it. A default on the same line is still a value."""
    repo = make_repo(tmp_path, {
        "app/blocks.py": "from pydantic import Field\n"
                         'value = Field(description="kept secret",\n'
                         '              examples=["sk-1234567890", {"username": "johndoe", "password": "s3cr3t99"}])\n'
                         f'token = "{API_KEY}"; doc = Field(examples=["sk-0000"])\n',
    })
    report = scan_repo(repo, select="SEC02")
    assert sec02(report) == ([("app/blocks.py", 4)], [("app/blocks.py", 3)])
    [sample] = result_of(report, "SEC022").findings
    assert "examples=" in sample.message


def test_a_url_password_that_opens_with_your_is_a_placeholder():
    """Prefect's load tests: ``postgresql://postgres:yourTopSecretPassword@localhost:5432/prefect``."""
    assert _found('URL = "postgresql://postgres:yourTopSecretPassword@db.internal:5432/prefect"\n') == []
    assert len(_found(f'URL = "postgresql://postgres:{URL_PASSWORD}@db.internal:5432/prefect"\n')) == 1


def test_powershells_environment_variable_is_the_name_not_an_annotation():
    """Flask's docs: ``$env:FLASK_SECRET_KEY = "..."`` sets ``FLASK_SECRET_KEY``."""
    assert [hit.name for hit in scan_text(f'> $env:FLASK_SECRET_KEY = "{API_KEY}"\n', path="docs/config.rst",
                                            in_test_code=False, bare=False)] == ["FLASK_SECRET_KEY"]


def test_a_mocks_folder_holds_samples():
    """Prefect's ``ui-v2/src/mocks/`` holds canned API responses for the UI's tests."""
    assert place_of("ui-v2/src/mocks/create-fake-block-type.ts") is Place.TEST
    assert place_of("src/__mocks__/api.js") is Place.TEST
    assert place_of("ui-v2/src/api/blocks.ts") is Place.CODE


def test_a_qualified_name_that_names_itself_is_no_token():
    """Radicale's JavaScript: ``static #_SHARE_TOKEN = "RADICALE:share-token"``, a WebDAV property."""
    assert not looks_like_secret("_SHARE_TOKEN", "RADICALE:share-token", in_test_code=False)
    assert looks_like_secret("_SHARE_TOKEN", "RADICALE:" + API_KEY, in_test_code=False)


def test_a_namespaced_action_type_that_names_itself_is_no_token():
    """indico's Redux actions: ``export const SET_ROOMS_SPRITE_TOKEN = 'config/SET_ROOMS_SPRITE_TOKEN'``,
    an action's type in its slice's namespace, as Redux names them; not a token."""
    text = "export const SET_ROOMS_SPRITE_TOKEN = 'config/SET_ROOMS_SPRITE_TOKEN';\n"
    assert scan_text(text, path="indico/modules/rb/client/js/common/config/actions.js",
                     in_test_code=False, bare=False) == []
    assert not looks_like_secret("SET_AUTH_TOKEN", "session/auth/setAuthToken", in_test_code=False)
    assert looks_like_secret("SET_ROOMS_SPRITE_TOKEN", "config/" + API_KEY, in_test_code=False)
    assert looks_like_secret("REFRESH_TOKEN", "qWeRtYuIoPaSdFgHjKl+/REFRESH_TOKEN", in_test_code=False)


def test_a_helm_charts_existing_secret_names_a_secret_and_a_unittests_folder_holds_samples():
    """DefectDojo's chart: ``existingSecret: defectdojo-postgresql-specific`` names the Kubernetes
    Secret to read; its ``unittests/scans/`` hold scanners' reports, with their sample tokens."""
    values = "postgresql:\n  auth:\n    existingSecret: defectdojo-postgresql-specific\n    password: Zq8vX4pL2wRk\n"
    assert [hit.name for hit in scan_text(values, path="helm/values.yaml", in_test_code=False, bare=True)] == [
        "password"
    ]
    assert place_of("unittests/scans/arachni/dd.com.afr.json") is Place.TEST


def test_a_token_pattern_inside_a_longer_word_is_no_token():
    """DefectDojo's test data: a run of UUIDs holds ten digits, a colon and 35 characters, the
    shape of a Telegram bot token; a GitHub token's prefix inside a hash is another word too."""
    uuids = "ca4f2da9-0fad-4a13-92d7-f627f3168a56:15771e87-9e7f-4931-a704-315662572101:07997273-7f39-4b42-8785-0b24fcad85cb"
    assert _found(f'matrix = "{uuids}"\n') == []
    assert _found(f'digest = "a1{GITHUB_TOKEN}"\n') == []
    assert _found(f'token = "{GITHUB_TOKEN}"\n') == [(1, "GitHub Token")]


def test_a_value_in_a_code_fence_of_a_yaml_schema_is_an_example(tmp_path):
    """Nautobot's ``settings.yaml`` describes each setting in Markdown, with example code in
    fences (``NAPALM_ARGS = {'api_key': '...'}``). The same line outside a fence is a value."""
    schema = (
        "properties:\n  NAPALM_ARGS:\n    description: |-\n      Example:\n\n      ```python\n"
        f"      NAPALM_ARGS = {{'api_key': '{API_KEY}', 'port': 2222}}\n      ```\n"
        f"  DEFAULT:\n    default: {{'api_key': '{API_KEY}'}}\n"
    )
    repo = make_repo(tmp_path, {"app/settings.yaml": schema})
    assert sec02(scan_repo(repo, select="SEC02")) == ([("app/settings.yaml", 10)], [("app/settings.yaml", 7)])


def test_fenced_lines_are_found_in_one_pass_over_hostile_text():
    assert fenced_lines("a\n```\nb\n```\nc\n~~~\nd") == {3, 7}
    assert len(fenced_lines("```\n" * 200_000)) == 0
    assert len(fenced_lines("```\n" + "x\n" * 299_999 + "x")) == 300_000


def test_a_development_set_ups_credentials_are_samples_and_a_production_modules_are_not(tmp_path):
    """warehouse's ``dev/`` keys and seed data, openlibrary's ``scripts/dev-instance/`` database
    dump, linkding's ``scripts/test-environments/`` and wger's ``settings/local_dev.py`` configure
    a developer's local services: listed (SEC022), not leaks. The same key in product code is one,
    in a package named ``dev_api`` too (a hyphenated folder cannot be a Python package, an
    underscored one can), and in an interface component named for testing an OTP PIN."""
    key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n"
    files = {
        "dev/keys/root1": key,
        "scripts/dev-instance/keys/root2": key,
        "scripts/test-environments/oidc/keys/root3": key,
        "app/components/test-otp-pin-action/signing.pem": key,
        "settings/local_dev.py": f'SECRET_KEY = "{API_KEY}"\n',
        "settings/production.py": f'SECRET_KEY = "{API_KEY}"\n',
        "app/keys/signing.pem": key,
        "app/dev_api/keys/signing.pem": key,
        "app/device-keys/signing.pem": key,
    }
    report = scan_repo(make_repo(tmp_path, files), select="SEC")
    leaks = sorted(f.path for f in result_of(report, "SEC020").findings)
    samples = sorted(f.path for f in result_of(report, "SEC022").findings)
    assert leaks == [
        "app/components/test-otp-pin-action/signing.pem", "app/dev_api/keys/signing.pem",
        "app/device-keys/signing.pem", "app/keys/signing.pem", "settings/production.py",
    ]
    assert samples == [
        "dev/keys/root1", "scripts/dev-instance/keys/root2", "scripts/test-environments/oidc/keys/root3",
        "settings/local_dev.py",
    ]


def test_labels_slugs_references_and_bracketed_words_are_not_secrets_and_a_real_one_beside_them_is():
    """sentry-python's tox factors (``langchain-notiktoken: pytest-asyncio``), JupyterHub's entry
    point (``shared-password = "jupyterhub.authenticators.shared:Shared..."``), pretalx's help text
    (``DJANGO_SUPERUSER_PASSWORD="[SECRET]"``) and its field-to-section map, where
    ``"smtp_password": "mail_settings"`` sits beside ``"smtp_host": "mail_settings"``."""
    tox = "[testenv]\ndeps =\n    langchain-notiktoken: pytest-asyncio\n    langchain-notiktoken: langchain-openai\n"
    assert kinds(tox, path="tox.ini", bare=True) == []
    entry = '[project.entry-points."jupyterhub.authenticators"]\nshared-password = "jupyterhub.authenticators.shared:SharedPasswordAuthenticator"\n'
    assert kinds(entry, path="pyproject.toml") == []
    help_text = "'DJANGO_SUPERUSER_PASSWORD=\"[SECRET]\"\\n'\n"
    assert kinds(help_text, path="app/init.py") == []
    sections = '{\n    "smtp_host": "mail_settings",\n    "smtp_password": "mail_settings",\n}\n'
    assert kinds(sections, path="app/forms.py") == []
    real = sections + f'DB_PASSWORD = "{RANDOM_PASSWORD}"\nAPI_TOKEN = "{API_KEY}"\n'
    assert kinds(real, path="app/forms.py") == [("hard-coded password", 5, "DB_PASSWORD"), ("hard-coded token", 6, "API_TOKEN")]


def test_a_cache_key_in_a_namespaces_colons_is_no_token():
    """kitsune's ``WIKI_REBUILD_TOKEN = "sumo:wiki:full-rebuild"`` is the cache key of the wiki's
    rebuild lock; a random value in the same namespace is still a token."""
    assert not looks_like_secret("WIKI_REBUILD_TOKEN", "sumo:wiki:full-rebuild", in_test_code=False)
    assert looks_like_secret("WIKI_REBUILD_TOKEN", "sumo:wiki:" + API_KEY, in_test_code=False)


def test_an_ansible_modules_examples_are_examples_and_a_value_outside_them_is_not(tmp_path):
    """awx's ``awx_collection/plugins/modules/credential.py`` documents itself in the strings
    ``ansible-doc`` shows: its ``EXAMPLES`` set ``vault_password: 'new_password'``. A string of
    another name, or a function's local ``EXAMPLES``, is no such documentation."""
    module = (
        "DOCUMENTATION = '''\nmodule: credential\n'''\n"
        f"EXAMPLES = '''\n- credential:\n    vault_password: '{RANDOM_PASSWORD}'\n'''\n"
        f"OTHER = '''\n    vault_password: '{RANDOM_PASSWORD}'\n'''\n"
        f"def run():\n    EXAMPLES = '''\n    vault_password: '{RANDOM_PASSWORD}'\n'''\n"
    )
    repo = make_repo(tmp_path, {"plugins/modules/credential.py": module})
    report = scan_repo(repo, select="SEC02")
    assert sec02(report) == (
        [("plugins/modules/credential.py", 9), ("plugins/modules/credential.py", 13)],
        [("plugins/modules/credential.py", 6)],
    )


def test_a_module_string_named_as_an_example_is_an_example(tmp_path):
    """privacyIDEA's ``tools/privacyidea-migrate-linotp.py`` prints ``EXAMPLE_CONFIG_FILE``, a
    sample configuration whose database URL has a made-up password, for the user to fill in. A
    string of another name, or a function's local one, is no such sample; a token's own format is
    a leak even there."""
    sample = f'{{\n    "URI": "mysql+pymysql://pi:{RANDOM_PASSWORD}@localhost/pi?charset=utf8mb4"\n}}\n'
    module = (
        f'EXAMPLE_CONFIG_FILE = """{sample}"""\n'
        f'SAMPLE_SETTINGS = """{sample}"""\n'
        f'CONFIG_TEMPLATE = """{sample}"""\n'
        f'def main():\n    EXAMPLE_CONFIG = """{sample}"""\n'
        f'EXAMPLE_TOKEN = "{GITHUB_TOKEN}"\n'
    )
    repo = make_repo(tmp_path, {"tools/migrate.py": module})
    report = scan_repo(repo, select="SEC02")
    assert sec02(report) == (
        [("tools/migrate.py", 10), ("tools/migrate.py", 15), ("tools/migrate.py", 18)],
        [("tools/migrate.py", 2), ("tools/migrate.py", 6)],
    )


def test_a_route_named_by_its_variable_and_a_fields_name_are_no_credentials():
    """awxkit's ``_credentials = 'credentials/'`` (an API route) and awx's map of short parameter
    names, ``'password': 'controller_password'``; a password that only ends in the word is one."""
    assert not looks_like_secret("_credentials", "credentials/", in_test_code=False)
    assert not looks_like_secret("password", "controller_password", in_test_code=False)
    assert looks_like_secret("password", "Controller_password", in_test_code=False)
    assert looks_like_secret("password", "s3cr3t_password", in_test_code=False)


def test_a_password_column_named_in_a_field_map_is_no_password():
    """privacyIDEA's SQL resolver preset for WordPress maps its attributes to the table's columns,
    ``"password" : "user_pass"``: the column's name, ending in a short form of the word, not a
    password. A password with a digit, or whose last part only starts with the word, still counts."""
    preset = (
        "$scope.params.Map = '{ \"userid\" : \"ID\", \"username\": \"user_login\", "
        "\"password\" : \"user_pass\" }';\n"
    )
    assert scan_text(preset, path="static/components/config/controllers/configControllers.js",
                     in_test_code=False, bare=False) == []
    assert not looks_like_secret("db_password", "user_pwd", in_test_code=False)
    assert looks_like_secret("password", "s3cr3t_pass", in_test_code=False)
    assert looks_like_secret("password", "hunter_passes", in_test_code=False)


def test_the_files_ci_jobs_read_under_github_are_ci_configuration(tmp_path):
    """OctoPrint's ``.github/ci/e2econfig/config.yaml`` configures the throwaway server its
    end-to-end tests start (``secretKey``, users' ``apikey``): CI's, a sample. A token's own
    format there is a leak, as in a workflow."""
    assert place_of(".github/ci/e2econfig/users.yaml") is Place.CI
    assert place_of("app/github/config.yaml") is Place.CODE
    files = {
        ".github/ci/e2econfig/config.yaml": f"server:\n  secretKey: {API_KEY}\n",
        ".github/ci/deploy.sh": f"TOKEN={GITHUB_TOKEN}\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="SEC02")
    assert sec02(report) == ([(".github/ci/deploy.sh", 1)], [(".github/ci/e2econfig/config.yaml", 2)])


def test_a_tokens_pattern_inside_an_armored_public_key_is_chance_and_outside_it_is_a_token():
    """SecureDrop's ``tor-signing-key.pub``: a line of the key's base64 opens with ``AKC``, the
    shape of an Artifactory key. A private key's block is still a private key."""
    body = "mQINBFhSfhQBEAC7\nAKCDGzgLmj47OeTtaYWs9DeVud8MogCeLinbRpG7DHpB\n=abcd\n"
    armored = f"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{body}-----END PGP PUBLIC KEY BLOCK-----\n"
    path = "roles/tor/files/signing-key.pub"
    assert kinds(armored, path=path) == []
    assert [kind for kind, _, _ in kinds(armored + body, path=path)] == ["Artifactory Credentials"]
    private = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBFhSfhQBCAC7mQINBFhSfhQBEAC7mQINBFhSfhQBEAC7mQINBF\n"
    assert [kind for kind, _, _ in kinds(armored + private, path=path)] == ["Private Key"]


def test_an_armor_line_hides_only_armor():
    """A PEM parser's header constant never closed, or a token put between armor lines, is no
    public block: a credential after it, or inside it, is still found."""
    token = "AKCp8" + "jQcDZ3Yc8hT6vJkW9fLmN2rS4tU7xY1zB5eG8iK0oP3qR6sV9wX2aD4fH7jL0nQ3tW6yA9cE2"  # split: no literal token here
    header = 'PEM_HEADER = "-----BEGIN PUBLIC KEY-----"\n'
    assert [kind for kind, _, _ in kinds(f'{header}ARTIFACTORY = "{token}"\n', path="app/keys.py")] == [
        "Artifactory Credentials"
    ]
    wrapped = f"-----BEGIN CERTIFICATE-----\nMIIB\nkey = {token}\n-----END CERTIFICATE-----\n"
    assert public_blocks(wrapped) == []
    assert [kind for kind, _, _ in kinds(wrapped, path="app/cert.pem")] == ["Artifactory Credentials"]


def test_public_blocks_are_found_in_one_pass_over_hostile_text():
    assert public_blocks("a -----BEGIN CERTIFICATE----- b -----END CERTIFICATE----- c") == [(2, 57)]
    assert public_blocks("-----BEGIN CERTIFICATE-----\n" * 100_000) == []
    assert public_blocks("-----END PGP MESSAGE-----\n" * 100_000) == []
    pairs = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" * 50_000
    assert len(public_blocks(pairs)) == 50_000


def test_rate_limits_are_not_passwords_but_a_password_beside_them_is():
    # allauth's ACCOUNT_RATE_LIMITS (allauth/account/app_settings.py:287)
    text = (
        'RATE_LIMITS = {\n'
        '    "change_password": "5/m/user",\n'
        '    "reset_password": "20/m/ip,5/m/key",\n'
        '    "login_password": "1/10s/key",\n'
        f'    "admin_password": "{DB_PASSWORD}",\n'
        '}\n'
        'THROTTLE_PASSWORD = "100/day"\n'
        'DB_PASSWORD = "5/m/user-but-a-password!"\n'
    )
    assert kinds(text) == [
        ("hard-coded password", 5, "admin_password"),
        ("hard-coded password", 8, "DB_PASSWORD"),
    ]
    from gonogo.collectors.dict_passwords import dict_passwords

    assert [(p.line, p.key) for p in dict_passwords(text.encode())] == [(5, "admin_password")]


def test_a_hostile_rate_limit_lookalike_is_judged_in_linear_time():
    import time

    from gonogo.collectors.secrets import is_rate_limit

    assert is_rate_limit("5/m/user") and is_rate_limit("20/m/ip,5/m/key") and not is_rate_limit("hunter2/x")
    started = time.perf_counter()
    for value in ("1/" * 200_000, "1/1m," * 200_000, "1" * 400_000 + "/", "1/m/" + "a" * 400_000 + "!"):
        assert not is_rate_limit(value)
    assert time.perf_counter() - started < 1.0


def test_a_path_from_the_home_folder_is_no_key_but_a_key_beside_it_is():
    # Flexget's default key file (flexget/components/ftp/sftp_client.py:48)
    text = f"private_key = '~/.ssh/id_rsa'\nprivate_key = '~/.ssh/id_dsa'\nprivate_key = '{API_KEY}'\n"
    assert kinds(text) == [("hard-coded key", 3, "private_key")]


def test_an_http_header_name_is_no_token():
    """home-assistant/supervisor's ``const.py``: ``HEADER_TOKEN = "X-Supervisor-Token"`` names the
    header that carries the token, not the token. Only Title-Case words joined by hyphens count:
    a random value, or one with digits, is still a secret."""
    text = 'HEADER_TOKEN_OLD = "X-Hassio-Key"\nHEADER_TOKEN = "X-Supervisor-Token"\n'
    assert scan_text(text, path="supervisor/const.py", in_test_code=False, bare=False) == []
    assert names_a_header("X-Client-API-Key")
    assert not names_a_header("ABCDE-FGHIJ-KLMNO")
    assert not looks_like_secret("TOKEN_HEADER", "Proxy-Authorization-Token", in_test_code=False)
    assert looks_like_secret("HEADER_TOKEN", "X-Supervisor-Token-7f3Kq9", in_test_code=False)
    assert looks_like_secret("HEADER_TOKEN", "X-" + API_KEY, in_test_code=False)
    assert looks_like_secret("API_TOKEN", "Xq-Hn4Zt-Kp8Wd-Lr2Vb", in_test_code=False)
    assert not names_a_header("A" + "-Bc" * 50_000)


def test_a_passphrase_of_title_case_words_is_still_a_password():
    """A header's name stands for a token or a key. A password written as Title-Case words joined by
    hyphens is a passphrase, and stays a secret, however much it looks like a header's name."""
    assert names_a_header("Correct-Horse-Battery-Staple")
    assert looks_like_secret("DB_PASSWORD", "Correct-Horse-Battery-Staple", in_test_code=False)
    assert looks_like_secret("admin_passphrase", "Purple-Monkey-Dishwasher", in_test_code=False)
    assert not looks_like_secret("AUTH_TOKEN_HEADER", "X-Auth-Token", in_test_code=False)
    found = scan_text('DB_PASSWORD = "Correct-Horse-Battery-Staple"\n', path="app/settings.py", in_test_code=False,
                      bare=False)
    assert len(found) == 1


@pytest.mark.parametrize("value", ["", "-", "X-", "--Token", "X--Token", "x-token", "X-Token\n", "é-Token"])
def test_malformed_header_names_are_not_headers(value):
    """Empty, hyphen-only, lower-case, multi-line and non-ASCII values are not a header's name."""
    assert not names_a_header(value)


def test_a_private_key_in_a_module_constant_named_for_tests_is_a_sample(tmp_path):
    """Chia's ``chia/simulator/ssl_certs_1.py`` holds the simulator's and test suite's certificate
    authority and node keys, generated by ``chia/_tests/util/gen_ssl_certs.py`` into constants named
    for tests (``SSL_TEST_PRIVATE_CA_KEY = b\"\"\"-----BEGIN PRIVATE KEY...``): samples (SEC022), not
    leaks. The same key in a constant of another name (``SERVER_KEY``, ``LATEST_KEY``: a word, not
    a part of one), in a function, or in a key file of the package stays a leak."""
    key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n"
    module = (
        f'SSL_TEST_PRIVATE_CA_KEY = b"""{key}"""\n'  # line 1
        f'TestPrivateKey = """{key}"""\n'  # line 5
        f'SERVER_KEY = b"""{key}"""\n'  # line 9
        f'LATEST_KEY = """{key}"""\n'  # line 13
        f'def load():\n    TEST_KEY = """{key}"""\n'  # line 18
    )
    files = {"node/simulator/ssl_certs_1.py": module, "node/ssl/ca.key": key}
    report = scan_repo(make_repo(tmp_path, files), select="SEC02")
    assert sec02(report) == (
        [("node/simulator/ssl_certs_1.py", 9), ("node/simulator/ssl_certs_1.py", 13),
         ("node/simulator/ssl_certs_1.py", 18), ("node/ssl/ca.key", 1)],
        [("node/simulator/ssl_certs_1.py", 1), ("node/simulator/ssl_certs_1.py", 5)],
    )


def test_a_name_in_a_namespace_with_a_version_digit_names_itself():
    """keystone's ``_ACCESS_TOKEN = "OS-OAUTH1:access_token"`` (keystone/oauth1/core.py) names the
    token's key in the OS-OAUTH1 extension's namespace; the digit is the namespace's version, not
    a credential's randomness. A random namespace, or a digit in the local part, still counts."""
    assert not looks_like_secret("_ACCESS_TOKEN", "OS-OAUTH1:access_token", in_test_code=False)
    assert not looks_like_secret("_REQUEST_TOKEN", "OS-OAUTH1:request_token", in_test_code=False)
    assert looks_like_secret("_ACCESS_TOKEN", "OS-OAUTH1:" + API_KEY, in_test_code=False)
    assert looks_like_secret("_ACCESS_TOKEN", "k8Fq2mZr7xW3:access_token", in_test_code=False)
    assert looks_like_secret("_ACCESS_TOKEN", "OS-OAUTH1:access_token9f3k", in_test_code=False)


@pytest.mark.parametrize(
    ("gitleaks", "blocking", "samples"),
    [
        (f"[allowlist]\ndescription = 'bogus test keys'\nregexes = ['''{AWS_KEY}''', '''qR\\+vj/2pV''']\n", [], 2),
        (f"[[allowlists]]\nregexes = ['''{AWS_KEY}''']\n", [], 2),
        ("[allowlist]\nregexes = ['''AKIA[0-9A-Z]{16}''']\n", ["ci/minio.sh"], 0),
        (f"[allowlist]\nregexes = ['''{AWS_KEY[:-1]}''']\n", ["ci/minio.sh"], 0),
        (f"[allowlist]\nstopwords = ['''{AWS_KEY}''']\n", [".gitleaks.toml", "ci/minio.sh"], 0),
        ("title = 'no allowlist'\n", ["ci/minio.sh"], 0),
    ],
    ids=["literal in the allowlist (pulpcore)", "gitleaks 8.21 allowlists", "a pattern is no statement about this value",
         "another value", "a stopword is a word, not a value", "no allowlist"],
)
def test_a_value_the_repositorys_gitleaks_allowlist_names_is_a_sample(tmp_path, gitleaks, blocking, samples):
    """pulpcore's ``.gitleaks.toml`` allows ``AKIAIT2Z...`` as one of "various bogus test keys": its
    local MinIO's key in CI, docs and a template. Its maintainers have said, in their own secret
    scanner's settings, that this exact value is no credential: a sample (SEC022), still listed.
    Only a literal entry of the allowlist's ``regexes`` names a value; a pattern does not."""
    files = {".gitleaks.toml": gitleaks, "ci/minio.sh": f"export MINIO_ACCESS_KEY={AWS_KEY}\n"}
    report = scan_repo(make_repo(tmp_path, files), select="SEC02")
    assert [f.path for f in result_of(report, "SEC020").findings] == blocking
    assert len(result_of(report, "SEC022").findings) == samples


@pytest.mark.parametrize(
    ("gitleaks", "why"),
    [
        ("x = " + "9" * 5000 + "\n", "integer string conversion"),
        ("x = " + "[" * 3000 + "]" * 3000 + "\n", "gitleaks allowlist not read"),
        ("[allowlist\nregexes = [\n", "gitleaks allowlist not read"),
        ("\xff\xfe binary \x00 allowlist", "gitleaks allowlist not read"),
        ("", None),
    ],
    ids=["a 5,000-digit integer", "nesting past the recursion limit", "malformed", "binary", "empty"],
)
def test_a_gitleaks_file_that_cannot_be_read_is_a_note_and_the_secrets_are_still_judged(tmp_path, gitleaks, why):
    """A hostile ``.gitleaks.toml`` must not blind the secrets pass: the key beside it still blocks,
    and a note names the file and what is wrong with it."""
    files = {".gitleaks.toml": gitleaks, "ci/minio.sh": f"export MINIO_ACCESS_KEY={AWS_KEY}\n"}
    report = scan_repo(make_repo(tmp_path, files), select="SEC02")
    assert [f.path for f in result_of(report, "SEC020").findings] == ["ci/minio.sh"]
    notes = [note for note in report.notes if note.path == ".gitleaks.toml"]
    if why is None:
        assert notes == []
    else:
        assert len(notes) == 1 and why in notes[0].message


FACTORY_BOY_USERS = '''"""Fixtures factories."""

import factory

from . import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User

    password = "{PLAIN}Toto1234"


def populate_database():
    UserFactory(username="admin@test.com", password="{PLAIN}Toto1234")
'''


def test_a_factory_boy_factories_module_holds_test_fixtures_but_a_token_format_there_is_a_leak(tmp_path):
    """modoboa's ``modoboa/admin/factories.py`` and ``modoboa/core/factories.py`` build test users
    with factory_boy (``password = "{PLAIN}toto"``): fixtures, as a ``tests/`` file's are, so SEC022
    (or nothing), never a blocking SEC020. A known token format there still blocks (one with a
    generated body: ``SLACK_TOKEN``'s is typed, ``has_typed_run``)."""
    files = {
        "shop/admin/factories.py": FACTORY_BOY_USERS,
        "shop/core/factories/users.py": FACTORY_BOY_USERS + f'SLACK = "{GENERATED_SLACK_TOKEN}"\n',
    }
    leaks, _ = sec02(scan_repo(make_repo(tmp_path, files), select="SEC02"))
    assert leaks == [("shop/core/factories/users.py", 17)]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("shop/factories.py", FACTORY_BOY_USERS.replace("import factory\n", "import requests\n")),
        ("shop/users.py", FACTORY_BOY_USERS),
        ("shop/factories.py", FACTORY_BOY_USERS.replace("import factory\n", "import factory_boy\n")),
    ],
    ids=["factories module without factory_boy", "factory_boy outside a factories module", "factory_boy spelt otherwise"],
)
def test_a_password_in_product_code_that_only_looks_like_factories_still_blocks(tmp_path, path, text):
    """Only the two together make a fixture module: the factory_boy convention's name
    (``factories.py``, a ``factories/`` package) and an import of factory_boy's ``factory``."""
    leaks, _ = sec02(scan_repo(make_repo(tmp_path, {path: text}), select="SEC02"))
    assert leaks == [(path, 12), (path, 16)]


@pytest.mark.parametrize(
    "text",
    ["", "from factory" + ".a" * 200_000 + " import x\n", "import\tfactoryx " * 50_000, "\ufffd\x01" * 10_000],
    ids=["empty", "a 400,000-character module path", "one huge line of imports", "control characters"],
)
def test_the_factory_boy_import_test_reads_hostile_text_in_linear_time(text):
    """The test runs on every factories module's text: anchored, possessive and bounded, it
    answers at once on a huge or odd one, and a path past four dots is not factory_boy's."""
    from gonogo.collectors.secrets import fixture_place

    assert fixture_place(Place.CODE, True, text) is Place.CODE
    assert fixture_place(Place.CODE, True, text + "\nimport factory.fuzzy\n") is Place.TEST
    assert fixture_place(Place.CODE, False, "import factory\n") is Place.CODE


TELEGRAM_BODY = "BAEKbsOKAL23CXufXG4" + "ksNV7Dq7e_1qi3j8"
RAPIDPRO_TELEGRAM_TEST = f'''class TelegramTypeTest(TembaTest):
    def setUp(self):
        self.channel = self.create_channel(config={{"auth_token": "123456789:{TELEGRAM_BODY}"}})

    @patch("requests.post")
    def test_claim(self, mock_post):
        response = self.client.post(url, {{"auth_token": "184875172:{TELEGRAM_BODY}"}})
        self.assertEqual(channel.config, {{"auth_token": "184875172:{TELEGRAM_BODY}"}})
'''


def test_a_token_with_a_made_up_identifier_in_tests_is_a_sample_and_so_is_its_secret_elsewhere_in_the_file(tmp_path):
    """rapidpro's ``temba/channels/types/telegram/tests.py`` gives a Telegram bot token to a
    mocked API: bot ``123456789`` (a keyboard run) and the same secret under bot ``184875172``.
    A real token's secret belongs to one bot: written under a made-up one, it was made up too."""
    repo = make_repo(tmp_path, {"temba/channels/types/telegram/tests.py": RAPIDPRO_TELEGRAM_TEST})
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert leaks == []
    assert [line for _, line in samples] == [3, 7, 8]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("temba/channels/types/telegram/tests.py", RAPIDPRO_TELEGRAM_TEST.replace("123456789:", "523796481:")),
        ("temba/channels/types/telegram/views.py", RAPIDPRO_TELEGRAM_TEST),
        ("tests/test_bot.py", f'TOKEN = "184875172:{TELEGRAM_BODY}"\nOTHER = "123456789:BAEKbsOKAL23CXufXG4ksNV7Dq7e_1qi3jX"\n'),
    ],
    ids=["no made-up identifier", "product code", "another secret under the made-up identifier"],
)
def test_a_token_in_tests_without_a_made_up_twin_is_still_a_leak(tmp_path, path, text):
    """Only in test code, docs and examples, and only a token sharing its exact secret with one
    whose identifier is a keyboard run: a real token in a test still blocks."""
    leaks, _ = sec02(scan_repo(make_repo(tmp_path, {path: text}), select="SEC02"))
    assert (path, 7 if "views" in path or "523796481" in text else 1) in leaks


TYPED_TOKENS = {
    "GITHUB": "ghp_" + "0" * 36,
    "AWS_KEY_ID": "AKIA" + "1234567891234567",
    "STRIPE": "sk_live_" + "12345678901234567890asdf",
}


def test_a_token_typed_by_hand_in_test_data_is_a_sample_and_still_a_leak_in_product_code(tmp_path):
    """DefectDojo's ``unittests/scans/`` hold secret scanners' reports for its parsers' tests, with
    tokens nobody generated: ``ghp_`` and thirty-six zeros, an AWS key ID counting to nine. A run
    of eight repeated or consecutive characters is typed (``has_typed_run``); in test data that
    makes the token a sample (SEC022). In product code it still blocks, as does a random token in
    the same test file."""
    text = "".join(f'{name} = "{value}"\n' for name, value in TYPED_TOKENS.items()) + f'REAL = "{GITHUB_TOKEN}"\n'
    repo = make_repo(tmp_path, {"unittests/scans/report.py": text, "app/settings.py": text})
    leaks, samples = sec02(scan_repo(repo, select="SEC02"))
    assert sorted(samples) == [("unittests/scans/report.py", line) for line in (1, 2, 3)]
    assert sorted(leaks) == [*(("app/settings.py", line) for line in (1, 2, 3, 4)), ("unittests/scans/report.py", 4)]


@pytest.mark.parametrize(
    ("value", "typed"),
    [
        ("ghp_" + "0" * 36, True), ("xx78901234yy", True), ("abcdefgh", True), ("aaaaaaaa", True),
        ("1234567", False), ("aaaaaaa", False), (GITHUB_TOKEN, False), (AWS_KEY, False), ("", False),
    ],
)
def test_a_typed_run_is_eight_repeated_or_consecutive_characters(value, typed):
    assert has_typed_run(value) is typed


@pytest.mark.parametrize(
    ("value", "typed"),
    [("ab" * 500_000, False), ("\x00\xff" * 300_000, False), ("\ufffd" * 7, False), ("\u0660\u0661" * 9, False),
     ("x" * 999_999 + "abcdefgh", True)],
    ids=["a million alternating characters", "binary", "seven replacement characters", "Arabic-Indic digits",
         "the run at the end of a million characters"],
)
def test_a_typed_run_in_hostile_text(value, typed):
    """One pass, whatever the text: a huge value, binary, or digits of another script (whose code
    points rise one by one too, U+0660 U+0661: a pair repeated never makes a run of eight)."""
    assert has_typed_run(value) is typed


MODOBOA_COMPOSE = f"""
services:
  mariadb:
    image: mariadb:11
    environment:
      MARIADB_ROOT_PASSWORD: {RANDOM_PASSWORD}
  api:
    build: .
    volumes:
      - .:/code
"""


def test_a_password_in_a_compose_file_that_runs_the_checkout_is_a_development_sample(tmp_path):
    """modoboa's ``docker-compose.yml`` runs the working tree (``.:/code``, ``Dockerfile.dev``,
    ``DEBUG: 1``) beside a MariaDB whose root password it sets: a developer's local service, a
    sample (SEC022) as a ``dev/`` folder's is, by the rule IMG001 already reads
    (``containers.runs_the_checkout``)."""
    report = scan_repo(make_repo(tmp_path, {"docker-compose.yml": MODOBOA_COMPOSE}), select="SEC02")
    leaks, samples = sec02(report)
    assert (leaks, samples) == ([], [("docker-compose.yml", 5)])
    [sample] = result_of(report, "SEC022").findings
    assert "runs the checkout" in sample.message


@pytest.mark.parametrize(
    "compose",
    [
        MODOBOA_COMPOSE.replace("      - .:/code\n", "      - ./conf:/code\n"),
        MODOBOA_COMPOSE + f"      - AWS_ACCESS_KEY_ID={AWS_KEY}\n".replace("      - AWS", "    environment:\n      - AWS"),
    ],
    ids=["a deployment mounting configuration", "a token format in the development compose file"],
)
def test_a_compose_file_of_a_deployment_or_a_token_format_still_blocks(tmp_path, compose):
    """A compose file that mounts only configuration is a deployment's; a known token format is a
    leak wherever it is."""
    leaks, _ = sec02(scan_repo(make_repo(tmp_path, {"docker-compose.yml": compose}), select="SEC02"))
    assert leaks == [("docker-compose.yml", 5 if "conf" in compose else 11)]


MODOBOA_DOVECOT = f"introspection_url = http://dovecot:{URL_PASSWORD}@api-unsecured:8001/api/o/introspect/\n"


def test_a_service_configuration_only_a_development_compose_file_mounts_is_a_development_sample(tmp_path):
    """modoboa's development ``docker-compose.yml`` mounts ``./docker/dovecot_config`` on
    ``/etc/dovecot/conf.d``: the local Dovecot's configuration, whose URL names the local API
    with a password, is the development set-up's, a sample (SEC022)."""
    compose = MODOBOA_COMPOSE + "  dovecot:\n    image: dovecot\n    volumes:\n" \
                                "      - ./docker/dovecot_config:/etc/dovecot/conf.d\n"
    files = {"docker-compose.yml": compose, "docker/dovecot_config/dovecot-oauth2.conf.ext": MODOBOA_DOVECOT}
    leaks, samples = sec02(scan_repo(make_repo(tmp_path, files), select="SEC02"))
    assert leaks == []
    assert ("docker/dovecot_config/dovecot-oauth2.conf.ext", 1) in samples


@pytest.mark.parametrize(
    "mounts",
    [
        "      - ./docker/dovecot_config:/srv/app/conf\n",
        "      - ./docker:/etc/dovecot\n    environment:\n      - X=1\n  other:\n    image: x\n    volumes:\n"
        "      - ./docker/dovecot_config:/etc/x\n",
        "      - ./docker/dovecot_config/../..:/etc/dovecot\n",
        "      - dovecot_config:/etc/dovecot/conf.d\n",
    ],
    ids=["mounted elsewhere than /etc", "mounted above, by two services", "the checkout itself", "a named volume"],
)
def test_a_configuration_that_is_not_only_a_development_services_still_blocks(tmp_path, mounts):
    """Only a folder of the repository (not its root), bind-mounted under ``/etc/`` by a compose
    file that runs the checkout, and by no other compose file; a deployment's compose file
    mounting it too keeps it product configuration."""
    deploy = "services:\n  dovecot:\n    image: dovecot\n    volumes:\n      - ../docker:/etc/dovecot\n"
    compose = MODOBOA_COMPOSE + "  dovecot:\n    image: dovecot\n    volumes:\n" + mounts
    files = {"docker-compose.yml": compose, "docker/dovecot_config/dovecot-oauth2.conf.ext": MODOBOA_DOVECOT}
    if "two services" in repr(mounts) or "./docker:" in mounts:
        files["deploy/docker-compose.yml"] = deploy
    leaks, _ = sec02(scan_repo(make_repo(tmp_path, files), select="SEC02"))
    assert leaks == [("docker/dovecot_config/dovecot-oauth2.conf.ext", 1)]
