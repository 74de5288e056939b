"""SAST: ruff's bandit rules with bandit's levels, our SQL-to-execute rule, and failure modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from gonogo.collectors import sast as sast_module
from gonogo.collectors.sql_strings import sql_sinks
from gonogo.model import GateStatus, Outcome, Severity
from tests.helpers import make_repo, result_of, scan_repo


def hits(report, check_id):
    return [
        (f.get("rule"), f.severity, f.get("confidence"), f.path, f.line)
        for f in result_of(report, check_id).findings
    ]


def gate(report, name="Security"):
    return next(g for g in report.gates if g.gate.name == name)


@pytest.mark.parametrize(
    ("code", "check_id", "rule", "severity", "confidence"),
    [
        ("import subprocess\nsubprocess.run(cmd, shell=True)\n", "SEC001", "S602", Severity.HIGH, "high"),
        ("import subprocess\nsubprocess.run('ls -l', shell=True)\n", "SEC001", "S602", Severity.LOW, "high"),
        ("import os\nos.system(cmd)\n", "SEC001", "S605", Severity.HIGH, "high"),
        ("import hashlib\nhashlib.md5(password)\n", "SEC003", "S324", Severity.HIGH, "high"),
        ("import yaml\nyaml.load(data)\n", "SEC005", "S506", Severity.MEDIUM, "high"),
        ("eval(text)\n", "SEC006", "S307", Severity.MEDIUM, "high"),
        ("import requests\nrequests.get(url, verify=False, timeout=5)\n", "SEC004", "S501", Severity.HIGH, "high"),
        ("import os\nos.chmod(path, 0o777)\n", "SEC011", "S103", Severity.HIGH, "high"),
        ("import os\nos.chmod(path, 0o750)\n", "SEC011", "S103", Severity.MEDIUM, "high"),
        ("import jinja2\njinja2.Environment(autoescape=False)\n", "SEC008", "S701", Severity.HIGH, "high"),
        ("import jinja2\njinja2.Environment()\n", "SEC008", "S701", Severity.HIGH, "medium"),
        ("assert user.is_admin\n", "SEC010", "S101", Severity.LOW, "high"),
        ("import os\nos.system(\"cls\" if os.name == \"nt\" else \"clear\")  # ruff: ignore[S605]\n",
         "SEC001", "S605", Severity.LOW, "high"),
        ("import subprocess\nsubprocess.run('cls' if windows else 'clear', shell=True)\n",
         "SEC001", "S602", Severity.LOW, "high"),
        ("import os\nos.system((\"rm \" if force else \"ls \") + path)\n", "SEC001", "S605", Severity.HIGH, "high"),
        ("import os\nos.system(\"rm \" if force else \"ls \" + path)\n", "SEC001", "S605", Severity.HIGH, "high"),
        ("import os\nos.system(f\"rm {path}\" if force else \"ls\")\n", "SEC001", "S605", Severity.HIGH, "high"),
        ("import os\nos.system(\"ls\" if x else cmd)\n", "SEC001", "S605", Severity.HIGH, "high"),
    ],
    ids=[
        "shell=True with a variable", "shell=True with a constant", "os.system with a variable",
        "md5", "yaml.load", "eval", "verify=False", "world-writable chmod", "group chmod",
        "jinja2 autoescape off", "jinja2 autoescape default", "assert in product code",
        "os.system with one of two constants", "shell=True with one of two constants",
        "one of two constants joined to a variable", "a constant or a constant joined to a variable",
        "an f-string or a constant", "a constant or a variable",
    ],
)
def test_rule_levels_follow_bandit(tmp_path, code, check_id, rule, severity, confidence):
    report = scan_repo(make_repo(tmp_path, {"app/main.py": code}), select="SEC")
    found = [h for h in hits(report, check_id) if h[0] == rule]
    assert found == [(rule, severity, confidence, "app/main.py", 2 if code.count("\n") > 1 else 1)]


def test_findings_carry_bandit_id_cwe_and_redacted_evidence(tmp_path):
    repo = make_repo(tmp_path, {"app.py": 'import subprocess\nsubprocess.call(cmd, shell=True)  # run\n'})
    finding = next(f for f in result_of(scan_repo(repo, select="SEC001"), "SEC001").findings if f.get("rule") == "S602")
    assert finding.get("bandit") == "B602"
    assert finding.get("cwe") == 78
    assert finding.evidence == "subprocess.call(cmd, shell=True)  # run"
    assert finding.key == "S602"


def test_clean_code_passes_the_security_gate(tmp_path):
    repo = make_repo(tmp_path, {"app.py": "def add(a, b):\n    return a + b\n"})
    report = scan_repo(repo, select="SEC")
    assert report.metrics["security.findings"] == 0
    assert report.metrics["security.high_high_confidence"] == 0
    assert all(r.outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE) for r in report.checks)
    statuses = {c.condition.metric: c.status for c in gate(report).conditions}
    assert statuses["security.high_high_confidence"] is GateStatus.PASS
    assert statuses["secrets.found"] is GateStatus.PASS


def test_high_confidence_high_finding_fails_the_security_gate(tmp_path):
    repo = make_repo(tmp_path, {"app.py": "import subprocess\nsubprocess.run(cmd, shell=True)\n"})
    report = scan_repo(repo, select="SEC")
    assert report.metrics["security.high"] == 1
    assert report.metrics["security.low"] == 1  # the subprocess import (B404)
    assert report.metrics["security.high_high_confidence"] == 1
    assert gate(report).status is GateStatus.FAIL


def test_a_high_finding_in_test_code_is_reported_but_does_not_block_and_one_in_product_code_does(tmp_path):
    harness = "import requests\n\ndef scan():\n    requests.get(URL, verify=False)\n"
    repo = make_repo(tmp_path, {"tests/e2e_zap.py": harness, "src/app.py": "def ok():\n    return 1\n"})
    report = scan_repo(repo, select="SEC")
    found = [f for f in report.findings if f.check_id == "SEC004"]
    assert [f.path for f in found] == ["tests/e2e_zap.py"]
    assert found[0].severity is Severity.HIGH and "in test code" in found[0].message
    assert report.metrics["security.high"] == 1
    assert report.metrics["security.high_high_confidence"] == 0
    assert not found[0].blocks

    (repo / "src" / "app.py").write_text(harness)
    report = scan_repo(repo, select="SEC")
    blocking = [f.path for f in report.findings if f.check_id == "SEC004" and f.blocks]
    assert blocking == ["src/app.py"]
    assert report.metrics["security.high_high_confidence"] == 1
    assert gate(report).status is GateStatus.FAIL


def test_product_only_rules_are_not_reported_in_test_code(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "tests/test_login.py": 'def test_login():\n    password = "hunter22"\n    assert login(password)\n',
            "src/app.py": "assert ready\n",
        },
    )
    report = scan_repo(repo, select="SEC")
    assert [h[3] for h in hits(report, "SEC010")] == ["src/app.py"]
    assert hits(report, "SEC009") == []


def test_the_scanned_repositorys_ruff_config_is_not_read(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "pyproject.toml": '[tool.ruff.lint]\nignore = ["S"]\n[tool.ruff]\nexclude = ["app.py"]\n',
            "ruff.toml": 'extend-exclude = ["*.py"]\n',
            "app.py": "import pickle\npickle.loads(data)\n",
        },
    )
    assert ("S301", Severity.MEDIUM, "high", "app.py", 2) in hits(scan_repo(repo, select="SEC005"), "SEC005")


def test_noqa_and_nosec_are_honoured_but_stay_visible(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app.py": (
                "import pickle\n"
                "pickle.loads(a)  # noqa: S301\n"
                "pickle.loads(b)  # nosec B301\n"
                "pickle.loads(c)  # noqa: E501\n"
            )
        },
    )
    findings = {f.line: f for f in result_of(scan_repo(repo, select="SEC005"), "SEC005").findings}
    assert findings[2].suppressed == "in code: # noqa: S301"
    assert findings[3].suppressed == "in code: # nosec B301"
    assert findings[4].suppressed is None


SQL_APP = """\
def by_id(cur, user_id):
    cur.execute(f"SELECT * FROM users WHERE id = {user_id}")

def remove(cur, table):
    statement = "TRUNCATE " + table
    cur.execute(statement)

def call(cur, arg):
    cur.execute("CALL refresh(%s)" % arg)

def safe(cur, user_id):
    cur.execute("SELECT * FROM users WHERE id = %s", (user_id,))
"""


def test_sql_built_from_strings_and_executed_is_reported(tmp_path):
    report = scan_repo(make_repo(tmp_path, {"db.py": SQL_APP}), select="SEC002")
    found = {(h[0], h[4], h[2]) for h in hits(report, "SEC002")}
    # ruff's S608 sees the SELECT and, as it reaches execute(), gets bandit's medium confidence;
    # our GNG608 finds what S608 cannot: the query starts with no SELECT/INSERT/UPDATE/DELETE
    assert ("S608", 2, "medium") in found
    assert ("GNG608", 6, "medium") in found
    assert ("GNG608", 9, "medium") in found
    assert not any(line == 12 for _, line, _ in found)
    assert len(found) == 3
    remove = next(f for f in result_of(report, "SEC002").findings if f.line == 6)
    assert "built at line 5" in remove.message


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (b"cur.execute(f'SELECT {x}')\n", [(1, "an f-string")]),
        (b"cur.execute('SELECT %s' % x)\n", [(1, "% formatting")]),
        (b"cur.execute('SELECT {}'.format(x))\n", [(1, "str.format()")]),
        (b"q = 'a'\nq += x\ncur.executemany(q, rows)\n", [(3, "string concatenation")]),
        (b"q = f'{x}'\nq = 'SELECT 1'\ncur.execute(q)\n", []),
        (b"cur.execute('SELECT ' + 'x')\n", []),
        (b"cur.execute(f'SELECT 1')\n", []),
        (b"cur.execute(query=f'SELECT {x}')\n", [(1, "an f-string")]),
        (b"def f(:\n cur.execute(f'{x}')\n", []),
        (b"\x00\x01execute\xff", []),
        (b"", []),
    ],
    ids=[
        "f-string", "percent", "format", "augmented concatenation", "reassigned to a constant",
        "constant concatenation", "f-string without values", "keyword query", "syntax error",
        "binary", "empty",
    ],
)
def test_sql_sinks(source, expected):
    assert [(s.call_line, s.how) for s in sql_sinks(source)] == expected


SCOPES = b"""\
@app.route(cur.execute("SELECT %s" % name))
def view():
    query = f"SELECT {name}"


def outer(x):
    query = "DELETE FROM t WHERE id = " + x
    def inner(y):
        query = f"SELECT {y}"
        cur.execute(query)
    cur.execute(query)
    return inner


def clean(x):
    query = f"SELECT {x}"
    return query


handler = lambda x: cur.execute(f"SELECT {x}")
"""


def test_sinks_are_found_in_every_scope_that_holds_one_and_only_in_it():
    """Only functions holding a sink call are walked (``sql_strings._holds_one``): a call in a
    decorator is walked with its function, a nested function and a lambda are scopes of their
    own, and a function that builds a query but calls no sink has nothing to find."""
    assert [(s.call_line, s.built_line, s.how) for s in sql_sinks(SCOPES)] == [
        (20, 20, "an f-string"),
        (10, 9, "an f-string"),
        (11, 7, "string concatenation"),
        (1, 1, "% formatting"),
    ]


def test_deeply_nested_expression_does_not_crash(tmp_path):
    hostile = "x = " + "(" * 300 + "1" + ")" * 300 + "\ncur.execute(x)\n"
    assert sql_sinks(hostile.encode()) == []


def test_unparsable_binary_and_empty_files_do_not_stop_the_scan(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "broken.py": "def f(:\n    pass\n",
            "binary.py": b"\x00\x01\x02\xff\xfe" * 100,
            "empty.py": "",
            "latin1.py": "# caf\xe9\n".encode("latin-1"),
            "-rf.py": "eval(x)\n",
            "dir with space/ünïcode.py": "eval(y)\n",
        },
    )
    report = scan_repo(repo, select="SEC006")
    assert result_of(report, "SEC006").outcome is Outcome.FAIL
    assert sorted(h[3] for h in hits(report, "SEC006")) == ["-rf.py", "dir with space/ünïcode.py"]


def test_no_python_files_is_not_applicable(tmp_path):
    report = scan_repo(make_repo(tmp_path, {"README.md": "# hi\n"}), select="SEC001")
    assert result_of(report, "SEC001").outcome is Outcome.NOT_APPLICABLE


def test_missing_ruff_is_unknown_and_so_is_the_gate(tmp_path, monkeypatch):
    monkeypatch.setattr(sast_module, "find_ruff", lambda: None)
    report = scan_repo(make_repo(tmp_path, {"app.py": "eval(x)\n"}), select="SEC")
    assert result_of(report, "SEC006").outcome is Outcome.UNKNOWN
    assert "ruff is not installed" in (result_of(report, "SEC006").reason or "")
    assert report.metrics["security.high_high_confidence"] is None
    assert gate(report).status is not GateStatus.PASS


def _fake_ruff(folder: Path, body: str) -> str:
    script = folder / "fake-ruff"
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('[ "$1" = "--version" ] && echo "ruff 9.9.9" && exit 0\necho "boom" >&2\nexit 2\n', "ruff exited 2: boom"),
        ('[ "$1" = "--version" ] && echo "ruff 9.9.9" && exit 0\necho "not json"\n', "JSON output could not be read"),
        ('[ "$1" = "--version" ] && echo "ruff 9.9.9" && exit 0\necho "{}"\n', "not a list"),
        ('[ "$1" = "--version" ] && echo "ruff 9.9.9" && exit 0\nkill -ABRT $$\n', "killed by signal 6"),
        ('[ "$1" = "--version" ] && echo "ruff 9.9.9" && exit 0\nsleep 5\n', "ran over"),
    ],
    ids=["fails", "prints garbage", "prints an object", "aborts", "hangs"],
)
def test_a_ruff_that_fails_on_every_file_names_them_and_leaves_the_gate_unknown(tmp_path, monkeypatch, body, reason):
    fake = _fake_ruff(tmp_path, body)
    monkeypatch.setattr(sast_module, "find_ruff", lambda: fake)
    monkeypatch.setattr(sast_module, "RUFF_CALL_TIMEOUT_SECONDS", 1)
    repo = make_repo(tmp_path / "repo", {"app.py": "eval(x)\n", "lib.py": "x = 1\n"})
    report = scan_repo(repo, select="SEC")
    unscanned = result_of(report, "SEC015").findings
    assert sorted(f.path for f in unscanned) == ["app.py", "lib.py"]
    assert all(f.get("rule") == "GNG000" and reason in f.message for f in unscanned)
    assert report.metrics["security.high_high_confidence"] is None
    assert gate(report).status is not GateStatus.PASS


def test_a_ruff_over_its_whole_budget_is_unknown(tmp_path, monkeypatch):
    monkeypatch.setattr(sast_module, "RUFF_TIMEOUT_SECONDS", 0)
    result = result_of(scan_repo(make_repo(tmp_path, {"app.py": "eval(x)\n"}), select="SEC006"), "SEC006")
    assert result.outcome is Outcome.UNKNOWN
    assert "ran over" in (result.reason or "")


RUFF_BOMB = "x = " + "+".join(["1"] * 200_000) + "\n"
"""An expression deep enough to overflow ruff's stack: ruff aborts on the whole batch."""


def test_a_file_that_crashes_ruff_cannot_hide_other_files_findings(tmp_path):
    files = {f"pkg/mod{i}.py": f"VALUE_{i} = {i}\n" for i in range(12)}
    files |= {
        "pkg/bomb.py": RUFF_BOMB,
        "app/run.py": "import subprocess\nsubprocess.run(cmd, shell=True)\n",
        "app/store.py": "import pickle\npickle.loads(data)\n",
    }
    report = scan_repo(make_repo(tmp_path, files), select="SEC")
    [unscanned] = result_of(report, "SEC015").findings
    assert unscanned.path == "pkg/bomb.py" and unscanned.get("rule") == "GNG000"
    assert "ruff" in unscanned.message and "not checked" in unscanned.message
    assert ("S602", "app/run.py", 2) in [(h[0], h[3], h[4]) for h in hits(report, "SEC001")]
    assert ("S301", "app/store.py", 2) in [(h[0], h[3], h[4]) for h in hits(report, "SEC005")]
    assert report.metrics["security.high_high_confidence"] == 1
    assert gate(report).status is GateStatus.FAIL
    assert report.decision.name == "NO_GO"


def test_a_file_that_crashes_ruff_in_a_clean_tree_leaves_the_gate_unknown(tmp_path):
    report = scan_repo(make_repo(tmp_path, {"bomb.py": RUFF_BOMB, "ok.py": "x = 1\n"}), select="SEC")
    assert [f.path for f in result_of(report, "SEC015").findings] == ["bomb.py"]
    assert report.metrics["security.high_high_confidence"] is None
    assert gate(report).status is not GateStatus.PASS


def test_ruff_version_is_recorded_as_evidence(tmp_path):
    report = scan_repo(make_repo(tmp_path, {"app.py": "x = 1\n"}), select="SEC001")
    assert report.data_versions.get("ruff", "").count(".") >= 1


def test_every_ruff_bandit_rule_has_levels():
    import json
    import subprocess

    ruff = sast_module.find_ruff()
    assert ruff is not None
    listed = json.loads(
        subprocess.run([ruff, "rule", "--all", "--output-format", "json"], capture_output=True,
                       text=True, check=True, env={**os.environ, "NO_COLOR": "1"}).stdout
    )
    codes = {r["code"] for r in listed if r.get("linter") == "flake8-bandit"}
    rules = sast_module.load_rules()
    assert codes - set(rules) == set(), "add the new ruff rules to data/bandit_rules.json"
    for rule in rules.values():
        assert rule.check.startswith("SEC") and rule.confidence in ("low", "medium", "high")


# --- Weak hashes judged by their use (issue 9, class 4) ---------------------------------------------


@pytest.mark.parametrize(
    ("code", "severity", "why"),
    [
        ("password_hash = hashlib.md5(password.encode()).hexdigest()\n", Severity.HIGH, None),
        ("token = hashlib.md5(f'{email}:{now}'.encode()).hexdigest()\n", Severity.HIGH, None),
        ("data = {'signature': hashlib.sha1(body).hexdigest()}\n", Severity.HIGH, None),
        ("class MD5PasswordHasher(BasePasswordHasher):\n    def encode(self, v, s):\n"
         "        return hashlib.md5((s + v).encode()).hexdigest()\n", Severity.HIGH, None),
        ("cache_key = hashlib.md5(url.encode()).hexdigest()\n", Severity.LOW, "a cache key"),
        ("def create_cache_key_from_token(token):\n    return f'App:{hashlib.md5(token.encode()).hexdigest()}'\n",
         Severity.LOW, "a cache key"),
        ("etag = hashlib.sha1(content).hexdigest()\n", Severity.LOW, "an ETag"),
        ("checksum = hashlib.md5(blob).hexdigest()\n", Severity.LOW, "a checksum"),
        ("mac = hmac.new(key, msg, digestmod=lambda: hashlib.md5())\n", Severity.LOW, "HMAC"),
        ("signer = HMAC(key, hashes.SHA1())\n", Severity.LOW, "HMAC"),
        ("def _lazy_sha1(string=b''):\n    return hashlib.sha1(string)\n", Severity.LOW, "no name around it"),
        ("def hash_password(pw):\n    return hashlib.md5(pw).hexdigest()\n", Severity.HIGH, None),
        ("def authorize_login_password(email):\n    hashed = hashlib.sha1(email.encode()).hexdigest()\n"
         "    return bucket(f'pw-{hashed}')\n", Severity.LOW, "no name around it"),
        ("r = requests.post(\n    API + 'members/auth',\n"
         "    params={'login': login, 'password': hashlib.md5(password.encode()).hexdigest()},\n)\n",
         Severity.LOW, "sent in an HTTP request"),
        ("password_hash = hashlib.md5(requests.get(url).content).hexdigest()\n", Severity.HIGH, None),
        ("session.post(url, data={'password': hashlib.md5(password.encode()).hexdigest()})\n", Severity.HIGH, None),
        ("payload = {'password': hashlib.md5(password.encode()).hexdigest()}\nrequests.post(url, data=payload)\n",
         Severity.HIGH, None),
        ("def check_password_pwned(password):\n    sha = hashlib.sha1(password.encode()).hexdigest().upper()\n"
         "    return sha[5:] in fetch_range(sha[:5])\n", Severity.LOW, "Pwned Passwords"),
        ("def password_hash(password):\n    return hashlib.sha1(password.encode()).hexdigest()  # pwned\n",
         Severity.HIGH, None),
        ("def check_password(self, password):\n    passhash = hashlib.sha1(password.encode()).hexdigest().upper()\n"
         "    prefix = passhash[:5]\n    url = 'https://api.pwnedpasswords.com/range/' + prefix\n"
         "    return requests.get(url=url)\n", Severity.LOW, "Pwned Passwords"),
        ("def check_password(self, password):\n    passhash = hashlib.sha1(password.encode()).hexdigest().upper()\n"
         "    url = 'https://api.example.com/range/' + passhash[:5]\n    return requests.get(url=url)\n",
         Severity.HIGH, None),
        ("PWNED = 'https://api.pwnedpasswords.com/range/'\ndef store_password(self, password):\n"
         "    self.passhash = hashlib.sha1(password.encode()).hexdigest()\n", Severity.HIGH, None),
    ],
    ids=[
        "password digest", "reset token", "signature in a dict", "django password hasher", "cache key",
        "cache key from a token", "etag", "checksum", "hmac digestmod", "cryptography hmac", "unnamed use",
        "function returning a password digest", "rate-limit key in a password function",
        "password digest an API requires, sent in its request", "digest of a response, stored as a password",
        "sent by an unknown object, not a client module", "sent by the next statement",
        "pwned passwords range query", "password digest with pwned only in a comment",
        "pwned passwords range url in the function", "another api's range url",
        "pwned passwords url in another scope",
    ],
)
def test_weak_hashes_block_only_where_they_protect_something(tmp_path, code, severity, why):
    header = "import hashlib, hmac\nfrom cryptography.hazmat.primitives import hashes\nfrom x import HMAC\n"
    report = scan_repo(make_repo(tmp_path, {"app/util.py": header + code}), select="SEC003")
    [finding] = [f for f in result_of(report, "SEC003").findings if f.get("rule") in ("S324", "S303")]
    assert finding.severity is severity
    assert finding.get("bandit") in ("B324", "B303")
    if why is None:
        assert report.metrics["security.high_high_confidence"] == 1
        assert finding.get("judged_low") is None
    else:
        assert report.metrics["security.high_high_confidence"] == 0
        assert why in finding.message and why in str(finding.get("judged_low"))


def test_a_cache_key_and_a_password_digest_side_by_side(tmp_path):
    code = (
        "import hashlib\n"
        "def store(url, password):\n"
        "    cache_key = hashlib.md5(url.encode()).hexdigest()\n"
        "    stored = hashlib.md5(password.encode()).hexdigest()\n"
        "    ident = hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()\n"
        "    return cache_key, stored, ident\n"
    )
    report = scan_repo(make_repo(tmp_path, {"app.py": code}), select="SEC003")
    assert [(h[1], h[4]) for h in hits(report, "SEC003")] == [(Severity.LOW, 3), (Severity.HIGH, 4)]
    assert report.metrics["security.high_high_confidence"] == 1


@pytest.mark.parametrize(
    "source",
    [b"def f(:\n    hashlib.md5(x)\n", b"\xff\xfe\x00", b"x = " + b"(" * 300 + b"1" + b")" * 300 + b"\n", b""],
    ids=["syntax error", "binary", "deep nesting", "empty"],
)
def test_hash_use_facts_of_bad_files_are_absent_not_a_crash(source):
    from gonogo.collectors.hash_use import HashUses

    assert HashUses(source).at(2, 5) is None


def test_passwords_in_dict_literals_are_found_where_ruff_misses_them_and_never_block(tmp_path):
    code = (
        'USERS = {"admin": {"password": "admin123"}}\n'
        'PINS = {"pwd": "12345"}\n'
        'EMPTY = {"password": ""}\n'
        'LABELS = {"password_label": "Password"}\n'
        'AUTH = {"password": "LDAP", "remove_password": "/api/documents/remove_password/"}\n'
        'log({"server": server, "password": password})\n'
    )
    repo = make_repo(tmp_path, {"app/seed.py": code, "tests/test_seed.py": 'X = {"pwd": "12345"}\n'})
    report = scan_repo(repo, select="SEC009,SEC020")
    found = [(f.get("rule"), f.get("bandit"), f.path, f.line, f.severity) for f in result_of(report, "SEC009").findings]
    assert found == [("GNG105", "B105", "app/seed.py", 2, Severity.LOW)]
    assert [(f.path, f.line) for f in result_of(report, "SEC020").findings] == [("app/seed.py", 1)]
    assert report.metrics["security.high_high_confidence"] == 0


@pytest.mark.parametrize(
    ("check_id", "found", "not_found", "rules"),
    [
        ("SEC007", "import xml.etree.ElementTree as ET\n\ndef parse(data):\n    return ET.fromstring(data)\n",
         "import defusedxml.ElementTree as ET\n\ndef parse(data):\n    return ET.fromstring(data)\n",
         {"S405", "S314"}),
        ("SEC013", "import random\n\ndef token():\n    return random.randint(0, 10**12)\n",
         "import secrets\n\ndef token():\n    return secrets.randbelow(10**12)\n", {"S311"}),
        ("SEC014", "def load(read):\n    try:\n        return read()\n    except Exception:\n        pass\n",
         "import logging\n\ndef load(read):\n    try:\n        return read()\n    except Exception:\n"
         "        logging.exception('load failed')\n", {"S110"}),
    ],
    ids=["SEC007 xml.etree vs defusedxml", "SEC013 random vs secrets", "SEC014 except pass vs logged"],
)
def test_weak_pattern_found_and_its_safe_twin_not(tmp_path, check_id, found, not_found, rules):
    report = scan_repo(make_repo(tmp_path, {"app/weak.py": found, "app/safe.py": not_found}), select=check_id)
    assert {(f.path, f.get("rule")) for f in result_of(report, check_id).findings} == {
        ("app/weak.py", rule) for rule in rules}


def test_a_rule_the_table_does_not_know_is_reported_by_the_checks_choice() -> None:
    """The collector names no check for a rule newer than its table (``check=None``); the SEC
    checks decide that SEC015 reports it, and no other SEC check does."""
    from gonogo.checks import security

    rule = sast_module.rule_for("S999")
    assert rule.check is None
    known = sast_module.rule_for("S602")
    hits = tuple(
        sast_module.SastHit(rule=r, severity=r.severity, confidence=r.confidence, message=r.code, path="app.py",
                            line=1, column=None, end_line=None, evidence="", in_test_code=False)
        for r in (rule, known)
    )
    facts = sast_module.SastFacts(hits=hits, files=1)
    assert [f.message.split(" ")[0] for f in security.other_patterns(facts)] == ["S999"]
    assert [f.message.split(" ")[0] for f in security.report(facts, known.check)] == ["S602"]


def test_weak_hash_uses_are_cached_a_warm_scan_parses_no_file_for_them_and_judges_alike(tmp_path, monkeypatch):
    from gonogo.collectors import hash_use

    code = (
        "import hashlib\n"
        "def store(url, password):\n"
        "    cache_key = hashlib.md5(url.encode()).hexdigest()\n"
        "    stored = hashlib.md5(password.encode()).hexdigest()\n"
        "    return cache_key, stored\n"
    )
    root = make_repo(tmp_path / "repo", {"app.py": code})
    parsed = []
    real = hash_use.HashUses.__init__

    def counting(self, source):
        parsed.append(source)
        real(self, source)

    monkeypatch.setattr(hash_use.HashUses, "__init__", counting)
    options = {"jobs": 1, "cache_dir": str(tmp_path / "cache"), "use_cache": True}
    cold = scan_repo(root, "SEC003", options=options)
    warm = scan_repo(root, "SEC003", options=options)
    assert len(parsed) == 1  # the one file with weak hashes, parsed once, on the cold scan
    judged = [[(h[1], h[4]) for h in hits(report, "SEC003")] for report in (cold, warm)]
    assert judged[0] == judged[1] == [(Severity.LOW, 3), (Severity.HIGH, 4)]
    (root / "app.py").write_text(code.replace("cache_key =", "digest_for_cache ="))
    changed = scan_repo(root, "SEC003", options=options)
    assert len(parsed) == 2 and [(h[1], h[4]) for h in hits(changed, "SEC003")] == [(Severity.LOW, 3), (Severity.HIGH, 4)]


# --- ruff in the background, and only the rules that count (issue 11) -------------------------------


def _report_facts(report):
    """What a scan says, without its clock: every check's outcome, reason and findings, the notes."""
    checks = [(r.check_id, r.outcome, r.reason, [(f.path, f.line, f.message) for f in r.findings]) for r in report.checks]
    return checks, [(n.message, n.path, n.source) for n in report.notes], report.data_versions


@pytest.mark.parametrize(
    "ruff",
    ["missing", "fails", "hangs", "crashes on one file", "works"],
)
def test_ruff_in_the_background_says_what_ruff_in_the_foreground_says(tmp_path, monkeypatch, ruff):
    from gonogo.engine import Facts

    files = {"app.py": "eval(x)\n", "lib.py": "import pickle\npickle.loads(b)\n", "tests/test_app.py": "assert x\n"}
    if ruff == "missing":
        monkeypatch.setattr(sast_module, "find_ruff", lambda: None)
    elif ruff in ("fails", "hangs"):
        body = "exit 3\n" if ruff == "fails" else "sleep 5\n"
        fake = _fake_ruff(tmp_path, '[ "$1" = "--version" ] && echo "ruff 9.9.9" && exit 0\n' + body)
        monkeypatch.setattr(sast_module, "find_ruff", lambda: fake)
        monkeypatch.setattr(sast_module, "RUFF_CALL_TIMEOUT_SECONDS", 1)
    elif ruff == "crashes on one file":
        files["pkg/bomb.py"] = RUFF_BOMB
    repo = make_repo(tmp_path / "repo", files)
    background = scan_repo(repo)
    monkeypatch.setattr(Facts, "prefetch", lambda self, checks: None)
    foreground = scan_repo(repo)
    assert _report_facts(background) == _report_facts(foreground)
    sec006 = result_of(background, "SEC006")
    failing = ruff in ("fails", "hangs")  # every file is named unscanned (SEC015); eval is not seen
    assert sec006.outcome is {"missing": Outcome.UNKNOWN}.get(ruff, Outcome.PASS if failing else Outcome.FAIL)
    assert ("ruff is not installed" in (sec006.reason or "")) is (ruff == "missing")
    unscanned = sorted(f.path for f in result_of(background, "SEC015").findings)
    expected = {"crashes on one file": ["pkg/bomb.py"]}.get(ruff, sorted(files) if failing else [])
    assert unscanned == expected
    assert "ruff" in background.timings["collectors"] and "SAST" in background.timings["stages"]


def test_test_code_is_not_even_scanned_for_product_only_rules_and_product_code_is(tmp_path, monkeypatch):
    calls: list[tuple[list[str], tuple[str, ...]]] = []
    real = sast_module.run_ruff

    def spy(ruff, paths, progress=None, args=sast_module.RUFF_ARGS, deadline=None):
        calls.append((sorted(Path(p).name for p in paths), args))
        return real(ruff, paths, progress, args, deadline)

    monkeypatch.setattr(sast_module, "run_ruff", spy)
    repo = make_repo(
        tmp_path,
        {"app.py": "assert user.is_admin\n", "tests/test_app.py": "assert x == 1\neval(text)\n"},
    )
    report = scan_repo(repo, select="SEC")
    assert hits(report, "SEC010") == [("S101", Severity.LOW, "high", "app.py", 1)]
    assert ("S307", "tests/test_app.py", 2) in [(h[0], h[3], h[4]) for h in hits(report, "SEC006")]
    [product, tests] = calls
    assert product == (["app.py"], sast_module.RUFF_ARGS)
    assert tests[0] == ["test_app.py"] and "S101" in tests[1][tests[1].index("--ignore") + 1].split(",")


def test_an_extraction_filter_makes_extractall_low_and_none_or_fully_trusted_do_not(tmp_path):
    """PEP 706's ``filter="data"`` is the fix ruff's documentation gives for S202 (ruff leaves it
    out), and pip passes a filter function of its own (``filter=pip_filter``), which bandit's logic
    rates as it rates ``members=function``: low. ``filter=None`` and ``"fully_trusted"`` filter
    nothing."""
    code = (
        "import tarfile\n\n"
        "def unpack(path, dest):\n"
        "    with tarfile.open(path) as tar:\n"
        "        tar.extractall(dest, filter='data')\n"
        "        tar.extractall(dest, filter=safe_members)\n"
        "        tar.extractall(dest, filter=None)\n"
        "        tar.extractall(dest, filter='fully_trusted')\n"
        "        tar.extractall(dest)\n"
    )
    report = scan_repo(make_repo(tmp_path, {"app/unpack.py": code}), select="SEC011")
    assert [(f.line, f.severity.value) for f in result_of(report, "SEC011").findings] == [
        (6, "low"), (7, "high"), (8, "high"), (9, "high"),
    ]


def test_extractall_on_a_zipfile_is_no_tar_extraction(tmp_path):
    """Poetry's ``extractall`` helper: ruff flags the zip branch's ``archive.extractall(dest)``
    because the file imports tarfile. zipfile drops ``..`` from member names; tar does not."""
    code = (
        "import tarfile\nimport zipfile\n\n"
        "def unpack(source, dest, zip):\n"
        "    if zip:\n"
        "        with zipfile.ZipFile(source) as archive:\n"
        "            archive.extractall(dest)\n"
        "        zipfile.ZipFile(source).extractall(dest)\n"
        "    else:\n"
        "        with tarfile.open(source) as archive:\n"
        "            archive.extractall(dest)\n"
        "    bundle = zipfile.ZipFile(source)\n"
        "    bundle = tarfile.open(source)\n"
        "    bundle.extractall(dest)\n"
    )
    report = scan_repo(make_repo(tmp_path, {"app/unpack.py": code}), select="SEC011")
    assert [f.line for f in result_of(report, "SEC011").findings] == [11, 14]


@pytest.mark.parametrize(
    ("manifest", "severity"),
    [
        ("pycryptodome==3.20.0\n", Severity.LOW),
        ("pycryptodome==3.20.0\npycrypto==2.6.1\n", Severity.HIGH),
        ("pycrypto==2.6.1\n", Severity.HIGH),
        ("django==5.0\n", Severity.HIGH),
    ],
    ids=["pycryptodome", "both", "pycrypto", "neither"],
)
def test_a_crypto_import_is_pycryptodomes_where_only_pycryptodome_is_declared(tmp_path, manifest, severity):
    """BookWyrm declares pycryptodome and imports ``Crypto.PublicKey.RSA``: bandit's B413 is about
    pycrypto, which installs the same package name and may be the one installed where it is declared."""
    files = {"requirements.txt": manifest, "app/sign.py": "from Crypto.PublicKey import RSA\n"}
    report = scan_repo(make_repo(tmp_path, files), select="SEC003")
    [finding] = result_of(report, "SEC003").findings
    assert finding.get("rule") == "S413" and finding.severity is severity
    assert report.metrics["security.high_high_confidence"] == (severity is Severity.HIGH)
    if severity is Severity.LOW:
        assert "pycryptodome" in str(finding.get("judged_low")) and "requirements.txt" in finding.message


def test_ftplib_errors_caught_and_ftp_over_tls_send_nothing_in_clear(tmp_path):
    """luigi's ``except ftplib.all_errors:`` connects to nothing and its ``ftplib.FTP_TLS()`` is
    FTP over TLS: bandit's B321 names both. A plain ``FTP(`` keeps bandit's severity, also on a
    line that names FTP_TLS too, or after an ``except ...:`` on the same line."""
    code = (
        "import ftplib\n\n\n"
        "def fetch(host):\n"
        "    try:\n"
        "        plain = ftplib.FTP(host)\n"
        "        secure = ftplib.FTP_TLS(host)\n"
        "        either = ftplib.FTP_TLS(host) if host else ftplib.FTP(host)\n"
        "    except ftplib.all_errors:  # retried by the caller\n"
        "        return None\n"
        "    except (ftplib.error_perm, OSError) as exc:\n"
        "        raise RuntimeError(exc)\n"
        "    return plain, secure, either\n"
    )
    report = scan_repo(make_repo(tmp_path, {"app/transfer.py": code}), select="SEC012")
    by_line = {f.line: f for f in result_of(report, "SEC012").findings if f.get("rule") == "S321"}
    assert {line: by_line[line].severity for line in (6, 7, 8, 9, 11)} == {
        6: Severity.HIGH, 7: Severity.LOW, 8: Severity.HIGH, 9: Severity.LOW, 11: Severity.LOW,
    }
    assert "FTP over TLS" in str(by_line[7].get("judged_low")) and "except" in str(by_line[9].get("judged_low"))


def test_a_nosec_on_a_later_line_of_the_flagged_call_silences_it_as_bandit_reads_it(tmp_path):
    """django-allauth signs mail.ru's requests with the md5 its API requires: ``data["sig"] = md5(``
    flagged on the first line, ``).hexdigest()  # nosec`` on the last. Bandit reads the statement's
    lines; so does gonogo now, for ``# nosec`` only, and never past the flagged expression."""
    code = (
        "from hashlib import md5\n\n\n"
        "def sign(data, secret):\n"
        '    data["sig"] = md5(\n'
        '        "".join(data) + secret\n'
        "    ).hexdigest()  # nosec\n"
        '    data["other"] = md5(\n'
        '        "".join(data) + secret\n'
        "    ).hexdigest()\n"
        "    return data  # nosec\n"
    )
    report = scan_repo(make_repo(tmp_path, {"app/sign.py": code}), select="SEC003")
    by_line = {f.line: f for f in result_of(report, "SEC003").findings}
    assert by_line[5].get("in_code_suppression") == "# nosec" and not by_line[5].active
    assert by_line[8].get("in_code_suppression") is None and by_line[8].active


def test_a_nosec_past_the_read_span_of_a_long_statement_does_not_count(tmp_path):
    """A flagged call left open for 5,000 lines is followed for NOSEC_SPAN lines, not to its end:
    a hostile statement is not read once per hit, and its far ``# nosec`` silences nothing."""
    code = "from hashlib import md5\n\nx = md5(\n" + "    1,\n" * 5_000 + ")  # nosec\n"
    report = scan_repo(make_repo(tmp_path, {"app/long.py": code}), select="SEC003")
    [finding] = result_of(report, "SEC003").findings
    assert finding.line == 3 and finding.active and finding.get("in_code_suppression") is None
