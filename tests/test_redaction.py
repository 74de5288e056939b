"""One redaction mechanism: no credential a check quotes reaches a report, the terminal, the fact
cache or the baseline; ordinary code is never masked."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gonogo.cli import app
from gonogo.fingerprint import fingerprint
from gonogo.model import Finding, Location, Severity
from gonogo.redaction import redact, scrub
from tests.helpers import make_repo, result_of, scan_repo

runner = CliRunner()


def token(prefix: str, seed: str, length: int) -> str:
    """A credential-shaped value built at run time, so this file holds no credential literal."""
    return prefix + (seed * length)[:length]


GITHUB_IN_IMAGE = token("ghp_", "R4nd0mT0k3nImg", 36)
GITHUB_IN_CODE = token("ghp_", "Xy9ZcOdE7tOk3n", 36)
GITHUB_IN_DOCS = token("ghp_", "D0cP4thT0k3nQ", 36)
AWS_IN_LONG_FUNCTION = token("AKIA", "Q7ZW3RT5YU8IOP2L", 16)
SLACK_IN_SKIP = "xoxb-" + "123456789012-1234567890123-" + token("", "AbCdEfGhIjKlMnOp", 24)
STRIPE_IN_BAD_LINE = token("sk_" + "live_", "4eC39HqLyjWDarjt", 24)
PASSWORD_IN_ADD = "Zq8vT3" + "pLx9wK"
PASSWORD_IN_REQUIREMENT = "Rt5yU8" + "iOp2Lk"
PASSWORD_IN_SERVICE = "Mn4bV7" + "cX1zAs"
PASSWORD_COMPARED = "Pw7-" + "hG3kL9qT"
PLANTED = {
    "IMG001": GITHUB_IN_IMAGE,
    "IMG005": PASSWORD_IN_ADD,
    "VULN002": PASSWORD_IN_REQUIREMENT,
    "DEP007": STRIPE_IN_BAD_LINE,
    "CODE001": GITHUB_IN_CODE,
    "CODE002": AWS_IN_LONG_FUNCTION,
    "TEST001": SLACK_IN_SKIP,
    "SEC009": PASSWORD_COMPARED,
    "DOC001": GITHUB_IN_DOCS,
    "SVC001": PASSWORD_IN_SERVICE,
}

LONG_BODY = "".join(f"    total += {n}\n" for n in range(150))
HOSTILE_TREE = {
    "Dockerfile": (
        f"FROM registry.corp.net/{GITHUB_IN_IMAGE}/app\n"
        f"ADD https://deploy:{PASSWORD_IN_ADD}@files.corp.net/app.tgz /app/\n"
    ),
    "requirements.txt": (
        f"privpkg @ https://ci:{PASSWORD_IN_REQUIREMENT}@pypi.corp.net/privpkg-1.0.tar.gz\n"
        f"flask===!!bad {STRIPE_IN_BAD_LINE}\n"
    ),
    "app/conn.py": (
        f'def connect(token="{GITHUB_IN_CODE}"):\n    pass\n\n\n'
        f'def fetch(api_key="{AWS_IN_LONG_FUNCTION}"):\n    total = 0\n{LONG_BODY}    return total\n\n\n'
        f'def login(password):\n    if password == "{PASSWORD_COMPARED}":\n        return True\n    return False\n'
    ),
    "tests/test_app.py": (
        f'import pytest\n\n\n@pytest.mark.skip(reason="needs {SLACK_IN_SKIP} in env")\n'
        "def test_it():\n    assert 1\n"
    ),
    "README.md": f"# app\n\nSee [the guide](docs/{GITHUB_IN_DOCS}/guide.md).\n",
    "gonogo.toml": f'[services.db]\nurl = "tcp://admin:{PASSWORD_IN_SERVICE}@127.0.0.1:9"\n',
}


def everything_written(*folders: Path) -> dict[str, bytes]:
    return {
        str(path): path.read_bytes() for folder in folders for path in folder.rglob("*") if path.is_file()
    }


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """One scan of the hostile tree with every format, then a baseline, sharing one fact cache."""
    tmp = tmp_path_factory.mktemp("hostile")
    root = make_repo(tmp / "repo", HOSTILE_TREE)
    cache = tmp / "cache"
    env = {"GONOGO_CACHE_DIR": str(cache), "GONOGO_VULNDB": str(tmp / "no-index.sqlite3")}
    out = tmp / "out"
    checked = runner.invoke(
        app, ["check", str(root), "--probe", "-f", "md,json,sarif,junit,html", "-o", str(out)], env=env
    )
    baseline = tmp / "baseline.json"
    based = runner.invoke(app, ["baseline", str(root), "-o", str(baseline)], env=env)
    return checked, based, out, cache, baseline


def test_every_planted_check_still_reports(hostile_run):
    checked, _, out, _, _ = hostile_run
    assert checked.exit_code == 1, checked.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    failing = {c["id"] for c in report["checks"] if c["outcome"] == "fail"}
    assert set(PLANTED) <= failing


@pytest.mark.parametrize("check_id", sorted(PLANTED), ids=[f"secret quoted by {c}" for c in sorted(PLANTED)])
def test_no_planted_secret_leaks_anywhere(hostile_run, check_id):
    checked, based, out, cache, baseline = hostile_run
    secret = PLANTED[check_id]
    assert based.exit_code == 0, based.output
    assert secret not in checked.output and secret not in based.output
    written = everything_written(out, cache) | {str(baseline): baseline.read_bytes()}
    assert {"report.md", "report.json", "report.sarif", "report.junit.xml", "report.html"} <= {
        Path(p).name for p in written
    }
    assert any(Path(p).name.endswith(".sqlite") for p in written), "the fact cache was written"
    leaked = [path for path, data in written.items() if secret.encode() in data]
    assert leaked == []


def test_the_masked_findings_keep_their_sense(hostile_run):
    _, _, out, _, _ = hostile_run
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    shown = {f["check_id"]: (f["message"], f["evidence"]) for f in report["findings"]}
    assert shown["IMG005"][0] == "ADD of a remote URL without a checksum: https://deploy:***@files.corp.net/app.tgz /app/"
    assert "installed from a URL (https://ci:***@pypi.corp.net/privpkg-1.0.tar.gz)" in shown["VULN002"][0]
    assert shown["SEC009"][1].startswith('if password == "<redacted:')
    assert shown["CODE001"][0] == "connect is a stub (pass)"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f'def connect(token="{GITHUB_IN_CODE}"):', GITHUB_IN_CODE),
        (f"ADD https://deploy:{PASSWORD_IN_ADD}@files.corp.net/app.tgz /app/", PASSWORD_IN_ADD),
        (f"redis://:{PASSWORD_IN_SERVICE}@cache:6379/0", PASSWORD_IN_SERVICE),
        (f"needs key {AWS_IN_LONG_FUNCTION} in env", AWS_IN_LONG_FUNCTION),
        (f"slack {SLACK_IN_SKIP}", SLACK_IN_SKIP),
        (f"pay with {STRIPE_IN_BAD_LINE}", STRIPE_IN_BAD_LINE),
        ("Authorization: Bearer " + token("eyJ", "hbGciOiJIUzI1NiJ9", 20) + ".eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "c2lnbmF0dXJl"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7Kd9QmZ2vLp4RtY\n-----END RSA PRIVATE KEY-----",
         "MIIEowIBAAKCAQEAx7Kd9QmZ2vLp4RtY"),
        ('SECRET_KEY = "django-insecure-k3J9s8dF7gH6jK5lQ4wE3rT2yU1i"', "k3J9s8dF7gH6jK5lQ4wE3rT2yU1i"),
        ("DB_PASSWORD=hunter2xyz9", "hunter2xyz9"),
        (f'if password == "{PASSWORD_COMPARED}":', PASSWORD_COMPARED),
        ('"postgresql://app:P@ss' + 'word!@#$%^&*()@db:5432/app"', "word!@#$%^&*()"),
        ('{"username": "bender", "password": "' + 'useruser"}', "useruser"),
    ],
    ids=[
        "token keyword argument", "URL password in ADD", "URL password with no user",
        "AWS key in prose", "Slack token", "Stripe key", "JWT after Bearer, signature too",
        "PEM private key body", "quoted secret-named assignment", "unquoted env assignment",
        "password compared with a literal", "URL password holding @ and #",
        "a plain word under a password's name",
    ],
)
def test_credentials_are_masked(text, secret):
    masked = redact(text)
    assert secret not in masked
    assert "<redacted:" in masked or "***" in masked
    assert redact(masked) == masked  # idempotent: a cached fact redacted again is unchanged


@pytest.mark.parametrize(
    "text",
    [
        'digest = hashlib.md5(f"{data}".encode()).hexdigest()',
        'token = hashlib.md5(f"{data}")',
        "api_key=settings.API_KEY",
        'password = os.environ["DB_PASSWORD"]',
        'token: str = "changeme"',
        "src/gonogo/reporters/markdown_helpers_v2.py",
        "https://github.com/org/repo.git@v1.2",
        "postgres://user@db/app",
        "Probable use of insecure hash functions in `hashlib`: `md5`",
        "pytestmark on <module> (2 tests): Dashboard E2E not implemented",
        "hard-coded password:2b6efc26",
        "placeholders for credentials: random-looking hard-coded token assigned to token in a test",
        'self.client.login(username="alice@example.org", password="password")',
    ],
    ids=[
        "hashlib call on a line", "secret-named variable holding a call", "reference to a setting",
        "read from the environment", "placeholder", "a path with digits", "a VCS URL with a tag",
        "a URL with a user and no password", "a ruff message", "a skip message",
        "a SEC020 key holding its fingerprint", "prose after a secret-named word",
        "a password that names itself",
    ],
)
def test_ordinary_code_and_text_are_left_alone(text):
    assert redact(text) == text


CLI_PASSWORD = "hX7Qm2pLr9vTz4Wk"


@pytest.mark.parametrize(
    "command",
    [
        f"curl -u admin:{CLI_PASSWORD} https://x.example",
        f'curl --user "admin:{CLI_PASSWORD}" https://x.example',
        f"http -a admin:{CLI_PASSWORD} x.example",
        f"mysql --password={CLI_PASSWORD} app",
        f"mysql --password=-{CLI_PASSWORD} app",
        f"wget --http-password {CLI_PASSWORD} https://x.example/f",
        f"psql --db-pass='{CLI_PASSWORD}'",
        f"sshpass -p {CLI_PASSWORD} ssh deploy@host",
        f"mysql -u root -p{CLI_PASSWORD} app",
        f"docker login -u me -p {CLI_PASSWORD} registry.example",
    ],
    ids=["curl -u", "curl --user quoted", "httpie -a", "--password=", "--password=-", "--http-password", "--db-pass quoted",
         "sshpass -p", "mysql -pPASSWORD", "docker login -p"],
)
def test_a_password_on_a_command_line_is_masked(command):
    """A CI step's ``run:`` line is kept in the cached CI facts and may be quoted as evidence: the
    hostile campaign found ``curl -u admin:PASSWORD`` stored as written."""
    masked = redact(command)
    assert CLI_PASSWORD not in masked and "<redacted:" in masked
    assert redact(masked) == masked


@pytest.mark.parametrize(
    "command",
    [
        "mkdir -p build_output", "docker run -p 8080:80 app", "python -u script.py", "set -eu",
        "useradd -u 1000 app", "docker run -u www-data:www-data app", "curl -u $USER:$PASS https://x.example",
        'curl -u "${{ secrets.U }}:${{ secrets.P }}" https://x.example', "docker login --password-stdin",
        "mysql -p app", "rsync -a user@host:/srv/x .", "git commit -a -m fix:typo", "curl -u admin:changeme x",
        # netbox's documentation: --password asks for the password, the next word is another option
        "pg_dump --username netbox --password --host localhost netbox > netbox.sql",
        "docker login -u me -p --help",
    ],
)
def test_command_lines_without_a_password_are_left_alone(command):
    assert redact(command) == command


@pytest.mark.parametrize(
    "line", ["login " * 300_000, "mysql " * 300_000, " -u " + "a" * 2_000_000, "--pass " * 300_000, " -a b:" * 300_000]
)
def test_a_hostile_command_line_is_redacted_in_linear_time(line):
    """One pass over the line, not one from each occurrence: each took minutes before."""
    assert redact(line) == line


def test_a_chain_of_jwt_parts_is_masked_whole_and_its_signature_read_once():
    """Each part starts a match whose signature ran to the chain's end: read again per part."""
    chain = ".".join(["eyJhbGciOiJIUzI1NiJ9"] * 50_000)
    masked = redact(f"token {chain} end")
    assert masked.startswith("token <redacted:") and masked.endswith("> end") and "eyJ" not in masked


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    snippet: str
    lines: int
    parts: tuple[str, ...]


def test_scrub_walks_dataclasses_and_keeps_untouched_objects():
    clean = Fact(snippet="def f():", lines=2, parts=("a", "b"))
    assert scrub(clean) is clean
    dirty = Fact(snippet=f'def f(token="{GITHUB_IN_CODE}"):', lines=2, parts=(f"x {SLACK_IN_SKIP}",))
    scrubbed = scrub(dirty)
    assert GITHUB_IN_CODE not in repr(scrubbed) and SLACK_IN_SKIP not in repr(scrubbed)
    assert scrubbed.lines == 2
    finding = Finding(check_id="IMG001", severity=Severity.HIGH, message=GITHUB_IN_IMAGE,
                      location=Location(path=f"docs/{GITHUB_IN_DOCS}.md", line=1), key=GITHUB_IN_IMAGE,
                      data=(("image", GITHUB_IN_IMAGE),))
    assert all(s not in repr(scrub(finding)) for s in (GITHUB_IN_IMAGE, GITHUB_IN_DOCS))


def test_a_dataclass_held_twice_is_scrubbed_once_into_one_object():
    # a report holds each finding twice: in its check's result and in the plan's action
    finding = Finding(check_id="IMG001", severity=Severity.HIGH, message=GITHUB_IN_IMAGE)
    clean = Fact(snippet="def f():", lines=2, parts=("a",))
    held = scrub(((finding, clean), [finding, clean]))
    assert held[0][0] is held[1][0]
    assert GITHUB_IN_IMAGE not in held[0][0].message
    assert held[0][1] is held[1][1] is clean
    again = scrub(finding)  # each call starts afresh: a new object, masked the same way
    assert again == held[0][0] and again is not held[0][0]


def test_a_fingerprint_is_a_digest_the_redaction_pass_does_not_read():
    # the engine's fingerprint of a finding that quotes a credential is hex digits, which no
    # masking rule can change: so scrub skips the field (model.DIGEST), one search per finding less
    quoting = Finding(check_id="SEC020", severity=Severity.HIGH, message=f"token {GITHUB_IN_CODE}",
                      location=Location(path="app/settings.py", line=3), key=GITHUB_IN_CODE)
    digest = fingerprint(quoting, f'TOKEN = "{GITHUB_IN_CODE}"')
    assert set(digest) <= set("0123456789abcdef") and redact(digest) == digest
    # proof the field is not read: a value that redact would mask comes out as it went in
    odd = replace(quoting, fingerprint=f"password={GITHUB_IN_CODE}")
    scrubbed = scrub(odd)
    assert scrubbed.fingerprint == odd.fingerprint and GITHUB_IN_CODE not in scrubbed.message


def test_sec003_evidence_keeps_its_code(tmp_path):
    root = make_repo(tmp_path / "repo", {"app/ids.py": (
        "import hashlib\n\n\n"
        'def cache_token(name):\n    token = hashlib.md5(f"{name}".encode()).hexdigest()\n    return token\n\n\n'
        f'def signed(name, api_key="{GITHUB_IN_CODE}"):\n    return hashlib.md5(name.encode() + api_key.encode())\n'
    )})
    [first, second] = sorted(result_of(scan_repo(root, select="SEC003"), "SEC003").findings, key=lambda f: f.line)
    assert first.evidence == 'token = hashlib.md5(f"{name}".encode()).hexdigest()'
    assert second.evidence == "return hashlib.md5(name.encode() + api_key.encode())"
